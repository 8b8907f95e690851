//! Conformance stories: each takes a migrated, empty [`Store`] and must pass on every backend.

use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::auth::{self, SessionPolicy, SessionState, TokenState};
use brygga_store::accounts::contacts::{self, ContactInput};
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::forums::consent::{self, Answer};
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store::{ConnExt, Origin, Store, StoreError, Via, Viewer, Visibility, kernel::audit, places::geography};

/// Creates an organisation as the command-line operator.
pub async fn org(store: &Store, name: &str, kind: OrgKind, municipalities: &[&str]) -> i64 {
    let input = OrganisationInput {
        name: name.into(),
        kind: kind.code().into(),
        municipalities: municipalities.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let valid = input.validate().expect("valid organisation");
    store.write(move |db| orgs::create(db, &Viewer::command_line(), &valid)).await.expect("create organisation").id
}

pub const PASSWORD: &str = "korrekt häst batteri";

/// Creates an account with a password and one membership.
pub async fn user(store: &Store, email: &str, org_id: i64, role: Role) -> i64 {
    let input = NewUserInput {
        email: email.into(),
        name: format!("Test {email}"),
        password: Some(PASSWORD.into()),
        org_id: Some(org_id),
        role: Some(role.code().into()),
        system_admin: false,
    };
    let valid = input.validate().expect("valid user");
    store.write(move |db| users::create(db, &Viewer::command_line(), &valid)).await.expect("create user").id
}

/// The viewer for an account, as a signed-in session would see it.
pub async fn viewer(store: &Store, user_id: i64) -> Viewer {
    store.read(move |db| Viewer::for_user(db, user_id, Via::Web)).await.expect("viewer")
}

/// Every open invitation of `forum` accepted the way a real organisation would: by one of its
/// administrators or coordinators (when it has none, the system stands in, as in the demo).
/// Every open contact request is accepted by the person asked.
pub async fn accept_all(store: &Store, forum: i64) {
    let (invited, asked) = store
        .read(move |db| {
            let invited: Vec<(i64, Option<i64>)> = db.map_all(
                "SELECT i.org_id, (SELECT MIN(m.user_id) FROM memberships m WHERE m.org_id = i.org_id AND m.role IN ('administrator', 'coordinator')) AS answerer
                 FROM forum_invitations i WHERE i.forum_id = $1 AND i.status = 'invited' ORDER BY i.org_id",
                &[forum.into()],
                |r| Ok((r.get("org_id")?, r.get("answerer")?)),
            )?;
            let asked: Vec<i64> =
                db.scalars("SELECT user_id FROM forum_contact_requests WHERE forum_id = $1 AND status = 'invited'", &[forum.into()])?;
            Ok((invited, asked))
        })
        .await
        .unwrap();
    for (org, answerer) in &invited {
        if let Some(u) = *answerer {
            let (v, org) = (viewer(store, u).await, *org);
            store.write(move |db| consent::answer_forum_invitation(db, &v, forum, org, Answer::Accept)).await.unwrap();
        }
    }
    if invited.iter().any(|i| i.1.is_none()) {
        store.write(move |db| consent::accept_all_as_system(db, &Viewer::system(), forum, &[])).await.unwrap();
    }
    for user in asked {
        let v = viewer(store, user).await;
        store.write(move |db| consent::answer_contact_request(db, &v, forum, Answer::Accept)).await.unwrap();
    }
}

/// The mail stamp used by the stories.
pub fn postmark() -> brygga_store::kernel::mail::Postmark {
    brygga_store::kernel::mail::Postmark::new("brygga.test", "https://brygga.test")
}

pub(crate) fn field_codes(e: &StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::Invalid(errs) => errs.0.iter().map(|f| (f.field.clone(), f.code)).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

pub async fn migrations_are_idempotent_and_load_geography(store: &Store) {
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "nothing left to apply: {again:?}");
    assert_eq!(again.already, store.migrations().len());
    let (counties, municipalities, skane): (i64, i64, String) = store
        .read(|db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM counties", &[])?,
                db.scalar("SELECT COUNT(*) FROM municipalities", &[])?,
                db.scalar("SELECT name FROM counties WHERE code = '12'", &[])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((counties, municipalities), (21, 290));
    assert_eq!(skane, "Skåne län");
}

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

pub async fn a_failed_write_leaves_nothing_behind(store: &Store) {
    let valid = OrganisationInput {
        name: "Halvskrivna föreningen".into(),
        kind: "civil_society".into(),
        municipalities: vec!["1287".into(), "1292".into()],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let result: Result<(), StoreError> = store
        .write(move |db| {
            orgs::create(db, &Viewer::command_line(), &valid)?;
            Err(StoreError::Internal("a later step failed".into()))
        })
        .await;
    assert!(result.is_err());
    let counts: (i64, i64, i64) = store
        .read(|db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM organisations", &[])?,
                db.scalar("SELECT COUNT(*) FROM organisation_municipalities", &[])?,
                db.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(counts, (0, 0, 0));
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

/// Organisation B's contact persons, shared three ways, seen by A (forum partner), C
/// (outsider), a system administrator without membership, and B itself.
pub async fn sharing_isolates_organisations(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let c = org(store, "Föreningen Nattvandrarna", OrgKind::CivilSociety, &["1287"]).await;
    let ua = user(store, "a@trelleborg.se", a, Role::Coordinator).await;
    let ub = user(store, "b@trelleborgshem.se", b, Role::Administrator).await;
    let uc = user(store, "c@nattvandrarna.se", c, Role::Administrator).await;

    let va = viewer(store, ua).await;
    let input = ForumInput {
        name: "EST Trelleborg".into(),
        convener_org_id: a,
        member_org_ids: vec![b],
        contact_user_ids: vec![ua],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let v = va.clone();
    let forum = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap();
    accept_all(store, forum.id).await;

    // Viewers are per-request snapshots: load them after the forum exists.
    let va = viewer(store, ua).await;
    let vb = viewer(store, ub).await;
    let mut ids = Vec::new();
    for (name, vis, forum_id) in
        [("Intern kontakt", "organisation", None), ("Forumkontakt", "forum", Some(forum.id)), ("Publik kontakt", "public", None)]
    {
        let input = ContactInput { name: name.into(), visibility: vis.into(), forum_id, ..Default::default() }.validate().unwrap();
        let v = vb.clone();
        ids.push(store.write(move |db| contacts::create(db, &v, b, &input)).await.unwrap().id);
    }
    let admin_only = {
        let email = brygga_domain::account::Email::parse("root@brygga.test").unwrap();
        let input = NewUserInput { email: email.to_string(), name: "Systemadmin".into(), system_admin: true, ..Default::default() }
            .validate()
            .unwrap();
        let uid = store.write(move |db| users::create(db, &Viewer::command_line(), &input)).await.unwrap().id;
        viewer(store, uid).await
    };

    async fn names(store: &Store, v: &Viewer, org: i64) -> Vec<String> {
        let v = v.clone();
        store.read(move |db| contacts::list_for_org(db, &v, org)).await.unwrap().into_iter().map(|c| c.name).collect()
    }
    assert_eq!(names(store, &vb, b).await, ["Forumkontakt", "Intern kontakt", "Publik kontakt"]);
    assert_eq!(names(store, &va, b).await, ["Forumkontakt", "Publik kontakt"]);
    let vc = viewer(store, uc).await;
    assert_eq!(names(store, &vc, b).await, ["Publik kontakt"]);
    assert_eq!(names(store, &admin_only, b).await, ["Publik kontakt"]);
    assert_eq!(names(store, &Viewer::anonymous(Origin::default()), b).await, ["Publik kontakt"]);

    // Fetching one record by id follows the same rule, and does not reveal that it exists.
    let (v, internal) = (va.clone(), ids[0]);
    let e = store.read(move |db| contacts::get(db, &v, internal)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let (v, shared) = (vc.clone(), ids[1]);
    let e = store.read(move |db| contacts::get(db, &v, shared)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");

    // Nor can A change B's records, even those it can read.
    let v = va.clone();
    let change = ContactInput { name: "Kapad".into(), visibility: "public".into(), ..Default::default() }.validate().unwrap();
    let e = store.write(move |db| contacts::update(db, &v, shared, 1, &change)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");

    // C cannot share into a forum it is not part of.
    let v = vc.clone();
    let sneaky = ContactInput { name: "In i forumet".into(), visibility: "forum".into(), forum_id: Some(forum.id), ..Default::default() }
        .validate()
        .unwrap();
    let e = store.write(move |db| contacts::create(db, &v, c, &sneaky)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("forum_id".to_owned(), "forum.not_member")]);

    // Forum contact persons are shown to forum members only.
    let (v, fid) = (vc.clone(), forum.id);
    assert!(store.read(move |db| forum::get(db, &v, fid)).await.unwrap().contacts.is_empty());
    let (v, fid) = (vb.clone(), forum.id);
    assert_eq!(store.read(move |db| forum::get(db, &v, fid)).await.unwrap().contacts.len(), 1);

    // When B leaves the forum, what it shared there goes back to B alone.
    let (v, fid) = (vb.clone(), forum.id);
    store.write(move |db| forum::leave(db, &v, fid, b)).await.unwrap();
    let va = viewer(store, ua).await;
    assert_eq!(names(store, &va, b).await, ["Publik kontakt"]);
    let vb = viewer(store, ub).await;
    let back = store.read(move |db| contacts::get(db, &vb, shared)).await.unwrap();
    assert_eq!(back.visibility, Visibility::Organisation);
}

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

pub async fn audit_is_scoped_and_survives_erasure(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let admin_a = user(store, "admin@trelleborg.se", a, Role::Administrator).await;
    let admin_b = user(store, "admin@engelholm.se", b, Role::Administrator).await;
    let leaver = user(store, "slutat@trelleborg.se", a, Role::Member).await;

    // The leaver signs in (an audited event of their own) and exports their data.
    auth::login(
        store,
        "slutat@trelleborg.se",
        PASSWORD,
        Origin { ip: Some("198.51.100.7".into()), request_id: None },
        Some("Safari".into()),
        SessionPolicy::default(),
    )
    .await
    .unwrap();
    // A message queued to the account is part of what is held about it.
    store
        .write(move |db| {
            let mail = brygga_store::kernel::mail::NewMail {
                kind: "test",
                to: brygga_domain::account::Email::parse("slutat@trelleborg.se").unwrap(),
                to_user_id: Some(leaver),
                subject: "Veckans lägesbild".into(),
                body: "Hej!".into(),
            };
            brygga_store::kernel::mail::enqueue(db, &mail, "brygga.example", 1_700_000_000_000)
        })
        .await
        .unwrap();
    let v = viewer(store, leaver).await;
    let mine = store.read(move |db| users::personal_data(db, &v)).await.unwrap();
    assert_eq!(mine.messages.len(), 1);
    assert_eq!((mine.messages[0].subject.as_str(), mine.messages[0].body_text.as_str()), ("Veckans lägesbild", "Hej!"));
    assert_eq!(mine.user.email, "slutat@trelleborg.se");
    assert_eq!(mine.sessions.len(), 1);
    assert_eq!(mine.sessions[0].user_agent.as_deref(), Some("Safari"));
    assert!(mine.audit_entries.iter().any(|e| e.action == "login"));

    // B's administrator cannot read A's entries; A's can.
    let vb = viewer(store, admin_b).await;
    let e =
        store.read(move |db| audit::list(db, &vb, &audit::Filter { org_id: Some(a), limit: 10, ..Default::default() })).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let vb = viewer(store, admin_b).await;
    let e = store.read(move |db| audit::list(db, &vb, &audit::Filter { limit: 10, ..Default::default() })).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let va = viewer(store, admin_a).await;
    let own =
        store.read(move |db| audit::list(db, &va, &audit::Filter { org_id: Some(a), limit: 100, ..Default::default() })).await.unwrap();
    assert!(own.items.iter().all(|e| e.org_id == Some(a) || e.actor_org_id == Some(a)));
    assert!(own.items.iter().any(|e| e.action == "membership.create"));

    // Erasure: the account goes, its history stays under one pseudonym.
    let pseudonym = store.write(move |db| users::erase(db, &Viewer::command_line(), leaver)).await.unwrap();
    assert!(pseudonym.starts_with("raderad-"));
    let kept: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(kept, 0, "the messages to an erased account go with it");
    let log = store
        .read(|db| {
            audit::list(
                db,
                &Viewer::command_line(),
                &audit::Filter { action_prefix: Some("login".into()), limit: 10, ..Default::default() },
            )
        })
        .await
        .unwrap();
    let login = log.items.iter().find(|e| e.action == "login").unwrap();
    assert_eq!(login.actor, pseudonym);
    assert_eq!(login.actor_user_id, None);
    let left: (i64, i64) = store
        .read(move |db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM users WHERE id = $1", &[leaver.into()])?,
                db.scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1", &[leaver.into()])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(left, (0, 0));
    let everything: String = store.read(|db| Ok(format!("{:?}", db.query("SELECT * FROM audit_log", &[])?))).await.unwrap();
    assert!(!everything.contains("slutat@trelleborg.se"), "no e-mail address in the audit log");
}

pub async fn police_areas_import_and_edit(store: &Store) {
    let bad = "police_area,police_region,municipality_code\nLPO Trelleborg,Syd,1287\nLPO Trelleborg,Syd,12877\n";
    let errs = geography::parse_police_area_csv(bad).unwrap_err();
    assert!(errs.0[0].message.starts_with("Rad 3, kolumn municipality_code"), "{}", errs.0[0].message);

    let good =
        "\u{feff}police_area;police_region;municipality_code\nLPO Trelleborg;Syd;1287\nLPO Trelleborg;Syd;1233\nLPO Ängelholm;Syd;1292\n";
    let areas = geography::parse_police_area_csv(good).unwrap();
    assert_eq!(areas.len(), 2);
    for a in areas {
        let valid = a.validate().unwrap();
        store.write(move |db| geography::upsert_police_area(db, &Viewer::command_line(), &valid)).await.unwrap();
    }
    let listed = store.read(|db| geography::list_police_areas(db)).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| (p.name.as_str(), p.municipality_codes.len())).collect::<Vec<_>>(),
        [("LPO Trelleborg", 2), ("LPO Ängelholm", 1)]
    );

    // A non-administrator may not edit reference geography.
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let u = user(store, "x@trelleborg.se", a, Role::Administrator).await;
    let v = viewer(store, u).await;
    let again = geography::PoliceAreaInput { name: "LPO Trelleborg".into(), region: "Syd".into(), municipality_codes: vec!["1287".into()] }
        .validate()
        .unwrap();
    let e = store.write(move |db| geography::upsert_police_area(db, &v, &again)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}

// ---- Lägesbild: categories, areas, observations ----

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::geometry::PlaceGeometry;
use brygga_store::forums::categories;
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::observations::{self, ObservationInput};
use brygga_store::places::areas::{self, NewArea};

/// Trelleborg: the municipality (coordinator, reporter, reader), the housing company (member),
/// an association (administrator), all in "EST Trelleborg"; Ängelholm outside it.
pub struct Est {
    pub forum: i64,
    pub kommun: i64,
    pub bostad: i64,
    pub forening: i64,
    pub angelholm: i64,
    pub coordinator: i64,
    pub reporter: i64,
    pub reader: i64,
    pub tenant_member: i64,
    pub association: i64,
    pub outsider: i64,
    pub stortorget: i64,
}

pub async fn est(store: &Store) -> Est {
    let kommun = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let bostad = org(store, "AB Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let forening = org(store, "Nattvandrarna", OrgKind::CivilSociety, &["1287"]).await;
    let angelholm = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let coordinator = user(store, "samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let reporter = user(store, "falt@trelleborg.se", kommun, Role::Reporter).await;
    let reader = user(store, "las@trelleborg.se", kommun, Role::Reader).await;
    let tenant_member = user(store, "vard@trelleborgshem.se", bostad, Role::Member).await;
    let association = user(store, "ordf@nattvandrarna.se", forening, Role::Administrator).await;
    let outsider = user(store, "samordnare@engelholm.se", angelholm, Role::Coordinator).await;
    let v = viewer(store, coordinator).await;
    let input = ForumInput {
        name: "EST Trelleborg".into(),
        municipality_code: Some("1287".into()),
        convener_org_id: kommun,
        member_org_ids: vec![bostad, forening],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let forum = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap().id;
    accept_all(store, forum).await;
    let v = viewer(store, coordinator).await;
    let stortorget = store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: None,
                name: "Stortorget".into(),
                kind: "square".into(),
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: kommun,
            };
            areas::create(db, &v, &a)
        })
        .await
        .unwrap()
        .id;
    Est { forum, kommun, bostad, forening, angelholm, coordinator, reporter, reader, tenant_member, association, outsider, stortorget }
}

fn now() -> jiff::Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

async fn report(store: &Store, user_id: i64, input: ObservationInput) -> Result<observations::Created, StoreError> {
    let v = viewer(store, user_id).await;
    store
        .write(move |db| {
            let valid = observations::prepare(db, &v, &input, now())?;
            observations::create(db, &v, &valid, "form", None)
        })
        .await
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

pub async fn areas_keep_a_hierarchy_without_cycles(store: &Store) {
    let w = est(store).await;
    let v = viewer(store, w.coordinator).await;
    let (k, parent) = (w.kommun, w.stortorget);
    let child = store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: Some(parent),
                name: "Biblioteket".into(),
                kind: "library".into(),
                geometry: PlaceGeometry::point(13.157, 55.376),
                owner_org_id: k,
            };
            areas::create(db, &v, &a)
        })
        .await
        .unwrap();
    // Stortorget cannot move inside its own child.
    let v = viewer(store, w.coordinator).await;
    let (cid, before) = (child.id, store.read(move |db| areas::get(db, &Viewer::system(), parent)).await.unwrap());
    let e = store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: Some(cid),
                name: before.name.clone(),
                kind: before.kind.clone(),
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: k,
            };
            areas::update(db, &v, parent, before.version, &a)
        })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("parent_id".to_owned(), "area.cycle")]);
    // Ängelholm's coordinator may not edit Trelleborg's places; the reporter neither.
    for u in [w.outsider, w.reporter] {
        let v = viewer(store, u).await;
        let e = store
            .write(move |db| {
                let a = NewArea {
                    municipality: MunicipalityCode::parse("1287").unwrap(),
                    parent_id: None,
                    name: "Smyge".into(),
                    kind: "other".into(),
                    geometry: PlaceGeometry::point(13.35, 55.34),
                    owner_org_id: k,
                };
                areas::create(db, &v, &a)
            })
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    }
    let listed = store.read(|db| areas::list(db, &Viewer::system(), "1287")).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Stortorget", "Biblioteket"]);
}

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

// ---------------------------------------------------------------------------------------------
// Background jobs and the e-mail outbox (issue 5)

use brygga_store::kernel::jobs::{self, ClaimRequest, Failure, NewJob, Weekly, WeeklyScope};
use brygga_store::kernel::mail::{self, MailState, NewMail};

const T0: i64 = 1_790_000_000_000;

fn claim_as(worker: &'static str, kinds: &'static [&'static str], limit: usize, lease_ms: i64) -> ClaimRequest<'static> {
    ClaimRequest { worker, kinds, limit, lease_ms }
}

async fn claim(store: &Store, req: ClaimRequest<'static>, now: i64) -> Vec<jobs::Job> {
    store.write(move |db| jobs::claim(db, &req, now)).await.unwrap()
}

pub async fn jobs_are_deduplicated_retried_with_backoff_and_given_up(store: &Store) {
    let job = NewJob::new("test.echo", serde_json::json!({ "n": 1 }), T0).dedup("echo:1").attempts(3);
    let (j1, j2) = (job.clone(), job.clone());
    let first = store.write(move |db| jobs::enqueue(db, &j1, T0)).await.unwrap();
    let again = store.write(move |db| jobs::enqueue(db, &j2, T0 + 5)).await.unwrap();
    let id = first.expect("first enqueue creates the job");
    assert_eq!(again, None, "the same dedup key is a no-op");
    let other_kind = claim(store, claim_as("w1", &["test.other"], 10, 60_000), T0).await;
    assert!(other_kind.is_empty(), "a worker only claims the kinds it handles");
    let early = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 - 1).await;
    assert!(early.is_empty(), "not before run_at");

    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0).await;
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id, got[0].attempts, got[0].payload["n"].as_i64()), (id, 1, Some(1)));
    assert!(claim(store, claim_as("w2", &["test.echo"], 10, 60_000), T0 + 1).await.is_empty(), "claimed jobs are not claimed twice");

    // First failure: back in 30 s; second: 60 s; third: out of attempts.
    let j = got[0].clone();
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "connection", false, T0 + 10)).await.unwrap();
    assert_eq!(f, Failure::Retry { at: T0 + 10 + 30_000 });
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.last_error.as_deref(), row.locked_by), ("queued", Some("connection"), None));
    assert!(claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 30_009).await.is_empty(), "backoff is respected");
    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 30_010).await;
    assert_eq!(got[0].attempts, 2);
    let j = got[0].clone();
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "timeout", false, T0 + 40_000)).await.unwrap();
    assert_eq!(f, Failure::Retry { at: T0 + 40_000 + 60_000 });
    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 100_000).await;
    let j = got[0].clone();
    assert_eq!(j.attempts, 3);
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "timeout", false, T0 + 100_001)).await.unwrap();
    assert_eq!(f, Failure::GaveUp);
    assert!(claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 9_999_999).await.is_empty(), "failed jobs stay failed");
    let counts = store.read(|db| jobs::counts(db)).await.unwrap();
    assert_eq!((counts[0].kind.as_str(), counts[0].failed, counts[0].queued), ("test.echo", 1, 0));

    // Only a system administrator may retry, and only a failed job.
    let o = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let u = user(store, "samordnare@trelleborg.se", o, Role::Administrator).await;
    let v = viewer(store, u).await;
    let e = store.write(move |db| jobs::retry(db, &v, id, T0 + 200_000)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    store.write(move |db| jobs::retry(db, &Viewer::command_line(), id, T0 + 200_000)).await.unwrap();
    let e = store.write(move |db| jobs::retry(db, &Viewer::command_line(), id, T0 + 200_001)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "a queued job cannot be retried: {e:?}");
    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 200_000).await;
    assert_eq!(got[0].attempts, 1, "a retried job gets all its attempts back");
    let j = got[0].clone();
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "smtp_permanent 550", true, T0 + 200_001)).await.unwrap();
    assert_eq!(f, Failure::GaveUp, "a permanent error is not retried");
    let entries = store
        .read(|db| {
            audit::list(db, &Viewer::command_line(), &audit::Filter { action_prefix: Some("job.".into()), limit: 10, ..Default::default() })
        })
        .await
        .unwrap();
    assert_eq!(entries.items.iter().map(|e| (e.action.as_str(), e.record_id)).collect::<Vec<_>>(), [("job.retry", Some(id))]);
}

