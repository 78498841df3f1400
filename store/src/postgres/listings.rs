//! `listings` and `listing_history`: current state and the changes over time.

use std::collections::HashSet;

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};
use postgres::types::ToSql;
use postgres::{GenericClient, Row};

use crate::change::{Current, history_kind, listing_change, rescan_evidence, seen_evidence};
use crate::sqlite::values::{money_cols, money_from, parse_opt_ts, parse_ts, severity_from, ts};
use crate::{
    HistoryEntry, HistoryEvidence, HistoryKind, ListingChange, RunId, StoreError, StoredListing,
    VerdictSummary, WarcPointer,
};

/// The stored state of a listing, locked until the transaction ends so another writer's
/// change to it waits for this one.
fn current(c: &mut impl GenericClient, id: &str) -> Result<Option<Current>, StoreError> {
    let Some(r) = c.query_opt(
        "SELECT price, currency, severity, rule_ids, gone_since, verdict,
                listing::json->>'evidence_digest'
         FROM listings WHERE id = $1 FOR UPDATE",
        &[&id],
    )?
    else {
        return Ok(None);
    };
    let rule_ids: &str = r.try_get(3)?;
    let gone_since: Option<&str> = r.try_get(4)?;
    let verdict: Verdict = serde_json::from_str(r.try_get(5)?)?;
    Ok(Some(Current {
        price: money_from(r.try_get(0)?, r.try_get(1)?)?,
        summary: VerdictSummary {
            severity: severity_from(r.try_get(2)?)?,
            rule_ids: serde_json::from_str(rule_ids)?,
        },
        gone: gone_since.is_some(),
        score: verdict.score,
        evidence_sha256: r.try_get(6)?,
    }))
}

/// Stores a listing seen in `run`; `shown_by` is the archived page it was extracted from
/// (the listing's own `evidence_digest` without a record location when `None`).
pub(super) fn upsert(
    c: &mut impl GenericClient,
    listing: &Listing,
    verdict: &Verdict,
    run: RunId,
    shown_by: Option<&HistoryEvidence>,
) -> Result<ListingChange, StoreError> {
    let summary = VerdictSummary::of(verdict);
    let (price, currency) = money_cols(listing.price.as_ref());
    let old = current(c, listing.id.as_str())?;
    c.execute(
        "INSERT INTO listings (id, url, site, first_seen, last_seen, last_run, listing, verdict,
                               price, currency, severity, rule_ids, flagged, gone_since)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, site = excluded.site,
            last_seen = excluded.last_seen, last_run = excluded.last_run,
            listing = excluded.listing, verdict = excluded.verdict, price = excluded.price,
            currency = excluded.currency, severity = excluded.severity,
            rule_ids = excluded.rule_ids, flagged = excluded.flagged, gone_since = NULL",
        &[
            &listing.id.as_str(),
            &listing.url,
            &listing.site,
            &ts(listing.fetched_at),
            &run.0,
            &serde_json::to_string(listing)?,
            &serde_json::to_string(verdict)?,
            &price,
            &currency,
            &summary.severity.map(|s| s.as_str()),
            &serde_json::to_string(&summary.rule_ids)?,
            &verdict.flagged,
        ],
    )?;
    let change = listing_change(old, listing.price, &summary);
    if let Some(kind) = history_kind(&change) {
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
        insert_history(c, &entry)?;
    }
    Ok(change)
}

