//! The idea bank (idébank) of good examples, and the idea board (idétavla).
//!
//! **Good examples** (goda exempel): what an organisation did, with which method (a link to the
//! library, optional), with whom (organisations, besides free text), where, what came of it and
//! what that rests on, and whom to ask — an organisation's contact person or function address,
//! never a private person without their consent. An example may tell a **story about a person**
//! only anonymised and with **recorded consent**: the writer ticks "Personen har gett sitt
//! samtycke", and who recorded it and when is stored; the story passes the personal-data guard
//! like every free text. Without consent the story is refused and nothing is written.
//!
//! **Who may read, write and be notified (examples).**
//! - *Read*: [`sharing::good_example_readable`] — a draft by the owner's users only; a
//!   published example by everyone, signed in or not (`/idebank`). System administrators get no
//!   exception for drafts.
//! - *Write*: the owner's users from member up ([`Permission::WriteExample`]); every write is
//!   audited (`good_example.*`) and touches the search index (kind `idea`, readers `public`
//!   once published, the owner before).
//! - *Notified*: nobody.
//!
//! **The idea board**: an organisation posts an idea it cannot drive alone (what is needed,
//! where); other organisations register their interest with a message.
//! - *Read*: [`sharing::board_idea_readable`] — open ideas by every signed-in user, closed ones
//!   by the owner's users only. An interest is read by the idea's owner's users and the
//!   interested organisation's users; others see how many have registered interest, not who.
//! - *Write*: the owner's users from member up post, change and close ideas
//!   ([`Permission::WriteExample`]); any other organisation's users from member up register
//!   interest in an open idea (once per organisation). Audited (`board_idea.*`).
//! - *Notified*: on each new interest, the owner's users (administrators, coordinators and
//!   members) get an e-mail through the outbox, naming the interested organisation — never the
//!   message, which they read in Brygga.

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, Role};
use serde::{Deserialize, Serialize};

use super::methods::{self, MethodBadge};
use brygga_domain::account::Email;

use crate::accounts::invitations::org_people;
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms, sort_key};

pub const TITLE: TextRule = TextRule::line("title", "Rubriken", 200);
pub const ACTORS_TEXT: TextRule = TextRule::line("actors_text", "Övriga aktörer", 500).optional();
pub const WHAT_DONE: TextRule = TextRule::line("what_done", "Vad som gjordes", 4000).multiline();
pub const RESULTS: TextRule = TextRule::line("results", "Resultaten", 4000).multiline().optional();
pub const EVIDENCE: TextRule = TextRule::line("evidence", "Vad resultaten grundas på", 2000).multiline().optional();
/// An organisation's contact person or function address: a contact detail by nature.
pub const CONTACT: TextRule = TextRule::line("contact", "Kontakten", 300).contact_detail().optional();
/// A story about a person: anonymised, so the personal-data guard refuses names' companions
/// (personnummer, phone numbers, addresses) with its own code the form offers to remove.
pub const STORY: TextRule = TextRule::line("story", "Berättelsen", 4000).multiline().optional().personal_data_code("story.personal_data");
pub const IDEA_TITLE: TextRule = TextRule::line("title", "Idéns rubrik", 200);
pub const NEEDS: TextRule = TextRule::line("needs", "Vad som behövs", 4000).multiline();
pub const AREA: TextRule = TextRule::line("area", "Området", 200).optional();
pub const INTEREST_MESSAGE: TextRule = TextRule::line("message", "Meddelandet", 2000).multiline();

/// The mail kind of the interest notification.
pub const INTEREST_MAIL_KIND: &str = "idea_interest";

/// An organisation by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
}

/// One good example.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Example {
    pub id: i64,
    pub owner: OrgRef,
    pub title: String,
    pub method: Option<MethodBadge>,
    pub actor_orgs: Vec<OrgRef>,
    pub actors_text: Option<String>,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub what_done: String,
    pub results: Option<String>,
    pub evidence: Option<String>,
    pub contact: Option<String>,
    /// The anonymised story, told with the person's recorded consent.
    pub story: Option<String>,
    /// When the consent was recorded (epoch ms).
    pub story_consent_at_ms: Option<i64>,
    /// `draft` or `published`.
    pub status: String,
    pub version: i64,
    pub updated_at_ms: i64,
    #[serde(skip)]
    method_id: Option<i64>,
}

