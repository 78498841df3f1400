//! Pages with several offers and no structured data: classified ads, forum threads, price
//! lists and static catalogues that print each offer in full.
//!
//! An offer block is one of several sibling elements alike in tag and class, each holding a
//! title and a price (a table row, a list item, a post). The group with the most such blocks
//! wins; it needs at least two. Blocks whose title links to another page are teasers of an
//! offer printed elsewhere (a category page's product cards): the crawler follows the link
//! and reads the offer on its own page, so a page of teasers yields no listing here, as
//! before. Blocks in navigation, related-product or review zones are nobody's offers.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use pharmwatch_model::{ExtractionMethod, Money};
use scraper::{ElementRef, Html, Node};

use super::PageInfo;
use super::draft::Draft;
use super::region::{Zone, zone_of};
use crate::html_text::element_text;

const M: ExtractionMethod = ExtractionMethod::Heuristic;
/// Text nodes inspected for prices.
const MAX_TEXT_NODES: usize = 20_000;
/// Price elements considered per page.
const MAX_PRICES: usize = 1_000;
/// Ancestors climbed from a price to its block.
const MAX_CLIMB: usize = 8;
/// Text of a price element longer than this is a paragraph, not a price.
const MAX_PRICE_CHARS: usize = 80;
/// A block with more distinct prices than this is a box of offers, not one.
const MAX_PRICES_PER_BLOCK: usize = 2;

/// The page's offer blocks, when it prints at least two self-contained offers.
/// Each draft is anchored to its block.
pub(crate) fn offers(doc: &Html, info: &PageInfo<'_>) -> Vec<Draft> {
    let prices = price_elements(doc, info);
    let mut groups: HashMap<NodeId, Vec<(ElementRef<'_>, ElementRef<'_>, Money, bool)>> =
        HashMap::new();
    for (el, money, per_unit) in prices {
        if let Some(block) = block_of(el) {
            let Some(parent) = block.parent() else {
                continue;
            };
            let group = groups.entry(parent.id()).or_default();
            if !group.iter().any(|(b, ..)| b.id() == block.id()) {
                group.push((block, el, money, per_unit));
            }
        }
    }
    let Some(best) = groups.into_values().max_by_key(Vec::len) else {
        return Vec::new();
    };
    if best.len() < 2 {
        return Vec::new();
    }
    let offers: Vec<Draft> = best
        .into_iter()
        .filter_map(|(block, price_el, money, per_unit)| {
            offer(block, price_el, money, per_unit, info)
        })
        .collect();
    if offers.len() < 2 {
        return Vec::new();
    }
    offers
}

