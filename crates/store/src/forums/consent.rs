//! Consent: nobody becomes a forum member, a forum contact person or a member of an
//! organisation because someone else said so.
//!
//! - A **forum invitation** (`forum_invitations`) asks an organisation to join a forum; an
//!   administrator or coordinator of that organisation accepts or declines
//!   ([`Action::AnswerForumInvitation`]).
//! - A **contact request** (`forum_contact_requests`) asks a person to be one of a forum's
//!   contact persons (the ones alerted); only that person answers.
//! - A **membership invitation** (`membership_invitations`) asks a person, by e-mail address,
//!   to join an organisation; the person accepts. When the inviter is not one of the
//!   organisation's administrators (a system administrator), an administrator of the
//!   organisation must approve as well — unless it has none yet (bootstrapping).
//!
//! The rule is a single one: only an accepted invitation writes the row in `forum_members`,
//! `forum_contacts` or `memberships`, and those tables are all that viewers, sharing, alerts and
//! digests read. Until then nothing flows: no forum in the viewer, no sharing, no alert, no
//! digest, no listing of the person's details. Invitations are announced in the app (`/konto`,
//! the forum page) and by e-mail through the outbox. The trusted operator paths — the command
//! line and the demo (`Via::Cli`, `Via::System`) — add memberships of organisations directly.
//!
//! Answers never reveal what the asker may not know: an unknown id and an id one may not name
//! get the same answer; inviting an address gives the same answer whether it has an account.

use brygga_domain::account::Email;
use brygga_domain::{FieldError, Role};
use serde::{Deserialize, Serialize};

use crate::forums::forum::OrgRef;
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
fn notify(db: &mut dyn Conn, post: &Postmark, user_id: i64, email: &str, subject: String, body: String) -> StoreResult<()> {
    // An account's address is checked when it is made; one that is not valid still sees it in the app.
    if let Ok(to) = Email::parse(email) {
        mail::enqueue(db, &NewMail { kind: MAIL_KIND, to, to_user_id: Some(user_id), subject, body }, &post.host, now_ms())?;
    }
    Ok(())
}

/// The users of `org` with at least `min` rights: (id, name, e-mail).
fn org_people(db: &mut dyn Conn, org: i64, roles: &[Role]) -> StoreResult<Vec<(i64, String, String)>> {
    let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    let all: Vec<(i64, String, String, String)> = db.map_all(
        "SELECT u.id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.id",
        args![org],
        |r| Ok((r.get("id")?, r.get("name")?, r.get("email")?, r.get("role")?)),
    )?;
    Ok(all.into_iter().filter(|r| codes.contains(&r.3.as_str())).map(|r| (r.0, r.1, r.2)).collect())
}

/// A `(user_id, org_id)` pair of a contact or contact request.
fn user_org(r: &Row) -> Result<(i64, i64), DbError> {
    Ok((r.get("user_id")?, r.get("org_id")?))
}

fn org_name(db: &mut dyn Conn, org: i64) -> StoreResult<String> {
    Ok(db.scalar_opt::<String>("SELECT name FROM organisations WHERE id = $1", args![org])?.unwrap_or_default())
}

