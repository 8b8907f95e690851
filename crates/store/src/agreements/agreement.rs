//! One agreement: its header (kind, title, municipality, period, the lägesbild/problembild and
//! åtgärdsplan it rests on, the decision behind it), its parties and their signing dates, the
//! signed document, concluding and sharing, and the list.

use brygga_domain::agreements::{AgreementKind, AgreementStatus, DocumentType};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Head, party_error};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event, Reads, SharedRead};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::plans::plan::{may_be_party, opt_date, req_date};
use crate::plans::{Doc, DocTable};
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Överenskommelsens titel", 200);
pub const DECIDED_BY: TextRule = TextRule::line("decided_by", "Beslutande organ", 200).optional();
pub const DECISION_REF: TextRule = TextRule::line("decision_ref", "Diarienummer", 100).optional();

/// The largest signed document accepted (the upload routes' limit, `kit::upload`).
pub const MAX_DOCUMENT_BYTES: usize = crate::picture::imports::MAX_UPLOAD_BYTES;

/// A lägesbild/problembild or åtgärdsplan version an agreement rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkRef {
    pub id: i64,
    pub title: String,
    pub version_no: i64,
}

/// A party and the day it signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Party {
    pub org_id: i64,
    pub name: String,
    /// The organisation's kind (`municipality`, `police`, …).
    pub kind: String,
    /// `2026-03-01`, or none while unsigned.
    pub signed_on: Option<String>,
}

/// The signed document's description (the bytes are fetched by [`document`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentInfo {
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at_ms: i64,
}

/// One agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agreement {
    pub id: i64,
    /// `cooperation_agreement`, `citizen_promise`, `iop`, `partnership`, `other`.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub municipality_code: String,
    pub municipality_name: String,
    pub county_code: String,
    /// The local police area(s) of the municipality, by name.
    pub police_areas: Vec<String>,
    pub period_from: String,
    pub period_to: String,
    /// Concluded (decided and in effect from its period) or still a draft.
    pub concluded: bool,
    /// Derived today: `draft`, `upcoming`, `current`, `ended`.
    pub status: String,
    pub status_label: String,
    pub situation: Option<LinkRef>,
    pub plan: Option<LinkRef>,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_ref: Option<String>,
    pub owner_org_id: i64,
    pub parties: Vec<Party>,
    /// `organisation`, `forum` or `public`.
    pub visibility: String,
    pub forum_id: Option<i64>,
    pub document: Option<DocumentInfo>,
    /// Optimistic lock.
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Agreement {
    pub fn kind(&self) -> AgreementKind {
        AgreementKind::from_code(&self.kind).unwrap_or(AgreementKind::Other)
    }
    pub fn party_ids(&self) -> Vec<i64> {
        self.parties.iter().map(|p| p.org_id).collect()
    }
}

const SELECT: &str =
    "SELECT a.id, a.kind, a.title, a.municipality_code, m.name AS municipality_name, m.county_code, a.period_from, a.period_to,
        a.status, a.situation_id, s.title AS situation_title, s.version_no AS situation_version_no, a.plan_id, p.title AS plan_title,
        p.version_no AS plan_version_no, a.decided_by, a.decided_on, a.decision_ref, a.owner_org_id, a.visibility, a.forum_id,
        a.version, a.created_at, a.updated_at, d.file_name, d.media_type, d.size_bytes, d.sha256, d.uploaded_at
     FROM agreements a JOIN municipalities m ON m.code = a.municipality_code
     LEFT JOIN situations s ON s.id = a.situation_id LEFT JOIN action_plans p ON p.id = a.plan_id
     LEFT JOIN agreement_documents d ON d.agreement_id = a.id";

