//! Product pages without structured data: a title heading and a price-looking element near it.
//!
//! Only pages that look like one product qualify: a title, and a price that is the page's
//! own. The candidates are the innermost price-labelled elements that are not old, list,
//! savings or shipping prices, not in product cards, not the text of a link to another page
//! ("New (4) from €8.32" to the offer list), and not boxes of several prices. With at
//! most three distinct candidates the first wins; with more (related items, a buy box repeated
//! in a header) the one sharing the deepest ancestor with the title wins, and when more than
//! three distinct prices are equally close the page is a list. So home, category and about
//! pages yield nothing.

use std::sync::LazyLock;

use ego_tree::NodeId;
use pharmwatch_model::{ExtractionMethod, Money};
use scraper::{ElementRef, Html, Selector};

use super::draft::Draft;
use super::region::{self, ListingRegion, Zone, link_density};
use super::{PageInfo, labelled, selector};
use crate::html_text::element_text;
use crate::words::WordSet;

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
        // are equally close, they are a list and none is the page's own. Prices of teasers
        // (repeated blocks whose title links to another page) are other products'.
        let prices: Vec<&Candidate> = prices
            .iter()
            .filter(|c| {
                !doc.tree
                    .get(c.el)
                    .and_then(ElementRef::wrap)
                    .is_some_and(|e| super::offers::in_teaser(e, info))
            })
            .collect();
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
        prices.into_iter().find(|c| c.shared_depth == best)
    };
    let mut d = Draft::default();
    d.anchors.push(h1.id());
    let (price, per_unit) = match chosen {
        Some(c) => {
            d.anchors.push(c.el);
            (c.money, c.per_unit)
        }
        None if distinct.len() <= MAX_PRICES_ON_PRODUCT_PAGE => {
            let (money, per_unit, holder) = price_after(h1, info)?;
            d.anchors.extend(holder);
            (money, per_unit)
        }
        None => return None,
    };
    d.set_title(&element_text(h1, crate::text::MAX_TITLE_BYTES), M);
    d.price = Some((price, M));
    d.price_per_unit = per_unit;
    d.language = super::lang_of(h1).filter(|l| Some(l) != info.language.as_ref());
    Some(d)
}

static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("title"));
static H2: LazyLock<Selector> = LazyLock::new(|| selector("h2"));

/// The heading that titles the product: the first `<h1>`, else `<h2>`, whose words the
/// document `<title>` repeats (shops put the product name in both; a hidden "Adding to
/// basket…" `<h1>` or a related item's heading is not in the title), else the first
/// non-empty `<h1>`.
pub(crate) fn title_heading(doc: &Html) -> Option<ElementRef<'_>> {
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

/// Fields that pages label the same way whatever their markup, read in the listing's
/// region (its zones left out): the description and the seller,
/// for filling gaps left by structured data.
pub(crate) fn page_fields(doc: &Html, region: &ListingRegion<'_>) -> Draft {
    let mut d = Draft::default();
    if let Some(desc) = description(doc, region) {
        d.set_description(&desc, M);
    }
    if let Some(seller) = seller(region) {
        d.set_seller(&seller, M);
    }
    d
}

/// The innermost element labelled as the seller ("Sold by: <span class=seller>X</span>"
/// gives X, not the whole line), else the value of a "Sold by" label (a table row, a
/// definition list).
fn seller(region: &ListingRegion<'_>) -> Option<String> {
    let candidates: Vec<ElementRef<'_>> = region
        .elements()
        .filter(|e| {
            let v = e.value();
            class_or_id_says(v, &SELLER_WORDS)
                && !class_or_id_says(v, &BESTSELLER_WORDS)
                && !in_card(*e)
        })
        .take(20)
        .collect();
    let innermost = candidates.iter().find(|c| {
        !candidates
            .iter()
            .any(|other| other.id() != c.id() && other.ancestors().any(|a| a.id() == c.id()))
    });
    let text = match innermost {
        Some(el) => element_text(*el, crate::text::MAX_SHORT_BYTES),
        None => region
            .elements()
            .find_map(|e| labelled::value_of(e, &labelled::SELLER))
            .map(|v| element_text(v, crate::text::MAX_SHORT_BYTES))?,
    };
    (!text.is_empty() && text.chars().count() <= 200).then_some(text)
}

