//! Configuration: command-line flags win over environment variables (`BRYGGA_…`), which win
//! over the optional TOML file (`--config` / `BRYGGA_CONFIG`), which wins over defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use brygga_domain::account::Email;
use clap::Args;
use serde::Deserialize;

use brygga_mail::{MailConfig, SmtpConfig};

use crate::harvest::{self, HarvestConfig};

/// Where the data lives. Shared by every command that opens the database.
#[derive(Debug, Clone, Default, Args)]
pub struct DbArgs {
    /// Database URL: `sqlite:///path/brygga.db` or `postgres://user@host:5432/brygga`.
    /// Default: `sqlite://<data-dir>/brygga.db`.
    #[arg(long, env = "BRYGGA_DATABASE_URL", value_name = "URL", global = true)]
    pub database_url: Option<String>,
    /// Directory for the embedded database and backups. Created if missing. Default: ./brygga-data
    #[arg(long, env = "BRYGGA_DATA_DIR", value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Optional TOML file with the same settings (keys as the long flags, with _ for -).
    #[arg(long, env = "BRYGGA_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Largest number of PostgreSQL connections per server process. Default: 16
    #[arg(long, env = "BRYGGA_PG_MAX_CONNECTIONS", value_name = "N", global = true)]
    pub pg_max_connections: Option<usize>,
}

/// Settings for `brygga serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Default: 127.0.0.1:8080 (only this computer).
    /// Use 0.0.0.0:8080 to listen on every network interface.
    #[arg(long, env = "BRYGGA_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// Brygga is reached over HTTPS (through a reverse proxy): mark cookies Secure and send HSTS.
    #[arg(long, env = "BRYGGA_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Take the client address from X-Forwarded-For (only behind a proxy you control).
    #[arg(long, env = "BRYGGA_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// Sign users out after this many minutes without activity. Default: 480
    #[arg(long, env = "BRYGGA_SESSION_IDLE_MINUTES", value_name = "MIN")]
    pub session_idle_minutes: Option<i64>,
    /// Sign users out this many hours after they signed in. Default: 168
    #[arg(long, env = "BRYGGA_SESSION_MAX_HOURS", value_name = "H")]
    pub session_max_hours: Option<i64>,
    /// Log format: text (for people) or json (for log collectors). Default: text
    #[arg(long, env = "BRYGGA_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// A translation catalog (TOML: "Svensk text" = "Translation").
    #[arg(long, env = "BRYGGA_TRANSLATIONS", value_name = "FILE")]
    pub translations: Option<PathBuf>,
    /// Fetch the police's events from this URL, e.g. https://polisen.se/api/events. Off unless set.
    #[arg(long, env = "BRYGGA_POLICE_EVENTS_URL", value_name = "URL")]
    pub police_events_url: Option<String>,
    /// E-mail address sent in the harvester's User-Agent so the police can reach you. Required
    /// with --police-events-url.
    #[arg(long, env = "BRYGGA_HARVEST_CONTACT", value_name = "EMAIL")]
    pub harvest_contact: Option<String>,
    /// Minutes between two fetches of the police's events. Default: 15 (at least 1).
    #[arg(long, env = "BRYGGA_HARVEST_INTERVAL_MINUTES", value_name = "MIN")]
    pub harvest_interval_minutes: Option<u64>,
    /// Situation pictures seen from outside a forum hide counts below this. Default: 3
    #[arg(long, env = "BRYGGA_SUPPRESS_BELOW", value_name = "N")]
    pub suppress_below: Option<i64>,
    #[command(flatten)]
    pub jobs: JobArgs,
}

/// Background jobs and e-mail: shared by `brygga serve` and `brygga worker`.
#[derive(Debug, Clone, Default, Args)]
pub struct JobArgs {
    /// SMTP-server för e-post: smtp://server:25, smtp://server:587?tls=starttls eller
    /// smtps://användare:lösenord@server:465. Utan den väntar e-posten i kön.
    #[arg(long, env = "BRYGGA_SMTP_URL", value_name = "URL")]
    pub smtp_url: Option<String>,
    /// Avsändaradress för e-post, till exempel brygga@kommun.se. Krävs med --smtp-url.
    #[arg(long, env = "BRYGGA_MAIL_FROM", value_name = "EMAIL")]
    pub mail_from: Option<String>,
    /// Antal bakgrundsarbetare i den här processen (0: inga, till exempel när en separat
    /// `brygga worker` kör jobben). Standard: 2
    #[arg(long, env = "BRYGGA_WORKERS", value_name = "N")]
    pub workers: Option<usize>,
    /// Adressen som användarna når Brygga på, för länkar i e-post och delade länkar, till
    /// exempel https://brygga.kommun.se. Standard: http://<--listen>
    #[arg(long, env = "BRYGGA_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
}

