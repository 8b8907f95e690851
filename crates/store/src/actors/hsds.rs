//! Open Referral HSDS 3.0: the directory as HSDS JSON (a list of `organization` objects, each with
//! its `services`, their `schedules`, `service_areas`, `service_at_locations`, `cost_options` and
//! `attributes` for Brygga's theme and target-group taxonomies), and the import of an
//! organisation's own offers from the same shape. The mapping is documented in
//! docs/DIRECTORY-FORMAT.md; the export is validated against the published schema
//! (tests/reference/hsds/, tests/reference/test_hsds.py).
//!
//! Identifiers are UUIDs derived from Brygga's ids (`{kind:08x}-0000-4000-8000-{id:012x}`), so an
//! export imported again updates the same offers.

use std::collections::BTreeMap;

use brygga_domain::geography;
use brygga_domain::{FieldError, FieldErrors};
use serde_json::{Value as Json, json};

use super::codes::{self, List};
use super::offers::{self, Offer, OfferInput, ScheduleInput};
use crate::kernel::access::{self, Action};
use crate::kernel::db::{Conn, ConnExt};
use crate::kernel::error::{StoreError, StoreResult};
use crate::{Viewer, args};

/// The taxonomy (HSDS `taxonomy_term.taxonomy`) of Brygga's themes.
pub const THEME_TAXONOMY: &str = "brygga-teman";
/// The taxonomy of Brygga's target groups.
pub const TARGET_GROUP_TAXONOMY: &str = "brygga-malgrupper";

const ORGANIZATION: u32 = 1;
const SERVICE: u32 = 2;
const SCHEDULE: u32 = 3;
const LOCATION: u32 = 4;
const SERVICE_AREA: u32 = 5;
const ATTRIBUTE: u32 = 6;
const TERM: u32 = 7;
const COST: u32 = 8;
const SERVICE_AT_LOCATION: u32 = 9;
const PHONE: u32 = 10;

/// A UUID for Brygga record `id` of `kind`.
pub fn uuid(kind: u32, id: i64) -> String {
    format!("{kind:08x}-0000-4000-8000-{:012x}", id.max(0))
}

/// The Brygga id in a UUID made by [`uuid`] for `kind`.
pub fn id_of(kind: u32, uuid: &str) -> Option<i64> {
    let prefix = format!("{kind:08x}-0000-4000-8000-");
    let rest = uuid.strip_prefix(&prefix)?;
    (rest.len() == 12).then(|| i64::from_str_radix(rest, 16).ok()).flatten()
}

fn term_index(list: List, code: &str) -> i64 {
    let pairs = match list {
        List::Themes => brygga_domain::actors::THEMES,
        List::TargetGroups => brygga_domain::actors::TARGET_GROUPS,
        List::Languages => codes::LANGUAGES,
    };
    let base = match list {
        List::Themes => 0,
        List::TargetGroups => 1000,
        List::Languages => 2000,
    };
    base + pairs.iter().position(|(c, _)| *c == code).map_or(999, |i| i as i64)
}

fn status_of(code: &str) -> &'static str {
    match code {
        "active" => "active",
        "paused" => "temporarily closed",
        _ => "defunct",
    }
}

