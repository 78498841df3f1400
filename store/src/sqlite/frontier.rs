//! `frontier` table: what is left to crawl, per site, surviving restarts.

use rusqlite::{Connection, params};

use crate::{FrontierCounts, FrontierEntry, RunId, StoreError};

pub(super) fn enqueue(
    conn: &Connection,
    entries: &[FrontierEntry],
    run: RunId,
) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO frontier (site, url, depth, priority, state, discovered_run)
         VALUES (?1, ?2, ?3, ?4, 'queued', ?5)",
    )?;
    let mut added = 0;
    for e in entries {
        added += stmt.execute(params![e.site, e.url, e.depth, e.priority, run.0])?;
    }
    Ok(added)
}

pub(super) fn next_batch(
    conn: &Connection,
    site: &str,
    n: usize,
) -> Result<Vec<FrontierEntry>, StoreError> {
    let limit = i64::try_from(n).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT url, depth, priority FROM frontier
         WHERE site = ?1 AND state = 'queued'
         ORDER BY priority DESC, rowid LIMIT ?2",
    )?;
    let batch: Vec<FrontierEntry> = stmt
        .query_map(params![site, limit], |r| {
            Ok(FrontierEntry {
                site: site.to_string(),
                url: r.get(0)?,
                depth: r.get(1)?,
                priority: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut mark = conn
        .prepare_cached("UPDATE frontier SET state = 'in_flight' WHERE site = ?1 AND url = ?2")?;
    for e in &batch {
        mark.execute(params![site, e.url])?;
    }
    Ok(batch)
}

pub(super) fn set_state(
    conn: &Connection,
    site: &str,
    url: &str,
    state: &str,
    error: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE frontier SET state = ?1, error = ?2 WHERE site = ?3 AND url = ?4")?
        .execute(params![state, error, site, url])?;
    Ok(())
}

/// URLs of the site's frontier in the given states.
pub(super) fn in_states(
    conn: &Connection,
    site: &str,
    states: &[&str],
) -> Result<Vec<FrontierEntry>, StoreError> {
    let placeholders = vec!["?"; states.len()].join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT url, depth, priority FROM frontier
         WHERE site = ? AND state IN ({placeholders})
         ORDER BY priority DESC, rowid"
    ))?;
    let params: Vec<&dyn rusqlite::ToSql> = std::iter::once(&site as &dyn rusqlite::ToSql)
        .chain(states.iter().map(|s| s as &dyn rusqlite::ToSql))
        .collect();
    let entries = stmt
        .query_map(params.as_slice(), |r| {
            Ok(FrontierEntry {
                site: site.to_string(),
                url: r.get(0)?,
                depth: r.get(1)?,
                priority: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(entries)
}

pub(super) fn requeue_in_flight(
    conn: &Connection,
    site: Option<&str>,
) -> Result<usize, StoreError> {
    Ok(match site {
        Some(site) => conn.execute(
            "UPDATE frontier SET state = 'queued' WHERE state = 'in_flight' AND site = ?1",
            [site],
        )?,
        None => conn.execute(
            "UPDATE frontier SET state = 'queued' WHERE state = 'in_flight'",
            [],
        )?,
    })
}

pub(super) fn counts(conn: &Connection, site: &str) -> Result<FrontierCounts, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT state, COUNT(*) FROM frontier WHERE site = ?1 GROUP BY state")?;
    let rows = stmt.query_map([site], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut c = FrontierCounts::default();
    for row in rows {
        let (state, n) = row?;
        let n = u64::try_from(n).unwrap_or(0);
        match state.as_str() {
            "queued" => c.queued = n,
            "in_flight" => c.in_flight = n,
            "done" => c.done = n,
            "failed" => c.failed = n,
            other => return Err(StoreError::corrupt("frontier state", other)),
        }
    }
    Ok(c)
}
