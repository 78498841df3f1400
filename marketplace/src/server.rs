//! The in-process HTTP server: one listener on 127.0.0.1 per shop, a request log, conditional
//! GET on product pages, and live changes for recrawl tests.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use pharmwatch_model::{Currency, SiteKind};
use rust_decimal::Decimal;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::archetype::Archetype;
use crate::error::MarketplaceError;
use crate::faults::Faults;
use crate::format::parse_http_date;
use crate::generate::NewListing;
use crate::market::{Marketplace, ground_truth_of, unix_now};
use crate::render::{Rendered, ServedValidators, render};
use crate::scripted::render_scripted;
use crate::state::MarketState;
use crate::truth::{GroundTruth, ListingTruth, listing_truth};

/// How long [`RunningMarketplace::shutdown`] waits for open connections before aborting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Where one shop is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopEndpoint {
    /// Unique name of the shop (`medsdirect`, …).
    pub name: String,
    /// Site kind, as a crawl configuration would declare it.
    pub kind: SiteKind,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base_url: String,
    /// BCP 47 language of the shop.
    pub language: String,
    /// Currency of its prices.
    pub currency: Currency,
    /// Which of the four archetypes it is.
    pub archetype: Archetype,
    /// Name shown in the page header.
    pub display_name: String,
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// When it arrived.
    #[serde(skip)]
    pub at: Instant,
    /// Milliseconds since the marketplace started serving.
    pub ms_since_start: u64,
    /// Name of the shop (each shop has its own port).
    pub shop: String,
    /// HTTP method (`GET`, `HEAD`, …).
    pub method: String,
    /// Path and query as requested (`/category/x?page=2`).
    pub path: String,
    /// Status code answered.
    pub status: u16,
    /// `User-Agent` request header.
    pub user_agent: Option<String>,
    /// `If-None-Match` request header.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` request header.
    pub if_modified_since: Option<String>,
}

struct Shared {
    state: RwLock<MarketState>,
    faults: Faults,
    log: Mutex<Vec<RequestRecord>>,
    started: Instant,
    /// Serve HTML pages as script shells ([`crate::scripted`]).
    scripted: bool,
}

#[derive(Clone)]
struct ShopCtx {
    shared: Arc<Shared>,
    shop: usize,
    name: Arc<str>,
}

/// A marketplace being served. Dropping it stops the listeners too; [`shutdown`] waits for
/// them.
///
/// [`shutdown`]: RunningMarketplace::shutdown
pub struct RunningMarketplace {
    shared: Arc<Shared>,
    endpoints: Vec<ShopEndpoint>,
    listeners: Listeners,
}

/// Running listeners, one per shop, that stop together: on [`Listeners::shutdown`] and when
/// dropped (the stop channel closes).
#[derive(Debug)]
pub(crate) struct Listeners {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Listeners {
    /// Serves each router on its listener, as tasks of the current tokio runtime.
    pub(crate) fn spawn(bound: Vec<(tokio::net::TcpListener, Router)>) -> Listeners {
        let (stop, stopped) = watch::channel(false);
        let tasks = bound
            .into_iter()
            .map(|(listener, app)| {
                let mut stopped = stopped.clone();
                tokio::spawn(async move {
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            // Resolves on shutdown() and when the Listeners are dropped.
                            let _ = stopped.changed().await;
                        })
                        .await
                })
            })
            .collect();
        Listeners { stop, tasks }
    }

    /// Stops accepting connections, lets open requests finish (at most a few seconds) and
    /// waits for the listeners to close.
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            match tokio::time::timeout(SHUTDOWN_GRACE, task).await {
                Ok(Ok(Err(e))) => tracing::warn!(error = %e, "marketplace listener failed"),
                Ok(_) => {}
                Err(_) => abort.abort(),
            }
        }
    }
}

impl std::fmt::Debug for RunningMarketplace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningMarketplace")
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

/// Serves every shop of `market` on its own 127.0.0.1 port (chosen by the OS).
///
/// Must be called inside a tokio runtime; the listeners run as tasks of that runtime.
pub async fn serve(market: Marketplace) -> Result<RunningMarketplace, std::io::Error> {
    serve_with(market, false).await
}

