//! Trust (issue 11, findings 2 and 5) through HTTP: an outsider who pads a hidden cell of the
//! municipality-wide picture with its own back-dated reports through the API still reads
//! nothing of it — in the API's JSON, the CSV and the XLSX export — and a hidden cell carries no
//! trend anywhere.

use std::io::Cursor;

use brygga_store_tests::stories;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, PASSWORD, TestApp};

async fn trust_picture_api_padding_leaves_the_hidden_cell_hidden(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    let store = app.store();
    let w = stories::est(store).await;
    let a = stories::tp_attacker(store).await;
    let s = Some(w.stortorget);
    let week = stories::tp_week();
    // One klotter report at Stortorget this week (hidden outside), published littering around it.
    let mut inputs = vec![stories::tp_input(w.forum, "klotter", s, 0, 1)];
    for ago in 0..10 {
        inputs.push(stories::tp_input(w.forum, "nedskräpning", None, ago, 4 + i64::from(ago % 2)));
    }
    stories::tp_report(store, w.reporter, inputs).await;

    let token = app.token(a.coordinator, a.org).await;
    let api = app.api(&token);
    let path = format!("/picture?municipality=1287&week={week}");
    let (status, before) = api.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{before}");

    // The padding: five back-dated klotter reports at Stortorget, through the API.
    let day = week.monday().checked_add(jiff::Span::new().days(2)).unwrap();
    let body = json!({"forum_id": a.forum, "category": "klotter", "area_id": w.stortorget,
        "observed_at": format!("{day}T21:00"), "quantity": 5, "visibility": "forum"});
    let (status, created) = api.send(Method::POST, "/observations", body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");

    let (status, after) = api.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    let cell = after["cells"].as_array().unwrap().iter().find(|c| c["category_name"] == "Klotter").expect("the klotter cell");
    assert_eq!(cell["count"], serde_json::Value::Null, "{cell}");
    assert_eq!(cell["suppressed"], true);
    assert!(cell["trend"].is_null(), "a hidden cell carries no trend: {cell}");
    assert_eq!(cell["series"][51], serde_json::Value::Null);
    let klotter = after["categories"].as_array().unwrap().iter().find(|c| c["name"] == "Klotter").unwrap();
    assert_eq!((klotter["count"].clone(), klotter["hidden_cells"].clone()), (json!(0), json!(1)));
    assert_eq!(after["total"]["count"], 4, "the littering only");
    assert!(after["sources"].as_array().unwrap().iter().all(|x| x["org_id"] != a.org), "{}", after["sources"]);
    assert_eq!(after, before, "the padding changed nothing the attacker sees");

    // The exports say the same: `<3`, no typical range, no direction.
    let web = app.browser();
    web.login("samordnare@vaster.se", PASSWORD).await;
    let r = web.get(&format!("/lagesbild/kommun/1287/export.csv?vecka={week}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let mut csv = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| &r[1] == "Klotter").expect("the klotter row");
    assert_eq!(&row[3], "<3");
    for col in [6, 7, 8, 9, 10, 12, 13, 14] {
        assert_eq!(&row[col], "", "column {col} of a hidden row: {row:?}");
    }
    let r = web.get(&format!("/lagesbild/kommun/1287/export.xlsx?vecka={week}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("Lägesbild").unwrap();
    let data: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    let row = data.iter().find(|r| r.get(1) == Some(&Data::String("Klotter".into()))).expect("the klotter row");
    assert_eq!(row[3], Data::String("<3".into()));
    for col in [6, 7, 8, 9, 13, 14] {
        assert!(matches!(row.get(col), None | Some(Data::Empty)), "column {col} of a hidden row: {row:?}");
    }
}

crate::both_backends!(trust_picture_api_padding_leaves_the_hidden_cell_hidden);
