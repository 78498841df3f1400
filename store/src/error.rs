use std::path::PathBuf;

/// What can go wrong in the state store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or set up.
    #[error("state store {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A statement failed.
    #[error("state store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL server could not be reached or refused the connection.
    #[cfg(feature = "postgres")]
    #[error("state store {url}: {source}")]
    PostgresOpen {
        /// The connection URL, without its password.
        url: String,
        /// What the client or server said.
        #[source]
        source: postgres::Error,
    },
    /// A PostgreSQL statement failed.
    #[cfg(feature = "postgres")]
    #[error("state store: {0}")]
    Postgres(#[from] postgres::Error),
    /// A PostgreSQL store was used while it was being dropped.
    #[cfg(feature = "postgres")]
    #[error("state store: the connection is closed")]
    Closed,
    /// A `postgres://` store was asked of a build without PostgreSQL support.
    #[error(
        "state store {url}: this pharmwatch was built without PostgreSQL support (cargo feature `postgres`)"
    )]
    PostgresNotBuilt {
        /// The connection URL, without its password.
        url: String,
    },
    /// A value stored as JSON could not be written or read.
    #[error("state store JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The database was written by a newer pharmwatch; refusing to touch it.
    #[error(
        "state store schema version {found} is newer than this build knows ({known}); use a newer pharmwatch"
    )]
    SchemaTooNew {
        /// The database's schema version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A stored value this build cannot read back.
    #[error("state store holds an unreadable value in {what}: {value}")]
    Corrupt {
        /// Which column or field.
        what: &'static str,
        /// The value as stored.
        value: String,
    },
    /// An operation named a run that is not in `runs`.
    #[error("unknown run {0}")]
    UnknownRun(i64),
}

impl StoreError {
    pub(crate) fn corrupt(what: &'static str, value: impl Into<String>) -> Self {
        StoreError::Corrupt {
            what,
            value: value.into(),
        }
    }
}
