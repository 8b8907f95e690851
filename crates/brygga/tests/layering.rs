//! The layering rule of docs/ARCHITECTURE.md ("Where things go"), checked on the source.
//!
//! - Crates depend one way: `web` → `store` → `domain`, `analys`; `domain` and `analys` know
//!   nothing of each other or of the layers above.
//! - In the store, capability folders are ranked, lowest first: `kernel`, `accounts`, `places`,
//!   `forums`, `picture`, `forum_work`. A folder uses the kernel and the folders below it, never
//!   one above it (the kernel uses no capability at all).
//! - In the web layer, `kit` uses neither pages nor API; a page module and an API module use only
//!   the kit and the store: the API never imports a page, and no page or API module imports a
//!   sibling module (what two of them share belongs in the kit or in the store).
//! - No SQL in the web layer: handlers call store functions.
//!
//! The checker reads `use` trees and qualified paths (`crate::…`, `super::…`, `brygga_store::…`),
//! with comments and string literals removed. Its own unit tests below prove that each rule
//! fails on a forbidden line.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The store's capability folders, lowest first.
const STORE_RANKS: &[&str] = &[
    "kernel",
    "accounts",
    "places",
    "forums",
    "picture",
    "forum_work",
    "knowledge",
    "plans",
    "programmes",
    "agreements",
    "actors",
    "dialogue",
    "search",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().and_then(Path::parent).expect("workspace root").to_path_buf()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = entry.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The source without comments, string and char literals (so a doc comment or a message that
/// mentions a path is not mistaken for a use of it).
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = src[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            i = end;
        } else if b[i] == b'r' && (b[i..].starts_with(b"r\"") || b[i..].starts_with(b"r#")) && (i == 0 || !is_ident(b[i - 1])) {
            // Raw string: r"…" or r#"…"#.
            let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let start = i + 2 + hashes;
            i = src[start..].find(&close).map_or(b.len(), |e| start + e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('a', '\n', '\''); lifetimes ('a without a closing quote) stay.
            let mut j = i + 1;
            if b[j] == b'\\' {
                j += 2;
            } else {
                j += 1;
            }
            while j < b.len() && b[j] != b'\'' {
                j += 1;
            }
            i = j + 1;
            out.push_str("' '");
        } else {
            let ch = src[i..].chars().next().expect("char");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every path the code names from `root` (`crate`, `super`, `brygga_store`), with `use` groups
/// expanded: `use crate::{a::b, c}` gives `a::b` and `c`.
fn paths_from(code: &str, root: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let needle = format!("{root}::");
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(at) = code[from..].find(&needle) {
        let start = from + at;
        from = start + needle.len();
        if start > 0 && (is_ident(b[start - 1]) || b[start - 1] == b':') {
            continue;
        }
        expand(&code[from..], String::new(), &mut found);
    }
    found
}

/// Reads one path or `{…}` group at the start of `rest`, prefixed by `prefix`.
fn expand(rest: &str, prefix: String, found: &mut BTreeSet<String>) {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut depth = 1;
        let mut end = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = i;
                break;
            }
        }
        let body = &inner[..end];
        let mut depth = 0;
        let mut item_start = 0;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&body[item_start..i], prefix.clone(), found);
                    item_start = i + 1;
                }
                _ => {}
            }
        }
        expand(&body[item_start..], prefix, found);
        return;
    }
    let seg: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    if seg.is_empty() {
        if !prefix.is_empty() {
            found.insert(prefix);
        }
        return;
    }
    let path = if prefix.is_empty() { seg.clone() } else { format!("{prefix}::{seg}") };
    let after = &rest[seg.len()..];
    if let Some(more) = after.trim_start().strip_prefix("::") {
        expand(more, path, found);
    } else {
        found.insert(path);
    }
}

/// A broken rule: the file, and what it named.
#[derive(Debug, PartialEq)]
struct Breach {
    file: String,
    names: String,
    rule: &'static str,
}

/// The store rule for one file at `rel` (relative to `crates/store/src`).
fn store_breaches(rel: &str, code: &str, _src: &str) -> Vec<Breach> {
    let Some(folder) = rel.split('/').next().filter(|f| STORE_RANKS.contains(f) && rel.contains('/')) else {
        return vec![];
    };
    let rank = |f: &str| STORE_RANKS.iter().position(|r| *r == f);
    let own = rank(folder).expect("ranked");
    let mut out = vec![];
    for p in paths_from(code, "crate") {
        let first = p.split("::").next().unwrap_or_default();
        if rank(first).is_some_and(|r| r > own) {
            let rule =
                if own == 0 { "the kernel uses no capability folder" } else { "a folder uses only the kernel and the folders below it" };
            out.push(Breach { file: format!("crates/store/src/{rel}"), names: format!("crate::{p}"), rule });
        }
    }
    out
}

