//! Case packages (`pharmwatch export case|verify`) through the real binary, against a real
//! crawl (twice: the second answered mostly 304) of the sample marketplace plus a small shop
//! whose titles are spreadsheet formulas.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{crawl, pharmwatch_raw, root, search_docs, write_config};
use pharmwatch_evidence::{WarcReader, read_record_at, verify_file, warc_digest_to_hex};
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};
use pharmwatch_model::sha256_hex;
use pharmwatch_store::{SqliteStore, StateStore};
use serde_json::Value;

const FILES: [&str; 8] = [
    "README.txt",
    "SHA256SUMS",
    "evidence.warc.gz",
    "listings.csv",
    "listings.json",
    "manifest.json",
    "networks.graphml",
    "networks.svg",
];

const HOSTILE_TITLE: &str = "=cmd|' /C calc'!A0 Oxycodone 30mg x 60 tablets no prescription";

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The data directory: the sample marketplace and the formula shop, crawled twice.
fn data() -> &'static Path {
    static DATA: OnceLock<PathBuf> = OnceLock::new();
    DATA.get_or_init(|| std::thread::spawn(build).join().unwrap())
}

fn formula_page(path: &str) -> Option<String> {
    let body = match path {
        "/" => r#"<h1>Ads</h1><a href="/ad/1.html">one</a>"#.to_string(),
        "/ad/1.html" => format!(
            r#"<div class="listing"><h1 class="listing-title">{HOSTILE_TITLE}</h1>
<div class="listing-price">12,99 €</div><div class="listing-quantity">60 tablets</div>
<div class="listing-description">Oxycodone, no doctor needed. Stealth shipping.</div>
<div class="listing-seller">@pills</div>
<div class="listing-contact">Telegram: @pillsdirect</div>
<div class="listing-payment">Payment: Bitcoin</div></div>"#
        ),
        _ => return None,
    };
    Some(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>"
    ))
}

fn build() -> PathBuf {
    use axum::http::{StatusCode, Uri, header};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let market = Marketplace::generate(&MarketplaceOptions {
        listings_per_shop: 12,
        ..MarketplaceOptions::default()
    });
    let running = runtime
        .block_on(pharmwatch_marketplace::serve(market))
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(|uri: Uri| async move {
        let (status, body) = match (uri.path(), formula_page(uri.path())) {
            ("/robots.txt", _) => (StatusCode::OK, "User-agent: *\nDisallow:\n".to_string()),
            (_, Some(page)) => (StatusCode::OK, page),
            (_, None) => (StatusCode::NOT_FOUND, "not found".to_string()),
        };
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
    });
    runtime.spawn(async move { axum::serve(listener, app).await });

    let dir = fresh_dir("export");
    let config = write_config(&dir, &running.shops());
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "[[site]]\nname = \"formulas\"\nkind = \"classifieds\"\nstart_urls = [{:?}]\n\
         rate = 100.0\ncurrency = \"EUR\"\nprofile = {:?}\n",
        format!("{base}/"),
        root().join("config/sites/quickads.toml"),
    ));
    std::fs::write(&config, text).unwrap();
    let data = dir.join("data");
    crawl(&data, &config);
    // The second crawl is answered 304 for unchanged pages: their page rows then point at a
    // 304 response, and the export must still find the 200 the listing was read from.
    crawl(&data, &config);
    runtime.block_on(running.shutdown());
    data
}

fn export(args: &[&str]) -> std::process::Output {
    let mut all = vec!["--data-dir", data().to_str().unwrap(), "export"];
    all.extend_from_slice(args);
    pharmwatch_raw(&all)
}

