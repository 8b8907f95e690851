//! The steering report of a programme for a half-year as a document: the printable A4 page and
//! the Word file say the same thing in the same order (blocks of [`crate::kit::plan_documents`],
//! rendered by `templates/programmes/report/print.html` and [`render_docx`]). Shared by the page
//! and the API.

use brygga_domain::time::format_number;
use brygga_store::programmes::decisions::Decision;
use brygga_store::programmes::report::SteeringReport;

use crate::kit::document::DocumentMeta;
use crate::kit::error::AppError;
use crate::kit::export::Cell;
use crate::kit::plan_documents::{Block, WordFile, render_docx};

fn heading(level: usize, text: impl Into<String>) -> Block {
    Block::Heading(level, text.into())
}

fn para(text: impl Into<String>) -> Block {
    Block::Paragraph(text.into())
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{}\u{a0}%", format_number((p * 100.0).round(), 0)))
}

fn count(n: usize) -> Cell {
    Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

fn date(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, Cell::date_or_text)
}

/// `1 aktivitet`, `3 aktiviteter`.
fn n(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the document says about itself.
pub fn meta(r: &SteeringReport) -> DocumentMeta {
    DocumentMeta {
        period: format!("{} ({} – {})", r.half_year_label, r.from, r.to),
        status: format!("Läget {}", r.as_of),
        source_note: format!(
            "Arbetsgruppernas aktivitetsplaner, mål, indikatorer, aktiviteter och avvikelser, styrgruppens beslut och programmets leveranser i Brygga, lästa {}. Processutvärderingens kontroller är Bryggas.",
            r.as_of
        ),
        ..DocumentMeta::new("Styrgruppsrapport", format!("Styrgruppsrapport {}: {}", r.half_year, r.programme_title))
    }
}

fn decision_rows(list: &[Decision]) -> Vec<Vec<Cell>> {
    list.iter()
        .map(|d| {
            let mut status = d.status_label.clone();
            if d.overdue {
                status.push_str(" – försenat");
            }
            vec![
                Cell::text(format!("{} § {}", d.meeting_on, d.number)),
                Cell::text(d.kind_label.clone()),
                Cell::text(d.text.clone()),
                Cell::opt_text(d.owner_org_name.clone()),
                date(&d.due_on),
                Cell::text(status),
                Cell::opt_text(d.follow_up.clone()),
            ]
        })
        .collect()
}

const DECISION_HEADERS: [&str; 7] = ["Möte och §", "Typ", "Beslut", "Ansvarig", "Klart senast", "Status", "Uppföljning"];

/// The report as blocks, in the order of the page.
pub fn blocks(r: &SteeringReport) -> Vec<Block> {
    let t = &r.totals;
    let mut out = vec![heading(1, "Sammanfattning")];
    out.push(Block::Bullets(vec![
        format!(
            "Arbetsgrupper: {}{}",
            t.groups,
            if t.groups_without_plan > 0 { format!(" ({} utan aktivitetsplan)", t.groups_without_plan) } else { String::new() }
        ),
        format!("Mål: {}, varav {} som inte går att följa upp eller ligger efter", t.goals, t.goals_off_track),
        format!("Aktiviteter: {} genomförda, {} inte genomförda", t.activities_done, t.activities_not_done),
        format!("Avvikelser: {}", t.deviations),
        format!("Beslut under halvåret: {}; öppna uppdrag: {} ({} försenade)", t.decisions, t.open_assignments, t.overdue_assignments),
        format!("Leveranser: {}, varav {} levererade men inte spridda", t.deliverables, t.undistributed),
    ]));
    if let Some(f) = &r.load_finding {
        out.push(para(f.clone()));
    }

    out.push(heading(1, "Styrgruppen"));
    if r.steering_group.is_empty() {
        out.push(para("Styrgruppen har inga ledamöter i Brygga."));
    } else {
        out.push(Block::Table(
            vec!["Organisation", "Representant", "Roll"],
            r.steering_group
                .iter()
                .map(|m| vec![Cell::text(m.org_name.clone()), Cell::opt_text(m.representative.clone()), Cell::text(m.role_label.clone())])
                .collect(),
        ));
    }
    if r.meetings.is_empty() {
        out.push(para("Inga styrgruppsmöten under halvåret."));
    } else {
        out.push(Block::Table(
            vec!["Datum", "Möte", "Plats", "Status"],
            r.meetings
                .iter()
                .map(|m| {
                    vec![
                        Cell::date_or_text(&m.held_on),
                        Cell::text(m.title.clone()),
                        Cell::opt_text(m.location.clone()),
                        Cell::text(m.status_label.clone()),
                    ]
                })
                .collect(),
        ));
    }

    out.push(heading(1, "Arbetsgrupperna"));
    if r.groups.is_empty() {
        out.push(para("Programmet har inga arbetsgrupper."));
    }
    for g in &r.groups {
        out.push(heading(2, g.name.clone()));
        match &g.plan {
            None => {
                out.push(para(format!("Sammankallande: {}. Gruppen har ingen aktivitetsplan för halvåret eller tidigare.", g.convener)))
            }
            Some(p) => out.push(para(format!(
                "Sammankallande: {}. Aktivitetsplan: {} ({}{}), {}.",
                g.convener,
                p.title,
                p.half_year_label,
                if p.of_the_half_year { "" } else { ", senaste planen före halvåret" },
                p.state_label.to_lowercase()
            ))),
        }
        if g.plan.is_none() {
            continue;
        }
        out.push(heading(3, "Mål"));
        if g.goals.is_empty() {
            out.push(para("Planen har inga mål."));
        } else {
            out.push(Block::Table(
                vec!["Mål", "Typ", "Framsteg", "Läge", "Att åtgärda"],
                g.goals
                    .iter()
                    .map(|goal| {
                        vec![
                            Cell::text(format!("{}{}", "– ".repeat(goal.depth), goal.title)),
                            Cell::text(goal.kind_label.clone()),
                            Cell::text(percent(goal.progress)),
                            Cell::text(if goal.off_track { "Kräver åtgärd" } else { "Enligt plan" }),
                            Cell::text(goal.problems.join("\n")),
                        ]
                    })
                    .collect(),
            ));
        }
        out.push(heading(3, "Aktiviteter"));
        out.push(para(format!(
            "{} genomförda, {} inte genomförda.",
            n(g.activities_done.len(), "aktivitet", "aktiviteter"),
            g.activities_not_done.len()
        )));
        let rows: Vec<Vec<Cell>> = g
            .activities_done
            .iter()
            .map(|a| (a, "Genomförd"))
            .chain(g.activities_not_done.iter().map(|a| (a, "Inte genomförd")))
            .map(|(a, done)| {
                vec![
                    Cell::text(a.title.clone()),
                    Cell::text(a.responsible.clone()),
                    Cell::text(done),
                    Cell::text(a.status_label.clone()),
                    date(&a.end_on),
                ]
            })
            .collect();
        if !rows.is_empty() {
            out.push(Block::Table(vec!["Aktivitet", "Ansvarig", "Genomförd", "Status", "Klar senast"], rows));
        }
        out.push(heading(3, "Avvikelser"));
        if g.deviations.is_empty() {
            out.push(para("Inga avvikelser."));
        } else {
            out.push(Block::Table(
                vec!["Avvikelse", "Åtgärd"],
                g.deviations
                    .iter()
                    .map(|d| {
                        vec![Cell::text(d.what.clone()), Cell::text(d.correction.clone().unwrap_or_else(|| "Ingen åtgärd angiven".into()))]
                    })
                    .collect(),
            ));
        }
        out.push(heading(3, "Processutvärdering"));
        if g.failed_checks.is_empty() {
            out.push(para(format!("Alla {} kontroller är uppfyllda.", g.checks_passed)));
        } else {
            out.push(para(format!("{} att åtgärda, {} uppfyllda:", g.failed_checks.len(), g.checks_passed)));
            out.push(Block::Bullets(g.failed_checks.iter().map(|c| format!("{}: {}", c.analysis.label(), c.message)).collect()));
        }
    }

    out.push(heading(1, "Beslut och uppföljning"));
    if r.decisions.is_empty() {
        out.push(para("Inga beslut under halvåret."));
    } else {
        out.push(Block::Table(DECISION_HEADERS.to_vec(), decision_rows(&r.decisions)));
    }
    if !r.earlier_open.is_empty() {
        out.push(heading(2, "Öppna uppdrag från tidigare möten"));
        out.push(Block::Table(DECISION_HEADERS.to_vec(), decision_rows(&r.earlier_open)));
    }

    out.push(heading(1, "Leveranser och spridning"));
    if r.deliverables.is_empty() {
        out.push(para("Programmet har inga leveranser."));
    } else {
        if t.undistributed > 0 {
            let names: Vec<String> = r.deliverables.iter().filter(|d| d.undistributed).map(|d| format!("”{}”", d.title)).collect();
            out.push(para(format!("Levererad men inte spridd: {}. Ingen vet hur många produkten har nått.", names.join(", "))));
        }
        out.push(Block::Table(
            vec!["Produkt", "Typ", "Levererad", "Spridningar", "Skickade", "Öppnade", "Nedladdade", "Kontroll"],
            r.deliverables
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(d.title.clone()),
                        Cell::text(d.kind_label.clone()),
                        date(&d.delivered_on),
                        count(d.reach.distributions),
                        Cell::Integer(d.reach.sent),
                        Cell::Integer(d.reach.opened),
                        Cell::Integer(d.reach.downloaded),
                        Cell::text(if d.undistributed {
                            "Levererad men inte spridd"
                        } else if d.delivered_on.is_none() {
                            "Inte levererad"
                        } else {
                            "Spridd"
                        }),
                    ]
                })
                .collect(),
        ));
    }

    out.push(heading(1, "Belastning per organisation"));
    out.push(para(
        "Hur många arbetsgrupper varje organisation är sammankallande i och medlem i, och hur många av dess medlemskap som saknar uttalat mandat eller avsatt arbetstid.",
    ));
    if let Some(f) = &r.load_finding {
        out.push(para(f.clone()));
    }
    out.push(Block::Table(
        vec!["Organisation", "Sammankallande i", "Medlem i", "Styrgruppen", "Utan mandat", "Utan arbetstid"],
        r.load
            .iter()
            .map(|l| {
                vec![
                    Cell::text(l.name.clone()),
                    count(l.convenes),
                    count(l.staffs),
                    Cell::text(l.steering_role.clone().unwrap_or_else(|| "–".into())),
                    count(l.without_mandate),
                    count(l.without_time),
                ]
            })
            .collect(),
    ));
    out
}

/// The report as Word: `Styrgruppsrapport 2019H1 Skåne tillsammans mot brott.docx`.
pub fn docx(r: &SteeringReport) -> Result<WordFile, AppError> {
    let clean: String = format!("Styrgruppsrapport {} {}", r.half_year, r.programme_title)
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '-' } else { c })
        .collect();
    Ok(WordFile { name: format!("{}.docx", clean.trim()), bytes: render_docx(&meta(r), &blocks(r))? })
}
