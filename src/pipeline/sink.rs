//! The consuming end of a run: every record the crawler sends goes to the evidence archive,
//! then (pages only) through the rules into the state store and the index.
//!
//! Runs on one blocking thread: SQLite, tantivy and rule evaluation are synchronous work, and
//! one thread means one index writer and an ordered evidence file.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use pharmwatch_crawler::{PageRecord, RecordKind};
use pharmwatch_evidence::WarcWriter;
use pharmwatch_indexer::ListingIndexWriter;
use pharmwatch_model::{Listing, Timestamp, Verdict};
use pharmwatch_rules::RuleSet;
use pharmwatch_store::{
    ListingChange, PageAvailability, PageChanges, PageCommit, PageRecord as StoredPage, RunId,
    StateStore, WarcPointer,
};
use tokio::sync::mpsc;

use super::exchange::{captured_exchange, header, to_exchange};
use super::{RunSummary, index_doc, stored_doc};

/// Commit the index at least this often, so a killed run loses little.
const COMMIT_EVERY_DOCS: usize = 1_000;
const COMMIT_EVERY: Duration = Duration::from_secs(10);
/// Store at most this many pages in one SQLite transaction, and no page later than
/// [`STORE_BATCH_AGE`] after it was archived (also before each index commit and at the end).
/// A killed run loses at most one batch's rows; their frontier entries stay queued and are
/// fetched again on resume.
///
/// Why an age and not "whenever the channel is empty": the sink usually keeps up with the
/// crawler, so storing on an empty channel meant one transaction per page, and its COMMIT
/// (WAL frames of every touched B-tree page) was 8 % of a crawl's CPU.
const STORE_BATCH_PAGES: usize = 128;
const STORE_BATCH_AGE: Duration = Duration::from_millis(200);

/// A page archived and evaluated, waiting for its batch's store transaction.
struct PendingPage {
    commit: PageCommit,
    /// Answered 2xx or 304.
    ok: bool,
}

pub struct Sink {
    pub store: Arc<dyn StateStore>,
    pub warc: WarcWriter,
    pub rules: Arc<RuleSet>,
    pub index: ListingIndexWriter,
    pub run: RunId,
    pub summary: RunSummary,
    /// See [`PageAvailability::Failed`].
    gone_after_failed_runs: u32,
    robots_override_recorded: HashSet<String>,
    /// Told about every stored page (progress display).
    pub progress: Option<Arc<dyn super::progress::Progress>>,
    uncommitted: usize,
    last_commit: Instant,
    pending: Vec<PendingPage>,
    /// When the oldest waiting page must be stored at the latest.
    store_due: Option<Instant>,
    /// Whether a listing new to the store is known to be absent from the index, so it can be
    /// added without a delete. The store is written first and never forgets a listing, so
    /// the index holds a subset of its ids, unless the store file was replaced (deleted,
    /// restored from an older backup) under a kept index: then the index holds more
    /// documents than the store has listings, and every listing is upserted.
    index_within_store: bool,
}

impl Sink {
    pub fn new(
        store: Arc<dyn StateStore>,
        warc: WarcWriter,
        rules: Arc<RuleSet>,
        index_dir: &Path,
        run: RunId,
        gone_after_failed_runs: u32,
    ) -> Result<Self> {
        let index = ListingIndexWriter::open_or_create(index_dir)
            .with_context(|| format!("cannot open the index at {}", index_dir.display()))?;
        let indexed = index
            .committed_docs()
            .with_context(|| format!("cannot read the index at {}", index_dir.display()))?;
        let index_within_store = indexed <= store.listing_count()?;
        if !index_within_store {
            tracing::warn!(
                indexed,
                "the index holds more listings than the state store; every listing will replace its indexed copy"
            );
        }
        Ok(Sink {
            store,
            warc,
            rules,
            index,
            run,
            summary: RunSummary::default(),
            gone_after_failed_runs,
            robots_override_recorded: HashSet::new(),
            progress: None,
            uncommitted: 0,
            last_commit: Instant::now(),
            pending: Vec::with_capacity(STORE_BATCH_PAGES),
            store_due: None,
            index_within_store,
        })
    }

