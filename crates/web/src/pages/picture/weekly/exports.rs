//! The weekly picture as files: CSV (Excel-friendly, through `export::csv_download`), XLSX and
//! GeoJSON (the places with their counts). Hidden counts stay hidden: `<3` in the spreadsheets,
//! `null` with `suppressed: true` in GeoJSON.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use brygga_store::picture::weekly::{Cell, WeeklyPicture};
use brygga_store::places::areas::Area;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::{Value, json};

use crate::kit::error::AppError;

pub const HEADER: &[&str] = &[
    "vecka",
    "kategori",
    "plats",
    "antal",
    "dold",
    "rapporter",
    "normalt från",
    "normalt till",
    "förväntat",
    "förändring",
    "läge",
    "flaggad",
    "riktning",
    "p",
    "q",
];

fn hidden_label(p: &WeeklyPicture) -> String {
    format!("<{}", p.suppressed_below.unwrap_or(0))
}

fn decimal(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(String::new, |v| format!("{v:.decimals$}").replace('.', ","))
}

fn position(c: &Cell) -> &'static str {
    match c.trend.as_ref().and_then(|t| t.position.as_deref()) {
        Some("above") => "över det normala",
        Some("below") => "under det normala",
        Some(_) => "inom det normala",
        None => "",
    }
}

fn direction(c: &Cell) -> &'static str {
    match c.trend.as_ref().map_or("", |t| t.direction.as_str()) {
        "increase" => "ökning",
        "decrease" => "minskning",
        _ => "",
    }
}

/// One row per category × place, with the numbers of the page.
pub fn rows(p: &WeeklyPicture) -> Vec<Vec<String>> {
    p.cells
        .iter()
        .map(|c| {
            vec![
                p.week.clone(),
                c.category_name.clone(),
                c.area_name.clone(),
                c.count.map_or_else(|| hidden_label(p), |n| n.to_string()),
                if c.suppressed { "ja" } else { "nej" }.to_owned(),
                c.reports.map_or_else(String::new, |n| n.to_string()),
                c.trend.as_ref().map_or_else(String::new, |t| t.typical_low.to_string()),
                c.trend.as_ref().map_or_else(String::new, |t| t.typical_high.to_string()),
                decimal(c.trend.as_ref().and_then(|t| t.expected), 2),
                decimal(c.trend.as_ref().and_then(|t| t.change), 2),
                position(c).to_owned(),
                if c.flagged() { "ja" } else { "nej" }.to_owned(),
                direction(c).to_owned(),
                decimal(c.trend.as_ref().and_then(|t| t.p_value), 4),
                decimal(c.trend.as_ref().and_then(|t| t.q_value), 4),
            ]
        })
        .collect()
}

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

