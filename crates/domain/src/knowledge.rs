//! The vocabulary of the method library (issue 16, item 4): evidence ratings on the five
//! dimensions of **EMMIE** (Johnson, Tilley & Bowers 2015, *Journal of Experimental
//! Criminology* 11(3)), the framework the What Works Centre for Crime Reduction (College of
//! Policing with UCL's Jill Dando Institute) uses in its Crime Reduction Toolkit.
//!
//! EMMIE separates what the evidence *says* (EMMIE-E) from how good that evidence *is*
//! (EMMIE-Q), for each dimension:
//! - **Effect** (Effekt) — what difference the intervention makes to crime. Brygga records the
//!   direction ([`EffectDirection`]: reduces, mixed, no effect, increases) and the **strength of
//!   the evidence** on a 0–5 scale, which the Toolkit shows as padlocks (0: no reliable
//!   evidence, 5: very strong — several high-quality reviews agree).
//! - **Mechanism** (Mekanism) — how it works; **Moderators** (Moderatorer) — where and for whom
//!   it works best; **Implementation** (Genomförande) — what helps or hinders delivery;
//!   **Economic cost** (Ekonomi) — what it costs and whether it pays back. Each is rated on the
//!   **quality of the evidence** about it, 0–4 (0: no information at all, 4: strong evidence).
//!
//! Every dimension carries a short Swedish text besides its grade; an unrated dimension has no
//! grade (NULL). A method "has a documented rating" when its Effect is rated: that is what the
//! plans' goal–means check accepts as a documented basis.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::kinds::vocabulary;

/// The highest Effect grade (strength of evidence, padlocks).
pub const EFFECT_MAX: i64 = 5;
/// The highest grade of the other four dimensions (quality of evidence).
pub const QUALITY_MAX: i64 = 4;

vocabulary! {
    /// The five dimensions of EMMIE, in their order.
    Dimension, "dimension", "EMMIE-dimension" {
        Effect = "effect", "Effekt";
        Mechanism = "mechanism", "Mekanism";
        Moderators = "moderators", "Moderatorer";
        Implementation = "implementation", "Genomförande";
        Economic = "economic", "Ekonomisk kostnad";
    }
}

impl Dimension {
    /// The question the dimension answers, in Swedish.
    pub fn question(self) -> &'static str {
        match self {
            Dimension::Effect => "Vilken effekt har metoden på brottsligheten, och hur stark är evidensen?",
            Dimension::Mechanism => "Hur verkar metoden – vilken mekanism ger effekten?",
            Dimension::Moderators => "Var och för vilka fungerar metoden bäst?",
            Dimension::Implementation => "Vad underlättar eller försvårar genomförandet?",
            Dimension::Economic => "Vad kostar metoden, och lönar den sig?",
        }
    }
    /// The highest grade of the dimension.
    pub fn max_grade(self) -> i64 {
        if self == Dimension::Effect { EFFECT_MAX } else { QUALITY_MAX }
    }
    /// What the grade measures, in Swedish.
    pub fn scale_label(self) -> &'static str {
        if self == Dimension::Effect { "evidensstyrka" } else { "evidenskvalitet" }
    }
    /// The Swedish label of a grade of this dimension.
    pub fn grade_label(self, grade: i64) -> &'static str {
        if self == Dimension::Effect {
            match grade {
                0 => "Ingen tillförlitlig evidens",
                1 => "Mycket svag evidens",
                2 => "Svag evidens",
                3 => "Måttlig evidens",
                4 => "Stark evidens",
                _ => "Mycket stark evidens",
            }
        } else {
            match grade {
                0 => "Ingen information",
                1 => "Begränsad evidens",
                2 => "Måttlig evidens",
                3 => "God evidens",
                _ => "Stark evidens",
            }
        }
    }
    /// Checks a grade: `None` (not rated) or 0 ..= [`Dimension::max`].
    pub fn check_grade(self, field: &str, grade: Option<i64>) -> Result<Option<i64>, FieldError> {
        match grade {
            Some(g) if !(0..=self.max_grade()).contains(&g) => Err(FieldError::new(
                field,
                "knowledge.grade_range",
                format!(
                    "Betyget {g} för {} går inte att använda. Ange {} från 0 till {}, eller lämna fältet tomt om dimensionen inte är bedömd.",
                    self.label().to_lowercase(),
                    self.scale_label(),
                    self.max_grade()
                ),
            )),
            other => Ok(other),
        }
    }
}

vocabulary! {
    /// What the evidence says about the effect on crime (EMMIE-E of the Effect dimension).
    EffectDirection, "effect_direction", "effektriktning" {
        Reduces = "reduces", "Minskar brottsligheten";
        Mixed = "mixed", "Blandade resultat";
        NoEffect = "no_effect", "Ingen påvisad effekt";
        Increases = "increases", "Ökar brottsligheten";
    }
}

vocabulary! {
    /// The level of prevention a method works at.
    PreventionLevel, "prevention_level", "preventionsnivå" {
        Universal = "universal", "Universell (alla)";
        Selective = "selective", "Selektiv (riskgrupper)";
        Indicated = "indicated", "Indikerad (individer med känd risk eller brottslighet)";
        Situational = "situational", "Situationell (platser och tillfällen)";
    }
}

/// A compact Swedish summary of an Effect rating: "minskar brottsligheten, evidensstyrka 3 av 5".
pub fn effect_summary(direction: Option<EffectDirection>, grade: Option<i64>) -> String {
    let dir = direction.map(|d| d.label().to_lowercase());
    match (dir, grade) {
        (Some(d), Some(g)) => format!("{d}, evidensstyrka {g} av {EFFECT_MAX}"),
        (None, Some(g)) => format!("evidensstyrka {g} av {EFFECT_MAX}"),
        (Some(d), None) => format!("{d}, evidensstyrkan ej bedömd"),
        (None, None) => "ej bedömd".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_are_checked_per_dimension() {
        assert_eq!(Dimension::Effect.check_grade("effect_grade", Some(5)), Ok(Some(5)));
        assert!(Dimension::Mechanism.check_grade("mechanism_grade", Some(5)).is_err());
        assert_eq!(Dimension::Mechanism.check_grade("mechanism_grade", None), Ok(None));
        let e = Dimension::Effect.check_grade("effect_grade", Some(-1)).unwrap_err();
        assert!(e.message.contains("evidensstyrka från 0 till 5"), "{}", e.message);
    }

    #[test]
    fn effect_summary_names_direction_and_strength() {
        assert_eq!(effect_summary(Some(EffectDirection::Reduces), Some(3)), "minskar brottsligheten, evidensstyrka 3 av 5");
        assert_eq!(effect_summary(None, None), "ej bedömd");
    }
}
