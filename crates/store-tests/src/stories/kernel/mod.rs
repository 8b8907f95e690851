//! The kernel: migrations, one transaction per write, sharing, audit, the job queue and the outbox.

use super::*;

mod registries;
pub use registries::*;
mod usecases;
pub use usecases::*;

pub async fn migrations_are_idempotent_and_load_geography(store: &Store) {
    let again = store.migrate().await.unwrap();
    assert!(again.applied.is_empty(), "nothing left to apply: {again:?}");
    assert_eq!(again.already, store.migrations().len());
    let (counties, municipalities, skane): (i64, i64, String) = store
        .read(|db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM counties", &[])?,
                db.scalar("SELECT COUNT(*) FROM municipalities", &[])?,
                db.scalar("SELECT name FROM counties WHERE code = '12'", &[])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((counties, municipalities), (21, 290));
    assert_eq!(skane, "Skåne län");
}

pub async fn a_failed_write_leaves_nothing_behind(store: &Store) {
    let valid = OrganisationInput {
        name: "Halvskrivna föreningen".into(),
        kind: "civil_society".into(),
        municipalities: vec!["1287".into(), "1292".into()],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let result: Result<(), StoreError> = store
        .write(move |db| {
            orgs::create(db, &Viewer::command_line(), &valid)?;
            Err(StoreError::Internal("a later step failed".into()))
        })
        .await;
    assert!(result.is_err());
    let counts: (i64, i64, i64) = store
        .read(|db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM organisations", &[])?,
                db.scalar("SELECT COUNT(*) FROM organisation_municipalities", &[])?,
                db.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(counts, (0, 0, 0));
}

/// Organisation B's contact persons, shared three ways, seen by A (forum partner), C
/// (outsider), a system administrator without membership, and B itself.
pub async fn sharing_isolates_organisations(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let c = org(store, "Föreningen Nattvandrarna", OrgKind::CivilSociety, &["1287"]).await;
    let ua = user(store, "a@trelleborg.se", a, Role::Coordinator).await;
    let ub = user(store, "b@trelleborgshem.se", b, Role::Administrator).await;
    let uc = user(store, "c@nattvandrarna.se", c, Role::Administrator).await;

    let va = viewer(store, ua).await;
    let input = ForumInput {
        name: "EST Trelleborg".into(),
        convener_org_id: a,
        member_org_ids: vec![b],
        contact_user_ids: vec![ua],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let v = va.clone();
    let forum = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap();
    accept_all(store, forum.id).await;

    // Viewers are per-request snapshots: load them after the forum exists.
    let va = viewer(store, ua).await;
    let vb = viewer(store, ub).await;
    let mut ids = Vec::new();
    for (name, vis, forum_id) in
        [("Intern kontakt", "organisation", None), ("Forumkontakt", "forum", Some(forum.id)), ("Publik kontakt", "public", None)]
    {
        let input = ContactInput { name: name.into(), visibility: vis.into(), forum_id, ..Default::default() }.validate().unwrap();
        let v = vb.clone();
        ids.push(store.write(move |db| contacts::create(db, &v, b, &input)).await.unwrap().id);
    }
    let admin_only = {
        let email = brygga_domain::account::Email::parse("root@brygga.test").unwrap();
        let input = NewUserInput { email: email.to_string(), name: "Systemadmin".into(), system_admin: true, ..Default::default() }
            .validate()
            .unwrap();
        let uid = store.write(move |db| users::create(db, &Viewer::command_line(), &input)).await.unwrap().id;
        viewer(store, uid).await
    };

    async fn names(store: &Store, v: &Viewer, org: i64) -> Vec<String> {
        let v = v.clone();
        store.read(move |db| contacts::list_for_org(db, &v, org)).await.unwrap().into_iter().map(|c| c.name).collect()
    }
    assert_eq!(names(store, &vb, b).await, ["Forumkontakt", "Intern kontakt", "Publik kontakt"]);
    assert_eq!(names(store, &va, b).await, ["Forumkontakt", "Publik kontakt"]);
    let vc = viewer(store, uc).await;
    assert_eq!(names(store, &vc, b).await, ["Publik kontakt"]);
    assert_eq!(names(store, &admin_only, b).await, ["Publik kontakt"]);
    assert_eq!(names(store, &Viewer::anonymous(Origin::default()), b).await, ["Publik kontakt"]);

    // Fetching one record by id follows the same rule, and does not reveal that it exists.
    let (v, internal) = (va.clone(), ids[0]);
    let e = store.read(move |db| contacts::get(db, &v, internal)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let (v, shared) = (vc.clone(), ids[1]);
    let e = store.read(move |db| contacts::get(db, &v, shared)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");

    // Nor can A change B's records, even those it can read.
    let v = va.clone();
    let change = ContactInput { name: "Kapad".into(), visibility: "public".into(), ..Default::default() }.validate().unwrap();
    let e = store.write(move |db| contacts::update(db, &v, shared, 1, &change)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");

    // C cannot share into a forum it is not part of.
    let v = vc.clone();
    let sneaky = ContactInput { name: "In i forumet".into(), visibility: "forum".into(), forum_id: Some(forum.id), ..Default::default() }
        .validate()
        .unwrap();
    let e = store.write(move |db| contacts::create(db, &v, c, &sneaky)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("forum_id".to_owned(), "forum.not_member")]);

    // Forum contact persons are shown to forum members only.
    let (v, fid) = (vc.clone(), forum.id);
    assert!(store.read(move |db| forum::get(db, &v, fid)).await.unwrap().contacts.is_empty());
    let (v, fid) = (vb.clone(), forum.id);
    assert_eq!(store.read(move |db| forum::get(db, &v, fid)).await.unwrap().contacts.len(), 1);

    // When B leaves the forum, what it shared there goes back to B alone.
    let (v, fid) = (vb.clone(), forum.id);
    store.write(move |db| forum::leave(db, &v, fid, b)).await.unwrap();
    let va = viewer(store, ua).await;
    assert_eq!(names(store, &va, b).await, ["Publik kontakt"]);
    let vb = viewer(store, ub).await;
    let back = store.read(move |db| contacts::get(db, &vb, shared)).await.unwrap();
    assert_eq!(back.visibility, Visibility::Organisation);
}

pub async fn audit_is_scoped_and_survives_erasure(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let admin_a = user(store, "admin@trelleborg.se", a, Role::Administrator).await;
    let admin_b = user(store, "admin@engelholm.se", b, Role::Administrator).await;
    let leaver = user(store, "slutat@trelleborg.se", a, Role::Member).await;

    // The leaver signs in (an audited event of their own) and exports their data.
    auth::login(
        store,
        "slutat@trelleborg.se",
        PASSWORD,
        Origin { ip: Some("198.51.100.7".into()), request_id: None },
        Some("Safari".into()),
        SessionPolicy::default(),
    )
    .await
    .unwrap();
    // A message queued to the account is part of what is held about it.
    store
        .write(move |db| {
            let mail = brygga_store::kernel::mail::NewMail {
                kind: "test",
                to: brygga_domain::account::Email::parse("slutat@trelleborg.se").unwrap(),
                to_user_id: Some(leaver),
                subject: "Veckans lägesbild".into(),
                body: "Hej!".into(),
                list_unsubscribe: None,
            };
            brygga_store::kernel::mail::enqueue(db, &mail, "brygga.example", 1_700_000_000_000)
        })
        .await
        .unwrap();
    let v = viewer(store, leaver).await;
    let mine = store.read(move |db| users::personal_data(db, &v)).await.unwrap();
    assert_eq!(mine.messages.len(), 1);
    assert_eq!((mine.messages[0].subject.as_str(), mine.messages[0].body_text.as_str()), ("Veckans lägesbild", "Hej!"));
    assert_eq!(mine.user.email, "slutat@trelleborg.se");
    assert_eq!(mine.sessions.len(), 1);
    assert_eq!(mine.sessions[0].user_agent.as_deref(), Some("Safari"));
    assert!(mine.audit_entries.iter().any(|e| e.action == "login"));

    // B's administrator cannot read A's entries; A's can.
    let vb = viewer(store, admin_b).await;
    let e =
        store.read(move |db| audit::list(db, &vb, &audit::Filter { org_id: Some(a), limit: 10, ..Default::default() })).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let vb = viewer(store, admin_b).await;
    let e = store.read(move |db| audit::list(db, &vb, &audit::Filter { limit: 10, ..Default::default() })).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let va = viewer(store, admin_a).await;
    let own =
        store.read(move |db| audit::list(db, &va, &audit::Filter { org_id: Some(a), limit: 100, ..Default::default() })).await.unwrap();
    assert!(own.items.iter().all(|e| e.org_id == Some(a) || e.actor_org_id == Some(a)));
    assert!(own.items.iter().any(|e| e.action == "membership.create"));

    // Erasure: the account goes, its history stays under one pseudonym.
    let pseudonym = store.write(move |db| users::erase(db, &Viewer::command_line(), leaver)).await.unwrap();
    assert!(pseudonym.starts_with("raderad-"));
    let kept: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(kept, 0, "the messages to an erased account go with it");
    let log = store
        .read(|db| {
            audit::list(
                db,
                &Viewer::command_line(),
                &audit::Filter { action_prefix: Some("login".into()), limit: 10, ..Default::default() },
            )
        })
        .await
        .unwrap();
    let login = log.items.iter().find(|e| e.action == "login").unwrap();
    assert_eq!(login.actor, pseudonym);
    assert_eq!(login.actor_user_id, None);
    let left: (i64, i64) = store
        .read(move |db| {
            Ok((
                db.scalar("SELECT COUNT(*) FROM users WHERE id = $1", &[leaver.into()])?,
                db.scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1", &[leaver.into()])?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(left, (0, 0));
    let everything: String = store.read(|db| Ok(format!("{:?}", db.query("SELECT * FROM audit_log", &[])?))).await.unwrap();
    assert!(!everything.contains("slutat@trelleborg.se"), "no e-mail address in the audit log");
}

pub async fn jobs_are_deduplicated_retried_with_backoff_and_given_up(store: &Store) {
    let job = NewJob::new("test.echo", serde_json::json!({ "n": 1 }), T0).dedup("echo:1").attempts(3);
    let (j1, j2) = (job.clone(), job.clone());
    let first = store.write(move |db| jobs::enqueue(db, &j1, T0)).await.unwrap();
    let again = store.write(move |db| jobs::enqueue(db, &j2, T0 + 5)).await.unwrap();
    let id = first.expect("first enqueue creates the job");
    assert_eq!(again, None, "the same dedup key is a no-op");
    let other_kind = claim(store, claim_as("w1", &["test.other"], 10, 60_000), T0).await;
    assert!(other_kind.is_empty(), "a worker only claims the kinds it handles");
    let early = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 - 1).await;
    assert!(early.is_empty(), "not before run_at");

    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0).await;
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id, got[0].attempts, got[0].payload["n"].as_i64()), (id, 1, Some(1)));
    assert!(claim(store, claim_as("w2", &["test.echo"], 10, 60_000), T0 + 1).await.is_empty(), "claimed jobs are not claimed twice");

    // First failure: back in 30 s; second: 60 s; third: out of attempts.
    let j = got[0].clone();
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "connection", false, T0 + 10)).await.unwrap();
    assert_eq!(f, Failure::Retry { at: T0 + 10 + 30_000 });
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.last_error.as_deref(), row.locked_by), ("queued", Some("connection"), None));
    assert!(claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 30_009).await.is_empty(), "backoff is respected");
    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 30_010).await;
    assert_eq!(got[0].attempts, 2);
    let j = got[0].clone();
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "timeout", false, T0 + 40_000)).await.unwrap();
    assert_eq!(f, Failure::Retry { at: T0 + 40_000 + 60_000 });
    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 100_000).await;
    let j = got[0].clone();
    assert_eq!(j.attempts, 3);
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "timeout", false, T0 + 100_001)).await.unwrap();
    assert_eq!(f, Failure::GaveUp);
    assert!(claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 9_999_999).await.is_empty(), "failed jobs stay failed");
    let counts = store.read(|db| jobs::counts(db)).await.unwrap();
    assert_eq!((counts[0].kind.as_str(), counts[0].failed, counts[0].queued), ("test.echo", 1, 0));

    // Only a system administrator may retry, and only a failed job.
    let o = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let u = user(store, "samordnare@trelleborg.se", o, Role::Administrator).await;
    let v = viewer(store, u).await;
    let e = store.write(move |db| jobs::retry(db, &v, id, T0 + 200_000)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    store.write(move |db| jobs::retry(db, &Viewer::command_line(), id, T0 + 200_000)).await.unwrap();
    let e = store.write(move |db| jobs::retry(db, &Viewer::command_line(), id, T0 + 200_001)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "a queued job cannot be retried: {e:?}");
    let got = claim(store, claim_as("w1", &["test.echo"], 10, 60_000), T0 + 200_000).await;
    assert_eq!(got[0].attempts, 1, "a retried job gets all its attempts back");
    let j = got[0].clone();
    let f = store.write(move |db| jobs::fail(db, &j, "w1", "smtp_permanent 550", true, T0 + 200_001)).await.unwrap();
    assert_eq!(f, Failure::GaveUp, "a permanent error is not retried");
    let entries = store
        .read(|db| {
            audit::list(db, &Viewer::command_line(), &audit::Filter { action_prefix: Some("job.".into()), limit: 10, ..Default::default() })
        })
        .await
        .unwrap();
    assert_eq!(entries.items.iter().map(|e| (e.action.as_str(), e.record_id)).collect::<Vec<_>>(), [("job.retry", Some(id))]);
}