pub async fn an_expired_lease_puts_the_job_back(store: &Store) {
    let job = NewJob::new("test.echo", serde_json::json!({}), T0).attempts(2);
    let id = store.write(move |db| jobs::enqueue(db, &job, T0)).await.unwrap().unwrap();
    let got = claim(store, claim_as("dead", &["test.echo"], 1, 10_000), T0).await;
    assert_eq!(got[0].locked_until, T0 + 10_000);
    // The worker "dies": nobody completes the job. Before the lease ends nobody else gets it.
    assert!(claim(store, claim_as("alive", &["test.echo"], 1, 10_000), T0 + 9_999).await.is_empty());
    let got = claim(store, claim_as("alive", &["test.echo"], 1, 10_000), T0 + 10_000).await;
    assert_eq!((got.len(), got[0].id, got[0].attempts), (1, id, 2));
    let late = store.write(move |db| jobs::complete(db, id, "dead", T0 + 10_001)).await.unwrap();
    assert!(!late, "a worker that lost its lease cannot complete the job");
    let stale = store.write(move |db| jobs::fail(db, &jobs::Job { attempts: 1, ..got[0].clone() }, "dead", "x", false, T0 + 10_001)).await;
    assert_eq!(stale.unwrap(), Failure::LeaseLost);
    // The second holder dies too, on its last attempt: the job fails instead of looping.
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.locked_by.as_deref()), ("running", Some("alive")));
    assert!(claim(store, claim_as("third", &["test.echo"], 1, 10_000), T0 + 20_000).await.is_empty());
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.last_error.as_deref()), ("failed", Some("lease_expired")));

    // Released jobs (a worker shutting down) go back at once without using an attempt.
    let job = NewJob::new("test.echo", serde_json::json!({}), T0).attempts(2);
    let id = store.write(move |db| jobs::enqueue(db, &job, T0)).await.unwrap().unwrap();
    let got = claim(store, claim_as("stopping", &["test.echo"], 1, 10_000), T0 + 30_000).await;
    assert_eq!(got[0].id, id);
    assert!(store.write(move |db| jobs::release(db, id, "stopping", T0 + 30_001)).await.unwrap());
    let got = claim(store, claim_as("next", &["test.echo"], 1, 10_000), T0 + 30_001).await;
    assert_eq!((got[0].id, got[0].attempts), (id, 1));
    assert!(store.write(move |db| jobs::complete(db, id, "next", T0 + 30_002)).await.unwrap());
    assert_eq!(store.read(move |db| jobs::get(db, id)).await.unwrap().state, "done");
}

