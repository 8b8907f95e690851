//! The demo's agreements and the "done when" path through the pages: the county coordinator
//! reads every agreement of Skåne's demo municipalities, scores Hässleholm's with a comment,
//! takes the follow-up snapshot and sees the change against the baseline in the county table;
//! the table's CSV and XLSX; the signed document's download.

use brygga_store::{ConnExt, args};
use reqwest::StatusCode;

use crate::common::{Backend, TestApp, csrf_in};

const DEMO_PASSWORD: &str = "demo-lösenord-123";

/// The `href` values of links whose text contains `text`.
fn hrefs(html: &str, prefix: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("a[href]").unwrap();
    doc.select(&sel).filter_map(|a| a.value().attr("href")).filter(|h| h.starts_with(prefix)).map(str::to_owned).collect()
}

/// The text of the county table's row for `municipality`.
fn row_of(html: &str, municipality: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("table.county-table tbody tr").unwrap();
    doc.select(&sel)
        .map(|r| r.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|t| t.starts_with(municipality))
        .unwrap_or_else(|| panic!("no row for {municipality}"))
}

async fn the_county_coordinator_scores_hassleholm_and_sees_the_change(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let logins = brygga::demo::seed(app.store(), DEMO_PASSWORD).await.unwrap();
    assert!(logins.iter().any(|l| l.email == "lansamordnare@lansstyrelsen.example"), "the county coordinator is a demo login");
    let web = app.browser();
    assert_eq!(web.login("lansamordnare@lansstyrelsen.example", DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);

    // Every agreement of the three municipalities, the ended one included.
    let (status, html) = web.get_html("/overenskommelser").await;
    assert_eq!(status, StatusCode::OK);
    for t in [
        "Samverkansöverenskommelse Trelleborg",
        "Samverkansöverenskommelse Hässleholm",
        "Samverkansöverenskommelse Ängelholm",
        "Medborgarlöfte Trelleborg",
        "Upphört",
        "Gällande",
    ] {
        assert!(html.contains(t), "the list shows {t}");
    }
    // The county table before: Hässleholm has a baseline only; Trelleborg has improved.
    let (status, before) = web.get_html("/overenskommelser/lan/12").await;
    assert_eq!(status, StatusCode::OK);
    assert!(before.contains("2 av 33"), "the totals row counts the two current samverkansöverenskommelser");
    let trelleborg = row_of(&before, "Trelleborg");
    assert!(trelleborg.contains('+'), "Trelleborg's change is shown: {trelleborg}");
    let hassleholm_before = row_of(&before, "Hässleholm");
    assert!(!hassleholm_before.contains('+'), "no follow-up yet: {hassleholm_before}");

    // Hässleholm's agreement: open its assessment.
    let id: i64 = app
        .store()
        .read(|db| Ok(db.scalar("SELECT id FROM agreements WHERE title = $1", args!["Samverkansöverenskommelse Hässleholm"])?))
        .await
        .unwrap();
    let (status, page) = web.get_html(&format!("/overenskommelser/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Nulägesmätning") && page.contains("inte undertecknad"));
    let assessment = hrefs(&page, "/bedomningar/").first().cloned().expect("a link to the assessment");
    let (status, form) = web.get_html(&assessment).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Härlett"), "derived items are marked");
    // Score "revision" and "sources" as met, with a comment, keeping every other field as shown.
    let doc = scraper::Html::parse_document(&form);
    let items: Vec<String> = doc
        .select(&scraper::Selector::parse("input[name=item]").unwrap())
        .filter_map(|e| e.value().attr("value").map(str::to_owned))
        .collect();
    let checked = scraper::Selector::parse("input[type=radio][checked]").unwrap();
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), csrf_in(&form))];
    for i in &items {
        fields.push(("item".into(), i.clone()));
    }
    for e in doc.select(&checked) {
        fields.push((e.value().attr("name").unwrap().to_owned(), e.value().attr("value").unwrap_or("").to_owned()));
    }
    let (revision, sources): (i64, i64) = app
        .store()
        .read(move |db| {
            let q = "SELECT i.id FROM checklist_items i JOIN assessments a ON a.version_id = i.version_id WHERE a.agreement_id = $1 AND i.key = $2";
            Ok((db.scalar(q, args![id, "revision"])?, db.scalar(q, args![id, "sources"])?))
        })
        .await
        .unwrap();
    for (item, comment) in [(revision, "Revidering beslutad till hösten."), (sources, "Källorna anges nu.")] {
        fields.retain(|(k, _)| *k != format!("score_{item}"));
        fields.push((format!("score_{item}"), "met".into()));
        fields.push((format!("comment_{item}"), comment.into()));
    }
    let body: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = web.post(&assessment, &body).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, form) = web.get_html(&assessment).await;
    assert!(form.contains("Revidering beslutad till hösten."), "the comment is kept");
    // Take the follow-up snapshot.
    let today = brygga_domain::time::today().to_string();
    let r = web
        .submit(&assessment, &format!("{assessment}/matning"), &[("kind", "follow_up"), ("label", "Uppföljning"), ("taken_on", &today)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let snapshot = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_owned();
    let (status, snap) = web.get_html(&snapshot).await;
    assert_eq!(status, StatusCode::OK);
    assert!(snap.contains("Revidering beslutad till hösten."));
    // Compare with the baseline.
    let baseline: i64 = app
        .store()
        .read(move |db| Ok(db.scalar("SELECT id FROM assessment_snapshots WHERE agreement_id = $1 AND kind = 'baseline'", args![id])?))
        .await
        .unwrap();
    let (status, cmp) = web.get_html(&format!("{snapshot}/jamfor?med={baseline}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cmp.matches("Bättre").count(), 2, "two items better");
    // The county table now shows Hässleholm's change against its baseline.
    let (_, after) = web.get_html("/overenskommelser/lan/12").await;
    let hassleholm_after = row_of(&after, "Hässleholm");
    assert!(hassleholm_after.contains('+') && hassleholm_after != hassleholm_before, "{hassleholm_before} → {hassleholm_after}");
    // The same table as CSV and XLSX.
    let r = web.get("/overenskommelser/lan/12/lanstabell.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(csv.contains("Hässleholm") && csv.contains("Totalt (33 kommuner)"), "{csv}");
    let r = web.get("/overenskommelser/lan/12/lanstabell.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // A comparison date in the table.
    let (status, cmp) = web.get_html("/overenskommelser/lan/12?jamfor=2020-01-01").await;
    assert_eq!(status, StatusCode::OK);
    assert!(cmp.contains("förut"));
    let (status, _) = web.get_html("/overenskommelser/lan/12?datum=igår").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Trelleborg's signed document downloads as the PDF it is, with a safe name.
    let tid: i64 = app
        .store()
        .read(|db| Ok(db.scalar("SELECT id FROM agreements WHERE title = $1", args!["Samverkansöverenskommelse Trelleborg"])?))
        .await
        .unwrap();
    let r = web.get(&format!("/overenskommelser/{tid}/dokument")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Samverkansoverenskommelse Trelleborg.pdf\"")
    );
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    // The checklists: Brygga's, labelled as not the county's 17-point list.
    let (status, lists) = web.get_html("/overenskommelser/checklistor").await;
    assert_eq!(status, StatusCode::OK);
    let set = hrefs(&lists, "/overenskommelser/checklistor/").into_iter().find(|h| h != "/overenskommelser/checklistor/ny").unwrap();
    let (status, set) = web.get_html(&set).await;
    assert_eq!(status, StatusCode::OK);
    assert!(set.contains("inte länets 17-punktslista"));
    // The county board cannot edit an agreement: no form, and the store refuses a forged post.
    let (_, page) = web.get_html(&format!("/overenskommelser/{id}")).await;
    assert!(!page.contains("/redigera\""), "no edit link for the county board");
    let r = web.submit(&format!("/overenskommelser/{id}"), &format!("/overenskommelser/{id}/fastall"), &[("version", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Hässleholm's own coordinator reads it too; Ängelholm's does not.
    let other = app.browser();
    other.login("samordnare@angelholm.example", DEMO_PASSWORD).await;
    assert_eq!(other.get(&format!("/overenskommelser/{id}")).await.status(), StatusCode::NOT_FOUND);
}

crate::both_backends!(the_county_coordinator_scores_hassleholm_and_sees_the_change);
