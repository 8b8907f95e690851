//! The åtgärdsplan as a document: its header (title, municipality, period, the lägesbild it
//! rests on, parties, the decision behind it), its versions, and the whole-document read
//! [`load`] that the plan page and `GET /api/v1/plans/{id}` share (a fixed number of queries,
//! one per table, however many goals, indicators and measures the plan has).

use brygga_domain::plans::DocumentStatus;
use brygga_domain::text::TextRule;
use brygga_domain::time::parse_date;
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::goals::{self, Goal};
use super::indicators::{self, Indicator};
use super::measures::{self, Measure};
use super::{Doc, DocTable};
use crate::forum_work::actions::clean_text;
use crate::forums::forum::OrgRef;
use crate::kernel::access::Action as Permission;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Planens titel", 200);
pub const DECIDED_BY: TextRule = TextRule::line("decided_by", "Beslutande organ", 200).optional();
pub const DECISION_REF: TextRule = TextRule::line("decision_ref", "Diarienummer", 100).optional();

/// The lägesbild version a plan rests on, as far as the plan shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SituationRef {
    pub id: i64,
    pub title: String,
    pub version_no: i64,
    /// `draft`, `adopted` or `superseded`.
    pub status: String,
}

/// The header of one version of an åtgärdsplan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionPlan {
    pub id: i64,
    /// The id of the first version: every version of the plan shares it.
    pub lineage_id: i64,
    pub version_no: i64,
    /// `draft`, `adopted` or `superseded`.
    pub status: String,
    pub status_label: String,
    pub title: String,
    /// `municipal` (a municipality's åtgärdsplan) or `activity` (a working group's
    /// aktivitetsplan, see `programmes`).
    pub kind: String,
    /// The municipality of a `municipal` plan; `null` for an activity plan.
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    /// `2026-01-01`.
    pub period_from: String,
    /// `2027-12-31`.
    pub period_to: String,
    pub situation: Option<SituationRef>,
    /// The forum whose joint picture the EST indicator series come from; `null`: the owner's own.
    pub picture_forum_id: Option<i64>,
    pub owner: OrgRef,
    /// Every party, the owner included.
    pub parties: Vec<OrgRef>,
    /// `organisation`, `forum` or `public`.
    pub visibility: String,
    pub forum_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_ref: Option<String>,
    pub adopted_at_ms: Option<i64>,
    pub adopted_by_user_id: Option<i64>,
    /// Optimistic lock.
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl ActionPlan {
    pub fn status(&self) -> DocumentStatus {
        DocumentStatus::from_code(&self.status).unwrap_or(DocumentStatus::Draft)
    }
    pub fn is_draft(&self) -> bool {
        self.status() == DocumentStatus::Draft
    }
    pub fn party_ids(&self) -> Vec<i64> {
        self.parties.iter().map(|p| p.id).collect()
    }
    /// Whether this is a working group's aktivitetsplan (no municipality; see `programmes`).
    pub fn is_activity(&self) -> bool {
        self.kind == KIND_ACTIVITY
    }
    /// The municipality's code, or `""` for an activity plan (choices filtered by it are then
    /// empty).
    pub fn municipality(&self) -> &str {
        self.municipality_code.as_deref().unwrap_or_default()
    }
}

/// `action_plans.kind` of a working group's aktivitetsplan.
pub const KIND_ACTIVITY: &str = "activity";
/// `action_plans.kind` of a municipality's åtgärdsplan.
pub const KIND_MUNICIPAL: &str = "municipal";

/// The SELECT that [`ActionPlan::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT p.id, p.lineage_id, p.version_no, p.status, p.title, p.kind, p.municipality_code, m.name AS municipality_name,
        p.period_from, p.period_to, p.situation_id, s.title AS situation_title, s.version_no AS situation_version_no,
        s.status AS situation_status, p.picture_forum_id, p.owner_org_id, o.name AS owner_name, p.visibility, p.forum_id,
        p.decided_by, p.decided_on, p.decision_ref, p.adopted_at, p.adopted_by_user_id, p.version, p.created_at, p.updated_at
     FROM action_plans p JOIN organisations o ON o.id = p.owner_org_id LEFT JOIN municipalities m ON m.code = p.municipality_code
     LEFT JOIN situations s ON s.id = p.situation_id";

impl FromRow for ActionPlan {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let status: String = r.get("status")?;
        let st = DocumentStatus::from_code(&status).ok_or_else(|| DbError::Decode(format!("status {status}")))?;
        let situation_id: Option<i64> = r.get("situation_id")?;
        let situation = match situation_id {
            Some(id) => Some(SituationRef {
                id,
                title: r.get("situation_title")?,
                version_no: r.get("situation_version_no")?,
                status: r.get("situation_status")?,
            }),
            None => None,
        };
        Ok(Self {
            id: r.get("id")?,
            lineage_id: r.get("lineage_id")?,
            version_no: r.get("version_no")?,
            status,
            status_label: st.label().to_owned(),
            title: r.get("title")?,
            kind: r.get("kind")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            period_from: r.get("period_from")?,
            period_to: r.get("period_to")?,
            situation,
            picture_forum_id: r.get("picture_forum_id")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            parties: Vec::new(),
            visibility: r.get("visibility")?,
            forum_id: r.get("forum_id")?,
            decided_by: r.get("decided_by")?,
            decided_on: r.get("decided_on")?,
            decision_ref: r.get("decision_ref")?,
            adopted_at_ms: r.get("adopted_at")?,
            adopted_by_user_id: r.get("adopted_by_user_id")?,
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// One version of the plan's lineage, for the version list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionRef {
    pub id: i64,
    pub version_no: i64,
    pub status: String,
    pub status_label: String,
    pub decided_on: Option<String>,
    pub adopted_at_ms: Option<i64>,
}

/// The whole plan version: header, goals (tree order: parents before children), indicators,
/// measures and the versions of its lineage the viewer may read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDocument {
    pub plan: ActionPlan,
    pub goals: Vec<Goal>,
    pub indicators: Vec<Indicator>,
    pub measures: Vec<Measure>,
    pub versions: Vec<VersionRef>,
}

impl PlanDocument {
    pub fn goal(&self, id: i64) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id == id)
    }
    /// The children of `parent` (`None`: the top goals), in order.
    pub fn children(&self, parent: Option<i64>) -> Vec<&Goal> {
        self.goals.iter().filter(|g| g.parent_id == parent).collect()
    }
    pub fn indicators_of(&self, goal: i64) -> Vec<&Indicator> {
        self.indicators.iter().filter(|i| i.goal_id == goal).collect()
    }
    pub fn measures_of(&self, goal: i64) -> Vec<&Measure> {
        self.measures.iter().filter(|m| m.goal_ids.contains(&goal)).collect()
    }
}

