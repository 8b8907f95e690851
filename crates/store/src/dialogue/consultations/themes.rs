//! Themes of a consultation's input: Brygga suggests them
//! ([`brygga_domain::themes::suggest`], deterministic, documented there), the organiser adopts
//! the suggestion, renames, writes a summary, confirms, merges, moves items and removes empty
//! themes. The compiled documentation is ordered by the confirmed themes.
//!
//! **Who may read, write and be notified.**
//! - *Read*: whoever may read the consultation ([`crate::kernel::sharing::consultation_readable`])
//!   sees its themes' names and counts; the items in them follow the input's own read rule.
//! - *Write*: coordinators and administrators of an organising organisation
//!   ([`crate::Action::OrganiseConsultation`]); every change is audited (`consultation.theme_*`).
//! - *Notified*: nobody; participants learn the themes from the published documentation.

use brygga_domain::text::TextRule;
use brygga_domain::themes::{self, Options};
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::head::{self, Head};
use crate::forum_work::actions::clean_text;
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args, now_ms};

pub const NAME: TextRule = TextRule::line("name", "Temats namn", 200);
pub const SUMMARY: TextRule = TextRule::line("summary", "Sammanfattningen", 4000).optional().multiline();

/// One theme with the number of items in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Theme {
    pub id: i64,
    pub consultation_id: i64,
    pub name: String,
    pub summary: Option<String>,
    pub position: i64,
    /// Confirmed by the organiser; an unconfirmed theme is Brygga's suggestion.
    pub confirmed: bool,
    pub items: i64,
}

const SELECT: &str = "SELECT t.id, t.consultation_id, t.name, t.summary, t.position, t.confirmed,
    (SELECT COUNT(*) FROM consultation_inputs i WHERE i.theme_id = t.id) AS items
    FROM consultation_themes t";

impl FromRow for Theme {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Theme {
            id: r.get("id")?,
            consultation_id: r.get("consultation_id")?,
            name: r.get("name")?,
            summary: r.get("summary")?,
            position: r.get("position")?,
            confirmed: r.get("confirmed")?,
            items: r.get("items")?,
        })
    }
}

/// The themes of a consultation the viewer may read, in order.
pub fn list(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Vec<Theme>> {
    head::readable(db, v, consultation_id)?;
    Ok(db.all(&format!("{SELECT} WHERE t.consultation_id = $1 ORDER BY t.position, t.id"), args![consultation_id])?)
}

/// One theme of a consultation the viewer may read.
pub fn get(db: &mut dyn Conn, v: &Viewer, theme_id: i64) -> StoreResult<Theme> {
    let t: Theme = db.opt(&format!("{SELECT} WHERE t.id = $1"), args![theme_id])?.ok_or(StoreError::not_found("theme"))?;
    head::readable(db, v, t.consultation_id).map_err(|_| StoreError::not_found("theme"))?;
    Ok(t)
}

/// A theme the viewer may change, with its consultation.
fn concluding(db: &mut dyn Conn, v: &Viewer, theme_id: i64) -> StoreResult<(Theme, Head)> {
    let t: Theme = db.opt(&format!("{SELECT} WHERE t.id = $1"), args![theme_id])?.ok_or(StoreError::not_found("theme"))?;
    let h = head::concluding(db, v, t.consultation_id).map_err(|e| match e {
        StoreError::NotFound { .. } => StoreError::not_found("theme"),
        other => other,
    })?;
    Ok((t, h))
}

/// A suggested theme: a proposed name and the items it would gather.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestedTheme {
    pub label: String,
    /// The Swedish stems it was formed around.
    pub terms: Vec<String>,
    pub input_ids: Vec<i64>,
}

/// Brygga's suggestion for the items not yet in a confirmed theme.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub themes: Vec<SuggestedTheme>,
    /// Items no suggested theme took.
    pub rest: Vec<i64>,
}

