//! Product pages without structured data: a title heading and a price-looking element near it.
//!
//! Only pages that look like one product qualify: a title, and a price that is the page's
//! own. The candidates are the innermost price-labelled elements that are not old, list,
//! savings or shipping prices, not in product cards, and not boxes of several prices. With at
//! most three distinct candidates the first wins; with more (related items, a buy box repeated
//! in a header) the one sharing the deepest ancestor with the title wins, and when more than
//! three distinct prices are equally close the page is a list. So home, category and about
//! pages yield nothing.

use std::sync::LazyLock;

use pharmwatch_model::{ExtractionMethod, Money};
use scraper::{ElementRef, Html, Selector};

use super::draft::Draft;
use super::{PageInfo, selector};
use crate::html_text::element_text;

const M: ExtractionMethod = ExtractionMethod::Heuristic;
/// Elements inspected for price-like classes.
const MAX_ELEMENTS: usize = 20_000;
/// More distinct prices than this among price elements means a list page.
const MAX_PRICES_ON_PRODUCT_PAGE: usize = 3;

static H1: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static ALL: LazyLock<Selector> = LazyLock::new(|| selector("*"));
static META_DESCRIPTION: LazyLock<Selector> = LazyLock::new(|| selector("meta[name]"));

pub(crate) fn draft(doc: &Html, info: &PageInfo<'_>) -> Option<Draft> {
    let h1 = title_heading(doc)?;
    let prices = labelled_prices(doc, h1, info);
    let mut distinct: Vec<Money> = Vec::new();
    for c in &prices {
        if !distinct.contains(&c.money) {
            distinct.push(c.money);
        }
    }
    let chosen = if distinct.len() <= MAX_PRICES_ON_PRODUCT_PAGE {
        prices.first()
    } else {
        // Many prices: a list page, or a product page with related items around its own
        // price. The page's own price sits in the title's block: the candidate sharing the
        // deepest ancestor with the title, the first of equals. When many different prices
        // are equally close, they are a list and none is the page's own.
        let best = prices.iter().map(|c| c.shared_depth).max().unwrap_or(0);
        let mut closest: Vec<Money> = Vec::new();
        for c in prices.iter().filter(|c| c.shared_depth == best) {
            if !closest.contains(&c.money) {
                closest.push(c.money);
            }
        }
        if closest.len() > MAX_PRICES_ON_PRODUCT_PAGE {
            return None;
        }
        prices.iter().find(|c| c.shared_depth == best)
    };
    let (price, per_unit) = match chosen {
        Some(c) => (c.money, c.per_unit),
        None if distinct.len() <= MAX_PRICES_ON_PRODUCT_PAGE => price_after(h1, info)?,
        None => return None,
    };
    let mut d = Draft::default();
    d.set_title(&element_text(h1, crate::text::MAX_TITLE_BYTES), M);
    d.price = Some((price, M));
    d.price_per_unit = per_unit;
    d.language = super::lang_of(h1).filter(|l| Some(l) != info.language.as_ref());
    d.fill_from(page_fields(doc));
    Some(d)
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static H2: LazyLock<Selector> = LazyLock::new(|| selector("h2"));

/// The heading that titles the product: the first `<h1>`, else `<h2>`, whose words the
/// document `<title>` repeats (shops put the product name in both; a hidden "Adding to
/// basket…" `<h1>` or a related item's heading is not in the title), else the first
/// non-empty `<h1>`.
fn title_heading(doc: &Html) -> Option<ElementRef<'_>> {
    let title = doc
        .select(&TITLE)
        .next()
        .map(|t| element_text(t, 1024).to_lowercase())
        .unwrap_or_default();
    let in_title = |h: &ElementRef<'_>| {
        let head: String = element_text(*h, 256)
            .to_lowercase()
            .chars()
            .take(24)
            .collect();
        head.trim().chars().count() >= 8 && title.contains(head.trim())
    };
    doc.select(&H1)
        .take(50)
        .find(in_title)
        .or_else(|| doc.select(&H2).take(50).find(in_title))
        .or_else(|| doc.select(&H1).find(|h| !element_text(*h, 64).is_empty()))
}

/// Fields that pages label the same way whatever their markup: the description and the
/// seller (`class="…seller…"`, `vendor`, `merchant`), for filling gaps left by structured
/// data.
pub(crate) fn page_fields(doc: &Html) -> Draft {
    let mut d = Draft::default();
    if let Some(desc) = description(doc) {
        d.set_description(&desc, M);
    }
    if let Some(seller) = seller(doc) {
        d.set_seller(&seller, M);
    }
    d
}

/// The innermost element labelled as the seller ("Sold by: <span class=seller>X</span>"
/// gives X, not the whole line).
fn seller(doc: &Html) -> Option<String> {
    let candidates: Vec<ElementRef<'_>> = doc
        .select(&ALL)
        .take(MAX_ELEMENTS)
        .filter(|e| {
            let v = e.value();
            class_or_id_says(v, &["seller", "vendor", "merchant"])
                && !class_or_id_says(v, &["bestseller", "best-seller", "best_seller"])
                && !in_card(*e)
        })
        .take(20)
        .collect();
    let innermost = candidates.iter().find(|c| {
        !candidates
            .iter()
            .any(|other| other.id() != c.id() && other.ancestors().any(|a| a.id() == c.id()))
    })?;
    let text = element_text(*innermost, crate::text::MAX_SHORT_BYTES);
    (!text.is_empty() && text.chars().count() <= 200).then_some(text)
}

fn class_or_id_says(el: &scraper::node::Element, words: &[&str]) -> bool {
    let hit = |v: &str| {
        words
            .iter()
            .any(|w| crate::text::contains_ascii_case_insensitive(v, w))
    };
    el.attr("class").is_some_and(hit)
        || el.attr("id").is_some_and(hit)
        || el.attr("itemprop").is_some_and(hit)
}

