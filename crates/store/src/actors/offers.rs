//! Offers (aktiviteter och erbjudanden), modelled on Open Referral HSDS 3.0 services and their
//! schedules: what, for whom (ages, target groups, themes), where (a municipality the
//! organisation serves, optionally an area and a named place with a position), when (weekly
//! schedule rows, each valid from–to), cost, eligibility, how to join or refer someone, the
//! organisation's own contact details, status, published, and verified on / by with an interval
//! after which the organisation is reminded ([`super::verification`]).
//!
//! Read: [`sharing::offer_readable`]. Write: [`Action::EditDirectory`] of the offering organisation.

use brygga_domain::geography::{self, MunicipalityCode};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::codes::{self, List};
use crate::kernel::access::{self, Action};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();
pub const PLACE_NAME: TextRule = TextRule::line("place_name", "Platsen", 200).optional();
pub const COST_TEXT: TextRule = TextRule::line("cost_text", "Kostnaden", 300).optional();
pub const ELIGIBILITY: TextRule = TextRule::line("eligibility", "Vem som kan delta", 1000).optional().multiline();
pub const HOW_TO_JOIN: TextRule = TextRule::line("how_to_join", "Hur man anmäler sig eller hänvisar någon", 1000).optional().multiline();
pub const CONTACT_EMAIL: TextRule = TextRule::line("contact_email", "E-postadressen", 200).optional().contact_detail();
pub const CONTACT_PHONE: TextRule = TextRule::line("contact_phone", "Telefonnumret", 40).optional().contact_detail();
pub const CONTACT_URL: TextRule = TextRule::line("contact_url", "Webbadressen", 300).optional().contact_detail();

/// How often an offer is verified unless the organisation says otherwise (days).
pub const DEFAULT_INTERVAL_DAYS: i64 = 180;
/// The longest schedule list one offer may have.
pub const MAX_SCHEDULES: usize = 21;
/// The ages an offer may name.
pub const MAX_AGE: i64 = 120;

/// Where an offer stands: `active`, `paused` (pausad, e.g. over the summer) or `ended`.
pub const STATUSES: &[(&str, &str)] = &[("active", "Pågår"), ("paused", "Pausad"), ("ended", "Avslutad")];

/// The Swedish label of a status code.
pub fn status_label(code: &str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == code).map_or("Okänd", |(_, l)| *l)
}

/// One weekly schedule row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: i64,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i64,
    /// `18:00`, Europe/Stockholm.
    pub opens_at: String,
    /// `22:00`; after `opens_at`.
    pub closes_at: String,
    /// `2026-08-15`; none: since always.
    pub valid_from: Option<String>,
    /// `2026-12-20`; none: until further notice.
    pub valid_to: Option<String>,
}

impl FromRow for Schedule {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            weekday: r.get("weekday")?,
            opens_at: r.get("opens_at")?,
            closes_at: r.get("closes_at")?,
            valid_from: r.get("valid_from")?,
            valid_to: r.get("valid_to")?,
        })
    }
}

impl Schedule {
    /// "fredag 18:00–22:00 (från 2026-08-15)".
    pub fn describe(&self) -> String {
        let mut s = format!("{} {}–{}", codes::weekday_label(self.weekday), self.opens_at, self.closes_at);
        match (&self.valid_from, &self.valid_to) {
            (Some(f), Some(t)) => s.push_str(&format!(" ({f} – {t})")),
            (Some(f), None) => s.push_str(&format!(" (från {f})")),
            (None, Some(t)) => s.push_str(&format!(" (till {t})")),
            (None, None) => {}
        }
        s
    }

    /// Whether the row is in force on `day`.
    pub fn valid_on(&self, day: &str) -> bool {
        self.valid_from.as_deref().is_none_or(|f| f <= day) && self.valid_to.as_deref().is_none_or(|t| t >= day)
    }
}

