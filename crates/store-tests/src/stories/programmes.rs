//! Programmes (issue 14): the programme, its working groups (a convener required, members'
//! missing mandate and working time flagged, the load per organisation), isolation, the
//! activity plans' workflow in order with the half-year check, the next half-year as a new
//! version compared side by side, the reminders once each, and the county participation matrix.

use brygga_store::plans::compare;
use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::indicators::{self, IndicatorInput};
use brygga_store::plans::measures::{self, MeasureInput};
use brygga_store::plans::plan;
use brygga_store::programmes::activity::{self, ContributionInput, StepInput};
use brygga_store::programmes::groups::{self, GroupInput, MemberInput};
use brygga_store::programmes::participation::{self, InitiativeInput, ParticipantInput};
use brygga_store::programmes::programme::{self, ProgrammeInput, SignatoryInput};
use brygga_store::programmes::{self, overview, reminders};
use jiff::civil::Date;

use super::*;

// The steering group, deliverables and the steering report (the steering part of issue 14).
pub mod deliverables;
pub use deliverables::*;
pub mod report;
pub use report::*;
pub mod steering;
pub use steering::*;

fn field_message(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).message.clone(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Rows in every programme table (to assert nothing was written).
async fn rows(store: &Store) -> Vec<i64> {
    store
        .read(|db| {
            let mut out = Vec::new();
            for t in [
                "programmes",
                "programme_parties",
                "programme_signatories",
                "programme_areas",
                "working_groups",
                "working_group_members",
                "activity_plans",
                "activity_plan_steps",
                "action_plans",
                "initiatives",
                "initiative_participants",
            ] {
                out.push(db.scalar(&format!("SELECT COUNT(*) FROM {t}"), &[])?);
            }
            out.push(db.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM programmes", &[])?);
            Ok(out)
        })
        .await
        .unwrap()
}

/// The world: the county board (owner) with a coordinator, the police region convening a group
/// with a coordinator, a municipality as member with a coordinator, and an outsider.
struct World {
    lst: i64,
    polis: i64,
    kommun: i64,
    outsider_org: i64,
    county: i64,
    convener: i64,
    member: i64,
    outsider: i64,
    programme: i64,
    group: i64,
}

async fn world(store: &Store) -> World {
    let lst = org(store, "Länsstyrelsen Skåne", OrgKind::CountyBoard, &[]).await;
    let polis = org(store, "Polisregion Syd", OrgKind::Police, &[]).await;
    let kommun = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let outsider_org = org(store, "Ystads kommun", OrgKind::Municipality, &["1286"]).await;
    let county = user(store, "lansamordnare@lst.test", lst, Role::Coordinator).await;
    let convener = user(store, "sammankallande@polisen.test", polis, Role::Coordinator).await;
    let member = user(store, "samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let outsider = user(store, "samordnare@ystad.test", outsider_org, Role::Coordinator).await;
    let v = viewer(store, county).await;
    let p = store
        .write(move |db| {
            programme::create(
                db,
                &v,
                &ProgrammeInput {
                    title: "Skåne tillsammans mot brott".into(),
                    scope: "regional".into(),
                    county_code: Some("12".into()),
                    period_from: Some("2026-01-01".into()),
                    period_to: Some("2028-12-31".into()),
                    declaration: Some("Vi samverkar för ett tryggare Skåne.".into()),
                    plan_due_days: Some(14),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, county).await;
    let id = p.id;
    let g = store
        .write(move |db| {
            groups::create(
                db,
                &v,
                id,
                &GroupInput { area_title: "Brott i nära relationer".into(), convener_org_id: Some(polis), ..Default::default() },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, county).await;
    let gid = g.id;
    store
        .write(move |db| {
            groups::add_member(
                db,
                &v,
                gid,
                &MemberInput {
                    org_id: Some(kommun),
                    representative: Some("Anna Andersson".into()),
                    representative_email: Some("anna@trelleborg.test".into()),
                    mandate: Some("Beslutar om kommunens insatser inom området".into()),
                    hours_per_month: Some("6".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    World { lst, polis, kommun, outsider_org, county, convener, member, outsider, programme: id, group: gid }
}

/// A working group without a convening party is refused with a specific message and nothing
/// written; members whose mandate or working time is not stated are flagged; the load shows who
/// convenes and staffs how many groups; bad member input names the field.
pub async fn programmes_refuse_a_group_without_a_convener_and_flag_missing_terms(store: &Store) {
    let w = world(store).await;
    let before = rows(store).await;
    let v = viewer(store, w.county).await;
    let id = w.programme;
    let e = store
        .write(move |db| {
            groups::create(db, &v, id, &GroupInput { area_title: "Skolan".into(), convener_org_id: None, ..Default::default() })
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "convener_org_id").contains("sammankallande part"), "{e:?}");
    assert_eq!(rows(store).await, before, "nothing written");

    // A programme whose period ends before it starts, and a bad scope: both named, nothing written.
    let v = viewer(store, w.county).await;
    let e = store
        .write(move |db| {
            programme::create(
                db,
                &v,
                &ProgrammeInput {
                    title: "Fel".into(),
                    scope: "regional".into(),
                    county_code: Some("99".into()),
                    period_from: Some("2026-01-01".into()),
                    period_to: Some("2025-12-31".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "period_to").contains("före den börjar"));
    assert!(field_message(&e, "county_code").contains("finns inte"));
    assert_eq!(rows(store).await, before);

    // A member without mandate and working time is flagged; bad hours are named.
    let v = viewer(store, w.county).await;
    let gid = w.group;
    let e = store
        .write(move |db| {
            groups::add_member(
                db,
                &v,
                gid,
                &MemberInput {
                    org_id: Some(w.lst),
                    hours_per_month: Some("många".into()),
                    representative_email: Some("inte en adress".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "hours_per_month").contains("timmar per månad"));
    assert!(field_message(&e, "representative_email").contains("E-postadressen"));
    assert_eq!(rows(store).await, before);
    let v = viewer(store, w.county).await;
    let g = store
        .write(move |db| {
            groups::add_member(
                db,
                &v,
                gid,
                &MemberInput { org_id: Some(w.lst), representative: Some("Lena Länsson".into()), ..Default::default() },
            )
        })
        .await
        .unwrap();
    let flagged: Vec<i64> = g.missing_terms().iter().map(|m| m.org.id).collect();
    assert!(flagged.contains(&w.lst), "no mandate, no hours: flagged");
    assert!(flagged.contains(&w.polis), "the convener was added without terms: flagged");
    assert!(!flagged.contains(&w.kommun), "mandate and hours stated: not flagged");

    // A second group convened by the county board: the load shows it convenes one and staffs two.
    let v = viewer(store, w.county).await;
    let g2 = store
        .write(move |db| {
            groups::create(db, &v, id, &GroupInput { area_title: "Skolan".into(), convener_org_id: Some(w.lst), ..Default::default() })
        })
        .await
        .unwrap();
    assert_eq!(g2.convener.id, w.lst);
    let v = viewer(store, w.county).await;
    let o = store.read(move |db| overview::overview(db, &v, id)).await.unwrap();
    assert_eq!(o.groups.len(), 2);
    let lst = o.load.iter().find(|l| l.org.id == w.lst).unwrap();
    assert_eq!((lst.convenes, lst.staffs), (1, 2));
    let polis = o.load.iter().find(|l| l.org.id == w.polis).unwrap();
    assert_eq!((polis.convenes, polis.staffs), (1, 1));
    assert_eq!(o.groups[0].missing_terms.len(), 2);
    // The parties are owner ∪ conveners ∪ members.
    let mut parties = o.programme.party_ids.clone();
    parties.sort_unstable();
    let mut want = vec![w.lst, w.polis, w.kommun];
    want.sort_unstable();
    assert_eq!(parties, want);
    // Signatories join the parties.
    let v = viewer(store, w.county).await;
    let s = store
        .write(move |db| {
            programme::set_signatory(
                db,
                &v,
                id,
                &SignatoryInput {
                    org_id: Some(w.outsider_org),
                    signed_by: Some("Kommunstyrelsens ordförande".into()),
                    signed_on: Some("2026-02-01".into()),
                },
            )
        })
        .await
        .unwrap();
    assert_eq!(s.len(), 1);
    let p = store.read(move |db| programmes::fetch(db, id)).await.unwrap();
    assert!(p.party_ids.contains(&w.outsider_org));
}

/// An organisation outside the programme reads nothing unpublished — not the programme, not a
/// group, not an activity plan — and writes nothing; a member organisation cannot manage the
/// programme; once published, anyone signed in reads the programme (not the plan drafts).
pub async fn programmes_are_read_by_their_parties_only(store: &Store) {
    let w = world(store).await;
    let (id, gid) = (w.programme, w.group);
    let v = viewer(store, w.convener).await;
    let a = store.write(move |db| activity::start_on(db, &v, gid, "2027H1", date("2026-11-01"))).await.unwrap();
    let before = rows(store).await;
    let out = viewer(store, w.outsider).await;
    let o2 = out.clone();
    assert!(matches!(store.read(move |db| programmes::load(db, &o2, id)).await, Err(StoreError::NotFound { .. })));
    let o2 = out.clone();
    assert!(store.read(move |db| programmes::list(db, &o2)).await.unwrap().is_empty());
    let o2 = out.clone();
    assert!(matches!(store.read(move |db| programmes::load_group(db, &o2, gid)).await, Err(StoreError::NotFound { .. })));
    let o2 = out.clone();
    let plan_id = a.plan_id;
    assert!(matches!(store.read(move |db| activity::get(db, &o2, plan_id)).await, Err(StoreError::NotFound { .. })));
    let o2 = out.clone();
    assert!(matches!(store.read(move |db| overview::overview(db, &o2, id)).await, Err(StoreError::NotFound { .. })));
    // Writes: not found (it cannot know the programme exists).
    let o2 = out.clone();
    let e = store
        .write(move |db| {
            groups::create(db, &o2, id, &GroupInput { area_title: "X".into(), convener_org_id: Some(w.outsider_org), ..Default::default() })
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let o2 = out.clone();
    let e = store.write(move |db| activity::start_on(db, &o2, gid, "2027H2", date("2026-11-01"))).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let o2 = out.clone();
    let e = store
        .write(move |db| activity::step(db, &o2, plan_id, &StepInput { step: "submit".into(), ..Default::default() }))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    // A member organisation reads but does not manage.
    let m = viewer(store, w.member).await;
    let e = store
        .write(move |db| {
            groups::create(db, &m, id, &GroupInput { area_title: "X".into(), convener_org_id: Some(w.kommun), ..Default::default() })
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    assert_eq!(rows(store).await, before, "nothing written");

    // Published: the programme is read by anyone signed in; the plan draft stays the parties'.
    let v = viewer(store, w.county).await;
    let p = store.read(move |db| programmes::fetch(db, id)).await.unwrap();
    let input = ProgrammeInput {
        title: p.title.clone(),
        scope: p.scope.clone(),
        county_code: p.county_code.clone(),
        period_from: Some(p.period_from.clone()),
        period_to: Some(p.period_to.clone()),
        visibility: Some("public".into()),
        ..Default::default()
    };
    let version = p.version;
    store.write(move |db| programme::edit(db, &v, id, version, &input)).await.unwrap();
    let o2 = out.clone();
    assert_eq!(store.read(move |db| programmes::load(db, &o2, id)).await.unwrap().id, id);
    let o2 = out.clone();
    assert!(matches!(store.read(move |db| activity::get(db, &o2, plan_id)).await, Err(StoreError::NotFound { .. })));
    // Still nothing to write for the outsider.
    let o2 = out.clone();
    let e = store
        .write(move |db| {
            groups::create(db, &o2, id, &GroupInput { area_title: "X".into(), convener_org_id: Some(w.outsider_org), ..Default::default() })
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn step(s: &str) -> StepInput {
    StepInput { step: s.into(), ..Default::default() }
}

/// The workflow in order: a step skipped is refused naming the next; a member organisation
/// cannot quality-assure; content is edited only at utkast; a plan is not submitted for a
/// half-year that has ended; returned with a comment, submitted again, quality-assured,
/// presented and adopted (the plans model's adoption); each step with who and when; the next
/// half-year's plan is a new version with the same keys, compared side by side.
pub async fn programmes_activity_plans_follow_the_workflow_in_order(store: &Store) {
    let w = world(store).await;
    let gid = w.group;
    let today = date("2026-11-15");
    let v = viewer(store, w.convener).await;
    let a = store.write(move |db| activity::start_on(db, &v, gid, "2027H1", today)).await.unwrap();
    assert_eq!((a.state.as_str(), a.half_year.as_str()), ("draft", "2027H1"));
    let plan_id = a.plan_id;
    // The group writes its goals and activities through the plans model.
    let v = viewer(store, w.member).await;
    let g = store
        .write(move |db| {
            goals::create(
                db,
                &v,
                plan_id,
                &GoalInput { kind: "result".into(), title: "Fler anmälningar".into(), level: Some("area".into()), ..Default::default() },
            )
        })
        .await
        .unwrap();
    // A source from Brygga's data is refused for an activity plan.
    let v = viewer(store, w.member).await;
    let gid2 = g.id;
    let e = store
        .write(move |db| {
            indicators::create(
                db,
                &v,
                plan_id,
                &IndicatorInput {
                    goal_id: gid2,
                    name: "Anmälningar".into(),
                    source: "crime_statistics".into(),
                    unit: "st".into(),
                    direction: "increase".into(),
                    frequency: "yearly".into(),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "source").contains("Manuell"));
    let v = viewer(store, w.member).await;
    let m = store
        .write(move |db| {
            measures::create(
                db,
                &v,
                plan_id,
                &MeasureInput {
                    title: "Utbildning för socialtjänsten".into(),
                    responsible_org_id: Some(w.kommun),
                    start_on: Some("2027-02-01".into()),
                    end_on: Some("2027-05-31".into()),
                    basis: Some("evaluated_method".into()),
                    goal_ids: vec![gid2],
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, w.convener).await;
    let mid = m.id;
    let c = store
        .write(move |db| {
            activity::set_contribution(
                db,
                &v,
                mid,
                &ContributionInput { org_id: Some(w.polis), contribution: Some("Föreläsare, 8 timmar".into()) },
            )
        })
        .await
        .unwrap();
    assert_eq!(c.len(), 1);

    // Skipping a step: quality-assure a draft.
    let before = rows(store).await;
    let v = viewer(store, w.county).await;
    let e = store.write(move |db| activity::step_on(db, &v, plan_id, &step("quality_assure"), today)).await.unwrap_err();
    let msg = field_message(&e, "step");
    assert!(msg.contains("hoppas över") && msg.contains("lämnar in"), "{msg}");
    let v = viewer(store, w.county).await;
    let e = store.write(move |db| activity::step_on(db, &v, plan_id, &step("adopt"), today)).await.unwrap_err();
    assert!(field_message(&e, "step").contains("utkast"));
    assert_eq!(rows(store).await, before);
    // The plans model cannot adopt it behind the workflow's back.
    let v = viewer(store, w.county).await;
    let e = store.write(move |db| plan::adopt(db, &v, plan_id, 1)).await.unwrap_err();
    assert!(field_message(&e, "status").contains("arbetsflöde"));

    // Submitting for a half-year that has ended.
    let v = viewer(store, w.convener).await;
    let e = store.write(move |db| activity::step_on(db, &v, plan_id, &step("submit"), date("2027-07-02"))).await.unwrap_err();
    assert!(field_message(&e, "half_year").contains("slutade 2027-06-30"));
    assert_eq!(rows(store).await, before);

    // Submitted by the convener; content is now closed.
    let v = viewer(store, w.convener).await;
    let s = store.write(move |db| activity::step_on(db, &v, plan_id, &step("submit"), today)).await.unwrap();
    assert_eq!(s.plan.state, "submitted");
    let v = viewer(store, w.member).await;
    let e = store
        .write(move |db| {
            goals::create(db, &v, plan_id, &GoalInput { kind: "process".into(), title: "Sent mål".into(), ..Default::default() })
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "status").contains("inlämnad"));
    // A member organisation cannot quality-assure.
    let v = viewer(store, w.member).await;
    let e = store.write(move |db| activity::step_on(db, &v, plan_id, &step("quality_assure"), today)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // Returning needs a comment; then it is a draft again.
    let v = viewer(store, w.county).await;
    let e = store.write(move |db| activity::step_on(db, &v, plan_id, &step("return"), today)).await.unwrap_err();
    assert!(field_message(&e, "comment").contains("kommentar"));
    let v = viewer(store, w.county).await;
    let r = store
        .write(move |db| {
            activity::step_on(
                db,
                &v,
                plan_id,
                &StepInput { step: "return".into(), comment: Some("Målet behöver en indikator.".into()), ..Default::default() },
                today,
            )
        })
        .await
        .unwrap();
    assert_eq!(r.plan.state, "draft");
    let v = viewer(store, w.member).await;
    store
        .write(move |db| {
            indicators::create(
                db,
                &v,
                plan_id,
                &IndicatorInput {
                    goal_id: gid2,
                    name: "Anmälningar".into(),
                    source: "manual".into(),
                    manual_source: Some("Polisens statistik".into()),
                    unit: "st".into(),
                    direction: "increase".into(),
                    frequency: "yearly".into(),
                    baseline_value: Some(120.0),
                    baseline_on: Some("2026-12-31".into()),
                    baseline_source: Some("Polisen".into()),
                    target_value: Some(150.0),
                    target_on: Some("2027-06-30".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    for (who, s) in [(w.convener, "submit"), (w.county, "quality_assure"), (w.county, "present")] {
        let v = viewer(store, who).await;
        let input =
            StepInput { step: s.into(), comment: (s == "quality_assure").then(|| "Godkänd, tydliga mål.".into()), ..Default::default() };
        store.write(move |db| activity::step_on(db, &v, plan_id, &input, today)).await.unwrap();
    }
    let v = viewer(store, w.county).await;
    let done = store
        .write(move |db| {
            activity::step_on(
                db,
                &v,
                plan_id,
                &StepInput { step: "adopt".into(), decided_on: Some("2026-12-01".into()), ..Default::default() },
                today,
            )
        })
        .await
        .unwrap();
    assert_eq!((done.plan.state.as_str(), done.plan.status.as_str()), ("adopted", "adopted"));
    let steps: Vec<&str> = done.steps.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(steps, ["created", "submitted", "returned", "submitted", "quality_assured", "presented", "adopted"]);
    assert!(done.steps.iter().all(|s| s.by_org.is_some() && s.by_name.is_some()), "who and when");
    assert_eq!(done.steps[4].comment.as_deref(), Some("Godkänd, tydliga mål."));
    let audit: i64 = store
        .read(move |db| {
            Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'programme.plan_%' AND record_id = $1", &[plan_id.into()])?)
        })
        .await
        .unwrap();
    assert_eq!(audit, 7, "every step audited");

    // The next half-year: a new version of the same lineage, keys kept, compared side by side.
    let v = viewer(store, w.convener).await;
    let e = store.write(move |db| activity::start_on(db, &v, gid, "2027H1", today)).await.unwrap_err();
    assert!(field_message(&e, "half_year").contains("redan"));
    let v = viewer(store, w.convener).await;
    let next = store.write(move |db| activity::start_on(db, &v, gid, "2027H2", today)).await.unwrap();
    assert_eq!((next.version_no, next.state.as_str()), (2, "draft"));
    let v = viewer(store, w.member).await;
    let next_id = next.plan_id;
    store
        .write(move |db| {
            measures::create(
                db,
                &v,
                next_id,
                &MeasureInput {
                    title: "Uppföljning i skolorna".into(),
                    responsible_org_id: Some(w.kommun),
                    start_on: Some("2027-08-15".into()),
                    end_on: Some("2027-12-15".into()),
                    basis: Some("documented_knowledge".into()),
                    goal_ids: vec![],
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, w.county).await;
    let cmp = store.read(move |db| compare::compare(db, &v, plan_id, next_id)).await.unwrap();
    let json = serde_json::to_string(&cmp).unwrap();
    assert!(json.contains("Uppföljning i skolorna"), "the added activity is in the comparison");
    let contributions = store.read(move |db| activity::contributions(db, next_id)).await.unwrap();
    assert_eq!(contributions.len(), 1, "contributions copied with the activity");
    // The municipalities' plan list does not show activity plans.
    let v = viewer(store, w.member).await;
    assert!(store.read(move |db| plan::list(db, &v, None)).await.unwrap().is_empty());
}

/// Reminders before the deadline (`plan_due_days` before the half-year starts): 14 and 3 days
/// before it, once each however often the job runs, to the convener's coordinators and the
/// representatives with an address; none once the plan is submitted.
pub async fn programmes_remind_before_the_deadline_once(store: &Store) {
    let w = world(store).await;
    let at = |d: &str| -> i64 { brygga_domain::time::stockholm().to_timestamp(date(d).at(12, 0, 0, 0)).unwrap().as_millisecond() };
    // 2027H2 starts 2027-07-01, due 14 days before: 2027-06-17; reminders 2027-06-03 and 2027-06-14.
    assert!(store.read(move |db| reminders::due(db, at("2027-06-02"))).await.unwrap().is_empty());
    let due = store.read(move |db| reminders::due(db, at("2027-06-10"))).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].half_year.as_str(), due[0].days_before), ("2027H2", 14));
    let jobs = store.write(move |db| reminders::enqueue_due(db, at("2027-06-10"))).await.unwrap();
    assert_eq!(jobs.len(), 1);
    let again = store.write(move |db| reminders::enqueue_due(db, at("2027-06-10"))).await.unwrap();
    assert!(again.is_empty(), "one job per reminder");
    let gid = w.group;
    let first = store.write(move |db| reminders::write(db, gid, "2027H2", 14, &postmark(), at("2027-06-10"))).await.unwrap();
    assert_eq!(first.queued.len(), 2, "the convener's coordinator and the representative");
    let second = store.write(move |db| reminders::write(db, gid, "2027H2", 14, &postmark(), at("2027-06-10"))).await.unwrap();
    assert!(second.already_sent && second.queued.is_empty(), "idempotent");
    let mails: Vec<String> = store
        .read(|db| Ok(db.scalars("SELECT recipient FROM mail_outbox WHERE kind = 'activity_plan_reminder' ORDER BY recipient", &[])?))
        .await
        .unwrap();
    assert_eq!(mails, ["anna@trelleborg.test", "sammankallande@polisen.test"]);
    assert!(store.read(move |db| reminders::due(db, at("2027-06-11"))).await.unwrap().is_empty(), "sent: no longer due");
    // Submitted before the 3-day reminder: none.
    let v = viewer(store, w.convener).await;
    let a = store.write(move |db| activity::start_on(db, &v, gid, "2027H2", date("2027-06-12"))).await.unwrap();
    let v = viewer(store, w.convener).await;
    let pid = a.plan_id;
    store.write(move |db| activity::step_on(db, &v, pid, &step("submit"), date("2027-06-12"))).await.unwrap();
    assert!(store.read(move |db| reminders::due(db, at("2027-06-15"))).await.unwrap().is_empty());
    let late = store.write(move |db| reminders::write(db, gid, "2027H2", 3, &postmark(), at("2027-06-15"))).await.unwrap();
    assert!(late.queued.is_empty() && !late.already_sent);
}

/// The county view: initiatives with the municipalities taking part, the matrix and the
/// municipalities that take part in nothing; an initiative of an unpublished programme is not
/// shown outside it; an initiative ending before it starts is refused.
pub async fn programmes_show_participation_per_county(store: &Store) {
    let w = world(store).await;
    let v = viewer(store, w.county).await;
    let e = store
        .write(move |db| {
            participation::create(
                db,
                &v,
                &InitiativeInput {
                    title: "EST-pilot".into(),
                    kind: "est_pilot".into(),
                    county_code: Some("12".into()),
                    starts_on: Some("2026-06-01".into()),
                    ends_on: Some("2026-01-01".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap_err();
    assert!(field_message(&e, "ends_on").contains("före det börjar"));
    let v = viewer(store, w.county).await;
    let i = store
        .write(move |db| {
            participation::create(
                db,
                &v,
                &InitiativeInput {
                    title: "EST-pilot".into(),
                    kind: "est_pilot".into(),
                    county_code: Some("12".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, w.county).await;
    let iid = i.id;
    store
        .write(move |db| {
            participation::set_participant(
                db,
                &v,
                iid,
                &ParticipantInput {
                    municipality_code: "1287".into(),
                    role: Some("Pilotkommun".into()),
                    joined_on: Some("2026-03-01".into()),
                    ..Default::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, w.county).await;
    let pi = store.read(move |db| participation::of_programme(db, w.programme)).await.unwrap().unwrap();
    store
        .write(move |db| {
            participation::set_participant(db, &v, pi, &ParticipantInput { municipality_code: "1286".into(), ..Default::default() })
        })
        .await
        .unwrap();
    let v = viewer(store, w.county).await;
    let m = store.read(move |db| participation::matrix(db, &v, "12")).await.unwrap();
    assert_eq!(m.initiatives.len(), 2);
    let row = |code: &str| m.rows.iter().find(|r| r.municipality_code == code).unwrap().clone();
    assert_eq!(row("1287").count, 1);
    assert_eq!(row("1286").count, 1);
    assert!(m.in_nothing.contains(&"Malmö".to_owned()) && !m.in_nothing.contains(&"Trelleborg".to_owned()));
    assert_eq!(m.rows.len(), 33, "every municipality of Skåne");
    // An outsider sees the pilot but not the unpublished programme.
    let v = viewer(store, w.outsider).await;
    let m = store.read(move |db| participation::matrix(db, &v, "12")).await.unwrap();
    assert_eq!(m.initiatives.len(), 1);
    // …and cannot change it.
    let v = viewer(store, w.outsider).await;
    let e = store
        .write(move |db| {
            participation::set_participant(db, &v, iid, &ParticipantInput { municipality_code: "1280".into(), ..Default::default() })
        })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let _ = w.member;
}
