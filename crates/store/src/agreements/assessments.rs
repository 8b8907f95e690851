//! Assessments: an agreement scored item by item against one checklist version (met / partly /
//! not met / not applicable, with the evidence seen and a comment), by the county board that
//! oversees the municipality or by a party as a self-assessment; items that Brygga's own data
//! answers are pre-filled and marked *härlett* ([`derive`]); frozen **snapshots** (baseline,
//! follow-up, any date) that copy the set's name, version and every item's text, so a later
//! edit of the set changes nothing in them; and the comparison of two snapshots.
//!
//! Readers of the agreement read its assessments and snapshots (the parties see how they are
//! assessed); only the assessing organisation's coordinators score and take snapshots.
//!
//! **Derived rules** (documented in docs/ARCHITECTURE.md, "Agreements"): each states a yes/no
//! fact of the linked documents, never their content.
//! - `joint_problem_picture`: the linked document is a problembild (kind `problem_picture`)
//!   with at least two parties → met; a lägesbild of one organisation → not met.
//! - `causes`: the linked lägesbild/problembild has at least one cause → met; none → not met.
//! - `not_only_effect_goals`: the linked plan has result or process goals → met; only effect
//!   goals (or none) → not met.
//! - `follow_up_method`: every indicator of the linked plan has a baseline → met; some → partly;
//!   none (or no indicators) → not met.
//! - `measures_more_than_police`: at least one indicator of the linked plan counts the problem
//!   itself from a source outside the agreement's own activity — crime statistics, a safety
//!   survey or EST reports — → met; every indicator entered by hand (counts of patrols,
//!   meetings: activity) → not met. That is how "a medborgarlöfte whose goals only count police
//!   activity" is recognised from data.
//! - `signed_by_all`: every party has a signing date → met; some → partly; none → not met.
//!
//! Nothing linked: the item is not derived and waits for a person's score.

use brygga_domain::agreements::{DerivedRule, Score, SnapshotKind, score_percent};
use brygga_domain::text::TextRule;
use brygga_domain::time::parse_date;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::checklists::{self, ChecklistVersion};
use super::{Head, assessing_org};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args, now_ms};

const EVIDENCE: TextRule = TextRule::line("evidence", "Underlaget", 2000).multiline().optional();
const COMMENT: TextRule = TextRule::line("comment", "Kommentaren", 2000).multiline().optional();
const LABEL: TextRule = TextRule::line("label", "Mätningens namn", 120).optional();

/// A derived answer to an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Derived {
    pub rule: String,
    pub score: String,
    /// Why, in Swedish.
    pub reason: String,
}

