//! The demo's plans in Trelleborg (issue 13): the context a lägesbild draws on that the rest of
//! the demo lacks — reported crimes per month and a safety survey — and then the municipality's
//! lägesbild 2026 and åtgärdsplan 2026–2027 built on the demo's own data.
//!
//! The figures are **synthetic** and say so in their source names: a seasonal pattern with a
//! fixed seed, so every demo shows the same numbers. They enter through the same store functions
//! as an import of Brå's statistics and of a survey tool's export.

use brygga_domain::FieldErrors;
use brygga_domain::geography::MunicipalityCode;
use brygga_import::crime_stats::{CrimeStatRow, CrimeStats, Layout};
use brygga_import::safety_survey::{SafetySurvey, SafetySurveyRow};
use brygga_import::tabular::{SourceFormat, TextEncoding};
use brygga_store::kernel::viewer::Via;
use brygga_store::picture::statistics::{self, SurveyTarget};
use brygga_store::plans::followup::{self, DeviationInput};
use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::indicators::{self, IndicatorInput};
use brygga_store::plans::measures::{self, MeasureInput, MeasureStatusInput};
use brygga_store::plans::plan::{self, PlanInput};
use brygga_store::plans::problems::{self, CauseInput, EvidenceInput, ProblemInput};
use brygga_store::plans::situation::{self, AdoptInput, SituationEdit, SituationInput, SourceInput};
use brygga_store::{Conn, ConnExt, StoreResult, Viewer, Visibility, args};
use jiff::civil::Date;

/// Offences of the synthetic statistics, with a monthly level and a seasonal swing.
const OFFENCES: &[(&str, f64, f64)] = &[("Skadegörelse", 38.0, 8.0), ("Skadegörelse genom klotter", 21.0, 6.0), ("Misshandel", 14.0, 3.0)];

/// Monthly reported crimes in Trelleborg from January three years back to the last complete
/// month: summer peaks for damage, a slow rise in graffiti (the demo's problem).
pub fn crime_statistics(today: Date) -> CrimeStats {
    let municipality = MunicipalityCode::parse("1287").expect("Trelleborg");
    let mut rows = Vec::new();
    let last = today.first_of_month().checked_sub(jiff::Span::new().months(1)).expect("in range");
    let mut m = Date::new(today.year() - 3, 1, 1).expect("valid");
    let mut i = 0u32;
    while m <= last {
        for (k, (offence, level, swing)) in OFFENCES.iter().enumerate() {
            let season = ((f64::from(m.month()) - 1.0) / 12.0 * std::f64::consts::TAU - 2.6).cos();
            let trend = if *offence == "Skadegörelse genom klotter" { f64::from(i) * 0.25 } else { 0.0 };
            // A fixed pseudo-random wobble (the same every run).
            let wobble = f64::from((i * 7 + k as u32 * 13) % 5) - 2.0;
            let count = (level + swing * season + trend + wobble).round().max(0.0);
            rows.push(CrimeStatRow {
                municipality,
                year: m.year(),
                month: m.month() as u8,
                offence: (*offence).to_owned(),
                count: Some(count),
            });
        }
        m = m.checked_add(jiff::Span::new().months(1)).expect("in range");
        i += 1;
    }
    CrimeStats {
        rows,
        skipped: Vec::new(),
        layout: Layout::Long,
        format: SourceFormat::Csv { encoding: TextEncoding::Utf8, delimiter: ';' },
    }
}

/// The municipality's safety survey (trygghetsmätning) for the last three years including the
/// current one (the lägesbild of the year shows that year's survey), for the whole municipality
/// and for the centre: the share who feel unsafe outdoors late in the evening.
pub fn safety_survey(today: Date) -> SafetySurvey {
    let mut rows = Vec::new();
    for (n, year) in ((today.year() - 2)..=today.year()).enumerate() {
        for (area, base) in [("Hela kommunen", 0.21), ("Centrum", 0.29)] {
            rows.push(SafetySurveyRow {
                area: area.to_owned(),
                question: "Otrygg utomhus sent en kväll".to_owned(),
                year,
                share_unsafe: base + 0.02 * n as f64,
                respondents: Some(if area == "Centrum" { 212 } else { 1140 }),
            });
        }
    }
    SafetySurvey { rows, skipped: Vec::new(), format: SourceFormat::Csv { encoding: TextEncoding::Utf8, delimiter: ';' } }
}

