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

/// (text, site hint, expected amount, expected currency, per unit).
type PartsCase = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

/// What `parse_price_parts` keeps, including amounts without a currency and zero amounts.
const PARTS: &[PartsCase] = &[
    // A number in a price text is an amount even without a mark.
    ("49.99", None, Some("49.99"), None, false),
    ("75,00", None, Some("75.00"), None, false),
    ("75,00", Some("EUR"), Some("75.00"), Some("EUR"), false),
    ("148.50 Inc GST", None, Some("148.50"), None, false),
    ("3089.9 *", None, Some("3089.9"), None, false),
    ("Our price: 12.50", None, Some("12.50"), None, false),
    (
        "Price From 39.95",
        Some("GBP"),
        Some("39.95"),
        Some("GBP"),
        false,
    ),
    // Spaced decimals and thousands.
    ("$ 8. 94", None, Some("8.94"), Some("USD"), false),
    ("1.837, 32 €", None, Some("1837.32"), Some("EUR"), false),
    ("130, 38 zł", None, Some("130.38"), Some("PLN"), false),
    ("1 400 Р", None, Some("1400"), Some("RUB"), false),
    (".75 €", None, Some("0.75"), Some("EUR"), false),
    ("35€ 99", None, Some("35.99"), Some("EUR"), false),
    ("10, 20, 30", None, Some("10"), None, false),
    // Marks in many scripts.
    ("80,000 تومان", None, Some("80000"), Some("IRT"), false),
    ("60800 грн", None, Some("60800"), Some("UAH"), false),
    ("44 890 тг.", None, Some("44890"), Some("KZT"), false),
    ("1 999 Dinara", None, Some("1999"), Some("RSD"), false),
    ("49,99 pln", None, Some("49.99"), Some("PLN"), false),
    ("169,00 Kč", None, Some("169.00"), Some("CZK"), false),
    ("₶ 12", None, Some("12"), Some("XXX"), false),
    ("₤1700.", None, Some("1700"), Some("GBP"), false),
    ("4 990 Ft", None, Some("4990"), Some("HUF"), false),
    ("63,07 lei", None, Some("63.07"), Some("RON"), false),
    ("230 лв.", None, Some("230"), Some("BGN"), false),
    ("Rs. 1,29,999", None, Some("129999"), Some("INR"), false),
    ("৳ 1,500", None, Some("1500"), Some("BDT"), false),
    ("₦5,000", None, Some("5000"), Some("NGN"), false),
    ("R$ 689,99", None, Some("689.99"), Some("BRL"), false),
    ("CHF 2.25", None, Some("2.25"), Some("CHF"), false),
    ("$1,190.00 AUD", None, Some("1190.00"), Some("AUD"), false),
    (
        "PTE 120 000 000",
        None,
        Some("120000000"),
        Some("PTE"),
        false,
    ),
    // Zero and free are amounts here; `parse_price` drops them.
    ("Free!", None, Some("0"), None, false),
    ("$0.00", None, Some("0.00"), Some("USD"), false),
    // Counts, strengths and phone numbers are not amounts.
    ("30 tablets", Some("USD"), None, Some("USD"), false),
    ("2 x 28", None, None, None, false),
    ("100 mg", None, None, None, false),
    ("call +1 555 123 4567", None, None, None, false),
    // Per-unit prices.
    ("$1.04/pill", None, Some("1.04"), Some("USD"), true),
    (
        "Tramadol 100 mg 180 tablets, $1.04/pill",
        None,
        Some("1.04"),
        Some("USD"),
        true,
    ),
    ("€2 per tab", None, Some("2"), Some("EUR"), true),
    ("0,80 € pro Tablette", None, Some("0.80"), Some("EUR"), true),
    ("5元/粒", None, Some("5"), Some("CNY"), true),
    ("30 руб. за таблетку", None, Some("30"), Some("RUB"), true),
    (
        "24 075 ₽ за шприц-ручку",
        None,
        Some("24075"),
        Some("RUB"),
        true,
    ),
    ("1,20 € la pastilla", None, Some("1.20"), Some("EUR"), true),
    ("40.00/each", Some("USD"), Some("40.00"), Some("USD"), true),
    (
        "Price per pill: $0.95",
        None,
        Some("0.95"),
        Some("USD"),
        true,
    ),
    ("$59.99 per bottle", None, Some("59.99"), Some("USD"), false),
    ("$120 for 60 pills", None, Some("120"), Some("USD"), false),
];

#[test]
fn price_parts_table() {
    use pharmwatch_extract::price::parse_price_parts;
    let mut failures = Vec::new();
    for &(text, hint, amount, currency, per_unit) in PARTS {
        let got = parse_price_parts(text, hint.map(c), None);
        let want_amount = amount.map(|a| Decimal::from_str(a).unwrap());
        let ok = got.amount == want_amount
            && got.amount.map(|a| a.scale()) == want_amount.map(|a| a.scale())
            && got.currency.map(|x| x.to_string()).as_deref() == currency
            && got.per_unit == per_unit;
        if !ok {
            failures.push(format!(
                "{text:?} hint {hint:?}: want {amount:?} {currency:?} per_unit={per_unit}, got {got:?}"
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
fn currency_hints_are_page_text() {
    use pharmwatch_extract::price::{HintError, currency_in_text};
    for (text, code) in [
        ("€", "EUR"),
        ("EUR", "EUR"),
        ("руб. (шт)", "RUB"),
        ("Price From £ 39.95", "GBP"),
        ("грн.", "UAH"),
        ("$", "USD"),
        ("Cena 283,50 PLN", "PLN"),
    ] {
        assert_eq!(currency_in_text(text, None), Ok(c(code)), "{text}");
    }
    assert!(matches!(
        currency_in_text("XYZ", None),
        Err(HintError::Unknown(_))
    ));
    assert!(matches!(
        currency_in_text("Price", None),
        Err(HintError::Unknown(_))
    ));
    assert!(matches!(
        currency_in_text("kr", None),
        Err(HintError::Ambiguous(..))
    ));
}
