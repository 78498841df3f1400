//! Ways to reach a seller found in free text: e-mail, phone, messaging handles, wallets.
//!
//! Messaging handles are read only after their label ("WhatsApp:", "Telegram: @x", "微信:",
//! `t.me/x`, `wa.me/…`), so that a bare "@name" or a number in a sentence is not taken for a
//! contact. A number after a messaging label is that app's contact, not a plain phone: rules
//! tell "messaging-only contact" apart from "has a phone". Wallets are kept only when their
//! checksum holds (see [`crate::wallet`]).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use pharmwatch_model::{Contact, ContactKind};

use crate::guarded::GuardedRegex;
use crate::text::truncate_at_char;
use crate::wallet::{WalletKind, classify_wallet};

/// Text beyond this many bytes is not scanned (hostile pages).
pub const MAX_CONTACT_TEXT: usize = 256 * 1024;
/// At most this many contacts are reported per text.
pub const MAX_CONTACTS: usize = 200;

fn re(pattern: &str) -> GuardedRegex {
    GuardedRegex::new(pattern).unwrap_or_else(|e| unreachable!("contact regex {pattern}: {e}"))
}

/// Phone digits with separators on one line.
const PHONE: &str = r"\+?\(?\d[\d \t\u{a0}().\-]{5,20}\d";

static EMAIL: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(
        r"(?i)\b[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?)*\.[a-z]{2,24}\b",
    )
});

/// "name [at] domain [dot] com", "name(at)domain(dot)com": addresses spelled out against
/// harvesters, common on rogue shops.
static EMAIL_SPELLED: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?P<user>[a-z0-9][a-z0-9._%+\-]{0,63})\s*[\[\(\{]\s*at\s*[\]\)\}]\s*(?P<domain>[a-z0-9\-]{1,63}(?:(?:\s*[\[\(\{]\s*dot\s*[\]\)\}]\s*|\.)[a-z0-9\-]{1,63}){1,4})",
    )
});
static SPELLED_DOT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)\s*[\[\(\{]\s*dot\s*[\]\)\}]\s*")
        .unwrap_or_else(|e| unreachable!("spelled dot regex: {e}"))
});

static WHATSAPP: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:\bwhats\s?app\b|\bwa\b|واتساب|ватсап|вотсап)\s*(?:number|no\.?|nr\.?|id)?\s*(?P<sep>[:：=\-]|@)?\s*(?P<v>{PHONE})"
    ))
});
static WHATSAPP_LINK: LazyLock<GuardedRegex> =
    LazyLock::new(|| re(r"(?i)(?:wa\.me/|whatsapp\.com/send/?\?phone=)\+?(?P<v>\d{7,15})"));

static TELEGRAM: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:\btelegram\b|телеграм\w*|\btg\b|电报)\s*(?:id|username)?\s*(?P<sep>[:：=\-]|@)?\s*(?:@(?P<at>[a-z][a-z0-9_]{{4,31}})|(?P<v>{PHONE})|(?P<h>[a-z][a-z0-9_]{{4,31}}))"
    ))
});
static TELEGRAM_LINK: LazyLock<GuardedRegex> =
    LazyLock::new(|| re(r"(?i)\b(?:t|telegram)\.me/(?P<h>[a-z][a-z0-9_]{4,31})\b"));

static WECHAT: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:\bwe\s?chat\b|\bweixin\b|微信号?|\bvx\b|\bwx\b|v信)\s*(?:id|号|号码)?\s*(?P<sep>[:：=\-]|@)?\s*(?:(?P<v>{PHONE})|(?P<h>[a-z][a-z0-9_\-]{{5,19}}))"
    ))
});

static SIGNAL: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\bsignal\b\s*(?:id|number|no\.?|username)?\s*(?P<sep>[:：=]|@)\s*(?:(?P<v>{PHONE})|@?(?P<h>[a-z][a-z0-9_.]{{2,31}}))"
    ))
});

