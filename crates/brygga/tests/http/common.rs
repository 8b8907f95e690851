use std::sync::Arc;

use brygga_domain::{OrgKind, Role};
use brygga_store::Store;
use brygga_store::accounts::auth;
use brygga_store_tests::{TestDb, stories};
use brygga_web::WebConfig;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};

pub use brygga_store_tests::stories::PASSWORD;

/// Which database a test runs against.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    running: Option<brygga::Running>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, WebConfig::default()).await
    }

    pub async fn spawn_with(backend: Backend, config: WebConfig) -> Option<Self> {
        let db = match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres => TestDb::postgres().await?,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = brygga::start(listener, db.store().clone(), config).unwrap();
        Some(Self { base: format!("http://{}", running.addr), db, running: Some(running) })
    }

    pub fn store(&self) -> &Store {
        self.db.store()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn browser(&self) -> Browser {
        Browser { client: Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap(), base: self.base.clone() }
    }

    pub async fn stop(&mut self) -> std::io::Result<()> {
        self.running.take().expect("running").stop().await
    }

    pub async fn org(&self, name: &str, kind: OrgKind, munis: &[&str]) -> i64 {
        stories::org(self.store(), name, kind, munis).await
    }

    pub async fn user(&self, email: &str, org: i64, role: Role) -> i64 {
        stories::user(self.store(), email, org, role).await
    }

    /// A personal API token for `user_id` acting for `org_id`.
    pub async fn token(&self, user_id: i64, org_id: i64) -> String {
        let v = stories::viewer(self.store(), user_id).await;
        self.store().write(move |db| auth::create_token(db, &v, org_id, "test", None)).await.unwrap().1
    }

    pub fn api(&self, token: &str) -> Api {
        Api { client: Client::new(), base: self.base.clone(), token: Arc::from(token) }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.handle.abort();
        }
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
}

/// The value of `<input name="csrf">` in a page.
pub fn csrf_in(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("input[name=csrf]").unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr("value")).map(str::to_owned).expect("page has a csrf field")
}

/// The text of the first element matching `selector`.
pub fn text_of(html: &str, selector: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel).next().map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
}

impl Browser {
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn get_html(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap()
    }

    /// Posts a form the way a browser does: with the CSRF token of the page it is on.
    pub async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.get_html(page).await;
        let csrf = csrf_in(&html);
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.submit("/logga-in", "/logga-in", &[("email", email), ("password", password), ("next", "/")]).await
    }
}

pub struct Api {
    pub client: Client,
    pub base: String,
    pub token: Arc<str>,
}

impl Api {
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}/api/v1{path}", self.base)).bearer_auth(&*self.token)
    }
    pub async fn get(&self, path: &str) -> (StatusCode, serde_json::Value) {
        let r = self.req(reqwest::Method::GET, path).send().await.unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    pub async fn send(&self, method: reqwest::Method, path: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        let r = self.req(method, path).json(&body).send().await.unwrap();
        let s = r.status();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// Declares each test twice: on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            )+
        }
    };
}

/// Stores `inputs` as one batch, as an import does (checked like every report, at the real time).
pub async fn report_all(store: &Store, v: brygga_store::Viewer, inputs: Vec<brygga_store::picture::observations::ObservationInput>) {
    store
        .write(move |db| {
            let now = jiff::Timestamp::now();
            let rows =
                inputs.iter().map(|i| brygga_store::picture::observations::prepare(db, &v, i, now)).collect::<Result<Vec<_>, _>>()?;
            brygga_store::picture::observations::create_many(db, &v, &rows, "import", None)
        })
        .await
        .unwrap();
}
