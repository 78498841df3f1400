//! Serves a family catalogue: one 127.0.0.1 listener per shop, each page as rendered.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use pharmwatch_model::SiteKind;
use serde::Serialize;

use super::{FamilyCatalogue, FamilyShop, FamilyTruth};
use crate::server::Listeners;

/// Where one family shop is served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyEndpoint {
    /// The shop.
    pub shop: FamilyShop,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base_url: String,
}

impl FamilyEndpoint {
    /// Site kind, as a crawl configuration would declare it.
    pub fn kind(&self) -> SiteKind {
        self.shop.kind
    }
}

/// A family catalogue being served; dropping it stops the listeners too.
#[derive(Debug)]
pub struct RunningFamilies {
    endpoints: Vec<FamilyEndpoint>,
    truth: FamilyTruth,
    log: Arc<Mutex<Vec<FamilyRequest>>>,
    listeners: Listeners,
}

/// One request as a family shop answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyRequest {
    /// Name of the shop.
    pub shop: String,
    /// Path as requested (no query).
    pub path: String,
    /// Status answered.
    pub status: u16,
}

#[derive(Clone)]
struct ShopCtx {
    catalogue: Arc<FamilyCatalogue>,
    shop: usize,
    log: Arc<Mutex<Vec<FamilyRequest>>>,
}

/// Serves every shop of `catalogue` on its own 127.0.0.1 port (chosen by the OS).
///
/// Must be called inside a tokio runtime; the listeners run as tasks of that runtime.
pub async fn serve_families(catalogue: FamilyCatalogue) -> Result<RunningFamilies, std::io::Error> {
    let catalogue = Arc::new(catalogue);
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut bound = Vec::with_capacity(catalogue.shops().len());
    let mut endpoints = Vec::with_capacity(catalogue.shops().len());
    for (i, shop) in catalogue.shops().iter().enumerate() {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        endpoints.push(FamilyEndpoint {
            shop: shop.clone(),
            base_url: format!("http://{}", listener.local_addr()?),
        });
        let ctx = ShopCtx {
            catalogue: Arc::clone(&catalogue),
            shop: i,
            log: Arc::clone(&log),
        };
        bound.push((listener, Router::new().fallback(handle).with_state(ctx)));
    }
    let base_urls: Vec<String> = endpoints.iter().map(|e| e.base_url.clone()).collect();
    let truth = catalogue.ground_truth(Some(&base_urls));
    tracing::info!(shops = endpoints.len(), "template families serving");
    Ok(RunningFamilies {
        endpoints,
        truth,
        log,
        listeners: Listeners::spawn(bound),
    })
}

impl RunningFamilies {
    /// Where each shop is served, in shop order.
    pub fn shops(&self) -> &[FamilyEndpoint] {
        &self.endpoints
    }

    /// Ground truth with absolute URLs.
    pub fn ground_truth(&self) -> &FamilyTruth {
        &self.truth
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<FamilyRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops accepting connections and waits (a few seconds at most) for the listeners.
    pub async fn shutdown(mut self) {
        self.listeners.shutdown().await;
    }
}

async fn handle(State(ctx): State<ShopCtx>, method: Method, uri: Uri) -> Response {
    let response = answer(&ctx, &method, uri.path());
    let record = FamilyRequest {
        shop: ctx
            .catalogue
            .shops()
            .get(ctx.shop)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        path: uri.path().to_string(),
        status: response.status().as_u16(),
    };
    ctx.log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(record);
    response
}

fn answer(ctx: &ShopCtx, method: &Method, path: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n".into(),
            "text/plain; charset=utf-8",
        );
    }
    match ctx.catalogue.page(ctx.shop, path) {
        Some(page) if path.ends_with(".txt") => text(
            StatusCode::OK,
            page.to_string(),
            "text/plain; charset=utf-8",
        ),
        Some(page) => text(StatusCode::OK, page.to_string(), "text/html; charset=utf-8"),
        None => text(
            StatusCode::NOT_FOUND,
            "<!DOCTYPE html><title>Not found</title><p>Not found</p>\n".into(),
            "text/html; charset=utf-8",
        ),
    }
}

fn text(status: StatusCode, body: String, content_type: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}
