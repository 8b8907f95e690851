// ---- The weekly picture pinned: the JSON of a set of pictures over a demo-like fixture, compared
// byte for byte with a checked-in snapshot (so a refactor of `picture::weekly` is verified, not
// assumed). `UPDATE_SNAPSHOTS=1` rewrites the snapshot; review its diff like code. ----

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::geometry::PlaceGeometry;
use brygga_domain::time::IsoWeek;
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::weekly::{self, PictureQuery, Place};
use brygga_store::places::areas::{self, NewArea};
use brygga_store::{Store, args};
use serde_json::Value;

use crate::stories::{Est, est, tp_input, tp_report, tp_week, viewer};

/// Where the snapshot lives (beside the crate's sources, reviewed in diffs).
fn snapshot_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots").join("weekly_picture.json")
}

/// Five more places around Stortorget, so the hotspot layer has enough neighbours.
async fn ps_places(store: &Store, w: &Est) -> Vec<i64> {
    let mut ids = vec![w.stortorget];
    let spots = [
        ("Hamnen", "harbour", 13.1480, 55.3700),
        ("Stadsparken", "park", 13.1600, 55.3790),
        ("Resecentrum", "station", 13.1530, 55.3735),
        ("Västra torget", "square", 13.1420, 55.3770),
        ("Östra skolan", "school", 13.1700, 55.3760),
    ];
    for (name, kind, lon, lat) in spots {
        let (v, kommun) = (viewer(store, w.coordinator).await, w.kommun);
        let a = NewArea {
            municipality: MunicipalityCode::parse("1287").unwrap(),
            parent_id: None,
            name: name.into(),
            kind: kind.into(),
            geometry: PlaceGeometry::point(lon, lat),
            owner_org_id: kommun,
        };
        ids.push(store.write(move |db| areas::create(db, &v, &a)).await.unwrap().id);
    }
    ids
}

/// 60 weeks of reports from two organisations: a steady background from a fixed pseudo-random
/// sequence, a spike of graffiti at Stortorget in the week under test, a drop in littering, small
/// cells that an outsider sees hidden, and some reports kept to the municipality itself.
async fn ps_reports(store: &Store, w: &Est, places: &[i64]) {
    let mut seed: u64 = 20_261_105;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let mut kommun = Vec::new();
    let mut bostad = Vec::new();
    for weeks_ago in 0..60 {
        for (i, &area) in places.iter().enumerate() {
            let graffiti = 2 + next(4) as i64 + if weeks_ago == 0 && i == 0 { 12 } else { 0 };
            kommun.push(tp_input(w.forum, "graffiti", Some(area), weeks_ago, graffiti));
            if next(3) == 0 {
                bostad.push(tp_input(w.forum, "vandalism", Some(area), weeks_ago, 1 + next(2) as i64));
            }
        }
        let littering = if weeks_ago == 0 { 1 } else { 9 + next(5) as i64 };
        bostad.push(tp_input(w.forum, "littering", None, weeks_ago, littering));
        if weeks_ago % 4 == 0 {
            let mut own = tp_input(w.forum, "broken_lighting", Some(places[2]), weeks_ago, 1 + next(3) as i64);
            own.visibility = Some("organisation".into());
            kommun.push(own);
        }
    }
    tp_report(store, w.reporter, kommun).await;
    tp_report(store, w.tenant_member, bostad).await;
}

