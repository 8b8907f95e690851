//! Organisations (aktörer): kind, name, organisation number, municipalities, public profile.
//!
//! Every signed-in user sees every organisation's name, kind and municipalities (needed to
//! form forums and assign work); an organisation with a public profile is also visible to
//! people who are not signed in. Contact persons follow the sharing rules (`contacts`).

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::org_number::OrgNumber;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Event};
use crate::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::error::{StoreError, StoreResult};
use crate::sql::Query;
use crate::{Action, Page, Viewer, access, args, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).optional().multiline();
pub const WEBSITE: TextRule = TextRule::line("website", "Webbadressen", 300).optional().contact_detail();

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String, example = "municipality")]
    pub kind: OrgKind,
    /// `NNNNNN-NNNN`.
    pub org_number: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    /// Visible to people who are not signed in.
    pub public_profile: bool,
    /// Municipality codes (4 digits) the organisation works in.
    pub municipalities: Vec<String>,
    /// Increases with every change; send it back when updating.
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl FromRow for Organisation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get(2)?;
        let munis: Option<String> = r.get(7)?;
        let mut municipalities: Vec<String> = munis.map(|m| m.split(',').map(str::to_owned).collect()).unwrap_or_default();
        municipalities.sort();
        Ok(Self {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: OrgKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("org kind {kind}")))?,
            org_number: r.get(3)?,
            description: r.get(4)?,
            website: r.get(5)?,
            public_profile: r.get(6)?,
            municipalities,
            version: r.get(8)?,
            created_at_ms: r.get(9)?,
            updated_at_ms: r.get(10)?,
        })
    }
}

fn select(db: &dyn Conn) -> String {
    format!(
        "SELECT o.id, o.name, o.kind, o.org_number, o.description, o.website, o.public_profile,
                (SELECT {} FROM organisation_municipalities om WHERE om.org_id = o.id), o.version, o.created_at, o.updated_at
         FROM organisations o",
        db.dialect().string_agg("om.municipality_code")
    )
}

/// What a form or an API call sends; every field as received, validated by [`OrganisationInput::validate`].
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    pub name: String,
    /// One of the organisation-kind codes, e.g. `municipality`, `civil_society`.
    pub kind: String,
    #[serde(default)]
    pub org_number: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub public_profile: bool,
    /// Four-digit municipality codes, e.g. `["1287"]`.
    #[serde(default)]
    pub municipalities: Vec<String>,
}

/// A validated organisation.
#[derive(Debug, Clone)]
pub struct ValidOrganisation {
    pub name: String,
    pub kind: OrgKind,
    pub org_number: Option<OrgNumber>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub public_profile: bool,
    pub municipalities: Vec<MunicipalityCode>,
}

impl OrganisationInput {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> Result<ValidOrganisation, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let kind = errs.take(OrgKind::parse(&self.kind));
        let org_number = match self.org_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(n) => errs.take(OrgNumber::parse(n)).map(Some),
            None => Some(None),
        };
        let description = errs.take(DESCRIPTION.parse(self.description.as_deref().unwrap_or("")));
        let website = errs.take(WEBSITE.parse(self.website.as_deref().unwrap_or("")).and_then(|w| match w {
            Some(w) if !(w.starts_with("https://") || w.starts_with("http://")) || w.contains(char::is_whitespace) => Err(FieldError::new(
                "website",
                "website.invalid",
                "Webbadressen ska börja med https:// eller http://, till exempel https://www.trelleborg.se.",
            )),
            w => Ok(w),
        }));
        let mut municipalities = Vec::new();
        for code in &self.municipalities {
            match MunicipalityCode::parse(code) {
                Ok(c) if !municipalities.contains(&c) => municipalities.push(c),
                Ok(_) => {}
                Err(e) => errs.push(FieldError::new("municipalities", "municipality.unknown", e.to_string())),
            }
        }
        errs.into_result()?;
        Ok(ValidOrganisation {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            org_number: org_number.expect("checked"),
            description: description.expect("checked"),
            website: website.expect("checked"),
            public_profile: self.public_profile,
            municipalities,
        })
    }
}

