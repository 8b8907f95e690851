//! What became of each item of input: its **disposition** — adopted, partly adopted, not
//! adopted, for information — with a reason, and links to what it changed: a lägesbild, a plan's
//! goal or measure, an action of a forum, a steering group's decision.
//!
//! **Who may read, write and be notified.**
//! - *Read*: the consultation's organisers and the organisation that gave the item (the input's
//!   read rule, [`crate::kernel::sharing::consultation_input_readable`]); every participant reads
//!   them in the published compiled documentation.
//! - *Write*: coordinators and administrators of an organising organisation
//!   ([`crate::Action::OrganiseConsultation`]). A link must name a record the organiser may read
//!   (checked with each kind's own read function); otherwise the whole disposition is refused.
//! - *Notified*: once the documentation has been published, the item's author (or, for an item a
//!   note-taker entered, the coordinators and administrators of the organisation that gave it) by
//!   e-mail when its disposition changes; before the first publication the publication's e-mail
//!   tells all at once. The e-mail names the consultation and the outcome, never the item's text.

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::OUTCOMES;
use super::head::{self, Head};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::{Viewer, args, now_ms};

pub const REASON: TextRule = TextRule::line("reason", "Motiveringen", 2000).multiline();

/// What a disposition may link to, (code, Swedish label).
pub const TARGETS: &[(&str, &str)] = &[
    ("situation", "Lägesbild"),
    ("goal", "Mål i åtgärdsplan"),
    ("measure", "Insats i åtgärdsplan"),
    ("action", "Åtgärd"),
    ("decision", "Styrgruppsbeslut"),
];

/// The Swedish label of an outcome code.
pub fn outcome_label(code: &str) -> &'static str {
    OUTCOMES.iter().find(|(c, _)| *c == code).map_or("Okänt", |(_, l)| l)
}

/// The Swedish label of a target kind.
pub fn target_label(code: &str) -> &'static str {
    TARGETS.iter().find(|(c, _)| *c == code).map_or("Post", |(_, l)| l)
}

/// A link to what an item changed, with the record's title and address as the organiser saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub kind: String,
    pub kind_label: String,
    pub id: i64,
    pub title: String,
    pub href: String,
}

/// An item's disposition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Disposition {
    pub input_id: i64,
    pub outcome: String,
    pub outcome_label: String,
    pub reason: String,
    pub decided_at: i64,
    pub version: i64,
    /// The links, each with its title (resolved for whoever reads: see [`links_for`]).
    pub links: Vec<Link>,
}

struct Row0 {
    input_id: i64,
    outcome: String,
    reason: String,
    decided_at: i64,
    version: i64,
}

impl FromRow for Row0 {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Row0 {
            input_id: r.get("input_id")?,
            outcome: r.get("outcome")?,
            reason: r.get("reason")?,
            decided_at: r.get("decided_at")?,
            version: r.get("version")?,
        })
    }
}

