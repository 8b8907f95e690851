//! The register of ongoing interventions (pågående insatser): what (title, description,
//! method), who (the owner and its partners), where (municipalities, their areas, a point),
//! when (period, recurrence), for whom (target groups, ages), themes, funding, the owner's
//! contact, status, visibility and the discovery flag.
//!
//! **Who may read, write and be notified.**
//! - *Read*: [`sharing::intervention_readable`] — the ordinary sharing rule (owner; a forum's
//!   members when shared with it; anyone when public) and besides the partner organisations'
//!   users, as if it were shared with them. Reading another organisation's unshared
//!   intervention is "not found"; lists and counts leave it out.
//! - *Write*: the owner's users from member up ([`Permission::WriteIntervention`]); partners
//!   read but do not write. Every write is audited (`intervention.*`) for the owner and the
//!   partners, touches the search index and refreshes the overlap hints ([`super::overlap`]).
//! - *Notified*: nobody by e-mail; the owners of both interventions of an overlap see the hint
//!   on their hints page and in the API.
//!
//! **Where it may run.** Every municipality of an intervention must be served by its owner or
//! by one of its partners (an approved claim there, or a police organisation — the rule of
//! `plans::plan::may_be_party`): an association may run something in a neighbouring
//! municipality with a partner that works there. Areas must belong to one of the intervention's
//! municipalities; a point must lie inside one of them.

use std::collections::BTreeMap;

use brygga_domain::actors::{TARGET_GROUPS, THEMES, target_group_label, theme_label};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, words};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::kernel::sharing::{self, Visibility};
use crate::places::place::check_position;
use crate::plans::plan::{may_be_party, opt_date, req_date};
use crate::{Viewer, args, now_ms, sort_key};

pub const TITLE: TextRule = TextRule::line("title", "Insatsens namn", 200);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).multiline();
pub const METHOD: TextRule = TextRule::line("method", "Metoden", 2000).multiline().optional();
pub const FUNDER: TextRule = TextRule::line("funder", "Finansiären", 200).optional();
/// The owner's contact details for the intervention: a contact detail by nature.
pub const CONTACT: TextRule = TextRule::line("contact", "Kontaktuppgifterna", 300).contact_detail().optional();

/// (code, Swedish label) of how often an intervention recurs.
pub const RECURRENCES: &[(&str, &str)] = &[
    ("once", "Vid ett tillfälle"),
    ("weekly", "Varje vecka"),
    ("biweekly", "Varannan vecka"),
    ("monthly", "Varje månad"),
    ("holidays", "Under loven"),
    ("continuous", "Löpande"),
];

/// (code, Swedish label) of an intervention's status.
pub const STATUSES: &[(&str, &str)] = &[("planned", "Planerad"), ("ongoing", "Pågående"), ("ended", "Avslutad")];

fn label_of(list: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    list.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// The oldest age an intervention can name.
pub const MAX_AGE: i64 = 120;

/// What a form or API call sends to register or change an intervention.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InterventionInput {
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub method: Option<String>,
    /// A method of the library (`/api/v1/methods`) the intervention follows.
    #[serde(default)]
    pub method_id: Option<i64>,
    /// The owning organisation (one the viewer writes for); by default the viewer's first.
    /// Ignored when editing (the owner stays).
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    #[serde(default)]
    pub partner_org_ids: Vec<i64>,
    /// At least one, e.g. `1287`.
    #[serde(default)]
    pub municipality_codes: Vec<String>,
    /// Areas (places::areas) of those municipalities.
    #[serde(default)]
    pub area_ids: Vec<i64>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// `2026-09-01`.
    #[serde(default)]
    pub period_from: Option<String>,
    /// Empty: open-ended.
    #[serde(default)]
    pub period_to: Option<String>,
    /// A code of [`RECURRENCES`].
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub age_from: Option<i64>,
    #[serde(default)]
    pub age_to: Option<i64>,
    /// Codes of `domain::actors::THEMES`.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Codes of `domain::actors::TARGET_GROUPS`.
    #[serde(default)]
    pub target_groups: Vec<String>,
    #[serde(default)]
    pub funder: Option<String>,
    #[serde(default)]
    pub funding_from: Option<String>,
    #[serde(default)]
    pub funding_to: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    /// `planned`, `ongoing` (default) or `ended`.
    #[serde(default)]
    pub status: Option<String>,
    /// `organisation` (default), `forum` or `public`.
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub forum_id: Option<i64>,
    /// Others whose intervention overlaps may learn that this one exists and whom to contact.
    #[serde(default)]
    pub discoverable: bool,
}

