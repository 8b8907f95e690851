//! The process evaluation, running all the time: the checks of a plan as data.
//!
//! Three analyses, as seed 003 §2.3 did once by hand:
//! - *målanalys*: is each goal measurable (an indicator with baseline and target; an effect goal
//!   may be measured through its result goals), is each effect goal broken into result goals,
//!   does each result goal state its level, do two goals pull the same series in opposite
//!   directions;
//! - *mål–medelanalys*: is each measure linked to a goal and a cause, does each result and
//!   process goal have a measure, is each measure's basis documented, does the lägesbild name
//!   causes at all;
//! - *genomförandeanalys*: are measures carried out as planned (past the end date and not done
//!   fails; delayed or cancelled needs a documented deviation), does each deviation state its
//!   correction, how were the recipients involved.
//!
//! [`checks`] is pure and gives one row per subject, passing rows included, so a list shows both.
//! Every message is plain Swedish and says what is wrong and what to do; [`Target`] names what to
//! fix. [`input_for`] reads a plan with a fixed number of queries.

use std::collections::{HashMap, HashSet};

use brygga_domain::plans::{Direction, GoalKind, Involvement, MeasureBasis, MeasureStatus};
use jiff::civil::Date;
use serde::Serialize;

use crate::Viewer;
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::plans::{Doc, DocTable};

/// The three analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanAnalysis))]
#[serde(rename_all = "snake_case")]
pub enum Analysis {
    /// Målanalys.
    Goals,
    /// Mål–medelanalys.
    GoalsMeans,
    /// Genomförandeanalys.
    Implementation,
}

impl Analysis {
    pub const ALL: [Analysis; 3] = [Analysis::Goals, Analysis::GoalsMeans, Analysis::Implementation];

    pub fn label(self) -> &'static str {
        match self {
            Analysis::Goals => "Målanalys",
            Analysis::GoalsMeans => "Mål–medelanalys",
            Analysis::Implementation => "Genomförandeanalys",
        }
    }
}

/// What to fix: the part of the plan, and the anchor it has on the plan page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanCheckTarget))]
pub struct Target {
    /// `plan`, `goal`, `indicator`, `measure` or `deviation`.
    pub kind: &'static str,
    pub id: i64,
    /// `mal-12`, `indikator-3`, `insats-5`, `avvikelse-2`, `plan-1`.
    pub anchor: String,
}

impl Target {
    fn new(kind: &'static str, id: i64) -> Self {
        let prefix = match kind {
            "goal" => "mal",
            "indicator" => "indikator",
            "measure" => "insats",
            "deviation" => "avvikelse",
            _ => "plan",
        };
        Self { kind, id, anchor: format!("{prefix}-{id}") }
    }
}

/// One check of one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PlanCheck))]
pub struct Check {
    /// Stable code of the check, e.g. `goal.measurable`.
    pub code: &'static str,
    pub analysis: Analysis,
    pub passed: bool,
    /// What is right, or what is wrong and what to do (plain Swedish).
    pub message: String,
    pub target: Target,
}

/// A goal as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalIn {
    pub id: i64,
    pub kind: GoalKind,
    pub parent_id: Option<i64>,
    pub title: String,
    pub has_level: bool,
}

/// An indicator as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorIn {
    pub id: i64,
    pub goal_id: i64,
    pub name: String,
    pub has_baseline: bool,
    pub has_target: bool,
    pub direction: Direction,
    /// The series it reads (`observations:7:12`, `crime_statistics:Skadegörelse`, …); `None` for
    /// values entered by hand, which are never "the same series".
    pub source_key: Option<String>,
}

/// A measure as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureIn {
    pub id: i64,
    pub title: String,
    pub goal_ids: Vec<i64>,
    pub cause_ids: Vec<i64>,
    pub basis: MeasureBasis,
    /// The library method it is linked to, if any.
    pub method: Option<MethodBasis>,
    pub status: MeasureStatus,
    pub end_on: Option<Date>,
    pub involvement: Option<Involvement>,
    /// Deviations recorded for the measure.
    pub deviation_count: usize,
}

/// A measure's library method as the basis check needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodBasis {
    pub short_name: String,
    /// Whether the method's rating is documented (its Effect is rated).
    pub rated: bool,
    /// "minskar brottsligheten, evidensstyrka 3 av 5".
    pub effect_summary: String,
}

/// A deviation as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviationIn {
    pub id: i64,
    pub what: String,
    pub has_correction: bool,
}

/// Everything the checks read.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationInput {
    pub plan_id: i64,
    pub goals: Vec<GoalIn>,
    pub indicators: Vec<IndicatorIn>,
    pub measures: Vec<MeasureIn>,
    pub deviations: Vec<DeviationIn>,
    /// Prioritised problems and their causes in the plan's lägesbild.
    pub problem_count: usize,
    pub cause_count: usize,
    pub today: Date,
}

/// `1 orsak`, `3 orsaker`: Swedish needs the singular for one.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn row(code: &'static str, analysis: Analysis, passed: bool, message: String, target: Target) -> Check {
    Check { code, analysis, passed, message, target }
}

