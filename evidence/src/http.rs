//! HTTP message blocks: rebuilding them from an [`HttpExchange`] and reading them back.

use pharmwatch_model::HttpExchange;

use crate::record::{find_subslice, one_line};
use crate::{EvidenceError, WarcRecord};

/// The header a received `Transfer-Encoding` is archived under: the body we hold is already
/// de-chunked, and readers must not de-chunk it again (Common Crawl's convention).
pub(crate) const RENAMED_TRANSFER_ENCODING: &str = "X-Crawler-Transfer-Encoding";

/// Status-line version and, for HTTP/2 and HTTP/3, the `WARC-Protocol` value.
///
/// WARC readers parse HTTP/1.x messages; HTTP/2 has no status line, so archiving crawlers
/// write `HTTP/1.1` and name the real protocol in `WARC-Protocol`.
pub(crate) fn wire_version(http_version: &str) -> (&'static str, Option<&'static str>) {
    let v = http_version.trim().to_ascii_uppercase();
    match v.as_str() {
        "HTTP/1.0" => ("HTTP/1.0", None),
        "HTTP/2" | "HTTP/2.0" => ("HTTP/1.1", Some("h2")),
        "HTTP/3" | "HTTP/3.0" => ("HTTP/1.1", Some("h3")),
        _ => ("HTTP/1.1", None),
    }
}

/// The request as it went out: request line, headers as sent (plus `Host` when the
/// client added it itself), blank line. Crawler requests carry no body.
pub(crate) fn request_block(ex: &HttpExchange) -> Vec<u8> {
    let parsed = url::Url::parse(&ex.target_uri).ok();
    let target = match &parsed {
        Some(u) => match u.query() {
            Some(q) => format!("{}?{}", u.path(), q),
            None => u.path().to_string(),
        },
        None => ex.target_uri.clone(),
    };
    let (version, _) = wire_version(&ex.http_version);
    let mut out = format!(
        "{} {} {}\r\n",
        one_line(&ex.method),
        one_line(&target),
        version
    );
    let has_host = ex
        .request_headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("host"));
    if !has_host && let Some(host) = parsed.as_ref().and_then(host_header) {
        push_header(&mut out, "Host", &host);
    }
    for (k, v) in &ex.request_headers {
        push_header(&mut out, k, v);
    }
    out.push_str("\r\n");
    out.into_bytes()
}

fn host_header(u: &url::Url) -> Option<String> {
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

/// The response as received: status line, headers, blank line, body bytes as received.
pub(crate) fn response_block(ex: &HttpExchange, status: u16) -> Vec<u8> {
    let (version, _) = wire_version(&ex.http_version);
    let reason = ex
        .reason
        .clone()
        .unwrap_or_else(|| canonical_reason(status).to_string());
    let mut head = format!("{version} {status} {}\r\n", one_line(&reason));
    for (k, v) in &ex.response_headers {
        let name = if k.eq_ignore_ascii_case("transfer-encoding") {
            RENAMED_TRANSFER_ENCODING
        } else {
            k.as_str()
        };
        push_header(&mut head, name, v);
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&ex.body);
    out
}

/// True when the archived headers differ from the received ones by the renaming above.
pub(crate) fn transfer_encoding_renamed(ex: &HttpExchange) -> bool {
    ex.response_headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
}

fn push_header(out: &mut String, name: &str, value: &str) {
    out.push_str(&one_line(name));
    out.push_str(": ");
    out.push_str(&one_line(value));
    out.push_str("\r\n");
}

fn canonical_reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// An HTTP response read back from a `response` record; `body` borrows the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponseParts<'a> {
    /// Status-line version, e.g. `HTTP/1.1`.
    pub version: String,
    /// Response status code.
    pub status: u16,
    /// Reason phrase of the status line.
    pub reason: String,
    /// Headers as archived (see the crate docs for the one renaming).
    pub headers: Vec<(String, String)>,
    /// The entity body as received (still content-encoded when the server encoded it).
    pub body: &'a [u8],
}

impl HttpResponseParts<'_> {
    /// The first header of that name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits a `response` record's block into status, headers and body.
pub fn http_response_parts(rec: &WarcRecord) -> Result<HttpResponseParts<'_>, EvidenceError> {
    let not_http = |why: &str| EvidenceError::NotHttpResponse(why.to_string());
    if rec.record_type() != Some("response") || !rec.is_http() {
        return Err(not_http(
            "record is not WARC-Type response with application/http",
        ));
    }
    let end =
        find_subslice(&rec.block, b"\r\n\r\n").ok_or_else(|| not_http("no end of headers"))?;
    let head =
        std::str::from_utf8(&rec.block[..end]).map_err(|_| not_http("header block is not text"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_string();
    let status = parts
        .next()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| not_http("bad status line"))?;
    let reason = parts.next().unwrap_or_default().to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| not_http("bad header line"))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(HttpResponseParts {
        version,
        status,
        reason,
        headers,
        body: &rec.block[end + 4..],
    })
}