impl FromRow for Agreement {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let k = AgreementKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("kind {kind}")))?;
        let from: String = r.get("period_from")?;
        let to: String = r.get("period_to")?;
        let concluded = r.get::<String>("status")? == "concluded";
        let status = match (from.parse::<Date>(), to.parse::<Date>()) {
            (Ok(f), Ok(t)) => AgreementStatus::derive(concluded, f, t, brygga_domain::time::today()),
            _ => return Err(DbError::Decode(format!("period {from}–{to}"))),
        };
        let link = |id: Option<i64>, t: &str, n: &str| -> Result<Option<LinkRef>, DbError> {
            Ok(match id {
                Some(id) => Some(LinkRef { id, title: r.get(t)?, version_no: r.get(n)? }),
                None => None,
            })
        };
        let document = match r.get::<Option<String>>("file_name")? {
            Some(file_name) => Some(DocumentInfo {
                file_name,
                media_type: r.get("media_type")?,
                size_bytes: r.get("size_bytes")?,
                sha256: r.get("sha256")?,
                uploaded_at_ms: r.get("uploaded_at")?,
            }),
            None => None,
        };
        Ok(Self {
            id: r.get("id")?,
            kind_label: k.label().to_owned(),
            kind,
            title: r.get("title")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            county_code: r.get("county_code")?,
            police_areas: Vec::new(),
            period_from: from,
            period_to: to,
            concluded,
            status: status.code().to_owned(),
            status_label: status.label().to_owned(),
            situation: link(r.get("situation_id")?, "situation_title", "situation_version_no")?,
            plan: link(r.get("plan_id")?, "plan_title", "plan_version_no")?,
            decided_by: r.get("decided_by")?,
            decided_on: r.get("decided_on")?,
            decision_ref: r.get("decision_ref")?,
            owner_org_id: r.get("owner_org_id")?,
            parties: Vec::new(),
            visibility: r.get("visibility")?,
            forum_id: r.get("forum_id")?,
            document,
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

fn parties_of(db: &mut dyn Conn, ids: &[i64]) -> StoreResult<Vec<(i64, Party)>> {
    Ok(db.map_all(
        &format!(
            "SELECT ap.agreement_id, o.id, o.name, o.kind, ap.signed_on FROM agreement_parties ap JOIN organisations o ON o.id = ap.org_id
             WHERE {} ORDER BY o.name_key",
            db.dialect().in_list("ap.agreement_id", 1)
        ),
        &[Value::IntList(ids.to_vec())],
        |r| {
            Ok((
                r.get("agreement_id")?,
                Party { org_id: r.get("id")?, name: r.get("name")?, kind: r.get("kind")?, signed_on: r.get("signed_on")? },
            ))
        },
    )?)
}

/// The agreement, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Agreement> {
    Head::load(db, v, id)?;
    fetch(db, id)
}

/// The audit entry of reading an agreement (for [`crate::Store::read_audited`]): a signed-in
/// reader outside the parties — the overseeing county board, a member of a forum it is shared
/// with, anyone reading a published one — leaves an entry in every party's log, as a read of a
/// shared plan does. The parties' own reads are not logged.
pub fn read_entry(head: &Head, v: &Viewer, action: &'static str) -> SharedRead {
    let outsider = !head.is_party(v) && (v.is_signed_in() || v.token_id().is_some());
    SharedRead {
        action,
        about: Some(("agreement", head.id)),
        owners: if outsider { head.parties.clone() } else { Vec::new() },
        when: Reads::OfOthers,
    }
}

/// [`get`] with the audit entry of the read (`agreement.read`).
pub fn get_audited(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(Agreement, SharedRead)> {
    let head = Head::load(db, v, id)?;
    Ok((fetch(db, id)?, read_entry(&head, v, "agreement.read")))
}

/// Without the read check (callers have done it).
pub(crate) fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Agreement> {
    let mut a: Agreement = db.opt(&format!("{SELECT} WHERE a.id = $1"), args![id])?.ok_or(StoreError::not_found("agreement"))?;
    a.parties = parties_of(db, &[id])?.into_iter().map(|p| p.1).collect();
    a.police_areas = db.scalars(
        "SELECT pa.name FROM police_area_municipalities pam JOIN police_areas pa ON pa.id = pam.police_area_id WHERE pam.municipality_code = $1 ORDER BY pa.name_key",
        args![a.municipality_code.as_str()],
    )?;
    Ok(a)
}

/// Which agreements to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    pub municipality: Option<String>,
    pub county: Option<String>,
    pub kind: Option<String>,
}

/// The agreements the viewer may read (its parties' and, for a county board, every concluded
/// one of its municipalities), by municipality and newest period first.
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &ListFilter) -> StoreResult<Vec<Agreement>> {
    let [orgs, forums] = sharing::readable_args(v);
    let mut sql = format!("{SELECT} WHERE {}", sharing::agreement_readable(db.dialect(), "a", 1));
    let mut params = vec![orgs, forums];
    if let Some(m) = f.municipality.as_deref().filter(|s| !s.is_empty()) {
        params.push(m.into());
        sql.push_str(&format!(" AND a.municipality_code = ${}", params.len()));
    }
    if let Some(c) = f.county.as_deref().filter(|s| !s.is_empty()) {
        params.push(c.into());
        sql.push_str(&format!(" AND m.county_code = ${}", params.len()));
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        params.push(k.into());
        sql.push_str(&format!(" AND a.kind = ${}", params.len()));
    }
    sql.push_str(" ORDER BY m.name, a.period_from DESC, a.id DESC");
    let mut items: Vec<Agreement> = db.all(&sql, &params)?;
    // SQL orders by the names' code points (Ä before Å); a stable sort puts them in Swedish order.
    items.sort_by_cached_key(|a| crate::sort_key(&a.municipality_name));
    if items.is_empty() {
        return Ok(items);
    }
    let ids: Vec<i64> = items.iter().map(|a| a.id).collect();
    let parties = parties_of(db, &ids)?;
    for a in &mut items {
        a.parties = parties.iter().filter(|p| p.0 == a.id).map(|p| p.1.clone()).collect();
    }
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// Commands.

/// An agreement's header as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    /// `cooperation_agreement` (samverkansöverenskommelse), `citizen_promise` (medborgarlöfte),
    /// `iop`, `partnership` (samarbetsavtal), `other`. Cannot change after creation.
    #[serde(default)]
    pub kind: Option<String>,
    pub title: String,
    /// The municipality (4 digits). When creating only.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// The owning organisation (a coordinator there). When creating only.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// The other parties: organisations with an approved claim in the municipality, or the
    /// police. When creating only; later through the parties commands. A samverkansöverenskommelse
    /// needs the municipality's own organisation and a police organisation among the parties.
    #[serde(default)]
    pub party_org_ids: Vec<i64>,
    /// `2026-01-01`. Required.
    #[serde(default)]
    pub period_from: Option<String>,
    /// `2028-12-31`. Required; not before `period_from`.
    #[serde(default)]
    pub period_to: Option<String>,
    /// The lägesbild/problembild version it rests on (readable, same municipality).
    #[serde(default)]
    pub situation_id: Option<i64>,
    /// The åtgärdsplan version it rests on (readable, same municipality).
    #[serde(default)]
    pub plan_id: Option<i64>,
    /// The body that decided it. Required to conclude.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// `2026-02-24`. Required to conclude.
    #[serde(default)]
    pub decided_on: Option<String>,
    #[serde(default)]
    pub decision_ref: Option<String>,
}

