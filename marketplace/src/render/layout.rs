//! Page chrome shared by every page of a shop: head, header with navigation, footer.
//!
//! Every page links to `/cart/` and `/account/login` (which robots.txt disallows). The chrome
//! never names a contact, payment method or shipping claim: those belong to listings only.

use std::fmt::Write;

use super::html::escape;
use crate::archetype::Archetype;
use crate::shops::ShopSpec;

/// Navigation words in the shop's language.
pub struct Labels {
    pub home: &'static str,
    pub about: &'static str,
    pub login: &'static str,
    pub cart: &'static str,
    pub categories: &'static str,
    pub next: &'static str,
    pub prev: &'static str,
    pub related: &'static str,
    pub sold_by: &'static str,
    pub add_to_cart: &'static str,
    pub not_found: &'static str,
    pub featured: &'static str,
}

pub fn labels(arch: Archetype) -> &'static Labels {
    match arch {
        Archetype::ChinesePharmacy => &Labels {
            home: "首页",
            about: "关于我们",
            login: "登录",
            cart: "购物车",
            categories: "药品分类",
            next: "下一页",
            prev: "上一页",
            related: "相关商品",
            sold_by: "商家：",
            add_to_cart: "加入购物车",
            not_found: "页面不存在",
            featured: "热销推荐",
        },
        Archetype::Classifieds => &Labels {
            home: "Home",
            about: "About QuickAds",
            login: "Post an ad",
            cart: "Saved ads",
            categories: "Categories",
            next: "Next",
            prev: "Previous",
            related: "Similar ads",
            sold_by: "Posted by ",
            add_to_cart: "Save this ad",
            not_found: "Page not found",
            featured: "Latest ads",
        },
        _ => &Labels {
            home: "Home",
            about: "About us",
            login: "Sign in",
            cart: "Cart",
            categories: "Categories",
            next: "Next",
            prev: "Previous",
            related: "Related products",
            sold_by: "Sold by ",
            add_to_cart: "Add to cart",
            not_found: "Page not found",
            featured: "Best sellers",
        },
    }
}

/// Wraps `main` (already escaped HTML) into a full page.
pub fn page(shop: &ShopSpec, title: &str, head_extra: &str, main: &str) -> String {
    let arch = shop.archetype;
    let l = labels(arch);
    let charset = if arch.is_gbk() { "gbk" } else { "utf-8" };
    let mut out = String::with_capacity(main.len() + 2048);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"{charset}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} | {shop_name}</title>\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n\
         {head_extra}{analytics}</head>\n<body class=\"shop-{kind} theme-{theme}\">\n<header class=\"site-header\">\n\
         <a class=\"logo\" href=\"/\">{shop_name}</a>\n<nav class=\"main-nav\">\n\
         <a href=\"/\">{home}</a>\n",
        lang = arch.language(),
        title = escape(title),
        shop_name = escape(&shop.display_name),
        kind = arch.kind(),
        analytics = shop.identity.analytics.snippet(),
        theme = escape(&shop.identity.theme),
        home = l.home,
    );
    for (i, cat) in arch.categories().iter().enumerate() {
        let name = shop.category_name(u8::try_from(i).unwrap_or(0));
        let _ = writeln!(
            out,
            "<a class=\"nav-category\" href=\"/category/{}\">{}</a>",
            cat.slug,
            escape(name)
        );
    }
    let _ = write!(
        out,
        "<a href=\"/about.html\">{about}</a>\n<a class=\"account\" href=\"/account/login\">{login}</a>\n\
         <a class=\"cart\" href=\"/cart/\">{cart}</a>\n</nav>\n</header>\n<main>\n{main}</main>\n",
        about = l.about,
        login = l.login,
        cart = l.cart,
    );
    out.push_str(&footer(shop));
    out.push_str("</body>\n</html>\n");
    out
}

/// The footer: the shop's address and licence line when it shows them, a copyright line, an
/// affiliate-program link when it has one.
fn footer(shop: &ShopSpec) -> String {
    let name = escape(&shop.display_name);
    let id = &shop.identity;
    let mut marks = String::new();
    if let Some(address) = &id.address {
        let _ = writeln!(
            marks,
            "<address class=\"shop-address\">{}</address>",
            escape(address)
        );
    }
    if let Some(line) = &id.licence_line {
        let _ = writeln!(marks, "<p class=\"trust\">{}</p>", escape(line));
    }
    let partners = id
        .affiliate_link
        .as_ref()
        .map(|link| {
            format!(
                "<p class=\"partners\"><a class=\"partner-link\" href=\"{}\">Affiliate program</a></p>\n",
                escape(link)
            )
        })
        .unwrap_or_default();
    let body = match shop.archetype {
        Archetype::ChinesePharmacy => format!("<p>© 2026 {name} 版权所有 · 粤ICP备12345678号</p>"),
        Archetype::Classifieds => format!(
            "<p>© 2026 {name} · Free classified ads &amp; local deals · \
             <a href=\"/about.html\">Terms</a></p>"
        ),
        Archetype::LegitPharmacy => format!("<p>© 2026 {name}</p>"),
        Archetype::RoguePharmacy => {
            format!("<p>© 2026 {name} · Quality medicines &amp; low prices since 2009</p>")
        }
    };
    format!(
        "<footer class=\"site-footer\">\n{marks}{body}\n{partners}<a href=\"/account/login\">{}</a> · <a href=\"/cart/\">{}</a>\n</footer>\n",
        labels(shop.archetype).login,
        labels(shop.archetype).cart
    )
}