    /// Indexes again every stored listing last seen in one of `runs` (runs that were killed:
    /// the store committed each page, the index only every so often), and every gone one
    /// (which a killed run may have marked after the last index commit), then commits.
    pub fn reindex_runs(&mut self, runs: &[RunId]) -> Result<()> {
        if runs.is_empty() {
            return Ok(());
        }
        let mut n = 0;
        for stored in pharmwatch_store::AllListings::new(&*self.store) {
            let stored = stored?;
            if runs.contains(&stored.last_run) || stored.gone_since.is_some() {
                self.index.upsert(&stored_doc(&self.rules, stored))?;
                n += 1;
            }
        }
        tracing::info!(listings = n, "re-indexed the listings of killed runs");
        self.commit()
    }

    /// Drains the crawler's channel until it closes, then commits.
    pub fn drain(&mut self, mut rx: mpsc::Receiver<PageRecord>) -> Result<()> {
        while let Some(record) = self.next_record(&mut rx)? {
            self.take(record)?;
            let due = self.store_due.is_some_and(|due| Instant::now() >= due);
            if self.pending.len() >= STORE_BATCH_PAGES || due {
                self.store_pending()?;
            }
            if self.uncommitted >= COMMIT_EVERY_DOCS || self.last_commit.elapsed() >= COMMIT_EVERY {
                self.commit()?;
            }
        }
        self.commit()
    }

    /// The crawler's next record, `None` once the channel is closed. While pages wait to be
    /// stored, waits for the next record only until the batch is due, then stores it.
    fn next_record(&mut self, rx: &mut mpsc::Receiver<PageRecord>) -> Result<Option<PageRecord>> {
        match rx.try_recv() {
            Ok(record) => return Ok(Some(record)),
            Err(mpsc::error::TryRecvError::Disconnected) => return Ok(None),
            Err(mpsc::error::TryRecvError::Empty) => {}
        }
        if let (Some(due), Ok(runtime)) = (self.store_due, tokio::runtime::Handle::try_current()) {
            let wait = due.saturating_duration_since(Instant::now());
            if let Ok(next) = runtime.block_on(tokio::time::timeout(wait, rx.recv())) {
                return Ok(next);
            }
        }
        self.store_pending()?;
        Ok(rx.blocking_recv())
    }

    fn commit(&mut self) -> Result<()> {
        self.store_pending()?;
        self.index.commit().context("cannot commit the index")?;
        self.warc.sync().context("cannot sync the evidence file")?;
        self.uncommitted = 0;
        self.last_commit = Instant::now();
        Ok(())
    }

    fn take(&mut self, mut record: PageRecord) -> Result<()> {
        let location = self
            .archive(&mut record)
            .with_context(|| format!("cannot archive the exchange with {}", record.url))?;
        self.archive_rendering(&mut record, &location.record_id)
            .with_context(|| format!("cannot archive the rendering of {}", record.url))?;
        if record.robots_ignored && self.robots_override_recorded.insert(record.site.clone()) {
            self.warc.write_metadata(
                &record.url,
                &[
                    (
                        "robots-override",
                        "ignore_robots = true in the site's config",
                    ),
                    ("site", &record.site),
                ],
            )?;
        }
        if !matches!(record.kind, RecordKind::Page | RecordKind::Redirect) {
            return Ok(());
        }
        if record.kind == RecordKind::Page && !record.redirect_chain.is_empty() {
            self.archive_chain(&record)?;
        }
        self.summary.pages += 1;
        if record.error.is_some() {
            self.summary.page_errors += 1;
        }
        let availability = availability(&record, self.gone_after_failed_runs);
        let redirect_to = record
            .redirect_to
            .clone()
            .filter(|_| availability == PageAvailability::Redirected);
        let page = StoredPage {
            url: record.url.clone(),
            site: record.site.clone(),
            status: record.status,
            etag: header(&record, "etag").map(str::to_string),
            last_modified: header(&record, "last-modified").map(str::to_string),
            body_sha256: record.body_sha256.clone(),
            warc: Some(WarcPointer {
                file: location.file,
                offset: location.offset,
                length: location.length,
            }),
            fetched_at: record.fetched_at,
            run: self.run,
            redirect_to,
            depth: record.depth,
        };
        // Only a page that answered with its content says which listings it offers.
        let listings = match availability {
            PageAvailability::Offered => std::mem::take(&mut record.listings),
            _ => Vec::new(),
        };
        let evaluated: Vec<(Listing, Verdict)> = listings
            .into_iter()
            .map(|l| {
                let v = self.rules.evaluate(&l);
                (l, v)
            })
            .collect();
        let commit = PageCommit {
            discovered: super::frontier::entries_of(&record),
            page,
            listings: evaluated,
            error: record.error.as_ref().map(|e| e.message.clone()),
            availability,
        };
        let ok = record.error.is_none()
            && record
                .status
                .is_some_and(|s| (200..300).contains(&s) || s == 304);
        self.pending.push(PendingPage { commit, ok });
        self.store_due
            .get_or_insert_with(|| Instant::now() + STORE_BATCH_AGE);
        Ok(())
    }

