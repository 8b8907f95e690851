//! Readers for CSV and GeoJSON. They never panic: every malformed input becomes a [`CliError`]
//! naming the file, field and row.

use crate::error::{CliError, Result};
use brygga_analys::geom::{Area, Point, Polygon, Ring};
use rayon::prelude::*;
use serde_json::{Map, Value};

/// Input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma, semicolon or tab separated values with a header row.
    Csv,
    /// A GeoJSON FeatureCollection (or a single Feature).
    GeoJson,
}

/// Decides the format from the file name, else from the first non-blank byte.
pub fn detect_format(path: &str, bytes: &[u8]) -> Format {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".tsv") || lower.ends_with(".txt") {
        return Format::Csv;
    }
    if lower.ends_with(".geojson") || lower.ends_with(".json") {
        return Format::GeoJson;
    }
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Format::GeoJson,
        _ => Format::Csv,
    }
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// Exact powers of ten representable in f64.
const POW10: [f64; 23] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/// Clinger's fast path: a plain decimal `[-+]digits[.digits]` whose digits form an integer
/// m ≤ 2^53 with at most 22 decimals is exactly m / 10^k, and one IEEE division of two exact
/// operands is correctly rounded — the same value `str::parse::<f64>` gives. `None` otherwise.
fn fast_decimal(b: &[u8]) -> Option<f64> {
    let (neg, start) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut m: u64 = 0;
    let mut digits = 0u32;
    let mut frac = 0usize;
    let mut dot = false;
    for &c in &b[start..] {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > 19 {
                return None;
            }
            m = m * 10 + u64::from(c - b'0');
            if dot {
                frac += 1;
            }
        } else if c == b'.' && !dot {
            dot = true;
        } else {
            return None;
        }
    }
    if digits == 0 || m > (1u64 << 53) || frac >= POW10.len() {
        return None;
    }
    let v = m as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

/// Parses one number. Accepts a decimal comma when the field separator is not a comma.
/// Rejects NaN and infinities.
pub fn parse_number(raw: &str, decimal_comma: bool) -> Option<f64> {
    let t = raw.trim();
    if let Some(v) = fast_decimal(t.as_bytes()) {
        return Some(v);
    }
    let v = match t.parse::<f64>() {
        Ok(v) => v,
        Err(_) if decimal_comma && t.contains(',') && !t.contains('.') => t.replacen(',', ".", 1).parse::<f64>().ok()?,
        Err(_) => return None,
    };
    v.is_finite().then_some(v)
}

/// Columns read from a CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvColumns {
    /// One vector per requested numeric column, in the order asked for.
    pub numeric: Vec<Vec<f64>>,
    /// The identifier column as text, when one was asked for.
    pub ids: Option<Vec<String>>,
}

impl CsvColumns {
    /// Number of data rows.
    pub fn rows(&self) -> usize {
        self.numeric.first().map_or_else(|| self.ids.as_ref().map_or(0, Vec::len), Vec::len)
    }
}

fn sniff_delimiter(header: &[u8]) -> u8 {
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t'].into_iter().max_by_key(|&d| (count(d), d == b',')).unwrap_or(b',')
}

