//! The observation import's checks, all in memory before anything is written: the settings
//! (forum, organisation, audience) into a context loaded once, the mapping against the table,
//! and every row — parsed the Swedish way and validated as a single report would be.

use super::*;

/// What an observation import needs to know besides the file: the forum whose checklist it
/// uses, the reporting organisation, who may see the rows.
#[derive(Debug, Clone)]
pub struct ObservationContext {
    pub forum: Forum,
    pub org_id: i64,
    pub visibility: Visibility,
    /// The forum's active categories.
    pub categories: Vec<Category>,
    /// Places rows may name: the forum's municipality's, or for a county-wide forum those of the
    /// organisation's municipalities.
    pub areas: Vec<Area>,
}

impl ObservationContext {
    pub fn municipality_name(&self) -> String {
        self.forum
            .municipality_code
            .as_deref()
            .and_then(geography::municipality)
            .map_or_else(|| "forumets kommuner".to_owned(), |m| m.name.to_owned())
    }
}

/// The settings chosen in the wizard's first steps.
#[derive(Debug, Clone, Default)]
pub struct ObservationSettings {
    pub forum_id: i64,
    /// The reporting organisation, when the viewer belongs to several in the forum.
    pub org_id: Option<i64>,
    /// `organisation` or `forum`; default as for a single report.
    pub visibility: Option<String>,
}

/// Loads the forum, its checklist and places once, so that rows are checked in memory.
pub fn observation_context(db: &mut dyn Conn, v: &Viewer, s: &ObservationSettings) -> StoreResult<Result<ObservationContext, Refusal>> {
    let forum = match forum::get(db, v, s.forum_id) {
        Ok(f) => f,
        Err(StoreError::NotFound { .. }) => {
            return Ok(Err(Refusal::Settings(FieldError::new("forum_id", "forum.unknown", "Välj ett forum i listan.").into())));
        }
        Err(e) => return Err(e),
    };
    let mut errs = FieldErrors::new();
    let org = import_org(v, s, &forum, &mut errs);
    let visibility = import_visibility(v, s, org, forum.id, &mut errs);
    if let Err(e) = errs.into_result() {
        return Ok(Err(Refusal::Settings(e)));
    }
    let org_id = org.expect("checked");
    let categories = categories::list(db, v, forum.id, false)?;
    let places = context_places(db, v, &forum, org_id)?;
    Ok(Ok(ObservationContext { forum, org_id, visibility: visibility.expect("checked"), categories, areas: places }))
}

/// The reporting organisation: the one chosen, or the viewer's only one in the forum; it must be
/// a member, and the viewer's role there must allow importing.
fn import_org(v: &Viewer, s: &ObservationSettings, forum: &Forum, errs: &mut FieldErrors) -> Option<i64> {
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    let mine: Vec<i64> = v.org_ids().into_iter().filter(|o| members.contains(o)).collect();
    let org = match s.org_id {
        Some(o) if mine.contains(&o) => Some(o),
        Some(_) => {
            errs.push(FieldError::new(
                "org_id",
                "forum.not_member",
                "Du kan bara importera för en organisation som du tillhör och som är med i forumet.",
            ));
            None
        }
        None => match mine.as_slice() {
            [one] => Some(*one),
            [] => {
                errs.push(FieldError::new(
                    "forum_id",
                    "forum.not_member",
                    "Ingen av dina organisationer är med i forumet. Välj ett annat forum eller be den sammankallande organisationen lägga till er.",
                ));
                None
            }
            _ => {
                errs.push(FieldError::new("org_id", "required", "Du tillhör flera organisationer i forumet: välj vilken som importerar."));
                None
            }
        },
    };
    if let Some(o) = org
        && !(may_import(v, o) && access::allowed(v, Action::Report { org: o }))
    {
        errs.push(FieldError::new(
            "org_id",
            "role.import",
            "Din roll i organisationen räcker inte för att importera. Import kräver rollen medlem, samordnare eller administratör.",
        ));
    }
    org
}