/// The web rule for one file at `rel` (relative to `crates/web/src`); `src` is the file with
/// comments removed but string literals kept (for the SQL check).
fn web_breaches(rel: &str, code: &str, src: &str) -> Vec<Breach> {
    let file = format!("crates/web/src/{rel}");
    let parts: Vec<&str> = rel.split('/').collect();
    let layer = parts[0];
    // A page or API family: `pages/<capability>/<family>`; its own submodules may use it.
    let family = (parts.len() >= 3).then(|| parts[1..3].join("::").trim_end_matches(".rs").to_owned());
    let index = rel.ends_with("mod.rs") || parts.len() == 1;
    let mut out = vec![];
    for p in paths_from(code, "crate") {
        let first = p.split("::").next().unwrap_or_default();
        let inside_family = family
            .as_ref()
            .is_some_and(|f| p.strip_prefix(first).is_some_and(|rest| rest.trim_start_matches("::").starts_with(f.as_str())));
        let rule = match (layer, first) {
            ("kit", "pages" | "api") => Some("the kit uses neither pages nor the API"),
            ("api", "pages") => Some("the API never imports a page module"),
            ("pages", "api") => Some("a page never imports the API"),
            ("pages", "pages") | ("api", "api") if !index && !inside_family => {
                Some("no page or API module imports a sibling: shared code goes to the kit or the store")
            }
            _ => None,
        };
        if let Some(rule) = rule {
            out.push(Breach { file: file.clone(), names: format!("crate::{p}"), rule });
        }
    }
    // In `pages/<capability>/<family>.rs`, `super::` is the capability folder: a sibling.
    if matches!(layer, "pages" | "api") && parts.len() == 3 && !index {
        for p in paths_from(code, "super") {
            out.push(Breach { file: file.clone(), names: format!("super::{p}"), rule: "no page or API module imports a sibling" });
        }
    }
    if matches!(layer, "pages" | "api" | "kit") {
        for sql in sql_literals(src) {
            out.push(Breach { file: file.clone(), names: sql, rule: "no SQL in the web layer: call a store function" });
        }
    }
    out
}

/// String literals that start like SQL.
fn sql_literals(src: &str) -> Vec<String> {
    const STARTS: &[&str] = &["SELECT ", "INSERT INTO ", "UPDATE ", "DELETE FROM ", "WITH ", "CREATE ", "ALTER "];
    src.split('"')
        .skip(1)
        .step_by(2)
        .map(str::trim_start)
        .filter(|s| {
            STARTS.iter().any(|k| s.to_ascii_uppercase().starts_with(k) && s.starts_with(&k[..1])) && s.split_whitespace().count() > 2
        })
        .map(|s| s.chars().take(40).collect())
        .collect()
}

/// The source without comments, string literals kept.
fn without_comments(src: &str) -> String {
    src.lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| if code.matches('"').count() % 2 == 0 { code } else { l }))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_tree(sub: &str, f: fn(&str, &str, &str) -> Vec<Breach>) -> Vec<Breach> {
    let root = workspace().join(sub);
    let mut out = vec![];
    for path in rust_files(&root) {
        let rel = path.strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/");
        let src = fs::read_to_string(&path).expect("read source");
        // Unit tests inside a file may reach across (they are not part of the layering).
        let code = code_only(&src);
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        let plain = without_comments(&src);
        let plain = plain.split("#[cfg(test)]").next().unwrap_or_default();
        out.extend(f(&rel, code, plain));
    }
    out
}

fn report(breaches: &[Breach]) -> String {
    breaches.iter().map(|b| format!("  {} names {} — {}", b.file, b.names, b.rule)).collect::<Vec<_>>().join("\n")
}

#[test]
fn store_folders_use_only_the_kernel_and_the_folders_below_them() {
    let breaches = check_tree("crates/store/src", store_breaches);
    assert!(breaches.is_empty(), "the store's layering rule is broken:\n{}", report(&breaches));
}

