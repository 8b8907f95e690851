//! A municipality's "vart vänder jag mig" guide (issue 15, item 4; seed 004: sports clubs need
//! to be told where and how to report a concern): for each kind of concern (`domain::actors::CONCERNS`),
//! who to turn to and how. **Routing only, never case data**: every text passes the
//! personal-data guard, and phone, e-mail and web address go in their own fields (the contact
//! details of a function, which the guard allows there).
//!
//! Who: coordinators of the municipality's own organisation (kind Municipality, approved claim)
//! write it (`Action::EditGuide`); it is public — read by anyone, signed in or not — once
//! published, and until then only by its owner's users.

use brygga_domain::account::Email;
use brygga_domain::actors::{CONCERNS, concern_label};
use brygga_domain::geography::MunicipalityCode;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use serde::{Deserialize, Serialize};

use crate::accounts::orgs;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, kernel::access, now_ms};

pub const INTRO: TextRule = TextRule::line("intro", "Inledningen", 2000).optional().multiline();
pub const WHO: TextRule = TextRule::line("who", "Vem du vänder dig till", 200);
pub const HOW: TextRule = TextRule::line("how", "Hur du gör", 1000).multiline();
pub const PHONE: TextRule = TextRule::line("phone", "Telefonnumret", 40).optional().contact_detail();

/// One routing line: for `concern`, turn to `who`, like `how`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    pub id: i64,
    /// A code of `CONCERNS`.
    pub concern: String,
    pub position: i64,
    pub who: String,
    pub how: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// An organisation in Brygga the line points to (its page), if any.
    pub org_id: Option<i64>,
}

impl FromRow for Entry {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            concern: r.get("concern")?,
            position: r.get("position")?,
            who: r.get("who")?,
            how: r.get("how")?,
            phone: r.get("phone")?,
            email: r.get("email")?,
            website: r.get("website")?,
            org_id: r.get("org_id")?,
        })
    }
}

/// The lines of one concern.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub concern: String,
    pub label: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guide {
    pub municipality_code: String,
    pub municipality_name: String,
    pub owner_org_id: i64,
    pub intro: Option<String>,
    pub published: bool,
    pub published_at_ms: Option<i64>,
    pub version: i64,
    /// Every concern in the fixed order, with its lines (possibly none).
    pub sections: Vec<Section>,
}

struct Head {
    owner_org_id: i64,
    intro: Option<String>,
    published: bool,
    published_at_ms: Option<i64>,
    version: i64,
}

impl FromRow for Head {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            owner_org_id: r.get("owner_org_id")?,
            intro: r.get("intro")?,
            published: r.get("published")?,
            published_at_ms: r.get("published_at")?,
            version: r.get("version")?,
        })
    }
}

fn head(db: &mut dyn Conn, m: &MunicipalityCode) -> StoreResult<Option<Head>> {
    Ok(db.opt(
        "SELECT owner_org_id, intro, published, published_at, version FROM concern_guides WHERE municipality_code = $1",
        args![m.as_str()],
    )?)
}

/// The read rule: published → anyone; otherwise the owner's users only.
fn readable(v: &Viewer, h: &Head) -> bool {
    h.published || v.role_in(h.owner_org_id).is_some()
}

/// The guide of `municipality`, if it exists and the viewer may read it (NotFound otherwise,
/// so an unpublished guide's existence is not revealed).
pub fn get(db: &mut dyn Conn, v: &Viewer, m: &MunicipalityCode) -> StoreResult<Guide> {
    let h = head(db, m)?.filter(|h| readable(v, h)).ok_or(StoreError::not_found("guide"))?;
    let entries: Vec<Entry> = db.all(
        "SELECT id, concern, position, who, how, phone, email, website, org_id FROM concern_guide_entries
         WHERE municipality_code = $1 ORDER BY position, id",
        args![m.as_str()],
    )?;
    let sections = CONCERNS
        .iter()
        .map(|(code, label)| Section {
            concern: (*code).to_owned(),
            label: (*label).to_owned(),
            entries: entries.iter().filter(|e| e.concern == *code).cloned().collect(),
        })
        .collect();
    Ok(Guide {
        municipality_code: m.as_str().to_owned(),
        municipality_name: m.municipality().name.to_owned(),
        owner_org_id: h.owner_org_id,
        intro: h.intro,
        published: h.published,
        published_at_ms: h.published_at_ms,
        version: h.version,
        sections,
    })
}

