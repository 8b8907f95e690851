//! Plans, follow-up: indicator values (computed and entered), progress rolled up with weights,
//! deviations in the version in force, the process evaluation's checks, the yearly report,
//! isolation and suppression. The plan itself is written with SQL here (the plan commands are
//! another part's), as an adopted version in force.

use brygga_domain::FieldErrors;
use brygga_store::args;
use brygga_store::plans::evaluation::{self, Analysis};
use brygga_store::plans::followup::{self, DeviationInput, ValueInput};

use super::super::*;

/// The adopted plan of the stories: effect goal → result goals "Mindre klotter" (weight 2, an
/// EST indicator monthly) and "Färre anmälda skadegörelsebrott" (weight 1, a crime statistics
/// indicator quarterly); a process goal under the first with a manual indicator; two measures.
pub struct PlanFixture {
    pub plan: i64,
    pub effect: i64,
    pub result_graffiti: i64,
    pub result_crime: i64,
    pub process: i64,
    pub est_indicator: i64,
    pub crime_indicator: i64,
    pub manual_indicator: i64,
    pub measure_ok: i64,
    pub measure_bad: i64,
    pub cause: i64,
}

async fn insert_plan(store: &Store, w: &Est) -> PlanFixture {
    let (kommun, forum, me, stortorget) = (w.kommun, w.forum, w.coordinator, w.stortorget);
    store
        .write(move |db| {
            let now = brygga_store::now_ms();
            let graffiti = categories::resolve(db, forum, "klotter")?.expect("klotter in the checklist").id;
            let situation: i64 = db.scalar(
                "INSERT INTO situations (lineage_id, version_no, kind, status, title, municipality_code, year, owner_org_id, visibility,
                     adopted_at, adopted_by_user_id, created_by_user_id, created_at, updated_at)
                 VALUES (0, 1, 'situation', 'adopted', 'Lägesbild 2026', '1287', 2026, $1, 'organisation', $3, $2, $2, $3, $3) RETURNING id",
                args![kommun, me, now],
            )?;
            db.execute("UPDATE situations SET lineage_id = id WHERE id = $1", args![situation])?;
            db.execute("INSERT INTO situation_parties (situation_id, org_id) VALUES ($1, $2)", args![situation, kommun])?;
            let problem: i64 = db.scalar(
                "INSERT INTO situation_problems (situation_id, key, title, priority, position) VALUES ($1, 'p1', 'Klotter och skadegörelse i centrum', 1, 1) RETURNING id",
                args![situation],
            )?;
            let cause: i64 = db.scalar(
                "INSERT INTO problem_causes (problem_id, key, title, triangle_side, basis, certainty, position)
                 VALUES ($1, 'c1', 'Mörka passager utan uppsikt', 'place', 'data', 'medium', 1) RETURNING id",
                args![problem],
            )?;
            let plan: i64 = db.scalar(
                "INSERT INTO action_plans (lineage_id, version_no, status, title, municipality_code, period_from, period_to, situation_id,
                     picture_forum_id, owner_org_id, visibility, adopted_at, adopted_by_user_id, created_by_user_id, created_at, updated_at)
                 VALUES (0, 1, 'adopted', 'Åtgärdsplan 2026–2027', '1287', '2026-01-01', '2027-12-31', $1, $2, $3, 'organisation', $5, $4, $4, $5, $5)
                 RETURNING id",
                args![situation, forum, kommun, me, now],
            )?;
            db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", args![plan])?;
            db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", args![plan, kommun])?;
            let goal = |db: &mut dyn brygga_store::Conn, key: &str, parent: Option<i64>, kind: &str, title: &str, level: Option<&str>, weight: f64, pos: i64| -> Result<i64, StoreError> {
                Ok(db.scalar(
                    "INSERT INTO plan_goals (plan_id, key, parent_id, kind, title, level, weight, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    args![plan, key, parent, kind, title, level, weight, pos],
                )?)
            };
            let effect = goal(db, "g1", None, "effect", "Tryggare centrum", None, 1.0, 1)?;
            let result_graffiti = goal(db, "g2", Some(effect), "result", "Mindre klotter", Some("area"), 2.0, 2)?;
            let process = goal(db, "g4", Some(result_graffiti), "process", "Snabb sanering", None, 1.0, 3)?;
            let result_crime = goal(db, "g3", Some(effect), "result", "Färre anmälda skadegörelsebrott", None, 1.0, 4)?;
            let est_indicator: i64 = db.scalar(
                "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, category_id, area_id, unit, direction, baseline_value, baseline_on,
                     baseline_computed, target_value, target_on, frequency, position)
                 VALUES ($1, 'i1', $2, 'Klotter på Stortorget', 'observations', $3, $4, 'rapporterade taggar', 'decrease', 10, '2026-09-01', TRUE, 2, '2027-12-31', 'monthly', 1)
                 RETURNING id",
                args![plan, result_graffiti, graffiti, stortorget],
            )?;
            let crime_indicator: i64 = db.scalar(
                "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, offence, unit, direction, baseline_value, baseline_on,
                     target_value, target_on, frequency, position)
                 VALUES ($1, 'i2', $2, 'Anmäld skadegörelse', 'crime_statistics', 'Skadegörelse', 'anmälda brott', 'decrease', 36, '2026-07-01', 24, '2027-12-31', 'quarterly', 2)
                 RETURNING id",
                args![plan, result_crime],
            )?;
            let manual_indicator: i64 = db.scalar(
                "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, manual_source, unit, direction, frequency, position)
                 VALUES ($1, 'i3', $2, 'Dagar till sanering', 'manual', 'Tekniska förvaltningen', 'dagar', 'decrease', 'quarterly', 3)
                 RETURNING id",
                args![plan, process],
            )?;
            let measure = |db: &mut dyn brygga_store::Conn, key: &str, title: &str, status: &str, basis: &str, involvement: Option<&str>, end_on: &str, pos: i64| -> Result<i64, StoreError> {
                Ok(db.scalar(
                    "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, start_on, end_on, status, basis, involvement, position)
                     VALUES ($1, $2, $3, $4, '2026-01-01', $5, $6, $7, $8, $9) RETURNING id",
                    args![plan, key, title, kommun, end_on, status, basis, involvement, pos],
                )?)
            };
            let measure_ok = measure(db, "m1", "Sanering inom 24 timmar", "ongoing", "evaluated_method", Some("consulted"), "2027-12-31", 1)?;
            let measure_bad = measure(db, "m2", "Belysning i passagen", "delayed", "none", Some("passive"), "2027-06-30", 2)?;
            db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", args![measure_ok, result_graffiti])?;
            db.execute("INSERT INTO measure_causes (measure_id, cause_id) VALUES ($1, $2)", args![measure_ok, cause])?;
            // Reported crimes: July–September 2026 (Q3 = 33), October, and a suppressed November.
            for (m, n) in [(7, Some(10.0)), (8, Some(11.0)), (9, Some(12.0)), (10, Some(9.0)), (11, None)] {
                db.execute(
                    "INSERT INTO crime_statistics (municipality_code, year, month, offence, crime_count) VALUES ('1287', 2026, $1, 'Skadegörelse', $2)",
                    args![m as i64, n],
                )?;
            }
            Ok(PlanFixture {
                plan,
                effect,
                result_graffiti,
                result_crime,
                process,
                est_indicator,
                crime_indicator,
                manual_indicator,
                measure_ok,
                measure_bad,
                cause,
            })
        })
        .await
        .unwrap()
}

