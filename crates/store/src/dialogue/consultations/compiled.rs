//! The **compiled documentation** of a consultation (sammanställd dokumentation): its questions,
//! the participating organisations, and every item of input under its confirmed theme with what
//! became of it — attribution applied (an anonymous item never names its organisation, to anyone).
//! Publishing freezes the document as a numbered version and e-mails the participants; a later
//! change of a disposition is a new version when the organiser publishes again.
//!
//! **Who may read, write and be notified.**
//! - *Read*: a published version, whoever may read the consultation (its organisers and invited
//!   organisations, [`crate::kernel::sharing::consultation_readable`]); the unpublished preview,
//!   only those who may conclude it.
//! - *Write*: publishing, coordinators and administrators of an organising organisation
//!   ([`crate::Action::OrganiseConsultation`]), once the consultation is no longer a draft.
//! - *Notified*: on each publication, by e-mail, every participant — each registered person, each
//!   author of input, and for items a note-taker entered the coordinators and administrators of
//!   the organisation that gave them. The e-mail holds the title, the counts and links, never an
//!   item's text.
//!
//! Built with four queries whatever the number of items (a 5 000-item consultation: see
//! BENCHMARKS.md); each linked record's title is resolved once.

use std::collections::HashMap;

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::dispositions::{self, MAIL_KIND, outcome_label, target_label};
use super::head::{self, Head};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::{Viewer, args, now_ms, sort_key};

pub const NOTE: TextRule = TextRule::line("note", "Kommentaren till versionen", 1000).optional().multiline();

/// The heading under which items outside every confirmed theme are gathered.
pub const REST_THEME: &str = "Övriga medskick";

/// A link in the document: the kind always, the title and address when the publisher could
/// read the record (an action of a forum is named by its kind only: forums' work is internal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CompiledLink))]
pub struct DocLink {
    pub kind: String,
    /// The linked record's id.
    pub id: i64,
    pub kind_label: String,
    pub title: Option<String>,
    pub href: Option<String>,
}

/// One item of input as the document presents it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocItem {
    pub input_id: i64,
    /// The question's number (1, 2, …), if the item answers one.
    pub question: Option<i64>,
    pub text: String,
    /// The organisation's name when it chose to be named; `None`: anonymous.
    pub attribution: Option<String>,
    pub lagesbild: bool,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub reason: Option<String>,
    pub links: Vec<DocLink>,
}

/// A theme with its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocTheme {
    pub name: String,
    pub summary: Option<String>,
    pub items: Vec<DocItem>,
}

/// How many items got which outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    pub items: i64,
    pub adopted: i64,
    pub partly: i64,
    pub not_adopted: i64,
    pub for_information: i64,
    pub undecided: i64,
}

/// A question of the consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocQuestion {
    pub number: i64,
    pub text: String,
}

/// The compiled documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compiled {
    pub consultation_id: i64,
    pub title: String,
    pub organiser: String,
    /// When it met, epoch ms (none for a written consultation).
    pub meets_at: Option<i64>,
    /// 0 for the unpublished preview.
    pub version: i64,
    pub published_at: Option<i64>,
    pub note: Option<String>,
    /// Organisations that accepted the invitation or registered someone, in Swedish order.
    pub participants: Vec<String>,
    pub questions: Vec<DocQuestion>,
    pub counts: Counts,
    /// Confirmed themes in the organiser's order, then [`REST_THEME`] if any item is outside them.
    pub themes: Vec<DocTheme>,
}

/// A published version, for lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Version {
    pub version: i64,
    pub published_at: i64,
    pub note: Option<String>,
}

struct ItemRow {
    id: i64,
    question: Option<i64>,
    text: String,
    named: Option<String>,
    lagesbild: bool,
    theme_id: Option<i64>,
    outcome: Option<String>,
    reason: Option<String>,
}