/// What Brygga's data says about an agreement, rule by rule.
pub fn derive(db: &mut dyn Conn, agreement_id: i64) -> StoreResult<Vec<Derived>> {
    let (situation, plan): (Option<i64>, Option<i64>) =
        db.map_one("SELECT situation_id, plan_id FROM agreements WHERE id = $1", args![agreement_id], |r| {
            Ok((r.get("situation_id")?, r.get("plan_id")?))
        })?;
    let mut out = Vec::new();
    let mut put = |rule: DerivedRule, score: Score, reason: String| {
        out.push(Derived { rule: rule.code().into(), score: score.code().into(), reason })
    };
    if let Some(s) = situation {
        let (kind, parties, causes): (String, i64, i64) = db.map_one(
            "SELECT s.kind, (SELECT COUNT(*) FROM situation_parties sp WHERE sp.situation_id = s.id) AS parties,
                (SELECT COUNT(*) FROM problem_causes c JOIN situation_problems p ON p.id = c.problem_id WHERE p.situation_id = s.id) AS causes
             FROM situations s WHERE s.id = $1",
            args![s],
            |r| Ok((r.get("kind")?, r.get("parties")?, r.get("causes")?)),
        )?;
        if kind == "problem_picture" && parties >= 2 {
            put(DerivedRule::JointProblemPicture, Score::Met, format!("Länkad problembild med {parties} parter."));
        } else if kind == "problem_picture" {
            put(DerivedRule::JointProblemPicture, Score::Partly, "Länkad problembild, men med en enda part.".into());
        } else {
            put(
                DerivedRule::JointProblemPicture,
                Score::NotMet,
                "Den länkade lägesbilden är en organisations egen, inte en gemensam problembild.".into(),
            );
        }
        if causes > 0 {
            put(DerivedRule::Causes, Score::Met, format!("Den länkade bilden har {causes} orsaker i sin orsaksanalys."));
        } else {
            put(DerivedRule::Causes, Score::NotMet, "Den länkade bilden har ingen orsaksanalys (inga orsaker).".into());
        }
    }
    if let Some(p) = plan {
        let (goals, effect, indicators, with_baseline, measured): (i64, i64, i64, i64, i64) = db.map_one(
            "SELECT (SELECT COUNT(*) FROM plan_goals g WHERE g.plan_id = $1) AS goals,
                    (SELECT COUNT(*) FROM plan_goals g WHERE g.plan_id = $1 AND g.kind = 'effect') AS effect,
                    (SELECT COUNT(*) FROM plan_indicators i WHERE i.plan_id = $1) AS indicators,
                    (SELECT COUNT(*) FROM plan_indicators i WHERE i.plan_id = $1 AND i.baseline_value IS NOT NULL) AS with_baseline,
                    (SELECT COUNT(*) FROM plan_indicators i WHERE i.plan_id = $1 AND i.source <> 'manual') AS measured",
            args![p],
            |r| Ok((r.get("goals")?, r.get("effect")?, r.get("indicators")?, r.get("with_baseline")?, r.get("measured")?)),
        )?;
        if goals == 0 {
            put(DerivedRule::NotOnlyEffectGoals, Score::NotMet, "Den länkade planen har inga mål.".into());
        } else if goals == effect {
            put(
                DerivedRule::NotOnlyEffectGoals,
                Score::NotMet,
                format!("Planen har bara effektmål ({effect}), inga resultat- eller processmål."),
            );
        } else {
            put(
                DerivedRule::NotOnlyEffectGoals,
                Score::Met,
                format!("Planen har {} resultat- eller processmål under sina effektmål.", goals - effect),
            );
        }
        if indicators == 0 {
            put(DerivedRule::FollowUpMethod, Score::NotMet, "Den länkade planen har inga indikatorer.".into());
            put(DerivedRule::MeasuresMoreThanPolice, Score::NotMet, "Den länkade planen har inga indikatorer.".into());
        } else {
            let s = if with_baseline == indicators {
                Score::Met
            } else if with_baseline > 0 {
                Score::Partly
            } else {
                Score::NotMet
            };
            put(DerivedRule::FollowUpMethod, s, format!("{with_baseline} av {indicators} indikatorer har utgångsvärde."));
            if measured > 0 {
                put(
                    DerivedRule::MeasuresMoreThanPolice,
                    Score::Met,
                    format!(
                        "{measured} av {indicators} indikatorer mäter problemet ur brottsstatistik, trygghetsmätning eller EST-rapporter."
                    ),
                );
            } else {
                put(
                    DerivedRule::MeasuresMoreThanPolice,
                    Score::NotMet,
                    "Alla indikatorer förs in för hand – de räknar aktivitet (till exempel polisens), inte problemet.".into(),
                );
            }
        }
    }
    let (parties, signed): (i64, i64) = db.map_one(
        "SELECT COUNT(*) AS parties, COUNT(signed_on) AS signed FROM agreement_parties WHERE agreement_id = $1",
        args![agreement_id],
        |r| Ok((r.get("parties")?, r.get("signed")?)),
    )?;
    let s = if parties > 0 && signed == parties {
        Score::Met
    } else if signed > 0 {
        Score::Partly
    } else {
        Score::NotMet
    };
    put(DerivedRule::SignedByAll, s, format!("{signed} av {parties} parter har skrivit under."));
    Ok(out)
}

/// One item of an assessment with its score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoredItem {
    pub item_id: i64,
    pub key: String,
    pub position: i64,
    pub text: String,
    pub guidance: Option<String>,
    pub evidence_asked: Option<String>,
    pub weight: f64,
    /// The score in effect: a person's, else the derived one; none: not scored yet.
    pub score: Option<String>,
    pub score_label: Option<String>,
    pub evidence: Option<String>,
    pub comment: Option<String>,
    /// The score is Brygga's derivation (härlett), not a person's.
    pub derived: bool,
    /// What Brygga's data says, when the item has a rule that applies.
    pub derivation: Option<Derived>,
}

