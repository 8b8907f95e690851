//! An agreement as documented, versioned JSON (`docs/AGREEMENT-FORMAT.md`): its header, parties
//! (by organisation name) with signing dates, the lägesbild and plan it rests on (by title and
//! version, for reference and to relink on import in the same installation) and its frozen
//! assessment snapshots. No ids. Import creates a new agreement (a draft, or concluded when the
//! file says so and the decision is there) for the importer's organisation, checking everything
//! first: every problem comes back in one list under its JSON path (`parties[1].organisation`),
//! and the error rolls the transaction back, so nothing is half-written.

use brygga_domain::agreements::{Score, SnapshotKind};
use brygga_domain::time::parse_date;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::Head;
use super::agreement::{self, AgreementInput};
use super::assessments::{self, Snapshot};
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms};

pub const FORMAT: &str = "brygga.agreement";
pub const FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgreementFile {
    /// Always `brygga.agreement`.
    pub format: String,
    /// The format's version: 1.
    pub version: i64,
    pub agreement: Header,
    pub parties: Vec<PartyEntry>,
    #[serde(default)]
    pub situation: Option<LinkEntry>,
    #[serde(default)]
    pub plan: Option<LinkEntry>,
    #[serde(default)]
    pub snapshots: Vec<SnapshotEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub kind: String,
    pub title: String,
    pub municipality_code: String,
    pub period_from: String,
    pub period_to: String,
    pub concluded: bool,
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub decided_on: Option<String>,
    #[serde(default)]
    pub decision_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyEntry {
    /// The organisation's name, exactly as registered in Brygga.
    pub organisation: String,
    #[serde(default)]
    pub signed_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkEntry {
    pub title: String,
    pub version_no: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnapshotEntry {
    /// The assessing organisation's name.
    pub assessor: String,
    /// `baseline`, `follow_up`, `other`.
    pub kind: String,
    pub label: String,
    pub taken_on: String,
    pub set_name: String,
    pub set_version: i64,
    pub items: Vec<SnapshotItemEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SnapshotItemEntry {
    pub key: String,
    pub text: String,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub evidence_asked: Option<String>,
    pub weight: f64,
    #[serde(default)]
    pub score: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub derived: bool,
}

/// The agreement as a file (any reader of it).
pub fn export(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<AgreementFile> {
    let a = agreement::get(db, v, id)?;
    let snaps: Vec<Snapshot> = assessments::snapshots(db, v, id)?;
    let mut snapshots = Vec::new();
    for s in snaps {
        let s = assessments::snapshot(db, v, s.id)?;
        snapshots.push(SnapshotEntry {
            assessor: s.assessor_name,
            kind: s.kind,
            label: s.label,
            taken_on: s.taken_on,
            set_name: s.set_name,
            set_version: s.version_no,
            items: s
                .items
                .into_iter()
                .map(|i| SnapshotItemEntry {
                    key: i.key,
                    text: i.text,
                    guidance: i.guidance,
                    evidence_asked: i.evidence_asked,
                    weight: i.weight,
                    score: i.score,
                    evidence: i.evidence,
                    comment: i.comment,
                    derived: i.derived,
                })
                .collect(),
        });
    }
    Ok(AgreementFile {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        agreement: Header {
            kind: a.kind,
            title: a.title,
            municipality_code: a.municipality_code,
            period_from: a.period_from,
            period_to: a.period_to,
            concluded: a.concluded,
            decided_by: a.decided_by,
            decided_on: a.decided_on,
            decision_ref: a.decision_ref,
        },
        parties: a.parties.into_iter().map(|p| PartyEntry { organisation: p.name, signed_on: p.signed_on }).collect(),
        situation: a.situation.map(|s| LinkEntry { title: s.title, version_no: s.version_no }),
        plan: a.plan.map(|p| LinkEntry { title: p.title, version_no: p.version_no }),
        snapshots,
    })
}

fn prefixed(errs: FieldErrors, prefix: &str) -> impl Iterator<Item = FieldError> + '_ {
    errs.0.into_iter().map(move |mut e| {
        e.field = format!("{prefix}{}", e.field);
        e
    })
}

/// Finds a readable document by title and version in the municipality.
fn find_link(db: &mut dyn Conn, v: &Viewer, table: &str, parties: &str, fk: &str, m: &str, l: &LinkEntry) -> StoreResult<Option<i64>> {
    let [orgs, forums] = sharing::readable_args(v);
    Ok(db.scalar_opt(
        &format!(
            "SELECT t.id FROM {table} t WHERE t.municipality_code = $3 AND t.title = $4 AND t.version_no = $5 AND {} ORDER BY t.id LIMIT 1",
            sharing::party_record_readable(db.dialect(), "t", parties, fk, 1)
        ),
        &[orgs, forums, m.into(), l.title.as_str().into(), l.version_no.into()],
    )?)
}

/// Imports a file as a new agreement owned by `owner_org_id` (or the viewer's first organisation
/// that may write agreements). Everything is checked first; nothing is written on any error.
pub fn import(db: &mut dyn Conn, v: &Viewer, file: &AgreementFile, owner_org_id: Option<i64>) -> StoreResult<agreement::Agreement> {
    let mut errs = FieldErrors::new();
    if file.format != FORMAT {
        errs.push(FieldError::new(
            "format",
            "agreements.format",
            format!("Filen är inte en överenskommelse från Brygga (format ”{}”, väntat ”{FORMAT}”).", file.format),
        ));
    }
    if file.version != FORMAT_VERSION {
        errs.push(FieldError::new(
            "version",
            "agreements.format_version",
            format!("Filen har formatversion {}; Brygga läser version {FORMAT_VERSION}.", file.version),
        ));
    }
    errs.clone().into_result()?;
    let h = &file.agreement;
    let mut party_ids = Vec::new();
    for (i, p) in file.parties.iter().enumerate() {
        match db.scalar_opt::<i64>("SELECT id FROM organisations WHERE name_key = $1", args![crate::sort_key(&p.organisation)])? {
            Some(id) => party_ids.push(id),
            None => errs.push(FieldError::new(
                format!("parties[{i}].organisation"),
                "agreements.org_unknown",
                format!("Organisationen ”{}” finns inte i Brygga. Registrera den eller rätta namnet i filen.", p.organisation),
            )),
        }
    }
    let owner = owner_org_id.or_else(|| party_ids.iter().copied().find(|o| allowed(v, Permission::WriteAgreement { org: *o })));
    let Some(owner) = owner else { return Err(StoreError::Forbidden) };
    let situation_id = match &file.situation {
        Some(l) => {
            let found = find_link(db, v, "situations", "situation_parties", "situation_id", &h.municipality_code, l)?;
            if found.is_none() {
                errs.push(FieldError::new(
                    "situation",
                    "agreements.link_unknown",
                    format!(
                        "Lägesbilden ”{}” version {} finns inte för dig i kommunen. Ta bort länken ur filen eller dela lägesbilden först.",
                        l.title, l.version_no
                    ),
                ));
            }
            found
        }
        None => None,
    };
    let plan_id = match &file.plan {
        Some(l) => {
            let found = find_link(db, v, "action_plans", "plan_parties", "plan_id", &h.municipality_code, l)?;
            if found.is_none() {
                errs.push(FieldError::new(
                    "plan",
                    "agreements.link_unknown",
                    format!(
                        "Åtgärdsplanen ”{}” version {} finns inte för dig i kommunen. Ta bort länken ur filen eller dela planen först.",
                        l.title, l.version_no
                    ),
                ));
            }
            found
        }
        None => None,
    };
    let input = AgreementInput {
        kind: Some(h.kind.clone()),
        title: h.title.clone(),
        municipality_code: Some(h.municipality_code.clone()),
        owner_org_id: Some(owner),
        party_org_ids: party_ids.clone(),
        period_from: Some(h.period_from.clone()),
        period_to: Some(h.period_to.clone()),
        situation_id,
        plan_id,
        decided_by: h.decided_by.clone(),
        decided_on: h.decided_on.clone(),
        decision_ref: h.decision_ref.clone(),
    };
    let valid = match agreement::prepare(db, v, &input, None) {
        Ok(p) => Some(p),
        Err(StoreError::Invalid(e)) => {
            errs.0.extend(prefixed(e, "agreement."));
            None
        }
        Err(e) => return Err(e),
    };
    if h.concluded && (h.decided_by.is_none() || h.decided_on.is_none()) {
        errs.push(FieldError::new(
            "agreement.decided_on",
            "required",
            "En beslutad överenskommelse behöver beslutande organ och beslutsdatum.",
        ));
    }
    let mut signed = Vec::new();
    for (i, p) in file.parties.iter().enumerate() {
        if let Some(s) = p.signed_on.as_deref().filter(|s| !s.is_empty()) {
            match parse_date(&format!("parties[{i}].signed_on"), s) {
                Ok(d) => signed.push((i, d)),
                Err(e) => errs.push(e),
            }
        }
    }
    let mut snaps = Vec::new();
    for (i, s) in file.snapshots.iter().enumerate() {
        let p = |f: &str| format!("snapshots[{i}].{f}");
        let assessor: Option<i64> =
            db.scalar_opt("SELECT id FROM organisations WHERE name_key = $1", args![crate::sort_key(&s.assessor)])?;
        match assessor {
            Some(o) if v.role_in(o).is_some() && allowed(v, Permission::AssessAgreement { org: o }) => snaps.push((o, s)),
            Some(_) => errs.push(FieldError::new(
                p("assessor"),
                "agreements.assessor_not_yours",
                format!(
                    "Mätningen gjordes av ”{}”. Du kan bara läsa in mätningar som din egen organisation gjort; ta bort den ur filen.",
                    s.assessor
                ),
            )),
            None => errs.push(FieldError::new(
                p("assessor"),
                "agreements.org_unknown",
                format!("Organisationen ”{}” finns inte i Brygga.", s.assessor),
            )),
        }
        if let Err(e) = SnapshotKind::parse(&s.kind) {
            errs.push(FieldError::new(p("kind"), e.code, e.message));
        }
        if let Err(e) = parse_date(&p("taken_on"), &s.taken_on) {
            errs.push(e);
        }
        for (j, it) in s.items.iter().enumerate() {
            if let Some(sc) = it.score.as_deref()
                && Score::from_code(sc).is_none()
            {
                errs.push(FieldError::new(
                    format!("snapshots[{i}].items[{j}].score"),
                    "score.unknown",
                    format!("Okänd bedömning ”{sc}”: met, partly, not_met eller not_applicable."),
                ));
            }
            if !(it.weight.is_finite() && it.weight > 0.0) {
                errs.push(FieldError::new(
                    format!("snapshots[{i}].items[{j}].weight"),
                    "agreements.weight",
                    "Vikten ska vara ett tal större än 0.",
                ));
            }
        }
    }
    errs.into_result()?;
    let valid = valid.expect("checked");
    let id = agreement::insert(db, v, &valid)?;
    for (i, d) in signed {
        db.execute(
            "UPDATE agreement_parties SET signed_on = $1 WHERE agreement_id = $2 AND org_id = $3",
            args![d.to_string(), id, party_ids[i]],
        )?;
    }
    if h.concluded {
        db.execute("UPDATE agreements SET status = 'concluded', concluded_at = $2 WHERE id = $1", args![id, now_ms()])?;
    }
    for (org, s) in snaps {
        let pct =
            brygga_domain::agreements::score_percent(s.items.iter().map(|i| (i.weight, i.score.as_deref().and_then(Score::from_code))));
        let sid: i64 = db.scalar(
            "INSERT INTO assessment_snapshots (agreement_id, assessor_org_id, kind, label, taken_on, set_name, version_id, version_no, score_percent, taken_by_user_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10) RETURNING id",
            args![id, org, s.kind.as_str(), s.label.as_str(), s.taken_on.as_str(), s.set_name.as_str(), s.set_version, pct, v.user_id(), now_ms()],
        )?;
        for (j, it) in s.items.iter().enumerate() {
            db.execute(
                "INSERT INTO snapshot_items (snapshot_id, key, position, text, guidance, evidence_asked, weight, score, evidence, comment, derived)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                args![sid, it.key.as_str(), j as i64, it.text.as_str(), it.guidance.as_deref(), it.evidence_asked.as_deref(), it.weight, it.score.as_deref(),
                    it.evidence.as_deref(), it.comment.as_deref(), it.derived],
            )?;
        }
    }
    let head = Head::fetch(db, id)?;
    audit::record(db, v, Event::new("agreement.import").record("agreement", id).orgs(&head.parties))?;
    agreement::get(db, v, id)
}
