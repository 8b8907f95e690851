//! Accounts and memberships. A user belongs to organisations with one role in each; a system
//! administrator runs the installation. Passwords are argon2id hashes (see `auth`).

use brygga_domain::account::Email;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors, Role};
use serde::{Deserialize, Serialize};

use crate::accounts::preferences;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sql::Query;
use crate::{Action, Page, Viewer, args, kernel::access, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 120).contact_detail();

/// An account as shown to administrators and to the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub system_admin: bool,
    pub memberships: Vec<UserMembership>,
    pub created_at_ms: i64,
    pub last_login_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserMembership {
    pub org_id: i64,
    pub org_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "coordinator"))]
    pub role: Role,
}

impl FromRow for UserMembership {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let role: String = r.get("role")?;
        Ok(Self {
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            role: Role::from_code(&role).ok_or_else(|| DbError::Decode(format!("role {role}")))?,
        })
    }
}

struct UserRow {
    id: i64,
    email: String,
    name: String,
    system_admin: bool,
    created_at_ms: i64,
    last_login_at_ms: Option<i64>,
}

/// The columns [`UserRow::from_row`] decodes, by these names.
const USER_COLUMNS: &str = "u.id, u.email, u.name, u.system_admin, u.created_at, u.last_login_at";

impl FromRow for UserRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            email: r.get("email")?,
            name: r.get("name")?,
            system_admin: r.get("system_admin")?,
            created_at_ms: r.get("created_at")?,
            last_login_at_ms: r.get("last_login_at")?,
        })
    }
}

fn with_memberships(db: &mut dyn Conn, rows: Vec<UserRow>) -> StoreResult<Vec<User>> {
    rows.into_iter()
        .map(|u| {
            let memberships = db.all(
                "SELECT o.id AS org_id, o.name AS org_name, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY o.name_key",
                args![u.id],
            )?;
            Ok(User { id: u.id, email: u.email, name: u.name, system_admin: u.system_admin, memberships, created_at_ms: u.created_at_ms, last_login_at_ms: u.last_login_at_ms })
        })
        .collect()
}

/// Whom the viewer may see as accounts: everyone for system administrators, otherwise the
/// members of organisations the viewer administers, plus the viewer.
fn may_see(v: &Viewer, u: &User) -> bool {
    v.is_system_admin()
        || v.user_id() == Some(u.id)
        || u.memberships.iter().any(|m| access::allowed(v, Action::ManageMembers { org: m.org_id }))
}

pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<User> {
    let row: UserRow =
        db.opt(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"), args![id])?.ok_or(StoreError::not_found("user"))?;
    let user = with_memberships(db, vec![row])?.remove(0);
    if may_see(v, &user) { Ok(user) } else { Err(StoreError::not_found("user")) }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filter {
    /// Only members of this organisation.
    pub org_id: Option<i64>,
    pub q: Option<String>,
    pub after: Option<i64>,
    pub limit: Option<usize>,
}

/// Accounts the viewer may manage, by id.
pub fn list(db: &mut dyn Conn, v: &Viewer, f: &Filter) -> StoreResult<Page<User>> {
    let limit = f.limit.unwrap_or(100).clamp(1, 500);
    let mut q = Query::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE 1=1"));
    match f.org_id {
        Some(org) => {
            access::require(v, Action::ManageMembers { org })?;
            q.push(" AND u.id IN (SELECT user_id FROM memberships WHERE org_id = ?)", [org.into()]);
        }
        None if v.is_system_admin() => {}
        None => {
            let orgs: Vec<i64> = v.org_ids().into_iter().filter(|o| access::allowed(v, Action::ManageMembers { org: *o })).collect();
            if orgs.is_empty() {
                return Err(StoreError::Forbidden);
            }
            let n = q.next_param();
            q.push_numbered(
                &format!(" AND u.id IN (SELECT user_id FROM memberships WHERE {})", db.dialect().in_list("org_id", n)),
                [orgs.into()],
            );
        }
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = format!("%{}%", text.to_lowercase().replace(['%', '_', '\\'], ""));
        q.push(" AND (lower(u.email) LIKE ? OR lower(u.name) LIKE ?)", [like.clone().into(), like.into()]);
    }
    if let Some(after) = f.after {
        q.push(" AND u.id > ?", [after.into()]);
    }
    q.raw(&format!(" ORDER BY u.id LIMIT {}", limit + 1));
    let mut rows: Vec<UserRow> = db.all(&q.sql, &q.params)?;
    let next = (rows.len() > limit).then(|| {
        rows.truncate(limit);
        rows.last().map(|u| u.id.to_string())
    });
    Ok(Page { items: with_memberships(db, rows)?, next: next.flatten() })
}

/// A new account as sent by a form, the API or the command line.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    /// Optional: without it the account cannot sign in until a password is set.
    #[serde(default)]
    pub password: Option<String>,
    /// The organisation the account joins, and its role there.
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub role: Option<String>,
    /// Only a system administrator may create another.
    #[serde(default)]
    pub system_admin: bool,
}

/// A validated new account; the password is already hashed (hashing is slow and happens
/// outside the write transaction).
#[derive(Debug, Clone)]
pub struct ValidNewUser {
    pub email: Email,
    pub name: String,
    pub password_hash: Option<String>,
    pub membership: Option<(i64, Role)>,
    pub system_admin: bool,
}

impl NewUserInput {
    /// Checks every field, then hashes the password (slow: doors use [`validate_off_runtime`]).
    pub fn validate(&self) -> Result<ValidNewUser, FieldErrors> {
        let mut errs = FieldErrors::new();
        let email = errs.take(Email::parse(&self.email));
        let name = errs.take(NAME.require(&self.name));
        if let Some(p) = self.password.as_deref().filter(|p| !p.is_empty()) {
            errs.take(brygga_domain::account::check_new_password(p, email.as_ref()));
        }
        let membership = match (self.org_id, self.role.as_deref().filter(|r| !r.is_empty())) {
            (Some(org), Some(role)) => errs.take(Role::parse(role)).map(|r| Some((org, r))),
            (Some(_), None) => {
                errs.push(FieldError::new("role", "required", "Välj vilken roll personen ska ha i organisationen."));
                None
            }
            (None, Some(_)) => {
                errs.push(FieldError::new("org_id", "required", "Välj vilken organisation personen ska tillhöra."));
                None
            }
            (None, None) => Some(None),
        };
        errs.into_result()?;
        let password_hash = match self.password.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(
                brygga_domain::account::hash_password(p)
                    .map_err(|e| FieldErrors::from(FieldError::new("password", "password.hash", e.to_string())))?,
            ),
            None => None,
        };
        Ok(ValidNewUser {
            email: email.expect("checked"),
            name: name.expect("checked"),
            password_hash,
            membership: membership.expect("checked"),
            system_admin: self.system_admin,
        })
    }
}

/// [`NewUserInput::validate`] off the async runtime, as every door calls it (it hashes the
/// password).
pub async fn validate_off_runtime(input: NewUserInput) -> StoreResult<ValidNewUser> {
    crate::accounts::auth::off_runtime(move || input.validate().map_err(StoreError::Invalid)).await
}

/// Creates an account (system administrators and the command line). Organisation
/// administrators do not create accounts — that would tell them which addresses have one —
/// they invite an address instead ([`crate::accounts::invitations::invite_member`]). Outside the trusted
/// operator paths (command line, demo) the membership asked for becomes an invitation the
/// person accepts (and the organisation's administrators approve, see `consent`).
pub fn create_and_invite(db: &mut dyn Conn, v: &Viewer, u: &ValidNewUser, post: &crate::kernel::mail::Postmark) -> StoreResult<User> {
    access::require(v, Action::ManageAllUsers)?;
    let mut account = u.clone();
    let membership = account.membership.take();
    if crate::accounts::invitations::is_operator(v) {
        return create(db, v, u);
    }
    let user = create(db, v, &account)?;
    if let Some((org, role)) = membership {
        crate::accounts::invitations::invite_member(db, v, org, &u.email, role, post)?;
    }
    Ok(user)
}

