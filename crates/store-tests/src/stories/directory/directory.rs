//! The directory: bad offers refused at the field with nothing written; only the organisation's
//! own users write; nothing public until published (lists, counts, exports); the filters find a
//! free Friday evening for 13–16-year-olds in Hässleholm and not its near misses; verification
//! reminders once per due date; HSDS round trip and refusal; search documents' readers.

use brygga_store::actors::directory::{self, FilterInput};
use brygga_store::actors::hsds;
use brygga_store::actors::offers::{self, OfferInput, ScheduleInput};
use brygga_store::actors::profile::{self, ProfileInput};
use brygga_store::actors::verification;
use brygga_store::kernel::index::Reader;

use super::*;

const TODAY: &str = "2026-12-04";

fn field_code(e: &StoreError, field: &str) -> &'static str {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).code,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn counts(store: &Store) -> Vec<i64> {
    store
        .read(|db| {
            let mut out = Vec::new();
            for t in ["offers", "offer_schedules", "directory_profiles", "directory_profile_areas"] {
                out.push(db.scalar(&format!("SELECT COUNT(*) FROM {t}"), &[])?);
            }
            out.push(db.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM offers", &[])?);
            Ok(out)
        })
        .await
        .unwrap()
}

struct World {
    club: i64,
    club_member: i64,
    club_coordinator: i64,
    club_reader: i64,
    other: i64,
    police: i64,
}

async fn world(store: &Store) -> World {
    let club = org(store, "Hässleholms IF", OrgKind::CivilSociety, &["1293"]).await;
    let other_org = org(store, "Studieförbundet Öst", OrgKind::CivilSociety, &["1293", "1287"]).await;
    let police = org(store, "Polisen LPO Hässleholm", OrgKind::Police, &["1293"]).await;
    World {
        club,
        club_member: user(store, "medlem@hif.test", club, Role::Member).await,
        club_coordinator: user(store, "samordnare@hif.test", club, Role::Coordinator).await,
        club_reader: user(store, "lasare@hif.test", club, Role::Reader).await,
        other: user(store, "samordnare@sfost.test", other_org, Role::Coordinator).await,
        police: user(store, "kommunpolis@polisen.test", police, Role::Member).await,
    }
}

fn friday(opens: &str, closes: &str) -> ScheduleInput {
    ScheduleInput { weekday: 5, opens_at: opens.into(), closes_at: closes.into(), valid_from: None, valid_to: None }
}

fn offer(name: &str) -> OfferInput {
    OfferInput {
        name: name.into(),
        description: Some("Spontanfotboll i hallen för unga.".into()),
        age_from: Some(13),
        age_to: Some(16),
        themes: vec!["idrott".into()],
        target_groups: vec!["unga".into()],
        municipality_code: "1293".into(),
        place_name: Some("Österås sporthall".into()),
        lat: Some(56.159),
        lon: Some(13.766),
        free: true,
        contact_email: Some("kansli@hif.test".into()),
        contact_phone: Some("0451-123 45".into()),
        published: true,
        schedules: vec![friday("19:00", "22:00")],
        ..OfferInput::default()
    }
}

async fn create(store: &Store, user: i64, org: i64, input: OfferInput) -> Result<offers::Offer, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| offers::create(db, &v, org, &input)).await
}

