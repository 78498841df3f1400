//! What a crawl hands on: one record per HTTP exchange, and run statistics.

use std::collections::BTreeMap;

use bytes::Bytes;
use pharmwatch_model::{Listing, Timestamp};
use serde::Serialize;

use crate::FetchErrorKind;
use crate::frontier::Priority;

/// Which kind of exchange a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A page of a site (the last hop of a chain, or a failure to get one).
    Page,
    /// A 3xx hop of a page's redirect chain; the target is in `redirect_to` and is fetched
    /// (or refused) as the next hop.
    Redirect,
    /// A 429/5xx/network failure that will be retried; the retry gets its own record.
    RetriedAttempt,
    /// A robots.txt fetch (each redirect hop too).
    Robots,
    /// A sitemap fetch (configured, or listed in robots.txt).
    Sitemap,
}

/// A failure recorded against one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchError {
    /// Class of the failure (stable name via [`FetchErrorKind::as_str`]).
    pub kind: FetchErrorKind,
    /// Human-readable detail (the underlying error chain).
    pub message: String,
}

/// One HTTP exchange (or the failure to have one), with the exact bytes received.
#[derive(Debug, Clone, Serialize)]
pub struct PageRecord {
    /// Which kind of exchange this is.
    pub kind: RecordKind,
    /// Name of the configured site.
    pub site: String,
    /// The URL this exchange requested (normalised): each hop of a redirect chain is its own
    /// record under its own URL, so the archive never says a URL returned what another did.
    pub url: String,
    /// The earlier hops of its redirect chain, the one first requested first; empty when the
    /// URL was requested directly.
    pub redirect_chain: Vec<String>,
    /// HTTP status, absent when no response arrived.
    pub status: Option<u16>,
    /// When the request was sent (the capture began, as WARC-Date), UTC.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub fetched_at: Timestamp,
    /// The `Content-Type` header as received.
    pub content_type: Option<String>,
    /// SHA-256 (hex) of `body`, the bytes as received on the wire (before decompression).
    pub body_sha256: Option<String>,
    /// Length of `body`.
    pub body_len: u64,
    /// Length of the body after `Content-Encoding` decoding (equal to `body_len` when none).
    pub decoded_len: u64,
    /// Charset the page was decoded with (from pharmwatch-extract).
    pub encoding: Option<String>,
    /// Listings extracted from the page (empty for non-pages and failures); for a 304, from
    /// the archived copy it confirmed.
    pub listings: Vec<Listing>,
    /// A 304 whose listings and links were taken from the archived copy its validators came
    /// from (the crawler asks again without validators when there is none).
    pub revalidated: bool,
    /// Links found on the page (before the frontier's scope and dedup checks).
    pub links_found: usize,
    #[serde(skip)]
    /// The links this page added to the frontier (normalised, in scope, new to the run), with
    /// the priority they will be fetched at: what a persistent frontier stores so an
    /// interrupted crawl can resume. A link already admitted through another page is not
    /// repeated here.
    pub links: Vec<(String, Priority)>,
    /// Why the exchange failed, if it did.
    pub error: Option<FetchError>,
    /// Link distance from a start URL.
    pub depth: u32,
    /// Attempt number of this URL (0 = first try).
    pub attempt: u32,
    /// Redirect target (absolute, as resolved from `Location`).
    pub redirect_to: Option<String>,
    /// Why `body` is shorter than what the server sent (size cap, timeout, connection
    /// lost), if it is; archived as `WARC-Truncated`.
    pub truncated: Option<pharmwatch_model::Truncation>,
    /// True when the site is configured to ignore robots.txt.
    pub robots_ignored: bool,
    /// IP address and port that answered (WARC-IP-Address); absent behind a proxy's
    /// tunnel or when no connection was made.
    pub remote_addr: Option<String>,
    /// HTTP version of the response (`HTTP/1.1`, `HTTP/2.0`).
    pub http_version: Option<String>,
    /// Request headers sent, in order.
    pub request_headers: Vec<(String, String)>,
    /// Response headers as received, in order (values lossily UTF-8).
    pub response_headers: Vec<(String, String)>,
    /// Raw body bytes as received (still compressed if `Content-Encoding` says so).
    #[serde(skip)]
    pub body: Bytes,
    /// What the browser made of the page (`render = "browser"` sites only).
    #[serde(skip)]
    pub rendered: Option<Box<RenderCapture>>,
}

