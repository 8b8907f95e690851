//! Newsletters (nyhetsbrev): lists, subscriptions with double opt-in and a one-click
//! unsubscribe (RFC 8058), and issues sent through the outbox, one message per recipient.
//!
//! A **list** belongs to an organisation. Either it goes to a **network's members**
//! (`actors::networks`: the users of current member organisations and the network's persons
//! with an address), or it is an **opt-in list** that people subscribe to: signed-in users with
//! one click (confirmed at once: their address is their account's), anyone else with an
//! address through the public form, confirmed by a link sent to that address (double opt-in;
//! nothing is sent before it is confirmed). Every recipient has a subscription row with its own
//! token (`kernel::secret`): the confirm link and the unsubscribe URL carry it, and a message
//! carries `List-Unsubscribe` / `List-Unsubscribe-Post` headers with that URL.
//!
//! **Who may read, write and be notified.**
//! - *Read*: a list's name and description — an opt-in list's by everyone (they subscribe to
//!   it), a network list's by the owner's users only; its subscribers and issues by the owner's
//!   users only ([`sharing::newsletter_list_managed`]). A subscriber sees their own
//!   subscriptions (account page); an unrelated user sees nothing of a network list and no
//!   subscriber of any list. System administrators get no exception.
//! - *Write*: the owner's coordinators create lists, write and send issues
//!   ([`Permission::ManageNewsletter`]); audited (`newsletter.*`). Subscribing and unsubscribing
//!   are the subscriber's own (the token is the proof), audited without the address.
//! - *Notified*: the recipients of an issue, once per issue (sending twice does nothing). An
//!   unsubscribed or unconfirmed address is never mailed. Addresses are never logged.

use brygga_domain::account::Email;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::kernel::secret::random_token;
use crate::kernel::sharing;
use crate::{Viewer, args, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Listans namn", 200);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).multiline().optional();
pub const SUBJECT: TextRule = TextRule::line("subject", "Ämnesraden", 200);
pub const BODY: TextRule = TextRule::line("body", "Texten", 20_000).multiline();

/// The mail kinds of newsletters: an issue, and the double opt-in confirmation.
pub const ISSUE_MAIL_KIND: &str = "newsletter";
pub const CONFIRM_MAIL_KIND: &str = "newsletter_confirm";

/// One list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsletterList {
    pub id: i64,
    pub owner_org_id: i64,
    pub owner_name: String,
    pub name: String,
    pub description: Option<String>,
    /// Set: the list goes to this network's members; `None`: an opt-in list.
    pub network_id: Option<i64>,
    pub network_name: Option<String>,
    pub version: i64,
}

impl NewsletterList {
    pub fn opt_in(&self) -> bool {
        self.network_id.is_none()
    }
}

const LIST_SELECT: &str =
    "SELECT l.id, l.owner_org_id, o.name AS owner_name, l.name, l.description, l.network_id, n.name AS network_name, l.version
     FROM newsletter_lists l JOIN organisations o ON o.id = l.owner_org_id LEFT JOIN networks n ON n.id = l.network_id";

impl FromRow for NewsletterList {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            owner_org_id: r.get("owner_org_id")?,
            owner_name: r.get("owner_name")?,
            name: r.get("name")?,
            description: r.get("description")?,
            network_id: r.get("network_id")?,
            network_name: r.get("network_name")?,
            version: r.get("version")?,
        })
    }
}

fn fetch_list(db: &mut dyn Conn, id: i64) -> StoreResult<NewsletterList> {
    db.opt(&format!("{LIST_SELECT} WHERE l.id = $1"), args![id])?.ok_or(StoreError::not_found("newsletter_list"))
}

