//! Memory of a large frontier: N URLs (default 1,000,000) discovered, admitted and queued by
//! the crawl loop's own structures (per-site frontier with dedup and trap checks, per-host
//! politeness queues) and stored in the persistent frontier in SQLite, page by page, as a
//! real crawl does; then every URL handed out and marked done.
//!
//! The links come as the sample marketplace's category pages give them: 20 shops, each
//! category page listing 50 product pages plus 30 navigation links seen on every page
//! (duplicates, as on real sites).
//!
//! ```sh
//! /usr/bin/time -v cargo run --release --example frontier_memory -- [N] [DIR]
//! ```
//! Prints the peak RSS (VmHWM) after discovery and after the drain.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use pharmwatch_crawler::bench::FrontierLoad;
use pharmwatch_crawler::frontier::Priority;
use pharmwatch_crawler::{CrawlSettings, SiteConfig};
use pharmwatch_store::{
    FrontierEntry, PageAvailability, PageCommit, PageRecord, RunId, SqliteStore, StateStore,
};
use url::Url;

const SHOPS: usize = 20;
const PRODUCTS_PER_PAGE: usize = 50;
const NAV_LINKS: usize = 30;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = match args.next() {
        Some(t) => t
            .parse()
            .with_context(|| format!("N `{t}` is not a number"))?,
        None => 1_000_000,
    };
    let dir = match args.next() {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join(format!("pharmwatch-frontier-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let db = dir.join("state.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let store = SqliteStore::open(&db).with_context(|| format!("cannot open {}", db.display()))?;
    let run = store.start_run("frontier-bench", now())?;
    let sites = sites()?;
    let settings = CrawlSettings {
        per_host_concurrency: 16,
        ..CrawlSettings::default()
    };
    let mut load = FrontierLoad::new(&settings, &sites)?;

    let start = Instant::now();
    let admitted = discover(&store, &mut load, &sites, run, n)?;
    let discovered_secs = start.elapsed().as_secs_f64();
    let queued = load.queued();
    let hwm_discovered = peak_rss_mib()?;
    println!(
        "frontier_memory discovered: admitted={admitted} queued={queued} secs={discovered_secs:.1} peak_rss_mib={hwm_discovered}"
    );

    let start = Instant::now();
    let drained = drain(&store, &mut load, &sites, run)?;
    let drained_secs = start.elapsed().as_secs_f64();
    println!(
        "frontier_memory drained: dispatched={drained} secs={drained_secs:.1} peak_rss_mib={}",
        peak_rss_mib()?
    );
    let counts = store.frontier_counts(&sites[0].name)?;
    println!(
        "frontier_memory store({}): queued={} done={} db_mib={}",
        sites[0].name,
        counts.queued,
        counts.done,
        std::fs::metadata(&db).map_or(0, |m| m.len() / (1 << 20))
    );
    Ok(())
}

/// One site per shop, as `pharmwatch marketplace --static-out` describes them.
fn sites() -> Result<Vec<SiteConfig>> {
    (0..SHOPS)
        .map(|i| {
            let text = format!(
                "name = \"shop{i}\"\nstart_urls = [\"http://127.0.0.1:{}/\"]\nrate = 1e9\n",
                18080 + i
            );
            toml::from_str(&text).context("site config")
        })
        .collect()
}

/// Feeds category pages until `n` product URLs were found; returns how many were admitted.
fn discover(
    store: &SqliteStore,
    load: &mut FrontierLoad,
    sites: &[SiteConfig],
    run: RunId,
    n: usize,
) -> Result<usize> {
    let mut admitted = 0;
    let mut product = 0usize;
    let mut page = 0usize;
    while product < n {
        let site = page % SHOPS;
        let base = &sites[site].start_urls[0];
        let page_url = format!("{base}category/c{}?page={}", page % 7, page / 7 + 1);
        let mut links: Vec<(Url, Priority)> = Vec::with_capacity(NAV_LINKS + PRODUCTS_PER_PAGE);
        for k in 0..NAV_LINKS {
            links.push((
                Url::parse(&format!("{base}category/c{k}"))?,
                Priority::Other,
            ));
        }
        for _ in 0..PRODUCTS_PER_PAGE.min(n - product) {
            product += 1;
            let url = format!(
                "{base}product/{}-buy-generic-medicine-{}mg-{}-tablets.html",
                1000 + product,
                product % 200,
                product % 90 + 10
            );
            links.push((Url::parse(&url)?, Priority::Listing));
        }
        for (url, priority) in &links {
            admitted += usize::from(load.discover(site, url, 2, *priority));
        }
        commit(store, sites, site, &page_url, &links, run)?;
        page += 1;
    }
    Ok(admitted)
}

/// Hands every queued URL out and stores it as fetched (no links, no listings).
fn drain(
    store: &SqliteStore,
    load: &mut FrontierLoad,
    sites: &[SiteConfig],
    run: RunId,
) -> Result<usize> {
    let mut n = 0;
    while let Some((site, url)) = load.dispatch_one() {
        commit(store, sites, site, url.as_str(), &[], run)?;
        n += 1;
    }
    Ok(n)
}

/// What the pipeline's sink stores for one fetched page: the page and every link found on it.
fn commit(
    store: &SqliteStore,
    sites: &[SiteConfig],
    site: usize,
    url: &str,
    links: &[(Url, Priority)],
    run: RunId,
) -> Result<()> {
    let name = &sites[site].name;
    let discovered = links
        .iter()
        .map(|(u, p)| FrontierEntry {
            site: name.clone(),
            url: u.to_string(),
            depth: 2,
            priority: if *p == Priority::Listing { 2 } else { 0 },
        })
        .collect();
    let commit = PageCommit {
        page: PageRecord {
            url: url.to_string(),
            site: name.clone(),
            status: Some(200),
            etag: None,
            last_modified: None,
            body_sha256: None,
            warc: None,
            fetched_at: now(),
            run,
            redirect_to: None,
            depth: 1,
        },
        discovered,
        listings: Vec::new(),
        error: None,
        availability: PageAvailability::Offered,
    };
    store
        .commit_page(&commit, run)
        .with_context(|| format!("cannot store {url}"))?;
    Ok(())
}

/// Peak resident set size of this process so far (VmHWM), in MiB.
fn peak_rss_mib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("/proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    Ok(kib / 1024)
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
