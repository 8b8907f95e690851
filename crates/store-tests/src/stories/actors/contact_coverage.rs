//! Contact persons by level and role, the county coverage report, the counterparts of a
//! municipality and its "vart vänder jag mig" guide (issue 15, items 2 and 4): who reads (the
//! sharing rule, also inside the report's counts), who writes, bad input at the field with
//! nothing written, shipped reference data that never overwrites an edit.

use brygga_domain::geography::MunicipalityCode;
use brygga_store::accounts::contacts::roles::{self, RoleInput};
use brygga_store::actors::counterparts::{self, CounterpartsInput};
use brygga_store::actors::coverage;
use brygga_store::actors::guide::{self, EntryInput, GuideInput};
use brygga_store::places::geography::PoliceAreaInput;

use super::*;

fn muni(code: &str) -> MunicipalityCode {
    MunicipalityCode::parse(code).unwrap()
}

fn contact(name: &str, visibility: &str, level: &str, role: &str, municipalities: &[&str], county: Option<&str>) -> ContactInput {
    ContactInput {
        name: name.into(),
        title: Some("Samordnare".into()),
        email: Some(format!("{}@example.se", name.to_lowercase().replace(' ', "."))),
        phone: None,
        visibility: visibility.into(),
        forum_id: None,
        level: (!level.is_empty()).then(|| level.into()),
        role: (!role.is_empty()).then(|| role.into()),
        county_code: county.map(str::to_owned),
        municipality_codes: municipalities.iter().map(|s| s.to_string()).collect(),
    }
}

async fn add(store: &Store, user: i64, org: i64, input: ContactInput) -> Result<contacts::ContactPerson, StoreError> {
    let v = viewer(store, user).await;
    let valid = input.validate()?;
    store.write(move |db| contacts::create(db, &v, org, &valid)).await
}

async fn count(store: &Store, table: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar::<i64>(&format!("SELECT COUNT(*) FROM {table}"), &[])?)).await.unwrap()
}

struct World {
    trelleborg: i64,
    hassleholm: i64,
    police: i64,
    county: i64,
    trelleborg_coordinator: i64,
    trelleborg_member: i64,
    hassleholm_coordinator: i64,
    police_coordinator: i64,
    county_coordinator: i64,
}

async fn world(store: &Store) -> World {
    let trelleborg = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let hassleholm = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let police = org(store, "Polisen Syd", OrgKind::Police, &["1287", "1293"]).await;
    let county = org(store, "Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287", "1293", "1292"]).await;
    World {
        trelleborg,
        hassleholm,
        police,
        county,
        trelleborg_coordinator: user(store, "samordnare@trelleborg.se", trelleborg, Role::Coordinator).await,
        trelleborg_member: user(store, "medlem@trelleborg.se", trelleborg, Role::Member).await,
        hassleholm_coordinator: user(store, "samordnare@hassleholm.se", hassleholm, Role::Coordinator).await,
        police_coordinator: user(store, "kommunpolis@polisen.se", police, Role::Coordinator).await,
        county_coordinator: user(store, "lan@lansstyrelsen.se", county, Role::Coordinator).await,
    }
}