/// The list, if the viewer may read it: an opt-in list by anyone, a network list by the
/// owner's users.
pub fn get_list(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<NewsletterList> {
    let l = fetch_list(db, id)?;
    if sharing::can_read_newsletter_list(v, l.owner_org_id, l.opt_in()) { Ok(l) } else { Err(StoreError::not_found("newsletter_list")) }
}

/// The lists the viewer's organisations own, and every opt-in list (to subscribe to).
pub fn lists(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<NewsletterList>> {
    let sql = format!(
        "{LIST_SELECT} WHERE ({} OR l.network_id IS NULL) ORDER BY o.name_key, l.name, l.id",
        sharing::newsletter_list_managed(db.dialect(), "l", 1)
    );
    Ok(db.all(&sql, &[sharing::newsletter_args(v)])?)
}

fn require_manager(v: &Viewer, l: &NewsletterList) -> StoreResult<()> {
    if allowed(v, Permission::ManageNewsletter { org: l.owner_org_id }) {
        Ok(())
    } else if v.role_in(l.owner_org_id).is_some() || l.opt_in() {
        Err(StoreError::Forbidden)
    } else {
        Err(StoreError::not_found("newsletter_list"))
    }
}

/// What a form or API call sends to create a list.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The owning organisation (its coordinators); by default the viewer's first.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// A network the owner owns: the list goes to its members. Empty: an opt-in list.
    #[serde(default)]
    pub network_id: Option<i64>,
}

/// Creates a list (the owner's coordinators).
pub fn create_list(db: &mut dyn Conn, v: &Viewer, input: &ListInput) -> StoreResult<NewsletterList> {
    let owner = match input.owner_org_id {
        Some(o) => o,
        None => v.org_ids().into_iter().find(|o| allowed(v, Permission::ManageNewsletter { org: *o })).ok_or(StoreError::Forbidden)?,
    };
    if !allowed(v, Permission::ManageNewsletter { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let name = clean_text(&mut errs, &NAME, Some(&input.name));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    if let Some(n) = input.network_id {
        let owned: i64 = db.scalar("SELECT COUNT(*) FROM networks WHERE id = $1 AND owner_org_id = $2", args![n, owner])?;
        if owned == 0 {
            errs.push(FieldError::new(
                "network_id",
                "newsletter.network_unknown",
                "Nätverket finns inte eller ägs inte av er organisation. Välj ett av organisationens nätverk, eller inget för en lista som man anmäler sig till.",
            ));
        }
    }
    errs.into_result()?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO newsletter_lists (owner_org_id, name, description, network_id, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        args![owner, name.flatten().expect("checked").as_str(), description.flatten().as_deref(), input.network_id, v.user_id(), now],
    )?;
    audit::record(db, v, Event::new("newsletter.list_create").record("newsletter_list", id).org(owner))?;
    fetch_list(db, id)
}

// --- Subscriptions --------------------------------------------------------------------------

/// One subscription as its subscriber (or the list's managers) see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub id: i64,
    pub list_id: i64,
    pub list_name: String,
    pub email: String,
    pub confirmed: bool,
    pub unsubscribed: bool,
    /// The unsubscribe path (`/nyhetsbrev/avregistrera/{token}`), for the subscriber only.
    #[serde(skip)]
    pub token: String,
}

const SUB_SELECT: &str = "SELECT s.id, s.list_id, l.name AS list_name, s.email, s.confirmed_at, s.unsubscribed_at, s.token
     FROM newsletter_subscriptions s JOIN newsletter_lists l ON l.id = s.list_id";

impl FromRow for Subscription {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            list_id: r.get("list_id")?,
            list_name: r.get("list_name")?,
            email: r.get("email")?,
            confirmed: r.get::<Option<i64>>("confirmed_at")?.is_some(),
            unsubscribed: r.get::<Option<i64>>("unsubscribed_at")?.is_some(),
            token: r.get("token")?,
        })
    }
}

