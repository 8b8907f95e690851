//! Quality checklists (criteria sets): versioned, so an assessment and its snapshots always
//! know exactly which criteria they were scored against. A set has versions; editing a set whose
//! latest version has been used (by an assessment or a snapshot) makes a new version, and the
//! old one stays as it was. Brygga ships one default set in its own words ([`DEFAULT_ITEMS`]),
//! seeded at start-up; county boards' coordinators write their own.

use brygga_domain::agreements::DerivedRule;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, require};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::secret;
use crate::{Viewer, args, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Checklistans namn", 200);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).multiline();
const ITEM_TEXT: TextRule = TextRule::line("text", "Punktens text", 500);
const ITEM_GUIDANCE: TextRule = TextRule::line("guidance", "Vägledningen", 2000).multiline().optional();
const ITEM_EVIDENCE: TextRule = TextRule::line("evidence", "Underlaget som efterfrågas", 1000).multiline().optional();

/// The key of Brygga's default set.
pub const DEFAULT_KEY: &str = "brygga-default";
pub const DEFAULT_NAME: &str = "Bryggas checklista för överenskommelser";
pub const DEFAULT_DESCRIPTION: &str = "Bryggas checklista, inte länets 17-punktslista. Skriven med Bryggas egna ord utifrån de kriterier \
    för kunskapsbaserat brottsförebyggande arbete som utvärderingen av Skåne tillsammans mot brott använde (avsnitt 4.6): en gemensam \
    problembild, orsaker, mätbara mål, tydliga aktiviteter, samordning, uppföljning och revidering. Punkter märkta ”härledd” fylls i \
    från Bryggas egna data när överenskommelsen länkar en lägesbild eller plan.";

/// One default item: key, text, guidance, evidence asked for, weight, derived rule.
type DefaultItem = (&'static str, &'static str, &'static str, &'static str, f64, Option<DerivedRule>);

/// Brygga's default checklist, in Brygga's words (not the county board's 17-point list).
pub const DEFAULT_ITEMS: &[DefaultItem] = &[
    (
        "joint-picture",
        "Överenskommelsen bygger på en gemensam problembild som båda parterna tagit fram ur sina egna lägesbilder.",
        "Kommunens och polisens bilder ska ha lagts samman, inte bara den ena partens.",
        "Den länkade problembilden och vilka parter som står bakom den.",
        2.0,
        Some(DerivedRule::JointProblemPicture),
    ),
    (
        "sources",
        "Källorna till problembilden anges.",
        "Brottsstatistik, polisens händelser, trygghetsmätningar, dialoger – vad som använts och när.",
        "Källförteckning i problembilden.",
        1.0,
        None,
    ),
    (
        "causes",
        "Problembilden innehåller en orsaksanalys.",
        "Varför uppstår problemen: gärningspersoner, offer/mål, platser, risk- och skyddsfaktorer.",
        "Orsaker kopplade till problemen i lägesbilden.",
        2.0,
        Some(DerivedRule::Causes),
    ),
    (
        "measurable-goals",
        "Effektmålen är nedbrutna i konkreta, mätbara delmål.",
        "Ett effektmål som ”ökad trygghet” behöver resultat- och processmål som går att följa upp.",
        "Planens målträd.",
        2.0,
        Some(DerivedRule::NotOnlyEffectGoals),
    ),
    (
        "activities",
        "Aktiviteterna säger vad som ska göras, hur, när, i vilken ordning och av vem.",
        "",
        "Aktivitets- eller åtgärdsplanen.",
        1.0,
        None,
    ),
    (
        "coordination",
        "En samordnande funktion är utsedd med namn eller befattning.",
        "Vem håller ihop arbetet mellan parterna?",
        "Överenskommelsens text eller bilaga.",
        1.0,
        None,
    ),
    (
        "follow-up",
        "Det finns en metod för uppföljning: vilka data, hur de samlas in och av vem.",
        "Indikatorer med utgångsvärde visar att uppföljningen är förberedd.",
        "Indikatorer med utgångsvärden och ansvariga.",
        2.0,
        Some(DerivedRule::FollowUpMethod),
    ),
    (
        "effect-not-activity",
        "Uppföljningen mäter mer än polisens egen aktivitet.",
        "Antal patrulleringar eller möten säger inte om problemet minskat. Minst en indikator bör mäta problemet självt.",
        "Indikatorernas källor (brottsstatistik, trygghetsmätning, EST-rapporter).",
        1.0,
        Some(DerivedRule::MeasuresMoreThanPolice),
    ),
    ("revision", "En revidering är planerad: när överenskommelsen ses över och hur.", "", "Datum eller rutin för revidering.", 1.0, None),
    (
        "citizen-dialogue",
        "Medborgarna har fått komma till tals, till exempel genom medborgardialog.",
        "Särskilt viktigt för ett medborgarlöfte.",
        "Underlag från dialoger eller enkäter.",
        1.0,
        None,
    ),
    ("signed", "Överenskommelsen är undertecknad av samtliga parter.", "", "Underskrifter med datum.", 1.0, Some(DerivedRule::SignedByAll)),
    (
        "resources",
        "Parternas resurser och åtaganden är angivna.",
        "Vad varje part bidrar med i tid, pengar eller personal.",
        "Överenskommelsens text.",
        1.0,
        None,
    ),
];

/// A checklist item of one version.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: i64,
    /// Stable across versions.
    pub key: String,
    pub position: i64,
    pub text: String,
    pub guidance: Option<String>,
    /// The evidence asked for.
    pub evidence: Option<String>,
    pub weight: f64,
    /// Where Brygga's data answers the item (see `assessments`).
    pub derived_rule: Option<String>,
}

