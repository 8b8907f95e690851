//! The steering report as people use it: the half-years to choose from, the printable A4 page
//! with the unmeasurable goal, the undistributed toolbox and the load on each organisation, the
//! same as Word (read back by python-docx) and as JSON; outsiders get 404.

use brygga_domain::time::today;
use brygga_store::programmes::deliverables::DeliverableInput;
use brygga_store_tests::stories;
use reqwest::StatusCode;

use super::steering::signed_in;
use crate::common::{Backend, TestApp};
use crate::kit::docx::{headings, read_docx};

async fn the_steering_report_prints_and_downloads_with_the_findings(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::steering_world(app.store()).await;
    stories::create_deliverable(
        app.store(),
        w.county,
        w.programme,
        DeliverableInput {
            kind: "toolbox".into(),
            title: "Verktygslåda mot våld".into(),
            delivered_on: Some(today().to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let web = signed_in(&app, "samordnare@polisen.example").await;
    let choose = format!("/program/{}/styrrapport", w.programme);
    let (status, html) = web.get_html(&choose).await;
    assert_eq!(status, StatusCode::OK);
    let hy = w.half.to_string();
    let doc = format!("{choose}/{hy}");
    assert!(html.contains(&format!("href=\"{doc}\"")), "{html}");

    let (status, html) = web.get_html(&doc).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("Styrgruppsrapport {hy}: Skåne tillsammans mot brott")));
    assert!(html.contains("Fler som utsatts söker stöd") && html.contains("Kräver åtgärd"), "the unmeasurable goal");
    assert!(html.contains("Levererad men inte spridd: ”Verktygslåda mot våld”"), "{html}");
    assert!(html.contains("Störst belastning: Länsstyrelsen Skåne är sammankallande i 2 av 3 arbetsgrupper och medlem i 3."));
    assert!(html.contains("<h2>Belastning per organisation</h2>"));
    assert!(html.contains("aria-label=\"Tabell: Belastning per organisation\""));

    let r = web.get(&format!("{doc}/styrgruppsrapport.docx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cd = r.headers().get("content-disposition").unwrap().to_str().unwrap().to_owned();
    assert!(cd.contains("attachment"), "{cd}");
    let bytes = r.bytes().await.unwrap().to_vec();
    if let Some(d) = read_docx(&bytes) {
        let h1 = headings(&d, "Heading 1");
        assert_eq!(
            h1,
            [
                "Sammanfattning",
                "Styrgruppen",
                "Arbetsgrupperna",
                "Beslut och uppföljning",
                "Leveranser och spridning",
                "Belastning per organisation"
            ]
        );
        assert_eq!(
            headings(&d, "Heading 2")[..3],
            ["Våld i nära relationer".to_owned(), "Trygghet i offentlig miljö".to_owned(), "Brott mot företag".to_owned()]
        );
        let text = d.to_string();
        assert!(text.contains("Levererad men inte spridd") && text.contains("Fler som utsatts söker stöd"));
    }

    let api = app.api(&app.token(w.police, w.polisen).await);
    let (s, r) = api.get(&format!("/programmes/{}/steering-report?half_year={hy}", w.programme)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["totals"]["undistributed"], 1);
    assert_eq!(r["load"][0]["name"], "Länsstyrelsen Skåne");
    assert_eq!(r["groups"][0]["off_track"][0]["goal_id"].as_i64(), Some(w.unmeasurable_goal));
    let (s, _) = api.get(&format!("/programmes/{}/steering-report?half_year=2019H3", w.programme)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        api.req(reqwest::Method::GET, &format!("/programmes/{}/steering-report/docx?half_year={hy}", w.programme)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let outsider = signed_in(&app, "samordnare@kalmar.example").await;
    assert_eq!(outsider.get_html(&doc).await.0, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("{doc}/styrgruppsrapport.docx")).await.status(), StatusCode::NOT_FOUND);
}

/// The demo as a new user finds it: the steering group, last half-year's meeting with an overdue
/// uppdrag, the next meeting's agenda generated from the groups' state, and the steering report
/// with the unmeasurable goal, the undistributed toolbox and Länsstyrelsen's load.
async fn the_demo_steering_group_and_report_show_the_findings(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    brygga::demo::seed(app.store(), "demo-lösenord-123").await.unwrap();
    let programme: i64 = app
        .store()
        .read(|db| Ok(brygga_store::ConnExt::scalar(db, "SELECT id FROM programmes WHERE title = 'Skåne tillsammans mot brott'", &[])?))
        .await
        .unwrap();
    let web = app.browser();
    assert_eq!(web.login("lansamordnare@lansstyrelsen.example", "demo-lösenord-123").await.status(), StatusCode::SEE_OTHER);
    let (status, html) = web.get_html(&format!("/program/{programme}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"/program/{programme}/styrgrupp\"")) && html.contains(brygga::demo_steering::TOOLBOX), "{html}");

    let (status, html) = web.get_html(&format!("/program/{programme}/styrgrupp")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Landshövding") && html.contains("Ordförande"));
    assert!(html.contains("Försenat"), "the overdue uppdrag is flagged");
    let next: i64 = app
        .store()
        .read(|db| Ok(brygga_store::ConnExt::scalar(db, "SELECT MAX(id) FROM steering_meetings WHERE status = 'planned'", &[])?))
        .await
        .unwrap();
    let (_, html) = web.get_html(&format!("/styrgruppsmoten/{next}")).await;
    for text in [
        "Levererat men inte spritt",
        "Uppdrag att följa upp",
        "Mål som inte går att följa eller ligger efter",
        brygga::demo_steering::TOOLBOX,
    ] {
        assert!(html.contains(text), "the agenda has {text}: {html}");
    }

    let hy = brygga_store::programmes::HalfYear::of(today()).to_string();
    let (status, html) = web.get_html(&format!("/program/{programme}/styrrapport/{hy}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kräver åtgärd"), "the unmeasurable goal");
    assert!(html.contains(&format!("Levererad men inte spridd: ”{}”", brygga::demo_steering::TOOLBOX)));
    assert!(html.contains("Störst belastning: Länsstyrelsen Skåne är sammankallande i 3 av 7 arbetsgrupper och medlem i 6."), "{html}");
}

crate::both_backends!(the_steering_report_prints_and_downloads_with_the_findings, the_demo_steering_group_and_report_show_the_findings);
