//! The method library (metodbibliotek): methods such as GVI, EST and SSPF with their target
//! groups, level of prevention, an evidence rating on EMMIE's five dimensions
//! (`brygga_domain::knowledge`) and the sources the rating rests on.
//!
//! **Who may read, write and be notified.**
//! - *Read*: everyone, signed in or not ([`sharing::method_readable`]): a method library is
//!   public knowledge, like the Crime Reduction Toolkit it follows. Where a method is in use is
//!   read by the plans and actors folders with their own read rules, never from here.
//! - *Write*: system administrators and the coordinators of county boards (länsstyrelser)
//!   ([`Permission::WriteMethod`]): the county boards are the regional crime-prevention
//!   coordinators that Brå's assignment leans on to spread knowledge-based methods, and a
//!   rating must not be set by whoever wants their own method to look good. Every change is
//!   audited (`method.*`) and touches the search index (kind `method`, readers `public`).
//! - *Notified*: nobody.

use brygga_domain::actors::{TARGET_GROUPS, target_group_label};
use brygga_domain::knowledge::{Dimension, EffectDirection, PreventionLevel, effect_summary};
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, OrgKind};
use serde::{Deserialize, Serialize};

use super::{Coded, code_list, coded};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, require};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Metodens namn", 200);
pub const SHORT_NAME: TextRule = TextRule::line("short_name", "Förkortningen", 20);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).multiline();
pub const SOURCE_TITLE: TextRule = TextRule::line("sources", "Källans titel", 300);
pub const SOURCE_PUBLISHER: TextRule = TextRule::line("sources", "Utgivaren", 200).optional();
/// A web address: not scanned for personal data (digits in a path are no phone number).
pub const SOURCE_URL: TextRule = TextRule::line("sources", "Källans webbadress", 500).contact_detail().optional();

/// The most sources a method lists.
pub const MAX_SOURCES: usize = 20;

/// The text rule of each dimension's short text.
pub fn dimension_text_rule(d: Dimension) -> TextRule {
    match d {
        Dimension::Effect => TextRule::line("effect_text", "Texten om effekt", 2000).multiline().optional(),
        Dimension::Mechanism => TextRule::line("mechanism_text", "Texten om mekanism", 2000).multiline().optional(),
        Dimension::Moderators => TextRule::line("moderators_text", "Texten om moderatorer", 2000).multiline().optional(),
        Dimension::Implementation => TextRule::line("implementation_text", "Texten om genomförande", 2000).multiline().optional(),
        Dimension::Economic => TextRule::line("economic_text", "Texten om ekonomisk kostnad", 2000).multiline().optional(),
    }
}

/// One dimension of a method's rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// `effect`, `mechanism`, `moderators`, `implementation` or `economic`.
    pub dimension: String,
    pub label: String,
    /// `None`: not rated. Effect 0–5 (strength of evidence), the others 0–4 (quality of evidence).
    pub grade: Option<i64>,
    pub max: i64,
    /// The Swedish label of the grade ("Måttlig evidens").
    pub grade_label: Option<String>,
    pub text: Option<String>,
}

/// A source the rating rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Source {
    pub title: String,
    #[serde(default)]
    pub publisher: Option<String>,
    /// Only a verified address.
    #[serde(default)]
    pub url: Option<String>,
    /// A Swedish source (Brå, Socialstyrelsen, Polisen, SKR…).
    #[serde(default)]
    pub swedish: bool,
}

/// One method of the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Method {
    pub id: i64,
    pub name: String,
    /// GVI, EST, SSPF…
    pub short_name: String,
    pub description: String,
    pub target_groups: Vec<Coded>,
    pub prevention_level: Option<Coded>,
    /// What the evidence says of crime: `reduces`, `mixed`, `no_effect`, `increases`.
    pub effect_direction: Option<Coded>,
    /// The five EMMIE dimensions, in order.
    pub ratings: Vec<Rating>,
    pub sources: Vec<Source>,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Method {
    /// Whether the rating is documented: its Effect is rated.
    pub fn rated(&self) -> bool {
        self.ratings.first().is_some_and(|r| r.grade.is_some())
    }
    /// "minskar brottsligheten, evidensstyrka 3 av 5".
    pub fn effect_summary(&self) -> String {
        effect_summary(
            self.effect_direction.as_ref().and_then(|c| EffectDirection::from_code(&c.code)),
            self.ratings.first().and_then(|r| r.grade),
        )
    }
    pub fn badge(&self) -> MethodBadge {
        MethodBadge {
            id: self.id,
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            rated: self.rated(),
            effect_grade: self.ratings.first().and_then(|r| r.grade),
            effect_summary: self.effect_summary(),
            grades: self.ratings.iter().map(|r| r.grade).collect(),
        }
    }
}