fn service(o: &Offer) -> Json {
    let sid = uuid(SERVICE, o.id);
    let mut attributes = Vec::new();
    for (list, taxonomy, codes_) in
        [(List::Themes, THEME_TAXONOMY, &o.themes), (List::TargetGroups, TARGET_GROUP_TAXONOMY, &o.target_groups)]
    {
        for code in codes_ {
            let t = term_index(list, code);
            attributes.push(json!({
                "id": uuid(ATTRIBUTE, o.id * 10_000 + t),
                "link_id": sid,
                "link_type": if list == List::Themes { "service_category" } else { "target_group" },
                "link_entity": "service",
                "taxonomy_term_id": uuid(TERM, t),
                "taxonomy_term": {
                    "id": uuid(TERM, t),
                    "code": code,
                    "name": list.label(code).unwrap_or(code),
                    "description": list.label(code).unwrap_or(code),
                    "taxonomy": taxonomy,
                    "language": "sv",
                },
            }));
        }
    }
    let schedules: Vec<Json> = o
        .schedules
        .iter()
        .map(|s| {
            let mut j = json!({
                "id": uuid(SCHEDULE, s.id),
                "service_id": sid,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": codes::ICAL_DAYS[(s.weekday - 1).clamp(0, 6) as usize],
                "opens_at": s.opens_at,
                "closes_at": s.closes_at,
                "description": s.describe(),
                "notes": "Tider i svensk tid (Europe/Stockholm).",
            });
            if let Some(f) = &s.valid_from {
                j["valid_from"] = json!(f);
            }
            if let Some(t) = &s.valid_to {
                j["valid_to"] = json!(t);
            }
            j
        })
        .collect();
    let mut j = json!({
        "id": sid,
        "organization_id": uuid(ORGANIZATION, o.org_id),
        "name": o.name,
        "status": status_of(&o.status),
        "schedules": schedules,
        "attributes": attributes,
        "service_areas": [{
            "id": uuid(SERVICE_AREA, o.municipality_code.parse::<i64>().unwrap_or(0)),
            "service_id": sid,
            "name": o.municipality_name,
            "description": format!("Kommun {}", o.municipality_code),
        }],
        "languages": [],
    });
    let set = |j: &mut Json, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            j[k] = json!(v);
        }
    };
    set(&mut j, "description", &o.description);
    set(&mut j, "eligibility_description", &o.eligibility);
    set(&mut j, "application_process", &o.how_to_join);
    set(&mut j, "email", &o.contact_email);
    set(&mut j, "url", &o.contact_url);
    set(&mut j, "assured_date", &o.verified_on);
    if let Some(a) = o.age_from {
        j["minimum_age"] = json!(a);
    }
    if let Some(a) = o.age_to {
        j["maximum_age"] = json!(a);
    }
    if o.free {
        j["cost_options"] = json!([{ "id": uuid(COST, o.id), "service_id": sid, "option": "Gratis", "amount": 0, "currency": "SEK" }]);
    } else {
        set(&mut j, "fees_description", &o.cost_text.clone().or_else(|| Some("Avgift".into())));
        j["cost_options"] = json!([]);
    }
    if let Some(p) = &o.contact_phone {
        j["phones"] = json!([{ "id": uuid(PHONE, o.id), "service_id": sid, "number": p }]);
    }
    if o.place_name.is_some() || o.lat.is_some() {
        let mut loc = json!({ "id": uuid(LOCATION, o.id), "location_type": "physical", "organization_id": uuid(ORGANIZATION, o.org_id) });
        set(&mut loc, "name", &o.place_name.clone().or_else(|| o.area_name.clone()));
        if let (Some(lat), Some(lon)) = (o.lat, o.lon) {
            loc["latitude"] = json!((lat * 1e6).round() / 1e6);
            loc["longitude"] = json!((lon * 1e6).round() / 1e6);
        }
        j["service_at_locations"] = json!([{
            "id": uuid(SERVICE_AT_LOCATION, o.id),
            "service_id": sid,
            "location_id": uuid(LOCATION, o.id),
            "location": loc,
        }]);
    }
    j
}

/// The organisations of `offers` (published ones, as the directory lists them) with their
/// services, as HSDS 3.0 `organization` objects.
pub fn export(db: &mut dyn Conn, offers: &[Offer]) -> StoreResult<Json> {
    let mut by_org: BTreeMap<i64, Vec<&Offer>> = BTreeMap::new();
    for o in offers {
        by_org.entry(o.org_id).or_default().push(o);
    }
    let mut out = Vec::new();
    for (org_id, list) in by_org {
        let (name, description, website, org_number): (String, Option<String>, Option<String>, Option<String>) =
            db.map_one("SELECT name, description, website, org_number FROM organisations WHERE id = $1", args![org_id], |r| {
                Ok((r.get("name")?, r.get("description")?, r.get("website")?, r.get("org_number")?))
            })?;
        let email: Option<String> =
            db.scalar_opt::<Option<String>>("SELECT contact_email FROM directory_profiles WHERE org_id = $1", args![org_id])?.flatten();
        let mut j = json!({
            "id": uuid(ORGANIZATION, org_id),
            "name": name,
            "description": description.unwrap_or_else(|| name.clone()),
            "services": list.iter().map(|o| service(o)).collect::<Vec<_>>(),
        });
        if let Some(w) = website {
            j["website"] = json!(w);
        }
        if let Some(e) = email {
            j["email"] = json!(e);
        }
        if let Some(n) = org_number {
            j["tax_id"] = json!(n);
        }
        out.push(j);
    }
    Ok(Json::Array(out))
}

/// What [`import`] did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Imported {
    pub created: Vec<i64>,
    pub updated: Vec<i64>,
}

