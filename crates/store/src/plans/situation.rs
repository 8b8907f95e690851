//! The lägesbild (kind `situation`: the municipality's picture) and the joint problembild (kind
//! `problem_picture`: municipality and local police area) as versioned documents: the header
//! and parties, the text the coordinator writes per section of the law, other relevant
//! information entered by hand, the live figures ([`super::figures`]) frozen on adoption, the
//! problems and causes ([`super::problems`]), and warnings (triangulation, staleness, problems
//! without causes, a problembild with one party).
//!
//! Read rule: [`DocTable::Situation`] ([`Doc::load`]); writes: a draft, by a party's coordinator
//! ([`Permission::WritePlan`]); adopting, new versions and sharing: the owner's coordinators
//! ([`Permission::AdoptPlan`]).

use brygga_domain::plans::{DocumentStatus, SectionKind, SituationKind, SourceKind};
use brygga_domain::text::TextRule;
use brygga_domain::time::parse_date;
use brygga_domain::{FieldError, FieldErrors, OrgKind, VisibilityKind};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::figures::{self, FigureSpec, Figures};
use super::problems::{self, Problem};
use super::{Doc, DocTable, new_key};
use crate::forum_work::actions::clean_text;
use crate::forums::forum::OrgRef;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::picture::weekly::DEFAULT_SUPPRESS_BELOW;
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Titeln", 200);
pub const SUMMARY: TextRule = TextRule::line("summary", "Sammanfattningen", 20_000).optional().multiline();
pub const CRIME: TextRule = TextRule::line("crime", "Texten om brottsligheten", 20_000).optional().multiline();
pub const OTHER: TextRule = TextRule::line("other", "Texten om annan relevant information", 20_000).optional().multiline();
pub const ANALYSIS: TextRule = TextRule::line("analysis", "Analysen", 20_000).optional().multiline();
pub const SOURCE_TITLE: TextRule = TextRule::line("title", "Rubriken", 200);
pub const SOURCE_SUMMARY: TextRule = TextRule::line("summary", "Sammanfattningen", 4000).optional().multiline();
pub const SOURCE_SOURCE: TextRule = TextRule::line("source", "Källan", 300);
pub const DECIDED_BY: TextRule = TextRule::line("decided_by", "Beslutande organ", 200).optional();
pub const DECISION_REF: TextRule = TextRule::line("decision_ref", "Diarienumret", 100).optional();

/// The document's header.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Situation {
    pub id: i64,
    pub lineage_id: i64,
    pub version_no: i64,
    /// `situation` or `problem_picture`.
    pub kind: String,
    pub kind_label: String,
    /// `draft`, `adopted` or `superseded`.
    pub status: String,
    pub status_label: String,
    pub title: String,
    pub municipality_code: String,
    pub municipality_name: String,
    pub year: i64,
    /// 1 or 2 for a half-year; `null` for the whole year.
    pub half: Option<i64>,
    /// "2026", "första halvåret 2026".
    pub period_label: String,
    pub picture_forum: Option<OrgRef>,
    pub stale_after_months: i64,
    pub owner: OrgRef,
    /// Owner and co-owners.
    pub parties: Vec<OrgRef>,
    /// `organisation`, `forum` or `public`.
    pub visibility: String,
    pub forum_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_ref: Option<String>,
    pub adopted_at_ms: Option<i64>,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Situation {
    pub fn status(&self) -> DocumentStatus {
        DocumentStatus::from_code(&self.status).unwrap_or(DocumentStatus::Draft)
    }
    /// The period's first and last day.
    pub fn period(&self) -> (Date, Date) {
        period(self.year, self.half)
    }
}

/// The first and last day of a year or half-year.
pub fn period(year: i64, half: Option<i64>) -> (Date, Date) {
    let y = year as i16;
    match half {
        Some(1) => (Date::constant(y, 1, 1), Date::constant(y, 6, 30)),
        Some(2) => (Date::constant(y, 7, 1), Date::constant(y, 12, 31)),
        _ => (Date::constant(y, 1, 1), Date::constant(y, 12, 31)),
    }
}

pub fn period_label(year: i64, half: Option<i64>) -> String {
    match half {
        Some(1) => format!("första halvåret {year}"),
        Some(2) => format!("andra halvåret {year}"),
        _ => year.to_string(),
    }
}

/// The SELECT that [`Situation::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT t.id, t.lineage_id, t.version_no, t.kind, t.status, t.title, t.municipality_code, m.name AS municipality_name,
        t.year, t.half, t.picture_forum_id, f.name AS picture_forum_name, t.stale_after_months, t.owner_org_id, o.name AS owner_name,
        t.visibility, t.forum_id, t.decided_by, t.decided_on, t.decision_ref, t.adopted_at, t.version, t.created_at, t.updated_at
     FROM situations t JOIN organisations o ON o.id = t.owner_org_id JOIN municipalities m ON m.code = t.municipality_code
     LEFT JOIN forums f ON f.id = t.picture_forum_id";