/// A code and its Swedish label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coded {
    pub code: String,
    pub label: String,
}

/// An organisation by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
}

/// An area by id, name and municipality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaRef {
    pub id: i64,
    pub name: String,
    pub municipality_code: String,
}

/// One intervention.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Intervention {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub method: Option<String>,
    /// The library method it follows, if linked.
    pub method_id: Option<i64>,
    pub owner: OrgRef,
    pub partners: Vec<OrgRef>,
    /// Code and name of each municipality.
    pub municipalities: Vec<Coded>,
    pub areas: Vec<AreaRef>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub period_from: String,
    pub period_to: Option<String>,
    pub recurrence: Coded,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    pub themes: Vec<Coded>,
    pub target_groups: Vec<Coded>,
    pub funder: Option<String>,
    pub funding_from: Option<String>,
    pub funding_to: Option<String>,
    pub contact: Option<String>,
    pub status: Coded,
    pub discoverable: bool,
    /// `organisation`, `forum` or `public`.
    pub visibility: String,
    pub forum_id: Option<i64>,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Intervention {
    /// "13–16 år", "från 13 år", "upp till 16 år" or "alla åldrar".
    pub fn ages_label(&self) -> String {
        ages_label(self.age_from, self.age_to)
    }
    /// "2026-09-01 – 2026-12-18" or "från 2026-09-01".
    pub fn period_label(&self) -> String {
        match &self.period_to {
            Some(to) => format!("{} – {to}", self.period_from),
            None => format!("från {}", self.period_from),
        }
    }
    pub fn partner_ids(&self) -> Vec<i64> {
        self.partners.iter().map(|p| p.id).collect()
    }
    pub fn visibility(&self) -> Visibility {
        Visibility::from_columns(&self.visibility, self.forum_id).unwrap_or(Visibility::Organisation)
    }
}

/// Ages as Swedish text.
pub fn ages_label(from: Option<i64>, to: Option<i64>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{f}–{t} år"),
        (Some(f), None) => format!("från {f} år"),
        (None, Some(t)) => format!("upp till {t} år"),
        (None, None) => "alla åldrar".into(),
    }
}

fn coded(list: &[(&'static str, &'static str)], code: &str) -> Coded {
    Coded { code: code.to_owned(), label: label_of(list, code).unwrap_or(code).to_owned() }
}

fn codes(s: &str, label: fn(&str) -> Option<&'static str>) -> Vec<Coded> {
    s.split_whitespace().map(|c| Coded { code: c.to_owned(), label: label(c).unwrap_or(c).to_owned() }).collect()
}

const SELECT: &str =
    "SELECT i.id, i.title, i.description, i.method, i.method_id, i.owner_org_id, o.name AS owner_name, i.period_from, i.period_to,
        i.recurrence, i.age_from, i.age_to, i.themes, i.target_groups, i.funder, i.funding_from, i.funding_to, i.contact, i.lat, i.lon,
        i.status, i.discoverable, i.visibility, i.forum_id, i.version, i.created_at, i.updated_at
     FROM interventions i JOIN organisations o ON o.id = i.owner_org_id";

