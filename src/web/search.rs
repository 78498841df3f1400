//! The search page (`/` and `/search`) and its exports (`/search.csv`, `/search.json`).
//!
//! The query box takes the CLI's query language; the filters (severity, site, rule, drug,
//! domain, flagged) are added to it as `field:"value"` clauses, so a page's URL says exactly
//! what was searched and facet links only add one parameter.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use pharmwatch_indexer::{
    Facets, SearchBudget, SearchCancel, SearchError, SearchRequest, SearchResults, SortBy,
};
use serde::Deserialize;

use super::templates::{self, domain_href, listing_href, severity_badge, snippet_or};
use super::{AppState, WebError, blocking};

/// Hits per page.
pub const PAGE_SIZE: usize = 20;
/// Most hits in one export: the indexer's own page-size limit.
const EXPORT_LIMIT: usize = 10_000;

/// The filters a facet link can set, with the query-language field each one filters.
const FILTERS: [(&str, &str); 5] = [
    ("severity", "severity"),
    ("site", "site"),
    ("rule", "rule"),
    ("drug", "drug"),
    ("domain", "domain"),
];

/// Sort choices offered on the page (the value is `SortBy`'s text form).
const SORTS: [(&str, &str); 9] = [
    ("relevance", "relevance"),
    ("severity:desc", "severity, highest first"),
    ("score:desc", "score, highest first"),
    ("price:asc", "price, lowest first"),
    ("price:desc", "price, highest first"),
    ("unit_price:asc", "unit price, lowest first"),
    ("unit_price:desc", "unit price, highest first"),
    ("last_seen:desc", "last seen, newest first"),
    ("first_seen:desc", "first seen, newest first"),
];

/// A search as the page's URL states it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    /// Query in the CLI's query language.
    #[serde(default)]
    pub q: String,
    pub severity: Option<String>,
    pub site: Option<String>,
    pub rule: Option<String>,
    pub drug: Option<String>,
    pub domain: Option<String>,
    /// `flagged` (default), `all` or `unflagged`.
    pub flagged: Option<String>,
    /// `SortBy` text form, e.g. `price:asc`.
    pub sort: Option<String>,
    /// 1-based page number (pages).
    pub page: Option<usize>,
    /// Page size (API).
    pub limit: Option<usize>,
    /// Hits to skip (API).
    pub offset: Option<usize>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `"value"` in the query language.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl SearchParams {
    fn filter(&self, name: &str) -> Option<&str> {
        match name {
            "severity" => nonempty(&self.severity),
            "site" => nonempty(&self.site),
            "rule" => nonempty(&self.rule),
            "drug" => nonempty(&self.drug),
            "domain" => nonempty(&self.domain),
            _ => None,
        }
    }

    fn set_filter(&mut self, name: &str, value: Option<String>) {
        match name {
            "severity" => self.severity = value,
            "site" => self.site = value,
            "rule" => self.rule = value,
            "drug" => self.drug = value,
            "domain" => self.domain = value,
            _ => {}
        }
    }

    fn flagged(&self) -> &str {
        nonempty(&self.flagged).unwrap_or("flagged")
    }

    /// The query text sent to the index: the box's query AND each filter.
    pub fn query(&self) -> String {
        let q = self.q.trim();
        let mut clauses: Vec<String> = FILTERS
            .iter()
            .filter_map(|(name, field)| Some(format!("{field}:{}", quoted(self.filter(name)?))))
            .collect();
        if self.flagged() == "unflagged" {
            clauses.push("flagged:false".into());
        }
        if clauses.is_empty() {
            return q.to_string();
        }
        if !q.is_empty() {
            clauses.insert(0, format!("({q})"));
        }
        clauses.join(" AND ")
    }

    fn sort(&self) -> Result<SortBy, WebError> {
        match nonempty(&self.sort) {
            None => Ok(SortBy::Relevance),
            Some(s) => SortBy::from_str(s).map_err(WebError::BadRequest),
        }
    }

    fn page_number(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }

    /// The request for one page of hits with facets and snippets.
    pub fn page_request(&self) -> Result<SearchRequest, WebError> {
        let offset = (self.page_number() - 1).saturating_mul(PAGE_SIZE);
        Ok(SearchRequest {
            query: self.query(),
            include_unflagged: self.flagged() != "flagged",
            limit: PAGE_SIZE,
            offset: offset.min(EXPORT_LIMIT),
            sort: self.sort()?,
            facets: true,
            highlight: true,
        })
    }

    /// The request of the API: `limit`/`offset` (or `page`), facets and snippets.
    pub fn api_request(&self) -> Result<SearchRequest, WebError> {
        let mut request = self.page_request()?;
        request.limit = self.limit.unwrap_or(PAGE_SIZE).min(EXPORT_LIMIT);
        if let Some(offset) = self.offset {
            request.offset = offset.min(EXPORT_LIMIT);
        }
        Ok(request)
    }

    /// Every hit (up to the export limit), no snippets.
    fn export_request(&self) -> Result<SearchRequest, WebError> {
        Ok(SearchRequest {
            limit: EXPORT_LIMIT,
            offset: 0,
            facets: false,
            highlight: false,
            ..self.page_request()?
        })
    }

    /// The URL query string of these parameters (without `page` unless set).
    pub fn to_query_string(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.trim().is_empty() {
            s.append_pair("q", self.q.trim());
        }
        for (name, _) in FILTERS {
            if let Some(v) = self.filter(name) {
                s.append_pair(name, v);
            }
        }
        if self.flagged() != "flagged" {
            s.append_pair("flagged", self.flagged());
        }
        if let Some(sort) = nonempty(&self.sort) {
            s.append_pair("sort", sort);
        }
        if let Some(page) = self.page.filter(|p| *p > 1) {
            s.append_pair("page", &page.to_string());
        }
        s.finish()
    }

    fn href(&self, path: &str) -> String {
        let qs = self.to_query_string();
        if qs.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{qs}")
        }
    }

    /// This search with one filter set (or removed), from its first page.
    fn with_filter(&self, name: &str, value: Option<&str>) -> Self {
        let mut next = self.clone();
        next.set_filter(name, value.map(str::to_string));
        next.page = None;
        next
    }

    fn with_page(&self, page: usize) -> Self {
        let mut next = self.clone();
        next.page = Some(page);
        next
    }
}