/// An offer as its readers see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Offer {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub description: Option<String>,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    /// Theme codes (`brygga_domain::actors::THEMES`).
    pub themes: Vec<String>,
    /// Target-group codes (`brygga_domain::actors::TARGET_GROUPS`).
    pub target_groups: Vec<String>,
    pub municipality_code: String,
    pub municipality_name: String,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub place_name: Option<String>,
    /// WGS 84; the place's, or else the area's centre.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub free: bool,
    pub cost_text: Option<String>,
    pub eligibility: Option<String>,
    pub how_to_join: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_url: Option<String>,
    /// `active`, `paused` or `ended`.
    pub status: String,
    /// The organisation published it (it is public when its profile is public too).
    pub published: bool,
    /// The organisation's profile is public.
    pub profile_public: bool,
    /// Published, on a public profile, and not ended: in the public directory.
    pub public: bool,
    /// `2026-11-02`.
    pub verified_on: Option<String>,
    /// Who verified it: shown only to the organisation's own users.
    pub verified_by: Option<String>,
    pub verification_interval_days: i64,
    /// The day the next verification is due: verified (or created) + interval.
    pub verification_due_on: String,
    pub schedules: Vec<Schedule>,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// The columns [`Offer::from_row`] decodes (schedules are loaded after).
pub(crate) const SELECT: &str = "SELECT f.id, f.org_id, o.name AS org_name, f.name, f.description, f.age_from, f.age_to, f.themes,
        f.target_groups, f.municipality_code, m.name AS municipality_name, f.area_id, a.name AS area_name, f.place_name,
        COALESCE(f.lat, a.centroid_lat) AS lat, COALESCE(f.lon, a.centroid_lon) AS lon, f.free, f.cost_text, f.eligibility,
        f.how_to_join, f.contact_email, f.contact_phone, f.contact_url, f.status, f.published, o.public_profile, f.verified_on,
        u.name AS verified_by, f.verification_interval_days, f.version, f.created_at, f.updated_at
     FROM offers f JOIN organisations o ON o.id = f.org_id JOIN municipalities m ON m.code = f.municipality_code
     LEFT JOIN areas a ON a.id = f.area_id LEFT JOIN users u ON u.id = f.verified_by_user_id";

