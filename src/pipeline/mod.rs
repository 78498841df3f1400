//! One run of the pipeline: crawl → evidence → extract → rules → state store → index.
//!
//! The crawler runs on the async runtime and sends one record per exchange; a single blocking
//! thread ([`sink::Sink`]) archives each exchange, applies the rules and writes the state
//! store and the index, so the reactor never waits on disk or CPU work.

mod exchange;
mod frontier;
mod lifecycle;
pub mod progress;
mod rescan;
mod sink;

pub use rescan::{RescanSummary, rescan};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use pharmwatch_crawler::config::SiteConfig;
use pharmwatch_crawler::{ArchivedPage, CrawlStats, Crawler, KnownPages, PageRecord, Validators};
use pharmwatch_evidence::{DEFAULT_ROTATE_BYTES, WarcInfo, WarcWriter};
use pharmwatch_indexer::IndexDoc;
use pharmwatch_model::{Listing, ListingId, Money, Severity, Timestamp, Verdict};
use pharmwatch_rules::RuleSet;
use pharmwatch_store::{AllListings, RunId, RunStatus, StateStore, StoredListing};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, ConfigError};
use lifecycle::{Outcome, RunKind};

/// Paths of the data directory's parts, and where its state store is.
pub struct DataDir {
    /// The data directory.
    pub root: PathBuf,
    /// A `postgres://` URL of a shared state store; `None` for `state.sqlite` in `root`.
    pub store_url: Option<String>,
}

impl DataDir {
    /// The data directory at `root`, with its state store in `state.sqlite` there.
    pub fn new(root: &Path) -> Self {
        DataDir {
            root: root.to_path_buf(),
            store_url: None,
        }
    }

    /// The same data directory with its state store at `url` (`--store`, `[store] url`).
    pub fn with_store(mut self, url: Option<String>) -> Self {
        self.store_url = url;
        self
    }

    /// Where the state store is, for messages: the URL without its password, or the file.
    pub fn store_location(&self) -> String {
        match &self.store_url {
            Some(url) => pharmwatch_store::redact_url(url),
            None => self.state().display().to_string(),
        }
    }

    /// Opens (creating if needed) the state store and brings its schema up to date.
    pub fn open_store(&self) -> Result<Box<dyn StateStore>> {
        let location = match &self.store_url {
            Some(url) => url.clone(),
            None => self.state().display().to_string(),
        };
        pharmwatch_store::open(&location)
            .with_context(|| format!("cannot open the state store {}", self.store_location()))
    }

    /// The search index's folder.
    pub fn index(&self) -> PathBuf {
        self.root.join("index")
    }

    /// The evidence (WARC files) folder.
    pub fn evidence(&self) -> PathBuf {
        self.root.join("evidence")
    }

    /// The SQLite state store's file.
    pub fn state(&self) -> PathBuf {
        self.root.join("state.sqlite")
    }

    /// The state store of a data directory that has been crawled; a clear error (exit 2)
    /// naming the path when there is none yet, instead of creating an empty one.
    pub fn open_existing_store(&self) -> Result<Box<dyn StateStore>> {
        let path = self.state();
        if self.store_url.is_none() && !path.is_file() {
            return Err(ConfigError(format!(
                "no state store at {}: run `pharmwatch crawl` (or `pharmwatch demo`) with this --data-dir first",
                path.display()
            ))
            .into());
        }
        self.open_store()
    }

    /// Creates the index and evidence folders.
    pub fn create(&self) -> Result<()> {
        for dir in [self.index(), self.evidence()] {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(())
    }
}

/// Loads the rule packs and reference data named by the config.
pub fn load_rules(config: &Config) -> Result<RuleSet> {
    let packs: Vec<PathBuf> = config
        .rules
        .packs
        .iter()
        .map(|p| config.resolve(p))
        .collect();
    let reference = config.resolve(&config.rules.lexicon);
    RuleSet::load(&packs, &reference).map_err(|e| {
        anyhow::Error::new(ConfigError(format!(
            "the rule set could not be loaded:\n{e}"
        )))
    })
}

/// What one run found, for the summary and the report.
#[derive(Debug, Default)]
pub struct RunSummary {
    /// The run's number in the state store.
    pub run: Option<RunId>,
    /// Pages fetched.
    pub pages: u64,
    /// Pages that failed.
    pub page_errors: u64,
    /// Listings seen.
    pub listings: u64,
    /// Listings seen for the first time.
    pub new_listings: u64,
    /// Listings whose price or verdict changed.
    pub changed_listings: u64,
    /// Listings no longer offered.
    pub gone_listings: u64,
    /// The listings flagged in this run: counts, and the highest-scoring few for the table.
    pub flagged: FlaggedSummary,
    /// The crawler's counters, per site.
    pub stats: Option<CrawlStats>,
    /// Pages answered 2xx or 304 (fresh or unchanged), by site, in this run and the killed
    /// runs it resumed: a site with none failed.
    pub pages_ok: BTreeMap<String, u64>,
}

/// What a run's summary keeps of one flagged listing: the columns of the flagged table, and
/// the id that breaks ties between equal ones.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedListing {
    /// The listing's id.
    pub id: ListingId,
    /// The site it was found on.
    pub site: String,
    /// Its title.
    pub title: String,
    /// Its price.
    pub price: Option<Money>,
    /// Its severity.
    pub severity: Option<Severity>,
    /// Its score.
    pub score: f64,
    /// The rules that fired.
    pub rule_ids: Vec<String>,
}

