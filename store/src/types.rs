//! Values the state store takes and returns.

use std::fmt;

use pharmwatch_model::{Listing, ListingId, Money, Severity, Timestamp, Verdict};
use serde::{Deserialize, Serialize};

/// Identifier of one run (one `crawl`, one daemon round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not yet ended (or its process is still at work).
    Running,
    /// Ended after doing all it was asked.
    Finished,
    /// Ended by an error; its counts hold the error.
    Failed,
    /// Found still `running` by a later process: it was killed or crashed.
    Interrupted,
}

impl RunStatus {
    /// The name stored in the database and shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Finished => "finished",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            RunStatus::Running,
            RunStatus::Finished,
            RunStatus::Failed,
            RunStatus::Interrupted,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// One row of `runs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The run's number, in the order runs started.
    pub id: RunId,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When the run started.
    pub started_at: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp::option")]
    /// When it ended; `None` while running or when killed.
    pub finished_at: Option<Timestamp>,
    /// Where it stands.
    pub status: RunStatus,
    /// SHA-256 of the configuration it ran with.
    pub config_digest: String,
    /// Free-form counters of the run (pages, listings, errors per site, …).
    pub counts: serde_json::Value,
}

/// One count of a run: flagged listings per `dimension` and `key` (e.g. `drug`,
/// `semaglutide`), as the signals crate tallies them. The store does not interpret either.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunCount {
    /// What is counted by, e.g. `drug`, `rule`, `site`.
    pub dimension: String,
    /// The value counted, e.g. `semaglutide`.
    pub key: String,
    /// Flagged listings with that value.
    pub count: u64,
}

/// Where a page's response is archived (see the evidence crate's `RecordLocation`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WarcPointer {
    /// The WARC file's name in the evidence directory.
    pub file: String,
    /// Byte offset of the record's gzip member in the file.
    pub offset: u64,
    /// Length of the record's gzip member in bytes.
    pub length: u64,
}

/// The latest fetch of one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    /// The URL fetched (for a redirect hop, the hop's own URL).
    pub url: String,
    /// The configured site it belongs to.
    pub site: String,
    /// HTTP status; `None` when no response arrived.
    pub status: Option<u16>,
    /// The response's `ETag`, for conditional requests.
    pub etag: Option<String>,
    /// The response's `Last-Modified`, for conditional requests.
    pub last_modified: Option<String>,
    /// Lower-case hex SHA-256 of the body as received.
    pub body_sha256: Option<String>,
    /// Where the response is archived; `None` when nothing was archived.
    pub warc: Option<WarcPointer>,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When it was fetched.
    pub fetched_at: Timestamp,
    /// The run that fetched it.
    pub run: RunId,
    /// For a 3xx hop of a redirect chain, where it pointed.
    pub redirect_to: Option<String>,
    /// Link distance from a start URL when it was fetched.
    pub depth: u32,
}

/// A URL to crawl for a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontierEntry {
    /// The configured site the URL belongs to.
    pub site: String,
    /// The URL, normalised.
    pub url: String,
    /// Link distance from a start URL.
    pub depth: u32,
    /// Higher first (listing pages before pagination before other pages).
    pub priority: i64,
}

/// Counts of a site's frontier by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FrontierCounts {
    /// Waiting to be fetched.
    pub queued: u64,
    /// Handed out by `next_batch` and not yet marked: lost if the process died.
    pub in_flight: u64,
    /// Fetched.
    pub done: u64,
    /// Fetched without a usable answer.
    pub failed: u64,
}

/// What a verdict says in short: what history and change detection compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictSummary {
    /// The verdict's severity; `None` when no rule with a severity fired.
    pub severity: Option<Severity>,
    /// Sorted, without duplicates.
    pub rule_ids: Vec<String>,
}

impl VerdictSummary {
    /// The summary of a verdict.
    pub fn of(verdict: &Verdict) -> Self {
        let mut rule_ids: Vec<String> = verdict.rule_ids().map(str::to_string).collect();
        rule_ids.sort();
        rule_ids.dedup();
        VerdictSummary {
            severity: verdict.severity,
            rule_ids,
        }
    }
}

/// How a stored listing changed when seen again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ListingChange {
    /// First time this listing id is seen.
    New,
    /// Seen again with the same price and verdict.
    Unchanged,
    /// Seen again with something changed (see the fields).
    Changed {
        /// `(old, new)` when the price changed (appeared, disappeared or moved).
        price: Option<(Option<Money>, Option<Money>)>,
        /// `(old, new)` when the severity or the set of rules that fired changed.
        verdict: Option<(VerdictSummary, VerdictSummary)>,
        /// The listing had been marked gone and is back.
        returned: bool,
    },
}

