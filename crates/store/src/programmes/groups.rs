//! Commands on working groups: a development area and its working group are created together
//! (a group without a convening party is refused, nothing written), the group's name, area and
//! convener changed, members added, changed and removed. The representative's name and address
//! are personal data: never in the audit entry or a log line.

use brygga_domain::account::Email;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::programme::{AREA_DESCRIPTION, AREA_TITLE, require_org, touch};
use super::{WorkingGroup, load_group, load_managed, sync_parties};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{self, Action as Permission};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::plans::plan::opt_date;
use crate::{Viewer, args, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Arbetsgruppens namn", 200);
pub const REPRESENTATIVE: TextRule = TextRule::line("representative", "Representanten", 200).optional().contact_detail();
pub const MANDATE: TextRule = TextRule::line("mandate", "Mandatet", 2000).optional().multiline();

/// A development area with its working group, as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    /// The development area's title (utvecklingsområde).
    pub area_title: String,
    #[serde(default)]
    pub area_description: Option<String>,
    /// The working group's name; empty: the area's title.
    #[serde(default)]
    pub name: Option<String>,
    /// The convening party (sammankallande). Required.
    #[serde(default)]
    pub convener_org_id: Option<i64>,
}

struct ValidGroup {
    area_title: String,
    area_description: Option<String>,
    name: String,
    convener: i64,
}

fn prepare(db: &mut dyn Conn, input: &GroupInput) -> StoreResult<ValidGroup> {
    let mut errs = FieldErrors::new();
    let area_title = clean_text(&mut errs, &AREA_TITLE, Some(&input.area_title));
    let area_description = clean_text(&mut errs, &AREA_DESCRIPTION, input.area_description.as_deref());
    let name = match input.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(n) => clean_text(&mut errs, &NAME, Some(n)),
    };
    let convener = match input.convener_org_id {
        None => {
            errs.push(FieldError::new(
                "convener_org_id",
                "programmes.convener_required",
                "En arbetsgrupp måste ha en sammankallande part som kallar till möten, sätter dagordningen, för anteckningar och håller aktivitetsplanen uppdaterad. Välj den sammankallande organisationen.",
            ));
            None
        }
        Some(_) => require_org(db, &mut errs, "convener_org_id", input.convener_org_id, "den sammankallande organisationen")?,
    };
    errs.into_result()?;
    let area_title = area_title.flatten().expect("checked");
    Ok(ValidGroup {
        name: name.flatten().unwrap_or_else(|| area_title.clone()),
        area_title,
        area_description: area_description.expect("checked"),
        convener: convener.expect("checked"),
    })
}

/// Adds a development area and its working group to a programme (coordinators of the owner).
/// The convening party is required; it becomes a member of the group.
pub fn create(db: &mut dyn Conn, v: &Viewer, programme_id: i64, input: &GroupInput) -> StoreResult<WorkingGroup> {
    let p = load_managed(db, v, programme_id)?;
    let g = prepare(db, input)?;
    let now = now_ms();
    let position: i64 =
        db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM programme_areas WHERE programme_id = $1", args![programme_id])?;
    let area: i64 = db.scalar(
        "INSERT INTO programme_areas (programme_id, title, description, position) VALUES ($1, $2, $3, $4) RETURNING id",
        args![programme_id, g.area_title.as_str(), g.area_description.as_deref(), position],
    )?;
    let id: i64 = db.scalar(
        "INSERT INTO working_groups (programme_id, area_id, name, convener_org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        args![programme_id, area, g.name.as_str(), g.convener, now],
    )?;
    db.execute("INSERT INTO working_group_members (group_id, org_id) VALUES ($1, $2)", args![id, g.convener])?;
    sync_parties(db, programme_id)?;
    touch(db, programme_id)?;
    audit::record(db, v, Event::new("programme.group_create").record("working_group", id).org(p.owner.id).org(g.convener))?;
    Ok(load_group(db, v, id)?.1)
}