/// An assessment with its items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub id: i64,
    pub agreement_id: i64,
    pub version_id: i64,
    pub set_id: i64,
    pub set_name: String,
    pub version_no: i64,
    /// A newer version of the set exists (the assessment stays on its own).
    pub newer_version_no: Option<i64>,
    pub assessor_org_id: i64,
    pub assessor_name: String,
    /// Made by a party of the agreement, not the county board.
    pub self_assessment: bool,
    pub score_percent: Option<f64>,
    pub items: Vec<ScoredItem>,
    pub version: i64,
    pub updated_at_ms: i64,
}

/// The assessments of an agreement, in short.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentRef {
    pub id: i64,
    pub set_name: String,
    pub version_no: i64,
    pub assessor_org_id: i64,
    pub assessor_name: String,
    pub self_assessment: bool,
}

fn is_self(db: &mut dyn Conn, agreement_id: i64, org: i64) -> StoreResult<bool> {
    let n: i64 = db.scalar("SELECT COUNT(*) FROM agreement_parties WHERE agreement_id = $1 AND org_id = $2", args![agreement_id, org])?;
    Ok(n > 0)
}

/// The assessments of an agreement the viewer may read.
pub fn for_agreement(db: &mut dyn Conn, v: &Viewer, agreement_id: i64) -> StoreResult<Vec<AssessmentRef>> {
    Head::load(db, v, agreement_id)?;
    let rows = db.map_all(
        "SELECT a.id, s.name AS set_name, cv.version_no, a.assessor_org_id, o.name AS assessor_name,
            (SELECT COUNT(*) FROM agreement_parties ap WHERE ap.agreement_id = a.agreement_id AND ap.org_id = a.assessor_org_id) AS party
         FROM assessments a JOIN checklist_versions cv ON cv.id = a.version_id JOIN checklist_sets s ON s.id = cv.set_id
         JOIN organisations o ON o.id = a.assessor_org_id WHERE a.agreement_id = $1 ORDER BY a.id",
        args![agreement_id],
        |r| {
            Ok(AssessmentRef {
                id: r.get("id")?,
                set_name: r.get("set_name")?,
                version_no: r.get("version_no")?,
                assessor_org_id: r.get("assessor_org_id")?,
                assessor_name: r.get("assessor_name")?,
                self_assessment: r.get::<i64>("party")? > 0,
            })
        },
    )?;
    Ok(rows)
}

/// One assessment with every item, its score and what Brygga's data says.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Assessment> {
    let (agreement_id, version_id, assessor, version, updated): (i64, i64, i64, i64, i64) = db
        .map_opt("SELECT agreement_id, version_id, assessor_org_id, version, updated_at FROM assessments WHERE id = $1", args![id], |r| {
            Ok((r.get("agreement_id")?, r.get("version_id")?, r.get("assessor_org_id")?, r.get("version")?, r.get("updated_at")?))
        })?
        .ok_or(StoreError::not_found("assessment"))?;
    Head::load(db, v, agreement_id).map_err(|_| StoreError::not_found("assessment"))?;
    let cv = checklists::version(db, version_id)?;
    let newest: i64 = db.scalar("SELECT MAX(version_no) FROM checklist_versions WHERE set_id = $1", args![cv.set_id])?;
    let assessor_name: String = db.scalar("SELECT name FROM organisations WHERE id = $1", args![assessor])?;
    let scores =
        db.map_all("SELECT item_id, score, evidence, comment FROM assessment_scores WHERE assessment_id = $1", args![id], |r| {
            Ok((
                r.get::<i64>("item_id")?,
                r.get::<String>("score")?,
                r.get::<Option<String>>("evidence")?,
                r.get::<Option<String>>("comment")?,
            ))
        })?;
    let derived = derive(db, agreement_id)?;
    let items: Vec<ScoredItem> = cv
        .items
        .iter()
        .map(|it| {
            let own = scores.iter().find(|s| s.0 == it.id);
            let derivation = it.derived_rule.as_ref().and_then(|r| derived.iter().find(|d| &d.rule == r)).cloned();
            let (score, is_derived) = match (own, &derivation) {
                (Some(s), _) => (Some(s.1.clone()), false),
                (None, Some(d)) => (Some(d.score.clone()), true),
                (None, None) => (None, false),
            };
            ScoredItem {
                item_id: it.id,
                key: it.key.clone(),
                position: it.position,
                text: it.text.clone(),
                guidance: it.guidance.clone(),
                evidence_asked: it.evidence.clone(),
                weight: it.weight,
                score_label: score.as_deref().and_then(Score::from_code).map(|s| s.label().to_owned()),
                score,
                evidence: own.and_then(|s| s.2.clone()),
                comment: own.and_then(|s| s.3.clone()),
                derived: is_derived,
                derivation,
            }
        })
        .collect();
    let pct = percent(&items);
    Ok(Assessment {
        id,
        agreement_id,
        version_id,
        set_id: cv.set_id,
        set_name: cv.set_name.clone(),
        version_no: cv.version_no,
        newer_version_no: (newest > cv.version_no).then_some(newest),
        assessor_org_id: assessor,
        assessor_name,
        self_assessment: is_self(db, agreement_id, assessor)?,
        score_percent: pct,
        items,
        version,
        updated_at_ms: updated,
    })
}

