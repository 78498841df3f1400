use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`: the digest used for evidence and ids.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Stable identifier of a listing across runs.
///
/// Derived from the canonical URL of the page the listing was found on and its position on
/// that page, so the same offer seen in two runs gets the same id and re-indexing replaces it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ListingId(String);

impl ListingId {
    /// The id of the `index`-th listing on the page at `canonical_url`.
    pub fn derive(canonical_url: &str, index: usize) -> Self {
        let digest = sha256_hex(format!("{canonical_url}#{index}").as_bytes());
        ListingId(digest[..20].to_string())
    }

    /// Wraps an id read back from storage.
    pub fn from_stored(id: impl Into<String>) -> Self {
        ListingId(id.into())
    }

    /// The id as stored and shown (lower-case hex).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ListingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = ListingId::derive("http://shop.example/p/1", 0);
        assert_eq!(a, ListingId::derive("http://shop.example/p/1", 0));
        assert_ne!(a, ListingId::derive("http://shop.example/p/1", 1));
        assert_ne!(a, ListingId::derive("http://shop.example/p/2", 0));
        assert_eq!(a.as_str().len(), 20);
    }
}
