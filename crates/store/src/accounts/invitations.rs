//! Membership invitations: nobody becomes a member of an organisation because someone else
//! said so. A **membership invitation** (`membership_invitations`) asks a person, by e-mail
//! address, to join an organisation; the person accepts. When the inviter is not one of the
//! organisation's administrators (a system administrator), an administrator of the organisation
//! must approve as well — unless it has none yet (bootstrapping). Only an accepted invitation
//! writes the row in `memberships`. The trusted operator paths — the command line and the demo
//! (`Via::Cli`, `Via::System`) — add memberships directly ([`is_operator`]).
//!
//! The answer type, the notification e-mail and the helpers here are shared with the forums'
//! invitations and contact requests (`forums::consent`), which follow the same rule.

use brygga_domain::account::Email;
use brygga_domain::{FieldError, Role};
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::{Action, Via, Viewer, args, kernel::access, now_ms};

/// The e-mail kind of invitations and requests (outbox counts, operations page).
pub const MAIL_KIND: &str = "invitation";

/// An answer to an invitation or a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Accept,
    Decline,
}

/// An answer as the API takes it: `{"answer": "accept"}` or `{"answer": "decline"}`.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `accept` or `decline`.
    pub answer: Answer,
}

impl Answer {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "accept" | "ja" => Some(Answer::Accept),
            "decline" | "nej" => Some(Answer::Decline),
            _ => None,
        }
    }
}

/// Writes a notification to the outbox (the caller's transaction).
pub(crate) fn notify(db: &mut dyn Conn, post: &Postmark, user_id: i64, email: &str, subject: String, body: String) -> StoreResult<()> {
    // An account's address is checked when it is made; one that is not valid still sees it in the app.
    if let Ok(to) = Email::parse(email) {
        mail::enqueue(
            db,
            &NewMail { kind: MAIL_KIND, to, to_user_id: Some(user_id), subject, body, list_unsubscribe: None },
            &post.host,
            now_ms(),
        )?;
    }
    Ok(())
}

/// The users of `org` with at least `min` rights: (id, name, e-mail).
pub(crate) fn org_people(db: &mut dyn Conn, org: i64, roles: &[Role]) -> StoreResult<Vec<(i64, String, String)>> {
    let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    let all: Vec<(i64, String, String, String)> = db.map_all(
        "SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.id",
        args![org],
        |r| Ok((r.get("id")?, r.get("name")?, r.get("email")?, r.get("role")?)),
    )?;
    Ok(all.into_iter().filter(|r| codes.contains(&r.3.as_str())).map(|r| (r.0, r.1, r.2)).collect())
}

/// A `(user_id, org_id)` pair of a contact or contact request.
pub(crate) fn user_org(r: &Row) -> Result<(i64, i64), DbError> {
    Ok((r.get("user_id")?, r.get("org_id")?))
}

pub(crate) fn org_name(db: &mut dyn Conn, org: i64) -> StoreResult<String> {
    Ok(db.scalar_opt::<String>("SELECT name FROM organisations WHERE id = $1", args![org])?.unwrap_or_default())
}

pub(crate) fn inviter_label(v: &Viewer, org: Option<i64>) -> String {
    let org = org.and_then(|o| v.memberships().iter().find(|m| m.org_id == o)).map(|m| m.org_name.clone());
    match org {
        Some(o) => format!("{} ({o})", v.name()),
        None => v.name().to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Forum invitations and contact requests

// ---------------------------------------------------------------------------------------
// Membership invitations

/// An invitation into an organisation, as its administrators see it: only what they typed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipInvitation {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "member"))]
    pub role: Role,
    /// `invited`, `accepted` or `declined`.
    pub status: String,
    /// An administrator of the organisation must approve as well (the inviter was not one).
    pub needs_org_approval: bool,
    pub org_approved: bool,
    pub invited_at_ms: i64,
}

pub(crate) struct InvitationRow {
    pub(crate) inv: MembershipInvitation,
    person_accepted: bool,
}

/// The SELECT that [`InvitationRow::from_row`] decodes, by the names given here.
pub(crate) const INVITATION: &str =
    "SELECT i.id, i.org_id, o.name AS org_name, i.email, i.role, i.status, i.needs_org_approval, i.org_approved_at,
        i.invited_at, i.person_accepted_at
     FROM membership_invitations i JOIN organisations o ON o.id = i.org_id";

impl FromRow for InvitationRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let role: String = r.get("role")?;
        Ok(Self {
            inv: MembershipInvitation {
                id: r.get("id")?,
                org_id: r.get("org_id")?,
                org_name: r.get("org_name")?,
                email: r.get("email")?,
                role: Role::from_code(&role).ok_or_else(|| DbError::Decode(format!("role {role}")))?,
                status: r.get("status")?,
                needs_org_approval: r.get("needs_org_approval")?,
                org_approved: r.get::<Option<i64>>("org_approved_at")?.is_some(),
                invited_at_ms: r.get("invited_at")?,
            },
            person_accepted: r.get::<Option<i64>>("person_accepted_at")?.is_some(),
        })
    }
}