async fn publish_profile(store: &Store, user: i64, org: i64, public: bool) {
    let v = viewer(store, user).await;
    store
        .write(move |db| {
            profile::update(
                db,
                &v,
                org,
                &ProfileInput {
                    themes: vec!["idrott".into()],
                    target_groups: vec!["unga".into()],
                    languages: vec!["sv".into()],
                    public_profile: public,
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
}

async fn public_list(store: &Store, v: Viewer, f: FilterInput) -> directory::Listing {
    let f = f.parse(TODAY).unwrap();
    store.read(move |db| directory::list(db, &v, &f, 1)).await.unwrap()
}

fn anonymous() -> Viewer {
    Viewer::anonymous(Origin::default())
}

pub async fn directory_refuses_bad_offers_at_the_field_and_writes_nothing(store: &Store) {
    let w = world(store).await;
    let before = counts(store).await;
    let cases: Vec<(OfferInput, &str, &str)> = vec![
        (OfferInput { schedules: vec![friday("22:00", "19:00")], ..offer("A") }, "schedules[0].closes_at", "schedule.closes_before_opens"),
        (
            OfferInput {
                schedules: vec![ScheduleInput {
                    valid_from: Some("2026-12-20".into()),
                    valid_to: Some("2026-08-01".into()),
                    ..friday("18:00", "20:00")
                }],
                ..offer("A")
            },
            "schedules[0].valid_to",
            "schedule.valid_order",
        ),
        (OfferInput { age_from: Some(16), age_to: Some(13), ..offer("A") }, "age_to", "age.order"),
        (
            OfferInput { municipality_code: "1287".into(), lat: None, lon: None, ..offer("A") },
            "municipality_code",
            "offer.municipality_not_served",
        ),
        (OfferInput { description: Some("Ring Kalle på 070-123 45 67".into()), ..offer("A") }, "description", "text.personal_data"),
        (
            OfferInput { eligibility: Some("Anmäl med personnummer 19900101-1239 här".into()), ..offer("A") },
            "eligibility",
            "text.personal_data",
        ),
        (OfferInput { themes: vec!["fotboll".into()], ..offer("A") }, "themes", "code.unknown"),
    ];
    for (input, field, code) in cases {
        let e = create(store, w.club_member, w.club, input).await.unwrap_err();
        assert_eq!(field_code(&e, field), code, "{field}");
    }
    assert_eq!(counts(store).await, before, "nothing written");
    // The organisation's own contact details are allowed where they belong.
    let ok = create(store, w.club_member, w.club, offer("Fredagsfotboll")).await.unwrap();
    assert_eq!(ok.contact_phone.as_deref(), Some("0451-123 45"));
    // An update with a bad schedule leaves the offer as it was.
    let v = viewer(store, w.club_member).await;
    let (id, version) = (ok.id, ok.version);
    let e = store
        .write(move |db| {
            offers::update(db, &v, id, Some(version), &OfferInput { schedules: vec![friday("21:00", "21:00")], ..offer("Ändrad") })
        })
        .await
        .unwrap_err();
    assert_eq!(field_code(&e, "schedules[0].closes_at"), "schedule.closes_before_opens");
    let v = viewer(store, w.club_member).await;
    let after = store.read(move |db| offers::get(db, &v, id)).await.unwrap();
    assert_eq!((after.name.as_str(), after.version, after.schedules.len()), ("Fredagsfotboll", version, 1));
}

pub async fn directory_is_edited_only_by_the_organisation_and_public_only_when_published(store: &Store) {
    let w = world(store).await;
    let published = create(store, w.club_member, w.club, offer("Fredagsfotboll")).await.unwrap();
    let draft = create(store, w.club_member, w.club, OfferInput { published: false, ..offer("Lördagsfutsal") }).await.unwrap();
    // A reader of the club, another organisation and the police cannot write.
    for u in [w.club_reader, w.other, w.police] {
        assert!(matches!(create(store, u, w.club, offer("Intrång")).await, Err(StoreError::Forbidden)), "user {u} must not create");
    }
    let other = viewer(store, w.other).await;
    let id = published.id;
    let e = store.write(move |db| offers::update(db, &other, id, None, &offer("Kapad"))).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "not public yet, so not even found: {e:?}");
    let other = viewer(store, w.other).await;
    let draft_id = draft.id;
    let e = store.write(move |db| offers::verify(db, &other, draft_id, "2026-12-04".parse().unwrap())).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "an unpublished offer is not found for outsiders: {e:?}");
    // The profile is not public yet: nothing is public, not even the published offer.
    let anon = store.read(move |db| offers::get(db, &anonymous(), id)).await;
    assert!(matches!(anon, Err(StoreError::NotFound { .. })));
    let l = public_list(store, anonymous(), FilterInput::default()).await;
    assert_eq!(l.total, 0);
    let l = public_list(store, viewer(store, w.police).await, FilterInput::default()).await;
    assert_eq!(l.total, 0, "a signed-in outsider sees what the public sees");
    // The club publishes its profile: the published offer appears, the draft never does.
    publish_profile(store, w.club_coordinator, w.club, true).await;
    let l = public_list(store, anonymous(), FilterInput::default()).await;
    assert_eq!((l.total, l.offers.iter().map(|o| o.id).collect::<Vec<_>>()), (1, vec![published.id]));
    // Readable now, but still not writable from outside.
    let other = viewer(store, w.other).await;
    let e = store.write(move |db| offers::update(db, &other, id, None, &offer("Kapad"))).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let admin = Viewer::command_line();
    let e = store.write(move |db| offers::set_published(db, &admin, id, false)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "a system administrator does not speak for the club: {e:?}");
    assert!(l.offers[0].verified_by.is_none());
    let f = FilterInput::default().parse(TODAY).unwrap();
    let (all, points, orgs) = store
        .read(move |db| {
            Ok((directory::all(db, &anonymous(), &f)?, directory::points(db, &f)?, directory::organisations(db, Some("1293"))?))
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert!(!directory::csv(&all).contains("Lördagsfutsal"));
    assert_eq!(directory::geojson(&all)["features"].as_array().unwrap().len(), 1);
    assert_eq!(points.len(), 1);
    assert_eq!(
        orgs.iter().map(|o| (o.name.as_str(), o.offers)).collect::<Vec<_>>(),
        [("Hässleholms IF", 1)],
        "the count leaves the draft out"
    );
    let hsds = store.read(move |db| hsds::export(db, &all)).await.unwrap();
    assert!(!hsds.to_string().contains("Lördagsfutsal"));
    let anon = store.read(move |db| offers::get(db, &anonymous(), draft_id)).await;
    assert!(matches!(anon, Err(StoreError::NotFound { .. })));
    // The club's own member reads both on its own page; an outsider reads only the public one.
    let member = viewer(store, w.club_member).await;
    let club = w.club;
    let own = store.read(move |db| offers::for_org(db, &member, club)).await.unwrap();
    assert_eq!(own.len(), 2);
    let outsider = viewer(store, w.other).await;
    let seen = store.read(move |db| offers::for_org(db, &outsider, club)).await.unwrap();
    assert_eq!(seen.iter().map(|o| o.id).collect::<Vec<_>>(), [published.id]);
    // Ending an offer takes it out of the directory.
    let member = viewer(store, w.club_member).await;
    store
        .write(move |db| offers::update(db, &member, id, None, &OfferInput { status: Some("ended".into()), ..offer("Fredagsfotboll") }))
        .await
        .unwrap();
    assert_eq!(public_list(store, anonymous(), FilterInput::default()).await.total, 0);
    // Withdrawing the profile hides everything again.
    let member = viewer(store, w.club_member).await;
    store.write(move |db| offers::set_published(db, &member, draft_id, true)).await.unwrap();
    assert_eq!(public_list(store, anonymous(), FilterInput::default()).await.total, 1);
    publish_profile(store, w.club_coordinator, w.club, false).await;
    assert_eq!(public_list(store, anonymous(), FilterInput::default()).await.total, 0);
}

pub async fn directory_filters_find_a_free_friday_evening_for_teenagers(store: &Store) {
    let w = world(store).await;
    publish_profile(store, w.club_coordinator, w.club, true).await;
    let hit = create(store, w.club_member, w.club, offer("Fredagsfotboll")).await.unwrap();
    // Near misses: paid, for 16–20, on Saturday, on Friday morning, a schedule no longer valid.
    create(store, w.club_member, w.club, OfferInput { free: false, cost_text: Some("200 kr per termin".into()), ..offer("Betald") })
        .await
        .unwrap();
    create(store, w.club_member, w.club, OfferInput { age_from: Some(16), age_to: Some(20), ..offer("Äldre") }).await.unwrap();
    create(
        store,
        w.club_member,
        w.club,
        OfferInput { schedules: vec![ScheduleInput { weekday: 6, ..friday("19:00", "22:00") }], ..offer("Lördag") },
    )
    .await
    .unwrap();
    create(store, w.club_member, w.club, OfferInput { schedules: vec![friday("08:00", "12:00")], ..offer("Förmiddag") }).await.unwrap();
    create(
        store,
        w.club_member,
        w.club,
        OfferInput {
            schedules: vec![ScheduleInput {
                valid_from: Some("2026-01-01".into()),
                valid_to: Some("2026-06-30".into()),
                ..friday("19:00", "22:00")
            }],
            ..offer("Vårtermin")
        },
    )
    .await
    .unwrap();
    let signpost = FilterInput {
        kommun: Some("1293".into()),
        alder: Some("14".into()),
        dag: Some("fredag".into()),
        fran: Some("18:00".into()),
        till: Some("22:00".into()),
        gratis: Some("1".into()),
        ..Default::default()
    };
    for v in [anonymous(), viewer(store, w.police).await] {
        let l = public_list(store, v, signpost.clone()).await;
        assert_eq!(l.offers.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["Fredagsfotboll"]);
        assert_eq!(l.offers[0].id, hit.id);
    }
    let l = public_list(store, anonymous(), FilterInput { kommun: Some("1287".into()), ..signpost.clone() }).await;
    assert_eq!(l.total, 0, "another municipality");
    let l = public_list(store, anonymous(), FilterInput { gratis: None, alder: None, ..signpost.clone() }).await;
    assert_eq!(l.total, 3, "paid and 16–20 come back without those filters");
    let l = public_list(store, anonymous(), FilterInput { tema: Some("kultur".into()), ..Default::default() }).await;
    assert_eq!(l.total, 0);
    let l = public_list(store, anonymous(), FilterInput::default()).await;
    // Swedish order: Ä after F and L.
    assert_eq!(
        l.offers.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["Betald", "Fredagsfotboll", "Förmiddag", "Lördag", "Vårtermin", "Äldre"]
    );
}

pub async fn directory_reminds_once_per_due_date_until_verified(store: &Store) {
    let w = world(store).await;
    let o =
        create(store, w.club_member, w.club, OfferInput { verification_interval_days: Some(30), ..offer("Fredagsfotboll") }).await.unwrap();
    let p = postmark();
    let today: jiff::civil::Date = o.verification_due_on.parse().unwrap();
    let before = today.checked_sub(jiff::Span::new().days(1)).unwrap();
    let n = store.write(move |db| verification::write(db, before, &postmark(), brygga_store::now_ms())).await.unwrap();
    assert!(n.queued.is_empty(), "not due yet");
    let p2 = p.clone();
    let n = store.write(move |db| verification::write(db, today, &p2, brygga_store::now_ms())).await.unwrap();
    assert_eq!(n.queued.len(), 1, "the club's coordinator (not the member, not the reader)");
    let to: Vec<String> = store.read(|db| Ok(db.scalars("SELECT recipient FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(to, ["samordnare@hif.test"]);
    let p2 = p.clone();
    let n = store.write(move |db| verification::write(db, today, &p2, brygga_store::now_ms())).await.unwrap();
    assert_eq!((n.queued.len(), n.already_sent), (0, 1), "once per due date");
    // The member marks it verified: nothing due until one interval on.
    let member = viewer(store, w.club_member).await;
    let id = o.id;
    let verified = store.write(move |db| offers::verify(db, &member, id, today)).await.unwrap();
    assert_eq!(verified.verified_on.as_deref(), Some(today.to_string().as_str()));
    assert_eq!(verified.verified_by.as_deref(), Some("Test medlem@hif.test"));
    let later = today.checked_add(jiff::Span::new().days(29)).unwrap();
    let p2 = p.clone();
    let n = store.write(move |db| verification::write(db, later, &p2, brygga_store::now_ms())).await.unwrap();
    assert_eq!((n.queued.len(), n.already_sent), (0, 0));
    let due = today.checked_add(jiff::Span::new().days(30)).unwrap();
    let n = store.write(move |db| verification::write(db, due, &p, brygga_store::now_ms())).await.unwrap();
    assert_eq!(n.queued.len(), 1, "the next due date reminds again");
}

pub async fn directory_hsds_round_trips_and_refuses_unknown_fields_and_terms(store: &Store) {
    let w = world(store).await;
    publish_profile(store, w.club_coordinator, w.club, true).await;
    let o = create(store, w.club_member, w.club, offer("Fredagsfotboll")).await.unwrap();
    let f = FilterInput::default().parse(TODAY).unwrap();
    let exported = store
        .read(move |db| {
            let all = directory::all(db, &anonymous(), &f)?;
            hsds::export(db, &all)
        })
        .await
        .unwrap();
    let org = &exported[0];
    let service = &org["services"][0];
    assert_eq!(service["name"], "Fredagsfotboll");
    assert_eq!(service["schedules"][0]["byday"], "FR");
    assert_eq!(service["minimum_age"], 13);
    assert_eq!(service["cost_options"][0]["amount"], 0);
    // Imported again (with a changed name) it updates the same offer.
    let mut changed = org.clone();
    changed["services"][0]["name"] = "Fredagsfotboll i Österås".into();
    let body = changed.to_string();
    let member = viewer(store, w.club_member).await;
    let club = w.club;
    let done = store.write(move |db| hsds::import(db, &member, club, &body)).await.unwrap();
    assert_eq!((done.created.len(), done.updated.clone()), (0, vec![o.id]));
    let before = counts(store).await;
    // An unknown field and an unknown term: refused by name, nothing written.
    let mut bad = org.clone();
    bad["services"][0]["hemlig"] = "x".into();
    bad["services"][0]["attributes"][0]["taxonomy_term"]["code"] = "fotboll".into();
    let body = bad.to_string();
    let member = viewer(store, w.club_member).await;
    let e = store.write(move |db| hsds::import(db, &member, club, &body)).await.unwrap_err();
    assert_eq!(field_code(&e, "services[0].hemlig"), "hsds.unknown_field");
    assert_eq!(field_code(&e, "services[0].attributes[0].taxonomy_term.code"), "hsds.unknown_term");
    // A valid new service next to a bad one: neither is written.
    let mut mixed = org.clone();
    let mut fresh = org["services"][0].clone();
    fresh["id"] = "9b2f4c1e-0000-4000-8000-000000000001".into();
    fresh["name"] = "Ny".into();
    let mut broken = fresh.clone();
    broken["schedules"][0]["closes_at"] = "18:00".into();
    broken["schedules"][0]["opens_at"] = "20:00".into();
    mixed["services"] = serde_json::json!([fresh, broken]);
    let body = mixed.to_string();
    let member = viewer(store, w.club_member).await;
    let e = store.write(move |db| hsds::import(db, &member, club, &body)).await.unwrap_err();
    assert_eq!(field_code(&e, "services[1].schedules[0].closes_at"), "schedule.closes_before_opens");
    assert_eq!(counts(store).await, before, "nothing written");
    // Another organisation cannot import into the club.
    let body = org.to_string();
    let other = viewer(store, w.other).await;
    assert!(matches!(store.write(move |db| hsds::import(db, &other, club, &body)).await, Err(StoreError::Forbidden)));
}

pub async fn directory_search_documents_state_their_readers(store: &Store) {
    let w = world(store).await;
    let o = create(store, w.club_member, w.club, offer("Fredagsfotboll")).await.unwrap();
    let (id, club) = (o.id, w.club);
    let doc = store.read(move |db| offers::search_document(db, id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, [Reader::Org(club)], "published but the profile is not public");
    let org_doc = store.read(move |db| profile::search_document(db, club)).await.unwrap().unwrap();
    assert_eq!(org_doc.readers, [Reader::SignedIn]);
    let pending: i64 = store
        .read(move |db| Ok(db.scalar("SELECT COUNT(*) FROM search_pending WHERE kind = 'offer' AND record_id = $1", &[id.into()])?))
        .await
        .unwrap();
    assert_eq!(pending, 1, "the offer was touched");
    publish_profile(store, w.club_coordinator, w.club, true).await;
    let doc = store.read(move |db| offers::search_document(db, id)).await.unwrap().unwrap();
    assert_eq!(doc.readers, [Reader::Public]);
    assert!(doc.body.contains("Idrott och rörelse"), "{}", doc.body);
    let org_doc = store.read(move |db| profile::search_document(db, club)).await.unwrap().unwrap();
    assert_eq!(org_doc.readers, [Reader::SignedIn, Reader::Public]);
    let member = viewer(store, w.club_member).await;
    store.write(move |db| offers::delete(db, &member, id)).await.unwrap();
    assert!(store.read(move |db| offers::search_document(db, id)).await.unwrap().is_none());
}
