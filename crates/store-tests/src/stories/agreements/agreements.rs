//! Agreements: bad input at the field with nothing written (period, parties, links, the signed
//! document's type and size), who reads (parties, the overseeing county board — and not another
//! county's), who writes (parties only), versioned checklists whose snapshots keep their version,
//! derived items, the county table, expiry reminders once each, and the JSON round trip.

use brygga_domain::agreements::DocumentType;
use brygga_store::agreements::agreement::{self, AgreementInput, Signature, SigningInput};
use brygga_store::agreements::assessments::{self, ItemScore, ScoreInput, SnapshotInput, StartInput};
use brygga_store::agreements::checklists::{self, ItemInput, SetInput};
use brygga_store::agreements::{county, reminders, transfer};
use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::plan::{self, PlanInput};
use brygga_store::plans::problems::{self, CauseInput, ProblemInput};
use brygga_store::plans::situation::{self, SituationInput};

use super::*;

fn field_message(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).message.clone(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Rows in every agreement table (to assert nothing was written).
async fn rows(store: &Store) -> Vec<i64> {
    store
        .read(|db| {
            let mut out = Vec::new();
            for t in [
                "agreements",
                "agreement_parties",
                "agreement_documents",
                "assessments",
                "assessment_scores",
                "assessment_snapshots",
                "snapshot_items",
                "checklist_versions",
                "checklist_items",
            ] {
                out.push(db.scalar(&format!("SELECT COUNT(*) FROM {t}"), &[])?);
            }
            out.push(db.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM agreements", &[])?);
            Ok(out)
        })
        .await
        .unwrap()
}

/// Trelleborg (1287) and Hässleholm (1293) in Skåne (12); a county board for Skåne and one for
/// Stockholm; the police; an outsider in Vellinge.
struct World {
    municipality: i64,
    police: i64,
    county: i64,
    coordinator: i64,
    police_coordinator: i64,
    reader: i64,
    county_coordinator: i64,
    county_member: i64,
    other_county: i64,
    outsider: i64,
    municipality_org_of_hassleholm: i64,
}

async fn world(store: &Store) -> World {
    let municipality = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let police = org(store, "Polisen LPO Trelleborg", OrgKind::Police, &["1287"]).await;
    let county = org(store, "Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287", "1293"]).await;
    let stockholm = org(store, "Länsstyrelsen Stockholm", OrgKind::CountyBoard, &["0180"]).await;
    let vellinge = org(store, "Vellinge kommun", OrgKind::Municipality, &["1233"]).await;
    let hassleholm = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    World {
        municipality,
        police,
        county,
        coordinator: user(store, "samordnare@trelleborg.test", municipality, Role::Coordinator).await,
        police_coordinator: user(store, "samordnare@polisen.test", police, Role::Coordinator).await,
        reader: user(store, "lasare@trelleborg.test", municipality, Role::Reader).await,
        county_coordinator: user(store, "lansamordnare@lst.test", county, Role::Coordinator).await,
        county_member: user(store, "handlaggare@lst.test", county, Role::Member).await,
        other_county: user(store, "samordnare@lst-stockholm.test", stockholm, Role::Coordinator).await,
        outsider: user(store, "samordnare@vellinge.test", vellinge, Role::Coordinator).await,
        municipality_org_of_hassleholm: hassleholm,
    }
}

fn header(w: &World, title: &str) -> AgreementInput {
    AgreementInput {
        kind: Some("cooperation_agreement".into()),
        title: title.into(),
        municipality_code: Some("1287".into()),
        owner_org_id: Some(w.municipality),
        party_org_ids: vec![w.police],
        period_from: Some("2026-01-01".into()),
        period_to: Some("2028-12-31".into()),
        decided_by: Some("Kommunstyrelsen".into()),
        decided_on: Some("2025-12-10".into()),
        decision_ref: Some("KS 2025/412".into()),
        ..AgreementInput::default()
    }
}

async fn create(store: &Store, user: i64, input: AgreementInput) -> Result<agreement::Agreement, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| agreement::create(db, &v, &input)).await
}

async fn conclude(store: &Store, user: i64, a: &agreement::Agreement) -> agreement::Agreement {
    let v = viewer(store, user).await;
    let (id, version) = (a.id, a.version);
    store.write(move |db| agreement::conclude(db, &v, id, version)).await.unwrap()
}

async fn get(store: &Store, user: Option<i64>, id: i64) -> Result<agreement::Agreement, StoreError> {
    let v = match user {
        Some(u) => viewer(store, u).await,
        None => Viewer::anonymous(Origin::default()),
    };
    store.read(move |db| agreement::get(db, &v, id)).await
}