/// The checks, målanalys first, each analysis in the plan's order of goals and measures.
pub fn checks(input: &EvaluationInput) -> Vec<Check> {
    let mut out = Vec::new();
    goal_analysis(input, &mut out);
    goals_means_analysis(input, &mut out);
    implementation_analysis(input, &mut out);
    out
}

fn goal_analysis(input: &EvaluationInput, out: &mut Vec<Check>) {
    let mut children: HashMap<i64, Vec<&GoalIn>> = HashMap::new();
    for g in &input.goals {
        if let Some(p) = g.parent_id {
            children.entry(p).or_default().push(g);
        }
    }
    let measured: HashSet<i64> = input.indicators.iter().filter(|i| i.has_baseline && i.has_target).map(|i| i.goal_id).collect();
    let has_indicator: HashSet<i64> = input.indicators.iter().map(|i| i.goal_id).collect();
    // An effect goal is measurable through any measurable result goal below it.
    let through_results = |id: i64| -> bool {
        let mut stack = vec![id];
        let mut seen = HashSet::new();
        while let Some(g) = stack.pop() {
            if !seen.insert(g) {
                continue;
            }
            for c in children.get(&g).map(Vec::as_slice).unwrap_or_default() {
                if c.kind == GoalKind::Result && measured.contains(&c.id) {
                    return true;
                }
                stack.push(c.id);
            }
        }
        false
    };
    for g in &input.goals {
        let t = &g.title;
        let target = Target::new("goal", g.id);
        let (passed, message) = if measured.contains(&g.id) {
            (true, format!("Målet ”{t}” är mätbart: det har en indikator med utgångsvärde och målvärde."))
        } else if g.kind == GoalKind::Effect && through_results(g.id) {
            (true, format!("Effektmålet ”{t}” mäts genom sina resultatmål."))
        } else if has_indicator.contains(&g.id) {
            (
                false,
                format!(
                    "Målet ”{t}” går inte att följa upp: ingen av dess indikatorer har både utgångsvärde och målvärde. Ange utgångsvärde och målvärde för indikatorn."
                ),
            )
        } else if g.kind == GoalKind::Effect {
            (
                false,
                format!(
                    "Effektmålet ”{t}” går inte att mäta: det har ingen indikator och inget mätbart resultatmål. Lägg till en indikator med utgångsvärde och målvärde, eller mät det genom ett resultatmål."
                ),
            )
        } else {
            (
                false,
                format!(
                    "Målet ”{t}” går inte att mäta: det saknar indikator. Lägg till en indikator med källa, utgångsvärde och målvärde."
                ),
            )
        };
        out.push(row("goal.measurable", Analysis::Goals, passed, message, target));

        match g.kind {
            GoalKind::Effect => {
                let results = children.get(&g.id).map_or(0, |c| c.iter().filter(|c| c.kind == GoalKind::Result).count());
                let (passed, message) = if results > 0 {
                    (true, format!("Effektmålet ”{t}” är nedbrutet i {results} resultatmål."))
                } else {
                    (
                        false,
                        format!(
                            "Effektmålet ”{t}” är inte nedbrutet i resultatmål. Lägg till minst ett resultatmål under det: vad ska bli annorlunda, för vem och var?"
                        ),
                    )
                };
                out.push(row("goal.broken_down", Analysis::Goals, passed, message, Target::new("goal", g.id)));
            }
            GoalKind::Result => {
                let (passed, message) = if g.has_level {
                    (true, format!("Resultatmålet ”{t}” anger på vilken nivå resultatet ska märkas."))
                } else {
                    (
                        false,
                        format!(
                            "Resultatmålet ”{t}” anger inte nivå. Välj var resultatet ska märkas: individ, grupp, område, organisation eller kommun."
                        ),
                    )
                };
                out.push(row("goal.level", Analysis::Goals, passed, message, Target::new("goal", g.id)));
            }
            GoalKind::Process => {}
        }
    }

    // Two goals pulling the same series in opposite directions.
    let titles: HashMap<i64, &str> = input.goals.iter().map(|g| (g.id, g.title.as_str())).collect();
    let mut by_series: Vec<(&str, Vec<&IndicatorIn>)> = Vec::new();
    for i in &input.indicators {
        let Some(key) = i.source_key.as_deref() else { continue };
        match by_series.iter_mut().find(|s| s.0 == key) {
            Some(s) => s.1.push(i),
            None => by_series.push((key, vec![i])),
        }
    }
    let mut conflicts = 0;
    for (_, list) in &by_series {
        let up = list.iter().find(|i| i.direction == Direction::Increase);
        let down = list.iter().find(|i| i.direction == Direction::Decrease && up.is_some_and(|u| u.goal_id != i.goal_id));
        if let (Some(up), Some(down)) = (up, down) {
            conflicts += 1;
            let (a, b) = (titles.get(&up.goal_id).copied().unwrap_or("?"), titles.get(&down.goal_id).copied().unwrap_or("?"));
            out.push(row(
                "goal.opposite",
                Analysis::Goals,
                false,
                format!(
                    "Målen ”{a}” och ”{b}” drar samma serie åt olika håll: indikatorn ”{}” ska öka och ”{}” ska minska. Bestäm vilken riktning som gäller, eller välj en annan indikator för det ena målet.",
                    up.name, down.name
                ),
                Target::new("indicator", down.id),
            ));
        }
    }
    if conflicts == 0 {
        out.push(row(
            "goal.opposite",
            Analysis::Goals,
            true,
            "Inga två mål drar samma serie åt olika håll.".to_owned(),
            Target::new("plan", input.plan_id),
        ));
    }
}

