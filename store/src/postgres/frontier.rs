//! `frontier` table: what is left to crawl, per site, surviving restarts.

use postgres::{GenericClient, Row};

use crate::{FrontierCounts, FrontierEntry, RunId, StoreError};

pub(super) fn enqueue(
    c: &mut impl GenericClient,
    entries: &[FrontierEntry],
    run: RunId,
) -> Result<usize, StoreError> {
    if entries.is_empty() {
        return Ok(0);
    }
    let insert = c.prepare(
        "INSERT INTO frontier (site, url, depth, priority, state, discovered_run)
         VALUES ($1, $2, $3, $4, 'queued', $5)
         ON CONFLICT (site, url) DO NOTHING",
    )?;
    let mut added = 0;
    for e in entries {
        let depth = i64::from(e.depth);
        added += c.execute(&insert, &[&e.site, &e.url, &depth, &e.priority, &run.0])?;
    }
    Ok(usize::try_from(added).unwrap_or(usize::MAX))
}

/// Hands out the site's next queued URLs. `SKIP LOCKED` lets several processes take batches
/// of one site at once without waiting for each other or taking the same URL twice.
pub(super) fn next_batch(
    c: &mut impl GenericClient,
    site: &str,
    n: usize,
) -> Result<Vec<FrontierEntry>, StoreError> {
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let batch: Vec<FrontierEntry> = c
        .query(
            "SELECT url, depth, priority FROM frontier
             WHERE site = $1 AND state = 'queued'
             ORDER BY priority DESC, seq LIMIT $2
             FOR UPDATE SKIP LOCKED",
            &[&site, &limit],
        )?
        .iter()
        .map(|r| entry(site, r))
        .collect::<Result<_, _>>()?;
    let urls: Vec<&str> = batch.iter().map(|e| e.url.as_str()).collect();
    c.execute(
        "UPDATE frontier SET state = 'in_flight' WHERE site = $1 AND url = ANY($2)",
        &[&site, &urls],
    )?;
    Ok(batch)
}

pub(super) fn set_state(
    c: &mut impl GenericClient,
    site: &str,
    url: &str,
    state: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    c.execute(
        "UPDATE frontier SET state = $1, error = $2 WHERE site = $3 AND url = $4",
        &[&state, &error, &site, &url],
    )?;
    Ok(())
}

/// URLs of the site's frontier in the given states.
pub(super) fn in_states(
    c: &mut impl GenericClient,
    site: &str,
    states: &[&str],
) -> Result<Vec<FrontierEntry>, StoreError> {
    c.query(
        "SELECT url, depth, priority FROM frontier
         WHERE site = $1 AND state = ANY($2)
         ORDER BY priority DESC, seq",
        &[&site, &states],
    )?
    .iter()
    .map(|r| entry(site, r))
    .collect()
}

fn entry(site: &str, r: &Row) -> Result<FrontierEntry, StoreError> {
    let depth: i64 = r.try_get(1)?;
    Ok(FrontierEntry {
        site: site.to_string(),
        url: r.try_get(0)?,
        depth: u32::try_from(depth).unwrap_or(u32::MAX),
        priority: r.try_get(2)?,
    })
}

pub(super) fn requeue_in_flight(
    c: &mut impl GenericClient,
    site: Option<&str>,
) -> Result<usize, StoreError> {
    let n = match site {
        Some(site) => c.execute(
            "UPDATE frontier SET state = 'queued' WHERE state = 'in_flight' AND site = $1",
            &[&site],
        )?,
        None => c.execute(
            "UPDATE frontier SET state = 'queued' WHERE state = 'in_flight'",
            &[],
        )?,
    };
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

pub(super) fn counts(c: &mut impl GenericClient, site: &str) -> Result<FrontierCounts, StoreError> {
    let mut counts = FrontierCounts::default();
    for row in c.query(
        "SELECT state, COUNT(*) FROM frontier WHERE site = $1 GROUP BY state",
        &[&site],
    )? {
        let state: &str = row.try_get(0)?;
        let n: i64 = row.try_get(1)?;
        let n = u64::try_from(n).unwrap_or(0);
        match state {
            "queued" => counts.queued = n,
            "in_flight" => counts.in_flight = n,
            "done" => counts.done = n,
            "failed" => counts.failed = n,
            other => return Err(StoreError::corrupt("frontier state", other)),
        }
    }
    Ok(counts)
}

pub(super) fn clear(c: &mut impl GenericClient, site: &str) -> Result<usize, StoreError> {
    let n = c.execute("DELETE FROM frontier WHERE site = $1", &[&site])?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}