/// EST reports of graffiti at Stortorget, shared with the forum: September 4 + 3, October 2,
/// November 5 (each counted in the month of its ISO week's Thursday).
async fn graffiti_reports(store: &Store, w: &Est) {
    for (at, n) in [("2026-09-09T10:00", 4), ("2026-09-16T10:00", 3), ("2026-10-14T10:00", 2), ("2026-11-18T10:00", 5)] {
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
}

/// A plan fixture with reports and statistics, for other stories and the HTTP tests.
pub async fn plan_with_data(store: &Store) -> (Est, PlanFixture) {
    let w = est(store).await;
    graffiti_reports(store, &w).await;
    let p = insert_plan(store, &w).await;
    (w, p)
}

async fn values(store: &Store, user: i64, indicator: i64) -> Result<followup::IndicatorSeries, StoreError> {
    let v = viewer(store, user).await;
    store.read(move |db| followup::series_of(db, &v, indicator)).await
}

fn points(s: &followup::IndicatorSeries) -> Vec<(String, Option<f64>, String)> {
    s.values.iter().map(|x| (x.period.clone(), x.value, x.origin.clone())).collect()
}

async fn enter(store: &Store, user: i64, plan: i64, input: ValueInput) -> Result<followup::IndicatorValue, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| followup::enter_value(db, &v, plan, &input, FieldErrors::new())).await
}

async fn refresh(store: &Store, user: i64, plan: i64) -> Result<usize, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| followup::refresh_values(db, &v, plan)).await
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    store.read(move |db| Ok(db.scalar(sql, &[])?)).await.unwrap()
}

