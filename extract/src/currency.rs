//! The currency marks sellers print: ISO 4217 codes, symbols, and local words and
//! abbreviations in many scripts, each mapped to the currency (or the set of currencies) it
//! names.
//!
//! One table, [`TABLE`], one row per currency: its code, the marks matched exactly as written
//! and the marks matched in any letter case. Marks shared by several currencies (`$`, `¥`,
//! `kr`, `Rs`, `руб`) are rows of [`SHARED`], resolved against the site's currency or the
//! page language by the price parser.
//!
//! No crate covers this: `iso_currency` and `rusty-money` carry the ISO list and one symbol
//! per currency, but not the local words (грн, тг., تومان, Kč, zł, lei) that most real price
//! strings use, nor which marks are ambiguous.
//!
//! Matching rules, from how prices are written:
//! - A mark that starts (ends) with a letter must not be preceded (followed) by a letter:
//!   "lei" is not the end of "Galei", "Ft" is not the start of "Fto". Digits may touch it
//!   ("RM50", "2963yen").
//! - Short Latin abbreviations are exact-case ("Ft", "Rp", "RM", "Br"): their lower-case forms
//!   are words or units ("ft", "rm"). Longer words ("dinar", "yuan") match in any case.
//! - Upper-case ISO codes are marks, except those that are also common upper-case words on
//!   pharmacy pages (GEL, PEN, ALL, TOP, CUP, MAD, SOS, BOB, MOP): those currencies are
//!   recognised by their symbols and words only. Lower-case codes only for the currencies
//!   whose codes sellers write in lower case ("pln", "mkd", "usd") and that are no word.
//! - Two-letter marks that are also pharmacy words stay out (SR sustained release, KM, RF,
//!   QR, SM).
//! - Single Latin letters (R, K, P, Q, L, D, G) are not marks: "5 L", "100 G", "R2" are
//!   volumes, weights and model names far more often than prices.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use pharmwatch_model::Currency;

/// One currency: ISO code, marks matched exactly, marks matched in any case.
pub struct Row {
    pub code: &'static str,
    pub exact: &'static [&'static str],
    pub any_case: &'static [&'static str],
}

const fn row(
    code: &'static str,
    exact: &'static [&'static str],
    any_case: &'static [&'static str],
) -> Row {
    Row {
        code,
        exact,
        any_case,
    }
}

