//! Forum work: actions, follow-up, meetings, alerts, digests and share links.

use super::*;

pub async fn actions_need_a_responsible_member_and_a_date_ahead(store: &Store) {
    let w = est(store).await;
    // Everything wrong at once, each by field; nothing written.
    let bad = ActionInput {
        title: "Ring 070-123 45 67".into(),
        due_on: Some("2020-01-01".into()),
        partner_org_ids: vec![w.angelholm],
        category: Some("mopeder".into()),
        status: Some("cancelled".into()),
        ..ActionInput::default()
    };
    let e = decide(store, w.coordinator, w.forum, bad).await.unwrap_err();
    let codes = field_codes(&e);
    for want in [
        ("title", "text.personal_data"),
        ("responsible_org_id", "required"),
        ("partner_org_ids", "forum.not_member"),
        ("due_on", "date.past"),
        ("status_reason", "required"),
        ("category", "category.unknown"),
    ] {
        assert!(codes.contains(&(want.0.to_owned(), want.1)), "{want:?} in {codes:?}");
    }
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("responsible_org_id").unwrap().message.contains("ansvarig organisation"));
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM actions", &[])?)).await.unwrap();
    assert_eq!(n, 0, "nothing was written");
    // The responsible organisation must be in the forum; the person must belong to it.
    let outside = ActionInput {
        title: "Sanera klotter".into(),
        responsible_org_id: Some(w.angelholm),
        due_on: Some(in_days(7)),
        ..ActionInput::default()
    };
    assert_eq!(
        field_codes(&decide(store, w.coordinator, w.forum, outside.clone()).await.unwrap_err()),
        [("responsible_org_id".to_owned(), "forum.not_member")]
    );
    let wrong_person = ActionInput { responsible_org_id: Some(w.bostad), responsible_user_id: Some(w.reporter), ..outside.clone() };
    assert_eq!(
        field_codes(&decide(store, w.coordinator, w.forum, wrong_person).await.unwrap_err()),
        [("responsible_user_id".to_owned(), "user.not_member")]
    );
    // Readers do not decide; outsiders do not even see the forum's list.
    let ok = ActionInput {
        responsible_org_id: Some(w.bostad),
        responsible_user_id: Some(w.tenant_member),
        partner_org_ids: vec![w.forening, w.bostad],
        category: Some("klotter".into()),
        area_id: Some(w.stortorget),
        no_police_powers: true,
        ..outside
    };
    assert!(matches!(decide(store, w.reader, w.forum, ok.clone()).await.unwrap_err(), StoreError::Forbidden));
    assert!(matches!(decide(store, w.outsider, w.forum, ok.clone()).await.unwrap_err(), StoreError::Forbidden));
    let a = decide(store, w.coordinator, w.forum, ok).await.unwrap();
    assert_eq!((a.responsible.id, a.status.as_str(), a.overdue), (w.bostad, "planned", false));
    assert_eq!(a.partners.iter().map(|p| p.id).collect::<Vec<_>>(), [w.forening], "the responsible org is not its own partner");
    assert_eq!((a.category_code.as_deref(), a.area_name.as_deref(), a.no_police_powers), (Some("graffiti"), Some("Stortorget"), true));
    let (v, id) = (viewer(store, w.outsider).await, a.id);
    assert!(matches!(store.read(move |db| actions::get(db, &v, id)).await.unwrap_err(), StoreError::NotFound { .. }));
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    assert!(store.read(move |db| actions::list(db, &v, f, &actions::Filter::default())).await.is_err());

    // The housing company's member marks it done; the association (a partner, not responsible) may not.
    assert!(matches!(set_status(store, w.association, &a, "done", None).await.unwrap_err(), StoreError::Forbidden));
    let e = set_status(store, w.tenant_member, &a, "cancelled", None).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status_reason".to_owned(), "required")]);
    let done = set_status(store, w.tenant_member, &a, "done", None).await.unwrap();
    assert_eq!((done.status.as_str(), done.outcome.as_deref()), ("done", Some("Sanerat.")));
    assert!(done.completed_at_ms.is_some());
    assert!(matches!(set_status(store, w.tenant_member, &a, "planned", None).await.unwrap_err(), StoreError::Stale), "old version");
    let reopened = set_status(store, w.coordinator, &done, "in_progress", None).await.unwrap();
    assert_eq!(reopened.completed_at_ms, None, "reopening clears the completion");

    // Overdue: open and past its date. An unchanged past date can still be edited.
    store
        .write(move |db| Ok(db.execute("UPDATE actions SET due_on = '2026-01-02' WHERE id = $1", brygga_store::args![id])?))
        .await
        .unwrap();
    let (v, f) = (viewer(store, w.tenant_member).await, w.forum);
    let overdue = store.read(move |db| actions::list(db, &v, f, &actions::Filter { overdue: true, ..Default::default() })).await.unwrap();
    assert_eq!(overdue.iter().map(|a| (a.id, a.overdue)).collect::<Vec<_>>(), [(id, true)]);
    let (v, f) = (viewer(store, w.tenant_member).await, w.forum);
    let mine = store.read(move |db| actions::list(db, &v, f, &actions::Filter { mine: true, ..Default::default() })).await.unwrap();
    assert_eq!(mine.len(), 1);
    let v = viewer(store, w.coordinator).await;
    let edited = store
        .write(move |db| {
            let before = actions::get(db, &v, id)?;
            let input = ActionInput {
                title: "Sanera klotter och belysa väggen".into(),
                responsible_org_id: Some(before.responsible.id),
                due_on: Some(before.due_on.clone()),
                ..ActionInput::default()
            };
            let valid = actions::prepare(db, &v, f, &input, Some(&before))?;
            actions::update(db, &v, id, before.version, &valid)
        })
        .await
        .unwrap();
    assert_eq!(edited.due_on, "2026-01-02");
    // The organisation responsible for an action cannot be deleted.
    let bostad = w.bostad;
    let e = store
        .write(move |db| {
            db.execute("DELETE FROM memberships WHERE org_id = $1", brygga_store::args![bostad])?;
            orgs::delete(db, &Viewer::system(), bostad)
        })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("organisation".to_owned(), "organisation.responsible")]);
}

