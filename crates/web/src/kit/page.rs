//! Server-rendered pages, one module per page family. Every page works without JavaScript.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse};
use brygga_domain::{FieldError, FieldErrors};
use brygga_store::{Action, Viewer, kernel::access};
use serde::Deserialize;

use crate::kit::auth::{FormData, Session};
use crate::kit::error::{AppError, PageResult};

/// Renders a page template with `status`.
pub fn html<T: askama::Template>(status: StatusCode, page: T) -> PageResult {
    let body = page.render().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((status, Html(body)).into_response())
}

/// What every page's layout needs: title, navigation, CSRF token for the logout button, and
/// the confirmation of what just happened.
pub struct Chrome {
    pub title: String,
    pub user: Option<NavUser>,
    pub csrf: String,
    pub flash: Option<&'static str>,
    pub active: &'static str,
    pub asset_version: &'static str,
}

pub struct NavUser {
    pub name: String,
    pub system_admin: bool,
    pub manages_members: bool,
    pub reads_audit: bool,
    /// Open alerts waiting for the viewer's acknowledgement (the count beside "Larm").
    pub pending_alerts: i64,
}

impl Chrome {
    pub fn new(session: &Session, title: impl Into<String>, active: &'static str, flash: &Flash) -> Self {
        let v = &session.viewer;
        let admin_of_any = v.org_ids().into_iter().any(|org| access::allowed(v, Action::ManageMembers { org }));
        Self {
            title: title.into(),
            user: Some(NavUser {
                name: v.name().to_owned(),
                system_admin: v.is_system_admin(),
                manages_members: v.is_system_admin() || admin_of_any,
                reads_audit: v.is_system_admin()
                    || v.org_ids().into_iter().any(|org| access::allowed(v, Action::ReadAudit { org: Some(org) })),
                pending_alerts: session.pending_alerts,
            }),
            csrf: session.csrf.clone(),
            flash: flash.0,
            active,
            asset_version: crate::kit::assets::VERSION,
        }
    }

    /// The chrome of a page anyone may open: signed in or not.
    pub fn maybe(session: Option<&Session>, title: impl Into<String>, active: &'static str, flash: &Flash) -> Self {
        match session {
            Some(s) => Chrome::new(s, title, active, flash),
            None => Chrome::anonymous(title),
        }
    }

    pub fn anonymous(title: impl Into<String>) -> Self {
        Self { title: title.into(), user: None, csrf: String::new(), flash: None, active: "", asset_version: crate::kit::assets::VERSION }
    }
}

