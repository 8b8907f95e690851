//! The åtgärdsplan over HTTP: the pages (list, new plan, goals with the cycle refused at the
//! field, measures, adoption, publishing, the public view) and their API twins (every bad input
//! at its field with nothing written, versions and comparison, export and import).

use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Api, Backend, TestApp, text_of};

struct World {
    app: TestApp,
    w: stories::Est,
}

async fn setup(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let w = stories::est(app.store()).await;
    Some(World { app, w })
}

impl World {
    async fn api(&self, user: i64, org: i64) -> Api {
        let token = self.app.token(user, org).await;
        self.app.api(&token)
    }
}

fn fields(e: &Value) -> Vec<&str> {
    e["errors"].as_array().map(|a| a.iter().filter_map(|p| p["field"].as_str()).collect()).unwrap_or_default()
}

fn message<'a>(e: &'a Value, field: &str) -> &'a str {
    e["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|p| p["field"] == field))
        .and_then(|p| p["message"].as_str())
        .unwrap_or_else(|| panic!("no {field} in {e}"))
}

async fn plans_through_the_api(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let api = x.api(w.coordinator, w.kommun).await;
    let outsider = x.api(w.outsider, w.angelholm).await;

    let (s, p) = api
        .send(
            Method::POST,
            "/plans",
            json!({"title": "Åtgärdsplan 2026–2027", "municipality_code": "1287", "period_from": "2026-01-01", "period_to": "2027-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (s, effect) =
        api.send(Method::POST, &format!("/plans/{id}/goals"), json!({"kind": "effect", "title": "Mindre skadegörelse"})).await;
    assert_eq!(s, StatusCode::CREATED, "{effect}");
    let (s, result) = api
        .send(
            Method::POST,
            &format!("/plans/{id}/goals"),
            json!({"kind": "result", "title": "Klotter saneras inom ett dygn", "level": "area", "parent_id": effect["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{result}");
    let (rid, eid) = (result["id"].as_i64().unwrap(), effect["id"].as_i64().unwrap());

    // The cycle, the target before the baseline, the responsible outside the parties, personal
    // data: each at its field, nothing written.
    let (s, e) = api
        .send(Method::PUT, &format!("/plans/goals/{eid}"), json!({"kind": "effect", "title": "Mindre skadegörelse", "parent_id": rid}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "parent_id"
                && f["message"] == "Målet kan inte ligga under sig självt eller under ett av sina egna delmål."),
        "{e}"
    );
    let indicator = json!({"goal_id": rid, "name": "Trygghet", "source": "manual", "manual_source": "Skolenkäten", "unit": "procent",
        "direction": "increase", "frequency": "yearly", "baseline_value": 61, "baseline_on": "2026-01-01", "baseline_source": "Skolenkäten 2025",
        "target_value": 70, "target_on": "2025-06-30"});
    let (s, e) = api.send(Method::POST, &format!("/plans/{id}/indicators"), indicator.clone()).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["target_on"]), "{e}");
    let (s, e) = api
        .send(Method::POST, &format!("/plans/{id}/measures"), json!({"title": "Snabbsanering", "responsible_org_id": w.angelholm}))
        .await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["responsible_org_id"]), "{e}");
    let (s, e) = api
        .send(Method::POST, &format!("/plans/{id}/measures"), json!({"title": "Ring 070-123 45 67", "responsible_org_id": w.kommun}))
        .await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["title"]), "{e}");
    let (_, d) = api.get(&format!("/plans/{id}")).await;
    assert_eq!((d["indicators"].as_array().unwrap().len(), d["measures"].as_array().unwrap().len()), (0, 0), "nothing written");

    let mut good = indicator.clone();
    good["target_on"] = "2027-12-31".into();
    let (s, i) = api.send(Method::POST, &format!("/plans/{id}/indicators"), good).await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    let (s, m) = api
        .send(
            Method::POST,
            &format!("/plans/{id}/measures"),
            json!({"title": "Snabbsanering", "responsible_org_id": w.kommun, "goal_ids": [rid]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let r = api.req(Method::DELETE, &format!("/plans/goals/{rid}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert!(message(&e, "goal").contains("”Snabbsanering”"), "{e}");

    // The way back from an action: none links this plan yet.
    let (s, back) = api.get("/plans/measures?action_id=1").await;
    assert_eq!((s, back), (StatusCode::OK, json!([])));

    // The outsider sees nothing and writes nothing.
    assert_eq!(outsider.get(&format!("/plans/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get("/plans").await.1, json!([]));
    let (s, _) = outsider.send(Method::POST, &format!("/plans/{id}/goals"), json!({"kind": "effect", "title": "Intrång"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Adoption needs the decision; then the version is frozen.
    let (_, d) = api.get(&format!("/plans/{id}")).await;
    let version = d["plan"]["version"].as_i64().unwrap();
    let r = api.req(Method::POST, &format!("/plans/{id}/adopt")).header("If-Match", format!("\"{version}\"")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert!(fields(&e).contains(&"decided_by"), "{e}");
    let header = json!({"title": "Åtgärdsplan 2026–2027", "period_from": "2026-01-01", "period_to": "2027-12-31", "decided_by": "Kommunfullmäktige", "decided_on": "2026-02-24"});
    let r = api.req(Method::PUT, &format!("/plans/{id}")).header("If-Match", format!("\"{version}\"")).json(&header).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    let r = api.req(Method::POST, &format!("/plans/{id}/adopt")).header("If-Match", format!("\"{}\"", p["version"])).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, e) = api.send(Method::POST, &format!("/plans/{id}/goals"), json!({"kind": "process", "title": "Ny rutin"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&e, "status").contains("kan inte ändras"), "{e}");
    let (s, m2) = api
        .send(
            Method::POST,
            &format!("/plans/measures/{}/status", m["id"]),
            json!({"status": "delayed", "status_note": "Leverantören är sen."}),
        )
        .await;
    assert_eq!((s, m2["status"].as_str()), (StatusCode::OK, Some("delayed")), "{m2}");

    // A new version, changed and compared.
    let (s, v2) = api.send(Method::POST, &format!("/plans/{id}/new-version"), json!(null)).await;
    assert_eq!(s, StatusCode::CREATED, "{v2}");
    let v2id = v2["id"].as_i64().unwrap();
    let (_, d2) = api.get(&format!("/plans/{v2id}")).await;
    let copy = d2["goals"].as_array().unwrap().iter().find(|g| g["key"] == result["key"]).unwrap().clone();
    let (s, _) = api
        .send(
            Method::PUT,
            &format!("/plans/goals/{}", copy["id"]),
            json!({"kind": "result", "title": "Klotter saneras inom fyra timmar", "level": "area", "parent_id": copy["parent_id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, c) = api.get(&format!("/plans/{v2id}/compare?with={id}")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let changed = c["goals"].as_array().unwrap().iter().find(|g| g["key"] == result["key"]).unwrap();
    assert_eq!(changed["change"], "changed");
    assert_eq!(changed["fields"][0]["new"], "Klotter saneras inom fyra timmar");

    // Export, then import as a new draft.
    let (s, file) = api.get(&format!("/plans/{id}/export")).await;
    assert_eq!((s, file["format"].as_str()), (StatusCode::OK, Some("brygga.plan")));
    let (s, imported) = api.send(Method::POST, "/plans/import", json!({"municipality_code": "1287", "document": file})).await;
    assert_eq!(s, StatusCode::CREATED, "{imported}");
    assert_eq!(imported["status"], "draft");
    let (s, e) = api
        .send(Method::POST, "/plans/import", json!({"municipality_code": "1287", "document": {"format": "brygga.plan", "version": 2}}))
        .await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["document"]), "{e}");

    // Published: the outsider reads it.
    let (s, _) = api.send(Method::PUT, &format!("/plans/{id}/sharing"), json!({"visibility": "public"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(outsider.get(&format!("/plans/{id}")).await.0, StatusCode::OK);
}

async fn plans_through_the_pages(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let browser = x.app.browser();
    assert_eq!(browser.login("samordnare@trelleborg.se", stories::PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (s, html) = browser.get_html("/atgardsplaner").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/atgardsplaner\" aria-current=\"page\""), "in the main navigation");

    // A new plan: a missing period is named at the field and what was typed stays.
    let r = browser
        .submit("/atgardsplaner/ny", "/atgardsplaner/ny", &[("title", "Åtgärdsplan 2026–2027"), ("municipality_code", "1287")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text_of(&html, "#f-period_from-error").unwrap().contains("när planperioden börjar"), "{html}");
    assert!(html.contains("value=\"Åtgärdsplan 2026–2027\""));
    let r = browser
        .submit(
            "/atgardsplaner/ny",
            "/atgardsplaner/ny",
            &[
                ("title", "Åtgärdsplan 2026–2027"),
                ("municipality_code", "1287"),
                ("period_from", "2026-01-01"),
                ("period_to", "2027-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let plan = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_owned();
    let id: i64 = plan.rsplit('/').next().unwrap().parse().unwrap();

    let new_goal = format!("{plan}/mal/ny");
    let r = browser.submit(&new_goal, &new_goal, &[("kind", "effect"), ("title", "Mindre skadegörelse i centrum"), ("weight", "1")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_html(&plan).await;
    let effect: i64 = html.split("id=\"mal-").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    let r = browser
        .submit(
            &new_goal,
            &new_goal,
            &[("kind", "result"), ("title", "Klotter saneras"), ("level", "area"), ("weight", "2,5"), ("parent_id", &effect.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_html(&plan).await;
    let result: i64 = html.split("id=\"mal-").nth(2).unwrap().split('"').next().unwrap().parse().unwrap();
    assert!(html.contains("<ul class=\"goal-tree\">"));

    // The cycle through the edit form: at the field, nothing saved.
    let edit = format!("/atgardsplaner/mal/{effect}");
    let r = browser
        .submit(
            &edit,
            &edit,
            &[("kind", "effect"), ("title", "Mindre skadegörelse i centrum"), ("weight", "1"), ("parent_id", &result.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        text_of(&html, "#f-parent_id-error")
            .unwrap()
            .contains("Målet kan inte ligga under sig självt eller under ett av sina egna delmål."),
        "{html}"
    );

    // An indicator whose baseline is asked of a series with no data: at the field, what was typed kept.
    let forum = w.forum;
    let category: i64 = x
        .app
        .store()
        .read(move |db| {
            use brygga_store::ConnExt;
            Ok(db.scalar("SELECT id FROM categories WHERE forum_id = $1 AND code = 'graffiti'", &[forum.into()])?)
        })
        .await
        .unwrap();
    let new_indicator = format!("{plan}/indikatorer/ny?mal={result}");
    let (category, result_s) = (category.to_string(), result.to_string());
    let fields = [
        ("goal_id", result_s.as_str()),
        ("name", "Klotter på Stortorget"),
        ("source", "observations"),
        ("category_id", category.as_str()),
        ("unit", "rapporter per månad"),
        ("direction", "decrease"),
        ("frequency", "monthly"),
        ("baseline_on", "2024-03-01"),
        ("compute_baseline", "on"),
        ("target_value", "2"),
        ("target_on", "2027-12-31"),
    ];
    let r = browser.submit(&new_indicator, &format!("{plan}/indikatorer/ny"), &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        text_of(&html, "#f-baseline_on-error").unwrap(),
        "Fel: Serien har inga värden för mars 2024. Välj ett senare datum, eller för in värdet för hand med källa."
    );
    assert!(html.contains("value=\"Klotter på Stortorget\""));
    // Entered by hand with a Swedish decimal, then shown with its source.
    let manual = [
        ("goal_id", result_s.as_str()),
        ("name", "Andel trygga"),
        ("source", "manual"),
        ("manual_source", "Skolenkäten, årskurs 9"),
        ("unit", "procent"),
        ("direction", "increase"),
        ("frequency", "yearly"),
        ("baseline_value", "61,5"),
        ("baseline_on", "2026-01-01"),
        ("baseline_source", "Skolenkäten 2025"),
        ("target_value", "70"),
        ("target_on", "2025-12-31"),
    ];
    let r = browser.submit(&new_indicator, &format!("{plan}/indikatorer/ny"), &manual).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.text().await.unwrap(), "#f-target_on-error").unwrap().contains("ligger före baslinjens datum"));
    let mut manual = manual;
    manual[11] = ("target_on", "2027-12-31");
    let r = browser.submit(&new_indicator, &format!("{plan}/indikatorer/ny"), &manual).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_html(&plan).await;
    assert!(html.contains("61,5") && html.contains("Källa: Skolenkäten 2025"), "{html}");

    // A measure whose responsible is not a party: refused at the field.
    let new_measure = format!("{plan}/insatser/ny");
    let r =
        browser.submit(&new_measure, &new_measure, &[("title", "Snabbsanering"), ("responsible_org_id", &w.angelholm.to_string())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&r.text().await.unwrap(), "#f-responsible_org_id-error").unwrap().contains("inte part"));
    let r = browser
        .submit(
            &new_measure,
            &new_measure,
            &[
                ("title", "Snabbsanering"),
                ("responsible_org_id", &w.kommun.to_string()),
                ("goal_ids", &result.to_string()),
                ("basis", "documented_knowledge"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_html(&plan).await;
    // Both ways: the measure links its goal's anchor; the goal lists the measure.
    assert!(html.contains(&format!("href=\"#mal-{result}\"")));
    assert!(html.contains("href=\"#insats-"));
    assert!(html.contains("<section id=\"uppfoljning\"") && html.contains("<section id=\"utvardering\""));
    // The process evaluation runs on the plan page itself, each failing check linking to the part
    // to fix: the new measure has a goal but no cause yet.
    let checks = html.split("<section id=\"utvardering\"").nth(1).expect("evaluation section");
    assert!(checks.contains("Att åtgärda:") && checks.contains("Uppfyllt:"), "both failing and passing checks are listed");
    assert!(
        checks.contains(&format!("href=\"/atgardsplaner/{}#insats-", plan.rsplit('/').next().unwrap())),
        "a check links to the measure"
    );

    // A co-owner chosen in the list becomes a party.
    let (_, html) = browser.get_html(&plan).await;
    assert!(html.contains(&format!("<option value=\"{}\"", w.bostad)), "the housing company is offered as a party");
    let r = browser.submit(&plan, &format!("{plan}/parter"), &[("org_id", &w.bostad.to_string())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_html(&plan).await;
    assert!(text_of(&html, "dl.facts").unwrap().contains("AB Trelleborgshem"));

    // Not public until adopted and published.
    let public = x.app.browser();
    assert_eq!(public.get(&format!("/publikt/atgardsplaner/{id}")).await.status(), StatusCode::NOT_FOUND);
    let edit_header = format!("{plan}/redigera");
    let (_, form) = browser.get_html(&edit_header).await;
    let version = form.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let r = browser
        .submit(
            &edit_header,
            &edit_header,
            &[
                ("version", &version),
                ("title", "Åtgärdsplan 2026–2027"),
                ("period_from", "2026-01-01"),
                ("period_to", "2027-12-31"),
                ("decided_by", "Kommunfullmäktige"),
                ("decided_on", "2026-02-24"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_html(&plan).await;
    let version = html
        .split("/anta\" class=\"inline\">")
        .nth(1)
        .unwrap()
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let r = browser.submit(&plan, &format!("{plan}/anta"), &[("version", &version)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = browser.submit(&plan, &format!("{plan}/dela"), &[("visibility", "public")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, html) = public.get_html(&format!("/publikt/atgardsplaner/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Mindre skadegörelse i centrum"));
    assert!(!html.contains("/anta"), "no forms on the public page");

    // Compare and export pages.
    let r = browser.submit(&plan, &format!("{plan}/ny-version"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v2 = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_owned();
    let (s, html) = browser.get_html(&format!("{v2}/jamfor?med={id}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Oförändrad"));
    let r = browser.get(&format!("{plan}/export.json")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let file: Value = r.json().await.unwrap();
    assert_eq!(file["format"], "brygga.plan");
    // The Word document: a zip (DOCX) whose text holds the headings and the goals.
    let r = browser.get(&format!("{plan}/atgardsplan.docx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a DOCX is a zip");
    // Read back by an independent reader (python-docx), when installed.
    if let Some(doc) = crate::kit::docx::read_docx(&bytes) {
        assert_eq!(
            crate::kit::docx::headings(&doc, "Heading 1"),
            ["Beslut och parter", "Mål och indikatorer", "Insatser", "Processutvärdering", "Avvikelser"]
        );
        let goals = crate::kit::docx::headings(&doc, "Heading 2");
        assert!(goals.iter().any(|h| h == "Effektmål: Mindre skadegörelse i centrum"), "{goals:?}");
        let cells = crate::kit::docx::cells(&doc);
        assert!(cells.iter().any(|c| c == "Snabbsanering"), "{cells:?}");
        let texts: Vec<&str> = doc["paragraphs"].as_array().unwrap().iter().filter_map(|p| p["text"].as_str()).collect();
        assert!(texts.iter().any(|t| t.contains("Skolenkäten 2025")), "the baseline's source: {texts:?}");
    }
}

crate::both_backends!(plans_through_the_api, plans_through_the_pages);