/// Marks naming one currency. Codes of the ISO list below are added as exact marks
/// automatically; list them here only in the lower-case column.
pub const TABLE: &[Row] = &[
    row(
        "USD",
        &["US$", "US $", "U$S", "USD$", "U$"],
        &["usd", "dollars"],
    ),
    row("EUR", &["€"], &["eur", "euro", "euros", "eur."]),
    row(
        "GBP",
        &["£", "₤", "GB£", "stg"],
        &["gbp", "pounds sterling", "sterling"],
    ),
    row(
        "CNY",
        &["元", "圆", "人民币", "CN¥", "RMB", "CNY¥"],
        &["rmb", "yuan", "cny"],
    ),
    row("JPY", &["円", "JP¥"], &["jpy", "yen"]),
    row("KRW", &["₩", "원"], &["krw"]),
    row("INR", &["₹", "र", "रु", "ரூ"], &["inr", "rupees"]),
    row("LKR", &["රු", "Rs/="], &["lkr"]),
    row("PKR", &["PKR"], &["pkr"]),
    row("NPR", &["रू"], &["npr"]),
    row("BDT", &["৳", "Tk"], &["bdt", "taka"]),
    row("IDR", &["Rp", "RP", "Rp."], &["idr", "rupiah"]),
    row("MYR", &["RM"], &["myr", "ringgit"]),
    row("PHP", &["₱", "PhP"], &["php"]),
    row("THB", &["฿", "บาท"], &["thb", "baht"]),
    row(
        "VND",
        &["₫", "đ", "Đ", "VNĐ", "vnđ", "VND"],
        &["vnd", "dong"],
    ),
    row("KHR", &["៛"], &["khr", "riel"]),
    row("LAK", &["₭", "₭N"], &["lak", "kip"]),
    row("MNT", &["₮"], &["mnt", "tugrik"]),
    row(
        "KZT",
        &["₸", "тг", "тг.", "Тг", "Тг."],
        &["kzt", "тенге", "tenge"],
    ),
    row("KGS", &["сом", "Сом"], &["kgs"]),
    row(
        "UZS",
        &["so'm", "сўм", "сум", "So'm", "som"],
        &["uzs", "сум"],
    ),
    row("TJS", &["сомонӣ"], &["tjs", "somoni"]),
    row(
        "RUB",
        &["₽", "Р", "р.", "Р."],
        &[
            "rub",
            "руб",
            "руб.",
            "рубль",
            "рублей",
            "рубля",
            "rur",
            "рублях",
        ],
    ),
    row(
        "BYN",
        &["Br", "BYN"],
        &["byn", "byr", "бел. руб.", "бел.руб."],
    ),
    row(
        "UAH",
        &["₴", "грн", "грн.", "Грн", "Грн.", "ГРН", "hrn", "Hrn"],
        &["uah", "гривен", "гривня", "гривны", "hryvnia"],
    ),
    row(
        "PLN",
        &["zł", "Zł", "ZŁ"],
        &["pln", "złotych", "zlotych", "zloty"],
    ),
    row("CZK", &["Kč", "KČ", "kč"], &["czk", "korun"]),
    row("HUF", &["Ft", "FT", "Ft."], &["huf", "forint"]),
    row("RON", &["lei", "Lei", "LEI"], &["ron"]),
    row("MDL", &["MDL"], &["mdl"]),
    row("BGN", &["лв", "лв.", "Лв", "Лв.", "ЛВ"], &["bgn", "лева"]),
    row(
        "MKD",
        &["ден", "ден.", "Ден", "ДЕН"],
        &["mkd", "denar", "denari"],
    ),
    row(
        "RSD",
        &[
            "дин", "дин.", "Дин", "Дин.", "ДИН", "din", "din.", "Din", "Din.",
        ],
        &["rsd", "dinara", "dinar"],
    ),
    row("BAM", &["KM.", "КМ."], &["bam"]),
    row("HRK", &["kn", "Kn", "KN"], &["hrk", "kuna"]),
    row("ALL", &["Lek", "Lekë", "LEK"], &["lekë"]),
    row(
        "CHF",
        &["SFr.", "SFr", "sFr.", "Fr.", "CHf", "Chf"],
        &["chf", "franken", "francs suisses"],
    ),
    row("SEK", &[], &["sek", "kronor"]),
    row("NOK", &[], &["nok"]),
    row("DKK", &[], &["dkk"]),
    row("ISK", &[], &["isk"]),
    row("TRY", &["₺", "TL", "YTL"], &["lira", "türk lirası"]),
    row(
        "ILS",
        &["₪", "ש\"ח", "ש'ח", "ש״ח", "שח", "NIS"],
        &["ils", "shekel", "shekels"],
    ),
    row("BRL", &["R$", "BR$"], &["brl", "reais"]),
    row("MXN", &["MX$", "Mex$", "MXN$"], &["mxn"]),
    row("ARS", &["AR$"], &["ars"]),
    row("CLP", &["CLP$"], &["clp"]),
    row("COP", &["COL$", "COP$"], &["cop"]),
    row("PEN", &["S/.", "S/"], &["soles"]),
    row("BOB", &["$b", "Bs."], &["bolivianos"]),
    row(
        "VES",
        &["Bs", "Bs.S", "Bs.S.", "BsS", "Bs.F", "Bs.F."],
        &["ves", "bolívares"],
    ),
    row("PAB", &["B/."], &["pab", "balboa"]),
    row("PYG", &["₲", "Gs", "Gs."], &["pyg", "guaraníes"]),
    row("CRC", &["₡"], &["crc", "colones"]),
    row("GTQ", &["GTQ"], &["quetzal", "quetzales"]),
    row("CUC", &["CUC$"], &["cuc"]),
    row("DOP", &["RD$"], &["dop"]),
    row("JMD", &["J$", "JA$"], &["jmd"]),
    row("TTD", &["TT$"], &["ttd"]),
    row("BZD", &["BZ$"], &["bzd"]),
    row("GYD", &["GY$", "G$"], &["gyd"]),
    row("XCD", &["EC$"], &["xcd"]),
    row("BBD", &["Bds$", "BBD$"], &["bbd"]),
    row("NAD", &["N$"], &["nad"]),
    row("FJD", &["FJ$"], &["fjd"]),
    row("MOP", &["MOP$"], &["pataca", "patacas"]),
    row("CAD", &["CA$", "CAD$", "Can$"], &["cad"]),
    row("AUD", &["A$", "AU$", "AU $", "AUD$"], &["aud"]),
    row("NZD", &["NZ$", "NZD$"], &["nzd"]),
    row("HKD", &["HK$", "HKD$"], &["hkd"]),
    row("SGD", &["S$", "SG$", "SGD$"], &["sgd"]),
    row("TWD", &["NT$", "NT", "NTD"], &["twd", "ntd"]),
    row("ANG", &["ƒ", "NAƒ"], &["ang"]),
    row("AWG", &["Afl.", "Afl"], &["awg", "florin"]),
    row("AZN", &["₼"], &["azn", "manat"]),
    row("AMD", &["֏", "դր."], &["amd", "dram"]),
    row("GEL", &["₾"], &["lari"]),
    row("ZAR", &["ZAR"], &["zar", "rand"]),
    row("NGN", &["₦"], &["ngn", "naira"]),
    row(
        "GHS",
        &["GH₵", "GH¢", "₵", "GH₡"],
        &["ghs", "cedi", "cedis"],
    ),
    row(
        "KES",
        &["KSh", "KShs", "KSh.", "Ksh", "Kshs", "Ksh."],
        &["kes"],
    ),
    row("UGX", &["USh", "UGX"], &["ugx"]),
    row("TZS", &["TSh", "TZS"], &["tzs"]),
    row("RWF", &["FRw", "R₣", "RWF"], &["rwf"]),
    row("BIF", &["FBu", "Fbu"], &["bif"]),
    row("DJF", &["Fdj"], &["djf"]),
    row("GNF", &["FG", "GFr"], &["gnf"]),
    row("ERN", &["Nfk", "ናቕፋ"], &["ern", "nakfa"]),
    row("ETB", &["ብር"], &["etb", "birr"]),
    row("MGA", &["Ar"], &["mga", "ariary"]),
    row("MRU", &["UM"], &["mru", "ouguiya"]),
    row("MVR", &["Rf", "MRf", "ރ."], &["mvr", "rufiyaa"]),
    row("BTN", &["Nu", "Nu."], &["btn", "ngultrum"]),
    row("VUV", &["VT", "Vt"], &["vuv", "vatu"]),
    row("XOF", &["CFA", "FCFA", "F CFA"], &["xof"]),
    row("XAF", &["FCFA BEAC"], &["xaf"]),
    row("LRD", &["L$"], &["lrd"]),
    row("LYD", &["LD", "ل.د", "د.ل"], &["lyd"]),
    row("EGP", &["E£", "ج.م", "ج.م."], &["egp", "جنيه"]),
    row("SAR", &["ر.س"], &["sar", "ريال"]),
    row(
        "AED",
        &["د.إ", "Dhs", "DHS", "AED"],
        &["aed", "dirhams", "درهم"],
    ),
    row("MAD", &["Dh", "DH", "د.م."], &["dirham"]),
    row("QAR", &["ر.ق"], &["qar"]),
    row("OMR", &["ر.ع.", "ر.ع"], &["omr"]),
    row("BHD", &[".د.ب", "د.ب", "BD"], &["bhd"]),
    row("KWD", &["د.ك", "دينار كويتي", "KD"], &["kwd"]),
    row("JOD", &["د.ا", "دينار أردني", "JD"], &["jod"]),
    row("IQD", &["ع.د", "د.ع", "IQD"], &["iqd"]),
    row("TND", &["د.ت", "DT"], &["tnd"]),
    row("DZD", &["د.ج", "DA"], &["dzd"]),
    row("SYP", &["ل.س"], &["syp"]),
    row("LBP", &["ل.ل"], &["lbp"]),
    row("YER", &["ر.ي"], &["yer"]),
    row("IRR", &["ریال", "﷼"], &["irr", "rial"]),
    // The toman (10 rials) has no ISO code; IRT is the informal code Iranian payment systems
    // use. Reporting IRR would put the amount off by ten.
    row("IRT", &["تومان", "تومن"], &["toman"]),
    row("AFN", &["؋", "Af", "Afs"], &["afn", "afghani"]),
    row("BTC", &["₿", "BTC"], &["btc", "xbt"]),
    row("ETH", &["Ξ", "ETH"], &["eth"]),
    row("XMR", &["XMR"], &["xmr"]),
    row("LTC", &["Ł", "LTC"], &["ltc"]),
    // Historic or symbolic signs with no currency today (the livre tournois ₶): the amount is
    // still read, under ISO's "no currency" code.
    row("XXX", &["₶"], &[]),
];