fn out_dir(name: &str) -> PathBuf {
    let parent = fresh_dir(&format!("export-out-{name}"));
    parent.join("case")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Listing id → search hit (`search --json`), for the same query.
fn search_hits(query: &str) -> BTreeMap<String, Value> {
    search_docs(data().to_str().unwrap(), query, false)
        .into_iter()
        .filter_map(|doc| Some((doc["listing"]["id"].as_str()?.to_string(), doc)))
        .collect()
}

fn csv_rows(dir: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join("listings.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// What a CSV cell holds for scraped text: formulas get a leading apostrophe.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn file_bytes(path: &Path, offset: u64, length: u64) -> Vec<u8> {
    let all = std::fs::read(path).unwrap();
    all[offset as usize..(offset + length) as usize].to_vec()
}

/// `warcio check` and `warcio index` on the package's WARC, when CI installed warcio.
fn check_with_warcio(file: &Path) {
    let lines = common::check_file_with_warcio(file);
    if lines.is_empty() {
        return;
    }
    // One index line per record, each naming its type.
    assert!(lines.lines().any(|l| l.contains("\"warcinfo\"")), "{lines}");
    assert!(lines.lines().any(|l| l.contains("\"response\"")), "{lines}");
    assert!(lines.lines().any(|l| l.contains("\"request\"")), "{lines}");
}

#[test]
fn a_case_package_holds_every_hit_with_byte_exact_verifiable_evidence() {
    let query = "drug:* AND severity:>=medium";
    let hits = search_hits(query);
    assert!(hits.len() >= 5, "too few hits to test with: {}", hits.len());
    let out = out_dir("full");
    let made = export(&["case", query, "--out", out.to_str().unwrap()]);
    assert!(made.status.success(), "{}{}", stdout(&made), stderr(&made));
    assert!(
        stdout(&made).contains(&format!("exported {} listings", hits.len())),
        "{}",
        stdout(&made)
    );

    // Exactly the package's files, and nothing left beside it.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, FILES);
    let siblings = std::fs::read_dir(out.parent().unwrap()).unwrap().count();
    assert_eq!(siblings, 1, "a temporary directory was left behind");

    // The manifest and SHA256SUMS agree with digests computed here.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["query"], query);
    assert_eq!(manifest["listings"], hits.len());
    let listed: BTreeMap<String, (String, u64)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["path"].as_str().unwrap().to_string();
            let pair = (
                f["sha256"].as_str().unwrap().to_string(),
                f["size"].as_u64().unwrap(),
            );
            (name, pair)
        })
        .collect();
    let expected: BTreeSet<&str> = FILES
        .iter()
        .copied()
        .filter(|f| !["manifest.json", "SHA256SUMS"].contains(f))
        .collect();
    assert_eq!(
        listed.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        expected
    );
    for (name, (sha, size)) in &listed {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(&sha256_hex(&bytes), sha, "{name}");
        assert_eq!(bytes.len() as u64, *size, "{name}");
    }
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), FILES.len() - 1);
    for line in sums.lines() {
        let (sha, name) = line.split_once("  ").unwrap();
        assert_eq!(sha256_hex(&std::fs::read(out.join(name)).unwrap()), sha);
    }
    match Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
    {
        Ok(o) => assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o)),
        Err(_) => eprintln!("skipped `sha256sum -c`: no sha256sum on this machine"),
    }

    // One CSV row per hit, with the fields of the hit.
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), hits.len());
    let ids: BTreeSet<&str> = rows.iter().map(|r| r["listing_id"].as_str()).collect();
    assert_eq!(ids, hits.keys().map(String::as_str).collect());
    let json: Vec<Value> =
        serde_json::from_slice(&std::fs::read(out.join("listings.json")).unwrap()).unwrap();
    assert_eq!(json.len(), rows.len());

    let store = SqliteStore::open(&data().join("state.sqlite")).unwrap();
    let evidence_dir = data().join("evidence");
    let package_warc = out.join("evidence.warc.gz");
    let mut after_304 = 0;
    let mut with_units = 0;
    for (row, json_row) in rows.iter().zip(&json) {
        let doc = &hits[&row["listing_id"]];
        let (l, v) = (&doc["listing"], &doc["verdict"]);
        assert_eq!(
            json_row["listing_id"].as_str(),
            Some(row["listing_id"].as_str())
        );
        assert_eq!(row["url"], l["url"].as_str().unwrap());
        assert_eq!(row["product_name"], cell(l["title"].as_str().unwrap()));
        assert_eq!(row["site"], l["site"].as_str().unwrap());
        assert_eq!(row["domain"], l["domain"].as_str().unwrap());
        assert_eq!(row["severity"], v["severity"].as_str().unwrap());
        let drugs: BTreeSet<&str> = v["drugs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["drug"].as_str().unwrap())
            .collect();
        let inns: BTreeSet<&str> = row["inn"].split("; ").collect();
        assert_eq!(inns, drugs);
        let rules: Vec<&str> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["rule_id"].as_str().unwrap())
            .collect();
        assert_eq!(row["rule_ids"], rules.join("; "));
        assert!(!row["rule_titles"].is_empty());
        assert!(!row["suspicion_evidence"].is_empty());
        assert!(!row["first_detected"].is_empty() && !row["last_seen"].is_empty());
        if let Some(price) = l["price"].as_object() {
            assert_eq!(row["currency"], price["currency"].as_str().unwrap());
        }
        if let Some(units) = l["quantity"]["units"].as_u64() {
            assert_eq!(row["pack_size"], units.to_string());
            with_units += 1;
        }
        assert_eq!(row["page_sha256"], l["evidence_digest"].as_str().unwrap());

        // The response record: the same bytes in the package as in the archive, the 200
        // the listing was read from (also when the page's latest fetch was a 304).
        let source_off: u64 = row["evidence_source_offset"].parse().unwrap();
        let len: u64 = row["evidence_source_length"].parse().unwrap();
        let package_off: u64 = row["evidence_package_offset"].parse().unwrap();
        assert_eq!(row["evidence_package_length"], len.to_string());
        let source = evidence_dir.join(&row["evidence_source_file"]);
        assert_eq!(
            file_bytes(&package_warc, package_off, len),
            file_bytes(&source, source_off, len),
            "{}",
            row["url"]
        );
        let record = read_record_at(&out, "evidence.warc.gz", package_off).unwrap();
        assert_eq!(record.record_type(), Some("response"));
        assert_eq!(record.record_id(), Some(row["evidence_record_id"].as_str()));
        assert_eq!(record.target_uri(), Some(row["url"].as_str()));
        assert_eq!(row["evidence_http_status"], "200");
        let payload = record.header("WARC-Payload-Digest").unwrap();
        assert_eq!(
            warc_digest_to_hex(payload).as_deref(),
            Some(row["page_sha256"].as_str())
        );
        if store.page(&row["url"]).unwrap().unwrap().status == Some(304) {
            after_304 += 1;
        }
    }
    assert!(
        after_304 > 0,
        "no listing's page answered 304: the fallback went untested"
    );
    assert!(with_units > 0);

    // The package's WARC: its own warcinfo first, then whole exchanges, every digest intact.
    let mut reader = WarcReader::open(&package_warc).unwrap();
    let first = reader.next_record().unwrap().unwrap();
    assert_eq!(first.record.record_type(), Some("warcinfo"));
    let info = String::from_utf8_lossy(&first.record.block).into_owned();
    assert!(
        info.contains(&format!("export-query: {query}\r\n")),
        "{info}"
    );
    let rest: Vec<_> = reader.map(|r| r.unwrap()).collect();
    let responses: BTreeSet<&str> = rest
        .iter()
        .filter(|r| r.record.record_type() == Some("response"))
        .map(|r| r.record.record_id().unwrap())
        .collect();
    let requests = rest
        .iter()
        .filter(|r| r.record.record_type() == Some("request"))
        .filter(|r| responses.contains(r.record.header("WARC-Concurrent-To").unwrap()))
        .count();
    assert_eq!(requests, responses.len(), "every response has its request");
    let report = verify_file(&out, "evidence.warc.gz").unwrap();
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);
    check_with_warcio(&package_warc);

    // `export verify` passes, then names the file whose byte changed.
    let ok = export(&["verify", out.to_str().unwrap()]);
    assert!(ok.status.success(), "{}{}", stdout(&ok), stderr(&ok));
    assert!(stdout(&ok).contains(" 0 mismatches"), "{}", stdout(&ok));
    let csv_path = out.join("listings.csv");
    let mut bytes = std::fs::read(&csv_path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&csv_path, bytes).unwrap();
    let bad = export(&["verify", out.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    let report = stdout(&bad);
    assert!(
        report.contains("MISMATCH listings.csv: changed"),
        "{report}"
    );
    assert_eq!(report.matches("MISMATCH").count(), 1, "{report}");
}

#[test]
fn formulas_in_scraped_titles_are_neutralised_in_the_csv() {
    let out = out_dir("formulas");
    let made = export(&["case", "site:formulas", "--out", out.to_str().unwrap()]);
    assert!(made.status.success(), "{}{}", stdout(&made), stderr(&made));
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["product_name"], format!("'{HOSTILE_TITLE}"));
    let raw = std::fs::read_to_string(out.join("listings.csv")).unwrap();
    assert!(!raw.contains(",=cmd") && !raw.contains(",\"=cmd"), "{raw}");
    // The JSON keeps the page's text as printed; it is not read by spreadsheets.
    let json: Vec<Value> =
        serde_json::from_slice(&std::fs::read(out.join("listings.json")).unwrap()).unwrap();
    assert_eq!(json[0]["product_name"], HOSTILE_TITLE);
    assert_eq!(json[0]["contacts"][0]["kind"], "telegram");
}

