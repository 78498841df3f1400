//! Tamper-evident evidence archive: every HTTP exchange as WARC/1.1 records.
//!
//! Files are `pharmwatch-<run>-<utc timestamp>-<seq>.warc.gz` in one evidence directory.
//! Each record is its own gzip member, so a record can be read back from its offset alone
//! (what `.warc.gz` readers such as warcio, pywb and Heritrix expect), and each file starts
//! with a `warcinfo` record saying which tool, operator, configuration and run wrote it, and
//! (`previous-seal`) the seal the file's own seal will follow.
//!
//! Every record carries `WARC-Block-Digest` (and, for HTTP records, `WARC-Payload-Digest`)
//! as `sha256:` + upper-case RFC 4648 base32 with padding, the encoding warcio itself
//! produces.
//!
//! Seals. When a file is closed (rotation, `close`, drop) its SHA-256 is written to a
//! `<file>.sha256` sidecar in `sha256sum` format (`sha256sum -c` checks it), so a later edit
//! that recomputes the in-file digests is still caught. Seals form a chain: comment lines give
//! each seal's place (`# seq: n`) and the name and SHA-256 of the seal before it
//! (`# previous: …`), so deleting or replacing a whole file with its seal breaks the chain
//! (format in `seal.rs`). A file without a seal was left open by a process that was killed:
//! [`WarcWriter::open`] seals such files before it starts a new one, after cutting off an
//! incomplete last record (the bytes after the last whole gzip member). The cut bytes are kept
//! in `<file>.torn`, the seal says what was cut (`# repair: …`), and a `metadata` record in
//! the new file (target `urn:pharmwatch:warc-file:<file>`) records it too. Files are never
//! appended to once closed or repaired.
//!
//! What is recorded for each kind of exchange:
//! - a response (any status, including 3xx hops of a redirect chain, robots.txt, 404):
//!   a `request` record and a `response` record linked by `WARC-Concurrent-To`; the response
//!   block is the status line, the headers as received and the body as received (still
//!   content-encoded). The HTTP client removes chunked transfer coding, so a received
//!   `Transfer-Encoding` header is archived as `X-Crawler-Transfer-Encoding` (the Common
//!   Crawl convention) and readers do not try to de-chunk a de-chunked body. A body cut short
//!   gets `WARC-Truncated` with the reason (WARC/1.1 §5.13): `length` (the crawler's cap),
//!   `time` (the total timeout ran out mid-body), `disconnect` (connection reset or read
//!   error), `unspecified` (reading stopped at a body that cannot be decoded). HTTP/2 and
//!   HTTP/3 responses are written with an `HTTP/1.1` status line and the real protocol in
//!   `WARC-Protocol`.
//! - an answer confirming an archived response ([`WarcWriter::write_revisit`]): a `request`
//!   record and a `revisit` record, as Heritrix and warcprox write them. A 304 gets the
//!   profile `http://netpreserve.org/warc/1.1/revisit/server-not-modified`, a 2xx whose body
//!   is byte for byte the earlier payload `…/identical-payload-digest`. The block is the
//!   status line and headers only; `WARC-Refers-To`, `WARC-Refers-To-Target-URI` and
//!   `WARC-Refers-To-Date` name the response ([`revisit_target_at`]), and
//!   `WARC-Payload-Digest` is that response's (the payload the revisit stands for; warcio
//!   does not check it against the empty block, and neither does [`verify`], which checks it
//!   against the referred record instead).
//! - no response (connect error, timeout): archiving crawlers (Heritrix, wget, warcprox,
//!   browsertrix) write no request/response pair for these and only log them; we keep that
//!   (no request record claims bytes that may never have been sent) but add a `metadata`
//!   record (`application/warc-fields`, as Heritrix's metadata records) with the error, so
//!   the attempt is part of the evidence.
//! - decisions (robots override, extraction profile, truncation): `metadata` records via
//!   [`WarcWriter::write_metadata`].
//!
//! Verification ([`verify_with`]) recomputes every record's digests, checks every file
//! against its seal and the chain of seals, and checks what the state store recorded
//! ([`StorePointer`]: the record at a file and offset must be a whole `response` or
//! `revisit` whose payload has the recorded SHA-256; [`StorePayload`]: some intact response
//! must hold a listing's source body). A closed file without a seal is a failure; the file a
//! running crawl is writing is a note.
//!
//! Case exports copy records out unchanged (gzip members byte for byte, so their digests
//! still verify) with [`exchange_records`] and [`RawWarcWriter`]; [`find_responses`] finds
//! only `response` records (a `revisit` holds no body to copy). [`index_file`] writes the
//! CDXJ index lines of a file (SURT keys, as web-archive players look records up), for the
//! WACZ form of a case package.

mod cdxj;
mod copy;
mod digest;
mod durable;
mod error;
mod http;
mod reader;
mod record;
mod seal;
mod verify;
mod writer;

pub use cdxj::{CdxjLine, index_file, surt, timestamp14};
pub use copy::{
    RawRecord, RawWarcWriter, ResponseKey, body_record_at, capture_resource, exchange_records,
    find_responses, raw_record_at,
};
pub use digest::{digest_matches, warc_digest, warc_digest_to_hex};
pub use error::EvidenceError;
pub use http::{HttpResponseParts, http_response_parts};
pub use reader::{
    DEFAULT_MAX_BLOCK_BYTES, RecordAt, WarcReader, read_location, read_record_at, warc_files,
};
pub use record::WarcRecord;
pub use seal::{Repair, TornTail};
pub use verify::{
    Mismatch, StorePayload, StorePointer, VerifyOptions, VerifyReport, verify, verify_file,
    verify_location, verify_with,
};
pub use writer::{
    DEFAULT_ROTATE_BYTES, PROFILE_IDENTICAL_PAYLOAD, PROFILE_SERVER_NOT_MODIFIED, RecordLocation,
    RevisitTarget, WarcInfo, WarcWriter, revisit_target_at,
};
