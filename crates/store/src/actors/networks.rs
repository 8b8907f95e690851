//! Networks and reference groups (nätverk, referensgrupper): name, kind, purpose, owner,
//! meeting cadence, and members — organisations, and people who need not have accounts (name,
//! title, organisation as text, e-mail optional) — with positions and joined/ceased dates.
//!
//! **Who may read, write and be notified.**
//! - *Read*: [`sharing::network_readable`] — the ordinary sharing rule, and besides the users
//!   of the member organisations. The **persons** among the members are personal data: only
//!   the owner's and the member organisations' users see them
//!   ([`sharing::sees_network_persons`]); a reader through a forum or publication sees the
//!   member organisations and the number of persons, not who they are.
//! - *Write*: the owner's users from member up ([`Permission::ManageNetwork`]).
//! - *Notified*: nobody; every write is audited (`network.*`) for the owner.
//! - *GDPR*: a person's name, title, organisation text and address are exported with the
//!   account whose address it is (`kernel::gdpr::records`) and erased with it
//!   (`accounts::users` erasure deletes those member rows).

use brygga_domain::account::Email;
use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::interventions::{Coded, OrgRef};
use crate::forum_work::actions::clean_text;
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row, Value};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::{self, Visibility};
use crate::plans::plan::{opt_date, req_date};
use crate::{Viewer, args, now_ms, sort_key};

pub const NAME: TextRule = TextRule::line("name", "Namnet", 200);
pub const PURPOSE: TextRule = TextRule::line("purpose", "Syftet", 2000).multiline();
/// A member's name: a person's name is what the field is for.
pub const PERSON_NAME: TextRule = TextRule::line("person_name", "Personens namn", 200).contact_detail().optional();
pub const PERSON_TITLE: TextRule = TextRule::line("person_title", "Titeln", 200).optional();
pub const ORGANISATION_TEXT: TextRule = TextRule::line("organisation_text", "Organisationen", 200).optional();

/// (code, Swedish label) of the kinds.
pub const KINDS: &[(&str, &str)] = &[("network", "Nätverk"), ("reference_group", "Referensgrupp")];
/// (code, Swedish label) of the meeting cadences.
pub const CADENCES: &[(&str, &str)] = &[
    ("weekly", "Varje vecka"),
    ("monthly", "Varje månad"),
    ("quarterly", "Varje kvartal"),
    ("half_yearly", "Varje halvår"),
    ("as_needed", "Vid behov"),
];
/// (code, Swedish label) of the positions.
pub const POSITIONS: &[(&str, &str)] =
    &[("chair", "Ordförande"), ("secretary", "Sekreterare"), ("member", "Ledamot"), ("deputy", "Ersättare"), ("co_opted", "Adjungerad")];

fn coded(list: &[(&str, &str)], code: &str) -> Coded {
    Coded { code: code.to_owned(), label: list.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| *l).to_owned() }
}

fn pick(
    errs: &mut FieldErrors,
    field: &str,
    input: Option<&str>,
    list: &[(&str, &str)],
    default: Option<&str>,
    what: &str,
) -> Option<String> {
    match input.map(str::trim).filter(|s| !s.is_empty()).or(default) {
        Some(c) if list.iter().any(|(k, _)| *k == c) => Some(c.to_owned()),
        Some(c) => {
            let known: Vec<&str> = list.iter().map(|(k, _)| *k).collect();
            errs.push(FieldError::new(field, "actors.unknown_code", format!("”{c}” är inte {what}. Välj bland: {}.", known.join(", "))));
            None
        }
        None => {
            errs.push(FieldError::new(field, "required", format!("Välj {what}.")));
            None
        }
    }
}

/// A network or reference group to create or change.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NetworkInput {
    pub name: String,
    /// `network` (default) or `reference_group`.
    #[serde(default)]
    pub kind: Option<String>,
    pub purpose: String,
    /// `weekly`, `monthly`, `quarterly`, `half_yearly` or `as_needed` (default).
    #[serde(default)]
    pub cadence: Option<String>,
    /// The owner (an organisation the viewer manages networks for); ignored when editing.
    #[serde(default)]
    pub owner_org_id: Option<i64>,
    /// `organisation` (default), `forum` or `public`.
    #[serde(default)]
    pub visibility: Option<String>,
    #[serde(default)]
    pub forum_id: Option<i64>,
}