/// Levels, roles and what they cover; bad input at the field with nothing written; the county
/// report counts only what the viewer may read, so an organisation-only contact is a gap for
/// everybody else (and not even a number), while its own organisation sees it.
pub async fn contact_persons_have_levels_and_roles_and_the_county_sees_its_gaps(store: &Store) {
    let w = world(store).await;
    let before = count(store, "contact_persons").await;

    // Bad input, each at its field, nothing written.
    let cases: Vec<(i64, i64, ContactInput, (&str, &str))> = vec![
        (w.trelleborg_coordinator, w.trelleborg, contact("Anna", "public", "kommun", "vbe", &[], None), ("municipality_codes", "required")),
        (
            w.trelleborg_coordinator,
            w.trelleborg,
            contact("Anna", "public", "kommun", "vbe", &["1293"], None),
            ("municipality_codes", "municipality.not_served"),
        ),
        (
            w.trelleborg_coordinator,
            w.trelleborg,
            contact("Anna", "public", "kommun", "okand_roll", &["1287"], None),
            ("role", "role.unknown"),
        ),
        (w.trelleborg_coordinator, w.trelleborg, contact("Anna", "public", "", "vbe", &[], None), ("level", "required")),
        (
            w.trelleborg_coordinator,
            w.trelleborg,
            contact("Anna", "public", "lan", "vbe", &[], Some("01")),
            ("county_code", "county.not_served"),
        ),
        (
            w.trelleborg_coordinator,
            w.trelleborg,
            contact("Anna", "public", "lan", "vbe", &[], Some("99")),
            ("county_code", "county.unknown"),
        ),
        (w.trelleborg_coordinator, w.trelleborg, contact("Anna", "public", "landsting", "vbe", &[], None), ("level", "level.unknown")),
    ];
    for (user_id, org_id, input, (field, code)) in cases {
        let e = add(store, user_id, org_id, input).await.unwrap_err();
        assert!(field_codes(&e).contains(&(field.to_owned(), code)), "{field} {code}: {e:?}");
    }
    assert_eq!(count(store, "contact_persons").await, before);
    assert_eq!(count(store, "contact_person_municipalities").await, 0);

    // Trelleborg shares its contact for violent extremism; Hässleholm keeps its own to itself.
    let anna =
        add(store, w.trelleborg_coordinator, w.trelleborg, contact("Anna Berg", "public", "kommun", "vbe", &["1287"], None)).await.unwrap();
    assert_eq!((anna.level.as_deref(), anna.role_label.as_deref()), (Some("kommun"), Some("Kontaktperson våldsbejakande extremism")));
    assert_eq!(anna.municipalities, vec!["1287"]);
    add(store, w.hassleholm_coordinator, w.hassleholm, contact("Bo Ek", "organisation", "kommun", "vbe", &["1293"], None)).await.unwrap();
    add(store, w.police_coordinator, w.police, contact("Cecilia Dal", "public", "kommun", "kommunpolis", &["1287", "1293"], None))
        .await
        .unwrap();
    add(store, w.county_coordinator, w.county, contact("Dan Fors", "public", "lan", "samordnare", &[], Some("12"))).await.unwrap();
    // A contact without a level counts nowhere.
    add(store, w.trelleborg_coordinator, w.trelleborg, contact("Eva Gran", "public", "", "", &[], None)).await.unwrap();

    let report = |user: Option<i64>, role: Option<&'static str>| async move {
        let v = match user {
            Some(u) => viewer(store, u).await,
            None => Viewer::anonymous(Origin::default()),
        };
        store.read(move |db| coverage::report(db, &v, "12", role)).await.unwrap()
    };
    let county_view = report(Some(w.county_coordinator), Some("vbe")).await;
    assert_eq!(county_view.roles.len(), 1);
    let vbe = &county_view.roles[0];
    assert_eq!(vbe.municipalities.len(), 33, "every municipality of Skåne");
    assert_eq!(vbe.municipalities.first().map(|c| c.municipality_name.as_str()), Some("Bjuv"));
    assert_eq!(vbe.municipalities.last().map(|c| c.municipality_name.as_str()), Some("Östra Göinge"));
    assert!(!vbe.missing.contains(&"Trelleborg".to_owned()));
    assert!(vbe.missing.contains(&"Hässleholm".to_owned()), "Hässleholm's contact is not shared: a gap for the county");
    assert_eq!(vbe.missing.len(), 32);
    let trelleborg_cell = vbe.municipalities.iter().find(|c| c.municipality_code == "1287").unwrap();
    assert_eq!(
        trelleborg_cell.contacts.iter().map(|c| (c.name.as_str(), c.org_name.as_str())).collect::<Vec<_>>(),
        [("Anna Berg", "Trelleborgs kommun")]
    );
    // Nothing of the unreadable contact shows anywhere in the report, not even as a name.
    let json = serde_json::to_string(&report(Some(w.county_coordinator), None).await).unwrap();
    assert!(!json.contains("Bo Ek"), "{json}");

    // Hässleholm's own coordinator sees its contact, so Hässleholm is covered for it.
    let own = report(Some(w.hassleholm_coordinator), Some("vbe")).await;
    assert!(!own.roles[0].missing.contains(&"Hässleholm".to_owned()));
    assert_eq!(own.roles[0].missing.len(), 31);

    // Every role; the police's kommunpolis covers two municipalities; the county board's
    // samordnare is at county level.
    let all = report(None, None).await;
    let names: Vec<&str> = all.roles.iter().map(|r| r.role_label.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| brygga_store::sort_key(n));
    assert_eq!(names, sorted, "roles in Swedish order");
    let kp = all.roles.iter().find(|r| r.role_code == "kommunpolis").unwrap();
    assert_eq!(kp.missing.len(), 31);
    let sam = all.roles.iter().find(|r| r.role_code == "samordnare").unwrap();
    assert_eq!(sam.county_level.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Dan Fors"]);
    assert_eq!(sam.missing.len(), 33, "a county-level contact does not cover a municipality");

    // Unknown county or role: not found.
    let v = viewer(store, w.county_coordinator).await;
    assert!(matches!(store.read(move |db| coverage::report(db, &v, "99", None)).await, Err(StoreError::NotFound { .. })));

    // Roles grow: a county board's coordinator adds one; the same name again is refused; a
    // municipality's coordinator may not add one.
    let v = viewer(store, w.county_coordinator).await;
    let role =
        store.write(move |db| roles::create(db, &v, &RoleInput { label: "Kontaktperson hedersrelaterat våld".into() })).await.unwrap();
    assert_eq!(role.code, "kontaktperson_hedersrelaterat_vald");
    let v = viewer(store, w.county_coordinator).await;
    let e =
        store.write(move |db| roles::create(db, &v, &RoleInput { label: "kontaktperson HEDERSRELATERAT våld".into() })).await.unwrap_err();
    assert_eq!(field_codes(&e), [("label".to_owned(), "role.exists")]);
    let v = viewer(store, w.trelleborg_coordinator).await;
    let e = store.write(move |db| roles::create(db, &v, &RoleInput { label: "Ny roll".into() })).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // The new role is usable at once.
    add(store, w.trelleborg_coordinator, w.trelleborg, contact("Fia Holm", "public", "kommun", &role.code, &["1287"], None)).await.unwrap();
    // A member (not a coordinator) may not add contact persons.
    let e = add(store, w.trelleborg_member, w.trelleborg, contact("Gun Is", "public", "kommun", "vbe", &["1287"], None)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}

/// A municipality's counterparts: shipped divisions, the local police area, who works there
/// and the contact persons the viewer may read; edited by the county board (not the
/// municipality, not another county's), never overwritten by a restart; imports all or nothing.
pub async fn counterparts_name_the_divisions_and_who_to_reach_for_every_municipality(store: &Store) {
    let w = world(store).await;
    let lpo = PoliceAreaInput {
        name: "Lokalpolisområde Trelleborg".into(),
        region: "Polisregion Syd".into(),
        municipality_codes: vec!["1287".into()],
    }
    .validate()
    .unwrap();
    store.write(move |db| geography::upsert_police_area(db, &Viewer::command_line(), &lpo)).await.unwrap();
    add(store, w.trelleborg_coordinator, w.trelleborg, contact("Anna Berg", "public", "kommun", "vbe", &["1287"], None)).await.unwrap();
    add(store, w.trelleborg_coordinator, w.trelleborg, contact("Intern Person", "organisation", "kommun", "samordnare", &["1287"], None))
        .await
        .unwrap();
    add(store, w.county_coordinator, w.county, contact("Dan Fors", "public", "lan", "samordnare", &[], Some("12"))).await.unwrap();
    add(store, w.hassleholm_coordinator, w.hassleholm, contact("Hässleholms Kontakt", "public", "kommun", "vbe", &["1293"], None))
        .await
        .unwrap();

    let get = |user: Option<i64>, code: &'static str| async move {
        let v = match user {
            Some(u) => viewer(store, u).await,
            None => Viewer::anonymous(Origin::default()),
        };
        store.read(move |db| counterparts::get(db, &v, &muni(code))).await.unwrap()
    };
    let anonymous = get(None, "1287").await;
    assert_eq!(anonymous.county_name, "Skåne län");
    assert_eq!(anonymous.police_area.as_deref(), Some("Lokalpolisområde Trelleborg"));
    assert_eq!(anonymous.police_region.as_deref(), Some("Polisregion Syd"));
    assert_eq!(anonymous.health_region.as_deref(), Some("Södra sjukvårdsregionen"), "shipped for Skåne");
    assert_eq!(anonymous.probation_region.as_deref(), Some("Kriminalvården region Syd"));
    assert!(anonymous.probation_office.is_some());
    assert_eq!((anonymous.edited, anonymous.version), (false, 1));
    let names = |c: &counterparts::Counterparts| c.contacts.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&anonymous), ["Anna Berg", "Dan Fors"], "public contacts of the municipality and the county; not Hässleholm's");
    assert!(anonymous.organisations.is_empty(), "no public profiles: an anonymous visitor sees no organisation names");
    let own = get(Some(w.trelleborg_member), "1287").await;
    assert_eq!(names(&own), ["Anna Berg", "Dan Fors", "Intern Person"]);
    assert_eq!(
        own.organisations.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["Länsstyrelsen Skåne", "Polisen Syd", "Trelleborgs kommun"]
    );
    let police_view = get(Some(w.police_coordinator), "1287").await;
    assert!(!names(&police_view).contains(&"Intern Person".to_owned()));
    // A municipality outside the shipped county: no divisions yet, version 0.
    let stockholm = get(None, "0180").await;
    assert_eq!((stockholm.health_region.clone(), stockholm.version, stockholm.police_area.clone()), (None, 0, None));

    // Editing: the county board for a municipality it works in; not the municipality itself,
    // not for a municipality elsewhere; a stale version is refused.
    let edit = |user: i64, code: &'static str, version: i64, office: &'static str| async move {
        let v = viewer(store, user).await;
        let valid = CounterpartsInput {
            health_region: Some("Södra sjukvårdsregionen".into()),
            probation_region: Some("Kriminalvården region Syd".into()),
            probation_office: Some(office.into()),
        }
        .validate(muni(code))
        .unwrap();
        store.write(move |db| counterparts::update(db, &v, version, &valid)).await
    };
    assert!(matches!(edit(w.trelleborg_coordinator, "1287", 1, "Frivården Trelleborg").await, Err(StoreError::Forbidden)));
    assert!(matches!(edit(w.county_coordinator, "0180", 0, "Frivården Stockholm").await, Err(StoreError::Forbidden)));
    assert!(matches!(edit(w.county_coordinator, "1287", 7, "Frivården Trelleborg").await, Err(StoreError::Stale)));
    let edited = edit(w.county_coordinator, "1287", 1, "Frivården Trelleborg").await.unwrap();
    assert_eq!((edited.probation_office.as_deref(), edited.edited, edited.version), (Some("Frivården Trelleborg"), true, 2));
    // Personal data in a division's name is refused like anywhere else.
    let bad =
        CounterpartsInput { probation_office: Some("Ring 070-123 45 67".into()), ..Default::default() }.validate(muni("1287")).unwrap_err();
    assert_eq!(bad.0[0].field, "probation_office");

    // Starting again (migrate refreshes reference data) keeps the edit.
    store.migrate().await.unwrap();
    assert_eq!(get(None, "1287").await.probation_office.as_deref(), Some("Frivården Trelleborg"));

    // Import: bad header, bad code, a duplicate — each named by line; a municipality the
    // viewer may not edit refuses the whole file; nothing is written.
    for (text, needle) in [
        ("kommun,region\n1287,x\n", "Okänd kolumn"),
        ("municipality_code,health_region\n9999,x\n", "Rad 2"),
        ("municipality_code,probation_office\n1287,A\n1287,B\n", "Rad 3"),
        ("municipality_code,health_region\n", "inga rader"),
    ] {
        let e = counterparts::parse_csv(text).unwrap_err();
        assert!(e.0.iter().any(|f| f.message.contains(needle)), "{text}: {e:?}");
    }
    let rows =
        counterparts::parse_csv("municipality_code;probation_office\n1293;Frivården Hässleholm\n0180;Frivården Stockholm\n").unwrap();
    let v = viewer(store, w.county_coordinator).await;
    let e = store.write(move |db| counterparts::import(db, &v, &rows)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("file".to_owned(), "counterparts.not_allowed")]);
    assert_ne!(get(None, "1293").await.probation_office.as_deref(), Some("Frivården Hässleholm"), "nothing written");
    let rows = counterparts::parse_csv("municipality_code,probation_office\n1293,Frivården Hässleholm\n").unwrap();
    let v = viewer(store, w.county_coordinator).await;
    assert_eq!(store.write(move |db| counterparts::import(db, &v, &rows)).await.unwrap(), 1);
    let h = get(None, "1293").await;
    assert_eq!(
        (h.probation_office.as_deref(), h.health_region.as_deref()),
        (Some("Frivården Hässleholm"), None),
        "an import replaces the row"
    );
    let county = store.read(|db| counterparts::list_county(db, "12")).await.unwrap();
    assert_eq!(county.len(), 33);
    assert_eq!(
        county.iter().find(|c| c.municipality_code == "1287").and_then(|c| c.probation_office.as_deref()),
        Some("Frivården Trelleborg")
    );
}