/// Marks several currencies share, resolved by the site's currency, then the page language,
/// then a default (none for `kr`: guessing among four crowns would be wrong three times out
/// of four).
pub struct Shared {
    pub exact: &'static [&'static str],
    pub any_case: &'static [&'static str],
    pub candidates: &'static [&'static str],
    pub default: Option<&'static str>,
}

pub const SHARED: &[Shared] = &[
    Shared {
        exact: &["$"],
        any_case: &[],
        candidates: &[
            "USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "TWD", "ARS", "CLP", "COP", "UYU",
            "BZD", "JMD", "TTD", "BSD", "BBD", "BMD", "FJD", "LRD", "NAD", "SRD", "GYD", "XCD",
            "CUP", "DOP", "KYD", "SBD", "ZWL", "BND", "KID", "TVD", "CUC",
        ],
        default: Some("USD"),
    },
    Shared {
        exact: &["C$"],
        any_case: &[],
        candidates: &["CAD", "NIO"],
        default: Some("CAD"),
    },
    Shared {
        exact: &["¥", "￥"],
        any_case: &[],
        candidates: &["CNY", "JPY"],
        default: None, // resolved by language by the parser
    },
    Shared {
        exact: &["kr", "kr.", "Kr", "Kr.", "KR", ":-"],
        any_case: &["kronor", "kroner", "krónur"],
        candidates: &["SEK", "NOK", "DKK", "ISK"],
        default: None,
    },
    Shared {
        exact: &["Rs", "Rs.", "RS", "RS.", "₨", "Rs:"],
        any_case: &[],
        candidates: &["INR", "PKR", "LKR", "NPR", "MUR", "SCR"],
        default: Some("INR"),
    },
];