/// A page as headless Chromium rendered it: the DOM its listings were read from, a
/// screenshot, and every other exchange the page's rendering made (all fetched by the
/// crawler itself, so each is archived as received). A page that failed to render has only
/// the exchanges it made before.
#[derive(Debug, Clone)]
pub struct RenderCapture {
    /// `document.documentElement.outerHTML` once the page settled, UTF-8 (`None` when the
    /// page failed to render).
    pub dom: Option<Bytes>,
    /// Full-page PNG screenshot, when one could be taken.
    pub screenshot: Option<Bytes>,
    /// When the DOM was read.
    pub captured_at: Timestamp,
    /// The page's requests other than its own document, in the order they were answered.
    pub resources: Vec<CapturedExchange>,
}

/// One request the browser made while rendering a page, as the crawler fetched it for it.
#[derive(Debug, Clone)]
pub struct CapturedExchange {
    /// The URL requested.
    pub url: String,
    /// HTTP status, absent when no response arrived.
    pub status: Option<u16>,
    /// When the request was sent.
    pub fetched_at: Timestamp,
    /// IP address and port that answered.
    pub remote_addr: Option<String>,
    /// HTTP version of the response.
    pub http_version: Option<String>,
    /// Request headers sent, in order.
    pub request_headers: Vec<(String, String)>,
    /// Response headers as received, in order.
    pub response_headers: Vec<(String, String)>,
    /// Raw body bytes as received.
    pub body: Bytes,
    /// Why `body` is shorter than what the server sent, if it is.
    pub truncated: Option<pharmwatch_model::Truncation>,
    /// Why the exchange failed, if it did (no response record is archived then).
    pub error: Option<FetchError>,
}

/// Counters for one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SiteStats {
    /// Page requests answered (any status), each hop of a redirect chain included.
    pub fetched: u64,
    /// Pages that yielded at least one listing.
    pub listing_pages: u64,
    /// Listings extracted.
    pub listings: u64,
    /// URLs not fetched because robots.txt disallowed them (or was unavailable).
    pub robots_disallowed: u64,
    /// Final failures by [`FetchErrorKind::as_str`].
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Raw bytes received, robots.txt and redirects included.
    pub bytes: u64,
    /// Retries performed.
    pub retries: u64,
    /// Links refused as traps (length, repeated segments, query variants).
    pub traps: u64,
    /// Links refused as out of scope, too deep or over `max_pages`.
    pub out_of_scope: u64,
    /// Queued URLs skipped because their host asked for a longer pause than
    /// `max_retry_wait_secs` (see [`crate::FetchErrorKind::BackedOff`]).
    pub backed_off: u64,
    /// Queued URLs not fetched because the site's `max_bytes` was spent.
    pub over_byte_budget: u64,
    /// Sitemap files fetched.
    pub sitemaps: u64,
    /// URLs admitted to the frontier from sitemaps.
    pub sitemap_urls: u64,
    /// robots.txt was skipped for this site by configuration.
    pub robots_ignored: bool,
    /// The latest final failure's message (what an operator reads when a site failed).
    pub last_error: Option<String>,
}

/// Statistics of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrawlStats {
    /// Counters by site name.
    pub per_site: BTreeMap<String, SiteStats>,
    /// The run was stopped by its cancellation signal.
    pub cancelled: bool,
}

impl SiteStats {
    pub(crate) fn count_error(&mut self, kind: FetchErrorKind) {
        *self
            .errors_by_kind
            .entry(kind.as_str().to_string())
            .or_default() += 1;
    }

    /// Total final errors.
    pub fn errors(&self) -> u64 {
        self.errors_by_kind.values().sum()
    }
}
