//! The demo's agreements (issue 14): a county coordinator at Länsstyrelsen Skåne and a
//! samverkansöverenskommelse for each of the three demo municipalities, scored against Brygga's
//! checklist by the county board.
//!
//! - **Trelleborg**: 2025 to the end of next year, resting on the adopted lägesbild (with its
//!   cause analysis) and åtgärdsplan of the plans demo, signed by both parties, the signed PDF
//!   attached; a baseline about ten months ago and a follow-up three weeks ago (better).
//! - **Hässleholm**: current, signed by the municipality only, nothing linked; a baseline only —
//!   the "done when" path: the county coordinator scores it, takes the follow-up snapshot and
//!   sees the change in the county table.
//! - **Ängelholm**: ended last year (upphört); a baseline from its last year.
//! - A joint **medborgarlöfte** for Trelleborg this year (municipality and police).
//!
//! Everything goes through the store commands as the people who would do it.

use brygga_store::agreements::agreement::{self, AgreementInput, Signature, SigningInput};
use brygga_store::agreements::assessments::{self, ItemScore, ScoreInput, SnapshotInput, StartInput};
use brygga_store::kernel::viewer::Via;
use brygga_store::{Conn, ConnExt, StoreResult, Viewer, args};
use jiff::civil::Date;

use crate::demo::DemoLogin;

/// The county coordinator the programme demo shares (created here only when missing).
pub const COUNTY_COORDINATOR: &str = "lansamordnare@lansstyrelsen.example";

/// A one-page PDF ("Samverkansöverenskommelse – undertecknad"), small and valid.
pub fn signed_pdf(title: &str) -> Vec<u8> {
    let text = title.replace(['(', ')', '\\'], " ");
    let stream = format!("BT /F1 14 Tf 72 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).expect("in range")
}

/// Creates the county coordinator at Länsstyrelsen Skåne if no account has the address yet
/// (the programme demo needs the same person), with the same password as the other demo
/// accounts. Returns the login to print when it was created here.
fn county_coordinator(db: &mut dyn Conn) -> StoreResult<Option<DemoLogin>> {
    if db.scalar_opt::<i64>("SELECT id FROM users WHERE email = $1", args![COUNTY_COORDINATOR])?.is_some() {
        return Ok(None);
    }
    let county = org(db, "Länsstyrelsen Skåne")?;
    let hash: Option<String> = db.scalar("SELECT password_hash FROM users WHERE email = $1", args!["samordnare@trelleborg.example"])?;
    let input = brygga_store::accounts::users::NewUserInput {
        email: COUNTY_COORDINATOR.into(),
        name: "Lova Länssamordnare".into(),
        password: None,
        org_id: Some(county),
        role: Some(brygga_domain::Role::Coordinator.code().into()),
        system_admin: false,
    };
    let mut valid = input.validate()?;
    valid.password_hash = hash;
    brygga_store::accounts::users::create(db, &Viewer::system(), &valid)?;
    Ok(Some(DemoLogin { email: COUNTY_COORDINATOR, role: "länssamordnare (samordnare), Länsstyrelsen Skåne" }))
}

struct Demo<'a> {
    title: &'a str,
    kind: &'a str,
    coordinator: &'a str,
    owner: &'a str,
    police: &'a str,
    municipality: &'a str,
    from: Date,
    to: Date,
    signed: &'a [(&'a str, Date)],
    situation: Option<i64>,
    plan: Option<i64>,
    document: bool,
}

