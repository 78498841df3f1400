//! Product pages without structured data: an `<h1>` and a price-looking element near it.
//!
//! Only pages that look like one product qualify: a title, a price, and at most three
//! distinct prices among price-labelled elements (a category page lists many), so home,
//! category and about pages yield nothing.

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
    let h1 = doc.select(&H1).find(|h| !element_text(*h, 64).is_empty())?;
    let prices = labelled_prices(doc, info);
    let mut distinct: Vec<Money> = Vec::new();
    for (p, _) in &prices {
        if !distinct.contains(p) {
            distinct.push(*p);
        }
    }
    if distinct.len() > MAX_PRICES_ON_PRODUCT_PAGE {
        return None;
    }
    let (price, per_unit) = prices.first().copied().or_else(|| price_after(h1, info))?;
    let mut d = Draft::default();
    d.set_title(&element_text(h1, crate::text::MAX_TITLE_BYTES), M);
    d.price = Some((price, M));
    d.price_per_unit = per_unit;
    d.language = super::lang_of(h1).filter(|l| Some(l) != info.language.as_ref());
    d.fill_from(page_fields(doc));
    Some(d)
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

/// Prices in elements whose class, id or itemprop says "price" (not old/was prices).
fn labelled_prices(doc: &Html, info: &PageInfo<'_>) -> Vec<(Money, bool)> {
    let mut out = Vec::new();
    for el in doc.select(&ALL).take(MAX_ELEMENTS) {
        let v = el.value();
        if matches!(v.name(), "del" | "s" | "strike" | "script" | "style")
            || !class_or_id_says(
                v,
                &["price", "preis", "prix", "precio", "preco", "цена", "jiage"],
            )
            || class_or_id_says(v, &["old", "was", "compare", "strike", "regular", "before"])
            || in_card(el)
        {
            continue;
        }
        let text = element_text(el, 200);
        let from_content = v.attr("content").and_then(|c| info.priced(c));
        if let Some(p) = from_content.or_else(|| info.priced(&text)) {
            out.push(p);
        }
        if out.len() > 50 {
            break;
        }
    }
    out
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

/// Whether `el` sits in a list item or product card: prices there belong to other
/// products (category pages, "related products"), not to the page's own offer.
fn in_card(el: ElementRef<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(5)
        .any(|a| {
            let v = a.value();
            matches!(v.name(), "li" | "aside" | "nav" | "tr") || class_or_id_says(v, CARD_WORDS)
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
