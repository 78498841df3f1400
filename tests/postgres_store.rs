//! The PostgreSQL state store end to end, through the real binary against the sample
//! marketplace: a crawl into PostgreSQL (`--store URL`) stores the same listings and verdicts
//! as one into SQLite, its report says the same, and a re-crawl is as incremental.
//!
//! The server is real: `PHARMWATCH_TEST_POSTGRES_URL`, else a throw-away cluster
//! (`store/tests/support/postgres_server.rs`); without either the test says why and skips,
//! unless `PHARMWATCH_REQUIRE_POSTGRES=1`.

mod common;
#[cfg(feature = "postgres")]
#[path = "../store/tests/support/postgres_server.rs"]
mod postgres_server;

use std::collections::BTreeMap;
use std::path::Path;

use common::{crawl, pharmwatch, pharmwatch_raw, write_config};
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};
use pharmwatch_model::Money;
use pharmwatch_store::{
    AllListings, RunId, SqliteStore, StateStore, StoredListing, VerdictSummary,
};

#[test]
fn a_store_that_is_not_a_postgres_url_or_not_reachable_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_str().unwrap();
    let out = pharmwatch_raw(&["--data-dir", data, "--store", "mysql://db/x", "report"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--store `mysql://db/x`: expected a postgres://"),
        "{stderr}"
    );

    // Nothing listens on the port: the error names the store, never its password.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://crawler:s3cret@127.0.0.1:{port}/cases");
    let out = pharmwatch_raw(&["--data-dir", data, "--store", &url, "report"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("postgres://crawler:***@127.0.0.1:{port}/cases")),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

/// What a crawl concluded about one listing, without when it looked.
#[derive(Debug, PartialEq)]
struct Outcome {
    url: String,
    price: Option<Money>,
    verdict: VerdictSummary,
    flagged: bool,
    gone: bool,
}

fn outcomes(store: &dyn StateStore) -> BTreeMap<String, Outcome> {
    AllListings::new(store)
        .map(|stored| {
            let StoredListing {
                listing,
                verdict,
                flagged,
                gone_since,
                ..
            } = stored.unwrap();
            let outcome = Outcome {
                url: listing.url.clone(),
                price: listing.price,
                verdict: VerdictSummary::of(&verdict),
                flagged,
                gone: gone_since.is_some(),
            };
            (listing.id.as_str().to_string(), outcome)
        })
        .collect()
}

fn latest_run(store: &dyn StateStore) -> RunId {
    store.runs().unwrap()[0].id
}

/// `report --json` of the latest run: the URLs it lists as newly flagged, sorted.
fn reported_new_flagged(data: &Path, store: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data-dir", data.to_str().unwrap()];
    if let Some(url) = store {
        args.extend(["--store", url]);
    }
    args.extend(["report", "--json"]);
    let out = pharmwatch(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut urls: Vec<String> = report["new_flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l.get("listing").unwrap_or(l)["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    urls.sort();
    urls
}

#[cfg(feature = "postgres")]
#[test]
fn a_crawl_into_postgres_matches_one_into_sqlite_and_recrawls_incrementally() {
    let Some(db) = postgres_server::fresh_database() else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = runtime
        .block_on(pharmwatch_marketplace::serve(Marketplace::generate(
            &MarketplaceOptions {
                listings_per_shop: 12,
                ..MarketplaceOptions::default()
            },
        )))
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &running.shops());
    let (lite, pg) = (tmp.path().join("sqlite"), tmp.path().join("pg"));
    let crawl_pg = || {
        pharmwatch(&[
            "--data-dir",
            pg.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--store",
            &db.url,
            "crawl",
        ])
    };

    crawl(&lite, &config);
    crawl_pg();
    assert!(
        !pg.join("state.sqlite").exists(),
        "the PostgreSQL crawl wrote no SQLite store"
    );
    let sqlite = SqliteStore::open(&lite.join("state.sqlite")).unwrap();
    let postgres = pharmwatch_store::PgStore::open(&db.url).unwrap();
    let expected = outcomes(&sqlite);
    assert!(expected.len() * 10 >= running.ground_truth().listings.len() * 9);
    assert!(expected.values().any(|o| o.flagged));
    assert_eq!(outcomes(&postgres), expected);
    assert_eq!(
        reported_new_flagged(&pg, Some(&db.url)),
        reported_new_flagged(&lite, None)
    );

    // A re-crawl asks conditionally and changes nothing, on both stores alike.
    let not_modified = |from: usize| {
        running.request_log()[from..]
            .iter()
            .filter(|r| r.status == 304)
            .count()
    };
    let before = running.request_log().len();
    crawl(&lite, &config);
    let lite_304 = not_modified(before);
    let before = running.request_log().len();
    crawl_pg();
    let pg_304 = not_modified(before);
    assert!(
        lite_304 * 10 >= expected.len() * 9,
        "SQLite re-crawl: {lite_304} not modified"
    );
    assert_eq!(pg_304, lite_304, "as many conditional hits on PostgreSQL");
    for store in [&sqlite as &dyn StateStore, &postgres] {
        let run = latest_run(store);
        assert_eq!(store.runs().unwrap().len(), 2);
        assert!(store.listings_changed_in(run).unwrap().is_empty());
    }
    assert_eq!(outcomes(&postgres), expected);
    runtime.block_on(running.shutdown());
}
