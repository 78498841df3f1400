//! Bytes of a fetched page to valid UTF-8 text.
//!
//! The encoding is chosen the way browsers do (WHATWG "encoding sniffing"), because the
//! pages were written for browsers: a byte-order mark wins, then the HTTP `Content-Type`
//! charset, then a `<meta charset>` / `http-equiv` declaration in the first 4 KiB, then
//! chardetng's detection (given the TLD when known), and finally UTF-8 for pure-ASCII or
//! empty input. Labels are resolved with encoding_rs, so `gbk`/`gb2312` decode as GB18030
//! and `iso-8859-1` as windows-1252, as WHATWG specifies. Malformed bytes become U+FFFD.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// How many leading bytes the `<meta>` prescan reads.
pub const META_PRESCAN_BYTES: usize = 4096;
/// How many bytes the detector is fed at most (detection converges long before this).
pub const DETECTION_BYTES: usize = 256 * 1024;

/// Where the encoding of a page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// The HTTP `Content-Type` header's `charset` parameter.
    Header,
    /// A byte-order mark at the start of the body.
    Bom,
    /// A `<meta charset>` or `<meta http-equiv="Content-Type">` declaration.
    Meta,
    /// Guessed by chardetng from the bytes.
    Detected,
    /// Nothing to go on (empty or pure-ASCII body): UTF-8.
    Default,
}

impl CharsetSource {
    /// Lower-case name, as serialised (`header`, `bom`, `meta`, `detected`, `default`).
    pub fn as_str(self) -> &'static str {
        match self {
            CharsetSource::Header => "header",
            CharsetSource::Bom => "bom",
            CharsetSource::Meta => "meta",
            CharsetSource::Detected => "detected",
            CharsetSource::Default => "default",
        }
    }
}

impl std::fmt::Display for CharsetSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A page decoded to UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The page text, always valid UTF-8 (malformed input replaced by U+FFFD).
    pub text: String,
    /// encoding_rs name of the encoding used, e.g. `"GBK"`, `"Shift_JIS"`, `"UTF-8"`.
    pub encoding: &'static str,
    /// Where the encoding came from.
    pub source: CharsetSource,
    /// True when some bytes were malformed in that encoding and replaced.
    pub had_errors: bool,
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_:.+\-]{1,40})"#)
        .unwrap_or_else(|e| unreachable!("meta charset regex: {e}"))
});

/// Decodes `bytes` to UTF-8. `content_type` is the HTTP header value if any; `tld` the
/// page's top-level domain (`"cn"`, `".jp"` or a whole host) to help detection.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>, tld: Option<&str>) -> Decoded {
    let (encoding, source, bom_len) = sniff(bytes, content_type, tld);
    let body = &bytes[bom_len..];
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        source,
        had_errors,
    }
}

/// Chooses the encoding: (encoding, where it came from, BOM length to skip).
pub fn sniff(
    bytes: &[u8],
    content_type: Option<&str>,
    tld: Option<&str>,
) -> (&'static Encoding, CharsetSource, usize) {
    if let Some((enc, len)) = Encoding::for_bom(bytes) {
        return (enc, CharsetSource::Bom, len);
    }
    if let Some(enc) = content_type.and_then(charset_from_content_type) {
        return (enc, CharsetSource::Header, 0);
    }
    if let Some(enc) = meta_prescan(bytes) {
        return (enc, CharsetSource::Meta, 0);
    }
    if bytes.is_ascii() {
        return (UTF_8, CharsetSource::Default, 0);
    }
    (detect(bytes, tld), CharsetSource::Detected, 0)
}

/// The encoding named by the `charset` parameter of a `Content-Type` value.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let label = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        Encoding::for_label(label.as_bytes())
    })
}

/// The encoding declared by a `<meta>` in the first [`META_PRESCAN_BYTES`] bytes. Per
/// WHATWG, a declared UTF-16 means UTF-8 (the bytes are evidently ASCII-compatible) and
/// x-user-defined means windows-1252.
pub fn meta_prescan(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    let caps = META_CHARSET.captures(head)?;
    let enc = Encoding::for_label(caps.get(1)?.as_bytes())?;
    Some(if enc == UTF_16BE || enc == UTF_16LE {
        UTF_8
    } else if enc == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        enc
    })
}

/// chardetng's guess, with the TLD (last label of a host, lower case) as a hint.
fn detect(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    let whole = bytes.len() <= DETECTION_BYTES;
    detector.feed(&bytes[..bytes.len().min(DETECTION_BYTES)], whole);
    let tld = tld.map(|t| {
        t.trim()
            .trim_end_matches('.')
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    });
    let tld = tld.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()));
    detector.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Allow)
}
