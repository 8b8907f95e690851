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

/// (code, Swedish label) of the levels a contact person works at.
pub const CONTACT_LEVELS: &[(&str, &str)] = &[("kommun", "Kommun"), ("lan", "Län"), ("nationell", "Nationell")];

/// (code, Swedish label) of the contact-person roles every installation starts with; more are
/// added in the database (`contact_roles`), so the list is extendable without a release.
pub const BUILTIN_CONTACT_ROLES: &[(&str, &str)] = &[
    ("samordnare", "Brottsförebyggande samordnare"),
    ("kommunpolis", "Kommunpolis"),
    ("vbe", "Kontaktperson våldsbejakande extremism"),
    ("sspf", "SSPF-kontakt"),
    ("est", "EST-samordnare"),
    ("trygghet", "Trygghetssamordnare"),
    ("forening", "Föreningskontakt"),
    ("brottsoffer", "Kontaktperson brottsofferstöd"),
    ("avhopp", "Kontaktperson avhopparverksamhet"),
];

/// (code, Swedish label) of the kinds of concern a municipality's "vart vänder jag mig" guide
/// routes: who to turn to and how — never case data.
pub const CONCERNS: &[(&str, &str)] = &[
    ("akut", "Akut fara eller pågående brott"),
    ("oro_barn", "Oro för ett barn"),
    ("rekrytering", "Rekrytering till kriminalitet"),
    ("extremism", "Våldsbejakande extremism"),
    ("hot_forening", "Hot mot förening"),
    ("tips_polis", "Tips till polisen"),
    ("brottsutsatt", "Utsatt för brott"),
    ("otrygg_plats", "En otrygg plats"),
    ("lamna", "Vill lämna kriminalitet"),
];

/// The Swedish label of a contact level code.
pub fn contact_level_label(code: &str) -> Option<&'static str> {
    CONTACT_LEVELS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// The Swedish label of a concern code.
pub fn concern_label(code: &str) -> Option<&'static str> {
    CONCERNS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ascii_and_labelled() {
        for list in [THEMES, TARGET_GROUPS, CONTACT_LEVELS, BUILTIN_CONTACT_ROLES, CONCERNS] {
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
