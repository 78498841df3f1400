//! Whether a text needs its de-obfuscated view at all: most listings do not, and skip it.

use std::ops::Range;

use super::Normalized;
use super::chars::{
    confusable, in_lookalike_ranges, is_alnum, is_alpha, is_middle_dot, next_non_ascii,
};

/// Byte classes of the gate: ASCII letters, the other "wordish" bytes (digits and leet
/// symbols), separators that may sit between spaced-out letters. Non-ASCII bytes are none.
const LETTER: u8 = 1;
const OTHER: u8 = 2;
const SEP: u8 = 4;
const WORDISH: u8 = LETTER | OTHER;

const fn gate_classes() -> [u8; 256] {
    let classes = super::byte_classes();
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match classes[i] {
            super::WORDISH if (i as u8).is_ascii_alphabetic() => LETTER,
            super::WORDISH => OTHER,
            super::SEPARATOR => SEP,
            _ => 0,
        };
        i += 1;
    }
    t
}

static GATE: [u8; 256] = gate_classes();

/// Whether the de-obfuscated view of a text can find a name its normal view cannot: it has
/// look-alike letters, spaced-out letters, digits or symbols inside words (other than a
/// number with a unit, "30mg", "2.5ml", "x60"), or a capital I inside a lower-case word
/// ("CiaIis"). Most listings have none, and skip the second view.
pub(crate) fn needs_deobfuscation(original: &str, normal: &Normalized) -> bool {
    if !normal.text.is_ascii() && has_lookalikes(&normal.text) {
        return true;
    }
    let text = normal.text.as_bytes();
    capital_i_in_word(original.as_bytes())
        || mixed_token(text)
        || (maybe_spaced_letters(text) && disguised_tokens(text))
}

// The checks below are written as folds of byte comparisons over whole slices, which the
// compiler turns into vector instructions: a few instructions per 16 bytes instead of a
// branchy loop per byte. They are checked against the plain loop by the property tests.

fn is_lower(b: u8) -> bool {
    b.wrapping_sub(b'a') < 26
}

/// A digit or a leet symbol (the "other" wordish bytes).
pub(super) fn is_other(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10) | (b == b'@') | (b == b'$') | (b == b'|') | (b == b'!')
}

fn is_sep(b: u8) -> bool {
    (b == b' ')
        | (b == b'.')
        | (b == b'-')
        | (b == b'_')
        | (b == b'*')
        | (b == b'/')
        | (b == b',')
        | (b == b'+')
        | (b == b'~')
        | (b == b':')
        | (b == b'\'')
}

/// A capital I with a lower-case ASCII letter next to it (not at the very start).
fn capital_i_in_word(o: &[u8]) -> bool {
    let n = o.len();
    if n < 2 {
        return false;
    }
    let inner = o[1..n - 1]
        .iter()
        .zip(&o[..n - 2])
        .zip(&o[2..])
        .fold(0u8, |acc, ((&c, &p), &x)| {
            acc | u8::from((c == b'I') & (is_lower(p) | is_lower(x)))
        });
    inner != 0 || (o[n - 1] == b'I' && is_lower(o[n - 2]))
}

/// A token with letters and digits or symbols that is not a quantity ("0xyc0d0ne", not
/// "30mg"). Only tokens holding a digit or symbol can be one: chunks without any are skipped.
fn mixed_token(t: &[u8]) -> bool {
    const CHUNK: usize = 32;
    let wordish = |i: usize| GATE[t[i] as usize] & WORDISH != 0;
    let mut done = 0;
    for (c, chunk) in t.chunks(CHUNK).enumerate() {
        if chunk.iter().fold(0u8, |a, &b| a | u8::from(is_other(b))) == 0 {
            continue;
        }
        for (k, &b) in chunk.iter().enumerate() {
            let p = c * CHUNK + k;
            if p < done || !is_other(b) {
                continue;
            }
            let mut start = p;
            while start > 0 && wordish(start - 1) {
                start -= 1;
            }
            let mut end = p + 1;
            while end < t.len() && wordish(end) {
                end += 1;
            }
            done = end;
            let mask = t[start..end].iter().fold(0u8, |m, &x| m | GATE[x as usize]);
            if mask & WORDISH == WORDISH && !is_quantity(&t[start..end]) {
                return true;
            }
        }
    }
    false
}

/// Whether the text may hold a run of spaced-out single characters: such a run has the same
/// separator at three places two bytes apart ("v.i.a.g"); most texts have none.
pub(super) fn maybe_spaced_letters(t: &[u8]) -> bool {
    let n = t.len();
    n >= 5
        && t[..n - 4]
            .iter()
            .zip(&t[2..n - 2])
            .zip(&t[4..])
            .fold(0u8, |acc, ((&a, &b), &c)| {
                acc | u8::from((a == b) & (b == c) & is_sep(a))
            })
            != 0
}