/// Innermost short elements whose text reads as a price with a currency mark.
fn price_elements<'a>(doc: &'a Html, info: &PageInfo<'_>) -> Vec<(ElementRef<'a>, Money, bool)> {
    let mut found: Vec<(ElementRef<'a>, Money, bool)> = Vec::new();
    let mut seen: HashSet<NodeId> = HashSet::new();
    let text_nodes = doc
        .root_element()
        .descendants()
        .filter(|n| matches!(n.value(), Node::Text(t) if t.bytes().any(|b| b.is_ascii_digit())))
        .take(MAX_TEXT_NODES);
    for node in text_nodes {
        let Some(parent) = node.parent().and_then(ElementRef::wrap) else {
            continue;
        };
        if matches!(
            parent.value().name(),
            "script" | "style" | "del" | "s" | "strike" | "title" | "option"
        ) || seen.contains(&parent.id())
        {
            continue;
        }
        // "<span>US$</span> <span>79.00</span>": the mark may sit in a sibling element.
        let el = if has_price(parent, info) {
            Some(parent)
        } else {
            parent
                .parent()
                .and_then(ElementRef::wrap)
                .filter(|p| has_price(*p, info))
        };
        let Some(el) = el else { continue };
        if !seen.insert(el.id()) {
            continue;
        }
        if let Some((money, per_unit)) = info.priced(&element_text(el, 200)) {
            found.push((el, money, per_unit));
        }
        if found.len() >= MAX_PRICES {
            break;
        }
    }
    found
}

fn has_price(el: ElementRef<'_>, info: &PageInfo<'_>) -> bool {
    let text = element_text(el, 256);
    text.chars().count() <= MAX_PRICE_CHARS
        && crate::price::count_marked_prices(&text) == 1
        && crate::price::has_marked_price(&text, info.hint, info.language.as_deref())
}

/// The offer block a price sits in: the first ancestor that has a sibling alike in tag and
/// class and a title besides the price, when it is not in a zone of nobody's offers.
fn block_of(price: ElementRef<'_>) -> Option<ElementRef<'_>> {
    let block = std::iter::once(price)
        .chain(price.ancestors().filter_map(ElementRef::wrap))
        .take(MAX_CLIMB)
        .take_while(|a| !matches!(a.value().name(), "body" | "html" | "main"))
        .find(|a| has_alike_sibling(*a) && title_of(*a, price).is_some())?;
    let outside_zones = std::iter::once(block)
        .chain(block.ancestors().filter_map(ElementRef::wrap))
        .take(64)
        .all(|a| !matches!(zone_of(a, false), Some(Zone::Nobody | Zone::Reviews)));
    outside_zones.then_some(block)
}

/// Whether the price in `price_el` belongs to a teaser: a repeated block whose title links to
/// another page (a related product, a category card). Such a price is never the page's own.
pub(crate) fn in_teaser(price_el: ElementRef<'_>, info: &PageInfo<'_>) -> bool {
    std::iter::once(price_el)
        .chain(price_el.ancestors().filter_map(ElementRef::wrap))
        .take(MAX_CLIMB)
        .take_while(|a| !matches!(a.value().name(), "body" | "html" | "main"))
        .find(|a| has_alike_sibling(*a) && title_of(*a, price_el).is_some())
        .and_then(|block| title_of(block, price_el))
        .is_some_and(|title| links_elsewhere(title, info))
}

fn has_alike_sibling(el: ElementRef<'_>) -> bool {
    let alike = |other: ElementRef<'_>| {
        other.id() != el.id()
            && other.value().name() == el.value().name()
            && other.value().attr("class") == el.value().attr("class")
    };
    el.prev_siblings()
        .chain(el.next_siblings())
        .filter_map(ElementRef::wrap)
        .take(200)
        .any(alike)
}

/// The block as an offer: its title, its price, its text as the description. `None` for a
/// block without a title, with several prices, or that is a teaser linking elsewhere.
fn offer(
    block: ElementRef<'_>,
    price_el: ElementRef<'_>,
    money: Money,
    per_unit: bool,
    info: &PageInfo<'_>,
) -> Option<Draft> {
    let text = element_text(block, crate::text::MAX_DESCRIPTION_BYTES);
    if crate::price::count_marked_prices(&text) > MAX_PRICES_PER_BLOCK {
        return None;
    }
    let title_el = title_of(block, price_el)?;
    if links_elsewhere(title_el, info) {
        return None;
    }
    let mut d = Draft::default();
    d.set_title(&element_text(title_el, crate::text::MAX_TITLE_BYTES), M);
    d.title.as_ref()?;
    d.price = Some((money, M));
    d.price_per_unit = per_unit;
    d.set_description(&text, M);
    d.language = super::lang_of(block).filter(|l| Some(l) != info.language.as_ref());
    d.anchors.push(block.id());
    Some(d)
}

/// The block's title: its first heading, else an element whose class says title, name or
/// subject, else its first link or bold text, else its first cell; never the price.
fn title_of<'a>(block: ElementRef<'a>, price: ElementRef<'a>) -> Option<ElementRef<'a>> {
    let elements: Vec<ElementRef<'a>> = block
        .descendants()
        .filter_map(ElementRef::wrap)
        .take(500)
        .filter(|e| {
            e.id() != price.id()
                && !e.ancestors().any(|a| a.id() == price.id())
                && !price.ancestors().any(|a| a.id() == e.id())
        })
        .collect();
    let named = |e: &&ElementRef<'a>| names_an_offer(&element_text(**e, 256));
    let by = |pred: &dyn Fn(&ElementRef<'a>) -> bool| {
        elements.iter().filter(|e| pred(e)).find(named).copied()
    };
    by(&|e| matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
        .or_else(|| {
            by(&|e| {
                ["class", "id"].iter().any(|k| {
                    e.value().attr(k).is_some_and(|v| {
                        ["title", "name", "subject", "heading"]
                            .iter()
                            .any(|w| crate::text::contains_ascii_case_insensitive(v, w))
                    })
                })
            })
        })
        .or_else(|| by(&|e| matches!(e.value().name(), "a" | "strong" | "b")))
        .or_else(|| by(&|e| e.value().name() == "td"))
}

/// Words of labels that name a row of a product's own table, not an offer.
const ROW_LABELS: &[&str] = &[
    "price",
    "shipping",
    "delivery",
    "total",
    "subtotal",
    "postage",
    "tax",
    "fee",
    "discount",
    "save",
    "you save",
    "preis",
    "versand",
    "prix",
    "livraison",
    "precio",
    "envío",
    "цена",
    "доставка",
];

/// Whether a text can title an offer: some letters, not a label ("Price:", "Shipping").
fn names_an_offer(text: &str) -> bool {
    let t = text.trim();
    if t.chars().filter(|c| c.is_alphabetic()).count() < 3 || t.ends_with([':', '：']) {
        return false;
    }
    let lower = t.to_lowercase();
    let words = lower.split_whitespace().count();
    let labelish = words <= 3 && ROW_LABELS.iter().any(|w| lower.contains(w));
    !labelish && (words >= 2 || t.chars().any(|c| c.is_ascii_digit()))
}

/// Whether the title is, holds or sits in a link to another page (not this one, not a
/// cart or checkout action).
fn links_elsewhere(title: ElementRef<'_>, info: &PageInfo<'_>) -> bool {
    let link = std::iter::once(title)
        .chain(title.ancestors().filter_map(ElementRef::wrap).take(4))
        .chain(title.descendants().filter_map(ElementRef::wrap).take(50))
        .find(|e| e.value().name() == "a" && e.value().attr("href").is_some());
    let Some(href) = link.and_then(|a| a.value().attr("href")) else {
        return false;
    };
    let Some(target) = info.absolute(href) else {
        return false;
    };
    let mut here = info.url.clone();
    here.set_fragment(None);
    let path = target.path().to_ascii_lowercase();
    target != here
        && !["cart", "basket", "checkout", "order"]
            .iter()
            .any(|w| path.contains(w))
}
