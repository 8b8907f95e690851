//! Observations (EST-rapporter): what partners saw — category, place, time, how many, a short
//! note. Each is owned by the reporting organisation and shared as it chooses: with its own
//! organisation only, or with the forum it reports in. Single reports are never public; only
//! aggregates leave the forum (see `sharing::Scope`).

use brygga_domain::geography;
use brygga_domain::text::TextRule;
use brygga_domain::time::{IsoWeek, stockholm};
use brygga_domain::{FieldError, FieldErrors, OrgKind, VisibilityKind};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::forums::categories::{self, Category};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::kernel::sql::Query;
use crate::{Action, Page, Viewer, args, forums::forum, kernel::access, now_ms, places::areas, places::place};

pub const NOTE: TextRule = TextRule::line("note", "Texten", 500).optional().multiline().personal_data_code("note.personal_data");
pub const MAX_QUANTITY: i64 = 10_000;

/// How an observation reached Brygga.
pub const SOURCES: &[(&str, &str)] = &[("form", "Rapportformulär"), ("questionnaire", "Veckoenkät"), ("import", "Import"), ("api", "API")];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Observation {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub visibility: Visibility,
    pub municipality_code: String,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub category_id: i64,
    pub category_code: String,
    pub category_name: String,
    pub observed_at_ms: i64,
    /// ISO week in Swedish time, e.g. `2026-W47`.
    pub week: String,
    pub quantity: i64,
    pub intensity: Option<i64>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub note: Option<String>,
    /// `form`, `questionnaire`, `import` or `api`.
    pub source: String,
    pub created_at_ms: i64,
}

/// The SELECT that [`Observation::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT o.id, o.owner_org_id, g.name AS org_name, o.visibility, o.forum_id, o.municipality_code, o.area_id,
        a.name AS area_name, o.category_id, c.code AS category_code, c.name AS category_name, o.observed_at, o.week, o.quantity,
        o.intensity, o.lon, o.lat, o.note, o.source, o.created_at
     FROM observations o JOIN organisations g ON g.id = o.owner_org_id JOIN categories c ON c.id = o.category_id LEFT JOIN areas a ON a.id = o.area_id";

impl FromRow for Observation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let vis: String = r.get("visibility")?;
        let week: i64 = r.get("week")?;
        Ok(Self {
            id: r.get("id")?,
            org_id: r.get("owner_org_id")?,
            org_name: r.get("org_name")?,
            visibility: Visibility::from_columns(&vis, r.get("forum_id")?).ok_or_else(|| DbError::Decode(format!("visibility {vis}")))?,
            municipality_code: r.get("municipality_code")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            category_id: r.get("category_id")?,
            category_code: r.get("category_code")?,
            category_name: r.get("category_name")?,
            observed_at_ms: r.get("observed_at")?,
            week: IsoWeek::from_key(week).map(|w| w.to_string()).unwrap_or_default(),
            quantity: r.get("quantity")?,
            intensity: r.get("intensity")?,
            lon: r.get("lon")?,
            lat: r.get("lat")?,
            note: r.get("note")?,
            source: r.get("source")?,
            created_at_ms: r.get("created_at")?,
        })
    }
}

/// A report as sent by a form, the API or an import row; validated by [`prepare`].
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ObservationInput {
    /// The forum whose checklist the report uses.
    pub forum_id: i64,
    /// Category id, code (`graffiti`) or name (`Klotter`).
    pub category: String,
    #[serde(default)]
    pub area_id: Option<i64>,
    /// WGS84 position, e.g. from "use my position".
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// RFC 3339 (`2026-11-20T21:30:00+01:00`) or Swedish local time (`2026-11-20T21:30`); default now.
    #[serde(default)]
    pub observed_at: Option<String>,
    /// How many (default 1).
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub intensity: Option<i64>,
    /// A short description. Personal identity numbers, phone numbers and e-mail addresses are refused.
    #[serde(default)]
    pub note: Option<String>,
    /// `organisation` or `forum`; default `forum` (`organisation` for associations and faith communities).
    #[serde(default)]
    pub visibility: Option<String>,
    /// The organisation reporting, when the caller belongs to several in the forum.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// A report that passed every check, ready to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidObservation {
    pub org_id: i64,
    pub visibility: Visibility,
    pub municipality: String,
    pub area_id: Option<i64>,
    pub category_id: i64,
    pub observed_at_ms: i64,
    pub week: IsoWeek,
    pub quantity: i64,
    pub intensity: Option<i64>,
    pub position: Option<(f64, f64)>,
    pub note: Option<String>,
}

