//! Problems found while loading rule files and reference data, with their positions.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One problem in a rule file (or a reference file), at a 1-based line and column.
///
/// Displays as `file:line:col: rule <id>: message` so editors and terminals can jump to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// File the problem is in.
    pub file: PathBuf,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters; 0 when the problem concerns the whole file.
    pub column: usize,
    /// The rule the problem belongs to, when known.
    pub rule_id: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if let Some(id) = &self.rule_id {
            write!(f, "rule {id}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a rule set could not be loaded: every problem found, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets of one source text into 1-based line:column positions.
pub(crate) struct SourceMap<'a> {
    pub file: &'a Path,
    src: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    pub fn new(file: &'a Path, src: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap {
            file,
            src,
            line_starts,
        }
    }

    /// 1-based (line, column in chars) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self
            .src
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    pub fn diag(&self, offset: usize, rule_id: Option<&str>, message: String) -> Diagnostic {
        let (line, column) = self.position(offset);
        Diagnostic {
            file: self.file.to_path_buf(),
            line,
            column,
            rule_id: rule_id.map(str::to_string),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let src = "a = 1\nbé = 2\n";
        let m = SourceMap::new(Path::new("x.toml"), src);
        assert_eq!(m.position(0), (1, 1));
        assert_eq!(m.position(6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(m.position(9), (2, 3));
        let d = m.diag(6, Some("r1"), "bad".into());
        assert_eq!(d.to_string(), "x.toml:2:1: rule r1: bad");
    }
}
