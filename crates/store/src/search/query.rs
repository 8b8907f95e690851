//! Answering a search: the query checked (field errors in Swedish), its terms, the hits the
//! viewer may read ranked the same way on both databases, exact totals and facets over readable
//! hits only, and highlighted snippets.
//!
//! Ranking: a hit's score is Σ over the query's terms of (3 × occurrences in the title +
//! occurrences in the body) — integers, so both databases agree exactly; ties are broken by kind,
//! then record id. Every term must occur (AND).

use std::collections::HashSet;

use brygga_domain::{FieldError, FieldErrors, geography, words};
use serde::{Deserialize, Serialize};

use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::StoreResult;
use crate::kernel::index::viewer_keys;
use crate::kernel::viewer::Viewer;

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words in a query.
pub const MAX_QUERY_WORDS: usize = 20;
/// The most hits on one page.
pub const MAX_LIMIT: i64 = 50;
/// Hits on a page unless asked otherwise.
pub const DEFAULT_LIMIT: i64 = 20;
/// The furthest one may page.
pub const MAX_OFFSET: i64 = 10_000;
/// How much a title occurrence weighs against a body occurrence.
pub const TITLE_WEIGHT: i64 = 3;
/// Words shown in a snippet.
pub const SNIPPET_WORDS: usize = 30;

/// What was asked. `kinds` empty: every kind.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct SearchQuery {
    pub q: String,
    pub kinds: Vec<String>,
    pub municipality: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A query whose every part was checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidQuery {
    /// The distinct terms (Snowball Swedish stems), in the order they were written.
    pub terms: Vec<String>,
    pub kinds: Vec<&'static str>,
    pub municipality: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Checks a query before anything is read. Every problem names its field.
pub fn validate(q: &SearchQuery) -> Result<ValidQuery, FieldErrors> {
    let mut errs = FieldErrors::new();
    let text = q.q.trim();
    let chars = text.chars().count();
    let mut terms = Vec::new();
    if chars > MAX_QUERY_CHARS {
        errs.push(FieldError::new(
            "q",
            "search.too_long",
            format!("Sökfrågan är för lång ({chars} tecken). Skriv högst {MAX_QUERY_CHARS} tecken."),
        ));
    } else if words::words(text).len() > MAX_QUERY_WORDS {
        errs.push(FieldError::new(
            "q",
            "search.too_many_words",
            format!("Sökfrågan har för många ord. Skriv högst {MAX_QUERY_WORDS} ord."),
        ));
    } else {
        let mut seen = HashSet::new();
        terms = words::terms(text).into_iter().filter(|t| seen.insert(t.clone())).collect();
        if terms.is_empty() {
            let msg = if words::words(text).is_empty() {
                "Skriv minst ett ord att söka på."
            } else {
                "Skriv minst ett ord att söka på. Små ord som ”och” och ”att” söks inte."
            };
            errs.push(FieldError::new("q", "search.empty", msg));
        }
    }
    let mut kinds = Vec::new();
    for k in &q.kinds {
        match super::KINDS.iter().find(|(c, _)| *c == k.as_str()) {
            Some((c, _)) => {
                if !kinds.contains(c) {
                    kinds.push(*c)
                }
            }
            None => {
                let known: Vec<&str> = super::KINDS.iter().map(|(c, _)| *c).collect();
                errs.push(FieldError::new(
                    "kind",
                    "search.unknown_kind",
                    format!("Okänd typ ”{}”. Välj bland: {}.", short(k), known.join(", ")),
                ));
                break;
            }
        }
    }
    let municipality = match q.municipality.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => None,
        Some(code) if geography::municipality(code).is_some() => Some(code.to_owned()),
        Some(code) => {
            errs.push(FieldError::new(
                "municipality",
                "search.unknown_municipality",
                format!("Okänd kommunkod ”{}”. Ange en kommunkod med fyra siffror, till exempel 1287 för Trelleborg.", short(code)),
            ));
            None
        }
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errs.push(FieldError::new("limit", "search.limit", format!("Ange ett antal träffar mellan 1 och {MAX_LIMIT}.")));
    }
    let offset = q.offset.unwrap_or(0);
    if !(0..=MAX_OFFSET).contains(&offset) {
        errs.push(FieldError::new("offset", "search.offset", format!("Ange en startposition mellan 0 och {MAX_OFFSET}.")));
    }
    errs.into_result()?;
    Ok(ValidQuery { terms, kinds, municipality, limit, offset })
}

