//! The sharing model, in one place.
//!
//! Every shareable record has three columns: `owner_org_id`, `visibility`
//! (`organisation` | `forum` | `public`) and `forum_id` (set exactly when visibility is
//! `forum`). A viewer may read a record when
//! - the viewer acts for the owning organisation, or
//! - the record is shared with a forum that one of the viewer's organisations belongs to, or
//! - the record is public.
//!
//! System administrators get no exception: they manage accounts, not other organisations'
//! data. Queries use [`readable`] as their WHERE predicate; single-record checks use
//! [`can_read`]. Both state the same rule.

use brygga_domain::{FieldError, FieldErrors, VisibilityKind};
use serde::Serialize;

use crate::kernel::db::{Conn, ConnExt, Dialect, Value};
use crate::kernel::viewer::Viewer;

/// Who may read a record besides its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Visibility {
    Organisation,
    Forum { forum_id: i64 },
    Public,
}

impl Visibility {
    pub fn kind(self) -> VisibilityKind {
        match self {
            Visibility::Organisation => VisibilityKind::Organisation,
            Visibility::Forum { .. } => VisibilityKind::Forum,
            Visibility::Public => VisibilityKind::Public,
        }
    }
    pub fn forum_id(self) -> Option<i64> {
        match self {
            Visibility::Forum { forum_id } => Some(forum_id),
            _ => None,
        }
    }
    /// From the stored columns.
    pub fn from_columns(kind: &str, forum_id: Option<i64>) -> Option<Self> {
        match (VisibilityKind::from_code(kind)?, forum_id) {
            (VisibilityKind::Organisation, _) => Some(Visibility::Organisation),
            (VisibilityKind::Forum, Some(forum_id)) => Some(Visibility::Forum { forum_id }),
            (VisibilityKind::Forum, None) => None,
            (VisibilityKind::Public, _) => Some(Visibility::Public),
        }
    }
}

/// SQL predicate over the record aliased `t`, binding the viewer's organisations at `$p` and
/// forums at `$p+1` (see [`readable_args`]).
pub fn readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "({own} OR ({t}.visibility = 'forum' AND {forum}) OR {t}.visibility = 'public')",
        own = dialect.in_list(&format!("{t}.owner_org_id"), p),
        forum = dialect.in_list(&format!("{t}.forum_id"), p + 1),
    )
}

/// The two arguments [`readable`] binds.
pub fn readable_args(v: &Viewer) -> [Value; 2] {
    [Value::IntList(v.org_ids()), Value::IntList(v.forum_ids().to_vec())]
}

/// The same rule for one record already in memory.
pub fn can_read(v: &Viewer, owner_org_id: i64, visibility: Visibility) -> bool {
    v.role_in(owner_org_id).is_some()
        || match visibility {
            Visibility::Organisation => false,
            Visibility::Forum { forum_id } => v.forum_ids().contains(&forum_id),
            Visibility::Public => true,
        }
}

/// The visibility a share form or API call chose for a record owned by `owner`:
/// `organisation`, `public`, or `forum` with `forum_id` naming a forum that `owner` convenes or
/// belongs to. Every shareable document's share command uses it, so the choice is checked the
/// same way everywhere. Problems go to `errs` under `visibility` and `forum_id` (then `None`);
/// `what` names the record in the message ("planen", "överenskommelsen").
pub fn choose(
    db: &mut dyn Conn,
    errs: &mut FieldErrors,
    kind: &str,
    forum_id: Option<i64>,
    owner: i64,
    what: &str,
) -> crate::StoreResult<Option<Visibility>> {
    Ok(match (errs.take(VisibilityKind::parse(kind)), forum_id) {
        (None, _) => None,
        (Some(VisibilityKind::Organisation), _) => Some(Visibility::Organisation),
        (Some(VisibilityKind::Public), _) => Some(Visibility::Public),
        (Some(VisibilityKind::Forum), None) => {
            errs.push(FieldError::new("forum_id", "required", format!("Välj forumet som {what} ska delas med.")));
            None
        }
        (Some(VisibilityKind::Forum), Some(f)) => {
            let n: i64 = db.scalar(
                "SELECT COUNT(*) FROM forums f WHERE f.id = $1 AND (f.convener_org_id = $2 OR EXISTS
                    (SELECT 1 FROM forum_members fm WHERE fm.forum_id = f.id AND fm.org_id = $2))",
                &[f.into(), owner.into()],
            )?;
            if n == 0 {
                errs.push(FieldError::new(
                    "forum_id",
                    "forum.not_member",
                    "Ägaren är inte med i forumet. Välj ett forum där ägaren är med.",
                ));
                None
            } else {
                Some(Visibility::Forum { forum_id: f })
            }
        }
    })
}