/// Four claimers at once over one queue: every job is claimed exactly once. On PostgreSQL
/// the claimers run on separate connections and `SKIP LOCKED` is what keeps them apart.
pub async fn concurrent_claimers_never_get_the_same_job(store: &Store) {
    const N: usize = 400;
    store
        .write(|db| {
            for i in 0..N {
                jobs::enqueue(db, &NewJob::new("test.echo", serde_json::json!({ "i": i }), T0), T0)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let workers = ["c1", "c2", "c3", "c4"];
    let mut tasks = Vec::new();
    for w in workers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine: Vec<i64> = Vec::new();
            loop {
                let got = store.write(move |db| jobs::claim(db, &claim_as(w, &["test.echo"], 7, 600_000), T0)).await.unwrap();
                if got.is_empty() {
                    break;
                }
                let ids: Vec<i64> = got.iter().map(|j| j.id).collect();
                mine.extend(&ids);
                let n = ids.len() as u64;
                assert_eq!(store.write(move |db| jobs::complete_many(db, &ids, w, T0 + 1)).await.unwrap(), n);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    let mut per_worker = Vec::new();
    for t in tasks {
        let mine = t.await.unwrap();
        per_worker.push(mine.len());
        all.extend(mine);
    }
    all.sort_unstable();
    let total = all.len();
    all.dedup();
    assert_eq!(all.len(), total, "a job was claimed twice");
    assert_eq!(total, N, "every job was claimed: {per_worker:?}");
    let counts = store.read(|db| jobs::counts(db)).await.unwrap();
    assert_eq!((counts[0].done, counts[0].queued, counts[0].running), (N as i64, 0, 0));
}

pub async fn weekly_jobs_are_enqueued_once_per_forum_and_week(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    for name in ["EST Trelleborg", "EST Centrum"] {
        let input = ForumInput { name: name.into(), convener_org_id: a, member_org_ids: vec![b], ..Default::default() }.validate().unwrap();
        store.write(move |db| forum::create(db, &Viewer::command_line(), &input, &postmark())).await.unwrap();
    }
    let digest = Weekly { kind: "test.digest", scope: WeeklyScope::PerForum, weekday: jiff::civil::Weekday::Monday, hour: 7 };
    let week = brygga_domain::time::IsoWeek::new(2026, 48).unwrap();
    let due = digest.due_in_week(week).unwrap();
    let run = |now: i64| store.write(move |db| jobs::enqueue_weekly(db, &digest, now));
    assert!(run(due - 1).await.unwrap().is_empty(), "not before Monday 07:00");
    assert_eq!(run(due).await.unwrap().len(), 2, "one per forum");
    assert!(run(due + 60_000).await.unwrap().is_empty(), "a second server (or minute) adds nothing");
    assert!(run(due + 3 * 86_400_000).await.unwrap().is_empty(), "nor later the same week");
    let next = digest.due_in_week(week.plus(1)).unwrap();
    assert_eq!(next - due, 7 * 86_400_000);
    assert_eq!(run(next).await.unwrap().len(), 2, "next week again");
    let got = claim(store, claim_as("w", &["test.digest"], 10, 60_000), next).await;
    let mut keys: Vec<String> = got.iter().filter_map(|j| j.dedup_key.clone()).collect();
    keys.sort();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|k| k.starts_with("test.digest:forum-")), "{keys:?}");
    assert!(keys.iter().any(|k| k.ends_with(":2026-W49")) && got.iter().all(|j| j.payload["forum_id"].as_i64().is_some()));
}

pub async fn the_outbox_keeps_the_message_id_and_shows_failures(store: &Store) {
    let o = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let u = user(store, "anna.andersson@trelleborg.se", o, Role::Coordinator).await;
    let new = |subject: &str| NewMail {
        kind: "test",
        to: brygga_domain::account::Email::parse("anna.andersson@trelleborg.se").unwrap(),
        to_user_id: Some(u),
        subject: subject.into(),
        body: "Hej!\n\nDet här är ett prov från Brygga.".into(),
    };
    let (m1, m2) = (new("Provmeddelande från Brygga"), new("Ett till"));
    let q1 = store.write(move |db| mail::enqueue(db, &m1, "brygga.trelleborg.se", T0)).await.unwrap();
    let q2 = store.write(move |db| mail::enqueue(db, &m2, "brygga.trelleborg.se", T0)).await.unwrap();
    assert!(q1.message_id.starts_with(&format!("<outbox-{}.", q1.id)) && q1.message_id.ends_with("@brygga.trelleborg.se>"), "{q1:?}");
    assert_ne!(q1.message_id, q2.message_id);
    let bad = new("två\nrader");
    assert!(store.write(move |db| mail::enqueue(db, &bad, "brygga.trelleborg.se", T0)).await.is_err(), "header injection refused");

    // The sender reads the same Message-ID on every attempt.
    let got = claim(store, claim_as("w", &[mail::SEND_KIND], 10, 60_000), T0).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].payload["outbox_id"].as_i64(), Some(q1.id));
    assert_eq!(got[0].max_attempts, mail::MAX_ATTEMPTS);
    let id1 = q1.id;
    let out = store.read(move |db| mail::outgoing(db, id1)).await.unwrap().unwrap();
    assert_eq!(
        (out.message_id.as_str(), out.recipient.as_str(), out.sent_at),
        (q1.message_id.as_str(), "anna.andersson@trelleborg.se", None)
    );

    // One is sent; the other fails permanently and waits for an administrator.
    let (j1, j2) = (got[0].clone(), got[1].clone());
    store
        .write(move |db| {
            mail::mark_sent(db, j1.payload["outbox_id"].as_i64().unwrap(), T0 + 1)?;
            jobs::complete(db, j1.id, "w", T0 + 1)?;
            jobs::fail(db, &j2, "w", "smtp_permanent 550", true, T0 + 1)?;
            Ok(())
        })
        .await
        .unwrap();
    let v = viewer(store, u).await;
    assert!(matches!(store.read(move |db| mail::overview(db, &v)).await.unwrap_err(), StoreError::Forbidden));
    let ov = store.read(|db| mail::overview(db, &Viewer::command_line())).await.unwrap();
    assert_eq!((ov.pending, ov.failed, ov.sent), (0, 1, 1));
    let f = &ov.unsent_failed[0];
    assert_eq!(
        (f.id, f.recipient_masked.as_str(), f.state, f.last_error.as_deref()),
        (q2.id, "a…@trelleborg.se", MailState::Failed, Some("smtp_permanent 550"))
    );
    assert_eq!(f.subject, "Ett till");

    let id2 = q2.id;
    store.write(move |db| mail::retry(db, &Viewer::command_line(), id2, T0 + 2)).await.unwrap();
    let e = store.write(move |db| mail::retry(db, &Viewer::command_line(), id2, T0 + 3)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let ov = store.read(|db| mail::overview(db, &Viewer::command_line())).await.unwrap();
    assert_eq!((ov.pending, ov.failed), (1, 0));
    assert_eq!((ov.unsent_pending[0].attempts, ov.unsent_pending[0].next_attempt_ms), (0, Some(T0 + 2)));

    // Sent messages are purged after 30 days; erasing the account deletes the rest.
    let (messages, _) = store.write(|db| mail::purge(db, T0 + mail::KEEP_SENT_MS + 2)).await.unwrap();
    assert_eq!(messages, 1);
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(n, 1);
    store.write(move |db| users::erase(db, &Viewer::command_line(), u)).await.unwrap();
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(n, 0, "the erased account's messages are gone");
}

// ---- From picture to action: actions, meetings, alerts, digests, share links ----

use brygga_store::forum_work::actions::{self, ActionInput, StatusInput};
use brygga_store::forum_work::alerts::{self, AlertInput};
use brygga_store::kernel::mail::Postmark;
use brygga_store::{forum_work::digests, forum_work::meetings, forum_work::share_links};

fn post() -> Postmark {
    Postmark::new("trelleborg.se", "https://brygga.trelleborg.se")
}

/// The subject and text of an outbox row.
fn subject_body(r: &brygga_store::Row) -> Result<(String, String), brygga_store::DbError> {
    Ok((r.get("subject")?, r.get("body_text")?))
}

fn in_days(n: i64) -> String {
    brygga_domain::time::today().checked_add(jiff::Span::new().days(n)).unwrap().to_string()
}

async fn decide(store: &Store, user: i64, forum: i64, input: ActionInput) -> Result<actions::Action, StoreError> {
    let v = viewer(store, user).await;
    store
        .write(move |db| {
            let valid = actions::prepare(db, &v, forum, &input, None)?;
            actions::create(db, &v, &valid, actions::Origin::default())
        })
        .await
}

async fn set_status(
    store: &Store,
    user: i64,
    a: &actions::Action,
    status: &str,
    reason: Option<&str>,
) -> Result<actions::Action, StoreError> {
    let (v, id, version) = (viewer(store, user).await, a.id, a.version);
    let input = StatusInput { status: status.into(), status_reason: reason.map(Into::into), outcome: Some("Sanerat.".into()) };
    store.write(move |db| actions::set_status(db, &v, id, version, &input)).await
}

pub async fn actions_need_a_responsible_member_and_a_date_ahead(store: &Store) {
    let w = est(store).await;
    // Everything wrong at once, each by field; nothing written.
    let bad = ActionInput {
        title: "Ring 070-123 45 67".into(),
        due_on: Some("2020-01-01".into()),
        partner_org_ids: vec![w.angelholm],
        category: Some("mopeder".into()),
        status: Some("cancelled".into()),
        ..ActionInput::default()
    };
    let e = decide(store, w.coordinator, w.forum, bad).await.unwrap_err();
    let codes = field_codes(&e);
    for want in [
        ("title", "text.personal_data"),
        ("responsible_org_id", "required"),
        ("partner_org_ids", "forum.not_member"),
        ("due_on", "date.past"),
        ("status_reason", "required"),
        ("category", "category.unknown"),
    ] {
        assert!(codes.contains(&(want.0.to_owned(), want.1)), "{want:?} in {codes:?}");
    }
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("responsible_org_id").unwrap().message.contains("ansvarig organisation"));
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM actions", &[])?)).await.unwrap();
    assert_eq!(n, 0, "nothing was written");
    // The responsible organisation must be in the forum; the person must belong to it.
    let outside = ActionInput {
        title: "Sanera klotter".into(),
        responsible_org_id: Some(w.angelholm),
        due_on: Some(in_days(7)),
        ..ActionInput::default()
    };
    assert_eq!(
        field_codes(&decide(store, w.coordinator, w.forum, outside.clone()).await.unwrap_err()),
        [("responsible_org_id".to_owned(), "forum.not_member")]
    );
    let wrong_person = ActionInput { responsible_org_id: Some(w.bostad), responsible_user_id: Some(w.reporter), ..outside.clone() };
    assert_eq!(
        field_codes(&decide(store, w.coordinator, w.forum, wrong_person).await.unwrap_err()),
        [("responsible_user_id".to_owned(), "user.not_member")]
    );
    // Readers do not decide; outsiders do not even see the forum's list.
    let ok = ActionInput {
        responsible_org_id: Some(w.bostad),
        responsible_user_id: Some(w.tenant_member),
        partner_org_ids: vec![w.forening, w.bostad],
        category: Some("klotter".into()),
        area_id: Some(w.stortorget),
        no_police_powers: true,
        ..outside
    };
    assert!(matches!(decide(store, w.reader, w.forum, ok.clone()).await.unwrap_err(), StoreError::Forbidden));
    assert!(matches!(decide(store, w.outsider, w.forum, ok.clone()).await.unwrap_err(), StoreError::Forbidden));
    let a = decide(store, w.coordinator, w.forum, ok).await.unwrap();
    assert_eq!((a.responsible.id, a.status.as_str(), a.overdue), (w.bostad, "planned", false));
    assert_eq!(a.partners.iter().map(|p| p.id).collect::<Vec<_>>(), [w.forening], "the responsible org is not its own partner");
    assert_eq!((a.category_code.as_deref(), a.area_name.as_deref(), a.no_police_powers), (Some("graffiti"), Some("Stortorget"), true));
    let (v, id) = (viewer(store, w.outsider).await, a.id);
    assert!(matches!(store.read(move |db| actions::get(db, &v, id)).await.unwrap_err(), StoreError::NotFound { .. }));
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    assert!(store.read(move |db| actions::list(db, &v, f, &actions::Filter::default())).await.is_err());

    // The housing company's member marks it done; the association (a partner, not responsible) may not.
    assert!(matches!(set_status(store, w.association, &a, "done", None).await.unwrap_err(), StoreError::Forbidden));
    let e = set_status(store, w.tenant_member, &a, "cancelled", None).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status_reason".to_owned(), "required")]);
    let done = set_status(store, w.tenant_member, &a, "done", None).await.unwrap();
    assert_eq!((done.status.as_str(), done.outcome.as_deref()), ("done", Some("Sanerat.")));
    assert!(done.completed_at_ms.is_some());
    assert!(matches!(set_status(store, w.tenant_member, &a, "planned", None).await.unwrap_err(), StoreError::Stale), "old version");
    let reopened = set_status(store, w.coordinator, &done, "in_progress", None).await.unwrap();
    assert_eq!(reopened.completed_at_ms, None, "reopening clears the completion");

    // Overdue: open and past its date. An unchanged past date can still be edited.
    store
        .write(move |db| Ok(db.execute("UPDATE actions SET due_on = '2026-01-02' WHERE id = $1", brygga_store::args![id])?))
        .await
        .unwrap();
    let (v, f) = (viewer(store, w.tenant_member).await, w.forum);
    let overdue = store.read(move |db| actions::list(db, &v, f, &actions::Filter { overdue: true, ..Default::default() })).await.unwrap();
    assert_eq!(overdue.iter().map(|a| (a.id, a.overdue)).collect::<Vec<_>>(), [(id, true)]);
    let (v, f) = (viewer(store, w.tenant_member).await, w.forum);
    let mine = store.read(move |db| actions::list(db, &v, f, &actions::Filter { mine: true, ..Default::default() })).await.unwrap();
    assert_eq!(mine.len(), 1);
    let v = viewer(store, w.coordinator).await;
    let edited = store
        .write(move |db| {
            let before = actions::get(db, &v, id)?;
            let input = ActionInput {
                title: "Sanera klotter och belysa väggen".into(),
                responsible_org_id: Some(before.responsible.id),
                due_on: Some(before.due_on.clone()),
                ..ActionInput::default()
            };
            let valid = actions::prepare(db, &v, f, &input, Some(&before))?;
            actions::update(db, &v, id, before.version, &valid)
        })
        .await
        .unwrap();
    assert_eq!(edited.due_on, "2026-01-02");
    // The organisation responsible for an action cannot be deleted.
    let bostad = w.bostad;
    let e = store
        .write(move |db| {
            db.execute("DELETE FROM memberships WHERE org_id = $1", brygga_store::args![bostad])?;
            orgs::delete(db, &Viewer::system(), bostad)
        })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("organisation".to_owned(), "organisation.responsible")]);
}

