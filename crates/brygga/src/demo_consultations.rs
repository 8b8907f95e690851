//! Demo consultations (issue 16, items 1 and 2): the police's consultation with civil society
//! (seed 001, held 28 January 2025; here a few days before the demo's today, still open for
//! input so the association can give its own in the tour) with its two discussions, invitations
//! to the demo's associations and a dozen items of input drawn from the documentation — some
//! anonymous, some given as material for Trelleborg's lägesbild; and Brå's GVI dialogue with
//! civil society (seed 000), two round-table questions, closed, with its input.

use brygga_store::dialogue::consultations::consultation::{self, ConsultationInput};
use brygga_store::dialogue::consultations::input::{self, InputForm};
use brygga_store::kernel::mail::Postmark;
use brygga_store::{Conn, ConnExt, StoreResult, Via, Viewer, args};
use jiff::civil::Date;

/// The police organisation that organises both consultations.
pub const POLICE: &str = "Polisen, lokalpolisområde Trelleborg";
/// Its coordinator, who creates them.
pub const ORGANISER: &str = "kommunpolis@polisen.example";
/// The police consultation's title.
pub const POLICE_TITLE: &str = "Samråd med civilsamhället: rekrytering av barn och unga till kriminella nätverk";
/// The GVI dialogue's title.
pub const GVI_TITLE: &str = "Dialogmöte om GVI och civilsamhällets roll";

