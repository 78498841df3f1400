//! Writing exchanges, reading them back, verifying, tampering, rotating, and an
//! independent reader (warcio) when available.

use std::io::{Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use pharmwatch_evidence::{
    EvidenceError, PROFILE_IDENTICAL_PAYLOAD, PROFILE_SERVER_NOT_MODIFIED, RecordLocation,
    StorePayload, StorePointer, VerifyOptions, WarcInfo, WarcReader, WarcWriter, digest_matches,
    exchange_records, find_responses, http_response_parts, read_location, read_record_at,
    revisit_target_at, verify, verify_location, verify_with, warc_digest, warc_files,
};
use pharmwatch_model::{ExchangePurpose, HttpExchange, Truncation, sha256_hex};

fn info() -> WarcInfo {
    WarcInfo {
        software: "pharmwatch/0.1.0".into(),
        operator: "Test Operator <ops@example.org>".into(),
        hostname: Some("testhost".into()),
        config_digest: sha256_hex(b"config"),
        run_id: "7".into(),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn exchange(
    purpose: ExchangePurpose,
    uri: &str,
    status: Option<u16>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpExchange {
    HttpExchange {
        purpose,
        site: "medsdirect".into(),
        method: "GET".into(),
        target_uri: uri.into(),
        request_headers: vec![
            (
                "User-Agent".into(),
                "pharmwatch/0.1 (+https://example.org)".into(),
            ),
            ("Accept-Encoding".into(), "gzip".into()),
        ],
        http_version: "HTTP/1.1".into(),
        status,
        reason: None,
        response_headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
        truncated: None,
        started_at: time::macros::datetime!(2026-11-23 18:30:00.123456 UTC),
        ip: status.map(|_| "127.0.0.1".to_string()),
        error: None,
    }
}

const PAGE: &[u8] = "<html><body><h1>Oxycodone 30mg x 60 tablets</h1>€</body></html>".as_bytes();

/// The five kinds of exchange the crawler produces, with the body each should archive.
fn sample_exchanges() -> Vec<HttpExchange> {
    let gz = gzip(PAGE);
    let page = exchange(
        ExchangePurpose::Page,
        "http://127.0.0.1:8081/product/1-oxy.html?ref=a",
        Some(200),
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("ETag", "\"abc\""),
        ],
        &gz,
    );
    let not_found = exchange(
        ExchangePurpose::Page,
        "http://127.0.0.1:8081/missing.html",
        Some(404),
        &[("Content-Type", "text/plain"), ("Content-Length", "9")],
        b"not found",
    );
    let redirect = exchange(
        ExchangePurpose::Redirect,
        "http://127.0.0.1:8081/old",
        Some(301),
        &[("Location", "/product/1-oxy.html"), ("Content-Length", "0")],
        b"",
    );
    let robots = exchange(
        ExchangePurpose::Robots,
        "http://127.0.0.1:8081/robots.txt",
        Some(200),
        &[("Content-Type", "text/plain"), ("Content-Length", "39")],
        b"User-agent: *\nDisallow: /cart/\nDisallow:",
    );
    let mut failed = exchange(
        ExchangePurpose::Page,
        "http://127.0.0.1:9/unreachable",
        None,
        &[],
        b"",
    );
    failed.error = Some("connect error: connection refused".into());
    vec![page, not_found, redirect, robots, failed]
}

fn write_all(dir: &Path, rotate: u64) -> (Vec<RecordLocation>, Vec<String>) {
    let mut w = WarcWriter::open(dir, info(), rotate).unwrap();
    let locs = sample_exchanges()
        .iter()
        .map(|ex| w.write_exchange(ex).unwrap())
        .collect();
    let files = w.close().unwrap();
    (locs, files)
}

#[test]
fn exchanges_read_back_at_their_offsets_with_correct_digests() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    assert_eq!(files.len(), 1);
    let exchanges = sample_exchanges();

    for (loc, ex) in locs.iter().zip(&exchanges) {
        assert_eq!(loc.file, files[0]);
        let rec = read_location(dir.path(), loc).unwrap();
        assert_eq!(rec.record_id(), Some(loc.record_id.as_str()));
        assert!(loc.record_id.starts_with("<urn:uuid:") && loc.record_id.ends_with('>'));
        assert_eq!(
            rec.header("WARC-Block-Digest"),
            Some(loc.block_digest.as_str())
        );
        assert!(digest_matches(&loc.block_digest, &rec.block).unwrap());
        assert!(rec.header("WARC-Warcinfo-ID").is_some());
        assert_eq!(rec.header("WARC-Date"), Some("2026-11-23T18:30:00.123456Z"));
        assert_eq!(rec.target_uri(), Some(ex.target_uri.as_str()));
        assert_eq!(
            rec.header("Content-Length"),
            Some(rec.block.len().to_string().as_str())
        );
        match ex.status {
            Some(status) => {
                assert_eq!(rec.record_type(), Some("response"));
                assert_eq!(
                    rec.header("Content-Type"),
                    Some("application/http;msgtype=response")
                );
                assert_eq!(rec.header("WARC-IP-Address"), Some("127.0.0.1"));
                let parts = http_response_parts(&rec).unwrap();
                assert_eq!(parts.status, status);
                assert_eq!(
                    parts.body,
                    ex.body.as_slice(),
                    "body must be the wire bytes"
                );
                assert_eq!(loc.payload_digest, warc_digest(&ex.body));
            }
            None => {
                assert_eq!(rec.record_type(), Some("metadata"));
                let text = String::from_utf8(rec.block.clone()).unwrap();
                assert!(
                    text.contains("fetch-error: connect error: connection refused"),
                    "{text}"
                );
                assert!(text.contains("purpose: page"));
                assert!(http_response_parts(&rec).is_err());
            }
        }
    }

    // The gzip-encoded page stays encoded; chunking is noted, not replayed.
    let page = read_location(dir.path(), &locs[0]).unwrap();
    let parts = http_response_parts(&page).unwrap();
    assert_eq!(parts.reason, "OK");
    assert_eq!(parts.header("content-encoding"), Some("gzip"));
    assert_eq!(parts.header("Transfer-Encoding"), None);
    assert_eq!(parts.header("X-Crawler-Transfer-Encoding"), Some("chunked"));
    assert_eq!(gunzip(parts.body), PAGE);

    let redirect = read_location(dir.path(), &locs[2]).unwrap();
    let parts = http_response_parts(&redirect).unwrap();
    assert_eq!(
        (parts.status, parts.reason.as_str()),
        (301, "Moved Permanently")
    );
    assert_eq!(parts.header("Location"), Some("/product/1-oxy.html"));

    // Offsets can also be given as (file, offset).
    let again = read_record_at(dir.path(), &locs[1].file, locs[1].offset).unwrap();
    assert_eq!(again.record_id(), Some(locs[1].record_id.as_str()));
    for loc in &locs {
        assert!(verify_location(dir.path(), loc).unwrap().is_empty());
    }
}

#[test]
fn file_holds_warcinfo_then_linked_request_response_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let records: Vec<_> = WarcReader::open(&dir.path().join(&files[0]))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let info_rec = &records[0].record;
    assert_eq!(records[0].offset, 0);
    assert_eq!(info_rec.record_type(), Some("warcinfo"));
    assert_eq!(info_rec.header("WARC-Filename"), Some(files[0].as_str()));
    let text = String::from_utf8(info_rec.block.clone()).unwrap();
    for needle in [
        "software: pharmwatch/0.1.0",
        "format: WARC File Format 1.1",
        "operator: Test Operator",
        "run-id: 7",
        "config-digest: ",
        "hostname: testhost",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
    let info_id = info_rec.record_id().unwrap();
    // Members are contiguous: each starts where the previous ended.
    for pair in records.windows(2) {
        assert_eq!(pair[0].offset + pair[0].length, pair[1].offset);
    }
    let types: Vec<_> = records
        .iter()
        .map(|r| r.record.record_type().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "warcinfo", "request", "response", "metadata", "request", "response", "request",
            "response", "request", "response", "metadata"
        ]
    );
    for r in &records[1..] {
        assert_eq!(r.record.header("WARC-Warcinfo-ID"), Some(info_id));
    }
    // The request names the response it belongs to, and carries the request line and Host.
    let request = &records[1].record;
    assert_eq!(
        request.header("WARC-Concurrent-To"),
        Some(locs[0].record_id.as_str())
    );
    assert_eq!(
        request.header("Content-Type"),
        Some("application/http;msgtype=request")
    );
    let block = String::from_utf8(request.block.clone()).unwrap();
    assert!(
        block.starts_with("GET /product/1-oxy.html?ref=a HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n")
    );
    assert!(block.ends_with("Accept-Encoding: gzip\r\n\r\n"));
    // The de-chunking note is linked to the page's response.
    let note = &records[3].record;
    assert_eq!(
        note.header("WARC-Concurrent-To"),
        Some(locs[0].record_id.as_str())
    );
    assert!(String::from_utf8_lossy(&note.block).contains("transfer-decoding"));
}

#[test]
fn verify_passes_on_untouched_evidence() {
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let report = verify(dir.path()).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!((report.files, report.records), (1, 11));
    assert!(report.unsealed_files.is_empty());
}

/// Rewrites `file` with the member at `offset` decompressed, one payload byte changed and
/// recompressed; every other member is copied byte for byte.
fn tamper_with_record(dir: &Path, file: &str, offset: u64) {
    let path = dir.join(file);
    let records: Vec<_> = WarcReader::open(&path)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let raw = std::fs::read(&path).unwrap();
    let mut out = Vec::new();
    for r in records {
        let member = &raw[r.offset as usize..(r.offset + r.length) as usize];
        if r.offset == offset {
            let mut text = gunzip(member);
            let last_body_byte = text.len() - 5; // before the closing CRLF CRLF
            text[last_body_byte] ^= 0x01;
            out.extend_from_slice(&gzip(&text));
        } else {
            out.extend_from_slice(member);
        }
    }
    std::fs::write(&path, out).unwrap();
}

#[test]
fn verify_reports_exactly_the_tampered_record() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let target = &locs[1]; // the 404 response
    tamper_with_record(dir.path(), &target.file, target.offset);

    let report = verify(dir.path()).unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.records, 11, "every record is still readable");
    assert!(!report.mismatches.is_empty());
    assert!(
        report
            .mismatches
            .iter()
            .all(|m| m.record_id == target.record_id && m.offset == target.offset),
        "{:?}",
        report.mismatches
    );
    let whats: Vec<_> = report.mismatches.iter().map(|m| m.what.as_str()).collect();
    assert!(
        whats.iter().any(|w| w.starts_with("block digest differs")),
        "{whats:?}"
    );
    assert!(
        whats
            .iter()
            .any(|w| w.starts_with("payload digest differs")),
        "{whats:?}"
    );
    assert_eq!(report.file_digest_mismatches, files);
    assert!(!verify_location(dir.path(), target).unwrap().is_empty());
    assert!(verify_location(dir.path(), &locs[0]).unwrap().is_empty());
}

