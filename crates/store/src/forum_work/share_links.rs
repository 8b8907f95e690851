//! Read-only share links to a forum's weekly report, for people without an account (the
//! school board, the local paper, residents' meetings): återkoppling to everyone who
//! contributed. A link shows only what every outsider may see — the municipality's shared
//! aggregates with small counts hidden ([`sharing::Scope::Shared`]) — never a report, a free
//! text or a name. It expires (1–90 days), can be revoked, and every opening is audit-logged.
//! The token is shown once; only its SHA-256 is stored.

use brygga_domain::text::TextRule;
use brygga_domain::time::IsoWeek;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::accounts::auth::{random_token, sha256_hex};
use crate::forum_work::actions::{clean_text, member_forum};
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::viewer::Origin;
use crate::{Viewer, args, now_ms};

pub const LABEL: TextRule = TextRule::line("label", "Namnet på länken", 120);
pub const MAX_DAYS: i64 = 90;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareLink {
    pub id: i64,
    pub forum_id: i64,
    /// The first characters of the token, to tell links apart.
    pub prefix: String,
    pub label: String,
    /// A fixed week, or `null`: always the last complete week.
    pub week: Option<String>,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
    pub open_count: i64,
    pub last_opened_at_ms: Option<i64>,
}

impl ShareLink {
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at_ms.is_none() && self.expires_at_ms > now
    }
}

/// The SELECT that [`ShareLink::from_row`] decodes, by the names given here.
const SELECT: &str =
    "SELECT id, forum_id, prefix, label, created_at, week, expires_at, revoked_at, open_count, last_opened_at FROM share_links";

