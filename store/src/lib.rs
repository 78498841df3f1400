//! The pharmwatch state store: `state.sqlite` in the data directory, or a PostgreSQL
//! database several crawler machines share ([`PgStore`], cargo feature `postgres`).
//!
//! Runs, the latest fetch of each page (validators, evidence location), the crawl frontier
//! (so a killed crawl resumes), listings with their current verdict and a history written
//! only when something changed, and the robots.txt cache. The pipeline talks to the
//! [`StateStore`] trait; [`SqliteStore`] implements it with SQLite in WAL mode. A
//! [`DataDirLock`] keeps a second process off the same data directory.
//!
//! Crash safety: every page's writes are one transaction ([`StateStore::commit_page`]);
//! WAL with `synchronous=NORMAL` keeps the database consistent after a kill at any moment
//! and loses nothing committed on a process crash (a power loss may lose the last
//! transactions, never consistency).

mod change;
mod commit;
mod error;
mod lock;
mod open;
#[cfg(feature = "postgres")]
mod postgres;
mod redact;
pub mod schema;
mod sqlite;
mod state;
mod types;

pub use error::StoreError;
pub use lock::{DataDirLock, LockError};
pub use open::{is_postgres_url, open};
pub use pharmwatch_model::Validators;
#[cfg(feature = "postgres")]
pub use postgres::PgStore;
pub use redact::redact_url;
pub use sqlite::SqliteStore;
pub use state::{AllListings, StateStore};
pub use types::{
    FrontierCounts, FrontierEntry, HistoryEntry, HistoryEvidence, HistoryKind, ListingChange,
    PageAvailability, PageChanges, PageCommit, PageRecord, RobotsEntry, RunCount, RunId, RunRecord,
    RunStatus, StoredListing, VerdictSummary, WarcPointer,
};
