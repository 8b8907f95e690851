//! Places: police areas and the hierarchy of places.

use super::*;

pub async fn police_areas_import_and_edit(store: &Store) {
    let bad = "police_area,police_region,municipality_code\nLPO Trelleborg,Syd,1287\nLPO Trelleborg,Syd,12877\n";
    let errs = geography::parse_police_area_csv(bad).unwrap_err();
    assert!(errs.0[0].message.starts_with("Rad 3, kolumn municipality_code"), "{}", errs.0[0].message);

    let good =
        "\u{feff}police_area;police_region;municipality_code\nLPO Trelleborg;Syd;1287\nLPO Trelleborg;Syd;1233\nLPO Ängelholm;Syd;1292\n";
    let areas = geography::parse_police_area_csv(good).unwrap();
    assert_eq!(areas.len(), 2);
    for a in areas {
        let valid = a.validate().unwrap();
        store.write(move |db| geography::upsert_police_area(db, &Viewer::command_line(), &valid)).await.unwrap();
    }
    let listed = store.read(|db| geography::list_police_areas(db)).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| (p.name.as_str(), p.municipality_codes.len())).collect::<Vec<_>>(),
        [("LPO Trelleborg", 2), ("LPO Ängelholm", 1)]
    );

    // A non-administrator may not edit reference geography.
    let a = org(store, "Trelleborgs kommun", OrgKind::Municipality, &["1287"]).await;
    let u = user(store, "x@trelleborg.se", a, Role::Administrator).await;
    let v = viewer(store, u).await;
    let again = geography::PoliceAreaInput { name: "LPO Trelleborg".into(), region: "Syd".into(), municipality_codes: vec!["1287".into()] }
        .validate()
        .unwrap();
    let e = store.write(move |db| geography::upsert_police_area(db, &v, &again)).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
}

pub async fn areas_keep_a_hierarchy_without_cycles(store: &Store) {
    let w = est(store).await;
    let v = viewer(store, w.coordinator).await;
    let (k, parent) = (w.kommun, w.stortorget);
    let child = store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: Some(parent),
                name: "Biblioteket".into(),
                kind: "library".into(),
                geometry: PlaceGeometry::point(13.157, 55.376),
                owner_org_id: k,
            };
            areas::create(db, &v, &a)
        })
        .await
        .unwrap();
    // Stortorget cannot move inside its own child.
    let v = viewer(store, w.coordinator).await;
    let (cid, before) = (child.id, store.read(move |db| areas::get(db, &Viewer::system(), parent)).await.unwrap());
    let e = store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: Some(cid),
                name: before.name.clone(),
                kind: before.kind.clone(),
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: k,
            };
            areas::update(db, &v, parent, before.version, &a)
        })
        .await
        .unwrap_err();
    assert_eq!(field_codes(&e), [("parent_id".to_owned(), "area.cycle")]);
    // Ängelholm's coordinator may not edit Trelleborg's places; the reporter neither.
    for u in [w.outsider, w.reporter] {
        let v = viewer(store, u).await;
        let e = store
            .write(move |db| {
                let a = NewArea {
                    municipality: MunicipalityCode::parse("1287").unwrap(),
                    parent_id: None,
                    name: "Smyge".into(),
                    kind: "other".into(),
                    geometry: PlaceGeometry::point(13.35, 55.34),
                    owner_org_id: k,
                };
                areas::create(db, &v, &a)
            })
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    }
    let listed = store.read(|db| areas::list(db, &Viewer::system(), "1287")).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["Stortorget", "Biblioteket"]);
}
