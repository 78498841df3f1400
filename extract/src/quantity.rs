//! Reading pack sizes and strengths ("Oxycodone 30mg x 60 tablets", "30片/盒", "pack of 30").
//!
//! The count of units is what turns a price into a unit price, so the parser prefers an
//! explicit count with a dosage form ("60 tablets", "30片") over weaker cues ("pack of 30",
//! "x 30"). The first strength in the text is the unit strength.

use std::str::FromStr;
use std::sync::LazyLock;

use pharmwatch_model::{Quantity, Strength};
use regex::{Captures, Regex};
use rust_decimal::Decimal;

use crate::text::truncate_at_char;

const MAX_QUANTITY_TEXT: usize = 4096;

/// Latin/Cyrillic dosage-form words, longest alternatives first, with their canonical form.
const LATIN_FORMS: &[(&str, &str)] = &[
    (
        r"tablets?|tabletas?|tabletten|tabs?|tbl|comprimidos?|comprimés?|comprimes?|compresse|таблет\w*",
        "tablet",
    ),
    (
        r"capsules?|caps?|cápsulas?|capsulas?|gélules?|gelules?|kapseln|капсул\w*",
        "capsule",
    ),
    (r"softgels?", "softgel"),
    (
        r"pills?|pillen|pastillas?|pílulas?|pilules?|пилюл\w*",
        "pill",
    ),
    (
        r"pens?|stylos?|canetas?|plumas?|шприц-ручк\w*|ручк\w*",
        "pen",
    ),
    (r"vials?|flacons?|viales?|frascos?-ampolas?", "vial"),
    (r"ampoules?|ampules?|ampollas?|ampolas?|ампул\w*", "ampoule"),
    (r"injections?|syringes?", "injection"),
    (r"sachets?|sobres?", "sachet"),
    (r"patch(?:es)?|parches?", "patch"),
    (r"strips?", "strip"),
    (r"pcs|pieces?|pc|units?|stück|stk|шт", "piece"),
    (r"ct|count", ""),
];

/// Chinese/Japanese counters, which have no word boundary after them.
const CJK_FORMS: &[(&str, &str)] = &[
    ("片", "tablet"),
    ("錠", "tablet"),
    ("粒", "capsule"),
    ("胶囊", "capsule"),
    ("颗", "capsule"),
    ("丸", "pill"),
    ("支", "pen"),
    ("针", "injection"),
    ("袋", "sachet"),
    ("贴", "patch"),
    ("瓶", "vial"),
];

fn latin_alternation() -> String {
    LATIN_FORMS
        .iter()
        .map(|(p, _)| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|")
}

fn cjk_alternation() -> String {
    CJK_FORMS
        .iter()
        .map(|(p, _)| *p)
        .collect::<Vec<_>>()
        .join("|")
}

const STRENGTH_UNITS: &str = r"mg/ml|mcg/ml|µg/ml|μg/ml|iu/ml|mg/g|milligrams?|micrograms?|grams?|mg|mcg|µg|μg|ug|iu|i\.u\.|ml|g|毫克|微克|毫升|克";

static STRENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(\d{{1,6}}(?:[.,]\d{{1,4}})?)\s*({STRENGTH_UNITS})(?:[^a-zA-Z]|$)"
    ))
    .unwrap_or_else(|e| unreachable!("strength regex: {e}"))
});

static FORMS: LazyLock<String> = LazyLock::new(|| {
    format!(
        r"(?:(?P<latin>{})\b|(?P<cjk>{}))",
        latin_alternation(),
        cjk_alternation()
    )
});

/// "3 x 0.5 mg pens": a count times a strength, with an optional form after it.
static COUNT_TIMES_STRENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\d.,])(?P<n>\d{{1,5}})\s*[x×*]\s*\d{{1,6}}(?:[.,]\d{{1,4}})?\s*(?:{STRENGTH_UNITS})(?:\s*{forms})?",
        forms = &*FORMS
    ))
    .unwrap_or_else(|e| unreachable!("count×strength regex: {e}"))
});

