//! Copying records out of an archive byte for byte, for case packages.
//!
//! Every record is its own gzip member, so a record's compressed bytes can be copied into
//! another `.warc.gz` file unchanged: its `WARC-Record-ID`, `WARC-Block-Digest` and
//! `WARC-Payload-Digest` still verify there, and a reviewer can compare the copy with the
//! original archive byte for byte. Nothing here re-encodes a record.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::reader::{checked_name, warc_files};
use crate::record::{WarcRecord, new_record_id, one_line};
use crate::{EvidenceError, WarcReader, warc_digest_to_hex};

/// How far before a response record the request record of the same exchange is looked for.
/// Request records hold only the request line and headers: a few hundred bytes compressed.
const REQUEST_SEARCH_WINDOW: u64 = 64 * 1024;

/// Candidate member starts tried in that window before giving up.
const REQUEST_SEARCH_TRIES: usize = 32;

/// Records after a response that are still examined for belonging to its exchange: a
/// rendered page's requests (two records each), its DOM and screenshot, and their notes.
const MAX_FOLLOWING: usize = 10_000;

/// A response wanted by [`find_responses`]: target URI and payload SHA-256 (lower-case hex).
pub type ResponseKey = (String, String);

/// One record's gzip member exactly as stored, with where it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// File name in the evidence directory.
    pub file: String,
    /// Offset of the member in that file.
    pub offset: u64,
    /// The member's bytes (compressed), exactly as in the file.
    pub bytes: Vec<u8>,
    /// `WARC-Type`.
    pub record_type: String,
    /// `WARC-Record-ID`.
    pub record_id: String,
    /// `WARC-Target-URI`, when the record has one.
    pub target_uri: Option<String>,
    /// `WARC-Concurrent-To`, when the record has one.
    pub concurrent_to: Option<String>,
}

/// Reads the record whose gzip member starts at `offset` in `dir/file` and returns the
/// member's bytes as stored. The member is decoded first (gzip CRC and WARC framing
/// checked), so the bytes returned are one whole, readable record.
pub fn raw_record_at(dir: &Path, file: &str, offset: u64) -> Result<RawRecord, EvidenceError> {
    let mut reader = WarcReader::open(&dir.join(checked_name(file)?))?;
    reader.seek(offset)?;
    raw_next(&mut reader, dir, file)?.ok_or_else(|| EvidenceError::Malformed {
        file: file.to_string(),
        offset,
        reason: "no record at this offset (end of file)".into(),
    })
}

/// The records of the exchange whose `response` record starts at `offset` in `dir/file`, in
/// file order: the `request` record written just before it, the response itself, and the
/// records written right after it about the same exchange: `metadata` (`WARC-Concurrent-To`
/// the response, or with the same target URI) and, for a page rendered in a browser, the
/// requests the page made with their responses, its DOM and its screenshot.
///
/// Records that cannot be found cheaply (a request record not directly before the response)
/// are left out rather than searched for through the whole file.
pub fn exchange_records(
    dir: &Path,
    file: &str,
    offset: u64,
) -> Result<Vec<RawRecord>, EvidenceError> {
    let path = dir.join(checked_name(file)?);
    let mut reader = WarcReader::open(&path)?;
    reader.seek(offset)?;
    let response = raw_next(&mut reader, dir, file)?.ok_or_else(|| EvidenceError::Malformed {
        file: file.to_string(),
        offset,
        reason: "no record at this offset (end of file)".into(),
    })?;
    let mut out = Vec::new();
    if let Some(request) = request_before(&path, dir, file, &response)? {
        out.push(request);
    }
    let following = following_records(&mut reader, dir, file, &response);
    out.push(response);
    out.extend(following);
    Ok(out)
}

/// The record holding the body of the page archived at `file`/`offset`, with where it is.
/// A `revisit` (a 304 that confirmed an earlier copy) holds no body: for one, the newest
/// `response` to the same URL whose payload has digest `sha256` (lower-case hex) is read
/// instead, found with one pass over the archive ([`find_responses`]). Without `sha256`, or
/// when that response is not found, the revisit itself is returned.
pub fn body_record_at(
    dir: &Path,
    file: &str,
    offset: u64,
    sha256: Option<&str>,
) -> Result<(WarcRecord, (String, u64)), EvidenceError> {
    let record = crate::read_record_at(dir, file, offset)?;
    let at = (file.to_string(), offset);
    if record.record_type() != Some("revisit") {
        return Ok((record, at));
    }
    let (Some(uri), Some(sha)) = (record.header("WARC-Refers-To-Target-URI"), sha256) else {
        return Ok((record, at));
    };
    let key = (uri.to_string(), sha.to_ascii_lowercase());
    let found = find_responses(dir, &[key.clone()].into_iter().collect())?;
    match found.get(&key) {
        Some((file, offset)) => Ok((
            crate::read_record_at(dir, file, *offset)?,
            (file.clone(), *offset),
        )),
        None => Ok((record, at)),
    }
}

