// ---- Trust (issue 11, findings 2 and 5): suppression that padding cannot undo, and an outsider's
// picture that is a function of the published values only ----

use brygga_domain::time::IsoWeek;
use brygga_domain::{OrgKind, Role};
use brygga_store::forums::forum::{self, ForumInput};
use brygga_store::kernel::sharing::Scope;
use brygga_store::picture::observations::{self, ObservationInput};
use brygga_store::picture::weekly::{self, PictureQuery, WeeklyPicture};
use brygga_store::{Store, StoreError};
use serde_json::Value;

use crate::stories::{est, org, user, viewer};

/// The week under test: a complete week before the stories' "now" (2026-11-25).
pub fn tp_week() -> IsoWeek {
    IsoWeek::new(2026, 45).unwrap()
}

/// One report of `quantity` in `category` at `area`, `weeks_ago` weeks before [`tp_week`], shared
/// with `forum`.
pub fn tp_input(forum: i64, category: &str, area: Option<i64>, weeks_ago: i32, quantity: i64) -> ObservationInput {
    let day = tp_week().plus(-weeks_ago).monday().checked_add(jiff::Span::new().days(2)).unwrap();
    ObservationInput {
        forum_id: forum,
        category: category.into(),
        area_id: area,
        observed_at: Some(format!("{day}T10:00")),
        quantity: Some(quantity),
        visibility: Some("forum".into()),
        ..Default::default()
    }
}

/// Stores the reports as one batch, back-dated as an import would be.
pub async fn tp_report(store: &Store, user_id: i64, inputs: Vec<ObservationInput>) {
    let v = viewer(store, user_id).await;
    store
        .write(move |db| {
            let now: jiff::Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
            let rows = inputs.iter().map(|i| observations::prepare(db, &v, i, now)).collect::<Result<Vec<_>, _>>()?;
            observations::create_many(db, &v, &rows, "import", None)
        })
        .await
        .expect("reports stored");
}

/// The municipality-wide picture of 1287 in [`tp_week`] as `user_id` sees it.
pub async fn tp_shared_picture(store: &Store, user_id: i64) -> WeeklyPicture {
    let v = viewer(store, user_id).await;
    store.read(move |db| weekly::weekly(db, &v, &PictureQuery::new(Scope::Shared, "1287", tp_week(), 3))).await.expect("the shared picture")
}

/// A 1287 organisation outside the EST forum, with a coordinator and a forum of its own.
pub struct TpAttacker {
    pub org: i64,
    pub coordinator: i64,
    pub forum: i64,
}

pub async fn tp_attacker(store: &Store) -> TpAttacker {
    let vast = org(store, "Fastighets AB Väster", OrgKind::HousingCompany, &["1287"]).await;
    let coordinator = user(store, "samordnare@vaster.se", vast, Role::Coordinator).await;
    let v = viewer(store, coordinator).await;
    let input = ForumInput {
        name: "Trygg Väster".into(),
        municipality_code: Some("1287".into()),
        convener_org_id: vast,
        member_org_ids: vec![],
        ..Default::default()
    }
    .validate()
    .unwrap();
    let forum = store.write(move |db| forum::create(db, &v, &input, &super::postmark())).await.expect("the attacker's forum").id;
    TpAttacker { org: vast, coordinator, forum }
}

fn tp_cell<'a>(p: &'a WeeklyPicture, category: &str, area: Option<i64>) -> &'a weekly::Cell {
    p.cells
        .iter()
        .find(|c| c.category_name == category && c.area_id == area)
        .unwrap_or_else(|| panic!("no cell {category}: {:#?}", p.cells))
}

fn tp_json(p: &WeeklyPicture) -> Value {
    serde_json::to_value(p).unwrap()
}

