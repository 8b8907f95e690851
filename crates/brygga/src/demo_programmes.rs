//! The demo's regional programme (issue 14): *Skåne tillsammans mot brott* as seed 003 (the
//! evaluation of the programme) describes it — seven signatories, seven development areas each
//! with its working group and convening party (Länsstyrelsen convening three and staffing six,
//! the load the evaluation found), members with mandate or working time missing for some, two
//! half-years of activity plans (one group with an unmeasurable goal, one plan submitted but
//! never quality-assured), the next half-year open for the police region's convener to submit
//! and another waiting for the county's quality assurance; and the county's participation
//! matrix (an EST pilot, a competence centre, an agreement with a crisis centre).
//!
//! The programme ran 2018–2020; the demo moves it to the present (last year to next year) so
//! that its workflow can be tried: a plan is not submitted for a half-year that has ended.
//! Everything enters through the store's commands, as in real use.

use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::kernel::viewer::Via;
use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::indicators::{self, IndicatorInput};
use brygga_store::plans::measures::{self, MeasureInput};
use brygga_store::programmes::activity::{self, ContributionInput, StepInput};
use brygga_store::programmes::groups::{self, GroupInput, MemberInput};
use brygga_store::programmes::participation::{self, InitiativeInput, ParticipantInput};
use brygga_store::programmes::programme::{self, ProgrammeInput, SignatoryInput};
use brygga_store::programmes::{HalfYear, WorkingGroup};
use brygga_store::{Conn, ConnExt, Store, StoreResult, Viewer, args};
use jiff::ToSpan;
use jiff::civil::Date;

use crate::demo::DemoLogin;

/// The county's coordinator (quality-assures the groups' plans).
pub const COUNTY_COORDINATOR: &str = "lansamordnare@lansstyrelsen.example";
/// The police region's coordinator, convener of the defectors' group.
pub const CONVENER: &str = "sammankallande@polisen.example";

const LST: &str = "Länsstyrelsen Skåne";
const POLISEN: &str = "Polismyndigheten region Syd";
const REGION: &str = "Region Skåne";
const KRIM: &str = "Kriminalvården region Syd";
const TULL: &str = "Tullverket";
const KOMMUNER: &str = "Skånes Kommuner";
const IHK: &str = "Sydsvenska Industri- och handelskammaren";
const HANDEL: &str = "Svensk Handel Syd";

/// Organisations the rest of the demo does not have: (name, kind).
const ORGS: &[(&str, OrgKind)] = &[
    (POLISEN, OrgKind::Police),
    (REGION, OrgKind::Region),
    (KRIM, OrgKind::PrisonProbation),
    (TULL, OrgKind::Other),
    (KOMMUNER, OrgKind::Other),
    (IHK, OrgKind::Business),
    (HANDEL, OrgKind::Business),
];

/// Signatories of the programförklaring, with who signed.
const SIGNATORIES: &[(&str, &str)] = &[
    (LST, "Landshövding"),
    (POLISEN, "Regionpolischef"),
    (REGION, "Regionstyrelsens ordförande"),
    (KRIM, "Regionchef"),
    (TULL, "Verksamhetschef, Kompetenscentret i Skåne"),
    (KOMMUNER, "Förbundsdirektör"),
    (IHK, "Vd"),
];

/// A development area: title, convener, other members, expected result.
struct Area {
    title: &'static str,
    convener: &'static str,
    members: &'static [&'static str],
    result: &'static str,
}

const AREAS: &[Area] = &[
    Area {
        title: "Utvecklad avhopparverksamhet i Skåne",
        convener: POLISEN,
        members: &[LST, KRIM, KOMMUNER],
        result: "En samverkansstruktur för avhopparverksamhet i de skånska kommunerna",
    },
    Area {
        title: "Samverkan för färre återfall i brott",
        convener: KRIM,
        members: &[POLISEN, REGION, KOMMUNER],
        result: "Utvecklingsförslag för återfallsförebyggande arbete med korta strafftider; två pilotseminarier",
    },
    Area {
        title: "Metodstöd för insatser mot otillåten påverkan",
        convener: KOMMUNER,
        members: &[LST, IHK],
        result: "En regional stödstruktur för erfarenhetsutbyte och ett metodunderlag",
    },
    Area {
        title: "Utveckling av brottsförebyggande arbete på lokal nivå",
        convener: LST,
        members: &[POLISEN, KOMMUNER],
        result: "Processtöd vid etableringen av EST i minst fem kommuner",
    },
    Area {
        title: "Ökad kvalitet på samverkansöverenskommelser och medborgarlöften",
        convener: LST,
        members: &[POLISEN, KOMMUNER],
        result: "Överenskommelser och löften av högre kvalitet än vid kartläggningen",
    },
    Area {
        title: "Utvecklad samverkan inom området mäns våld mot kvinnor",
        convener: LST,
        members: &[REGION, POLISEN, KOMMUNER],
        result: "Strukturerad lokal samverkan om partnervåld mellan kommun, polis och region",
    },
    Area {
        title: "Näringslivet – en naturlig aktör i det brottsförebyggande arbetet",
        convener: IHK,
        members: &[LST, POLISEN, HANDEL],
        result: "En kartläggning av näringslivets medverkan och förslag till samverkan",
    },
];

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