fn goals_means_analysis(input: &EvaluationInput, out: &mut Vec<Check>) {
    let a = Analysis::GoalsMeans;
    let (passed, message) = if input.cause_count > 0 {
        (
            true,
            format!(
                "Lägesbilden anger {} till {} prioriterade problem.",
                count(input.cause_count, "orsak", "orsaker"),
                input.problem_count
            ),
        )
    } else if input.problem_count > 0 {
        (
            false,
            "Lägesbildens problem saknar orsaker. Gör en orsaksanalys i lägesbilden så att insatserna kan riktas mot orsakerna.".to_owned(),
        )
    } else {
        (
            false,
            "Planen vilar inte på några prioriterade problem. Koppla planen till en lägesbild med problem och deras orsaker.".to_owned(),
        )
    };
    out.push(row("plan.causes", a, passed, message, Target::new("plan", input.plan_id)));

    for m in &input.measures {
        let t = &m.title;
        let (passed, message) = if m.goal_ids.is_empty() {
            (false, format!("Insatsen ”{t}” är inte kopplad till något mål. Välj vilka mål insatsen ska bidra till."))
        } else {
            (true, format!("Insatsen ”{t}” är kopplad till {} mål.", m.goal_ids.len()))
        };
        out.push(row("measure.goal", a, passed, message, Target::new("measure", m.id)));
        let (passed, message) = if m.cause_ids.is_empty() {
            (false, format!("Insatsen ”{t}” är inte kopplad till någon orsak. Välj vilka orsaker i lägesbilden insatsen ska påverka."))
        } else {
            (true, format!("Insatsen ”{t}” riktar sig mot {}.", count(m.cause_ids.len(), "orsak", "orsaker")))
        };
        out.push(row("measure.cause", a, passed, message, Target::new("measure", m.id)));
        let (passed, message) = match m.basis {
            _ if m.method.as_ref().is_some_and(|x| x.rated) => {
                let x = m.method.as_ref().expect("checked");
                (true, format!("Insatsen ”{t}” grundas på metoden {} (effekt: {}).", x.short_name, x.effect_summary))
            }
            MeasureBasis::EvaluatedMethod => (true, format!("Insatsen ”{t}” bygger på en utvärderad metod.")),
            MeasureBasis::DocumentedKnowledge => (true, format!("Insatsen ”{t}” bygger på dokumenterad kunskap.")),
            MeasureBasis::None => (
                false,
                format!(
                    "Insatsen ”{t}” saknar dokumenterad kunskapsgrund. Ange vilken utvärderad metod eller dokumenterade kunskap insatsen bygger på."
                ),
            ),
        };
        out.push(row("measure.basis", a, passed, message, Target::new("measure", m.id)));
    }
    let mut served: HashMap<i64, usize> = HashMap::new();
    for m in &input.measures {
        for g in &m.goal_ids {
            *served.entry(*g).or_default() += 1;
        }
    }
    for g in input.goals.iter().filter(|g| g.kind != GoalKind::Effect) {
        let t = &g.title;
        let n = served.get(&g.id).copied().unwrap_or(0);
        let (passed, message) = if n > 0 {
            (true, format!("Målet ”{t}” har {}.", count(n, "insats", "insatser")))
        } else {
            (
                false,
                format!("Målet ”{t}” har ingen insats. Lägg till en insats som ska nå målet, eller koppla en befintlig insats till det."),
            )
        };
        out.push(row("goal.measure", a, passed, message, Target::new("goal", g.id)));
    }
}

