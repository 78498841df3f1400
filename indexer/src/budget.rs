//! A search's time budget and cancellation, checked while tantivy works.
//!
//! tantivy has no way to stop a search from outside, so the query is wrapped: before each
//! segment, and every [`CHECK_EVERY`] documents within one, the wrapper asks the budget;
//! once it is spent the wrapper ends its segment's documents (and, for relevance search,
//! raises the pruning threshold so the rest is skipped), and the search returns
//! [`SearchError::OverBudget`] or [`SearchError::Cancelled`] instead of partial results.
//! The web server cancels a search when its client goes away.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError};

use crate::error::SearchError;

/// The default time budget of one search: generous for any query within the term limits
/// (`query::cost`) on a million listings (p99 16.8 ms, bench/RESULTS.md), short enough that
/// a runaway query cannot hold a core for long.
pub const DEFAULT_SEARCH_TIME: Duration = Duration::from_secs(5);
/// Documents between two checks of the budget within a segment.
const CHECK_EVERY: u32 = 4096;

/// How long a search may run, and a flag that stops it early.
#[derive(Debug, Clone)]
pub struct SearchBudget {
    time: Duration,
    deadline: Instant,
    cancelled: Arc<AtomicBool>,
}

/// Stops the search of its [`SearchBudget`] (from another thread).
#[derive(Debug, Clone)]
pub struct SearchCancel(Arc<AtomicBool>);

impl SearchCancel {
    /// Asks the search to stop at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Default for SearchBudget {
    fn default() -> Self {
        SearchBudget::new(DEFAULT_SEARCH_TIME)
    }
}

impl SearchBudget {
    /// A budget of `time` from now.
    pub fn new(time: Duration) -> Self {
        let now = Instant::now();
        SearchBudget {
            time,
            deadline: now
                .checked_add(time)
                .unwrap_or(now + Duration::from_secs(86_400)),
            cancelled: Arc::default(),
        }
    }

    /// A handle that cancels this budget's search.
    pub fn canceller(&self) -> SearchCancel {
        SearchCancel(self.cancelled.clone())
    }

    /// Why the search must stop now, if it must.
    pub(crate) fn check(&self) -> Result<(), SearchError> {
        if self.cancelled.load(Ordering::Relaxed) {
            Err(SearchError::Cancelled)
        } else if Instant::now() >= self.deadline {
            Err(SearchError::OverBudget(self.time))
        } else {
            Ok(())
        }
    }

    fn spent(&self) -> bool {
        self.check().is_err()
    }

    fn as_tantivy(&self) -> tantivy::Result<()> {
        self.check()
            .map_err(|e| TantivyError::InvalidArgument(e.to_string()))
    }
}

/// `query`, stopped when `budget` is spent.
#[derive(Debug)]
pub(crate) struct BudgetQuery {
    pub query: Box<dyn Query>,
    pub budget: SearchBudget,
}

impl Clone for BudgetQuery {
    fn clone(&self) -> Self {
        BudgetQuery {
            query: self.query.box_clone(),
            budget: self.budget.clone(),
        }
    }
}

impl Query for BudgetQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.budget.as_tantivy()?;
        Ok(Box::new(BudgetWeight {
            weight: self.query.weight(enable_scoring)?,
            budget: self.budget.clone(),
        }))
    }
}

struct BudgetWeight {
    weight: Box<dyn Weight>,
    budget: SearchBudget,
}

impl Weight for BudgetWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.budget.as_tantivy()?;
        Ok(Box::new(BudgetScorer {
            scorer: self.weight.scorer(reader, boost)?,
            budget: self.budget.clone(),
            since_check: 0,
            stopped: false,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.weight.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.budget.as_tantivy()?;
        self.weight.count(reader)
    }

    // The inner weight's own loops are kept (Boolean queries have faster ones than the
    // scorer-by-scorer default); the budget is checked per segment and, where the callback
    // can say so, per block of documents.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.budget.as_tantivy()?;
        self.weight.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.budget.as_tantivy()?;
        self.weight.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.budget.as_tantivy()?;
        let mut seen = 0u32;
        let mut stopped = false;
        self.weight
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                seen += 1;
                if !stopped && seen.is_multiple_of(CHECK_EVERY) {
                    stopped = self.budget.spent();
                }
                if stopped {
                    // No score beats this: the pruning loop skips what is left.
                    Score::INFINITY
                } else {
                    callback(doc, score)
                }
            })
    }
}

struct BudgetScorer {
    scorer: Box<dyn Scorer>,
    budget: SearchBudget,
    since_check: u32,
    stopped: bool,
}

impl BudgetScorer {
    fn stop_now(&mut self) -> bool {
        self.since_check += 1;
        if self.since_check >= CHECK_EVERY {
            self.since_check = 0;
            self.stopped |= self.budget.spent();
        }
        self.stopped
    }
}

impl DocSet for BudgetScorer {
    fn advance(&mut self) -> DocId {
        if self.stop_now() {
            return TERMINATED;
        }
        self.scorer.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.stop_now() {
            return TERMINATED;
        }
        self.scorer.seek(target)
    }

    fn doc(&self) -> DocId {
        if self.stopped {
            TERMINATED
        } else {
            self.scorer.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.scorer.size_hint()
    }
}

impl Scorer for BudgetScorer {
    fn score(&mut self) -> Score {
        self.scorer.score()
    }
}
