//! Personal-data guard: finds personal identity numbers (personnummer), coordination numbers
//! (samordningsnummer), phone numbers and e-mail addresses in free text, so that shared records
//! never store them unchecked.
//!
//! The scanner is hand-written (no regular expressions) and works on byte offsets that always lie
//! on `char` boundaries: every pattern starts and ends on an ASCII character (a digit, `+`, `(`,
//! `)` or an e-mail character), so slicing `text[start..end]` never panics.
//!
//! # Rules
//!
//! **Number boundaries.** A number is only considered where it is not part of a longer digit run:
//! the character before it must not be a digit, nor a joiner (`-`, `+`, `.`, `/`, `:`, `–`) that
//! itself follows a digit; the same holds, mirrored, after it. So `1-800101-1234` and
//! `8001011234567` are not matched. Letters next to a number do not block a match: a guard should
//! rather remove `pnr8001011234` than keep it.
//!
//! **Personnummer / samordningsnummer.** `YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC`,
//! `YYYYMMDD-NNNC`, `YYYYMMDDNNNC`, where the separator may also be a space, a no-break space or
//! an en dash (`–`, which phones often substitute for `-`). The Luhn check digit is computed over
//! the ten-digit form, the date must exist (leap years included; for the ten-digit form the
//! century is unknown, so 29 February is accepted when `YY` is divisible by four), and the
//! twelve-digit form must start with century 18, 19 or 20. A day of 61–91 is a samordningsnummer
//! (day + 60). Organisation numbers (`556036-0793`) have a third digit of 2 or more, so their
//! "month" is at least 20 and the date check rejects them; they are not personal data.
//!
//! **Phone numbers.** Swedish numbers only, plus any explicitly international number written with
//! a leading `+`:
//! - national: trunk `0`, then area code and subscriber number, **7–9 digits after the trunk 0**.
//!   Written either as one run of digits (`0701234567`), or as an area code of 2–4 digits
//!   including the trunk 0 (a two-digit one must be `08`, Stockholm, the only one-digit area code)
//!   followed by the subscriber number as one group of 5–8 digits (`070-1234567`) or as groups of
//!   2–3 digits (`070-123 45 67`, `08-123 456 78`, `031-12 34 56`), where the last group may have
//!   4 digits if the one before has 3 and a space separates them (`070 123 4567`). The area code
//!   may be in parentheses: `(08) 123 45 67`. Groups are separated by one space, no-break space
//!   or `-`;
//! - international Swedish: `+46` or `0046`, optionally `(0)`, then the number without the trunk
//!   0 following the same grouping rules (area code 1–3 digits, a one-digit one must be `8`),
//!   7–9 digits. `+46 070…` (trunk 0 written by mistake) is accepted too;
//! - other international: `+` and 9–15 digits in groups of at least two digits after the first.
//!
//! These rules do not match ISO dates (`2024-11-22`), times (`08.30`), years, counts, postal codes
//! (`231 42`), amounts (`1 200 kr`), week numbers or coordinates: none of them starts with a
//! trunk 0 followed by enough digits in a phone-number grouping.
//!
//! **E-mail.** `local@domain.tld`, where the local part is letters (any script), digits and
//! `.`, `_`, `%`, `+`, `-`, and the domain is dot-separated labels of letters, digits and `-` with
//! an alphabetic top-level label of at least two characters. A trailing full stop is not part of
//! the address.
//!
//! Overlapping candidates (an e-mail address whose local part is a personnummer, say) are merged
//! into one finding covering both, labelled with the kind that starts first (the longer one on a
//! tie, then personnummer before samordningsnummer before telefonnummer before e-postadress).
//!
//! **Normalisation and obfuscation.** The rules above run on a *normalised view* of the text, and
//! each finding is mapped back to the span of the original text it came from (so [`redact`]
//! removes exactly what was written):
//! - every character is NFKC-normalised on its own: full-width digits (`０７０…`), mathematical
//!   digits (`𝟎𝟕𝟎…`), full-width or small `＠`/`﹫` and compatibility spaces become their ASCII
//!   forms (superscript, subscript and circled digits and fractions do not: as footnote marks
//!   they must not lengthen a number next to them); the
//!   hyphens `‐`, `‑`, `‒` and the minus sign `−` become `-`;
//! - an obfuscated at sign becomes `@`: `(at)`, `[at]`, `{at}`, `<at>`, `(snabel-a)`, `(a)` (any
//!   case, brackets of any of these kinds, spaces inside and around allowed), and the bare words
//!   `at`, `snabel-a`, `snabela` between spaces; spaces around a real `@` are dropped;
//! - an obfuscated full stop becomes `.`: `(dot)`, `[dot]`, `(punkt)`, `[punkt]` and the bare word
//!   `dot` between spaces;
//! - a dash with spaces around it between two digits (`070 - 123 45 67`) becomes `-`, and `.` and
//!   `/` separate digit groups of a phone number like a space does (`070.123.45.67`);
//! - seven or more single digits separated by single spaces, dots, dashes or slashes
//!   (`0 7 0 1 2 3 4 5 6 7`) are read as one run of digits.
//!
//! Not detected: names, addresses, numbers written with non-ASCII digits that NFKC does not map
//! (Arabic-Indic digits, say), and numbers spelled out in words. The guard is a safety net, not a
//! guarantee; the interface still tells users not to write personal data.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// What kind of personal data a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    PersonalIdentityNumber,
    CoordinationNumber,
    PhoneNumber,
    Email,
}