impl FromRow for Intervention {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let recurrence: String = r.get("recurrence")?;
        let status: String = r.get("status")?;
        Ok(Self {
            id: r.get("id")?,
            title: r.get("title")?,
            description: r.get("description")?,
            method: r.get("method")?,
            method_id: r.get("method_id")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            partners: Vec::new(),
            municipalities: Vec::new(),
            areas: Vec::new(),
            lat: r.get("lat")?,
            lon: r.get("lon")?,
            period_from: r.get("period_from")?,
            period_to: r.get("period_to")?,
            recurrence: coded(RECURRENCES, &recurrence),
            age_from: r.get("age_from")?,
            age_to: r.get("age_to")?,
            themes: codes(&r.get::<String>("themes")?, theme_label),
            target_groups: codes(&r.get::<String>("target_groups")?, target_group_label),
            funder: r.get("funder")?,
            funding_from: r.get("funding_from")?,
            funding_to: r.get("funding_to")?,
            contact: r.get("contact")?,
            status: coded(STATUSES, &status),
            discoverable: r.get("discoverable")?,
            visibility: r.get("visibility")?,
            forum_id: r.get("forum_id")?,
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// Fills partners, municipalities and areas of `list` (three queries for the whole list).
fn complete(db: &mut dyn Conn, list: &mut [Intervention]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|i| i.id).collect();
    let d = db.dialect();
    let mut partners: BTreeMap<i64, Vec<(String, OrgRef)>> = BTreeMap::new();
    for (iid, org) in db.map_all(
        &format!(
            "SELECT ip.intervention_id, o.id, o.name FROM intervention_partners ip JOIN organisations o ON o.id = ip.org_id WHERE {}",
            d.in_list("ip.intervention_id", 1)
        ),
        &[Value::IntList(ids.clone())],
        |r| Ok((r.get::<i64>("intervention_id")?, OrgRef { id: r.get("id")?, name: r.get("name")? })),
    )? {
        partners.entry(iid).or_default().push((sort_key(&org.name), org));
    }
    let mut munis: BTreeMap<i64, Vec<Coded>> = BTreeMap::new();
    for (iid, m) in db.map_all(
        &format!(
            "SELECT im.intervention_id, m.code, m.name FROM intervention_municipalities im JOIN municipalities m ON m.code = im.municipality_code
             WHERE {} ORDER BY m.code",
            d.in_list("im.intervention_id", 1)
        ),
        &[Value::IntList(ids.clone())],
        |r| Ok((r.get::<i64>("intervention_id")?, Coded { code: r.get("code")?, label: r.get("name")? })),
    )? {
        munis.entry(iid).or_default().push(m);
    }
    let mut areas: BTreeMap<i64, Vec<(String, AreaRef)>> = BTreeMap::new();
    for (iid, a) in db.map_all(
        &format!(
            "SELECT ia.intervention_id, a.id, a.name, a.municipality_code FROM intervention_areas ia JOIN areas a ON a.id = ia.area_id WHERE {}",
            d.in_list("ia.intervention_id", 1)
        ),
        &[Value::IntList(ids)],
        |r| {
            Ok((r.get::<i64>("intervention_id")?, AreaRef { id: r.get("id")?, name: r.get("name")?, municipality_code: r.get("municipality_code")? }))
        },
    )? {
        areas.entry(iid).or_default().push((sort_key(&a.name), a));
    }
    for i in list.iter_mut() {
        let mut p = partners.remove(&i.id).unwrap_or_default();
        p.sort_by(|a, b| a.0.cmp(&b.0));
        i.partners = p.into_iter().map(|(_, o)| o).collect();
        i.municipalities = munis.remove(&i.id).unwrap_or_default();
        let mut a = areas.remove(&i.id).unwrap_or_default();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        i.areas = a.into_iter().map(|(_, a)| a).collect();
    }
    Ok(())
}

/// Without the read check (overlap hints, the search document, after a write).
pub(crate) fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Intervention> {
    let mut one: Vec<Intervention> = db.all(&format!("{SELECT} WHERE i.id = $1"), args![id])?;
    if one.is_empty() {
        return Err(StoreError::not_found("intervention"));
    }
    complete(db, &mut one)?;
    Ok(one.remove(0))
}

/// The intervention, if the viewer may read it (otherwise not found).
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Intervention> {
    let i = fetch(db, id)?;
    if sharing::can_read_intervention(v, i.owner.id, &i.partner_ids(), i.visibility()) {
        Ok(i)
    } else {
        Err(StoreError::not_found("intervention"))
    }
}

/// Which interventions a list shows (all readable ones when empty).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct ListFilter {
    /// Only those running in this municipality (`1287`).
    #[serde(default)]
    pub municipality: Option<String>,
    /// Only those naming this area.
    #[serde(default)]
    pub area_id: Option<i64>,
    /// Only those owned by this organisation.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// Leave out ended ones.
    #[serde(default)]
    pub current: bool,
    /// Only those following this library method.
    #[serde(default)]
    pub method_id: Option<i64>,
}

/// The interventions the viewer may read, by Swedish title order.
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &ListFilter) -> StoreResult<Vec<Intervention>> {
    let d = db.dialect();
    let [orgs, forums] = sharing::readable_args(v);
    let mut sql = format!("{SELECT} WHERE {}", sharing::intervention_readable(d, "i", 1));
    let mut a = vec![orgs, forums];
    if let Some(m) = f.municipality.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        a.push(m.into());
        sql += &format!(
            " AND EXISTS (SELECT 1 FROM intervention_municipalities im WHERE im.intervention_id = i.id AND im.municipality_code = ${})",
            a.len()
        );
    }
    if let Some(area) = f.area_id {
        a.push(area.into());
        sql += &format!(" AND EXISTS (SELECT 1 FROM intervention_areas ia WHERE ia.intervention_id = i.id AND ia.area_id = ${})", a.len());
    }
    if let Some(o) = f.owner_org_id {
        a.push(o.into());
        sql += &format!(" AND i.owner_org_id = ${}", a.len());
    }
    if f.current {
        sql += " AND i.status <> 'ended'";
    }
    if let Some(m) = f.method_id {
        a.push(m.into());
        sql += &format!(" AND i.method_id = ${}", a.len());
    }
    let mut list: Vec<Intervention> = db.all(&sql, &a)?;
    list.sort_by_cached_key(|i| (sort_key(&i.title), i.id));
    complete(db, &mut list)?;
    Ok(list)
}