impl FromRow for Situation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let k = SituationKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("kind {kind}")))?;
        let status: String = r.get("status")?;
        let s = DocumentStatus::from_code(&status).ok_or_else(|| DbError::Decode(format!("status {status}")))?;
        let (year, half): (i64, Option<i64>) = (r.get("year")?, r.get("half")?);
        let forum_id: Option<i64> = r.get("picture_forum_id")?;
        let forum_name: Option<String> = r.get("picture_forum_name")?;
        Ok(Self {
            id: r.get("id")?,
            lineage_id: r.get("lineage_id")?,
            version_no: r.get("version_no")?,
            kind,
            kind_label: k.label().to_owned(),
            status,
            status_label: s.label().to_owned(),
            title: r.get("title")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            year,
            half,
            period_label: period_label(year, half),
            picture_forum: forum_id.zip(forum_name).map(|(id, name)| OrgRef { id, name }),
            stale_after_months: r.get("stale_after_months")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            parties: Vec::new(),
            visibility: r.get("visibility")?,
            forum_id: r.get("forum_id")?,
            decided_by: r.get("decided_by")?,
            decided_on: r.get("decided_on")?,
            decision_ref: r.get("decision_ref")?,
            adopted_at_ms: r.get("adopted_at")?,
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// The coordinator's text of one section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    /// `summary`, `crime`, `other` or `analysis`.
    pub section: String,
    pub label: String,
    pub body: Option<String>,
}

/// Other relevant information entered by hand, with its source and date.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    pub id: i64,
    pub key: String,
    /// `school_survey`, `staff_dialogue`, `citizen_dialogue`, `civil_society` or `other`.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub summary: Option<String>,
    pub source: String,
    /// `2026-05-12`.
    pub source_date: String,
    pub position: i64,
}

const SOURCE_SELECT: &str = "SELECT id, key, kind, title, summary, source, source_date, position FROM situation_sources";

impl FromRow for Source {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        let k = SourceKind::from_code(&kind).ok_or_else(|| DbError::Decode(format!("source kind {kind}")))?;
        Ok(Self {
            id: r.get("id")?,
            key: r.get("key")?,
            kind_label: k.label().to_owned(),
            kind,
            title: r.get("title")?,
            summary: r.get("summary")?,
            source: r.get("source")?,
            source_date: r.get("source_date")?,
            position: r.get("position")?,
        })
    }
}

/// A warning shown at the top of the document, in plain Swedish.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    /// `triangulation`, `stale`, `problem_without_causes` or `one_party`.
    pub code: String,
    pub text: String,
    /// Where to fix it on the page (`#problem-3`), or `null`.
    pub anchor: Option<String>,
}

/// A version of the lineage, for the version list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionRef {
    pub id: i64,
    pub version_no: i64,
    pub status: String,
    pub status_label: String,
    pub adopted_at_ms: Option<i64>,
}

/// [`load`] with the audit entry of the read (see [`Doc::read_entry`]), for
/// `Store::read_audited`: a reader outside the parties is logged in the parties' audit logs.
pub fn load_audited(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(SituationDocument, crate::kernel::audit::SharedRead)> {
    let d = load(db, v, id)?;
    Ok((d, super::read_entry(db, v, DocTable::Situation, id)?))
}

/// The whole document as the viewer may see it: the page's model and the API's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SituationDocument {
    pub situation: Situation,
    pub sections: Vec<Section>,
    pub sources: Vec<Source>,
    pub problems: Vec<Problem>,
    /// Live figures for a draft; the frozen figures of an adopted version.
    pub figures: Figures,
    /// The figures are the ones frozen on adoption.
    pub figures_frozen: bool,
    /// Counts below the threshold are hidden (the viewer is not a party).
    pub suppressed: bool,
    /// The lägesbilder a problembild is built from.
    pub inputs: Vec<VersionRef>,
    pub warnings: Vec<Warning>,
    pub versions: Vec<VersionRef>,
    /// The viewer is a party's user.
    pub is_party: bool,
    /// The viewer may change this version's content (a draft, a party's coordinator).
    pub can_write: bool,
    /// The viewer may adopt, start a new version, share (the owner's coordinator).
    pub can_adopt: bool,
}

fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Situation> {
    let mut s: Situation = db.opt(&format!("{SELECT} WHERE t.id = $1"), args![id])?.ok_or(StoreError::not_found("situation"))?;
    s.parties = db.all(
        "SELECT o.id, o.name FROM situation_parties p JOIN organisations o ON o.id = p.org_id WHERE p.situation_id = $1 ORDER BY o.name_key",
        args![id],
    )?;
    Ok(s)
}

/// The header of a version the viewer may read.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Situation> {
    Doc::load(db, v, DocTable::Situation, id)?;
    fetch(db, id)
}

fn spec(s: &Situation) -> FigureSpec {
    let (from, to) = s.period();
    let picture_name = match &s.picture_forum {
        Some(f) => format!("forumet {}", f.name),
        None => format!("{}s egen lägesbild", s.owner.name),
    };
    FigureSpec {
        municipality_code: s.municipality_code.clone(),
        from,
        to,
        year: s.year,
        picture_forum_id: s.picture_forum.as_ref().map(|f| f.id),
        picture_name,
        owner_org_id: s.owner.id,
        owner_name: s.owner.name.clone(),
    }
}

