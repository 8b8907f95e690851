//! Agreements and their quality checklists: the closed vocabularies with Swedish labels, the
//! derived status of an agreement from its period, the scoring of a checklist item, and the
//! content check of a signed document (PDF or Word) — rules that need no database.

use jiff::civil::Date;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::kinds::vocabulary;

vocabulary! {
    /// What kind of agreement it is.
    AgreementKind, "kind", "typ av överenskommelse" {
        CooperationAgreement = "cooperation_agreement", "Samverkansöverenskommelse";
        CitizenPromise = "citizen_promise", "Medborgarlöfte";
        Iop = "iop", "IOP (idéburet offentligt partnerskap)";
        Partnership = "partnership", "Samarbetsavtal";
        Other = "other", "Annan överenskommelse";
    }
}

vocabulary! {
    /// Where an agreement stands, derived from whether it is concluded and from its period.
    AgreementStatus, "status", "status" {
        Draft = "draft", "Utkast";
        Upcoming = "upcoming", "Ej börjat gälla";
        Current = "current", "Gällande";
        Ended = "ended", "Upphört";
    }
}

impl AgreementStatus {
    /// A concluded agreement is current from its first to its last day; a draft stays a draft.
    pub fn derive(concluded: bool, from: Date, to: Date, today: Date) -> Self {
        if !concluded {
            AgreementStatus::Draft
        } else if today < from {
            AgreementStatus::Upcoming
        } else if today > to {
            AgreementStatus::Ended
        } else {
            AgreementStatus::Current
        }
    }
}

vocabulary! {
    /// How well an agreement meets one checklist item.
    Score, "score", "bedömning" {
        Met = "met", "Uppfyllt";
        Partly = "partly", "Delvis uppfyllt";
        NotMet = "not_met", "Ej uppfyllt";
        NotApplicable = "not_applicable", "Ej tillämpligt";
    }
}

impl Score {
    /// Points out of 2; `None` for "not applicable" (left out of the total).
    pub fn points(self) -> Option<f64> {
        match self {
            Score::Met => Some(2.0),
            Score::Partly => Some(1.0),
            Score::NotMet => Some(0.0),
            Score::NotApplicable => None,
        }
    }
}

/// The weighted share of the maximum, 0–100, over scored items (weight, score); `None` when
/// nothing applicable was scored.
pub fn score_percent(items: impl IntoIterator<Item = (f64, Option<Score>)>) -> Option<f64> {
    let (mut got, mut max) = (0.0, 0.0);
    for (w, s) in items {
        if let Some(p) = s.and_then(Score::points) {
            got += w * p;
            max += w * 2.0;
        }
    }
    (max > 0.0).then(|| (got / max * 100.0 * 10.0).round() / 10.0)
}

vocabulary! {
    /// Why a snapshot of an assessment was taken.
    SnapshotKind, "kind", "typ av mätning" {
        Baseline = "baseline", "Nulägesmätning";
        FollowUp = "follow_up", "Uppföljning";
        Other = "other", "Annan mätning";
    }
}

vocabulary! {
    /// Where Brygga's own data answers a checklist item (see `store::agreements::assessments`).
    DerivedRule, "derived_rule", "härledningsregel" {
        JointProblemPicture = "joint_problem_picture", "Länkad problembild med båda parterna";
        Causes = "causes", "Länkad lägesbild/problembild har orsaker";
        NotOnlyEffectGoals = "not_only_effect_goals", "Planen har resultat- eller processmål";
        MeasuresMoreThanPolice = "measures_more_than_police", "Indikatorerna mäter mer än polisens aktivitet";
        FollowUpMethod = "follow_up_method", "Indikatorer med utgångsvärde";
        SignedByAll = "signed_by_all", "Alla parter har skrivit under";
    }
}

/// What a signed document's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    Pdf,
    Docx,
}

