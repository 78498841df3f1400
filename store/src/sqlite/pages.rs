//! `pages` table: the latest fetch of each URL.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::values::{i64_of, parse_ts, ts, u16_from, u64_from};
use crate::{PageRecord, RunId, StoreError, Validators, WarcPointer};

/// Stores the latest answer of a URL. A 304 (not modified) keeps the validators, body digest
/// and evidence pointer of the content it confirmed.
pub(super) fn record(conn: &Connection, p: &PageRecord) -> Result<(), StoreError> {
    let warc = p.warc.as_ref();
    // Once per fetched page: cached, so SQLite parses this statement once per connection.
    conn.prepare_cached(
        "INSERT INTO pages (url, site, status, etag, last_modified, body_sha256,
                            warc_file, warc_offset, warc_length, fetched_at, run_id, redirect_to,
                            depth)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT(url) DO UPDATE SET
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
    )?
    .execute(params![
        p.url,
        p.site,
        p.status,
        p.etag,
        p.last_modified,
        p.body_sha256,
        warc.map(|w| w.file.as_str()),
        warc.map(|w| i64_of(w.offset)),
        warc.map(|w| i64_of(w.length)),
        ts(p.fetched_at),
        p.run.0,
        p.redirect_to,
        p.depth,
    ])?;
    Ok(())
}

/// Stores a failed fetch of a URL: a page seen before keeps the content of its last answer
/// (what its listings still stand on) and counts the run; a page never seen is stored as it
/// failed. Returns the consecutive runs the page has failed in, this one included.
pub(super) fn record_failure(
    conn: &Connection,
    p: &PageRecord,
    error: &str,
) -> Result<u32, StoreError> {
    let warc = p.warc.as_ref();
    let failed_runs: i64 = conn
        .prepare_cached(
            "INSERT INTO pages (url, site, status, etag, last_modified, body_sha256,
                                warc_file, warc_offset, warc_length, fetched_at, run_id,
                                failed_runs, last_error, depth)
             VALUES (?1, ?2, ?3, NULL, NULL, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11)
             ON CONFLICT(url) DO UPDATE SET
                failed_runs = pages.failed_runs
                    + (pages.failed_runs = 0 OR pages.run_id <> excluded.run_id),
                last_error = excluded.last_error,
                fetched_at = excluded.fetched_at, run_id = excluded.run_id
             RETURNING failed_runs",
        )?
        .query_row(
            params![
                p.url,
                p.site,
                p.status,
                p.body_sha256,
                warc.map(|w| w.file.as_str()),
                warc.map(|w| i64_of(w.offset)),
                warc.map(|w| i64_of(w.length)),
                ts(p.fetched_at),
                p.run.0,
                error,
                p.depth,
            ],
            |r| r.get(0),
        )?;
    Ok(u32::try_from(failed_runs).unwrap_or(u32::MAX))
}

