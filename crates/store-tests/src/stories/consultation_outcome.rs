//! Concluding a consultation (issue 16, item 1): Brygga's theme suggestion is deterministic;
//! merges that would orphan items and removing a theme with items are refused with nothing
//! changed; a disposition may only link to what the organiser may read; only organisers
//! conclude; the compiled documentation never names an anonymous item's organisation, is
//! frozen per version and e-mailed to the participants; a changed disposition after
//! publication e-mails its contributor, an unchanged one does not.

use brygga_store::dialogue::consultations::compiled::{self, PublishInput};
use brygga_store::dialogue::consultations::dispositions::{self, DispositionInput};
use brygga_store::dialogue::consultations::themes;

use brygga_store::args;

use super::*;

/// A consultation organised by `lead`, in `status`, for Trelleborg, with the given invited
/// organisations (`(org, accepted)`) and two questions. Returns its id and the questions' ids.
pub async fn consultation_fixture(store: &Store, lead: i64, status: &'static str, invited: Vec<(i64, bool)>) -> (i64, [i64; 2]) {
    store
        .write(move |db| {
            let now = brygga_store::now_ms();
            let id: i64 = db.scalar(
                "INSERT INTO consultations (lead_org_id, title, kind, municipality_code, meets_at, input_closes_at, status, created_at, updated_at)
                 VALUES ($1, 'Samråd om rekrytering av unga', 'dialogue_meeting', '1287', $2, $3, $4, $2, $2) RETURNING id",
                args![lead, now, now + 86_400_000, status],
            )?;
            db.execute("INSERT INTO consultation_organisers (consultation_id, org_id) VALUES ($1, $2)", args![id, lead])?;
            for (org, accepted) in invited {
                db.execute(
                    "INSERT INTO consultation_invitations (consultation_id, org_id, invited_at, response) VALUES ($1, $2, $3, $4)",
                    args![id, org, now, if accepted { Some("accepted") } else { None }],
                )?;
            }
            let q1: i64 = db.scalar(
                "INSERT INTO consultation_questions (consultation_id, position, text) VALUES ($1, 1, 'Medskick till lägesbilden') RETURNING id",
                args![id],
            )?;
            let q2: i64 = db.scalar(
                "INSERT INTO consultation_questions (consultation_id, position, text) VALUES ($1, 2, 'Vad kan vi göra tillsammans?') RETURNING id",
                args![id],
            )?;
            Ok((id, [q1, q2]))
        })
        .await
        .unwrap()
}

/// Adds an item of input given by `org`; `author` None means a note-taker (`entered_by`) wrote
/// it down.
pub async fn input_fixture(
    store: &Store,
    (consultation, question): (i64, i64),
    (org, author, entered_by): (i64, Option<i64>, i64),
    anonymous: bool,
    text: &'static str,
) -> i64 {
    store
        .write(move |db| {
            let now = brygga_store::now_ms();
            Ok(db.scalar(
                "INSERT INTO consultation_inputs (consultation_id, question_id, org_id, author_user_id, entered_by_user_id, stage, attribution,
                     situation_material, text, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'during', $6, $7, $8, $9, $9) RETURNING id",
                args![consultation, question, org, author, entered_by, if anonymous { "anonymous" } else { "named" }, false, text, now],
            )?)
        })
        .await
        .unwrap()
}

fn code(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).code.to_owned(),
        other => panic!("expected Invalid at {field}, got {other:?}"),
    }
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar(sql, &[])?)).await.unwrap()
}

async fn mails_to(store: &Store, address: &'static str) -> Vec<String> {
    store
        .read(move |db| {
            Ok(db.scalars("SELECT subject FROM mail_outbox WHERE recipient = $1 AND kind = 'consultation' ORDER BY id", args![address])?)
        })
        .await
        .unwrap()
}