impl FindingKind {
    /// The Swedish name shown to users, in the singular indefinite form without article.
    pub fn label_sv(self) -> &'static str {
        match self {
            FindingKind::PersonalIdentityNumber => "personnummer",
            FindingKind::CoordinationNumber => "samordningsnummer",
            FindingKind::PhoneNumber => "telefonnummer",
            FindingKind::Email => "e-postadress",
        }
    }

    fn plural_sv(self) -> &'static str {
        match self {
            FindingKind::Email => "e-postadresser",
            other => other.label_sv(),
        }
    }

    /// `true` for the common gender ("en e-postadress"), `false` for neuter ("ett telefonnummer").
    fn is_common_gender(self) -> bool {
        matches!(self, FindingKind::Email)
    }

    const ALL: [FindingKind; 4] =
        [FindingKind::PersonalIdentityNumber, FindingKind::CoordinationNumber, FindingKind::PhoneNumber, FindingKind::Email];
}

/// One piece of personal data found in a text: `text[start..end]`, byte offsets on `char`
/// boundaries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub start: usize,
    pub end: usize,
}

/// The text that replaces each finding in [`redact`].
pub const REDACTION: &str = "[borttaget]";

/// Finds all personal data in `text`, after normalising it (see the module documentation). The
/// result is sorted by `start` and non-overlapping; offsets refer to `text` itself.
pub fn scan(text: &str) -> Vec<Finding> {
    let view = View::of(text);
    let found = scan_plain(&view.text);
    let mapped: Vec<Finding> =
        found.into_iter().map(|f| Finding { kind: f.kind, start: view.origin[f.start].0, end: view.origin[f.end - 1].1 }).collect();
    // Mapping back may make neighbouring findings touch or overlap: merge again.
    merge(mapped)
}

/// A Swedish message for a text field that must not hold personal data at all (names,
/// descriptions, titles): names the field by its `label` ("Namnet") and says how to fix it.
pub fn explain_field_sv(label: &str, findings: &[Finding]) -> String {
    let mut parts = Vec::new();
    for kind in FindingKind::ALL {
        let n = findings.iter().filter(|f| f.kind == kind).count();
        if n == 0 {
            continue;
        }
        let noun = if n == 1 { kind.label_sv() } else { kind.plural_sv() };
        parts.push(format!("{} {noun}", count_word_sv(n, kind.is_common_gender())));
    }
    format!(
        "{label} innehåller {}. Personuppgifter får inte stå här, eftersom andra organisationer \
         läser texten — ta bort dem och försök igen.",
        if parts.is_empty() { "personuppgifter".to_owned() } else { join_sv(&parts) }
    )
}

// ---------------------------------------------------------------------------------------------
// The normalised view

/// `text` normalised for scanning; `origin[i]` is the span `(start, end)` of the original text
/// that byte `i` of `text` came from (always on `char` boundaries of the original).
struct View {
    text: String,
    origin: Vec<(usize, usize)>,
}

impl View {
    fn of(original: &str) -> Self {
        let mut view = View { text: String::with_capacity(original.len()), origin: Vec::with_capacity(original.len()) };
        for (i, c) in original.char_indices() {
            let span = (i, i + c.len_utf8());
            match c {
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' => view.push_str("-", span),
                c if c.is_ascii() => view.push_str(c.encode_utf8(&mut [0; 4]), span),
                c => {
                    let n: String = std::iter::once(c).nfkc().collect();
                    // Superscripts, subscripts, circled digits and fractions stay as they are:
                    // as footnote marks next to a number they must not make it a longer number.
                    if n.bytes().any(|b| b.is_ascii_digit()) && !is_digit_lookalike_block(c) {
                        view.push_str(c.encode_utf8(&mut [0; 4]), span);
                    } else {
                        view.push_str(&n, span);
                    }
                }
            }
        }
        view.rewrite(obfuscations).rewrite(spaced_digits)
    }

    fn push_str(&mut self, s: &str, span: (usize, usize)) {
        self.text.push_str(s);
        self.origin.extend(std::iter::repeat_n(span, s.len()));
    }

