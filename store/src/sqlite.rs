//! [`StateStore`] on SQLite.

mod frontier;
mod listings;
mod pages;
mod robots;
mod run_counts;
mod runs;
pub(crate) mod values;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};
use rusqlite::Connection;

use crate::commit::{PageWrites, page_in_tx};
use crate::schema::migrate;
use crate::{
    FrontierCounts, FrontierEntry, HistoryEntry, HistoryEvidence, ListingChange, PageChanges,
    PageCommit, PageRecord, RobotsEntry, RunCount, RunId, RunRecord, RunStatus, StateStore,
    StoreError, StoredListing, Validators, WarcPointer,
};

/// How long a writer waits for another connection's write transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite state store (one connection behind a mutex, and a read-only one for the
/// crawler's lookups).
pub struct SqliteStore {
    conn: Mutex<Connection>,
    /// Read-only connection for lookups the crawler makes while the sink writes (conditional
    /// GET validators). With WAL it reads the last committed state at once; on the writing
    /// connection such a lookup waited for the sink's whole batch transaction, blocking a
    /// tokio worker thread meanwhile. `None` for in-memory stores.
    reader: Option<Mutex<Connection>>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, switches it to WAL and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        configure(&conn, true).map_err(open_err)?;
        migrate(&mut conn)?;
        let reader = open_reader(path).map_err(open_err)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            reader: Some(Mutex::new(reader)),
            path: path.to_path_buf(),
        })
    }

    /// An in-memory store (tests, one-off commands).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn, false)?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            reader: None,
            path: PathBuf::from(":memory:"),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Result of `PRAGMA integrity_check`: `["ok"]` when the database is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Copies WAL content into the main file (e.g. before backing up the data directory).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// A number that changes when another connection (a crawl, a rescan: another process)
    /// has committed to the database since this store last asked (`PRAGMA data_version`).
    /// What was computed from the store stays valid while it stays the same.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        let version: i64 = self
            .read_conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(version as u64)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// The connection for lookups that need not see the writer's open transaction: the
    /// read-only one where there is one.
    fn read_conn(&self) -> MutexGuard<'_, Connection> {
        self.reader.as_ref().map_or_else(|| self.conn(), lock)
    }

    fn in_tx<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the guard dropped any open transaction (rolled back), so the
    // connection is still usable.
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

fn configure(conn: &Connection, wal: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    if wal {
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "state store could not switch to WAL");
        }
    }
    // In WAL mode, NORMAL loses no committed transaction when the process dies (SIGKILL,
    // panic): the WAL is written before each commit returns, and only its fsync waits for the
    // next checkpoint. A power cut or OS crash may roll back the last transactions, never
    // corrupt the file; the crawl re-fetches such pages on resume.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Checkpoint the WAL every 8,192 pages (32 MiB) instead of SQLite's 1,000: a crawl
    // rewrites the same hot B-tree pages in every transaction, and each checkpoint copies them
    // back again. At 1,000 the checkpoints were 4 % of a crawl's CPU.
    conn.pragma_update(None, "wal_autocheckpoint", 8192)?;
    // Every statement of a page commit is `prepare_cached`; rusqlite's default of 16 is
    // close to the number the crawl, the reports and the daemon use together.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// A page's commit on this backend's statements (see [`crate::commit`]).
impl PageWrites for &rusqlite::Transaction<'_> {
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

impl StateStore for SqliteStore {
    fn start_run(&self, config_digest: &str, started_at: Timestamp) -> Result<RunId, StoreError> {
        runs::start(&self.conn(), config_digest, started_at)
    }

    fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counts: &serde_json::Value,
        finished_at: Timestamp,
    ) -> Result<(), StoreError> {
        runs::finish(&self.conn(), run, status, counts, finished_at)
    }

    fn mark_interrupted_runs(&self) -> Result<Vec<RunId>, StoreError> {
        self.in_tx(|tx| runs::mark_interrupted(tx))
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StoreError> {
        runs::get(&self.conn(), id)
    }

    fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        runs::all(&self.conn())
    }

    fn record_run_counts(&self, run: RunId, counts: &[RunCount]) -> Result<(), StoreError> {
        self.in_tx(|tx| run_counts::replace(tx, run, counts))
    }

    fn run_counts(&self) -> Result<Vec<(RunId, Vec<RunCount>)>, StoreError> {
        run_counts::all(&self.conn())
    }

    fn record_page(&self, page: &PageRecord) -> Result<(), StoreError> {
        pages::record(&self.conn(), page)
    }

    fn page(&self, url: &str) -> Result<Option<PageRecord>, StoreError> {
        pages::get(&self.conn(), url)
    }

    fn page_by_digest(&self, sha256: &str) -> Result<Option<PageRecord>, StoreError> {
        pages::by_digest(&self.conn(), sha256)
    }

    fn history_evidence_record(&self, sha256: &str) -> Result<Option<WarcPointer>, StoreError> {
        listings::evidence_record(&self.read_conn(), sha256)
    }

    fn validators(&self, url: &str) -> Result<Option<Validators>, StoreError> {
        pages::validators(&self.read_conn(), url)
    }

    fn commit_page(&self, commit: &PageCommit, run: RunId) -> Result<PageChanges, StoreError> {
        self.in_tx(|mut tx| page_in_tx(&mut tx, commit, run))
    }

    fn commit_pages(
        &self,
        commits: &[PageCommit],
        run: RunId,
    ) -> Result<Vec<PageChanges>, StoreError> {
        self.in_tx(|mut tx| {
            commits
                .iter()
                .map(|c| page_in_tx(&mut tx, c, run))
                .collect()
        })
    }

    fn enqueue_many(&self, entries: &[FrontierEntry], run: RunId) -> Result<usize, StoreError> {
        self.in_tx(|tx| frontier::enqueue(tx, entries, run))
    }

    fn next_batch(&self, site: &str, n: usize) -> Result<Vec<FrontierEntry>, StoreError> {
        self.in_tx(|tx| frontier::next_batch(tx, site, n))
    }

    fn mark_done(&self, site: &str, url: &str) -> Result<(), StoreError> {
        frontier::set_state(&self.conn(), site, url, "done", None)
    }

    fn mark_failed(&self, site: &str, url: &str, error: &str) -> Result<(), StoreError> {
        frontier::set_state(&self.conn(), site, url, "failed", Some(error))
    }

    fn frontier_snapshot(
        &self,
        site: &str,
    ) -> Result<(Vec<FrontierEntry>, Vec<FrontierEntry>), StoreError> {
        let conn = self.conn();
        Ok((
            frontier::in_states(&conn, site, &["done", "failed"])?,
            frontier::in_states(&conn, site, &["queued", "in_flight"])?,
        ))
    }

    fn requeue_in_flight(&self, site: Option<&str>) -> Result<usize, StoreError> {
        frontier::requeue_in_flight(&self.conn(), site)
    }

    fn frontier_counts(&self, site: &str) -> Result<FrontierCounts, StoreError> {
        frontier::counts(&self.conn(), site)
    }

    fn clear_frontier(&self, site: &str) -> Result<usize, StoreError> {
        Ok(self
            .conn()
            .execute("DELETE FROM frontier WHERE site = ?1", [site])?)
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
        pages::redirects_to(&self.conn(), url)
    }

    fn answered_pages(&self, runs: &[RunId]) -> Result<Vec<(String, u64)>, StoreError> {
        pages::answered(&self.conn(), runs)
    }

    fn pages_with_live_listings(&self, site: &str) -> Result<Vec<(String, u32)>, StoreError> {
        pages::with_live_listings(&self.conn(), site)
    }

    fn listing(&self, id: &ListingId) -> Result<Option<StoredListing>, StoreError> {
        listings::get(&self.conn(), id)
    }

    fn listing_count(&self) -> Result<u64, StoreError> {
        listings::count(&self.conn())
    }

    fn listings_on_page(&self, url: &str) -> Result<Vec<StoredListing>, StoreError> {
        listings::on_page(&self.conn(), url)
    }

    fn listing_history(&self, id: &ListingId) -> Result<Vec<HistoryEntry>, StoreError> {
        listings::history(&self.conn(), "listing_id = ?1", id.as_str())
    }

    fn listings_changed_in(&self, run: RunId) -> Result<Vec<HistoryEntry>, StoreError> {
        listings::history(&self.conn(), "run_id = ?1", run.0)
    }

    fn listings_after(
        &self,
        after: Option<&ListingId>,
        limit: usize,
    ) -> Result<Vec<StoredListing>, StoreError> {
        listings::page_after(&self.conn(), after, limit)
    }

    fn put_robots(&self, entry: &RobotsEntry) -> Result<(), StoreError> {
        robots::put(&self.conn(), entry)
    }

    fn robots(&self, host: &str, now: Timestamp) -> Result<Option<RobotsEntry>, StoreError> {
        robots::get(&self.conn(), host, now)
    }

    fn all_pages(&self) -> Result<Vec<PageRecord>, StoreError> {
        pages::all(&self.read_conn())
    }
}