pub async fn consultations_conclude_with_themes_dispositions_and_published_documentation(store: &Store) {
    let (w, p) = super::plan_with_data(store).await;
    // Trelleborg consults; Nattvandrarna accepted, Trelleborgshem was invited; Ängelholm was not.
    let (c, [q1, q2]) = consultation_fixture(store, w.kommun, "open", vec![(w.forening, true), (w.bostad, false)]).await;
    let mut named = vec![];
    for text in [
        "Rekrytering sker via spelplattformar och sociala medier där unga är isolerade.",
        "Digital rekrytering på spelplattformar behöver mötas med vuxna online.",
        "Sociala medier och spelplattformar används för att rekrytera till enstaka brott.",
        "Skolans frånvaro är ett växande problem bland barn med NPF.",
        "Frånvaron i skolan måste följas upp tidigt, skolan är en skyddsfaktor.",
    ] {
        named.push(input_fixture(store, (c, q1), (w.forening, Some(w.association), w.association), false, text).await);
    }
    // Trelleborgshem speaks anonymously, through the organiser's note-taker.
    let anonymous =
        input_fixture(store, (c, q2), (w.bostad, None, w.coordinator), true, "Mentorskap och läxhjälp stärker skolan som skyddsfaktor.")
            .await;

    // Only organisers conclude; outsiders do not learn that the consultation exists.
    let outsider = viewer(store, w.outsider).await;
    let e = store.read(move |db| themes::list(db, &outsider, c)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let participant = viewer(store, w.association).await;
    assert!(store.read(move |db| themes::list(db, &participant, c)).await.unwrap().is_empty());
    let participant = viewer(store, w.association).await;
    let e = store.read(move |db| themes::suggest(db, &participant, c)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let participant = viewer(store, w.association).await;
    let (item, post) = (named[0], postmark());
    let e = store
        .write(move |db| {
            dispositions::set(
                db,
                &participant,
                &post,
                item,
                &DispositionInput { outcome: Some("adopted".into()), reason: Some("Bra".into()), links: vec![] },
            )
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");

    // The suggestion is deterministic and groups the platforms and the school.
    let me = viewer(store, w.coordinator).await;
    let first = store.read(move |db| themes::suggest(db, &me, c)).await.unwrap();
    let me = viewer(store, w.coordinator).await;
    assert_eq!(store.read(move |db| themes::suggest(db, &me, c)).await.unwrap(), first);
    let platforms = first.themes.iter().find(|t| t.input_ids.contains(&named[0])).expect("a theme for the platforms");
    assert!(platforms.input_ids.contains(&named[1]) && platforms.input_ids.contains(&named[2]), "{first:?}");
    let school = first.themes.iter().find(|t| t.input_ids.contains(&named[3])).expect("a theme for the school");
    assert!(school.input_ids.contains(&named[4]) && school.input_ids.contains(&anonymous), "{first:?}");
    let me = viewer(store, w.coordinator).await;
    let adopted = store.write(move |db| themes::adopt_suggestion(db, &me, c)).await.unwrap();
    assert_eq!(adopted.len(), first.themes.len());
    assert!(adopted.iter().all(|t| !t.confirmed));

    // Merges that would orphan items, and removing a theme with items: refused, nothing changed.
    let (a, b) = (adopted[0].id, adopted[1].id);
    let (other, _) = consultation_fixture(store, w.kommun, "draft", vec![]).await;
    let me = viewer(store, w.coordinator).await;
    let foreign = store
        .write(move |db| themes::create(db, &me, other, &themes::ThemeInput { name: Some("Annat".into()), ..Default::default() }))
        .await
        .unwrap()
        .id;
    let before = count(store, "SELECT COUNT(*) FROM consultation_inputs WHERE theme_id IS NOT NULL").await;
    for (into, expected) in [(None, "theme.merge_target"), (Some(a), "theme.merge_self"), (Some(foreign), "theme.merge_other_consultation")]
    {
        let me = viewer(store, w.coordinator).await;
        let e = store.write(move |db| themes::merge(db, &me, a, into)).await.unwrap_err();
        assert_eq!(code(&e, "into"), expected);
    }
    let me = viewer(store, w.coordinator).await;
    let e = store.write(move |db| themes::delete(db, &me, a)).await.unwrap_err();
    assert_eq!(code(&e, "theme"), "theme.not_empty");
    assert_eq!(count(store, "SELECT COUNT(*) FROM consultation_inputs WHERE theme_id IS NOT NULL").await, before);
    assert_eq!(count(store, "SELECT COUNT(*) FROM consultation_themes").await, adopted.len() as i64 + 1);
    // A real merge moves the items; the organiser confirms and names the result.
    let me = viewer(store, w.coordinator).await;
    let merged = store.write(move |db| themes::merge(db, &me, b, Some(a))).await.unwrap();
    assert_eq!(merged.items, adopted[0].items + adopted[1].items);
    let me = viewer(store, w.coordinator).await;
    let input = themes::ThemeInput { name: Some("Rekrytering och skolan".into()), summary: None, confirmed: Some(true) };
    store.write(move |db| themes::update(db, &me, a, &input)).await.unwrap();

    // A disposition may link only to what the organiser may read: Ängelholm's own plan is not.
    let hidden_measure: i64 = store
        .write(move |db| {
            let now = brygga_store::now_ms();
            let plan: i64 = db.scalar(
                "INSERT INTO action_plans (lineage_id, version_no, status, title, municipality_code, period_from, period_to, owner_org_id, visibility,
                     created_by_user_id, created_at, updated_at)
                 VALUES (0, 1, 'draft', 'Ängelholms plan', '1292', '2026-01-01', '2026-12-31', $1, 'organisation', $2, $3, $3) RETURNING id",
                args![w.angelholm, w.outsider, now],
            )?;
            db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", args![plan])?;
            db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", args![plan, w.angelholm])?;
            Ok(db.scalar(
                "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, status, basis, position) VALUES ($1, 'x', 'Hemlig insats', $2, 'planned', 'none', 1) RETURNING id",
                args![plan, w.angelholm],
            )?)
        })
        .await
        .unwrap();
    let me = viewer(store, w.coordinator).await;
    let (item, post) = (named[0], postmark());
    let bad = DispositionInput {
        outcome: Some("antaget".into()),
        reason: Some(" ".into()),
        links: vec![format!("measure:{hidden_measure}"), "plan:1".into()],
    };
    let e = store.write(move |db| dispositions::set(db, &me, &post, item, &bad)).await.unwrap_err();
    assert_eq!((code(&e, "outcome"), code(&e, "reason")), ("disposition.outcome".into(), "required".into()));
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    let links: Vec<&str> = errs.0.iter().filter(|x| x.field == "links").map(|x| x.code).collect();
    assert_eq!(links, ["disposition.link_unreadable", "disposition.link_format"]);
    assert!(!format!("{errs:?}").contains("Hemlig insats"), "the refusal must not reveal the hidden title");
    assert_eq!(count(store, "SELECT COUNT(*) FROM consultation_dispositions").await, 0);

    let me = viewer(store, w.coordinator).await;
    let (item, post, measure) = (named[0], postmark(), p.measure_ok);
    let good = DispositionInput {
        outcome: Some("adopted".into()),
        reason: Some("Ingår i insatsen om sanering och i nästa lägesbild.".into()),
        links: vec![format!("measure:{measure}")],
    };
    let d = store.write(move |db| dispositions::set(db, &me, &post, item, &good)).await.unwrap();
    assert_eq!((d.outcome_label.as_str(), d.links.len()), ("Omhändertaget", 1));
    assert_eq!(d.links[0].title, "Sanering inom 24 timmar");
    // Before the first publication nobody is e-mailed about single dispositions.
    assert!(mails_to(store, "ordf@nattvandrarna.se").await.is_empty());

    // A draft cannot be published; nothing is written.
    let me = viewer(store, w.coordinator).await;
    let post = postmark();
    let e = store.write(move |db| compiled::publish(db, &me, &post, other, &PublishInput::default())).await.unwrap_err();
    assert_eq!(code(&e, "consultation"), "consultation.draft");
    assert_eq!(count(store, "SELECT COUNT(*) FROM consultation_documents").await, 0);

    // Publishing: version 1, anonymous items without their organisation, e-mail to participants.
    let me = viewer(store, w.coordinator).await;
    let post = postmark();
    let input = PublishInput { note: Some("Första versionen".into()) };
    let doc = store.write(move |db| compiled::publish(db, &me, &post, c, &input)).await.unwrap();
    assert_eq!((doc.version, doc.counts.items, doc.counts.adopted, doc.counts.undecided), (1, 6, 1, 5));
    assert_eq!(doc.themes[0].name, "Rekrytering och skolan");
    assert_eq!(doc.participants, ["Nattvandrarna"]);
    let anon = doc.themes.iter().flat_map(|t| &t.items).find(|i| i.input_id == anonymous).expect("the anonymous item");
    assert_eq!(anon.attribution, None);
    let body: String = store.read(move |db| Ok(db.scalar("SELECT body FROM consultation_documents", &[])?)).await.unwrap();
    assert!(!body.contains("Trelleborgshem"), "the anonymous organisation must not be in the document");
    assert_eq!(mails_to(store, "ordf@nattvandrarna.se").await, ["Dokumentation från samrådet: Samråd om rekrytering av unga"]);

    // Participants read the frozen version; outsiders do not.
    let participant = viewer(store, w.association).await;
    let read = store.read(move |db| compiled::published(db, &participant, c, Some(1))).await.unwrap();
    assert_eq!(read, doc);
    let outsider = viewer(store, w.outsider).await;
    assert!(store.read(move |db| compiled::published(db, &outsider, c, None)).await.is_err());
    let participant = viewer(store, w.association).await;
    assert!(matches!(store.read(move |db| compiled::preview(db, &participant, c)).await, Err(StoreError::Forbidden)));

    // After publication, a changed disposition e-mails its contributor; the same one again does not.
    for (outcome, mails) in [("partly", 2), ("partly", 2)] {
        let me = viewer(store, w.coordinator).await;
        let (item, post) = (named[0], postmark());
        let input = DispositionInput {
            outcome: Some(outcome.into()),
            reason: Some("Ingår i insatsen om sanering och i nästa lägesbild.".into()),
            links: vec![format!("measure:{measure}")],
        };
        store.write(move |db| dispositions::set(db, &me, &post, item, &input)).await.unwrap();
        assert_eq!(mails_to(store, "ordf@nattvandrarna.se").await.len(), mails);
    }
    let subjects = mails_to(store, "ordf@nattvandrarna.se").await;
    assert_eq!(subjects[1], "Nytt besked om ert medskick: Samråd om rekrytering av unga");
    let body: String =
        store.read(|db| Ok(db.scalar("SELECT body_text FROM mail_outbox WHERE subject LIKE 'Nytt besked%'", &[])?)).await.unwrap();
    assert!(body.contains("Delvis omhändertaget") && !body.contains("spelplattformar"), "{body}");
    // The first version stays as it was published.
    let participant = viewer(store, w.association).await;
    let again = store.read(move |db| compiled::published(db, &participant, c, Some(1))).await.unwrap();
    assert_eq!(again.counts.adopted, 1);
}
