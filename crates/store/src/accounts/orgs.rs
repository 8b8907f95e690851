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

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sql::Query;
use crate::{Action, Page, Viewer, args, kernel::access, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).optional().multiline();
pub const WEBSITE: TextRule = TextRule::line("website", "Webbadressen", 300).optional().contact_detail();

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "municipality"))]
    pub kind: OrgKind,
    /// `NNNNNN-NNNN`.
    pub org_number: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    /// Visible to people who are not signed in.
    pub public_profile: bool,
    /// Municipality codes (4 digits) the organisation works in: its approved claims.
    pub municipalities: Vec<String>,
    /// Claims awaiting approval by the municipality's organisation (or a system
    /// administrator); they grant nothing yet.
    pub pending_municipalities: Vec<String>,
    /// Increases with every change; send it back when updating.
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl FromRow for Organisation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let codes = |name: &str| -> Result<Vec<String>, DbError> {
            let munis: Option<String> = r.get(name)?;
            let mut m: Vec<String> = munis.map(|m| m.split(',').map(str::to_owned).collect()).unwrap_or_default();
            m.sort();
            Ok(m)
        };
        let municipalities = codes("municipalities")?;
        let pending_municipalities = codes("pending_municipalities")?;
        Ok(Self {
            id: r.get("id")?,
            name: r.get("name")?,
            kind: OrgKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("org kind {kind}")))?,
            org_number: r.get("org_number")?,
            description: r.get("description")?,
            website: r.get("website")?,
            public_profile: r.get("public_profile")?,
            municipalities,
            pending_municipalities,
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// The SELECT that [`Organisation::from_row`] decodes, by the names given here.
fn select(db: &dyn Conn) -> String {
    format!(
        "SELECT o.id, o.name, o.kind, o.org_number, o.description, o.website, o.public_profile,
                (SELECT {agg} FROM organisation_municipalities om WHERE om.org_id = o.id AND om.status = 'approved') AS municipalities,
                o.version, o.created_at, o.updated_at,
                (SELECT {agg} FROM organisation_municipalities om WHERE om.org_id = o.id AND om.status = 'pending') AS pending_municipalities
         FROM organisations o",
        agg = db.dialect().string_agg("om.municipality_code")
    )
}

/// What a form or an API call sends; every field as received, validated by [`OrganisationInput::validate`].
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Four-digit municipality codes, e.g. `["1287"]`: every municipality the organisation
    /// works in or claims. A new claim is pending until the municipality's organisation (or a
    /// system administrator) approves it; leaving a code out withdraws the claim.
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
            municipalities: {
                let mut all: Vec<String> = o.municipalities.iter().chain(&o.pending_municipalities).cloned().collect();
                all.sort();
                all
            },
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
        q.push(
            " AND o.id IN (SELECT org_id FROM organisation_municipalities WHERE municipality_code = ? AND status = 'approved')",
            [m.as_str().into()],
        );
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