/// Creates the organisations and accounts the programme needs (the county coordinator only if
/// missing: the agreements demo creates the same account the same way). Returns the new logins.
async fn accounts(store: &Store, password: &str) -> anyhow::Result<Vec<DemoLogin>> {
    let hash = brygga_store::accounts::auth::hash_off_runtime(password.to_owned()).await?;
    Ok(store
        .write(move |db| {
            let sys = Viewer::system();
            for (name, kind) in ORGS {
                let n: i64 = db.scalar("SELECT COUNT(*) FROM organisations WHERE name = $1", args![*name])?;
                if n == 0 {
                    let input = OrganisationInput {
                        name: (*name).into(),
                        kind: kind.code().into(),
                        org_number: None,
                        description: Some("Part i Skåne tillsammans mot brott.".into()),
                        website: None,
                        public_profile: true,
                        municipalities: Vec::new(),
                    };
                    orgs::create(db, &sys, &input.validate()?)?;
                }
            }
            let mut logins = Vec::new();
            for (email, name, org_name, what) in [
                (COUNTY_COORDINATOR, "Linnea Länssamordnare", LST, "samordnare (länssamordnare), Länsstyrelsen Skåne"),
                (CONVENER, "Sam Sammankallande", POLISEN, "samordnare (sammankallande), Polismyndigheten region Syd"),
            ] {
                let n: i64 = db.scalar("SELECT COUNT(*) FROM users WHERE email = $1", args![email])?;
                if n > 0 {
                    continue;
                }
                let input = NewUserInput {
                    email: email.into(),
                    name: name.into(),
                    password: None,
                    org_id: Some(org(db, org_name)?),
                    role: Some(Role::Coordinator.code().to_owned()),
                    system_admin: false,
                };
                let mut valid = input.validate()?;
                valid.password_hash = Some(hash.clone());
                users::create(db, &sys, &valid)?;
                logins.push(DemoLogin { email, role: what });
            }
            Ok(logins)
        })
        .await?)
}

/// Seeds the programme as of today. Returns the demo logins it created.
pub async fn seed(store: &Store, password: &str) -> anyhow::Result<Vec<DemoLogin>> {
    let logins = accounts(store, password).await?;
    store.write(move |db| seed_programme(db, brygga_domain::time::today())).await?;
    Ok(logins)
}

fn step(db: &mut dyn Conn, v: &Viewer, plan: i64, s: &str, comment: Option<&str>, on: Date) -> StoreResult<()> {
    let input = StepInput { step: s.into(), comment: comment.map(Into::into), ..StepInput::default() };
    activity::step_on(db, v, plan, &input, on)?;
    Ok(())
}