fn agreement(db: &mut dyn Conn, d: &Demo<'_>) -> StoreResult<i64> {
    let v = user(db, d.coordinator)?;
    let owner = org(db, d.owner)?;
    let police = org(db, d.police)?;
    let input = AgreementInput {
        kind: Some(d.kind.into()),
        title: d.title.into(),
        municipality_code: Some(d.municipality.into()),
        owner_org_id: Some(owner),
        party_org_ids: vec![police],
        period_from: Some(d.from.to_string()),
        period_to: Some(d.to.to_string()),
        situation_id: d.situation,
        plan_id: d.plan,
        decided_by: Some("Kommunstyrelsen".into()),
        decided_on: Some(days(d.from, -20).to_string()),
        decision_ref: Some(format!("KS {}/{}", d.from.year() - 1, 300 + d.title.len())),
    };
    let a = agreement::create(db, &v, &input)?;
    let mut signatures = Vec::new();
    for (name, on) in d.signed {
        signatures.push(Signature { org_id: org(db, name)?, signed_on: Some(on.to_string()) });
    }
    if !signatures.is_empty() {
        agreement::sign(db, &v, a.id, &SigningInput { signatures })?;
    }
    if d.document {
        agreement::attach_document(db, &v, a.id, &format!("{}.pdf", d.title), None, &signed_pdf(d.title))?;
    }
    let a = agreement::get(db, &v, a.id)?;
    agreement::conclude(db, &v, a.id, a.version)?;
    Ok(a.id)
}

/// Scores items of the county board's assessment by key: (key, score, comment).
fn score(db: &mut dyn Conn, v: &Viewer, assessment: i64, scores: &[(&str, &str, &str)]) -> StoreResult<()> {
    let a = assessments::get(db, v, assessment)?;
    let items = scores
        .iter()
        .filter_map(|(key, score, comment)| {
            a.items.iter().find(|i| i.key == *key).map(|i| ItemScore {
                item_id: i.item_id,
                score: Some((*score).into()),
                evidence: None,
                comment: (!comment.is_empty()).then(|| (*comment).to_owned()),
            })
        })
        .collect();
    assessments::score(db, v, assessment, &ScoreInput { items })?;
    Ok(())
}

fn snapshot(db: &mut dyn Conn, v: &Viewer, assessment: i64, kind: &str, label: &str, on: Date) -> StoreResult<()> {
    let input = SnapshotInput { kind: kind.into(), label: Some(label.into()), taken_on: Some(on.to_string()) };
    assessments::take_snapshot(db, v, assessment, &input)?;
    Ok(())
}