/// A set with its latest version number.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistSet {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// The county board that owns it; none: Brygga's own.
    pub owner_org_id: Option<i64>,
    pub owner_name: Option<String>,
    pub builtin: bool,
    pub latest_version_id: i64,
    pub latest_version_no: i64,
}

/// One version of a set with its items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistVersion {
    pub id: i64,
    pub set_id: i64,
    pub set_name: String,
    pub version_no: i64,
    pub created_at_ms: i64,
    pub items: Vec<Item>,
}

const SET_SELECT: &str = "SELECT s.id, s.name, s.description, s.owner_org_id, o.name AS owner_name, s.builtin_key,
        (SELECT MAX(v.version_no) FROM checklist_versions v WHERE v.set_id = s.id) AS latest_no
     FROM checklist_sets s LEFT JOIN organisations o ON o.id = s.owner_org_id";

fn decode_set(db: &mut dyn Conn, r: &crate::Row) -> StoreResult<ChecklistSet> {
    let id: i64 = r.get("id")?;
    let latest_no: i64 = r.get("latest_no")?;
    let latest_version_id: i64 =
        db.scalar("SELECT id FROM checklist_versions WHERE set_id = $1 AND version_no = $2", args![id, latest_no])?;
    Ok(ChecklistSet {
        id,
        name: r.get("name")?,
        description: r.get("description")?,
        owner_org_id: r.get("owner_org_id")?,
        owner_name: r.get("owner_name")?,
        builtin: r.get::<Option<String>>("builtin_key")?.is_some(),
        latest_version_id,
        latest_version_no: latest_no,
    })
}

/// Every set (criteria are not secret): Brygga's first, then by name.
pub fn list(db: &mut dyn Conn) -> StoreResult<Vec<ChecklistSet>> {
    let rows = db.query(&format!("{SET_SELECT} ORDER BY CASE WHEN s.builtin_key IS NULL THEN 1 ELSE 0 END, s.name, s.id"), &[])?;
    rows.iter().map(|r| decode_set(db, r)).collect()
}

pub fn get(db: &mut dyn Conn, id: i64) -> StoreResult<ChecklistSet> {
    let rows = db.query(&format!("{SET_SELECT} WHERE s.id = $1"), args![id])?;
    let r = rows.first().ok_or(StoreError::not_found("checklist"))?;
    decode_set(db, r)
}

/// The id of Brygga's default set.
pub fn default_set(db: &mut dyn Conn) -> StoreResult<i64> {
    db.scalar_opt("SELECT id FROM checklist_sets WHERE builtin_key = $1", args![DEFAULT_KEY])?.ok_or(StoreError::not_found("checklist"))
}

/// One version with its items.
pub fn version(db: &mut dyn Conn, version_id: i64) -> StoreResult<ChecklistVersion> {
    let (set_id, set_name, version_no, created_at): (i64, String, i64, i64) = db
        .map_opt(
            "SELECT v.set_id, s.name, v.version_no, v.created_at FROM checklist_versions v JOIN checklist_sets s ON s.id = v.set_id WHERE v.id = $1",
            args![version_id],
            |r| Ok((r.get("set_id")?, r.get("name")?, r.get("version_no")?, r.get("created_at")?)),
        )?
        .ok_or(StoreError::not_found("checklist version"))?;
    let items = db.map_all(
        "SELECT id, key, position, text, guidance, evidence, weight, derived_rule FROM checklist_items WHERE version_id = $1 ORDER BY position",
        args![version_id],
        |r| {
            Ok(Item {
                id: r.get("id")?,
                key: r.get("key")?,
                position: r.get("position")?,
                text: r.get("text")?,
                guidance: r.get("guidance")?,
                evidence: r.get("evidence")?,
                weight: r.get("weight")?,
                derived_rule: r.get("derived_rule")?,
            })
        },
    )?;
    Ok(ChecklistVersion { id: version_id, set_id, set_name, version_no, created_at_ms: created_at, items })
}