/// The figures of a version: the frozen ones of an adopted version, live ones of a draft;
/// suppressed for viewers who are not parties.
pub fn figures_of(db: &mut dyn Conn, v: &Viewer, doc: &Doc, s: &Situation) -> StoreResult<(Figures, bool)> {
    let frozen: Option<String> = db.scalar("SELECT frozen_figures FROM situations WHERE id = $1", args![s.id])?;
    let (mut f, is_frozen) = match frozen {
        Some(json) => (serde_json::from_str(&json).map_err(|e| StoreError::Internal(format!("frozen figures: {e}")))?, true),
        None => {
            let spec = spec(s);
            (figures::compute(db, v, &spec)?, false)
        }
    };
    if !doc.is_party(v) {
        figures::suppress(&mut f, DEFAULT_SUPPRESS_BELOW);
    }
    Ok((f, is_frozen))
}

fn sections(db: &mut dyn Conn, id: i64) -> StoreResult<Vec<Section>> {
    let rows: Vec<(String, String)> =
        db.map_all("SELECT section, body FROM situation_sections WHERE situation_id = $1", args![id], |r| {
            Ok((r.get("section")?, r.get("body")?))
        })?;
    Ok(SectionKind::ALL
        .iter()
        .map(|k| Section {
            section: k.code().to_owned(),
            label: k.label().to_owned(),
            body: rows.iter().find(|r| r.0 == k.code()).map(|r| r.1.clone()),
        })
        .collect())
}

fn sources(db: &mut dyn Conn, id: i64) -> StoreResult<Vec<Source>> {
    Ok(db.all(&format!("{SOURCE_SELECT} WHERE situation_id = $1 ORDER BY position, id"), args![id])?)
}

fn versions(db: &mut dyn Conn, v: &Viewer, lineage_id: i64) -> StoreResult<Vec<VersionRef>> {
    let [orgs, forums] = sharing::readable_args(v);
    let readable = DocTable::Situation.readable(db, "t", 2);
    let rows = db.map_all(
        &format!("SELECT t.id, t.version_no, t.status, t.adopted_at FROM situations t WHERE t.lineage_id = $1 AND {readable} ORDER BY t.version_no"),
        &[lineage_id.into(), orgs, forums],
        |r| {
            let status: String = r.get("status")?;
            Ok(VersionRef {
                id: r.get("id")?,
                version_no: r.get("version_no")?,
                status_label: DocumentStatus::from_code(&status).map(|s| s.label().to_owned()).unwrap_or_default(),
                status,
                adopted_at_ms: r.get("adopted_at")?,
            })
        },
    )?;
    Ok(rows)
}

/// The whole document, as the viewer may see it.
pub fn load(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<SituationDocument> {
    let doc = Doc::load(db, v, DocTable::Situation, id)?;
    let situation = fetch(db, id)?;
    let (figures, figures_frozen) = figures_of(db, v, &doc, &situation)?;
    let problems = problems::problems_of(db, v, id)?;
    let sources = sources(db, id)?;
    let inputs = {
        let [orgs, forums] = sharing::readable_args(v);
        let readable = DocTable::Situation.readable(db, "t", 2);
        db.map_all(
            &format!(
                "SELECT t.id, t.version_no, t.status, t.adopted_at FROM situation_inputs i JOIN situations t ON t.id = i.input_situation_id
                 WHERE i.situation_id = $1 AND {readable} ORDER BY t.id"
            ),
            &[id.into(), orgs, forums],
            |r| {
                let status: String = r.get("status")?;
                Ok(VersionRef {
                    id: r.get("id")?,
                    version_no: r.get("version_no")?,
                    status_label: DocumentStatus::from_code(&status).map(|s| s.label().to_owned()).unwrap_or_default(),
                    status,
                    adopted_at_ms: r.get("adopted_at")?,
                })
            },
        )?
    };
    let is_party = doc.is_party(v);
    let can_write = doc.status == DocumentStatus::Draft && doc.acting_party(v, None, |org| Permission::WritePlan { org }).is_ok();
    let can_adopt = access::allowed(v, Permission::AdoptPlan { org: doc.owner_org_id });
    let mut out = SituationDocument {
        sections: sections(db, id)?,
        sources,
        problems,
        figures,
        figures_frozen,
        suppressed: !is_party,
        inputs,
        warnings: Vec::new(),
        versions: versions(db, v, doc.lineage_id)?,
        is_party,
        can_write,
        can_adopt,
        situation,
    };
    out.warnings = if is_party { warnings(&out, now_ms()) } else { Vec::new() };
    Ok(out)
}

/// Months between two instants, counted as whole calendar months.
fn months_between(from_ms: i64, to_ms: i64) -> i64 {
    let date = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap_or_default().to_zoned(brygga_domain::time::stockholm()).date();
    let (a, b) = (date(from_ms), date(to_ms));
    let mut n = (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month()) - i64::from(a.month());
    if b.day() < a.day() {
        n -= 1;
    }
    n
}

/// The warnings of a document at `now_ms`, in plain Swedish.
pub fn warnings(d: &SituationDocument, now_ms: i64) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut kinds: Vec<&str> = figures::kinds_with_data(&d.figures);
    for s in &d.sources {
        if !kinds.contains(&s.kind.as_str()) {
            kinds.push(s.kind.as_str());
        }
    }
    if kinds.len() < 2 {
        out.push(Warning {
            code: "triangulation".into(),
            text: format!(
                "Bilden vilar på {} slag av källa. Komplettera med fler slag — anmälningsstatistik, polisens händelser, EST-rapporter, trygghetsmätningar eller annan information som skolenkäter och dialoger — så att slutsatserna inte hänger på en enda källa.",
                if kinds.is_empty() { "inget".to_owned() } else { "ett enda".to_owned() }
            ),
            anchor: Some("#kallor".into()),
        });
    }
    let months = months_between(d.situation.updated_at_ms, now_ms);
    if months > d.situation.stale_after_months {
        out.push(Warning {
            code: "stale".into(),
            text: format!(
                "Dokumentet har inte uppdaterats på {months} månader (gränsen är {} månader). Se över siffrorna och texten, eller starta en ny version.",
                d.situation.stale_after_months
            ),
            anchor: None,
        });
    }
    for p in d.problems.iter().filter(|p| p.causes.is_empty()) {
        out.push(Warning {
            code: "problem_without_causes".into(),
            text: format!(
                "Det prioriterade problemet ”{}” saknar orsaker. Ange orsaker utifrån problemtriangeln eller risk- och skyddsfaktorer.",
                p.title
            ),
            anchor: Some(format!("#problem-{}", p.id)),
        });
    }
    if d.situation.kind == SituationKind::ProblemPicture.code() && d.situation.parties.len() < 2 {
        out.push(Warning {
            code: "one_party".into(),
            text: "Den gemensamma problembilden har bara en part. Den ska tas fram av kommunen och lokalpolisområdet tillsammans.".into(),
            anchor: None,
        });
    }
    out
}

