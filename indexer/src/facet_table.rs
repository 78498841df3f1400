//! Per-segment tables of facet term ordinals, built once and shared by every search.
//!
//! Reading a facet value through tantivy's fast-field column costs a rank lookup in the
//! column's optional index and a bit-unpacking per document and column; over the ~700,000
//! matches of a broad query on a million listings that dominated the search. A segment never
//! changes once written (deletes only hide documents), so its ordinals are decoded once, in
//! one sequential pass, into a plain `Vec<u32>` per column; counting then costs an array read
//! per document and column. The tables take 2 bytes per listing and facet column (10 MB for
//! a million listings; 4 bytes when the facet values are many) and are dropped when their
//! segment is merged away.
//!
//! Building a segment's table costs about as much as counting a match-all query the direct way
//! (≈ 100 ms for a million listings), so it is built by the second facet search that reaches
//! the segment: a one-shot search (`pharmwatch search --facets`) reads the columns directly,
//! a long-running searcher (the web UI) builds the table once and keeps it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::columnar::{Cardinality, ColumnIndex, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

/// Documents decoded per batch while building a table (keeps the scratch buffer small).
const BATCH: usize = 4096;

/// The facet search (per segment) that builds the segment's table; earlier ones count
/// through the columns.
const BUILD_ON_SEARCH: u32 = 2;

/// One facet column of one segment.
pub(crate) struct TableColumn {
    /// The column (for its dictionary: ordinal → value); `None` when the segment has none.
    pub(crate) column: Option<StrColumn>,
    /// Where its counts start in the segment's count array (see [`SegmentTable::count`]).
    pub(crate) offset: usize,
    /// Several values per document (not written by this crate's schema, but read correctly
    /// if met): counted through the column itself rather than the table.
    multi: bool,
}

impl TableColumn {
    /// The column's term count (its counts are `offset..offset + terms`).
    pub(crate) fn terms(&self) -> usize {
        self.column.as_ref().map_or(0, |c| c.num_terms())
    }
}

/// The `N` facet columns of one segment: per document, one count slot per column, in one row
/// so that the `N` counters of a document are incremented independently of each other.
pub(crate) struct SegmentTable<const N: usize> {
    pub(crate) columns: Vec<TableColumn>,
    /// Per document, the slot of each column's value in the count array (a column's
    /// "no value" slot, `offset + terms`, when it has none). `None`: not built, the columns
    /// are read directly.
    rows: Option<Rows<N>>,
    /// Length of the count array: every column's terms and its "no value" slot.
    slots: usize,
    /// Some column has several values per document.
    any_multi: bool,
}

/// Rows of slots, two bytes each when the count array is short enough (it usually is: a few
/// hundred sites and rule combinations), which halves the memory read per matching document.
enum Rows<const N: usize> {
    Narrow(Vec<[u16; N]>),
    Wide(Vec<[u32; N]>),
}

impl<const N: usize> SegmentTable<N> {
    /// The columns of `segment`, with the rows decoded when `with_rows`.
    fn build(segment: &SegmentReader, names: &[&str; N], with_rows: bool) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        let max_doc = segment.max_doc() as usize;
        let mut columns = Vec::with_capacity(N);
        let mut ords = Vec::with_capacity(N);
        let mut offset = 0usize;
        for name in names {
            let column = fast.str(name)?;
            let multi = column
                .as_ref()
                .is_some_and(|c| c.ords().get_cardinality() == Cardinality::Multivalued);
            let dense = column
                .as_ref()
                .filter(|_| with_rows)
                .and_then(|c| dense_ords(c, max_doc));
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            columns.push(TableColumn {
                multi,
                column,
                offset,
            });
            ords.push(dense);
            offset += terms + 1;
        }
        let rows = with_rows.then(|| {
            if u16::try_from(offset).is_ok() {
                Rows::Narrow(rows(&columns, &ords, max_doc, |s| s as u16))
            } else {
                Rows::Wide(rows(&columns, &ords, max_doc, |s| {
                    u32::try_from(s).unwrap_or(u32::MAX)
                }))
            }
        });
        Ok(SegmentTable {
            any_multi: columns.iter().any(|c| c.multi),
            columns,
            rows,
            slots: offset,
        })
    }

    /// A zeroed count array for [`Self::count`].
    pub(crate) fn new_counts(&self) -> Vec<u32> {
        vec![0; self.slots]
    }

    /// Adds the documents `docs` to `counts` (from [`Self::new_counts`]).
    pub(crate) fn count(&self, docs: &[DocId], counts: &mut [u32]) {
        match &self.rows {
            Some(Rows::Narrow(rows)) => count_rows(rows, docs, counts),
            Some(Rows::Wide(rows)) => count_rows(rows, docs, counts),
            None => self.count_columns(docs, counts),
        }
        if self.any_multi {
            self.count_multi(docs, counts);
        }
    }

    /// Counts the single-valued columns by reading them (no rows built).
    fn count_columns(&self, docs: &[DocId], counts: &mut [u32]) {
        let mut ords = match docs {
            [_] => Vec::new(),
            _ => vec![None; docs.len()],
        };
        for column in self.columns.iter().filter(|c| !c.multi) {
            let Some(col) = &column.column else { continue };
            let mut add = |ord: u64| {
                let slot = usize::try_from(ord).map_or(usize::MAX, |o| column.offset + o);
                if let Some(c) = counts.get_mut(slot) {
                    *c += 1;
                }
            };
            if let [doc] = docs {
                // One document at a time (searches that score): no batch to fill.
                col.ords().first(*doc).into_iter().for_each(add);
            } else {
                // One batched lookup per block of documents.
                col.ords().first_vals(docs, &mut ords);
                ords.iter().flatten().for_each(|o| add(*o));
            }
        }
    }

    fn count_multi(&self, docs: &[DocId], counts: &mut [u32]) {
        for column in self.columns.iter().filter(|c| c.multi) {
            if let Some(col) = &column.column {
                for doc in docs {
                    for ord in col.term_ords(*doc) {
                        let slot = usize::try_from(ord).map_or(usize::MAX, |o| column.offset + o);
                        if let Some(c) = counts.get_mut(slot) {
                            *c += 1;
                        }
                    }
                }
            }
        }
    }
}