#[test]
fn a_damaged_gzip_member_is_reported_and_reading_resumes_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let path = dir.path().join(&files[0]);
    let mut raw = std::fs::read(&path).unwrap();
    let target = &locs[1];
    let middle = (target.offset + target.length / 2) as usize;
    raw[middle] ^= 0xff;
    std::fs::write(&path, raw).unwrap();

    let report = verify(dir.path()).unwrap();
    assert_eq!(report.mismatches.len(), 1, "{:?}", report.mismatches);
    let m = &report.mismatches[0];
    assert_eq!(m.offset, target.offset);
    assert!(m.what.starts_with("unreadable record"), "{}", m.what);
    assert_eq!(
        report.records, 10,
        "the records after the damaged one are still checked"
    );
    assert!(matches!(
        read_location(dir.path(), target),
        Err(EvidenceError::Malformed { .. })
    ));
}

#[test]
fn damage_inside_a_member_full_of_false_gzip_headers_is_reported_once() {
    // Incompressible bytes are stored literally by deflate, so the gzip magic planted in the
    // body appears inside the compressed member: resynchronisation must skip those.
    let mut x: u32 = 0x9e37_79b9;
    let mut body: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    for chunk in body.chunks_mut(1000) {
        chunk[..3].copy_from_slice(&[0x1f, 0x8b, 0x08]);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(dir.path(), info(), 1 << 30).unwrap();
    let ex = exchange(
        ExchangePurpose::Page,
        "http://127.0.0.1:8081/img.bin",
        Some(200),
        &[],
        &body,
    );
    let big = w.write_exchange(&ex).unwrap();
    let after = w.write_exchange(&sample_exchanges()[1]).unwrap();
    let file = w.close().unwrap().remove(0);
    let path = dir.path().join(&file);
    let mut raw = std::fs::read(&path).unwrap();
    raw[(big.offset + big.length / 2) as usize] ^= 0x55;
    std::fs::write(&path, raw).unwrap();

    let report = verify(dir.path()).unwrap();
    assert_eq!(report.mismatches.len(), 1, "{:?}", report.mismatches);
    assert_eq!(report.mismatches[0].offset, big.offset);
    assert_eq!(
        report.records, 4,
        "warcinfo, request, and the pair after the damage"
    );
    assert!(verify_location(dir.path(), &after).unwrap().is_empty());
}

#[test]
fn a_file_cut_by_a_crash_reports_its_last_record_as_cut_short_not_as_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let path = dir.path().join(&files[0]);
    let raw = std::fs::read(&path).unwrap();
    let last = locs.last().unwrap();
    std::fs::write(&path, &raw[..(last.offset + last.length / 2) as usize]).unwrap();
    std::fs::remove_file(dir.path().join(format!("{}.sha256", files[0]))).unwrap();

    let report = verify(dir.path()).unwrap();
    assert_eq!(report.records, 10);
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    assert_eq!(report.cut_short.len(), 1, "{:?}", report.cut_short);
    assert_eq!(report.cut_short[0].offset, last.offset);
    // The cut record is named: its headers were written before the crash.
    assert_eq!(report.cut_short[0].record_id, last.record_id);
    // No crawl is writing it, so the missing seal is a failure.
    assert_eq!(report.unsealed_files, files);
    assert!(!report.is_ok());
    // While a crawl writes it, it is the open file: a note.
    let writing = VerifyOptions {
        writer_active: true,
        ..VerifyOptions::default()
    };
    let report = verify_with(dir.path(), &writing).unwrap();
    assert_eq!(report.open_file.as_ref(), Some(&files[0]));
    assert!(report.unsealed_files.is_empty());
    assert!(report.is_ok(), "{report:?}");

    // The same cut in a sealed file is damage: the file was complete when sealed.
    let sealed = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(sealed.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let path = sealed.path().join(&files[0]);
    let raw = std::fs::read(&path).unwrap();
    let last = locs.last().unwrap();
    std::fs::write(&path, &raw[..(last.offset + last.length / 2) as usize]).unwrap();
    let report = verify(sealed.path()).unwrap();
    assert_eq!(report.mismatches.len(), 1, "{:?}", report.mismatches);
    assert!(!report.is_ok());
}

#[test]
fn rotation_starts_new_files_each_with_warcinfo_first() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), 2_000);
    assert!(files.len() >= 3, "{files:?}");
    assert_eq!(warc_files(dir.path()).unwrap(), {
        let mut f = files.clone();
        f.sort();
        f
    });
    for name in &files {
        assert!(
            name.starts_with("pharmwatch-7-") && name.ends_with(".warc.gz"),
            "{name}"
        );
        assert!(dir.path().join(format!("{name}.sha256")).exists());
        let first = WarcReader::open(&dir.path().join(name))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(first.record.record_type(), Some("warcinfo"));
        assert_eq!(first.record.header("WARC-Filename"), Some(name.as_str()));
    }
    for loc in &locs {
        let rec = read_location(dir.path(), loc).unwrap();
        assert_eq!(rec.record_id(), Some(loc.record_id.as_str()));
    }
    let report = verify(dir.path()).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.files, files.len());
}

