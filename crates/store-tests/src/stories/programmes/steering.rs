//! The steering group (issue 14): meetings with an agenda generated from the working groups'
//! state, decisions logged and followed up (an uppdrag needs its owner and due date), and who
//! reads and writes. The programme, its groups and their activity plans are written with SQL
//! here (the programme commands are another part's), as the plans stories write their plan.

use brygga_domain::FieldErrors;
use brygga_domain::time::today;
use brygga_store::args;
use brygga_store::programmes::decisions::{self, DecisionInput, FollowUpInput};
use brygga_store::programmes::deliverables::{self, DeliverableInput};
use brygga_store::programmes::report;
use brygga_store::programmes::steering::{self, HalfYear, MeetingInput, MemberInput};

use super::super::*;

/// A programme owned by the county board, with three working groups for the current half-year:
/// "Våld i nära relationer" (convened by the county board; its activity plan quality-assured,
/// with a goal that has no indicator — unmeasurable — two activities done and one planned),
/// "Trygghet i offentlig miljö" (convened by the county board; a draft plan with a measurable
/// goal and a deviation without a correction) and "Brott mot företag" (convened by the police;
/// no plan). Members: the county board in all three, the police in two (one without a mandate),
/// the municipality in one (without working time).
pub struct SteeringWorld {
    pub programme: i64,
    pub lansstyrelsen: i64,
    pub polisen: i64,
    pub kommun: i64,
    pub outsider_org: i64,
    /// Coordinator at the county board: manages the programme.
    pub county: i64,
    /// Member (not coordinator) at the county board.
    pub county_member: i64,
    /// Coordinator at the police: a party, not the owner.
    pub police: i64,
    /// Coordinator at an organisation outside the programme.
    pub outsider: i64,
    pub violence_group: i64,
    pub safety_group: i64,
    pub business_group: i64,
    pub violence_plan: i64,
    pub safety_plan: i64,
    pub unmeasurable_goal: i64,
    pub open_deviation: i64,
    pub half: HalfYear,
}