/// Changes a group's area, name and convening party (the new convener becomes a member).
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, input: &GroupInput) -> StoreResult<WorkingGroup> {
    let (p, before) = load_group(db, v, id)?;
    access::require(v, Permission::ManageProgramme { org: p.owner.id })?;
    let g = prepare(db, input)?;
    db.execute(
        "UPDATE programme_areas SET title = $1, description = $2 WHERE id = $3",
        args![g.area_title.as_str(), g.area_description.as_deref(), before.area_id],
    )?;
    db.execute(
        "UPDATE working_groups SET name = $1, convener_org_id = $2, updated_at = $3 WHERE id = $4",
        args![g.name.as_str(), g.convener, now_ms(), id],
    )?;
    if !before.members.iter().any(|m| m.org.id == g.convener) {
        db.execute("INSERT INTO working_group_members (group_id, org_id) VALUES ($1, $2)", args![id, g.convener])?;
        add_plan_party(db, &before, g.convener)?;
    }
    sync_parties(db, p.id)?;
    touch(db, p.id)?;
    audit::record(db, v, Event::new("programme.group_update").record("working_group", id).org(p.owner.id).org(g.convener))?;
    Ok(load_group(db, v, id)?.1)
}

/// A member as sent by a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// The member organisation (when adding; it cannot change afterwards).
    #[serde(default)]
    pub org_id: Option<i64>,
    /// The representative's name (need not have an account).
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub representative_email: Option<String>,
    /// The representative's account, if any: a member of the organisation.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The mandate the employer agreed to; empty: not stated.
    #[serde(default)]
    pub mandate: Option<String>,
    /// Hours per month the employer agreed to (`6`, `7,5`); empty: not stated.
    #[serde(default)]
    pub hours_per_month: Option<String>,
    #[serde(default)]
    pub joined_on: Option<String>,
}

struct ValidMember {
    representative: Option<String>,
    email: Option<String>,
    user_id: Option<i64>,
    mandate: Option<String>,
    hours: Option<f64>,
    joined_on: Option<String>,
}

fn prepare_member(db: &mut dyn Conn, errs: &mut FieldErrors, org: Option<i64>, input: &MemberInput) -> StoreResult<Option<ValidMember>> {
    let representative = clean_text(errs, &REPRESENTATIVE, input.representative.as_deref());
    let mandate = clean_text(errs, &MANDATE, input.mandate.as_deref());
    let email = match input.representative_email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(e) => errs
            .take(Email::parse(e).map_err(|_| {
                FieldError::new(
                    "representative_email",
                    "programmes.email",
                    "E-postadressen ser inte rätt ut. Skriv den som namn@organisation.se, eller lämna fältet tomt.",
                )
            }))
            .map(|e| Some(e.as_str().to_owned())),
    };
    let hours = match input.hours_per_month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(h) => match h.replace(',', ".").replace(' ', "").parse::<f64>() {
            Ok(x) if x.is_finite() && (0.0..=744.0).contains(&x) => Some(Some(x)),
            _ => {
                errs.push(FieldError::new(
                    "hours_per_month",
                    "programmes.hours",
                    format!("”{h}” är inget antal timmar per månad. Skriv ett tal mellan 0 och 744, till exempel 6 eller 7,5, eller lämna fältet tomt om det inte är bestämt."),
                ));
                None
            }
        },
    };
    let joined_on = opt_date(errs, "joined_on", input.joined_on.as_deref());
    if let (Some(u), Some(o)) = (input.user_id, org) {
        let n: i64 = db.scalar("SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND org_id = $2", args![u, o])?;
        if n == 0 {
            errs.push(FieldError::new(
                "user_id",
                "programmes.user_not_member",
                "Kontot hör inte till medlemsorganisationen. Välj ett konto i organisationen, eller ange bara namn och e-post.",
            ));
        }
    }
    Ok(match (representative, mandate, email, hours, joined_on) {
        (Some(representative), Some(mandate), Some(email), Some(hours), Some(joined_on)) => {
            Some(ValidMember { representative, email, user_id: input.user_id, mandate, hours, joined_on: joined_on.map(|d| d.to_string()) })
        }
        _ => None,
    })
}

