//! The directory's pages on the demo, as a new user would try them: an anonymous visitor and a
//! signed-in police officer each find the free Friday-evening activity for 13–16-year-olds in
//! Hässleholm (and not its near misses); the exports; an association updates its offer and
//! marks it verified; bad input at the field with the form kept; the unpublished offer nowhere.

use brygga_store::{ConnExt, args};
use reqwest::StatusCode;

use crate::common::{Backend, TestApp};

const DEMO_PASSWORD: &str = "demo-lösenord-123";
const SIGNPOST: &str = "/katalog?kommun=1293&alder=14&dag=fredag&fran=18:00&till=22:00&gratis=1";

/// The offer names listed on a directory page.
fn listed(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("ul.offers h3 a").unwrap();
    doc.select(&sel).map(|a| a.text().collect::<String>()).collect()
}

async fn offer_id(app: &TestApp, name: &str) -> i64 {
    let name = name.to_owned();
    app.store().read(move |db| Ok(db.scalar("SELECT id FROM offers WHERE name = $1", args![name])?)).await.unwrap()
}

async fn a_visitor_and_a_police_officer_find_a_free_friday_evening_in_hassleholm(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let logins = brygga::demo::seed(app.store(), DEMO_PASSWORD).await.unwrap();
    assert!(logins.iter().any(|l| l.email == brygga::demo_directory::CLUB_LEADER));

    // Anonymous, no login: the directory and its filters.
    let anon = app.browser();
    let (status, all) = anon.get_html("/katalog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(all.contains("Fredagsfotboll i Österåshallen") && all.contains("Ungdomsgården Kulturkvarteret"));
    assert!(!all.contains("Sommarfotbollsskola"), "the unpublished offer is not listed");
    assert!(all.contains("<svg"), "the map is drawn on the server");
    let (status, hit) = anon.get_html(SIGNPOST).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed(&hit), ["Fredagsfotboll i Österåshallen"], "near misses (paid, 16–20, Saturday) are left out");
    assert!(hit.contains("1 erbjudande: gratis, fredag 18:00–22:00, 14 år, Hässleholm"), "the summary reads back the search");
    // Without "free" the paid one comes back; without the age the 16–20 one.
    let (_, paid) = anon.get_html("/katalog?kommun=1293&alder=14&dag=fredag&fran=18:00&till=22:00").await;
    assert!(listed(&paid).contains(&"Futsalskola".to_owned()));
    let (_, older) = anon.get_html("/katalog?kommun=1293&dag=5&fran=18&till=22&gratis=on").await;
    assert!(listed(&older).contains(&"Fritidsgården Navet: fredagskväll 16–20 år".to_owned()));
    // The offer's own page, without login: schedule, cost, contact; not who verified it.
    let id = offer_id(&app, "Fredagsfotboll i Österåshallen").await;
    let (status, page) = anon.get_html(&format!("/katalog/erbjudanden/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("fredag 19:00–22:00") && page.contains("Gratis") && page.contains("13–16 år"));
    assert!(!page.contains("Markera som kontrollerad"));
    // The organisation's page, and the unpublished offer not found.
    let (status, org) = anon.get_html(&format!("/katalog/organisationer/{}", offer_org(&app, id).await)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(org.contains("Hässleholms IF Fotboll") && org.contains("Futsalskola"));
    let hidden = offer_id(&app, "Sommarfotbollsskola (planeras)").await;
    assert_eq!(anon.get(&format!("/katalog/erbjudanden/{hidden}")).await.status(), StatusCode::NOT_FOUND);
    // A non-public organisation's page is not found for the anonymous visitor.
    let private: i64 =
        app.store().read(|db| Ok(db.scalar("SELECT id FROM organisations WHERE name = 'AB Trelleborgshem'", &[])?)).await.unwrap();
    assert_eq!(anon.get(&format!("/katalog/organisationer/{private}")).await.status(), StatusCode::NOT_FOUND);

    // The police officer, signed in, uses the same search.
    let police = app.browser();
    assert_eq!(police.login("kommunpolis@polisen.example", DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (status, hit) = police.get_html(SIGNPOST).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed(&hit), ["Fredagsfotboll i Österåshallen"]);
    assert!(hit.contains("Logga ut"), "signed in: the full navigation");

    // Exports of the same search.
    let r = anon.get(&SIGNPOST.replace("/katalog?", "/katalog/katalog.csv?")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "header and one offer: {csv}");
    assert!(csv.contains("Fredagsfotboll i Österåshallen") && csv.contains("fredag 19:00–22:00"));
    let r = anon.get(&SIGNPOST.replace("/katalog?", "/katalog/katalog.geojson?")).await;
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let geo: serde_json::Value = r.json().await.unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    let c = &geo["features"][0]["geometry"]["coordinates"];
    assert!((13.0..14.0).contains(&c[0].as_f64().unwrap()) && (56.0..56.3).contains(&c[1].as_f64().unwrap()), "[lon, lat]: {c}");
    let hsds: serde_json::Value = anon.get("/katalog/hsds.json").await.json().await.unwrap();
    let services: Vec<&str> = hsds
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["services"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()))
        .collect();
    assert!(services.contains(&"Fredagsfotboll i Österåshallen"));
    assert!(!services.contains(&"Sommarfotbollsskola (planeras)"), "exports leave unpublished offers out");
    // A filter that cannot be read: named in Swedish, 422, never a 500.
    let (status, bad) = anon.get_html("/katalog?alder=fjorton&fran=18").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("”fjorton” är ingen ålder") && bad.contains("Välj en veckodag"));
    assert_eq!(anon.get("/katalog/katalog.csv?tema=fotboll").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(anon.get("/katalog?okand=1").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn offer_org(app: &TestApp, id: i64) -> i64 {
    app.store().read(move |db| Ok(db.scalar("SELECT org_id FROM offers WHERE id = $1", args![id])?)).await.unwrap()
}

async fn an_association_updates_its_offer_and_marks_it_verified(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    brygga::demo::seed(app.store(), DEMO_PASSWORD).await.unwrap();
    let id = offer_id(&app, "Fredagsfotboll i Österåshallen").await;
    let leader = app.browser();
    assert_eq!(leader.login(brygga::demo_directory::CLUB_LEADER, DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (status, form) = leader.get_html(&format!("/katalog/erbjudanden/{id}/andra")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"19:00\""), "the schedule is in the form");
    let version = {
        let doc = scraper::Html::parse_document(&form);
        let sel = scraper::Selector::parse("input[name=version]").unwrap();
        doc.select(&sel).next().unwrap().value().attr("value").unwrap().to_owned()
    };
    let base: Vec<(&str, &str)> = vec![
        ("version", version.as_str()),
        ("name", "Fredagsfotboll i Österåshallen"),
        ("age_from", "13"),
        ("age_to", "16"),
        ("themes", "idrott"),
        ("target_groups", "unga"),
        ("municipality_code", "1293"),
        ("place_name", "Österåshallen, Hässleholm"),
        ("free", "on"),
        ("status", "active"),
        ("published", "on"),
        ("verification_interval_days", "180"),
        ("schedules[0].weekday", "5"),
        ("schedules[0].opens_at", "19:00"),
    ];
    // A schedule closing before it opens, and a private phone number in public text: refused at
    // the fields, the form kept, nothing written.
    let mut bad = base.clone();
    bad.push(("schedules[0].closes_at", "18:00"));
    bad.push(("description", "Ring tränaren på 070-123 45 67"));
    let r = leader.submit(&format!("/katalog/erbjudanden/{id}/andra"), &format!("/katalog/erbjudanden/{id}/andra"), &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("stängningstiden 18:00 är inte efter öppningstiden 19:00"), "named at the field");
    assert!(html.contains("Beskrivningen"), "the personal-data guard names the field");
    assert!(html.contains("value=\"Österåshallen, Hässleholm\""), "what was valid is kept");
    // An offer in a municipality the club does not serve.
    let mut elsewhere = base.clone();
    elsewhere.push(("schedules[0].closes_at", "22:30"));
    elsewhere.retain(|(k, _)| *k != "municipality_code");
    elsewhere.push(("municipality_code", "1287"));
    let r = leader.submit(&format!("/katalog/erbjudanden/{id}/andra"), &format!("/katalog/erbjudanden/{id}/andra"), &elsewhere).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Organisationen verkar inte i Trelleborg"));
    // The real change: closing at 22:30.
    let mut good = base.clone();
    good.push(("schedules[0].closes_at", "22:30"));
    let r = leader.submit(&format!("/katalog/erbjudanden/{id}/andra"), &format!("/katalog/erbjudanden/{id}/andra"), &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let (_, page) = leader.get_html(&format!("/katalog/erbjudanden/{id}")).await;
    assert!(page.contains("fredag 19:00–22:30"));
    // Marked verified today, by the leader.
    let r = leader.submit(&format!("/katalog/erbjudanden/{id}"), &format!("/katalog/erbjudanden/{id}/kontrollerad"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = leader.get_html(&format!("/katalog/erbjudanden/{id}?klart=kontrollerad")).await;
    let today = brygga_domain::time::today().to_string();
    assert!(page.contains(&format!("{today} av Hanna Ledare")), "verified on / by is shown to the organisation");
    // The public sees the change, the date, not the person.
    let (_, public) = app.browser().get_html(&format!("/katalog/erbjudanden/{id}")).await;
    assert!(public.contains("fredag 19:00–22:30") && public.contains(&today) && !public.contains("Hanna Ledare"));
    // Another organisation's coordinator cannot post to it.
    let other = app.browser();
    other.login("samordnare@hassleholm.example", DEMO_PASSWORD).await;
    let r = other.submit(&format!("/katalog/erbjudanden/{id}"), &format!("/katalog/erbjudanden/{id}/kontrollerad"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The Trelleborg youth centre's verification is overdue in the demo.
    let overdue = offer_id(&app, "Fritidsgården Ungdomens hus: öppna kvällar").await;
    let sara = app.browser();
    sara.login("samordnare@trelleborg.example", DEMO_PASSWORD).await;
    let (_, page) = sara.get_html(&format!("/katalog/erbjudanden/{overdue}")).await;
    assert!(page.contains("Det är dags att kontrollera uppgifterna"));
}

crate::both_backends!(
    a_visitor_and_a_police_officer_find_a_free_friday_evening_in_hassleholm,
    an_association_updates_its_offer_and_marks_it_verified
);