impl FlaggedListing {
    /// The summary columns of a flagged listing.
    pub fn of(listing: &Listing, verdict: &Verdict) -> Self {
        FlaggedListing {
            id: listing.id.clone(),
            site: listing.site.clone(),
            title: listing.title.clone(),
            price: listing.price,
            severity: verdict.severity,
            score: verdict.score,
            rule_ids: verdict.rule_ids().map(str::to_string).collect(),
        }
    }
}

/// The listings `run` flagged (seen in it, and flagged), by listing id, streamed from the
/// store: what a run's summary only counts.
pub fn flagged_in_run(
    store: &dyn StateStore,
    run: RunId,
) -> impl Iterator<Item = Result<StoredListing>> + '_ {
    AllListings::new(store).filter_map(move |stored| match stored {
        Ok(s) if s.last_run != run || !s.flagged => None,
        other => Some(other.context("cannot read the stored listings back")),
    })
}

/// How many flagged listings a run's summary keeps for its table: the highest scores. The
/// others are in the store and the index; a crawl's memory does not grow with what it flags.
pub const SUMMARY_TOP_FLAGGED: usize = 100;

/// The flagged listings of a run, counted, with the [`SUMMARY_TOP_FLAGGED`] highest scores
/// kept.
#[derive(Debug, Default)]
pub struct FlaggedSummary {
    by_severity: BTreeMap<Option<Severity>, u64>,
    /// Best first: highest score, then site, title and id (so ties resolve the same way
    /// whatever order the pages arrived in).
    top: Vec<FlaggedListing>,
}

impl FlaggedSummary {
    /// Counts a flagged listing, keeping it if it is among the highest scores.
    pub fn add(&mut self, listing: &Listing, verdict: &Verdict) {
        *self.by_severity.entry(verdict.severity).or_default() += 1;
        let key = (verdict.score, &listing.site, &listing.title, &listing.id);
        let at = self
            .top
            .partition_point(|f| rank(&f.key(), &key) == std::cmp::Ordering::Less);
        if at < SUMMARY_TOP_FLAGGED {
            self.top.insert(at, FlaggedListing::of(listing, verdict));
            self.top.truncate(SUMMARY_TOP_FLAGGED);
        }
    }

    /// Flagged listings counted.
    pub fn total(&self) -> u64 {
        self.by_severity.values().sum()
    }

    /// Counts per severity, the most severe first (`None`: flagged without a severity).
    pub fn by_severity(&self) -> impl Iterator<Item = (Option<Severity>, u64)> + '_ {
        self.by_severity.iter().rev().map(|(s, n)| (*s, *n))
    }

    /// The highest-scoring flagged listings, best first.
    pub fn top(&self) -> &[FlaggedListing] {
        &self.top
    }
}

/// What orders flagged listings in the summary: score, site, title, id.
type RankKey<'a> = (f64, &'a String, &'a String, &'a ListingId);

/// `Less` when `a` ranks before `b`: the higher score first, then site, title and id.
fn rank(a: &RankKey<'_>, b: &RankKey<'_>) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0)
        .then_with(|| a.1.cmp(b.1))
        .then_with(|| a.2.cmp(b.2))
        .then_with(|| a.3.as_str().cmp(b.3.as_str()))
}

impl FlaggedListing {
    fn key(&self) -> RankKey<'_> {
        (self.score, &self.site, &self.title, &self.id)
    }
}

