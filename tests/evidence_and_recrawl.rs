//! Evidence and state across runs, through the real binary against the sample marketplace:
//! every exchange archived and verifiable (also by warcio when CI provides it), a recrawl
//! that asks conditionally and records what changed, and the data-directory lock.

mod common;

use std::path::Path;

use common::{crawl, crawl_raw, pharmwatch, pharmwatch_raw, search_docs, write_config};
use pharmwatch_marketplace::{
    Flags, Marketplace, MarketplaceOptions, NewListing, RunningMarketplace,
};
use pharmwatch_model::{ListingId, sha256_hex};
use pharmwatch_store::{DataDirLock, HistoryKind, SqliteStore, StateStore};
use rust_decimal::Decimal;

/// The sample marketplace with 30 listings a shop, served on loopback.
fn serve_small_market(runtime: &tokio::runtime::Runtime) -> RunningMarketplace {
    let market = Marketplace::generate(&MarketplaceOptions {
        listings_per_shop: 30,
        ..MarketplaceOptions::default()
    });
    runtime
        .block_on(pharmwatch_marketplace::serve(market))
        .unwrap()
}

fn warc_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    files.sort();
    files
}

#[test]
fn recrawl_asks_conditionally_records_changes_and_keeps_verifiable_evidence() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve_small_market(&runtime);
    let truth = running.ground_truth();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();

    crawl(&data, &config);
    let first_run_requests = running.request_log().len();
    let verified = pharmwatch(&["--data-dir", data_s, "evidence", "verify"]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains(" 0 mismatches"));
    common::check_with_warcio(&data);

    // The archived copy of a page is the exact body the store's digest names.
    let changed = truth
        .listings
        .iter()
        .find(|t| t.shop == "medsdirect")
        .unwrap();
    let shown = pharmwatch(&["--data-dir", data_s, "evidence", "show", &changed.url]);
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let page = store.page(&changed.url).unwrap().unwrap();
    assert_eq!(Some(sha256_hex(&shown.stdout)), page.body_sha256);
    drop(store);

    // Between runs: one price changes, one listing disappears, a suspicious one appears.
    let new_price = Decimal::new(1, 0);
    running.set_price(&changed.path, new_price).unwrap();
    let removed = truth
        .listings
        .iter()
        .find(|t| t.shop == "carewell")
        .unwrap();
    running.remove_listing(&removed.path).unwrap();
    let added = running
        .add_listing(
            "medsdirect",
            &NewListing {
                drug: Some("alprazolam".into()),
                obfuscation: None,
                price: None,
                units: None,
                flags: Flags {
                    no_prescription: true,
                    ..Flags::default()
                },
            },
        )
        .unwrap();

    crawl(&data, &config);
    let second: Vec<_> = running.request_log()[first_run_requests..].to_vec();
    runtime.block_on(running.shutdown());

    // Pages seen before are asked for conditionally; unchanged ones answer 304.
    let product = |p: &str| p.starts_with("/product/") || p.starts_with("/ad/");
    let conditional = second
        .iter()
        .filter(|r| product(&r.path) && r.if_none_match.is_some())
        .count();
    let not_modified = second.iter().filter(|r| r.status == 304).count();
    assert!(conditional >= truth.listings.len() - 2, "{conditional}");
    // (A few pages that link to the changed or removed listing changed too.)
    assert!(
        not_modified * 10 >= truth.listings.len() * 9,
        "{not_modified}"
    );
    let changed_fetch = second.iter().find(|r| r.path == changed.path).unwrap();
    assert_eq!(changed_fetch.status, 200);

    // History: the price change and the disappearance, nothing for the rest.
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let id = ListingId::derive(&changed.url, 0);
    let history = store.listing_history(&id).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].kind, HistoryKind::New);
    assert_eq!(history[1].kind, HistoryKind::Changed);
    assert_eq!(history[1].price.map(|p| p.amount), Some(new_price));
    let gone = store
        .listing(&ListingId::derive(&removed.url, 0))
        .unwrap()
        .unwrap();
    assert!(gone.gone_since.is_some());
    let runs = store.runs().unwrap();
    let second_run = runs.iter().map(|r| r.id).max().unwrap();
    let changes = store.listings_changed_in(second_run).unwrap();
    assert_eq!(changes.len(), 3, "{changes:?}");
    drop(store);

    // The second run's report names exactly those three changes.
    let out = pharmwatch(&["--data-dir", data_s, "report", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let urls = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                l.get("listing").unwrap_or(l)["url"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(urls("new_flagged"), vec![added.url.clone()]);
    assert_eq!(urls("price_changes"), vec![changed.url.clone()]);
    assert_eq!(urls("gone"), vec![removed.url.clone()]);
    assert!(urls("verdict_changes").iter().all(|u| u == &changed.url));
    let md = pharmwatch(&["--data-dir", data_s, "report", "--md"]);
    assert!(String::from_utf8_lossy(&md.stdout).contains("## Price changes (1)"));

    // Evidence still verifies, and a flipped byte is caught.
    pharmwatch(&["--data-dir", data_s, "evidence", "verify"]);
    common::check_with_warcio(&data);
    let file = &warc_files(&data)[0];
    let mut bytes = std::fs::read(file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(file, bytes).unwrap();
    let tampered = pharmwatch_raw(&["--data-dir", data_s, "evidence", "verify"]);
    assert!(!tampered.status.success());
    assert!(String::from_utf8_lossy(&tampered.stdout).contains("MISMATCH"));
}

#[test]
fn a_second_crawl_on_a_locked_data_dir_is_refused_with_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let _held = DataDirLock::acquire(&data).unwrap();
    let config = tmp.path().join("c.toml");
    std::fs::write(
        &config,
        "[[site]]\nname = \"x\"\nkind = \"pharmacy\"\nstart_urls = [\"http://127.0.0.1:9/\"]\n",
    )
    .unwrap();
    let out = crawl_raw(&data, &config);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("pid {}", std::process::id())),
        "{stderr}"
    );
}

/// Listing ids of every indexed listing (flagged or not), sorted, duplicates kept.
fn indexed_ids(data: &str) -> Vec<String> {
    let mut ids: Vec<String> = search_docs(data, "*", true)
        .iter()
        .map(|doc| doc["listing"]["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// New listings go into the index without a delete (the store is written first and never
/// forgets one); a recrawl, and a store replaced under a kept index, still leave each listing
/// in the index exactly once.
#[test]
fn each_listing_is_indexed_once_across_recrawls_and_a_replaced_store() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = serve_small_market(&runtime);
    let listings = running.ground_truth().listings.len();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let data = tmp.path().join("data");
    let data_s = data.to_str().unwrap();

    crawl(&data, &config);
    let first = indexed_ids(data_s);
    assert_eq!(first.len(), listings);
    let mut unique = first.clone();
    unique.dedup();
    assert_eq!(
        unique, first,
        "a listing indexed twice after the first crawl"
    );

    crawl(&data, &config);
    assert_eq!(indexed_ids(data_s), first, "after a recrawl");

    // The state store is lost; the index is kept. Every listing is new to the store again,
    // and must replace its indexed copy rather than sit beside it.
    for name in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"] {
        let _ = std::fs::remove_file(data.join(name));
    }
    crawl(&data, &config);
    runtime.block_on(running.shutdown());
    assert_eq!(indexed_ids(data_s), first, "after the store was replaced");
}
