//! `brygga generate search` and `brygga search bench`: a synthetic search index for the search
//! benchmark (`scripts/bench-search`, BENCHMARKS.md "Search").
//!
//! The generator writes index rows directly (documents, readers, municipalities, postings and
//! term counts — the tables of migration 0014), in transactions of 20 000 documents, on either
//! backend: records of the four kinds, titles of 3–5 and bodies of 12–24 words drawn from a
//! Swedish vocabulary with a Zipf distribution (s = 1: the word of rank r is drawn in proportion
//! to 1/r), each word's term its Snowball stem as the real index computes it. Readers: 40 % public,
//! 10 % every signed-in user, 30 % one of 20 organisations, 20 % one of 10 forums (with the
//! owner). Municipalities: one of the country's 290, uniformly. Deterministic for a seed.
//!
//! The bench runs typical queries through `search::query::run_for_keys` (the same SQL as the page
//! and the API, without HTTP) as an anonymous visitor and as a signed-in user of organisation 1
//! and forum 1, and prints the median and p95 per query.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use brygga_domain::{geography, words};
use brygga_store::search::query::{self, ValidQuery};
use brygga_store::{Conn, ConnExt, Dialect, Store, StoreResult, Value};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

#[derive(Args, Debug, Clone)]
pub struct SearchArgs {
    /// Antal dokument i sökindexet.
    #[arg(long, default_value_t = 1_000_000)]
    pub records: u64,
    /// Slumpfrö: samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Körningar per fråga och läsare.
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
}

/// Swedish words of the field, as written (inflected forms included); compounds of two make the
/// long tail of the vocabulary.
const BASE: &[&str] = &[
    "trygghet",
    "ungdomsgård",
    "ungdomsgårdar",
    "skola",
    "skolan",
    "förening",
    "föreningar",
    "fotboll",
    "polisen",
    "kommunen",
    "fritidsgård",
    "nattvandring",
    "nattvandrare",
    "belysning",
    "park",
    "parken",
    "torg",
    "torget",
    "centrum",
    "bibliotek",
    "stadsdel",
    "bostadsområde",
    "hyresgäster",
    "grannar",
    "föräldrar",
    "ungdomar",
    "barn",
    "elever",
    "lärare",
    "fältassistenter",
    "skadegörelse",
    "klotter",
    "inbrott",
    "stöld",
    "rån",
    "narkotika",
    "alkohol",
    "langning",
    "mopeder",
    "bilar",
    "cyklar",
    "samverkan",
    "samarbete",
    "överenskommelse",
    "medborgarlöfte",
    "lägesbild",
    "åtgärd",
    "åtgärder",
    "insats",
    "insatser",
    "plan",
    "uppföljning",
    "mål",
    "resultat",
    "effekt",
    "kvällar",
    "helger",
    "fredag",
    "lördag",
    "sommar",
    "vinter",
    "höst",
    "vår",
    "trygghetsvandring",
    "trygghetsmätning",
    "enkät",
    "dialog",
    "möte",
    "möten",
    "forum",
    "nätverk",
    "kontaktperson",
    "samordnare",
    "socialtjänsten",
    "räddningstjänsten",
    "bostadsbolaget",
    "fastighetsägare",
    "kyrkan",
    "moskén",
    "studieförbund",
    "idrott",
    "simhall",
    "ishall",
    "gymnastik",
    "dans",
    "musik",
    "teater",
    "läxhjälp",
    "sommarlov",
    "feriejobb",
    "praktik",
    "arbete",
    "oro",
    "rädsla",
    "hot",
    "våld",
    "bråk",
    "rekrytering",
    "kriminalitet",
    "gäng",
    "extremism",
    "radikalisering",
    "kameror",
    "övervakning",
    "städning",
    "sanering",
    "buskage",
    "gångväg",
    "cykelväg",
    "hållplats",
    "station",
    "stationen",
    "pendeltåg",
    "buss",
    "bussar",
    "parkering",
    "garage",
    "källare",
    "trapphus",
    "gård",
    "gårdar",
    "lekplats",
    "lekplatser",
    "utomhus",
    "inomhus",
    "öppettider",
    "aktivitet",
    "aktiviteter",
    "läger",
    "utflykt",
    "turnering",
    "cup",
    "tränare",
    "ledare",
    "volontärer",
    "frivilliga",
    "ideell",
    "kommunal",
    "regional",
    "nationell",
    "lokal",
    "länsstyrelsen",
    "region",
    "hälsa",
    "psykisk",
    "ohälsa",
    "missbruk",
    "beroende",
    "prevention",
    "förebyggande",
    "tidiga",
    "insatser",
    "stöd",
    "familj",
    "familjer",
];

