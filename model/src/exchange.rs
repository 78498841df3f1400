use serde::{Deserialize, Serialize};

use crate::Timestamp;

/// Why an HTTP exchange happened; recorded with the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangePurpose {
    /// A page of a site (listing, category, start page).
    Page,
    /// The site's robots.txt.
    Robots,
    /// A sitemap the robots.txt or the site named.
    Sitemap,
    /// A 3xx answer on the way to a page.
    Redirect,
}

/// Why a body was cut short: the values of WARC/1.1's `WARC-Truncated` field (§5.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truncation {
    /// The crawler's size cap (`max_body_bytes`, raw or decoded).
    Length,
    /// The total timeout ran out while the body was arriving.
    Time,
    /// The connection was reset or failed while the body was arriving.
    Disconnect,
    /// Reading stopped for another reason (a body that cannot be decoded).
    Unspecified,
}

impl Truncation {
    /// The `WARC-Truncated` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Truncation::Length => "length",
            Truncation::Time => "time",
            Truncation::Disconnect => "disconnect",
            Truncation::Unspecified => "unspecified",
        }
    }
}

/// One HTTP request and what came back, exactly as sent and received: the unit of evidence.
///
/// `body` holds the bytes as they came off the wire (before any content decoding such as
/// gzip); when they are fewer than the server sent, `truncated` says why. When no response arrived
/// (connect error, timeout), `status` is `None` and `error` says what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpExchange {
    /// Why the request was made.
    pub purpose: ExchangePurpose,
    /// Name of the configured site the request was made for.
    pub site: String,
    /// Request method (`GET`).
    pub method: String,
    /// The URL requested (for a redirect hop, the hop's own URL).
    pub target_uri: String,
    /// Request headers as sent, in order.
    pub request_headers: Vec<(String, String)>,
    /// HTTP version of the response, e.g. `HTTP/1.1`.
    pub http_version: String,
    /// Response status; `None` when no response arrived.
    pub status: Option<u16>,
    /// Reason phrase of the status line, when the server sent one.
    pub reason: Option<String>,
    /// Response headers as received, in order.
    pub response_headers: Vec<(String, String)>,
    #[serde(with = "serde_bytes_as_hex")]
    /// The body as it came off the wire (still content-encoded), hex in JSON.
    pub body: Vec<u8>,
    /// Why `body` is shorter than what the server sent, if it is (`WARC-Truncated`).
    #[serde(default)]
    pub truncated: Option<Truncation>,
    #[serde(with = "crate::timestamp")]
    /// When the request was sent.
    pub started_at: Timestamp,
    /// Remote IP address when known.
    pub ip: Option<String>,
    /// What went wrong when no (whole) response arrived.
    pub error: Option<String>,
}

/// Bodies are binary; JSON carries them as lower-case hex to stay dependency-free.
mod serde_bytes_as_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

/// A page's validators from its last successful fetch, for a conditional request: the
/// crawler sends them, the state store remembers them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The `ETag`, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// The `Last-Modified` (an HTTP date, as the server sent it), sent as
    /// `If-Modified-Since`.
    pub last_modified: Option<String>,
}
