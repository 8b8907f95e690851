//! Search: Swedish forms found by their stem (ungdomsgård finds ungdomsgårdar), å/ä/ö distinct,
//! the exact same ranked hits on every backend, sharing respected in hits, totals and facets
//! (another organisation, a forum outsider, an anonymous visitor), the index catching up with
//! edits, shares, leaving a forum and deletes, and bad queries refused at the field.

use brygga_store::plans::goals::{self, GoalInput};
use brygga_store::plans::plan::{self, PlanInput, ShareInput};
use brygga_store::search::{self, SearchQuery, SearchResult};

use super::*;

fn q(text: &str) -> SearchQuery {
    SearchQuery { q: text.into(), ..SearchQuery::default() }
}

async fn find(store: &Store, v: &Viewer, query: SearchQuery) -> SearchResult {
    search::search(store, v, &query).await.unwrap_or_else(|e| panic!("search {:?}: {e:?}", query.q))
}

/// The hits as (kind, title, score), in rank order.
fn ranked(r: &SearchResult) -> Vec<(&str, &str, i64)> {
    r.hits.iter().map(|h| (h.kind.as_str(), h.title.as_str(), h.score)).collect()
}

fn facets(f: &[brygga_store::search::Facet]) -> Vec<(&str, i64)> {
    f.iter().map(|x| (x.value.as_str(), x.count)).collect()
}

async fn place(store: &Store, user: i64, owner: i64, name: &str, kind: &str) -> i64 {
    let v = viewer(store, user).await;
    let (name, kind) = (name.to_owned(), kind.to_owned());
    store
        .write(move |db| {
            let a = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: None,
                name,
                kind,
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: owner,
            };
            areas::create(db, &v, &a)
        })
        .await
        .unwrap()
        .id
}

async fn new_plan(store: &Store, user: i64, title: &str, municipality: &str, goal: Option<&str>) -> plan::ActionPlan {
    let v = viewer(store, user).await;
    let input = PlanInput {
        title: title.into(),
        municipality_code: Some(municipality.into()),
        period_from: Some("2026-01-01".into()),
        period_to: Some("2026-12-31".into()),
        decided_by: Some("Kommunfullmäktige".into()),
        decided_on: Some("2026-02-24".into()),
        ..PlanInput::default()
    };
    let p = store.write(move |db| plan::create(db, &v, &input)).await.unwrap();
    if let Some(g) = goal {
        let v = viewer(store, user).await;
        let g = GoalInput { kind: "effect".into(), title: g.into(), ..GoalInput::default() };
        store.write(move |db| goals::create(db, &v, p.id, &g)).await.unwrap();
    }
    let v = viewer(store, user).await;
    store.read(move |db| plan::get(db, &v, p.id)).await.unwrap()
}

async fn adopt_and_share(store: &Store, user: i64, p: &plan::ActionPlan, visibility: &str, forum_id: Option<i64>) {
    let v = viewer(store, user).await;
    let (id, version) = (p.id, p.version);
    store.write(move |db| plan::adopt(db, &v, id, version)).await.unwrap();
    let v = viewer(store, user).await;
    let input = ShareInput { visibility: visibility.into(), forum_id };
    store.write(move |db| plan::share(db, &v, id, &input)).await.unwrap();
}