impl DocumentType {
    pub fn mime(self) -> &'static str {
        match self {
            DocumentType::Pdf => "application/pdf",
            DocumentType::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DocumentType::Pdf => "PDF",
            DocumentType::Docx => "Word (DOCX)",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            DocumentType::Pdf => "pdf",
            DocumentType::Docx => "docx",
        }
    }
    /// The type a file name or a Content-Type claims.
    pub fn claimed(file_name: &str, content_type: Option<&str>) -> Option<Self> {
        let lower = file_name.to_lowercase();
        if lower.ends_with(".pdf") {
            return Some(DocumentType::Pdf);
        }
        if lower.ends_with(".docx") {
            return Some(DocumentType::Docx);
        }
        match content_type.map(|c| c.split(';').next().unwrap_or("").trim().to_lowercase()) {
            Some(c) if c == DocumentType::Pdf.mime() => Some(DocumentType::Pdf),
            Some(c) if c == DocumentType::Docx.mime() => Some(DocumentType::Docx),
            _ => None,
        }
    }
    /// What the bytes are, by content: a PDF starts with `%PDF-`; a DOCX is a zip archive whose
    /// central directory lists `word/document.xml`.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            return Some(DocumentType::Pdf);
        }
        if bytes.starts_with(b"PK\x03\x04") && zip_lists(bytes, b"word/document.xml") {
            return Some(DocumentType::Docx);
        }
        None
    }
}

fn u16_at(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..i + 2).map(|s| usize::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..i + 4).and_then(|s| usize::try_from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])).ok())
}

/// Whether a zip archive's central directory names `wanted` (read from the end-of-central-
/// directory record; a damaged archive lists nothing).
fn zip_lists(b: &[u8], wanted: &[u8]) -> bool {
    // The end record is 22 bytes plus a comment of at most 65 535.
    let start = b.len().saturating_sub(22 + 65_535);
    let Some(eocd) = (start..b.len().saturating_sub(21)).rev().find(|&i| b[i..].starts_with(b"PK\x05\x06")) else {
        return false;
    };
    let (Some(entries), Some(offset)) = (u16_at(b, eocd + 10), u32_at(b, eocd + 16)) else { return false };
    let mut at = offset;
    for _ in 0..entries {
        if !b.get(at..).is_some_and(|s| s.starts_with(b"PK\x01\x02")) {
            return false;
        }
        let (Some(name_len), Some(extra), Some(comment)) = (u16_at(b, at + 28), u16_at(b, at + 30), u16_at(b, at + 32)) else {
            return false;
        };
        if b.get(at + 46..at + 46 + name_len) == Some(wanted) {
            return true;
        }
        at += 46 + name_len + extra + comment;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn status_follows_the_period() {
        let (f, t) = (d("2026-01-01"), d("2027-12-31"));
        assert_eq!(AgreementStatus::derive(false, f, t, d("2026-06-01")), AgreementStatus::Draft);
        assert_eq!(AgreementStatus::derive(true, f, t, d("2025-12-31")), AgreementStatus::Upcoming);
        assert_eq!(AgreementStatus::derive(true, f, t, d("2026-01-01")), AgreementStatus::Current);
        assert_eq!(AgreementStatus::derive(true, f, t, d("2027-12-31")), AgreementStatus::Current);
        assert_eq!(AgreementStatus::derive(true, f, t, d("2028-01-01")), AgreementStatus::Ended);
    }

    #[test]
    fn percent_weighs_and_leaves_out_not_applicable() {
        assert_eq!(score_percent([(1.0, Some(Score::Met)), (1.0, Some(Score::NotMet))]), Some(50.0));
        assert_eq!(score_percent([(3.0, Some(Score::Met)), (1.0, Some(Score::NotMet)), (5.0, Some(Score::NotApplicable))]), Some(75.0));
        assert_eq!(score_percent([(1.0, Some(Score::Partly)), (1.0, None)]), Some(50.0));
        assert_eq!(score_percent([(1.0, Some(Score::NotApplicable))]), None);
    }

    /// A minimal stored zip with the given names (no data): local headers, central directory, end.
    pub fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for n in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(n.as_bytes());
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[0u8; 24]);
            central.extend_from_slice(&(n.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0u8; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(n.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn documents_are_known_by_content() {
        assert_eq!(DocumentType::sniff(b"%PDF-1.7\n..."), Some(DocumentType::Pdf));
        assert_eq!(DocumentType::sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])), Some(DocumentType::Docx));
        assert_eq!(DocumentType::sniff(&zip_with(&["xl/workbook.xml"])), None, "an XLSX is a zip but not a Word document");
        assert_eq!(DocumentType::sniff(b"hello, I am text"), None);
        assert_eq!(DocumentType::sniff(b"PK\x03\x04 truncated"), None);
        assert_eq!(DocumentType::claimed("Avtal.PDF", None), Some(DocumentType::Pdf));
        assert_eq!(DocumentType::claimed("avtal", Some("application/pdf")), Some(DocumentType::Pdf));
        assert_eq!(DocumentType::claimed("avtal.txt", Some("text/plain")), None);
    }
}