/// Forum records — a forum's meetings, action list and alerts — belong to the forum rather than
/// to one organisation: the decisions of a meeting are the forum's, not the minute-taker's. They
/// are readable by the users of the forum's member organisations and by nobody else (system
/// administrators included), and they stay with the forum when an organisation leaves it (its
/// users then no longer read them). SQL predicate over the record aliased `t`, binding the
/// viewer's forums at `$p` (see [`forum_record_args`]).
pub fn forum_record_readable(dialect: Dialect, t: &str, p: usize) -> String {
    dialect.in_list(&format!("{t}.forum_id"), p)
}

/// The argument [`forum_record_readable`] binds.
pub fn forum_record_args(v: &Viewer) -> Value {
    Value::IntList(v.forum_ids().to_vec())
}

/// The same rule for one forum record already in memory. A record the viewer may not read is
/// answered as not found.
pub fn can_read_forum_record(v: &Viewer, forum_id: i64) -> bool {
    v.forum_ids().contains(&forum_id)
}

/// Party records — the plans capability's documents: a lägesbild, a problembild, an
/// åtgärdsplan — belong to their *parties*: the owning organisation and its co-owners, listed in
/// the document's parties table (`situation_parties`, `plan_parties`). The parties' users read
/// every version, drafts included. An adopted (or superseded) version can besides be shared with
/// a forum or published, and is then read like any shared record; a draft never is (a CHECK in
/// the schema refuses it). System administrators get no exception. SQL predicate over the
/// document aliased `t`, whose parties are in `parties` keyed by `fk`, binding the viewer's
/// organisations at `$p` and forums at `$p+1` (see [`readable_args`]).
pub fn party_record_readable(dialect: Dialect, t: &str, parties: &str, fk: &str, p: usize) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM {parties} pr WHERE pr.{fk} = {t}.id AND {own}) OR ({t}.status <> 'draft' AND (({t}.visibility = 'forum' AND {forum}) OR {t}.visibility = 'public')))",
        own = dialect.in_list("pr.org_id", p),
        forum = dialect.in_list(&format!("{t}.forum_id"), p + 1),
    )
}

/// The same rule for one document already in memory, given its parties.
pub fn can_read_party_record(v: &Viewer, parties: &[i64], draft: bool, visibility: Visibility) -> bool {
    parties.iter().any(|o| v.role_in(*o).is_some())
        || (!draft
            && match visibility {
                Visibility::Organisation => false,
                Visibility::Forum { forum_id } => v.forum_ids().contains(&forum_id),
                Visibility::Public => true,
            })
}

/// The same rule stated as search readers (`kernel::index`): the owner and every party; when the
/// version is not a draft, besides the forum it is shared with, or everyone when public.
pub fn party_record_readers(owner: i64, parties: &[i64], draft: bool, visibility: Visibility) -> Vec<crate::kernel::index::Reader> {
    use crate::kernel::index::Reader;
    let mut readers: Vec<Reader> = std::iter::once(owner).chain(parties.iter().copied()).map(Reader::Org).collect();
    if !draft {
        readers.extend(Reader::of_shared(owner, visibility));
    }
    let mut seen = std::collections::HashSet::new();
    readers.retain(|r| seen.insert(*r));
    readers
}

