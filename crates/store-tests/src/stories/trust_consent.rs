//! Issue 11, findings 4, 8 and 17 (part): nobody joins a forum, becomes its contact person or
//! joins an organisation without saying yes; answers never reveal which ids or addresses exist;
//! an alert that reaches nobody says so.

use brygga_domain::account::Email;
use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::forum_work::alerts::{self, AlertInput};
use brygga_store::forums::consent::{self, Answer};
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store::{ConnExt, Store, StoreError, Viewer, forum_work::digests};

use super::{accept_all, org, postmark, user, viewer};

fn messages(e: &StoreError) -> Vec<(String, &'static str, String)> {
    match e {
        StoreError::Invalid(errs) => errs.0.iter().map(|f| (f.field.clone(), f.code, f.message.clone())).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn mails_to(store: &Store, user: i64, kind: &'static str) -> i64 {
    store
        .read(move |db| {
            Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient_user_id = $1 AND kind = $2", &[user.into(), kind.into()])?)
        })
        .await
        .unwrap()
}

async fn raise(store: &Store, user: i64, forum: i64, title: &str) -> alerts::Raised {
    let v = viewer(store, user).await;
    let input =
        AlertInput { title: title.into(), urgency: "immediate".into(), lat: Some(55.3751), lon: Some(13.1566), ..Default::default() };
    store
        .write(move |db| {
            let valid = alerts::prepare(db, &v, forum, &input)?;
            alerts::raise(db, &v, &valid, None, &postmark())
        })
        .await
        .unwrap()
}

pub async fn consent_forum_members_and_contacts_accept_first(store: &Store) {
    let kommun = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let bostad = org(store, "AB Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let polis = org(store, "Polisen LPO Trelleborg", OrgKind::Police, &["1287"]).await;
    let coordinator = user(store, "samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let reporter = user(store, "falt@trelleborg.se", kommun, Role::Reporter).await;
    let bostad_admin = user(store, "admin@trelleborgshem.se", bostad, Role::Administrator).await;
    let tenant = user(store, "vard@trelleborgshem.se", bostad, Role::Member).await;
    let police = user(store, "kommunpolis@polisen.se", polis, Role::Coordinator).await;

    // Everyone as member, their people as contact persons: the people cannot be named before
    // their organisations accepted, and an unknown id gets the very same answer.
    let input = |contacts: Vec<i64>| {
        ForumInput {
            name: "EST Trelleborg".into(),
            municipality_code: Some("1287".into()),
            convener_org_id: kommun,
            member_org_ids: vec![bostad, polis],
            contact_user_ids: contacts,
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let v = viewer(store, coordinator).await;
    let (v1, v2, existing, unknown) = (v.clone(), v.clone(), input(vec![tenant]), input(vec![999_999]));
    let e1 = store.write(move |db| forum::create(db, &v1, &existing, &postmark())).await.unwrap_err();
    let e2 = store.write(move |db| forum::create(db, &v2, &unknown, &postmark())).await.unwrap_err();
    let anon = |m: Vec<(String, &'static str, String)>, id: i64| {
        m.into_iter().map(|(f, c, msg)| (f, c, msg.replace(&id.to_string(), "ID"))).collect::<Vec<_>>()
    };
    assert_eq!(anon(messages(&e1), tenant), anon(messages(&e2), 999_999), "existing and unknown ids answer alike");
    assert_eq!(messages(&e1)[0].1, "forum.contact_not_member");

    let valid = input(vec![]);
    let v1 = v.clone();
    let forum = store.write(move |db| forum::create(db, &v1, &valid, &postmark())).await.unwrap();
    let fid = forum.id;
    assert_eq!(forum.members.iter().map(|m| m.id).collect::<Vec<_>>(), [kommun], "only the convener is a member");
    assert_eq!(forum.invited.len(), 2);
    // The invited organisations' administrators and coordinators are told, in the app and by e-mail.
    assert_eq!(mails_to(store, bostad_admin, consent::MAIL_KIND).await, 1);
    assert_eq!(mails_to(store, police, consent::MAIL_KIND).await, 1);
    assert_eq!(mails_to(store, tenant, consent::MAIL_KIND).await, 0, "a member does not answer for the organisation");
    let vb = viewer(store, bostad_admin).await;
    assert!(vb.forum_ids().is_empty(), "invited is not a member");
    let pending = store.read(move |db| consent::pending_for(db, &vb)).await.unwrap();
    assert_eq!(pending.forums.iter().map(|f| (f.forum_id, f.org_id)).collect::<Vec<_>>(), [(fid, bostad)]);

    // An invited organisation's member cannot answer for it; nobody answers another's invitation.
    let vt = viewer(store, tenant).await;
    let e = store.write(move |db| consent::answer_forum_invitation(db, &vt, fid, bostad, Answer::Accept)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let vp = viewer(store, police).await;
    let e = store.write(move |db| consent::answer_forum_invitation(db, &vp, fid, bostad, Answer::Accept)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");

    // An alert now reaches nobody outside the convener, and no digest goes to the invited.
    let r = raise(store, reporter, fid, "Logga in på https://evil.example/").await;
    assert_eq!(r.alert.recipients.iter().map(|x| x.user_id).collect::<Vec<_>>(), [coordinator]);
    let week = brygga_domain::time::IsoWeek::current().plus(-2);
    store.write(move |db| digests::write(db, fid, week, &postmark())).await.unwrap();
    for outsider in [bostad_admin, tenant, police] {
        assert_eq!(mails_to(store, outsider, "alert").await, 0);
        assert_eq!(mails_to(store, outsider, "digest").await, 0);
    }

    // The housing company accepts; the police decline.
    let vb = viewer(store, bostad_admin).await;
    store.write(move |db| consent::answer_forum_invitation(db, &vb, fid, bostad, Answer::Accept)).await.unwrap();
    let vp = viewer(store, police).await;
    store.write(move |db| consent::answer_forum_invitation(db, &vp, fid, polis, Answer::Decline)).await.unwrap();
    let vt = viewer(store, tenant).await;
    assert_eq!(vt.forum_ids(), [fid]);
    assert!(viewer(store, police).await.forum_ids().is_empty());

    // Now the tenant may be asked; until they accept nothing is listed, nobody is alerted.
    // (The police declined: the convener leaves them out rather than invite them again.)
    let ask = ForumInput {
        name: "EST Trelleborg".into(),
        municipality_code: Some("1287".into()),
        convener_org_id: kommun,
        member_org_ids: vec![bostad],
        contact_user_ids: vec![tenant],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let v1 = v.clone();
    let f = store.write(move |db| forum::update(db, &v1, fid, forum.version, &ask, &postmark())).await.unwrap();
    assert!(f.contacts.is_empty());
    assert_eq!(f.pending_contact_user_ids, [tenant]);
    assert_eq!(mails_to(store, tenant, consent::MAIL_KIND).await, 1, "the person asked is told");
    let r = raise(store, reporter, fid, "Brand i soprum").await;
    assert_eq!(r.alert.recipients.iter().map(|x| x.user_id).collect::<Vec<_>>(), [coordinator], "not the one merely asked");
    // Nobody but the person answers.
    let vb = viewer(store, bostad_admin).await;
    let e = store.write(move |db| consent::answer_contact_request(db, &vb, fid, Answer::Accept)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let vt = viewer(store, tenant).await;
    store.write(move |db| consent::answer_contact_request(db, &vt, fid, Answer::Accept)).await.unwrap();

    // Accepted: everything works as before, for the accepted only.
    let r = raise(store, reporter, fid, "Brand igen").await;
    assert_eq!(r.alert.recipients.iter().map(|x| x.user_id).collect::<Vec<_>>(), [tenant]);
    let (vm, vo) = (viewer(store, bostad_admin).await, viewer(store, police).await);
    let seen = store.read(move |db| forum::get(db, &vm, fid)).await.unwrap();
    assert_eq!(seen.contacts.iter().map(|c| (c.user_id, c.email.as_str())).collect::<Vec<_>>(), [(tenant, "vard@trelleborgshem.se")]);
    let outside = store.read(move |db| forum::get(db, &vo, fid)).await.unwrap();
    assert!(outside.contacts.is_empty() && outside.invited.is_empty(), "details for members only");
    // A system administrator from outside is not a member either.
    let root = {
        let input = NewUserInput { email: "root@brygga.test".into(), name: "Rot".into(), system_admin: true, ..Default::default() }
            .validate()
            .unwrap();
        store.write(move |db| users::create(db, &Viewer::command_line(), &input)).await.unwrap().id
    };
    let vr = viewer(store, root).await;
    assert!(store.read(move |db| forum::get(db, &vr, fid)).await.unwrap().contacts.is_empty());
    let week2 = week.plus(1);
    store.write(move |db| digests::write(db, fid, week2, &postmark())).await.unwrap();
    assert_eq!(mails_to(store, tenant, "digest").await, 1);
    assert_eq!(mails_to(store, police, "digest").await, 0);
}

pub async fn consent_only_an_approved_claim_opens_a_municipality_forum(store: &Store) {
    let hassleholm = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let coordinator = user(store, "samordnare@hassleholm.se", hassleholm, Role::Coordinator).await;
    let input = |code: &str| {
        ForumInput {
            name: format!("Forum {code}"),
            municipality_code: Some(code.into()),
            convener_org_id: hassleholm,
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let (v, trelleborg) = (viewer(store, coordinator).await, input("1287"));
    let e = store.write(move |db| forum::create(db, &v, &trelleborg, &postmark())).await.unwrap_err();
    assert_eq!(
        messages(&e).iter().map(|m| (m.0.as_str(), m.1)).collect::<Vec<_>>(),
        [("municipality_code", "forum.municipality_not_claimed")]
    );
    let (v, own) = (viewer(store, coordinator).await, input("1293"));
    store.write(move |db| forum::create(db, &v, &own, &postmark())).await.unwrap();
    let trelleborg = input("1287");
    store.write(move |db| forum::create(db, &Viewer::command_line(), &trelleborg, &postmark())).await.unwrap();
}

pub async fn consent_memberships_are_invitations_the_person_accepts(store: &Store) {
    let a = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let b = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let empty = org(store, "Ny förening", OrgKind::CivilSociety, &["1293"]).await;
    let admin = user(store, "admin@hassleholm.se", a, Role::Administrator).await;
    let someone = user(store, "person@engelholm.se", b, Role::Member).await;
    let va = viewer(store, admin).await;

    // Adding an account by id: an existing non-member and an unknown id answer alike.
    let (v1, v2) = (va.clone(), va.clone());
    let e1 = store.write(move |db| users::set_membership(db, &v1, someone, a, Role::Member)).await.unwrap_err();
    let e2 = store.write(move |db| users::set_membership(db, &v2, 999_999, a, Role::Member)).await.unwrap_err();
    assert_eq!(format!("{e1:?}"), format!("{e2:?}"));
    assert!(matches!(e1, StoreError::NotFound { .. }), "{e1:?}");
    let v1 = va.clone();
    let e = store.read(move |db| users::get(db, &v1, someone)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");

    // Inviting an address: the answer is the same with and without an account.
    let invite = |email: &str, v: Viewer| {
        let email = Email::parse(email).unwrap();
        store.write(move |db| brygga_store::accounts::invitations::invite_member(db, &v, a, &email, Role::Member, &postmark()))
    };
    let with = invite("person@engelholm.se", va.clone()).await.unwrap();
    let without = invite("ingen@nowhere.example", va.clone()).await.unwrap();
    let strip = |i: &brygga_store::accounts::invitations::MembershipInvitation| {
        (i.org_id, i.role, i.status.clone(), i.needs_org_approval, i.org_approved)
    };
    assert_eq!(strip(&with), strip(&without));
    assert_eq!(mails_to(store, someone, consent::MAIL_KIND).await, 1, "the person is told");
    // Until accepted: not a member, nothing to read about them.
    let v1 = va.clone();
    assert!(store.read(move |db| users::get(db, &v1, someone)).await.is_err());
    let listed = store.read({
        let v = va.clone();
        move |db| brygga_store::accounts::invitations::org_invitations(db, &v, a)
    });
    assert_eq!(listed.await.unwrap().len(), 2);
    // Only the person answers.
    let (v1, id) = (va.clone(), with.id);
    assert!(
        store
            .write(move |db| brygga_store::accounts::invitations::answer_membership_invitation(db, &v1, id, Answer::Accept))
            .await
            .is_err()
    );
    let vs = viewer(store, someone).await;
    store.write(move |db| brygga_store::accounts::invitations::answer_membership_invitation(db, &vs, id, Answer::Accept)).await.unwrap();
    assert_eq!(viewer(store, someone).await.role_in(a), Some(Role::Member));

    // A system administrator joining needs the organisation's administrator, who is told.
    let root = {
        let input = NewUserInput { email: "root@brygga.test".into(), name: "Rot".into(), system_admin: true, ..Default::default() }
            .validate()
            .unwrap();
        store.write(move |db| users::create(db, &Viewer::command_line(), &input)).await.unwrap().id
    };
    let vr = viewer(store, root).await;
    let e = store.write({
        let v = vr.clone();
        move |db| users::set_membership(db, &v, root, a, Role::Administrator)
    });
    assert!(matches!(e.await.unwrap_err(), StoreError::NotFound { .. }));
    let before = mails_to(store, admin, consent::MAIL_KIND).await;
    let inv = invite("root@brygga.test", vr.clone()).await.unwrap();
    assert!(inv.needs_org_approval);
    assert_eq!(mails_to(store, admin, consent::MAIL_KIND).await, before + 1, "the administrators are told");
    assert_eq!(viewer(store, root).await.role_in(a), None, "not without approval");
    let audited: i64 = store
        .read(move |db| Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'membership.invite' AND org_id = $1", &[a.into()])?))
        .await
        .unwrap();
    assert_eq!(audited, 3);
    let va2 = viewer(store, admin).await;
    let waiting = store.read(move |db| consent::pending_for(db, &va2)).await.unwrap();
    assert_eq!(waiting.memberships.iter().map(|m| m.id).collect::<Vec<_>>(), [inv.id]);
    let (va2, id) = (viewer(store, admin).await, inv.id);
    store.write(move |db| brygga_store::accounts::invitations::answer_membership_invitation(db, &va2, id, Answer::Accept)).await.unwrap();
    assert_eq!(viewer(store, root).await.role_in(a), Some(Role::Member));

    // Bootstrapping an organisation without administrators: at once.
    let email = Email::parse("root@brygga.test").unwrap();
    let v = viewer(store, root).await;
    let inv = store
        .write(move |db| brygga_store::accounts::invitations::invite_member(db, &v, empty, &email, Role::Administrator, &postmark()))
        .await
        .unwrap();
    assert_eq!(inv.status, "accepted");
    assert_eq!(viewer(store, root).await.role_in(empty), Some(Role::Administrator));
}

pub async fn consent_an_alert_that_reaches_nobody_says_so(store: &Store) {
    let kommun = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let coordinator = user(store, "samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let input =
        ForumInput { name: "EST Trelleborg".into(), municipality_code: Some("1287".into()), convener_org_id: kommun, ..Default::default() }
            .validate()
            .unwrap();
    let v = viewer(store, coordinator).await;
    let fid = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap().id;
    accept_all(store, fid).await;
    let r = raise(store, coordinator, fid, "Brand i soprum").await;
    assert!(r.alert.recipients.is_empty());
    let notice = r.alert.notice.expect("the raiser is told");
    assert!(notice.contains("nådde ingen"), "{notice}");
    // With another coordinator in the convening organisation, it reaches them and says nothing.
    let other = user(store, "annan@trelleborg.se", kommun, Role::Coordinator).await;
    let r = raise(store, coordinator, fid, "Brand igen").await;
    assert_eq!(r.alert.recipients.iter().map(|x| x.user_id).collect::<Vec<_>>(), [other]);
    assert!(r.alert.notice.is_none());
}