/// The `resource` record for `target_uri` (`urn:view:URL`, a rendered page's screenshot;
/// `urn:dom:URL`, its DOM) archived with the response at `offset` in `dir/file`
/// (`WARC-Concurrent-To` it, among [`exchange_records`]), read back whole, with its offset.
pub fn capture_resource(
    dir: &Path,
    file: &str,
    offset: u64,
    target_uri: &str,
) -> Result<Option<(WarcRecord, u64)>, EvidenceError> {
    let records = exchange_records(dir, file, offset)?;
    let Some(response) = records.iter().find(|r| r.offset == offset) else {
        return Ok(None);
    };
    let found = records.iter().find(|r| {
        r.record_type == "resource"
            && r.target_uri.as_deref() == Some(target_uri)
            && r.concurrent_to.as_deref() == Some(response.record_id.as_str())
    });
    match found {
        Some(r) => Ok(Some((
            crate::read_record_at(dir, file, r.offset)?,
            r.offset,
        ))),
        None => Ok(None),
    }
}

/// Finds `response` records by target URI and payload SHA-256 (lower-case hex) with one
/// pass over every file of the evidence directory. Returns, for each pair found, the file
/// and offset of the newest such record (files are read oldest first).
///
/// For listings whose page row in the state store now points at a later fetch (a 304, a
/// changed page): the response their text was extracted from is still in the archive. Only
/// `response` records are returned: a `revisit` holds no body to copy (its
/// `WARC-Refers-To` names the response that does).
pub fn find_responses(
    dir: &Path,
    wanted: &HashSet<ResponseKey>,
) -> Result<HashMap<ResponseKey, (String, u64)>, EvidenceError> {
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    for name in warc_files(dir)? {
        let reader = WarcReader::open(&dir.join(&name))?;
        for at in reader {
            let at = match at {
                Ok(at) => at,
                Err(e) => {
                    // The rest of a damaged file cannot be located; `evidence verify` reports it.
                    tracing::warn!(file = %name, error = %e, "stopped reading a damaged WARC file");
                    break;
                }
            };
            let rec = &at.record;
            if rec.record_type() != Some("response") {
                continue;
            }
            let (Some(uri), Some(payload)) = (rec.target_uri(), rec.header("WARC-Payload-Digest"))
            else {
                continue;
            };
            let Some(hex) = warc_digest_to_hex(payload) else {
                continue;
            };
            let key = (uri.to_string(), hex);
            if wanted.contains(&key) {
                found.insert(key, (name.clone(), at.offset));
            }
        }
    }
    Ok(found)
}

/// Writes a new `.warc.gz` file of copied records, preceded by its own `warcinfo` record.
///
/// Used for exports: the `warcinfo` says what the file is (which query, when, which tool);
/// every record after it is a [`RawRecord`] copied unchanged.
pub struct RawWarcWriter {
    path: PathBuf,
    file: File,
    size: u64,
}

impl RawWarcWriter {
    /// Creates `path` (which must not exist) and writes a `warcinfo` record whose block is
    /// `fields` as `name: value` lines. Returns the writer and the warcinfo's record id.
    pub fn create(
        path: &Path,
        fields: &[(String, String)],
    ) -> Result<(Self, String), EvidenceError> {
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| EvidenceError::io(path, e))?;
        let mut writer = RawWarcWriter {
            path: path.to_path_buf(),
            file,
            size: 0,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let id = new_record_id();
        let record = warcinfo(&id, &name, fields);
        let member =
            crate::writer::gzip(&record.to_bytes()).map_err(|e| EvidenceError::io(path, e))?;
        writer.write(&member)?;
        Ok((writer, id))
    }

    /// Appends a copied record; returns its offset and length in the new file.
    pub fn append(&mut self, record: &RawRecord) -> Result<(u64, u64), EvidenceError> {
        let offset = self.size;
        self.write(&record.bytes)?;
        Ok((offset, record.bytes.len() as u64))
    }

    /// Flushes the file to stable storage and closes it; returns its size.
    pub fn finish(self) -> Result<u64, EvidenceError> {
        self.file
            .sync_all()
            .map_err(|e| EvidenceError::io(&self.path, e))?;
        Ok(self.size)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), EvidenceError> {
        self.file
            .write_all(bytes)
            .map_err(|e| EvidenceError::io(&self.path, e))?;
        self.size += bytes.len() as u64;
        Ok(())
    }
}