/// Active ISO 4217 codes and a few common pre-euro and crypto codes, recognised as
/// upper-case words. See the module doc for the ones left out.
const ISO_CODES: &str = "AED AFN AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BRL BSD BTN \
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP \
GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF \
KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MDL MGA MKD MMK MNT MRU MUR MVR MWK MXN MYR MZN NAD \
NGN NIO NOK NPR NZD OMR PAB PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP \
SLE SRD SSP STN SVC SYP SZL THB TJS TMT TND TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF \
XCD XOF XPF YER ZAR ZMW ZWL DEM FRF ITL ESP PTE NLG BEF ATS FIM IEP GRD LTL LVL EEK SKK SIT CYP \
MTL RUR BYR";

/// What a mark names: one currency, or one of a shared set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Fixed(Currency),
    /// Index into [`SHARED`].
    Shared(usize),
}

pub(crate) struct MarkDef {
    text: &'static str,
    lower: String,
    exact: bool,
    pub mark: Mark,
}

pub(crate) struct Marks {
    /// By lower-cased first char, longest mark first.
    by_first: HashMap<char, Vec<MarkDef>>,
}

fn lower_first(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

pub(crate) static MARKS: LazyLock<Marks> = LazyLock::new(|| {
    let mut defs: Vec<MarkDef> = Vec::new();
    let mut push = |text: &'static str, exact: bool, mark: Mark| {
        defs.push(MarkDef {
            text,
            lower: text.to_lowercase(),
            exact,
            mark,
        });
    };
    for code in ISO_CODES.split_whitespace() {
        if let Ok(c) = Currency::from_str(code) {
            let code: &'static str = code;
            push(code, true, Mark::Fixed(c));
        }
    }
    for r in TABLE {
        let Ok(c) = Currency::from_str(r.code) else {
            continue;
        };
        for m in r.exact {
            push(m, true, Mark::Fixed(c));
        }
        for m in r.any_case {
            push(m, false, Mark::Fixed(c));
        }
    }
    for (i, s) in SHARED.iter().enumerate() {
        for m in s.exact {
            push(m, true, Mark::Shared(i));
        }
        for m in s.any_case {
            push(m, false, Mark::Shared(i));
        }
    }
    let mut by_first: HashMap<char, Vec<MarkDef>> = HashMap::new();
    for d in defs {
        if let Some(c) = d.text.chars().next() {
            by_first.entry(lower_first(c)).or_default().push(d);
        }
    }
    for v in by_first.values_mut() {
        // Longest first so that "US$" wins over "$" and "руб." over "руб"; exact before
        // any-case at equal length.
        v.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(b.exact.cmp(&a.exact)));
    }
    Marks { by_first }
});

fn is_alpha(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphabetic)
}

impl Marks {
    /// Whether any mark starts with this char (cheap pre-filter).
    pub fn could_start(&self, c: char) -> bool {
        self.by_first.contains_key(&lower_first(c))
    }

