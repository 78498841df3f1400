//! The map from a normalised view back to the original text, stored sparsely.
//!
//! Every output character has the byte range of the original character it came from (its
//! *span*). Most characters are copied with their length unchanged (ASCII, Chinese, lower-case
//! Cyrillic), so the map records only where that stops being true: a list of pieces, each
//! either a *shift* (output byte `j` is original byte `j + delta`, one character per span) or
//! a *span* (every byte of one output character maps to one original range). ASCII text has
//! no pieces at all. Lookups are a binary search, done only for the few matches per listing.

use std::ops::Range;

/// One piece of the map, starting at output byte `out` and running to the next piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    out: u32,
    orig: u32,
    /// `SHIFT` for a shift piece; the original end of the span otherwise.
    orig_end: u32,
}

const SHIFT: u32 = u32::MAX;

impl Piece {
    fn is_shift(&self) -> bool {
        self.orig_end == SHIFT
    }
}

/// Output offsets to original spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct OffsetMap {
    /// Empty: the identity.
    pieces: Vec<Piece>,
}

impl OffsetMap {
    /// Original span of output byte `i` (one byte for shifted characters).
    pub fn span(&self, i: usize) -> (u32, u32) {
        let i = i as u32;
        let k = self.pieces.partition_point(|p| p.out <= i);
        match k.checked_sub(1).map(|k| self.pieces[k]) {
            None => (i, i + 1),
            Some(p) if p.is_shift() => {
                let o = p.orig + (i - p.out);
                (o, o + 1)
            }
            Some(p) => (p.orig, p.orig_end),
        }
    }

    /// Original span of the `len`-byte output character at `at`.
    pub fn char_span(&self, at: usize, len: usize) -> (u32, u32) {
        (self.span(at).0, self.span(at + len - 1).1)
    }
}

/// Accumulates output text with the original span of every output character.
pub(super) struct Builder {
    pub text: String,
    map: OffsetMap,
    /// Byte length of the last pushed character.
    last_len: usize,
}

impl Builder {
    pub fn with_capacity(n: usize) -> Self {
        Builder {
            text: String::with_capacity(n),
            map: OffsetMap::default(),
            last_len: 0,
        }
    }

    /// Records that the `len` bytes just appended at `out` come from `span`.
    fn record(&mut self, out: usize, len: usize, span: (u32, u32)) {
        let out = out as u32;
        if span.1 - span.0 != len as u32 {
            self.map.pieces.push(Piece {
                out,
                orig: span.0,
                orig_end: span.1,
            });
            return;
        }
        let continues = match self.map.pieces.last() {
            None => out == span.0,
            Some(p) => p.is_shift() && p.orig + (out - p.out) == span.0,
        };
        if !continues {
            self.map.pieces.push(Piece {
                out,
                orig: span.0,
                orig_end: SHIFT,
            });
        }
    }

    /// One output character from the original range `span`.
    pub fn push(&mut self, c: char, span: (u32, u32)) {
        let out = self.text.len();
        self.text.push(c);
        self.last_len = c.len_utf8();
        self.record(out, self.last_len, span);
    }

    /// Characters copied unchanged from original offset `at`; `last_len` is the length of
    /// the last of them.
    pub fn push_verbatim(&mut self, run: &str, at: u32, last_len: usize) {
        let out = self.text.len();
        self.text.push_str(run);
        self.record(out, run.len(), (at, at + run.len() as u32));
        self.last_len = last_len;
    }

