//! Organisation A cannot read B's unshared records through any page or endpoint.

use brygga_domain::{OrgKind, Role};
use brygga_store::accounts::contacts::{self, ContactInput};
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};

use crate::common::{Backend, PASSWORD, TestApp};

struct World {
    app: TestApp,
    org_b: i64,
    user_b: i64,
    secret_contact: i64,
    shared_contact: i64,
    token_a: String,
    token_c: String,
    token_b_id: i64,
}

/// A and B share the forum "EST Trelleborg"; C is outside. B owns a contact person visible to
/// B only ("Hemlig Hansson") and one shared with the forum ("Delad Dahl").
async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let a = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let org_b = app.org("AB Trelleborgshem", OrgKind::HousingCompany, &["1287"]).await;
    let c = app.org("Nattvandrarna", OrgKind::CivilSociety, &["1287"]).await;
    let ua = app.user("a@trelleborg.se", a, Role::Administrator).await;
    let user_b = app.user("b@trelleborgshem.se", org_b, Role::Administrator).await;
    let uc = app.user("c@nattvandrarna.se", c, Role::Administrator).await;
    let va = stories::viewer(app.store(), ua).await;
    let forum = ForumInput { name: "EST Trelleborg".into(), convener_org_id: a, member_org_ids: vec![org_b], ..Default::default() }
        .validate()
        .unwrap();
    let forum_id = app.store().write(move |db| forum::create(db, &va, &forum, &stories::postmark())).await.unwrap().id;
    stories::accept_all(app.store(), forum_id).await;
    let vb = stories::viewer(app.store(), user_b).await;
    let mk = |name: &str, vis: &str, forum: Option<i64>| {
        ContactInput {
            name: name.into(),
            visibility: vis.into(),
            forum_id: forum,
            email: Some("hemlig@trelleborgshem.se".into()),
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    let (secret, shared) = (mk("Hemlig Hansson", "organisation", None), mk("Delad Dahl", "forum", Some(forum_id)));
    let v = vb.clone();
    let secret_contact = app.store().write(move |db| contacts::create(db, &v, org_b, &secret)).await.unwrap().id;
    let v = vb.clone();
    let shared_contact = app.store().write(move |db| contacts::create(db, &v, org_b, &shared)).await.unwrap().id;
    let token_a = app.token(ua, a).await;
    let token_c = app.token(uc, c).await;
    app.token(user_b, org_b).await;
    let v = vb.clone();
    let token_b_id = app.store().read(move |db| brygga_store::accounts::auth::list_tokens(db, &v)).await.unwrap()[0].id;
    Some(World { app, org_b, user_b, secret_contact, shared_contact, token_a, token_c, token_b_id })
}

async fn pages_do_not_show_other_organisations_unshared_records(b: Backend) {
    let Some(w) = world(b).await else { return };
    let web = w.app.browser();
    web.login("a@trelleborg.se", PASSWORD).await;
    let (status, html) = web.get_html(&format!("/organisationer/{}", w.org_b)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Delad Dahl"), "shared with A's forum");
    assert!(!html.contains("Hemlig Hansson"), "B's own record");
    assert!(!html.contains("b@trelleborgshem.se"), "B's members are not listed to A");
    for path in [
        format!("/kontaktpersoner/{}/redigera", w.secret_contact),
        format!("/kontaktpersoner/{}/redigera", w.shared_contact),
        format!("/anvandare/{}", w.user_b),
    ] {
        let (status, html) = web.get_html(&path).await;
        assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{path}: {status}");
        assert!(!html.contains("Hemlig Hansson"), "{path}");
    }
    let r = web.submit("/", &format!("/kontaktpersoner/{}/ta-bort", w.secret_contact), &[]).await;
    assert!(matches!(r.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN));
    let (_, csv) = web.get_html("/organisationer.csv").await;
    assert!(!csv.contains("Hemlig"));

    // C (outside the forum) does not even see the shared one.
    let web_c = w.app.browser();
    web_c.login("c@nattvandrarna.se", PASSWORD).await;
    let (_, html) = web_c.get_html(&format!("/organisationer/{}", w.org_b)).await;
    assert!(!html.contains("Delad Dahl") && !html.contains("Hemlig Hansson"));
}

async fn api_does_not_show_other_organisations_unshared_records(b: Backend) {
    let Some(w) = world(b).await else { return };
    let a = w.app.api(&w.token_a);
    let (s, list) = a.get(&format!("/organisations/{}/contacts", w.org_b)).await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Delad Dahl"]);
    let (s, _) = a.get(&format!("/contacts/{}", w.secret_contact)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) =
        a.send(Method::PUT, &format!("/contacts/{}", w.shared_contact), serde_json::json!({"name": "Kapad", "visibility": "public"})).await;
    assert!(matches!(s, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{s}");
    let r = a
        .req(Method::PUT, &format!("/contacts/{}", w.shared_contact))
        .header("if-match", "\"1\"")
        .json(&serde_json::json!({"name": "Kapad", "visibility": "public"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = a.req(Method::DELETE, &format!("/contacts/{}", w.secret_contact)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (s, _) = a.get(&format!("/users/{}", w.user_b)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = a.get(&format!("/users?org_id={}", w.org_b)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = a.get(&format!("/audit?org_id={}", w.org_b)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = a.req(Method::DELETE, &format!("/me/tokens/{}", w.token_b_id)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "cannot revoke B's token");
    let (_, forums) = a.get("/forums").await;
    assert!(forums.to_string().contains("EST Trelleborg"));

    let c = w.app.api(&w.token_c);
    let (_, list) = c.get(&format!("/organisations/{}/contacts", w.org_b)).await;
    assert_eq!(list, serde_json::json!([]));
    let (s, _) = c.get(&format!("/contacts/{}", w.shared_contact)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, forums) = c.get("/forums").await;
    assert!(!forums.to_string().contains("hemlig@"), "no contact details leak through forums");
}

crate::both_backends!(pages_do_not_show_other_organisations_unshared_records, api_does_not_show_other_organisations_unshared_records);
