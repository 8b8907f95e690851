//! Deliverables (products) of a programme and their reach: leaflets, toolboxes, templates,
//! training material, reports, with their supplier and the days they were ordered, delivered and
//! approved; the distribution log (to whom — free text and/or an organisation —, when, how, and
//! how many were sent, opened, downloaded) and the reach totals.
//!
//! **The check "levererad men inte spridd".** The evaluation found products delivered and then
//! never distributed, so their reach was unknown. A deliverable with a delivery date and no
//! distribution is flagged ([`Deliverable::undistributed`]) on the programme, in the steering
//! report and on the next meeting's agenda.
//!
//! **Who.** Coordinators of the programme's owner write ([`Permission::ManageProgramme`]);
//! whoever may read the programme reads them ([`super::load`]).

use std::collections::HashMap;

use brygga_domain::steering::{Channel, DeliverableKind};
use brygga_domain::text::TextRule;
use brygga_domain::time::{parse_date, today};
use brygga_domain::{FieldError, FieldErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::steering;
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult, checked_with};
use crate::{Viewer, args, now_ms};

pub const TITLE: TextRule = TextRule::line("title", "Produktens namn", 300);
pub const DESCRIPTION: TextRule = TextRule::line("description", "Beskrivningen", 4000).optional().multiline();
pub const SUPPLIER: TextRule = TextRule::line("supplier", "Leverantören", 300).optional();
pub const RECIPIENT: TextRule = TextRule::line("recipient", "Mottagaren", 300).optional();
pub const NOTE: TextRule = TextRule::line("note", "Anteckningen", 1000).optional().multiline();

/// Reach: what the distribution log adds up to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DeliverableReach))]
pub struct Reach {
    /// Distributions logged.
    pub distributions: usize,
    /// Distinct recipient organisations.
    pub organisations: usize,
    /// Sums of the counts given (a distribution without a count adds nothing).
    pub sent: i64,
    pub opened: i64,
    pub downloaded: i64,
}

/// One distribution: to whom, when, how, and its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DeliverableDistribution))]
pub struct Distribution {
    pub id: i64,
    pub deliverable_id: i64,
    pub recipient: String,
    pub recipient_org_id: Option<i64>,
    pub recipient_org_name: Option<String>,
    /// `2019-10-14`.
    pub sent_on: String,
    /// `email`, `post`, `web`, `meeting`, `training` or `other`.
    pub channel: String,
    pub channel_label: String,
    pub sent_count: Option<i64>,
    pub opened_count: Option<i64>,
    pub downloaded_count: Option<i64>,
    pub note: Option<String>,
}

impl FromRow for Distribution {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let channel: String = r.get("channel")?;
        Ok(Self {
            id: r.get("id")?,
            deliverable_id: r.get("deliverable_id")?,
            recipient: r.get("recipient")?,
            recipient_org_id: r.get("recipient_org_id")?,
            recipient_org_name: r.get("org_name")?,
            sent_on: r.get("sent_on")?,
            channel_label: Channel::from_code(&channel)
                .map(|c| c.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("channel {channel}")))?,
            channel,
            sent_count: r.get("sent_count")?,
            opened_count: r.get("opened_count")?,
            downloaded_count: r.get("downloaded_count")?,
            note: r.get("note")?,
        })
    }
}

/// A deliverable with its distribution log and reach.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deliverable {
    pub id: i64,
    pub programme_id: i64,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    /// `leaflet`, `toolbox`, `template`, `training`, `report` or `other`.
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub description: Option<String>,
    pub supplier: Option<String>,
    pub ordered_on: Option<String>,
    pub delivered_on: Option<String>,
    pub approved_on: Option<String>,
    /// Optimistic lock: send it back when editing.
    pub version: i64,
    pub distributions: Vec<Distribution>,
    pub reach: Reach,
    /// Delivered, and not distributed to anyone: "levererad men inte spridd".
    pub undistributed: bool,
}

const SELECT: &str = "SELECT d.id, d.programme_id, d.group_id, g.name AS group_name, d.kind, d.title, d.description, d.supplier,
        d.ordered_on, d.delivered_on, d.approved_on, d.version
     FROM deliverables d LEFT JOIN working_groups g ON g.id = d.group_id";

