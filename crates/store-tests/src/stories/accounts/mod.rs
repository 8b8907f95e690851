//! Accounts: organisations, users, memberships, sessions and API tokens.

use super::*;

pub async fn organisations_validate_and_stay_unique(store: &Store) {
    let id = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let cli = Viewer::command_line();

    // Every bad field is reported at once, by name.
    let bad = OrganisationInput {
        name: " ".into(),
        kind: "kommun".into(),
        org_number: Some("212000-1125".into()),
        municipalities: vec!["9999".into()],
        ..Default::default()
    };
    let errs = bad.validate().unwrap_err();
    let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "kind", "org_number", "municipalities"]);
    assert_eq!(errs.get("org_number").unwrap().code, "org_number.checksum");

    // Same name in other case and spacing, and the same organisation number, are refused.
    let dup =
        OrganisationInput { name: "  trelleborgs   KOMMUN ".into(), kind: "municipality".into(), ..Default::default() }.validate().unwrap();
    let (c, d) = (cli.clone(), dup.clone());
    let e = store.write(move |db| orgs::create(db, &c, &d)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("name".to_owned(), "name.taken")]);

    let with_number = OrganisationInput {
        name: "Polisen LPO Trelleborg".into(),
        kind: "police".into(),
        org_number: Some("2021000076".into()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let c = cli.clone();
    store.write(move |db| orgs::create(db, &c, &with_number)).await.unwrap();
    let again = OrganisationInput {
        name: "Polisen igen".into(),
        kind: "police".into(),
        org_number: Some("202100-0076".into()),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let c = cli.clone();
    let e = store.write(move |db| orgs::create(db, &c, &again)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("org_number".to_owned(), "org_number.taken")]);

    // Updating with an old version is refused and writes nothing.
    let current = store.read(move |db| orgs::get(db, &Viewer::command_line(), id)).await.unwrap();
    let mut input = OrganisationInput::from(&current);
    input.description = Some("Kommunens trygghetsarbete".into());
    let valid = input.validate().unwrap();
    let (c, v2) = (cli.clone(), valid.clone());
    let updated = store.write(move |db| orgs::update(db, &c, id, current.version, &v2)).await.unwrap();
    assert_eq!(updated.version, current.version + 1);
    let c = cli.clone();
    let stale = store.write(move |db| orgs::update(db, &c, id, current.version, &valid)).await.unwrap_err();
    assert!(matches!(stale, StoreError::Stale), "{stale:?}");

    // The audit entry names the changed field, never its value.
    let log = store
        .read(|db| {
            audit::list(
                db,
                &Viewer::command_line(),
                &audit::Filter { action_prefix: Some("organisation.update".into()), limit: 10, ..Default::default() },
            )
        })
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].fields, ["description"]);
    assert_eq!(log.items[0].record_id, Some(id));
}

pub async fn lists_sort_swedish_filter_and_page(store: &Store) {
    for (name, kind) in [
        ("Östra Göinge kommun", OrgKind::Municipality),
        ("Ängelholms kommun", OrgKind::Municipality),
        ("Åstorps kommun", OrgKind::Municipality),
        ("Zonta Trelleborg", OrgKind::CivilSociety),
        ("AB Trelleborgshem", OrgKind::HousingCompany),
    ] {
        org(store, name, kind, &["1287"]).await;
    }
    let all = store.read(|db| orgs::list(db, &Viewer::command_line(), &orgs::Filter::default())).await.unwrap();
    let names: Vec<&str> = all.items.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["AB Trelleborgshem", "Zonta Trelleborg", "Åstorps kommun", "Ängelholms kommun", "Östra Göinge kommun"]);

    let found = store
        .read(|db| orgs::list(db, &Viewer::command_line(), &orgs::Filter { q: Some("ÄNGELHOLM".into()), ..Default::default() }))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1);
    let civil = store
        .read(|db| orgs::list(db, &Viewer::command_line(), &orgs::Filter { kind: Some(OrgKind::CivilSociety), ..Default::default() }))
        .await
        .unwrap();
    assert_eq!(civil.items.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["Zonta Trelleborg"]);

    // Pages of two, following the cursor, give every organisation once, in order.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let f = orgs::Filter { limit: Some(2), after: after.clone(), ..Default::default() };
        let page = store.read(move |db| orgs::list(db, &Viewer::command_line(), &f)).await.unwrap();
        seen.extend(page.items.into_iter().map(|o| o.name));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, names);

    // Someone not signed in sees only public profiles.
    let anon = store.read(|db| orgs::list(db, &Viewer::anonymous(Origin::default()), &orgs::Filter::default())).await.unwrap();
    assert!(anon.items.is_empty());
}

