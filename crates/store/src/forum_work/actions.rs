//! Actions (åtgärder): who is expected to do what, by when, and why — the forum's action list
//! (Trelleborg's "vem förväntas göra vad"). An action is a *forum record* (see
//! [`sharing::forum_record_readable`]): decided together, read by every member's users, and
//! never deleted — an action that will not happen is cancelled with a reason.
//!
//! The monthly follow-up ([`followup`]) puts each completed action beside what the picture did:
//! the counts of its category at its place in the four weeks before the week it was completed
//! and in that week and the three after.

use brygga_domain::text::TextRule;
use brygga_domain::time::{IsoWeek, parse_date, today};
use brygga_domain::{ActionStatus, FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::forums::forum::{self, Forum, OrgRef};
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult, checked_with};
use crate::kernel::sharing::{self, Scope};
use crate::kernel::sql::Query;
use crate::picture::weekly::{self, PictureQuery};
use crate::{Viewer, args, forums::categories, now_ms, places::areas};

pub const TITLE: TextRule = TextRule::line("title", "Åtgärden", 200);
pub const REASON: TextRule = TextRule::line("reason", "Varför", 2000).optional().multiline();
pub const OUTCOME: TextRule = TextRule::line("outcome", "Resultatet", 2000).optional().multiline();
pub const STATUS_REASON: TextRule = TextRule::line("status_reason", "Skälet", 500).optional().multiline();

/// Weeks before and after completion the follow-up compares.
pub const FOLLOWUP_WEEKS: i32 = 4;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    pub id: i64,
    pub forum_id: i64,
    pub title: String,
    pub reason: Option<String>,
    /// The flag the action answers, as the picture phrased it (aggregates only).
    pub flag_text: Option<String>,
    /// The week of that flag, `2026-W47`.
    pub flag_week: Option<String>,
    pub category_id: Option<i64>,
    pub category_code: Option<String>,
    pub category_name: Option<String>,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub responsible: OrgRef,
    pub responsible_user_id: Option<i64>,
    pub responsible_user_name: Option<String>,
    pub partners: Vec<OrgRef>,
    /// `2026-12-24`.
    pub due_on: String,
    /// `planned`, `in_progress`, `done` or `cancelled`.
    pub status: String,
    pub status_label: String,
    /// Why it was cancelled (required then), or a note on the status.
    pub status_reason: Option<String>,
    pub outcome: Option<String>,
    /// Needs no police powers (seed 003: many problems need none).
    pub no_police_powers: bool,
    pub meeting_id: Option<i64>,
    /// The reports the action answers that the viewer may read.
    pub observation_ids: Vec<i64>,
    pub created_by_org_id: Option<i64>,
    pub completed_at_ms: Option<i64>,
    /// Open and past its due date (Swedish time).
    pub overdue: bool,
    pub version: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Action {
    pub fn status(&self) -> ActionStatus {
        ActionStatus::from_code(&self.status).unwrap_or(ActionStatus::Planned)
    }
}

/// The SELECT that [`Action::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT t.id, t.forum_id, t.title, t.reason, t.flag_text, t.flag_week, t.category_id, c.code AS category_code,
        c.name AS category_name, t.area_id, a.name AS area_name, t.responsible_org_id, o.name AS responsible_org_name, t.due_on,
        t.status, t.status_reason, t.outcome, t.no_police_powers, t.meeting_id, t.created_by_org_id, t.completed_at, t.version,
        t.created_at, t.responsible_user_id, u.name AS responsible_user_name, t.updated_at
     FROM actions t JOIN organisations o ON o.id = t.responsible_org_id
     LEFT JOIN categories c ON c.id = t.category_id LEFT JOIN areas a ON a.id = t.area_id LEFT JOIN users u ON u.id = t.responsible_user_id";

