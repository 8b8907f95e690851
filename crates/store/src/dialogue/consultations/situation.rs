//! Civil society's picture in the lägesbild (issue 16, item 2): the items of input given as
//! lägesbild material to non-draft consultations that concern a municipality are a source of
//! that municipality's lägesbild, "Civilsamhällets bild", so the problem picture shows whose
//! knowledge it rests on.
//!
//! **Read**: whoever may read the lägesbild (the plans folder's rule, checked first) reads the
//! items given as lägesbild material — giving an item so flagged is the participant's consent,
//! and the input form says so. Attribution is the reader's view ([`shown_by`]): an anonymous
//! item reads "Anonym deltagare" to everyone but the contributing organisation's own users.
//! Nothing is written here.

use serde::Serialize;

use super::input::{self, Input, shown_by};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::StoreResult;
use crate::{Viewer, args};

/// One item of civil society's picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CivilItem {
    pub input_id: i64,
    pub text: String,
    /// The organisation's name, or "Anonym deltagare".
    pub by: String,
    pub consultation_id: i64,
    pub consultation_title: String,
    /// The meeting's time, or when the item was given (epoch ms).
    pub date: i64,
}

/// The lägesbild material of `municipality`'s non-draft consultations, as the viewer is shown
/// it, newest consultation first. Callers check that the viewer may read the lägesbild; use
/// [`for_situation`], which does.
pub fn for_municipality(db: &mut dyn Conn, v: &Viewer, municipality: &str) -> StoreResult<Vec<CivilItem>> {
    let rows: Vec<(Input, String, Option<i64>)> = db.map_all(
        &format!(
            "{} WHERE t.municipality_code = $1 AND t.status <> 'draft' AND i.situation_material
             ORDER BY COALESCE(t.meets_at, t.input_closes_at) DESC, t.id DESC, i.created_at, i.id",
            input::SELECT.replace("SELECT i.id,", "SELECT t.title AS consultation_title, t.meets_at, i.id,")
        ),
        args![municipality],
        |r| {
            use crate::kernel::db::FromRow;
            Ok((Input::from_row(r)?, r.get("consultation_title")?, r.get("meets_at")?))
        },
    )?;
    Ok(rows
        .into_iter()
        .map(|(i, title, meets_at)| CivilItem {
            input_id: i.id,
            by: shown_by(v, &i),
            consultation_id: i.consultation_id,
            consultation_title: title,
            date: meets_at.unwrap_or(i.created_at),
            text: i.text,
        })
        .collect())
}

/// Civil society's picture for lägesbild `situation_id`, if the viewer may read it (otherwise
/// the lägesbild's "not found").
pub fn for_situation(db: &mut dyn Conn, v: &Viewer, situation_id: i64) -> StoreResult<Vec<CivilItem>> {
    let s = crate::plans::situation::get(db, v, situation_id)?;
    for_municipality(db, v, &s.municipality_code)
}