pub async fn steering_world(store: &Store) -> SteeringWorld {
    let lansstyrelsen = org(store, "Länsstyrelsen Skåne", OrgKind::CountyBoard, &[]).await;
    let polisen = org(store, "Polisregion Syd", OrgKind::Police, &["1287"]).await;
    let kommun = org(store, "Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let outsider_org = org(store, "Länsstyrelsen Kalmar", OrgKind::CountyBoard, &[]).await;
    let county = user(store, "samordnare@lansstyrelsen.example", lansstyrelsen, Role::Coordinator).await;
    let county_member = user(store, "handlaggare@lansstyrelsen.example", lansstyrelsen, Role::Member).await;
    let police = user(store, "samordnare@polisen.example", polisen, Role::Coordinator).await;
    let outsider = user(store, "samordnare@kalmar.example", outsider_org, Role::Coordinator).await;
    let half = HalfYear::of(today());
    let (from, to) = (half.start().to_string(), half.end().to_string());
    let period_from = format!("{}-01-01", half.year - 1);
    let period_to = format!("{}-12-31", half.year + 1);
    store
        .write(move |db| {
            let now = brygga_store::now_ms();
            let programme: i64 = db.scalar(
                "INSERT INTO programmes (title, scope, county_code, owner_org_id, period_from, period_to, visibility, created_by_user_id, created_at, updated_at)
                 VALUES ('Skåne tillsammans mot brott', 'regional', '12', $1, $2, $3, 'organisation', $4, $5, $5) RETURNING id",
                args![lansstyrelsen, period_from.as_str(), period_to.as_str(), county, now],
            )?;
            let mut groups = Vec::new();
            for (pos, (title, convener)) in
                [("Våld i nära relationer", lansstyrelsen), ("Trygghet i offentlig miljö", lansstyrelsen), ("Brott mot företag", polisen)]
                    .into_iter()
                    .enumerate()
            {
                let area: i64 = db.scalar(
                    "INSERT INTO programme_areas (programme_id, title, position) VALUES ($1, $2, $3) RETURNING id",
                    args![programme, title, pos as i64 + 1],
                )?;
                let group: i64 = db.scalar(
                    "INSERT INTO working_groups (programme_id, area_id, name, convener_org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                    args![programme, area, title, convener, now],
                )?;
                groups.push(group);
            }
            let member = |db: &mut dyn brygga_store::Conn, group: i64, org: i64, mandate: Option<&str>, hours: Option<f64>| -> Result<(), StoreError> {
                db.execute(
                    "INSERT INTO working_group_members (group_id, org_id, representative, mandate, hours_per_month) VALUES ($1, $2, 'Representant', $3, $4)",
                    args![group, org, mandate, hours],
                )?;
                Ok(())
            };
            for g in &groups {
                member(db, *g, lansstyrelsen, Some("Beslutar för länsstyrelsen"), Some(16.0))?;
            }
            member(db, groups[0], polisen, None, Some(8.0))?;
            member(db, groups[2], polisen, Some("Beslutar för polisregionen"), Some(8.0))?;
            member(db, groups[1], kommun, Some("Beslutar för kommunen"), None)?;
            brygga_store::programmes::sync_parties(db, programme)?;
            let plan = |db: &mut dyn brygga_store::Conn, group: i64, title: &str, state: &str, parties: &[i64]| -> Result<i64, StoreError> {
                let id: i64 = db.scalar(
                    "INSERT INTO action_plans (lineage_id, version_no, status, title, kind, period_from, period_to, owner_org_id, visibility, created_by_user_id, created_at, updated_at)
                     VALUES (0, 1, 'draft', $1, 'activity', $2, $3, $4, 'organisation', $5, $6, $6) RETURNING id",
                    args![title, from.as_str(), to.as_str(), lansstyrelsen, county, now],
                )?;
                db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", args![id])?;
                db.execute("UPDATE working_groups SET plan_lineage_id = $1 WHERE id = $2", args![id, group])?;
                for o in parties {
                    db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", args![id, *o])?;
                }
                db.execute(
                    "INSERT INTO activity_plans (plan_id, group_id, half_year, state, updated_at) VALUES ($1, $2, $3, $4, $5)",
                    args![id, group, half.to_string(), state, now],
                )?;
                Ok(id)
            };
            let violence_plan = plan(db, groups[0], "Aktivitetsplan Våld i nära relationer", "quality_assured", &[lansstyrelsen, polisen])?;
            let safety_plan = plan(db, groups[1], "Aktivitetsplan Trygghet i offentlig miljö", "draft", &[lansstyrelsen, kommun])?;
            let unmeasurable_goal: i64 = db.scalar(
                "INSERT INTO plan_goals (plan_id, key, kind, title, level, weight, position) VALUES ($1, 'g1', 'result', 'Fler som utsatts söker stöd', 'organisation', 1, 1) RETURNING id",
                args![violence_plan],
            )?;
            for (pos, (title, status)) in [("Utbildning för socialtjänsten", "done"), ("Kampanj i kollektivtrafiken", "done"), ("Samverkansrutin med hälso- och sjukvården", "planned")]
                .into_iter()
                .enumerate()
            {
                let m: i64 = db.scalar(
                    "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, start_on, end_on, status, basis, position)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'evaluated_method', $8) RETURNING id",
                    args![violence_plan, format!("m{pos}"), title, lansstyrelsen, from.as_str(), to.as_str(), status, pos as i64 + 1],
                )?;
                db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", args![m, unmeasurable_goal])?;
            }
            let safe_goal: i64 = db.scalar(
                "INSERT INTO plan_goals (plan_id, key, kind, title, level, weight, position) VALUES ($1, 'g1', 'result', 'Fler känner sig trygga i centrum', 'area', 1, 1) RETURNING id",
                args![safety_plan],
            )?;
            db.execute(
                "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, manual_source, unit, direction, baseline_value, baseline_on, target_value, target_on, frequency, position)
                 VALUES ($1, 'i1', $2, 'Andel trygga', 'manual', 'Trygghetsmätningen', 'procent', 'increase', 60, $3, 70, $4, 'yearly', 1)",
                args![safety_plan, safe_goal, from.as_str(), to.as_str()],
            )?;
            let open_deviation: i64 = db.scalar(
                "INSERT INTO plan_deviations (plan_id, key, what, why, created_at, updated_at) VALUES ($1, 'd1', 'Trygghetsvandringen ställdes in', 'Ingen deltog från fastighetsägarna', $2, $2) RETURNING id",
                args![safety_plan, now],
            )?;
            Ok(SteeringWorld {
                programme,
                lansstyrelsen,
                polisen,
                kommun,
                outsider_org,
                county,
                county_member,
                police,
                outsider,
                violence_group: groups[0],
                safety_group: groups[1],
                business_group: groups[2],
                violence_plan,
                safety_plan,
                unmeasurable_goal,
                open_deviation,
                half,
            })
        })
        .await
        .unwrap()
}

pub fn meeting_input(held_on: &str, title: &str) -> MeetingInput {
    MeetingInput { held_on: held_on.into(), title: title.into(), location: Some("Malmö".into()), ..Default::default() }
}

pub async fn create_meeting(store: &Store, user: i64, programme: i64, input: MeetingInput) -> Result<steering::MeetingDetail, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| steering::create_meeting(db, &v, programme, &input, FieldErrors::new())).await
}