const ORG_FIELDS: &[&str] = &["id", "name", "description", "website", "email", "tax_id", "services"];
const SERVICE_FIELDS: &[&str] = &[
    "id",
    "organization_id",
    "name",
    "description",
    "status",
    "schedules",
    "attributes",
    "service_areas",
    "languages",
    "eligibility_description",
    "application_process",
    "email",
    "url",
    "assured_date",
    "minimum_age",
    "maximum_age",
    "cost_options",
    "fees_description",
    "phones",
    "service_at_locations",
];
const SCHEDULE_FIELDS: &[&str] =
    &["id", "service_id", "freq", "wkst", "byday", "opens_at", "closes_at", "description", "notes", "valid_from", "valid_to"];
const ATTRIBUTE_FIELDS: &[&str] = &["id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "taxonomy_term"];
const TERM_FIELDS: &[&str] = &["id", "code", "name", "description", "taxonomy", "language"];
const AREA_FIELDS: &[&str] = &["id", "service_id", "name", "description"];
const COST_FIELDS: &[&str] = &["id", "service_id", "option", "amount", "currency", "amount_description"];
const PHONE_FIELDS: &[&str] = &["id", "service_id", "number"];
const SAL_FIELDS: &[&str] = &["id", "service_id", "location_id", "location"];
const LOCATION_FIELDS: &[&str] = &["id", "location_type", "organization_id", "name", "latitude", "longitude"];

/// Refuses every member of `obj` not in `allowed`, naming it by its path.
fn known_fields(errs: &mut FieldErrors, path: &str, obj: &Json, allowed: &[&str]) {
    match obj.as_object() {
        Some(map) => {
            for k in map.keys() {
                if !allowed.contains(&k.as_str()) {
                    errs.push(FieldError::new(
                        format!("{path}.{k}"),
                        "hsds.unknown_field",
                        format!("Fältet ”{path}.{k}” känner Brygga inte till. Ta bort det; Brygga läser: {}.", allowed.join(", ")),
                    ));
                }
            }
        }
        None => errs.push(FieldError::new(path, "hsds.not_object", format!("”{path}” ska vara ett objekt ({{…}})."))),
    }
}

fn text(j: &Json, k: &str) -> Option<String> {
    j.get(k).and_then(Json::as_str).map(str::to_owned)
}

fn array<'a>(errs: &mut FieldErrors, path: &str, j: &'a Json, k: &str) -> &'a [Json] {
    match j.get(k) {
        None | Some(Json::Null) => &[],
        Some(Json::Array(a)) => a,
        Some(_) => {
            errs.push(FieldError::new(format!("{path}.{k}"), "hsds.not_array", format!("”{path}.{k}” ska vara en lista ([…]).")));
            &[]
        }
    }
}

