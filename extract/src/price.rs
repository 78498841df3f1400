//! Reading a price ("$1,299.00", "1.299,00 €", "128元", "from US$ 89.99") into exact [`Money`].
//!
//! No Rust crate does what Zyte's `price-parser` does, so this is a small tokenizer: it finds
//! currency marks (symbols, ISO codes, local words) and numbers, pairs a number with an
//! adjacent mark, and reads the number's separators with the currency's convention in mind.
//!
//! Decisions on ambiguous input (all return `None` rather than a guessed number):
//! - No currency mark and no `hint`: `None`, there is no currency to report.
//! - No currency mark but a `hint`: accepted only when the text is just a number (or a range)
//!   with price labels around it ("Price: 45.00", "128.00"); "30 tablets" stays `None`.
//! - One separator followed by exactly three digits ("1,299", "1.299") is a thousands
//!   separator (1299): prices with three decimals are rare, except in currencies with three
//!   minor digits (KWD, BHD, OMR, JOD, TND) and crypto (BTC, ETH, XMR, LTC), and when the
//!   integer part is 0 ("0.299"), where it is read as a decimal point.
//! - Several equal separators must group by three ("1.299.000"); anything else ("1.2.3",
//!   dates like "12.05.2026") is not a number.
//! - `¥` alone: the hint when it is CNY or JPY, else CNY when the page language is Chinese
//!   (`zh*`), else JPY. `$` alone: the hint when it is a dollar/peso currency, else USD.
//!   `kr`: the hint when it is SEK, NOK, DKK or ISK, else not a currency.
//! - A range ("$10 - $20", "10–20 €", "from 10 to 20 USD") gives its lower bound; otherwise
//!   the first priced number wins ("from $10", "Was $50").
//! - "Call for price", "price on request", 面议 and zero amounts give `None`.
//! - Only the first 2 KiB of `text` are read.

use std::str::FromStr;

use pharmwatch_model::{Currency, Money};
use rust_decimal::Decimal;

use crate::text::truncate_at_char;

const MAX_PRICE_TEXT: usize = 2048;

/// Reads the first price in `text`. `hint` is the site's currency, used for bare numbers
/// and for ambiguous symbols (`$`, `¥`, `kr`). See the module docs for the ambiguity rules.
pub fn parse_price(text: &str, hint: Option<Currency>) -> Option<Money> {
    parse_price_in(text, hint, None)
}

/// Like [`parse_price`], with the page language (BCP 47, e.g. `zh-CN`) used to resolve `¥`
/// when the hint does not.
pub fn parse_price_in(text: &str, hint: Option<Currency>, language: Option<&str>) -> Option<Money> {
    let norm = normalise(truncate_at_char(text, MAX_PRICE_TEXT));
    let tokens = tokenize(&norm);
    let ctx = Resolve { hint, language };
    if let Some(money) = priced_by_mark(&norm, &tokens, &ctx) {
        return Some(money);
    }
    let hint = hint?;
    if says_no_price(&norm) {
        return None;
    }
    bare_number(&norm, &tokens, hint)
}

/// Whether `text` contains something that reads as a price with an explicit currency mark
/// (used by the page heuristics, which must not take "30 tablets" for a price).
pub fn has_marked_price(text: &str, hint: Option<Currency>, language: Option<&str>) -> bool {
    let norm = normalise(truncate_at_char(text, MAX_PRICE_TEXT));
    let tokens = tokenize(&norm);
    priced_by_mark(&norm, &tokens, &Resolve { hint, language }).is_some()
}

struct Resolve<'a> {
    hint: Option<Currency>,
    language: Option<&'a str>,
}

/// Full-width digits and punctuation to ASCII, exotic spaces to plain spaces, so that the
/// tokenizer has one alphabet to deal with. Byte offsets refer to this normalised text.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Fixed(Currency),
    Dollar,
    Yen,
    Kroner,
}

