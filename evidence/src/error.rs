use std::path::PathBuf;

/// What can go wrong writing or reading evidence.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// Reading or writing a file failed.
    #[error("evidence I/O on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The bytes at an offset are not a well-formed gzip-compressed WARC record.
    #[error("malformed WARC record in {file} at offset {offset}: {reason}")]
    Malformed {
        /// The WARC file.
        file: String,
        /// Where the record starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A record larger than the reader's limit (protects memory against a corrupt length).
    #[error(
        "WARC record in {file} at offset {offset} declares {declared} bytes, more than the limit of {limit}"
    )]
    TooLarge {
        /// The WARC file.
        file: String,
        /// Where the record starts.
        offset: u64,
        /// The length its header declares.
        declared: u64,
        /// The reader's limit.
        limit: u64,
    },
    /// A file name from outside (state store, command line) that would leave the evidence dir.
    #[error("`{0}` is not a WARC file name inside the evidence directory")]
    BadFileName(String),
    /// The record is not an HTTP response.
    #[error("not an HTTP response record: {0}")]
    NotHttpResponse(String),
    /// A revisit record that would not be true (see `WarcWriter::write_revisit`).
    #[error("cannot archive as a revisit: {0}")]
    NotRevisit(String),
    /// A digest header that cannot be parsed.
    #[error("unreadable digest `{0}`: expected sha256:<base32 or hex>")]
    BadDigest(String),
}

impl EvidenceError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EvidenceError::Io {
            path: path.into(),
            source,
        }
    }
}