/// Creates an account; with a membership only on the trusted operator paths (the command
/// line, the demo), which add it directly. Everyone else goes through [`create_and_invite`].
pub fn create(db: &mut dyn Conn, v: &Viewer, u: &ValidNewUser) -> StoreResult<User> {
    access::require(v, Action::ManageAllUsers)?;
    if u.membership.is_some() && !crate::accounts::invitations::is_operator(v) {
        return Err(StoreError::Forbidden);
    }
    if let Some((org, _)) = u.membership {
        let exists: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE id = $1", args![org])?;
        if exists == 0 {
            return Err(StoreError::invalid(FieldError::new(
                "org_id",
                "organisation.unknown",
                "Organisationen finns inte. Välj en organisation i listan.",
            )));
        }
    }
    let taken: i64 = db.scalar("SELECT COUNT(*) FROM users WHERE email = $1", args![u.email.as_str()])?;
    if taken > 0 {
        return Err(StoreError::invalid(FieldError::new(
            "email",
            "email.taken",
            format!("Det finns redan ett konto med e-postadressen {}. Lägg till det kontot i organisationen i stället.", u.email),
        )));
    }
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO users (email, name, password_hash, system_admin, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        args![u.email.as_str(), u.name.as_str(), u.password_hash.as_deref(), u.system_admin, now],
    )?;
    audit::record(db, v, Event::new("user.create").record("user", id))?;
    if let Some((org, role)) = u.membership {
        insert_membership(db, v, id, org, role)?;
    }
    get(db, &Viewer::system(), id)
}

fn insert_membership(db: &mut dyn Conn, v: &Viewer, user_id: i64, org_id: i64, role: Role) -> StoreResult<()> {
    db.execute(
        "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4)",
        args![user_id, org_id, role.code(), now_ms()],
    )?;
    audit::record(db, v, Event::new("membership.create").record("user", user_id).org(org_id))
}

/// Changes a member's role. Adding a person is an invitation they accept
/// ([`crate::accounts::invitations::invite_member`]); only the trusted operator paths (command line, demo)
/// add an existing account directly. For anyone else an account that is not a member answers
/// "not found", exactly like an id that does not exist.
pub fn set_membership(db: &mut dyn Conn, v: &Viewer, user_id: i64, org_id: i64, role: Role) -> StoreResult<()> {
    access::require(v, Action::ManageMembers { org: org_id })?;
    let current: Option<String> =
        db.scalar_opt("SELECT role FROM memberships WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    if current.is_none() && !crate::accounts::invitations::is_operator(v) {
        return Err(StoreError::not_found("membership"));
    }
    let exists: i64 = db.scalar("SELECT COUNT(*) FROM users WHERE id = $1", args![user_id])?;
    if exists == 0 {
        return Err(StoreError::not_found("user"));
    }
    match current {
        None => insert_membership(db, v, user_id, org_id, role),
        Some(r) if r == role.code() => Ok(()),
        Some(r) => {
            if r == Role::Administrator.code() {
                ensure_other_admin(db, org_id, user_id)?;
            }
            db.execute("UPDATE memberships SET role = $1 WHERE user_id = $2 AND org_id = $3", args![role.code(), user_id, org_id])?;
            audit::record(db, v, Event::new("membership.update").record("user", user_id).org(org_id).fields(&["role"]))
        }
    }
}

/// An organisation must keep at least one administrator once it has had one.
fn ensure_other_admin(db: &mut dyn Conn, org_id: i64, leaving: i64) -> StoreResult<()> {
    let others: i64 = db.scalar(
        "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'administrator' AND user_id <> $2",
        args![org_id, leaving],
    )?;
    if others == 0 {
        return Err(StoreError::invalid(FieldError::new(
            "role",
            "membership.last_admin",
            "Organisationen måste ha minst en administratör. Utse en annan administratör först.",
        )));
    }
    Ok(())
}