pub async fn plan_values_are_computed_from_reports_and_statistics_and_entered_by_hand(store: &Store) {
    let (w, p) = plan_with_data(store).await;
    // Refreshed from the EST reports (monthly sums) and the crime statistics (Q3 = 10 + 11 + 12;
    // Q4 has not ended). Only periods that have ended count.
    let written = refresh(store, w.coordinator, p.plan).await.unwrap();
    assert!(written >= 4, "{written}");
    let est_series = values(store, w.coordinator, p.est_indicator).await.unwrap();
    let est_points: Vec<_> = points(&est_series).into_iter().filter(|x| x.0.as_str() <= "2026-11-01").collect();
    assert_eq!(
        est_points,
        [
            ("2026-09-01".to_owned(), Some(7.0), "brygga".to_owned()),
            ("2026-10-01".to_owned(), Some(2.0), "brygga".to_owned()),
            ("2026-11-01".to_owned(), Some(5.0), "brygga".to_owned()),
        ]
    );
    let crime = values(store, w.coordinator, p.crime_indicator).await.unwrap();
    assert_eq!(points(&crime).first(), Some(&("2026-07-01".to_owned(), Some(33.0), "brygga".to_owned())));
    assert!(points(&crime).iter().all(|x| x.0 != "2026-10-01"), "a quarter with a suppressed month is missing, never smaller");
    assert_eq!((crime.baseline, crime.target, crime.unit.as_str()), (Some(36.0), Some(24.0), "anmälda brott"));

    // A safety survey share: the mean over the survey's areas, once a year (1 January).
    let (plan, goal, kommun) = (p.plan, p.result_graffiti, w.kommun);
    let survey: i64 = store
        .write(move |db| {
            let now = brygga_store::now_ms();
            for (year, area, share) in [(2025, "Centrum", 0.42), (2026, "Centrum", 0.30), (2026, "Hamnen", 0.40)] {
                db.execute(
                    "INSERT INTO safety_surveys (owner_org_id, visibility, municipality_code, area_name, question, year, share_unsafe, created_at)
                     VALUES ($1, 'organisation', '1287', $2, 'Otrygg ute på kvällen', $3, $4, $5)",
                    args![kommun, area, year as i64, share, now],
                )?;
            }
            Ok(db.scalar(
                "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, survey_question, unit, direction, baseline_value, baseline_on, target_value, target_on, frequency, position)
                 VALUES ($1, 'i4', $2, 'Otrygga på kvällen', 'safety_survey', 'Otrygg ute på kvällen', 'andel', 'decrease', 0.42, '2025-01-01', 0.30, '2027-12-31', 'yearly', 4) RETURNING id",
                args![plan, goal],
            )?)
        })
        .await
        .unwrap();
    refresh(store, w.coordinator, p.plan).await.unwrap();
    let shares = values(store, w.coordinator, survey).await.unwrap();
    assert_eq!(
        points(&shares).iter().map(|x| (x.0.as_str(), x.1.map(|v| (v * 1000.0).round() / 1000.0))).collect::<Vec<_>>(),
        [("2025-01-01", Some(0.42)), ("2026-01-01", Some(0.35))]
    );
    // (0.35 − 0.42) / (0.30 − 0.42) = 0.5833…
    assert!(shares.progress.is_some_and(|x| (x - 0.07 / 0.12).abs() < 1e-9), "{:?}", shares.progress);

    // A correction is entered; a refresh never overwrites it.
    let corrected = enter(
        store,
        w.coordinator,
        p.plan,
        ValueInput {
            indicator_id: p.est_indicator,
            period: "2026-09-01".into(),
            value: Some(6.0),
            note: Some("Egen räkning efter sanering".into()),
            org_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!((corrected.origin.as_str(), corrected.period_label.as_str()), ("entered", "september 2026"));
    refresh(store, w.coordinator, p.plan).await.unwrap();
    let est_series = values(store, w.coordinator, p.est_indicator).await.unwrap();
    assert_eq!(points(&est_series)[0], ("2026-09-01".to_owned(), Some(6.0), "entered".to_owned()));
    assert_eq!(est_series.values[0].note.as_deref(), Some("Egen räkning efter sanering"));
    // A computed value cannot be removed; the entered one can, and the next refresh computes it again.
    let (v, plan, est) = (viewer(store, w.coordinator).await, p.plan, p.est_indicator);
    let e = store.write(move |db| followup::remove_value(db, &v, plan, est, "2026-10-01")).await.unwrap_err();
    assert_eq!(field_codes(&e), [("period".to_owned(), "plans.value_computed")]);
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| followup::remove_value(db, &v, plan, est, "2026-09-01")).await.unwrap();
    refresh(store, w.coordinator, p.plan).await.unwrap();
    assert_eq!(points(&values(store, w.coordinator, p.est_indicator).await.unwrap())[0].1, Some(7.0));

    // A manual indicator's value: a quarter's first day, a number and a source.
    let bad = ValueInput {
        indicator_id: p.manual_indicator,
        period: "2026-05-01".into(),
        value: None,
        note: Some("Ring 070-123 45 67".into()),
        org_id: None,
    };
    let e = enter(store, w.coordinator, p.plan, bad).await.unwrap_err();
    assert_eq!(
        field_codes(&e),
        [("period".to_owned(), "plans.period_start"), ("value".to_owned(), "required"), ("note".to_owned(), "text.personal_data")]
    );
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("period").unwrap().message.contains("som börjar 2026-04-01"), "{}", errs.get("period").unwrap().message);
    let e = enter(
        store,
        w.coordinator,
        p.plan,
        ValueInput {
            indicator_id: p.crime_indicator + 1000,
            period: "2026-04-01".into(),
            value: Some(1.0),
            note: Some("x".into()),
            org_id: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("indicator_id".to_owned(), "plans.indicator_unknown")]);
    assert_eq!(count(store, "SELECT COUNT(*) FROM indicator_values WHERE origin = 'entered'").await, 0, "nothing was written");
    let ok = ValueInput {
        indicator_id: p.manual_indicator,
        period: "2026-04-01".into(),
        value: Some(4.5),
        note: Some("Tekniska förvaltningens ärendesystem".into()),
        org_id: None,
    };
    enter(store, w.coordinator, p.plan, ok).await.unwrap();
    let manual = values(store, w.coordinator, p.manual_indicator).await.unwrap();
    assert_eq!(points(&manual), [("2026-04-01".to_owned(), Some(4.5), "entered".to_owned())]);
    assert_eq!(manual.progress, None, "no progress without baseline and target");

    // The nightly job refreshes every adopted plan once a day; the system refreshes it.
    let at = jiff::civil::date(2026, 12, 7).at(3, 0, 0, 0).to_zoned(brygga_domain::time::stockholm()).unwrap().timestamp().as_millisecond();
    let created = store.write(move |db| followup::enqueue_nightly(db, at)).await.unwrap();
    assert_eq!(created.len(), 1);
    assert!(store.write(move |db| followup::enqueue_nightly(db, at + 60_000)).await.unwrap().is_empty(), "once a night");
    let early =
        jiff::civil::date(2026, 12, 8).at(1, 0, 0, 0).to_zoned(brygga_domain::time::stockholm()).unwrap().timestamp().as_millisecond();
    assert!(store.write(move |db| followup::enqueue_nightly(db, early)).await.unwrap().is_empty(), "not before 02:00");
    let plan = p.plan;
    assert!(store.write(move |db| followup::refresh_job(db, plan)).await.unwrap() > 0);
    let last = store.read(move |db| followup::last_refresh_ms(db, plan)).await.unwrap();
    assert!(last.is_some_and(|t| brygga_store::now_ms() - t < followup::REFRESH_AFTER_MS));
    let v = viewer(store, w.coordinator).await;
    assert!(!store.write(move |db| followup::refresh_if_stale(db, &v, plan)).await.unwrap(), "refreshed within the hour");
}

