//! Highlighted snippets of titles and descriptions, computed from the stored text with the
//! same analyzer as the index (so Chinese bigram phrases highlight the whole name).

use std::ops::Range;

use serde::Serialize;

use crate::analysis::{self, AnalyzedToken};

/// A piece of a field's text with the byte ranges (into `fragment`) that matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The text shown: the whole title, or a window of the description (`…` marks cuts).
    pub fragment: String,
    /// Sorted, non-overlapping byte ranges into `fragment`, on char boundaries.
    pub highlighted: Vec<Range<usize>>,
}

impl Snippet {
    /// HTML for the snippet: the text escaped (it comes from hostile pages), the highlights
    /// wrapped in `<mark>`.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(self.fragment.len() + 16);
        let mut at = 0;
        for r in &self.highlighted {
            let (start, end) = (
                r.start.min(self.fragment.len()),
                r.end.min(self.fragment.len()),
            );
            if start < at
                || !self.fragment.is_char_boundary(start)
                || !self.fragment.is_char_boundary(end)
            {
                continue;
            }
            escape_html(&self.fragment[at..start], &mut out);
            out.push_str("<mark>");
            escape_html(&self.fragment[start..end], &mut out);
            out.push_str("</mark>");
            at = end;
        }
        escape_html(&self.fragment[at..], &mut out);
        out
    }
}

fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// How one query token is matched against an analysed token of the text.
#[derive(Debug, Clone)]
pub enum TokenMatch {
    Exact(String),
    /// Wildcard pattern (`*`, `?`, `\`-escaped literals), lower-cased.
    Glob(String),
    /// Within this many edits.
    Fuzzy(String, u8),
    /// A single Chinese character: only that character is highlighted inside a bigram.
    Char(char),
    /// A `/regex/` matching the whole token.
    Regex(std::sync::Arc<tantivy_fst::Regex>),
}

/// Sequences of token matchers (a phrase is a sequence) per highlighted field.
#[derive(Debug, Clone, Default)]
pub struct Highlights {
    pub title: Vec<Vec<TokenMatch>>,
    pub description: Vec<Vec<TokenMatch>>,
}

impl Highlights {
    pub fn add_both(&mut self, phrases: Vec<Vec<TokenMatch>>) {
        self.title.extend(phrases.iter().cloned());
        self.description.extend(phrases);
    }
}

/// Longest fragment of a description shown, in bytes (about two lines of text).
const MAX_FRAGMENT_BYTES: usize = 240;

/// The snippet of `text` around the best cluster of matches, `None` when nothing matches.
pub fn snippet(text: &str, phrases: &[Vec<TokenMatch>]) -> Option<Snippet> {
    if phrases.is_empty() || text.is_empty() {
        return None;
    }
    let tokens = analysis::analyze_indexed(text);
    let ranges = merge(find(&tokens, phrases));
    if ranges.is_empty() {
        return None;
    }
    let (from, to) = window(text, &ranges);
    let highlighted = ranges
        .iter()
        .filter(|r| r.start >= from && r.end <= to)
        .map(|r| r.start - from..r.end - from)
        .collect();
    let mut fragment = String::new();
    if from > 0 {
        fragment.push('…');
    }
    let shift = fragment.len();
    fragment.push_str(&text[from..to]);
    if to < text.len() {
        fragment.push('…');
    }
    let highlighted = shift_ranges(highlighted, shift);
    Some(Snippet {
        fragment,
        highlighted,
    })
}

fn shift_ranges(ranges: Vec<Range<usize>>, by: usize) -> Vec<Range<usize>> {
    ranges
        .into_iter()
        .map(|r| r.start + by..r.end + by)
        .collect()
}