impl FromRow for Offer {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let status: String = r.get("status")?;
        let published: bool = r.get("published")?;
        let public_profile: bool = r.get("public_profile")?;
        let verified_on: Option<String> = r.get("verified_on")?;
        let created_at: i64 = r.get("created_at")?;
        let interval: i64 = r.get("verification_interval_days")?;
        let due = due_on(verified_on.as_deref(), created_at, interval).map_err(DbError::Decode)?;
        Ok(Self {
            id: r.get("id")?,
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            name: r.get("name")?,
            description: r.get("description")?,
            age_from: r.get("age_from")?,
            age_to: r.get("age_to")?,
            themes: codes::split(&r.get::<String>("themes")?),
            target_groups: codes::split(&r.get::<String>("target_groups")?),
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            place_name: r.get("place_name")?,
            lat: r.get("lat")?,
            lon: r.get("lon")?,
            free: r.get("free")?,
            cost_text: r.get("cost_text")?,
            eligibility: r.get("eligibility")?,
            how_to_join: r.get("how_to_join")?,
            contact_email: r.get("contact_email")?,
            contact_phone: r.get("contact_phone")?,
            contact_url: r.get("contact_url")?,
            public: published && public_profile && status != "ended",
            profile_public: public_profile,
            status,
            published,
            verified_on,
            verified_by: r.get("verified_by")?,
            verification_interval_days: interval,
            verification_due_on: due.to_string(),
            schedules: Vec::new(),
            version: r.get("version")?,
            created_at_ms: created_at,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

impl Offer {
    /// "13–16 år", "från 16 år", "alla åldrar".
    pub fn ages(&self) -> String {
        match (self.age_from, self.age_to) {
            (Some(f), Some(t)) => format!("{f}–{t} år"),
            (Some(f), None) => format!("från {f} år"),
            (None, Some(t)) => format!("upp till {t} år"),
            (None, None) => "alla åldrar".into(),
        }
    }

    /// "Gratis" or the cost text.
    pub fn cost(&self) -> String {
        if self.free { "Gratis".into() } else { self.cost_text.clone().unwrap_or_else(|| "Kostar".into()) }
    }

    /// Whether verification is due on or before `today`.
    pub fn verification_overdue(&self, today: &str) -> bool {
        self.status != "ended" && self.verification_due_on.as_str() <= today
    }

    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }
}

/// The day verification is due: `verified_on` (or the creation day) + `interval` days.
pub fn due_on(verified_on: Option<&str>, created_at_ms: i64, interval: i64) -> Result<Date, String> {
    let base = match verified_on {
        Some(d) => d.parse::<Date>().map_err(|e| e.to_string())?,
        None => brygga_domain::time::local(jiff::Timestamp::from_millisecond(created_at_ms).map_err(|e| e.to_string())?).date(),
    };
    base.checked_add(jiff::Span::new().days(interval)).map_err(|e| e.to_string())
}

/// Attaches each offer's schedule rows (one query for all), weekday and time order.
pub(crate) fn load_schedules(db: &mut dyn Conn, offers: &mut [Offer]) -> StoreResult<()> {
    if offers.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = offers.iter().map(|o| o.id).collect();
    let sql = format!(
        "SELECT id, offer_id, weekday, opens_at, closes_at, valid_from, valid_to FROM offer_schedules WHERE {} ORDER BY offer_id, weekday, opens_at, id",
        db.dialect().in_list("offer_id", 1)
    );
    let rows = db.query(&sql, &[Value::IntList(ids)])?;
    let mut by_offer: std::collections::HashMap<i64, Vec<Schedule>> = std::collections::HashMap::new();
    for r in &rows {
        by_offer.entry(r.get("offer_id")?).or_default().push(Schedule::from_row(r)?);
    }
    for o in offers.iter_mut() {
        o.schedules = by_offer.remove(&o.id).unwrap_or_default();
    }
    Ok(())
}

/// Hides what only the organisation's own users see (who verified it).
fn for_viewer(mut o: Offer, v: &Viewer) -> Offer {
    if v.role_in(o.org_id).is_none() {
        o.verified_by = None;
    }
    o
}

/// One offer, if the viewer may read it ([`sharing::offer_readable`]); otherwise not found.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Offer> {
    let o: Offer = db.opt(&format!("{SELECT} WHERE f.id = $1"), args![id])?.ok_or(StoreError::not_found("offer"))?;
    if !sharing::can_read_offer(v, o.org_id, o.published, o.profile_public, o.status == "ended") {
        return Err(StoreError::not_found("offer"));
    }
    let mut one = [o];
    load_schedules(db, &mut one)?;
    let [o] = one;
    Ok(for_viewer(o, v))
}

/// An organisation's offers the viewer may read (all of them for its own users), by name.
pub fn for_org(db: &mut dyn Conn, v: &Viewer, org_id: i64) -> StoreResult<Vec<Offer>> {
    let sql = format!("{SELECT} WHERE f.org_id = $1 AND {} ORDER BY f.name_key, f.id", sharing::offer_readable(db.dialect(), "f", "o", 2));
    let mut all: Vec<Offer> = db.all(&sql, &[org_id.into(), sharing::offer_readable_args(v)])?;
    all.sort_by(|a, b| sort_key(&a.name).cmp(&sort_key(&b.name)).then(a.id.cmp(&b.id)));
    load_schedules(db, &mut all)?;
    Ok(all.into_iter().map(|o| for_viewer(o, v)).collect())
}

/// A schedule row as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: i64,
    /// `18:00`.
    pub opens_at: String,
    /// `22:00`; after `opens_at` (`24:00` is midnight).
    pub closes_at: String,
    /// `2026-08-15`.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// `2026-12-20`; not before `valid_from`.
    #[serde(default)]
    pub valid_to: Option<String>,
}

/// An offer as a form or an API call sends it; checked by [`OfferInput::validate`] and the store.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The youngest who may take part (0–120).
    #[serde(default)]
    pub age_from: Option<i64>,
    /// The oldest; not below `age_from`.
    #[serde(default)]
    pub age_to: Option<i64>,
    /// Theme codes, e.g. `["idrott"]`.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Target-group codes, e.g. `["unga"]`.
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// A municipality the organisation serves (an approved claim), 4 digits.
    pub municipality_code: String,
    /// An area (places) in that municipality.
    #[serde(default)]
    pub area_id: Option<i64>,
    /// "Idrottsplatsen, Hässleholm".
    #[serde(default)]
    pub place_name: Option<String>,
    /// WGS 84 latitude of the place; with `lon`.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub free: bool,
    /// What it costs, when not free: "200 kr per termin".
    #[serde(default)]
    pub cost_text: Option<String>,
    #[serde(default)]
    pub eligibility: Option<String>,
    #[serde(default)]
    pub how_to_join: Option<String>,
    /// The organisation's own contact details for the offer.
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    #[serde(default)]
    pub contact_url: Option<String>,
    /// `active` (default), `paused` or `ended`.
    #[serde(default)]
    pub status: Option<String>,
    /// Shown in the public directory (when the organisation's profile is public too).
    #[serde(default)]
    pub published: bool,
    /// Days between verifications (7–730; default 180).
    #[serde(default)]
    pub verification_interval_days: Option<i64>,
    #[serde(default)]
    pub schedules: Vec<ScheduleInput>,
}

