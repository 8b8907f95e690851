//! The lägesbild and the joint problembild: create → write → adopt freezes the figures; an
//! adopted version refuses every change; a new version copies its parts with their keys; drafts
//! are the parties' only; sharing with a forum and publishing, with small counts suppressed;
//! the warnings appear and disappear; personal data is refused at the field.

use super::*;
use brygga_store::plans::problems::{self, CauseInput, EvidenceInput, ProblemInput};
use brygga_store::plans::situation::{self, AdoptInput, ShareInput, SituationDocument, SituationEdit, SituationInput, SourceInput};

/// A personnummer, as someone might paste it into free text.
const PNR: &str = "Enligt 19811218-9876 är det lugnt.";

async fn count(store: &Store, table: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[])?)).await.unwrap()
}

async fn doc(store: &Store, user: i64, id: i64) -> Result<SituationDocument, StoreError> {
    let v = viewer(store, user).await;
    store.read(move |db| situation::load(db, &v, id)).await
}

fn lagesbild(forum: i64) -> SituationInput {
    SituationInput {
        kind: "situation".into(),
        title: "Lägesbild Trelleborg 2026".into(),
        municipality_code: "1287".into(),
        year: Some(2026),
        picture_forum_id: Some(forum),
        ..Default::default()
    }
}

async fn create(store: &Store, user: i64, input: SituationInput) -> Result<SituationDocument, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| situation::create(db, &v, &input)).await
}

