//! An organisation's directory profile: what it works with (themes), for whom (target groups),
//! in which languages, the areas it serves, its own contact details, and whether the profile is
//! public. The base record — name, kind, description, website, municipalities (approved claims)
//! and the `public_profile` flag — stays in `accounts::orgs`; this module extends it.
//!
//! Read: like the base record (every signed-in user; anyone when the profile is public). Write:
//! [`Action::EditDirectory`] of the organisation.

use brygga_domain::text::TextRule;
use brygga_domain::{FieldError, FieldErrors};
use serde::{Deserialize, Serialize};

use super::codes::{self, List};
use crate::accounts::orgs::{self, Organisation};
use crate::kernel::access::{self, Action};
use crate::kernel::audit::{self, Event};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::kernel::index::{self, Document, Reader};
use crate::{Viewer, args, now_ms};

pub const CONTACT_EMAIL: TextRule = TextRule::line("contact_email", "E-postadressen", 200).optional().contact_detail();
pub const CONTACT_PHONE: TextRule = TextRule::line("contact_phone", "Telefonnumret", 40).optional().contact_detail();

/// An area the organisation serves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServedArea {
    pub id: i64,
    pub name: String,
    pub municipality_code: String,
}

/// The base record and the directory's part of the profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub organisation: Organisation,
    pub themes: Vec<String>,
    pub target_groups: Vec<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub areas: Vec<ServedArea>,
    /// Increases with every change of the directory part; send it back when updating.
    pub version: i64,
}

/// The profile of organisation `org_id`, as the viewer may see it (not found for an anonymous
/// viewer when the profile is not public).
pub fn get(db: &mut dyn Conn, v: &Viewer, org_id: i64) -> StoreResult<Profile> {
    let organisation = orgs::get(db, v, org_id)?;
    let row = db.map_opt(
        "SELECT themes, target_groups, languages, contact_email, contact_phone, version FROM directory_profiles WHERE org_id = $1",
        args![org_id],
        |r| {
            Ok((
                r.get::<String>("themes")?,
                r.get::<String>("target_groups")?,
                r.get::<String>("languages")?,
                r.get::<Option<String>>("contact_email")?,
                r.get::<Option<String>>("contact_phone")?,
                r.get::<i64>("version")?,
            ))
        },
    )?;
    let (themes, target_groups, languages, contact_email, contact_phone, version) =
        row.unwrap_or((String::new(), String::new(), String::new(), None, None, 0));
    let mut areas: Vec<ServedArea> = db.map_all(
        "SELECT a.id, a.name, a.municipality_code FROM directory_profile_areas pa JOIN areas a ON a.id = pa.area_id WHERE pa.org_id = $1",
        args![org_id],
        |r| Ok(ServedArea { id: r.get("id")?, name: r.get("name")?, municipality_code: r.get("municipality_code")? }),
    )?;
    areas.sort_by_key(|a| crate::sort_key(&a.name));
    Ok(Profile {
        organisation,
        themes: codes::split(&themes),
        target_groups: codes::split(&target_groups),
        languages: codes::split(&languages),
        contact_email,
        contact_phone,
        areas,
        version,
    })
}

/// What a form or an API call sends.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// ISO 639-1 codes: `sv`, `en`, `ar`, …
    #[serde(default)]
    pub languages: Vec<String>,
    /// The organisation's own e-mail address for the public.
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Areas (places) in municipalities the organisation serves.
    #[serde(default)]
    pub area_ids: Vec<i64>,
    /// Publish the profile (and with it the organisation's published offers).
    #[serde(default)]
    pub public_profile: bool,
    /// The version read (optimistic lock); none: overwrite.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes the directory profile of `org_id` and whether it is public.