/// What the lead's demo needs to add themes and dispositions.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// The police consultation (open).
    pub consultation_id: i64,
    /// Its items of input, in the order given.
    pub input_ids: Vec<i64>,
    /// The GVI dialogue (closed).
    pub gvi_id: i64,
    pub gvi_input_ids: Vec<i64>,
}

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Option<Viewer>> {
    let Some(id) = db.scalar_opt::<i64>("SELECT id FROM users WHERE email = $1", args![email])? else { return Ok(None) };
    Ok(Some(Viewer::for_user(db, id, Via::Web)?))
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn day(d: Date, n: i64) -> String {
    d.checked_add(jiff::Span::new().days(n)).expect("in range").to_string()
}

fn at(d: Date, n: i64, time: &str) -> String {
    format!("{} {time}", day(d, n))
}

/// (giver's e-mail, question number (0: general), attribution, lägesbild material, text).
type Item = (&'static str, usize, &'static str, bool, &'static str);

const POLICE_ITEMS: &[Item] = &[
    (
        "nattvandrare@nattvandrarna.example",
        1,
        "named",
        true,
        "Vi har länge sett hur unga kontaktas via spelplattformar och sociala medier för att utföra enstaka brott. Många berättar inte om det av rädsla för att förlora sin enda sociala kontakt.",
    ),
    (
        "ungdom@iksoderslatt.example",
        1,
        "anonymous",
        true,
        "Idrottsanläggningarna används även utanför träningstid som samlingsplats för äldre med kopplingar till kriminella nätverk. Det gör idrottsmiljön till en arena för rekrytering.",
    ),
    (
        "ledare@missionsforsamlingen.example",
        1,
        "anonymous",
        true,
        "Flickor syns allt oftare i de grupper vi möter på kvällarna, en större andel än för några år sedan. De behöver riktade insatser.",
    ),
    (
        "ledare@framsteg.example",
        1,
        "named",
        true,
        "I läxhjälpen ser vi att det viktigaste ofta är att bli sedd och lyssnad på, mer än själva studiestödet. Skolfrånvaron bland barn med NPF ökar och gör det förebyggande arbetet svårare.",
    ),
    (
        "ledare@hassleholmsif.example",
        1,
        "named",
        false,
        "Det är svårt för en förening att veta vart man ska vända sig med tips. Processen behöver bli enklare och ha lokal förankring.",
    ),
    (
        "nattvandrare@nattvandrarna.example",
        2,
        "named",
        false,
        "Var närvarande i föreningarnas verksamheter på målgruppens villkor, gärna samma poliser över tid så att relationer hinner byggas.",
    ),
    (
        "ledare@hassleholmsif.example",
        2,
        "anonymous",
        false,
        "Ge stöd till ideella ledare i att känna igen riskfaktorer, och i hur misstankar mot en ledare ska hanteras utan att oskyldiga misstänkliggörs.",
    ),
    (
        "ledare@framsteg.example",
        2,
        "named",
        false,
        "Var tydliga med lokala lägesbilder och med var ni vill att civilsamhället ska bidra, så att vi kan rikta våra resurser rätt.",
    ),
    (
        "ungdom@iksoderslatt.example",
        3,
        "named",
        false,
        "Vi kan förmedla information till föräldrar och ledare, men det kräver resurser: civilsamhället är ingen kostnadsfri lösning.",
    ),
    (
        "ledare@missionsforsamlingen.example",
        3,
        "named",
        false,
        "Vi möter unga tidigt genom läger och mötesplatser och kan slussa vidare till rätt stöd när vi ser oro.",
    ),
    (
        "nattvandrare@nattvandrarna.example",
        4,
        "anonymous",
        true,
        "Gemensamma kvällsvandringar kring stationen och idrottsplatsen på fredagar, där polis och vuxna från föreningar syns tillsammans.",
    ),
    (
        "ledare@hassleholmsif.example",
        4,
        "named",
        false,
        "Ett gemensamt gängsnack för föräldrar till barn med intellektuell funktionsnedsättning, anpassat i språk och form.",
    ),
];

const GVI_ITEMS: &[Item] = &[
    (
        "nattvandrare@nattvandrarna.example",
        1,
        "named",
        false,
        "Det behövs en gemensam tro på metoden och en uppföljning som visar vad arbetet ger, annars sprids misstro.",
    ),
    (
        "ungdom@iksoderslatt.example",
        1,
        "anonymous",
        false,
        "Vi känner oro för att arbeta aktivt med en målgrupp med så stort våldskapital utan stöd från det offentliga.",
    ),
    (
        "ledare@missionsforsamlingen.example",
        2,
        "named",
        false,
        "Många av oss arbetar redan med målgruppen genom läger och mötesplatser; samarbetet mellan organisationerna kan stärkas.",
    ),
    (
        "ledare@framsteg.example",
        2,
        "named",
        false,
        "Inkludera civilsamhället när strategier och planer tas fram, inte bara när de ska genomföras.",
    ),
];

const INVITED: &[&str] = &[
    "Hässleholms IF Fotboll",
    "IK Söderslätt Fotboll",
    "Nattvandrarna i Trelleborg",
    "Studieförbundet Framsteg Nordöstra Skåne",
    "Hässleholms missionsförsamling",
    "Föreningen Trygga Hässleholm",
];

/// The demo's postmark (as the other demo seeds use).
pub fn post() -> Postmark {
    Postmark::new("brygga.example", "http://127.0.0.1:8080")
}

/// Gives `items` to consultation `id` as their givers at `now` (those whose accounts exist).
fn give_all(db: &mut dyn Conn, id: i64, questions: &[i64], items: &[Item], now: i64) -> StoreResult<Vec<i64>> {
    let mut out = Vec::new();
    for (n, (email, q, attribution, material, text)) in items.iter().enumerate() {
        let Some(v) = user(db, email)? else { continue };
        let f = InputForm {
            question_id: if *q == 0 { None } else { questions.get(q - 1).copied() },
            org_id: None,
            stage: Some(if n % 3 == 0 { "before" } else { "during" }.into()),
            attribution: Some((*attribution).into()),
            situation_material: *material,
            text: (*text).into(),
        };
        out.push(input::give(db, &v, id, &f, now + n as i64 * 60_000)?.id);
    }
    Ok(out)
}

/// Seeds both consultations as of `today` (once: nothing when the police consultation exists).
pub fn seed(db: &mut dyn Conn, today: Date, post: &Postmark) -> StoreResult<Seeded> {
    let Some(police) = user(db, ORGANISER)? else { return Ok(Seeded::default()) };
    if db.scalar_opt::<i64>("SELECT id FROM consultations WHERE title = $1", args![POLICE_TITLE])?.is_some() {
        return Ok(Seeded::default());
    }
    let mut invited = Vec::new();
    for name in INVITED {
        invited.extend(org(db, name)?);
    }
    let now = brygga_store::now_ms();

    // The police consultation: held three days ago at 17:00, input open two more weeks.
    let input = ConsultationInput {
        title: POLICE_TITLE.into(),
        kind: "dialogue_meeting".into(),
        purpose: Some(
            "Att ta del av civilsamhällets erfarenheter och kunskaper om hur barn och unga rekryteras till kriminella nätverk, som medskick till polisens lägesbild, och att diskutera vad polisen och civilsamhället kan göra var för sig och tillsammans."
                .into(),
        ),
        municipality_code: Some("1287".into()),
        meets_at: Some(at(today, -3, "17:00")),
        meets_until: Some(at(today, -3, "20:00")),
        place: Some("Föreningarnas hus, Trelleborg".into()),
        digital_link: Some("https://mote.example/samrad-polisen".into()),
        arrangements: Some("Enkel middag från 16.30. Lokalen är tillgänglig med rullstol. Tolk kan ordnas vid anmälan.".into()),
        registration_closes_at: Some(at(today, -7, "23:59")),
        input_closes_at: Some(at(today, 14, "23:59")),
        questions: vec![
            "Diskussion 1: Medskick till polisens lägesbild".into(),
            "Diskussion 2: Vad kan polisen göra för att underlätta och främja civilsamhällets insatser på området?".into(),
            "Diskussion 2: Vad kan civilsamhället göra för att underlätta och främja myndighetens arbete på området?".into(),
            "Diskussion 2: Vilka insatser görs bäst tillsammans? Hur och varför?".into(),
        ],
        lead_org_id: org(db, POLICE)?,
        co_organiser_org_ids: Vec::new(),
    };
    let c = consultation::create(db, &police, &input)?;
    consultation::invite(db, &police, c.id, &invited, post)?;
    consultation::set_status(db, &police, c.id, "open")?;
    for name in ["Hässleholms IF Fotboll", "Nattvandrarna i Trelleborg"] {
        if let (Some(o), Some(v)) = (
            org(db, name)?,
            user(db, if name.starts_with("Häss") { "ledare@hassleholmsif.example" } else { "nattvandrare@nattvandrarna.example" })?,
        ) {
            consultation::respond(db, &v, c.id, o, true)?;
        }
    }
    let questions: Vec<i64> = c.questions.iter().map(|q| q.id).collect();
    let input_ids = give_all(db, c.id, &questions, POLICE_ITEMS, now - 3 * 86_400_000)?;

    // The GVI dialogue: two months ago, round tables, closed.
    let gvi = ConsultationInput {
        title: GVI_TITLE.into(),
        kind: "round_table".into(),
        purpose: Some("Att samtala om hur civilsamhället kan inkluderas i arbetet med gruppvåldsintervention (GVI).".into()),
        municipality_code: None,
        meets_at: Some(at(today, -60, "09:30")),
        meets_until: Some(at(today, -60, "15:00")),
        place: Some("Länsstyrelsen, Malmö".into()),
        digital_link: None,
        arrangements: Some(
            "Två rundabordssamtal med paus emellan. Varje grupp har minst en företrädare för det offentliga som lyssnar.".into(),
        ),
        registration_closes_at: None,
        input_closes_at: Some(at(today, -46, "23:59")),
        questions: vec![
            "Rundabordssamtal 1: Vilka förutsättningar behövs för att civilsamhället ska kunna inkluderas i GVI-arbetet?".into(),
            "Rundabordssamtal 2: Vad kan civilsamhället göra i relation till GVI-strategin?".into(),
        ],
        lead_org_id: org(db, POLICE)?,
        co_organiser_org_ids: Vec::new(),
    };
    let g = consultation::create(db, &police, &gvi)?;
    consultation::invite(db, &police, g.id, &invited, post)?;
    consultation::set_status(db, &police, g.id, "open")?;
    let questions: Vec<i64> = g.questions.iter().map(|q| q.id).collect();
    let gvi_input_ids = give_all(db, g.id, &questions, GVI_ITEMS, now - 60 * 86_400_000)?;
    consultation::set_status(db, &police, g.id, "closed")?;
    Ok(Seeded { consultation_id: c.id, input_ids, gvi_id: g.id, gvi_input_ids })
}

/// Concludes what the demo needs concluded, as the police's organiser would: the GVI dialogue
/// themed (Brygga's suggestion, confirmed), every item given a disposition, and its
/// documentation published; the police consultation themed by suggestion (not yet confirmed)
/// with three dispositions — one linked to a measure of Trelleborg's plan — and left
/// unpublished, so a visitor can confirm, dispose and publish it.
pub fn conclude(db: &mut dyn Conn, seeded: &Seeded, post: &Postmark) -> StoreResult<()> {
    use brygga_store::dialogue::consultations::compiled::{self, PublishInput};
    use brygga_store::dialogue::consultations::dispositions::{self, DispositionInput};
    use brygga_store::dialogue::consultations::themes;
    let Some(police) = user(db, ORGANISER)? else { return Ok(()) };
    if seeded.gvi_id == 0 {
        return Ok(());
    }
    let dispose = |db: &mut dyn Conn, item: i64, outcome: &str, reason: &str, links: Vec<String>| -> StoreResult<()> {
        let input = DispositionInput { outcome: Some(outcome.into()), reason: Some(reason.into()), links };
        dispositions::set(db, &police, post, item, &input).map(|_| ())
    };
    themes::adopt_suggestion(db, &police, seeded.gvi_id)?;
    db.execute("UPDATE consultation_themes SET confirmed = $1 WHERE consultation_id = $2", args![true, seeded.gvi_id])?;
    for (n, item) in seeded.gvi_input_ids.iter().enumerate() {
        let (outcome, reason) = match n % 3 {
            0 => ("adopted", "Tas med i Brås stöd till kommunerna: civilsamhället bjuds in redan när GVI-strategin planeras lokalt."),
            1 => (
                "partly",
                "Uppföljningen av GVI redovisas öppet varje halvår; finansiering av föreningarnas arbete kan polisen inte besluta om.",
            ),
            _ => ("for_information", "Tas med som bakgrund till nästa dialogmöte."),
        };
        dispose(db, *item, outcome, reason, vec![])?;
    }
    let note = PublishInput { note: Some("Dokumentationen från rundabordssamtalen, med besked om varje medskick.".into()) };
    compiled::publish(db, &police, post, seeded.gvi_id, &note)?;

    themes::adopt_suggestion(db, &police, seeded.consultation_id)?;
    let choices = dispositions::link_choices(db, &police, seeded.consultation_id)?;
    let measure: Vec<String> = choices.iter().filter(|c| c.value.starts_with("measure:")).take(1).map(|c| c.value.clone()).collect();
    let situation: Vec<String> = choices.iter().filter(|c| c.value.starts_with("situation:")).take(1).map(|c| c.value.clone()).collect();
    if let [first, second, third, ..] = seeded.input_ids[..] {
        dispose(db, first, "adopted", "Tas in i lägesbilden och följs upp i insatsen i Trelleborgs åtgärdsplan.", measure)?;
        dispose(db, second, "partly", "Beskrivs i lägesbilden; en egen insats prövas vid nästa revidering.", situation)?;
        dispose(db, third, "for_information", "Tas med som bakgrund i den nationella dialogen.", vec![])?;
    }
    Ok(())
}