async fn attach(
    store: &Store,
    user: i64,
    id: i64,
    name: &str,
    ct: Option<&str>,
    bytes: Vec<u8>,
) -> Result<agreement::Agreement, StoreError> {
    let v = viewer(store, user).await;
    let (name, ct) = (name.to_owned(), ct.map(str::to_owned));
    store.write(move |db| agreement::attach_document(db, &v, id, &name, ct.as_deref(), &bytes)).await
}

/// A minimal Word document (a zip whose central directory lists `word/document.xml`).
pub fn docx_bytes() -> Vec<u8> {
    let names = ["[Content_Types].xml", "word/document.xml"];
    let mut out = Vec::new();
    let mut central = Vec::new();
    for n in names {
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&(n.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(n.as_bytes());
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[0u8; 24]);
        central.extend_from_slice(&(n.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0u8; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(n.as_bytes());
    }
    let cd = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(names.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

pub async fn agreements_refuse_bad_input_at_the_field(store: &Store) {
    let w = world(store).await;
    let before = rows(store).await;

    // The period ends before it starts; the message names the field and the dates.
    let e =
        create(store, w.coordinator, AgreementInput { period_to: Some("2025-06-30".into()), ..header(&w, "Samverkan") }).await.unwrap_err();
    let m = field_message(&e, "period_to");
    assert!(m.contains("2025-06-30") && m.contains("före"), "{m}");
    // A samverkansöverenskommelse without the police.
    let e = create(store, w.coordinator, AgreementInput { party_org_ids: vec![], ..header(&w, "Samverkan") }).await.unwrap_err();
    assert!(field_message(&e, "party_org_ids").contains("polisorganisation"));
    // A party that may not be one: an organisation without a claim in the municipality.
    let vellinge: i64 = store.read(|db| Ok(db.scalar("SELECT id FROM organisations WHERE name = 'Vellinge kommun'", &[])?)).await.unwrap();
    let e = create(store, w.coordinator, AgreementInput { party_org_ids: vec![w.police, vellinge], ..header(&w, "Samverkan") })
        .await
        .unwrap_err();
    assert!(field_message(&e, "party_org_ids").contains("godkänt anspråk"));
    // An unknown lägesbild and a plan the viewer may not read (Vellinge's draft).
    let vellinge_plan = {
        let v = viewer(store, w.outsider).await;
        let input = PlanInput {
            title: "Vellinges plan".into(),
            municipality_code: Some("1233".into()),
            period_from: Some("2026-01-01".into()),
            period_to: Some("2026-12-31".into()),
            ..PlanInput::default()
        };
        store.write(move |db| plan::create(db, &v, &input)).await.unwrap()
    };
    let before = {
        let mut b = before;
        b[0] = rows(store).await[0];
        b
    };
    let e = create(
        store,
        w.coordinator,
        AgreementInput { situation_id: Some(999_999), plan_id: Some(vellinge_plan.id), ..header(&w, "Samverkan") },
    )
    .await
    .unwrap_err();
    assert!(field_message(&e, "situation_id").contains("Lägesbilden finns inte"));
    assert!(field_message(&e, "plan_id").contains("Åtgärdsplanen finns inte"));
    // An unknown kind names the valid ones.
    let e = create(store, w.coordinator, AgreementInput { kind: Some("treaty".into()), ..header(&w, "Samverkan") }).await.unwrap_err();
    assert!(field_message(&e, "kind").contains("cooperation_agreement"));
    assert_eq!(rows(store).await, before, "nothing written by refused input");

    // The signed document: not what the name claims, not a document at all, too large.
    let a = create(store, w.coordinator, header(&w, "Samverkansöverenskommelse 2026–2028")).await.unwrap();
    let before = rows(store).await;
    let e =
        attach(store, w.coordinator, a.id, "avtal.pdf", Some("application/pdf"), b"hej, jag \xc3\xa4r text".to_vec()).await.unwrap_err();
    let m = field_message(&e, "file");
    assert!(m.contains("avtal.pdf") && m.contains("PDF"), "{m}");
    let e = attach(store, w.coordinator, a.id, "avtal.docx", None, b"%PDF-1.7 ...".to_vec()).await.unwrap_err();
    let m = field_message(&e, "file");
    assert!(m.contains("innehållet är PDF") && m.contains(".pdf"), "{m}");
    let e = attach(store, w.coordinator, a.id, "avtal.txt", Some("text/plain"), b"text".to_vec()).await.unwrap_err();
    assert!(field_message(&e, "file").contains("varken PDF eller Word"));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(agreement::MAX_DOCUMENT_BYTES + 1, b' ');
    let e = attach(store, w.coordinator, a.id, "avtal.pdf", None, big).await.unwrap_err();
    assert!(field_message(&e, "file").contains("högst 20 MB"));
    assert_eq!(rows(store).await, before, "no document stored, nothing touched");
    // A real PDF and a real DOCX are taken, with size, digest and name; the DOCX replaces the PDF.
    let a = attach(store, w.coordinator, a.id, "Avtal 2026.pdf", None, b"%PDF-1.7\n%%EOF".to_vec()).await.unwrap();
    assert_eq!(a.document.as_ref().unwrap().media_type, DocumentType::Pdf.mime());
    let a = attach(store, w.coordinator, a.id, "C:\\Users\\x\\Avtal.docx", None, docx_bytes()).await.unwrap();
    let d = a.document.clone().unwrap();
    assert_eq!(
        (d.file_name.as_str(), d.media_type.as_str(), d.size_bytes),
        ("Avtal.docx", DocumentType::Docx.mime(), docx_bytes().len() as i64)
    );
    assert_eq!(d.sha256.len(), 64);
    // Concluding needs the decision.
    let v = viewer(store, w.coordinator).await;
    let input = AgreementInput { decided_by: None, decided_on: None, ..header(&w, "Samverkansöverenskommelse 2026–2028") };
    let a = store.write(move |db| agreement::edit(db, &v, a.id, a.version, &input)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| agreement::conclude(db, &v, a.id, a.version)).await.unwrap_err();
    assert!(field_message(&e, "decided_by").contains("beslutade"));
    // A signing date in the future and one for a non-party, reported together; nothing written.
    let v = viewer(store, w.coordinator).await;
    let input = SigningInput {
        signatures: vec![
            Signature { org_id: w.municipality, signed_on: Some("2099-01-01".into()) },
            Signature { org_id: w.county, signed_on: Some("2026-01-01".into()) },
        ],
    };
    let e = store.write(move |db| agreement::sign(db, &v, a.id, &input)).await.unwrap_err();
    assert!(field_message(&e, &format!("signed_on_{}", w.municipality)).contains("framtiden"));
    assert!(field_message(&e, &format!("signed_on_{}", w.county)).contains("inte part"));
    assert!(get(store, Some(w.coordinator), a.id).await.unwrap().parties.iter().all(|p| p.signed_on.is_none()));
}

pub async fn agreements_are_read_by_parties_and_overseen_by_the_county_board(store: &Store) {
    let w = world(store).await;
    let a = create(store, w.coordinator, header(&w, "Samverkansöverenskommelse Trelleborg")).await.unwrap();
    // A draft: the parties only — not the county board yet, not outsiders, not the public.
    assert!(get(store, Some(w.reader), a.id).await.is_ok());
    assert!(get(store, Some(w.police_coordinator), a.id).await.is_ok());
    for u in [Some(w.county_coordinator), Some(w.other_county), Some(w.outsider), None] {
        assert!(matches!(get(store, u, a.id).await, Err(StoreError::NotFound { .. })), "{u:?} must not read a draft");
    }
    let a = conclude(store, w.coordinator, &a).await;
    assert_eq!(a.status, "current");
    // Concluded: the county board of Skåne reads it (its members too) and lists it; Stockholm's does not.
    assert!(get(store, Some(w.county_member), a.id).await.is_ok());
    // The county board's read is in the parties' audit log; a party's own read is not.
    let reads = |store: &Store| {
        let store = store.clone();
        async move {
            store.read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'agreement.read'", &[])?)).await.unwrap()
        }
    };
    for u in [w.county_member, w.coordinator] {
        let v = viewer(store, u).await;
        let reader = v.clone();
        store.read_audited(&v, move |db| agreement::get_audited(db, &reader, a.id)).await.unwrap();
    }
    assert_eq!(reads(store).await, 1, "only the county board's read is logged");
    let police = w.police;
    let logged: Vec<i64> = store
        .read(|db| Ok(db.scalars("SELECT o.org_id FROM audit_log_orgs o JOIN audit_log l ON l.id = o.audit_id WHERE l.action = 'agreement.read' ORDER BY o.org_id", &[])?))
        .await
        .unwrap();
    assert!(logged.contains(&w.municipality) && logged.contains(&police), "{logged:?}");
    let v = viewer(store, w.county_coordinator).await;
    let listed = store.read(move |db| agreement::list(db, &v, &agreement::ListFilter::default())).await.unwrap();
    assert_eq!(listed.iter().map(|x| x.id).collect::<Vec<_>>(), vec![a.id]);
    for u in [Some(w.other_county), Some(w.outsider), None] {
        assert!(matches!(get(store, u, a.id).await, Err(StoreError::NotFound { .. })));
    }
    let v = viewer(store, w.other_county).await;
    assert!(store.read(move |db| agreement::list(db, &v, &agreement::ListFilter::default())).await.unwrap().is_empty());
    // Nor its document or assessments.
    let v = viewer(store, w.other_county).await;
    assert!(matches!(store.read(move |db| assessments::snapshots(db, &v, a.id)).await, Err(StoreError::NotFound { .. })));
    // The county board cannot change the agreement, nor add itself as party; a reader of a party cannot either.
    let v = viewer(store, w.county_coordinator).await;
    let input = header(&w, "Länsstyrelsens version");
    let e = store.write(move |db| agreement::edit(db, &v, a.id, a.version, &input)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let (v, county) = (viewer(store, w.county_coordinator).await, w.county);
    assert!(matches!(store.write(move |db| agreement::add_party(db, &v, a.id, county)).await, Err(StoreError::Forbidden)));
    let v = viewer(store, w.reader).await;
    assert!(matches!(store.write(move |db| agreement::conclude(db, &v, a.id, 2)).await, Err(StoreError::Forbidden)));
    // Another county's board cannot assess it (it cannot even see it); Skåne's board can.
    let v = viewer(store, w.other_county).await;
    let e = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let v = viewer(store, w.county_member).await;
    let e = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "a member of the county board is not a coordinator: {e:?}");
    let v = viewer(store, w.county_coordinator).await;
    let s = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap();
    assert!(!s.self_assessment);
    // A party's coordinator may self-assess; it is marked as such.
    let v = viewer(store, w.police_coordinator).await;
    let own = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap();
    assert!(own.self_assessment && own.id != s.id);
    // The party may read the county board's assessment, but not score it.
    let v = viewer(store, w.coordinator).await;
    let input = ScoreInput { items: vec![ItemScore { item_id: s.items[0].item_id, score: Some("met".into()), ..Default::default() }] };
    let e = store.write(move |db| assessments::score(db, &v, s.id, &input)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // Sharing is for concluded agreements; published, the public reads it.
    let v = viewer(store, w.coordinator).await;
    store
        .write(move |db| agreement::share(db, &v, a.id, &agreement::ShareInput { visibility: "public".into(), forum_id: None }))
        .await
        .unwrap();
    assert!(get(store, None, a.id).await.is_ok());
    assert!(get(store, Some(w.other_county), a.id).await.is_ok(), "published: everyone reads it");
}

/// A lägesbild with one problem and one cause, adopted (Trelleborg's coordinator).
async fn situation_with_cause(store: &Store, w: &World) -> i64 {
    let v = viewer(store, w.coordinator).await;
    let input = SituationInput {
        kind: "situation".into(),
        title: "Lägesbild 2026".into(),
        municipality_code: "1287".into(),
        year: Some(2026),
        org_id: Some(w.municipality),
        ..SituationInput::default()
    };
    let d = store.write(move |db| situation::create(db, &v, &input)).await.unwrap();
    let id = d.situation.id;
    let v = viewer(store, w.coordinator).await;
    let p = store
        .write(move |db| problems::add_problem(db, &v, id, &ProblemInput { title: "Klotter i centrum".into(), ..ProblemInput::default() }))
        .await
        .unwrap();
    let v = viewer(store, w.coordinator).await;
    let cause = CauseInput {
        title: "Dålig belysning".into(),
        triangle_side: Some("place".into()),
        basis: "data".into(),
        certainty: "medium".into(),
        ..CauseInput::default()
    };
    store.write(move |db| problems::add_cause(db, &v, id, p.id, &cause)).await.unwrap();
    id
}

/// A plan with only an effect goal.
async fn plan_with_effect_goal(store: &Store, w: &World) -> i64 {
    let v = viewer(store, w.coordinator).await;
    let input = PlanInput {
        title: "Medborgarlöftets plan".into(),
        municipality_code: Some("1287".into()),
        period_from: Some("2026-01-01".into()),
        period_to: Some("2026-12-31".into()),
        ..PlanInput::default()
    };
    let p = store.write(move |db| plan::create(db, &v, &input)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let g = GoalInput { kind: "effect".into(), title: "Ökad trygghet".into(), ..GoalInput::default() };
    store.write(move |db| goals::create(db, &v, p.id, &g)).await.unwrap();
    p.id
}

async fn score(store: &Store, user: i64, id: i64, items: Vec<ItemScore>) -> Result<assessments::Assessment, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| assessments::score(db, &v, id, &ScoreInput { items })).await
}

async fn snapshot(store: &Store, user: i64, id: i64, kind: &str, on: &str) -> Result<assessments::Snapshot, StoreError> {
    let v = viewer(store, user).await;
    let input = SnapshotInput { kind: kind.into(), label: None, taken_on: Some(on.into()) };
    store.write(move |db| assessments::take_snapshot(db, &v, id, &input)).await
}

fn item_input(text: &str, key: &str) -> ItemInput {
    ItemInput { key: Some(key.into()), text: text.into(), ..ItemInput::default() }
}

pub async fn assessments_keep_their_checklist_version_and_compare_over_time(store: &Store) {
    let w = world(store).await;
    let sit = situation_with_cause(store, &w).await;
    let plan_id = plan_with_effect_goal(store, &w).await;
    let a = create(
        store,
        w.coordinator,
        AgreementInput { situation_id: Some(sit), plan_id: Some(plan_id), ..header(&w, "Samverkan 2026–2028") },
    )
    .await
    .unwrap();
    let a = conclude(store, w.coordinator, &a).await;

    // Brygga's default set is there, labelled as Brygga's and not the county's list, and read-only.
    let sets = store.read(|db| checklists::list(db)).await.unwrap();
    assert!(sets[0].builtin && sets[0].description.contains("inte länets 17-punktslista"));
    let v = viewer(store, w.county_coordinator).await;
    let builtin = sets[0].id;
    let e = store
        .write(move |db| {
            checklists::edit(
                db,
                &v,
                builtin,
                &SetInput { name: "x".into(), description: "y".into(), items: vec![item_input("z", "z")], owner_org_id: None },
            )
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "name").contains("Bryggas checklista kan inte ändras"));
    // Only a county board's coordinators write sets; bad items are named.
    let v = viewer(store, w.coordinator).await;
    let set =
        SetInput { owner_org_id: None, name: "Skånes checklista".into(), description: "Länsstyrelsens egen.".into(), items: vec![] };
    let s2 = set.clone();
    assert!(matches!(store.write(move |db| checklists::create(db, &v, &s2)).await, Err(StoreError::Forbidden)));
    let v = viewer(store, w.county_coordinator).await;
    let bad = SetInput { items: vec![item_input("", "a"), ItemInput { weight: Some(-1.0), ..item_input("B", "b") }], ..set.clone() };
    let e = store.write(move |db| checklists::create(db, &v, &bad)).await.unwrap_err();
    assert!(field_message(&e, "items[0].text").contains("saknas"));
    assert!(field_message(&e, "items[1].weight").contains("större än 0"));
    let v = viewer(store, w.county_coordinator).await;
    let good = SetInput {
        items: vec![
            item_input("Gemensam problembild", "problembild"),
            ItemInput { derived_rule: Some("causes".into()), ..item_input("Orsaksanalys", "orsaker") },
            ItemInput { derived_rule: Some("not_only_effect_goals".into()), ..item_input("Mätbara delmål", "delmal") },
        ],
        ..set.clone()
    };
    let own = store.write(move |db| checklists::create(db, &v, &good)).await.unwrap();
    assert_eq!(own.latest_version_no, 1);

    // The county board assesses against its set: derived items are pre-filled and marked.
    let v = viewer(store, w.county_coordinator).await;
    let s = store.write(move |db| assessments::start(db, &v, a.id, &StartInput { set_id: Some(own.id), org_id: None })).await.unwrap();
    let causes = s.items.iter().find(|i| i.key == "orsaker").unwrap();
    assert_eq!((causes.score.as_deref(), causes.derived), (Some("met"), true), "the lägesbild has a cause");
    let goals = s.items.iter().find(|i| i.key == "delmal").unwrap();
    assert_eq!((goals.score.as_deref(), goals.derived), (Some("not_met"), true), "only an effect goal");
    assert!(goals.derivation.as_ref().unwrap().reason.contains("bara effektmål"));
    let first = s.items.iter().find(|i| i.key == "problembild").unwrap().item_id;
    let s = score(
        store,
        w.county_coordinator,
        s.id,
        vec![ItemScore {
            item_id: first,
            score: Some("partly".into()),
            evidence: Some("Problembilden".into()),
            comment: Some("Polisens bild saknas".into()),
        }],
    )
    .await
    .unwrap();
    assert_eq!(s.score_percent, Some(50.0), "partly + met + not met = 3 of 6");
    let baseline = snapshot(store, w.county_coordinator, s.id, "baseline", "2026-02-01").await.unwrap();
    assert_eq!((baseline.version_no, baseline.kind_label.as_str()), (1, "Nulägesmätning"));
    assert!(baseline.items.iter().find(|i| i.key == "orsaker").unwrap().derived);

    // The set is edited after the baseline: a new version; the baseline keeps version 1's texts.
    let v = viewer(store, w.county_coordinator).await;
    let edited = SetInput {
        items: vec![
            item_input("En gemensam problembild från båda parterna", "problembild"),
            ItemInput { derived_rule: Some("causes".into()), ..item_input("Orsaksanalys", "orsaker") },
            item_input("Citizen dialogue", "dialog"),
        ],
        ..set.clone()
    };
    let own2 = store.write(move |db| checklists::edit(db, &v, own.id, &edited)).await.unwrap();
    assert_eq!(own2.latest_version_no, 2);
    let v = viewer(store, w.county_coordinator).await;
    let again = store.read(move |db| assessments::snapshot(db, &v, baseline.id)).await.unwrap();
    assert_eq!(again, baseline, "a snapshot never changes");
    assert_eq!(again.items[0].text, "Gemensam problembild");
    // Scoring an item of version 2 against the version-1 assessment is refused, by name; nothing written.
    let v2 = store.read(move |db| checklists::version(db, own2.latest_version_id)).await.unwrap();
    let new_item = v2.items.iter().find(|i| i.key == "dialog").unwrap().id;
    let before = rows(store).await;
    let e = score(
        store,
        w.county_coordinator,
        s.id,
        vec![
            ItemScore { item_id: first, score: Some("met".into()), ..Default::default() },
            ItemScore { item_id: new_item, score: Some("met".into()), ..Default::default() },
        ],
    )
    .await
    .unwrap_err();
    let m = field_message(&e, &format!("items[{new_item}].item_id"));
    assert!(m.contains("version 2") && m.contains("version 1"), "{m}");
    assert_eq!(rows(store).await, before);
    // Starting on version 2 carries over the scores of the same items (by key).
    let v = viewer(store, w.county_coordinator).await;
    let s2 = store.write(move |db| assessments::start(db, &v, a.id, &StartInput { set_id: Some(own.id), org_id: None })).await.unwrap();
    assert_eq!(s2.version_no, 2);
    let carried = s2.items.iter().find(|i| i.key == "problembild").unwrap();
    assert_eq!((carried.score.as_deref(), carried.comment.as_deref()), (Some("partly"), Some("Polisens bild saknas")));
    let dialog = s2.items.iter().find(|i| i.key == "dialog").unwrap().item_id;
    let pb = carried.item_id;
    let s2 = score(
        store,
        w.county_coordinator,
        s2.id,
        vec![
            ItemScore { item_id: pb, score: Some("met".into()), comment: Some("Nu med polisens bild".into()), ..Default::default() },
            ItemScore { item_id: dialog, score: Some("not_applicable".into()), ..Default::default() },
        ],
    )
    .await
    .unwrap();
    assert_eq!(s2.score_percent, Some(100.0));
    let follow = snapshot(store, w.county_coordinator, s2.id, "follow_up", "2026-09-01").await.unwrap();
    // A snapshot in the future is refused.
    let e = snapshot(store, w.county_coordinator, s2.id, "follow_up", "2099-01-01").await.unwrap_err();
    assert!(field_message(&e, "taken_on").contains("framtiden"));
    // The comparison: item by item, by key.
    let v = viewer(store, w.coordinator).await;
    let c = store.read(move |db| assessments::compare(db, &v, baseline.id, follow.id)).await.unwrap();
    let row = |k: &str| c.rows.iter().find(|r| r.key == k).unwrap().change.clone();
    assert_eq!(row("problembild"), "better");
    assert_eq!(row("orsaker"), "same");
    assert_eq!(row("dialog"), "added");
    assert_eq!(row("delmal"), "removed");
}

pub async fn county_table_counts_current_agreements_and_latest_scores(store: &Store) {
    let w = world(store).await;
    let a = create(store, w.coordinator, header(&w, "Samverkan Trelleborg")).await.unwrap();
    let a = conclude(store, w.coordinator, &a).await;
    // A joint medborgarlöfte, ended last year, resting on a plan with only effect goals.
    let plan_id = plan_with_effect_goal(store, &w).await;
    let promise = AgreementInput {
        kind: Some("citizen_promise".into()),
        period_from: Some("2025-01-01".into()),
        period_to: Some("2025-12-31".into()),
        plan_id: Some(plan_id),
        ..header(&w, "Medborgarlöfte 2025")
    };
    let p = create(store, w.coordinator, promise).await.unwrap();
    conclude(store, w.coordinator, &p).await;
    // A draft in Hässleholm counts for nothing.
    let hassleholm_user = user(store, "samordnare@hassleholm.test", w.municipality_org_of_hassleholm, Role::Coordinator).await;
    let draft = AgreementInput {
        municipality_code: Some("1293".into()),
        owner_org_id: None,
        party_org_ids: vec![w.police],
        ..header(&w, "Utkast Hässleholm")
    };
    create(store, hassleholm_user, draft).await.unwrap();

    let v = viewer(store, w.county_coordinator).await;
    let s = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap();
    let signed = s.items.iter().find(|i| i.key == "signed").unwrap().clone();
    assert_eq!((signed.score.as_deref(), signed.derived), (Some("not_met"), true), "nobody has signed");
    let ids: Vec<i64> = s.items.iter().map(|i| i.item_id).collect();
    let all = |sc: &str| ids.iter().map(|id| ItemScore { item_id: *id, score: Some(sc.into()), ..Default::default() }).collect::<Vec<_>>();
    score(store, w.county_coordinator, s.id, all("not_met")).await.unwrap();
    snapshot(store, w.county_coordinator, s.id, "baseline", "2026-02-01").await.unwrap();
    score(store, w.county_coordinator, s.id, all("met")).await.unwrap();
    snapshot(store, w.county_coordinator, s.id, "follow_up", "2026-06-01").await.unwrap();
    // A self-assessment by the police does not count in the county table.
    let v = viewer(store, w.police_coordinator).await;
    let own = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap();
    snapshot(store, w.police_coordinator, own.id, "other", "2026-07-01").await.unwrap();

    let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    let v = viewer(store, w.county_coordinator).await;
    let t = store.read(move |db| county::table(db, &v, "12", d("2026-07-15"), Some(d("2025-06-01")))).await.unwrap();
    assert_eq!(t.county_name, "Skåne län");
    let tr = t.rows.iter().find(|r| r.municipality_code == "1287").unwrap();
    assert!(tr.on.cooperation_agreement && !tr.on.joint_citizen_promise, "the promise has ended");
    let then = tr.then.as_ref().unwrap();
    assert!(!then.cooperation_agreement && then.joint_citizen_promise && then.only_effect_goals, "in 2025: the promise, only effect goals");
    assert_eq!(tr.on.latest.as_ref().unwrap().score_percent, Some(100.0));
    assert_eq!(tr.on.baseline.as_ref().unwrap().score_percent, Some(0.0));
    assert_eq!(tr.on.change(), Some(100.0));
    let hl = t.rows.iter().find(|r| r.municipality_code == "1293").unwrap();
    assert!(!hl.on.cooperation_agreement);
    assert_eq!(t.totals.municipalities, 33);
    // Swedish order: å, ä, ö after z, in that order (not the code-point order Ä, Å, Ö).
    let names: Vec<&str> = t.rows.iter().map(|r| r.municipality_name.as_str()).collect();
    assert_eq!(names[names.len() - 4..], ["Åstorp", "Ängelholm", "Örkelljunga", "Östra Göinge"], "{names:?}");
    assert_eq!((t.totals.cooperation_agreement, t.totals.assessed), (1, 1));
    assert_eq!(t.compare_totals.as_ref().unwrap().joint_citizen_promise, 1);
    // Another county's board sees nothing of Skåne's agreements.
    let v = viewer(store, w.other_county).await;
    let t = store.read(move |db| county::table(db, &v, "12", d("2026-07-15"), None)).await.unwrap();
    assert_eq!((t.totals.cooperation_agreement, t.totals.assessed), (0, 0));
}

pub async fn agreement_reminders_go_once_90_and_30_days_before_the_end(store: &Store) {
    let w = world(store).await;
    let today = brygga_domain::time::today();
    let end = today.checked_add(jiff::Span::new().days(80)).unwrap();
    let input = AgreementInput {
        period_from: Some("2025-01-01".into()),
        period_to: Some(end.to_string()),
        ..header(&w, "Samverkan som snart slutar")
    };
    let a = create(store, w.coordinator, input).await.unwrap();
    // A draft is not reminded.
    let post = postmark();
    let p = post.clone();
    let n = store.write(move |db| reminders::write(db, today, &p, brygga_store::now_ms())).await.unwrap();
    assert!(n.queued.is_empty());
    conclude(store, w.coordinator, &a).await;
    // 80 days left: the 90-day reminder, to the coordinators of both parties (not the reader).
    let p = post.clone();
    let n = store.write(move |db| reminders::write(db, today, &p, brygga_store::now_ms())).await.unwrap();
    assert_eq!(n.queued.len(), 2);
    let to: Vec<String> = store.read(|db| Ok(db.scalars("SELECT recipient FROM mail_outbox ORDER BY recipient", &[])?)).await.unwrap();
    assert_eq!(to, vec!["samordnare@polisen.test", "samordnare@trelleborg.test"]);
    // Again the same day, or the next: nobody twice.
    let p = post.clone();
    let n = store.write(move |db| reminders::write(db, today, &p, brygga_store::now_ms())).await.unwrap();
    assert_eq!((n.queued.len(), n.already_sent), (0, 2));
    // 29 days left: the 30-day reminder, once.
    let later = end.checked_sub(jiff::Span::new().days(29)).unwrap();
    let p = post.clone();
    let n = store.write(move |db| reminders::write(db, later, &p, brygga_store::now_ms())).await.unwrap();
    assert_eq!(n.queued.len(), 2);
    let p = post.clone();
    let n = store.write(move |db| reminders::write(db, later, &p, brygga_store::now_ms())).await.unwrap();
    assert_eq!(n.queued.len(), 0);
    // The daily job is deduplicated.
    let now = brygga_store::now_ms() + 86_400_000;
    let first = store.write(move |db| reminders::enqueue_daily(db, now)).await.unwrap();
    let second = store.write(move |db| reminders::enqueue_daily(db, now)).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 0));
}

pub async fn agreements_travel_as_json_and_import_all_or_nothing(store: &Store) {
    let w = world(store).await;
    let a = create(store, w.coordinator, header(&w, "Samverkan att flytta")).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let sig = SigningInput { signatures: vec![Signature { org_id: w.police, signed_on: Some("2025-12-12".into()) }] };
    store.write(move |db| agreement::sign(db, &v, a.id, &sig)).await.unwrap();
    let a = conclude(store, w.coordinator, &get(store, Some(w.coordinator), a.id).await.unwrap()).await;
    let v = viewer(store, w.county_coordinator).await;
    let s = store.write(move |db| assessments::start(db, &v, a.id, &StartInput::default())).await.unwrap();
    snapshot(store, w.county_coordinator, s.id, "baseline", "2026-02-01").await.unwrap();

    let v = viewer(store, w.coordinator).await;
    let file = store.read(move |db| transfer::export(db, &v, a.id)).await.unwrap();
    let json = serde_json::to_string(&file).unwrap();
    assert!(json.contains("\"format\":\"brygga.agreement\"") && !json.contains("\"id\""));
    assert_eq!(file.snapshots.len(), 1);
    // Imported by the municipality: the county board's snapshot is not the importer's to bring.
    let before = rows(store).await;
    let mut back: transfer::AgreementFile = serde_json::from_str(&json).unwrap();
    back.parties.push(transfer::PartyEntry { organisation: "Finns inte AB".into(), signed_on: Some("igår".into()) });
    back.agreement.period_to = "2020-01-01".into();
    let v = viewer(store, w.coordinator).await;
    let b2 = back.clone();
    let e = store.write(move |db| transfer::import(db, &v, &b2, None)).await.unwrap_err();
    let StoreError::Invalid(errs) = &e else { panic!("{e:?}") };
    for f in ["parties[2].organisation", "parties[2].signed_on", "agreement.period_to", "snapshots[0].assessor"] {
        assert!(errs.get(f).is_some(), "no error at {f}: {errs:?}");
    }
    assert_eq!(rows(store).await, before, "nothing written");
    // The county board imports it with its own snapshot: the same agreement comes back.
    let mut ok: transfer::AgreementFile = serde_json::from_str(&json).unwrap();
    ok.snapshots.clear();
    let v = viewer(store, w.coordinator).await;
    let imported = store.write(move |db| transfer::import(db, &v, &ok, None)).await.unwrap();
    assert!(imported.concluded);
    assert_eq!(imported.parties.iter().filter(|p| p.signed_on.is_some()).count(), 1);
    let v = viewer(store, w.coordinator).await;
    let again = store.read(move |db| transfer::export(db, &v, imported.id)).await.unwrap();
    assert_eq!(again.agreement, file.agreement);
    assert_eq!(again.parties, file.parties);
}