/// A member to add: an organisation (`org_id`) or a person (`person_name`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[serde(default)]
    pub org_id: Option<i64>,
    #[serde(default)]
    pub person_name: Option<String>,
    #[serde(default)]
    pub person_title: Option<String>,
    /// The person's organisation as text (it need not be in Brygga).
    #[serde(default)]
    pub organisation_text: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// `chair`, `secretary`, `member` (default), `deputy`, `co_opted`.
    #[serde(default)]
    pub position: Option<String>,
    /// `2026-01-01`.
    #[serde(default)]
    pub joined_on: Option<String>,
    #[serde(default)]
    pub ceased_on: Option<String>,
}

/// One member as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: i64,
    pub organisation: Option<OrgRef>,
    pub person_name: Option<String>,
    pub person_title: Option<String>,
    pub organisation_text: Option<String>,
    pub email: Option<String>,
    pub position: Coded,
    pub joined_on: String,
    pub ceased_on: Option<String>,
}

/// One network.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Network {
    pub id: i64,
    pub name: String,
    pub kind: Coded,
    pub purpose: String,
    pub cadence: Coded,
    pub owner: OrgRef,
    /// The member organisations, and the persons when the viewer may see them.
    pub members: Vec<Member>,
    /// Persons among the members that the viewer may not see (counted only).
    pub hidden_persons: i64,
    pub visibility: String,
    pub forum_id: Option<i64>,
    pub version: i64,
    pub updated_at_ms: i64,
}

impl Network {
    pub fn visibility(&self) -> Visibility {
        Visibility::from_columns(&self.visibility, self.forum_id).unwrap_or(Visibility::Organisation)
    }
}

const SELECT: &str = "SELECT n.id, n.name, n.kind, n.purpose, n.cadence, n.owner_org_id, o.name AS owner_name, n.visibility, n.forum_id,
        n.version, n.updated_at FROM networks n JOIN organisations o ON o.id = n.owner_org_id";

impl FromRow for Network {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            name: r.get("name")?,
            kind: coded(KINDS, &r.get::<String>("kind")?),
            purpose: r.get("purpose")?,
            cadence: coded(CADENCES, &r.get::<String>("cadence")?),
            owner: OrgRef { id: r.get("owner_org_id")?, name: r.get("owner_name")? },
            members: Vec::new(),
            hidden_persons: 0,
            visibility: r.get("visibility")?,
            forum_id: r.get("forum_id")?,
            version: r.get("version")?,
            updated_at_ms: r.get("updated_at")?,
        })
    }
}

fn all_members(db: &mut dyn Conn, id: i64) -> StoreResult<Vec<Member>> {
    let mut list = db.map_all(
        "SELECT m.id, m.org_id, o.name AS org_name, m.person_name, m.person_title, m.organisation_text, m.email, m.position, m.joined_on,
            m.ceased_on FROM network_members m LEFT JOIN organisations o ON o.id = m.org_id WHERE m.network_id = $1",
        args![id],
        |r| {
            let org: Option<i64> = r.get("org_id")?;
            Ok(Member {
                id: r.get("id")?,
                organisation: match org {
                    Some(id) => Some(OrgRef { id, name: r.get("org_name")? }),
                    None => None,
                },
                person_name: r.get("person_name")?,
                person_title: r.get("person_title")?,
                organisation_text: r.get("organisation_text")?,
                email: r.get("email")?,
                position: coded(POSITIONS, &r.get::<String>("position")?),
                joined_on: r.get("joined_on")?,
                ceased_on: r.get("ceased_on")?,
            })
        },
    )?;
    // Positions in the list's order, then Swedish name order.
    list.sort_by_cached_key(|m| {
        let pos = POSITIONS.iter().position(|(c, _)| *c == m.position.code).unwrap_or(99);
        let name = m.organisation.as_ref().map(|o| o.name.clone()).or_else(|| m.person_name.clone()).unwrap_or_default();
        (m.ceased_on.is_some(), pos, sort_key(&name), m.id)
    });
    Ok(list)
}

fn member_orgs(members: &[Member]) -> Vec<i64> {
    members.iter().filter_map(|m| m.organisation.as_ref().map(|o| o.id)).collect()
}

/// The network, if the viewer may read it, with the persons only for those who may see them.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Network> {
    let mut n: Network = db.opt(&format!("{SELECT} WHERE n.id = $1"), args![id])?.ok_or(StoreError::not_found("network"))?;
    let members = all_members(db, id)?;
    let orgs = member_orgs(&members);
    if !sharing::can_read_network(v, n.owner.id, &orgs, n.visibility()) {
        return Err(StoreError::not_found("network"));
    }
    if sharing::sees_network_persons(v, n.owner.id, &orgs) {
        n.members = members;
    } else {
        n.hidden_persons = members.iter().filter(|m| m.organisation.is_none()).count() as i64;
        n.members = members.into_iter().filter(|m| m.organisation.is_some()).collect();
    }
    Ok(n)
}

