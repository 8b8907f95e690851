//! Newsletters: a network list is its owner's alone; an opt-in list is public by name but its
//! subscribers are the owner's; only the owner's coordinators send; an unconfirmed or
//! unsubscribed address is never mailed; sending twice sends nothing more; each message
//! carries its own one-click unsubscribe URL.

use brygga_store::actors::networks::{self, MemberInput, NetworkInput};
use brygga_store::dialogue::newsletters::{self, IssueInput, IssueKind, ListInput};

use super::*;

async fn outbox(store: &Store) -> Vec<(String, Option<String>)> {
    store
        .read(|db| {
            Ok(db.map_all("SELECT recipient, list_unsubscribe FROM mail_outbox WHERE kind = 'newsletter' ORDER BY id", &[], |r| {
                Ok((r.get("recipient")?, r.get("list_unsubscribe")?))
            })?)
        })
        .await
        .unwrap()
}

/// Isolation and suppression for newsletters.
pub async fn newsletters_reach_only_confirmed_subscribers_once(store: &Store) {
    let w = est(store).await;
    let post = postmark();
    // An opt-in list of the municipality.
    let v = viewer(store, w.coordinator).await;
    let list = store
        .write(move |db| {
            newsletters::create_list(
                db,
                &v,
                &ListInput { name: "Trygg i Trelleborg".into(), description: Some("Varje månad.".into()), ..Default::default() },
            )
        })
        .await
        .unwrap();
    // Only the owner's coordinators create lists for it.
    for u in [w.reporter, w.association] {
        let v = viewer(store, u).await;
        let input = ListInput { name: "X".into(), owner_org_id: Some(w.kommun), ..Default::default() };
        assert!(matches!(store.write(move |db| newsletters::create_list(db, &v, &input)).await, Err(StoreError::Forbidden)), "{u}");
    }
    // A signed-in user subscribes with one click; an address through the form must confirm.
    let v = viewer(store, w.tenant_member).await;
    store.write(move |db| newsletters::subscribe_self(db, &v, list.id)).await.unwrap();
    let anon = Viewer::anonymous(Origin::default());
    let p = post.clone();
    store.write(move |db| newsletters::subscribe_email(db, &anon, &p, list.id, "granne@example.se")).await.unwrap();
    let anon = Viewer::anonymous(Origin::default());
    let p = post.clone();
    store.write(move |db| newsletters::subscribe_email(db, &anon, &p, list.id, "annan@example.se")).await.unwrap();
    let anon = Viewer::anonymous(Origin::default());
    let p = post.clone();
    let e = store.write(move |db| newsletters::subscribe_email(db, &anon, &p, list.id, "inte en adress")).await.unwrap_err();
    assert!(field_codes(&e).contains(&("email".into(), "email.invalid")), "{e:?}");
    let confirmations: Vec<String> = store
        .read(|db| Ok(db.scalars("SELECT body_text FROM mail_outbox WHERE kind = 'newsletter_confirm' ORDER BY id", &[])?))
        .await
        .unwrap();
    assert_eq!(confirmations.len(), 2);
    let token = |body: &str| body.split("/nyhetsbrev/bekrafta/").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let t = token(&confirmations[0]);
    let anon = Viewer::anonymous(Origin::default());
    store.write(move |db| newsletters::confirm(db, &anon, &t)).await.unwrap();
    // Subscribers and issues are the owner's: not an outsider's, not a subscriber's.
    for u in [w.outsider, w.tenant_member] {
        let v = viewer(store, u).await;
        assert!(store.read(move |db| newsletters::subscribers(db, &v, list.id)).await.is_err(), "{u}");
    }
    let v = viewer(store, w.tenant_member).await;
    let input = IssueInput { subject: "Hej".into(), body: "Text".into() };
    assert!(matches!(
        store.write(move |db| newsletters::create_issue(db, &v, list.id, &input, IssueKind::General, None)).await,
        Err(StoreError::Forbidden)
    ));
    // The coordinator writes and sends: the confirmed address and the member, not the unconfirmed one.
    let v = viewer(store, w.coordinator).await;
    let input = IssueInput { subject: "Nyhetsbrev april".into(), body: "Det här har hänt i centrum.".into() };
    let issue = store.write(move |db| newsletters::create_issue(db, &v, list.id, &input, IssueKind::General, None)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let p = post.clone();
    let sent = store.write(move |db| newsletters::send_issue(db, &v, &p, issue.id)).await.unwrap();
    assert_eq!(sent.recipient_count, 2);
    let out = outbox(store).await;
    assert_eq!(out.len(), 2);
    assert!(!out.iter().any(|(to, _)| to == "annan@example.se"), "unconfirmed is not mailed");
    let urls: Vec<String> = out.iter().map(|(_, u)| u.clone().expect("each carries its unsubscribe URL")).collect();
    assert_ne!(urls[0], urls[1], "one token per subscription");
    // Sending again does nothing.
    let v = viewer(store, w.coordinator).await;
    let p = post.clone();
    store.write(move |db| newsletters::send_issue(db, &v, &p, issue.id)).await.unwrap();
    assert_eq!(outbox(store).await.len(), 2);
    // The confirmed address unsubscribes with its token (no login): the next issue skips it.
    let granne = out.iter().find(|(to, _)| to == "granne@example.se").unwrap().1.clone().unwrap();
    let t = granne.rsplit('/').next().unwrap().to_owned();
    let anon = Viewer::anonymous(Origin::default());
    let state = store.write(move |db| newsletters::unsubscribe(db, &anon, &t)).await.unwrap();
    assert!(state.unsubscribed);
    let v = viewer(store, w.coordinator).await;
    let input = IssueInput { subject: "Nyhetsbrev maj".into(), body: "Mer.".into() };
    let second = store.write(move |db| newsletters::create_issue(db, &v, list.id, &input, IssueKind::General, None)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let p = post.clone();
    assert_eq!(store.write(move |db| newsletters::send_issue(db, &v, &p, second.id)).await.unwrap().recipient_count, 1);
    assert_eq!(outbox(store).await.iter().filter(|(to, _)| to == "granne@example.se").count(), 1);
    // An outcome digest names its consultation; a general issue does not.
    let v = viewer(store, w.coordinator).await;
    let input = IssueInput { subject: "Resultat".into(), body: "Text".into() };
    let e =
        store.write(move |db| newsletters::create_issue(db, &v, list.id, &input, IssueKind::ConsultationOutcome, None)).await.unwrap_err();
    assert!(field_codes(&e).contains(&("consultation_id".into(), "newsletter.consultation")), "{e:?}");

    // A network list: invisible to an unrelated organisation; goes to the members' users.
    let v = viewer(store, w.coordinator).await;
    let net = store
        .write(move |db| {
            networks::create(
                db,
                &v,
                &NetworkInput {
                    name: "Referensgruppen för centrum".into(),
                    kind: Some("reference_group".into()),
                    purpose: "Följa tryggheten i centrum.".into(),
                    cadence: Some("monthly".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, w.coordinator).await;
    let input = MemberInput { org_id: Some(w.bostad), joined_on: Some("2026-01-01".into()), ..Default::default() };
    store.write(move |db| networks::add_member(db, &v, net.id, &input)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let input = ListInput { name: "Till referensgruppen".into(), network_id: Some(net.id), ..Default::default() };
    let nl = store.write(move |db| newsletters::create_list(db, &v, &input)).await.unwrap();
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| newsletters::get_list(db, &v, nl.id)).await, Err(StoreError::NotFound { .. })));
    let v = viewer(store, w.outsider).await;
    assert!(!store.read(move |db| newsletters::lists(db, &v)).await.unwrap().iter().any(|l| l.id == nl.id));
    let v = viewer(store, w.coordinator).await;
    let input = IssueInput { subject: "Till gruppen".into(), body: "Möte på torsdag.".into() };
    let ni = store.write(move |db| newsletters::create_issue(db, &v, nl.id, &input, IssueKind::General, None)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let p = post.clone();
    let sent = store.write(move |db| newsletters::send_issue(db, &v, &p, ni.id)).await.unwrap();
    assert!(sent.recipient_count >= 1, "the housing company's users");
    let recipients: Vec<String> = store
        .read(move |db| {
            Ok(db.scalars(
                "SELECT o.recipient FROM newsletter_deliveries d JOIN mail_outbox o ON o.id = d.outbox_id WHERE d.issue_id = $1",
                &[ni.id.into()],
            )?)
        })
        .await
        .unwrap();
    let members: Vec<String> = store
        .read(move |db| {
            Ok(db.scalars("SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1", &[w.bostad.into()])?)
        })
        .await
        .unwrap();
    assert!(recipients.iter().all(|r| members.contains(r)), "{recipients:?}");
}