static WICKR: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(
        r"(?i)\bwickr(?:\s*me)?\b\s*(?:id|username)?\s*(?P<sep>[:：=]|@)\s*@?(?P<h>[a-z][a-z0-9_.\-]{2,31})",
    )
});

static PLUS_PHONE: LazyLock<GuardedRegex> = LazyLock::new(|| re(r"\+\d[\d \t\u{a0}().\-]{6,20}\d"));

static LABELLED_PHONE: LazyLock<GuardedRegex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:\btel\b|\bphone\b|\bcall\b|\bmobile\b|\bmob\b|\bcell\b|\btél\b|téléphone|teléfono|telefone|\btelefon\b|телефон|\bтел\b|电话|手机|聯絡電話)\.?\s*(?:number|no\.?|nr\.?|us)?\s*[:：.]?\s*(?P<v>{PHONE})"
    ))
});

static BTC_BASE58: LazyLock<GuardedRegex> =
    LazyLock::new(|| re(r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b"));
static BTC_BECH32: LazyLock<GuardedRegex> =
    LazyLock::new(|| re(r"(?i)\bbc1[02-9ac-hj-np-z]{8,87}\b"));
static ETH: LazyLock<GuardedRegex> = LazyLock::new(|| re(r"\b0[xX][0-9a-fA-F]{40}\b"));
static TRON: LazyLock<GuardedRegex> = LazyLock::new(|| re(r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b"));

/// The guarded regexes of this module, for the gate-equivalence tests.
#[cfg(test)]
pub(crate) fn guarded_regexes() -> Vec<&'static GuardedRegex> {
    vec![
        &EMAIL,
        &EMAIL_SPELLED,
        &WHATSAPP,
        &WHATSAPP_LINK,
        &TELEGRAM,
        &TELEGRAM_LINK,
        &WECHAT,
        &SIGNAL,
        &WICKR,
        &PLUS_PHONE,
        &LABELLED_PHONE,
        &BTC_BASE58,
        &BTC_BECH32,
        &ETH,
        &TRON,
    ]
}

const FILE_SUFFIXES: &[&str] = &[
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".css", ".js",
];

/// Normalises a phone: `+` and digits (E.164) when a country code is given, else the
/// digits as printed without separators. `None` when the digit count is implausible.
pub fn normalise_phone(raw: &str) -> Option<String> {
    // "+44 (0) 20 …": the bracketed trunk prefix is not dialled from abroad.
    let raw = raw.replace("(0)", "");
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if !(7..=15).contains(&digits.len()) {
        return None;
    }
    if raw.trim_start().starts_with('+') {
        Some(format!("+{digits}"))
    } else {
        Some(digits)
    }
}

struct Found {
    at: usize,
    span: Range<usize>,
    contact: Contact,
}

#[derive(Default)]
struct Collector {
    found: Vec<Found>,
}

impl Collector {
    fn overlaps(&self, span: &Range<usize>) -> bool {
        self.found
            .iter()
            .any(|f| f.span.start < span.end && span.start < f.span.end)
    }

    fn push(&mut self, span: Range<usize>, kind: ContactKind, value: String) {
        if value.is_empty() || self.overlaps(&span) {
            return;
        }
        self.found.push(Found {
            at: span.start,
            span,
            contact: Contact { kind, value },
        });
    }
}

/// Every contact in `text`, in order of appearance, without duplicates.
pub fn parse_contacts(text: &str) -> Vec<Contact> {
    let text = truncate_at_char(text, MAX_CONTACT_TEXT);
    let mut c = Collector::default();
    wallets(text, &mut c);
    messaging(text, &mut c);
    emails(text, &mut c);
    phones(text, &mut c);
    c.found.sort_by_key(|f| f.at);
    let mut seen = HashSet::new();
    c.found
        .into_iter()
        .map(|f| f.contact)
        .filter(|contact| seen.insert(contact.clone()))
        .take(MAX_CONTACTS)
        .collect()
}

fn wallets(text: &str, c: &mut Collector) {
    for re in [&*BTC_BECH32, &*BTC_BASE58, &*ETH, &*TRON] {
        for m in re.find_iter(text) {
            let kind = match classify_wallet(m.as_str()) {
                Some(WalletKind::Bitcoin) => ContactKind::BitcoinWallet,
                Some(WalletKind::Ethereum) => ContactKind::EthereumWallet,
                Some(WalletKind::Tron) => ContactKind::TronWallet,
                None => {
                    tracing::debug!(
                        address = m.as_str(),
                        "wallet-like string failed its checksum"
                    );
                    continue;
                }
            };
            c.push(m.range(), kind, m.as_str().to_string());
        }
    }
}

/// A handle or number after a messaging label; a bare word needs a `:`/`@` separator.
fn labelled(re: &GuardedRegex, text: &str, kind: ContactKind, c: &mut Collector) {
    for caps in re.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let has_sep = caps.name("sep").is_some();
        let value = if let Some(at) = caps.name("at") {
            Some(at.as_str().to_lowercase())
        } else if let Some(v) = caps.name("v") {
            normalise_phone(v.as_str())
        } else if let Some(h) = caps.name("h") {
            has_sep.then(|| h.as_str().to_lowercase())
        } else {
            None
        };
        if let Some(value) = value {
            c.push(whole.range(), kind, value);
        }
    }
}

fn messaging(text: &str, c: &mut Collector) {
    for caps in WHATSAPP_LINK.captures_iter(text) {
        if let (Some(m), Some(v)) = (caps.get(0), caps.name("v")) {
            c.push(m.range(), ContactKind::Whatsapp, format!("+{}", v.as_str()));
        }
    }
    for caps in TELEGRAM_LINK.captures_iter(text) {
        if let (Some(m), Some(h)) = (caps.get(0), caps.name("h")) {
            c.push(m.range(), ContactKind::Telegram, h.as_str().to_lowercase());
        }
    }
    labelled(&WHATSAPP, text, ContactKind::Whatsapp, c);
    labelled(&TELEGRAM, text, ContactKind::Telegram, c);
    labelled(&WECHAT, text, ContactKind::Wechat, c);
    labelled(&SIGNAL, text, ContactKind::Signal, c);
    labelled(&WICKR, text, ContactKind::Wickr, c);
}

fn emails(text: &str, c: &mut Collector) {
    for caps in EMAIL_SPELLED.captures_iter(text) {
        let (Some(m), Some(user), Some(domain)) =
            (caps.get(0), caps.name("user"), caps.name("domain"))
        else {
            continue;
        };
        let domain = SPELLED_DOT.replace_all(domain.as_str(), ".").to_lowercase();
        let tld_ok = domain
            .rsplit('.')
            .next()
            .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()));
        if domain.contains('.') && tld_ok {
            c.push(
                m.range(),
                ContactKind::Email,
                format!("{}@{domain}", user.as_str().to_lowercase()),
            );
        }
    }
    for m in EMAIL.find_iter(text) {
        let value = m.as_str().to_lowercase();
        if FILE_SUFFIXES.iter().any(|s| value.ends_with(s)) {
            continue;
        }
        c.push(m.range(), ContactKind::Email, value);
    }
}

fn phones(text: &str, c: &mut Collector) {
    for caps in LABELLED_PHONE.captures_iter(text) {
        if let (Some(m), Some(v)) = (caps.get(0), caps.name("v"))
            && let Some(value) = normalise_phone(v.as_str())
        {
            c.push(m.range(), ContactKind::Phone, value);
        }
    }
    for m in PLUS_PHONE.find_iter(text) {
        if let Some(value) = normalise_phone(m.as_str()) {
            c.push(m.range(), ContactKind::Phone, value);
        }
    }
}