/// Builds the document from the current state, as `v` (the publisher) resolves the links.
fn build(db: &mut dyn Conn, v: &Viewer, h: &Head) -> StoreResult<Compiled> {
    let questions: Vec<DocQuestion> =
        db.map_all("SELECT position, text FROM consultation_questions WHERE consultation_id = $1 ORDER BY position", args![h.id], |r| {
            Ok(DocQuestion { number: r.get("position")?, text: r.get("text")? })
        })?;
    let mut participants: Vec<String> = db.scalars(
        "SELECT o.name FROM organisations o WHERE o.id IN (
            SELECT org_id FROM consultation_invitations WHERE consultation_id = $1 AND response = 'accepted'
            UNION SELECT org_id FROM consultation_registrations WHERE consultation_id = $1 AND cancelled_at IS NULL)",
        args![h.id],
    )?;
    participants.sort_by_key(|n| sort_key(n));
    let themes: Vec<(i64, String, Option<String>)> = db.map_all(
        "SELECT id, name, summary FROM consultation_themes WHERE consultation_id = $1 AND confirmed ORDER BY position, id",
        args![h.id],
        |r| Ok((r.get("id")?, r.get("name")?, r.get("summary")?)),
    )?;
    let items: Vec<ItemRow> = db.map_all(
        "SELECT i.id, q.position AS question, i.text, CASE WHEN i.attribution = 'named' THEN o.name END AS named,
                i.situation_material, i.theme_id, d.outcome, d.reason
           FROM consultation_inputs i JOIN organisations o ON o.id = i.org_id
           LEFT JOIN consultation_questions q ON q.id = i.question_id
           LEFT JOIN consultation_dispositions d ON d.input_id = i.id
          WHERE i.consultation_id = $1 ORDER BY q.position, i.created_at, i.id",
        args![h.id],
        |r| {
            Ok(ItemRow {
                id: r.get("id")?,
                question: r.get("question")?,
                text: r.get("text")?,
                named: r.get("named")?,
                lagesbild: r.get("situation_material")?,
                theme_id: r.get("theme_id")?,
                outcome: r.get("outcome")?,
                reason: r.get("reason")?,
            })
        },
    )?;
    let stored: Vec<(i64, String, i64)> = db.map_all(
        "SELECT l.input_id, l.target_kind, l.target_id FROM consultation_disposition_links l
           JOIN consultation_inputs i ON i.id = l.input_id WHERE i.consultation_id = $1 ORDER BY l.input_id, l.target_kind, l.target_id",
        args![h.id],
        |r| Ok((r.get("input_id")?, r.get("target_kind")?, r.get("target_id")?)),
    )?;
    let mut resolved: HashMap<(String, i64), DocLink> = HashMap::new();
    let mut links: HashMap<i64, Vec<DocLink>> = HashMap::new();
    for (input, kind, id) in stored {
        let key = (kind.clone(), id);
        if !resolved.contains_key(&key) {
            let (title, href) = match kind.as_str() {
                "action" => (None, None),
                _ => match dispositions::resolve(db, v, &kind, id)? {
                    Some((t, href)) => (Some(t), Some(href)),
                    None => (None, None),
                },
            };
            resolved.insert(key.clone(), DocLink { kind_label: target_label(&kind).to_owned(), kind, id, title, href });
        }
        links.entry(input).or_default().push(resolved[&key].clone());
    }

    let mut counts = Counts::default();
    let confirmed: HashMap<i64, usize> = themes.iter().enumerate().map(|(k, t)| (t.0, k)).collect();
    let mut out: Vec<DocTheme> = themes.iter().map(|(_, n, s)| DocTheme { name: n.clone(), summary: s.clone(), items: vec![] }).collect();
    let mut rest = DocTheme { name: REST_THEME.to_owned(), summary: None, items: vec![] };
    for it in items {
        counts.items += 1;
        match it.outcome.as_deref() {
            Some("adopted") => counts.adopted += 1,
            Some("partly") => counts.partly += 1,
            Some("not_adopted") => counts.not_adopted += 1,
            Some("for_information") => counts.for_information += 1,
            _ => counts.undecided += 1,
        }
        let item = DocItem {
            input_id: it.id,
            question: it.question,
            text: it.text,
            attribution: it.named,
            lagesbild: it.lagesbild,
            outcome_label: it.outcome.as_deref().map(|o| outcome_label(o).to_owned()),
            outcome: it.outcome,
            reason: it.reason,
            links: links.remove(&it.id).unwrap_or_default(),
        };
        match it.theme_id.and_then(|t| confirmed.get(&t)) {
            Some(&k) => out[k].items.push(item),
            None => rest.items.push(item),
        }
    }
    if !rest.items.is_empty() {
        out.push(rest);
    }
    Ok(Compiled {
        consultation_id: h.id,
        title: h.title.clone(),
        organiser: h.lead_org_name.clone(),
        meets_at: h.meets_at,
        version: 0,
        published_at: None,
        note: None,
        participants,
        questions,
        counts,
        themes: out,
    })
}