    /// Applies the non-overlapping, sorted replacements `(start, end, with)` found by `find`.
    fn rewrite(self, find: fn(&str) -> Vec<(usize, usize, &'static str)>) -> Self {
        let edits = find(&self.text);
        if edits.is_empty() {
            return self;
        }
        let mut out = View { text: String::with_capacity(self.text.len()), origin: Vec::with_capacity(self.origin.len()) };
        let mut pos = 0;
        for (start, end, with) in edits {
            if start < pos || end <= start {
                continue;
            }
            for (i, c) in self.text[pos..start].char_indices() {
                let at = pos + i;
                out.text.push(c);
                out.origin.extend_from_slice(&self.origin[at..at + c.len_utf8()]);
            }
            let span = (self.origin[start].0, self.origin[end - 1].1);
            out.push_str(with, span);
            pos = end;
        }
        for (i, c) in self.text[pos..].char_indices() {
            let at = pos + i;
            out.text.push(c);
            out.origin.extend_from_slice(&self.origin[at..at + c.len_utf8()]);
        }
        out
    }
}

/// Blocks whose digits are ordinary digits written differently: full-width and small forms
/// (`０`–`９`) and the mathematical alphanumerics (`𝟎`–`𝟿`).
fn is_digit_lookalike_block(c: char) -> bool {
    matches!(c, '\u{FE50}'..='\u{FE6F}' | '\u{FF00}'..='\u{FFEF}' | '\u{1D400}'..='\u{1D7FF}')
}

/// End of the whitespace run starting at `i`.
fn skip_space(text: &str, mut i: usize) -> usize {
    while let Some(c) = char_at(text, i) {
        if !c.is_whitespace() {
            break;
        }
        i += c.len_utf8();
    }
    i
}

/// Start of the whitespace run ending at `i`.
fn skip_space_back(text: &str, mut i: usize) -> usize {
    while let Some(c) = char_before(text, i) {
        if !c.is_whitespace() {
            break;
        }
        i -= c.len_utf8();
    }
    i
}

/// `word` (ASCII, any case) at byte `i` of `text`.
fn word_at(text: &str, i: usize, word: &str) -> bool {
    text.get(i..i + word.len()).is_some_and(|s| s.eq_ignore_ascii_case(word))
}

const AT_WORDS_BRACKETED: [&str; 5] = ["snabel-a", "snabel a", "snabela", "at", "a"];
const AT_WORDS_BARE: [&str; 3] = ["snabel-a", "snabela", "at"];
const DOT_WORDS_BRACKETED: [&str; 2] = ["punkt", "dot"];
const DOT_WORDS_BARE: [&str; 1] = ["dot"];

/// Obfuscated `@` and `.` (see the module documentation).
fn obfuscations(text: &str) -> Vec<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut edits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // Bracketed: "(at)", "[ at ]", "{punkt}", "<snabel-a>".
        if let Some(close) = match b {
            b'(' => Some(b')'),
            b'[' => Some(b']'),
            b'{' => Some(b'}'),
            b'<' => Some(b'>'),
            _ => None,
        } {
            let inner = skip_space(text, i + 1);
            let found =
                AT_WORDS_BRACKETED.iter().map(|w| (*w, "@")).chain(DOT_WORDS_BRACKETED.iter().map(|w| (*w, "."))).find_map(|(w, with)| {
                    let after = skip_space(text, inner + w.len());
                    (word_at(text, inner, w) && bytes.get(after) == Some(&close)).then_some((after + 1, with))
                });
            if let Some((end, with)) = found {
                let end = skip_space(text, end);
                edits.push((skip_space_back(text, i), end, with));
                i = end;
                continue;
            }
        }
        // Bare words between whitespace: " at ", " snabel-a ", " dot ".
        if b.is_ascii_whitespace() {
            let ws_start = i;
            let word_start = skip_space(text, i);
            if word_start > ws_start {
                let found =
                    AT_WORDS_BARE.iter().map(|w| (*w, "@")).chain(DOT_WORDS_BARE.iter().map(|w| (*w, "."))).find_map(|(w, with)| {
                        let after = word_start + w.len();
                        (word_at(text, word_start, w) && skip_space(text, after) > after && ws_start > 0)
                            .then_some((skip_space(text, after), with))
                    });
                if let Some((end, with)) = found {
                    edits.push((ws_start, end, with));
                    i = end;
                    continue;
                }
                i = word_start;
                continue;
            }
        }
        // Spaces around a real "@".
        if b == b'@' {
            let start = skip_space_back(text, i);
            let end = skip_space(text, i + 1);
            if start < i || end > i + 1 {
                // Drop an edit that ends inside this one's leading spaces.
                while edits.last().is_some_and(|e: &(usize, usize, &str)| e.1 > start) {
                    edits.pop();
                }
                edits.push((start, end, "@"));
            }
            i = end;
            continue;
        }
        i += 1;
    }
    edits
}

