//! The method library: everyone reads it (signed in or not); only system administrators and
//! county boards' coordinators write it, with every bad rating refused at its field and nothing
//! written; a plan measure linked to a rated method passes the goal–means check with the
//! method named, keeps the link in a new version, and shows up where the method is in use only
//! for those who may read the plan.

use brygga_store::knowledge::methods::{self, Method, MethodInput, Source};
use brygga_store::plans::evaluation;
use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::measures::{self, MeasureInput};
use brygga_store::plans::plan::{self, PlanInput};

use super::*;

/// A county board working in Trelleborg with a coordinator.
pub(crate) async fn county(store: &Store) -> (i64, i64) {
    let lst = org(store, "Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287"]).await;
    let u = user(store, "samordnare@lst.test", lst, Role::Coordinator).await;
    (lst, u)
}

pub(crate) fn gvi() -> MethodInput {
    MethodInput {
        name: "Group Violence Intervention".into(),
        short_name: "GVI".into(),
        description: "Fokuserat avskräckande: ett tydligt budskap till de grupper som står för det grova våldet, med stöd att lämna."
            .into(),
        target_groups: vec!["unga_vuxna".into(), "riskgrupp".into()],
        prevention_level: Some("indicated".into()),
        effect_direction: Some("reduces".into()),
        effect_grade: Some(3),
        effect_text: Some("Systematiska översikter visar minskat grovt våld i de flesta utvärderade städerna.".into()),
        mechanism_grade: Some(3),
        mechanism_text: Some("Avskräckning genom kollektivt ansvar, kombinerat med stöd och moralisk röst.".into()),
        implementation_grade: Some(2),
        implementation_text: Some("Kräver uthållig samverkan mellan polis, kommun och civilsamhälle.".into()),
        sources: vec![Source {
            title: "Group Violence Intervention i Malmö – utvärdering".into(),
            publisher: Some("Brå".into()),
            url: None,
            swedish: true,
        }],
        ..Default::default()
    }
}

async fn write(store: &Store, user: Option<i64>, input: MethodInput) -> Result<Method, StoreError> {
    let v = match user {
        Some(u) => viewer(store, u).await,
        None => Viewer::anonymous(Origin::default()),
    };
    store.write(move |db| methods::create(db, &v, &input)).await
}

async fn method_rows(store: &Store) -> (i64, i64) {
    store
        .read(|db| Ok((db.scalar("SELECT COUNT(*) FROM methods", &[])?, db.scalar("SELECT COUNT(*) FROM method_sources", &[])?)))
        .await
        .unwrap()
}