/// `quantity` reports of a category at Stortorget, shared with the forum, on 2026-11-25 (or a year earlier).
async fn joint_reports(store: &Store, w: &Est, code: &'static str, quantity: i64, last_year: bool) {
    let (owner, forum, area) = (w.kommun, w.forum, w.stortorget);
    store
        .write(move |db| {
            let cat: i64 = db.scalar("SELECT id FROM categories WHERE forum_id = $1 AND code = $2", brygga_store::args![forum, code])?;
            let at: jiff::Timestamp = if last_year { "2025-11-25T12:00:00Z".parse().unwrap() } else { "2026-11-25T12:00:00Z".parse().unwrap() };
            let week = i64::from(brygga_domain::time::IsoWeek::of(at).key());
            db.execute(
                "INSERT INTO observations (owner_org_id, visibility, forum_id, municipality_code, area_id, category_id, observed_at, week, quantity, source, created_at)
                 VALUES ($1, 'forum', $2, '1287', $3, $4, $5, $6, $7, 'form', $5)",
                brygga_store::args![owner, forum, area, cat, at.as_millisecond(), week, quantity],
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn crimes(store: &Store, month: i64, offence: &'static str, n: Option<f64>) {
    store
        .write(move |db| {
            db.execute(
                "INSERT INTO crime_statistics (municipality_code, year, month, offence, crime_count) VALUES ('1287', 2026, $1, $2, $3)",
                brygga_store::args![month, offence, n],
            )?;
            Ok(())
        })
        .await
        .unwrap();
}

fn codes_of(d: &SituationDocument) -> Vec<&str> {
    d.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn cause(title: &str) -> CauseInput {
    CauseInput {
        title: title.into(),
        triangle_side: Some("place".into()),
        influencer: Some("Fastighetsägaren (platsansvarig)".into()),
        factor: Some("risk".into()),
        basis: "data".into(),
        certainty: "medium".into(),
        ..Default::default()
    }
}

pub async fn situations_adoption_freezes_figures_and_versions_keep_keys(store: &Store) {
    let w = est(store).await;
    // Personal data in the title: refused at the field, nothing written.
    let bad = SituationInput { title: format!("Lägesbild {PNR}"), year: Some(1999), ..lagesbild(w.forum) };
    let e = create(store, w.coordinator, bad).await.unwrap_err();
    let codes = field_codes(&e);
    assert!(codes.contains(&("title".to_owned(), "text.personal_data")), "{codes:?}");
    assert!(codes.contains(&("year".to_owned(), "year.range")), "{codes:?}");
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("title").unwrap().message.contains("personnummer"));
    assert_eq!(count(store, "situations").await, 0, "nothing written");

    crimes(store, 10, "Skadegörelse", Some(40.0)).await;
    crimes(store, 11, "Skadegörelse", None).await;
    let d = create(store, w.coordinator, lagesbild(w.forum)).await.unwrap();
    let id = d.situation.id;
    assert_eq!((d.situation.version_no, d.situation.status.as_str(), d.situation.lineage_id), (1, "draft", id));
    assert!(!d.figures_frozen && !d.suppressed);
    let crime = &d.figures.crime;
    assert_eq!(crime.rows[0].count, Some(40.0));
    assert_eq!(crime.rows[0].suppressed_months, 1, "a suppressed month is missing, never 0");
    assert!(crime.note.as_deref().unwrap().contains("skyddade"));
    assert_eq!(crime.provenance.source, "Polisens anmälningsstatistik (Brå)");
    assert_eq!(crime.provenance.data_date.as_deref(), Some("2026-10"));
    // One kind of source only: the triangulation warning.
    assert!(codes_of(&d).contains(&"triangulation"), "{:?}", d.warnings);

    // The EST reports make a second kind: the warning goes.
    joint_reports(store, &w, "graffiti", 5, false).await;
    joint_reports(store, &w, "graffiti", 2, true).await;
    let d = doc(store, w.coordinator, id).await.unwrap();
    assert!(!codes_of(&d).contains(&"triangulation"), "{:?}", d.warnings);
    let klotter = d.figures.est.categories.iter().find(|c| c.count == Some(5)).expect("graffiti this year");
    assert_eq!(klotter.previous, Some(2));
    assert_eq!(d.figures.est.places[0].name, "Stortorget");
    assert!(d.figures.est.provenance.source.contains("EST Trelleborg"), "{}", d.figures.est.provenance.source);

    // Text with personal data: refused at the field; nothing written.
    let v = viewer(store, w.coordinator).await;
    let edit = SituationEdit { title: "Lägesbild Trelleborg 2026".into(), analysis: Some(PNR.into()), ..Default::default() };
    let e = store.write(move |db| situation::edit(db, &v, id, None, &edit)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("analysis".to_owned(), "text.personal_data")]);
    assert_eq!(count(store, "situation_sections").await, 0);
    let v = viewer(store, w.coordinator).await;
    let edit = SituationEdit {
        title: "Lägesbild Trelleborg 2026".into(),
        crime: Some("Skadegörelsen ökar i centrum.".into()),
        stale_after_months: Some(3),
        ..Default::default()
    };
    let d = store.write(move |db| situation::edit(db, &v, id, Some(d.situation.version), &edit)).await.unwrap();
    assert_eq!(d.sections.iter().find(|s| s.section == "crime").unwrap().body.as_deref(), Some("Skadegörelsen ökar i centrum."));
    // A stale version number is a conflict.
    let v = viewer(store, w.coordinator).await;
    let edit = SituationEdit { title: "X".into(), ..Default::default() };
    assert!(matches!(store.write(move |db| situation::edit(db, &v, id, Some(1), &edit)).await.unwrap_err(), StoreError::Stale));

    // Staleness: not updated for more than the limit → warned; a change clears it.
    store
        .write(move |db| {
            Ok(db.execute(
                "UPDATE situations SET updated_at = updated_at - $1 WHERE id = $2",
                brygga_store::args![150_i64 * 86_400_000, id],
            )?)
        })
        .await
        .unwrap();
    assert!(codes_of(&doc(store, w.coordinator, id).await.unwrap()).contains(&"stale"));
    let v = viewer(store, w.coordinator).await;
    let src = SourceInput {
        kind: "school_survey".into(),
        title: "Skolenkäten 2026".into(),
        summary: Some("Fler elever känner sig otrygga i centrum.".into()),
        source: "Utbildningsförvaltningen".into(),
        source_date: "2026-05-12".into(),
    };
    let s = store.write(move |db| situation::add_source(db, &v, id, &src)).await.unwrap();
    let d = doc(store, w.coordinator, id).await.unwrap();
    assert!(!codes_of(&d).contains(&"stale"), "{:?}", d.warnings);

    // A problem, its evidence and a cause; a problem without causes is warned about.
    let v = viewer(store, w.coordinator).await;
    let p = store
        .write(move |db| {
            problems::add_problem(db, &v, id, &ProblemInput { title: "Klotter och skadegörelse i centrum".into(), ..Default::default() })
        })
        .await
        .unwrap();
    let pid = p.id;
    assert!(codes_of(&doc(store, w.coordinator, id).await.unwrap()).contains(&"problem_without_causes"));
    let v = viewer(store, w.coordinator).await;
    let bad = EvidenceInput { kind: "category".into(), category: Some("mopeder".into()), ..Default::default() };
    let e = store.write(move |db| problems::add_evidence(db, &v, id, pid, &bad)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("category".to_owned(), "category.unknown")]);
    let v = viewer(store, w.coordinator).await;
    let bad = EvidenceInput { kind: "crime_series".into(), offence: Some("Rån".into()), ..Default::default() };
    let e = store.write(move |db| problems::add_evidence(db, &v, id, pid, &bad)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("offence".to_owned(), "plans.no_series")]);
    let stortorget = w.stortorget;
    let v = viewer(store, w.coordinator).await;
    store
        .write(move |db| {
            problems::add_evidence(
                db,
                &v,
                id,
                pid,
                &EvidenceInput { kind: "category".into(), category: Some("Klotter".into()), ..Default::default() },
            )?;
            problems::add_evidence(
                db,
                &v,
                id,
                pid,
                &EvidenceInput { kind: "crime_series".into(), offence: Some("Skadegörelse".into()), ..Default::default() },
            )?;
            problems::add_evidence(
                db,
                &v,
                id,
                pid,
                &EvidenceInput {
                    kind: "flag".into(),
                    category: Some("graffiti".into()),
                    area_id: Some(stortorget),
                    week: Some("2026-W48".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    // A cause: personal data in its text, and neither side nor factor, are refused at the fields.
    let v = viewer(store, w.coordinator).await;
    let bad = CauseInput { description: Some(PNR.into()), triangle_side: None, factor: None, ..cause("Mörk gångtunnel") };
    let e = store.write(move |db| problems::add_cause(db, &v, id, pid, &bad)).await.unwrap_err();
    let codes = field_codes(&e);
    assert!(codes.contains(&("description".to_owned(), "text.personal_data")), "{codes:?}");
    assert!(codes.contains(&("triangle_side".to_owned(), "plans.cause_kind")), "{codes:?}");
    assert_eq!(count(store, "problem_causes").await, 0);
    let v = viewer(store, w.coordinator).await;
    let c = store.write(move |db| problems::add_cause(db, &v, id, pid, &cause("Mörk gångtunnel"))).await.unwrap();
    assert_eq!((c.triangle_label.as_deref(), c.factor_label.as_deref()), (Some("Plats"), Some("Riskfaktor")));
    let d = doc(store, w.coordinator, id).await.unwrap();
    assert!(!codes_of(&d).contains(&"problem_without_causes"));
    assert_eq!(d.problems[0].evidence.len(), 3);
    assert!(d.problems[0].evidence[2].label.contains("Stortorget"), "{:?}", d.problems[0].evidence[2]);
    let v = viewer(store, w.coordinator).await;
    let refs = store.read(move |db| problems::causes_of(db, &v, id)).await.unwrap();
    assert_eq!(
        refs.iter().map(|r| (r.title.as_str(), r.problem_title.as_str())).collect::<Vec<_>>(),
        [("Mörk gångtunnel", "Klotter och skadegörelse i centrum")]
    );

    // Adoption freezes the figures. Data that arrives afterwards does not change them.
    let v = viewer(store, w.coordinator).await;
    let adopted = store
        .write(move |db| {
            situation::adopt(
                db,
                &v,
                id,
                None,
                &AdoptInput {
                    decided_by: Some("Kommunstyrelsen".into()),
                    decided_on: Some("2026-12-01".into()),
                    decision_ref: Some("KS 2026/123".into()),
                },
            )
        })
        .await
        .unwrap();
    assert_eq!((adopted.situation.status.as_str(), adopted.figures_frozen), ("adopted", true));
    crimes(store, 9, "Skadegörelse", Some(10.0)).await;
    joint_reports(store, &w, "graffiti", 4, false).await;
    let d = doc(store, w.coordinator, id).await.unwrap();
    assert_eq!(d.figures, adopted.figures, "the adopted version's figures do not change");
    assert_eq!(d.figures.crime.rows[0].count, Some(40.0));

    // Editing an adopted version: refused with the message, nothing written.
    let sections_before = count(store, "situation_sections").await;
    let v = viewer(store, w.coordinator).await;
    let edit = SituationEdit { title: "Ändrad".into(), summary: Some("Ny text".into()), ..Default::default() };
    let e = store.write(move |db| situation::edit(db, &v, id, None, &edit)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.adopted")]);
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("status").unwrap().message.contains("Starta en ny version"), "{}", errs.get("status").unwrap().message);
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| problems::add_cause(db, &v, id, pid, &cause("Sent öppet"))).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.adopted")]);
    assert_eq!(count(store, "situation_sections").await, sections_before);
    assert_eq!(count(store, "problem_causes").await, 1);
    assert_eq!(doc(store, w.coordinator, id).await.unwrap().situation.title, "Lägesbild Trelleborg 2026");

    // A new version: a draft with every part, keys kept; its figures are live again.
    let v = viewer(store, w.coordinator).await;
    let v2 = store.write(move |db| situation::new_version(db, &v, id)).await.unwrap();
    assert_eq!((v2.situation.version_no, v2.situation.status.as_str(), v2.situation.lineage_id), (2, "draft", id));
    assert_eq!(v2.problems[0].key, p.key);
    assert_eq!(v2.problems[0].causes[0].key, c.key);
    assert_eq!(v2.problems[0].evidence.len(), 3);
    assert_eq!(v2.sources[0].key, s.key);
    assert_eq!(v2.sections.iter().find(|s| s.section == "crime").unwrap().body.as_deref(), Some("Skadegörelsen ökar i centrum."));
    assert_eq!(v2.figures.crime.rows[0].count, Some(50.0), "the draft's figures are live");
    assert_eq!(v2.versions.len(), 2);
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| situation::new_version(db, &v, id)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.draft_exists")]);
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("status").unwrap().message.contains("version 2"));
    // Adopting version 2 supersedes version 1.
    let (v, id2) = (viewer(store, w.coordinator).await, v2.situation.id);
    store.write(move |db| situation::adopt(db, &v, id2, None, &AdoptInput::default())).await.unwrap();
    assert_eq!(doc(store, w.coordinator, id).await.unwrap().situation.status, "superseded");
    // Every change is in the owner's audit log.
    let logged: Vec<String> = store
        .read(|db| Ok(db.scalars("SELECT DISTINCT action FROM audit_log WHERE action LIKE 'situation.%' ORDER BY action", &[])?))
        .await
        .unwrap();
    for want in
        ["situation.adopt", "situation.cause.add", "situation.create", "situation.edit", "situation.new_version", "situation.source.add"]
    {
        assert!(logged.iter().any(|a| a == want), "{want} in {logged:?}");
    }
}

pub async fn situations_are_the_parties_until_shared_or_published(store: &Store) {
    let w = est(store).await;
    // Another municipality's coordinator has no claim here.
    let e = create(store, w.outsider, lagesbild(w.forum)).await.unwrap_err();
    let codes = field_codes(&e);
    assert!(codes.contains(&("municipality_code".to_owned(), "plans.no_claim")), "{codes:?}");
    joint_reports(store, &w, "graffiti", 5, false).await;
    joint_reports(store, &w, "littering", 2, false).await;
    let d = create(store, w.coordinator, lagesbild(w.forum)).await.unwrap();
    let id = d.situation.id;
    // Isolation: another municipality's coordinator, a forum member who is not a party, anonymous.
    for user in [w.outsider, w.tenant_member] {
        assert!(matches!(doc(store, user, id).await.unwrap_err(), StoreError::NotFound { .. }), "user {user}");
        let v = viewer(store, user).await;
        assert!(store.read(move |db| situation::list(db, &v, None)).await.unwrap().is_empty());
        let v = viewer(store, user).await;
        let e = store
            .write(move |db| problems::add_problem(db, &v, id, &ProblemInput { title: "X".into(), ..Default::default() }))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    }
    assert!(matches!(store.read(move |db| situation::public(db, id)).await.unwrap_err(), StoreError::NotFound { .. }));
    // A reader of the owner reads the draft but does not write it.
    assert!(doc(store, w.reader, id).await.is_ok());
    let v = viewer(store, w.reader).await;
    let e = store
        .write(move |db| problems::add_problem(db, &v, id, &ProblemInput { title: "X".into(), ..Default::default() }))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden));

    // A draft is never shared.
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let e = store
        .write(move |db| situation::share(db, &v, id, &ShareInput { visibility: "forum".into(), forum_id: Some(f) }))
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("visibility".to_owned(), "plans.share_adopted")]);
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| situation::adopt(db, &v, id, None, &AdoptInput::default())).await.unwrap();
    // Not a forum the owner is in.
    let (v, other) = (viewer(store, w.coordinator).await, w.forum + 1000);
    let e = store
        .write(move |db| situation::share(db, &v, id, &ShareInput { visibility: "forum".into(), forum_id: Some(other) }))
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("forum_id".to_owned(), "forum.not_member")]);
    // Shared with the forum: its members read it, with small counts hidden; outsiders still do not.
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    store.write(move |db| situation::share(db, &v, id, &ShareInput { visibility: "forum".into(), forum_id: Some(f) })).await.unwrap();
    let seen = doc(store, w.tenant_member, id).await.unwrap();
    assert!(seen.suppressed && !seen.is_party && !seen.can_write && seen.warnings.is_empty());
    let small = seen.figures.est.categories.iter().find(|c| c.hidden).expect("the small count is hidden");
    assert_eq!(small.count, None);
    assert!(seen.figures.est.categories.iter().any(|c| c.count == Some(5)));
    let exact = doc(store, w.coordinator, id).await.unwrap();
    assert!(exact.figures.est.categories.iter().any(|c| c.count == Some(2)), "parties see exact counts");
    assert!(matches!(doc(store, w.outsider, id).await.unwrap_err(), StoreError::NotFound { .. }));
    let v = viewer(store, w.tenant_member).await;
    let e = store
        .write(move |db| problems::add_problem(db, &v, id, &ProblemInput { title: "X".into(), ..Default::default() }))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // Reading a shared version from outside the parties is in the owner's audit log, naming the
    // owner; the parties' own reads are not logged.
    let reads = |store: &Store| {
        let store = store.clone();
        async move {
            store
                .read(move |db| {
                    Ok(db.scalars::<i64>(
                        "SELECT o.org_id FROM audit_log a JOIN audit_log_orgs o ON o.audit_id = a.id
                         WHERE a.action = 'situation.read' AND a.record_id = $1 ORDER BY a.id",
                        &[id.into()],
                    )?)
                })
                .await
                .unwrap()
        }
    };
    assert!(reads(store).await.is_empty());
    for user in [w.coordinator, w.reader] {
        let v = viewer(store, user).await;
        store.read_audited(&v.clone(), move |db| situation::load_audited(db, &v, id)).await.unwrap();
    }
    assert!(reads(store).await.is_empty(), "the parties' reads are not logged");
    let v = viewer(store, w.tenant_member).await;
    store.read_audited(&v.clone(), move |db| situation::load_audited(db, &v, id)).await.unwrap();
    assert_eq!(reads(store).await, [w.kommun], "a forum member's read is in the owner's log");
    // Published: anyone reads it, aggregates only, suppressed.
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| situation::share(db, &v, id, &ShareInput { visibility: "public".into(), forum_id: None })).await.unwrap();
    let public = store.read(move |db| situation::public(db, id)).await.unwrap();
    assert!(public.suppressed);
    assert!(public.figures.est.categories.iter().all(|c| c.count.is_none_or(|n| n >= 3)), "{:?}", public.figures.est.categories);
    assert!(public.figures.est.categories.iter().any(|c| c.hidden));
    assert!(public.figures.est.flags.is_empty());
    assert!(doc(store, w.outsider, id).await.is_ok(), "a published version is public");
}