/// A checked input, ready to write.
#[derive(Debug, Clone)]
pub struct ValidIntervention {
    pub title: String,
    pub description: String,
    pub method: Option<String>,
    pub method_id: Option<i64>,
    pub owner_org_id: i64,
    pub partners: Vec<i64>,
    pub municipalities: Vec<String>,
    pub areas: Vec<i64>,
    pub position: Option<(f64, f64)>,
    pub period_from: Date,
    pub period_to: Option<Date>,
    pub recurrence: String,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    pub themes: Vec<String>,
    pub target_groups: Vec<String>,
    pub funder: Option<String>,
    pub funding_from: Option<Date>,
    pub funding_to: Option<Date>,
    pub contact: Option<String>,
    pub status: String,
    pub visibility: Visibility,
    pub discoverable: bool,
    /// The Swedish stems of title and description, sorted and deduplicated.
    pub terms: Vec<String>,
}

fn code_list(errs: &mut FieldErrors, field: &str, input: &[String], list: &[(&str, &str)], what: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in input.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if list.iter().any(|(k, _)| *k == c) {
            if !out.iter().any(|o| o == c) {
                out.push(c.to_owned());
            }
        } else {
            let known: Vec<&str> = list.iter().map(|(k, _)| *k).collect();
            errs.push(FieldError::new(field, "actors.unknown_code", format!("”{c}” är inte {what}. Välj bland: {}.", known.join(", "))));
            return out;
        }
    }
    out
}

fn age(errs: &mut FieldErrors, field: &str, a: Option<i64>) -> Option<i64> {
    match a {
        Some(n) if !(0..=MAX_AGE).contains(&n) => {
            errs.push(FieldError::new(
                field,
                "actors.age_range",
                format!("Åldern {n} går inte att använda. Ange en ålder mellan 0 och {MAX_AGE}."),
            ));
            None
        }
        other => other,
    }
}

