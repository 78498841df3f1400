//! Number, price, date and slug formatting as the shops print them.

use rust_decimal::Decimal;

use crate::archetype::Archetype;

/// Number of price formats each archetype uses (the spec stores an index below this).
pub fn price_format_count(arch: Archetype) -> u8 {
    match arch {
        Archetype::RoguePharmacy => 3,
        Archetype::ChinesePharmacy => 2,
        Archetype::Classifieds => 2,
        Archetype::LegitPharmacy => 1,
    }
}

/// The price as printed by the shop: "$1,299.00", "US$ 89.99", "89.99 USD", "¥128.00",
/// "128元", "1.299,00 €", "€ 45", "£12.49".
pub fn price_text(amount: Decimal, arch: Archetype, format: u8) -> String {
    let amount = amount.round_dp(2);
    let whole = amount.trunc();
    let is_whole = amount == whole;
    let (int_part, frac) = split(amount);
    match arch {
        Archetype::RoguePharmacy => match format {
            0 => format!("${}.{frac}", group(&int_part, ',')),
            1 => format!("US$ {int_part}.{frac}"),
            _ => format!("{int_part}.{frac} USD"),
        },
        Archetype::ChinesePharmacy => match format {
            1 if is_whole => format!("{int_part}元"),
            1 => format!("{int_part}.{frac}元"),
            _ => format!("¥{int_part}.{frac}"),
        },
        Archetype::Classifieds => match format {
            1 if is_whole => format!("€ {int_part}"),
            _ => format!("{},{frac} €", group(&int_part, '.')),
        },
        Archetype::LegitPharmacy => format!("£{}.{frac}", group(&int_part, ',')),
    }
}

/// Integer digits and the two fraction digits of a non-negative amount.
fn split(amount: Decimal) -> (String, String) {
    let s = format!("{:.2}", amount.abs());
    match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (s, "00".to_string()),
    }
}

/// Groups thousands: "1299" → "1,299".
fn group(digits: &str, sep: char) -> String {
    let mut out = String::new();
    let len = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Lower-case ASCII words joined by `-` ("Oxycodone 30mg" → "oxycodone-30mg").
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

const HTTP_DATE: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// An HTTP date (RFC 9110 IMF-fixdate) for seconds since the Unix epoch.
pub fn http_date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(HTTP_DATE).ok())
        .unwrap_or_default()
}

/// Parses an IMF-fixdate back to seconds since the epoch (other legacy formats: None).
pub fn parse_http_date(text: &str) -> Option<i64> {
    time::PrimitiveDateTime::parse(text.trim(), HTTP_DATE)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// The GS1 check digit of `data` digits (weights 3,1,3,… from the right).
pub fn gs1_check_digit(data: &str) -> u32 {
    let sum: u32 = data
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { d })
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn prices_print_in_each_shop_style() {
        let rogue = Archetype::RoguePharmacy;
        assert_eq!(price_text(d("1299.00"), rogue, 0), "$1,299.00");
        assert_eq!(price_text(d("89.99"), rogue, 1), "US$ 89.99");
        assert_eq!(price_text(d("89.99"), rogue, 2), "89.99 USD");
        assert_eq!(price_text(d("89.99"), rogue, 0), "$89.99");
        let zh = Archetype::ChinesePharmacy;
        assert_eq!(price_text(d("128"), zh, 0), "¥128.00");
        assert_eq!(price_text(d("128.00"), zh, 1), "128元");
        assert_eq!(price_text(d("128.50"), zh, 1), "128.50元");
        let ads = Archetype::Classifieds;
        assert_eq!(price_text(d("12.99"), ads, 0), "12,99 €");
        assert_eq!(price_text(d("1299"), ads, 0), "1.299,00 €");
        assert_eq!(price_text(d("45"), ads, 1), "€ 45");
        assert_eq!(price_text(d("45.50"), ads, 1), "45,50 €");
        assert_eq!(
            price_text(d("1249"), Archetype::LegitPharmacy, 0),
            "£1,249.00"
        );
        assert_eq!(
            price_text(d("12.49"), Archetype::LegitPharmacy, 0),
            "£12.49"
        );
    }

    #[test]
    fn dates_round_trip_and_slugs_are_clean() {
        let t = 1_793_491_200; // 2026-11-01T00:00:00Z
        assert_eq!(http_date(t), "Sun, 01 Nov 2026 00:00:00 GMT");
        assert_eq!(parse_http_date(&http_date(t)), Some(t));
        assert_eq!(
            slugify("Oxycodone 30mg x 60 tablets!"),
            "oxycodone-30mg-x-60-tablets"
        );
        assert_eq!(gs1_check_digit("400638133393"), 1);
    }
}