/// A price found in a price-labelled element.
struct Candidate {
    money: Money,
    per_unit: bool,
    /// Depth of the closest element holding both this price and the title: the deeper,
    /// the closer the price sits to the title in the page's own structure.
    shared_depth: usize,
}

/// Class words of prices that are not the offer's current price: old, list and
/// struck-through prices, savings, shipping and instalments.
const NOT_THE_PRICE: &[&str] = &[
    "old",
    "was",
    "compare",
    "strike",
    "regular",
    "before",
    "original",
    "crossed",
    "rrp",
    "msrp",
    "uvp",
    "listprice",
    "list-price",
    "saving",
    "discount",
    "shipping",
    "postage",
    "delivery",
    "instal",
    "monthly",
    "bonus",
];

/// Prices in elements whose class, id or itemprop says "price" (not old/was prices, not in
/// cards), innermost only: a box holding the old and the new price is not itself a price.
fn labelled_prices(doc: &Html, title: ElementRef<'_>, info: &PageInfo<'_>) -> Vec<Candidate> {
    let mut found: Vec<(ElementRef<'_>, Candidate)> = Vec::new();
    let title_chain: Vec<_> = {
        let mut c: Vec<_> = title.ancestors().map(|a| a.id()).collect();
        c.reverse();
        c
    };
    for el in doc.select(&ALL).take(MAX_ELEMENTS) {
        let v = el.value();
        if matches!(v.name(), "del" | "s" | "strike" | "script" | "style")
            || !class_or_id_says(
                v,
                &["price", "preis", "prix", "precio", "preco", "цена", "jiage"],
            )
            || class_or_id_says(v, NOT_THE_PRICE)
            || in_card(el)
        {
            continue;
        }
        let text = element_text(el, 200);
        let from_content = v.attr("content").and_then(|c| info.priced(c));
        // A box showing the old and the new price together is no one price: its parts are.
        if from_content.is_none() && crate::price::count_marked_prices(&text) > 1 {
            continue;
        }
        if let Some((money, per_unit)) = from_content.or_else(|| info.priced(&text)) {
            // A container of an earlier candidate replaces nothing: drop the containers.
            found.retain(|(prev, _)| !el.ancestors().any(|a| a.id() == prev.id()));
            found.push((
                el,
                Candidate {
                    money,
                    per_unit,
                    shared_depth: {
                        let mut chain: Vec<_> = el.ancestors().map(|a| a.id()).collect();
                        chain.reverse();
                        chain
                            .iter()
                            .zip(&title_chain)
                            .take_while(|(a, b)| a == b)
                            .count()
                    },
                },
            ));
        }
        if found.len() > 50 {
            break;
        }
    }
    found.into_iter().map(|(_, c)| c).collect()
}

const CARD_WORDS: &[&str] = &[
    "card",
    "tile",
    "grid",
    "related",
    "recommend",
    "carousel",
    "teaser",
    "thumb",
];

static LINK: LazyLock<Selector> = LazyLock::new(|| selector("a[href]"));
static IMG: LazyLock<Selector> = LazyLock::new(|| selector("img"));

fn links_to_a_product(el: ElementRef<'_>) -> bool {
    el.select(&IMG).next().is_some()
        || el.select(&LINK).take(20).any(|a| {
            let t = element_text(a, 200);
            t.split_whitespace().count() >= 3 || t.chars().count() >= 20
        })
}

/// Whether `el` sits in a product card: prices there belong to other products (category
/// pages, "related products"), not to the page's own offer. A list item is a card when it
/// links to a product (an image, or a link named like a product). Table rows are not cards
/// by themselves: shops lay out their own buy box and label/value rows ("Price | US$
/// 368.99") in tables; rows of other products are told apart by where they sit (see
/// [`draft`]).
fn in_card(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(6)
        .any(|a| {
            let v = a.value();
            match v.name() {
                "aside" | "nav" => true,
                "li" => links_to_a_product(a),
                _ => class_or_id_says(v, CARD_WORDS),
            }
        })
}

/// A price with an explicit currency mark in the text right after the title (the next
/// few sibling elements, skipping lists and cards).
fn price_after(h1: ElementRef<'_>, info: &PageInfo<'_>) -> Option<(Money, bool)> {
    let mut text = String::new();
    for sib in h1.next_siblings().take(6) {
        if let Some(el) = ElementRef::wrap(sib) {
            let v = el.value();
            if matches!(
                v.name(),
                "ul" | "ol" | "table" | "nav" | "aside" | "section" | "form"
            ) || class_or_id_says(v, CARD_WORDS)
            {
                continue;
            }
            text.push_str(&element_text(el, 300));
        } else if let Some(t) = sib.value().as_text() {
            text.push_str(t);
        }
        text.push('\n');
        if text.len() > 1000 {
            break;
        }
    }
    crate::price::has_marked_price(&text, info.hint, info.language.as_deref())
        .then(|| info.priced(&text))
        .flatten()
}

fn description(doc: &Html) -> Option<String> {
    static DESC: LazyLock<Selector> = LazyLock::new(|| {
        selector("[class*=description], [id*=description], [itemprop=description]")
    });
    doc.select(&DESC)
        .map(|e| element_text(e, crate::text::MAX_DESCRIPTION_BYTES))
        .find(|t| !t.is_empty())
        .or_else(|| {
            doc.select(&META_DESCRIPTION)
                .find(|m| {
                    m.value()
                        .attr("name")
                        .is_some_and(|n| n.eq_ignore_ascii_case("description"))
                })
                .and_then(|m| m.value().attr("content"))
                .map(crate::entities::decode_entities)
        })
}