/// A bad value quoted back, cut short.
fn short(s: &str) -> String {
    let cut: String = s.chars().take(30).collect();
    if cut.len() < s.len() { format!("{cut}…") } else { cut }
}

/// One piece of a snippet: text, marked when it is a word that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SnippetPart {
    pub text: String,
    /// This piece is a matching word (shown as `<mark>`).
    pub mark: bool,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// `place`, `action`, `plan`, `situation`, …
    pub kind: String,
    pub kind_label: String,
    /// The record's id within its kind.
    pub id: i64,
    pub title: String,
    /// The title in plain and marked pieces, as [`Hit::snippet`].
    pub title_parts: Vec<SnippetPart>,
    /// The page the hit links to.
    pub path: String,
    /// Σ over terms of (3 × title occurrences + body occurrences).
    pub score: i64,
    /// Words of the body around the first match, matching words marked (plain text pieces:
    /// the page escapes each and wraps marked ones in `<mark>`).
    pub snippet: Vec<SnippetPart>,
}

/// One facet value with the number of readable hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facet {
    /// The kind or municipality code.
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// The answer: one page of hits, the exact number of readable hits, and facets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    /// Readable hits matching every filter.
    pub total: i64,
    /// Readable hits per kind (the municipality filter applied, not the kind filter).
    pub kinds: Vec<Facet>,
    /// Readable hits per municipality (the kind filter applied, not the municipality filter).
    pub municipalities: Vec<Facet>,
    /// The terms searched for (stems).
    pub terms: Vec<String>,
}

/// Reader keys as an SQL list literal. Keys are built from integers and fixed words
/// (`kernel::index::Reader::key`), checked again here, so inlining them is safe.
fn keys_sql(keys: &[String]) -> String {
    let keys: Vec<String> = keys
        .iter()
        .filter(|k| k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':'))
        .map(|k| format!("'{k}'"))
        .collect();
    if keys.is_empty() { "''".to_owned() } else { keys.join(", ") }
}

/// The readable hits as a subquery yielding `doc_id`, `kind`, `score`, with the filters asked
/// for; the terms are bound from `$1`, further arguments appended to `args`.
fn hits_sql(terms: &[String], keys: &str, kinds: &[&'static str], municipality: Option<&str>, args: &mut Vec<Value>) -> String {
    let mut from = String::from("search_terms t0");
    let mut score = format!("({TITLE_WEIGHT} * t0.title_count + t0.body_count)");
    args.push(Value::Text(terms[0].clone()));
    let mut wheres = vec!["t0.term = $1".to_owned()];
    for (i, t) in terms.iter().enumerate().skip(1) {
        args.push(Value::Text(t.clone()));
        let p = args.len();
        from.push_str(&format!(" JOIN search_terms t{i} ON t{i}.doc_id = t0.doc_id AND t{i}.term = ${p}"));
        score.push_str(&format!(" + ({TITLE_WEIGHT} * t{i}.title_count + t{i}.body_count)"));
    }
    from.push_str(" JOIN search_documents d ON d.id = t0.doc_id");
    wheres.push(format!("EXISTS (SELECT 1 FROM search_readers r WHERE r.doc_id = t0.doc_id AND r.reader_key IN ({keys}))"));
    if !kinds.is_empty() {
        let mut ps = Vec::new();
        for k in kinds {
            args.push(Value::Text((*k).to_owned()));
            ps.push(format!("${}", args.len()));
        }
        wheres.push(format!("d.kind IN ({})", ps.join(", ")));
    }
    if let Some(m) = municipality {
        args.push(Value::Text(m.to_owned()));
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM search_document_municipalities dm WHERE dm.doc_id = t0.doc_id AND dm.municipality_code = ${})",
            args.len()
        ));
    }
    format!("SELECT t0.doc_id AS doc_id, d.kind AS kind, {score} AS score FROM {from} WHERE {}", wheres.join(" AND "))
}

/// Answers a checked query over the index as it stands (the caller refreshes it first).
pub fn run(db: &mut dyn Conn, v: &Viewer, q: &ValidQuery) -> StoreResult<SearchResult> {
    run_for_keys(db, &viewer_keys(v), q)
}

