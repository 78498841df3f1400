//! `pages` table: the latest fetch of each URL.

use std::collections::BTreeMap;

use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use crate::sqlite::values::{i64_of, parse_ts, ts, u16_from, u64_from};
use crate::{PageRecord, RunId, StoreError, Validators, WarcPointer};

/// Stores the latest answer of a URL. A 304 (not modified) keeps the validators, body digest
/// and evidence pointer of the content it confirmed.
pub(super) fn record(c: &mut impl GenericClient, p: &PageRecord) -> Result<(), StoreError> {
    let warc = p.warc.as_ref();
    c.execute(
        "INSERT INTO pages (url, site, status, etag, last_modified, body_sha256,
                            warc_file, warc_offset, warc_length, fetched_at, run_id, redirect_to,
                            depth)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (url) DO UPDATE SET
            site = excluded.site, status = excluded.status,
            etag = CASE WHEN excluded.status = 304
                        THEN COALESCE(excluded.etag, pages.etag) ELSE excluded.etag END,
            last_modified = CASE WHEN excluded.status = 304
                        THEN COALESCE(excluded.last_modified, pages.last_modified)
                        ELSE excluded.last_modified END,
            body_sha256 = CASE WHEN excluded.status = 304
                        THEN pages.body_sha256 ELSE excluded.body_sha256 END,
            warc_file = CASE WHEN excluded.status = 304
                        THEN pages.warc_file ELSE excluded.warc_file END,
            warc_offset = CASE WHEN excluded.status = 304
                        THEN pages.warc_offset ELSE excluded.warc_offset END,
            warc_length = CASE WHEN excluded.status = 304
                        THEN pages.warc_length ELSE excluded.warc_length END,
            fetched_at = excluded.fetched_at, run_id = excluded.run_id,
            redirect_to = excluded.redirect_to, depth = excluded.depth,
            failed_runs = 0, last_error = NULL",
        &[
            &p.url,
            &p.site,
            &p.status.map(i64::from),
            &p.etag,
            &p.last_modified,
            &p.body_sha256,
            &warc.map(|w| w.file.as_str()),
            &warc.map(|w| i64_of(w.offset)),
            &warc.map(|w| i64_of(w.length)),
            &ts(p.fetched_at),
            &p.run.0,
            &p.redirect_to,
            &i64::from(p.depth),
        ],
    )?;
    Ok(())
}

/// Stores a failed fetch of a URL: a page seen before keeps the content of its last answer
/// (what its listings still stand on) and counts the run; a page never seen is stored as it
/// failed. Returns the consecutive runs the page has failed in, this one included.
pub(super) fn record_failure(
    c: &mut impl GenericClient,
    p: &PageRecord,
    error: &str,
) -> Result<u32, StoreError> {
    let warc = p.warc.as_ref();
    let row = c.query_one(
        "INSERT INTO pages (url, site, status, etag, last_modified, body_sha256,
                            warc_file, warc_offset, warc_length, fetched_at, run_id,
                            failed_runs, last_error, depth)
         VALUES ($1, $2, $3, NULL, NULL, $4, $5, $6, $7, $8, $9, 1, $10, $11)
         ON CONFLICT (url) DO UPDATE SET
            failed_runs = pages.failed_runs + CASE
                WHEN pages.failed_runs = 0 OR pages.run_id <> excluded.run_id THEN 1 ELSE 0 END,
            last_error = excluded.last_error,
            fetched_at = excluded.fetched_at, run_id = excluded.run_id
         RETURNING failed_runs",
        &[
            &p.url,
            &p.site,
            &p.status.map(i64::from),
            &p.body_sha256,
            &warc.map(|w| w.file.as_str()),
            &warc.map(|w| i64_of(w.offset)),
            &warc.map(|w| i64_of(w.length)),
            &ts(p.fetched_at),
            &p.run.0,
            &error,
            &i64::from(p.depth),
        ],
    )?;
    let failed_runs: i64 = row.try_get(0)?;
    Ok(u32::try_from(failed_runs).unwrap_or(u32::MAX))
}

/// The hops of the redirect chain that ended at `url`, the one first requested first.
pub(super) fn redirects_to(
    c: &mut impl GenericClient,
    url: &str,
) -> Result<Vec<PageRecord>, StoreError> {
    // A chain is at most a crawler's redirect limit long; the bound also ends a cycle that
    // pages of different runs may form.
    const MAX_HOPS: usize = 32;
    let mut hops: Vec<PageRecord> = Vec::new();
    let mut target = url.to_string();
    while hops.len() < MAX_HOPS {
        let Some(hop) = get_where(
            c,
            "redirect_to = $1 ORDER BY fetched_at DESC LIMIT 1",
            &target,
        )?
        else {
            break;
        };
        if hop.url == url || hops.iter().any(|h| h.url == hop.url) {
            break;
        }
        target.clone_from(&hop.url);
        hops.push(hop);
    }
    hops.reverse();
    Ok(hops)
}