/// Programme records — a programme (handlingsprogram), its signatories, development areas,
/// working groups and their members, its steering group, meetings, decisions and deliverables —
/// belong to the programme's *parties*: the owner, the signatories, the working groups' member
/// organisations and the steering group's member organisations, kept in `programme_parties` by
/// the store (`programmes::sync_parties`). Their users read every record of the programme. A
/// programme shared with a forum is read besides by that forum's members' users, and a
/// published one by anyone, signed in or not. System administrators get no exception. (A
/// working group's activity plans are plans-model documents and follow
/// [`party_record_readable`].) SQL predicate over the programme aliased `t`, binding the
/// viewer's organisations at `$p` and forums at `$p+1` (see [`readable_args`]).
pub fn programme_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM programme_parties pp WHERE pp.programme_id = {t}.id AND {own}) OR ({t}.visibility = 'forum' AND {forum}) OR {t}.visibility = 'public')",
        own = dialect.in_list("pp.org_id", p),
        forum = dialect.in_list(&format!("{t}.forum_id"), p + 1),
    )
}

/// The same rule for one programme already in memory, given its parties.
pub fn can_read_programme(v: &Viewer, parties: &[i64], visibility: Visibility) -> bool {
    parties.iter().any(|o| v.role_in(*o).is_some())
        || match visibility {
            Visibility::Organisation => false,
            Visibility::Forum { forum_id } => v.forum_ids().contains(&forum_id),
            Visibility::Public => true,
        }
}

/// Initiatives (the county's participation matrix, `programmes::participation`): one that
/// belongs to a programme is read as its programme (`programme_readable`, given here as
/// `Some(readable)`); any other (`None`) by every signed-in user — which municipality takes part
/// in which initiative holds no personal data and is no secret within the installation.
pub fn can_read_initiative(v: &Viewer, programme_readable: Option<bool>) -> bool {
    match programme_readable {
        Some(r) => r,
        None => v.is_signed_in(),
    }
}

/// Agreements (samverkansöverenskommelser, medborgarlöften, IOP…) are party records, read as
/// [`party_record_readable`] says over `agreement_parties` — and besides, under **county
/// oversight**: the users of an organisation of kind county board (länsstyrelse) whose APPROVED
/// claim covers the agreement's municipality read every concluded agreement there (a draft is
/// the parties' work in progress and stays theirs). Oversight is reading only: writing needs a
/// party ([`crate::kernel::access::Action::WriteAgreement`]). Another county's board reads
/// nothing. SQL predicate over the agreement aliased `t`, binding [`readable_args`] at `$p` and
/// `$p+1`.
pub fn agreement_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "({party} OR ({t}.status <> 'draft' AND EXISTS (SELECT 1 FROM organisation_municipalities om JOIN organisations oo ON oo.id = om.org_id
            WHERE om.municipality_code = {t}.municipality_code AND om.status = 'approved' AND oo.kind = 'county_board' AND {mine})))",
        party = party_record_readable(dialect, t, "agreement_parties", "agreement_id", p),
        mine = dialect.in_list("om.org_id", p),
    )
}

/// Whether the viewer oversees `municipality` as a county board (an approved claim of a county
/// board it belongs to covers it).
pub fn county_oversees(v: &Viewer, municipality: &str) -> bool {
    v.memberships().iter().any(|m| m.org_kind == brygga_domain::OrgKind::CountyBoard && m.municipalities.iter().any(|c| c == municipality))
}

/// The same rule as [`agreement_readable`] for one agreement already in memory.
pub fn can_read_agreement(v: &Viewer, parties: &[i64], draft: bool, visibility: Visibility, municipality: &str) -> bool {
    can_read_party_record(v, parties, draft, visibility) || (!draft && county_oversees(v, municipality))
}

/// Interventions (pågående insatser, `actors::interventions`) are ordinary shareable records
/// — the owner's users, a forum's members when shared with it, anyone when public — and
/// besides are read by the users of their **partner organisations**, as if the intervention
/// were shared with them: a partner is named by the owner as taking part, so it reads what it
/// takes part in (it does not write it: writing is the owner's, `Action::WriteIntervention`).
/// An intervention's overlap hints are read by the owners of both interventions only; what a
/// hint shows of an intervention the viewer may not read is decided in `actors::overlap`
/// (that an overlap exists, and the owner's name and contact only if the owner allowed
/// discovery). SQL predicate over the intervention aliased `t`, binding [`readable_args`] at
/// `$p` and `$p+1`.
pub fn intervention_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "({plain} OR EXISTS (SELECT 1 FROM intervention_partners ip WHERE ip.intervention_id = {t}.id AND {partner}))",
        plain = readable(dialect, t, p),
        partner = dialect.in_list("ip.org_id", p),
    )
}