    /// Archives the exchange: a 304 whose page was taken from the archived copy as a
    /// `revisit` record that names that copy's response (WARC 1.1, server-not-modified);
    /// everything else as request and response.
    fn archive(&mut self, record: &mut PageRecord) -> Result<pharmwatch_evidence::RecordLocation> {
        let exchange = to_exchange(record);
        if record.revalidated
            && let Some(target) = self.revisit_target(&record.url)
        {
            return Ok(self.warc.write_revisit(&exchange, &target)?);
        }
        Ok(self.warc.write_exchange(&exchange)?)
    }

    /// A page rendered in the browser: every other request it made, its rendered DOM and its
    /// screenshot, each tied to the page's response record by `WARC-Concurrent-To`.
    fn archive_rendering(&mut self, record: &mut PageRecord, page_record: &str) -> Result<()> {
        let Some(capture) = record.rendered.take() else {
            return Ok(());
        };
        for resource in capture.resources {
            let exchange = captured_exchange(&record.site, resource);
            self.warc
                .write_exchange_concurrent_to(&exchange, page_record)?;
        }
        if let Some(dom) = &capture.dom {
            self.warc.write_resource(
                &format!("urn:dom:{}", record.url),
                capture.captured_at,
                "text/html; charset=utf-8",
                dom,
                Some(page_record),
            )?;
        }
        if let Some(png) = &capture.screenshot {
            self.warc.write_resource(
                &format!("urn:view:{}", record.url),
                capture.captured_at,
                "image/png",
                png,
                Some(page_record),
            )?;
        }
        Ok(())
    }

    /// The archived response a 304 for `url` confirms: the one the store points at.
    fn revisit_target(&self, url: &str) -> Option<pharmwatch_evidence::RevisitTarget> {
        let pointer = self.store.page(url).ok().flatten()?.warc?;
        match pharmwatch_evidence::revisit_target_at(self.warc.dir(), &pointer.file, pointer.offset)
        {
            Ok(target) => Some(target),
            Err(err) => {
                // The crawler read that copy a moment ago; if it cannot be read now, the 304
                // is still archived, as a plain response.
                tracing::warn!(
                    url,
                    "cannot refer a revisit record to the archived copy: {err}"
                );
                None
            }
        }
    }

    /// Records how the last hop of a redirect chain was reached (a `metadata` record about
    /// it), so the archive itself says which request led to which, hop by hop.
    fn archive_chain(&mut self, record: &PageRecord) -> Result<()> {
        let hops: Vec<(&str, &str)> = record
            .redirect_chain
            .iter()
            .map(|hop| ("redirected-from", hop.as_str()))
            .collect();
        self.warc
            .write_metadata(&record.url, &hops)
            .with_context(|| format!("cannot archive the redirect chain to {}", record.url))?;
        Ok(())
    }

