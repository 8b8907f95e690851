//! The county table — seed 003's baseline table, kept live: for each municipality of a county on
//! a date, whether it has a current samverkansöverenskommelse and a current joint medborgarlöfte,
//! whether a current agreement refers to causes (its lägesbild/problembild has a cause analysis)
//! or sets only effect goals (its plan has goals and all are effect goals), and the score of the
//! county board's latest snapshot and of its latest baseline, with the totals row ("22 av 30").
//! A second date compares the flags and scores then and now.
//!
//! It counts only the agreements the viewer may read ([`sharing::agreement_readable`]): a county
//! board overseeing every municipality of its county sees them all; anyone else sees the table of
//! what they can read (say, their own municipality). The county `riket` is the whole country (a
//! national programme's view). Scores are the county board's snapshots
//! (not self-assessments). Five queries per date, whatever the county's size.

use jiff::civil::Date;
use serde::Serialize;

use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::places::geography;
use crate::{Viewer, args};

/// A score from a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreRef {
    pub snapshot_id: i64,
    pub agreement_id: i64,
    pub label: String,
    pub taken_on: String,
    pub score_percent: Option<f64>,
}

/// One municipality's state on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flags {
    pub cooperation_agreement: bool,
    pub joint_citizen_promise: bool,
    pub refers_to_causes: bool,
    pub only_effect_goals: bool,
    /// The county board's latest snapshot on or before the date.
    pub latest: Option<ScoreRef>,
    /// The county board's latest baseline snapshot on or before the date.
    pub baseline: Option<ScoreRef>,
}

