//! Two versions of the same plan side by side: the header field by field, and goals,
//! indicators and measures matched by their `key` — added, removed, changed (field by field:
//! old → new) or unchanged.

use brygga_domain::FieldError;
use serde::Serialize;

use super::plan::{self, ActionPlan, PlanDocument};
use crate::Viewer;
use crate::kernel::db::Conn;
use crate::kernel::error::{StoreError, StoreResult};

/// One field that differs: its Swedish label and both values as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    pub old: String,
    pub new: String,
}

/// A goal, indicator or measure in the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartChange {
    pub key: String,
    /// The title in the newer version (in the older when removed).
    pub title: String,
    /// `added`, `removed`, `changed` or `unchanged`.
    pub change: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// The older version.
    pub old: ActionPlan,
    /// The newer version.
    pub new: ActionPlan,
    pub header: Vec<FieldChange>,
    pub goals: Vec<PartChange>,
    pub indicators: Vec<PartChange>,
    pub measures: Vec<PartChange>,
}

type Fields = Vec<(&'static str, &'static str, String)>;

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v}").replace('.', ",")).unwrap_or_default()
}

fn header(p: &ActionPlan) -> Fields {
    vec![
        ("title", "Titel", p.title.clone()),
        ("period_from", "Perioden börjar", p.period_from.clone()),
        ("period_to", "Perioden slutar", p.period_to.clone()),
        ("situation", "Lägesbild", p.situation.as_ref().map(|s| format!("{} (version {})", s.title, s.version_no)).unwrap_or_default()),
        ("parties", "Parter", p.parties.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")),
        ("decided_by", "Beslutande organ", opt(&p.decided_by)),
        ("decided_on", "Beslutsdatum", opt(&p.decided_on)),
        ("decision_ref", "Diarienummer", opt(&p.decision_ref)),
    ]
}

/// A link to a goal: shown by its title, compared by its key (a renamed goal is one change,
/// not one in every part that links to it).
fn goal_title(d: &PlanDocument, id: Option<i64>) -> String {
    id.and_then(|i| d.goal(i)).map(|g| format!("{}{LINK}{}", g.title, g.key)).unwrap_or_default()
}

/// Separates a link's title from its key inside a compared value.
const LINK: char = '\u{1f}';

/// The part of a value that is compared (a link's keys; otherwise the value).
fn compared(value: &str) -> String {
    if value.contains(LINK) {
        value.split(", ").map(|part| part.split(LINK).nth(1).unwrap_or(part)).collect::<Vec<_>>().join(", ")
    } else {
        value.to_owned()
    }
}

/// The part of a value that is shown (a link's titles).
fn shown(value: &str) -> String {
    value.split(", ").map(|part| part.split(LINK).next().unwrap_or(part)).collect::<Vec<_>>().join(", ")
}

fn goals(d: &PlanDocument) -> Vec<(String, String, Fields)> {
    d.goals
        .iter()
        .map(|g| {
            (
                g.key.clone(),
                g.title.clone(),
                vec![
                    ("kind", "Måltyp", g.kind_label.clone()),
                    ("title", "Mål", g.title.clone()),
                    ("description", "Beskrivning", opt(&g.description)),
                    ("parent", "Överordnat mål", goal_title(d, g.parent_id)),
                    ("level", "Nivå", opt(&g.level_label)),
                    ("weight", "Vikt", num(Some(g.weight))),
                ],
            )
        })
        .collect()
}

fn indicators(d: &PlanDocument) -> Vec<(String, String, Fields)> {
    d.indicators
        .iter()
        .map(|i| {
            (
                i.key.clone(),
                i.name.clone(),
                vec![
                    ("name", "Indikator", i.name.clone()),
                    ("goal", "Mål", goal_title(d, Some(i.goal_id))),
                    ("source", "Källa", i.source_label.clone()),
                    (
                        "series",
                        "Serie",
                        [opt(&i.category_name), opt(&i.area_name), opt(&i.offence), opt(&i.survey_question), opt(&i.manual_source)]
                            .iter()
                            .filter(|s| !s.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    ("unit", "Enhet", i.unit.clone()),
                    ("direction", "Önskad riktning", i.direction_label.clone()),
                    ("frequency", "Frekvens", i.frequency_label.clone()),
                    ("baseline_value", "Baslinje", num(i.baseline_value)),
                    ("baseline_on", "Baslinjens datum", opt(&i.baseline_on)),
                    ("baseline_source", "Baslinjens källa", opt(&i.baseline_source)),
                    ("target_value", "Målvärde", num(i.target_value)),
                    ("target_on", "Måldatum", opt(&i.target_on)),
                ],
            )
        })
        .collect()
}

fn measures(d: &PlanDocument) -> Vec<(String, String, Fields)> {
    d.measures
        .iter()
        .map(|m| {
            let goals: Vec<String> = m.goal_ids.iter().map(|g| goal_title(d, Some(*g))).collect();
            (
                m.key.clone(),
                m.title.clone(),
                vec![
                    ("title", "Insats", m.title.clone()),
                    ("description", "Beskrivning", opt(&m.description)),
                    ("responsible", "Ansvarig", m.responsible.name.clone()),
                    ("partners", "Samarbetspartner", m.partners.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ")),
                    ("start_on", "Start", opt(&m.start_on)),
                    ("end_on", "Slut", opt(&m.end_on)),
                    ("resources", "Resurser", opt(&m.resources)),
                    ("status", "Status", m.status_label.clone()),
                    ("basis", "Kunskapsgrund", m.basis_label.clone()),
                    ("involvement", "Mottagarnas delaktighet", opt(&m.involvement_label)),
                    ("goals", "Mål", goals.join(", ")),
                    ("causes", "Orsaker", m.causes.iter().map(|c| c.title.as_str()).collect::<Vec<_>>().join(", ")),
                ],
            )
        })
        .collect()
}

fn diff_fields(old: &Fields, new: &Fields) -> Vec<FieldChange> {
    old.iter()
        .zip(new)
        .filter(|(o, n)| compared(&o.2) != compared(&n.2))
        .map(|(o, n)| FieldChange { field: o.0.to_owned(), label: o.1.to_owned(), old: shown(&o.2), new: shown(&n.2) })
        .collect()
}

fn diff_parts(old: Vec<(String, String, Fields)>, new: Vec<(String, String, Fields)>) -> Vec<PartChange> {
    let mut out = Vec::new();
    for (key, title, fields) in &new {
        match old.iter().find(|o| o.0 == *key) {
            None => out.push(PartChange { key: key.clone(), title: title.clone(), change: "added".into(), fields: Vec::new() }),
            Some(o) => {
                let changes = diff_fields(&o.2, fields);
                let change = if changes.is_empty() { "unchanged" } else { "changed" };
                out.push(PartChange { key: key.clone(), title: title.clone(), change: change.into(), fields: changes });
            }
        }
    }
    for (key, title, _) in old.iter().filter(|o| !new.iter().any(|n| n.0 == o.0)) {
        out.push(PartChange { key: key.clone(), title: title.clone(), change: "removed".into(), fields: Vec::new() });
    }
    out
}

/// Compares two versions of the same plan, older first whichever order they are given in.
pub fn compare(db: &mut dyn Conn, v: &Viewer, a: i64, b: i64) -> StoreResult<Comparison> {
    let x = plan::load(db, v, a)?;
    let y = plan::load(db, v, b)?;
    if x.plan.lineage_id != y.plan.lineage_id {
        return Err(StoreError::invalid(FieldError::new(
            "med",
            "plans.other_lineage",
            "Versionerna hör till olika planer. Välj en version av samma plan att jämföra med.",
        )));
    }
    let (old, new) = if x.plan.version_no <= y.plan.version_no { (x, y) } else { (y, x) };
    Ok(Comparison {
        header: diff_fields(&header(&old.plan), &header(&new.plan)),
        goals: diff_parts(goals(&old), goals(&new)),
        indicators: diff_parts(indicators(&old), indicators(&new)),
        measures: diff_parts(measures(&old), measures(&new)),
        old: old.plan,
        new: new.plan,
    })
}