/// Adds a member organisation to a group (coordinators of the owner). An activity plan of the
/// group still in draft gets the organisation as a party.
pub fn add_member(db: &mut dyn Conn, v: &Viewer, group_id: i64, input: &MemberInput) -> StoreResult<WorkingGroup> {
    let (p, g) = load_group(db, v, group_id)?;
    access::require(v, Permission::ManageProgramme { org: p.owner.id })?;
    let mut errs = FieldErrors::new();
    let org = require_org(db, &mut errs, "org_id", input.org_id, "medlemsorganisationen")?;
    if let Some(o) = org
        && g.members.iter().any(|m| m.org.id == o)
    {
        errs.push(FieldError::new(
            "org_id",
            "programmes.member_exists",
            "Organisationen är redan med i arbetsgruppen. Ändra dess uppgifter i listan i stället.",
        ));
    }
    let m = prepare_member(db, &mut errs, org, input)?;
    errs.into_result()?;
    let (org, m) = (org.expect("checked"), m.expect("checked"));
    db.execute(
        "INSERT INTO working_group_members (group_id, org_id, representative, representative_email, user_id, mandate, hours_per_month, joined_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![group_id, org, m.representative.as_deref(), m.email.as_deref(), m.user_id, m.mandate.as_deref(), m.hours, m.joined_on.as_deref()],
    )?;
    add_plan_party(db, &g, org)?;
    sync_parties(db, p.id)?;
    touch(db, p.id)?;
    audit::record(db, v, Event::new("programme.member_add").record("working_group", group_id).org(p.owner.id).org(org))?;
    Ok(load_group(db, v, group_id)?.1)
}

/// Changes a member's representative, mandate and working time.
pub fn edit_member(db: &mut dyn Conn, v: &Viewer, member_id: i64, input: &MemberInput) -> StoreResult<WorkingGroup> {
    let row: Option<(i64, i64)> = db
        .query("SELECT group_id, org_id FROM working_group_members WHERE id = $1", args![member_id])?
        .first()
        .map(|r| Ok::<_, crate::DbError>((r.get("group_id")?, r.get("org_id")?)))
        .transpose()?;
    let (group_id, org) = row.ok_or(StoreError::not_found("member"))?;
    let (p, _) = load_group(db, v, group_id).map_err(|_| StoreError::not_found("member"))?;
    access::require(v, Permission::ManageProgramme { org: p.owner.id })?;
    let mut errs = FieldErrors::new();
    let m = prepare_member(db, &mut errs, Some(org), input)?;
    errs.into_result()?;
    let m = m.expect("checked");
    db.execute(
        "UPDATE working_group_members SET representative = $1, representative_email = $2, user_id = $3, mandate = $4, hours_per_month = $5,
            joined_on = $6 WHERE id = $7",
        args![m.representative.as_deref(), m.email.as_deref(), m.user_id, m.mandate.as_deref(), m.hours, m.joined_on.as_deref(), member_id],
    )?;
    touch(db, p.id)?;
    audit::record(db, v, Event::new("programme.member_update").record("working_group", group_id).org(p.owner.id).org(org))?;
    Ok(load_group(db, v, group_id)?.1)
}

/// Removes a member organisation; refused for the convening party (change the convener first).
pub fn remove_member(db: &mut dyn Conn, v: &Viewer, group_id: i64, org_id: i64) -> StoreResult<WorkingGroup> {
    let (p, g) = load_group(db, v, group_id)?;
    access::require(v, Permission::ManageProgramme { org: p.owner.id })?;
    if g.convener.id == org_id {
        return Err(StoreError::invalid(FieldError::new(
            "org_id",
            "programmes.convener_member",
            "Den sammankallande parten kan inte tas bort ur gruppen. Byt sammankallande part först.",
        )));
    }
    if db.execute("DELETE FROM working_group_members WHERE group_id = $1 AND org_id = $2", args![group_id, org_id])? > 0 {
        sync_parties(db, p.id)?;
        touch(db, p.id)?;
        audit::record(db, v, Event::new("programme.member_remove").record("working_group", group_id).org(p.owner.id).org(org_id))?;
    }
    Ok(load_group(db, v, group_id)?.1)
}

/// A new member becomes a party of the group's draft activity plan (if there is one), so its
/// coordinators can write their part.
fn add_plan_party(db: &mut dyn Conn, g: &WorkingGroup, org: i64) -> StoreResult<()> {
    if let Some(lineage) = g.plan_lineage_id {
        db.execute(
            "INSERT INTO plan_parties (plan_id, org_id) SELECT id, $2 FROM action_plans WHERE lineage_id = $1 AND status = 'draft'
               AND NOT EXISTS (SELECT 1 FROM plan_parties pp WHERE pp.plan_id = action_plans.id AND pp.org_id = $2)",
            args![lineage, org],
        )?;
    }
    Ok(())
}