#[test]
fn truncation_and_http2_are_recorded_in_warc_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(dir.path(), info(), 1 << 20).unwrap();
    let mut ex = exchange(
        ExchangePurpose::Page,
        "http://127.0.0.1:8081/big",
        Some(200),
        &[("Content-Length", "100000")],
        &[b'x'; 100],
    );
    ex.truncated = Some(Truncation::Length);
    ex.http_version = "HTTP/2.0".into();
    let loc = w.write_exchange(&ex).unwrap();
    let mut slow = ex.clone();
    slow.truncated = Some(Truncation::Time);
    let slow_loc = w.write_exchange(&slow).unwrap();
    let meta = w
        .write_metadata(
            "http://127.0.0.1:8081/",
            &[("robots-override", "site config ignore_robots = true")],
        )
        .unwrap();
    drop(w); // closes like close()
    let rec = read_location(dir.path(), &loc).unwrap();
    assert_eq!(rec.header("WARC-Truncated"), Some("length"));
    let slow_rec = read_location(dir.path(), &slow_loc).unwrap();
    assert_eq!(slow_rec.header("WARC-Truncated"), Some("time"));
    assert_eq!(rec.header("WARC-Protocol"), Some("h2"));
    assert!(rec.block.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let meta_rec = read_location(dir.path(), &meta).unwrap();
    assert_eq!(meta_rec.record_type(), Some("metadata"));
    assert_eq!(
        meta_rec.block,
        b"robots-override: site config ignore_robots = true\r\n"
    );
    assert_eq!(meta.payload_digest, meta.block_digest);
    assert!(verify(dir.path()).unwrap().is_ok());
}