/// A header that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAgreement {
    pub kind: AgreementKind,
    pub title: String,
    pub municipality_code: String,
    pub owner_org_id: i64,
    pub parties: Vec<i64>,
    pub period_from: Date,
    pub period_to: Date,
    pub situation_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_on: Option<Date>,
    pub decision_ref: Option<String>,
}

/// The kinds of `orgs` (organisation id → kind code).
fn kinds_of(db: &mut dyn Conn, orgs: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    Ok(db.map_all(
        &format!("SELECT id, kind FROM organisations WHERE {}", db.dialect().in_list("id", 1)),
        &[Value::IntList(orgs.to_vec())],
        |r| Ok((r.get("id")?, r.get("kind")?)),
    )?)
}

/// A samverkansöverenskommelse is between the municipality and the local police: among its
/// parties, an organisation of kind municipality and one of kind police.
fn check_cooperation_parties(db: &mut dyn Conn, parties: &[i64], field: &str) -> StoreResult<Option<FieldError>> {
    let kinds = kinds_of(db, parties)?;
    let has = |k: OrgKind| kinds.iter().any(|(_, c)| c == k.code());
    Ok(match (has(OrgKind::Municipality), has(OrgKind::Police)) {
        (true, true) => None,
        (false, _) => Some(FieldError::new(
            field,
            "agreements.needs_municipality",
            "En samverkansöverenskommelse sluts mellan kommunen och lokalpolisområdet: kommunens organisation måste vara part. Lägg till den.",
        )),
        (true, false) => Some(FieldError::new(
            field,
            "agreements.needs_police",
            "En samverkansöverenskommelse sluts mellan kommunen och lokalpolisområdet: en polisorganisation måste vara part. Lägg till polisen.",
        )),
    })
}