pub fn remove_membership(db: &mut dyn Conn, v: &Viewer, user_id: i64, org_id: i64) -> StoreResult<()> {
    access::require(v, Action::ManageMembers { org: org_id })?;
    let current: Option<String> =
        db.scalar_opt("SELECT role FROM memberships WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    let Some(role) = current else {
        return Err(StoreError::not_found("membership"));
    };
    if role == Role::Administrator.code() {
        ensure_other_admin(db, org_id, user_id)?;
    }
    db.execute("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    db.execute("DELETE FROM api_tokens WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    db.execute("DELETE FROM forum_contacts WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    db.execute("DELETE FROM forum_contact_requests WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    audit::record(db, v, Event::new("membership.delete").record("user", user_id).org(org_id))
}

/// Sets a password (hash made by the caller). Ends the user's other sessions.
pub fn set_password_hash(db: &mut dyn Conn, v: &Viewer, user_id: i64, hash: &str) -> StoreResult<()> {
    if v.user_id() != Some(user_id) {
        access::require(v, Action::ManageAllUsers)?;
    }
    let n = db.execute("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3", args![hash, now_ms(), user_id])?;
    if n == 0 {
        return Err(StoreError::not_found("user"));
    }
    db.execute("DELETE FROM sessions WHERE user_id = $1", args![user_id])?;
    audit::record(db, v, Event::new("user.password").record("user", user_id))
}

/// Finds an account by e-mail (command line).
pub fn id_by_email(db: &mut dyn Conn, email: &Email) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM users WHERE email = $1", args![email.as_str()])?)
}

/// Everything Brygga holds about the viewer (GDPR art. 15), as one JSON-ready value.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalData {
    pub user: User,
    pub sessions: Vec<SessionSummary>,
    pub api_tokens: Vec<crate::accounts::auth::TokenSummary>,
    pub forum_contact_for: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub audit_entries: Vec<audit::Entry>,
    /// E-mail Brygga has written to the account and still keeps (sent messages for 30 days).
    pub messages: Vec<MessageSummary>,
    /// The account has turned the weekly digest off.
    pub digest_opt_out: bool,
    /// The account has turned questionnaire reminder e-mails off.
    pub questionnaire_reminder_opt_out: bool,
    /// Everything else that refers to the account, by section (`reports`, `uploads`,
    /// `questionnaire_answers`, `alert_acknowledgements`, …): see `gdpr::GDPR_USER_REFERENCES`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub records: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
}

/// A message in the outbox addressed to the account, with its text.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageSummary {
    pub message_id: String,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
}

impl FromRow for MessageSummary {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            message_id: r.get("message_id")?,
            kind: r.get("kind")?,
            recipient: r.get("recipient")?,
            subject: r.get("subject")?,
            body_text: r.get("body_text")?,
            created_at_ms: r.get("created_at")?,
            sent_at_ms: r.get("sent_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionSummary {
    pub created_at_ms: i64,
    pub last_seen_at_ms: i64,
    pub expires_at_ms: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl FromRow for SessionSummary {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            created_at_ms: r.get("created_at")?,
            last_seen_at_ms: r.get("last_seen_at")?,
            expires_at_ms: r.get("expires_at")?,
            ip: r.get("ip")?,
            user_agent: r.get("user_agent")?,
        })
    }
}

/// The GDPR access: everything Brygga holds about the viewer, with its `user.export` audit
/// entry written in the same transaction. The one command behind the account page's download
/// and `GET /me/data`, so no door can hand out the data without the entry. Needs a write
/// transaction.
pub fn export_personal_data(db: &mut dyn Conn, v: &Viewer) -> StoreResult<PersonalData> {
    let data = personal_data(db, v)?;
    audit::record(db, v, Event::new("user.export").record("user", data.user.id))?;
    Ok(data)
}