impl Example {
    pub fn published(&self) -> bool {
        self.status == "published"
    }
}

const SELECT: &str = "SELECT e.id, e.owner_org_id, o.name AS owner_name, e.title, e.method_id, e.actors_text, e.municipality_code,
        mu.name AS municipality_name, e.what_done, e.results, e.evidence, e.contact, e.story, e.story_consent_at, e.status, e.version,
        e.updated_at
     FROM good_examples e JOIN organisations o ON o.id = e.owner_org_id LEFT JOIN municipalities mu ON mu.code = e.municipality_code";

impl FromRow for Example {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            title: r.get("title")?,
            method: None,
            method_id: r.get("method_id")?,
            actor_orgs: Vec::new(),
            actors_text: r.get("actors_text")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            what_done: r.get("what_done")?,
            results: r.get("results")?,
            evidence: r.get("evidence")?,
            contact: r.get("contact")?,
            story: r.get("story")?,
            story_consent_at_ms: r.get("story_consent_at")?,
            status: r.get("status")?,
            version: r.get("version")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

fn complete(db: &mut dyn Conn, list: &mut [Example]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|e| e.id).collect();
    let orgs: Vec<(i64, OrgRef)> = db.map_all(
        &format!(
            "SELECT x.example_id, o.id, o.name FROM good_example_orgs x JOIN organisations o ON o.id = x.org_id WHERE {} ORDER BY o.name_key",
            db.dialect().in_list("x.example_id", 1)
        ),
        &[Value::IntList(ids)],
        |r| Ok((r.get("example_id")?, OrgRef { id: r.get("id")?, name: r.get("name")? })),
    )?;
    let method_ids: Vec<i64> = list.iter().filter_map(|e| e.method_id).collect();
    let badges = methods::badges(db, &method_ids)?;
    for e in list.iter_mut() {
        e.actor_orgs = orgs.iter().filter(|x| x.0 == e.id).map(|x| x.1.clone()).collect();
        e.method = e.method_id.and_then(|m| badges.iter().find(|b| b.id == m).cloned());
    }
    Ok(())
}

fn fetch(db: &mut dyn Conn, id: i64) -> StoreResult<Example> {
    let mut one: Vec<Example> = db.all(&format!("{SELECT} WHERE e.id = $1"), args![id])?;
    if one.is_empty() {
        return Err(StoreError::not_found("good_example"));
    }
    complete(db, &mut one)?;
    Ok(one.remove(0))
}

/// The example, if the viewer may read it (otherwise not found).
pub fn get_example(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Example> {
    let e = fetch(db, id)?;
    if sharing::can_read_good_example(v, e.owner.id, e.published()) { Ok(e) } else { Err(StoreError::not_found("good_example")) }
}

/// The examples the viewer may read (published ones, and its organisations' drafts), newest
/// first; `method_id` narrows to one method's examples.
pub fn list_examples(db: &mut dyn Conn, v: &Viewer, method_id: Option<i64>) -> StoreResult<Vec<Example>> {
    let mut sql = format!("{SELECT} WHERE {}", sharing::good_example_readable(db.dialect(), "e", 1));
    let mut a = vec![sharing::good_example_args(v)];
    if let Some(m) = method_id {
        a.push(m.into());
        sql += &format!(" AND e.method_id = ${}", a.len());
    }
    sql += " ORDER BY e.updated_at DESC, e.id DESC";
    let mut list: Vec<Example> = db.all(&sql, &a)?;
    complete(db, &mut list)?;
    Ok(list)
}

/// What a form or API call sends to write a good example.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExampleInput {
    pub title: String,
    /// A method of the library.
    #[serde(default)]
    pub method_id: Option<i64>,
    /// The owning organisation (one the viewer writes for); by default the viewer's first.
    /// Ignored when editing.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// Organisations that took part.
    #[serde(default)]
    pub actor_org_ids: Vec<i64>,
    /// Other actors, as text.
    #[serde(default)]
    pub actors_text: Option<String>,
    /// `1287`.
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub what_done: String,
    #[serde(default)]
    pub results: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    /// An organisation's contact person or function address.
    #[serde(default)]
    pub contact: Option<String>,
    /// An anonymised story about a person; needs `story_consent`.
    #[serde(default)]
    pub story: Option<String>,
    /// "Personen har gett sitt samtycke."
    #[serde(default)]
    pub story_consent: bool,
    /// `draft` (default) or `published`.
    #[serde(default)]
    pub status: Option<String>,
}

