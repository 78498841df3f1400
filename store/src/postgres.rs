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

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};
use postgres::{Client, NoTls, Transaction};

use crate::commit::{PageWrites, page_in_tx};
use crate::redact_url;
use crate::schema::postgres::migrate;
use crate::{
    FrontierCounts, FrontierEntry, HistoryEntry, HistoryEvidence, ListingChange, PageChanges,
    PageCommit, PageRecord, RobotsEntry, RunCount, RunId, RunRecord, RunStatus, StateStore,
    StoreError, StoredListing, Validators, WarcPointer,
};

/// The PostgreSQL state store.
///
/// The `postgres` client runs a tokio runtime of its own for each call, which tokio refuses
/// on a thread already inside one (the crawl calls the store from its async tasks): there,
/// each call runs on a short-lived thread of its own ([`off_runtime`]). The clients are
/// `None` only while the store is dropped.
pub struct PgStore {
    conn: Mutex<Option<Client>>,
    reader: Mutex<Option<Client>>,
    url: String,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user[:password]@host[:port]/database`
    /// or a libpq key=value string) and brings its schema up to date.
    ///
    /// The connection is not encrypted: use it on a trusted network or over a tunnel.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        off_runtime(|| Self::connect(url))
    }

    fn connect(url: &str) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::PostgresOpen {
            url: redact_url(url),
            source,
        };
        let mut conn = Client::connect(url, NoTls).map_err(open_err)?;
        migrate(&mut conn)?;
        let reader = Client::connect(url, NoTls).map_err(open_err)?;
        Ok(PgStore {
            conn: Mutex::new(Some(conn)),
            reader: Mutex::new(Some(reader)),
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
        self.with(|c| leases::renew(c, worker, ttl))
    }

    /// Gives back the worker's leases of `sites`; returns how many it held.
    pub fn release_queues(&self, worker: &str, sites: &[&str]) -> Result<usize, StoreError> {
        self.with(|c| leases::release(c, worker, sites))
    }

    /// Runs `f` on the writing connection.
    fn with<T: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        off_runtime(|| f(client(&mut lock(&self.conn))?))
    }

    /// Runs `f` on the connection for lookups while the writer may be in a transaction.
    fn with_reader<T: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        off_runtime(|| f(client(&mut lock(&self.reader))?))
    }

    /// Runs `f` in one transaction of the writing connection: all of it or none.
    fn in_tx<T: Send>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Closing a client blocks on its runtime too.
        let clients = (take(&mut self.conn), take(&mut self.reader));
        off_runtime(move || drop(clients));
    }
}

fn take(conn: &mut Mutex<Option<Client>>) -> Option<Client> {
    conn.get_mut().unwrap_or_else(|p| p.into_inner()).take()
}

fn lock(conn: &Mutex<Option<Client>>) -> MutexGuard<'_, Option<Client>> {
    // A panic while holding the guard dropped any open transaction (rolled back), so the
    // connection is still usable.
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

fn client<'a>(guard: &'a mut MutexGuard<'_, Option<Client>>) -> Result<&'a mut Client, StoreError> {
    guard.as_mut().ok_or(StoreError::Closed)
}

/// Runs `f` here, or on a thread of its own when this thread is inside a tokio runtime (where
/// the blocking client cannot start its own).
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// A page's commit on this backend's statements (see [`crate::commit`]).
impl PageWrites for Transaction<'_> {
    fn record_page(&mut self, page: &PageRecord) -> Result<(), StoreError> {
        pages::record(self, page)
    }

    fn record_failure(&mut self, page: &PageRecord, error: &str) -> Result<u32, StoreError> {
        pages::record_failure(self, page, error)
    }

    fn set_frontier_state(
        &mut self,
        site: &str,
        url: &str,
        state: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        frontier::set_state(self, site, url, state, error)
    }

    fn enqueue(&mut self, entries: &[FrontierEntry], run: RunId) -> Result<usize, StoreError> {
        frontier::enqueue(self, entries, run)
    }

    fn upsert_listing(
        &mut self,
        listing: &Listing,
        verdict: &Verdict,
        run: RunId,
        shown_by: Option<&HistoryEvidence>,
    ) -> Result<ListingChange, StoreError> {
        listings::upsert(self, listing, verdict, run, shown_by)
    }

    fn gone_from_page(
        &mut self,
        url: &str,
        offered: &HashSet<&str>,
        run: RunId,
        now: Timestamp,
        evidence: Option<&HistoryEvidence>,
    ) -> Result<Vec<ListingId>, StoreError> {
        listings::gone_from_page(self, url, offered, run, now, evidence)
    }
}

impl StateStore for PgStore {
    fn start_run(&self, config_digest: &str, started_at: Timestamp) -> Result<RunId, StoreError> {
        self.with(|c| runs::start(c, config_digest, started_at))
    }

    fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &serde_json::Value,
        finished_at: Timestamp,
    ) -> Result<(), StoreError> {
        self.with(|c| runs::finish(c, run, status, counts, finished_at))
    }

    fn mark_interrupted_runs(&self) -> Result<Vec<RunId>, StoreError> {
        self.with(runs::mark_interrupted)
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StoreError> {
        self.with(|c| runs::get(c, id))
    }

    fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        self.with(runs::all)
    }

    fn record_run_counts(&self, run: RunId, counts: &[RunCount]) -> Result<(), StoreError> {
        self.in_tx(|tx| run_counts::replace(tx, run, counts))
    }

    fn run_counts(&self) -> Result<Vec<(RunId, Vec<RunCount>)>, StoreError> {
        self.with(run_counts::all)
    }

    fn record_page(&self, page: &PageRecord) -> Result<(), StoreError> {
        self.with(|c| pages::record(c, page))
    }

    fn page(&self, url: &str) -> Result<Option<PageRecord>, StoreError> {
        self.with(|c| pages::get(c, url))
    }

    fn page_by_digest(&self, sha256: &str) -> Result<Option<PageRecord>, StoreError> {
        self.with(|c| pages::by_digest(c, sha256))
    }

    fn history_evidence_record(&self, sha256: &str) -> Result<Option<WarcPointer>, StoreError> {
        self.with_reader(|c| listings::evidence_record(c, sha256))
    }

    fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        self.with_reader(|c| pages::validators(c, url))
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
        self.with(|c| frontier::set_state(c, site, url, "done", None))
    }

    fn mark_failed(&self, site: &str, url: &str, error: &str) -> Result<(), StoreError> {
        self.with(|c| frontier::set_state(c, site, url, "failed", Some(error)))
    }

    fn requeue_in_flight(&self, site: Option<&str>) -> Result<usize, StoreError> {
        self.with(|c| frontier::requeue_in_flight(c, site))
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
        self.with(|c| frontier::counts(c, site))
    }

    fn clear_frontier(&self, site: &str) -> Result<usize, StoreError> {
        self.with(|c| frontier::clear(c, site))
    }

    fn upsert_listing(
        &self,
        listing: &Listing,
        verdict: &Verdict,
        run: RunId,
    ) -> Result<ListingChange, StoreError> {
        self.in_tx(|tx| listings::upsert(tx, listing, verdict, run, None))
    }

    fn update_verdict(
        &self,
        verdict: &Verdict,
        run: RunId,
    ) -> Result<Option<ListingChange>, StoreError> {
        self.in_tx(|tx| listings::update_verdict(tx, verdict, run))
    }

    fn redirects_to(&self, url: &str) -> Result<Vec<PageRecord>, StoreError> {
        self.with(|c| pages::redirects_to(c, url))
    }

    fn answered_pages(&self, runs: &[RunId]) -> Result<Vec<(String, u64)>, StoreError> {
        self.with(|c| pages::answered(c, runs))
    }

    fn pages_with_live_listings(&self, site: &str) -> Result<Vec<(String, u32)>, StoreError> {
        self.with(|c| pages::with_live_listings(c, site))
    }

    fn listing(&self, id: &ListingId) -> Result<Option<StoredListing>, StoreError> {
        self.with(|c| listings::get(c, id))
    }

    fn listing_count(&self) -> Result<u64, StoreError> {
        self.with(listings::count)
    }

    fn listings_on_page(&self, url: &str) -> Result<Vec<StoredListing>, StoreError> {
        self.with(|c| listings::on_page(c, url))
    }

    fn listing_history(&self, id: &ListingId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.with(|c| listings::history(c, "listing_id = $1", &id.as_str()))
    }

    fn listings_changed_in(&self, run: RunId) -> Result<Vec<HistoryEntry>, StoreError> {
        self.with(|c| listings::history(c, "run_id = $1", &run.0))
    }

    fn listings_after(
        &self,
        after: Option<&ListingId>,
        limit: usize,
    ) -> Result<Vec<StoredListing>, StoreError> {
        self.with(|c| listings::page_after(c, after, limit))
    }

    fn put_robots(&self, entry: &RobotsEntry) -> Result<(), StoreError> {
        self.with(|c| robots::put(c, entry))
    }

    fn robots(&self, host: &str, now: Timestamp) -> Result<Option<RobotsEntry>, StoreError> {
        self.with(|c| robots::get(c, host, now))
    }

    fn all_pages(&self) -> Result<Vec<PageRecord>, StoreError> {
        self.with_reader(pages::all)
    }
}
