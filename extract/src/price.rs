//! Reading a price ("$1,299.00", "1.299,00 €", "128元", "from US$ 89.99", "$1.04/pill")
//! into an amount, a currency and whether it is a per-unit price.
//!
//! No Rust crate does what Zyte's `price-parser` does, so this is a small tokenizer: it finds
//! currency marks (symbols, ISO codes, local words: the table in [`crate::currency`]) and
//! numbers, pairs a number with an adjacent mark, and reads the number's separators.
//!
//! The text given is taken to be a price's text (a price element, a JSON-LD `price`, the
//! words after a title), so a number in it is an amount even without a currency mark:
//! - A number paired with a mark wins; else the first number that reads as an amount. Numbers
//!   glued to letters ("30mg", "A215"), followed by a unit or dosage form ("30 tablets",
//!   "2 x 28", "20%"), or part of a phone number ("+1 555 …") are not amounts.
//! - The currency is the mark's, else the hint's (the site's currency, or the currency named
//!   by the page's currency element: [`currency_in_text`]), else unknown: [`PriceParts`]
//!   keeps the amount, [`parse_price`] (which returns [`Money`]) gives `None`.
//! - Decimal or thousands separator, by general rules: with both `.` and `,` the last one is
//!   the decimal point; one kind repeated groups thousands (`1.299.000`); one separator
//!   followed by exactly three digits groups thousands ("1,299", "1.299") except when the
//!   integer part is 0 ("0.299") or the currency has three minor digits (KWD, BHD, OMR, JOD,
//!   TND, crypto); one or two (or four and more) digits after it make it a decimal point.
//!   Space and `'` group thousands ("1 400", "1'299.50"); Indian grouping ("1,29,999") for INR.
//! - Sloppy spacing as shops print it: "$ 8. 94" and "1.837, 32 €" (a separator, one space,
//!   two digits, nothing after: cents), "35€ 99" (cents after the symbol), ".75 €" (no
//!   integer part).
//! - A range ("$10 - $20", "10–20 €", "from 10 to 20 USD") gives its lower bound.
//! - "Call for price", "price on request", 面议 give no amount; "Free", "gratis" give 0.
//!   [`parse_price`] drops zero amounts (a listing priced 0 is a placeholder).
//! - A per-unit price ("$1.04/pill", "€2 per tab", "0,80 € pro Tablette", "5元/粒",
//!   "30 руб. за таблетку", "1 € la pastilla", "$40.00 each") sets [`PriceParts::per_unit`].
//! - Only the first 2 KiB of `text` are read; the work is linear in that.

use std::str::FromStr;
use std::sync::LazyLock;

use pharmwatch_model::{Currency, Money};
use regex::Regex;
use rust_decimal::Decimal;

use crate::currency::{MARKS, Mark, resolve};
use crate::text::truncate_at_char;

const MAX_PRICE_TEXT: usize = 2048;

/// What a price text says: the amount, its currency and whether it is per unit. Any part
/// may be missing ("49.99" alone has no currency; "€" alone has no amount).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PriceParts {
    /// The amount as printed (zero for "Free", "$0.00").
    pub amount: Option<Decimal>,
    /// The currency of the mark, else of the hint.
    pub currency: Option<Currency>,
    /// The amount is the price of one unit (tablet, capsule, piece), not of the offer.
    pub per_unit: bool,
}

impl PriceParts {
    /// The price as [`Money`] when amount and currency are known and the amount is not zero.
    pub fn money(&self) -> Option<Money> {
        let amount = self.amount.filter(|a| !a.is_zero())?;
        Some(Money::new(amount, self.currency?))
    }
}

/// Why a currency hint names no currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HintError {
    /// The text holds no currency mark this parser knows.
    #[error(
        "no currency in `{0}`: give an ISO 4217 code (EUR), a symbol (€) or a currency word (руб.)"
    )]
    Unknown(String),
    /// The text's mark is shared by several currencies and nothing tells which.
    #[error("`{0}` is used by several currencies ({1}): give the ISO 4217 code")]
    Ambiguous(String, String),
}

