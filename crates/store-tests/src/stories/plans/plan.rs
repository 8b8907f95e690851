//! The åtgärdsplan: bad input at the field with nothing written, versions (adopted never
//! changes, a new version copies with the same keys, a comparison finds a change), baselines
//! computed from EST reports and crime statistics, isolation, sharing and publishing with the
//! small-count suppression, and the JSON round trip.

use brygga_store::plans::compare;
use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::indicators::{self, IndicatorInput};
use brygga_store::plans::measures::{self, MeasureInput, MeasureStatusInput};
use brygga_store::plans::plan::{self, PlanInput, ShareInput};
use brygga_store::plans::transfer::{self, ImportInput};

use super::*;

fn field_message(e: &StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(errs) => errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}")).message.clone(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Rows in every table of the plan part of the schema (to assert nothing was written).
async fn rows(store: &Store) -> Vec<i64> {
    store
        .read(|db| {
            let mut out = Vec::new();
            for t in [
                "action_plans",
                "plan_parties",
                "plan_goals",
                "goal_problems",
                "plan_indicators",
                "plan_measures",
                "measure_partners",
                "measure_goals",
                "measure_causes",
                "measure_actions",
            ] {
                out.push(db.scalar(&format!("SELECT COUNT(*) FROM {t}"), &[])?);
            }
            out.push(db.scalar("SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM action_plans", &[])?);
            Ok(out)
        })
        .await
        .unwrap()
}

fn header(title: &str) -> PlanInput {
    PlanInput {
        title: title.into(),
        municipality_code: Some("1287".into()),
        period_from: Some("2026-01-01".into()),
        period_to: Some("2027-12-31".into()),
        ..PlanInput::default()
    }
}

async fn new_plan(store: &Store, user: i64, input: PlanInput) -> Result<plan::ActionPlan, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| plan::create(db, &v, &input)).await
}

async fn add_goal(store: &Store, user: i64, plan_id: i64, input: GoalInput) -> Result<goals::Goal, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| goals::create(db, &v, plan_id, &input)).await
}

async fn add_indicator(store: &Store, user: i64, plan_id: i64, input: IndicatorInput) -> Result<indicators::Indicator, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| indicators::create(db, &v, plan_id, &input)).await
}

async fn add_measure(store: &Store, user: i64, plan_id: i64, input: MeasureInput) -> Result<measures::Measure, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| measures::create(db, &v, plan_id, &input)).await
}

fn goal(kind: &str, title: &str, parent: Option<i64>) -> GoalInput {
    GoalInput {
        kind: kind.into(),
        title: title.into(),
        parent_id: parent,
        level: (kind == "result").then(|| "area".into()),
        ..GoalInput::default()
    }
}

fn manual_indicator(goal_id: i64) -> IndicatorInput {
    IndicatorInput {
        goal_id,
        name: "Andel som känner sig trygga i centrum".into(),
        source: "manual".into(),
        manual_source: Some("Skolenkäten, årskurs 9".into()),
        unit: "procent".into(),
        direction: "increase".into(),
        frequency: "yearly".into(),
        baseline_value: Some(61.0),
        baseline_on: Some("2026-01-01".into()),
        baseline_source: Some("Skolenkäten 2025".into()),
        target_value: Some(70.0),
        target_on: Some("2027-12-31".into()),
        ..IndicatorInput::default()
    }
}

fn measure(title: &str, responsible: i64, goals: Vec<i64>) -> MeasureInput {
    MeasureInput {
        title: title.into(),
        responsible_org_id: Some(responsible),
        start_on: Some("2026-03-01".into()),
        end_on: Some("2026-12-31".into()),
        basis: Some("documented_knowledge".into()),
        goal_ids: goals,
        ..MeasureInput::default()
    }
}

async fn decide_and_adopt(store: &Store, user: i64, p: &plan::ActionPlan) -> plan::ActionPlan {
    let v = viewer(store, user).await;
    let (id, version) = (p.id, p.version);
    let input = PlanInput {
        decided_by: Some("Kommunfullmäktige".into()),
        decided_on: Some("2026-02-24".into()),
        decision_ref: Some("KS 2026/114".into()),
        ..header(&p.title)
    };
    let p = store.write(move |db| plan::edit(db, &v, id, version, &input)).await.unwrap();
    let v = viewer(store, user).await;
    store.write(move |db| plan::adopt(db, &v, p.id, p.version)).await.unwrap()
}

