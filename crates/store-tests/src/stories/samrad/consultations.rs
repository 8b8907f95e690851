//! Consultations: isolation (an unrelated organisation sees no consultation and no input, an
//! invited organisation no draft, participants not each other's input), attribution
//! suppression (the organiser never learns who gave an anonymous item; the lägesbild source
//! shows "Anonym deltagare"), bad input (closed consultation, personal data, unknown question)
//! refused with nothing written, invitations by e-mail without the purpose.

use brygga_store::dialogue::consultations::consultation::{self, CandidateFilter, Consultation, ConsultationInput, RegistrationInput};
use brygga_store::dialogue::consultations::input::{self, InputForm};
use brygga_store::dialogue::consultations::{mine, situation as civil};
use brygga_store::plans::situation::{self as lagesbild, SituationInput};

use super::*;

/// 2025-01-28 17:00 Swedish time.
const MEETS: &str = "2025-01-28 17:00";
/// A time the consultation is open at (before it closes at 2099).
const OPEN_NOW: i64 = 1_738_080_000_000;

fn police_consultation(lead: i64) -> ConsultationInput {
    ConsultationInput {
        title: "Samråd med civilsamhället om lägesbilden".into(),
        kind: "dialogue_meeting".into(),
        purpose: Some("Att ta del av civilsamhällets bild av tryggheten i Trelleborg.".into()),
        municipality_code: Some("1287".into()),
        meets_at: Some(MEETS.into()),
        meets_until: Some("2025-01-28 20:00".into()),
        place: Some("Föreningshuset, Östergatan".into()),
        digital_link: Some("https://meet.example/samrad".into()),
        arrangements: Some("Fika från 16.30. Tolk kan ordnas.".into()),
        input_closes_at: Some("2099-02-04 23:59".into()),
        questions: vec!["Medskick till lägesbilden".into(), "Vilka insatser görs bäst tillsammans?".into()],
        lead_org_id: Some(lead),
        ..Default::default()
    }
}

async fn create(store: &Store, user: i64, input: ConsultationInput) -> Result<Consultation, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| consultation::create(db, &v, &input)).await
}

async fn get(store: &Store, user: i64, id: i64) -> Option<Consultation> {
    let v = viewer(store, user).await;
    store.read(move |db| consultation::get(db, &v, id)).await.unwrap()
}

async fn titles(store: &Store, user: i64) -> Vec<String> {
    let v = viewer(store, user).await;
    store.read(move |db| consultation::list(db, &v)).await.unwrap().into_iter().map(|c| c.title).collect()
}

async fn give(store: &Store, user: i64, id: i64, f: InputForm, now: i64) -> Result<input::Input, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| input::give(db, &v, id, &f, now)).await
}

async fn texts(store: &Store, user: i64, id: i64) -> Vec<String> {
    let v = viewer(store, user).await;
    store.read(move |db| input::list_for_consultation(db, &v, id)).await.unwrap().into_iter().map(|i| i.text).collect()
}

async fn count(store: &Store, table: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[])?)).await.unwrap()
}

fn item(text: &str, attribution: &str, material: bool) -> InputForm {
    InputForm { text: text.into(), attribution: Some(attribution.into()), situation_material: material, ..Default::default() }
}

/// An open consultation by the municipality with the association and the housing company invited.
async fn open_consultation(store: &Store, w: &Est) -> Consultation {
    let c = create(store, w.coordinator, police_consultation(w.kommun)).await.unwrap();
    let (v, id) = (viewer(store, w.coordinator).await, c.id);
    let (forening, bostad) = (w.forening, w.bostad);
    store.write(move |db| consultation::invite(db, &v, id, &[forening, bostad], &postmark())).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| consultation::set_status(db, &v, id, "open")).await.unwrap()
}