/// Who may see the rows: as chosen, or as for a single report (civil society and faith
/// communities keep theirs to themselves); never public.
fn import_visibility(v: &Viewer, s: &ObservationSettings, org: Option<i64>, forum_id: i64, errs: &mut FieldErrors) -> Option<Visibility> {
    let kind = org.and_then(|o| v.memberships().iter().find(|m| m.org_id == o)).map(|m| m.org_kind);
    match s.visibility.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None if matches!(kind, Some(OrgKind::CivilSociety | OrgKind::FaithCommunity)) => Some(Visibility::Organisation),
        None => Some(Visibility::Forum { forum_id }),
        Some(code) => match VisibilityKind::parse(code) {
            Ok(VisibilityKind::Organisation) => Some(Visibility::Organisation),
            Ok(VisibilityKind::Forum) => Some(Visibility::Forum { forum_id }),
            Ok(VisibilityKind::Public) => {
                errs.push(FieldError::new(
                    "visibility",
                    "visibility.public",
                    "Enskilda rapporter kan inte göras publika; bara sammanställningar visas utanför forumet. Välj forumet eller bara er organisation.",
                ));
                None
            }
            Err(e) => {
                errs.push(FieldError::new("visibility", e.code, e.message));
                None
            }
        },
    }
}

/// Places rows may name: the forum's municipality's, or for a county-wide forum those of the
/// organisation's municipalities.
fn context_places(db: &mut dyn Conn, v: &Viewer, forum: &Forum, org_id: i64) -> StoreResult<Vec<Area>> {
    let municipalities: Vec<String> = match &forum.municipality_code {
        Some(m) => vec![m.clone()],
        None => v.memberships().iter().find(|m| m.org_id == org_id).map(|m| m.municipalities.clone()).unwrap_or_default(),
    };
    let mut places = Vec::new();
    for m in &municipalities {
        places.extend(areas::list(db, v, m)?);
    }
    Ok(places)
}

/// Checks that the mapping names columns the file has and fills what every observation needs.
pub fn check_mapping(ctx: &ObservationContext, table: &Table, m: &ColumnMapping) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::new();
    check_sources(table, m, &mut errs);
    check_required(ctx, m, &mut errs);
    check_used_once(m, &mut errs);
    errs.into_result()
}

/// The form field of a target's column choice.
fn field(t: Target) -> String {
    format!("map_{}", t.code())
}

/// Each source: a column the file has, a constant only where one is allowed, and not empty.
fn check_sources(table: &Table, m: &ColumnMapping, errs: &mut FieldErrors) {
    for t in Target::ALL {
        match m.get(t) {
            Source::Column(i) if *i >= table.headers.len().max(table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0)) => {
                errs.push(FieldError::new(field(t), "mapping.column", format!("Filen har ingen kolumn {}.", column_letter(*i))));
            }
            Source::Constant(_) if !t.allows_constant() => {
                errs.push(FieldError::new(field(t), "mapping.constant", format!("{} måste komma från en kolumn.", t.label())));
            }
            Source::Constant(c) if c.trim().is_empty() => {
                errs.push(FieldError::new(
                    format!("const_{}", t.code()),
                    "required",
                    format!("Ange värdet som ska gälla för alla rader, eller välj en kolumn för {}.", t.label().to_lowercase()),
                ));
            }
            _ => {}
        }
    }
}

