//! Forums (samverkansforum): named groups of organisations that share with each other, such
//! as "EST Trelleborg". A forum has a convening organisation (sammankallande part) and
//! contact persons, who are user accounts of member organisations (they are the ones alerted
//! later). A forum is the unit of sharing; see [`crate::kernel::sharing`].
//!
//! Nobody is made a member or a contact person without consent (see [`crate::forums::consent`]): the
//! convener *invites* organisations and *asks* people; only an accepted invitation becomes a
//! row in `forum_members` / `forum_contacts`, the tables every sharing, alert and digest rule
//! reads. The convener is a member from the start (its coordinator opens the forum).

use brygga_domain::geography::{MunicipalityCode, MunicipalityCodeError};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::Postmark;
use crate::{Action, Viewer, args, kernel::access, kernel::sharing, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).optional().multiline();

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
}

impl FromRow for OrgRef {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self { id: r.get("id")?, name: r.get("name")? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForumContact {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub org_id: i64,
    pub org_name: String,
}

impl FromRow for ForumContact {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            user_id: r.get("user_id")?,
            name: r.get("name")?,
            email: r.get("email")?,
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Forum {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    /// The municipality the forum works in; `None` for county-wide forums.
    pub municipality_code: Option<String>,
    pub convener: OrgRef,
    /// Organisations that accepted (the convener from the start).
    pub members: Vec<OrgRef>,
    /// Organisations invited that have not answered: shown to the forum's members and to the
    /// invited organisation itself, with nothing about them but the name ("inbjuden").
    pub invited: Vec<OrgRef>,
    /// Contact persons who accepted; shown only to the members' users.
    pub contacts: Vec<ForumContact>,
    /// Users asked to be contact persons who have not answered (ids only; members only).
    pub pending_contact_user_ids: Vec<i64>,
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

/// The SELECT that [`ForumRow::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT f.id, f.name, f.description, f.municipality_code, o.id AS convener_id, o.name AS convener_name, f.version,
        f.created_at
     FROM forums f JOIN organisations o ON o.id = f.convener_org_id";

impl FromRow for ForumRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            name: r.get("name")?,
            description: r.get("description")?,
            municipality_code: r.get("municipality_code")?,
            convener: OrgRef { id: r.get("convener_id")?, name: r.get("convener_name")? },
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
        })
    }
}

