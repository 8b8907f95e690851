//! The demo's method library, idea bank and idea board (issue 16, items 3 and 4).
//!
//! - **Methods**, entered by the county coordinator at Länsstyrelsen Skåne, with honest EMMIE
//!   ratings and real sources (a web address only where it was checked): GVI (focused
//!   deterrence; moderate international evidence, the Swedish evaluations cannot isolate the
//!   effect), EST (process evaluations only: very weak evidence of effect), SSPF (no effect
//!   evaluation: Effect not rated), Mentors in Violence Prevention and ABC – Alla barn i centrum
//!   (parenting support, universal).
//! - **Good examples**: Sluta skjut in Malmö (GVI), the EST forum in Trelleborg, Nattvandrarna's
//!   Friday and Saturday walks (with an anonymised story told with recorded consent).
//! - **The idea board**: Nattvandrarna's "Fler vuxna ute under sommarlovet", with the
//!   municipality's interest (the association's users get the e-mail).
//! - Trelleborg's plan measure "Klottersanering inom 24 timmar kring Stortorget" — carried out
//!   through the EST forum's weekly action list — names the method EST, so the plan shows the
//!   rating. The demo plan is adopted before the library exists, so the link is written into
//!   that version directly, as if it had been chosen when the plan was drafted.
//!
//! Everything else goes through the store commands as the people who would do it.

use brygga_store::kernel::mail::Postmark;
use brygga_store::kernel::viewer::Via;
use brygga_store::knowledge::ideas::{self, ExampleInput, IdeaInput, InterestInput};
use brygga_store::knowledge::methods::{self, MethodInput, Source};
use brygga_store::{Conn, ConnExt, StoreResult, Viewer, args};

fn user(db: &mut dyn Conn, email: &str) -> StoreResult<Viewer> {
    let id: i64 = db.scalar("SELECT id FROM users WHERE email = $1", args![email])?;
    Viewer::for_user(db, id, Via::Web)
}

fn org(db: &mut dyn Conn, name: &str) -> StoreResult<i64> {
    Ok(db.scalar("SELECT id FROM organisations WHERE name = $1", args![name])?)
}

fn source(title: &str, publisher: &str, url: Option<&str>, swedish: bool) -> Source {
    Source { title: title.into(), publisher: Some(publisher.into()), url: url.map(Into::into), swedish }
}