struct ValidExample {
    title: String,
    method_id: Option<i64>,
    owner: i64,
    actor_orgs: Vec<i64>,
    actors_text: Option<String>,
    municipality_code: Option<String>,
    what_done: String,
    results: Option<String>,
    evidence: Option<String>,
    contact: Option<String>,
    story: Option<String>,
    published: bool,
}

fn check_municipality(db: &mut dyn Conn, errs: &mut FieldErrors, code: Option<&str>) -> StoreResult<Option<Option<String>>> {
    match code.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Some(None)),
        Some(c) => {
            let n: i64 = db.scalar("SELECT COUNT(*) FROM municipalities WHERE code = $1", args![c])?;
            if n == 0 {
                errs.push(FieldError::new(
                    "municipality_code",
                    "knowledge.unknown_municipality",
                    format!("Kommunkoden {c} finns inte. Välj en kommun ur listan."),
                ));
                Ok(None)
            } else {
                Ok(Some(Some(c.to_owned())))
            }
        }
    }
}

fn prepare_example(db: &mut dyn Conn, v: &Viewer, input: &ExampleInput, before: Option<&Example>) -> StoreResult<ValidExample> {
    let owner = match (before, input.owner_org_id) {
        (Some(b), _) => b.owner.id,
        (None, Some(o)) => o,
        (None, None) => v.org_ids().into_iter().find(|o| allowed(v, Permission::WriteExample { org: *o })).ok_or(StoreError::Forbidden)?,
    };
    if !allowed(v, Permission::WriteExample { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let actors_text = clean_text(&mut errs, &ACTORS_TEXT, input.actors_text.as_deref());
    let what_done = clean_text(&mut errs, &WHAT_DONE, Some(&input.what_done));
    let results = clean_text(&mut errs, &RESULTS, input.results.as_deref());
    let evidence = clean_text(&mut errs, &EVIDENCE, input.evidence.as_deref());
    let contact = clean_text(&mut errs, &CONTACT, input.contact.as_deref());
    let story = clean_text(&mut errs, &STORY, input.story.as_deref());
    if let Some(Some(_)) = &story
        && !input.story_consent
    {
        errs.push(FieldError::new(
            "story",
            "knowledge.story_without_consent",
            "En berättelse om en person får bara finnas med om personen har gett sitt samtycke. Kryssa i ”Personen har gett sitt samtycke” om samtycket finns, annars ta bort berättelsen.",
        ));
    }
    if let Some(m) = input.method_id
        && !methods::exists(db, m)?
    {
        errs.push(methods::unknown_method("method_id"));
    }
    let mut actor_orgs: Vec<i64> = Vec::new();
    for o in &input.actor_org_ids {
        if !actor_orgs.contains(o) {
            actor_orgs.push(*o);
        }
    }
    if !actor_orgs.is_empty() {
        let n: i64 = db.scalar(
            &format!("SELECT COUNT(*) FROM organisations WHERE {}", db.dialect().in_list("id", 1)),
            &[Value::IntList(actor_orgs.clone())],
        )?;
        if n != actor_orgs.len() as i64 {
            errs.push(FieldError::new(
                "actor_org_ids",
                "knowledge.unknown_org",
                "En av organisationerna finns inte. Välj organisationer ur listan.",
            ));
        }
    }
    let municipality = check_municipality(db, &mut errs, input.municipality_code.as_deref())?;
    let published = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("draft") => Some(false),
        Some("published") => Some(true),
        Some(s) => {
            errs.push(FieldError::new(
                "status",
                "knowledge.unknown_status",
                format!("”{s}” är ingen status. Välj utkast (draft) eller publicerad (published)."),
            ));
            None
        }
    };
    errs.into_result()?;
    Ok(ValidExample {
        title: title.flatten().expect("checked"),
        method_id: input.method_id,
        owner,
        actor_orgs,
        actors_text: actors_text.expect("checked"),
        municipality_code: municipality.expect("checked"),
        what_done: what_done.flatten().expect("checked"),
        results: results.expect("checked"),
        evidence: evidence.expect("checked"),
        contact: contact.expect("checked"),
        story: story.expect("checked"),
        published: published.expect("checked"),
    })
}

fn write_orgs(db: &mut dyn Conn, id: i64, p: &ValidExample) -> StoreResult<()> {
    db.execute("DELETE FROM good_example_orgs WHERE example_id = $1", args![id])?;
    for o in &p.actor_orgs {
        db.execute("INSERT INTO good_example_orgs (example_id, org_id) VALUES ($1, $2)", args![id, *o])?;
    }
    Ok(())
}

/// Writes a good example for `input.owner_org_id` (or the viewer's first organisation it writes
/// for). A story needs recorded consent; the viewer is recorded as who recorded it.
pub fn create_example(db: &mut dyn Conn, v: &Viewer, input: &ExampleInput) -> StoreResult<Example> {
    let p = prepare_example(db, v, input, None)?;
    let now = now_ms();
    let consent_at = p.story.as_ref().map(|_| now);
    let consent_by = p.story.as_ref().and_then(|_| v.user_id());
    let id: i64 = db.scalar(
        "INSERT INTO good_examples (owner_org_id, title, method_id, actors_text, municipality_code, what_done, results, evidence, contact,
            story, story_consent_by_user_id, story_consent_at, status, published_at, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16) RETURNING id",
        args![
            p.owner,
            p.title.as_str(),
            p.method_id,
            p.actors_text.as_deref(),
            p.municipality_code.as_deref(),
            p.what_done.as_str(),
            p.results.as_deref(),
            p.evidence.as_deref(),
            p.contact.as_deref(),
            p.story.as_deref(),
            consent_by,
            consent_at,
            if p.published { "published" } else { "draft" },
            p.published.then_some(now),
            v.user_id(),
            now
        ],
    )?;
    write_orgs(db, id, &p)?;
    index::touch(db, "idea", id)?;
    audit::record(db, v, Event::new("good_example.create").record("good_example", id).org(p.owner))?;
    fetch(db, id)
}