/// The currency named by a page's currency text: an ISO code ("EUR"), a symbol ("€"), a word
/// ("руб."), or a whole neighbouring element ("руб. (шт)", "Price From £ 39.95"). The first
/// mark in the text counts. `$` alone is USD, `¥` alone follows `language`; `kr` alone is
/// an error since four currencies use it.
pub fn currency_in_text(text: &str, language: Option<&str>) -> Result<Currency, HintError> {
    let norm = normalise(truncate_at_char(text, MAX_PRICE_TEXT));
    let toks = tokenize(&norm);
    let Some((start, end, mark)) = toks.iter().find_map(|t| match *t {
        Tok::Mark { start, end, mark } => Some((start, end, mark)),
        Tok::Num { .. } => None,
    }) else {
        return Err(HintError::Unknown(text.trim().to_string()));
    };
    resolve(mark, None, language).ok_or_else(|| {
        let candidates = match mark {
            Mark::Shared(i) => crate::currency::SHARED
                .get(i)
                .map(|s| s.candidates.join(", "))
                .unwrap_or_default(),
            Mark::Fixed(c) => c.to_string(),
        };
        HintError::Ambiguous(norm[start..end].to_string(), candidates)
    })
}

/// Reads the price in `text` as [`Money`]; `hint` is the site's currency, used for bare
/// numbers and for shared symbols (`$`, `¥`, `kr`). `None` without an amount, without a
/// currency, or for a zero amount. See the module docs for the rules.
pub fn parse_price(text: &str, hint: Option<Currency>) -> Option<Money> {
    parse_price_in(text, hint, None)
}

/// Like [`parse_price`], with the page language (BCP 47, e.g. `zh-CN`) used to resolve `¥`
/// when the hint does not.
pub fn parse_price_in(text: &str, hint: Option<Currency>, language: Option<&str>) -> Option<Money> {
    parse_price_parts(text, hint, language).money()
}

/// Everything [`parse_price_in`] reads, kept even when incomplete: the amount without a
/// currency, zero amounts, and whether the price is per unit.
pub fn parse_price_parts(text: &str, hint: Option<Currency>, language: Option<&str>) -> PriceParts {
    let norm = normalise(truncate_at_char(text, MAX_PRICE_TEXT));
    let toks = tokenize(&norm);
    let ctx = Resolve { hint, language };
    if let Some(found) =
        priced_by_mark(&norm, &toks, &ctx).or_else(|| bare_number(&norm, &toks, &ctx))
    {
        return found;
    }
    let currency = toks
        .iter()
        .find_map(|t| match *t {
            Tok::Mark { mark, .. } => resolve(mark, hint, language),
            Tok::Num { .. } => None,
        })
        .or(hint);
    PriceParts {
        amount: says_free(&norm).then_some(Decimal::ZERO),
        currency,
        per_unit: false,
    }
}

/// Whether `text` contains something that reads as a price with an explicit currency mark
/// (used by the page heuristics, which must not take "30 tablets" for a price).
pub fn has_marked_price(text: &str, hint: Option<Currency>, language: Option<&str>) -> bool {
    let norm = normalise(truncate_at_char(text, MAX_PRICE_TEXT));
    let toks = tokenize(&norm);
    priced_by_mark(&norm, &toks, &Resolve { hint, language })
        .and_then(|p| p.money())
        .is_some()
}

/// How many numbers in `text` carry a currency mark ("RRP £55.00 Price £48.99" has two): a
/// text with several is a box of prices, not one price.
pub fn count_marked_prices(text: &str) -> usize {
    let norm = normalise(truncate_at_char(text, MAX_PRICE_TEXT));
    let toks = tokenize(&norm);
    (0..toks.len())
        .filter(|&k| {
            matches!(toks[k], Tok::Num { .. })
                && is_plain_number(&norm, &toks, k)
                && adjacent_mark(&norm, &toks, k).is_some()
        })
        .count()
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
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\u{3000}' | '\t' | '\n' | '\r' => {
                ' '
            }
            _ => c,
        })
        .collect()
}

