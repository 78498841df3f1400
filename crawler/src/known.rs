//! What the crawler may know of a URL from earlier runs: the validators of its last fetch,
//! and the archived copy they vouch for.
//!
//! A 304 (Not Modified) answers "the copy you have is current". The crawler then treats
//! the archived copy as the page: its listings are the page's listings and its links are
//! followed, exactly as for a fresh 200. Without that, a re-crawl of an unchanged site
//! stops at its first page and every listing behind it looks gone.
//!
//! The crawler does not read the archive itself (the evidence archive is downstream of it):
//! the caller implements [`KnownPages`], as the pipeline does over its state store.

use std::collections::HashMap;

pub use pharmwatch_model::Validators;

/// The response an earlier run archived for a URL, as received on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedPage {
    /// Its `Content-Type` header.
    pub content_type: Option<String>,
    /// Its `Content-Encoding` header (the body below is still encoded).
    pub content_encoding: Option<String>,
    /// The body as received.
    pub body: Vec<u8>,
    /// SHA-256 (hex) of `body`: the digest listings extracted from it point at.
    pub sha256: String,
}

/// Where the crawler finds what earlier runs fetched (the state store implements this).
pub trait KnownPages: Send + Sync {
    /// Validators for the normalised URL, if it was fetched before.
    fn validators(&self, url: &str) -> Option<Validators>;

    /// The archived copy the validators of `url` came from, read when the server answers
    /// 304. `None` (no copy, or it cannot be read) makes the crawler ask again without
    /// validators, so a page is never taken as unchanged without its content.
    fn archived(&self, url: &str) -> Option<ArchivedPage>;
}

/// Validators without archived copies: every 304 is followed by an unconditional request.
impl KnownPages for HashMap<String, Validators> {
    fn validators(&self, url: &str) -> Option<Validators> {
        self.get(url).cloned()
    }

    fn archived(&self, _url: &str) -> Option<ArchivedPage> {
        None
    }
}

/// Validators with the copies they vouch for.
impl KnownPages for HashMap<String, (Validators, ArchivedPage)> {
    fn validators(&self, url: &str) -> Option<Validators> {
        self.get(url).map(|(v, _)| v.clone())
    }

    fn archived(&self, url: &str) -> Option<ArchivedPage> {
        self.get(url).map(|(_, a)| a.clone())
    }
}
