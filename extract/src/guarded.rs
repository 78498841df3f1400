//! Regexes with Unicode word boundaries (`\b`), made cheap on non-ASCII text without changing
//! what they match.
//!
//! The `regex` crate's lazy DFA handles a Unicode `\b` only on ASCII haystacks: the first
//! non-ASCII byte of a page ("·", "€", Cyrillic, Chinese) sends the search to its NFA engines,
//! an order of magnitude slower. A [`GuardedRegex`] first runs a *gate*: the same pattern with
//! each Unicode word assertion replaced by one the DFA handles on any text and that holds
//! whenever the original does (an ASCII `\b` where the neighbouring pattern character is an
//! ASCII word character, else no assertion at all). Every match of the original is a match of
//! the gate, so where the gate finds nothing the original finds nothing, and the original's
//! first match starts no earlier than the gate's; the original then runs from there only.
//! Results are exactly those of the original regex.

use std::sync::OnceLock;

use regex::{Captures, Match, Regex};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A regex plus a cheaper gate whose matches include all of its matches.
#[derive(Debug)]
pub(crate) struct GuardedRegex {
    pattern: String,
    /// Compiled on first use when there is a gate: most pages never get past most gates,
    /// and compiling costs more than a page's searches.
    exact: OnceLock<Regex>,
    /// `None` when the pattern has no Unicode word assertion (it is fast as it is) or can
    /// match the empty string (the iteration below assumes matches make progress).
    gate: Option<Regex>,
}

impl GuardedRegex {
    /// Compiles the gate of `pattern` (or, without one, `pattern` itself).
    pub(crate) fn new(pattern: &str) -> Result<Self, regex::Error> {
        let gate = gate_pattern(pattern).map(|g| Regex::new(&g)).transpose()?;
        let exact = OnceLock::new();
        if gate.is_none() {
            let _ = exact.set(Regex::new(pattern)?);
        }
        Ok(GuardedRegex {
            pattern: pattern.to_string(),
            exact,
            gate,
        })
    }

    /// The regex whose results every method reproduces. Its pattern parsed already (the gate
    /// was derived from it) and the crate's tests compile every one, so this cannot fail.
    fn exact(&self) -> &Regex {
        self.exact.get_or_init(|| {
            Regex::new(&self.pattern)
                .unwrap_or_else(|e| unreachable!("regex {} compiled in tests: {e}", self.pattern))
        })
    }

    /// Where the first match may start at or after `from`; `None` when there is none.
    fn first_possible(&self, text: &str, from: usize) -> Option<usize> {
        match &self.gate {
            Some(gate) => gate.find_at(text, from).map(|m| m.start()),
            None => Some(from),
        }
    }

    /// Same as [`Regex::is_match`].
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.first_possible(text, 0)
            .is_some_and(|p| self.exact().is_match_at(text, p))
    }

    /// Same as [`Regex::find`].
    pub(crate) fn find<'h>(&self, text: &'h str) -> Option<Match<'h>> {
        let p = self.first_possible(text, 0)?;
        self.exact().find_at(text, p)
    }

    /// Same as [`Regex::captures_iter`].
    pub(crate) fn captures_iter<'r, 'h>(
        &'r self,
        text: &'h str,
    ) -> impl Iterator<Item = Captures<'h>> + use<'r, 'h> {
        let (gated, plain) = match &self.gate {
            Some(gate) => (Some(self.gated(gate, text, Regex::captures_at)), None),
            None => (None, Some(self.exact().captures_iter(text))),
        };
        gated
            .into_iter()
            .flatten()
            .chain(plain.into_iter().flatten())
    }

    /// Same as [`Regex::find_iter`].
    pub(crate) fn find_iter<'r, 'h>(
        &'r self,
        text: &'h str,
    ) -> impl Iterator<Item = Match<'h>> + use<'r, 'h> {
        let (gated, plain) = match &self.gate {
            Some(gate) => (Some(self.gated(gate, text, Regex::find_at)), None),
            None => (None, Some(self.exact().find_iter(text))),
        };
        gated
            .into_iter()
            .flatten()
            .chain(plain.into_iter().flatten())
    }

    /// Successive results of `search` (the exact regex from a start position), each search
    /// starting where the gate's next match does.
    fn gated<'r, 'h, T: HasEnd + 'h>(
        &'r self,
        gate: &'r Regex,
        text: &'h str,
        search: fn(&Regex, &'h str, usize) -> Option<T>,
    ) -> impl Iterator<Item = T> + use<'r, 'h, T> {
        let mut from = Some(0);
        std::iter::from_fn(move || {
            let at = gate.find_at(text, from?)?.start();
            let found = search(self.exact(), text, at);
            // Matches are never empty (see `gate_pattern`): the next search starts past this one.
            from = found.as_ref().map(HasEnd::end);
            found
        })
    }
}

