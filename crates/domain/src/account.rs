//! Account fields: e-mail addresses (the login name) and password rules.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A lower-cased e-mail address, used as the login name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let v = input.trim().to_lowercase();
        let bad = |msg: &str| Err(FieldError::new("email", "email.invalid", msg.to_owned()));
        if v.is_empty() {
            return Err(FieldError::new("email", "required", "E-postadress saknas. Fyll i fältet."));
        }
        if v.chars().count() > 254 {
            return bad("E-postadressen är för lång (högst 254 tecken).");
        }
        if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("E-postadressen får inte innehålla mellanslag. Skriv till exempel anna.andersson@trelleborg.se.");
        }
        let Some((local, domain)) = v.rsplit_once('@') else {
            return bad("E-postadressen saknar @. Skriv till exempel anna.andersson@trelleborg.se.");
        };
        if local.is_empty()
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return bad("E-postadressen är inte giltig. Skriv till exempel anna.andersson@trelleborg.se.");
        }
        Ok(Self(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// The shortest password accepted (NIST SP 800-63B: length over composition rules).
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 200;

/// Checks a new password; the password itself never appears in the message.
pub fn check_new_password(password: &str, email: Option<&Email>) -> Result<(), FieldError> {
    let n = password.chars().count();
    let err = |code, msg: String| Err(FieldError::new("password", code, msg));
    if n < PASSWORD_MIN_CHARS {
        return err("password.too_short", format!("Lösenordet måste ha minst {PASSWORD_MIN_CHARS} tecken. Använd gärna flera ord."));
    }
    if n > PASSWORD_MAX_CHARS {
        return err("password.too_long", format!("Lösenordet får ha högst {PASSWORD_MAX_CHARS} tecken."));
    }
    let lower = password.to_lowercase();
    if email.is_some_and(|e| lower.contains(e.as_str().split('@').next().unwrap_or(""))) && n < 20 {
        return err("password.contains_email", "Lösenordet får inte innehålla din e-postadress.".to_owned());
    }
    if COMMON.iter().any(|c| lower == *c) || password.chars().all(|c| password.starts_with(c)) {
        return err("password.common", "Lösenordet är för vanligt och lätt att gissa. Välj ett annat.".to_owned());
    }
    Ok(())
}

const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "qwertyuiop",
    "lösenord123",
    "losenord123",
    "password123",
    "sommar2024!",
    "sommar2025!",
    "sommar2026!",
    "hösten2026!",
    "välkommen123",
    "valkommen123",
    "qwerty12345",
    "abcdefghij",
    "trelleborg1",
];

/// A password as argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane — OWASP's
/// recommendation), in PHC string form with its own salt. Slow on purpose: run it off the
/// async runtime (the store's `accounts::auth::hash_off_runtime` is the one way the doors do).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use rand::TryRngCore;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.try_fill_bytes(&mut salt).expect("the OS random number generator works");
    let salt = SaltString::encode_b64(&salt)?;
    Ok(argon2::Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Whether `password` matches a hash made by [`hash_password`].
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Anna.Andersson@Trelleborg.se ").unwrap().as_str(), "anna.andersson@trelleborg.se");
        for bad in ["", "anna", "anna@", "@x.se", "anna@se", "an na@x.se", "a@x..se"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert_eq!(check_new_password("kort", None).unwrap_err().code, "password.too_short");
        assert_eq!(check_new_password("1234567890", None).unwrap_err().code, "password.common");
        assert_eq!(check_new_password("aaaaaaaaaaaa", None).unwrap_err().code, "password.common");
        let e = Email::parse("anna@x.se").unwrap();
        assert_eq!(check_new_password("anna-12345", Some(&e)).unwrap_err().code, "password.contains_email");
        assert!(check_new_password("korrekt häst batteri", Some(&e)).is_ok());
    }
}
