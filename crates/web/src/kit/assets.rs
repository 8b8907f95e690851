//! Static files, compiled into the binary: Brygga needs no CDN and works offline.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { name: "brygga.css", mime: "text/css; charset=utf-8", body: include_bytes!("../../static/brygga.css") },
    Asset { name: "favicon.svg", mime: "image/svg+xml", body: include_bytes!("../../static/favicon.svg") },
    Asset { name: "areas.css", mime: "text/css; charset=utf-8", body: include_bytes!("../../static/areas.css") },
    Asset { name: "areas.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../../static/areas.js") },
    Asset { name: "document.css", mime: "text/css; charset=utf-8", body: include_bytes!("../../static/document.css") },
    Asset { name: "followup.css", mime: "text/css; charset=utf-8", body: include_bytes!("../../static/followup.css") },
    Asset { name: "report.js", mime: "text/javascript; charset=utf-8", body: include_bytes!("../../static/report.js") },
];

/// Changes with every release, so browsers fetch new assets after an upgrade.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => {
            let mut resp = a.body.into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.mime));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
            resp
        }
        None => (StatusCode::NOT_FOUND, "").into_response(),
    }
}
