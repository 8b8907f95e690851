//! Downloads people open in Excel: CSV in UTF-8 with a byte-order mark, `;` between fields (the
//! Swedish Excel default), and cells that Excel would run as formulas made harmless.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::kit::error::AppError;

/// Excel opens a cell starting with one of these as a formula; a leading apostrophe keeps it text.
pub fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// A CSV attachment named `file_name` with one header row and the given rows.
pub fn csv_download<I, R>(file_name: &str, header: &[&str], rows: I) -> Result<Response, AppError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(header).map_err(internal)?;
    for row in rows {
        w.write_record(row.into_iter().map(|s| cell(&s))).map_err(internal)?;
    }
    let body = w.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{}\"", file_name.replace(['"', '\\', '\r', '\n'], "_"));
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_become_text() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("Trelleborg"), "Trelleborg");
    }
}
