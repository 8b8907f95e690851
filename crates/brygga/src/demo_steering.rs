//! The demo's steering group (issue 14), after the programme exists (`demo_programmes`): the
//! steering group of *Skåne tillsammans mot brott* from the programme's signatories (the county
//! governor chairs), last half-year's steering meeting with its decisions — information, a beslut
//! and two uppdrag, one of them overdue —, the programme's deliverables (a leaflet that was
//! spread, training material ordered, and **a toolbox delivered and never distributed**), and
//! the next steering meeting, planned, with its agenda generated from the groups' state.
//!
//! Everything goes through the store's commands as the county coordinator, dated relative to
//! `today` so every demo shows the same picture. The programme is found by its title.

use brygga_domain::FieldErrors;
use brygga_store::kernel::viewer::Via;
use brygga_store::programmes::HalfYear;
use brygga_store::programmes::decisions::{self, DecisionInput};
use brygga_store::programmes::deliverables::{self, DeliverableInput, DistributionInput};
use brygga_store::programmes::steering::{self, MeetingInput, MemberInput};
use brygga_store::{Conn, ConnExt, StoreError, StoreResult, Viewer, args};
use jiff::ToSpan;
use jiff::civil::Date;

/// The programme the steering group belongs to.
pub const PROGRAMME: &str = "Skåne tillsammans mot brott";
/// The county coordinator, who keeps the steering group's records.
pub const COUNTY_COORDINATOR: &str = "lansamordnare@lansstyrelsen.example";
/// The toolbox that was delivered and never distributed.
pub const TOOLBOX: &str = "Verktygslåda för lokala lägesbilder";

fn day(d: Date, days: i64) -> String {
    d.checked_add(days.days()).unwrap_or(d).to_string()
}