pub async fn memberships_keep_an_administrator(store: &Store) {
    let a = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let b = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let admin = user(store, "admin@hassleholm.se", a, Role::Administrator).await;
    let member = user(store, "medlem@hassleholm.se", a, Role::Member).await;
    let other = user(store, "admin@engelholm.se", b, Role::Administrator).await;

    let dup = NewUserInput { email: "ADMIN@hassleholm.se".into(), name: "Dubblett".into(), ..Default::default() }.validate().unwrap();
    let e = store.write(move |db| users::create(db, &Viewer::command_line(), &dup)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("email".to_owned(), "email.taken")]);

    let admin_v = viewer(store, admin).await;
    let v = admin_v.clone();
    let e = store.write(move |db| users::set_membership(db, &v, admin, a, Role::Member)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("role".to_owned(), "membership.last_admin")]);
    let v = admin_v.clone();
    store.write(move |db| users::set_membership(db, &v, member, a, Role::Administrator)).await.unwrap();
    let v = admin_v.clone();
    store.write(move |db| users::set_membership(db, &v, admin, a, Role::Coordinator)).await.unwrap();

    // An administrator of B can neither list A's members nor change them.
    let ov = viewer(store, other).await;
    let v = ov.clone();
    let e = store.read(move |db| users::list(db, &v, &users::Filter { org_id: Some(a), ..Default::default() })).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let own = store.read(move |db| users::list(db, &ov, &users::Filter::default())).await.unwrap();
    assert_eq!(own.items.iter().map(|u| u.id).collect::<Vec<_>>(), [other]);
    let v = viewer(store, other).await;
    let e = store.write(move |db| users::remove_membership(db, &v, member, a)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}