#[derive(Debug)]
enum Tok {
    /// A number; `tail` is past a zero-cents dash ("45,-", "1'299.–") when there is one.
    Num {
        start: usize,
        end: usize,
        tail: usize,
    },
    Mark {
        start: usize,
        end: usize,
        mark: Mark,
    },
}

/// Marks as (text, currency code or class, needs word boundaries, case-insensitive).
/// Longer marks come first so that "US$" wins over "$" and "руб." over "руб".
const MARKS: &[(&str, &str, bool, bool)] = &[
    ("人民币", "CNY", false, false),
    ("USD$", "USD", false, false),
    ("U$S", "USD", false, false),
    ("US$", "USD", false, false),
    ("CA$", "CAD", false, false),
    ("AU$", "AUD", false, false),
    ("NZ$", "NZD", false, false),
    ("HK$", "HKD", false, false),
    ("SG$", "SGD", false, false),
    ("MX$", "MXN", false, false),
    ("NT$", "TWD", false, false),
    ("руб.", "RUB", false, true),
    ("SFr.", "CHF", false, false),
    ("C$", "CAD", false, false),
    ("A$", "AUD", false, false),
    ("S$", "SGD", false, false),
    ("R$", "BRL", false, false),
    ("Rs.", "INR", false, false),
    ("руб", "RUB", true, true),
    ("грн", "UAH", true, true),
    ("zł", "PLN", true, true),
    ("Kč", "CZK", true, false),
    ("Ft", "HUF", true, false),
    ("Rs", "INR", true, false),
    ("kr.", "kr", false, true),
    ("kr", "kr", true, true),
    ("lei", "RON", true, true),
    ("TL", "TRY", true, false),
    ("$", "$", false, false),
    ("€", "EUR", false, false),
    ("£", "GBP", false, false),
    ("¥", "¥", false, false),
    ("￥", "¥", false, false),
    ("円", "JPY", false, false),
    ("元", "CNY", false, false),
    ("圆", "CNY", false, false),
    ("₹", "INR", false, false),
    ("₽", "RUB", false, false),
    ("₩", "KRW", false, false),
    ("원", "KRW", false, false),
    ("₺", "TRY", false, false),
    ("₴", "UAH", false, false),
    ("฿", "THB", false, false),
    ("₫", "VND", false, false),
    ("₦", "NGN", false, false),
    ("₱", "PHP", false, false),
    ("₪", "ILS", false, false),
    ("₿", "BTC", false, false),
];

/// ISO codes (and a few crypto tickers) recognised as upper-case words.
const CODES: &[&str] = &[
    "USD", "EUR", "GBP", "CNY", "RMB", "JPY", "INR", "RUB", "BRL", "PLN", "CHF", "CAD", "AUD",
    "NZD", "HKD", "SGD", "KRW", "TRY", "MXN", "SEK", "NOK", "DKK", "ISK", "CZK", "HUF", "ZAR",
    "AED", "SAR", "THB", "IDR", "MYR", "PHP", "VND", "NGN", "KES", "UAH", "ILS", "EGP", "ARS",
    "CLP", "COP", "PEN", "TWD", "RON", "BGN", "KWD", "BHD", "OMR", "JOD", "TND", "PKR", "BDT",
    "BTC", "XMR", "ETH", "LTC",
];

const DOLLAR_CURRENCIES: &[&str] = &[
    "USD", "CAD", "AUD", "NZD", "HKD", "SGD", "MXN", "TWD", "ARS", "CLP", "COP",
];
const KRONER_CURRENCIES: &[&str] = &["SEK", "NOK", "DKK", "ISK"];
const THREE_DECIMAL_CURRENCIES: &[&str] = &[
    "KWD", "BHD", "OMR", "JOD", "TND", "BTC", "XMR", "ETH", "LTC",
];

