//! Every text pattern of a rule set, compiled once, with one `RegexSet` per field and view as
//! a prefilter: a listing costs one pass of each set over each field, not one pass per regex.
//! Individual regexes run only for patterns the set reported, to find where they matched.
//!
//! The set is searched by our own loop over `regex-automata`'s lazy DFA (the engine
//! `RegexSet` uses too): `RegexSet::matches` goes through the general overlapping-search
//! machinery, about three times the instructions per byte. The `RegexSet` stays as the
//! fallback for when the lazy DFA gives up or cannot be built.

use std::sync::Arc;

use pharmwatch_model::Field;
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};

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
            let sources: Vec<&str> = ids.iter().map(|&i| self.sources[i].as_str()).collect();
            let set = RegexSetBuilder::new(&sources)
                .case_insensitive(true)
                .size_limit(64 << 20)
                .dfa_size_limit(32 << 20)
                .build()
                .map_err(|e| format!("cannot compile the rule set's patterns together: {e}"))?;
            let lazy = LazySet::new(&sources);
            sets.push(Some(SlotSet {
                set,
                lazy,
                ids: ids.clone(),
            }));
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

/// The patterns of one slot, compiled together.
#[derive(Debug, Clone)]
struct SlotSet {
    /// Reference engine and fallback.
    set: RegexSet,
    /// The fast path; `None` when the lazy DFA could not be built.
    lazy: Option<LazySet>,
    /// Bank id of each member.
    ids: Vec<usize>,
}

type CachePool = Pool<Cache, Box<dyn Fn() -> Cache + Send + Sync>>;

/// A multi-pattern lazy DFA (all patterns, overlapping matches) and a pool of its caches,
/// one per thread that searches.
struct LazySet {
    dfa: Arc<DFA>,
    caches: CachePool,
}

impl std::fmt::Debug for LazySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazySet").finish_non_exhaustive()
    }
}

impl Clone for LazySet {
    fn clone(&self) -> Self {
        LazySet::with_dfa(Arc::clone(&self.dfa))
    }
}

impl LazySet {
    /// Built as `RegexSetBuilder` above builds its lazy DFA: case-insensitive, every
    /// pattern reported (`MatchKind::All`), same size limits.
    fn new(sources: &[&str]) -> Option<LazySet> {
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(32 << 20),
            )
            .syntax(syntax::Config::new().case_insensitive(true))
            .thompson(regex_automata::nfa::thompson::Config::new().nfa_size_limit(Some(64 << 20)))
            .build_many(sources)
            .ok()?;
        Some(LazySet::with_dfa(Arc::new(dfa)))
    }

    fn with_dfa(dfa: Arc<DFA>) -> LazySet {
        let for_pool = Arc::clone(&dfa);
        let create: Box<dyn Fn() -> Cache + Send + Sync> =
            Box::new(move || for_pool.create_cache());
        LazySet {
            dfa,
            caches: Pool::new(create),
        }
    }

    /// Calls `hit` with the index (in the slot) of every pattern that matches somewhere in
    /// `text`, possibly more than once; `None` when the DFA gave up (the caller falls back).
    fn scan(&self, text: &str, mut hit: impl FnMut(usize)) -> Option<()> {
        let dfa = &*self.dfa;
        let mut cache = self.caches.get();
        let cache = &mut *cache;
        let input = Input::new(text);
        let mut sid = dfa.start_state_forward(cache, &input).ok()?;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if !sid.is_tagged() {
                // Fast path: known transitions between ordinary states. The cache is only
                // read here, so its table stays in registers.
                let known: &Cache = cache;
                while i < bytes.len() {
                    let next = dfa.next_state_untagged(known, sid, bytes[i]);
                    if next.is_tagged() {
                        break;
                    }
                    sid = next;
                    i += 1;
                }
                if i == bytes.len() {
                    break;
                }
            }
            sid = dfa.next_state(cache, sid, bytes[i]).ok()?;
            i += 1;
            if sid.is_tagged() {
                if sid.is_match() {
                    for k in 0..dfa.match_len(cache, sid) {
                        hit(dfa.match_pattern(cache, sid, k).as_usize());
                    }
                } else if sid.is_dead() {
                    return Some(());
                } else if sid.is_quit() {
                    return None;
                }
            }
        }
        sid = dfa.next_eoi_state(cache, sid).ok()?;
        if sid.is_match() {
            for k in 0..dfa.match_len(cache, sid) {
                hit(dfa.match_pattern(cache, sid, k).as_usize());
            }
        }
        Some(())
    }
}

/// The compiled patterns of a rule set.
#[derive(Debug, Clone)]
pub(crate) struct RegexBank {
    regexes: Vec<Regex>,
    /// Per slot: the patterns compiled together.
    sets: Vec<Option<SlotSet>>,
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
        let Some(Some(slot)) = self.sets.get(slot) else {
            return;
        };
        if let Some(lazy) = &slot.lazy {
            // Reported ids are collected first: a DFA that gives up half-way must not have
            // reported a partial answer.
            let mut found = vec![false; slot.ids.len()];
            if lazy.scan(text, |m| found[m] = true).is_some() {
                for (m, _) in found.iter().enumerate().filter(|(_, f)| **f) {
                    hit(slot.ids[m]);
                }
                return;
            }
        }
        for m in slot.set.matches(text).iter() {
            hit(slot.ids[m]);
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
    fn a_rule_set_is_shared_across_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<RegexBank>();
        shared::<crate::RuleSet>();
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

    proptest::proptest! {
        /// The own search loop over the lazy DFA reports exactly the patterns `RegexSet`
        /// reports.
        #[test]
        fn lazy_scan_equals_the_regex_set(text in "(?:no|rx|prescription|required|sin receta|无需处方|без рецепта|cream|mercury|stealth| |\\.|-|[a-z0-9]|.){0,40}") {
            let patterns: Vec<String> = [
                r"\bno\s+(?:rx|prescriptions?)\b",
                r"\bprescription\s+(?:is\s+)?(?:not|never)\s+required",
                r"(?:无需|无须)(?:医生)?处方",
                r"\bsin\s+receta\b",
                r"без\s+рецепт",
                r"\b(?:cream|soap)\b.{0,40}\b(?:mercury|calomel)\b",
                r"\bstealth\b",
                r"[a-z0-9._%+-]+@[a-z0-9-]+\.[a-z0-9.-]+",
            ]
            .iter()
            .map(|p| ascii_boundaries(p))
            .collect();
            let sources: Vec<&str> = patterns.iter().map(String::as_str).collect();
            let set = RegexSetBuilder::new(&sources).case_insensitive(true).build().unwrap();
            let lazy = LazySet::new(&sources).unwrap();
            let mut ours = vec![false; sources.len()];
            proptest::prop_assert!(lazy.scan(&text, |m| ours[m] = true).is_some());
            let mut theirs = vec![false; sources.len()];
            for m in set.matches(&text).iter() {
                theirs[m] = true;
            }
            proptest::prop_assert_eq!(ours, theirs, "{:?}", text);
        }
    }
}