/// Who reads what: the organiser everything; an invited organisation the consultation once it
/// is open, and only its own input; an unrelated organisation nothing, and it cannot write.
pub async fn consultations_are_read_by_organisers_and_invited_once_open(store: &Store) {
    let w = est(store).await;
    let c = create(store, w.coordinator, police_consultation(w.kommun)).await.unwrap();
    assert!(c.is_organiser);
    assert!(c.outside_office_hours(), "17:00 on a Tuesday is outside office hours");
    assert_eq!(c.questions.iter().map(|q| q.position).collect::<Vec<_>>(), vec![1, 2]);
    // A reporter of the organiser may read it, but not organise it.
    assert!(get(store, w.reporter, c.id).await.is_some());
    let (v, id) = (viewer(store, w.reporter).await, c.id);
    assert!(matches!(store.write(move |db| consultation::set_status(db, &v, id, "open")).await, Err(StoreError::Forbidden)));
    // Invited to a draft: not yet visible.
    let (v, id, forening, bostad) = (viewer(store, w.coordinator).await, c.id, w.forening, w.bostad);
    let mails_before = count(store, "mail_outbox").await;
    assert_eq!(store.write(move |db| consultation::invite(db, &v, id, &[forening, bostad, forening], &postmark())).await.unwrap(), 2);
    assert!(count(store, "mail_outbox").await > mails_before, "the invited organisations' coordinators are e-mailed");
    let body: String = store
        .read(|db| Ok(db.scalar("SELECT body_text FROM mail_outbox WHERE kind = 'consultation_invitation' ORDER BY id DESC LIMIT 1", &[])?))
        .await
        .unwrap();
    assert!(body.contains("Samråd med civilsamhället") && body.contains("/samrad/"), "{body}");
    assert!(!body.contains("civilsamhällets bild av tryggheten"), "the purpose is not in the e-mail: {body}");
    assert!(get(store, w.association, c.id).await.is_none(), "a draft is the organisers' only");
    assert!(titles(store, w.association).await.is_empty());
    let c = {
        let (v, id) = (viewer(store, w.coordinator).await, c.id);
        store.write(move |db| consultation::set_status(db, &v, id, "open")).await.unwrap()
    };
    assert_eq!(titles(store, w.association).await, vec![c.title.clone()]);
    // The unrelated organisation sees nothing, in lists or by id, and cannot give input.
    assert!(get(store, w.outsider, c.id).await.is_none());
    assert!(titles(store, w.outsider).await.is_empty());
    let e = give(store, w.outsider, c.id, item("Vi ser mer skadegörelse.", "named", false), OPEN_NOW).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    // The candidates list includes organisations without a crime-prevention theme; the
    // outsider may not list them.
    let (v, id) = (viewer(store, w.coordinator).await, c.id);
    let cands = store.read(move |db| consultation::candidates(db, &v, id, &CandidateFilter::default())).await.unwrap();
    assert!(cands.iter().any(|o| o.id == w.angelholm && !o.invited) && cands.iter().any(|o| o.id == w.forening && o.invited));
    assert!(!cands.iter().any(|o| o.id == w.kommun), "organisers are not candidates");
    let (v, id) = (viewer(store, w.outsider).await, c.id);
    assert!(store.read(move |db| consultation::candidates(db, &v, id, &CandidateFilter::default())).await.is_err());
    // Each participant gives input; neither sees the other's; the organiser sees both.
    give(store, w.association, c.id, item("Unga saknar mötesplatser på kvällarna.", "named", false), OPEN_NOW).await.unwrap();
    give(store, w.tenant_member, c.id, item("Trapphusen i Västra är otrygga.", "named", false), OPEN_NOW).await.unwrap();
    assert_eq!(texts(store, w.association, c.id).await, vec!["Unga saknar mötesplatser på kvällarna."]);
    assert_eq!(texts(store, w.tenant_member, c.id).await, vec!["Trapphusen i Västra är otrygga."]);
    assert_eq!(texts(store, w.coordinator, c.id).await.len(), 2);
    assert!(texts(store, w.outsider, c.id).await.is_empty());
    // A participant cannot change another organisation's item.
    let other = {
        let v = viewer(store, w.coordinator).await;
        let id = c.id;
        store.read(move |db| input::list_for_consultation(db, &v, id)).await.unwrap()[1].id
    };
    let v = viewer(store, w.association).await;
    let e = store.write(move |db| input::withdraw(db, &v, other, OPEN_NOW)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    // Registration: an invited user registers and cancels; the outsider cannot.
    let (v, id) = (viewer(store, w.association).await, c.id);
    let reg = RegistrationInput { attendance: "digital".into(), needs: Some("Textning".into()), ..Default::default() };
    let r = store.write(move |db| consultation::register(db, &v, id, &reg, OPEN_NOW)).await.unwrap();
    assert_eq!((r.org_id, r.attendance_label.as_str()), (w.forening, "Digitalt"));
    let (v, id) = (viewer(store, w.association).await, c.id);
    store.write(move |db| consultation::cancel_registration(db, &v, id, OPEN_NOW)).await.unwrap();
    let (v, id) = (viewer(store, w.outsider).await, c.id);
    let reg = RegistrationInput { attendance: "digital".into(), ..Default::default() };
    assert!(store.write(move |db| consultation::register(db, &v, id, &reg, OPEN_NOW)).await.is_err());
    // The search document's readers: organisers and invited organisations (not a draft).
    let id = c.id;
    let doc = store.read(move |db| consultation::search_document(db, id)).await.unwrap().unwrap();
    let mut keys: Vec<String> = doc.readers.iter().map(|r| r.key()).collect();
    keys.sort();
    let mut want = vec![format!("org:{}", w.kommun), format!("org:{}", w.forening), format!("org:{}", w.bostad)];
    want.sort();
    assert_eq!(keys, want);
    assert!(!doc.body.contains("Unga saknar"), "input is not indexed");
}

/// Attribution: an anonymous item's organisation is shown to nobody but that organisation's
/// own users — not to the organiser (list and API view), not to the lägesbild's readers, where
/// the item appears as "Anonym deltagare"; a named item names the organisation. The
/// contributor sees its items on "Mina medskick", with "no answer yet" until a disposition.
pub async fn consultation_attribution_hides_anonymous_organisations(store: &Store) {
    let w = est(store).await;
    let c = open_consultation(store, &w).await;
    let q = c.questions[0].id;
    let mut anon = item("Föräldrar är oroliga för rekrytering vid stationen.", "anonymous", true);
    anon.question_id = Some(q);
    let a = give(store, w.association, c.id, anon, OPEN_NOW).await.unwrap();
    let named =
        give(store, w.tenant_member, c.id, item("Belysningen vid garagen behöver ses över.", "named", true), OPEN_NOW).await.unwrap();
    give(store, w.tenant_member, c.id, item("Inte för lägesbilden.", "named", false), OPEN_NOW).await.unwrap();
    // The organiser: the item, never who gave it.
    let (v, id) = (viewer(store, w.coordinator).await, c.id);
    let shown = store
        .read(move |db| {
            let c = consultation::require(db, &v, id)?;
            input::shown(db, &v, &c, OPEN_NOW)
        })
        .await
        .unwrap();
    let s = shown.iter().find(|s| s.input.id == a.id).unwrap();
    assert_eq!(s.by, "Anonym deltagare");
    assert_eq!(s.question.as_deref(), Some("Medskick till lägesbilden"));
    let json = serde_json::to_string(&shown).unwrap();
    assert!(!json.contains("Nattvandrarna") && !json.contains(&format!("\"org_id\":{}", w.forening)), "{json}");
    assert!(json.contains("AB Trelleborgshem"), "a named item names its organisation");
    let v = viewer(store, w.coordinator).await;
    assert_eq!(input::shown_attribution(&v, &a), None);
    assert_eq!(input::shown_attribution(&v, &named).as_deref(), Some("AB Trelleborgshem"));
    // The contributing organisation's own users see their name.
    let v = viewer(store, w.association).await;
    assert_eq!(input::shown_attribution(&v, &a).as_deref(), Some("Nattvandrarna"));
    // The lägesbild of Trelleborg: civil society's picture, attribution applied for the reader.
    let v = viewer(store, w.coordinator).await;
    let kommun = w.kommun;
    let sit = store
        .write(move |db| {
            let input = SituationInput {
                kind: "situation".into(),
                title: "Lägesbild 2025".into(),
                municipality_code: "1287".into(),
                year: Some(2025),
                org_id: Some(kommun),
                ..SituationInput::default()
            };
            lagesbild::create(db, &v, &input)
        })
        .await
        .unwrap()
        .situation
        .id;
    let v = viewer(store, w.coordinator).await;
    let items = store.read(move |db| civil::for_situation(db, &v, sit)).await.unwrap();
    assert_eq!(items.len(), 2, "only lägesbild material: {items:?}");
    let anon_item = items.iter().find(|i| i.input_id == a.id).unwrap();
    assert_eq!(anon_item.by, "Anonym deltagare");
    assert_eq!(anon_item.consultation_title, c.title);
    assert_eq!(items.iter().find(|i| i.input_id == named.id).unwrap().by, "AB Trelleborgshem");
    // Whoever may not read the lägesbild gets nothing of it.
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.read(move |db| civil::for_situation(db, &v, sit)).await, Err(StoreError::NotFound { .. })));
    // A draft consultation's material is not a source.
    let mut draft = police_consultation(w.kommun);
    draft.title = "Utkast".into();
    let d = create(store, w.coordinator, draft).await.unwrap();
    let (v, id, forening) = (viewer(store, w.coordinator).await, d.id, w.forening);
    store.write(move |db| consultation::invite(db, &v, id, &[forening], &postmark())).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    assert_eq!(store.read(move |db| civil::for_municipality(db, &v, "1287")).await.unwrap().len(), 2);
    // Mina medskick: the association's own item, no disposition yet; the housing company's not.
    let v = viewer(store, w.association).await;
    let mine = store.read(move |db| mine::mine(db, &v)).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].items.len(), 1);
    assert_eq!(mine[0].items[0].input.id, a.id);
    assert_eq!(mine[0].items[0].outcome, None);
    let v = viewer(store, w.outsider).await;
    assert!(store.read(move |db| mine::mine(db, &v)).await.unwrap().is_empty());
}