fn percent(items: &[ScoredItem]) -> Option<f64> {
    score_percent(items.iter().map(|i| (i.weight, i.score.as_deref().and_then(Score::from_code))))
}

/// Which assessment to start.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// The checklist; none: Brygga's default set. Its latest version is used.
    #[serde(default)]
    pub set_id: Option<i64>,
    /// The assessing organisation (the viewer's county board, or a party); none: the first allowed.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// Starts an assessment of an agreement against the latest version of a set — or returns the
/// viewer's organisation's existing one on that version.
pub fn start(db: &mut dyn Conn, v: &Viewer, agreement_id: i64, input: &StartInput) -> StoreResult<Assessment> {
    let head = Head::load(db, v, agreement_id)?;
    let (org, _) = assessing_org(v, &head, input.org_id)?;
    let set_id = match input.set_id {
        Some(s) => s,
        None => checklists::default_set(db)?,
    };
    let set = checklists::get(db, set_id).map_err(|_| {
        StoreError::invalid(FieldError::new("set_id", "agreements.set_unknown", "Checklistan finns inte. Välj en checklista i listan."))
    })?;
    if let Some(id) = db.scalar_opt::<i64>(
        "SELECT id FROM assessments WHERE agreement_id = $1 AND assessor_org_id = $2 AND version_id = $3",
        args![agreement_id, org, set.latest_version_id],
    )? {
        return get(db, v, id);
    }
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO assessments (agreement_id, version_id, assessor_org_id, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
        args![agreement_id, set.latest_version_id, org, v.user_id(), now],
    )?;
    // A newer version of a set carries over the scores of the same items (by key) from this
    // organisation's assessment on an earlier version, as a starting point.
    let earlier: Option<i64> = db.scalar_opt(
        "SELECT a.id FROM assessments a JOIN checklist_versions cv ON cv.id = a.version_id
         WHERE a.agreement_id = $1 AND a.assessor_org_id = $2 AND cv.set_id = $3 AND a.id <> $4 ORDER BY cv.version_no DESC LIMIT 1",
        args![agreement_id, org, set_id, id],
    )?;
    if let Some(e) = earlier {
        db.execute(
            "INSERT INTO assessment_scores (assessment_id, item_id, score, evidence, comment, scored_by_user_id, scored_at)
             SELECT $1, ni.id, s.score, s.evidence, s.comment, s.scored_by_user_id, s.scored_at
             FROM assessment_scores s JOIN checklist_items oi ON oi.id = s.item_id
             JOIN checklist_items ni ON ni.version_id = $2 AND ni.key = oi.key WHERE s.assessment_id = $3",
            args![id, set.latest_version_id, e],
        )?;
    }
    audit::record(db, v, Event::new("assessment.start").record("assessment", id).org(org).orgs(&head.parties))?;
    get(db, v, id)
}

