//! The steering report (issue 14): every group's goals and checks, activities done and not
//! done, deviations, the half-year's decisions, deliverables and the load on each organisation.

use brygga_domain::time::today;
use brygga_store::programmes::decisions::DecisionInput;
use brygga_store::programmes::deliverables::DeliverableInput;
use brygga_store::programmes::report;

use super::super::*;
use super::steering::{create_deliverable, create_meeting, log_decision, meeting_input, steering_world};

pub async fn steering_report_shows_the_unmeasurable_goal_the_undistributed_toolbox_and_the_load(store: &Store) {
    let w = steering_world(store).await;
    let t = today();
    let m = create_meeting(store, w.county, w.programme, meeting_input(&t.to_string(), "Styrgruppsmöte")).await.unwrap().meeting;
    log_decision(
        store,
        w.county,
        m.id,
        DecisionInput {
            kind: "assignment".into(),
            text: "Ange mandat för alla medlemmar".into(),
            owner_org_id: Some(w.polisen),
            due_on: Some(t.checked_add(jiff::Span::new().days(60)).unwrap().to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    create_deliverable(
        store,
        w.county,
        w.programme,
        DeliverableInput { kind: "toolbox".into(), title: "Verktygslåda".into(), delivered_on: Some(t.to_string()), ..Default::default() },
    )
    .await
    .unwrap();

    let (programme, hy) = (w.programme, w.half.to_string());
    let v = viewer(store, w.police).await;
    let r = store.read(move |db| report::report(db, &v, programme, &hy)).await.unwrap();
    assert_eq!(
        (r.half_year.clone(), r.from.clone(), r.to.clone()),
        (w.half.to_string(), w.half.start().to_string(), w.half.end().to_string())
    );
    assert_eq!(
        r.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["Våld i nära relationer", "Trygghet i offentlig miljö", "Brott mot företag"]
    );

    let violence = &r.groups[0];
    let plan = violence.plan.as_ref().expect("a plan");
    assert_eq!((plan.plan_id, plan.state_label.as_str(), plan.of_the_half_year), (w.violence_plan, "Kvalitetssäkrad", true));
    assert_eq!(violence.convener, "Länsstyrelsen Skåne");
    assert_eq!(violence.off_track.iter().map(|o| o.goal_id).collect::<Vec<_>>(), [w.unmeasurable_goal]);
    let goal = &violence.goals[0];
    assert!(goal.off_track && goal.progress.is_none());
    assert!(goal.problems.iter().any(|p| p.contains("indikator")), "the unmeasurable goal says why: {:?}", goal.problems);
    assert!(violence.failed_checks.iter().any(|c| c.code == "goal.measurable" && c.target.id == w.unmeasurable_goal));
    assert_eq!((violence.activities_done.len(), violence.activities_not_done.len()), (2, 1));
    assert_eq!(violence.activities_not_done[0].title, "Samverkansrutin med hälso- och sjukvården");

    let safety = &r.groups[1];
    assert!(safety.off_track.is_empty(), "a measurable goal without values is not off track: {:?}", safety.off_track);
    assert_eq!(safety.deviations.iter().map(|d| (d.id, d.correction.is_none())).collect::<Vec<_>>(), [(w.open_deviation, true)]);
    assert!(r.groups[2].plan.is_none());

    assert_eq!(r.decisions.len(), 1);
    assert_eq!(r.deliverables.iter().filter(|d| d.undistributed).count(), 1);
    let t2 = &r.totals;
    assert_eq!(
        (
            t2.groups,
            t2.groups_without_plan,
            t2.goals_off_track,
            t2.activities_done,
            t2.activities_not_done,
            t2.deviations,
            t2.open_assignments,
            t2.undistributed
        ),
        (3, 1, 1, 2, 1, 1, 1, 1)
    );

    // The load: the county board convenes two of three groups and sits in all three; the police
    // convenes one, sits in two, one of them without a mandate; the municipality lacks time.
    let load: Vec<(&str, usize, usize, usize, usize)> =
        r.load.iter().map(|l| (l.name.as_str(), l.convenes, l.staffs, l.without_mandate, l.without_time)).collect();
    assert_eq!(load, [("Länsstyrelsen Skåne", 2, 3, 0, 0), ("Polisregion Syd", 1, 2, 1, 0), ("Hässleholms kommun", 0, 1, 0, 1)]);
    assert_eq!(
        r.load_finding.as_deref(),
        Some("Störst belastning: Länsstyrelsen Skåne är sammankallande i 2 av 3 arbetsgrupper och medlem i 3.")
    );

    // A half-year before any plan: groups without plans, no decisions.
    let v = viewer(store, w.county).await;
    let old = store.read(move |db| report::report(db, &v, programme, "2001H1")).await.unwrap();
    assert_eq!((old.totals.groups_without_plan, old.decisions.len()), (3, 0));
    // A half-year that is not one.
    let v = viewer(store, w.county).await;
    let e = store.read(move |db| report::report(db, &v, programme, "2019H3")).await.unwrap_err();
    assert_eq!(field_codes(&e), [("half_year".to_owned(), "programmes.half_year")]);
}
