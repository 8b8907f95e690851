//! Overlap detection between interventions: when one is registered or changed, it is compared
//! with the others and every pair whose score reaches [`THRESHOLD`] is stored as a hint
//! (`intervention_overlaps`, refreshed on every change).
//!
//! **Prefilter (SQL).** Only interventions that share a municipality, whose periods overlap
//! (an open end runs for ever) and whose ages overlap (no age: any age) are compared, and never
//! an ended one (an ended intervention duplicates no ongoing work).
//!
//! **Score (Rust, 0–100, deterministic)** — the sum of, each rounded half up to an integer:
//! - *place* (30): 30 when they share an area, or both have a point and they lie within 1 km
//!   of each other; otherwise 10 (they share a municipality, by the prefilter);
//! - *ages* (20): 20 × the overlapping years / the years of the narrower range (ranges are
//!   inclusive; no age counts as 0–120);
//! - *period* (10): 10 × the overlapping days / the days of the shorter period (an open end
//!   counts as 9999-12-31);
//! - *target groups* (10): 10 × Jaccard of the target-group codes;
//! - *themes* (15): 15 × Jaccard of the theme codes;
//! - *content* (15): 15 × min(1, 2 × Jaccard of the Swedish stems of title + description,
//!   `domain::words::term_set`, stored per intervention in `interventions.terms`).
//!
//! Each part that counts gives a Swedish reason ("samma område: Centrum", "åldrar 13–16 och
//! 14–18 överlappar", "samma period", "liknande innehåll (ord: fotboll, kväll)").
//!
//! **Who sees a hint.** The users of the owners of both interventions. Where the other
//! intervention is readable to the viewer ([`sharing::can_read_intervention`]) the hint shows
//! it, the score and the reasons. Where it is not, the hint shows **only that an overlap
//! exists** with the viewer's own intervention — no title, place, score or reasons (they would
//! leak its content) — and, if its owner allowed discovery, the owner organisation's name and
//! the intervention's contact details.

use std::collections::{BTreeMap, BTreeSet};

use brygga_domain::words;
use serde::Serialize;

use super::interventions::{self, MAX_AGE};
use crate::kernel::db::{Conn, ConnExt, DbError, Row, Value};
use crate::kernel::error::StoreResult;
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms, sort_key};

/// The lowest score stored as a hint.
pub const THRESHOLD: i64 = 50;

/// What the comparison needs of one intervention.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub id: i64,
    pub municipalities: Vec<String>,
    pub areas: Vec<i64>,
    pub position: Option<(f64, f64)>,
    pub period_from: String,
    pub period_to: Option<String>,
    pub age_from: Option<i64>,
    pub age_to: Option<i64>,
    pub themes: Vec<String>,
    pub target_groups: Vec<String>,
    pub terms: Vec<String>,
}

/// A scored pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub score: i64,
    pub reasons: Vec<String>,
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (the civil calendar; `None` when malformed).
fn days(s: &str) -> Option<i64> {
    let mut it = s.splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Ages for a reason: "13–16", "från 13", "upp till 16", "alla åldrar".
fn ages_short(from: Option<i64>, to: Option<i64>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{f}–{t}"),
        (Some(f), None) => format!("från {f}"),
        (None, Some(t)) => format!("upp till {t}"),
        (None, None) => "alla åldrar".into(),
    }
}