/// Every organisation the viewer may see: all pages of [`list`] (for pickers and filters).
pub fn all(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Organisation>> {
    let mut f = Filter { limit: Some(MAX_LIMIT), ..Default::default() };
    let mut all = Vec::new();
    loop {
        let page = list(db, v, &f)?;
        all.extend(page.items);
        match page.next {
            Some(n) => f.after = Some(n),
            None => return Ok(all),
        }
    }
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
    let taken: Option<String> =
        db.scalar_opt("SELECT name FROM organisations WHERE name_key = $1 AND id <> $2", args![sort_key(&o.name), except])?;
    if let Some(existing) = taken {
        errs.push(FieldError::new(
            "name",
            "name.taken",
            format!("Det finns redan en organisation som heter ”{existing}”. Välj ett annat namn, eller använd den befintliga."),
        ));
    }
    if let Some(n) = &o.org_number {
        let taken: Option<String> =
            db.scalar_opt("SELECT name FROM organisations WHERE org_number = $1 AND id <> $2", args![n.as_str(), except])?;
        if let Some(existing) = taken {
            errs.push(FieldError::new("org_number", "org_number.taken", format!("Organisationsnumret {n} används redan av ”{existing}”.")));
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

/// Whether a new claim is approved at once: only when a system administrator (or the system
/// itself: the command line, the demo) makes it. Every other claim waits for the municipality's
/// organisation ([`decide_claim`]) — an organisation of kind Municipality included, or its
/// coordinator could take over a municipality nobody has claimed yet and decide all claims there.
fn approved_at_once(v: &Viewer) -> bool {
    v.is_system_admin()
}

/// The municipality-kind organisations with an approved claim on `code`: who decides claims
/// there, and who is told about changes to its places.
pub fn stewards(db: &mut dyn Conn, code: &str) -> StoreResult<Vec<i64>> {
    Ok(db.scalars(
        "SELECT o.id FROM organisations o JOIN organisation_municipalities om ON om.org_id = o.id
         WHERE om.municipality_code = $1 AND om.status = 'approved' AND o.kind = 'municipality' ORDER BY o.id",
        args![code],
    )?)
}

/// Makes `codes` the organisation's claims: codes left out are withdrawn, new ones are
/// claimed (approved at once or pending, see [`approved_at_once`]), kept ones keep their status.
/// Each new claim is audit-logged naming the claiming organisation and the municipality's.
fn set_municipalities(db: &mut dyn Conn, v: &Viewer, org_id: i64, codes: &[MunicipalityCode]) -> StoreResult<()> {
    let existing: Vec<String> = db.scalars("SELECT municipality_code FROM organisation_municipalities WHERE org_id = $1", args![org_id])?;
    for old in &existing {
        if !codes.iter().any(|c| c.as_str() == old) {
            db.execute(
                "DELETE FROM organisation_municipalities WHERE org_id = $1 AND municipality_code = $2",
                args![org_id, old.as_str()],
            )?;
        }
    }
    let now = now_ms();
    for c in codes.iter().filter(|c| !existing.iter().any(|e| e == c.as_str())) {
        let stewards = stewards(db, c.as_str())?;
        let approved = approved_at_once(v);
        db.execute(
            "INSERT INTO organisation_municipalities (org_id, municipality_code, status, requested_at, approved_by, approved_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            args![
                org_id,
                c.as_str(),
                if approved { "approved" } else { "pending" },
                now,
                if approved { v.user_id() } else { None },
                approved.then_some(now)
            ],
        )?;
        let e = Event::new("organisation.claim").record("organisation", org_id).org(org_id).orgs(&stewards);
        audit::record(db, v, e.fields(if approved { &["municipality", "approved"] } else { &["municipality", "pending"] }))?;
    }
    Ok(())
}

/// A claim to work in a municipality, as the municipality's organisation sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    pub org_id: i64,
    pub org_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "civil_society"))]
    pub org_kind: OrgKind,
    pub municipality_code: String,
    /// `pending` or `approved`.
    pub status: String,
    pub requested_at_ms: Option<i64>,
    pub approved_at_ms: Option<i64>,
}

impl FromRow for Claim {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("org_kind")?;
        Ok(Self {
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            org_kind: OrgKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("org kind {kind}")))?,
            municipality_code: r.get("municipality_code")?,
            status: r.get("status")?,
            requested_at_ms: r.get("requested_at")?,
            approved_at_ms: r.get("approved_at")?,
        })
    }
}

/// The municipalities whose claims the viewer decides: for a coordinator or administrator of an
/// organisation of kind Municipality, its approved municipalities; `None` for a system
/// administrator (all of them).
fn decides(v: &Viewer) -> Option<Vec<String>> {
    if v.is_system_admin() {
        return None;
    }
    let mut codes: Vec<String> = v
        .memberships()
        .iter()
        .filter(|m| m.org_kind == OrgKind::Municipality && m.role <= brygga_domain::Role::Coordinator)
        .flat_map(|m| m.municipalities.iter().cloned())
        .collect();
    codes.sort();
    codes.dedup();
    Some(codes)
}

