//! The forum's work through the API: actions and their follow-up, the weekly meeting, rapid
//! alerts with idempotency keys, share links, and the digest preference.

use brygga_domain::time::{IsoWeek, today};
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Api, Backend, TestApp};

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
    /// An API client for `user` acting for `org`.
    async fn api(&self, user: i64, org: i64) -> Api {
        let token = self.app.token(user, org).await;
        self.app.api(&token)
    }
}

fn in_days(n: i64) -> String {
    today().checked_add(jiff::Span::new().days(n)).unwrap().to_string()
}

fn fields(e: &Value) -> Vec<&str> {
    e["errors"].as_array().map(|a| a.iter().filter_map(|p| p["field"].as_str()).collect()).unwrap_or_default()
}

async fn count(api: &Api, path: &str) -> usize {
    let (s, list) = api.get(path).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array().unwrap().len()
}

async fn actions_are_checked_decided_and_completed(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let coordinator = x.api(w.coordinator, w.kommun).await;
    let all = format!("/forums/{}/actions?status=all", w.forum);
    let path = format!("/forums/{}/actions", w.forum);

    // Without a responsible organisation, or due yesterday: the field is named, nothing is written.
    let (s, e) = coordinator.send(Method::POST, &path, json!({"title": "Sanera klottret på Stortorget", "due_on": in_days(7)})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "responsible_org_id");
    assert!(e["message"].as_str().unwrap().contains("ansvarig organisation"), "{e}");
    let (s, e) = coordinator
        .send(Method::POST, &path, json!({"title": "Sanera klottret", "responsible_org_id": w.bostad, "due_on": in_days(-1)}))
        .await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["due_on"]), "{e}");
    assert_eq!(e["errors"][0]["code"], "date.past");
    let (s, e) = coordinator
        .send(Method::POST, &path, json!({"title": "Sanera", "responsible_org_id": w.angelholm, "due_on": in_days(3), "colour": "blå"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {e}");
    assert_eq!(count(&coordinator, &all).await, 0, "nothing was written");

    // Decided for the housing company: 201 with Location, in the list.
    let body = json!({
        "title": "Sanera klottret på Stortorget",
        "reason": "Klottret har ökat tre veckor i rad.",
        "responsible_org_id": w.bostad,
        "partner_org_ids": [w.forening],
        "due_on": in_days(7),
        "category": "graffiti",
        "area_id": w.stortorget,
        "no_police_powers": true
    });
    let r = coordinator.req(Method::POST, &path).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let a: Value = r.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/actions/{id}"));
    assert_eq!((a["status"].as_str(), a["responsible"]["id"].as_i64()), (Some("planned"), Some(w.bostad)));
    assert_eq!(a["partners"][0]["id"], w.forening);
    assert_eq!(a["overdue"], false);
    let (_, list) = coordinator.get(&path).await;
    assert_eq!(list.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(), [id]);

    // The housing company sees it as its own and marks it done, with If-Match.
    let tenant = x.api(w.tenant_member, w.bostad).await;
    let (_, mine) = tenant.get(&format!("/forums/{}/actions?mine=true", w.forum)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let (_, theirs) = coordinator.get(&format!("/forums/{}/actions?org_id={}", w.forum, w.kommun)).await;
    assert_eq!(theirs.as_array().unwrap().len(), 0);
    let r = tenant.req(Method::GET, &format!("/actions/{id}")).send().await.unwrap();
    assert_eq!(r.headers()["etag"], "\"1\"");
    let status = format!("/actions/{id}/status");
    let done = json!({"status": "done", "outcome": "Fasaden tvättad och målad."});
    let (s, e) = tenant.send(Method::POST, &status, done.clone()).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("If-Match")));
    let r = tenant.req(Method::POST, &status).header("if-match", "\"1\"").json(&done).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["status"], "done");
    assert!(a["completed_at_ms"].is_i64(), "{a}");
    let r = tenant.req(Method::POST, &status).header("if-match", "\"1\"").json(&done).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "a stale version is refused");
    let r = tenant.req(Method::POST, &status).header("if-match", "\"2\"").json(&json!({"status": "cancelled"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "status_reason");

    // Done leaves the open list; the follow-up of the month shows it.
    assert_eq!(count(&coordinator, &path).await, 0);
    assert_eq!(count(&coordinator, &format!("/forums/{}/actions?status=done", w.forum)).await, 1);
    let month = &today().to_string()[..7];
    let (s, f) = coordinator.get(&format!("/forums/{}/followup?month={month}", w.forum)).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["month"], month);
    assert_eq!(f["done"][0]["action"]["id"], id);
    assert_eq!(f["no_police_powers"], 1);
    assert_eq!(f["done"][0]["weeks_before"].as_array().unwrap().len(), 4);
    let (s, e) = coordinator.get(&format!("/forums/{}/followup?month=november", w.forum)).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month")), "{e}");

    // Every field changes with PUT and If-Match.
    let r = coordinator
        .req(Method::PUT, &format!("/actions/{id}"))
        .header("if-match", "\"2\"")
        .json(&json!({"title": "Sanera och belysa Stortorget", "responsible_org_id": w.bostad, "due_on": in_days(7), "status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a: Value = r.json().await.unwrap();
    assert_eq!((a["title"].as_str(), a["version"].as_i64()), (Some("Sanera och belysa Stortorget"), Some(3)));

    // A reader may read the list but not decide.
    let reader = x.api(w.reader, w.kommun).await;
    assert_eq!(count(&reader, &all).await, 1);
    let (s, _) = reader.send(Method::POST, &path, body).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn outsiders_reach_no_forum_work(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let coordinator = x.api(w.coordinator, w.kommun).await;
    let (s, a) = coordinator
        .send(
            Method::POST,
            &format!("/forums/{}/actions", w.forum),
            json!({"title": "Ny belysning", "responsible_org_id": w.kommun, "due_on": in_days(14)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let reporter = x.api(w.reporter, w.kommun).await;
    let (s, alert) = reporter
        .send(
            Method::POST,
            &format!("/forums/{}/alerts", w.forum),
            json!({"title": "Brand i container", "urgency": "immediate", "area_id": w.stortorget}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{alert}");
    let (action, alert) = (a["id"].as_i64().unwrap(), alert["id"].as_i64().unwrap());

    // Ängelholm's coordinator: the records answer 404, as if they did not exist …
    let outsider = x.api(w.outsider, w.angelholm).await;
    for path in [format!("/actions/{action}"), format!("/alerts/{alert}")] {
        let (s, e) = outsider.get(&path).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{path}");
    }
    let r = outsider
        .req(Method::POST, &format!("/actions/{action}/status"))
        .header("if-match", "\"1\"")
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for path in [format!("/alerts/{alert}/acknowledge"), format!("/alerts/{alert}/close")] {
        let (s, _) = outsider.send(Method::POST, &path, json!({"summary": "Klart."})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    // … and the forum, which everyone may see, keeps its work to its members.
    for path in ["actions", "alerts", "alerts/stats", "meetings", "share-links", "followup"] {
        let (s, e) = outsider.get(&format!("/forums/{}/{path}", w.forum)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{path}");
    }
    let (s, _) = outsider
        .send(Method::POST, &format!("/forums/{}/alerts", w.forum), json!({"title": "Brand", "urgency": "today", "area_id": w.stortorget}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = outsider.send(Method::PUT, &format!("/forums/{}/meetings/{}", w.forum, IsoWeek::current()), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(count(&coordinator, &format!("/forums/{}/alerts", w.forum)).await, 1, "nothing was written");
}

async fn alerts_are_raised_once_acknowledged_and_closed(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let reporter = x.api(w.reporter, w.kommun).await;
    let path = format!("/forums/{}/alerts", w.forum);
    let body = json!({"title": "Stenkastning mot bussar vid Stortorget", "urgency": "immediate", "area_id": w.stortorget});

    // Pressing twice with the same key raises one alert.
    let first = reporter.req(Method::POST, &path).header("idempotency-key", "larm-0001").json(&body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let id = first["id"].as_i64().unwrap();
    assert_eq!(first["status"], "open");
    let again = reporter.req(Method::POST, &path).header("idempotency-key", "larm-0001").json(&body).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], id);
    let other = json!({"title": "Brand i soprum", "urgency": "today", "area_id": w.stortorget});
    let r = reporter.req(Method::POST, &path).header("idempotency-key", "larm-0001").json(&other).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "the key of another alert");
    assert_eq!(count(&reporter, &path).await, 1);

    // A place outside Trelleborg, or none at all: refused with the field, nothing raised.
    let (s, e) = reporter
        .send(Method::POST, &path, json!({"title": "Bråk vid Sergels torg", "urgency": "immediate", "lat": 59.3326, "lon": 18.0649}))
        .await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lat")), "{e}");
    assert_eq!(e["errors"][0]["code"], "position.outside_municipality");
    assert!(e["message"].as_str().unwrap().contains("Trelleborg"), "{e}");
    let (s, e) = reporter.send(Method::POST, &path, json!({"title": "Bråk", "urgency": "nu"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&e), ["urgency", "area_id"]);
    assert_eq!(count(&reporter, &path).await, 1);

    // The convener's coordinator was notified (the forum has no contact persons) and acknowledges.
    let recipients = first["recipients"].as_array().unwrap();
    assert_eq!(recipients.iter().map(|r| r["user_id"].as_i64().unwrap()).collect::<Vec<_>>(), [w.coordinator]);
    let tenant = x.api(w.tenant_member, w.bostad).await;
    let (s, _) = tenant.send(Method::POST, &format!("/alerts/{id}/acknowledge"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only recipients acknowledge");
    let coordinator = x.api(w.coordinator, w.kommun).await;
    let r = coordinator.req(Method::POST, &format!("/alerts/{id}/acknowledge")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let a: Value = r.json().await.unwrap();
    assert!(a["recipients"][0]["acknowledged_at_ms"].is_i64(), "{a}");
    assert!(a["first_ack_ms"].as_i64().unwrap() >= 0);

    // Closed with a summary; the statistics count it.
    let close = format!("/alerts/{id}/close");
    let (s, e) = coordinator.send(Method::POST, &close, json!({"summary": "  "})).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("summary")), "{e}");
    let (s, a) = coordinator.send(Method::POST, &close, json!({"summary": "Polisen var på plats; väktare ronderar i kväll."})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "closed");
    let (s, got) = tenant.get(&format!("/alerts/{id}")).await;
    assert_eq!((s, got["summary"].as_str()), (StatusCode::OK, Some("Polisen var på plats; väktare ronderar i kväll.")));
    let (s, stats) = tenant.get(&format!("/forums/{}/alerts/stats", w.forum)).await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    assert_eq!((stats["total"].as_i64(), stats["open"].as_i64(), stats["acknowledged"].as_i64()), (Some(1), Some(0), Some(1)));
    assert_eq!(stats["ack_share"], 1.0);
}

async fn meetings_open_once_and_turn_items_into_actions(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let coordinator = x.api(w.coordinator, w.kommun).await;
    let (s, open) = coordinator
        .send(
            Method::POST,
            &format!("/forums/{}/actions", w.forum),
            json!({"title": "Trasig belysning i gångtunneln", "responsible_org_id": w.kommun, "due_on": in_days(10)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{open}");
    let week = IsoWeek::current();
    let path = format!("/forums/{}/meetings/{week}", w.forum);

    let (s, e) = coordinator.get(&path).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "not opened yet");
    let (s, m) = coordinator.send(Method::PUT, &path, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(
        (m["week"].as_str(), m["picture_week"].as_str()),
        (Some(week.to_string().as_str()), Some(week.plus(-1).to_string().as_str()))
    );
    let (s, again) = coordinator.send(Method::PUT, &path, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["id"], m["id"], "opening twice is one meeting");
    let (_, got) = coordinator.get(&path).await;
    assert_eq!(got["id"], m["id"]);
    let (_, list) = coordinator.get(&format!("/forums/{}/meetings", w.forum)).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["week"], week.to_string());

    // The agenda holds the open action; a decision on it becomes an action of the meeting.
    let item =
        m["items"].as_array().unwrap().iter().find(|i| i["subject_action_id"] == open["id"]).expect("the open action is on the agenda");
    assert_eq!(item["kind"], "open");
    let item_id = item["id"].as_i64().unwrap();
    let decide = format!("{path}/items/{item_id}/actions");
    let (s, e) = coordinator.send(Method::POST, &decide, json!({"title": "Byt armaturerna", "due_on": in_days(5)})).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("responsible_org_id")));
    let (s, a) = coordinator
        .send(
            Method::POST,
            &decide,
            json!({"title": "Byt armaturerna i gångtunneln", "responsible_org_id": w.bostad, "due_on": in_days(5)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["meeting_id"], m["id"]);
    let (_, got) = coordinator.get(&path).await;
    let item = got["items"].as_array().unwrap().iter().find(|i| i["id"] == item_id).unwrap();
    assert_eq!(item["decided"][0][0], a["id"]);
    let (s, _) = coordinator.send(Method::POST, &format!("{path}/items/999999/actions"), json!({"title": "X"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Weeks are checked; members who are not coordinators do not open meetings.
    let (s, e) = coordinator.send(Method::PUT, &format!("/forums/{}/meetings/vecka-5", w.forum), json!({})).await;
    assert_eq!((s, e["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("week")), "{e}");
    let (s, e) = coordinator.send(Method::PUT, &format!("/forums/{}/meetings/{}", w.forum, week.plus(5)), json!({})).await;
    assert_eq!((s, e["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("week.future")), "{e}");
    let tenant = x.api(w.tenant_member, w.bostad).await;
    let (s, _) = tenant.send(Method::PUT, &format!("/forums/{}/meetings/{}", w.forum, week.plus(1)), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = tenant.get(&path).await;
    assert_eq!(s, StatusCode::OK, "members read the meeting");
}

async fn share_links_show_the_token_once_and_are_revoked(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let coordinator = x.api(w.coordinator, w.kommun).await;
    let path = format!("/forums/{}/share-links", w.forum);
    let (s, e) = coordinator.send(Method::POST, &path, json!({"label": "", "days": 200})).await;
    assert_eq!((s, fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["label", "days"]), "{e}");
    let (s, c) = coordinator.send(Method::POST, &path, json!({"label": "Skolornas rektorer", "days": 14})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let token = c["token"].as_str().unwrap();
    assert!(token.len() >= 16);
    assert_eq!(c["link"]["prefix"].as_str(), Some(&token[..6]));
    let url = c["url"].as_str().unwrap();
    assert!(url.ends_with(&format!("/delad/{token}")), "{url}");
    let shared = x.app.url(&format!("/delad/{token}"));
    assert_eq!(reqwest::get(&shared).await.unwrap().status(), StatusCode::OK, "opens without an account");
    let id = c["link"]["id"].as_i64().unwrap();
    let (_, list) = coordinator.get(&path).await;
    assert_eq!(list[0]["id"], id);
    assert!(list[0].get("token").is_none() && !list.to_string().contains(token), "the token is shown once");
    assert!(list[0]["revoked_at_ms"].is_null());

    let tenant = x.api(w.tenant_member, w.bostad).await;
    let (s, _) = tenant.send(Method::POST, &path, json!({"label": "Hyresgäster"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "coordinators share");
    let (s, _) = tenant.send(Method::POST, &format!("/share-links/{id}/revoke"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = coordinator.send(Method::POST, &format!("/share-links/{id}/revoke"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(r["revoked_at_ms"].is_i64());
    let (_, list) = coordinator.get(&path).await;
    assert!(list[0]["revoked_at_ms"].is_i64());
    assert_eq!(reqwest::get(&shared).await.unwrap().status(), StatusCode::GONE, "revoked at once");
    let outsider = x.api(w.outsider, w.angelholm).await;
    let (s, _) = outsider.send(Method::POST, &format!("/share-links/{id}/revoke"), json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn digest_preference_round_trips(b: Backend) {
    let Some(x) = setup(b).await else { return };
    let w = &x.w;
    let tenant = x.api(w.tenant_member, w.bostad).await;
    let (s, p) = tenant.get("/me/preferences").await;
    assert_eq!((s, p), (StatusCode::OK, json!({"digest_opt_out": false})));
    let (s, p) = tenant.send(Method::PUT, "/me/preferences", json!({"digest_opt_out": true})).await;
    assert_eq!((s, p), (StatusCode::OK, json!({"digest_opt_out": true})));
    assert_eq!(tenant.get("/me/preferences").await.1, json!({"digest_opt_out": true}));
    let (s, e) = tenant.send(Method::PUT, "/me/preferences", json!({"digest": false})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Someone else's choice is theirs.
    let coordinator = x.api(w.coordinator, w.kommun).await;
    assert_eq!(coordinator.get("/me/preferences").await.1, json!({"digest_opt_out": false}));
    let (s, p) = tenant.send(Method::PUT, "/me/preferences", json!({"digest_opt_out": false})).await;
    assert_eq!((s, p), (StatusCode::OK, json!({"digest_opt_out": false})));
}

crate::both_backends!(
    actions_are_checked_decided_and_completed,
    outsiders_reach_no_forum_work,
    alerts_are_raised_once_acknowledged_and_closed,
    meetings_open_once_and_turn_items_into_actions,
    share_links_show_the_token_once_and_are_revoked,
    digest_preference_round_trips,
);