pub async fn plan_progress_rolls_up_with_weights_into_the_yearly_report(store: &Store) {
    let (w, p) = plan_with_data(store).await;
    refresh(store, w.coordinator, p.plan).await.unwrap();
    let (v, plan) = (viewer(store, w.coordinator).await, p.plan);
    let r = store.read(move |db| followup::report(db, &v, plan, 2026)).await.unwrap();
    // EST: (5 − 10) / (2 − 10) = 0.625 (latest: November). Crime: (33 − 36) / (24 − 36) = 0.25.
    // "Mindre klotter": its indicator 0.625; the process goal below has no progress (left out).
    // Effect goal: (0.625 × 2 + 0.25 × 1) / 3 = 0.5.
    let by_id = |id: i64| r.goals.iter().find(|g| g.id == id).unwrap();
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert!(close(by_id(p.result_graffiti).progress, 0.625), "{:?}", by_id(p.result_graffiti));
    assert_eq!(by_id(p.result_graffiti).left_out, 1);
    assert!(close(by_id(p.result_crime).progress, 0.25));
    assert!(close(by_id(p.effect).progress, 0.5));
    assert_eq!(by_id(p.process).progress, None);
    assert!(close(r.totals.progress, 0.5));
    // Tree order with depth.
    assert_eq!(
        r.goals.iter().map(|g| (g.id, g.depth)).collect::<Vec<_>>(),
        [(p.effect, 0), (p.result_graffiti, 1), (p.process, 2), (p.result_crime, 1)]
    );
    assert_eq!(by_id(p.result_graffiti).indicators[0].latest, Some(5.0));
    assert_eq!((r.totals.goals, r.totals.indicators, r.totals.indicators_with_progress, r.totals.measures), (4, 3, 2, 2));
    assert!(r.totals.measures_by_status.contains(&("delayed".to_owned(), "Försenad".to_owned(), 1)));
    assert_eq!(r.totals.checks_passed + r.totals.checks_failed, r.checks.len());
    // Only values up to the year's end count: 2025's report has none.
    let v = viewer(store, w.coordinator).await;
    let r2025 = store.read(move |db| followup::report(db, &v, plan, 2025)).await.unwrap();
    assert!(r2025.goals.iter().all(|g| g.progress.is_none()));
    let v = viewer(store, w.coordinator).await;
    let e = store.read(move |db| followup::report(db, &v, plan, 1900)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("year".to_owned(), "year.invalid")]);
}