#[derive(Debug)]
enum Tok {
    /// A number; `tail` is past a zero-cents dash ("45,-", "1'299.–") when there is one.
    /// `fraction` is set for a number written without its integer part (".75").
    Num {
        start: usize,
        end: usize,
        tail: usize,
        fraction: bool,
    },
    Mark {
        start: usize,
        end: usize,
        mark: Mark,
    },
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

fn digits_from(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    j
}

/// End of the number starting at `i` (an ASCII digit): digits joined by `.`, `,`, `'`, `’`,
/// by a space when exactly three digits follow ("1 299,00"), or by a separator and one
/// space before exactly two final digits ("8. 94": cents typed with a stray space).
fn number_end(s: &str, i: usize) -> usize {
    let b = s.as_bytes();
    let mut end = digits_from(b, i);
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
            // "8. 94": separator, one space, two digits, and the number ends there.
            if rest.starts_with(['.', ',']) && b.get(after) == Some(&b' ') {
                let d = after + 1;
                let de = digits_from(b, d);
                // Not a list ("10, 20, 30"): nothing number-like may follow.
                let more = s[de..].strip_prefix(['.', ',']).is_some_and(|r| {
                    r.trim_start_matches(' ')
                        .starts_with(|c: char| c.is_ascii_digit())
                });
                let ends_here = !s[de..].starts_with(|c: char| c.is_alphanumeric()) && !more;
                if de - d == 2 && ends_here {
                    end = de;
                }
            }
            break;
        }
        let next = digits_from(b, after);
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

/// End of a phone-like run after `+` ("+1 555 123-4567"), which holds no price.
fn phone_end(s: &str, i: usize) -> usize {
    let mut end = i + 1;
    for (j, c) in s[i + 1..].char_indices() {
        if c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.') {
            end = i + 1 + j + 1;
        } else {
            break;
        }
    }
    end
}