/// The viewer's own subscriptions (by its account or its account's address), current ones.
pub fn my_subscriptions(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Subscription>> {
    let Some(user) = v.user_id() else { return Ok(Vec::new()) };
    Ok(db.all(
        &format!(
            "{SUB_SELECT} WHERE (s.user_id = $1 OR s.email = (SELECT email FROM users WHERE id = $1)) AND s.unsubscribed_at IS NULL
             ORDER BY l.name, s.id"
        ),
        args![user],
    )?)
}

/// The current subscribers of a list (the owner's coordinators).
pub fn subscribers(db: &mut dyn Conn, v: &Viewer, list_id: i64) -> StoreResult<Vec<Subscription>> {
    let l = get_list(db, v, list_id)?;
    require_manager(v, &l)?;
    Ok(db.all(&format!("{SUB_SELECT} WHERE s.list_id = $1 AND s.unsubscribed_at IS NULL ORDER BY s.email"), args![list_id])?)
}

fn new_token() -> String {
    random_token(32).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Subscribes the signed-in viewer's own address to an opt-in list, confirmed at once (it is
/// their account's address). Subscribing again after unsubscribing starts anew.
pub fn subscribe_self(db: &mut dyn Conn, v: &Viewer, list_id: i64) -> StoreResult<Subscription> {
    let l = get_list(db, v, list_id)?;
    let Some(user) = v.user_id() else { return Err(StoreError::Forbidden) };
    if !l.opt_in() {
        return Err(StoreError::Forbidden);
    }
    let email: String = db.scalar("SELECT email FROM users WHERE id = $1", args![user])?;
    let now = now_ms();
    let existing: Option<i64> =
        db.scalar_opt("SELECT id FROM newsletter_subscriptions WHERE list_id = $1 AND email = $2", args![list_id, email.as_str()])?;
    let id = match existing {
        Some(id) => {
            db.execute(
                "UPDATE newsletter_subscriptions SET user_id = $1, confirmed_at = COALESCE(confirmed_at, $2), unsubscribed_at = NULL WHERE id = $3",
                args![user, now, id],
            )?;
            id
        }
        None => db.scalar(
            "INSERT INTO newsletter_subscriptions (list_id, email, user_id, token, confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            args![list_id, email.as_str(), user, new_token(), now],
        )?,
    };
    audit::record(db, v, Event::new("newsletter.subscribe").record("newsletter_list", list_id).org(l.owner_org_id))?;
    Ok(db.opt(&format!("{SUB_SELECT} WHERE s.id = $1"), args![id])?.expect("just written"))
}

/// Anyone subscribes an address to an opt-in list through the public form: a confirmation
/// link goes to the address, and nothing else is sent until it is followed. An address already
/// confirmed gets nothing (the answer is the same, so the form tells nobody who subscribes).
pub fn subscribe_email(db: &mut dyn Conn, v: &Viewer, post: &Postmark, list_id: i64, email: &str) -> StoreResult<()> {
    let l = get_list(db, v, list_id)?;
    if !l.opt_in() {
        return Err(StoreError::not_found("newsletter_list"));
    }
    let email = Email::parse(email).map_err(|e| StoreError::Invalid(e.into()))?;
    let now = now_ms();
    let existing: Option<(i64, String, Option<i64>, Option<i64>)> = db.map_opt(
        "SELECT id, token, confirmed_at, unsubscribed_at FROM newsletter_subscriptions WHERE list_id = $1 AND email = $2",
        args![list_id, email.as_str()],
        |r| Ok((r.get("id")?, r.get("token")?, r.get("confirmed_at")?, r.get("unsubscribed_at")?)),
    )?;
    let token = match existing {
        Some((_, _, Some(_), None)) => return Ok(()),
        Some((id, _, _, _)) => {
            // Unconfirmed, or unsubscribed before: a fresh token and a fresh confirmation.
            let token = new_token();
            db.execute(
                "UPDATE newsletter_subscriptions SET token = $1, confirmed_at = NULL, unsubscribed_at = NULL WHERE id = $2",
                args![token.as_str(), id],
            )?;
            token
        }
        None => {
            let token = new_token();
            db.execute(
                "INSERT INTO newsletter_subscriptions (list_id, email, token, created_at) VALUES ($1, $2, $3, $4)",
                args![list_id, email.as_str(), token.as_str(), now],
            )?;
            token
        }
    };
    let body = format!(
        "Hej!\n\nNågon, förhoppningsvis du, har anmält den här adressen till nyhetsbrevet ”{}” från {}.\n\nBekräfta prenumerationen här:\n{}/nyhetsbrev/bekrafta/{token}\n\nOm det inte var du behöver du inte göra något: utan bekräftelse skickar vi ingenting mer.\n",
        l.name, l.owner_name, post.base_url
    );
    let m = NewMail {
        kind: CONFIRM_MAIL_KIND,
        to: email,
        to_user_id: None,
        subject: format!("Bekräfta prenumerationen på {}", l.name),
        body,
        list_unsubscribe: None,
    };
    mail::enqueue(db, &m, &post.host, now)?;
    audit::record(db, v, Event::new("newsletter.subscribe_requested").record("newsletter_list", list_id).org(l.owner_org_id))?;
    Ok(())
}

/// What a token's page shows: the list's name and the subscription's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenState {
    pub list_name: String,
    pub owner_name: String,
    pub confirmed: bool,
    pub unsubscribed: bool,
}

/// The subscription behind a token (`None`: no such token).
pub fn by_token(db: &mut dyn Conn, token: &str) -> StoreResult<Option<TokenState>> {
    Ok(db.map_opt(
        "SELECT l.name AS list_name, o.name AS owner_name, s.confirmed_at, s.unsubscribed_at FROM newsletter_subscriptions s
         JOIN newsletter_lists l ON l.id = s.list_id JOIN organisations o ON o.id = l.owner_org_id WHERE s.token = $1",
        args![token],
        |r| {
            Ok(TokenState {
                list_name: r.get("list_name")?,
                owner_name: r.get("owner_name")?,
                confirmed: r.get::<Option<i64>>("confirmed_at")?.is_some(),
                unsubscribed: r.get::<Option<i64>>("unsubscribed_at")?.is_some(),
            })
        },
    )?)
}

/// Confirms a subscription by its token (double opt-in). An unknown token is not found.
pub fn confirm(db: &mut dyn Conn, v: &Viewer, token: &str) -> StoreResult<TokenState> {
    let (id, list_id, owner): (i64, i64, i64) = db
        .map_opt(
            "SELECT s.id, s.list_id, l.owner_org_id FROM newsletter_subscriptions s JOIN newsletter_lists l ON l.id = s.list_id WHERE s.token = $1",
            args![token],
            |r| Ok((r.get("id")?, r.get("list_id")?, r.get("owner_org_id")?)),
        )?
        .ok_or(StoreError::not_found("newsletter_subscription"))?;
    db.execute(
        "UPDATE newsletter_subscriptions SET confirmed_at = COALESCE(confirmed_at, $1), unsubscribed_at = NULL WHERE id = $2",
        args![now_ms(), id],
    )?;
    audit::record(db, v, Event::new("newsletter.confirm").record("newsletter_list", list_id).org(owner))?;
    Ok(by_token(db, token)?.expect("exists"))
}

/// Unsubscribes by token, with no login (RFC 8058's one click). Idempotent; an unknown token is
/// not found.
pub fn unsubscribe(db: &mut dyn Conn, v: &Viewer, token: &str) -> StoreResult<TokenState> {
    let (id, list_id, owner): (i64, i64, i64) = db
        .map_opt(
            "SELECT s.id, s.list_id, l.owner_org_id FROM newsletter_subscriptions s JOIN newsletter_lists l ON l.id = s.list_id WHERE s.token = $1",
            args![token],
            |r| Ok((r.get("id")?, r.get("list_id")?, r.get("owner_org_id")?)),
        )?
        .ok_or(StoreError::not_found("newsletter_subscription"))?;
    if db.execute(
        "UPDATE newsletter_subscriptions SET unsubscribed_at = $1 WHERE id = $2 AND unsubscribed_at IS NULL",
        args![now_ms(), id],
    )? > 0
    {
        audit::record(db, v, Event::new("newsletter.unsubscribe").record("newsletter_list", list_id).org(owner))?;
    }
    Ok(by_token(db, token)?.expect("exists"))
}

// --- Issues ---------------------------------------------------------------------------------

/// The kind of an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    General,
    /// A consultation's outcome digest, naming the consultation.
    ConsultationOutcome,
}

