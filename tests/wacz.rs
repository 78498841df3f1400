//! `export case --wacz` (issue 21): the case package as a WACZ 1.1.1 file, checked with the
//! real binary against a crawled sample marketplace, by `wacz validate` (py-wacz, the
//! Webrecorder tool) and `warcio check` as independent readers, and by our own reading of
//! the ZIP: every listing page of `pages.jsonl` has its response in the CDXJ index, every
//! index line points at the record it names, and the hashes of `datapackage.json` hold.
//! With Chromium, the script-rendered shop's pages bring the requests the browser made, the
//! DOM and the screenshot into the package, and `serve`'s listing page shows the screenshot.
//!
//! `PHARMWATCH_WACZ` names the `wacz` command (`.ci/run` installs it next to warcio and sets
//! `PHARMWATCH_REQUIRE_WACZ=1`, which makes its absence a failure instead of a skip).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{check_file_with_warcio, crawled_market, pharmwatch, search_docs};
use pharmwatch_evidence::{read_record_at, surt};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `wacz` command, when the environment names it; panics when it must and does not.
fn wacz_command(test: &str) -> Option<PathBuf> {
    match std::env::var_os("PHARMWATCH_WACZ") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            assert!(
                std::env::var_os("PHARMWATCH_REQUIRE_WACZ").is_none(),
                "PHARMWATCH_REQUIRE_WACZ is set but PHARMWATCH_WACZ does not name `wacz` (pip install wacz)"
            );
            eprintln!(
                "SKIPPED `wacz validate` in {test}: PHARMWATCH_WACZ is not set (.ci/run sets it)"
            );
            None
        }
    }
}

/// `wacz validate -f FILE` must pass.
fn wacz_validate(test: &str, file: &Path) {
    let Some(wacz) = wacz_command(test) else {
        return;
    };
    let out = Command::new(&wacz)
        .args(["validate", "-f"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", wacz.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("is valid"),
        "wacz validate {} failed:\n{stdout}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A WACZ read back: each entry's bytes and whether it was stored uncompressed.
struct Wacz {
    entries: BTreeMap<String, (Vec<u8>, bool)>,
}

impl Wacz {
    fn open(path: &Path) -> Wacz {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut entries = BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let stored = entry.compression() == zip::CompressionMethod::Stored;
            let name = entry.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            entries.insert(name, (bytes, stored));
        }
        Wacz { entries }
    }

    fn bytes(&self, name: &str) -> &[u8] {
        &self
            .entries
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in the WACZ"))
            .0
    }

    fn json(&self, name: &str) -> Value {
        serde_json::from_slice(self.bytes(name)).unwrap()
    }

    /// The lines of `indexes/index.cdxj`: key, timestamp and fields.
    fn index(&self) -> Vec<(String, String, Value)> {
        String::from_utf8(self.bytes("indexes/index.cdxj").to_vec())
            .unwrap()
            .lines()
            .map(|line| {
                let mut parts = line.splitn(3, ' ');
                let key = parts.next().unwrap().to_string();
                let ts = parts.next().unwrap().to_string();
                let json = serde_json::from_str(parts.next().unwrap()).unwrap();
                (key, ts, json)
            })
            .collect()
    }

    /// The page lines of `pages/pages.jsonl` (after its header).
    fn pages(&self) -> Vec<Value> {
        let text = String::from_utf8(self.bytes("pages/pages.jsonl").to_vec()).unwrap();
        let mut lines = text
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap());
        let header = lines.next().expect("a header line");
        assert_eq!(header["format"], "json-pages-1.0", "{header}");
        lines.collect()
    }
}

/// Exports every listing of `data` with `--wacz`; returns the package directory.
fn export_wacz(data: &Path, out: &Path) -> PathBuf {
    let stdout = pharmwatch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "export",
        "case",
        "*",
        "--all",
        "--wacz",
        "--out",
        out.to_str().unwrap(),
    ])
    .stdout;
    let text = String::from_utf8_lossy(&stdout);
    assert!(text.contains("case.wacz lists"), "{text}");
    out.join("case.wacz")
}

