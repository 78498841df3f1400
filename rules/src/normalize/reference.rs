//! The first implementation of the two views (dense offset maps, per-character rebuilds),
//! kept as the oracle the fast implementation is compared with, byte for byte and offset for
//! offset, by the property tests in `super::tests`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// A normalised view of one original string and the map back to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text that rules match against.
    pub text: String,
    map: OffsetMap,
    original_len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum OffsetMap {
    /// Output byte `i` is original byte `i`.
    Identity,
    /// Output byte `i` is the single (ASCII) original byte at this index.
    Indices(Vec<u32>),
    /// For each output byte, the original byte range of the character it came from.
    Spans(Vec<(u32, u32)>),
}

impl Normalized {
    /// The normal view of `original` (see the module documentation).
    pub fn new(original: &str) -> Normalized {
        if original.is_ascii() {
            return Normalized {
                text: original.to_ascii_lowercase(),
                map: OffsetMap::Identity,
                original_len: original.len(),
            };
        }
        normal_view(original)
    }

    /// The de-obfuscated view of `original` (see the module documentation).
    pub fn deobfuscated(original: &str) -> Normalized {
        Normalized::views(original).1
    }

    /// Both views at once: the de-obfuscated view is derived from the normal one.
    pub fn views(original: &str) -> (Normalized, Normalized) {
        let normal = Normalized::new(original);
        let deep = deep_view(&normal);
        (normal, deep)
    }

    /// The de-obfuscated view derived from this normal view.
    pub(super) fn deobfuscated_view(&self) -> Normalized {
        deep_view(self)
    }

    /// Original byte range of output byte `i` (which must be `< text.len()`).
    fn span(&self, i: usize) -> (u32, u32) {
        match &self.map {
            OffsetMap::Identity => (i as u32, i as u32 + 1),
            OffsetMap::Indices(ix) => (ix[i], ix[i] + 1),
            OffsetMap::Spans(sp) => sp[i],
        }
    }

    /// Maps a byte range of [`Normalized::text`] to the byte range of the original text it
    /// came from. The result always lies on char boundaries of the original and within it;
    /// out-of-range input is clamped.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let start = range.start.min(len);
        let end = range.end.clamp(start, len);
        if start == end {
            let p = if start < len {
                self.span(start).0 as usize
            } else {
                self.original_len
            };
            return p..p;
        }
        let s = self.span(start).0 as usize;
        let e = self.span(end - 1).1 as usize;
        s..e.max(s)
    }
}

/// Accumulates output text with the original span of every output byte.
struct Builder {
    text: String,
    spans: Vec<(u32, u32)>,
    /// Byte length of the last pushed character.
    last_len: usize,
}

impl Builder {
    fn with_capacity(n: usize) -> Self {
        Builder {
            text: String::with_capacity(n),
            spans: Vec::with_capacity(n),
            last_len: 0,
        }
    }

    fn push(&mut self, c: char, span: (u32, u32)) {
        self.text.push(c);
        self.last_len = c.len_utf8();
        for _ in 0..self.last_len {
            self.spans.push(span);
        }
    }

    /// Lower-cased ASCII bytes starting at original offset `at`.
    fn push_ascii_run(&mut self, run: &str, at: u32) {
        let from = self.text.len();
        self.text.push_str(run);
        self.text[from..].make_ascii_lowercase();
        self.spans
            .extend((at..at + run.len() as u32).map(|i| (i, i + 1)));
        self.last_len = 1;
    }

    /// The last character pushed.
    fn last(&self) -> Option<char> {
        self.text.chars().next_back()
    }

    /// A dropped character widens the span of the one before it, so a highlight over the
    /// neighbours covers it too.
    fn extend_last(&mut self, end: u32) {
        let n = self.spans.len();
        for s in &mut self.spans[n - self.last_len.min(n)..] {
            s.1 = s.1.max(end);
        }
    }

    fn last_is_latin(&self) -> bool {
        self.text
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii() || is_latin_letter(c))
    }

    fn finish(self, original_len: usize) -> Normalized {
        Normalized {
            text: self.text,
            map: OffsetMap::Spans(self.spans),
            original_len,
        }
    }
}

