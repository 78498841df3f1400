//! WARC digests: `sha256:` + upper-case RFC 4648 base32 with padding.
//!
//! Base32 is the convention of Heritrix and warcio (warcio compares digests in base32 and
//! converts hex or base64 values before comparing), so `warcio check` validates ours.

use data_encoding::{BASE32, BASE32_NOPAD, HEXLOWER_PERMISSIVE};
use sha2::{Digest, Sha256};

use crate::EvidenceError;

const ALGORITHM: &str = "sha256";

/// The WARC digest of `bytes`: `sha256:` + base32 of the SHA-256.
pub fn warc_digest(bytes: &[u8]) -> String {
    format_digest(&Sha256::digest(bytes))
}

pub(crate) fn format_digest(raw: &[u8]) -> String {
    format!("{ALGORITHM}:{}", BASE32.encode(raw))
}

/// Decodes a `sha256:` digest written in base32 (padded or not) or hex.
fn parse_sha256(digest: &str) -> Result<Vec<u8>, EvidenceError> {
    let bad = || EvidenceError::BadDigest(digest.to_string());
    let (algo, value) = digest.trim().split_once(':').ok_or_else(bad)?;
    if !algo.eq_ignore_ascii_case(ALGORITHM) {
        return Err(bad());
    }
    let value = value.trim().as_bytes();
    let raw = if value.len() == 64 {
        HEXLOWER_PERMISSIVE.decode(value).map_err(|_| bad())?
    } else {
        let upper = value.to_ascii_uppercase();
        BASE32
            .decode(&upper)
            .or_else(|_| BASE32_NOPAD.decode(&upper))
            .map_err(|_| bad())?
    };
    if raw.len() == 32 { Ok(raw) } else { Err(bad()) }
}

/// True when `expected` (a WARC digest header value) is the SHA-256 of `bytes`.
pub fn digest_matches(expected: &str, bytes: &[u8]) -> Result<bool, EvidenceError> {
    Ok(parse_sha256(expected)? == Sha256::digest(bytes).as_slice())
}

/// The lower-case hex form of a WARC `sha256:` digest (what `sha256sum` and
/// `Listing::evidence_digest` use), or `None` when it is not a readable SHA-256 digest.
pub fn warc_digest_to_hex(digest: &str) -> Option<String> {
    parse_sha256(digest).ok().map(hex::encode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_padded_upper_base32_of_sha256() {
        // sha256("") = e3b0c442...; base32 as Python's base64.b32encode prints it.
        let d = warc_digest(b"");
        assert_eq!(
            d,
            "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ===="
        );
        assert!(digest_matches(&d, b"").unwrap());
        assert!(!digest_matches(&d, b"x").unwrap());
    }

    #[test]
    fn hex_and_unpadded_forms_are_accepted() {
        let hex = format!("sha256:{}", pharmwatch_model::sha256_hex(b"abc"));
        assert!(digest_matches(&hex, b"abc").unwrap());
        let b32 = warc_digest(b"abc");
        assert!(digest_matches(b32.trim_end_matches('='), b"abc").unwrap());
        assert_eq!(
            warc_digest_to_hex(&b32).unwrap(),
            pharmwatch_model::sha256_hex(b"abc")
        );
    }

    #[test]
    fn other_algorithms_and_garbage_are_errors() {
        assert!(digest_matches("sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ", b"abc").is_err());
        assert!(digest_matches("sha256:not-a-digest", b"abc").is_err());
        assert!(digest_matches("nocolon", b"abc").is_err());
    }
}
