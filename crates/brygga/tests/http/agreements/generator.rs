//! `brygga generate agreements` (the county-table benchmark's data, scripts/bench-agreements):
//! every municipality gets a current samverkansöverenskommelse and the county board's snapshots,
//! the whole-country table counts them, and a wrong organisation writes nothing.

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

async fn the_generator_fills_the_whole_country_table(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let county = app.org("Länsstyrelsen (bench)", OrgKind::CountyBoard, &["1287"]).await;
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let before: i64 = app.store().read(|db| Ok(db.scalar("SELECT COUNT(*) FROM agreements", &[])?)).await.unwrap();
    let (ok, _, err) = cli(&app, &["generate", "agreements", "--org", "Trelleborgs kommun"]).await;
    assert!(!ok && err.contains("ingen länsstyrelse"), "{err}");
    assert_eq!(app.store().read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM agreements", &[])?)).await.unwrap(), before);

    let (ok, out, err) = cli(&app, &["generate", "agreements", "--org", "Länsstyrelsen (bench)", "--years", "2"]).await;
    assert!(ok, "{err}");
    let done: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(done["municipalities"], 290);
    assert!(done["snapshots"].as_i64().unwrap() >= 290 * 2, "{done}");
    assert_eq!(done["snapshot_items"].as_i64().unwrap(), done["snapshots"].as_i64().unwrap() * 12);

    let user = app.user("lan@bench.test", county, Role::Coordinator).await;
    let api = app.api(&app.token(user, county).await);
    let (status, t) = api.get("/county-tables/riket").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t["county_name"], "Hela riket");
    assert_eq!(t["totals"]["municipalities"], 290);
    assert_eq!(t["totals"]["cooperation_agreement"], 290);
    assert_eq!(t["totals"]["assessed"], 290);
    // The municipality's own coordinator sees only what it may read: nothing generated.
    let own = app.user("kommun@bench.test", kommun, Role::Coordinator).await;
    let (_, t) = app.api(&app.token(own, kommun).await).get("/county-tables/riket").await;
    assert_eq!(t["totals"]["cooperation_agreement"], 0);
}

crate::both_backends!(the_generator_fills_the_whole_country_table);