fn normal_view(original: &str) -> Normalized {
    let mut b = Builder::with_capacity(original.len());
    let mut lookalikes = false;
    let bytes = original.as_bytes();
    let mut chars = original.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        let span = (pos as u32, (pos + c.len_utf8()) as u32);
        if c.is_ascii() {
            // A run of ASCII in one go: the common case even in non-ASCII text.
            let mut end = pos + 1;
            while end < bytes.len() && bytes[end].is_ascii() {
                end += 1;
            }
            // A letter touching a non-ASCII letter may be a mixed-script word.
            lookalikes |= bytes[pos].is_ascii_alphabetic()
                && b.last().is_some_and(|l| !l.is_ascii() && l.is_alphabetic());
            b.push_ascii_run(&original[pos..end], pos as u32);
            while chars.peek().is_some_and(|&(p, _)| p < end) {
                chars.next();
            }
        } else if is_invisible(c) {
            b.extend_last(span.1);
        } else if is_cjk(c) {
            b.push(c, span);
        } else if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
            lookalikes |= push_lowered(&mut b, c, span);
        } else {
            for d in std::iter::once(c).nfkc() {
                lookalikes |= push_lowered(&mut b, d, span);
            }
        }
    }
    let n = b.finish(original.len());
    if lookalikes {
        map_mixed_script_words(&n)
    } else {
        n
    }
}

/// Lower case, accent stripping and invisible/combining removal of one character; true when
/// it is a look-alike of an ASCII letter.
fn push_lowered(b: &mut Builder, d: char, span: (u32, u32)) -> bool {
    let mut lookalike = false;
    for l in d.to_lowercase() {
        if is_invisible(l) || (is_combining_mark(l) && b.last_is_latin()) {
            b.extend_last(span.1);
            continue;
        }
        let c = strip_latin_accent(l);
        lookalike |= b.last().is_some_and(|p| p.is_ascii_alphabetic()) && confusable(c).is_some();
        b.push(c, span);
    }
    lookalike
}

/// Replaces look-alike letters inside words that mix them with ASCII letters ("Viаgra" with a
/// Cyrillic `а`), leaving words written wholly in another script alone.
fn map_mixed_script_words(n: &Normalized) -> Normalized {
    let chars: Vec<(usize, char)> = n.text.char_indices().collect();
    let mut mapped: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].1.is_alphanumeric() {
            i += 1;
        }
        let word = &chars[start..i];
        let has_ascii = word.iter().any(|(_, c)| c.is_ascii_alphabetic());
        if has_ascii {
            for k in start..i {
                if let Some(m) = confusable(chars[k].1) {
                    mapped[k] = m;
                }
            }
        }
    }
    let mut b = Builder::with_capacity(n.text.len());
    for (&(at, _), &c) in chars.iter().zip(&mapped) {
        b.push(c, n.span(at));
    }
    b.finish(n.original_len)
}

/// Whether the de-obfuscated view of a text can find a name its normal view cannot: it has
/// look-alike letters, spaced-out letters, digits or symbols inside words (other than a
/// number with a unit, "30mg", "2.5ml", "x60"), or a capital I inside a lower-case word
/// ("CiaIis"). Most listings have none, and skip the second view.
pub(super) fn needs_deobfuscation(original: &str, normal: &Normalized) -> bool {
    let text = normal.text.as_bytes();
    if !normal.text.is_ascii() && has_lookalikes(&normal.text) {
        return true;
    }
    let o = original.as_bytes();
    let lower = |i: usize| o.get(i).is_some_and(u8::is_ascii_lowercase);
    let mut from = 0;
    while let Some(k) = o[from..].iter().position(|&b| b == b'I') {
        let i = from + k;
        if i > 0 && (lower(i - 1) || lower(i + 1)) {
            return true;
        }
        from = i + 1;
    }
    // One pass over the tokens: disguised words, and runs of single characters that
    // `spaced_letter_drops` would join.
    let class = |b: u8| CLASSES[b as usize];
    let (mut run, mut run_letters, mut run_sep, mut last_end) = (0usize, 0usize, 0u8, usize::MAX);
    let mut i = 0;
    while i < text.len() {
        if class(text[i]) != WORDISH {
            i += 1;
            continue;
        }
        let start = i;
        let (mut letters, mut others) = (0usize, 0usize);
        while i < text.len() && class(text[i]) == WORDISH {
            if text[i].is_ascii_alphabetic() {
                letters += 1;
            } else {
                others += 1;
            }
            i += 1;
        }
        if letters > 0 && others > 0 && !is_quantity(&text[start..i]) {
            return true;
        }
        if i - start == 1 {
            let sep = if start > 0 { text[start - 1] } else { 0 };
            let continues = run > 0 && last_end + 1 == start && sep == run_sep;
            if continues {
                run += 1;
                run_letters += letters;
            } else {
                run = 1;
                run_letters = letters;
                run_sep = text.get(i).copied().unwrap_or(0);
            }
            if class(run_sep) != SEPARATOR {
                run = 0;
            }
            if run >= 4 && run_letters >= 3 {
                return true;
            }
        } else {
            run = 0;
        }
        last_end = i;
    }
    false
}

