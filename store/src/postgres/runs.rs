//! `runs` table.

use postgres::{GenericClient, Row};

use crate::sqlite::values::{parse_opt_ts, parse_ts, ts};
use crate::{RunId, RunRecord, RunStatus, StoreError};
use pharmwatch_model::Timestamp;

pub(super) fn start(
    c: &mut impl GenericClient,
    digest: &str,
    at: Timestamp,
) -> Result<RunId, StoreError> {
    let row = c.query_one(
        "INSERT INTO runs (started_at, status, config_digest) VALUES ($1, 'running', $2)
         RETURNING id",
        &[&ts(at), &digest],
    )?;
    Ok(RunId(row.get(0)))
}

pub(super) fn finish(
    c: &mut impl GenericClient,
    run: RunId,
    status: RunStatus,
    counts: &serde_json::Value,
    at: Timestamp,
) -> Result<(), StoreError> {
    let n = c.execute(
        "UPDATE runs SET finished_at = $1, status = $2, counts = $3 WHERE id = $4",
        &[
            &ts(at),
            &status.as_str(),
            &serde_json::to_string(counts)?,
            &run.0,
        ],
    )?;
    if n == 0 {
        return Err(StoreError::UnknownRun(run.0));
    }
    Ok(())
}

pub(super) fn mark_interrupted(c: &mut impl GenericClient) -> Result<Vec<RunId>, StoreError> {
    let mut ids: Vec<RunId> = c
        .query(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running' RETURNING id",
            &[],
        )?
        .iter()
        .map(|r| RunId(r.get(0)))
        .collect();
    ids.sort();
    Ok(ids)
}

const COLUMNS: &str = "id, started_at, finished_at, status, config_digest, counts";

pub(super) fn get(c: &mut impl GenericClient, id: RunId) -> Result<Option<RunRecord>, StoreError> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM runs WHERE id = $1"),
        &[&id.0],
    )?
    .map(|r| record(&r))
    .transpose()
}

pub(super) fn all(c: &mut impl GenericClient) -> Result<Vec<RunRecord>, StoreError> {
    c.query(&format!("SELECT {COLUMNS} FROM runs ORDER BY id DESC"), &[])?
        .iter()
        .map(record)
        .collect()
}

fn record(r: &Row) -> Result<RunRecord, StoreError> {
    let status: String = r.try_get(3)?;
    let counts: String = r.try_get(5)?;
    Ok(RunRecord {
        id: RunId(r.try_get(0)?),
        started_at: parse_ts(r.try_get(1)?)?,
        finished_at: parse_opt_ts(r.try_get(2)?)?,
        status: RunStatus::parse(&status)
            .ok_or_else(|| StoreError::corrupt("run status", status.clone()))?,
        config_digest: r.try_get(4)?,
        counts: serde_json::from_str(&counts)?,
    })
}
