//! Rapid alerts — Hässleholm's "trycka på knappen": any member calls in the forum's other
//! actors at once when something flares up. Raising an alert writes the alert, one recipient
//! row per contact person and one outbox message each, in one transaction: either everyone is
//! notified (the outbox retries until the SMTP server answers) or nothing was raised.
//!
//! An alert is a forum record ([`sharing::forum_record_readable`]). The e-mail carries the
//! headline, place and urgency and a link; the description stays in Brygga, behind sign-in.

use brygga_domain::account::Email;
use brygga_domain::geography;
use brygga_domain::text::TextRule;
use brygga_domain::time::format_local;
use brygga_domain::{AlertUrgency, FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use crate::forum_work::actions::{clean_text, member_forum};
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::{Viewer, args, kernel::sharing, now_ms, places::areas, places::place};

pub const TITLE: TextRule = TextRule::line("title", "Vad som händer", 160);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 2000).optional().multiline();
pub const SUMMARY: TextRule = TextRule::line("summary", "Sammanfattningen", 2000).multiline();

/// Urgent alerts are sent before any other waiting e-mail: their send jobs are due this much
/// earlier than they were written (the queue takes the oldest due first).
const URGENT_HEAD_START_MS: i64 = 24 * 3_600_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AlertRecipient))]
pub struct Recipient {
    pub user_id: i64,
    pub name: String,
    pub org_name: Option<String>,
    pub notified_at_ms: i64,
    pub acknowledged_at_ms: Option<i64>,
}

impl FromRow for Recipient {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            user_id: r.get("user_id")?,
            name: r.get("name")?,
            org_name: r.get("org_name")?,
            notified_at_ms: r.get("notified_at")?,
            acknowledged_at_ms: r.get("acknowledged_at")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: i64,
    pub forum_id: i64,
    pub title: String,
    pub description: Option<String>,
    /// `immediate`, `today` or `this_week`.
    pub urgency: String,
    pub urgency_label: String,
    pub municipality_code: String,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub raised_by_user_id: Option<i64>,
    pub raised_by_name: Option<String>,
    pub raised_by_org_name: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    pub summary: Option<String>,
    pub closed_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub recipients: Vec<Recipient>,
    /// Milliseconds from raising to the first acknowledgement.
    pub first_ack_ms: Option<i64>,
    /// Set when the alert reached nobody (a forum without contact persons whose only
    /// coordinator raised it): say so to the one who pressed the button.
    pub notice: Option<String>,
}

impl Alert {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
    /// Whether the alert is open and `user_id` was notified and has not yet acknowledged.
    pub fn awaits(&self, user_id: Option<i64>) -> bool {
        self.is_open() && self.recipients.iter().any(|r| Some(r.user_id) == user_id && r.acknowledged_at_ms.is_none())
    }
}

/// The SELECT that [`Alert::from_row`] decodes, by the names given here.
const SELECT: &str = "SELECT t.id, t.forum_id, t.title, t.description, t.urgency, t.municipality_code, t.area_id, a.name AS area_name,
        t.lat, t.lon, t.raised_by_user_id, u.name AS raised_by_name, o.name AS raised_by_org_name, t.status, t.summary, t.closed_at,
        t.created_at
     FROM alerts t LEFT JOIN areas a ON a.id = t.area_id LEFT JOIN users u ON u.id = t.raised_by_user_id
     LEFT JOIN organisations o ON o.id = t.raised_by_org_id";

impl FromRow for Alert {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let urgency: String = r.get("urgency")?;
        let u = AlertUrgency::from_code(&urgency).ok_or_else(|| DbError::Decode(format!("urgency {urgency}")))?;
        Ok(Self {
            id: r.get("id")?,
            forum_id: r.get("forum_id")?,
            title: r.get("title")?,
            description: r.get("description")?,
            urgency,
            urgency_label: u.label().to_owned(),
            municipality_code: r.get("municipality_code")?,
            area_id: r.get("area_id")?,
            area_name: r.get("area_name")?,
            lat: r.get("lat")?,
            lon: r.get("lon")?,
            raised_by_user_id: r.get("raised_by_user_id")?,
            raised_by_name: r.get("raised_by_name")?,
            raised_by_org_name: r.get("raised_by_org_name")?,
            status: r.get("status")?,
            summary: r.get("summary")?,
            closed_at_ms: r.get("closed_at")?,
            created_at_ms: r.get("created_at")?,
            recipients: Vec::new(),
            first_ack_ms: None,
            notice: None,
        })
    }
}

