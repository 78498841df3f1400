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
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError,
};

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

    // Sorted (and count-only) collection: the inner weight's own loops cannot be stopped from
    // their callback, so documents come through the budget's scorer, which ends its segment at
    // the first check after the budget is spent. Blocks are still filled by the inner scorer.
    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let mut scorer = self.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            callback(doc, scorer.score());
            doc = scorer.advance();
        }
        Ok(())
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let mut docs = self.scorer(reader, 1.0)?;
        let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let filled = docs.fill_buffer(&mut buffer);
            callback(&buffer[..filled]);
            if filled < buffer.len() {
                return Ok(());
            }
        }
    }

    // Relevance: the inner weight's pruning loop is kept (BlockWAND skips most documents of
    // a union); once the budget is spent, every callback answers a threshold no score beats.
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
        self.count_and_check(1)
    }

    /// Counts `docs` more documents and checks the budget when [`CHECK_EVERY`] have passed.
    fn count_and_check(&mut self, docs: u32) -> bool {
        self.since_check += docs;
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

    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        if self.count_and_check(COLLECT_BLOCK_BUFFER_LEN as u32) {
            return 0;
        }
        self.scorer.fill_buffer(buffer)
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use tantivy::collector::TopDocs;
    use tantivy::query::AllScorer;
    use tantivy::schema::{STORED, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;
    use crate::sort_key::{self, SortField};

    /// Every document, counting those it hands on and cancelling the search at the first.
    #[derive(Debug, Clone)]
    struct CancelAtFirst {
        cancel: SearchCancel,
        visited: Arc<AtomicU32>,
    }

    impl Query for CancelAtFirst {
        fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
            Ok(Box::new(self.clone()))
        }
    }

    impl Weight for CancelAtFirst {
        fn scorer(&self, reader: &SegmentReader, _: Score) -> tantivy::Result<Box<dyn Scorer>> {
            Ok(Box::new(Counting {
                all: AllScorer::new(reader.max_doc()),
                query: self.clone(),
            }))
        }

        fn explain(&self, _: &SegmentReader, _: DocId) -> tantivy::Result<Explanation> {
            Ok(Explanation::new("test", 1.0))
        }
    }

    struct Counting {
        all: AllScorer,
        query: CancelAtFirst,
    }

    impl DocSet for Counting {
        fn advance(&mut self) -> DocId {
            self.query.cancel.cancel();
            self.query.visited.fetch_add(1, Ordering::Relaxed);
            self.all.advance()
        }

        fn doc(&self) -> DocId {
            self.all.doc()
        }

        fn size_hint(&self) -> u32 {
            self.all.size_hint()
        }
    }

    impl Scorer for Counting {
        fn score(&mut self) -> Score {
            1.0
        }
    }

    /// One segment of `docs` documents, in a directory on disk.
    fn one_segment(dir: &std::path::Path, docs: u32) -> Index {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", STORED);
        let index = Index::create_in_dir(dir, schema.build()).expect("index");
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for _ in 0..docs {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, "x");
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        index
    }

    #[test]
    fn a_sorted_search_stops_within_its_segment_once_cancelled() {
        let dir = tempfile::tempdir().expect("tempdir");
        let docs = CHECK_EVERY * 8;
        let index = one_segment(dir.path(), docs);
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 1);

        for (name, sort) in [
            ("score", SortField::Score),
            ("severity", SortField::Severity),
        ] {
            let budget = SearchBudget::default();
            let visited = Arc::new(AtomicU32::new(0));
            let query = BudgetQuery {
                query: Box::new(CancelAtFirst {
                    cancel: budget.canceller(),
                    visited: visited.clone(),
                }),
                budget: budget.clone(),
            };
            let top = TopDocs::with_limit(10).order_by(sort_key::by(sort, 1.0));
            // Cancelled while the only segment was read: the collection ends at the next check.
            let _ = searcher.search(&query, &top);
            let seen = visited.load(Ordering::Relaxed);
            assert!(
                seen <= CHECK_EVERY + COLLECT_BLOCK_BUFFER_LEN as u32,
                "{name}: read {seen} of {docs} documents after the cancel"
            );
            assert!(matches!(budget.check(), Err(SearchError::Cancelled)));
        }
    }
}