impl RunSummary {
    /// Sites of `sites` that had no page answered 2xx or 304 in this run: unreachable, every
    /// page failing, or robots.txt unreachable or disallowing everything.
    pub fn failed_sites<'a>(&self, sites: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        sites
            .into_iter()
            .filter(|s| self.pages_ok.get(*s).copied().unwrap_or(0) == 0)
            .map(str::to_string)
            .collect()
    }

    /// Sites of `sites` that stopped at their `max_bytes`, each with what it left unfetched.
    pub fn over_byte_budget<'a>(&self, sites: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let Some(stats) = self.stats.as_ref() else {
            return Vec::new();
        };
        sites
            .into_iter()
            .filter_map(|site| {
                let s = stats
                    .per_site
                    .get(site)
                    .filter(|s| s.over_byte_budget > 0)?;
                Some(format!(
                    "{site}: stopped at its max_bytes after {} bytes; {} queued URL{} not fetched",
                    s.bytes,
                    s.over_byte_budget,
                    if s.over_byte_budget == 1 { "" } else { "s" }
                ))
            })
            .collect()
    }

    /// Why a site answered nothing, in words: its failures by kind and the last one's message
    /// (connection refused, DNS, TLS, HTTP status), or robots.txt's refusal.
    pub fn why_failed(&self, site: &str) -> String {
        let Some(stats) = self.stats.as_ref().and_then(|s| s.per_site.get(site)) else {
            return "nothing was fetched".into();
        };
        let kinds: Vec<String> = stats
            .errors_by_kind
            .iter()
            .map(|(kind, n)| format!("{kind} ×{n}"))
            .collect();
        let mut why = match (&stats.last_error, kinds.is_empty()) {
            (Some(last), false) => format!("{} (last: {last})", kinds.join(", ")),
            (None, false) => kinds.join(", "),
            _ => String::new(),
        };
        if stats.robots_disallowed > 0 {
            if !why.is_empty() {
                why.push_str("; ");
            }
            let n = stats.robots_disallowed;
            why.push_str(&format!(
                "robots.txt disallowed {n} page{}",
                if n == 1 { "" } else { "s" }
            ));
        }
        if why.is_empty() {
            why.push_str("no page was fetched");
        }
        why
    }
}

/// Crawls `sites`, archives every exchange, applies the rules and writes every listing with
/// its verdict to the state store and the index.
pub async fn run(
    config: &Config,
    sites: Vec<SiteConfig>,
    data_dir: &DataDir,
) -> Result<RunSummary> {
    run_with(config, sites, data_dir, RunOptions::default()).await
}

/// What a caller may add to a run: a progress display, and its own stop signal.
#[derive(Default, Clone)]
pub struct RunOptions {
    /// Told about every page the sink stores.
    pub progress: Option<Arc<dyn progress::Progress>>,
    /// Cancels the crawl (pages in flight finish, then the run is committed as
    /// interrupted). SIGINT and SIGTERM cancel it too.
    pub cancel: Option<CancellationToken>,
}

