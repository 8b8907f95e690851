//! The audit log (logg): the whole log for system administrators, one organisation's for its
//! administrators. Filters by kind of event and by date (Swedish local dates), pages with
//! `fore` (entries before an id), and exports the same selection as CSV, itself logged.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::kernel::audit::{self, Entry, Event, Filter};
use brygga_store::{Action, Viewer, kernel::access};
use jiff::civil::Date;
use serde::Deserialize;

use crate::AppState;
use crate::kit::auth::SignedIn;
use crate::kit::error::{AppError, PageResult};
use crate::kit::i18n::filters;
use crate::kit::page::{Chrome, Flash, FormView};

pub fn routes() -> Router<AppState> {
    Router::new().route("/logg", get(list)).route("/logg.csv", get(export_csv))
}

const PAGE_SIZE: usize = 100;
const EXPORT_PAGE_SIZE: usize = 5_000;

/// The families of events a viewer can filter by: the action prefix and its Swedish name.
const FAMILIES: &[(&str, &str)] = &[
    ("login", "Inloggningar"),
    ("logout", "Utloggningar"),
    ("organisation", "Organisationer"),
    ("contact_person", "Kontaktpersoner"),
    ("user", "Konton"),
    ("membership", "Medlemskap och roller"),
    ("forum", "Forum"),
    ("situation", "Lägesbilder och problembilder"),
    ("token", "API-nycklar"),
    ("police_area", "Polisområden"),
    ("audit", "Loggen"),
];