/// What every observation needs: a category and a date (a separate time only with a date
/// column), both coordinates or neither, a place in a county-wide forum; constants that exist.
fn check_required(ctx: &ObservationContext, m: &ColumnMapping, errs: &mut FieldErrors) {
    if matches!(m.get(Target::Category), Source::None) {
        errs.push(FieldError::new(
            field(Target::Category),
            "required",
            "Välj kolumnen med kategorin, eller välj en kategori som gäller för alla rader.",
        ));
    }
    if let Source::Constant(c) = m.get(Target::Category)
        && !c.trim().is_empty()
        && find_category(&ctx.categories, c).is_none()
    {
        errs.push(FieldError::new("const_category", "category.unknown", "Välj en kategori i forumets checklista."));
    }
    if let Source::Constant(c) = m.get(Target::Area)
        && !c.trim().is_empty()
        && find_area(&ctx.areas, c).is_none()
    {
        errs.push(FieldError::new("const_area", "area.unknown", "Välj en plats i listan."));
    }
    if matches!(m.get(Target::ObservedAt), Source::None) {
        errs.push(FieldError::new(
            field(Target::ObservedAt),
            "required",
            "Välj kolumnen med datum (och tid), eller ange ett datum som gäller för alla rader.",
        ));
    }
    if !matches!(m.get(Target::Time), Source::None) && !matches!(m.get(Target::ObservedAt), Source::Column(_)) {
        errs.push(FieldError::new(
            field(Target::Time),
            "mapping.time",
            "Ett klockslag i egen kolumn kräver att datumet också kommer från en kolumn.",
        ));
    }
    if matches!(m.get(Target::Lat), Source::None) != matches!(m.get(Target::Lon), Source::None) {
        errs.push(FieldError::new(
            field(Target::Lat),
            "mapping.position",
            "Välj kolumner för både latitud och longitud, eller för ingen av dem.",
        ));
    }
    if matches!(m.get(Target::Area), Source::None) && ctx.forum.municipality_code.is_none() {
        errs.push(FieldError::new(
            field(Target::Area),
            "required",
            "Forumet gäller flera kommuner, så varje rad behöver en plats: välj kolumnen med plats eller en plats för alla rader.",
        ));
    }
}

/// No column chosen for two fields.
fn check_used_once(m: &ColumnMapping, errs: &mut FieldErrors) {
    let mut used: HashMap<usize, Target> = HashMap::new();
    for t in Target::ALL {
        if let Source::Column(i) = m.get(t) {
            if let Some(other) = used.get(i) {
                errs.push(FieldError::new(
                    field(t),
                    "mapping.twice",
                    format!("Kolumn {} är redan vald för {}. Välj en annan kolumn.", column_letter(*i), other.label().to_lowercase()),
                ));
            } else {
                used.insert(*i, t);
            }
        }
    }
}

fn find_category<'a>(all: &'a [Category], key: &str) -> Option<&'a Category> {
    let key = key.trim();
    let lower = key.to_lowercase();
    all.iter().find(|c| c.id.to_string() == key || c.code == lower || c.name.to_lowercase() == lower)
}

fn find_area<'a>(all: &'a [Area], key: &str) -> Option<&'a Area> {
    let key = key.trim();
    let k = sort_key(key);
    all.iter().find(|a| a.id.to_string() == key || sort_key(&a.name) == k)
}

/// A row as it will be stored, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRow {
    /// The row as the spreadsheet numbers it.
    pub line: usize,
    pub category: String,
    pub area: Option<String>,
    pub observed_at_ms: Option<i64>,
    pub week: Option<String>,
    pub quantity: Option<i64>,
    pub intensity: Option<i64>,
    pub note: Option<String>,
    /// `(lat, lon)`.
    pub position: Option<(f64, f64)>,
    /// How many errors the row has (listed separately).
    pub errors: usize,
}

/// The outcome of checking every row.
#[derive(Debug, Clone)]
pub struct RowCheck {
    pub valid: Vec<ValidObservation>,
    /// The first rows, as they will be stored (with their error counts).
    pub preview: Vec<PreviewRow>,
    pub errors: RowErrors,
    /// Data rows in the file.
    pub rows: usize,
}

/// The lookups a row check needs, built once per file.
struct Lookup<'a> {
    categories: HashMap<String, &'a Category>,
    areas: HashMap<String, &'a Area>,
    category_names: String,
}

impl<'a> Lookup<'a> {
    fn new(ctx: &'a ObservationContext) -> Self {
        let mut categories = HashMap::new();
        for c in &ctx.categories {
            categories.insert(c.id.to_string(), c);
            categories.insert(c.code.clone(), c);
            categories.insert(c.name.clone(), c);
            categories.insert(c.name.to_lowercase(), c);
        }
        let mut areas = HashMap::new();
        for a in &ctx.areas {
            areas.insert(a.id.to_string(), a);
            areas.insert(a.name.clone(), a);
            areas.insert(sort_key(&a.name), a);
        }
        let category_names = ctx.categories.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
        Self { categories, areas, category_names }
    }

