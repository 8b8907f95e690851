//! The demo's plans in Trelleborg (issue 13): the context a lägesbild draws on that the rest of
//! the demo lacks — reported crimes per month and a safety survey — and then the municipality's
//! lägesbild 2026 and åtgärdsplan 2026–2027 built on the demo's own data.
//!
//! The figures are **synthetic** and say so in their source names: a seasonal pattern with a
//! fixed seed, so every demo shows the same numbers. They enter through the same store functions
//! as an import of Brå's statistics and of a survey tool's export.

use brygga_domain::geography::MunicipalityCode;
use brygga_import::crime_stats::{CrimeStatRow, CrimeStats, Layout};
use brygga_import::safety_survey::{SafetySurvey, SafetySurveyRow};
use brygga_import::tabular::{SourceFormat, TextEncoding};
use brygga_store::kernel::viewer::Via;
use brygga_store::picture::statistics::{self, SurveyTarget};
use brygga_store::{Conn, ConnExt, StoreResult, Viewer, Visibility, args};
use jiff::civil::Date;

/// Offences of the synthetic statistics, with a monthly level and a seasonal swing.
const OFFENCES: &[(&str, f64, f64)] = &[("Skadegörelse", 38.0, 8.0), ("Skadegörelse genom klotter", 21.0, 6.0), ("Misshandel", 14.0, 3.0)];

/// Monthly reported crimes in Trelleborg from January three years back to the last complete
/// month: summer peaks for damage, a slow rise in graffiti (the demo's problem).
pub fn crime_statistics(today: Date) -> CrimeStats {
    let municipality = MunicipalityCode::parse("1287").expect("Trelleborg");
    let mut rows = Vec::new();
    let last = today.first_of_month().checked_sub(jiff::Span::new().months(1)).expect("in range");
    let mut m = Date::new(today.year() - 3, 1, 1).expect("valid");
    let mut i = 0u32;
    while m <= last {
        for (k, (offence, level, swing)) in OFFENCES.iter().enumerate() {
            let season = ((f64::from(m.month()) - 1.0) / 12.0 * std::f64::consts::TAU - 2.6).cos();
            let trend = if *offence == "Skadegörelse genom klotter" { f64::from(i) * 0.25 } else { 0.0 };
            // A fixed pseudo-random wobble (the same every run).
            let wobble = f64::from((i * 7 + k as u32 * 13) % 5) - 2.0;
            let count = (level + swing * season + trend + wobble).round().max(0.0);
            rows.push(CrimeStatRow {
                municipality,
                year: m.year(),
                month: m.month() as u8,
                offence: (*offence).to_owned(),
                count: Some(count),
            });
        }
        m = m.checked_add(jiff::Span::new().months(1)).expect("in range");
        i += 1;
    }
    CrimeStats {
        rows,
        skipped: Vec::new(),
        layout: Layout::Long,
        format: SourceFormat::Csv { encoding: TextEncoding::Utf8, delimiter: ';' },
    }
}

/// The municipality's safety survey (trygghetsmätning) for the last three years, for the whole
/// municipality and for the centre: the share who feel unsafe outdoors late in the evening.
pub fn safety_survey(today: Date) -> SafetySurvey {
    let mut rows = Vec::new();
    for (n, year) in ((today.year() - 3)..today.year()).enumerate() {
        for (area, base) in [("Hela kommunen", 0.21), ("Centrum", 0.29)] {
            rows.push(SafetySurveyRow {
                area: area.to_owned(),
                question: "Otrygg utomhus sent en kväll".to_owned(),
                year,
                share_unsafe: base + 0.02 * n as f64,
                respondents: Some(if area == "Centrum" { 212 } else { 1140 }),
            });
        }
    }
    SafetySurvey { rows, skipped: Vec::new(), format: SourceFormat::Csv { encoding: TextEncoding::Utf8, delimiter: ';' } }
}

/// Imports the synthetic statistics and survey for Trelleborgs kommun, as its coordinator would.
pub fn seed_context(db: &mut dyn Conn, today: Date) -> StoreResult<()> {
    let kommun: i64 = db.scalar("SELECT id FROM organisations WHERE name = $1", args!["Trelleborgs kommun"])?;
    let coordinator: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args!["samordnare@trelleborg.example"])?;
    let v = Viewer::for_user(db, coordinator, Via::Web)?;
    let stats = crime_statistics(today);
    statistics::import_crime_statistics(db, &v, kommun, Some("syntetisk-statistik-demo.csv"), "demo-crime-statistics", &stats)?
        .map_err(|r| brygga_store::StoreError::Internal(format!("demo statistics refused: {r:?}")))?;
    let target =
        SurveyTarget { org_id: kommun, municipality: MunicipalityCode::parse("1287").expect("Trelleborg"), visibility: Visibility::Public };
    statistics::import_safety_survey(
        db,
        &v,
        &target,
        Some("syntetisk-trygghetsmatning-demo.csv"),
        "demo-safety-survey",
        &safety_survey(today),
    )?
    .map_err(|r| brygga_store::StoreError::Internal(format!("demo survey refused: {r:?}")))?;
    Ok(())
}