/// [`run`] for a viewer holding exactly these reader keys (the benchmark's synthetic viewers).
pub fn run_for_keys(db: &mut dyn Conn, keys: &[String], q: &ValidQuery) -> StoreResult<SearchResult> {
    let empty = SearchResult { hits: vec![], total: 0, kinds: vec![], municipalities: vec![], terms: q.terms.clone() };
    if keys.is_empty() {
        return Ok(empty);
    }
    // The rarest term first: the join starts from its (shortest) posting list.
    let mut terms: Vec<(i64, String)> = Vec::with_capacity(q.terms.len());
    for t in &q.terms {
        let docs: Option<i64> = db.scalar_opt("SELECT docs FROM search_term_docs WHERE term = $1", &[Value::Text(t.clone())])?;
        match docs {
            None | Some(0) => return Ok(empty),
            Some(n) => terms.push((n, t.clone())),
        }
    }
    terms.sort();
    let terms: Vec<String> = terms.into_iter().map(|(_, t)| t).collect();
    let keys = keys_sql(keys);

    // Facet by kind: the municipality filter applies, the kind filter does not.
    let mut args = Vec::new();
    let sql = hits_sql(&terms, &keys, &[], q.municipality.as_deref(), &mut args);
    let by_kind: Vec<(String, i64)> =
        db.map_all(&format!("SELECT h.kind AS kind, COUNT(*) AS n FROM ({sql}) h GROUP BY h.kind"), &args, |r| {
            Ok((r.get("kind")?, r.get("n")?))
        })?;
    let total = by_kind.iter().filter(|(k, _)| q.kinds.is_empty() || q.kinds.contains(&k.as_str())).map(|(_, n)| n).sum();
    let kinds: Vec<Facet> = super::KINDS
        .iter()
        .filter_map(|(code, label)| {
            by_kind.iter().find(|(k, _)| k == code).map(|(_, n)| Facet { value: (*code).to_owned(), label: (*label).to_owned(), count: *n })
        })
        .collect();

    // Facet by municipality: the kind filter applies, the municipality filter does not.
    let mut args = Vec::new();
    let sql = hits_sql(&terms, &keys, &q.kinds, None, &mut args);
    let by_code: Vec<(String, i64)> = db.map_all(
        &format!(
            "SELECT dm.municipality_code AS code, COUNT(*) AS n FROM ({sql}) h JOIN search_document_municipalities dm ON dm.doc_id = h.doc_id GROUP BY dm.municipality_code"
        ),
        &args,
        |r| Ok((r.get("code")?, r.get("n")?)),
    )?;
    let mut municipalities: Vec<Facet> = by_code
        .into_iter()
        .map(|(code, n)| {
            let label = geography::municipality(&code).map_or_else(|| code.clone(), |m| m.name.to_owned());
            Facet { value: code, label, count: n }
        })
        .collect();
    municipalities.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| crate::sort_key(&a.label).cmp(&crate::sort_key(&b.label))));

    // The page.
    let mut args = Vec::new();
    let sql = hits_sql(&terms, &keys, &q.kinds, q.municipality.as_deref(), &mut args);
    args.push(Value::Int(q.limit));
    let lp = args.len();
    args.push(Value::Int(q.offset));
    let op = args.len();
    let rows: Vec<(String, i64, String, String, String, i64)> = db.map_all(
        &format!(
            "SELECT d.kind AS kind, d.record_id AS record_id, d.title AS title, d.body AS body, d.path AS path, h.score AS score
             FROM ({sql}) h JOIN search_documents d ON d.id = h.doc_id
             ORDER BY h.score DESC, d.kind, d.record_id LIMIT ${lp} OFFSET ${op}"
        ),
        &args,
        |r| Ok((r.get("kind")?, r.get("record_id")?, r.get("title")?, r.get("body")?, r.get("path")?, r.get("score")?)),
    )?;
    let hits = rows
        .into_iter()
        .map(|(kind, id, title, body, path, score)| Hit {
            kind_label: super::kind_label(&kind).to_owned(),
            kind,
            id,
            title_parts: snippet(&title, &q.terms),
            title,
            path,
            score,
            snippet: snippet(&body, &q.terms),
        })
        .collect();
    Ok(SearchResult { hits, total, kinds, municipalities, terms: q.terms.clone() })
}