/// Everyone reads the library; only a system administrator or a county board's coordinator
/// writes it; bad ratings are refused at their field and nothing is written.
pub async fn method_library_is_public_and_written_by_county_boards(store: &Store) {
    let w = est(store).await;
    let (lst, lst_coordinator) = county(store).await;
    let lst_member = user(store, "medlem@lst.test", lst, Role::Member).await;
    // Nobody else writes: not a municipality's coordinator, not a county board's member, not anonymous.
    for u in [Some(w.coordinator), Some(w.association), Some(lst_member), None] {
        assert!(matches!(write(store, u, gvi()).await, Err(StoreError::Forbidden)), "{u:?}");
    }
    let before = method_rows(store).await;
    type Change = Box<dyn Fn(&mut MethodInput)>;
    let cases: Vec<(&str, &str, Change)> = vec![
        ("effect_grade", "knowledge.grade_range", Box::new(|m| m.effect_grade = Some(6))),
        ("mechanism_grade", "knowledge.grade_range", Box::new(|m| m.mechanism_grade = Some(5))),
        ("effect_text", "knowledge.rating_text", Box::new(|m| m.effect_text = None)),
        ("sources", "knowledge.sources_required", Box::new(|m| m.sources.clear())),
        ("sources", "knowledge.source_url", Box::new(|m| m.sources[0].url = Some("bra.se/gvi".into()))),
        ("target_groups", "knowledge.unknown_code", Box::new(|m| m.target_groups = vec!["gangs".into()])),
        ("effect_direction", "effect_direction.unknown", Box::new(|m| m.effect_direction = Some("bra".into()))),
        ("short_name", "required", Box::new(|m| m.short_name = " ".into())),
        ("description", "text.personal_data", Box::new(|m| m.description = "Ring samordnaren på 070-123 45 67.".into())),
    ];
    for (field, code, change) in cases {
        let mut input = gvi();
        change(&mut input);
        let e = write(store, Some(lst_coordinator), input).await.unwrap_err();
        assert!(field_codes(&e).contains(&(field.to_owned(), code)), "{field}: {e:?}");
    }
    write(store, Some(lst_coordinator), gvi()).await.unwrap();
    // A second method with the same short name is refused.
    let e = write(store, Some(lst_coordinator), gvi()).await.unwrap_err();
    assert!(field_codes(&e).contains(&("short_name".into(), "knowledge.short_name_taken")), "{e:?}");
    assert_eq!(method_rows(store).await, (before.0 + 1, before.1 + 1), "only the good one written");
    // Everyone reads it, anonymous included; the grade labels and the badge follow EMMIE.
    let id = store.read(|db| Ok(db.scalar::<i64>("SELECT id FROM methods", &[])?)).await.unwrap();
    let anon = Viewer::anonymous(Origin::default());
    let m = store.read(move |db| methods::get(db, &anon, id)).await.unwrap();
    assert_eq!(m.ratings.len(), 5);
    assert_eq!(m.ratings[0].grade_label.as_deref(), Some("Måttlig evidens"));
    assert_eq!(m.effect_summary(), "minskar brottsligheten, evidensstyrka 3 av 5");
    assert_eq!(m.badge().compact(), "E 3/5 · M 3/4 · M – · G 2/4 · E –");
    assert!(m.sources[0].swedish);
    let outsider = viewer(store, w.outsider).await;
    assert_eq!(store.read(move |db| methods::list(db, &outsider)).await.unwrap().len(), 1);
    // The change is audited, and a system administrator may write too.
    let audited: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'method.create'", &[])?)).await.unwrap();
    assert_eq!(audited, 1);
    let v = Viewer::system();
    let input = MethodInput { short_name: "EST".into(), name: "Effektiv samordning för trygghet".into(), ..gvi() };
    store.write(move |db| methods::create(db, &v, &input)).await.unwrap();
}