pub async fn the_follow_up_compares_weeks_before_and_after(store: &Store) {
    let w = est(store).await;
    for (at, n) in [("2026-11-04T20:00", 2), ("2026-11-11T20:00", 5), ("2026-11-24T10:00", 1)] {
        let input = ObservationInput {
            forum_id: w.forum,
            category: "klotter".into(),
            area_id: Some(w.stortorget),
            observed_at: Some(at.into()),
            quantity: Some(n),
            ..Default::default()
        };
        report(store, w.reporter, input).await.unwrap();
    }
    let a = decide(
        store,
        w.coordinator,
        w.forum,
        ActionInput {
            title: "Sanera klotter".into(),
            responsible_org_id: Some(w.bostad),
            due_on: Some(in_days(3)),
            category: Some("graffiti".into()),
            area_id: Some(w.stortorget),
            no_police_powers: true,
            ..ActionInput::default()
        },
    )
    .await
    .unwrap();
    set_status(store, w.tenant_member, &a, "done", None).await.unwrap();
    // Completed Wednesday 18 November (W47), Swedish time.
    let id = a.id;
    store
        .write(move |db| {
            Ok(db.execute(
                "UPDATE actions SET completed_at = 1794996000000, created_at = 1794996000000 WHERE id = $1",
                brygga_store::args![id],
            )?)
        })
        .await
        .unwrap();
    let (v, f) = (viewer(store, w.tenant_member).await, w.forum);
    let month = actions::parse_month("2026-11").unwrap();
    let fu = store.read(move |db| actions::followup(db, &v, f, month)).await.unwrap();
    assert_eq!((fu.month.as_str(), fu.done.len(), fu.decided, fu.no_police_powers), ("2026-11", 1, 1, 1));
    let o = &fu.done[0];
    assert_eq!(o.completed_week, "2026-W47");
    assert_eq!(o.weeks_before, ["2026-W43", "2026-W44", "2026-W45", "2026-W46"]);
    assert_eq!(o.before.as_deref(), Some(&[0, 0, 2, 5][..]));
    assert_eq!(o.weeks_after[..2], ["2026-W47".to_owned(), "2026-W48".to_owned()]);
    assert_eq!(o.after.as_ref().unwrap()[..2], [0, 1]);
    assert_eq!(o.mean_before, Some(1.75));
    assert_eq!(fu.by_org, [("AB Trelleborgshem".to_owned(), 1, 0)]);
    assert_eq!(actions::parse_month("november").unwrap_err().code, "month.invalid");
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    assert!(store.read(move |db| actions::followup(db, &v, f, month)).await.is_err(), "members only");
}

