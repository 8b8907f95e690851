//! Forums: convener, members and the checklist.

use super::*;

pub async fn forums_need_the_convener_and_real_members(store: &Store) {
    let a = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let b = org(store, "Polisen LPO Hässleholm", OrgKind::Police, &["1293"]).await;
    let coordinator = user(store, "samordnare@hassleholm.se", a, Role::Coordinator).await;
    let outsider = user(store, "polis@polisen.se", b, Role::Member).await;

    let input = ForumInput {
        name: "SSPF Hässleholm".into(),
        convener_org_id: a,
        member_org_ids: vec![b, 999_999],
        contact_user_ids: vec![coordinator],
        municipality_code: Some("1293".into()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let v = viewer(store, coordinator).await;
    let e = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap_err();
    assert_eq!(field_codes(&e), [("member_org_ids".to_owned(), "organisation.unknown")]);

    // A member of the police cannot create a forum convened by the municipality.
    let input = ForumInput { name: "SSPF Hässleholm".into(), convener_org_id: a, member_org_ids: vec![b], ..Default::default() }
        .validate()
        .unwrap();
    let v = viewer(store, outsider).await;
    let i2 = input.clone();
    let e = store.write(move |db| forum::create(db, &v, &i2, &postmark())).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");

    let v = viewer(store, coordinator).await;
    let forum = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap();
    // The police are invited, not members, until one of theirs accepts.
    assert_eq!(forum.members.iter().map(|m| m.id).collect::<Vec<_>>(), [a]);
    assert_eq!(forum.invited.iter().map(|m| m.id).collect::<Vec<_>>(), [b]);
    assert_eq!(forum.convener.id, a);

    // The convener cannot leave; contact persons must belong to a member organisation.
    let v = viewer(store, coordinator).await;
    let fid = forum.id;
    let e = store.write(move |db| forum::leave(db, &v, fid, a)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("org_id".to_owned(), "forum.convener_leaves")]);
    let lone = org(store, "Ensam förening", OrgKind::CivilSociety, &["1293"]).await;
    let stranger = user(store, "x@ensam.se", lone, Role::Member).await;
    let bad = ForumInput {
        name: "SSPF Hässleholm".into(),
        convener_org_id: a,
        member_org_ids: vec![b],
        contact_user_ids: vec![stranger],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let v = viewer(store, coordinator).await;
    let e = store.write(move |db| forum::update(db, &v, fid, 1, &bad, &postmark())).await.unwrap_err();
    assert_eq!(field_codes(&e), [("contact_user_ids".to_owned(), "forum.contact_not_member")]);
}

pub async fn forums_get_the_default_checklist(store: &Store) {
    let w = est(store).await;
    let (f, v) = (w.forum, viewer(store, w.reporter).await);
    let list = store.read(move |db| categories::list(db, &v, f, false)).await.unwrap();
    let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), brygga_domain::est::DEFAULT_CATEGORIES.len());
    assert_eq!(names[..2], ["Skadegörelse", "Klotter"]);
    // Coordinators of the convener edit it; others may not.
    let input = categories::CategoryInput { name: "Mopedåkning".into(), intensity_max: Some(3), active: true, ..Default::default() }
        .validate()
        .unwrap();
    let (i2, v) = (input.clone(), viewer(store, w.tenant_member).await);
    let e = store.write(move |db| categories::create(db, &v, f, &i2)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let v = viewer(store, w.coordinator).await;
    let c = store.write(move |db| categories::create(db, &v, f, &input)).await.unwrap();
    // The code is generated, never derived from the (free-text) name.
    let want = format!("kategori_{}", brygga_domain::est::DEFAULT_CATEGORIES.len() + 1);
    assert_eq!((c.code.as_str(), c.intensity_max), (want.as_str(), Some(3)));
    let bad =
        categories::CategoryInput { name: "x".into(), intensity_max: Some(99), active: true, ..Default::default() }.validate().unwrap_err();
    assert_eq!(bad.0[0].code, "intensity_max.range");
}