pub async fn plans_refuse_bad_input_at_the_field(store: &Store) {
    let w = est(store).await;
    let p = new_plan(store, w.coordinator, header("Åtgärdsplan 2026–2027")).await.unwrap();
    let effect = add_goal(store, w.coordinator, p.id, goal("effect", "Mindre skadegörelse i centrum", None)).await.unwrap();
    let result = add_goal(store, w.coordinator, p.id, goal("result", "Klotter saneras inom ett dygn", Some(effect.id))).await.unwrap();

    // A goal tree with a cycle: the effect goal under its own subgoal.
    let before = rows(store).await;
    let v = viewer(store, w.coordinator).await;
    let input = GoalInput { parent_id: Some(result.id), ..goal("effect", "Mindre skadegörelse i centrum", None) };
    let e = store.write(move |db| goals::update(db, &v, effect.id, &input)).await.unwrap_err();
    // The kind rule (effect under result) and the cycle both speak; the cycle is named.
    let StoreError::Invalid(errs) = &e else { panic!("{e:?}") };
    assert!(errs.0.iter().any(|f| f.field == "parent_id" && f.message == goals::CYCLE_MESSAGE), "{errs:?}");
    let v = viewer(store, w.coordinator).await;
    let input = GoalInput { parent_id: Some(effect.id), ..goal("effect", "Mindre skadegörelse i centrum", None) };
    let e = store.write(move |db| goals::update(db, &v, effect.id, &input)).await.unwrap_err();
    assert_eq!(field_message(&e, "parent_id"), "Målet kan inte ligga under sig självt eller under ett av sina egna delmål.");
    // A result goal without a level; a weight of zero.
    let e = add_goal(store, w.coordinator, p.id, GoalInput { level: None, weight: Some(0.0), ..goal("result", "Färre tags", None) })
        .await
        .unwrap_err();
    assert!(field_message(&e, "level").contains("nivå"));
    assert!(field_message(&e, "weight").contains("större än 0"));
    assert_eq!(rows(store).await, before, "nothing written");

    // An indicator whose target date precedes its baseline date.
    let bad = IndicatorInput { target_on: Some("2025-12-31".into()), ..manual_indicator(result.id) };
    let e = add_indicator(store, w.coordinator, p.id, bad).await.unwrap_err();
    assert_eq!(
        field_message(&e, "target_on"),
        "Måldatumet (2025-12-31) ligger före baslinjens datum (2026-01-01). Välj ett måldatum efter baslinjen."
    );
    // A manual indicator without its source.
    let e =
        add_indicator(store, w.coordinator, p.id, IndicatorInput { manual_source: None, ..manual_indicator(result.id) }).await.unwrap_err();
    assert!(field_message(&e, "manual_source").contains("varifrån värdena kommer"));
    assert_eq!(rows(store).await, before, "nothing written");

    // A baseline asked of a series with no data at that date.
    let category: i64 = store
        .read(move |db| Ok(db.scalar("SELECT id FROM categories WHERE forum_id = $1 AND code = 'graffiti'", &[w.forum.into()])?))
        .await
        .unwrap();
    report(
        store,
        w.reporter,
        ObservationInput {
            forum_id: w.forum,
            category: "klotter".into(),
            area_id: Some(w.stortorget),
            observed_at: Some("2026-03-10T12:00".into()),
            quantity: Some(5),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let before = rows(store).await;
    let est_indicator = IndicatorInput {
        goal_id: result.id,
        name: "Klotter på Stortorget".into(),
        source: "observations".into(),
        category_id: Some(category),
        area_id: Some(w.stortorget),
        unit: "rapporterade tags per månad".into(),
        direction: "decrease".into(),
        frequency: "monthly".into(),
        compute_baseline: true,
        baseline_on: Some("2024-03-01".into()),
        target_value: Some(1.0),
        target_on: Some("2027-12-31".into()),
        ..IndicatorInput::default()
    };
    let e = add_indicator(store, w.coordinator, p.id, est_indicator.clone()).await.unwrap_err();
    assert_eq!(
        field_message(&e, "baseline_on"),
        "Serien har inga värden för mars 2024. Välj ett senare datum, eller för in värdet för hand med källa."
    );
    assert_eq!(rows(store).await, before, "nothing written");

    // A measure whose responsible organisation is not a party to the plan.
    let e = add_measure(store, w.coordinator, p.id, measure("Snabbsanering", w.angelholm, vec![result.id])).await.unwrap_err();
    assert_eq!(field_codes(&e), [("responsible_org_id".to_owned(), "plans.not_a_party")]);
    assert!(field_message(&e, "responsible_org_id").contains("inte part"));
    // An end before the start.
    let e = add_measure(
        store,
        w.coordinator,
        p.id,
        MeasureInput { end_on: Some("2026-01-01".into()), ..measure("Snabbsanering", w.kommun, vec![result.id]) },
    )
    .await
    .unwrap_err();
    assert!(field_message(&e, "end_on").contains("före den börjar"));
    // Personal data in free text, wherever it is written.
    let e = add_measure(
        store,
        w.coordinator,
        p.id,
        MeasureInput { description: Some("Ring Anna på 070-123 45 67".into()), ..measure("Snabbsanering", w.kommun, vec![result.id]) },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("description".to_owned(), "text.personal_data")]);
    let e = add_goal(store, w.coordinator, p.id, goal("process", "Mejla kalle@example.se varje vecka", Some(result.id))).await.unwrap_err();
    assert_eq!(field_codes(&e), [("title".to_owned(), "text.personal_data")]);
    let e = new_plan(store, w.coordinator, PlanInput { decision_ref: Some("Skickas till kalle@example.se".into()), ..header("Plan") })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("decision_ref".to_owned(), "text.personal_data")]);
    assert_eq!(rows(store).await, before, "nothing written");

    // Deleting a goal that a measure depends on: refused, naming the measure.
    let m = add_measure(store, w.coordinator, p.id, measure("Snabbsanering av klotter", w.kommun, vec![result.id])).await.unwrap();
    let before = rows(store).await;
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| goals::delete(db, &v, result.id)).await.unwrap_err();
    let msg = field_message(&e, "goal");
    assert!(msg.contains("”Snabbsanering av klotter”"), "{msg}");
    // And a goal with a subgoal: refused, naming the subgoal.
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| goals::delete(db, &v, effect.id)).await.unwrap_err();
    assert!(field_message(&e, "goal").contains("delmålen ”Klotter saneras inom ett dygn”"));
    // Removing a party responsible for a measure: refused, naming it.
    let v = viewer(store, w.coordinator).await;
    let bostad = w.bostad;
    store.write(move |db| plan::add_party(db, &v, p.id, bostad)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let input = MeasureInput { partner_org_ids: vec![w.forening], ..measure("Trygghetsvandring", w.bostad, vec![result.id]) };
    store.write(move |db| measures::update(db, &v, m.id, &input)).await.unwrap();
    let before_party = rows(store).await;
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| plan::remove_party(db, &v, p.id, bostad)).await.unwrap_err();
    assert!(field_message(&e, "org_id").contains("”Trygghetsvandring”"));
    assert_eq!(rows(store).await, before_party, "nothing written");
    assert_ne!(before, before_party);

    // Editing an adopted version: refused at the status, pointing to a new version.
    let v = viewer(store, w.coordinator).await;
    let p = store.read(move |db| plan::get(db, &v, p.id)).await.unwrap();
    let adopted = decide_and_adopt(store, w.coordinator, &p).await;
    assert_eq!(adopted.status, "adopted");
    let before = rows(store).await;
    let e = add_goal(store, w.coordinator, p.id, goal("process", "Ny rutin", Some(result.id))).await.unwrap_err();
    assert_eq!(field_message(&e, "status"), "Version 1 är antagen och kan inte ändras. Starta en ny version för att göra ändringar.");
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| plan::edit(db, &v, adopted.id, adopted.version, &header("Ny titel"))).await.unwrap_err();
    assert!(field_message(&e, "status").contains("kan inte ändras"));
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| measures::update(db, &v, m.id, &measure("Ändrad", w.kommun, vec![]))).await.unwrap_err();
    assert!(field_message(&e, "status").contains("kan inte ändras"));
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| goals::delete(db, &v, effect.id)).await.unwrap_err();
    assert!(field_message(&e, "status").contains("kan inte ändras"));
    assert_eq!(rows(store).await, before, "nothing written");

    // Follow-up goes on in the adopted version: a delay needs its reason; then it is recorded.
    let v = viewer(store, w.tenant_member).await;
    let input = MeasureStatusInput { status: "delayed".into(), status_note: None };
    let e = store.write(move |db| measures::set_status(db, &v, m.id, &input)).await.unwrap_err();
    assert!(field_message(&e, "status_note").contains("varför"));
    let v = viewer(store, w.tenant_member).await;
    let input = MeasureStatusInput { status: "delayed".into(), status_note: Some("Leverantören är sen.".into()) };
    let m = store.write(move |db| measures::set_status(db, &v, m.id, &input)).await.unwrap();
    assert_eq!(m.status, "delayed");
}

