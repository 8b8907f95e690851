//! "Mina medskick": for the viewer's organisations, every item they gave, grouped by
//! consultation, with what became of it (the disposition: outcome and reason), what it changed
//! (each link shown with its title when the viewer may read the target or the organiser
//! published it in the compiled documentation, otherwise as its kind), and the published
//! versions of the compiled documentation. Read: the contributing organisations' own users only
//! (the query takes the viewer's organisations); nothing else is read or written here.

use std::collections::BTreeMap;

use serde::Serialize;

use super::input::{self, Input};
use super::{KINDS, OUTCOMES, label};
use crate::kernel::db::{Conn, ConnExt, Value};
use crate::kernel::error::StoreResult;
use crate::{Viewer, args};

/// What an item changed, as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangedLink {
    /// `situation`, `goal`, `measure`, `action` or `decision`.
    pub kind: String,
    /// The linked record's id.
    pub id: i64,
    /// "en insats i en åtgärdsplan" and the like: what is shown when the title is not.
    pub kind_label: String,
    /// The target's title, when the viewer may read it.
    pub title: Option<String>,
    /// Where to read it, when the viewer may.
    pub path: Option<String>,
}

/// One item with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyItem {
    pub input: Input,
    /// The organisation that gave it (the viewer's own).
    pub org_name: String,
    pub question: Option<String>,
    /// `adopted`, `partly`, `not_adopted`, `for_information`; none: "Inget besked än".
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub reason: Option<String>,
    pub links: Vec<ChangedLink>,
}

/// A published version of the compiled documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedVersion {
    pub version: i64,
    pub note: Option<String>,
    pub published_at: i64,
}

/// One consultation with the viewer's organisations' items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyConsultation {
    pub consultation_id: i64,
    pub title: String,
    pub kind_label: String,
    pub lead_org_name: String,
    pub meets_at: Option<i64>,
    pub status: String,
    pub items: Vec<MyItem>,
    pub documents: Vec<PublishedVersion>,
}

/// The Swedish wording of a link's kind when its title is not shown.
pub fn link_kind_label(kind: &str) -> &'static str {
    match kind {
        "situation" => "ett avsnitt i en lägesbild",
        "goal" => "ett mål i en åtgärdsplan",
        "measure" => "en insats i en åtgärdsplan",
        "action" => "en åtgärd i ett forum",
        "decision" => "ett beslut i en styrgrupp",
        _ => "ett dokument",
    }
}

/// Every item the viewer's organisations gave, grouped by consultation (the latest first).
pub fn mine(db: &mut dyn Conn, v: &Viewer) -> StoreResult<Vec<MyConsultation>> {
    let orgs = Value::IntList(v.org_ids());
    let d = db.dialect();
    let items: Vec<Input> =
        db.all(&format!("{} WHERE {} ORDER BY i.consultation_id, i.created_at, i.id", input::SELECT, d.in_list("i.org_id", 1)), &[orgs])?;
    let mut out: Vec<MyConsultation> = Vec::new();
    let mut by_consultation: BTreeMap<i64, Vec<Input>> = BTreeMap::new();
    for i in items {
        by_consultation.entry(i.consultation_id).or_default().push(i);
    }
    for (cid, list) in by_consultation {
        let head = db.map_one(
            "SELECT c.title, c.kind, c.meets_at, c.status, o.name FROM consultations c JOIN organisations o ON o.id = c.lead_org_id WHERE c.id = $1",
            args![cid],
            |r| {
                Ok((
                    r.get::<String>("title")?,
                    r.get::<String>("kind")?,
                    r.get::<Option<i64>>("meets_at")?,
                    r.get::<String>("status")?,
                    r.get::<String>("name")?,
                ))
            },
        )?;
        let questions: BTreeMap<i64, String> = db
            .map_all("SELECT id, text FROM consultation_questions WHERE consultation_id = $1", args![cid], |r| {
                Ok((r.get("id")?, r.get("text")?))
            })?
            .into_iter()
            .collect();
        let mut items = Vec::new();
        for i in list {
            let disposition =
                db.map_opt("SELECT outcome, reason FROM consultation_dispositions WHERE input_id = $1", args![i.id], |r| {
                    Ok((r.get::<String>("outcome")?, r.get::<String>("reason")?))
                })?;
            let raw: Vec<(String, i64)> = db.map_all(
                "SELECT target_kind, target_id FROM consultation_disposition_links WHERE input_id = $1 ORDER BY target_kind, target_id",
                args![i.id],
                |r| Ok((r.get("target_kind")?, r.get("target_id")?)),
            )?;
            let mut links = Vec::new();
            for (kind, id) in raw {
                let t = super::dispositions::resolve(db, v, &kind, id)?;
                links.push(ChangedLink {
                    kind_label: link_kind_label(&kind).to_owned(),
                    title: t.as_ref().map(|x| x.0.clone()),
                    path: t.map(|x| x.1),
                    kind,
                    id,
                });
            }
            items.push(MyItem {
                org_name: i.org_name.clone(),
                question: i.question_id.and_then(|q| questions.get(&q).cloned()),
                outcome_label: disposition.as_ref().map(|(o, _)| label(OUTCOMES, o)),
                outcome: disposition.as_ref().map(|(o, _)| o.clone()),
                reason: disposition.map(|(_, r)| r),
                links,
                input: i,
            });
        }
        // A target the viewer may not read is named as the organiser published it, if it was.
        if items.iter().any(|i: &MyItem| i.links.iter().any(|l| l.title.is_none()))
            && let Ok(doc) = super::compiled::published(db, v, cid, None)
        {
            let published: BTreeMap<(i64, String, i64), String> = doc
                .themes
                .iter()
                .flat_map(|t| &t.items)
                .flat_map(|i| i.links.iter().filter_map(move |l| Some(((i.input_id, l.kind.clone(), l.id), l.title.clone()?))))
                .collect();
            for item in &mut items {
                for l in item.links.iter_mut().filter(|l| l.title.is_none()) {
                    l.title = published.get(&(item.input.id, l.kind.clone(), l.id)).cloned();
                }
            }
        }
        let documents = db.map_all(
            "SELECT version, note, published_at FROM consultation_documents WHERE consultation_id = $1 ORDER BY version DESC",
            args![cid],
            |r| Ok(PublishedVersion { version: r.get("version")?, note: r.get("note")?, published_at: r.get("published_at")? }),
        )?;
        let (title, kind, meets_at, status, lead) = head;
        out.push(MyConsultation {
            consultation_id: cid,
            title,
            kind_label: label(KINDS, &kind),
            lead_org_name: lead,
            meets_at,
            status,
            items,
            documents,
        });
    }
    out.sort_by_key(|c| std::cmp::Reverse((c.meets_at, c.consultation_id)));
    Ok(out)
}
