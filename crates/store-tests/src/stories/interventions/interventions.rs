//! Interventions: bad input at the field with nothing written; who reads (owner, partners, a
//! forum's members when shared, anyone when public — nobody else, not in lists either) and who
//! writes (the owner's users only); overlap hints with their score and reasons, seen by the
//! owners of both, revealing nothing but the existence (and, when discoverable, the owner's
//! name and contact) of an intervention the viewer may not read; the search document's readers.

use brygga_store::actors::interventions::{self, Intervention, InterventionInput, ListFilter};
use brygga_store::actors::overlap::{self, Hint};
use brygga_store::kernel::index::Reader;

use super::*;

fn field_code(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).code.to_owned(),
        other => panic!("expected Invalid at {field}, got {other:?}"),
    }
}

async fn rows(store: &Store) -> Vec<i64> {
    store
        .read(|db| {
            let mut out = Vec::new();
            for t in
                ["interventions", "intervention_partners", "intervention_municipalities", "intervention_areas", "intervention_overlaps"]
            {
                out.push(db.scalar(&format!("SELECT COUNT(*) FROM {t}"), &[])?);
            }
            Ok(out)
        })
        .await
        .unwrap()
}

async fn area(store: &Store, user: i64, owner: i64, municipality: &str, name: &str, lon: f64, lat: f64) -> i64 {
    let v = viewer(store, user).await;
    let a = NewArea {
        municipality: MunicipalityCode::parse(municipality).unwrap(),
        parent_id: None,
        name: name.into(),
        kind: "district".into(),
        geometry: PlaceGeometry::point(lon, lat),
        owner_org_id: owner,
    };
    store.write(move |db| areas::create(db, &v, &a)).await.unwrap().id
}

fn football(owner: i64, centrum: i64, title: &str, ages: (i64, i64)) -> InterventionInput {
    InterventionInput {
        title: title.into(),
        description: "Öppen fotboll på konstgräsplanen varje fredag kväll med ledare på plats.".into(),
        owner_org_id: Some(owner),
        municipality_codes: vec!["1287".into()],
        area_ids: vec![centrum],
        period_from: Some("2026-09-01".into()),
        period_to: Some("2026-12-18".into()),
        recurrence: Some("weekly".into()),
        age_from: Some(ages.0),
        age_to: Some(ages.1),
        themes: vec!["idrott".into(), "fritid".into()],
        target_groups: vec!["unga".into()],
        contact: Some("kvallsfotboll@nattvandrarna.se, 0410-123 45".into()),
        ..Default::default()
    }
}

async fn create(store: &Store, user: i64, input: InterventionInput) -> Result<Intervention, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| interventions::create(db, &v, &input)).await
}

async fn get(store: &Store, user: Option<i64>, id: i64) -> Result<Intervention, StoreError> {
    let v = match user {
        Some(u) => viewer(store, u).await,
        None => Viewer::anonymous(Origin::default()),
    };
    store.read(move |db| interventions::get(db, &v, id)).await
}

async fn titles(store: &Store, user: Option<i64>) -> Vec<String> {
    let v = match user {
        Some(u) => viewer(store, u).await,
        None => Viewer::anonymous(Origin::default()),
    };
    store.read(move |db| interventions::list(db, &v, &ListFilter::default())).await.unwrap().into_iter().map(|i| i.title).collect()
}

async fn hints(store: &Store, user: i64) -> Vec<Hint> {
    let v = viewer(store, user).await;
    store.read(move |db| overlap::hints(db, &v, None)).await.unwrap()
}

async fn edit(store: &Store, user: i64, i: &Intervention, f: impl FnOnce(&mut InterventionInput)) -> Result<Intervention, StoreError> {
    let mut input = InterventionInput {
        title: i.title.clone(),
        description: i.description.clone(),
        method: i.method.clone(),
        partner_org_ids: i.partner_ids(),
        municipality_codes: i.municipalities.iter().map(|m| m.code.clone()).collect(),
        area_ids: i.areas.iter().map(|a| a.id).collect(),
        period_from: Some(i.period_from.clone()),
        period_to: i.period_to.clone(),
        recurrence: Some(i.recurrence.code.clone()),
        age_from: i.age_from,
        age_to: i.age_to,
        themes: i.themes.iter().map(|c| c.code.clone()).collect(),
        target_groups: i.target_groups.iter().map(|c| c.code.clone()).collect(),
        contact: i.contact.clone(),
        status: Some(i.status.code.clone()),
        visibility: Some(i.visibility.clone()),
        forum_id: i.forum_id,
        discoverable: i.discoverable,
        ..Default::default()
    };
    f(&mut input);
    let v = viewer(store, user).await;
    let (id, version) = (i.id, i.version);
    store.write(move |db| interventions::edit(db, &v, id, version, &input)).await
}

