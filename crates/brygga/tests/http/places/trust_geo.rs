//! Issue 11, findings 3 and 9: municipality claims need approval, places belong to their
//! owner and are archived rather than deleted from under their reports, audit entries name every
//! organisation concerned, and reads of others' shared records reach the owners' audit logs.

use brygga_domain::time::IsoWeek;
use brygga_domain::{OrgKind, Role};
use brygga_store::picture::observations::ObservationInput;
use brygga_store::{Store, StoreError};
use brygga_store_tests::stories::{self, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};

/// Reports by `user_id` into `forum` at `area`, `weeks_ago` weeks back, shared or kept.
async fn seed(store: &Store, user_id: i64, forum: i64, area: Option<i64>, weeks_ago: i32, n: usize, shared: bool) {
    let v = stories::viewer(store, user_id).await;
    let day = IsoWeek::current().plus(-weeks_ago).monday().checked_add(jiff::Span::new().days(2)).unwrap();
    let inputs: Vec<ObservationInput> = (0..n)
        .map(|i| ObservationInput {
            forum_id: forum,
            category: "klotter".into(),
            area_id: area,
            observed_at: Some(format!("{day}T{:02}:00", 8 + i % 10)),
            visibility: Some(if shared { "forum" } else { "organisation" }.into()),
            ..Default::default()
        })
        .collect();
    crate::common::report_all(store, v, inputs).await;
}

fn place(name: &str, lon: f64, lat: f64) -> Value {
    json!({"type": "Feature", "properties": {"name": name, "kind": "square", "municipality_code": "1287"}, "geometry": {"type": "Point", "coordinates": [lon, lat]}})
}