/// Reads "2026-11-20T21:30" (Swedish local time) or an RFC 3339 timestamp.
pub fn parse_time(field: &str, input: &str) -> Result<Timestamp, FieldError> {
    let s = input.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    let local = s.replace(' ', "T");
    match local.parse::<jiff::civil::DateTime>().or_else(|_| local.parse::<jiff::civil::Date>().map(|d| d.at(12, 0, 0, 0))) {
        Ok(dt) => dt.to_zoned(stockholm()).map(|z| z.timestamp()).map_err(|e| FieldError::new(field, "time.invalid", e.to_string())),
        Err(_) => Err(FieldError::new(
            field,
            "time.invalid",
            format!("”{s}” är ingen tidpunkt. Skriv datum och tid, till exempel 2026-11-20 21:30."),
        )),
    }
}

/// Which organisation reports: the one given, or the viewer's only organisation in the forum.
fn reporting_org(v: &Viewer, members: &[i64], wanted: Option<i64>) -> Result<i64, FieldError> {
    let mine: Vec<i64> = v.org_ids().into_iter().filter(|o| members.contains(o)).collect();
    match wanted {
        Some(o) if mine.contains(&o) => Ok(o),
        Some(_) => Err(FieldError::new(
            "org_id",
            "forum.not_member",
            "Du kan bara rapportera för en organisation som du tillhör och som är med i forumet.",
        )),
        None => match mine.as_slice() {
            [one] => Ok(*one),
            [] => Err(FieldError::new(
                "forum_id",
                "forum.not_member",
                "Ingen av dina organisationer är med i forumet. Be den sammankallande organisationen lägga till er.",
            )),
            _ => Err(FieldError::new("org_id", "required", "Du tillhör flera organisationer i forumet: välj vilken du rapporterar för.")),
        },
    }
}

