//! Länstabell: seed 003's baseline table, live — per municipality of a county on a date, a
//! current samverkansöverenskommelse, a current joint medborgarlöfte, refers to causes, only
//! effect goals, and the county board's latest and baseline scores with the change; the totals
//! row; a comparison date; CSV and XLSX with the same content.
//!
//! Paths: `/overenskommelser/lan` (the viewer's county, or a choice), `/overenskommelser/lan/{county}`
//! (`?datum=2026-12-06&jamfor=2025-06-01`), `/overenskommelser/lan/{county}/lanstabell.{csv|xlsx}`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use brygga_domain::FieldErrors;
use brygga_domain::time::parse_date;
use brygga_store::agreements::county::{self, CountyTable, Flags, Totals};
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::SignedIn;
use crate::kit::error::{AppError, PageResult};
use crate::kit::export::{Cell, table_csv, table_xlsx};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView, html};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/overenskommelser/lan", get(choose))
        .route("/overenskommelser/lan/{county}", get(table))
        .route("/overenskommelser/lan/{county}/{file}", get(export))
}

#[derive(Deserialize, Default)]
struct TableQuery {
    datum: Option<String>,
    jamfor: Option<String>,
}

#[derive(Template)]
#[template(path = "agreements/county/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    counties: Vec<(String, String)>,
}

async fn choose(State(state): State<AppState>, SignedIn(session): SignedIn) -> PageResult {
    let v = session.viewer.clone();
    let (mine, counties) =
        state.store.read(move |db| Ok((county::county_of_viewer(db, &v)?, brygga_store::places::geography::counties(db)?))).await?;
    if let Some(c) = mine {
        return Ok(Redirect::to(&format!("/overenskommelser/lan/{c}")).into_response());
    }
    html(StatusCode::OK, ChoosePage { chrome: Chrome::new(&session, "Länstabell", "agreements", &Flash(None)), counties })
}

/// One row as shown: the state on the date and (when comparing) then.
struct Row {
    name: String,
    on: Flags,
    then: Option<Flags>,
    change: String,
}

#[derive(Template)]
#[template(path = "agreements/county/table.html")]
struct TablePage {
    chrome: Chrome,
    t: CountyTable,
    rows: Vec<Row>,
    form: FormView,
    query: String,
}

fn dates(q: &TableQuery) -> (jiff::civil::Date, Option<jiff::civil::Date>, FieldErrors) {
    let mut errs = FieldErrors::new();
    let today = brygga_domain::time::today();
    let on = match q.datum.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(s) => errs.take(parse_date("datum", s)).unwrap_or(today),
    };
    let compare = match q.jamfor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => errs.take(parse_date("jamfor", s)),
    };
    (on, compare, errs)
}

fn signed(v: f64) -> String {
    let s = brygga_domain::time::format_number(v.abs(), 1);
    if v > 0.0 {
        format!("+{s}")
    } else if v < 0.0 {
        format!("−{s}")
    } else {
        "±0".into()
    }
}

async fn table(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(code): Path<String>,
    Query(q): Query<TableQuery>,
) -> PageResult {
    let (on, compare, errs) = dates(&q);
    let v = session.viewer.clone();
    let t = state.store.read(move |db| county::table(db, &v, &code, on, compare)).await?;
    let rows = t
        .rows
        .iter()
        .map(|r| Row {
            name: r.municipality_name.clone(),
            change: r.on.change().map(signed).unwrap_or_default(),
            on: r.on.clone(),
            then: r.then.clone(),
        })
        .collect();
    let mut form = FormView { values: vec![], errors: errs };
    form.set("datum", q.datum.clone().unwrap_or_else(|| on.to_string())).set("jamfor", q.jamfor.clone().unwrap_or_default());
    let query = format!("?datum={on}{}", compare.map(|c| format!("&jamfor={c}")).unwrap_or_default());
    let status = if form.has_errors() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html(
        status,
        TablePage {
            chrome: Chrome::new(&session, format!("Länstabell: {}", t.county_name), "agreements", &Flash(None)),
            t,
            rows,
            form,
            query,
        },
    )
}

fn yes(b: bool) -> Cell {
    Cell::text(if b { "Ja" } else { "Nej" })
}

fn flag_cells(f: &Flags) -> Vec<Cell> {
    vec![
        yes(f.cooperation_agreement),
        yes(f.joint_citizen_promise),
        yes(f.refers_to_causes),
        yes(f.only_effect_goals),
        Cell::opt_decimal(f.baseline.as_ref().and_then(|s| s.score_percent), 1),
        Cell::opt_decimal(f.latest.as_ref().and_then(|s| s.score_percent), 1),
        Cell::opt_text(f.latest.as_ref().map(|s| s.taken_on.clone())),
    ]
}

fn total_cells(t: &Totals) -> Vec<Cell> {
    vec![
        Cell::Integer(t.cooperation_agreement),
        Cell::Integer(t.joint_citizen_promise),
        Cell::Integer(t.refers_to_causes),
        Cell::Integer(t.only_effect_goals),
        Cell::Empty,
        Cell::opt_decimal(t.mean_score, 1),
        Cell::Integer(t.assessed),
    ]
}

const HEAD: [&str; 7] = [
    "Samverkansöverenskommelse",
    "Gemensamt medborgarlöfte",
    "Hänvisar till orsaker",
    "Bara effektmål",
    "Poäng vid nulägesmätning (%)",
    "Senaste poäng (%)",
    "Senaste mätning",
];

async fn export(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path((code, file)): Path<(String, String)>,
    Query(q): Query<TableQuery>,
) -> PageResult {
    let (on, compare, errs) = dates(&q);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs).into());
    }
    let v = session.viewer.clone();
    let t = state.store.read(move |db| county::table(db, &v, &code, on, compare)).await?;
    let mut header: Vec<String> = vec!["Kommun".into(), "Kommunkod".into()];
    header.extend(HEAD.iter().map(|h| format!("{h} {on}")));
    if let Some(c) = compare {
        header.extend(HEAD.iter().map(|h| format!("{h} {c}")));
    }
    let mut rows: Vec<Vec<Cell>> = t
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![Cell::text(r.municipality_name.clone()), Cell::text(r.municipality_code.clone())];
            row.extend(flag_cells(&r.on));
            if let Some(then) = &r.then {
                row.extend(flag_cells(then));
            }
            row
        })
        .collect();
    let mut total = vec![Cell::text(format!("Totalt ({} kommuner)", t.totals.municipalities)), Cell::Empty];
    total.extend(total_cells(&t.totals));
    if let Some(ct) = &t.compare_totals {
        total.extend(total_cells(ct));
    }
    rows.push(total);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let name = format!("Länstabell {} {on}", t.county_name);
    match file.as_str() {
        "lanstabell.csv" => Ok(table_csv(&format!("{name}.csv"), &header, &rows)?),
        "lanstabell.xlsx" => Ok(table_xlsx(&format!("{name}.xlsx"), "Länstabell", &name, &header, &rows)?),
        _ => Err(AppError::NotFound.into()),
    }
}
