//! The plan documents (issue 13) as content: the lägesbild and the problembild, the åtgärdsplan
//! and the yearly follow-up report, each written once as a list of [`Block`]s (headings,
//! paragraphs, bullets, tables, captions) that the Word file ([`render_docx`]) and the plan's
//! print page render alike, so print and file say the same thing in the same order; and the
//! plan's goals, indicators, measures and deviations as rows for CSV and XLSX ([`plan_sheet`]).
//! Shared by the pages (`pages/plans/documents.rs`) and the API (`api/plans/documents.rs`), like
//! [`crate::kit::picture_view`].
//!
//! The contents come from the store's reads as the pages make them (`situation::load`,
//! `plan::load`, `followup::plan_series`, `followup::deviations`, `evaluation::evaluate`,
//! `followup::report`), so a reader outside the parties gets the small counts hidden exactly as
//! on the page.

use brygga_domain::plans::TriangleSide;
use brygga_domain::time::format_number;
use brygga_store::kernel::audit::SharedRead;
use brygga_store::plans::evaluation::{self, Check};
use brygga_store::plans::figures::{CountRow, Provenance};
use brygga_store::plans::followup::{self, Deviation, FollowUpReport, IndicatorSeries};
use brygga_store::plans::goals::Goal;
use brygga_store::plans::indicators::Indicator;
use brygga_store::plans::plan::{self, ActionPlan, PlanDocument};
use brygga_store::plans::problems::{Cause, Problem};
use brygga_store::plans::situation::SituationDocument;
use brygga_store::plans::{self, DocTable};
use brygga_store::{Conn, StoreResult, Viewer};

use crate::kit::document::DocumentMeta;
use crate::kit::docx::DocxBuilder;
use crate::kit::error::AppError;
use crate::kit::export::Cell;

// ---------------------------------------------------------------------------------------
// Text as the pages write it.

/// A hidden count (the viewer is not a party) or an absent one.
fn absent(hidden: bool) -> &'static str {
    if hidden { "färre än 3" } else { "–" }
}

/// A section's text as paragraphs (blank lines separate them, whatever the line endings).
fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

/// The sides of the problem-analysis triangle, then the factors without a side (`""`).
fn sides() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = TriangleSide::ALL.iter().map(|s| (s.code(), s.label())).collect();
    out.push(("", "Risk- och skyddsfaktorer utan sida i triangeln"));
    out
}

fn side<'a>(p: &'a Problem, side: &str) -> Vec<&'a Cause> {
    p.causes.iter().filter(|c| c.triangle_side.as_deref().unwrap_or("") == side).collect()
}

// ---------------------------------------------------------------------------------------
// Blocks: one document, two renderings.

/// One piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1–3 (Word's "Heading 1"–"Heading 3"; `<h2>`–`<h4>` under the page's `<h1>`).
    Heading(usize, String),
    Paragraph(String),
    Bullets(Vec<String>),
    /// Header row and rows of cells (numbers and dates kept as such).
    Table(Vec<&'static str>, Vec<Vec<Cell>>),
    /// "Källa: …" under a table.
    Caption(String),
}

impl Block {
    fn heading(level: usize, text: impl Into<String>) -> Self {
        Block::Heading(level, text.into())
    }
    fn para(text: impl Into<String>) -> Self {
        Block::Paragraph(text.into())
    }
    fn caption(text: impl Into<String>) -> Self {
        Block::Caption(text.into())
    }
    /// The HTML heading tag for the print page (`h2`…`h4`).
    pub fn tag(&self) -> &'static str {
        match self {
            Block::Heading(1, _) => "h2",
            Block::Heading(2, _) => "h3",
            _ => "h4",
        }
    }
}

/// The names of the tables' scrollable regions on the print page, one per block (empty for
/// other blocks), unique as landmarks must be: "Tabell: Insatser", "Tabell: Resultatmål: … (2)".
pub fn table_labels(blocks: &[Block]) -> Vec<String> {
    let mut heading = String::new();
    let mut seen: Vec<String> = Vec::new();
    blocks
        .iter()
        .map(|b| match b {
            Block::Heading(_, text) => {
                heading = text.clone();
                String::new()
            }
            Block::Table(..) => {
                let base = format!("Tabell: {heading}");
                let n = seen.iter().filter(|s| **s == base).count();
                seen.push(base.clone());
                if n == 0 { base } else { format!("{base} ({})", n + 1) }
            }
            _ => String::new(),
        })
        .collect()
}

/// A cell as the print page shows it (the lines of a combined cell separated by commas).
pub fn shown(c: &Cell) -> String {
    c.display().replace('\n', ", ")
}

/// Cells shown as the lines of one cell (empty ones left out); a single number stays a number.
fn lines(cells: &[&Cell]) -> Cell {
    let present: Vec<&&Cell> = cells.iter().filter(|c| !matches!(c, Cell::Empty)).collect();
    match present.as_slice() {
        [] => Cell::Empty,
        [one] => (**one).clone(),
        many => Cell::text(many.iter().map(|c| c.display()).collect::<Vec<_>>().join("\n")),
    }
}