fn inviter_label(v: &Viewer, org: Option<i64>) -> String {
    let org = org.and_then(|o| v.memberships().iter().find(|m| m.org_id == o)).map(|m| m.org_name.clone());
    match org {
        Some(o) => format!("{} ({o})", v.name()),
        None => v.name().to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Forum invitations and contact requests

/// Organisations invited into `forum_id` that have not answered.
pub fn pending_forum_orgs(db: &mut dyn Conn, forum_id: i64) -> StoreResult<Vec<OrgRef>> {
    Ok(db.all(
        "SELECT o.id, o.name FROM forum_invitations i JOIN organisations o ON o.id = i.org_id
         WHERE i.forum_id = $1 AND i.status = 'invited' ORDER BY o.name_key",
        args![forum_id],
    )?)
}

/// Users asked to be contact persons of `forum_id` who have not answered.
pub fn pending_contact_users(db: &mut dyn Conn, forum_id: i64) -> StoreResult<Vec<i64>> {
    Ok(db.scalars(
        "SELECT user_id FROM forum_contact_requests WHERE forum_id = $1 AND status = 'invited' ORDER BY user_id",
        args![forum_id],
    )?)
}

/// Makes `orgs` the forum's open invitations: new ones are written and announced to the
/// invited organisation's administrators and coordinators; open ones not in `orgs` are withdrawn.
pub(crate) fn set_forum_invitations(
    db: &mut dyn Conn,
    v: &Viewer,
    forum_id: i64,
    forum_name: &str,
    orgs: &[i64],
    post: &Postmark,
) -> StoreResult<()> {
    let open: Vec<i64> = db.scalars("SELECT org_id FROM forum_invitations WHERE forum_id = $1 AND status = 'invited'", args![forum_id])?;
    for org in &open {
        if !orgs.contains(org) {
            db.execute("DELETE FROM forum_invitations WHERE forum_id = $1 AND org_id = $2", args![forum_id, *org])?;
            audit::record(db, v, Event::new("forum.invitation.withdraw").record("forum", forum_id).org(*org))?;
        }
    }
    let now = now_ms();
    let convener: Option<i64> = db.scalar_opt("SELECT convener_org_id FROM forums WHERE id = $1", args![forum_id])?;
    let by = inviter_label(v, convener);
    for &org in orgs {
        if open.contains(&org) {
            continue;
        }
        db.execute(
            "INSERT INTO forum_invitations (forum_id, org_id, status, invited_by, invited_at) VALUES ($1, $2, 'invited', $3, $4)
             ON CONFLICT (forum_id, org_id) DO UPDATE SET status = 'invited', invited_by = $3, invited_at = $4, responded_by = NULL, responded_at = NULL",
            args![forum_id, org, v.user_id(), now],
        )?;
        audit::record(db, v, Event::new("forum.invitation.create").record("forum", forum_id).org(org))?;
        let invited = org_name(db, org)?;
        for (uid, name, email) in org_people(db, org, &[Role::Administrator, Role::Coordinator])? {
            let body = format!(
                "Hej {name}!\n\n{by} bjuder in {invited} till samverkansforumet {forum_name} i Brygga.\n\n\
                 Så länge ingen i {invited} har tackat ja är ni inte medlemmar: ni ser inget som delas i forumet, \
                 och inget ni har delar ni där.\n\nSvara (ja eller nej) här:\n{link}\n",
                link = post.link(&format!("/forum/{forum_id}")),
            );
            notify(db, post, uid, &email, format!("Inbjudan till {forum_name}"), body)?;
        }
    }
    Ok(())
}

/// Makes `asked` (user, their member organisation) the forum's contact persons and open
/// requests: contact persons not in `asked` stop being contacts, open requests not in it are
/// withdrawn, and each new one is asked (and told by e-mail). Nobody already a contact is asked again.
pub(crate) fn set_contact_requests(
    db: &mut dyn Conn,
    v: &Viewer,
    forum_id: i64,
    forum_name: &str,
    asked: &[(i64, i64)],
    post: &Postmark,
) -> StoreResult<()> {
    let wanted = |u: i64| asked.iter().any(|a| a.0 == u);
    // Who gets the forum's alerts changes: each removal and withdrawal is in the audit log,
    // naming the person's organisation.
    let active: Vec<(i64, i64)> =
        db.map_all("SELECT user_id, org_id FROM forum_contacts WHERE forum_id = $1", args![forum_id], user_org)?;
    for &(user, org) in &active {
        if !wanted(user) {
            db.execute("DELETE FROM forum_contacts WHERE forum_id = $1 AND user_id = $2", args![forum_id, user])?;
            db.execute("DELETE FROM forum_contact_requests WHERE forum_id = $1 AND user_id = $2", args![forum_id, user])?;
            audit::record(db, v, Event::new("forum.contact.remove").record("forum", forum_id).org(org))?;
        }
    }
    let open: Vec<(i64, i64)> = db.map_all(
        "SELECT user_id, org_id FROM forum_contact_requests WHERE forum_id = $1 AND status = 'invited'",
        args![forum_id],
        user_org,
    )?;
    for &(user, org) in &open {
        if !wanted(user) {
            db.execute("DELETE FROM forum_contact_requests WHERE forum_id = $1 AND user_id = $2", args![forum_id, user])?;
            audit::record(db, v, Event::new("forum.contact.withdraw").record("forum", forum_id).org(org))?;
        }
    }
    let now = now_ms();
    let convener: Option<i64> = db.scalar_opt("SELECT convener_org_id FROM forums WHERE id = $1", args![forum_id])?;
    let by = inviter_label(v, convener);
    for &(user, org) in asked {
        if active.iter().any(|a| a.0 == user) || open.iter().any(|o| o.0 == user) {
            continue;
        }
        db.execute(
            "INSERT INTO forum_contact_requests (forum_id, user_id, org_id, status, invited_by, invited_at) VALUES ($1, $2, $3, 'invited', $4, $5)
             ON CONFLICT (forum_id, user_id) DO UPDATE SET org_id = $3, status = 'invited', invited_by = $4, invited_at = $5, responded_at = NULL",
            args![forum_id, user, org, v.user_id(), now],
        )?;
        audit::record(db, v, Event::new("forum.contact.request").record("user", user).org(org))?;
        let person: Option<(String, String)> =
            db.map_opt("SELECT name, email FROM users WHERE id = $1", args![user], |r| Ok((r.get("name")?, r.get("email")?)))?;
        if let Some((name, email)) = person {
            let body = format!(
                "Hej {name}!\n\n{by} frågar om du vill vara kontaktperson i samverkansforumet {forum_name} i Brygga.\n\n\
                 En kontaktperson får forumets larm med e-post och visas med namn, e-postadress och organisation för forumets medlemmar. \
                 Inget av det händer förrän du själv har tackat ja.\n\nSvara (ja eller nej) här:\n{link}\n",
                link = post.link("/konto#inbjudningar"),
            );
            notify(db, post, user, &email, format!("Vill du vara kontaktperson i {forum_name}?"), body)?;
        }
    }
    Ok(())
}

/// Answers `org`'s invitation into `forum_id`. Accepting makes the organisation a member.
/// Without an open invitation (or without the right to answer for `org`): "not found".
pub fn answer_forum_invitation(db: &mut dyn Conn, v: &Viewer, forum_id: i64, org: i64, answer: Answer) -> StoreResult<()> {
    if !access::allowed(v, Action::AnswerForumInvitation { org }) {
        return Err(StoreError::not_found("invitation"));
    }
    let open: Option<i64> = db.scalar_opt(
        "SELECT org_id FROM forum_invitations WHERE forum_id = $1 AND org_id = $2 AND status = 'invited'",
        args![forum_id, org],
    )?;
    if open.is_none() {
        return Err(StoreError::not_found("invitation"));
    }
    let now = now_ms();
    let status = if answer == Answer::Accept { "accepted" } else { "declined" };
    db.execute(
        "UPDATE forum_invitations SET status = $1, responded_by = $2, responded_at = $3 WHERE forum_id = $4 AND org_id = $5",
        args![status, v.user_id(), now, forum_id, org],
    )?;
    if answer == Answer::Accept {
        db.execute(
            "INSERT INTO forum_members (forum_id, org_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT (forum_id, org_id) DO NOTHING",
            args![forum_id, org, now],
        )?;
        audit::record(db, v, Event::new("forum.invitation.accept").record("forum", forum_id).org(org))
    } else {
        audit::record(db, v, Event::new("forum.invitation.decline").record("forum", forum_id).org(org))
    }
}

/// The viewer answers a request to be a contact person of `forum_id`. Declining also ends
/// being one. Without a request: "not found".
pub fn answer_contact_request(db: &mut dyn Conn, v: &Viewer, forum_id: i64, answer: Answer) -> StoreResult<()> {
    let me = v.user_id().ok_or(StoreError::not_found("contact_request"))?;
    let open: Option<i64> = db.scalar_opt(
        "SELECT org_id FROM forum_contact_requests WHERE forum_id = $1 AND user_id = $2 AND status = 'invited'",
        args![forum_id, me],
    )?;
    let active: Option<i64> =
        db.scalar_opt("SELECT org_id FROM forum_contacts WHERE forum_id = $1 AND user_id = $2", args![forum_id, me])?;
    let now = now_ms();
    match (answer, open, active) {
        (Answer::Accept, Some(org), _) => {
            // The organisation must still be a member and the person still in it.
            let member: i64 = db.scalar(
                "SELECT COUNT(*) FROM forum_members f JOIN memberships m ON m.org_id = f.org_id WHERE f.forum_id = $1 AND f.org_id = $2 AND m.user_id = $3",
                args![forum_id, org, me],
            )?;
            if member == 0 {
                return Err(StoreError::not_found("contact_request"));
            }
            db.execute(
                "UPDATE forum_contact_requests SET status = 'accepted', responded_at = $1 WHERE forum_id = $2 AND user_id = $3",
                args![now, forum_id, me],
            )?;
            db.execute(
                "INSERT INTO forum_contacts (forum_id, user_id, org_id) VALUES ($1, $2, $3) ON CONFLICT (forum_id, user_id) DO NOTHING",
                args![forum_id, me, org],
            )?;
            audit::record(db, v, Event::new("forum.contact.accept").record("forum", forum_id).org(org))
        }
        (Answer::Decline, open, active) if open.is_some() || active.is_some() => {
            let org = open.or(active).expect("one of them");
            db.execute(
                "UPDATE forum_contact_requests SET status = 'declined', responded_at = $1 WHERE forum_id = $2 AND user_id = $3",
                args![now, forum_id, me],
            )?;
            db.execute("DELETE FROM forum_contacts WHERE forum_id = $1 AND user_id = $2", args![forum_id, me])?;
            audit::record(db, v, Event::new("forum.contact.decline").record("forum", forum_id).org(org))
        }
        _ => Err(StoreError::not_found("contact_request")),
    }
}

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

struct InvitationRow {
    inv: MembershipInvitation,
    person_accepted: bool,
}

/// The SELECT that [`InvitationRow::from_row`] decodes, by the names given here.
const INVITATION: &str = "SELECT i.id, i.org_id, o.name AS org_name, i.email, i.role, i.status, i.needs_org_approval, i.org_approved_at,
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

// ---------------------------------------------------------------------------------------
// What waits for the viewer

/// An invitation of one of the viewer's organisations into a forum.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForumInvitation {
    pub forum_id: i64,
    pub forum_name: String,
    pub convener_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub invited_at_ms: i64,
}

impl FromRow for ForumInvitation {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            forum_id: r.get("forum_id")?,
            forum_name: r.get("forum_name")?,
            convener_name: r.get("convener_name")?,
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            invited_at_ms: r.get("invited_at")?,
        })
    }
}