/// As [`serve`], but every UTF-8 HTML page is a shell whose script fetches the page's
/// content from a JSON endpoint and renders it: the listings exist only for a client that
/// runs scripts. The ground truth is the plain shop's.
pub async fn serve_scripted(market: Marketplace) -> Result<RunningMarketplace, std::io::Error> {
    serve_with(market, true).await
}

async fn serve_with(
    market: Marketplace,
    scripted: bool,
) -> Result<RunningMarketplace, std::io::Error> {
    let state = market.state;
    let mut listeners = Vec::with_capacity(state.shops.len());
    for _ in &state.shops {
        listeners.push(tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?);
    }
    let mut endpoints = Vec::with_capacity(listeners.len());
    for (shop, listener) in state.shops.iter().zip(&listeners) {
        let addr = listener.local_addr()?;
        let arch = shop.archetype;
        endpoints.push(ShopEndpoint {
            name: shop.name.clone(),
            kind: arch.kind(),
            base_url: format!("http://{addr}"),
            language: arch.language().to_string(),
            currency: arch.currency(),
            archetype: arch,
            display_name: shop.display_name.clone(),
        });
    }
    let shared = Arc::new(Shared {
        state: RwLock::new(state),
        faults: Faults::default(),
        log: Mutex::new(Vec::new()),
        started: Instant::now(),
        scripted,
    });
    let bound = listeners
        .into_iter()
        .enumerate()
        .map(|(i, listener)| {
            let ctx = ShopCtx {
                shared: Arc::clone(&shared),
                shop: i,
                name: Arc::from(endpoints[i].name.as_str()),
            };
            (listener, Router::new().fallback(handle).with_state(ctx))
        })
        .collect();
    let listeners = Listeners::spawn(bound);
    tracing::info!(shops = endpoints.len(), "sample marketplace serving");
    Ok(RunningMarketplace {
        shared,
        endpoints,
        listeners,
    })
}

impl RunningMarketplace {
    /// Where each shop is served, in shop order.
    pub fn shops(&self) -> Vec<ShopEndpoint> {
        self.endpoints.clone()
    }

    /// The endpoint of the shop called `name`.
    pub fn shop(&self, name: &str) -> Option<&ShopEndpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Ground truth with absolute URLs, reflecting every change made so far.
    pub fn ground_truth(&self) -> GroundTruth {
        let state = self.read();
        ground_truth_of(&state, &|i| {
            self.endpoints.get(i).map(|e| e.base_url.clone())
        })
    }