/// Police events, reported crimes and safety surveys for the context panels.
async fn ps_context(store: &Store, w: &Est) {
    let (kommun, forum, week) = (w.kommun, w.forum, i64::from(tp_week().key()));
    store
        .write(move |db| {
            for (i, kind) in ["Stöld", "Skadegörelse", "Stöld"].iter().enumerate() {
                db.execute(
                    "INSERT INTO police_events (id, at, week, name, summary, url, event_type, location_name, municipality_code, fetched_at)
                     VALUES ($1, $2, $3, $4, 'Sammanfattning', 'https://polisen.se/', $5, 'Trelleborg', '1287', 0)",
                    args![100 + i as i64, 1_762_000_000_000_i64 + i as i64, week, format!("Händelse {i}"), *kind],
                )?;
            }
            for (year, month, offence, count) in
                [(2026, 10, "Skadegörelse", Some(41.0)), (2025, 10, "Skadegörelse", Some(37.0)), (2026, 10, "Stöld", None::<f64>)]
            {
                db.execute(
                    "INSERT INTO crime_statistics (municipality_code, year, month, offence, crime_count) VALUES ('1287', $1, $2, $3, $4)",
                    args![year as i64, month as i64, offence, count],
                )?;
            }
            for (visibility, forum_id, area, share) in [("public", None, "Centrum", 0.25), ("forum", Some(forum), "Hamnen", 0.4)] {
                db.execute(
                    "INSERT INTO safety_surveys (owner_org_id, visibility, forum_id, municipality_code, area_name, question, year, share_unsafe, respondents, created_at)
                     VALUES ($1, $2, $3, '1287', $4, 'Känner du dig trygg ute på kvällen?', 2026, $5, 120, 0)",
                    args![kommun, visibility, forum_id, area, share],
                )?;
            }
            Ok(())
        })
        .await
        .expect("context stored");
}

/// The pictures to pin: joint, own, shared (suppressed, as an outsider sees it), filtered by
/// category and place, a week before the spike, and an empty week before any report.
fn ps_queries(w: &Est, places: &[i64]) -> Vec<(&'static str, i64, PictureQuery)> {
    let joint = Scope::Joint { forum_id: w.forum };
    let q = |scope, week| PictureQuery::new(scope, "1287", week, 3);
    let mut by_category = q(joint, tp_week());
    by_category.category = Some("graffiti".into());
    let mut by_place = q(joint, tp_week());
    by_place.place = Some(Place::Area(places[0]));
    let mut unplaced = q(Scope::Shared, tp_week());
    unplaced.place = Some(Place::Unplaced);
    vec![
        ("joint", w.coordinator, q(joint, tp_week())),
        ("own", w.coordinator, q(Scope::Own { org_id: w.kommun }, tp_week())),
        ("shared_outsider", w.outsider, q(Scope::Shared, tp_week())),
        ("shared_member", w.tenant_member, q(Scope::Shared, tp_week())),
        ("joint_category", w.coordinator, by_category),
        ("joint_place", w.coordinator, by_place),
        ("shared_unplaced", w.outsider, unplaced),
        ("joint_week_before", w.coordinator, q(joint, tp_week().plus(-1))),
        ("joint_empty", w.coordinator, q(joint, IsoWeek::new(2024, 2).unwrap())),
    ]
}

/// The pictures of the fixture as one JSON document; the current week (the clock's) is masked.
async fn ps_document(store: &Store, w: &Est, places: &[i64]) -> String {
    let mut doc = serde_json::Map::new();
    for (name, user, q) in ps_queries(w, places) {
        let v = viewer(store, user).await;
        let picture = store.read(move |db| weekly::weekly(db, &v, &q)).await.unwrap_or_else(|e| panic!("picture {name}: {e}"));
        let mut json = serde_json::to_value(&picture).unwrap();
        json["current_week"] = Value::String("(current)".into());
        doc.insert(name.to_owned(), json);
    }
    serde_json::to_string_pretty(&Value::Object(doc)).unwrap() + "\n"
}

/// The picture's JSON for a fixed fixture is byte-identical to the checked-in snapshot.
pub async fn weekly_picture_matches_the_snapshot(store: &Store) {
    let w = est(store).await;
    let places = ps_places(store, &w).await;
    ps_reports(store, &w, &places).await;
    ps_context(store, &w).await;
    let got = ps_document(store, &w, &places).await;
    let path = snapshot_path();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("the snapshot (generate it with UPDATE_SNAPSHOTS=1)");
    if got != want {
        let seen = std::env::temp_dir().join(format!("weekly_picture.{:?}.json", store.dialect()));
        std::fs::write(&seen, &got).unwrap();
        panic!("the weekly picture differs from {}: see {}", path.display(), seen.display());
    }
}