#[test]
fn pages_and_api_use_only_the_kit_and_the_store() {
    let breaches = check_tree("crates/web/src", web_breaches);
    assert!(breaches.is_empty(), "the web layering rule is broken:\n{}", report(&breaches));
}

#[test]
fn every_store_source_file_lives_in_a_ranked_folder() {
    let root = workspace().join("crates/store/src");
    let loose: Vec<String> = rust_files(&root)
        .iter()
        .map(|p| p.strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/"))
        .filter(|rel| rel != "lib.rs" && !STORE_RANKS.iter().any(|f| rel.starts_with(&format!("{f}/"))))
        .collect();
    assert!(loose.is_empty(), "store files outside the ranked folders (add the folder to STORE_RANKS and docs/ARCHITECTURE.md): {loose:?}");
}

/// Which workspace crates each crate may depend on (by package name).
const CRATE_DEPS: &[(&str, &[&str])] = &[
    ("brygga-analys", &[]),
    ("brygga-domain", &[]),
    ("brygga-import", &["brygga-domain"]),
    ("brygga-mail", &["brygga-domain"]),
    ("brygga-store", &["brygga-domain", "brygga-analys", "brygga-import"]),
    ("brygga-web", &["brygga-store", "brygga-domain", "brygga-analys", "brygga-import"]),
];

#[test]
fn crates_depend_one_way() {
    let mut breaches = vec![];
    for (krate, allowed) in CRATE_DEPS {
        let dir = krate.trim_start_matches("brygga-");
        let manifest = fs::read_to_string(workspace().join("crates").join(dir).join("Cargo.toml")).expect("manifest");
        let deps = manifest.split("[dev-dependencies]").next().unwrap_or_default();
        for line in deps.lines() {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            if name.starts_with("brygga-") && !allowed.contains(&name) {
                breaches.push(format!("{krate} depends on {name}"));
            }
        }
    }
    assert!(breaches.is_empty(), "crates must depend one way (web → store → domain, analys): {breaches:?}");
}

#[test]
fn the_checker_sees_groups_nested_paths_and_ignores_comments_and_strings() {
    let code = code_only(
        "use crate::{kernel::db::Conn, picture::{weekly, observations::Obs}};\n\
         // use crate::forum_work::actions;\n\
         let s = \"crate::forum_work::alerts\";\n\
         let r = r#\"crate::forum_work::x\"#;\n\
         let x = crate::accounts::users::get(db);\n",
    );
    let got = paths_from(&code, "crate");
    let want: BTreeSet<String> = ["kernel::db::Conn", "picture::weekly", "picture::observations::Obs", "accounts::users::get"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_rules_fail_on_forbidden_uses() {
    // Each line below is forbidden where it stands; the checker must name it.
    let kernel = store_breaches("kernel/mail.rs", &code_only("use crate::accounts::auth::random_token;"), "");
    assert_eq!(kernel.len(), 1, "{kernel:?}");
    let upward = store_breaches("places/areas.rs", &code_only("use crate::{kernel::db, forums::forum};"), "");
    assert_eq!(upward.iter().map(|b| b.names.as_str()).collect::<Vec<_>>(), ["crate::forums::forum"]);
    assert!(store_breaches("forum_work/actions.rs", &code_only("use crate::{picture::weekly, accounts::orgs};"), "").is_empty());
    let api = web_breaches(
        "api/picture/weekly.rs",
        &code_only("use crate::pages::picture::weekly::resolve;"),
        "use crate::pages::picture::weekly::resolve;",
    );
    assert!(api.iter().any(|b| b.rule.contains("API never imports a page")), "{api:?}");
    let sibling = web_breaches(
        "pages/forums/forum.rs",
        &code_only("use crate::pages::accounts::orgs::names;"),
        "use crate::pages::accounts::orgs::names;",
    );
    assert!(!sibling.is_empty());
    let sup = web_breaches(
        "pages/picture/questionnaire.rs",
        &code_only("places: super::reporting::area_options(&p),"),
        "places: super::reporting::area_options(&p),",
    );
    assert!(!sup.is_empty());
    let sql =
        web_breaches("pages/home.rs", &code_only("db.query(\"SELECT id FROM forums\", &[])"), "db.query(\"SELECT id FROM forums\", &[])");
    assert!(!sql.is_empty());
    assert!(
        web_breaches(
            "pages/home.rs",
            &code_only("use crate::kit::page::html; use brygga_store::forums::forum;"),
            "use crate::kit::page::html; use brygga_store::forums::forum;"
        )
        .is_empty()
    );
}