fn mark_from_class(class: &str) -> Option<Mark> {
    match class {
        "$" => Some(Mark::Dollar),
        "¥" => Some(Mark::Yen),
        "kr" => Some(Mark::Kroner),
        code => Currency::from_str(code).ok().map(Mark::Fixed),
    }
}

fn is_alpha_at(s: &str, byte: usize) -> bool {
    s[byte..].chars().next().is_some_and(char::is_alphabetic)
}

fn is_alpha_before(s: &str, byte: usize) -> bool {
    s[..byte]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic)
}

fn mark_at(s: &str, i: usize) -> Option<(usize, Mark)> {
    let rest = &s[i..];
    for &(text, class, word, ci) in MARKS {
        let hit = if ci {
            rest.get(..text.len())
                .is_some_and(|p| p.to_lowercase() == text.to_lowercase())
        } else {
            rest.starts_with(text)
        };
        if !hit {
            continue;
        }
        let end = i + text.len();
        if word && (is_alpha_before(s, i) || is_alpha_at(s, end)) {
            continue;
        }
        if let Some(mark) = mark_from_class(class) {
            return Some((end, mark));
        }
    }
    if rest.len() >= 3 && rest.is_char_boundary(3) {
        let word = &rest[..3];
        if CODES.contains(&word) && !is_alpha_before(s, i) && !is_alpha_at(s, i + 3) {
            let code = if word == "RMB" { "CNY" } else { word };
            return Currency::from_str(code)
                .ok()
                .map(|c| (i + 3, Mark::Fixed(c)));
        }
    }
    None
}

/// End of the number starting at `i` (an ASCII digit): digits joined by `.`, `,`, `'`, `’`,
/// or by a space when exactly three digits follow ("1 299,00").
fn number_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    let digits_from = |mut j: usize| {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut end = digits_from(i);
    let mut first_group = end - i;
    loop {
        let rest = &s[end..];
        let sep_len = if rest.starts_with(['.', ',', '\'']) {
            1
        } else if rest.starts_with('’') {
            '’'.len_utf8()
        } else if rest.starts_with(' ') && first_group <= 3 {
            1
        } else {
            break;
        };
        let after = end + sep_len;
        if after >= b.len() || !b[after].is_ascii_digit() {
            break;
        }
        let next = digits_from(after);
        if rest.starts_with(' ') && (next - after != 3 || is_alpha_at(s, next)) {
            break;
        }
        if !rest.starts_with(' ') {
            first_group = usize::MAX;
        }
        end = next;
    }
    end
}

/// End of a "no cents" suffix (",-", ".-", ".–", ",—") after a number, else `end`.
fn dash_cents_end(s: &str, end: usize) -> usize {
    let rest = &s[end..];
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (Some('.' | ','), Some(d @ ('-' | '–' | '—'))) => {
            let after = end + 1 + d.len_utf8();
            // Not a range ("10,- 20" is fine, "10.-20" is a range of sorts: leave it).
            if s[after..].starts_with(|c: char| c.is_ascii_digit()) {
                end
            } else {
                after
            }
        }
        _ => end,
    }
}

/// Cheap filter before [`mark_at`]: symbols and non-Latin mark starts, or a Latin letter
/// at the start of a word (marks never start mid-word).
fn could_start_mark(s: &str, i: usize) -> bool {
    let Some(c) = s[i..].chars().next() else {
        return false;
    };
    if c.is_ascii_alphabetic() {
        return !is_alpha_before(s, i);
    }
    if c.is_ascii() {
        return c == '$';
    }
    MARKS.iter().any(|(text, ..)| {
        text.chars()
            .next()
            .is_some_and(|t| t == c || t.to_lowercase().eq(c.to_lowercase()))
    })
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < s.len() {
        if s.as_bytes()[i].is_ascii_digit() {
            let end = number_end(s, i);
            let tail = dash_cents_end(s, end);
            toks.push(Tok::Num {
                start: i,
                end,
                tail,
            });
            i = tail;
            continue;
        }
        if could_start_mark(s, i)
            && let Some((end, mark)) = mark_at(s, i)
        {
            toks.push(Tok::Mark {
                start: i,
                end,
                mark,
            });
            i = end;
            continue;
        }
        i += s[i..].chars().next().map_or(1, char::len_utf8);
    }
    toks
}