fn library() -> Vec<MethodInput> {
    vec![
        MethodInput {
            name: "Group Violence Intervention (gruppvåldsintervention)".into(),
            short_name: "GVI".into(),
            description: "Fokuserad avskräckning mot de grupper som står för det grova våldet: polis, kommun, kriminalvård och lokalsamhälle ger ett gemensamt budskap – våldet måste upphöra, hela gruppen får konsekvenser – och erbjuder stöd till den som vill lämna.".into(),
            target_groups: vec!["unga_vuxna".into(), "riskgrupp".into()],
            prevention_level: Some("indicated".into()),
            effect_direction: Some("reduces".into()),
            effect_grade: Some(3),
            effect_text: Some("Systematiska översikter av fokuserad avskräckning visar en måttlig minskning av grovt våld. I Malmö har skjutningarna minskat sedan Sluta skjut infördes 2018, men utvärderingarna kan inte isolera strategins effekt.".into()),
            mechanism_grade: Some(3),
            mechanism_text: Some("Avskräckning genom kollektivt ansvar, legitimitet genom moralisk röst från lokalsamhället och en väg ut genom stöd.".into()),
            moderators_grade: Some(2),
            moderators_text: Some("Verkar bäst där våldet drivs av identifierbara grupper och myndigheterna kan följa upp budskapet.".into()),
            implementation_grade: Some(3),
            implementation_text: Some("Processutvärderingen i Malmö: strategin gick att anpassa till svenska förhållanden när alla delar genomfördes, inte bara några.".into()),
            economic_grade: Some(0),
            economic_text: Some("Inga kostnadsberäkningar i de svenska utvärderingarna.".into()),
            sources: vec![
                source(
                    "Focused deterrence strategies and crime control: An updated systematic review and meta-analysis of the empirical evidence (Braga, Weisburd & Turchan 2018)",
                    "Criminology & Public Policy",
                    None,
                    false,
                ),
                source(
                    "Utvärdering av Sluta skjut visar att modellen kan vara användbar i fler svenska städer (processutvärdering, Malmö universitet på uppdrag av Brå)",
                    "Brå",
                    Some("https://bra.se/om-bra/nytt-fran-bra/arkiv/press/2020-11-16-utvardering-av-sluta-skjut-visar-att-modellen-kan-vara-anvandbar-i-fler-svenska-stader.html"),
                    true,
                ),
                source(
                    "Uppföljning av Sluta skjut (effektutvärdering, Malmö universitet på uppdrag av Brå)",
                    "Brå",
                    Some("https://bra.se/om-bra/nytt-fran-bra/arkiv/nyheter/2023-05-30-uppfoljning-av-sluta-skjut.html"),
                    true,
                ),
            ],
        },
        MethodInput {
            name: "Effektiv samordning för trygghet".into(),
            short_name: "EST".into(),
            description: "Ett systematiskt arbetssätt för kommun, polis och fastighetsägare: en gemensam lägesbild varje vecka utifrån en checklista, snabba insatser där problem uppstår, kvartalsvis analys och årlig uppföljning.".into(),
            target_groups: vec!["unga".into(), "vuxna".into(), "naringsidkare".into()],
            prevention_level: Some("situational".into()),
            effect_direction: None,
            effect_grade: Some(1),
            effect_text: Some("Bara processutvärderingar: arbetssättet går att införa och ger bättre samordning, men någon effekt på brott eller otrygghet är inte visad.".into()),
            mechanism_grade: Some(2),
            mechanism_text: Some("Tidig upptäckt och snabba situationella åtgärder; bygger på kunskapsbaserad brottsprevention.".into()),
            implementation_grade: Some(3),
            implementation_text: Some("Fasta rutiner, dagordningar och checklistor; exempel från sju pilotkommuner visar olika organisationsmodeller.".into()),
            sources: vec![
                source(
                    "Effektiv samordning av brottsförebyggande och trygghetsskapande arbete i socialt utsatta områden – en processutvärdering av Brottsförebyggande rådets utvecklingsprojekt (Hallin 2018)",
                    "Malmö universitet på uppdrag av Brå",
                    None,
                    true,
                ),
                source(
                    "Att arbeta brottsförebyggande med Effektiv Samordning för Trygghet (EST) – En exempelsamling (Hallin 2019)",
                    "Malmö universitet, finansierad av Brå",
                    None,
                    true,
                ),
                source(
                    "Effektiv samordning för ökad trygghet (EST) – exempel",
                    "Socialstyrelsen",
                    Some("https://www.socialstyrelsen.se/kunskapsstod-och-regler/omraden/barn-och-unga/unga-som-begar-brott/exempel-brottsforebyggande-metoder/effektiv-samordning-for-okad-trygghet-est/"),
                    true,
                ),
            ],
            ..Default::default()
        },
        MethodInput {
            name: "Skola, socialtjänst, polis och fritid i samverkan".into(),
            short_name: "SSPF".into(),
            description: "Samverkan kring unga i riskzon för kriminalitet och missbruk: styrgrupp och arbetsgrupp från de fyra parterna, fast dagordning och gemensamma åtagandeplaner, med vårdnadshavarens samtycke till att sekretessen bryts.".into(),
            target_groups: vec!["unga".into(), "riskgrupp".into(), "foraldrar".into()],
            prevention_level: Some("selective".into()),
            implementation_grade: Some(2),
            implementation_text: Some("Samtycke från vårdnadshavare och en koordinator är bärande; modellen anpassas lokalt.".into()),
            sources: vec![source(
                "SSPF (skola socialtjänst polis fritid)",
                "Socialstyrelsen",
                Some("https://www.socialstyrelsen.se/kunskapsstod-och-regler/omraden/barn-och-unga/unga-som-begar-brott/exempel-brottsforebyggande-metoder/sspf-skola-socialtjanst-polis-fritid/"),
                true,
            )],
            ..Default::default()
        },
        MethodInput {
            name: "Mentors in Violence Prevention".into(),
            short_name: "MVP".into(),
            description: "Våldsförebyggande arbete i skolan där unga övar att agera som aktiva åskådare mot våld och kränkningar, med normkritiska diskussioner kring maskulinitet.".into(),
            target_groups: vec!["unga".into(), "yrkesverksamma".into()],
            prevention_level: Some("universal".into()),
            sources: vec![source("Mentors in Violence Prevention (MVP) – programbeskrivning", "Mentors in Violence Prevention", None, false)],
            ..Default::default()
        },
        MethodInput {
            name: "ABC – Alla barn i centrum".into(),
            short_name: "ABC".into(),
            description: "Universellt föräldrastöd i grupp för föräldrar till barn 3–12 år: fyra träffar om att stärka relationen och hantera konflikter.".into(),
            target_groups: vec!["foraldrar".into(), "barn".into()],
            prevention_level: Some("universal".into()),
            sources: vec![source("ABC – Alla barn i centrum", "Stockholms stad och Karolinska institutet", None, true)],
            ..Default::default()
        },
    ]
}