/// A spaced dash between digits (`070 - 123`), and seven or more single digits each separated by
/// one space, dot, dash or slash (`0 7 0 1 2 3 4 5 6 7`).
fn spaced_digits(text: &str) -> Vec<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let is_sep = |b: u8| matches!(b, b' ' | b'.' | b'-' | b'/');
    let mut edits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // Single digits separated by single separators.
        let run_start = i == 0 || !bytes[i - 1].is_ascii_digit();
        let single = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_digit) && !bytes.get(k + 1).is_some_and(u8::is_ascii_digit);
        if run_start && single(i) {
            let mut j = i;
            let mut digits = 1;
            while bytes.get(j + 1).is_some_and(|&b| is_sep(b)) && single(j + 2) {
                j += 2;
                digits += 1;
            }
            if digits >= 7 {
                edits.extend((i + 1..j).step_by(2).map(|k| (k, k + 1, "")));
                i = j + 1;
                continue;
            }
        }
        // A dash with spaces around it between digits.
        let end = digit_run_end(text, i);
        let left = skip_space(text, end);
        if left > end
            && matches!(char_at(text, left), Some('-' | '–'))
            && let dash_end = left + char_at(text, left).map_or(1, char::len_utf8)
            && let right = skip_space(text, dash_end)
            && right > dash_end
            && bytes.get(right).is_some_and(u8::is_ascii_digit)
        {
            edits.push((end, right, "-"));
            i = right;
            continue;
        }
        i = end;
    }
    edits
}

/// [`scan`] on text that is already normalised.
fn scan_plain(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut candidates = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if !number_may_start_at(text, i) {
                    continue;
                }
                if let Some(f) = identity_number_at(text, i) {
                    candidates.push(f);
                }
                if b == b'0'
                    && let Some(end) = national_or_0046_phone_at(text, i)
                {
                    candidates.push(Finding { kind: FindingKind::PhoneNumber, start: i, end });
                }
            }
            b'+' | b'(' => {
                if !number_may_start_at(text, i) {
                    continue;
                }
                let end = if b == b'+' { plus_phone_at(text, i) } else { parenthesised_phone_at(text, i) };
                if let Some(end) = end {
                    candidates.push(Finding { kind: FindingKind::PhoneNumber, start: i, end });
                }
            }
            b'@' => {
                if let Some((start, end)) = email_around(text, i) {
                    candidates.push(Finding { kind: FindingKind::Email, start, end });
                }
            }
            _ => {}
        }
    }
    merge(candidates)
}

/// Replaces every finding with [`REDACTION`]. Redaction is repeated until nothing is found, so
/// `scan(&redact(t))` is always empty (each round removes at least one digit or `@`, so this
/// terminates).
pub fn redact(text: &str) -> String {
    let mut current = text.to_owned();
    loop {
        let findings = scan(&current);
        if findings.is_empty() {
            return current;
        }
        let mut out = String::with_capacity(current.len());
        let mut pos = 0;
        for f in &findings {
            out.push_str(&current[pos..f.start]);
            out.push_str(REDACTION);
            pos = f.end;
        }
        out.push_str(&current[pos..]);
        current = out;
    }
}

/// A Swedish explanation for the user of what was found and what to do, e.g. "Texten innehåller
/// ett personnummer och två telefonnummer. Sådana uppgifter får inte sparas i delade rapporter —
/// ta bort dem eller låt Brygga ta bort dem."
pub fn explain_sv(findings: &[Finding]) -> String {
    let mut parts = Vec::new();
    for kind in FindingKind::ALL {
        let n = findings.iter().filter(|f| f.kind == kind).count();
        if n == 0 {
            continue;
        }
        let noun = if n == 1 { kind.label_sv() } else { kind.plural_sv() };
        parts.push(format!("{} {noun}", count_word_sv(n, kind.is_common_gender())));
    }
    if parts.is_empty() {
        return "Texten innehåller inga personnummer, samordningsnummer, telefonnummer eller \
                e-postadresser."
            .to_owned();
    }
    format!(
        "Texten innehåller {}. Sådana uppgifter får inte sparas i delade rapporter — ta bort dem \
         eller låt Brygga ta bort dem.",
        join_sv(&parts)
    )
}

fn count_word_sv(n: usize, common_gender: bool) -> String {
    const WORDS: [&str; 13] = ["noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv"];
    match n {
        1 if common_gender => "en".to_owned(),
        0..=12 => WORDS[n].to_owned(),
        _ => n.to_string(),
    }
}

fn join_sv(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} och {last}", init.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Candidate merging

fn merge(mut candidates: Vec<Finding>) -> Vec<Finding> {
    candidates.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)).then(a.kind.cmp(&b.kind)));
    let mut out: Vec<Finding> = Vec::with_capacity(candidates.len());
    for c in candidates {
        match out.last_mut() {
            Some(last) if c.start < last.end => last.end = last.end.max(c.end),
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Character helpers (byte offsets; callers only pass offsets next to ASCII characters)

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

/// Characters that glue two digit runs into one number (`2024-11-22`, `55.375`, `08:30`).
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '+' | '.' | '/' | ':' | '–')
}

/// A number may start at `i` unless it continues a digit run to its left.
fn number_may_start_at(text: &str, i: usize) -> bool {
    match char_before(text, i) {
        None => true,
        Some(c) if c.is_ascii_digit() => false,
        Some(c) if is_joiner(c) => !char_before(text, i - c.len_utf8()).is_some_and(|p| p.is_ascii_digit()),
        Some(_) => true,
    }
}