impl FromRow for Action {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let status: String = r.get("status")?;
        let st = ActionStatus::from_code(&status).ok_or_else(|| DbError::Decode(format!("status {status}")))?;
        let due_on: String = r.get("due_on")?;
        let flag_week: Option<i64> = r.get("flag_week")?;
        Ok(Self {
            id: r.get("id")?,
            forum_id: r.get("forum_id")?,
            title: r.get("title")?,
            reason: r.get("reason")?,
            flag_text: r.get("flag_text")?,
            flag_week: flag_week.and_then(IsoWeek::from_key).map(|w| w.to_string()),
            category_id: r.get("category_id")?,
            category_code: r.get("category_code")?,
            category_name: r.get("category_name")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            responsible: OrgRef { id: r.get("responsible_org_id")?, name: r.get("responsible_org_name")? },
            responsible_user_id: r.get("responsible_user_id")?,
            responsible_user_name: r.get("responsible_user_name")?,
            partners: Vec::new(),
            overdue: st.is_open() && due_on.as_str() < today().to_string().as_str(),
            due_on,
            status,
            status_label: st.label().to_owned(),
            status_reason: r.get("status_reason")?,
            outcome: r.get("outcome")?,
            no_police_powers: r.get("no_police_powers")?,
            meeting_id: r.get("meeting_id")?,
            observation_ids: Vec::new(),
            created_by_org_id: r.get("created_by_org_id")?,
            completed_at_ms: r.get("completed_at")?,
            version: r.get("version")?,
            created_at_ms: r.get("created_at")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

/// An action as sent by a form or the API; checked by [`prepare`].
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub title: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// The organisation that is expected to do it (a member of the forum). Required.
    #[serde(default)]
    pub responsible_org_id: Option<i64>,
    /// The person there, a user of that organisation.
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    /// Other member organisations taking part.
    #[serde(default)]
    pub partner_org_ids: Vec<i64>,
    /// `2026-12-24`. Required; not in the past (unless unchanged).
    #[serde(default)]
    pub due_on: Option<String>,
    /// Default `planned`.
    #[serde(default)]
    pub status: Option<String>,
    /// Required when `status` is `cancelled`.
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub no_police_powers: bool,
    /// Category id, code or name from the forum's checklist.
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub area_id: Option<i64>,
    /// The week of the flag the action answers (`2026-W47`): with category and area, the
    /// flag's sentence is taken from that week's picture.
    #[serde(default)]
    pub flag_week: Option<String>,
    /// Reports the action answers (ids the caller may read).
    #[serde(default)]
    pub observation_ids: Vec<i64>,
    /// The organisation deciding it, when the caller belongs to several in the forum.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// An action that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidAction {
    pub forum_id: i64,
    pub acting_org_id: i64,
    pub title: String,
    pub reason: Option<String>,
    pub responsible_org_id: i64,
    pub responsible_user_id: Option<i64>,
    pub partners: Vec<i64>,
    pub due_on: Date,
    pub status: ActionStatus,
    pub status_reason: Option<String>,
    pub outcome: Option<String>,
    pub no_police_powers: bool,
    pub category_id: Option<i64>,
    pub area_id: Option<i64>,
    pub flag_week: Option<IsoWeek>,
    pub flag_text: Option<String>,
    pub observation_ids: Vec<i64>,
}

/// A free-text field: the rule, which includes the personal-data guard (refused, as for
/// reports: the action list is read by every partner).
pub(crate) fn clean_text(errs: &mut FieldErrors, rule: &TextRule, input: Option<&str>) -> Option<Option<String>> {
    match rule.parse(input.unwrap_or("")) {
        Ok(Some(text)) => Some(Some(text)),
        Ok(None) if rule.required => {
            errs.push(FieldError::new(rule.field, "required", format!("{} saknas. Fyll i fältet.", rule.label)));
            None
        }
        Ok(None) => Some(None),
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

/// The forum, answered as a field error when it does not exist for the viewer, and refused
/// when none of the viewer's organisations is a member.
pub(crate) fn member_forum(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Forum> {
    let forum = forum::get(db, v, forum_id)?;
    if !sharing::can_read_forum_record(v, forum.id) {
        return Err(StoreError::Forbidden);
    }
    Ok(forum)
}

fn member_ids(f: &Forum) -> Vec<i64> {
    f.members.iter().map(|m| m.id).collect()
}

/// Whether `user_id` is a member of `org_id`.
fn user_in_org(db: &mut dyn Conn, user_id: i64, org_id: i64) -> StoreResult<bool> {
    let n: i64 = db.scalar("SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND org_id = $2", args![user_id, org_id])?;
    Ok(n > 0)
}

/// Checks an action against the forum, its members, checklist, places and the calendar, and
/// reports every problem at once. `before` is the stored action when updating: an unchanged due
/// date may lie in the past (an overdue action can still be edited).
pub fn prepare(db: &mut dyn Conn, v: &Viewer, forum_id: i64, input: &ActionInput, before: Option<&Action>) -> StoreResult<ValidAction> {
    let forum = member_forum(db, v, forum_id)?;
    let members = member_ids(&forum);
    let mut errs = FieldErrors::new();
    let acting = match before {
        // Whoever may update acts for the organisation that gives the right.
        Some(b) => may_update_as(v, &forum, b),
        None => access::acting_org(v, &members, input.org_id, |org| Permission::DecideAction { org }),
    };
    if acting.is_none() {
        return Err(StoreError::Forbidden);
    }
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let reason = clean_text(&mut errs, &REASON, input.reason.as_deref());
    let outcome = clean_text(&mut errs, &OUTCOME, input.outcome.as_deref());
    let status_reason = clean_text(&mut errs, &STATUS_REASON, input.status_reason.as_deref());
    let responsible = match input.responsible_org_id {
        None => {
            errs.push(FieldError::new(
                "responsible_org_id",
                "required",
                "Välj ansvarig organisation: vem förväntas göra det här? Det måste vara en organisation i forumet.",
            ));
            None
        }
        Some(o) if !members.contains(&o) => {
            errs.push(FieldError::new(
                "responsible_org_id",
                "forum.not_member",
                "Den ansvariga organisationen är inte med i forumet. Välj en av forumets organisationer.",
            ));
            None
        }
        Some(o) => Some(o),
    };
    if let (Some(org), Some(user)) = (responsible, input.responsible_user_id)
        && !user_in_org(db, user, org)?
    {
        errs.push(FieldError::new(
            "responsible_user_id",
            "user.not_member",
            "Den ansvariga personen tillhör inte den ansvariga organisationen. Välj en person där, eller lämna fältet tomt.",
        ));
    }
    let mut partners: Vec<i64> = input.partner_org_ids.iter().copied().filter(|p| Some(*p) != responsible).collect();
    partners.sort_unstable();
    partners.dedup();
    if partners.iter().any(|p| !members.contains(p)) {
        errs.push(FieldError::new("partner_org_ids", "forum.not_member", "Alla samarbetspartner måste vara med i forumet."));
    }
    let due_on = match input.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.push(FieldError::new("due_on", "required", "Ange när åtgärden ska vara klar, till exempel 2026-12-24."));
            None
        }
        Some(s) => match parse_date("due_on", s) {
            Ok(d) if d < today() && before.is_none_or(|b| b.due_on != d.to_string()) => {
                errs.push(FieldError::new(
                    "due_on",
                    "date.past",
                    format!("Datumet {d} har redan passerat. Välj i dag ({}) eller ett senare datum.", today()),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(before.map_or(ActionStatus::Planned, Action::status)),
        Some(s) => errs.take(ActionStatus::parse(s)),
    };
    if status == Some(ActionStatus::Cancelled) && matches!(status_reason, Some(None)) {
        errs.push(FieldError::new("status_reason", "required", "Skriv varför åtgärden ställs in, så att partnerna vet."));
    }
    let category = match input.category.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(key) => match categories::resolve(db, forum.id, key)? {
            Some(c) => Some(Some(c)),
            None => {
                errs.push(FieldError::new("category", "category.unknown", format!("Kategorin ”{key}” finns inte i forumets checklista.")));
                None
            }
        },
    };
    let area = match input.area_id {
        None => Some(None),
        Some(id) => match areas::get(db, v, id) {
            // An action that already names an archived place keeps it; a new choice must be active.
            Ok(a) if !a.is_active() && before.is_none_or(|b| b.area_id != Some(a.id)) => {
                errs.push(a.archived_error());
                None
            }
            Ok(a) if forum.municipality_code.as_ref().is_none_or(|m| *m == a.municipality_code) => Some(Some(a)),
            Ok(a) => {
                errs.push(FieldError::new(
                    "area_id",
                    "area.other_municipality",
                    format!("Platsen ”{}” ligger inte i forumets kommun. Välj en plats i listan.", a.name),
                ));
                None
            }
            Err(StoreError::NotFound { .. }) => {
                errs.push(FieldError::new("area_id", "area.unknown", "Platsen finns inte. Välj en plats i listan."));
                None
            }
            Err(e) => return Err(e),
        },
    };
    let flag_week = match input.flag_week.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(IsoWeek::parse(s).map_err(|e| FieldError::new("flag_week", e.code, e.message))).map(Some),
    };
    let mut observation_ids = input.observation_ids.clone();
    observation_ids.sort_unstable();
    observation_ids.dedup();
    for id in &observation_ids {
        if crate::picture::observations::get(db, v, *id).is_err() {
            errs.push(FieldError::new(
                "observation_ids",
                "observation.unknown",
                format!("Rapport {id} finns inte eller är inte delad med dig."),
            ));
            break;
        }
    }
    errs.into_result()?;
    let (category, area, flag_week) = (category.expect("checked"), area.expect("checked"), flag_week.expect("checked"));
    // The flag's sentence comes from the picture itself, never from the input.
    let flag_text = match (flag_week, &category, &forum.municipality_code) {
        (Some(w), Some(c), Some(m)) => {
            let q = PictureQuery::new(Scope::Joint { forum_id: forum.id }, m.clone(), w, 0);
            weekly::weekly(db, v, &q)?
                .flags
                .into_iter()
                .find(|f| f.category_code == c.code && f.area_id == area.as_ref().map(|a| a.id))
                .map(|f| f.sentence)
        }
        _ => None,
    };
    Ok(ValidAction {
        forum_id: forum.id,
        acting_org_id: acting.expect("checked"),
        title: title.flatten().expect("checked"),
        reason: reason.expect("checked"),
        responsible_org_id: responsible.expect("checked"),
        responsible_user_id: input.responsible_user_id,
        partners,
        due_on: due_on.expect("checked"),
        status: status.expect("checked"),
        status_reason: status_reason.expect("checked"),
        outcome: outcome.expect("checked"),
        no_police_powers: input.no_police_powers,
        category_id: category.map(|c| c.id),
        area_id: area.map(|a| a.id),
        flag_week,
        flag_text,
        observation_ids,
    })
}

/// Who may change an action: the responsible organisation and the one that decided it (their
/// members), and the convener's coordinators. Returns the organisation the viewer acts for.
fn may_update_as(v: &Viewer, forum: &Forum, a: &Action) -> Option<i64> {
    let candidates = [Some(a.responsible.id), a.created_by_org_id, Some(forum.convener.id)];
    candidates.into_iter().flatten().find(|org| {
        if *org == forum.convener.id && *org != a.responsible.id && Some(*org) != a.created_by_org_id {
            access::allowed(v, Permission::RunMeeting { org: *org })
        } else {
            access::allowed(v, Permission::UpdateAction { org: *org })
        }
    })
}

/// Whether the viewer may change `a` (for pages: show the edit controls or not).
pub fn may_update(db: &mut dyn Conn, v: &Viewer, a: &Action) -> StoreResult<bool> {
    let forum = forum::get(db, v, a.forum_id)?;
    Ok(may_update_as(v, &forum, a).is_some())
}

/// Where an action came from in a meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin {
    pub meeting_id: Option<i64>,
    pub meeting_item_id: Option<i64>,
}

pub fn create(db: &mut dyn Conn, v: &Viewer, a: &ValidAction, origin: Origin) -> StoreResult<Action> {
    access::require(v, Permission::DecideAction { org: a.acting_org_id })?;
    let now = now_ms();
    let completed = (!a.status.is_open()).then_some(now);
    let id: i64 = db.scalar(
        "INSERT INTO actions (forum_id, title, reason, flag_text, flag_week, category_id, area_id, responsible_org_id, responsible_user_id,
            due_on, status, status_reason, outcome, no_police_powers, meeting_id, meeting_item_id, created_by_user_id, created_by_org_id,
            completed_at, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, $20, $20) RETURNING id",
        args![
            a.forum_id,
            a.title.as_str(),
            a.reason.as_deref(),
            a.flag_text.as_deref(),
            a.flag_week.map(|w| i64::from(w.key())),
            a.category_id,
            a.area_id,
            a.responsible_org_id,
            a.responsible_user_id,
            a.due_on.to_string(),
            a.status.code(),
            a.status_reason.as_deref(),
            a.outcome.as_deref(),
            a.no_police_powers,
            origin.meeting_id,
            origin.meeting_item_id,
            v.user_id(),
            a.acting_org_id,
            completed,
            now
        ],
    )?;
    write_links(db, id, a, &[])?;
    crate::kernel::index::touch(db, "action", id)?;
    audit::record(db, v, Event::new("action.create").record("action", id).org(a.acting_org_id))?;
    fetch(db, v, id)
}

/// Writes partners and linked reports. `keep` are linked reports the editor cannot read: an
/// edit cannot see them, so it must not drop them.
fn write_links(db: &mut dyn Conn, id: i64, a: &ValidAction, keep: &[i64]) -> StoreResult<()> {
    db.execute("DELETE FROM action_partners WHERE action_id = $1", args![id])?;
    for p in &a.partners {
        db.execute("INSERT INTO action_partners (action_id, org_id) VALUES ($1, $2)", args![id, *p])?;
    }
    db.execute("DELETE FROM action_observations WHERE action_id = $1", args![id])?;
    let mut all: Vec<i64> = a.observation_ids.iter().chain(keep).copied().collect();
    all.sort_unstable();
    all.dedup();
    for o in &all {
        db.execute("INSERT INTO action_observations (action_id, observation_id) VALUES ($1, $2)", args![id, *o])?;
    }
    Ok(())
}

/// Changes an action (every field). Moving to done or cancelled stamps the completion time;
/// reopening clears it.
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, a: &ValidAction) -> StoreResult<Action> {
    let before = get(db, v, id)?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    let completed = completion(&before, a.status);
    db.execute(
        "UPDATE actions SET title = $1, reason = $2, category_id = $3, area_id = $4, responsible_org_id = $5, responsible_user_id = $6,
            due_on = $7, status = $8, status_reason = $9, outcome = $10, no_police_powers = $11, completed_at = $12,
            flag_week = $13, flag_text = $14, version = version + 1, updated_at = $15 WHERE id = $16",
        args![
            a.title.as_str(),
            a.reason.as_deref(),
            a.category_id,
            a.area_id,
            a.responsible_org_id,
            a.responsible_user_id,
            a.due_on.to_string(),
            a.status.code(),
            a.status_reason.as_deref(),
            a.outcome.as_deref(),
            a.no_police_powers,
            completed,
            a.flag_week.map(|w| i64::from(w.key())),
            a.flag_text.as_deref().or(before.flag_text.as_deref()),
            now_ms(),
            id
        ],
    )?;
    let linked: Vec<i64> = db.scalars("SELECT observation_id FROM action_observations WHERE action_id = $1", args![id])?;
    let unreadable: Vec<i64> = linked.into_iter().filter(|o| !before.observation_ids.contains(o)).collect();
    write_links(db, id, a, &unreadable)?;
    crate::kernel::index::touch(db, "action", id)?;
    audit::record(db, v, Event::new("action.update").record("action", id).org(a.acting_org_id))?;
    fetch(db, v, id)
}

/// Decides a new action in the forum: the one command behind the form and `POST
/// /forums/{id}/actions`. `unread` holds what the front door could not read; with any, nothing
/// is written and its errors come back with the store's own.
pub fn decide(db: &mut dyn Conn, v: &Viewer, forum_id: i64, input: &ActionInput, unread: FieldErrors) -> StoreResult<Action> {
    let valid = checked_with(unread, prepare(db, v, forum_id, input, None))?;
    create(db, v, &valid, Origin::default())
}

/// Edits an action: the one command behind the edit form and `PUT /actions/{id}`. Reads the
/// action as it is now, checks the input against it (an unchanged due date may lie in the past)
/// and writes it when `version` is still current. `unread` as for [`decide`].
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &ActionInput, unread: FieldErrors) -> StoreResult<Action> {
    let before = get(db, v, id)?;
    let valid = checked_with(unread, prepare(db, v, before.forum_id, input, Some(&before)))?;
    update(db, v, id, version, &valid)
}

fn completion(before: &Action, status: ActionStatus) -> Option<i64> {
    match (before.status().is_open(), status.is_open()) {
        (_, true) => None,
        (true, false) => Some(now_ms()),
        (false, false) => before.completed_at_ms.or(Some(now_ms())),
    }
}

/// A status change as the responsible organisation reports it: "klar", with what came of it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub status: String,
    /// Required for `cancelled`.
    #[serde(default)]
    pub status_reason: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
}