/// The group's plan content for a half-year (the first half-year's plan; later ones copy it).
fn content(db: &mut dyn Conn, v: &Viewer, plan: i64, n: usize, a: &Area, g: &WorkingGroup, h: HalfYear) -> StoreResult<()> {
    let result = goals::create(
        db,
        v,
        plan,
        &GoalInput { kind: "result".into(), title: a.result.into(), level: Some("organisation".into()), ..GoalInput::default() },
    )?;
    // Group 3 states its goal without a way to measure it (the evaluation's unclear goals).
    if n != 2 {
        indicators::create(
            db,
            v,
            plan,
            &IndicatorInput {
                goal_id: result.id,
                name: "Andel av länets kommuner som omfattas".into(),
                source: "manual".into(),
                manual_source: Some("Arbetsgruppens uppföljning".into()),
                unit: "procent".into(),
                direction: "increase".into(),
                frequency: "half_yearly".into(),
                baseline_value: Some(10.0 + n as f64 * 3.0),
                baseline_on: Some(h.start().to_string()),
                baseline_source: Some("Kartläggning vid programmets start".into()),
                target_value: Some(60.0),
                target_on: Some(h.start().checked_add(2.years()).map(|d| d.to_string()).unwrap_or_default()),
                ..IndicatorInput::default()
            },
        )?;
    }
    let process = goals::create(
        db,
        v,
        plan,
        &GoalInput {
            kind: "process".into(),
            title: "Arbetsgruppen möts varje månad och rapporterar till styrgruppen".into(),
            ..GoalInput::default()
        },
    )?;
    indicators::create(
        db,
        v,
        plan,
        &IndicatorInput {
            goal_id: process.id,
            name: "Arbetsgruppens möten under halvåret".into(),
            source: "manual".into(),
            manual_source: Some("Mötesanteckningar".into()),
            unit: "möten".into(),
            direction: "increase".into(),
            frequency: "half_yearly".into(),
            baseline_value: Some(0.0),
            baseline_on: Some(h.start().to_string()),
            baseline_source: Some("Halvårets start".into()),
            target_value: Some(6.0),
            target_on: Some(h.end().to_string()),
            ..IndicatorInput::default()
        },
    )?;
    let convener = g.convener.id;
    let other = g.members.iter().map(|m| m.org.id).find(|o| *o != convener).unwrap_or(convener);
    for (title, responsible, goal, months) in [
        ("Kartläggning och workshop med länets aktörer", convener, result.id, 0),
        ("Seminarium och spridning av resultatet", other, process.id, 3),
    ] {
        let start = h.start().checked_add(months.months()).unwrap_or(h.start());
        let m = measures::create(
            db,
            v,
            plan,
            &MeasureInput {
                title: title.into(),
                responsible_org_id: Some(responsible),
                start_on: Some(start.to_string()),
                end_on: Some(h.end().to_string()),
                basis: Some("documented_knowledge".into()),
                goal_ids: vec![goal],
                ..MeasureInput::default()
            },
        )?;
        for member in g.members.iter().take(3) {
            let text = if member.org.id == responsible { "Leder aktiviteten" } else { "Deltar med en representant" };
            activity::set_contribution(db, v, m.id, &ContributionInput { org_id: Some(member.org.id), contribution: Some(text.into()) })?;
        }
    }
    Ok(())
}