/// The end of a match, for the iteration in [`GuardedRegex::gated`].
trait HasEnd {
    fn end(&self) -> usize;
}

impl HasEnd for Match<'_> {
    fn end(&self) -> usize {
        Match::end(self)
    }
}

impl HasEnd for Captures<'_> {
    fn end(&self) -> usize {
        self.get_match().end()
    }
}

/// The gate of `pattern`, or `None` when it needs none (or has no safe one).
pub(crate) fn gate_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let props = hir.properties();
    if !props.look_set().contains_word_unicode() || props.minimum_len().is_none_or(|n| n == 0) {
        return None;
    }
    let gate = loosen(hir);
    (!gate.properties().look_set().contains_word_unicode()).then(|| gate.to_string())
}

/// `hir` with its Unicode word assertions replaced by weaker ones the DFA handles.
fn loosen(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Look(look) if is_unicode_word(look) => Hir::empty(),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Concat(subs) => {
            let n = subs.len();
            let ascii_word_before: Vec<bool> = (0..n)
                .map(|i| i > 0 && last_is_ascii_word(&subs[i - 1]))
                .collect();
            let ascii_word_after: Vec<bool> = (0..n)
                .map(|i| i + 1 < n && first_is_ascii_word(&subs[i + 1]))
                .collect();
            let subs = subs
                .into_iter()
                .enumerate()
                .map(|(i, sub)| match sub.kind() {
                    // Next to a character that is an ASCII word character, a Unicode boundary
                    // implies an ASCII one (the other side is a non-word character either way).
                    HirKind::Look(Look::WordUnicode)
                        if ascii_word_before[i] || ascii_word_after[i] =>
                    {
                        Hir::look(Look::WordAscii)
                    }
                    _ => loosen(sub),
                })
                .collect();
            Hir::concat(subs)
        }
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(loosen).collect()),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(loosen(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(loosen(*cap.sub));
            Hir::capture(cap)
        }
        kind @ (HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_)) => rebuild(kind),
    }
}

fn rebuild(kind: HirKind) -> Hir {
    match kind {
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Class(class) => Hir::class(class),
        _ => Hir::empty(),
    }
}