fn complete(db: &mut dyn Conn, v: &Viewer, f: ForumRow) -> StoreResult<Forum> {
    let members: Vec<OrgRef> = db.all(
        "SELECT o.id, o.name FROM forum_members m JOIN organisations o ON o.id = m.org_id WHERE m.forum_id = $1 ORDER BY o.name_key",
        args![f.id],
    )?;
    // Contact details are for members only: users of organisations that accepted.
    // (The convener is always a member: its users count even with a viewer loaded before the forum existed.)
    let insider = v.forum_ids().contains(&f.id) || v.role_in(f.convener.id).is_some();
    let contacts = if insider {
        db.all(
            "SELECT u.id AS user_id, u.name, u.email, o.id AS org_id, o.name AS org_name FROM forum_contacts c JOIN users u ON u.id = c.user_id JOIN organisations o ON o.id = c.org_id
             WHERE c.forum_id = $1 ORDER BY u.name",
            args![f.id],
        )?
    } else {
        Vec::new()
    };
    let mine = v.org_ids();
    let invited: Vec<OrgRef> = crate::forums::consent::pending_forum_orgs(db, f.id)?
        .into_iter()
        .filter(|o| insider || v.is_system_admin() || mine.contains(&o.id))
        .collect();
    let pending_contact_user_ids = if insider { crate::forums::consent::pending_contact_users(db, f.id)? } else { Vec::new() };
    Ok(Forum {
        id: f.id,
        name: f.name,
        description: f.description,
        municipality_code: f.municipality_code,
        convener: f.convener,
        members,
        invited,
        contacts,
        pending_contact_user_ids,
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

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ForumInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The municipality's code (`1287`) or name (`Trelleborg`); leave out for a county-wide forum.
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub convener_org_id: i64,
    /// Member organisations: those not yet members are *invited* (an administrator or
    /// coordinator of each accepts or declines); leaving one out takes it out of the forum or
    /// withdraws its invitation. The convener is always a member.
    #[serde(default)]
    pub member_org_ids: Vec<i64>,
    /// Contact persons, users of organisations that are already members: each new one is
    /// *asked* and becomes a contact person only by accepting; leaving one out removes them.
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

/// The refusal of a municipality that is neither a code nor a name, with the forum's way out.
fn municipality_error(e: MunicipalityCodeError) -> FieldError {
    FieldError::new("municipality_code", "municipality.unknown", format!("{e} Lämna fältet tomt för ett länsövergripande forum."))
}

impl ForumInput {
    /// Checks the input; `municipality_code` may be a code ("1287") or a name ("Trelleborg"),
    /// the same on the page and in the API.
    pub fn validate(&self) -> Result<ValidForum, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let description = errs.take(DESCRIPTION.parse(self.description.as_deref().unwrap_or("")));
        let municipality = match self.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => errs.take(MunicipalityCode::named(c).map_err(municipality_error)).map(Some),
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

fn check(db: &mut dyn Conn, v: &Viewer, f: &ValidForum, except: Option<i64>, check_place: bool) -> StoreResult<()> {
    let mut errs = FieldErrors::new();
    let taken: Option<String> =
        db.scalar_opt("SELECT name FROM forums WHERE name_key = $1 AND id <> $2", args![sort_key(&f.name), except.unwrap_or(-1)])?;
    if let Some(existing) = taken {
        errs.push(FieldError::new("name", "name.taken", format!("Det finns redan ett forum som heter ”{existing}”. Välj ett annat namn.")));
    }
    if let Some(m) = f.municipality
        && check_place
        && !access::allowed(v, Action::ConveneIn { convener: f.convener, municipality: m })
    {
        let name = brygga_domain::geography::municipality(m.as_str()).map_or_else(|| m.as_str().to_owned(), |x| x.name.to_owned());
        errs.push(FieldError::new(
            "municipality_code",
            "forum.municipality_not_claimed",
            format!(
                "Den sammankallande organisationen är inte godkänd för att verka i {name}. Ett forum för en kommun öppnas av en organisation vars uppdrag där är godkänt, eller av en systemadministratör."
            ),
        ));
    }
    for &org in &f.members {
        let n: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE id = $1", args![org])?;
        if n == 0 {
            let field = if org == f.convener { "convener_org_id" } else { "member_org_ids" };
            errs.push(FieldError::new(
                field,
                "organisation.unknown",
                format!("Organisation {org} kan inte bjudas in. Välj en organisation i listan."),
            ));
        }
    }
    // Contact persons come from organisations that are already members (accepted). An unknown
    // id and the id of someone outside the members get the same answer: ids are not revealed.
    let members: Vec<i64> = match except {
        Some(id) => db.scalars("SELECT org_id FROM forum_members WHERE forum_id = $1", args![id])?,
        None => vec![],
    };
    let accepted: Vec<i64> = f.members.iter().copied().filter(|o| *o == f.convener || members.contains(o)).collect();
    for &user in &f.contacts {
        if contact_org(db, user, &accepted)?.is_none() {
            errs.push(FieldError::new(
                "contact_user_ids",
                "forum.contact_not_member",
                format!(
                    "Kontaktperson {user} kan inte väljas. Välj en person i en organisation som redan är medlem i forumet (en inbjuden organisation måste tacka ja först)."
                ),
            ));
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

/// The member organisation through which `user` can be a contact person.
pub(crate) fn contact_org(db: &mut dyn Conn, user: i64, members: &[i64]) -> StoreResult<Option<i64>> {
    let orgs: Vec<i64> = db.scalars("SELECT org_id FROM memberships WHERE user_id = $1 ORDER BY org_id", args![user])?;
    Ok(orgs.into_iter().find(|o| members.contains(o)))
}

/// Brings the forum's members, invitations, contact persons and contact requests in line with
/// `f`: the convener is a member at once; other organisations are invited and people asked
/// (and notified); those left out are taken out, their invitations and requests withdrawn.
fn write_links(db: &mut dyn Conn, v: &Viewer, forum_id: i64, forum_name: &str, f: &ValidForum, post: &Postmark) -> StoreResult<()> {
    let now = now_ms();
    let existing: Vec<i64> = db.scalars("SELECT org_id FROM forum_members WHERE forum_id = $1", args![forum_id])?;
    for org in &existing {
        if !f.members.contains(org) {
            sharing::unshare_from_forum(db, forum_id, Some(*org))?;
            db.execute("DELETE FROM forum_contacts WHERE forum_id = $1 AND org_id = $2", args![forum_id, *org])?;
            db.execute("DELETE FROM forum_contact_requests WHERE forum_id = $1 AND org_id = $2", args![forum_id, *org])?;
            db.execute("DELETE FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, *org])?;
            audit::record(db, v, Event::new("forum.member.remove").record("forum", forum_id).org(*org))?;
        }
    }
    if !existing.contains(&f.convener) {
        db.execute("INSERT INTO forum_members (forum_id, org_id, joined_at) VALUES ($1, $2, $3)", args![forum_id, f.convener, now])?;
        db.execute("DELETE FROM forum_invitations WHERE forum_id = $1 AND org_id = $2", args![forum_id, f.convener])?;
    }
    let invite: Vec<i64> = f.members.iter().copied().filter(|o| *o != f.convener && !existing.contains(o)).collect();
    crate::forums::consent::set_forum_invitations(db, v, forum_id, forum_name, &invite, post)?;
    let members: Vec<i64> = db.scalars("SELECT org_id FROM forum_members WHERE forum_id = $1", args![forum_id])?;
    let mut asked = Vec::new();
    for &user in &f.contacts {
        let org = contact_org(db, user, &members)?.expect("checked");
        asked.push((user, org));
    }
    crate::forums::consent::set_contact_requests(db, v, forum_id, forum_name, &asked, post)?;
    Ok(())
}

pub fn create(db: &mut dyn Conn, v: &Viewer, f: &ValidForum, post: &Postmark) -> StoreResult<Forum> {
    access::require(v, Action::CreateForum { convener: f.convener })?;
    check(db, v, f, None, true)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO forums (name, name_key, description, municipality_code, convener_org_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        args![f.name.as_str(), sort_key(&f.name), f.description.as_deref(), f.municipality.map(|m| m.as_str()), f.convener, now],
    )?;
    write_links(db, v, id, &f.name, f, post)?;
    crate::forums::categories::ensure_defaults(db, id)?;
    audit::record(db, v, Event::new("forum.create").record("forum", id).org(f.convener))?;
    get(db, v, id)
}

pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, f: &ValidForum, post: &Postmark) -> StoreResult<Forum> {
    let before = get(db, v, id)?;
    access::require(v, Action::ManageForum { convener: before.convener.id })?;
    if f.convener != before.convener.id {
        // Handing over the convening role needs the right to convene for the new organisation too.
        access::require(v, Action::CreateForum { convener: f.convener })?;
    }
    if before.version != version {
        return Err(StoreError::Stale);
    }
    let same_place = f.municipality.map(|m| m.as_str().to_owned()) == before.municipality_code && f.convener == before.convener.id;
    // An unchanged municipality and convener keep a forum opened earlier working; a new one is checked.
    check(db, v, f, Some(id), !same_place)?;
    db.execute(
        "UPDATE forums SET name = $1, name_key = $2, description = $3, municipality_code = $4, convener_org_id = $5, version = version + 1, updated_at = $6 WHERE id = $7",
        args![f.name.as_str(), sort_key(&f.name), f.description.as_deref(), f.municipality.map(|m| m.as_str()), f.convener, now_ms(), id],
    )?;
    write_links(db, v, id, &f.name, f, post)?;
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
    db.execute("DELETE FROM forum_contact_requests WHERE forum_id = $1 AND org_id = $2", args![forum_id, org_id])?;
    db.execute("DELETE FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, org_id])?;
    audit::record(db, v, Event::new("forum.leave").record("forum", forum_id).org(org_id))
}

/// Closes a forum; everything shared with it goes back to owner-only.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let forum = get(db, v, id)?;
    access::require(v, Action::ManageForum { convener: forum.convener.id })?;
    sharing::unshare_from_forum(db, id, None)?;
    // The forum's actions go with it: the search index drops them.
    for action in db.scalars::<i64>("SELECT id FROM actions WHERE forum_id = $1", args![id])? {
        crate::kernel::index::touch(db, "action", action)?;
    }
    db.execute("DELETE FROM forums WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("forum.delete").record("forum", id).org(forum.convener.id))
}
