//! The weekly meeting (avstämning, seed 003 §4.4): partners meet, go through the picture and
//! the action list, decide who does what. A meeting of ISO week W reviews the joint picture of
//! W−1, the last complete week. Opening it generates the agenda — the week's flags, then the
//! overdue and the other open actions — and a decision on any item becomes an action in one
//! step ([`decide`]), linked back to the meeting and the item.
//!
//! A meeting is a forum record (members' users read it); coordinators of member organisations
//! open and keep it.

use brygga_domain::text::TextRule;
use brygga_domain::time::{IsoWeek, parse_date};
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::forum_work::actions::{self, ActionInput, clean_text, member_forum};
use crate::forums::forum::Forum;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::Scope;
use crate::picture::weekly::{self, PictureQuery};
use crate::{Viewer, args, now_ms};

pub const NOTES: TextRule = TextRule::line("notes", "Anteckningarna", 4000).optional().multiline();
pub const ITEM_NOTE: TextRule = TextRule::line("note", "Anteckningen", 2000).optional().multiline();
pub const OTHER_TITLE: TextRule = TextRule::line("other", "Punkten", 200).optional();

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MeetingAttendance))]
pub struct Attendance {
    pub org_id: i64,
    pub org_name: String,
    /// `null`: not yet recorded.
    pub present: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = MeetingItem))]
pub struct Item {
    pub id: i64,
    pub position: i64,
    /// `flag`, `overdue`, `open` or `other`.
    pub kind: String,
    pub title: String,
    pub category_id: Option<i64>,
    pub category_code: Option<String>,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    /// The week of the flag, `2026-W47`.
    pub flag_week: Option<String>,
    /// The action the item is about (overdue and open items).
    pub subject_action_id: Option<i64>,
    pub note: Option<String>,
    /// Actions decided on this item.
    pub decided: Vec<(i64, String)>,
}

