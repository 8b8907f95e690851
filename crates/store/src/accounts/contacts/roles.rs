//! The roles a contact person can have (brottsförebyggande samordnare, kommunpolis, kontaktperson
//! våldsbejakande extremism, …): built-in ones from the migration, and more added by
//! coordinators of a county board or a system administrator — extendable without a release.

use brygga_domain::FieldError;
use brygga_domain::text::TextRule;
use serde::{Deserialize, Serialize};

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Action, Viewer, args, kernel::access, now_ms, sort_key};

pub const LABEL: TextRule = TextRule::line("label", "Rollens namn", 80);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRole {
    pub code: String,
    pub label: String,
    /// Shipped with Brygga (cannot be removed).
    pub builtin: bool,
}

/// Every role, in Swedish order of the labels. Readable by anyone: the roles are vocabulary.
pub fn list(db: &mut dyn Conn) -> StoreResult<Vec<ContactRole>> {
    let mut all: Vec<ContactRole> = db.map_all("SELECT code, label, builtin FROM contact_roles", &[], |r| {
        Ok(ContactRole { code: r.get("code")?, label: r.get("label")?, builtin: r.get("builtin")? })
    })?;
    all.sort_by_cached_key(|r| sort_key(&r.label));
    Ok(all)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    /// The Swedish name, e.g. "Kontaktperson hedersrelaterat våld".
    pub label: String,
}

/// A code from a label: ASCII lower case, å/ä → a, ö → o, other runs → `_`.
fn code_of(label: &str) -> String {
    let mut code = String::new();
    for c in label.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ø' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            code.push(c);
        } else if !code.ends_with('_') && !code.is_empty() {
            code.push('_');
        }
    }
    code.trim_end_matches('_').chars().take(40).collect()
}

/// Adds a role: coordinators of a county board, or a system administrator. A label that is
/// already a role (in Swedish comparison: case and accents of å/ä/ö as written) is refused.
pub fn create(db: &mut dyn Conn, v: &Viewer, input: &RoleInput) -> StoreResult<ContactRole> {
    access::require(v, Action::ManageContactRoles)?;
    let label = LABEL.require(&input.label).map_err(StoreError::invalid)?;
    let existing = list(db)?;
    if existing.iter().any(|r| sort_key(&r.label) == sort_key(&label)) {
        return Err(StoreError::invalid(FieldError::new("label", "role.exists", "Rollen finns redan. Välj den i listan i stället.")));
    }
    let base = code_of(&label);
    if base.is_empty() {
        return Err(StoreError::invalid(FieldError::new("label", "invalid", "Skriv rollens namn med bokstäver.")));
    }
    let mut code = base.clone();
    let mut n = 2;
    while existing.iter().any(|r| r.code == code) {
        code = format!("{base}_{n}");
        n += 1;
    }
    db.execute(
        "INSERT INTO contact_roles (code, label, builtin, created_at) VALUES ($1, $2, FALSE, $3)",
        args![code.as_str(), label.as_str(), now_ms()],
    )?;
    audit::record(db, v, Event::new("contact_role.create"))?;
    Ok(ContactRole { code, label, builtin: false })
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_ascii_words() {
        assert_eq!(super::code_of("Kontaktperson hedersrelaterat våld"), "kontaktperson_hedersrelaterat_vald");
        assert_eq!(super::code_of("  Öppen förskola!  "), "oppen_forskola");
        assert_eq!(super::code_of("!!!"), "");
    }
}