fn round(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

fn split(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn sorted_set(v: &[String]) -> BTreeSet<&str> {
    v.iter().map(String::as_str).collect()
}

/// Metres between two WGS 84 points (equirectangular; exact enough for "within 1 km").
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat = ((a.0 + b.0) / 2.0).to_radians();
    let dx = (b.1 - a.1).to_radians() * lat.cos();
    let dy = (b.0 - a.0).to_radians();
    6_371_000.0 * (dx * dx + dy * dy).sqrt()
}

/// Scores `b` against `a` (see the module documentation). `area_name` and
/// `municipality_name` name `a`'s areas and municipalities for the reasons.
pub fn score(a: &Profile, b: &Profile, area_name: &dyn Fn(i64) -> String, municipality_name: &dyn Fn(&str) -> String) -> Scored {
    assess(a, b, area_name, municipality_name, true)
}

/// The reasons of a score, written only when wanted: the check scores every candidate without
/// them and writes them only for those that reach the threshold (the points are the same).
struct Reasons {
    wanted: bool,
    list: Vec<String>,
}

impl Reasons {
    fn add(&mut self, reason: impl FnOnce() -> String) {
        if self.wanted {
            self.list.push(reason());
        }
    }
}

fn assess(
    a: &Profile,
    b: &Profile,
    area_name: &dyn Fn(i64) -> String,
    municipality_name: &dyn Fn(&str) -> String,
    explain: bool,
) -> Scored {
    let mut reasons = Reasons { wanted: explain, list: Vec::new() };
    let mut total = 0;

    // Place.
    let shared_areas: Vec<i64> = a.areas.iter().copied().filter(|x| b.areas.contains(x)).collect();
    let near = matches!((a.position, b.position), (Some(p), Some(q)) if metres(p, q) <= 1000.0);
    if !shared_areas.is_empty() {
        total += 30;
        reasons.add(|| {
            let mut names: Vec<String> = shared_areas.iter().map(|x| area_name(*x)).collect();
            names.sort_by_cached_key(|n| sort_key(n));
            format!("samma område: {}", names.join(", "))
        });
    } else if near {
        total += 30;
        reasons.add(|| "nära varandra (inom 1 km)".to_owned());
    } else {
        let shared: Vec<&String> = a.municipalities.iter().filter(|m| b.municipalities.contains(m)).collect();
        if !shared.is_empty() {
            total += 10;
            reasons.add(|| {
                let mut names: Vec<String> = shared.iter().map(|m| municipality_name(m)).collect();
                names.sort_by_cached_key(|n| sort_key(n));
                format!("samma kommun: {}", names.join(", "))
            });
        }
    }

    // Ages.
    let (af, at) = (a.age_from.unwrap_or(0), a.age_to.unwrap_or(MAX_AGE));
    let (bf, bt) = (b.age_from.unwrap_or(0), b.age_to.unwrap_or(MAX_AGE));
    let overlap = at.min(bt) - af.max(bf) + 1;
    if overlap > 0 {
        let narrower = (at - af + 1).min(bt - bf + 1).max(1);
        let points = round(20.0 * overlap as f64 / narrower as f64);
        if points > 0 {
            total += points;
            reasons.add(|| {
                let (la, lb) = (ages_short(a.age_from, a.age_to), ages_short(b.age_from, b.age_to));
                if la == lb { format!("samma åldrar: {la}") } else { format!("åldrar {la} och {lb} överlappar") }
            });
        }
    }

    // Period.
    let open = days("9999-12-31").unwrap_or(i64::MAX / 4);
    if let (Some(fa), Some(fb)) = (days(&a.period_from), days(&b.period_from)) {
        let ta = a.period_to.as_deref().and_then(days).unwrap_or(open);
        let tb = b.period_to.as_deref().and_then(days).unwrap_or(open);
        let overlap = ta.min(tb) - fa.max(fb) + 1;
        if overlap > 0 {
            let shorter = (ta - fa + 1).min(tb - fb + 1).max(1);
            let points = round(10.0 * overlap as f64 / shorter as f64);
            total += points;
            reasons.add(|| {
                if a.period_from == b.period_from && a.period_to == b.period_to {
                    return "samma period".to_owned();
                }
                let start = if fa >= fb { &a.period_from } else { &b.period_from };
                let end = match (&a.period_to, &b.period_to) {
                    (Some(x), Some(y)) => Some(if x <= y { x } else { y }),
                    (Some(x), None) | (None, Some(x)) => Some(x),
                    (None, None) => None,
                };
                match end {
                    Some(e) => format!("perioderna överlappar {start} – {e}"),
                    None => format!("perioderna överlappar från {start}"),
                }
            });
        }
    }

    // Target groups and themes.
    let jaccard_codes = |x: &[String], y: &[String]| -> (f64, Vec<String>) {
        let (sx, sy) = (sorted_set(x), sorted_set(y));
        let shared: Vec<String> = sx.intersection(&sy).map(|s| s.to_string()).collect();
        let union = sx.union(&sy).count();
        (if union == 0 { 0.0 } else { shared.len() as f64 / union as f64 }, shared)
    };
    let (j, shared) = jaccard_codes(&a.target_groups, &b.target_groups);
    let points = round(10.0 * j);
    if points > 0 {
        total += points;
        reasons.add(|| {
            let labels: Vec<&str> = shared.iter().map(|c| brygga_domain::actors::target_group_label(c).unwrap_or(c)).collect();
            format!("samma målgrupp: {}", labels.join(", "))
        });
    }
    let (j, shared) = jaccard_codes(&a.themes, &b.themes);
    let points = round(15.0 * j);
    if points > 0 {
        total += points;
        reasons.add(|| {
            let labels: Vec<&str> = shared.iter().map(|c| brygga_domain::actors::theme_label(c).unwrap_or(c)).collect();
            format!("samma tema: {}", labels.join(", "))
        });
    }

    // Content.
    let j = words::jaccard(&a.terms, &b.terms);
    let points = round(15.0 * (2.0 * j).min(1.0));
    if points > 0 {
        total += points;
        reasons.add(|| {
            let shared: Vec<&str> = sorted_set(&a.terms).intersection(&sorted_set(&b.terms)).copied().take(6).collect();
            format!("liknande innehåll (ord: {})", shared.join(", "))
        });
    }
    Scored { score: total, reasons: reasons.list }
}

const PROFILE_COLUMNS: &str = "i.id, i.period_from, i.period_to, i.age_from, i.age_to, i.themes, i.target_groups, i.terms, i.lat, i.lon";

fn profile_of(r: &Row) -> Result<Profile, DbError> {
    let lat: Option<f64> = r.get("lat")?;
    let lon: Option<f64> = r.get("lon")?;
    Ok(Profile {
        id: r.get("id")?,
        municipalities: Vec::new(),
        areas: Vec::new(),
        position: lat.zip(lon),
        period_from: r.get("period_from")?,
        period_to: r.get("period_to")?,
        age_from: r.get("age_from")?,
        age_to: r.get("age_to")?,
        themes: split(&r.get::<String>("themes")?),
        target_groups: split(&r.get::<String>("target_groups")?),
        terms: split(&r.get::<String>("terms")?),
    })
}

/// Fills municipalities and areas of `list` (two queries).
fn places(db: &mut dyn Conn, list: &mut [Profile]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
    let pos: BTreeMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let d = db.dialect();
    for (iid, code) in db.map_all(
        &format!("SELECT intervention_id, municipality_code FROM intervention_municipalities WHERE {}", d.in_list("intervention_id", 1)),
        &[Value::IntList(ids.clone())],
        |r| Ok((r.get::<i64>("intervention_id")?, r.get::<String>("municipality_code")?)),
    )? {
        list[pos[&iid]].municipalities.push(code);
    }
    for (iid, area) in db.map_all(
        &format!("SELECT intervention_id, area_id FROM intervention_areas WHERE {}", d.in_list("intervention_id", 1)),
        &[Value::IntList(ids)],
        |r| Ok((r.get::<i64>("intervention_id")?, r.get::<i64>("area_id")?)),
    )? {
        list[pos[&iid]].areas.push(area);
    }
    Ok(())
}

/// The SQL prefilter (see the module documentation) for the intervention bound at `$1`.
const PREFILTER: &str = "FROM interventions i
     WHERE i.id IN (SELECT im.intervention_id FROM intervention_municipalities im JOIN intervention_municipalities mine
            ON mine.municipality_code = im.municipality_code WHERE mine.intervention_id = $1)
       AND i.id <> $1 AND i.status <> 'ended'
       AND i.period_from <= $2 AND COALESCE(i.period_to, '9999-12-31') >= $3
       AND COALESCE(i.age_from, 0) <= $4 AND COALESCE(i.age_to, 120) >= $5";

fn prefilter_args(me: &Profile) -> Vec<Value> {
    vec![
        me.id.into(),
        me.period_to.clone().unwrap_or_else(|| "9999-12-31".into()).into(),
        me.period_from.as_str().into(),
        me.age_to.unwrap_or(MAX_AGE).into(),
        me.age_from.unwrap_or(0).into(),
    ]
}

fn load_profile(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Profile>> {
    let mut me: Vec<Profile> = db.map_all(
        &format!("SELECT {PROFILE_COLUMNS} FROM interventions i WHERE i.id = $1 AND i.status <> 'ended'"),
        args![id],
        profile_of,
    )?;
    places(db, &mut me)?;
    Ok(me.pop())
}

/// How many interventions pass the prefilter for `id` (for the benchmark's report).
pub fn candidates(db: &mut dyn Conn, id: i64) -> StoreResult<usize> {
    let Some(me) = load_profile(db, id)? else { return Ok(0) };
    let n: i64 = db.scalar(&format!("SELECT COUNT(*) {PREFILTER}"), &prefilter_args(&me))?;
    Ok(n as usize)
}

/// Compares intervention `id` with every other that passes the prefilter and returns those
/// scoring at least [`THRESHOLD`], best first (ties by id). Writes nothing. Empty for an ended
/// or missing intervention.
pub fn check(db: &mut dyn Conn, id: i64) -> StoreResult<Vec<(i64, Scored)>> {
    let Some(me) = load_profile(db, id)? else { return Ok(Vec::new()) };
    let mut candidates: Vec<Profile> = db.map_all(&format!("SELECT {PROFILE_COLUMNS} {PREFILTER}"), &prefilter_args(&me), profile_of)?;
    places(db, &mut candidates)?;
    let area_names: BTreeMap<i64, String> = if me.areas.is_empty() {
        BTreeMap::new()
    } else {
        db.map_all(
            &format!("SELECT id, name FROM areas WHERE {}", db.dialect().in_list("id", 1)),
            &[Value::IntList(me.areas.clone())],
            |r| Ok((r.get::<i64>("id")?, r.get::<String>("name")?)),
        )?
        .into_iter()
        .collect()
    };
    let mut muni_names: BTreeMap<String, String> = BTreeMap::new();
    for m in &me.municipalities {
        let name: String = db.scalar("SELECT name FROM municipalities WHERE code = $1", args![m.as_str()])?;
        muni_names.insert(m.clone(), name);
    }
    let area_name = |x: i64| area_names.get(&x).cloned().unwrap_or_default();
    let muni_name = |m: &str| muni_names.get(m).cloned().unwrap_or_else(|| m.to_owned());
    let mut out: Vec<(i64, Scored)> = candidates
        .iter()
        .filter(|c| assess(&me, c, &area_name, &muni_name, false).score >= THRESHOLD)
        .map(|c| (c.id, score(&me, c, &area_name, &muni_name)))
        .collect();
    out.sort_by(|x, y| y.1.score.cmp(&x.1.score).then(x.0.cmp(&y.0)));
    Ok(out)
}

/// Recomputes the hints of intervention `id`: drops its old pairs and stores the new ones.
/// Called in the transaction of every command that changes an intervention.
pub fn refresh(db: &mut dyn Conn, id: i64) -> StoreResult<usize> {
    db.execute("DELETE FROM intervention_overlaps WHERE low_id = $1 OR high_id = $1", args![id])?;
    let found = check(db, id)?;
    let now = now_ms();
    for (other, s) in &found {
        let (low, high) = if id < *other { (id, *other) } else { (*other, id) };
        let reasons = serde_json::to_string(&s.reasons).map_err(|e| crate::StoreError::Internal(e.to_string()))?;
        db.execute(
            "INSERT INTO intervention_overlaps (low_id, high_id, score, reasons, computed_at) VALUES ($1, $2, $3, $4, $5)",
            args![low, high, s.score, reasons, now],
        )?;
    }
    Ok(found.len())
}

/// The viewer's side of a hint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnSide {
    pub id: i64,
    pub title: String,
}

/// The other intervention, when the viewer may read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OtherSide {
    pub id: i64,
    pub title: String,
    pub owner_name: String,
    pub period: String,
    pub ages: String,
    /// 0–100 (see the overlap formula).
    pub score: i64,
    /// Swedish reasons.
    pub reasons: Vec<String>,
}

