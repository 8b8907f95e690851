//! The demo's forum work in EST Trelleborg, so that a new user finds the cycle in motion: last
//! week's meeting with its minutes, actions in every state (one finished a few weeks ago, so the
//! follow-up has a before and after; one overdue), and a closed alert. This week's meeting is
//! left for the user to open: its agenda then holds the graffiti flag at Stortorget.
//!
//! Made through the store like every user action, then dated back where a demo needs a past
//! (a due date cannot be set in the past through the store, and a completion is stamped "now").

use brygga_domain::time::{IsoWeek, today};
use brygga_store::forum_work::actions::{self, ActionInput, StatusInput};
use brygga_store::forum_work::alerts::{self, AlertInput};
use brygga_store::forum_work::meetings::{self, SaveInput};
use brygga_store::kernel::mail::Postmark;
use brygga_store::kernel::viewer::Via;
use brygga_store::{Conn, ConnExt, Store, StoreResult, Viewer, args, forums::forum};

const DAY_MS: i64 = 86_400_000;

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn area(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM areas WHERE municipality_code = '1287' AND name = $1", args![name])?)
}

/// Moves an action's dates `days` back (demo history).
fn back_date(db: &mut dyn Conn, id: i64, days: i64, due: jiff::civil::Date) -> StoreResult<()> {
    let shift = days * DAY_MS;
    db.execute(
        "UPDATE actions SET created_at = created_at - $1, updated_at = updated_at - $1,
            completed_at = CASE WHEN completed_at IS NULL THEN NULL ELSE completed_at - $1 END, due_on = $2 WHERE id = $3",
        args![shift, due.to_string(), id],
    )?;
    Ok(())
}

pub async fn seed(store: &Store, post: Postmark) -> anyhow::Result<()> {
    store
        .write(move |db| {
            let sys = Viewer::system();
            let forum = forum::list(db, &sys)?.into_iter().find(|f| f.name == "EST Trelleborg").expect("demo forum").id;
            let coordinator = user(db, "samordnare@trelleborg.example")?;
            let reporter = user(db, "faltassistent@trelleborg.example")?;
            let (kommun, polisen, hem, natt) = (
                org(db, "Trelleborgs kommun")?,
                org(db, "Polisen, lokalpolisområde Trelleborg")?,
                org(db, "AB Trelleborgshem")?,
                org(db, "Nattvandrarna i Trelleborg")?,
            );
            let day = |n: i64| today().checked_add(jiff::Span::new().days(n)).expect("in range");
            let input = |title: &str, reason: &str, responsible: i64, due: i64, category: &str, place: Option<i64>| ActionInput {
                title: title.into(),
                reason: Some(reason.into()),
                responsible_org_id: Some(responsible),
                due_on: Some(day(due).to_string()),
                category: Some(category.into()),
                area_id: place,
                ..ActionInput::default()
            };
            // Last week's meeting, with its minutes.
            let last = IsoWeek::current().plus(-1);
            let m = meetings::open(db, &coordinator, forum, last)?;
            meetings::save(
                db,
                &coordinator,
                forum,
                last,
                &SaveInput {
                    version: m.version,
                    held_on: Some(last.monday().checked_add(jiff::Span::new().days(1)).expect("in range").to_string()),
                    notes: Some("Lugn vecka i stort. Skräpet vid Hamnen minskade efter städinsatsen.".into()),
                    present: vec![kommun, polisen, hem, natt],
                    ..SaveInput::default()
                },
            )?;
            // Finished four weeks ago: the follow-up shows the weeks around it.
            let hamnen = area(db, "Hamnen")?;
            let mut a = input(
                "Städa och sätta upp fler papperskorgar vid Hamnen",
                "Mycket skräp och glas efter helgerna i flera veckor.",
                kommun,
                7,
                "littering",
                Some(hamnen),
            );
            a.partner_org_ids = vec![natt];
            a.no_police_powers = true;
            let valid = actions::prepare(db, &coordinator, forum, &a, None)?;
            let done = actions::create(db, &coordinator, &valid, actions::Origin::default())?;
            let done = actions::set_status(
                db,
                &coordinator,
                done.id,
                done.version,
                &StatusInput { status: "done".into(), outcome: Some("Sex nya papperskorgar; städning varje måndag.".into()), ..StatusInput::default() },
            )?;
            back_date(db, done.id, 28, day(-28))?;
            // Running late.
            let resecentrum = area(db, "Trelleborgs resecentrum")?;
            let late = actions::prepare(
                db,
                &coordinator,
                forum,
                &input("Byta trasig belysning i gångtunneln vid resecentrum", "Boende undviker tunneln på kvällen.", hem, 14, "broken_lighting", Some(resecentrum)),
                None,
            )?;
            let late = actions::create(db, &coordinator, &late, actions::Origin { meeting_id: Some(m.id), meeting_item_id: None })?;
            back_date(db, late.id, 10, day(-3))?;
            // Under way, needing no police powers.
            let mut walk = input("Nattvandring fredag och lördag vid Stortorget", "Fler unga samlas sent.", natt, 10, "youth_gathering", None);
            walk.no_police_powers = true;
            let walk = actions::prepare(db, &coordinator, forum, &walk, None)?;
            let walk = actions::create(db, &coordinator, &walk, actions::Origin { meeting_id: Some(m.id), meeting_item_id: None })?;
            actions::set_status(db, &coordinator, walk.id, walk.version, &StatusInput { status: "in_progress".into(), ..StatusInput::default() })?;
            // A closed alert from two weeks ago.
            let alert = AlertInput {
                title: "Stenkastning mot bussar vid resecentrum".into(),
                description: Some("Grupp kastar sten mot bussar vid hållplatsen.".into()),
                urgency: "immediate".into(),
                area_id: Some(resecentrum),
                ..AlertInput::default()
            };
            let valid = alerts::prepare(db, &reporter, forum, &alert)?;
            let raised = alerts::raise(db, &reporter, &valid, None, &post)?;
            // The demo's history is not e-mailed.
            db.execute(
                "DELETE FROM jobs WHERE id IN (SELECT job_id FROM mail_outbox WHERE kind = 'alert')",
                &[],
            )?;
            db.execute("UPDATE alert_recipients SET outbox_id = NULL", &[])?;
            db.execute("DELETE FROM mail_outbox WHERE kind = 'alert'", &[])?;
            let police = user(db, "kommunpolis@polisen.example")?;
            alerts::acknowledge(db, &police, raised.alert.id)?;
            alerts::close(db, &police, raised.alert.id, "Polis på plats efter tio minuter; Trelleborgshem lagade skyddet vid hållplatsen.")?;
            let shift = 14 * DAY_MS;
            db.execute(
                "UPDATE alerts SET created_at = created_at - $1, updated_at = updated_at - $1, closed_at = closed_at - $1 + 3600000 WHERE id = $2",
                args![shift, raised.alert.id],
            )?;
            db.execute(
                "UPDATE alert_recipients SET notified_at = notified_at - $1,
                    acknowledged_at = CASE WHEN acknowledged_at IS NULL THEN NULL ELSE notified_at - $1 + 240000 END WHERE alert_id = $2",
                args![shift, raised.alert.id],
            )?;
            Ok(())
        })
        .await?;
    Ok(())
}
