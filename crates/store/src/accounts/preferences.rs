//! A person's own choices about what Brygga sends them. They live with the account, not with
//! the capability that sends (digests, questionnaire reminders), because they are the person's,
//! for every forum at once, and belong in the GDPR export.

use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args, now_ms};

/// Whether the user has opted out of the weekly digest.
pub fn digest_opted_out(db: &mut dyn Conn, user_id: i64) -> StoreResult<bool> {
    Ok(db.scalar("SELECT digest_opt_out FROM users WHERE id = $1", args![user_id])?)
}

/// The viewer's own choice about the weekly digest (the account page, `PUT /api/v1/me/preferences`).
pub fn set_digest_opt_out(db: &mut dyn Conn, v: &Viewer, opt_out: bool) -> StoreResult<()> {
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    db.execute("UPDATE users SET digest_opt_out = $1, updated_at = $2 WHERE id = $3", args![opt_out, now_ms(), user])?;
    audit::record(db, v, Event::new("user.digest_preference").record("user", user))
}

/// Whether the user has turned questionnaire reminder e-mails off.
pub fn questionnaire_reminders_off(db: &mut dyn Conn, user_id: i64) -> StoreResult<bool> {
    Ok(db.scalar("SELECT questionnaire_reminder_opt_out FROM users WHERE id = $1", args![user_id])?)
}

/// The viewer's own choice on the account page: `off` stops the reminder e-mails (the
/// home-page reminder stays).
pub fn set_questionnaire_reminders_off(db: &mut dyn Conn, v: &Viewer, off: bool) -> StoreResult<()> {
    let user = v.user_id().ok_or(StoreError::Forbidden)?;
    db.execute("UPDATE users SET questionnaire_reminder_opt_out = $1, updated_at = $2 WHERE id = $3", args![off, now_ms(), user])?;
    audit::record(db, v, Event::new("user.questionnaire_reminder_preference").record("user", user))
}
