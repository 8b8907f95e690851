//! Certificates of completion (intyg): a registration marked as attended at a training (an
//! event of kind training, or one that gives a course of the catalogue) carries a random
//! verification code (`kernel::secret`). The certificate is opened by the participant and by
//! the organiser's users; anyone holding the code confirms it on the public page
//! `/intyg/{code}`, which shows the name, course, date and organiser and nothing else.

use serde::Serialize;

use super::registrations;
use super::{local_label, week_label};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args};

/// What a certificate states.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    pub code: String,
    pub participant_name: String,
    pub event_title: String,
    pub course_title: Option<String>,
    pub duration_hours: Option<i64>,
    /// "2026-03-12 09:00 (v. 11)".
    pub date: String,
    pub organiser_name: String,
}

fn by_code(db: &mut dyn Conn, code: &str) -> StoreResult<Option<Certificate>> {
    Ok(db.map_opt(
        "SELECT r.certificate_code, u.name AS participant_name, e.title AS event_title, c.title AS course_title, c.duration_hours,
            e.starts_at, o.name AS organiser_name
         FROM event_registrations r JOIN users u ON u.id = r.user_id JOIN events e ON e.id = r.event_id
         JOIN organisations o ON o.id = e.organiser_org_id LEFT JOIN courses c ON c.id = e.course_id
         WHERE r.certificate_code = $1 AND r.status = 'attended'",
        args![code],
        |r| {
            let starts: i64 = r.get("starts_at")?;
            Ok(Certificate {
                code: r.get("certificate_code")?,
                participant_name: r.get("participant_name")?,
                event_title: r.get("event_title")?,
                course_title: r.get("course_title")?,
                duration_hours: r.get("duration_hours")?,
                date: format!("{} ({})", local_label(starts), week_label(starts)),
                organiser_name: r.get("organiser_name")?,
            })
        },
    )?)
}

/// The certificate of a registration: its person or the organiser's users; not found for
/// anyone else, and when the registration has none (not attended, or no training).
pub fn of_registration(db: &mut dyn Conn, v: &Viewer, registration_id: i64) -> StoreResult<Certificate> {
    let r = registrations::get(db, v, registration_id)?;
    let code = r.certificate_code.ok_or(StoreError::not_found("certificate"))?;
    by_code(db, &code)?.ok_or(StoreError::not_found("certificate"))
}

/// Confirms a certificate by its code (public).
pub fn verify(db: &mut dyn Conn, code: &str) -> StoreResult<Option<Certificate>> {
    let code = code.trim();
    if code.is_empty() || code.len() > 64 {
        return Ok(None);
    }
    by_code(db, code)
}