/// Checks a header and reports every problem at once. `before`: the stored agreement when editing.
pub fn prepare(db: &mut dyn Conn, v: &Viewer, input: &AgreementInput, before: Option<&Agreement>) -> StoreResult<ValidAgreement> {
    use crate::kernel::access::{Action as Permission, allowed};
    let mut errs = FieldErrors::new();
    let owner = match (before, input.owner_org_id) {
        (Some(b), _) => b.owner_org_id,
        (None, Some(o)) => o,
        (None, None) => match v.org_ids().into_iter().find(|o| allowed(v, Permission::WriteAgreement { org: *o })) {
            Some(o) => o,
            None => return Err(StoreError::Forbidden),
        },
    };
    if before.is_none() && !allowed(v, Permission::WriteAgreement { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let kind = match before {
        Some(b) => Some(b.kind()),
        None => match input.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errs.push(FieldError::new("kind", "required", "Välj vilken sorts överenskommelse det är."));
                None
            }
            Some(k) => errs.take(AgreementKind::parse(k)),
        },
    };
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let decided_by = clean_text(&mut errs, &DECIDED_BY, input.decided_by.as_deref());
    let decision_ref = clean_text(&mut errs, &DECISION_REF, input.decision_ref.as_deref());
    let municipality = match before {
        Some(b) => Some(b.municipality_code.clone()),
        None => match input.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errs.push(FieldError::new("municipality_code", "required", "Välj kommunen som överenskommelsen gäller."));
                None
            }
            Some(code) if may_be_party(db, owner, code)? => Some(code.to_owned()),
            Some(code) => {
                errs.push(FieldError::new(
                    "municipality_code",
                    "agreements.municipality_unclaimed",
                    format!("Din organisation har inget godkänt anspråk i kommun {code}. Välj en kommun där ni verkar."),
                ));
                None
            }
        },
    };
    let from = req_date(&mut errs, "period_from", input.period_from.as_deref(), "när överenskommelsen börjar gälla");
    let to = req_date(&mut errs, "period_to", input.period_to.as_deref(), "när överenskommelsen slutar gälla");
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "period_to",
            "agreements.period_order",
            format!("Perioden slutar ({t}) före den börjar ({f}). Välj ett slutdatum efter startdatumet."),
        ));
    }
    let decided_on = opt_date(&mut errs, "decided_on", input.decided_on.as_deref());
    let mut parties = vec![owner];
    match before {
        Some(b) => parties = b.party_ids(),
        None => {
            for o in &input.party_org_ids {
                if !parties.contains(o) {
                    parties.push(*o);
                }
            }
            if let Some(m) = &municipality {
                let mut bad = false;
                for o in &parties[1..] {
                    if !may_be_party(db, *o, m)? {
                        bad = true;
                    }
                }
                if bad {
                    errs.push(party_error("party_org_ids"));
                } else if kind == Some(AgreementKind::CooperationAgreement)
                    && let Some(e) = check_cooperation_parties(db, &parties, "party_org_ids")?
                {
                    errs.push(e);
                }
            }
        }
    }
    for (field, table, what) in [("situation_id", DocTable::Situation, "Lägesbilden"), ("plan_id", DocTable::Plan, "Åtgärdsplanen")] {
        let id = if field == "situation_id" { input.situation_id } else { input.plan_id };
        if let (Some(id), Some(m)) = (id, &municipality) {
            let ok = match Doc::load(db, v, table, id) {
                Ok(d) => d.municipality_code.as_deref() == Some(m.as_str()),
                Err(StoreError::NotFound { .. }) => false,
                Err(e) => return Err(e),
            };
            if !ok {
                errs.push(FieldError::new(
                    field,
                    "agreements.link_unknown",
                    format!("{what} finns inte, är inte delad med dig eller gäller en annan kommun. Välj en för överenskommelsens kommun, eller lämna fältet tomt."),
                ));
            }
        }
    }
    errs.into_result()?;
    Ok(ValidAgreement {
        kind: kind.expect("checked"),
        title: title.flatten().expect("checked"),
        municipality_code: municipality.expect("checked"),
        owner_org_id: owner,
        parties,
        period_from: from.expect("checked"),
        period_to: to.expect("checked"),
        situation_id: input.situation_id,
        plan_id: input.plan_id,
        decided_by: decided_by.expect("checked"),
        decided_on: decided_on.expect("checked"),
        decision_ref: decision_ref.expect("checked"),
    })
}

