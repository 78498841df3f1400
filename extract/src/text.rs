//! Small text helpers shared by the extractors: whitespace collapsing and char-safe caps.

/// Longest title kept, in bytes (hostile pages put megabytes in an `<h1>`).
pub const MAX_TITLE_BYTES: usize = 1024;
/// Longest description kept, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
/// Longest seller name, contact value or other short field kept, in bytes.
pub const MAX_SHORT_BYTES: usize = 1024;

/// Cuts `s` to at most `max_bytes` bytes without splitting a char.
pub fn truncate_at_char(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Whether `haystack` with ASCII letters lower-cased contains `needle` (itself lower-case):
/// `haystack.to_ascii_lowercase().contains(needle)` without the allocation.
pub(crate) fn contains_ascii_case_insensitive(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Collapses runs of whitespace (including NBSP and other Unicode spaces) into one space
/// and trims, stopping once `max_bytes` of output are written.
pub fn collapse_whitespace(s: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_bytes));
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let extra = c.len_utf8() + usize::from(pending_space);
        if out.len() + extra > max_bytes {
            break;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Joins text pieces with single spaces, collapsing whitespace, capped at `max_bytes`.
pub fn join_collapsed<'a>(pieces: impl IntoIterator<Item = &'a str>, max_bytes: usize) -> String {
    let mut out = String::new();
    for piece in pieces {
        if out.len() >= max_bytes {
            break;
        }
        let room = max_bytes - out.len();
        let part = collapse_whitespace(piece, room);
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            if out.len() + 1 + part.len() > max_bytes {
                break;
            }
            out.push(' ');
        }
        out.push_str(&part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_at_char("西地那非", 4), "西");
        assert_eq!(truncate_at_char("abc", 10), "abc");
        assert_eq!(truncate_at_char("é", 1), "");
    }

    #[test]
    fn ascii_case_insensitive_contains_matches_lowercasing_first() {
        let haystacks = [
            "product-PRICE",
            "Preis",
            "ЦЕНА цена",
            "price-old",
            "",
            "pri",
            "İPRICE",
            "ＰＲＩＣＥ",
            "BestSeller",
        ];
        let needles = ["price", "preis", "цена", "old", "bestseller", "", "ice"];
        for h in haystacks {
            for n in needles {
                assert_eq!(
                    contains_ascii_case_insensitive(h, n),
                    h.to_ascii_lowercase().contains(n),
                    "{h:?} {n:?}"
                );
            }
        }
    }

    #[test]
    fn whitespace_is_collapsed_and_capped() {
        assert_eq!(collapse_whitespace("  a \n\t b\u{a0}c  ", 100), "a b c");
        assert_eq!(collapse_whitespace("ab cd", 4), "ab c");
        assert_eq!(collapse_whitespace("片片片", 7), "片片");
        assert_eq!(join_collapsed([" a ", "", "b  c"], 100), "a b c");
    }
}
