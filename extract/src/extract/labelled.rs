//! Label/value pairs as shops lay them out without structured data: table rows
//! (`<th>Price</th><td>US$ 368.99</td>`), definition lists (`<dt>Sold by</dt><dd>…</dd>`)
//! and a label element followed by its value (`<b>Seller:</b> <span>…</span>`).

use scraper::ElementRef;

use crate::html_text::element_text;

/// What a label says, in several languages, and what it must not say (an "Old price" row
/// labels a price that is not the offer's).
pub(crate) struct Label {
    words: &'static [&'static str],
    not: &'static [&'static str],
}

/// The offer's price.
pub(crate) const PRICE: Label = Label {
    words: &[
        "price", "preis", "prix", "precio", "preço", "prezzo", "prijs", "cena", "fiyat", "harga",
        "цена", "ціна", "价格", "售价", "価格", "cost",
    ],
    not: &[
        "old",
        "was",
        "list",
        "regular",
        "rrp",
        "msrp",
        "uvp",
        "before",
        "original",
        "save",
        "saving",
        "shipping",
        "delivery",
        "postage",
        "per ",
        "unit",
        "alt",
        "statt",
        "ancien",
        "antes",
        "старая",
    ],
};

/// The seller.
pub(crate) const SELLER: Label = Label {
    words: &[
        "sold by",
        "seller",
        "vendor",
        "merchant",
        "verkäufer",
        "verkauf durch",
        "vendeur",
        "vendu par",
        "vendedor",
        "vendido por",
        "venditore",
        "продавец",
        "卖家",
        "商家",
    ],
    not: &["best"],
};

/// Labels longer than this are sentences, not labels.
const MAX_LABEL_CHARS: usize = 40;

const LABEL_TAGS: &[&str] = &[
    "th", "td", "dt", "b", "strong", "label", "span", "em", "div",
];

/// Whether `el`'s text is a label saying `label`.
fn says(el: ElementRef<'_>, label: &Label) -> bool {
    if !LABEL_TAGS.contains(&el.value().name()) {
        return false;
    }
    let text = element_text(el, 256).to_lowercase();
    let text = text.trim().trim_end_matches([':', '：']).trim();
    !text.is_empty()
        && text.chars().count() <= MAX_LABEL_CHARS
        && label.words.iter().any(|w| text.contains(w))
        && !label.not.iter().any(|w| text.contains(w))
}

fn previous_element(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.prev_siblings().find_map(ElementRef::wrap)
}

/// Whether `el` is the value of a `label`: the element right after the label cell, term or
/// element.
pub(crate) fn is_value_of(el: ElementRef<'_>, label: &Label) -> bool {
    matches!(el.value().name(), "td" | "dd" | "span" | "div")
        && previous_element(el).is_some_and(|p| says(p, label))
}

/// The value `el` labels, when `el` is a `label`.
pub(crate) fn value_of<'a>(el: ElementRef<'a>, label: &Label) -> Option<ElementRef<'a>> {
    if !says(el, label) {
        return None;
    }
    el.next_siblings()
        .find_map(ElementRef::wrap)
        .filter(|v| !element_text(*v, 16).is_empty())
}
