//! `brygga generate programme` (the steering benchmark's data, scripts/bench-steering): the rows
//! it writes on both backends, read back through the steering report as the benchmark reads it,
//! and that an unknown owner writes nothing.

use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use reqwest::StatusCode;
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

async fn the_generator_writes_a_programme_the_steering_report_reads(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let owner = app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &[]).await;
    app.org("Polisregion Syd", OrgKind::Police, &["1287"]).await;
    app.org("Region Skåne", OrgKind::Region, &["1287"]).await;
    app.org("Skånes Kommuner", OrgKind::Other, &["1287"]).await;

    let (ok, _, err) = cli(&app, &["generate", "programme", "--org", "Ingen sådan"]).await;
    assert!(!ok && err.contains("hittar ingen organisation"), "{err}");
    assert_eq!(app.store().read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM programmes", &[])?)).await.unwrap(), 0);

    let (ok, out, err) = cli(&app, &["generate", "programme", "--org", "Länsstyrelsen Skåne"]).await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((done["groups"].as_i64(), done["plans"].as_i64(), done["activities"].as_i64()), (Some(10), Some(40), Some(400)));
    assert_eq!((done["meetings"].as_i64(), done["decisions"].as_i64(), done["deliverables"].as_i64()), (Some(8), Some(40), Some(20)));
    let programme = done["programme_id"].as_i64().unwrap();
    let hy = done["half_years"][3].as_str().unwrap().to_owned();

    let user = app.user("samordnare@lansstyrelsen.example", owner, Role::Coordinator).await;
    let api = app.api(&app.token(user, owner).await);
    let (s, r) = api.get(&format!("/programmes/{programme}/steering-report?half_year={hy}")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["totals"]["groups"].as_i64(), r["totals"]["activities"].as_i64()), (Some(10), Some(100)));
    assert_eq!(r["totals"]["undistributed"], 4);
    assert_eq!(r["groups"][0]["plan"]["state"], "quality_assured");
    assert_eq!((r["load"][0]["name"].as_str(), r["load"][0]["convenes"].as_i64()), (Some("Länsstyrelsen Skåne"), Some(6)));
    assert!(r["totals"]["goals_off_track"].as_i64().unwrap() >= 2, "the unmeasurable goals: {}", r["totals"]);
}

crate::both_backends!(the_generator_writes_a_programme_the_steering_report_reads);
