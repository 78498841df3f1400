//! Product pages: exactly one listing per page, with the profile classes on the visible
//! fields and, depending on the markup style, JSON-LD and/or microdata.

use std::fmt::Write;

use super::html::{escape, script_json};
use super::jsonld::product_jsonld;
use super::layout::{labels, page};
use crate::archetype::Archetype;
use crate::content::listing_content;
use crate::shops::ShopSpec;
use crate::spec::{ListingSpec, MarkupStyle};
use crate::state::MarketState;

/// Number of related products linked from a product page.
const RELATED: usize = 4;

/// The HTML of the product page of `spec`.
pub fn product_page(state: &MarketState, shop: &ShopSpec, spec: &ListingSpec) -> String {
    let content = listing_content(spec, shop);
    let path = shop.listing_path(spec);
    let micro = matches!(
        spec.markup,
        MarkupStyle::Microdata | MarkupStyle::JsonLdAndMicrodata
    );
    let l = labels(shop.archetype);
    let prop = |name: &str| {
        if micro {
            format!(" itemprop=\"{name}\"")
        } else {
            String::new()
        }
    };
    let cat = shop.category(spec.category);
    let mut main = String::with_capacity(4096);
    let _ = writeln!(
        main,
        "<nav class=\"breadcrumb\"><a href=\"/\">{}</a> › <a href=\"/category/{}\">{}</a></nav>",
        l.home,
        cat.slug,
        escape(shop.category_name(spec.category))
    );
    let scope = if micro {
        " itemscope itemtype=\"https://schema.org/Product\""
    } else {
        ""
    };
    let lang_attr = if spec.language != shop.archetype.language() {
        format!(" lang=\"{}\"", spec.language)
    } else {
        String::new()
    };
    let _ = writeln!(
        main,
        "<article class=\"listing\" id=\"listing-{}\"{scope}{lang_attr}>",
        spec.id
    );
    let _ = writeln!(
        main,
        "<h1 class=\"listing-title\"{}>{}</h1>",
        prop("name"),
        escape(&content.title)
    );
    if shop.archetype == Archetype::LegitPharmacy
        && spec.drug().is_some_and(|d| d.class.needs_prescription())
    {
        main.push_str("<p class=\"rx-badge\">Prescription required</p>\n");
    }
    let offer_scope = if micro {
        " itemprop=\"offers\" itemscope itemtype=\"https://schema.org/Offer\""
    } else {
        ""
    };
    let _ = writeln!(main, "<div class=\"listing-offer\"{offer_scope}>");
    let _ = writeln!(
        main,
        "<p class=\"listing-price\">{}</p>",
        escape(&content.price)
    );
    if micro {
        let _ = writeln!(
            main,
            "<meta itemprop=\"price\" content=\"{:.2}\">\n<meta itemprop=\"priceCurrency\" content=\"{}\">\n\
             <link itemprop=\"availability\" href=\"https://schema.org/InStock\">",
            spec.price(),
            shop.archetype.currency()
        );
    }
    if let Some(q) = &content.quantity {
        let _ = writeln!(main, "<p class=\"listing-quantity\">{}</p>", escape(q));
    }
    let _ = writeln!(
        main,
        "<a class=\"buy-button\" rel=\"nofollow\" href=\"/cart/?add={}\">{}</a>",
        spec.id, l.add_to_cart
    );
    if let Some(checkout) = shop.identity.checkout {
        let _ = writeln!(
            main,
            "<a class=\"checkout-link\" rel=\"nofollow\" href=\"{checkout}{}-{}\">Secure checkout</a>",
            escape(&shop.name),
            spec.id
        );
    }
    main.push_str("</div>\n");
    let _ = writeln!(
        main,
        "<div class=\"listing-description\"{}>{}</div>",
        prop("description"),
        escape(&content.description)
    );
    if !content.facts.is_empty() {
        main.push_str("<ul class=\"product-facts\">\n");
        for fact in &content.facts {
            let _ = writeln!(main, "<li>{}</li>", escape(fact));
        }
        main.push_str("</ul>\n");
    }
    if micro && let Some((digits, _)) = &spec.gtin {
        let _ = writeln!(main, "<meta itemprop=\"gtin13\" content=\"{digits}\">");
    }
    if let Some((digits, _)) = &spec.gtin {
        let _ = writeln!(main, "<p class=\"listing-gtin\">EAN: {digits}</p>");
    }
    let _ = writeln!(
        main,
        "<p class=\"seller-line\">{}<span class=\"listing-seller\">{}</span></p>",
        l.sold_by,
        escape(&content.seller)
    );
    if let Some(address) = &content.address {
        let _ = writeln!(main, "<p class=\"listing-address\">{}</p>", escape(address));
    }
    main.push_str("<ul class=\"listing-contacts\">\n");
    for c in &content.contacts {
        let _ = writeln!(main, "<li class=\"listing-contact\">{}</li>", escape(c));
    }
    main.push_str("</ul>\n");
    if let Some(wallet) = &shop.identity.wallet {
        let _ = writeln!(
            main,
            "<p class=\"listing-wallet\">Bitcoin wallet: {}</p>",
            escape(wallet)
        );
    }
    let _ = writeln!(
        main,
        "<p class=\"listing-payment\">{}</p>\n<p class=\"listing-shipping\">{}</p>\n</article>",
        escape(&content.payment),
        escape(&content.shipping)
    );
    related(&mut main, state, shop, spec);
    let head = match product_jsonld(spec, shop, &content, &path) {
        Some(doc) => format!(
            "<link rel=\"canonical\" href=\"{path}\">\n<script type=\"application/ld+json\">\n{}\n</script>\n",
            script_json(&doc)
        ),
        None => format!("<link rel=\"canonical\" href=\"{path}\">\n"),
    };
    page(shop, &content.title, &head, &main)
}

/// Links to the next listings of the same category (wrapping), as shops do.
fn related(out: &mut String, state: &MarketState, shop: &ShopSpec, spec: &ListingSpec) {
    let picks = state.category_neighbours(spec, RELATED);
    if picks.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<aside class=\"related\">\n<h2>{}</h2>\n<ul>",
        labels(shop.archetype).related
    );
    for p in picks {
        let _ = writeln!(
            out,
            "<li><a href=\"{}\">{}</a></li>",
            escape(&shop.listing_path(p)),
            escape(&p.title)
        );
    }
    out.push_str("</ul>\n</aside>\n");
}