/// Scores for some items of an assessment.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    pub items: Vec<ItemScore>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemScore {
    /// An item of the assessment's checklist version.
    pub item_id: i64,
    /// `met`, `partly`, `not_met`, `not_applicable`; empty or none: clear the person's score
    /// (a derived item falls back to its derivation).
    #[serde(default)]
    pub score: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}

fn writable(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(i64, i64, i64, Head)> {
    let (agreement_id, version_id, org): (i64, i64, i64) = db
        .map_opt("SELECT agreement_id, version_id, assessor_org_id FROM assessments WHERE id = $1", args![id], |r| {
            Ok((r.get("agreement_id")?, r.get("version_id")?, r.get("assessor_org_id")?))
        })?
        .ok_or(StoreError::not_found("assessment"))?;
    let head = Head::load(db, v, agreement_id).map_err(|_| StoreError::not_found("assessment"))?;
    let (acting, _) = assessing_org(v, &head, Some(org))?;
    if !allowed(v, Permission::AssessAgreement { org: acting }) {
        return Err(StoreError::Forbidden);
    }
    Ok((agreement_id, version_id, org, head))
}

/// Scores items (the assessing organisation's coordinators). Every item is checked first: one
/// that is not in the assessment's checklist version — say from a newer version of the set — is
/// refused by name, and nothing is written.
pub fn score(db: &mut dyn Conn, v: &Viewer, id: i64, input: &ScoreInput) -> StoreResult<Assessment> {
    let (_, version_id, org, head) = writable(db, v, id)?;
    let cv: ChecklistVersion = checklists::version(db, version_id)?;
    let mut errs = FieldErrors::new();
    let mut rows = Vec::new();
    for s in &input.items {
        let p = |f: &str| format!("items[{}].{f}", s.item_id);
        if !cv.items.iter().any(|i| i.id == s.item_id) {
            let other: Option<i64> = db.scalar_opt(
                "SELECT cv.version_no FROM checklist_items i JOIN checklist_versions cv ON cv.id = i.version_id WHERE i.id = $1",
                args![s.item_id],
            )?;
            errs.push(FieldError::new(
                p("item_id"),
                "agreements.item_other_version",
                match other {
                    Some(n) => format!(
                        "Punkten hör till version {n} av checklistan, men bedömningen görs mot version {}. Ladda om sidan, eller starta en bedömning mot den nya versionen.",
                        cv.version_no
                    ),
                    None => "Punkten finns inte i checklistan. Ladda om sidan och bedöm punkterna som visas.".to_owned(),
                },
            ));
            continue;
        }
        let score = match s.score.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
            None => Some(None),
            Some(x) => match Score::parse(x) {
                Ok(sc) => Some(Some(sc)),
                Err(mut e) => {
                    e.field = p("score");
                    errs.push(e);
                    None
                }
            },
        };
        let mut local = FieldErrors::new();
        let evidence = clean_text(&mut local, &EVIDENCE, s.evidence.as_deref());
        let comment = clean_text(&mut local, &COMMENT, s.comment.as_deref());
        for mut e in local.0 {
            e.field = p(&e.field);
            errs.push(e);
        }
        if let (Some(score), Some(evidence), Some(comment)) = (score, evidence, comment) {
            rows.push((s.item_id, score, evidence, comment));
        }
    }
    errs.into_result()?;
    let now = now_ms();
    for (item, score, evidence, comment) in rows {
        db.execute("DELETE FROM assessment_scores WHERE assessment_id = $1 AND item_id = $2", args![id, item])?;
        if let Some(sc) = score {
            db.execute(
                "INSERT INTO assessment_scores (assessment_id, item_id, score, evidence, comment, scored_by_user_id, scored_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                args![id, item, sc.code(), evidence, comment, v.user_id(), now],
            )?;
        }
    }
    db.execute("UPDATE assessments SET version = version + 1, updated_at = $2 WHERE id = $1", args![id, now])?;
    audit::record(db, v, Event::new("assessment.score").record("assessment", id).org(org).orgs(&head.parties))?;
    get(db, v, id)
}

/// A snapshot to take.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnapshotInput {
    /// `baseline`, `follow_up` or `other`.
    pub kind: String,
    /// A name, e.g. "Uppföljning hösten 2026"; none: the kind and the date.
    #[serde(default)]
    pub label: Option<String>,
    /// `2026-11-30`; none: today. Not in the future.
    #[serde(default)]
    pub taken_on: Option<String>,
}

