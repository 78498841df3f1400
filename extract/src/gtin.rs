//! GTIN/EAN/UPC numbers with the GS1 check digit.
//!
//! Only numbers in a GTIN context are read (after a label such as "GTIN", "EAN", "UPC",
//! "barcode", 条形码, or a JSON key like `"gtin13"`), so phone numbers and order ids are not
//! mistaken for GTINs. Numbers with a wrong check digit are kept with `valid = false`:
//! a falsified pack with a made-up barcode is a signal.

use std::sync::LazyLock;

use pharmwatch_model::Gtin;

use crate::guarded::GuardedRegex;
use crate::text::truncate_at_char;

const MAX_GTIN_TEXT: usize = 256 * 1024;
const MAX_GTINS: usize = 50;

static LABELLED: LazyLock<GuardedRegex> = LazyLock::new(|| {
    GuardedRegex::new(
        r#"(?i)(?:\bgtin(?:-?(?:8|12|13|14))?|\bean(?:-?(?:8|13))?|\bupc(?:-?a)?|\bisbn(?:-?13)?|\bbarcode|\bbar\s+code|条形码|条码|商品条码|штрихкод|штрих-код)\b["']?\s*(?:code|no\.?|nr\.?|number|#)?\s*["']?\s*[:：=#]?\s*["']?\s*(?P<n>\d[\d \-]{6,20}\d)"#,
    )
    .unwrap_or_else(|e| unreachable!("gtin regex: {e}"))
});

/// The guarded regexes of this module, for the gate-equivalence tests.
#[cfg(test)]
pub(crate) fn guarded_regexes() -> Vec<&'static GuardedRegex> {
    vec![&LABELLED]
}

/// Whether the last digit of `digits` is the GS1 check digit of the others
/// (weights 3, 1, 3, … from the rightmost data digit; total a multiple of 10).
pub fn gs1_check_digit_ok(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    if bytes.len() < 2 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (data, check) = bytes.split_at(bytes.len() - 1);
    let sum: u32 = data
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10 == u32::from(check[0] - b'0')
}

/// A [`Gtin`] from a candidate string: separators (spaces, hyphens) removed, it must then
/// have 8, 12, 13 or 14 digits; the check digit decides `valid`.
pub fn gtin_from_digits(candidate: &str) -> Option<Gtin> {
    let digits: String = candidate
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 13, 14].contains(&digits.len()) {
        return None;
    }
    let valid = gs1_check_digit_ok(&digits);
    Some(Gtin { digits, valid })
}

/// GTINs stated in `text` after a GTIN label, in order, without duplicates.
pub fn parse_gtins(text: &str) -> Vec<Gtin> {
    let text = truncate_at_char(text, MAX_GTIN_TEXT);
    let mut out: Vec<Gtin> = Vec::new();
    for caps in LABELLED.captures_iter(text) {
        let Some(n) = caps.name("n") else { continue };
        if let Some(g) = longest_gtin_prefix(n.as_str().trim())
            && !out.iter().any(|o| o.digits == g.digits)
        {
            out.push(g);
            if out.len() >= MAX_GTINS {
                break;
            }
        }
    }
    out
}

/// The candidate itself, or else its longest space-separated prefix that is a GTIN
/// ("4006381333931 12 pcs" must not swallow the "12").
fn longest_gtin_prefix(candidate: &str) -> Option<Gtin> {
    gtin_from_digits(candidate).or_else(|| {
        candidate
            .char_indices()
            .rev()
            .filter(|(_, c)| *c == ' ')
            .find_map(|(i, _)| gtin_from_digits(candidate[..i].trim_end()))
    })
}
