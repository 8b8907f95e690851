//! The course catalogue (utbildningar) and tracks per role (utbildningsspår): a basic level
//! (grundnivå) for many staff — caretakers, park staff, youth leaders, school staff — and a deep
//! one (fördjupning) for key functions — coordinators, community police, EST forums. Read by
//! every signed-in user; written by the owning organisation's coordinators (see the module
//! above).

use std::collections::BTreeMap;

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::{Coded, LEVELS, OrgRef, ROLES, coded, label_of, pick};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event as AuditEvent};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args, now_ms, sort_key};

pub const TITLE: TextRule = TextRule::line("title", "Utbildningens namn", 200);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).multiline();
pub const TRACK_NAME: TextRule = TextRule::line("name", "Spårets namn", 200);

/// The longest course the catalogue takes, in hours.
pub const MAX_HOURS: i64 = 200;

/// What a form or API call sends to add a course.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CourseInput {
    pub title: String,
    pub description: String,
    /// `basic` or `deep`.
    #[serde(default)]
    pub level: Option<String>,
    /// Codes of [`ROLES`]: at least one.
    #[serde(default)]
    pub target_roles: Vec<String>,
    #[serde(default)]
    pub duration_hours: Option<i64>,
    /// The organisation that gives it (one the viewer manages events for); by default the first.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
}

/// One course of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub level: Coded,
    pub target_roles: Vec<Coded>,
    pub duration_hours: i64,
    pub owner: OrgRef,
    pub created_at_ms: i64,
}

impl FromRow for Course {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let level: String = r.get("level")?;
        let roles: String = r.get("target_roles")?;
        Ok(Self {
            id: r.get("id")?,
            title: r.get("title")?,
            description: r.get("description")?,
            level: coded(LEVELS, &level),
            target_roles: roles.split_whitespace().map(|c| coded(ROLES, c)).collect(),
            duration_hours: r.get("duration_hours")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            created_at_ms: r.get("created_at")?,
        })
    }
}

const SELECT: &str =
    "SELECT c.id, c.title, c.description, c.level, c.target_roles, c.duration_hours, c.owner_org_id, o.name AS owner_name, c.created_at
     FROM courses c JOIN organisations o ON o.id = c.owner_org_id";

/// A track: the courses a role should take, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Track {
    pub id: i64,
    pub name: String,
    pub role: Coded,
    pub owner: OrgRef,
    pub courses: Vec<CourseRef>,
}

/// A course by id, title and level.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CourseRef {
    pub id: i64,
    pub title: String,
    pub level: Coded,
}

/// What a form or API call sends to add a track.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrackInput {
    pub name: String,
    /// A code of [`ROLES`].
    pub role: String,
    /// The courses in order: at least one.
    #[serde(default)]
    pub course_ids: Vec<i64>,
    #[serde(default)]
    pub owner_org_id: Option<i64>,
}

/// The catalogue: every course and every track, as every signed-in user reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    /// Basic level first, then deep; by Swedish title within each.
    pub courses: Vec<Course>,
    pub tracks: Vec<Track>,
}

fn require_signed_in(v: &Viewer) -> StoreResult<()> {
    if v.is_signed_in() { Ok(()) } else { Err(StoreError::Forbidden) }
}

/// The organisation the viewer acts for when it writes: `wanted` if given, else its first
/// organisation it manages events for. Forbidden when the viewer manages events for none.
pub(crate) fn acting_org(v: &Viewer, wanted: Option<i64>) -> StoreResult<i64> {
    let org = match wanted {
        Some(o) => o,
        None => v.org_ids().into_iter().find(|o| allowed(v, Permission::ManageEvents { org: *o })).ok_or(StoreError::Forbidden)?,
    };
    if allowed(v, Permission::ManageEvents { org }) { Ok(org) } else { Err(StoreError::Forbidden) }
}