/// Up to [`SNIPPET_WORDS`] words of `body` starting a little before the first word whose stem
/// is one of `terms`, split into plain and marked pieces of the original text.
pub fn snippet(body: &str, terms: &[String]) -> Vec<SnippetPart> {
    // Word spans (byte ranges) of the body, as `words::words` splits them.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, c) in body.char_indices() {
        if c.is_alphanumeric() || is_combining(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            spans.push((s, i));
        }
    }
    if let Some(s) = start {
        spans.push((s, body.len()));
    }
    if spans.is_empty() {
        return vec![];
    }
    let matches: Vec<bool> = spans
        .iter()
        .map(|&(s, e)| {
            let w = words::words(&body[s..e]);
            w.len() == 1 && !words::is_stopword(&w[0]) && terms.contains(&words::stem(&w[0]))
        })
        .collect();
    let first = matches.iter().position(|m| *m).unwrap_or(0);
    let from = first.saturating_sub(8);
    let to = (from + SNIPPET_WORDS).min(spans.len());
    let mut parts = Vec::new();
    let push = |text: &str, mark: bool, parts: &mut Vec<SnippetPart>| {
        if text.is_empty() {
            return;
        }
        match parts.last_mut() {
            Some(SnippetPart { text: t, mark: m }) if *m == mark && !mark => t.push_str(text),
            _ => parts.push(SnippetPart { text: text.to_owned(), mark }),
        }
    };
    if from > 0 {
        push("… ", false, &mut parts);
    }
    let mut at = spans[from].0;
    for i in from..to {
        let (s, e) = spans[i];
        push(&body[at..s], false, &mut parts);
        push(&body[s..e], matches[i], &mut parts);
        at = e;
    }
    if to < spans.len() {
        push(" …", false, &mut parts);
    } else {
        push(&body[at..], false, &mut parts);
    }
    parts
}

/// Combining marks belong to the word they follow (a decomposed å).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> SearchQuery {
        SearchQuery { q: text.into(), ..Default::default() }
    }

    fn code(r: Result<ValidQuery, FieldErrors>, field: &str) -> Option<&'static str> {
        r.err().and_then(|e| e.get(field).map(|f| f.code))
    }

    #[test]
    fn bad_queries_name_the_field() {
        assert_eq!(code(validate(&q(&"a".repeat(10_240))), "q"), Some("search.too_long"));
        assert_eq!(code(validate(&q("!!! ... ???")), "q"), Some("search.empty"));
        assert_eq!(code(validate(&q("och det att")), "q"), Some("search.empty"));
        assert_eq!(code(validate(&q(&"ord ".repeat(25))), "q"), Some("search.too_many_words"));
        let k = SearchQuery { kinds: vec!["hemligt".into()], ..q("fotboll") };
        assert_eq!(code(validate(&k), "kind"), Some("search.unknown_kind"));
        let m = SearchQuery { municipality: Some("9999".into()), ..q("fotboll") };
        assert_eq!(code(validate(&m), "municipality"), Some("search.unknown_municipality"));
        let l = SearchQuery { limit: Some(500), ..q("fotboll") };
        assert_eq!(code(validate(&l), "limit"), Some("search.limit"));
    }

    #[test]
    fn terms_are_distinct_stems() {
        let v = validate(&q("Ungdomsgårdar och ungdomsgården")).unwrap();
        assert_eq!(v.terms, vec![words::stem("ungdomsgård")]);
    }

    #[test]
    fn snippets_mark_matching_words_only() {
        let terms = vec![words::stem("ungdomsgård")];
        let s = snippet("Kvällsöppet på <b>ungdomsgårdarna</b> i Trelleborg.", &terms);
        let marked: Vec<&str> = s.iter().filter(|p| p.mark).map(|p| p.text.as_str()).collect();
        assert_eq!(marked, vec!["ungdomsgårdarna"]);
        let all: String = s.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(all, "Kvällsöppet på <b>ungdomsgårdarna</b> i Trelleborg.");
    }

    #[test]
    fn long_bodies_are_cut_around_the_first_match() {
        let body = format!("{} fotboll {}", "ord ".repeat(50), "mer ".repeat(50));
        let s = snippet(&body, &[words::stem("fotboll")]);
        let all: String = s.iter().map(|p| p.text.as_str()).collect();
        assert!(all.starts_with("… ") && all.ends_with(" …"), "{all}");
        assert!(s.iter().any(|p| p.mark && p.text == "fotboll"));
    }
}
