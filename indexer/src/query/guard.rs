//! A wrapper for excluded (`NOT`) sub-queries.
//!
//! tantivy 0.27's `Exclude` asks its exclusion set whether it contains the first candidate
//! document with `seek_danger`, even when the exclusion scorer has already run out of
//! documents; `PhraseScorer::seek_danger` asserts that the target is not behind it, so a query
//! such as `NOT "words that match nothing"` panics in debug builds (and relies on unchecked
//! behaviour in release builds). This wrapper answers `seek_danger` with the trait's default
//! implementation, which handles a target behind the current document.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader};

/// Wraps a query used as a `MustNot` clause.
#[derive(Debug)]
pub struct ExclusionGuard(pub Box<dyn Query>);

impl Clone for ExclusionGuard {
    fn clone(&self) -> Self {
        ExclusionGuard(self.0.box_clone())
    }
}

impl Query for ExclusionGuard {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardWeight(self.0.weight(enable_scoring)?)))
    }
}

struct GuardWeight(Box<dyn Weight>);

impl Weight for GuardWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(GuardScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct GuardScorer(Box<dyn Scorer>);

impl DocSet for GuardScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.0.doc() >= target {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for GuardScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
