//! The demo's *Skåne tillsammans mot brott* tried as a new user would: the county coordinator
//! sees the seven groups' state at a glance (the convener of each, the members without mandate
//! or working time, the unmeasurable goal, the plan never quality-assured, Länsstyrelsen's load)
//! and quality-assures a submitted plan with a comment; the police region's convener submits the
//! next half-year's plan; the participation matrix downloads as CSV.

use brygga_store::{ConnExt, args};
use reqwest::StatusCode;

use crate::common::{Backend, TestApp, csrf_in};

const DEMO_PASSWORD: &str = "demo-lösenord-123";

async fn the_demo_programme_is_run_through_its_workflow(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    brygga::demo::seed(app.store(), DEMO_PASSWORD).await.unwrap();
    let (programme, submitted, open) = app
        .store()
        .read(|db| {
            let p: i64 = db.scalar("SELECT id FROM programmes WHERE title = $1", args!["Skåne tillsammans mot brott"])?;
            let submitted: i64 = db.scalar(
                "SELECT MAX(ap.plan_id) FROM activity_plans ap JOIN working_groups g ON g.id = ap.group_id
                 JOIN programme_areas a ON a.id = g.area_id WHERE a.title = $1 AND ap.state = 'submitted'",
                args!["Samverkan för färre återfall i brott"],
            )?;
            let open: i64 = db.scalar(
                "SELECT MAX(ap.plan_id) FROM activity_plans ap JOIN working_groups g ON g.id = ap.group_id
                 JOIN programme_areas a ON a.id = g.area_id WHERE a.title = $1 AND ap.state = 'draft'",
                args!["Utvecklad avhopparverksamhet i Skåne"],
            )?;
            Ok((p, submitted, open))
        })
        .await
        .unwrap();

    // The county coordinator: the seven groups at a glance.
    let web = app.browser();
    assert_eq!(web.login("lansamordnare@lansstyrelsen.example", DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (status, html) = web.get_html(&format!("/program/{programme}")).await;
    assert_eq!(status, StatusCode::OK);
    let doc = scraper::Html::parse_document(&html);
    let rows = scraper::Selector::parse("table.group-state tbody tr").unwrap();
    assert_eq!(doc.select(&rows).count(), 7, "seven working groups");
    for text in ["Kriminalvården region Syd", "Mandat", "Inlämnad", "Fastställd", "Belastning per organisation", "går inte att mäta"] {
        assert!(html.contains(text) || html.to_lowercase().contains(&text.to_lowercase()), "the overview shows {text}");
    }
    let (s, json) = {
        let uid: i64 = app
            .store()
            .read(|db| Ok(db.scalar("SELECT id FROM users WHERE email = $1", args!["lansamordnare@lansstyrelsen.example"])?))
            .await
            .unwrap();
        let org: i64 = app
            .store()
            .read(|db| Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args!["Länsstyrelsen Skåne"])?))
            .await
            .unwrap();
        let token = app.token(uid, org).await;
        app.api(&token).get(&format!("/programmes/{programme}")).await
    };
    assert_eq!(s, StatusCode::OK);
    let lst = json["load"].as_array().unwrap().iter().find(|l| l["org"]["name"] == "Länsstyrelsen Skåne").unwrap();
    assert_eq!((lst["convenes"].as_i64(), lst["staffs"].as_i64()), (Some(3), Some(6)), "the county board's load");
    let groups = json["groups"].as_array().unwrap();
    assert!(
        groups.iter().any(|g| g["goal_problems"].as_array().is_some_and(|p| p.iter().any(|x| x["code"] == "goal.measurable"))),
        "an unmeasurable goal"
    );
    assert!(groups.iter().any(|g| g["current"]["state"] == "submitted"), "a plan never quality-assured");
    assert!(
        groups.iter().all(|g| !g["missing_terms"].as_array().unwrap().is_empty() || g["group"]["members"].as_array().unwrap().len() < 3)
    );

    // Quality-assure the submitted plan with a comment.
    let page = format!("/program/aktivitetsplaner/{submitted}");
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kvalitetssäkra och godkänn"));
    let r = web
        .submit(&page, &format!("{page}/steg"), &[("step", "quality_assure"), ("comment", "Godkänd. Följ upp seminarierna i nästa plan.")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&page).await;
    assert!(html.contains("Godkänd. Följ upp seminarierna i nästa plan.") && html.contains("Kvalitetssäkrad"));
    // Skipping a step from the page: refused with the Swedish message, nothing changed.
    let csrf = csrf_in(&html);
    let r = web.post(&format!("{page}/steg"), &[("csrf", csrf.as_str()), ("step", "adopt")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("hoppas över"));

    // The convener submits the next half-year's plan.
    let web = app.browser();
    assert_eq!(web.login("sammankallande@polisen.example", DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let page = format!("/program/aktivitetsplaner/{open}");
    let (status, html) = web.get_html(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Lämna in planen"));
    let r = web.submit(&page, &format!("{page}/steg"), &[("step", "submit")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let state: String =
        app.store().read(move |db| Ok(db.scalar("SELECT state FROM activity_plans WHERE plan_id = $1", args![open])?)).await.unwrap();
    assert_eq!(state, "submitted");
    // The plan page speaks of an activity plan and shows the contributions.
    let (_, html) = web.get_html(&format!("/atgardsplaner/{open}")).await;
    assert!(html.contains("Aktivitetsplan för halvåret") && html.contains("Medlemmarnas bidrag"));

    // Participation in Skåne: the matrix and its CSV.
    let (status, html) = web.get_html("/program/deltagande/12").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kompetenscentrum mot våld i nära relationer") && html.contains("inte deltar i något"));
    let r = web.get("/program/deltagande/12.csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("Trelleborg") && body.contains("Pilotkommun"));
}

crate::both_backends!(the_demo_programme_is_run_through_its_workflow);