pub async fn the_follow_up_compares_weeks_before_and_after(store: &Store) {
    let w = est(store).await;
    for (at, n) in [("2026-11-04T20:00", 2), ("2026-11-11T20:00", 5), ("2026-11-24T10:00", 1)] {
        let input = ObservationInput {
            forum_id: w.forum,
            category: "klotter".into(),
            area_id: Some(w.stortorget),
            observed_at: Some(at.into()),
            quantity: Some(n),
            ..Default::default()
        };
        report(store, w.reporter, input).await.unwrap();
    }
    let a = decide(
        store,
        w.coordinator,
        w.forum,
        ActionInput {
            title: "Sanera klotter".into(),
            responsible_org_id: Some(w.bostad),
            due_on: Some(in_days(3)),
            category: Some("graffiti".into()),
            area_id: Some(w.stortorget),
            no_police_powers: true,
            ..ActionInput::default()
        },
    )
    .await
    .unwrap();
    set_status(store, w.tenant_member, &a, "done", None).await.unwrap();
    // Completed Wednesday 18 November (W47), Swedish time.
    let id = a.id;
    store
        .write(move |db| {
            Ok(db.execute(
                "UPDATE actions SET completed_at = 1794996000000, created_at = 1794996000000 WHERE id = $1",
                brygga_store::args![id],
            )?)
        })
        .await
        .unwrap();
    let (v, f) = (viewer(store, w.tenant_member).await, w.forum);
    let month = actions::parse_month("2026-11").unwrap();
    let fu = store.read(move |db| actions::followup(db, &v, f, month)).await.unwrap();
    assert_eq!((fu.month.as_str(), fu.done.len(), fu.decided, fu.no_police_powers), ("2026-11", 1, 1, 1));
    let o = &fu.done[0];
    assert_eq!(o.completed_week, "2026-W47");
    assert_eq!(o.weeks_before, ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]);
    assert_eq!(o.before.as_deref(), Some(&[0, 0, 2, 5][..]));
    assert_eq!(o.weeks_after[..2], ["2026-W47".to_owned(), "2026-W48".to_owned()]);
    assert_eq!(o.after.as_ref().unwrap()[..2], [0, 1]);
    assert_eq!(o.mean_before, Some(1.75));
    assert_eq!(fu.by_org, [("AB Trelleborgshem".to_owned(), 1, 0)]);
    assert_eq!(actions::parse_month("november").unwrap_err().code, "month.invalid");
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    assert!(store.read(move |db| actions::followup(db, &v, f, month)).await.is_err(), "members only");
}