/// Whether a cell is a figure (right-aligned on the print page).
pub fn numeric(c: &Cell) -> bool {
    matches!(c, Cell::Integer(_) | Cell::Decimal(..))
}

pub fn render_docx(meta: &DocumentMeta, blocks: &[Block]) -> Result<Vec<u8>, AppError> {
    let mut b: DocxBuilder = meta.docx();
    for block in blocks {
        b = match block {
            Block::Heading(level, text) => b.heading(*level, text),
            Block::Paragraph(text) => b.paragraph(text),
            Block::Bullets(items) => items.iter().fold(b, |b, i| b.bullet(i)),
            Block::Table(headers, rows) => b.table_cells(headers, rows),
            Block::Caption(text) => b.caption(text),
        };
    }
    meta.docx_footer(b).build()
}

/// A file name without characters Windows or a diarium refuses: `Lägesbild Trelleborg 2026 v1.docx`.
pub fn file_name(title: &str, version: i64, ext: &str) -> String {
    let clean: String = title
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '-' } else { c })
        .collect();
    format!("{} v{version}.{ext}", clean.trim())
}

/// A number with as many decimals as it needs (at most two).
pub fn decimal(v: f64) -> Cell {
    let decimals = if (v * 100.0).round() % 100.0 == 0.0 {
        0
    } else if (v * 100.0).round() % 10.0 == 0.0 {
        1
    } else {
        2
    };
    Cell::Decimal(v, decimals)
}

fn number(v: f64) -> String {
    decimal(v).display()
}

fn date_cell(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, Cell::date_or_text)
}

fn from_to(a: &Option<String>, b: &Option<String>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        (None, Some(b)) => format!("till {b}"),
        (Some(a), None) => format!("från {a}"),
        (None, None) => "–".into(),
    }
}

fn day_of(ms: i64) -> Cell {
    jiff::Timestamp::from_millisecond(ms).map(|t| Cell::Date(t.to_zoned(brygga_domain::time::stockholm()).date())).unwrap_or(Cell::Empty)
}

// ---------------------------------------------------------------------------------------
// The lägesbild and the problembild.

pub fn situation_meta(d: &SituationDocument) -> DocumentMeta {
    let s = &d.situation;
    let f = &d.figures;
    DocumentMeta {
        municipality: s.municipality_name.clone(),
        period: s.period_label.clone(),
        version: Some(s.version_no),
        status: s.status_label.clone(),
        decided_by: s.decided_by.clone(),
        decided_on: s.decided_on.clone(),
        decision_ref: s.decision_ref.clone(),
        source_note: format!(
            "Källor: {}; {}; {}; {}.",
            f.crime.provenance.source, f.est.provenance.source, f.police_events.provenance.source, f.surveys.provenance.source
        ),
        ..DocumentMeta::new(s.kind_label.clone(), s.title.clone())
    }
}

fn provenance(p: &Provenance) -> Block {
    match &p.data_date {
        Some(d) => Block::caption(format!("Källa: {}, data t.o.m. {d}. Beräknat {}.", p.source, p.computed_on)),
        None => Block::caption(format!("Källa: {}; inga data för perioden. Beräknat {}.", p.source, p.computed_on)),
    }
}

fn counts(rows: &[CountRow], first: &'static str, previous: bool) -> Block {
    let count = |n: Option<i64>, hidden: bool| n.map_or_else(|| Cell::text(absent(hidden)), Cell::Integer);
    let headers = if previous { vec![first, "Perioden", "Samma period året före"] } else { vec![first, "Antal"] };
    Block::Table(
        headers,
        rows.iter()
            .map(|r| {
                let mut row = vec![Cell::text(r.name.clone()), count(r.count, r.hidden)];
                if previous {
                    row.push(count(r.previous, r.hidden));
                }
                row
            })
            .collect(),
    )
}