/// Invites `email` into `org` with `role`. The answer is the same whether or not the address
/// has an account; a person with an account sees it on `/konto` and gets an e-mail. A system
/// administrator who is not an administrator of `org` needs the approval of one (unless the
/// organisation has none), and its administrators are told either way. Inviting oneself counts
/// as the person's acceptance.
pub fn invite_member(
    db: &mut dyn Conn,
    v: &Viewer,
    org: i64,
    email: &Email,
    role: Role,
    post: &Postmark,
) -> StoreResult<MembershipInvitation> {
    access::require(v, Action::ManageMembers { org })?;
    let org_label = org_name(db, org)?;
    if org_label.is_empty() {
        return Err(StoreError::not_found("organisation"));
    }
    let already: i64 = db.scalar(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2",
        args![org, email.as_str()],
    )?;
    if already > 0 {
        // The administrators see their own members: this tells them nothing new.
        return Err(StoreError::invalid(FieldError::new(
            "email",
            "membership.exists",
            format!("{email} är redan medlem i {org_label}. Ändra rollen i medlemslistan i stället."),
        )));
    }
    let admins = org_people(db, org, &[Role::Administrator])?;
    let from_outside = !access::allowed(v, Action::ApproveMembership { org });
    let needs_approval = from_outside && !admins.is_empty();
    let now = now_ms();
    let is_me = v.email() == email.as_str();
    db.execute("DELETE FROM membership_invitations WHERE org_id = $1 AND email = $2 AND status = 'invited'", args![org, email.as_str()])?;
    let id: i64 = db.scalar(
        "INSERT INTO membership_invitations (org_id, email, role, status, needs_org_approval, person_accepted_at, invited_by, invited_at)
         VALUES ($1, $2, $3, 'invited', $4, $5, $6, $7) RETURNING id",
        args![org, email.as_str(), role.code(), needs_approval, is_me.then_some(now), v.user_id(), now],
    )?;
    audit::record(db, v, Event::new("membership.invite").record("membership_invitation", id).org(org))?;
    let by = inviter_label(v, Some(org));
    if !is_me {
        let person: Option<(i64, String)> =
            db.map_opt("SELECT id, name FROM users WHERE email = $1", args![email.as_str()], |r| Ok((r.get("id")?, r.get("name")?)))?;
        if let Some((uid, name)) = person {
            let body = format!(
                "Hej {name}!\n\n{by} bjuder in dig till {org_label} i Brygga, med rollen {role}.\n\n\
                 Du blir medlem först när du tackar ja. Svara här:\n{link}\n",
                role = role.label(),
                link = post.link("/konto#inbjudningar"),
            );
            notify(db, post, uid, email.as_str(), format!("Inbjudan till {org_label}"), body)?;
        }
    }
    if from_outside {
        // The organisation is told whenever someone from outside brings a person in.
        for (uid, name, addr) in &admins {
            let what = if needs_approval {
                format!(
                    "Personen blir medlem först när en administratör i {org_label} har godkänt det. Godkänn eller avböj här:\n{}",
                    post.link("/konto#inbjudningar")
                )
            } else {
                format!("Se organisationens medlemmar här:\n{}", post.link(&format!("/organisationer/{org}")))
            };
            let body = format!(
                "Hej {name}!\n\nSystemadministratören {by} vill ge {email} rollen {role} i {org_label}.\n\n{what}\n",
                role = role.label(),
            );
            notify(db, post, *uid, addr, format!("Systemadministratör vill lägga till en person i {org_label}"), body)?;
        }
    }
    complete_if_agreed(db, v, id)?;
    get_invitation(db, id)
}

