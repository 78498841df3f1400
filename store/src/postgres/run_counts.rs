//! `run_counts` table: per-run counts the trend signals compare.

use postgres::GenericClient;

use crate::{RunCount, RunId, StoreError};

pub(super) fn replace(
    c: &mut impl GenericClient,
    run: RunId,
    counts: &[RunCount],
) -> Result<(), StoreError> {
    let known: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM runs WHERE id = $1)",
            &[&run.0],
        )?
        .try_get(0)?;
    if !known {
        return Err(StoreError::UnknownRun(run.0));
    }
    c.execute("DELETE FROM run_counts WHERE run_id = $1", &[&run.0])?;
    let insert = c.prepare(
        "INSERT INTO run_counts (run_id, dimension, key, count) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id, dimension, key) DO UPDATE SET count = excluded.count",
    )?;
    for count in counts {
        // Counts of listings never come near 2^63; saturate rather than fail on the absurd.
        let n = i64::try_from(count.count).unwrap_or(i64::MAX);
        c.execute(&insert, &[&run.0, &count.dimension, &count.key, &n])?;
    }
    Ok(())
}

pub(super) fn all(c: &mut impl GenericClient) -> Result<Vec<(RunId, Vec<RunCount>)>, StoreError> {
    let rows = c.query(
        "SELECT run_id, dimension, key, count FROM run_counts ORDER BY run_id, dimension, key",
        &[],
    )?;
    let mut out: Vec<(RunId, Vec<RunCount>)> = Vec::new();
    for row in rows {
        let run: i64 = row.try_get(0)?;
        let n: i64 = row.try_get(3)?;
        let count = RunCount {
            dimension: row.try_get(1)?,
            key: row.try_get(2)?,
            count: u64::try_from(n)
                .map_err(|_| StoreError::corrupt("run_counts.count", n.to_string()))?,
        };
        match out.last_mut() {
            Some((last, counts)) if last.0 == run => counts.push(count),
            _ => out.push((RunId(run), vec![count])),
        }
    }
    Ok(out)
}