fn tokenize(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = b[i];
        if c == b'+' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = phone_end(s, i);
            continue;
        }
        if matches!(c, b'.' | b',')
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && !(i > 0 && b[i - 1].is_ascii_digit())
        {
            // ".75 €": a fraction without its integer part when one or two digits follow and
            // the number ends there; otherwise the separator is noise (".750.30").
            let d = i + 1;
            let end = number_end(s, d);
            if end - d <= 2 && s[d..end].bytes().all(|x| x.is_ascii_digit()) {
                toks.push(Tok::Num {
                    start: d,
                    end,
                    tail: end,
                    fraction: true,
                });
                i = end;
                continue;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let end = number_end(s, i);
            let tail = dash_cents_end(s, end);
            toks.push(Tok::Num {
                start: i,
                end,
                tail,
                fraction: false,
            });
            i = tail;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        let word_start = !(ch.is_alphabetic() && is_alpha_before(s, i));
        if word_start
            && MARKS.could_start(ch)
            && let Some((end, mark)) = MARKS.at(s, i)
        {
            toks.push(Tok::Mark {
                start: i,
                end,
                mark,
            });
            i = end;
            continue;
        }
        i += ch.len_utf8();
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
#[derive(Clone, Copy)]
struct Adjacent {
    mark: Mark,
    /// End of the mark when it follows the number.
    after_end: Option<usize>,
    /// The mark follows the number with no space ("35€").
    glued: bool,
}

fn adjacent_mark(s: &str, toks: &[Tok], k: usize) -> Option<Adjacent> {
    let Tok::Num { tail: end, .. } = toks[k] else {
        return None;
    };
    let start = token_start(&toks[k]);
    let before = k.checked_sub(1).and_then(|p| match toks[p] {
        Tok::Mark { end: me, mark, .. } if gap_is_blank(s, me, start) => Some(Adjacent {
            mark,
            after_end: None,
            glued: false,
        }),
        _ => None,
    });
    let after = toks.get(k + 1).and_then(|t| match *t {
        Tok::Mark {
            start: ms,
            end: me,
            mark,
        } if gap_is_blank(s, end, ms) => Some(Adjacent {
            mark,
            after_end: Some(me),
            glued: ms == end,
        }),
        _ => None,
    });
    // "$1,190.00 AUD": a mark naming one currency beats a shared one on the other side.
    match (before, after) {
        (Some(b), Some(a))
            if matches!(b.mark, Mark::Shared(_)) && matches!(a.mark, Mark::Fixed(_)) =>
        {
            Some(a)
        }
        (b, a) => b.or(a),
    }
}

/// A number glued to letters ("30mg", "A215") or used as a percentage is no price.
fn is_plain_number(s: &str, toks: &[Tok], k: usize) -> bool {
    let Tok::Num {
        start,
        tail: end,
        fraction,
        ..
    } = toks[k]
    else {
        return false;
    };
    let start = if fraction { start - 1 } else { start };
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

/// The amount of the number token at `k`.
fn amount_of(s: &str, toks: &[Tok], k: usize, currency: Option<Currency>) -> Option<Decimal> {
    let Tok::Num {
        start,
        end,
        fraction,
        ..
    } = toks[k]
    else {
        return None;
    };
    if fraction {
        return Decimal::from_str(&format!("0.{}", &s[start..end])).ok();
    }
    read_amount(&s[start..end], currency)
}

/// "35€ 99", "1250€ 60": cents printed after a symbol glued to the integer part.
fn cents_after_mark(s: &str, toks: &[Tok], k: usize, mark_end: usize) -> Option<Decimal> {
    let Some(Tok::Num {
        start, end, tail, ..
    }) = toks.get(k + 2)
    else {
        return None;
    };
    let digits = &s[*start..*end];
    let ends_here = !s[*tail..].starts_with(|c: char| c.is_alphanumeric());
    if *start - mark_end <= 1
        && s[mark_end..*start].chars().all(|c| c == ' ')
        && digits.len() == 2
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ends_here
    {
        Decimal::from_str(&format!("0.{digits}")).ok()
    } else {
        None
    }
}

/// The first number paired with a currency mark (directly, or through a range whose other
/// end carries the mark).
fn priced_by_mark(s: &str, toks: &[Tok], ctx: &Resolve<'_>) -> Option<PriceParts> {
    for k in 0..toks.len() {
        let Tok::Num { tail: num_end, .. } = toks[k] else {
            continue;
        };
        if !is_plain_number(s, toks, k) {
            continue;
        }
        let partner = range_partner(s, toks, k);
        let own = adjacent_mark(s, toks, k);
        let Some(adj) = own.or_else(|| partner.and_then(|p| adjacent_mark(s, toks, p))) else {
            continue;
        };
        let currency = resolve(adj.mark, ctx.hint, ctx.language);
        let Some(mut amount) = amount_of(s, toks, k, currency) else {
            continue;
        };
        let mut after = match (&own, partner) {
            (_, Some(p)) => adjacent_mark(s, toks, p)
                .and_then(|a| a.after_end)
                .unwrap_or_else(|| token_tail(&toks[p])),
            (Some(a), None) => a.after_end.unwrap_or(num_end),
            (None, None) => num_end,
        };
        if adj.glued
            && own.is_some()
            && partner.is_none()
            && !s[token_span(&toks[k])].contains(['.', ','])
            && let Some(me) = adj.after_end
            && let Some(cents) = cents_after_mark(s, toks, k, me)
        {
            amount += cents;
            if let Some(t) = toks.get(k + 2) {
                after = token_tail(t);
            }
        }
        if let Some(p) = partner
            && let Some(other) = amount_of(s, toks, p, currency)
            && other < amount
            && !other.is_zero()
        {
            amount = other;
        }
        let per_unit = is_per_unit(&s[after..], &s[..token_start(&toks[k])]);
        return Some(PriceParts {
            amount: Some(amount),
            currency,
            per_unit,
        });
    }
    None
}

fn token_start(t: &Tok) -> usize {
    match *t {
        Tok::Num {
            start, fraction, ..
        } => start - usize::from(fraction),
        Tok::Mark { start, .. } => start,
    }
}

fn token_tail(t: &Tok) -> usize {
    match *t {
        Tok::Num { tail, .. } => tail,
        Tok::Mark { end, .. } => end,
    }
}

fn token_span(t: &Tok) -> std::ops::Range<usize> {
    match *t {
        Tok::Num { start, end, .. } => start..end,
        Tok::Mark { start, end, .. } => start..end,
    }
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
    // The other end must be an amount too: "30,000원~ 29개 구매" is no range.
    if between_end > end
        && between_end - end <= 8
        && is_range_connector(&s[end..between_end])
        && is_plain_number(s, toks, idx)
    {
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

const FREE_WORDS: &[&str] = &[
    "free",
    "gratis",
    "gratuit",
    "gratuito",
    "kostenlos",
    "бесплатно",
    "darmowy",
    "zdarma",
    "免费",
    "無料",
];

fn has_word(s: &str, words: &[&str]) -> bool {
    let lower = s.to_lowercase();
    words.iter().any(|p| {
        lower.match_indices(p).any(|(i, _)| {
            let end = i + p.len();
            !is_alpha_before(&lower, i) && !is_alpha_at(&lower, end)
        })
    })
}

fn says_no_price(s: &str) -> bool {
    has_word(s, NO_PRICE_PHRASES)
}

/// "Free!", "gratis": a price of zero, when the text has no number. Only short texts: a
/// description saying "sugar-free" is no price.
fn says_free(s: &str) -> bool {
    s.chars().count() <= 24 && has_word(s, FREE_WORDS)
}

/// The first number that reads as an amount without a mark next to it.
fn bare_number(s: &str, toks: &[Tok], ctx: &Resolve<'_>) -> Option<PriceParts> {
    if says_no_price(s) {
        return None;
    }
    // A mark elsewhere in the text ("EUR: 45", "Preis (€) 45") still names the currency.
    let currency = toks
        .iter()
        .find_map(|t| match *t {
            Tok::Mark { mark, .. } => resolve(mark, ctx.hint, ctx.language),
            Tok::Num { .. } => None,
        })
        .or(ctx.hint);
    for k in 0..toks.len() {
        if !matches!(toks[k], Tok::Num { .. }) || !is_plain_number(s, toks, k) {
            continue;
        }
        let (start, tail) = (token_start(&toks[k]), token_tail(&toks[k]));
        if counts_something(&s[tail..]) || after_times(&s[..start]) {
            continue;
        }
        let Some(mut amount) = amount_of(s, toks, k, currency) else {
            continue;
        };
        if let Some(p) = range_partner(s, toks, k)
            && let Some(other) = amount_of(s, toks, p, currency)
            && other < amount
            && !other.is_zero()
        {
            amount = other;
        }
        return Some(PriceParts {
            amount: Some(amount),
            currency,
            per_unit: is_per_unit(&s[tail..], &s[..start]),
        });
    }
    None
}

/// Units and dosage forms that make a number a count or a strength, not an amount.
const UNIT_WORDS: &str = r"mg|mcg|µg|μg|ug|g|kg|ml|l|iu|i\.u\.|oz|lb|lbs|cm|mm|m|ft|in|tab(?:let)?s?|tablett?e[ns]?|tabletas?|tabletki?|pills?|pastillas?|píldoras?|pilules?|comprimés?|comprimidos?|compresse|caps?|capsules?|cápsulas?|capsulas?|kapseln?|kapsułk[aię]|softgels?|units?|pcs|pc|pieces?|doses?|dosis|vials?|ampoules?|ampuls?|pens?|injections?|sachets?|strips?|blisters?|bottles?|boxes?|packs?|items?|ct|count|шт\.?|штук[уаи]?|таблет\w*|таб\.?|капсул\w*|ампул\w*|доз\w*|мг|мл|粒|片|颗|顆|支|丸|錠|盒|瓶|袋|毫克|毫升|克";

static COUNTS_SOMETHING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*(?:%|[x×*]\s*\d|(?:{UNIT_WORDS})(?:\b|$|[^\w]))"
    ))
    .unwrap_or_else(|e| unreachable!("counts-something regex: {e}"))
});

/// Whether the text right after a number makes it a count or a strength ("30 tablets",
/// "2 x 28", "100 mg", "20 %").
fn counts_something(after: &str) -> bool {
    COUNTS_SOMETHING.is_match(truncate_at_char(after, 64))
}

/// "x 60": a number after a multiplication sign is a count.
fn after_times(before: &str) -> bool {
    let t = before.trim_end();
    let mut chars = t.chars().rev();
    chars
        .next()
        .is_some_and(|c| matches!(c, 'x' | 'X' | '×' | '*'))
        && !chars.next().is_some_and(char::is_alphabetic)
}

/// The unit a per-unit price is for, in the languages shops write: tablets, capsules, pills,
/// pieces, doses, vials and pens.
const PER_UNITS: &str = r"tab(?:let)?s?|tablett?en?|tabletas?|tabletk[aęi]|pills?|pastillas?|píldoras?|pilules?|pílulas?|comprimés?|comprimidos?|compresse|compressa|caps?|capsules?|cápsulas?|capsulas?|kapseln?|kapsułk[aęi]|softgels?|units?|pcs|pc|pieces?|doses?|dosis|vials?|ampoules?|ampuls?|pens?|injections?|шт\.?|штук[уа]?|таблетк[уаи]|таб\.?|капсул[уаы]?|ампул[уы]?|доз[уы]?|шприц-ручк[уа]|упаковк[уа]";
const PER_UNITS_CJK: &str = "粒|片|颗|顆|支|丸|錠|錠剤|カプセル|针";

static PER_UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*(?:(?:/|per|pro|por|par|para|la|le|the|a|за|за\s+1|за\s+одну|each|1)\s*(?:{PER_UNITS})\b|(?:/|每)\s*(?:1\s*)?(?:{PER_UNITS_CJK})|/?\s*(?:each|ea\.?|apiece|pro\s+stück|/\s*st\.?|/\s*stk\.?)(?:\b|$))"
    ))
    .unwrap_or_else(|e| unreachable!("per-unit regex: {e}"))
});