/// The header of a version, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<ActionPlan> {
    Doc::load(db, v, DocTable::Plan, id)?;
    fetch(db, id)
}

/// The header without the read check (callers have done it).
pub(crate) fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<ActionPlan> {
    let mut p: ActionPlan = db.opt(&format!("{SELECT} WHERE p.id = $1"), args![id])?.ok_or(StoreError::not_found("plan"))?;
    p.parties = db.all(
        "SELECT o.id, o.name FROM plan_parties pp JOIN organisations o ON o.id = pp.org_id WHERE pp.plan_id = $1 ORDER BY o.name_key",
        args![id],
    )?;
    Ok(p)
}

/// Counts below this are hidden from readers outside the parties (the picture's threshold).
pub const SUPPRESS_BELOW: i64 = crate::picture::weekly::DEFAULT_SUPPRESS_BELOW;

/// [`load`] with the audit entry of the read (see [`Doc::read_entry`]), for
/// `Store::read_audited`: a reader outside the parties is logged in the parties' audit logs.
pub fn load_audited(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(PlanDocument, crate::kernel::audit::SharedRead)> {
    let d = load(db, v, id)?;
    Ok((d, super::read_entry(db, v, DocTable::Plan, id)?))
}

/// The whole document in a fixed number of queries. A reader outside the parties (a forum
/// the version is shared with, the public) gets baselines of small EST counts hidden.
pub fn load(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<PlanDocument> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let plan = fetch(db, id)?;
    let goals = goals::for_plan(db, id)?;
    let mut indicators = indicators::for_plan(db, id)?;
    if !doc.is_party(v) {
        for i in &mut indicators {
            i.suppress(SUPPRESS_BELOW);
        }
    }
    let measures = measures::for_plan(db, v, id)?;
    let [orgs, forums] = sharing::readable_args(v);
    let versions = db.map_all(
        &format!(
            "SELECT t.id, t.version_no, t.status, t.decided_on, t.adopted_at FROM action_plans t WHERE t.lineage_id = $1 AND {} ORDER BY t.version_no",
            DocTable::Plan.readable(db, "t", 2)
        ),
        &[doc.lineage_id.into(), orgs, forums],
        |r| {
            let status: String = r.get("status")?;
            Ok(VersionRef {
                id: r.get("id")?,
                version_no: r.get("version_no")?,
                status_label: DocumentStatus::from_code(&status).map(|s| s.label()).unwrap_or_default().to_owned(),
                status,
                decided_on: r.get("decided_on")?,
                adopted_at_ms: r.get("adopted_at")?,
            })
        },
    )?;
    Ok(PlanDocument { plan, goals, indicators, measures, versions })
}

/// The municipalities' plans the viewer may read, newest period first; only `municipality` when
/// given. Working groups' activity plans are listed by their programme, not here.
pub fn list(db: &mut dyn Conn, v: &Viewer, municipality: Option<&str>) -> StoreResult<Vec<ActionPlan>> {
    let [orgs, forums] = sharing::readable_args(v);
    let mut sql = format!("{SELECT} WHERE p.kind = 'municipal' AND {}", DocTable::Plan.readable(db, "p", 1));
    let mut params = vec![orgs, forums];
    if let Some(m) = municipality {
        sql.push_str(" AND p.municipality_code = $3");
        params.push(m.into());
    }
    sql.push_str(" ORDER BY p.period_from DESC, p.lineage_id DESC, p.version_no DESC");
    let mut items: Vec<ActionPlan> = db.all(&sql, &params)?;
    if items.is_empty() {
        return Ok(items);
    }
    let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
    let parties: Vec<(i64, OrgRef)> = db.map_all(
        &format!(
            "SELECT pp.plan_id, o.id, o.name FROM plan_parties pp JOIN organisations o ON o.id = pp.org_id WHERE {} ORDER BY o.name_key",
            db.dialect().in_list("pp.plan_id", 1)
        ),
        &[Value::IntList(ids)],
        |r| Ok((r.get("plan_id")?, OrgRef { id: r.get("id")?, name: r.get("name")? })),
    )?;
    for p in &mut items {
        p.parties = parties.iter().filter(|x| x.0 == p.id).map(|x| x.1.clone()).collect();
    }
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// Commands.

/// A plan's header as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub title: String,
    /// The municipality (4 digits). Required when creating; cannot change afterwards.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// The owning organisation (the viewer's; a coordinator there). When creating only.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// Co-owners: organisations with an approved claim in the municipality, or a police
    /// organisation. When creating only; later through the parties commands.
    #[serde(default)]
    pub co_owner_org_ids: Vec<i64>,
    /// `2026-01-01`. Required.
    #[serde(default)]
    pub period_from: Option<String>,
    /// `2027-12-31`. Required; not before `period_from`.
    #[serde(default)]
    pub period_to: Option<String>,
    /// The lägesbild version the plan rests on (one the viewer may read, same municipality).
    #[serde(default)]
    pub situation_id: Option<i64>,
    /// The forum whose joint picture the EST indicators count in (one the owner is in, same
    /// municipality); empty: the owner's own picture.
    #[serde(default)]
    pub picture_forum_id: Option<i64>,
    /// The body that decided the plan, e.g. "Kommunfullmäktige". Required to adopt.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// `2026-02-24`. Required to adopt.
    #[serde(default)]
    pub decided_on: Option<String>,
    /// The decision's reference number, e.g. "KS 2026/114".
    #[serde(default)]
    pub decision_ref: Option<String>,
}

/// A header that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPlan {
    pub title: String,
    /// `None` only for an activity plan (edited through the plans model, created by
    /// `programmes`).
    pub municipality_code: Option<String>,
    pub owner_org_id: i64,
    pub co_owners: Vec<i64>,
    pub period_from: Date,
    pub period_to: Date,
    pub situation_id: Option<i64>,
    pub picture_forum_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_on: Option<Date>,
    pub decision_ref: Option<String>,
}