#[test]
fn bad_queries_no_hits_and_used_directories_write_no_package() {
    let data = data().to_str().unwrap();

    // A syntax error reads exactly as in `search`, with the same exit code.
    let query = "price_usd:[0 TO";
    let searched = pharmwatch_raw(&["--data-dir", data, "search", query]);
    let out = out_dir("refused");
    let exported = export(&["case", query, "--out", out.to_str().unwrap()]);
    assert_eq!(exported.status.code(), Some(2));
    assert_eq!(exported.status.code(), searched.status.code());
    assert_eq!(stderr(&exported), stderr(&searched));
    assert!(stderr(&exported).contains('^'), "{}", stderr(&exported));
    assert!(!out.exists());

    // No hits: a clear message and nothing written.
    let none = export(&[
        "case",
        "drug:nosuchdrugatall",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("matched no flagged listings"),
        "{}",
        stderr(&none)
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(out.parent().unwrap()).unwrap().count(), 0);

    // A directory that holds anything is never written into.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let used = export(&["case", "drug:*", "--out", out.to_str().unwrap()]);
    assert_eq!(used.status.code(), Some(2));
    assert!(stderr(&used).contains("is not empty"), "{}", stderr(&used));
    let names: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(names.len(), 1);

    // An empty one is filled.
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    let filled = export(&[
        "case",
        "drug:*",
        "--limit",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(filled.status.success(), "{}", stderr(&filled));
    assert_eq!(csv_rows(&out).len(), 2);
    let verified = export(&["verify", out.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", stdout(&verified));
}
