//! Evidence that stands up (issue 16), through the real binary against a tiny loopback shop:
//! `evidence verify` catches a consistent rewrite (the state store's digests), a deleted file
//! (the seal chain) and a store-referenced record cut short; a killed crawl's file is sealed
//! at the next start with its torn tail kept; a body cut by the timeout says so in
//! `WARC-Truncated`; warcio accepts every archive written here.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{crawl, pharmwatch_raw, root};
use pharmwatch_evidence::{WarcReader, warc_digest};
use pharmwatch_model::sha256_hex;
use pharmwatch_store::{SqliteStore, StateStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A shop of three pages on loopback. `/slow.html` sends its head and 100 bytes of a
/// 5,000-byte body, then nothing for 30 s while `stall` is set.
struct Shop {
    base: String,
    stall: Arc<AtomicBool>,
}

fn page(title: &str, links: &[&str]) -> String {
    let links: String = links
        .iter()
        .map(|l| format!("<a href=\"{l}\">{l}</a>\n"))
        .collect();
    format!(
        "<html><head><title>{title}</title></head><body><h1>{title}</h1>\n{links}</body></html>\n"
    )
}

fn serve(runtime: &tokio::runtime::Runtime, stall: bool) -> Shop {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stall = Arc::new(AtomicBool::new(stall));
    let stalling = stall.clone();
    runtime.spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else {
                return;
            };
            let stalling = stalling.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let body = match path.as_str() {
                    "/" => page("Tiny pharmacy", &["/p1.html", "/p2.html", "/slow.html"]),
                    "/p1.html" => page("Oxycodone 30mg no prescription", &["/"]),
                    "/p2.html" => page("Tramadol 100mg overnight", &["/"]),
                    "/slow.html" if stalling.load(Ordering::SeqCst) => {
                        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n";
                        let _ = conn.write_all(head.as_bytes()).await;
                        let _ = conn.write_all(&[b'x'; 100]).await;
                        let _ = conn.flush().await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    "/slow.html" => page("Slow page", &["/"]),
                    _ => {
                        let _ = conn
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .await;
                        return;
                    }
                };
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = conn.write_all(reply.as_bytes()).await;
            });
        }
    });
    Shop { base, stall }
}