/// The target of a link: its title and address if `v` may read it, `None` otherwise (or when
/// it is gone). Each kind asks the folder that owns it, with that folder's read rule.
pub fn resolve(db: &mut dyn Conn, v: &Viewer, kind: &str, id: i64) -> StoreResult<Option<(String, String)>> {
    let found = match kind {
        "situation" => crate::plans::situation::get(db, v, id).map(|s| (s.title, format!("/lagesbilder/{}", s.id))),
        "goal" => crate::plans::goals::get(db, v, id).map(|g| (g.title, format!("/atgardsplaner/{}#mal-{}", g.plan_id, g.id))),
        "measure" => crate::plans::measures::get(db, v, id).map(|m| (m.title, format!("/atgardsplaner/{}#insats-{}", m.plan_id, m.id))),
        "action" => crate::forum_work::actions::get(db, v, id).map(|a| (a.title, format!("/atgarder/{}", a.id))),
        "decision" => crate::programmes::decisions::get(db, v, id)
            .map(|d| (format!("§ {} {}", d.number, first_line(&d.text)), format!("/styrgruppsbeslut/{}", d.id))),
        _ => return Ok(None),
    };
    match found {
        Ok(x) => Ok(Some(x)),
        Err(StoreError::NotFound { .. } | StoreError::Forbidden) => Ok(None),
        Err(e) => Err(e),
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 80 { format!("{}…", line.chars().take(80).collect::<String>()) } else { line.to_owned() }
}

/// The stored links of the given items, `(input_id, kind, target_id)`, in a stable order.
pub(crate) fn stored_links(db: &mut dyn Conn, input_ids: &[i64]) -> StoreResult<Vec<(i64, String, i64)>> {
    if input_ids.is_empty() {
        return Ok(vec![]);
    }
    let d = db.dialect();
    Ok(db.map_all(
        &format!(
            "SELECT input_id, target_kind, target_id FROM consultation_disposition_links WHERE {} ORDER BY input_id, target_kind, target_id",
            d.in_list("input_id", 1)
        ),
        &[crate::Value::IntList(input_ids.to_vec())],
        |r| Ok((r.get("input_id")?, r.get("target_kind")?, r.get("target_id")?)),
    )?)
}

/// The links of one disposition as `v` may see them: a target `v` may read with its title and
/// address; one `v` may not read by its kind only ("en insats i en åtgärdsplan"), never its title.
pub fn links_for(db: &mut dyn Conn, v: &Viewer, links: &[(String, i64)]) -> StoreResult<Vec<Link>> {
    let mut out = vec![];
    for (kind, id) in links {
        let (title, href) = match resolve(db, v, kind, *id)? {
            Some(x) => x,
            None => (format!("{} (som du inte har läsrätt till)", target_label(kind)), String::new()),
        };
        out.push(Link { kind: kind.clone(), kind_label: target_label(kind).to_owned(), id: *id, title, href });
    }
    Ok(out)
}

/// The dispositions of the given items (the caller has checked that `v` may read the items).
pub fn for_inputs(db: &mut dyn Conn, v: &Viewer, input_ids: &[i64]) -> StoreResult<Vec<Disposition>> {
    if input_ids.is_empty() {
        return Ok(vec![]);
    }
    let d = db.dialect();
    let rows: Vec<Row0> = db.all(
        &format!(
            "SELECT input_id, outcome, reason, decided_at, version FROM consultation_dispositions WHERE {} ORDER BY input_id",
            d.in_list("input_id", 1)
        ),
        &[crate::Value::IntList(input_ids.to_vec())],
    )?;
    let links = stored_links(db, input_ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let mine: Vec<(String, i64)> = links.iter().filter(|l| l.0 == r.input_id).map(|l| (l.1.clone(), l.2)).collect();
        out.push(Disposition {
            input_id: r.input_id,
            outcome_label: outcome_label(&r.outcome).to_owned(),
            outcome: r.outcome,
            reason: r.reason,
            decided_at: r.decided_at,
            version: r.version,
            links: links_for(db, v, &mine)?,
        });
    }
    Ok(out)
}

/// A disposition as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DispositionInput {
    /// `adopted`, `partly`, `not_adopted` or `for_information`.
    pub outcome: Option<String>,
    /// Why; required (the contributor reads it).
    pub reason: Option<String>,
    /// What the item changed, as `kind:id` (`measure:12`, `goal:3`, `situation:4`, `action:9`,
    /// `decision:2`).
    #[serde(default)]
    pub links: Vec<String>,
}

/// Parses `kind:id`.
fn parse_link(s: &str) -> Option<(String, i64)> {
    let (kind, id) = s.trim().split_once(':')?;
    let kind = kind.trim();
    TARGETS.iter().find(|(c, _)| *c == kind)?;
    Some((kind.to_owned(), id.trim().parse().ok().filter(|n: &i64| *n > 0)?))
}

