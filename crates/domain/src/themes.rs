//! Theme suggestions for a consultation's input (medskick): group short Swedish texts by the
//! words they share, deterministically, so an organiser starts from a proposal instead of a
//! blank page. The organiser confirms, renames, merges and moves; nothing here is final.
//!
//! The method (the same input always gives the same themes, in the same order):
//!
//! 1. Each text becomes its set of **terms**: words (see [`crate::words`]) without Swedish stop
//!    words, without [`FILLER`] words that say nothing about a subject ("behöver", "också"),
//!    without words shorter than three letters and numbers, stemmed with Snowball Swedish.
//! 2. A term can **seed** a theme when at least [`Options::min_size`] texts have it and at most
//!    half of them do (a term in every text, such as the consultation's own subject, separates
//!    nothing).
//! 3. **Greedy cover**: the seed that occurs in the most texts not yet in a theme makes the next
//!    theme, of exactly those texts; ties go to the most cohesive seed (whose texts share the
//!    most other terms), then to the term found in more texts overall, then to the
//!    alphabetically first stem. This repeats until [`Options::max_themes`] themes exist or
//!    no seed gathers `min_size` texts.
//! 4. **Second look**: a text left over joins the theme whose profile (its five most frequent
//!    terms) it shares most terms with, if it shares at least two; otherwise it stays among the
//!    rest ("Övrigt"), for the organiser.
//! 5. **Labels**: the seed's most frequent spelling in the texts, capitalised, followed by the
//!    theme's most frequent other term when a third or more of its texts have it ("Skolan,
//!    frånvaro").
//!
//! Cost: each round reads every unthemed text's terms once, so 5 000 texts of a few sentences
//! and twelve themes are a few million steps (see BENCHMARKS.md).

use std::collections::BTreeMap;

use crate::words;

/// Words too common in consultation input to name a subject: auxiliary and modal verbs, vague
/// quantities and connectives that Snowball's stop-word list does not hold.
pub const FILLER: &[&str] = &[
    "behöver",
    "behövs",
    "behova",
    "bör",
    "borde",
    "måste",
    "också",
    "även",
    "finns",
    "fanns",
    "få",
    "får",
    "fick",
    "göra",
    "gör",
    "gjorde",
    "görs",
    "kunna",
    "kunnat",
    "ska",
    "skall",
    "vill",
    "ville",
    "många",
    "mer",
    "mera",
    "mest",
    "fler",
    "flera",
    "olika",
    "andra",
    "annat",
    "annan",
    "bra",
    "viktigt",
    "viktig",
    "viktiga",
    "stor",
    "stora",
    "större",
    "ofta",
    "idag",
    "både",
    "genom",
    "samt",
    "exempel",
    "exempelvis",
    "bland",
    "annat",
    "dock",
    "därför",
    "eftersom",
    "kring",
    "ses",
    "vilja",
    "sätt",
    "saker",
    "sak",
    "tror",
    "tycker",
    "menar",
    "anser",
    "lyfter",
    "lyfts",
    "tas",
    "ta",
    "tar",
    "se",
    "ser",
    "sett",
    "gäller",
    "gälla",
];

/// How many themes, and how small a theme may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// At most this many themes; 0 means "about the square root of the number of texts",
    /// between 2 and 12.
    pub max_themes: usize,
    /// A theme gathers at least this many texts (at least 2).
    pub min_size: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { max_themes: 0, min_size: 2 }
    }
}

/// One suggested theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// A proposed name, from the texts' own words.
    pub label: String,
    /// The stems the theme was formed around (the seed first).
    pub terms: Vec<String>,
    /// Indexes into the texts given, ascending.
    pub members: Vec<usize>,
}

/// The suggestion: themes, largest first, and the texts no theme took.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suggested {
    pub themes: Vec<Suggestion>,
    pub rest: Vec<usize>,
}

fn is_filler(word: &str) -> bool {
    FILLER.contains(&word)
}

