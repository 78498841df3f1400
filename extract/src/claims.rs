//! Product facts a page prints that incident reports ask for: manufacturer, batch (lot)
//! number and expiry date, kept exactly as printed.
//!
//! Conservative on purpose: a wrong batch number in a report to a regulator is worse than
//! none. A value needs its label ("Batch No.:", "Exp:", "批号：") right before it, batch codes
//! need a digit, expiry dates must look like dates, and manufacturer names must look like
//! names (a capital letter first, a handful of words).

use std::sync::LazyLock;

use pharmwatch_model::ProductClaims;

use crate::guarded::GuardedRegex;
use crate::text::truncate_at_char;

/// Bytes of text scanned.
const MAX_CLAIMS_TEXT: usize = 256 * 1024;
/// Longest manufacturer name kept (in characters).
const MAX_NAME_CHARS: usize = 80;

fn re(pattern: &str) -> GuardedRegex {
    GuardedRegex::new(pattern).unwrap_or_else(|e| unreachable!("claims regex {pattern}: {e}"))
}

/// "Manufacturer: X" (label needs a colon) or "Manufactured by X"; Spanish, French,
/// Portuguese and Chinese labels too. The name runs to the end of the line or a separator.
static MANUFACTURER: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:\b(?:manufacturer|mfr|fabricante|fabricant|hersteller)[ \t]*[:：][ \t]*",
        r"|\b(?:manufactured|made|mfd|produced|fabricado|fabriqu[ée])[ \t]+(?:by|por|par)[ \t]*[:：]?[ \t]*",
        r"|(?:生产企业|生产厂家|生产厂商|生产商|制造商|生产单位)[ \t]*[:：][ \t]*)",
        r"(?P<v>[^\n:：;|·•,，。；]{2,120})",
    ))
});

/// "Batch: AB123", "Lot No. 4K21", "批号：20240311"; `sep` tells whether a separator or
/// "No." stood between label and code.
static BATCH: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:\b(?:batch|lot|lote)(?P<sep>[ \t]*(?:no\b\.?|nr\b\.?|number\b|n[º°o]\.?|#|code\b))?[ \t]*(?P<colon>[:：#])?",
        r"|(?:生产批号|产品批号|批号)(?P<zsep>[ \t]*[:：]?))",
        r"[ \t]*(?P<v>[A-Za-z0-9][A-Za-z0-9\-/]{2,23})\b",
    ))
});

/// "Exp: 11/2027", "Expiry date 2027-03-31", "有效期至：2027年03月", "Caducidad: 03/2027".
static EXPIRY: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)(?:\b(?:exp(?:iry|iration)?(?:[ \t]+date)?|expires|best[ \t]+before|use[ \t]+by|",
        r"(?:fecha[ \t]+de[ \t]+)?caducidad|vence|validade|date[ \t]+d[’']expiration|p[ée]remption)\b\.?[ \t]*[:：]?[ \t]*",
        r"(?P<v>\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}[/.\-]\d{1,2}(?:[/.\-]\d{1,2})?|\d{1,2}[/.\-]\d{4}",
        r"|(?:\d{1,2}[ \t]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[ \t]+\d{4})\b",
        r"|(?:有效期至|有效期|失效日期)[ \t]*[:：]?[ \t]*",
        r"(?P<zv>\d{4}[ \t]*[年/.\-][ \t]*\d{1,2}(?:[ \t]*[月/.\-][ \t]*\d{1,2}[ \t]*日?|[ \t]*月)?))",
    ))
});

/// The guarded regexes of this module, for the gate-equivalence tests.
#[cfg(test)]
pub(crate) fn guarded_regexes() -> Vec<&'static GuardedRegex> {
    vec![&MANUFACTURER, &BATCH, &EXPIRY]
}

/// The claims of one listing: `manufacturer` from structured data when it has one, the rest
/// (and a missing manufacturer) from `text`.
pub(crate) fn listing_claims(manufacturer: Option<String>, text: &str) -> ProductClaims {
    let mut claims = text_claims(text);
    if let Some(m) = manufacturer.and_then(|m| clean_name(&m)) {
        claims.manufacturer = Some(m);
    }
    claims
}

/// Manufacturer, batch and expiry printed in `text` (first of each).
pub fn text_claims(text: &str) -> ProductClaims {
    let text = truncate_at_char(text, MAX_CLAIMS_TEXT);
    ProductClaims {
        manufacturer: manufacturer(text),
        batch: batch(text),
        expiry: expiry(text),
    }
}

fn manufacturer(text: &str) -> Option<String> {
    MANUFACTURER
        .captures_iter(text)
        .take(20)
        .find_map(|c| c.name("v").and_then(|v| clean_name(v.as_str())))
}

/// A manufacturer name as printed, trimmed, when it looks like a name.
pub(crate) fn clean_name(raw: &str) -> Option<String> {
    let name = cut_at_sentence_end(raw.trim())
        .trim_end_matches(['.', ',', '-', '–', ')', '('])
        .trim();
    let first = name.chars().next()?;
    let chars = name.chars().count();
    let words = name.split_whitespace().count();
    let name_like = if first.is_ascii() {
        first.is_ascii_uppercase() || first.is_ascii_digit()
    } else {
        first.is_alphabetic()
    };
    (name_like && (2..=MAX_NAME_CHARS).contains(&chars) && words <= 8).then(|| name.to_string())
}

