//! One HTTP exchange: request, streamed body under a cap, our own decompression.
//!
//! Redirects, retries and politeness are decided by the crawl loop, one exchange at a
//! time, so every hop is scope-checked, scheduled and recorded.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use pharmwatch_model::{Timestamp, Truncation};
use reqwest::header::{HeaderMap, HeaderValue};
use tokio::time::{Instant, timeout_at};
use url::Url;

use crate::decompress::{BodyDecoder, Coding, DecodeError};
use crate::known::Validators;
use crate::{CrawlError, CrawlSettings, FetchError, FetchErrorKind};

/// Limits of one exchange.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub user_agent: String,
    pub total: Duration,
    pub max_body: u64,
}

/// The outcome of one exchange, successful or not.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub status: Option<u16>,
    /// When the request was sent.
    pub fetched_at: Timestamp,
    pub remote_addr: Option<String>,
    pub http_version: Option<String>,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// Bytes as received on the wire.
    pub raw: Bytes,
    /// Bytes after Content-Encoding decoding (the same as `raw` for identity).
    pub decoded: Bytes,
    /// Why `raw` is shorter than what the server sent, if it is.
    pub truncated: Option<Truncation>,
    pub error: Option<FetchError>,
}

impl Exchange {
    /// An exchange that never happened, failed for `error`.
    pub(crate) fn failed(error: FetchError, request_headers: Vec<(String, String)>) -> Exchange {
        Exchange {
            status: None,
            fetched_at: Timestamp::now_utc(),
            remote_addr: None,
            http_version: None,
            request_headers,
            response_headers: Vec::new(),
            headers: HeaderMap::new(),
            raw: Bytes::new(),
            decoded: Bytes::new(),
            truncated: None,
            error: Some(error),
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn content_type(&self) -> Option<String> {
        self.header("content-type").map(str::to_string)
    }

    /// `Retry-After` as a wait from now: delta seconds or an HTTP date.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(self.header("retry-after")?, SystemTime::now())
    }
}

/// Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn error(kind: FetchErrorKind, message: impl Into<String>) -> Option<FetchError> {
    Some(FetchError {
        kind,
        message: message.into(),
    })
}

fn classify(e: &reqwest::Error) -> FetchErrorKind {
    if e.is_timeout() {
        FetchErrorKind::Timeout
    } else if e.is_connect() {
        FetchErrorKind::Connect
    } else {
        FetchErrorKind::Network
    }
}

/// Full error chain text: reqwest's top-level message alone rarely says what happened.
pub fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Builds a client: our redirect handling, timeouts, no environment proxies unless the
/// site names one.
pub(crate) fn build_client(
    settings: &CrawlSettings,
    proxy: Option<&str>,
) -> Result<reqwest::Client, CrawlError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .timeout(settings.timeout())
        .pool_max_idle_per_host(settings.per_host_concurrency)
        .pool_idle_timeout(Duration::from_secs(30));
    builder = match proxy {
        Some(p) => builder.proxy(
            reqwest::Proxy::all(p).map_err(|e| CrawlError::Client(format!("proxy {p}: {e}")))?,
        ),
        None => builder.no_proxy(),
    };
    builder
        .build()
        .map_err(|e| CrawlError::Client(describe(&e)))
}

fn request_headers(limits: &Limits, validators: Option<&Validators>) -> Vec<(String, String)> {
    let mut h = vec![
        ("User-Agent".to_string(), limits.user_agent.clone()),
        (
            "Accept".to_string(),
            "text/html,application/xhtml+xml;q=0.9,application/json;q=0.5,*/*;q=0.1".to_string(),
        ),
        ("Accept-Encoding".to_string(), "gzip, deflate".to_string()),
    ];
    if let Some(v) = validators {
        if let Some(etag) = &v.etag {
            h.push(("If-None-Match".to_string(), etag.clone()));
        }
        if let Some(lm) = &v.last_modified {
            h.push(("If-Modified-Since".to_string(), lm.clone()));
        }
    }
    h
}