/// What a plan measure or an intervention shows of the method it names: a compact EMMIE badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodBadge {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    /// Whether the Effect is rated (a documented rating).
    pub rated: bool,
    pub effect_grade: Option<i64>,
    /// "minskar brottsligheten, evidensstyrka 3 av 5".
    pub effect_summary: String,
    /// The grades of the five dimensions in EMMIE order (`None`: not rated).
    pub grades: Vec<Option<i64>>,
}

impl MethodBadge {
    /// "E 3/5 · M 2/4 · M 1/4 · I 3/4 · E –" for the badge's text.
    pub fn compact(&self) -> String {
        Dimension::ALL
            .iter()
            .zip(&self.grades)
            .map(|(d, g)| match g {
                Some(g) => format!("{} {g}/{}", &d.label()[..1], d.max_grade()),
                None => format!("{} –", &d.label()[..1]),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

const SELECT: &str =
    "SELECT id, name, short_name, description, target_groups, prevention_level, effect_direction, effect_grade, effect_text,
        mechanism_grade, mechanism_text, moderators_grade, moderators_text, implementation_grade, implementation_text, economic_grade,
        economic_text, version, created_at, updated_at FROM methods m";

impl FromRow for Method {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let mut ratings = Vec::new();
        for d in Dimension::ALL {
            let grade: Option<i64> = r.get(&format!("{}_grade", d.code()))?;
            ratings.push(Rating {
                dimension: d.code().to_owned(),
                label: d.label().to_owned(),
                grade,
                max: d.max_grade(),
                grade_label: grade.map(|g| d.grade_label(g).to_owned()),
                text: r.get(&format!("{}_text", d.code()))?,
            });
        }
        let level: Option<String> = r.get("prevention_level")?;
        let direction: Option<String> = r.get("effect_direction")?;
        Ok(Self {
            id: r.get("id")?,
            name: r.get("name")?,
            short_name: r.get("short_name")?,
            description: r.get("description")?,
            target_groups: r
                .get::<String>("target_groups")?
                .split_whitespace()
                .map(|c| Coded { code: c.to_owned(), label: target_group_label(c).unwrap_or(c).to_owned() })
                .collect(),
            prevention_level: level.map(|l| coded(&l, PreventionLevel::from_code(&l).map(|x| x.label()))),
            effect_direction: direction.map(|l| coded(&l, EffectDirection::from_code(&l).map(|x| x.label()))),
            ratings,
            sources: Vec::new(),
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

fn complete(db: &mut dyn Conn, list: &mut [Method]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|m| m.id).collect();
    let rows: Vec<(i64, Source)> = db.map_all(
        &format!(
            "SELECT method_id, title, publisher, url, swedish FROM method_sources WHERE {} ORDER BY position",
            db.dialect().in_list("method_id", 1)
        ),
        &[Value::IntList(ids)],
        |r| {
            Ok((
                r.get("method_id")?,
                Source { title: r.get("title")?, publisher: r.get("publisher")?, url: r.get("url")?, swedish: r.get("swedish")? },
            ))
        },
    )?;
    for m in list.iter_mut() {
        m.sources = rows.iter().filter(|x| x.0 == m.id).map(|x| x.1.clone()).collect();
    }
    Ok(())
}

/// One method (everyone reads the library).
pub fn get(db: &mut dyn Conn, _v: &Viewer, id: i64) -> StoreResult<Method> {
    let mut one: Vec<Method> = db.all(&format!("{SELECT} WHERE m.id = $1 AND {}", sharing::method_readable("m")), args![id])?;
    if one.is_empty() {
        return Err(StoreError::not_found("method"));
    }
    complete(db, &mut one)?;
    Ok(one.remove(0))
}

/// Every method, by Swedish name order.
pub fn list(db: &mut dyn Conn, _v: &Viewer) -> StoreResult<Vec<Method>> {
    let mut list: Vec<Method> = db.all(&format!("{SELECT} WHERE {}", sharing::method_readable("m")), &[])?;
    list.sort_by_cached_key(|m| (sort_key(&m.name), m.id));
    complete(db, &mut list)?;
    Ok(list)
}

/// The badges of `ids` (unknown ids are left out), for plan measures and interventions.
pub fn badges(db: &mut dyn Conn, ids: &[i64]) -> StoreResult<Vec<MethodBadge>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<Method> = db.all(&format!("{SELECT} WHERE {}", db.dialect().in_list("m.id", 1)), &[Value::IntList(ids.to_vec())])?;
    Ok(list.iter().map(Method::badge).collect())
}

/// Whether a method exists (for the forms that link one).
pub fn exists(db: &mut dyn Conn, id: i64) -> StoreResult<bool> {
    Ok(db.scalar::<i64>("SELECT COUNT(*) FROM methods WHERE id = $1", args![id])? > 0)
}

/// The field error for a `method_id` that names no method.
pub fn unknown_method(field: &str) -> FieldError {
    FieldError::new(field, "knowledge.method_unknown", "Metoden finns inte i metodbiblioteket. Välj en metod i listan, eller ingen.")
}

/// (id, "GVI – Group Violence Intervention") of every method, for the forms' selects.
pub fn choices(db: &mut dyn Conn) -> StoreResult<Vec<(i64, String)>> {
    let mut list: Vec<(i64, String)> = db.map_all("SELECT id, name, short_name FROM methods", &[], |r| {
        Ok((r.get("id")?, format!("{} – {}", r.get::<String>("short_name")?, r.get::<String>("name")?)))
    })?;
    list.sort_by_cached_key(|x| sort_key(&x.1));
    Ok(list)
}

/// What a form or API call sends to add or change a method.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MethodInput {
    pub name: String,
    pub short_name: String,
    pub description: String,
    /// Codes of `domain::actors::TARGET_GROUPS`.
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// `universal`, `selective`, `indicated` or `situational`.
    #[serde(default)]
    pub prevention_level: Option<String>,
    /// `reduces`, `mixed`, `no_effect` or `increases`.
    #[serde(default)]
    pub effect_direction: Option<String>,
    /// Strength of evidence 0–5; empty: not rated.
    #[serde(default)]
    pub effect_grade: Option<i64>,
    #[serde(default)]
    pub effect_text: Option<String>,
    /// Quality of evidence 0–4.
    #[serde(default)]
    pub mechanism_grade: Option<i64>,
    #[serde(default)]
    pub mechanism_text: Option<String>,
    #[serde(default)]
    pub moderators_grade: Option<i64>,
    #[serde(default)]
    pub moderators_text: Option<String>,
    #[serde(default)]
    pub implementation_grade: Option<i64>,
    #[serde(default)]
    pub implementation_text: Option<String>,
    #[serde(default)]
    pub economic_grade: Option<i64>,
    #[serde(default)]
    pub economic_text: Option<String>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

impl MethodInput {
    fn grade(&self, d: Dimension) -> Option<i64> {
        match d {
            Dimension::Effect => self.effect_grade,
            Dimension::Mechanism => self.mechanism_grade,
            Dimension::Moderators => self.moderators_grade,
            Dimension::Implementation => self.implementation_grade,
            Dimension::Economic => self.economic_grade,
        }
    }
    fn text(&self, d: Dimension) -> Option<&str> {
        match d {
            Dimension::Effect => self.effect_text.as_deref(),
            Dimension::Mechanism => self.mechanism_text.as_deref(),
            Dimension::Moderators => self.moderators_text.as_deref(),
            Dimension::Implementation => self.implementation_text.as_deref(),
            Dimension::Economic => self.economic_text.as_deref(),
        }
    }
}

/// A checked method.
#[derive(Debug, Clone)]
pub struct ValidMethod {
    pub name: String,
    pub short_name: String,
    pub description: String,
    pub target_groups: Vec<String>,
    pub prevention_level: Option<PreventionLevel>,
    pub effect_direction: Option<EffectDirection>,
    /// (grade, text) per dimension in EMMIE order.
    pub ratings: Vec<(Option<i64>, Option<String>)>,
    pub sources: Vec<Source>,
}

/// Checks an input and reports every problem at once. `editing`: the method's own id (its
/// short name may stay).
pub fn prepare(db: &mut dyn Conn, input: &MethodInput, editing: Option<i64>) -> StoreResult<ValidMethod> {
    let mut errs = FieldErrors::new();
    let name = clean_text(&mut errs, &NAME, Some(&input.name));
    let short_name = clean_text(&mut errs, &SHORT_NAME, Some(&input.short_name));
    let description = clean_text(&mut errs, &DESCRIPTION, Some(&input.description));
    if let Some(Some(s)) = &short_name {
        let taken: i64 = db.scalar(
            "SELECT COUNT(*) FROM methods WHERE LOWER(short_name) = LOWER($1) AND id <> $2",
            args![s.as_str(), editing.unwrap_or(-1)],
        )?;
        if taken > 0 {
            errs.push(FieldError::new(
                "short_name",
                "knowledge.short_name_taken",
                format!(
                    "Förkortningen ”{s}” används redan av en annan metod. Välj en annan förkortning, eller ändra den befintliga metoden."
                ),
            ));
        }
    }
    let target_groups = code_list(&mut errs, "target_groups", &input.target_groups, TARGET_GROUPS, "en känd målgrupp");
    let prevention_level = match input.prevention_level.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(PreventionLevel::parse(s)).map(Some),
    };
    let effect_direction = match input.effect_direction.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(EffectDirection::parse(s)).map(Some),
    };
    let mut ratings = Vec::new();
    for d in Dimension::ALL {
        let grade = errs.take(d.check_grade(&format!("{}_grade", d.code()), input.grade(*d)));
        let text = clean_text(&mut errs, &dimension_text_rule(*d), input.text(*d));
        if let (Some(Some(_)), Some(None)) = (grade, &text) {
            errs.push(FieldError::new(
                format!("{}_text", d.code()),
                "knowledge.rating_text",
                format!(
                    "Betyget för {} behöver en kort text om vad det grundas på. Skriv texten, eller ta bort betyget.",
                    d.label().to_lowercase()
                ),
            ));
        }
        ratings.push((grade.flatten(), text.flatten()));
    }
    if input.sources.len() > MAX_SOURCES {
        errs.push(FieldError::new("sources", "knowledge.too_many_sources", format!("Ange högst {MAX_SOURCES} källor.")));
    }
    let mut sources = Vec::new();
    for s in input.sources.iter().take(MAX_SOURCES) {
        let title = clean_text(&mut errs, &SOURCE_TITLE, Some(&s.title));
        let publisher = clean_text(&mut errs, &SOURCE_PUBLISHER, s.publisher.as_deref());
        let url = clean_text(&mut errs, &SOURCE_URL, s.url.as_deref());
        if let Some(Some(u)) = &url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            errs.push(FieldError::new(
                "sources",
                "knowledge.source_url",
                format!("Webbadressen ”{u}” är ingen webbadress. Skriv hela adressen med https://, eller lämna fältet tomt."),
            ));
        }
        if let (Some(Some(title)), Some(publisher), Some(url)) = (title, publisher, url) {
            sources.push(Source { title, publisher, url, swedish: s.swedish });
        }
    }
    if ratings.first().is_some_and(|r| r.0.is_some()) && input.sources.is_empty() {
        errs.push(FieldError::new(
            "sources",
            "knowledge.sources_required",
            "En bedömd effekt behöver minst en källa. Ange vilken utvärdering eller översikt bedömningen bygger på.",
        ));
    }
    errs.into_result()?;
    Ok(ValidMethod {
        name: name.flatten().expect("checked"),
        short_name: short_name.flatten().expect("checked"),
        description: description.flatten().expect("checked"),
        target_groups,
        prevention_level: prevention_level.expect("checked"),
        effect_direction: effect_direction.expect("checked"),
        ratings,
        sources,
    })
}

fn write_sources(db: &mut dyn Conn, id: i64, p: &ValidMethod) -> StoreResult<()> {
    db.execute("DELETE FROM method_sources WHERE method_id = $1", args![id])?;
    for (i, s) in p.sources.iter().enumerate() {
        db.execute(
            "INSERT INTO method_sources (method_id, position, title, publisher, url, swedish) VALUES ($1, $2, $3, $4, $5, $6)",
            args![id, i as i64 + 1, s.title.as_str(), s.publisher.as_deref(), s.url.as_deref(), s.swedish],
        )?;
    }
    Ok(())
}

fn rating_args(p: &ValidMethod) -> Vec<Value> {
    let mut a: Vec<Value> = Vec::new();
    for (g, t) in &p.ratings {
        a.push((*g).into());
        a.push(t.clone().into());
    }
    a
}

/// The county boards the viewer acts for, for the audit entry.
fn audit_orgs(v: &Viewer) -> Vec<i64> {
    v.memberships().iter().filter(|m| m.org_kind == OrgKind::CountyBoard).map(|m| m.org_id).collect()
}

/// Adds a method (system administrators, county boards' coordinators).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &MethodInput) -> StoreResult<Method> {
    require(v, Permission::WriteMethod)?;
    let p = prepare(db, input, None)?;
    let now = now_ms();
    let mut a: Vec<Value> = vec![
        p.name.as_str().into(),
        p.short_name.as_str().into(),
        p.description.as_str().into(),
        p.target_groups.join(" ").into(),
        p.prevention_level.map(|l| l.code()).into(),
        p.effect_direction.map(|l| l.code()).into(),
    ];
    a.extend(rating_args(&p));
    a.push(v.user_id().into());
    a.push(now.into());
    let id: i64 = db.scalar(
        "INSERT INTO methods (name, short_name, description, target_groups, prevention_level, effect_direction, effect_grade, effect_text,
            mechanism_grade, mechanism_text, moderators_grade, moderators_text, implementation_grade, implementation_text, economic_grade,
            economic_text, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 1, $18, $18) RETURNING id",
        &a,
    )?;
    write_sources(db, id, &p)?;
    index::touch(db, "method", id)?;
    audit::record(db, v, Event::new("method.create").record("method", id).orgs(&audit_orgs(v)))?;
    get(db, v, id)
}