/// Writes a checked header as a new draft (used by [`create`] and the import).
pub(crate) fn insert(db: &mut dyn Conn, v: &Viewer, p: &ValidAgreement) -> StoreResult<i64> {
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO agreements (kind, title, municipality_code, period_from, period_to, status, situation_id, plan_id, decided_by, decided_on,
            decision_ref, owner_org_id, visibility, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, 'organisation', $12, 1, $13, $13) RETURNING id",
        args![
            p.kind.code(),
            p.title.as_str(),
            p.municipality_code.as_str(),
            p.period_from.to_string(),
            p.period_to.to_string(),
            p.situation_id,
            p.plan_id,
            p.decided_by.as_deref(),
            p.decided_on.map(|d| d.to_string()),
            p.decision_ref.as_deref(),
            p.owner_org_id,
            v.user_id(),
            now
        ],
    )?;
    for org in &p.parties {
        db.execute("INSERT INTO agreement_parties (agreement_id, org_id) VALUES ($1, $2)", args![id, *org])?;
    }
    Ok(id)
}

/// Creates an agreement (a draft) owned by the viewer's organisation.
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &AgreementInput) -> StoreResult<Agreement> {
    let p = prepare(db, v, input, None)?;
    let id = insert(db, v, &p)?;
    audit::record(db, v, Event::new("agreement.create").record("agreement", id).orgs(&p.parties))?;
    fetch(db, id)
}

/// Edits the header (title, period, links, decision) — parties' coordinators.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &AgreementInput) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    let before = fetch(db, id)?;
    let p = prepare(db, v, input, Some(&before))?;
    head.touch(db, Some(version))?;
    db.execute(
        "UPDATE agreements SET title = $1, period_from = $2, period_to = $3, situation_id = $4, plan_id = $5, decided_by = $6, decided_on = $7,
            decision_ref = $8 WHERE id = $9",
        args![
            p.title.as_str(),
            p.period_from.to_string(),
            p.period_to.to_string(),
            p.situation_id,
            p.plan_id,
            p.decided_by.as_deref(),
            p.decided_on.map(|d| d.to_string()),
            p.decision_ref.as_deref(),
            id
        ],
    )?;
    audit::record(db, v, Event::new("agreement.update").record("agreement", id).orgs(&head.parties))?;
    fetch(db, id)
}

/// Adds a party (a coordinator of a party). The new party must be allowed in the municipality.
pub fn add_party(db: &mut dyn Conn, v: &Viewer, id: i64, org_id: i64) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    if !head.parties.contains(&org_id) {
        if !may_be_party(db, org_id, &head.municipality_code)? {
            return Err(StoreError::invalid(party_error("org_id")));
        }
        db.execute("INSERT INTO agreement_parties (agreement_id, org_id) VALUES ($1, $2)", args![id, org_id])?;
        head.touch(db, None)?;
        audit::record(db, v, Event::new("agreement.party_add").record("agreement", id).orgs(&head.parties).org(org_id))?;
    }
    fetch(db, id)
}

/// Removes a party other than the owner. A samverkansöverenskommelse keeps its municipality and police.
pub fn remove_party(db: &mut dyn Conn, v: &Viewer, id: i64, org_id: i64) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    if org_id == head.owner_org_id {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "agreements.owner_stays",
            "Ägaren kan inte tas bort som part. Ta bort en annan part, eller skapa överenskommelsen på nytt med en annan ägare.",
        )));
    }
    if head.parties.contains(&org_id) {
        let rest: Vec<i64> = head.parties.iter().copied().filter(|o| *o != org_id).collect();
        let kind: String = db.scalar("SELECT kind FROM agreements WHERE id = $1", args![id])?;
        if kind == AgreementKind::CooperationAgreement.code()
            && let Some(e) = check_cooperation_parties(db, &rest, "org_id")?
        {
            return Err(StoreError::invalid(e));
        }
        db.execute("DELETE FROM agreement_parties WHERE agreement_id = $1 AND org_id = $2", args![id, org_id])?;
        head.touch(db, None)?;
        audit::record(db, v, Event::new("agreement.party_remove").record("agreement", id).orgs(&head.parties))?;
    }
    fetch(db, id)
}

