//! The weekly meeting (avstämning) as the coordinator runs it: opening this week's meeting
//! gives an agenda of last week's flags and the open actions; attendance and notes are saved;
//! a decision on a flag becomes an action in one click (and a bad one is explained at the item,
//! nothing typed lost); the minutes carry the decision. Reporters read but cannot run it;
//! outsiders learn nothing.

use brygga_domain::time::{IsoWeek, today};
use brygga_store::forum_work::actions::{self, ActionInput, Origin};
use brygga_store::picture::observations::ObservationInput;
use brygga_store::{ConnExt, Store};
use brygga_store_tests::stories;
use reqwest::{Response, StatusCode};

use crate::common::{Backend, Browser, PASSWORD, TestApp, csrf_in, text_of};

/// `n` shared reports of `category` at `area` in each week `weeks_ago` before this one.
async fn seed(store: &Store, user_id: i64, forum: i64, batches: &[(&str, Option<i64>, i32, usize)]) {
    let v = stories::viewer(store, user_id).await;
    let inputs: Vec<ObservationInput> = batches
        .iter()
        .flat_map(|&(category, area, weeks_ago, n)| {
            let day = IsoWeek::current().plus(-weeks_ago).monday().checked_add(jiff::Span::new().days(2)).unwrap();
            (0..n).map(move |i| ObservationInput {
                forum_id: forum,
                category: category.into(),
                area_id: area,
                observed_at: Some(format!("{day}T{:02}:00", 8 + i % 10)),
                visibility: Some("forum".into()),
                ..Default::default()
            })
        })
        .collect();
    crate::common::report_all(store, v, inputs).await;
}

fn in_days(n: i64) -> String {
    today().checked_add(jiff::Span::new().days(n)).unwrap().to_string()
}

/// An open action the housing company is responsible for, decided outside a meeting.
async fn open_action(store: &Store, user_id: i64, forum: i64, responsible: i64, title: &str) -> i64 {
    let v = stories::viewer(store, user_id).await;
    let input = ActionInput { title: title.into(), responsible_org_id: Some(responsible), due_on: Some(in_days(14)), ..Default::default() };
    store
        .write(move |db| {
            let valid = actions::prepare(db, &v, forum, &input, None)?;
            actions::create(db, &v, &valid, Origin::default())
        })
        .await
        .unwrap()
        .id
}

struct World {
    app: TestApp,
    est: stories::Est,
    week: IsoWeek,
    action: i64,
}

/// EST Trelleborg with a jump in graffiti at Stortorget last week (ten ordinary weeks before
/// it) and one open action.
async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let est = stories::est(app.store()).await;
    let s = Some(est.stortorget);
    let mut batches: Vec<(&str, Option<i64>, i32, usize)> =
        [5, 4, 6, 5, 5, 4, 6, 5, 5, 4].iter().enumerate().map(|(i, n)| ("klotter", s, 2 + i as i32, *n)).collect();
    batches.push(("klotter", s, 1, 14));
    seed(app.store(), est.coordinator, est.forum, &batches).await;
    let action = open_action(app.store(), est.coordinator, est.forum, est.bostad, "Trygghetsvandring i centrum").await;
    Some(World { app, est, week: IsoWeek::current(), action })
}

/// The agenda items of one section: (item id, heading).
fn items(html: &str, section: &str) -> Vec<(i64, String)> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("section[aria-labelledby={section}] article.meeting-item")).unwrap();
    let h3 = scraper::Selector::parse("h3").unwrap();
    doc.select(&sel)
        .map(|a| {
            let id = a.value().id().unwrap().trim_start_matches("punkt-").parse().unwrap();
            let title = a.select(&h3).next().unwrap().text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
            (id, title)
        })
        .collect()
}

fn attr(html: &str, selector: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr(name)).map(str::to_owned)
}

/// Posts the meeting form (the page's CSRF token and version, then `fields`) to `action`.
async fn post_meeting(web: &Browser, page: &str, action: &str, fields: &[(&str, String)]) -> Response {
    let (_, html) = web.get_html(page).await;
    let mut all: Vec<(String, String)> = vec![("csrf".into(), csrf_in(&html))];
    if let Some(version) = attr(&html, "input[name=version]", "value") {
        all.push(("version".into(), version));
    }
    all.extend(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    web.post(action, &refs).await
}

/// The (term, description) pairs of `dl.facts`.
fn facts(html: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("dl.facts dt, dl.facts dd").unwrap();
    let texts: Vec<String> =
        doc.select(&sel).map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    texts.chunks(2).map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default())).collect()
}

