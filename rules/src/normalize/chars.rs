//! Character classes of the normalisation: invisible, CJK, Latin, look-alike letters.

use std::sync::OnceLock;

use unicode_normalization::char::decompose_canonical;

/// Offset of the first non-ASCII byte of `bytes` at or after `from`: whole 16-byte blocks are
/// tested at once (`<[u8]>::is_ascii` works a word at a time), so ASCII text is crossed in a
/// fraction of an instruction per byte.
pub(crate) fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(block) = bytes.get(i..i + 16) {
        if !block.is_ascii() {
            break;
        }
        i += 16;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|b| !b.is_ascii())
        .map(|k| i + k)
}

pub(crate) fn is_latin_letter(c: char) -> bool {
    matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF)
}

/// `char::is_alphanumeric` with the scripts listings are mostly written in answered without
/// the Unicode table search.
pub(super) fn is_alnum(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        // Cyrillic letters А–я, Ѐ–џ, Ѡ–ҁ.
        0x400..=0x481 => true,
        // CJK Unified Ideographs assigned since Unicode 10.
        0x4E00..=0x9FEA => true,
        _ => c.is_alphanumeric(),
    }
}

/// `char::is_alphabetic`, with Cyrillic and CJK answered without the table search.
pub(super) fn is_alpha(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0x400..=0x481 | 0x4E00..=0x9FEA => true,
        _ => c.is_alphabetic(),
    }
}

/// The base letter of an accented Latin letter; other characters unchanged.
pub(super) fn strip_latin_accent(c: char) -> char {
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
pub(super) fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xE0000..=0xE0FFF)
}

/// Han, kana, Hangul and CJK punctuation: never rewritten.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2E80..=0x2FDF | 0x3001..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

pub(super) fn is_middle_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '∙' | '‧')
}

/// The blocks obfuscators borrow look-alike letters from, each with its offset in the flat
/// table of [`confusable`].
const LOOKALIKE_BLOCKS: [(u32, u32); 8] = [
    (0x00C0, 0x0530),
    (0x13A0, 0x1400),
    (0x1D00, 0x1DC0),
    (0x1E00, 0x2000),
    (0x2100, 0x2150),
    (0xA640, 0xA6A0),
    (0xA720, 0xA800),
    (0xAB30, 0xAB70),
];

/// Index of `c` in the flat table, when it lies in one of the blocks.
fn lookalike_index(c: char) -> Option<usize> {
    let cp = c as u32;
    // Most text is ASCII, CJK or between the Latin and the Cherokee blocks: answered at once.
    if !(0xC0..0xAB70).contains(&cp) || (0x2150..0xA640).contains(&cp) {
        return None;
    }
    let mut base = 0usize;
    for (start, end) in LOOKALIKE_BLOCKS {
        if cp < start {
            return None;
        }
        if cp < end {
            return Some(base + (cp - start) as usize);
        }
        base += (end - start) as usize;
    }
    None
}

/// Whether `c` lies in a block [`confusable`] covers (checked before any lookup).
pub(super) fn in_lookalike_ranges(c: char) -> bool {
    lookalike_index(c).is_some()
}

/// Non-ASCII letters whose UTS #39 skeleton is a single ASCII letter or digit, computed once
/// from the confusables data of `unicode-security` over the scripts obfuscators borrow from,
/// and kept as one byte per code point of those blocks (0: none).
pub(super) fn confusable(c: char) -> Option<char> {
    let i = lookalike_index(c)?;
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    let table = TABLE.get_or_init(build_table);
    match table[i] {
        0 => None,
        b => Some(b as char),
    }
}

fn build_table() -> Vec<u8> {
    let size: u32 = LOOKALIKE_BLOCKS.iter().map(|(s, e)| e - s).sum();
    let mut table = vec![0u8; size as usize];
    let mut set = |ch: char, ascii: u8, overwrite: bool| {
        if let Some(i) = lookalike_index(ch)
            && (overwrite || table[i] == 0)
        {
            table[i] = ascii;
        }
    };
    for (start, end) in LOOKALIKE_BLOCKS {
        for cp in start..end {
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
                let ascii = s.to_ascii_lowercase() as u8;
                set(ch, ascii, true);
                // Text is lower-cased before mapping: an upper-case look-alike (Cyrillic
                // `Т` for `T`) must still map once lower-cased (`т`).
                for lower in ch.to_lowercase() {
                    set(lower, ascii, false);
                }
            }
        }
    }
    table
}