/// The whole catalogue (signed-in users).
pub fn catalogue(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Catalogue> {
    require_signed_in(v)?;
    let mut courses: Vec<Course> = db.all(SELECT, &[])?;
    courses.sort_by_cached_key(|c| (c.level.code != "basic", sort_key(&c.title), c.id));
    let mut tracks: Vec<Track> = db.map_all(
        "SELECT t.id, t.name, t.role, t.owner_org_id, o.name AS owner_name FROM course_tracks t JOIN organisations o ON o.id = t.owner_org_id",
        &[],
        |r| {
            let role: String = r.get("role")?;
            Ok(Track {
                id: r.get("id")?,
                name: r.get("name")?,
                role: coded(ROLES, &role),
                owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
                courses: Vec::new(),
            })
        },
    )?;
    let mut members: BTreeMap<i64, Vec<CourseRef>> = BTreeMap::new();
    for (track, c) in db.map_all(
        "SELECT tc.track_id, c.id, c.title, c.level FROM course_track_courses tc JOIN courses c ON c.id = tc.course_id ORDER BY tc.track_id, tc.position",
        &[],
        |r| {
            let level: String = r.get("level")?;
            Ok((r.get::<i64>("track_id")?, CourseRef { id: r.get("id")?, title: r.get("title")?, level: coded(LEVELS, &level) }))
        },
    )? {
        members.entry(track).or_default().push(c);
    }
    for t in tracks.iter_mut() {
        t.courses = members.remove(&t.id).unwrap_or_default();
    }
    tracks.sort_by_cached_key(|t| (sort_key(&t.role.label), sort_key(&t.name), t.id));
    Ok(Catalogue { courses, tracks })
}

/// One course (signed-in users).
pub fn course(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Course> {
    require_signed_in(v)?;
    db.opt(&format!("{SELECT} WHERE c.id = $1"), args![id])?.ok_or(StoreError::not_found("course"))
}

/// Adds a course to the catalogue for the viewer's organisation.
pub fn create_course(db: &mut dyn Conn, v: &Viewer, input: &CourseInput) -> StoreResult<Course> {
    let owner = acting_org(v, input.owner_org_id)?;
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, Some(&input.description));
    let level = pick(&mut errs, "level", input.level.as_deref(), LEVELS, None, "nivå (grundnivå eller fördjupning)");
    let mut roles: Vec<String> = Vec::new();
    for r in input.target_roles.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if label_of(ROLES, r).is_none() {
            let known: Vec<&str> = ROLES.iter().map(|(c, _)| *c).collect();
            errs.push(FieldError::new(
                "target_roles",
                "events.unknown_code",
                format!("”{r}” är ingen känd roll. Välj bland: {}.", known.join(", ")),
            ));
            break;
        }
        if !roles.iter().any(|x| x == r) {
            roles.push(r.to_owned());
        }
    }
    if roles.is_empty() && errs.get("target_roles").is_none() {
        errs.push(FieldError::new("target_roles", "required", "Välj minst en målgrupp (roll) som utbildningen är till för."));
    }
    let hours = match input.duration_hours {
        Some(h) if (1..=MAX_HOURS).contains(&h) => Some(h),
        Some(h) => {
            errs.push(FieldError::new(
                "duration_hours",
                "events.duration_range",
                format!("Längden {h} timmar går inte att använda. Ange mellan 1 och {MAX_HOURS} timmar."),
            ));
            None
        }
        None => {
            errs.push(FieldError::new("duration_hours", "required", "Ange hur många timmar utbildningen är."));
            None
        }
    };
    errs.into_result()?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO courses (owner_org_id, title, level, target_roles, duration_hours, description, created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        args![
            owner,
            title.flatten().expect("checked"),
            level.expect("checked"),
            roles.join(" "),
            hours.expect("checked"),
            description.flatten().expect("checked"),
            v.user_id(),
            now
        ],
    )?;
    audit::record(db, v, AuditEvent::new("course.create").record("course", id).org(owner))?;
    db.one(&format!("{SELECT} WHERE c.id = $1"), args![id]).map_err(Into::into)
}

/// Adds a track for the viewer's organisation.
pub fn create_track(db: &mut dyn Conn, v: &Viewer, input: &TrackInput) -> StoreResult<Track> {
    let owner = acting_org(v, input.owner_org_id)?;
    let mut errs = FieldErrors::new();
    let name = clean_text(&mut errs, &TRACK_NAME, Some(&input.name));
    let role = pick(&mut errs, "role", Some(&input.role), ROLES, None, "roll");
    let mut ids: Vec<i64> = Vec::new();
    for c in &input.course_ids {
        if !ids.contains(c) {
            ids.push(*c);
        }
    }
    if ids.is_empty() {
        errs.push(FieldError::new("course_ids", "required", "Välj minst en utbildning till spåret."));
    } else {
        let found: i64 =
            db.scalar(&format!("SELECT COUNT(*) FROM courses WHERE {}", db.dialect().in_list("id", 1)), &[Value::IntList(ids.clone())])?;
        if found != ids.len() as i64 {
            errs.push(FieldError::new(
                "course_ids",
                "events.unknown_course",
                "En av utbildningarna finns inte. Välj utbildningar ur katalogen.",
            ));
        }
    }
    errs.into_result()?;
    let id: i64 = db.scalar(
        "INSERT INTO course_tracks (owner_org_id, role, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        args![owner, role.expect("checked"), name.flatten().expect("checked"), now_ms()],
    )?;
    for (i, c) in ids.iter().enumerate() {
        db.execute("INSERT INTO course_track_courses (track_id, course_id, position) VALUES ($1, $2, $3)", args![id, *c, i as i64 + 1])?;
    }
    audit::record(db, v, AuditEvent::new("course_track.create").record("course_track", id).org(owner))?;
    catalogue(db, v)?.tracks.into_iter().find(|t| t.id == id).ok_or(StoreError::not_found("course_track"))
}