/// A request to the viewer to be a forum's contact person.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRequest {
    pub forum_id: i64,
    pub forum_name: String,
    pub org_name: String,
    pub invited_at_ms: i64,
}

impl FromRow for ContactRequest {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            forum_id: r.get("forum_id")?,
            forum_name: r.get("forum_name")?,
            org_name: r.get("org_name")?,
            invited_at_ms: r.get("invited_at")?,
        })
    }
}

/// Everything waiting for the viewer's answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pending {
    /// Forum invitations of organisations the viewer answers for (administrator, coordinator).
    pub forums: Vec<ForumInvitation>,
    /// Requests to the viewer to be a contact person.
    pub contact_requests: Vec<ContactRequest>,
    /// Invitations of the viewer into organisations, and (for administrators) a system
    /// administrator's invitations waiting for their approval.
    pub memberships: Vec<MembershipInvitation>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.forums.is_empty() && self.contact_requests.is_empty() && self.memberships.is_empty()
    }
}

pub fn pending_for(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Pending> {
    let Some(me) = v.user_id() else { return Ok(Pending::default()) };
    let mut forums: Vec<ForumInvitation> = db.all(
        "SELECT f.id AS forum_id, f.name AS forum_name, c.name AS convener_name, o.id AS org_id, o.name AS org_name, i.invited_at
         FROM forum_invitations i JOIN forums f ON f.id = i.forum_id
         JOIN organisations c ON c.id = f.convener_org_id JOIN organisations o ON o.id = i.org_id
         JOIN memberships m ON m.org_id = i.org_id AND m.user_id = $1
         WHERE i.status = 'invited' ORDER BY i.invited_at, f.id",
        args![me],
    )?;
    forums.retain(|f| access::allowed(v, Action::AnswerForumInvitation { org: f.org_id }));
    let contact_requests = db.all(
        "SELECT f.id AS forum_id, f.name AS forum_name, o.name AS org_name, r.invited_at FROM forum_contact_requests r JOIN forums f ON f.id = r.forum_id
         JOIN organisations o ON o.id = r.org_id WHERE r.user_id = $1 AND r.status = 'invited' ORDER BY r.invited_at, f.id",
        args![me],
    )?;
    let rows: Vec<InvitationRow> = db.all(
        &format!(
            "{INVITATION} WHERE i.status = 'invited' AND ((i.email = $1 AND i.person_accepted_at IS NULL)
               OR (i.needs_org_approval = $2 AND i.org_approved_at IS NULL AND i.org_id IN (SELECT org_id FROM memberships WHERE user_id = $3 AND role = 'administrator')))
             ORDER BY i.id"
        ),
        args![v.email(), true, me],
    )?;
    let memberships = rows.into_iter().map(|r| r.inv).collect();
    Ok(Pending { forums, contact_requests, memberships })
}

