use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Errors of opening, writing or reading the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// Another writer (usually another pharmwatch process) holds the index lock.
    #[error(
        "the index in {dir} is locked by another writer (another `pharmwatch` crawl or rescan is running); wait for it to finish"
    )]
    Locked {
        /// The index directory.
        dir: PathBuf,
    },
    /// The directory cannot be created or read.
    #[error("cannot use the index directory {dir}: {source}")]
    Io {
        /// The index directory.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The directory holds something tantivy cannot open as this index (another schema…).
    #[error("cannot open the index in {dir}: {message}")]
    Open {
        /// The index directory.
        dir: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The entry cannot be indexed as given (e.g. a score that is not a finite number).
    #[error("listing {id} cannot be indexed: {message}")]
    InvalidDocument {
        /// The listing id.
        id: String,
        /// What is wrong with it.
        message: String,
    },
    /// The stored document of a listing could not be read back.
    #[error("stored document of listing {id} is unreadable: {message}")]
    CorruptDocument {
        /// The listing id.
        id: String,
        /// What failed while reading it.
        message: String,
    },
    /// Any other failure of the search engine (I/O while reading or writing segments…).
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Errors of [`crate::ListingSearcher::search`].
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query text is not valid; show it to the user as is (it points at the mistake).
    #[error("{0}")]
    Query(#[from] QueryError),
    /// The index could not be read.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The search ran past its time budget and was stopped.
    #[error(
        "the search took longer than its budget of {}s and was stopped; narrow it (fewer regex, wildcard or fuzzy terms, a field such as title:, a date range)",
        .0.as_secs_f64()
    )]
    OverBudget(std::time::Duration),
    /// The search was cancelled (its client went away).
    #[error("the search was cancelled")]
    Cancelled,
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(e: tantivy::TantivyError) -> Self {
        SearchError::Index(IndexError::Tantivy(e))
    }
}

/// A mistake in a query, with the byte position it was found at.
///
/// `Display` renders the query, a caret under the position and what to fix:
///
/// ```text
/// unbalanced parenthesis: `(` opened here is never closed
///   drug:oxycodone AND (price_usd:<5
///                      ^
/// hint: add `)` to close the group
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct QueryError {
    /// The query as the user typed it.
    pub query: String,
    /// Byte offset into `query` (on a char boundary, at most `query.len()`).
    pub position: usize,
    /// What is wrong, in one line.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub hint: Option<String>,
}

impl QueryError {
    pub(crate) fn new(query: &str, position: usize, message: impl Into<String>) -> Self {
        let mut position = position.min(query.len());
        while !query.is_char_boundary(position) {
            position -= 1;
        }
        QueryError {
            query: query.to_string(),
            position,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Display columns before the position: wide (CJK) characters take two columns, control
    /// characters are shown as spaces so the caret stays under the right character.
    fn caret_column(&self) -> usize {
        self.query[..self.position].chars().map(display_width).sum()
    }
}

fn display_width(c: char) -> usize {
    if crate::analysis::is_cjk(c) || ('\u{FF00}'..='\u{FF60}').contains(&c) {
        2
    } else {
        1
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self
            .query
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        writeln!(f, "{} (at byte {})", self.message, self.position)?;
        writeln!(f, "  {shown}")?;
        write!(f, "  {}^", " ".repeat(self.caret_column()))?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}