/// "30mg", "2.5ml" (split at the dot: "5ml"), "100iu", "x60", "60x", "3rd": a number with a
/// unit or ordinal, not a disguised word.
fn is_quantity(token: &[u8]) -> bool {
    const UNITS: &[&[u8]] = &[
        b"mg", b"mcg", b"ug", b"g", b"kg", b"ml", b"l", b"iu", b"ui", b"x", b"pcs", b"pc",
        b"pills", b"tabs", b"caps", b"gb", b"tb", b"mb", b"mm", b"cm", b"m", b"km", b"st", b"nd",
        b"rd", b"th", b"h", b"min", b"k", b"w", b"v", b"mah", b"hz", b"s", b"d", b"y",
    ];
    let digits = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && digits < token.len() {
        return UNITS.contains(&&token[digits..]);
    }
    let letters = token.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    letters > 0
        && letters < token.len()
        && token[letters..].iter().all(u8::is_ascii_digit)
        && UNITS.contains(&&token[..letters])
}

fn has_lookalikes(text: &str) -> bool {
    let any_candidate = text
        .chars()
        .any(|c| !c.is_ascii() && (in_lookalike_ranges(c) || is_middle_dot(c)));
    any_candidate && (lookalike_words(text).next().is_some() || text.chars().any(is_middle_dot))
}

fn is_middle_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '∙' | '‧')
}

/// Byte ranges of words written entirely in look-alike letters (with digits or ASCII letters
/// at most), at least three letters long: words that may be a disguised Latin name. A Russian
/// sentence has few of them, so its de-obfuscated view stays cheap and its words intact.
fn lookalike_words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            let (start, c) = chars.next()?;
            if !c.is_alphanumeric() {
                continue;
            }
            let (mut end, mut letters, mut lookalike, mut all) = (start, 0, 0, true);
            let mut cur = Some((start, c));
            while let Some((at, ch)) = cur {
                end = at + ch.len_utf8();
                if ch.is_alphabetic() {
                    letters += 1;
                }
                if !ch.is_ascii() {
                    if confusable(ch).is_some() {
                        lookalike += 1;
                    } else {
                        all = false;
                    }
                }
                cur = chars.next_if(|(_, n)| n.is_alphanumeric());
            }
            if all && lookalike > 0 && letters >= 3 {
                return Some(start..end);
            }
        }
    })
}

/// The de-obfuscated view, derived from the normal view: every look-alike letter to ASCII,
/// then (on ASCII bytes only, so byte-level and fast) spaced letters joined, leetspeak
/// inside words with a letter, and `l` folded onto `i`.
fn deep_view(normal: &Normalized) -> Normalized {
    let remapped = remap_lookalikes(normal);
    let base = remapped.as_ref().unwrap_or(normal);
    let bytes = base.text.as_bytes();
    let drops = spaced_letter_drops(bytes);
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut kept: Vec<usize> = Vec::new();
    match &drops {
        None => out.extend_from_slice(bytes),
        Some(drop) => {
            for (i, (&b, &d)) in bytes.iter().zip(drop).enumerate() {
                if !d {
                    out.push(b);
                    kept.push(i);
                }
            }
        }
    }
    leetspeak_bytes(&mut out);
    for b in out.iter_mut() {
        if *b == b'l' {
            *b = b'i';
        }
    }
    let map = match (&base.map, drops.is_some()) {
        (OffsetMap::Identity, false) => OffsetMap::Identity,
        (OffsetMap::Identity, true) => OffsetMap::Indices(kept.iter().map(|&i| i as u32).collect()),
        (OffsetMap::Spans(sp), false) => match remapped {
            Some(Normalized {
                map: OffsetMap::Spans(owned),
                ..
            }) => OffsetMap::Spans(owned),
            _ => OffsetMap::Spans(sp.clone()),
        },
        (_, false) => OffsetMap::Spans((0..bytes.len()).map(|i| base.span(i)).collect()),
        (_, true) => OffsetMap::Spans(kept.iter().map(|&i| base.span(i)).collect()),
    };
    // Only ASCII bytes were changed (to ASCII) or dropped: the text stays UTF-8.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Normalized {
        text,
        map,
        original_len: normal.original_len,
    }
}

