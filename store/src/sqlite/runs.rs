//! `runs` table.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::values::{parse_opt_ts, parse_ts, ts};
use crate::{RunId, RunRecord, RunStatus, StoreError};
use pharmwatch_model::Timestamp;

pub(super) fn start(conn: &Connection, digest: &str, at: Timestamp) -> Result<RunId, StoreError> {
    conn.execute(
        "INSERT INTO runs (started_at, status, config_digest) VALUES (?1, 'running', ?2)",
        params![ts(at), digest],
    )?;
    Ok(RunId(conn.last_insert_rowid()))
}

pub(super) fn finish(
    conn: &Connection,
    run: RunId,
    status: RunStatus,
    counts: &serde_json::Value,
    at: Timestamp,
) -> Result<(), StoreError> {
    let n = conn.execute(
        "UPDATE runs SET finished_at = ?1, status = ?2, counts = ?3 WHERE id = ?4",
        params![
            ts(at),
            status.as_str(),
            serde_json::to_string(counts)?,
            run.0
        ],
    )?;
    if n == 0 {
        return Err(StoreError::UnknownRun(run.0));
    }
    Ok(())
}

pub(super) fn mark_interrupted(conn: &Connection) -> Result<Vec<RunId>, StoreError> {
    let mut stmt = conn.prepare("SELECT id FROM runs WHERE status = 'running' ORDER BY id")?;
    let ids: Vec<RunId> = stmt
        .query_map([], |r| r.get(0).map(RunId))?
        .collect::<Result<_, _>>()?;
    conn.execute(
        "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
        [],
    )?;
    Ok(ids)
}

const COLUMNS: &str = "id, started_at, finished_at, status, config_digest, counts";

pub(super) fn get(conn: &Connection, id: RunId) -> Result<Option<RunRecord>, StoreError> {
    let raw = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM runs WHERE id = ?1"),
            [id.0],
            RawRun::from_row,
        )
        .optional()?;
    raw.map(RawRun::into_record).transpose()
}

pub(super) fn all(conn: &Connection) -> Result<Vec<RunRecord>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM runs ORDER BY id DESC"))?;
    let raws: Vec<RawRun> = stmt
        .query_map([], RawRun::from_row)?
        .collect::<Result<_, _>>()?;
    raws.into_iter().map(RawRun::into_record).collect()
}

struct RawRun {
    id: i64,
    started_at: String,
    finished_at: Option<String>,
    status: String,
    config_digest: String,
    counts: String,
}

impl RawRun {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawRun {
            id: r.get(0)?,
            started_at: r.get(1)?,
            finished_at: r.get(2)?,
            status: r.get(3)?,
            config_digest: r.get(4)?,
            counts: r.get(5)?,
        })
    }

    fn into_record(self) -> Result<RunRecord, StoreError> {
        Ok(RunRecord {
            id: RunId(self.id),
            started_at: parse_ts(&self.started_at)?,
            finished_at: parse_opt_ts(self.finished_at)?,
            status: RunStatus::parse(&self.status)
                .ok_or_else(|| StoreError::corrupt("run status", self.status.clone()))?,
            config_digest: self.config_digest,
            counts: serde_json::from_str(&self.counts)?,
        })
    }
}