fn gap_is_blank(s: &str, from: usize, to: usize) -> bool {
    from <= to && to - from <= 3 && s[from..to].chars().all(|c| c == ' ')
}

fn is_range_connector(s: &str) -> bool {
    let t = s.trim().to_lowercase();
    matches!(
        t.as_str(),
        "-" | "–"
            | "—"
            | "~"
            | "～"
            | "to"
            | "bis"
            | "à"
            | "a"
            | "al"
            | "até"
            | "до"
            | "至"
            | "到"
            | "-/"
    )
}

/// The mark adjacent to the number token at `k`, if any (before or after, spaces only).
fn adjacent_mark(s: &str, toks: &[Tok], k: usize) -> Option<Mark> {
    let Tok::Num {
        start, tail: end, ..
    } = toks[k]
    else {
        return None;
    };
    let before = k.checked_sub(1).and_then(|p| match toks[p] {
        Tok::Mark { end: me, mark, .. } if gap_is_blank(s, me, start) => Some(mark),
        _ => None,
    });
    let after = toks.get(k + 1).and_then(|t| match *t {
        Tok::Mark {
            start: ms, mark, ..
        } if gap_is_blank(s, end, ms) => Some(mark),
        _ => None,
    });
    before.or(after)
}

/// A number glued to letters ("30mg", "A215") or used as a percentage is no price.
fn is_plain_number(s: &str, toks: &[Tok], k: usize) -> bool {
    let Tok::Num {
        start, tail: end, ..
    } = toks[k]
    else {
        return false;
    };
    let mark_right_after =
        matches!(toks.get(k + 1), Some(Tok::Mark { start: ms, .. }) if *ms == end);
    let mark_right_before =
        k > 0 && matches!(toks[k - 1], Tok::Mark { end: me, .. } if me == start);
    let prev = s[..start].chars().next_back();
    let next = s[end..].chars().next();
    if !mark_right_before && prev.is_some_and(|c| c.is_alphanumeric() || c == '#' || c == '+') {
        return false;
    }
    if !mark_right_after && next.is_some_and(|c| c.is_alphabetic() || c == '%') {
        return false;
    }
    true
}

fn resolve(mark: Mark, ctx: &Resolve<'_>) -> Option<Currency> {
    let hint_in = |set: &[&str]| ctx.hint.filter(|h| set.contains(&h.as_str()));
    match mark {
        Mark::Fixed(c) => Some(c),
        Mark::Dollar => Some(hint_in(DOLLAR_CURRENCIES).unwrap_or(Currency::USD)),
        Mark::Kroner => hint_in(KRONER_CURRENCIES),
        Mark::Yen => Some(hint_in(&["CNY", "JPY"]).unwrap_or_else(|| {
            let zh = ctx
                .language
                .is_some_and(|l| l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("zh")));
            if zh {
                Currency::CNY
            } else {
                Currency::from_str("JPY").unwrap_or(Currency::CNY)
            }
        })),
    }
}