static PER_UNIT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:\b(?:per|pro|por|par|each|за|price\s+per|preis\s+pro|цена\s+за)\s*(?:{PER_UNITS})|每(?:{PER_UNITS_CJK})|单价|unit\s+price|price\s+each|per\s+unit)\s*[:：\-–]?\s*[^\d\s]{{0,4}}\s*$"
    ))
    .unwrap_or_else(|e| unreachable!("per-unit label regex: {e}"))
});

/// Whether the amount is for one unit: "$1.04/pill", "€2 per tab", "0,80 € pro Tablette",
/// "5元/粒", "30 руб. за таблетку", "$40.00 each"; or a label before it ("Price per pill:").
/// Per bottle, box or pack is the offer's price, not a unit's.
fn is_per_unit(after: &str, before: &str) -> bool {
    let before = {
        let b = before.len().saturating_sub(48);
        let mut b = b;
        while b > 0 && !before.is_char_boundary(b) {
            b -= 1;
        }
        &before[b..]
    };
    PER_UNIT_AFTER.is_match(truncate_at_char(after, 48)) || PER_UNIT_BEFORE.is_match(before)
}

/// Whether a unit name or code names one dose unit, as structured data gives it: schema.org
/// `unitText` ("pill", "Tablette", "за таблетку") or a UN/CEFACT `unitCode` for one piece
/// (C62 "one", H87 "piece", U2 "tablet", EA "each").
pub(crate) fn names_one_unit(unit: &str) -> bool {
    let unit = truncate_at_char(unit.trim(), 48);
    matches!(
        unit.to_ascii_uppercase().as_str(),
        "C62" | "H87" | "U2" | "EA"
    ) || is_per_unit(&format!("/{unit}"), "")
        || is_per_unit(unit, "")
}

