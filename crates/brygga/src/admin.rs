//! `brygga user …` and `brygga org …`: administration from the command line, acting as the
//! operator ("kommandorad" in the audit log).

use std::io::BufRead;

use anyhow::Context;
use brygga_domain::FieldErrors;
use brygga_domain::account::{Email, check_new_password};
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::{ConnExt, Store, StoreError, Viewer, accounts::auth, sort_key};
use clap::Subcommand;

use crate::config::{DbArgs, ServeArgs, Settings};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Skapar ett konto. Utan --password-stdin skapas ett slumpat lösenord som skrivs ut en gång.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Organisationens id eller exakta namn.
        #[arg(long)]
        org: Option<String>,
        /// administrator, coordinator, member, reporter eller reader.
        #[arg(long)]
        role: Option<String>,
        /// Gör kontot till systemadministratör.
        #[arg(long)]
        system_admin: bool,
        /// Läs lösenordet från första raden på standard in.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Byter lösenord. Utan --password-stdin skapas ett slumpat lösenord som skrivs ut en gång.
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Listar konton (JSON, en rad per konto).
    List,
    /// Skapar en personlig API-nyckel åt ett konto; nyckeln skrivs ut en gång.
    Token {
        #[arg(long)]
        email: String,
        /// Organisationens id eller exakta namn; nyckeln verkar bara för den.
        #[arg(long)]
        org: String,
        /// Vad nyckeln används till, till exempel "Import från enkätverktyget".
        #[arg(long)]
        name: String,
        /// Giltighetstid i dagar (utan: tills den återkallas).
        #[arg(long)]
        valid_days: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Registrerar en organisation.
    Add {
        #[arg(long)]
        name: String,
        /// municipality, police, county_board, region, prison_probation, social_services, school,
        /// housing_company, rescue_service, business, civil_society, faith_community eller other.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        org_number: Option<String>,
        /// Kommunkod (fyra siffror); kan upprepas.
        #[arg(long = "municipality")]
        municipalities: Vec<String>,
        /// Profilen syns för alla.
        #[arg(long)]
        public: bool,
    },
    /// Listar organisationer (JSON, en rad per organisation).
    List,
}

async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    crate::open(&Settings::resolve(db, &ServeArgs::default())?).await
}

fn explain(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(f) => invalid(f),
        other => anyhow::anyhow!("{other}"),
    }
}

fn invalid(f: FieldErrors) -> anyhow::Error {
    anyhow::anyhow!("{}", f.0.iter().map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message)).collect::<Vec<_>>().join("\n"))
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("kan inte läsa lösenordet från standard in")?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((auth::random_token(15), true))
    }
}

async fn find_org(store: &Store, org: &str) -> anyhow::Result<i64> {
    if let Ok(id) = org.parse::<i64>() {
        return Ok(id);
    }
    let key = sort_key(org);
    let found: Option<i64> =
        store.read(move |db| Ok(db.scalar_opt("SELECT id FROM organisations WHERE name_key = $1", &[key.into()])?)).await?;
    found.ok_or_else(|| anyhow::anyhow!("hittar ingen organisation som heter ”{org}”; se brygga org list"))
}

pub async fn user(db: &DbArgs, cmd: UserCommand) -> anyhow::Result<()> {
    let store = open(db).await?;
    match cmd {
        UserCommand::Add { email, name, org, role, system_admin, password_stdin } => {
            let (password, generated) = read_password(password_stdin)?;
            let org_id = match org {
                Some(o) => Some(find_org(&store, &o).await?),
                None => None,
            };
            let input = NewUserInput { email, name, password: Some(password.clone()), org_id, role, system_admin };
            let valid = users::validate_off_runtime(input).await.map_err(explain)?;
            let user = store.write(move |db| users::create(db, &Viewer::command_line(), &valid)).await.map_err(explain)?;
            let mut out = serde_json::json!({ "id": user.id, "email": user.email });
            if generated {
                out["password"] = password.into();
            }
            println!("{out}");
        }
        UserCommand::SetPassword { email, password_stdin } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
            let (password, generated) = read_password(password_stdin)?;
            check_new_password(&password, Some(&email)).map_err(|e| anyhow::anyhow!("lösenordet: {}", e.message))?;
            let e2 = email.clone();
            let id = store
                .read(move |db| users::id_by_email(db, &e2))
                .await?
                .ok_or_else(|| anyhow::anyhow!("det finns inget konto med e-postadressen {email}"))?;
            let hash = auth::hash_off_runtime(password.clone()).await?;
            store.write(move |db| users::set_password_hash(db, &Viewer::command_line(), id, &hash)).await.map_err(explain)?;
            let mut out = serde_json::json!({ "id": id, "email": email.as_str() });
            if generated {
                out["password"] = password.into();
            }
            println!("{out}");
        }
        UserCommand::Token { email, org, name, valid_days } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
            let org_id = find_org(&store, &org).await?;
            let e2 = email.clone();
            let id = store
                .read(move |db| users::id_by_email(db, &e2))
                .await?
                .ok_or_else(|| anyhow::anyhow!("det finns inget konto med e-postadressen {email}"))?;
            let (summary, secret) = store
                .write(move |db| {
                    let v = Viewer::for_user(db, id, brygga_store::Via::Cli)?;
                    auth::create_token(db, &v, org_id, &name, valid_days)
                })
                .await
                .map_err(explain)?;
            println!("{}", serde_json::json!({ "id": summary.id, "org_id": summary.org_id, "token": secret }));
        }
        UserCommand::List => {
            let mut after = None;
            loop {
                let f = users::Filter { after, limit: Some(500), ..Default::default() };
                let page = store.read(move |db| users::list(db, &Viewer::command_line(), &f)).await?;
                for u in &page.items {
                    println!("{}", serde_json::to_string(u)?);
                }
                match page.next {
                    Some(n) => after = n.parse().ok(),
                    None => break,
                }
            }
        }
    }
    Ok(())
}

pub async fn org(db: &DbArgs, cmd: OrgCommand) -> anyhow::Result<()> {
    let store = open(db).await?;
    match cmd {
        OrgCommand::Add { name, kind, org_number, municipalities, public } => {
            let input = OrganisationInput { name, kind, org_number, public_profile: public, municipalities, ..Default::default() };
            let valid = input.validate().map_err(invalid)?;
            let org = store.write(move |db| orgs::create(db, &Viewer::command_line(), &valid)).await.map_err(explain)?;
            println!("{}", serde_json::to_string(&org)?);
        }
        OrgCommand::List => {
            let mut after = None;
            loop {
                let f = orgs::Filter { after, limit: Some(orgs::MAX_LIMIT), ..Default::default() };
                let page = store.read(move |db| orgs::list(db, &Viewer::command_line(), &f)).await?;
                for o in &page.items {
                    println!("{}", serde_json::to_string(o)?);
                }
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
        }
    }
    Ok(())
}