fn write_config(dir: &Path, shop: &Shop) -> PathBuf {
    let text = format!(
        "[crawl]\ntimeout_secs = 2\nmax_retries = 0\n\n[rules]\npacks = [{:?}]\nlexicon = {:?}\n\n[[site]]\nname = \"tiny\"\nkind = \"pharmacy\"\nstart_urls = [\"{}/\"]\nrate = 100.0\n",
        root().join("rules/packs"),
        root().join("config/reference"),
        shop.base
    );
    let path = dir.join("pharmwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn warc_files(data: &Path) -> Vec<String> {
    pharmwatch_evidence::warc_files(&data.join("evidence")).unwrap()
}

fn verify(data: &Path) -> Output {
    pharmwatch_raw(&["--data-dir", data.to_str().unwrap(), "evidence", "verify"])
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The state store's page row for `url`: (file, offset, length, body sha256).
fn stored_page(data: &Path, url: &str) -> (String, u64, u64, String) {
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let page = store.page(url).unwrap().unwrap();
    let warc = page.warc.unwrap();
    (
        warc.file,
        warc.offset,
        warc.length,
        page.body_sha256.unwrap(),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Rewrites the response record at `offset` as a forger would: one word of its body
/// changed, `WARC-Block-Digest`, `WARC-Payload-Digest` and `Content-Length` recomputed, the
/// gzip member rebuilt, every other member kept. Returns the record's id.
fn forge_record(path: &Path, offset: u64) -> String {
    let raw = std::fs::read(path).unwrap();
    let records: Vec<_> = WarcReader::open(path)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let target = records.iter().find(|r| r.offset == offset).unwrap();
    let mut rec = target.record.clone();
    let text = String::from_utf8(rec.block.clone()).unwrap();
    assert!(text.contains("Oxycodone"), "{text}");
    rec.block = text.replace("Oxycodone", "Vitamin C").into_bytes();
    let body_at = rec.block.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let block_digest = warc_digest(&rec.block);
    let payload_digest = warc_digest(&rec.block[body_at..]);
    let len = rec.block.len().to_string();
    for (name, value) in rec.headers.iter_mut() {
        match name.as_str() {
            "WARC-Block-Digest" => *value = block_digest.clone(),
            "WARC-Payload-Digest" => *value = payload_digest.clone(),
            "Content-Length" => *value = len.clone(),
            _ => {}
        }
    }
    let mut text = b"WARC/1.1\r\n".to_vec();
    for (name, value) in &rec.headers {
        text.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    text.extend_from_slice(b"\r\n");
    text.extend_from_slice(&rec.block);
    text.extend_from_slice(b"\r\n\r\n");
    let mut out = raw[..offset as usize].to_vec();
    out.extend_from_slice(&gzip(&text));
    out.extend_from_slice(&raw[(offset + target.length) as usize..]);
    std::fs::write(path, out).unwrap();
    rec.record_id().unwrap().to_string()
}

#[test]
fn a_consistent_rewrite_with_its_seal_deleted_fails_verify_by_the_store_digests() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = serve(&runtime, false);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &shop);
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();
    crawl(&data, &config);
    let clean = verify(&data);
    assert!(clean.status.success(), "{}", stdout(&clean));
    let summary = stdout(&clean);
    assert!(summary.contains(" 0 mismatches"), "{summary}");
    assert!(summary.contains("store entries checked"), "{summary}");
    common::check_with_warcio(&data);

    let url = format!("{}/p1.html", shop.base);
    let (file, offset, _, sha) = stored_page(&data, &url);
    let evidence = data.join("evidence");
    let record_id = forge_record(&evidence.join(&file), offset);
    std::fs::remove_file(evidence.join(format!("{file}.sha256"))).unwrap();

    // The archive agrees with itself: warcio finds nothing wrong.
    common::check_with_warcio(&data);
    let out = verify(&data);
    let text = stdout(&out);
    eprintln!("{text}");
    assert!(!out.status.success(), "{text}");
    assert!(
        text.lines().any(|l| l
            .starts_with(&format!("MISMATCH {file} @ {offset} {record_id} ({url})"))
            && l.contains("state store")
            && l.contains(&sha)),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("MISMATCH {file}: not sealed"))),
        "{text}"
    );
    // `evidence show` refuses to pass the forged bytes off as the page.
    let shown = pharmwatch_raw(&["--data-dir", data_s, "evidence", "show", &sha]);
    assert!(!shown.status.success());
    assert!(String::from_utf8_lossy(&shown.stderr).contains("does not hold the body"));
    // The JSON report says the same.
    let json = pharmwatch_raw(&["--data-dir", data_s, "evidence", "verify", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["unsealed_files"][0], file.as_str());
    assert!(report["store_entries"].as_u64().unwrap() >= 4);
    runtime.shutdown_background();
}

#[test]
fn a_deleted_file_and_its_seal_break_the_seal_chain() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = serve(&runtime, false);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &shop);
    let data = tmp.path().join("data");
    crawl(&data, &config);
    crawl(&data, &config);
    crawl(&data, &config);
    let files = warc_files(&data);
    assert_eq!(files.len(), 3, "{files:?}");
    let clean = verify(&data);
    assert!(clean.status.success(), "{}", stdout(&clean));
    common::check_with_warcio(&data);

    // The seals were written in run order; the middle one goes, file and seal.
    let seq = |f: &str| {
        let text =
            std::fs::read_to_string(data.join("evidence").join(format!("{f}.sha256"))).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("# seq: ").map(|n| n.parse::<u32>().unwrap()))
            .unwrap()
    };
    let middle = files.iter().find(|f| seq(f) == 1).unwrap().clone();
    let evidence = data.join("evidence");
    std::fs::remove_file(evidence.join(&middle)).unwrap();
    std::fs::remove_file(evidence.join(format!("{middle}.sha256"))).unwrap();
    let out = verify(&data);
    let text = stdout(&out);
    eprintln!("{text}");
    assert!(!out.status.success(), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("MISMATCH seal chain:")
            && l.contains(&format!("{middle}.sha256"))
            && l.contains("deleted")),
        "{text}"
    );
    runtime.shutdown_background();
}