/// The networks the viewer may read (without members), by Swedish name.
pub fn list(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<Network>> {
    let d = db.dialect();
    let [orgs, forums] = sharing::readable_args(v);
    let mut list: Vec<Network> = db.all(&format!("{SELECT} WHERE {}", sharing::network_readable(d, "n", 1)), &[orgs, forums])?;
    list.sort_by_cached_key(|n| (sort_key(&n.name), n.id));
    Ok(list)
}

struct Valid {
    name: String,
    kind: String,
    purpose: String,
    cadence: String,
    owner: i64,
    visibility: Visibility,
}

fn prepare(db: &mut dyn Conn, v: &Viewer, input: &NetworkInput, owner: Option<i64>) -> StoreResult<Valid> {
    let owner = match owner.or(input.owner_org_id) {
        Some(o) => o,
        None => v.org_ids().into_iter().find(|o| allowed(v, Permission::ManageNetwork { org: *o })).ok_or(StoreError::Forbidden)?,
    };
    if !allowed(v, Permission::ManageNetwork { org: owner }) {
        return Err(StoreError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let name = clean_text(&mut errs, &NAME, Some(&input.name));
    let purpose = clean_text(&mut errs, &PURPOSE, Some(&input.purpose));
    let kind = pick(&mut errs, "kind", input.kind.as_deref(), KINDS, Some("network"), "ett slags nätverk");
    let cadence = pick(&mut errs, "cadence", input.cadence.as_deref(), CADENCES, Some("as_needed"), "en mötesfrekvens");
    let visibility = match input.visibility.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(Visibility::Organisation),
        Some(k) => sharing::choose(db, &mut errs, k, input.forum_id, owner, "nätverket")?,
    };
    errs.into_result()?;
    Ok(Valid {
        name: name.flatten().expect("checked"),
        kind: kind.expect("checked"),
        purpose: purpose.flatten().expect("checked"),
        cadence: cadence.expect("checked"),
        owner,
        visibility: visibility.expect("checked"),
    })
}

/// Creates a network owned by `input.owner_org_id` (or the viewer's first organisation).
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &NetworkInput) -> StoreResult<Network> {
    let p = prepare(db, v, input, None)?;
    let now = now_ms();
    let id: i64 = db.scalar(
        "INSERT INTO networks (name, kind, purpose, cadence, owner_org_id, visibility, forum_id, created_by_user_id, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
        args![p.name, p.kind, p.purpose, p.cadence, p.owner, p.visibility.kind().code(), p.visibility.forum_id(), v.user_id(), now],
    )?;
    audit::record(db, v, Event::new("network.create").record("network", id).org(p.owner))?;
    get(db, v, id)
}

fn load_managed(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Network> {
    let n = get(db, v, id)?;
    if allowed(v, Permission::ManageNetwork { org: n.owner.id }) { Ok(n) } else { Err(StoreError::Forbidden) }
}

/// Changes a network's name, kind, purpose, cadence and visibility (the owner's users).
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, version: i64, input: &NetworkInput) -> StoreResult<Network> {
    let n = load_managed(db, v, id)?;
    let p = prepare(db, v, input, Some(n.owner.id))?;
    if n.version != version {
        return Err(StoreError::Stale);
    }
    db.execute(
        "UPDATE networks SET name = $1, kind = $2, purpose = $3, cadence = $4, visibility = $5, forum_id = $6, version = version + 1,
            updated_at = $7 WHERE id = $8",
        args![p.name, p.kind, p.purpose, p.cadence, p.visibility.kind().code(), p.visibility.forum_id(), now_ms(), id],
    )?;
    audit::record(db, v, Event::new("network.update").record("network", id).org(n.owner.id))?;
    get(db, v, id)
}

/// Adds a member (the owner's users). Every field is checked first; nothing is written when
/// one is wrong.
pub fn add_member(db: &mut dyn Conn, v: &Viewer, id: i64, input: &MemberInput) -> StoreResult<Network> {
    let n = load_managed(db, v, id)?;
    let mut errs = FieldErrors::new();
    let person = clean_text(&mut errs, &PERSON_NAME, input.person_name.as_deref());
    let title = clean_text(&mut errs, &PERSON_TITLE, input.person_title.as_deref());
    let org_text = clean_text(&mut errs, &ORGANISATION_TEXT, input.organisation_text.as_deref());
    let email = match input.email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(e) => errs
            .take(Email::parse(e).map_err(|_| {
                FieldError::new(
                    "email",
                    "actors.email",
                    "E-postadressen ser inte rätt ut. Skriv den som namn@organisation.se, eller lämna fältet tomt.",
                )
            }))
            .map(|e| Some(e.as_str().to_owned())),
    };
    match (input.org_id, person.as_ref().map(Option::is_some)) {
        (Some(_), Some(true)) => errs.push(FieldError::new(
            "person_name",
            "actors.member_either",
            "En medlem är antingen en organisation eller en person. Välj organisation eller fyll i personens namn, inte båda.",
        )),
        (None, Some(false)) => {
            errs.push(FieldError::new("org_id", "required", "Välj en medlemsorganisation, eller fyll i namnet på en person som är med."))
        }
        (Some(o), _) => {
            let known: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE id = $1", args![o])?;
            if known == 0 {
                errs.push(FieldError::new("org_id", "actors.unknown_org", "Organisationen finns inte. Välj en ur listan."));
            }
            if input.email.as_deref().is_some_and(|e| !e.trim().is_empty()) {
                errs.push(FieldError::new(
                    "email",
                    "actors.org_member_email",
                    "En organisation som medlem har ingen personlig e-postadress här. Lämna fältet tomt, eller lägg till personen som egen medlem.",
                ));
            }
        }
        _ => {}
    }
    let position = pick(&mut errs, "position", input.position.as_deref(), POSITIONS, Some("member"), "en befattning");
    let joined = req_date(&mut errs, "joined_on", input.joined_on.as_deref(), "när medlemmen gick med");
    let ceased = opt_date(&mut errs, "ceased_on", input.ceased_on.as_deref());
    if let (Some(j), Some(Some(c))) = (joined, ceased)
        && c < j
    {
        errs.push(FieldError::new(
            "ceased_on",
            "actors.member_dates",
            format!("Medlemskapet slutar ({c}) innan det börjar ({j}). Välj ett slutdatum efter startdatumet, eller lämna det tomt."),
        ));
    }
    errs.into_result()?;
    let person = person.flatten();
    db.execute(
        "INSERT INTO network_members (network_id, org_id, person_name, person_title, organisation_text, email, position, joined_on, ceased_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            id,
            if person.is_some() { None } else { input.org_id },
            person,
            title.flatten(),
            org_text.flatten(),
            email.flatten(),
            position.expect("checked"),
            joined.expect("checked").to_string(),
            ceased.flatten().map(|d| d.to_string()),
            now_ms()
        ],
    )?;
    db.execute("UPDATE networks SET version = version + 1, updated_at = $2 WHERE id = $1", args![id, now_ms()])?;
    audit::record(db, v, Event::new("network.member_add").record("network", id).org(n.owner.id))?;
    get(db, v, id)
}