pub async fn search_finds_swedish_forms_ranked_the_same_on_every_backend(store: &Store) {
    let w = est(store).await;
    // Read by every signed-in user.
    place(store, w.coordinator, w.kommun, "Ungdomsgården Centrum", "centre").await;
    place(store, w.coordinator, w.kommun, "Fårgatan", "street").await;
    // Published: anyone reads it.
    let published =
        new_plan(store, w.coordinator, "Trygghet kring ungdomsgårdar", "1287", Some("Färre incidenter vid ungdomsgården")).await;
    adopt_and_share(store, w.coordinator, &published, "public", None).await;
    // A forum record: the forum's members only.
    decide(
        store,
        w.coordinator,
        w.forum,
        ActionInput {
            title: "Kvällsöppet på ungdomsgården".into(),
            reason: Some("Fler vuxna vid <b>ungdomsgårdarna</b> på fredagar.".into()),
            responsible_org_id: Some(w.kommun),
            due_on: Some(in_days(14)),
            ..ActionInput::default()
        },
    )
    .await
    .unwrap();
    // Drafts: their owner's users only.
    new_plan(store, w.coordinator, "Ungdomsgård i Söder", "1287", None).await;
    new_plan(store, w.outsider, "Ungdomsgårdar i Ängelholm", "1292", None).await;

    let coordinator = viewer(store, w.coordinator).await;
    let r = find(store, &coordinator, q("ungdomsgård")).await;
    // Score: 3 × title + body occurrences; ties by kind, then id.
    assert_eq!(
        ranked(&r),
        vec![
            ("action", "Kvällsöppet på ungdomsgården", 4),
            ("plan", "Trygghet kring ungdomsgårdar", 4),
            ("place", "Ungdomsgården Centrum", 3),
            ("plan", "Ungdomsgård i Söder", 3),
        ]
    );
    assert_eq!(r.total, 4);
    assert_eq!(facets(&r.kinds), vec![("place", 1), ("action", 1), ("plan", 2)]);
    assert_eq!(facets(&r.municipalities), vec![("1287", 4)]);
    assert_eq!(r.municipalities[0].label, "Trelleborg");
    // The snippet marks the matching word and carries the text as written (escaped by the page).
    let action = &r.hits[0];
    assert_eq!(action.path, format!("/atgarder/{}", action.id));
    let marked: Vec<&str> = action.snippet.iter().filter(|p| p.mark).map(|p| p.text.as_str()).collect();
    assert_eq!(marked, vec!["ungdomsgårdarna"]);
    assert!(action.snippet.iter().any(|p| !p.mark && p.text.contains("<b>")));
    // The published plan links to its public page.
    assert_eq!(r.hits[1].path, format!("/publikt/atgardsplaner/{}", published.id));

    // Plural and definite forms find the same records; every term must match.
    let plural = find(store, &coordinator, q("Ungdomsgårdarna")).await;
    assert_eq!(ranked(&plural), ranked(&r));
    let both = find(store, &coordinator, q("ungdomsgårdar fredagar")).await;
    assert_eq!(ranked(&both), vec![("action", "Kvällsöppet på ungdomsgården", 5)]);
    assert_eq!(find(store, &coordinator, q("ungdomsgård skateboard")).await.total, 0);

    // Filters: the kind facet keeps every kind (the municipality filter applies to it).
    let plans = find(store, &coordinator, SearchQuery { kinds: vec!["plan".into()], ..q("ungdomsgård") }).await;
    assert_eq!(ranked(&plans), vec![("plan", "Trygghet kring ungdomsgårdar", 4), ("plan", "Ungdomsgård i Söder", 3)]);
    assert_eq!(plans.total, 2);
    assert_eq!(facets(&plans.kinds), vec![("place", 1), ("action", 1), ("plan", 2)]);
    assert_eq!(facets(&plans.municipalities), vec![("1287", 2)]);
    let elsewhere = find(store, &coordinator, SearchQuery { municipality: Some("1292".into()), ..q("ungdomsgård") }).await;
    assert_eq!((elsewhere.total, elsewhere.hits.len()), (0, 0));
    assert!(elsewhere.kinds.is_empty());
    // Paging.
    let second = find(store, &coordinator, SearchQuery { limit: Some(2), offset: Some(2), ..q("ungdomsgård") }).await;
    assert_eq!(ranked(&second), ranked(&r)[2..].to_vec());
    assert_eq!(second.total, 4);

    // Another organisation outside the forum: the places, the published plan and its own draft;
    // neither the forum's action nor Trelleborg's draft, in hits, total or facets.
    let outsider = viewer(store, w.outsider).await;
    let r = find(store, &outsider, q("ungdomsgård")).await;
    assert_eq!(
        ranked(&r),
        vec![("plan", "Trygghet kring ungdomsgårdar", 4), ("place", "Ungdomsgården Centrum", 3), ("plan", "Ungdomsgårdar i Ängelholm", 3),]
    );
    assert_eq!(r.total, 3);
    assert_eq!(facets(&r.kinds), vec![("place", 1), ("plan", 2)]);
    assert_eq!(facets(&r.municipalities), vec![("1287", 2), ("1292", 1)]);
    let action_only = find(store, &outsider, SearchQuery { kinds: vec!["action".into()], ..q("ungdomsgård") }).await;
    assert_eq!((action_only.total, action_only.hits.len()), (0, 0));

    // A forum member of another organisation: the action too, not Trelleborg's draft.
    let tenant = viewer(store, w.tenant_member).await;
    let r = find(store, &tenant, q("ungdomsgård")).await;
    assert_eq!(
        ranked(&r),
        vec![
            ("action", "Kvällsöppet på ungdomsgården", 4),
            ("plan", "Trygghet kring ungdomsgårdar", 4),
            ("place", "Ungdomsgården Centrum", 3),
        ]
    );

    // Anonymous: the published plan only.
    let anonymous = Viewer::anonymous(Origin::default());
    let r = find(store, &anonymous, q("ungdomsgård")).await;
    assert_eq!(ranked(&r), vec![("plan", "Trygghet kring ungdomsgårdar", 4)]);
    assert_eq!((r.total, facets(&r.kinds)), (1, vec![("plan", 1)]));
    assert_eq!(find(store, &anonymous, q("fårgatan")).await.total, 0);

    // å, ä and ö are letters of their own.
    assert_eq!(ranked(&find(store, &coordinator, q("fårgatan")).await), vec![("place", "Fårgatan", 3)]);
    assert_eq!(find(store, &coordinator, q("fargatan")).await.total, 0);
    assert_eq!(find(store, &coordinator, q("farre incidenter")).await.total, 0);
    assert_eq!(find(store, &coordinator, q("färre incidenter")).await.total, 1);

    // A full rebuild gives the same answer.
    store.write(search::index::reindex).await.unwrap();
    assert_eq!(ranked(&find(store, &coordinator, q("ungdomsgård")).await), ranked(&find(store, &coordinator, q("ungdomsgårdar")).await));
    assert_eq!(find(store, &coordinator, q("ungdomsgård")).await.total, 4);
}