impl Flags {
    /// Latest minus baseline, in percentage points, when both are scored and differ in snapshot.
    pub fn change(&self) -> Option<f64> {
        match (&self.baseline, &self.latest) {
            (Some(b), Some(l)) if b.snapshot_id != l.snapshot_id => Some(((l.score_percent? - b.score_percent?) * 10.0).round() / 10.0),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyRow {
    pub municipality_code: String,
    pub municipality_name: String,
    pub on: Flags,
    /// The same at the comparison date, when asked for.
    pub then: Option<Flags>,
}

/// "22 av 30": counts over the municipalities.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    pub municipalities: i64,
    pub cooperation_agreement: i64,
    pub joint_citizen_promise: i64,
    pub refers_to_causes: i64,
    pub only_effect_goals: i64,
    pub assessed: i64,
    /// Mean of the latest scores of the assessed municipalities.
    pub mean_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyTable {
    pub county_code: String,
    pub county_name: String,
    /// `2026-12-06`.
    pub on: String,
    pub compare_on: Option<String>,
    pub rows: Vec<CountyRow>,
    pub totals: Totals,
    pub compare_totals: Option<Totals>,
}

/// The county the viewer most likely wants: the one of its first county board's municipalities,
/// else of its first organisation's.
pub fn county_of_viewer(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Option<String>> {
    let mut ms = v.memberships().to_vec();
    ms.sort_by_key(|m| m.org_kind != brygga_domain::OrgKind::CountyBoard);
    for m in ms {
        if let Some(code) = m.municipalities.first() {
            return Ok(db.scalar_opt("SELECT county_code FROM municipalities WHERE code = $1", args![code.as_str()])?);
        }
    }
    Ok(None)
}

/// A current agreement: id, municipality, kind, lägesbild, plan.
type CurrentRow = (i64, String, String, Option<i64>, Option<i64>);

fn flags_on(db: &mut dyn Conn, v: &Viewer, county: &str, on: Date) -> StoreResult<Vec<(String, Flags)>> {
    let d = on.to_string();
    let [orgs, forums] = sharing::readable_args(v);
    let readable = sharing::agreement_readable(db.dialect(), "a", 1);
    // The current agreements, then what the flags need about them in one query per table (no
    // correlated subqueries: the plan stays flat whatever the planner's statistics say).
    let current: Vec<CurrentRow> = db.map_all(
        &format!(
            "SELECT a.id, a.municipality_code, a.kind, a.situation_id, a.plan_id
             FROM agreements a JOIN municipalities m ON m.code = a.municipality_code
             WHERE ($3 = 'riket' OR m.county_code = $3) AND a.status = 'concluded' AND a.period_from <= $4 AND a.period_to >= $4 AND {readable}"
        ),
        &[orgs.clone(), forums.clone(), county.into(), d.as_str().into()],
        |r| Ok((r.get("id")?, r.get("municipality_code")?, r.get("kind")?, r.get("situation_id")?, r.get("plan_id")?)),
    )?;
    let ids: Vec<i64> = current.iter().map(|c| c.0).collect();
    let party_kinds: Vec<(i64, String)> = db.map_all(
        &format!(
            "SELECT ap.agreement_id, o.kind FROM agreement_parties ap JOIN organisations o ON o.id = ap.org_id
             WHERE {} AND o.kind IN ('municipality', 'police')",
            db.dialect().in_list("ap.agreement_id", 1)
        ),
        &[Value::IntList(ids)],
        |r| Ok((r.get("agreement_id")?, r.get("kind")?)),
    )?;
    let situations: Vec<i64> = current.iter().filter_map(|c| c.3).collect();
    let with_causes: Vec<i64> = db.scalars(
        &format!(
            "SELECT DISTINCT p.situation_id FROM problem_causes c JOIN situation_problems p ON p.id = c.problem_id WHERE {}",
            db.dialect().in_list("p.situation_id", 1)
        ),
        &[Value::IntList(situations)],
    )?;
    let plans: Vec<i64> = current.iter().filter_map(|c| c.4).collect();
    let goal_counts: Vec<(i64, i64, i64)> = db.map_all(
        &format!(
            "SELECT plan_id, COUNT(*) AS goals, SUM(CASE WHEN kind = 'effect' THEN 1 ELSE 0 END) AS effect FROM plan_goals WHERE {} GROUP BY plan_id",
            db.dialect().in_list("plan_id", 1)
        ),
        &[Value::IntList(plans)],
        |r| Ok((r.get("plan_id")?, r.get("goals")?, r.get("effect")?)),
    )?;
    let current: Vec<(String, String, bool, bool, bool)> = current
        .into_iter()
        .map(|(id, code, kind, situation, plan)| {
            let has = |k: &str| party_kinds.iter().any(|(a, pk)| *a == id && pk == k);
            let joint = has("municipality") && has("police");
            let causes = situation.is_some_and(|s| with_causes.contains(&s));
            let only_effect = plan.and_then(|p| goal_counts.iter().find(|g| g.0 == p)).is_some_and(|g| g.1 > 0 && g.1 == g.2);
            (code, kind, joint, causes, only_effect)
        })
        .collect();
    let snaps = db.map_all(
        &format!(
            "SELECT s.id, s.agreement_id, a.municipality_code, s.kind, s.label, s.taken_on, s.score_percent
             FROM assessment_snapshots s JOIN agreements a ON a.id = s.agreement_id JOIN municipalities m ON m.code = a.municipality_code
             JOIN organisations so ON so.id = s.assessor_org_id
             WHERE ($3 = 'riket' OR m.county_code = $3) AND s.taken_on <= $4 AND so.kind = 'county_board'
               AND NOT EXISTS (SELECT 1 FROM agreement_parties sp WHERE sp.agreement_id = a.id AND sp.org_id = s.assessor_org_id) AND {readable}
             ORDER BY s.taken_on, s.id"
        ),
        &[orgs, forums, county.into(), d.as_str().into()],
        |r| {
            Ok((
                r.get::<String>("municipality_code")?,
                r.get::<String>("kind")?,
                ScoreRef {
                    snapshot_id: r.get("id")?,
                    agreement_id: r.get("agreement_id")?,
                    label: r.get("label")?,
                    taken_on: r.get("taken_on")?,
                    score_percent: r.get("score_percent")?,
                },
            ))
        },
    )?;
    let mut out: Vec<(String, Flags)> = Vec::new();
    fn entry<'a>(out: &'a mut Vec<(String, Flags)>, code: &str) -> &'a mut Flags {
        if let Some(i) = out.iter().position(|(c, _)| c == code) {
            return &mut out[i].1;
        }
        out.push((code.to_owned(), Flags::default()));
        &mut out.last_mut().expect("pushed").1
    }
    for (code, kind, joint, causes, only_effect) in current {
        let f = entry(&mut out, &code);
        f.cooperation_agreement |= kind == "cooperation_agreement";
        f.joint_citizen_promise |= kind == "citizen_promise" && joint;
        f.refers_to_causes |= causes;
        f.only_effect_goals |= only_effect;
    }
    for (code, kind, s) in snaps {
        let f = entry(&mut out, &code);
        if kind == "baseline" {
            f.baseline = Some(s.clone());
        }
        f.latest = Some(s);
    }
    Ok(out)
}

fn totals(rows: &[&Flags]) -> Totals {
    let n = |p: &dyn Fn(&Flags) -> bool| rows.iter().filter(|f| p(f)).count() as i64;
    let scores: Vec<f64> = rows.iter().filter_map(|f| f.latest.as_ref().and_then(|s| s.score_percent)).collect();
    Totals {
        municipalities: rows.len() as i64,
        cooperation_agreement: n(&|f| f.cooperation_agreement),
        joint_citizen_promise: n(&|f| f.joint_citizen_promise),
        refers_to_causes: n(&|f| f.refers_to_causes),
        only_effect_goals: n(&|f| f.only_effect_goals),
        assessed: n(&|f| f.latest.is_some()),
        mean_score: (!scores.is_empty()).then(|| (scores.iter().sum::<f64>() / scores.len() as f64 * 10.0).round() / 10.0),
    }
}

/// The pseudo-county of the whole country (a national programme's view): every municipality.
pub const WHOLE_COUNTRY: &str = "riket";

/// The county table of `county` (or [`WHOLE_COUNTRY`]) on `on`, compared with `compare_on` when given.
pub fn table(db: &mut dyn Conn, v: &Viewer, county: &str, on: Date, compare_on: Option<Date>) -> StoreResult<CountyTable> {
    let county_name: String = if county == WHOLE_COUNTRY {
        "Hela riket".to_owned()
    } else {
        db.scalar_opt("SELECT name FROM counties WHERE code = $1", args![county])?.ok_or(StoreError::not_found("county"))?
    };
    let municipalities = geography::municipalities(db, Some(county).filter(|c| *c != WHOLE_COUNTRY))?;
    let now = flags_on(db, v, county, on)?;
    let then = match compare_on {
        Some(c) => Some(flags_on(db, v, county, c)?),
        None => None,
    };
    let find = |list: &[(String, Flags)], code: &str| list.iter().find(|(c, _)| c == code).map(|(_, f)| f.clone()).unwrap_or_default();
    let rows: Vec<CountyRow> = municipalities
        .into_iter()
        .map(|(code, name)| CountyRow {
            on: find(&now, &code),
            then: then.as_ref().map(|t| find(t, &code)),
            municipality_code: code,
            municipality_name: name,
        })
        .collect();
    let totals_now = totals(&rows.iter().map(|r| &r.on).collect::<Vec<_>>());
    let totals_then = then.as_ref().map(|_| totals(&rows.iter().filter_map(|r| r.then.as_ref()).collect::<Vec<_>>()));
    Ok(CountyTable {
        county_code: county.to_owned(),
        county_name,
        on: on.to_string(),
        compare_on: compare_on.map(|d| d.to_string()),
        rows,
        totals: totals_now,
        compare_totals: totals_then,
    })
}
