//! A catalogue of canonical terms, each recognised by a regex of its spellings in several
//! languages; shared by the payment-method and shipping-claim readers.

use crate::guarded::GuardedRegex;
use crate::text::truncate_at_char;

/// Text beyond this many bytes is not scanned.
pub const MAX_KEYWORD_TEXT: usize = 256 * 1024;

/// Compiled (canonical name, pattern) pairs.
pub(crate) struct Catalogue {
    entries: Vec<(&'static str, GuardedRegex)>,
}

impl Catalogue {
    /// Compiles `(canonical, pattern)` pairs; patterns are case-insensitive.
    pub(crate) fn new(entries: &[(&'static str, &str)]) -> Self {
        let entries = entries
            .iter()
            .map(|(name, pattern)| {
                let re = GuardedRegex::new(&format!("(?i){pattern}"))
                    .unwrap_or_else(|e| unreachable!("keyword regex for {name}: {e}"));
                (*name, re)
            })
            .collect();
        Catalogue { entries }
    }

    /// The compiled patterns, for the gate-equivalence tests.
    #[cfg(test)]
    pub(crate) fn regexes(&self) -> impl Iterator<Item = &GuardedRegex> {
        self.entries.iter().map(|(_, re)| re)
    }

    /// Canonical names found in `text`, in order of first appearance, each once.
    pub(crate) fn find(&self, text: &str) -> Vec<String> {
        let text = truncate_at_char(text, MAX_KEYWORD_TEXT);
        let mut hits: Vec<(usize, &'static str)> = self
            .entries
            .iter()
            .filter_map(|(name, re)| re.find(text).map(|m| (m.start(), *name)))
            .collect();
        hits.sort_by_key(|h| h.0);
        let mut out: Vec<String> = Vec::new();
        for (_, name) in hits {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
        out
    }
}
