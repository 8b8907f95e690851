//! Text fields: trimmed, NFC-normalised, bounded, free of control characters, and — unless the
//! field is by nature a contact detail — free of personal data.
//!
//! The personal-data guard lives here, in the one place every free-text field of Brygga passes
//! through: a [`TextRule`] refuses text in which [`personal_data::scan`] (which normalises with
//! NFKC and reads obfuscated forms first) finds a personnummer, samordningsnummer, phone number
//! or e-mail address. Only rules marked [`TextRule::contact_detail`] (a contact person's phone
//! number, a user's own name, an organisation's website) let them through.

use unicode_normalization::UnicodeNormalization;

use crate::error::FieldError;
use crate::personal_data;

/// What a [`TextRule`] does with personal data in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalData {
    /// Refused with this error code (the default: `text.personal_data`).
    Refuse(&'static str),
    /// Allowed: the field is by nature a contact detail, shown only where contact details are.
    ContactDetail,
}

/// Rules for one text field.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub field: &'static str,
    /// Shown in messages, e.g. "Namnet".
    pub label: &'static str,
    pub max_chars: usize,
    pub required: bool,
    /// Allows line breaks and tabs (descriptions); single-line fields refuse them.
    pub multiline: bool,
    /// Whether personal data is refused (every free-text field) or allowed (contact details).
    pub personal_data: PersonalData,
}

impl TextRule {
    pub const fn line(field: &'static str, label: &'static str, max_chars: usize) -> Self {
        Self { field, label, max_chars, required: true, multiline: false, personal_data: PersonalData::Refuse("text.personal_data") }
    }
    /// A field that is by nature a contact detail: personal data is not refused.
    pub const fn contact_detail(mut self) -> Self {
        self.personal_data = PersonalData::ContactDetail;
        self
    }
    /// Refuses personal data with `code` instead of `text.personal_data`.
    pub const fn personal_data_code(mut self, code: &'static str) -> Self {
        self.personal_data = PersonalData::Refuse(code);
        self
    }
    pub const fn optional(mut self) -> Self {
        self.required = false;
        self
    }
    pub const fn multiline(mut self) -> Self {
        self.multiline = true;
        self
    }

    /// Cleans `input`: NFC, trimmed, line endings unified. Returns `None` for an empty
    /// optional field.
    pub fn parse(&self, input: &str) -> Result<Option<String>, FieldError> {
        let normalised: String = input.replace("\r\n", "\n").nfc().collect();
        let value = normalised.trim();
        if value.is_empty() {
            return if self.required {
                Err(FieldError::new(self.field, "required", format!("{} saknas. Fyll i fältet.", self.label)))
            } else {
                Ok(None)
            };
        }
        if let Some(c) = value.chars().find(|&c| is_forbidden(c, self.multiline)) {
            let what = if c == '\n' && !self.multiline {
                "en radbrytning".to_owned()
            } else {
                format!("ett otillåtet styrtecken (U+{:04X})", c as u32)
            };
            return Err(FieldError::new(
                self.field,
                "control_character",
                format!("{} innehåller {what}. Ta bort det och försök igen.", self.label),
            ));
        }
        let n = value.chars().count();
        if n > self.max_chars {
            return Err(FieldError::new(
                self.field,
                "too_long",
                format!(
                    "{} är {n} tecken lång{}; högst {} tecken är tillåtna. Korta texten.",
                    self.label,
                    if self.label.ends_with('t') { "t" } else { "" },
                    self.max_chars
                ),
            ));
        }
        if let PersonalData::Refuse(code) = self.personal_data {
            let found = personal_data::scan(value);
            if !found.is_empty() {
                return Err(FieldError::new(self.field, code, personal_data::explain_field_sv(self.label, &found)));
            }
        }
        Ok(Some(value.to_owned()))
    }

    /// Like [`parse`](Self::parse) for a required field.
    pub fn require(&self, input: &str) -> Result<String, FieldError> {
        debug_assert!(self.required);
        self.parse(input).map(|v| v.unwrap_or_default())
    }
}

fn is_forbidden(c: char, multiline: bool) -> bool {
    if multiline && (c == '\n' || c == '\t') {
        return false;
    }
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: TextRule = TextRule::line("name", "Namnet", 10);

    #[test]
    fn trims_and_normalises() {
        // "å" written as a + combining ring becomes one code point.
        assert_eq!(NAME.parse("  A\u{30A}s ").unwrap().unwrap(), "\u{C5}s");
    }

    #[test]
    fn refuses_control_characters_and_line_breaks() {
        assert_eq!(NAME.parse("a\u{7}b").unwrap_err().code, "control_character");
        assert_eq!(NAME.parse("a\nb").unwrap_err().code, "control_character");
        assert_eq!(NAME.parse("a\u{202E}b").unwrap_err().code, "control_character");
        assert!(NAME.multiline().parse("a\nb").unwrap().is_some());
    }

    #[test]
    fn counts_characters_not_bytes() {
        assert!(NAME.parse("åäöåäöåäöå").is_ok());
        let e = NAME.parse("åäöåäöåäöåx").unwrap_err();
        assert_eq!(e.code, "too_long");
        assert!(e.message.contains("11 tecken"), "{}", e.message);
    }

    #[test]
    fn refuses_personal_data_unless_a_contact_detail() {
        const LONG: TextRule = TextRule::line("name", "Namnet", 200);
        for t in ["Grannar 811218-9876", "Ring ０７０１２３４５６７", "anna (at) example.se", "Anna＠example.se"] {
            let e = LONG.parse(t).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("name", "text.personal_data"), "{t}");
            assert!(e.message.starts_with("Namnet innehåller "), "{}", e.message);
        }
        assert_eq!(LONG.personal_data_code("note.personal_data").parse("a@b.se").unwrap_err().code, "note.personal_data");
        assert_eq!(LONG.contact_detail().parse("070-123 45 67").unwrap().unwrap(), "070-123 45 67");
        assert!(LONG.parse("Trygg i Trelleborg 2026").is_ok());
    }

    #[test]
    fn required_and_optional() {
        assert_eq!(NAME.parse("   ").unwrap_err().code, "required");
        assert_eq!(NAME.optional().parse("  ").unwrap(), None);
    }
}