fn implementation_analysis(input: &EvaluationInput, out: &mut Vec<Check>) {
    let a = Analysis::Implementation;
    for m in &input.measures {
        let t = &m.title;
        let overdue = m.end_on.is_some_and(|e| e < input.today)
            && matches!(m.status, MeasureStatus::Planned | MeasureStatus::Ongoing | MeasureStatus::Delayed);
        let (passed, message) = if overdue {
            (
                false,
                format!(
                    "Insatsen ”{t}” skulle ha varit klar {} men är inte genomförd. Uppdatera status och dokumentera avvikelsen.",
                    m.end_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            )
        } else {
            match m.status {
                MeasureStatus::Delayed => (false, format!("Insatsen ”{t}” är försenad.")),
                MeasureStatus::Cancelled => (false, format!("Insatsen ”{t}” är inställd.")),
                MeasureStatus::Done => (true, format!("Insatsen ”{t}” är genomförd.")),
                _ => (true, format!("Insatsen ”{t}” går enligt plan.")),
            }
        };
        out.push(row("measure.on_plan", a, passed, message, Target::new("measure", m.id)));
        if overdue || matches!(m.status, MeasureStatus::Delayed | MeasureStatus::Cancelled) {
            let (passed, message) = if m.deviation_count > 0 {
                (true, format!("Avvikelsen i insatsen ”{t}” är dokumenterad."))
            } else {
                (
                    false,
                    format!(
                        "Insatsen ”{t}” går inte enligt plan och ingen avvikelse är dokumenterad. Dokumentera vad som avvek, varför, vad det får för konsekvens och vem som beslutade."
                    ),
                )
            };
            out.push(row("measure.deviation", a, passed, message, Target::new("measure", m.id)));
        }
        let (passed, message) = match m.involvement {
            None => (
                false,
                format!(
                    "Det står inte hur mottagarna av insatsen ”{t}” var delaktiga. Ange om de var medskapare, tillfrågade, informerade eller passiva mottagare."
                ),
            ),
            Some(Involvement::Passive) => (
                false,
                format!(
                    "Mottagarna av insatsen ”{t}” är passiva mottagare. Fråga dem eller låt dem vara med och utforma insatsen: insatser som mottagarna är delaktiga i fungerar bättre."
                ),
            ),
            Some(i) => (true, format!("Mottagarna av insatsen ”{t}” var delaktiga: {}.", i.label().to_lowercase())),
        };
        out.push(row("measure.involvement", a, passed, message, Target::new("measure", m.id)));
    }
    for d in &input.deviations {
        let (passed, message) = if d.has_correction {
            (true, format!("Avvikelsen ”{}” anger hur den ska rättas.", d.what))
        } else {
            (false, format!("Avvikelsen ”{}” anger ingen åtgärd. Skriv hur avvikelsen ska rättas eller hanteras.", d.what))
        };
        out.push(row("deviation.correction", a, passed, message, Target::new("deviation", d.id)));
    }
}

/// The series an indicator reads, as a key two indicators share when they read the same data.
pub fn source_key(
    source: &str,
    category_id: Option<i64>,
    area_id: Option<i64>,
    offence: Option<&str>,
    question: Option<&str>,
    survey_area: Option<&str>,
) -> Option<String> {
    match source {
        "observations" => Some(format!("observations:{}:{}", category_id?, area_id.map_or("*".to_owned(), |a| a.to_string()))),
        "crime_statistics" => Some(format!("crime_statistics:{}", offence?)),
        "safety_survey" => Some(format!("safety_survey:{}:{}", question?, survey_area.unwrap_or("*"))),
        _ => None,
    }
}

/// Reads what the checks need of plan `plan_id` (the viewer must be able to read it), with a
/// fixed number of queries whatever the plan's size.
pub fn input_for(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<EvaluationInput> {
    Doc::load(db, v, DocTable::Plan, plan_id)?;
    read_input(db, plan_id, brygga_domain::time::today())
}

fn parse<T>(code: &str, f: fn(&str) -> Option<T>) -> StoreResult<T> {
    f(code).ok_or_else(|| StoreError::Internal(format!("code {code}")))
}

/// [`input_for`] without the read check (callers have made it).
pub(crate) fn read_input(db: &mut dyn Conn, plan_id: i64, today: Date) -> StoreResult<EvaluationInput> {
    let goals = db.map_all(
        "SELECT id, kind, parent_id, title, level FROM plan_goals WHERE plan_id = $1 ORDER BY position, id",
        &[plan_id.into()],
        |r| {
            let kind: String = r.get("kind")?;
            let level: Option<String> = r.get("level")?;
            Ok((r.get::<i64>("id")?, kind, r.get::<Option<i64>>("parent_id")?, r.get::<String>("title")?, level.is_some()))
        },
    )?;
    let goals = goals
        .into_iter()
        .map(|(id, kind, parent_id, title, has_level)| {
            Ok(GoalIn { id, kind: parse(&kind, GoalKind::from_code)?, parent_id, title, has_level })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let indicators = db.map_all(
        "SELECT id, goal_id, name, source, category_id, area_id, offence, survey_question, survey_area, direction, baseline_value, target_value
         FROM plan_indicators WHERE plan_id = $1 ORDER BY position, id",
        &[plan_id.into()],
        |r| {
            let source: String = r.get("source")?;
            let offence: Option<String> = r.get("offence")?;
            let question: Option<String> = r.get("survey_question")?;
            let survey_area: Option<String> = r.get("survey_area")?;
            let baseline: Option<f64> = r.get("baseline_value")?;
            let target: Option<f64> = r.get("target_value")?;
            let direction: String = r.get("direction")?;
            Ok((
                r.get::<i64>("id")?,
                r.get::<i64>("goal_id")?,
                r.get::<String>("name")?,
                baseline.is_some(),
                target.is_some(),
                direction,
                source_key(
                    &source,
                    r.get("category_id")?,
                    r.get("area_id")?,
                    offence.as_deref(),
                    question.as_deref(),
                    survey_area.as_deref(),
                ),
            ))
        },
    )?;
    let indicators = indicators
        .into_iter()
        .map(|(id, goal_id, name, has_baseline, has_target, direction, source_key)| {
            Ok(IndicatorIn { id, goal_id, name, has_baseline, has_target, direction: parse(&direction, Direction::from_code)?, source_key })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let measure_rows = db.map_all(
        "SELECT m.id, m.title, m.basis, m.method_id, m.status, m.end_on, m.involvement,
                (SELECT COUNT(*) FROM plan_deviations d WHERE d.measure_id = m.id) AS deviations
         FROM plan_measures m WHERE m.plan_id = $1 ORDER BY m.position, m.id",
        &[plan_id.into()],
        |r| {
            Ok((
                r.get::<i64>("id")?,
                r.get::<String>("title")?,
                r.get::<String>("basis")?,
                r.get::<Option<i64>>("method_id")?,
                r.get::<String>("status")?,
                r.get::<Option<String>>("end_on")?,
                r.get::<Option<String>>("involvement")?,
                r.get::<i64>("deviations")?,
            ))
        },
    )?;
    let links: Vec<(i64, i64)> = db.map_all(
        "SELECT mg.measure_id, mg.goal_id FROM measure_goals mg JOIN plan_measures m ON m.id = mg.measure_id WHERE m.plan_id = $1 ORDER BY mg.goal_id",
        &[plan_id.into()],
        |r| Ok((r.get("measure_id")?, r.get("goal_id")?)),
    )?;
    let causes: Vec<(i64, i64)> = db.map_all(
        "SELECT mc.measure_id, mc.cause_id FROM measure_causes mc JOIN plan_measures m ON m.id = mc.measure_id WHERE m.plan_id = $1 ORDER BY mc.cause_id",
        &[plan_id.into()],
        |r| Ok((r.get("measure_id")?, r.get("cause_id")?)),
    )?;
    let mut goals_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (m, g) in links {
        goals_of.entry(m).or_default().push(g);
    }
    let mut causes_of: HashMap<i64, Vec<i64>> = HashMap::new();
    for (m, c) in causes {
        causes_of.entry(m).or_default().push(c);
    }
    let method_ids: Vec<i64> = measure_rows.iter().filter_map(|r| r.3).collect();
    let badges = crate::knowledge::methods::badges(db, &method_ids)?;
    let measures = measure_rows
        .into_iter()
        .map(|(id, title, basis, method_id, status, end_on, involvement, deviations)| {
            Ok(MeasureIn {
                id,
                title,
                goal_ids: goals_of.remove(&id).unwrap_or_default(),
                cause_ids: causes_of.remove(&id).unwrap_or_default(),
                basis: parse(&basis, MeasureBasis::from_code)?,
                method: method_id.and_then(|m| badges.iter().find(|b| b.id == m)).map(|b| MethodBasis {
                    short_name: b.short_name.clone(),
                    rated: b.rated,
                    effect_summary: b.effect_summary.clone(),
                }),
                status: parse(&status, MeasureStatus::from_code)?,
                end_on: end_on.and_then(|d| d.parse().ok()),
                involvement: match involvement {
                    Some(i) => Some(parse(&i, Involvement::from_code)?),
                    None => None,
                },
                deviation_count: usize::try_from(deviations).unwrap_or(0),
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let deviations = db.map_all(
        "SELECT id, what, correction FROM plan_deviations WHERE plan_id = $1 ORDER BY created_at, id",
        &[plan_id.into()],
        |r| {
            let correction: Option<String> = r.get("correction")?;
            Ok(DeviationIn { id: r.get("id")?, what: r.get("what")?, has_correction: correction.is_some_and(|c| !c.trim().is_empty()) })
        },
    )?;
    let counts = db.map_all(
        "SELECT (SELECT COUNT(*) FROM situation_problems sp WHERE sp.situation_id = p.situation_id) AS problems,
                (SELECT COUNT(*) FROM problem_causes c JOIN situation_problems sp ON sp.id = c.problem_id WHERE sp.situation_id = p.situation_id) AS causes
         FROM action_plans p WHERE p.id = $1",
        &[Value::from(plan_id)],
        |r| Ok((r.get::<i64>("problems")?, r.get::<i64>("causes")?)),
    )?;
    let (problems, causes) = counts.first().copied().unwrap_or((0, 0));
    Ok(EvaluationInput {
        plan_id,
        goals,
        indicators,
        measures,
        deviations,
        problem_count: usize::try_from(problems).unwrap_or(0),
        cause_count: usize::try_from(causes).unwrap_or(0),
        today,
    })
}

/// The checks of plan `plan_id`, for the page and the API (the same list).
pub fn evaluate(db: &mut dyn Conn, v: &Viewer, plan_id: i64) -> StoreResult<Vec<Check>> {
    Ok(checks(&input_for(db, v, plan_id)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn goal(id: i64, kind: GoalKind, parent_id: Option<i64>, title: &str, has_level: bool) -> GoalIn {
        GoalIn { id, kind, parent_id, title: title.into(), has_level }
    }

    fn indicator(id: i64, goal_id: i64, complete: bool, direction: Direction, key: Option<&str>) -> IndicatorIn {
        IndicatorIn {
            id,
            goal_id,
            name: format!("Indikator {id}"),
            has_baseline: complete,
            has_target: complete,
            direction,
            source_key: key.map(Into::into),
        }
    }

    fn measure(id: i64, goals: &[i64], causes: &[i64]) -> MeasureIn {
        MeasureIn {
            id,
            title: format!("Insats {id}"),
            goal_ids: goals.to_vec(),
            cause_ids: causes.to_vec(),
            basis: MeasureBasis::EvaluatedMethod,
            method: None,
            status: MeasureStatus::Ongoing,
            end_on: Some(date("2027-12-31")),
            involvement: Some(Involvement::Consulted),
            deviation_count: 0,
        }
    }

    /// A plan that passes every check: effect goal 1 → result goal 2 (measured, level) ← process
    /// goal 3 (measured), one measure serving 2 and 3 against a cause.
    fn good() -> EvaluationInput {
        EvaluationInput {
            plan_id: 9,
            goals: vec![
                goal(1, GoalKind::Effect, None, "Tryggare centrum", false),
                goal(2, GoalKind::Result, Some(1), "Mindre klotter", true),
                goal(3, GoalKind::Process, Some(2), "Snabb sanering", false),
            ],
            indicators: vec![
                indicator(10, 2, true, Direction::Decrease, Some("observations:1:5")),
                indicator(11, 3, true, Direction::Increase, None),
            ],
            measures: vec![measure(20, &[2, 3], &[30])],
            deviations: vec![],
            problem_count: 1,
            cause_count: 2,
            today: date("2026-12-01"),
        }
    }

    fn find<'a>(checks: &'a [Check], code: &str, id: i64) -> Vec<&'a Check> {
        checks.iter().filter(|c| c.code == code && c.target.id == id).collect()
    }

    fn failing(checks: &[Check]) -> Vec<(&'static str, i64)> {
        checks.iter().filter(|c| !c.passed).map(|c| (c.code, c.target.id)).collect()
    }

    #[test]
    fn a_good_plan_passes_every_check_with_one_row_per_subject() {
        let c = checks(&good());
        assert_eq!(failing(&c), []);
        let codes: Vec<(&str, i64)> = c.iter().map(|c| (c.code, c.target.id)).collect();
        assert_eq!(
            codes,
            [
                ("goal.measurable", 1),
                ("goal.broken_down", 1),
                ("goal.measurable", 2),
                ("goal.level", 2),
                ("goal.measurable", 3),
                ("goal.opposite", 9),
                ("plan.causes", 9),
                ("measure.goal", 20),
                ("measure.cause", 20),
                ("measure.basis", 20),
                ("goal.measure", 2),
                ("goal.measure", 3),
                ("measure.on_plan", 20),
                ("measure.involvement", 20),
            ]
        );
        assert_eq!(find(&c, "goal.measurable", 1)[0].message, "Effektmålet ”Tryggare centrum” mäts genom sina resultatmål.");
        assert_eq!(c[0].analysis, Analysis::Goals);
        assert_eq!(find(&c, "measure.basis", 20)[0].analysis, Analysis::GoalsMeans);
        assert_eq!(find(&c, "measure.on_plan", 20)[0].analysis, Analysis::Implementation);
        assert_eq!(find(&c, "measure.on_plan", 20)[0].target.anchor, "insats-20");
    }

    #[test]
    fn goals_without_indicators_or_with_incomplete_ones_are_not_measurable() {
        let mut p = good();
        p.indicators[0].has_target = false;
        let c = checks(&p);
        // Goal 2 has an indicator without target; the effect goal has no measurable result goal left.
        let two = find(&c, "goal.measurable", 2)[0];
        assert!(!two.passed && two.message.contains("både utgångsvärde och målvärde"), "{two:?}");
        let one = find(&c, "goal.measurable", 1)[0];
        assert!(!one.passed && one.message.contains("Effektmålet ”Tryggare centrum” går inte att mäta"), "{one:?}");
        p.indicators.clear();
        let c = checks(&p);
        let three = find(&c, "goal.measurable", 3)[0];
        assert!(!three.passed && three.message.contains("saknar indikator. Lägg till en indikator"), "{three:?}");
        assert_eq!(three.target, Target { kind: "goal", id: 3, anchor: "mal-3".into() });
    }

    #[test]
    fn an_effect_goal_measured_by_a_grandchild_result_goal_passes() {
        let mut p = good();
        p.goals.push(goal(4, GoalKind::Result, Some(2), "Färre anmälda skadegörelsebrott", true));
        p.indicators = vec![indicator(12, 4, true, Direction::Decrease, None), indicator(11, 3, true, Direction::Increase, None)];
        let c = checks(&p);
        assert!(find(&c, "goal.measurable", 1)[0].passed);
        assert!(!find(&c, "goal.measurable", 2)[0].passed, "a result goal is measured by its own indicators");
    }

    #[test]
    fn an_effect_goal_without_result_goals_fails_and_says_what_to_add() {
        let mut p = good();
        p.goals[1].kind = GoalKind::Process;
        let c = checks(&p);
        let b = find(&c, "goal.broken_down", 1)[0];
        assert!(!b.passed);
        assert!(b.message.contains("Lägg till minst ett resultatmål"), "{}", b.message);
    }

    #[test]
    fn a_result_goal_without_level_fails() {
        let mut p = good();
        p.goals[1].has_level = false;
        let c = checks(&p);
        assert_eq!(failing(&c), [("goal.level", 2)]);
        assert!(find(&c, "goal.level", 2)[0].message.contains("individ, grupp, område, organisation eller kommun"));
    }

    #[test]
    fn two_goals_pulling_one_series_apart_fail_on_the_decreasing_indicator() {
        let mut p = good();
        p.indicators[1].source_key = Some("observations:1:5".into());
        p.indicators[1].direction = Direction::Increase;
        let c = checks(&p);
        assert_eq!(failing(&c), [("goal.opposite", 10)]);
        let o = find(&c, "goal.opposite", 10)[0];
        assert!(o.message.contains("”Mindre klotter”") && o.message.contains("”Snabb sanering”"), "{}", o.message);
        assert!(o.message.contains("Bestäm vilken riktning"));
        // The same direction on one series is fine; entered values are never "the same series".
        p.indicators[1].direction = Direction::Decrease;
        assert_eq!(failing(&checks(&p)), []);
        p.indicators[1].direction = Direction::Increase;
        p.indicators[1].source_key = None;
        p.indicators[0].source_key = None;
        assert_eq!(failing(&checks(&p)), []);
    }

    #[test]
    fn measures_need_a_goal_a_cause_and_a_basis() {
        let mut p = good();
        p.measures.push(MeasureIn { basis: MeasureBasis::None, ..measure(21, &[], &[]) });
        let c = checks(&p);
        assert_eq!(failing(&c), [("measure.goal", 21), ("measure.cause", 21), ("measure.basis", 21)]);
        assert!(find(&c, "measure.goal", 21)[0].message.contains("Välj vilka mål"));
        assert!(find(&c, "measure.cause", 21)[0].message.contains("Välj vilka orsaker"));
        assert!(find(&c, "measure.basis", 21)[0].message.contains("saknar dokumenterad kunskapsgrund"));
        p.measures[1].basis = MeasureBasis::DocumentedKnowledge;
        assert!(find(&checks(&p), "measure.basis", 21)[0].passed);
    }

    #[test]
    fn a_measure_linked_to_a_rated_method_has_a_documented_basis() {
        let mut p = good();
        let gvi =
            |rated| MethodBasis { short_name: "GVI".into(), rated, effect_summary: "minskar brottsligheten, evidensstyrka 3 av 5".into() };
        // An unrated method is no documented basis: the basis field decides, as before.
        p.measures.push(MeasureIn { basis: MeasureBasis::None, method: Some(gvi(false)), ..measure(22, &[2], &[]) });
        let c = checks(&p);
        assert!(!find(&c, "measure.basis", 22)[0].passed);
        assert!(find(&c, "measure.basis", 22)[0].message.contains("saknar dokumenterad kunskapsgrund"));
        // A rated one is, and the message names it and its effect.
        p.measures[1].method = Some(gvi(true));
        let c = checks(&p);
        let row = &find(&c, "measure.basis", 22)[0];
        assert!(row.passed);
        assert_eq!(row.message, "Insatsen ”Insats 22” grundas på metoden GVI (effekt: minskar brottsligheten, evidensstyrka 3 av 5).");
        // Without a method the basis field still decides.
        p.measures[1].method = None;
        p.measures[1].basis = MeasureBasis::EvaluatedMethod;
        assert!(find(&checks(&p), "measure.basis", 22)[0].message.contains("bygger på en utvärderad metod"));
    }

    #[test]
    fn result_and_process_goals_need_a_measure_effect_goals_do_not() {
        let mut p = good();
        p.measures[0].goal_ids = vec![2];
        let c = checks(&p);
        assert_eq!(failing(&c), [("goal.measure", 3)]);
        assert!(find(&c, "goal.measure", 1).is_empty());
        assert!(find(&c, "goal.measure", 3)[0].message.contains("har ingen insats"));
    }

    #[test]
    fn a_plan_without_causes_fails_the_cause_check() {
        let mut p = good();
        p.cause_count = 0;
        let c = checks(&p);
        assert_eq!(failing(&c), [("plan.causes", 9)]);
        assert!(find(&c, "plan.causes", 9)[0].message.contains("Gör en orsaksanalys"));
        p.problem_count = 0;
        assert!(find(&checks(&p), "plan.causes", 9)[0].message.contains("Koppla planen till en lägesbild"));
    }

    #[test]
    fn a_measure_past_its_end_date_and_not_done_fails_and_needs_a_deviation() {
        let mut p = good();
        p.measures[0].end_on = Some(date("2026-11-30"));
        let c = checks(&p);
        assert_eq!(failing(&c), [("measure.on_plan", 20), ("measure.deviation", 20)]);
        assert!(find(&c, "measure.on_plan", 20)[0].message.contains("skulle ha varit klar 2026-11-30"));
        // Done in time: passes; the end date being today is not past.
        p.measures[0].status = MeasureStatus::Done;
        assert_eq!(failing(&checks(&p)), []);
        p.measures[0].status = MeasureStatus::Ongoing;
        p.measures[0].end_on = Some(date("2026-12-01"));
        assert_eq!(failing(&checks(&p)), []);
    }

    #[test]
    fn delayed_or_cancelled_measures_need_a_documented_deviation() {
        for status in [MeasureStatus::Delayed, MeasureStatus::Cancelled] {
            let mut p = good();
            p.measures[0].status = status;
            let c = checks(&p);
            assert_eq!(failing(&c), [("measure.on_plan", 20), ("measure.deviation", 20)], "{status:?}");
            assert!(find(&c, "measure.deviation", 20)[0].message.contains("ingen avvikelse är dokumenterad"));
            p.measures[0].deviation_count = 1;
            p.deviations.push(DeviationIn { id: 40, what: "Sanering försenad".into(), has_correction: true });
            let c = checks(&p);
            assert_eq!(failing(&c), [("measure.on_plan", 20)], "{status:?}");
            assert!(find(&c, "measure.deviation", 20)[0].passed);
            assert!(find(&c, "deviation.correction", 40)[0].passed);
        }
    }

    #[test]
    fn a_deviation_without_a_correction_fails() {
        let mut p = good();
        p.deviations.push(DeviationIn { id: 41, what: "Ny leverantör".into(), has_correction: false });
        let c = checks(&p);
        assert_eq!(failing(&c), [("deviation.correction", 41)]);
        assert_eq!(find(&c, "deviation.correction", 41)[0].target.anchor, "avvikelse-41");
    }

    #[test]
    fn recipients_involvement_must_be_recorded_and_passive_gets_advice() {
        let mut p = good();
        p.measures[0].involvement = None;
        let c = checks(&p);
        assert_eq!(failing(&c), [("measure.involvement", 20)]);
        assert!(find(&c, "measure.involvement", 20)[0].message.contains("Ange om de var medskapare"));
        p.measures[0].involvement = Some(Involvement::Passive);
        let c = checks(&p);
        assert_eq!(failing(&c), [("measure.involvement", 20)]);
        assert!(find(&c, "measure.involvement", 20)[0].message.contains("låt dem vara med och utforma"));
        for ok in [Involvement::CoCreators, Involvement::Consulted, Involvement::Informed] {
            p.measures[0].involvement = Some(ok);
            assert_eq!(failing(&checks(&p)), [], "{ok:?}");
        }
    }

    #[test]
    fn source_keys_match_the_same_series_only() {
        assert_eq!(source_key("observations", Some(1), Some(5), None, None, None).as_deref(), Some("observations:1:5"));
        assert_eq!(source_key("observations", Some(1), None, None, None, None).as_deref(), Some("observations:1:*"));
        assert_eq!(
            source_key("crime_statistics", None, None, Some("Skadegörelse"), None, None).as_deref(),
            Some("crime_statistics:Skadegörelse")
        );
        assert_eq!(source_key("safety_survey", None, None, None, Some("q1"), Some("Centrum")).as_deref(), Some("safety_survey:q1:Centrum"));
        assert_eq!(source_key("manual", Some(1), Some(5), None, None, None), None);
        assert_eq!(source_key("observations", None, Some(5), None, None, None), None);
    }

    #[test]
    fn a_large_plan_gets_one_row_per_subject() {
        let mut p = good();
        p.goals = (1..=50)
            .map(|i| goal(i, if i == 1 { GoalKind::Effect } else { GoalKind::Result }, (i > 1).then_some(1), &format!("Mål {i}"), true))
            .collect();
        p.indicators = (1..=100).map(|i| indicator(100 + i, 1 + i % 50, true, Direction::Decrease, Some(&format!("k{}", i % 7)))).collect();
        p.measures = (1..=200).map(|i| measure(1000 + i, &[1 + i % 50], &[1])).collect();
        let c = checks(&p);
        // 50 measurable + 1 broken down + 49 levels + 1 opposite; 1 causes + 200 × 3 + 49 goal
        // measures; 200 × 2 on plan and involvement.
        assert_eq!(c.len(), 50 + 1 + 49 + 1 + 1 + 600 + 49 + 400);
        assert_eq!(failing(&c), []);
    }
}