/// The TOML file: every setting optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub pg_max_connections: Option<usize>,
    pub listen: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub session_idle_minutes: Option<i64>,
    pub session_max_hours: Option<i64>,
    pub log_format: Option<String>,
    pub translations: Option<PathBuf>,
    pub police_events_url: Option<String>,
    pub harvest_contact: Option<String>,
    pub harvest_interval_minutes: Option<u64>,
    pub suppress_below: Option<i64>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub workers: Option<usize>,
    pub public_url: Option<String>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else { return Ok(Self::default()) };
        let text =
            std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("kan inte läsa konfigurationsfilen {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("konfigurationsfilen {} är inte giltig: {e}", path.display()))
    }
}

/// Settings after merging, with defaults applied.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub pg_max_connections: usize,
    pub listen: SocketAddr,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    pub log_json: bool,
    pub translations: Option<PathBuf>,
    /// Harvesting the police's events, when configured.
    pub harvest: Option<HarvestConfig>,
    pub suppress_below: i64,
    /// Sending e-mail, when configured.
    pub mail: Option<MailConfig>,
    /// The sender's domain, for Message-IDs (also without SMTP: messages wait in the outbox).
    pub mail_host: String,
    /// Background workers in this process.
    pub workers: usize,
    /// The address people reach Brygga at, without a trailing slash (links in e-mail).
    pub public_url: String,
}

impl Settings {
    pub fn resolve(db: &DbArgs, serve: &ServeArgs) -> anyhow::Result<Self> {
        let file = FileConfig::load(db.config.as_deref())?;
        let data_dir = db.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("brygga-data"));
        let database_url =
            db.database_url.clone().or(file.database_url).unwrap_or_else(|| format!("sqlite://{}", data_dir.join("brygga.db").display()));
        let listen_text = serve.listen.clone().or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse().map_err(|_| {
            anyhow::anyhow!("--listen ”{listen_text}” är ingen adress; skriv till exempel 127.0.0.1:8080 eller 0.0.0.0:8080")
        })?;
        let log_format = serve.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
        let log_json = match log_format.as_str() {
            "json" => true,
            "text" => false,
            other => anyhow::bail!("--log-format ”{other}” finns inte; välj text eller json"),
        };
        let session_idle_minutes = serve.session_idle_minutes.or(file.session_idle_minutes).unwrap_or(480);
        let session_max_hours = serve.session_max_hours.or(file.session_max_hours).unwrap_or(168);
        if session_idle_minutes < 1 || session_max_hours < 1 {
            anyhow::bail!("sessionstiderna måste vara minst 1 minut respektive 1 timme");
        }
        let suppress_below = serve.suppress_below.or(file.suppress_below).unwrap_or(3);
        if !(1..=1000).contains(&suppress_below) {
            anyhow::bail!("--suppress-below {suppress_below} går inte; välj ett tal från 1 (visa allt) till 1000");
        }
        let harvest = harvest_config(
            serve.police_events_url.clone().or(file.police_events_url),
            serve.harvest_contact.clone().or(file.harvest_contact),
            serve.harvest_interval_minutes.or(file.harvest_interval_minutes),
        )?;
        let mail_from = serve.jobs.mail_from.clone().or(file.mail_from);
        let mail = mail_config(serve.jobs.smtp_url.clone().or(file.smtp_url), mail_from.clone())?;
        let mail_host = match (&mail, mail_from) {
            (Some(m), _) => m.message_id_host(),
            (None, Some(from)) => Email::parse(&from)
                .map_err(|e| anyhow::anyhow!("--mail-from: {}", e.message))?
                .as_str()
                .rsplit_once('@')
                .map(|(_, d)| d.to_owned())
                .unwrap_or_default(),
            (None, None) => "localhost".to_owned(),
        };
        let workers = serve.jobs.workers.or(file.workers).unwrap_or(2);
        if workers > 64 {
            anyhow::bail!("--workers {workers} är för många; välj högst 64 (varje arbetare håller en databasanslutning när den arbetar)");
        }
        let public_url = serve.jobs.public_url.clone().or(file.public_url).unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim().trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) || public_url.contains(char::is_whitespace) {
            anyhow::bail!("--public-url ”{public_url}” är ingen webbadress; skriv till exempel https://brygga.kommun.se");
        }
        Ok(Self {
            database_url,
            data_dir,
            pg_max_connections: db.pg_max_connections.or(file.pg_max_connections).unwrap_or(16),
            listen,
            secure_cookies: serve.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            trust_proxy: serve.trust_proxy.or(file.trust_proxy).unwrap_or(false),
            session_idle_minutes,
            session_max_hours,
            log_json,
            translations: serve.translations.clone().or(file.translations),
            harvest,
            suppress_below,
            mail,
            mail_host,
            workers,
            public_url,
        })
    }
}

/// E-mail is off without an SMTP URL; with one it needs a sender address.
fn mail_config(url: Option<String>, from: Option<String>) -> anyhow::Result<Option<MailConfig>> {
    let Some(url) = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) else { return Ok(None) };
    let smtp = SmtpConfig::parse(&url).map_err(anyhow::Error::msg)?;
    let from = from
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .ok_or_else(|| anyhow::anyhow!("--smtp-url kräver --mail-from med avsändaradressen, till exempel --mail-from brygga@kommun.se"))?;
    let from = Email::parse(&from).map_err(|e| anyhow::anyhow!("--mail-from: {}", e.message))?;
    Ok(Some(MailConfig::new(smtp, from)))
}