/// Suggests themes for `texts` (see the module's description of the method).
pub fn suggest(texts: &[&str], opts: &Options) -> Suggested {
    let n = texts.len();
    let min_size = opts.min_size.max(2);
    let max_themes = if opts.max_themes == 0 { ((n as f64).sqrt().round() as usize).clamp(2, 12) } else { opts.max_themes };

    // Terms, interned in order of first appearance; spellings per term for labels.
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut stems: Vec<String> = vec![];
    let mut spellings: Vec<BTreeMap<String, usize>> = vec![];
    let mut items: Vec<Vec<usize>> = Vec::with_capacity(n);
    for text in texts {
        let mut set = vec![];
        for w in words::words(text) {
            if w.chars().count() < 3 || w.chars().all(|c| c.is_numeric()) || words::is_stopword(&w) || is_filler(&w) {
                continue;
            }
            let s = words::stem(&w);
            let id = *ids.entry(s.clone()).or_insert_with(|| {
                stems.push(s);
                spellings.push(BTreeMap::new());
                stems.len() - 1
            });
            *spellings[id].entry(w).or_default() += 1;
            set.push(id);
        }
        set.sort_unstable();
        set.dedup();
        items.push(set);
    }
    let terms = stems.len();
    let mut df = vec![0usize; terms];
    for set in &items {
        for &t in set {
            df[t] += 1;
        }
    }
    let max_df = (n / 2).max(min_size);
    let seedable: Vec<bool> = df.iter().map(|&d| d >= min_size && d <= max_df).collect();

    let mut theme_of: Vec<Option<usize>> = vec![None; n];
    let mut themes: Vec<(usize, Vec<usize>)> = vec![]; // (seed, members)
    let mut count = vec![0usize; terms];
    while themes.len() < max_themes {
        count.iter_mut().for_each(|c| *c = 0);
        for (i, set) in items.iter().enumerate() {
            if theme_of[i].is_none() {
                for &t in set {
                    count[t] += 1;
                }
            }
        }
        let top = (0..terms).filter(|&t| seedable[t]).map(|t| count[t]).max().unwrap_or(0);
        if top < min_size {
            break;
        }
        // Among the seeds gathering the most texts, the most cohesive: the one whose texts
        // share the most other terms (each counted once, when two or more of its texts have it).
        let cohesion = |seed: usize| -> usize {
            let mut c: BTreeMap<usize, usize> = BTreeMap::new();
            for (i, set) in items.iter().enumerate() {
                if theme_of[i].is_none() && set.binary_search(&seed).is_ok() {
                    for &t in set {
                        *c.entry(t).or_default() += 1;
                    }
                }
            }
            c.iter().filter(|&(&t, &k)| t != seed && k >= 2).count()
        };
        let best = (0..terms)
            .filter(|&t| seedable[t] && count[t] == top)
            .map(|t| (t, cohesion(t)))
            .min_by(|a, b| b.1.cmp(&a.1).then(df[b.0].cmp(&df[a.0])).then(stems[a.0].cmp(&stems[b.0])))
            .map(|(t, _)| t);
        let Some(seed) = best else { break };
        let k = themes.len();
        let members: Vec<usize> = (0..n).filter(|&i| theme_of[i].is_none() && items[i].binary_search(&seed).is_ok()).collect();
        for &i in &members {
            theme_of[i] = Some(k);
        }
        themes.push((seed, members));
    }

    // Each theme's profile: its five most frequent terms (ties: stem order).
    let profile = |members: &[usize]| -> Vec<(usize, usize)> {
        let mut c: BTreeMap<usize, usize> = BTreeMap::new();
        for &i in members {
            for &t in &items[i] {
                *c.entry(t).or_default() += 1;
            }
        }
        let mut v: Vec<(usize, usize)> = c.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(stems[a.0].cmp(&stems[b.0])));
        v
    };
    let profiles: Vec<Vec<usize>> = themes.iter().map(|(_, m)| profile(m).into_iter().take(5).map(|(t, _)| t).collect()).collect();
    let mut rest = vec![];
    for i in 0..n {
        if theme_of[i].is_some() {
            continue;
        }
        let best = profiles
            .iter()
            .enumerate()
            .map(|(k, p)| (k, p.iter().filter(|t| items[i].binary_search(t).is_ok()).count()))
            .filter(|&(_, shared)| shared >= 2)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((k, _)) => themes[k].1.push(i),
            None => rest.push(i),
        }
    }

    let spelling = |t: usize| -> String {
        spellings[t].iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(w, _)| w.clone()).unwrap_or_else(|| stems[t].clone())
    };
    let mut out: Vec<Suggestion> = themes
        .into_iter()
        .map(|(seed, mut members)| {
            members.sort_unstable();
            let second = profile(&members).into_iter().find(|&(t, c)| t != seed && c * 3 >= members.len() && c >= 2).map(|(t, _)| t);
            let mut label = capitalise(&spelling(seed));
            let mut terms = vec![stems[seed].clone()];
            if let Some(t) = second {
                label = format!("{label}, {}", spelling(t));
                terms.push(stems[t].clone());
            }
            Suggestion { label, terms, members }
        })
        .collect();
    out.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.members[0].cmp(&b.members[0])));
    Suggested { themes: out, rest }
}

fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: &[&str] = &[
        "Rekrytering sker via spelplattformar och sociala medier där unga är isolerade.",
        "Digital rekrytering på spelplattformar behöver mötas med närvaro av vuxna online.",
        "Sociala medier och spelplattformar används för att rekrytera till enstaka brott.",
        "Skolans frånvaro är ett växande problem, särskilt bland barn med NPF.",
        "Frånvaron i skolan måste följas upp tidigt, skolan är en skyddsfaktor.",
        "Mentorskap och läxhjälp stärker skolan som skyddsfaktor.",
        "Idrottsföreningar utnyttjas som arenor för rekrytering nära träningsplatser.",
        "Föräldrar i utsatta områden har låg tillit till myndigheter.",
        "Tilliten till polisen hos föräldrar behöver byggas genom närvaro.",
        "Vi vill ha mer pengar.",
    ];

    #[test]
    fn groups_texts_by_shared_terms_with_readable_labels() {
        let s = suggest(INPUT, &Options::default());
        let labels: Vec<&str> = s.themes.iter().map(|t| t.label.as_str()).collect();
        // Skolan (3 texts) and spelplattformar (3) are the largest; the third theme gathers
        // the two texts on parents' trust.
        assert!(s.themes.len() >= 3, "{labels:?}");
        let school = s.themes.iter().find(|t| t.terms[0] == words::stem("skolan")).expect("a school theme");
        assert_eq!(school.members, [3, 4, 5], "{s:?}");
        assert!(school.label.starts_with("Skolan"), "{}", school.label);
        let platforms = s.themes.iter().find(|t| t.members.contains(&0)).expect("platforms");
        assert!(platforms.members.contains(&1) && platforms.members.contains(&2), "{labels:?}");
        let parents = s.themes.iter().find(|t| t.members.contains(&7)).expect("parents");
        assert!(parents.members.contains(&8), "{labels:?}");
        // A text sharing nothing stays for the organiser.
        assert!(s.rest.contains(&9), "{:?}", s.rest);
        // Every text is in exactly one place.
        let mut all: Vec<usize> = s.themes.iter().flat_map(|t| t.members.clone()).chain(s.rest.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..INPUT.len()).collect::<Vec<_>>());
    }

    #[test]
    fn the_same_input_gives_the_same_themes_whatever_order_hash_maps_choose() {
        let a = suggest(INPUT, &Options::default());
        for _ in 0..5 {
            assert_eq!(suggest(INPUT, &Options::default()), a);
        }
    }

    #[test]
    fn respects_the_limits_and_handles_little_input() {
        assert_eq!(suggest(&[], &Options::default()), Suggested::default());
        let one = suggest(&["Trygghetsvandringar i centrum"], &Options::default());
        assert!(one.themes.is_empty());
        assert_eq!(one.rest, [0]);
        let capped = suggest(INPUT, &Options { max_themes: 1, min_size: 2 });
        assert_eq!(capped.themes.len(), 1);
        let big = suggest(INPUT, &Options { max_themes: 0, min_size: 4 });
        assert!(big.themes.iter().all(|t| t.members.len() >= 4) || big.themes.is_empty());
    }

    #[test]
    fn filler_words_do_not_seed_themes() {
        let s = suggest(
            &["Vi behöver fler vuxna ute", "Det behövs mer stöd, behöver pengar", "Behöver vi verkligen detta?"],
            &Options::default(),
        );
        assert!(s.themes.iter().all(|t| !t.label.to_lowercase().starts_with("behöv")), "{:?}", s.themes);
    }
}