/// Runs `request` on the shared searcher within `budget`, counted in the server's
/// [`SearchCounts`]; a query that does not parse, or runs past the budget, is the user's error.
pub fn run_search(
    state: &AppState,
    request: &SearchRequest,
    budget: &SearchBudget,
) -> Result<SearchResults, WebError> {
    let searcher = state.searcher()?;
    let counts = &state.searches;
    counts.running.fetch_add(1, Ordering::Relaxed);
    let result = searcher.search_within(request, budget);
    let outcome = match &result {
        Ok(_) => &counts.finished,
        Err(SearchError::Cancelled) => &counts.cancelled,
        Err(SearchError::OverBudget(_)) => &counts.over_budget,
        Err(_) => &counts.failed,
    };
    outcome.fetch_add(1, Ordering::Relaxed);
    counts.running.fetch_sub(1, Ordering::Relaxed);
    result.map_err(|e| WebError::BadRequest(e.to_string()))
}

/// What the server's searches did since it started (`GET /api/status`): a search whose client
/// disconnected ends as `cancelled` at its next budget check rather than running on.
#[derive(Debug, Default)]
pub struct SearchCounts {
    running: AtomicU64,
    finished: AtomicU64,
    cancelled: AtomicU64,
    over_budget: AtomicU64,
    failed: AtomicU64,
}

impl SearchCounts {
    /// The counts now, as JSON.
    pub fn snapshot(&self) -> serde_json::Value {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        serde_json::json!({
            "running": get(&self.running),
            "finished": get(&self.finished),
            "cancelled": get(&self.cancelled),
            "over_budget": get(&self.over_budget),
            "failed": get(&self.failed),
        })
    }
}

/// Cancels a search when dropped. A search runs on a blocking thread, which dropping its
/// handler does not stop; axum drops the handler's future when the client disconnects, and
/// with it this guard, so the search stops at its next budget check instead of running on for
/// nobody (four abandoned requests kept the server busy ~96 s, issue 23).
pub struct CancelOnDrop(SearchCancel);