#[test]
fn outside_file_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        read_record_at(dir.path(), "../etc/passwd", 0),
        Err(EvidenceError::BadFileName(_))
    ));
}

#[test]
fn an_unclosed_file_is_readable_and_reported_unsealed() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(dir.path(), info(), 1 << 20).unwrap();
    let loc = w.write_exchange(&sample_exchanges()[1]).unwrap();
    w.sync().unwrap();
    let writing = VerifyOptions {
        writer_active: true,
        ..VerifyOptions::default()
    };
    let report = verify_with(dir.path(), &writing).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.open_file, Some(loc.file.clone()));
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.unsealed_files, vec![loc.file.clone()]);
    std::mem::forget(w); // as if the process died here
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.records, 3);
}

/// An independent reader: warcio (Python). `PHARMWATCH_WARCIO` names its executable; CI
/// sets it, so there a missing or failing warcio fails this test.
#[test]
fn warcio_accepts_our_files() {
    let Ok(warcio) = std::env::var("PHARMWATCH_WARCIO") else {
        println!("skipped: PHARMWATCH_WARCIO is not set (path to the warcio executable)");
        return;
    };
    // `/path/to/warcio` or a command with arguments such as `python3 -m warcio`.
    let mut words = warcio.split_whitespace();
    let program = words
        .next()
        .expect("PHARMWATCH_WARCIO is empty")
        .to_string();
    let base_args: Vec<String> = words.map(str::to_string).collect();
    let warcio_cmd = || {
        let mut c = std::process::Command::new(&program);
        c.args(&base_args);
        c
    };
    let dir = tempfile::tempdir().unwrap();
    let (locs, files) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let file = dir.path().join(&files[0]);

    let check = warcio_cmd()
        .arg("check")
        .arg("-v")
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {warcio}: {e}"));
    let out = String::from_utf8_lossy(&check.stdout);
    println!(
        "warcio check -v:\n{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        check.status.success(),
        "warcio check failed: {out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        out.matches("digest pass").count(),
        11,
        "every record's digests checked: {out}"
    );
    assert!(!out.contains("failed"), "{out}");

    let index = warcio_cmd()
        .args([
            "index",
            "-f",
            "warc-type,warc-record-id,offset,length,http:status",
        ])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {warcio}: {e}"));
    let out = String::from_utf8_lossy(&index.stdout);
    println!(
        "warcio index:\n{out}{}",
        String::from_utf8_lossy(&index.stderr)
    );
    assert!(
        index.status.success(),
        "warcio index failed: {}",
        String::from_utf8_lossy(&index.stderr)
    );
    for loc in &locs {
        let line = out
            .lines()
            .find(|l| l.contains(&loc.record_id))
            .unwrap_or_else(|| panic!("{} not indexed by warcio", loc.record_id));
        assert!(
            line.contains(&format!("\"offset\": \"{}\"", loc.offset)),
            "{line}"
        );
        assert!(
            line.contains(&format!("\"length\": \"{}\"", loc.length)),
            "{line}"
        );
    }
    assert!(out.contains("\"http:status\": \"404\""));
    assert!(out.contains("\"http:status\": \"301\""));

    // And it sees tampering where our verify does.
    tamper_with_record(dir.path(), &locs[1].file, locs[1].offset);
    let check = warcio_cmd().arg("check").arg(&file).output().unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    println!("warcio check after tampering:\n{out}");
    assert!(
        !check.status.success(),
        "warcio must reject the tampered file"
    );
    assert!(
        out.contains(&locs[1].record_id) && out.contains("digest failed"),
        "{out}"
    );
}