/// Filters of the list.
pub fn list(db: &mut dyn Conn, v: &Viewer, municipality: Option<&str>) -> StoreResult<Vec<Situation>> {
    let [orgs, forums] = sharing::readable_args(v);
    let readable = DocTable::Situation.readable(db, "t", 1);
    let mut params = vec![orgs, forums];
    let mut sql = format!("{SELECT} WHERE {readable}");
    if let Some(m) = municipality {
        params.push(m.into());
        sql.push_str(" AND t.municipality_code = $3");
    }
    sql.push_str(" ORDER BY m.name, t.year DESC, t.half, t.lineage_id, t.version_no DESC");
    let mut items: Vec<Situation> = db.all(&sql, &params)?;
    // SQL orders by the names' code points (Ä before Å); a stable sort puts them in Swedish order.
    items.sort_by_cached_key(|s| crate::sort_key(&s.municipality_name));
    for s in &mut items {
        s.parties = db.all(
            "SELECT o.id, o.name FROM situation_parties p JOIN organisations o ON o.id = p.org_id WHERE p.situation_id = $1 ORDER BY o.name_key",
            args![s.id],
        )?;
    }
    Ok(items)
}

// ---------------------------------------------------------------------------------------------
// Commands

/// A new document as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SituationInput {
    /// `situation` (lägesbild) or `problem_picture` (gemensam problembild).
    pub kind: String,
    pub title: String,
    /// Four-digit municipality code; the owner needs an approved claim on it.
    pub municipality_code: String,
    pub year: Option<i64>,
    /// 1 or 2 for a half-year; absent for the whole year.
    #[serde(default)]
    pub half: Option<i64>,
    /// The forum whose joint picture the EST figures come from (one the owner is a member of, in
    /// the municipality). Absent: the owner's own picture. Required for a problembild.
    #[serde(default)]
    pub picture_forum_id: Option<i64>,
    /// Co-owners; a problembild needs the local police organisation among them.
    #[serde(default)]
    pub co_owner_org_ids: Vec<i64>,
    /// The owning organisation, when the caller coordinates several.
    #[serde(default)]
    pub org_id: Option<i64>,
}

fn org_kind(db: &mut dyn Conn, id: i64) -> StoreResult<Option<String>> {
    Ok(db.scalar_opt("SELECT kind FROM organisations WHERE id = $1", args![id])?)
}

fn is_forum_member(db: &mut dyn Conn, forum_id: i64, org_id: i64) -> StoreResult<bool> {
    let n: i64 = db.scalar("SELECT COUNT(*) FROM forum_members WHERE forum_id = $1 AND org_id = $2", args![forum_id, org_id])?;
    Ok(n > 0)
}

