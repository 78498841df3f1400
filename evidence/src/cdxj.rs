//! CDXJ index lines for a `.warc.gz` file, the index web-archive players (ReplayWeb.page,
//! pywb) look records up by, as WACZ packages carry it (`indexes/index.cdxj`).
//!
//! A line is `<SURT key> <14-digit timestamp> <JSON>`, the JSON giving `url`, `mime`,
//! `status`, `digest`, `length`, `offset` and `filename` as `cdxj-indexer` (pywb's indexer)
//! writes them: numbers as strings, `digest` the record's `WARC-Payload-Digest` as archived.
//! Lines sort byte-wise, so a player can binary-search them.
//!
//! Keys are SURTs as `cdxj-indexer` computes them (the index py-wacz puts in a WACZ), which
//! `tests/wacz.rs` checks against it.
//!
//! Only what a player serves is indexed: `response`, `revisit` and `resource` records. A
//! `resource` record's target is a `urn:` name (`urn:view:URL` for a screenshot, as
//! Browsertrix names them), kept as the key unchanged, as players do for non-HTTP URIs.

use std::path::Path;

use crate::{EvidenceError, WarcReader, WarcRecord, http_response_parts};

/// One line of a CDXJ index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CdxjLine {
    /// SURT form of the target URI (the URI itself when it is not http(s)).
    pub key: String,
    /// `WARC-Date` as 14 digits (`YYYYMMDDhhmmss`).
    pub timestamp: String,
    /// `WARC-Target-URI`.
    pub url: String,
    /// `WARC-Type` of the record.
    pub record_type: String,
    /// Media type without parameters; `warc/revisit` for a revisit.
    pub mime: String,
    /// HTTP status, for response and revisit records.
    pub status: Option<u16>,
    /// `WARC-Payload-Digest` as archived.
    pub digest: Option<String>,
    /// Offset of the record's gzip member in the file.
    pub offset: u64,
    /// Length of the member.
    pub length: u64,
    /// The WARC file's name (as the index refers to it).
    pub filename: String,
}

impl CdxjLine {
    /// The line as written into the index (no line break).
    pub fn to_line(&self) -> String {
        let mut fields = serde_json::Map::new();
        let mut put = |k: &str, v: String| {
            fields.insert(k.to_string(), serde_json::Value::String(v));
        };
        put("url", self.url.clone());
        put("mime", self.mime.clone());
        if let Some(status) = self.status {
            put("status", status.to_string());
        }
        if let Some(digest) = &self.digest {
            put("digest", digest.clone());
        }
        put("length", self.length.to_string());
        put("offset", self.offset.to_string());
        put("filename", self.filename.clone());
        format!(
            "{} {} {}",
            self.key,
            self.timestamp,
            serde_json::Value::Object(fields)
        )
    }
}

/// Index lines of every `response`, `revisit` and `resource` record of `path`, sorted as the
/// index is written; `filename` is the name the index gives the file.
pub fn index_file(path: &Path, filename: &str) -> Result<Vec<CdxjLine>, EvidenceError> {
    let mut lines = Vec::new();
    for at in WarcReader::open(path)? {
        let at = at?;
        if let Some(line) = line_for(&at.record, at.offset, at.length, filename) {
            lines.push(line);
        }
    }
    lines.sort();
    Ok(lines)
}

fn line_for(rec: &WarcRecord, offset: u64, length: u64, filename: &str) -> Option<CdxjLine> {
    let record_type = rec.record_type()?;
    if !matches!(record_type, "response" | "revisit" | "resource") {
        return None;
    }
    let url = rec.target_uri()?.to_string();
    let (mime, status) = match record_type {
        "response" => match http_response_parts(rec) {
            Ok(parts) => (media_type(parts.header("Content-Type")), Some(parts.status)),
            Err(_) => (media_type(rec.header("Content-Type")), None),
        },
        "revisit" => ("warc/revisit".to_string(), revisit_status(rec)),
        _ => (media_type(rec.header("Content-Type")), None),
    };
    Some(CdxjLine {
        key: surt(&url),
        timestamp: timestamp14(rec.header("WARC-Date").unwrap_or_default()),
        url,
        record_type: record_type.to_string(),
        mime,
        status,
        digest: rec.header("WARC-Payload-Digest").map(str::to_string),
        offset,
        length,
        filename: filename.to_string(),
    })
}

/// `text/html; charset=utf-8` → `text/html`; `unk` when absent, as cdxj-indexer writes it.
fn media_type(content_type: Option<&str>) -> String {
    let media = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media.is_empty() {
        "unk".into()
    } else {
        media
    }
}