impl IssueKind {
    pub fn code(self) -> &'static str {
        match self {
            IssueKind::General => "general",
            IssueKind::ConsultationOutcome => "consultation_outcome",
        }
    }
}

/// One issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    pub id: i64,
    pub list_id: i64,
    /// `general` or `consultation_outcome`.
    pub kind: String,
    pub consultation_id: Option<i64>,
    pub subject: String,
    pub body: String,
    pub sent_at_ms: Option<i64>,
    pub recipient_count: i64,
}

const ISSUE_SELECT: &str = "SELECT id, list_id, kind, consultation_id, subject, body, sent_at, recipient_count FROM newsletter_issues";

impl FromRow for Issue {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            list_id: r.get("list_id")?,
            kind: r.get("kind")?,
            consultation_id: r.get("consultation_id")?,
            subject: r.get("subject")?,
            body: r.get("body")?,
            sent_at_ms: r.get("sent_at")?,
            recipient_count: r.get("recipient_count")?,
        })
    }
}

/// The issues of a list (the owner's coordinators), newest first.
pub fn issues(db: &mut dyn Conn, v: &Viewer, list_id: i64) -> StoreResult<Vec<Issue>> {
    let l = get_list(db, v, list_id)?;
    require_manager(v, &l)?;
    Ok(db.all(&format!("{ISSUE_SELECT} WHERE list_id = $1 ORDER BY id DESC"), args![list_id])?)
}

