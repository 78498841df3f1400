//! One WARC record in memory and its serialisation.

use serde::{Deserialize, Serialize};

/// The version line every record starts with.
pub(crate) const WARC_VERSION: &str = "WARC/1.1";

/// A WARC record: named header fields in file order, and the block they describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarcRecord {
    /// Header fields, in file order.
    pub headers: Vec<(String, String)>,
    /// The block (for an HTTP response: status line, headers and body as received).
    pub block: Vec<u8>,
}

impl WarcRecord {
    /// The first header of that name (WARC field names are case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `WARC-Type`: warcinfo, request, response, metadata, resource, …
    pub fn record_type(&self) -> Option<&str> {
        self.header("WARC-Type")
    }

    /// `WARC-Record-ID`, e.g. `<urn:uuid:…>`.
    pub fn record_id(&self) -> Option<&str> {
        self.header("WARC-Record-ID")
    }

    /// `WARC-Target-URI`, when the record has one.
    pub fn target_uri(&self) -> Option<&str> {
        self.header("WARC-Target-URI")
    }

    /// True for `application/http` blocks (request and response records).
    pub fn is_http(&self) -> bool {
        self.header("Content-Type").is_some_and(|ct| {
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/http")
        })
    }

    /// The payload: for HTTP records the entity body after the header block, otherwise the
    /// whole block. This is what `WARC-Payload-Digest` covers.
    pub fn payload(&self) -> &[u8] {
        if !self.is_http() {
            return &self.block;
        }
        match find_subslice(&self.block, b"\r\n\r\n") {
            Some(at) => &self.block[at + 4..],
            None => &[],
        }
    }

    /// The record as it is written into a file (before compression).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.block.len() + 512);
        out.extend_from_slice(WARC_VERSION.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }
}

/// A header value safe to put on one line: CR, LF and other controls become spaces.
pub(crate) fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub(crate) fn find_subslice(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A fresh `<urn:uuid:…>` record id (UUID v4 from the OS random source).
pub(crate) fn new_record_id() -> String {
    format!("<urn:uuid:{}>", uuid::Uuid::new_v4())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_of_http_record_is_after_headers() {
        let rec = WarcRecord {
            headers: vec![(
                "Content-Type".into(),
                "application/http;msgtype=response".into(),
            )],
            block: b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody".to_vec(),
        };
        assert_eq!(rec.payload(), b"body");
        assert!(rec.to_bytes().starts_with(b"WARC/1.1\r\nContent-Type: "));
        assert!(rec.to_bytes().ends_with(b"body\r\n\r\n"));
    }

    #[test]
    fn header_values_are_kept_on_one_line() {
        assert_eq!(one_line("a\r\nb\tc"), "a  b c");
        assert_ne!(new_record_id(), new_record_id());
        assert!(new_record_id().starts_with("<urn:uuid:"));
    }
}