/// Reads one HSDS service into an offer input; problems under `services[i]…`.
fn read_service(errs: &mut FieldErrors, path: &str, s: &Json) -> OfferInput {
    known_fields(errs, path, s, SERVICE_FIELDS);
    let mut input = OfferInput {
        name: text(s, "name").unwrap_or_default(),
        description: text(s, "description"),
        eligibility: text(s, "eligibility_description"),
        how_to_join: text(s, "application_process"),
        contact_email: text(s, "email"),
        contact_url: text(s, "url"),
        published: false,
        ..OfferInput::default()
    };
    let age = |errs: &mut FieldErrors, k: &str| match s.get(k) {
        None | Some(Json::Null) => None,
        Some(v) => match v.as_f64() {
            Some(a) if a.fract() == 0.0 => Some(a as i64),
            _ => {
                errs.push(FieldError::new(format!("{path}.{k}"), "hsds.age", format!("”{path}.{k}” ska vara en ålder i hela år.")));
                None
            }
        },
    };
    input.age_from = age(errs, "minimum_age");
    input.age_to = age(errs, "maximum_age");
    input.status = Some(
        match text(s, "status").as_deref() {
            Some("active") | None => "active",
            Some("temporarily closed") | Some("inactive") => "paused",
            Some("defunct") => "ended",
            Some(other) => {
                errs.push(FieldError::new(
                    format!("{path}.status"),
                    "hsds.status",
                    format!("Statusen ”{other}” finns inte i HSDS. Använd active, inactive, defunct eller temporarily closed."),
                ));
                "active"
            }
        }
        .into(),
    );
    for (i, a) in array(errs, path, s, "attributes").iter().enumerate() {
        let ap = format!("{path}.attributes[{i}]");
        known_fields(errs, &ap, a, ATTRIBUTE_FIELDS);
        let Some(t) = a.get("taxonomy_term") else {
            errs.push(FieldError::new(format!("{ap}.taxonomy_term"), "required", format!("”{ap}” saknar taxonomy_term.")));
            continue;
        };
        let tp = format!("{ap}.taxonomy_term");
        known_fields(errs, &tp, t, TERM_FIELDS);
        let code = text(t, "code").unwrap_or_default();
        match text(t, "taxonomy").as_deref() {
            Some(THEME_TAXONOMY) if List::Themes.label(&code).is_some() => input.themes.push(code),
            Some(TARGET_GROUP_TAXONOMY) if List::TargetGroups.label(&code).is_some() => input.target_groups.push(code),
            Some(tax @ (THEME_TAXONOMY | TARGET_GROUP_TAXONOMY)) => errs.push(FieldError::new(
                format!("{tp}.code"),
                "hsds.unknown_term",
                format!("Termen ”{code}” finns inte i taxonomin ”{tax}”. Använd en av Bryggas koder (se docs/DIRECTORY-FORMAT.md)."),
            )),
            other => errs.push(FieldError::new(
                format!("{tp}.taxonomy"),
                "hsds.unknown_taxonomy",
                format!(
                    "Taxonomin ”{}” känner Brygga inte till. Använd ”{THEME_TAXONOMY}” för teman eller ”{TARGET_GROUP_TAXONOMY}” för målgrupper.",
                    other.unwrap_or("")
                ),
            )),
        }
    }
    let areas = array(errs, path, s, "service_areas");
    for (i, a) in areas.iter().enumerate() {
        known_fields(errs, &format!("{path}.service_areas[{i}]"), a, AREA_FIELDS);
    }
    match areas.first().and_then(|a| text(a, "name")) {
        Some(name) => match geography::municipality_by_name(&name) {
            Some(m) => input.municipality_code = m.code.to_owned(),
            None => errs.push(FieldError::new(
                format!("{path}.service_areas[0].name"),
                "hsds.municipality",
                format!("”{name}” är ingen svensk kommun. Skriv kommunens namn, till exempel Hässleholm."),
            )),
        },
        None => errs.push(FieldError::new(
            format!("{path}.service_areas"),
            "required",
            format!("”{path}” saknar service_areas: ange kommunen där erbjudandet finns, till exempel {{\"name\": \"Hässleholm\"}}."),
        )),
    }
    let costs = array(errs, path, s, "cost_options");
    for (i, c) in costs.iter().enumerate() {
        known_fields(errs, &format!("{path}.cost_options[{i}]"), c, COST_FIELDS);
    }
    input.free = costs.iter().any(|c| c.get("amount").and_then(Json::as_f64) == Some(0.0));
    input.cost_text = text(s, "fees_description");
    for (i, p) in array(errs, path, s, "phones").iter().enumerate() {
        known_fields(errs, &format!("{path}.phones[{i}]"), p, PHONE_FIELDS);
        if i == 0 {
            input.contact_phone = text(p, "number");
        }
    }
    if !array(errs, path, s, "languages").is_empty() {
        errs.push(FieldError::new(
            format!("{path}.languages"),
            "hsds.languages",
            "Brygga läser inte språk per erbjudande än; lämna listan tom.",
        ));
    }
    for (i, sal) in array(errs, path, s, "service_at_locations").iter().enumerate() {
        let sp = format!("{path}.service_at_locations[{i}]");
        known_fields(errs, &sp, sal, SAL_FIELDS);
        if let Some(loc) = sal.get("location") {
            known_fields(errs, &format!("{sp}.location"), loc, LOCATION_FIELDS);
            if i == 0 {
                input.place_name = text(loc, "name");
                input.lat = loc.get("latitude").and_then(Json::as_f64);
                input.lon = loc.get("longitude").and_then(Json::as_f64);
            }
        }
    }
    for (i, sc) in array(errs, path, s, "schedules").iter().enumerate() {
        let sp = format!("{path}.schedules[{i}]");
        known_fields(errs, &sp, sc, SCHEDULE_FIELDS);
        if let Some(f) = text(sc, "freq").filter(|f| f != "WEEKLY") {
            errs.push(FieldError::new(format!("{sp}.freq"), "hsds.freq", format!("Brygga läser bara veckoscheman (WEEKLY), inte ”{f}”.")));
        }
        let days = text(sc, "byday").unwrap_or_default();
        let mut any = false;
        for d in days.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            match codes::ICAL_DAYS.iter().position(|c| *c == d) {
                Some(w) => {
                    any = true;
                    input.schedules.push(ScheduleInput {
                        weekday: w as i64 + 1,
                        opens_at: text(sc, "opens_at").unwrap_or_default(),
                        closes_at: text(sc, "closes_at").unwrap_or_default(),
                        valid_from: text(sc, "valid_from"),
                        valid_to: text(sc, "valid_to"),
                    })
                }
                None => errs.push(FieldError::new(
                    format!("{sp}.byday"),
                    "hsds.byday",
                    format!("”{d}” är ingen veckodag i iCal-form. Använd MO, TU, WE, TH, FR, SA eller SU."),
                )),
            }
        }
        if !any && errs.get(&format!("{sp}.byday")).is_none() {
            errs.push(FieldError::new(format!("{sp}.byday"), "required", format!("”{sp}” saknar byday (veckodag, till exempel FR).")));
        }
    }
    input
}