/// An alert as the button's form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AlertInput {
    /// What is happening, in a line: "Stenkastning mot bussar vid Centralstationen".
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `immediate` (Akut – nu), `today` or `this_week`.
    pub urgency: String,
    /// A place of the forum's municipality …
    #[serde(default)]
    pub area_id: Option<i64>,
    /// … or a WGS84 position inside it.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// The organisation raising it, when the caller belongs to several in the forum.
    #[serde(default)]
    pub org_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidAlert {
    pub forum_id: i64,
    pub forum_name: String,
    pub org_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub urgency: AlertUrgency,
    pub municipality: String,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub position: Option<(f64, f64)>,
}

fn municipality_name(code: &str) -> String {
    geography::municipality(code).map_or_else(|| code.to_owned(), |m| m.name.to_owned())
}

/// Checks an alert: a member raising it, a line on what happens, an urgency, and a place in
/// the forum's municipality (an area of it, or a position inside it).
pub fn prepare(db: &mut dyn Conn, v: &Viewer, forum_id: i64, input: &AlertInput) -> StoreResult<ValidAlert> {
    let forum = member_forum(db, v, forum_id)?;
    let members: Vec<i64> = forum.members.iter().map(|m| m.id).collect();
    let org = access::acting_org(v, &members, input.org_id, |org| Permission::RaiseAlert { org }).ok_or(StoreError::Forbidden)?;
    let mut errs = FieldErrors::new();
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    let urgency = errs.take(AlertUrgency::parse(&input.urgency));
    let Some(municipality) = forum.municipality_code.clone() else {
        return Err(StoreError::invalid(FieldError::new(
            "forum_id",
            "forum.no_municipality",
            "Forumet gäller flera kommuner; larm kan bara skickas i ett forum för en kommun.",
        )));
    };
    let m_name = municipality_name(&municipality);
    let area = match input.area_id {
        None => None,
        Some(id) => match areas::get(db, v, id) {
            Ok(a) if !a.is_active() => {
                errs.push(a.archived_error());
                None
            }
            Ok(a) if a.municipality_code == municipality => Some(a),
            Ok(a) => {
                errs.push(FieldError::new(
                    "area_id",
                    "area.other_municipality",
                    format!(
                        "Platsen ”{}” ligger i {}, utanför forumets kommun {m_name}. Välj en plats i {m_name}.",
                        a.name,
                        municipality_name(&a.municipality_code)
                    ),
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
    let position = place::check_position(&mut errs, input.lat, input.lon, Some(&municipality));
    if input.area_id.is_none() && position.is_none() && errs.get("lat").is_none() {
        errs.push(FieldError::new("area_id", "required", format!("Var händer det? Välj en plats i {m_name} eller ange en position.")));
    }
    errs.into_result()?;
    Ok(ValidAlert {
        forum_id: forum.id,
        forum_name: forum.name,
        org_id: org,
        title: title.flatten().expect("checked"),
        description: description.expect("checked"),
        urgency: urgency.expect("checked"),
        municipality,
        area_id: area.as_ref().map(|a| a.id),
        area_name: area.map(|a| a.name),
        position,
    })
}

/// The outcome of raising: the alert, and whether the key had been used already.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    pub alert: Alert,
    pub replayed: bool,
}

/// Who an alert goes to: the forum's contact persons (who accepted) except the one raising it;
/// without any, the convener's coordinators and administrators; without any of those either,
/// the coordinators and administrators of the other member organisations (accepted members
/// only). When even that is nobody, the alert carries a [`Alert::notice`] saying so.
/// (user id, name, e-mail, organisation).
type Contact = (i64, String, String, Option<i64>);

fn contact(r: &Row) -> Result<Contact, DbError> {
    Ok((r.get("id")?, r.get("name")?, r.get("email")?, r.get("org_id")?))
}

fn recipients(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Vec<Contact>> {
    let me = v.user_id().unwrap_or(0);
    let contacts: Vec<Contact> = db.map_all(
        "SELECT u.id, u.name, u.email, c.org_id FROM forum_contacts c JOIN users u ON u.id = c.user_id
         WHERE c.forum_id = $1 AND u.id <> $2 ORDER BY u.id",
        args![forum_id, me],
        contact,
    )?;
    if !contacts.is_empty() {
        return Ok(contacts);
    }
    let conveners: Vec<Contact> = db.map_all(
        "SELECT u.id, u.name, u.email, m.org_id FROM forums f JOIN memberships m ON m.org_id = f.convener_org_id JOIN users u ON u.id = m.user_id
         WHERE f.id = $1 AND m.role IN ('administrator', 'coordinator') AND u.id <> $2 ORDER BY u.id",
        args![forum_id, me],
        contact,
    )?;
    if !conveners.is_empty() {
        return Ok(conveners);
    }
    let mut members: Vec<Contact> = db.map_all(
        "SELECT u.id, u.name, u.email, m.org_id FROM forum_members f JOIN memberships m ON m.org_id = f.org_id JOIN users u ON u.id = m.user_id
         WHERE f.forum_id = $1 AND m.role IN ('administrator', 'coordinator') AND u.id <> $2 ORDER BY u.id, m.org_id",
        args![forum_id, me],
        contact,
    )?;
    members.dedup_by_key(|c| c.0);
    Ok(members)
}

/// Raises the alert and queues its e-mail, in the caller's transaction. With `key` (the form's
/// one-time key, or the API's Idempotency-Key), pressing twice raises one alert.
pub fn raise(db: &mut dyn Conn, v: &Viewer, a: &ValidAlert, key: Option<&str>, post: &Postmark) -> StoreResult<Raised> {
    access::require(v, Permission::RaiseAlert { org: a.org_id })?;
    if let Some(k) = key {
        crate::kernel::idempotency::lock(db, &format!("forum:{}", a.forum_id), k)?;
        let existing: Option<i64> =
            db.scalar_opt("SELECT id FROM alerts WHERE forum_id = $1 AND idempotency_key = $2", args![a.forum_id, k])?;
        if let Some(id) = existing {
            return Ok(Raised { alert: get(db, v, id)?, replayed: true });
        }
    }
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO alerts (forum_id, raised_by_user_id, raised_by_org_id, municipality_code, area_id, lat, lon, title, description,
            urgency, status, idempotency_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $12) RETURNING id",
        args![
            a.forum_id,
            v.user_id(),
            a.org_id,
            a.municipality.as_str(),
            a.area_id,
            a.position.map(|p| p.0),
            a.position.map(|p| p.1),
            a.title.as_str(),
            a.description.as_deref(),
            a.urgency.code(),
            key,
            now
        ],
    )?;
    let place = a.area_name.clone().unwrap_or_else(|| match a.position {
        Some((lat, lon)) => format!("position {lat:.5}, {lon:.5} i {}", municipality_name(&a.municipality)),
        None => municipality_name(&a.municipality),
    });
    let subject = format!("LARM ({}): {} – {}", a.urgency.label(), a.title, place);
    let raiser = v.memberships().iter().find(|m| m.org_id == a.org_id).map_or_else(String::new, |m| m.org_name.clone());
    for (user_id, name, email, org_id) in recipients(db, v, a.forum_id)? {
        let outbox = match Email::parse(&email) {
            Ok(to) => {
                let body = format!(
                    "Hej {name}!\n\n{raiser} har tryckt på knappen i {forum}.\n\nVad: {title}\nVar: {place}\nBrådska: {urgency}\nTid: {at}\n\n\
                     Kvittera att du har sett larmet, och läs beskrivningen, här:\n{link}\n\n\
                     Du får det här meddelandet för att du är kontaktperson i {forum}.\n",
                    forum = a.forum_name,
                    title = a.title,
                    urgency = a.urgency.label(),
                    at = format_local(jiff::Timestamp::from_millisecond(now).unwrap_or_default()),
                    link = post.link(&format!("/larm/{id}")),
                );
                let mail = NewMail { kind: "alert", to, to_user_id: Some(user_id), subject: subject.clone(), body, list_unsubscribe: None };
                let run_at = if a.urgency == AlertUrgency::ThisWeek { now } else { now - URGENT_HEAD_START_MS };
                Some(mail::enqueue_at(db, &mail, &post.host, now, run_at)?.id)
            }
            // An account's address is checked when it is made; one that is not valid still sees the alert in the app.
            Err(_) => None,
        };
        db.execute(
            "INSERT INTO alert_recipients (alert_id, user_id, org_id, notified_at, outbox_id) VALUES ($1, $2, $3, $4, $5)",
            args![id, user_id, org_id, now, outbox],
        )?;
    }
    audit::record(db, v, Event::new("alert.raise").record("alert", id).org(a.org_id))?;
    Ok(Raised { alert: get(db, v, id)?, replayed: false })
}

fn complete(db: &mut dyn Conn, list: &mut [Alert]) -> StoreResult<()> {
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let rows: Vec<(i64, Recipient)> = db.map_all(
        &format!(
            "SELECT r.alert_id, r.user_id, u.name, o.name AS org_name, r.notified_at, r.acknowledged_at FROM alert_recipients r
             JOIN users u ON u.id = r.user_id LEFT JOIN organisations o ON o.id = r.org_id WHERE {} ORDER BY u.name",
            db.dialect().in_list("r.alert_id", 1)
        ),
        &[Value::IntList(ids)],
        |r| Ok((r.get("alert_id")?, Recipient::from_row(r)?)),
    )?;
    for a in list.iter_mut() {
        a.recipients = rows.iter().filter(|r| r.0 == a.id).map(|r| r.1.clone()).collect();
        a.first_ack_ms = a.recipients.iter().filter_map(|r| r.acknowledged_at_ms).min().map(|t| t - a.created_at_ms);
        a.notice = a.recipients.is_empty().then(|| {
            "Larmet nådde ingen: forumet har inga kontaktpersoner som har tackat ja, och inga andra samordnare eller administratörer i medlemsorganisationerna. \
             Ring den du behöver nå, och be den sammankallande organisationen utse kontaktpersoner."
                .to_owned()
        });
    }
    Ok(())
}

/// One alert, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Alert> {
    let a: Alert = db.opt(&format!("{SELECT} WHERE t.id = $1"), args![id])?.ok_or(StoreError::not_found("alert"))?;
    if !sharing::can_read_forum_record(v, a.forum_id) {
        return Err(StoreError::not_found("alert"));
    }
    let mut list = vec![a];
    complete(db, &mut list)?;
    Ok(list.pop().expect("one"))
}

/// A forum's alerts, newest first (at most `limit`).
pub fn list(db: &mut dyn Conn, v: &Viewer, forum_id: i64, limit: usize) -> StoreResult<Vec<Alert>> {
    member_forum(db, v, forum_id)?;
    let mut items: Vec<Alert> =
        db.all(&format!("{SELECT} WHERE t.forum_id = $1 ORDER BY t.id DESC LIMIT {}", limit.clamp(1, 1000)), args![forum_id])?;
    complete(db, &mut items)?;
    Ok(items)
}

/// Open alerts in every forum of the viewer, newest first: the "Larm" page and the count in
/// the navigation.
pub fn open_for(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Alert>> {
    let sql = format!(
        "{SELECT} WHERE t.status = 'open' AND {} ORDER BY t.id DESC LIMIT 200",
        sharing::forum_record_readable(db.dialect(), "t", 1)
    );
    let mut items: Vec<Alert> = db.all(&sql, &[sharing::forum_record_args(v)])?;
    complete(db, &mut items)?;
    Ok(items)
}

/// Open alerts the viewer was notified of and has not acknowledged.
pub fn pending_count(db: &mut dyn Conn, v: &Viewer) -> StoreResult<i64> {
    let Some(user) = v.user_id() else { return Ok(0) };
    Ok(db.scalar(
        "SELECT COUNT(*) FROM alert_recipients r JOIN alerts t ON t.id = r.alert_id
         WHERE r.user_id = $1 AND r.acknowledged_at IS NULL AND t.status = 'open'",
        args![user],
    )?)
}

/// The viewer acknowledges ("sett, jag agerar"). Only recipients can; twice is once.
pub fn acknowledge(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Alert> {
    let a = get(db, v, id)?;
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    if !a.recipients.iter().any(|r| r.user_id == user) {
        return Err(StoreError::Forbidden);
    }
    let n = db.execute(
        "UPDATE alert_recipients SET acknowledged_at = $1 WHERE alert_id = $2 AND user_id = $3 AND acknowledged_at IS NULL",
        args![now_ms(), id, user],
    )?;
    if n > 0 {
        audit::record(db, v, Event::new("alert.acknowledge").record("alert", id))?;
    }
    get(db, v, id)
}

/// Closes the alert with a summary of what happened and what was done: the one who raised it,
/// its recipients, or the convener's coordinators.
pub fn close(db: &mut dyn Conn, v: &Viewer, id: i64, summary: &str) -> StoreResult<Alert> {
    let a = get(db, v, id)?;
    let forum = crate::forums::forum::get(db, v, a.forum_id)?;
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    let may = a.raised_by_user_id == Some(user)
        || a.recipients.iter().any(|r| r.user_id == user)
        || access::allowed(v, Permission::RunMeeting { org: forum.convener.id });
    if !may {
        return Err(StoreError::Forbidden);
    }
    if !a.is_open() {
        return Err(StoreError::invalid(FieldError::new("summary", "alert.closed", "Larmet är redan avslutat.")));
    }
    let mut errs = FieldErrors::new();
    let summary = clean_text(&mut errs, &SUMMARY, Some(summary));
    errs.into_result()?;
    let now = now_ms();
    db.execute(
        "UPDATE alerts SET status = 'closed', summary = $1, closed_at = $2, closed_by_user_id = $3, updated_at = $2 WHERE id = $4 AND status = 'open'",
        args![summary.flatten(), now, user, id],
    )?;
    audit::record(db, v, Event::new("alert.close").record("alert", id))?;
    get(db, v, id)
}

/// A forum's alert statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AlertStats))]
pub struct Stats {
    pub total: usize,
    pub open: usize,
    /// Alerts with at least one acknowledgement.
    pub acknowledged: usize,
    /// Of all notifications, the share acknowledged (0–1); `null` without notifications.
    pub ack_share: Option<f64>,
    /// Median and 90th percentile of the time to first acknowledgement, milliseconds.
    pub median_first_ack_ms: Option<i64>,
    pub p90_first_ack_ms: Option<i64>,
    /// Per urgency code: (code, label, count).
    pub by_urgency: Vec<(String, String, usize)>,
}

fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub fn stats(db: &mut dyn Conn, v: &Viewer, forum_id: i64) -> StoreResult<Stats> {
    let all = list(db, v, forum_id, 1000)?;
    let mut firsts: Vec<i64> = all.iter().filter_map(|a| a.first_ack_ms).collect();
    firsts.sort_unstable();
    let notified: usize = all.iter().map(|a| a.recipients.len()).sum();
    let acked: usize = all.iter().map(|a| a.recipients.iter().filter(|r| r.acknowledged_at_ms.is_some()).count()).sum();
    Ok(Stats {
        total: all.len(),
        open: all.iter().filter(|a| a.is_open()).count(),
        acknowledged: firsts.len(),
        ack_share: (notified > 0).then(|| acked as f64 / notified as f64),
        median_first_ack_ms: percentile(&firsts, 0.5),
        p90_first_ack_ms: percentile(&firsts, 0.9),
        by_urgency: AlertUrgency::ALL
            .iter()
            .map(|u| (u.code().to_owned(), u.label().to_owned(), all.iter().filter(|a| a.urgency == u.code()).count()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank_percentiles() {
        let xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!((super::percentile(&xs, 0.5), super::percentile(&xs, 0.9)), (Some(5), Some(9)));
        assert_eq!(super::percentile(&[], 0.5), None);
        assert_eq!(super::percentile(&[42], 0.9), Some(42));
    }
}