/// Changes a good example (the owner's users). A story that was there keeps its recorded
/// consent when unchanged; a new or changed story records the consent anew. Stale: conflict.
pub fn update_example(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &ExampleInput) -> StoreResult<Example> {
    let before = get_example(db, v, id)?;
    if !allowed(v, Permission::WriteExample { org: before.owner.id }) {
        return Err(StoreError::Forbidden);
    }
    let p = prepare_example(db, v, input, Some(&before))?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    let now = now_ms();
    let same_story = p.story.is_some() && p.story == before.story;
    db.execute(
        "UPDATE good_examples SET title = $1, method_id = $2, actors_text = $3, municipality_code = $4, what_done = $5, results = $6,
            evidence = $7, contact = $8, story = $9,
            story_consent_by_user_id = CASE WHEN $10 THEN story_consent_by_user_id ELSE $11 END,
            story_consent_at = CASE WHEN $10 THEN story_consent_at ELSE $15 END,
            status = $13, published_at = CASE WHEN $13 = 'published' THEN COALESCE(published_at, $12) ELSE NULL END,
            version = version + 1, updated_at = $12 WHERE id = $14",
        args![
            p.title.as_str(),
            p.method_id,
            p.actors_text.as_deref(),
            p.municipality_code.as_deref(),
            p.what_done.as_str(),
            p.results.as_deref(),
            p.evidence.as_deref(),
            p.contact.as_deref(),
            p.story.as_deref(),
            same_story,
            p.story.as_ref().and_then(|_| v.user_id()),
            now,
            if p.published { "published" } else { "draft" },
            id,
            p.story.as_ref().map(|_| now)
        ],
    )?;
    write_orgs(db, id, &p)?;
    index::touch(db, "idea", id)?;
    audit::record(db, v, Event::new("good_example.update").record("good_example", id).org(p.owner))?;
    fetch(db, id)
}

/// Deletes a good example (the owner's users).
pub fn delete_example(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let before = get_example(db, v, id)?;
    if !allowed(v, Permission::WriteExample { org: before.owner.id }) {
        return Err(StoreError::Forbidden);
    }
    db.execute("DELETE FROM good_examples WHERE id = $1", args![id])?;
    index::touch(db, "idea", id)?;
    audit::record(db, v, Event::new("good_example.delete").record("good_example", id).org(before.owner.id))?;
    Ok(())
}