/// An optional date field.
pub(crate) fn opt_date(errs: &mut FieldErrors, field: &str, input: Option<&str>) -> Option<Option<Date>> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(parse_date(field, s)).map(Some),
    }
}

/// A required date field.
pub(crate) fn req_date(errs: &mut FieldErrors, field: &str, input: Option<&str>, what: &str) -> Option<Date> {
    match opt_date(errs, field, input) {
        Some(Some(d)) => Some(d),
        Some(None) => {
            errs.push(FieldError::new(field, "required", format!("Ange {what}, till exempel 2026-01-01.")));
            None
        }
        None => None,
    }
}

/// Whether `org` may be a party to a plan in `municipality`: an approved claim there, or a
/// police organisation.
pub(crate) fn may_be_party(db: &mut dyn Conn, org: i64, municipality: &str) -> StoreResult<bool> {
    let n: i64 = db.scalar(
        "SELECT COUNT(*) FROM organisations o WHERE o.id = $1 AND (o.kind = $3 OR EXISTS (SELECT 1 FROM organisation_municipalities om
            WHERE om.org_id = o.id AND om.municipality_code = $2 AND om.status = 'approved'))",
        args![org, municipality, OrgKind::Police.code()],
    )?;
    Ok(n > 0)
}

/// Checks a header and reports every problem at once. `before` is the stored header when
/// editing: its municipality and owner stay.
pub fn prepare(db: &mut dyn Conn, v: &Viewer, input: &PlanInput, before: Option<&ActionPlan>) -> StoreResult<ValidPlan> {
    let mut errs = FieldErrors::new();
    let owner = match (before, input.owner_org_id) {
        (Some(b), _) => b.owner.id,
        (None, Some(o)) => o,
        (None, None) => match v.org_ids().into_iter().find(|o| crate::kernel::access::allowed(v, Permission::WritePlan { org: *o })) {
            Some(o) => o,
            None => return Err(StoreError::Forbidden),
        },
    };
    if before.is_none() && !crate::kernel::access::allowed(v, Permission::WritePlan { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let decided_by = clean_text(&mut errs, &DECIDED_BY, input.decided_by.as_deref());
    let decision_ref = clean_text(&mut errs, &DECISION_REF, input.decision_ref.as_deref());
    let municipality = match before {
        Some(b) => {
            if input.municipality_code.as_deref().map(str::trim).is_some_and(|m| !m.is_empty() && Some(m) != b.municipality_code.as_deref())
            {
                errs.push(FieldError::new(
                    "municipality_code",
                    "plans.municipality_fixed",
                    "Kommunen kan inte ändras i en befintlig plan. Skapa en ny plan för en annan kommun.",
                ));
            }
            b.municipality_code.clone()
        }
        None => match input.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errs.push(FieldError::new("municipality_code", "required", "Välj kommunen som planen gäller."));
                None
            }
            Some(code) => {
                if may_be_party(db, owner, code)? {
                    Some(code.to_owned())
                } else {
                    errs.push(FieldError::new(
                        "municipality_code",
                        "plans.municipality_unclaimed",
                        format!("Din organisation har inget godkänt anspråk i kommun {code}. Välj en kommun där ni verkar."),
                    ));
                    None
                }
            }
        },
    };
    let from = req_date(&mut errs, "period_from", input.period_from.as_deref(), "när planperioden börjar");
    let to = req_date(&mut errs, "period_to", input.period_to.as_deref(), "när planperioden slutar");
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "period_to",
            "plans.period_order",
            format!("Planperioden slutar ({t}) före den börjar ({f}). Välj ett slutdatum efter startdatumet."),
        ));
    }
    let decided_on = opt_date(&mut errs, "decided_on", input.decided_on.as_deref());
    let mut co_owners: Vec<i64> = Vec::new();
    if before.is_none() {
        co_owners = input.co_owner_org_ids.iter().copied().filter(|o| *o != owner).collect();
        co_owners.sort_unstable();
        co_owners.dedup();
        if let Some(m) = &municipality {
            for o in &co_owners {
                if !may_be_party(db, *o, m)? {
                    errs.push(party_error("co_owner_org_ids"));
                    break;
                }
            }
        }
    }
    if let (Some(sid), Some(m)) = (input.situation_id, &municipality) {
        let ok = match Doc::load(db, v, DocTable::Situation, sid) {
            Ok(d) => d.municipality_code.as_deref() == Some(m.as_str()),
            Err(StoreError::NotFound { .. }) => false,
            Err(e) => return Err(e),
        };
        if !ok {
            errs.push(FieldError::new(
                "situation_id",
                "plans.situation_unknown",
                "Lägesbilden finns inte, är inte delad med dig eller gäller en annan kommun. Välj en lägesbild för planens kommun.",
            ));
        }
    }
    if let (Some(fid), Some(m)) = (input.picture_forum_id, &municipality) {
        let n: i64 = db.scalar(
            "SELECT COUNT(*) FROM forums f WHERE f.id = $1 AND f.municipality_code = $2
               AND (f.convener_org_id = $3 OR EXISTS (SELECT 1 FROM forum_members fm WHERE fm.forum_id = f.id AND fm.org_id = $3))",
            args![fid, m.as_str(), owner],
        )?;
        if n == 0 {
            errs.push(FieldError::new(
                "picture_forum_id",
                "plans.forum_unknown",
                "Forumet finns inte i planens kommun eller så är ägaren inte med i det. Välj ett forum där ägaren är med, eller lämna fältet tomt.",
            ));
        }
    }
    errs.into_result()?;
    Ok(ValidPlan {
        title: title.flatten().expect("checked"),
        municipality_code: municipality,
        owner_org_id: owner,
        co_owners,
        period_from: from.expect("checked"),
        period_to: to.expect("checked"),
        situation_id: input.situation_id,
        picture_forum_id: input.picture_forum_id,
        decided_by: decided_by.expect("checked"),
        decided_on: decided_on.expect("checked"),
        decision_ref: decision_ref.expect("checked"),
    })
}

