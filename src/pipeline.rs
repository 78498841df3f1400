//! One run of the pipeline: crawl → extract → rules → index.
//!
//! The crawler runs on the async runtime; rule evaluation and indexing are CPU and disk work
//! and run on one blocking thread that drains the crawler's channel, so the reactor never
//! waits on them and the index has exactly one writer.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pharmwatch_crawler::config::SiteConfig;
use pharmwatch_crawler::{CrawlStats, Crawler, PageRecord, RecordKind};
use pharmwatch_indexer::{IndexDoc, ListingIndexWriter, ListingSearcher};
use pharmwatch_model::{Listing, Money, Timestamp, Verdict};
use pharmwatch_rules::RuleSet;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::Config;

/// Paths of the data directory's parts.
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn new(root: &Path) -> Self {
        DataDir {
            root: root.to_path_buf(),
        }
    }

    pub fn index(&self) -> PathBuf {
        self.root.join("index")
    }

    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(self.index())
            .with_context(|| format!("cannot create data directory {}", self.root.display()))
    }
}

/// Loads the rule packs and reference data named by the config.
pub fn load_rules(config: &Config) -> Result<RuleSet> {
    let packs: Vec<PathBuf> = config.rules.packs.iter().map(|p| config.resolve(p)).collect();
    let reference = config.resolve(&config.rules.lexicon);
    RuleSet::load(&packs, &reference).map_err(|e| {
        anyhow::Error::new(crate::commands::ConfigError(format!(
            "the rule set could not be loaded:\n{e}"
        )))
    })
}

/// What one run found, for the summary and the report.
#[derive(Debug, Default)]
pub struct RunSummary {
    pub pages: u64,
    pub page_errors: u64,
    pub listings: u64,
    pub flagged: Vec<(Listing, Verdict)>,
    pub stats: Option<CrawlStats>,
}

/// Crawls `sites`, applies the rules and writes every listing with its verdict to the index.
pub async fn run(config: &Config, sites: Vec<SiteConfig>, data_dir: &DataDir) -> Result<RunSummary> {
    data_dir.create()?;
    let rules = load_rules(config)?;
    let sites = sites
        .into_iter()
        .map(|mut site| {
            site.profile = site.profile.map(|p| config.resolve(&p));
            site
        })
        .collect();
    let crawler = Crawler::new(config.crawl.clone(), sites)
        .map_err(|e| anyhow::Error::new(crate::commands::ConfigError(e.to_string())))?;

    let (tx, rx) = mpsc::channel::<PageRecord>(256);
    let index_dir = data_dir.index();
    let sink = tokio::task::spawn_blocking(move || index_pages(rx, &rules, &index_dir));
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::warn!("interrupted: finishing pages in flight, then committing");
            on_signal.cancel();
        }
    });
    let stats = crawler.run(tx, cancel).await;
    ctrl_c.abort();
    let mut summary = sink.await.context("the indexing thread failed")??;
    summary.stats = Some(stats.context("the crawl failed")?);
    Ok(summary)
}

/// Drains the crawler's pages: rules, then index. Commits at the end.
fn index_pages(
    mut rx: mpsc::Receiver<PageRecord>,
    rules: &RuleSet,
    index_dir: &Path,
) -> Result<RunSummary> {
    let mut writer = ListingIndexWriter::open_or_create(index_dir)
        .with_context(|| format!("cannot open the index at {}", index_dir.display()))?;
    let previous = ListingSearcher::open(index_dir).ok();
    let mut summary = RunSummary::default();
    while let Some(page) = rx.blocking_recv() {
        summary.pages += 1;
        if page.kind != RecordKind::Page {
            continue;
        }
        if page.error.is_some() {
            summary.page_errors += 1;
        }
        for listing in page.listings {
            let verdict = rules.evaluate(&listing);
            let first_seen = previous
                .as_ref()
                .and_then(|s| s.get(&listing.id).ok().flatten())
                .map_or(listing.fetched_at, |d| d.first_seen);
            let doc = index_doc(rules, listing, verdict, first_seen);
            writer.upsert(&doc)?;
            summary.listings += 1;
            if doc.verdict.flagged {
                summary.flagged.push((doc.listing, doc.verdict));
            }
        }
    }
    writer.commit()?;
    Ok(summary)
}

/// Builds the index document of a listing, with its prices in US dollars.
pub fn index_doc(rules: &RuleSet, listing: Listing, verdict: Verdict, first_seen: Timestamp) -> IndexDoc {
    let to_usd = |m: Option<Money>| {
        m.and_then(|m| rules.rates().to_usd(&m))
            .and_then(|d| d.to_string().parse::<f64>().ok())
    };
    IndexDoc {
        price_usd: to_usd(listing.price),
        unit_price_usd: to_usd(listing.unit_price()),
        first_seen,
        last_seen: listing.fetched_at,
        run: None,
        listing,
        verdict,
    }
}