    fn category(&self, key: &str) -> Option<&'a Category> {
        let key = key.trim();
        self.categories.get(key).or_else(|| self.categories.get(&key.to_lowercase())).copied()
    }

    fn area(&self, key: &str) -> Option<&'a Area> {
        let key = key.trim();
        self.areas.get(key).or_else(|| self.areas.get(&sort_key(key))).copied()
    }
}

/// Reads "2024-11-20 21:30", "2024-11-20T21:30:00+01:00", "2024-11-20" (noon) or a date and a
/// separate time of day ("21:30", "21.30", "2130"), Swedish local time unless an offset is given.
fn parse_when(date: &str, time: Option<&str>) -> Result<Timestamp, String> {
    let date = date.trim();
    let text = match time.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            // A spreadsheet's time-of-day cell comes with Excel's day zero: "1899-12-31 21:30:00".
            let t = t.rsplit(' ').next().unwrap_or(t).replace('.', ":");
            let t = if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) { format!("{}:{}", &t[..2], &t[2..]) } else { t };
            let day = date.split([' ', 'T']).next().unwrap_or(date);
            format!("{day} {t}")
        }
        None => {
            // "2024-11-20 21.30": Swedish writes the time with a dot.
            match date.split_once(' ') {
                Some((d, t)) if t.len() <= 8 && t.contains('.') && !t.contains(':') => format!("{d} {}", t.replace('.', ":")),
                _ => date.to_owned(),
            }
        }
    };
    observations::parse_time("observed_at", &text).map_err(|e| e.message)
}

fn whole_number(text: &str) -> Result<Option<i64>, String> {
    match parse_number_sv(text) {
        Ok(SvNumber::Missing) => Ok(None),
        Ok(SvNumber::Number(v)) if v.fract() == 0.0 && v.abs() < 1e12 => Ok(Some(v as i64)),
        Ok(SvNumber::Number(_)) => Err(format!("”{}” är inget heltal. Skriv ett helt tal, till exempel 3.", short(text))),
        Ok(SvNumber::Percent(_) | SvNumber::Suppressed) => {
            Err(format!("”{}” är inget heltal. Skriv ett helt tal, till exempel 3.", short(text)))
        }
        Err(e) => Err(e.to_string()),
    }
}

fn coordinate(text: &str) -> Result<Option<f64>, String> {
    match parse_number_sv(text) {
        Ok(SvNumber::Missing) => Ok(None),
        Ok(SvNumber::Number(v)) => Ok(Some(v)),
        _ => Err(format!("”{}” är ingen koordinat. Skriv grader med decimaler, till exempel 55,3752 eller 55.3752.", short(text))),
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Checks every row against the forum's checklist, its places and the clock, in memory, and
/// turns the good ones into observations ready for `observations::create_many`. `now` is passed
/// in so that the preview and the commit agree.
pub fn check_rows(ctx: &ObservationContext, table: &Table, m: &ColumnMapping, now: Timestamp, preview_rows: usize) -> RowCheck {
    let lookup = Lookup::new(ctx);
    let name = |t: Target| match m.get(t) {
        Source::Column(i) => Some(table.column_name(*i)),
        Source::Constant(_) => Some(format!("{} (samma för alla rader)", t.label())),
        Source::None => None,
    };
    let names: HashMap<Target, Option<String>> = Target::ALL.iter().map(|t| (*t, name(*t))).collect();
    let rules = RowRules {
        lookup: &lookup,
        forum_municipality: ctx.forum.municipality_code.clone(),
        municipality_label: ctx.municipality_name(),
        latest: now + jiff::SignedDuration::from_mins(10),
    };
    let mut errors: Vec<RowError> = Vec::new();
    let mut total_errors = 0usize;
    let mut valid = Vec::with_capacity(table.rows.len());
    let mut preview = Vec::new();
    for row in &table.rows {
        let mut r = RowCells { row, m, names: &names, errs: Vec::new() };
        let checked = rules.check(&mut r);
        let row_errors = r.errs.len();
        if preview.len() < preview_rows {
            preview.push(checked.preview(&r, row_errors));
        }
        if row_errors > 0 {
            total_errors += row_errors;
            let room = MAX_ROW_ERRORS.saturating_sub(errors.len());
            errors.extend(r.errs.into_iter().take(room));
            continue;
        }
        if let Some(o) = checked.valid(ctx) {
            valid.push(o);
        }
    }
    RowCheck { valid, preview, errors: RowErrors { errors, total: total_errors }, rows: table.rows.len() }
}

/// One row under check: its cells by field (a column's value or the mapping's constant; `None`
/// when empty) and the errors found so far, each naming its row and column.
struct RowCells<'a> {
    row: &'a brygga_import::tabular::Row,
    m: &'a ColumnMapping,
    names: &'a HashMap<Target, Option<String>>,
    errs: Vec<RowError>,
}

impl<'a> RowCells<'a> {
    fn cell(&self, t: Target) -> Option<&'a str> {
        match self.m.get(t) {
            Source::Column(i) => Some(self.row.get(*i)).filter(|s| !s.trim().is_empty()),
            Source::Constant(c) => Some(c.as_str()).filter(|s| !s.trim().is_empty()),
            Source::None => None,
        }
    }

    fn err(&mut self, t: Target, code: &'static str, msg: String) {
        let column = self.names.get(&t).cloned().flatten();
        self.errs.push(RowError::new(self.row.line, column.as_deref(), code, msg));
    }
}

