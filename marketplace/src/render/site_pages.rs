//! The pages around the listings: home, paginated categories, about, cart, login, robots.txt.

use std::fmt::Write;

use super::html::escape;
use super::layout::{labels, page};
use crate::archetype::Archetype;
use crate::format::price_text;
use crate::shops::ShopSpec;
use crate::state::MarketState;

/// Listings per category page (contract).
pub const PAGE_SIZE: usize = 20;

/// The robots.txt every shop serves.
pub const ROBOTS_TXT: &str = "User-agent: *\nDisallow: /cart/\nDisallow: /account/\n";

/// Number of pages of a category holding `items` listings (an empty category has one page).
pub fn page_count(items: usize) -> usize {
    items.div_ceil(PAGE_SIZE).max(1)
}

/// Link to page `n` of a category: page 1 has no query.
pub fn category_href(slug: &str, n: usize) -> String {
    if n <= 1 {
        format!("/category/{slug}")
    } else {
        format!("/category/{slug}?page={n}")
    }
}

pub fn home_page(state: &MarketState, shop_index: usize, shop: &ShopSpec) -> String {
    let l = labels(shop.archetype);
    let welcome = match shop.archetype {
        Archetype::ChinesePharmacy => format!("欢迎光临{}", shop.display_name),
        Archetype::Classifieds => "Buy and sell near you".to_string(),
        _ => format!("Welcome to {}", shop.display_name),
    };
    let mut main = String::new();
    let _ = writeln!(
        main,
        "<section class=\"hero\"><h1>{}</h1></section>\n<section class=\"categories\">\n<h2>{}</h2>\n<ul>",
        escape(&welcome),
        l.categories
    );
    let cats = shop.archetype.categories();
    for (i, cat) in cats.iter().enumerate() {
        let ci = u8::try_from(i).unwrap_or(0);
        let n = state.category_listings(shop_index, ci).len();
        let _ = writeln!(
            main,
            "<li><a href=\"{}\">{}</a> <span class=\"count\">({n})</span></li>",
            category_href(cat.slug, 1),
            escape(shop.category_name(ci))
        );
    }
    let _ = writeln!(
        main,
        "</ul>\n</section>\n<section class=\"featured\">\n<h2>{}</h2>\n<ul>",
        l.featured
    );
    for i in 0..cats.len() {
        let ci = u8::try_from(i).unwrap_or(0);
        for spec in state.category_listings(shop_index, ci).into_iter().take(2) {
            let _ = writeln!(
                main,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&shop.listing_path(spec)),
                escape(&spec.title)
            );
        }
    }
    main.push_str("</ul>\n</section>\n");
    page(shop, &welcome, "", &main)
}

/// Page `n` (from 1) of a category; `None` when the category or page does not exist.
pub fn category_page(
    state: &MarketState,
    shop_index: usize,
    shop: &ShopSpec,
    slug: &str,
    n: usize,
) -> Option<String> {
    let ci = shop.category_index(slug)?;
    let items = state.category_listings(shop_index, ci);
    let pages = page_count(items.len());
    if n == 0 || n > pages {
        return None;
    }
    let l = labels(shop.archetype);
    let name = shop.category_name(ci);
    let mut main = String::new();
    let _ = writeln!(
        main,
        "<h1 class=\"category-title\">{}</h1>\n<ul class=\"product-grid\">",
        escape(name)
    );
    for spec in items.iter().skip((n - 1) * PAGE_SIZE).take(PAGE_SIZE) {
        let _ = writeln!(
            main,
            "<li class=\"product-card\"><a class=\"card-link\" href=\"{}\">{}</a> \
             <span class=\"card-price\">{}</span></li>",
            escape(&shop.listing_path(spec)),
            escape(&spec.title),
            escape(&price_text(spec.price(), shop.archetype, spec.price_format))
        );
    }
    main.push_str("</ul>\n<nav class=\"pagination\">\n");
    if n > 1 {
        let _ = writeln!(
            main,
            "<a rel=\"prev\" class=\"prev\" href=\"{}\">{}</a>",
            escape(&category_href(slug, n - 1)),
            l.prev
        );
    }
    let _ = writeln!(main, "<span class=\"page-info\">{n} / {pages}</span>");
    if n < pages {
        let _ = writeln!(
            main,
            "<a rel=\"next\" class=\"next\" href=\"{}\">{}</a>",
            escape(&category_href(slug, n + 1)),
            l.next
        );
    }
    main.push_str("</nav>\n");
    let title = if n > 1 {
        format!("{name} – {n}")
    } else {
        name.to_string()
    };
    Some(page(shop, &title, "", &main))
}

pub fn about_page(shop: &ShopSpec) -> String {
    let text = match shop.archetype {
        Archetype::ChinesePharmacy => {
            "康健大药房成立于2012年，专注于男科、减肥及各类进口药品。".to_string()
        }
        Archetype::Classifieds => {
            "QuickAds is a free classifieds site: post an ad in two minutes, reply to sellers, \
             meet locally."
                .to_string()
        }
        Archetype::LegitPharmacy => format!(
            "{} is a registered online pharmacy. Prescription medicines are supplied only \
             against a valid prescription checked by our pharmacists.",
            shop.display_name
        ),
        Archetype::RoguePharmacy => format!(
            "{} has served customers in over 40 countries since 2009 with brand and generic \
             medicines at low prices.",
            shop.display_name
        ),
    };
    let title = labels(shop.archetype).about;
    let main = format!(
        "<h1>{}</h1>\n<p class=\"about\">{}</p>\n",
        escape(title),
        escape(&text)
    );
    page(shop, title, "", &main)
}

/// The cart and login pages: crawlers should never see them (robots.txt).
pub fn private_page(shop: &ShopSpec, cart: bool) -> String {
    let l = labels(shop.archetype);
    let (title, form) = if cart {
        (l.cart, "<p class=\"cart-empty\">0</p>")
    } else {
        (
            l.login,
            "<form method=\"post\" action=\"/account/login\"><input name=\"user\">\
             <input name=\"password\" type=\"password\"><button>OK</button></form>",
        )
    };
    let main = format!("<h1>{}</h1>\n{form}\n", escape(title));
    page(
        shop,
        title,
        "<meta name=\"robots\" content=\"noindex\">\n",
        &main,
    )
}

pub fn not_found_page(shop: &ShopSpec) -> String {
    let l = labels(shop.archetype);
    let main = format!(
        "<h1>{}</h1>\n<p><a href=\"/\">{}</a></p>\n",
        l.not_found, l.home
    );
    page(shop, l.not_found, "", &main)
}
