//! The idea bank and the idea board: a draft example is its owner's alone and a published one
//! everyone's; a story about a person without recorded consent, or with personal data in it,
//! is refused with nothing written; the idea board is read by signed-in users, interests by the
//! owner and the interested organisation only, and each new interest e-mails the owner's users.

use brygga_store::kernel::index::Reader;
use brygga_store::knowledge::ideas::{self, Example, ExampleInput, IdeaInput, InterestInput};

use super::*;

fn example(owner: i64) -> ExampleInput {
    ExampleInput {
        title: "Vuxna på stan fredagskvällar".into(),
        owner_org_id: Some(owner),
        municipality_code: Some("1287".into()),
        what_done: "Nattvandring med föreningar och bostadsbolaget varje fredag under hösten.".into(),
        results: Some("Färre larm om bråk i centrum under vandringskvällarna.".into()),
        evidence: Some("EST-rapporter före och efter, jämförda vecka för vecka.".into()),
        contact: Some("info@nattvandrarna.se".into()),
        ..Default::default()
    }
}

async fn write_example(store: &Store, user: i64, input: ExampleInput) -> Result<Example, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| ideas::create_example(db, &v, &input)).await
}

async fn example_titles(store: &Store, user: Option<i64>) -> Vec<String> {
    let v = match user {
        Some(u) => viewer(store, u).await,
        None => Viewer::anonymous(Origin::default()),
    };
    store.read(move |db| ideas::list_examples(db, &v, None)).await.unwrap().into_iter().map(|e| e.title).collect()
}

async fn example_rows(store: &Store) -> (i64, i64) {
    store
        .read(|db| Ok((db.scalar("SELECT COUNT(*) FROM good_examples", &[])?, db.scalar("SELECT COUNT(*) FROM good_example_orgs", &[])?)))
        .await
        .unwrap()
}