impl CancelOnDrop {
    /// A budget of the default time for one request, and the guard that cancels it.
    pub fn budget() -> (SearchBudget, CancelOnDrop) {
        let budget = SearchBudget::default();
        let guard = CancelOnDrop(budget.canceller());
        (budget, guard)
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// `GET /search`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let request = params.page_request()?;
    let (budget, _cancel) = CancelOnDrop::budget();
    let search = {
        let state = state.clone();
        let request = request.clone();
        blocking(move || Ok(run_search(&state, &request, &budget))).await?
    };
    let (status, body) = match search {
        Ok(results) => (StatusCode::OK, results_body(&params, &request, &results)),
        Err(WebError::BadRequest(problem)) => (
            StatusCode::BAD_REQUEST,
            html! {
                (search_form(&params))
                h2 { "The query could not be read" }
                pre.error { (problem) }
            },
        ),
        Err(other) => return Err(other),
    };
    Ok((status, templates::layout("Search", body)).into_response())
}

fn search_form(params: &SearchParams) -> Markup {
    // `?sort=severity` is the choice `severity:desc`: the CLI's names select their entry.
    let sort = nonempty(&params.sort)
        .and_then(|s| SortBy::from_str(s).ok())
        .unwrap_or_default();
    let chosen = |value: &str| SortBy::from_str(value).is_ok_and(|v| v == sort);
    html! {
        form.search method="get" action="/search" role="search" {
            input type="search" name="q" value=(params.q) placeholder="drug:oxycodone AND price_usd:[0 TO 5]" aria-label="Query";
            label { "Listings"
                select name="flagged" {
                    @for (value, label) in [("flagged", "flagged"), ("all", "all"), ("unflagged", "not flagged")] {
                        option value=(value) selected[params.flagged() == value] { (label) }
                    }
                }
            }
            label { "Sort"
                select name="sort" {
                    @for (value, label) in SORTS {
                        option value=(value) selected[chosen(value)] { (label) }
                    }
                }
            }
            // The facet filters already chosen travel with a new query.
            @for (name, _) in FILTERS {
                @if let Some(v) = params.filter(name) {
                    input type="hidden" name=(name) value=(v);
                }
            }
            button type="submit" { "Search" }
        }
    }
}

fn results_body(params: &SearchParams, request: &SearchRequest, results: &SearchResults) -> Markup {
    let first = request.offset + 1;
    let last = request.offset + results.hits.len();
    html! {
        (search_form(params))
        (active_filters(params))
        @for hint in &results.hints {
            p.hint { "Hint: " (hint) }
        }
        div.layout {
            aside.facets {
                @if let Some(facets) = &results.facets { (facet_lists(params, facets)) }
            }
            section.results {
                p.count {
                    @if results.hits.is_empty() { "No listings match." }
                    @else { "Listings " (first) "–" (last) " of " span #total { (results.total) } }
                    " "
                    span.exports {
                        a #export-csv href=(params.href("/search.csv")) { "Export CSV" }
                        a #export-json href=(params.href("/search.json")) { "Export JSON" }
                    }
                }
                @for hit in &results.hits {
                    @let l = &hit.doc.listing;
                    div.hit {
                        div.title {
                            (severity_badge(hit.doc.verdict.severity)) " "
                            a href=(listing_href(l.id.as_str())) { (snippet_or(hit.title_snippet.as_ref(), &l.title)) }
                            @if let Some(gone) = &hit.doc.gone_since {
                                " " span.gone { "gone since " (templates::time(gone)) }
                            }
                        }
                        div.meta {
                            (l.site) " · " a href=(domain_href(&l.domain)) { (l.domain) }
                            @if let Some(price) = &l.price { " · " (price.to_string()) }
                            @if let Some(u) = hit.doc.unit_price_usd { " · " (templates::usd(Some(u))) "/unit" }
                            @if !hit.doc.verdict.hits.is_empty() {
                                " · rules: "
                                @for (i, rule) in hit.doc.verdict.rule_ids().enumerate() {
                                    @if i > 0 { ", " }
                                    span.rule { (rule) }
                                }
                            }
                        }
                        @if let Some(desc) = &hit.description_snippet {
                            p.desc { (snippet_or(Some(desc), "")) }
                        }
                    }
                }
                (pagination(params, request, results))
            }
        }
    }
}

fn active_filters(params: &SearchParams) -> Markup {
    let active: Vec<(&str, &str)> = FILTERS
        .iter()
        .filter_map(|(name, _)| Some((*name, params.filter(name)?)))
        .collect();
    html! {
        @if !active.is_empty() {
            p.filters {
                "Filters: "
                @for (name, value) in active {
                    a.filter href=(params.with_filter(name, None).href("/search")) title="remove this filter" {
                        (name) ": " (value) " ✕"
                    }
                }
            }
        }
    }
}

fn facet_lists(params: &SearchParams, facets: &Facets) -> Markup {
    let groups = [
        ("severity", "Severity", &facets.severity),
        ("rule", "Rule", &facets.rule),
        ("drug", "Drug", &facets.drug),
        ("site", "Site", &facets.site),
        ("domain", "Domain", &facets.domain),
    ];
    html! {
        @for (name, label, counts) in groups {
            @if !counts.is_empty() {
                h3 { (label) }
                ul class={ "facet facet-" (name) } {
                    @for (value, n) in counts.iter().take(30) {
                        li {
                            a href=(params.with_filter(name, Some(value)).href("/search")) { (value) }
                            " " span.count { "(" (n) ")" }
                        }
                    }
                }
            }
        }
    }
}

fn pagination(params: &SearchParams, request: &SearchRequest, results: &SearchResults) -> Markup {
    let page = params.page_number();
    let has_next = request.offset + results.hits.len() < results.total.min(EXPORT_LIMIT);
    html! {
        p.pages {
            @if page > 1 { a rel="prev" href=(params.with_page(page - 1).href("/search")) { "← previous" } }
            @if has_next { a rel="next" href=(params.with_page(page + 1).href("/search")) { "next →" } }
        }
    }
}

/// `GET /search.csv`: every hit of the search, with the columns of `search --csv`.
pub async fn export_csv(
    State(state): State<Arc<AppState>>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let request = params.export_request()?;
    let (budget, _cancel) = CancelOnDrop::budget();
    let bytes = blocking(move || {
        // Every hit, page by page: a case file is never cut at the index's page size.
        let mut request = request;
        let mut out = Vec::new();
        let mut csv = crate::search::CsvHits::new(&mut out);
        loop {
            let results = run_search(&state, &request, &budget)?;
            csv.write(&results)?;
            request.offset += results.hits.len();
            if results.hits.is_empty() || request.offset >= results.total {
                break;
            }
        }
        csv.finish()?;
        Ok(out)
    })
    .await?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        "pharmwatch-search.csv",
    ))
}