/// Seeds the steering group's records. Does nothing when the programme is missing.
pub fn seed(db: &mut dyn Conn, today: Date) -> StoreResult<()> {
    let Some(programme) = db.scalar_opt::<i64>("SELECT id FROM programmes WHERE title = $1", args![PROGRAMME])? else {
        return Ok(());
    };
    let user: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![COUNTY_COORDINATOR])?;
    let v = Viewer::for_user(db, user, Via::Web)?;
    let none = FieldErrors::new;

    // The steering group: every signatory, represented by whoever signed; the owner chairs.
    let signatories: Vec<(i64, Option<String>)> = db.map_all(
        "SELECT s.org_id, s.signed_by FROM programme_signatories s WHERE s.programme_id = $1 ORDER BY s.position",
        args![programme],
        |r| Ok((r.get("org_id")?, r.get("signed_by")?)),
    )?;
    let owner: i64 = db.scalar("SELECT owner_org_id FROM programmes WHERE id = $1", args![programme])?;
    for (org_id, signed_by) in &signatories {
        let role = if *org_id == owner { "chair" } else { "member" };
        steering::set_member(
            db,
            &v,
            programme,
            &MemberInput { org_id: *org_id, representative: signed_by.clone(), role: role.into() },
            none(),
        )?;
    }
    let police = signatories.get(1).map_or(owner, |s| s.0);
    let municipalities = signatories.iter().map(|s| s.0).find(|o| *o != owner && *o != police).unwrap_or(owner);

    // Last half-year's meeting, where the current half-year's plans were settled.
    let now = HalfYear::of(today);
    let prev = HalfYear { year: if now.half == 1 { now.year - 1 } else { now.year }, half: if now.half == 1 { 2 } else { 1 } };
    let held = now.start().checked_sub(20.days()).unwrap_or(now.start());
    let last = steering::create_meeting(
        db,
        &v,
        programme,
        &MeetingInput {
            held_on: held.to_string(),
            half_year: Some(prev.to_string()),
            title: format!("Styrgruppsmöte {}", prev.label()),
            location: Some("Länsstyrelsen, Malmö".into()),
            status: Some("held".into()),
            notes: Some("Landshövdingen ledde mötet. Arbetsgrupperna redovisade läget.".into()),
            ..MeetingInput::default()
        },
        none(),
    )?;
    let log = |db: &mut dyn Conn, input: DecisionInput| decisions::log(db, &v, last.meeting.id, &input, FieldErrors::new());
    log(
        db,
        DecisionInput {
            kind: "information".into(),
            text: "Arbetsgrupperna redovisade genomförda aktiviteter och avvikelser.".into(),
            ..DecisionInput::default()
        },
    )?;
    log(
        db,
        DecisionInput {
            kind: "decision".into(),
            text: format!("Styrgruppen ställer sig bakom arbetsgruppernas inriktning för {}.", now.label()),
            ..DecisionInput::default()
        },
    )?;
    log(
        db,
        DecisionInput {
            kind: "assignment".into(),
            text: "Säkerställ att varje medlem i arbetsgrupperna har ett uttalat mandat och avsatt arbetstid.".into(),
            owner_org_id: Some(owner),
            due_on: Some(day(today, -10).max(held.to_string())),
            ..DecisionInput::default()
        },
    )?;
    log(
        db,
        DecisionInput {
            kind: "assignment".into(),
            text: "Ta fram en plan för hur verktygslådan sprids till länets kommuner.".into(),
            owner_org_id: Some(municipalities),
            due_on: Some(day(today, 21)),
            ..DecisionInput::default()
        },
    )?;

    // The deliverables: a leaflet spread, training material ordered, the toolbox never spread.
    let leaflet = deliverables::create(
        db,
        &v,
        programme,
        &DeliverableInput {
            kind: "leaflet".into(),
            title: "Broschyr: Så arbetar Skåne tillsammans mot brott".into(),
            supplier: Some("Länsstyrelsens kommunikationsenhet".into()),
            ordered_on: Some(day(today, -120)),
            delivered_on: Some(day(today, -90)),
            approved_on: Some(day(today, -85)),
            ..DeliverableInput::default()
        },
        none(),
    )?;
    deliverables::distribute(
        db,
        &v,
        leaflet.id,
        &DistributionInput {
            recipient: Some("Skånes 33 kommuners brottsförebyggande samordnare".into()),
            recipient_org_id: Some(municipalities),
            sent_on: day(today, -80),
            channel: "email".into(),
            sent_count: Some(33),
            opened_count: Some(24),
            ..DistributionInput::default()
        },
        none(),
    )?;
    deliverables::distribute(
        db,
        &v,
        leaflet.id,
        &DistributionInput {
            recipient: Some("Länsstyrelsens webbplats".into()),
            sent_on: day(today, -78),
            channel: "web".into(),
            downloaded_count: Some(312),
            ..DistributionInput::default()
        },
        none(),
    )?;
    deliverables::create(
        db,
        &v,
        programme,
        &DeliverableInput {
            kind: "toolbox".into(),
            title: TOOLBOX.into(),
            description: Some("Mallar och handledning för kommunernas lägesbilder och orsaksanalyser.".into()),
            supplier: Some("Konsultföretaget Trygg Analys AB".into()),
            ordered_on: Some(day(today, -150)),
            delivered_on: Some(day(today, -45)),
            approved_on: Some(day(today, -40)),
            ..DeliverableInput::default()
        },
        none(),
    )?;
    deliverables::create(
        db,
        &v,
        programme,
        &DeliverableInput {
            kind: "training".into(),
            title: "Utbildning för arbetsgruppernas sammankallande".into(),
            supplier: Some("Brottsförebyggande rådet".into()),
            ordered_on: Some(day(today, -30)),
            ..DeliverableInput::default()
        },
        none(),
    )?;

    // The next meeting, planned: its agenda generated from the groups' state as it is now.
    steering::create_meeting(
        db,
        &v,
        programme,
        &MeetingInput {
            held_on: day(today, 14),
            half_year: Some(now.to_string()),
            title: format!("Styrgruppsmöte {}", now.label()),
            location: Some("Länsstyrelsen, Malmö".into()),
            status: Some("planned".into()),
            ..MeetingInput::default()
        },
        none(),
    )
    .map_err(|e| match e {
        StoreError::Invalid(errs) => StoreError::Internal(format!("demo meeting: {errs:?}")),
        other => other,
    })?;
    Ok(())
}
