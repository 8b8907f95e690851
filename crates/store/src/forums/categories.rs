//! A forum's EST checklist (kategorier). Each forum starts with the default list
//! (`brygga_domain::est`) and its convener's coordinators can rename, add, reorder and retire
//! categories. A retired category keeps its history but is no longer offered for new reports.

use brygga_domain::est::DEFAULT_CATEGORIES;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, forums::forum, kernel::access, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 80);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 400).optional();

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i64,
    pub forum_id: i64,
    /// Stable code, e.g. `graffiti`.
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// Reports carry an intensity 1..=intensity_max when set.
    pub intensity_max: Option<i64>,
    pub sort_order: i64,
    pub active: bool,
    pub version: i64,
}

/// The SELECT that [`Category::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT id, forum_id, code, name, description, intensity_max, sort_order, active, version FROM categories";

impl FromRow for Category {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            forum_id: r.get("forum_id")?,
            code: r.get("code")?,
            name: r.get("name")?,
            description: r.get("description")?,
            intensity_max: r.get("intensity_max")?,
            sort_order: r.get("sort_order")?,
            active: r.get("active")?,
            version: r.get("version")?,
        })
    }
}

/// Gives every forum without a checklist the default one (forums from before the checklist
/// existed); run after migrating.
pub fn backfill_defaults(db: &mut dyn Conn) -> StoreResult<()> {
    let bare: Vec<i64> =
        db.scalars("SELECT id FROM forums f WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE c.forum_id = f.id)", &[])?;
    for forum in bare {
        ensure_defaults(db, forum)?;
    }
    Ok(())
}

/// Creates the default checklist for a forum that has none yet.
pub fn ensure_defaults(db: &mut dyn Conn, forum_id: i64) -> StoreResult<()> {
    let n: i64 = db.scalar("SELECT COUNT(*) FROM categories WHERE forum_id = $1", args![forum_id])?;
    if n > 0 {
        return Ok(());
    }
    let now = now_ms();
    for (i, c) in DEFAULT_CATEGORIES.iter().enumerate() {
        db.execute(
            "INSERT INTO categories (forum_id, code, name, description, intensity_max, sort_order, active, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, TRUE, 1, $7, $7)",
            args![forum_id, c.code, c.name, c.description, c.intensity_max.map(i64::from), (i as i64 + 1) * 10, now],
        )?;
    }
    Ok(())
}

/// The forum's categories, in checklist order. Readable by every signed-in user (the list is
/// not secret; what is reported under it is).
pub fn list(db: &mut dyn Conn, v: &Viewer, forum_id: i64, include_retired: bool) -> StoreResult<Vec<Category>> {
    if !v.is_signed_in() && !v.is_system_admin() {
        return Err(StoreError::Forbidden);
    }
    let sql = format!("{SELECT} WHERE forum_id = $1 {} ORDER BY sort_order, id", if include_retired { "" } else { "AND active = TRUE" });
    Ok(db.all(&sql, args![forum_id])?)
}

pub fn get(db: &mut dyn Conn, id: i64) -> StoreResult<Category> {
    db.opt(&format!("{SELECT} WHERE id = $1"), args![id])?.ok_or(StoreError::not_found("category"))
}

/// Finds an active category of the forum by id, code or name (any case), for forms and imports.
pub fn resolve(db: &mut dyn Conn, forum_id: i64, key: &str) -> StoreResult<Option<Category>> {
    let key = key.trim();
    let all: Vec<Category> = db.all(&format!("{SELECT} WHERE forum_id = $1 AND active = TRUE ORDER BY sort_order"), args![forum_id])?;
    let lower = key.to_lowercase();
    Ok(all.into_iter().find(|c| c.id.to_string() == key || c.code == lower || c.name.to_lowercase() == lower))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// 2–10, or absent for no intensity scale.
    #[serde(default)]
    pub intensity_max: Option<i64>,
    #[serde(default)]
    pub sort_order: Option<i64>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone)]
pub struct ValidCategory {
    name: String,
    description: Option<String>,
    intensity_max: Option<i64>,
    sort_order: Option<i64>,
    active: bool,
}

impl CategoryInput {
    pub fn validate(&self) -> Result<ValidCategory, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let description = errs.take(DESCRIPTION.parse(self.description.as_deref().unwrap_or("")));
        if let Some(m) = self.intensity_max.filter(|m| !(2..=10).contains(m)) {
            errs.push(FieldError::new(
                "intensity_max",
                "intensity_max.range",
                format!("En intensitetsskala går från 1 till 2–10, inte till {m}. Lämna tomt för ingen skala."),
            ));
        }
        errs.into_result()?;
        Ok(ValidCategory {
            name: name.expect("checked"),
            description: description.expect("checked"),
            intensity_max: self.intensity_max,
            sort_order: self.sort_order,
            active: self.active,
        })
    }
}

/// A code for a new category: `kategori_N`, the next free number in the forum. Never derived from
/// the name, which is free text (and may be renamed); existing codes are kept as they are.
fn next_code(db: &mut dyn Conn, forum_id: i64) -> StoreResult<String> {
    let mut n = db.scalar::<i64>("SELECT COUNT(*) FROM categories WHERE forum_id = $1", args![forum_id])? + 1;
    loop {
        let code = format!("kategori_{n}");
        if db.scalar::<i64>("SELECT COUNT(*) FROM categories WHERE forum_id = $1 AND code = $2", args![forum_id, code.as_str()])? == 0 {
            return Ok(code);
        }
        n += 1;
    }
}

fn require_manage(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<()> {
    let forum = forum::get(db, v, forum_id)?;
    access::require(v, Action::ManageForum { convener: forum.convener.id })
}

pub fn create(db: &mut dyn Conn, v: &Viewer, forum_id: i64, c: &ValidCategory) -> StoreResult<Category> {
    require_manage(db, v, forum_id)?;
    ensure_defaults(db, forum_id)?;
    let taken: i64 =
        db.scalar("SELECT COUNT(*) FROM categories WHERE forum_id = $1 AND lower(name) = lower($2)", args![forum_id, c.name.as_str()])?;
    if taken > 0 {
        return Err(StoreError::invalid(FieldError::new(
            "name",
            "name.taken",
            format!("Forumet har redan en kategori som heter ”{}”.", c.name),
        )));
    }
    let code = next_code(db, forum_id)?;
    let order = match c.sort_order {
        Some(o) => o,
        None => db.scalar::<i64>("SELECT COALESCE(MAX(sort_order), 0) + 10 FROM categories WHERE forum_id = $1", args![forum_id])?,
    };
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO categories (forum_id, code, name, description, intensity_max, sort_order, active, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        args![forum_id, code, c.name.as_str(), c.description.as_deref(), c.intensity_max, order, c.active, now],
    )?;
    audit::record(db, v, Event::new("category.create").record("category", id))?;
    get(db, id)
}

pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, c: &ValidCategory) -> StoreResult<Category> {
    let before = get(db, id)?;
    require_manage(db, v, before.forum_id)?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE categories SET name = $1, description = $2, intensity_max = $3, sort_order = $4, active = $5, version = version + 1, updated_at = $6 WHERE id = $7",
        args![c.name.as_str(), c.description.as_deref(), c.intensity_max, c.sort_order.unwrap_or(before.sort_order), c.active, now_ms(), id],
    )?;
    audit::record(db, v, Event::new("category.update").record("category", id))?;
    get(db, id)
}