/// The municipality organisation the viewer writes the guide for.
fn writer_org(v: &Viewer, m: &MunicipalityCode) -> StoreResult<i64> {
    access::require(v, Action::EditGuide { municipality: *m })?;
    v.memberships()
        .iter()
        .find(|x| x.org_kind == OrgKind::Municipality && x.municipalities.iter().any(|c| c == m.as_str()))
        .map(|x| x.org_id)
        .ok_or(StoreError::Forbidden)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GuideInput {
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub published: bool,
}

/// Creates or changes the guide's head: its introduction and whether it is published.
/// `version` is the one read (0 when there is no guide yet).
pub fn save(db: &mut dyn Conn, v: &Viewer, m: &MunicipalityCode, version: i64, input: &GuideInput) -> StoreResult<Guide> {
    let org = writer_org(v, m)?;
    let intro = INTRO.parse(input.intro.as_deref().unwrap_or("")).map_err(StoreError::invalid)?;
    let now = now_ms();
    match head(db, m)? {
        None if version != 0 => return Err(StoreError::Stale),
        None => {
            db.execute(
                "INSERT INTO concern_guides (municipality_code, owner_org_id, intro, published, published_at, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
                args![m.as_str(), org, intro.as_deref(), input.published, input.published.then_some(now), now],
            )?;
        }
        Some(h) if h.version != version => return Err(StoreError::Stale),
        Some(h) => {
            let published_at = if input.published { h.published_at_ms.or(Some(now)) } else { None };
            db.execute(
                "UPDATE concern_guides SET intro = $1, published = $2, published_at = $3, version = version + 1, updated_at = $4
                 WHERE municipality_code = $5",
                args![intro.as_deref(), input.published, published_at, now, m.as_str()],
            )?;
        }
    }
    audit::record(db, v, Event::new("guide.save").org(org).fields(&["intro", "published"]))?;
    get(db, v, m)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// A concern code (`oro_barn`, `rekrytering`, `extremism`, `hot_forening`, `tips_polis`, …).
    pub concern: String,
    pub who: String,
    pub how: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// An organisation in Brygga to link to.
    #[serde(default)]
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ValidEntry {
    concern: String,
    who: String,
    how: String,
    phone: Option<String>,
    email: Option<Email>,
    website: Option<String>,
    org_id: Option<i64>,
}

impl EntryInput {
    pub fn validate(&self) -> Result<ValidEntry, FieldErrors> {
        let mut errs = FieldErrors::new();
        let concern = self.concern.trim();
        if concern_label(concern).is_none() {
            errs.push(FieldError::new("concern", "concern.unknown", "Välj vilken sorts oro raden gäller."));
        }
        let who = errs.take(WHO.require(&self.who));
        let how = errs.take(HOW.require(&self.how));
        let phone = errs.take(PHONE.parse(self.phone.as_deref().unwrap_or("")).and_then(|p| match p {
            Some(p) if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) => {
                Err(FieldError::new("phone", "phone.invalid", "Telefonnumret får bara innehålla siffror, mellanslag, +, - och parenteser."))
            }
            p => Ok(p),
        }));
        let email = match self.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => errs.take(Email::parse(e)).map(Some),
            None => Some(None),
        };
        let website = errs.take(orgs::WEBSITE.parse(self.website.as_deref().unwrap_or("")).and_then(|w| match w {
            Some(w) if !(w.starts_with("https://") || w.starts_with("http://")) => {
                Err(FieldError::new("website", "url.invalid", "Skriv hela webbadressen, med https:// först."))
            }
            w => Ok(w),
        }));
        errs.into_result()?;
        Ok(ValidEntry {
            concern: concern.to_owned(),
            who: who.expect("checked"),
            how: how.expect("checked"),
            phone: phone.expect("checked"),
            email: email.expect("checked"),
            website: website.expect("checked"),
            org_id: self.org_id,
        })
    }
}

fn check_org(db: &mut dyn Conn, e: &ValidEntry) -> StoreResult<()> {
    if let Some(id) = e.org_id {
        let n: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE id = $1", args![id])?;
        if n == 0 {
            return Err(StoreError::invalid(FieldError::new(
                "org_id",
                "organisation.unknown",
                "Organisationen finns inte. Välj en i listan.",
            )));
        }
    }
    Ok(())
}