/// Reads the named numeric columns (and optionally an id column) of a CSV file with a header row.
/// The separator (`,` `;` or tab) is detected from the header. Large files without quotes are
/// parsed in parallel chunks.
pub fn read_csv_columns(bytes: &[u8], numeric: &[&str], id: Option<&str>, source: &str) -> Result<CsvColumns> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
    let header_line = &bytes[..header_end];
    if header_line.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CliError::Empty(source.to_owned()));
    }
    let delimiter = sniff_delimiter(header_line);
    let decimal_comma = delimiter != b',';
    let mut header_reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(header_line);
    let mut header = csv::StringRecord::new();
    match header_reader.read_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Err(CliError::Empty(source.to_owned())),
        Err(e) => return Err(CliError::Csv(e.to_string())),
    }
    let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    let find = |field: &str| -> Result<usize> {
        names.iter().position(|n| n == field).ok_or_else(|| CliError::MissingField { field: field.to_owned(), available: names.join(", ") })
    };
    let num_idx: Vec<usize> = numeric.iter().map(|f| find(f)).collect::<Result<_>>()?;
    let id_idx = id.map(find).transpose()?;
    let body = if header_end < bytes.len() { &bytes[header_end + 1..] } else { &[][..] };

    // chunk boundaries at newlines; quotes may hide newlines, so quoted files stay in one chunk
    let plain = memchr::memchr(b'"', body).is_none();
    let threads = rayon::current_num_threads().max(1);
    let mut bounds = vec![0usize];
    if body.len() > (1 << 22) && plain {
        for k in 1..threads {
            let guess = body.len() * k / threads;
            let cut = memchr::memchr(b'\n', &body[guess..]).map_or(body.len(), |p| guess + p + 1);
            if cut > *bounds.last().unwrap_or(&0) && cut < body.len() {
                bounds.push(cut);
            }
        }
    }
    bounds.push(body.len());
    let chunks: Vec<&[u8]> = bounds.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    let parse = |k: usize, line0: u64| {
        if plain {
            parse_chunk_plain(chunks[k], line0, &num_idx, id_idx, numeric, delimiter, decimal_comma)
        } else {
            parse_chunk(chunks[k], line0, &num_idx, id_idx, numeric, id, delimiter, decimal_comma)
        }
    };
    // line numbers (1-based, header = line 1) are only needed for an error message: later chunks
    // are parsed with relative numbers and, on an error, parsed again with the true first line
    let parts: Vec<Result<CsvColumns>> = (0..chunks.len())
        .into_par_iter()
        .map(|k| match parse(k, 2) {
            Err(_) if k > 0 => {
                let line0 = 2 + chunks[..k].iter().map(|c| memchr::memchr_iter(b'\n', c).count() as u64).sum::<u64>();
                parse(k, line0)
            }
            other => other,
        })
        .collect();
    let mut parts = parts.into_iter().collect::<Result<Vec<CsvColumns>>>()?;
    let mut out = if parts.len() == 1 {
        parts.pop().unwrap_or(CsvColumns { numeric: Vec::new(), ids: None })
    } else {
        // concatenate into vectors of the exact final size (one allocation, no regrowth)
        let rows: usize = parts.iter().map(CsvColumns::rows).sum();
        let mut out = CsvColumns {
            numeric: (0..numeric.len()).map(|_| Vec::with_capacity(rows)).collect(),
            ids: id.map(|_| Vec::with_capacity(rows)),
        };
        for part in parts {
            for (dst, src) in out.numeric.iter_mut().zip(part.numeric) {
                dst.extend_from_slice(&src);
            }
            if let (Some(dst), Some(src)) = (out.ids.as_mut(), part.ids) {
                dst.extend(src);
            }
        }
        out
    };
    for column in &mut out.numeric {
        column.shrink_to_fit();
    }
    if out.rows() == 0 {
        return Err(CliError::Empty(source.to_owned()));
    }
    Ok(out)
}

