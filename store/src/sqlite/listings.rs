//! `listings` and `listing_history`: current state and the changes over time.

use std::collections::HashSet;

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};
use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};

use super::values::{money_cols, money_from, parse_opt_ts, parse_ts, severity_from, ts};
use crate::change::{Current, history_kind, listing_change, rescan_evidence, seen_evidence};
use crate::{
    HistoryEntry, HistoryEvidence, HistoryKind, ListingChange, RunId, StoreError, StoredListing,
    VerdictSummary, WarcPointer,
};

fn current(conn: &Connection, id: &str) -> Result<Option<Current>, StoreError> {
    type Raw = (
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        String,
        Option<String>,
    );
    let raw: Option<Raw> = conn
        .prepare_cached(
            "SELECT price, currency, severity, rule_ids, gone_since, verdict,
                    json_extract(listing, '$.evidence_digest')
             FROM listings WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    let Some((price, currency, severity, rule_ids, gone_since, verdict, evidence_sha256)) = raw
    else {
        return Ok(None);
    };
    let verdict: Verdict = serde_json::from_str(&verdict)?;
    Ok(Some(Current {
        price: money_from(price, currency)?,
        summary: VerdictSummary {
            severity: severity_from(severity)?,
            rule_ids: serde_json::from_str(&rule_ids)?,
        },
        gone: gone_since.is_some(),
        score: verdict.score,
        evidence_sha256,
    }))
}

/// Stores a listing seen in `run`; `shown_by` is the archived page it was extracted from
/// (the listing's own `evidence_digest` without a record location when `None`).
pub(super) fn upsert(
    conn: &Connection,
    listing: &Listing,
    verdict: &Verdict,
    run: RunId,
    shown_by: Option<&HistoryEvidence>,
) -> Result<ListingChange, StoreError> {
    let summary = VerdictSummary::of(verdict);
    let (price, currency) = money_cols(listing.price.as_ref());
    let seen = ts(listing.fetched_at);
    let listing_json = serde_json::to_string(listing)?;
    let verdict_json = serde_json::to_string(verdict)?;
    let rule_ids = serde_json::to_string(&summary.rule_ids)?;
    let severity = summary.severity.map(|s| s.as_str());
    let old = current(conn, listing.id.as_str())?;
    conn.prepare_cached(
        "INSERT INTO listings (id, url, site, first_seen, last_seen, last_run, listing, verdict,
                               price, currency, severity, rule_ids, flagged, gone_since)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL)
         ON CONFLICT(id) DO UPDATE SET url = excluded.url, site = excluded.site,
            last_seen = excluded.last_seen, last_run = excluded.last_run,
            listing = excluded.listing, verdict = excluded.verdict, price = excluded.price,
            currency = excluded.currency, severity = excluded.severity,
            rule_ids = excluded.rule_ids, flagged = excluded.flagged, gone_since = NULL",
    )?
    .execute(params![
        listing.id.as_str(),
        listing.url,
        listing.site,
        seen,
        run.0,
        listing_json,
        verdict_json,
        price,
        currency,
        severity,
        rule_ids,
        verdict.flagged,
    ])?;
    let change = listing_change(old, listing.price, &summary);
    let kind = history_kind(&change);
    if let Some(kind) = kind {
        let entry = HistoryEntry {
            listing_id: listing.id.clone(),
            run,
            at: listing.fetched_at,
            kind,
            price: listing.price,
            availability: "available".into(),
            verdict: summary,
            score: verdict.score,
            evidence: seen_evidence(listing, shown_by),
        };
        insert_history(conn, &entry)?;
    }
    Ok(change)
}

pub(super) fn update_verdict(
    conn: &Connection,
    verdict: &Verdict,
    run: RunId,
) -> Result<Option<ListingChange>, StoreError> {
    let id = verdict.listing_id.as_str();
    let Some(old) = current(conn, id)? else {
        return Ok(None);
    };
    let summary = VerdictSummary::of(verdict);
    conn.execute(
        "UPDATE listings SET verdict = ?1, severity = ?2, rule_ids = ?3, flagged = ?4
         WHERE id = ?5",
        params![
            serde_json::to_string(verdict)?,
            summary.severity.map(|s| s.as_str()),
            serde_json::to_string(&summary.rule_ids)?,
            verdict.flagged,
            id
        ],
    )?;
    if old.summary == summary {
        return Ok(Some(ListingChange::Unchanged));
    }
    insert_history(
        conn,
        &HistoryEntry {
            listing_id: verdict.listing_id.clone(),
            run,
            at: time::OffsetDateTime::now_utc(),
            kind: HistoryKind::Changed,
            price: old.price,
            availability: if old.gone { "gone" } else { "available" }.into(),
            verdict: summary.clone(),
            score: verdict.score,
            evidence: rescan_evidence(&old),
        },
    )?;
    Ok(Some(ListingChange::Changed {
        price: None,
        verdict: Some((old.summary, summary)),
        returned: false,
    }))
}