/// Starts a draft (version 1) owned by one of the viewer's organisations.
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &SituationInput) -> StoreResult<SituationDocument> {
    let mine: Vec<i64> = v.org_ids();
    let owner = access::acting_org(v, &mine, input.org_id, |org| Permission::WritePlan { org }).ok_or(StoreError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let kind = errs.take(SituationKind::parse(input.kind.trim()));
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let code = input.municipality_code.trim().to_owned();
    let claimed = v.memberships().iter().any(|m| m.org_id == owner && m.municipalities.contains(&code));
    if code.is_empty() {
        errs.push(FieldError::new("municipality_code", "required", "Välj kommun."));
    } else if !claimed {
        errs.push(FieldError::new(
            "municipality_code",
            "plans.no_claim",
            "Organisationen har inget godkänt anspråk på att arbeta i kommunen. Välj en kommun där den arbetar, eller ansök om att få arbeta där först.",
        ));
    }
    match input.year {
        None => errs.push(FieldError::new("year", "required", "Ange år, till exempel 2026.")),
        Some(y) if !(2000..=2100).contains(&y) => errs.push(FieldError::new("year", "year.range", "Ange ett år mellan 2000 och 2100.")),
        Some(_) => {}
    }
    if input.half.is_some_and(|h| !(1..=2).contains(&h)) {
        errs.push(FieldError::new("half", "half.range", "Halvår är 1 (januari–juni) eller 2 (juli–december); lämna tomt för helt år."));
    }
    if let Some(f) = input.picture_forum_id {
        let in_muni: Option<Option<String>> = db.scalar_opt("SELECT municipality_code FROM forums WHERE id = $1", args![f])?;
        if !is_forum_member(db, f, owner)? || in_muni.flatten().as_deref() != Some(code.as_str()) {
            errs.push(FieldError::new(
                "picture_forum_id",
                "plans.forum",
                "Forumet är inte ett forum som organisationen är med i, i den här kommunen. Välj ett av organisationens forum, eller lämna tomt för den egna lägesbilden.",
            ));
        }
    } else if kind == Some(SituationKind::ProblemPicture) {
        errs.push(FieldError::new(
            "picture_forum_id",
            "required",
            "Välj forumet vars gemensamma lägesbild problembilden bygger på (kommunens och polisens gemensamma forum).",
        ));
    }
    let mut parties = vec![owner];
    let mut police = false;
    for o in &input.co_owner_org_ids {
        match org_kind(db, *o)? {
            None => {
                errs.push(FieldError::new("co_owner_org_ids", "org.unknown", "En av medägarna finns inte. Välj i listan."));
                break;
            }
            Some(k) => {
                police |= k == OrgKind::Police.code();
                if !parties.contains(o) {
                    parties.push(*o);
                }
            }
        }
    }
    if kind == Some(SituationKind::ProblemPicture) && !police {
        errs.push(FieldError::new(
            "co_owner_org_ids",
            "plans.police_party",
            "En gemensam problembild tas fram med lokalpolisområdet: välj polisens organisation som medägare.",
        ));
    }
    errs.into_result()?;
    let (kind, title, year) = (kind.expect("checked"), title.flatten().expect("checked"), input.year.expect("checked"));
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO situations (lineage_id, version_no, kind, status, title, municipality_code, year, half, picture_forum_id, owner_org_id,
            visibility, created_by_user_id, version, created_at, updated_at)
         VALUES (0, 1, $1, 'draft', $2, $3, $4, $5, $6, $7, 'organisation', $8, 1, $9, $9) RETURNING id",
        args![kind.code(), title.as_str(), code.as_str(), year, input.half, input.picture_forum_id, owner, v.user_id(), now],
    )?;
    db.execute("UPDATE situations SET lineage_id = id WHERE id = $1", args![id])?;
    for p in &parties {
        db.execute("INSERT INTO situation_parties (situation_id, org_id) VALUES ($1, $2)", args![id, *p])?;
    }
    // A problembild is built from the parties' own lägesbilder of the period (the latest readable version).
    if kind == SituationKind::ProblemPicture {
        let inputs: Vec<i64> = db.scalars(
            &format!(
                "SELECT MAX(t.id) FROM situations t WHERE t.kind = 'situation' AND t.municipality_code = $1 AND t.year = $2 AND {}
                 GROUP BY t.owner_org_id",
                db.dialect().in_list("t.owner_org_id", 3)
            ),
            &[code.as_str().into(), year.into(), Value::IntList(parties.clone())],
        )?;
        for i in inputs {
            db.execute("INSERT INTO situation_inputs (situation_id, input_situation_id) VALUES ($1, $2)", args![id, i])?;
        }
    }
    crate::kernel::index::touch(db, "situation", id)?;
    audit::record(db, v, Event::new("situation.create").record("situation", id).orgs(&parties))?;
    load(db, v, id)
}

/// The header and the section texts of a draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SituationEdit {
    pub title: String,
    /// Warn when not updated for this many months (1–60); default 6.
    #[serde(default)]
    pub stale_after_months: Option<i64>,
    /// Sammanfattning.
    #[serde(default)]
    pub summary: Option<String>,
    /// Brottsligheten, dess omfattning och konsekvenser.
    #[serde(default)]
    pub crime: Option<String>,
    /// Annan relevant information.
    #[serde(default)]
    pub other: Option<String>,
    /// Analys: prioriterade problem och deras orsaker.
    #[serde(default)]
    pub analysis: Option<String>,
}