/// Checks a report against the forum, its checklist, the place and the clock; reports every
/// problem at once. `now` is passed in so that imports and tests are reproducible.
pub fn prepare(db: &mut dyn Conn, v: &Viewer, input: &ObservationInput, now: Timestamp) -> StoreResult<ValidObservation> {
    let forum = match forum::get(db, v, input.forum_id) {
        Ok(f) => f,
        Err(StoreError::NotFound { .. }) => {
            return Err(StoreError::invalid(FieldError::new("forum_id", "forum.unknown", "Forumet finns inte.")));
        }
        Err(e) => return Err(e),
    };
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    let mut errs = FieldErrors::new();
    let org = errs.take(reporting_org(v, &members, input.org_id));
    if let Some(o) = org
        && !access::allowed(v, Action::Report { org: o })
    {
        errs.push(FieldError::new("org_id", "role.reader", "Din roll i organisationen är läsare; den kan inte rapportera."));
    }
    let category: Option<Category> = match categories::resolve(db, forum.id, &input.category)? {
        Some(c) => Some(c),
        None => {
            let names: Vec<String> = categories::list(db, v, forum.id, false)?.into_iter().map(|c| c.name).collect();
            errs.push(FieldError::new(
                "category",
                "category.unknown",
                format!("Kategorin ”{}” finns inte i forumets checklista. Välj en av: {}.", input.category.trim(), names.join(", ")),
            ));
            None
        }
    };
    // Place: an area of the forum's municipality, a position, or at least the municipality.
    let area = match input.area_id {
        Some(id) => match areas::get(db, v, id) {
            Ok(a) if !a.is_active() => {
                errs.push(a.archived_error());
                None
            }
            Ok(a) => Some(a),
            Err(StoreError::NotFound { .. }) => {
                errs.push(FieldError::new("area_id", "area.unknown", "Platsen finns inte. Välj en plats i listan."));
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let municipality = match (&area, &forum.municipality_code) {
        (Some(a), Some(m)) if &a.municipality_code != m => {
            let name = |c: &str| geography::municipality(c).map_or(c.to_owned(), |m| m.name.to_owned());
            errs.push(FieldError::new(
                "area_id",
                "area.other_municipality",
                format!(
                    "Platsen ”{}” ligger i {}, men forumet gäller {}. Välj en plats i {}.",
                    a.name,
                    name(&a.municipality_code),
                    name(m),
                    name(m)
                ),
            ));
            None
        }
        (Some(a), _) => Some(a.municipality_code.clone()),
        (None, Some(m)) => Some(m.clone()),
        (None, None) => {
            errs.push(FieldError::new("area_id", "required", "Forumet gäller flera kommuner: välj en plats."));
            None
        }
    };
    let position = place::check_position(&mut errs, input.lat, input.lon, municipality.as_deref());
    let observed_at = match input.observed_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(now),
        Some(s) => match parse_time("observed_at", s) {
            Ok(ts) if ts > now + jiff::SignedDuration::from_mins(10) => {
                errs.push(FieldError::new("observed_at", "time.future", "Tidpunkten ligger i framtiden. Rapportera det som redan hänt."));
                None
            }
            Ok(ts) if ts.as_second() < 946_684_800 => {
                errs.push(FieldError::new("observed_at", "time.too_old", "Tidpunkten ligger före år 2000. Kontrollera årtalet."));
                None
            }
            Ok(ts) => Some(ts),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        errs.push(FieldError::new("quantity", "quantity.range", format!("Antalet ska vara mellan 1 och {MAX_QUANTITY}.")));
    }
    if let (Some(c), Some(i)) = (&category, input.intensity) {
        match c.intensity_max {
            Some(max) if (1..=max).contains(&i) => {}
            Some(max) => {
                errs.push(FieldError::new("intensity", "intensity.range", format!("Intensiteten för {} går från 1 till {max}.", c.name)))
            }
            None => errs.push(FieldError::new(
                "intensity",
                "intensity.none",
                format!("Kategorin {} har ingen intensitetsskala; ange antal i stället.", c.name),
            )),
        }
    }
    // The rule refuses personal data (code `note.personal_data`, which the form answers with
    // an offer to redact).
    let note = errs.take(NOTE.parse(input.note.as_deref().unwrap_or("")));
    let org_kind = org.and_then(|o| v.memberships().iter().find(|m| m.org_id == o)).map(|m| m.org_kind);
    let visibility = match input.visibility.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(if matches!(org_kind, Some(OrgKind::CivilSociety | OrgKind::FaithCommunity)) {
            Visibility::Organisation
        } else {
            Visibility::Forum { forum_id: forum.id }
        }),
        Some(s) => match VisibilityKind::parse(s) {
            Ok(VisibilityKind::Organisation) => Some(Visibility::Organisation),
            Ok(VisibilityKind::Forum) => Some(Visibility::Forum { forum_id: forum.id }),
            Ok(VisibilityKind::Public) => {
                errs.push(FieldError::new("visibility", "visibility.public", "Enskilda rapporter kan inte göras publika; bara sammanställningar visas utanför forumet. Välj forumet eller bara er organisation."));
                None
            }
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    errs.into_result()?;
    let observed_at = observed_at.expect("checked");
    Ok(ValidObservation {
        org_id: org.expect("checked"),
        visibility: visibility.expect("checked"),
        municipality: municipality.expect("checked"),
        area_id: area.map(|a| a.id),
        category_id: category.expect("checked").id,
        observed_at_ms: observed_at.as_millisecond(),
        week: IsoWeek::of(observed_at),
        quantity,
        intensity: input.intensity,
        position,
        note: note.expect("checked"),
    })
}

const COLUMNS: &[&str] = &[
    "owner_org_id",
    "visibility",
    "forum_id",
    "municipality_code",
    "area_id",
    "category_id",
    "observed_at",
    "week",
    "quantity",
    "intensity",
    "lat",
    "lon",
    "note",
    "source",
    "reporter_user_id",
    "batch_id",
    "idempotency_key",
    "created_at",
];

fn row_values(o: &ValidObservation, source: &str, reporter: Option<i64>, batch: Option<i64>, key: Option<&str>, now: i64) -> Vec<Value> {
    vec![
        o.org_id.into(),
        o.visibility.kind().code().into(),
        o.visibility.forum_id().into(),
        o.municipality.as_str().into(),
        o.area_id.into(),
        o.category_id.into(),
        o.observed_at_ms.into(),
        i64::from(o.week.key()).into(),
        o.quantity.into(),
        o.intensity.into(),
        o.position.map(|p| p.0).into(),
        o.position.map(|p| p.1).into(),
        o.note.as_deref().into(),
        source.into(),
        reporter.into(),
        batch.into(),
        key.into(),
        now.into(),
    ]
}

fn require_report(v: &Viewer, o: &ValidObservation) -> StoreResult<()> {
    access::require(v, Action::Report { org: o.org_id })
}

/// The outcome of a create with an idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub observation: Observation,
    /// True when the key had been used: nothing new was written.
    pub replayed: bool,
}

/// Stores one report. With an idempotency key, a retry returns the first report instead of
/// storing a second one.
pub fn create(db: &mut dyn Conn, v: &Viewer, o: &ValidObservation, source: &str, key: Option<&str>) -> StoreResult<Created> {
    require_report(v, o)?;
    if let Some(k) = key {
        crate::kernel::idempotency::lock(db, &crate::kernel::idempotency::org_scope(o.org_id), k)?;
        let existing: Option<i64> =
            db.scalar_opt("SELECT id FROM observations WHERE owner_org_id = $1 AND idempotency_key = $2", args![o.org_id, k])?;
        if let Some(id) = existing {
            return Ok(Created { observation: fetch(db, id)?, replayed: true });
        }
    }
    let placeholders: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("${i}")).collect();
    let sql = format!("INSERT INTO observations ({}) VALUES ({}) RETURNING id", COLUMNS.join(", "), placeholders.join(", "));
    let id: i64 = db.scalar(&sql, &row_values(o, source, v.user_id(), None, key, now_ms()))?;
    audit::record(db, v, Event::new("observation.create").record("observation", id).org(o.org_id))?;
    Ok(Created { observation: fetch(db, id)?, replayed: false })
}

/// Stores many reports in the caller's transaction (imports, the weekly questionnaire), the
/// fastest way the backend has. One audit entry covers the batch.
pub fn create_many(db: &mut dyn Conn, v: &Viewer, rows: &[ValidObservation], source: &str, batch: Option<i64>) -> StoreResult<u64> {
    let mut orgs: Vec<i64> = rows.iter().map(|o| o.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    for org in &orgs {
        access::require(v, Action::Report { org: *org })?;
    }
    let now = now_ms();
    let reporter = v.user_id();
    // In the order of the picture's index (municipality, week, category, place): each index
    // then grows at a few places instead of at random ones, which is most of the insert cost
    // for a file whose rows come in any order.
    let mut order: Vec<&ValidObservation> = rows.iter().collect();
    order.sort_by(|a, b| {
        (&a.municipality, a.week.key(), a.category_id, a.area_id).cmp(&(&b.municipality, b.week.key(), b.category_id, b.area_id))
    });
    let mut iter = order.into_iter().map(|o| row_values(o, source, reporter, batch, None, now));
    let n = db.bulk_insert("observations", COLUMNS, &mut iter)?;
    if let Some(org) = orgs.first() {
        let e = Event::new("observation.bulk_create").org(*org);
        audit::record(
            db,
            v,
            match batch {
                Some(b) => e.record("import_batch", b),
                None => e,
            },
        )?;
    }
    Ok(n)
}

fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Observation> {
    db.opt(&format!("{SELECT} WHERE o.id = $1"), args![id])?.ok_or(StoreError::not_found("observation"))
}

/// The viewer's own latest reports, newest first, at most `limit`, each read through the
/// sharing rules: a report of an organisation the viewer has since left is no longer theirs to
/// see and is left out ("Mina rapporter", the overview).
pub fn mine(db: &mut dyn Conn, v: &Viewer, limit: usize) -> StoreResult<Vec<Observation>> {
    let Some(user) = v.user_id() else { return Ok(vec![]) };
    let ids: Vec<i64> = db.scalars(
        &format!("SELECT id FROM observations WHERE reporter_user_id = $1 ORDER BY id DESC LIMIT {}", limit.clamp(1, 500)),
        args![user],
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        match get(db, v, id) {
            Ok(o) => out.push(o),
            Err(StoreError::NotFound { .. } | StoreError::Forbidden) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One report, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Observation> {
    let o = fetch(db, id)?;
    if sharing::can_read(v, o.org_id, o.visibility) { Ok(o) } else { Err(StoreError::not_found("observation")) }
}

/// [`get`] as one audited read (run it through [`crate::Store::read_audited`]): reading another
/// organisation's shared report is logged for that organisation; reading one's own is not.
pub fn get_audited(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(Observation, crate::kernel::audit::SharedRead)> {
    let o = get(db, v, id)?;
    let read = crate::kernel::audit::SharedRead {
        action: "observation.read",
        about: Some(("observation", id)),
        owners: vec![o.org_id],
        when: crate::kernel::audit::Reads::OfOthers,
    };
    Ok((o, read))
}

/// Filters for the list of reports behind a picture.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filter {
    pub scope: Option<sharing::Scope>,
    pub municipality: Option<String>,
    pub from_week: Option<i32>,
    pub to_week: Option<i32>,
    pub category_id: Option<i64>,
    pub area_id: Option<i64>,
    /// Reports without an area (`area_id` IS NULL).
    #[serde(default)]
    pub no_area: bool,
    pub org_id: Option<i64>,
    /// Newest first; reports with ids below this.
    pub before_id: Option<i64>,
    pub limit: Option<usize>,
}

/// Reports the viewer may read, newest first, within the scope (a picture's drill-down).
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &Filter) -> StoreResult<Page<Observation>> {
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    let mut q = Query::new(format!("{SELECT} WHERE "));
    let n = q.next_param();
    q.push_numbered(&sharing::readable(db.dialect(), "o", n), sharing::readable_args(v));
    if let Some(scope) = &f.scope {
        sharing::require_raw(v, db, scope)?;
        let (sql, values) = sharing::scope_predicate("o", scope, q.next_param());
        q.raw(" AND ").push_numbered(&sql, values);
    }
    if let Some(m) = &f.municipality {
        q.push(" AND o.municipality_code = ?", [m.as_str().into()]);
    }
    if let Some(w) = f.from_week {
        q.push(" AND o.week >= ?", [i64::from(w).into()]);
    }
    if let Some(w) = f.to_week {
        q.push(" AND o.week <= ?", [i64::from(w).into()]);
    }
    if let Some(c) = f.category_id {
        q.push(" AND o.category_id = ?", [c.into()]);
    }
    if let Some(a) = f.area_id {
        q.push(" AND o.area_id = ?", [a.into()]);
    }
    if f.no_area {
        q.raw(" AND o.area_id IS NULL");
    }
    if let Some(o) = f.org_id {
        q.push(" AND o.owner_org_id = ?", [o.into()]);
    }
    if let Some(b) = f.before_id {
        q.push(" AND o.id < ?", [b.into()]);
    }
    q.raw(&format!(" ORDER BY o.id DESC LIMIT {}", limit + 1));
    let mut items: Vec<Observation> = db.all(&q.sql, &q.params)?;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|o| o.id.to_string())
    });
    Ok(Page { items, next: next.flatten() })
}

/// Deletes a report: its reporter, or a coordinator of the owning organisation.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let o = get(db, v, id)?;
    let reporter: Option<Option<i64>> = db.scalar_opt("SELECT reporter_user_id FROM observations WHERE id = $1", args![id])?;
    let own = reporter.flatten().is_some_and(|r| Some(r) == v.user_id());
    let may = access::allowed(v, Action::ManageReports { org: o.org_id }) || (own && access::allowed(v, Action::Report { org: o.org_id }));
    if !may {
        return Err(StoreError::Forbidden);
    }
    db.execute("DELETE FROM observations WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("observation.delete").record("observation", id).org(o.org_id))
}

/// Raw reports read through [`list`] for `filters` (one page each), as one audited read: when
/// any of the rows belongs to another organisation (shared with the viewer's forum, or public),
/// ONE entry `action` is written naming those owners, so each of them sees the read in its own
/// audit log. Needs a write transaction (see `audit::shared_read`).
pub fn list_audited(
    db: &mut dyn Conn,
    v: &Viewer,
    filters: &[Filter],
    action: &'static str,
    about: Option<(&'static str, i64)>,
    when: crate::kernel::audit::Reads,
) -> StoreResult<Vec<Page<Observation>>> {
    let mut pages = Vec::with_capacity(filters.len());
    let mut owners: Vec<i64> = Vec::new();
    for f in filters {
        let page = list(db, v, f)?;
        owners.extend(page.items.iter().map(|o| o.org_id));
        pages.push(page);
    }
    crate::kernel::audit::shared_read(db, v, action, about, &owners, when)?;
    Ok(pages)
}
