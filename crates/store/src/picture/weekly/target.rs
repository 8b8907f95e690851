//! Which picture a request asks for, and whether the viewer may see it. Both doors (the pages'
//! Swedish query parameters, the API's English ones) map their parameters onto one [`Request`];
//! [`resolve`] checks the filters, picks the scope and the municipality, and refuses a picture
//! the viewer may not see — neither door makes that decision.

use brygga_domain::FieldErrors;
use brygga_domain::geography;
use brygga_domain::time::IsoWeek;

use super::{PictureQuery, Place, flags};
use crate::Viewer;
use crate::forums::forum;
use crate::kernel::db::Conn;
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing::Scope;

/// Which picture: a forum's joint picture, an organisation's own, or a municipality's shared
/// aggregates (by code or name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Forum(i64),
    Own(i64),
    Municipality(String),
}

/// A request for a picture, its filters as typed (checked by [`resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub target: Target,
    /// For a forum's or an organisation's picture: which municipality (code or name); default the
    /// forum's, or the organisation's first.
    pub municipality: Option<String>,
    /// ISO week (`2026-W47`); default the current week.
    pub week: Option<String>,
    /// A category code or name.
    pub category: Option<String>,
    /// An area id, or `ingen` for reports without a place.
    pub place: Option<String>,
    /// Counts below this are hidden when the viewer is outside the scope.
    pub suppress_below: i64,
}

impl Request {
    pub fn new(target: Target, suppress_below: i64) -> Self {
        Self { target, municipality: None, week: None, category: None, place: None, suppress_below }
    }
}

/// The text of an optional parameter, trimmed; `None` when empty.
fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A municipality by code or name; an unknown one is a field error (`municipality`).
fn municipality_code(text: &str) -> Result<String, brygga_domain::FieldError> {
    geography::municipality(text.trim())
        .or_else(|| geography::municipality_by_name(text))
        .map(|m| m.code.to_owned())
        .ok_or_else(|| flags::unknown_municipality_name(text))
}

fn week(r: &Request) -> Result<IsoWeek, brygga_domain::FieldError> {
    given(&r.week).map_or_else(|| Ok(IsoWeek::current()), IsoWeek::parse)
}

fn place(r: &Request) -> Result<Option<Place>, brygga_domain::FieldError> {
    match given(&r.place) {
        None => Ok(None),
        Some("ingen") => Ok(Some(Place::Unplaced)),
        Some(s) => s.parse().map(|id| Some(Place::Area(id))).map_err(|_| flags::not_a_place(s)),
    }
}

/// The picture `r` asks for, as a query for [`super::weekly`]: the filters checked (field errors
/// `week`, `place`, `municipality`), the scope chosen, and the viewer's right to it checked — a
/// forum the viewer cannot see is not found, an organisation the viewer does not act for is
/// forbidden.
pub fn resolve(db: &mut dyn Conn, v: &Viewer, r: &Request) -> StoreResult<PictureQuery> {
    // A municipality-wide picture of an unknown municipality is refused before anything else.
    let shared = match &r.target {
        Target::Municipality(m) => Some(municipality_code(m).map_err(StoreError::invalid)?),
        _ => None,
    };
    let mut errs = FieldErrors::new();
    let week = errs.take(week(r));
    let place = errs.take(place(r));
    let wanted = errs.take(given(&r.municipality).map(municipality_code).transpose());
    errs.into_result()?;
    let wanted = wanted.flatten();
    let no_municipality = || StoreError::invalid(flags::no_municipality());
    let (scope, municipality) = match &r.target {
        Target::Forum(id) => {
            let f = forum::get(db, v, *id)?;
            let m = wanted.or(f.municipality_code.clone()).ok_or_else(no_municipality)?;
            (Scope::Joint { forum_id: f.id }, m)
        }
        Target::Own(org_id) => {
            let membership = v.memberships().iter().find(|m| m.org_id == *org_id).ok_or(StoreError::Forbidden)?;
            let m = wanted.or_else(|| membership.municipalities.first().cloned()).ok_or_else(no_municipality)?;
            (Scope::Own { org_id: *org_id }, m)
        }
        Target::Municipality(_) => (Scope::Shared, shared.expect("resolved above")),
    };
    let mut query = PictureQuery::new(scope, municipality, week.expect("checked"), r.suppress_below);
    query.category = given(&r.category).map(str::to_owned);
    query.place = place.flatten();
    Ok(query)
}
