//! Word lists matched against `class`/`id` values in one pass.
//!
//! Region and heuristic code asks of nearly every element whether its class or id contains
//! one of dozens of words ("menu", "related", "footer", "price" …). Testing each word in turn
//! was a third of extraction's instructions (issue 17's crawl throughput); one Aho-Corasick
//! automaton per list reads the value once, with the same result.

use aho_corasick::AhoCorasick;

/// A list of lower-case words, any of which may occur anywhere in a value.
pub(crate) struct WordSet {
    automaton: AhoCorasick,
}

impl WordSet {
    /// The set of `words` (built-in lists: lower case, non-empty).
    pub fn new(words: &[&str]) -> Self {
        debug_assert!(
            words
                .iter()
                .all(|w| !w.is_empty() && w.to_lowercase() == *w),
            "word lists are lower case: {words:?}"
        );
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .unwrap_or_else(|e| unreachable!("built-in word list {words:?}: {e}"));
        WordSet { automaton }
    }

    /// Whether `value` contains one of the words, ASCII letters compared without case (for
    /// each word the same as [`crate::text::contains_ascii_case_insensitive`]).
    pub fn in_ascii_case(&self, value: &str) -> bool {
        self.automaton.is_match(value)
    }

    /// Whether `value` contains one of the words, compared without case: ASCII values as in
    /// [`Self::in_ascii_case`], others lower-cased in full first ("Похожие" holds "похож").
    pub fn in_any_case(&self, value: &str) -> bool {
        if value.is_ascii() {
            self.automaton.is_match(value)
        } else {
            self.automaton.is_match(value.to_lowercase().as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::contains_ascii_case_insensitive;

    const WORDS: &[&str] = &["menu", "menü", "related", "похож", "nav", "评论"];
    const VALUES: &[&str] = &[
        "",
        "main-MENU",
        "Menü-top",
        "MENÜ",
        "relatedProducts",
        "RELATE",
        "Похожие товары",
        "ПОХОЖИЕ",
        "navbar x",
        "用户评论",
        "product",
        "İNAV",
    ];

    #[test]
    fn ascii_case_matches_each_word_tested_in_turn() {
        let set = WordSet::new(WORDS);
        for v in VALUES {
            let one_by_one = WORDS.iter().any(|w| contains_ascii_case_insensitive(v, w));
            assert_eq!(set.in_ascii_case(v), one_by_one, "{v:?}");
        }
    }

    #[test]
    fn any_case_lowercases_non_ascii_values_in_full() {
        let set = WordSet::new(WORDS);
        for v in VALUES {
            let one_by_one = if v.is_ascii() {
                WORDS.iter().any(|w| contains_ascii_case_insensitive(v, w))
            } else {
                let lower = v.to_lowercase();
                WORDS.iter().any(|w| lower.contains(w))
            };
            assert_eq!(set.in_any_case(v), one_by_one, "{v:?}");
        }
        assert!(set.in_any_case("ПОХОЖИЕ"));
        assert!(set.in_any_case("MENÜ"));
        assert!(!set.in_ascii_case("MENÜ"));
    }
}