/// Reads the next record and the raw bytes of its member.
fn raw_next(
    reader: &mut WarcReader,
    dir: &Path,
    file: &str,
) -> Result<Option<RawRecord>, EvidenceError> {
    let Some(at) = reader.next_record() else {
        return Ok(None);
    };
    let at = at?;
    let bytes = read_bytes(&dir.join(file), at.offset, at.length)?;
    Ok(Some(raw(file, at.offset, bytes, &at.record)))
}

fn raw(file: &str, offset: u64, bytes: Vec<u8>, rec: &WarcRecord) -> RawRecord {
    RawRecord {
        file: file.to_string(),
        offset,
        bytes,
        record_type: rec.record_type().unwrap_or_default().to_string(),
        record_id: rec.record_id().unwrap_or_default().to_string(),
        target_uri: rec.target_uri().map(str::to_string),
        concurrent_to: rec.header("WARC-Concurrent-To").map(str::to_string),
    }
}

fn read_bytes(path: &Path, offset: u64, length: u64) -> Result<Vec<u8>, EvidenceError> {
    let io = |e| EvidenceError::io(path, e);
    let mut f = File::open(path).map_err(io)?;
    f.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(length).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 != length {
        return Err(EvidenceError::Malformed {
            file: path.display().to_string(),
            offset,
            reason: "file ends inside the record".into(),
        });
    }
    Ok(bytes)
}

/// The request record of the response's exchange: the member that ends exactly where the
/// response starts and says it is concurrent to it. Found by trying gzip member starts in
/// the bytes just before the response, nearest first.
fn request_before(
    path: &Path,
    dir: &Path,
    file: &str,
    response: &RawRecord,
) -> Result<Option<RawRecord>, EvidenceError> {
    let start = response.offset.saturating_sub(REQUEST_SEARCH_WINDOW);
    let window = read_bytes(path, start, response.offset - start)?;
    let candidates = window
        .windows(3)
        .enumerate()
        .rev()
        .filter(|(_, w)| *w == [0x1f, 0x8b, 0x08])
        .map(|(i, _)| start + i as u64)
        .take(REQUEST_SEARCH_TRIES);
    let mut reader = WarcReader::open(path)?;
    for at in candidates {
        reader.seek(at)?;
        let Some(Ok(rec)) = reader.next_record() else {
            continue;
        };
        let is_request = rec.record.record_type() == Some("request")
            && rec.record.header("WARC-Concurrent-To") == Some(response.record_id.as_str());
        if is_request && rec.offset + rec.length == response.offset {
            let bytes = read_bytes(&dir.join(file), rec.offset, rec.length)?;
            return Ok(Some(raw(file, rec.offset, bytes, &rec.record)));
        }
    }
    Ok(None)
}

/// The records written right after a response about the same exchange: `metadata` about
/// it, and for a page rendered in a browser every request the page made (each a `request`
/// record followed by its `response`, or a `metadata` note when it failed) and the page's
/// DOM and screenshot `resource` records, all `WARC-Concurrent-To` the page's response.
/// Stops at the first record that is not one of these.
fn following_records(
    reader: &mut WarcReader,
    dir: &Path,
    file: &str,
    response: &RawRecord,
) -> Vec<RawRecord> {
    let mut ties: HashSet<String> = HashSet::from([response.record_id.clone()]);
    let mut out = Vec::new();
    // A request record names its response, which comes right after it: held until then.
    let mut held: Option<RawRecord> = None;
    for _ in 0..MAX_FOLLOWING {
        let Ok(Some(next)) = raw_next(reader, dir, file) else {
            break;
        };
        let tied = next
            .concurrent_to
            .as_ref()
            .is_some_and(|id| ties.contains(id));
        let same_target = next.record_type == "metadata"
            && next.concurrent_to.is_none()
            && next.target_uri.is_some()
            && next.target_uri == response.target_uri;
        if let Some(request) = held.take() {
            // Only the response the request named, tied to the page, completes the pair.
            if !(tied && request.concurrent_to.as_deref() == Some(next.record_id.as_str())) {
                break;
            }
            out.push(request);
        } else if next.record_type == "request" && next.concurrent_to.is_some() && !tied {
            held = Some(next);
            continue;
        } else if !(tied || same_target) {
            break;
        }
        ties.insert(next.record_id.clone());
        out.push(next);
    }
    out
}