/// A change to a good input that makes it bad.
type Change = Box<dyn Fn(&mut InterventionInput)>;

/// Every kind of bad input is refused at its field with a Swedish message, and nothing is
/// written; what is allowed (a municipality the owner does not serve, with a partner that does)
/// goes through.
pub async fn interventions_refuse_bad_input_at_the_field(store: &Store) {
    let w = est(store).await;
    let centrum = area(store, w.coordinator, w.kommun, "1287", "Centrum", 13.157, 55.376).await;
    let angelholm_area = area(store, w.outsider, w.angelholm, "1292", "Nyhem", 12.86, 56.24).await;
    let before = rows(store).await;
    let good = || football(w.forening, centrum, "Kvällsfotboll för tonåringar", (14, 18));
    let cases: Vec<(&str, &str, Change)> = vec![
        ("period_to", "actors.period_order", Box::new(|i| i.period_to = Some("2026-08-01".into()))),
        ("age_to", "actors.age_order", Box::new(|i| (i.age_from, i.age_to) = (Some(16), Some(13)))),
        ("age_from", "actors.age_range", Box::new(|i| i.age_from = Some(-1))),
        (
            "funding_to",
            "actors.funding_order",
            Box::new(|i| (i.funding_from, i.funding_to) = (Some("2026-12-31".into()), Some("2026-01-01".into()))),
        ),
        ("period_from", "required", Box::new(|i| i.period_from = None)),
        ("municipality_codes", "required", Box::new(|i| (i.municipality_codes, i.area_ids) = (vec![], vec![]))),
        (
            "municipality_codes",
            "actors.municipality_not_served",
            Box::new(|i| (i.municipality_codes, i.area_ids) = (vec!["1292".into()], vec![])),
        ),
        ("municipality_codes", "actors.unknown_municipality", Box::new(|i| i.municipality_codes = vec!["9999".into()])),
        ("area_ids", "actors.area_elsewhere", Box::new(move |i| i.area_ids = vec![angelholm_area])),
        (
            "description",
            "text.personal_data",
            Box::new(|i| i.description = "Anmälan till anna.svensson@gmail.com eller 19121212-1212.".into()),
        ),
        ("title", "required", Box::new(|i| i.title = "  ".into())),
        ("themes", "actors.unknown_code", Box::new(|i| i.themes = vec!["fotboll".into()])),
        ("recurrence", "actors.unknown_code", Box::new(|i| i.recurrence = Some("ibland".into()))),
        ("lat", "position.outside_sweden", Box::new(|i| (i.lat, i.lon) = (Some(13.15), Some(55.37)))),
        ("visibility", "visibility.unknown", Box::new(|i| i.visibility = Some("alla".into()))),
    ];
    for (field, code, change) in cases {
        let mut input = good();
        change(&mut input);
        let e = create(store, w.association, input).await.unwrap_err();
        if field == "visibility" {
            // The code of an unknown visibility is the kernel's; the field is what matters.
            assert!(matches!(&e, StoreError::Invalid(errs) if errs.get("visibility").is_some()), "{e:?}");
        } else {
            assert_eq!(field_code(&e, field), code, "{field}: {e:?}");
        }
    }
    // Several problems at once are all reported.
    let mut input = good();
    input.period_to = Some("2026-01-01".into());
    input.age_from = Some(20);
    match create(store, w.association, input).await.unwrap_err() {
        StoreError::Invalid(errs) => assert!(errs.get("period_to").is_some() && errs.get("age_to").is_some(), "{errs:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(rows(store).await, before, "nothing written");
    // The organisation's own contact details are allowed where they belong.
    let ok = create(store, w.association, good()).await.unwrap();
    assert_eq!(ok.contact.as_deref(), Some("kvallsfotboll@nattvandrarna.se, 0410-123 45"));
    // A municipality the owner does not serve is allowed with a partner that serves it.
    let mut input = good();
    input.title = "Gemensam läger i Ängelholm".into();
    input.municipality_codes = vec!["1292".into()];
    input.area_ids = vec![angelholm_area];
    input.partner_org_ids = vec![w.angelholm];
    let with_partner = create(store, w.association, input).await.unwrap();
    assert_eq!(with_partner.partners.iter().map(|p| p.id).collect::<Vec<_>>(), vec![w.angelholm]);
    // A reader may not register, nor anyone for another organisation.
    assert!(matches!(create(store, w.reader, football(w.kommun, centrum, "X", (1, 2))).await, Err(StoreError::Forbidden)));
    assert!(matches!(create(store, w.association, football(w.kommun, centrum, "X", (1, 2))).await, Err(StoreError::Forbidden)));
}

/// Who reads and who writes: the owner; partners read as if shared with them; a forum's
/// members when shared with the forum; anyone when public. Nobody else, in lists or counts.
pub async fn interventions_are_read_by_owner_partners_and_as_shared(store: &Store) {
    let w = est(store).await;
    let centrum = area(store, w.coordinator, w.kommun, "1287", "Centrum", 13.157, 55.376).await;
    let mut input = football(w.kommun, centrum, "Fotboll fredag kväll för unga i Centrum", (13, 16));
    input.contact = Some("fritid@trelleborg.se".into());
    let i = create(store, w.coordinator, input).await.unwrap();
    assert_eq!(i.visibility, "organisation");
    // The owner's users read it, readers included; others do not — not even in lists.
    assert!(get(store, Some(w.reader), i.id).await.is_ok());
    for outsider in [Some(w.tenant_member), Some(w.association), Some(w.outsider), None] {
        assert!(matches!(get(store, outsider, i.id).await, Err(StoreError::NotFound { .. })), "{outsider:?}");
        assert!(titles(store, outsider).await.is_empty(), "{outsider:?}");
    }
    let count_for = |u: i64| async move {
        let v = viewer(store, u).await;
        store
            .read(move |db| interventions::list(db, &v, &ListFilter { municipality: Some("1287".into()), ..Default::default() }))
            .await
            .unwrap()
            .len()
    };
    assert_eq!(count_for(w.coordinator).await, 1);
    assert_eq!(count_for(w.outsider).await, 0);
    // A partner reads it and its list has it; it may not write it.
    let i = edit(store, w.coordinator, &i, |x| x.partner_org_ids = vec![w.bostad]).await.unwrap();
    assert!(get(store, Some(w.tenant_member), i.id).await.is_ok());
    assert_eq!(titles(store, Some(w.tenant_member)).await, vec![i.title.clone()]);
    assert!(matches!(edit(store, w.tenant_member, &i, |x| x.title = "Kapad".into()).await, Err(StoreError::Forbidden)));
    // An outsider cannot write it either (not found: it cannot see it).
    assert!(matches!(edit(store, w.outsider, &i, |x| x.title = "Kapad".into()).await, Err(StoreError::NotFound { .. })));
    let v = viewer(store, w.association).await;
    let id = i.id;
    assert!(matches!(store.write(move |db| interventions::delete(db, &v, id)).await, Err(StoreError::NotFound { .. })));
    // The search document states the same readers.
    let doc = store.read(move |db| interventions::search_document(db, id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, vec![Reader::Org(w.kommun), Reader::Org(w.bostad)]);
    assert_eq!(doc.municipalities, vec!["1287".to_owned()]);
    // Shared with the forum: its members read it; Ängelholm and anonymous still do not.
    let i = edit(store, w.coordinator, &i, |x| (x.visibility, x.forum_id) = (Some("forum".into()), Some(w.forum))).await.unwrap();
    assert!(get(store, Some(w.association), i.id).await.is_ok());
    assert!(get(store, Some(w.outsider), i.id).await.is_err());
    assert!(get(store, None, i.id).await.is_err());
    // A stale version is a conflict.
    let stale = Intervention { version: i.version - 1, ..i.clone() };
    assert!(matches!(edit(store, w.coordinator, &stale, |x| x.title = "Gammal".into()).await, Err(StoreError::Stale)));
    // Public: everyone, signed in or not.
    let i = edit(store, w.coordinator, &i, |x| (x.visibility, x.forum_id) = (Some("public".into()), None)).await.unwrap();
    assert!(get(store, None, i.id).await.is_ok());
    assert_eq!(titles(store, Some(w.outsider)).await, vec![i.title.clone()]);
    let doc = store.read(move |db| interventions::search_document(db, id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, vec![Reader::Public]);
    // Every write touched the search inbox; deleting removes the document.
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| interventions::delete(db, &v, id)).await.unwrap();
    let (pending, doc) = store
        .read(move |db| {
            let n: i64 = db.scalar("SELECT COUNT(*) FROM search_pending WHERE kind = 'intervention' AND record_id = $1", &[id.into()])?;
            Ok((n, interventions::search_document(db, id)?))
        })
        .await
        .unwrap();
    assert_eq!((pending, doc), (1, None));
}

/// Two organisations run football for the same teenagers in the same area and period: both
/// get a hint. The one that may not read the other's record learns that an overlap exists and,
/// only if the other allowed discovery, whom to contact — no title, no place, no reasons. An
/// outsider learns nothing. Sharing, editing and deleting refresh the hints.
pub async fn overlap_hints_reveal_only_what_the_viewer_may_know(store: &Store) {
    let w = est(store).await;
    let centrum = area(store, w.coordinator, w.kommun, "1287", "Centrum", 13.157, 55.376).await;
    // The municipality's, shared only within the municipality, not discoverable.
    let mut mine = football(w.kommun, centrum, "Fotboll fredag kväll för unga i Centrum", (13, 16));
    mine.contact = Some("fritid@trelleborg.se".into());
    let kommunens = create(store, w.coordinator, mine).await.unwrap();
    // The association's, own only but discoverable.
    let mut theirs = football(w.forening, centrum, "Kvällsfotboll för tonåringar", (14, 18));
    theirs.discoverable = true;
    let foreningens = create(store, w.association, theirs).await.unwrap();
    // Something unrelated in the same municipality: another period and other ages.
    let mut other = football(w.kommun, centrum, "Sommarlovsaktiviteter för barn", (6, 9));
    other.period_from = Some("2027-06-15".into());
    other.period_to = Some("2027-08-15".into());
    create(store, w.coordinator, other).await.unwrap();

    // The stored pair and its score.
    let (a, b) = (kommunens.id, foreningens.id);
    let found = store.read(move |db| overlap::check(db, a)).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let (other_id, scored) = &found[0];
    assert_eq!(*other_id, b);
    assert!(scored.score >= overlap::THRESHOLD, "{scored:?}");
    assert_eq!(scored.reasons[0], "samma område: Centrum");
    assert_eq!(scored.reasons[1], "åldrar 13–16 och 14–18 överlappar");
    assert_eq!(scored.reasons[2], "samma period");
    assert!(scored.reasons.iter().any(|r| r.starts_with("liknande innehåll (ord: ")), "{scored:?}");

    // The municipality may not read the association's: only that it exists, and (discoverable)
    // who to contact.
    let k = hints(store, w.coordinator).await;
    assert_eq!(k.len(), 1, "{k:?}");
    assert_eq!(k[0].own.id, kommunens.id);
    assert!(k[0].other.is_none());
    let d = k[0].discovered.as_ref().expect("discoverable");
    assert_eq!((d.owner_name.as_str(), d.contact.as_deref()), ("Nattvandrarna", Some("kvallsfotboll@nattvandrarna.se, 0410-123 45")));
    let json = serde_json::to_string(&k).unwrap();
    assert!(json.contains("\"other\":null"), "{json}");
    for secret in ["Kvällsfotboll", "tonåringar", "14–18", "2026-09-01", "reasons", "score"] {
        assert!(!json.contains(secret), "{secret} leaks: {json}");
    }
    // The association may not read the municipality's, which is not discoverable: nothing but
    // the existence.
    let f = hints(store, w.association).await;
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].own.id, f[0].other.is_none(), f[0].discovered.is_none()), (foreningens.id, true, true));
    let json = serde_json::to_string(&f).unwrap();
    assert!(!json.contains("Fotboll fredag") && !json.contains("Trelleborgs kommun") && !json.contains("fritid@"), "{json}");
    // Nobody else sees a hint.
    for u in [w.outsider, w.tenant_member] {
        assert!(hints(store, u).await.is_empty());
    }

    // Shared with the forum the association is in: now it reads the municipality's, and its
    // hint shows the other, the score and the reasons.
    let kommunens =
        edit(store, w.coordinator, &kommunens, |x| (x.visibility, x.forum_id) = (Some("forum".into()), Some(w.forum))).await.unwrap();
    let f = hints(store, w.association).await;
    let other = f[0].other.as_ref().expect("readable now");
    assert_eq!(
        (other.id, other.title.as_str(), other.owner_name.as_str()),
        (kommunens.id, "Fotboll fredag kväll för unga i Centrum", "Trelleborgs kommun")
    );
    assert_eq!(other.score, scored.score);
    assert_eq!(other.reasons, scored.reasons);
    assert!(hints(store, w.coordinator).await[0].other.is_none(), "the municipality still may not read the association's");

    // Moved to the spring: no overlap, no hint for either.
    let kommunens =
        edit(store, w.coordinator, &kommunens, |x| (x.period_from, x.period_to) = (Some("2027-02-01".into()), Some("2027-05-31".into())))
            .await
            .unwrap();
    assert!(hints(store, w.coordinator).await.is_empty());
    assert!(hints(store, w.association).await.is_empty());
    // Back, then ended: an ended intervention overlaps nothing.
    let kommunens =
        edit(store, w.coordinator, &kommunens, |x| (x.period_from, x.period_to) = (Some("2026-09-01".into()), Some("2026-12-18".into())))
            .await
            .unwrap();
    assert_eq!(hints(store, w.association).await.len(), 1);
    edit(store, w.coordinator, &kommunens, |x| x.status = Some("ended".into())).await.unwrap();
    assert!(hints(store, w.association).await.is_empty());
    // Deleted: the pair goes.
    let v = viewer(store, w.association).await;
    let id = foreningens.id;
    store.write(move |db| interventions::delete(db, &v, id)).await.unwrap();
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM intervention_overlaps", &[])?)).await.unwrap();
    assert_eq!(n, 0);
}