const DIST_SELECT: &str = "SELECT x.id, x.deliverable_id, x.recipient, x.recipient_org_id, o.name AS org_name, x.sent_on, x.channel,
        x.sent_count, x.opened_count, x.downloaded_count, x.note
     FROM deliverable_distributions x LEFT JOIN organisations o ON o.id = x.recipient_org_id";

impl FromRow for Deliverable {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        let kind: String = r.get("kind")?;
        Ok(Self {
            id: r.get("id")?,
            programme_id: r.get("programme_id")?,
            group_id: r.get("group_id")?,
            group_name: r.get("group_name")?,
            kind_label: DeliverableKind::from_code(&kind)
                .map(|k| k.label().to_owned())
                .ok_or_else(|| DbError::Decode(format!("kind {kind}")))?,
            kind,
            title: r.get("title")?,
            description: r.get("description")?,
            supplier: r.get("supplier")?,
            ordered_on: r.get("ordered_on")?,
            delivered_on: r.get("delivered_on")?,
            approved_on: r.get("approved_on")?,
            version: r.get("version")?,
            distributions: Vec::new(),
            reach: Reach::default(),
            undistributed: false,
        })
    }
}

/// The totals of a distribution log.
pub fn reach(log: &[Distribution]) -> Reach {
    let mut orgs: Vec<i64> = log.iter().filter_map(|d| d.recipient_org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    Reach {
        distributions: log.len(),
        organisations: orgs.len(),
        sent: log.iter().filter_map(|d| d.sent_count).sum(),
        opened: log.iter().filter_map(|d| d.opened_count).sum(),
        downloaded: log.iter().filter_map(|d| d.downloaded_count).sum(),
    }
}

fn complete(mut d: Deliverable, log: Vec<Distribution>) -> Deliverable {
    d.reach = reach(&log);
    d.undistributed = d.delivered_on.is_some() && log.is_empty();
    d.distributions = log;
    d
}

/// The deliverables of a programme, without the read check (callers have made it). Two queries.
pub(crate) fn read_all(db: &mut dyn Conn, programme_id: i64) -> StoreResult<Vec<Deliverable>> {
    let list: Vec<Deliverable> =
        db.all(&format!("{SELECT} WHERE d.programme_id = $1 ORDER BY d.delivered_on IS NULL, d.delivered_on, d.id"), args![programme_id])?;
    let logs: Vec<Distribution> = db.all(
        &format!("{DIST_SELECT} JOIN deliverables d ON d.id = x.deliverable_id WHERE d.programme_id = $1 ORDER BY x.sent_on, x.id"),
        args![programme_id],
    )?;
    let mut by: HashMap<i64, Vec<Distribution>> = HashMap::new();
    for l in logs {
        by.entry(l.deliverable_id).or_default().push(l);
    }
    Ok(list
        .into_iter()
        .map(|d| {
            let log = by.remove(&d.id).unwrap_or_default();
            complete(d, log)
        })
        .collect())
}

/// The deliverables of a programme, with their logs and reach.
pub fn for_programme(db: &mut dyn Conn, v: &Viewer, programme_id: i64) -> StoreResult<Vec<Deliverable>> {
    super::load(db, v, programme_id)?;
    read_all(db, programme_id)
}

/// One deliverable, if the viewer may read its programme.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Deliverable> {
    let d: Deliverable = db.opt(&format!("{SELECT} WHERE d.id = $1"), args![id])?.ok_or(StoreError::not_found("deliverable"))?;
    super::load(db, v, d.programme_id).map_err(|_| StoreError::not_found("deliverable"))?;
    let log = db.all(&format!("{DIST_SELECT} WHERE x.deliverable_id = $1 ORDER BY x.sent_on, x.id"), args![id])?;
    Ok(complete(d, log))
}

/// A deliverable as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeliverableInput {
    /// `leaflet`, `toolbox`, `template`, `training`, `report` or `other`.
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub supplier: Option<String>,
    /// The working group that ordered it (of this programme), if any.
    #[serde(default)]
    pub group_id: Option<i64>,
    /// `2019-03-01`; ordered ≤ delivered ≤ approved, none in the future.
    #[serde(default)]
    pub ordered_on: Option<String>,
    #[serde(default)]
    pub delivered_on: Option<String>,
    #[serde(default)]
    pub approved_on: Option<String>,
    /// When editing: the version read (a stale one is a conflict).
    #[serde(default)]
    pub version: Option<i64>,
}