/// All example ids, for the search index's full rebuild.
pub const SEARCH_IDS: &str = "SELECT id FROM good_examples";

/// The search document of an example: read by everyone once published, by the owner before.
/// The story is left out of the body (it is about a person, even anonymised).
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let e = match fetch(db, id) {
        Ok(e) => e,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut body = vec![e.what_done.clone()];
    body.extend(e.results.clone());
    body.extend(e.method.as_ref().map(|m| format!("{} {}", m.short_name, m.name)));
    body.push(e.owner.name.clone());
    Ok(Some(Document {
        kind: "idea",
        id,
        title: e.title.clone(),
        body: body.join("\n"),
        municipalities: e.municipality_code.iter().cloned().collect(),
        path: format!("/idebank/{id}"),
        readers: if e.published() { vec![Reader::Public] } else { vec![Reader::Org(e.owner.id)] },
        updated_at_ms: e.updated_at_ms,
    }))
}

// --- The idea board -------------------------------------------------------------------------

/// An organisation's interest in an idea.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interest {
    pub id: i64,
    pub org: OrgRef,
    pub message: String,
    pub created_at_ms: i64,
}

/// One idea on the board.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardIdea {
    pub id: i64,
    pub owner: OrgRef,
    pub title: String,
    pub needs: String,
    pub municipality_code: Option<String>,
    pub municipality_name: Option<String>,
    pub area: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    /// How many organisations registered interest (everyone who reads the idea sees the count).
    pub interest_count: i64,
    /// The interests the viewer may read: all for the owner's users, its own for an
    /// interested organisation's users, none otherwise.
    pub interests: Vec<Interest>,
    pub version: i64,
    pub updated_at_ms: i64,
}

impl BoardIdea {
    pub fn open(&self) -> bool {
        self.status == "open"
    }
}

const IDEA_SELECT: &str = "SELECT i.id, i.owner_org_id, o.name AS owner_name, i.title, i.needs, i.municipality_code,
        mu.name AS municipality_name, i.area, i.status, i.version, i.updated_at,
        (SELECT COUNT(*) FROM board_idea_interests x WHERE x.idea_id = i.id) AS interest_count
     FROM board_ideas i JOIN organisations o ON o.id = i.owner_org_id LEFT JOIN municipalities mu ON mu.code = i.municipality_code";