fn party_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        "plans.party_unclaimed",
        "En part måste ha ett godkänt anspråk i planens kommun, eller vara polisen. Välj en sådan organisation.",
    )
}

/// Creates a new plan (version 1, a draft) owned by the viewer's organisation.
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &PlanInput) -> StoreResult<ActionPlan> {
    let p = prepare(db, v, input, None)?;
    let Some(municipality) = p.municipality_code.as_deref() else { return Err(StoreError::Internal("plan without municipality".into())) };
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO action_plans (lineage_id, version_no, status, title, municipality_code, period_from, period_to, situation_id,
            picture_forum_id, owner_org_id, visibility, decided_by, decided_on, decision_ref, created_by_user_id, version, created_at, updated_at)
         VALUES (0, 1, 'draft', $1, $2, $3, $4, $5, $6, $7, 'organisation', $8, $9, $10, $11, 1, $12, $12) RETURNING id",
        args![
            p.title.as_str(),
            municipality,
            p.period_from.to_string(),
            p.period_to.to_string(),
            p.situation_id,
            p.picture_forum_id,
            p.owner_org_id,
            p.decided_by.as_deref(),
            p.decided_on.map(|d| d.to_string()),
            p.decision_ref.as_deref(),
            v.user_id(),
            now
        ],
    )?;
    db.execute("UPDATE action_plans SET lineage_id = id WHERE id = $1", args![id])?;
    for org in std::iter::once(p.owner_org_id).chain(p.co_owners.iter().copied()) {
        db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", args![id, org])?;
    }
    crate::kernel::index::touch(db, "plan", id)?;
    audit::record(db, v, Event::new("plan.create").record("plan", id).org(p.owner_org_id).orgs(&p.co_owners))?;
    fetch(db, id)
}

/// Edits the header of a draft (title, period, lägesbild, picture, decision).
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &PlanInput) -> StoreResult<ActionPlan> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    let before = fetch(db, id)?;
    let p = prepare(db, v, input, Some(&before))?;
    doc.touch(db, Some(version))?;
    db.execute(
        "UPDATE action_plans SET title = $1, period_from = $2, period_to = $3, situation_id = $4, picture_forum_id = $5,
            decided_by = $6, decided_on = $7, decision_ref = $8 WHERE id = $9",
        args![
            p.title.as_str(),
            p.period_from.to_string(),
            p.period_to.to_string(),
            p.situation_id,
            p.picture_forum_id,
            p.decided_by.as_deref(),
            p.decided_on.map(|d| d.to_string()),
            p.decision_ref.as_deref(),
            id
        ],
    )?;
    audit::record(db, v, Event::new("plan.update").record("plan", id).org(org))?;
    fetch(db, id)
}

/// Adds a co-owner to a draft (the owner's coordinators).
pub fn add_party(db: &mut dyn Conn, v: &Viewer, id: i64, org_id: i64) -> StoreResult<ActionPlan> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let owner = doc.acting_owner(v, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    if !doc.parties.contains(&org_id) {
        if doc.is_activity() {
            return Err(StoreError::invalid(activity_parties_error()));
        }
        if !may_be_party(db, org_id, doc.municipality_code.as_deref().unwrap_or_default())? {
            return Err(StoreError::invalid(party_error("org_id")));
        }
        db.execute("INSERT INTO plan_parties (plan_id, org_id) VALUES ($1, $2)", args![id, org_id])?;
        doc.touch(db, None)?;
        audit::record(db, v, Event::new("plan.party_add").record("plan", id).org(owner).org(org_id))?;
    }
    fetch(db, id)
}