/// `warcio check` and `warcio index` on every WARC file of `dir`, when `PHARMWATCH_WARCIO`
/// names warcio (CI sets it); returns the index output.
fn warcio_accepts_every_file(dir: &Path) -> String {
    let Ok(warcio) = std::env::var("PHARMWATCH_WARCIO") else {
        println!("skipped warcio: PHARMWATCH_WARCIO is not set");
        return String::new();
    };
    let mut words = warcio.split_whitespace();
    let program = words
        .next()
        .expect("PHARMWATCH_WARCIO is empty")
        .to_string();
    let base: Vec<String> = words.map(str::to_string).collect();
    let mut index = String::new();
    for name in warc_files(dir).unwrap() {
        for verb in ["check", "index"] {
            let out = std::process::Command::new(&program)
                .args(&base)
                .arg(verb)
                .arg(dir.join(&name))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "warcio {verb} {name}: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            if verb == "index" {
                index.push_str(&text);
            }
        }
    }
    index
}

fn seal_text(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{file}.sha256"))).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn seals_form_a_chain_that_catches_a_deleted_or_replaced_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_, files) = write_all(dir.path(), 2_000);
    assert!(files.len() >= 3, "{files:?}");
    let report = verify(dir.path()).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert!(report.seal_problems.is_empty());
    // Each seal names the one before it, in the order the files were closed.
    for (i, name) in files.iter().enumerate() {
        let text = seal_text(dir.path(), name);
        assert!(text.contains(&format!("# seq: {i}\n")), "{text}");
        match i {
            0 => assert!(text.contains("# previous: none\n"), "{text}"),
            _ => {
                let prev = format!("{}.sha256", files[i - 1]);
                let prev_sha = sha256_hex(&std::fs::read(dir.path().join(&prev)).unwrap());
                assert!(
                    text.contains(&format!("# previous: {prev} {prev_sha}\n")),
                    "{text}"
                );
            }
        }
    }
    let head = format!("{}.sha256", files.last().unwrap());
    assert!(report.chain_head.as_ref().unwrap().starts_with(&head));
    // Still a sha256sum file.
    if let Ok(out) = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("--strict")
        .arg(format!("{}.sha256", files[1]))
        .current_dir(dir.path())
        .output()
    {
        assert!(out.status.success(), "{:?}", out);
    }

    // A middle file deleted with its seal: the next seal names a seal that is gone.
    let deleted = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), deleted.path());
    std::fs::remove_file(deleted.path().join(&files[1])).unwrap();
    std::fs::remove_file(deleted.path().join(format!("{}.sha256", files[1]))).unwrap();
    let report = verify(deleted.path()).unwrap();
    assert!(!report.is_ok());
    assert!(
        report
            .seal_problems
            .iter()
            .any(|p| p.contains(&format!("{}.sha256", files[1])) && p.contains("missing")),
        "{:?}",
        report.seal_problems
    );

    // A middle file rewritten and its seal recomputed: the next seal's digest of it differs.
    let replaced = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), replaced.path());
    let records: Vec<_> = WarcReader::open(&replaced.path().join(&files[1]))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tamper_with_record(replaced.path(), &files[1], records[1].offset);
    let new_sha = sha256_hex(&std::fs::read(replaced.path().join(&files[1])).unwrap());
    let old_seal = seal_text(replaced.path(), &files[1]);
    let resealed: String = old_seal
        .lines()
        .map(|l| {
            if l.starts_with('#') {
                format!("{l}\n")
            } else {
                format!("{new_sha}  {}\n", files[1])
            }
        })
        .collect();
    std::fs::write(
        replaced.path().join(format!("{}.sha256", files[1])),
        resealed,
    )
    .unwrap();
    let report = verify(replaced.path()).unwrap();
    assert!(
        report.file_digest_mismatches.is_empty(),
        "resealed consistently"
    );
    assert!(
        report
            .seal_problems
            .iter()
            .any(|p| p.contains("replaced or changed")),
        "{:?}",
        report.seal_problems
    );
    assert!(!report.is_ok());

    // A file whose seal alone is deleted is unsealed, and the chain is broken after it.
    let unsealed = tempfile::tempdir().unwrap();
    copy_dir(dir.path(), unsealed.path());
    std::fs::remove_file(unsealed.path().join(format!("{}.sha256", files[0]))).unwrap();
    let report = verify(unsealed.path()).unwrap();
    assert_eq!(report.unsealed_files, vec![files[0].clone()]);
    assert_eq!(report.seal_problems.len(), 1, "{:?}", report.seal_problems);
}