static SELLER_WORDS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(&["seller", "vendor", "merchant"]));
static BESTSELLER_WORDS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(&["bestseller", "best-seller", "best_seller"]));
static SHIPPING_WORDS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(&["shipping", "postage", "delivery", "versand"]));

fn class_or_id_says(el: &scraper::node::Element, words: &WordSet) -> bool {
    let hit = |v: &str| words.in_ascii_case(v);
    el.attr("class").is_some_and(hit)
        || el.attr("id").is_some_and(hit)
        || el.attr("itemprop").is_some_and(hit)
}

/// A price found in a price-labelled element.
struct Candidate {
    el: NodeId,
    money: Money,
    per_unit: bool,
    /// Depth of the closest element holding both this price and the title: the deeper,
    /// the closer the price sits to the title in the page's own structure.
    shared_depth: usize,
}

/// Class words of an element holding a price.
static PRICE_WORDS: LazyLock<WordSet> = LazyLock::new(|| {
    WordSet::new(&[
        "price", "preis", "prix", "precio", "preco", "prezzo", "цена", "jiage",
    ])
});

/// Class words of prices that are not the offer's current price: old, list and
/// struck-through prices, savings, shipping and instalments.
static NOT_THE_PRICE: LazyLock<WordSet> = LazyLock::new(|| {
    WordSet::new(&[
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
    ])
});

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
            || !(class_or_id_says(v, &PRICE_WORDS) || labelled::is_value_of(el, &labelled::PRICE))
            || class_or_id_says(v, &NOT_THE_PRICE)
            || in_card(el)
            || in_zone_outside_title(el, &title_chain)
            || in_shipping_box(el, &title_chain)
            || in_link_elsewhere(el, info)
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
                    el: el.id(),
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

/// Whether `el` sits in a zone of nobody's words or reviews (related items, menus). A zone
/// that also holds the title is the page's frame ("has-sidebar" on a wrapper), not a zone.
fn in_zone_outside_title(el: ElementRef<'_>, title_chain: &[NodeId]) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(64)
        .filter(|a| !title_chain.contains(&a.id()))
        .any(|a| {
            matches!(
                region::zone_of(a, false),
                Some(Zone::Nobody | Zone::Reviews)
            )
        })
}

/// Whether a price sits in a box of shipping costs ("Shipping: GBP 9.99 (about <span
/// class=convertedPrice>EUR 11.09</span>)"): the box, a parent or grandparent not holding the
/// title, says so.
fn in_shipping_box(el: ElementRef<'_>, title_chain: &[NodeId]) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .take(2)
        .filter(|a| !title_chain.contains(&a.id()))
        .any(|a| class_or_id_says(a.value(), &SHIPPING_WORDS))
}

/// Whether a price is the text of a link to another page ("New (4) from <a>€8.32</a>",
/// "Other sellers from $9.10", a related item's price): that page's offer, not this one's.
/// Links to this page or to a cart or checkout are the page's own buy buttons.
fn in_link_elsewhere(el: ElementRef<'_>, info: &PageInfo<'_>) -> bool {
    std::iter::once(el)
        .chain(el.ancestors().filter_map(ElementRef::wrap))
        .take(4)
        .find(|a| a.value().name() == "a")
        .and_then(|a| a.value().attr("href"))
        .and_then(|href| info.absolute(href))
        .is_some_and(|target| {
            let path = target.path().to_ascii_lowercase();
            target.path() != info.url.path()
                && !["cart", "basket", "checkout"]
                    .iter()
                    .any(|w| path.contains(w))
        })
}