/// The versions of a set, newest first: (id, number).
pub fn versions(db: &mut dyn Conn, set_id: i64) -> StoreResult<Vec<(i64, i64)>> {
    Ok(db.map_all("SELECT id, version_no FROM checklist_versions WHERE set_id = $1 ORDER BY version_no DESC", args![set_id], |r| {
        Ok((r.get("id")?, r.get("version_no")?))
    })?)
}

/// Seeds Brygga's default set once (called from `Store::migrate`).
pub fn ensure_default(db: &mut dyn Conn) -> StoreResult<()> {
    if db.scalar_opt::<i64>("SELECT id FROM checklist_sets WHERE builtin_key = $1", args![DEFAULT_KEY])?.is_some() {
        return Ok(());
    }
    let now = now_ms();
    let set: i64 = db.scalar(
        "INSERT INTO checklist_sets (name, description, owner_org_id, builtin_key, created_at, updated_at) VALUES ($1, $2, NULL, $3, $4, $4) RETURNING id",
        args![DEFAULT_NAME, DEFAULT_DESCRIPTION, DEFAULT_KEY, now],
    )?;
    let version: i64 =
        db.scalar("INSERT INTO checklist_versions (set_id, version_no, created_at) VALUES ($1, 1, $2) RETURNING id", args![set, now])?;
    for (i, (key, text, guidance, evidence, weight, rule)) in DEFAULT_ITEMS.iter().enumerate() {
        db.execute(
            "INSERT INTO checklist_items (version_id, key, position, text, guidance, evidence, weight, derived_rule) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![
                version,
                *key,
                i as i64,
                *text,
                Some(*guidance).filter(|g| !g.is_empty()),
                Some(*evidence).filter(|g| !g.is_empty()),
                *weight,
                rule.map(|r| r.code())
            ],
        )?;
    }
    Ok(())
}

/// A set as sent by a form or the API: its name, description and every item.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetInput {
    /// The county board that owns the set (a coordinator there). When creating only.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    pub name: String,
    pub description: String,
    pub items: Vec<ItemInput>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    /// Keep an item's key to say "the same item, reworded" across versions; none: a new item.
    #[serde(default)]
    pub key: Option<String>,
    pub text: String,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    /// Greater than 0; default 1.
    #[serde(default)]
    pub weight: Option<f64>,
    /// One of the derived rules (`causes`, `signed_by_all`, …), or none.
    #[serde(default)]
    pub derived_rule: Option<String>,
}

struct ValidItem {
    key: String,
    text: String,
    guidance: Option<String>,
    evidence: Option<String>,
    weight: f64,
    derived_rule: Option<DerivedRule>,
}

fn at(mut e: FieldError, field: String) -> FieldError {
    e.field = field;
    e
}

fn prepare(input: &SetInput) -> Result<(String, String, Vec<ValidItem>), FieldErrors> {
    let mut errs = FieldErrors::new();
    let name = clean_text(&mut errs, &NAME, Some(&input.name));
    let description = clean_text(&mut errs, &DESCRIPTION, Some(&input.description));
    if input.items.is_empty() {
        errs.push(FieldError::new("items", "agreements.no_items", "En checklista behöver minst en punkt. Lägg till punkterna."));
    }
    let mut items = Vec::new();
    let mut keys = Vec::new();
    for (i, it) in input.items.iter().enumerate() {
        let p = |f: &str| format!("items[{i}].{f}");
        let mut local = FieldErrors::new();
        let text = clean_text(&mut local, &ITEM_TEXT, Some(&it.text));
        let guidance = clean_text(&mut local, &ITEM_GUIDANCE, it.guidance.as_deref());
        let evidence = clean_text(&mut local, &ITEM_EVIDENCE, it.evidence.as_deref());
        for e in local.0 {
            let f = p(&e.field);
            errs.push(at(e, f));
        }
        let weight = it.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0 && weight <= 100.0) {
            errs.push(FieldError::new(
                p("weight"),
                "agreements.weight",
                format!("Vikten för punkt {} ska vara ett tal större än 0 (högst 100).", i + 1),
            ));
        }
        let rule = match it.derived_rule.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(r) => match DerivedRule::parse(r) {
                Ok(r) => Some(Some(r)),
                Err(e) => {
                    errs.push(at(e, p("derived_rule")));
                    None
                }
            },
        };
        let key = it.key.clone().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).unwrap_or_else(|| secret::random_token(9));
        if keys.contains(&key) {
            errs.push(FieldError::new(
                p("key"),
                "agreements.duplicate_key",
                format!("Punkt {} har samma nyckel som en annan punkt. Ta bort nyckeln eller välj en annan.", i + 1),
            ));
        }
        keys.push(key.clone());
        if let (Some(Some(text)), Some(guidance), Some(evidence), Some(rule)) = (text, guidance, evidence, rule) {
            items.push(ValidItem { key, text, guidance, evidence, weight, derived_rule: rule });
        }
    }
    errs.into_result()?;
    Ok((name.flatten().expect("checked"), description.flatten().expect("checked"), items))
}