/// The confirmation after a redirect (`?klart=sparad`), from a fixed list so no text can be
/// injected through the address.
pub struct Flash(pub Option<&'static str>);

#[derive(Deserialize)]
struct FlashQuery {
    klart: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Self::Rejection> {
        let q = Query::<FlashQuery>::from_request_parts(parts, s).await.ok().and_then(|q| q.0.klart);
        Ok(Flash(q.as_deref().and_then(flash_text)))
    }
}

fn flash_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "skapad" => "Uppgifterna har sparats.",
        "sparad" => "Ändringarna har sparats.",
        "publicerad" => "Dokumentationen är publicerad och skickad med e-post till deltagarna.",
        "nyhetsbrev-skickat" => "Resultatet är skickat som nyhetsbrev till listans prenumeranter.",
        "prenumererar" => "Du prenumererar nu på nyhetsbrevet. Varje utskick har en länk för att avsluta med ett klick.",
        "bekrafta" => "Vi har skickat en länk till adressen. Prenumerationen börjar när den bekräftas.",
        "utkast" => "Utskicket är sparat som utkast. Det skickas först när du väljer Skicka.",
        "skickat" => "Utskicket är skickat till listans bekräftade prenumeranter.",
        "intresse" => "Ert intresse är registrerat. Organisationen bakom idén har fått ett e-postmeddelande.",
        "borttagen" => "Posten har tagits bort.",
        "arkiverad" => {
            "Platsen har rapporter och är därför arkiverad i stället för borttagen. Den finns kvar i äldre lägesbilder men erbjuds inte för nya rapporter."
        }
        "ansprak-godkant" => "Anspråket är godkänt. Organisationen arbetar nu i kommunen.",
        "ansprak-avslaget" => "Anspråket är avslaget.",
        "inloggad" => "Du är inloggad.",
        "losenord" => "Lösenordet är bytt. Andra inloggningar har avslutats.",
        "nyckel-aterkallad" => "API-nyckeln är återkallad.",
        "lamnat" => "Organisationen har lämnat forumet. Det den delat där syns nu bara för den själv.",
        "inbjuden" => "Inbjudan är skickad. Personen blir medlem när hen tackar ja.",
        "medlem" => "Ni är nu medlemmar i forumet.",
        "avbojd" => "Ni har tackat nej till inbjudan.",
        "raderad" => "Kontot är raderat. Loggen behåller händelserna under en pseudonym.",
        "importerad" => "Filen är importerad.",
        "skickad" => "Tack! Svaret är skickat.",
        "nytt-forsok" => "Meddelandet skickas igen, med alla försök kvar.",
        "provmeddelande" => "Provmeddelandet ligger i kön och skickas strax till din adress.",
        "avstamning-sparad" => "Avstämningen är sparad.",
        "atgard-beslutad" => "Åtgärden är beslutad och står nu i forumets åtgärdslista.",
        "kvitterat" => "Tack! Du har kvitterat larmet. De andra ser nu att du har sett det.",
        "larm-avslutat" => "Larmet är avslutat med en sammanfattning.",
        "lank-aterkallad" => "Länken är återkallad och slutar fungera direkt.",
        "sammanfattning-pa" => "Du får veckosammanfattningen med e-post.",
        "sammanfattning-av" => "Du får inte längre veckosammanfattningen med e-post.",
        "paminnelser-pa" => "Du får påminnelser om veckoenkäten med e-post.",
        "paminnelser-av" => "Du får inte längre påminnelser om veckoenkäten med e-post.",
        "atgard-skapad" => "Åtgärden är sparad i forumets åtgärdslista.",
        "atgard-sparad" => "Ändringarna i åtgärden är sparade.",
        "lagesbild-antagen" => "Versionen är antagen. Siffrorna är frysta och versionen ändras inte längre.",
        "ny-version" => "En ny version är startad som utkast, med allt innehåll från den antagna.",
        "delning-sparad" => "Delningen är sparad.",
        "status-sparad" => "Statusen är sparad. Forumets organisationer ser den i åtgärdslistan.",
        "fastslagen" => "Överenskommelsen är fastställd. Den gäller under sin period och länsstyrelsen kan läsa och bedöma den.",
        "dokument-bifogat" => "Det undertecknade dokumentet är bifogat.",
        "bedomning-sparad" => "Bedömningen är sparad.",
        "matning-tagen" => "Mätningen är tagen och fryst. Den ändras inte även om checklistan ändras.",
        "kontrollerad" => "Erbjudandet är markerat som kontrollerat i dag. Nästa påminnelse kommer när intervallet har gått.",
        // Training and events.
        "anmald" => "Du är anmäld och har en plats.",
        "vantelista" => "Evenemanget är fullt. Du står på väntelistan och får e-post om en plats blir ledig.",
        "annan-anmald" => "Personen är anmäld och har en plats.",
        "annan-vantelista" => "Evenemanget är fullt. Personen står på väntelistan.",
        "avbokad" => "Anmälan är avbokad. Står någon på väntelistan får hen platsen och ett e-postmeddelande.",
        "narvaro" => "Närvaron är sparad.",
        "enkat-sparad" => "Enkätens frågor är sparade.",
        "enkat-skickad" => "Enkäten är skickad. Varje deltagare har fått en egen länk med e-post.",
        _ => return None,
    })
}

/// A form as shown: the values to put back in the inputs, and the problems to point at.
#[derive(Debug, Clone, Default)]
pub struct FormView {
    pub values: Vec<(String, String)>,
    pub errors: FieldErrors,
}

impl FormView {
    pub fn empty() -> Self {
        Self::default()
    }
    /// Shows what was submitted (minus secrets) next to what was wrong with it.
    pub fn submitted(form: &FormData, errors: FieldErrors) -> Self {
        let values = form
            .0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "password" | "current_password" | "new_password"))
            .cloned()
            .collect();
        Self { values, errors }
    }
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.values.retain(|(k, _)| k != name);
        self.values.push((name.to_owned(), value.into()));
        self
    }
    pub fn add(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.values.push((name.to_owned(), value.into()));
        self
    }
    pub fn value(&self, name: &str) -> &str {
        self.values.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }
    pub fn checked(&self, name: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && (v == "on" || v == "true"))
    }
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(|e| e.message.as_str())
    }
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// What became of a submitted form.
pub enum Submitted<T> {
    /// The command did its work.
    Done(T),
    /// The command refused fields: the form as sent, with every problem beside its field.
    Refused(FormView),
}