    /// Every request answered so far, in the order the answers were made (`at` is when each
    /// request arrived).
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Empties the request log (e.g. between two crawls of one test).
    pub fn clear_request_log(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Changes the price of a listing (path or absolute URL); its page gets a new ETag and
    /// Last-Modified.
    pub fn set_price(
        &self,
        listing: &str,
        amount: Decimal,
    ) -> Result<ListingTruth, MarketplaceError> {
        let path = self.path_of(listing);
        let mut state = self.write();
        let spec = state.set_price(&path, amount, unix_now())?.clone();
        Ok(self.truth_of(&state, &spec))
    }

    /// Removes a listing (path or absolute URL): its page answers 404 and categories no longer
    /// link to it. Returns its last ground truth.
    pub fn remove_listing(&self, listing: &str) -> Result<ListingTruth, MarketplaceError> {
        let path = self.path_of(listing);
        let mut state = self.write();
        let spec = state.remove(&path)?;
        Ok(self.truth_of(&state, &spec))
    }

    /// Adds a listing to the shop called `shop`; it appears in its category at once.
    pub fn add_listing(
        &self,
        shop: &str,
        new: &NewListing,
    ) -> Result<ListingTruth, MarketplaceError> {
        let mut state = self.write();
        let spec = state.add(shop, new, unix_now())?.clone();
        Ok(self.truth_of(&state, &spec))
    }

    /// The next `count` requests for `listing_or_path` (a path such as `/robots.txt`, or an
    /// absolute URL of one of the shops; any shop) answer `status` instead of the page, with
    /// `Retry-After: 1` on 429 and 503. `count` 0 cancels what is pending for that path.
    pub fn fail_next(&self, listing_or_path: &str, status: u16, count: u32) {
        let path = self.path_of(listing_or_path);
        self.shared.faults.fail(&path, status, count);
    }

    /// Delays every response by `delay` from now on (`Duration::ZERO` removes the delay).
    pub fn set_delay(&self, delay: Duration) {
        self.shared.faults.set_delay(delay);
    }

    /// Stops accepting connections, lets open requests finish (at most a few seconds) and
    /// waits for the listeners to close.
    pub async fn shutdown(mut self) {
        self.listeners.shutdown().await;
    }

    fn truth_of(&self, state: &MarketState, spec: &crate::spec::ListingSpec) -> ListingTruth {
        let i = usize::from(spec.shop);
        let base = self.endpoints.get(i).map(|e| e.base_url.as_str());
        listing_truth(spec, &state.shops[i], base)
    }

    /// The path of an absolute URL of one of the shops; anything else is taken as a path.
    fn path_of(&self, listing: &str) -> String {
        self.endpoints
            .iter()
            .find_map(|e| listing.strip_prefix(e.base_url.as_str()))
            .unwrap_or(listing)
            .to_string()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, MarketState> {
        self.shared
            .state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, MarketState> {
        self.shared
            .state
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

async fn handle(
    State(ctx): State<ShopCtx>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let at = Instant::now();
    let path_and_query = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    if let Some(delay) = ctx.shared.faults.delay() {
        tokio::time::sleep(delay).await;
    }
    let injected = ctx.shared.faults.take(uri.path());
    let response = if let Some(status) = injected {
        injected_failure(status)
    } else if method == Method::GET || method == Method::HEAD {
        let rendered = {
            let state = ctx
                .shared
                .state
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            if ctx.shared.scripted {
                render_scripted(&state, ctx.shop, uri.path(), uri.query())
            } else {
                render(&state, ctx.shop, uri.path(), uri.query())
            }
        };
        respond(rendered, &headers)
    } else {
        let mut r = Response::new(Body::from("method not allowed\n"));
        *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    };
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let record = RequestRecord {
        at,
        ms_since_start: u64::try_from(at.duration_since(ctx.shared.started).as_millis())
            .unwrap_or(u64::MAX),
        shop: ctx.name.to_string(),
        method: method.to_string(),
        path: path_and_query,
        status: response.status().as_u16(),
        user_agent: text(header::USER_AGENT),
        if_none_match: text(header::IF_NONE_MATCH),
        if_modified_since: text(header::IF_MODIFIED_SINCE),
    };
    tracing::debug!(shop = %record.shop, path = %record.path, status = record.status, "request");
    ctx.shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(record);
    response
}

/// An injected failure: the status with a short body, and `Retry-After` when it invites one.
fn injected_failure(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = Response::new(Body::from(format!("injected failure: {status}\n")));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if matches!(status.as_u16(), 429 | 503) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// The response for a rendered page, answering conditional requests with 304.
fn respond(rendered: Rendered, headers: &HeaderMap) -> Response {
    let not_modified = rendered
        .validators
        .as_ref()
        .is_some_and(|v| rendered.status == 200 && is_not_modified(v, headers));
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(rendered.body));
        *r.status_mut() = StatusCode::from_u16(rendered.status).unwrap_or(StatusCode::OK);
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(rendered.content_type),
        );
        r
    };
    if let Some(v) = &rendered.validators {
        let h = response.headers_mut();
        if let Ok(etag) = HeaderValue::from_str(&v.etag) {
            h.insert(header::ETAG, etag);
        }
        if let Ok(lm) = HeaderValue::from_str(&v.last_modified_http()) {
            h.insert(header::LAST_MODIFIED, lm);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

/// RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since.
fn is_not_modified(v: &ServedValidators, headers: &HeaderMap) -> bool {
    if let Some(inm) = headers.get(header::IF_NONE_MATCH) {
        let Ok(inm) = inm.to_str() else {
            return false;
        };
        // Weak comparison: W/"x" matches "x".
        return inm
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == v.etag);
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|h| h.to_str().ok())
        .and_then(parse_http_date)
        .is_some_and(|since| v.last_modified <= since)
}