pub(super) fn get(c: &mut impl GenericClient, url: &str) -> Result<Option<PageRecord>, StoreError> {
    get_where(c, "url = $1", url)
}

/// The latest page whose body had this SHA-256 (hex).
pub(super) fn by_digest(
    c: &mut impl GenericClient,
    sha256: &str,
) -> Result<Option<PageRecord>, StoreError> {
    get_where(
        c,
        "body_sha256 = $1 ORDER BY fetched_at DESC LIMIT 1",
        sha256,
    )
}

fn get_where(
    c: &mut impl GenericClient,
    condition: &str,
    value: &str,
) -> Result<Option<PageRecord>, StoreError> {
    c.query_opt(
        &format!("SELECT {PAGE_COLUMNS} FROM pages WHERE {condition}"),
        &[&value],
    )?
    .map(|r| record_of(&r))
    .transpose()
}

/// Every page row, by URL.
pub(super) fn all(c: &mut impl GenericClient) -> Result<Vec<PageRecord>, StoreError> {
    c.query(
        &format!("SELECT {PAGE_COLUMNS} FROM pages ORDER BY url"),
        &[],
    )?
    .iter()
    .map(record_of)
    .collect()
}

/// Validators only make sense from a response that had a body worth revalidating.
pub(super) fn validators(
    c: &mut impl GenericClient,
    url: &str,
) -> Result<Option<Validators>, StoreError> {
    let row = c.query_opt(
        "SELECT etag, last_modified FROM pages
         WHERE url = $1 AND (status BETWEEN 200 AND 299 OR status = 304)",
        &[&url],
    )?;
    let Some(row) = row else {
        return Ok(None);
    };
    let etag: Option<String> = row.try_get(0)?;
    let last_modified: Option<String> = row.try_get(1)?;
    Ok(
        (etag.is_some() || last_modified.is_some()).then_some(Validators {
            etag,
            last_modified,
        }),
    )
}

/// The columns [`record_of`] reads, in its order: every query of whole pages uses it.
const PAGE_COLUMNS: &str = "url, site, status, etag, last_modified, body_sha256, warc_file,
    warc_offset, warc_length, fetched_at, run_id, redirect_to, depth";

fn record_of(r: &Row) -> Result<PageRecord, StoreError> {
    let warc_file: Option<String> = r.try_get(6)?;
    let warc_offset: Option<i64> = r.try_get(7)?;
    let warc_length: Option<i64> = r.try_get(8)?;
    let warc = match (warc_file, warc_offset, warc_length) {
        (Some(file), Some(offset), Some(length)) => Some(WarcPointer {
            file,
            offset: u64_from(offset, "warc offset")?,
            length: u64_from(length, "warc length")?,
        }),
        _ => None,
    };
    let depth: i64 = r.try_get(12)?;
    Ok(PageRecord {
        url: r.try_get(0)?,
        site: r.try_get(1)?,
        status: u16_from(r.try_get(2)?, "page status")?,
        etag: r.try_get(3)?,
        last_modified: r.try_get(4)?,
        body_sha256: r.try_get(5)?,
        warc,
        fetched_at: parse_ts(r.try_get(9)?)?,
        run: RunId(r.try_get(10)?),
        redirect_to: r.try_get(11)?,
        depth: u32::try_from(depth).unwrap_or(u32::MAX),
    })
}

/// The site's pages that carry live listings, with the depth they were found at: a run
/// fetches them again even when no page links to them any more, so each listing is
/// confirmed or found gone on evidence from its own page.
pub(super) fn with_live_listings(
    c: &mut impl GenericClient,
    site: &str,
) -> Result<Vec<(String, u32)>, StoreError> {
    c.query(
        "SELECT p.url, p.depth FROM pages p
         WHERE p.site = $1 AND EXISTS (
            SELECT 1 FROM listings l WHERE l.url = p.url AND l.gone_since IS NULL)
         ORDER BY p.url",
        &[&site],
    )?
    .iter()
    .map(|r| -> Result<(String, u32), StoreError> {
        let depth: i64 = r.try_get(1)?;
        Ok((r.try_get(0)?, u32::try_from(depth).unwrap_or(u32::MAX)))
    })
    .collect()
}

/// Pages answered 2xx or 304 in `runs`, counted by site.
pub(super) fn answered(
    c: &mut impl GenericClient,
    runs: &[RunId],
) -> Result<Vec<(String, u64)>, StoreError> {
    let runs: Vec<i64> = runs.iter().map(|r| r.0).collect();
    let params: [&(dyn ToSql + Sync); 1] = [&runs];
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for row in c.query(
        "SELECT site, COUNT(*) FROM pages
         WHERE run_id = ANY($1) AND (status BETWEEN 200 AND 299 OR status = 304)
         GROUP BY site",
        &params,
    )? {
        let n: i64 = row.try_get(1)?;
        *counts.entry(row.try_get(0)?).or_default() += u64::try_from(n).unwrap_or(0);
    }
    Ok(counts.into_iter().collect())
}
