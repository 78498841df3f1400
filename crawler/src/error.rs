use std::fmt;

use serde::{Deserialize, Serialize};

/// Errors that stop a crawl from starting or continuing as a whole.
///
/// Per-URL failures never surface here: they are recorded in [`crate::PageRecord::error`]
/// and counted in the stats, and the crawl goes on.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// A site's configuration is invalid; names the site and the field.
    #[error("site `{site}`: field `{field}`: {message}")]
    Config {
        /// The site's name.
        site: String,
        /// The offending key.
        field: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A global crawl setting is invalid.
    #[error("crawl settings: field `{field}`: {message}")]
    Settings {
        /// The offending key of `[crawl]`.
        field: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
    /// Two sites share one name, so records and stats could not tell them apart.
    #[error("site `{0}` is configured twice")]
    DuplicateSite(String),
    /// A site profile could not be loaded by pharmwatch-extract.
    #[error("site `{site}`: profile {path}: {message}")]
    Profile {
        /// The site's name.
        site: String,
        /// The profile file.
        path: String,
        /// pharmwatch-extract's error, with file, line and column.
        message: String,
    },
    /// The HTTP client could not be built (TLS setup, proxy).
    #[error("building the HTTP client: {0}")]
    Client(String),
    /// The extraction threads could not be started (the system refused new threads).
    #[error("starting the extraction threads: {0}")]
    Threads(String),
    /// The receiver of the page records was dropped before the crawl ended.
    #[error("the page record receiver was closed; crawl stopped")]
    OutputClosed,
}

/// Why one exchange failed. Stable names (see [`FetchErrorKind::as_str`]) are used as
/// keys of [`crate::SiteStats::errors_by_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchErrorKind {
    /// Connect or total timeout elapsed.
    Timeout,
    /// TCP/TLS connection could not be established.
    Connect,
    /// Any other transport failure (reset, protocol error).
    Network,
    /// The body (raw or decompressed) exceeded `max_body_bytes`; what came before is kept.
    BodyTooLarge,
    /// The compressed body could not be decoded.
    Decompression,
    /// A `Content-Encoding` we did not ask for and cannot decode.
    UnsupportedEncoding,
    /// The final response had a 4xx or 5xx status.
    HttpStatus,
    /// More than `max_redirects` hops.
    TooManyRedirects,
    /// A redirect pointed back at a URL already in its own chain.
    RedirectLoop,
    /// A redirect left the site's scope (hosts, include/exclude, traps).
    RedirectOutOfScope,
    /// A redirect without a usable `Location`.
    BadRedirect,
    /// robots.txt was unreachable or answered 5xx: the host is treated as disallowed.
    RobotsUnavailable,
    /// pharmwatch-extract failed (panicked) on the page.
    Extraction,
    /// The page went over its parse budget (nesting depth, elements, attributes or time):
    /// it was cut off, its evidence is archived whole, and its listings are not updated.
    OverBudget,
    /// The crawler's own task for this URL failed (a bug): recorded, never fatal.
    Internal,
    /// The host asked (`Retry-After`) for a longer pause than `max_retry_wait_secs`: this
    /// URL and the host's remaining URLs are left for a later run.
    BackedOff,
    /// The browser could not render the page (`render = "browser"`): it did not settle within
    /// `browser_page_timeout_secs`, its renderer crashed, or the browser could not start. The
    /// page's HTTP response is archived; its listings are not updated.
    Render,
}

impl FetchErrorKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchErrorKind::Timeout => "timeout",
            FetchErrorKind::Connect => "connect",
            FetchErrorKind::Network => "network",
            FetchErrorKind::BodyTooLarge => "body_too_large",
            FetchErrorKind::Decompression => "decompression",
            FetchErrorKind::UnsupportedEncoding => "unsupported_encoding",
            FetchErrorKind::HttpStatus => "http_status",
            FetchErrorKind::TooManyRedirects => "too_many_redirects",
            FetchErrorKind::RedirectLoop => "redirect_loop",
            FetchErrorKind::RedirectOutOfScope => "redirect_out_of_scope",
            FetchErrorKind::BadRedirect => "bad_redirect",
            FetchErrorKind::RobotsUnavailable => "robots_unavailable",
            FetchErrorKind::Extraction => "extraction",
            FetchErrorKind::OverBudget => "over_budget",
            FetchErrorKind::Internal => "internal",
            FetchErrorKind::BackedOff => "backed_off",
            FetchErrorKind::Render => "render",
        }
    }

    /// Whether a retry with backoff may succeed.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            FetchErrorKind::Timeout | FetchErrorKind::Connect | FetchErrorKind::Network
        )
    }
}

impl fmt::Display for FetchErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