pub async fn problem_pictures_are_made_with_the_police(store: &Store) {
    let w = est(store).await;
    let polis = org(store, "Lokalpolisområde Trelleborg", OrgKind::Police, &["1287"]).await;
    let polis_coord = user(store, "samordnare@polisen.se", polis, Role::Coordinator).await;
    let pp = SituationInput { kind: "problem_picture".into(), title: "Gemensam problembild 2026".into(), ..lagesbild(w.forum) };
    let e = create(store, w.coordinator, pp.clone()).await.unwrap_err();
    assert_eq!(field_codes(&e), [("co_owner_org_ids".to_owned(), "plans.police_party")]);
    let e = create(store, w.coordinator, SituationInput { picture_forum_id: None, co_owner_org_ids: vec![polis], ..pp.clone() })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("picture_forum_id".to_owned(), "required")]);
    // The municipality's own lägesbild is an input of the problembild.
    let own = create(store, w.coordinator, lagesbild(w.forum)).await.unwrap();
    let d = create(store, w.coordinator, SituationInput { co_owner_org_ids: vec![polis], ..pp }).await.unwrap();
    assert_eq!(d.situation.kind_label, "Gemensam problembild");
    assert_eq!(d.situation.parties.len(), 2);
    assert!(!codes_of(&d).contains(&"one_party"));
    assert_eq!(d.inputs.iter().map(|i| i.id).collect::<Vec<_>>(), [own.situation.id]);
    // The police's coordinator is a party: reads and writes the draft, but does not adopt it.
    let id = d.situation.id;
    let v = viewer(store, polis_coord).await;
    store
        .write(move |db| {
            problems::add_problem(db, &v, id, &ProblemInput { title: "Narkotikaförsäljning vid stationen".into(), ..Default::default() })
        })
        .await
        .unwrap();
    let v = viewer(store, polis_coord).await;
    assert!(matches!(
        store.write(move |db| situation::adopt(db, &v, id, None, &AdoptInput::default())).await.unwrap_err(),
        StoreError::Forbidden
    ));
    // With one party left, the problembild warns.
    store
        .write(move |db| {
            Ok(db.execute("DELETE FROM situation_parties WHERE situation_id = $1 AND org_id = $2", brygga_store::args![id, polis])?)
        })
        .await
        .unwrap();
    assert!(codes_of(&doc(store, w.coordinator, id).await.unwrap()).contains(&"one_party"));
}