/// Changes a method. A stale `version` is a conflict.
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &MethodInput) -> StoreResult<Method> {
    require(v, Permission::WriteMethod)?;
    let before = get(db, v, id)?;
    let p = prepare(db, input, Some(id))?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    let mut a: Vec<Value> = vec![
        p.name.as_str().into(),
        p.short_name.as_str().into(),
        p.description.as_str().into(),
        p.target_groups.join(" ").into(),
        p.prevention_level.map(|l| l.code()).into(),
        p.effect_direction.map(|l| l.code()).into(),
    ];
    a.extend(rating_args(&p));
    a.push(now_ms().into());
    a.push(id.into());
    db.execute(
        "UPDATE methods SET name = $1, short_name = $2, description = $3, target_groups = $4, prevention_level = $5, effect_direction = $6,
            effect_grade = $7, effect_text = $8, mechanism_grade = $9, mechanism_text = $10, moderators_grade = $11, moderators_text = $12,
            implementation_grade = $13, implementation_text = $14, economic_grade = $15, economic_text = $16, version = version + 1,
            updated_at = $17 WHERE id = $18",
        &a,
    )?;
    write_sources(db, id, &p)?;
    index::touch(db, "method", id)?;
    audit::record(db, v, Event::new("method.update").record("method", id).orgs(&audit_orgs(v)))?;
    get(db, v, id)
}