/// Imports the synthetic statistics and survey for Trelleborgs kommun, as its coordinator would.
pub fn seed_context(db: &mut dyn Conn, today: Date) -> StoreResult<()> {
    let kommun: i64 = db.scalar("SELECT id FROM organisations WHERE name = $1", args!["Trelleborgs kommun"])?;
    let coordinator: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args!["samordnare@trelleborg.example"])?;
    let v = Viewer::for_user(db, coordinator, Via::Web)?;
    let stats = crime_statistics(today);
    statistics::import_crime_statistics(db, &v, kommun, Some("syntetisk-statistik-demo.csv"), "demo-crime-statistics", &stats)?
        .map_err(|r| brygga_store::StoreError::Internal(format!("demo statistics refused: {r:?}")))?;
    let target =
        SurveyTarget { org_id: kommun, municipality: MunicipalityCode::parse("1287").expect("Trelleborg"), visibility: Visibility::Public };
    statistics::import_safety_survey(
        db,
        &v,
        &target,
        Some("syntetisk-trygghetsmatning-demo.csv"),
        "demo-safety-survey",
        &safety_survey(today),
    )?
    .map_err(|r| brygga_store::StoreError::Internal(format!("demo survey refused: {r:?}")))?;
    Ok(())
}

/// What the demo's documents are, for a test or a later step to find them again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoDocuments {
    /// The lägesbild's adopted version 1 (the plan rests on it).
    pub situation_adopted: i64,
    /// The lägesbild's draft version 2 (the coordinator keeps writing it).
    pub situation_draft: i64,
    /// The åtgärdsplan's adopted version 1.
    pub plan: i64,
}

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn place(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT MIN(id) FROM areas WHERE municipality_code = '1287' AND name = $1", args![name])?)
}

fn months_back(today: Date, n: i64) -> Date {
    today.first_of_month().checked_sub(jiff::Span::new().months(n)).expect("in range")
}

/// The lägesbild's texts (Swedish, as the coordinator writes them around the live figures).
fn situation_texts(title: &str, year: i16) -> SituationEdit {
    SituationEdit {
        title: title.to_owned(),
        stale_after_months: Some(6),
        summary: Some(format!(
            "Lägesbilden {year} bygger på EST Trelleborgs veckorapporter, polisens anmälningsstatistik, kommunens \
             trygghetsmätning och skolenkäten i årskurs 9.\n\nDet mest prioriterade problemet är klotter och \
             skadegörelse i centrum, som har ökat under året och gör att fler känner sig otrygga sent på kvällen."
        )),
        crime: Some(
            "Anmälda skadegörelsebrott följer ett tydligt säsongsmönster med toppar under sommaren. Klotter ökar \
             långsamt men stadigt, och ökningen syns både i anmälningarna och i EST-rapporterna från Stortorget."
                .to_owned(),
        ),
        other: Some(
            "Trygghetsmätningen visar att andelen som känner sig otrygga utomhus sent en kväll är högre i centrum än \
             i kommunen som helhet. Skolenkäten visar att elever i årskurs 9 undviker torget på kvällarna."
                .to_owned(),
        ),
        analysis: Some(
            "Klottret är koncentrerat till fasader och elskåp kring Stortorget, där belysningen är svag och \
             klotter ofta blir kvar i flera veckor. Snabb sanering och bättre belysning bedöms vara de viktigaste \
             åtgärderna."
                .to_owned(),
        ),
    }
}