/// Fast path for files without quotes: one SIMD scan for separators and newlines
/// (`memchr2`), numbers parsed straight from the bytes.
fn parse_chunk_plain(
    chunk: &[u8],
    line0: u64,
    num_idx: &[usize],
    id_idx: Option<usize>,
    numeric: &[&str],
    delimiter: u8,
    decimal_comma: bool,
) -> Result<CsvColumns> {
    let max_col = num_idx.iter().copied().chain(id_idx).max().unwrap_or(0);
    let estimate = chunk.len() / 16 + 1;
    let mut out =
        CsvColumns { numeric: (0..num_idx.len()).map(|_| Vec::with_capacity(estimate)).collect(), ids: id_idx.map(|_| Vec::new()) };
    let mut slots: Vec<&[u8]> = vec![b""; max_col + 1];
    let mut col = 0usize;
    let mut start = 0usize;
    let mut row = line0 as usize;
    let ends = memchr::memchr2_iter(delimiter, b'\n', chunk).chain(std::iter::once(chunk.len()));
    for pos in ends {
        let end_of_line = pos == chunk.len() || chunk[pos] == b'\n';
        let mut field = &chunk[start..pos];
        if end_of_line {
            field = field.strip_suffix(b"\r").unwrap_or(field);
        }
        if col <= max_col {
            slots[col] = field;
        }
        col += 1;
        start = pos + 1;
        if !end_of_line {
            continue;
        }
        let blank = col == 1 && slots[0].trim_ascii().is_empty();
        if !blank {
            for (k, &c) in num_idx.iter().enumerate() {
                let bytes = if c < col { slots[c].trim_ascii() } else { b"" };
                if bytes.is_empty() {
                    return Err(CliError::MissingValue { field: numeric[k].to_owned(), row });
                }
                let value = match fast_decimal(bytes) {
                    Some(v) => Some(v),
                    None => std::str::from_utf8(bytes).ok().and_then(|t| parse_number(t, decimal_comma)),
                };
                match value {
                    Some(v) => out.numeric[k].push(v),
                    None => {
                        return Err(CliError::NotNumeric {
                            field: numeric[k].to_owned(),
                            row,
                            text: shorten(&String::from_utf8_lossy(bytes)),
                        });
                    }
                }
            }
            if let (Some(c), Some(ids)) = (id_idx, out.ids.as_mut()) {
                let bytes = if c < col { slots[c] } else { b"" };
                ids.push(String::from_utf8_lossy(bytes).trim().to_owned());
            }
        }
        col = 0;
        row += 1;
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn parse_chunk(
    chunk: &[u8],
    line0: u64,
    num_idx: &[usize],
    id_idx: Option<usize>,
    numeric: &[&str],
    id: Option<&str>,
    delimiter: u8,
    decimal_comma: bool,
) -> Result<CsvColumns> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(chunk);
    let estimate = chunk.len() / 16 + 1;
    let mut out = CsvColumns { numeric: (0..num_idx.len()).map(|_| Vec::with_capacity(estimate)).collect(), ids: id.map(|_| Vec::new()) };
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(CliError::Csv(e.to_string())),
        }
        let line = (line0 + record.position().map_or(0, |p| p.line().saturating_sub(1))) as usize;
        if record.len() == 1 && record.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue; // blank line
        }
        for (k, &col) in num_idx.iter().enumerate() {
            let field = record.get(col).unwrap_or(b"");
            let text = std::str::from_utf8(field).map_err(|_| CliError::Csv(format!("rad {line} är inte giltig UTF-8")))?;
            if text.trim().is_empty() {
                return Err(CliError::MissingValue { field: numeric[k].to_owned(), row: line });
            }
            match parse_number(text, decimal_comma) {
                Some(v) => out.numeric[k].push(v),
                None => {
                    return Err(CliError::NotNumeric { field: numeric[k].to_owned(), row: line, text: shorten(text) });
                }
            }
        }
        if let (Some(col), Some(ids)) = (id_idx, out.ids.as_mut()) {
            let field = record.get(col).unwrap_or(b"");
            ids.push(String::from_utf8_lossy(field).trim().to_owned());
        }
    }
    Ok(out)
}

/// Geometry of one feature.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    /// A point.
    Point(Point),
    /// A polygon or multipolygon.
    Area(Area),
}

/// One GeoJSON feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// The feature's `id`, if any.
    pub id: Option<Value>,
    /// Its geometry.
    pub geometry: Geometry,
    /// Its properties.
    pub properties: Map<String, Value>,
}

fn gj(msg: String) -> CliError {
    CliError::GeoJson(msg)
}

fn position(v: &Value, row: usize) -> Result<Point> {
    let arr = v.as_array().ok_or_else(|| gj(format!("objekt {row}: en koordinat är inte en lista")))?;
    if arr.len() < 2 {
        return Err(gj(format!("objekt {row}: en koordinat har färre än två tal")));
    }
    let x = arr[0].as_f64().filter(|v| v.is_finite());
    let y = arr[1].as_f64().filter(|v| v.is_finite());
    match (x, y) {
        (Some(x), Some(y)) => Ok([x, y]),
        _ => Err(gj(format!("objekt {row}: en koordinat är inte ett tal"))),
    }
}

fn ring(v: &Value, row: usize) -> Result<Ring> {
    let arr = v.as_array().ok_or_else(|| gj(format!("objekt {row}: en ring är inte en lista")))?;
    arr.iter().map(|p| position(p, row)).collect()
}

fn polygon(v: &Value, row: usize) -> Result<Polygon> {
    let rings = v.as_array().ok_or_else(|| gj(format!("objekt {row}: en polygon är inte en lista av ringar")))?;
    let mut it = rings.iter();
    let exterior = ring(it.next().ok_or_else(|| gj(format!("objekt {row}: polygonen saknar ringar")))?, row)?;
    let holes = it.map(|r| ring(r, row)).collect::<Result<Vec<_>>>()?;
    Ok(Polygon { exterior, holes })
}

fn geometry(v: &Value, row: usize) -> Result<Geometry> {
    let obj = v.as_object().ok_or_else(|| gj(format!("objekt {row} saknar geometri")))?;
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = obj.get("coordinates").ok_or_else(|| gj(format!("objekt {row}: geometrin saknar coordinates")))?;
    match kind {
        "Point" => Ok(Geometry::Point(position(coords, row)?)),
        "Polygon" => Ok(Geometry::Area(Area { parts: vec![polygon(coords, row)?] })),
        "MultiPolygon" => {
            let parts = coords.as_array().ok_or_else(|| gj(format!("objekt {row}: MultiPolygon är inte en lista")))?;
            Ok(Geometry::Area(Area { parts: parts.iter().map(|p| polygon(p, row)).collect::<Result<_>>()? }))
        }
        other => Err(gj(format!("objekt {row}: geometritypen «{}» stöds inte (Point, Polygon, MultiPolygon)", shorten(other)))),
    }
}