async fn plan_with_measure(store: &Store, user: i64, responsible: i64, method_id: Option<i64>) -> (plan::ActionPlan, measures::Measure) {
    let v = viewer(store, user).await;
    let p = store
        .write(move |db| {
            plan::create(
                db,
                &v,
                &PlanInput {
                    title: "Trygghetsplan".into(),
                    municipality_code: Some("1287".into()),
                    period_from: Some("2026-01-01".into()),
                    period_to: Some("2027-12-31".into()),
                    ..PlanInput::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, user).await;
    let pid = p.id;
    let g = store
        .write(move |db| {
            goals::create(
                db,
                &v,
                pid,
                &GoalInput {
                    kind: "result".into(), title: "Mindre grovt våld".into(), level: Some("area".into()), ..GoalInput::default()
                },
            )
        })
        .await
        .unwrap();
    let v = viewer(store, user).await;
    let input = MeasureInput {
        title: "Fokuserat avskräckande mot grupperna".into(),
        responsible_org_id: Some(responsible),
        basis: Some("none".into()),
        method_id,
        goal_ids: vec![g.id],
        ..MeasureInput::default()
    };
    let m = store.write(move |db| measures::create(db, &v, pid, &input)).await.unwrap();
    (p, m)
}

async fn basis_check(store: &Store, user: i64, plan_id: i64, measure_id: i64) -> evaluation::Check {
    let v = viewer(store, user).await;
    let all = store.read(move |db| evaluation::evaluate(db, &v, plan_id)).await.unwrap();
    all.into_iter().find(|c| c.code == "measure.basis" && c.target.id == measure_id).expect("basis check")
}

/// A measure linked to a rated method passes "is the basis documented?" naming the method;
/// an unknown method is refused at the field; a new version keeps the link; the method's
/// "where in use" lists the measure only for those who may read the plan.
pub async fn goal_means_check_accepts_a_rated_method(store: &Store) {
    let w = est(store).await;
    let (_, lst_coordinator) = county(store).await;
    let gvi_id = write(store, Some(lst_coordinator), gvi()).await.unwrap().id;
    // Without a method, basis "none" fails as before.
    let (p0, m0) = plan_with_measure(store, w.coordinator, w.kommun, None).await;
    let c = basis_check(store, w.coordinator, p0.id, m0.id).await;
    assert!(!c.passed, "{c:?}");
    // An unknown method is refused at the field; nothing is written.
    let v = viewer(store, w.coordinator).await;
    let pid = p0.id;
    let before: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM plan_measures", &[])?)).await.unwrap();
    let e = store
        .write(move |db| {
            measures::create(
                db,
                &v,
                pid,
                &MeasureInput { title: "X".into(), responsible_org_id: Some(w.kommun), method_id: Some(9_999), ..Default::default() },
            )
        })
        .await
        .unwrap_err();
    assert!(field_codes(&e).contains(&("method_id".into(), "knowledge.method_unknown")), "{e:?}");
    let after: i64 = store.read(|db| Ok(db.scalar("SELECT COUNT(*) FROM plan_measures", &[])?)).await.unwrap();
    assert_eq!(before, after);
    // Linked to GVI, the same basis passes and the message names the method and its effect.
    let (p, m) = plan_with_measure(store, w.coordinator, w.kommun, Some(gvi_id)).await;
    assert_eq!(m.method.as_ref().map(|b| b.short_name.as_str()), Some("GVI"));
    let c = basis_check(store, w.coordinator, p.id, m.id).await;
    assert!(c.passed, "{c:?}");
    assert!(c.message.contains("grundas på metoden GVI (effekt: minskar brottsligheten, evidensstyrka 3 av 5)"), "{}", c.message);
    // Where in use: the plan's parties see the measure; an outsider sees nothing.
    let v = viewer(store, w.coordinator).await;
    let used = store.read(move |db| measures::using_method(db, &v, gvi_id)).await.unwrap();
    assert_eq!(used.iter().map(|u| u.measure_title.as_str()).collect::<Vec<_>>(), ["Fokuserat avskräckande mot grupperna"]);
    let v = viewer(store, w.outsider).await;
    assert!(store.read(move |db| measures::using_method(db, &v, gvi_id)).await.unwrap().is_empty());
    let anon = Viewer::anonymous(Origin::default());
    assert!(store.read(move |db| measures::using_method(db, &anon, gvi_id)).await.unwrap().is_empty());
    // A new version copies the link.
    let v = viewer(store, w.coordinator).await;
    let pid = p.id;
    let p = store.read(move |db| plan::get(db, &v, pid)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let (id, version) = (p.id, p.version);
    let decided = PlanInput {
        title: "Trygghetsplan".into(),
        municipality_code: Some("1287".into()),
        period_from: Some("2026-01-01".into()),
        period_to: Some("2027-12-31".into()),
        decided_by: Some("Kommunfullmäktige".into()),
        decided_on: Some("2026-02-24".into()),
        decision_ref: Some("KS 2026/114".into()),
        ..PlanInput::default()
    };
    let p = store.write(move |db| plan::edit(db, &v, id, version, &decided)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let (id, version) = (p.id, p.version);
    let adopted = store.write(move |db| plan::adopt(db, &v, id, version)).await.unwrap();
    let v = viewer(store, w.coordinator).await;
    let v2 = store.write(move |db| plan::new_version(db, &v, adopted.id)).await.unwrap();
    let linked: Vec<Option<i64>> =
        store.read(move |db| Ok(db.scalars("SELECT method_id FROM plan_measures WHERE plan_id = $1", &[v2.id.into()])?)).await.unwrap();
    assert_eq!(linked, vec![Some(gvi_id)]);
}