/// Trelleborg's lägesbild and åtgärdsplan (issue 13), made through the store commands as the
/// municipality's coordinator would, on the demo's own data:
///
/// - the lägesbild for the current year, version 1 adopted and version 2 left as a draft (the year
///   is running), with a hand-entered school survey, the problem "Klotter och skadegörelse i
///   centrum" with its evidence (graffiti, Stortorget, last week's flag, the crime series, the
///   survey question) and causes, and a second problem without causes (the warning shows);
/// - the åtgärdsplan for this year and the next, adopted, resting on version 1: an effect goal,
///   result goal A (graffiti at Stortorget in the EST reports) and B (reported graffiti) with
///   baselines computed from the series, a process goal without indicator, three measures linked
///   to the forum's actions, one of them delayed with a deviation recorded; then the follow-up
///   values are refreshed. The evaluation thus has passing and failing checks in all three analyses.
pub fn seed_documents(db: &mut dyn Conn, today: Date) -> StoreResult<DemoDocuments> {
    let coordinator = user(db, "samordnare@trelleborg.example")?;
    let (kommun, polisen, hem) =
        (org(db, "Trelleborgs kommun")?, org(db, "Polisen, lokalpolisområde Trelleborg")?, org(db, "AB Trelleborgshem")?);
    let forum: i64 = db.scalar("SELECT id FROM forums WHERE name = $1", args!["EST Trelleborg"])?;
    let graffiti: i64 = db.scalar("SELECT MIN(id) FROM categories WHERE forum_id = $1 AND code = $2", args![forum, "graffiti"])?;
    let stortorget = place(db, "Stortorget")?;
    let year = today.year();
    let decided = Date::new(year, 2, 24).expect("valid").min(today);

    // The lägesbild, version 1.
    let title = format!("Lägesbild {year} Trelleborg");
    let created = situation::create(
        db,
        &coordinator,
        &SituationInput {
            kind: "situation".into(),
            title: title.clone(),
            municipality_code: "1287".into(),
            year: Some(i64::from(year)),
            half: None,
            picture_forum_id: Some(forum),
            co_owner_org_ids: vec![polisen],
            org_id: Some(kommun),
        },
    )?;
    let sid = created.situation.id;
    situation::edit(db, &coordinator, sid, None, &situation_texts(&title, year))?;
    situation::add_source(
        db,
        &coordinator,
        sid,
        &SourceInput {
            kind: "school_survey".into(),
            title: format!("Skolenkät åk 9 {}", year - 1),
            summary: Some("38 procent av eleverna undviker Stortorget på kvällen; klotter nämns som skäl av var femte.".into()),
            source: "Trelleborgs kommun, Utbildningsförvaltningen".into(),
            source_date: format!("{}-05-15", year - 1),
        },
    )?;
    let problem = problems::add_problem(
        db,
        &coordinator,
        sid,
        &ProblemInput {
            title: "Klotter och skadegörelse i centrum".into(),
            description: Some("Klotter på fasader, elskåp och busskurer kring Stortorget; saneras ofta först efter veckor.".into()),
            priority: Some(1),
        },
    )?;
    let last_week = brygga_domain::time::IsoWeek::of_date(today).plus(-1).to_string();
    for e in [
        EvidenceInput { kind: "category".into(), category: Some("graffiti".into()), ..EvidenceInput::default() },
        EvidenceInput { kind: "place".into(), area_id: Some(stortorget), ..EvidenceInput::default() },
        EvidenceInput {
            kind: "flag".into(),
            category: Some("graffiti".into()),
            area_id: Some(stortorget),
            week: Some(last_week),
            note: Some("Flaggad i veckobilden: klart fler rapporter än vanligt.".into()),
            ..EvidenceInput::default()
        },
        EvidenceInput { kind: "crime_series".into(), offence: Some("Skadegörelse genom klotter".into()), ..EvidenceInput::default() },
        EvidenceInput {
            kind: "survey_question".into(),
            survey_question: Some("Otrygg utomhus sent en kväll".into()),
            ..EvidenceInput::default()
        },
    ] {
        problems::add_evidence(db, &coordinator, sid, problem.id, &e)?;
    }
    let place_cause = problems::add_cause(
        db,
        &coordinator,
        sid,
        problem.id,
        &CauseInput {
            title: "Klotter blir kvar länge på fasader och elskåp".into(),
            description: Some("Sanering sker först efter flera veckor, vilket lockar till mer klotter.".into()),
            triangle_side: Some("place".into()),
            influencer: Some("fastighetsägare och Teknisk förvaltning".into()),
            factor: Some("risk".into()),
            basis: "data".into(),
            basis_note: Some("EST-rapporterna visar samma platser vecka efter vecka.".into()),
            certainty: "high".into(),
        },
    )?;
    problems::add_cause(
        db,
        &coordinator,
        sid,
        problem.id,
        &CauseInput {
            title: "Grupper av unga utan vuxennärvaro sent på kvällen".into(),
            triangle_side: Some("offender".into()),
            influencer: Some("föräldrar och fältassistenter".into()),
            factor: Some("risk".into()),
            basis: "dialogue".into(),
            basis_note: Some("Dialog med fältassistenter och nattvandrare.".into()),
            certainty: "low".into(),
            ..CauseInput::default()
        },
    )?;
    problems::add_cause(
        db,
        &coordinator,
        sid,
        problem.id,
        &CauseInput {
            title: "Aktiva föreningar och nattvandring i centrum".into(),
            factor: Some("protective".into()),
            basis: "research".into(),
            basis_note: Some("Vuxennärvaro minskar skadegörelse enligt Brås kunskapsöversikter.".into()),
            certainty: "medium".into(),
            ..CauseInput::default()
        },
    )?;
    problems::add_problem(
        db,
        &coordinator,
        sid,
        &ProblemInput {
            title: "Otrygghet vid resecentrum på kvällen".into(),
            description: Some("Trasig belysning och stenkastning mot bussar har rapporterats.".into()),
            priority: Some(2),
        },
    )?;
    let adopted = situation::adopt(
        db,
        &coordinator,
        sid,
        None,
        &AdoptInput {
            decided_by: Some("Kommunstyrelsen".into()),
            decided_on: Some(decided.to_string()),
            decision_ref: Some(format!("KS {year}/98")),
        },
    )?;
    let draft = situation::new_version(db, &coordinator, adopted.situation.id)?;

    // The åtgärdsplan, resting on version 1.
    let plan = plan::create(
        db,
        &coordinator,
        &PlanInput {
            title: format!("Åtgärdsplan mot klotter och skadegörelse {}–{}", year, year + 1),
            municipality_code: Some("1287".into()),
            owner_org_id: Some(kommun),
            co_owner_org_ids: vec![polisen, hem],
            period_from: Some(Date::new(year, 1, 1).expect("valid").to_string()),
            period_to: Some(Date::new(year + 1, 12, 31).expect("valid").to_string()),
            situation_id: Some(sid),
            picture_forum_id: Some(forum),
            decided_by: Some("Kommunstyrelsen".into()),
            decided_on: Some(decided.to_string()),
            decision_ref: Some(format!("KS {year}/123")),
        },
    )?;
    let pid = plan.id;
    let goal = |kind: &str, title: &str, parent: Option<i64>, level: Option<&str>| GoalInput {
        kind: kind.into(),
        title: title.into(),
        parent_id: parent,
        level: level.map(Into::into),
        problem_ids: vec![problem.id],
        ..GoalInput::default()
    };
    let effect = goals::create(db, &coordinator, pid, &goal("effect", "Färre skadegörelsebrott och ökad trygghet i centrum", None, None))?;
    let goal_a = goals::create(db, &coordinator, pid, &goal("result", "Mindre klotter på Stortorget", Some(effect.id), Some("area")))?;
    let goal_b = goals::create(
        db,
        &coordinator,
        pid,
        &goal("result", "Färre anmälda klotterbrott i kommunen", Some(effect.id), Some("municipality")),
    )?;
    goals::create(
        db,
        &coordinator,
        pid,
        &goal("process", "Klotter på kommunens fastigheter saneras inom ett dygn", Some(goal_a.id), None),
    )?;
    let baseline_on = months_back(today, 3);
    let target_on = Date::new(year + 1, 12, 31).expect("valid");
    let indicator = |goal_id: i64, name: &str, source: &str, unit: &str| IndicatorInput {
        goal_id,
        name: name.into(),
        source: source.into(),
        unit: unit.into(),
        direction: "decrease".into(),
        frequency: "monthly".into(),
        compute_baseline: true,
        baseline_on: Some(baseline_on.to_string()),
        target_on: Some(target_on.to_string()),
        ..IndicatorInput::default()
    };
    let mut a = indicator(goal_a.id, "EST-rapporter om klotter vid Stortorget", "observations", "rapporter per månad");
    a.category_id = Some(graffiti);
    a.area_id = Some(stortorget);
    let ind_a = indicators::create(db, &coordinator, pid, &a)?;
    let mut b = indicator(goal_b.id, "Anmälda klotterbrott", "crime_statistics", "anmälda brott per månad");
    b.offence = Some("Skadegörelse genom klotter".into());
    let ind_b = indicators::create(db, &coordinator, pid, &b)?;
    // Targets: about a third fewer than the computed baselines.
    for (ind, input) in [(ind_a, a), (ind_b, b)] {
        let base = ind.baseline_value.unwrap_or(0.0);
        let target = (base * 0.65).floor();
        indicators::update(db, &coordinator, ind.id, &IndicatorInput { target_value: Some(target), ..input })?;
    }
    let action = |db: &mut dyn Conn, title: &str| -> StoreResult<i64> {
        Ok(db.scalar("SELECT MIN(id) FROM actions WHERE forum_id = $1 AND title = $2", args![forum, title])?)
    };
    let (walk, lighting, cleaning) = (
        action(db, "Nattvandring fredag och lördag vid Stortorget")?,
        action(db, "Byta trasig belysning i gångtunneln vid resecentrum")?,
        action(db, "Städa och sätta upp fler papperskorgar vid Hamnen")?,
    );
    let start = Date::new(year, 3, 1).expect("valid").to_string();
    let end = target_on.to_string();
    measures::create(
        db,
        &coordinator,
        pid,
        &MeasureInput {
            title: "Klottersanering inom 24 timmar kring Stortorget".into(),
            description: Some("Fastighetsägare och Teknisk förvaltning sanerar anmält klotter inom ett dygn.".into()),
            responsible_org_id: Some(kommun),
            partner_org_ids: vec![hem, polisen],
            start_on: Some(start.clone()),
            end_on: Some(end.clone()),
            resources: Some("0,5 tjänst och saneringsavtal".into()),
            status: Some("ongoing".into()),
            no_police_powers: true,
            basis: Some("evaluated_method".into()),
            basis_note: Some("Snabb sanering är utvärderad som klotterförebyggande metod.".into()),
            involvement: Some("co_creators".into()),
            goal_ids: vec![goal_a.id],
            cause_ids: vec![place_cause.id],
            action_ids: vec![walk],
            ..MeasureInput::default()
        },
    )?;
    measures::create(
        db,
        &coordinator,
        pid,
        &MeasureInput {
            title: "Bättre belysning i centrum och vid resecentrum".into(),
            responsible_org_id: Some(hem),
            partner_org_ids: vec![kommun],
            start_on: Some(start.clone()),
            end_on: Some(end.clone()),
            status: Some("ongoing".into()),
            no_police_powers: true,
            basis: Some("documented_knowledge".into()),
            basis_note: Some("Situationell brottsprevention: belysning ökar den naturliga övervakningen.".into()),
            involvement: Some("consulted".into()),
            goal_ids: vec![goal_b.id],
            action_ids: vec![lighting],
            ..MeasureInput::default()
        },
    )?;
    let delayed = measures::create(
        db,
        &coordinator,
        pid,
        &MeasureInput {
            title: "Lovaktiviteter för unga i centrum".into(),
            responsible_org_id: Some(kommun),
            start_on: Some(start),
            end_on: Some(end),
            status: Some("ongoing".into()),
            basis: Some("none".into()),
            involvement: Some("informed".into()),
            goal_ids: vec![goal_a.id],
            action_ids: vec![cleaning],
            ..MeasureInput::default()
        },
    )?;
    let p = plan::get(db, &coordinator, pid)?;
    plan::adopt(db, &coordinator, pid, p.version)?;

    // Follow-up in the adopted version: one measure delayed, its deviation recorded.
    measures::set_status(
        db,
        &coordinator,
        delayed.id,
        &MeasureStatusInput { status: "delayed".into(), status_note: Some("Upphandlingen av lovaktiviteterna drog ut på tiden.".into()) },
    )?;
    followup::record(
        db,
        &coordinator,
        pid,
        &DeviationInput {
            what: "Lovaktiviteterna startade inte till sommarlovet som planerat.".into(),
            why: "Upphandlingen av en utförare överklagades.".into(),
            consequence: Some("Färre vuxna i centrum under sommarkvällarna.".into()),
            correction: Some("Fritidsgården håller öppet längre i väntan på ny upphandling.".into()),
            decided_by: Some("Kommunstyrelsens arbetsutskott".into()),
            decided_on: Some(today.to_string()),
            measure_id: Some(delayed.id),
            ..DeviationInput::default()
        },
        FieldErrors::new(),
    )?;
    followup::refresh_values(db, &coordinator, pid)?;
    Ok(DemoDocuments { situation_adopted: sid, situation_draft: draft.situation.id, plan: pid })
}