/// Marks the live listings of the page at `url` that are not in `offered` as gone, with a
/// history row each pointing at `evidence` (the fetch that no longer offered them); returns
/// them.
pub(super) fn gone_from_page(
    conn: &Connection,
    url: &str,
    offered: &HashSet<&str>,
    run: RunId,
    now: Timestamp,
    evidence: Option<&HistoryEvidence>,
) -> Result<Vec<ListingId>, StoreError> {
    let gone: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM listings WHERE url = ?1 AND gone_since IS NULL ORDER BY id",
        )?
        .query_map([url], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|id| !offered.contains(id.as_str()))
        .collect();
    let mut out = Vec::with_capacity(gone.len());
    for id in gone {
        let Some(old) = current(conn, &id)? else {
            continue;
        };
        conn.prepare_cached("UPDATE listings SET gone_since = ?1 WHERE id = ?2")?
            .execute(params![ts(now), id])?;
        let listing_id = ListingId::from_stored(id);
        insert_history(
            conn,
            &HistoryEntry {
                listing_id: listing_id.clone(),
                run,
                at: now,
                kind: HistoryKind::Gone,
                price: old.price,
                availability: "gone".into(),
                verdict: old.summary,
                score: old.score,
                evidence: evidence.cloned(),
            },
        )?;
        out.push(listing_id);
    }
    Ok(out)
}

fn insert_history(conn: &Connection, e: &HistoryEntry) -> Result<(), StoreError> {
    let (price, currency) = money_cols(e.price.as_ref());
    let sha256 = e.evidence.as_ref().map(|ev| ev.sha256.as_str());
    let warc = e.evidence.as_ref().and_then(|ev| ev.warc.as_ref());
    conn.prepare_cached(
        "INSERT INTO listing_history (listing_id, run_id, at, kind, price, currency,
                                      availability, severity, rule_ids, score,
                                      evidence_sha256, warc_file, warc_offset, warc_length)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        e.listing_id.as_str(),
        e.run.0,
        ts(e.at),
        e.kind.as_str(),
        price,
        currency,
        e.availability,
        e.verdict.severity.map(|s| s.as_str()),
        serde_json::to_string(&e.verdict.rule_ids)?,
        e.score,
        sha256,
        warc.map(|w| w.file.as_str()),
        warc.map(|w| w.offset as i64),
        warc.map(|w| w.length as i64),
    ])?;
    Ok(())
}

/// Where a body with this digest is archived, as a history row recorded it: the page may
/// have changed since, so the pages table no longer knows it.
pub(super) fn evidence_record(
    conn: &Connection,
    sha256: &str,
) -> Result<Option<WarcPointer>, StoreError> {
    let row: Option<(String, i64, i64)> = conn
        .prepare_cached(
            "SELECT warc_file, warc_offset, warc_length FROM listing_history
             WHERE evidence_sha256 = ?1 AND warc_file IS NOT NULL ORDER BY id DESC LIMIT 1",
        )?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.map(|(file, offset, length)| WarcPointer {
        file,
        offset: offset.max(0) as u64,
        length: length.max(0) as u64,
    }))
}

/// History rows matching `clause` (one `?1` parameter), oldest first.
pub(super) fn history(
    conn: &Connection,
    clause: &str,
    param: impl ToSql,
) -> Result<Vec<HistoryEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT listing_id, run_id, at, kind, price, currency, availability, severity,
                rule_ids, score, evidence_sha256, warc_file, warc_offset, warc_length
         FROM listing_history WHERE {clause} ORDER BY id"
    ))?;
    let raws: Vec<RawHistory> = stmt
        .query_map([param], RawHistory::from_row)?
        .collect::<Result<_, _>>()?;
    raws.into_iter().map(RawHistory::into_entry).collect()
}