pub async fn meetings_build_the_agenda_and_decisions_become_actions(store: &Store) {
    let w = est(store).await;
    let open = decide(
        store,
        w.coordinator,
        w.forum,
        ActionInput {
            title: "Belysning i tunneln".into(),
            responsible_org_id: Some(w.bostad),
            due_on: Some(in_days(5)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let week = brygga_domain::time::IsoWeek::current();
    let (v, f) = (viewer(store, w.reporter).await, w.forum);
    assert!(
        matches!(store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap_err(), StoreError::Forbidden),
        "coordinators run meetings"
    );
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let far = week.plus(5);
    assert_eq!(
        field_codes(&store.write(move |db| meetings::open(db, &v, f, far)).await.unwrap_err()),
        [("week".to_owned(), "week.future")]
    );
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let m = store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap();
    assert_eq!(m.picture_week, week.plus(-1).to_string());
    let item = m.items.iter().find(|i| i.subject_action_id == Some(open.id)).expect("the open action is on the agenda");
    assert_eq!(item.kind, "open");
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let again = store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap();
    assert_eq!((again.id, again.items.len()), (m.id, m.items.len()), "opening twice gives the same meeting");
    // Attendance, notes and a new item; a note with personal data is refused at its item.
    let (v, f, item_id) = (viewer(store, w.coordinator).await, w.forum, item.id);
    let bad = meetings::SaveInput { version: m.version, item_notes: vec![(item_id, "Ring 070-123 45 67".into())], ..Default::default() };
    let e = store.write(move |db| meetings::save(db, &v, f, week, &bad)).await.unwrap_err();
    assert_eq!(field_codes(&e), [(format!("i{item_id}_note"), "text.personal_data")]);
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let input = meetings::SaveInput {
        version: m.version,
        held_on: Some("2026-12-01".into()),
        notes: Some("Bra uppslutning.".into()),
        present: vec![w.kommun, w.bostad],
        item_notes: vec![(item_id, "Trelleborgshem beställer nya armaturer.".into())],
        other: Some("Julmarknaden".into()),
    };
    let saved = store.write(move |db| meetings::save(db, &v, f, week, &input)).await.unwrap();
    let present: Vec<(i64, Option<bool>)> = saved.attendance.iter().map(|a| (a.org_id, a.present)).collect();
    assert!(present.contains(&(w.kommun, Some(true))) && present.contains(&(w.forening, Some(false))));
    assert_eq!(saved.items.last().unwrap().kind, "other");
    assert_eq!(saved.items.iter().find(|i| i.id == item_id).unwrap().note.as_deref(), Some("Trelleborgshem beställer nya armaturer."));
    let (v, f, version) = (viewer(store, w.coordinator).await, w.forum, m.version);
    let stale = meetings::SaveInput { version, ..Default::default() };
    assert!(matches!(store.write(move |db| meetings::save(db, &v, f, week, &stale)).await.unwrap_err(), StoreError::Stale));
    // A decision on the "other" item becomes an action linked to the meeting.
    let other = saved.items.last().unwrap().id;
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let no_org = ActionInput { title: "Extra nattvandring".into(), due_on: Some(in_days(10)), ..Default::default() };
    let e = store.write(move |db| meetings::decide(db, &v, f, week, other, &no_org)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("responsible_org_id".to_owned(), "required")]);
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let input = ActionInput {
        title: "Extra nattvandring".into(),
        responsible_org_id: Some(w.forening),
        due_on: Some(in_days(10)),
        ..Default::default()
    };
    let decided = store.write(move |db| meetings::decide(db, &v, f, week, other, &input)).await.unwrap();
    assert_eq!(decided.meeting_id, Some(m.id));
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let (m2, added) = store.write(move |db| meetings::refresh(db, &v, f, week)).await.unwrap();
    assert_eq!(added, 1, "the new action joins the agenda once");
    assert!(m2.items.iter().any(|i| i.subject_action_id == Some(decided.id)));
    assert_eq!(m2.items.iter().find(|i| i.id == other).unwrap().decided, [(decided.id, "Extra nattvandring".to_owned())]);
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    assert!(store.read(move |db| meetings::get(db, &v, f, week)).await.is_err(), "members only");
}

/// Makes `contacts` the forum's contact persons (users of its member organisations): asked,
/// and each accepts.
pub async fn set_contacts(store: &Store, w: &Est, contacts: Vec<i64>) {
    let (v, f, kommun, bostad, forening) = (viewer(store, w.coordinator).await, w.forum, w.kommun, w.bostad, w.forening);
    store
        .write(move |db| {
            let forum = forum::get(db, &v, f)?;
            let input = ForumInput {
                name: forum.name.clone(),
                municipality_code: forum.municipality_code.clone(),
                convener_org_id: kommun,
                member_org_ids: vec![bostad, forening],
                contact_user_ids: contacts,
                ..Default::default()
            }
            .validate()?;
            forum::update(db, &v, f, forum.version, &input, &postmark())
        })
        .await
        .unwrap();
    accept_all(store, w.forum).await;
}

async fn raise(store: &Store, user: i64, forum: i64, input: AlertInput, key: Option<&str>) -> Result<alerts::Raised, StoreError> {
    let (v, key) = (viewer(store, user).await, key.map(str::to_owned));
    store
        .write(move |db| {
            let valid = alerts::prepare(db, &v, forum, &input)?;
            alerts::raise(db, &v, &valid, key.as_deref(), &post())
        })
        .await
}

pub async fn alerts_reach_every_contact_once_and_are_acknowledged(store: &Store) {
    let w = est(store).await;
    set_contacts(store, &w, vec![w.coordinator, w.tenant_member]).await;
    // Outside the municipality (Kiruna), without a place, with personal data: refused, nothing written.
    let bad = AlertInput {
        title: "Ring 070-123 45 67".into(),
        urgency: "genast".into(),
        lat: Some(67.85),
        lon: Some(20.22),
        ..Default::default()
    };
    let e = raise(store, w.reporter, w.forum, bad, None).await.unwrap_err();
    assert_eq!(
        field_codes(&e),
        [
            ("title".to_owned(), "text.personal_data"),
            ("urgency".to_owned(), "urgency.unknown"),
            ("lat".to_owned(), "position.outside_municipality")
        ]
    );
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("lat").unwrap().message.contains("utanför Trelleborg"), "{errs:?}");
    let nowhere = AlertInput { title: "Bråk".into(), urgency: "today".into(), ..Default::default() };
    assert_eq!(field_codes(&raise(store, w.reporter, w.forum, nowhere, None).await.unwrap_err()), [("area_id".to_owned(), "required")]);
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM alerts", &[])?)).await.unwrap();
    assert_eq!(n, 0);
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    let ok = AlertInput {
        title: "Stenkastning mot bussar".into(),
        description: Some("Grupp vid hållplatsen.".into()),
        urgency: "immediate".into(),
        area_id: Some(w.stortorget),
        ..Default::default()
    };
    let (o, ok2) = (ok.clone(), ok.clone());
    assert!(matches!(store.read(move |db| alerts::prepare(db, &v, f, &o)).await.unwrap_err(), StoreError::Forbidden));

    // The reporter presses the button: both contacts notified, each by one queued e-mail.
    let r = raise(store, w.reporter, w.forum, ok, Some("form-key-1")).await.unwrap();
    assert!(!r.replayed);
    let mut to: Vec<i64> = r.alert.recipients.iter().map(|x| x.user_id).collect();
    to.sort_unstable();
    assert_eq!(to, [w.coordinator, w.tenant_member]);
    let again = raise(store, w.reporter, w.forum, ok2, Some("form-key-1")).await.unwrap();
    assert!(again.replayed && again.alert.id == r.alert.id, "pressing twice raises one alert");
    let id = r.alert.id;
    let (mails, head_start): (i64, i64) = store
        .read(move |db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'alert'", &[])?,
                db.scalar(
                    "SELECT MIN(o.created_at - j.run_at) FROM mail_outbox o JOIN jobs j ON j.id = o.job_id WHERE o.kind = 'alert'",
                    &[],
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(mails, 2);
    assert!(head_start > 0, "urgent alerts are sent before other waiting mail");
    let (subject, body): (String, String) = store
        .read(|db| {
            Ok(db.map_one("SELECT subject, body_text FROM mail_outbox WHERE kind = 'alert' ORDER BY id LIMIT 1", &[], subject_body)?)
        })
        .await
        .unwrap();
    assert!(subject.starts_with("LARM (Akut – nu): Stenkastning mot bussar – Stortorget"), "{subject}");
    assert!(body.contains(&format!("https://brygga.trelleborg.se/larm/{id}")) && !body.contains("Grupp vid hållplatsen"), "{body}");

    // Acknowledgements: recipients only, once each.
    let v = viewer(store, w.reporter).await;
    assert!(matches!(store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap_err(), StoreError::Forbidden));
    let v = viewer(store, w.tenant_member).await;
    assert_eq!(store.read(move |db| alerts::pending_count(db, &v)).await.unwrap(), 1);
    let v = viewer(store, w.tenant_member).await;
    let a = store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap();
    assert!(a.first_ack_ms.is_some_and(|ms| ms >= 0));
    let v = viewer(store, w.tenant_member).await;
    let twice = store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap();
    assert_eq!(twice.first_ack_ms, a.first_ack_ms);
    let v = viewer(store, w.tenant_member).await;
    assert_eq!(store.read(move |db| alerts::pending_count(db, &v)).await.unwrap(), 0);

    // Closed with a summary, by the one who raised it.
    let v = viewer(store, w.reporter).await;
    assert_eq!(
        field_codes(&store.write(move |db| alerts::close(db, &v, id, "  ")).await.unwrap_err()),
        [("summary".to_owned(), "required")]
    );
    let v = viewer(store, w.reporter).await;
    let closed = store.write(move |db| alerts::close(db, &v, id, "Polis på plats; lugnt efter 20 minuter.")).await.unwrap();
    assert_eq!((closed.status.as_str(), closed.summary.is_some()), ("closed", true));
    assert!(!closed.awaits(Some(w.coordinator)), "a closed alert awaits nobody's acknowledgement");
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let s = store.read(move |db| alerts::stats(db, &v, f)).await.unwrap();
    assert_eq!((s.total, s.open, s.acknowledged, s.ack_share), (1, 0, 1, Some(0.5)));
    assert_eq!(s.by_urgency[0], ("immediate".to_owned(), "Akut – nu".to_owned(), 1));
}

pub async fn digests_go_once_to_members_who_want_them(store: &Store) {
    let w = est(store).await;
    let week = brygga_domain::time::IsoWeek::current().plus(-1);
    let f = w.forum;
    let v = viewer(store, w.reader).await;
    store.write(move |db| brygga_store::accounts::preferences::set_digest_opt_out(db, &v, true)).await.unwrap();
    let first = store.write(move |db| digests::write(db, f, week, &post())).await.unwrap();
    // Five users in the three member organisations, one opted out; the outsider is not a member.
    assert_eq!((first.queued.len(), first.waiting.len(), first.already_sent), (4, 0, 0));
    let second = store.write(move |db| digests::write(db, f, week, &post())).await.unwrap();
    assert_eq!((second.queued.len(), second.waiting.len()), (0, 4), "a second run writes nothing new");
    let ids = first.queued.clone();
    store
        .write(move |db| {
            for id in ids {
                brygga_store::kernel::mail::mark_sent(db, id, 1)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let third = store.write(move |db| digests::write(db, f, week, &post())).await.unwrap();
    assert_eq!((third.queued.len(), third.already_sent), (0, 4));
    let (subject, body): (String, String) = store
        .read(|db| {
            Ok(db.map_one(
                "SELECT o.subject, o.body_text FROM mail_outbox o JOIN users u ON u.id = o.recipient_user_id WHERE u.email = 'vard@trelleborgshem.se'",
                &[],
                subject_body,
            )?)
        })
        .await
        .unwrap();
    assert!(subject.starts_with("Veckosammanfattning EST Trelleborg, v. "), "{subject}");
    assert!(body.contains("/konto/sammanfattning") && body.contains("https://brygga.trelleborg.se/forum/"), "{body}");
    let v = viewer(store, w.reader).await;
    let u = w.reader;
    assert!(store.read(move |db| brygga_store::accounts::preferences::digest_opted_out(db, u)).await.unwrap());
    store.write(move |db| brygga_store::accounts::preferences::set_digest_opt_out(db, &v, false)).await.unwrap();
    assert!(!store.read(move |db| brygga_store::accounts::preferences::digest_opted_out(db, u)).await.unwrap());
    assert_eq!(store.read(|db| digests::forum_by_name(db, "est trelleborg")).await.unwrap(), Some(f));
}

pub async fn share_links_show_aggregates_until_revoked(store: &Store) {
    let w = est(store).await;
    let f = w.forum;
    let input = share_links::ShareInput { label: "Skolornas rektorer".into(), days: Some(14), week: None };
    let (v, i) = (viewer(store, w.tenant_member).await, input.clone());
    assert!(
        matches!(store.write(move |db| share_links::create(db, &v, f, &i)).await.unwrap_err(), StoreError::Forbidden),
        "coordinators share"
    );
    let (v, i) =
        (viewer(store, w.coordinator).await, share_links::ShareInput { days: Some(365), week: Some("2099-W01".into()), ..input.clone() });
    let e = store.write(move |db| share_links::create(db, &v, f, &i)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("days".to_owned(), "days.range"), ("week".to_owned(), "week.not_complete")]);
    let v = viewer(store, w.coordinator).await;
    let created = store.write(move |db| share_links::create(db, &v, f, &input)).await.unwrap();
    assert!(created.token.len() >= 20 && created.token.starts_with(&created.link.prefix));
    let stored: String = store.read(|db| Ok(db.scalar("SELECT token_hash FROM share_links", &[])?)).await.unwrap();
    assert_ne!(stored, created.token, "only the hash is stored");

    let token = created.token.clone();
    let opened = store.write(move |db| share_links::open(db, &token, Origin::default())).await.unwrap();
    let share_links::Opened::Valid { viewer: sv, municipality, .. } = opened else { panic!("valid link") };
    assert_eq!(municipality, "1287");
    // The link's viewer gets the outsiders' view and nothing else.
    assert_eq!(brygga_store::kernel::sharing::aggregate_threshold(&sv, &Scope::Shared, 3).unwrap(), Some(3));
    assert!(brygga_store::kernel::sharing::aggregate_threshold(&sv, &Scope::Joint { forum_id: f }, 3).is_err());
    assert!(!sv.is_signed_in());
    let (opens, audited): (i64, i64) = store
        .read(|db| {
            Ok((
                db.scalar("SELECT open_count FROM share_links", &[])?,
                db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.open'", &[])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((opens, audited), (1, 1));
    let unknown = store.write(|db| share_links::open(db, "AAAAAAAAAAAAAAAAAAAAAAAA", Origin::default())).await.unwrap();
    assert!(matches!(unknown, share_links::Opened::Unknown));
    store.write(|db| Ok(db.execute("UPDATE share_links SET expires_at = 1", &[])?)).await.unwrap();
    let token = created.token.clone();
    assert!(matches!(store.write(move |db| share_links::open(db, &token, Origin::default())).await.unwrap(), share_links::Opened::Expired));
    let (v, id) = (viewer(store, w.coordinator).await, created.link.id);
    store.write(move |db| share_links::revoke(db, &v, id)).await.unwrap();
    let token = created.token.clone();
    assert!(matches!(store.write(move |db| share_links::open(db, &token, Origin::default())).await.unwrap(), share_links::Opened::Revoked));
}

pub async fn an_alert_without_contact_persons_goes_to_the_conveners_coordinators(store: &Store) {
    let w = est(store).await;
    let input = AlertInput { title: "Brand i soprum".into(), urgency: "today".into(), area_id: Some(w.stortorget), ..Default::default() };
    let r = raise(store, w.tenant_member, w.forum, input, None).await.unwrap();
    // No contact persons yet: never nowhere — the convening municipality's coordinators.
    assert_eq!(r.alert.recipients.iter().map(|x| x.user_id).collect::<Vec<_>>(), [w.coordinator]);
    let mails: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'alert'", &[])?)).await.unwrap();
    assert_eq!(mails, 1);
}

mod trust_ops;
pub use trust_ops::*;
mod trust_guard;
pub use trust_guard::*;
mod trust_picture;
pub use trust_picture::*;
mod trust_consent;
pub use trust_consent::*;
mod usecases;
pub use usecases::*;
mod reminders;
pub use reminders::*;
mod registries;
pub use registries::*;
mod picture_snapshot;
pub use picture_snapshot::*;
