//! The table-layout pharmacy: HTML 4 tables, no structured data, the title in `div.ttl h2`,
//! label/value rows (`<th>Price</th><td><span class="cost">…`), "Sold by", a description
//! paragraph, six related products with their prices, and document-relative links
//! throughout. Its side column and footer name drugs, "discreet", Bitcoin and worldwide
//! delivery: shop-wide words, never the listing's.

use super::offer::Offer;
use super::shop::FamilyShop;
use super::site::{Site, list_pages, related};
use crate::render::escape;

/// Claim words printed outside every listing's region (side column, footer).
pub const OUTSIDE_WORDS: &[&str] = &["discreet", "bitcoin", "worldwide"];

/// Catalogue rows per list page.
const PER_PAGE: usize = 20;

pub fn site(shop: &FamilyShop, offers: &[Offer]) -> Site {
    let mut site = Site::new();
    let name = escape(&shop.display_name);
    site.page(
        "/",
        frame(
            shop,
            "Welcome",
            &format!("<p>Welcome to {name}. <a href=\"catalog/index.html\">Browse the catalog</a> or read <a href=\"about.html\">about us</a>.</p>"),
            "",
        ),
    );
    site.page(
        "/about.html",
        frame(
            shop,
            "About us",
            "<p>Family-run online chemist. Orders are dispatched from our own warehouse.</p>",
            "../",
        ),
    );
    for (n, chunk) in list_pages(offers, PER_PAGE) {
        let rows: String = chunk
            .iter()
            .map(|o| {
                format!(
                    "<tr><td><a href=\"item-{}.html\">{}</a></td><td>{}</td></tr>\n",
                    o.id,
                    escape(&o.title),
                    escape(o.count_text.as_deref().unwrap_or("")),
                )
            })
            .collect();
        let next = if (n * PER_PAGE) < offers.len() {
            format!(
                "<p><a href=\"page-{}.html\">Next page &raquo;</a></p>",
                n + 1
            )
        } else {
            String::new()
        };
        let path = if n == 1 {
            "/catalog/index.html".to_string()
        } else {
            format!("/catalog/page-{n}.html")
        };
        let body = format!(
            "<table class=\"list\" border=\"1\" cellpadding=\"4\">\n<tr><th>Product</th><th>Package</th></tr>\n{rows}</table>\n{next}"
        );
        site.page(&path, frame(shop, "Catalog", &body, "../"));
    }
    for (i, offer) in offers.iter().enumerate() {
        let path = format!("/catalog/item-{}.html", offer.id);
        let body = product(offer, &related(offers, i, 6));
        site.page(&path, frame(shop, &offer.title, &body, "../"));
        site.place(i, &path, 0);
    }
    site
}

fn product(offer: &Offer, related: &[&Offer]) -> String {
    let row = |label: &str, value: &str| {
        format!("<tr><th align=\"left\">{label}</th><td>{value}</td></tr>\n")
    };
    let mut rows = row(
        "Price",
        &format!("<span class=\"cost\">{}</span>", escape(&offer.price_text)),
    );
    rows += &row("Sold by", &escape(&offer.seller));
    if let Some(count) = &offer.count_text {
        rows += &row("Package", &escape(count));
    }
    let terms: Vec<String> = offer.own_claims().iter().map(|c| escape(c)).collect();
    rows += &row("Terms", &terms.join("<br>"));
    if !offer.contacts.is_empty() {
        let contacts: Vec<String> = offer.contacts.iter().map(|c| escape(c)).collect();
        rows += &row("Contact", &contacts.join("<br>"));
    }
    let related_rows: String = related
        .iter()
        .map(|r| {
            format!(
                "<tr><td><a href=\"item-{}.html\">{}</a></td><td>{}</td></tr>\n",
                r.id,
                escape(&r.title),
                escape(&r.price_text)
            )
        })
        .collect();
    format!(
        "<div class=\"ttl\"><h2>{title}</h2></div>\n\
         <table class=\"prod\" border=\"0\" cellpadding=\"3\">\n{rows}</table>\n\
         <p>{description}</p>\n\
         <form action=\"../cart/add\" method=\"post\"><input type=\"hidden\" name=\"id\" value=\"{id}\"><input type=\"submit\" value=\"Add to cart\"></form>\n\
         <h3>Customers also bought</h3>\n<table class=\"rel\" cellpadding=\"3\">\n{related_rows}</table>\n",
        title = escape(&offer.title),
        description = escape(&offer.description),
        id = offer.id,
    )
}

/// The shop's frame: header, side column with category blurbs, footer. `up` leads from the
/// page's folder to the shop root ("" or "../").
fn frame(shop: &FamilyShop, title: &str, main: &str, up: &str) -> String {
    let name = escape(&shop.display_name);
    format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n\
         <html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n\
         <title>{title} - {name}</title></head>\n<body bgcolor=\"#ffffff\">\n\
         <table width=\"760\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\">\n\
         <tr><td colspan=\"2\" class=\"hdr\"><a href=\"{up}index.html\"><b>{name}</b></a> \
         <font size=\"1\">Your online chemist since 2009 | <a href=\"{up}catalog/index.html\">Catalog</a> | <a href=\"{up}about.html\">About us</a></font></td></tr>\n\
         <tr><td class=\"left\" width=\"170\" valign=\"top\"><b>Categories</b><br>\n\
         <a href=\"{up}catalog/index.html\">All products</a><br>\n\
         <p class=\"side\">Discreet treatments for erectile dysfunction: Viagra, Cialis, Kamagra.</p>\n\
         <p class=\"side\">Pain relief and sleep aids: Tramadol, Valium, Xanax and more. Bitcoin accepted.</p>\n\
         </td><td valign=\"top\" class=\"main\">\n{main}</td></tr>\n\
         <tr><td colspan=\"2\" class=\"ftr\"><font size=\"1\">We accept Visa, MasterCard and Bitcoin. Worldwide delivery. &copy; 2026 {name}</font></td></tr>\n\
         </table>\n</body></html>\n",
        title = escape(title),
    )
}