/// `GET /search.json`: every hit of the search as JSON (`total`, `hits`).
pub async fn export_json(
    State(state): State<Arc<AppState>>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let request = params.export_request()?;
    let (budget, _cancel) = CancelOnDrop::budget();
    let bytes = blocking(move || {
        let results = run_search(&state, &request, &budget)?;
        serde_json::to_vec_pretty(&results).map_err(|e| WebError::Internal(e.into()))
    })
    .await?;
    Ok(attachment(
        bytes,
        "application/json",
        "pharmwatch-search.json",
    ))
}

fn attachment(bytes: Vec<u8>, content_type: &'static str, filename: &'static str) -> Response {
    let mut res = bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_quoted_clauses_after_the_query() {
        let params = SearchParams {
            q: "oxycodone OR tramadol".into(),
            site: Some("medsdirect".into()),
            rule: Some("a \"b\\".into()),
            severity: Some(" ".into()),
            ..SearchParams::default()
        };
        assert_eq!(
            params.query(),
            "(oxycodone OR tramadol) AND site:\"medsdirect\" AND rule:\"a \\\"b\\\\\""
        );
        assert_eq!(SearchParams::default().query(), "");
        let unflagged = SearchParams {
            flagged: Some("unflagged".into()),
            ..SearchParams::default()
        };
        assert_eq!(unflagged.query(), "flagged:false");
    }

    #[test]
    fn facet_links_keep_the_search_and_restart_at_page_one() {
        let params = SearchParams {
            q: "a&b".into(),
            page: Some(3),
            ..SearchParams::default()
        };
        let next = params.with_filter("rule", Some("stealth-shipping"));
        assert_eq!(next.to_query_string(), "q=a%26b&rule=stealth-shipping");
    }
}
