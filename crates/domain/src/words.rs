//! Swedish words, for search and for comparing texts: one tokeniser and one stemmer, used by
//! the search index, the overlap check of interventions and anything else that asks whether two
//! texts speak of the same thing. Written once here so that SQLite and PostgreSQL see the same
//! terms (neither database's own full-text engine is used: SQLite's FTS5 has no Swedish stemmer
//! and PostgreSQL's `swedish` configuration stems differently).
//!
//! - A word is a run of letters or digits (Unicode), lower-cased after NFC normalisation, so
//!   `Ungdomsgården`, `ungdomsgården` and a decomposed `a` + ring compare equal.
//! - Stems come from the Snowball Swedish algorithm (`rust-stemmers`), which treats å, ä and ö
//!   as letters of their own: `får` and `far` stay apart.
//! - [`STOPWORDS`] (Snowball's Swedish list) carry no meaning for search and are dropped.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// The longest word kept; longer runs (a pasted hash, a URL without separators) are cut here.
pub const MAX_WORD_CHARS: usize = 40;

/// Snowball's Swedish stop words.
pub const STOPWORDS: &[&str] = &[
    "och", "det", "att", "i", "en", "jag", "hon", "som", "han", "på", "den", "med", "var", "sig", "för", "så", "till", "är", "men", "ett",
    "om", "hade", "de", "av", "icke", "mig", "du", "henne", "då", "sin", "nu", "har", "inte", "hans", "honom", "skulle", "hennes", "där",
    "min", "man", "ej", "vid", "kunde", "något", "från", "ut", "när", "efter", "upp", "vi", "dem", "vara", "vad", "över", "än", "dig",
    "kan", "sina", "här", "ha", "mot", "alla", "under", "någon", "eller", "allt", "mycket", "sedan", "ju", "denna", "själv", "detta", "åt",
    "utan", "varit", "hur", "ingen", "mitt", "ni", "bli", "blev", "oss", "din", "dessa", "några", "deras", "blir", "mina", "samma",
    "vilken", "er", "sådan", "vår", "blivit", "dess", "inom", "mellan", "sådant", "varför", "varje", "vilka", "ditt", "vem", "vilket",
    "sitta", "sådana", "vart", "dina", "vars", "vårt", "våra", "ert", "era", "vilkas",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::Swedish))
}

/// The words of `text`, lower-cased and NFC-normalised, in order, stop words included.
pub fn words(text: &str) -> Vec<String> {
    let normalised: String = text.nfc().collect::<String>().to_lowercase();
    normalised.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.chars().take(MAX_WORD_CHARS).collect()).collect()
}

/// The Snowball Swedish stem of one lower-cased word.
pub fn stem(word: &str) -> String {
    stemmer().stem(word).into_owned()
}

/// Whether a lower-cased word is a Swedish stop word.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// The search terms of `text`: its words without stop words, stemmed, in order (repeats kept,
/// so a caller can count them).
pub fn terms(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| !is_stopword(w)).map(|w| stem(&w)).collect()
}

/// The distinct terms of `text`, sorted: the set two texts are compared by.
pub fn term_set(text: &str) -> Vec<String> {
    let mut t = terms(text);
    t.sort();
    t.dedup();
    t
}

/// Jaccard similarity of two sorted, distinct term sets: shared terms over all terms, 0.0 to
/// 1.0 (0.0 when both are empty).
pub fn jaccard(a: &[String], b: &[String]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    if union == 0 { 0.0 } else { shared as f64 / union as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_and_definite_forms_share_a_stem() {
        assert_eq!(stem("ungdomsgårdar"), stem("ungdomsgård"));
        assert_eq!(stem("ungdomsgården"), stem("ungdomsgård"));
        assert_eq!(stem("föreningarna"), stem("förening"));
    }

    #[test]
    fn å_ä_and_ö_stay_distinct_letters() {
        assert_ne!(stem("får"), stem("far"));
        assert_ne!(stem("hös"), stem("hos"));
        assert_ne!(terms("mål"), terms("mal"));
    }

    #[test]
    fn words_are_normalised_and_split_on_anything_but_letters_and_digits() {
        // "a" + combining ring above is å after NFC.
        assert_eq!(words("Ungdomsg\u{0061}\u{030a}rd, 13–16 år!"), vec!["ungdomsgård", "13", "16", "år"]);
        assert!(words("!!! ... ---").is_empty());
        assert_eq!(words(&"x".repeat(100))[0].chars().count(), MAX_WORD_CHARS);
    }

    #[test]
    fn terms_drop_stop_words() {
        assert_eq!(terms("fotboll för och med unga"), vec![stem("fotboll"), stem("unga")]);
    }

    #[test]
    fn jaccard_counts_shared_over_union() {
        let a = term_set("fotboll för unga i Hässleholm");
        let b = term_set("fotbollsträning för unga tjejer");
        let j = jaccard(&a, &b);
        assert!(j > 0.0 && j < 1.0, "{j}");
        assert_eq!(jaccard(&a, &a), 1.0);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