/// [`run`] with [`RunOptions`].
pub async fn run_with(
    config: &Config,
    sites: Vec<SiteConfig>,
    data_dir: &DataDir,
    options: RunOptions,
) -> Result<RunSummary> {
    data_dir.create()?;
    let _lock = lifecycle::lock(data_dir)?;
    let rules = load_rules(config)?;
    let store: Arc<dyn StateStore> = Arc::from(data_dir.open_store()?);
    for run in store.mark_interrupted_runs()? {
        tracing::warn!(
            run = run.0,
            "an earlier run was killed; its work so far is kept and the crawl resumes"
        );
    }
    // Every run since the last one that finished was cut short (killed or stopped); their
    // listings may have missed an index commit, and the crawl continues where they stood.
    let unfinished: Vec<RunId> = store
        .runs()?
        .iter()
        .take_while(|r| r.status != RunStatus::Finished)
        .filter(|r| r.status == RunStatus::Interrupted)
        .map(|r| r.id)
        .collect();
    let resuming = !unfinished.is_empty();
    // A resumed run continues the killed ones: a site that answered there did not fail.
    let answered_before = store.answered_pages(&unfinished)?;
    let run = store.start_run(&config.digest, now())?;
    let sites = resolve_profiles(config, sites);
    let resume = frontier::prepare(&*store, &sites, run, resuming)?;
    let crawler = Crawler::new(config.crawl.clone(), sites)
        .map_err(|e| anyhow::Error::new(ConfigError(e.to_string())))?
        .with_known_pages(Arc::new(StoreKnownPages {
            store: store.clone(),
            evidence: data_dir.evidence(),
        }))
        .with_resume(resume);
    let warc = WarcWriter::open(
        &data_dir.evidence(),
        warc_info(config, run),
        DEFAULT_ROTATE_BYTES,
    )
    .context("cannot open the evidence archive")?;

    let (tx, rx) = mpsc::channel::<PageRecord>(256);
    let mut sink = sink::Sink::new(
        store.clone(),
        warc,
        Arc::new(rules),
        &data_dir.index(),
        run,
        config.listings.gone_after_failed_runs,
    )?;
    // A killed run stored pages whose listings may not have reached an index commit.
    sink.reindex_runs(&unfinished)?;
    sink.progress = options.progress.clone();
    sink.summary.pages_ok.extend(answered_before);
    let sink = tokio::task::spawn_blocking(move || sink.drain(rx).map(|()| sink));
    let cancel = options.cancel.clone().unwrap_or_default();
    let on_signal = cancel.clone();
    let signal = shutdown_signal();
    let ctrl_c = tokio::spawn(async move {
        if signal.await {
            tracing::warn!("interrupted: finishing pages in flight, then committing");
            on_signal.cancel();
        }
    });
    let stats = crawler.run(tx, cancel).await;
    ctrl_c.abort();
    let finished = sink
        .await
        .context("the indexing thread failed")
        .and_then(|sink| sink);
    let work = finish(run, finished, stats);
    let (summary, _report) = lifecycle::close(&*store, &data_dir.root, run, RunKind::Crawl, work)?;
    Ok(summary)
}

/// Installs the handlers for SIGINT (Ctrl-C) and, on unix, SIGTERM (what systemd and `kill`
/// send) at once — a signal that arrives before the returned future is first polled is not
/// lost and does not kill the process — and resolves when one arrives; `false` when no
/// handler could be installed. Call it inside the runtime.
#[cfg(unix)]
pub fn shutdown_signal() -> impl std::future::Future<Output = bool> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                r = term.recv() => r.is_some(),
                r = int.recv() => r.is_some(),
            },
            (Ok(mut one), Err(_)) | (Err(_), Ok(mut one)) => one.recv().await.is_some(),
            (Err(_), Err(_)) => false,
        }
    }
}

/// See the unix version: Ctrl-C only.
#[cfg(not(unix))]
pub fn shutdown_signal() -> impl std::future::Future<Output = bool> + Send + 'static {
    async { tokio::signal::ctrl_c().await.is_ok() }
}

/// A crawl's summary and how it ended, once its crawler and sink are done.
fn finish(
    run: RunId,
    sink: Result<sink::Sink>,
    stats: Result<CrawlStats, pharmwatch_crawler::CrawlError>,
) -> Result<(RunSummary, Outcome)> {
    let mut sink = sink?;
    let stats = stats.context("the crawl failed")?;
    sink.warc.sync()?;
    let mut summary = std::mem::take(&mut sink.summary);
    summary.run = Some(run);
    let counts = serde_json::json!({
        "pages": summary.pages,
        "page_errors": summary.page_errors,
        "listings": summary.listings,
        "flagged": summary.flagged.total(),
        "new": summary.new_listings,
        "changed": summary.changed_listings,
        "gone": summary.gone_listings,
        "sites": stats.per_site,
    });
    let status = if stats.cancelled {
        RunStatus::Interrupted
    } else {
        RunStatus::Finished
    };
    summary.stats = Some(stats);
    Ok((summary, Outcome { status, counts }))
}

fn resolve_profiles(config: &Config, sites: Vec<SiteConfig>) -> Vec<SiteConfig> {
    sites
        .into_iter()
        .map(|mut site| {
            site.profile = site.profile.map(|p| config.resolve(&p));
            site
        })
        .collect()
}

fn warc_info(config: &Config, run: RunId) -> WarcInfo {
    WarcInfo {
        software: format!("pharmwatch/{}", env!("CARGO_PKG_VERSION")),
        operator: config.crawl.user_agent.clone(),
        hostname: std::env::var("HOSTNAME").ok(),
        config_digest: config.digest.clone(),
        run_id: run.0.to_string(),
    }
}

fn now() -> Timestamp {
    time::OffsetDateTime::now_utc()
}

/// Conditional requests use the validators of the last successful fetch, and a 304 the
/// archived response they came from.
struct StoreKnownPages {
    store: Arc<dyn StateStore>,
    evidence: PathBuf,
}

