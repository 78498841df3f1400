//! The investigators' web page (`pharmwatch serve`): search with filters and facets, listing
//! detail with highlighted evidence, the archived copy, domain pages, run reports, CSV/JSON
//! export and a JSON API under `/api/`.
//!
//! Safety of what is shown: every scraped string reaches HTML through `maud`, which escapes
//! by construction; the only pre-escaped HTML is the indexer's `Snippet::to_html()`, which
//! escapes the text itself. Every page carries a strict Content-Security-Policy (no script at
//! all, styles only from `/static/style.css`); the archived copy of a page is served with a
//! `sandbox` policy that forbids scripts and every outbound load (see [`archive`]).
//!
//! Reads happen while a crawl writes: the index reader reloads itself after each commit, and
//! the state store (SQLite in WAL mode) is opened per request. The shop analyses (networks,
//! risk classes) read every stored listing, so they are kept until the store changes.

mod api;
mod archive;
mod auth;
mod domain;
mod listen;
mod listing;
mod networks;
mod reports;
mod search;
mod templates;
mod timeline;
mod trends;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use pharmwatch_indexer::{DrugNames, ListingSearcher};
use pharmwatch_store::SqliteStore;

pub use auth::{AccessToken, MIN_TOKEN_LEN};
pub use listen::serve;

use crate::analysis::Current;
use crate::pipeline::DataDir;

/// Policy of every page the server renders: nothing but its own stylesheet and images.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                            form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What every request handler shares.
pub struct AppState {
    data_root: PathBuf,
    searcher: Mutex<Option<Arc<ListingSearcher>>>,
    token: Option<AccessToken>,
    analysis: Mutex<AnalysisCache>,
    drug_names: DrugNames,
    searches: search::SearchCounts,
}

/// The shop analyses as of one version of the state store, and a connection kept open to
/// tell whether the store changed since (another process's commit, or the file replaced).
#[derive(Default)]
struct AnalysisCache {
    watch: Option<(FileId, SqliteStore)>,
    current: Option<(StoreVersion, Arc<Current>)>,
}

/// Which file a path names now: a store deleted and created again is another database.
type FileId = (u64, u64);
/// The file and its `PRAGMA data_version` as seen from the kept connection.
type StoreVersion = (FileId, u64);

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> FileId {
    (0, 0)
}

impl AppState {
    /// State for the data directory at `data_root`; with a token, every page and API call
    /// requires it.
    pub fn new(data_root: PathBuf, token: Option<AccessToken>) -> Self {
        AppState {
            data_root,
            searcher: Mutex::new(None),
            token,
            analysis: Mutex::new(AnalysisCache::default()),
            drug_names: DrugNames::new(),
            searches: search::SearchCounts::default(),
        }
    }

    /// `drug:` also finds the drugs these names stand for (the lexicon's brands, synonyms).
    pub fn with_drug_names(mut self, names: DrugNames) -> Self {
        self.drug_names = names;
        self
    }

    fn data(&self) -> DataDir {
        DataDir::new(&self.data_root)
    }

    /// The index searcher, opened on first use (the index may appear after the server starts)
    /// and kept: it reloads itself after each commit of a running crawl.
    fn searcher(&self) -> Result<Arc<ListingSearcher>, WebError> {
        let mut slot = self
            .searcher
            .lock()
            .map_err(|_| WebError::Internal(anyhow::anyhow!("searcher lock poisoned")))?;
        if let Some(searcher) = slot.as_ref() {
            return Ok(searcher.clone());
        }
        let dir = self.data().index();
        if !dir.is_dir() {
            return Err(WebError::Unavailable(format!(
                "no index at {} yet: run `pharmwatch crawl` with this data directory",
                dir.display()
            )));
        }
        let searcher = Arc::new(
            ListingSearcher::open(&dir)
                .map_err(|e| WebError::Internal(anyhow::Error::new(e)))?
                .with_drug_names(self.drug_names.clone()),
        );
        *slot = Some(searcher.clone());
        Ok(searcher)
    }

    /// The shop analyses of the store as it is now: computed again only when the store has
    /// changed since they were last computed (at a million listings they take seconds).
    fn current(&self) -> Result<Arc<Current>, WebError> {
        let path = self.state_path()?;
        let file = std::fs::metadata(&path)
            .map(|m| file_id(&m))
            .map_err(|e| WebError::Internal(anyhow::Error::new(e)))?;
        let mut cache = self
            .analysis
            .lock()
            .map_err(|_| WebError::Internal(anyhow::anyhow!("analysis cache lock poisoned")))?;
        let watch = match cache.watch.take() {
            Some((id, watch)) if id == file => watch,
            _ => SqliteStore::open(&path)?,
        };
        let version = (file, watch.data_version()?);
        // Reading on the kept connection does not move its data version: only other
        // connections' commits do.
        let current = match &cache.current {
            Some((seen, current)) if *seen == version => Ok(current.clone()),
            _ => Current::load(&watch).map(Arc::new),
        };
        cache.watch = Some((file, watch));
        let current = current?;
        cache.current = Some((version, current.clone()));
        Ok(current)
    }