/// The draft the viewer may write, and the party it acts for.
pub(crate) fn writable(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(Doc, i64)> {
    let doc = Doc::load(db, v, DocTable::Situation, id)?;
    let org = doc.acting_party(v, None, |org| Permission::WritePlan { org })?;
    doc.require_draft()?;
    Ok((doc, org))
}

/// Changes the header and the texts of a draft; `expected` is the version the editor saw.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, expected: Option<i64>, input: &SituationEdit) -> StoreResult<SituationDocument> {
    let (doc, org) = writable(db, v, id)?;
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let texts: Vec<(SectionKind, Option<Option<String>>)> = vec![
        (SectionKind::Summary, clean_text(&mut errs, &SUMMARY, input.summary.as_deref())),
        (SectionKind::Crime, clean_text(&mut errs, &CRIME, input.crime.as_deref())),
        (SectionKind::Other, clean_text(&mut errs, &OTHER, input.other.as_deref())),
        (SectionKind::Analysis, clean_text(&mut errs, &ANALYSIS, input.analysis.as_deref())),
    ];
    let stale = input.stale_after_months.unwrap_or(6);
    if !(1..=60).contains(&stale) {
        errs.push(FieldError::new("stale_after_months", "range", "Ange ett antal månader mellan 1 och 60."));
    }
    errs.into_result()?;
    doc.touch(db, expected)?;
    db.execute(
        "UPDATE situations SET title = $1, stale_after_months = $2 WHERE id = $3",
        args![title.flatten().expect("checked"), stale, id],
    )?;
    for (kind, body) in texts {
        db.execute("DELETE FROM situation_sections WHERE situation_id = $1 AND section = $2", args![id, kind.code()])?;
        if let Some(Some(body)) = body {
            db.execute("INSERT INTO situation_sections (situation_id, section, body) VALUES ($1, $2, $3)", args![id, kind.code(), body])?;
        }
    }
    audit::record(db, v, Event::new("situation.edit").record("situation", id).org(org))?;
    load(db, v, id)
}

/// Other relevant information, as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// `school_survey`, `staff_dialogue`, `citizen_dialogue`, `civil_society` or `other`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    /// Who produced it ("Skolenkäten, utbildningsförvaltningen").
    pub source: String,
    /// `2026-05-12`.
    pub source_date: String,
}

struct ValidSource {
    kind: SourceKind,
    title: String,
    summary: Option<String>,
    source: String,
    source_date: String,
}

fn check_source(input: &SourceInput) -> Result<ValidSource, FieldErrors> {
    let mut errs = FieldErrors::new();
    let kind = errs.take(SourceKind::parse(input.kind.trim()));
    let title = clean_text(&mut errs, &SOURCE_TITLE, Some(&input.title));
    let summary = clean_text(&mut errs, &SOURCE_SUMMARY, input.summary.as_deref());
    let source = clean_text(&mut errs, &SOURCE_SOURCE, Some(&input.source));
    let date = if input.source_date.trim().is_empty() {
        errs.push(FieldError::new("source_date", "required", "Ange källans datum, till exempel 2026-05-12."));
        None
    } else {
        errs.take(parse_date("source_date", input.source_date.trim()))
    };
    errs.into_result()?;
    Ok(ValidSource {
        kind: kind.expect("checked"),
        title: title.flatten().expect("checked"),
        summary: summary.expect("checked"),
        source: source.flatten().expect("checked"),
        source_date: date.expect("checked").to_string(),
    })
}

pub fn add_source(db: &mut dyn Conn, v: &Viewer, id: i64, input: &SourceInput) -> StoreResult<Source> {
    let (doc, org) = writable(db, v, id)?;
    let s = check_source(input)?;
    doc.touch(db, None)?;
    let position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM situation_sources WHERE situation_id = $1", args![id])?;
    let sid: i64 = db.scalar(
        "INSERT INTO situation_sources (situation_id, key, kind, title, summary, source, source_date, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![id, new_key(), s.kind.code(), s.title, s.summary, s.source, s.source_date, position],
    )?;
    audit::record(db, v, Event::new("situation.source.add").record("situation", id).org(org))?;
    source(db, id, sid)
}

fn source(db: &mut dyn Conn, id: i64, sid: i64) -> StoreResult<Source> {
    db.opt(&format!("{SOURCE_SELECT} WHERE situation_id = $1 AND id = $2"), args![id, sid])?.ok_or(StoreError::not_found("source"))
}

pub fn edit_source(db: &mut dyn Conn, v: &Viewer, id: i64, sid: i64, input: &SourceInput) -> StoreResult<Source> {
    let (doc, org) = writable(db, v, id)?;
    source(db, id, sid)?;
    let s = check_source(input)?;
    doc.touch(db, None)?;
    db.execute(
        "UPDATE situation_sources SET kind = $1, title = $2, summary = $3, source = $4, source_date = $5 WHERE id = $6",
        args![s.kind.code(), s.title, s.summary, s.source, s.source_date, sid],
    )?;
    audit::record(db, v, Event::new("situation.source.edit").record("situation", id).org(org))?;
    source(db, id, sid)
}