/// The vocabulary with its terms, most frequent first: the base words, then compounds.
fn vocabulary(rng: &mut StdRng, size: usize) -> Vec<(String, String)> {
    let mut out: Vec<String> = BASE.iter().map(|w| (*w).to_owned()).collect();
    'outer: for a in BASE {
        for b in BASE {
            if out.len() >= size {
                break 'outer;
            }
            if a != b {
                out.push(format!("{a}{b}"));
            }
        }
    }
    // Shuffle the compounds among themselves so the tail is not alphabetical.
    let base = BASE.len();
    for i in (base + 1..out.len()).rev() {
        let j = rng.random_range(base..=i);
        out.swap(i, j);
    }
    out.into_iter()
        .filter_map(|w| {
            let t = words::terms(&w);
            (t.len() == 1).then(|| (w, t[0].clone()))
        })
        .collect()
}

/// Draws ranks 0… with probability ∝ 1/(rank+1).
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut sum = 0.0;
        let cumulative = (1..=n)
            .map(|r| {
                sum += 1.0 / r as f64;
                sum
            })
            .collect();
        Self { cumulative }
    }
    fn draw(&self, rng: &mut StdRng) -> usize {
        let x = rng.random::<f64>() * self.cumulative.last().copied().unwrap_or(1.0);
        self.cumulative.partition_point(|c| *c < x).min(self.cumulative.len() - 1)
    }
}

const KINDS: &[(&str, &str)] =
    &[("place", "/platser/x/"), ("action", "/atgarder/"), ("plan", "/atgardsplaner/"), ("situation", "/lagesbilder/")];
const CHUNK: u64 = 20_000;

/// What was written, printed as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    pub records: u64,
    pub postings: u64,
    pub terms: usize,
    /// The query words of the benchmark: the most common, a rare one, and a pair.
    pub common: String,
    pub rare: String,
    pub pair: String,
    pub seconds: f64,
}

