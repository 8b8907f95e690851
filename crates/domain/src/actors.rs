//! The code lists of the actors capability, in one place: the themes and target groups that
//! organisations' profiles, their offers and the interventions in the register are tagged with.
//! Codes are stored; labels are Swedish and shown. A list grows by adding a pair at the end
//! (a code, once stored, never changes meaning).

/// (code, Swedish label) of the thematic areas.
pub const THEMES: &[(&str, &str)] = &[
    ("idrott", "Idrott och rörelse"),
    ("kultur", "Kultur och skapande"),
    ("fritid", "Öppen fritidsverksamhet"),
    ("laxhjalp", "Läxhjälp och skolstöd"),
    ("foraldrastod", "Föräldrastöd"),
    ("nattvandring", "Nattvandring och vuxennärvaro"),
    ("tro", "Tro och livsåskådning"),
    ("brottsutsatta", "Stöd till brottsutsatta"),
    ("vald", "Våldsprevention"),
    ("extremism", "Våldsbejakande extremism"),
    ("droger", "Alkohol, narkotika och tobak"),
    ("trygghet", "Trygghet i offentlig miljö"),
    ("arbete", "Arbete och sysselsättning"),
    ("integration", "Språk och etablering"),
    ("psykisk_halsa", "Psykisk hälsa"),
    ("avhopp", "Stöd att lämna kriminalitet"),
];

/// (code, Swedish label) of the target groups.
pub const TARGET_GROUPS: &[(&str, &str)] = &[
    ("barn", "Barn"),
    ("unga", "Unga"),
    ("unga_vuxna", "Unga vuxna"),
    ("foraldrar", "Föräldrar och vårdnadshavare"),
    ("vuxna", "Vuxna"),
    ("aldre", "Äldre"),
    ("nyanlanda", "Nyanlända"),
    ("brottsutsatta", "Brottsutsatta"),
    ("riskgrupp", "Personer i riskzon"),
    ("yrkesverksamma", "Yrkesverksamma"),
    ("foreningar", "Föreningar och ideella"),
    ("naringsidkare", "Näringsidkare"),
];

/// The Swedish label of a theme code.
pub fn theme_label(code: &str) -> Option<&'static str> {
    THEMES.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// The Swedish label of a target-group code.
pub fn target_group_label(code: &str) -> Option<&'static str> {
    TARGET_GROUPS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ascii_and_labelled() {
        for list in [THEMES, TARGET_GROUPS] {
            let mut codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
            assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')), "{codes:?}");
            codes.sort();
            codes.dedup();
            assert_eq!(codes.len(), list.len());
        }
        assert_eq!(theme_label("nattvandring"), Some("Nattvandring och vuxennärvaro"));
        assert_eq!(target_group_label("unga"), Some("Unga"));
        assert_eq!(theme_label("okänd"), None);
    }
}