pub fn remove_source(db: &mut dyn Conn, v: &Viewer, id: i64, sid: i64) -> StoreResult<()> {
    let (doc, org) = writable(db, v, id)?;
    source(db, id, sid)?;
    doc.touch(db, None)?;
    db.execute("DELETE FROM situation_sources WHERE id = $1", args![sid])?;
    audit::record(db, v, Event::new("situation.source.remove").record("situation", id).org(org))?;
    Ok(())
}

/// The decision behind an adoption.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdoptInput {
    /// The deciding body ("Kommunstyrelsen").
    #[serde(default)]
    pub decided_by: Option<String>,
    /// `2026-03-15`.
    #[serde(default)]
    pub decided_on: Option<String>,
    /// Reference number in the diarium.
    #[serde(default)]
    pub decision_ref: Option<String>,
}

/// Adopts a draft: the figures are computed and frozen into it, the previous adopted version of
/// the lineage is superseded. The owner's coordinators.
pub fn adopt(db: &mut dyn Conn, v: &Viewer, id: i64, expected: Option<i64>, input: &AdoptInput) -> StoreResult<SituationDocument> {
    let doc = Doc::load(db, v, DocTable::Situation, id)?;
    let org = doc.acting_owner(v, |org| Permission::AdoptPlan { org })?;
    doc.require_draft()?;
    let mut errs = FieldErrors::new();
    let by = clean_text(&mut errs, &DECIDED_BY, input.decided_by.as_deref());
    let reference = clean_text(&mut errs, &DECISION_REF, input.decision_ref.as_deref());
    let on = match input.decided_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(parse_date("decided_on", s)).map(|d| Some(d.to_string())),
    };
    errs.into_result()?;
    doc.touch(db, expected)?;
    let s = fetch(db, id)?;
    let spec = spec(&s);
    let f = figures::compute(db, v, &spec)?;
    let json = serde_json::to_string(&f).map_err(|e| StoreError::Internal(e.to_string()))?;
    let now = now_ms();
    db.execute("UPDATE situations SET status = 'superseded' WHERE lineage_id = $1 AND status = 'adopted'", args![doc.lineage_id])?;
    db.execute(
        "UPDATE situations SET status = 'adopted', frozen_figures = $1, decided_by = $2, decided_on = $3, decision_ref = $4,
            adopted_at = $5, adopted_by_user_id = $6 WHERE id = $7",
        args![json, by.flatten(), on.flatten(), reference.flatten(), now, v.user_id(), id],
    )?;
    audit::record(db, v, Event::new("situation.adopt").record("situation", id).orgs(&doc.parties).org(org))?;
    load(db, v, id)
}

/// Starts a new draft from an adopted (or superseded) version, with all its parts and their keys.
pub fn new_version(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<SituationDocument> {
    let doc = Doc::load(db, v, DocTable::Situation, id)?;
    let org = doc.acting_owner(v, |org| Permission::AdoptPlan { org })?;
    if doc.status == DocumentStatus::Draft {
        return Err(StoreError::invalid(FieldError::new(
            "status",
            "plans.is_draft",
            format!("Version {} är redan ett utkast: ändra i den.", doc.version_no),
        )));
    }
    let draft: Option<i64> =
        db.scalar_opt("SELECT version_no FROM situations WHERE lineage_id = $1 AND status = 'draft'", args![doc.lineage_id])?;
    if let Some(n) = draft {
        return Err(StoreError::invalid(FieldError::new(
            "status",
            "plans.draft_exists",
            format!("Det finns redan ett utkast, version {n}. Ändra i det i stället för att starta en ny version."),
        )));
    }
    let next: i64 = db.scalar("SELECT MAX(version_no) + 1 FROM situations WHERE lineage_id = $1", args![doc.lineage_id])?;
    let now = now_ms();
    let new_id: i64 = db.scalar(
        "INSERT INTO situations (lineage_id, version_no, kind, status, title, municipality_code, year, half, picture_forum_id,
            stale_after_months, owner_org_id, visibility, created_by_user_id, version, created_at, updated_at)
         SELECT lineage_id, $1, kind, 'draft', title, municipality_code, year, half, picture_forum_id, stale_after_months, owner_org_id,
            'organisation', $2, 1, $3, $3 FROM situations WHERE id = $4 RETURNING id",
        args![next, v.user_id(), now, id],
    )?;
    db.execute(
        "INSERT INTO situation_parties (situation_id, org_id) SELECT $1, org_id FROM situation_parties WHERE situation_id = $2",
        args![new_id, id],
    )?;
    db.execute(
        "INSERT INTO situation_inputs (situation_id, input_situation_id) SELECT $1, input_situation_id FROM situation_inputs WHERE situation_id = $2",
        args![new_id, id],
    )?;
    db.execute(
        "INSERT INTO situation_sections (situation_id, section, body) SELECT $1, section, body FROM situation_sections WHERE situation_id = $2",
        args![new_id, id],
    )?;
    db.execute(
        "INSERT INTO situation_sources (situation_id, key, kind, title, summary, source, source_date, position)
         SELECT $1, key, kind, title, summary, source, source_date, position FROM situation_sources WHERE situation_id = $2",
        args![new_id, id],
    )?;
    problems::copy_all(db, id, new_id)?;
    crate::kernel::index::touch(db, "situation", new_id)?;
    audit::record(db, v, Event::new("situation.new_version").record("situation", new_id).orgs(&doc.parties).org(org))?;
    load(db, v, new_id)
}