impl KnownPages for StoreKnownPages {
    fn validators(&self, url: &str) -> Option<Validators> {
        self.store.validators(url).ok().flatten()
    }

    fn archived(&self, url: &str) -> Option<ArchivedPage> {
        let page = self.store.page(url).ok().flatten()?;
        let (pointer, sha256) = (page.warc?, page.body_sha256?);
        let record = match pharmwatch_evidence::read_record_at(
            &self.evidence,
            &pointer.file,
            pointer.offset,
        ) {
            Ok(record) => record,
            Err(err) => {
                tracing::warn!(
                    url,
                    "cannot read the archived copy of a 304 page; asking again: {err}"
                );
                return None;
            }
        };
        let response = pharmwatch_evidence::http_response_parts(&record).ok()?;
        // The copy must be the one the store names: never take another body for the page.
        if pharmwatch_model::sha256_hex(response.body) != sha256 {
            tracing::warn!(
                url,
                "the archived copy of a 304 page does not match its digest; asking again"
            );
            return None;
        }
        Some(ArchivedPage {
            content_type: response.header("content-type").map(str::to_string),
            content_encoding: response.header("content-encoding").map(str::to_string),
            body: response.body.to_vec(),
            sha256,
        })
    }
}

/// Builds the index document of a listing, with its prices in US dollars.
pub fn index_doc(
    rules: &RuleSet,
    listing: Listing,
    verdict: Verdict,
    first_seen: Timestamp,
    run: RunId,
) -> IndexDoc {
    let to_usd = |m: Option<Money>| {
        m.and_then(|m| rules.rates().to_usd(&m))
            .and_then(|d| d.to_string().parse::<f64>().ok())
    };
    IndexDoc {
        price_usd: to_usd(listing.price),
        unit_price_usd: to_usd(listing.unit_price()),
        first_seen,
        last_seen: listing.fetched_at,
        run: Some(run.0),
        gone_since: None,
        listing,
        verdict,
    }
}

/// The index document of a stored listing as the store knows it: its verdict, when it was
/// first and last seen, and whether its page still offers it.
pub fn stored_doc(rules: &RuleSet, stored: StoredListing) -> IndexDoc {
    let mut doc = index_doc(
        rules,
        stored.listing,
        stored.verdict,
        stored.first_seen,
        stored.last_run,
    );
    doc.last_seen = stored.last_seen;
    doc.gone_since = stored.gone_since;
    doc
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::SiteKind;

    use super::*;

    fn flagged(n: usize) -> (Listing, Verdict) {
        let listing = Listing::new(
            format!("http://127.0.0.1/product/{n}"),
            0,
            format!("shop{}", n % 3),
            SiteKind::Pharmacy,
            "127.0.0.1",
            format!("listing {n}"),
            time::OffsetDateTime::UNIX_EPOCH,
        );
        let verdict = Verdict {
            listing_id: listing.id.clone(),
            flagged: true,
            severity: Some(if n.is_multiple_of(2) {
                Severity::High
            } else {
                Severity::Low
            }),
            // Ties every 7 listings: the order among them must not depend on arrival.
            score: (n / 7) as f64,
            hits: Vec::new(),
            drugs: Vec::new(),
        };
        (listing, verdict)
    }

    #[test]
    fn the_summary_counts_every_flagged_listing_and_keeps_the_best_whatever_the_order() {
        let all: Vec<_> = (0..1000).map(flagged).collect();
        let mut forward = FlaggedSummary::default();
        let mut backward = FlaggedSummary::default();
        for (l, v) in &all {
            forward.add(l, v);
        }
        for (l, v) in all.iter().rev() {
            backward.add(l, v);
        }
        assert_eq!(forward.total(), 1000);
        assert_eq!(
            forward.by_severity().collect::<Vec<_>>(),
            [(Some(Severity::High), 500), (Some(Severity::Low), 500)]
        );
        assert_eq!(forward.top().len(), SUMMARY_TOP_FLAGGED);
        assert_eq!(forward.top(), backward.top());
        // The kept ones are the highest scores, best first.
        let lowest_kept = forward.top().last().map(|f| f.score).unwrap_or_default();
        for (l, v) in all.iter().filter(|(_, v)| v.score > lowest_kept) {
            assert!(
                forward.top().iter().any(|f| f.id == l.id),
                "score {} dropped below {lowest_kept}",
                v.score
            );
        }
        assert!(forward.top().windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(forward.top()[0].score, (999 / 7) as f64);
    }
}