/// The same rule as [`intervention_readable`] for one intervention already in memory.
pub fn can_read_intervention(v: &Viewer, owner_org_id: i64, partners: &[i64], visibility: Visibility) -> bool {
    can_read(v, owner_org_id, visibility) || partners.iter().any(|o| v.role_in(*o).is_some())
}

/// Networks and reference groups (`actors::networks`) are ordinary shareable records and are
/// besides read by the users of their **member organisations** (current or former: a member
/// organisation is named in the network). The **persons** among the members (people who need
/// not have accounts: name, title, e-mail) are personal data: only the owner's and the member
/// organisations' users see them; a reader through a forum or publication sees the member
/// organisations and how many persons take part, not who. SQL predicate over the network
/// aliased `t`, binding [`readable_args`] at `$p` and `$p+1`.
pub fn network_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "({plain} OR EXISTS (SELECT 1 FROM network_members nm WHERE nm.network_id = {t}.id AND {member}))",
        plain = readable(dialect, t, p),
        member = dialect.in_list("nm.org_id", p),
    )
}

/// The same rule as [`network_readable`] for one network already in memory.
pub fn can_read_network(v: &Viewer, owner_org_id: i64, member_orgs: &[i64], visibility: Visibility) -> bool {
    can_read(v, owner_org_id, visibility) || member_orgs.iter().any(|o| v.role_in(*o).is_some())
}

/// Whether the viewer sees the persons among a network's members: the owner's and the member
/// organisations' users only.
pub fn sees_network_persons(v: &Viewer, owner_org_id: i64, member_orgs: &[i64]) -> bool {
    v.role_in(owner_org_id).is_some() || member_orgs.iter().any(|o| v.role_in(*o).is_some())
}

/// Directory offers (`actors::offers`) are read by the users of the offering organisation,
/// drafts, paused and ended ones included; by everyone else — signed in or not, system
/// administrators included — only when **published**: the offer's own flag is set, its
/// organisation's profile is public (`organisations.public_profile`), and it has not ended. There
/// is no signed-in-only tier: a police officer signposting sees what the public sees. SQL
/// predicate over the offer aliased `t` joined to its organisation aliased `o`, binding the
/// viewer's organisations at `$p`.
pub fn offer_readable(dialect: Dialect, t: &str, o: &str, p: usize) -> String {
    format!("({own} OR {public})", own = dialect.in_list(&format!("{t}.org_id"), p), public = offer_published(t, o))
}

/// The public half of [`offer_readable`]: what the directory, its counts and its exports show.
pub fn offer_published(t: &str, o: &str) -> String {
    format!("({t}.published AND {o}.public_profile AND {t}.status <> 'ended')")
}

/// The argument [`offer_readable`] binds.
pub fn offer_readable_args(v: &Viewer) -> Value {
    Value::IntList(v.org_ids())
}

/// The same rule for one offer already in memory.
pub fn can_read_offer(v: &Viewer, org_id: i64, published: bool, public_profile: bool, ended: bool) -> bool {
    v.role_in(org_id).is_some() || (published && public_profile && !ended)
}

// Knowledge (issue 16, items 3 and 4): the method library, good examples, the idea board.

/// Methods of the library (`knowledge::methods`) are read by everyone, signed in or not,
/// system administrators included: the library is public knowledge. (Writing is
/// `Action::WriteMethod`.) Where a method is in use is read through the plans' and
/// interventions' own rules. SQL predicate over the method aliased `t`; it binds nothing.
pub fn method_readable(t: &str) -> String {
    format!("({t}.id IS NOT NULL)")
}

/// Good examples (`knowledge::ideas`) are read by the owner's users always, and by everyone —
/// signed in or not — once **published**; a draft is nobody else's, system administrators
/// included. SQL predicate over the example aliased `t`, binding the viewer's organisations
/// ([`good_example_args`]) at `$p`.
pub fn good_example_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!("({own} OR {t}.status = 'published')", own = dialect.in_list(&format!("{t}.owner_org_id"), p))
}

