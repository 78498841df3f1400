//! The SQLite schema and its migrations: the only place that knows table layouts (with
//! `schema::postgres`, PostgreSQL's, beside it).
//!
//! `PRAGMA user_version` holds the number of migrations applied. Migrations run forward
//! only, in order, each in its own transaction together with the version bump, so a crash
//! during one leaves the database at the previous version.

use rusqlite::Connection;

use crate::StoreError;

#[cfg(feature = "postgres")]
pub mod postgres;

/// Migration `i` brings the schema from version `i` to `i + 1`. Append only: never edit a
/// migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
    CREATE TABLE runs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        status        TEXT NOT NULL CHECK (status IN ('running','finished','failed','interrupted')),
        config_digest TEXT NOT NULL,
        counts        TEXT NOT NULL DEFAULT '{}'
    );

    CREATE TABLE pages (
        url           TEXT PRIMARY KEY,
        site          TEXT NOT NULL,
        status        INTEGER,
        etag          TEXT,
        last_modified TEXT,
        body_sha256   TEXT,
        warc_file     TEXT,
        warc_offset   INTEGER,
        warc_length   INTEGER,
        fetched_at    TEXT NOT NULL,
        run_id        INTEGER NOT NULL REFERENCES runs(id)
    );
    CREATE INDEX pages_site ON pages(site);
    CREATE INDEX pages_digest ON pages(body_sha256);

    CREATE TABLE frontier (
        site           TEXT NOT NULL,
        url            TEXT NOT NULL,
        depth          INTEGER NOT NULL,
        priority       INTEGER NOT NULL DEFAULT 0,
        state          TEXT NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued','in_flight','done','failed')),
        discovered_run INTEGER REFERENCES runs(id),
        error          TEXT,
        PRIMARY KEY (site, url)
    );
    CREATE INDEX frontier_next ON frontier(site, state, priority DESC);

    CREATE TABLE listings (
        id         TEXT PRIMARY KEY,
        url        TEXT NOT NULL,
        site       TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen  TEXT NOT NULL,
        last_run   INTEGER NOT NULL REFERENCES runs(id),
        listing    TEXT NOT NULL,
        verdict    TEXT NOT NULL,
        price      TEXT,
        currency   TEXT,
        severity   TEXT,
        rule_ids   TEXT NOT NULL,
        flagged    INTEGER NOT NULL,
        gone_since TEXT
    );
    CREATE INDEX listings_site ON listings(site);
    CREATE INDEX listings_url ON listings(url);

    CREATE TABLE listing_history (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        listing_id   TEXT NOT NULL REFERENCES listings(id),
        run_id       INTEGER NOT NULL REFERENCES runs(id),
        at           TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('new','changed','gone','returned')),
        price        TEXT,
        currency     TEXT,
        availability TEXT NOT NULL,
        severity     TEXT,
        rule_ids     TEXT NOT NULL,
        score        REAL NOT NULL
    );
    CREATE INDEX history_listing ON listing_history(listing_id, id);
    CREATE INDEX history_run ON listing_history(run_id);

    CREATE TABLE robots (
        host       TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        status     INTEGER,
        body       BLOB NOT NULL
    );
    "#,
    // 2: per-run counts of flagged listings (by drug, category, rule) for trend signals.
    r#"
    CREATE TABLE run_counts (
        run_id    INTEGER NOT NULL REFERENCES runs(id),
        dimension TEXT NOT NULL,
        key       TEXT NOT NULL,
        count     INTEGER NOT NULL CHECK (count >= 0),
        PRIMARY KEY (run_id, dimension, key)
    ) WITHOUT ROWID;
    "#,
    // 3: each hop of a redirect chain is a page of its own that says where it pointed; a
    // page that fails keeps its last content and counts the consecutive runs it failed in
    // (its listings are gone only after several); a page's link depth, so the next run can
    // revisit it where it stood.
    r#"
    ALTER TABLE pages ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pages ADD COLUMN redirect_to TEXT;
    ALTER TABLE pages ADD COLUMN failed_runs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE pages ADD COLUMN last_error TEXT;
    CREATE INDEX pages_redirect_to ON pages(redirect_to) WHERE redirect_to IS NOT NULL;
    "#,
    // 4: the archived page behind each history row (its body's digest and record), so a
    // listing's timeline links every point to the page that showed it; the pages table keeps
    // only a URL's latest fetch.
    r#"
    ALTER TABLE listing_history ADD COLUMN evidence_sha256 TEXT;
    ALTER TABLE listing_history ADD COLUMN warc_file TEXT;
    ALTER TABLE listing_history ADD COLUMN warc_offset INTEGER;
    ALTER TABLE listing_history ADD COLUMN warc_length INTEGER;
    CREATE INDEX history_evidence ON listing_history(evidence_sha256)
        WHERE evidence_sha256 IS NOT NULL;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The schema version of an open database.
pub fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies the migrations the database has not seen yet; a no-op when it is current.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "state store schema migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_latest_and_reapplying_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 0);
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        conn.execute(
            "INSERT INTO runs (started_at, status, config_digest) VALUES ('t', 'running', 'd')",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let runs: i64 = conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 1, "reopening must not recreate tables");
    }

    #[test]
    fn a_version_1_database_migrates_without_losing_data() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO runs (started_at, status, config_digest) VALUES ('t', 'finished', 'd')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO listings (id, url, site, first_seen, last_seen, last_run, listing,
                verdict, rule_ids, flagged) VALUES ('l1', 'u', 's', 't', 't', 1, '{}', '{}', '', 1)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let kept: (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM listings)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, (1, 1));
        conn.execute(
            "INSERT INTO run_counts (run_id, dimension, key, count) VALUES (1, 'drug', 'x', 2)",
            [],
        )
        .unwrap();
        let negative = conn.execute(
            "INSERT INTO run_counts (run_id, dimension, key, count) VALUES (1, 'drug', 'y', -1)",
            [],
        );
        assert!(negative.is_err(), "counts are never negative");
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }
}
