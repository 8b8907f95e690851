//! Forums (samverkansforum): named groups of organisations that share with each other, such
//! as "EST Trelleborg". A forum has a convening organisation (sammankallande part) and
//! contact persons, who are user accounts of member organisations (they are the ones alerted
//! later). A forum is the unit of sharing; see [`crate::sharing`].

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Event};
use crate::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::error::{StoreError, StoreResult};
use crate::{Action, Viewer, access, args, now_ms, sharing, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).optional().multiline();

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
}

impl FromRow for OrgRef {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self { id: r.get(0)?, name: r.get(1)? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ForumContact {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub org_id: i64,
    pub org_name: String,
}

impl FromRow for ForumContact {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self { user_id: r.get(0)?, name: r.get(1)?, email: r.get(2)?, org_id: r.get(3)?, org_name: r.get(4)? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Forum {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// The municipality the forum works in; `None` for county-wide forums.
    pub municipality_code: Option<String>,
    pub convener: OrgRef,
    pub members: Vec<OrgRef>,
    /// Shown only to the members' users and to system administrators.
    pub contacts: Vec<ForumContact>,
    pub version: i64,
    pub created_at_ms: i64,
}

struct ForumRow {
    id: i64,
    name: String,
    description: Option<String>,
    municipality_code: Option<String>,
    convener: OrgRef,
    version: i64,
    created_at_ms: i64,
}

impl FromRow for ForumRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            municipality_code: r.get(3)?,
            convener: OrgRef { id: r.get(4)?, name: r.get(5)? },
            version: r.get(6)?,
            created_at_ms: r.get(7)?,
        })
    }
}

const SELECT: &str = "SELECT f.id, f.name, f.description, f.municipality_code, o.id, o.name, f.version, f.created_at
     FROM forums f JOIN organisations o ON o.id = f.convener_org_id";

fn complete(db: &mut dyn Conn, v: &Viewer, f: ForumRow) -> StoreResult<Forum> {
    let members: Vec<OrgRef> = db.all(
        "SELECT o.id, o.name FROM forum_members m JOIN organisations o ON o.id = m.org_id WHERE m.forum_id = $1 ORDER BY o.name_key",
        args![f.id],
    )?;
    let insider = v.is_system_admin() || v.forum_ids().contains(&f.id);
    let contacts = if insider {
        db.all(
            "SELECT u.id, u.name, u.email, o.id, o.name FROM forum_contacts c JOIN users u ON u.id = c.user_id JOIN organisations o ON o.id = c.org_id
             WHERE c.forum_id = $1 ORDER BY u.name",
            args![f.id],
        )?
    } else {
        Vec::new()
    };
    Ok(Forum {
        id: f.id,
        name: f.name,
        description: f.description,
        municipality_code: f.municipality_code,
        convener: f.convener,
        members,
        contacts,
        version: f.version,
        created_at_ms: f.created_at_ms,
    })
}

/// Every forum (names and members are not secret: partners need to know who cooperates).
pub fn list(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Forum>> {
    if !v.is_signed_in() && !v.is_system_admin() {
        return Err(StoreError::Forbidden);
    }
    let rows: Vec<ForumRow> = db.all(&format!("{SELECT} ORDER BY f.name_key, f.id"), &[])?;
    rows.into_iter().map(|f| complete(db, v, f)).collect()
}

pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Forum> {
    if !v.is_signed_in() && !v.is_system_admin() {
        return Err(StoreError::not_found("forum"));
    }
    let row: ForumRow = db.opt(&format!("{SELECT} WHERE f.id = $1"), args![id])?.ok_or(StoreError::not_found("forum"))?;
    complete(db, v, row)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForumInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub convener_org_id: i64,
    /// Member organisations; the convener is always a member.
    #[serde(default)]
    pub member_org_ids: Vec<i64>,
    /// Users (of member organisations) who are the forum's contact persons.
    #[serde(default)]
    pub contact_user_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct ValidForum {
    name: String,
    description: Option<String>,
    municipality: Option<MunicipalityCode>,
    convener: i64,
    members: Vec<i64>,
    contacts: Vec<i64>,
}

impl ForumInput {
    pub fn validate(&self) -> Result<ValidForum, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let description = errs.take(DESCRIPTION.parse(self.description.as_deref().unwrap_or("")));
        let municipality = match self.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => errs
                .take(MunicipalityCode::parse(c).map_err(|e| FieldError::new("municipality_code", "municipality.unknown", e.to_string())))
                .map(Some),
            None => Some(None),
        };
        errs.into_result()?;
        let mut members = vec![self.convener_org_id];
        for m in &self.member_org_ids {
            if !members.contains(m) {
                members.push(*m);
            }
        }
        let mut contacts = self.contact_user_ids.clone();
        contacts.sort_unstable();
        contacts.dedup();
        Ok(ValidForum {
            name: name.expect("checked"),
            description: description.expect("checked"),
            municipality: municipality.expect("checked"),
            convener: self.convener_org_id,
            members,
            contacts,
        })
    }
}