/// Harvesting is off without a URL; with one it needs a contact address for the User-Agent.
fn harvest_config(url: Option<String>, contact: Option<String>, minutes: Option<u64>) -> anyhow::Result<Option<HarvestConfig>> {
    let Some(url) = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) else { return Ok(None) };
    harvest::check_url(&url).map_err(anyhow::Error::msg)?;
    let contact = contact.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).ok_or_else(|| {
        anyhow::anyhow!(
            "--police-events-url kräver --harvest-contact med en e-postadress: polisen vill kunna nå den som hämtar, och adressen skickas i User-Agent"
        )
    })?;
    let contact = Email::parse(&contact).map_err(|e| anyhow::anyhow!("--harvest-contact: {}", e.message))?.to_string();
    let minutes = minutes.unwrap_or(harvest::DEFAULT_INTERVAL.as_secs() / 60);
    if minutes < harvest::MIN_INTERVAL.as_secs() / 60 {
        anyhow::bail!("--harvest-interval-minutes måste vara minst 1: polisen tillåter högst 60 anrop i timmen");
    }
    Ok(Some(HarvestConfig { url, contact, interval: std::time::Duration::from_secs(minutes.saturating_mul(60)) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beat_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("brygga.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/brygga\"\nsession_idle_minutes = 30\n").unwrap();
        let db = DbArgs { config: Some(file.clone()), ..Default::default() };
        let s = Settings::resolve(&db, &ServeArgs::default()).unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.database_url, "sqlite:///srv/brygga/brygga.db");
        assert_eq!(s.session_idle_minutes, 30);
        let serve = ServeArgs { listen: Some("127.0.0.1:7000".into()), ..Default::default() };
        assert_eq!(Settings::resolve(&db, &serve).unwrap().listen.to_string(), "127.0.0.1:7000");
        assert_eq!(s.harvest, None, "harvesting is off by default");
        std::fs::write(&file, "lissen = 1\n").unwrap();
        assert!(Settings::resolve(&db, &ServeArgs::default()).unwrap_err().to_string().contains("inte giltig"));
    }

    #[test]
    fn mail_needs_a_sender_and_flags_beat_the_environment_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("brygga.toml");
        std::fs::write(&file, "smtp_url = \"smtp://127.0.0.1:2525\"\nmail_from = \"brygga@trelleborg.se\"\nworkers = 4\n").unwrap();
        let db = DbArgs { config: Some(file.clone()), ..Default::default() };
        let s = Settings::resolve(&db, &ServeArgs::default()).unwrap();
        let m = s.mail.unwrap();
        assert_eq!((m.smtp.port, m.from.as_str(), s.workers, s.mail_host.as_str()), (2525, "brygga@trelleborg.se", 4, "trelleborg.se"));
        let serve = ServeArgs {
            jobs: JobArgs { smtp_url: Some("smtps://relay.kommun.se".into()), workers: Some(0), ..Default::default() },
            ..Default::default()
        };
        let s = Settings::resolve(&db, &serve).unwrap();
        assert_eq!((s.mail.unwrap().smtp.port, s.workers), (465, 0));
        let none = Settings::resolve(&DbArgs::default(), &ServeArgs::default()).unwrap();
        assert_eq!((none.mail, none.workers, none.mail_host.as_str()), (None, 2, "localhost"));
        let no_from = ServeArgs { jobs: JobArgs { smtp_url: Some("smtp://127.0.0.1".into()), ..Default::default() }, ..Default::default() };
        assert!(Settings::resolve(&DbArgs::default(), &no_from).unwrap_err().to_string().contains("--mail-from"));
        let bad = ServeArgs { jobs: JobArgs { smtp_url: Some("http://x".into()), ..Default::default() }, ..Default::default() };
        assert!(Settings::resolve(&DbArgs::default(), &bad).unwrap_err().to_string().contains("smtp://"));
    }

    #[test]
    fn harvesting_needs_https_and_a_contact() {
        let serve = |url: &str, contact: Option<&str>, minutes: Option<u64>| ServeArgs {
            police_events_url: Some(url.into()),
            harvest_contact: contact.map(Into::into),
            harvest_interval_minutes: minutes,
            ..Default::default()
        };
        let db = DbArgs::default();
        let h =
            Settings::resolve(&db, &serve("https://polisen.se/api/events", Some("drift@trelleborg.se"), None)).unwrap().harvest.unwrap();
        assert_eq!(h.interval, std::time::Duration::from_secs(900));
        let err = |s: ServeArgs| Settings::resolve(&db, &s).unwrap_err().to_string();
        assert!(err(serve("https://polisen.se/api/events", None, None)).contains("--harvest-contact"));
        assert!(err(serve("https://polisen.se/api/events", Some("inte en adress"), None)).contains("--harvest-contact"));
        assert!(err(serve("http://polisen.se/api/events", Some("drift@trelleborg.se"), None)).contains("HTTPS"));
        assert!(err(serve("https://polisen.se/api/events", Some("drift@trelleborg.se"), Some(0))).contains("minst 1"));
    }
}
