//! Issue 12, item 3: one use-case layer. A report and an alert refuse the same place with the
//! same field error; list filters and inputs are checked by the store, so every door refuses
//! the same things.

use brygga_store::accounts::users;
use brygga_store::forum_work::alerts::AlertInput;
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store::picture::observations::ObservationInput;
use brygga_store::{ConnExt, Store, StoreError};

use super::{est, raise, report, viewer};

/// The `lat` error a report and an alert at the same position get, as (code, message).
async fn place_errors(store: &Store, w: &super::Est, lat: f64, lon: f64) -> [(&'static str, String); 2] {
    let obs = ObservationInput { forum_id: w.forum, category: "klotter".into(), lat: Some(lat), lon: Some(lon), ..Default::default() };
    let alert =
        AlertInput { title: "Bråk vid torget".into(), urgency: "today".into(), lat: Some(lat), lon: Some(lon), ..Default::default() };
    let r = report(store, w.reporter, obs).await.map(|_| ()).unwrap_err();
    let a = raise(store, w.reporter, w.forum, alert, None).await.map(|_| ()).unwrap_err();
    [lat_error(&r), lat_error(&a)]
}

fn lat_error(e: &StoreError) -> (&'static str, String) {
    let StoreError::Invalid(errs) = e else { panic!("expected field errors, got {e:?}") };
    let lat = errs.get("lat").unwrap_or_else(|| panic!("no error on lat: {errs:?}"));
    (lat.code, lat.message.clone())
}

/// Swapped latitude and longitude, a position abroad and one in another municipality: a report
/// and an alert in the Trelleborg forum answer each with the same code and the same words.
pub async fn usecases_reports_and_alerts_check_a_place_alike(store: &Store) {
    let w = est(store).await;
    let [r, a] = place_errors(store, &w, 13.1566, 55.3751).await;
    assert_eq!(a, r);
    assert_eq!(a.0, "position.outside_sweden");
    assert!(a.1.contains("bytt plats"), "{a:?}");
    let [r, a] = place_errors(store, &w, 48.8566, 2.3522).await;
    assert_eq!((a.0, r.0), ("position.outside_sweden", "position.outside_sweden"));
    assert_eq!(a, r);
    let [r, a] = place_errors(store, &w, 59.3326, 18.0649).await;
    assert_eq!(a.0, "position.outside_municipality");
    assert!(a.1.contains("Trelleborg"), "{a:?}");
    assert_eq!(a, r);
}

/// A forum's municipality may be given by name or by code, through any door: the store reads
/// it once ("Trelleborg" and "1287" are the same forum place; "Atlantis" is refused on the field).
pub async fn usecases_a_forum_municipality_is_a_name_or_a_code(store: &Store) {
    let w = est(store).await;
    let input = |m: &str| ForumInput {
        name: format!("Trygghet {m}"),
        municipality_code: Some(m.into()),
        convener_org_id: w.kommun,
        ..Default::default()
    };
    for given in ["Trelleborg", "Trelleborgs kommun", "1287"] {
        let (v, valid) = (viewer(store, w.coordinator).await, input(given).validate().unwrap());
        let f = store.write(move |db| forum::create(db, &v, &valid, &super::postmark())).await.unwrap();
        assert_eq!(f.municipality_code.as_deref(), Some("1287"), "{given}");
    }
    let errs = input("Atlantis").validate().unwrap_err();
    assert_eq!(errs.0.iter().map(|e| (e.field.as_str(), e.code)).collect::<Vec<_>>(), [("municipality_code", "municipality.unknown")]);
    assert!(errs.0[0].message.contains("Atlantis"));
}

/// The GDPR export is one command: reading the data writes its audit entry, whichever door asks.
pub async fn usecases_the_gdpr_export_writes_its_audit_entry(store: &Store) {
    let w = est(store).await;
    let v = viewer(store, w.reporter).await;
    let exports = || async {
        let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'user.export'", &[])?)).await.unwrap();
        n
    };
    assert_eq!(exports().await, 0);
    let data = store.write(move |db| users::export_personal_data(db, &v)).await.unwrap();
    assert_eq!(data.user.id, w.reporter);
    assert_eq!(exports().await, 1);
}