/// The first number paired with a currency mark (directly, or through a range whose other
/// end carries the mark).
fn priced_by_mark(s: &str, toks: &[Tok], ctx: &Resolve<'_>) -> Option<Money> {
    for k in 0..toks.len() {
        let Tok::Num { start, end, .. } = toks[k] else {
            continue;
        };
        if !is_plain_number(s, toks, k) {
            continue;
        }
        let range_partner = range_partner(s, toks, k);
        let mark = adjacent_mark(s, toks, k)
            .or_else(|| range_partner.and_then(|p| adjacent_mark(s, toks, p)));
        let Some(currency) = mark.and_then(|m| resolve(m, ctx)) else {
            continue;
        };
        let Some(mut amount) = read_amount(&s[start..end], currency) else {
            continue;
        };
        if let Some(p) = range_partner
            && let Tok::Num {
                start: ps, end: pe, ..
            } = toks[p]
            && let Some(other) = read_amount(&s[ps..pe], currency)
            && other < amount
            && !other.is_zero()
        {
            amount = other;
        }
        if amount.is_zero() {
            continue;
        }
        return Some(Money::new(amount, currency));
    }
    None
}

/// The number token that forms a range with the one at `k` ("10 - 20", "10 to 20").
fn range_partner(s: &str, toks: &[Tok], k: usize) -> Option<usize> {
    let Tok::Num { tail: end, .. } = toks[k] else {
        return None;
    };
    let next_num = |from: usize| match toks.get(from) {
        Some(Tok::Num { start, .. }) => Some((from, *start)),
        _ => None,
    };
    // "10 - 20 €": the next token is a number; "$10 - $20": a mark then a number.
    let (idx, ns) = next_num(k + 1).or_else(|| match toks.get(k + 1) {
        Some(Tok::Mark { .. }) => next_num(k + 2),
        _ => None,
    })?;
    let between_end = match toks.get(k + 1) {
        Some(Tok::Mark { start, .. }) if idx == k + 2 => *start,
        _ => ns,
    };
    if between_end > end && between_end - end <= 8 && is_range_connector(&s[end..between_end]) {
        Some(idx)
    } else {
        None
    }
}

const NO_PRICE_PHRASES: &[&str] = &[
    "call for price",
    "contact for price",
    "ask for price",
    "price on request",
    "price upon request",
    "on request",
    "sur demande",
    "a consultar",
    "consultar precio",
    "sob consulta",
    "по запросу",
    "договорная",
    "面议",
    "询价",
    "电议",
    "poa",
];

fn says_no_price(s: &str) -> bool {
    let lower = s.to_lowercase();
    NO_PRICE_PHRASES.iter().any(|p| {
        lower.match_indices(p).any(|(i, _)| {
            let end = i + p.len();
            !is_alpha_before(&lower, i) && !is_alpha_at(&lower, end)
        })
    })
}

const PRICE_LABELS: &[&str] = &[
    "price",
    "our price",
    "sale",
    "now",
    "only",
    "from",
    "starting at",
    "per pack",
    "each",
    "preis",
    "ab",
    "prix",
    "à partir de",
    "a partir de",
    "precio",
    "desde",
    "preço",
    "prezzo",
    "cena",
    "цена",
    "от",
    "价格",
    "售价",
    "单价",
    "零售价",
    "价",
    "incl. vat",
    "vat",
    "tax",
];

/// Accepts a number without a mark (using the hint) only when nothing but price labels and
/// punctuation surrounds it.
fn bare_number(s: &str, toks: &[Tok], hint: Currency) -> Option<Money> {
    let nums: Vec<usize> = (0..toks.len())
        .filter(|&k| matches!(toks[k], Tok::Num { .. }))
        .collect();
    let first = *nums.first()?;
    let (range, last) = match nums.as_slice() {
        [_] => (None, first),
        [_, second] if range_partner(s, toks, first) == Some(*second) => (Some(*second), *second),
        _ => return None,
    };
    if toks.iter().any(|t| matches!(t, Tok::Mark { .. })) {
        return None;
    }
    let (Tok::Num { start, .. }, Tok::Num { tail: end, .. }) = (&toks[first], &toks[last]) else {
        return None;
    };
    let mut rest = format!("{} {}", &s[..*start], &s[*end..]).to_lowercase();
    for label in PRICE_LABELS {
        rest = rest.replace(label, " ");
    }
    if rest.chars().any(char::is_alphanumeric) {
        return None;
    }
    let Tok::Num {
        start: fs, end: fe, ..
    } = toks[first]
    else {
        return None;
    };
    let mut amount = read_amount(&s[fs..fe], hint)?;
    if let Some(r) = range
        && let Tok::Num {
            start: rs, end: re, ..
        } = toks[r]
        && let Some(other) = read_amount(&s[rs..re], hint)
        && other < amount
    {
        amount = other;
    }
    (!amount.is_zero()).then(|| Money::new(amount, hint))
}