static CARD_WORDS: LazyLock<WordSet> = LazyLock::new(|| {
    WordSet::new(&[
        "card",
        "tile",
        "grid",
        "related",
        "recommend",
        "carousel",
        "teaser",
        "thumb",
    ])
});

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
                _ => class_or_id_says(v, &CARD_WORDS),
            }
        })
}

/// A price with an explicit currency mark in the text right after the title (the next
/// few sibling elements, skipping lists and cards).
fn price_after<'a>(
    h1: ElementRef<'a>,
    info: &PageInfo<'_>,
) -> Option<(Money, bool, Option<NodeId>)> {
    let mut text = String::new();
    // The first sibling element whose text holds a marked price: the price's anchor.
    let mut holder = None;
    for sib in h1.next_siblings().take(6) {
        if let Some(el) = ElementRef::wrap(sib) {
            let v = el.value();
            if matches!(
                v.name(),
                "ul" | "ol" | "table" | "nav" | "aside" | "section" | "form"
            ) || class_or_id_says(v, &CARD_WORDS)
            {
                continue;
            }
            let own = element_text(el, 300);
            if holder.is_none()
                && crate::price::has_marked_price(&own, info.hint, info.language.as_deref())
            {
                holder = Some(el.id());
            }
            text.push_str(&own);
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
        .map(|(money, per_unit)| (money, per_unit, holder))
}

/// The description: an element labelled so in the listing's region, else the region's own
/// prose paragraphs, else the page's `<meta name="description">`.
fn description(doc: &Html, region: &ListingRegion<'_>) -> Option<String> {
    static DESC: LazyLock<Selector> = LazyLock::new(|| {
        selector("[class*=description], [id*=description], [itemprop=description]")
    });
    region
        .root
        .select(&DESC)
        .take(50)
        .filter(|e| region.owns(*e))
        .map(|e| element_text(e, crate::text::MAX_DESCRIPTION_BYTES))
        .find(|t| !t.is_empty())
        .or_else(|| prose(region))
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

/// Words a short block needs to count as a sentence rather than a label or a button.
const MIN_SENTENCE_WORDS: usize = 4;

/// Whether `text` is a whole sentence: several words ending with a full stop ("In stock" and
/// "Payment: Visa, Mastercard" are not).
fn is_sentence(text: &str) -> bool {
    let text = text.trim_end();
    text.ends_with(['.', '!', '。', '！']) && text.split_whitespace().count() >= MIN_SENTENCE_WORDS
}

/// Paragraphs shorter than this (and not a whole sentence) are labels and buttons, not a
/// description.
const MIN_PROSE_CHARS: usize = 40;

/// The region's own paragraphs of prose, joined: paragraphs, list items, definitions and
/// table cells that are not mostly links, hold no heading and no other such block, and are of
/// some length or a whole sentence (a hand-written page's "About this product" text, and the
/// offer's own terms: "Prescription required: upload your prescription before we dispense." or
/// "Отпускается строго по рецепту врача." in a list or a "Terms" row).
fn prose(region: &ListingRegion<'_>) -> Option<String> {
    static BLOCK: LazyLock<Selector> = LazyLock::new(|| selector("p, li, dd, td"));
    let paragraphs: Vec<String> = region
        .root
        .select(&BLOCK)
        // Counted among the region's own blocks: with list items and table cells selected, a
        // menu or a spec table the region leaves out would otherwise use up the bound before
        // the description is reached (the HTML budget already bounds the walk itself).
        .filter(|p| region.owns(*p) && !region.holds_anchor(*p))
        .take(200)
        .filter(|p| p.select(&BLOCK).next().is_none())
        .filter(|p| link_density(*p) < 0.5)
        .map(|p| element_text(p, crate::text::MAX_DESCRIPTION_BYTES))
        .filter(|t| t.chars().count() >= MIN_PROSE_CHARS || is_sentence(t))
        .collect();
    let joined = crate::text::join_collapsed(
        paragraphs.iter().map(String::as_str),
        crate::text::MAX_DESCRIPTION_BYTES,
    );
    (!joined.is_empty()).then_some(joined)
}