/// Who may read an adopted version besides its parties.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// `organisation` (the parties only), `forum` or `public`.
    pub visibility: String,
    /// Required for `forum`: a forum the owner is a member of.
    #[serde(default)]
    pub forum_id: Option<i64>,
}

/// Shares an adopted version with a forum, publishes it, or takes it back to the parties.
pub fn share(db: &mut dyn Conn, v: &Viewer, id: i64, input: &ShareInput) -> StoreResult<SituationDocument> {
    let doc = Doc::load(db, v, DocTable::Situation, id)?;
    let org = doc.acting_owner(v, |org| Permission::AdoptPlan { org })?;
    let mut errs = FieldErrors::new();
    if doc.status != DocumentStatus::Adopted {
        errs.push(FieldError::new(
            "visibility",
            "plans.share_adopted",
            "Bara en antagen version kan delas eller publiceras. Anta utkastet först.",
        ));
    }
    let visibility = sharing::choose(db, &mut errs, &input.visibility, input.forum_id, doc.owner_org_id, "dokumentet")?;
    errs.into_result()?;
    let visibility = visibility.expect("checked");
    db.execute(
        "UPDATE situations SET visibility = $1, forum_id = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        args![visibility.kind().code(), visibility.forum_id(), now_ms(), id],
    )?;
    crate::kernel::index::touch(db, "situation", id)?;
    audit::record(db, v, Event::new("situation.share").record("situation", id).org(org))?;
    load(db, v, id)
}

/// A published version as anyone sees it (signed in or not): aggregates only, suppressed.
pub fn public(db: &mut dyn Conn, id: i64) -> StoreResult<SituationDocument> {
    let v = Viewer::anonymous(crate::Origin::default());
    let d = load(db, &v, id)?;
    if d.situation.visibility != VisibilityKind::Public.code() {
        return Err(StoreError::not_found("situation"));
    }
    Ok(d)
}

/// The organisations the viewer may create a document for (coordinators), with their approved
/// municipalities; for the "new" form.
pub fn owners(v: &Viewer) -> Vec<(i64, String, Vec<String>)> {
    v.memberships()
        .iter()
        .filter(|m| access::allowed(v, Permission::WritePlan { org: m.org_id }))
        .map(|m| (m.org_id, m.org_name.clone(), m.municipalities.clone()))
        .collect()
}

/// All lägesbild and problembild versions, for the search index's full rebuild.
pub const SEARCH_IDS: &str = "SELECT id FROM situations";

/// The search index's document of one lägesbild or problembild version: title and the written
/// sections. Read as [`sharing::party_record_readable`] says: the parties' users always; a version
/// that is not a draft besides the forum it is shared with, or anyone when published.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<crate::kernel::index::Document>> {
    use crate::kernel::index::Document;
    type Head = (String, String, String, String, Option<i64>, i64, i64, i64);
    let head: Option<Head> = db.map_opt(
        "SELECT title, status, municipality_code, visibility, forum_id, owner_org_id, updated_at, year FROM situations WHERE id = $1",
        args![id],
        |r| {
            Ok((
                r.get("title")?,
                r.get("status")?,
                r.get("municipality_code")?,
                r.get("visibility")?,
                r.get("forum_id")?,
                r.get("owner_org_id")?,
                r.get("updated_at")?,
                r.get("year")?,
            ))
        },
    )?;
    let Some((title, status, municipality, visibility, forum_id, owner, updated_at, year)) = head else {
        return Ok(None);
    };
    let parties: Vec<i64> = db.scalars("SELECT org_id FROM situation_parties WHERE situation_id = $1 ORDER BY org_id", args![id])?;
    let vis = sharing::Visibility::from_columns(&visibility, forum_id).unwrap_or(sharing::Visibility::Organisation);
    let public = status != "draft" && vis == sharing::Visibility::Public;
    let readers = sharing::party_record_readers(owner, &parties, status == "draft", vis);
    let sections: Vec<String> = db.scalars("SELECT body FROM situation_sections WHERE situation_id = $1 ORDER BY section", args![id])?;
    let body = format!("Lägesbild {year}. {}", sections.join(" "));
    let path = if public { format!("/publikt/lagesbilder/{id}") } else { format!("/lagesbilder/{id}") };
    Ok(Some(Document { kind: "situation", id, title, body, municipalities: vec![municipality], path, readers, updated_at_ms: updated_at }))
}