/// A Swedish name for an action code; unknown codes are shown as they are.
pub fn action_label(code: &str) -> &str {
    match code {
        "login" => "Inloggning",
        "login.failed" => "Misslyckad inloggning",
        "login.blocked" => "Inloggning spärrad efter för många försök",
        "logout" => "Utloggning",
        "organisation.create" => "Organisation registrerad",
        "organisation.update" => "Organisation ändrad",
        "organisation.delete" => "Organisation borttagen",
        "organisation.export" => "Organisationer exporterade",
        "contact_person.create" => "Kontaktperson tillagd",
        "contact_person.update" => "Kontaktperson ändrad",
        "contact_person.delete" => "Kontaktperson borttagen",
        "user.create" => "Konto skapat",
        "user.password" => "Lösenord bytt",
        "user.erase" => "Konto raderat",
        "user.export" => "Personuppgifter hämtade",
        "membership.create" => "Lagd till i organisation",
        "membership.update" => "Roll ändrad",
        "membership.delete" => "Borttagen ur organisation",
        "forum.create" => "Forum skapat",
        "forum.update" => "Forum ändrat",
        "forum.leave" => "Organisation lämnade forum",
        "forum.delete" => "Forum stängt",
        "token.create" => "API-nyckel skapad",
        "token.revoke" => "API-nyckel återkallad",
        "police_area.create" => "Polisområde skapat",
        "police_area.update" => "Polisområde ändrat",
        "police_area.delete" => "Polisområde borttaget",
        "audit.export" => "Loggen exporterad",
        "organisation.claim" => "Anspråk på kommun gjort",
        "organisation.claim_approve" => "Anspråk på kommun godkänt",
        "organisation.claim_reject" => "Anspråk på kommun avslaget",
        "area.create" => "Plats skapad",
        "area.update" => "Plats ändrad",
        "area.delete" => "Plats borttagen",
        "area.archive" => "Plats arkiverad",
        "observation.read" => "Delade rapporter lästa",
        "picture.read" => "Lägesbild läst",
        "picture.drilldown" => "Rapporter i lägesbilden lästa",
        "picture.export" => "Lägesbild exporterad",
        "action.export" => "Åtgärdslista exporterad",
        "meeting.minutes" => "Mötesprotokoll läst",
        "share_link.open" => "Delad länk öppnad",
        "situation.create" => "Lägesbild eller problembild påbörjad",
        "situation.edit" => "Lägesbildens text ändrad",
        "situation.source.add" => "Källa lagd till i lägesbild",
        "situation.source.edit" => "Källa i lägesbild ändrad",
        "situation.source.remove" => "Källa i lägesbild borttagen",
        "situation.problem.add" => "Problem lagt till i lägesbild",
        "situation.problem.edit" => "Problem i lägesbild ändrat",
        "situation.problem.remove" => "Problem i lägesbild borttaget",
        "situation.evidence.add" => "Underlag kopplat till problem",
        "situation.evidence.remove" => "Underlag borttaget från problem",
        "situation.cause.add" => "Orsak lagd till",
        "situation.cause.edit" => "Orsak ändrad",
        "situation.cause.remove" => "Orsak borttagen",
        "situation.adopt" => "Lägesbild antagen",
        "situation.new_version" => "Ny version av lägesbild påbörjad",
        "situation.share" => "Lägesbildens delning ändrad",
        "situation.read" => "Delad lägesbild läst",
        "plan.read" => "Delad åtgärdsplan läst",
        "plan.create" => "Åtgärdsplan påbörjad",
        "plan.update" => "Åtgärdsplanens uppgifter ändrade",
        "plan.adopt" => "Åtgärdsplan antagen",
        "plan.new_version" => "Ny version av åtgärdsplan påbörjad",
        "plan.share" => "Åtgärdsplanens delning ändrad",
        "plan.import" => "Åtgärdsplan importerad",
        "plan.party_add" => "Part lagd till i åtgärdsplan",
        "plan.party_remove" => "Part borttagen ur åtgärdsplan",
        "plan.goal_create" => "Mål lagt till",
        "plan.goal_update" => "Mål ändrat",
        "plan.goal_delete" => "Mål borttaget",
        "plan.indicator_create" => "Indikator lagd till",
        "plan.indicator_update" => "Indikator ändrad",
        "plan.indicator_delete" => "Indikator borttagen",
        "plan.measure_create" => "Insats lagd till",
        "plan.measure_update" => "Insats ändrad",
        "plan.measure_delete" => "Insats borttagen",
        "plan.measure_status" => "Insatsens status ändrad",
        "plan.measure_action_link" => "Åtgärd kopplad till insats",
        "plan.measure_action_unlink" => "Åtgärd bortkopplad från insats",
        "plan.value.enter" => "Indikatorvärde infört",
        "plan.value.remove" => "Indikatorvärde borttaget",
        "plan.deviation.record" => "Avvikelse dokumenterad",
        "plan.deviation.edit" => "Avvikelse ändrad",
        "plan.deviation.remove" => "Avvikelse borttagen",
        "programme.create" => "Program skapat",
        "programme.update" => "Programmets uppgifter ändrade",
        "programme.import" => "Program importerat",
        "programme.signatory_set" => "Undertecknare av programförklaringen sparad",
        "programme.signatory_remove" => "Undertecknare borttagen ur programförklaringen",
        "programme.group_create" => "Utvecklingsområde och arbetsgrupp skapade",
        "programme.group_update" => "Arbetsgrupp ändrad",
        "programme.member_add" => "Medlem lagd till i arbetsgrupp",
        "programme.member_update" => "Arbetsgruppsmedlems mandat eller arbetstid ändrad",
        "programme.member_remove" => "Medlem borttagen ur arbetsgrupp",
        "programme.plan_start" => "Aktivitetsplan påbörjad",
        "programme.plan_submit" => "Aktivitetsplan inlämnad",
        "programme.plan_comment" => "Aktivitetsplan kommenterad",
        "programme.plan_quality_assure" => "Aktivitetsplan kvalitetssäkrad",
        "programme.plan_return" => "Aktivitetsplan skickad tillbaka till utkast",
        "programme.plan_present" => "Aktivitetsplan presenterad för styrgruppen",
        "programme.plan_adopt" => "Aktivitetsplan fastställd",
        "programme.contribution_set" => "Bidrag till aktivitet sparat",
        "initiative.create" => "Initiativ skapat",
        "initiative.participant_set" => "Kommuns deltagande i initiativ sparat",
        "initiative.participant_remove" => "Kommun borttagen ur initiativ",
        "agreement.create" => "Överenskommelse skapad",
        "agreement.update" => "Överenskommelse ändrad",
        "agreement.party_add" => "Part tillagd i överenskommelse",
        "agreement.party_remove" => "Part borttagen ur överenskommelse",
        "agreement.sign" => "Underskrifter registrerade",
        "agreement.conclude" => "Överenskommelse fastställd",
        "agreement.share" => "Överenskommelsens delning ändrad",
        "agreement.document" => "Undertecknat dokument bifogat",
        "agreement.import" => "Överenskommelse inläst",
        "agreement.read" => "Överenskommelse läst av annan organisation",
        "agreement.document_read" => "Undertecknat dokument hämtat av annan organisation",
        "assessment.start" => "Kvalitetsbedömning påbörjad",
        "assessment.score" => "Kvalitetsbedömning ändrad",
        "assessment.snapshot" => "Mätning av kvalitetsbedömning tagen",
        "checklist.create" => "Checklista skapad",
        "checklist.update" => "Checklista ändrad",
        "contact_role.create" => "Roll för kontaktpersoner tillagd",
        "counterparts.update" => "Kommunens motparter ändrade",
        "counterparts.import" => "Motparter inlästa från CSV",
        "guide.save" => "Guiden Vart vänder jag mig sparad",
        "guide.entry.create" => "Rad i guiden tillagd",
        "guide.entry.update" => "Rad i guiden ändrad",
        "guide.entry.delete" => "Rad i guiden borttagen",
        "steering.member_set" => "Styrgruppsledamot lagd till eller ändrad",
        "steering.member_remove" => "Styrgruppsledamot borttagen",
        "steering.meeting_create" => "Styrgruppsmöte planerat",
        "steering.meeting_update" => "Styrgruppsmöte ändrat",
        "steering.meeting_delete" => "Styrgruppsmöte borttaget",
        "steering.agenda_refresh" => "Dagordning uppdaterad från läget",
        "steering.agenda_change" => "Dagordning ändrad",
        "steering.decision_log" => "Styrgruppsbeslut protokollfört",
        "steering.decision_follow_up" => "Styrgruppsbeslut följt upp",
        "steering.decision_remove" => "Styrgruppsbeslut borttaget",
        "deliverable.create" => "Leverans lagd till",
        "deliverable.update" => "Leverans ändrad",
        "deliverable.remove" => "Leverans borttagen",
        "deliverable.distribute" => "Spridning av leverans införd",
        "deliverable.distribution_remove" => "Spridning av leverans borttagen",
        // Actors: interventions and networks.
        "intervention.create" => "Insats registrerad",
        "intervention.update" => "Insats ändrad",
        "intervention.delete" => "Insats borttagen",
        "network.create" => "Nätverk skapat",
        "network.update" => "Nätverk ändrat",
        "network.member_add" => "Medlem lagd till i nätverk",
        "network.member_remove" => "Medlem borttagen ur nätverk",
        "directory.profile_update" => "Katalogprofil ändrad",
        "offer.create" => "Erbjudande i katalogen skapat",
        "offer.update" => "Erbjudande i katalogen ändrat",
        "offer.publish" => "Erbjudande publicerat i katalogen",
        "offer.unpublish" => "Erbjudande avpublicerat i katalogen",
        "offer.verify" => "Erbjudande markerat som kontrollerat",
        "offer.delete" => "Erbjudande i katalogen borttaget",
        "consultation.theme_suggest" => "Samrådets temaförslag använt",
        "consultation.theme_create" => "Tema i samråd skapat",
        "consultation.theme_update" => "Tema i samråd ändrat",
        "consultation.theme_merge" => "Teman i samråd sammanslagna",
        "consultation.theme_delete" => "Tema i samråd borttaget",
        "consultation.theme_assign" => "Medskick flyttat till tema",
        "consultation.dispose" => "Besked om medskick",
        "consultation.publish" => "Samrådsdokumentation publicerad",
        "consultation.create" => "Samråd skapat",
        "consultation.update" => "Samråd ändrat",
        "consultation.open" => "Samråd öppnat",
        "consultation.close" => "Samråd avslutat",
        "consultation.invite" => "Organisationer inbjudna till samråd",
        "consultation.respond" => "Inbjudan till samråd besvarad",
        "consultation.register" => "Anmälan till samråd",
        "consultation.cancel_registration" => "Anmälan till samråd avbokad",
        "consultation.input.create" => "Medskick lämnat",
        "consultation.input.update" => "Medskick ändrat",
        "consultation.input.withdraw" => "Medskick tillbakadraget",
        // Knowledge (issue 16).
        "method.create" => "Metod lagd till i metodbiblioteket",
        "method.update" => "Metod i metodbiblioteket ändrad",
        "method.delete" => "Metod borttagen ur metodbiblioteket",
        "good_example.create" => "Gott exempel skapat",
        "good_example.update" => "Gott exempel ändrat",
        "good_example.delete" => "Gott exempel borttaget",
        "board_idea.create" => "Idé satt upp på idétavlan",
        "board_idea.update" => "Idé på idétavlan ändrad",
        "board_idea.interest" => "Intresse anmält för idé",
        "newsletter.list_create" => "Lista för nyhetsbrev skapad",
        "newsletter.subscribe" => "Prenumeration på nyhetsbrev",
        "newsletter.subscribe_requested" => "Prenumeration på nyhetsbrev begärd",
        "newsletter.confirm" => "Prenumeration på nyhetsbrev bekräftad",
        "newsletter.unsubscribe" => "Avregistrering från nyhetsbrev",
        "newsletter.issue_create" => "Utskick av nyhetsbrev skrivet",
        "newsletter.issue_send" => "Nyhetsbrev skickat",
        // Dialogue: training and events.
        "course.create" => "Utbildning lagd till i katalogen",
        "course_track.create" => "Utbildningsspår skapat",
        "event.create" => "Evenemang skapat",
        "event.update" => "Evenemang ändrat",
        "event.register" => "Anmälan till evenemang",
        "event.cancel_registration" => "Anmälan till evenemang avbokad",
        "event.attendance" => "Närvaro markerad",
        "event.survey_define" => "Enkät efter evenemang skriven",
        "event.survey_send" => "Enkät efter evenemang skickad",
        other => other,
    }
}