pub fn set_status(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &StatusInput) -> StoreResult<Action> {
    let before = get(db, v, id)?;
    let forum = forum::get(db, v, before.forum_id)?;
    let org = may_update_as(v, &forum, &before).ok_or(StoreError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let status = errs.take(ActionStatus::parse(&input.status));
    let reason = clean_text(&mut errs, &STATUS_REASON, input.status_reason.as_deref());
    let outcome = clean_text(&mut errs, &OUTCOME, input.outcome.as_deref());
    if status == Some(ActionStatus::Cancelled) && matches!(reason, Some(None)) {
        errs.push(FieldError::new("status_reason", "required", "Skriv varför åtgärden ställs in, så att partnerna vet."));
    }
    errs.into_result()?;
    if before.version != version {
        return Err(StoreError::Stale);
    }
    let status = status.expect("checked");
    let outcome = outcome.flatten().or(before.outcome.clone());
    db.execute(
        "UPDATE actions SET status = $1, status_reason = $2, outcome = $3, completed_at = $4, version = version + 1, updated_at = $5 WHERE id = $6",
        args![status.code(), reason.flatten(), outcome, completion(&before, status), now_ms(), id],
    )?;
    crate::kernel::index::touch(db, "action", id)?;
    audit::record(db, v, Event::new("action.status").record("action", id).org(org))?;
    fetch(db, v, id)
}

fn fetch(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Action> {
    let a: Action = db.opt(&format!("{SELECT} WHERE t.id = $1"), args![id])?.ok_or(StoreError::not_found("action"))?;
    let mut list = vec![a];
    complete(db, v, &mut list)?;
    Ok(list.pop().expect("one"))
}

/// Partners and readable reports for a list of actions.
fn complete(db: &mut dyn Conn, v: &Viewer, list: &mut [Action]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let d = db.dialect();
    let partners: Vec<(i64, i64, String)> = db.map_all(
        &format!(
            "SELECT p.action_id, o.id, o.name FROM action_partners p JOIN organisations o ON o.id = p.org_id WHERE {} ORDER BY o.name_key",
            d.in_list("p.action_id", 1)
        ),
        &[Value::IntList(ids.clone())],
        |r| Ok((r.get("action_id")?, r.get("id")?, r.get("name")?)),
    )?;
    let [orgs, forums] = sharing::readable_args(v);
    let observations: Vec<(i64, i64)> = db.map_all(
        &format!(
            "SELECT x.action_id, x.observation_id FROM action_observations x JOIN observations o ON o.id = x.observation_id
             WHERE {} AND {} ORDER BY x.observation_id",
            d.in_list("x.action_id", 1),
            sharing::readable(d, "o", 2)
        ),
        &[Value::IntList(ids), orgs, forums],
        |r| Ok((r.get("action_id")?, r.get("observation_id")?)),
    )?;
    for a in list.iter_mut() {
        a.partners = partners.iter().filter(|p| p.0 == a.id).map(|p| OrgRef { id: p.1, name: p.2.clone() }).collect();
        a.observation_ids = observations.iter().filter(|o| o.0 == a.id).map(|o| o.1).collect();
    }
    Ok(())
}

/// One action, if the viewer may read it (a user of one of the forum's members).
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Action> {
    let a = fetch(db, v, id)?;
    if sharing::can_read_forum_record(v, a.forum_id) { Ok(a) } else { Err(StoreError::not_found("action")) }
}

/// Filters of the action list.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filter {
    /// `open` (planned or in progress, the default), `all`, or one status code.
    #[serde(default)]
    pub status: Option<String>,
    /// Only open actions past their due date.
    #[serde(default)]
    pub overdue: bool,
    /// Only actions the viewer or the viewer's organisations are responsible for or partners in.
    #[serde(default)]
    pub mine: bool,
    /// Only actions this organisation is responsible for.
    #[serde(default)]
    pub org_id: Option<i64>,
}

/// The refusal of an organisation filter that is not one of the forum's members.
pub fn org_filter_error() -> FieldError {
    FieldError::new("org_id", "forum.not_member", "Organisationen är inte med i forumet. Välj en av forumets organisationer.")
}

/// The forum's action list: open ones by due date (overdue first), then the rest newest first.
///
/// An organisation filter must name one of the forum's members: any other is refused on
/// `org_id` (an empty list would read as "they have nothing to do").
pub fn list(db: &mut dyn Conn, v: &Viewer, forum_id: i64, f: &Filter) -> StoreResult<Vec<Action>> {
    let forum = member_forum(db, v, forum_id)?;
    if f.org_id.is_some_and(|o| !member_ids(&forum).contains(&o)) {
        return Err(StoreError::invalid(org_filter_error()));
    }
    let mut q = Query::new(format!("{SELECT} WHERE t.forum_id = "));
    q.push("?", [forum_id.into()]);
    match f.status.as_deref().map(str::trim).unwrap_or("open") {
        "" | "open" => {
            q.raw(" AND t.status IN ('planned', 'in_progress')");
        }
        "all" => {}
        s => {
            let st = ActionStatus::parse(s).map_err(StoreError::invalid)?;
            q.push(" AND t.status = ?", [st.code().into()]);
        }
    }
    if f.overdue {
        q.push(" AND t.status IN ('planned', 'in_progress') AND t.due_on < ?", [today().to_string().into()]);
    }
    if let Some(o) = f.org_id {
        q.push(" AND t.responsible_org_id = ?", [o.into()]);
    }
    if f.mine {
        let n = q.next_param();
        let orgs = db.dialect().in_list("t.responsible_org_id", n);
        let partner = db.dialect().in_list("p.org_id", n);
        q.push_numbered(
            &format!(
                " AND ({orgs} OR t.responsible_user_id = ${} OR EXISTS (SELECT 1 FROM action_partners p WHERE p.action_id = t.id AND {partner}))",
                n + 1
            ),
            [Value::IntList(v.org_ids()), v.user_id().unwrap_or(0).into()],
        );
    }
    q.raw(" ORDER BY CASE WHEN t.status IN ('planned', 'in_progress') THEN 0 ELSE 1 END, t.due_on, t.id");
    let mut items: Vec<Action> = db.all(&q.sql, &q.params)?;
    complete(db, v, &mut items)?;
    Ok(items)
}

/// Open actions due by `until` (inclusive) that the forum has, for the digest and the agenda.
pub fn due_by(db: &mut dyn Conn, v: &Viewer, forum_id: i64, until: Date) -> StoreResult<Vec<Action>> {
    let open = list(db, v, forum_id, &Filter::default())?;
    Ok(open.into_iter().filter(|a| a.due_on.as_str() <= until.to_string().as_str()).collect())
}

/// The users of `org_id` (for "responsible person" choices).
pub fn people(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Vec<(i64, String, i64)>> {
    let forum = member_forum(db, v, forum_id)?;
    Ok(db.map_all(
        &format!(
            "SELECT u.id, u.name, m.org_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE {} ORDER BY u.name",
            db.dialect().in_list("m.org_id", 1)
        ),
        &[Value::IntList(member_ids(&forum))],
        |r| Ok((r.get("id")?, r.get("name")?, r.get("org_id")?)),
    )?)
}

// ---------------------------------------------------------------------------------------------
// The monthly follow-up.

/// What the picture did around one completed action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ActionOutcome))]
pub struct Outcome {
    pub action: Action,
    /// The ISO week it was completed (Swedish time).
    pub completed_week: String,
    /// The weeks compared, oldest first: `FOLLOWUP_WEEKS` before, then the completion week and
    /// the ones after (only weeks that have begun).
    pub weeks_before: Vec<String>,
    pub weeks_after: Vec<String>,
    /// Counts per week (the forum's joint picture, exact: members only), `null` without a
    /// category and place to count.
    pub before: Option<Vec<i64>>,
    pub after: Option<Vec<i64>>,
    /// Mean per week before and after.
    pub mean_before: Option<f64>,
    pub mean_after: Option<f64>,
}

/// The month's follow-up of a forum's action list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Followup {
    /// `2026-11`.
    pub month: String,
    pub done: Vec<Outcome>,
    pub cancelled: Vec<Action>,
    /// Open and past due at the time of asking.
    pub overdue: Vec<Action>,
    /// Decided in the month.
    pub decided: usize,
    /// Completed in the month, per responsible organisation (name, done, cancelled).
    pub by_org: Vec<(String, usize, usize)>,
    /// Of the month's completed actions, how many needed no police powers.
    pub no_police_powers: usize,
}

/// Reads `2026-11`.
pub fn parse_month(input: &str) -> Result<Date, FieldError> {
    brygga_domain::time::parse_month("manad", input)
}

fn day_start_ms(d: Date) -> StoreResult<i64> {
    d.to_zoned(brygga_domain::time::stockholm()).map(|z| z.timestamp().as_millisecond()).map_err(|e| StoreError::Internal(e.to_string()))
}

pub fn followup(db: &mut dyn Conn, v: &Viewer, forum_id: i64, month: Date) -> StoreResult<Followup> {
    member_forum(db, v, forum_id)?;
    let first = month.first_of_month();
    let next = first.checked_add(jiff::Span::new().months(1)).map_err(|e| StoreError::Internal(e.to_string()))?;
    let (from, to) = (day_start_ms(first)?, day_start_ms(next)?);
    let all = list(db, v, forum_id, &Filter { status: Some("all".into()), ..Filter::default() })?;
    let in_month = |ms: Option<i64>| ms.is_some_and(|t| t >= from && t < to);
    let current = IsoWeek::current();
    let mut done = Vec::new();
    let mut cancelled = Vec::new();
    for a in all.iter().filter(|a| in_month(a.completed_at_ms)) {
        if a.status() == ActionStatus::Cancelled {
            cancelled.push(a.clone());
            continue;
        }
        let c = IsoWeek::of(jiff::Timestamp::from_millisecond(a.completed_at_ms.unwrap_or(from)).unwrap_or_default());
        let weeks_before: Vec<IsoWeek> = (1..=FOLLOWUP_WEEKS).rev().map(|i| c.plus(-i)).collect();
        let weeks_after: Vec<IsoWeek> = (0..FOLLOWUP_WEEKS).map(|i| c.plus(i)).filter(|w| *w <= current).collect();
        let (before, after) = match (&a.category_code, a.area_id) {
            (Some(code), Some(area)) => {
                let counts = weekly_counts(db, forum_id, code, area, weeks_before[0], *weeks_after.last().unwrap_or(&c))?;
                let get = |w: &IsoWeek| counts.iter().find(|(k, _)| *k == i64::from(w.key())).map_or(0, |x| x.1);
                (Some(weeks_before.iter().map(get).collect::<Vec<_>>()), Some(weeks_after.iter().map(get).collect::<Vec<_>>()))
            }
            _ => (None, None),
        };
        let mean = |xs: &Option<Vec<i64>>| xs.as_ref().filter(|x| !x.is_empty()).map(|x| x.iter().sum::<i64>() as f64 / x.len() as f64);
        done.push(Outcome {
            action: a.clone(),
            completed_week: c.to_string(),
            weeks_before: weeks_before.iter().map(ToString::to_string).collect(),
            weeks_after: weeks_after.iter().map(ToString::to_string).collect(),
            mean_before: mean(&before),
            mean_after: mean(&after),
            before,
            after,
        });
    }
    let mut by_org: Vec<(String, usize, usize)> = Vec::new();
    for a in all.iter().filter(|a| in_month(a.completed_at_ms)) {
        let i = match by_org.iter().position(|o| o.0 == a.responsible.name) {
            Some(i) => i,
            None => {
                by_org.push((a.responsible.name.clone(), 0, 0));
                by_org.len() - 1
            }
        };
        if a.status() == ActionStatus::Done { by_org[i].1 += 1 } else { by_org[i].2 += 1 }
    }
    by_org.sort_by_key(|o| crate::sort_key(&o.0));
    Ok(Followup {
        month: format!("{:04}-{:02}", first.year(), first.month()),
        no_police_powers: done.iter().filter(|o| o.action.no_police_powers).count(),
        decided: all.iter().filter(|a| a.created_at_ms >= from && a.created_at_ms < to).count(),
        overdue: all.iter().filter(|a| a.overdue).cloned().collect(),
        done,
        cancelled,
        by_org,
    })
}

/// Weekly sums of the forum's joint reports of one category code at one place.
fn weekly_counts(db: &mut dyn Conn, forum_id: i64, code: &str, area: i64, from: IsoWeek, to: IsoWeek) -> StoreResult<Vec<(i64, i64)>> {
    let (scope, values) = sharing::scope_predicate("o", &Scope::Joint { forum_id }, 1);
    let mut params = values;
    params.extend([code.into(), area.into(), i64::from(from.key()).into(), i64::from(to.key()).into()]);
    let n = params.len();
    Ok(db.map_all(
        &format!(
            "SELECT o.week, CAST(SUM(o.quantity) AS BIGINT) AS quantity FROM observations o JOIN categories c ON c.id = o.category_id
             WHERE {scope} AND c.code = ${} AND o.area_id = ${} AND o.week >= ${} AND o.week <= ${} GROUP BY o.week",
            n - 3,
            n - 2,
            n - 1,
            n
        ),
        &params,
        |r| Ok((r.get("week")?, r.get("quantity")?)),
    )?)
}

/// The ISO week (`2026-W49`) of the meeting that decided `a`, for a link to it. `a` comes
/// from [`get`], so the viewer may read it and the meeting.
pub fn meeting_week(db: &mut dyn Conn, a: &Action) -> StoreResult<Option<String>> {
    let Some(id) = a.meeting_id else { return Ok(None) };
    let week: Option<i64> = db.scalar_opt("SELECT week FROM meetings WHERE id = $1", args![id])?;
    Ok(week.and_then(IsoWeek::from_key).map(|w| w.to_string()))
}

/// The organisations whose records an action is: the responsible one, the partners and the
/// deciding one.
fn owners_of(items: &[Action]) -> Vec<i64> {
    items.iter().flat_map(|a| std::iter::once(a.responsible.id).chain(a.partners.iter().map(|p| p.id)).chain(a.created_by_org_id)).collect()
}

/// [`list`], as one audited read (the action-list exports): ONE entry `action` (about the
/// forum) naming the organisations of the listed actions other than the viewer's. Needs a
/// write transaction.
pub fn list_audited(db: &mut dyn Conn, v: &Viewer, forum_id: i64, f: &Filter, action: &'static str) -> StoreResult<Vec<Action>> {
    let items = list(db, v, forum_id, f)?;
    audit::shared_read(db, v, action, Some(("forum", forum_id)), &owners_of(&items), audit::Reads::Always)?;
    Ok(items)
}

/// All actions, for the search index's full rebuild.
pub const SEARCH_IDS: &str = "SELECT id FROM actions";

/// The search index's document of one action: title, why, the outcome and the reason for its
/// status, with the place's (or else the forum's) municipality. A forum record
/// ([`sharing::forum_record_readable`]): read by the users of the forum's member organisations
/// and nobody else, so its one reader is the forum.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<crate::kernel::index::Document>> {
    use crate::kernel::index::{Document, Reader};
    type Row5 = (i64, String, Option<String>, Option<String>, Option<String>, Option<String>, i64, String);
    let row: Option<Row5> = db.map_opt(
        "SELECT t.forum_id AS forum_id, t.title AS title, t.reason AS reason, t.outcome AS outcome, t.status_reason AS status_reason,
                COALESCE(ar.municipality_code, f.municipality_code) AS municipality_code, t.updated_at AS updated_at, t.due_on AS due_on
         FROM actions t JOIN forums f ON f.id = t.forum_id LEFT JOIN areas ar ON ar.id = t.area_id WHERE t.id = $1",
        args![id],
        |r| {
            Ok((
                r.get("forum_id")?,
                r.get("title")?,
                r.get("reason")?,
                r.get("outcome")?,
                r.get("status_reason")?,
                r.get("municipality_code")?,
                r.get("updated_at")?,
                r.get("due_on")?,
            ))
        },
    )?;
    let Some((forum_id, title, reason, outcome, status_reason, municipality, updated_at, due_on)) = row else {
        return Ok(None);
    };
    let mut body = format!("Åtgärd, klar senast {due_on}.");
    for part in [reason, outcome, status_reason].into_iter().flatten() {
        body.push(' ');
        body.push_str(&part);
    }
    Ok(Some(Document {
        kind: "action",
        id,
        title,
        body,
        municipalities: municipality.into_iter().collect(),
        path: format!("/atgarder/{id}"),
        readers: vec![Reader::Forum(forum_id)],
        updated_at_ms: updated_at,
    }))
}
