//! A crawl killed with SIGKILL at arbitrary points resumes from its stored frontier, and
//! ends with the same listings, index and verifiable evidence as a crawl never interrupted.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{crawl, json_lines, pharmwatch, write_config};
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};
use pharmwatch_store::{SqliteStore, StateStore};

/// Listing ids in the index (all of them, flagged or not), asserting none appears twice.
fn indexed_ids(data: &Path) -> BTreeSet<String> {
    let out = pharmwatch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "search",
        "*",
        "--all",
        "--json",
        "--limit",
        "100000",
    ]);
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .filter_map(|h| h.get("doc"))
        .map(|d| d["listing"]["id"].as_str().unwrap().to_string())
        .collect();
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "a listing is indexed twice");
    unique
}

fn stored_ids(data: &Path) -> BTreeSet<String> {
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    store
        .all_listings()
        .map(|l| l.unwrap().listing.id.to_string())
        .collect()
}

#[test]
fn sigkilled_crawls_resume_and_end_like_an_uninterrupted_one() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(pharmwatch_marketplace::serve(Marketplace::generate(
            &MarketplaceOptions {
                listings_per_shop: 40,
                ..MarketplaceOptions::default()
            },
        )))
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // Slow enough (10 pages/s per shop, ~5 s a crawl) that the kills land mid-crawl.
    let config = write_config(tmp.path(), &running.shops());
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("rate = 100.0", "rate = 10.0");
    std::fs::write(&config, text).unwrap();
    let config_s = config.to_str().unwrap();

    let reference = tmp.path().join("reference");
    crawl(&reference, &config);
    let full_requests = running.request_log().len();

    let data = tmp.path().join("killed");
    let data_s = data.to_str().unwrap();
    // Kill points fixed so a failure can be reproduced; together they cover about half a
    // crawl, so the last run has work left to resume.
    for delay_ms in [700u64, 300, 900, 500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pharmwatch"))
            .args(["--data-dir", data_s, "--config", config_s, "crawl"])
            .current_dir(common::root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    running.clear_request_log();
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    let done_before: u64 = running
        .shops()
        .iter()
        .map(|s| store.frontier_counts(&s.name).unwrap().done)
        .sum();
    drop(store);
    assert!(done_before > 0, "the killed runs stored no progress");
    crawl(&data, &config);
    let resumed_requests = running.request_log().len();
    runtime.block_on(running.shutdown());

    // The last run picked up where the killed ones stopped instead of starting over.
    assert!(
        resumed_requests < full_requests,
        "resumed run made {resumed_requests} requests, a full crawl {full_requests}"
    );
    // Same listings, each once, in the store and in the index.
    let expected = stored_ids(&reference);
    assert!(expected.len() >= 160, "{}", expected.len());
    assert_eq!(stored_ids(&data), expected);
    assert_eq!(indexed_ids(&data), indexed_ids(&reference));
    // The SQLite file is sound and the evidence verifies.
    let store = SqliteStore::open(&data.join("state.sqlite")).unwrap();
    store.integrity_check().unwrap();
    let verified = pharmwatch(&["--data-dir", data_s, "evidence", "verify"]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains(" 0 mismatches"));
}