/// Everything Brygga holds about the viewer, read without a trace; doors hand it out through
/// [`export_personal_data`].
pub fn personal_data(db: &mut dyn Conn, v: &Viewer) -> StoreResult<PersonalData> {
    let id = v.user_id().ok_or(StoreError::Forbidden)?;
    let user = get(db, v, id)?;
    let sessions = db.all(
        "SELECT created_at, last_seen_at, expires_at, ip, user_agent FROM sessions WHERE user_id = $1 ORDER BY created_at",
        args![id],
    )?;
    let api_tokens = crate::accounts::auth::list_tokens_of(db, id)?;
    let forum_contact_for = db.scalars(
        "SELECT f.name FROM forum_contacts c JOIN forums f ON f.id = c.forum_id WHERE c.user_id = $1 ORDER BY f.name_key",
        args![id],
    )?;
    let audit_entries = db.all(&format!("{} WHERE a.actor_user_id = $1 ORDER BY a.id", crate::kernel::audit::select(db)), args![id])?;
    let messages = db.all(
        "SELECT message_id, kind, recipient, subject, body_text, created_at, sent_at FROM mail_outbox
         WHERE recipient_user_id = $1 OR recipient = $2 ORDER BY id",
        args![id, user.email.as_str()],
    )?;
    let digest_opt_out = preferences::digest_opted_out(db, id)?;
    let questionnaire_reminder_opt_out = preferences::questionnaire_reminders_off(db, id)?;
    let records = crate::kernel::gdpr::records(db, id)?;
    Ok(PersonalData {
        user,
        sessions,
        api_tokens,
        forum_contact_for,
        audit_entries,
        messages,
        digest_opt_out,
        questionnaire_reminder_opt_out,
        records,
    })
}

/// Erases an account (GDPR art. 17): the account, its memberships, sessions, tokens and forum
/// contact roles are deleted; the audit log keeps its entries under a pseudonym such as
/// `raderad-3f9a1c`, the same for all of them, so the history stays readable without the
/// person. Returns the pseudonym.
pub fn erase(db: &mut dyn Conn, v: &Viewer, user_id: i64) -> StoreResult<String> {
    access::require(v, Action::EraseUser)?;
    if v.user_id() == Some(user_id) {
        return Err(StoreError::invalid(FieldError::new(
            "user",
            "user.erase_self",
            "Du kan inte radera ditt eget konto här. Be en annan administratör.",
        )));
    }
    let row: Option<(bool, String)> = db.map_opt("SELECT system_admin, email FROM users WHERE id = $1", args![user_id], |r| {
        Ok((r.get("system_admin")?, r.get("email")?))
    })?;
    let Some((is_admin, email)) = row else {
        return Err(StoreError::not_found("user"));
    };
    if is_admin {
        let admins: i64 = db.scalar("SELECT COUNT(*) FROM users WHERE system_admin = TRUE", &[])?;
        if admins <= 1 {
            return Err(StoreError::invalid(FieldError::new(
                "user",
                "user.last_system_admin",
                "Det här är den sista systemadministratören och kan inte raderas.",
            )));
        }
    }
    let pseudonym = format!("raderad-{}", &crate::accounts::auth::random_token(6)[..8].to_lowercase());
    db.execute("UPDATE audit_log SET actor_label = $1, actor_user_id = NULL WHERE actor_user_id = $2", args![pseudonym.as_str(), user_id])?;
    // Messages to the account (queued or kept after sending) hold its address and text.
    crate::kernel::mail::forget_recipient(db, &email)?;
    db.execute("DELETE FROM membership_invitations WHERE email = $1", args![email.as_str()])?;
    // A working group's representative (programmes) named by this account or address: the
    // membership of the organisation stays, the person's name and address go.
    db.execute(
        "UPDATE working_group_members SET representative = NULL, representative_email = NULL, user_id = NULL WHERE user_id = $1 OR representative_email = $2",
        args![user_id, email.as_str()],
    )?;
    // A network's person member (actors) named by this address: the row is the person, it goes.
    db.execute("DELETE FROM network_members WHERE email = $1", args![email.as_str()])?;
    db.execute("DELETE FROM users WHERE id = $1", args![user_id])?;
    audit::record(db, v, Event::new("user.erase").record("user", user_id))?;
    Ok(pseudonym)
}
