//! Opening the state store a location names: a PostgreSQL URL or an SQLite file.

use std::path::Path;

use crate::{SqliteStore, StateStore, StoreError};

/// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`) rather
/// than an SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// Opens the state store at `location`: a `postgres://…` URL connects to PostgreSQL
/// ([`crate::PgStore`]), anything else is the path of an SQLite file ([`SqliteStore`]),
/// created if missing. Either way the schema is brought up to date.
pub fn open(location: &str) -> Result<Box<dyn StateStore>, StoreError> {
    if is_postgres_url(location) {
        open_postgres(location)
    } else {
        Ok(Box::new(SqliteStore::open(Path::new(location))?))
    }
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str) -> Result<Box<dyn StateStore>, StoreError> {
    Ok(Box::new(crate::PgStore::open(url)?))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(url: &str) -> Result<Box<dyn StateStore>, StoreError> {
    Err(StoreError::PostgresNotBuilt {
        url: crate::redact_url(url),
    })
}
