//! [`ListingIndexWriter`]: the one writer of an index directory.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tantivy::directory::MmapDirectory;
use tantivy::directory::error::{LockError, OpenDirectoryError};
use tantivy::{Index, IndexWriter, TantivyDocument, TantivyError, Term};

use crate::analysis;
use crate::document::IndexDoc;
use crate::error::IndexError;
use crate::schema::{self, Fields};

/// When [`ListingIndexWriter::maybe_commit`] commits: after `max_docs` upserts or
/// `max_interval` since the last commit, whichever comes first.
///
/// Commits are what make documents visible to searchers and durable on disk; each one costs
/// an fsync and a new segment, so a crawl batches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitPolicy {
    /// Commit once this many upserts and deletes are pending.
    pub max_docs: usize,
    /// Commit once this much time has passed since the last commit (with changes pending).
    pub max_interval: Duration,
}

impl Default for CommitPolicy {
    /// 50,000 documents or 5 seconds. A crawl produces far fewer than 50,000 listings in 5 s,
    /// so searches see its finds within seconds; bulk re-indexing (rescan) commits every
    /// 50,000, which measured 1.7× faster than every 10,000 (each commit applies the pending
    /// replacements to every segment and starts merges).
    fn default() -> Self {
        CommitPolicy {
            max_docs: 50_000,
            max_interval: Duration::from_secs(5),
        }
    }
}

/// Adds and replaces listings in the index in one directory.
///
/// Only one writer may exist per directory (tantivy holds a lock file); a second one, in this
/// or another process, gets [`IndexError::Locked`]. Searchers may read at the same time.
pub struct ListingIndexWriter {
    dir: PathBuf,
    fields: Fields,
    writer: IndexWriter<TantivyDocument>,
    policy: CommitPolicy,
    pending: usize,
    last_commit: Instant,
}

/// How much memory, and how many indexing threads, a writer may use.
///
/// tantivy sizes each thread's term hash table from its share of the heap up front and
/// flushes a segment when the share fills, so the budget is a floor of the writer's resident
/// memory, not only a ceiling. A crawl commits every few thousand listings and never fills a
/// small budget; bulk ingestion (a million listings between commits) wants the large one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterBudget {
    /// Indexing threads (at least 1).
    pub threads: usize,
    /// Heap shared by the threads; tantivy needs at least 15 MB per thread.
    pub heap_bytes: usize,
}

/// tantivy refuses less than this per indexing thread.
const MIN_HEAP_PER_THREAD: usize = 15_000_000;

impl WriterBudget {
    /// One thread, 40 MB: for crawls and rescans, which commit often. On a 5,000-page crawl
    /// the writer's peak heap fell from 40 to 24 MB against [`Self::bulk`] with no loss of
    /// pages/s (extraction and rules, not indexing, keep the cores busy; bench/RESULTS.md).
    pub fn lean() -> Self {
        WriterBudget {
            threads: 1,
            heap_bytes: 40 * 1024 * 1024,
        }
    }

    /// Up to 4 threads (one per core), 256 MB: for bulk ingestion between rare commits.
    pub fn bulk() -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        WriterBudget {
            threads,
            heap_bytes: 256 * 1024 * 1024,
        }
    }

    /// The budget tantivy accepts: at least one thread and 15 MB per thread.
    fn checked(self) -> Self {
        let threads = self.threads.max(1);
        WriterBudget {
            threads,
            heap_bytes: self.heap_bytes.max(threads * MIN_HEAP_PER_THREAD),
        }
    }
}

impl Default for WriterBudget {
    /// [`Self::lean`].
    fn default() -> Self {
        Self::lean()
    }
}

/// Opens the index in `dir` (creating the directory and the index when missing) with the
/// analyzers registered.
pub(crate) fn open_index(dir: &Path) -> Result<(Index, Fields), IndexError> {
    std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
        dir: dir.to_path_buf(),
        source,
    })?;
    let directory = MmapDirectory::open(dir).map_err(|e| match e {
        OpenDirectoryError::IoError { io_error, .. } => IndexError::Io {
            dir: dir.to_path_buf(),
            source: std::io::Error::new(io_error.kind(), io_error.to_string()),
        },
        other => IndexError::Open {
            dir: dir.to_path_buf(),
            message: other.to_string(),
        },
    })?;
    let (schema, fields) = schema::build();
    let index = Index::open_or_create(directory, schema).map_err(|e| IndexError::Open {
        dir: dir.to_path_buf(),
        message: format!(
            "{e} (an index written by another version of pharmwatch must be rebuilt: remove the directory and re-index)"
        ),
    })?;
    let tokenizers = index.tokenizers();
    tokenizers.register(analysis::TEXT_TOKENIZER, analysis::text_analyzer());
    Ok((index, fields))
}