#[test]
fn a_file_left_open_is_cut_after_its_last_whole_record_and_sealed_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(dir.path(), info(), 1 << 30).unwrap();
    let locs: Vec<_> = sample_exchanges()[..3]
        .iter()
        .map(|ex| w.write_exchange(ex).unwrap())
        .collect();
    w.sync().unwrap();
    std::mem::forget(w); // killed
    let file = locs[0].file.clone();
    let path = dir.path().join(&file);
    let raw = std::fs::read(&path).unwrap();
    let last = locs.last().unwrap();
    let cut = (last.offset + last.length / 2) as usize;
    std::fs::write(&path, &raw[..cut]).unwrap();
    let torn = &raw[last.offset as usize..cut];

    let mut next = WarcWriter::open(dir.path(), info(), 1 << 30).unwrap();
    let repairs = next.repairs().to_vec();
    assert_eq!(repairs.len(), 1, "{repairs:?}");
    assert_eq!(repairs[0].file, file);
    let t = repairs[0].torn.clone().unwrap();
    assert_eq!((t.offset, t.bytes), (last.offset, torn.len() as u64));
    // The cut bytes are kept, the file ends after its last whole record, and it is sealed.
    assert_eq!(std::fs::read(dir.path().join(&t.saved_as)).unwrap(), torn);
    assert_eq!(t.sha256, sha256_hex(torn));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), last.offset);
    assert!(seal_text(dir.path(), &file).contains("# repair: "));
    // The new file says what was done, right after its warcinfo.
    let new_file = next.current_file().unwrap().to_string();
    let records: Vec<_> = WarcReader::open(&dir.path().join(&new_file))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let note = String::from_utf8(records[1].record.block.clone()).unwrap();
    assert_eq!(records[1].record.record_type(), Some("metadata"));
    assert!(note.contains(&format!("sealed-file: {file}\r\n")), "{note}");
    assert!(
        note.contains(&format!("torn-offset: {}\r\n", last.offset)),
        "{note}"
    );
    next.write_exchange(&sample_exchanges()[3]).unwrap();
    next.close().unwrap();

    let report = verify(dir.path()).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.repairs.len(), 1);
    assert!(
        report.repairs[0].contains("cut off"),
        "{:?}",
        report.repairs
    );
    for loc in &locs[..2] {
        assert!(verify_location(dir.path(), loc).unwrap().is_empty());
    }
    warcio_accepts_every_file(dir.path());
}