/// Whom to contact about an intervention the viewer may not read, when its owner allowed
/// discovery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discovered {
    pub owner_name: String,
    pub contact: Option<String>,
}

/// One overlap hint as the viewer may see it: `other` when the other intervention is readable;
/// otherwise only that it exists, with `discovered` when its owner allowed discovery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hint {
    pub own: OwnSide,
    pub other: Option<OtherSide>,
    pub discovered: Option<Discovered>,
}

impl Hint {
    /// The Swedish sentence for a hint about an intervention the viewer may not read.
    pub fn hidden_sentence(&self) -> &'static str {
        "Det finns en annan insats som överlappar med er. Ni har inte tillgång till den."
    }
}

/// The overlap hints of the interventions owned by the viewer's organisations (with `only`,
/// those of that intervention), best first. Hints about an intervention the viewer may not
/// read show only what the module documentation allows.
pub fn hints(db: &mut dyn Conn, v: &Viewer, only: Option<i64>) -> StoreResult<Vec<Hint>> {
    let mine = v.org_ids();
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let d = db.dialect();
    let pairs: Vec<(i64, i64, i64, String, i64, i64)> = db.map_all(
        &format!(
            "SELECT o.low_id, o.high_id, o.score, o.reasons, a.owner_org_id AS low_owner, b.owner_org_id AS high_owner
             FROM intervention_overlaps o JOIN interventions a ON a.id = o.low_id JOIN interventions b ON b.id = o.high_id
             WHERE {} OR {} ORDER BY o.score DESC, o.low_id, o.high_id",
            d.in_list("a.owner_org_id", 1),
            d.in_list("b.owner_org_id", 1)
        ),
        &[Value::IntList(mine.clone())],
        |r| Ok((r.get("low_id")?, r.get("high_id")?, r.get("score")?, r.get("reasons")?, r.get("low_owner")?, r.get("high_owner")?)),
    )?;
    let mut out = Vec::new();
    for (low, high, score, reasons, low_owner, high_owner) in pairs {
        // The viewer's side: the low one when it owns it, otherwise the high one (a pair of two
        // of its own interventions is shown once).
        let (own_id, other_id) = if mine.contains(&low_owner) { (low, high) } else { (high, low) };
        let _ = high_owner;
        if only.is_some_and(|o| o != own_id) {
            continue;
        }
        let own = interventions::fetch(db, own_id)?;
        let other = interventions::fetch(db, other_id)?;
        let readable = sharing::can_read_intervention(v, other.owner.id, &other.partner_ids(), other.visibility());
        let reasons: Vec<String> = serde_json::from_str(&reasons).map_err(|e| crate::StoreError::Internal(e.to_string()))?;
        out.push(Hint {
            own: OwnSide { id: own.id, title: own.title.clone() },
            other: readable.then(|| OtherSide {
                id: other.id,
                title: other.title.clone(),
                owner_name: other.owner.name.clone(),
                period: other.period_label(),
                ages: other.ages_label(),
                score,
                reasons,
            }),
            discovered: (!readable && other.discoverable)
                .then(|| Discovered { owner_name: other.owner.name.clone(), contact: other.contact.clone() }),
        });
    }
    Ok(out)
}