/// The guide: written by the municipality's coordinators only, hidden until published (not
/// even its existence), then public; routing text is guarded against personal data while the
/// function's own phone, e-mail and web address have their fields.
pub async fn guides_route_each_concern_and_are_public_once_published(store: &Store) {
    let w = world(store).await;
    let t = muni("1287");
    let save = |user: i64, version: i64, published: bool| async move {
        let v = viewer(store, user).await;
        let input = GuideInput { intro: Some("Här hittar du vart du vänder dig i Trelleborg.".into()), published };
        store.write(move |db| guide::save(db, &v, &t, version, &input)).await
    };
    let read = |user: Option<i64>| async move {
        let v = match user {
            Some(u) => viewer(store, u).await,
            None => Viewer::anonymous(Origin::default()),
        };
        store.read(move |db| guide::get(db, &v, &t)).await
    };
    assert!(matches!(save(w.police_coordinator, 0, false).await, Err(StoreError::Forbidden)));
    assert!(matches!(save(w.hassleholm_coordinator, 0, false).await, Err(StoreError::Forbidden)));
    assert!(matches!(save(w.trelleborg_member, 0, false).await, Err(StoreError::Forbidden)));
    let g = save(w.trelleborg_coordinator, 0, false).await.unwrap();
    assert_eq!((g.version, g.published, g.sections.len()), (1, false, brygga_domain::actors::CONCERNS.len()));
    assert!(matches!(read(None).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(read(Some(w.police_coordinator)).await, Err(StoreError::NotFound { .. })));
    assert!(read(Some(w.trelleborg_member)).await.is_ok());

    let entry = |concern: &str, who: &str, how: &str, phone: Option<&str>, website: Option<&str>| EntryInput {
        concern: concern.into(),
        who: who.into(),
        how: how.into(),
        phone: phone.map(str::to_owned),
        email: None,
        website: website.map(str::to_owned),
        org_id: None,
    };
    let add = |user: i64, e: EntryInput| async move {
        let v = viewer(store, user).await;
        let valid = e.validate()?;
        store.write(move |db| guide::add_entry(db, &v, &t, &valid)).await
    };
    let before = count(store, "concern_guide_entries").await;
    for (e, (field, code)) in [
        (entry("okand", "Socialtjänsten", "Ring", None, None), ("concern", "concern.unknown")),
        (entry("oro_barn", "Socialtjänsten", "Berätta om 121212-1212 för handläggaren", None, None), ("how", "text.personal_data")),
        (entry("oro_barn", "Socialtjänsten", "Ring handläggaren på 070-123 45 67", None, None), ("how", "text.personal_data")),
        (entry("oro_barn", "Socialtjänsten", "Gör en orosanmälan.", Some("ring oss"), None), ("phone", "phone.invalid")),
        (entry("oro_barn", "Socialtjänsten", "Gör en orosanmälan.", None, Some("trelleborg.se")), ("website", "url.invalid")),
        (entry("oro_barn", "", "Gör en orosanmälan.", None, None), ("who", "required")),
    ] {
        let err = add(w.trelleborg_coordinator, e).await.unwrap_err();
        assert!(field_codes(&err).contains(&(field.to_owned(), code)), "{field} {code}: {err:?}");
    }
    assert_eq!(count(store, "concern_guide_entries").await, before);
    let e = add(w.police_coordinator, entry("tips_polis", "Polisen", "Tipsa", Some("114 14"), None)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden));

    add(
        w.trelleborg_coordinator,
        entry(
            "oro_barn",
            "Socialtjänsten, mottagningen för barn och unga",
            "Gör en orosanmälan. Är det akut efter kontorstid: ring socialjouren.",
            Some("0410-73 30 00"),
            Some("https://www.trelleborg.se/orosanmalan"),
        ),
    )
    .await
    .unwrap();
    add(
        w.trelleborg_coordinator,
        entry("tips_polis", "Polisen", "Lämna ett tips, anonymt om du vill.", Some("114 14"), Some("https://polisen.se/tipsa")),
    )
    .await
    .unwrap();
    add(
        w.trelleborg_coordinator,
        entry("tips_polis", "Polisen, kommunpolisen i Trelleborg", "Mejla för frågor som inte är akuta.", None, None),
    )
    .await
    .unwrap();

    let published = save(w.trelleborg_coordinator, 4, true).await.unwrap();
    assert!(published.published && published.published_at_ms.is_some());
    let public = read(None).await.unwrap();
    assert_eq!(
        public.sections.iter().map(|s| s.concern.as_str()).collect::<Vec<_>>(),
        brygga_domain::actors::CONCERNS.iter().map(|c| c.0).collect::<Vec<_>>()
    );
    let tips = public.sections.iter().find(|s| s.concern == "tips_polis").unwrap();
    assert_eq!(tips.entries.iter().map(|e| e.who.as_str()).collect::<Vec<_>>(), ["Polisen", "Polisen, kommunpolisen i Trelleborg"]);
    let v = Viewer::anonymous(Origin::default());
    assert!(store.read(move |db| counterparts::get(db, &v, &muni("1287"))).await.unwrap().guide_published);

    // Moving a line to another concern puts it last there; deleting removes it; both by the owner only.
    let id = tips.entries[1].id;
    let v = viewer(store, w.police_coordinator).await;
    assert!(matches!(store.write(move |db| guide::delete_entry(db, &v, &t, id)).await, Err(StoreError::Forbidden)));
    let moved = entry("rekrytering", "Polisen, kommunpolisen i Trelleborg", "Berätta vad du sett.", None, None).validate().unwrap();
    let v = viewer(store, w.trelleborg_coordinator).await;
    let e = store.write(move |db| guide::update_entry(db, &v, &t, id, &moved)).await.unwrap();
    assert_eq!((e.concern.as_str(), e.position), ("rekrytering", 1));
    let v = viewer(store, w.trelleborg_coordinator).await;
    store.write(move |db| guide::delete_entry(db, &v, &t, id)).await.unwrap();
    assert!(read(None).await.unwrap().sections.iter().all(|s| s.entries.iter().all(|e| e.id != id)));

    // Unpublishing hides it again.
    let version = read(Some(w.trelleborg_member)).await.unwrap().version;
    save(w.trelleborg_coordinator, version, false).await.unwrap();
    assert!(matches!(read(None).await, Err(StoreError::NotFound { .. })));
}

