//! The lägesbild chooser (`/lagesbild`) starts at the viewer's own municipality: the first
//! approved claim of their organisations.

use brygga_store_tests::stories;

use crate::common::{Backend, PASSWORD, TestApp};

fn selected(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("select#f-kod option[selected]").unwrap();
    doc.select(&sel).filter_map(|o| o.value().attr("value").map(str::to_owned)).collect()
}

async fn the_chooser_starts_at_the_viewers_own_municipality(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else { return };
    stories::est(app.store()).await;
    for (email, code) in [("samordnare@trelleborg.se", "1287"), ("samordnare@engelholm.se", "1292")] {
        let web = app.browser();
        web.login(email, PASSWORD).await;
        let (_, html) = web.get_html("/lagesbild").await;
        assert_eq!(selected(&html), [code], "{email}");
    }
}

crate::both_backends!(the_chooser_starts_at_the_viewers_own_municipality);