/// Removes a member (the owner's users). To keep the history, record `ceased_on` instead.
pub fn remove_member(db: &mut dyn Conn, v: &Viewer, id: i64, member_id: i64) -> StoreResult<Network> {
    let n = load_managed(db, v, id)?;
    let gone = db.execute("DELETE FROM network_members WHERE id = $1 AND network_id = $2", args![member_id, id])?;
    if gone == 0 {
        return Err(StoreError::not_found("member"));
    }
    db.execute("UPDATE networks SET version = version + 1, updated_at = $2 WHERE id = $1", args![id, now_ms()])?;
    audit::record(db, v, Event::new("network.member_remove").record("network", id).org(n.owner.id))?;
    get(db, v, id)
}

/// The organisations the viewer may own networks for (choices).
pub fn owner_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<OrgRef>> {
    let ids: Vec<i64> = v.org_ids().into_iter().filter(|o| allowed(v, Permission::ManageNetwork { org: *o })).collect();
    let mut list =
        db.map_all(&format!("SELECT id, name FROM organisations WHERE {}", db.dialect().in_list("id", 1)), &[Value::IntList(ids)], |r| {
            Ok(OrgRef { id: r.get("id")?, name: r.get("name")? })
        })?;
    list.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(list)
}

/// Every organisation, by Swedish name: the choices for a member organisation (organisation
/// names and kinds are no secret to the signed in).
pub fn member_choices(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<OrgRef>> {
    if !v.is_signed_in() {
        return Err(StoreError::Forbidden);
    }
    let mut list = db.map_all("SELECT id, name FROM organisations", &[], |r| Ok(OrgRef { id: r.get("id")?, name: r.get("name")? }))?;
    list.sort_by_cached_key(|o| sort_key(&o.name));
    Ok(list)
}