/// Reads a number token ("1.299,00", "1'299.50", "1,29,999", "8. 94") with `currency`'s
/// convention when known. Returns `None` when the separators do not make a consistent
/// number.
pub(crate) fn read_amount(token: &str, currency: Option<Currency>) -> Option<Decimal> {
    // "8. 94", "1.837, 32": the space after a separator is a typing slip.
    let cleaned = token.replace(". ", ".").replace(", ", ",");
    let token = cleaned.as_str();
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

const THREE_DECIMAL_CURRENCIES: &[&str] = &[
    "KWD", "BHD", "OMR", "JOD", "TND", "IQD", "LYD", "BTC", "XMR", "ETH", "LTC",
];

/// Which separator is the decimal point: `Some(c)` for the last group's separator, `None`
/// when all separators group thousands; `Err`-like `None` outer when inconsistent.
fn decimal_separator(
    groups: &[(Option<char>, &str)],
    puncts: &[char],
    currency: Option<Currency>,
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
    let three_decimals = currency.is_some_and(|c| THREE_DECIMAL_CURRENCIES.contains(&c.as_str()));
    let zero_int = int_part.trim_start_matches('0').is_empty();
    let grouped_before = groups.len() > 2; // e.g. "1 299.000" with a space group
    if frac_len == 3 && !three_decimals && !zero_int && !grouped_before {
        Some(None)
    } else {
        Some(Some(last))
    }
}

fn thousands_groups_ok(groups: &[(Option<char>, &str)], currency: Option<Currency>) -> bool {
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
    currency.is_some_and(|c| matches!(c.as_str(), "INR" | "PKR" | "NPR" | "LKR" | "BDT"))
        && (1..=2).contains(&first.1.len())
        && rest
            .split_last()
            .is_some_and(|(last, mid)| last.1.len() == 3 && mid.iter().all(|g| g.1.len() == 2))
}