/// Every `id` once, and every in-page link and `aria-describedby` pointing at one.
fn assert_ids_sound(html: &str) {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("[id]").unwrap();
    let mut ids: Vec<&str> = doc.select(&all).filter_map(|e| e.value().id()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate ids");
    let links = scraper::Selector::parse("a[href^='#'], [aria-describedby]").unwrap();
    for e in doc.select(&links) {
        let targets = e.value().attr("href").map(|h| h[1..].to_owned()).into_iter().chain(
            e.value().attr("aria-describedby").into_iter().flat_map(|d| d.split_whitespace().map(str::to_owned).collect::<Vec<_>>()),
        );
        for t in targets {
            assert!(ids.contains(&t.as_str()), "#{t} points nowhere");
        }
    }
}

fn location(r: &Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn the_coordinator_runs_the_meeting_from_agenda_to_minutes(b: Backend) {
    let Some(w) = world(b).await else { return };
    let (f, week) = (w.est.forum, w.week);
    let page = format!("/forum/{f}/avstamning/{week}");
    let web = w.app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;

    // The forum's page leads to the meetings; the list offers this week's.
    let (_, forum) = web.get_html(&format!("/forum/{f}")).await;
    assert!(forum.contains(&format!("href=\"/forum/{f}/avstamning\"")), "the forum page links to the meetings");
    let (status, list) = web.get_html(&format!("/forum/{f}/avstamning")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Öppna veckans avstämning"), "{list}");
    let r = web.submit(&format!("/forum/{f}/avstamning"), &format!("/forum/{f}/avstamning/{week}"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), page);
    // Opening again is harmless and leads to the same meeting.
    let again = web.submit(&page, &page, &[]).await;
    assert_eq!(location(&again), page);

    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let heading = text_of(&html, "h1").unwrap();
    assert!(heading.starts_with(&format!("Avstämning v. {} (", week.week())), "{heading}");
    let picture_week = week.plus(-1);
    assert!(html.contains(&format!("href=\"/lagesbild/forum/{f}?vecka={picture_week}\"")), "links to the picture under review");
    assert!(html.contains(&format!("Lägesbilden för v. {}", picture_week.week())));
    assert_ids_sound(&html);
    let flags = items(&html, "flaggor");
    assert_eq!(flags.len(), 1, "{flags:?}");
    let (flag, sentence) = flags[0].clone();
    assert!(sentence.starts_with("Klotter vid Stortorget: 14 rapporter"), "{sentence}");
    let open = items(&html, "oppna");
    assert!(open.iter().any(|(_, t)| t.starts_with("Trygghetsvandring i centrum — AB Trelleborgshem")), "{open:?}");
    assert!(html.contains(&format!("href=\"/atgarder/{}\"", w.action)), "the open action is linked");
    assert_eq!(
        attr(&html, &format!("#punkt-{flag} button[formaction]"), "formaction").as_deref(),
        Some(format!("{page}/punkt/{flag}/atgard").as_str())
    );

    // Attendance, notes and a line of other business.
    let r = post_meeting(
        &web,
        &page,
        &format!("{page}/spara"),
        &[
            ("held_on", today().to_string()),
            ("present", w.est.kommun.to_string()),
            ("present", w.est.bostad.to_string()),
            (&format!("i{flag}_note"), "Bostadsbolaget har sett samma sak.".into()),
            ("other", "Julmarknaden på Stortorget".into()),
            ("notes", "Nästa möte på tisdag.".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&location(&r)).await;
    assert_eq!(text_of(&html, ".flash").as_deref(), Some("Avstämningen är sparad."));
    assert_eq!(text_of(&html, &format!("textarea[name=i{flag}_note]")).as_deref(), Some("Bostadsbolaget har sett samma sak."));
    assert!(attr(&html, &format!("input[name=present][value=\"{}\"]", w.est.kommun), "checked").is_some());
    assert!(attr(&html, &format!("input[name=present][value=\"{}\"]", w.est.forening), "checked").is_none());
    assert!(items(&html, "ovrigt").iter().any(|(_, t)| t == "Julmarknaden på Stortorget"));

    // A decision without a responsible organisation: refused at the item, everything kept, nothing stored.
    let title = "Sanera klottret vid Stortorget";
    let decide = format!("{page}/punkt/{flag}/atgard");
    let r = post_meeting(
        &web,
        &page,
        &decide,
        &[
            ("held_on", today().to_string()),
            ("present", w.est.kommun.to_string()),
            (&format!("i{flag}_note"), "Ändrad men inte sparad.".into()),
            (&format!("i{flag}_title"), title.into()),
            (&format!("i{flag}_due_on"), in_days(7)),
            ("notes", "Nästa möte på tisdag.".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Välj ansvarig organisation"), "{html}");
    assert_ids_sound(&html);
    assert!(html.contains(&format!("href=\"#f-i{flag}_responsible_org_id\"")), "the error summary links to the field");
    assert_eq!(attr(&html, &format!("#f-i{flag}_responsible_org_id"), "aria-invalid").as_deref(), Some("true"));
    assert_eq!(attr(&html, &format!("input[name=i{flag}_title]"), "value").as_deref(), Some(title), "the typed title is kept");
    assert_eq!(text_of(&html, &format!("textarea[name=i{flag}_note]")).as_deref(), Some("Ändrad men inte sparad."));
    let count: i64 = w.app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM actions", &[])?)).await.unwrap();
    assert_eq!(count, 1, "no action was created");
    let (_, html) = web.get_html(&page).await;
    assert_eq!(
        text_of(&html, &format!("textarea[name=i{flag}_note]")).as_deref(),
        Some("Bostadsbolaget har sett samma sak."),
        "the failed decision saved nothing"
    );

    // The same decision for the housing company: one click, the notes saved with it.
    let r = post_meeting(
        &web,
        &page,
        &decide,
        &[
            ("held_on", today().to_string()),
            ("present", w.est.kommun.to_string()),
            ("present", w.est.bostad.to_string()),
            (&format!("i{flag}_note"), "Bostadsbolaget tar det.".into()),
            (&format!("i{flag}_title"), title.into()),
            (&format!("i{flag}_responsible_org_id"), w.est.bostad.to_string()),
            (&format!("i{flag}_due_on"), in_days(7)),
            (&format!("i{flag}_no_police_powers"), "on".into()),
            ("notes", "Nästa möte på tisdag.".into()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    assert_eq!(location(&r), format!("{page}?klart=atgard-beslutad#punkt-{flag}"));
    let (_, html) = web.get_html(&location(&r)).await;
    assert!(text_of(&html, ".flash").unwrap().starts_with("Åtgärden är beslutad"));
    assert_eq!(text_of(&html, &format!("textarea[name=i{flag}_note]")).as_deref(), Some("Bostadsbolaget tar det."));
    let decided = text_of(&html, &format!("#punkt-{flag} .meeting-decided")).expect("the decision is listed at its item");
    assert!(decided.contains(title) && decided.contains("AB Trelleborgshem") && decided.contains(&in_days(7)), "{decided}");
    let v = stories::viewer(w.app.store(), w.est.coordinator).await;
    let all = w.app.store().read(move |db| actions::list(db, &v, f, &actions::Filter::default())).await.unwrap();
    let a = all.iter().find(|a| a.title == title).expect("the action is in the forum's list");
    assert_eq!(
        (a.category_name.as_deref(), a.area_id, a.no_police_powers, a.responsible.id, a.due_on.clone()),
        (Some("Klotter"), Some(w.est.stortorget), true, w.est.bostad, in_days(7)),
        "the flag's category and place come along"
    );
    assert_eq!(a.flag_text.as_deref(), Some(sentence.as_str()));
    assert!(html.contains(&format!("href=\"/atgarder/{}\"", a.id)));

    // Refreshing the agenda adds what came up since: the new action.
    let r = web.submit(&page, &format!("{page}/uppdatera"), &[]).await;
    assert_eq!(location(&r), format!("{page}?nya=1"));
    let (_, html) = web.get_html(&location(&r)).await;
    assert_eq!(text_of(&html, ".flash").as_deref(), Some("Dagordningen är uppdaterad: 1 ny punkt."));
    assert!(items(&html, "oppna").iter().any(|(_, t)| t.starts_with(title)));
    let r = web.submit(&page, &format!("{page}/uppdatera"), &[]).await;
    assert_eq!(location(&r), format!("{page}?nya=0"), "nothing twice");

    // The minutes: who was there, what was said, who does what by when.
    let (status, minutes) = web.get_html(&format!("{page}/protokoll")).await;
    assert_eq!(status, StatusCode::OK);
    let facts = facts(&minutes);
    let fact = |k: &str| facts.iter().find(|(dt, _)| dt == k).map(|(_, dd)| dd.as_str()).unwrap_or_default();
    assert_eq!((fact("Forum"), fact("Datum")), ("EST Trelleborg", today().to_string().as_str()), "{facts:?}");
    assert_eq!(fact("Närvarande"), "AB Trelleborgshem, Trelleborgs kommun");
    assert_eq!(fact("Frånvarande"), "Nattvandrarna");
    let table = text_of(&minutes, "table.meeting-decisions").unwrap();
    assert!(table.contains(title) && table.contains("AB Trelleborgshem") && table.contains(&in_days(7)), "{table}");
    assert!(minutes.contains("Bostadsbolaget tar det.") && minutes.contains("Nästa möte på tisdag."));
    assert!(minutes.contains("class=\"meeting-screen-only\""), "the way back is for the screen only");
    let (_, css) = web.get_html("/static/brygga.css").await;
    assert!(css.contains(".meeting-screen-only, .meeting-links"), "and the print stylesheet hides it");
    let (_, list) = web.get_html(&format!("/forum/{f}/avstamning")).await;
    assert!(list.contains(&format!("href=\"{page}/protokoll\"")), "the list links to the minutes");
}

async fn others_read_or_learn_nothing_and_bad_input_is_explained(b: Backend) {
    let Some(w) = world(b).await else { return };
    let (f, week) = (w.est.forum, w.week);
    let page = format!("/forum/{f}/avstamning/{week}");
    let coordinator = w.app.browser();
    coordinator.login("samordnare@trelleborg.se", PASSWORD).await;

    // Before it is opened: the address says so, and offers the coordinator the button.
    let (status, html) = coordinator.get_html(&page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Avstämningen är inte öppnad ännu.") && html.contains("Öppna avstämningen"));
    // Too far ahead, or no week at all.
    let far = week.plus(3);
    let r = coordinator.submit(&format!("/forum/{f}/avstamning"), &format!("/forum/{f}/avstamning/{far}"), &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("ligger för långt fram"));
    assert_eq!(coordinator.get_html(&format!("/forum/{f}/avstamning/2026-W99")).await.0, StatusCode::NOT_FOUND);
    let r = coordinator.submit(&format!("/forum/{f}/avstamning"), &page, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // A reporter reads the meeting but does not run it.
    let reporter = w.app.browser();
    reporter.login("falt@trelleborg.se", PASSWORD).await;
    let (status, list) = reporter.get_html(&format!("/forum/{f}/avstamning")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!list.contains("Öppna veckans avstämning"), "no button for a reporter");
    let (status, html) = reporter.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("formaction") && !html.contains("/spara"), "no form for a reporter");
    assert!(items(&html, "flaggor").len() == 1, "but the agenda");
    let r = reporter.submit(&format!("/forum/{f}/avstamning"), &format!("/forum/{f}/avstamning/{}", week.plus(1)), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post_meeting(&reporter, &page, &format!("{page}/spara"), &[("notes", "Försök".into())]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An organisation outside the forum learns nothing, not even that there is a meeting.
    let outsider = w.app.browser();
    outsider.login("samordnare@engelholm.se", PASSWORD).await;
    for path in [format!("/forum/{f}/avstamning"), page.clone(), format!("{page}/protokoll")] {
        assert_eq!(outsider.get_html(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, any) = outsider.get_html("/forum").await;
    let r = outsider.post(&page, &[("csrf", csrf_in(&any).as_str())]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A date that is not a date, a personal identity number in a note: explained at the field, input kept.
    let (_, html) = coordinator.get_html(&page).await;
    let flag = items(&html, "flaggor")[0].0;
    let r = post_meeting(
        &coordinator,
        &page,
        &format!("{page}/spara"),
        &[("held_on", "i tisdags".into()), (&format!("i{flag}_note"), "Ring 19121212-1212 om det här".into()), ("notes", "Kvar".into())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#f-held_on\"") && html.contains(&format!("href=\"#f-i{flag}_note\"")), "{html}");
    assert_eq!(attr(&html, "input[name=held_on]", "value").as_deref(), Some("i tisdags"));
    assert_eq!(text_of(&html, "textarea[name=notes]").as_deref(), Some("Kvar"));

    // Someone else saved meanwhile: said plainly, typed text kept.
    let (_, html) = coordinator.get_html(&page).await;
    let old = attr(&html, "input[name=version]", "value").unwrap();
    let ok = post_meeting(&coordinator, &page, &format!("{page}/spara"), &[("notes", "Först".into())]).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let csrf = csrf_in(&html);
    let r = coordinator
        .post(&format!("{page}/spara"), &[("csrf", csrf.as_str()), ("version", old.as_str()), ("notes", "Mitt eget utkast")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Någon annan har sparat avstämningen"), "{html}");
    assert_eq!(text_of(&html, "textarea[name=notes]").as_deref(), Some("Mitt eget utkast"));
    let r = post_meeting(&coordinator, &page, &format!("{page}/spara"), &[("notes", "Mitt eget utkast".into())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "saving again overwrites");
}

crate::both_backends!(the_coordinator_runs_the_meeting_from_agenda_to_minutes, others_read_or_learn_nothing_and_bad_input_is_explained);
