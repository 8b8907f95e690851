//! The whole round, as issue 16's "done when" describes it: an association gives its input to a
//! consultation; the organiser themes it by Brygga's suggestion, sets a disposition linking the
//! item to a measure of Trelleborg's plan (a measure it may not read is refused) and publishes
//! the documentation (a retry with the same key publishes nothing twice); the association's user
//! receives the e-mail through a real SMTP server and sees, on "Mina medskick" and in the
//! documentation, what became of the input; the outcome goes out as a newsletter issue.

use std::time::Duration;

use brygga_mail::Outgoing;
use brygga_store::ConnExt;
use brygga_store::dialogue::newsletters::{self, ListInput};
use brygga_store::kernel::mail;
use brygga_store_tests::stories;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::common::{Backend, TestApp};
use crate::operations::mail::mailer;
use crate::smtp::SmtpSink;

async fn an_association_sees_what_became_of_its_input(b: Backend) {
    let Some(sink) = SmtpSink::start().await else { return };
    let Some(app) = TestApp::spawn(b).await else { return };
    let (w, p) = stories::plan_with_data(app.store()).await;
    let organiser = app.api(&app.token(w.coordinator, w.kommun).await);
    let association = app.api(&app.token(w.association, w.forening).await);

    let (status, c) = organiser
        .send(
            Method::POST,
            "/consultations",
            json!({"title": "Samråd om unga och trygghet", "kind": "dialogue_meeting", "municipality_code": "1287",
                   "meets_at": "2030-01-29 17:00", "input_closes_at": "2099-02-04 23:59",
                   "questions": ["Medskick till lägesbilden"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    organiser.send(Method::POST, &format!("/consultations/{id}/invitations"), json!({"org_ids": [w.forening]})).await;
    let (status, _) = organiser.send(Method::POST, &format!("/consultations/{id}/status"), json!({"status": "open"})).await;
    assert_eq!(status, StatusCode::OK);

    // The association gives its input (named).
    let mut items = vec![];
    for text in [
        "Klotter i passagen vid stationen återkommer varje helg.",
        "Klotter vid stationen tas bort för långsamt.",
        "Unga saknar en plats att vara på kvällarna.",
    ] {
        let (status, item) =
            association.send(Method::POST, &format!("/consultations/{id}/input"), json!({"text": text, "attribution": "named"})).await;
        assert_eq!(status, StatusCode::CREATED, "{item}");
        items.push(item["id"].as_i64().unwrap());
    }

    // The organiser themes by suggestion and confirms.
    let (status, themes) = organiser.send(Method::POST, &format!("/consultations/{id}/theme-suggestion"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{themes}");
    let theme = themes.as_array().and_then(|t| t.first()).expect("a suggested theme").clone();
    assert_eq!(theme["items"].as_i64(), Some(2), "the two texts on graffiti: {themes}");
    let (status, _) = organiser
        .send(Method::PUT, &format!("/consultation-themes/{}", theme["id"]), json!({"name": "Klotter vid stationen", "confirmed": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    // The association may not dispose.
    let disposition = json!({"outcome": "adopted", "reason": "Ingår i saneringsinsatsen i åtgärdsplanen.", "links": [format!("measure:{}", p.measure_ok)]});
    let (status, _) = association.send(Method::PUT, &format!("/consultation-inputs/{}/disposition", items[0]), disposition.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A link the organiser may not read is refused, named at the field, nothing written.
    let (status, body) = organiser
        .send(
            Method::PUT,
            &format!("/consultation-inputs/{}/disposition", items[0]),
            json!({"outcome": "adopted", "reason": "Se insatsen.", "links": ["measure:999999"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("läsrätt"), "{body}");
    let (status, d) = organiser.send(Method::PUT, &format!("/consultation-inputs/{}/disposition", items[0]), disposition).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["links"][0]["title"], "Sanering inom 24 timmar");

    // Publishing twice with one key gives one version and one e-mail per participant.
    for _ in 0..2 {
        let r = organiser
            .req(Method::POST, &format!("/consultations/{id}/documentation"))
            .header("Idempotency-Key", "publicera-1")
            .json(&json!({"note": "Första versionen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (_, versions) = association.get(&format!("/consultations/{id}/documentation")).await;
    assert_eq!(versions.as_array().map(Vec::len), Some(1), "{versions}");

    // The e-mail goes through a real SMTP server.
    let ids: Vec<i64> =
        app.store().read(|db| Ok(db.scalars("SELECT id FROM mail_outbox WHERE kind = 'consultation' ORDER BY id", &[])?)).await.unwrap();
    assert_eq!(ids.len(), 1, "one participant, one e-mail");
    for mid in ids {
        let m = app.store().read(move |db| mail::outgoing(db, mid)).await.unwrap().unwrap();
        let out = Outgoing {
            message_id: &m.message_id,
            to: &m.recipient,
            subject: &m.subject,
            body: &m.body,
            created_at_ms: m.created_at,
            list_unsubscribe: m.list_unsubscribe.as_deref(),
        };
        mailer(sink.port).send(&out).await.unwrap();
    }
    let got = sink.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(got[0].rcpt_tos, ["ordf@nattvandrarna.se"]);
    assert_eq!(got[0].header("Subject"), Some("Dokumentation från samrådet: Samråd om unga och trygghet"));
    let body = got[0].body.as_deref().unwrap();
    assert!(body.contains(&format!("/samrad/{id}/dokumentation/1")) && body.contains("/mina-medskick"), "{body}");
    assert!(!body.contains("Klotter i passagen"), "the e-mail carries no item text: {body}");

    // "Mina medskick" shows the outcome and what it changed; so does the documentation page.
    let (status, mine) = association.get("/consultations/mine").await;
    assert_eq!(status, StatusCode::OK);
    let item = mine[0]["items"].as_array().unwrap().iter().find(|i| i["input"]["id"] == items[0]).expect("the item").clone();
    assert_eq!(
        (item["outcome_label"].as_str(), item["links"][0]["title"].as_str()),
        (Some("Omhändertaget"), Some("Sanering inom 24 timmar"))
    );
    let web = app.browser();
    web.login("ordf@nattvandrarna.se", stories::PASSWORD).await;
    let (status, html) = web.get_html("/mina-medskick").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Omhändertaget") && html.contains("Sanering inom 24 timmar") && html.contains("Inget besked än"), "{html}");
    let (status, html) = web.get_html(&format!("/samrad/{id}/dokumentation/1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Klotter vid stationen") && html.contains("Nattvandrarna"), "{html}");

    // The outcome as a newsletter issue (kind consultation_outcome), with one-click unsubscribe.
    let v = stories::viewer(app.store(), w.coordinator).await;
    let list = app
        .store()
        .write(move |db| newsletters::create_list(db, &v, &ListInput { name: "Trygg i Trelleborg".into(), ..Default::default() }))
        .await
        .unwrap();
    let v = stories::viewer(app.store(), w.association).await;
    app.store().write(move |db| newsletters::subscribe_self(db, &v, list.id)).await.unwrap();
    let (status, body) = organiser.send(Method::POST, &format!("/consultations/{id}/documentation/newsletter"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, issue) =
        organiser.send(Method::POST, &format!("/consultations/{id}/documentation/newsletter"), json!({"list_id": list.id})).await;
    assert_eq!(status, StatusCode::OK, "{issue}");
    assert_eq!((issue["kind"].as_str(), issue["recipient_count"].as_i64()), (Some("consultation_outcome"), Some(1)), "{issue}");
    assert!(issue["body"].as_str().unwrap().contains("Klotter vid stationen: 2 medskick, 1 helt eller delvis omhändertagna"), "{issue}");
    assert!(!issue["body"].as_str().unwrap().contains("Klotter i passagen"), "no item text in a newsletter: {issue}");
    sink.stop().await;
}

both_backends!(an_association_sees_what_became_of_its_input);
