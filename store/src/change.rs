//! What a stored listing's change is and what a page's fetch says about its listings: the
//! decisions both backends make the same way, apart from the SQL that stores them.

use std::collections::HashSet;

use pharmwatch_model::{Listing, Money};

use crate::{
    HistoryEvidence, HistoryKind, ListingChange, PageAvailability, PageCommit, VerdictSummary,
};

/// A stored listing's columns that change detection compares.
pub(crate) struct Current {
    /// The stored price.
    pub price: Option<Money>,
    /// The stored verdict in short.
    pub summary: VerdictSummary,
    /// Whether it is marked gone.
    pub gone: bool,
    /// The stored verdict's score.
    pub score: f64,
    /// The digest of the body the listing was last extracted from.
    pub evidence_sha256: Option<String>,
}

/// How a listing seen again with `price` and `summary` changed from what was stored.
pub(crate) fn listing_change(
    old: Option<Current>,
    price: Option<Money>,
    summary: &VerdictSummary,
) -> ListingChange {
    let Some(old) = old else {
        return ListingChange::New;
    };
    let price_change = (old.price != price).then_some((old.price, price));
    let verdict_change = (old.summary != *summary).then(|| (old.summary, summary.clone()));
    if price_change.is_none() && verdict_change.is_none() && !old.gone {
        ListingChange::Unchanged
    } else {
        ListingChange::Changed {
            price: price_change,
            verdict: verdict_change,
            returned: old.gone,
        }
    }
}

/// The history row a change writes, if any.
pub(crate) fn history_kind(change: &ListingChange) -> Option<HistoryKind> {
    match change {
        ListingChange::New => Some(HistoryKind::New),
        ListingChange::Unchanged => None,
        ListingChange::Changed { returned: true, .. } => Some(HistoryKind::Returned),
        ListingChange::Changed { .. } => Some(HistoryKind::Changed),
    }
}

/// Which of the page's live listings a commit marks gone: `None` for none, else all but
/// the ids in the set. `failed_runs` is what storing a failed fetch counted (`None` when the
/// fetch did not fail).
pub(crate) fn gone_except(commit: &PageCommit, failed_runs: Option<u32>) -> Option<HashSet<&str>> {
    match commit.availability {
        PageAvailability::Offered => {
            Some(commit.listings.iter().map(|(l, _)| l.id.as_str()).collect())
        }
        PageAvailability::Removed => Some(HashSet::new()),
        PageAvailability::Failed { gone_after } if failed_runs >= Some(gone_after.max(1)) => {
            Some(HashSet::new())
        }
        // A permanent redirect moves the page: its listings there are gone, and whatever the
        // new URL offers is stored under that URL's own ids.
        PageAvailability::Redirected if matches!(commit.page.status, Some(301 | 308)) => {
            Some(HashSet::new())
        }
        PageAvailability::Failed { .. } | PageAvailability::Redirected => None,
    }
}

/// The evidence of a history row written when `listing` was seen: the archived page it was
/// extracted from (`shown_by`, with its record), else its own digest without a location.
pub(crate) fn seen_evidence(
    listing: &Listing,
    shown_by: Option<&HistoryEvidence>,
) -> Option<HistoryEvidence> {
    shown_by.cloned().or_else(|| {
        listing
            .evidence_digest
            .clone()
            .map(|sha256| HistoryEvidence { sha256, warc: None })
    })
}

/// The evidence of a rescan's history row: the body the listing was last extracted from
/// (its record is found through the page or an older row with the same digest).
pub(crate) fn rescan_evidence(old: &Current) -> Option<HistoryEvidence> {
    old.evidence_sha256
        .clone()
        .map(|sha256| HistoryEvidence { sha256, warc: None })
}