fn record_label(kind: &str) -> &str {
    match kind {
        "organisation" => "Organisation",
        "contact_person" => "Kontaktperson",
        "user" => "Konto",
        "forum" => "Forum",
        "api_token" => "API-nyckel",
        "police_area" => "Polisområde",
        "area" => "Plats",
        "meeting" => "Möte",
        "share_link" => "Delad länk",
        "situation" => "Lägesbild eller problembild",
        "consultation" => "Samråd",
        "consultation_input" => "Medskick",
        "plan" => "Åtgärdsplan",
        "agreement" => "Överenskommelse",
        "assessment" => "Kvalitetsbedömning",
        "assessment_snapshot" => "Mätning",
        "checklist" => "Checklista",
        "steering_meeting" => "Styrgruppsmöte",
        "deliverable" => "Leverans",
        "intervention" => "Insats",
        "network" => "Nätverk",
        "offer" => "Erbjudande",
        "method" => "Metod",
        "good_example" => "Gott exempel",
        "board_idea" => "Idé på idétavlan",
        "newsletter_list" => "Lista för nyhetsbrev",
        "course" => "Utbildning",
        "course_track" => "Utbildningsspår",
        "event" => "Evenemang",
        other => other,
    }
}

fn via_label(via: &str) -> &str {
    match via {
        "web" => "Webb",
        "api" => "API",
        "cli" => "Kommandorad",
        "system" => "Systemet",
        other => other,
    }
}

