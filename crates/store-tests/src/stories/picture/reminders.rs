//! Issue 12, item 7: questionnaire reminders by e-mail go once per person, forum and period, at
//! the time the convener's coordinators chose, only to those who answer for places and have not
//! answered, and never to someone who opted out or is outside the forum.

use brygga_domain::time::IsoWeek;
use brygga_store::picture::questionnaire::{self, ReminderSchedule, Response};
use brygga_store::picture::questionnaire_reminders as reminders;
use brygga_store::{ConnExt, Store, StoreError};

use super::{est, field_codes, postmark, viewer};

/// Thursday 26 November 2026 at `hour`:`minute` Swedish time (CET, UTC+1), in milliseconds.
fn thursday(hour: i64, minute: i64) -> i64 {
    let midnight_utc: jiff::Timestamp = "2026-11-25T23:00:00Z".parse().unwrap();
    midnight_utc.as_millisecond() + (hour * 60 + minute) * 60_000
}

async fn reminders_to(store: &Store, user: i64) -> i64 {
    store
        .read(move |db| {
            Ok(db.scalar(
                "SELECT COUNT(*) FROM mail_outbox WHERE recipient_user_id = $1 AND kind = 'questionnaire_reminder'",
                &[user.into()],
            )?)
        })
        .await
        .unwrap()
}

pub async fn questionnaire_reminders_go_once_to_those_who_have_not_answered(store: &Store) {
    let w = est(store).await;
    let (f, place) = (w.forum, w.stortorget);
    let period = IsoWeek::new(2026, 48).unwrap();

    // Only the convener's coordinators set the schedule, and a wrong day or hour is refused by field.
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| questionnaire::configure(db, &v, f, 1, period, true)).await.unwrap();
    let v = viewer(store, w.tenant_member).await;
    let on = ReminderSchedule { email: true, weekday: 4, hour: 9 };
    assert!(matches!(store.write(move |db| questionnaire::set_reminders(db, &v, f, on)).await.unwrap_err(), StoreError::Forbidden));
    let v = viewer(store, w.coordinator).await;
    let bad = ReminderSchedule { email: true, weekday: 8, hour: 24 };
    let err = store.write(move |db| questionnaire::set_reminders(db, &v, f, bad)).await.unwrap_err();
    assert_eq!(
        field_codes(&err),
        [("reminder_weekday".to_owned(), "reminder_weekday.range"), ("reminder_hour".to_owned(), "reminder_hour.range")]
    );
    let v = viewer(store, w.coordinator).await;
    let q = store.write(move |db| questionnaire::set_reminders(db, &v, f, on)).await.unwrap();
    assert_eq!((q.reminder_email, q.reminder_weekday, q.reminder_hour), (true, 4, 9));

    // Four people answer for Stortorget; the coordinator answers, the tenant opts out.
    for u in [w.coordinator, w.reporter, w.tenant_member] {
        let v = viewer(store, w.coordinator).await;
        store.write(move |db| questionnaire::assign(db, &v, f, u, &[place])).await.unwrap();
    }
    // Someone whose organisation is not in the forum (an assignment left behind) is not reminded.
    let outsider = w.outsider;
    store
        .write(move |db| {
            db.execute(
                "INSERT INTO reporter_areas (forum_id, user_id, area_id) VALUES ($1, $2, $3)",
                &[f.into(), outsider.into(), place.into()],
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let v = viewer(store, w.tenant_member).await;
    store.write(move |db| brygga_store::accounts::preferences::set_questionnaire_reminders_off(db, &v, true)).await.unwrap();
    let u = w.tenant_member;
    assert!(store.read(move |db| brygga_store::accounts::preferences::questionnaire_reminders_off(db, u)).await.unwrap());
    let v = viewer(store, w.coordinator).await;
    let answered_at = jiff::Timestamp::from_millisecond(thursday(8, 0)).unwrap();
    let r = Response { forum_id: f, week: period, nothing_to_report: true, answers: vec![], share: true };
    store.write(move |db| questionnaire::submit(db, &v, &r, answered_at)).await.unwrap();

    // The job falls due on Thursday at 09:00 Swedish time, once however often the scheduler asks.
    assert_eq!(store.write(|db| reminders::enqueue_due(db, thursday(8, 59))).await.unwrap(), Vec::<i64>::new());
    assert_eq!(store.write(|db| reminders::enqueue_due(db, thursday(9, 0))).await.unwrap().len(), 1);
    assert_eq!(store.write(|db| reminders::enqueue_due(db, thursday(9, 1))).await.unwrap(), Vec::<i64>::new());

    // Only the reporter who has not answered gets one; a second run sends nothing.
    let first = store.write(move |db| reminders::write(db, f, period, &postmark(), thursday(9, 0))).await.unwrap();
    assert_eq!((first.queued.len(), first.already_sent), (1, 0));
    let second = store.write(move |db| reminders::write(db, f, period, &postmark(), thursday(9, 5))).await.unwrap();
    assert_eq!((second.queued.len(), second.already_sent), (0, 1), "a second run writes nothing new");
    assert_eq!(reminders_to(store, w.reporter).await, 1);
    for nobody in [w.coordinator, w.tenant_member, w.outsider, w.reader, w.association] {
        assert_eq!(reminders_to(store, nobody).await, 0, "user {nobody} must get no reminder");
    }
    let reporter = w.reporter;
    let (subject, body): (String, String) = store
        .read(move |db| {
            Ok(db.map_one(
                "SELECT subject, body_text FROM mail_outbox WHERE recipient_user_id = $1 AND kind = 'questionnaire_reminder'",
                &[reporter.into()],
                |r| Ok((r.get("subject")?, r.get("body_text")?)),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(subject, "Påminnelse: veckoenkäten i EST Trelleborg, v. 48");
    assert!(body.contains(&format!("https://brygga.test/enkat/{f}?vecka=2026-W48")), "{body}");
    assert!(body.contains("https://brygga.test/konto/paminnelser"), "every reminder says how to turn it off: {body}");
    assert!(!body.contains("Stortorget") && !body.contains("samordnare@"), "no places, no one else: {body}");

    // After the period, a late job sends nothing; turned off, nothing is enqueued.
    let next_week = thursday(9, 0) + 7 * 86_400_000;
    let late = store.write(move |db| reminders::write(db, f, period, &postmark(), next_week)).await.unwrap();
    assert_eq!(late, reminders::Written::default());
    let v = viewer(store, w.coordinator).await;
    let off = ReminderSchedule { email: false, ..on };
    store.write(move |db| questionnaire::set_reminders(db, &v, f, off)).await.unwrap();
    assert_eq!(store.write(move |db| reminders::enqueue_due(db, next_week)).await.unwrap(), Vec::<i64>::new());
}