    /// `view[range]` with the spans `map` gives its characters (`range` on char boundaries).
    pub fn push_mapped(&mut self, view: &str, map: &OffsetMap, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        let out = self.text.len();
        self.text.push_str(&view[range.clone()]);
        let (a, b) = (range.start as u32, range.end as u32);
        let first = map.pieces.partition_point(|p| p.out <= a);
        if first == 0 {
            // Identity up to the first piece.
            let until = map.pieces.first().map_or(b, |p| p.out.min(b));
            self.record(out, (until - a) as usize, (a, until));
        }
        for (k, p) in map.pieces.iter().enumerate().skip(first.saturating_sub(1)) {
            let end = map.pieces.get(k + 1).map_or(u32::MAX, |n| n.out);
            let (x, y) = (p.out.max(a), end.min(b));
            if x >= y {
                if p.out >= b {
                    break;
                }
                continue;
            }
            let at = out + (x - a) as usize;
            if p.is_shift() {
                let o = p.orig + (x - p.out);
                self.record(at, (y - x) as usize, (o, o + (y - x)));
            } else {
                self.record(at, (y - x) as usize, (p.orig, p.orig_end));
            }
        }
        let last = view[..range.end]
            .chars()
            .next_back()
            .map_or(0, char::len_utf8);
        self.last_len = last;
    }

    /// Lower-cased ASCII bytes starting at original offset `at`.
    pub fn push_ascii_run(&mut self, run: &str, at: u32) {
        let from = self.text.len();
        self.text.push_str(run);
        self.text[from..].make_ascii_lowercase();
        self.record(from, run.len(), (at, at + run.len() as u32));
        // Each byte is its own character: a later extension widens only the last one.
        self.last_len = 1;
    }

    /// The last character pushed.
    pub fn last(&self) -> Option<char> {
        self.text.chars().next_back()
    }

    /// A dropped character widens the span of the one before it, so a highlight over the
    /// neighbours covers it too.
    pub fn extend_last(&mut self, end: u32) {
        let n = self.text.len();
        if n == 0 {
            return;
        }
        let at = n - self.last_len.min(n);
        let (s, e) = self.map.char_span(at, n - at);
        if e >= end {
            return;
        }
        let widened = Piece {
            out: at as u32,
            orig: s,
            orig_end: end,
        };
        match self.map.pieces.last_mut() {
            Some(p) if p.out == at as u32 => *p = widened,
            _ => self.map.pieces.push(widened),
        }
    }

    pub fn last_is_latin(&self) -> bool {
        self.last()
            .is_some_and(|c| c.is_ascii() || super::chars::is_latin_letter(c))
    }

    pub fn finish(self) -> (String, OffsetMap) {
        (self.text, self.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_runs_need_no_pieces() {
        let mut b = Builder::with_capacity(8);
        b.push_ascii_run("Abc", 0);
        b.push_ascii_run("De", 3);
        let (text, map) = b.finish();
        assert_eq!(text, "abcde");
        assert!(map.pieces.is_empty());
        assert_eq!(map.span(4), (4, 5));
    }

    #[test]
    fn copied_segments_keep_their_spans() {
        let mut b = Builder::with_capacity(8);
        b.push('v', (0, 3));
        b.push_ascii_run("iagra", 3);
        b.push('x', (8, 10));
        let (text, map) = b.finish();
        for (from, to) in [(0, 7), (1, 4), (0, 1), (5, 7), (2, 6)] {
            let mut c = Builder::with_capacity(8);
            c.push_ascii_run("zz", 20);
            c.push_mapped(&text, &map, from..to);
            let (t2, m2) = c.finish();
            assert_eq!(&t2[2..], &text[from..to]);
            for i in from..to {
                assert_eq!(m2.span(i - from + 2), map.span(i), "{from}..{to} at {i}");
            }
        }
    }

    #[test]
    fn changed_lengths_and_widened_characters_get_pieces() {
        // "ＶＩ" (3 bytes each) then "a" after a dropped zero-width joiner (3 bytes).
        let mut b = Builder::with_capacity(8);
        b.push('v', (0, 3));
        b.push('i', (3, 6));
        b.push_ascii_run("a", 6);
        b.extend_last(10);
        let (text, map) = b.finish();
        assert_eq!(text, "via");
        assert_eq!(map.span(0), (0, 3));
        assert_eq!(map.span(1), (3, 6));
        assert_eq!(map.span(2), (6, 10));
    }
}