fn check(db: &mut dyn Conn, f: &ValidForum, except: Option<i64>) -> StoreResult<()> {
    let mut errs = FieldErrors::new();
    let taken: Option<(String,)> =
        db.opt("SELECT name FROM forums WHERE name_key = $1 AND id <> $2", args![sort_key(&f.name), except.unwrap_or(-1)])?;
    if let Some((existing,)) = taken {
        errs.push(FieldError::new("name", "name.taken", format!("Det finns redan ett forum som heter ”{existing}”. Välj ett annat namn.")));
    }
    for &org in &f.members {
        let n: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE id = $1", args![org])?;
        if n == 0 {
            let field = if org == f.convener { "convener_org_id" } else { "member_org_ids" };
            errs.push(FieldError::new(field, "organisation.unknown", format!("Organisationen med id {org} finns inte.")));
        }
    }
    for &user in &f.contacts {
        if contact_org(db, user, &f.members)?.is_none() {
            errs.push(FieldError::new(
                "contact_user_ids",
                "forum.contact_not_member",
                format!(
                    "Kontaktperson {user} är inte medlem i någon av forumets organisationer. Välj en person från en medlemsorganisation."
                ),
            ));
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

/// The member organisation through which `user` can be a contact person.
fn contact_org(db: &mut dyn Conn, user: i64, members: &[i64]) -> StoreResult<Option<i64>> {
    let orgs: Vec<(i64,)> = db.all("SELECT org_id FROM memberships WHERE user_id = $1 ORDER BY org_id", args![user])?;
    Ok(orgs.into_iter().map(|o| o.0).find(|o| members.contains(o)))
}

fn write_links(db: &mut dyn Conn, forum_id: i64, f: &ValidForum) -> StoreResult<()> {
    let now = now_ms();
    let existing: Vec<(i64,)> = db.all("SELECT org_id FROM forum_members WHERE forum_id = $1", args![forum_id])?;
    for (org,) in &existing {
        if !f.members.contains(org) {
            sharing::unshare_from_forum(db, forum_id, Some(*org))?;
            db.execute("DELETE FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, *org])?;
        }
    }
    for &org in &f.members {
        if !existing.iter().any(|e| e.0 == org) {
            db.execute("INSERT INTO forum_members (forum_id, org_id, joined_at) VALUES ($1, $2, $3)", args![forum_id, org, now])?;
        }
    }
    db.execute("DELETE FROM forum_contacts WHERE forum_id = $1", args![forum_id])?;
    for &user in &f.contacts {
        let org = contact_org(db, user, &f.members)?.expect("checked");
        db.execute("INSERT INTO forum_contacts (forum_id, user_id, org_id) VALUES ($1, $2, $3)", args![forum_id, user, org])?;
    }
    Ok(())
}

pub fn create(db: &mut dyn Conn, v: &Viewer, f: &ValidForum) -> StoreResult<Forum> {
    access::require(v, Action::CreateForum { convener: f.convener })?;
    check(db, f, None)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO forums (name, name_key, description, municipality_code, convener_org_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        args![f.name.as_str(), sort_key(&f.name), f.description.as_deref(), f.municipality.map(|m| m.as_str()), f.convener, now],
    )?;
    write_links(db, id, f)?;
    crate::categories::ensure_defaults(db, id)?;
    audit::record(db, v, Event::new("forum.create").record("forum", id).org(f.convener))?;
    get(db, v, id)
}

pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, f: &ValidForum) -> StoreResult<Forum> {
    let before = get(db, v, id)?;
    access::require(v, Action::ManageForum { convener: before.convener.id })?;
    if f.convener != before.convener.id {
        // Handing over the convening role needs the right to convene for the new organisation too.
        access::require(v, Action::CreateForum { convener: f.convener })?;
    }
    if before.version != version {
        return Err(StoreError::Stale);
    }
    check(db, f, Some(id))?;
    db.execute(
        "UPDATE forums SET name = $1, name_key = $2, description = $3, municipality_code = $4, convener_org_id = $5, version = version + 1, updated_at = $6 WHERE id = $7",
        args![f.name.as_str(), sort_key(&f.name), f.description.as_deref(), f.municipality.map(|m| m.as_str()), f.convener, now_ms(), id],
    )?;
    write_links(db, id, f)?;
    audit::record(db, v, Event::new("forum.update").record("forum", id).org(f.convener))?;
    get(db, v, id)
}

/// Takes `org_id` out of a forum; what it shared there goes back to owner-only.
pub fn leave(db: &mut dyn Conn, v: &Viewer, forum_id: i64, org_id: i64) -> StoreResult<()> {
    let forum = get(db, v, forum_id)?;
    if !access::allowed(v, Action::LeaveForum { org: org_id }) {
        access::require(v, Action::ManageForum { convener: forum.convener.id })?;
    }
    if forum.convener.id == org_id {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "forum.convener_leaves",
            "Den sammankallande organisationen kan inte lämna forumet. Lämna över rollen som sammankallande först.",
        )));
    }
    if !forum.members.iter().any(|m| m.id == org_id) {
        return Err(StoreError::not_found("forum_member"));
    }
    sharing::unshare_from_forum(db, forum_id, Some(org_id))?;
    db.execute("DELETE FROM forum_contacts WHERE forum_id = $1 AND org_id = $2", args![forum_id, org_id])?;
    db.execute("DELETE FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, org_id])?;
    audit::record(db, v, Event::new("forum.leave").record("forum", forum_id).org(org_id))
}

/// Closes a forum; everything shared with it goes back to owner-only.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let forum = get(db, v, id)?;
    access::require(v, Action::ManageForum { convener: forum.convener.id })?;
    sharing::unshare_from_forum(db, id, None)?;
    db.execute("DELETE FROM forums WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("forum.delete").record("forum", id).org(forum.convener.id))
}