/// One pass over the tokens: letters mixed with digits or symbols (not a quantity), and runs
/// of single characters that the de-obfuscated view would join.
fn disguised_tokens(text: &[u8]) -> bool {
    let (mut run, mut run_letters, mut run_sep, mut last_end) = (0usize, 0usize, 0u8, usize::MAX);
    let mut i = 0;
    let n = text.len();
    while i < n {
        if GATE[text[i] as usize] & WORDISH == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut mask = 0u8;
        while i < n {
            let c = GATE[text[i] as usize];
            if c & WORDISH == 0 {
                break;
            }
            mask |= c;
            i += 1;
        }
        if mask == WORDISH && !is_quantity(&text[start..i]) {
            return true;
        }
        if i - start == 1 {
            let letters = usize::from(mask == LETTER);
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
            if GATE[run_sep as usize] != SEP {
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
pub(super) fn is_quantity(token: &[u8]) -> bool {
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

/// UTF-8 lead bytes of the blocks look-alike letters and middle dots come from (U+00B7–U+052F,
/// U+1xxx, U+2xxx, U+Axxx): text without any (ASCII, Chinese, Japanese, Korean) has neither.
const fn candidate_leads() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0xC2;
    while b <= 0xD4 {
        t[b] = true;
        b += 1;
    }
    t[0xE1] = true;
    t[0xE2] = true;
    t[0xEA] = true;
    t
}

static CANDIDATE_LEADS: [bool; 256] = candidate_leads();

pub(super) fn has_lookalikes(text: &str) -> bool {
    any_candidate(text)
        && (lookalike_words(text).next().is_some() || middle_dots(text).next().is_some())
}

/// Byte ranges of words written entirely in look-alike letters (with digits or ASCII letters
/// at most), at least three letters long: words that may be a disguised Latin name. A Russian
/// sentence has few of them, so its de-obfuscated view stays cheap and its words intact.
/// Words of ASCII alone never qualify, so the scan jumps from one non-ASCII byte to the next.
pub(super) fn lookalike_words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            pos = next_non_ascii(bytes, pos)?;
            let c = text[pos..].chars().next()?;
            if !is_alnum(c) {
                pos += c.len_utf8();
                continue;
            }
            let start = text[..pos]
                .char_indices()
                .rev()
                .take_while(|&(_, ch)| is_alnum(ch))
                .last()
                .map_or(pos, |(i, _)| i);
            let (mut letters, mut lookalike, mut all) = (0, 0, true);
            let mut end = start;
            for ch in text[start..].chars().take_while(|&ch| is_alnum(ch)) {
                end += ch.len_utf8();
                if ch.is_ascii() {
                    letters += usize::from(ch.is_ascii_alphabetic());
                } else {
                    letters += usize::from(is_alpha(ch));
                    if confusable(ch).is_some() {
                        lookalike += 1;
                    } else {
                        all = false;
                    }
                }
            }
            pos = end;
            if all && lookalike > 0 && letters >= 3 {
                return Some(start..end);
            }
        }
    })
}

/// Whether `text` holds a character from the look-alike blocks or a middle dot: blocks of 32
/// bytes without a candidate lead byte are passed over whole.
fn any_candidate(text: &str) -> bool {
    const CHUNK: usize = 32;
    let bytes = text.as_bytes();
    for (c, chunk) in bytes.chunks(CHUNK).enumerate() {
        // The lead bytes of `CANDIDATE_LEADS` by arithmetic, which vectorises (a table
        // lookup per byte does not).
        let leads = chunk.iter().fold(0u8, |a, &b| {
            a | u8::from(
                (b.wrapping_sub(0xC2) <= 0xD4 - 0xC2) | (b == 0xE1) | (b == 0xE2) | (b == 0xEA),
            )
        });
        if leads == 0 {
            continue;
        }
        for (k, &b) in chunk.iter().enumerate() {
            if !CANDIDATE_LEADS[b as usize] {
                continue;
            }
            // A lead byte starts a character.
            let at = c * CHUNK + k;
            if let Some(ch) = text.get(at..).and_then(|t| t.chars().next())
                && (in_lookalike_ranges(ch) || is_middle_dot(ch))
            {
                return true;
            }
        }
    }
    false
}

/// Byte offsets of the middle dots in `text` (all non-ASCII).
pub(super) fn middle_dots(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        loop {
            pos = next_non_ascii(bytes, pos)?;
            let c = text[pos..].chars().next()?;
            let at = pos;
            pos += c.len_utf8();
            if is_middle_dot(c) {
                return Some(at);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain loops the vectorised checks replace.
    fn capital_i_slow(o: &[u8]) -> bool {
        let lower = |i: usize| o.get(i).is_some_and(u8::is_ascii_lowercase);
        (1..o.len()).any(|i| o[i] == b'I' && (lower(i - 1) || lower(i + 1)))
    }

    #[test]
    fn byte_tests_match_the_tables() {
        for b in 0..=255u8 {
            let lead =
                (b.wrapping_sub(0xC2) <= 0xD4 - 0xC2) | (b == 0xE1) | (b == 0xE2) | (b == 0xEA);
            assert_eq!(lead, CANDIDATE_LEADS[b as usize], "{b:#x}");
            assert_eq!(is_other(b), GATE[b as usize] == OTHER, "{b:#x}");
            assert_eq!(is_sep(b), GATE[b as usize] == SEP, "{b:#x}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn vectorised_checks_equal_the_loops(s in "(?:[a-zA-Z0-9 .,@$|!:'_/-]|v\\.i\\.a\\.g|x y z w|\\.|I|Ia|aI|30mg|0x){0,40}") {
            let t = s.to_ascii_lowercase();
            proptest::prop_assert_eq!(capital_i_in_word(s.as_bytes()), capital_i_slow(s.as_bytes()));
            let fast = mixed_token(t.as_bytes())
                || (maybe_spaced_letters(t.as_bytes()) && disguised_tokens(t.as_bytes()));
            proptest::prop_assert_eq!(fast, disguised_tokens(t.as_bytes()), "{:?}", t);
        }
    }
}