/// Checks an input and reports every problem at once. `before`: the stored intervention when
/// editing (its owner stays).
pub fn prepare(db: &mut dyn Conn, v: &Viewer, input: &InterventionInput, before: Option<&Intervention>) -> StoreResult<ValidIntervention> {
    let mut errs = FieldErrors::new();
    let owner = match (before, input.owner_org_id) {
        (Some(b), _) => b.owner.id,
        (None, Some(o)) => o,
        (None, None) => {
            v.org_ids().into_iter().find(|o| allowed(v, Permission::WriteIntervention { org: *o })).ok_or(StoreError::Forbidden)?
        }
    };
    if !allowed(v, Permission::WriteIntervention { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, Some(&input.description));
    let method = clean_text(&mut errs, &METHOD, input.method.as_deref());
    if let Some(m) = input.method_id
        && !crate::knowledge::methods::exists(db, m)?
    {
        errs.push(crate::knowledge::methods::unknown_method("method_id"));
    }
    let funder = clean_text(&mut errs, &FUNDER, input.funder.as_deref());
    let contact = clean_text(&mut errs, &CONTACT, input.contact.as_deref());

    // Partners: existing organisations other than the owner.
    let mut partners: Vec<i64> = Vec::new();
    for p in &input.partner_org_ids {
        if *p != owner && !partners.contains(p) {
            partners.push(*p);
        }
    }
    if !partners.is_empty() {
        let found: i64 = db.scalar(
            &format!("SELECT COUNT(*) FROM organisations WHERE {}", db.dialect().in_list("id", 1)),
            &[Value::IntList(partners.clone())],
        )?;
        if found != partners.len() as i64 {
            errs.push(FieldError::new(
                "partner_org_ids",
                "actors.unknown_org",
                "En av samarbetsparterna finns inte. Välj parter ur listan.",
            ));
        }
    }

    // Municipalities: known, and served by the owner or a partner.
    let mut municipalities: Vec<String> = Vec::new();
    for c in input.municipality_codes.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !municipalities.iter().any(|m| m == c) {
            municipalities.push(c.to_owned());
        }
    }
    if municipalities.is_empty() {
        errs.push(FieldError::new("municipality_codes", "required", "Välj minst en kommun där insatsen genomförs."));
    }
    for m in &municipalities {
        let known: i64 = db.scalar("SELECT COUNT(*) FROM municipalities WHERE code = $1", args![m.as_str()])?;
        if known == 0 {
            errs.push(FieldError::new(
                "municipality_codes",
                "actors.unknown_municipality",
                format!("Kommunkoden {m} finns inte. Välj en kommun ur listan."),
            ));
            break;
        }
        let mut served = may_be_party(db, owner, m)?;
        for p in &partners {
            served = served || may_be_party(db, *p, m)?;
        }
        if !served {
            let name: String = db.scalar("SELECT name FROM municipalities WHERE code = $1", args![m.as_str()])?;
            errs.push(FieldError::new(
                "municipality_codes",
                "actors.municipality_not_served",
                format!(
                    "Varken er organisation eller någon samarbetspart har ett godkänt anspråk i {name}. Välj en kommun där ni verkar, eller lägg till en samarbetspart som verkar där."
                ),
            ));
            break;
        }
    }

    // Areas: of one of the municipalities, and not archived.
    let mut areas: Vec<i64> = Vec::new();
    for a in &input.area_ids {
        if areas.contains(a) {
            continue;
        }
        let row = db.map_opt("SELECT name, municipality_code, archived_at FROM areas WHERE id = $1", args![*a], |r| {
            Ok((r.get::<String>("name")?, r.get::<String>("municipality_code")?, r.get::<Option<i64>>("archived_at")?))
        })?;
        match row {
            None => {
                errs.push(FieldError::new("area_ids", "actors.unknown_area", "Ett av områdena finns inte. Välj områden ur listan."));
                break;
            }
            Some((name, m, _)) if !municipalities.contains(&m) => {
                errs.push(FieldError::new(
                    "area_ids",
                    "actors.area_elsewhere",
                    format!("Området ”{name}” ligger i en annan kommun än insatsens. Välj ett område i insatsens kommuner, eller lägg till kommunen."),
                ));
                break;
            }
            Some((name, _, Some(_))) if !before.is_some_and(|b| b.areas.iter().any(|x| x.id == *a)) => {
                errs.push(FieldError::new("area_ids", "area.archived", format!("Området ”{name}” är arkiverat. Välj ett annat område.")));
                break;
            }
            Some(_) => areas.push(*a),
        }
    }
    let position = if input.lat.is_some() || input.lon.is_some() {
        let one = if municipalities.len() == 1 { municipalities.first().map(String::as_str) } else { None };
        check_position(&mut errs, input.lat, input.lon, one)
    } else {
        None
    };

    let from = req_date(&mut errs, "period_from", input.period_from.as_deref(), "när insatsen börjar");
    let to = opt_date(&mut errs, "period_to", input.period_to.as_deref());
    if let (Some(f), Some(Some(t))) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "period_to",
            "actors.period_order",
            format!("Insatsen slutar ({t}) innan den börjar ({f}). Välj ett slutdatum efter startdatumet, eller lämna det tomt om insatsen löper tills vidare."),
        ));
    }
    let recurrence = match input.recurrence.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some("weekly".to_owned()),
        Some(r) if label_of(RECURRENCES, r).is_some() => Some(r.to_owned()),
        Some(r) => {
            errs.push(FieldError::new(
                "recurrence",
                "actors.unknown_code",
                format!(
                    "”{r}” är ingen känd återkomst. Välj bland: {}.",
                    RECURRENCES.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
                ),
            ));
            None
        }
    };
    let age_from = age(&mut errs, "age_from", input.age_from);
    let age_to = age(&mut errs, "age_to", input.age_to);
    if let (Some(f), Some(t)) = (age_from, age_to)
        && f > t
    {
        errs.push(FieldError::new(
            "age_to",
            "actors.age_order",
            format!("Åldern ”till” ({t}) är lägre än åldern ”från” ({f}). Byt plats på dem eller rätta den ena."),
        ));
    }
    let themes = code_list(&mut errs, "themes", &input.themes, THEMES, "ett känt tema");
    let target_groups = code_list(&mut errs, "target_groups", &input.target_groups, TARGET_GROUPS, "en känd målgrupp");
    let funding_from = opt_date(&mut errs, "funding_from", input.funding_from.as_deref());
    let funding_to = opt_date(&mut errs, "funding_to", input.funding_to.as_deref());
    if let (Some(Some(f)), Some(Some(t))) = (funding_from, funding_to)
        && t < f
    {
        errs.push(FieldError::new(
            "funding_to",
            "actors.funding_order",
            format!("Finansieringen slutar ({t}) innan den börjar ({f}). Rätta perioden så att slutet kommer efter början."),
        ));
    }
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some("ongoing".to_owned()),
        Some(s) if label_of(STATUSES, s).is_some() => Some(s.to_owned()),
        Some(s) => {
            errs.push(FieldError::new(
                "status",
                "actors.unknown_code",
                format!("”{s}” är ingen status. Välj planerad (planned), pågående (ongoing) eller avslutad (ended)."),
            ));
            None
        }
    };
    let visibility = match input.visibility.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Visibility::Organisation),
        Some(kind) => sharing::choose(db, &mut errs, kind, input.forum_id, owner, "insatsen")?,
    };
    errs.into_result()?;
    let title = title.flatten().expect("checked");
    let description = description.flatten().expect("checked");
    let terms = words::term_set(&format!("{title}\n{description}"));
    Ok(ValidIntervention {
        title,
        description,
        method: method.expect("checked"),
        method_id: input.method_id,
        owner_org_id: owner,
        partners,
        municipalities,
        areas,
        position,
        period_from: from.expect("checked"),
        period_to: to.expect("checked"),
        recurrence: recurrence.expect("checked"),
        age_from,
        age_to,
        themes,
        target_groups,
        funder: funder.expect("checked"),
        funding_from: funding_from.expect("checked"),
        funding_to: funding_to.expect("checked"),
        contact: contact.expect("checked"),
        status: status.expect("checked"),
        visibility: visibility.expect("checked"),
        discoverable: input.discoverable,
        terms,
    })
}