impl FromRow for Item {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let week: Option<i64> = r.get("flag_week")?;
        Ok(Self {
            id: r.get("id")?,
            position: r.get("position")?,
            kind: r.get("kind")?,
            title: r.get("title")?,
            category_id: r.get("category_id")?,
            category_code: r.get("category_code")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            flag_week: week.and_then(IsoWeek::from_key).map(|w| w.to_string()),
            subject_action_id: r.get("subject_action_id")?,
            note: r.get("note")?,
            decided: Vec::new(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: i64,
    pub forum_id: i64,
    pub forum_name: String,
    /// `2026-W49`.
    pub week: String,
    /// The week whose picture the meeting reviews.
    pub picture_week: String,
    pub held_on: Option<String>,
    pub notes: Option<String>,
    pub version: i64,
    pub attendance: Vec<Attendance>,
    pub items: Vec<Item>,
}

impl Meeting {
    pub fn iso_week(&self) -> IsoWeek {
        IsoWeek::parse(&self.week).expect("stored by us")
    }
}

/// The acting coordinator's organisation, or refused.
fn runner(v: &Viewer, forum: &Forum) -> StoreResult<i64> {
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    access::acting_org(v, &members, None, |org| Permission::RunMeeting { org }).ok_or(StoreError::Forbidden)
}

/// Whether the viewer may open and keep the forum's meetings.
pub fn may_run(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<bool> {
    let forum = member_forum(db, v, forum_id)?;
    Ok(runner(v, &forum).is_ok())
}

fn find(db: &mut dyn Conn, forum_id: i64, week: IsoWeek) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM meetings WHERE forum_id = $1 AND week = $2", args![forum_id, i64::from(week.key())])?)
}

/// The meeting of `week`, if it has been opened.
pub fn get(db: &mut dyn Conn, v: &Viewer, forum_id: i64, week: IsoWeek) -> StoreResult<Option<Meeting>> {
    let forum = member_forum(db, v, forum_id)?;
    match find(db, forum_id, week)? {
        Some(id) => load(db, &forum, id).map(Some),
        None => Ok(None),
    }
}

/// The forum's meetings, newest first: (week, items, decided actions).
pub fn list(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Vec<(String, i64, i64)>> {
    member_forum(db, v, forum_id)?;
    let rows: Vec<(i64, i64, i64)> = db.map_all(
        "SELECT m.week, (SELECT COUNT(*) FROM meeting_items i WHERE i.meeting_id = m.id) AS items,
                (SELECT COUNT(*) FROM actions a WHERE a.meeting_id = m.id) AS actions
         FROM meetings m WHERE m.forum_id = $1 ORDER BY m.week DESC LIMIT 200",
        args![forum_id],
        |r| Ok((r.get("week")?, r.get("items")?, r.get("actions")?)),
    )?;
    Ok(rows.into_iter().filter_map(|(w, i, a)| IsoWeek::from_key(w).map(|w| (w.to_string(), i, a))).collect())
}

fn load(db: &mut dyn Conn, forum: &Forum, id: i64) -> StoreResult<Meeting> {
    let (week, picture_week, held_on, notes, version): (i64, i64, Option<String>, Option<String>, i64) =
        db.map_one("SELECT week, picture_week, held_on, notes, version FROM meetings WHERE id = $1", args![id], |r| {
            Ok((r.get("week")?, r.get("picture_week")?, r.get("held_on")?, r.get("notes")?, r.get("version")?))
        })?;
    let present: Vec<(i64, bool)> = db.map_all("SELECT org_id, present FROM meeting_attendance WHERE meeting_id = $1", args![id], |r| {
        Ok((r.get("org_id")?, r.get("present")?))
    })?;
    let attendance = forum
        .members
        .iter()
        .map(|m| Attendance { org_id: m.id, org_name: m.name.clone(), present: present.iter().find(|p| p.0 == m.id).map(|p| p.1) })
        .collect();
    let mut items: Vec<Item> = db.all(
        "SELECT i.id, i.position, i.kind, i.title, i.category_id, c.code AS category_code, i.area_id, a.name AS area_name, i.flag_week,
                i.subject_action_id, i.note
         FROM meeting_items i LEFT JOIN categories c ON c.id = i.category_id LEFT JOIN areas a ON a.id = i.area_id
         WHERE i.meeting_id = $1 ORDER BY i.position, i.id",
        args![id],
    )?;
    let decided: Vec<(i64, i64, String)> = db.map_all(
        "SELECT meeting_item_id, id, title FROM actions WHERE meeting_id = $1 AND meeting_item_id IS NOT NULL ORDER BY id",
        args![id],
        |r| Ok((r.get("meeting_item_id")?, r.get("id")?, r.get("title")?)),
    )?;
    for it in &mut items {
        it.decided = decided.iter().filter(|d| d.0 == it.id).map(|d| (d.1, d.2.clone())).collect();
    }
    let wk = |k: i64| IsoWeek::from_key(k).map(|w| w.to_string()).unwrap_or_default();
    Ok(Meeting {
        id,
        forum_id: forum.id,
        forum_name: forum.name.clone(),
        week: wk(week),
        picture_week: wk(picture_week),
        held_on,
        notes,
        version,
        attendance,
        items,
    })
}

struct NewItem {
    kind: &'static str,
    key: String,
    title: String,
    category_id: Option<i64>,
    area_id: Option<i64>,
    flag_week: Option<IsoWeek>,
    action_id: Option<i64>,
}

/// What the agenda of `week` should hold now.
fn agenda(db: &mut dyn Conn, v: &Viewer, forum: &Forum, week: IsoWeek) -> StoreResult<Vec<NewItem>> {
    let mut items = Vec::new();
    let picture_week = week.plus(-1);
    if let Some(m) = &forum.municipality_code {
        let q = PictureQuery::new(Scope::Joint { forum_id: forum.id }, m.clone(), picture_week, 0);
        let pic = weekly::weekly(db, v, &q)?;
        for f in pic.flags {
            let category_id = crate::forums::categories::resolve(db, forum.id, &f.category_code)?.map(|c| c.id);
            items.push(NewItem {
                kind: "flag",
                key: format!("flag:{}:{}:{}", picture_week.key(), f.category_code, f.area_id.map_or("none".to_owned(), |a| a.to_string())),
                title: f.sentence,
                category_id,
                area_id: f.area_id,
                flag_week: Some(picture_week),
                action_id: None,
            });
        }
    }
    let open = actions::list(db, v, forum.id, &actions::Filter::default())?;
    let (overdue, rest): (Vec<_>, Vec<_>) = open.into_iter().partition(|a| a.overdue);
    for (kind, list) in [("overdue", overdue), ("open", rest)] {
        for a in list {
            items.push(NewItem {
                kind,
                key: format!("action:{}", a.id),
                title: format!("{} — {}, senast {}", a.title, a.responsible.name, a.due_on),
                category_id: a.category_id,
                area_id: a.area_id,
                flag_week: None,
                action_id: Some(a.id),
            });
        }
    }
    Ok(items)
}

fn add_items(db: &mut dyn Conn, meeting_id: i64, items: Vec<NewItem>) -> StoreResult<usize> {
    let now = now_ms();
    let mut position: i64 = db.scalar("SELECT COALESCE(MAX(position), 0) FROM meeting_items WHERE meeting_id = $1", args![meeting_id])?;
    let mut added = 0;
    for it in items {
        let exists: i64 =
            db.scalar("SELECT COUNT(*) FROM meeting_items WHERE meeting_id = $1 AND item_key = $2", args![meeting_id, it.key.as_str()])?;
        if exists > 0 {
            continue;
        }
        position += 1;
        added += 1;
        db.execute(
            "INSERT INTO meeting_items (meeting_id, position, kind, item_key, title, category_id, area_id, flag_week, subject_action_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            args![
                meeting_id,
                position,
                it.kind,
                it.key.as_str(),
                it.title.as_str(),
                it.category_id,
                it.area_id,
                it.flag_week.map(|w| i64::from(w.key())),
                it.action_id,
                now
            ],
        )?;
    }
    Ok(added)
}

/// Opens the meeting of `week` (idempotent: an opened meeting is returned as it is).
pub fn open(db: &mut dyn Conn, v: &Viewer, forum_id: i64, week: IsoWeek) -> StoreResult<Meeting> {
    let forum = member_forum(db, v, forum_id)?;
    let org = runner(v, &forum)?;
    if week > IsoWeek::current().plus(1) {
        return Err(StoreError::invalid(FieldError::new(
            "week",
            "week.future",
            format!("Vecka {week} ligger för långt fram. Öppna veckans eller nästa veckas avstämning."),
        )));
    }
    if let Some(id) = find(db, forum_id, week)? {
        return load(db, &forum, id);
    }
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO meetings (forum_id, week, picture_week, opened_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
        args![forum_id, i64::from(week.key()), i64::from(week.plus(-1).key()), v.user_id(), now],
    )?;
    let items = agenda(db, v, &forum, week)?;
    add_items(db, id, items)?;
    audit::record(db, v, Event::new("meeting.open").record("meeting", id).org(org))?;
    load(db, &forum, id)
}

/// Adds what has come up since the agenda was made (new flags, newly decided actions).
pub fn refresh(db: &mut dyn Conn, v: &Viewer, forum_id: i64, week: IsoWeek) -> StoreResult<(Meeting, usize)> {
    let forum = member_forum(db, v, forum_id)?;
    runner(v, &forum)?;
    let id = find(db, forum_id, week)?.ok_or(StoreError::not_found("meeting"))?;
    let items = agenda(db, v, &forum, week)?;
    let added = add_items(db, id, items)?;
    Ok((load(db, &forum, id)?, added))
}

/// The meeting's form: when it was held, who was there, notes, and one new item.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveInput {
    pub version: i64,
    /// `2026-12-01`.
    #[serde(default)]
    pub held_on: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Organisations present (every other member is recorded as absent).
    #[serde(default)]
    pub present: Vec<i64>,
    /// Notes per item: (item id, note).
    #[serde(default)]
    pub item_notes: Vec<(i64, String)>,
    /// A new item of other business.
    #[serde(default)]
    pub other: Option<String>,
}

pub fn save(db: &mut dyn Conn, v: &Viewer, forum_id: i64, week: IsoWeek, input: &SaveInput) -> StoreResult<Meeting> {
    let forum = member_forum(db, v, forum_id)?;
    let org = runner(v, &forum)?;
    let id = find(db, forum_id, week)?.ok_or(StoreError::not_found("meeting"))?;
    let before = load(db, &forum, id)?;
    let mut errs = FieldErrors::new();
    let held_on: Option<Option<Date>> = match input.held_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs.take(parse_date("held_on", s)).map(Some),
    };
    let notes = clean_text(&mut errs, &NOTES, input.notes.as_deref());
    let other = clean_text(&mut errs, &OTHER_TITLE, input.other.as_deref());
    let mut item_notes = Vec::new();
    for (item, note) in &input.item_notes {
        if !before.items.iter().any(|i| i.id == *item) {
            return Err(StoreError::not_found("meeting_item"));
        }
        let rule = TextRule { field: "item_note", ..ITEM_NOTE };
        let mut one = FieldErrors::new();
        match clean_text(&mut one, &rule, Some(note)) {
            Some(n) => item_notes.push((*item, n)),
            None => {
                for e in one.into_result().err().into_iter().flat_map(|e| e.0) {
                    errs.push(FieldError::new(format!("i{item}_note"), e.code, e.message));
                }
            }
        }
    }
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    if input.present.iter().any(|p| !members.contains(p)) {
        errs.push(FieldError::new("present", "forum.not_member", "Bara forumets organisationer kan vara med på avstämningen."));
    }
    errs.into_result()?;
    if before.version != input.version {
        return Err(StoreError::Stale);
    }
    let now = now_ms();
    db.execute(
        "UPDATE meetings SET held_on = $1, notes = $2, version = version + 1, updated_at = $3 WHERE id = $4",
        args![held_on.flatten().map(|d| d.to_string()), notes.flatten(), now, id],
    )?;
    db.execute("DELETE FROM meeting_attendance WHERE meeting_id = $1", args![id])?;
    for m in &members {
        db.execute(
            "INSERT INTO meeting_attendance (meeting_id, org_id, present) VALUES ($1, $2, $3)",
            args![id, *m, input.present.contains(m)],
        )?;
    }
    for (item, note) in item_notes {
        db.execute("UPDATE meeting_items SET note = $1 WHERE id = $2 AND meeting_id = $3", args![note, item, id])?;
    }
    if let Some(title) = other.flatten() {
        let n: i64 = db.scalar("SELECT COUNT(*) FROM meeting_items WHERE meeting_id = $1 AND kind = 'other'", args![id])?;
        add_items(
            db,
            id,
            vec![NewItem {
                kind: "other",
                key: format!("other:{}", n + 1),
                title,
                category_id: None,
                area_id: None,
                flag_week: None,
                action_id: None,
            }],
        )?;
    }
    audit::record(db, v, Event::new("meeting.update").record("meeting", id).org(org))?;
    load(db, &forum, id)
}

/// What an item suggests for its action: the flag's category, place and week.
pub fn suggestion(item: &Item) -> ActionInput {
    ActionInput {
        title: String::new(),
        category: item.category_code.clone(),
        area_id: item.area_id,
        flag_week: item.flag_week.clone(),
        ..ActionInput::default()
    }
}

/// Turns a decision on an agenda item into an action: the item's category, place and flag come
/// with it; the input names what, who and by when.
pub fn decide(
    db: &mut dyn Conn,
    v: &Viewer,
    forum_id: i64,
    week: IsoWeek,
    item_id: i64,
    input: &ActionInput,
) -> StoreResult<actions::Action> {
    let forum = member_forum(db, v, forum_id)?;
    runner(v, &forum)?;
    let id = find(db, forum_id, week)?.ok_or(StoreError::not_found("meeting"))?;
    let m = load(db, &forum, id)?;
    let item = m.items.iter().find(|i| i.id == item_id).ok_or(StoreError::not_found("meeting_item"))?;
    let base = suggestion(item);
    let input = ActionInput {
        category: input.category.clone().or(base.category),
        area_id: input.area_id.or(base.area_id),
        flag_week: input.flag_week.clone().or(base.flag_week),
        ..input.clone()
    };
    let valid = actions::prepare(db, v, forum_id, &input, None)?;
    let mut a = actions::create(db, v, &valid, actions::Origin { meeting_id: Some(id), meeting_item_id: Some(item_id) })?;
    // A flag turned into an action keeps the sentence it had on the agenda.
    if a.flag_text.is_none() && item.kind == "flag" {
        db.execute("UPDATE actions SET flag_text = $1 WHERE id = $2", args![item.title.as_str(), a.id])?;
        a.flag_text = Some(item.title.clone());
    }
    Ok(a)
}

/// A meeting with the actions decided at it, read as minutes: one audited read naming the
/// organisations whose records are in it — the owners of the reports behind the joint picture
/// it reviews, and the organisations of its decided actions — other than the viewer's. `None`
/// when the meeting was not opened (nothing is logged). Needs a write transaction.
pub fn minutes(
    db: &mut dyn Conn,
    v: &Viewer,
    forum_id: i64,
    week: IsoWeek,
    action: &'static str,
) -> StoreResult<Option<(Meeting, Vec<actions::Action>)>> {
    let Some(m) = get(db, v, forum_id, week)? else { return Ok(None) };
    let all = actions::list(db, v, forum_id, &actions::Filter { status: Some("all".into()), ..Default::default() })?;
    let decided: Vec<actions::Action> = all.into_iter().filter(|a| a.meeting_id == Some(m.id)).collect();
    let municipality: Option<Option<String>> = db.scalar_opt("SELECT municipality_code FROM forums WHERE id = $1", args![forum_id])?;
    let mut owners: Vec<i64> = decided
        .iter()
        .flat_map(|a| std::iter::once(a.responsible.id).chain(a.partners.iter().map(|p| p.id)).chain(a.created_by_org_id))
        .collect();
    if let (Some(Some(code)), Ok(pw)) = (municipality, IsoWeek::parse(&m.picture_week)) {
        owners.extend(weekly::owners(db, &PictureQuery::new(Scope::Joint { forum_id }, code, pw, 1))?);
    }
    audit::shared_read(db, v, action, Some(("meeting", m.id)), &owners, audit::Reads::OfOthers)?;
    Ok(Some((m, decided)))
}
