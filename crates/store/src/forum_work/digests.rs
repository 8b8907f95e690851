//! The weekly digest (återkoppling): on Monday morning every user of a forum's member
//! organisations gets last week's joint picture — the total, the flags — and the actions their
//! organisation is expected to finish this week or has let run late, with links back. Users
//! opt out on their account page.
//!
//! [`write`] puts the week's messages in the outbox in one transaction and remembers each in
//! `digest_sends`, so a job that runs twice (or the command run after the job) sends nobody a
//! second copy. The picture is computed once per forum: every member sees the same exact joint
//! picture, so one member's view serves all.

use brygga_domain::account::Email;
use brygga_domain::time::{IsoWeek, format_number, week_span};
use serde::Serialize;

use crate::forum_work::actions::{self, Filter};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::mail::{self, NewMail, Postmark};
use crate::kernel::sharing::Scope;
use crate::kernel::viewer::Via;
use crate::picture::weekly::{self, PictureQuery};
use crate::{Viewer, args, now_ms};

/// The weekly job: Monday 07:00, one per forum, payload `{"forum_id", "week"}` (the week it
/// runs in; the digest reports on the week before).
pub const KIND: &str = "digest.weekly";

/// What [`write`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Outbox messages written now.
    pub queued: Vec<i64>,
    /// Messages written by an earlier run that have not gone out yet.
    pub waiting: Vec<i64>,
    /// Recipients who already got this week's digest.
    pub already_sent: usize,
}

impl Written {
    /// Every message of the week not yet sent.
    pub fn unsent(&self) -> Vec<i64> {
        self.queued.iter().chain(&self.waiting).copied().collect()
    }
}

/// Writes forum `forum_id`'s digest for `week` (the week reported on) to the outbox.
pub fn write(db: &mut dyn Conn, forum_id: i64, week: IsoWeek, post: &Postmark) -> StoreResult<Written> {
    let forum: Option<(String, Option<String>)> =
        db.map_opt("SELECT name, municipality_code FROM forums WHERE id = $1", args![forum_id], |r| {
            Ok((r.get("name")?, r.get("municipality_code")?))
        })?;
    let Some((forum_name, municipality)) = forum else { return Err(StoreError::not_found("forum")) };
    let people: Vec<(i64, String, String, bool)> = db.map_all(
        "SELECT DISTINCT u.id, u.name, u.email, u.digest_opt_out FROM forum_members f JOIN memberships m ON m.org_id = f.org_id
         JOIN users u ON u.id = m.user_id WHERE f.forum_id = $1 ORDER BY u.id",
        args![forum_id],
        |r| Ok((r.get("id")?, r.get("name")?, r.get("email")?, r.get("digest_opt_out")?)),
    )?;
    let mut out = Written::default();
    let mut picture_text: Option<String> = None;
    let now = now_ms();
    let sunday = week.plus(1).monday().checked_add(jiff::Span::new().days(6)).map_err(|e| StoreError::Internal(e.to_string()))?;
    for (user_id, name, email, opt_out) in people {
        if opt_out {
            continue;
        }
        let sent: Option<(Option<i64>, Option<i64>)> = db.map_opt(
            "SELECT d.outbox_id, o.sent_at FROM digest_sends d LEFT JOIN mail_outbox o ON o.id = d.outbox_id
             WHERE d.forum_id = $1 AND d.week = $2 AND d.user_id = $3",
            args![forum_id, i64::from(week.key()), user_id],
            |r| Ok((r.get("outbox_id")?, r.get("sent_at")?)),
        )?;
        match sent {
            Some((Some(id), None)) => {
                out.waiting.push(id);
                continue;
            }
            Some(_) => {
                out.already_sent += 1;
                continue;
            }
            None => {}
        }
        let Ok(to) = Email::parse(&email) else { continue };
        let v = Viewer::for_user(db, user_id, Via::System)?;
        if picture_text.is_none() {
            picture_text = Some(picture_section(db, &v, forum_id, municipality.as_deref(), week, post)?);
        }
        let mine = actions::list(db, &v, forum_id, &Filter { mine: true, ..Filter::default() })?;
        let due: Vec<&actions::Action> = mine.iter().filter(|a| a.due_on.as_str() <= sunday.to_string().as_str()).collect();
        let mut body = format!(
            "Hej {name}!\n\nHär är veckans sammanfattning från {forum_name}, {span}.\n\n{picture}",
            span = week_span(week),
            picture = picture_text.as_deref().unwrap_or_default()
        );
        body.push_str(&format!("\nÅtgärder för er att göra klart senast söndag {sunday}\n"));
        if due.is_empty() {
            body.push_str("- Inga: er organisation har inga öppna åtgärder med slutdatum den här veckan.\n");
        }
        for a in &due {
            let late = if a.overdue { " (försenad)" } else { "" };
            body.push_str(&format!(
                "- {} — {}, senast {}{late}\n  {}\n",
                a.title,
                a.responsible.name,
                a.due_on,
                post.link(&format!("/atgarder/{}", a.id))
            ));
        }
        body.push_str(&format!(
            "\nForumets åtgärdslista: {}\n\nDu får det här för att du arbetar i en av organisationerna i {forum_name}. \
             Vill du inte ha veckosammanfattningen kan du stänga av den här: {}\n",
            post.link(&format!("/forum/{forum_id}/atgarder")),
            post.link("/konto/sammanfattning")
        ));
        let mail = NewMail {
            kind: "digest",
            to,
            to_user_id: Some(user_id),
            subject: format!("Veckosammanfattning {forum_name}, {}", week_span(week)),
            body,
            list_unsubscribe: None,
        };
        let q = mail::enqueue(db, &mail, &post.host, now)?;
        db.execute(
            "INSERT INTO digest_sends (forum_id, week, user_id, outbox_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![forum_id, i64::from(week.key()), user_id, q.id, now],
        )?;
        out.queued.push(q.id);
    }
    Ok(out)
}

/// The picture part: aggregates only — the total and the flags' sentences — never a report.
fn picture_section(
    db: &mut dyn Conn,
    v: &Viewer,
    forum_id: i64,
    municipality: Option<&str>,
    week: IsoWeek,
    post: &Postmark,
) -> StoreResult<String> {
    let Some(m) = municipality else {
        return Ok("Lägesbilden: forumet gäller flera kommuner; se lägesbilden per kommun i Brygga.".to_owned());
    };
    let pic = weekly::weekly(db, v, &PictureQuery::new(Scope::Joint { forum_id }, m, week, 0))?;
    let mut s = format!("Lägesbilden {}\n- Rapporter i forumet: {}\n", week_span(week), format_number(pic.total.count as f64, 0));
    if pic.flags.is_empty() {
        s.push_str("- Inga förändringar som är osannolika som slump.\n");
    }
    for f in &pic.flags {
        s.push_str(&format!("- {}\n", f.sentence));
    }
    s.push_str(&format!("Hela lägesbilden: {}\n", post.link(&format!("/lagesbild/forum/{forum_id}?vecka={week}"))));
    Ok(s)
}

/// The forum whose name is `name` (case-insensitive), for the command line.
pub fn forum_by_name(db: &mut dyn Conn, name: &str) -> StoreResult<Option<i64>> {
    Ok(db.scalar_opt("SELECT id FROM forums WHERE name_key = $1", args![crate::sort_key(name)])?)
}