/// What every WACZ must be, whatever was crawled: its files, stored WARC, hashes, index and
/// pages consistent with each other and with the package's WARC. Returns the index lines by
/// target URL, and the pages.
fn check_package(test: &str, dir: &Path) -> (BTreeMap<String, Vec<Value>>, Vec<Value>) {
    let path = dir.join("case.wacz");
    let wacz = Wacz::open(&path);
    let names: BTreeSet<&str> = wacz.entries.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "archive/evidence.warc.gz",
            "datapackage-digest.json",
            "datapackage.json",
            "indexes/index.cdxj",
            "pages/pages.jsonl",
        ])
    );
    // The WARC is the folder package's WARC byte for byte, stored (a player seeks in it).
    let warc = wacz.bytes("archive/evidence.warc.gz");
    assert_eq!(warc, std::fs::read(dir.join("evidence.warc.gz")).unwrap());
    assert!(wacz.entries["archive/evidence.warc.gz"].1, "WARC deflated");

    // datapackage.json names every other file with its hash and size; the digest file
    // names datapackage.json's.
    let package = wacz.json("datapackage.json");
    assert_eq!(package["profile"], "data-package");
    assert_eq!(package["wacz_version"], "1.1.1");
    assert!(
        package["software"]
            .as_str()
            .unwrap()
            .starts_with("pharmwatch/")
    );
    assert!(package["created"].as_str().unwrap().ends_with('Z'));
    let resources = package["resources"].as_array().unwrap();
    let listed: BTreeSet<&str> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 3, "{package}");
    for r in resources {
        let bytes = wacz.bytes(r["path"].as_str().unwrap());
        assert_eq!(r["hash"], format!("sha256:{}", sha256_hex(bytes)));
        assert_eq!(r["bytes"], bytes.len());
    }
    let digest = wacz.json("datapackage-digest.json");
    assert_eq!(
        digest["hash"],
        format!("sha256:{}", sha256_hex(wacz.bytes("datapackage.json")))
    );

    // Every index line points at the record it names, in sorted order.
    let index = wacz.index();
    assert!(!index.is_empty());
    let keys: Vec<(&str, &str)> = index.iter().map(|(k, t, _)| (&k[..], &t[..])).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "index not sorted");
    let unpacked = tempfile::tempdir().unwrap();
    std::fs::write(unpacked.path().join("evidence.warc.gz"), warc).unwrap();
    let mut by_url: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (key, ts, fields) in &index {
        let url = fields["url"].as_str().unwrap();
        assert_eq!(key, &surt(url));
        assert_eq!(fields["filename"], "evidence.warc.gz");
        let offset: u64 = fields["offset"].as_str().unwrap().parse().unwrap();
        let length: usize = fields["length"].as_str().unwrap().parse().unwrap();
        let record = read_record_at(unpacked.path(), "evidence.warc.gz", offset).unwrap();
        assert_eq!(record.target_uri(), Some(url));
        let date: String = record
            .header("WARC-Date")
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        assert_eq!(ts, &date);
        // The member ends where the next begins (or the file ends).
        let end = offset as usize + length;
        assert!(end == warc.len() || warc[end..].starts_with(&[0x1f, 0x8b]));
        by_url
            .entry(url.to_string())
            .or_default()
            .push(fields.clone());
    }
    // The index agrees with Webrecorder's own indexer, when it is installed beside `wacz`.
    if let Some(indexer) = wacz_command(test)
        .map(|w| w.with_file_name("cdxj-indexer"))
        .filter(|p| p.is_file())
    {
        let out = Command::new(indexer)
            .arg(unpacked.path().join("evidence.warc.gz"))
            .output()
            .unwrap();
        assert!(out.status.success());
        let theirs: BTreeSet<(String, String, String)> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, ' ');
                let (key, ts) = (parts.next()?, parts.next()?);
                let fields: Value = serde_json::from_str(parts.next()?).ok()?;
                Some((key.into(), ts.into(), fields["offset"].as_str()?.into()))
            })
            .collect();
        for (key, ts, fields) in &index {
            let offset = fields["offset"].as_str().unwrap().to_string();
            assert!(
                theirs.contains(&(key.clone(), ts.clone(), offset)),
                "cdxj-indexer has no line {key} {ts} at {}",
                fields["offset"]
            );
        }
    }

    // Every page has its response in the index, at the page's time.
    let pages = wacz.pages();
    for page in &pages {
        let url = page["url"].as_str().unwrap();
        let ts: String = page["ts"]
            .as_str()
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let lines = by_url.get(url).map(Vec::as_slice).unwrap_or_default();
        assert!(
            index.iter().any(|(k, t, f)| k == &surt(url)
                && t == &ts
                && f["status"] == "200"
                && f["mime"] == "text/html"),
            "{url} at {ts}: no response in the index ({lines:?})"
        );
    }

    // Independent readers: py-wacz and warcio.
    wacz_validate(test, &path);
    check_file_with_warcio(&unpacked.path().join("evidence.warc.gz"));
    // The WACZ is one more file of the package, under its manifest.
    pharmwatch(&["export", "verify", dir.to_str().unwrap()]);
    (by_url, pages)
}