impl FromRow for BoardIdea {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            title: r.get("title")?,
            needs: r.get("needs")?,
            municipality_code: r.get("municipality_code")?,
            municipality_name: r.get("municipality_name")?,
            area: r.get("area")?,
            status: r.get("status")?,
            interest_count: r.get("interest_count")?,
            interests: Vec::new(),
            version: r.get("version")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

fn fetch_idea(db: &mut dyn Conn, id: i64) -> StoreResult<BoardIdea> {
    db.opt(&format!("{IDEA_SELECT} WHERE i.id = $1"), args![id])?.ok_or(StoreError::not_found("board_idea"))
}

/// The idea, if the viewer may read it, with the interests it may read.
pub fn get_idea(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<BoardIdea> {
    let mut i = fetch_idea(db, id)?;
    if !sharing::can_read_board_idea(v, i.owner.id, i.open()) {
        return Err(StoreError::not_found("board_idea"));
    }
    let owner = v.role_in(i.owner.id).is_some();
    let all: Vec<Interest> = db.map_all(
        "SELECT x.id, x.org_id, o.name, x.message, x.created_at FROM board_idea_interests x JOIN organisations o ON o.id = x.org_id
         WHERE x.idea_id = $1 ORDER BY x.created_at, x.id",
        args![id],
        |r| {
            Ok(Interest {
                id: r.get("id")?,
                org: OrgRef { id: r.get("org_id")?, name: r.get("name")? },
                message: r.get("message")?,
                created_at_ms: r.get("created_at")?,
            })
        },
    )?;
    i.interests = all.into_iter().filter(|x| owner || v.role_in(x.org.id).is_some()).collect();
    Ok(i)
}

/// The ideas the viewer may read: open ones (signed in) and its organisations' closed ones;
/// open first, newest first.
pub fn list_ideas(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<BoardIdea>> {
    if !v.is_signed_in() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{IDEA_SELECT} WHERE {} ORDER BY CASE WHEN i.status = 'open' THEN 0 ELSE 1 END, i.updated_at DESC, i.id DESC",
        sharing::board_idea_readable(db.dialect(), "i", 1)
    );
    Ok(db.all(&sql, &[sharing::good_example_args(v)])?)
}

/// What a form or API call sends to post or change an idea.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdeaInput {
    pub title: String,
    /// What is needed from others.
    pub needs: String,
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    #[serde(default)]
    pub municipality_code: Option<String>,
    #[serde(default)]
    pub area: Option<String>,
    /// `open` (default) or `closed`.
    #[serde(default)]
    pub status: Option<String>,
}

/// A checked idea.
struct ValidIdea {
    owner: i64,
    title: String,
    needs: String,
    municipality: Option<String>,
    area: Option<String>,
    status: &'static str,
}

/// Posts or changes an idea: the checked values.
fn prepare_idea(db: &mut dyn Conn, v: &Viewer, input: &IdeaInput, before: Option<&BoardIdea>) -> StoreResult<ValidIdea> {
    let owner = match (before, input.owner_org_id) {
        (Some(b), _) => b.owner.id,
        (None, Some(o)) => o,
        (None, None) => v.org_ids().into_iter().find(|o| allowed(v, Permission::WriteExample { org: *o })).ok_or(StoreError::Forbidden)?,
    };
    if !allowed(v, Permission::WriteExample { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &IDEA_TITLE, Some(&input.title));
    let needs = clean_text(&mut errs, &NEEDS, Some(&input.needs));
    let area = clean_text(&mut errs, &AREA, input.area.as_deref());
    let municipality = check_municipality(db, &mut errs, input.municipality_code.as_deref())?;
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("open") => Some("open"),
        Some("closed") => Some("closed"),
        Some(s) => {
            errs.push(FieldError::new(
                "status",
                "knowledge.unknown_status",
                format!("”{s}” är ingen status. Välj öppen (open) eller stängd (closed)."),
            ));
            None
        }
    };
    errs.into_result()?;
    Ok(ValidIdea {
        owner,
        title: title.flatten().expect("checked"),
        needs: needs.flatten().expect("checked"),
        municipality: municipality.expect("checked"),
        area: area.expect("checked"),
        status: status.expect("checked"),
    })
}

/// Posts an idea for `input.owner_org_id` (or the viewer's first organisation it writes for).
pub fn create_idea(db: &mut dyn Conn, v: &Viewer, input: &IdeaInput) -> StoreResult<BoardIdea> {
    let ValidIdea { owner, title, needs, municipality, area, status } = prepare_idea(db, v, input, None)?;
    let id: i64 = db.scalar(
        "INSERT INTO board_ideas (owner_org_id, title, needs, municipality_code, area, status, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        args![owner, title.as_str(), needs.as_str(), municipality.as_deref(), area.as_deref(), status, v.user_id(), now_ms()],
    )?;
    index::touch(db, "idea_board", id)?;
    audit::record(db, v, Event::new("board_idea.create").record("board_idea", id).org(owner))?;
    get_idea(db, v, id)
}

/// Changes or closes an idea (the owner's users). Stale: conflict.
pub fn update_idea(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &IdeaInput) -> StoreResult<BoardIdea> {
    let before = get_idea(db, v, id)?;
    if !allowed(v, Permission::WriteExample { org: before.owner.id }) {
        return Err(StoreError::Forbidden);
    }
    let ValidIdea { owner, title, needs, municipality, area, status } = prepare_idea(db, v, input, Some(&before))?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE board_ideas SET title = $1, needs = $2, municipality_code = $3, area = $4, status = $5, version = version + 1, updated_at = $6
         WHERE id = $7",
        args![title.as_str(), needs.as_str(), municipality.as_deref(), area.as_deref(), status, now_ms(), id],
    )?;
    index::touch(db, "idea_board", id)?;
    audit::record(db, v, Event::new("board_idea.update").record("board_idea", id).org(owner))?;
    get_idea(db, v, id)
}

/// What a form or API call sends to register interest.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InterestInput {
    /// The interested organisation (one the viewer writes for); by default the viewer's first
    /// other than the idea's owner.
    #[serde(default)]
    pub org_id: Option<i64>,
    pub message: String,
}