fn write_children(db: &mut dyn Conn, id: i64, p: &ValidIntervention) -> StoreResult<()> {
    for t in ["intervention_partners", "intervention_municipalities", "intervention_areas"] {
        db.execute(&format!("DELETE FROM {t} WHERE intervention_id = $1"), args![id])?;
    }
    for o in &p.partners {
        db.execute("INSERT INTO intervention_partners (intervention_id, org_id) VALUES ($1, $2)", args![id, *o])?;
    }
    for m in &p.municipalities {
        db.execute("INSERT INTO intervention_municipalities (intervention_id, municipality_code) VALUES ($1, $2)", args![id, m.as_str()])?;
    }
    for a in &p.areas {
        db.execute("INSERT INTO intervention_areas (intervention_id, area_id) VALUES ($1, $2)", args![id, *a])?;
    }
    Ok(())
}

/// Writes a checked intervention as a new record, without audit, index or overlap refresh (the
/// generator uses it for 100,000 rows; [`create`] does all of it).
pub fn insert(db: &mut dyn Conn, created_by: Option<i64>, p: &ValidIntervention) -> StoreResult<i64> {
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO interventions (title, description, method, owner_org_id, period_from, period_to, recurrence, age_from, age_to, themes,
            target_groups, terms, funder, funding_from, funding_to, contact, lat, lon, status, discoverable, visibility, forum_id,
            created_by_user_id, version, created_at, updated_at, method_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 1, $24, $24, $25) RETURNING id",
        args![
            p.title.as_str(),
            p.description.as_str(),
            p.method.as_deref(),
            p.owner_org_id,
            p.period_from.to_string(),
            p.period_to.map(|d| d.to_string()),
            p.recurrence.as_str(),
            p.age_from,
            p.age_to,
            p.themes.join(" "),
            p.target_groups.join(" "),
            p.terms.join(" "),
            p.funder.as_deref(),
            p.funding_from.map(|d| d.to_string()),
            p.funding_to.map(|d| d.to_string()),
            p.contact.as_deref(),
            p.position.map(|x| x.0),
            p.position.map(|x| x.1),
            p.status.as_str(),
            p.discoverable,
            p.visibility.kind().code(),
            p.visibility.forum_id(),
            created_by,
            now,
            p.method_id
        ],
    )?;
    write_children(db, id, p)?;
    Ok(id)
}