/// Removes a co-owner from a draft; refused for the owner and for a party responsible for a
/// measure (naming the measures).
pub fn remove_party(db: &mut dyn Conn, v: &Viewer, id: i64, org_id: i64) -> StoreResult<ActionPlan> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let owner = doc.acting_owner(v, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    if doc.is_activity() {
        return Err(StoreError::invalid(activity_parties_error()));
    }
    if org_id == owner {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "plans.owner_party",
            "Ägaren kan inte tas bort som part. Planen tillhör ägaren.",
        )));
    }
    let titles: Vec<String> = db.scalars(
        "SELECT title FROM plan_measures WHERE plan_id = $1 AND responsible_org_id = $2 ORDER BY position, id",
        args![id, org_id],
    )?;
    if !titles.is_empty() {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "plans.party_responsible",
            format!(
                "Organisationen är ansvarig för insatserna {}. Byt ansvarig för dem först, sedan kan organisationen tas bort som part.",
                quoted(&titles)
            ),
        )));
    }
    if db.execute("DELETE FROM plan_parties WHERE plan_id = $1 AND org_id = $2", args![id, org_id])? > 0 {
        db.execute(
            "DELETE FROM measure_partners WHERE org_id = $1 AND measure_id IN (SELECT id FROM plan_measures WHERE plan_id = $2)",
            args![org_id, id],
        )?;
        doc.touch(db, None)?;
        audit::record(db, v, Event::new("plan.party_remove").record("plan", id).org(owner).org(org_id))?;
    }
    fetch(db, id)
}

/// An activity plan's parties are its working group's members and the programme's owner,
/// changed through the group.
fn activity_parties_error() -> FieldError {
    FieldError::new(
        "org_id",
        "plans.activity_parties",
        "En aktivitetsplans parter är arbetsgruppens medlemmar och programmets ägare. Ändra medlemmarna i arbetsgruppen i stället.",
    )
}

/// An activity plan is adopted and started anew through its programme's workflow, not here.
fn activity_workflow_error() -> FieldError {
    FieldError::new(
        "status",
        "plans.activity_workflow",
        "Det här är en aktivitetsplan. Den lämnas in, kvalitetssäkras, presenteras och fastställs via programmets arbetsflöde, och nästa halvårs plan startas från arbetsgruppens sida.",
    )
}

/// `”A”, ”B” och ”C”`.
pub(crate) fn quoted(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|t| format!("”{t}”")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        n => format!("{} och {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

/// Adopts a draft: the owner's coordinators, with the decision recorded (body and date). The
/// version never changes again; an earlier adopted version of the lineage is superseded.
pub fn adopt(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64) -> StoreResult<ActionPlan> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let owner = doc.acting_owner(v, |org| Permission::AdoptPlan { org })?;
    if doc.is_activity() {
        return Err(StoreError::invalid(activity_workflow_error()));
    }
    doc.require_draft()?;
    adopt_version(db, v, &doc, owner, Some(version))
}

/// The adoption itself, for a draft version `doc` whose adopter the caller has checked (the
/// plans model's [`adopt`], or the programme workflow's last step for an activity plan).
pub fn adopt_version(db: &mut dyn Conn, v: &Viewer, doc: &Doc, owner: i64, version: Option<i64>) -> StoreResult<ActionPlan> {
    let id = doc.id;
    if doc.status != DocumentStatus::Draft {
        return Err(StoreError::Internal("adopting a version that is not a draft".into()));
    }
    let p = fetch(db, id)?;
    let mut errs = FieldErrors::new();
    if p.decided_by.is_none() {
        errs.push(FieldError::new(
            "decided_by",
            "plans.decision_missing",
            "Ange vilket organ som beslutade planen (till exempel Kommunfullmäktige) innan den antas.",
        ));
    }
    if p.decided_on.is_none() {
        errs.push(FieldError::new(
            "decided_on",
            "plans.decision_missing",
            "Ange beslutsdatum innan planen antas, till exempel 2026-02-24.",
        ));
    }
    errs.into_result()?;
    doc.touch(db, version)?;
    db.execute(
        "UPDATE action_plans SET status = 'superseded' WHERE lineage_id = $1 AND status = 'adopted' AND id <> $2",
        args![doc.lineage_id, id],
    )?;
    db.execute(
        "UPDATE action_plans SET status = 'adopted', adopted_at = $1, adopted_by_user_id = $2 WHERE id = $3",
        args![now_ms(), v.user_id(), id],
    )?;
    audit::record(db, v, Event::new("plan.adopt").record("plan", id).org(owner))?;
    // The version in force is followed up from the day it is adopted: its indicators drawn from
    // Brygga's data get their values now, in the same transaction.
    crate::plans::followup::on_adopted(db, id)?;
    fetch(db, id)
}

/// Starts a new draft from an adopted (or superseded) version: a copy of everything, parts
/// keeping their keys. One draft per lineage: with one open already, the message says so.
pub fn new_version(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<ActionPlan> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let owner = doc.acting_owner(v, |org| Permission::AdoptPlan { org })?;
    if doc.is_activity() {
        return Err(StoreError::invalid(activity_workflow_error()));
    }
    let new_id = copy_version(db, v, &doc)?;
    audit::record(db, v, Event::new("plan.new_version").record("plan", new_id).org(owner))?;
    fetch(db, new_id)
}

/// Copies the version `doc` (not a draft) into a new draft of its lineage, every part keeping
/// its key; the new version's id. One draft per lineage: with one open already, the message
/// says so. The caller checks who may and records the audit entry (the plans model's
/// [`new_version`], or the programme starting the next half-year's activity plan).
pub fn copy_version(db: &mut dyn Conn, v: &Viewer, doc: &Doc) -> StoreResult<i64> {
    let id = doc.id;
    if doc.status == DocumentStatus::Draft {
        return Err(StoreError::invalid(FieldError::new(
            "status",
            "plans.already_draft",
            "Den här versionen är redan ett utkast. Ändra i den direkt.",
        )));
    }
    let open: Option<i64> =
        db.scalar_opt("SELECT version_no FROM action_plans WHERE lineage_id = $1 AND status = 'draft'", args![doc.lineage_id])?;
    if let Some(n) = open {
        return Err(StoreError::invalid(FieldError::new(
            "status",
            "plans.draft_exists",
            format!("Version {n} är redan ett utkast. Gör ändringarna där; det kan bara finnas ett utkast åt gången."),
        )));
    }
    let next: i64 = db.scalar("SELECT MAX(version_no) + 1 FROM action_plans WHERE lineage_id = $1", args![doc.lineage_id])?;
    let now = now_ms();
    let new_id: i64 = db.scalar(
        "INSERT INTO action_plans (lineage_id, version_no, status, title, kind, municipality_code, period_from, period_to, situation_id,
            picture_forum_id, owner_org_id, visibility, decided_by, decided_on, decision_ref, created_by_user_id, version, created_at, updated_at)
         SELECT lineage_id, $2, 'draft', title, kind, municipality_code, period_from, period_to, situation_id, picture_forum_id, owner_org_id,
            'organisation', decided_by, decided_on, decision_ref, $3, 1, $4, $4 FROM action_plans WHERE id = $1 RETURNING id",
        args![id, next, v.user_id(), now],
    )?;
    copy_content(db, id, new_id, now)?;
    crate::kernel::index::touch(db, "plan", new_id)?;
    Ok(new_id)
}

