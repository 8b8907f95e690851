//! The observation import's column mapping: which column (or constant) fills which field of an
//! observation, guessed from the headers in Swedish or English, and reading an uploaded table.

use super::*;

/// A field of an observation that a column (or a constant) can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Category,
    Area,
    ObservedAt,
    Time,
    Quantity,
    Intensity,
    Note,
    Lat,
    Lon,
}

impl Target {
    pub const ALL: [Target; 9] = [
        Target::Category,
        Target::Area,
        Target::ObservedAt,
        Target::Time,
        Target::Quantity,
        Target::Intensity,
        Target::Note,
        Target::Lat,
        Target::Lon,
    ];

    /// The form field's name part, e.g. `observed_at` (form fields are `map_observed_at`,
    /// `const_observed_at`).
    pub fn code(self) -> &'static str {
        match self {
            Target::Category => "category",
            Target::Area => "area",
            Target::ObservedAt => "observed_at",
            Target::Time => "time",
            Target::Quantity => "quantity",
            Target::Intensity => "intensity",
            Target::Note => "note",
            Target::Lat => "lat",
            Target::Lon => "lon",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::Category => "Kategori",
            Target::Area => "Plats",
            Target::ObservedAt => "Datum och tid",
            Target::Time => "Klockslag (om det står i en egen kolumn)",
            Target::Quantity => "Antal",
            Target::Intensity => "Intensitet",
            Target::Note => "Kommentar",
            Target::Lat => "Latitud",
            Target::Lon => "Longitud",
        }
    }

    /// Whether the same value can be given for every row instead of a column.
    pub fn allows_constant(self) -> bool {
        matches!(self, Target::Category | Target::Area | Target::ObservedAt | Target::Quantity)
    }

    /// Header texts (normalised) that suggest this target.
    fn header_words(self) -> &'static [&'static str] {
        match self {
            Target::Category => &["kategori", "category", "typ", "händelsetyp", "vad", "kategorikod"],
            Target::Area => &["plats", "område", "omrade", "area", "place", "stadsdel", "platsnamn", "area_id"],
            Target::ObservedAt => &[
                "datum och tid",
                "tidpunkt",
                "observed_at",
                "datum",
                "date",
                "datetime",
                "när",
                "tid",
                "time",
                "observerad",
                "observationsdatum",
            ],
            Target::Time => &["klockslag", "kl", "klockan", "tid", "time"],
            Target::Quantity => &["antal", "quantity", "count", "st", "antal st"],
            Target::Intensity => &["intensitet", "intensity", "grad", "nivå"],
            Target::Note => &["kommentar", "note", "anteckning", "beskrivning", "notering", "text", "comment", "kommentarer"],
            Target::Lat => &["lat", "latitud", "latitude", "breddgrad"],
            Target::Lon => &["lon", "lng", "long", "longitud", "longitude", "längdgrad"],
        }
    }
}

/// Where a target's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Source {
    #[default]
    None,
    /// The 0-based column of the file.
    Column(usize),
    /// The same value for every row (a category id, an area id, a date, a number).
    Constant(String),
}

/// Which column (or constant) fills which field of the observations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ColumnMapping(pub HashMap<Target, Source>);

fn normalise_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == ':' || c == '\u{feff}')
        .to_lowercase()
        .replace(['(', ')', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl ColumnMapping {
    pub fn get(&self, t: Target) -> &Source {
        self.0.get(&t).unwrap_or(&Source::None)
    }

    pub fn set(&mut self, t: Target, s: Source) {
        self.0.insert(t, s);
    }

    /// Guesses the mapping from Swedish or English headers. A "tid" column is the time of day
    /// when a separate date column exists, otherwise the date and time.
    pub fn guess(headers: &[String]) -> Self {
        let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let mut m = ColumnMapping::default();
        let mut taken = vec![false; norm.len()];
        let has_date = norm.iter().any(|h| matches!(h.as_str(), "datum" | "date"));
        for t in Target::ALL {
            let words: Vec<&str> = match t {
                Target::Time if !has_date => continue,
                Target::ObservedAt if has_date => t.header_words().iter().copied().filter(|w| !matches!(*w, "tid" | "time")).collect(),
                _ => t.header_words().to_vec(),
            };
            // Exact matches first, in the order of the words, then a header starting with one.
            let found = words.iter().find_map(|w| norm.iter().enumerate().position(|(i, h)| !taken[i] && h == w)).or_else(|| {
                words.iter().find_map(|w| norm.iter().enumerate().position(|(i, h)| !taken[i] && h.starts_with(&format!("{w} "))))
            });
            if let Some(i) = found {
                taken[i] = true;
                m.set(t, Source::Column(i));
            }
        }
        m
    }
}

/// Reads an uploaded table with the web limit.
pub fn read_upload(upload: &Upload) -> Result<Table, Refusal> {
    read_table_with(&upload.content, Some(&upload.meta.file_name), &ReadOptions { max_bytes: MAX_UPLOAD_BYTES }).map_err(Refusal::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn guesses_swedish_and_english_headers() {
        let m = ColumnMapping::guess(&headers(&["Datum", "Tid", "Kategori", "Plats", "Antal", "Kommentar"]));
        assert_eq!(m.get(Target::ObservedAt), &Source::Column(0));
        assert_eq!(m.get(Target::Time), &Source::Column(1));
        assert_eq!(m.get(Target::Category), &Source::Column(2));
        assert_eq!(m.get(Target::Area), &Source::Column(3));
        assert_eq!(m.get(Target::Quantity), &Source::Column(4));
        assert_eq!(m.get(Target::Note), &Source::Column(5));
        let m = ColumnMapping::guess(&headers(&["category", "area", "observed_at", "quantity", "note", "lat", "lon"]));
        assert_eq!(m.get(Target::ObservedAt), &Source::Column(2));
        assert_eq!(m.get(Target::Time), &Source::None);
        assert_eq!(m.get(Target::Lat), &Source::Column(5));
        assert_eq!(m.get(Target::Lon), &Source::Column(6));
        let m = ColumnMapping::guess(&headers(&["Tid", "Område", "Intensitet (1-5)"]));
        assert_eq!(m.get(Target::ObservedAt), &Source::Column(0), "a lone Tid column is the date and time");
        assert_eq!(m.get(Target::Area), &Source::Column(1));
        assert_eq!(m.get(Target::Intensity), &Source::Column(2));
    }
}