/// Registers `input.org_id`'s interest in an open idea and e-mails the owner's users.
pub fn register_interest(db: &mut dyn Conn, v: &Viewer, post: &Postmark, idea_id: i64, input: &InterestInput) -> StoreResult<BoardIdea> {
    let idea = get_idea(db, v, idea_id)?;
    let org = match input.org_id {
        Some(o) => o,
        None => v
            .org_ids()
            .into_iter()
            .find(|o| *o != idea.owner.id && allowed(v, Permission::WriteExample { org: *o }))
            .ok_or(StoreError::Forbidden)?,
    };
    if !allowed(v, Permission::WriteExample { org }) {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let message = clean_text(&mut errs, &INTEREST_MESSAGE, Some(&input.message));
    if org == idea.owner.id {
        errs.push(FieldError::new(
            "org_id",
            "knowledge.own_idea",
            "Idén är er egen organisations. Anmäl intresse för en annan organisations idé.",
        ));
    }
    if !idea.open() {
        errs.push(FieldError::new("message", "knowledge.idea_closed", "Idén är stängd och tar inte emot fler intresseanmälningar."));
    }
    let already: i64 = db.scalar("SELECT COUNT(*) FROM board_idea_interests WHERE idea_id = $1 AND org_id = $2", args![idea_id, org])?;
    if already > 0 {
        errs.push(FieldError::new(
            "org_id",
            "knowledge.interest_exists",
            "Er organisation har redan anmält intresse för idén. Kontakta idéns ägare direkt om ni vill lägga till något.",
        ));
    }
    errs.into_result()?;
    let now = now_ms();
    db.execute(
        "INSERT INTO board_idea_interests (idea_id, org_id, message, user_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![idea_id, org, message.flatten().expect("checked").as_str(), v.user_id(), now],
    )?;
    let org_name: String = db.scalar("SELECT name FROM organisations WHERE id = $1", args![org])?;
    for (user_id, _name, email) in org_people(db, idea.owner.id, &[Role::Administrator, Role::Coordinator, Role::Member])? {
        let Ok(to) = Email::parse(&email) else { continue };
        let mail = NewMail {
            kind: INTEREST_MAIL_KIND,
            to,
            to_user_id: Some(user_id),
            subject: format!("Intresse för er idé: {}", idea.title),
            body: format!(
                "{org_name} har anmält intresse för idén ”{}” på idétavlan i Brygga.\n\nLäs meddelandet och ta kontakt:\n{}/idetavla/{idea_id}\n",
                idea.title, post.base_url
            ),
            list_unsubscribe: None,
        };
        mail::enqueue(db, &mail, &post.host, now)?;
    }
    index::touch(db, "idea_board", idea_id)?;
    audit::record(db, v, Event::new("board_idea.interest").record("board_idea", idea_id).orgs(&[idea.owner.id, org]))?;
    get_idea(db, v, idea_id)
}

/// The organisations the viewer may write examples and ideas for (choices), by Swedish name.
pub fn owner_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<OrgRef>> {
    let ids: Vec<i64> = v.org_ids().into_iter().filter(|o| allowed(v, Permission::WriteExample { org: *o })).collect();
    let mut list =
        db.map_all(&format!("SELECT id, name FROM organisations WHERE {}", db.dialect().in_list("id", 1)), &[Value::IntList(ids)], |r| {
            Ok(OrgRef { id: r.get("id")?, name: r.get("name")? })
        })?;
    list.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(list)
}

/// All idea ids, for the search index's full rebuild.
pub const IDEA_SEARCH_IDS: &str = "SELECT id FROM board_ideas";

/// The search document of an idea on the board: read by every signed-in user while open, by
/// the owner when closed. Interests are left out.
pub fn idea_search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let i = match fetch_idea(db, id) {
        Ok(i) => i,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(err) => return Err(err),
    };
    let mut body = vec![i.needs.clone(), i.owner.name.clone()];
    body.extend(i.area.clone());
    Ok(Some(Document {
        kind: "idea_board",
        id,
        title: i.title.clone(),
        body: body.join("\n"),
        municipalities: i.municipality_code.iter().cloned().collect(),
        path: format!("/idetavla/{id}"),
        readers: if i.open() { vec![Reader::SignedIn] } else { vec![Reader::Org(i.owner.id)] },
        updated_at_ms: i.updated_at_ms,
    }))
}