/// Seeds the agreements (after the plans demo, whose adopted lägesbild and åtgärdsplan in
/// Trelleborg the samverkansöverenskommelse rests on, when they are there).
pub fn seed(db: &mut dyn Conn, today: Date) -> StoreResult<Vec<DemoLogin>> {
    let situation: Option<i64> =
        db.scalar_opt("SELECT MIN(id) FROM situations WHERE municipality_code = '1287' AND status = 'adopted'", &[])?.flatten();
    let plan: Option<i64> =
        db.scalar_opt("SELECT MIN(id) FROM action_plans WHERE municipality_code = '1287' AND status = 'adopted'", &[])?.flatten();
    let logins = county_coordinator(db)?.into_iter().collect();
    let year = today.year();
    let jan = |y: i16| Date::new(y, 1, 1).expect("valid");
    let dec = |y: i16| Date::new(y, 12, 31).expect("valid");
    let trelleborg = agreement(
        db,
        &Demo {
            title: "Samverkansöverenskommelse Trelleborg",
            kind: "cooperation_agreement",
            coordinator: "samordnare@trelleborg.example",
            owner: "Trelleborgs kommun",
            police: "Polisen, lokalpolisområde Trelleborg",
            municipality: "1287",
            from: jan(year - 1),
            to: dec(year + 1),
            signed: &[("Trelleborgs kommun", days(jan(year - 1), -14)), ("Polisen, lokalpolisområde Trelleborg", days(jan(year - 1), -10))],
            situation,
            plan,
            document: true,
        },
    )?;
    agreement(
        db,
        &Demo {
            title: "Medborgarlöfte Trelleborg",
            kind: "citizen_promise",
            coordinator: "samordnare@trelleborg.example",
            owner: "Trelleborgs kommun",
            police: "Polisen, lokalpolisområde Trelleborg",
            municipality: "1287",
            from: jan(year),
            to: dec(year),
            signed: &[("Trelleborgs kommun", days(jan(year), -5)), ("Polisen, lokalpolisområde Trelleborg", days(jan(year), -5))],
            situation: None,
            plan,
            document: false,
        },
    )?;
    let hassleholm = agreement(
        db,
        &Demo {
            title: "Samverkansöverenskommelse Hässleholm",
            kind: "cooperation_agreement",
            coordinator: "samordnare@hassleholm.example",
            owner: "Hässleholms kommun",
            police: "Polisen, lokalpolisområde Hässleholm",
            municipality: "1293",
            from: jan(year - 1),
            to: dec(year + 1),
            signed: &[("Hässleholms kommun", days(jan(year - 1), -12))],
            situation: None,
            plan: None,
            document: false,
        },
    )?;
    let angelholm = agreement(
        db,
        &Demo {
            title: "Samverkansöverenskommelse Ängelholm",
            kind: "cooperation_agreement",
            coordinator: "samordnare@angelholm.example",
            owner: "Ängelholms kommun",
            police: "Polisen, lokalpolisområde Ängelholm",
            municipality: "1292",
            from: jan(year - 3),
            to: dec(year - 1),
            signed: &[("Ängelholms kommun", days(jan(year - 3), -9)), ("Polisen, lokalpolisområde Ängelholm", days(jan(year - 3), -9))],
            situation: None,
            plan: None,
            document: false,
        },
    )?;

    let county = user(db, COUNTY_COORDINATOR)?;
    let baseline_on = days(today, -300);
    // Trelleborg: a baseline, then better on revision, dialogue and activities.
    let t = assessments::start(db, &county, trelleborg, &StartInput::default())?.id;
    score(
        db,
        &county,
        t,
        &[
            ("sources", "partly", "Källorna anges för brottsstatistiken men inte för trygghetsmätningen."),
            ("activities", "partly", "Ordning och ansvar saknas för två aktiviteter."),
            ("coordination", "met", ""),
            ("revision", "not_met", "Ingen revidering planerad."),
            ("citizen-dialogue", "not_met", ""),
            ("resources", "partly", ""),
        ],
    )?;
    snapshot(db, &county, t, "baseline", "Nulägesmätning", baseline_on)?;
    score(
        db,
        &county,
        t,
        &[
            ("activities", "met", "Aktivitetsplanen anger nu ordning och ansvar."),
            ("revision", "met", "Revidering varje höst beslutad."),
            ("citizen-dialogue", "partly", "En medborgardialog genomförd i centrum."),
        ],
    )?;
    snapshot(db, &county, t, "follow_up", "Uppföljning", days(today, -21))?;
    // Hässleholm: a baseline only.
    let h = assessments::start(db, &county, hassleholm, &StartInput::default())?.id;
    score(
        db,
        &county,
        h,
        &[
            ("joint-picture", "not_met", "Ingen gemensam problembild bifogad."),
            ("sources", "not_met", ""),
            ("causes", "not_met", "Orsaker saknas."),
            ("measurable-goals", "partly", "Ett mål är mätbart."),
            ("activities", "partly", ""),
            ("coordination", "met", ""),
            ("follow-up", "not_met", ""),
            ("revision", "not_met", ""),
            ("citizen-dialogue", "not_met", ""),
            ("resources", "partly", ""),
        ],
    )?;
    snapshot(db, &county, h, "baseline", "Nulägesmätning", baseline_on)?;
    // Ängelholm: a baseline in its last year.
    let a = assessments::start(db, &county, angelholm, &StartInput::default())?.id;
    score(db, &county, a, &[("coordination", "met", ""), ("activities", "partly", ""), ("revision", "not_met", "")])?;
    snapshot(db, &county, a, "baseline", "Nulägesmätning", days(today, -400).max(days(jan(year - 1), 30)))?;
    Ok(logins)
}
