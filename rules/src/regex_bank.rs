//! Every text pattern of a rule set, compiled once, with one `RegexSet` per field and view as
//! a prefilter: a listing costs one pass of each set over each field, not one pass per regex.
//! Individual regexes run only for patterns the set reported, to find where they matched.

use pharmwatch_model::Field;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// Which text a pattern is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum View {
    /// The normal view of [`crate::normalize::Normalized::new`].
    Normal,
    /// The original text as printed.
    Raw,
}

impl View {
    pub fn index(self) -> usize {
        match self {
            View::Normal => 0,
            View::Raw => 1,
        }
    }
}

/// Slot of one (field, view) pair: `field * 2 + view`.
pub(crate) fn slot(field: Field, view: View) -> usize {
    field_index(field) * 2 + view.index()
}

pub(crate) fn field_index(field: Field) -> usize {
    Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
}

pub(crate) const SLOTS: usize = Field::ALL.len() * 2;

/// Patterns being collected by the loader.
#[derive(Debug, Default)]
pub(crate) struct BankBuilder {
    regexes: Vec<Regex>,
    sources: Vec<String>,
    /// Pattern ids used on each slot.
    slots: Vec<Vec<usize>>,
}

impl BankBuilder {
    pub fn new() -> Self {
        BankBuilder {
            slots: vec![Vec::new(); SLOTS],
            ..Default::default()
        }
    }

    /// Compiles one pattern (case-insensitive) and records the fields and view it runs on.
    pub fn add(&mut self, pattern: &str, fields: &[Field], view: View) -> Result<usize, String> {
        let pattern = &ascii_boundaries(pattern);
        let re = build_regex(pattern)?;
        let id = self.regexes.len();
        self.regexes.push(re);
        self.sources.push(pattern.to_string());
        for f in fields {
            self.slots[slot(*f, view)].push(id);
        }
        Ok(id)
    }

    pub fn finish(self) -> Result<RegexBank, String> {
        let mut sets = Vec::with_capacity(SLOTS);
        for ids in &self.slots {
            if ids.is_empty() {
                sets.push(None);
                continue;
            }
            let set = RegexSetBuilder::new(ids.iter().map(|&i| &self.sources[i]))
                .case_insensitive(true)
                .size_limit(64 << 20)
                .dfa_size_limit(32 << 20)
                .build()
                .map_err(|e| format!("cannot compile the rule set's patterns together: {e}"))?;
            sets.push(Some((set, ids.clone())));
        }
        Ok(RegexBank {
            regexes: self.regexes,
            sets,
        })
    }
}

/// `\b` and `\B` become ASCII word boundaries. Unicode word boundaries make the regex engine
/// leave its DFA for a slow NFA on any non-ASCII haystack (an en dash is enough); normalised
/// Latin text is ASCII (accents stripped), and CJK has no word boundaries to speak of.
pub(crate) fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str(r"(?-u:\b)"),
            Some('B') => out.push_str(r"(?-u:\B)"),
            Some(n) => {
                out.push('\\');
                out.push(n);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(8 << 20)
        .build()
        .map_err(|e| e.to_string())
}

/// The compiled patterns of a rule set.
#[derive(Debug, Clone)]
pub(crate) struct RegexBank {
    regexes: Vec<Regex>,
    /// Per slot: the set and the pattern id of each of its members.
    sets: Vec<Option<(RegexSet, Vec<usize>)>>,
}

impl RegexBank {
    pub fn len(&self) -> usize {
        self.regexes.len()
    }

    pub fn regex(&self, id: usize) -> &Regex {
        &self.regexes[id]
    }

    /// Whether any pattern runs on this slot.
    pub fn has_slot(&self, slot: usize) -> bool {
        self.sets.get(slot).is_some_and(Option::is_some)
    }

    /// Calls `hit` with the id of every pattern of `slot` that matches `text`.
    pub fn scan(&self, slot: usize, text: &str, mut hit: impl FnMut(usize)) {
        let Some(Some((set, ids))) = self.sets.get(slot) else {
            return;
        };
        for m in set.matches(text).iter() {
            hit(ids[m]);
        }
    }
}

/// A regex matching any of `words` as whole words (ASCII word boundaries on Latin ends; none
/// on CJK ends, which have no spaces to bound them).
pub(crate) fn words_pattern(words: &[String]) -> String {
    let alts: Vec<String> = words
        .iter()
        .map(|w| {
            let w = w.trim().to_lowercase();
            let mut p = String::new();
            let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if edge(w.chars().next()) {
                p.push_str(r"(?-u:\b)");
            }
            let escaped = regex::escape(&w);
            p.push_str(&escaped.replace(' ', r"\s+"));
            if edge(w.chars().last()) {
                p.push_str(r"(?-u:\b)");
            }
            p
        })
        .collect();
    format!("(?:{})", alts.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_report_only_matching_patterns() {
        let mut b = BankBuilder::new();
        let a = b
            .add(r"\bno\s+rx\b", &[Field::Title], View::Normal)
            .unwrap();
        let c = b
            .add("stealth", &[Field::Title, Field::Shipping], View::Normal)
            .unwrap();
        assert!(b.add("(unclosed", &[Field::Title], View::Normal).is_err());
        let bank = b.finish().unwrap();
        let mut hit = vec![false; bank.len()];
        bank.scan(slot(Field::Title, View::Normal), "no rx needed", |id| {
            hit[id] = true
        });
        assert!(hit[a] && !hit[c]);
        assert!(!bank.has_slot(slot(Field::Url, View::Normal)));
    }

    #[test]
    fn boundaries_become_ascii() {
        assert_eq!(ascii_boundaries(r"\bno\s+rx\b"), r"(?-u:\b)no\s+rx(?-u:\b)");
        assert_eq!(ascii_boundaries(r"a\\b\B"), r"a\\b(?-u:\B)");
    }

    #[test]
    fn words_are_whole_words() {
        let re = Regex::new(&words_pattern(&["no rx".into(), "无需处方".into()])).unwrap();
        assert!(re.is_match("buy now, no  rx"));
        assert!(!re.is_match("no rxa"));
        assert!(re.is_match("本店无需处方购买"));
    }
}
