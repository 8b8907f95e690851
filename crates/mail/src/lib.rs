//! Brygga's e-mail over SMTP (lettre, rustls): the configuration read from one URL, the
//! message built from an outbox row with its fixed Message-ID, and sending with errors sorted
//! into classes that say whether a retry can help.
//!
//! The outbox and the retries live in the store and the job queue (`brygga_store::kernel::mail`,
//! `brygga_store::kernel::jobs`); this crate never touches the database, and the store never links
//! an SMTP client.
//!
//! | URL | connection |
//! |---|---|
//! | `smtp://host:port` | plain SMTP (a relay on a trusted network or this computer); port 25 by default |
//! | `smtp://host:587?tls=starttls` | STARTTLS required; port 587 by default |
//! | `smtps://host:465` | implicit TLS; port 465 by default |
//! | `smtp://user:password@host…` | credentials in the userinfo, percent-encoded |
//!
//! Certificates are verified against the system's trust store (`/etc/ssl/certs`), so a relay
//! with an organisation's own CA works once that CA is installed there.

use std::fmt;
use std::time::{Duration, SystemTime};

use brygga_domain::account::Email;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncTransport, Tokio1Executor};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS: only for a relay on this computer or a trusted network.
    Plain,
    /// STARTTLS, required (the connection fails rather than going on in plain text).
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Where and how to send.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    password: Option<String>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SmtpConfig {
    /// Reads `smtp://[user:password@]host[:port][?tls=starttls|none]` or `smtps://…`. Errors are
    /// Swedish sentences naming the problem, never repeating the password.
    pub fn parse(input: &str) -> Result<Self, String> {
        let example = "till exempel smtp://smtp.kommun.se:587?tls=starttls eller smtps://användare:lösenord@smtp.kommun.se";
        let url = url::Url::parse(input.trim()).map_err(|_| format!("--smtp-url är ingen giltig adress; skriv {example}"))?;
        let implicit = match url.scheme() {
            "smtp" => false,
            "smtps" => true,
            other => return Err(format!("--smtp-url: schemat ”{other}” stöds inte; använd smtp:// eller smtps://, {example}")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| format!("--smtp-url saknar servernamn; skriv {example}"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let mut tls: Option<String> = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "tls" => tls = Some(v.to_ascii_lowercase()),
                other => return Err(format!("--smtp-url: inställningen ”{other}” finns inte; den enda är tls=starttls eller tls=none")),
            }
        }
        let security = match (implicit, tls.as_deref()) {
            (true, None | Some("implicit")) => Security::Implicit,
            (true, Some(_)) => return Err("--smtp-url: smtps:// använder alltid TLS; ta bort ?tls=…".to_owned()),
            (false, None | Some("none")) => Security::Plain,
            (false, Some("starttls")) => Security::StartTls,
            (false, Some(other)) => return Err(format!("--smtp-url: tls=”{other}” finns inte; välj tls=starttls eller tls=none")),
        };
        let port = url.port().unwrap_or(match security {
            Security::Plain => 25,
            Security::StartTls => 587,
            Security::Implicit => 465,
        });
        let undo = |s: &str| {
            percent_decode(s).ok_or_else(|| "--smtp-url: användarnamn och lösenord måste vara procentkodade (%40 för @)".to_owned())
        };
        let username = Some(url.username()).filter(|u| !u.is_empty()).map(undo).transpose()?;
        let password = url.password().map(undo).transpose()?;
        if password.is_some() && username.is_none() {
            return Err("--smtp-url har ett lösenord men inget användarnamn; skriv smtp://användare:lösenord@server".to_owned());
        }
        Ok(Self { host, port, security, username, password })
    }

    /// For logs and `--help`: never the password.
    pub fn describe(&self) -> String {
        let scheme = if self.security == Security::Implicit { "smtps" } else { "smtp" };
        let user = self.username.as_deref().map(|u| format!("{u}:***@")).unwrap_or_default();
        let tls = if self.security == Security::StartTls { "?tls=starttls" } else { "" };
        format!("{scheme}://{user}{}:{}{tls}", self.host, self.port)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Everything needed to send: the server and the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub smtp: SmtpConfig,
    /// The From address (`--mail-from`); its domain is the Message-ID's host.
    pub from: Email,
    /// The display name in From.
    pub from_name: String,
}

impl MailConfig {
    pub fn new(smtp: SmtpConfig, from: Email) -> Self {
        Self { smtp, from, from_name: "Brygga".to_owned() }
    }
    /// The right-hand side of Message-IDs: the sender's domain.
    pub fn message_id_host(&self) -> String {
        self.from.as_str().rsplit_once('@').map(|(_, d)| d.to_owned()).unwrap_or_else(|| "localhost".to_owned())
    }
}

/// One message to send, as read from the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing<'a> {
    /// With angle brackets, e.g. `<outbox-12.k3j…@kommun.se>`.
    pub message_id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// When the message was written to the outbox (its Date header, the same on every attempt).
    pub created_at_ms: i64,
    /// A one-click unsubscribe URL (RFC 8058): written as `List-Unsubscribe: <url>` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    pub list_unsubscribe: Option<&'a str>,
}

/// Why a send failed, without the server's text (it may quote the address).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{class}{}", code.map(|c| format!(" {c}")).unwrap_or_default())]
pub struct SendError {
    /// `connection`, `timeout`, `tls`, `smtp_transient`, `smtp_permanent`, `protocol`, `message`.
    pub class: &'static str,
    /// The SMTP reply code, when the server gave one.
    pub code: Option<u16>,
    /// A retry cannot help (5xx replies, a message that cannot be built).
    pub permanent: bool,
}

impl SendError {
    fn message() -> Self {
        Self { class: "message", code: None, permanent: true }
    }
    fn classify(e: &lettre::transport::smtp::Error) -> Self {
        let code = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
        if e.is_permanent() {
            Self { class: "smtp_permanent", code, permanent: true }
        } else if e.is_transient() {
            Self { class: "smtp_transient", code, permanent: false }
        } else if e.is_timeout() {
            Self { class: "timeout", code: None, permanent: false }
        } else if e.is_tls() {
            Self { class: "tls", code: None, permanent: false }
        } else if e.is_response() {
            Self { class: "protocol", code, permanent: false }
        } else {
            Self { class: "connection", code: None, permanent: false }
        }
    }
}

/// An SMTP client for one configuration. Cheap to clone; connections are pooled.
#[derive(Clone)]
pub struct Mailer {
    config: MailConfig,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

/// Longest wait for the server at each step (connect, each reply).
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

impl Mailer {
    /// Call inside a tokio runtime: the connection pool starts a task.
    pub fn new(config: MailConfig) -> Result<Self, String> {
        let smtp = &config.smtp;
        let tls = || TlsParameters::new(smtp.host.clone()).map_err(|e| format!("TLS kan inte ställas in för {}: {e}", smtp.host));
        let tls = match smtp.security {
            Security::Plain => Tls::None,
            Security::StartTls => Tls::Required(tls()?),
            Security::Implicit => Tls::Wrapper(tls()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT))
            .hello_name(ClientId::Domain(config.message_id_host()));
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self { transport: builder.build(), config })
    }

    pub fn config(&self) -> &MailConfig {
        &self.config
    }

    /// Builds the message exactly as it is sent: From, To, Subject, Date, the fixed Message-ID,
    /// `Auto-Submitted: auto-generated`, plain UTF-8 text.
    pub fn build(&self, m: &Outgoing<'_>) -> Result<Message, SendError> {
        let from = Mailbox::new(Some(self.config.from_name.clone()), self.config.from.as_str().parse().map_err(|_| SendError::message())?);
        let to: Mailbox = m.to.parse().map_err(|_| SendError::message())?;
        let date = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(m.created_at_ms).unwrap_or(0));
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(m.subject)
            .date(date)
            .message_id(Some(m.message_id.to_owned()))
            .header(AutoSubmitted)
            .header(ContentType::TEXT_PLAIN);
        if let Some(url) = m.list_unsubscribe {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(['<', '>', '\r', '\n', ' ']) {
                return Err(SendError::message());
            }
            builder = builder.header(ListUnsubscribe(format!("<{url}>"))).header(ListUnsubscribePost);
        }
        builder.body(m.body.to_owned()).map_err(|_| SendError::message())
    }

    /// Sends one message. `Ok` means the server accepted it.
    pub async fn send(&self, m: &Outgoing<'_>) -> Result<(), SendError> {
        let message = self.build(m)?;
        self.transport.send(message).await.map(drop).map_err(|e| SendError::classify(&e))
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no out-of-office replies to Brygga.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `List-Unsubscribe: <https://…>` (RFC 2369), the one-click URL of a newsletter subscription.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl lettre::message::header::Header for ListUnsubscribe {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a POST to the URL
/// unsubscribes at once, with no page in between.
#[derive(Debug, Clone, Copy)]
struct ListUnsubscribePost;

impl lettre::message::header::Header for ListUnsubscribePost {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_port_security_and_credentials() {
        let c = SmtpConfig::parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.security, c.username.as_deref()), ("127.0.0.1", 2525, Security::Plain, None));
        let c = SmtpConfig::parse("smtp://brygga%40kommun.se:hemligt%21@smtp.kommun.se?tls=starttls").unwrap();
        assert_eq!((c.port, c.security), (587, Security::StartTls));
        assert_eq!((c.username.as_deref(), c.password.as_deref()), (Some("brygga@kommun.se"), Some("hemligt!")));
        assert_eq!(c.describe(), "smtp://brygga@kommun.se:***@smtp.kommun.se:587?tls=starttls");
        assert!(!format!("{c:?}").contains("hemligt"), "Debug hides the password");
        let c = SmtpConfig::parse("smtps://smtp.kommun.se").unwrap();
        assert_eq!((c.port, c.security), (465, Security::Implicit));
        assert_eq!(SmtpConfig::parse("smtp://smtp.kommun.se").unwrap().port, 25);
    }

    #[test]
    fn bad_urls_are_explained_in_swedish() {
        let err = |u: &str| SmtpConfig::parse(u).unwrap_err();
        assert!(err("http://smtp.kommun.se").contains("smtp:// eller smtps://"));
        assert!(err("smtp://smtp.kommun.se?tls=maybe").contains("tls=starttls"));
        assert!(err("smtps://smtp.kommun.se?tls=starttls").contains("alltid TLS"));
        assert!(err("smtp://smtp.kommun.se?port=1").contains("finns inte"));
        assert!(err("inte en adress").contains("ingen giltig adress"));
        assert!(!err("smtp://:hemligt@smtp.kommun.se").contains("hemligt"));
    }

    #[tokio::test]
    async fn the_message_carries_the_fixed_message_id_and_swedish_text() {
        let config = MailConfig::new(SmtpConfig::parse("smtp://127.0.0.1:2525").unwrap(), Email::parse("brygga@trelleborg.se").unwrap());
        assert_eq!(config.message_id_host(), "trelleborg.se");
        let mailer = Mailer::new(config).unwrap();
        let m = Outgoing {
            message_id: "<outbox-7.abc@trelleborg.se>",
            to: "anna.andersson@trelleborg.se",
            subject: "Larm: brand vid Stortorget",
            body: "Hej!\n\nÅtgärden är klar.",
            created_at_ms: 1_790_000_000_000,
            list_unsubscribe: None,
        };
        let text = String::from_utf8(mailer.build(&m).unwrap().formatted()).unwrap();
        assert!(!text.contains("List-Unsubscribe"), "only newsletters carry it");
        assert!(text.contains("Message-ID: <outbox-7.abc@trelleborg.se>\r\n"), "{text}");
        assert!(text.contains("Auto-Submitted: auto-generated\r\n"));
        assert!(text.contains("From: Brygga <brygga@trelleborg.se>\r\n"));
        assert!(text.contains("Content-Type: text/plain; charset=utf-8\r\n"));
        // The date is when the message entered the outbox, so a resend is byte-for-byte the same.
        assert_eq!(text, String::from_utf8(mailer.build(&m).unwrap().formatted()).unwrap());
        let bad = Outgoing { to: "inte en adress", ..m };
        assert_eq!(mailer.build(&bad).unwrap_err().class, "message");
    }

    #[tokio::test]
    async fn a_newsletter_carries_the_one_click_unsubscribe_headers() {
        let config = MailConfig::new(SmtpConfig::parse("smtp://127.0.0.1:2525").unwrap(), Email::parse("brygga@trelleborg.se").unwrap());
        let mailer = Mailer::new(config).unwrap();
        let url = "https://brygga.trelleborg.se/nyhetsbrev/avregistrera/abc123";
        let m = Outgoing {
            message_id: "<outbox-8.abc@trelleborg.se>",
            to: "anna.andersson@trelleborg.se",
            subject: "Nyhetsbrev",
            body: "Hej!",
            created_at_ms: 1_790_000_000_000,
            list_unsubscribe: Some(url),
        };
        let text = String::from_utf8(mailer.build(&m).unwrap().formatted()).unwrap();
        assert!(text.contains(&format!("List-Unsubscribe: <{url}>\r\n")), "{text}");
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), "{text}");
        // A URL that could break the header is refused, not sent.
        let bad = Outgoing { list_unsubscribe: Some("https://x/a>\r\nBcc: b@c.se"), ..m };
        assert_eq!(mailer.build(&bad).unwrap_err().class, "message");
    }
}
