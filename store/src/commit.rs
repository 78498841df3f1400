//! One page's commit, the same on every backend: which writes a fetched page makes, in what
//! order, and what they decide. Each backend supplies the statements ([`PageWrites`]) and
//! runs [`page_in_tx`] inside its own transaction.

use std::collections::HashSet;

use pharmwatch_model::{Listing, ListingId, Timestamp, Verdict};

use crate::change::gone_except;
use crate::{
    FrontierEntry, HistoryEvidence, ListingChange, PageAvailability, PageChanges, PageCommit,
    PageRecord, RunId, StoreError,
};

/// The statements of one backend that a page's commit runs, inside one transaction.
pub(crate) trait PageWrites {
    /// Stores the latest fetch of a page.
    fn record_page(&mut self, page: &PageRecord) -> Result<(), StoreError>;
    /// Stores a failed fetch (the page keeps its last content); returns the consecutive runs
    /// it has failed in.
    fn record_failure(&mut self, page: &PageRecord, error: &str) -> Result<u32, StoreError>;
    /// Marks a frontier entry `done` or `failed`.
    fn set_frontier_state(
        &mut self,
        site: &str,
        url: &str,
        state: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Adds discovered URLs to the frontier.
    fn enqueue(&mut self, entries: &[FrontierEntry], run: RunId) -> Result<usize, StoreError>;
    /// Stores a listing seen on the page, `shown_by` its archived fetch.
    fn upsert_listing(
        &mut self,
        listing: &Listing,
        verdict: &Verdict,
        run: RunId,
        shown_by: Option<&HistoryEvidence>,
    ) -> Result<ListingChange, StoreError>;
    /// Marks the page's live listings not in `offered` gone.
    fn gone_from_page(
        &mut self,
        url: &str,
        offered: &HashSet<&str>,
        run: RunId,
        now: Timestamp,
        evidence: Option<&HistoryEvidence>,
    ) -> Result<Vec<ListingId>, StoreError>;
}

/// Everything one page changes, inside the caller's transaction.
pub(crate) fn page_in_tx(
    tx: &mut impl PageWrites,
    commit: &PageCommit,
    run: RunId,
) -> Result<PageChanges, StoreError> {
    let page = &commit.page;
    let failed_runs = match (&commit.availability, &commit.error) {
        (PageAvailability::Failed { .. }, error) => {
            Some(tx.record_failure(page, error.as_deref().unwrap_or("no usable answer"))?)
        }
        _ => {
            tx.record_page(page)?;
            None
        }
    };
    match &commit.error {
        None => tx.set_frontier_state(&page.site, &page.url, "done", None)?,
        Some(e) => tx.set_frontier_state(&page.site, &page.url, "failed", Some(e))?,
    }
    tx.enqueue(&commit.discovered, run)?;
    let seen = HistoryEvidence::of_page(page);
    let listings = commit
        .listings
        .iter()
        .map(|(l, v)| tx.upsert_listing(l, v, run, seen.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let gone = match gone_except(commit, failed_runs) {
        Some(offered) => {
            tx.gone_from_page(&page.url, &offered, run, page.fetched_at, seen.as_ref())?
        }
        None => Vec::new(),
    };
    Ok(PageChanges { listings, gone })
}
