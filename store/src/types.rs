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
    Running,
    Finished,
    Failed,
    /// Found still `running` by a later process: it was killed or crashed.
    Interrupted,
}

impl RunStatus {
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
    pub id: RunId,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub started_at: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub finished_at: Option<Timestamp>,
    pub status: RunStatus,
    pub config_digest: String,
    /// Free-form counters of the run (pages, listings, errors per site, …).
    pub counts: serde_json::Value,
}

/// One count of a run: flagged listings per `dimension` and `key` (e.g. `drug`,
/// `semaglutide`), as the signals crate tallies them. The store does not interpret either.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunCount {
    pub dimension: String,
    pub key: String,
    pub count: u64,
}

/// Where a page's response is archived (see the evidence crate's `RecordLocation`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WarcPointer {
    pub file: String,
    pub offset: u64,
    pub length: u64,
}

/// The latest fetch of one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    pub url: String,
    pub site: String,
    /// HTTP status; `None` when no response arrived.
    pub status: Option<u16>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Lower-case hex SHA-256 of the body as received.
    pub body_sha256: Option<String>,
    pub warc: Option<WarcPointer>,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub fetched_at: Timestamp,
    pub run: RunId,
    /// For a 3xx hop of a redirect chain, where it pointed.
    pub redirect_to: Option<String>,
    /// Link distance from a start URL when it was fetched.
    pub depth: u32,
}

/// Conditional-GET validators remembered for a URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A URL to crawl for a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontierEntry {
    pub site: String,
    pub url: String,
    pub depth: u32,
    /// Higher first (listing pages before pagination before other pages).
    pub priority: i64,
}

/// Counts of a site's frontier by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FrontierCounts {
    pub queued: u64,
    /// Handed out by `next_batch` and not yet marked: lost if the process died.
    pub in_flight: u64,
    pub done: u64,
    pub failed: u64,
}

/// What a verdict says in short: what history and change detection compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictSummary {
    pub severity: Option<Severity>,
    /// Sorted, without duplicates.
    pub rule_ids: Vec<String>,
}

impl VerdictSummary {
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
    Unchanged,
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
    New,
    Changed,
    Gone,
    Returned,
}

impl HistoryKind {
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
    pub listing_id: ListingId,
    pub run: RunId,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub at: Timestamp,
    pub kind: HistoryKind,
    pub price: Option<Money>,
    /// `available` or `gone`.
    pub availability: String,
    pub verdict: VerdictSummary,
    pub score: f64,
}

/// A listing as stored, with its current verdict and when it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredListing {
    pub listing: Listing,
    pub verdict: Verdict,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub first_seen: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub last_seen: Timestamp,
    pub last_run: RunId,
    pub flagged: bool,
    #[serde(with = "pharmwatch_model::timestamp::option")]
    pub gone_since: Option<Timestamp>,
}

/// A cached robots.txt answer for one host (`scheme://host:port` or just host: the
/// caller's key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotsEntry {
    pub host: String,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub fetched_at: Timestamp,
    #[serde(with = "pharmwatch_model::timestamp")]
    pub expires_at: Timestamp,
    /// HTTP status; `None` when the host could not be reached.
    pub status: Option<u16>,
    pub body: Vec<u8>,
}

/// Everything one fetched page changes, written in one transaction so a crash leaves
/// either all of it or none of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageCommit {
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
    Failed { gone_after: u32 },
}

/// What one page commit changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PageChanges {
    /// The change of each of the commit's listings, in order.
    pub listings: Vec<ListingChange>,
    /// Listings the page no longer offers, marked gone by this commit.
    pub gone: Vec<ListingId>,
}