/// An offer that passed the checks that need no database.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOffer {
    pub name: String,
    pub description: Option<String>,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    pub themes: Vec<String>,
    pub target_groups: Vec<String>,
    pub municipality: MunicipalityCode,
    pub area_id: Option<i64>,
    pub place_name: Option<String>,
    pub position: Option<(f64, f64)>,
    pub free: bool,
    pub cost_text: Option<String>,
    pub eligibility: Option<String>,
    pub how_to_join: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_url: Option<String>,
    pub status: &'static str,
    pub published: bool,
    pub interval_days: i64,
    pub schedules: Vec<ScheduleInput>,
}

impl OfferInput {
    /// Every check that needs no database; all problems at once, each under its field.
    pub fn validate(&self) -> Result<ValidOffer, FieldErrors> {
        let mut errs = FieldErrors::new();
        let name = errs.take(NAME.require(&self.name));
        let description = errs.take(DESCRIPTION.parse(self.description.as_deref().unwrap_or(""))).flatten();
        let mut age = |field: &str, a: Option<i64>| match a {
            Some(a) if !(0..=MAX_AGE).contains(&a) => {
                errs.push(FieldError::new(field, "age.range", format!("Åldern {a} går inte. Ange en ålder mellan 0 och {MAX_AGE} år.")));
                None
            }
            a => a,
        };
        let age_from = age("age_from", self.age_from);
        let age_to = age("age_to", self.age_to);
        if let (Some(f), Some(t)) = (age_from, age_to)
            && f > t
        {
            errs.push(FieldError::new(
                "age_to",
                "age.order",
                format!("Åldern till ({t} år) är lägre än åldern från ({f} år). Byt plats på dem eller rätta den ena."),
            ));
        }
        let themes = errs.take(codes::parse_list("themes", List::Themes, &self.themes)).unwrap_or_default();
        let target_groups = errs.take(codes::parse_list("target_groups", List::TargetGroups, &self.target_groups)).unwrap_or_default();
        let municipality = if self.municipality_code.trim().is_empty() {
            errs.push(FieldError::new("municipality_code", "required", "Välj kommunen där erbjudandet finns."));
            None
        } else {
            errs.take(
                MunicipalityCode::parse(self.municipality_code.trim())
                    .map_err(|e| FieldError::new("municipality_code", "municipality.unknown", e.to_string())),
            )
        };
        let place_name = errs.take(PLACE_NAME.parse(self.place_name.as_deref().unwrap_or(""))).flatten();
        let position = crate::places::place::check_position(&mut errs, self.lat, self.lon, municipality.as_ref().map(|m| m.as_str()));
        let cost_text = errs.take(COST_TEXT.parse(self.cost_text.as_deref().unwrap_or(""))).flatten();
        let eligibility = errs.take(ELIGIBILITY.parse(self.eligibility.as_deref().unwrap_or(""))).flatten();
        let how_to_join = errs.take(HOW_TO_JOIN.parse(self.how_to_join.as_deref().unwrap_or(""))).flatten();
        let contact_email = errs
            .take(CONTACT_EMAIL.parse(self.contact_email.as_deref().unwrap_or("")).and_then(|e| match e {
                Some(e) if brygga_domain::account::Email::parse(&e).is_err() => Err(FieldError::new(
                    "contact_email",
                    "email.invalid",
                    format!("”{e}” är ingen e-postadress. Skriv till exempel info@forening.se."),
                )),
                e => Ok(e),
            }))
            .flatten();
        let contact_phone = errs.take(CONTACT_PHONE.parse(self.contact_phone.as_deref().unwrap_or(""))).flatten();
        let contact_url = errs
            .take(CONTACT_URL.parse(self.contact_url.as_deref().unwrap_or("")).and_then(|w| match w {
                Some(w) if !(w.starts_with("https://") || w.starts_with("http://")) || w.contains(char::is_whitespace) => {
                    Err(FieldError::new(
                        "contact_url",
                        "website.invalid",
                        "Webbadressen ska börja med https:// eller http://, till exempel https://www.forening.se.",
                    ))
                }
                w => Ok(w),
            }))
            .flatten();
        let wanted = self.status.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("active");
        let status = match STATUSES.iter().find(|(c, _)| *c == wanted) {
            Some((c, _)) => Some(*c),
            None => {
                errs.push(FieldError::new(
                    "status",
                    "status.unknown",
                    format!("”{wanted}” är ingen status. Välj active, paused eller ended."),
                ));
                None
            }
        };
        let interval_days = match self.verification_interval_days.unwrap_or(DEFAULT_INTERVAL_DAYS) {
            d if (7..=730).contains(&d) => Some(d),
            d => {
                errs.push(FieldError::new(
                    "verification_interval_days",
                    "interval.range",
                    format!("{d} dagar går inte. Ange hur ofta uppgifterna ska kontrolleras: mellan 7 och 730 dagar."),
                ));
                None
            }
        };
        if self.schedules.len() > MAX_SCHEDULES {
            errs.push(FieldError::new(
                "schedules",
                "schedules.too_many",
                format!("Högst {MAX_SCHEDULES} tider per erbjudande. Dela upp erbjudandet eller ta bort tider."),
            ));
        }
        let mut schedules = Vec::new();
        for (i, s) in self.schedules.iter().enumerate() {
            if let Some(s) = check_schedule(&mut errs, i, s) {
                schedules.push(s);
            }
        }
        let checked = errs.into_result();
        match (checked, name, municipality, status, interval_days) {
            (Ok(()), Some(name), Some(municipality), Some(status), Some(interval_days)) => Ok(ValidOffer {
                name,
                description,
                age_from,
                age_to,
                themes,
                target_groups,
                municipality,
                area_id: self.area_id,
                place_name,
                position,
                free: self.free,
                cost_text: if self.free { None } else { cost_text },
                eligibility,
                how_to_join,
                contact_email,
                contact_phone,
                contact_url,
                status,
                published: self.published,
                interval_days,
                schedules,
            }),
            (Err(e), ..) => Err(e),
            _ => Err(FieldErrors::from(FieldError::new("name", "invalid", "Erbjudandet kunde inte läsas. Kontrollera fälten."))),
        }
    }
}

