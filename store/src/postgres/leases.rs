//! `queue_leases`: which worker crawls which of the frontier's queues (sites) for now.
//!
//! Several crawler processes share one frontier. Each leases a few queues for a while
//! (`lease`), renews its leases while it works (`renew`) and gives them back when done
//! (`release`); a lease not renewed expires, and its queue goes to whoever asks next, so a
//! worker that died holds nothing for long. `FOR UPDATE SKIP LOCKED` lets workers lease at
//! the same moment without waiting for each other or taking the same queue.

use std::time::Duration;

use postgres::GenericClient;

use crate::StoreError;

/// Leases up to `n` queues that have queued URLs and no live lease of another worker (the
/// worker's own count again, renewed), in name order; returns their names.
pub(super) fn lease(
    c: &mut impl GenericClient,
    worker: &str,
    n: usize,
    ttl: Duration,
) -> Result<Vec<String>, StoreError> {
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    // Every queue with work gets a lease row to lock; one never leased starts expired. In name
    // order, so two workers inserting the same new rows wait for each other, never deadlock.
    c.execute(
        "INSERT INTO queue_leases (site, worker, expires_at)
         SELECT site, '', '-infinity'::timestamptz FROM frontier WHERE state = 'queued'
         GROUP BY site ORDER BY site
         ON CONFLICT (site) DO NOTHING",
        &[],
    )?;
    let sites: Vec<String> = c
        .query(
            "SELECT l.site FROM queue_leases l
             WHERE (l.expires_at <= now() OR l.worker = $1)
               AND EXISTS (SELECT 1 FROM frontier f WHERE f.site = l.site AND f.state = 'queued')
             ORDER BY l.site LIMIT $2
             FOR UPDATE OF l SKIP LOCKED",
            &[&worker, &limit],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    c.execute(
        "UPDATE queue_leases SET worker = $1, expires_at = now() + make_interval(secs => $2)
         WHERE site = ANY($3)",
        &[&worker, &ttl.as_secs_f64(), &sites],
    )?;
    Ok(sites)
}

/// Extends the worker's live leases by `ttl` from now; returns the queues still held (a lease
/// that expired may be someone else's already, and is not renewed).
pub(super) fn renew(
    c: &mut impl GenericClient,
    worker: &str,
    ttl: Duration,
) -> Result<Vec<String>, StoreError> {
    let mut sites: Vec<String> = c
        .query(
            "UPDATE queue_leases SET expires_at = now() + make_interval(secs => $2)
             WHERE worker = $1 AND expires_at > now()
             RETURNING site",
            &[&worker, &ttl.as_secs_f64()],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    sites.sort();
    Ok(sites)
}

/// Gives back the worker's leases of `sites`; returns how many it held.
pub(super) fn release(
    c: &mut impl GenericClient,
    worker: &str,
    sites: &[&str],
) -> Result<usize, StoreError> {
    let n = c.execute(
        "UPDATE queue_leases SET worker = '', expires_at = '-infinity'::timestamptz
         WHERE worker = $1 AND site = ANY($2)",
        &[&worker, &sites],
    )?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}