/// Turns a store command's answer to a form into what the page does next. Field errors —
/// whether the form could not read a value, the version was missing or the store's one
/// check refused the input — become the submitted form to show again; every other error
/// stays an error for the caller (a stale version, for one, has its own page).
pub fn submitted<T, E: Into<AppError>>(form: &FormData, result: Result<T, E>) -> Result<Submitted<T>, AppError> {
    match result.map_err(Into::into) {
        Ok(v) => Ok(Submitted::Done(v)),
        Err(AppError::Invalid(errors)) => Ok(Submitted::Refused(FormView::submitted(form, errors))),
        Err(e) => Err(e),
    }
}

/// Both parts of a form read, or every problem of both (a missing version and a bad field
/// are reported together, not one after the other).
pub fn both<A, B>(a: Result<A, FieldErrors>, b: Result<B, FieldErrors>) -> Result<(A, B), FieldErrors> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Err(mut e), Err(more)) => {
            e.0.extend(more.0);
            Err(e)
        }
    }
}

/// The version number sent with an edit form, or a field error.
pub fn version_of(form: &FormData) -> Result<i64, FieldErrors> {
    form.int("version").ok_or_else(|| {
        FieldError::new("version", "version.missing", "Formuläret saknar versionsnummer. Ladda om sidan och försök igen.").into()
    })
}

/// Options for an organisation picker: the viewer's own organisations first.
pub fn own_org_options(v: &Viewer) -> Vec<(String, String)> {
    v.memberships().iter().map(|m| (m.org_id.to_string(), m.org_name.clone())).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::flash_text;

    /// Codes a page reads itself instead of through [`flash_text`], and why.
    const OWN_CODES: &[(&str, &str)] = &[("larm-skickat", "the alert page shows its own banner naming how many were alerted")];

    /// Every `.rs` and `.html` file under `dir`.
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read source dir").map(|e| e.expect("dir entry").path()) {
            if entry.is_dir() {
                sources(&entry, out);
            } else if entry.extension().is_some_and(|e| e == "rs" || e == "html") {
                out.push((entry.display().to_string(), std::fs::read_to_string(&entry).expect("read source")));
            }
        }
    }

    /// The quoted codes of a line: `"sparad"`, `"ansprak-godkant"`.
    fn quoted(line: &str) -> Vec<String> {
        line.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .map(str::to_owned)
            .collect()
    }

    /// The codes a redirect sends: `?klart=sparad` as written, `?klart={done}` through the
    /// `let done = if … { "a" } else { "b" };` in the same file, `?klart={}` through the literals
    /// after it on the same line.
    fn codes(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (line, rest) in text.lines().flat_map(|l| l.split("klart=").skip(1).map(move |r| (l, r))) {
            let literal: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
            if !literal.is_empty() {
                out.push(literal);
            } else if let Some(name) = rest.strip_prefix('{').and_then(|r| r.split_once('}')).map(|(n, _)| n) {
                let source = if name.is_empty() {
                    rest.split_once('"').map_or("", |(_, args)| args).to_owned()
                } else {
                    text.lines().find(|l| l.trim_start().starts_with(&format!("let {name} ="))).unwrap_or(line).to_owned()
                };
                let found = quoted(&source);
                assert!(!found.is_empty(), "cannot tell which codes `klart={{{name}}}` sends: {line}");
                out.extend(found);
            }
        }
        out
    }

    #[test]
    fn every_code_a_page_redirects_with_has_a_swedish_message() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("src/pages"), &mut files);
        sources(&root.join("templates"), &mut files);
        let mut seen = 0;
        for (path, text) in &files {
            for code in codes(text) {
                seen += 1;
                let known = flash_text(&code).is_some() || OWN_CODES.iter().any(|(c, _)| *c == code);
                assert!(known, "{path} redirects with ?klart={code}, which flash_text in crates/web/src/kit/page.rs does not know");
            }
        }
        assert!(seen > 40, "the scan found only {seen} flash codes");
    }
}
