//! Swedish organisation numbers (organisationsnummer): ten digits, the last a Luhn check
//! digit. Brygga only stores the numbers of legal entities: the third digit is at least 2.
//! A number whose "month" is 01–12 is a sole trader's personal identity number, which is
//! personal data, and is refused.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgNumber(String);

impl OrgNumber {
    /// Accepts `NNNNNN-NNNN`, `NNNNNNNNNN` and the 12-digit form with the prefix `16`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let err = |code, msg: String| FieldError::new("org_number", code, msg);
        let trimmed = input.trim();
        if let Some(c) = trimmed.chars().find(|c| !c.is_ascii_digit() && *c != '-' && *c != ' ') {
            return Err(err(
                "org_number.characters",
                format!("Organisationsnumret får bara innehålla siffror och bindestreck, inte ”{c}”. Skriv till exempel 212000-1124."),
            ));
        }
        let mut digits: Vec<u8> = trimmed.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
        if digits.len() == 12 && digits[0] == 1 && digits[1] == 6 {
            digits.drain(..2);
        }
        if digits.len() != 10 {
            return Err(err(
                "org_number.length",
                format!("Organisationsnumret ska ha 10 siffror, men har {}. Skriv till exempel 212000-1124.", digits.len()),
            ));
        }
        if digits[2] < 2 {
            return Err(err(
                "org_number.personal",
                "Numret ser ut som ett personnummer (enskild firma). Brygga sparar inte personnummer — lämna fältet tomt.".to_owned(),
            ));
        }
        let expected = luhn_check_digit(&digits[..9]);
        if digits[9] != expected {
            return Err(err(
                "org_number.checksum",
                format!(
                    "Kontrollsiffran stämmer inte: sista siffran borde vara {expected}, inte {}. Kontrollera att numret är rätt avskrivet.",
                    digits[9]
                ),
            ));
        }
        let s: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        Ok(Self(format!("{}-{}", &s[..6], &s[6..])))
    }

    /// The canonical form `NNNNNN-NNNN`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The Luhn check digit for `digits` (each 0–9), as used by Swedish identity and
/// organisation numbers: weights 2,1,2,1,… from the left over the first nine digits.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let p = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl std::fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for OrgNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OrgNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_numbers_in_all_forms() {
        // Trelleborgs kommun, Polismyndigheten, Länsstyrelsen i Skåne län.
        for n in ["212000-1124", "2120001124", "16212000-1124", "202100-0076", "202100-2064"] {
            assert!(OrgNumber::parse(n).is_ok(), "{n}");
        }
        assert_eq!(OrgNumber::parse("2120001124").unwrap().as_str(), "212000-1124");
    }

    #[test]
    fn says_what_is_wrong() {
        let e = OrgNumber::parse("212000-1125").unwrap_err();
        assert_eq!(e.code, "org_number.checksum");
        assert!(e.message.contains("borde vara 4"), "{}", e.message);
        assert_eq!(OrgNumber::parse("21200-1124").unwrap_err().code, "org_number.length");
        assert_eq!(OrgNumber::parse("212000-112x").unwrap_err().code, "org_number.characters");
        // A personal identity number (month 12) is refused as personal data.
        assert_eq!(OrgNumber::parse("811218-9876").unwrap_err().code, "org_number.personal");
    }

    proptest! {
        #[test]
        fn every_generated_valid_number_parses(body in proptest::collection::vec(0u8..10, 9)) {
            let mut d = body.clone();
            d[2] = 2 + d[2] % 8;
            let check = luhn_check_digit(&d);
            let s: String = d.iter().chain(std::iter::once(&check)).map(|x| char::from(b'0' + x)).collect();
            prop_assert!(OrgNumber::parse(&s).is_ok());
            let wrong: String = d.iter().chain(std::iter::once(&((check + 1) % 10))).map(|x| char::from(b'0' + x)).collect();
            prop_assert_eq!(OrgNumber::parse(&wrong).unwrap_err().code, "org_number.checksum");
        }

        #[test]
        fn never_panics(s in ".*") {
            let _ = OrgNumber::parse(&s);
        }
    }
}