/// Pending claims in the municipalities the viewer decides (empty for everyone else), oldest first.
pub fn pending_claims(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Claim>> {
    let mut q = Query::new(
        "SELECT o.id AS org_id, o.name AS org_name, o.kind AS org_kind, om.municipality_code, om.status, om.requested_at, om.approved_at
         FROM organisation_municipalities om JOIN organisations o ON o.id = om.org_id WHERE om.status = 'pending'",
    );
    match decides(v) {
        None => {}
        Some(codes) if codes.is_empty() => return Ok(vec![]),
        Some(codes) => {
            let marks = vec!["?"; codes.len()].join(", ");
            q.push(&format!(" AND om.municipality_code IN ({marks})"), codes.into_iter().map(Into::into));
        }
    }
    q.raw(" ORDER BY om.requested_at, o.id, om.municipality_code");
    Ok(db.all(&q.sql, &q.params)?)
}

/// Approves (`approve = true`) or rejects a pending claim of `org_id` to work in `code`. Only
/// a coordinator or administrator of an organisation of kind Municipality whose own approved
/// claim covers `code`, or a system administrator, decides; a rejected claim is removed (the
/// organisation may ask again). Audit-logged for the claiming and the deciding organisations.
pub fn decide_claim(db: &mut dyn Conn, v: &Viewer, org_id: i64, code: &str, approve: bool) -> StoreResult<Claim> {
    access::require(v, Action::DecideClaim { municipality: MunicipalityCode::parse(code).map_err(|_| StoreError::not_found("claim"))? })?;
    let status: Option<String> =
        db.scalar_opt("SELECT status FROM organisation_municipalities WHERE org_id = $1 AND municipality_code = $2", args![org_id, code])?;
    match status {
        None => return Err(StoreError::not_found("claim")),
        Some(s) if s != "pending" => {
            return Err(StoreError::invalid(FieldError::new(
                "status",
                "claim.decided",
                "Anspråket är redan godkänt. Organisationen kan själv ta bort kommunen ur sin profil.",
            )));
        }
        Some(_) => {}
    }
    let deciders: Vec<i64> = v
        .memberships()
        .iter()
        .filter(|m| m.org_kind == OrgKind::Municipality && m.municipalities.iter().any(|c| c == code))
        .map(|m| m.org_id)
        .collect();
    let now = now_ms();
    if approve {
        db.execute(
            "UPDATE organisation_municipalities SET status = 'approved', approved_by = $1, approved_at = $2 WHERE org_id = $3 AND municipality_code = $4",
            args![v.user_id(), now, org_id, code],
        )?;
    } else {
        db.execute("DELETE FROM organisation_municipalities WHERE org_id = $1 AND municipality_code = $2", args![org_id, code])?;
    }
    let action = if approve { "organisation.claim_approve" } else { "organisation.claim_reject" };
    audit::record(db, v, Event::new(action).record("organisation", org_id).org(org_id).orgs(&deciders))?;
    crate::kernel::index::touch(db, "organisation", org_id)?;
    db.execute("UPDATE organisations SET version = version + 1, updated_at = $1 WHERE id = $2", args![now, org_id])?;
    let (org_name, kind): (String, String) =
        db.map_one("SELECT name, kind FROM organisations WHERE id = $1", args![org_id], |r| Ok((r.get("name")?, r.get("kind")?)))?;
    Ok(Claim {
        org_id,
        org_name,
        org_kind: OrgKind::from_code(&kind).unwrap_or(OrgKind::Other),
        municipality_code: code.to_owned(),
        status: if approve { "approved" } else { "rejected" }.into(),
        requested_at_ms: None,
        approved_at_ms: approve.then_some(now),
    })
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
    set_municipalities(db, v, id, &o.municipalities)?;
    audit::record(db, v, Event::new("organisation.create").record("organisation", id).org(id))?;
    crate::kernel::index::touch(db, "organisation", id)?;
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
    let claimed: Vec<String> = OrganisationInput::from(&before).municipalities;
    // The kind decides who approves claims (a municipality's organisation): only a system
    // administrator changes it.
    if before.kind != o.kind && !v.is_system_admin() {
        return Err(StoreError::invalid(FieldError::new(
            "kind",
            "kind.locked",
            "Typen av organisation kan bara ändras av en systemadministratör. Kontakta den som driver Brygga.",
        )));
    }
    for (field, differs) in [
        ("name", before.name != o.name),
        ("kind", before.kind != o.kind),
        ("org_number", before.org_number.as_deref() != o.org_number.as_ref().map(OrgNumber::as_str)),
        ("description", before.description != o.description),
        ("website", before.website != o.website),
        ("public_profile", before.public_profile != o.public_profile),
        ("municipalities", claimed != codes),
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
    set_municipalities(db, v, id, &o.municipalities)?;
    audit::record(db, v, Event::new("organisation.update").record("organisation", id).org(id).fields(&changed))?;
    crate::kernel::index::touch(db, "organisation", id)?;
    if before.public_profile != o.public_profile {
        touch_offers(db, id)?;
    }
    get(db, v, id)
}

/// Publishing or withdrawing a profile changes who reads the organisation's directory offers
/// (`actors::offers`, whose read rule includes `public_profile`): the search index re-reads them.
/// (The offers table is the directory's; this folder only names it to touch the index.)
pub(crate) fn touch_offers(db: &mut dyn Conn, org_id: i64) -> StoreResult<()> {
    let ids: Vec<i64> = db.scalars("SELECT id FROM offers WHERE org_id = $1", args![org_id])?;
    for offer in ids {
        crate::kernel::index::touch(db, "offer", offer)?;
    }
    Ok(())
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
    // Its documents go (and it leaves others' parties): the search index catches up, so no
    // entry keeps a reader key of an organisation that is gone.
    crate::kernel::index::touch(db, "organisation", id)?;
    for (kind, sql) in [
        ("offer", "SELECT id FROM offers WHERE org_id = $1"),
        ("intervention", "SELECT id FROM interventions WHERE owner_org_id = $1"),
        ("intervention", "SELECT intervention_id FROM intervention_partners WHERE org_id = $1"),
        ("plan", "SELECT plan_id FROM plan_parties WHERE org_id = $1"),
        ("situation", "SELECT situation_id FROM situation_parties WHERE org_id = $1"),
        ("place", "SELECT id FROM areas WHERE owner_org_id = $1"),
    ] {
        for record in db.scalars::<i64>(sql, args![id])? {
            crate::kernel::index::touch(db, kind, record)?;
        }
    }
    db.execute("DELETE FROM organisations WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("organisation.delete").record("organisation", id).org(id))?;
    crate::kernel::index::touch(db, "organisation", id)?;
    Ok(())
}