/// The status on a revisit's status line (`HTTP/1.1 304 Not Modified`).
fn revisit_status(rec: &WarcRecord) -> Option<u16> {
    let line = rec.block.split(|b| *b == b'\r' || *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    line.split(' ').nth(1)?.parse().ok()
}

/// `2026-11-23T10:15:02.123456Z` → `20261123101502`.
pub fn timestamp14(warc_date: &str) -> String {
    let digits: String = warc_date
        .chars()
        .take(19)
        .filter(char::is_ascii_digit)
        .collect();
    format!("{digits:0<14}")
}

/// The SURT form of a URL as pywb's and py-wacz's indexer (`cdxj-indexer`) writes it: a
/// leading `www.` (or `www2.` …) dropped, host labels reversed and joined by commas, the port
/// when not the scheme's default, `)`, the path and the query percent-decoded (then only
/// spaces, controls, non-ASCII, `#` and `%` escaped again), the query's parameters sorted, all
/// lower-cased. URIs that are not http(s) (`urn:view:…`) are returned as they are.
pub fn surt(uri: &str) -> String {
    let lower = uri.to_ascii_lowercase();
    if !(lower.starts_with("http:") || lower.starts_with("https:")) {
        return uri.to_string();
    }
    let Ok(parsed) = url::Url::parse(uri) else {
        return uri.to_string();
    };
    let Some(host) = parsed.host_str() else {
        return uri.to_string();
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = strip_www(host).to_ascii_lowercase();
    let mut out: String = host.split('.').rev().collect::<Vec<_>>().join(",");
    if let Some(port) = parsed.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    out.push(')');
    out.push_str(&minimal_escape(&unescape(parsed.path())));
    if let Some(query) = parsed.query().filter(|q| !q.is_empty()) {
        let query = minimal_escape(&unescape(query));
        let mut params: Vec<&str> = query.split('&').collect();
        params.sort_unstable();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out.to_lowercase()
}

/// Percent-decoding repeated until nothing changes (`%252F` → `%2F` → `/`).
fn unescape(text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    loop {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if bytes[i] == b'%'
                && let (Some(h), Some(l)) = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                )
            {
                out.push((h * 16 + l) as u8);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        if out == bytes {
            return out;
        }
        bytes = out;
    }
}

/// Escapes what cannot stand in a key: bytes up to space, from DEL up, `#` and `%`.
fn minimal_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b <= 0x20 || b >= 0x7f || b == b'#' || b == b'%' {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// `www.`, `www2.`, … at the start of a host (not a host that is only `www`).
fn strip_www(host: &str) -> &str {
    let Some(rest) = host.strip_prefix("www") else {
        return host;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[digits..].strip_prefix('.') {
        Some(after) if !after.is_empty() => after,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_keys_are_what_players_look_up() {
        assert_eq!(
            surt("http://127.0.0.1:8080/a/B?z=1&a=2"),
            "1,0,0,127:8080)/a/b?a=2&z=1"
        );
        assert_eq!(
            surt("https://www.Example.com/x?b=&a=1"),
            "com,example)/x?a=1&b="
        );
        assert_eq!(surt("http://example.com:80/"), "com,example)/");
        assert_eq!(surt("https://www3.shop.example/p"), "example,shop)/p");
        assert_eq!(surt("http://www/p"), "www)/p");
        assert_eq!(
            surt("urn:view:http://127.0.0.1/p"),
            "urn:view:http://127.0.0.1/p"
        );
        assert_eq!(surt("http://[::1]:9/"), "::1:9)/");
        // As cdxj-indexer writes them: percent-escapes decoded, then only what must be
        // escaped escaped again.
        assert_eq!(
            surt("http://127.0.0.1:1/api/page.json?path=%2Fproduct%2F1.html"),
            "1,0,0,127:1)/api/page.json?path=/product/1.html"
        );
        assert_eq!(surt("http://a.test/A%2Fb?x=%7E"), "test,a)/a/b?x=~");
        assert_eq!(surt("http://a.test/a%2520b"), "test,a)/a%20b");
        assert_eq!(surt("http://a.test/caf%C3%A9"), "test,a)/caf%c3%a9");
    }

    #[test]
    fn timestamps_are_fourteen_digits() {
        assert_eq!(timestamp14("2026-11-23T10:15:02.123456Z"), "20261123101502");
        assert_eq!(timestamp14("2026-11-23T10:15:02Z"), "20261123101502");
        assert_eq!(timestamp14(""), "00000000000000");
    }

    #[test]
    fn a_line_escapes_its_url_and_gives_numbers_as_strings() {
        let line = CdxjLine {
            key: "test,a)/\"x".into(),
            timestamp: "20261123101502".into(),
            url: "http://a.test/\"x".into(),
            record_type: "response".into(),
            mime: "text/html".into(),
            status: Some(200),
            digest: Some("sha256:AAAA".into()),
            offset: 10,
            length: 20,
            filename: "f.warc.gz".into(),
        };
        let text = line.to_line();
        let (head, json) = text.split_at(text.find('{').unwrap());
        assert_eq!(head, "test,a)/\"x 20261123101502 ");
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["url"], "http://a.test/\"x");
        assert_eq!(v["status"], "200");
        assert_eq!(v["offset"], "10");
        assert_eq!(v["length"], "20");
    }
}