fn insert_version(db: &mut dyn Conn, v: &Viewer, set_id: i64, version_no: i64, items: &[ValidItem]) -> StoreResult<i64> {
    let version: i64 = db.scalar(
        "INSERT INTO checklist_versions (set_id, version_no, created_by_user_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        args![set_id, version_no, v.user_id(), now_ms()],
    )?;
    write_items(db, version, items)?;
    Ok(version)
}

fn write_items(db: &mut dyn Conn, version: i64, items: &[ValidItem]) -> StoreResult<()> {
    for (i, it) in items.iter().enumerate() {
        db.execute(
            "INSERT INTO checklist_items (version_id, key, position, text, guidance, evidence, weight, derived_rule) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![version, it.key.as_str(), i as i64, it.text.as_str(), it.guidance.as_deref(), it.evidence.as_deref(), it.weight, it.derived_rule.map(|r| r.code())],
        )?;
    }
    Ok(())
}

/// Creates a county board's own set (version 1).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &SetInput) -> StoreResult<ChecklistSet> {
    let owner = match input.owner_org_id {
        Some(o) => o,
        None => v
            .org_ids()
            .into_iter()
            .find(|o| crate::kernel::access::allowed(v, Permission::ManageChecklists { org: *o }))
            .ok_or(StoreError::Forbidden)?,
    };
    require(v, Permission::ManageChecklists { org: owner })?;
    let (name, description, items) = prepare(input)?;
    let now = now_ms();
    let set: i64 = db.scalar(
        "INSERT INTO checklist_sets (name, description, owner_org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        args![name.as_str(), description.as_str(), owner, now],
    )?;
    insert_version(db, v, set, 1, &items)?;
    audit::record(db, v, Event::new("checklist.create").record("checklist", set).org(owner))?;
    get(db, set)
}

/// Whether a version has been used by an assessment or a snapshot (then it never changes).
pub fn is_used(db: &mut dyn Conn, version_id: i64) -> StoreResult<bool> {
    let n: i64 = db.scalar(
        "SELECT (SELECT COUNT(*) FROM assessments WHERE version_id = $1) + (SELECT COUNT(*) FROM assessment_snapshots WHERE version_id = $1)",
        args![version_id],
    )?;
    Ok(n > 0)
}

/// Edits a set (its owner's coordinators; Brygga's own set is read-only). When the latest
/// version has been used it stays as it is and the edit becomes a new version; otherwise the
/// latest version is rewritten.
pub fn edit(db: &mut dyn Conn, v: &Viewer, set_id: i64, input: &SetInput) -> StoreResult<ChecklistSet> {
    let set = get(db, set_id)?;
    let Some(owner) = set.owner_org_id else {
        return Err(StoreError::invalid(FieldError::new(
            "name",
            "agreements.builtin_set",
            "Bryggas checklista kan inte ändras. Skapa en egen checklista för länsstyrelsen i stället.",
        )));
    };
    require(v, Permission::ManageChecklists { org: owner })?;
    let (name, description, items) = prepare(input)?;
    db.execute(
        "UPDATE checklist_sets SET name = $1, description = $2, updated_at = $3 WHERE id = $4",
        args![name.as_str(), description.as_str(), now_ms(), set_id],
    )?;
    if is_used(db, set.latest_version_id)? {
        insert_version(db, v, set_id, set.latest_version_no + 1, &items)?;
    } else {
        db.execute("DELETE FROM checklist_items WHERE version_id = $1", args![set.latest_version_id])?;
        write_items(db, set.latest_version_id, &items)?;
    }
    audit::record(db, v, Event::new("checklist.update").record("checklist", set_id).org(owner))?;
    get(db, set_id)
}