/// A link to the record, where it has a page.
fn record_href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "organisation" => Some(format!("/organisationer/{id}")),
        "user" => Some(format!("/anvandare/{id}")),
        "forum" => Some(format!("/forum/{id}")),
        "agreement" => Some(format!("/overenskommelser/{id}")),
        "offer" => Some(format!("/katalog/erbjudanden/{id}")),
        _ => None,
    }
}

/// A Swedish local date (`2026-11-22`) as milliseconds at local midnight, Europe/Stockholm;
/// `next_day` gives the following midnight (the end of the day, exclusive).
fn local_midnight_ms(date: Date, next_day: bool) -> Option<i64> {
    let d = if next_day { date.tomorrow().ok()? } else { date };
    d.to_zoned(brygga_domain::time::stockholm()).ok().map(|z| z.timestamp().as_millisecond())
}

#[derive(Deserialize, Default, Clone)]
pub struct LogQuery {
    org: Option<String>,
    typ: Option<String>,
    fran: Option<String>,
    till: Option<String>,
    fore: Option<String>,
}

/// The organisations whose log the viewer may read (all, for a system administrator: `None`).
fn readable_orgs(v: &Viewer) -> Option<Vec<(i64, String)>> {
    if v.is_system_admin() {
        return None;
    }
    Some(
        v.memberships()
            .iter()
            .filter(|m| access::allowed(v, Action::ReadAudit { org: Some(m.org_id) }))
            .map(|m| (m.org_id, m.org_name.clone()))
            .collect(),
    )
}

