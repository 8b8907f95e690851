//! What a store operation can answer besides success. The web layer turns each variant
//! into one status and one message; nothing here is ever shown with internal detail.

use brygga_domain::{FieldError, FieldErrors};

use crate::kernel::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or the viewer may not know that it exists.
    #[error("{kind} not found")]
    NotFound { kind: &'static str },
    /// The viewer is signed in but lacks the right for this action.
    #[error("forbidden")]
    Forbidden,
    /// One or more fields were rejected; nothing was written.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The record was changed by someone else since it was read.
    #[error("stale version")]
    Stale,
    /// Too many attempts; try again after the given number of seconds.
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// Wrong e-mail address or password.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The database cannot be reached or is overloaded. Nothing was written.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The connection was lost while the database was committing: the write may or may not
    /// have been stored. Only a retry with the same idempotency key is safe.
    #[error("outcome unknown: {0}")]
    OutcomeUnknown(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn invalid(e: FieldError) -> Self {
        StoreError::Invalid(e.into())
    }
    pub fn not_found(kind: &'static str) -> Self {
        StoreError::NotFound { kind }
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(m) => StoreError::Unavailable(m),
            other => StoreError::Internal(other.to_string()),
        }
    }
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A command's check together with what its front door could not even read (a form choice
/// that is not a number, a missing version): one verdict, one message per field, the door's
/// first. Commands take the door's errors so a page never writes half-read input and never
/// merges the store's verdict its own way.
pub fn checked_with<T>(unread: FieldErrors, checked: StoreResult<T>) -> StoreResult<T> {
    match checked {
        Ok(v) if unread.is_empty() => Ok(v),
        Ok(_) => Err(StoreError::Invalid(unread)),
        Err(StoreError::Invalid(found)) => {
            let mut all = unread;
            for e in found.0 {
                if all.get(&e.field).is_none() {
                    all.push(e);
                }
            }
            Err(StoreError::Invalid(all))
        }
        Err(e) => Err(e),
    }
}
