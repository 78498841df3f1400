//! Browser capture (issue 21), with a real headless Chromium: the sample marketplace's shops
//! served script-rendered (each page a shell whose script fetches its content from a JSON
//! endpoint) are crawled by the real binary with `render = "browser"`, and what it extracts
//! and flags is compared with the ground truth.
//!
//! Needs the `browser` feature (the README's and `.ci/run`'s test command enable it). A test
//! is skipped (with a message) only when Chromium is not installed and
//! `PHARMWATCH_REQUIRE_BROWSER` is not set; `.ci/run` sets it, so there it must run.
#![cfg(feature = "browser")]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::browser::{
    RenderedCrawl, browser_installed, config_rendering, crawl_rendered_shop, scripted_shop,
};
use common::{crawl, pharmwatch, pharmwatch_raw, search_rules};
use pharmwatch_evidence::{WarcReader, WarcRecord, digest_matches};
use pharmwatch_marketplace::{APP_JS_PATH, CRASHES_PATH, NEVER_SETTLES_PATH, PAGE_JSON_PATH};

#[test]
fn a_script_rendered_shop_is_extracted_and_flagged_as_its_ground_truth_says() {
    if !browser_installed("a_script_rendered_shop_is_extracted_and_flagged") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = scripted_shop(&runtime, 12);
    let truth = running.ground_truth();
    assert!(
        truth.listings.iter().any(|t| t.flagged),
        "the sample needs flagged listings"
    );
    let tmp = tempfile::tempdir().unwrap();

    // Fetched over HTTP the pages are empty shells: nothing to extract.
    let http = config_rendering(&tmp.path().join("http"), &running.shops(), "http", "");
    let http_data = tmp.path().join("http/data");
    crawl(&http_data, &http);
    let from_shells = search_rules(http_data.to_str().unwrap(), "*", true);
    assert!(
        from_shells.is_empty(),
        "listings in script shells: {from_shells:?}"
    );

    // Rendered, every listing is there, each expected rule fires and nothing else is flagged.
    running.clear_request_log();
    let config = config_rendering(&tmp.path().join("browser"), &running.shops(), "browser", "");
    let data = tmp.path().join("browser/data");
    crawl(&data, &config);
    let data = data.to_str().unwrap();
    let all = search_rules(data, "*", true);
    let missing: Vec<_> = truth
        .listings
        .iter()
        .filter(|t| !all.contains_key(&t.url))
        .collect();
    assert!(
        missing.is_empty(),
        "not extracted from the rendered pages: {missing:#?}"
    );
    let flagged = search_rules(data, "*", false);
    for t in &truth.listings {
        let rules = flagged
            .get(&t.url)
            .map(|(r, _)| r.clone())
            .unwrap_or_default();
        let expected = t.expected_rules.iter().cloned().collect();
        assert!(
            rules.is_superset(&expected),
            "{}: expected {expected:?}, flagged {rules:?}",
            t.url
        );
        assert_eq!(
            t.expected_rules.is_empty(),
            rules.is_empty(),
            "{}: {rules:?}",
            t.url
        );
    }

    // The listings came from the script's JSON endpoint, which only the browser asked for.
    let log = running.request_log();
    let asked = log
        .iter()
        .filter(|r| r.path.starts_with(PAGE_JSON_PATH))
        .count();
    assert!(
        asked >= truth.listings.len(),
        "{asked} requests of {PAGE_JSON_PATH} for {} product pages",
        truth.listings.len()
    );
    runtime.block_on(running.shutdown());
}

/// Every record of a data directory's evidence archive, in file order.
fn archived_records(data: &Path) -> Vec<WarcRecord> {
    let evidence = data.join("evidence");
    let mut records = Vec::new();
    for name in pharmwatch_evidence::warc_files(&evidence).unwrap() {
        let mut reader = WarcReader::open(&evidence.join(name)).unwrap();
        while let Some(next) = reader.next_record() {
            records.push(next.unwrap().record);
        }
    }
    records
}

