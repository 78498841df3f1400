//! Runs after runs, through the real binary against local servers: every hop of a redirect
//! chain is its own evidence, a 304 keeps a page and its listings alive and its links
//! followed, and a listing is gone only on evidence that it is (then comes back).

mod common;
#[path = "../crawler/tests/server/mod.rs"]
mod server;

use std::collections::BTreeSet;
use std::path::Path;

use common::{crawl, pharmwatch, write_config};
use pharmwatch_evidence::{WarcReader, http_response_parts, warc_files};
use pharmwatch_store::{SqliteStore, StateStore};
use server::{Reply, Server};

fn product(name: &str, price: &str) -> Reply {
    Reply::html(format!(
        r#"<!doctype html><html><head><title>{name}</title>
<script type="application/ld+json">
{{"@context":"https://schema.org","@type":"Product","name":"{name}",
  "offers":{{"@type":"Offer","price":"{price}","priceCurrency":"USD"}}}}
</script></head><body><h1>{name}</h1><p class="price">${price}</p></body></html>"#
    ))
}

fn write_site_config(dir: &Path, base: &str) -> std::path::PathBuf {
    let root = common::root();
    let text = format!(
        "[crawl]\ntimeout_secs = 10\n\n[rules]\npacks = [{:?}]\nlexicon = {:?}\n\n\
         [[site]]\nname = \"chain\"\nkind = \"pharmacy\"\nstart_urls = [\"{base}/\"]\nrate = 100.0\n",
        root.join("rules/packs"),
        root.join("config/reference"),
    );
    let path = dir.join("pharmwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// (WARC-Type, WARC-Target-URI, HTTP status) of every record of the data dir's archive.
fn archived(data: &Path) -> Vec<(String, String, Option<u16>)> {
    let evidence = data.join("evidence");
    let mut out = Vec::new();
    for name in warc_files(&evidence).unwrap() {
        let mut reader = WarcReader::open(&evidence.join(name)).unwrap();
        while let Some(at) = reader.next_record() {
            let record = at.unwrap().record;
            let status = http_response_parts(&record).ok().map(|r| r.status);
            out.push((
                record.record_type().unwrap_or_default().to_string(),
                record.target_uri().unwrap_or_default().to_string(),
                status,
            ));
        }
    }
    out
}

fn show(data: &Path, url: &str) -> String {
    let out = pharmwatch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "evidence",
        "show",
        url,
        "--headers",
    ]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn each_hop_of_a_redirect_chain_is_archived_and_stored_under_its_own_url() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(Server::pages(vec![
        ("/robots.txt", Reply::status(404)),
        (
            "/",
            Reply::html(
                r#"<html><body><a href="/a">moved</a> <a href="/p/1">one</a></body></html>"#,
            ),
        ),
        ("/a", Reply::status(301).header("Location", "/b")),
        ("/b", Reply::status(302).header("Location", "/c")),
        ("/c", product("Landing Capsules 20mg", "42.00")),
        ("/p/1", product("Plain Tablets 10mg", "9.50")),
    ]));
    let base = format!("http://{}", shop.addr);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_site_config(tmp.path(), &base);
    let data = tmp.path().join("data");
    crawl(&data, &config);

    // Every request is its own response record, under the URL it asked for.
    let responses: BTreeSet<(String, Option<u16>)> = archived(&data)
        .into_iter()
        .filter(|(kind, _, _)| kind == "response")
        .map(|(_, uri, status)| (uri, status))
        .collect();
    let url = |p: &str| format!("{base}{p}");
    for (path, status) in [("/a", 301), ("/b", 302), ("/c", 200), ("/p/1", 200)] {
        assert!(
            responses.contains(&(url(path), Some(status))),
            "no {status} response archived for {path}: {responses:?}"
        );
    }
    assert_eq!(
        responses.iter().filter(|(u, _)| *u == url("/a")).count(),
        1,
        "only /a's own answer is archived under /a"
    );
    // The chain is in the archive too, as a metadata record about its last hop.
    assert!(
        archived(&data)
            .iter()
            .any(|(kind, uri, _)| kind == "metadata" && *uri == url("/c"))
    );

    // `evidence show` of each hop shows that hop.
    let a = show(&data, &url("/a"));
    assert!(
        a.contains("HTTP/1.1 301") && a.contains("location: /b"),
        "{a}"
    );
    let b = show(&data, &url("/b"));
    assert!(
        b.contains("HTTP/1.1 302") && b.contains("location: /c"),
        "{b}"
    );
    common::check_with_warcio(&data);
    let c = show(&data, &url("/c"));
    assert!(
        c.contains("HTTP/1.1 200") && c.contains("Landing Capsules"),
        "{c}"
    );

    // The listing stands on the last hop; the store knows how it was reached.
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let listings: Vec<String> = store
        .all_listings()
        .map(|l| l.unwrap().listing.url)
        .collect();
    assert!(listings.contains(&url("/c")), "{listings:?}");
    let hops: Vec<String> = store
        .redirects_to(&url("/c"))
        .unwrap()
        .into_iter()
        .map(|p| p.url)
        .collect();
    assert_eq!(hops, [url("/a"), url("/b")]);

    // The listing page shows the chain, each hop with its archived answer.
    let id = pharmwatch_model::ListingId::derive(&url("/c"), 0);
    let web = common::Server::start(&data, None);
    let html = web.get(&format!("/listing/{id}"));
    let chain = html
        .split("id=\"redirects\"")
        .nth(1)
        .expect("a redirect section");
    let (a_at, b_at) = (chain.find(&url("/a")), chain.find(&url("/b")));
    assert!(a_at.is_some() && a_at < b_at, "{chain}");
    assert!(chain.contains("answered 301") && chain.contains("answered 302"));
    drop(web);

    // Page counts count every request the site answered.
    let requests = shop.paths().iter().filter(|p| *p != "/robots.txt").count();
    assert_eq!(requests, 5);
    let run = store.runs().unwrap().remove(0);
    assert_eq!(run.counts["pages"], 5, "{}", run.counts);
    assert_eq!(run.counts["sites"]["chain"]["fetched"], 5, "{}", run.counts);
}

/// Ids of the stored listings that are live (not gone).
fn live_urls(data: &Path) -> BTreeSet<String> {
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    store
        .all_listings()
        .map(|l| l.unwrap())
        .filter(|l| l.gone_since.is_none())
        .map(|l| l.listing.url)
        .collect()
}

/// The latest run's report, as JSON.
fn report(data: &Path) -> serde_json::Value {
    let out = pharmwatch(&["--data-dir", data.to_str().unwrap(), "report", "--json"]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn report_urls(report: &serde_json::Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_unchanged_site_recrawled_four_times_keeps_every_listing_and_follows_its_links() {
    let crawled = common::crawled_market(12);
    let (running, data, config) = (&crawled.running, &crawled.data, &crawled.config);
    let truth = running.ground_truth();
    let all: BTreeSet<String> = truth.listings.iter().map(|t| t.url.clone()).collect();
    assert_eq!(live_urls(data), all);
    for run in 2..=4 {
        running.clear_request_log();
        crawl(data, config);
        let log = running.request_log();
        // Every product page was asked for again, and answered 304.
        let asked: BTreeSet<String> = log
            .iter()
            .filter(|r| r.status == 304)
            .map(|r| r.path.clone())
            .collect();
        for t in &truth.listings {
            assert!(
                asked.contains(&t.path),
                "run {run}: {} not revalidated",
                t.path
            );
        }
        assert_eq!(live_urls(data), all, "run {run}: a listing went missing");
        let report = report(data);
        assert!(
            report_urls(&report, "gone").is_empty(),
            "run {run}: {report}"
        );
        assert_eq!(report["counts"]["listings"], all.len(), "run {run}");
    }
    // The last seen time moved on with each 304.
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let last = store.runs().unwrap().remove(0);
    for l in store.all_listings().map(|l| l.unwrap()) {
        assert!(
            l.last_seen > l.first_seen,
            "{} not seen again",
            l.listing.url
        );
        assert_eq!(l.last_run, last.id);
    }
}

#[test]
fn a_listing_is_gone_when_its_page_is_and_back_when_it_returns_but_not_for_a_failure() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = common::serve_market(&runtime, 12);
    let truth = running.ground_truth();
    let all: BTreeSet<String> = truth.listings.iter().map(|t| t.url.clone()).collect();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    // Retries of the failing page need not take seconds.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replacen("[crawl]\n", "[crawl]\nretry_base_ms = 20\n", 1),
    )
    .unwrap();
    let data = tmp.path().join("data");
    crawl(&data, &config);

    // A server error (every retry too) is no evidence that a listing is gone.
    let flaky = &truth.listings[0];
    running.fail_next(&flaky.url, 500, 100);
    crawl(&data, &config);
    running.fail_next(&flaky.url, 500, 0);
    assert_eq!(live_urls(&data), all);
    assert!(report_urls(&report(&data), "gone").is_empty());

    // A 404 is.
    let removed = &truth.listings[1];
    running.fail_next(&removed.url, 404, 1);
    crawl(&data, &config);
    assert_eq!(report_urls(&report(&data), "gone"), [removed.url.as_str()]);
    let mut expected = all.clone();
    expected.remove(&removed.url);
    assert_eq!(live_urls(&data), expected);
    // Search says so too, on the command line and on the web page.
    let data_s = data.to_str().unwrap();
    let docs = common::search_docs(data_s, "*", true);
    let gone: Vec<&str> = docs
        .iter()
        .filter(|d| !d["gone_since"].is_null())
        .map(|d| d["listing"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(gone, [removed.url.as_str()]);
    let web = common::Server::start(&data, None);
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("flagged", "all")
        .append_pair("q", &format!("\"{}\"", removed.title))
        .finish();
    let page = web.get(&format!("/search?{query}"));
    assert!(page.contains(&removed.title), "{page}");
    assert_eq!(page.matches("gone since").count(), 1, "{page}");
    drop(web);

    // And it comes back when the page does; the report says so.
    crawl(&data, &config);
    assert_eq!(
        report_urls(&report(&data), "returned"),
        [removed.url.as_str()]
    );
    assert_eq!(live_urls(&data), all);
    common::check_with_warcio(&data);
}

/// A shop whose every page answers 304 to its own ETag: the start page too, so a re-crawl
/// reaches the products only through the links of archived copies.
async fn unchanging_shop() -> Server {
    Server::start(|hit| {
        let etag = format!("\"v1{}\"", hit.path);
        if hit.header("if-none-match") == Some(etag.as_str()) {
            return Reply::status(304).header("ETag", &etag);
        }
        let reply = match hit.path.as_str() {
            "/robots.txt" => return Reply::status(404),
            "/" => Reply::html(r#"<html><body><a href="/list">all products</a></body></html>"#),
            "/list" => Reply::html(
                (1..=5)
                    .map(|i| format!(r#"<a href="/p/{i}">product {i}</a> "#))
                    .collect::<String>(),
            ),
            p if p.starts_with("/p/") => product(&format!("Steady Tablets {}", &p[3..]), "12.00"),
            _ => return Reply::status(404),
        };
        reply.header("ETag", &etag)
    })
    .await
}

#[test]
fn a_site_answering_304_everywhere_keeps_its_listings_over_four_runs() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime.block_on(unchanging_shop());
    let base = format!("http://{}", shop.addr);
    let tmp = tempfile::tempdir().unwrap();
    let config = write_site_config(tmp.path(), &base);
    let data = tmp.path().join("data");
    crawl(&data, &config);
    let all = live_urls(&data);
    assert_eq!(all.len(), 5);

    for run in 2..=4 {
        let before = shop.hits().len();
        crawl(&data, &config);
        let asked: Vec<String> = shop.hits()[before..]
            .iter()
            .filter(|h| h.path != "/robots.txt")
            .map(|h| {
                assert!(
                    h.header("if-none-match").is_some(),
                    "run {run}: {} unconditional",
                    h.path
                );
                h.path.clone()
            })
            .collect();
        // Links were followed from the archived copies: every page was asked for again.
        assert_eq!(asked.len(), 7, "run {run}: {asked:?}");
        // Each 304 is a revisit record that names the response it confirms.
        let revisits = archived(&data)
            .iter()
            .filter(|(kind, _, _)| kind == "revisit")
            .count();
        assert_eq!(revisits, 7 * (run - 1), "run {run}");
        assert_eq!(live_urls(&data), all, "run {run}");
        let report = report(&data);
        assert!(
            report_urls(&report, "gone").is_empty(),
            "run {run}: {report}"
        );
        assert_eq!(report["counts"]["listings"], 5, "run {run}");
    }
    let verified = pharmwatch(&["--data-dir", data.to_str().unwrap(), "evidence", "verify"]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains(" 0 mismatches"));
    let index = common::check_with_warcio(&data);
    assert!(index.is_empty() || index.contains("\"revisit\""), "{index}");
    // `evidence show` of a page last answered 304 still shows the content it confirmed.
    let shown = show(&data, &format!("{base}/p/3"));
    assert!(shown.contains("Steady Tablets 3"), "{shown}");
}