/// The argument [`good_example_readable`] and [`board_idea_readable`] bind.
pub fn good_example_args(v: &Viewer) -> Value {
    Value::IntList(v.org_ids())
}

/// [`good_example_readable`] for an example in memory.
pub fn can_read_good_example(v: &Viewer, owner_org_id: i64, published: bool) -> bool {
    v.role_in(owner_org_id).is_some() || published
}

/// Ideas on the idea board are read by every **signed-in** user while open, and by the owner's
/// users always (a closed idea is the owner's history). Who registered interest is read by the
/// owner's users and by each interested organisation's users for its own interest
/// (`knowledge::ideas::get_idea`). SQL predicate over the idea aliased `t`, binding
/// [`good_example_args`] at `$p`; the caller lists nothing for a viewer not signed in.
pub fn board_idea_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!("({own} OR {t}.status = 'open')", own = dialect.in_list(&format!("{t}.owner_org_id"), p))
}

/// [`board_idea_readable`] for an idea in memory.
pub fn can_read_board_idea(v: &Viewer, owner_org_id: i64, open: bool) -> bool {
    v.role_in(owner_org_id).is_some() || (open && v.is_signed_in())
}

// Dialogue (issue 16): newsletters.

/// Newsletter lists (`dialogue::newsletters`): an opt-in list's name and description are read
/// by everyone (people subscribe to it, also without an account); a network list's by the
/// owner's users only. Subscribers, issues and deliveries of any list are read by the owner's
/// users only, never by other subscribers; a subscriber reads their own subscriptions. System
/// administrators get no exception. SQL predicate (the owner's users) over the list aliased
/// `t`, binding [`newsletter_args`] at `$p`.
pub fn newsletter_list_managed(dialect: Dialect, t: &str, p: usize) -> String {
    dialect.in_list(&format!("{t}.owner_org_id"), p)
}

/// The argument [`newsletter_list_managed`] binds.
pub fn newsletter_args(v: &Viewer) -> Value {
    Value::IntList(v.org_ids())
}

/// Whether the viewer reads a list's name and description.
pub fn can_read_newsletter_list(v: &Viewer, owner_org_id: i64, opt_in: bool) -> bool {
    opt_in || v.role_in(owner_org_id).is_some()
}

/// The columns that make a table's records shareable (see the module documentation). A table
/// with all of them must be in [`SHAREABLE_TABLES`]; the conformance story
/// `registries_every_shareable_table_is_registered` reads the live schema to check it.
/// Consultations (`dialogue::consultations`) are read by the users of their **organisers** (the
/// lead and co-organising organisations, `consultation_organisers`) always, and by the users of
/// **invited** organisations once the consultation is no longer a draft. Nobody else: a
/// consultation is a conversation between named parties, not a publication (its compiled
/// documentation is what participants receive). SQL predicate over the consultation aliased `t`,
/// binding the viewer's organisations ([`consultation_args`]) at `$p`.
pub fn consultation_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "({organised} OR ({t}.status <> 'draft' AND EXISTS (SELECT 1 FROM consultation_invitations ci \
         WHERE ci.consultation_id = {t}.id AND {invited})))",
        organised = consultation_organised(dialect, t, p),
        invited = dialect.in_list("ci.org_id", p),
    )
}

/// Whether the viewer's organisation organises the consultation aliased `t` (binding
/// [`consultation_args`] at `$p`): organisers write its questions, invitations, themes and
/// dispositions, enter input as note-takers and publish the compiled documentation.
pub fn consultation_organised(dialect: Dialect, t: &str, p: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM consultation_organisers co WHERE co.consultation_id = {t}.id AND {own})",
        own = dialect.in_list("co.org_id", p),
    )
}

/// An item of input (aliased `i`, of the consultation aliased `t`) is read by the consultation's
/// organisers and by the users of the organisation that gave it — never by other participants
/// before the compiled documentation is published, and then only as that document presents it
/// (attribution applied). Binds [`consultation_args`] at `$p`.
pub fn consultation_input_readable(dialect: Dialect, i: &str, t: &str, p: usize) -> String {
    format!("({organised} OR {own})", organised = consultation_organised(dialect, t, p), own = dialect.in_list(&format!("{i}.org_id"), p),)
}

