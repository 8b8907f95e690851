//! The EST checklist (Effektiv samordning för trygghet): what partners report each week. Every
//! forum starts from this default list and can edit it.
//!
//! A report's *quantity* is always a number of occurrences ("three fires"), which is what the
//! weekly picture adds up and tests; sizes and degrees (how big a group, how unsafe) are an
//! intensity on the category's scale.

/// A default category: a stable code, the Swedish name and a hint, and whether reports carry an
/// intensity (1..=max) besides a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefaultCategory {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub intensity_max: Option<u8>,
}

pub const DEFAULT_CATEGORIES: &[DefaultCategory] = &[
    DefaultCategory {
        code: "vandalism",
        name: "Skadegörelse",
        description: "Sönderslagna rutor, förstörd utrustning, vandaliserade lokaler.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "graffiti",
        name: "Klotter",
        description: "Klotter och tags på väggar, skyltar och fordon.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "littering",
        name: "Nedskräpning",
        description: "Skräp, dumpat avfall, kanyler eller glas.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "broken_lighting",
        name: "Trasig belysning",
        description: "Gatlyktor eller belysning i parker och gångtunnlar som inte fungerar.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "fire",
        name: "Brand/anlagd brand",
        description: "Bränder i containrar, fordon, papperskorgar eller byggnader.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "public_disorder",
        name: "Ordningsstörning",
        description: "Bråk, hög musik, berusade personer som stör.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "youth_gathering",
        name: "Ungdomar som samlas",
        description: "Grupper av unga på en plats, särskilt sent eller med oro runt sig. Antal = ungefär hur många.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "drugs",
        name: "Narkotika",
        description: "Misstänkt försäljning eller bruk av narkotika.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "threats_violence",
        name: "Hot/våld",
        description: "Hot, våld eller slagsmål som du sett eller fått höra om.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "theft_burglary",
        name: "Stöld/inbrott",
        description: "Stölder, inbrott i källare, förråd, bilar eller lokaler.",
        intensity_max: None,
    },
    DefaultCategory {
        code: "perceived_insecurity",
        name: "Upplevd otrygghet",
        description: "Platser eller tider där människor känner sig otrygga. Intensitet 1 (lite) – 5 (mycket).",
        intensity_max: Some(5),
    },
    DefaultCategory {
        code: "other",
        name: "Annat",
        description: "Något annat som påverkar tryggheten. Beskriv kort.",
        intensity_max: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_names_swedish() {
        let mut codes: Vec<_> = DEFAULT_CATEGORIES.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), DEFAULT_CATEGORIES.len());
        assert!(DEFAULT_CATEGORIES.iter().any(|c| c.name == "Skadegörelse"));
    }
}