pub async fn an_expired_lease_puts_the_job_back(store: &Store) {
    let job = NewJob::new("test.echo", serde_json::json!({}), T0).attempts(2);
    let id = store.write(move |db| jobs::enqueue(db, &job, T0)).await.unwrap().unwrap();
    let got = claim(store, claim_as("dead", &["test.echo"], 1, 10_000), T0).await;
    assert_eq!(got[0].locked_until, T0 + 10_000);
    // The worker "dies": nobody completes the job. Before the lease ends nobody else gets it.
    assert!(claim(store, claim_as("alive", &["test.echo"], 1, 10_000), T0 + 9_999).await.is_empty());
    let got = claim(store, claim_as("alive", &["test.echo"], 1, 10_000), T0 + 10_000).await;
    assert_eq!((got.len(), got[0].id, got[0].attempts), (1, id, 2));
    let late = store.write(move |db| jobs::complete(db, id, "dead", T0 + 10_001)).await.unwrap();
    assert!(!late, "a worker that lost its lease cannot complete the job");
    let stale = store.write(move |db| jobs::fail(db, &jobs::Job { attempts: 1, ..got[0].clone() }, "dead", "x", false, T0 + 10_001)).await;
    assert_eq!(stale.unwrap(), Failure::LeaseLost);
    // The second holder dies too, on its last attempt: the job fails instead of looping.
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.locked_by.as_deref()), ("running", Some("alive")));
    assert!(claim(store, claim_as("third", &["test.echo"], 1, 10_000), T0 + 20_000).await.is_empty());
    let row = store.read(move |db| jobs::get(db, id)).await.unwrap();
    assert_eq!((row.state.as_str(), row.last_error.as_deref()), ("failed", Some("lease_expired")));

    // Released jobs (a worker shutting down) go back at once without using an attempt.
    let job = NewJob::new("test.echo", serde_json::json!({}), T0).attempts(2);
    let id = store.write(move |db| jobs::enqueue(db, &job, T0)).await.unwrap().unwrap();
    let got = claim(store, claim_as("stopping", &["test.echo"], 1, 10_000), T0 + 30_000).await;
    assert_eq!(got[0].id, id);
    assert!(store.write(move |db| jobs::release(db, id, "stopping", T0 + 30_001)).await.unwrap());
    let got = claim(store, claim_as("next", &["test.echo"], 1, 10_000), T0 + 30_001).await;
    assert_eq!((got[0].id, got[0].attempts), (id, 1));
    assert!(store.write(move |db| jobs::complete(db, id, "next", T0 + 30_002)).await.unwrap());
    assert_eq!(store.read(move |db| jobs::get(db, id)).await.unwrap().state, "done");
}

