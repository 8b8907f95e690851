//! The demo's lägesbild and åtgärdsplan in Trelleborg (issue 13, item 9): seeded through the
//! store commands on the demo's own data, they show figures with their sources, an adopted plan
//! with computed baselines, measures carried out by the forum's actions, a deviation, and an
//! evaluation with passing and failing checks in each of the three analyses.

use brygga_store::plans::evaluation::{self, Analysis};
use brygga_store::plans::{followup, plan, situation};
use brygga_store::{ConnExt, Via, Viewer, args};
use reqwest::StatusCode;

use crate::common::{Backend, TestApp};

const DEMO_PASSWORD: &str = "demo-lösenord-123";

async fn the_demo_holds_trelleborgs_lagesbild_and_atgardsplan(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    brygga::demo::seed(app.store(), DEMO_PASSWORD).await.unwrap();
    let (situations, doc, checks, deviations) = app
        .store()
        .read(|db| {
            let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args!["samordnare@trelleborg.example"])?;
            let v = Viewer::for_user(db, id, Via::Web)?;
            let situations = situation::list(db, &v, Some("1287"))?;
            let plans = plan::list(db, &v, Some("1287"))?;
            assert_eq!(plans.len(), 1, "one plan in the demo");
            let doc = plan::load(db, &v, plans[0].id)?;
            let checks = evaluation::evaluate(db, &v, plans[0].id)?;
            let deviations = followup::deviations(db, &v, plans[0].id)?;
            Ok((situations, doc, checks, deviations))
        })
        .await
        .unwrap();

    // The lägesbild: version 1 adopted, version 2 a draft.
    let mut statuses: Vec<(i64, String)> = situations.iter().map(|s| (s.version_no, s.status.clone())).collect();
    statuses.sort();
    assert_eq!(statuses, vec![(1, "adopted".to_owned()), (2, "draft".to_owned())]);
    let draft = situations.iter().find(|s| s.status == "draft").unwrap();
    let web = app.browser();
    assert_eq!(web.login("samordnare@trelleborg.example", DEMO_PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (status, html) = web.get_html(&format!("/lagesbilder/{}", draft.id)).await;
    assert_eq!(status, StatusCode::OK);
    for text in ["Klotter och skadegörelse i centrum", "Skadegörelse genom klotter", "Källa", "Skolenkät åk 9", "Stortorget"] {
        assert!(html.contains(text), "the lägesbild shows {text}");
    }
    let figures = app
        .store()
        .read({
            let id = draft.id;
            move |db| {
                let uid: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args!["samordnare@trelleborg.example"])?;
                let v = Viewer::for_user(db, uid, Via::Web)?;
                situation::load(db, &v, id)
            }
        })
        .await
        .unwrap();
    assert!(figures.figures.crime.rows.iter().any(|r| r.offence == "Skadegörelse genom klotter" && r.count.is_some()));
    assert!(!figures.figures.crime.provenance.source.is_empty());
    assert!(figures.figures.est.categories.iter().any(|c| c.count.unwrap_or(0) > 0), "EST figures from the demo's reports");
    assert!(!figures.figures.surveys.rows.is_empty());
    let problem = figures.problems.iter().find(|p| p.title == "Klotter och skadegörelse i centrum").unwrap();
    assert_eq!(problem.evidence.len(), 5);
    assert_eq!(problem.causes.len(), 3);
    assert!(figures.problems.iter().any(|p| p.causes.is_empty()), "a problem without causes");
    assert!(figures.warnings.iter().any(|w| w.code.contains("cause")), "{:?}", figures.warnings);

    // The plan: adopted, resting on the adopted lägesbild, with the decision recorded.
    let p = &doc.plan;
    assert_eq!(p.status, "adopted");
    assert_eq!(p.decided_by.as_deref(), Some("Kommunstyrelsen"));
    assert!(p.decision_ref.as_deref().is_some_and(|r| r.ends_with("/123")));
    assert_eq!(p.situation.as_ref().map(|s| s.status.as_str()), Some("adopted"));
    assert_eq!(doc.goals.len(), 4);
    let computed: Vec<_> = doc.indicators.iter().filter(|i| i.baseline_computed && i.baseline_value.is_some()).collect();
    assert_eq!(computed.len(), 2, "two computed baselines");
    let sources: Vec<&str> = computed.iter().map(|i| i.source.as_str()).collect();
    assert!(sources.contains(&"observations") && sources.contains(&"crime_statistics"), "{sources:?}");
    assert!(computed.iter().all(|i| i.target_value.is_some() && i.target_value <= i.baseline_value));
    assert_eq!(doc.measures.len(), 3);
    assert!(doc.measures.iter().all(|m| !m.actions.is_empty()), "every measure carried out by an action");
    assert_eq!(doc.measures.iter().filter(|m| m.status == "delayed").count(), 1);
    assert_eq!(deviations.len(), 1);
    assert!(deviations[0].measure_id.is_some() && deviations[0].correction.is_some());

    // Passing and failing checks in each analysis.
    for a in Analysis::ALL {
        let passed = checks.iter().filter(|c| c.analysis == a && c.passed).count();
        let failed = checks.iter().filter(|c| c.analysis == a && !c.passed).count();
        assert!(passed > 0 && failed > 0, "{}: {passed} passed, {failed} failed", a.label());
    }
    for code in ["goal.measurable", "measure.cause", "measure.basis", "measure.on_plan", "goal.measure"] {
        assert!(checks.iter().any(|c| c.code == code && !c.passed), "{code} fails somewhere");
    }
    assert!(checks.iter().any(|c| c.code == "measure.deviation" && c.passed), "the deviation is documented");

    // The follow-up values were refreshed from the data.
    let values: i64 = app
        .store()
        .read({
            let id = p.id;
            move |db| {
                Ok(db.scalar(
                    "SELECT COUNT(*) FROM indicator_values v JOIN plan_indicators i ON i.id = v.indicator_id WHERE i.plan_id = $1",
                    args![id],
                )?)
            }
        })
        .await
        .unwrap();
    assert!(values > 0, "values computed from the data");
    let (status, html) = web.get_html(&format!("/atgardsplaner/{}", p.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Färre skadegörelsebrott och ökad trygghet i centrum"));
    // The follow-up page lists the same checks, passing and failing, and the deviation.
    let (status, html) = web.get_html(&format!("/atgardsplaner/{}/uppfoljning", p.id)).await;
    assert_eq!(status, StatusCode::OK);
    let shown = |class: &str| html.matches(&format!("<li class=\"{class}\">")).count();
    assert_eq!(shown("passed"), checks.iter().filter(|c| c.passed).count());
    assert_eq!(shown("failed"), checks.iter().filter(|c| !c.passed).count());
    assert!(html.contains(&deviations[0].what));
}

crate::both_backends!(the_demo_holds_trelleborgs_lagesbild_and_atgardsplan);