/// A frozen snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub id: i64,
    pub agreement_id: i64,
    pub assessor_org_id: i64,
    pub assessor_name: String,
    pub self_assessment: bool,
    pub kind: String,
    pub kind_label: String,
    pub label: String,
    pub taken_on: String,
    pub set_name: String,
    pub version_no: i64,
    pub score_percent: Option<f64>,
    pub items: Vec<SnapshotItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnapshotItem {
    pub key: String,
    pub position: i64,
    pub text: String,
    pub guidance: Option<String>,
    pub evidence_asked: Option<String>,
    pub weight: f64,
    pub score: Option<String>,
    pub score_label: Option<String>,
    pub evidence: Option<String>,
    pub comment: Option<String>,
    pub derived: bool,
}

/// Freezes an assessment as it stands: the set's name and version and each item's text, score,
/// evidence and comment are copied (derived scores marked as such).
pub fn take_snapshot(db: &mut dyn Conn, v: &Viewer, assessment_id: i64, input: &SnapshotInput) -> StoreResult<Snapshot> {
    let (agreement_id, version_id, org, head) = writable(db, v, assessment_id)?;
    let mut errs = FieldErrors::new();
    let kind = errs.take(SnapshotKind::parse(&input.kind));
    let label = clean_text(&mut errs, &LABEL, input.label.as_deref());
    let today = brygga_domain::time::today();
    let taken_on = match input.taken_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today),
        Some(s) => match parse_date("taken_on", s) {
            Ok(d) if d > today => {
                errs.push(FieldError::new(
                    "taken_on",
                    "agreements.snapshot_future",
                    format!("En mätning kan inte tas i framtiden ({d}). Välj dagens datum eller ett tidigare."),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    errs.into_result()?;
    let (kind, taken_on) = (kind.expect("checked"), taken_on.expect("checked"));
    let label = label.flatten().unwrap_or_else(|| format!("{} {taken_on}", kind.label()));
    let a = get(db, v, assessment_id)?;
    let id: i64 = db.scalar(
        "INSERT INTO assessment_snapshots (agreement_id, assessor_org_id, kind, label, taken_on, set_name, version_id, version_no, score_percent, taken_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        args![agreement_id, org, kind.code(), label.as_str(), taken_on.to_string(), a.set_name.as_str(), version_id, a.version_no, a.score_percent, v.user_id(), now_ms()],
    )?;
    for it in &a.items {
        db.execute(
            "INSERT INTO snapshot_items (snapshot_id, key, position, text, guidance, evidence_asked, weight, score, evidence, comment, derived)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            args![id, it.key.as_str(), it.position, it.text.as_str(), it.guidance.as_deref(), it.evidence_asked.as_deref(), it.weight, it.score.as_deref(),
                it.evidence.as_deref(), it.comment.as_deref(), it.derived],
        )?;
    }
    audit::record(db, v, Event::new("assessment.snapshot").record("assessment_snapshot", id).org(org).orgs(&head.parties))?;
    snapshot(db, v, id)
}

const SNAP_SELECT: &str = "SELECT s.id, s.agreement_id, s.assessor_org_id, o.name AS assessor_name, s.kind, s.label, s.taken_on, s.set_name, s.version_no, s.score_percent,
        (SELECT COUNT(*) FROM agreement_parties ap WHERE ap.agreement_id = s.agreement_id AND ap.org_id = s.assessor_org_id) AS party
     FROM assessment_snapshots s JOIN organisations o ON o.id = s.assessor_org_id";

fn decode_snapshot(r: &crate::Row) -> Result<Snapshot, crate::DbError> {
    let kind: String = r.get("kind")?;
    Ok(Snapshot {
        id: r.get("id")?,
        agreement_id: r.get("agreement_id")?,
        assessor_org_id: r.get("assessor_org_id")?,
        assessor_name: r.get("assessor_name")?,
        self_assessment: r.get::<i64>("party")? > 0,
        kind_label: SnapshotKind::from_code(&kind).map(|k| k.label()).unwrap_or_default().to_owned(),
        kind,
        label: r.get("label")?,
        taken_on: r.get("taken_on")?,
        set_name: r.get("set_name")?,
        version_no: r.get("version_no")?,
        score_percent: r.get("score_percent")?,
        items: Vec::new(),
    })
}

/// The snapshots of an agreement (without items), oldest first.
pub fn snapshots(db: &mut dyn Conn, v: &Viewer, agreement_id: i64) -> StoreResult<Vec<Snapshot>> {
    Head::load(db, v, agreement_id)?;
    Ok(db.map_all(&format!("{SNAP_SELECT} WHERE s.agreement_id = $1 ORDER BY s.taken_on, s.id"), args![agreement_id], decode_snapshot)?)
}

/// One snapshot with its frozen items.
pub fn snapshot(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Snapshot> {
    let mut s =
        db.map_opt(&format!("{SNAP_SELECT} WHERE s.id = $1"), args![id], decode_snapshot)?.ok_or(StoreError::not_found("snapshot"))?;
    Head::load(db, v, s.agreement_id).map_err(|_| StoreError::not_found("snapshot"))?;
    s.items = db.map_all(
        "SELECT key, position, text, guidance, evidence_asked, weight, score, evidence, comment, derived FROM snapshot_items WHERE snapshot_id = $1 ORDER BY position",
        args![id],
        |r| {
            let score: Option<String> = r.get("score")?;
            Ok(SnapshotItem {
                key: r.get("key")?,
                position: r.get("position")?,
                text: r.get("text")?,
                guidance: r.get("guidance")?,
                evidence_asked: r.get("evidence_asked")?,
                weight: r.get("weight")?,
                score_label: score.as_deref().and_then(Score::from_code).map(|s| s.label().to_owned()),
                score,
                evidence: r.get("evidence")?,
                comment: r.get("comment")?,
                derived: r.get("derived")?,
            })
        },
    )?;
    Ok(s)
}

/// One row of a comparison of two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompareRow {
    pub key: String,
    /// The item's text in the later snapshot (or the earlier, when removed).
    pub text: String,
    pub before: Option<String>,
    pub before_label: Option<String>,
    pub after: Option<String>,
    pub after_label: Option<String>,
    /// `better`, `worse`, `same`, `added`, `removed`, `unscored`.
    pub change: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub before: Snapshot,
    pub after: Snapshot,
    pub rows: Vec<CompareRow>,
}

/// Two snapshots of one agreement item by item (matched by key).
pub fn compare(db: &mut dyn Conn, v: &Viewer, before: i64, after: i64) -> StoreResult<Comparison> {
    let b = snapshot(db, v, before)?;
    let a = snapshot(db, v, after)?;
    if a.agreement_id != b.agreement_id {
        return Err(StoreError::invalid(FieldError::new(
            "med",
            "agreements.compare_other",
            "Mätningarna gäller olika överenskommelser. Välj två mätningar av samma överenskommelse.",
        )));
    }
    let points = |s: &Option<String>| s.as_deref().and_then(Score::from_code).and_then(Score::points);
    let mut rows = Vec::new();
    for ai in &a.items {
        let bi = b.items.iter().find(|x| x.key == ai.key);
        let change = match bi {
            None => "added",
            Some(bi) => match (points(&bi.score), points(&ai.score)) {
                (Some(x), Some(y)) if y > x => "better",
                (Some(x), Some(y)) if y < x => "worse",
                (Some(_), Some(_)) => "same",
                _ if bi.score == ai.score => "same",
                _ => "unscored",
            },
        };
        rows.push(CompareRow {
            key: ai.key.clone(),
            text: ai.text.clone(),
            before: bi.and_then(|x| x.score.clone()),
            before_label: bi.and_then(|x| x.score_label.clone()),
            after: ai.score.clone(),
            after_label: ai.score_label.clone(),
            change: change.into(),
            comment: ai.comment.clone(),
        });
    }
    for bi in b.items.iter().filter(|x| !a.items.iter().any(|y| y.key == x.key)) {
        rows.push(CompareRow {
            key: bi.key.clone(),
            text: bi.text.clone(),
            before: bi.score.clone(),
            before_label: bi.score_label.clone(),
            after: None,
            after_label: None,
            change: "removed".into(),
            comment: None,
        });
    }
    Ok(Comparison { before: b, after: a, rows })
}