fn is_unicode_word(look: Look) -> bool {
    matches!(
        look,
        Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether every character `hir` can start with is an ASCII word character.
fn first_is_ascii_word(hir: &Hir) -> bool {
    edge_is_ascii_word(hir, <[u8]>::first, <[Hir]>::first)
}

/// Whether every character `hir` can end with is an ASCII word character.
fn last_is_ascii_word(hir: &Hir) -> bool {
    edge_is_ascii_word(hir, <[u8]>::last, <[Hir]>::last)
}

/// Whether the character at one edge of every match of `hir` is an ASCII word character;
/// `byte` and `sub` pick that edge of a literal and of a concatenation.
fn edge_is_ascii_word(
    hir: &Hir,
    byte: fn(&[u8]) -> Option<&u8>,
    sub: fn(&[Hir]) -> Option<&Hir>,
) -> bool {
    let consumes = |h: &Hir| h.properties().minimum_len().is_some_and(|n| n > 0);
    match hir.kind() {
        HirKind::Literal(lit) => byte(&lit.0).is_some_and(|&b| is_ascii_word_byte(b)),
        HirKind::Class(class) => class_is_ascii_word(class),
        HirKind::Repetition(rep) if rep.min > 0 => edge_is_ascii_word(&rep.sub, byte, sub),
        HirKind::Capture(cap) => edge_is_ascii_word(&cap.sub, byte, sub),
        HirKind::Concat(subs) => {
            sub(subs).is_some_and(|h| consumes(h) && edge_is_ascii_word(h, byte, sub))
        }
        HirKind::Alternation(subs) => subs
            .iter()
            .all(|h| consumes(h) && edge_is_ascii_word(h, byte, sub)),
        _ => false,
    }
}

/// Case-insensitive `s` and `k` are classes with `ſ` and the Kelvin sign: not ASCII.
fn class_is_ascii_word(class: &Class) -> bool {
    match class {
        Class::Unicode(c) => c.ranges().iter().all(|r| {
            (r.start()..=r.end()).all(|ch| u8::try_from(ch).is_ok_and(is_ascii_word_byte))
        }),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .all(|r| (r.start()..=r.end()).all(is_ascii_word_byte)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every guarded regex of the crate.
    fn all() -> Vec<&'static GuardedRegex> {
        [
            crate::contacts::guarded_regexes(),
            crate::claims::guarded_regexes(),
            crate::gtin::guarded_regexes(),
            crate::identifiers::guarded_regexes(),
            crate::payment::guarded_regexes(),
            crate::shipping::guarded_regexes(),
        ]
        .concat()
    }

    fn spans(caps: &Captures<'_>) -> Vec<Option<(usize, usize)>> {
        caps.iter()
            .map(|m| m.map(|m| (m.start(), m.end())))
            .collect()
    }

    /// Panics unless every method of `g` gives what its exact regex gives on `text`.
    fn assert_same(g: &GuardedRegex, text: &str) {
        let re = g.exact();
        let ctx = || format!("pattern {} on {text:?}", re.as_str());
        assert_eq!(g.is_match(text), re.is_match(text), "{}", ctx());
        assert_eq!(g.find(text), re.find(text), "{}", ctx());
        assert_eq!(
            g.find_iter(text).collect::<Vec<_>>(),
            re.find_iter(text).collect::<Vec<_>>(),
            "{}",
            ctx()
        );
        assert_eq!(
            g.captures_iter(text).map(|c| spans(&c)).collect::<Vec<_>>(),
            re.captures_iter(text)
                .map(|c| spans(&c))
                .collect::<Vec<_>>(),
            "{}",
            ctx()
        );
    }

    /// Words next to letters that are word characters only in Unicode (é, ſ, the Kelvin
    /// sign, Cyrillic, Chinese, full-width), where ASCII and Unicode `\b` disagree.
    const TRICKY: &[&str] = &[
        "Pay with bitcoin, BTC or USDT; visa & mastercard",
        "ébtc btcé étether ethé ÉVISA",
        "\u{17f}epa sepa \u{17f}tealth \u{212a}iwi qiwi",
        "ѕepa (Cyrillic dze) сепа visaя явиса",
        "比特币btc西联汇款visa微信支付",
        "ｂｉｔｃｏｉｎ ＢＴＣ ｖｉｓａ full-width",
        "Оплата: биткоин, киви, наличными; доставка по всему миру без таможни",
        "WhatsApp: +44 7700 900123 · Telegram: @rx_shop_24 · 微信: rxshop88 · тел. +7 999 123-45-67",
        "whatsappé: +44 7700 900123, ételegram @abcdef, Signal: @name.x, wickr me: dealer_1",
        "mail rx.sales@pharma-shop.com or rx [at] shop [dot] com, ébob@x.com",
        "GTIN: 4006381333931 EAN-13 5012345678900 条形码：6901234567892 éean: 12345670",
        "Licensed Canadian pharmacy · Pharmacy licence no. 4471 · GPhC · 药品经营许可证 · unlicensed pharmacy",
        "Manufacturer: Pfizer Ltd\nBatch No.: CP23K117\nExp: 11/2027 ébatch: X1 loté 12",
        "生产企业：辉瑞制药有限公司\n批号：20240311\n有效期至：2027年03月",
        "Fabriqué par Sanofi. N° de lot : 7781X. Date d’expiration : 12/2026",
        "Viagra 100mg x 30 tablets · 2 x 30 tabs · 3 x 0.5 mg pens · pack of 30 · caja de 30 · упаковка из 30 · 30片",
        "tabletsé 30 tabletsя, 10 capsules, 1 pen, таблетки 20 шт",
        "0x52908400098527886E0F7030069857D2E4169EE7 1BoatSLRHtKNngkdXEeobR76b53LETtpyT TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "\u{a0}btc\u{a0} _btc_ 9btc9 btc9 9btc ébc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "",
    ];

    #[test]
    fn gates_leave_results_unchanged_on_tricky_text() {
        let regexes = all();
        // All but the two phone/link patterns without `\b` (WhatsApp links, "+" phones).
        assert_eq!(regexes.iter().filter(|g| g.gate.is_none()).count(), 2);
        for g in &regexes {
            for text in TRICKY {
                assert_same(g, text);
            }
        }
    }

    #[test]
    fn gates_loosen_only_unicode_word_assertions() {
        let visa = gate_pattern(r"(?i)\bvisa\b").unwrap_or_default();
        assert_eq!(visa.matches(r"(?-u:\b)").count(), 2, "{visa}");
        // Case-insensitive s and k have non-ASCII forms (ſ, the Kelvin sign): no ASCII \b.
        let sepa = gate_pattern(r"(?i)\bsepa\b").unwrap_or_default();
        assert_eq!(sepa.matches(r"(?-u:\b)").count(), 1, "{sepa}");
        // Next to a non-ASCII letter the assertion goes.
        let tel = gate_pattern(r"\bтел\b").unwrap_or_default();
        assert!(!tel.contains(r"\b"), "{tel}");
        assert!(tel.contains("тел"), "{tel}");
        // Nothing to do, or nothing safe to do.
        assert_eq!(gate_pattern(r"(?-u:\b)x"), None);
        assert_eq!(gate_pattern(r"btc"), None);
        assert_eq!(gate_pattern(r"\b(?:x)?"), None);
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just(":".to_string()),
            Just("\u{a0}".to_string()),
            "[a-zA-Z0-9_@.+:()#-]{1,6}",
            prop::sample::select(vec![
                "é", "ſ", "\u{212a}", "я", "比", "币", "ｂ", "·", "’", "٣", "ä", "ü", "：",
            ])
            .prop_map(str::to_string),
            prop::sample::select(vec![
                "btc",
                "bitcoin",
                "visa",
                "sepa",
                "qiwi",
                "киви",
                "eth",
                "cod",
                "pix",
                "stealth",
                "worldwide",
                "us to eu",
                "tel",
                "тел",
                "whatsapp",
                "wa",
                "telegram",
                "tg",
                "wechat",
                "vx",
                "signal",
                "wickr",
                "gtin",
                "ean",
                "条形码",
                "batch",
                "lot",
                "exp",
                "licensed pharmacy",
                "licence no",
                "GPhC",
                "manufacturer",
                "made by",
                "pack of",
                "tablets",
                "tabs",
                "x",
                "mg",
                "片",
                "30",
                "4006381333931",
                "+44 7700 900123",
                "@rx_shop",
                "a@b.co",
                "[at]",
                "[dot]",
                "überweisung",
                "envío gratis",
                "批号",
                "有效期至",
            ])
            .prop_map(str::to_string),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn gates_leave_results_unchanged(parts in prop::collection::vec(fragment(), 0..24)) {
            let text = parts.concat();
            for g in all() {
                assert_same(g, &text);
            }
        }
    }
}
