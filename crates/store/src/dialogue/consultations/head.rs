//! The consultation as the concluding commands (themes, dispositions, the compiled
//! documentation) need it: its title, state, organisers, and whether the viewer may conclude it.

use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::{Viewer, args};

/// A consultation's head.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub id: i64,
    pub title: String,
    pub status: String,
    pub lead_org_id: i64,
    pub lead_org_name: String,
    pub organisers: Vec<i64>,
    pub meets_at: Option<i64>,
    pub input_closes_at: i64,
    pub municipality_code: Option<String>,
}

impl Head {
    /// Whether the viewer may theme, dispose and publish (a coordinator or administrator of an organiser).
    pub fn concludes(&self, v: &Viewer) -> bool {
        self.organisers.iter().any(|o| allowed(v, Permission::OrganiseConsultation { org: *o }))
    }
}

/// The consultation if the viewer may read it (not found otherwise: its existence is not told).
pub fn readable(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Head> {
    let d = db.dialect();
    let row = db.map_opt(
        &format!(
            "SELECT c.id, c.title, c.status, c.lead_org_id, o.name AS lead_org_name, c.meets_at, c.input_closes_at, c.municipality_code
             FROM consultations c JOIN organisations o ON o.id = c.lead_org_id
             WHERE c.id = $1 AND {}",
            sharing::consultation_readable(d, "c", 2)
        ),
        args![id, sharing::consultation_args(v)],
        |r| {
            Ok(Head {
                id: r.get("id")?,
                title: r.get("title")?,
                status: r.get("status")?,
                lead_org_id: r.get("lead_org_id")?,
                lead_org_name: r.get("lead_org_name")?,
                organisers: vec![],
                meets_at: r.get("meets_at")?,
                input_closes_at: r.get("input_closes_at")?,
                municipality_code: r.get("municipality_code")?,
            })
        },
    )?;
    let mut head = row.ok_or(StoreError::not_found("consultation"))?;
    head.organisers = db.scalars("SELECT org_id FROM consultation_organisers WHERE consultation_id = $1 ORDER BY org_id", args![id])?;
    Ok(head)
}

/// The consultation if the viewer may conclude it: not found when unreadable, forbidden when
/// readable but not one of the viewer's to conclude.
pub fn concluding(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Head> {
    let head = readable(db, v, id)?;
    if head.concludes(v) { Ok(head) } else { Err(StoreError::Forbidden) }
}

/// The consultation an item of input belongs to, for concluding (see [`concluding`]).
pub fn concluding_input(db: &mut dyn Conn, v: &Viewer, input_id: i64) -> StoreResult<Head> {
    let cid: Option<i64> = db.scalar_opt("SELECT consultation_id FROM consultation_inputs WHERE id = $1", args![input_id])?;
    let cid = cid.ok_or(StoreError::not_found("input"))?;
    concluding(db, v, cid).map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::not_found("input"),
        other => other,
    })
}