pub async fn login_sessions_and_rate_limit(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let id = user(store, "samordnare@trelleborg.se", a, Role::Coordinator).await;
    let origin = Origin { ip: Some("192.0.2.10".into()), request_id: Some("req-1".into()) };
    let policy = SessionPolicy::default();

    let s = auth::login(store, " Samordnare@Trelleborg.se", PASSWORD, origin.clone(), Some("Firefox".into()), policy).await.unwrap();
    let token = s.token.clone();
    let state = store.read(move |db| auth::session(db, &token, Origin::default(), policy)).await.unwrap();
    let SessionState::Valid { viewer, csrf, .. } = state else { panic!("expected a valid session, got {state:?}") };
    assert_eq!(viewer.user_id(), Some(id));
    assert_eq!(viewer.role_in(a), Some(Role::Coordinator));
    assert_eq!(csrf, s.csrf);

    // An idle session has expired (and says so rather than "unknown").
    let token = s.token.clone();
    let strict = SessionPolicy { idle_ms: 0, ..policy };
    let state = store.read(move |db| auth::session(db, &token, Origin::default(), strict)).await.unwrap();
    assert!(matches!(state, SessionState::Expired), "{state:?}");

    // Wrong passwords: refused, then paused.
    for _ in 0..auth::MAX_FAILURES_PER_ACCOUNT {
        let e = auth::login(store, "samordnare@trelleborg.se", "fel lösenord här", origin.clone(), None, policy).await.unwrap_err();
        assert!(matches!(e, StoreError::InvalidCredentials), "{e:?}");
    }
    let e = auth::login(store, "samordnare@trelleborg.se", PASSWORD, origin.clone(), None, policy).await.unwrap_err();
    let StoreError::RateLimited { retry_after_secs } = e else { panic!("expected rate limit, got {e:?}") };
    assert!(retry_after_secs > 0 && retry_after_secs <= 15 * 60);

    // The audit log records the attempts without the typed password.
    let log = store
        .read(|db| {
            audit::list(
                db,
                &Viewer::command_line(),
                &audit::Filter { action_prefix: Some("login".into()), limit: 100, ..Default::default() },
            )
        })
        .await
        .unwrap();
    let actions: Vec<&str> = log.items.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["login", "login.failed", "login.failed", "login.failed", "login.failed", "login.failed", "login.blocked"]);
    assert!(log.items.iter().all(|e| e.ip.as_deref() == Some("192.0.2.10")));
    let dump: String = store.read(|db| Ok(format!("{:?}", db.query("SELECT * FROM audit_log", &[])?))).await.unwrap();
    assert!(!dump.contains("fel lösenord") && !dump.contains(PASSWORD));

    // Logging out ends the session.
    let (token, v) = (s.token.clone(), viewer.clone());
    store.write(move |db| auth::logout(db, &v, &token)).await.unwrap();
    let token = s.token.clone();
    let state = store.read(move |db| auth::session(db, &token, Origin::default(), policy)).await.unwrap();
    assert!(matches!(state, SessionState::Unknown), "{state:?}");
}

pub async fn api_tokens_act_for_one_organisation(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let c = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let id = user(store, "dubbel@trelleborg.se", a, Role::Administrator).await;
    let v = Viewer::command_line();
    store.write(move |db| users::set_membership(db, &v, id, b, Role::Reporter)).await.unwrap();
    store
        .write(move |db| db.execute("UPDATE users SET system_admin = TRUE WHERE id = $1", &[id.into()]).map_err(Into::into))
        .await
        .unwrap();
    let me = viewer(store, id).await;
    assert!(me.is_system_admin());

    let v = me.clone();
    let e = store.write(move |db| auth::create_token(db, &v, c, "Fel org", None)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("org_id".to_owned(), "token.org")]);
    let v = me.clone();
    let (summary, secret) = store.write(move |db| auth::create_token(db, &v, b, "Import från enkätverktyget", Some(30))).await.unwrap();
    assert!(secret.starts_with("brygga_") && secret.len() > 40);
    assert!(secret.starts_with(&summary.prefix));

    // The token acts for B only, with B's role, and never as system administrator.
    let s = secret.clone();
    let TokenState::Valid { viewer: tv, .. } = store.read(move |db| auth::token(db, &s, Origin::default())).await.unwrap() else {
        panic!("valid token expected")
    };
    assert_eq!(tv.org_ids(), [b]);
    assert_eq!(tv.role_in(b), Some(Role::Reporter));
    assert!(!tv.is_system_admin());
    let stored: String = store.read(|db| Ok(format!("{:?}", db.query("SELECT * FROM api_tokens", &[])?))).await.unwrap();
    assert!(!stored.contains(&secret[7..]), "the secret is stored only as a hash");

    let v = me.clone();
    store.write(move |db| auth::revoke_token(db, &v, summary.id)).await.unwrap();
    let s = secret.clone();
    let state = store.read(move |db| auth::token(db, &s, Origin::default())).await.unwrap();
    assert!(matches!(state, TokenState::Revoked), "{state:?}");
    let state = store.read(|db| auth::token(db, "brygga_gissat", Origin::default())).await.unwrap();
    assert!(matches!(state, TokenState::Unknown), "{state:?}");
}