/// Imports HSDS services as `org_id`'s offers: an `organization` object (its `services` are
/// read; its own fields change nothing) or a list of `service` objects. A service whose `id` is
/// one of the organisation's offers (from an export) updates it; any other creates an offer,
/// unpublished. Every field Brygga does not read and every unknown taxonomy term is refused by
/// name, and nothing is written unless every service is valid.
pub fn import(db: &mut dyn Conn, v: &Viewer, org_id: i64, body: &str) -> StoreResult<Imported> {
    access::require(v, Action::EditDirectory { org: org_id })?;
    let doc: Json = serde_json::from_str(body).map_err(|e| {
        StoreError::invalid(FieldError::new(
            "file",
            "hsds.json",
            format!("Filen är inte giltig JSON (rad {}, kolumn {}). Kontrollera filen.", e.line(), e.column()),
        ))
    })?;
    let mut errs = FieldErrors::new();
    let services: Vec<(String, &Json)> = match &doc {
        Json::Object(_) => {
            known_fields(&mut errs, "organization", &doc, ORG_FIELDS);
            array(&mut errs, "organization", &doc, "services").iter().enumerate().map(|(i, s)| (format!("services[{i}]"), s)).collect()
        }
        Json::Array(list) => list.iter().enumerate().map(|(i, s)| (format!("services[{i}]"), s)).collect(),
        _ => Vec::new(),
    };
    if services.is_empty() && errs.is_empty() {
        errs.push(FieldError::new(
            "file",
            "hsds.empty",
            "Filen innehåller inga tjänster (services). Exportera från katalogen för ett exempel.",
        ));
    }
    let mut planned: Vec<(String, Option<i64>, OfferInput)> = Vec::new();
    for (path, s) in services {
        let input = read_service(&mut errs, &path, s);
        if let Err(found) = input.validate() {
            for e in found.0 {
                errs.push(FieldError { field: format!("{path}.{}", e.field), ..e });
            }
        }
        let existing = text(s, "id").and_then(|u| id_of(SERVICE, &u));
        let existing = match existing {
            Some(id) => db.scalar_opt::<i64>("SELECT id FROM offers WHERE id = $1 AND org_id = $2", args![id, org_id])?,
            None => None,
        };
        planned.push((path, existing, input));
    }
    errs.into_result().map_err(StoreError::Invalid)?;
    let mut out = Imported::default();
    for (path, existing, input) in planned {
        let result = match existing {
            Some(id) => {
                let published = offers::get(db, v, id)?.published;
                offers::update(db, v, id, None, &OfferInput { published, ..input }).map(|o| (o.id, false))
            }
            None => offers::create(db, v, org_id, &input).map(|o| (o.id, true)),
        };
        match result {
            Ok((id, true)) => out.created.push(id),
            Ok((id, false)) => out.updated.push(id),
            Err(StoreError::Invalid(found)) => {
                return Err(StoreError::Invalid(FieldErrors(
                    found.0.into_iter().map(|e| FieldError { field: format!("{path}.{}", e.field), ..e }).collect(),
                )));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_round_trip_per_kind() {
        let u = uuid(SERVICE, 4711);
        assert_eq!(u, "00000002-0000-4000-8000-000000001267");
        assert_eq!(id_of(SERVICE, &u), Some(4711));
        assert_eq!(id_of(ORGANIZATION, &u), None);
    }

    #[test]
    fn unknown_fields_and_terms_are_named() {
        let mut errs = FieldErrors::new();
        let s = json!({
            "name": "Fotboll", "bogus": 1,
            "attributes": [{ "taxonomy_term": { "code": "fotboll", "taxonomy": THEME_TAXONOMY } }],
            "service_areas": [{ "name": "Hässleholm" }]
        });
        let input = read_service(&mut errs, "services[0]", &s);
        assert_eq!(errs.get("services[0].bogus").unwrap().code, "hsds.unknown_field");
        assert_eq!(errs.get("services[0].attributes[0].taxonomy_term.code").unwrap().code, "hsds.unknown_term");
        assert_eq!(input.municipality_code, "1293");
    }
}