/// The overlapping pairs among `ids` (interventions the viewer reads, say a helhetsbild's
/// list): nothing about any other intervention.
pub fn pairs_among(db: &mut dyn Conn, ids: &[i64]) -> StoreResult<Vec<(i64, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let d = db.dialect();
    Ok(db.map_all(
        &format!(
            "SELECT low_id, high_id, score FROM intervention_overlaps WHERE {} AND {} ORDER BY low_id, high_id",
            d.in_list("low_id", 1),
            d.in_list("high_id", 1)
        ),
        &[Value::IntList(ids.to_vec())],
        |r| Ok((r.get("low_id")?, r.get("high_id")?, r.get("score")?)),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i64, areas: &[i64], ages: (Option<i64>, Option<i64>), from: &str, to: Option<&str>, text: &str) -> Profile {
        Profile {
            id,
            municipalities: vec!["1287".into()],
            areas: areas.to_vec(),
            position: None,
            period_from: from.into(),
            period_to: to.map(str::to_owned),
            age_from: ages.0,
            age_to: ages.1,
            themes: vec!["idrott".into()],
            target_groups: vec!["unga".into()],
            terms: words::term_set(text),
        }
    }

    #[test]
    fn days_count_the_civil_calendar() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2024-03-01").unwrap() - days("2024-02-28").unwrap(), 2);
        assert_eq!(days("2026-12-31").unwrap() - days("2026-01-01").unwrap(), 364);
        assert_eq!(days("nej"), None);
    }

    #[test]
    fn the_score_adds_the_parts_and_names_the_reasons() {
        let a = p(1, &[7], (Some(13), Some(16)), "2026-09-01", Some("2026-12-18"), "Fotboll fredag kväll för unga i Centrum");
        let b =
            p(2, &[7], (Some(14), Some(18)), "2026-09-01", Some("2026-12-18"), "Kvällsfotboll för tonåringar, fotboll varje fredag kväll");
        let s = score(&a, &b, &|_| "Centrum".into(), &|_| "Trelleborg".into());
        // place 30 + ages 20×3/4=15 + period 10 + groups 10 + themes 15 + content.
        let j = words::jaccard(&a.terms, &b.terms);
        assert_eq!(s.score, 30 + 15 + 10 + 10 + 15 + round(15.0 * (2.0 * j).min(1.0)));
        assert_eq!(s.reasons[0], "samma område: Centrum");
        assert_eq!(s.reasons[1], "åldrar 13–16 och 14–18 överlappar");
        assert_eq!(s.reasons[2], "samma period");
        assert!(
            s.reasons.iter().any(|r| r.starts_with("liknande innehåll (ord: ") && r.contains("fotboll") && r.contains("fredag")),
            "{s:?}"
        );
        // Without reasons, the same points.
        assert_eq!(assess(&a, &b, &|_| String::new(), &|_| String::new(), false), Scored { score: s.score, reasons: Vec::new() });
        // Symmetric in score.
        assert_eq!(score(&b, &a, &|_| "Centrum".into(), &|_| "Trelleborg".into()).score, s.score);
    }

    #[test]
    fn without_a_shared_area_the_municipality_counts_less() {
        let a = p(1, &[7], (None, None), "2026-01-01", None, "Läxhjälp");
        let b = p(2, &[8], (Some(10), Some(12)), "2026-06-01", Some("2026-06-30"), "Sommarlov");
        let s = score(&a, &b, &|_| String::new(), &|_| "Trelleborg".into());
        // municipality 10 + ages 20 (the narrower range lies inside) + period 10 + groups 10 + themes 15.
        assert_eq!(s.score, 10 + 20 + 10 + 10 + 15);
        assert_eq!(s.reasons[0], "samma kommun: Trelleborg");
        assert_eq!(s.reasons[1], "åldrar alla åldrar och 10–12 överlappar");
        assert_eq!(s.reasons[2], "perioderna överlappar 2026-06-01 – 2026-06-30");
    }
}