/// Registers an intervention owned by `input.owner_org_id` (or the viewer's first organisation
/// it writes for) and refreshes its overlap hints.
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &InterventionInput) -> StoreResult<Intervention> {
    let p = prepare(db, v, input, None)?;
    let id = insert(db, v.user_id(), &p)?;
    super::overlap::refresh(db, id)?;
    index::touch(db, "intervention", id)?;
    let mut orgs = vec![p.owner_org_id];
    orgs.extend(&p.partners);
    audit::record(db, v, Event::new("intervention.create").record("intervention", id).orgs(&orgs))?;
    fetch(db, id)
}

/// Loads an intervention the viewer may write (its owner's users); one it may read but not
/// write is forbidden, one it may not read is not found.
fn load_for_write(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Intervention> {
    let i = get(db, v, id)?;
    if allowed(v, Permission::WriteIntervention { org: i.owner.id }) { Ok(i) } else { Err(StoreError::Forbidden) }
}

/// Changes an intervention (the owner's users) and refreshes its overlap hints. A stale
/// `version` is a conflict.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &InterventionInput) -> StoreResult<Intervention> {
    let before = load_for_write(db, v, id)?;
    let p = prepare(db, v, input, Some(&before))?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE interventions SET title = $1, description = $2, method = $3, period_from = $4, period_to = $5, recurrence = $6, age_from = $7,
            age_to = $8, themes = $9, target_groups = $10, terms = $11, funder = $12, funding_from = $13, funding_to = $14, contact = $15,
            lat = $16, lon = $17, status = $18, discoverable = $19, visibility = $20, forum_id = $21, version = version + 1, updated_at = $22,
            method_id = $24
         WHERE id = $23",
        args![
            p.title.as_str(),
            p.description.as_str(),
            p.method.as_deref(),
            p.period_from.to_string(),
            p.period_to.map(|d| d.to_string()),
            p.recurrence.as_str(),
            p.age_from,
            p.age_to,
            p.themes.join(" "),
            p.target_groups.join(" "),
            p.terms.join(" "),
            p.funder.as_deref(),
            p.funding_from.map(|d| d.to_string()),
            p.funding_to.map(|d| d.to_string()),
            p.contact.as_deref(),
            p.position.map(|x| x.0),
            p.position.map(|x| x.1),
            p.status.as_str(),
            p.discoverable,
            p.visibility.kind().code(),
            p.visibility.forum_id(),
            now_ms(),
            id,
            p.method_id
        ],
    )?;
    write_children(db, id, &p)?;
    super::overlap::refresh(db, id)?;
    index::touch(db, "intervention", id)?;
    let mut orgs = vec![before.owner.id];
    orgs.extend(before.partner_ids());
    orgs.extend(&p.partners);
    audit::record(db, v, Event::new("intervention.update").record("intervention", id).orgs(&orgs))?;
    fetch(db, id)
}

