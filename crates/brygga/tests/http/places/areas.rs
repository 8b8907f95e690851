//! Places (platser): created by point, by GeoJSON in WGS84 and SWEREF 99 TM, imported all or
//! nothing, exported and imported back, kept inside the municipality, in a hierarchy, and
//! edited only by the municipality's coordinators — through the pages and the API.

use brygga_domain::geometry::sweref;
use brygga_domain::{OrgKind, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Browser, PASSWORD, TestApp, text_of};

struct World {
    app: TestApp,
    coordinator: Browser,
    token: String,
    reporter_token: String,
    outsider_token: String,
}

/// Trelleborg's municipality with a coordinator and a reporter; Ängelholm's coordinator.
async fn world(b: Backend) -> Option<World> {
    let app = TestApp::spawn(b).await?;
    let kommun = app.org("Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let angelholm = app.org("Ängelholms kommun", OrgKind::Municipality, &["1292"]).await;
    let c = app.user("samordnare@trelleborg.se", kommun, Role::Coordinator).await;
    let r = app.user("falt@trelleborg.se", kommun, Role::Reporter).await;
    let o = app.user("samordnare@engelholm.se", angelholm, Role::Coordinator).await;
    let coordinator = app.browser();
    coordinator.login("samordnare@trelleborg.se", PASSWORD).await;
    let (token, reporter_token, outsider_token) = (app.token(c, kommun).await, app.token(r, kommun).await, app.token(o, angelholm).await);
    Some(World { app, coordinator, token, reporter_token, outsider_token })
}

fn rect(lon: f64, lat: f64, w: f64, h: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]]})
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

async fn names(w: &World) -> Vec<String> {
    let (s, list) = w.app.api(&w.token).get("/areas?municipality=1287").await;
    assert_eq!(s, StatusCode::OK);
    list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()).collect()
}