pub fn update(db: &mut dyn Conn, v: &Viewer, org_id: i64, input: &ProfileInput) -> StoreResult<Profile> {
    access::require(v, Action::EditDirectory { org: org_id })?;
    let before = get(db, v, org_id)?;
    if input.version.is_some_and(|e| e != before.version) {
        return Err(StoreError::Stale);
    }
    let mut errs = FieldErrors::new();
    let themes = errs.take(codes::parse_list("themes", List::Themes, &input.themes)).unwrap_or_default();
    let target_groups = errs.take(codes::parse_list("target_groups", List::TargetGroups, &input.target_groups)).unwrap_or_default();
    let languages = errs.take(codes::parse_list("languages", List::Languages, &input.languages)).unwrap_or_default();
    let email = errs
        .take(CONTACT_EMAIL.parse(input.contact_email.as_deref().unwrap_or("")).and_then(|e| match e {
            Some(e) if brygga_domain::account::Email::parse(&e).is_err() => Err(FieldError::new(
                "contact_email",
                "email.invalid",
                format!("”{e}” är ingen e-postadress. Skriv till exempel info@forening.se."),
            )),
            e => Ok(e),
        }))
        .flatten();
    let phone = errs.take(CONTACT_PHONE.parse(input.contact_phone.as_deref().unwrap_or(""))).flatten();
    let mut area_ids: Vec<i64> = input.area_ids.clone();
    area_ids.sort_unstable();
    area_ids.dedup();
    for a in &area_ids {
        let municipality: Option<String> = db.scalar_opt("SELECT municipality_code FROM areas WHERE id = $1", args![*a])?;
        if !municipality.is_some_and(|m| before.organisation.municipalities.contains(&m)) {
            errs.push(FieldError::new(
                "area_ids",
                "profile.area_not_served",
                "Ett av områdena ligger inte i en kommun där organisationen verkar. Välj områden i organisationens kommuner.",
            ));
            break;
        }
    }
    errs.into_result().map_err(StoreError::Invalid)?;
    let now = now_ms();
    db.execute(
        "INSERT INTO directory_profiles (org_id, themes, target_groups, languages, contact_email, contact_phone, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7)
         ON CONFLICT (org_id) DO UPDATE SET themes = excluded.themes, target_groups = excluded.target_groups, languages = excluded.languages,
            contact_email = excluded.contact_email, contact_phone = excluded.contact_phone,
            version = directory_profiles.version + 1, updated_at = excluded.updated_at",
        args![org_id, codes::join(&themes), codes::join(&target_groups), codes::join(&languages), email.as_deref(), phone.as_deref(), now],
    )?;
    db.execute("DELETE FROM directory_profile_areas WHERE org_id = $1", args![org_id])?;
    for a in &area_ids {
        db.execute("INSERT INTO directory_profile_areas (org_id, area_id) VALUES ($1, $2)", args![org_id, *a])?;
    }
    let mut fields = vec!["directory_profile"];
    if before.organisation.public_profile != input.public_profile {
        db.execute(
            "UPDATE organisations SET public_profile = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            args![input.public_profile, now, org_id],
        )?;
        fields.push("public_profile");
        crate::accounts::orgs::touch_offers(db, org_id)?;
    }
    audit::record(db, v, Event::new("directory.profile_update").record("organisation", org_id).org(org_id).fields(&fields))?;
    index::touch(db, "organisation", org_id)?;
    get(db, v, org_id)
}

/// The organisation as the search index holds it: every signed-in user reads an organisation's
/// base record; anyone when its profile is public. `None` when the organisation is gone.
pub fn search_document(db: &mut dyn Conn, id: i64) -> StoreResult<Option<Document>> {
    let p = match get(db, &Viewer::system(), id) {
        Ok(p) => p,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let o = &p.organisation;
    let mut body: Vec<String> = vec![o.kind.label().to_owned()];
    body.extend(o.description.clone());
    body.extend(p.themes.iter().filter_map(|c| List::Themes.label(c)).map(str::to_owned));
    body.extend(p.target_groups.iter().filter_map(|c| List::TargetGroups.label(c)).map(str::to_owned));
    body.extend(p.areas.iter().map(|a| a.name.clone()));
    let mut readers = vec![Reader::SignedIn];
    if o.public_profile {
        readers.push(Reader::Public);
    }
    Ok(Some(Document {
        kind: "organisation",
        id,
        title: o.name.clone(),
        body: body.join("\n"),
        municipalities: o.municipalities.clone(),
        path: format!("/katalog/organisationer/{id}"),
        readers,
        updated_at_ms: o.updated_at_ms,
    }))
}
