//! Networks and reference groups: bad input at the field with nothing written; read by the
//! sharing rule and by member organisations; the persons among the members seen only by the
//! owner's and the member organisations' users; written by the owner's users only; a person's
//! data exported and erased by address.

use brygga_store::actors::networks::{self, MemberInput, Network, NetworkInput};

use super::*;

async fn get(store: &Store, user: Option<i64>, id: i64) -> Result<Network, StoreError> {
    let v = match user {
        Some(u) => viewer(store, u).await,
        None => Viewer::anonymous(Origin::default()),
    };
    store.read(move |db| networks::get(db, &v, id)).await
}

async fn add(store: &Store, user: i64, id: i64, m: MemberInput) -> Result<Network, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| networks::add_member(db, &v, id, &m)).await
}

fn code(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).code.to_owned(),
        other => panic!("expected Invalid at {field}, got {other:?}"),
    }
}

async fn member_rows(store: &Store) -> (i64, i64) {
    store
        .read(|db| Ok((db.scalar("SELECT COUNT(*) FROM networks", &[])?, db.scalar("SELECT COUNT(*) FROM network_members", &[])?)))
        .await
        .unwrap()
}

pub async fn networks_show_persons_only_to_the_owner_and_member_organisations(store: &Store) {
    let w = est(store).await;
    let v = viewer(store, w.coordinator).await;
    // Bad input first: nothing is written.
    let bad =
        NetworkInput { name: "".into(), purpose: "Ring 070-123 45 67".into(), cadence: Some("dagligen".into()), ..Default::default() };
    let e = store.write(move |db| networks::create(db, &v, &bad)).await.unwrap_err();
    assert_eq!(
        (code(&e, "name"), code(&e, "purpose"), code(&e, "cadence")),
        ("required".into(), "text.personal_data".into(), "actors.unknown_code".into())
    );
    assert_eq!(member_rows(store).await, (0, 0));

    let v = viewer(store, w.coordinator).await;
    let input = NetworkInput {
        name: "Nätverket för brottsförebyggande samordnare i Skåne".into(),
        kind: Some("network".into()),
        purpose: "Erfarenhetsutbyte mellan kommunernas samordnare.".into(),
        cadence: Some("quarterly".into()),
        visibility: Some("public".into()),
        ..Default::default()
    };
    let n = store.write(move |db| networks::create(db, &v, &input)).await.unwrap();
    assert_eq!((n.cadence.label.as_str(), n.kind.label.as_str()), ("Varje kvartal", "Nätverk"));
    let id = n.id;
    add(
        store,
        w.coordinator,
        id,
        MemberInput {
            org_id: Some(w.angelholm),
            position: Some("member".into()),
            joined_on: Some("2025-01-01".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let person = MemberInput {
        person_name: Some("Karin Lund".into()),
        person_title: Some("Samordnare".into()),
        organisation_text: Some("Region Skåne".into()),
        email: Some("karin.lund@skane.se".into()),
        position: Some("chair".into()),
        joined_on: Some("2025-01-01".into()),
        ..Default::default()
    };
    add(store, w.coordinator, id, person).await.unwrap();
    // Bad members: both an organisation and a person, neither, dates reversed, a bad address.
    let before = member_rows(store).await;
    for (field, c, m) in [
        (
            "person_name",
            "actors.member_either",
            MemberInput {
                org_id: Some(w.bostad),
                person_name: Some("Per".into()),
                joined_on: Some("2025-01-01".into()),
                ..Default::default()
            },
        ),
        ("org_id", "required", MemberInput { joined_on: Some("2025-01-01".into()), ..Default::default() }),
        (
            "ceased_on",
            "actors.member_dates",
            MemberInput {
                org_id: Some(w.bostad),
                joined_on: Some("2025-06-01".into()),
                ceased_on: Some("2025-01-01".into()),
                ..Default::default()
            },
        ),
        (
            "email",
            "actors.email",
            MemberInput {
                person_name: Some("Per".into()),
                email: Some("per@".into()),
                joined_on: Some("2025-01-01".into()),
                ..Default::default()
            },
        ),
        (
            "position",
            "actors.unknown_code",
            MemberInput {
                org_id: Some(w.bostad),
                position: Some("kung".into()),
                joined_on: Some("2025-01-01".into()),
                ..Default::default()
            },
        ),
        ("joined_on", "required", MemberInput { org_id: Some(w.bostad), ..Default::default() }),
    ] {
        let e = add(store, w.coordinator, id, m).await.unwrap_err();
        assert_eq!(code(&e, field), c, "{field}");
    }
    assert_eq!(member_rows(store).await, before);

    // The owner and the member organisation see the person; the chair is listed first.
    for u in [w.coordinator, w.outsider] {
        let n = get(store, Some(u), id).await.unwrap();
        assert_eq!(n.members.len(), 2);
        assert_eq!(n.members[0].person_name.as_deref(), Some("Karin Lund"));
        assert_eq!(n.members[0].position.label, "Ordförande");
        assert_eq!(n.hidden_persons, 0);
    }
    // A public reader sees the organisations and how many persons, not who.
    for u in [Some(w.tenant_member), None] {
        let n = get(store, u, id).await.unwrap();
        assert_eq!(n.members.iter().map(|m| m.organisation.as_ref().unwrap().id).collect::<Vec<_>>(), vec![w.angelholm]);
        assert_eq!(n.hidden_persons, 1);
        assert!(!serde_json::to_string(&n).unwrap().contains("Karin"));
    }
    // Others may not write: not a member, nor a member organisation.
    for u in [w.tenant_member, w.outsider] {
        let e = add(store, u, id, MemberInput { org_id: Some(w.bostad), joined_on: Some("2025-01-01".into()), ..Default::default() })
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    }
    // Own only: the owner and the member organisation read it; nobody else, in lists either.
    let v = viewer(store, w.coordinator).await;
    let n = get(store, Some(w.coordinator), id).await.unwrap();
    let change = NetworkInput { name: n.name.clone(), purpose: n.purpose.clone(), cadence: Some("monthly".into()), ..Default::default() };
    store.write(move |db| networks::edit(db, &v, id, n.version, &change)).await.unwrap();
    assert!(get(store, Some(w.outsider), id).await.is_ok());
    for u in [Some(w.tenant_member), Some(w.association), None] {
        assert!(matches!(get(store, u, id).await, Err(StoreError::NotFound { .. })));
        let v = match u {
            Some(u) => viewer(store, u).await,
            None => Viewer::anonymous(Origin::default()),
        };
        assert!(store.read(move |db| networks::list(db, &v)).await.unwrap().is_empty());
    }

    // The person's data is exported with the account of that address, and erased with it.
    let karin = user(store, "karin.lund@skane.se", w.forening, Role::Member).await;
    let v = viewer(store, karin).await;
    let data = store.read(move |db| users::personal_data(db, &v)).await.unwrap();
    let rows = &data.records["network_memberships"];
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["person_name"], "Karin Lund");
    store.write(move |db| users::erase(db, &Viewer::command_line(), karin)).await.unwrap();
    let n = get(store, Some(w.coordinator), id).await.unwrap();
    assert_eq!(n.members.len(), 1);
    assert!(n.members.iter().all(|m| m.person_name.is_none()));
}