/// Drafts are the owner's; published examples everyone's; a story needs recorded consent and
/// passes the personal-data guard; nothing is written when refused.
pub async fn good_examples_keep_drafts_private_and_stories_need_consent(store: &Store) {
    let w = est(store).await;
    let before = example_rows(store).await;
    // A story without consent is refused with its Swedish message; nothing is written.
    let input = ExampleInput {
        story: Some("En ung man som ofta var ute sent fick via vandrarna kontakt med fritidsgården.".into()),
        actor_org_ids: vec![w.bostad],
        ..example(w.forening)
    };
    let e = write_example(store, w.association, input.clone()).await.unwrap_err();
    assert!(field_codes(&e).contains(&("story".into(), "knowledge.story_without_consent")), "{e:?}");
    match &e {
        StoreError::Invalid(errs) => assert!(errs.get("story").unwrap().message.contains("Personen har gett sitt samtycke"), "{errs:?}"),
        other => panic!("{other:?}"),
    }
    // With consent, personal data in the story is still refused (the guard's own code).
    let with_phone =
        ExampleInput {
            story: Some("Han nås på 070-123 45 67 om någon vill veta mer.".into()), story_consent: true, ..example(w.forening)
        };
    let e = write_example(store, w.association, with_phone).await.unwrap_err();
    assert!(field_codes(&e).contains(&("story".into(), "story.personal_data")), "{e:?}");
    // An unknown method, municipality and status are refused at their fields.
    let bad =
        ExampleInput { method_id: Some(9_999), municipality_code: Some("9999".into()), status: Some("klar".into()), ..example(w.forening) };
    let codes = field_codes(&write_example(store, w.association, bad).await.unwrap_err());
    for c in [
        ("method_id", "knowledge.method_unknown"),
        ("municipality_code", "knowledge.unknown_municipality"),
        ("status", "knowledge.unknown_status"),
    ] {
        assert!(codes.contains(&(c.0.into(), c.1)), "{c:?} in {codes:?}");
    }
    // Nobody writes for another organisation; a reader does not write at all.
    assert!(matches!(write_example(store, w.association, example(w.kommun)).await, Err(StoreError::Forbidden)));
    assert!(matches!(write_example(store, w.reader, example(w.kommun)).await, Err(StoreError::Forbidden)));
    assert_eq!(example_rows(store).await, before, "nothing written");
    // With consent the story is kept, with who recorded the consent and when.
    let draft = write_example(store, w.association, ExampleInput { story_consent: true, ..input }).await.unwrap();
    assert!(draft.story.is_some() && draft.story_consent_at_ms.is_some());
    let recorded: Option<i64> = store
        .read(move |db| Ok(db.scalar("SELECT story_consent_by_user_id FROM good_examples WHERE id = $1", &[draft.id.into()])?))
        .await
        .unwrap();
    assert_eq!(recorded, Some(w.association));
    // The draft: the owner's users only — not a named actor, not the forum, not anonymous.
    assert_eq!(example_titles(store, Some(w.association)).await, ["Vuxna på stan fredagskvällar"]);
    for u in [Some(w.tenant_member), Some(w.coordinator), Some(w.outsider), None] {
        assert!(example_titles(store, u).await.is_empty(), "{u:?}");
    }
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| ideas::get_example(db, &v, draft.id)).await, Err(StoreError::NotFound { .. })));
    let doc = store.read(move |db| ideas::search_document(db, draft.id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, vec![Reader::Org(w.forening)]);
    // An outsider cannot change it.
    let v = viewer(store, w.outsider).await;
    let (id, version) = (draft.id, draft.version);
    let e = store.write(move |db| ideas::update_example(db, &v, id, version, &example(w.forening))).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    // Published: everyone reads it, anonymous included, and the index says so.
    let v = viewer(store, w.association).await;
    let publish = ExampleInput {
        status: Some("published".into()),
        story: draft.story.clone(),
        story_consent: true,
        actor_org_ids: vec![w.bostad],
        ..example(w.forening)
    };
    let published = store.write(move |db| ideas::update_example(db, &v, id, version, &publish)).await.unwrap();
    assert!(published.published());
    assert_eq!(published.actor_orgs.iter().map(|o| o.id).collect::<Vec<_>>(), vec![w.bostad]);
    assert_eq!(example_titles(store, None).await, ["Vuxna på stan fredagskvällar"]);
    assert_eq!(example_titles(store, Some(w.outsider)).await, ["Vuxna på stan fredagskvällar"]);
    let doc = store.read(move |db| ideas::search_document(db, id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, vec![Reader::Public]);
    assert!(!doc.body.contains("ung man"), "the story stays out of the index");
}

/// The idea board: signed-in users read open ideas; interests are read by the owner and the
/// interested organisation only; each new interest e-mails the owner's users once; one
/// interest per organisation; a closed idea takes none and is its owner's only.
pub async fn idea_board_is_for_signed_in_users_and_mails_the_owner(store: &Store) {
    let w = est(store).await;
    let v = viewer(store, w.association).await;
    let idea = store
        .write(move |db| {
            ideas::create_idea(
                db,
                &v,
                &IdeaInput {
                    title: "Läxhjälp i Västra förstaden".into(),
                    needs: "Lokal på kvällstid och två vuxna som kan hjälpa till.".into(),
                    municipality_code: Some("1287".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    // Anonymous reads nothing; a signed-in outsider reads the open idea.
    let anon = Viewer::anonymous(Origin::default());
    assert!(store.read(move |db| ideas::list_ideas(db, &anon)).await.unwrap().is_empty());
    let anon = Viewer::anonymous(Origin::default());
    assert!(matches!(store.read(move |db| ideas::get_idea(db, &anon, idea.id)).await, Err(StoreError::NotFound { .. })));
    let v = viewer(store, w.outsider).await;
    assert_eq!(store.read(move |db| ideas::list_ideas(db, &v)).await.unwrap().len(), 1);
    // The owner may not register interest in its own idea; an empty message is refused.
    let mail_before: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    let v = viewer(store, w.association).await;
    let e = store
        .write(move |db| {
            ideas::register_interest(db, &v, &postmark(), idea.id, &InterestInput { org_id: Some(w.forening), message: "Vi".into() })
        })
        .await
        .unwrap_err();
    assert!(field_codes(&e).contains(&("org_id".into(), "knowledge.own_idea")), "{e:?}");
    let v = viewer(store, w.coordinator).await;
    let e = store
        .write(move |db| ideas::register_interest(db, &v, &postmark(), idea.id, &InterestInput { org_id: None, message: " ".into() }))
        .await
        .unwrap_err();
    assert!(field_codes(&e).contains(&("message".into(), "required")), "{e:?}");
    // The municipality registers interest: the owner's users are e-mailed, naming the organisation.
    let v = viewer(store, w.coordinator).await;
    let input = InterestInput { org_id: Some(w.kommun), message: "Vi kan låna ut fritidsgårdens lokal på tisdagar.".into() };
    let seen = store.write(move |db| ideas::register_interest(db, &v, &postmark(), idea.id, &input)).await.unwrap();
    assert_eq!(seen.interests.len(), 1);
    let mails: Vec<(String, String)> = store
        .read(move |db| {
            Ok(db.map_all(
                "SELECT subject, body_text FROM mail_outbox WHERE kind = 'idea_interest' AND id > $1",
                &[mail_before.into()],
                |r| Ok((r.get("subject")?, r.get("body_text")?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "the association's one user");
    assert!(mails[0].1.contains("Trelleborgs kommun har anmält intresse"), "{}", mails[0].1);
    assert!(!mails[0].1.contains("fritidsgårdens lokal"), "the message stays in Brygga");
    // A second interest from the same organisation is refused.
    let v = viewer(store, w.coordinator).await;
    let input = InterestInput { org_id: Some(w.kommun), message: "Igen".into() };
    let e = store.write(move |db| ideas::register_interest(db, &v, &postmark(), idea.id, &input)).await.unwrap_err();
    assert!(field_codes(&e).contains(&("org_id".into(), "knowledge.interest_exists")), "{e:?}");
    // Who is interested: the owner and the interested organisation; another reader sees the count only.
    let v = viewer(store, w.association).await;
    assert_eq!(store.read(move |db| ideas::get_idea(db, &v, idea.id)).await.unwrap().interests[0].org.id, w.kommun);
    let v = viewer(store, w.tenant_member).await;
    let other = store.read(move |db| ideas::get_idea(db, &v, idea.id)).await.unwrap();
    assert_eq!((other.interest_count, other.interests.len()), (1, 0));
    // Closed: its owner's only, and no more interest.
    let v = viewer(store, w.association).await;
    let closed = store
        .write(move |db| {
            ideas::update_idea(
                db,
                &v,
                idea.id,
                idea.version,
                &IdeaInput { title: idea.title.clone(), needs: idea.needs.clone(), status: Some("closed".into()), ..Default::default() },
            )
        })
        .await
        .unwrap();
    assert!(!closed.open());
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| ideas::get_idea(db, &v, closed.id)).await, Err(StoreError::NotFound { .. })));
    let doc = store.read(move |db| ideas::idea_search_document(db, closed.id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, vec![Reader::Org(w.forening)]);
}