impl LogQuery {
    fn text(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or("")
    }

    /// The store filter, or what is wrong with the query (as field errors for the filter form).
    fn filter(&self, v: &Viewer, limit: usize) -> Result<Filter, FieldErrors> {
        let mut errs = FieldErrors::new();
        let org_text = Self::text(&self.org);
        let org_id = match (org_text.parse::<i64>(), readable_orgs(v)) {
            (Ok(id), _) => Some(id),
            (Err(_), _) if !org_text.is_empty() => {
                errs.push(FieldError::new("org", "invalid", "Välj en organisation i listan."));
                None
            }
            // An organisation administrator reads one organisation's log: the first, unless chosen.
            (Err(_), Some(orgs)) => orgs.first().map(|o| o.0),
            (Err(_), None) => None,
        };
        let typ = Self::text(&self.typ);
        let action_prefix = if typ.is_empty() {
            None
        } else if FAMILIES.iter().any(|(code, _)| *code == typ) {
            Some(typ.to_owned())
        } else {
            errs.push(FieldError::new("typ", "invalid", "Välj en typ av händelse i listan."));
            None
        };
        let mut date = |field: &str, next_day: bool| -> Option<i64> {
            let raw = Self::text(if field == "fran" { &self.fran } else { &self.till });
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<Date>().ok().and_then(|d| local_midnight_ms(d, next_day)) {
                Some(ms) => Some(ms),
                None => {
                    errs.push(FieldError::new(
                        field,
                        "date.invalid",
                        format!("”{raw}” är inget datum. Skriv år-månad-dag, till exempel 2026-11-22."),
                    ));
                    None
                }
            }
        };
        let from_ms = date("fran", false);
        let to_ms = date("till", true);
        if let (Some(f), Some(t)) = (from_ms, to_ms)
            && f >= t
        {
            errs.push(FieldError::new("till", "date.order", "Slutdatumet ligger före startdatumet. Byt plats på dem."));
        }
        let before_id = match Self::text(&self.fore) {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errs.push(FieldError::new("fore", "invalid", "Sidnumret i adressen är felaktigt. Börja om från första sidan."));
                    None
                }
            },
        };
        errs.into_result()?;
        Ok(Filter { org_id, action_prefix, actor_user_id: None, from_ms, to_ms, before_id, limit })
    }

    /// The filters as a query string (without the page), for links and the CSV export.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("org", Self::text(&self.org)),
            ("typ", Self::text(&self.typ)),
            ("fran", Self::text(&self.fran)),
            ("till", Self::text(&self.till)),
        ])
        .unwrap_or_default()
    }
}

/// One entry as shown and exported.
struct Row {
    id: i64,
    at_ms: i64,
    actor: String,
    actor_org: String,
    action: String,
    action_code: String,
    record: String,
    record_href: Option<String>,
    org: String,
    fields: String,
    ip: String,
    via: String,
    request_id: String,
}

