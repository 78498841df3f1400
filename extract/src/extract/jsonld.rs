//! schema.org Product data in JSON-LD scripts, read leniently.
//!
//! Pages in the wild break JSON-LD in predictable ways: trailing commas, HTML entities
//! (`&quot;`), raw newlines inside strings, HTML comments or CDATA around the JSON, several
//! objects in one script. Each is repaired before giving up on a script.

use std::str::FromStr;
use std::sync::LazyLock;

use pharmwatch_model::{Currency, ExtractionMethod, Gtin, Money};
use rust_decimal::Decimal;
use scraper::{Html, Selector};
use serde_json::{Map, Value};

use super::draft::{Draft, MAX_IMAGES};
use super::{PageInfo, selector};

const M: ExtractionMethod = ExtractionMethod::JsonLd;
/// Scripts larger than this are skipped.
const MAX_SCRIPT_BYTES: usize = 2 * 1024 * 1024;
const MAX_SCRIPTS: usize = 32;
const MAX_PRODUCTS: usize = 500;
const MAX_DEPTH: usize = 24;

static SCRIPTS: LazyLock<Selector> = LazyLock::new(|| selector("script[type]"));

const PRODUCT_TYPES: &[&str] = &[
    "product",
    "drug",
    "individualproduct",
    "productmodel",
    "vehicle",
];
const OFFER_TYPES: &[&str] = &["offer", "aggregateoffer"];

pub(crate) fn drafts(doc: &Html, info: &PageInfo<'_>) -> Vec<Draft> {
    let mut products: Vec<Draft> = Vec::new();
    let scripts = doc.select(&SCRIPTS).filter(|s| {
        s.value().attr("type").is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/ld+json"))
        })
    });
    for script in scripts.take(MAX_SCRIPTS) {
        let text: String = script.text().collect();
        if text.len() > MAX_SCRIPT_BYTES {
            tracing::debug!(bytes = text.len(), "skipping oversized JSON-LD script");
            continue;
        }
        let Some(value) = parse_lenient(&text) else {
            tracing::debug!(url = %info.url, "unreadable JSON-LD script");
            continue;
        };
        let mut found = Vec::new();
        walk(&value, 0, &mut found);
        for (product, offer) in found {
            let d = product_draft(product, offer, info);
            let duplicate = products.iter().any(|p| {
                p.title.as_ref().map(|t| &t.0) == d.title.as_ref().map(|t| &t.0)
                    && p.price.map(|x| x.0) == d.price.map(|x| x.0)
            });
            if d.title.is_some() && !duplicate && products.len() < MAX_PRODUCTS {
                products.push(d);
            }
        }
    }
    products
}

/// Parses JSON-LD, repairing the usual breakage when strict parsing fails.
pub(crate) fn parse_lenient(text: &str) -> Option<Value> {
    let trimmed = strip_wrappers(text);
    if let Ok(v) = serde_json::from_str(trimmed) {
        return Some(v);
    }
    let decoded = crate::entities::decode_entities(trimmed);
    let repaired = repair(&decoded);
    if let Ok(v) = serde_json::from_str(&repaired) {
        return Some(v);
    }
    // Several values one after the other (`{…}{…}` or `{…},{…}`).
    let wrapped = format!(
        "[{}]",
        repair(&repaired.replace("}\n{", "},{").replace("}{", "},{"))
    );
    if let Ok(v) = serde_json::from_str(&wrapped) {
        return Some(v);
    }
    let values: Vec<Value> = serde_json::Deserializer::from_str(&repaired)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .collect();
    (!values.is_empty()).then_some(Value::Array(values))
}

fn strip_wrappers(text: &str) -> &str {
    let mut t = text.trim().trim_start_matches('\u{feff}').trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(inner) = t.strip_prefix(open) {
            t = inner.trim();
            t = t.strip_suffix(close).unwrap_or(t).trim();
        }
    }
    t.trim_end_matches(';').trim()
}