/// The audit entries of `org` as its administrator reads them through the API.
async fn audit_of(app: &TestApp, admin_token: &str, org: i64, action: &str) -> Vec<Value> {
    let (s, page) = app.api(admin_token).get(&format!("/audit?org_id={org}&limit=1000")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().iter().filter(|e| e["action"] == action).cloned().collect()
}

async fn geo_a_claim_grants_nothing_until_the_municipality_approves(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    let trelleborg = app.token(w.coordinator, w.kommun).await;
    let t_admin = app.user("admin@trelleborg.se", w.kommun, Role::Administrator).await;
    let t_admin = app.token(t_admin, w.kommun).await;
    let hlm = app.org("Hässleholms kommun", OrgKind::Municipality, &["1293"]).await;
    let hlm_coord = app.user("samordnare@hassleholm.se", hlm, Role::Coordinator).await;
    let hassleholm = app.api(&app.token(hlm_coord, hlm).await);
    let stortorget = format!("/areas/{}", w.stortorget);

    // The reproduction: Hässleholm's coordinator adds Trelleborg's code to its own organisation.
    let (s, before) = hassleholm.get(&format!("/organisations/{hlm}")).await;
    assert_eq!(s, StatusCode::OK);
    let mut input = json!({"name": before["name"], "kind": before["kind"], "municipalities": ["1293", "1287", "1290"]});
    let r = hassleholm.req(Method::PUT, &format!("/organisations/{hlm}")).header("If-Match", "\"1\"").json(&input).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let claimed: Value = r.json().await.unwrap();
    // …and may not touch Trelleborg's places with it.
    let r = hassleholm
        .req(Method::PUT, &stortorget)
        .header("If-Match", "\"1\"")
        .json(&place("Hässleholms torg", 13.2, 55.4))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a pending claim grants nothing");
    let (s, _) = hassleholm.send(Method::DELETE, &stortorget, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = hassleholm.send(Method::POST, "/areas", place("Smyge", 13.35, 55.34)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(claimed["municipalities"], json!(["1293"]));
    // A municipality's own organisation claiming one nobody has claimed (Kristianstad) waits too:
    // otherwise its coordinator would become the one who decides every claim there.
    assert_eq!(claimed["pending_municipalities"], json!(["1287", "1290"]));
    // Nobody approves their own claim, nor does an association working in Trelleborg.
    let decide = |d: &str| json!({"decision": d});
    let (s, _) = hassleholm.send(Method::POST, &format!("/organisations/{hlm}/claims/1287"), decide("approve")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let assoc = app.api(&app.token(w.association, w.forening).await);
    let (s, _) = assoc.send(Method::POST, &format!("/organisations/{hlm}/claims/1287"), decide("approve")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Editing the profile again keeps the claim pending (the form sends it back unchanged).
    input["description"] = json!("Grannkommun");
    let r = hassleholm.req(Method::PUT, &format!("/organisations/{hlm}")).header("If-Match", "\"2\"").json(&input).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["pending_municipalities"], json!(["1287", "1290"]));

    // Trelleborg sees the pending claim and approves it.
    let t = app.api(&trelleborg);
    let (s, pending) = t.get("/claims").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!((pending[0]["org_id"].as_i64(), pending[0]["municipality_code"].as_str()), (Some(hlm), Some("1287")));
    let (s, _) = t.send(Method::POST, &format!("/organisations/{hlm}/claims/1287"), decide("maybe")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, d) = t.send(Method::POST, &format!("/organisations/{hlm}/claims/1287"), decide("approve")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["status"], "approved");

    // Approved: Hässleholm makes places of its own there, but Trelleborg's stay Trelleborg's.
    let r = hassleholm
        .req(Method::PUT, &stortorget)
        .header("If-Match", "\"1\"")
        .json(&place("Hässleholms torg", 13.2, 55.4))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "places belong to the organisation that manages them");
    let (s, _) = hassleholm.send(Method::DELETE, &stortorget, Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, own) = hassleholm.send(Method::POST, "/areas", place("Hässleholms hörna", 13.16, 55.38)).await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    assert_eq!(own["owner_org_id"].as_i64(), Some(hlm));
    // Only the owner edits a place: not even the municipality's organisation edits Hässleholm's.
    let r = t
        .req(Method::PUT, &format!("/areas/{}", own["id"]))
        .header("If-Match", "\"1\"")
        .json(&place("Hörnan", 13.16, 55.38))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = hassleholm
        .req(Method::PUT, &format!("/areas/{}", own["id"]))
        .header("If-Match", "\"1\"")
        .json(&place("Hörnan", 13.16, 55.38))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Trelleborg's audit log shows what Hässleholm did in Trelleborg.
    let created = audit_of(&app, &t_admin, w.kommun, "area.create").await;
    assert!(created.iter().any(|e| e["record_id"] == own["id"] && e["actor_org_id"].as_i64() == Some(hlm)), "{created:?}");
    let claims = audit_of(&app, &t_admin, w.kommun, "organisation.claim").await;
    assert!(claims.iter().any(|e| e["record_id"].as_i64() == Some(hlm)), "{claims:?}");
    let updated = audit_of(&app, &t_admin, w.kommun, "area.update").await;
    assert!(updated.iter().any(|e| e["record_id"] == own["id"] && e["actor_org_id"].as_i64() == Some(hlm)), "{updated:?}");
    // Hässleholm, in turn, reads in its own log that its claim was approved.
    let h_admin = app.user("admin@hassleholm.se", hlm, Role::Administrator).await;
    let h_admin = app.token(h_admin, hlm).await;
    let approved = audit_of(&app, &h_admin, hlm, "organisation.claim_approve").await;
    assert!(approved.iter().any(|e| e["actor_org_id"].as_i64() == Some(w.kommun)), "{approved:?}");
}

async fn geo_a_place_with_reports_is_archived_not_deleted(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    seed(app.store(), w.reporter, w.forum, Some(w.stortorget), 1, 3, true).await;
    let t = app.api(&app.token(w.coordinator, w.kommun).await);
    let (s, _) = t.send(Method::DELETE, &format!("/areas/{}", w.stortorget), Value::Null).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // The place is still there, archived, and the reports keep it.
    let (s, a) = t.get(&format!("/areas/{}", w.stortorget)).await;
    assert_eq!(s, StatusCode::OK, "a place with reports is never deleted from under them");
    assert!(a["archived_at_ms"].is_i64(), "{a}");
    let (_, page) = t.get(&format!("/observations?forum_id={}", w.forum)).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|o| o["area_id"].as_i64() == Some(w.stortorget)), "{page}");
    // It is not offered for new reports.
    let v = stories::viewer(app.store(), w.reporter).await;
    let (forum, area) = (w.forum, w.stortorget);
    let e = app
        .store()
        .write(move |db| {
            let input = ObservationInput { forum_id: forum, category: "klotter".into(), area_id: Some(area), ..Default::default() };
            brygga_store::picture::observations::prepare(db, &v, &input, jiff::Timestamp::now())
        })
        .await
        .unwrap_err();
    let StoreError::Invalid(errs) = e else { panic!("{e:?}") };
    assert!(errs.0.iter().any(|f| f.field == "area_id" && f.code == "area.archived"), "{errs:?}");
    let browser = app.browser();
    browser.login("falt@trelleborg.se", PASSWORD).await;
    let (_, form) = browser.get_html(&format!("/rapportera?forum={}", w.forum)).await;
    assert!(form.contains("Var?") && !form.contains("Stortorget"), "archived places are not offered");
    // A place nothing refers to is deleted.
    let (_, fresh) = t.send(Method::POST, "/areas", place("Tomma torget", 13.15, 55.37)).await;
    let (s, _) = t.send(Method::DELETE, &format!("/areas/{}", fresh["id"]), Value::Null).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = t.get(&format!("/areas/{}", fresh["id"])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn geo_reads_of_shared_records_reach_the_owners_audit_log(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::est(app.store()).await;
    // The housing company (the owner) shares reports with the forum; the municipality reads them.
    seed(app.store(), w.tenant_member, w.forum, Some(w.stortorget), 1, 2, true).await;
    seed(app.store(), w.coordinator, w.forum, Some(w.stortorget), 1, 4, true).await;
    let owner_admin = app.user("admin@trelleborgshem.se", w.bostad, Role::Administrator).await;
    let owner_admin = app.token(owner_admin, w.bostad).await;
    let reader = app.api(&app.token(w.coordinator, w.kommun).await);
    let owner = app.api(&app.token(w.tenant_member, w.bostad).await);
    let week = IsoWeek::current().plus(-1);
    let names_owner = |entries: &[Value]| entries.iter().any(|e| e["org_ids"].as_array().is_some_and(|o| o.contains(&json!(w.bostad))));

    // One report through the API: the owner reading its own writes nothing; the reader is logged.
    let (s, own) = owner.get(&format!("/observations?forum_id={}", w.forum)).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    let id = own["items"].as_array().unwrap().iter().find(|o| o["org_id"] == json!(w.bostad)).expect("the company's report")["id"].clone();
    let (s, _) = owner.get(&format!("/observations/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let about_it = |entries: Vec<Value>| entries.into_iter().filter(|e| e["record_id"] == id).collect::<Vec<_>>();
    assert!(
        about_it(audit_of(&app, &owner_admin, w.bostad, "observation.read").await).is_empty(),
        "reading one's own report is not logged"
    );
    let (s, _) = reader.get(&format!("/observations/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let single = about_it(audit_of(&app, &owner_admin, w.bostad, "observation.read").await);
    assert!(names_owner(&single), "single report {single:?}");
    // Raw reports through the API.
    let (s, _) = reader.get(&format!("/observations?forum_id={}", w.forum)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(names_owner(&audit_of(&app, &owner_admin, w.bostad, "observation.read").await), "observation list");
    // The picture API.
    let (s, _) = reader.get(&format!("/picture?forum_id={}&week={week}", w.forum)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(names_owner(&audit_of(&app, &owner_admin, w.bostad, "picture.read").await), "picture API");

    // Exports and drill-downs on the pages.
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let base = format!("/lagesbild/forum/{}", w.forum);
    assert_eq!(web.get(&format!("{base}/export.csv?vecka={week}")).await.status(), StatusCode::OK);
    assert!(names_owner(&audit_of(&app, &owner_admin, w.bostad, "picture.export").await), "picture export");
    let (s, _) = web.get_html(&format!("{base}/rapporter?vecka={week}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(names_owner(&audit_of(&app, &owner_admin, w.bostad, "picture.drilldown").await), "drill-down");

    // The action list export: an action the housing company is responsible for.
    let due = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(30)).unwrap().to_string();
    let (s, a) = owner
        .send(
            Method::POST,
            &format!("/forums/{}/actions", w.forum),
            json!({"title": "Sanera klottret", "responsible_org_id": w.bostad, "due_on": due}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(web.get(&format!("/forum/{}/atgarder.csv?status=all", w.forum)).await.status(), StatusCode::OK);
    assert!(names_owner(&audit_of(&app, &owner_admin, w.bostad, "action.export").await), "action-list export");

    // Meeting minutes: the meeting reviews last week's joint picture, with the company's reports.
    let this_week = IsoWeek::current();
    let (s, m) = reader.send(Method::PUT, &format!("/forums/{}/meetings/{this_week}", w.forum), Value::Null).await;
    assert!(s.is_success(), "{m}");
    let (s, _) = web.get_html(&format!("/forum/{}/avstamning/{this_week}/protokoll", w.forum)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(names_owner(&audit_of(&app, &owner_admin, w.bostad, "meeting.minutes").await), "minutes");

    // A share link's opening names the organisations whose reports it shows.
    let (s, link) = reader.send(Method::POST, &format!("/forums/{}/share-links", w.forum), json!({"label": "Rektorerna", "days": 7})).await;
    assert_eq!(s, StatusCode::CREATED, "{link}");
    let path = link["url"].as_str().unwrap().split("/delad/").nth(1).map(|t| format!("/delad/{t}")).unwrap();
    assert_eq!(app.browser().get(&path).await.status(), StatusCode::OK);
    let opened = audit_of(&app, &owner_admin, w.bostad, "share_link.open").await;
    assert!(names_owner(&opened), "share link {opened:?}");
    // The owner's log names the owner and the actor's organisation, not the other organisations
    // whose reports were in the same result.
    for e in audit_of(&app, &owner_admin, w.bostad, "share_link.open").await {
        let others: Vec<&Value> =
            e["org_ids"].as_array().unwrap().iter().filter(|o| **o != json!(w.bostad) && **o != e["actor_org_id"]).collect();
        assert!(others.is_empty(), "the company's log names other organisations: {e}");
    }

    // Reading only one's own records does not fill the log.
    let before = audit_of(&app, &owner_admin, w.bostad, "observation.read").await.len();
    let (s, _) = owner.get("/observations?own=true").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = owner.get(&format!("/picture?org_id={}&week={week}", w.bostad)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(audit_of(&app, &owner_admin, w.bostad, "observation.read").await.len(), before);
    let own_reads = audit_of(&app, &owner_admin, w.bostad, "picture.read").await;
    assert!(own_reads.iter().all(|e| e["actor_org_id"].as_i64() != Some(w.bostad)), "{own_reads:?}");
}

crate::both_backends!(
    geo_a_claim_grants_nothing_until_the_municipality_approves,
    geo_a_place_with_reports_is_archived_not_deleted,
    geo_reads_of_shared_records_reach_the_owners_audit_log,
);
