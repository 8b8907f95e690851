//! The web interface as a person uses it: signing in, forms, errors, headers.

use brygga_domain::{OrgKind, Role};
use brygga_web::WebConfig;
use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, csrf_in, text_of};

async fn app_with_coordinator(b: Backend) -> Option<(TestApp, i64)> {
    let app = TestApp::spawn(b).await?;
    let org = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.user("samordnare@trelleborg.se", org, Role::Coordinator).await;
    Some((app, org))
}

async fn login_then_create_organisation_and_see_it_listed(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    let r = web.get("/organisationer").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed-out users are sent to the login page");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/logga-in?next=%2Forganisationer"));

    let r = web.login("samordnare@trelleborg.se", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("brygga_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    let r = web
        .submit(
            "/organisationer/ny",
            "/organisationer",
            &[("name", "Föreningen Trygga Gator"), ("kind", "civil_society"), ("municipalities", "Trelleborg, Vellinge")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let (status, html) = web.get_html(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&html, "h1").unwrap(), "Föreningen Trygga Gator");
    assert_eq!(text_of(&html, ".flash").unwrap(), "Uppgifterna har sparats.");
    assert!(html.contains("Vellinge, Trelleborg"), "municipalities listed by code");
    let (_, list) = web.get_html("/organisationer?q=trygga").await;
    assert!(list.contains("Föreningen Trygga Gator"));
    assert!(!list.contains("Trelleborgs kommun"), "the filter applies");
}

async fn bad_input_is_explained_per_field_and_kept(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let long = "x".repeat(121);
    let r = web
        .submit(
            "/organisationer/ny",
            "/organisationer",
            &[
                ("name", &long),
                ("kind", "municipality"),
                ("org_number", "212000-1125"),
                ("municipalities", "Trelleborg, Atlantis"),
                ("description", "Bra\u{7} text"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Hittar ingen kommun som heter ”Atlantis”"), "unknown municipality named");
    assert!(html.contains("högst 120 tecken"), "overlong name explained");
    assert!(html.contains("sista siffran borde vara 4"), "check digit explained");
    assert!(text_of(&html, ".error-summary").unwrap().contains("Det finns fel i formuläret"));
    assert!(html.contains("value=\"212000-1125\""), "what was typed is kept");
    assert!(html.contains("aria-invalid=\"true\""));
    // Nothing was written.
    let (_, list) = web.get_html("/organisationer").await;
    assert!(!list.contains(&long[..20]));

    // A control character in a single-line field.
    let r = web.submit("/organisationer/ny", "/organisationer", &[("name", "Ny\u{1b}[31m förening"), ("kind", "civil_society")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("otillåtet styrtecken"));

    // A duplicate name, in another case.
    let r = web.submit("/organisationer/ny", "/organisationer", &[("name", "TRELLEBORGS KOMMUN"), ("kind", "municipality")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Det finns redan en organisation som heter ”Trelleborgs kommun”"));
}

async fn forms_need_their_csrf_token(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    // The login form itself is protected by a double-submit cookie.
    let r = web.post("/logga-in", &[("email", "samordnare@trelleborg.se"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Ladda om sidan och försök igen"));

    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let r = web.post("/organisationer", &[("name", "Utan token"), ("kind", "other")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = web.post("/organisationer", &[("csrf", "fel"), ("name", "Fel token"), ("kind", "other")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A cross-site form post carries a foreign Origin.
    let (_, html) = web.get_html("/organisationer/ny").await;
    let csrf = csrf_in(&html);
    let r = web
        .client
        .post(format!("{}/organisationer", web.base))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("name", "Korsvis"), ("kind", "other")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, list) = web.get_html("/organisationer").await;
    assert!(!list.contains("Utan token") && !list.contains("Fel token") && !list.contains("Korsvis"));
}

async fn wrong_passwords_are_refused_then_paused(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    for _ in 0..5 {
        let r = web.login("samordnare@trelleborg.se", "inte rätt lösenord").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("Fel e-postadress eller lösenord"));
        assert!(!html.contains("inte rätt lösenord"), "the password is never echoed");
    }
    let r = web.login("samordnare@trelleborg.se", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("För många försök. Vänta 15 minuter"));
}

async fn expired_sessions_say_so(b: Backend) {
    let config =
        WebConfig { session: brygga_store::accounts::auth::SessionPolicy { idle_ms: 400, absolute_ms: 3_600_000 }, ..WebConfig::default() };
    let Some(app) = TestApp::spawn_with(b, config).await else { return };
    let org = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.user("samordnare@trelleborg.se", org, Role::Coordinator).await;
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    assert_eq!(web.get("/organisationer").await.status(), StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let r = web.get("/organisationer").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("orsak=utgangen"), "{to}");
    let (_, html) = web.get_html(&to).await;
    assert_eq!(text_of(&html, ".notice").unwrap(), "Din inloggning har gått ut. Logga in igen för att fortsätta.");
}

async fn every_response_carries_security_headers(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    for path in ["/logga-in", "/finns-inte", "/static/brygga.css", "/api/v1/organisations", "/healthz", "/organisationer/abc"] {
        let r = web.get(path).await;
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
}

async fn errors_are_swedish_pages(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    for path in ["/finns-inte", "/organisationer/999999", "/organisationer/abc"] {
        let (status, html) = web.get_html(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(text_of(&html, "h1").unwrap(), "Hittades inte", "{path}");
        assert!(html.contains("lang=\"sv\""));
    }
    // A coordinator may not delete organisations.
    let r = web.submit("/organisationer", "/organisationer/1/ta-bort", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Du har inte behörighet"));
}

async fn logout_ends_the_session(b: Backend) {
    let Some((app, _)) = app_with_coordinator(b).await else { return };
    let web = app.browser();
    web.login("samordnare@trelleborg.se", PASSWORD).await;
    let r = web.submit("/", "/logga-ut", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(web.get("/").await.status(), StatusCode::SEE_OTHER);
}

crate::both_backends!(
    login_then_create_organisation_and_see_it_listed,
    bad_input_is_explained_per_field_and_kept,
    forms_need_their_csrf_token,
    wrong_passwords_are_refused_then_paused,
    expired_sessions_say_so,
    every_response_carries_security_headers,
    errors_are_swedish_pages,
    logout_ends_the_session,
);