/// Sets (or changes) an item's disposition. All fields are checked at once; nothing is written
/// when any is wrong. Returns the disposition as the organiser sees it.
pub fn set(db: &mut dyn Conn, v: &Viewer, post: &Postmark, input_id: i64, input: &DispositionInput) -> StoreResult<Disposition> {
    let h = head::concluding_input(db, v, input_id)?;
    let mut errs = FieldErrors::new();
    let outcome = match input.outcome.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.push(FieldError::new(
                "outcome",
                "required",
                "Beskedet saknas. Välj omhändertaget, delvis, inte omhändertaget eller för kännedom.",
            ));
            None
        }
        Some(o) if OUTCOMES.iter().any(|(c, _)| *c == o) => Some(o.to_owned()),
        Some(_) => {
            errs.push(FieldError::new(
                "outcome",
                "disposition.outcome",
                "Beskedet är okänt. Välj omhändertaget, delvis, inte omhändertaget eller för kännedom.",
            ));
            None
        }
    };
    let reason = clean_text(&mut errs, &REASON, input.reason.as_deref());
    let mut links: Vec<(String, i64)> = vec![];
    for raw in input.links.iter().filter(|s| !s.trim().is_empty()) {
        match parse_link(raw) {
            None => errs.push(FieldError::new(
                "links",
                "disposition.link_format",
                format!("Länken ”{}” går inte att läsa. Ange den som typ:nummer, till exempel measure:12.", raw.trim()),
            )),
            Some((kind, id)) => {
                if resolve(db, v, &kind, id)?.is_none() {
                    errs.push(FieldError::new(
                        "links",
                        "disposition.link_unreadable",
                        format!(
                            "{} nummer {id} finns inte, eller så har du inte läsrätt till den. Du kan bara länka till sådant du själv kan läsa.",
                            target_label(&kind)
                        ),
                    ));
                } else if !links.contains(&(kind.clone(), id)) {
                    links.push((kind, id));
                }
            }
        }
    }
    errs.into_result()?;
    let (outcome, reason) = (outcome.expect("checked"), reason.flatten().expect("required"));

    let before: Option<Row0> = db
        .opt("SELECT input_id, outcome, reason, decided_at, version FROM consultation_dispositions WHERE input_id = $1", args![input_id])?;
    let before_links: Vec<(String, i64)> = stored_links(db, &[input_id])?.into_iter().map(|l| (l.1, l.2)).collect();
    let mut sorted = links.clone();
    sorted.sort();
    let changed = match &before {
        None => true,
        Some(b) => b.outcome != outcome || b.reason != reason || before_links != sorted,
    };
    if !changed {
        return Ok(for_inputs(db, v, &[input_id])?.pop().expect("stored"));
    }
    let now = now_ms();
    match &before {
        None => {
            db.execute(
                "INSERT INTO consultation_dispositions (input_id, outcome, reason, decided_by_user_id, decided_at, version) VALUES ($1, $2, $3, $4, $5, 1)",
                args![input_id, outcome.clone(), reason, v.user_id(), now],
            )?;
        }
        Some(_) => {
            db.execute(
                "UPDATE consultation_dispositions SET outcome = $1, reason = $2, decided_by_user_id = $3, decided_at = $4, version = version + 1 WHERE input_id = $5",
                args![outcome.clone(), reason, v.user_id(), now, input_id],
            )?;
            db.execute("DELETE FROM consultation_disposition_links WHERE input_id = $1", args![input_id])?;
        }
    }
    for (kind, id) in &sorted {
        db.execute(
            "INSERT INTO consultation_disposition_links (input_id, target_kind, target_id) VALUES ($1, $2, $3)",
            args![input_id, kind.clone(), *id],
        )?;
    }
    audit::record(db, v, Event::new("consultation.dispose").record("consultation", h.id).orgs(&h.organisers))?;
    let published: i64 = db.scalar("SELECT COUNT(*) FROM consultation_documents WHERE consultation_id = $1", args![h.id])?;
    if published > 0 {
        notify_change(db, post, &h, input_id, &outcome, now)?;
    }
    Ok(for_inputs(db, v, &[input_id])?.pop().expect("stored"))
}