/// "2 x 30 tablets": packs times units per pack.
static PACKS_TIMES_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\d.,])(?P<p>\d{{1,3}})\s*[x×]\s*(?P<n>\d{{1,5}})\s*{forms}",
        forms = &*FORMS
    ))
    .unwrap_or_else(|e| unreachable!("packs×count regex: {e}"))
});

/// "3 strips of 10 tablets", "2 boxes x 28 caps", "2 blisters de 14": containers times units
/// in each.
static CONTAINERS_OF_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\d.,])(?P<p>\d{{1,3}})\s*(?:strips?|blisters?(?:\s+packs?)?|packs?|packets?|boxes|box|bottles?|sheets?|cards?|tubes?|cajas?|blíster(?:es)?|boîtes?|boites?|packungen?|упаков\w*|блистер\w*|пластин\w*)\s*(?:of|x|×|with|de|da|di|à|a|mit|zu|je|по|из)\s*(?P<n>\d{{1,5}})(?:\s*{forms})?",
        forms = &*FORMS
    ))
    .unwrap_or_else(|e| unreachable!("containers-of-count regex: {e}"))
});

/// "2 x 28" with no form after it: packs times units, unless a unit follows (a strength,
/// a size: "2 x 5 ml", "60 x 30 cm").
static PACKS_TIMES_BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w.,])(?P<p>\d{1,3})\s*[x×]\s*(?P<n>\d{1,5})(?P<after>\s*[^\s\d]{0,6})")
        .unwrap_or_else(|e| unreachable!("packs×bare regex: {e}"))
});

/// "3 for $10", "2 pour 15 €", "3 für 20 €": a multi-buy of that many units.
static N_FOR_PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\d.,])(?P<n>\d{1,4})\s+(?:for|pour|für|por)\s+[^\d\s]{0,4}\s?\d")
        .unwrap_or_else(|e| unreachable!("n-for-price regex: {e}"))
});

/// "60 tablets", "20 tabs", "30片", "10 粒", "x 60 pills".
static COUNT_FORM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[^\d.,])(?P<n>\d{{1,6}})\s*{forms}",
        forms = &*FORMS
    ))
    .unwrap_or_else(|e| unreachable!("count+form regex: {e}"))
});

/// "pack of 30", "box of 28", "caja de 30", "упаковка из 30".
static PACK_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:pack|packet|box|bottle|blister|set|lot|caja|boîte|boite|frasco|caixa|pacote|confezione|packung|упаковка|пачка)\s+(?:of|de|da|di|mit|из|по)\s+(?P<n>\d{1,6})\b")
        .unwrap_or_else(|e| unreachable!("pack-of regex: {e}"))
});

/// "4er-Set", "3er Pack", "6er-Packung": German counts of a set.
static NER_SET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<n>\d{1,3})er[-\s]?(?:set|pack|packung|pckg)\b")
        .unwrap_or_else(|e| unreachable!("n-er set regex: {e}"))
});

/// "x 30", "×30" not followed by a strength unit.
static TIMES_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w])[x×]\s*(?P<n>\d{1,6})(?P<after>\s*[a-zA-Z%µμ毫微克]*)")
        .unwrap_or_else(|e| unreachable!("times-count regex: {e}"))
});

static LATIN_FORM_RES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    LATIN_FORMS
        .iter()
        .filter_map(|(pattern, canonical)| {
            Regex::new(&format!("^(?i:{pattern})$"))
                .ok()
                .map(|re| (re, *canonical))
        })
        .collect()
});

/// The canonical form named by a FORMS match, if it names one ("ct" does not).
fn form_of(caps: &Captures<'_>) -> Option<String> {
    if let Some(m) = caps.name("latin") {
        let word = m.as_str();
        return LATIN_FORM_RES
            .iter()
            .find(|(re, _)| re.is_match(word))
            .filter(|(_, canonical)| !canonical.is_empty())
            .map(|(_, canonical)| canonical.to_string());
    }
    let cjk = caps.name("cjk")?.as_str();
    CJK_FORMS
        .iter()
        .find(|(w, _)| *w == cjk)
        .map(|(_, c)| c.to_string())
}

/// A dosage form word on its own ("Ozempic 1 mg/ml pen"), used when no count is stated.
/// Chinese counters are not read alone: 支 is also the first half of 支付 (payment).
static FORM_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)\b(?P<latin>{})\b", latin_alternation()))
        .unwrap_or_else(|e| unreachable!("form-only regex: {e}"))
});

