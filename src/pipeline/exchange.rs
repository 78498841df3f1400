//! The crawler's record of one exchange, as the evidence archive wants it.

use pharmwatch_crawler::{CapturedExchange, PageRecord, RecordKind};
use pharmwatch_model::{ExchangePurpose, HttpExchange};

/// The exchange behind a crawler record: request, response and the bytes as received. The
/// body moves out of the record (the archive is its last reader) rather than being copied.
pub fn to_exchange(record: &mut PageRecord) -> HttpExchange {
    HttpExchange {
        purpose: match record.kind {
            RecordKind::Robots => ExchangePurpose::Robots,
            RecordKind::Redirect => ExchangePurpose::Redirect,
            RecordKind::Sitemap => ExchangePurpose::Sitemap,
            RecordKind::Page | RecordKind::RetriedAttempt => ExchangePurpose::Page,
        },
        site: record.site.clone(),
        method: "GET".into(),
        target_uri: record.url.clone(),
        request_headers: record.request_headers.clone(),
        http_version: record
            .http_version
            .clone()
            .unwrap_or_else(|| "HTTP/1.1".into()),
        status: record.status,
        reason: None,
        response_headers: record.response_headers.clone(),
        // Zero-copy when the record holds the only reference, as it does once fetched.
        body: Vec::from(std::mem::take(&mut record.body)),
        truncated: record.truncated,
        started_at: record.fetched_at,
        ip: None,
        error: record
            .error
            .as_ref()
            .map(|e| format!("{}: {}", e.kind.as_str(), e.message)),
    }
}

/// A request a rendered page made (fetched by the crawler for the browser), for the archive.
pub fn captured_exchange(site: &str, captured: CapturedExchange) -> HttpExchange {
    HttpExchange {
        purpose: ExchangePurpose::Page,
        site: site.to_string(),
        method: "GET".into(),
        target_uri: captured.url,
        request_headers: captured.request_headers,
        http_version: captured.http_version.unwrap_or_else(|| "HTTP/1.1".into()),
        status: captured.status,
        reason: None,
        response_headers: captured.response_headers,
        body: Vec::from(captured.body),
        truncated: captured.truncated,
        started_at: captured.fetched_at,
        ip: None,
        error: captured
            .error
            .map(|e| format!("{}: {}", e.kind.as_str(), e.message)),
    }
}

/// The value of a response header (case-insensitive name).
pub fn header<'a>(record: &'a PageRecord, name: &str) -> Option<&'a str> {
    record
        .response_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