    /// The longest mark starting at byte `i` of `s`, with its end.
    pub fn at(&self, s: &str, i: usize) -> Option<(usize, Mark)> {
        let rest = s.get(i..)?;
        let first = rest.chars().next()?;
        let defs = self.by_first.get(&lower_first(first))?;
        let before = s[..i].chars().next_back();
        for d in defs {
            let len = if d.exact {
                if !rest.starts_with(d.text) {
                    continue;
                }
                d.text.len()
            } else {
                let n = d.text.chars().count();
                let end = rest.char_indices().nth(n).map_or(rest.len(), |(b, _)| b);
                if rest[..end].chars().count() != n || rest[..end].to_lowercase() != d.lower {
                    continue;
                }
                end
            };
            let end = i + len;
            let starts_alpha = d.text.chars().next().is_some_and(char::is_alphabetic);
            let ends_alpha = d.text.chars().next_back().is_some_and(char::is_alphabetic);
            if starts_alpha && is_alpha(before) {
                continue;
            }
            if ends_alpha && is_alpha(s[end..].chars().next()) {
                continue;
            }
            return Some((end, d.mark));
        }
        None
    }
}

/// Where the parser resolves a shared mark: the site's currency when it is one of the mark's
/// candidates, else the language rule for `¥` (Chinese pages: CNY, else JPY), else the
/// mark's default.
pub(crate) fn resolve(
    mark: Mark,
    hint: Option<Currency>,
    language: Option<&str>,
) -> Option<Currency> {
    let i = match mark {
        Mark::Fixed(c) => return Some(c),
        Mark::Shared(i) => i,
    };
    let shared = SHARED.get(i)?;
    if let Some(h) = hint.filter(|h| shared.candidates.contains(&h.as_str())) {
        return Some(h);
    }
    if shared.candidates == ["CNY", "JPY"] {
        let zh = language.is_some_and(|l| l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("zh")));
        return Currency::from_str(if zh { "CNY" } else { "JPY" }).ok();
    }
    shared.default.and_then(|d| Currency::from_str(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(s: &str) -> Option<Mark> {
        MARKS.at(s, 0).map(|(_, m)| m)
    }

    fn fixed(code: &str) -> Option<Mark> {
        Some(Mark::Fixed(Currency::from_str(code).unwrap()))
    }

    #[test]
    fn every_row_has_a_valid_code_and_marks() {
        for r in TABLE {
            assert!(Currency::from_str(r.code).is_ok(), "{}", r.code);
            assert!(!r.exact.is_empty() || !r.any_case.is_empty(), "{}", r.code);
        }
    }

    #[test]
    fn marks_in_many_scripts_name_their_currency() {
        for (text, code) in [
            ("грн", "UAH"),
            ("тг.", "KZT"),
            ("تومان", "IRT"),
            ("Dinara", "RSD"),
            ("pln", "PLN"),
            ("Kč", "CZK"),
            ("zł", "PLN"),
            ("Ft", "HUF"),
            ("lei", "RON"),
            ("лв", "BGN"),
            ("₹", "INR"),
            ("৳", "BDT"),
            ("₦", "NGN"),
            ("R$", "BRL"),
            ("CHF", "CHF"),
            ("руб.", "RUB"),
            ("ש\"ח", "ILS"),
            ("US $", "USD"),
        ] {
            assert_eq!(mark(text), fixed(code), "{text}");
        }
    }

    #[test]
    fn longest_mark_wins_and_words_need_boundaries() {
        assert_eq!(MARKS.at("US$5", 0).map(|(e, _)| e), Some(3));
        assert_eq!(mark("Galei"), None);
        assert_eq!(mark("Ftalate"), None);
        assert_eq!(mark("ft"), None, "lower-case ft is feet");
        assert_eq!(
            mark("GEL"),
            None,
            "GEL is a dosage form in upper-case titles"
        );
        assert_eq!(MARKS.at("12Ft", 2).map(|(_, m)| m), fixed("HUF"));
    }

    #[test]
    fn shared_marks_follow_the_site_currency() {
        let kr = mark("kr").unwrap();
        assert_eq!(resolve(kr, None, None), None);
        let sek = Currency::from_str("SEK").ok();
        assert_eq!(resolve(kr, sek, None), sek);
        let dollar = mark("$").unwrap();
        assert_eq!(
            resolve(dollar, Some(Currency::EUR), None),
            Some(Currency::USD)
        );
        let yen = mark("¥").unwrap();
        assert_eq!(resolve(yen, None, Some("zh-CN")), Some(Currency::CNY));
    }
}