/// The one argument the consultation predicates bind: the viewer's organisations.
pub fn consultation_args(v: &Viewer) -> Value {
    Value::IntList(v.org_ids())
}

/// [`consultation_organised`] for a consultation whose organisers are in memory.
pub fn organises_consultation(v: &Viewer, organisers: &[i64]) -> bool {
    organisers.iter().any(|o| v.role_in(*o).is_some())
}

/// [`consultation_readable`] for a consultation in memory.
pub fn can_read_consultation(v: &Viewer, organisers: &[i64], invited: &[i64], draft: bool) -> bool {
    organises_consultation(v, organisers) || (!draft && invited.iter().any(|o| v.role_in(*o).is_some()))
}

/// Events (`dialogue::events`) are read by every signed-in user once published (or cancelled:
/// the cancellation is news to those registered); a draft only by the users of the **organiser**
/// organisation. Anonymous visitors read none (callers check [`Viewer::is_signed_in`] first).
/// Their registrations — who takes part, from which organisation, role and municipality — are
/// read by the organiser's users and by the registered person only; survey results by the
/// organiser's users only. SQL predicate over the event aliased `t`, binding the viewer's
/// organisations ([`consultation_args`]) at `$p`.
pub fn event_readable(dialect: Dialect, t: &str, p: usize) -> String {
    format!("({t}.status <> 'draft' OR {own})", own = dialect.in_list(&format!("{t}.organiser_org_id"), p))
}

/// [`event_readable`] for an event in memory.
pub fn can_read_event(v: &Viewer, organiser_org_id: i64, draft: bool) -> bool {
    v.is_signed_in() && (!draft || v.role_in(organiser_org_id).is_some())
}

/// Whether the viewer acts for the event's organiser: it reads participants and survey results.
pub fn organises_event(v: &Viewer, organiser_org_id: i64) -> bool {
    v.role_in(organiser_org_id).is_some()
}

pub const SHARING_COLUMNS: &[&str] = &["owner_org_id", "visibility", "forum_id"];

/// Every table of shareable records. When an organisation leaves a forum, or a forum is
/// closed, what was shared with it goes back to being visible to the owner only.
pub const SHAREABLE_TABLES: &[&str] = &[
    "action_plans",
    "agreements",
    "contact_persons",
    "observations",
    "programmes",
    "safety_surveys",
    "situations",
    // Actors (issue 15): interventions and networks.
    "interventions",
    "networks",
];

/// The shareable tables whose records the search index holds, with their kind there: taking a
/// share back touches them so the index drops the forum as a reader.
pub const SEARCHABLE_SHAREABLE: &[(&str, &str)] =
    &[("action_plans", "plan"), ("situations", "situation"), ("interventions", "intervention")];

/// Takes back everything `org_id` (or, with `None`, every organisation) shared with `forum_id`.
pub fn unshare_from_forum(db: &mut dyn crate::Conn, forum_id: i64, org_id: Option<i64>) -> crate::StoreResult<u64> {
    let mut n = 0;
    for (table, kind) in SEARCHABLE_SHAREABLE {
        let ids: Vec<i64> = db.scalars(
            &format!("SELECT id FROM {table} WHERE forum_id = $1 AND ($2 < 0 OR owner_org_id = $2)"),
            &[forum_id.into(), org_id.unwrap_or(-1).into()],
        )?;
        for id in ids {
            crate::kernel::index::touch(db, kind, id)?;
        }
    }
    for table in SHAREABLE_TABLES {
        n += db.execute(
            &format!(
                "UPDATE {table} SET visibility = 'organisation', forum_id = NULL WHERE forum_id = $1 AND ($2 < 0 OR owner_org_id = $2)"
            ),
            &[forum_id.into(), org_id.unwrap_or(-1).into()],
        )?;
    }
    Ok(n)
}

/// Which records make up a picture (lägesbild). DOMAIN.md keeps these apart: each organisation's
/// own picture, and a forum's joint problem picture; outside a forum only aggregates are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// Everything one organisation recorded, shared or not (its own picture).
    Own { org_id: i64 },
    /// What the members of a forum shared with it (the joint problem picture).
    Joint { forum_id: i64 },
    /// Everything shared with any forum, or public: for aggregates seen outside the forums,
    /// with small counts suppressed. Never as single records.
    Shared,
}

