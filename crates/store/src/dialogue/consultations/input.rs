//! The input (medskick) of a consultation: per question (or general) and participating
//! organisation, written before or after the meeting by the organisation's users or entered
//! during it by a note-taker of an organiser for the organisation; the participant's choice of
//! attribution (the organisation named, or anonymous) and of giving it as material for the
//! lägesbild. Changed and withdrawn while the consultation is open. Rules: the module doc of
//! [`super`]; the displayed attribution is decided in one place, [`shown_attribution`].

use brygga_domain::text::TextRule;
use brygga_domain::time::format_local;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::consultation::{self, Consultation, participant_org};
use super::{ANONYMOUS, ATTRIBUTIONS, STAGES, known, label};
use crate::kernel::access::{Action as Permission, allowed};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt, DbError, FromRow, Row};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::sharing;
use crate::{Viewer, args};

/// The text of an item: free text, so the personal-data guard refuses names, personal numbers,
/// addresses and the like (the organisers and, as lägesbild material, others read it).
pub const TEXT: TextRule = TextRule::line("text", "Medskicket", 6000).multiline();

/// What a form or API call sends to give or change an item.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InputForm {
    /// A question of the consultation; none: general input.
    #[serde(default)]
    pub question_id: Option<i64>,
    /// The participating organisation: one of the viewer's invited organisations, or (a
    /// note-taker of an organiser during the meeting) any invited organisation. Ignored when
    /// changing an item.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// `before`, `during` or `after`; by default `before` (`during` for a note-taker).
    #[serde(default)]
    pub stage: Option<String>,
    /// `named` (default) or `anonymous`.
    #[serde(default)]
    pub attribution: Option<String>,
    /// Give the item as material for the municipality's lägesbild (its readers will see it).
    #[serde(default)]
    pub situation_material: bool,
    pub text: String,
}

/// One item of input as stored. `org_id` is kept also for anonymous items, so that the
/// contributing organisation sees its own items and their outcome; [`shown_attribution`] is
/// what any page, API or document shows. Serialised without the organisation and the users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Input {
    pub id: i64,
    pub consultation_id: i64,
    pub question_id: Option<i64>,
    #[serde(skip)]
    pub org_id: i64,
    #[serde(skip)]
    pub org_name: String,
    #[serde(skip)]
    pub author_user_id: Option<i64>,
    #[serde(skip)]
    pub entered_by_user_id: Option<i64>,
    /// `before`, `during` or `after`.
    pub stage: String,
    /// `named` or `anonymous`.
    pub attribution: String,
    pub situation_material: bool,
    pub text: String,
    pub theme_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Input {
    pub fn stage_label(&self) -> String {
        label(STAGES, &self.stage)
    }
    pub fn is_anonymous(&self) -> bool {
        self.attribution == "anonymous"
    }
}

/// Who the viewer is shown as having given `input`: the organisation's name when it chose to
/// be named, or when the viewer is one of the organisation's own users; `None` (show
/// "Anonym deltagare", [`ANONYMOUS`]) otherwise — organisers, other participants and readers
/// of the lägesbild included.
pub fn shown_attribution(viewer: &Viewer, input: &Input) -> Option<String> {
    if input.attribution == "named" || viewer.role_in(input.org_id).is_some() { Some(input.org_name.clone()) } else { None }
}

/// [`shown_attribution`] as text: the name or "Anonym deltagare".
pub fn shown_by(viewer: &Viewer, input: &Input) -> String {
    shown_attribution(viewer, input).unwrap_or_else(|| ANONYMOUS.to_owned())
}

/// An item as a page or the API shows it to the viewer: attribution applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shown {
    #[serde(flatten)]
    pub input: Input,
    /// The organisation's name, or "Anonym deltagare".
    pub by: String,
    /// The question's text (none: general input).
    pub question: Option<String>,
    /// Whether the viewer may change and withdraw it (while the consultation is open).
    pub editable: bool,
}

pub(crate) const SELECT: &str = "SELECT i.id, i.consultation_id, i.question_id, i.org_id, o.name AS org_name, i.author_user_id,
        i.entered_by_user_id, i.stage, i.attribution, i.situation_material, i.text, i.theme_id, i.created_at, i.updated_at
     FROM consultation_inputs i JOIN organisations o ON o.id = i.org_id JOIN consultations t ON t.id = i.consultation_id";

impl FromRow for Input {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: r.get("id")?,
            consultation_id: r.get("consultation_id")?,
            question_id: r.get("question_id")?,
            org_id: r.get("org_id")?,
            org_name: r.get("org_name")?,
            author_user_id: r.get("author_user_id")?,
            entered_by_user_id: r.get("entered_by_user_id")?,
            stage: r.get("stage")?,
            attribution: r.get("attribution")?,
            situation_material: r.get("situation_material")?,
            text: r.get("text")?,
            theme_id: r.get("theme_id")?,
            created_at: r.get("created_at")?,
            updated_at: r.get("updated_at")?,
        })
    }
}

