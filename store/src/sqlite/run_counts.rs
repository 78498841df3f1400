//! `run_counts` table: per-run counts the trend signals compare.

use rusqlite::{Connection, params};

use crate::{RunCount, RunId, StoreError};

pub(super) fn replace(
    conn: &Connection,
    run: RunId,
    counts: &[RunCount],
) -> Result<(), StoreError> {
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)",
        [run.0],
        |r| r.get(0),
    )?;
    if !known {
        return Err(StoreError::UnknownRun(run.0));
    }
    conn.execute("DELETE FROM run_counts WHERE run_id = ?1", [run.0])?;
    let mut insert = conn.prepare(
        "INSERT INTO run_counts (run_id, dimension, key, count) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(run_id, dimension, key) DO UPDATE SET count = excluded.count",
    )?;
    for c in counts {
        // Counts of listings never come near 2^63; saturate rather than fail on the absurd.
        let count = i64::try_from(c.count).unwrap_or(i64::MAX);
        insert.execute(params![run.0, c.dimension, c.key, count])?;
    }
    Ok(())
}

pub(super) fn all(conn: &Connection) -> Result<Vec<(RunId, Vec<RunCount>)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT run_id, dimension, key, count FROM run_counts ORDER BY run_id, dimension, key",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out: Vec<(RunId, Vec<RunCount>)> = Vec::new();
    for row in rows {
        let (run, dimension, key, count) = row?;
        let count = u64::try_from(count)
            .map_err(|_| StoreError::corrupt("run_counts.count", count.to_string()))?;
        let count = RunCount {
            dimension,
            key,
            count,
        };
        match out.last_mut() {
            Some((last, counts)) if last.0 == run => counts.push(count),
            _ => out.push((RunId(run), vec![count])),
        }
    }
    Ok(out)
}
