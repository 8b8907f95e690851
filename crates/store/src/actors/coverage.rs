//! The coverage report of a county (issue 15, item 2; seed 002's "a contact person in every
//! municipality", checked): for each contact-person role, which of the county's municipalities
//! have someone at kommun level and which have no one, and who covers the whole county.
//!
//! It counts only the contact persons **the viewer may read** (the sharing rule of
//! `accounts::contacts`): a contact that an organisation keeps to itself is not evidence for
//! anyone else, and an unreadable record must not show even as a number. So the county
//! coordinator's report covers what organisations share with the county's forum or publish;
//! the page says so.

use brygga_domain::geography as geo;
use serde::Serialize;

use crate::accounts::contacts::{self, roles};
use crate::kernel::db::Conn;
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, sort_key};

/// A contact person as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Named {
    pub contact_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub org_id: i64,
    pub org_name: String,
}

/// One municipality under one role.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cell {
    pub municipality_code: String,
    pub municipality_name: String,
    /// Empty when nobody (the viewer may read) covers it.
    pub contacts: Vec<Named>,
}

/// One role across the county.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleCoverage {
    pub role_code: String,
    pub role_label: String,
    /// Every municipality of the county, in Swedish name order.
    pub municipalities: Vec<Cell>,
    /// Names of the municipalities without anyone, in Swedish name order.
    pub missing: Vec<String>,
    /// Contact persons at län level for this county.
    pub county_level: Vec<Named>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageReport {
    pub county_code: String,
    pub county_name: String,
    /// The roles asked for (every role when none was), in Swedish label order.
    pub roles: Vec<RoleCoverage>,
}

/// The report for `county`, for every role or only `role`.
pub fn report(db: &mut dyn Conn, v: &Viewer, county: &str, role: Option<&str>) -> StoreResult<CoverageReport> {
    let county_ref = geo::county(county).ok_or(StoreError::not_found("county"))?;
    let mut all_roles = roles::list(db)?;
    if let Some(r) = role {
        all_roles.retain(|x| x.code == r);
        if all_roles.is_empty() {
            return Err(StoreError::not_found("contact_role"));
        }
    }
    let mut munis: Vec<&geo::Municipality> = geo::municipalities().iter().filter(|m| m.county_code == county).collect();
    munis.sort_by_cached_key(|m| sort_key(m.name));
    let contacts = contacts::list_in_county(db, v, county)?;
    let named = |c: &contacts::ContactPerson| Named {
        contact_id: c.id,
        name: c.name.clone(),
        title: c.title.clone(),
        org_id: c.org_id,
        org_name: c.org_name.clone(),
    };
    let roles = all_roles
        .into_iter()
        .map(|r| {
            let of_role: Vec<&contacts::ContactPerson> =
                contacts.iter().filter(|c| c.role_code.as_deref() == Some(r.code.as_str())).collect();
            let municipalities: Vec<Cell> = munis
                .iter()
                .map(|m| Cell {
                    municipality_code: m.code.to_owned(),
                    municipality_name: m.name.to_owned(),
                    contacts: of_role
                        .iter()
                        .filter(|c| c.level.as_deref() == Some("kommun") && c.municipalities.iter().any(|x| x == m.code))
                        .map(|c| named(c))
                        .collect(),
                })
                .collect();
            RoleCoverage {
                missing: municipalities.iter().filter(|c| c.contacts.is_empty()).map(|c| c.municipality_name.clone()).collect(),
                county_level: of_role
                    .iter()
                    .filter(|c| c.level.as_deref() == Some("lan") && c.county_code.as_deref() == Some(county))
                    .map(|c| named(c))
                    .collect(),
                role_code: r.code,
                role_label: r.label,
                municipalities,
            }
        })
        .collect();
    Ok(CoverageReport { county_code: county_ref.code.to_owned(), county_name: county_ref.name.to_owned(), roles })
}