/// Search over what the actors hold (issue 15, item 6 with items 1 and 5): a published offer of
/// a public profile is found by anyone by its Swedish plural ("ungdomsgård" → "ungdomsgårdarna");
/// an unpublished offer and an organisation-only intervention are found by their owners only —
/// never by others, not even in the total or a facet; a partner finds the intervention it takes
/// part in.
pub async fn search_finds_offers_and_interventions_only_for_their_readers(store: &Store) {
    use brygga_store::actors::interventions::{self, InterventionInput};
    use brygga_store::actors::offers::{self, OfferInput};
    use brygga_store::actors::profile::{self, ProfileInput};
    use brygga_store::search::{self, SearchQuery};

    let club = org(store, "Hässleholms IF", OrgKind::CivilSociety, &["1293"]).await;
    let kommun = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let outsider = org(store, "Studieförbundet Öst", OrgKind::CivilSociety, &["1293"]).await;
    let coach = user(store, "tranare@hif.test", club, Role::Coordinator).await;
    let samordnare = user(store, "samordnare@hassleholm.test", kommun, Role::Coordinator).await;
    let stranger = user(store, "cirkel@sfost.test", outsider, Role::Coordinator).await;

    let v = viewer(store, coach).await;
    store
        .write(move |db| {
            profile::update(db, &v, club, &ProfileInput { themes: vec!["idrott".into()], public_profile: true, ..Default::default() })
        })
        .await
        .unwrap();
    let offer = |name: &str, published: bool| OfferInput {
        name: name.into(),
        description: Some("Spontanidrott på ungdomsgårdarna i Hässleholm, fredagar.".into()),
        age_from: Some(13),
        age_to: Some(16),
        municipality_code: "1293".into(),
        free: true,
        published,
        ..OfferInput::default()
    };
    for (name, published) in [("Fredagsfotboll", true), ("Läxhjälp i klubbstugan", false)] {
        let v = viewer(store, coach).await;
        let input = offer(name, published);
        store.write(move |db| offers::create(db, &v, club, &input)).await.unwrap();
    }
    let v = viewer(store, samordnare).await;
    let intervention = InterventionInput {
        title: "Sommarlovsaktiviteter på ungdomsgården".into(),
        description: "Aktiviteter för unga under sommarlovet.".into(),
        owner_org_id: Some(kommun),
        municipality_codes: vec!["1293".into()],
        partner_org_ids: vec![club],
        period_from: Some("2026-06-15".into()),
        period_to: Some("2026-08-15".into()),
        age_from: Some(13),
        age_to: Some(18),
        themes: vec!["fritid".into()],
        target_groups: vec!["unga".into()],
        ..Default::default()
    };
    store.write(move |db| interventions::create(db, &v, &intervention)).await.unwrap();

    let find = |viewer: Option<i64>| async move {
        let v = match viewer {
            Some(u) => super::viewer(store, u).await,
            None => Viewer::anonymous(Origin::default()),
        };
        let q = SearchQuery { q: "ungdomsgård".into(), ..Default::default() };
        let r = search::search(store, &v, &q).await.unwrap();
        let titles: Vec<(String, String)> = r.hits.iter().map(|h| (h.kind.clone(), h.title.clone())).collect();
        let kinds: Vec<(String, i64)> = r.kinds.iter().map(|f| (f.value.clone(), f.count)).collect();
        (titles, r.total, kinds)
    };
    let (anon, total, kinds) = find(None).await;
    assert_eq!(anon, [("offer".to_owned(), "Fredagsfotboll".to_owned())]);
    assert_eq!((total, kinds), (1, vec![("offer".to_owned(), 1)]));
    let (other, total, _) = find(Some(stranger)).await;
    assert_eq!((other.len(), total), (1, 1), "another organisation sees the public offer only: {other:?}");
    let (own, total, _) = find(Some(coach)).await;
    assert_eq!(total, 3, "the club reads its unpublished offer and the intervention it is a partner of: {own:?}");
    assert!(own.contains(&("intervention".to_owned(), "Sommarlovsaktiviteter på ungdomsgården".to_owned())));
    let (owner, total, _) = find(Some(samordnare)).await;
    assert_eq!(total, 2, "{owner:?}");
    assert!(owner.contains(&("intervention".to_owned(), "Sommarlovsaktiviteter på ungdomsgården".to_owned())));
    assert!(!owner.iter().any(|(_, t)| t == "Läxhjälp i klubbstugan"), "the club's unpublished offer stays the club's");
}
