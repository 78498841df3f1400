//! Reading records back: one at an offset, or every record of a file in order.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::record::WARC_VERSION;
use crate::{EvidenceError, RecordLocation, WarcRecord};

/// Largest record block a reader accepts by default. Records hold at most the crawler's body
/// cap plus headers; the limit keeps a corrupt `Content-Length` from exhausting memory.
pub const DEFAULT_MAX_BLOCK_BYTES: u64 = 256 * 1024 * 1024;

/// Largest WARC header section accepted (names and values of one record).
const MAX_HEADER_BYTES: u64 = 1024 * 1024;

/// A record with the position of its gzip member in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAt {
    /// Offset of the record's gzip member in the file.
    pub offset: u64,
    /// Compressed length of the member.
    pub length: u64,
    /// The record.
    pub record: WarcRecord,
}

/// Reads the record whose gzip member starts at `offset` in `dir/file`.
///
/// `file` is a bare file name (as in [`RecordLocation::file`]); names that would leave the
/// directory are refused.
pub fn read_record_at(dir: &Path, file: &str, offset: u64) -> Result<WarcRecord, EvidenceError> {
    let mut reader = WarcReader::open(&dir.join(checked_name(file)?))?;
    reader.seek(offset)?;
    match reader.next_record() {
        Some(r) => r.map(|at| at.record),
        None => Err(EvidenceError::Malformed {
            file: file.to_string(),
            offset,
            reason: "no record at this offset (end of file)".into(),
        }),
    }
}

/// Reads the record a [`RecordLocation`] points to.
pub fn read_location(dir: &Path, loc: &RecordLocation) -> Result<WarcRecord, EvidenceError> {
    read_record_at(dir, &loc.file, loc.offset)
}