/// The document as it would be published now (for those who may conclude the consultation).
pub fn preview(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Compiled> {
    let h = head::concluding(db, v, consultation_id)?;
    build(db, v, &h)
}

/// The published versions, newest first (for whoever may read the consultation).
pub fn versions(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Vec<Version>> {
    head::readable(db, v, consultation_id)?;
    Ok(db.map_all(
        "SELECT version, published_at, note FROM consultation_documents WHERE consultation_id = $1 ORDER BY version DESC",
        args![consultation_id],
        |r| Ok(Version { version: r.get("version")?, published_at: r.get("published_at")?, note: r.get("note")? }),
    )?)
}

/// One published version (`None` for the newest), as frozen when published.
pub fn published(db: &mut dyn Conn, v: &Viewer, consultation_id: i64, version: Option<i64>) -> StoreResult<Compiled> {
    head::readable(db, v, consultation_id)?;
    let body: Option<String> = match version {
        Some(n) => {
            db.scalar_opt("SELECT body FROM consultation_documents WHERE consultation_id = $1 AND version = $2", args![consultation_id, n])?
        }
        None => db.scalar_opt(
            "SELECT body FROM consultation_documents WHERE consultation_id = $1 ORDER BY version DESC LIMIT 1",
            args![consultation_id],
        )?,
    };
    let body = body.ok_or(StoreError::not_found("document"))?;
    serde_json::from_str(&body).map_err(|e| StoreError::Internal(format!("consultation document {consultation_id}: {e}")))
}

/// What publishing sends: the form's note.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// What changed since the last version (optional).
    pub note: Option<String>,
}

/// Publishes the documentation as the next version and e-mails every participant. Refused for
/// a draft consultation and for one without any input.
pub fn publish(db: &mut dyn Conn, v: &Viewer, post: &Postmark, consultation_id: i64, input: &PublishInput) -> StoreResult<Compiled> {
    let h = head::concluding(db, v, consultation_id)?;
    let mut errs = FieldErrors::new();
    let note = clean_text(&mut errs, &NOTE, input.note.as_deref());
    if h.status == "draft" {
        errs.push(FieldError::new(
            "consultation",
            "consultation.draft",
            "Samrådet är ett utkast. Öppna det för deltagarna innan du publicerar dokumentationen.",
        ));
    }
    errs.into_result()?;
    let mut doc = build(db, v, &h)?;
    if doc.counts.items == 0 {
        return Err(StoreError::invalid(FieldError::new(
            "consultation",
            "consultation.no_input",
            "Samrådet har inga medskick än. Dokumentationen kan publiceras när det finns medskick att sammanställa.",
        )));
    }
    let now = now_ms();
    doc.version =
        db.scalar::<i64>("SELECT COALESCE(MAX(version), 0) + 1 FROM consultation_documents WHERE consultation_id = $1", args![h.id])?;
    doc.published_at = Some(now);
    doc.note = note.flatten();
    let body = serde_json::to_string(&doc).map_err(|e| StoreError::Internal(e.to_string()))?;
    db.execute(
        "INSERT INTO consultation_documents (consultation_id, version, body, note, published_at, published_by_user_id) VALUES ($1, $2, $3, $4, $5, $6)",
        args![h.id, doc.version, body, doc.note.clone(), now, v.user_id()],
    )?;
    audit::record(db, v, Event::new("consultation.publish").record("consultation", h.id).orgs(&h.organisers))?;
    for (user_id, email) in recipients(db, h.id)? {
        let Ok(to) = brygga_domain::account::Email::parse(&email) else { continue };
        let c = &doc.counts;
        let body = format!(
            "Hej!\n\n{org} har publicerat dokumentationen från samrådet ”{title}” (version {version}).\n\n\
             {items} medskick: {adopted} omhändertagna, {partly} delvis, {not} inte omhändertagna, {info} för kännedom, {undecided} utan besked än.\n\n\
             Läs dokumentationen: {doc_link}\n\
             Se vad som blev av era egna medskick: {mine}\n\n\
             Du får det här meddelandet för att du deltog i samrådet.\n",
            org = h.lead_org_name,
            title = h.title,
            version = doc.version,
            items = c.items,
            adopted = c.adopted,
            partly = c.partly,
            not = c.not_adopted,
            info = c.for_information,
            undecided = c.undecided,
            doc_link = post.link(&format!("/samrad/{}/dokumentation/{}", h.id, doc.version)),
            mine = post.link("/mina-medskick"),
        );
        let mail = NewMail {
            kind: MAIL_KIND,
            to,
            to_user_id: Some(user_id),
            subject: format!("Dokumentation från samrådet: {}", h.title),
            body,
            list_unsubscribe: None,
        };
        mail::enqueue(db, &mail, &post.host, now)?;
    }
    Ok(doc)
}

/// Everyone a publication is sent to: registered persons, authors of input, and the
/// coordinators and administrators of organisations whose input a note-taker entered.
fn recipients(db: &mut dyn Conn, consultation_id: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(db.map_all(
        "SELECT u.id, u.email FROM users u WHERE u.id IN (
            SELECT user_id FROM consultation_registrations WHERE consultation_id = $1 AND cancelled_at IS NULL
            UNION SELECT author_user_id FROM consultation_inputs WHERE consultation_id = $1 AND author_user_id IS NOT NULL
            UNION SELECT m.user_id FROM consultation_inputs i JOIN memberships m ON m.org_id = i.org_id
                   WHERE i.consultation_id = $1 AND i.author_user_id IS NULL AND m.role IN ('administrator', 'coordinator'))
         ORDER BY u.id",
        args![consultation_id],
        |r| Ok((r.get("id")?, r.get("email")?)),
    )?)
}