/// Writes the library, the idea bank, the board and the plan link. Idempotent: nothing happens
/// when the library already has GVI.
pub fn seed(db: &mut dyn Conn, post: &Postmark) -> StoreResult<()> {
    if methods::id_by_short_name(db, "GVI")?.is_some() {
        return Ok(());
    }
    let county = user(db, "lansamordnare@lansstyrelsen.example")?;
    let mut ids = Vec::new();
    for m in library() {
        ids.push((m.short_name.clone(), methods::create(db, &county, &m)?.id));
    }
    let id_of = |s: &str| ids.iter().find(|(n, _)| n == s).map(|x| x.1);
    let (gvi, est) = (id_of("GVI"), id_of("EST"));

    // The plan measure carried out through the EST forum's action list names EST.
    db.execute("UPDATE plan_measures SET method_id = $1 WHERE title = 'Klottersanering inom 24 timmar kring Stortorget'", args![est])?;

    // Good examples.
    let lst = org(db, "Länsstyrelsen Skåne")?;
    ideas::create_example(
        db,
        &county,
        &ExampleInput {
            title: "Sluta skjut – gruppvåldsintervention i Malmö".into(),
            method_id: gvi,
            owner_org_id: Some(lst),
            actors_text: Some("Malmö stad, Polismyndigheten och Kriminalvården, med Brå som stöd".into()),
            municipality_code: Some("1280".into()),
            what_done: "Sedan 2018 ger polis, kommun och kriminalvård tillsammans med lokalsamhället ett gemensamt budskap till de grupper som driver det grova våldet, vid möten och i enskilda samtal, och erbjuder stöd till den som vill lämna.".into(),
            results: Some("Antalet skjutningar har legat på en lägre nivå sedan 2018, och en lägre andel har lett till skadade eller döda.".into()),
            evidence: Some("Process- och effektutvärdering av Malmö universitet på uppdrag av Brå; effekten av just Sluta skjut kan inte isoleras från andra faktorer.".into()),
            contact: Some("Brottsförebyggande rådet (Brå)".into()),
            status: Some("published".into()),
            ..Default::default()
        },
    )?;
    let kommun_user = user(db, "samordnare@trelleborg.example")?;
    let (kommun, polisen, hem) =
        (org(db, "Trelleborgs kommun")?, org(db, "Polisen, lokalpolisområde Trelleborg")?, org(db, "AB Trelleborgshem")?);
    ideas::create_example(
        db,
        &kommun_user,
        &ExampleInput {
            title: "EST-forum i Trelleborg: en gemensam lägesbild varje vecka".into(),
            method_id: est,
            owner_org_id: Some(kommun),
            actor_org_ids: vec![polisen, hem],
            municipality_code: Some("1287".into()),
            what_done: "Kommunen, polisen och bostadsbolaget rapporterar varje vecka vad de sett i centrum och bostadsområdena. På tisdagsmötet beslutas åtgärder – klottersanering, belysning, vuxennärvaro – som följs upp veckan efter.".into(),
            results: Some("Klotter saneras nu inom ett dygn kring Stortorget, och åtgärderna följs upp i samma möte.".into()),
            evidence: Some("Veckorapporterna i Brygga jämförda kvartal för kvartal; ingen effektutvärdering.".into()),
            contact: Some("Trelleborgs kommun, brottsforebyggande samordnare".into()),
            status: Some("published".into()),
            ..Default::default()
        },
    )?;
    let walker = user(db, "nattvandrare@nattvandrarna.example")?;
    let nattvandrarna = org(db, "Nattvandrarna i Trelleborg")?;
    ideas::create_example(
        db,
        &walker,
        &ExampleInput {
            title: "Vuxna på stan: nattvandring fredag och lördag vid Stortorget".into(),
            owner_org_id: Some(nattvandrarna),
            actor_org_ids: vec![kommun],
            actors_text: Some("Föräldrar från tre skolor".into()),
            municipality_code: Some("1287".into()),
            what_done: "Grupper om tre vuxna går fredag och lördag kväll i centrum, pratar med unga och rapporterar vad de ser till EST-forumet.".into(),
            results: Some("Vandrarna är ett känt inslag på Stortorget; färre larm om bråk under vandringskvällarna.".into()),
            evidence: Some("Vandrarnas egna rapporter och forumets veckorapporter.".into()),
            contact: Some("Nattvandrarna i Trelleborg, info@nattvandrarna.example".into()),
            story: Some("En kille i nionde klass som ofta var ute sent sa att han började gå hem tidigare när han märkte att de vuxna kände igen honom. Efter några veckor följde han med till fritidsgårdens fotbollskväll i stället.".into()),
            story_consent: true,
            status: Some("published".into()),
            ..Default::default()
        },
    )?;

    // The idea board.
    let idea = ideas::create_idea(
        db,
        &walker,
        &IdeaInput {
            title: "Fler vuxna ute under sommarlovet".into(),
            needs: "Vi behöver fler vuxna som kan gå kvällstid i juli, och en lokal att samlas i före och efter vandringen.".into(),
            owner_org_id: Some(nattvandrarna),
            municipality_code: Some("1287".into()),
            area: Some("Centrum och Västra Sorgenfri".into()),
            ..Default::default()
        },
    )?;
    ideas::register_interest(
        db,
        &kommun_user,
        post,
        idea.id,
        &InterestInput {
            org_id: Some(kommun),
            message: "Fritidsgården i centrum kan hålla öppet som samlingsplats fredagar och lördagar i juli.".into(),
        },
    )?;
    Ok(())
}