impl ListingIndexWriter {
    /// Opens (or creates) the index in `dir` for writing, with the default [`CommitPolicy`]
    /// and the [`WriterBudget::lean`] memory budget.
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        Self::open_with_budget(dir, WriterBudget::default())
    }

    /// Opens (or creates) the index in `dir` for writing with this memory budget (raised to
    /// tantivy's minimum of 15 MB per thread when below it).
    pub fn open_with_budget(dir: &Path, budget: WriterBudget) -> Result<Self, IndexError> {
        let (index, fields) = open_index(dir)?;
        let budget = budget.checked();
        let writer = index
            .writer_with_num_threads(budget.threads, budget.heap_bytes)
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => IndexError::Locked {
                    dir: dir.to_path_buf(),
                },
                other => IndexError::Tantivy(other),
            })?;
        // A writer killed mid-commit leaves files that no commit refers to (a `.del` file of
        // the commit it never finished, say); the next commit would try to create the same
        // file again and fail. They are registered as managed, so this removes them.
        writer.garbage_collect_files().wait()?;
        Ok(ListingIndexWriter {
            dir: dir.to_path_buf(),
            fields,
            writer,
            policy: CommitPolicy::default(),
            pending: 0,
            last_commit: Instant::now(),
        })
    }

    /// Replaces the commit policy used by [`Self::maybe_commit`].
    pub fn with_commit_policy(mut self, policy: CommitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The directory this writer owns.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds the listing, replacing any entry with the same listing id (also one added earlier
    /// in the same uncommitted batch). Visible to searchers after the next commit.
    pub fn upsert(&mut self, doc: &IndexDoc) -> Result<(), IndexError> {
        let document = doc.to_document(&self.fields)?;
        self.writer.delete_term(Term::from_field_text(
            self.fields.id,
            doc.listing.id.as_str(),
        ));
        self.writer.add_document(document)?;
        self.pending += 1;
        Ok(())
    }

    /// Adds a listing that no document in the index can carry the id of yet, without the
    /// delete [`Self::upsert`] queues (each queued delete is looked up in every segment at
    /// the next commit). For listings the state store has just seen for the first time: the
    /// store is written before the index and never forgets a listing. A listing added twice
    /// this way is in the index twice.
    pub fn add_new(&mut self, doc: &IndexDoc) -> Result<(), IndexError> {
        self.writer.add_document(doc.to_document(&self.fields)?)?;
        self.pending += 1;
        Ok(())
    }

    /// Documents in the index as of its last commit.
    pub fn committed_docs(&self) -> Result<u64, IndexError> {
        let reader = self
            .writer
            .index()
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()?;
        Ok(reader.searcher().num_docs())
    }

    /// Removes the listing with this id (at the next commit).
    pub fn delete(&mut self, id: &pharmwatch_model::ListingId) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, id.as_str()));
        self.pending += 1;
    }

    /// Number of upserts and deletes since the last commit.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Makes every change so far durable and visible to searchers.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        let started = Instant::now();
        self.writer.commit()?;
        tracing::debug!(
            docs = self.pending,
            elapsed_ms = started.elapsed().as_millis() as u64,
            dir = %self.dir.display(),
            "index commit"
        );
        self.pending = 0;
        self.last_commit = Instant::now();
        Ok(())
    }

    /// Commits when the [`CommitPolicy`] says so (enough pending changes, or enough time since
    /// the last commit with at least one pending change). Call after each upsert or batch;
    /// returns whether it committed. Call [`Self::commit`] at the end of a run.
    pub fn maybe_commit(&mut self) -> Result<bool, IndexError> {
        let due = self.pending >= self.policy.max_docs
            || (self.pending > 0 && self.last_commit.elapsed() >= self.policy.max_interval);
        if due {
            self.commit()?;
        }
        Ok(due)
    }

    /// Waits for background merges to finish and releases the lock (dropping the writer also
    /// releases it, without waiting). Uncommitted changes are lost: commit first.
    pub fn close(self) -> Result<(), IndexError> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}
