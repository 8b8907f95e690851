//! Contact persons (kontaktpersoner) of an organisation. Each one is a shareable record: the
//! organisation chooses whether it is visible only to itself, to the partners of one forum,
//! or to everyone — the first record family to use [`crate::kernel::sharing`].
//!
//! A contact person may have a **level** (kommun, län, nationell), a **role** from
//! `contact_roles` (brottsförebyggande samordnare, kommunpolis, …; see [`roles`]) and what the
//! level covers: municipalities the organisation works in (kommun), a county it works in (län),
//! or the country. The county coverage report (`actors::coverage`) counts kommun-level contacts.

use brygga_domain::account::Email;
use brygga_domain::geography::{self, MunicipalityCode};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, VisibilityKind};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::{Action, Viewer, args, kernel::access, now_ms, sort_key};

pub mod roles;

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120).contact_detail();
pub const TITLE: TextRule = TextRule::line("title", "Befattningen", 120).optional();
pub const PHONE: TextRule = TextRule::line("phone", "Telefonnumret", 40).optional().contact_detail();

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPerson {
    pub id: i64,
    pub org_id: i64,
    /// The owning organisation's name.
    pub org_name: String,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub visibility: Visibility,
    /// `kommun`, `lan` or `nationell`; `None` for a contact registered without a level.
    pub level: Option<String>,
    /// A code of `contact_roles`.
    pub role_code: Option<String>,
    /// The role's Swedish label.
    pub role_label: Option<String>,
    /// The county covered at `lan` level.
    pub county_code: Option<String>,
    /// The municipalities covered at `kommun` level (codes, sorted).
    pub municipalities: Vec<String>,
    pub version: i64,
}

/// The SELECT that [`ContactPerson::from_row`] decodes, by the names given here.
pub(crate) fn select(db: &dyn Conn) -> String {
    format!(
        "SELECT c.id, c.owner_org_id, c.name, c.title, c.email, c.phone, c.visibility, c.forum_id, c.version, c.level, c.role_code,
                r.label AS role_label, c.county_code, o.name AS org_name,
                (SELECT {agg} FROM contact_person_municipalities cm WHERE cm.contact_id = c.id) AS municipalities
         FROM contact_persons c JOIN organisations o ON o.id = c.owner_org_id LEFT JOIN contact_roles r ON r.code = c.role_code",
        agg = db.dialect().string_agg("cm.municipality_code")
    )
}