fn get_invitation(db: &mut dyn Conn, id: i64) -> StoreResult<MembershipInvitation> {
    let row: InvitationRow = db.opt(&format!("{INVITATION} WHERE i.id = $1"), args![id])?.ok_or(StoreError::not_found("invitation"))?;
    Ok(row.inv)
}

/// When the person has accepted and (if needed) an administrator approved: the membership.
fn complete_if_agreed(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let row: InvitationRow = db.opt(&format!("{INVITATION} WHERE i.id = $1"), args![id])?.ok_or(StoreError::not_found("invitation"))?;
    let inv = row.inv;
    if inv.status != "invited" || !row.person_accepted || (inv.needs_org_approval && !inv.org_approved) {
        return Ok(());
    }
    let user: Option<i64> = db.scalar_opt("SELECT id FROM users WHERE email = $1", args![inv.email.as_str()])?;
    let Some(user_id) = user else { return Ok(()) };
    db.execute("UPDATE membership_invitations SET status = 'accepted', responded_at = $1 WHERE id = $2", args![now_ms(), id])?;
    db.execute(
        "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, org_id) DO NOTHING",
        args![user_id, inv.org_id, inv.role.code(), now_ms()],
    )?;
    audit::record(db, v, Event::new("membership.create").record("user", user_id).org(inv.org_id))
}

/// Open invitations into `org`, for its administrators: what they typed, nothing more.
pub fn org_invitations(db: &mut dyn Conn, v: &Viewer, org: i64) -> StoreResult<Vec<MembershipInvitation>> {
    access::require(v, Action::ManageMembers { org })?;
    let rows: Vec<InvitationRow> =
        db.all(&format!("{INVITATION} WHERE i.org_id = $1 AND i.status = 'invited' ORDER BY i.id"), args![org])?;
    Ok(rows.into_iter().map(|r| r.inv).collect())
}

/// Withdraws an open invitation into an organisation the viewer manages.
pub fn withdraw_membership_invitation(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<()> {
    let row: Option<InvitationRow> = db.opt(&format!("{INVITATION} WHERE i.id = $1 AND i.status = 'invited'"), args![id])?;
    let Some(row) = row.filter(|r| access::allowed(v, Action::ManageMembers { org: r.inv.org_id })) else {
        return Err(StoreError::not_found("invitation"));
    };
    db.execute("DELETE FROM membership_invitations WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("membership.invitation.withdraw").record("membership_invitation", id).org(row.inv.org_id))
}

/// Answers membership invitation `id`: as the invited person (the viewer's address), or as an
/// administrator of the organisation approving a system administrator's invitation. Anything
/// else: "not found".
pub fn answer_membership_invitation(db: &mut dyn Conn, v: &Viewer, id: i64, answer: Answer) -> StoreResult<()> {
    let row: Option<InvitationRow> = db.opt(&format!("{INVITATION} WHERE i.id = $1 AND i.status = 'invited'"), args![id])?;
    let Some(row) = row else { return Err(StoreError::not_found("invitation")) };
    let inv = &row.inv;
    let now = now_ms();
    let as_person = v.is_signed_in() && v.email() == inv.email && !row.person_accepted;
    let as_org = inv.needs_org_approval && !inv.org_approved && access::allowed(v, Action::ApproveMembership { org: inv.org_id });
    if !as_person && !as_org {
        return Err(StoreError::not_found("invitation"));
    }
    if answer == Answer::Decline {
        db.execute("UPDATE membership_invitations SET status = 'declined', responded_at = $1 WHERE id = $2", args![now, id])?;
        return audit::record(db, v, Event::new("membership.invitation.decline").record("membership_invitation", id).org(inv.org_id));
    }
    if as_person {
        db.execute("UPDATE membership_invitations SET person_accepted_at = $1 WHERE id = $2", args![now, id])?;
    } else {
        db.execute(
            "UPDATE membership_invitations SET org_approved_at = $1, org_approved_by = $2 WHERE id = $3",
            args![now, v.user_id(), id],
        )?;
    }
    audit::record(db, v, Event::new("membership.invitation.accept").record("membership_invitation", id).org(inv.org_id))?;
    complete_if_agreed(db, v, id)
}

/// Adds a membership directly: only for the trusted operator paths (the command line, the demo).
pub(crate) fn is_operator(v: &Viewer) -> bool {
    v.is_system_admin() && matches!(v.via(), Via::Cli | Via::System)
}