/// The signing dates of the parties, as recorded from the signed paper.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SigningInput {
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub org_id: i64,
    /// `2026-03-01`; empty or none: not signed.
    #[serde(default)]
    pub signed_on: Option<String>,
}

/// Records the parties' signing dates (a coordinator of a party records them from the signed
/// document). Every date is checked first: nothing is written when one is wrong.
pub fn sign(db: &mut dyn Conn, v: &Viewer, id: i64, input: &SigningInput) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    let mut errs = FieldErrors::new();
    let today = brygga_domain::time::today();
    let mut dates = Vec::new();
    for s in &input.signatures {
        let field = format!("signed_on_{}", s.org_id);
        if !head.parties.contains(&s.org_id) {
            errs.push(FieldError::new(field, "agreements.not_a_party", "Organisationen är inte part i överenskommelsen."));
            continue;
        }
        match opt_date(&mut errs, &field, s.signed_on.as_deref()) {
            Some(Some(d)) if d > today => errs.push(FieldError::new(
                field,
                "agreements.signed_in_future",
                format!("Datumet för underskriften ({d}) ligger i framtiden. Ange dagen då parten skrev under."),
            )),
            Some(d) => dates.push((s.org_id, d)),
            None => {}
        }
    }
    errs.into_result()?;
    for (org, d) in dates {
        db.execute(
            "UPDATE agreement_parties SET signed_on = $1 WHERE agreement_id = $2 AND org_id = $3",
            args![d.map(|d| d.to_string()), id, org],
        )?;
    }
    head.touch(db, None)?;
    audit::record(db, v, Event::new("agreement.sign").record("agreement", id).orgs(&head.parties))?;
    fetch(db, id)
}

/// Concludes a draft: from now on it counts (current in its period) and the county board
/// overseeing the municipality reads it. Needs the decision (body and date).
pub fn conclude(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    let a = fetch(db, id)?;
    if a.concluded {
        return Err(StoreError::invalid(FieldError::new("status", "agreements.concluded", "Överenskommelsen är redan beslutad.")));
    }
    let mut errs = FieldErrors::new();
    if a.decided_by.is_none() {
        errs.push(FieldError::new("decided_by", "required", "Ange vilket organ som beslutade överenskommelsen innan den fastställs."));
    }
    if a.decided_on.is_none() {
        errs.push(FieldError::new("decided_on", "required", "Ange beslutsdatum innan överenskommelsen fastställs."));
    }
    errs.into_result()?;
    head.touch(db, Some(version))?;
    db.execute("UPDATE agreements SET status = 'concluded', concluded_at = $2 WHERE id = $1", args![id, now_ms()])?;
    audit::record(db, v, Event::new("agreement.conclude").record("agreement", id).orgs(&head.parties))?;
    fetch(db, id)
}

/// How an agreement is shared.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// `organisation` (the parties and the county board only), `forum` or `public`.
    pub visibility: String,
    #[serde(default)]
    pub forum_id: Option<i64>,
}

/// Shares a concluded agreement with a forum the owner is in, publishes it, or takes it back.
pub fn share(db: &mut dyn Conn, v: &Viewer, id: i64, input: &ShareInput) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    if !head.concluded {
        return Err(StoreError::invalid(FieldError::new(
            "visibility",
            "agreements.share_draft",
            "Ett utkast kan inte delas eller publiceras. Fastställ överenskommelsen först.",
        )));
    }
    let mut errs = FieldErrors::new();
    let visibility = sharing::choose(db, &mut errs, &input.visibility, input.forum_id, head.owner_org_id, "överenskommelsen")?;
    errs.into_result()?;
    let visibility = visibility.expect("checked");
    head.touch(db, None)?;
    db.execute(
        "UPDATE agreements SET visibility = $1, forum_id = $2 WHERE id = $3",
        args![visibility.kind().code(), visibility.forum_id(), id],
    )?;
    audit::record(db, v, Event::new("agreement.share").record("agreement", id).orgs(&head.parties))?;
    fetch(db, id)
}

// ---------------------------------------------------------------------------------------------
// The signed document.