impl FromRow for ContactPerson {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("visibility")?;
        Ok(Self {
            id: r.get("id")?,
            org_id: r.get("owner_org_id")?,
            org_name: r.get("org_name")?,
            name: r.get("name")?,
            title: r.get("title")?,
            email: r.get("email")?,
            phone: r.get("phone")?,
            visibility: Visibility::from_columns(&kind, r.get("forum_id")?).ok_or_else(|| DbError::Decode(format!("visibility {kind}")))?,
            level: r.get("level")?,
            role_code: r.get("role_code")?,
            role_label: r.get("role_label")?,
            county_code: r.get("county_code")?,
            municipalities: {
                let m: Option<String> = r.get("municipalities")?;
                let mut m: Vec<String> = m.map(|m| m.split(',').map(str::to_owned).collect()).unwrap_or_default();
                m.sort();
                m
            },
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
    /// `kommun`, `lan` or `nationell`; empty for none.
    #[serde(default)]
    pub level: Option<String>,
    /// A role code (`GET /api/v1/contact-roles`); empty for none.
    #[serde(default)]
    pub role: Option<String>,
    /// At `lan` level: the county's code (two digits).
    #[serde(default)]
    pub county_code: Option<String>,
    /// At `kommun` level: the municipalities covered (four-digit codes), among those the
    /// organisation works in.
    #[serde(default)]
    pub municipality_codes: Vec<String>,
}

/// What a contact person covers.
#[derive(Debug, Clone, PartialEq)]
pub enum Coverage {
    None,
    Municipalities(Vec<MunicipalityCode>),
    County(String),
    National,
}

impl Coverage {
    fn level(&self) -> Option<&'static str> {
        match self {
            Coverage::None => None,
            Coverage::Municipalities(_) => Some("kommun"),
            Coverage::County(_) => Some("lan"),
            Coverage::National => Some("nationell"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ValidContact {
    name: String,
    title: Option<String>,
    email: Option<Email>,
    phone: Option<String>,
    visibility: Visibility,
    role: Option<String>,
    coverage: Coverage,
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
        let role = self.role.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        let coverage = match self.level.as_deref().map(str::trim).unwrap_or("") {
            "" => {
                if role.is_some() {
                    errs.push(FieldError::new(
                        "level",
                        "required",
                        "Välj nivå (kommun, län eller nationell) för en kontaktperson med roll.",
                    ));
                }
                Some(Coverage::None)
            }
            "kommun" => {
                let mut codes = Vec::new();
                for c in &self.municipality_codes {
                    match MunicipalityCode::parse(c.trim()) {
                        Ok(m) if !codes.contains(&m) => codes.push(m),
                        Ok(_) => {}
                        Err(e) => errs.push(FieldError::new("municipality_codes", "municipality.unknown", e.to_string())),
                    }
                }
                if codes.is_empty() && self.municipality_codes.is_empty() {
                    errs.push(FieldError::new(
                        "municipality_codes",
                        "required",
                        "Ange vilka kommuner kontaktpersonen ansvarar för (på kommunnivå).",
                    ));
                }
                Some(Coverage::Municipalities(codes))
            }
            "lan" => match self.county_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                Some(c) if geography::county(c).is_some() => Some(Coverage::County(c.to_owned())),
                Some(_) => {
                    errs.push(FieldError::new("county_code", "county.unknown", "Länet finns inte. Välj ett län i listan."));
                    None
                }
                None => {
                    errs.push(FieldError::new("county_code", "required", "Välj vilket län kontaktpersonen ansvarar för (på länsnivå)."));
                    None
                }
            },
            "nationell" => Some(Coverage::National),
            _ => {
                errs.push(FieldError::new("level", "level.unknown", "Välj nivå: kommun, län eller nationell."));
                None
            }
        };
        errs.into_result()?;
        Ok(ValidContact {
            name: name.expect("checked"),
            title: title.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            visibility: visibility.expect("checked"),
            role,
            coverage: coverage.expect("checked"),
        })
    }
}

/// The contact persons of `org_id` the viewer may read, in Swedish order of their names.
pub fn list_for_org(db: &mut dyn Conn, v: &Viewer, org_id: i64) -> StoreResult<Vec<ContactPerson>> {
    let sql = format!("{} WHERE c.owner_org_id = $1 AND {}", select(db), sharing::readable(db.dialect(), "c", 2));
    let [orgs, forums] = sharing::readable_args(v);
    let mut all: Vec<ContactPerson> = db.all(&sql, &[org_id.into(), orgs, forums])?;
    all.sort_by_cached_key(|c| (sort_key(&c.name), c.id));
    Ok(all)
}

/// The contact persons with a level the viewer may read that concern `municipality`: those
/// covering it at kommun level, its county at län level, and every national one (the
/// counterparts page of a municipality).
pub fn list_covering(db: &mut dyn Conn, v: &Viewer, municipality: &MunicipalityCode) -> StoreResult<Vec<ContactPerson>> {
    let sql = format!(
        "{} WHERE {} AND (c.level = 'nationell'
            OR (c.level = 'lan' AND c.county_code = $3)
            OR (c.level = 'kommun' AND EXISTS (SELECT 1 FROM contact_person_municipalities cm
                 WHERE cm.contact_id = c.id AND cm.municipality_code = $4)))",
        select(db),
        sharing::readable(db.dialect(), "c", 1),
    );
    let [orgs, forums] = sharing::readable_args(v);
    let m = municipality.municipality();
    let mut all: Vec<ContactPerson> = db.all(&sql, &[orgs, forums, m.county_code.into(), m.code.into()])?;
    all.sort_by_cached_key(|c| (sort_key(&c.name), c.id));
    Ok(all)
}

/// Every contact person with a role the viewer may read whose coverage touches `county`: at
/// kommun level in one of its municipalities, or at län level for it (the coverage report).
pub fn list_in_county(db: &mut dyn Conn, v: &Viewer, county: &str) -> StoreResult<Vec<ContactPerson>> {
    let sql = format!(
        "{} WHERE {} AND c.role_code IS NOT NULL AND ((c.level = 'lan' AND c.county_code = $3)
            OR (c.level = 'kommun' AND EXISTS (SELECT 1 FROM contact_person_municipalities cm
                 JOIN municipalities mu ON mu.code = cm.municipality_code
                 WHERE cm.contact_id = c.id AND mu.county_code = $3)))",
        select(db),
        sharing::readable(db.dialect(), "c", 1),
    );
    let [orgs, forums] = sharing::readable_args(v);
    let mut all: Vec<ContactPerson> = db.all(&sql, &[orgs, forums, county.into()])?;
    all.sort_by_cached_key(|c| (sort_key(&c.name), c.id));
    Ok(all)
}

fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<ContactPerson> {
    db.opt(&format!("{} WHERE c.id = $1", select(db)), args![id])?.ok_or(StoreError::not_found("contact_person"))
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

/// What only the database can tell: the role exists, and the municipalities (kommun level) or
/// the county (län level) are ones the organisation works in (its approved claims).
fn check_coverage(db: &mut dyn Conn, org_id: i64, c: &ValidContact) -> StoreResult<()> {
    let mut errs = FieldErrors::new();
    if let Some(role) = &c.role {
        let known: i64 = db.scalar("SELECT COUNT(*) FROM contact_roles WHERE code = $1", args![role.as_str()])?;
        if known == 0 {
            errs.push(FieldError::new(
                "role",
                "role.unknown",
                "Rollen finns inte. Välj en roll i listan (eller be länsstyrelsen lägga till den).",
            ));
        }
    }
    let claims: Vec<String> = db.map_all(
        "SELECT municipality_code FROM organisation_municipalities WHERE org_id = $1 AND status = 'approved'",
        args![org_id],
        |r| r.get("municipality_code"),
    )?;
    match &c.coverage {
        Coverage::Municipalities(codes) => {
            for m in codes.iter().filter(|m| !claims.iter().any(|c| c == m.as_str())) {
                errs.push(FieldError::new(
                    "municipality_codes",
                    "municipality.not_served",
                    format!("Organisationen arbetar inte i {}. Välj en kommun som organisationen arbetar i.", m.municipality().name),
                ));
            }
        }
        Coverage::County(county) => {
            if !claims.iter().any(|m| geography::municipality(m).is_some_and(|m| m.county_code == county)) {
                errs.push(FieldError::new(
                    "county_code",
                    "county.not_served",
                    "Organisationen arbetar inte i någon kommun i det länet. Välj ett län där organisationen arbetar.",
                ));
            }
        }
        Coverage::None | Coverage::National => {}
    }
    Ok(errs.into_result()?)
}

fn write_coverage(db: &mut dyn Conn, id: i64, c: &ValidContact) -> StoreResult<()> {
    let county = match &c.coverage {
        Coverage::County(county) => Some(county.as_str()),
        _ => None,
    };
    db.execute(
        "UPDATE contact_persons SET level = $1, role_code = $2, county_code = $3 WHERE id = $4",
        args![c.coverage.level(), c.role.as_deref(), county, id],
    )?;
    db.execute("DELETE FROM contact_person_municipalities WHERE contact_id = $1", args![id])?;
    if let Coverage::Municipalities(codes) = &c.coverage {
        for m in codes {
            db.execute("INSERT INTO contact_person_municipalities (contact_id, municipality_code) VALUES ($1, $2)", args![id, m.as_str()])?;
        }
    }
    Ok(())
}

pub fn create(db: &mut dyn Conn, v: &Viewer, org_id: i64, c: &ValidContact) -> StoreResult<ContactPerson> {
    access::require(v, Action::EditContacts { org: org_id })?;
    check_share(db, org_id, c.visibility)?;
    check_coverage(db, org_id, c)?;
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
    write_coverage(db, id, c)?;
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
    check_coverage(db, before.org_id, c)?;
    db.execute(
        "UPDATE contact_persons SET visibility = $1, forum_id = $2, name = $3, title = $4, email = $5, phone = $6, version = version + 1, updated_at = $7 WHERE id = $8",
        args![c.visibility.kind().code(), c.visibility.forum_id(), c.name.as_str(), c.title.as_deref(), c.email.as_ref().map(Email::as_str), c.phone.as_deref(), now_ms(), id],
    )?;
    write_coverage(db, id, c)?;
    audit::record(db, v, Event::new("contact_person.update").record("contact_person", id).org(before.org_id))?;
    fetch(db, id)
}

pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get_for_edit(db, v, id)?;
    access::require(v, Action::EditContacts { org: before.org_id })?;
    db.execute("DELETE FROM contact_persons WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("contact_person.delete").record("contact_person", id).org(before.org_id))
}