/// The demo's and the synthetic data's stand-in for the invited parties' own answers: accepts
/// every open invitation of `forum_id` (except `keep_open`) and every open contact request,
/// recorded in the audit log as the system. Only `Via::System` (Brygga itself seeding fictional
/// data) may do this; no page, API call or command line reaches it.
pub fn accept_all_as_system(db: &mut dyn Conn, v: &Viewer, forum_id: i64, keep_open: &[i64]) -> StoreResult<()> {
    if !(v.is_system_admin() && v.via() == Via::System) {
        return Err(StoreError::Forbidden);
    }
    let now = now_ms();
    let open: Vec<i64> =
        db.scalars("SELECT org_id FROM forum_invitations WHERE forum_id = $1 AND status = 'invited' ORDER BY org_id", args![forum_id])?;
    for org in open.into_iter().filter(|o| !keep_open.contains(o)) {
        db.execute(
            "UPDATE forum_invitations SET status = 'accepted', responded_at = $1 WHERE forum_id = $2 AND org_id = $3",
            args![now, forum_id, org],
        )?;
        db.execute(
            "INSERT INTO forum_members (forum_id, org_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT (forum_id, org_id) DO NOTHING",
            args![forum_id, org, now],
        )?;
        audit::record(db, v, Event::new("forum.invitation.accept").record("forum", forum_id).org(org))?;
    }
    let asked: Vec<(i64, i64)> = db.map_all(
        "SELECT user_id, org_id FROM forum_contact_requests WHERE forum_id = $1 AND status = 'invited'",
        args![forum_id],
        user_org,
    )?;
    for (user, org) in asked {
        db.execute(
            "UPDATE forum_contact_requests SET status = 'accepted', responded_at = $1 WHERE forum_id = $2 AND user_id = $3",
            args![now, forum_id, user],
        )?;
        db.execute(
            "INSERT INTO forum_contacts (forum_id, user_id, org_id) VALUES ($1, $2, $3) ON CONFLICT (forum_id, user_id) DO NOTHING",
            args![forum_id, user, org],
        )?;
        audit::record(db, v, Event::new("forum.contact.accept").record("forum", forum_id).org(org))?;
    }
    Ok(())
}