/// A number may end at `end` unless the digit run continues to its right.
fn number_may_end_at(text: &str, end: usize) -> bool {
    match char_at(text, end) {
        None => true,
        Some(c) if c.is_ascii_digit() => false,
        Some(c) if is_joiner(c) => !char_at(text, end + c.len_utf8()).is_some_and(|n| n.is_ascii_digit()),
        Some(_) => true,
    }
}

/// End (exclusive) of the run of ASCII digits starting at `i`.
fn digit_run_end(text: &str, i: usize) -> usize {
    let bytes = text.as_bytes();
    let mut j = i;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    j
}

fn digits_of(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect()
}

// ---------------------------------------------------------------------------------------------
// Personnummer and samordningsnummer

fn identity_number_at(text: &str, i: usize) -> Option<Finding> {
    let run1 = digit_run_end(text, i);
    let (end, plus_sign) = match run1 - i {
        10 | 12 => (run1, false),
        n @ (6 | 8) => {
            let sep = char_at(text, run1)?;
            let allowed = matches!(sep, '-' | ' ' | '\u{a0}' | '–') || (sep == '+' && n == 6);
            if !allowed {
                return None;
            }
            let start2 = run1 + sep.len_utf8();
            let run2 = digit_run_end(text, start2);
            if run2 - start2 != 4 {
                return None;
            }
            (run2, sep == '+')
        }
        _ => return None,
    };
    if !number_may_end_at(text, end) {
        return None;
    }
    let digits = digits_of(&text[i..end]);
    let kind = identity_number_kind(&digits, plus_sign)?;
    Some(Finding { kind, start: i, end })
}

/// Checks the digits (10 or 12 of them) of a personnummer or samordningsnummer.
fn identity_number_kind(digits: &[u8], plus_sign: bool) -> Option<FindingKind> {
    let (leap, ten) = match digits.len() {
        12 => {
            let century = u32::from(digits[0]) * 10 + u32::from(digits[1]);
            if !(18..=20).contains(&century) {
                return None;
            }
            let year = century * 100 + u32::from(digits[2]) * 10 + u32::from(digits[3]);
            (is_leap_year(year), &digits[2..])
        }
        10 => {
            let yy = u32::from(digits[0]) * 10 + u32::from(digits[1]);
            // The century is unknown: 18YY (with "+"), 19YY or 20YY. Only 29 February depends on
            // it, and YY = 00 is a leap year in 2000, so divisibility by four decides. With a
            // "+" (born 100+ years ago) the candidates are 18YY and 19YY: 1800 and 1900 are not
            // leap years.
            let leap = yy.is_multiple_of(4) && !(plus_sign && yy == 0);
            (leap, digits)
        }
        _ => return None,
    };
    let month = u32::from(ten[2]) * 10 + u32::from(ten[3]);
    let raw_day = u32::from(ten[4]) * 10 + u32::from(ten[5]);
    let (kind, day) =
        if raw_day > 60 { (FindingKind::CoordinationNumber, raw_day - 60) } else { (FindingKind::PersonalIdentityNumber, raw_day) };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(month, leap) {
        return None;
    }
    luhn_valid(ten).then_some(kind)
}

fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(month: u32, leap: bool) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// The Luhn check digit for the first nine digits of a ten-digit personnummer (weights 2,1,2,…).
pub fn luhn_check_digit(nine: &[u8]) -> u8 {
    let sum: u32 = nine
        .iter()
        .take(9)
        .enumerate()
        .map(|(k, &d)| {
            let v = u32::from(d) * if k % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    // (10 - sum % 10) % 10 is at most 9, so the narrowing is lossless.
    ((10 - sum % 10) % 10) as u8
}

fn luhn_valid(ten: &[u8]) -> bool {
    ten.len() == 10 && luhn_check_digit(&ten[..9]) == ten[9]
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    /// The separator before this group (`None` for the first).
    sep: Option<char>,
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

const MAX_GROUPS: usize = 8;

/// Digit groups starting at the digit at `i`, separated by exactly one space, no-break space or
/// `-`.
fn groups_from(text: &str, i: usize) -> Vec<Group> {
    let mut groups = Vec::new();
    let mut start = i;
    let mut sep = None;
    while groups.len() < MAX_GROUPS {
        let end = digit_run_end(text, start);
        if end == start {
            break;
        }
        groups.push(Group { start, end, sep });
        match char_at(text, end) {
            Some(c @ (' ' | '\u{a0}' | '-' | '.' | '/')) => {
                let next = end + c.len_utf8();
                if char_at(text, next).is_some_and(|n| n.is_ascii_digit()) {
                    start = next;
                    sep = Some(c);
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    groups
}

/// The longest prefix of `groups` that `valid` accepts and that ends a number; returns its end.
fn longest_valid_prefix(text: &str, groups: &[Group], valid: impl Fn(&[Group]) -> bool) -> Option<usize> {
    (1..=groups.len()).rev().find(|&k| valid(&groups[..k]) && number_may_end_at(text, groups[k - 1].end)).map(|k| groups[k - 1].end)
}

/// Subscriber number groups: one group of 5–8 digits, or groups of 2–3 digits where the last may
/// have 4 if the one before has 3 and a space separates them.
fn valid_subscriber(sub: &[Group]) -> bool {
    let total: usize = sub.iter().map(Group::len).sum();
    if !(5..=8).contains(&total) {
        return false;
    }
    match sub {
        [] => false,
        [one] => (5..=8).contains(&one.len()),
        [init @ .., prev, last] => {
            init.iter().all(|g| (2..=3).contains(&g.len()))
                && (2..=3).contains(&prev.len())
                && ((2..=3).contains(&last.len()) || (last.len() == 4 && prev.len() == 3 && matches!(last.sep, Some(' ' | '\u{a0}'))))
        }
    }
}

/// A national number whose first group starts with the trunk 0.
fn valid_national(text: &str, groups: &[Group]) -> bool {
    let Some(first) = groups.first() else {
        return false;
    };
    let first_text = &text[first.start..first.end];
    if !first_text.starts_with('0') || first_text[1..].starts_with('0') {
        return false;
    }
    if groups.len() == 1 {
        return (8..=10).contains(&first.len());
    }
    valid_area_and_subscriber(first_text, &groups[1..], 2)
}

/// `area` includes the trunk 0 when `min_area_len` is 2 (national) and excludes it when 1
/// (international).
fn valid_area_and_subscriber(area: &str, sub: &[Group], min_area_len: usize) -> bool {
    let area_len = area.len();
    if !(min_area_len..=min_area_len + 2).contains(&area_len) {
        return false;
    }
    if area_len == min_area_len && !area.ends_with('8') {
        return false;
    }
    if !valid_subscriber(sub) {
        return false;
    }
    let trunkless_area = area_len + 1 - min_area_len;
    let total = trunkless_area + sub.iter().map(Group::len).sum::<usize>();
    (7..=9).contains(&total)
}

/// Swedish number after `+46`/`0046`, without the trunk 0 (or with it, written by mistake).
fn valid_international_swedish(text: &str, groups: &[Group]) -> bool {
    let Some(first) = groups.first() else {
        return false;
    };
    let first_text = &text[first.start..first.end];
    if first_text.starts_with('0') {
        return valid_national(text, groups);
    }
    if groups.len() == 1 {
        return (7..=9).contains(&first.len());
    }
    valid_area_and_subscriber(first_text, &groups[1..], 1)
}

/// Number starting with `0` at `i`: national (`070-123 45 67`) or `0046 …`.
fn national_or_0046_phone_at(text: &str, i: usize) -> Option<usize> {
    if text[i..].starts_with("0046") {
        return swedish_after_country_code(text, i + 4);
    }
    let groups = groups_from(text, i);
    longest_valid_prefix(text, &groups, |gs| valid_national(text, gs))
}

/// Number starting with `+` at `i`.
fn plus_phone_at(text: &str, i: usize) -> Option<usize> {
    let after = i + 1;
    if !char_at(text, after).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    if text[after..].starts_with("46")
        && let Some(end) = swedish_after_country_code(text, after + 2)
    {
        return Some(end);
    }
    let groups = groups_from(text, after);
    longest_valid_prefix(text, &groups, |gs| {
        let total: usize = gs.iter().map(Group::len).sum();
        (9..=15).contains(&total) && !text[after..].starts_with('0') && gs.iter().skip(1).all(|g| g.len() >= 2)
    })
}

/// The rest of a Swedish number after `+46` or `0046` ending at byte `p`: the number may follow
/// directly, after one separator, and/or after `(0)`.
fn swedish_after_country_code(text: &str, mut p: usize) -> Option<usize> {
    if let Some(c @ (' ' | '\u{a0}' | '-')) = char_at(text, p) {
        p += c.len_utf8();
    }
    if text[p..].starts_with("(0)") {
        p += 3;
        if let Some(c @ (' ' | '\u{a0}' | '-')) = char_at(text, p) {
            p += c.len_utf8();
        }
    }
    if !char_at(text, p).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let groups = groups_from(text, p);
    longest_valid_prefix(text, &groups, |gs| valid_international_swedish(text, gs))
}

/// `(08) 123 45 67` starting at the `(` at `i`.
fn parenthesised_phone_at(text: &str, i: usize) -> Option<usize> {
    let area_start = i + 1;
    let area_end = digit_run_end(text, area_start);
    let area = &text[area_start..area_end];
    if !area.starts_with('0') || area[1..].starts_with('0') || char_at(text, area_end) != Some(')') {
        return None;
    }
    let mut p = area_end + 1;
    if let Some(c @ (' ' | '\u{a0}')) = char_at(text, p) {
        p += c.len_utf8();
    }
    if !char_at(text, p).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let groups = groups_from(text, p);
    longest_valid_prefix(text, &groups, |gs| valid_area_and_subscriber(area, gs, 2))
}

// ---------------------------------------------------------------------------------------------
// E-mail

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// The e-mail address around the `@` at byte `at`, as `(start, end)`.
fn email_around(text: &str, at: usize) -> Option<(usize, usize)> {
    // Local part: expand left, then drop leading dots (a sentence's full stop).
    let mut start = at;
    while let Some(c) = char_before(text, start) {
        if !is_local_char(c) {
            break;
        }
        start -= c.len_utf8();
    }
    while text[start..at].starts_with('.') {
        start += 1;
    }
    if start == at {
        return None;
    }
    // Domain: expand right, then cut back to the longest prefix that ends in a valid TLD.
    let dom_start = at + 1;
    let mut end = dom_start;
    while let Some(c) = char_at(text, end) {
        if !is_domain_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    let domain = &text[dom_start..end];
    let labels: Vec<&str> = domain.split('.').collect();
    // Try the longest sequence of labels first.
    for k in (2..=labels.len()).rev() {
        let candidate = &labels[..k];
        if candidate.iter().all(|l| valid_label(l)) && valid_tld(candidate[k - 1]) {
            let len: usize = candidate.iter().map(|l| l.len()).sum::<usize>() + (k - 1);
            return Some((start, dom_start + len));
        }
    }
    None
}

fn valid_label(label: &str) -> bool {
    !label.is_empty() && !label.starts_with('-') && !label.ends_with('-')
}

fn valid_tld(label: &str) -> bool {
    label.chars().count() >= 2 && label.chars().all(char::is_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(FindingKind, &str)> {
        scan(text).into_iter().map(|f| (f.kind, &text[f.start..f.end])).collect()
    }

    #[test]
    fn luhn_of_known_number() {
        // 811218-9876 is the Tax Agency's classic example.
        assert_eq!(luhn_check_digit(&[8, 1, 1, 2, 1, 8, 9, 8, 7]), 6);
        assert!(luhn_valid(&[8, 1, 1, 2, 1, 8, 9, 8, 7, 6]));
        assert!(!luhn_valid(&[8, 1, 1, 2, 1, 8, 9, 8, 7, 5]));
    }

    #[test]
    fn finds_personnummer_forms() {
        for t in ["811218-9876", "811218+9876", "8112189876", "19811218-9876", "198112189876", "811218 9876", "19811218 9876"] {
            assert_eq!(kinds(t), vec![(FindingKind::PersonalIdentityNumber, t)], "{t}");
        }
    }

    #[test]
    fn coordination_number_is_day_plus_sixty() {
        // 701063-2391: 1970-10-03 + 60 days.
        let nine = [7, 0, 1, 0, 6, 3, 2, 3, 9];
        let c = luhn_check_digit(&nine);
        let t = format!("701063-239{c}");
        assert_eq!(kinds(&t), vec![(FindingKind::CoordinationNumber, t.as_str())]);
    }

    #[test]
    fn rejects_wrong_check_digit_and_dates() {
        assert!(scan("811218-9875").is_empty());
        assert!(scan("811318-9876").is_empty()); // month 13
        // 1999-02-29 does not exist, even with a correct check digit.
        let c = luhn_check_digit(&[9, 9, 0, 2, 2, 9, 1, 2, 3]);
        assert!(scan(&format!("19990229-123{c}")).is_empty());
        assert_eq!(scan(&format!("19960229-123{}", luhn_check_digit(&[9, 6, 0, 2, 2, 9, 1, 2, 3]))).len(), 1);
        assert!(scan("556036-0793").is_empty()); // organisation number
    }

    #[test]
    fn leap_day_depends_on_century() {
        // 2000-02-29 exists, 1900-02-29 does not.
        let c = luhn_check_digit(&[0, 0, 0, 2, 2, 9, 1, 2, 3]);
        let ten = format!("000229-123{c}");
        assert_eq!(scan(&ten).len(), 1);
        assert_eq!(scan(&format!("20{}", ten)).len(), 1);
        assert!(scan(&format!("19{}", ten)).is_empty());
    }

    #[test]
    fn finds_phone_forms() {
        for t in ["070-123 45 67", "0701234567", "+46 70 123 45 67", "(08) 123 45 67", "0411-123 45"] {
            assert_eq!(kinds(t), vec![(FindingKind::PhoneNumber, t)], "{t}");
        }
    }

    #[test]
    fn finds_email_without_trailing_full_stop() {
        let t = "Mejla anna.ek@trelleborg.se.";
        assert_eq!(kinds(t), vec![(FindingKind::Email, "anna.ek@trelleborg.se")]);
    }

    #[test]
    fn overlapping_candidates_merge() {
        let t = "8112189876@exempel.se";
        assert_eq!(kinds(t), vec![(FindingKind::Email, t)]);
    }

    #[test]
    fn redact_replaces_each_finding() {
        assert_eq!(redact("Ring 070-123 45 67 eller mejla a@b.se!"), "Ring [borttaget] eller mejla [borttaget]!");
    }

    #[test]
    fn explanation_counts_and_genders() {
        let f = |kind| Finding { kind, start: 0, end: 1 };
        assert_eq!(
            explain_sv(&[f(FindingKind::PhoneNumber), f(FindingKind::PersonalIdentityNumber)]),
            "Texten innehåller ett personnummer och ett telefonnummer. Sådana uppgifter får inte \
             sparas i delade rapporter — ta bort dem eller låt Brygga ta bort dem."
        );
        let text =
            explain_sv(&[f(FindingKind::Email), f(FindingKind::Email), f(FindingKind::CoordinationNumber), f(FindingKind::PhoneNumber)]);
        assert!(text.starts_with("Texten innehåller ett samordningsnummer, ett telefonnummer och två e-postadresser."), "{text}");
        assert!(explain_sv(&[f(FindingKind::Email)]).contains("en e-postadress."));
        assert!(explain_sv(&[]).contains("inga personnummer"));
    }

    #[test]
    fn full_width_and_compatibility_digits_are_found() {
        // "８１１２１８－９８７６" in full-width forms, and a phone number in full-width digits.
        let pnr = "８１１２１８-９８７６";
        assert_eq!(kinds(pnr), vec![(FindingKind::PersonalIdentityNumber, pnr)]);
        let pnr_fw_dash = "８１１２１８\u{FF0D}９８７６";
        assert_eq!(kinds(pnr_fw_dash), vec![(FindingKind::PersonalIdentityNumber, pnr_fw_dash)]);
        assert_eq!(kinds("Ring 𝟎𝟕𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕").len(), 1);
        // A footnote mark does not hide the number.
        assert_eq!(kinds("811218-9876²").len(), 1);
        let t = "Ring ０７０１２３４５６７ i kväll";
        assert_eq!(kinds(t), vec![(FindingKind::PhoneNumber, "０７０１２３４５６７")]);
        // Minus sign and non-breaking hyphen as separators.
        assert_eq!(kinds("811218\u{2212}9876").len(), 1);
        assert_eq!(kinds("070\u{2011}123 45 67").len(), 1);
        // Redaction replaces the original characters.
        assert_eq!(redact("pnr ８１１２１８９８７６."), "pnr [borttaget].");
    }

    #[test]
    fn nfkc_at_signs_are_found() {
        for t in ["anna＠example.se", "anna﹫example.se", "ａｎｎａ＠ｅｘａｍｐｌｅ．ｓｅ"] {
            assert_eq!(kinds(t), vec![(FindingKind::Email, t)], "{t}");
        }
    }

    #[test]
    fn obfuscated_email_addresses_are_found() {
        for t in [
            "anna (at) example.se",
            "anna(at)example.se",
            "anna [at] example.se",
            "anna [ AT ] example.se",
            "anna {at} example.se",
            "anna <at> example.se",
            "anna at example.se",
            "anna AT example.se",
            "anna snabel-a example.se",
            "anna (snabel-a) example.se",
            "anna snabela example.se",
            "anna (a) example.se",
            "anna @ example.se",
            "anna (at) example (dot) se",
            "anna [at] example [punkt] se",
            "anna at example dot se",
        ] {
            let text = format!("Kontakt: {t}, tack");
            assert_eq!(kinds(&text), vec![(FindingKind::Email, t)], "{text}");
        }
        assert_eq!(redact("Mejla anna (at) example.se!"), "Mejla [borttaget]!");
    }

    #[test]
    fn obfuscated_phone_numbers_are_found() {
        for t in ["070 - 123 45 67", "070.123.45.67", "070/123 45 67", "0 7 0 1 2 3 4 5 6 7", "0-7-0-1-2-3-4-5-6-7", "8 1 1 2 1 8 9 8 7 6"]
        {
            let text = format!("Ring {t} i kväll");
            assert_eq!(scan(&text).len(), 1, "{text}");
            assert_eq!(redact(&text), "Ring [borttaget] i kväll", "{text}");
        }
    }

    #[test]
    fn everyday_words_are_not_obfuscation() {
        for t in [
            "Vi ses at 18.00 vid skolan",
            "Möte kl. 08.30, punkt 3 på dagordningen",
            "Bilaga (a) och (b)",
            "1 2 3 4 5 6 personer",
            "Sätt in 12 st. – 14 st. räcker",
            "v. 47 - 48",
        ] {
            assert!(scan(t).is_empty(), "{t}: {:?}", kinds(t));
        }
    }

    #[test]
    fn field_explanation_names_the_field() {
        let found = scan("Grannsamverkan 811218-9876");
        assert_eq!(
            explain_field_sv("Namnet", &found),
            "Namnet innehåller ett personnummer. Personuppgifter får inte stå här, eftersom andra \
             organisationer läser texten — ta bort dem och försök igen."
        );
    }

    #[test]
    fn label_and_serde_names() {
        assert_eq!(FindingKind::Email.label_sv(), "e-postadress");
        assert_eq!(FindingKind::CoordinationNumber.label_sv(), "samordningsnummer");
    }
}