struct Valid {
    kind: DeliverableKind,
    title: String,
    description: Option<String>,
    supplier: Option<String>,
    group_id: Option<i64>,
    ordered_on: Option<Date>,
    delivered_on: Option<Date>,
    approved_on: Option<Date>,
}

/// An optional date not in the future; `None` when left empty.
pub(crate) fn past_date(errs: &mut FieldErrors, field: &str, what: &str, input: Option<&str>) -> Option<Date> {
    let s = input.map(str::trim).filter(|s| !s.is_empty())?;
    match parse_date(field, s) {
        Err(e) => {
            errs.push(e);
            None
        }
        Ok(d) if d > today() => {
            errs.push(FieldError::new(
                field,
                "date.future",
                format!("{what} {d} har inte kommit än. Ange datumet när det har hänt, eller lämna fältet tomt."),
            ));
            None
        }
        Ok(d) => Some(d),
    }
}

fn prepare(db: &mut dyn Conn, programme_id: i64, input: &DeliverableInput) -> StoreResult<Valid> {
    let mut errs = FieldErrors::new();
    let kind = errs.take(DeliverableKind::parse(&input.kind));
    let title = clean_text(&mut errs, &TITLE, Some(&input.title));
    let description = clean_text(&mut errs, &DESCRIPTION, input.description.as_deref());
    let supplier = clean_text(&mut errs, &SUPPLIER, input.supplier.as_deref());
    let ordered_on = past_date(&mut errs, "ordered_on", "Beställningsdagen", input.ordered_on.as_deref());
    let delivered_on = past_date(&mut errs, "delivered_on", "Leveransdagen", input.delivered_on.as_deref());
    let approved_on = past_date(&mut errs, "approved_on", "Godkännandedagen", input.approved_on.as_deref());
    if let (Some(o), Some(d)) = (ordered_on, delivered_on)
        && d < o
    {
        errs.push(FieldError::new(
            "delivered_on",
            "deliverable.delivered_before_ordered",
            format!("Leveransdagen {d} ligger före beställningsdagen {o}. Rätta något av datumen."),
        ));
    }
    if let Some(a) = approved_on {
        match delivered_on {
            None => errs.push(FieldError::new(
                "approved_on",
                "deliverable.approved_undelivered",
                "Produkten kan inte godkännas innan den har levererats. Ange leveransdagen också.",
            )),
            Some(d) if a < d => errs.push(FieldError::new(
                "approved_on",
                "deliverable.approved_before_delivered",
                format!("Godkännandedagen {a} ligger före leveransdagen {d}. Rätta något av datumen."),
            )),
            Some(_) => {}
        }
    }
    if let Some(g) = input.group_id {
        let known: Option<i64> =
            db.scalar_opt("SELECT id FROM working_groups WHERE id = $1 AND programme_id = $2", args![g, programme_id])?;
        if known.is_none() {
            errs.push(FieldError::new(
                "group_id",
                "steering.group_unknown",
                "Arbetsgruppen finns inte i programmet. Välj en grupp i listan, eller ingen.",
            ));
        }
    }
    errs.into_result()?;
    Ok(Valid {
        kind: kind.expect("checked"),
        title: title.flatten().expect("checked"),
        description: description.expect("checked"),
        supplier: supplier.expect("checked"),
        group_id: input.group_id,
        ordered_on,
        delivered_on,
        approved_on,
    })
}