/// SQL predicate over the record aliased `t` selecting the scope, binding its argument at `$p`
/// (if it has one).
pub fn scope_predicate(t: &str, scope: &Scope, p: usize) -> (String, Vec<Value>) {
    match scope {
        Scope::Own { org_id } => (format!("{t}.owner_org_id = ${p}"), vec![Value::Int(*org_id)]),
        Scope::Joint { forum_id } => (
            format!(
                "(({t}.visibility = 'forum' AND {t}.forum_id = ${p}) OR ({t}.visibility = 'public' AND {t}.owner_org_id IN (SELECT org_id FROM forum_members WHERE forum_id = ${p})))"
            ),
            vec![Value::Int(*forum_id)],
        ),
        Scope::Shared => (format!("{t}.visibility IN ('forum', 'public')"), vec![]),
    }
}

/// May the viewer see single records of this scope? (Own: it acts for the organisation;
/// joint: one of its organisations is in the forum; shared: never.)
pub fn require_raw(v: &Viewer, _db: &mut dyn crate::Conn, scope: &Scope) -> crate::StoreResult<()> {
    let ok = match scope {
        Scope::Own { org_id } => v.role_in(*org_id).is_some(),
        Scope::Joint { forum_id } => v.forum_ids().contains(forum_id),
        Scope::Shared => false,
    };
    if ok { Ok(()) } else { Err(crate::StoreError::Forbidden) }
}

/// For aggregates: `None` when the viewer may see exact counts, `Some(threshold)` when counts
/// below the threshold must be suppressed.
///
/// Outside its forum, a viewer gets exactly one view of shared data: the municipality-wide
/// aggregate of everything shared ([`Scope::Shared`]), always suppressed. A forum's joint picture
/// and an organisation's own picture are for their members only. With a single outside view
/// there is nothing to difference against: comparing two suppressed pictures of overlapping data
/// (one forum's, and the municipality's) could otherwise give a hidden small count back.
pub fn aggregate_threshold(v: &Viewer, scope: &Scope, threshold: i64) -> crate::StoreResult<Option<i64>> {
    match scope {
        Scope::Own { org_id } if v.role_in(*org_id).is_some() => Ok(None),
        Scope::Joint { forum_id } if v.forum_ids().contains(forum_id) => Ok(None),
        // A share link sees exactly what every signed-in outsider sees, and nothing else.
        Scope::Shared if v.is_signed_in() || v.is_system_admin() || v.share_link_id().is_some() => Ok(Some(threshold)),
        _ => Err(crate::StoreError::Forbidden),
    }
}

/// The viewer whose single-record reading decides what a suppressed aggregate may show: the
/// person behind `v` with every organisation they belong to (an API token acts for one of them,
/// but its holder reads the others' records through the pages), or `v` itself when no person is
/// behind it (a share link, the system).
pub fn reader_behind(v: &Viewer, db: &mut dyn crate::Conn) -> crate::StoreResult<Viewer> {
    match v.user_id() {
        Some(user_id) if v.token_id().is_some() => Viewer::for_user(db, user_id, v.via()),
        _ => Ok(v.clone()),
    }
}

/// What a suppressed aggregate publishes of one count (one category × place × week), given the
/// part the viewer can read record by record anyway (`known`: their organisations' records and
/// what is shared with their forums, by [`readable`] for [`reader_behind`]) and the rest
/// (`unknown`).
///
/// With no threshold (the viewer is inside the scope) the count is exact. Otherwise the count is
/// published only when the unknown part is zero or reaches the threshold; it is hidden (`None`)
/// when the unknown part is 1 … t−1, whatever the known part. So the viewer's own reports (or a
/// forum partner's, which the viewer reads in the joint picture) can never lift a hidden count
/// over the threshold: adding known reports to a cell and subtracting them gives nothing back.
/// A share link's viewer knows no records: the plain threshold.
pub fn published_count(known: i64, unknown: i64, threshold: Option<i64>) -> Option<i64> {
    match threshold {
        Some(t) if unknown >= 1 && unknown < t => None,
        _ => Some(known + unknown),
    }
}