    /// Stores the waiting pages in one transaction, then indexes their listings.
    fn store_pending(&mut self) -> Result<()> {
        self.store_due = None;
        if self.pending.is_empty() {
            return Ok(());
        }
        // Evidence first: the store must never point at records that are not yet on disk
        // (after a power loss, not only after a kill, which loses nothing written).
        self.warc.sync().context("cannot sync the evidence file")?;
        let (commits, oks): (Vec<PageCommit>, Vec<bool>) =
            self.pending.drain(..).map(|p| (p.commit, p.ok)).unzip();
        let changes = self
            .store
            .commit_pages(&commits, self.run)
            .with_context(|| {
                format!(
                    "cannot store {} pages (the first: {})",
                    commits.len(),
                    commits[0].page.url
                )
            })?;
        for ((commit, ok), changes) in commits.into_iter().zip(oks).zip(changes) {
            self.page_stored(commit, ok, changes)?;
        }
        Ok(())
    }

    /// Indexes a stored page's listings and counts the page.
    fn page_stored(&mut self, commit: PageCommit, ok: bool, changes: PageChanges) -> Result<()> {
        let flagged_before = self.summary.flagged.total();
        let listings = commit.listings.len();
        for ((listing, verdict), change) in commit.listings.into_iter().zip(changes.listings) {
            self.index_listing(listing, verdict, change)?;
        }
        self.summary.gone_listings += changes.gone.len() as u64;
        for id in &changes.gone {
            // The index says what the store says: the listing is no longer offered.
            if let Some(stored) = self.store.listing(id)? {
                self.index.upsert(&stored_doc(&self.rules, stored))?;
                self.uncommitted += 1;
            }
        }
        let site = commit.page.site;
        if ok {
            *self.summary.pages_ok.entry(site.clone()).or_default() += 1;
        }
        if let Some(progress) = &self.progress {
            progress.page(&super::progress::PageDone {
                site: &site,
                ok,
                listings,
                flagged: (self.summary.flagged.total() - flagged_before) as usize,
            });
        }
        Ok(())
    }

    fn index_listing(
        &mut self,
        listing: Listing,
        verdict: Verdict,
        change: ListingChange,
    ) -> Result<()> {
        // A new listing was first seen now; reading it back (a query and a JSON parse of
        // the whole listing) is only needed for one seen before.
        let first_seen = if matches!(change, ListingChange::New) {
            listing.fetched_at
        } else {
            self.first_seen(&listing)?
        };
        let doc = index_doc(&self.rules, listing, verdict, first_seen, self.run);
        if matches!(change, ListingChange::New) && self.index_within_store {
            self.index.add_new(&doc)?;
        } else {
            self.index.upsert(&doc)?;
        }
        self.uncommitted += 1;
        self.summary.listings += 1;
        match change {
            ListingChange::New => self.summary.new_listings += 1,
            ListingChange::Changed { .. } => self.summary.changed_listings += 1,
            ListingChange::Unchanged => {}
        }
        if doc.verdict.flagged {
            self.summary.flagged.add(&doc.listing, &doc.verdict);
        }
        Ok(())
    }

    fn first_seen(&self, listing: &Listing) -> Result<Timestamp> {
        Ok(self
            .store
            .listing(&listing.id)?
            .map_or(listing.fetched_at, |s| s.first_seen))
    }
}

/// What a record says about the listings its page carried before (see [`PageAvailability`]).
fn availability(record: &PageRecord, gone_after_failed_runs: u32) -> PageAvailability {
    let answered = record.error.is_none();
    match (record.kind, record.status) {
        (RecordKind::Redirect, _) if answered => PageAvailability::Redirected,
        (_, Some(404 | 410)) => PageAvailability::Removed,
        (_, Some(s)) if answered && (200..300).contains(&s) => PageAvailability::Offered,
        // The crawler took the page from the archived copy the 304 confirmed.
        (_, Some(304)) if answered && record.revalidated => PageAvailability::Offered,
        _ => PageAvailability::Failed {
            gone_after: gone_after_failed_runs,
        },
    }
}