/// What a form or API call sends to write an issue.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub subject: String,
    pub body: String,
}

/// Writes an issue of `kind` (the owner's coordinators); `consultation_id` names the
/// consultation of an outcome digest. Not sent yet.
pub fn create_issue(
    db: &mut dyn Conn,
    v: &Viewer,
    list_id: i64,
    input: &IssueInput,
    kind: IssueKind,
    consultation_id: Option<i64>,
) -> StoreResult<Issue> {
    let l = get_list(db, v, list_id)?;
    require_manager(v, &l)?;
    let mut errs = FieldErrors::new();
    let subject = clean_text(&mut errs, &SUBJECT, Some(&input.subject));
    let body = clean_text(&mut errs, &BODY, Some(&input.body));
    if (kind == IssueKind::ConsultationOutcome) != consultation_id.is_some() {
        errs.push(FieldError::new(
            "consultation_id",
            "newsletter.consultation",
            "Ett utskick om ett samråds resultat ska ange samrådet, och bara ett sådant utskick.",
        ));
    }
    errs.into_result()?;
    let id: i64 = db.scalar(
        "INSERT INTO newsletter_issues (list_id, kind, consultation_id, subject, body, created_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![
            list_id,
            kind.code(),
            consultation_id,
            subject.flatten().expect("checked").as_str(),
            body.flatten().expect("checked").as_str(),
            v.user_id(),
            now_ms()
        ],
    )?;
    audit::record(db, v, Event::new("newsletter.issue_create").record("newsletter_list", list_id).org(l.owner_org_id))?;
    Ok(db.opt(&format!("{ISSUE_SELECT} WHERE id = $1"), args![id])?.expect("just written"))
}

/// Makes sure every current member of a network list has a confirmed subscription row (its
/// token), leaving alone those who unsubscribed.
fn sync_network(db: &mut dyn Conn, list_id: i64, network_id: i64, now: i64) -> StoreResult<()> {
    let today = brygga_domain::time::today().to_string();
    let people: Vec<(String, Option<i64>)> = db.map_all(
        "SELECT u.email, u.id FROM network_members nm JOIN memberships m ON m.org_id = nm.org_id JOIN users u ON u.id = m.user_id
         WHERE nm.network_id = $1 AND (nm.ceased_on IS NULL OR nm.ceased_on >= $2)
         UNION SELECT nm.email, NULL FROM network_members nm
         WHERE nm.network_id = $1 AND nm.email IS NOT NULL AND (nm.ceased_on IS NULL OR nm.ceased_on >= $2)",
        args![network_id, today.as_str()],
        |r| Ok((r.get("email")?, r.get("id")?)),
    )?;
    for (email, user) in people {
        let Ok(email) = Email::parse(&email) else { continue };
        let known: i64 =
            db.scalar("SELECT COUNT(*) FROM newsletter_subscriptions WHERE list_id = $1 AND email = $2", args![list_id, email.as_str()])?;
        if known == 0 {
            db.execute(
                "INSERT INTO newsletter_subscriptions (list_id, email, user_id, token, confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)",
                args![list_id, email.as_str(), user, new_token(), now],
            )?;
        }
    }
    Ok(())
}