/// A cause that a plan's measure addresses cannot be removed (nor its problem): the refusal
/// names the measure, and nothing is removed. (The plan rows are written directly here: the
/// åtgärdsplan's own commands are another part of the capability.)
pub async fn situations_a_cause_in_use_by_a_measure_stays(store: &Store) {
    let w = est(store).await;
    let d = create(store, w.coordinator, lagesbild(w.forum)).await.unwrap();
    let id = d.situation.id;
    let v = viewer(store, w.coordinator).await;
    let (pid, cid) = store
        .write(move |db| {
            let p = problems::add_problem(db, &v, id, &ProblemInput { title: "Klotter i centrum".into(), ..Default::default() })?;
            let c = problems::add_cause(db, &v, id, p.id, &cause("Mörk gångtunnel"))?;
            Ok((p.id, c.id))
        })
        .await
        .unwrap();
    let kommun = w.kommun;
    store
        .write(move |db| {
            let plan: i64 = db.scalar(
                "INSERT INTO action_plans (lineage_id, version_no, status, title, municipality_code, period_from, period_to, situation_id, owner_org_id,
                    visibility, version, created_at, updated_at)
                 VALUES (0, 1, 'draft', 'Åtgärdsplan 2026–2027', '1287', '2026-01-01', '2027-12-31', $1, $2, 'organisation', 1, 0, 0) RETURNING id",
                brygga_store::args![id, kommun],
            )?;
            let m: i64 = db.scalar(
                "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, status, basis, position)
                 VALUES ($1, 'm1', 'Belysning i gångtunneln', $2, 'planned', 'documented_knowledge', 1) RETURNING id",
                brygga_store::args![plan, kommun],
            )?;
            db.execute("INSERT INTO measure_causes (measure_id, cause_id) VALUES ($1, $2)", brygga_store::args![m, cid])?;
            Ok(())
        })
        .await
        .unwrap();
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| problems::remove_cause(db, &v, id, cid)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("cause".to_owned(), "plans.cause_in_use")]);
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("cause").unwrap().message.contains("”Belysning i gångtunneln”"), "{}", errs.get("cause").unwrap().message);
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| problems::remove_problem(db, &v, id, pid)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("problem".to_owned(), "plans.cause_in_use")]);
    assert_eq!(count(store, "problem_causes").await, 1, "nothing removed");
    // Unlinked, it goes.
    store.write(|db| Ok(db.execute("DELETE FROM measure_causes", &[])?)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| problems::remove_cause(db, &v, id, cid)).await.unwrap();
    assert_eq!(count(store, "problem_causes").await, 0);
}