#[test]
fn a_store_referenced_record_cut_short_in_an_unsealed_file_fails_verify_by_name() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = serve(&runtime, false);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &shop);
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();
    crawl(&data, &config);
    common::check_with_warcio(&data);
    let url = format!("{}/p1.html", shop.base);
    let (file, offset, length, _) = stored_page(&data, &url);
    let evidence = data.join("evidence");
    let path = evidence.join(&file);
    let record_id = WarcReader::open(&path)
        .unwrap()
        .map(Result::unwrap)
        .find(|r| r.offset == offset)
        .unwrap()
        .record
        .record_id()
        .unwrap()
        .to_string();
    std::fs::remove_file(evidence.join(format!("{file}.sha256"))).unwrap();
    let raw = std::fs::read(&path).unwrap();
    std::fs::write(&path, &raw[..(offset + length / 2) as usize]).unwrap();

    let out = verify(&data);
    let text = stdout(&out);
    eprintln!("{text}");
    assert!(!out.status.success(), "{text}");
    assert!(
        text.lines().any(|l| l
            .starts_with(&format!("MISMATCH {file} @ {offset} {record_id} ({url})"))
            && l.contains("cannot be read whole")),
        "{text}"
    );
    let shown = pharmwatch_raw(&["--data-dir", data_s, "evidence", "show", &url]);
    assert!(!shown.status.success());
    runtime.shutdown_background();
}

/// `/slow.html` stalls mid-body: the crawl archives what arrived, marked `WARC-Truncated:
/// time`. Killed while it waits, the crawl leaves its file open; a torn record is added to
/// its end as a kill mid-write leaves one. The next crawl seals the file, keeps the torn
/// bytes aside and says so, and verify is clean.
#[test]
fn a_killed_crawls_file_is_sealed_at_the_next_start_and_a_timed_out_body_is_marked() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = serve(&runtime, true);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &shop);
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();

    // A whole crawl first: the slow page times out after 2 s.
    crawl(&data, &config);
    let slow = format!("{}/slow.html", shop.base);
    let mut truncated = Vec::new();
    for file in warc_files(&data) {
        for at in WarcReader::open(&data.join("evidence").join(&file)).unwrap() {
            let rec = at.unwrap().record;
            if rec.record_type() == Some("response") && rec.target_uri() == Some(slow.as_str()) {
                truncated.push((
                    rec.header("WARC-Truncated").map(str::to_string),
                    rec.payload().len(),
                ));
            }
        }
    }
    assert_eq!(truncated, vec![(Some("time".to_string()), 100)]);

    // Killed while the slow page stalls (a timeout long enough for the kill to land first).
    let patient = tmp.path().join("patient.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &patient,
        text.replace("timeout_secs = 2", "timeout_secs = 60"),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
        .args([
            "--data-dir",
            data_s,
            "--config",
            patient.to_str().unwrap(),
            "crawl",
        ])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let evidence = data.join("evidence");
    let started = std::time::Instant::now();
    let open_file = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the crawl opened no WARC file"
        );
        std::thread::sleep(Duration::from_millis(100));
        let unsealed: Vec<String> = warc_files(&data)
            .into_iter()
            .filter(|f| !evidence.join(format!("{f}.sha256")).exists())
            .collect();
        if let Some(f) = unsealed.first() {
            break f.clone();
        }
    };
    std::thread::sleep(Duration::from_millis(1_000));
    // While it runs, its file is being written: a note, not a failure.
    let running = verify(&data);
    assert!(running.status.success(), "{}", stdout(&running));
    assert!(stdout(&running).contains(&format!("note: {open_file} is being written")));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let path = evidence.join(&open_file);
    let before = std::fs::read(&path).unwrap();
    // Half of a record's gzip member, as a kill in the middle of a write leaves it.
    let whole = gzip(b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:11111111-2222-4333-8444-555555555555>\r\nContent-Length: 100000\r\n\r\n");
    let torn = &whole[..whole.len() / 2];
    std::fs::write(&path, [before.as_slice(), torn].concat()).unwrap();
    let killed = verify(&data);
    assert!(
        !killed.status.success(),
        "an unsealed file with no crawl running is a failure"
    );
    assert!(stdout(&killed).contains(&format!("MISMATCH {open_file}: not sealed")));

    shop.stall.store(false, Ordering::SeqCst);
    crawl(&data, &config);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "cut back to its last whole record"
    );
    assert_eq!(
        std::fs::read(evidence.join(format!("{open_file}.torn"))).unwrap(),
        torn
    );
    let out = verify(&data);
    let text = stdout(&out);
    eprintln!("{text}");
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 mismatches"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("note: sealed after a crash:")
                && l.contains(&open_file)
                && l.contains(&format!("{} bytes at offset {}", torn.len(), before.len()))
                && l.contains(&format!("{open_file}.torn"))
                && l.contains(&sha256_hex(torn))),
        "{text}"
    );
    common::check_with_warcio(&data);
    runtime.shutdown_background();
}