/// Deletes an intervention (the owner's users); its hints go with it.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = load_for_write(db, v, id)?;
    db.execute("DELETE FROM interventions WHERE id = $1", args![id])?;
    index::touch(db, "intervention", id)?;
    let mut orgs = vec![before.owner.id];
    orgs.extend(before.partner_ids());
    audit::record(db, v, Event::new("intervention.delete").record("intervention", id).orgs(&orgs))?;
    Ok(())
}

/// The search document of an intervention (None when it is gone): title; description, method,
/// themes, target groups, areas and owner as body; read by the owner, the forum or everyone
/// as shared, and by the partners.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let i = match fetch(db, id) {
        Ok(i) => i,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut readers = Reader::of_shared(i.owner.id, i.visibility());
    if !readers.contains(&Reader::Public) {
        readers.extend(i.partners.iter().map(|p| Reader::Org(p.id)));
    }
    let mut body = vec![i.description.clone()];
    body.extend(i.method.clone());
    body.extend(i.themes.iter().map(|t| t.label.clone()));
    body.extend(i.target_groups.iter().map(|t| t.label.clone()));
    body.extend(i.areas.iter().map(|a| a.name.clone()));
    body.push(i.owner.name.clone());
    Ok(Some(Document {
        kind: "intervention",
        id,
        title: i.title.clone(),
        body: body.join("\n"),
        municipalities: i.municipalities.iter().map(|m| m.code.clone()).collect(),
        path: format!("/insatser/{id}"),
        readers,
        updated_at_ms: i.updated_at_ms,
    }))
}

/// The organisations the viewer may register interventions for (choices), by Swedish name.
pub fn owner_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<OrgRef>> {
    let ids: Vec<i64> = v.org_ids().into_iter().filter(|o| allowed(v, Permission::WriteIntervention { org: *o })).collect();
    let mut list =
        db.map_all(&format!("SELECT id, name FROM organisations WHERE {}", db.dialect().in_list("id", 1)), &[Value::IntList(ids)], |r| {
            Ok(OrgRef { id: r.get("id")?, name: r.get("name")? })
        })?;
    list.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(list)
}

/// The name of a municipality (`1287` → "Trelleborg"), for the helhetsbild's heading.
pub fn municipality_name(db: &mut dyn Conn, code: &str) -> StoreResult<Option<String>> {
    Ok(db.scalar_opt("SELECT name FROM municipalities WHERE code = $1", args![code])?)
}
