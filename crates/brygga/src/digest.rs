//! `brygga digest send --forum NAME --week YYYY-Www`: writes a forum's weekly digest now and
//! sends it at once over SMTP, printing `{"sent":…,"failed":…}`.
//!
//! The messages go through the same outbox and send jobs as everything else: the command claims
//! the jobs of the messages it wrote (so a running server's workers do not send them too), sends
//! each, and records done or failed. A message that fails stays in the queue with its backoff,
//! so a server's workers retry it later — nothing is lost. Recipients who already got the week's
//! digest (from the Monday job or an earlier run) are not sent a second copy.

use clap::{Args, Subcommand};

use brygga_domain::time::IsoWeek;
use brygga_store::kernel::jobs::{self, Job};
use brygga_store::{ConnExt, Value, forum_work::digests};

use crate::config::{DbArgs, JobArgs, ServeArgs, Settings};
use crate::worker::{Handler, JobError, SendMail};

#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Skickar ett forums veckosammanfattning nu och skriver {"sent":…,"failed":…}.
    Send(SendArgs),
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Forumets namn, till exempel "Tryggare Trelleborg".
    #[arg(long, value_name = "NAMN")]
    pub forum: String,
    /// Veckan som sammanfattas, till exempel 2026-W48. Standard: förra veckan.
    #[arg(long, value_name = "ÅÅÅÅ-Vvv")]
    pub week: Option<String>,
    #[command(flatten)]
    pub jobs: JobArgs,
}

/// How long the command holds the jobs it claimed (it sends them right away).
const LEASE_MS: i64 = 10 * 60_000;

pub async fn run(db: &DbArgs, cmd: DigestCommand) -> anyhow::Result<()> {
    let DigestCommand::Send(args) = cmd;
    let settings = Settings::resolve(db, &ServeArgs { jobs: args.jobs.clone(), ..Default::default() })?;
    let week = match args.week.as_deref() {
        Some(w) => IsoWeek::parse(w).map_err(|e| anyhow::anyhow!("--week: {}", e.message))?,
        None => IsoWeek::current().plus(-1),
    };
    let Some(mail) = settings.mail.clone() else {
        anyhow::bail!("--smtp-url saknas: digest send skickar direkt och behöver en SMTP-server (och --mail-from)");
    };
    let mailer = brygga_mail::Mailer::new(mail).map_err(anyhow::Error::msg)?;
    let store = crate::open(&settings).await?;
    let post = crate::postmark(&settings);
    let name = args.forum.clone();
    let worker = format!("digest-send:{}", std::process::id());
    let w = worker.clone();
    let (written, claimed) = store
        .write(move |db| {
            let Some(forum) = digests::forum_by_name(db, &name)? else {
                let names: Vec<String> = db.scalars("SELECT name FROM forums ORDER BY name_key", &[])?;
                return Err(brygga_store::StoreError::Invalid(
                    brygga_domain::FieldError::new(
                        "forum",
                        "forum.unknown",
                        format!("Forumet ”{name}” finns inte. Forum: {}.", names.join(", ")),
                    )
                    .into(),
                ));
            };
            let written = digests::write(db, forum, week, &post)?;
            let ids: Vec<i64> = db.scalars(
                &format!("SELECT job_id FROM mail_outbox WHERE {} AND job_id IS NOT NULL", db.dialect().in_list("id", 1)),
                &[Value::IntList(written.unsent())],
            )?;
            let claimed = jobs::claim_ids(db, &ids, &w, LEASE_MS, brygga_store::now_ms())?;
            Ok((written, claimed))
        })
        .await
        .map_err(|e| match e {
            brygga_store::StoreError::Invalid(f) => {
                anyhow::anyhow!("{}", f.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))
            }
            e => anyhow::anyhow!("{e}"),
        })?;
    let handler = SendMail { mailer };
    let (mut sent, mut failed) = (0usize, 0usize);
    for job in claimed {
        let outcome = handler.run(&store, &job).await;
        let ok = outcome.is_ok();
        record(&store, &worker, job, outcome).await?;
        if ok { sent += 1 } else { failed += 1 }
    }
    let unclaimed = written.unsent().len().saturating_sub(sent + failed);
    println!(
        "{}",
        serde_json::json!({
            "sent": sent,
            "failed": failed,
            "already_sent": written.already_sent,
            "in_queue_elsewhere": unclaimed,
            "week": week.to_string(),
        })
    );
    Ok(())
}

async fn record(store: &brygga_store::Store, worker: &str, job: Job, outcome: Result<(), JobError>) -> anyhow::Result<()> {
    let (w, now) = (worker.to_owned(), brygga_store::now_ms());
    store
        .write(move |db| {
            match outcome {
                Ok(()) => {
                    jobs::complete(db, job.id, &w, now)?;
                }
                Err(JobError::Retry(c)) => {
                    jobs::fail(db, &job, &w, &c, false, now)?;
                }
                Err(JobError::Permanent(c)) => {
                    jobs::fail(db, &job, &w, &c, true, now)?;
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| anyhow::anyhow!("utfallet kunde inte sparas: {e}"))
}