fn positive_u32(s: &str) -> Option<u32> {
    s.parse::<u32>().ok().filter(|&n| n > 0)
}

/// Reads units, strength and dosage form from `text`. `None` when none of them is stated.
pub fn parse_quantity(text: &str) -> Option<Quantity> {
    let text = truncate_at_char(text, MAX_QUANTITY_TEXT);
    let strength = parse_strength(text);
    let (units, mut form) = parse_units(text);
    if form.is_none() {
        form = FORM_ONLY.captures(text).and_then(|c| form_of(&c));
    }
    if units.is_none() && strength.is_none() && form.is_none() {
        return None;
    }
    Some(Quantity {
        units,
        strength,
        form,
    })
}

/// The first strength in `text` ("30mg", "0,5 mg", "100 毫克").
pub fn parse_strength(text: &str) -> Option<Strength> {
    let caps = STRENGTH.captures(text)?;
    let value = Decimal::from_str(&caps[1].replace(',', ".")).ok()?;
    if value.is_zero() {
        return None;
    }
    let unit = match caps[2].to_lowercase().as_str() {
        "µg" | "μg" | "ug" | "微克" | "microgram" | "micrograms" => "mcg".to_string(),
        "毫克" | "milligram" | "milligrams" => "mg".to_string(),
        "克" | "gram" | "grams" => "g".to_string(),
        "毫升" => "ml".to_string(),
        "i.u." => "iu".to_string(),
        "µg/ml" | "μg/ml" => "mcg/ml".to_string(),
        other => other.to_string(),
    };
    Some(Strength { value, unit })
}

fn parse_units(text: &str) -> (Option<u32>, Option<String>) {
    if let Some(c) = CONTAINERS_OF_COUNT.captures(text)
        && let (Some(p), Some(n)) = (positive_u32(&c["p"]), positive_u32(&c["n"]))
    {
        // "3 strips of 10" with no form: the form, if any, is stated elsewhere.
        let form = form_of(&c).or_else(|| {
            COUNT_FORM
                .captures(text)
                .and_then(|c| form_of(&c))
                .filter(|f| f != "strip")
        });
        return (p.checked_mul(n), form);
    }
    if let Some(c) = PACKS_TIMES_COUNT.captures(text)
        && let (Some(p), Some(n)) = (positive_u32(&c["p"]), positive_u32(&c["n"]))
    {
        return (p.checked_mul(n), form_of(&c));
    }
    for c in PACKS_TIMES_BARE.captures_iter(text) {
        let after = c.name("after").map_or("", |m| m.as_str()).trim();
        let unit_after = !after.is_empty()
            && after.starts_with(|ch: char| ch.is_alphanumeric())
            && (STRENGTH.is_match(&format!("1{after} "))
                || after.to_lowercase().starts_with(['c', 'm', 'x', '×']));
        if !unit_after
            && let (Some(p), Some(n)) = (positive_u32(&c["p"]), positive_u32(&c["n"]))
            && !COUNT_FORM.is_match(text)
        {
            return (p.checked_mul(n), None);
        }
    }
    if let Some(c) = COUNT_FORM.captures(text)
        && let Some(n) = positive_u32(&c["n"])
    {
        return (Some(n), form_of(&c));
    }
    if let Some(c) = COUNT_TIMES_STRENGTH.captures(text)
        && let Some(n) = positive_u32(&c["n"])
    {
        return (Some(n), form_of(&c));
    }
    if let Some(c) = PACK_OF.captures(text).or_else(|| NER_SET.captures(text)) {
        return (positive_u32(&c["n"]), None);
    }
    if let Some(c) = N_FOR_PRICE.captures(text)
        && let Some(n) = positive_u32(&c["n"])
    {
        return (Some(n), None);
    }
    for c in TIMES_COUNT.captures_iter(text) {
        let after = c.name("after").map_or("", |m| m.as_str()).trim();
        if after.is_empty() || !STRENGTH.is_match(&format!("1{after} ")) {
            return (positive_u32(&c["n"]), None);
        }
    }
    (None, None)
}
