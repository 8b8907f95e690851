//! Finding 6 of the security review: after signing in, `next` may only lead to a path on this
//! site. Browsers strip tabs and newlines from a URL, so `/\t/evil.example` is `//evil.example`;
//! control characters must not reach the `Location` header (that used to be a 500).

use brygga_domain::{OrgKind, Role};
use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, csrf_in};

const HOSTILE: &[&str] = &[
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/ /evil.example",
    "/\u{1}",
    "/\u{7f}",
    "//evil.example",
    "/\\evil.example",
    "/\t\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/%2F/evil.example/..",
    "/.//evil.example",
    "\u{3000}//evil.example",
    "/\u{200b}/evil.example",
    "",
];

fn stays_here(location: &str) -> bool {
    location.starts_with('/')
        && !location.starts_with("//")
        && !location.starts_with("/\\")
        && location.bytes().all(|b| b > b' ' && b != 0x7f && b != b'\\')
}

async fn sign_in_never_leads_off_site(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let org = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    app.user("samordnare@trelleborg.se", org, Role::Coordinator).await;

    // Signing in with a hostile `next` in the form.
    for next in HOSTILE {
        let web = app.browser();
        let (_, html) = web.get_html("/logga-in").await;
        let csrf = csrf_in(&html);
        let r = web
            .post("/logga-in", &[("csrf", csrf.as_str()), ("email", "samordnare@trelleborg.se"), ("password", PASSWORD), ("next", next)])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "next={next:?}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(stays_here(&location), "next={next:?} led to {location:?}");

        // Already signed in: the login page redirects at once, through the same check.
        let r = web.client.get(format!("{}/logga-in", web.base)).query(&[("next", next)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "GET next={next:?}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(stays_here(&location), "GET next={next:?} led to {location:?}");
    }

    // A signed-out visitor with a hostile `next` gets the page, never a 500, and the form does not carry it.
    let web = app.browser();
    for raw in ["/logga-in?next=/%09/evil.example", "/logga-in?next=/%01", "/logga-in?next=%2F%0D%0ALocation:%20x"] {
        let (status, html) = web.get_html(raw).await;
        assert_eq!(status, StatusCode::OK, "{raw}");
        assert!(!html.contains("evil.example"), "{raw} kept in the form");
    }

    // An ordinary local path with a query survives.
    let (_, html) = web.get_html("/logga-in").await;
    let csrf = csrf_in(&html);
    let r = web
        .post(
            "/logga-in",
            &[
                ("csrf", csrf.as_str()),
                ("email", "samordnare@trelleborg.se"),
                ("password", PASSWORD),
                ("next", "/organisationer?q=tr%C3%A4d"),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"].to_str().unwrap(), "/organisationer?q=tr%C3%A4d");
}

crate::both_backends!(sign_in_never_leads_off_site);