/// The guide an entry command works on: it must exist (saved once) and be the viewer's to write.
fn guide_for_write(db: &mut dyn Conn, v: &Viewer, m: &MunicipalityCode) -> StoreResult<i64> {
    let org = writer_org(v, m)?;
    if head(db, m)?.is_none() {
        return Err(StoreError::invalid(FieldError::new(
            "concern",
            "guide.missing",
            "Spara guiden (inledningen) först, lägg sedan till rader.",
        )));
    }
    Ok(org)
}

/// Adds a line at the end of its concern.
pub fn add_entry(db: &mut dyn Conn, v: &Viewer, m: &MunicipalityCode, e: &ValidEntry) -> StoreResult<Entry> {
    let org = guide_for_write(db, v, m)?;
    check_org(db, e)?;
    let now = now_ms();
    let position: i64 = db.scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM concern_guide_entries WHERE municipality_code = $1 AND concern = $2",
        args![m.as_str(), e.concern.as_str()],
    )?;
    let id: i64 = db.scalar(
        "INSERT INTO concern_guide_entries (municipality_code, concern, position, who, how, phone, email, website, org_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        args![
            m.as_str(),
            e.concern.as_str(),
            position,
            e.who.as_str(),
            e.how.as_str(),
            e.phone.as_deref(),
            e.email.as_ref().map(Email::as_str),
            e.website.as_deref(),
            e.org_id,
            now
        ],
    )?;
    db.execute("UPDATE concern_guides SET version = version + 1, updated_at = $1 WHERE municipality_code = $2", args![now, m.as_str()])?;
    audit::record(db, v, Event::new("guide.entry.create").record("guide_entry", id).org(org))?;
    entry(db, m, id)
}

fn entry(db: &mut dyn Conn, m: &MunicipalityCode, id: i64) -> StoreResult<Entry> {
    db.opt(
        "SELECT id, concern, position, who, how, phone, email, website, org_id FROM concern_guide_entries WHERE id = $1 AND municipality_code = $2",
        args![id, m.as_str()],
    )?
    .ok_or(StoreError::not_found("guide_entry"))
}

/// The municipality an entry belongs to, if the viewer may read its guide.
pub fn entry_municipality(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<MunicipalityCode> {
    let code: Option<String> = db.scalar_opt("SELECT municipality_code FROM concern_guide_entries WHERE id = $1", args![id])?;
    let m = code.and_then(|c| MunicipalityCode::parse(&c).ok()).ok_or(StoreError::not_found("guide_entry"))?;
    get(db, v, &m)?;
    Ok(m)
}

/// Changes a line (its concern may change too: it then moves to the end of the new one).
pub fn update_entry(db: &mut dyn Conn, v: &Viewer, m: &MunicipalityCode, id: i64, e: &ValidEntry) -> StoreResult<Entry> {
    let org = guide_for_write(db, v, m)?;
    let before = entry(db, m, id)?;
    check_org(db, e)?;
    let now = now_ms();
    let position: i64 = if before.concern == e.concern {
        before.position
    } else {
        db.scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM concern_guide_entries WHERE municipality_code = $1 AND concern = $2",
            args![m.as_str(), e.concern.as_str()],
        )?
    };
    db.execute(
        "UPDATE concern_guide_entries SET concern = $1, position = $2, who = $3, how = $4, phone = $5, email = $6, website = $7, org_id = $8, updated_at = $9
         WHERE id = $10",
        args![
            e.concern.as_str(),
            position,
            e.who.as_str(),
            e.how.as_str(),
            e.phone.as_deref(),
            e.email.as_ref().map(Email::as_str),
            e.website.as_deref(),
            e.org_id,
            now,
            id
        ],
    )?;
    db.execute("UPDATE concern_guides SET version = version + 1, updated_at = $1 WHERE municipality_code = $2", args![now, m.as_str()])?;
    audit::record(db, v, Event::new("guide.entry.update").record("guide_entry", id).org(org))?;
    entry(db, m, id)
}

pub fn delete_entry(db: &mut dyn Conn, v: &Viewer, m: &MunicipalityCode, id: i64) -> StoreResult<()> {
    let org = guide_for_write(db, v, m)?;
    entry(db, m, id)?;
    db.execute("DELETE FROM concern_guide_entries WHERE id = $1", args![id])?;
    db.execute(
        "UPDATE concern_guides SET version = version + 1, updated_at = $1 WHERE municipality_code = $2",
        args![now_ms(), m.as_str()],
    )?;
    audit::record(db, v, Event::new("guide.entry.delete").record("guide_entry", id).org(org))
}