/// Sends the outcome of the newest published version as a newsletter issue of the kind
/// `consultation_outcome` to a list the viewer manages (`dialogue::newsletters`, with its
/// one-click unsubscribe): the counts per outcome and per theme. The items themselves stay in
/// the documentation, which only participants read. Refused before the first publication.
pub fn send_outcome_digest(
    db: &mut dyn Conn,
    v: &Viewer,
    post: &Postmark,
    consultation_id: i64,
    list_id: Option<i64>,
) -> StoreResult<crate::dialogue::newsletters::Issue> {
    use crate::dialogue::newsletters::{self, IssueInput, IssueKind};
    let h = head::concluding(db, v, consultation_id)?;
    let Some(list_id) = list_id else {
        return Err(StoreError::invalid(FieldError::new("list_id", "required", "Välj nyhetsbrevet som resultatet ska skickas till.")));
    };
    let doc = match published(db, v, h.id, None) {
        Ok(doc) => doc,
        Err(StoreError::NotFound { .. }) => {
            return Err(StoreError::invalid(FieldError::new(
                "consultation",
                "consultation.unpublished",
                "Dokumentationen är inte publicerad än. Publicera den först; utskicket bygger på den publicerade versionen.",
            )));
        }
        Err(e) => return Err(e),
    };
    let c = &doc.counts;
    let mut body = format!(
        "{org} har sammanställt samrådet ”{title}” (version {version}).\n\n\
         {items} medskick: {adopted} omhändertagna, {partly} delvis, {not} inte omhändertagna, {info} för kännedom, {undecided} utan besked än.\n\nTeman:\n",
        org = doc.organiser,
        title = doc.title,
        version = doc.version,
        items = c.items,
        adopted = c.adopted,
        partly = c.partly,
        not = c.not_adopted,
        info = c.for_information,
        undecided = c.undecided,
    );
    for t in &doc.themes {
        let adopted = t.items.iter().filter(|i| matches!(i.outcome.as_deref(), Some("adopted" | "partly"))).count();
        body.push_str(&format!("- {}: {} medskick, {} helt eller delvis omhändertagna\n", t.name, t.items.len(), adopted));
    }
    body.push_str(&format!(
        "\nDeltagarna i samrådet läser hela dokumentationen, med besked om varje medskick, i Brygga: {}\n",
        post.link(&format!("/samrad/{}/dokumentation/{}", h.id, doc.version))
    ));
    let input = IssueInput { subject: format!("Resultatet av samrådet: {}", doc.title), body };
    let issue = newsletters::create_issue(db, v, list_id, &input, IssueKind::ConsultationOutcome, Some(h.id))?;
    newsletters::send_issue(db, v, post, issue.id)
}
