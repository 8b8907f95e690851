//! Deliverables as people use them: the coordinator adds a delivered toolbox, sees it flagged
//! "levererad men inte spridd", logs its spread (refused with the typed values kept when wrong)
//! and the flag goes; the API answers the same; outsiders get 404.

use brygga_domain::time::today;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::steering::signed_in;
use crate::common::{Backend, TestApp};

async fn a_delivered_toolbox_is_flagged_until_its_spread_is_logged(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let w = stories::steering_world(app.store()).await;
    let web = signed_in(&app, "samordnare@lansstyrelsen.example").await;
    let list = format!("/program/{}/leveranser", w.programme);
    let day = today().checked_sub(jiff::Span::new().days(10)).unwrap().to_string();
    let r = web.submit(&list, &list, &[("kind", "toolbox"), ("title", ""), ("ordered_on", &day), ("delivered_on", "2001-01-01")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("ligger före beställningsdagen") && html.contains("Produktens namn saknas"), "{html}");
    let r =
        web.submit(&list, &list, &[("kind", "toolbox"), ("title", "Verktygslåda"), ("supplier", "Byrån"), ("delivered_on", &day)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let item = r.headers().get("location").unwrap().to_str().unwrap().split('?').next().unwrap().to_owned();
    let (_, html) = web.get_html(&list).await;
    assert!(html.contains("Levererad men inte spridd</span>"), "{html}");
    let (_, html) = web.get_html(&item).await;
    assert!(html.contains("Levererad men inte spridd."));

    let spread = format!("{item}/spridning");
    let r = web
        .submit(
            &item,
            &spread,
            &[("recipient", ""), ("recipient_org_id", ""), ("sent_on", &day), ("channel", "email"), ("sent_count", "tjugo")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("”tjugo” är inget heltal") && html.contains("Ange vem produkten spreds till"), "{html}");
    assert!(html.contains("value=\"tjugo\""));
    let kommun = w.kommun.to_string();
    let r = web
        .submit(
            &item,
            &spread,
            &[
                ("recipient", ""),
                ("recipient_org_id", &kommun),
                ("sent_on", &day),
                ("channel", "email"),
                ("sent_count", "33"),
                ("opened_count", "21"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&list).await;
    assert!(!html.contains("Levererad men inte spridd</span>") && html.contains(">Spridd<"), "{html}");

    // The API: the same list, the same check.
    let api = app.api(&app.token(w.county, w.lansstyrelsen).await);
    let (s, r) = api
        .send(
            Method::POST,
            &format!("/programmes/{}/deliverables", w.programme),
            json!({"kind": "leaflet", "title": "Broschyr", "delivered_on": day}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["undistributed"], true);
    let id = r["id"].as_i64().unwrap();
    let (s, r) = api
        .send(
            Method::POST,
            &format!("/deliverables/{id}/distributions"),
            json!({"recipient": "Webben", "sent_on": day, "channel": "web", "downloaded_count": 140}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, r) = api.get(&format!("/deliverables/{id}")).await;
    assert_eq!((s, r["undistributed"].as_bool(), r["reach"]["downloaded"].as_i64()), (StatusCode::OK, Some(false), Some(140)));
    let (s, r) = api
        .send(
            Method::POST,
            &format!("/deliverables/{id}/distributions"),
            json!({"recipient": "x", "sent_on": "2001-01-01", "channel": "fax"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let outsider = app.api(&app.token(w.outsider, w.outsider_org).await);
    assert_eq!(outsider.get(&format!("/deliverables/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("/programmes/{}/deliverables", w.programme)).await.0, StatusCode::NOT_FOUND);
    let web_outsider = signed_in(&app, "samordnare@kalmar.example").await;
    assert_eq!(web_outsider.get_html(&item).await.0, StatusCode::NOT_FOUND);
}

crate::both_backends!(a_delivered_toolbox_is_flagged_until_its_spread_is_logged);
