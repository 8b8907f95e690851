//! Contact persons (kontaktpersoner) of an organisation. Each one is a shareable record: the
//! organisation chooses whether it is visible only to itself, to the partners of one forum,
//! or to everyone — the first record family to use [`crate::kernel::sharing`].

use brygga_domain::account::Email;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, VisibilityKind};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::{Action, Viewer, args, kernel::access, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120).contact_detail();
pub const TITLE: TextRule = TextRule::line("title", "Befattningen", 120).optional();
pub const PHONE: TextRule = TextRule::line("phone", "Telefonnumret", 40).optional().contact_detail();

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPerson {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub visibility: Visibility,
    pub version: i64,
}

/// The SELECT that [`ContactPerson::from_row`] decodes, by the names given here.
const SELECT: &str =
    "SELECT c.id, c.owner_org_id, c.name, c.title, c.email, c.phone, c.visibility, c.forum_id, c.version FROM contact_persons c";

impl FromRow for ContactPerson {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("visibility")?;
        Ok(Self {
            id: r.get("id")?,
            org_id: r.get("owner_org_id")?,
            name: r.get("name")?,
            title: r.get("title")?,
            email: r.get("email")?,
            phone: r.get("phone")?,
            visibility: Visibility::from_columns(&kind, r.get("forum_id")?).ok_or_else(|| DbError::Decode(format!("visibility {kind}")))?,
            version: r.get("version")?,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// `organisation`, `forum` or `public`.
    pub visibility: String,
    /// Required when `visibility` is `forum`.
    #[serde(default)]
    pub forum_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ValidContact {
    name: String,
    title: Option<String>,
    email: Option<Email>,
    phone: Option<String>,
    visibility: Visibility,
}

impl ContactInput {
    pub fn validate(&self) -> Result<ValidContact, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let title = errs.take(TITLE.parse(self.title.as_deref().unwrap_or("")));
        let email = match self.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => errs.take(Email::parse(e)).map(Some),
            None => Some(None),
        };
        let phone = errs.take(PHONE.parse(self.phone.as_deref().unwrap_or("")).and_then(|p| match p {
            Some(p) if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) => {
                Err(FieldError::new("phone", "phone.invalid", "Telefonnumret får bara innehålla siffror, mellanslag, +, - och parenteser."))
            }
            p => Ok(p),
        }));
        let visibility = match (errs.take(VisibilityKind::parse(&self.visibility)), self.forum_id) {
            (Some(VisibilityKind::Organisation), _) => Some(Visibility::Organisation),
            (Some(VisibilityKind::Public), _) => Some(Visibility::Public),
            (Some(VisibilityKind::Forum), Some(forum_id)) => Some(Visibility::Forum { forum_id }),
            (Some(VisibilityKind::Forum), None) => {
                errs.push(FieldError::new("forum_id", "required", "Välj vilket forum som ska se kontaktpersonen."));
                None
            }
            (None, _) => None,
        };
        errs.into_result()?;
        Ok(ValidContact {
            name: name.expect("checked"),
            title: title.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            visibility: visibility.expect("checked"),
        })
    }
}

/// The contact persons of `org_id` the viewer may read.
pub fn list_for_org(db: &mut dyn Conn, v: &Viewer, org_id: i64) -> StoreResult<Vec<ContactPerson>> {
    let sql = format!("{SELECT} WHERE c.owner_org_id = $1 AND {} ORDER BY c.name, c.id", sharing::readable(db.dialect(), "c", 2));
    let [orgs, forums] = sharing::readable_args(v);
    Ok(db.all(&sql, &[org_id.into(), orgs, forums])?)
}

fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<ContactPerson> {
    db.opt(&format!("{SELECT} WHERE c.id = $1"), args![id])?.ok_or(StoreError::not_found("contact_person"))
}

/// One contact person, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<ContactPerson> {
    let c = fetch(db, id)?;
    if sharing::can_read(v, c.org_id, c.visibility) { Ok(c) } else { Err(StoreError::not_found("contact_person")) }
}

/// A record the viewer may edit (editing rights include reading, even when the viewer —
/// e.g. a system administrator — is not a member of the owning organisation).
fn get_for_edit(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<ContactPerson> {
    let c = fetch(db, id)?;
    if sharing::can_read(v, c.org_id, c.visibility) || access::allowed(v, Action::EditContacts { org: c.org_id }) {
        Ok(c)
    } else {
        Err(StoreError::not_found("contact_person"))
    }
}

/// A forum share is only allowed to a forum the owning organisation belongs to.
fn check_share(db: &mut dyn Conn, org_id: i64, vis: Visibility) -> StoreResult<()> {
    if let Some(forum_id) = vis.forum_id() {
        let member: i64 = db.scalar("SELECT COUNT(*) FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, org_id])?;
        if member == 0 {
            return Err(StoreError::invalid(FieldError::new(
                "forum_id",
                "forum.not_member",
                "Organisationen är inte med i det forumet. Välj ett forum som organisationen deltar i.",
            )));
        }
    }
    Ok(())
}

pub fn create(db: &mut dyn Conn, v: &Viewer, org_id: i64, c: &ValidContact) -> StoreResult<ContactPerson> {
    access::require(v, Action::EditContacts { org: org_id })?;
    check_share(db, org_id, c.visibility)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO contact_persons (owner_org_id, visibility, forum_id, name, title, email, phone, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        args![
            org_id,
            c.visibility.kind().code(),
            c.visibility.forum_id(),
            c.name.as_str(),
            c.title.as_deref(),
            c.email.as_ref().map(Email::as_str),
            c.phone.as_deref(),
            now
        ],
    )?;
    audit::record(db, v, Event::new("contact_person.create").record("contact_person", id).org(org_id))?;
    fetch(db, id)
}

pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, c: &ValidContact) -> StoreResult<ContactPerson> {
    let before = get_for_edit(db, v, id)?;
    access::require(v, Action::EditContacts { org: before.org_id })?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    check_share(db, before.org_id, c.visibility)?;
    db.execute(
        "UPDATE contact_persons SET visibility = $1, forum_id = $2, name = $3, title = $4, email = $5, phone = $6, version = version + 1, updated_at = $7 WHERE id = $8",
        args![c.visibility.kind().code(), c.visibility.forum_id(), c.name.as_str(), c.title.as_deref(), c.email.as_ref().map(Email::as_str), c.phone.as_deref(), now_ms(), id],
    )?;
    audit::record(db, v, Event::new("contact_person.update").record("contact_person", id).org(before.org_id))?;
    fetch(db, id)
}

pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get_for_edit(db, v, id)?;
    access::require(v, Action::EditContacts { org: before.org_id })?;
    db.execute("DELETE FROM contact_persons WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("contact_person.delete").record("contact_person", id).org(before.org_id))
}