fn rows(entries: Vec<Entry>, org_names: &HashMap<i64, String>) -> Vec<Row> {
    let name = |id: Option<i64>| id.map(|i| org_names.get(&i).cloned().unwrap_or_else(|| format!("#{i}"))).unwrap_or_default();
    entries
        .into_iter()
        .map(|e| {
            let record = match (&e.record_kind, e.record_id) {
                (Some(k), Some(id)) => format!("{} {id}", record_label(k)),
                (Some(k), None) => record_label(k).to_owned(),
                _ => String::new(),
            };
            Row {
                id: e.id,
                at_ms: e.at_ms,
                actor: e.actor,
                actor_org: name(e.actor_org_id),
                action: action_label(&e.action).to_owned(),
                record_href: e.record_kind.as_deref().zip(e.record_id).and_then(|(k, id)| record_href(k, id)),
                action_code: e.action,
                record,
                org: if e.org_ids.is_empty() {
                    name(e.org_id)
                } else {
                    e.org_ids.iter().map(|o| name(Some(*o))).collect::<Vec<_>>().join(", ")
                },
                fields: e.fields.join(", "),
                ip: e.ip.unwrap_or_default(),
                via: via_label(&e.via).to_owned(),
                request_id: e.request_id.unwrap_or_default(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "operations/audit/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    filter: FormView,
    org_options: Vec<(String, String)>,
    /// A system administrator may leave the organisation empty (the whole log).
    whole_log: bool,
    families: Vec<(String, String)>,
    query: String,
    first_page: bool,
    scope: String,
}

pub async fn list(State(state): State<AppState>, SignedIn(session): SignedIn, flash: Flash, Query(q): Query<LogQuery>) -> PageResult {
    let v = session.viewer.clone();
    let readable = readable_orgs(&v);
    if readable.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::Forbidden.into());
    }
    let parsed = q.filter(&v, PAGE_SIZE);
    let f = parsed.as_ref().ok().cloned();
    let (page, orgs) = state
        .store
        .read(move |db| {
            let page = match f {
                Some(f) => Some(audit::list(db, &v, &f)?),
                None => None,
            };
            let orgs = brygga_store::accounts::orgs::all(db, &v)?;
            Ok((page, orgs))
        })
        .await?;
    let org_names: HashMap<i64, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let org_options: Vec<(String, String)> = match &readable {
        None => orgs.iter().map(|o| (o.id.to_string(), o.name.clone())).collect(),
        Some(mine) => mine.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
    };
    let mut filter = FormView::empty();
    let chosen_org = parsed.as_ref().ok().and_then(|f| f.org_id);
    filter
        .set("org", chosen_org.map(|o| o.to_string()).unwrap_or_else(|| LogQuery::text(&q.org).to_owned()))
        .set("typ", LogQuery::text(&q.typ))
        .set("fran", LogQuery::text(&q.fran))
        .set("till", LogQuery::text(&q.till));
    let scope = match chosen_org {
        Some(o) => format!("Loggen för {}", org_names.get(&o).map_or("organisationen", String::as_str)),
        None => "Hela loggen".to_owned(),
    };
    let status = if parsed.is_err() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    if let Err(errors) = parsed {
        filter.errors = errors;
    }
    let mut query_view = q.clone();
    if query_view.org.as_deref().is_none_or(str::is_empty) {
        query_view.org = chosen_org.map(|o| o.to_string());
    }
    let (rows, next) = match page {
        Some(p) => (rows(p.items, &org_names), p.next),
        None => (Vec::new(), None),
    };
    let page = ListPage {
        chrome: Chrome::new(&session, "Logg", "audit", &flash),
        rows,
        next,
        filter,
        org_options: if readable.as_ref().is_some_and(|m| m.len() == 1) { Vec::new() } else { org_options },
        whole_log: readable.is_none(),
        families: FAMILIES.iter().map(|(c, l)| ((*c).to_owned(), (*l).to_owned())).collect(),
        query: query_view.query_string(),
        first_page: LogQuery::text(&q.fore).is_empty(),
        scope,
    };
    let body = page.render().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((status, Html(body)).into_response())
}

/// `/logg.csv`: the same selection, every page, for Excel (UTF-8 with BOM, `;`). The export
/// is recorded in the log in the same transaction.
pub async fn export_csv(State(state): State<AppState>, SignedIn(session): SignedIn, Query(q): Query<LogQuery>) -> PageResult {
    let v = session.viewer.clone();
    if readable_orgs(&v).as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::Forbidden.into());
    }
    let f = q.filter(&v, EXPORT_PAGE_SIZE).map_err(AppError::Invalid)?;
    let (entries, orgs) = state
        .store
        .write(move |db| {
            let mut all = Vec::new();
            let mut f = f;
            loop {
                let page = audit::list(db, &v, &f)?;
                all.extend(page.items);
                match page.next.and_then(|n| n.parse().ok()) {
                    Some(before) => f.before_id = Some(before),
                    None => break,
                }
            }
            let e = Event::new("audit.export");
            audit::record(
                db,
                &v,
                match f.org_id {
                    Some(org) => e.org(org),
                    None => e,
                },
            )?;
            Ok((all, brygga_store::accounts::orgs::all(db, &v)?))
        })
        .await?;
    let org_names: HashMap<i64, String> = orgs.into_iter().map(|o| (o.id, o.name)).collect();
    let header = [
        "id",
        "tid",
        "vem",
        "för organisation",
        "händelse",
        "händelsekod",
        "post",
        "berörd organisation",
        "ändrade fält",
        "från (IP)",
        "via",
        "förfrågan",
    ];
    let rows = rows(entries, &org_names).into_iter().map(|r| {
        let at = jiff::Timestamp::from_millisecond(r.at_ms).map(brygga_domain::time::format_local).unwrap_or_default();
        [r.id.to_string(), at, r.actor, r.actor_org, r.action, r.action_code, r.record, r.org, r.fields, r.ip, r.via, r.request_id]
    });
    Ok(crate::kit::export::csv_download("logg.csv", &header, rows)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_stockholm_midnights() {
        // Winter: UTC+1. 2026-01-15 00:00 local = 2026-01-14 23:00 UTC.
        let d: Date = "2026-01-15".parse().unwrap();
        let winter = jiff::Timestamp::from_millisecond(local_midnight_ms(d, false).unwrap()).unwrap();
        assert_eq!(winter.to_string(), "2026-01-14T23:00:00Z");
        // Summer: UTC+2, and "to" is the next midnight (exclusive end of the day).
        let d: Date = "2026-07-01".parse().unwrap();
        let end = jiff::Timestamp::from_millisecond(local_midnight_ms(d, true).unwrap()).unwrap();
        assert_eq!(end.to_string(), "2026-07-01T22:00:00Z");
    }

    #[test]
    fn bad_filters_are_field_errors_not_failures() {
        let q = LogQuery { fran: Some("22/11".into()), typ: Some("drop table".into()), fore: Some("x".into()), ..Default::default() };
        let errs = q.filter(&Viewer::system(), 10).unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["typ", "fran", "fore"]);
        let q = LogQuery { fran: Some("2026-02-01".into()), till: Some("2026-01-01".into()), ..Default::default() };
        assert_eq!(q.filter(&Viewer::system(), 10).unwrap_err().0[0].code, "date.order");
        let q =
            LogQuery { typ: Some("login".into()), fran: Some("2026-01-01".into()), till: Some("2026-01-01".into()), ..Default::default() };
        let f = q.filter(&Viewer::system(), 10).unwrap();
        assert_eq!(f.action_prefix.as_deref(), Some("login"));
        assert_eq!(f.to_ms.unwrap() - f.from_ms.unwrap(), 86_400_000);
    }

    #[test]
    fn action_labels() {
        assert_eq!(action_label("login"), "Inloggning");
        assert_eq!(action_label("login.failed"), "Misslyckad inloggning");
        assert_eq!(action_label("observation.share"), "observation.share");
        assert_eq!(action_label("plan.read"), "Delad åtgärdsplan läst");
        assert_eq!(action_label("agreement.document"), "Undertecknat dokument bifogat");
    }
}
