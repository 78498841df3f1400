//! A table of real-looking price strings from many locales.

use std::str::FromStr;

use pharmwatch_extract::price::{parse_price, parse_price_in};
use pharmwatch_model::Currency;
use rust_decimal::Decimal;

fn c(code: &str) -> Currency {
    Currency::from_str(code).unwrap()
}

/// (text, hint, expected "amount CODE" or None)
const CASES: &[(&str, Option<&str>, Option<&str>)] = &[
    // US / UK / generic English
    ("$1,299.00", None, Some("1299.00 USD")),
    ("US$ 89.99", None, Some("89.99 USD")),
    ("89.99 USD", None, Some("89.99 USD")),
    ("USD 1,299.00", None, Some("1299.00 USD")),
    ("Price: $45", None, Some("45 USD")),
    ("$ 12.5", None, Some("12.5 USD")),
    ("£12.49", None, Some("12.49 GBP")),
    ("£1,049.99 inc. VAT", None, Some("1049.99 GBP")),
    ("GBP 7.99", None, Some("7.99 GBP")),
    ("Now only $19.99!", None, Some("19.99 USD")),
    ("from $10", None, Some("10 USD")),
    ("$10 - $20", None, Some("10 USD")),
    ("$20 – $10", None, Some("10 USD")),
    ("From 10 to 20 USD", None, Some("10 USD")),
    ("$1,299", None, Some("1299 USD")),
    ("$1,299,000.50", None, Some("1299000.50 USD")),
    ("C$ 24.99", None, Some("24.99 CAD")),
    ("CA$24.99", None, Some("24.99 CAD")),
    ("A$ 30", None, Some("30 AUD")),
    ("HK$ 120", None, Some("120 HKD")),
    ("$24.99", Some("CAD"), Some("24.99 CAD")),
    ("$24.99", Some("EUR"), Some("24.99 USD")),
    // Euro area
    ("12,99 €", None, Some("12.99 EUR")),
    ("1.299,00 €", None, Some("1299.00 EUR")),
    ("€ 45", None, Some("45 EUR")),
    ("€45,50", None, Some("45.50 EUR")),
    ("45,- €", None, Some("45 EUR")),
    ("EUR 1.299,95", None, Some("1299.95 EUR")),
    ("1 299,00 €", None, Some("1299.00 EUR")),
    ("1\u{a0}299,00\u{a0}€", None, Some("1299.00 EUR")),
    ("Prix : 29,90 €", None, Some("29.90 EUR")),
    ("Precio: 15 €", None, Some("15 EUR")),
    ("ab 9,95 €", None, Some("9.95 EUR")),
    ("10-20 €", None, Some("10 EUR")),
    ("1.299 €", None, Some("1299 EUR")),
    // China / Japan
    ("¥128.00", Some("CNY"), Some("128.00 CNY")),
    ("¥128.00", None, Some("128.00 JPY")),
    ("128元", None, Some("128 CNY")),
    ("￥ 1,280", Some("CNY"), Some("1280 CNY")),
    ("价格：¥99", Some("CNY"), Some("99 CNY")),
    ("RMB 350", None, Some("350 CNY")),
    ("人民币 88.5", None, Some("88.5 CNY")),
    ("售价 １２８元", None, Some("128 CNY")),
    ("3,980円", None, Some("3980 JPY")),
    ("JPY 12,000", None, Some("12000 JPY")),
    // India, Brazil, Russia, Poland, Switzerland, Nordics, others
    ("₹1,299", None, Some("1299 INR")),
    ("₹1,29,999", None, Some("129999 INR")),
    ("Rs. 499", None, Some("499 INR")),
    ("R$ 1.234,56", None, Some("1234.56 BRL")),
    ("R$49,90", None, Some("49.90 BRL")),
    ("1 299 руб.", None, Some("1299 RUB")),
    ("₽ 2 500", None, Some("2500 RUB")),
    ("990 ₽", None, Some("990 RUB")),
    ("12,50 zł", None, Some("12.50 PLN")),
    ("CHF 1'299.50", None, Some("1299.50 CHF")),
    ("1’299.– CHF", None, Some("1299 CHF")),
    ("49,90 kr", Some("SEK"), Some("49.90 SEK")),
    ("₩15,000", None, Some("15000 KRW")),
    ("0.0035 BTC", None, Some("0.0035 BTC")),
    ("1.500 BTC", None, Some("1.500 BTC")),
    ("KWD 1.250", None, Some("1.250 KWD")),
    ("₺149,90", None, Some("149.90 TRY")),
    // Bare numbers with a site hint
    ("45.00", Some("EUR"), Some("45.00 EUR")),
    ("Price: 128.00", Some("CNY"), Some("128.00 CNY")),
    ("1,299", Some("USD"), Some("1299 USD")),
    ("12,99", Some("EUR"), Some("12.99 EUR")),
    ("0.299", Some("USD"), Some("0.299 USD")),
    // Ambiguous or no price: None rather than a wrong number
    ("call for price", None, None),
    ("Call for price", Some("USD"), None),
    ("Price on request", Some("EUR"), None),
    ("面议", Some("CNY"), None),
    ("1,299", None, None),
    ("45.00", None, None),
    ("30 tablets", Some("USD"), None),
    ("Oxycodone 30mg x 60 tablets", Some("USD"), None),
    ("20% off", Some("USD"), None),
    ("", None, None),
    ("$", None, None),
    ("€ 1.2.3", None, None),
    ("12.05.2026", Some("EUR"), None),
    ("49,90 kr", None, None),
    ("$0.00", None, None),
    ("free", Some("USD"), None),
    ("call +1 555 123 4567", Some("USD"), None),
    ("A215 pills", Some("USD"), None),
];

fn expected(s: &str) -> (Decimal, Currency) {
    let (a, code) = s.split_once(' ').unwrap();
    (Decimal::from_str(a).unwrap(), c(code))
}

#[test]
fn price_table() {
    assert!(CASES.len() >= 60, "the table must stay large");
    let mut failures = Vec::new();
    for (text, hint, want) in CASES {
        let got = parse_price(text, hint.map(c));
        let ok = match (want, got) {
            (None, None) => true,
            (Some(w), Some(g)) => {
                let (a, cur) = expected(w);
                g.amount == a && g.currency == cur && g.amount.scale() == a.scale()
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{text:?} hint {hint:?}: want {want:?}, got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn yen_follows_language_when_no_hint() {
    let zh = parse_price_in("¥128.00", None, Some("zh-CN")).unwrap();
    assert_eq!(zh.currency, Currency::CNY);
    let ja = parse_price_in("¥128", None, Some("ja")).unwrap();
    assert_eq!(ja.currency, c("JPY"));
    // A hint of the other yen currency wins over the language.
    let hinted = parse_price_in("¥128", Some(c("JPY")), Some("zh")).unwrap();
    assert_eq!(hinted.currency, c("JPY"));
}

#[test]
fn amounts_are_exact_decimals() {
    let m = parse_price("$0.10", None).unwrap();
    assert_eq!(m.amount.to_string(), "0.10");
    let big = parse_price("€ 99.999.999,99", None).unwrap();
    assert_eq!(big.amount.to_string(), "99999999.99");
}