/// The normal view with every look-alike letter (and middle dots) mapped to ASCII, or `None`
/// when there is none.
fn remap_lookalikes(n: &Normalized) -> Option<Normalized> {
    if n.text.is_ascii() {
        return None;
    }
    let words: Vec<Range<usize>> = lookalike_words(&n.text).collect();
    if words.is_empty() && !n.text.chars().any(is_middle_dot) {
        return None;
    }
    let mut b = Builder::with_capacity(n.text.len());
    let mut next = words.iter().peekable();
    for (at, c) in n.text.char_indices() {
        while next.peek().is_some_and(|w| w.end <= at) {
            next.next();
        }
        let in_word = next.peek().is_some_and(|w| w.contains(&at));
        let mapped = if is_middle_dot(c) {
            '.'
        } else if in_word {
            confusable(c).unwrap_or(c)
        } else {
            c
        };
        b.push(mapped, n.span(at));
    }
    Some(b.finish(n.original_len))
}

/// Digits and symbols for letters, inside ASCII tokens that contain at least one letter.
fn leetspeak_bytes(out: &mut [u8]) {
    let wordish = |b: u8| CLASSES[b as usize] == WORDISH;
    let mut i = 0;
    while i < out.len() {
        if !wordish(out[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < out.len() && wordish(out[i]) {
            i += 1;
        }
        if out[start..i].iter().all(u8::is_ascii_alphabetic) {
            continue;
        }
        if !out[start..i].iter().any(u8::is_ascii_alphabetic) {
            continue;
        }
        for k in start..i {
            let next = k + 1 < i && out[k + 1].is_ascii_alphanumeric();
            let prev = k > start && out[k - 1].is_ascii_alphanumeric();
            if let Some(m) = leet_char(out[k] as char, prev, next) {
                out[k] = m as u8;
            }
        }
    }
}

/// Lower case and Latin accents stripped, whitespace collapsed: what a name "looks like" when
/// printed plainly. A lexicon hit whose original text does not fold to the lexicon name was
/// only found through de-obfuscation.
fn plain_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        for l in c.to_lowercase() {
            if !is_combining_mark(l) {
                out.push(strip_latin_accent(l));
            }
        }
    }
    out
}

/// Whether `printed` folds (as [`plain_fold`] does) to exactly `plain`, without allocating.
fn folds_to(printed: &str, plain: &str) -> bool {
    if printed.is_ascii() {
        return printed.len() == plain.len()
            && printed.bytes().zip(plain.bytes()).all(|(a, b)| {
                a.to_ascii_lowercase() == b || (a.is_ascii_whitespace() && b == b' ')
            });
    }
    plain_fold(printed) == plain
}

fn is_latin_letter(c: char) -> bool {
    matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF)
}

/// The base letter of an accented Latin letter; other characters unchanged.
fn strip_latin_accent(c: char) -> char {
    if c.is_ascii() || !is_latin_letter(c) {
        return c;
    }
    match c {
        'ø' => return 'o',
        'ł' => return 'l',
        'đ' => return 'd',
        'ı' => return 'i',
        _ => {}
    }
    let mut first = None;
    decompose_canonical(c, |d| {
        if first.is_none() {
            first = Some(d);
        }
    });
    match first {
        Some(b) if b.is_ascii() => b,
        _ => c,
    }
}

/// Characters that print as nothing: zero-width, bidi controls, soft hyphen, variation
/// selectors, tags. Obfuscators put them inside names to break naive matching.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xE0000..=0xE0FFF)
}

