//! `brygga generate plan` (the plan benchmark's data, scripts/bench-plans): the rows it writes,
//! on both backends, and that bad arguments write nothing.

use brygga_domain::OrgKind;
use brygga_store::ConnExt;
use serde_json::Value;

use crate::common::{Backend, TestApp};

async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_brygga"))
        .arg("--database-url")
        .arg(app.db.url())
        .args(args)
        .env_remove("BRYGGA_DATABASE_URL")
        .output()
        .await
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn count(app: &TestApp, sql: &str, plan: i64) -> i64 {
    let sql = sql.to_owned();
    app.store().read(move |db| Ok(db.scalar::<i64>(&sql, &[plan.into()])?)).await.unwrap()
}

async fn the_generator_writes_one_adopted_plan_of_the_asked_size(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let owner = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.org("Polisen Trelleborg", OrgKind::Police, &["1287"]).await;
    app.org("Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    app.org("Malmö stad", OrgKind::Municipality, &["1280"]).await;

    let (ok, out, err) = cli(&app, &["generate", "plan", "--municipality", "1287", "--org", "Trelleborgs kommun"]).await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    let plan = done["plan_id"].as_i64().unwrap();
    assert_eq!((done["goals"].as_i64(), done["effect_goals"].as_i64(), done["result_goals"].as_i64()), (Some(50), Some(5), Some(15)));
    assert_eq!((done["process_goals"].as_i64(), done["indicators"].as_i64(), done["measures"].as_i64()), (Some(30), Some(100), Some(200)));
    assert_eq!(done["indicator_values"], 6000);
    assert_eq!(done["parties"], 3, "the owner and the two other organisations in Trelleborg, not Malmö's");

    let one = |sql: &'static str| count(&app, sql, plan);
    assert_eq!(
        one("SELECT COUNT(*) FROM action_plans WHERE id = $1 AND status = 'adopted' AND lineage_id = id AND version_no = 1").await,
        1
    );
    assert_eq!(count(&app, "SELECT owner_org_id FROM action_plans WHERE id = $1", plan).await, owner);
    assert_eq!(one("SELECT COUNT(*) FROM plan_parties WHERE plan_id = $1").await, 3);
    assert_eq!(one("SELECT COUNT(*) FROM plan_goals WHERE plan_id = $1 AND kind = 'effect' AND parent_id IS NULL").await, 5);
    assert_eq!(
        one("SELECT COUNT(*) FROM plan_goals g JOIN plan_goals p ON p.id = g.parent_id WHERE g.plan_id = $1 AND g.kind = 'result' AND p.kind = 'effect' AND g.level IS NOT NULL").await,
        15,
        "every result goal under an effect goal, with its level"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM plan_goals g JOIN plan_goals p ON p.id = g.parent_id WHERE g.plan_id = $1 AND g.kind = 'process' AND p.kind = 'result'").await,
        30
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM plan_indicators i JOIN plan_goals g ON g.id = i.goal_id WHERE i.plan_id = $1 AND g.kind = 'result' AND i.baseline_value IS NOT NULL AND i.target_value IS NOT NULL AND i.baseline_on < i.target_on").await,
        100
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM indicator_values v JOIN plan_indicators i ON i.id = v.indicator_id WHERE i.plan_id = $1").await,
        6000
    );
    assert_eq!(
        one("SELECT MIN(n) FROM (SELECT COUNT(DISTINCT v.period) AS n FROM indicator_values v JOIN plan_indicators i ON i.id = v.indicator_id WHERE i.plan_id = $1 GROUP BY i.id) t").await,
        60,
        "sixty months for every indicator"
    );
    let this_month = brygga_domain::time::today().first_of_month().to_string();
    let latest: String = app
        .store()
        .read(move |db| {
            Ok(db.scalar(
                "SELECT MAX(v.period) FROM indicator_values v JOIN plan_indicators i ON i.id = v.indicator_id WHERE i.plan_id = $1",
                &[plan.into()],
            )?)
        })
        .await
        .unwrap();
    assert_eq!(latest, this_month);
    assert_eq!(one("SELECT COUNT(*) FROM plan_measures WHERE plan_id = $1").await, 200);
    assert_eq!(
        one("SELECT COUNT(*) FROM plan_measures m WHERE m.plan_id = $1 AND m.responsible_org_id NOT IN (SELECT org_id FROM plan_parties WHERE plan_id = $1)").await,
        0,
        "every responsible organisation is a party"
    );
    assert_eq!(one("SELECT COUNT(DISTINCT status) FROM plan_measures WHERE plan_id = $1").await, 5, "every status occurs");
    assert_eq!(
        one("SELECT COUNT(*) FROM measure_goals mg JOIN plan_measures m ON m.id = mg.measure_id WHERE m.plan_id = $1").await,
        done["measure_goals"].as_i64().unwrap()
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM plan_measures m WHERE m.plan_id = $1 AND NOT EXISTS (SELECT 1 FROM measure_goals mg WHERE mg.measure_id = m.id)").await,
        20,
        "every tenth measure is not yet linked to a goal (the evaluation has failing cases)"
    );
    assert_eq!(
        one("SELECT COUNT(*) FROM measure_partners mp JOIN plan_measures m ON m.id = mp.measure_id WHERE m.plan_id = $1").await,
        done["measure_partners"].as_i64().unwrap()
    );
    assert!(done["measure_causes"].as_i64().unwrap() > 150);
    assert_eq!(one("SELECT COUNT(*) FROM plan_deviations d JOIN plan_measures m ON m.id = d.measure_id WHERE d.plan_id = $1 AND m.status = 'delayed'").await, 20);
    assert_eq!(
        one("SELECT COUNT(*) FROM situations s JOIN action_plans p ON p.situation_id = s.id WHERE p.id = $1 AND s.status = 'adopted'")
            .await,
        1
    );
}

async fn bad_arguments_write_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let (ok, _, err) = cli(&app, &["generate", "plan", "--municipality", "1287", "--org", "Ingen sådan organisation"]).await;
    assert!(!ok && err.contains("hittar ingen organisation"), "{err}");
    let (ok, _, err) = cli(&app, &["generate", "plan", "--municipality", "9999", "--org", "Trelleborgs kommun"]).await;
    assert!(!ok && err.contains("okänd kommunkod"), "{err}");
    let (ok, _, err) = cli(&app, &["generate", "plan", "--municipality", "1287", "--org", "Trelleborgs kommun", "--goals", "2"]).await;
    assert!(!ok && err.contains("--goals"), "{err}");
    let plans: i64 = app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM action_plans", &[])?)).await.unwrap();
    let goals: i64 = app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM plan_goals", &[])?)).await.unwrap();
    assert_eq!((plans, goals), (0, 0));

    // A small plan: the proportions hold at any size.
    let (ok, out, err) = cli(
        &app,
        &[
            "generate",
            "plan",
            "--municipality",
            "1287",
            "--org",
            "Trelleborgs kommun",
            "--goals",
            "10",
            "--measures",
            "9",
            "--indicators",
            "4",
            "--years",
            "1",
            "--deviations",
            "2",
        ],
    )
    .await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((done["effect_goals"].as_i64(), done["result_goals"].as_i64(), done["process_goals"].as_i64()), (Some(1), Some(3), Some(6)));
    assert_eq!(done["indicator_values"], 48);
    assert_eq!(done["parties"], 1);
}

crate::both_backends!(the_generator_writes_one_adopted_plan_of_the_asked_size, bad_arguments_write_nothing);
