//! The picture's sources: reports checked field by field, sharing, retries and bulk reports.

use super::*;

mod reminders;
pub use reminders::*;
mod picture_snapshot;
pub use picture_snapshot::*;

pub async fn reports_are_checked_field_by_field(store: &Store) {
    let w = est(store).await;
    let bad = ObservationInput {
        forum_id: w.forum,
        category: "Mopeder".into(),
        lat: Some(55.60),
        lon: Some(12.99),
        observed_at: Some("2026-12-24T18:00".into()), // after "now" (2026-11-25)
        quantity: Some(0),
        note: Some("Ring 070-123 45 67 eller 19811218-9876".into()),
        visibility: Some("public".into()),
        ..Default::default()
    };
    let e = report(store, w.reporter, bad).await.unwrap_err();
    let codes = field_codes(&e);
    let want = [
        ("category", "category.unknown"),
        ("lat", "position.outside_municipality"),
        ("observed_at", "time.future"),
        ("quantity", "quantity.range"),
        ("note", "note.personal_data"),
        ("visibility", "visibility.public"),
    ];
    assert_eq!(codes, want.iter().map(|(f, c)| (f.to_string(), *c)).collect::<Vec<_>>());
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("note").unwrap().message.contains("personnummer"));
    assert!(errs.get("note").unwrap().message.contains("telefonnummer"));

    // A reader may not report; a non-member may not report in the forum.
    let ok = ObservationInput { forum_id: w.forum, category: "klotter".into(), area_id: Some(w.stortorget), ..Default::default() };
    let e = report(store, w.reader, ok.clone()).await.unwrap_err();
    assert_eq!(field_codes(&e), [("org_id".to_owned(), "role.reader")]);
    let e = report(store, w.outsider, ok.clone()).await.unwrap_err();
    assert_eq!(field_codes(&e), [("forum_id".to_owned(), "forum.not_member")]);

    // A good report lands in the Swedish ISO week of its local time.
    let late_sunday = ObservationInput {
        observed_at: Some("2026-11-22T23:30".into()),
        quantity: Some(14),
        note: Some("Nytt klotter på Stortorget, 14 taggar.".into()),
        ..ok
    };
    let c = report(store, w.reporter, late_sunday).await.unwrap();
    assert_eq!(c.observation.week, "2026-W47");
    assert_eq!(c.observation.category_name, "Klotter");
    assert_eq!(c.observation.area_name.as_deref(), Some("Stortorget"));
    assert_eq!(c.observation.visibility, Visibility::Forum { forum_id: w.forum });
}

pub async fn associations_share_nothing_unless_they_choose(store: &Store) {
    let w = est(store).await;
    let base = ObservationInput {
        forum_id: w.forum,
        category: "ungdomar som samlas".into(),
        area_id: Some(w.stortorget),
        quantity: Some(8),
        ..Default::default()
    };
    let private = report(store, w.association, base.clone()).await.unwrap().observation;
    assert_eq!(private.visibility, Visibility::Organisation, "associations keep reports to themselves by default");
    let shared =
        report(store, w.association, ObservationInput { visibility: Some("forum".into()), ..base.clone() }).await.unwrap().observation;
    let kommunens = report(store, w.reporter, ObservationInput { category: "klotter".into(), ..base.clone() }).await.unwrap().observation;

    async fn ids(store: &Store, user: i64, scope: Scope) -> Result<Vec<i64>, StoreError> {
        let v = viewer(store, user).await;
        store
            .read(move |db| observations::list(db, &v, &observations::Filter { scope: Some(scope), ..Default::default() }))
            .await
            .map(|p| p.items.iter().map(|o| o.id).collect())
    }
    let joint = Scope::Joint { forum_id: w.forum };
    assert_eq!(ids(store, w.coordinator, joint).await.unwrap(), [kommunens.id, shared.id], "the joint picture holds what was shared");
    assert_eq!(ids(store, w.association, Scope::Own { org_id: w.forening }).await.unwrap(), [shared.id, private.id]);
    let e = ids(store, w.coordinator, Scope::Own { org_id: w.forening }).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let e = ids(store, w.outsider, joint).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "an outsider sees no single reports");
    let (v, id) = (viewer(store, w.coordinator).await, private.id);
    let e = store.read(move |db| observations::get(db, &v, id)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }));
    // Outside the forum only the municipality-wide aggregate, with small counts suppressed.
    let v = viewer(store, w.outsider).await;
    assert!(matches!(brygga_store::kernel::sharing::aggregate_threshold(&v, &joint, 3), Err(StoreError::Forbidden)));
    assert_eq!(brygga_store::kernel::sharing::aggregate_threshold(&v, &Scope::Shared, 3).unwrap(), Some(3));
    let v = viewer(store, w.tenant_member).await;
    assert_eq!(brygga_store::kernel::sharing::aggregate_threshold(&v, &joint, 3).unwrap(), None);
}

pub async fn retried_reports_are_stored_once(store: &Store) {
    let w = est(store).await;
    let input = ObservationInput { forum_id: w.forum, category: "skadegörelse".into(), area_id: Some(w.stortorget), ..Default::default() };
    let mut first = None;
    for _ in 0..3 {
        let (v, i) = (viewer(store, w.reporter).await, input.clone());
        let c = store
            .write(move |db| {
                let valid = observations::prepare(db, &v, &i, now())?;
                observations::create(db, &v, &valid, "api", Some("klient-42"))
            })
            .await
            .unwrap();
        match first {
            None => {
                assert!(!c.replayed);
                first = Some(c.observation.id);
            }
            Some(id) => {
                assert!(c.replayed);
                assert_eq!(c.observation.id, id);
            }
        }
    }
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM observations", &[])?)).await.unwrap();
    assert_eq!(n, 1);
}

pub async fn bulk_reports_commit_together(store: &Store) {
    let w = est(store).await;
    let v = viewer(store, w.tenant_member).await;
    let (f, area) = (w.forum, w.stortorget);
    let n = store
        .write(move |db| {
            let mut rows = Vec::new();
            for i in 0..500 {
                let input = ObservationInput {
                    forum_id: f,
                    category: if i % 2 == 0 { "klotter" } else { "nedskräpning" }.into(),
                    area_id: Some(area),
                    observed_at: Some(format!("2026-11-{:02}T10:00", 1 + i % 19)),
                    ..Default::default()
                };
                rows.push(observations::prepare(db, &v, &input, now())?);
            }
            observations::create_many(db, &v, &rows, "import", None)
        })
        .await
        .unwrap();
    assert_eq!(n, 500);
    let (count, weeks): (i64, i64) = store
        .read(|db| {
            Ok(db.map_one("SELECT COUNT(*) AS n, COUNT(DISTINCT week) AS weeks FROM observations WHERE source = 'import'", &[], |r| {
                Ok((r.get("n")?, r.get("weeks")?))
            })?)
        })
        .await
        .unwrap();
    // 1–19 November 2026: Sunday the 1st is in week 44, then weeks 45, 46 and 47.
    assert_eq!((count, weeks), (500, 4));
}