/// Checks schedule row `i`: weekday, a closing time after the opening time, valid-to not before
/// valid-from. Errors go under `schedules[i].field`.
fn check_schedule(errs: &mut FieldErrors, i: usize, s: &ScheduleInput) -> Option<ScheduleInput> {
    let f = |name: &str| format!("schedules[{i}].{name}");
    let n = i + 1;
    let mut ok = true;
    if !(1..=7).contains(&s.weekday) {
        errs.push(FieldError::new(f("weekday"), "weekday.invalid", format!("Tid {n}: välj en veckodag (1 = måndag … 7 = söndag).")));
        ok = false;
    }
    let opens = errs.take(codes::parse_time(&f("opens_at"), &format!("Tid {n}: öppningstiden"), &s.opens_at));
    let closes = errs.take(codes::parse_time(&f("closes_at"), &format!("Tid {n}: stängningstiden"), &s.closes_at));
    if let (Some(o), Some(c)) = (&opens, &closes)
        && c <= o
    {
        errs.push(FieldError::new(
            f("closes_at"),
            "schedule.closes_before_opens",
            format!("Tid {n}: stängningstiden {c} är inte efter öppningstiden {o}. Rätta tiderna (en kväll som slutar vid midnatt skrivs 24:00)."),
        ));
        ok = false;
    }
    let date = |errs: &mut FieldErrors, field: &str, v: &Option<String>| match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(d) => errs.take(brygga_domain::time::parse_date(field, d).map(|d| Some(d.to_string()))),
    };
    let from = date(errs, &f("valid_from"), &s.valid_from);
    let to = date(errs, &f("valid_to"), &s.valid_to);
    if let (Some(Some(a)), Some(Some(b))) = (&from, &to)
        && b < a
    {
        errs.push(FieldError::new(
            f("valid_to"),
            "schedule.valid_order",
            format!("Tid {n}: gäller till ({b}) är före gäller från ({a}). Rätta datumen."),
        ));
        ok = false;
    }
    match (ok, opens, closes, from, to) {
        (true, Some(opens_at), Some(closes_at), Some(valid_from), Some(valid_to)) => {
            Some(ScheduleInput { weekday: s.weekday, opens_at, closes_at, valid_from, valid_to })
        }
        _ => None,
    }
}