pub async fn log_decision(store: &Store, user: i64, meeting: i64, input: DecisionInput) -> Result<decisions::Decision, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| decisions::log(db, &v, meeting, &input, FieldErrors::new())).await
}

pub async fn create_deliverable(
    store: &Store,
    user: i64,
    programme: i64,
    input: DeliverableInput,
) -> Result<deliverables::Deliverable, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| deliverables::create(db, &v, programme, &input, FieldErrors::new())).await
}

fn message(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).map(|e| e.message.clone()).unwrap_or_default(),
        _ => String::new(),
    }
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar(sql, &[])?)).await.unwrap()
}

pub async fn steering_agenda_is_generated_from_the_groups_state(store: &Store) {
    let w = steering_world(store).await;
    let t = today();
    let earlier = t.checked_sub(jiff::Span::new().days(40)).unwrap().to_string();
    // An earlier meeting gave the police an uppdrag due in ten days (near due), and the county
    // board one due next year (not near).
    let first = create_meeting(
        store,
        w.county,
        w.programme,
        MeetingInput { status: Some("held".into()), ..meeting_input(&earlier, "Styrgruppsmöte 1") },
    )
    .await
    .unwrap();
    let soon = t.checked_add(jiff::Span::new().days(10)).unwrap().to_string();
    let later = t.checked_add(jiff::Span::new().days(200)).unwrap().to_string();
    let near = log_decision(
        store,
        w.county,
        first.meeting.id,
        DecisionInput {
            kind: "assignment".into(),
            text: "Ta fram en lägesbild över brott mot företag".into(),
            owner_org_id: Some(w.polisen),
            due_on: Some(soon.clone()),
            group_id: Some(w.business_group),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(near.near_due && !near.overdue);
    log_decision(
        store,
        w.county,
        first.meeting.id,
        DecisionInput {
            kind: "assignment".into(),
            text: "Utvärdera programmet".into(),
            owner_org_id: Some(w.lansstyrelsen),
            due_on: Some(later),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // A delivered toolbox nobody has been sent, and a leaflet that was spread.
    let toolbox = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput {
            kind: "toolbox".into(),
            title: "Verktygslåda mot våld i nära relationer".into(),
            delivered_on: Some(earlier.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let leaflet = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput {
            kind: "leaflet".into(),
            title: "Broschyr om trygghetsvandringar".into(),
            delivered_on: Some(earlier.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let v = viewer(store, w.county).await;
    let lid = leaflet.id;
    let (po, e2) = (w.polisen, earlier.clone());
    store
        .write(move |db| {
            deliverables::distribute(
                db,
                &v,
                lid,
                &deliverables::DistributionInput {
                    recipient_org_id: Some(po),
                    sent_on: e2,
                    channel: "email".into(),
                    sent_count: Some(30),
                    ..Default::default()
                },
                FieldErrors::new(),
            )
        })
        .await
        .unwrap();

    let m = create_meeting(store, w.county, w.programme, meeting_input(&t.to_string(), "Styrgruppsmöte 2")).await.unwrap();
    assert_eq!(m.meeting.half_year, w.half.to_string(), "the half-year is the meeting date's");
    let items: Vec<(String, Option<i64>)> = m.agenda.iter().map(|i| (i.kind.clone(), i.ref_id)).collect();
    assert_eq!(
        items,
        [
            ("plan_decision".to_owned(), Some(w.violence_plan)),
            ("goal_off_track".to_owned(), Some(w.unmeasurable_goal)),
            ("deviation".to_owned(), Some(w.open_deviation)),
            ("decision_follow_up".to_owned(), Some(near.id)),
            ("deliverable".to_owned(), Some(toolbox.id)),
        ],
        "{:#?}",
        m.agenda
    );
    let plan_item = &m.agenda[0];
    assert_eq!(plan_item.plan_state.as_deref(), Some("quality_assured"));
    assert!(plan_item.title.contains("Våld i nära relationer") && plan_item.title.contains("kvalitetssäkrad"), "{}", plan_item.title);
    assert!(m.agenda[1].title.contains("Fler som utsatts söker stöd"), "{}", m.agenda[1].title);
    assert!(m.agenda[3].title.contains("Polisregion Syd") && m.agenda[3].title.contains(&soon), "{}", m.agenda[3].title);
    assert!(m.agenda[4].title.contains("inte spridits"), "{}", m.agenda[4].title);
    assert_eq!(m.agenda.iter().map(|i| i.position).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);

    // The coordinator reorders, removes and adds; a refresh adds only what is missing.
    let (mid, deviation_item, toolbox_item) = (m.meeting.id, m.agenda[2].id, m.agenda[4].id);
    let v = viewer(store, w.county).await;
    let moved = store.write(move |db| steering::move_item(db, &v, mid, toolbox_item, true)).await.unwrap();
    assert_eq!(
        moved.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>(),
        ["plan_decision", "goal_off_track", "deviation", "deliverable", "decision_follow_up"]
    );
    let v = viewer(store, w.county).await;
    store.write(move |db| steering::remove_item(db, &v, mid, deviation_item)).await.unwrap();
    let v = viewer(store, w.county).await;
    let own = store.write(move |db| steering::add_item(db, &v, mid, "Nästa programperiod")).await.unwrap();
    assert_eq!((own.kind.as_str(), own.ref_id), ("other", None));
    let v = viewer(store, w.county).await;
    let empty = store.write(move |db| steering::add_item(db, &v, mid, "  ")).await.unwrap_err();
    assert_eq!(field_codes(&empty), [("title".to_owned(), "required")]);
    let v = viewer(store, w.county).await;
    assert_eq!(store.write(move |db| steering::refresh_agenda(db, &v, mid)).await.unwrap(), 1, "the removed deviation comes back once");
    let v = viewer(store, w.county).await;
    assert_eq!(store.write(move |db| steering::refresh_agenda(db, &v, mid)).await.unwrap(), 0, "never twice");
    let v = viewer(store, w.county).await;
    let after = store.read(move |db| steering::meeting(db, &v, mid)).await.unwrap();
    assert_eq!(after.agenda.len(), 6);
    assert_eq!(after.agenda.last().map(|i| i.kind.as_str()), Some("deviation"));

    // Spread, the toolbox leaves the next agenda; the deviation corrected, it leaves too.
    let v = viewer(store, w.county).await;
    let (tid, k, e3) = (toolbox.id, w.kommun, earlier.clone());
    store
        .write(move |db| {
            deliverables::distribute(
                db,
                &v,
                tid,
                &deliverables::DistributionInput {
                    recipient: Some("Skånes kommuner".into()),
                    recipient_org_id: Some(k),
                    sent_on: e3,
                    channel: "web".into(),
                    ..Default::default()
                },
                FieldErrors::new(),
            )
        })
        .await
        .unwrap();
    let dev = w.open_deviation;
    store
        .write(move |db| Ok(db.execute("UPDATE plan_deviations SET correction = 'Ny vandring i maj' WHERE id = $1", args![dev])?))
        .await
        .unwrap();
    let programme = w.programme;
    let half = w.half;
    let next = store.read(move |db| steering::generate(db, programme, half, None, today())).await.unwrap();
    let kinds: Vec<&str> = next.iter().map(|g| g.kind.code()).collect();
    assert_eq!(kinds, ["plan_decision", "goal_off_track", "decision_follow_up"], "{next:#?}");
}

pub async fn steering_decisions_bind_an_owner_and_a_due_date_and_are_followed_up(store: &Store) {
    let w = steering_world(store).await;
    let t = today();
    let held = t.checked_sub(jiff::Span::new().days(30)).unwrap().to_string();
    let m = create_meeting(
        store,
        w.county,
        w.programme,
        MeetingInput { status: Some("held".into()), ..meeting_input(&held, "Styrgruppsmöte") },
    )
    .await
    .unwrap()
    .meeting;

    // An uppdrag without an owner or a due date binds nobody: refused, both named, nothing written.
    let e = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput { kind: "assignment".into(), text: "Kartlägg stödet".into(), ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("owner_org_id".to_owned(), "steering.owner_required"), ("due_on".to_owned(), "steering.due_required")]);
    assert!(message(&e, "owner_org_id").contains("ansvarig organisation"), "{}", message(&e, "owner_org_id"));
    assert!(message(&e, "due_on").contains("slutdatum"), "{}", message(&e, "due_on"));
    assert_eq!(count(store, "SELECT COUNT(*) FROM steering_decisions").await, 0);
    // Owner outside the programme, due before the meeting, an unknown kind, an empty text.
    let before = t.checked_sub(jiff::Span::new().days(60)).unwrap().to_string();
    let e = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput {
            kind: "assignment".into(),
            text: "x".into(),
            owner_org_id: Some(w.outsider_org),
            due_on: Some(before),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        field_codes(&e),
        [("owner_org_id".to_owned(), "steering.owner_not_party"), ("due_on".to_owned(), "steering.due_before_meeting")]
    );
    let e = log_decision(store, w.county, m.id, DecisionInput { kind: "order".into(), text: " ".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("kind".to_owned(), "kind.unknown"), ("text".to_owned(), "required")]);
    // Information has no due date.
    let e = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput { kind: "information".into(), text: "Lägesrapport".into(), due_on: Some(t.to_string()), ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("due_on".to_owned(), "steering.due_only_assignment")]);

    // Numbered per meeting; an uppdrag due before today is overdue.
    let info = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput { kind: "information".into(), text: "Lägesrapport från grupperna".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let due = t.checked_sub(jiff::Span::new().days(5)).unwrap().to_string();
    let task = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput {
            kind: "assignment".into(),
            text: "Ta fram mandat för alla medlemmar".into(),
            owner_org_id: Some(w.polisen),
            due_on: Some(due.clone()),
            group_id: Some(w.violence_group),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let beslut = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput {
            kind: "decision".into(),
            text: "Arbetsgruppen får två nya medlemmar".into(),
            plan_id: Some(w.violence_plan),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((info.number, task.number, beslut.number), (1, 2, 3));
    assert_eq!(
        (task.kind_label.as_str(), task.owner_org_name.as_deref(), task.due_on.as_deref()),
        ("Uppdrag", Some("Polisregion Syd"), Some(due.as_str()))
    );
    assert!(task.overdue && task.status == "open");
    assert_eq!(task.group_name.as_deref(), Some("Våld i nära relationer"));
    let e = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput { kind: "decision".into(), text: "x".into(), plan_id: Some(999_999), ..Default::default() },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("plan_id".to_owned(), "steering.plan_unknown")]);

    // Follow-up: cancelling needs the reason; closing while open is refused; done closes today.
    let follow = |input: FollowUpInput, id: i64| async move {
        let v = viewer(store, w.county).await;
        store.write(move |db| decisions::follow_up(db, &v, id, &input, FieldErrors::new())).await
    };
    let e = follow(FollowUpInput { status: "cancelled".into(), ..Default::default() }, task.id).await.unwrap_err();
    assert_eq!(field_codes(&e), [("follow_up".to_owned(), "steering.cancel_reason")]);
    let e =
        follow(FollowUpInput { status: "open".into(), closed_on: Some(t.to_string()), ..Default::default() }, task.id).await.unwrap_err();
    assert_eq!(field_codes(&e), [("closed_on".to_owned(), "steering.closed_while_open")]);
    let done = follow(
        FollowUpInput { status: "done".into(), follow_up: Some("Mandaten beslutade i alla organisationer".into()), ..Default::default() },
        task.id,
    )
    .await
    .unwrap();
    assert_eq!((done.status.as_str(), done.closed_on.clone(), done.overdue), ("done", Some(t.to_string()), false));
    let v = viewer(store, w.police).await;
    let programme = w.programme;
    let all = store.read(move |db| decisions::for_programme(db, &v, programme)).await.unwrap();
    assert_eq!(all.iter().map(|d| d.number).collect::<Vec<_>>(), [1, 2, 3], "a party reads the decisions");

    // A second meeting numbers from 1 again.
    let m2 = create_meeting(store, w.county, w.programme, meeting_input(&t.to_string(), "Styrgruppsmöte 2")).await.unwrap().meeting;
    let first =
        log_decision(store, w.county, m2.id, DecisionInput { kind: "information".into(), text: "Ny period".into(), ..Default::default() })
            .await
            .unwrap();
    assert_eq!(first.number, 1);
    // A meeting ahead cannot have been held.
    let ahead = t.checked_add(jiff::Span::new().days(3)).unwrap().to_string();
    let e = create_meeting(store, w.county, w.programme, MeetingInput { status: Some("held".into()), ..meeting_input(&ahead, "Framtida") })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "steering.held_in_future")]);
    let e = create_meeting(store, w.county, w.programme, MeetingInput { half_year: Some("2019H3".into()), ..meeting_input("", "") })
        .await
        .unwrap_err();
    assert_eq!(
        field_codes(&e),
        [("held_on".to_owned(), "required"), ("half_year".to_owned(), "programmes.half_year"), ("title".to_owned(), "required")]
    );
}

pub async fn steering_records_are_read_by_the_parties_and_written_by_the_owners_coordinators(store: &Store) {
    let w = steering_world(store).await;
    let t = today().to_string();
    let m = create_meeting(store, w.county, w.programme, meeting_input(&t, "Styrgruppsmöte")).await.unwrap().meeting;
    let d = log_decision(
        store,
        w.county,
        m.id,
        DecisionInput { kind: "information".into(), text: "Lägesrapport".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let item = create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput { kind: "report".into(), title: "Delrapport".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let (programme, mid, did, iid, hy) = (w.programme, m.id, d.id, item.id, w.half.to_string());

    // The outsider reads nothing of an unpublished programme: not found, never "forbidden".
    let read_all = |user: i64| {
        let hy = hy.clone();
        async move {
            let v = viewer(store, user).await;
            store
                .read(move |db| {
                    Ok([
                        steering::meeting(db, &v, mid).map(|_| ()),
                        steering::meetings(db, &v, programme).map(|_| ()),
                        steering::members(db, &v, programme).map(|_| ()),
                        decisions::get(db, &v, did).map(|_| ()),
                        decisions::for_programme(db, &v, programme).map(|_| ()),
                        deliverables::get(db, &v, iid).map(|_| ()),
                        deliverables::for_programme(db, &v, programme).map(|_| ()),
                        report::report(db, &v, programme, &hy).map(|_| ()),
                    ])
                })
                .await
                .unwrap()
        }
    };
    for r in read_all(w.outsider).await {
        assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    }
    for user in [w.police, w.county_member, w.county] {
        for r in read_all(user).await {
            assert!(r.is_ok(), "{r:?}");
        }
    }

    // Only the owner's coordinators write: the police (a party) and the county board's member
    // are forbidden, the outsider finds nothing.
    let writes = |user: i64| async move {
        let v = viewer(store, user).await;
        store
            .read(move |db| {
                Ok([
                    steering::create_meeting(db, &v, programme, &meeting_input("2020-01-01", "x"), FieldErrors::new()).map(|_| ()),
                    steering::add_item(db, &v, mid, "Övrigt").map(|_| ()),
                    decisions::log(
                        db,
                        &v,
                        mid,
                        &DecisionInput { kind: "information".into(), text: "x".into(), ..Default::default() },
                        FieldErrors::new(),
                    )
                    .map(|_| ()),
                    decisions::follow_up(db, &v, did, &FollowUpInput { status: "done".into(), ..Default::default() }, FieldErrors::new())
                        .map(|_| ()),
                    deliverables::create(
                        db,
                        &v,
                        programme,
                        &DeliverableInput { kind: "leaflet".into(), title: "x".into(), ..Default::default() },
                        FieldErrors::new(),
                    )
                    .map(|_| ()),
                    deliverables::remove(db, &v, iid).map(|_| ()),
                    steering::set_member(
                        db,
                        &v,
                        programme,
                        &MemberInput { org_id: w.kommun, role: "member".into(), representative: None },
                        FieldErrors::new(),
                    )
                    .map(|_| ()),
                ])
            })
            .await
            .unwrap()
    };
    for user in [w.police, w.county_member] {
        for r in writes(user).await {
            assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        }
    }
    for r in writes(w.outsider).await {
        assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    }
    assert_eq!(count(store, "SELECT COUNT(*) FROM steering_meetings").await, 1);
    assert_eq!(count(store, "SELECT COUNT(*) FROM deliverables").await, 1);

    // The steering group: one chair; members become parties of the programme.
    let set = |input: MemberInput| async move {
        let v = viewer(store, w.county).await;
        store.write(move |db| steering::set_member(db, &v, programme, &input, FieldErrors::new())).await
    };
    let chair =
        set(MemberInput { org_id: w.lansstyrelsen, representative: Some("Landshövding".into()), role: "chair".into() }).await.unwrap();
    assert_eq!((chair.role_label.as_str(), chair.representative.as_deref()), ("Ordförande", Some("Landshövding")));
    let e = set(MemberInput { org_id: w.polisen, representative: None, role: "chair".into() }).await.unwrap_err();
    assert_eq!(field_codes(&e), [("role".to_owned(), "steering.one_chair")]);
    assert!(message(&e, "role").contains("Länsstyrelsen Skåne"), "{}", message(&e, "role"));
    let outsider_org = w.outsider_org;
    set(MemberInput { org_id: outsider_org, representative: Some("Länsråd".into()), role: "member".into() }).await.unwrap();
    // Now a party, the outsider reads the programme's steering records.
    for r in read_all(w.outsider).await {
        assert!(r.is_ok(), "a steering member reads: {r:?}");
    }
    let v = viewer(store, w.county).await;
    store.write(move |db| steering::remove_member(db, &v, programme, outsider_org)).await.unwrap();
    for r in read_all(w.outsider).await {
        assert!(matches!(r, Err(StoreError::NotFound { .. })), "no longer a party: {r:?}");
    }

    // Published, the programme's steering records are read by anyone signed in; written still
    // only by the owner's coordinators.
    store.write(move |db| Ok(db.execute("UPDATE programmes SET visibility = 'public' WHERE id = $1", args![programme])?)).await.unwrap();
    for r in read_all(w.outsider).await {
        assert!(r.is_ok(), "published: {r:?}");
    }
    for r in writes(w.outsider).await {
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
    }
    // Every write left its entry in the owner's log.
    let entries = count(store, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'steering.%' OR action LIKE 'deliverable.%'").await;
    assert!(entries >= 6, "{entries}");
}

pub async fn steering_meeting_presents_and_adopts_a_quality_assured_plan(store: &Store) {
    let w = steering_world(store).await;
    let t = today().to_string();
    let m = create_meeting(store, w.county, w.programme, meeting_input(&t, "Styrgruppsmöte")).await.unwrap();
    let mid = m.meeting.id;
    let (violence, safety) = (w.violence_plan, w.safety_plan);

    // A draft cannot be presented (the workflow's order, in the workflow's own words), and the
    // police, a party, cannot present at all.
    let v = viewer(store, w.county).await;
    let e = store.write(move |db| steering::present_plan(db, &v, mid, safety)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let v = viewer(store, w.police).await;
    let e = store.write(move |db| steering::present_plan(db, &v, mid, violence)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // Adopting before presenting skips a step.
    let v = viewer(store, w.county).await;
    let e = store.write(move |db| steering::adopt_plan(db, &v, mid, violence)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    assert_eq!(count(store, "SELECT COUNT(*) FROM steering_decisions").await, 0, "nothing half-written");

    let v = viewer(store, w.county).await;
    let presented = store.write(move |db| steering::present_plan(db, &v, mid, violence)).await.unwrap();
    assert_eq!(presented.agenda[0].plan_state.as_deref(), Some("presented"));
    let at: Option<i64> = store
        .read(move |db| Ok(db.scalar("SELECT presented_meeting_id FROM activity_plans WHERE plan_id = $1", args![violence])?))
        .await
        .unwrap();
    assert_eq!(at, Some(mid));

    let v = viewer(store, w.county).await;
    let adopted = store.write(move |db| steering::adopt_plan(db, &v, mid, violence)).await.unwrap();
    assert_eq!(adopted.agenda[0].plan_state.as_deref(), Some("adopted"));
    let d = &adopted.decisions[0];
    assert_eq!((d.number, d.kind.as_str(), d.plan_id), (1, "decision", Some(violence)));
    assert!(d.text.contains("Våld i nära relationer") && d.text.contains("fastställer"), "{}", d.text);
    let (status, by, on, reference): (String, Option<String>, Option<String>, Option<String>) = store
        .read(move |db| {
            Ok(db.map_one("SELECT status, decided_by, decided_on, decision_ref FROM action_plans WHERE id = $1", args![violence], |r| {
                Ok((r.get("status")?, r.get("decided_by")?, r.get("decided_on")?, r.get("decision_ref")?))
            })?)
        })
        .await
        .unwrap();
    assert_eq!((status.as_str(), on.as_deref()), ("adopted", Some(t.as_str())));
    assert!(by.is_some_and(|b| b.contains("Styrgruppen")));
    assert_eq!(reference, Some(format!("Styrgruppsmöte {t}, § 1")));
    // The next agenda no longer asks for a decision on it.
    let (programme, half) = (w.programme, w.half);
    let next = store.read(move |db| steering::generate(db, programme, half, None, today())).await.unwrap();
    assert!(next.iter().all(|g| g.kind.code() != "plan_decision"), "{next:#?}");
}