pub async fn plans_keep_adopted_versions_and_compare_them(store: &Store) {
    let w = est(store).await;
    let p = new_plan(store, w.coordinator, header("Åtgärdsplan 2026–2027")).await.unwrap();
    let effect = add_goal(store, w.coordinator, p.id, goal("effect", "Mindre skadegörelse i centrum", None)).await.unwrap();
    let result = add_goal(store, w.coordinator, p.id, goal("result", "Klotter saneras inom ett dygn", Some(effect.id))).await.unwrap();
    let ind = add_indicator(store, w.coordinator, p.id, manual_indicator(result.id)).await.unwrap();
    let m = add_measure(store, w.coordinator, p.id, measure("Snabbsanering", w.kommun, vec![result.id])).await.unwrap();

    // Adoption needs the decision.
    let v = viewer(store, w.coordinator).await;
    let fresh = store.read(move |db| plan::get(db, &v, p.id)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| plan::adopt(db, &v, fresh.id, fresh.version)).await.unwrap_err();
    assert!(field_message(&e, "decided_by").contains("organ"));
    assert!(field_message(&e, "decided_on").contains("beslutsdatum"));
    // Only the owner's coordinators adopt.
    let v = viewer(store, w.reader).await;
    let e = store.write(move |db| plan::adopt(db, &v, fresh.id, fresh.version)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let v1 = decide_and_adopt(store, w.coordinator, &fresh).await;
    assert!(v1.adopted_at_ms.is_some());
    let v = viewer(store, w.coordinator).await;
    let v1_doc = store.read(move |db| plan::load(db, &v, v1.id)).await.unwrap();

    // A new version copies everything with the same keys; only one draft per lineage.
    let v = viewer(store, w.coordinator).await;
    let v2 = store.write(move |db| plan::new_version(db, &v, v1.id)).await.unwrap();
    assert_eq!((v2.version_no, v2.status.as_str(), v2.lineage_id), (2, "draft", v1.lineage_id));
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| plan::new_version(db, &v, v1.id)).await.unwrap_err();
    assert!(field_message(&e, "status").contains("Version 2 är redan ett utkast"));
    let v = viewer(store, w.coordinator).await;
    let d2 = store.read(move |db| plan::load(db, &v, v2.id)).await.unwrap();
    let keys = |d: &plan::PlanDocument| {
        (
            d.goals.iter().map(|g| g.key.clone()).collect::<Vec<_>>(),
            d.indicators.iter().map(|i| i.key.clone()).collect::<Vec<_>>(),
            d.measures.iter().map(|m| m.key.clone()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(keys(&d2), keys(&v1_doc));
    assert_eq!(d2.goals.len(), 2);
    let new_result = d2.goals.iter().find(|g| g.key == result.key).unwrap();
    let new_effect = d2.goals.iter().find(|g| g.key == effect.key).unwrap();
    assert_eq!(new_result.parent_id, Some(new_effect.id), "parents remapped to the copy");
    assert_ne!(new_result.id, result.id);
    assert_eq!(d2.measures[0].goal_ids, vec![new_result.id]);
    assert_eq!(d2.indicators[0].goal_id, new_result.id);
    assert_eq!(d2.versions.iter().map(|x| x.version_no).collect::<Vec<_>>(), [1, 2]);

    // Change the draft: the adopted version stays as it was.
    let v = viewer(store, w.coordinator).await;
    let gid = new_result.id;
    let input = goal("result", "Klotter saneras inom fyra timmar", Some(new_effect.id));
    store.write(move |db| goals::update(db, &v, gid, &input)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let mid = d2.measures[0].id;
    store.write(move |db| measures::delete(db, &v, mid)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let again = store.read(move |db| plan::load(db, &v, v1.id)).await.unwrap();
    assert_eq!(again.goals, v1_doc.goals, "an adopted version never changes");
    assert_eq!(again.measures, v1_doc.measures);

    let v = viewer(store, w.coordinator).await;
    let c = store.read(move |db| compare::compare(db, &v, v2.id, v1.id)).await.unwrap();
    assert_eq!((c.old.version_no, c.new.version_no), (1, 2));
    let changed = c.goals.iter().find(|g| g.key == result.key).unwrap();
    assert_eq!(changed.change, "changed");
    assert_eq!(changed.fields.len(), 1);
    let f = &changed.fields[0];
    assert_eq!(
        (f.field.as_str(), f.old.as_str(), f.new.as_str()),
        ("title", "Klotter saneras inom ett dygn", "Klotter saneras inom fyra timmar")
    );
    assert_eq!(c.goals.iter().find(|g| g.key == effect.key).unwrap().change, "unchanged");
    assert_eq!(c.measures.iter().find(|x| x.key == m.key).unwrap().change, "removed");
    assert_eq!(c.indicators.iter().find(|x| x.key == ind.key).unwrap().change, "unchanged");
    assert!(c.header.is_empty());

    // Adopting the new version supersedes the old.
    let v = viewer(store, w.coordinator).await;
    let v2 = store.read(move |db| plan::get(db, &v, v2.id)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let v2 = store.write(move |db| plan::adopt(db, &v, v2.id, v2.version)).await.unwrap();
    assert_eq!(v2.status, "adopted");
    let v = viewer(store, w.coordinator).await;
    let old = store.read(move |db| plan::get(db, &v, v1.id)).await.unwrap();
    assert_eq!(old.status, "superseded");
    // Follow-up is refused in a superseded version.
    let v = viewer(store, w.coordinator).await;
    let input = MeasureStatusInput { status: "ongoing".into(), status_note: None };
    let e = store.write(move |db| measures::set_status(db, &v, m.id, &input)).await.unwrap_err();
    assert!(field_message(&e, "status").contains("ersatt"));
}

pub async fn plans_compute_baselines_from_est_reports_and_crime_statistics(store: &Store) {
    let w = est(store).await;
    // March 2026: 5 + 4 tags at Stortorget (weeks 11 and 12), 1 elsewhere; February 2026: 2.
    for (at, quantity, area) in [
        ("2026-03-10T12:00", 5, Some(w.stortorget)),
        ("2026-03-18T12:00", 4, Some(w.stortorget)),
        ("2026-03-19T12:00", 1, None),
        ("2026-02-10T12:00", 2, Some(w.stortorget)),
    ] {
        report(
            store,
            w.reporter,
            ObservationInput {
                forum_id: w.forum,
                category: "klotter".into(),
                area_id: area,
                observed_at: Some(at.into()),
                quantity: Some(quantity),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    store
        .write(|db| {
            for (y, m, n) in [(2025, 3, 41.0), (2025, 4, 38.0), (2026, 3, 35.0)] {
                db.execute(
                    "INSERT INTO crime_statistics (municipality_code, year, month, offence, crime_count) VALUES ('1287', $1, $2, 'Skadegörelse', $3)",
                    &[i64::from(y).into(), i64::from(m).into(), n.into()],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let category: i64 = store
        .read(move |db| Ok(db.scalar("SELECT id FROM categories WHERE forum_id = $1 AND code = 'graffiti'", &[w.forum.into()])?))
        .await
        .unwrap();
    let p = new_plan(store, w.coordinator, header("Åtgärdsplan 2026–2027")).await.unwrap();
    let g = add_goal(store, w.coordinator, p.id, goal("result", "Mindre klotter på Stortorget", None)).await.unwrap();
    let est_indicator = IndicatorInput {
        goal_id: g.id,
        name: "Klotter på Stortorget".into(),
        source: "observations".into(),
        category_id: Some(category),
        area_id: Some(w.stortorget),
        unit: "rapporterade tags per månad".into(),
        direction: "decrease".into(),
        frequency: "monthly".into(),
        compute_baseline: true,
        baseline_on: Some("2026-03-15".into()),
        target_value: Some(2.0),
        target_on: Some("2027-12-31".into()),
        ..IndicatorInput::default()
    };
    let i = add_indicator(store, w.coordinator, p.id, est_indicator.clone()).await.unwrap();
    assert_eq!(i.baseline_value, Some(9.0), "5 + 4 at Stortorget in March 2026");
    assert!(i.baseline_computed);
    let today = brygga_domain::time::today();
    assert_eq!(i.baseline_source.as_deref(), Some(format!("EST-rapporter Klotter, Stortorget, mars 2026 (beräknat {today})").as_str()));
    // The whole municipality: 10.
    let whole = add_indicator(
        store,
        w.coordinator,
        p.id,
        IndicatorInput { area_id: None, name: "Klotter i kommunen".into(), ..est_indicator.clone() },
    )
    .await
    .unwrap();
    assert_eq!(whole.baseline_value, Some(10.0));
    // The series the follow-up reads is the same.
    let v = viewer(store, w.coordinator).await;
    let (plan_id, ind_id) = (p.id, i.id);
    let feb = store
        .read(move |db| {
            let d = plan::load(db, &v, plan_id)?;
            let ind = d.indicators.iter().find(|x| x.id == ind_id).unwrap();
            let spec = indicators::spec(&d.plan, ind).expect("a Brygga series");
            brygga_store::plans::series::value_at(db, &spec, jiff::civil::date(2026, 2, 1))
        })
        .await
        .unwrap();
    assert_eq!(feb, Some(2.0));

    let crime = IndicatorInput {
        name: "Anmäld skadegörelse".into(),
        source: "crime_statistics".into(),
        category_id: None,
        area_id: None,
        offence: Some("Skadegörelse".into()),
        unit: "anmälda brott per månad".into(),
        baseline_on: Some("2025-03-01".into()),
        ..est_indicator.clone()
    };
    let c = add_indicator(store, w.coordinator, p.id, crime.clone()).await.unwrap();
    assert_eq!(c.baseline_value, Some(41.0));
    assert_eq!(c.baseline_source.as_deref(), Some(format!("Anmälda brott Skadegörelse, mars 2025 (beräknat {today})").as_str()));
    // No statistics for May 2025: the message at the date.
    let e = add_indicator(store, w.coordinator, p.id, IndicatorInput { baseline_on: Some("2025-05-01".into()), ..crime.clone() })
        .await
        .unwrap_err();
    assert!(field_message(&e, "baseline_on").starts_with("Serien har inga värden för maj 2025."));
    // An offence the municipality has no statistics for.
    let e = add_indicator(store, w.coordinator, p.id, IndicatorInput { offence: Some("Rån".into()), ..crime }).await.unwrap_err();
    assert_eq!(field_codes(&e), [("offence".to_owned(), "plans.offence_unknown")]);
}

pub async fn plans_are_read_by_their_parties_and_shared_only_when_adopted(store: &Store) {
    let w = est(store).await;
    report(
        store,
        w.reporter,
        ObservationInput {
            forum_id: w.forum,
            category: "klotter".into(),
            area_id: Some(w.stortorget),
            observed_at: Some("2026-03-10T12:00".into()),
            quantity: Some(2),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let category: i64 = store
        .read(move |db| Ok(db.scalar("SELECT id FROM categories WHERE forum_id = $1 AND code = 'graffiti'", &[w.forum.into()])?))
        .await
        .unwrap();
    let p = new_plan(store, w.coordinator, header("Åtgärdsplan 2026–2027")).await.unwrap();
    let g = add_goal(store, w.coordinator, p.id, goal("result", "Mindre klotter på Stortorget", None)).await.unwrap();
    let small = IndicatorInput {
        goal_id: g.id,
        name: "Klotter på Stortorget".into(),
        source: "observations".into(),
        category_id: Some(category),
        area_id: Some(w.stortorget),
        unit: "tags per månad".into(),
        direction: "decrease".into(),
        frequency: "monthly".into(),
        compute_baseline: true,
        baseline_on: Some("2026-03-01".into()),
        ..IndicatorInput::default()
    };
    let i = add_indicator(store, w.coordinator, p.id, small).await.unwrap();
    assert_eq!(i.baseline_value, Some(2.0));
    add_indicator(store, w.coordinator, p.id, manual_indicator(g.id)).await.unwrap();

    async fn read(store: &Store, v: Viewer, id: i64) -> Result<plan::PlanDocument, StoreError> {
        store.read(move |db| plan::load(db, &v, id)).await
    }
    let outsider = viewer(store, w.outsider).await;
    let tenant = viewer(store, w.tenant_member).await;
    let public = Viewer::anonymous(Origin::default());
    // A draft: the owner's users only (readers included); nobody else, not even as a list.
    assert!(read(store, viewer(store, w.reader).await, p.id).await.is_ok());
    for v in [outsider.clone(), tenant.clone(), public.clone()] {
        assert!(matches!(read(store, v.clone(), p.id).await, Err(StoreError::NotFound { .. })));
        assert!(store.read(move |db| plan::list(db, &v, None)).await.unwrap().is_empty());
    }
    // Another organisation cannot write; a reader of the owner cannot either.
    let e = add_goal(store, w.outsider, p.id, goal("effect", "Intrång", None)).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
    let e = add_goal(store, w.reader, p.id, goal("effect", "Läsare", None)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    // A draft is never shared.
    let v = viewer(store, w.coordinator).await;
    let f = w.forum;
    let e =
        store.write(move |db| plan::share(db, &v, p.id, &ShareInput { visibility: "forum".into(), forum_id: Some(f) })).await.unwrap_err();
    assert!(field_message(&e, "visibility").contains("utkast"));

    // Adopted and shared with the forum: its members read it, outsiders still do not.
    let p = {
        let v = viewer(store, w.coordinator).await;
        store.read(move |db| plan::get(db, &v, p.id)).await.unwrap()
    };
    let p = decide_and_adopt(store, w.coordinator, &p).await;
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| plan::share(db, &v, p.id, &ShareInput { visibility: "forum".into(), forum_id: Some(f) })).await.unwrap();
    let d = read(store, tenant.clone(), p.id).await.unwrap();
    assert_eq!(d.plan.visibility, "forum");
    assert!(matches!(read(store, outsider.clone(), p.id).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(read(store, public.clone(), p.id).await, Err(StoreError::NotFound { .. })));
    // A forum member outside the parties sees the small EST baseline hidden; the parties see it.
    let shown = d.indicators.iter().find(|x| x.id == i.id).unwrap();
    assert_eq!((shown.baseline_value, shown.baseline_suppressed), (None, true));
    assert_eq!(d.indicators.iter().find(|x| x.source == "manual").unwrap().baseline_value, Some(61.0), "entered figures are not counts");
    let own = read(store, viewer(store, w.reader).await, p.id).await.unwrap();
    assert_eq!(own.indicators.iter().find(|x| x.id == i.id).unwrap().baseline_value, Some(2.0));
    // A forum member cannot follow up a plan it is not party to.
    let e = add_measure(store, w.tenant_member, p.id, measure("Intrång", w.bostad, vec![])).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");

    // Published: anyone reads it, with the small count still hidden.
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| plan::share(db, &v, p.id, &ShareInput { visibility: "public".into(), forum_id: None })).await.unwrap();
    let d = read(store, public.clone(), p.id).await.unwrap();
    assert_eq!(d.plan.visibility, "public");
    let shown = d.indicators.iter().find(|x| x.id == i.id).unwrap();
    assert_eq!((shown.baseline_value, shown.baseline_suppressed), (None, true));
    assert!(read(store, outsider.clone(), p.id).await.is_ok());
    let listed = store.read(move |db| plan::list(db, &public, Some("1287"))).await.unwrap();
    assert_eq!(listed.iter().map(|x| x.id).collect::<Vec<_>>(), [p.id]);
    // Outsiders cannot share or take it back.
    let v = viewer(store, w.outsider).await;
    let e = store
        .write(move |db| plan::share(db, &v, p.id, &ShareInput { visibility: "organisation".into(), forum_id: None }))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}

pub async fn plans_travel_as_json_and_come_back_the_same(store: &Store) {
    let w = est(store).await;
    let p = new_plan(store, w.coordinator, PlanInput { decided_by: Some("Kommunstyrelsen".into()), ..header("Åtgärdsplan 2026–2027") })
        .await
        .unwrap();
    let effect = add_goal(store, w.coordinator, p.id, goal("effect", "Mindre skadegörelse i centrum", None)).await.unwrap();
    let result = add_goal(store, w.coordinator, p.id, goal("result", "Klotter saneras inom ett dygn", Some(effect.id))).await.unwrap();
    add_goal(store, w.coordinator, p.id, GoalInput { weight: Some(2.5), ..goal("process", "Rutin för anmälan", Some(result.id)) })
        .await
        .unwrap();
    add_indicator(store, w.coordinator, p.id, manual_indicator(result.id)).await.unwrap();
    add_measure(
        store,
        w.coordinator,
        p.id,
        MeasureInput {
            no_police_powers: true,
            involvement: Some("consulted".into()),
            ..measure("Snabbsanering", w.kommun, vec![result.id, effect.id])
        },
    )
    .await
    .unwrap();

    let v = viewer(store, w.coordinator).await;
    let first = store.read(move |db| transfer::export(db, &v, p.id)).await.unwrap();
    assert_eq!((first.format.as_str(), first.version), ("brygga.plan", 1));
    let json = serde_json::to_value(&first).unwrap();
    assert!(!json.to_string().contains("\"id\""), "no ids in the file");

    let before = rows(store).await;
    // A broken file: every problem at its JSON path, nothing written.
    let mut broken = json.clone();
    broken["goals"][1]["parent"] = "finns-inte".into();
    broken["goals"][2]["title"] = "Ring 070-123 45 67".into();
    broken["indicators"][0]["target_on"] = "2020-01-01".into();
    let v = viewer(store, w.coordinator).await;
    let input = ImportInput { municipality_code: "1287".into(), owner_org_id: None, document: broken };
    let e = store.write(move |db| transfer::import(db, &v, &input)).await.unwrap_err();
    let codes = field_codes(&e);
    assert!(codes.contains(&("goals[1].parent".to_owned(), "plans.parent_unknown")), "{codes:?}");
    assert!(
        codes.contains(&("goals[2].title".to_owned(), "text.personal_data"))
            || codes.contains(&("goals[2].parent".to_owned(), "plans.parent_unknown")),
        "{codes:?}"
    );
    assert_eq!(rows(store).await, before, "all or nothing");
    let v = viewer(store, w.coordinator).await;
    let input = ImportInput {
        municipality_code: "1287".into(),
        owner_org_id: None,
        document: serde_json::json!({"format": "annat", "version": 1, "plan": {}}),
    };
    let e = store.write(move |db| transfer::import(db, &v, &input)).await.unwrap_err();
    assert_eq!(field_codes(&e)[0].0, "document");
    // Another organisation may not import into a municipality it has no claim in.
    let v = viewer(store, w.outsider).await;
    let input = ImportInput { municipality_code: "1287".into(), owner_org_id: None, document: json.clone() };
    let e = store.write(move |db| transfer::import(db, &v, &input)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("plan.municipality_code".to_owned(), "plans.municipality_unclaimed")]);
    assert_eq!(rows(store).await, before, "all or nothing");

    let v = viewer(store, w.coordinator).await;
    let input = ImportInput { municipality_code: "1287".into(), owner_org_id: None, document: json };
    let imported = store.write(move |db| transfer::import(db, &v, &input)).await.unwrap();
    assert_eq!(imported.status, "draft");
    assert_ne!(imported.lineage_id, p.lineage_id);
    let v = viewer(store, w.coordinator).await;
    let second = store.read(move |db| transfer::export(db, &v, imported.id)).await.unwrap();
    // Equal except the keys, which are new: map them and compare.
    let strip = |f: &transfer::PlanFile| {
        let mut f = f.clone();
        let keys: Vec<String> = f.goals.iter().map(|g| g.key.clone()).collect();
        let idx = |k: &str| keys.iter().position(|x| x == k).map(|n| format!("g{n}")).unwrap_or_default();
        for g in &mut f.goals {
            g.parent = g.parent.as_deref().map(idx);
            g.key = idx(&g.key);
        }
        for (n, i) in f.indicators.iter_mut().enumerate() {
            i.goal = idx(&i.goal);
            i.key = format!("i{n}");
        }
        for (n, m) in f.measures.iter_mut().enumerate() {
            m.goals = m.goals.iter().map(|k| idx(k)).collect();
            m.key = format!("m{n}");
        }
        f
    };
    assert_eq!(strip(&second), strip(&first));
}

/// A lägesbild version with one problem and one cause, written as the situation helper's
/// commands would (owner Trelleborg's municipality, adopted).
async fn situation_with_cause(store: &Store, owner: i64, municipality: &str) -> (i64, i64, i64) {
    let municipality = municipality.to_owned();
    store
        .write(move |db| {
            let now = brygga_store::now_ms();
            let id: i64 = db.scalar(
                "INSERT INTO situations (lineage_id, version_no, kind, status, title, municipality_code, year, owner_org_id, visibility,
                    adopted_at, version, created_at, updated_at)
                 VALUES (0, 1, 'situation', 'adopted', 'Lägesbild 2026', $1, 2026, $2, 'organisation', $3, 1, $3, $3) RETURNING id",
                &[municipality.as_str().into(), owner.into(), now.into()],
            )?;
            db.execute("UPDATE situations SET lineage_id = id WHERE id = $1", &[id.into()])?;
            db.execute("INSERT INTO situation_parties (situation_id, org_id) VALUES ($1, $2)", &[id.into(), owner.into()])?;
            let problem: i64 = db.scalar(
                "INSERT INTO situation_problems (situation_id, key, title, priority, position) VALUES ($1, 'p1', 'Klotter och skadegörelse i centrum', 1, 1) RETURNING id",
                &[id.into()],
            )?;
            let cause: i64 = db.scalar(
                "INSERT INTO problem_causes (problem_id, key, title, triangle_side, basis, certainty, position)
                 VALUES ($1, 'c1', 'Mörka passager utan insyn', 'place', 'data', 'medium', 1) RETURNING id",
                &[problem.into()],
            )?;
            Ok((id, problem, cause))
        })
        .await
        .unwrap()
}

pub async fn plans_link_goals_and_measures_to_causes_and_actions(store: &Store) {
    let w = est(store).await;
    let (situation, problem, cause) = situation_with_cause(store, w.kommun, "1287").await;
    let (other_situation, _, other_cause) = situation_with_cause(store, w.angelholm, "1292").await;
    // The lägesbild must be one the viewer reads, in the plan's municipality.
    let e = new_plan(store, w.coordinator, PlanInput { situation_id: Some(other_situation), ..header("Plan") }).await.unwrap_err();
    assert_eq!(field_codes(&e), [("situation_id".to_owned(), "plans.situation_unknown")]);
    let p = new_plan(store, w.coordinator, PlanInput { situation_id: Some(situation), ..header("Åtgärdsplan 2026–2027") }).await.unwrap();
    assert_eq!(p.situation.as_ref().map(|s| s.title.as_str()), Some("Lägesbild 2026"));
    let g = add_goal(store, w.coordinator, p.id, GoalInput { problem_ids: vec![problem], ..goal("result", "Mindre klotter", None) })
        .await
        .unwrap();
    assert_eq!(g.problem_ids, vec![problem]);

    let action = decide(
        store,
        w.coordinator,
        w.forum,
        ActionInput {
            title: "Sanera klottret på Stortorget".into(),
            responsible_org_id: Some(w.bostad),
            due_on: Some(in_days(7)),
            ..ActionInput::default()
        },
    )
    .await
    .unwrap();
    // A cause of another lägesbild, an action the viewer cannot read: refused at the field.
    let bad =
        MeasureInput { cause_ids: vec![other_cause], action_ids: vec![action.id + 1000], ..measure("Belysning", w.kommun, vec![g.id]) };
    let before = rows(store).await;
    let e = add_measure(store, w.coordinator, p.id, bad).await.unwrap_err();
    let codes = field_codes(&e);
    assert!(codes.contains(&("cause_ids".to_owned(), "plans.cause_unknown")), "{codes:?}");
    assert!(codes.contains(&("action_ids".to_owned(), "plans.action_unknown")), "{codes:?}");
    assert_eq!(rows(store).await, before, "nothing written");
    let m = add_measure(
        store,
        w.coordinator,
        p.id,
        MeasureInput { cause_ids: vec![cause], action_ids: vec![action.id], ..measure("Belysning i passagerna", w.kommun, vec![g.id]) },
    )
    .await
    .unwrap();
    assert_eq!(m.causes.iter().map(|c| c.id).collect::<Vec<_>>(), [cause]);
    assert_eq!(m.actions.iter().map(|a| a.id).collect::<Vec<_>>(), [action.id]);
    // Every link readable both ways in the document.
    let v = viewer(store, w.coordinator).await;
    let d = store.read(move |db| plan::load(db, &v, p.id)).await.unwrap();
    assert_eq!(d.measures_of(g.id).iter().map(|x| x.id).collect::<Vec<_>>(), [m.id]);
    // And the way back: the action knows the measures it carries out, in plans the viewer reads.
    let v = viewer(store, w.coordinator).await;
    let aid = action.id;
    let back = store.read(move |db| measures::for_action(db, &v, aid)).await.unwrap();
    assert_eq!(back.iter().map(|b| (b.id, b.plan_id)).collect::<Vec<_>>(), [(m.id, p.id)]);
    let v = viewer(store, w.tenant_member).await;
    assert!(store.read(move |db| measures::for_action(db, &v, aid)).await.unwrap().is_empty(), "a draft is the parties' only");
    // An outsider's viewer never sees the forum's action even on a published plan.
    let p = decide_and_adopt(store, w.coordinator, &d.plan).await;
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| plan::share(db, &v, p.id, &ShareInput { visibility: "public".into(), forum_id: None })).await.unwrap();
    let outsider = viewer(store, w.outsider).await;
    let seen = store.read(move |db| plan::load(db, &outsider, p.id)).await.unwrap();
    assert!(seen.measures[0].actions.is_empty(), "actions are forum records");
    // Follow-up in the adopted version: unlink and link again.
    let v = viewer(store, w.coordinator).await;
    let (mid, aid) = (m.id, action.id);
    let m = store.write(move |db| measures::unlink_action(db, &v, mid, aid)).await.unwrap();
    assert!(m.actions.is_empty());
    let v = viewer(store, w.coordinator).await;
    let m = store.write(move |db| measures::link_action(db, &v, mid, aid)).await.unwrap();
    assert_eq!(m.actions.len(), 1);
    let v = viewer(store, w.outsider).await;
    let e = store.write(move |db| measures::link_action(db, &v, mid, aid)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}