/// Sends an issue (the owner's coordinators): one outbox message per confirmed, subscribed
/// address, each with its own unsubscribe URL. Sending an issue that was sent does nothing.
pub fn send_issue(db: &mut dyn Conn, v: &Viewer, post: &Postmark, issue_id: i64) -> StoreResult<Issue> {
    let issue: Issue =
        db.opt(&format!("{ISSUE_SELECT} WHERE id = $1"), args![issue_id])?.ok_or(StoreError::not_found("newsletter_issue"))?;
    let l = get_list(db, v, issue.list_id).map_err(|_| StoreError::not_found("newsletter_issue"))?;
    require_manager(v, &l)?;
    if issue.sent_at_ms.is_some() {
        return Ok(issue);
    }
    let now = now_ms();
    if let Some(n) = l.network_id {
        sync_network(db, l.id, n, now)?;
    }
    let recipients: Vec<(i64, String, Option<i64>, String)> = db.map_all(
        "SELECT s.id, s.email, s.user_id, s.token FROM newsletter_subscriptions s WHERE s.list_id = $1 AND s.confirmed_at IS NOT NULL
         AND s.unsubscribed_at IS NULL AND NOT EXISTS (SELECT 1 FROM newsletter_deliveries d WHERE d.issue_id = $2 AND d.subscription_id = s.id)
         ORDER BY s.id",
        args![l.id, issue_id],
        |r| Ok((r.get("id")?, r.get("email")?, r.get("user_id")?, r.get("token")?)),
    )?;
    let mut sent = 0_i64;
    for (sub, email, user, token) in recipients {
        let Ok(to) = Email::parse(&email) else { continue };
        let url = format!("{}/nyhetsbrev/avregistrera/{token}", post.base_url);
        let m = NewMail {
            kind: ISSUE_MAIL_KIND,
            to,
            to_user_id: user,
            subject: issue.subject.clone(),
            body: format!(
                "{}\n\n-- \nDu får det här nyhetsbrevet från {} (”{}”). Avregistrera dig med ett klick:\n{url}\n",
                issue.body, l.owner_name, l.name
            ),
            list_unsubscribe: Some(url),
        };
        let q = mail::enqueue(db, &m, &post.host, now)?;
        db.execute(
            "INSERT INTO newsletter_deliveries (issue_id, subscription_id, outbox_id) VALUES ($1, $2, $3)",
            args![issue_id, sub, q.id],
        )?;
        sent += 1;
    }
    db.execute(
        "UPDATE newsletter_issues SET sent_at = $1, sent_by_user_id = $2, recipient_count = $3 WHERE id = $4 AND sent_at IS NULL",
        args![now, v.user_id(), sent, issue_id],
    )?;
    audit::record(db, v, Event::new("newsletter.issue_send").record("newsletter_list", l.id).org(l.owner_org_id))?;
    Ok(db.opt(&format!("{ISSUE_SELECT} WHERE id = $1"), args![issue_id])?.expect("exists"))
}

/// (id, name) choices for a form.
pub type Choices = Vec<(i64, String)>;

/// The organisations the viewer may create lists for (coordinators), with their networks.
pub fn owner_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<(Choices, Choices)> {
    let ids: Vec<i64> = v.org_ids().into_iter().filter(|o| allowed(v, Permission::ManageNewsletter { org: *o })).collect();
    let mut orgs = Vec::new();
    let mut networks = Vec::new();
    for o in ids {
        orgs.push((o, db.scalar::<String>("SELECT name FROM organisations WHERE id = $1", args![o])?));
        networks.extend(db.map_all("SELECT id, name FROM networks WHERE owner_org_id = $1 ORDER BY name", args![o], |r| {
            Ok((r.get::<i64>("id")?, r.get::<String>("name")?))
        })?);
    }
    Ok((orgs, networks))
}