/// Suggests themes for the items of the consultation that are not in a confirmed theme
/// (read-only; the same items always give the same suggestion).
pub fn suggest(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Suggestion> {
    let h = head::concluding(db, v, consultation_id)?;
    suggest_for(db, &h)
}

fn suggest_for(db: &mut dyn Conn, h: &Head) -> StoreResult<Suggestion> {
    let rows: Vec<(i64, String)> = db.map_all(
        "SELECT i.id, i.text FROM consultation_inputs i LEFT JOIN consultation_themes t ON t.id = i.theme_id
         WHERE i.consultation_id = $1 AND (t.id IS NULL OR NOT t.confirmed) ORDER BY i.id",
        args![h.id],
        |r| Ok((r.get("id")?, r.get("text")?)),
    )?;
    let texts: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
    let s = themes::suggest(&texts, &Options::default());
    Ok(Suggestion {
        themes: s
            .themes
            .into_iter()
            .map(|t| SuggestedTheme { label: t.label, terms: t.terms, input_ids: t.members.iter().map(|&i| rows[i].0).collect() })
            .collect(),
        rest: s.rest.iter().map(|&i| rows[i].0).collect(),
    })
}

/// Adopts the suggestion: earlier unconfirmed themes are replaced by the suggested ones, each
/// holding its items; confirmed themes and their items are left as they are. Returns the themes.
pub fn adopt_suggestion(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Vec<Theme>> {
    let h = head::concluding(db, v, consultation_id)?;
    let s = suggest_for(db, &h)?;
    db.execute(
        "UPDATE consultation_inputs SET theme_id = NULL WHERE consultation_id = $1 AND theme_id IN
         (SELECT id FROM consultation_themes WHERE consultation_id = $1 AND NOT confirmed)",
        args![h.id],
    )?;
    db.execute("DELETE FROM consultation_themes WHERE consultation_id = $1 AND NOT confirmed", args![h.id])?;
    let taken: Vec<String> = db.scalars("SELECT name FROM consultation_themes WHERE consultation_id = $1", args![h.id])?;
    let mut position: i64 =
        db.scalar("SELECT COALESCE(MAX(position), 0) FROM consultation_themes WHERE consultation_id = $1", args![h.id])?;
    let now = now_ms();
    for t in &s.themes {
        position += 1;
        let mut name = t.label.clone();
        let mut n = 2;
        while taken.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            name = format!("{} ({n})", t.label);
            n += 1;
        }
        let id: i64 = db.scalar(
            "INSERT INTO consultation_themes (consultation_id, name, position, confirmed, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![h.id, name, position, false, now],
        )?;
        for input in &t.input_ids {
            db.execute("UPDATE consultation_inputs SET theme_id = $1 WHERE id = $2", args![id, *input])?;
        }
    }
    audit::record(db, v, Event::new("consultation.theme_suggest").record("consultation", h.id).orgs(&h.organisers))?;
    list(db, v, h.id)
}

/// A theme as a form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    pub name: Option<String>,
    pub summary: Option<String>,
    /// Confirm the theme (`true`) or leave it a suggestion (`false`, the default for a new one).
    #[serde(default)]
    pub confirmed: Option<bool>,
}

fn validate(db: &mut dyn Conn, consultation_id: i64, id: Option<i64>, input: &ThemeInput) -> StoreResult<(String, Option<String>)> {
    let mut errs = FieldErrors::new();
    let name = clean_text(&mut errs, &NAME, input.name.as_deref());
    let summary = clean_text(&mut errs, &SUMMARY, input.summary.as_deref());
    if let Some(Some(n)) = &name {
        let clash: Option<i64> = db.scalar_opt(
            "SELECT id FROM consultation_themes WHERE consultation_id = $1 AND LOWER(name) = LOWER($2) AND id <> $3",
            args![consultation_id, n.clone(), id.unwrap_or(0)],
        )?;
        if clash.is_some() {
            errs.push(FieldError::new(
                "name",
                "theme.name_taken",
                format!("Det finns redan ett tema som heter ”{n}”. Välj ett annat namn eller slå ihop temana."),
            ));
        }
    }
    errs.into_result()?;
    Ok((name.flatten().expect("required"), summary.flatten()))
}

/// Creates a theme (confirmed unless the input says otherwise: the organiser named it).
pub fn create(db: &mut dyn Conn, v: &Viewer, consultation_id: i64, input: &ThemeInput) -> StoreResult<Theme> {
    let h = head::concluding(db, v, consultation_id)?;
    let (name, summary) = validate(db, h.id, None, input)?;
    let position: i64 =
        db.scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM consultation_themes WHERE consultation_id = $1", args![h.id])?;
    let id: i64 = db.scalar(
        "INSERT INTO consultation_themes (consultation_id, name, summary, position, confirmed, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![h.id, name, summary, position, input.confirmed.unwrap_or(true), now_ms()],
    )?;
    audit::record(db, v, Event::new("consultation.theme_create").record("consultation", h.id).orgs(&h.organisers))?;
    Ok(db.one(&format!("{SELECT} WHERE t.id = $1"), args![id])?)
}

/// Renames, summarises or confirms a theme.
pub fn update(db: &mut dyn Conn, v: &Viewer, theme_id: i64, input: &ThemeInput) -> StoreResult<Theme> {
    let (t, h) = concluding(db, v, theme_id)?;
    let (name, summary) = validate(db, h.id, Some(t.id), input)?;
    db.execute(
        "UPDATE consultation_themes SET name = $1, summary = $2, confirmed = $3 WHERE id = $4",
        args![name, summary, input.confirmed.unwrap_or(t.confirmed), t.id],
    )?;
    audit::record(db, v, Event::new("consultation.theme_update").record("consultation", h.id).orgs(&h.organisers))?;
    Ok(db.one(&format!("{SELECT} WHERE t.id = $1"), args![t.id])?)
}