impl From<&Organisation> for OrganisationInput {
    fn from(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            kind: o.kind.code().to_owned(),
            org_number: o.org_number.clone(),
            description: o.description.clone(),
            website: o.website.clone(),
            public_profile: o.public_profile,
            municipalities: o.municipalities.clone(),
        }
    }
}

/// List filters.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filter {
    /// Part of the name, any case.
    pub q: Option<String>,
    pub kind: Option<OrgKind>,
    pub municipality: Option<String>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    pub limit: Option<usize>,
}

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// Organisations the viewer may see, sorted by name the Swedish way.
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &Filter) -> StoreResult<Page<Organisation>> {
    let limit = f.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let mut q = Query::new(select(db));
    q.raw(" WHERE 1=1");
    if !v.is_signed_in() && !v.is_system_admin() {
        q.raw(" AND o.public_profile = TRUE");
    }
    if let Some(name) = f.q.as_deref().map(sort_key).filter(|s| !s.is_empty()) {
        let escaped = name.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        q.push(" AND o.name_key LIKE ? ESCAPE '\\'", [format!("%{escaped}%").into()]);
    }
    if let Some(kind) = f.kind {
        q.push(" AND o.kind = ?", [kind.code().into()]);
    }
    if let Some(m) = &f.municipality {
        q.push(" AND o.id IN (SELECT org_id FROM organisation_municipalities WHERE municipality_code = ?)", [m.as_str().into()]);
    }
    if let Some((key, id)) = f.after.as_deref().and_then(decode_cursor) {
        q.push(" AND (o.name_key > ? OR (o.name_key = ? AND o.id > ?))", [key.clone().into(), key.into(), id.into()]);
    }
    q.raw(&format!(" ORDER BY o.name_key, o.id LIMIT {}", limit + 1));
    let rows = db.query(&q.sql, &q.params)?;
    let mut items = rows.iter().map(Organisation::from_row).collect::<Result<Vec<_>, _>>()?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|o| encode_cursor(&sort_key(&o.name), o.id))
    } else {
        None
    };
    Ok(Page { items, next })
}

fn encode_cursor(key: &str, id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{id}:{key}"))
}

fn decode_cursor(c: &str) -> Option<(String, i64)> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, key) = s.split_once(':')?;
    Some((key.to_owned(), id.parse().ok()?))
}

/// One organisation, if the viewer may see it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Organisation> {
    let sql = format!("{} WHERE o.id = $1", select(db));
    let org: Organisation = db.opt(&sql, args![id])?.ok_or(StoreError::not_found("organisation"))?;
    if !v.is_signed_in() && !v.is_system_admin() && !org.public_profile {
        return Err(StoreError::not_found("organisation"));
    }
    Ok(org)
}

