//! The closed vocabularies of the plans capability: the lägesbild and problembild documents,
//! the cause analysis, and the åtgärdsplan with its goals, indicators, measures and follow-up.
//! Codes are English (database, API); labels are Swedish (interface).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::kinds::vocabulary;

vocabulary! {
    /// Which document: one organisation's lägesbild, or the joint problembild of the municipality
    /// and the local police area (DOMAIN.md: never confuse the two).
    SituationKind, "kind", "dokumenttyp" {
        Situation = "situation", "Lägesbild";
        ProblemPicture = "problem_picture", "Gemensam problembild";
    }
}

vocabulary! {
    /// Where a version of a document stands. An adopted version never changes.
    DocumentStatus, "status", "status" {
        Draft = "draft", "Utkast";
        Adopted = "adopted", "Antagen";
        Superseded = "superseded", "Ersatt av nyare version";
    }
}

vocabulary! {
    /// The sections the law names, that the coordinator writes text for.
    SectionKind, "section", "avsnitt" {
        Summary = "summary", "Sammanfattning";
        Crime = "crime", "Brottsligheten, dess omfattning och konsekvenser";
        Other = "other", "Annan relevant information";
        Analysis = "analysis", "Analys: prioriterade problem och deras orsaker";
    }
}

vocabulary! {
    /// Other relevant information entered by hand, by kind (counts for triangulation).
    SourceKind, "kind", "källtyp" {
        SchoolSurvey = "school_survey", "Skolenkät";
        StaffDialogue = "staff_dialogue", "Medarbetardialog";
        CitizenDialogue = "citizen_dialogue", "Medborgardialog";
        CivilSociety = "civil_society", "Civilsamhällets bidrag";
        Other = "other", "Annan källa";
    }
}

vocabulary! {
    /// What a problem's evidence points at.
    EvidenceKind, "kind", "underlagstyp" {
        Category = "category", "Kategori";
        Place = "place", "Plats";
        Flag = "flag", "Flagga";
        CrimeSeries = "crime_series", "Anmälda brott";
        SurveyQuestion = "survey_question", "Fråga i trygghetsmätning";
    }
}

vocabulary! {
    /// A side of the problem-analysis triangle.
    TriangleSide, "triangle_side", "sida i problemtriangeln" {
        Offender = "offender", "Gärningsperson";
        Target = "target", "Offer/mål";
        Place = "place", "Plats";
    }
}

vocabulary! {
    /// A risk or a protective factor.
    FactorKind, "factor", "faktortyp" {
        Risk = "risk", "Riskfaktor";
        Protective = "protective", "Skyddsfaktor";
    }
}

vocabulary! {
    /// What a cause rests on.
    CauseBasis, "basis", "grund" {
        Data = "data", "Data";
        Research = "research", "Forskning";
        Dialogue = "dialogue", "Dialog";
    }
}

vocabulary! {
    /// How certain a cause is.
    Certainty, "certainty", "säkerhet" {
        Low = "low", "Låg";
        Medium = "medium", "Medel";
        High = "high", "Hög";
    }
}

vocabulary! {
    /// The three kinds of goal, highest first: an effect goal is broken into result goals,
    /// served by process goals.
    GoalKind, "kind", "måltyp" {
        Effect = "effect", "Effektmål";
        Result = "result", "Resultatmål";
        Process = "process", "Processmål";
    }
}

vocabulary! {
    /// Where a result goal's result is expected.
    ResultLevel, "level", "nivå" {
        Individual = "individual", "Individ";
        Group = "group", "Grupp";
        Area = "area", "Område";
        Organisation = "organisation", "Organisation";
        Municipality = "municipality", "Kommun";
    }
}

vocabulary! {
    /// Where an indicator's values come from.
    IndicatorSource, "source", "källa" {
        Observations = "observations", "EST-rapporter (kategori × plats)";
        CrimeStatistics = "crime_statistics", "Anmälda brott";
        SafetySurvey = "safety_survey", "Trygghetsmätning";
        Manual = "manual", "Värden som förs in för hand";
    }
}

vocabulary! {
    /// Which way an indicator should go.
    Direction, "direction", "önskad riktning" {
        Increase = "increase", "Öka";
        Decrease = "decrease", "Minska";
        Keep = "keep", "Behålla";
    }
}

vocabulary! {
    /// How often an indicator is measured.
    Frequency, "frequency", "frekvens" {
        Monthly = "monthly", "Varje månad";
        Quarterly = "quarterly", "Varje kvartal";
        HalfYearly = "half_yearly", "Varje halvår";
        Yearly = "yearly", "Varje år";
    }
}

vocabulary! {
    /// Where a measure (insats) stands.
    MeasureStatus, "status", "status" {
        Planned = "planned", "Planerad";
        Ongoing = "ongoing", "Pågår";
        Done = "done", "Genomförd";
        Delayed = "delayed", "Försenad";
        Cancelled = "cancelled", "Inställd";
    }
}

vocabulary! {
    /// What a measure's choice rests on (mål–medelanalys).
    MeasureBasis, "basis", "kunskapsgrund" {
        EvaluatedMethod = "evaluated_method", "Utvärderad metod";
        DocumentedKnowledge = "documented_knowledge", "Dokumenterad kunskap";
        None = "none", "Ingen dokumenterad grund";
    }
}

vocabulary! {
    /// How the recipients of a measure were involved (genomförandeanalys).
    Involvement, "involvement", "mottagarnas delaktighet" {
        CoCreators = "co_creators", "Medskapare";
        Consulted = "consulted", "Tillfrågade";
        Informed = "informed", "Informerade";
        Passive = "passive", "Passiva mottagare";
    }
}

impl GoalKind {
    /// Higher kinds first: a goal's parent is of the same kind or a higher one.
    pub fn rank(self) -> u8 {
        match self {
            GoalKind::Effect => 0,
            GoalKind::Result => 1,
            GoalKind::Process => 2,
        }
    }
}