/// Merges theme `from` into theme `into`: its items move, `from` is removed, `into` keeps its
/// name. Refused — nothing changed — when it would leave items without a theme of their own
/// consultation: `into` missing, the same theme, or a theme of another consultation.
pub fn merge(db: &mut dyn Conn, v: &Viewer, from: i64, into: Option<i64>) -> StoreResult<Theme> {
    let (t, h) = concluding(db, v, from)?;
    let target: Option<Theme> = match into {
        Some(id) => db.opt(&format!("{SELECT} WHERE t.id = $1"), args![id])?,
        None => None,
    };
    let target = match target {
        None => {
            return Err(StoreError::invalid(FieldError::new(
                "into",
                "theme.merge_target",
                format!("Välj temat som ”{}” ska slås ihop med. Annars skulle dess {} medskick bli utan tema.", t.name, t.items),
            )));
        }
        Some(x) if x.id == t.id => {
            return Err(StoreError::invalid(FieldError::new(
                "into",
                "theme.merge_self",
                "Ett tema kan inte slås ihop med sig självt. Välj ett annat tema.",
            )));
        }
        Some(x) if x.consultation_id != t.consultation_id => {
            return Err(StoreError::invalid(FieldError::new(
                "into",
                "theme.merge_other_consultation",
                "Temat hör till ett annat samråd. Medskicken kan bara flyttas till ett tema i samma samråd.",
            )));
        }
        Some(x) => x,
    };
    db.execute("UPDATE consultation_inputs SET theme_id = $1 WHERE theme_id = $2", args![target.id, t.id])?;
    db.execute("DELETE FROM consultation_themes WHERE id = $1", args![t.id])?;
    audit::record(db, v, Event::new("consultation.theme_merge").record("consultation", h.id).orgs(&h.organisers))?;
    Ok(db.one(&format!("{SELECT} WHERE t.id = $1"), args![target.id])?)
}

/// Removes an empty theme. A theme with items is refused: merge it or move its items first.
pub fn delete(db: &mut dyn Conn, v: &Viewer, theme_id: i64) -> StoreResult<()> {
    let (t, h) = concluding(db, v, theme_id)?;
    if t.items > 0 {
        return Err(StoreError::invalid(FieldError::new(
            "theme",
            "theme.not_empty",
            format!(
                "Temat ”{}” har {} medskick. Slå ihop det med ett annat tema eller flytta medskicken innan du tar bort det.",
                t.name, t.items
            ),
        )));
    }
    db.execute("DELETE FROM consultation_themes WHERE id = $1", args![t.id])?;
    audit::record(db, v, Event::new("consultation.theme_delete").record("consultation", h.id).orgs(&h.organisers))?;
    Ok(())
}

/// Puts an item of input in a theme of its consultation (`None`: takes it out of its theme).
pub fn assign(db: &mut dyn Conn, v: &Viewer, input_id: i64, theme_id: Option<i64>) -> StoreResult<()> {
    let h = head::concluding_input(db, v, input_id)?;
    if let Some(tid) = theme_id {
        let ok: Option<i64> =
            db.scalar_opt("SELECT id FROM consultation_themes WHERE id = $1 AND consultation_id = $2", args![tid, h.id])?;
        if ok.is_none() {
            return Err(StoreError::invalid(FieldError::new(
                "theme_id",
                "theme.unknown",
                "Temat finns inte i det här samrådet. Välj ett av samrådets teman.",
            )));
        }
    }
    db.execute("UPDATE consultation_inputs SET theme_id = $1 WHERE id = $2", args![theme_id, input_id])?;
    audit::record(db, v, Event::new("consultation.theme_assign").record("consultation", h.id).orgs(&h.organisers))?;
    Ok(())
}

/// An item of input as the organiser themes and disposes it: attribution applied (an anonymous
/// item shows no organisation, to organisers too).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemedItem {
    pub id: i64,
    /// The question's number, if the item answers one.
    pub question: Option<i64>,
    pub text: String,
    /// The organisation when it chose to be named; `None`: anonymous.
    pub attribution: Option<String>,
    pub theme_id: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
}

/// The items of a consultation for those who may conclude it, in question order.
pub fn items(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Vec<ThemedItem>> {
    let h = head::concluding(db, v, consultation_id)?;
    Ok(db.map_all(
        "SELECT i.id, q.position AS question, i.text, CASE WHEN i.attribution = 'named' THEN o.name END AS named, i.theme_id, d.outcome
           FROM consultation_inputs i JOIN organisations o ON o.id = i.org_id
           LEFT JOIN consultation_questions q ON q.id = i.question_id
           LEFT JOIN consultation_dispositions d ON d.input_id = i.id
          WHERE i.consultation_id = $1 ORDER BY q.position, i.created_at, i.id",
        args![h.id],
        |r| {
            let outcome: Option<String> = r.get("outcome")?;
            Ok(ThemedItem {
                id: r.get("id")?,
                question: r.get("question")?,
                text: r.get("text")?,
                attribution: r.get("named")?,
                theme_id: r.get("theme_id")?,
                outcome_label: outcome.as_deref().map(|o| super::dispositions::outcome_label(o).to_owned()),
                outcome,
            })
        },
    )?)
}