/// Width and height from a PNG's IHDR chunk, after checking its signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR", "a PNG starts with its IHDR chunk");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn the_archive_holds_every_request_the_browser_made_its_dom_and_a_screenshot() {
    if !browser_installed("the_archive_holds_every_request_the_browser_made") {
        return;
    }
    let RenderedCrawl {
        base,
        truth,
        log,
        data,
        tmp,
    } = crawl_rendered_shop(3);
    let records = archived_records(&data);
    let of_type = |kind: &'static str| {
        records
            .iter()
            .filter(move |r| r.record_type() == Some(kind))
    };

    // Every request the shop answered is archived as a response, the script and the JSON
    // endpoint included, and each of those is tied to the page that made it.
    let responses: BTreeMap<&str, &WarcRecord> = of_type("response")
        .map(|r| (r.target_uri().unwrap(), r))
        .collect();
    let response_ids: BTreeMap<&str, &str> = of_type("response")
        .map(|r| (r.record_id().unwrap(), r.target_uri().unwrap()))
        .collect();
    for request in &log {
        let url = format!("{base}{}", request.path);
        assert!(responses.contains_key(url.as_str()), "{url} not archived");
    }
    for request in log.iter().filter(|r| r.path.starts_with(PAGE_JSON_PATH)) {
        let record = responses[format!("{base}{}", request.path).as_str()];
        let page = record
            .header("WARC-Concurrent-To")
            .expect("tied to its page");
        assert!(
            response_ids.contains_key(page),
            "{page} is not a response record"
        );
    }
    let scripts = log.iter().filter(|r| r.path == APP_JS_PATH).count();
    assert!(scripts >= 1, "the browser never loaded {APP_JS_PATH}");

    // Each product page: a screenshot (a valid PNG of the page's width whose digest
    // verifies) and its rendered DOM (holding the listing), both tied to its response.
    for listing in &truth.listings {
        let page = responses[listing.url.as_str()];
        let page_id = page.record_id().unwrap();
        let resource = |uri: String| {
            of_type("resource")
                .find(|r| r.target_uri() == Some(uri.as_str()))
                .unwrap_or_else(|| panic!("no resource record {uri}"))
        };
        let shot = resource(format!("urn:view:{}", listing.url));
        assert_eq!(shot.header("Content-Type"), Some("image/png"));
        assert_eq!(shot.header("WARC-Concurrent-To"), Some(page_id));
        let digest = shot.header("WARC-Block-Digest").unwrap();
        assert!(digest_matches(digest, &shot.block).unwrap(), "{digest}");
        let (width, height) = png_size(&shot.block);
        assert_eq!(
            width, 1280,
            "the screenshot is as wide as the browser window"
        );
        assert!(height >= 400, "a full page is taller than {height} px");
        // `evidence show --screenshot` writes exactly that record's bytes.
        let file = tmp.path().join("shot.png");
        pharmwatch(&[
            "--data-dir",
            data.to_str().unwrap(),
            "evidence",
            "show",
            &listing.url,
            "--screenshot",
            file.to_str().unwrap(),
        ]);
        assert_eq!(std::fs::read(&file).unwrap(), shot.block);

        let dom = resource(format!("urn:dom:{}", listing.url));
        assert_eq!(dom.header("WARC-Concurrent-To"), Some(page_id));
        let digest = dom.header("WARC-Block-Digest").unwrap();
        assert!(digest_matches(digest, &dom.block).unwrap());
        let html = String::from_utf8_lossy(&dom.block);
        assert!(
            html.contains("data-rendered=\"yes\""),
            "the script did not run"
        );
        let title = html_escaped(&listing.title);
        assert!(
            html.contains(&title),
            "{} not in the rendered DOM",
            listing.title
        );
        // The page as fetched is the empty shell.
        let fetched = String::from_utf8_lossy(page.payload());
        assert!(fetched.contains("<div id=\"app\"></div>"), "{fetched}");
    }

    // A URL without a screenshot: an error naming it, nothing written.
    let robots = format!("{base}/robots.txt");
    let file = tmp.path().join("none.png");
    let out = pharmwatch_raw(&[
        "--data-dir",
        data.to_str().unwrap(),
        "evidence",
        "show",
        &robots,
        "--screenshot",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&robots));
    assert!(!file.exists());
}

/// Text as an HTML serialiser writes it in element content.
fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