/// A deviation's id and its measure, goal and indicator (to remap in a copy).
type DeviationLinks = (i64, Option<i64>, Option<i64>, Option<i64>);

/// Copies parties, goals (parents remapped), goal problems, indicators and their values,
/// measures with their partner, goal, cause and action links, and deviations from `from` to
/// `to`. Keys are kept.
fn copy_content(db: &mut dyn Conn, from: i64, to: i64, now: i64) -> StoreResult<()> {
    db.execute("INSERT INTO plan_parties (plan_id, org_id) SELECT $2, org_id FROM plan_parties WHERE plan_id = $1", args![from, to])?;
    // Goals: parents first, so a parent's new id exists when its children are copied.
    let goals: Vec<(i64, Option<i64>)> =
        db.map_all("SELECT id, parent_id FROM plan_goals WHERE plan_id = $1 ORDER BY id", args![from], |r| {
            Ok((r.get("id")?, r.get("parent_id")?))
        })?;
    let mut map: Vec<(i64, i64)> = Vec::new();
    let mut pending = goals;
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for (old, parent) in pending {
            let new_parent = match parent {
                None => None,
                Some(p) => match map.iter().find(|m| m.0 == p) {
                    Some(m) => Some(m.1),
                    None => {
                        rest.push((old, parent));
                        continue;
                    }
                },
            };
            let new: i64 = db.scalar(
                "INSERT INTO plan_goals (plan_id, key, parent_id, kind, title, description, level, weight, position)
                 SELECT $2, key, $3, kind, title, description, level, weight, position FROM plan_goals WHERE id = $1 RETURNING id",
                args![old, to, new_parent],
            )?;
            map.push((old, new));
        }
        if rest.len() == before {
            return Err(StoreError::Internal("goal tree with a cycle".into()));
        }
        pending = rest;
    }
    let goal = |old: i64| map.iter().find(|m| m.0 == old).map(|m| m.1);
    for (old, new) in &map {
        db.execute(
            "INSERT INTO goal_problems (goal_id, problem_id) SELECT $2, problem_id FROM goal_problems WHERE goal_id = $1",
            args![*old, *new],
        )?;
    }
    let indicators: Vec<(i64, i64)> =
        db.map_all("SELECT id, goal_id FROM plan_indicators WHERE plan_id = $1 ORDER BY id", args![from], |r| {
            Ok((r.get("id")?, r.get("goal_id")?))
        })?;
    let mut imap: Vec<(i64, i64)> = Vec::new();
    for (old, g) in indicators {
        let new: i64 = db.scalar(
            "INSERT INTO plan_indicators (plan_id, key, goal_id, name, source, category_id, area_id, offence, survey_question, survey_area,
                manual_source, unit, direction, baseline_value, baseline_on, baseline_computed, baseline_source, target_value, target_on,
                frequency, position)
             SELECT $2, key, $3, name, source, category_id, area_id, offence, survey_question, survey_area, manual_source, unit, direction,
                baseline_value, baseline_on, baseline_computed, baseline_source, target_value, target_on, frequency, position
             FROM plan_indicators WHERE id = $1 RETURNING id",
            args![old, to, goal(g)],
        )?;
        db.execute(
            "INSERT INTO indicator_values (indicator_id, period, value, origin, note, entered_by_user_id, created_at)
             SELECT $2, period, value, origin, note, entered_by_user_id, created_at FROM indicator_values WHERE indicator_id = $1",
            args![old, new],
        )?;
        imap.push((old, new));
    }
    let measures: Vec<i64> = db.scalars("SELECT id FROM plan_measures WHERE plan_id = $1 ORDER BY id", args![from])?;
    let mut mmap: Vec<(i64, i64)> = Vec::new();
    for old in measures {
        let new: i64 = db.scalar(
            "INSERT INTO plan_measures (plan_id, key, title, description, responsible_org_id, start_on, end_on, resources, status, status_note,
                no_police_powers, basis, basis_note, involvement, position, method_id)
             SELECT $2, key, title, description, responsible_org_id, start_on, end_on, resources, status, status_note, no_police_powers,
                basis, basis_note, involvement, position, method_id FROM plan_measures WHERE id = $1 RETURNING id",
            args![old, to],
        )?;
        db.execute(
            "INSERT INTO measure_partners (measure_id, org_id) SELECT $2, org_id FROM measure_partners WHERE measure_id = $1",
            args![old, new],
        )?;
        db.execute(
            "INSERT INTO measure_causes (measure_id, cause_id) SELECT $2, cause_id FROM measure_causes WHERE measure_id = $1",
            args![old, new],
        )?;
        db.execute(
            "INSERT INTO measure_actions (measure_id, action_id) SELECT $2, action_id FROM measure_actions WHERE measure_id = $1",
            args![old, new],
        )?;
        // An activity plan's members' contributions to the activity (see `programmes`).
        db.execute(
            "INSERT INTO measure_contributions (measure_id, org_id, contribution) SELECT $2, org_id, contribution FROM measure_contributions WHERE measure_id = $1",
            args![old, new],
        )?;
        let linked: Vec<i64> = db.scalars("SELECT goal_id FROM measure_goals WHERE measure_id = $1", args![old])?;
        for g in linked {
            db.execute("INSERT INTO measure_goals (measure_id, goal_id) VALUES ($1, $2)", args![new, goal(g)])?;
        }
        mmap.push((old, new));
    }
    let deviations: Vec<DeviationLinks> =
        db.map_all("SELECT id, measure_id, goal_id, indicator_id FROM plan_deviations WHERE plan_id = $1 ORDER BY id", args![from], |r| {
            Ok((r.get("id")?, r.get("measure_id")?, r.get("goal_id")?, r.get("indicator_id")?))
        })?;
    let find = |m: &[(i64, i64)], old: Option<i64>| old.and_then(|o| m.iter().find(|x| x.0 == o).map(|x| x.1));
    for (old, m, g, i) in deviations {
        db.execute(
            "INSERT INTO plan_deviations (plan_id, key, measure_id, goal_id, indicator_id, what, why, consequence, correction, decided_by,
                decided_on, recorded_by_user_id, created_at, updated_at)
             SELECT $2, key, $3, $4, $5, what, why, consequence, correction, decided_by, decided_on, recorded_by_user_id, created_at, $6
             FROM plan_deviations WHERE id = $1",
            args![old, to, find(&mmap, m), g.and_then(goal), find(&imap, i), now],
        )?;
    }
    Ok(())
}