fn not_modified(uri: &str) -> HttpExchange {
    let mut ex = exchange(
        ExchangePurpose::Page,
        uri,
        Some(304),
        &[
            ("ETag", "\"abc\""),
            ("Date", "Mon, 23 Nov 2026 18:31:00 GMT"),
        ],
        b"",
    );
    ex.request_headers
        .push(("If-None-Match".into(), "\"abc\"".into()));
    ex
}

#[test]
fn revisits_refer_to_the_archived_response_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = WarcWriter::open(dir.path(), info(), 1 << 30).unwrap();
    let page = &sample_exchanges()[0];
    let original = w.write_exchange(page).unwrap();
    let target = revisit_target_at(dir.path(), &original.file, original.offset).unwrap();
    assert_eq!(target.record_id, original.record_id);
    assert_eq!(target.target_uri, page.target_uri);
    assert_eq!(target.date, "2026-11-23T18:30:00.123456Z");
    assert_eq!(
        target.payload_digest.as_deref(),
        Some(original.payload_digest.as_str())
    );

    let revisit = w
        .write_revisit(&not_modified(&page.target_uri), &target)
        .unwrap();
    let mut same = page.clone();
    same.response_headers
        .retain(|(k, _)| k != "Transfer-Encoding");
    let identical = w.write_revisit(&same, &target).unwrap();
    // What did not happen is refused.
    let mut changed = page.clone();
    changed.body = b"other".to_vec();
    assert!(matches!(
        w.write_revisit(&changed, &target),
        Err(EvidenceError::NotRevisit(_))
    ));
    let missing = exchange(ExchangePurpose::Page, &page.target_uri, Some(404), &[], b"");
    assert!(w.write_revisit(&missing, &target).is_err());
    // A revisit of a revisit names the original response.
    assert_eq!(
        revisit_target_at(dir.path(), &revisit.file, revisit.offset).unwrap(),
        target
    );
    // One that refers to a response the archive does not have.
    let mut ghost = target.clone();
    ghost.record_id = "<urn:uuid:00000000-0000-4000-8000-000000000000>".into();
    let orphan = w
        .write_revisit(&not_modified(&page.target_uri), &ghost)
        .unwrap();
    w.close().unwrap();

    let rec = read_location(dir.path(), &revisit).unwrap();
    assert_eq!(rec.record_type(), Some("revisit"));
    assert_eq!(
        rec.header("WARC-Profile"),
        Some(PROFILE_SERVER_NOT_MODIFIED)
    );
    assert_eq!(
        rec.header("WARC-Refers-To"),
        Some(original.record_id.as_str())
    );
    assert_eq!(
        rec.header("WARC-Refers-To-Target-URI"),
        Some(page.target_uri.as_str())
    );
    assert_eq!(
        rec.header("WARC-Refers-To-Date"),
        Some("2026-11-23T18:30:00.123456Z")
    );
    assert_eq!(
        rec.header("WARC-Payload-Digest"),
        Some(original.payload_digest.as_str())
    );
    assert!(rec.block.starts_with(b"HTTP/1.1 304 Not Modified\r\n"));
    assert!(rec.block.ends_with(b"\r\n\r\n"));
    assert_eq!(revisit.payload_digest, original.payload_digest);
    let rec = read_location(dir.path(), &identical).unwrap();
    assert_eq!(rec.header("WARC-Profile"), Some(PROFILE_IDENTICAL_PAYLOAD));
    assert!(rec.block.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(
        rec.block.ends_with(b"\r\n\r\n"),
        "headers only, the body is not repeated"
    );

    // Copying an exchange takes the revisit with its request; finding a body never returns
    // a revisit (it holds no body).
    let copied = exchange_records(dir.path(), &revisit.file, revisit.offset).unwrap();
    let types: Vec<_> = copied.iter().map(|r| r.record_type.as_str()).collect();
    assert_eq!(types, ["request", "revisit"]);
    let key = (page.target_uri.clone(), sha256_hex(&page.body));
    let found = find_responses(dir.path(), &[key.clone()].into_iter().collect()).unwrap();
    assert_eq!(found[&key], (original.file.clone(), original.offset));

    // Digests of every revisit's block check out; the one referring to nothing is named.
    let report = verify(dir.path()).unwrap();
    assert_eq!(report.mismatches.len(), 1, "{:?}", report.mismatches);
    assert_eq!(report.mismatches[0].record_id, orphan.record_id);
    assert!(report.mismatches[0].what.contains("no intact response"));
    // The store may point at a revisit: it stands for the referred payload.
    let pointer = |loc: &RecordLocation, sha: &str| StorePointer {
        url: page.target_uri.clone(),
        file: loc.file.clone(),
        offset: loc.offset,
        length: loc.length,
        payload_sha256: sha.to_string(),
    };
    let options = VerifyOptions {
        store_pointers: vec![
            pointer(&revisit, &sha256_hex(&page.body)),
            pointer(&identical, &sha256_hex(b"a rewritten body")),
        ],
        ..VerifyOptions::default()
    };
    let report = verify_with(dir.path(), &options).unwrap();
    let store: Vec<_> = report
        .mismatches
        .iter()
        .filter(|m| m.what.starts_with("state store"))
        .collect();
    assert_eq!(store.len(), 1, "{:?}", report.mismatches);
    assert_eq!(store[0].record_id, identical.record_id);

    let index = warcio_accepts_every_file(dir.path());
    if !index.is_empty() {
        assert_eq!(
            index.matches("\"warc-type\": \"revisit\"").count(),
            3,
            "{index}"
        );
    }
}