fn ds(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Adds a deliverable to a programme.
pub fn create(db: &mut dyn Conn, v: &Viewer, programme_id: i64, input: &DeliverableInput, unread: FieldErrors) -> StoreResult<Deliverable> {
    let owner = steering::require_manage(db, v, programme_id)?;
    let d = checked_with(unread, prepare(db, programme_id, input))?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO deliverables (programme_id, group_id, kind, title, description, supplier, ordered_on, delivered_on, approved_on,
            created_by_user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        args![
            programme_id,
            d.group_id,
            d.kind.code(),
            d.title.as_str(),
            d.description.as_deref(),
            d.supplier.as_deref(),
            ds(d.ordered_on),
            ds(d.delivered_on),
            ds(d.approved_on),
            v.user_id(),
            now
        ],
    )?;
    audit::record(db, v, Event::new("deliverable.create").record("deliverable", id).org(owner))?;
    get(db, v, id)
}

/// Changes a deliverable. A delivery date cannot be taken away once the product was distributed.
pub fn update(db: &mut dyn Conn, v: &Viewer, id: i64, input: &DeliverableInput, unread: FieldErrors) -> StoreResult<Deliverable> {
    let before = get(db, v, id)?;
    let owner = steering::require_manage(db, v, before.programme_id)?;
    let d = checked_with(
        unread,
        prepare(db, before.programme_id, input).and_then(|d| {
            if let Some(first) = before.distributions.first() {
                match d.delivered_on {
                    None => {
                        return Err(StoreError::invalid(FieldError::new(
                            "delivered_on",
                            "deliverable.delivery_needed",
                            "Produkten har redan spridits och behöver därför ett leveransdatum.",
                        )));
                    }
                    Some(dd) if dd.to_string() > first.sent_on => {
                        return Err(StoreError::invalid(FieldError::new(
                            "delivered_on",
                            "deliverable.delivered_after_sent",
                            format!("Leveransdagen {dd} ligger efter den första spridningen ({}). Rätta datumet.", first.sent_on),
                        )));
                    }
                    Some(_) => {}
                }
            }
            Ok(d)
        }),
    )?;
    if let Some(e) = input.version
        && e != before.version
    {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE deliverables SET group_id = $1, kind = $2, title = $3, description = $4, supplier = $5, ordered_on = $6, delivered_on = $7,
            approved_on = $8, version = version + 1, updated_at = $9 WHERE id = $10",
        args![
            d.group_id,
            d.kind.code(),
            d.title.as_str(),
            d.description.as_deref(),
            d.supplier.as_deref(),
            ds(d.ordered_on),
            ds(d.delivered_on),
            ds(d.approved_on),
            now_ms(),
            id
        ],
    )?;
    audit::record(db, v, Event::new("deliverable.update").record("deliverable", id).org(owner))?;
    get(db, v, id)
}

/// Deletes a deliverable and its distribution log; answers its programme's id.
pub fn remove(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<i64> {
    let before = get(db, v, id)?;
    let owner = steering::require_manage(db, v, before.programme_id)?;
    db.execute("DELETE FROM deliverables WHERE id = $1", args![id])?;
    audit::record(db, v, Event::new("deliverable.remove").record("deliverable", id).org(owner))?;
    Ok(before.programme_id)
}

/// A distribution as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DistributionInput))]
#[serde(deny_unknown_fields)]
pub struct DistributionInput {
    /// To whom, in words ("Skånes 33 kommuners trygghetssamordnare"); may be left out when an
    /// organisation is chosen.
    #[serde(default)]
    pub recipient: Option<String>,
    /// The recipient organisation, if it is one.
    #[serde(default)]
    pub recipient_org_id: Option<i64>,
    /// When, `2019-10-14`: not before the delivery, not in the future.
    pub sent_on: String,
    /// `email`, `post`, `web`, `meeting`, `training` or `other`.
    pub channel: String,
    #[serde(default)]
    pub sent_count: Option<i64>,
    #[serde(default)]
    pub opened_count: Option<i64>,
    #[serde(default)]
    pub downloaded_count: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Logs a distribution of a delivered deliverable.
pub fn distribute(db: &mut dyn Conn, v: &Viewer, id: i64, input: &DistributionInput, unread: FieldErrors) -> StoreResult<Distribution> {
    let d = get(db, v, id)?;
    let owner = steering::require_manage(db, v, d.programme_id)?;
    let checked = (|| -> StoreResult<_> {
        let mut errs = FieldErrors::new();
        let recipient = clean_text(&mut errs, &RECIPIENT, input.recipient.as_deref());
        let org_name: Option<String> = match input.recipient_org_id {
            Some(o) => {
                let name: Option<String> = db.scalar_opt("SELECT name FROM organisations WHERE id = $1", args![o])?;
                if name.is_none() {
                    errs.push(FieldError::new(
                        "recipient_org_id",
                        "choice.invalid",
                        "Organisationen finns inte. Välj en organisation i listan.",
                    ));
                }
                name
            }
            None => None,
        };
        if recipient.as_ref().is_some_and(Option::is_none) && input.recipient_org_id.is_none() {
            errs.push(FieldError::new(
                "recipient",
                "deliverable.recipient_required",
                "Ange vem produkten spreds till: skriv mottagaren, välj en organisation, eller båda.",
            ));
        }
        let channel = errs.take(Channel::parse(&input.channel));
        let sent_on = if input.sent_on.trim().is_empty() {
            errs.push(FieldError::new("sent_on", "required", "Ange när produkten spreds, till exempel 2019-10-14."));
            None
        } else {
            past_date(&mut errs, "sent_on", "Spridningsdagen", Some(&input.sent_on))
        };
        match (&d.delivered_on, sent_on) {
            (None, _) => errs.push(FieldError::new(
                "sent_on",
                "deliverable.not_delivered",
                "Produkten har inget leveransdatum. Ange när den levererades innan du för in spridningen.",
            )),
            (Some(del), Some(s)) if s.to_string() < *del => errs.push(FieldError::new(
                "sent_on",
                "deliverable.sent_before_delivered",
                format!("Spridningsdagen {s} ligger före leveransdagen {del}. Rätta datumet."),
            )),
            _ => {}
        }
        for (field, value) in
            [("sent_count", input.sent_count), ("opened_count", input.opened_count), ("downloaded_count", input.downloaded_count)]
        {
            if value.is_some_and(|n| n < 0) {
                errs.push(FieldError::new(
                    field,
                    "number.negative",
                    "Antalet kan inte vara negativt. Ange 0 eller mer, eller lämna fältet tomt.",
                ));
            }
        }
        if let (Some(s), Some(o)) = (input.sent_count, input.opened_count)
            && o > s
            && s >= 0
        {
            errs.push(FieldError::new(
                "opened_count",
                "deliverable.opened_over_sent",
                format!("{o} öppnade är fler än de {s} som skickades. Rätta något av antalen."),
            ));
        }
        let note = clean_text(&mut errs, &NOTE, input.note.as_deref());
        errs.into_result()?;
        let recipient = recipient.flatten().or(org_name).expect("checked");
        Ok((recipient, channel.expect("checked"), sent_on.expect("checked"), note.flatten()))
    })();
    let (recipient, channel, sent_on, note) = checked_with(unread, checked)?;
    let did: i64 = db.scalar(
        "INSERT INTO deliverable_distributions (deliverable_id, recipient, recipient_org_id, sent_on, channel, sent_count, opened_count,
            downloaded_count, note, recorded_by_user_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        args![
            id,
            recipient.as_str(),
            input.recipient_org_id,
            sent_on.to_string(),
            channel.code(),
            input.sent_count,
            input.opened_count,
            input.downloaded_count,
            note.as_deref(),
            v.user_id(),
            now_ms()
        ],
    )?;
    audit::record(db, v, Event::new("deliverable.distribute").record("deliverable", id).org(owner))?;
    Ok(db.one(&format!("{DIST_SELECT} WHERE x.id = $1"), args![did])?)
}

/// Removes a distribution logged by mistake.
pub fn remove_distribution(db: &mut dyn Conn, v: &Viewer, id: i64, distribution_id: i64) -> StoreResult<()> {
    let d = get(db, v, id)?;
    let owner = steering::require_manage(db, v, d.programme_id)?;
    if !d.distributions.iter().any(|x| x.id == distribution_id) {
        return Err(StoreError::not_found("distribution"));
    }
    db.execute("DELETE FROM deliverable_distributions WHERE id = $1", args![distribution_id])?;
    audit::record(db, v, Event::new("deliverable.distribution_remove").record("deliverable", id).org(owner))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(org: Option<i64>, sent: Option<i64>, opened: Option<i64>, downloaded: Option<i64>) -> Distribution {
        Distribution {
            id: 1,
            deliverable_id: 1,
            recipient: "x".into(),
            recipient_org_id: org,
            recipient_org_name: None,
            sent_on: "2019-10-01".into(),
            channel: "email".into(),
            channel_label: "E-post".into(),
            sent_count: sent,
            opened_count: opened,
            downloaded_count: downloaded,
            note: None,
        }
    }

    #[test]
    fn reach_sums_the_counts_given_and_counts_organisations_once() {
        let r = reach(&[dist(Some(1), Some(33), Some(20), None), dist(Some(1), None, None, Some(140)), dist(Some(2), Some(7), None, None)]);
        assert_eq!(r, Reach { distributions: 3, organisations: 2, sent: 40, opened: 20, downloaded: 140 });
        assert_eq!(reach(&[]), Reach::default());
    }
}