/// Who an adopted version is shared with, as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// `organisation` (the parties only), `forum` or `public`.
    pub visibility: String,
    /// The forum, for `forum`: one the owner is in.
    #[serde(default)]
    pub forum_id: Option<i64>,
}

/// Shares an adopted version with a forum, publishes it, or takes it back to the parties.
/// Drafts are never shared.
pub fn share(db: &mut dyn Conn, v: &Viewer, id: i64, input: &ShareInput) -> StoreResult<ActionPlan> {
    let doc = Doc::load(db, v, DocTable::Plan, id)?;
    let owner = doc.acting_owner(v, |org| Permission::AdoptPlan { org })?;
    if doc.status == DocumentStatus::Draft {
        return Err(StoreError::invalid(FieldError::new(
            "visibility",
            "plans.share_draft",
            "Ett utkast kan inte delas eller publiceras. Anta planen först.",
        )));
    }
    let mut errs = FieldErrors::new();
    let visibility = sharing::choose(db, &mut errs, &input.visibility, input.forum_id, owner, "planen")?;
    errs.into_result()?;
    let visibility = visibility.expect("checked");
    doc.touch(db, None)?;
    db.execute(
        "UPDATE action_plans SET visibility = $1, forum_id = $2 WHERE id = $3",
        args![visibility.kind().code(), visibility.forum_id(), id],
    )?;
    audit::record(db, v, Event::new("plan.share").record("plan", id).org(owner))?;
    fetch(db, id)
}

/// The lägesbild versions of `municipality` the viewer may read (choices for a new plan).
pub fn situation_choices(db: &mut dyn Conn, v: &Viewer, municipality: &str) -> StoreResult<Vec<SituationRef>> {
    let [orgs, forums] = sharing::readable_args(v);
    Ok(db.map_all(
        &format!(
            "SELECT t.id, t.title, t.version_no, t.status FROM situations t WHERE t.municipality_code = $1 AND {} ORDER BY t.year DESC, t.version_no DESC",
            DocTable::Situation.readable(db, "t", 2)
        ),
        &[municipality.into(), orgs, forums],
        |r| Ok(SituationRef { id: r.get("id")?, title: r.get("title")?, version_no: r.get("version_no")?, status: r.get("status")? }),
    )?)
}