fn check_unique(db: &mut dyn Conn, o: &ValidOrganisation, except: Option<i64>) -> StoreResult<()> {
    let mut errs = FieldErrors::new();
    let except = except.unwrap_or(-1);
    let taken: Option<(String,)> =
        db.opt("SELECT name FROM organisations WHERE name_key = $1 AND id <> $2", args![sort_key(&o.name), except])?;
    if let Some((existing,)) = taken {
        errs.push(FieldError::new(
            "name",
            "name.taken",
            format!("Det finns redan en organisation som heter ”{existing}”. Välj ett annat namn, eller använd den befintliga."),
        ));
    }
    if let Some(n) = &o.org_number {
        let taken: Option<(String,)> =
            db.opt("SELECT name FROM organisations WHERE org_number = $1 AND id <> $2", args![n.as_str(), except])?;
        if let Some((existing,)) = taken {
            errs.push(FieldError::new("org_number", "org_number.taken", format!("Organisationsnumret {n} används redan av ”{existing}”.")));
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

fn set_municipalities(db: &mut dyn Conn, org_id: i64, codes: &[MunicipalityCode]) -> StoreResult<()> {
    db.execute("DELETE FROM organisation_municipalities WHERE org_id = $1", args![org_id])?;
    for c in codes {
        db.execute("INSERT INTO organisation_municipalities (org_id, municipality_code) VALUES ($1, $2)", args![org_id, c.as_str()])?;
    }
    Ok(())
}

/// Registers a new organisation.
pub fn create(db: &mut dyn Conn, v: &Viewer, o: &ValidOrganisation) -> StoreResult<Organisation> {
    access::require(v, Action::CreateOrganisation)?;
    check_unique(db, o, None)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO organisations (name, name_key, kind, org_number, description, website, public_profile, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        args![o.name.as_str(), sort_key(&o.name), o.kind.code(), o.org_number.as_ref().map(OrgNumber::as_str), o.description.as_deref(), o.website.as_deref(), o.public_profile, now],
    )?;
    set_municipalities(db, id, &o.municipalities)?;
    audit::record(db, v, Event::new("organisation.create").record("organisation", id).org(id))?;
    get(db, v, id)
}

/// Changes an organisation's profile. `version` is the version the editor read; if someone
/// else changed it since, nothing is written and [`StoreError::Stale`] is returned.
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, o: &ValidOrganisation) -> StoreResult<Organisation> {
    let before = get(db, v, id)?;
    access::require(v, Action::EditOrganisation { org: id })?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    check_unique(db, o, Some(id))?;
    let mut changed: Vec<&str> = Vec::new();
    let codes: Vec<String> = {
        let mut c: Vec<String> = o.municipalities.iter().map(|m| m.as_str().to_owned()).collect();
        c.sort();
        c
    };
    for (field, differs) in [
        ("name", before.name != o.name),
        ("kind", before.kind != o.kind),
        ("org_number", before.org_number.as_deref() != o.org_number.as_ref().map(OrgNumber::as_str)),
        ("description", before.description != o.description),
        ("website", before.website != o.website),
        ("public_profile", before.public_profile != o.public_profile),
        ("municipalities", before.municipalities != codes),
    ] {
        if differs {
            changed.push(field);
        }
    }
    if changed.is_empty() {
        return Ok(before);
    }
    db.execute(
        "UPDATE organisations SET name = $1, name_key = $2, kind = $3, org_number = $4, description = $5, website = $6, public_profile = $7,
                version = version + 1, updated_at = $8 WHERE id = $9",
        args![o.name.as_str(), sort_key(&o.name), o.kind.code(), o.org_number.as_ref().map(OrgNumber::as_str), o.description.as_deref(), o.website.as_deref(), o.public_profile, now_ms(), id],
    )?;
    set_municipalities(db, id, &o.municipalities)?;
    audit::record(db, v, Event::new("organisation.update").record("organisation", id).org(id).fields(&changed))?;
    get(db, v, id)
}

/// Deletes an organisation that has no members and convenes no forum.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    get(db, v, id)?;
    access::require(v, Action::DeleteOrganisation)?;
    let members: i64 = db.scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1", args![id])?;
    let convenes: i64 = db.scalar("SELECT COUNT(*) FROM forums WHERE convener_org_id = $1", args![id])?;
    if members > 0 || convenes > 0 {
        return Err(StoreError::invalid(FieldError::new(
            "organisation",
            "organisation.in_use",
            format!(
                "Organisationen har {members} medlemmar och sammankallar {convenes} forum. Ta bort medlemmarna och lämna över forumen först."
            ),
        )));
    }
    // A forum's action list keeps who was responsible (records stay with the forum).
    let actions: i64 = db.scalar("SELECT COUNT(*) FROM actions WHERE responsible_org_id = $1", args![id])?;
    if actions > 0 {
        return Err(StoreError::invalid(FieldError::new(
            "organisation",
            "organisation.responsible",
            format!("Organisationen är ansvarig för {actions} åtgärder i forumens åtgärdslistor, som sparas. Den kan inte tas bort."),
        )));
    }
    db.execute("DELETE FROM organisations WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("organisation.delete").record("organisation", id).org(id))?;
    Ok(())
}