pub async fn search_follows_edits_shares_leaving_and_deletes(store: &Store) {
    let w = est(store).await;
    let tenant = viewer(store, w.tenant_member).await;
    let coordinator = viewer(store, w.coordinator).await;
    let p = new_plan(store, w.coordinator, "Skolgårdsvandringar", "1287", None).await;
    // A draft: not for a forum partner, not even as a count.
    let r = find(store, &tenant, q("skolgårdsvandring")).await;
    assert_eq!((r.total, r.hits.len(), r.kinds.len(), r.municipalities.len()), (0, 0, 0, 0));
    assert_eq!(find(store, &coordinator, q("skolgårdsvandring")).await.total, 1);
    // Shared with the forum after adoption: the partner finds it.
    adopt_and_share(store, w.coordinator, &p, "forum", Some(w.forum)).await;
    assert_eq!(ranked(&find(store, &tenant, q("skolgårdsvandringar")).await), vec![("plan", "Skolgårdsvandringar", 3)]);
    assert_eq!(store.read(search::index::pending).await.unwrap(), 0, "the query refreshed the index");
    // The partner's organisation leaves the forum: gone for it again.
    let v = viewer(store, w.coordinator).await;
    let bostad = w.bostad;
    let forum_id = w.forum;
    store.write(move |db| forum::leave(db, &v, forum_id, bostad)).await.unwrap();
    let tenant = viewer(store, w.tenant_member).await;
    assert_eq!(find(store, &tenant, q("skolgårdsvandringar")).await.total, 0);
    // Taken back to the parties: the forum's remaining members lose it too.
    let association = viewer(store, w.association).await;
    assert_eq!(find(store, &association, q("skolgårdsvandringar")).await.total, 1);
    let v = viewer(store, w.coordinator).await;
    let id = p.id;
    store.write(move |db| plan::share(db, &v, id, &ShareInput { visibility: "organisation".into(), forum_id: None })).await.unwrap();
    assert_eq!(find(store, &association, q("skolgårdsvandringar")).await.total, 0);
    assert_eq!(find(store, &coordinator, q("skolgårdsvandringar")).await.total, 1);

    // A renamed place is found by its new name only.
    let v = viewer(store, w.coordinator).await;
    let id = w.stortorget;
    let a = store.read(move |db| areas::get(db, &v, id)).await.unwrap();
    assert_eq!(ranked(&find(store, &coordinator, q("stortorget")).await), vec![("place", "Stortorget", 3)]);
    let v = viewer(store, w.coordinator).await;
    let kommun = w.kommun;
    store
        .write(move |db| {
            let n = NewArea {
                municipality: MunicipalityCode::parse("1287").unwrap(),
                parent_id: None,
                name: "Gamla torget".into(),
                kind: "square".into(),
                geometry: PlaceGeometry::point(13.1566, 55.3751),
                owner_org_id: kommun,
            };
            areas::update(db, &v, a.id, a.version, &n)
        })
        .await
        .unwrap();
    assert_eq!(find(store, &coordinator, q("stortorget")).await.total, 0);
    assert_eq!(ranked(&find(store, &coordinator, q("gamla torget")).await), vec![("place", "Gamla torget", 6)]);
    // Deleted: gone from the index.
    let v = viewer(store, w.coordinator).await;
    store.write(move |db| areas::delete(db, &v, id)).await.unwrap();
    assert_eq!(find(store, &coordinator, q("gamla torget")).await.total, 0);
    let left: i64 = store
        .read(move |db| Ok(db.scalar("SELECT COUNT(*) FROM search_documents WHERE kind = 'place' AND record_id = $1", &[id.into()])?))
        .await
        .unwrap();
    assert_eq!(left, 0);
    // The background job's enqueue does nothing when nothing is pending.
    assert!(store.write(|db| search::enqueue_refresh(db, 1_790_000_000_000)).await.unwrap().is_empty());
}