/// The municipalities where one of the viewer's organisations has an approved claim (choices
/// for a new plan), by name.
pub fn claimed_municipalities(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> = db.map_all(
        &format!(
            "SELECT DISTINCT m.code, m.name FROM organisation_municipalities om JOIN municipalities m ON m.code = om.municipality_code
             WHERE om.status = 'approved' AND {} ORDER BY m.name",
            db.dialect().in_list("om.org_id", 1)
        ),
        &[Value::IntList(v.org_ids())],
        |r| Ok((r.get("code")?, r.get("name")?)),
    )?;
    all.sort_by_cached_key(|(_, name)| crate::sort_key(name));
    Ok(all)
}

/// The organisations that may be parties to a plan in `municipality`: an approved claim there,
/// or the police (choices for parties and partners).
pub fn organisations_in(db: &mut dyn Conn, municipality: &str) -> StoreResult<Vec<OrgRef>> {
    Ok(db.all(
        "SELECT o.id, o.name FROM organisations o WHERE o.kind = $2 OR EXISTS (SELECT 1 FROM organisation_municipalities om
            WHERE om.org_id = o.id AND om.municipality_code = $1 AND om.status = 'approved') ORDER BY o.name_key",
        args![municipality, OrgKind::Police.code()],
    )?)
}

/// A problem or cause of the plan's lägesbild, as a choice for goals and measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    pub id: i64,
    pub title: String,
}

/// The prioritised problems and the causes of the plan's lägesbild version (empty when it has
/// none, or the viewer may not read it).
pub fn situation_parts(db: &mut dyn Conn, v: &Viewer, p: &ActionPlan) -> StoreResult<(Vec<Choice>, Vec<Choice>)> {
    let Some(s) = &p.situation else { return Ok((Vec::new(), Vec::new())) };
    match Doc::load(db, v, DocTable::Situation, s.id) {
        Ok(_) => {}
        Err(StoreError::NotFound { .. }) => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(e),
    }
    let problems =
        db.map_all("SELECT id, title FROM situation_problems WHERE situation_id = $1 ORDER BY priority, position", args![s.id], |r| {
            Ok(Choice { id: r.get("id")?, title: r.get("title")? })
        })?;
    let causes = db.map_all(
        "SELECT c.id, sp.title AS problem, c.title FROM problem_causes c JOIN situation_problems sp ON sp.id = c.problem_id
         WHERE sp.situation_id = $1 ORDER BY sp.priority, sp.position, c.position",
        args![s.id],
        |r| Ok(Choice { id: r.get("id")?, title: format!("{} – {}", r.get::<String>("problem")?, r.get::<String>("title")?) }),
    )?;
    Ok((problems, causes))
}

/// All municipal plan versions, for the search index's full rebuild.
pub const SEARCH_IDS: &str = "SELECT id FROM action_plans WHERE kind = 'municipal'";

/// The search index's document of one municipal åtgärdsplan version: title, decision, goals and
/// measures. Read as [`sharing::party_record_readable`] says: the parties' users always; a
/// version that is not a draft besides the forum it is shared with, or anyone when published.
/// A working group's activity plan is not indexed (its parties follow the programme's groups).
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<crate::kernel::index::Document>> {
    use crate::kernel::index::Document;
    type Head = (String, String, Option<String>, String, Option<i64>, i64, Option<String>, i64, String, String, String);
    let head: Option<Head> = db.map_opt(
        "SELECT title, status, municipality_code, visibility, forum_id, owner_org_id, decided_by, updated_at, kind, period_from, period_to
         FROM action_plans WHERE id = $1",
        args![id],
        |r| {
            Ok((
                r.get("title")?,
                r.get("status")?,
                r.get("municipality_code")?,
                r.get("visibility")?,
                r.get("forum_id")?,
                r.get("owner_org_id")?,
                r.get("decided_by")?,
                r.get("updated_at")?,
                r.get("kind")?,
                r.get("period_from")?,
                r.get("period_to")?,
            ))
        },
    )?;
    let Some((title, status, municipality, visibility, forum_id, owner, decided_by, updated_at, kind, from, to)) = head else {
        return Ok(None);
    };
    if kind == KIND_ACTIVITY {
        return Ok(None);
    }
    let parties: Vec<i64> = db.scalars("SELECT org_id FROM plan_parties WHERE plan_id = $1 ORDER BY org_id", args![id])?;
    let vis = sharing::Visibility::from_columns(&visibility, forum_id).unwrap_or(sharing::Visibility::Organisation);
    let public = status != "draft" && vis == sharing::Visibility::Public;
    let readers = sharing::party_record_readers(owner, &parties, status == "draft", vis);
    let mut body = format!("Åtgärdsplan {from} – {to}.");
    if let Some(d) = decided_by {
        body.push_str(&format!(" Beslutad av {d}."));
    }
    let parts: Vec<(String, Option<String>)> =
        db.map_all("SELECT title, description FROM plan_goals WHERE plan_id = $1 ORDER BY id", args![id], |r| {
            Ok((r.get("title")?, r.get("description")?))
        })?;
    let measures: Vec<(String, Option<String>)> =
        db.map_all("SELECT title, description FROM plan_measures WHERE plan_id = $1 ORDER BY id", args![id], |r| {
            Ok((r.get("title")?, r.get("description")?))
        })?;
    for (t, d) in parts.into_iter().chain(measures) {
        body.push(' ');
        body.push_str(&t);
        body.push('.');
        if let Some(d) = d {
            body.push(' ');
            body.push_str(&d);
        }
    }
    let path = if public { format!("/publikt/atgardsplaner/{id}") } else { format!("/atgardsplaner/{id}") };
    Ok(Some(Document {
        kind: "plan",
        id,
        title,
        body,
        municipalities: municipality.into_iter().collect(),
        path,
        readers,
        updated_at_ms: updated_at,
    }))
}
