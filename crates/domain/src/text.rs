//! Text fields: trimmed, NFC-normalised, bounded, and free of control characters.

use unicode_normalization::UnicodeNormalization;

use crate::error::FieldError;

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
}

impl TextRule {
    pub const fn line(field: &'static str, label: &'static str, max_chars: usize) -> Self {
        Self { field, label, max_chars, required: true, multiline: false }
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
    fn required_and_optional() {
        assert_eq!(NAME.parse("   ").unwrap_err().code, "required");
        assert_eq!(NAME.optional().parse("  ").unwrap(), None);
    }
}