/// The input of a consultation the viewer may read, oldest first: everything for its organisers,
/// the own organisation's items for a participant. Sharing is applied in the query.
pub fn list_for_consultation(db: &mut dyn Conn, v: &Viewer, consultation_id: i64) -> StoreResult<Vec<Input>> {
    let d = db.dialect();
    Ok(db.all(
        &format!(
            "{SELECT} WHERE i.consultation_id = $1 AND {} AND {} ORDER BY i.created_at, i.id",
            sharing::consultation_readable(d, "t", 2),
            sharing::consultation_input_readable(d, "i", "t", 2)
        ),
        &[consultation_id.into(), sharing::consultation_args(v)],
    )?)
}

/// One item, if the viewer may read it.
pub fn get(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<Input> {
    let d = db.dialect();
    db.opt(
        &format!(
            "{SELECT} WHERE i.id = $1 AND {} AND {}",
            sharing::consultation_readable(d, "t", 2),
            sharing::consultation_input_readable(d, "i", "t", 2)
        ),
        &[id.into(), sharing::consultation_args(v)],
    )?
    .ok_or(StoreError::not_found("input"))
}

/// The items of `consultation` shown to the viewer (attribution applied, question texts, what
/// it may change).
pub fn shown(db: &mut dyn Conn, v: &Viewer, c: &Consultation, now: i64) -> StoreResult<Vec<Shown>> {
    let list = list_for_consultation(db, v, c.id)?;
    Ok(list
        .into_iter()
        .map(|i| Shown {
            by: shown_by(v, &i),
            question: i.question_id.and_then(|q| c.questions.iter().find(|x| x.id == q).map(|x| x.text.clone())),
            editable: c.accepts_input(now) && may_change(v, c, &i),
            input: i,
        })
        .collect())
}

/// Whether the viewer may change and withdraw `i`: a user of the organisation that gave it,
/// or the organisers' note-takers for what they entered.
fn may_change(v: &Viewer, c: &Consultation, i: &Input) -> bool {
    allowed(v, Permission::TakePartInConsultation { org: i.org_id })
        || (i.entered_by_user_id.is_some() && c.organisers.iter().any(|o| allowed(v, Permission::OrganiseConsultation { org: *o })))
}

/// Whether the viewer writes for an organiser (a note-taker).
fn note_taker(v: &Viewer, c: &Consultation) -> bool {
    c.organisers.iter().any(|o| allowed(v, Permission::OrganiseConsultation { org: *o }))
}

/// The closing check: a closed (or not yet opened) consultation takes no input, with a message
/// naming the closing time.
fn check_open(errs: &mut FieldErrors, c: &Consultation, now: i64) {
    if c.status == "draft" {
        errs.push(FieldError::new(
            "text",
            "consultation.not_open",
            "Samrådet är inte öppnat än. Medskick kan lämnas när arrangören har öppnat det.",
        ));
    } else if !c.accepts_input(now) {
        let at = if c.status == "closed" && now < c.input_closes_at { c.updated_at } else { c.input_closes_at };
        errs.push(FieldError::new(
            "text",
            "consultation.closed",
            format!(
                "Samrådet stängde för medskick {}. Medskicket sparades inte; kontakta arrangören om ni vill lämna det ändå.",
                format_local(jiff::Timestamp::from_millisecond(at).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
            ),
        ));
    }
}

struct Checked {
    question_id: Option<i64>,
    stage: String,
    attribution: String,
    text: String,
}

fn check(errs: &mut FieldErrors, c: &Consultation, f: &InputForm, default_stage: &str) -> Option<Checked> {
    let text = match TEXT.parse(&f.text) {
        Ok(Some(t)) => Some(t),
        Ok(None) => {
            errs.push(FieldError::new("text", "required", "Medskicket saknas. Skriv vad ni vill skicka med."));
            None
        }
        Err(e) => {
            errs.push(e);
            None
        }
    };
    if let Some(q) = f.question_id
        && !c.questions.iter().any(|x| x.id == q)
    {
        errs.push(FieldError::new(
            "question_id",
            "consultation.unknown_question",
            "Frågan finns inte i samrådet. Välj en fråga ur listan.",
        ));
    }
    let stage = f.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default_stage).to_owned();
    if !known(STAGES, &stage) {
        errs.push(FieldError::new("stage", "consultation.stage", "Välj när medskicket lämnas: före, under eller efter mötet."));
    }
    let attribution = f.attribution.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("named").to_owned();
    if !known(ATTRIBUTIONS, &attribution) {
        errs.push(FieldError::new(
            "attribution",
            "consultation.attribution",
            "Välj om organisationen ska namnges (named) eller om medskicket ska vara anonymt (anonymous).",
        ));
    }
    Some(Checked { question_id: f.question_id, stage, attribution, text: text? })
}

/// Gives an item of input to consultation `consultation_id` at `now`: for one of the viewer's
/// invited organisations, or — a note-taker of an organiser — for the invited organisation
/// `f.org_id`. Nothing is written when the consultation is closed or the text refused.
pub fn give(db: &mut dyn Conn, v: &Viewer, consultation_id: i64, f: &InputForm, now: i64) -> StoreResult<Input> {
    let c = consultation::require(db, v, consultation_id)?;
    let own = participant_org(v, &c, f.org_id);
    let (org, author, entered_by, default_stage) = match own {
        Some(o) => (o, v.user_id(), None, "before"),
        None if note_taker(v, &c) => {
            let Some(o) = f.org_id.filter(|o| c.invited.iter().any(|i| i.id == *o)) else {
                return Err(StoreError::Invalid(FieldErrors::from(FieldError::new(
                    "org_id",
                    "consultation.participant",
                    "Välj vilken inbjuden organisation medskicket kommer från.",
                ))));
            };
            (o, None, v.user_id(), "during")
        }
        None => return Err(StoreError::Forbidden),
    };
    let mut errs = FieldErrors::new();
    check_open(&mut errs, &c, now);
    let checked = check(&mut errs, &c, f, default_stage);
    errs.into_result()?;
    let k = checked.expect("checked");
    let id: i64 = db.scalar(
        "INSERT INTO consultation_inputs (consultation_id, question_id, org_id, author_user_id, entered_by_user_id, stage, attribution,
            situation_material, text, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        args![
            consultation_id,
            k.question_id,
            org,
            author,
            entered_by,
            k.stage.as_str(),
            k.attribution.as_str(),
            f.situation_material,
            k.text.as_str(),
            now
        ],
    )?;
    let mut orgs = c.organisers.clone();
    orgs.push(org);
    audit::record(db, v, Event::new("consultation.input.create").record("consultation_input", id).orgs(&orgs))?;
    Ok(db.one(&format!("{SELECT} WHERE i.id = $1"), args![id])?)
}

fn load_for_change(db: &mut dyn Conn, v: &Viewer, id: i64) -> StoreResult<(Input, Consultation)> {
    let i = get(db, v, id)?;
    let c = consultation::require(db, v, i.consultation_id)?;
    if !may_change(v, &c, &i) {
        return Err(StoreError::Forbidden);
    }
    Ok((i, c))
}

/// Changes an item (its organisation's users; the note-taker's organisers for what was
/// entered during the meeting) while the consultation is open.
pub fn edit(db: &mut dyn Conn, v: &Viewer, id: i64, f: &InputForm, now: i64) -> StoreResult<Input> {
    let (before, c) = load_for_change(db, v, id)?;
    let mut errs = FieldErrors::new();
    check_open(&mut errs, &c, now);
    let checked = check(&mut errs, &c, f, &before.stage);
    errs.into_result()?;
    let k = checked.expect("checked");
    db.execute(
        "UPDATE consultation_inputs SET question_id = $1, stage = $2, attribution = $3, situation_material = $4, text = $5, updated_at = $6
         WHERE id = $7",
        args![k.question_id, k.stage.as_str(), k.attribution.as_str(), f.situation_material, k.text.as_str(), now, id],
    )?;
    let mut orgs = c.organisers.clone();
    orgs.push(before.org_id);
    audit::record(db, v, Event::new("consultation.input.update").record("consultation_input", id).orgs(&orgs))?;
    Ok(db.one(&format!("{SELECT} WHERE i.id = $1"), args![id])?)
}

/// Withdraws an item (who may change it) while the consultation is open.
pub fn withdraw(db: &mut dyn Conn, v: &Viewer, id: i64, now: i64) -> StoreResult<()> {
    let (before, c) = load_for_change(db, v, id)?;
    let mut errs = FieldErrors::new();
    check_open(&mut errs, &c, now);
    errs.into_result()?;
    db.execute("DELETE FROM consultation_inputs WHERE id = $1", args![id])?;
    let mut orgs = c.organisers.clone();
    orgs.push(before.org_id);
    audit::record(db, v, Event::new("consultation.input.withdraw").record("consultation_input", id).orgs(&orgs))?;
    Ok(())
}

/// The invited organisations the viewer may give input for (its own), or — a note-taker —
/// every invited organisation that has not declined, by name.
pub fn org_choices(v: &Viewer, c: &Consultation) -> Vec<(i64, String)> {
    let open: Vec<(i64, String)> =
        c.invited.iter().filter(|i| i.response.as_deref() != Some("declined")).map(|i| (i.id, i.name.clone())).collect();
    let own: Vec<(i64, String)> =
        open.iter().filter(|(o, _)| allowed(v, Permission::TakePartInConsultation { org: *o })).cloned().collect();
    if own.is_empty() && note_taker(v, c) { open } else { own }
}