/// The programme, groups, plans and participation, as of `today`.
pub fn seed_programme(db: &mut dyn Conn, today: Date) -> StoreResult<()> {
    let county = user(db, COUNTY_COORDINATOR)?;
    let convener = user(db, CONVENER)?;
    let year = today.year();
    let now = HalfYear::of(today);
    let prev = HalfYear { year: if now.half == 1 { now.year - 1 } else { now.year }, half: if now.half == 1 { 2 } else { 1 } };
    let next = now.next();
    let p = programme::create(
        db,
        &county,
        &ProgrammeInput {
            title: "Skåne tillsammans mot brott".into(),
            scope: "regional".into(),
            county_code: Some("12".into()),
            period_from: Some(format!("{}-01-01", year - 1)),
            period_to: Some(format!("{}-12-31", year + 1)),
            declaration: Some(
                "Parterna är överens om att tillsammans utveckla det långsiktiga lokala och regionala brottsförebyggande arbetet i Skåne i enlighet med det nationella brottsförebyggande programmet: kunskapsbaserat, med utvärdering som styrmedel och byggt på lokala problembeskrivningar. Målen är att minska brottsligheten och öka tryggheten."
                    .into(),
            ),
            action_programme: Some(
                "Handlingsprogrammet omfattar sju regionala utvecklingsområden. Varje område drivs av en arbetsgrupp med en sammankallande part. Arbetsgrupperna tar fram aktivitetsplaner varje halvår som kvalitetssäkras av länsstyrelsens brottsförebyggande samordnare och presenteras för styrgruppen under ledning av landshövdingen."
                    .into(),
            ),
            plan_due_days: Some(30),
            ..ProgrammeInput::default()
        },
    )?;
    let signed_on = format!("{}-01-30", year - 1);
    for (name, by) in SIGNATORIES {
        let org_id = org(db, name)?;
        programme::set_signatory(
            db,
            &county,
            p.id,
            &SignatoryInput { org_id: Some(org_id), signed_by: Some((*by).into()), signed_on: Some(signed_on.clone()) },
        )?;
    }
    let mut groups_made = Vec::new();
    for (n, a) in AREAS.iter().enumerate() {
        let convener_org = org(db, a.convener)?;
        let g = groups::create(
            db,
            &county,
            p.id,
            &GroupInput { area_title: a.title.into(), convener_org_id: Some(convener_org), ..GroupInput::default() },
        )?;
        // The convener's terms are stated; of the others, every second member's are not (the
        // evaluation: no defined mandate or working time).
        let convener_member = g.members[0].id;
        groups::edit_member(
            db,
            &county,
            convener_member,
            &MemberInput {
                representative: Some("Sammankallande handläggare".into()),
                mandate: Some("Kallar till möten, håller aktivitetsplanen uppdaterad och rapporterar till styrgruppen".into()),
                hours_per_month: Some("16".into()),
                ..MemberInput::default()
            },
        )?;
        for (k, m) in a.members.iter().enumerate() {
            let stated = (n + k) % 2 == 0;
            let member_org = org(db, m)?;
            groups::add_member(
                db,
                &county,
                g.id,
                &MemberInput {
                    org_id: Some(member_org),
                    representative: Some(format!("Representant {}", k + 1)),
                    mandate: stated.then(|| "Beslutar om organisationens medverkan i gruppens aktiviteter".into()),
                    hours_per_month: stated.then(|| "8".into()),
                    ..MemberInput::default()
                },
            )?;
        }
        groups_made.push(brygga_store::programmes::load_group(db, &county, g.id)?.1);
    }

    // Two half-years: the previous one adopted everywhere; the current one adopted except the
    // sixth group's, submitted and never quality-assured.
    let before = |h: HalfYear| h.start().checked_sub(20.days()).unwrap_or(h.start());
    for (n, (a, g)) in AREAS.iter().zip(&groups_made).enumerate() {
        let writer = if g.members.iter().any(|m| m.org.name == LST) { &county } else { &convener };
        let first = activity::start_on(db, writer, g.id, &prev.to_string(), before(prev))?;
        content(db, writer, first.plan_id, n, a, g, prev)?;
        step(db, writer, first.plan_id, "submit", None, before(prev))?;
        step(db, &county, first.plan_id, "quality_assure", Some("Godkänd. Tydliga aktiviteter och ansvar."), before(prev))?;
        step(db, &county, first.plan_id, "present", None, before(prev))?;
        step(db, &county, first.plan_id, "adopt", None, before(prev))?;
        let second = activity::start_on(db, writer, g.id, &now.to_string(), before(now))?;
        step(db, writer, second.plan_id, "submit", None, before(now))?;
        if n == 5 {
            continue; // submitted, never quality-assured
        }
        step(db, &county, second.plan_id, "comment", Some("Ange hur resultatet ska följas upp."), before(now))?;
        step(db, &county, second.plan_id, "quality_assure", None, before(now))?;
        step(db, &county, second.plan_id, "present", None, before(now))?;
        step(db, &county, second.plan_id, "adopt", None, before(now))?;
        // The next half-year: the police region's group has started its plan (for its convener
        // to submit); the prison and probation service's group has submitted it (for the county's
        // coordinators to quality-assure).
        if n == 0 || n == 1 {
            let third = activity::start_on(db, &convener, g.id, &next.to_string(), today)?;
            if n == 1 {
                step(db, &convener, third.plan_id, "submit", None, today)?;
            }
        }
    }

    // Participation in the county.
    let lst = org(db, LST)?;
    let programme_initiative = participation::of_programme(db, p.id)?;
    if let Some(pi) = programme_initiative {
        for code in ["1287", "1293", "1292"] {
            participation::set_participant(
                db,
                &county,
                pi,
                &ParticipantInput {
                    municipality_code: code.into(),
                    role: Some("Deltar via Skånes Kommuner".into()),
                    ..ParticipantInput::default()
                },
            )?;
        }
    }
    let skane: Vec<String> = db.scalars("SELECT code FROM municipalities WHERE county_code = '12' ORDER BY name", &[])?;
    for (title, kind, codes, role) in [
        (
            "EST-piloter i Skåne",
            "est_pilot",
            vec!["1287".to_owned(), "1293".into(), "1292".into(), "1280".into(), "1283".into()],
            "Pilotkommun",
        ),
        ("Kompetenscentrum mot våld i nära relationer", "competence_centre", skane.iter().take(19).cloned().collect(), "Ansluten kommun"),
        ("Överenskommelse med Kriscentrum Skåne", "agreement", skane.iter().skip(19).take(6).cloned().collect(), "Avtalspart"),
    ] {
        let i = participation::create(
            db,
            &county,
            &InitiativeInput {
                title: title.into(),
                kind: kind.into(),
                county_code: Some("12".into()),
                owner_org_id: Some(lst),
                starts_on: Some(format!("{}-01-01", year - 1)),
                ..InitiativeInput::default()
            },
        )?;
        for code in codes {
            participation::set_participant(
                db,
                &county,
                i.id,
                &ParticipantInput { municipality_code: code, role: Some(role.into()), ..ParticipantInput::default() },
            )?;
        }
    }
    Ok(())
}