/// Four claimers at once over one queue: every job is claimed exactly once. On PostgreSQL
/// the claimers run on separate connections and `SKIP LOCKED` is what keeps them apart.
pub async fn concurrent_claimers_never_get_the_same_job(store: &Store) {
    const N: usize = 400;
    store
        .write(|db| {
            for i in 0..N {
                jobs::enqueue(db, &NewJob::new("test.echo", serde_json::json!({ "i": i }), T0), T0)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let workers = ["c1", "c2", "c3", "c4"];
    let mut tasks = Vec::new();
    for w in workers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine: Vec<i64> = Vec::new();
            loop {
                let got = store.write(move |db| jobs::claim(db, &claim_as(w, &["test.echo"], 7, 600_000), T0)).await.unwrap();
                if got.is_empty() {
                    break;
                }
                let ids: Vec<i64> = got.iter().map(|j| j.id).collect();
                mine.extend(&ids);
                let n = ids.len() as u64;
                assert_eq!(store.write(move |db| jobs::complete_many(db, &ids, w, T0 + 1)).await.unwrap(), n);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    let mut per_worker = Vec::new();
    for t in tasks {
        let mine = t.await.unwrap();
        per_worker.push(mine.len());
        all.extend(mine);
    }
    all.sort_unstable();
    let total = all.len();
    all.dedup();
    assert_eq!(all.len(), total, "a job was claimed twice");
    assert_eq!(total, N, "every job was claimed: {per_worker:?}");
    let counts = store.read(|db| jobs::counts(db)).await.unwrap();
    assert_eq!((counts[0].done, counts[0].queued, counts[0].running), (N as i64, 0, 0));
}

pub async fn weekly_jobs_are_enqueued_once_per_forum_and_week(store: &Store) {
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let b = org(store, "Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    for name in ["EST Trelleborg", "EST Centrum"] {
        let input = ForumInput { name: name.into(), convener_org_id: a, member_org_ids: vec![b], ..Default::default() }.validate().unwrap();
        store.write(move |db| forum::create(db, &Viewer::command_line(), &input, &postmark())).await.unwrap();
    }
    let digest = Weekly { kind: "test.digest", scope: WeeklyScope::PerForum, weekday: jiff::civil::Weekday::Monday, hour: 7 };
    let week = brygga_domain::time::IsoWeek::new(2026, 48).unwrap();
    let due = digest.due_in_week(week).unwrap();
    let run = |now: i64| store.write(move |db| jobs::enqueue_weekly(db, &digest, now));
    assert!(run(due - 1).await.unwrap().is_empty(), "not before Monday 07:00");
    assert_eq!(run(due).await.unwrap().len(), 2, "one per forum");
    assert!(run(due + 60_000).await.unwrap().is_empty(), "a second server (or minute) adds nothing");
    assert!(run(due + 3 * 86_400_000).await.unwrap().is_empty(), "nor later the same week");
    let next = digest.due_in_week(week.plus(1)).unwrap();
    assert_eq!(next - due, 7 * 86_400_000);
    assert_eq!(run(next).await.unwrap().len(), 2, "next week again");
    let got = claim(store, claim_as("w", &["test.digest"], 10, 60_000), next).await;
    let mut keys: Vec<String> = got.iter().filter_map(|j| j.dedup_key.clone()).collect();
    keys.sort();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|k| k.starts_with("test.digest:forum-")), "{keys:?}");
    assert!(keys.iter().any(|k| k.ends_with(":2026-W49")) && got.iter().all(|j| j.payload["forum_id"].as_i64().is_some()));
}

pub async fn the_outbox_keeps_the_message_id_and_shows_failures(store: &Store) {
    let o = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let u = user(store, "anna.andersson@trelleborg.se", o, Role::Coordinator).await;
    let new = |subject: &str| NewMail {
        kind: "test",
        to: brygga_domain::account::Email::parse("anna.andersson@trelleborg.se").unwrap(),
        to_user_id: Some(u),
        subject: subject.into(),
        body: "Hej!\n\nDet här är ett prov från Brygga.".into(),
        list_unsubscribe: None,
    };
    let (m1, m2) = (new("Provmeddelande från Brygga"), new("Ett till"));
    let q1 = store.write(move |db| mail::enqueue(db, &m1, "brygga.trelleborg.se", T0)).await.unwrap();
    let q2 = store.write(move |db| mail::enqueue(db, &m2, "brygga.trelleborg.se", T0)).await.unwrap();
    assert!(q1.message_id.starts_with(&format!("<outbox-{}.", q1.id)) && q1.message_id.ends_with("@brygga.trelleborg.se>"), "{q1:?}");
    assert_ne!(q1.message_id, q2.message_id);
    let bad = new("två\nrader");
    assert!(store.write(move |db| mail::enqueue(db, &bad, "brygga.trelleborg.se", T0)).await.is_err(), "header injection refused");

    // The sender reads the same Message-ID on every attempt.
    let got = claim(store, claim_as("w", &[mail::SEND_KIND], 10, 60_000), T0).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].payload["outbox_id"].as_i64(), Some(q1.id));
    assert_eq!(got[0].max_attempts, mail::MAX_ATTEMPTS);
    let id1 = q1.id;
    let out = store.read(move |db| mail::outgoing(db, id1)).await.unwrap().unwrap();
    assert_eq!(
        (out.message_id.as_str(), out.recipient.as_str(), out.sent_at),
        (q1.message_id.as_str(), "anna.andersson@trelleborg.se", None)
    );

    // One is sent; the other fails permanently and waits for an administrator.
    let (j1, j2) = (got[0].clone(), got[1].clone());
    store
        .write(move |db| {
            mail::mark_sent(db, j1.payload["outbox_id"].as_i64().unwrap(), T0 + 1)?;
            jobs::complete(db, j1.id, "w", T0 + 1)?;
            jobs::fail(db, &j2, "w", "smtp_permanent 550", true, T0 + 1)?;
            Ok(())
        })
        .await
        .unwrap();
    let v = viewer(store, u).await;
    assert!(matches!(store.read(move |db| mail::overview(db, &v)).await.unwrap_err(), StoreError::Forbidden));
    let ov = store.read(|db| mail::overview(db, &Viewer::command_line())).await.unwrap();
    assert_eq!((ov.pending, ov.failed, ov.sent), (0, 1, 1));
    let f = &ov.unsent_failed[0];
    assert_eq!(
        (f.id, f.recipient_masked.as_str(), f.state, f.last_error.as_deref()),
        (q2.id, "a…@trelleborg.se", MailState::Failed, Some("smtp_permanent 550"))
    );
    assert_eq!(f.subject, "Ett till");

    let id2 = q2.id;
    store.write(move |db| mail::retry(db, &Viewer::command_line(), id2, T0 + 2)).await.unwrap();
    let e = store.write(move |db| mail::retry(db, &Viewer::command_line(), id2, T0 + 3)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let ov = store.read(|db| mail::overview(db, &Viewer::command_line())).await.unwrap();
    assert_eq!((ov.pending, ov.failed), (1, 0));
    assert_eq!((ov.unsent_pending[0].attempts, ov.unsent_pending[0].next_attempt_ms), (0, Some(T0 + 2)));

    // Sent messages are purged after 30 days; erasing the account deletes the rest.
    let (messages, _) = store.write(|db| mail::purge(db, T0 + mail::KEEP_SENT_MS + 2)).await.unwrap();
    assert_eq!(messages, 1);
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(n, 1);
    store.write(move |db| users::erase(db, &Viewer::command_line(), u)).await.unwrap();
    let n: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM mail_outbox", &[])?)).await.unwrap();
    assert_eq!(n, 0, "the erased account's messages are gone");
}