/// Finding 2: an outsider pads a hidden cell with its own back-dated reports and still cannot
/// read it; a forum member cannot difference the municipality's picture against the joint one.
pub async fn trust_picture_padding_never_lifts_a_hidden_cell(store: &Store) {
    let w = est(store).await;
    let a = tp_attacker(store).await;
    let s = Some(w.stortorget);
    // The hidden cell: one klotter report at Stortorget by the municipality, this week and two
    // weeks ago. The housing company's littering (without a place) is published every week.
    let mut kommun = vec![tp_input(w.forum, "klotter", s, 0, 1), tp_input(w.forum, "klotter", s, 2, 2)];
    let mut bostad = Vec::new();
    for weeks_ago in 0..10 {
        bostad.push(tp_input(w.forum, "nedskräpning", None, weeks_ago, 4 + i64::from(weeks_ago % 3)));
        kommun.push(tp_input(w.forum, "skadegörelse", s, weeks_ago, 4));
    }
    tp_report(store, w.reporter, kommun).await;
    tp_report(store, w.tenant_member, bostad).await;

    let before = tp_shared_picture(store, a.coordinator).await;
    let hidden = tp_cell(&before, "Klotter", s);
    assert_eq!((hidden.count, hidden.suppressed), (None, true));

    // The padding: five back-dated klotter reports at Stortorget in each of the two weeks,
    // shared in the attacker's own forum.
    tp_report(store, a.coordinator, vec![tp_input(a.forum, "klotter", s, 0, 5), tp_input(a.forum, "klotter", s, 2, 5)]).await;
    let after = tp_shared_picture(store, a.coordinator).await;
    let padded = tp_cell(&after, "Klotter", s);
    assert_eq!((padded.count, padded.suppressed), (None, true), "own reports never lift a hidden cell over the threshold");
    assert_eq!(padded.series[51], None);
    assert_eq!(padded.series[49], None, "nor a hidden week of the series");
    assert!(tp_json(&after)["cells"].as_array().unwrap().iter().any(|c| c["category_name"] == "Klotter" && c["trend"].is_null()));
    let klotter = after.categories.iter().find(|c| c.name == "Klotter").expect("the category row");
    assert_eq!((klotter.total.count, klotter.total.hidden_cells), (0, 1), "the category row holds published cells only");
    assert_eq!(klotter.total.series[49], 0);
    let place = after.places.iter().find(|p| p.area_id == s).unwrap();
    assert_eq!(place.total.count, 4, "Stortorget: the published skadegörelse only");
    let published: i64 = after.cells.iter().filter_map(|c| c.count).sum();
    assert_eq!(after.total.count, published);
    assert!(!after.sources.iter().any(|x| x.org_id == a.org), "an organisation whose reports are all hidden is not named");
    // The attacker's picture is the same as before the padding: nothing in it moved.
    assert_eq!(tp_json(&after), tp_json(&before), "padding changes nothing the attacker sees");

    // A member of the EST forum reads the municipality's 4 skadegörelse in the joint picture; one
    // more by the attacker's forum must not appear as 5 in the municipality-wide picture.
    tp_report(store, a.coordinator, vec![tp_input(a.forum, "skadegörelse", s, 0, 1)]).await;
    let member = tp_shared_picture(store, w.coordinator).await;
    let cell = tp_cell(&member, "Skadegörelse", s);
    assert_eq!((cell.count, cell.suppressed), (None, true), "a forum partner's known reports never lift a hidden cell");
    // Its own two klotter of two weeks ago (nothing else in the cell) are shown to it.
    assert_eq!(tp_cell(&member, "Klotter", s).series[49], Some(2 + 5), "its own 2 and the attacker's 5 (≥ 3)");
    let alone = tp_cell(&member, "Nedskräpning", None);
    assert_eq!(alone.count, Some(4));
}

/// Finding 5: the outsider's picture (cells, trend, flags, totals, sources) is a function of the
/// published values: changing hidden values only leaves it unchanged, and hidden cells carry no
/// trend.
pub async fn trust_picture_outsider_picture_depends_on_published_values_only(store: &Store) {
    let w = est(store).await;
    let s = Some(w.stortorget);
    // Klotter at Stortorget: published weeks (≥ 3) and hidden weeks (1 or 2) in the baseline,
    // a published week under test. Skadegörelse at Stortorget: hidden this week.
    let klotter: [(i32, i64); 10] = [(0, 12), (1, 1), (2, 4), (3, 1), (4, 5), (5, 2), (6, 4), (7, 1), (8, 3), (9, 1)];
    let mut inputs: Vec<ObservationInput> = klotter.iter().map(|&(ago, n)| tp_input(w.forum, "klotter", s, ago, n)).collect();
    inputs.push(tp_input(w.forum, "skadegörelse", s, 0, 1));
    for ago in 0..10 {
        inputs.push(tp_input(w.forum, "nedskräpning", None, ago, 3 + i64::from(ago % 2)));
    }
    tp_report(store, w.reporter, inputs).await;
    let first = tp_shared_picture(store, w.outsider).await;
    let json = tp_json(&first);
    for c in json["cells"].as_array().unwrap() {
        if c["suppressed"] == true {
            assert!(c["trend"].is_null(), "a hidden cell carries no trend: {c}");
        } else {
            assert!(c["trend"].is_object(), "{c}");
        }
    }
    let k = json["cells"].as_array().unwrap().iter().find(|c| c["category_name"] == "Klotter").unwrap();
    assert_eq!(k["count"], 12);
    assert_eq!(k["trend"]["baseline_weeks"], 4, "hidden weeks are missing from the baseline: {k}");
    assert!(!first.sources.is_empty());

    // Change the hidden values only: every hidden week of klotter 1 → 2 and 2 → 1 (by another
    // organisation, the association, whose reports are all hidden), skadegörelse 1 → 2.
    let mut more: Vec<ObservationInput> =
        klotter.iter().filter(|&&(_, n)| n == 1).map(|&(ago, _)| tp_input(w.forum, "klotter", s, ago, 1)).collect();
    more.push(tp_input(w.forum, "skadegörelse", s, 0, 1));
    tp_report(store, w.association, more).await;
    // (2 → 1 cannot be done by adding; take one of the municipality's 2 away instead.)
    let week = tp_week().plus(-5);
    store
        .write(move |db| {
            let n = db.execute("UPDATE observations SET quantity = 1 WHERE quantity = 2 AND week = $1", &[i64::from(week.key()).into()])?;
            assert_eq!(n, 1);
            Ok::<_, StoreError>(())
        })
        .await
        .unwrap();
    let second = tp_shared_picture(store, w.outsider).await;
    assert_eq!(tp_json(&second), json, "an outsider's picture is a function of the published values");
    assert!(!second.sources.iter().any(|x| x.org_id == w.forening), "the association's reports are all hidden");
}