/// Han, kana, Hangul and CJK punctuation: never rewritten.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3001..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Non-ASCII letters whose UTS #39 skeleton is a single ASCII letter or digit, computed once
/// from the confusables data of `unicode-security` over the scripts obfuscators borrow from.
pub(super) fn confusable(c: char) -> Option<char> {
    if !in_lookalike_ranges(c) {
        return None;
    }
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let ranges = [
            0x00C0..0x0530u32,
            0x13A0..0x1400,
            0x1D00..0x1DC0,
            0x1E00..0x2000,
            0x2100..0x2150,
            0xA640..0xA6A0,
            0xA720..0xA800,
            0xAB30..0xAB70,
        ];
        let mut map = HashMap::new();
        for r in ranges {
            for cp in r {
                let Some(ch) = char::from_u32(cp) else {
                    continue;
                };
                if !ch.is_alphabetic() {
                    continue;
                }
                let mut buf = [0u8; 4];
                let skel: String = unicode_security::skeleton(ch.encode_utf8(&mut buf)).collect();
                let mut it = skel.chars();
                if let (Some(s), None) = (it.next(), it.next())
                    && s.is_ascii_alphanumeric()
                {
                    let ascii = s.to_ascii_lowercase();
                    map.insert(ch, ascii);
                    // Text is lower-cased before mapping: an upper-case look-alike (Cyrillic
                    // `Т` for `T`) must still map once lower-cased (`т`).
                    for lower in ch.to_lowercase() {
                        map.entry(lower).or_insert(ascii);
                    }
                }
            }
        }
        map
    });
    table.get(&c).copied()
}

/// The blocks [`confusable`]'s table covers (checked before any hashing).
fn in_lookalike_ranges(c: char) -> bool {
    matches!(c as u32,
        0x00C0..=0x052F | 0x13A0..=0x13FF | 0x1D00..=0x1DBF | 0x1E00..=0x1FFF | 0x2100..=0x214F
        | 0xA640..=0xA69F | 0xA720..=0xA7FF | 0xAB30..=0xAB6F)
}

/// Byte classes for the de-obfuscation passes: letters, digits and leet symbols are
/// "wordish"; separators may sit between spaced-out letters. Non-ASCII bytes are neither.
const WORDISH: u8 = 1;
const SEPARATOR: u8 = 2;

const fn byte_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() || matches!(b, b'@' | b'$' | b'|' | b'!') {
            t[i] = WORDISH;
        } else if matches!(
            b,
            b' ' | b'.' | b'-' | b'_' | b'*' | b'/' | b',' | b'+' | b'~' | b':' | b'\''
        ) {
            t[i] = SEPARATOR;
        }
        i += 1;
    }
    t
}

static CLASSES: [u8; 256] = byte_classes();

/// "v.i.a.g.r.a", "o x y c o d o n e": at least four single wordish bytes separated by
/// single separators, three or more of them letters, are joined: returns which separator
/// bytes to drop, or `None` when there is nothing to join.
fn spaced_letter_drops(bytes: &[u8]) -> Option<Vec<bool>> {
    let class = |i: usize| CLASSES[bytes[i] as usize];
    let len = bytes.len();
    let isolated = |i: usize| {
        class(i) == WORDISH
            && (i == 0 || class(i - 1) != WORDISH)
            && (i + 1 >= len || class(i + 1) != WORDISH)
    };
    let mut drop: Option<Vec<bool>> = None;
    let mut i = 0;
    while i + 6 < len {
        // Cheap filter first: a run starts with "x<sep>y".
        if class(i + 1) != SEPARATOR || !isolated(i) || !isolated(i + 2) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut count = 1;
        let mut letters = usize::from(bytes[i].is_ascii_alphabetic());
        // One separator throughout: "a.l.p.r.a.z.o.l.a.m 0.5mg" must not swallow the "0",
        // and a number is no letter: "Z O P I C L O N E 7.5mg" must not swallow the "7".
        let sep = bytes[i + 1];
        let number = |k: usize| {
            bytes[k].is_ascii_digit()
                && k + 2 < len
                && matches!(bytes[k + 1], b'.' | b',')
                && bytes[k + 2].is_ascii_digit()
        };
        while j + 2 < len && bytes[j + 1] == sep && isolated(j + 2) && !number(j + 2) {
            j += 2;
            count += 1;
            letters += usize::from(bytes[j].is_ascii_alphabetic());
        }
        if count >= 4 && letters >= 3 {
            let d = drop.get_or_insert_with(|| vec![false; len]);
            let mut k = i + 1;
            while k < j {
                d[k] = true;
                k += 2;
            }
        }
        i = j + 1;
    }
    drop
}

/// The letter a leetspeak character stands for, given whether letters or digits touch it.
fn leet_char(c: char, prev_alnum: bool, next_alnum: bool) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        '@' if next_alnum || prev_alnum => 'a',
        '$' if next_alnum || prev_alnum => 's',
        '|' if next_alnum || prev_alnum => 'i',
        '!' if next_alnum && prev_alnum => 'i',
        _ => return None,
    })
}