/// The lägesbild or problembild as blocks: parties, warnings, the sections with the figures
/// under "Brottsligheten…", the other sources under "Annan relevant information", the problems
/// with evidence and causes (by side of the triangle) under "Analys".
pub fn situation_blocks(d: &SituationDocument) -> Vec<Block> {
    let s = &d.situation;
    let mut out = vec![Block::para(format!("Parter: {}.", s.parties.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")))];
    if !d.inputs.is_empty() {
        out.push(Block::para(format!(
            "Bygger på lägesbilderna: {}.",
            d.inputs.iter().map(|v| format!("version {} ({})", v.version_no, v.status_label.to_lowercase())).collect::<Vec<_>>().join(", ")
        )));
    }
    if !d.warnings.is_empty() {
        out.push(Block::heading(1, "Att observera"));
        out.push(Block::Bullets(d.warnings.iter().map(|w| w.text.clone()).collect()));
    }
    for section in &d.sections {
        let body = section.body.as_deref().unwrap_or_default();
        let has_parts = matches!(section.section.as_str(), "crime" | "other" | "analysis");
        if body.trim().is_empty() && !has_parts {
            continue;
        }
        out.push(Block::heading(1, section.label.clone()));
        out.extend(paragraphs(body).into_iter().map(Block::Paragraph));
        match section.section.as_str() {
            "crime" => figure_blocks(d, &mut out),
            "other" => {
                if d.sources.is_empty() {
                    out.push(Block::para("Ingen annan information är inlagd."));
                }
                out.extend(d.sources.iter().flat_map(|src| {
                    let mut text = format!("{} ({})", src.title, src.kind_label);
                    if let Some(sum) = &src.summary {
                        text.push_str(&format!(": {sum}"));
                    }
                    [Block::para(text), Block::caption(format!("Källa: {}, {}.", src.source, src.source_date))]
                }));
            }
            "analysis" => problem_blocks(d, &mut out),
            _ => {}
        }
    }
    out
}

fn figure_blocks(d: &SituationDocument, out: &mut Vec<Block>) {
    let f = &d.figures;
    out.push(Block::para(format!("Siffror för perioden {}–{}.", f.period_from, f.period_to)));
    out.push(Block::para(if d.figures_frozen {
        "Siffrorna är frysta: så här såg de ut när versionen antogs."
    } else {
        "Siffrorna är hämtade ur Bryggas data den dag dokumentet skapades; de ändras tills versionen antas."
    }));
    if d.suppressed {
        out.push(Block::para("Små tal (färre än 3) visas inte, för att ingen enskild ska kunna pekas ut."));
    }
    out.push(Block::heading(2, "Anmälda brott"));
    if f.crime.rows.is_empty() {
        out.push(Block::para("Ingen anmälningsstatistik för perioden."));
    } else {
        let opt = |n: Option<f64>| n.map_or_else(|| Cell::text("–"), |n| Cell::Decimal(n, 0));
        out.push(Block::Table(
            vec!["Brott", "Perioden", "Samma period året före"],
            f.crime
                .rows
                .iter()
                .map(|r| {
                    let now = if r.suppressed_months > 0 {
                        Cell::text(format!(
                            "{} ({} mån. skyddade)",
                            r.count.map_or_else(|| "–".to_owned(), |n| format_number(n, 0)),
                            r.suppressed_months
                        ))
                    } else {
                        opt(r.count)
                    };
                    vec![Cell::text(r.offence.clone()), now, opt(r.previous)]
                })
                .collect(),
        ));
    }
    if let Some(note) = &f.crime.note {
        out.push(Block::para(note.clone()));
    }
    out.push(provenance(&f.crime.provenance));
    out.push(Block::heading(2, "Rapporter (EST) per kategori"));
    if f.est.categories.is_empty() {
        out.push(Block::para("Inga rapporter under perioden."));
    } else {
        out.push(counts(&f.est.categories, "Kategori", true));
        out.push(Block::heading(3, "Platser med flest rapporter"));
        out.push(counts(&f.est.places, "Plats", true));
    }
    if !f.est.flags.is_empty() {
        out.push(Block::heading(3, "Flaggor i periodens sista vecka"));
        out.push(Block::Bullets(f.est.flags.clone()));
    }
    out.push(provenance(&f.est.provenance));
    out.push(Block::heading(2, "Polisens händelser"));
    if f.police_events.rows.is_empty() {
        out.push(Block::para("Inga händelser under perioden."));
    } else {
        out.push(counts(&f.police_events.rows, "Typ", false));
    }
    out.push(provenance(&f.police_events.provenance));
    out.push(Block::heading(2, "Trygghetsmätning"));
    if f.surveys.rows.is_empty() {
        out.push(Block::para("Ingen trygghetsmätning för periodens år."));
    } else {
        out.push(Block::Table(
            vec!["Fråga", "Område", "Andel otrygga (%)"],
            f.surveys
                .rows
                .iter()
                .map(|r| vec![Cell::text(r.question.clone()), Cell::text(r.area_name.clone()), Cell::Decimal(r.share_unsafe * 100.0, 0)])
                .collect(),
        ));
    }
    out.push(provenance(&f.surveys.provenance));
}

fn problem_blocks(d: &SituationDocument, out: &mut Vec<Block>) {
    if d.problems.is_empty() {
        out.push(Block::para("Inga problem är prioriterade ännu."));
    }
    for p in &d.problems {
        out.push(Block::heading(2, format!("{}. {}", p.priority, p.title)));
        if let Some(desc) = &p.description {
            out.push(Block::para(desc.clone()));
        }
        out.push(Block::heading(3, "Underlag"));
        if p.evidence.is_empty() {
            out.push(Block::para("Inget underlag kopplat."));
        } else {
            out.push(Block::Bullets(
                p.evidence
                    .iter()
                    .map(|e| match &e.note {
                        Some(n) => format!("{}: {} – {n}", e.kind_label, e.label),
                        None => format!("{}: {}", e.kind_label, e.label),
                    })
                    .collect(),
            ));
        }
        out.push(Block::heading(3, "Orsaker"));
        if p.causes.is_empty() {
            out.push(Block::para("Inga orsaker angivna."));
        }
        for (code, label) in sides() {
            let causes = side(p, code);
            if causes.is_empty() {
                continue;
            }
            out.push(Block::para(format!("{label}:")));
            out.push(Block::Bullets(
                causes
                    .iter()
                    .map(|c| {
                        let mut text = c.title.clone();
                        if let Some(f) = &c.factor_label {
                            text.push_str(&format!(" ({f})"));
                        }
                        text.push('.');
                        if let Some(desc) = &c.description {
                            text.push_str(&format!(" {desc}"));
                        }
                        if let Some(i) = &c.influencer {
                            text.push_str(&format!(" Kan påverkas av: {i}."));
                        }
                        text.push_str(&format!(" Grund: {}", c.basis_label));
                        if let Some(n) = &c.basis_note {
                            text.push_str(&format!(" ({n})"));
                        }
                        text.push_str(&format!(". Säkerhet: {}.", c.certainty_label.to_lowercase()));
                        text
                    })
                    .collect(),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// The åtgärdsplan.

/// The plan with what follow-up adds to it: latest values, checks, deviations.
pub struct PlanFull {
    pub d: PlanDocument,
    pub series: Vec<IndicatorSeries>,
    pub checks: Vec<Check>,
    pub deviations: Vec<Deviation>,
}

pub fn plan_meta(p: &PlanFull) -> DocumentMeta {
    let plan = &p.d.plan;
    DocumentMeta {
        municipality: plan.municipality_name.clone().unwrap_or_else(|| "Aktivitetsplan".to_owned()),
        period: format!("{} – {}", plan.period_from, plan.period_to),
        version: Some(plan.version_no),
        status: plan.status_label.clone(),
        decided_by: plan.decided_by.clone(),
        decided_on: plan.decided_on.clone(),
        decision_ref: plan.decision_ref.clone(),
        source_note: "Indikatorernas värden: Bryggas data (rapporter, anmälningsstatistik från Brå, trygghetsmätningar) eller inmatade med angiven källa.".into(),
        ..DocumentMeta::new("Åtgärdsplan", plan.title.clone())
    }
}

fn goal_rows(p: &PlanFull) -> Vec<Vec<Cell>> {
    let d = &p.d;
    tree(d)
        .into_iter()
        .map(|(_, g)| {
            vec![
                Cell::text(g.kind_label.clone()),
                Cell::text(g.title.clone()),
                Cell::opt_text(g.parent_id.and_then(|id| d.goal(id)).map(|g| g.title.clone())),
                Cell::opt_text(g.level_label.clone()),
                decimal(g.weight),
                Cell::Integer(d.indicators_of(g.id).len() as i64),
                Cell::Integer(d.measures_of(g.id).len() as i64),
                Cell::opt_text(g.description.clone()),
            ]
        })
        .collect()
}
const GOAL_HEADERS: [&str; 8] = ["Typ", "Mål", "Överordnat mål", "Nivå", "Vikt", "Indikatorer", "Insatser", "Beskrivning"];

/// The goals in tree order with their depth (roots first, each followed by its subgoals).
fn tree(d: &PlanDocument) -> Vec<(usize, &Goal)> {
    fn walk<'a>(d: &'a PlanDocument, parent: Option<i64>, depth: usize, out: &mut Vec<(usize, &'a Goal)>) {
        for g in d.children(parent) {
            if out.iter().any(|(_, seen)| seen.id == g.id) {
                continue;
            }
            out.push((depth, g));
            walk(d, Some(g.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(d, None, 0, &mut out);
    out
}

fn baseline_text(i: &Indicator) -> Cell {
    match (i.baseline_value, i.baseline_suppressed) {
        (Some(v), _) => decimal(v),
        (None, true) => Cell::text("färre än 3"),
        (None, false) => Cell::Empty,
    }
}

const INDICATOR_HEADERS: [&str; 13] = [
    "Indikator",
    "Mål",
    "Källa",
    "Enhet",
    "Riktning",
    "Utgångsvärde",
    "Utgångsdatum",
    "Utgångsvärdets källa",
    "Målvärde",
    "Måldatum",
    "Frekvens",
    "Senaste värde",
    "Senaste period",
];

fn indicator_rows<'a>(p: &PlanFull, indicators: impl Iterator<Item = &'a Indicator>) -> Vec<Vec<Cell>> {
    indicators
        .map(|i| {
            let s = p.series.iter().find(|s| s.indicator.id == i.id);
            let source = match (&i.manual_source, &i.category_name, &i.offence, &i.survey_question) {
                (Some(m), ..) => format!("{}: {m}", i.source_label),
                (_, Some(c), ..) => {
                    format!("{}: {c}{}", i.source_label, i.area_name.as_ref().map(|a| format!(", {a}")).unwrap_or_default())
                }
                (_, _, Some(o), _) => format!("{}: {o}", i.source_label),
                (_, _, _, Some(q)) => format!("{}: {q}", i.source_label),
                _ => i.source_label.clone(),
            };
            vec![
                Cell::text(i.name.clone()),
                Cell::opt_text(p.d.goal(i.goal_id).map(|g| g.title.clone())),
                Cell::text(source),
                Cell::text(i.unit.clone()),
                Cell::text(i.direction_label.clone()),
                baseline_text(i),
                date_cell(&i.baseline_on),
                Cell::opt_text(i.baseline_source.clone()),
                i.target_value.map_or(Cell::Empty, decimal),
                date_cell(&i.target_on),
                Cell::text(i.frequency_label.clone()),
                s.and_then(|s| s.latest).map_or(Cell::Empty, decimal),
                date_cell(&s.and_then(|s| s.latest_period.clone())),
            ]
        })
        .collect()
}

const MEASURE_HEADERS: [&str; 13] = [
    "Insats",
    "Ansvarig",
    "Partner",
    "Start",
    "Slut",
    "Status",
    "Grund",
    "Mål",
    "Orsaker",
    "Åtgärder i åtgärdslistan",
    "Resurser",
    "Kräver inte polisiära befogenheter",
    "Mottagarnas delaktighet",
];

fn measure_rows(p: &PlanFull) -> Vec<Vec<Cell>> {
    let join = |items: Vec<String>| if items.is_empty() { Cell::Empty } else { Cell::text(items.join("; ")) };
    p.d.measures
        .iter()
        .map(|m| {
            let status = match &m.status_note {
                Some(n) => format!("{} ({n})", m.status_label),
                None => m.status_label.clone(),
            };
            let basis = match &m.basis_note {
                Some(n) => format!("{} ({n})", m.basis_label),
                None => m.basis_label.clone(),
            };
            vec![
                Cell::text(m.title.clone()),
                Cell::text(m.responsible.name.clone()),
                join(m.partners.iter().map(|o| o.name.clone()).collect()),
                date_cell(&m.start_on),
                date_cell(&m.end_on),
                Cell::text(status),
                Cell::text(basis),
                join(m.goal_ids.iter().filter_map(|id| p.d.goal(*id)).map(|g| g.title.clone()).collect()),
                join(m.causes.iter().map(|c| c.title.clone()).collect()),
                join(m.actions.iter().map(|a| a.title.clone()).collect()),
                Cell::opt_text(m.resources.clone()),
                Cell::text(if m.no_police_powers { "Ja" } else { "Nej" }),
                Cell::opt_text(m.involvement_label.clone()),
            ]
        })
        .collect()
}

const DEVIATION_HEADERS: [&str; 10] =
    ["Vad avvek", "Varför", "Konsekvens", "Korrigering", "Beslutad av", "Beslutsdatum", "Insats", "Mål", "Indikator", "Registrerad"];

fn deviation_rows(deviations: &[Deviation]) -> Vec<Vec<Cell>> {
    deviations
        .iter()
        .map(|d| {
            vec![
                Cell::text(d.what.clone()),
                Cell::text(d.why.clone()),
                Cell::opt_text(d.consequence.clone()),
                Cell::opt_text(d.correction.clone()),
                Cell::opt_text(d.decided_by.clone()),
                date_cell(&d.decided_on),
                Cell::opt_text(d.measure_title.clone()),
                Cell::opt_text(d.goal_title.clone()),
                Cell::opt_text(d.indicator_name.clone()),
                day_of(d.created_at_ms),
            ]
        })
        .collect()
}

/// Deviations as an A4 table: the decision's body and date share a cell; what it concerns last.
fn deviation_table(deviations: &[Deviation]) -> Block {
    let rows = deviation_rows(deviations)
        .into_iter()
        .map(|r| vec![r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone(), lines(&[&r[4], &r[5]]), lines(&[&r[6], &r[7], &r[8]])])
        .collect();
    Block::Table(vec!["Vad avvek", "Varför", "Konsekvens", "Korrigering", "Beslut", "Gäller"], rows)
}

fn check_rows(checks: &[Check]) -> Vec<Vec<Cell>> {
    let mut sorted: Vec<&Check> = checks.iter().collect();
    sorted.sort_by_key(|c| c.passed);
    sorted
        .into_iter()
        .map(|c| {
            vec![
                Cell::text(c.analysis.label()),
                Cell::text(if c.passed { "Uppfylld" } else { "Att åtgärda" }),
                Cell::text(c.message.clone()),
            ]
        })
        .collect()
}

/// The åtgärdsplan as blocks: decision and parties, the lägesbild it rests on, the goal tree
/// with each goal's indicators, the measures, the process evaluation (failing checks first) and
/// the deviations.
pub fn plan_blocks(p: &PlanFull) -> Vec<Block> {
    let d = &p.d;
    let plan = &d.plan;
    let mut out = vec![Block::heading(1, "Beslut och parter")];
    out.push(Block::para(match (&plan.decided_by, &plan.decided_on) {
        (Some(by), Some(on)) => {
            format!("Beslutad av {by} {on}{}.", plan.decision_ref.as_ref().map(|r| format!(", diarienummer {r}")).unwrap_or_default())
        }
        (Some(by), None) => format!("Beslutad av {by}."),
        _ => "Planen är inte beslutad ännu.".to_owned(),
    }));
    out.push(Block::para(format!(
        "Parter: {}.",
        plan.parties
            .iter()
            .map(|o| if o.id == plan.owner.id { format!("{} (ägare)", o.name) } else { o.name.clone() })
            .collect::<Vec<_>>()
            .join(", ")
    )));
    if let Some(s) = &plan.situation {
        out.push(Block::para(format!("Planen bygger på lägesbilden {} (version {}).", s.title, s.version_no)));
    }

    out.push(Block::heading(1, "Mål och indikatorer"));
    let goals = tree(d);
    if goals.is_empty() {
        out.push(Block::para("Planen har inga mål ännu."));
    }
    for (depth, g) in goals {
        out.push(Block::heading((depth + 2).min(3), format!("{}: {}", g.kind_label, g.title)));
        let mut facts = Vec::new();
        if let Some(l) = &g.level_label {
            facts.push(format!("Nivå: {l}"));
        }
        if let Some(parent) = g.parent_id.and_then(|id| d.goal(id)) {
            facts.push(format!("Bidrar till: {} (vikt {})", parent.title, number(g.weight)));
        }
        if !facts.is_empty() {
            out.push(Block::para(format!("{}.", facts.join(". "))));
        }
        if let Some(desc) = &g.description {
            out.push(Block::para(desc.clone()));
        }
        let indicators = d.indicators_of(g.id);
        if !indicators.is_empty() {
            // Eleven fields do not fit an A4 column: value and date share a cell, and the unit
            // and frequency go under the name (the spreadsheet keeps every field in its column).
            let rows: Vec<Vec<Cell>> = indicator_rows(p, indicators.into_iter())
                .into_iter()
                .map(|r| {
                    vec![
                        lines(&[&r[0], &r[3], &r[10]]),
                        r[2].clone(),
                        r[4].clone(),
                        lines(&[&r[5], &r[6]]),
                        lines(&[&r[8], &r[9]]),
                        lines(&[&r[11], &r[12]]),
                    ]
                })
                .collect();
            out.push(Block::Table(vec!["Indikator", "Källa", "Riktning", "Utgångsvärde", "Målvärde", "Senaste värde"], rows));
            let sources: Vec<String> =
                d.indicators_of(g.id).iter().filter_map(|i| i.baseline_source.as_ref().map(|s| format!("{}: {s}", i.name))).collect();
            if !sources.is_empty() {
                out.push(Block::caption(format!("Utgångsvärdenas källor – {}.", sources.join("; "))));
            }
        }
    }

    out.push(Block::heading(1, "Insatser"));
    if d.measures.is_empty() {
        out.push(Block::para("Planen har inga insatser ännu."));
    } else {
        // Seven columns fit A4; the linked actions, resources, police powers and involvement
        // follow each measure as text.
        let rows: Vec<Vec<Cell>> = measure_rows(p)
            .into_iter()
            .map(|r| {
                let when = match (&r[3], &r[4]) {
                    (Cell::Empty, Cell::Empty) => Cell::Empty,
                    (a, Cell::Empty) => Cell::text(format!("från {}", a.display())),
                    (Cell::Empty, b) => Cell::text(format!("till {}", b.display())),
                    (a, b) => Cell::text(format!("{}–{}", a.display(), b.display())),
                };
                vec![r[0].clone(), lines(&[&r[1], &r[2]]), when, r[5].clone(), r[6].clone(), r[7].clone(), r[8].clone()]
            })
            .collect();
        out.push(Block::Table(vec!["Insats", "Ansvarig och partner", "Tid", "Status", "Grund", "Mål", "Orsaker"], rows));
        for m in &d.measures {
            let mut extra = Vec::new();
            if !m.actions.is_empty() {
                extra.push(format!(
                    "Åtgärder i åtgärdslistan: {}",
                    m.actions.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join("; ")
                ));
            }
            if let Some(r) = &m.resources {
                extra.push(format!("Resurser: {r}"));
            }
            if m.no_police_powers {
                extra.push("Kräver inte polisiära befogenheter".to_owned());
            }
            if let Some(i) = &m.involvement_label {
                extra.push(format!("Mottagarnas delaktighet: {i}"));
            }
            if let Some(desc) = &m.description {
                extra.push(desc.clone());
            }
            if !extra.is_empty() {
                out.push(Block::para(format!("{}: {}.", m.title, extra.join(". "))));
            }
        }
    }

    out.push(Block::heading(1, "Processutvärdering"));
    let failing = p.checks.iter().filter(|c| !c.passed).count();
    out.push(Block::para(format!("{failing} att åtgärda, {} uppfyllda.", p.checks.len() - failing)));
    if !p.checks.is_empty() {
        out.push(Block::Table(vec!["Analys", "Resultat", "Kontroll"], check_rows(&p.checks)));
    }

    out.push(Block::heading(1, "Avvikelser"));
    if p.deviations.is_empty() {
        out.push(Block::para("Inga avvikelser är registrerade."));
    } else {
        out.push(deviation_table(&p.deviations));
    }
    out
}

// ---------------------------------------------------------------------------------------
// The yearly follow-up report.

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{}\u{a0}%", format_number((p * 100.0).round(), 0)))
}

/// The follow-up report as blocks, in the order of its page.
pub fn report_blocks(r: &FollowUpReport) -> Vec<Block> {
    let t = &r.totals;
    let mut out = vec![Block::heading(1, "Sammanfattning")];
    out.push(Block::para(format!("Värden till och med {}-12-31.", r.year)));
    let by_status: Vec<String> =
        t.measures_by_status.iter().filter(|(_, _, n)| *n > 0).map(|(_, label, n)| format!("{label} {n}")).collect();
    out.push(Block::Bullets(vec![
        format!("Framsteg för planen: {}", percent(t.progress)),
        format!("Mål: {}", t.goals),
        format!("Indikatorer: {} ({} med framsteg)", t.indicators, t.indicators_with_progress),
        format!("Insatser: {}{}", t.measures, if by_status.is_empty() { String::new() } else { format!("; {}", by_status.join(", ")) }),
        format!("Avvikelser under året: {}", t.deviations),
        format!("Processutvärdering: {} att åtgärda, {} uppfyllda", t.checks_failed, t.checks_passed),
    ]));
    out.push(Block::heading(1, "Mål och indikatorer"));
    for g in &r.goals {
        out.push(Block::heading((g.depth + 2).min(3), format!("{}: {}", g.kind_label, g.title)));
        let mut line = format!("Framsteg: {}", percent(g.progress));
        if g.left_out > 0 {
            line.push_str(&format!(" ({} delar utan framsteg är inte medräknade)", g.left_out));
        }
        out.push(Block::para(format!("{line}.")));
        if !g.indicators.is_empty() {
            out.push(Block::Table(
                vec!["Indikator", "Enhet", "Utgångsvärde", "Målvärde", "Senaste värde", "Period", "Framsteg"],
                g.indicators
                    .iter()
                    .map(|s| {
                        vec![
                            Cell::text(s.indicator.name.clone()),
                            Cell::text(s.unit.clone()),
                            s.baseline.map_or(Cell::Empty, decimal),
                            s.target.map_or(Cell::Empty, decimal),
                            s.latest.map_or(Cell::Empty, decimal),
                            date_cell(&s.latest_period),
                            Cell::text(percent(s.progress)),
                        ]
                    })
                    .collect(),
            ));
        }
    }
    out.push(Block::heading(1, "Insatser"));
    if r.measures.is_empty() {
        out.push(Block::para("Planen har inga insatser."));
    } else {
        out.push(Block::Table(
            vec!["Insats", "Ansvarig", "Status", "Tid", "Avvikelser"],
            r.measures
                .iter()
                .map(|m| {
                    vec![
                        Cell::text(m.title.clone()),
                        Cell::text(m.responsible.clone()),
                        Cell::text(m.status_label.clone()),
                        Cell::text(from_to(&m.start_on, &m.end_on)),
                        Cell::Integer(m.deviations.len() as i64),
                    ]
                })
                .collect(),
        ));
    }
    out.push(Block::heading(1, "Avvikelser under året"));
    if r.deviations.is_empty() {
        out.push(Block::para("Inga avvikelser under året."));
    } else {
        out.push(deviation_table(&r.deviations));
    }
    out.push(Block::heading(1, "Processutvärdering"));
    if !r.checks.is_empty() {
        out.push(Block::Table(vec!["Analys", "Resultat", "Kontroll"], check_rows(&r.checks)));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Reads and files.

/// Everything the plan's documents show, read with the viewer's rights (a plan the viewer may
/// not read is not found).
/// With the read's audit entry (for `Store::read_audited`): readers outside the parties are
/// logged (see `plans::Doc::read_entry`).
pub fn load_plan(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(PlanFull, SharedRead)> {
    let (d, read) = plan::load_audited(db, v, id)?;
    let series = followup::plan_series(db, v, id)?;
    let checks = evaluation::evaluate(db, v, id)?;
    let deviations = followup::deviations(db, v, id)?;
    Ok((PlanFull { d, series, checks, deviations }, read))
}

/// The follow-up report of `year` and the plan's header, read with the viewer's rights.
pub fn load_report(db: &mut dyn Conn, v: &Viewer, id: i64, year: i32) -> StoreResult<((FollowUpReport, ActionPlan), SharedRead)> {
    let r = followup::report(db, v, id, year)?;
    let plan = plan::get(db, v, id)?;
    let read = plans::read_entry(db, v, DocTable::Plan, id)?;
    Ok(((r, plan), read))
}

/// A Word file: its name and bytes.
pub struct WordFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The lägesbild or problembild as Word: `Lägesbild Trelleborg 2026 v1.docx`.
pub fn situation_docx(d: &SituationDocument) -> Result<WordFile, AppError> {
    Ok(WordFile {
        name: file_name(&d.situation.title, d.situation.version_no, "docx"),
        bytes: render_docx(&situation_meta(d), &situation_blocks(d))?,
    })
}

/// The åtgärdsplan as Word.
pub fn plan_docx(p: &PlanFull) -> Result<WordFile, AppError> {
    Ok(WordFile { name: file_name(&p.d.plan.title, p.d.plan.version_no, "docx"), bytes: render_docx(&plan_meta(p), &plan_blocks(p))? })
}

/// The yearly follow-up report as Word.
pub fn report_docx(r: &FollowUpReport, plan: &ActionPlan) -> Result<WordFile, AppError> {
    let year = r.year;
    let meta = DocumentMeta {
        municipality: plan.municipality_name.clone().unwrap_or_else(|| "Aktivitetsplan".to_owned()),
        period: year.to_string(),
        version: Some(plan.version_no),
        status: plan.status_label.clone(),
        decided_by: plan.decided_by.clone(),
        decided_on: plan.decided_on.clone(),
        decision_ref: plan.decision_ref.clone(),
        source_note: format!(
            "Åtgärdsplanen {} ({} – {}); värden ur Bryggas data eller inmatade med angiven källa.",
            r.title, r.period_from, r.period_to
        ),
        ..DocumentMeta::new("Uppföljningsrapport", format!("Uppföljningsrapport {year}: {}", r.title))
    };
    Ok(WordFile {
        name: file_name(&format!("Uppföljningsrapport {year} {}", r.title), plan.version_no, "docx"),
        bytes: render_docx(&meta, &report_blocks(r))?,
    })
}

/// One of the plan's spreadsheets.
pub struct Sheet {
    /// `Mål`, `Indikatorer`, `Insatser`, `Avvikelser`.
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// The plan's part `what` (`mal`, `indikatorer`, `insatser`, `avvikelser`) as rows with Swedish
/// headers; `None` for any other name.
pub fn plan_sheet(p: &PlanFull, what: &str) -> Option<Sheet> {
    Some(match what {
        "mal" => Sheet { name: "Mål", headers: GOAL_HEADERS.to_vec(), rows: goal_rows(p) },
        "indikatorer" => Sheet { name: "Indikatorer", headers: INDICATOR_HEADERS.to_vec(), rows: indicator_rows(p, p.d.indicators.iter()) },
        "insatser" => Sheet { name: "Insatser", headers: MEASURE_HEADERS.to_vec(), rows: measure_rows(p) },
        "avvikelser" => Sheet { name: "Avvikelser", headers: DEVIATION_HEADERS.to_vec(), rows: deviation_rows(&p.deviations) },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_swedish_and_drop_what_windows_refuses() {
        assert_eq!(file_name("Lägesbild Trelleborg 2026", 1, "docx"), "Lägesbild Trelleborg 2026 v1.docx");
        assert_eq!(file_name("Plan 2026/2027: \"ny\"", 3, "xlsx"), "Plan 2026-2027- -ny- v3.xlsx");
    }

    #[test]
    fn table_regions_are_named_after_their_heading_and_unique() {
        let t = || Block::Table(vec!["Indikator"], vec![]);
        let blocks = [Block::heading(2, "Resultatmål: A"), t(), t(), Block::para("x"), Block::heading(1, "Insatser"), t()];
        assert_eq!(table_labels(&blocks), ["", "Tabell: Resultatmål: A", "Tabell: Resultatmål: A (2)", "", "", "Tabell: Insatser"]);
    }

    #[test]
    fn numbers_get_the_decimals_they_need() {
        assert_eq!(decimal(12.0), Cell::Decimal(12.0, 0));
        assert_eq!(decimal(12.5), Cell::Decimal(12.5, 1));
        assert_eq!(decimal(0.25), Cell::Decimal(0.25, 2));
        assert_eq!(number(1234.5), "1\u{a0}234,5");
    }
}