#[test]
fn pages_that_never_settle_or_crash_fail_alone_and_the_rate_holds_for_every_request() {
    if !browser_installed("pages_that_never_settle_or_crash_fail_alone") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = scripted_shop(&runtime, 3);
    let base = running.shops()[0].base_url.clone();
    let truth = running.ground_truth();
    let tmp = tempfile::tempdir().unwrap();
    let config = config_rendering(tmp.path(), &running.shops(), "browser", "");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[crawl]\n", "[crawl]\nbrowser_page_timeout_secs = 20\n")
        .replace("rate = 100.0", "rate = 8.0")
        .replace(
            &format!("start_urls = [\"{base}/\"]"),
            &format!("start_urls = [\"{base}/\", \"{base}{NEVER_SETTLES_PATH}\", \"{base}{CRASHES_PATH}\"]"),
        );
    std::fs::write(&config, text).unwrap();
    let data = tmp.path().join("data");
    crawl(&data, &config);
    let log = running.request_log();
    runtime.block_on(running.shutdown());

    // The two hostile pages failed, each with its reason in the archive ...
    let records = archived_records(&data);
    let failure = |path: &str| {
        let url = format!("{base}{path}");
        records
            .iter()
            .filter(|r| r.record_type() == Some("metadata") && r.target_uri() == Some(url.as_str()))
            .map(|r| String::from_utf8_lossy(&r.block).into_owned())
            .find(|text| text.contains("fetch-error: render"))
            .unwrap_or_else(|| panic!("no render failure recorded for {url}"))
    };
    let stuck = failure(NEVER_SETTLES_PATH);
    assert!(stuck.contains("did not settle"), "{stuck}");
    let crashed = failure(CRASHES_PATH);
    assert!(crashed.contains("crashed"), "{crashed}");
    // Every request the shop answered, those the failed pages made included, is archived.
    let mut archived: BTreeMap<&str, usize> = BTreeMap::new();
    for record in records
        .iter()
        .filter(|r| r.record_type() == Some("response"))
    {
        *archived.entry(record.target_uri().unwrap()).or_default() += 1;
    }
    let mut asked: BTreeMap<String, usize> = BTreeMap::new();
    for request in &log {
        *asked.entry(format!("{base}{}", request.path)).or_default() += 1;
    }
    for (url, n) in &asked {
        let kept = archived.get(url.as_str()).copied().unwrap_or(0);
        assert!(kept >= *n, "{url}: asked {n} times, {kept} archived");
    }
    // ... and the crawl went on: every listing was read from its rendered page.
    let all = search_rules(data.to_str().unwrap(), "*", true);
    for t in &truth.listings {
        assert!(all.contains_key(&t.url), "{} not extracted", t.url);
    }

    // Every request the shop saw, the crawler's and the browser's alike, came at least the
    // site's interval (1/8 s) after the one before.
    let interval = std::time::Duration::from_millis(125);
    let tolerance = std::time::Duration::from_millis(1);
    let mut arrivals: Vec<_> = log.iter().map(|r| (r.at, r.path.as_str())).collect();
    arrivals.sort();
    assert!(arrivals.len() > 10, "{arrivals:?}");
    for pair in arrivals.windows(2) {
        let gap = pair[1].0 - pair[0].0;
        assert!(
            gap + tolerance >= interval,
            "{:?} then {:?} after {gap:?}",
            pair[0].1,
            pair[1].1
        );
    }
}

/// The shop's shells carry ETag and Last-Modified, as a static server sends them: a second
/// run must render the pages again rather than trust a 304 for an empty shell, and keep
/// every listing.
#[test]
fn a_rendered_shop_recrawled_keeps_every_listing() {
    if !browser_installed("a_rendered_shop_recrawled_keeps_every_listing") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = scripted_shop(&runtime, 3);
    let tmp = tempfile::tempdir().unwrap();
    let config = config_rendering(tmp.path(), &running.shops(), "browser", "");
    let data = tmp.path().join("data");
    crawl(&data, &config);
    let first = search_rules(data.to_str().unwrap(), "*", true).len();
    assert_eq!(first, running.ground_truth().listings.len());
    running.clear_request_log();
    crawl(&data, &config);
    let log = running.request_log();
    let not_modified: Vec<&str> = log
        .iter()
        .filter(|r| r.status == 304)
        .map(|r| r.path.as_str())
        .collect();
    assert!(
        not_modified.is_empty(),
        "rendered pages answered 304 (their shells would be kept, empty): {not_modified:?}"
    );
    let docs = common::search_docs(data.to_str().unwrap(), "*", true);
    assert_eq!(docs.len(), first);
    assert!(
        docs.iter().all(|d| d["gone_since"].is_null()),
        "a listing was lost on the second run"
    );
    runtime.block_on(running.shutdown());
}