pub async fn meetings_build_the_agenda_and_decisions_become_actions(store: &Store) {
    let w = est(store).await;
    let open = decide(
        store,
        w.coordinator,
        w.forum,
        ActionInput {
            title: "Belysning i tunneln".into(),
            responsible_org_id: Some(w.bostad),
            due_on: Some(in_days(5)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let week = brygga_domain::time::IsoWeek::current();
    let (v, f) = (viewer(store, w.reporter).await, w.forum);
    assert!(
        matches!(store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap_err(), StoreError::Forbidden),
        "coordinators run meetings"
    );
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let far = week.plus(5);
    assert_eq!(
        field_codes(&store.write(move |db| meetings::open(db, &v, f, far)).await.unwrap_err()),
        [("week".to_owned(), "week.future")]
    );
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let m = store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap();
    assert_eq!(m.picture_week, week.plus(-1).to_string());
    let item = m.items.iter().find(|i| i.subject_action_id == Some(open.id)).expect("the open action is on the agenda");
    assert_eq!(item.kind, "open");
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let again = store.write(move |db| meetings::open(db, &v, f, week)).await.unwrap();
    assert_eq!((again.id, again.items.len()), (m.id, m.items.len()), "opening twice gives the same meeting");
    // Attendance, notes and a new item; a note with personal data is refused at its item.
    let (v, f, item_id) = (viewer(store, w.coordinator).await, w.forum, item.id);
    let bad = meetings::SaveInput { version: m.version, item_notes: vec![(item_id, "Ring 070-123 45 67".into())], ..Default::default() };
    let e = store.write(move |db| meetings::save(db, &v, f, week, &bad)).await.unwrap_err();
    assert_eq!(field_codes(&e), [(format!("i{item_id}_note"), "text.personal_data")]);
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let input = meetings::SaveInput {
        version: m.version,
        held_on: Some("2026-12-01".into()),
        notes: Some("Bra uppslutning.".into()),
        present: vec![w.kommun, w.bostad],
        item_notes: vec![(item_id, "Trelleborgshem beställer nya armaturer.".into())],
        other: Some("Julmarknaden".into()),
    };
    let saved = store.write(move |db| meetings::save(db, &v, f, week, &input)).await.unwrap();
    let present: Vec<(i64, Option<bool>)> = saved.attendance.iter().map(|a| (a.org_id, a.present)).collect();
    assert!(present.contains(&(w.kommun, Some(true))) && present.contains(&(w.forening, Some(false))));
    assert_eq!(saved.items.last().unwrap().kind, "other");
    assert_eq!(saved.items.iter().find(|i| i.id == item_id).unwrap().note.as_deref(), Some("Trelleborgshem beställer nya armaturer."));
    let (v, f, version) = (viewer(store, w.coordinator).await, w.forum, m.version);
    let stale = meetings::SaveInput { version, ..Default::default() };
    assert!(matches!(store.write(move |db| meetings::save(db, &v, f, week, &stale)).await.unwrap_err(), StoreError::Stale));
    // A decision on the "other" item becomes an action linked to the meeting.
    let other = saved.items.last().unwrap().id;
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let no_org = ActionInput { title: "Extra nattvandring".into(), due_on: Some(in_days(10)), ..Default::default() };
    let e = store.write(move |db| meetings::decide(db, &v, f, week, other, &no_org)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("responsible_org_id".to_owned(), "required")]);
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let input = ActionInput {
        title: "Extra nattvandring".into(),
        responsible_org_id: Some(w.forening),
        due_on: Some(in_days(10)),
        ..Default::default()
    };
    let decided = store.write(move |db| meetings::decide(db, &v, f, week, other, &input)).await.unwrap();
    assert_eq!(decided.meeting_id, Some(m.id));
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let (m2, added) = store.write(move |db| meetings::refresh(db, &v, f, week)).await.unwrap();
    assert_eq!(added, 1, "the new action joins the agenda once");
    assert!(m2.items.iter().any(|i| i.subject_action_id == Some(decided.id)));
    assert_eq!(m2.items.iter().find(|i| i.id == other).unwrap().decided, [(decided.id, "Extra nattvandring".to_owned())]);
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    assert!(store.read(move |db| meetings::get(db, &v, f, week)).await.is_err(), "members only");
}

pub async fn alerts_reach_every_contact_once_and_are_acknowledged(store: &Store) {
    let w = est(store).await;
    set_contacts(store, &w, vec![w.coordinator, w.tenant_member]).await;
    // Outside the municipality (Kiruna), without a place, with personal data: refused, nothing written.
    let bad = AlertInput {
        title: "Ring 070-123 45 67".into(),
        urgency: "genast".into(),
        lat: Some(67.85),
        lon: Some(20.22),
        ..Default::default()
    };
    let e = raise(store, w.reporter, w.forum, bad, None).await.unwrap_err();
    assert_eq!(
        field_codes(&e),
        [
            ("title".to_owned(), "text.personal_data"),
            ("urgency".to_owned(), "urgency.unknown"),
            ("lat".to_owned(), "position.outside_municipality")
        ]
    );
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("lat").unwrap().message.contains("utanför Trelleborg"), "{errs:?}");
    let nowhere = AlertInput { title: "Bråk".into(), urgency: "today".into(), ..Default::default() };
    assert_eq!(field_codes(&raise(store, w.reporter, w.forum, nowhere, None).await.unwrap_err()), [("area_id".to_owned(), "required")]);
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM alerts", &[])?)).await.unwrap();
    assert_eq!(n, 0);
    let (v, f) = (viewer(store, w.outsider).await, w.forum);
    let ok = AlertInput {
        title: "Stenkastning mot bussar".into(),
        description: Some("Grupp vid hållplatsen.".into()),
        urgency: "immediate".into(),
        area_id: Some(w.stortorget),
        ..Default::default()
    };
    let (o, ok2) = (ok.clone(), ok.clone());
    assert!(matches!(store.read(move |db| alerts::prepare(db, &v, f, &o)).await.unwrap_err(), StoreError::Forbidden));

    // The reporter presses the button: both contacts notified, each by one queued e-mail.
    let r = raise(store, w.reporter, w.forum, ok, Some("form-key-1")).await.unwrap();
    assert!(!r.replayed);
    let mut to: Vec<i64> = r.alert.recipients.iter().map(|x| x.user_id).collect();
    to.sort_unstable();
    assert_eq!(to, [w.coordinator, w.tenant_member]);
    let again = raise(store, w.reporter, w.forum, ok2, Some("form-key-1")).await.unwrap();
    assert!(again.replayed && again.alert.id == r.alert.id, "pressing twice raises one alert");
    let id = r.alert.id;
    let (mails, head_start): (i64, i64) = store
        .read(move |db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'alert'", &[])?,
                db.scalar(
                    "SELECT MIN(o.created_at - j.run_at) FROM mail_outbox o JOIN jobs j ON j.id = o.job_id WHERE o.kind = 'alert'",
                    &[],
                )?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(mails, 2);
    assert!(head_start > 0, "urgent alerts are sent before other waiting mail");
    let (subject, body): (String, String) = store
        .read(|db| {
            Ok(db.map_one("SELECT subject, body_text FROM mail_outbox WHERE kind = 'alert' ORDER BY id LIMIT 1", &[], subject_body)?)
        })
        .await
        .unwrap();
    assert!(subject.starts_with("LARM (Akut – nu): Stenkastning mot bussar – Stortorget"), "{subject}");
    assert!(body.contains(&format!("https://brygga.trelleborg.se/larm/{id}")) && !body.contains("Grupp vid hållplatsen"), "{body}");

    // Acknowledgements: recipients only, once each.
    let v = viewer(store, w.reporter).await;
    assert!(matches!(store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap_err(), StoreError::Forbidden));
    let v = viewer(store, w.tenant_member).await;
    assert_eq!(store.read(move |db| alerts::pending_count(db, &v)).await.unwrap(), 1);
    let v = viewer(store, w.tenant_member).await;
    let a = store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap();
    assert!(a.first_ack_ms.is_some_and(|ms| ms >= 0));
    let v = viewer(store, w.tenant_member).await;
    let twice = store.write(move |db| alerts::acknowledge(db, &v, id)).await.unwrap();
    assert_eq!(twice.first_ack_ms, a.first_ack_ms);
    let v = viewer(store, w.tenant_member).await;
    assert_eq!(store.read(move |db| alerts::pending_count(db, &v)).await.unwrap(), 0);

    // Closed with a summary, by the one who raised it.
    let v = viewer(store, w.reporter).await;
    assert_eq!(
        field_codes(&store.write(move |db| alerts::close(db, &v, id, "  ")).await.unwrap_err()),
        [("summary".to_owned(), "required")]
    );
    let v = viewer(store, w.reporter).await;
    let closed = store.write(move |db| alerts::close(db, &v, id, "Polis på plats; lugnt efter 20 minuter.")).await.unwrap();
    assert_eq!((closed.status.as_str(), closed.summary.is_some()), ("closed", true));
    assert!(!closed.awaits(Some(w.coordinator)), "a closed alert awaits nobody's acknowledgement");
    let (v, f) = (viewer(store, w.coordinator).await, w.forum);
    let s = store.read(move |db| alerts::stats(db, &v, f)).await.unwrap();
    assert_eq!((s.total, s.open, s.acknowledged, s.ack_share), (1, 0, 1, Some(0.5)));
    assert_eq!(s.by_urgency[0], ("immediate".to_owned(), "Akut – nu".to_owned(), 1));
}

pub async fn digests_go_once_to_members_who_want_them(store: &Store) {
    let w = est(store).await;
    let week = brygga_domain::time::IsoWeek::current().plus(-1);
    let f = w.forum;
    let v = viewer(store, w.reader).await;
    store.write(move |db| brygga_store::accounts::preferences::set_digest_opt_out(db, &v, true)).await.unwrap();
    let first = store.write(move |db| digests::write(db, f, week, &post())).await.unwrap();
    // Five users in the three member organisations, one opted out; the outsider is not a member.
    assert_eq!((first.queued.len(), first.waiting.len(), first.already_sent), (4, 0, 0));
    let second = store.write(move |db| digests::write(db, f, week, &post())).await.unwrap();
    assert_eq!((second.queued.len(), second.waiting.len()), (0, 4), "a second run writes nothing new");
    let ids = first.queued.clone();
    store
        .write(move |db| {
            for id in ids {
                brygga_store::kernel::mail::mark_sent(db, id, 1)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let third = store.write(move |db| digests::write(db, f, week, &post())).await.unwrap();
    assert_eq!((third.queued.len(), third.already_sent), (0, 4));
    let (subject, body): (String, String) = store
        .read(|db| {
            Ok(db.map_one(
                "SELECT o.subject, o.body_text FROM mail_outbox o JOIN users u ON u.id = o.recipient_user_id WHERE u.email = 'vard@trelleborgshem.se'",
                &[],
                subject_body,
            )?)
        })
        .await
        .unwrap();
    assert!(subject.starts_with("Veckosammanfattning EST Trelleborg, v. "), "{subject}");
    assert!(body.contains("/konto/sammanfattning") && body.contains("https://brygga.trelleborg.se/forum/"), "{body}");
    let v = viewer(store, w.reader).await;
    let u = w.reader;
    assert!(store.read(move |db| brygga_store::accounts::preferences::digest_opted_out(db, u)).await.unwrap());
    store.write(move |db| brygga_store::accounts::preferences::set_digest_opt_out(db, &v, false)).await.unwrap();
    assert!(!store.read(move |db| brygga_store::accounts::preferences::digest_opted_out(db, u)).await.unwrap());
    assert_eq!(store.read(|db| digests::forum_by_name(db, "est trelleborg")).await.unwrap(), Some(f));
}

pub async fn share_links_show_aggregates_until_revoked(store: &Store) {
    let w = est(store).await;
    let f = w.forum;
    let input = share_links::ShareInput { label: "Skolornas rektorer".into(), days: Some(14), week: None };
    let (v, i) = (viewer(store, w.tenant_member).await, input.clone());
    assert!(
        matches!(store.write(move |db| share_links::create(db, &v, f, &i)).await.unwrap_err(), StoreError::Forbidden),
        "coordinators share"
    );
    let (v, i) =
        (viewer(store, w.coordinator).await, share_links::ShareInput { days: Some(365), week: Some("2099-W01".into()), ..input.clone() });
    let e = store.write(move |db| share_links::create(db, &v, f, &i)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("days".to_owned(), "days.range"), ("week".to_owned(), "week.not_complete")]);
    let v = viewer(store, w.coordinator).await;
    let created = store.write(move |db| share_links::create(db, &v, f, &input)).await.unwrap();
    assert!(created.token.len() >= 20 && created.token.starts_with(&created.link.prefix));
    let stored: String = store.read(|db| Ok(db.scalar("SELECT token_hash FROM share_links", &[])?)).await.unwrap();
    assert_ne!(stored, created.token, "only the hash is stored");

    let token = created.token.clone();
    let opened = store.write(move |db| share_links::open(db, &token, Origin::default())).await.unwrap();
    let share_links::Opened::Valid { viewer: sv, municipality, .. } = opened else { panic!("valid link") };
    assert_eq!(municipality, "1287");
    // The link's viewer gets the outsiders' view and nothing else.
    assert_eq!(brygga_store::kernel::sharing::aggregate_threshold(&sv, &Scope::Shared, 3).unwrap(), Some(3));
    assert!(brygga_store::kernel::sharing::aggregate_threshold(&sv, &Scope::Joint { forum_id: f }, 3).is_err());
    assert!(!sv.is_signed_in());
    let (opens, audited): (i64, i64) = store
        .read(|db| {
            Ok((
                db.scalar("SELECT open_count FROM share_links", &[])?,
                db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'share_link.open'", &[])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((opens, audited), (1, 1));
    let unknown = store.write(|db| share_links::open(db, "AAAAAAAAAAAAAAAAAAAAAAAA", Origin::default())).await.unwrap();
    assert!(matches!(unknown, share_links::Opened::Unknown));
    store.write(|db| Ok(db.execute("UPDATE share_links SET expires_at = 1", &[])?)).await.unwrap();
    let token = created.token.clone();
    assert!(matches!(store.write(move |db| share_links::open(db, &token, Origin::default())).await.unwrap(), share_links::Opened::Expired));
    let (v, id) = (viewer(store, w.coordinator).await, created.link.id);
    store.write(move |db| share_links::revoke(db, &v, id)).await.unwrap();
    let token = created.token.clone();
    assert!(matches!(store.write(move |db| share_links::open(db, &token, Origin::default())).await.unwrap(), share_links::Opened::Revoked));
}

pub async fn an_alert_without_contact_persons_goes_to_the_conveners_coordinators(store: &Store) {
    let w = est(store).await;
    let input = AlertInput { title: "Brand i soprum".into(), urgency: "today".into(), area_id: Some(w.stortorget), ..Default::default() };
    let r = raise(store, w.tenant_member, w.forum, input, None).await.unwrap();
    // No contact persons yet: never nowhere — the convening municipality's coordinators.
    assert_eq!(r.alert.recipients.iter().map(|x| x.user_id).collect::<Vec<_>>(), [w.coordinator]);
    let mails: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'alert'", &[])?)).await.unwrap();
    assert_eq!(mails, 1);
}
