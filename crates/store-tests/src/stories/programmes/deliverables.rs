//! Deliverables and their reach (issue 14): a product delivered and never distributed is
//! flagged until its spread is logged; dates in order; a distribution names its recipient.

use brygga_domain::FieldErrors;
use brygga_domain::time::today;
use brygga_store::programmes::deliverables::{self, DeliverableInput, DistributionInput, Reach};

use super::super::*;
use super::steering::{create_deliverable, steering_world};

pub async fn deliverables_delivered_but_not_distributed_are_flagged_until_spread(store: &Store) {
    let w = steering_world(store).await;
    let t = today();
    let day = |n: i64| t.checked_sub(jiff::Span::new().days(n)).unwrap().to_string();

    // Dates out of order, in the future, an unknown kind, an unknown group: every field named.
    let e = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput {
            kind: "poster".into(),
            title: "".into(),
            ordered_on: Some(day(10)),
            delivered_on: Some(day(20)),
            approved_on: Some(day(30)),
            group_id: Some(999_999),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        field_codes(&e),
        [
            ("kind".to_owned(), "kind.unknown"),
            ("title".to_owned(), "required"),
            ("delivered_on".to_owned(), "deliverable.delivered_before_ordered"),
            ("approved_on".to_owned(), "deliverable.approved_before_delivered"),
            ("group_id".to_owned(), "steering.group_unknown"),
        ]
    );
    let ahead = t.checked_add(jiff::Span::new().days(3)).unwrap().to_string();
    let e = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput { kind: "leaflet".into(), title: "x".into(), delivered_on: Some(ahead), approved_on: None, ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("delivered_on".to_owned(), "date.future")]);
    let e = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput { kind: "leaflet".into(), title: "x".into(), approved_on: Some(day(1)), ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("approved_on".to_owned(), "deliverable.approved_undelivered")]);

    // Ordered, not yet delivered: not flagged, and nothing can be spread.
    let ordered = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput {
            kind: "training".into(),
            title: "Utbildning för sammankallande".into(),
            supplier: Some("Brå".into()),
            ordered_on: Some(day(40)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!ordered.undistributed);
    let distribute = |id: i64, input: DistributionInput| async move {
        let v = viewer(store, w.county).await;
        store.write(move |db| deliverables::distribute(db, &v, id, &input, FieldErrors::new())).await
    };
    let e = distribute(
        ordered.id,
        DistributionInput { recipient: Some("Kommunerna".into()), sent_on: day(1), channel: "email".into(), ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("sent_on".to_owned(), "deliverable.not_delivered")]);

    // The toolbox, delivered with the working group's name: flagged.
    let toolbox = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput {
            kind: "toolbox".into(),
            title: "Verktygslåda för trygghetsvandringar".into(),
            supplier: Some("Konsultbyrån AB".into()),
            group_id: Some(w.safety_group),
            ordered_on: Some(day(60)),
            delivered_on: Some(day(30)),
            approved_on: Some(day(25)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(toolbox.undistributed);
    assert_eq!((toolbox.kind_label.as_str(), toolbox.group_name.as_deref()), ("Verktygslåda", Some("Trygghet i offentlig miljö")));
    assert_eq!(toolbox.reach, Reach::default());

    // A distribution needs a recipient, a date not before delivery, counts that add up.
    let e = distribute(
        toolbox.id,
        DistributionInput {
            sent_on: day(31),
            channel: "fax".into(),
            sent_count: Some(10),
            opened_count: Some(12),
            downloaded_count: Some(-1),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        field_codes(&e),
        [
            ("recipient".to_owned(), "deliverable.recipient_required"),
            ("channel".to_owned(), "channel.unknown"),
            ("sent_on".to_owned(), "deliverable.sent_before_delivered"),
            ("downloaded_count".to_owned(), "number.negative"),
            ("opened_count".to_owned(), "deliverable.opened_over_sent"),
        ]
    );
    assert!(store.read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM deliverable_distributions", &[])?)).await.unwrap() == 0);

    // Spread by e-mail to the municipality (its name stands in for the recipient) and on the web.
    let first = distribute(
        toolbox.id,
        DistributionInput {
            recipient_org_id: Some(w.kommun),
            sent_on: day(20),
            channel: "email".into(),
            sent_count: Some(33),
            opened_count: Some(21),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((first.recipient.as_str(), first.channel_label.as_str()), ("Hässleholms kommun", "E-post"));
    distribute(
        toolbox.id,
        DistributionInput {
            recipient: Some("Länsstyrelsens webbplats".into()),
            sent_on: day(15),
            channel: "web".into(),
            downloaded_count: Some(140),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let v = viewer(store, w.police).await;
    let tid = toolbox.id;
    let now = store.read(move |db| deliverables::get(db, &v, tid)).await.unwrap();
    assert!(!now.undistributed);
    assert_eq!(now.reach, Reach { distributions: 2, organisations: 1, sent: 33, opened: 21, downloaded: 140 });

    // Once spread, the delivery date stays, and not after the first distribution.
    let update = |input: DeliverableInput| async move {
        let v = viewer(store, w.county).await;
        store.write(move |db| deliverables::update(db, &v, tid, &input, FieldErrors::new())).await
    };
    let base = DeliverableInput { kind: "toolbox".into(), title: "Verktygslåda för trygghetsvandringar".into(), ..Default::default() };
    let e = update(base.clone()).await.unwrap_err();
    assert_eq!(field_codes(&e), [("delivered_on".to_owned(), "deliverable.delivery_needed")]);
    let e = update(DeliverableInput { delivered_on: Some(day(16)), ..base.clone() }).await.unwrap_err();
    assert_eq!(field_codes(&e), [("delivered_on".to_owned(), "deliverable.delivered_after_sent")]);
    let e = update(DeliverableInput { delivered_on: Some(day(30)), version: Some(now.version + 5), ..base.clone() }).await.unwrap_err();
    assert!(matches!(e, StoreError::Stale), "{e:?}");
    let renamed =
        update(DeliverableInput { title: "Verktygslådan".into(), delivered_on: Some(day(30)), version: Some(now.version), ..base })
            .await
            .unwrap();
    assert_eq!((renamed.title.as_str(), renamed.version), ("Verktygslådan", now.version + 1));

    // Removing the last distribution flags it again.
    for d in &now.distributions {
        let (v, did) = (viewer(store, w.county).await, d.id);
        store.write(move |db| deliverables::remove_distribution(db, &v, tid, did)).await.unwrap();
    }
    let v = viewer(store, w.county).await;
    let programme = w.programme;
    let list = store.read(move |db| deliverables::for_programme(db, &v, programme)).await.unwrap();
    assert_eq!(
        list.iter().map(|d| (d.title.as_str(), d.undistributed)).collect::<Vec<_>>(),
        [("Verktygslådan", true), ("Utbildning för sammankallande", false)]
    );
}