pub async fn generate(store: &Store, args: &SearchArgs) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let existing: i64 = store.read(|db| Ok(db.scalar::<i64>("SELECT COUNT(*) FROM search_documents", &[])?)).await?;
    anyhow::ensure!(existing == 0, "sökindexet är inte tomt ({existing} dokument); använd en tom databas");
    let mut rng = StdRng::seed_from_u64(args.seed);
    let vocab = vocabulary(&mut rng, 20_000);
    let zipf = Zipf::new(vocab.len());
    let codes: Vec<&'static str> = geography::municipalities().iter().map(|m| m.code).collect();
    let mut term_docs: HashMap<String, i64> = HashMap::new();
    let mut postings = 0u64;
    let mut next = 0u64;
    while next < args.records {
        let end = (next + CHUNK).min(args.records);
        let mut docs = Vec::new();
        let mut readers = Vec::new();
        let mut munis = Vec::new();
        let mut terms_rows = Vec::new();
        for i in next..end {
            let id = i as i64 + 1;
            let (kind, path) = KINDS[rng.random_range(0..KINDS.len())];
            let draw = |rng: &mut StdRng, n: usize| -> Vec<usize> { (0..n).map(|_| zipf.draw(rng)).collect() };
            let title_n = rng.random_range(3..=5);
            let body_n = rng.random_range(12..=24);
            let title_w = draw(&mut rng, title_n);
            let body_w = draw(&mut rng, body_n);
            let text = |ws: &[usize]| ws.iter().map(|w| vocab[*w].0.as_str()).collect::<Vec<_>>().join(" ");
            let mut counts: HashMap<&str, (i64, i64)> = HashMap::new();
            for w in &title_w {
                counts.entry(vocab[*w].1.as_str()).or_default().0 += 1;
            }
            for w in &body_w {
                counts.entry(vocab[*w].1.as_str()).or_default().1 += 1;
            }
            let mut title = text(&title_w);
            if let Some(first) = title.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            docs.push(vec![
                Value::Int(id),
                Value::Text(kind.into()),
                Value::Int(id),
                Value::Text(title),
                Value::Text(format!("{}.", text(&body_w))),
                Value::Text(format!("{path}{id}")),
                Value::Int(1_790_000_000_000),
            ]);
            let r: f64 = rng.random();
            let keys: Vec<String> = if r < 0.4 {
                vec!["public".into()]
            } else if r < 0.5 {
                vec!["signed_in".into()]
            } else if r < 0.8 {
                vec![format!("org:{}", rng.random_range(1..=20))]
            } else {
                vec![format!("org:{}", rng.random_range(1..=20)), format!("forum:{}", rng.random_range(1..=10))]
            };
            for k in keys {
                readers.push(vec![Value::Text(k), Value::Int(id)]);
            }
            munis.push(vec![Value::Int(id), Value::Text(codes[rng.random_range(0..codes.len())].into())]);
            for (t, (tc, bc)) in counts {
                *term_docs.entry(t.to_owned()).or_default() += 1;
                terms_rows.push(vec![Value::Text(t.to_owned()), Value::Int(id), Value::Int(tc), Value::Int(bc)]);
                postings += 1;
            }
        }
        store
            .write(move |db| {
                db.bulk_insert(
                    "search_documents",
                    &["id", "kind", "record_id", "title", "body", "path", "updated_at"],
                    &mut docs.into_iter(),
                )?;
                db.bulk_insert("search_readers", &["reader_key", "doc_id"], &mut readers.into_iter())?;
                db.bulk_insert("search_document_municipalities", &["doc_id", "municipality_code"], &mut munis.into_iter())?;
                db.bulk_insert("search_terms", &["term", "doc_id", "title_count", "body_count"], &mut terms_rows.into_iter())?;
                Ok(())
            })
            .await
            .context("sökindexet kunde inte skrivas")?;
        next = end;
    }
    let n_terms = term_docs.len();
    let mut rows: Vec<Vec<Value>> = term_docs.into_iter().map(|(t, n)| vec![Value::Text(t), Value::Int(n)]).collect();
    rows.sort_by(|a, b| format!("{:?}", a[0]).cmp(&format!("{:?}", b[0])));
    store
        .write(move |db| {
            db.bulk_insert("search_term_docs", &["term", "docs"], &mut rows.into_iter())?;
            if db.dialect() == Dialect::Postgres {
                db.execute("SELECT setval(pg_get_serial_sequence('search_documents', 'id'), (SELECT MAX(id) FROM search_documents))", &[])?;
                db.execute_batch("ANALYZE search_documents; ANALYZE search_terms; ANALYZE search_readers; ANALYZE search_document_municipalities; ANALYZE search_term_docs")?;
            } else {
                db.execute_batch("ANALYZE")?;
            }
            Ok(())
        })
        .await?;
    let (common, rare, pair) = queries(&vocab);
    Ok(Generated { records: args.records, postings, terms: n_terms, common, rare, pair, seconds: started.elapsed().as_secs_f64() })
}

/// The benchmark's queries: the most common word, a rare word (rank 5 000), two words (ranks 3
/// and 40).
fn queries(vocab: &[(String, String)]) -> (String, String, String) {
    let at = |r: usize| vocab[r.min(vocab.len() - 1)].0.clone();
    (at(0), at(5_000), format!("{} {}", at(2), at(39)))
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub query: String,
    pub reader: String,
    pub total: i64,
    pub median_ms: f64,
    pub p95_ms: f64,
}

pub async fn bench(store: &Store, args: &BenchArgs) -> anyhow::Result<Vec<Timing>> {
    let mut rng = StdRng::seed_from_u64(1);
    let vocab = vocabulary(&mut rng, 20_000);
    let (common, rare, pair) = queries(&vocab);
    let readers: [(&str, Vec<String>); 2] = [
        ("anonym", vec!["public".into()]),
        ("org 1 + forum 1", vec!["public".into(), "signed_in".into(), "org:1".into(), "forum:1".into()]),
    ];
    let mut out = Vec::new();
    for (label, q) in [("vanligt ord", common), ("ovanligt ord", rare), ("två ord", pair)] {
        for (who, keys) in &readers {
            let valid = query::validate(&brygga_store::search::SearchQuery { q: q.clone(), ..Default::default() })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut times = Vec::with_capacity(args.runs);
            let mut total = 0;
            for _ in 0..args.runs.max(1) {
                let (keys, valid) = (keys.clone(), valid.clone());
                let t = Instant::now();
                total = store.read(move |db| run(db, &keys, &valid)).await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(|a, b| a.total_cmp(b));
            let pick = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
            out.push(Timing { query: format!("{label}: {q}"), reader: (*who).into(), total, median_ms: pick(0.5), p95_ms: pick(0.95) });
        }
    }
    Ok(out)
}

fn run(db: &mut dyn Conn, keys: &[String], q: &ValidQuery) -> StoreResult<i64> {
    Ok(query::run_for_keys(db, keys, q)?.total)
}
