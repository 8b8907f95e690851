//! Consent: nobody becomes a forum member, a forum contact person or a member of an
//! organisation because someone else said so.
//!
//! - A **forum invitation** (`forum_invitations`) asks an organisation to join a forum; an
//!   administrator or coordinator of that organisation accepts or declines
//!   ([`Action::AnswerForumInvitation`]).
//! - A **contact request** (`forum_contact_requests`) asks a person to be one of a forum's
//!   contact persons (the ones alerted); only that person answers.
//! - A **membership invitation** asks a person to join an organisation
//!   ([`crate::accounts::invitations`], which also holds the answer type and the notification
//!   e-mail shared with this module).
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

use brygga_domain::Role;
use serde::Serialize;

pub use crate::accounts::invitations::{Answer, MAIL_KIND};
use crate::accounts::invitations::{
    INVITATION, InvitationRow, MembershipInvitation, inviter_label, notify, org_name, org_people, user_org,
};
use crate::forums::forum::OrgRef;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::Postmark;
use crate::{Action, Via, Viewer, args, kernel::access, now_ms};

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