/// The hops of the redirect chain that ended at `url`, the one first requested first.
pub(super) fn redirects_to(conn: &Connection, url: &str) -> Result<Vec<PageRecord>, StoreError> {
    // A chain is at most a crawler's redirect limit long; the bound also ends a cycle that
    // pages of different runs may form.
    const MAX_HOPS: usize = 32;
    let mut hops: Vec<PageRecord> = Vec::new();
    let mut target = url.to_string();
    while hops.len() < MAX_HOPS {
        let Some(hop) = get_where(
            conn,
            "redirect_to = ?1 ORDER BY fetched_at DESC LIMIT 1",
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

pub(super) fn get(conn: &Connection, url: &str) -> Result<Option<PageRecord>, StoreError> {
    get_where(conn, "url = ?1", url)
}

/// The latest page whose body had this SHA-256 (hex).
pub(super) fn by_digest(conn: &Connection, sha256: &str) -> Result<Option<PageRecord>, StoreError> {
    get_where(
        conn,
        "body_sha256 = ?1 ORDER BY fetched_at DESC LIMIT 1",
        sha256,
    )
}

fn get_where(
    conn: &Connection,
    condition: &str,
    value: &str,
) -> Result<Option<PageRecord>, StoreError> {
    let raw = conn
        .query_row(
            &format!("SELECT {PAGE_COLUMNS} FROM pages WHERE {condition}"),
            [value],
            RawPage::from_row,
        )
        .optional()?;
    raw.map(RawPage::into_record).transpose()
}

/// Every page row, by URL.
pub(super) fn all(conn: &Connection) -> Result<Vec<PageRecord>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {PAGE_COLUMNS} FROM pages ORDER BY url"))?;
    let raw = stmt
        .query_map([], RawPage::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raw.into_iter().map(RawPage::into_record).collect()
}

/// Validators only make sense from a response that had a body worth revalidating.
pub(super) fn validators(conn: &Connection, url: &str) -> Result<Option<Validators>, StoreError> {
    let row: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT etag, last_modified FROM pages
             WHERE url = ?1 AND (status BETWEEN 200 AND 299 OR status = 304)",
        )?
        .query_row([url], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(match row {
        Some((None, None)) | None => None,
        Some((etag, last_modified)) => Some(Validators {
            etag,
            last_modified,
        }),
    })
}

/// The columns [`RawPage::from_row`] reads, in its order: every query of whole pages uses it.
const PAGE_COLUMNS: &str = "url, site, status, etag, last_modified, body_sha256, warc_file,
    warc_offset, warc_length, fetched_at, run_id, redirect_to, depth";

struct RawPage {
    url: String,
    site: String,
    status: Option<i64>,
    etag: Option<String>,
    last_modified: Option<String>,
    body_sha256: Option<String>,
    warc_file: Option<String>,
    warc_offset: Option<i64>,
    warc_length: Option<i64>,
    fetched_at: String,
    run_id: i64,
    redirect_to: Option<String>,
    depth: i64,
}

impl RawPage {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawPage {
            url: r.get(0)?,
            site: r.get(1)?,
            status: r.get(2)?,
            etag: r.get(3)?,
            last_modified: r.get(4)?,
            body_sha256: r.get(5)?,
            warc_file: r.get(6)?,
            warc_offset: r.get(7)?,
            warc_length: r.get(8)?,
            fetched_at: r.get(9)?,
            run_id: r.get(10)?,
            redirect_to: r.get(11)?,
            depth: r.get(12)?,
        })
    }

    fn into_record(self) -> Result<PageRecord, StoreError> {
        let warc = match (self.warc_file, self.warc_offset, self.warc_length) {
            (Some(file), Some(offset), Some(length)) => Some(WarcPointer {
                file,
                offset: u64_from(offset, "warc offset")?,
                length: u64_from(length, "warc length")?,
            }),
            _ => None,
        };
        Ok(PageRecord {
            url: self.url,
            site: self.site,
            status: u16_from(self.status, "page status")?,
            etag: self.etag,
            last_modified: self.last_modified,
            body_sha256: self.body_sha256,
            warc,
            fetched_at: parse_ts(&self.fetched_at)?,
            run: RunId(self.run_id),
            redirect_to: self.redirect_to,
            depth: u32::try_from(self.depth).unwrap_or(u32::MAX),
        })
    }
}

/// The site's pages that carry live listings, with the depth they were found at: a run
/// fetches them again even when no page links to them any more, so each listing is
/// confirmed or found gone on evidence from its own page.
pub(super) fn with_live_listings(
    conn: &Connection,
    site: &str,
) -> Result<Vec<(String, u32)>, StoreError> {
    let rows = conn
        .prepare(
            "SELECT p.url, p.depth FROM pages p
             WHERE p.site = ?1 AND EXISTS (
                SELECT 1 FROM listings l WHERE l.url = p.url AND l.gone_since IS NULL)
             ORDER BY p.url",
        )?
        .query_map([site], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .map(|(url, depth)| (url, u32::try_from(depth).unwrap_or(u32::MAX)))
        .collect())
}

/// Pages answered 2xx or 304 in `runs`, counted by site.
pub(super) fn answered(
    conn: &Connection,
    runs: &[RunId],
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT site, COUNT(*) FROM pages
         WHERE run_id = ?1 AND (status BETWEEN 200 AND 299 OR status = 304)
         GROUP BY site",
    )?;
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for run in runs {
        let rows = stmt
            .query_map([run.0], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (site, n) in rows {
            *counts.entry(site).or_default() += u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(counts.into_iter().collect())
}
