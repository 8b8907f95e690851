//! Agreements through the API and the pages' forms: bad input named at the field in Swedish
//! with nothing written (period, parties, links, the document's type and size, scoring against
//! a checklist edited after the baseline, an import with errors), isolation, and the county table.

use brygga_domain::{OrgKind, Role};
use brygga_store::ConnExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == name))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error at {name}: {body}"))
}

async fn counts(app: &TestApp) -> Vec<i64> {
    app.store()
        .read(|db| {
            let mut out = Vec::new();
            for t in ["agreements", "agreement_parties", "agreement_documents", "assessment_scores", "assessment_snapshots"] {
                out.push(db.scalar(&format!("SELECT COUNT(*) FROM {t}"), &[])?);
            }
            Ok(out)
        })
        .await
        .unwrap()
}

fn header(police: i64) -> Value {
    json!({
        "kind": "cooperation_agreement",
        "title": "Samverkansöverenskommelse 2026–2028",
        "municipality_code": "1287",
        "party_org_ids": [police],
        "period_from": "2026-01-01",
        "period_to": "2028-12-31",
        "decided_by": "Kommunstyrelsen",
        "decided_on": "2025-12-10"
    })
}

async fn agreements_refuse_bad_input_and_isolate(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let police = app.org("Polisen LPO Trelleborg", OrgKind::Police, &["1287"]).await;
    let county = app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287"]).await;
    let stockholm = app.org("Länsstyrelsen Stockholm", OrgKind::CountyBoard, &["0180"]).await;
    let vellinge = app.org("Vellinge kommun", OrgKind::Municipality, &["1233"]).await;
    let coordinator = app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let county_user = app.user("lan@lst.test", county, Role::Coordinator).await;
    let stockholm_user = app.user("lan@stockholm.test", stockholm, Role::Coordinator).await;
    let api = app.api(&app.token(coordinator, kommun).await);
    let lst = app.api(&app.token(county_user, county).await);
    let sthlm = app.api(&app.token(stockholm_user, stockholm).await);
    let before = counts(&app).await;

    // Period ends before it starts; a party that may not be one; unknown lägesbild and plan.
    let mut bad = header(police);
    bad["period_to"] = json!("2025-06-30");
    bad["party_org_ids"] = json!([police, vellinge]);
    bad["situation_id"] = json!(424242);
    bad["plan_id"] = json!(434343);
    let (status, body) = api.send(Method::POST, "/agreements", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field(&body, "period_to").contains("slutar (2025-06-30) före"));
    assert!(field(&body, "party_org_ids").contains("godkänt anspråk"));
    assert!(field(&body, "situation_id").contains("Lägesbilden finns inte"));
    assert!(field(&body, "plan_id").contains("Åtgärdsplanen finns inte"));
    let mut no_police = header(police);
    no_police["party_org_ids"] = json!([]);
    let (status, body) = api.send(Method::POST, "/agreements", no_police).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&body, "party_org_ids").contains("polisorganisation"));
    assert_eq!(counts(&app).await, before, "nothing written");

    // A good one; the document: wrong type, not what it claims, too large.
    let (status, a) = api.send(Method::POST, "/agreements", header(police)).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    let put = |name: &str, ct: &str, body: Vec<u8>| {
        api.req(Method::PUT, &format!("/agreements/{id}/document?name={}", urlencoding(name)))
            .header("content-type", ct.to_owned())
            .body(body)
            .send()
    };
    let r = put("avtal.pdf", "application/pdf", b"inte en pdf".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert!(field(&body, "file").contains("”avtal.pdf” säger sig vara PDF"));
    let r = put("avtal.docx", "application/octet-stream", b"%PDF-1.7\n".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&r.json::<Value>().await.unwrap(), "file").contains("innehållet är PDF"));
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(21 * 1024 * 1024, b' ');
    let r = put("avtal.pdf", "application/pdf", big).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(field(&r.json::<Value>().await.unwrap(), "file").contains("högst 20 MB"));
    let r = put("Överenskommelse.pdf", "application/pdf", b"%PDF-1.7\n%%EOF".to_vec()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = api.req(Method::GET, &format!("/agreements/{id}/document")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("filename*=UTF-8''%C3%96verenskommelse.pdf"));

    // A draft: the county board does not see it yet; concluded, it does — Stockholm's never.
    assert_eq!(lst.get(&format!("/agreements/{id}")).await.0, StatusCode::NOT_FOUND);
    let (_, a) = api.get(&format!("/agreements/{id}")).await;
    let r = api
        .req(Method::POST, &format!("/agreements/{id}/conclude"))
        .header("if-match", format!("\"{}\"", a["version"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    assert_eq!(lst.get(&format!("/agreements/{id}")).await.0, StatusCode::OK);
    assert_eq!(sthlm.get(&format!("/agreements/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(sthlm.get(&format!("/agreements/{id}/document")).await.0, StatusCode::NOT_FOUND);
    // The county board cannot edit it.
    let (_, a) = lst.get(&format!("/agreements/{id}")).await;
    let r = lst
        .req(Method::PUT, &format!("/agreements/{id}"))
        .header("if-match", format!("\"{}\"", a["version"]))
        .json(&header(police))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The county board makes its own checklist, assesses, takes a baseline, edits the list.
    let set = json!({"name": "Skånes lista", "description": "Länsstyrelsens egen.", "items": [{"key": "a", "text": "Gemensam problembild"}, {"key": "b", "text": "Orsaker", "derived_rule": "causes"}]});
    let (status, s) = lst.send(Method::POST, "/checklists", set).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let set_id = s["id"].as_i64().unwrap();
    let (status, a1) = lst.send(Method::POST, &format!("/agreements/{id}/assessments"), json!({"set_id": set_id})).await;
    assert_eq!(status, StatusCode::OK, "{a1}");
    let aid = a1["id"].as_i64().unwrap();
    let first = a1["items"][0]["item_id"].as_i64().unwrap();
    let (status, _) = lst
        .send(
            Method::PUT,
            &format!("/assessments/{aid}/scores"),
            json!({"items": [{"item_id": first, "score": "partly", "comment": "Polisens bild saknas"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, base) = lst.send(Method::POST, &format!("/assessments/{aid}/snapshots"), json!({"kind": "baseline"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let edited = json!({"name": "Skånes lista", "description": "Ny version.", "items": [{"key": "a", "text": "En gemensam problembild från båda"}, {"key": "c", "text": "Medborgardialog"}]});
    let (status, s2) = lst.send(Method::PUT, &format!("/checklists/{set_id}"), edited).await;
    assert_eq!((status, s2["latest_version_no"].as_i64()), (StatusCode::OK, Some(2)));
    let (_, v2) = lst.get(&format!("/checklist-versions/{}", s2["latest_version_id"])).await;
    let new_item = v2["items"].as_array().unwrap().iter().find(|i| i["key"] == "c").unwrap()["id"].as_i64().unwrap();
    // Scoring the new version's item against the baseline's assessment: refused, nothing written.
    let before = counts(&app).await;
    let (status, body) = lst
        .send(
            Method::PUT,
            &format!("/assessments/{aid}/scores"),
            json!({"items": [{"item_id": first, "score": "met"}, {"item_id": new_item, "score": "met"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&body, &format!("items[{new_item}].item_id")).contains("version 2"));
    assert_eq!(counts(&app).await, before);
    // The baseline keeps its version and texts.
    let (_, snap) = lst.get(&format!("/snapshots/{}", base["id"])).await;
    assert_eq!(snap["version_no"], 1);
    assert_eq!(snap["items"][0]["text"], "Gemensam problembild");
    // A party reads the county board's assessment; Stockholm does not.
    assert_eq!(api.get(&format!("/assessments/{aid}")).await.0, StatusCode::OK);
    assert_eq!(sthlm.get(&format!("/assessments/{aid}")).await.0, StatusCode::NOT_FOUND);
    // The county table.
    let (status, t) = lst.get("/county-tables/12").await;
    assert_eq!(status, StatusCode::OK);
    let row = t["rows"].as_array().unwrap().iter().find(|r| r["municipality_code"] == "1287").unwrap();
    assert_eq!(row["on"]["cooperation_agreement"], true);
    assert_eq!(row["on"]["baseline"]["score_percent"], 50.0);
    let (status, body) = lst.get("/county-tables/12?on=igår").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(t["totals"]["cooperation_agreement"], 1);
    let (_, t) = sthlm.get("/county-tables/12").await;
    assert_eq!(t["totals"]["cooperation_agreement"], 0, "Stockholm's board reads nothing in Skåne");

    // Export and an import with errors: every error by path, nothing written.
    let (status, file) = api.get(&format!("/agreements/{id}/export")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(file["format"], "brygga.agreement");
    let mut broken = file.clone();
    broken["agreement"]["period_to"] = json!("2020-01-01");
    broken["parties"].as_array_mut().unwrap().push(json!({"organisation": "Finns inte AB"}));
    let before = counts(&app).await;
    let (status, body) = api.send(Method::POST, "/agreements/import", broken).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    field(&body, "agreement.period_to");
    field(&body, "parties[2].organisation");
    field(&body, "snapshots[0].assessor");
    assert_eq!(counts(&app).await, before, "nothing written");

    // The page form names the field the same way and keeps what was typed.
    let web = app.browser();
    web.login("samordnare@trelleborg.test", brygga_store_tests::stories::PASSWORD).await;
    let police_s = police.to_string();
    let r = web
        .submit(
            "/overenskommelser/ny",
            "/overenskommelser/ny",
            &[
                ("kind", "cooperation_agreement"),
                ("title", "Från formuläret"),
                ("municipality_code", "1287"),
                ("party_org_ids", &police_s),
                ("period_from", "2026-06-01"),
                ("period_to", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Perioden slutar (2026-01-01) före den börjar (2026-06-01)"));
    assert!(html.contains("value=\"Från formuläret\""), "what was valid is kept");
    // The upload form: a text file called .pdf.
    let (_, page) = web.get_html(&format!("/overenskommelser/{id}")).await;
    let csrf = crate::common::csrf_in(&page);
    let boundary = "----bryggaAgreementBoundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"avtal.pdf\"\r\nContent-Type: application/pdf\r\n\r\nhej\r\n--{boundary}--\r\n"
    );
    let r = web
        .client
        .post(format!("{}/overenskommelser/{id}/dokument", web.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("säger sig vara PDF men innehållet är inte det"));
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The checklist editor: a bad weight and an empty name are named at their fields with what
/// was typed kept; a saved set shows its items; an edit after use makes version 2.
async fn checklists_are_edited_through_the_form(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let county = app.org("Länsstyrelsen Skåne", OrgKind::CountyBoard, &["1287"]).await;
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.user("lan@lst.test", county, Role::Coordinator).await;
    app.user("samordnare@trelleborg.test", kommun, Role::Coordinator).await;
    let web = app.browser();
    web.login("lan@lst.test", brygga_store_tests::stories::PASSWORD).await;
    let page = "/overenskommelser/checklistor/ny";
    let r = web
        .submit(
            page,
            page,
            &[
                ("name", ""),
                ("description", "Länets egen"),
                ("text_0", "Gemensam problembild"),
                ("weight_0", "två"),
                ("text_1", "Orsaker"),
                ("rule_1", "causes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("”två” är inget tal"), "the weight is named");
    assert!(html.contains("Checklistans namn saknas"), "the name is named");
    assert!(html.contains("value=\"Gemensam problembild\""), "what was typed is kept");
    let r = web
        .submit(
            page,
            page,
            &[
                ("name", "Skånes lista"),
                ("description", "Länets egen"),
                ("text_0", "Gemensam problembild"),
                ("weight_0", "2,5"),
                ("text_1", "Orsaker"),
                ("rule_1", "causes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_owned();
    let (status, html) = web.get_html(&at).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Gemensam problembild") && html.contains("härleds från data") && html.contains("Vikt: 2,5"));
    let set_id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    // Not used yet: the edit rewrites version 1.
    let edit = format!("{at}/redigera");
    let (status, form) = web.get_html(&edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"Gemensam problembild\""));
    let key: String = app
        .store()
        .read(move |db| Ok(db.scalar("SELECT i.key FROM checklist_items i JOIN checklist_versions v ON v.id = i.version_id WHERE v.set_id = $1 AND i.position = 0", &[set_id.into()])?))
        .await
        .unwrap();
    let r = web
        .submit(
            &edit,
            &edit,
            &[("name", "Skånes lista"), ("description", "Länets egen"), ("key_0", &key), ("text_0", "En gemensam problembild")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let versions: i64 = app
        .store()
        .read(move |db| Ok(db.scalar("SELECT COUNT(*) FROM checklist_versions WHERE set_id = $1", &[set_id.into()])?))
        .await
        .unwrap();
    assert_eq!(versions, 1);
    // A municipality's coordinator cannot make or edit one.
    let other = app.browser();
    other.login("samordnare@trelleborg.test", brygga_store_tests::stories::PASSWORD).await;
    assert_eq!(other.get(page).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(other.get(&edit).await.status(), StatusCode::FORBIDDEN);
}

crate::both_backends!(agreements_refuse_bad_input_and_isolate, checklists_are_edited_through_the_form);