/// Bad input is refused at its field with a Swedish message and nothing is written: after the
/// consultation closed (the message names the closing time), personal data (the guard's
/// message), an unknown question, stage or attribution; a note-taker must name the organisation.
pub async fn consultation_input_is_refused_when_closed_or_bad_and_nothing_written(store: &Store) {
    let w = est(store).await;
    let c = open_consultation(store, &w).await;
    let before = count(store, "consultation_inputs").await;
    let cases: Vec<(InputForm, &str, &str)> = vec![
        (item("Ring Anna Svensson på 070-123 45 67 eller anna.svensson@gmail.com.", "named", false), "text", "text.personal_data"),
        (InputForm { question_id: Some(999_999), ..item("Bra", "named", false) }, "question_id", "consultation.unknown_question"),
        (InputForm { stage: Some("sometime".into()), ..item("Bra", "named", false) }, "stage", "consultation.stage"),
        (item("Bra", "hemligt", false), "attribution", "consultation.attribution"),
        (item("   ", "named", false), "text", "required"),
    ];
    for (f, field, code) in cases {
        let e = give(store, w.association, c.id, f, OPEN_NOW).await.unwrap_err();
        assert!(field_codes(&e).contains(&(field.to_owned(), code)), "{field}/{code}: {e:?}");
    }
    let e = give(store, w.association, c.id, item("Ring Anna på 070-123 45 67.", "named", false), OPEN_NOW).await.unwrap_err();
    let StoreError::Invalid(errs) = &e else { panic!("{e:?}") };
    assert!(errs.get("text").unwrap().message.contains("ta bort dem"), "the guard's message offers removal: {errs:?}");
    // A note-taker of the organiser must say which organisation the input comes from.
    let e = give(store, w.coordinator, c.id, item("Under mötet: fler vuxna ute.", "named", false), OPEN_NOW).await.unwrap_err();
    assert!(field_codes(&e).contains(&("org_id".to_owned(), "consultation.participant")), "{e:?}");
    assert_eq!(count(store, "consultation_inputs").await, before, "nothing written");
    // The note-taker enters input for the housing company during the meeting.
    let f = InputForm { org_id: Some(w.bostad), ..item("Under mötet: fler vuxna ute på kvällen.", "named", false) };
    let noted = give(store, w.coordinator, c.id, f, OPEN_NOW).await.unwrap();
    assert_eq!((noted.stage.as_str(), noted.org_id, noted.author_user_id), ("during", w.bostad, None));
    // After the closing time: refused, naming the time, nothing written.
    let after = 4_102_444_800_000; // 2100-01-01
    let n = count(store, "consultation_inputs").await;
    let e = give(store, w.association, c.id, item("Sent medskick.", "named", false), after).await.unwrap_err();
    let StoreError::Invalid(errs) = &e else { panic!("{e:?}") };
    let m = &errs.get("text").unwrap().message;
    assert_eq!(errs.get("text").unwrap().code, "consultation.closed");
    assert!(m.contains("2099-02-04 23:59") && m.contains("sparades inte"), "{m}");
    // Closed by the organiser: no input, no change, no withdrawal.
    let own = give(store, w.association, c.id, item("Ett medskick i tid.", "anonymous", false), OPEN_NOW).await.unwrap();
    let (v, id) = (viewer(store, w.coordinator).await, c.id);
    store.write(move |db| consultation::set_status(db, &v, id, "closed")).await.unwrap();
    let n2 = count(store, "consultation_inputs").await;
    assert_eq!(n2, n + 1);
    let e = give(store, w.association, c.id, item("Efter stängning.", "named", false), OPEN_NOW).await.unwrap_err();
    assert!(field_codes(&e).contains(&("text".to_owned(), "consultation.closed")), "{e:?}");
    let v = viewer(store, w.association).await;
    let oid = own.id;
    let e = store.write(move |db| input::withdraw(db, &v, oid, OPEN_NOW)).await.unwrap_err();
    assert!(field_codes(&e).contains(&("text".to_owned(), "consultation.closed")), "{e:?}");
    let v = viewer(store, w.association).await;
    let f = item("Ändrat.", "named", false);
    assert!(store.write(move |db| input::edit(db, &v, oid, &f, OPEN_NOW)).await.is_err());
    assert_eq!(count(store, "consultation_inputs").await, n2, "nothing written after closing");
    let v = viewer(store, w.association).await;
    assert_eq!(store.read(move |db| input::get(db, &v, oid)).await.unwrap().text, "Ett medskick i tid.");
    // Bad consultations: every problem at once, nothing written.
    let consultations = count(store, "consultations").await;
    let mut bad = police_consultation(w.kommun);
    bad.kind = "fest".into();
    bad.meets_until = Some("2025-01-28 15:00".into());
    bad.input_closes_at = None;
    bad.digital_link = Some("meet.example".into());
    let e = create(store, w.coordinator, bad).await.unwrap_err();
    let codes = field_codes(&e);
    for want in [
        ("kind", "consultation.kind"),
        ("meets_until", "consultation.time_order"),
        ("input_closes_at", "required"),
        ("digital_link", "consultation.link"),
    ] {
        assert!(codes.contains(&(want.0.to_owned(), want.1)), "{want:?} in {codes:?}");
    }
    assert_eq!(count(store, "consultations").await, consultations);
    // Only coordinators and administrators organise.
    assert!(matches!(create(store, w.reporter, police_consultation(w.kommun)).await, Err(StoreError::Forbidden)));
    assert!(matches!(create(store, w.association, police_consultation(w.kommun)).await, Err(StoreError::Forbidden)));
}