/// Deletes a method; measures, interventions and examples that named it keep their text and
/// lose the link.
pub fn delete(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    require(v, Permission::WriteMethod)?;
    get(db, v, id)?;
    for t in ["interventions", "plan_measures", "good_examples"] {
        db.execute(&format!("UPDATE {t} SET method_id = NULL WHERE method_id = $1"), args![id])?;
    }
    db.execute("DELETE FROM methods WHERE id = $1", args![id])?;
    index::touch(db, "method", id)?;
    audit::record(db, v, Event::new("method.delete").record("method", id).orgs(&audit_orgs(v)))?;
    Ok(())
}

/// All method ids, for the search index's full rebuild.
pub const SEARCH_IDS: &str = "SELECT id FROM methods";

/// The search document of a method: name and short name; description, target groups and the
/// effect as body; read by everyone.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let mut one: Vec<Method> = db.all(&format!("{SELECT} WHERE m.id = $1"), args![id])?;
    let Some(m) = one.pop() else { return Ok(None) };
    let mut body = vec![m.description.clone(), m.effect_summary()];
    body.extend(m.target_groups.iter().map(|t| t.label.clone()));
    Ok(Some(Document {
        kind: "method",
        id,
        title: format!("{} ({})", m.name, m.short_name),
        body: body.join("\n"),
        municipalities: Vec::new(),
        path: format!("/metoder/{id}"),
        readers: vec![Reader::Public],
        updated_at_ms: m.updated_at_ms,
    }))
}

/// The method with this short name (case-insensitive), for plan files moved between
/// installations.
pub fn id_by_short_name(db: &mut dyn Conn, short_name: &str) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM methods WHERE LOWER(short_name) = LOWER($1)", args![short_name.trim()])?)
}