/// Reads a number token ("1.299,00", "1'299.50", "1,29,999") with `currency`'s convention.
/// Returns `None` when the separators do not make a consistent number.
pub(crate) fn read_amount(token: &str, currency: Currency) -> Option<Decimal> {
    let mut groups: Vec<(Option<char>, &str)> = Vec::new();
    let mut sep = None;
    let mut start = 0;
    for (i, c) in token.char_indices() {
        if !c.is_ascii_digit() {
            groups.push((sep, &token[start..i]));
            sep = Some(c);
            start = i + c.len_utf8();
        }
    }
    groups.push((sep, &token[start..]));
    if groups.iter().any(|(_, d)| d.is_empty()) {
        return None;
    }
    let puncts: Vec<char> = groups
        .iter()
        .filter_map(|g| g.0)
        .filter(|c| matches!(c, '.' | ','))
        .collect();
    let decimal_sep = decimal_separator(&groups, &puncts, currency)?;
    let (int_groups, frac) = match decimal_sep {
        Some(_) => {
            let (last, rest) = groups.split_last()?;
            (rest, Some(last.1))
        }
        None => (groups.as_slice(), None),
    };
    if !thousands_groups_ok(int_groups, currency) {
        return None;
    }
    let mut text: String = int_groups.iter().map(|g| g.1).collect();
    if let Some(frac) = frac {
        text.push('.');
        text.push_str(frac);
    }
    Decimal::from_str(&text).ok()
}

/// Which separator is the decimal point: `Some(c)` for the last group's separator, `None`
/// when all separators group thousands; `Err`-like `None` outer when inconsistent.
fn decimal_separator(
    groups: &[(Option<char>, &str)],
    puncts: &[char],
    currency: Currency,
) -> Option<Option<char>> {
    let last_sep = groups.last()?.0;
    let Some(last) = last_sep else {
        return Some(None);
    };
    if !matches!(last, '.' | ',') {
        return Some(None);
    }
    let same = puncts.iter().filter(|&&c| c == last).count();
    let other = puncts.len() - same;
    if other > 0 {
        // Mixed: the last one is the decimal point and must appear only once.
        return (same == 1).then_some(Some(last));
    }
    if same > 1 {
        return Some(None);
    }
    let frac_len = groups.last()?.1.len();
    let int_part: String = groups[..groups.len() - 1].iter().map(|g| g.1).collect();
    let three_decimals = THREE_DECIMAL_CURRENCIES.contains(&currency.as_str());
    let zero_int = int_part.trim_start_matches('0').is_empty();
    let grouped_before = groups.len() > 2; // e.g. "1 299.000" with a space group
    if frac_len == 3 && !three_decimals && !zero_int && !grouped_before {
        Some(None)
    } else {
        Some(Some(last))
    }
}

fn thousands_groups_ok(groups: &[(Option<char>, &str)], currency: Currency) -> bool {
    let Some((first, rest)) = groups.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    if rest.iter().all(|g| g.1.len() == 3) && (1..=3).contains(&first.1.len()) {
        return true;
    }
    // Indian lakh grouping: 1,29,999 / 12,34,56,789.
    currency.as_str() == "INR"
        && (1..=2).contains(&first.1.len())
        && rest
            .split_last()
            .is_some_and(|(last, mid)| last.1.len() == 3 && mid.iter().all(|g| g.1.len() == 2))
}
