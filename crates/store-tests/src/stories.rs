//! Conformance stories: each takes a migrated, empty [`Store`] and must pass on every backend.

use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::auth::{self, SessionPolicy, SessionState, TokenState};
use brygga_store::accounts::contacts::{self, ContactInput};
use brygga_store::accounts::orgs::{self, OrganisationInput};
use brygga_store::accounts::users::{self, NewUserInput};
use brygga_store::forums::consent::{self, Answer};
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store::{ConnExt, Origin, Store, StoreError, Via, Viewer, Visibility, kernel::audit, places::geography};

/// Creates an organisation as the command-line operator.
pub async fn org(store: &Store, name: &str, kind: OrgKind, municipalities: &[&str]) -> i64 {
    let input = OrganisationInput {
        name: name.into(),
        kind: kind.code().into(),
        municipalities: municipalities.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let valid = input.validate().expect("valid organisation");
    store.write(move |db| orgs::create(db, &Viewer::command_line(), &valid)).await.expect("create organisation").id
}

pub const PASSWORD: &str = "korrekt häst batteri";

/// Creates an account with a password and one membership.
pub async fn user(store: &Store, email: &str, org_id: i64, role: Role) -> i64 {
    let input = NewUserInput {
        email: email.into(),
        name: format!("Test {email}"),
        password: Some(PASSWORD.into()),
        org_id: Some(org_id),
        role: Some(role.code().into()),
        system_admin: false,
    };
    let valid = input.validate().expect("valid user");
    store.write(move |db| users::create(db, &Viewer::command_line(), &valid)).await.expect("create user").id
}

/// The viewer for an account, as a signed-in session would see it.
pub async fn viewer(store: &Store, user_id: i64) -> Viewer {
    store.read(move |db| Viewer::for_user(db, user_id, Via::Web)).await.expect("viewer")
}

/// Every open invitation of `forum` accepted the way a real organisation would: by one of its
/// administrators or coordinators (when it has none, the system stands in, as in the demo).
/// Every open contact request is accepted by the person asked.
pub async fn accept_all(store: &Store, forum: i64) {
    let (invited, asked) = store
        .read(move |db| {
            let invited: Vec<(i64, Option<i64>)> = db.map_all(
                "SELECT i.org_id, (SELECT MIN(m.user_id) FROM memberships m WHERE m.org_id = i.org_id AND m.role IN ('administrator', 'coordinator')) AS answerer
                 FROM forum_invitations i WHERE i.forum_id = $1 AND i.status = 'invited' ORDER BY i.org_id",
                &[forum.into()],
                |r| Ok((r.get("org_id")?, r.get("answerer")?)),
            )?;
            let asked: Vec<i64> =
                db.scalars("SELECT user_id FROM forum_contact_requests WHERE forum_id = $1 AND status = 'invited'", &[forum.into()])?;
            Ok((invited, asked))
        })
        .await
        .unwrap();
    for (org, answerer) in &invited {
        if let Some(u) = *answerer {
            let (v, org) = (viewer(store, u).await, *org);
            store.write(move |db| consent::answer_forum_invitation(db, &v, forum, org, Answer::Accept)).await.unwrap();
        }
    }
    if invited.iter().any(|i| i.1.is_none()) {
        store.write(move |db| consent::accept_all_as_system(db, &Viewer::system(), forum, &[])).await.unwrap();
    }
    for user in asked {
        let v = viewer(store, user).await;
        store.write(move |db| consent::answer_contact_request(db, &v, forum, Answer::Accept)).await.unwrap();
    }
}

/// The mail stamp used by the stories.
pub fn postmark() -> brygga_store::kernel::mail::Postmark {
    brygga_store::kernel::mail::Postmark::new("brygga.test", "https://brygga.test")
}

pub(crate) fn field_codes(e: &StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::Invalid(errs) => errs.0.iter().map(|f| (f.field.clone(), f.code)).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

// ---- Lägesbild: categories, areas, observations ----

use brygga_domain::geography::MunicipalityCode;
use brygga_domain::geometry::PlaceGeometry;
use brygga_store::forums::categories;
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::observations::{self, ObservationInput};
use brygga_store::places::areas::{self, NewArea};

/// Trelleborg: the municipality (coordinator, reporter, reader), the housing company (member),
/// an association (administrator), all in "EST Trelleborg"; Ängelholm outside it.
pub struct Est {
    pub forum: i64,
    pub kommun: i64,
    pub bostad: i64,
    pub forening: i64,
    pub angelholm: i64,
    pub coordinator: i64,
    pub reporter: i64,
    pub reader: i64,
    pub tenant_member: i64,
    pub association: i64,
    pub outsider: i64,
    pub stortorget: i64,
}

pub async fn est(store: &Store) -> Est {
    let kommun = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let bostad = org(store, "AB Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let forening = org(store, "Nattvandrarna", OrgKind::CivilSociety, &["1287"]).await;
    let angelholm = org(store, "Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let coordinator = user(store, "samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let reporter = user(store, "falt@trelleborg.se", kommun, Role::Reporter).await;
    let reader = user(store, "las@trelleborg.se", kommun, Role::Reader).await;
    let tenant_member = user(store, "vard@trelleborgshem.se", bostad, Role::Member).await;
    let association = user(store, "ordf@nattvandrarna.se", forening, Role::Administrator).await;
    let outsider = user(store, "samordnare@engelholm.se", angelholm, Role::Coordinator).await;
    let v = viewer(store, coordinator).await;
    let input = ForumInput {
        name: "EST Trelleborg".into(),
        municipality_code: Some("1287".into()),
        convener_org_id: kommun,
        member_org_ids: vec![bostad, forening],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let forum = store.write(move |db| forum::create(db, &v, &input, &postmark())).await.unwrap().id;
    accept_all(store, forum).await;
    let v = viewer(store, coordinator).await;
    let stortorget = store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: None,
                name: "Stortorget".into(),
                kind: "square".into(),
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: kommun,
            };
            areas::create(db, &v, &a)
        })
        .await
        .unwrap()
        .id;
    Est { forum, kommun, bostad, forening, angelholm, coordinator, reporter, reader, tenant_member, association, outsider, stortorget }
}

fn now() -> jiff::Timestamp {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

async fn report(store: &Store, user_id: i64, input: ObservationInput) -> Result<observations::Created, StoreError> {
    let v = viewer(store, user_id).await;
    store
        .write(move |db| {
            let valid = observations::prepare(db, &v, &input, now())?;
            observations::create(db, &v, &valid, "form", None)
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Background jobs and the e-mail outbox (issue 5)

use brygga_store::kernel::jobs::{self, ClaimRequest, Failure, NewJob, Weekly, WeeklyScope};
use brygga_store::kernel::mail::{self, MailState, NewMail};

const T0: i64 = 1_790_000_000_000;

fn claim_as(worker: &'static str, kinds: &'static [&'static str], limit: usize, lease_ms: i64) -> ClaimRequest<'static> {
    ClaimRequest { worker, kinds, limit, lease_ms }
}

async fn claim(store: &Store, req: ClaimRequest<'static>, now: i64) -> Vec<jobs::Job> {
    store.write(move |db| jobs::claim(db, &req, now)).await.unwrap()
}

// ---- From picture to action: actions, meetings, alerts, digests, share links ----

use brygga_store::forum_work::actions::{self, ActionInput, StatusInput};
use brygga_store::forum_work::alerts::{self, AlertInput};
use brygga_store::kernel::mail::Postmark;
use brygga_store::{forum_work::digests, forum_work::meetings, forum_work::share_links};

fn post() -> Postmark {
    Postmark::new("trelleborg.se", "https://brygga.trelleborg.se")
}

/// The subject and text of an outbox row.
fn subject_body(r: &brygga_store::Row) -> Result<(String, String), brygga_store::DbError> {
    Ok((r.get("subject")?, r.get("body_text")?))
}

fn in_days(n: i64) -> String {
    brygga_domain::time::today().checked_add(jiff::Span::new().days(n)).unwrap().to_string()
}

async fn decide(store: &Store, user: i64, forum: i64, input: ActionInput) -> Result<actions::Action, StoreError> {
    let v = viewer(store, user).await;
    store
        .write(move |db| {
            let valid = actions::prepare(db, &v, forum, &input, None)?;
            actions::create(db, &v, &valid, actions::Origin::default())
        })
        .await
}

async fn set_status(
    store: &Store,
    user: i64,
    a: &actions::Action,
    status: &str,
    reason: Option<&str>,
) -> Result<actions::Action, StoreError> {
    let (v, id, version) = (viewer(store, user).await, a.id, a.version);
    let input = StatusInput { status: status.into(), status_reason: reason.map(Into::into), outcome: Some("Sanerat.".into()) };
    store.write(move |db| actions::set_status(db, &v, id, version, &input)).await
}

/// Makes `contacts` the forum's contact persons (users of its member organisations): asked,
/// and each accepts.
pub async fn set_contacts(store: &Store, w: &Est, contacts: Vec<i64>) {
    let (v, f, kommun, bostad, forening) = (viewer(store, w.coordinator).await, w.forum, w.kommun, w.bostad, w.forening);
    store
        .write(move |db| {
            let forum = forum::get(db, &v, f)?;
            let input = ForumInput {
                name: forum.name.clone(),
                municipality_code: forum.municipality_code.clone(),
                convener_org_id: kommun,
                member_org_ids: vec![bostad, forening],
                contact_user_ids: contacts,
                ..Default::default()
            }
            .validate()?;
            forum::update(db, &v, f, forum.version, &input, &postmark())
        })
        .await
        .unwrap();
    accept_all(store, w.forum).await;
}

async fn raise(store: &Store, user: i64, forum: i64, input: AlertInput, key: Option<&str>) -> Result<alerts::Raised, StoreError> {
    let (v, key) = (viewer(store, user).await, key.map(str::to_owned));
    store
        .write(move |db| {
            let valid = alerts::prepare(db, &v, forum, &input)?;
            alerts::raise(db, &v, &valid, key.as_deref(), &post())
        })
        .await
}

mod trust_ops;
pub use trust_ops::*;
mod trust_guard;
pub use trust_guard::*;
mod trust_picture;
pub use trust_picture::*;
mod trust_consent;
pub use trust_consent::*;

// The stories, by capability (each file: `use super::*` for the fixtures above).
mod kernel;
pub use kernel::*;
mod accounts;
pub use accounts::*;
mod places;
pub use places::*;
mod forums;
pub use forums::*;
mod picture;
pub use picture::*;
mod forum_work;
pub use forum_work::*;
mod plans;
pub use plans::*;
mod programmes;
pub use programmes::*;
mod agreements;
pub use agreements::*;
mod actors;
pub use actors::*;
mod interventions;
pub use interventions::*;
mod directory;
pub use directory::*;
mod search;
pub use search::*;
mod consultation_outcome;
pub use consultation_outcome::*;
mod samrad;
pub use samrad::*;
mod knowledge;
pub use knowledge::*;
mod training;
pub use training::*;