/// Byte ranges of the text matched by any phrase (its tokens at consecutive positions).
fn find(tokens: &[AnalyzedToken], phrases: &[Vec<TokenMatch>]) -> Vec<Range<usize>> {
    let positions = tokens.iter().map(|t| t.position + 1).max().unwrap_or(0);
    let mut at: Vec<Vec<&AnalyzedToken>> = vec![Vec::new(); positions];
    for t in tokens {
        at[t.position].push(t);
    }
    let mut out = Vec::new();
    for phrase in phrases {
        for start in 0..positions {
            let mut covered: Option<Range<usize>> = None;
            let mut ok = !phrase.is_empty();
            for (k, m) in phrase.iter().enumerate() {
                let hit = at
                    .get(start + k)
                    .and_then(|ts| ts.iter().find_map(|t| matches(m, t)));
                match hit {
                    Some(r) => {
                        covered = Some(match covered {
                            None => r,
                            Some(c) => c.start.min(r.start)..c.end.max(r.end),
                        });
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && let Some(r) = covered {
                out.push(r);
            }
        }
    }
    out
}

/// The byte range of `t` that `m` matches, if any.
fn matches(m: &TokenMatch, t: &AnalyzedToken) -> Option<Range<usize>> {
    match m {
        TokenMatch::Exact(s) => (*s == t.text).then_some(t.start..t.end),
        TokenMatch::Glob(p) => glob(p, &t.text).then_some(t.start..t.end),
        TokenMatch::Fuzzy(s, d) => {
            (edit_distance(s, &t.text) <= usize::from(*d)).then_some(t.start..t.end)
        }
        TokenMatch::Regex(r) => regex_matches(r, &t.text).then_some(t.start..t.end),
        TokenMatch::Char(c) => {
            // Offsets of the analysed token map to the original text char by char for CJK.
            let mut at = t.start;
            for tc in t.text.chars() {
                if tc == *c {
                    return Some(at..at + c.len_utf8());
                }
                at += tc.len_utf8();
            }
            None
        }
    }
}

fn regex_matches(regex: &tantivy_fst::Regex, text: &str) -> bool {
    use tantivy_fst::Automaton;
    let mut state = regex.start();
    for b in text.bytes() {
        state = regex.accept(&state, b);
        if !regex.can_match(&state) {
            return false;
        }
    }
    regex.is_match(&state)
}

/// Merges overlapping or touching ranges (bigrams of one name overlap).
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The window of at most [`MAX_FRAGMENT_BYTES`] holding the most matches, on char boundaries.
fn window(text: &str, ranges: &[Range<usize>]) -> (usize, usize) {
    if text.len() <= MAX_FRAGMENT_BYTES {
        return (0, text.len());
    }
    let mut best = (0, 0usize);
    for (i, r) in ranges.iter().enumerate() {
        let count = ranges[i..]
            .iter()
            .take_while(|o| o.end <= r.start + MAX_FRAGMENT_BYTES)
            .count();
        if count > best.1 {
            best = (r.start, count);
        }
    }
    // Start a little before the first match, at a word boundary when there is one close by.
    let mut from = best.0.saturating_sub(MAX_FRAGMENT_BYTES / 4);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    if from > 0
        && let Some(space) = text[from..best.0].find(char::is_whitespace)
    {
        from += space + 1;
    }
    let mut to = (from + MAX_FRAGMENT_BYTES).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    if to < text.len()
        && let Some(space) = text[from..to].rfind(char::is_whitespace)
        && from + space > best.0
    {
        to = from + space;
    }
    (from, to)
}

/// Wildcard match: `*` any run, `?` one char, `\x` a literal `x`.
fn glob(pattern: &str, text: &str) -> bool {
    #[derive(Clone, Copy)]
    enum P {
        Any,
        One,
        Lit(char),
    }
    let mut p = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        p.push(match c {
            '\\' => P::Lit(chars.next().unwrap_or('\\')),
            '*' => P::Any,
            '?' => P::One,
            c => P::Lit(c),
        });
    }
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(P::Any) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(P::One) => {
                pi += 1;
                ti += 1;
            }
            Some(P::Lit(c)) if *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|x| matches!(x, P::Any))
}

/// Levenshtein distance in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(words: &[&str]) -> Vec<TokenMatch> {
        words
            .iter()
            .map(|w| TokenMatch::Exact(w.to_string()))
            .collect()
    }

    #[test]
    fn chinese_bigram_phrase_highlights_the_whole_name() {
        let bigrams = exact(&["奥施", "施康", "康定"]);
        let s = snippet("正品奥施康定40mg无需处方", &[bigrams]).unwrap();
        assert_eq!(s.highlighted.len(), 1);
        assert_eq!(&s.fragment[s.highlighted[0].clone()], "奥施康定");
    }

    #[test]
    fn html_is_escaped_and_marked() {
        let s = snippet("<b>Oxycodone</b> & more", &[exact(&["oxycodone"])]).unwrap();
        assert_eq!(
            s.to_html(),
            "&lt;b&gt;<mark>Oxycodone</mark>&lt;/b&gt; &amp; more"
        );
    }

    #[test]
    fn long_text_is_cut_around_the_matches() {
        let text = format!(
            "{} Xanax bars here {}",
            "filler ".repeat(100),
            "tail ".repeat(100)
        );
        let s = snippet(&text, &[exact(&["xanax"])]).unwrap();
        assert!(s.fragment.len() <= MAX_FRAGMENT_BYTES + 8);
        assert!(s.fragment.starts_with('…') && s.fragment.ends_with('…'));
        assert_eq!(&s.fragment[s.highlighted[0].clone()], "Xanax");
    }

    #[test]
    fn glob_and_fuzzy() {
        assert!(glob("oxy*", "oxycodone"));
        assert!(glob("0xyc?d?ne", "0xycodone"));
        assert!(!glob("oxy?", "oxycodone"));
        assert!(glob("a\\*b", "a*b"));
        assert_eq!(edit_distance("oxycodon", "oxycodone"), 1);
    }
}
