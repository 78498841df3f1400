//! Tamper-evident evidence archive: every HTTP exchange as WARC/1.1 records.
//!
//! Files are `pharmwatch-<run>-<utc timestamp>-<seq>.warc.gz` in one evidence directory.
//! Each record is its own gzip member, so a record can be read back from its offset alone
//! (what `.warc.gz` readers such as warcio, pywb and Heritrix expect), and each file starts
//! with a `warcinfo` record saying which tool, operator, configuration and run wrote it.
//!
//! Every record carries `WARC-Block-Digest` (and, for HTTP records, `WARC-Payload-Digest`)
//! as `sha256:` + upper-case RFC 4648 base32 with padding, the encoding warcio itself
//! produces. When a file is closed (rotation, `close`, drop) its SHA-256 is written to a
//! `<file>.sha256` sidecar in `sha256sum` format, so a later edit that recomputes the
//! in-file digests is still caught by [`verify`].
//!
//! What is recorded for each kind of exchange:
//! - a response (any status, including 3xx hops of a redirect chain, robots.txt, 404):
//!   a `request` record and a `response` record linked by `WARC-Concurrent-To`; the response
//!   block is the status line, the headers as received and the body as received (still
//!   content-encoded). The HTTP client removes chunked transfer coding, so a received
//!   `Transfer-Encoding` header is archived as `X-Crawler-Transfer-Encoding` (the Common
//!   Crawl convention) and readers do not try to de-chunk a de-chunked body. A body cut at
//!   the crawler's cap gets `WARC-Truncated: length`. HTTP/2 and HTTP/3 responses are written
//!   with an `HTTP/1.1` status line and the real protocol in `WARC-Protocol`.
//! - no response (connect error, timeout): archiving crawlers (Heritrix, wget, warcprox,
//!   browsertrix) write no request/response pair for these and only log them; we keep that
//!   (no request record claims bytes that may never have been sent) but add a `metadata`
//!   record (`application/warc-fields`, as Heritrix's metadata records) with the error, so
//!   the attempt is part of the evidence.
//! - decisions (robots override, extraction profile, truncation): `metadata` records via
//!   [`WarcWriter::write_metadata`].
//!
//! Case exports copy records out unchanged (gzip members byte for byte, so their digests
//! still verify) with [`exchange_records`] and [`RawWarcWriter`].

mod copy;
mod digest;
mod error;
mod http;
mod reader;
mod record;
mod verify;
mod writer;

pub use copy::{
    RawRecord, RawWarcWriter, ResponseKey, exchange_records, find_responses, raw_record_at,
};
pub use digest::{digest_matches, warc_digest, warc_digest_to_hex};
pub use error::EvidenceError;
pub use http::{HttpResponseParts, http_response_parts};
pub use reader::{
    DEFAULT_MAX_BLOCK_BYTES, RecordAt, WarcReader, read_location, read_record_at, warc_files,
};
pub use record::WarcRecord;
pub use verify::{Mismatch, VerifyReport, verify, verify_file, verify_location};
pub use writer::{DEFAULT_ROTATE_BYTES, RecordLocation, WarcInfo, WarcWriter};