async fn places_are_created_by_point_and_by_geojson_in_either_system(b: Backend) {
    let Some(w) = world(b).await else { return };
    let web = &w.coordinator;
    let (s, html) = web.get_html("/platser").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/platser/1287\""), "the coordinator's municipality is offered");

    // A district as WGS84 GeoJSON.
    let centrum = rect(13.145, 55.370, 0.02, 0.01).to_string();
    let r = web
        .submit(
            "/platser/1287/ny",
            "/platser/1287",
            &[("name", "Centrum"), ("kind", "district"), ("geometry_mode", "geojson"), ("crs", "auto"), ("geojson", &centrum)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let (_, html) = web.get_html(&location(&r)).await;
    assert_eq!(text_of(&html, "h1").unwrap(), "Centrum");
    assert!(html.contains("Stadsdel/område") && html.contains("ha"), "kind and size shown");
    let centrum_id = location(&r).split('/').nth(3).unwrap().split('?').next().unwrap().to_owned();

    // A square inside it as a typed point (decimal comma).
    let r = web
        .submit(
            "/platser/1287/ny",
            "/platser/1287",
            &[
                ("name", "Stortorget"),
                ("kind", "square"),
                ("parent_id", &centrum_id),
                ("geometry_mode", "point"),
                ("lat", "55,3751"),
                ("lon", "13,1566"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = web.get_html(&location(&r)).await;
    assert!(html.contains("lat 55.375100, lon 13.156600"));
    assert!(html.contains(&format!("href=\"/platser/1287/{centrum_id}\"")), "the parent is linked");

    // A park in SWEREF 99 TM, recognised automatically.
    let ring: Vec<[f64; 2]> = [[13.160, 55.372], [13.163, 55.372], [13.163, 55.374], [13.160, 55.374], [13.160, 55.372]]
        .iter()
        .map(|p| sweref::to_sweref(*p).map(|c| (c * 10.0).round() / 10.0))
        .collect();
    let park = json!({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}).to_string();
    let r = web
        .submit(
            "/platser/1287/ny",
            "/platser/1287",
            &[("name", "Stadsparken"), ("kind", "park"), ("geometry_mode", "geojson"), ("crs", "auto"), ("geojson", &park)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, park) =
        w.app.api(&w.token).get(&format!("/areas/{}", location(&r).split('/').nth(3).unwrap().split('?').next().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    let first = &park["geometry"]["coordinates"][0][0];
    assert!((first[0].as_f64().unwrap() - 13.160).abs() < 1e-6 && (first[1].as_f64().unwrap() - 55.372).abs() < 1e-6, "{first}");

    // The list: a tree, a map with a link per place, and the table.
    let (_, html) = web.get_html("/platser/1287").await;
    assert!(html.contains("<svg class=\"map\""));
    assert!(html.contains("aria-label=\"Stortorget\""), "each place is a named link on the map");
    assert!(html.contains("<th scope=\"row\" class=\"d1\"><a href="), "sub-places are indented");
    assert_eq!(names(&w).await, ["Centrum", "Stortorget", "Stadsparken"], "parents before children, then by name");
}

async fn bad_places_are_explained_and_nothing_is_saved(b: Backend) {
    let Some(w) = world(b).await else { return };
    let web = &w.coordinator;
    // Outside the municipality (Lund).
    let r = web
        .submit(
            "/platser/1287/ny",
            "/platser/1287",
            &[("name", "Lund C"), ("kind", "station"), ("geometry_mode", "point"), ("lat", "55.705"), ("lon", "13.187")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Platsen ligger utanför kommunen Trelleborg"), "{html}");
    assert!(html.contains("value=\"Lund C\""), "what was typed is kept");
    // Swapped latitude and longitude; the wrong coordinate system chosen; a bow-tie polygon.
    let r = web
        .submit("/platser/1287/ny", "/platser/1287", &[("name", "X"), ("geometry_mode", "point"), ("lat", "13.15"), ("lon", "55.37")])
        .await;
    assert!(r.text().await.unwrap().contains("Latitud och longitud verkar ha bytt plats"));
    let metres = json!({"type": "Point", "coordinates": [383190, 6138080]}).to_string();
    let r = web
        .submit("/platser/1287/ny", "/platser/1287", &[("name", "X"), ("geometry_mode", "geojson"), ("crs", "wgs84"), ("geojson", &metres)])
        .await;
    assert!(r.text().await.unwrap().contains("Välj SWEREF 99 TM"));
    let bowtie =
        json!({"type": "Polygon", "coordinates": [[[13.15, 55.37], [13.16, 55.38], [13.16, 55.37], [13.15, 55.38], [13.15, 55.37]]]})
            .to_string();
    let r = web.submit("/platser/1287/ny", "/platser/1287", &[("name", "X"), ("geometry_mode", "geojson"), ("geojson", &bowtie)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("korsar sig själv"));
    assert!(html.contains("href=\"#f-geojson\""), "the summary links to the field");
    // The API says the same, per field.
    let api = w.app.api(&w.token);
    let (s, e) = api
        .send(Method::POST, "/areas", json!({"type": "Feature", "properties": {"name": "Lund C", "municipality_code": "1287"}, "geometry": {"type": "Point", "coordinates": [13.187, 55.705]}}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!((e["field"].as_str(), e["errors"][0]["code"].as_str()), (Some("geometry"), Some("geometry.outside_municipality")));
    assert!(names(&w).await.is_empty(), "nothing was saved");
}

async fn an_import_with_one_bad_feature_imports_nothing_and_names_it(b: Backend) {
    let Some(w) = world(b).await else { return };
    let web = &w.coordinator;
    let mut doc = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Centrum", "kind": "district"}, "geometry": rect(13.145, 55.370, 0.02, 0.01)},
        {"type": "Feature", "properties": {"namn": "Stortorget", "typ": "Torg", "inom": "Centrum"}, "geometry": {"type": "Point", "coordinates": [55.3751, 13.1566]}},
        {"type": "Feature", "properties": {"name": "Biblioteket", "kind": "library", "parent": "Centrum"}, "geometry": {"type": "Point", "coordinates": [13.1581, 55.3765]}}
    ]});
    let r = web.submit("/platser/1287/importera", "/platser/1287/importera", &[("crs", "auto"), ("geojson", &doc.to_string())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let summary = text_of(&html, ".error-summary").unwrap();
    assert!(summary.contains("Objekt 2 (”Stortorget”): Latitud och longitud står i omvänd ordning"), "{summary}");
    assert!(html.contains("href=\"#f-features[1]\"") && html.contains("id=\"f-features[1]\""), "the summary links to the feature's row");
    assert!(!html.contains("/importera/spara"), "no import button while anything is wrong");
    assert!(names(&w).await.is_empty());

    // The API refuses it the same way, naming the feature.
    let api = w.app.api(&w.token);
    let (s, e) = api.send(Method::POST, "/areas/import?municipality=1287", doc.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"][0]["field"], "features[1]");
    assert!(names(&w).await.is_empty(), "nothing is partially imported");

    // Fixed: preview, then commit; the parent in the same file is found.
    doc["features"][1]["geometry"]["coordinates"] = json!([13.1566, 55.3751]);
    let r = web.submit("/platser/1287/importera", "/platser/1287/importera", &[("crs", "auto"), ("geojson", &doc.to_string())]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Importera 3 platser"), "{html}");
    let checked = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("form[action='/platser/1287/importera/spara'] input[name=geojson]").unwrap();
    let carried = checked.select(&sel).next().unwrap().value().attr("value").unwrap().to_owned();
    let r = web.submit("/platser/1287/importera", "/platser/1287/importera/spara", &[("crs", "auto"), ("geojson", &carried)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(names(&w).await, ["Centrum", "Biblioteket", "Stortorget"]);
    let (_, list) = api.get("/areas?municipality=1287").await;
    let centrum = list[0]["id"].as_i64().unwrap();
    assert!(list.as_array().unwrap()[1..].iter().all(|a| a["parent_id"].as_i64() == Some(centrum)));
    // Importing the same file again names the clash and adds nothing.
    let (s, e) = api.send(Method::POST, "/areas/import?municipality=1287", doc).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["errors"][0]["message"].as_str().unwrap().contains("Objekt 1 (”Centrum”): kommunen har redan en plats som heter ”Centrum”"),
        "{e}"
    );
}

async fn the_hierarchy_has_no_cycles_and_survives_deletion(b: Backend) {
    let Some(w) = world(b).await else { return };
    let api = w.app.api(&w.token);
    let feature = |name: &str, parent: Option<i64>, g: Value| json!({"type": "Feature", "properties": {"name": name, "kind": "district", "municipality_code": "1287", "parent_id": parent}, "geometry": g});
    let (s, top) = api.send(Method::POST, "/areas", feature("Söder", None, rect(13.14, 55.36, 0.04, 0.02))).await;
    assert_eq!(s, StatusCode::CREATED, "{top}");
    let (_, mid) = api.send(Method::POST, "/areas", feature("Västra Sorgenfri", top["id"].as_i64(), rect(13.14, 55.365, 0.01, 0.01))).await;
    let (_, leaf) = api
        .send(Method::POST, "/areas", feature("Lekplatsen", mid["id"].as_i64(), json!({"type": "Point", "coordinates": [13.145, 55.37]})))
        .await;
    // Söder cannot move into its own grandchild: not on the page, not in the API.
    let web = &w.coordinator;
    let edit = format!("/platser/1287/{}/redigera", top["id"]);
    let (_, form) = web.get_html(&edit).await;
    assert!(!form.contains(&format!("<option value=\"{}\"", leaf["id"])), "descendants are not offered as parents");
    let (s, e) = api
        .req(Method::PUT, &format!("/areas/{}", top["id"]))
        .header("If-Match", "\"1\"")
        .json(&feature("Söder", leaf["id"].as_i64(), rect(13.14, 55.36, 0.04, 0.02)))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.text().await.unwrap().contains("area.cycle"));
    // Deleting the middle moves its child up.
    let r = web.submit(&format!("/platser/1287/{}/ta-bort", mid["id"]), &format!("/platser/1287/{}/ta-bort", mid["id"]), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, leaf_now) = api.get(&format!("/areas/{}", leaf["id"])).await;
    assert_eq!(leaf_now["parent_id"], top["id"]);
    // Updating with the right version works; a stale one is refused.
    let r = api
        .req(Method::PUT, &format!("/areas/{}", leaf["id"]))
        .header("If-Match", "\"1\"")
        .json(&feature("Lekplatsen vid havet", top["id"].as_i64(), json!({"type": "Point", "coordinates": [13.146, 55.37]})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = api
        .req(Method::PUT, &format!("/areas/{}", leaf["id"]))
        .header("If-Match", "\"1\"")
        .json(&feature("Lekplatsen", None, json!({"type": "Point", "coordinates": [13.146, 55.37]})))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

async fn export_and_import_round_trip(b: Backend) {
    let Some(w) = world(b).await else { return };
    let api = w.app.api(&w.token);
    let sweref_ring: Vec<[f64; 2]> = [[13.150, 55.372], [13.165, 55.372], [13.165, 55.379], [13.150, 55.379], [13.150, 55.372]]
        .iter()
        .map(|p| sweref::to_sweref(*p))
        .collect();
    let doc = json!({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}, "features": [
        {"type": "Feature", "properties": {"name": "Centrum", "kind": "district"}, "geometry": {"type": "Polygon", "coordinates": [sweref_ring]}},
        {"type": "Feature", "properties": {"name": "Stortorget", "kind": "square", "parent": "Centrum"}, "geometry": {"type": "Point", "coordinates": sweref::to_sweref([13.1566, 55.3751])}}
    ]});
    let (s, dry) = api.send(Method::POST, "/areas/import?municipality=1287&dry_run=true", doc.clone()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(dry["planned"].as_array().unwrap().len(), 2);
    assert!(names(&w).await.is_empty(), "a dry run writes nothing");
    let (s, done) = api.send(Method::POST, "/areas/import?municipality=1287", doc).await;
    assert_eq!(s, StatusCode::CREATED, "{done}");

    // The page's export and the API's agree, and carry names, kinds and parents.
    let r = w.coordinator.get("/platser/1287.geojson").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/geo+json"));
    let exported: Value = r.json().await.unwrap();
    let (_, from_api) = api.get("/areas/geojson?municipality=1287").await;
    assert_eq!(exported, from_api);
    let features = exported["features"].as_array().unwrap();
    assert_eq!(features[1]["properties"]["parent"], "Centrum");
    let corner = &features[0]["geometry"]["coordinates"][0][0];
    assert!((corner[0].as_f64().unwrap() - 13.150).abs() < 2e-7 && (corner[1].as_f64().unwrap() - 55.372).abs() < 2e-7, "{corner}");

    // Delete everything and import the export: the same places come back.
    for f in features.iter().rev() {
        let (s, _) = api.send(Method::DELETE, &format!("/areas/{}", f["id"]), Value::Null).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (s, _) = api.send(Method::POST, "/areas/import?municipality=1287", exported.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, again) = api.get("/areas/geojson?municipality=1287").await;
    let strip = |v: &Value| -> Vec<(Value, Value, Value, Value)> {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (f["properties"]["name"].clone(), f["properties"]["kind"].clone(), f["properties"]["parent"].clone(), f["geometry"].clone())
            })
            .collect()
    };
    assert_eq!(strip(&again), strip(&exported));
}

async fn only_the_municipalitys_coordinators_edit(b: Backend) {
    let Some(w) = world(b).await else { return };
    let api = w.app.api(&w.token);
    let f = json!({"type": "Feature", "properties": {"name": "Stortorget", "kind": "square", "municipality_code": "1287"}, "geometry": {"type": "Point", "coordinates": [13.1566, 55.3751]}});
    let (s, torg) = api.send(Method::POST, "/areas", f.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    // A reporter of the municipality and Ängelholm's coordinator may read, not write.
    for token in [&w.reporter_token, &w.outsider_token] {
        let other = w.app.api(token);
        let (s, _) = other.get(&format!("/areas/{}", torg["id"])).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = other.send(Method::POST, "/areas", json!({"type": "Feature", "properties": {"name": "Smyge", "municipality_code": "1287"}, "geometry": {"type": "Point", "coordinates": [13.35, 55.34]}})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let r = other.req(Method::PUT, &format!("/areas/{}", torg["id"])).header("If-Match", "\"1\"").json(&f).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (s, _) = other.send(Method::DELETE, &format!("/areas/{}", torg["id"]), Value::Null).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) =
            other.send(Method::POST, "/areas/import?municipality=1287", json!({"type": "FeatureCollection", "features": []})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // The same on the pages.
    let reporter = w.app.browser();
    reporter.login("falt@trelleborg.se", PASSWORD).await;
    let (s, html) = reporter.get_html("/platser/1287").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("/platser/1287/ny"), "no create button for a reporter");
    assert_eq!(reporter.get("/platser/1287/ny").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(reporter.get(&format!("/platser/1287/{}/redigera", torg["id"])).await.status(), StatusCode::FORBIDDEN);
    let r = reporter
        .submit("/platser/1287", "/platser/1287", &[("name", "Smyge"), ("geometry_mode", "point"), ("lat", "55.34"), ("lon", "13.35")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = reporter.submit("/platser/1287", &format!("/platser/1287/{}/ta-bort", torg["id"]), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let outsider = w.app.browser();
    outsider.login("samordnare@engelholm.se", PASSWORD).await;
    let r = outsider.submit("/platser", "/platser/1287/importera", &[("geojson", "{}")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A place is reached only under its own municipality; bad addresses are 404, not 500.
    assert_eq!(w.coordinator.get(&format!("/platser/1292/{}", torg["id"])).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(w.coordinator.get("/platser/9999").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(w.coordinator.get("/platser/1287/abc").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(names(&w).await, ["Stortorget"]);
}

async fn an_uploaded_file_is_read_like_pasted_text(b: Backend) {
    let Some(w) = world(b).await else { return };
    let web = &w.coordinator;
    let (_, page) = web.get_html("/platser/1287/importera").await;
    let csrf = crate::common::csrf_in(&page);
    let doc = json!({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Stadsparken", "kind": "park"}, "geometry": rect(13.160, 55.372, 0.003, 0.002)}]});
    let file = doc.to_string().into_bytes();
    let r = post_multipart(
        web,
        "/platser/1287/importera",
        &[("csrf", &csrf), ("crs", "auto"), ("geojson", "")],
        Some(("parker.geojson", &file)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Importera 1 plats"), "{html}");
    // Not UTF-8: explained, not a crash.
    let r = post_multipart(web, "/platser/1287/importera", &[("csrf", &csrf)], Some(("trasig.geojson", &[0xff, 0xfe, 0x00]))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("är inte text i UTF-8"));
    // A place's form takes a file too.
    let point = json!({"type": "Point", "coordinates": [13.1581, 55.3765]}).to_string().into_bytes();
    let r = post_multipart(
        web,
        "/platser/1287",
        &[("csrf", &csrf), ("name", "Biblioteket"), ("kind", "library"), ("geometry_mode", "geojson")],
        Some(("bibliotek.json", &point)),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Without the CSRF token: refused.
    let r = post_multipart(web, "/platser/1287/importera", &[("geojson", &doc.to_string())], None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Posts `multipart/form-data` as a browser does for a form with a file input.
async fn post_multipart(web: &Browser, path: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> reqwest::Response {
    let boundary = "----bryggaTestBoundary7MA4YWxk";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").into_bytes());
    }
    if let Some((file_name, bytes)) = file {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"geojson_file\"; filename=\"{file_name}\"\r\nContent-Type: application/geo+json\r\n\r\n")
                .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    web.client
        .post(format!("{}{path}", web.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

crate::both_backends!(
    places_are_created_by_point_and_by_geojson_in_either_system,
    bad_places_are_explained_and_nothing_is_saved,
    an_import_with_one_bad_feature_imports_nothing_and_names_it,
    the_hierarchy_has_no_cycles_and_survives_deletion,
    export_and_import_round_trip,
    only_the_municipalitys_coordinators_edit,
    an_uploaded_file_is_read_like_pasted_text,
);