impl FromRow for ShareLink {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let week: Option<i64> = r.get("week")?;
        Ok(Self {
            id: r.get("id")?,
            forum_id: r.get("forum_id")?,
            prefix: r.get("prefix")?,
            label: r.get("label")?,
            created_at_ms: r.get("created_at")?,
            week: week.and_then(IsoWeek::from_key).map(|w| w.to_string()),
            expires_at_ms: r.get("expires_at")?,
            revoked_at_ms: r.get("revoked_at")?,
            open_count: r.get("open_count")?,
            last_opened_at_ms: r.get("last_opened_at")?,
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// What the link is for: "Skolornas rektorer".
    pub label: String,
    /// Valid this many days (1–90).
    pub days: Option<i64>,
    /// A fixed week (`2026-W47`); empty: always the last complete week.
    #[serde(default)]
    pub week: Option<String>,
}

/// A new link with its token, shown once.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Created {
    pub link: ShareLink,
    pub token: String,
}

fn sharer(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<(crate::forums::forum::Forum, i64)> {
    let forum = member_forum(db, v, forum_id)?;
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    let org = access::acting_org(v, &members, None, |org| Permission::ShareReport { org }).ok_or(StoreError::Forbidden)?;
    Ok((forum, org))
}

pub fn may_share(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<bool> {
    match sharer(db, v, forum_id) {
        Ok(_) => Ok(true),
        Err(StoreError::Forbidden) => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn create(db: &mut dyn Conn, v: &Viewer, forum_id: i64, input: &ShareInput) -> StoreResult<Created> {
    let (forum, org) = sharer(db, v, forum_id)?;
    let mut errs = FieldErrors::new();
    if forum.municipality_code.is_none() {
        errs.push(FieldError::new(
            "forum_id",
            "forum.no_municipality",
            "Forumet gäller flera kommuner; en rapport att dela gäller en kommun.",
        ));
    }
    let label = clean_text(&mut errs, &LABEL, Some(&input.label));
    let days = input.days.unwrap_or(30);
    if !(1..=MAX_DAYS).contains(&days) {
        errs.push(FieldError::new("days", "days.range", format!("Länken kan gälla från 1 till {MAX_DAYS} dagar.")));
    }
    let week = match input.week.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => match IsoWeek::parse(s) {
            Ok(w) if w < IsoWeek::current() => Some(Some(w)),
            Ok(_) => {
                errs.push(FieldError::new("week", "week.not_complete", "Välj en vecka som har tagit slut, eller lämna fältet tomt."));
                None
            }
            Err(e) => {
                errs.push(FieldError::new("week", e.code, e.message));
                None
            }
        },
    };
    errs.into_result()?;
    // 192 random bits, base64url: 32 characters, so request logs replace it (`{token}`).
    let token = random_token(24);
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO share_links (forum_id, token_hash, prefix, label, week, created_by_user_id, created_by_org_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        args![
            forum_id,
            sha256_hex(&token),
            token[..6].to_owned(),
            label.flatten().expect("checked"),
            week.flatten().map(|w| i64::from(w.key())),
            v.user_id(),
            org,
            now,
            now + days * DAY_MS
        ],
    )?;
    audit::record(db, v, Event::new("share_link.create").record("share_link", id).org(org))?;
    Ok(Created { link: fetch(db, id)?, token })
}

fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<ShareLink> {
    db.opt(&format!("{SELECT} WHERE id = $1"), args![id])?.ok_or(StoreError::not_found("share_link"))
}

pub fn list(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Vec<ShareLink>> {
    member_forum(db, v, forum_id)?;
    Ok(db.all(&format!("{SELECT} WHERE forum_id = $1 ORDER BY id DESC"), args![forum_id])?)
}

pub fn revoke(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<ShareLink> {
    let link = fetch(db, id)?;
    if !crate::kernel::sharing::can_read_forum_record(v, link.forum_id) {
        return Err(StoreError::not_found("share_link"));
    }
    let (_, org) = sharer(db, v, link.forum_id)?;
    db.execute("UPDATE share_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", args![now_ms(), id])?;
    audit::record(db, v, Event::new("share_link.revoke").record("share_link", id).org(org))?;
    fetch(db, id)
}

/// What a token opens.
#[derive(Debug, Clone)]
pub enum Opened {
    /// The link works: the forum's municipality and the week to show, and the viewer to show it with.
    Valid {
        link: Box<ShareLink>,
        forum_name: String,
        municipality: String,
        week: IsoWeek,
        viewer: Box<Viewer>,
    },
    Expired,
    Revoked,
    Unknown,
}

/// Opens a share link: counts and audit-logs the opening (without the visitor's identity,
/// which is unknown; the request's address and id are in the entry like every other).
pub fn open(db: &mut dyn Conn, token: &str, origin: Origin) -> StoreResult<Opened> {
    if token.len() < 16 || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Ok(Opened::Unknown);
    }
    let Some(link): Option<ShareLink> = db.opt(&format!("{SELECT} WHERE token_hash = $1"), args![sha256_hex(token)])? else {
        return Ok(Opened::Unknown);
    };
    let now = now_ms();
    if link.revoked_at_ms.is_some() {
        return Ok(Opened::Revoked);
    }
    if link.expires_at_ms <= now {
        return Ok(Opened::Expired);
    }
    let (forum_name, municipality): (String, Option<String>) =
        db.map_one("SELECT name, municipality_code FROM forums WHERE id = $1", args![link.forum_id], |r| {
            Ok((r.get("name")?, r.get("municipality_code")?))
        })?;
    let Some(municipality) = municipality else { return Ok(Opened::Unknown) };
    db.execute("UPDATE share_links SET open_count = open_count + 1, last_opened_at = $1 WHERE id = $2", args![now, link.id])?;
    let viewer = Viewer::share_link(link.id, origin);
    let week = link.week.as_deref().and_then(|w| IsoWeek::parse(w).ok()).unwrap_or_else(|| IsoWeek::current().plus(-1));
    // One entry per opening, naming the organisation that shared the link and every
    // organisation whose reports are in what the link shows (the municipality's shared
    // aggregate of the picture's weeks), so each sees the opening in its own log.
    let sharer: Option<i64> = db.scalar("SELECT created_by_org_id FROM share_links WHERE id = $1", args![link.id])?;
    let owners = crate::picture::weekly::owners(
        db,
        &crate::picture::weekly::PictureQuery::new(crate::kernel::sharing::Scope::Shared, municipality.clone(), week, 1),
    )?;
    let e = Event::new("share_link.open").record("share_link", link.id).orgs(&sharer.into_iter().chain(owners).collect::<Vec<_>>());
    audit::record(db, &viewer, e)?;
    let link = fetch(db, link.id)?;
    Ok(Opened::Valid { link: Box::new(link), forum_name, municipality, week, viewer: Box::new(viewer) })
}