pub async fn search_refuses_bad_queries_at_the_field(store: &Store) {
    let anonymous = Viewer::anonymous(Origin::default());
    let cases: Vec<(SearchQuery, &str, &str)> = vec![
        (q(&"å".repeat(10_240)), "q", "högst 200 tecken"),
        (q("!!! ... ???"), "q", "Skriv minst ett ord att söka på."),
        (q("och det att"), "q", "Skriv minst ett ord att söka på."),
        (q(""), "q", "Skriv minst ett ord att söka på."),
        (SearchQuery { kinds: vec!["hemligt".into()], ..q("fotboll") }, "kind", "Okänd typ ”hemligt”"),
        (SearchQuery { municipality: Some("9999".into()), ..q("fotboll") }, "municipality", "Okänd kommunkod ”9999”"),
        (SearchQuery { limit: Some(0), ..q("fotboll") }, "limit", "mellan 1 och 50"),
    ];
    for (query, field, message) in cases {
        match search::search(store, &anonymous, &query).await {
            Err(StoreError::Invalid(errs)) => {
                let e = errs.get(field).unwrap_or_else(|| panic!("no error at {field}: {errs:?}"));
                assert!(e.message.contains(message), "{field}: {}", e.message);
            }
            other => panic!("expected Invalid at {field}, got {other:?}"),
        }
    }
}