/// Drops trailing commas before `}`/`]` and escapes raw control characters inside strings.
fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            match c {
                _ if escaped => {
                    escaped = false;
                    out.push(c);
                }
                '\\' => {
                    escaped = true;
                    out.push(c);
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\n' | '\r' | '\t' => out.push(' '),
                c if (c as u32) < 0x20 => {}
                _ => out.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            ',' => {
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if !matches!(next, Some('}') | Some(']') | None) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn type_is(obj: &Map<String, Value>, types: &[&str]) -> bool {
    let matches = |t: &str| {
        let last = t
            .rsplit(['/', ':', '#'])
            .next()
            .unwrap_or(t)
            .to_ascii_lowercase();
        types.contains(&last.as_str())
    };
    match obj.get("@type") {
        Some(Value::String(t)) => matches(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

type Found<'a> = (&'a Map<String, Value>, Option<&'a Value>);

/// Collects products (with their offers) anywhere in the value: arrays, `@graph`,
/// `mainEntity`, `ItemList`s, and standalone Offers with an `itemOffered` product.
fn walk<'a>(v: &'a Value, depth: usize, out: &mut Vec<Found<'a>>) {
    if depth > MAX_DEPTH || out.len() >= MAX_PRODUCTS {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk(i, depth + 1, out)),
        Value::Object(obj) if type_is(obj, PRODUCT_TYPES) => out.push((obj, obj.get("offers"))),
        Value::Object(obj) if type_is(obj, OFFER_TYPES) => {
            if let Some(Value::Object(item)) = obj.get("itemOffered")
                && type_is(item, PRODUCT_TYPES)
            {
                out.push((item, Some(v)));
            }
        }
        Value::Object(obj) => obj.values().for_each(|i| walk(i, depth + 1, out)),
        _ => {}
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(clean_text(s)),
        Value::Array(a) => a.iter().find_map(text_of),
        Value::Object(o) => o.get("@value").or_else(|| o.get("name")).and_then(text_of),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// Real HTML tags (not "<Best Price>"-style text in angle brackets).
static MARKUP: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)</?(?:p|br|div|span|b|i|u|strong|em|ul|ol|li|a|h[1-6]|table|tr|td|th|img|font|small|sup|sub|hr|section|article)\b[^<>]*>")
        .unwrap_or_else(|e| unreachable!("markup regex: {e}"))
});

/// Entities decoded and any markup removed (descriptions often carry HTML).
fn clean_text(s: &str) -> String {
    let decoded = crate::entities::decode_entities(s);
    if MARKUP.is_match(&decoded) {
        let frag = Html::parse_fragment(&decoded);
        crate::html_text::element_text(frag.root_element(), crate::text::MAX_DESCRIPTION_BYTES)
    } else {
        decoded
    }
}

fn product_draft(p: &Map<String, Value>, offers: Option<&Value>, info: &PageInfo<'_>) -> Draft {
    let mut d = Draft::default();
    if let Some(t) = p.get("name").and_then(text_of) {
        d.set_title(&t, M);
    }
    if let Some(t) = p.get("description").and_then(text_of) {
        d.set_description(&t, M);
    }
    if let Some(o) = offers {
        if let Some(price) = offer_price(o, info, 0) {
            d.price = Some((price.money, M));
            // "Tramadol 100 mg 180 tablets, $1.04/pill": the name says whose price it is.
            d.price_per_unit = price.per_unit
                || d.title
                    .as_ref()
                    .is_some_and(|(t, _)| names_unit_price(t, price.money));
        }
        if let Some(s) = offer_seller(o, 0) {
            d.set_seller(&s, M);
        }
    }
    let images = p
        .get("image")
        .map(|v| image_urls(v, info))
        .unwrap_or_default();
    if !images.is_empty() {
        d.images = Some((images, M));
    }
    let gtins: Vec<Gtin> = ["gtin", "gtin8", "gtin12", "gtin13", "gtin14", "isbn"]
        .iter()
        .filter_map(|k| p.get(*k).and_then(text_of))
        .filter_map(|s| crate::gtin::gtin_from_digits(s.trim()))
        .collect();
    if !gtins.is_empty() {
        d.gtins = Some((gtins, M));
    }
    d.manufacturer = manufacturer(p);
    d
}

/// `manufacturer`, else a `brand` that is an Organization (a brand name such as "Viagra" is
/// not a manufacturer).
fn manufacturer(p: &Map<String, Value>) -> Option<String> {
    p.get("manufacturer")
        .and_then(text_of)
        .or_else(|| match p.get("brand") {
            Some(Value::Object(b)) if type_is(b, &["organization", "corporation"]) => {
                b.get("name").and_then(text_of)
            }
            _ => None,
        })
}

/// An offer's price and whether it is one unit's.
struct OfferPrice {
    money: Money,
    per_unit: bool,
}

/// The first price among the offers: `price`, `lowPrice`, or a `priceSpecification`. It is
/// one unit's when the offer or its specification says so: a `unitText`/`unitCode` naming a
/// pill or piece, a `referenceQuantity` of one such unit, a price written "1.04/pill", or an
/// offer named with that per-unit price.
fn offer_price(v: &Value, info: &PageInfo<'_>, depth: usize) -> Option<OfferPrice> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Array(items) => items.iter().find_map(|o| offer_price(o, info, depth + 1)),
        Value::Object(o) => {
            let currency = o
                .get("priceCurrency")
                .and_then(Value::as_str)
                .and_then(|c| Currency::from_str(c.trim()).ok());
            let own = ["price", "lowPrice"]
                .iter()
                .filter_map(|k| o.get(*k))
                .find_map(|p| amount(p, currency, info))
                .map(|(money, per_unit)| OfferPrice {
                    money,
                    per_unit: per_unit || says_one_unit(o, money),
                });
            own.or_else(|| {
                o.get("priceSpecification")
                    .and_then(|s| offer_price(s, info, depth + 1))
            })
            .or_else(|| {
                o.get("offers")
                    .and_then(|s| offer_price(s, info, depth + 1))
            })
        }
        _ => None,
    }
}

/// Whether an offer or price specification says its price is one unit's.
fn says_one_unit(o: &Map<String, Value>, money: Money) -> bool {
    let unit_named = |obj: &Map<String, Value>| {
        ["unitText", "unitCode"]
            .iter()
            .filter_map(|k| obj.get(*k).and_then(Value::as_str))
            .any(crate::price::names_one_unit)
    };
    let one_reference = match o.get("referenceQuantity") {
        Some(Value::Object(q)) => {
            let one = match q.get("value") {
                Some(Value::Number(n)) => n.as_f64() == Some(1.0),
                Some(Value::String(s)) => s.trim() == "1",
                None => true,
                _ => false,
            };
            one && unit_named(q)
        }
        _ => false,
    };
    let named_per_unit = o
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|name| names_unit_price(name, money));
    unit_named(o) || one_reference || named_per_unit
}

/// Whether `name` prints `money` as one unit's price ("… 180 tablets, $1.04/pill").
fn names_unit_price(name: &str, money: Money) -> bool {
    let parts = crate::price::parse_price_parts(name, Some(money.currency), None);
    parts.per_unit && parts.amount == Some(money.amount)
}

fn amount(v: &Value, currency: Option<Currency>, info: &PageInfo<'_>) -> Option<(Money, bool)> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    if let (Ok(d), Some(c)) = (Decimal::from_str(&text), currency.or(info.hint)) {
        return (!d.is_zero() && d.is_sign_positive()).then(|| (Money::new(d, c), false));
    }
    let parts =
        crate::price::parse_price_parts(&text, currency.or(info.hint), info.language.as_deref());
    parts.money().map(|m| (m, parts.per_unit))
}

fn offer_seller(v: &Value, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Array(items) => items.iter().find_map(|o| offer_seller(o, depth + 1)),
        Value::Object(o) => o
            .get("seller")
            .and_then(text_of)
            .or_else(|| o.get("offers").and_then(|x| offer_seller(x, depth + 1))),
        _ => None,
    }
}

fn image_urls(v: &Value, info: &PageInfo<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if out.len() < MAX_IMAGES
            && let Some(u) = info.absolute(s)
        {
            out.push(u.to_string());
        }
    };
    match v {
        Value::String(s) => push(s),
        Value::Array(items) => {
            for i in items.iter().take(MAX_IMAGES) {
                match i {
                    Value::String(s) => push(s),
                    Value::Object(o) => {
                        if let Some(s) = o
                            .get("url")
                            .or_else(|| o.get("contentUrl"))
                            .and_then(Value::as_str)
                        {
                            push(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(o) => {
            if let Some(s) = o
                .get("url")
                .or_else(|| o.get("contentUrl"))
                .and_then(Value::as_str)
            {
                push(s);
            }
        }
        _ => {}
    }
    out
}
