//! The storage interface the pipeline uses. SQLite implements it today; a shared
//! PostgreSQL backend (several crawler machines, one frontier) can implement it later
//! without touching the pipeline.

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};

use crate::{
    FrontierCounts, FrontierEntry, HistoryEntry, ListingChange, PageChanges, PageCommit,
    PageRecord, RobotsEntry, RunCount, RunId, RunRecord, RunStatus, StoreError, StoredListing,
    Validators, WarcPointer,
};

/// Runs, pages, frontier, listings with their history, and the robots.txt cache.
///
/// Methods take `&self` and implementations are `Send + Sync`, so one store can be shared
/// (`Arc<dyn StateStore>`). Calls block: from async code use `spawn_blocking` or a
/// dedicated thread.
pub trait StateStore: Send + Sync {
    /// Records the start of a run and returns its id.
    fn start_run(&self, config_digest: &str, started_at: Timestamp) -> Result<RunId, StoreError>;
    /// Records how a run ended, with its counters.
    fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &serde_json::Value,
        finished_at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Marks runs still `running` as `interrupted` (call once the data directory lock is
    /// held: no other process can be running them). Returns their ids.
    fn mark_interrupted_runs(&self) -> Result<Vec<RunId>, StoreError>;
    /// The run with this id, if there is one.
    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StoreError>;
    /// All runs, newest first.
    fn runs(&self) -> Result<Vec<RunRecord>, StoreError>;
    /// Replaces the counts stored for `run` with `counts` (one transaction). Fails with
    /// [`StoreError::UnknownRun`] when the run does not exist.
    fn record_run_counts(&self, run: RunId, counts: &[RunCount]) -> Result<(), StoreError>;
    /// The counts of every run that has any, oldest run first, each run's counts sorted by
    /// dimension then key.
    fn run_counts(&self) -> Result<Vec<(RunId, Vec<RunCount>)>, StoreError>;

    /// Stores the latest fetch of a URL (replacing the previous one).
    fn record_page(&self, page: &PageRecord) -> Result<(), StoreError>;
    /// The latest fetch of `url`, if it was ever fetched.
    fn page(&self, url: &str) -> Result<Option<PageRecord>, StoreError>;
    /// The latest page whose body as received had this SHA-256 (lower-case hex).
    fn page_by_digest(&self, sha256: &str) -> Result<Option<PageRecord>, StoreError>;
    /// Where a body with this SHA-256 is archived, as the history rows recorded it: the
    /// evidence of a timeline point whose page has changed since (the pages table keeps a
    /// URL's latest fetch only).
    fn history_evidence_record(&self, sha256: &str) -> Result<Option<WarcPointer>, StoreError>;
    /// ETag / Last-Modified of the latest successful fetch of `url`, for a conditional GET.
    fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError>;
    /// Everything one page changes (page row, frontier state, new links, listings, the
    /// listings it no longer offers, and their history) in one transaction.
    fn commit_page(&self, commit: &PageCommit, run: RunId) -> Result<PageChanges, StoreError>;
    /// [`Self::commit_page`] for several pages, in order, in one transaction (all or none):
    /// a crawl commits pages in small batches, since each transaction has a fixed cost.
    /// Returns the changes of each page.
    fn commit_pages(
        &self,
        commits: &[PageCommit],
        run: RunId,
    ) -> Result<Vec<PageChanges>, StoreError> {
        commits.iter().map(|c| self.commit_page(c, run)).collect()
    }

    /// Adds URLs to their sites' frontiers; URLs already there (in any state) are ignored.
    /// Returns how many were new.
    fn enqueue_many(&self, entries: &[FrontierEntry], run: RunId) -> Result<usize, StoreError>;
    /// Hands out up to `n` queued URLs of a site, highest priority first then oldest, and
    /// marks them in flight.
    fn next_batch(&self, site: &str, n: usize) -> Result<Vec<FrontierEntry>, StoreError>;
    /// Marks a URL handed out by `next_batch` fetched.
    fn mark_done(&self, site: &str, url: &str) -> Result<(), StoreError>;
    /// Marks a URL handed out by `next_batch` failed, with the reason.
    fn mark_failed(&self, site: &str, url: &str, error: &str) -> Result<(), StoreError>;
    /// Puts URLs handed out but never marked (the process died) back in the queue; `None`
    /// for every site. Call at the start of a run to resume.
    fn requeue_in_flight(&self, site: Option<&str>) -> Result<usize, StoreError>;
    /// Where an interrupted crawl of `site` stood: `(finished, pending)` — URLs done or
    /// failed, and URLs queued or in flight — without changing anything.
    fn frontier_snapshot(
        &self,
        site: &str,
    ) -> Result<(Vec<FrontierEntry>, Vec<FrontierEntry>), StoreError>;
    /// How many of a site's URLs are queued, in flight, done and failed.
    fn frontier_counts(&self, site: &str) -> Result<FrontierCounts, StoreError>;
    /// Empties a site's frontier (before a fresh crawl of a site whose last run finished).
    fn clear_frontier(&self, site: &str) -> Result<usize, StoreError>;

    /// Stores a listing seen in `run` with its verdict; writes a history row when it is new
    /// or its price or verdict changed (or it came back after being gone).
    fn upsert_listing(
        &self,
        listing: &Listing,
        verdict: &Verdict,
        run: RunId,
    ) -> Result<ListingChange, StoreError>;
    /// Replaces the verdict of a stored listing (rescan with new rules, no refetch); writes
    /// history when the verdict changed. `Ok(None)` when the listing is unknown.
    fn update_verdict(
        &self,
        verdict: &Verdict,
        run: RunId,
    ) -> Result<Option<ListingChange>, StoreError>;
    /// The hops of the redirect chain that ended at `url` (stored pages whose `redirect_to`
    /// led there), the one first requested first; empty when it was reached directly.
    fn redirects_to(&self, url: &str) -> Result<Vec<PageRecord>, StoreError>;
    /// How many pages each site had answered 2xx or 304 in `runs` (latest fetch of each URL),
    /// by site: a resumed run's sites answered in the runs it continues.
    fn answered_pages(&self, runs: &[RunId]) -> Result<Vec<(String, u64)>, StoreError>;
    /// The site's pages that carry live listings, with the depth they were found at, by URL:
    /// what a run revisits so every live listing is confirmed or found gone by its own page.
    fn pages_with_live_listings(&self, site: &str) -> Result<Vec<(String, u32)>, StoreError>;
    /// The listing with this id, with its verdict and when it was seen.
    fn listing(&self, id: &ListingId) -> Result<Option<StoredListing>, StoreError>;
    /// How many listings are stored (gone ones included).
    fn listing_count(&self) -> Result<u64, StoreError>;
    /// The listings last extracted from the page at `url`, gone ones included.
    fn listings_on_page(&self, url: &str) -> Result<Vec<StoredListing>, StoreError>;
    /// A listing's history, oldest first (price history on the listing page).
    fn listing_history(&self, id: &ListingId) -> Result<Vec<HistoryEntry>, StoreError>;
    /// The history rows written in a run (new, changed, gone, returned), for its report.
    fn listings_changed_in(&self, run: RunId) -> Result<Vec<HistoryEntry>, StoreError>;
    /// Up to `limit` listings with ids greater than `after`, by id (keyset pagination).
    fn listings_after(
        &self,
        after: Option<&ListingId>,
        limit: usize,
    ) -> Result<Vec<StoredListing>, StoreError>;
    /// Every stored listing, fetched in pages (rescans, backtests).
    fn all_listings(&self) -> AllListings<'_>
    where
        Self: Sized,
    {
        AllListings::new(self)
    }

    /// Caches a robots.txt answer for its host until its `expires_at`.
    fn put_robots(&self, entry: &RobotsEntry) -> Result<(), StoreError>;
    /// The cached robots.txt of `host` unless it expired before `now`.
    fn robots(&self, host: &str, now: Timestamp) -> Result<Option<RobotsEntry>, StoreError>;

    /// The latest fetch of every URL, by URL (`evidence verify` checks each archived body).
    fn all_pages(&self) -> Result<Vec<PageRecord>, StoreError>;
}

/// Iterator over every stored listing, reading a page of them at a time.
pub struct AllListings<'a> {
    store: &'a dyn StateStore,
    buffer: std::vec::IntoIter<StoredListing>,
    after: Option<ListingId>,
    done: bool,
    page_size: usize,
}

impl<'a> AllListings<'a> {
    /// Iterates `store` (also usable on a `dyn StateStore`).
    pub fn new(store: &'a dyn StateStore) -> Self {
        AllListings {
            store,
            buffer: Vec::new().into_iter(),
            after: None,
            done: false,
            page_size: 500,
        }
    }
}

impl Iterator for AllListings<'_> {
    type Item = Result<StoredListing, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(item) = self.buffer.next() {
            return Some(Ok(item));
        }
        if self.done {
            return None;
        }
        match self
            .store
            .listings_after(self.after.as_ref(), self.page_size)
        {
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(page) => {
                if page.len() < self.page_size {
                    self.done = true;
                }
                self.after = page.last().map(|l| l.listing.id.clone());
                self.buffer = page.into_iter();
                self.buffer.next().map(Ok)
            }
        }
    }
}