/// The rows of slots from the columns' per-document ordinals (`None`: counted elsewhere, the
/// row holds the column's "no value" slot).
fn rows<T: Copy + Default, const N: usize>(
    columns: &[TableColumn],
    ords: &[Option<Vec<u32>>],
    max_doc: usize,
    slot: impl Fn(usize) -> T,
) -> Vec<[T; N]> {
    let mut rows = vec![[T::default(); N]; max_doc];
    for (i, (column, ords)) in columns.iter().zip(ords).enumerate().take(N) {
        let none = slot(column.offset + column.terms());
        match ords {
            Some(ords) => {
                for (row, ord) in rows.iter_mut().zip(ords) {
                    row[i] = slot(column.offset + *ord as usize);
                }
            }
            None => rows.iter_mut().for_each(|row| row[i] = none),
        }
    }
    rows
}

fn count_rows<T: Copy + Into<u32>, const N: usize>(
    rows: &[[T; N]],
    docs: &[DocId],
    counts: &mut [u32],
) {
    for doc in docs {
        if let Some(row) = rows.get(*doc as usize) {
            for slot in row {
                // Below `counts.len()` by construction; `get_mut` keeps a stray value from
                // panicking.
                if let Some(c) = counts.get_mut((*slot).into() as usize) {
                    *c += 1;
                }
            }
        }
    }
}

/// Decodes a single-valued column into one ordinal per document (`None` for a multi-valued
/// column).
fn dense_ords(column: &StrColumn, max_doc: usize) -> Option<Vec<u32>> {
    let none = u32::try_from(column.num_terms()).unwrap_or(u32::MAX);
    let to_ord = |ord: u64| {
        u32::try_from(ord)
            .ok()
            .filter(|o| *o < none)
            .unwrap_or(none)
    };
    let col = column.ords();
    let mut out = vec![none; max_doc];
    let mut buf = vec![0u64; BATCH];
    match &col.index {
        ColumnIndex::Empty { .. } => {}
        ColumnIndex::Full => {
            let len = max_doc.min(col.values.num_vals() as usize);
            for start in (0..len).step_by(BATCH) {
                let chunk = &mut buf[..BATCH.min(len - start)];
                col.values.get_range(start as u64, chunk);
                for (slot, ord) in out[start..].iter_mut().zip(chunk.iter()) {
                    *slot = to_ord(*ord);
                }
            }
        }
        ColumnIndex::Optional(index) => {
            // Values are stored densely by rank; the index maps each rank to its document.
            let mut docs = index.iter_non_null_docs();
            let len = col.values.num_vals() as usize;
            for start in (0..len).step_by(BATCH) {
                let chunk = &mut buf[..BATCH.min(len - start)];
                col.values.get_range(start as u64, chunk);
                for ord in chunk.iter() {
                    if let Some(slot) = docs.next().and_then(|d| out.get_mut(d as usize)) {
                        *slot = to_ord(*ord);
                    }
                }
            }
        }
        ColumnIndex::Multivalued(_) => return None,
    }
    Some(out)
}

/// What is known of one segment: its facet searches so far, and its table once built.
struct SlotState<const N: usize> {
    searches: u32,
    table: Option<Arc<SegmentTable<N>>>,
}

impl<const N: usize> Default for SlotState<N> {
    fn default() -> Self {
        SlotState {
            searches: 0,
            table: None,
        }
    }
}

/// One slot per segment: the search that builds the table holds it while others wait.
type Slot<const N: usize> = Arc<Mutex<SlotState<N>>>;

/// The tables of the segments searched lately, by segment id.
pub(crate) struct FacetTables<const N: usize> {
    slots: Mutex<HashMap<SegmentId, Slot<N>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while building a table leaves nothing half-written behind (the slot stays
    // empty), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<const N: usize> Default for FacetTables<N> {
    fn default() -> Self {
        FacetTables {
            slots: Mutex::default(),
        }
    }
}

impl<const N: usize> FacetTables<N> {
    /// The table of `segment`'s facet columns `names` (always the same list per cache).
    pub(crate) fn get(
        &self,
        segment: &SegmentReader,
        names: &[&str; N],
    ) -> tantivy::Result<Arc<SegmentTable<N>>> {
        let slot = lock(&self.slots)
            .entry(segment.segment_id())
            .or_default()
            .clone();
        let mut state = lock(&slot);
        if let Some(t) = state.table.as_ref() {
            return Ok(t.clone());
        }
        state.searches += 1;
        if state.searches < BUILD_ON_SEARCH {
            return Ok(Arc::new(SegmentTable::build(segment, names, false)?));
        }
        let built = Arc::new(SegmentTable::build(segment, names, true)?);
        state.table = Some(built.clone());
        Ok(built)
    }

    /// Drops the tables of segments that `searcher` no longer has (merged away).
    pub(crate) fn retain(&self, searcher: &Searcher) {
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        lock(&self.slots).retain(|id, _| live.contains(id));
    }
}