pub(super) fn update_verdict(
    c: &mut impl GenericClient,
    verdict: &Verdict,
    run: RunId,
) -> Result<Option<ListingChange>, StoreError> {
    let id = verdict.listing_id.as_str();
    let Some(old) = current(c, id)? else {
        return Ok(None);
    };
    let summary = VerdictSummary::of(verdict);
    c.execute(
        "UPDATE listings SET verdict = $1, severity = $2, rule_ids = $3, flagged = $4
         WHERE id = $5",
        &[
            &serde_json::to_string(verdict)?,
            &summary.severity.map(|s| s.as_str()),
            &serde_json::to_string(&summary.rule_ids)?,
            &verdict.flagged,
            &id,
        ],
    )?;
    if old.summary == summary {
        return Ok(Some(ListingChange::Unchanged));
    }
    insert_history(
        c,
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
    c: &mut impl GenericClient,
    url: &str,
    offered: &HashSet<&str>,
    run: RunId,
    now: Timestamp,
    evidence: Option<&HistoryEvidence>,
) -> Result<Vec<ListingId>, StoreError> {
    let live: Vec<String> = c
        .query(
            "SELECT id FROM listings WHERE url = $1 AND gone_since IS NULL ORDER BY id",
            &[&url],
        )?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let gone: Vec<String> = live
        .into_iter()
        .filter(|id| !offered.contains(id.as_str()))
        .collect();
    let mut out = Vec::with_capacity(gone.len());
    for id in gone {
        let Some(old) = current(c, &id)? else {
            continue;
        };
        c.execute(
            "UPDATE listings SET gone_since = $1 WHERE id = $2",
            &[&ts(now), &id],
        )?;
        let listing_id = ListingId::from_stored(id);
        insert_history(
            c,
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

fn insert_history(c: &mut impl GenericClient, e: &HistoryEntry) -> Result<(), StoreError> {
    let (price, currency) = money_cols(e.price.as_ref());
    let sha256 = e.evidence.as_ref().map(|ev| ev.sha256.as_str());
    let warc = e.evidence.as_ref().and_then(|ev| ev.warc.as_ref());
    c.execute(
        "INSERT INTO listing_history (listing_id, run_id, at, kind, price, currency,
                                      availability, severity, rule_ids, score,
                                      evidence_sha256, warc_file, warc_offset, warc_length)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        &[
            &e.listing_id.as_str(),
            &e.run.0,
            &ts(e.at),
            &e.kind.as_str(),
            &price,
            &currency,
            &e.availability,
            &e.verdict.severity.map(|s| s.as_str()),
            &serde_json::to_string(&e.verdict.rule_ids)?,
            &e.score,
            &sha256,
            &warc.map(|w| w.file.as_str()),
            &warc.map(|w| w.offset as i64),
            &warc.map(|w| w.length as i64),
        ],
    )?;
    Ok(())
}

/// Where a body with this digest is archived, as a history row recorded it: the page may
/// have changed since, so the pages table no longer knows it.
pub(super) fn evidence_record(
    c: &mut impl GenericClient,
    sha256: &str,
) -> Result<Option<WarcPointer>, StoreError> {
    let Some(r) = c.query_opt(
        "SELECT warc_file, warc_offset, warc_length FROM listing_history
         WHERE evidence_sha256 = $1 AND warc_file IS NOT NULL ORDER BY id DESC LIMIT 1",
        &[&sha256],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(WarcPointer {
        file: r.try_get(0)?,
        offset: r.try_get::<_, i64>(1)?.max(0) as u64,
        length: r.try_get::<_, i64>(2)?.max(0) as u64,
    }))
}

/// History rows matching `clause` (one `$1` parameter), oldest first.
pub(super) fn history(
    c: &mut impl GenericClient,
    clause: &str,
    param: &(dyn ToSql + Sync),
) -> Result<Vec<HistoryEntry>, StoreError> {
    c.query(
        &format!(
            "SELECT listing_id, run_id, at, kind, price, currency, availability, severity,
                    rule_ids, score, evidence_sha256, warc_file, warc_offset, warc_length
             FROM listing_history WHERE {clause} ORDER BY id"
        ),
        &[param],
    )?
    .iter()
    .map(history_entry)
    .collect()
}

fn history_entry(r: &Row) -> Result<HistoryEntry, StoreError> {
    let kind: String = r.try_get(3)?;
    let rule_ids: &str = r.try_get(8)?;
    Ok(HistoryEntry {
        listing_id: ListingId::from_stored(r.try_get::<_, String>(0)?),
        run: RunId(r.try_get(1)?),
        at: parse_ts(r.try_get(2)?)?,
        kind: HistoryKind::parse(&kind)
            .ok_or_else(|| StoreError::corrupt("history kind", kind.clone()))?,
        price: money_from(r.try_get(4)?, r.try_get(5)?)?,
        availability: r.try_get(6)?,
        verdict: VerdictSummary {
            severity: severity_from(r.try_get(7)?)?,
            rule_ids: serde_json::from_str(rule_ids)?,
        },
        score: r.try_get(9)?,
        evidence: history_evidence(r)?,
    })
}

fn history_evidence(r: &Row) -> Result<Option<HistoryEvidence>, StoreError> {
    let Some(sha256) = r.try_get::<_, Option<String>>(10)? else {
        return Ok(None);
    };
    let file: Option<String> = r.try_get(11)?;
    let offset: Option<i64> = r.try_get(12)?;
    let length: Option<i64> = r.try_get(13)?;
    let warc = match (file, offset, length) {
        (Some(file), Some(offset), Some(length)) => Some(WarcPointer {
            file,
            offset: offset.max(0) as u64,
            length: length.max(0) as u64,
        }),
        _ => None,
    };
    Ok(Some(HistoryEvidence { sha256, warc }))
}

const LISTING_COLUMNS: &str =
    "listing, verdict, first_seen, last_seen, last_run, flagged, gone_since";

pub(super) fn get(
    c: &mut impl GenericClient,
    id: &ListingId,
) -> Result<Option<StoredListing>, StoreError> {
    c.query_opt(
        &format!("SELECT {LISTING_COLUMNS} FROM listings WHERE id = $1"),
        &[&id.as_str()],
    )?
    .map(|r| stored(&r))
    .transpose()
}

pub(super) fn count(c: &mut impl GenericClient) -> Result<u64, StoreError> {
    let n: i64 = c
        .query_one("SELECT COUNT(*) FROM listings", &[])?
        .try_get(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(super) fn on_page(
    c: &mut impl GenericClient,
    url: &str,
) -> Result<Vec<StoredListing>, StoreError> {
    c.query(
        &format!("SELECT {LISTING_COLUMNS} FROM listings WHERE url = $1 ORDER BY id"),
        &[&url],
    )?
    .iter()
    .map(stored)
    .collect()
}

pub(super) fn page_after(
    c: &mut impl GenericClient,
    after: Option<&ListingId>,
    limit: usize,
) -> Result<Vec<StoredListing>, StoreError> {
    let after = after.map(ListingId::as_str).unwrap_or("");
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    c.query(
        &format!("SELECT {LISTING_COLUMNS} FROM listings WHERE id > $1 ORDER BY id LIMIT $2"),
        &[&after, &limit],
    )?
    .iter()
    .map(stored)
    .collect()
}

fn stored(r: &Row) -> Result<StoredListing, StoreError> {
    Ok(StoredListing {
        listing: serde_json::from_str(r.try_get(0)?)?,
        verdict: serde_json::from_str(r.try_get(1)?)?,
        first_seen: parse_ts(r.try_get(2)?)?,
        last_seen: parse_ts(r.try_get(3)?)?,
        last_run: RunId(r.try_get(4)?),
        flagged: r.try_get(5)?,
        gone_since: parse_opt_ts(r.try_get(6)?)?,
    })
}
