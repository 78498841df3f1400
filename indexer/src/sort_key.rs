//! Sort keys of the fast-field sorts: (primary value × sign, (verdict score, first seen)),
//! largest first.
//!
//! The parts are separate [`SortKeyComputer`]s combined as nested pairs, so tantivy reads the
//! tie-breakers (the verdict score, then the newest listing first) only for documents whose
//! primary value reaches the current top-k threshold: over a broad query, most documents are
//! rejected after one column read.

use tantivy::collector::sort_key::NaturalComparator;
use tantivy::collector::{SegmentSortKeyComputer, SortKeyComputer};
use tantivy::columnar::Column;
use tantivy::{DateTime, DocId, Score, SegmentReader};

use crate::schema::names;

/// The field a search is sorted by.
#[derive(Clone, Copy)]
pub(crate) enum SortField {
    /// The verdict's score.
    Score,
    /// Highest severity rank.
    Severity,
    /// An `f64` fast field.
    F64(&'static str),
    /// A date fast field (by seconds).
    Date(&'static str),
}

/// The sort key computer for `field`; `sign` −1 sorts ascending. A missing (or NaN) primary
/// value is −∞, so it sorts last in both directions; ties go to the higher verdict score, then
/// to the listing first seen most recently (an investigator reads the newest offer first).
pub(crate) fn by(
    field: SortField,
    sign: f64,
) -> impl SortKeyComputer<SortKey = (f64, (f64, f64))> + Send + 'static {
    (
        Primary { field, sign },
        (Primary::verdict_score(), Primary::newest()),
    )
}

/// One sort value read from a fast field, times `sign`.
struct Primary {
    field: SortField,
    sign: f64,
}

impl Primary {
    fn verdict_score() -> Self {
        Primary {
            field: SortField::Score,
            sign: 1.0,
        }
    }

    fn newest() -> Self {
        Primary {
            field: SortField::Date(names::FIRST_SEEN),
            sign: 1.0,
        }
    }
}

/// The column of one segment a [`Primary`] key is read from (`None`: the segment has none).
enum PrimaryColumn {
    F64(Option<Column<f64>>),
    U64(Option<Column<u64>>),
    Date(Option<Column<DateTime>>),
}

pub(crate) struct PrimarySegment {
    column: PrimaryColumn,
    sign: f64,
    /// Value of a document without one (the verdict score counts as 0 then, as in
    /// [`crate::IndexDoc`]; other fields have none).
    missing: Option<f64>,
}

impl SortKeyComputer for Primary {
    type SortKey = f64;
    type Child = PrimarySegment;
    type Comparator = NaturalComparator;

    fn segment_sort_key_computer(
        &self,
        segment: &SegmentReader,
    ) -> tantivy::Result<PrimarySegment> {
        let fast = segment.fast_fields();
        let column = match self.field {
            SortField::Score => PrimaryColumn::F64(fast.f64(names::SCORE).ok()),
            SortField::Severity => PrimaryColumn::U64(fast.u64(names::SEVERITY).ok()),
            SortField::F64(name) => PrimaryColumn::F64(fast.f64(name).ok()),
            SortField::Date(name) => PrimaryColumn::Date(fast.date(name).ok()),
        };
        let missing = matches!(self.field, SortField::Score).then_some(0.0);
        Ok(PrimarySegment {
            column,
            sign: self.sign,
            missing,
        })
    }
}

impl SegmentSortKeyComputer for PrimarySegment {
    type SortKey = f64;
    type SegmentSortKey = f64;
    type SegmentComparator = NaturalComparator;

    fn segment_sort_key(&mut self, doc: DocId, _score: Score) -> f64 {
        let value = match &self.column {
            PrimaryColumn::F64(c) => c.as_ref().and_then(|c| c.first(doc)),
            PrimaryColumn::U64(c) => c.as_ref().and_then(|c| c.first(doc)).map(|v| v as f64),
            PrimaryColumn::Date(c) => c
                .as_ref()
                .and_then(|c| c.first(doc))
                .map(|d| d.into_timestamp_secs() as f64),
        };
        value
            .or(self.missing)
            .filter(|v| !v.is_nan())
            .map_or(f64::NEG_INFINITY, |v| v * self.sign)
    }

    fn convert_segment_sort_key(&self, key: f64) -> f64 {
        key
    }
}