fn attachment(file_name: &str, mime: &'static str, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file_name.replace(['"', '\\', '\r', '\n'], "_"));
    ([(header::CONTENT_TYPE, mime.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

/// A workbook: the table, the flags, and the weekly series of categories and places.
pub fn xlsx(file_name: &str, p: &WeeklyPicture) -> Result<Response, AppError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Lägesbild").map_err(xlsx_error)?;
    sheet
        .write_string_with_format(0, 0, format!("Lägesbild {} – {}, {}", p.week, p.title, p.municipality_name), &bold)
        .map_err(xlsx_error)?;
    if let Some(t) = p.suppressed_below {
        sheet.write_string(1, 0, format!("Antal under {t} visas som <{t} och ingår inte i summorna.")).map_err(xlsx_error)?;
    }
    let top = 3;
    for (i, h) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(top, i as u16, *h, &bold).map_err(xlsx_error)?;
    }
    for (r, c) in p.cells.iter().enumerate() {
        let row = top + 1 + r as u32;
        sheet.write_string(row, 0, &p.week).map_err(xlsx_error)?;
        sheet.write_string(row, 1, &c.category_name).map_err(xlsx_error)?;
        sheet.write_string(row, 2, &c.area_name).map_err(xlsx_error)?;
        match c.count {
            Some(n) => sheet.write_number(row, 3, n as f64),
            None => sheet.write_string(row, 3, hidden_label(p)),
        }
        .map_err(xlsx_error)?;
        sheet.write_string(row, 4, if c.suppressed { "ja" } else { "nej" }).map_err(xlsx_error)?;
        if let Some(n) = c.reports {
            sheet.write_number(row, 5, n as f64).map_err(xlsx_error)?;
        }
        if let Some(t) = &c.trend {
            sheet.write_number(row, 6, t.typical_low as f64).map_err(xlsx_error)?;
            sheet.write_number(row, 7, t.typical_high as f64).map_err(xlsx_error)?;
        }
        let t = c.trend.as_ref();
        for (col, v) in [
            (8, t.and_then(|t| t.expected)),
            (9, t.and_then(|t| t.change)),
            (13, t.and_then(|t| t.p_value)),
            (14, t.and_then(|t| t.q_value)),
        ] {
            if let Some(v) = v {
                sheet.write_number(row, col, v).map_err(xlsx_error)?;
            }
        }
        sheet.write_string(row, 10, position(c)).map_err(xlsx_error)?;
        sheet.write_string(row, 11, if c.flagged() { "ja" } else { "nej" }).map_err(xlsx_error)?;
        sheet.write_string(row, 12, direction(c)).map_err(xlsx_error)?;
    }
    sheet.set_column_width(1, 24).map_err(xlsx_error)?;
    sheet.set_column_width(2, 24).map_err(xlsx_error)?;

    let flags = book.add_worksheet().set_name("Flaggor").map_err(xlsx_error)?;
    flags.write_string_with_format(0, 0, "Förändringar som är osannolika som slump", &bold).map_err(xlsx_error)?;
    for (i, f) in p.flags.iter().enumerate() {
        flags.write_string(1 + i as u32, 0, &f.sentence).map_err(xlsx_error)?;
    }
    if p.flags.is_empty() {
        flags.write_string(1, 0, "Inga förändringar den här veckan är osannolika som slump.").map_err(xlsx_error)?;
    }
    flags.set_column_width(0, 100).map_err(xlsx_error)?;

    let series = book.add_worksheet().set_name("Veckoserier").map_err(xlsx_error)?;
    series.write_string_with_format(0, 0, "typ", &bold).map_err(xlsx_error)?;
    series.write_string_with_format(0, 1, "namn", &bold).map_err(xlsx_error)?;
    for (i, w) in p.weeks.iter().enumerate() {
        series.write_string_with_format(0, 2 + i as u16, w, &bold).map_err(xlsx_error)?;
    }
    let lines = p
        .categories
        .iter()
        .map(|c| ("kategori", &c.name, &c.total.series))
        .chain(p.places.iter().map(|pl| ("plats", &pl.name, &pl.total.series)));
    for (r, (kind, name, values)) in lines.enumerate() {
        let row = 1 + r as u32;
        series.write_string(row, 0, kind).map_err(xlsx_error)?;
        series.write_string(row, 1, name).map_err(xlsx_error)?;
        for (i, v) in values.iter().enumerate() {
            series.write_number(row, 2 + i as u16, *v as f64).map_err(xlsx_error)?;
        }
    }
    series.set_column_width(1, 24).map_err(xlsx_error)?;
    let body = book.save_to_buffer().map_err(xlsx_error)?;
    Ok(attachment(file_name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body))
}

/// The places as a GeoJSON FeatureCollection (WGS84) with the week's counts, change and hotspot class.
pub fn geojson(file_name: &str, p: &WeeklyPicture, areas: &[Area]) -> Result<Response, AppError> {
    let features: Vec<Value> = p
        .places
        .iter()
        .filter_map(|pl| {
            let area = areas.iter().find(|a| Some(a.id) == pl.area_id)?;
            Some(json!({
                "type": "Feature",
                "id": area.id,
                "geometry": area.geometry,
                "properties": {
                    "id": area.id,
                    "name": pl.name,
                    "kind": pl.kind,
                    "week": p.week,
                    "count": pl.total.count,
                    "hidden_cells": pl.total.hidden_cells,
                    "recent_mean": pl.total.recent_mean,
                    "change": pl.total.change,
                    "typical_low": pl.total.typical_low,
                    "typical_high": pl.total.typical_high,
                    "hotspot": pl.hotspot.as_ref().map(|h| h.class.clone()),
                    "gi_z": pl.hotspot.as_ref().and_then(|h| h.z),
                }
            }))
        })
        .collect();
    let doc = json!({
        "type": "FeatureCollection",
        "name": format!("Lägesbild {} – {}", p.week, p.title),
        "week": p.week,
        "municipality_code": p.municipality_code,
        "suppressed_below": p.suppressed_below,
        "features": features,
    });
    let body = serde_json::to_vec_pretty(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(attachment(file_name, "application/geo+json", body))
}