/// Reads a GeoJSON FeatureCollection (or one Feature).
pub fn read_geojson(bytes: &[u8], source: &str) -> Result<Vec<Feature>> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| gj(e.to_string()))?;
    let features: Vec<&Value> = match root.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => root
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| gj("FeatureCollection saknar listan features".into()))?
            .iter()
            .collect(),
        Some("Feature") => vec![&root],
        _ => {
            return Err(gj("roten måste vara en FeatureCollection eller en Feature".into()));
        }
    };
    if features.is_empty() {
        return Err(CliError::Empty(source.to_owned()));
    }
    features
        .into_iter()
        .enumerate()
        .map(|(k, f)| {
            let row = k + 1;
            let obj = f.as_object().ok_or_else(|| gj(format!("objekt {row} är inte ett JSON-objekt")))?;
            let geometry = geometry(obj.get("geometry").unwrap_or(&Value::Null), row)?;
            let properties = match obj.get("properties") {
                Some(Value::Object(m)) => m.clone(),
                Some(Value::Null) | None => Map::new(),
                Some(_) => return Err(gj(format!("objekt {row}: properties är inte ett objekt"))),
            };
            Ok(Feature { id: obj.get("id").cloned(), geometry, properties })
        })
        .collect()
}

/// The numeric property `field` of every feature (numbers or numeric strings).
pub fn numeric_property(features: &[Feature], field: &str) -> Result<Vec<f64>> {
    features
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let row = k + 1;
            match f.properties.get(field) {
                None if !features.iter().any(|g| g.properties.contains_key(field)) => {
                    let mut names: Vec<&str> = f.properties.keys().map(String::as_str).collect();
                    names.sort_unstable();
                    Err(CliError::MissingField { field: field.to_owned(), available: names.join(", ") })
                }
                None | Some(Value::Null) => Err(CliError::MissingValue { field: field.to_owned(), row }),
                Some(Value::Number(n)) => n.as_f64().filter(|v| v.is_finite()).ok_or_else(|| CliError::NotNumeric {
                    field: field.to_owned(),
                    row,
                    text: n.to_string(),
                }),
                Some(Value::String(s)) => {
                    if s.trim().is_empty() {
                        Err(CliError::MissingValue { field: field.to_owned(), row })
                    } else {
                        parse_number(s, true).ok_or_else(|| CliError::NotNumeric { field: field.to_owned(), row, text: shorten(s) })
                    }
                }
                Some(other) => Err(CliError::NotNumeric { field: field.to_owned(), row, text: shorten(&other.to_string()) }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_and_decimal_commas() {
        let data = "id;x;y;n\na;1,5;2;3\nb;4;5,25;6\n";
        let c = read_csv_columns(data.as_bytes(), &["x", "y"], Some("id"), "t.csv").unwrap();
        assert_eq!(c.numeric, vec![vec![1.5, 4.0], vec![2.0, 5.25]]);
        assert_eq!(c.ids.unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn csv_errors_name_field_and_line() {
        let data = "x,y\n1,2\n3,abc\n";
        let e = read_csv_columns(data.as_bytes(), &["x", "y"], None, "t.csv").unwrap_err();
        assert_eq!(e.to_string(), "fältet «y» på rad 3 är inte ett tal: «abc»");
        let e = read_csv_columns(b"x,y\n1,\n", &["x", "y"], None, "t.csv").unwrap_err();
        assert_eq!(e.to_string(), "fältet «y» saknar värde på rad 2; fyll i ett tal eller ta bort raden");
        let e = read_csv_columns(b"x,y\n1,NaN\n", &["x", "y"], None, "t.csv").unwrap_err();
        assert!(matches!(e, CliError::NotNumeric { .. }));
        let e = read_csv_columns(b"x,y\n1,2\n", &["x", "z"], None, "t.csv").unwrap_err();
        assert_eq!(e.to_string(), "fältet «z» finns inte; tillgängliga fält: x, y");
        assert!(matches!(read_csv_columns(b"", &["x"], None, "t.csv"), Err(CliError::Empty(_))));
        assert!(matches!(read_csv_columns(b"x,y\n", &["x"], None, "t.csv"), Err(CliError::Empty(_))));
    }

    #[test]
    fn fast_decimal_path_equals_std_parse() {
        let mut rng = brygga_analys::rng::Rng::new(17);
        for _ in 0..200_000 {
            let int = rng.below(10_000_000_000);
            let decimals = rng.below(12) as usize;
            let frac = rng.below(10u64.pow(decimals as u32).max(1));
            let sign = if rng.below(2) == 0 { "-" } else { "" };
            let text = if decimals == 0 { format!("{sign}{int}") } else { format!("{sign}{int}.{frac:0decimals$}") };
            assert_eq!(parse_number(&text, false).map(f64::to_bits), text.parse::<f64>().ok().map(f64::to_bits), "{text}");
        }
        for text in ["0", "-0", "5.", ".5", "00012.5000", "9007199254740993", "1e5", "12345678901234567890", "1.2.3", "-", "+7"] {
            assert_eq!(parse_number(text, false).map(f64::to_bits), text.parse::<f64>().ok().map(f64::to_bits), "{text}");
        }
    }

    #[test]
    fn quoted_fields_use_the_full_csv_parser() {
        let data = "name,x,y\n\"Stortorget, norra\",1.5,2\n\"a\"\"b\",3,4\n";
        let c = read_csv_columns(data.as_bytes(), &["x", "y"], Some("name"), "t.csv").unwrap();
        assert_eq!(c.numeric, vec![vec![1.5, 3.0], vec![2.0, 4.0]]);
        assert_eq!(c.ids.unwrap(), vec!["Stortorget, norra", "a\"b"]);
    }

    #[test]
    fn crlf_blank_lines_and_short_rows() {
        let c = read_csv_columns(b"x,y\r\n1,2\r\n\r\n3,4\r\n", &["x", "y"], None, "t.csv").unwrap();
        assert_eq!(c.numeric, vec![vec![1.0, 3.0], vec![2.0, 4.0]]);
        let e = read_csv_columns(b"x,y\n1\n", &["x", "y"], None, "t.csv").unwrap_err();
        assert!(matches!(e, CliError::MissingValue { row: 2, .. }), "{e}");
    }

    #[test]
    fn parallel_chunks_agree_with_serial_and_keep_line_numbers() {
        let mut s = String::from("x,y\n");
        for k in 0..400_000 {
            s.push_str(&format!("{k},{}.5\n", k % 97));
        }
        let c = read_csv_columns(s.as_bytes(), &["y", "x"], None, "t.csv").unwrap();
        assert_eq!(c.rows(), 400_000);
        assert_eq!(c.numeric[1][399_999], 399_999.0);
        assert_eq!(c.numeric[0][98], 1.5);
        s.push_str("1,oj\n");
        let e = read_csv_columns(s.as_bytes(), &["x", "y"], None, "t.csv").unwrap_err();
        assert_eq!(e.to_string(), "fältet «y» på rad 400002 är inte ett tal: «oj»");
    }

    #[test]
    fn geojson_polygons_with_holes_and_multiparts() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","id":7,"properties":{"v":"2,5"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}},
          {"type":"Feature","properties":{"v":3},"geometry":{"type":"MultiPolygon","coordinates":[[[[5,5],[6,5],[6,6],[5,5]]],[[[8,8],[9,8],[9,9],[8,8]]]]}}]}"#;
        let f = read_geojson(text.as_bytes(), "t.geojson").unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(numeric_property(&f, "v").unwrap(), vec![2.5, 3.0]);
        match &f[0].geometry {
            Geometry::Area(a) => assert_eq!(a.parts[0].holes.len(), 1),
            Geometry::Point(_) => panic!("expected an area"),
        }
        match &f[1].geometry {
            Geometry::Area(a) => assert_eq!(a.parts.len(), 2),
            Geometry::Point(_) => panic!("expected an area"),
        }
    }

    #[test]
    fn geojson_errors() {
        for bad in [
            "",
            "[]",
            "{\"type\":\"FeatureCollection\"}",
            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null}]}",
            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1]}}",
            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}}",
        ] {
            assert!(read_geojson(bad.as_bytes(), "t").is_err(), "{bad}");
        }
        let f = read_geojson(br#"{"type":"Feature","properties":{"v":null,"w":"x"},"geometry":{"type":"Point","coordinates":[1,2]}}"#, "t")
            .unwrap();
        assert!(matches!(numeric_property(&f, "v"), Err(CliError::MissingValue { .. })));
        assert!(matches!(numeric_property(&f, "w"), Err(CliError::NotNumeric { .. })));
        assert!(matches!(numeric_property(&f, "u"), Err(CliError::MissingField { .. })));
    }
}
