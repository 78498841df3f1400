//! The JSON API under `/api/`: the same data as the pages.
//!
//! * `GET /api/search?q=…&severity=…&site=…&rule=…&drug=…&domain=…&flagged=all&sort=price:asc&limit=20&offset=0`
//!   → `{"total", "hits": [{doc, relevance, title_snippet, description_snippet}], "facets"}`
//! * `GET /api/listing/{id}` → `{"listing": {listing, verdict, first_seen, …}, "price_usd",
//!   "unit_price_usd", "history": […]}`
//! * `GET /api/reports` → the runs; `GET /api/reports/{run}` → that run's report.
//! * `GET /api/status` → `{"searches": {"running", "finished", "cancelled", "over_budget"}}`:
//!   what the server's searches did since it started (a search whose client left is
//!   `cancelled`, issue 23).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use pharmwatch_indexer::SearchResults;
use pharmwatch_store::RunRecord;

use super::listing::{self, ListingDetail};
use super::search::{CancelOnDrop, SearchParams, run_search};
use super::{AppState, WebError, blocking, reports};
use crate::report::RunReport;

/// A [`WebError`] answered as `{"error": "…"}`.
pub struct ApiError(WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self.0 {
            tracing::error!("api request failed: {e:#}");
        }
        let body = serde_json::json!({ "error": self.0.message() });
        (self.0.status(), Json(body)).into_response()
    }
}

/// `GET /api/search`.
pub async fn search(
    State(state): State<Arc<AppState>>,
    Query(params): Query<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let request = params.api_request()?;
    let (budget, _cancel) = CancelOnDrop::budget();
    Ok(Json(
        blocking(move || run_search(&state, &request, &budget)).await?,
    ))
}

/// `GET /api/status`.
pub async fn status(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "searches": state.searches.snapshot() }))
}

/// `GET /api/listing/{id}`.
pub async fn listing(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<ListingDetail>, ApiError> {
    Ok(Json(blocking(move || listing::load(&state, &id)).await?))
}

/// `GET /api/reports`.
pub async fn reports(State(state): State<Arc<AppState>>) -> Result<Json<Vec<RunRecord>>, ApiError> {
    Ok(Json(blocking(move || reports::runs(&state)).await?))
}

/// `GET /api/reports/{run}`.
pub async fn report(
    State(state): State<Arc<AppState>>,
    Path(run): Path<i64>,
) -> Result<Json<RunReport>, ApiError> {
    Ok(Json(blocking(move || reports::report(&state, run)).await?))
}