#[test]
fn store_entries_are_checked_against_the_records_they_point_to() {
    let dir = tempfile::tempdir().unwrap();
    let (locs, _) = write_all(dir.path(), pharmwatch_evidence::DEFAULT_ROTATE_BYTES);
    let exchanges = sample_exchanges();
    let pointer = |i: usize, sha: String| StorePointer {
        url: exchanges[i].target_uri.clone(),
        file: locs[i].file.clone(),
        offset: locs[i].offset,
        length: locs[i].length,
        payload_sha256: sha,
    };
    let good = vec![
        pointer(0, sha256_hex(&exchanges[0].body)),
        pointer(1, sha256_hex(&exchanges[1].body)),
    ];
    let claims = vec![StorePayload {
        claimant: "listing a".into(),
        url: exchanges[0].target_uri.clone(),
        payload_sha256: sha256_hex(&exchanges[0].body),
    }];
    let options = VerifyOptions {
        store_pointers: good.clone(),
        store_payloads: claims.clone(),
        ..VerifyOptions::default()
    };
    let report = verify_with(dir.path(), &options).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.store_entries, 3);

    let mut wrong_body = pointer(1, sha256_hex(b"what the page said"));
    wrong_body.url = "http://127.0.0.1:8081/claimed".into();
    let at_metadata = pointer(4, sha256_hex(b""));
    let mut inside = pointer(0, sha256_hex(&exchanges[0].body));
    inside.offset += 1;
    let mut elsewhere = pointer(0, sha256_hex(&exchanges[0].body));
    elsewhere.file = "pharmwatch-9-gone-00000.warc.gz".into();
    let options = VerifyOptions {
        store_pointers: vec![wrong_body, at_metadata, inside, elsewhere],
        store_payloads: vec![StorePayload {
            claimant: "listing b".into(),
            url: "http://127.0.0.1:8081/x".into(),
            payload_sha256: sha256_hex(b"never archived"),
        }],
        ..VerifyOptions::default()
    };
    let report = verify_with(dir.path(), &options).unwrap();
    assert!(!report.is_ok());
    let whats: Vec<String> = report
        .mismatches
        .iter()
        .map(|m| {
            format!(
                "{} {} {} {:?}: {}",
                m.file, m.offset, m.record_id, m.url, m.what
            )
        })
        .collect();
    assert_eq!(whats.len(), 5, "{whats:#?}");
    let m = &report.mismatches;
    assert!(m.iter().any(|m| m.record_id == locs[1].record_id
        && m.url.as_deref() == Some("http://127.0.0.1:8081/claimed")
        && m.what.contains("sha256")));
    assert!(m.iter().any(|m| m.what.contains("metadata record")));
    assert!(
        m.iter()
            .any(|m| m.offset == locs[0].offset + 1 && m.what.contains("read whole"))
    );
    assert!(
        m.iter()
            .any(|m| m.what.contains("not in the evidence directory"))
    );
    assert!(m.iter().any(|m| m.what.contains("listing b")));
}
