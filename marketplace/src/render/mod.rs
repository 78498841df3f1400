//! Rendering: from a request path to the bytes a shop answers, the same for the server and
//! for static files.

mod html;
mod jsonld;
mod layout;
mod product;
mod site_pages;

pub(crate) use html::escape;
pub use site_pages::{PAGE_SIZE, ROBOTS_TXT, page_count};

use crate::format::http_date;
use crate::shops::ShopSpec;
use crate::state::MarketState;

/// The one stylesheet every page links to.
const STYLESHEET: &str = "body{font-family:sans-serif;margin:0 auto;max-width:60em}\n\
.main-nav a{margin-right:1em}\n.listing-price{font-weight:bold}\n";

/// A response body with what the server needs to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// HTTP status (200, or 404 for unknown paths).
    pub status: u16,
    /// `Content-Type` with charset.
    pub content_type: &'static str,
    /// The bytes, in the shop's charset.
    pub body: Vec<u8>,
    /// Validators (product pages only): strong ETag and Last-Modified in seconds since epoch.
    pub validators: Option<ServedValidators>,
}

/// Cache validators of a product page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedValidators {
    /// Quoted strong entity tag, e.g. `"5f2a…"`.
    pub etag: String,
    /// Last modification, seconds since the Unix epoch.
    pub last_modified: i64,
}

impl ServedValidators {
    /// `Last-Modified` as an HTTP date.
    pub fn last_modified_http(&self) -> String {
        http_date(self.last_modified)
    }
}

/// What a path of a shop is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route<'a> {
    Home,
    Robots,
    Stylesheet,
    About,
    Category { slug: &'a str, page: usize },
    Product(&'a str),
    Cart,
    Login,
    NotFound,
}

/// Parses a path and query against the contract's URL scheme.
pub fn route<'a>(path: &'a str, query: Option<&str>) -> Route<'a> {
    match path {
        "/" | "/index.html" => return Route::Home,
        "/robots.txt" => return Route::Robots,
        "/about.html" => return Route::About,
        "/static/site.css" => return Route::Stylesheet,
        _ => {}
    }
    if path.starts_with("/cart/") {
        return Route::Cart;
    }
    if path.starts_with("/account/") {
        return Route::Login;
    }
    if let Some(slug) = path.strip_prefix("/category/") {
        let page = match query_param(query, "page") {
            None => Some(1),
            Some(v) => v.parse::<usize>().ok(),
        };
        return match page {
            Some(page) if !slug.is_empty() && !slug.contains('/') => Route::Category { slug, page },
            _ => Route::NotFound,
        };
    }
    if (path.starts_with("/product/") || path.starts_with("/ad/")) && path.ends_with(".html") {
        return Route::Product(path);
    }
    Route::NotFound
}

fn query_param<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Renders `path?query` of shop `shop_index`. Unknown paths give a 404 page.
pub fn render(state: &MarketState, shop_index: usize, path: &str, query: Option<&str>) -> Rendered {
    let Some(shop) = state.shops.get(shop_index) else {
        return Rendered {
            status: 404,
            content_type: "text/plain; charset=utf-8",
            body: b"no such shop\n".to_vec(),
            validators: None,
        };
    };
    let html = |status: u16, text: String| html_response(shop, status, text, None);
    match route(path, query) {
        Route::Home => html(200, site_pages::home_page(state, shop_index, shop)),
        Route::Robots => Rendered {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: ROBOTS_TXT.as_bytes().to_vec(),
            validators: None,
        },
        Route::Stylesheet => Rendered {
            status: 200,
            content_type: "text/css; charset=utf-8",
            body: STYLESHEET.as_bytes().to_vec(),
            validators: None,
        },
        Route::About => html(200, site_pages::about_page(shop)),
        Route::Cart => html(200, site_pages::private_page(shop, true)),
        Route::Login => html(200, site_pages::private_page(shop, false)),
        Route::Category { slug, page } => {
            match site_pages::category_page(state, shop_index, shop, slug, page) {
                Some(text) => html(200, text),
                None => html(404, site_pages::not_found_page(shop)),
            }
        }
        Route::Product(p) => match state.listing_at(shop_index, p) {
            Some(spec) => {
                let text = product::product_page(state, shop, spec);
                html_response(shop, 200, text, Some(spec.modified))
            }
            None => html(404, site_pages::not_found_page(shop)),
        },
        Route::NotFound => html(404, site_pages::not_found_page(shop)),
    }
}

/// Encodes the page in the shop's charset and adds validators when `modified` is given.
fn html_response(shop: &ShopSpec, status: u16, text: String, modified: Option<i64>) -> Rendered {
    let (content_type, body) = if shop.archetype.is_gbk() {
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        ("text/html; charset=GBK", bytes.into_owned())
    } else {
        ("text/html; charset=utf-8", text.into_bytes())
    };
    let validators = modified.map(|last_modified| ServedValidators {
        etag: format!("\"{:016x}\"", fnv1a(&body)),
        last_modified,
    });
    Rendered {
        status,
        content_type,
        body,
        validators,
    }
}

/// FNV-1a 64: a stable, dependency-free content hash for ETags.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_follow_the_contract() {
        assert_eq!(route("/", None), Route::Home);
        assert_eq!(
            route("/category/pain-relief", Some("page=3")),
            Route::Category {
                slug: "pain-relief",
                page: 3
            }
        );
        assert_eq!(
            route("/category/pain-relief", None),
            Route::Category {
                slug: "pain-relief",
                page: 1
            }
        );
        assert_eq!(route("/category/x", Some("page=abc")), Route::NotFound);
        assert_eq!(
            route("/product/1-a.html", None),
            Route::Product("/product/1-a.html")
        );
        assert_eq!(route("/ad/1.html", None), Route::Product("/ad/1.html"));
        assert_eq!(route("/cart/", None), Route::Cart);
        assert_eq!(route("/account/login", None), Route::Login);
        assert_eq!(route("/nope", None), Route::NotFound);
    }
}