/// Abbreviations that end with a period inside company names ("Dr. Reddy's", "Co. Ltd").
const ABBREVIATIONS: &[&str] = &["dr", "st", "co", "mr", "mrs", "ms", "prof", "mt"];

/// `s` up to the first ". " that ends a sentence rather than an abbreviation.
fn cut_at_sentence_end(s: &str) -> &str {
    for (i, _) in s.match_indices(". ") {
        let word = s[..i]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default();
        if !ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str()) {
            return &s[..i];
        }
    }
    s
}

fn batch(text: &str) -> Option<String> {
    BATCH.captures_iter(text).take(20).find_map(|c| {
        let v = c.name("v")?.as_str();
        let has_digit = v.bytes().any(|b| b.is_ascii_digit());
        let has_letter = v.bytes().any(|b| b.is_ascii_alphabetic());
        let labelled =
            c.name("sep").is_some() || c.name("colon").is_some() || c.name("zsep").is_some();
        (has_digit && (labelled || has_letter)).then(|| v.to_string())
    })
}

fn expiry(text: &str) -> Option<String> {
    EXPIRY.captures_iter(text).take(20).find_map(|c| {
        c.name("v")
            .or_else(|| c.name("zv"))
            .map(|v| v.as_str().trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(text: &str) -> (Option<String>, Option<String>, Option<String>) {
        let c = text_claims(text);
        (c.manufacturer, c.batch, c.expiry)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn reads_labelled_facts_as_printed() {
        let page = "Viagra 100mg\nManufacturer: Pfizer Ltd\nBatch No.: CP23K117\nExp: 11/2027\n";
        assert_eq!(
            claims(page),
            (some("Pfizer Ltd"), some("CP23K117"), some("11/2027"))
        );
        assert_eq!(
            claims("Manufactured by Cipla Ltd. Lot 4K21A, expiry date 2027-03-31"),
            (some("Cipla Ltd"), some("4K21A"), some("2027-03-31"))
        );
        assert_eq!(claims("LOT #: 220931 · EXP. MAR 2027").1, some("220931"));
        assert_eq!(claims("LOT #: 220931 · EXP. MAR 2027").2, some("MAR 2027"));
        assert_eq!(claims("Best before 3 June 2026").2, some("3 June 2026"));
    }

    #[test]
    fn reads_chinese_spanish_and_french_labels() {
        assert_eq!(
            claims("生产企业：辉瑞制药有限公司\n批号：20240311\n有效期至：2027年03月\n"),
            (
                some("辉瑞制药有限公司"),
                some("20240311"),
                some("2027年03月")
            )
        );
        assert_eq!(
            claims("Fabricante: Laboratorios Cinfa\nLote: L2301B\nCaducidad: 03/2027"),
            (some("Laboratorios Cinfa"), some("L2301B"), some("03/2027"))
        );
        assert_eq!(
            claims("Fabriqué par Sanofi. N° de lot : 7781X. Date d'expiration : 12/2026"),
            (some("Sanofi"), some("7781X"), some("12/2026"))
        );
    }

    #[test]
    fn prose_is_not_a_claim() {
        for text in [
            "A lot of customers trust us. Express delivery, expires soon!",
            "Made by hand with love; the manufacturer warranty applies.",
            "Batch processing of orders daily. Lot of 300 tablets.",
            "Manufacturer: unknown",
            "Exp: soon",
            "有效期 24个月",
            "Our lot size is 30",
        ] {
            assert_eq!(claims(text), (None, None, None), "{text}");
        }
    }

    #[test]
    fn structured_manufacturer_wins_and_is_cleaned() {
        let c = listing_claims(
            Some(" Teva Pharmaceuticals ".into()),
            "Manufacturer: Other Co",
        );
        assert_eq!(c.manufacturer.as_deref(), Some("Teva Pharmaceuticals"));
        let c = listing_claims(Some("x".into()), "Manufacturer: Other Co");
        assert_eq!(c.manufacturer.as_deref(), Some("Other Co"));
        let c = listing_claims(None, "Manufacturer: Dr. Reddy's Laboratories. Lot: 77A1");
        assert_eq!(c.manufacturer.as_deref(), Some("Dr. Reddy's Laboratories"));
        assert_eq!(c.batch.as_deref(), Some("77A1"));
    }

    #[test]
    fn hostile_text_is_bounded() {
        let long = format!(
            "Manufacturer: {}\nBatch: {}",
            "A".repeat(10_000),
            "9".repeat(10_000)
        );
        let (m, b, _) = claims(&long);
        assert_eq!(m, None);
        assert_eq!(b, None);
        let many = "Lot: ab\n".repeat(100_000);
        assert_eq!(claims(&many), (None, None, None));
    }
}