    /// The state store, opened for this request (WAL: readers do not block the crawl).
    fn store(&self) -> Result<SqliteStore, WebError> {
        SqliteStore::open(&self.state_path()?)
            .map_err(|e| WebError::Internal(anyhow::Error::new(e)))
    }

    /// The state store's file, or why there is none yet.
    fn state_path(&self) -> Result<PathBuf, WebError> {
        let path = self.data().state();
        if !path.is_file() {
            return Err(WebError::Unavailable(format!(
                "no state store at {} yet: run `pharmwatch crawl` with this data directory",
                path.display()
            )));
        }
        Ok(path)
    }
}

/// Every route of the web page and the API, with the access check and security headers.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(search::page))
        .route("/search", get(search::page))
        .route("/search.csv", get(search::export_csv))
        .route("/search.json", get(search::export_json))
        .route("/listing/{id}", get(listing::page))
        .route("/archive/{digest}", get(archive::archived_copy))
        .route("/evidence/screenshot/{id}", get(archive::screenshot))
        .route("/domain/{domain}", get(domain::page))
        .route("/networks", get(networks::page))
        .route("/networks.graphml", get(networks::graphml))
        .route("/networks/{rank}", get(networks::cluster_page))
        .route("/trends/{dimension}/{key}", get(trends::page))
        .route("/reports", get(reports::list))
        .route("/reports/{run}", get(reports::page))
        .route("/api/search", get(api::search))
        .route("/api/listing/{id}", get(api::listing))
        .route("/api/reports", get(api::reports))
        .route("/api/reports/{run}", get(api::report))
        .route("/api/status", get(api::status))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/static/style.css", get(templates::stylesheet))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ))
        .layer(middleware::from_fn(strip_bidi_controls))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Removes bidi controls (`pharmwatch_model::text::is_bidi_control`) from every HTML page.
///
/// Scraped titles reach many templates; a U+202E in one showed the rest of the line reversed
/// (issue 23). The server's own templates use none of these characters, so removing them
/// from the rendered page neutralises every scraped string at once, including those of
/// templates added later. JSON and downloads keep the text as stored.
async fn strip_bidi_controls(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    // Our own pages only: UTF-8 HTML without a policy of its own. The archived copy sets its
    // sandbox policy and must stay byte-exact (it hashes to the evidence digest).
    let own_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.eq_ignore_ascii_case("text/html; charset=utf-8"))
        && !res.headers().contains_key(header::CONTENT_SECURITY_POLICY);
    if !own_page {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Pages are rendered in memory already; the limit only guards against a bug.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return WebError::Internal(anyhow::anyhow!("a page could not be read back"))
            .into_response();
    };
    let body = match std::str::from_utf8(&bytes) {
        Ok(text) if text.chars().any(pharmwatch_model::text::is_bidi_control) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            axum::body::Body::from(pharmwatch_model::text::strip_bidi(text).into_owned())
        }
        _ => axum::body::Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

async fn not_found() -> WebError {
    WebError::NotFound("no such page".into())
}

/// The security headers of every response, including [`listen`]'s refusals of requests that
/// never reach the router.
pub(crate) fn security_header_values() -> [(header::HeaderName, &'static str); 5] {
    [
        (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ]
}

/// Headers on every response; a handler that sets its own policy (the archived copy) or
/// caching keeps it.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in security_header_values() {
        let own = name == header::CONTENT_SECURITY_POLICY || name == header::CACHE_CONTROL;
        if !(own && headers.contains_key(&name)) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

/// Why a request failed; rendered as an HTML page (or JSON under `/api/`, see [`api`]).
#[derive(Debug)]
pub enum WebError {
    /// Nothing here by that name (404).
    NotFound(String),
    /// The request is wrong (a query that does not parse, an unknown sort).
    BadRequest(String),
    /// The data directory has no index or store yet.
    Unavailable(String),
    /// Something failed on the server (500).
    Internal(anyhow::Error),
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> String {
        match self {
            WebError::NotFound(m) | WebError::BadRequest(m) | WebError::Unavailable(m) => m.clone(),
            WebError::Internal(e) => format!("internal error: {e:#}"),
        }
    }
}

impl From<pharmwatch_store::StoreError> for WebError {
    fn from(e: pharmwatch_store::StoreError) -> Self {
        WebError::Internal(anyhow::Error::new(e))
    }
}

impl From<anyhow::Error> for WebError {
    fn from(e: anyhow::Error) -> Self {
        WebError::Internal(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self {
            tracing::error!("web request failed: {e:#}");
        }
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error");
        let body = templates::layout(title, templates::error_body(status, &self.message()));
        (status, body).into_response()
    }
}

/// Runs blocking work (tantivy, SQLite, WARC reads) off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("a request's worker failed: {e}")))?
}