/// The checks that need the database: the organisation serves the municipality (an approved
/// claim), the area lies in it.
fn check_place(db: &mut dyn Conn, org_id: i64, o: &ValidOffer) -> StoreResult<()> {
    let mut errs = FieldErrors::new();
    let serves: i64 = db.scalar(
        "SELECT COUNT(*) FROM organisation_municipalities WHERE org_id = $1 AND municipality_code = $2 AND status = 'approved'",
        args![org_id, o.municipality.as_str()],
    )?;
    if serves == 0 {
        let name = geography::municipality(o.municipality.as_str()).map_or(o.municipality.as_str(), |m| m.name);
        errs.push(FieldError::new(
            "municipality_code",
            "offer.municipality_not_served",
            format!(
                "Organisationen verkar inte i {name} (inget godkänt anspråk). Välj en kommun organisationen verkar i, eller ansök om att verka i {name} under organisationens profil."
            ),
        ));
    }
    if let Some(area) = o.area_id {
        let municipality: Option<String> = db.scalar_opt("SELECT municipality_code FROM areas WHERE id = $1", args![area])?;
        if municipality.as_deref() != Some(o.municipality.as_str()) {
            errs.push(FieldError::new(
                "area_id",
                "offer.area_elsewhere",
                "Området finns inte i den valda kommunen. Välj ett område i kommunen.",
            ));
        }
    }
    errs.into_result().map_err(StoreError::Invalid)
}

fn write_schedules(db: &mut dyn Conn, offer_id: i64, schedules: &[ScheduleInput]) -> StoreResult<()> {
    db.execute("DELETE FROM offer_schedules WHERE offer_id = $1", args![offer_id])?;
    for s in schedules {
        db.execute(
            "INSERT INTO offer_schedules (offer_id, weekday, opens_at, closes_at, valid_from, valid_to) VALUES ($1, $2, $3, $4, $5, $6)",
            args![offer_id, s.weekday, s.opens_at.as_str(), s.closes_at.as_str(), s.valid_from.as_deref(), s.valid_to.as_deref()],
        )?;
    }
    Ok(())
}

/// Creates an offer of `org_id` (its members, coordinators and administrators).
pub fn create(db: &mut dyn Conn, v: &Viewer, org_id: i64, input: &OfferInput) -> StoreResult<Offer> {
    access::require(v, Action::EditDirectory { org: org_id })?;
    let o = input.validate()?;
    check_place(db, org_id, &o)?;
    let now = now_ms();
    let (lat, lon) = o.position.unzip();
    let id: i64 = db.scalar(
        "INSERT INTO offers (org_id, name, name_key, description, age_from, age_to, themes, target_groups, municipality_code, area_id,
            place_name, lat, lon, free, cost_text, eligibility, how_to_join, contact_email, contact_phone, contact_url, status, published,
            verification_interval_days, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, 1, $25, $25)
         RETURNING id",
        args![
            org_id,
            o.name.as_str(),
            sort_key(&o.name),
            o.description.as_deref(),
            o.age_from,
            o.age_to,
            codes::join(&o.themes),
            codes::join(&o.target_groups),
            o.municipality.as_str(),
            o.area_id,
            o.place_name.as_deref(),
            lat,
            lon,
            o.free,
            o.cost_text.as_deref(),
            o.eligibility.as_deref(),
            o.how_to_join.as_deref(),
            o.contact_email.as_deref(),
            o.contact_phone.as_deref(),
            o.contact_url.as_deref(),
            o.status,
            o.published,
            o.interval_days,
            v.user_id(),
            now
        ],
    )?;
    write_schedules(db, id, &o.schedules)?;
    audit::record(db, v, Event::new("offer.create").record("offer", id).org(org_id))?;
    index::touch(db, "offer", id)?;
    get(db, v, id)
}

/// Loads an offer for writing: readable, and the viewer edits for its organisation.
fn for_writing(db: &mut dyn Conn, v: &Viewer, id: i64, version: Option<i64>) -> StoreResult<Offer> {
    let before = get(db, v, id)?;
    access::require(v, Action::EditDirectory { org: before.org_id })?;
    if version.is_some_and(|e| e != before.version) {
        return Err(StoreError::Stale);
    }
    Ok(before)
}