/// The people told about an item's outcome: its author, or — for an item a note-taker entered —
/// the coordinators and administrators of the organisation that gave it. `(user_id, email)`.
pub(crate) fn contributors_of(db: &mut dyn Conn, input_id: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(db.map_all(
        "SELECT u.id, u.email FROM consultation_inputs i JOIN users u ON u.id = i.author_user_id
          WHERE i.id = $1
         UNION
         SELECT u.id, u.email FROM consultation_inputs i JOIN memberships m ON m.org_id = i.org_id AND m.role IN ('administrator', 'coordinator')
           JOIN users u ON u.id = m.user_id
          WHERE i.id = $1 AND i.author_user_id IS NULL
         ORDER BY 1",
        args![input_id],
        |r| Ok((r.get("id")?, r.get("email")?)),
    )?)
}

fn notify_change(db: &mut dyn Conn, post: &Postmark, h: &Head, input_id: i64, outcome: &str, now: i64) -> StoreResult<()> {
    for (user_id, email) in contributors_of(db, input_id)? {
        let Ok(to) = brygga_domain::account::Email::parse(&email) else { continue };
        let body = format!(
            "Hej!\n\nBeskedet om ett av era medskick till samrådet ”{title}” har ändrats. Nytt besked: {label}.\n\n\
             Se motiveringen och vad medskicket ledde till: {link}\n\n\
             Du får det här meddelandet för att du lämnade medskicket, eller är samordnare i organisationen som lämnade det.\n",
            title = h.title,
            label = outcome_label(outcome),
            link = post.link("/mina-medskick"),
        );
        let mail = NewMail {
            kind: MAIL_KIND,
            to,
            to_user_id: Some(user_id),
            subject: format!("Nytt besked om ert medskick: {}", h.title),
            body,
            list_unsubscribe: None,
        };
        mail::enqueue(db, &mail, &post.host, now)?;
    }
    Ok(())
}

/// The outbox kind of the e-mails of this folder (disposition changes and publication).
pub const MAIL_KIND: &str = "consultation";

/// A record a disposition may link to, for the form's choices.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkChoice {
    /// `kind:id`, as [`DispositionInput::links`] takes it.
    pub value: String,
    pub label: String,
    /// The plan or lägesbild it belongs to, for grouping.
    pub group: String,
}

/// What the viewer may link a disposition of the consultation to from the forms: the lägesbilder
/// and the current plans' goals and measures of the consultation's municipality (of every
/// municipality the viewer reads, when the consultation names none). Actions and steering
/// decisions are linked by number (`action:12`, `decision:3`).
pub fn link_choices(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Vec<LinkChoice>> {
    let h = head::concluding(db, v, consultation_id)?;
    let municipality = h.municipality_code.as_deref();
    let mut out = vec![];
    for s in crate::plans::situation::list(db, v, municipality)?.into_iter().filter(|s| s.status != "superseded") {
        out.push(LinkChoice { value: format!("situation:{}", s.id), label: s.title.clone(), group: "Lägesbilder".to_owned() });
    }
    for p in crate::plans::plan::list(db, v, municipality)?.into_iter().filter(|p| p.status != "superseded" && p.kind == "municipal") {
        let doc = crate::plans::plan::load(db, v, p.id)?;
        let group = format!("{} ({})", p.title, p.status_label.to_lowercase());
        for g in &doc.goals {
            out.push(LinkChoice { value: format!("goal:{}", g.id), label: format!("Mål: {}", g.title), group: group.clone() });
        }
        for m in &doc.measures {
            out.push(LinkChoice { value: format!("measure:{}", m.id), label: format!("Insats: {}", m.title), group: group.clone() });
        }
    }
    Ok(out)
}