/// The `.warc.gz` files of an evidence directory, sorted by name (= by creation time).
pub fn warc_files(dir: &Path) -> Result<Vec<String>, EvidenceError> {
    let entries = std::fs::read_dir(dir).map_err(|e| EvidenceError::io(dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| EvidenceError::io(dir, e))?;
        if let Some(name) = entry.file_name().to_str()
            && name.ends_with(".warc.gz")
        {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// As much of the `WARC-Record-ID` of the member at `offset` as can be read, even when the
/// member is cut short or damaged after its headers: reports can then name the record.
pub(crate) fn partial_record_id(path: &Path, offset: u64) -> Option<String> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut decoder = flate2::read::GzDecoder::new(file);
    let mut head = vec![0u8; 16 * 1024];
    let mut filled = 0;
    // Read until the decoder fails (the cut) or the header section is in.
    while filled < head.len() {
        match decoder.read(&mut head[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    let text = String::from_utf8_lossy(&head[..filled]);
    text.split("\r\n\r\n").next()?.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("WARC-Record-ID")
            .then(|| value.trim().to_string())
    })
}

pub(crate) fn checked_name(file: &str) -> Result<&str, EvidenceError> {
    let bad = file.is_empty()
        || file.starts_with('.')
        || file.contains(['/', '\\', '\0'])
        || Path::new(file).components().count() != 1;
    if bad {
        Err(EvidenceError::BadFileName(file.to_string()))
    } else {
        Ok(file)
    }
}

/// Sequential reader over the gzip members (one record each) of a `.warc.gz` file.
///
/// Iterating yields `Result<RecordAt, _>`; after the first error the iterator ends (a
/// damaged member makes the next member's start unknown; [`crate::verify`] resynchronises).
pub struct WarcReader {
    name: String,
    path: PathBuf,
    input: BufReader<File>,
    max_block: u64,
    failed: bool,
}

impl WarcReader {
    /// Opens a file for reading from its start.
    pub fn open(path: &Path) -> Result<Self, EvidenceError> {
        let file = File::open(path).map_err(|e| EvidenceError::io(path, e))?;
        Ok(WarcReader {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.to_path_buf(),
            input: BufReader::with_capacity(64 * 1024, file),
            max_block: DEFAULT_MAX_BLOCK_BYTES,
            failed: false,
        })
    }

    /// Sets the largest block this reader accepts.
    pub fn with_max_block(mut self, bytes: u64) -> Self {
        self.max_block = bytes;
        self
    }

    /// Moves to the member starting at `offset`.
    pub fn seek(&mut self, offset: u64) -> Result<(), EvidenceError> {
        self.input
            .seek(SeekFrom::Start(offset))
            .map_err(|e| EvidenceError::io(&self.path, e))?;
        self.failed = false;
        Ok(())
    }

    /// The next record, `None` at the end of the file.
    pub fn next_record(&mut self) -> Option<Result<RecordAt, EvidenceError>> {
        if self.failed {
            return None;
        }
        let result = self.read_member().transpose();
        if matches!(result, Some(Err(_))) {
            self.failed = true;
        }
        result
    }

    /// Offset of the next gzip member header at or after `from`, if any (used to skip a
    /// damaged member).
    pub(crate) fn find_member_from(&mut self, from: u64) -> Result<Option<u64>, EvidenceError> {
        const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
        self.seek(from)?;
        let mut pos = from;
        let mut window: Vec<u8> = Vec::with_capacity(3);
        let mut byte = [0u8; 1];
        loop {
            match self.input.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) => {}
                Err(e) => return Err(EvidenceError::io(&self.path, e)),
            }
            pos += 1;
            window.push(byte[0]);
            if window.len() > 3 {
                window.remove(0);
            }
            if window == MAGIC {
                let start = pos - 3;
                self.seek(start)?;
                return Ok(Some(start));
            }
        }
    }

    fn read_member(&mut self) -> Result<Option<RecordAt>, EvidenceError> {
        let io = |e| EvidenceError::io(&self.path, e);
        let offset = self.input.stream_position().map_err(io)?;
        if self.input.fill_buf().map_err(io)?.is_empty() {
            return Ok(None);
        }
        let record = {
            let decoder = flate2::bufread::GzDecoder::new(&mut self.input);
            let mut text = BufReader::new(decoder);
            let record = parse_record(&mut text, self.max_block);
            // Read to the member's end so the gzip trailer (CRC, length) is checked and the
            // file position lands on the next member.
            let rest = record.and_then(|r| {
                std::io::copy(&mut text, &mut std::io::sink())
                    .map(|_| r)
                    .map_err(|e| RecordProblem::Malformed(format!("gzip member: {e}")))
            });
            rest.map_err(|p| p.into_error(&self.name, offset))?
        };
        let end = self.input.stream_position().map_err(io)?;
        Ok(Some(RecordAt {
            offset,
            length: end - offset,
            record,
        }))
    }
}

impl Iterator for WarcReader {
    type Item = Result<RecordAt, EvidenceError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

enum RecordProblem {
    Malformed(String),
    TooLarge(u64, u64),
}

impl RecordProblem {
    fn into_error(self, file: &str, offset: u64) -> EvidenceError {
        match self {
            RecordProblem::Malformed(reason) => EvidenceError::Malformed {
                file: file.to_string(),
                offset,
                reason,
            },
            RecordProblem::TooLarge(declared, limit) => EvidenceError::TooLarge {
                file: file.to_string(),
                offset,
                declared,
                limit,
            },
        }
    }
}

fn parse_record(input: &mut impl BufRead, max_block: u64) -> Result<WarcRecord, RecordProblem> {
    let bad = |s: &str| RecordProblem::Malformed(s.to_string());
    let mut budget = MAX_HEADER_BYTES;
    let version = read_line(input, &mut budget)?.ok_or_else(|| bad("empty member"))?;
    if !version.starts_with("WARC/1.") {
        return Err(bad(&format!(
            "expected {WARC_VERSION}, found `{version:.40}`"
        )));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let line = read_line(input, &mut budget)?.ok_or_else(|| bad("end of data in headers"))?;
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            let last = headers
                .last_mut()
                .ok_or_else(|| bad("continuation line first"))?;
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad("header line without colon"))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let length: u64 = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| bad("missing or invalid Content-Length"))?;
    if length > max_block {
        return Err(RecordProblem::TooLarge(length, max_block));
    }
    let mut block = Vec::new();
    let read = input
        .take(length)
        .read_to_end(&mut block)
        .map_err(|e| RecordProblem::Malformed(format!("gzip member: {e}")))?;
    if read as u64 != length {
        return Err(bad("block shorter than Content-Length"));
    }
    let mut end = [0u8; 4];
    input
        .read_exact(&mut end)
        .map_err(|_| bad("missing record end"))?;
    if &end != b"\r\n\r\n" {
        return Err(bad("record does not end with CRLF CRLF"));
    }
    Ok(WarcRecord { headers, block })
}

/// One CRLF- (or LF-) terminated UTF-8 line, charged against the header budget.
fn read_line(input: &mut impl BufRead, budget: &mut u64) -> Result<Option<String>, RecordProblem> {
    let mut raw = Vec::new();
    let n = input
        .take(*budget)
        .read_until(b'\n', &mut raw)
        .map_err(|e| RecordProblem::Malformed(format!("gzip member: {e}")))?;
    if n == 0 {
        return Ok(None);
    }
    *budget = budget.saturating_sub(n as u64);
    if raw.last() != Some(&b'\n') {
        return Err(RecordProblem::Malformed(
            "header section too long or cut".into(),
        ));
    }
    raw.pop();
    if raw.last() == Some(&b'\r') {
        raw.pop();
    }
    String::from_utf8(raw)
        .map(Some)
        .map_err(|_| RecordProblem::Malformed("header line is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_the_directory() {
        assert!(checked_name("pharmwatch-a-1-00000.warc.gz").is_ok());
        for bad in [
            "../x.warc.gz",
            "/etc/passwd",
            "a/b",
            "",
            ".hidden",
            "..",
            "a\\b",
        ] {
            assert!(checked_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parse_rejects_oversized_and_short_blocks() {
        let text = b"WARC/1.1\r\nContent-Length: 10\r\n\r\nabc";
        assert!(matches!(
            parse_record(&mut &text[..], 5),
            Err(RecordProblem::TooLarge(10, 5))
        ));
        assert!(matches!(
            parse_record(&mut &text[..], 100),
            Err(RecordProblem::Malformed(_))
        ));
        let ok = b"WARC/1.1\r\nContent-Length: 3\r\nX: a\r\n  b\r\n\r\nabc\r\n\r\n";
        let rec = parse_record(&mut &ok[..], 100).ok().unwrap();
        assert_eq!(rec.block, b"abc");
        assert_eq!(rec.header("x"), Some("a b"));
    }
}