/// Attaches (or replaces) the signed document. The bytes must be what the name or the
/// Content-Type claims — a PDF (`%PDF-`) or a Word document (a zip with `word/document.xml`);
/// at most [`MAX_DOCUMENT_BYTES`].
pub fn attach_document(
    db: &mut dyn Conn,
    v: &Viewer,
    id: i64,
    file_name: &str,
    content_type: Option<&str>,
    bytes: &[u8],
) -> StoreResult<Agreement> {
    let head = Head::load(db, v, id)?;
    head.writing_party(v)?;
    let name: String = file_name.rsplit(['/', '\\']).next().unwrap_or("").trim().chars().filter(|c| !c.is_control()).take(200).collect();
    let refuse = |code: &'static str, msg: String| Err(StoreError::invalid(FieldError::new("file", code, msg)));
    if bytes.is_empty() {
        return refuse("required", "Välj den undertecknade överenskommelsen (PDF eller Word).".into());
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return refuse(
            "file.too_large",
            format!(
                "Filen är {} MB, men högst {} MB kan bifogas. Spara den med lägre upplösning eller som PDF och försök igen.",
                bytes.len().div_ceil(1_000_000),
                MAX_DOCUMENT_BYTES / 1_000_000
            ),
        );
    }
    let Some(claimed) = DocumentType::claimed(&name, content_type) else {
        return refuse(
            "file.type",
            format!("”{name}” är varken PDF eller Word (DOCX). Bifoga den undertecknade överenskommelsen som .pdf eller .docx."),
        );
    };
    match DocumentType::sniff(bytes) {
        Some(actual) if actual == claimed => {}
        Some(actual) => {
            return refuse(
                "file.mismatch",
                format!(
                    "”{name}” säger sig vara {} men innehållet är {}. Byt filändelse till .{} eller välj rätt fil.",
                    claimed.label(),
                    actual.label(),
                    actual.extension()
                ),
            );
        }
        None => {
            return refuse(
                "file.mismatch",
                format!(
                    "”{name}” säger sig vara {} men innehållet är inte det. Filen kan vara skadad eller av en annan typ: spara om den som {} och försök igen.",
                    claimed.label(),
                    claimed.label()
                ),
            );
        }
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let now = now_ms();
    db.execute("DELETE FROM agreement_documents WHERE agreement_id = $1", args![id])?;
    db.execute(
        "INSERT INTO agreement_documents (agreement_id, file_name, media_type, size_bytes, sha256, content, uploaded_by_user_id, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![id, name.as_str(), claimed.mime(), bytes.len() as i64, sha.as_str(), bytes.to_vec(), v.user_id(), now],
    )?;
    head.touch(db, None)?;
    audit::record(db, v, Event::new("agreement.document").record("agreement", id).orgs(&head.parties))?;
    fetch(db, id)
}

/// The signed document's description and bytes, for a reader of the agreement, with the audit
/// entry of the download (`agreement.document_read`, as [`read_entry`]).
pub fn document(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<((DocumentInfo, Vec<u8>), SharedRead)> {
    let head = Head::load(db, v, id)?;
    let read = read_entry(&head, v, "agreement.document_read");
    let doc = db
        .map_opt(
            "SELECT file_name, media_type, size_bytes, sha256, uploaded_at, content FROM agreement_documents WHERE agreement_id = $1",
            args![id],
            |r| {
                Ok((
                    DocumentInfo {
                        file_name: r.get("file_name")?,
                        media_type: r.get("media_type")?,
                        size_bytes: r.get("size_bytes")?,
                        sha256: r.get("sha256")?,
                        uploaded_at_ms: r.get("uploaded_at")?,
                    },
                    r.get::<Vec<u8>>("content")?,
                ))
            },
        )?
        .ok_or(StoreError::not_found("document"))?;
    Ok((doc, read))
}

/// The organisations that may be parties in `municipality` (choices), with their kinds.
pub fn party_choices(db: &mut dyn Conn, municipality: &str) -> StoreResult<Vec<(i64, String, String)>> {
    Ok(db.map_all(
        "SELECT o.id, o.name, o.kind FROM organisations o WHERE o.kind = $2 OR EXISTS (SELECT 1 FROM organisation_municipalities om
            WHERE om.org_id = o.id AND om.municipality_code = $1 AND om.status = 'approved') ORDER BY o.name_key",
        args![municipality, OrgKind::Police.code()],
        |r| Ok((r.get("id")?, r.get("name")?, r.get("kind")?)),
    )?)
}