async fn record(store: &Store, user: i64, plan: i64, input: DeviationInput) -> Result<followup::Deviation, StoreError> {
    let v = viewer(store, user).await;
    store.write(move |db| followup::record(db, &v, plan, &input, FieldErrors::new())).await
}

fn delay(measure: i64) -> DeviationInput {
    DeviationInput {
        what: "Belysningen monteras ett halvår senare".into(),
        why: "Leverantören kunde inte leverera armaturerna i tid".into(),
        consequence: Some("Passagen är mörk under vintern".into()),
        correction: Some("Tillfällig belysning sätts upp i december".into()),
        decided_by: Some("Kommunstyrelsens arbetsutskott".into()),
        decided_on: Some("2026-11-20".into()),
        measure_id: Some(measure),
        ..Default::default()
    }
}

pub async fn plan_deviations_are_recorded_only_in_the_version_in_force(store: &Store) {
    let (w, p) = plan_with_data(store).await;
    // Everything wrong at once; nothing written.
    let bad = DeviationInput {
        what: "Ring Anna på 070-123 45 67".into(),
        why: "  ".into(),
        decided_on: Some("2099-01-01".into()),
        goal_id: Some(p.effect + 1000),
        ..Default::default()
    };
    let e = record(store, w.coordinator, p.plan, bad).await.unwrap_err();
    let codes = field_codes(&e);
    for want in [("what", "text.personal_data"), ("why", "required"), ("decided_on", "date.future"), ("goal_id", "plans.not_in_plan")] {
        assert!(codes.contains(&(want.0.to_owned(), want.1)), "{want:?} in {codes:?}");
    }
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("why").unwrap().message.contains("Varför saknas"));
    assert_eq!(count(store, "SELECT COUNT(*) FROM plan_deviations").await, 0);

    let d = record(store, w.coordinator, p.plan, delay(p.measure_bad)).await.unwrap();
    assert_eq!((d.measure_title.as_deref(), d.decided_on.as_deref()), (Some("Belysning i passagen"), Some("2026-11-20")));
    let (v, id) = (viewer(store, w.coordinator).await, d.id);
    let input = DeviationInput { correction: None, ..delay(p.measure_bad) };
    let edited = store.write(move |db| followup::edit(db, &v, id, &input, FieldErrors::new())).await.unwrap();
    assert_eq!(edited.correction, None);
    let (v, plan) = (viewer(store, w.reader).await, p.plan);
    assert_eq!(store.read(move |db| followup::deviations(db, &v, plan)).await.unwrap().len(), 1, "readers read");
    // Readers do not write; outsiders do not even see the plan.
    assert!(matches!(record(store, w.reader, p.plan, delay(p.measure_bad)).await.unwrap_err(), StoreError::Forbidden));
    assert!(matches!(record(store, w.outsider, p.plan, delay(p.measure_bad)).await.unwrap_err(), StoreError::NotFound { .. }));
    let v = viewer(store, w.outsider).await;
    assert!(matches!(store.write(move |db| followup::remove(db, &v, id)).await.unwrap_err(), StoreError::NotFound { .. }));

    // A draft: follow-up is done in the adopted version. A superseded version: in the one in force.
    store
        .write(move |db| Ok(db.execute("UPDATE action_plans SET status = 'draft', adopted_at = NULL WHERE id = $1", args![plan])?))
        .await
        .unwrap();
    let e = record(store, w.coordinator, p.plan, delay(p.measure_bad)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.draft")]);
    let StoreError::Invalid(errs) = &e else { unreachable!() };
    assert!(errs.get("status").unwrap().message.contains("anta planen först"));
    let e = enter(
        store,
        w.coordinator,
        p.plan,
        ValueInput {
            indicator_id: p.manual_indicator,
            period: "2026-04-01".into(),
            value: Some(1.0),
            note: Some("Källa".into()),
            org_id: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.draft")]);
    store
        .write(move |db| Ok(db.execute("UPDATE action_plans SET status = 'superseded', adopted_at = 1 WHERE id = $1", args![plan])?))
        .await
        .unwrap();
    let e = record(store, w.coordinator, p.plan, delay(p.measure_bad)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.superseded")]);
    let v = viewer(store, w.coordinator).await;
    let e = store.write(move |db| followup::remove(db, &v, id)).await.unwrap_err();
    assert_eq!(field_codes(&e), [("status".to_owned(), "plans.superseded")]);
    assert_eq!(count(store, "SELECT COUNT(*) FROM plan_deviations").await, 1, "nothing more was written or removed");
    assert!(matches!(refresh(store, w.coordinator, p.plan).await.unwrap_err(), StoreError::Invalid(_)));
    store.write(move |db| Ok(db.execute("UPDATE action_plans SET status = 'adopted' WHERE id = $1", args![plan])?)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| followup::remove(db, &v, id)).await.unwrap();
    assert_eq!(count(store, "SELECT COUNT(*) FROM plan_deviations").await, 0);
    let audited = count(store, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'plan.deviation.%'").await;
    assert_eq!(audited, 3, "record, edit, remove");
}

fn failing(checks: &[evaluation::Check]) -> Vec<(&'static str, i64)> {
    checks.iter().filter(|c| !c.passed).map(|c| (c.code, c.target.id)).collect()
}

pub async fn plan_checks_fail_then_pass_as_the_plan_is_fixed(store: &Store) {
    let (w, p) = plan_with_data(store).await;
    let check = || async {
        let (v, plan) = (viewer(store, w.reader).await, p.plan);
        store.read(move |db| evaluation::evaluate(db, &v, plan)).await.unwrap()
    };
    let c = check().await;
    assert_eq!(
        failing(&c),
        [
            ("goal.measurable", p.process),
            ("goal.level", p.result_crime),
            ("measure.goal", p.measure_bad),
            ("measure.cause", p.measure_bad),
            ("measure.basis", p.measure_bad),
            ("goal.measure", p.process),
            ("goal.measure", p.result_crime),
            ("measure.on_plan", p.measure_bad),
            ("measure.deviation", p.measure_bad),
            ("measure.involvement", p.measure_bad),
        ]
    );
    // Passing rows are in the list too, and every analysis has some.
    assert!(c.iter().any(|c| c.passed && c.code == "goal.measurable" && c.target.id == p.effect));
    for a in Analysis::ALL {
        assert!(c.iter().any(|c| c.analysis == a && c.passed), "{a:?}");
    }
    let basis = c.iter().find(|c| c.code == "measure.basis" && !c.passed).unwrap();
    assert_eq!(
        basis.message,
        "Insatsen ”Belysning i passagen” saknar dokumenterad kunskapsgrund. Ange vilken utvärderad metod eller dokumenterade kunskap insatsen bygger på."
    );
    assert_eq!(basis.target.anchor, format!("insats-{}", p.measure_bad));

    // The plan is fixed (the plan's own commands are another part's: SQL here), a deviation recorded.
    let (plan, pr) = (p.plan, (p.process, p.result_crime, p.measure_bad, p.manual_indicator, p.cause, p.measure_ok));
    store
        .write(move |db| {
            let (process, result_crime, bad, manual, cause, ok) = pr;
            db.execute("UPDATE plan_indicators SET baseline_value = 5, baseline_on = '2026-01-01', target_value = 1, target_on = '2027-12-31' WHERE id = $1", args![manual])?;
            db.execute("UPDATE plan_goals SET level = 'municipality' WHERE id = $1", args![result_crime])?;
            db.execute("UPDATE plan_measures SET basis = 'documented_knowledge', involvement = 'co_creators' WHERE id = $1", args![bad])?;
            db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2), ($1, $3)", args![bad, result_crime, process])?;
            db.execute("INSERT INTO measure_causes (measure_id, cause_id) VALUES ($1, $2)", args![bad, cause])?;
            db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", args![ok, process])?;
            let _ = plan;
            Ok(())
        })
        .await
        .unwrap();
    record(store, w.coordinator, p.plan, delay(p.measure_bad)).await.unwrap();
    let c = check().await;
    assert_eq!(failing(&c), [("measure.on_plan", p.measure_bad)], "a delayed measure stays delayed until it is done");
    assert!(c.iter().any(|c| c.passed && c.code == "measure.deviation" && c.target.id == p.measure_bad));
    assert!(c.iter().any(|c| c.passed && c.code == "deviation.correction"));
    store.write(move |db| Ok(db.execute("UPDATE plan_measures SET status = 'done' WHERE id = $1", args![pr.2])?)).await.unwrap();
    assert_eq!(failing(&check().await), []);
    // Outsiders get no checks.
    let (v, plan) = (viewer(store, w.outsider).await, p.plan);
    assert!(matches!(store.read(move |db| evaluation::evaluate(db, &v, plan)).await.unwrap_err(), StoreError::NotFound { .. }));
}

pub async fn plan_follow_up_is_isolated_and_small_counts_are_suppressed_outside(store: &Store) {
    let (w, p) = plan_with_data(store).await;
    refresh(store, w.coordinator, p.plan).await.unwrap();
    let plan = p.plan;
    // A draft-like organisation-only plan: the forum's partner and outsiders read nothing.
    for user in [w.tenant_member, w.outsider] {
        assert!(matches!(values(store, user, p.est_indicator).await.unwrap_err(), StoreError::NotFound { .. }), "{user}");
        let v = viewer(store, user).await;
        assert!(store.read(move |db| followup::deviations(db, &v, plan)).await.is_err());
        let v = viewer(store, user).await;
        assert!(store.read(move |db| followup::report(db, &v, plan, 2026)).await.is_err());
        let e = enter(
            store,
            user,
            p.plan,
            ValueInput {
                indicator_id: p.manual_indicator,
                period: "2026-04-01".into(),
                value: Some(1.0),
                note: Some("Källa".into()),
                org_id: None,
            },
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::NotFound { .. }), "{e:?}");
        assert!(refresh(store, user, p.plan).await.is_err());
    }
    // Readers of a party read exact values but write nothing.
    assert_eq!(values(store, w.reader, p.est_indicator).await.unwrap().values[1].value, Some(2.0));
    let e = enter(
        store,
        w.reader,
        p.plan,
        ValueInput {
            indicator_id: p.manual_indicator,
            period: "2026-04-01".into(),
            value: Some(1.0),
            note: Some("Källa".into()),
            org_id: None,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden));
    assert!(matches!(refresh(store, w.reader, p.plan).await.unwrap_err(), StoreError::Forbidden));

    // Shared with the forum: the partner reads, with small EST counts hidden (October's 2).
    let forum = w.forum;
    store
        .write(move |db| Ok(db.execute("UPDATE action_plans SET visibility = 'forum', forum_id = $2 WHERE id = $1", args![plan, forum])?))
        .await
        .unwrap();
    let s = values(store, w.tenant_member, p.est_indicator).await.unwrap();
    let oct = s.values.iter().find(|x| x.period == "2026-10-01").unwrap();
    assert_eq!(oct.value, None);
    assert_eq!(s.values.iter().find(|x| x.period == "2026-09-01").unwrap().value, Some(7.0));
    assert!(s.suppressed >= 1);
    assert!(values(store, w.outsider, p.est_indicator).await.is_err(), "not shared with them");

    // Published: anyone reads the aggregates, small counts hidden; crime statistics are not EST counts.
    store
        .write(move |db| Ok(db.execute("UPDATE action_plans SET visibility = 'public', forum_id = NULL WHERE id = $1", args![plan])?))
        .await
        .unwrap();
    let (anon, est_id) = (Viewer::anonymous(Origin::default()), p.est_indicator);
    let s = store.read(move |db| followup::series_of(db, &anon, est_id)).await.unwrap();
    assert_eq!(s.values.iter().map(|x| x.value).take(3).collect::<Vec<_>>(), [Some(7.0), None, Some(5.0)]);
    let s = values(store, w.outsider, p.crime_indicator).await.unwrap();
    assert_eq!(s.values[0].value, Some(33.0));
    let (anon, plan_id) = (Viewer::anonymous(Origin::default()), p.plan);
    let r = store.read(move |db| followup::report(db, &anon, plan_id, 2026)).await.unwrap();
    let est = r.goals.iter().flat_map(|g| &g.indicators).find(|i| i.indicator.id == p.est_indicator).unwrap();
    assert_eq!(est.values[1].value, None, "the public report hides small counts too");
    // Still nobody outside writes.
    assert!(matches!(record(store, w.outsider, p.plan, delay(p.measure_bad)).await.unwrap_err(), StoreError::Forbidden));
    let _ = (p.measure_ok, p.result_graffiti);
}

/// An adopted plan of `goals` goals (one effect goal, the rest result goals under it),
/// `measures` measures (each serving one result goal and one cause) and `indicators`
/// indicators (on the result goals, each with `months` monthly values), written with bulk SQL.
/// For the size story below and `examples/bench_plan_checks.rs`.
pub async fn large_plan(store: &Store, goals: usize, measures: usize, indicators: usize, months: usize) -> (Est, i64) {
    let w = est(store).await;
    let p = insert_plan(store, &w).await;
    let (plan, kommun, cause) = (p.plan, w.kommun, p.cause);
    store
        .write(move |db| {
            db.execute("DELETE FROM plan_measures WHERE plan_id = $1", args![plan])?;
            db.execute("DELETE FROM plan_indicators WHERE plan_id = $1", args![plan])?;
            db.execute("DELETE FROM plan_goals WHERE plan_id = $1", args![plan])?;
            let effect: i64 = db.scalar(
                "INSERT INTO plan_goals (plan_id, key, kind, title, weight, position) VALUES ($1, 'e', 'effect', 'Tryggare kommun', 1, 0) RETURNING id",
                args![plan],
            )?;
            let mut results = Vec::new();
            for g in 1..goals {
                results.push(db.scalar::<i64>(
                    "INSERT INTO plan_goals (plan_id, key, parent_id, kind, title, level, weight, position) VALUES ($1, $2, $3, 'result', $4, 'area', $5, $6) RETURNING id",
                    args![plan, format!("g{g}"), effect, format!("Resultatmål {g}"), (g % 3 + 1) as f64, g as i64],
                )?);
            }
            let mut ids = Vec::new();
            for i in 0..indicators {
                let goal = results[i % results.len()];
                ids.push(db.scalar::<i64>(
                    "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, offence, unit, direction, baseline_value, baseline_on, target_value, target_on, frequency, position)
                     VALUES ($1, $2, $3, $4, 'crime_statistics', $5, 'anmälda brott', 'decrease', 40, '2022-01-01', 20, '2027-12-31', 'monthly', $6) RETURNING id",
                    args![plan, format!("i{i}"), goal, format!("Indikator {i}"), format!("Brott {}", i % 17), i as i64],
                )?);
            }
            let now = brygga_store::now_ms();
            let mut rows = ids.iter().flat_map(|id| {
                (0..months).map(move |m| {
                    let d = jiff::civil::date(2022, 1, 1).checked_add(jiff::Span::new().months(m as i64)).unwrap();
                    vec![(*id).into(), d.to_string().into(), (30.0 + (m % 7) as f64).into(), "brygga".into(), now.into()]
                })
            });
            db.bulk_insert("indicator_values", &["indicator_id", "period", "value", "origin", "created_at"], &mut rows)?;
            for m in 0..measures {
                let id: i64 = db.scalar(
                    "INSERT INTO plan_measures (plan_id, key, title, responsible_org_id, start_on, end_on, status, basis, involvement, position)
                     VALUES ($1, $2, $3, $4, '2026-01-01', '2027-12-31', 'ongoing', 'evaluated_method', 'consulted', $5) RETURNING id",
                    args![plan, format!("m{m}"), format!("Insats {m}"), kommun, m as i64],
                )?;
                db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", args![id, results[m % results.len()]])?;
                db.execute("INSERT INTO measure_causes (measure_id, cause_id) VALUES ($1, $2)", args![id, cause])?;
            }
            Ok(())
        })
        .await
        .unwrap();
    (w, plan)
}

pub async fn plan_checks_cover_a_large_plan_row_by_row(store: &Store) {
    let (w, plan) = large_plan(store, 50, 200, 100, 60).await;
    let v = viewer(store, w.reader).await;
    let checks = store.read(move |db| evaluation::evaluate(db, &v, plan)).await.unwrap();
    // Målanalys: 50 measurable, 1 broken down, 49 levels, 1 "no opposite pull";
    // mål–medelanalys: 1 causes, 200 × (goal, cause, basis), 49 goals with a measure;
    // genomförandeanalys: 200 × (on plan, involvement).
    assert_eq!(checks.len(), 50 + 1 + 49 + 1 + 1 + 600 + 49 + 400);
    assert_eq!(failing(&checks), []);
    let v = viewer(store, w.reader).await;
    let r = store.read(move |db| followup::report(db, &v, plan, 2026)).await.unwrap();
    assert_eq!((r.totals.goals, r.totals.indicators, r.totals.measures), (50, 100, 200));
    assert_eq!(r.goals[1].indicators[0].values.len(), 60, "five years of monthly values");
    assert!(r.totals.progress.is_some());
}