fn warcinfo(id: &str, filename: &str, fields: &[(String, String)]) -> WarcRecord {
    let now = time::OffsetDateTime::now_utc();
    let headers = vec![
        ("WARC-Type".to_string(), "warcinfo".to_string()),
        ("WARC-Record-ID".into(), id.to_string()),
        ("WARC-Date".into(), crate::writer::warc_date(now)),
        ("WARC-Filename".into(), one_line(filename)),
    ];
    crate::writer::fields_record(headers, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{WarcInfo, WarcWriter, verify_file};
    use pharmwatch_model::{ExchangePurpose, HttpExchange};

    fn exchange(url: &str, body: &[u8], chunked: bool) -> HttpExchange {
        let mut headers = vec![("Content-Type".to_string(), "text/html".to_string())];
        if chunked {
            headers.push(("Transfer-Encoding".into(), "chunked".into()));
        }
        HttpExchange {
            method: "GET".into(),
            target_uri: url.into(),
            request_headers: vec![("User-Agent".into(), "test".into())],
            http_version: "HTTP/1.1".into(),
            status: Some(200),
            reason: Some("OK".into()),
            response_headers: headers,
            body: body.to_vec(),
            truncated: None,
            ip: Some("127.0.0.1".into()),
            started_at: time::OffsetDateTime::now_utc(),
            error: None,
            purpose: ExchangePurpose::Page,
            site: "s".into(),
        }
    }

    fn archive(dir: &Path) -> Vec<crate::RecordLocation> {
        let info = WarcInfo {
            software: "test".into(),
            operator: "op".into(),
            hostname: None,
            config_digest: "x".into(),
            run_id: "1".into(),
        };
        let mut w = WarcWriter::open(dir, info, 1 << 30).unwrap();
        let a = w
            .write_exchange(&exchange("http://a.test/1", b"<p>one</p>", false))
            .unwrap();
        let b = w
            .write_exchange(&exchange("http://a.test/2", b"<p>two</p>", true))
            .unwrap();
        w.write_metadata("http://a.test/2", &[("robots-override", "yes")])
            .unwrap();
        let c = w
            .write_exchange(&exchange("http://a.test/1", b"<p>one, later</p>", false))
            .unwrap();
        w.close().unwrap();
        vec![a, b, c]
    }

    #[test]
    fn an_exchange_is_its_request_response_and_metadata_byte_for_byte() {
        let tmp = tempfile::tempdir().unwrap();
        let locs = archive(tmp.path());
        let original = std::fs::read(tmp.path().join(&locs[1].file)).unwrap();

        let records = exchange_records(tmp.path(), &locs[1].file, locs[1].offset).unwrap();
        let types: Vec<&str> = records.iter().map(|r| r.record_type.as_str()).collect();
        assert_eq!(types, ["request", "response", "metadata", "metadata"]);
        assert_eq!(records[1].record_id, locs[1].record_id);
        assert_eq!(records[1].offset, locs[1].offset);
        assert_eq!(records[1].bytes.len() as u64, locs[1].length);
        for r in &records {
            let at = r.offset as usize;
            assert_eq!(&original[at..at + r.bytes.len()], &r.bytes[..]);
        }
        // Consecutive in the file: nothing between them was skipped.
        for pair in records.windows(2) {
            assert_eq!(pair[0].offset + pair[0].bytes.len() as u64, pair[1].offset);
        }

        // The first exchange has no metadata; the next exchange's request is not taken.
        let first = exchange_records(tmp.path(), &locs[0].file, locs[0].offset).unwrap();
        let types: Vec<&str> = first.iter().map(|r| r.record_type.as_str()).collect();
        assert_eq!(types, ["request", "response"]);
    }

    #[test]
    fn a_rendered_page_brings_the_requests_it_made_its_dom_and_screenshot() {
        let tmp = tempfile::tempdir().unwrap();
        let info = WarcInfo {
            software: "test".into(),
            operator: "op".into(),
            hostname: None,
            config_digest: "x".into(),
            run_id: "1".into(),
        };
        let mut w = WarcWriter::open(tmp.path(), info, 1 << 30).unwrap();
        let page = w
            .write_exchange(&exchange("http://a.test/p", b"<div id=app></div>", false))
            .unwrap();
        let id = page.record_id.as_str();
        w.write_exchange_concurrent_to(&exchange("http://a.test/app.js", b"js", true), id)
            .unwrap();
        let mut failed = exchange("http://b.test/pixel", b"", false);
        failed.status = None;
        failed.error = Some("refused".into());
        w.write_exchange_concurrent_to(&failed, id).unwrap();
        let now = time::OffsetDateTime::now_utc();
        w.write_resource(
            "urn:dom:http://a.test/p",
            now,
            "text/html",
            b"<p>x</p>",
            Some(id),
        )
        .unwrap();
        w.write_resource(
            "urn:view:http://a.test/p",
            now,
            "image/png",
            b"png",
            Some(id),
        )
        .unwrap();
        let next = w
            .write_exchange(&exchange("http://a.test/q", b"<p>q</p>", false))
            .unwrap();
        w.close().unwrap();

        let records = exchange_records(tmp.path(), &page.file, page.offset).unwrap();
        let seen: Vec<(&str, &str)> = records
            .iter()
            .map(|r| {
                let uri = r.target_uri.as_deref().unwrap_or_default();
                (r.record_type.as_str(), uri)
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("request", "http://a.test/p"),
                ("response", "http://a.test/p"),
                ("request", "http://a.test/app.js"),
                ("response", "http://a.test/app.js"),
                ("metadata", "http://a.test/app.js"),
                ("metadata", "http://b.test/pixel"),
                ("resource", "urn:dom:http://a.test/p"),
                ("resource", "urn:view:http://a.test/p"),
            ]
        );
        for pair in records.windows(2) {
            assert_eq!(pair[0].offset + pair[0].bytes.len() as u64, pair[1].offset);
        }
        // The next page's exchange is its own.
        let after = exchange_records(tmp.path(), &next.file, next.offset).unwrap();
        assert_eq!(after.len(), 2);
    }

    #[test]
    fn copied_records_verify_in_a_new_file() {
        let tmp = tempfile::tempdir().unwrap();
        let locs = archive(tmp.path());
        let out_dir = tmp.path().join("out");
        std::fs::create_dir(&out_dir).unwrap();
        let fields = vec![("software".to_string(), "test\r\nInjected: x".to_string())];
        let (mut w, id) = RawWarcWriter::create(&out_dir.join("case.warc.gz"), &fields).unwrap();
        assert!(id.starts_with("<urn:uuid:"));
        let mut placed = Vec::new();
        for loc in &locs {
            for r in exchange_records(tmp.path(), &loc.file, loc.offset).unwrap() {
                placed.push((w.append(&r).unwrap(), r));
            }
        }
        let size = w.finish().unwrap();
        let copy = std::fs::read(out_dir.join("case.warc.gz")).unwrap();
        assert_eq!(copy.len() as u64, size);
        for ((offset, length), r) in &placed {
            let at = *offset as usize;
            assert_eq!(&copy[at..at + *length as usize], &r.bytes[..]);
            let back = raw_record_at(&out_dir, "case.warc.gz", *offset).unwrap();
            assert_eq!(back.record_id, r.record_id);
        }
        let report = verify_file(&out_dir, "case.warc.gz").unwrap();
        assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
        assert_eq!(report.records, placed.len() + 1);
        let info = raw_record_at(&out_dir, "case.warc.gz", 0).unwrap();
        assert_eq!(info.record_type, "warcinfo");
        // A value with a line break cannot add a header line to the warcinfo block.
        let rec = crate::read_record_at(&out_dir, "case.warc.gz", 0).unwrap();
        assert!(!String::from_utf8_lossy(&rec.block).contains("\nInjected"));
    }

    #[test]
    fn responses_are_found_by_uri_and_payload_digest() {
        let tmp = tempfile::tempdir().unwrap();
        let locs = archive(tmp.path());
        let first = pharmwatch_model::sha256_hex(b"<p>one</p>");
        let later = pharmwatch_model::sha256_hex(b"<p>one, later</p>");
        let wanted: HashSet<(String, String)> = [
            ("http://a.test/1".to_string(), first.clone()),
            ("http://a.test/1".to_string(), later.clone()),
            ("http://a.test/9".to_string(), first.clone()),
        ]
        .into_iter()
        .collect();
        let found = find_responses(tmp.path(), &wanted).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[&("http://a.test/1".to_string(), first)],
            (locs[0].file.clone(), locs[0].offset)
        );
        assert_eq!(
            found[&("http://a.test/1".to_string(), later)],
            (locs[2].file.clone(), locs[2].offset)
        );
    }

    #[test]
    fn bad_offsets_and_names_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let locs = archive(tmp.path());
        assert!(raw_record_at(tmp.path(), &locs[0].file, locs[0].offset + 1).is_err());
        assert!(raw_record_at(tmp.path(), "../x.warc.gz", 0).is_err());
        assert!(exchange_records(tmp.path(), &locs[0].file, 1 << 40).is_err());
    }
}