/// Changes an offer. `version` is the version the editor read (a stale one writes nothing).
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: Option<i64>, input: &OfferInput) -> StoreResult<Offer> {
    let before = for_writing(db, v, id, version)?;
    let o = input.validate()?;
    check_place(db, before.org_id, &o)?;
    let (lat, lon) = o.position.unzip();
    db.execute(
        "UPDATE offers SET name = $1, name_key = $2, description = $3, age_from = $4, age_to = $5, themes = $6, target_groups = $7,
            municipality_code = $8, area_id = $9, place_name = $10, lat = $11, lon = $12, free = $13, cost_text = $14, eligibility = $15,
            how_to_join = $16, contact_email = $17, contact_phone = $18, contact_url = $19, status = $20, published = $21,
            verification_interval_days = $22, version = version + 1, updated_at = $23
         WHERE id = $24",
        args![
            o.name.as_str(),
            sort_key(&o.name),
            o.description.as_deref(),
            o.age_from,
            o.age_to,
            codes::join(&o.themes),
            codes::join(&o.target_groups),
            o.municipality.as_str(),
            o.area_id,
            o.place_name.as_deref(),
            lat,
            lon,
            o.free,
            o.cost_text.as_deref(),
            o.eligibility.as_deref(),
            o.how_to_join.as_deref(),
            o.contact_email.as_deref(),
            o.contact_phone.as_deref(),
            o.contact_url.as_deref(),
            o.status,
            o.published,
            o.interval_days,
            now_ms(),
            id
        ],
    )?;
    write_schedules(db, id, &o.schedules)?;
    let mut fields: Vec<&str> = vec!["content"];
    if before.published != o.published {
        fields.push("published");
    }
    if before.status != o.status {
        fields.push("status");
    }
    audit::record(db, v, Event::new("offer.update").record("offer", id).org(before.org_id).fields(&fields))?;
    index::touch(db, "offer", id)?;
    get(db, v, id)
}

/// Publishes (or withdraws) an offer without touching its content.
pub fn set_published(db: &mut dyn Conn, v: &Viewer, id: i64, published: bool) -> StoreResult<Offer> {
    let before = for_writing(db, v, id, None)?;
    if before.published != published {
        db.execute(
            "UPDATE offers SET published = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            args![published, now_ms(), id],
        )?;
        let action = if published { "offer.publish" } else { "offer.unpublish" };
        audit::record(db, v, Event::new(action).record("offer", id).org(before.org_id))?;
        index::touch(db, "offer", id)?;
    }
    get(db, v, id)
}

/// Marks an offer's details checked today by the viewer: the next reminder is due one interval on.
pub fn verify(db: &mut dyn Conn, v: &Viewer, id: i64, today: Date) -> StoreResult<Offer> {
    let before = for_writing(db, v, id, None)?;
    db.execute(
        "UPDATE offers SET verified_on = $1, verified_by_user_id = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        args![today.to_string(), v.user_id(), now_ms(), id],
    )?;
    audit::record(db, v, Event::new("offer.verify").record("offer", id).org(before.org_id))?;
    index::touch(db, "offer", id)?;
    get(db, v, id)
}

/// Deletes an offer (its schedules and reminder log go with it).
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = for_writing(db, v, id, None)?;
    db.execute("DELETE FROM offers WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("offer.delete").record("offer", id).org(before.org_id))?;
    index::touch(db, "offer", id)?;
    Ok(())
}

/// The offer as the search index holds it: public when in the public directory, otherwise
/// readable by the offering organisation only. `None` when the offer is gone.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let Some(o) = db.opt::<Offer>(&format!("{SELECT} WHERE f.id = $1"), args![id])? else { return Ok(None) };
    let mut body: Vec<String> = vec![o.org_name.clone()];
    body.extend(o.description.clone());
    body.extend(o.themes.iter().filter_map(|c| List::Themes.label(c)).map(str::to_owned));
    body.extend(o.target_groups.iter().filter_map(|c| List::TargetGroups.label(c)).map(str::to_owned));
    body.extend(o.eligibility.clone());
    body.extend(o.place_name.clone());
    body.extend(o.area_name.clone());
    Ok(Some(Document {
        kind: "offer",
        id,
        title: o.name.clone(),
        body: body.join("\n"),
        municipalities: vec![o.municipality_code.clone()],
        path: format!("/katalog/erbjudanden/{id}"),
        readers: if o.public { vec![Reader::Public] } else { vec![Reader::Org(o.org_id)] },
        updated_at_ms: o.updated_at_ms,
    }))
}
