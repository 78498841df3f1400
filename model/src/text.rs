//! Scraped text made safe to show. A shop writes the titles, descriptions and contacts that
//! investigators read, so it can write characters that change how the text *looks*: bidi
//! controls that show "gpj.exe" as "exe.jpg" or reverse a price, and cells that a
//! spreadsheet runs as formulas. Every place that shows scraped text (terminal, web page,
//! CSV) uses these functions, so a new trick is fixed once.

/// `n` and the noun (or noun and verb) in the number it needs: "1 file", "2 files",
/// "0 files"; "1 listing offers", "3 listings offer".
pub fn count<N: std::fmt::Display + TryInto<u64> + Copy>(n: N, one: &str, many: &str) -> String {
    let singular = n.try_into().is_ok_and(|n: u64| n == 1);
    format!("{n} {}", if singular { one } else { many })
}

/// Whether `c` is a bidirectional formatting character: the embeddings and overrides
/// (U+202A–U+202E), the isolates (U+2066–U+2069), and the implicit marks (U+200E LRM,
/// U+200F RLM, U+061C ALM).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// `text` without bidi controls (see [`is_bidi_control`]): shown as the characters are
/// stored, in their logical order.
pub fn strip_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_bidi_control) {
        text.chars().filter(|c| !is_bidi_control(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether `c` shows nothing by itself: zero-width spaces and joiners, the word joiner, the
/// byte order mark, soft hyphen, bidi controls. Skipped when looking for the first visible
/// character of a cell.
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
        )
}

/// Whether a spreadsheet may read a cell starting like `text` as a formula (OWASP's CSV
/// injection list: `=`, `+`, `-`, `@`, tab, carriage return), looking past leading
/// whitespace and invisible characters, and counting the full-width forms `＝＋－＠`, which
/// some spreadsheets fold to ASCII.
pub fn starts_like_formula(text: &str) -> bool {
    // Tab and carriage return count as the start of a formula; other spaces are skipped.
    let skipped = |c: char| is_invisible(c) || (c.is_whitespace() && c != '\t' && c != '\r');
    let first = text.chars().find(|c| !skipped(*c));
    matches!(
        first,
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
    )
}

/// `text` on one terminal line: whitespace (newlines included) as spaces, control characters
/// (terminal escapes) and bidi controls removed.
pub fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect()
}

/// `text` as a CSV cell a spreadsheet never evaluates: prefixed with `'` when it starts like a
/// formula (see [`starts_like_formula`]).
pub fn csv_safe(text: &str) -> String {
    if starts_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_start_like_formulas_are_neutralised() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("Oxycodone"), "Oxycodone");
        assert_eq!(csv_safe("\u{200B}=1+1"), "'\u{200B}=1+1");
        assert_eq!(csv_safe("＝HYPERLINK(\"x\")"), "'＝HYPERLINK(\"x\")");
    }

    #[test]
    fn bidi_controls_are_removed_and_nothing_else() {
        assert_eq!(strip_bidi("Viagra \u{202E}gpj.exe"), "Viagra gpj.exe");
        for c in [
            '\u{202A}', '\u{202D}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(strip_bidi(&format!("a{c}b")), "ab", "{:04X}", c as u32);
        }
        assert_eq!(strip_bidi("مرحبا שלום 你好"), "مرحبا שלום 你好");
    }

    #[test]
    fn formulas_are_seen_through_invisible_and_full_width_characters() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-1+1",
            "@SUM(A1)",
            "\u{200B}=1+1",
            "\u{FEFF}=1",
            "\u{202E}=1",
            "  \u{2060}+1",
            "＝1+1",
            "\u{200B}＠x",
            "－1",
            "＋1",
            "\tx",
        ] {
            assert!(starts_like_formula(cell), "{cell:?}");
        }
        for cell in ["Viagra 100mg", "", "1-2", "a=b", "\u{200B}Viagra", "(=)"] {
            assert!(!starts_like_formula(cell), "{cell:?}");
        }
    }
}