/// What every row is checked against: the forum's checklist and places, its municipality, and
/// the latest time a report may have.
struct RowRules<'a> {
    lookup: &'a Lookup<'a>,
    forum_municipality: Option<String>,
    municipality_label: String,
    latest: Timestamp,
}

/// A row's fields as checked; `None` where the field is wrong (its error is in the row's list).
struct CheckedRow<'a> {
    category: Option<&'a Category>,
    area: Option<&'a Area>,
    municipality: Option<String>,
    observed_at: Option<Timestamp>,
    quantity: Option<i64>,
    intensity: Option<Option<i64>>,
    note: Option<Option<String>>,
    position: Option<Option<(f64, f64)>>,
}

impl<'a> RowRules<'a> {
    /// Checks every field of the row, collecting each error.
    fn check(&self, r: &mut RowCells<'_>) -> CheckedRow<'a> {
        let category = self.category(r);
        let area = self.area(r);
        let municipality = self.municipality(r, area);
        let observed_at = self.observed_at(r);
        let quantity = quantity(r);
        let intensity = intensity(r, category);
        let note = note(r);
        let position = position(r, municipality.as_deref());
        CheckedRow { category, area, municipality, observed_at, quantity, intensity, note, position }
    }

    fn category(&self, r: &mut RowCells<'_>) -> Option<&'a Category> {
        let names = &self.lookup.category_names;
        match r.cell(Target::Category) {
            None => {
                r.err(Target::Category, "observation.category_missing", format!("Kategorin saknas. Skriv en av: {names}."));
                None
            }
            Some(k) => match self.lookup.category(k) {
                Some(c) => Some(c),
                None => {
                    r.err(
                        Target::Category,
                        "observation.unknown_category",
                        format!("Kategorin ”{}” finns inte i forumets checklista. Skriv en av: {names}.", short(k)),
                    );
                    None
                }
            },
        }
    }

    fn area(&self, r: &mut RowCells<'_>) -> Option<&'a Area> {
        let k = r.cell(Target::Area)?;
        let found = self.lookup.area(k);
        if found.is_none() {
            r.err(
                Target::Area,
                "observation.unknown_area",
                format!(
                    "Platsen ”{}” finns inte bland platserna i {}. Rätta namnet, lämna cellen tom eller be en samordnare lägga till platsen.",
                    short(k),
                    self.municipality_label
                ),
            );
        }
        found
    }

    fn municipality(&self, r: &mut RowCells<'_>, area: Option<&Area>) -> Option<String> {
        match (area, &self.forum_municipality) {
            (Some(a), _) => Some(a.municipality_code.clone()),
            (None, Some(mcode)) => Some(mcode.clone()),
            (None, None) => {
                if r.cell(Target::Area).is_none() {
                    r.err(Target::Area, "observation.area_missing", "Forumet gäller flera kommuner: ange platsen på raden.".to_owned());
                }
                None
            }
        }
    }

    fn observed_at(&self, r: &mut RowCells<'_>) -> Option<Timestamp> {
        let Some(d) = r.cell(Target::ObservedAt) else {
            r.err(
                Target::ObservedAt,
                "observation.time_missing",
                "Datum saknas. Skriv datum och gärna tid, till exempel 2024-11-20 21:30.".to_owned(),
            );
            return None;
        };
        match parse_when(d, r.cell(Target::Time)) {
            Ok(ts) if ts > self.latest => {
                r.err(
                    Target::ObservedAt,
                    "observation.time_future",
                    format!("Tidpunkten {} ligger i framtiden. Rätta datumet.", format_local(ts)),
                );
                None
            }
            Ok(ts) if ts.as_second() < 946_684_800 => {
                r.err(Target::ObservedAt, "observation.time_too_old", "Tidpunkten ligger före år 2000. Kontrollera årtalet.".to_owned());
                None
            }
            Ok(ts) => Some(ts),
            Err(msg) => {
                r.err(Target::ObservedAt, "observation.time_invalid", msg);
                None
            }
        }
    }
}

fn quantity(r: &mut RowCells<'_>) -> Option<i64> {
    match r.cell(Target::Quantity).map(whole_number) {
        None | Some(Ok(None)) => Some(1),
        Some(Ok(Some(q))) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
        Some(Ok(Some(_))) => {
            r.err(Target::Quantity, "observation.quantity_range", format!("Antalet ska vara ett heltal mellan 1 och {MAX_QUANTITY}."));
            None
        }
        Some(Err(msg)) => {
            r.err(Target::Quantity, "observation.quantity_invalid", msg);
            None
        }
    }
}

fn intensity(r: &mut RowCells<'_>, category: Option<&Category>) -> Option<Option<i64>> {
    match r.cell(Target::Intensity).map(whole_number) {
        None | Some(Ok(None)) => Some(None),
        Some(Ok(Some(i))) => match category.map(|c| (c.intensity_max, c.name.as_str())) {
            Some((Some(max), _)) if (1..=max).contains(&i) => Some(Some(i)),
            Some((Some(max), name)) => {
                r.err(Target::Intensity, "observation.intensity_range", format!("Intensiteten för {name} går från 1 till {max}."));
                None
            }
            Some((None, name)) => {
                r.err(
                    Target::Intensity,
                    "observation.intensity_none",
                    format!("Kategorin {name} har ingen intensitetsskala; lämna cellen tom och ange antal i stället."),
                );
                None
            }
            None => None,
        },
        Some(Err(msg)) => {
            r.err(Target::Intensity, "observation.intensity_invalid", msg);
            None
        }
    }
}

fn note(r: &mut RowCells<'_>) -> Option<Option<String>> {
    match NOTE.parse(r.cell(Target::Note).unwrap_or("")) {
        Ok(note) => Some(note),
        Err(e) if e.code == "note.personal_data" => {
            let found = personal_data::scan(r.cell(Target::Note).unwrap_or(""));
            r.err(Target::Note, "observation.personal_data", personal_data::explain_sv(&found));
            None
        }
        Err(e) => {
            r.err(Target::Note, "observation.note_invalid", e.message);
            None
        }
    }
}

/// Latitude and longitude: both or neither, inside Sweden and inside the row's municipality.
fn position(r: &mut RowCells<'_>, municipality: Option<&str>) -> Option<Option<(f64, f64)>> {
    match (r.cell(Target::Lat).map(coordinate), r.cell(Target::Lon).map(coordinate)) {
        (None | Some(Ok(None)), None | Some(Ok(None))) => Some(None),
        (Some(Err(msg)), _) => {
            r.err(Target::Lat, "observation.position_invalid", msg);
            None
        }
        (_, Some(Err(msg))) => {
            r.err(Target::Lon, "observation.position_invalid", msg);
            None
        }
        (Some(Ok(Some(lat))), Some(Ok(Some(lon)))) => placed(r, municipality, lat, lon),
        (Some(Ok(Some(_))), _) => {
            r.err(
                Target::Lon,
                "observation.position_incomplete",
                "Longituden saknas; ange både latitud och longitud, eller ingen av dem.".to_owned(),
            );
            None
        }
        (_, Some(Ok(Some(_)))) => {
            r.err(
                Target::Lat,
                "observation.position_incomplete",
                "Latituden saknas; ange både latitud och longitud, eller ingen av dem.".to_owned(),
            );
            None
        }
    }
}

/// A complete position, refused outside Sweden (with a hint when the two look swapped) or
/// outside the row's municipality.
fn placed(r: &mut RowCells<'_>, municipality: Option<&str>, lat: f64, lon: f64) -> Option<Option<(f64, f64)>> {
    let sweden = geography::SWEDEN_EXTENT;
    let inside = municipality.and_then(geography::municipality_extent).is_none_or(|e| e.contains(lon, lat));
    if !sweden.contains(lon, lat) {
        let hint = if sweden.contains(lat, lon) { " Latitud och longitud verkar ha bytt plats." } else { "" };
        r.err(Target::Lat, "observation.position_outside_sweden", format!("Positionen {lat:.5}, {lon:.5} ligger utanför Sverige.{hint}"));
        None
    } else if !inside {
        let mname = municipality.and_then(geography::municipality).map_or("kommunen", |m| m.name);
        r.err(
            Target::Lat,
            "observation.position_outside_municipality",
            format!("Positionen {lat:.5}, {lon:.5} ligger utanför {mname}. Kontrollera koordinaterna."),
        );
        None
    } else {
        Some(Some((lat, lon)))
    }
}

impl CheckedRow<'_> {
    /// The row as the preview shows it (a wrong category as typed).
    fn preview(&self, r: &RowCells<'_>, errors: usize) -> PreviewRow {
        PreviewRow {
            line: r.row.line,
            category: self.category.map_or_else(|| r.cell(Target::Category).unwrap_or("").to_owned(), |c| c.name.clone()),
            area: self.area.map(|a| a.name.clone()),
            observed_at_ms: self.observed_at.map(|t| t.as_millisecond()),
            week: self.observed_at.map(|t| IsoWeek::of(t).to_string()),
            quantity: self.quantity,
            intensity: self.intensity.flatten(),
            note: self.note.clone().flatten(),
            position: self.position.flatten(),
            errors,
        }
    }

    /// The observation to store, when every field is right.
    fn valid(self, ctx: &ObservationContext) -> Option<ValidObservation> {
        let (Some(c), Some(municipality), Some(at), Some(quantity), Some(intensity), Some(note), Some(position)) =
            (self.category, self.municipality, self.observed_at, self.quantity, self.intensity, self.note, self.position)
        else {
            return None;
        };
        Some(ValidObservation {
            org_id: ctx.org_id,
            visibility: ctx.visibility,
            municipality,
            area_id: self.area.map(|a| a.id),
            category_id: c.id,
            observed_at_ms: at.as_millisecond(),
            week: IsoWeek::of(at),
            quantity,
            intensity,
            position,
            note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_separate_times() {
        let a = parse_when("2024-11-20", Some("21.30")).unwrap();
        let b = parse_when("2024-11-20 21:30", None).unwrap();
        let c = parse_when("2024-11-20 21.30", None).unwrap();
        let d = parse_when("2024-11-20", Some("2130")).unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        assert_eq!(c, d);
        assert_eq!(b.to_string(), "2024-11-20T20:30:00Z");
        assert_eq!(parse_when("2024-11-20 00:00:00", Some("1899-12-31 21:30:00")).unwrap(), b, "a spreadsheet's time cell");
        assert!(parse_when("20 nov", None).is_err());
    }

    #[test]
    fn whole_numbers_the_swedish_way() {
        assert_eq!(whole_number("3"), Ok(Some(3)));
        assert_eq!(whole_number("3,0"), Ok(Some(3)));
        assert_eq!(whole_number(""), Ok(None));
        assert!(whole_number("2,5").is_err());
        assert!(whole_number("tre").is_err());
    }
}
