//! [`StateStore`] on PostgreSQL: one database several crawler machines can share.
//!
//! Same behaviour as [`crate::SqliteStore`], statement for statement; the schema is in
//! [`crate::schema::postgres`]. Two connections, each behind a mutex: one for writes and
//! whatever must see them, one for the crawler's lookups while a batch commit is open
//! (conditional-GET validators), as the SQLite store has.

mod frontier;
mod leases;
mod listings;
mod pages;
mod robots;
mod run_counts;
mod runs;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};
use postgres::{Client, NoTls, Transaction};

use crate::redact_url;
use crate::schema::postgres::migrate;
use crate::{
    FrontierCounts, FrontierEntry, HistoryEntry, ListingChange, PageAvailability, PageChanges,
    PageCommit, PageRecord, RobotsEntry, RunCount, RunId, RunRecord, RunStatus, StateStore,
    StoreError, StoredListing, Validators,
};

/// The PostgreSQL state store.
pub struct PgStore {
    conn: Mutex<Client>,
    reader: Mutex<Client>,
    url: String,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database`
    /// or a libpq key=value string) and brings its schema up to date.
    ///
    /// The connection is not encrypted: use it on a trusted network or over a tunnel.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::PostgresOpen {
            url: redact_url(url),
            source,
        };
        let mut conn = Client::connect(url, NoTls).map_err(open_err)?;
        migrate(&mut conn)?;
        let reader = Client::connect(url, NoTls).map_err(open_err)?;
        Ok(PgStore {
            conn: Mutex::new(conn),
            reader: Mutex::new(reader),
            url: redact_url(url),
        })
    }

    /// The connection URL, without its password (for messages).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Leases up to `n` of the frontier's queues (sites with queued URLs) that no other
    /// worker holds a live lease on, for `ttl`; returns their names. A worker asking again
    /// gets its own leases back, renewed. Several workers may ask at once: each queue goes to
    /// one of them.
    pub fn lease_queues(
        &self,
        worker: &str,
        n: usize,
        ttl: Duration,
    ) -> Result<Vec<String>, StoreError> {
        self.in_tx(|tx| leases::lease(tx, worker, n, ttl))
    }

    /// Extends the worker's live leases by `ttl` from now; returns the queues it still holds
    /// (an expired lease is lost: another worker may have it).
    pub fn renew_leases(&self, worker: &str, ttl: Duration) -> Result<Vec<String>, StoreError> {
        leases::renew(&mut *self.conn(), worker, ttl)
    }

    /// Gives back the worker's leases of `sites`; returns how many it held.
    pub fn release_queues(&self, worker: &str, sites: &[&str]) -> Result<usize, StoreError> {
        leases::release(&mut *self.conn(), worker, sites)
    }

    fn conn(&self) -> MutexGuard<'_, Client> {
        lock(&self.conn)
    }

    fn read_conn(&self) -> MutexGuard<'_, Client> {
        lock(&self.reader)
    }

    fn in_tx<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let mut tx = conn.transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }
}

fn lock(conn: &Mutex<Client>) -> MutexGuard<'_, Client> {
    // A panic while holding the guard dropped any open transaction (rolled back), so the
    // connection is still usable.
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

/// Everything one page changes, inside the caller's transaction.
fn page_in_tx(
    tx: &mut Transaction<'_>,
    commit: &PageCommit,
    run: RunId,
) -> Result<PageChanges, StoreError> {
    let page = &commit.page;
    let failed_runs = match (&commit.availability, &commit.error) {
        (PageAvailability::Failed { .. }, error) => Some(pages::record_failure(
            tx,
            page,
            error.as_deref().unwrap_or("no usable answer"),
        )?),
        _ => {
            pages::record(tx, page)?;
            None
        }
    };
    match &commit.error {
        None => frontier::set_state(tx, &page.site, &page.url, "done", None)?,
        Some(e) => frontier::set_state(tx, &page.site, &page.url, "failed", Some(e))?,
    }
    frontier::enqueue(tx, &commit.discovered, run)?;
    let listings = commit
        .listings
        .iter()
        .map(|(l, v)| listings::upsert(tx, l, v, run))
        .collect::<Result<Vec<_>, _>>()?;
    let gone = match crate::change::gone_except(commit, failed_runs) {
        Some(offered) => listings::gone_from_page(tx, &page.url, &offered, run, page.fetched_at)?,
        None => Vec::new(),
    };
    Ok(PageChanges { listings, gone })
}

impl StateStore for PgStore {
    fn start_run(&self, config_digest: &str, started_at: Timestamp) -> Result<RunId, StoreError> {
        runs::start(&mut *self.conn(), config_digest, started_at)
    }

    fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &serde_json::Value,
        finished_at: Timestamp,
    ) -> Result<(), StoreError> {
        runs::finish(&mut *self.conn(), run, status, counts, finished_at)
    }

    fn mark_interrupted_runs(&self) -> Result<Vec<RunId>, StoreError> {
        runs::mark_interrupted(&mut *self.conn())
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StoreError> {
        runs::get(&mut *self.conn(), id)
    }

    fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        runs::all(&mut *self.conn())
    }

    fn record_run_counts(&self, run: RunId, counts: &[RunCount]) -> Result<(), StoreError> {
        self.in_tx(|tx| run_counts::replace(tx, run, counts))
    }

    fn run_counts(&self) -> Result<Vec<(RunId, Vec<RunCount>)>, StoreError> {
        run_counts::all(&mut *self.conn())
    }

    fn record_page(&self, page: &PageRecord) -> Result<(), StoreError> {
        pages::record(&mut *self.conn(), page)
    }

    fn page(&self, url: &str) -> Result<Option<PageRecord>, StoreError> {
        pages::get(&mut *self.conn(), url)
    }

    fn page_by_digest(&self, sha256: &str) -> Result<Option<PageRecord>, StoreError> {
        pages::by_digest(&mut *self.conn(), sha256)
    }

    fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        pages::validators(&mut *self.read_conn(), url)
    }

    fn commit_page(&self, commit: &PageCommit, run: RunId) -> Result<PageChanges, StoreError> {
        self.in_tx(|tx| page_in_tx(tx, commit, run))
    }

    fn commit_pages(
        &self,
        commits: &[PageCommit],
        run: RunId,
    ) -> Result<Vec<PageChanges>, StoreError> {
        self.in_tx(|tx| commits.iter().map(|c| page_in_tx(tx, c, run)).collect())
    }

    fn enqueue_many(&self, entries: &[FrontierEntry], run: RunId) -> Result<usize, StoreError> {
        self.in_tx(|tx| frontier::enqueue(tx, entries, run))
    }

    fn next_batch(&self, site: &str, n: usize) -> Result<Vec<FrontierEntry>, StoreError> {
        self.in_tx(|tx| frontier::next_batch(tx, site, n))
    }

    fn mark_done(&self, site: &str, url: &str) -> Result<(), StoreError> {
        frontier::set_state(&mut *self.conn(), site, url, "done", None)
    }

    fn mark_failed(&self, site: &str, url: &str, error: &str) -> Result<(), StoreError> {
        frontier::set_state(&mut *self.conn(), site, url, "failed", Some(error))
    }

    fn requeue_in_flight(&self, site: Option<&str>) -> Result<usize, StoreError> {
        frontier::requeue_in_flight(&mut *self.conn(), site)
    }

    fn frontier_snapshot(
        &self,
        site: &str,
    ) -> Result<(Vec<FrontierEntry>, Vec<FrontierEntry>), StoreError> {
        // One transaction: both halves see the same moment.
        self.in_tx(|tx| {
            Ok((
                frontier::in_states(tx, site, &["done", "failed"])?,
                frontier::in_states(tx, site, &["queued", "in_flight"])?,
            ))
        })
    }

    fn frontier_counts(&self, site: &str) -> Result<FrontierCounts, StoreError> {
        frontier::counts(&mut *self.conn(), site)
    }

    fn clear_frontier(&self, site: &str) -> Result<usize, StoreError> {
        frontier::clear(&mut *self.conn(), site)
    }

    fn upsert_listing(
        &self,
        listing: &Listing,
        verdict: &Verdict,
        run: RunId,
    ) -> Result<ListingChange, StoreError> {
        self.in_tx(|tx| listings::upsert(tx, listing, verdict, run))
    }

    fn update_verdict(
        &self,
        verdict: &Verdict,
        run: RunId,
    ) -> Result<Option<ListingChange>, StoreError> {
        self.in_tx(|tx| listings::update_verdict(tx, verdict, run))
    }

    fn redirects_to(&self, url: &str) -> Result<Vec<PageRecord>, StoreError> {
        pages::redirects_to(&mut *self.conn(), url)
    }

    fn answered_pages(&self, runs: &[RunId]) -> Result<Vec<(String, u64)>, StoreError> {
        pages::answered(&mut *self.conn(), runs)
    }

    fn pages_with_live_listings(&self, site: &str) -> Result<Vec<(String, u32)>, StoreError> {
        pages::with_live_listings(&mut *self.conn(), site)
    }

    fn listing(&self, id: &ListingId) -> Result<Option<StoredListing>, StoreError> {
        listings::get(&mut *self.conn(), id)
    }

    fn listing_count(&self) -> Result<u64, StoreError> {
        listings::count(&mut *self.conn())
    }

    fn listings_on_page(&self, url: &str) -> Result<Vec<StoredListing>, StoreError> {
        listings::on_page(&mut *self.conn(), url)
    }

    fn listing_history(&self, id: &ListingId) -> Result<Vec<HistoryEntry>, StoreError> {
        listings::history(&mut *self.conn(), "listing_id = $1", &id.as_str())
    }

    fn listings_changed_in(&self, run: RunId) -> Result<Vec<HistoryEntry>, StoreError> {
        listings::history(&mut *self.conn(), "run_id = $1", &run.0)
    }

    fn listings_after(
        &self,
        after: Option<&ListingId>,
        limit: usize,
    ) -> Result<Vec<StoredListing>, StoreError> {
        listings::page_after(&mut *self.conn(), after, limit)
    }

    fn put_robots(&self, entry: &RobotsEntry) -> Result<(), StoreError> {
        robots::put(&mut *self.conn(), entry)
    }

    fn robots(&self, host: &str, now: Timestamp) -> Result<Option<RobotsEntry>, StoreError> {
        robots::get(&mut *self.conn(), host, now)
    }

    fn all_pages(&self) -> Result<Vec<PageRecord>, StoreError> {
        pages::all(&mut *self.read_conn())
    }
}