#[test]
fn a_case_exported_as_wacz_validates_and_indexes_every_listing_page() {
    let crawled = crawled_market(2);
    let data = crawled.data.to_str().unwrap();
    let out = crawled.tmp.path().join("case");
    export_wacz(&crawled.data, &out);
    let (_, pages) = check_package("a_case_exported_as_wacz", &out);

    // Every listing's page is listed (once), with a title.
    let listings = search_docs(data, "*", true);
    assert!(!listings.is_empty());
    let listed: BTreeSet<&str> = pages.iter().map(|p| p["url"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), pages.len(), "a page listed twice");
    for doc in &listings {
        let url = doc["listing"]["url"].as_str().unwrap();
        assert!(listed.contains(url), "{url} not in pages.jsonl");
    }
    assert!(
        pages
            .iter()
            .all(|p| !p["title"].as_str().unwrap().is_empty())
    );

    // A package without --wacz has no WACZ.
    let plain = crawled.tmp.path().join("plain");
    pharmwatch(&[
        "--data-dir",
        data,
        "export",
        "case",
        "*",
        "--all",
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(!plain.join("case.wacz").exists());

    // A listing of a page fetched over HTTP has no screenshot: no image on its page, and
    // the route answers 404.
    let id = listings[0]["listing"]["id"].as_str().unwrap();
    let server = common::Server::start(&crawled.data, None);
    let html = server.get(&format!("/listing/{id}"));
    assert!(!html.contains("<img"), "{html}");
    let (status, _, _) = fetch(&server.url(&format!("/evidence/screenshot/{id}")));
    assert_eq!(status, 404);
    let (status, _, _) = fetch(&server.url("/evidence/screenshot/no-such-listing"));
    assert_eq!(status, 404);
}

/// The script-rendered shop: what the browser loaded, the DOM and the screenshot travel in
/// the WACZ, and the listing page of `serve` shows the screenshot from the archive.
#[cfg(feature = "browser")]
#[test]
fn a_rendered_shop_exports_its_screenshots_and_the_listing_page_shows_them() {
    use common::Server;
    use common::browser::{RenderedCrawl, browser_installed, crawl_rendered_shop};
    use pharmwatch_marketplace::{APP_JS_PATH, PAGE_JSON_PATH};

    if !browser_installed("a_rendered_shop_exports_its_screenshots") {
        return;
    }
    let RenderedCrawl {
        base,
        truth,
        log,
        data,
        tmp,
    } = crawl_rendered_shop(3);

    let out = tmp.path().join("case");
    export_wacz(&data, &out);
    let (index, pages) = check_package("a_rendered_shop_exports_its_screenshots", &out);
    let listed: BTreeSet<&str> = pages.iter().map(|p| p["url"].as_str().unwrap()).collect();
    for listing in &truth.listings {
        assert!(listed.contains(listing.url.as_str()), "{}", listing.url);
        // The screenshot and the DOM are in the index as the resources they are.
        let shot = &index[&format!("urn:view:{}", listing.url)];
        assert_eq!(shot[0]["mime"], "image/png");
        let dom = &index[&format!("urn:dom:{}", listing.url)];
        assert_eq!(dom[0]["mime"], "text/html");
    }
    // What the listings' pages fetched is there too (the script, each page's JSON), so a
    // player replays the pages whole.
    let of_listing = |path: &str| {
        let page = path
            .strip_prefix(&format!("{PAGE_JSON_PATH}?path="))
            .map(|p| p.replace("%2F", "/"));
        page.is_some_and(|p| truth.listings.iter().any(|l| l.url == format!("{base}{p}")))
    };
    let fetched: Vec<_> = log
        .iter()
        .filter(|r| r.path == APP_JS_PATH || of_listing(&r.path))
        .collect();
    assert!(fetched.len() > truth.listings.len(), "{fetched:?}");
    for request in fetched {
        let url = format!("{base}{}", request.path);
        assert!(index.contains_key(&url), "{url} not in the WACZ");
    }

    // `serve`: the listing page shows the screenshot, served from the archive as a PNG.
    let server = Server::start(&data, None);
    let docs = search_docs(data.to_str().unwrap(), "*", true);
    let doc = docs
        .iter()
        .find(|d| d["listing"]["url"] == truth.listings[0].url.as_str())
        .expect("the first listing is indexed");
    let id = doc["listing"]["id"].as_str().unwrap();
    let digest = doc["listing"]["evidence_digest"].as_str().unwrap();
    let html = server.get(&format!("/listing/{id}"));
    let src = format!("src=\"/evidence/screenshot/{id}\"");
    assert!(
        html.contains(&src),
        "no screenshot on the listing page:\n{html}"
    );
    assert!(html.contains("alt=\"Screenshot of "), "{html}");
    let (status, content_type, png) = fetch(&server.url(&format!("/evidence/screenshot/{id}")));
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let archived = pharmwatch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "evidence",
        "show",
        &truth.listings[0].url,
        "--screenshot",
        tmp.path().join("shot.png").to_str().unwrap(),
    ]);
    assert!(archived.status.success());
    assert_eq!(png, std::fs::read(tmp.path().join("shot.png")).unwrap());
    // Each listing gets its own page's screenshot, though the pages share one shell.
    let other = docs
        .iter()
        .find(|d| d["listing"]["url"] == truth.listings[1].url.as_str())
        .expect("the second listing is indexed");
    assert_eq!(other["listing"]["evidence_digest"], digest, "one shell");
    let other_id = other["listing"]["id"].as_str().unwrap();
    let (_, _, other_png) = fetch(&server.url(&format!("/evidence/screenshot/{other_id}")));
    assert!(other_png.starts_with(b"\x89PNG") && other_png != png);
    // The listing is read from the rendered DOM but points at the page's response, whose
    // body is the shell as fetched (the same shell for every page of the shop, so the
    // screenshot above is found by the listing's page, not by this digest).
    let shell = server.get(&format!("/archive/{digest}"));
    assert!(shell.contains("<div id=\"app\"></div>"), "{shell}");
    assert_eq!(sha256_hex(shell.as_bytes()), digest);
}

/// GET `url` (blocking): status, `Content-Type` and body.
fn fetch(url: &str) -> (u16, String, Vec<u8>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let res = reqwest::get(url).await.unwrap();
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, content_type, res.bytes().await.unwrap().to_vec())
    })
}