/// Performs one GET. Never fails as a function: failures are in [`Exchange::error`],
/// with whatever bytes arrived before them.
///
/// `on_head` is called as soon as the response head has arrived (the politeness gate
/// spaces the host's next request from then).
pub(crate) async fn exchange(
    client: &reqwest::Client,
    url: &Url,
    limits: &Limits,
    validators: Option<&Validators>,
    on_head: impl FnOnce(),
) -> Exchange {
    let deadline = Instant::now() + limits.total;
    let request_headers = request_headers(limits, validators);
    let mut req = client.get(url.clone());
    for (k, v) in &request_headers {
        if let Ok(value) = HeaderValue::from_str(v) {
            req = req.header(k.as_str(), value);
        }
    }
    let mut ex = Exchange::failed(
        FetchError {
            kind: FetchErrorKind::Network,
            message: String::new(),
        },
        request_headers,
    );
    ex.error = None;
    let response = match timeout_at(deadline, req.send()).await {
        Ok(Ok(r)) => {
            on_head();
            r
        }
        Ok(Err(e)) => {
            ex.error = error(classify(&e), describe(&e));
            return ex;
        }
        Err(_) => {
            ex.error = error(
                FetchErrorKind::Timeout,
                "no response head before the total timeout",
            );
            return ex;
        }
    };
    ex.remote_addr = response.remote_addr().map(|a| a.to_string());
    ex.status = Some(response.status().as_u16());
    ex.http_version = Some(format!("{:?}", response.version()));
    ex.response_headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    ex.headers = response.headers().clone();
    read_body(response, deadline, limits.max_body, &mut ex).await;
    ex
}

/// Streams the body into `ex.raw`, decoding on the fly, stopping at the caps or deadline.
async fn read_body(
    mut response: reqwest::Response,
    deadline: Instant,
    cap: u64,
    ex: &mut Exchange,
) {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let coding = match Coding::parse(ex.header("content-encoding")) {
        Ok(c) => Some(c),
        Err(other) => {
            ex.error = error(
                FetchErrorKind::UnsupportedEncoding,
                format!("Content-Encoding `{other}` was not asked for"),
            );
            None
        }
    };
    let mut decoder = coding.as_ref().and_then(|c| BodyDecoder::new(c, cap));
    let mut raw: Vec<u8> = Vec::new();
    loop {
        // Every way out of this loop before the end of the body sets `truncated`: the
        // archive must say when the bytes it holds are not all the server sent.
        let chunk = match timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(c))) => c,
            Ok(Ok(None)) => break,
            Ok(Err(e)) => {
                ex.error = error(classify(&e), format!("reading body: {}", describe(&e)));
                ex.truncated = Some(if e.is_timeout() {
                    Truncation::Time
                } else {
                    Truncation::Disconnect
                });
                break;
            }
            Err(_) => {
                ex.error = error(
                    FetchErrorKind::Timeout,
                    format!(
                        "total timeout while reading body ({} bytes received)",
                        raw.len()
                    ),
                );
                ex.truncated = Some(Truncation::Time);
                break;
            }
        };
        let room = cap.saturating_sub(raw.len());
        let take = chunk.len().min(room);
        raw.extend_from_slice(&chunk[..take]);
        if let Some(d) = decoder.as_mut()
            && let Err(e) = d.push(&chunk[..take])
        {
            ex.truncated = Some(match e {
                DecodeError::TooLarge => Truncation::Length,
                // Reading stops at a body that cannot be decoded: the rest is not fetched.
                DecodeError::Corrupt(_) => Truncation::Unspecified,
            });
            ex.error = Some(decode_error(e, cap));
            break;
        }
        if take < chunk.len() {
            ex.truncated = Some(Truncation::Length);
            ex.error = error(
                FetchErrorKind::BodyTooLarge,
                format!("body over max_body_bytes ({cap}); first {cap} bytes kept"),
            );
            break;
        }
    }
    let raw = Bytes::from(raw);
    ex.decoded = match decoder {
        None if coding.is_some() => raw.clone(),
        None => Bytes::new(),
        Some(d) if ex.error.is_some() => Bytes::from(d.into_decoded()),
        Some(d) => {
            let (out, err) = d.finish();
            if let Some(e) = err {
                ex.error = Some(decode_error(e, cap));
            }
            Bytes::from(out)
        }
    };
    ex.raw = raw;
}

fn decode_error(e: DecodeError, cap: usize) -> FetchError {
    match e {
        DecodeError::TooLarge => FetchError {
            kind: FetchErrorKind::BodyTooLarge,
            message: format!("decompressed body over max_body_bytes ({cap}); stopped"),
        },
        DecodeError::Corrupt(m) => FetchError {
            kind: FetchErrorKind::Decompression,
            message: m,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