/// Why a history row was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// First seen.
    New,
    /// Price or verdict changed.
    Changed,
    /// Its page no longer offers it.
    Gone,
    /// Offered again after it was gone.
    Returned,
}

impl HistoryKind {
    /// The name stored in the database and shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryKind::New => "new",
            HistoryKind::Changed => "changed",
            HistoryKind::Gone => "gone",
            HistoryKind::Returned => "returned",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            HistoryKind::New,
            HistoryKind::Changed,
            HistoryKind::Gone,
            HistoryKind::Returned,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One row of `listing_history`: the state of a listing when something changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The listing.
    pub listing_id: ListingId,
    /// The run that saw the change.
    pub run: RunId,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When.
    pub at: Timestamp,
    /// What changed.
    pub kind: HistoryKind,
    /// The price then.
    pub price: Option<Money>,
    /// `available` or `gone`.
    pub availability: String,
    /// The verdict then, in short.
    pub verdict: VerdictSummary,
    /// The verdict's score then.
    pub score: f64,
    /// The archived page that showed the change, so each point of a listing's timeline
    /// links to its own evidence even after the page changed again. `None` for rows written
    /// before the store kept it, and for a page that failed (no body to show).
    #[serde(default)]
    pub evidence: Option<HistoryEvidence>,
}

/// The archived page behind a history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvidence {
    /// SHA-256 (hex) of the page's body as received: the `/archive/{sha256}` copy.
    pub sha256: String,
    /// Where its record is. `None` when the row was written without a fetch (a rescan with
    /// new rules): the same body's record is then found through the page or an older row.
    pub warc: Option<WarcPointer>,
}

impl HistoryEvidence {
    /// The evidence of a fetched page, when it kept a body.
    pub fn of_page(page: &PageRecord) -> Option<HistoryEvidence> {
        page.body_sha256.as_ref().map(|sha256| HistoryEvidence {
            sha256: sha256.clone(),
            warc: page.warc.clone(),
        })
    }
}

/// A listing as stored, with its current verdict and when it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredListing {
    /// The listing as last extracted.
    pub listing: Listing,
    /// Its current verdict.
    pub verdict: Verdict,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When a run first saw it.
    pub first_seen: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When a run last saw it offered.
    pub last_seen: Timestamp,
    /// The last run that saw it or re-evaluated it.
    pub last_run: RunId,
    /// Whether its current verdict flags it.
    pub flagged: bool,
    #[serde(with = "pharmwatch_model::timestamp::option")]
    /// When its page stopped offering it; `None` while offered.
    pub gone_since: Option<Timestamp>,
}

/// A cached robots.txt answer for one host (`scheme://host:port` or just host: the
/// caller's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotsEntry {
    /// The host the answer is for (the caller's key).
    pub host: String,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When robots.txt was fetched.
    pub fetched_at: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp")]
    /// When the answer must be fetched again.
    pub expires_at: Timestamp,
    /// HTTP status; `None` when the host could not be reached.
    pub status: Option<u16>,
    /// The body as received (empty when there was none).
    pub body: Vec<u8>,
}

/// Everything one fetched page changes, written in one transaction so a crash leaves
/// either all of it or none of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageCommit {
    /// The page's fetch.
    pub page: PageRecord,
    /// Links found on the page, to enqueue (duplicates are ignored).
    pub discovered: Vec<FrontierEntry>,
    /// Listings extracted from the page with their verdicts.
    pub listings: Vec<(Listing, Verdict)>,
    /// `None` marks the page's frontier entry done; `Some(reason)` marks it failed.
    pub error: Option<String>,
    /// What the fetch says about the listings the page carried before.
    pub availability: PageAvailability,
}

/// What one fetch of a page says about the listings it carried.
///
/// A listing is gone only on evidence that it is: its page answered 404/410, or answered
/// with content that no longer carries it, or failed in several consecutive runs. A page
/// that was not fetched (a run interrupted, a resumed run that has not got to it yet) says
/// nothing, so no listing is ever lost to a crash or to a conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageAvailability {
    /// The page answered with its content (2xx, or 304 with the archived copy it confirmed):
    /// the commit's listings are everything it offers now.
    Offered,
    /// 404 or 410: every listing it carried is gone.
    Removed,
    /// A hop of a redirect chain: says nothing about listings.
    Redirected,
    /// No usable answer (no response, 5xx, another 4xx, a body cut short or unparseable):
    /// the listings stay as they were until the page has failed in `gone_after`
    /// consecutive runs. The page row keeps the last content that did arrive.
    Failed {
        /// Consecutive failed runs after which its listings count as gone.
        gone_after: u32,
    },
}

/// What one page commit changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageChanges {
    /// The change of each of the commit's listings, in order.
    pub listings: Vec<ListingChange>,
    /// Listings the page no longer offers, marked gone by this commit.
    pub gone: Vec<ListingId>,
}