struct RawHistory {
    listing_id: String,
    run_id: i64,
    at: String,
    kind: String,
    price: Option<String>,
    currency: Option<String>,
    availability: String,
    severity: Option<String>,
    rule_ids: String,
    score: f64,
    evidence_sha256: Option<String>,
    warc: Option<(String, i64, i64)>,
}

impl RawHistory {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawHistory {
            listing_id: r.get(0)?,
            run_id: r.get(1)?,
            at: r.get(2)?,
            kind: r.get(3)?,
            price: r.get(4)?,
            currency: r.get(5)?,
            availability: r.get(6)?,
            severity: r.get(7)?,
            rule_ids: r.get(8)?,
            score: r.get(9)?,
            evidence_sha256: r.get(10)?,
            warc: match (r.get(11)?, r.get(12)?, r.get(13)?) {
                (Some(file), Some(offset), Some(length)) => Some((file, offset, length)),
                _ => None,
            },
        })
    }

    fn into_entry(self) -> Result<HistoryEntry, StoreError> {
        Ok(HistoryEntry {
            listing_id: ListingId::from_stored(self.listing_id),
            run: RunId(self.run_id),
            at: parse_ts(&self.at)?,
            kind: HistoryKind::parse(&self.kind)
                .ok_or_else(|| StoreError::corrupt("history kind", self.kind.clone()))?,
            price: money_from(self.price, self.currency)?,
            availability: self.availability,
            verdict: VerdictSummary {
                severity: severity_from(self.severity)?,
                rule_ids: serde_json::from_str(&self.rule_ids)?,
            },
            score: self.score,
            evidence: self.evidence_sha256.map(|sha256| HistoryEvidence {
                sha256,
                warc: self.warc.map(|(file, offset, length)| WarcPointer {
                    file,
                    offset: offset.max(0) as u64,
                    length: length.max(0) as u64,
                }),
            }),
        })
    }
}

const LISTING_COLUMNS: &str =
    "listing, verdict, first_seen, last_seen, last_run, flagged, gone_since";

pub(super) fn get(conn: &Connection, id: &ListingId) -> Result<Option<StoredListing>, StoreError> {
    let raw = conn
        .prepare_cached(&format!(
            "SELECT {LISTING_COLUMNS} FROM listings WHERE id = ?1"
        ))?
        .query_row([id.as_str()], RawListing::from_row)
        .optional()?;
    raw.map(RawListing::into_stored).transpose()
}

pub(super) fn count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM listings", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn on_page(conn: &Connection, url: &str) -> Result<Vec<StoredListing>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM listings WHERE url = ?1 ORDER BY id"
    ))?;
    let raws: Vec<RawListing> = stmt
        .query_map([url], RawListing::from_row)?
        .collect::<Result<_, _>>()?;
    raws.into_iter().map(RawListing::into_stored).collect()
}

pub(super) fn page_after(
    conn: &Connection,
    after: Option<&ListingId>,
    limit: usize,
) -> Result<Vec<StoredListing>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {LISTING_COLUMNS} FROM listings WHERE id > ?1 ORDER BY id LIMIT ?2"
    ))?;
    let after = after.map(ListingId::as_str).unwrap_or("");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let raws: Vec<RawListing> = stmt
        .query_map(params![after, limit], RawListing::from_row)?
        .collect::<Result<_, _>>()?;
    raws.into_iter().map(RawListing::into_stored).collect()
}

struct RawListing {
    listing: String,
    verdict: String,
    first_seen: String,
    last_seen: String,
    last_run: i64,
    flagged: bool,
    gone_since: Option<String>,
}

impl RawListing {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawListing {
            listing: r.get(0)?,
            verdict: r.get(1)?,
            first_seen: r.get(2)?,
            last_seen: r.get(3)?,
            last_run: r.get(4)?,
            flagged: r.get(5)?,
            gone_since: r.get(6)?,
        })
    }

    fn into_stored(self) -> Result<StoredListing, StoreError> {
        Ok(StoredListing {
            listing: serde_json::from_str(&self.listing)?,
            verdict: serde_json::from_str(&self.verdict)?,
            first_seen: parse_ts(&self.first_seen)?,
            last_seen: parse_ts(&self.last_seen)?,
            last_run: RunId(self.last_run),
            flagged: self.flagged,
            gone_since: parse_opt_ts(self.gone_since)?,
        })
    }
}
