//! The script-rendered variant of a shop, as many rogue pharmacies and social shops build
//! their pages: every HTML page is served as a shell holding a script and an empty
//! `<div id="app">`; the script fetches the page's content from a JSON endpoint and renders
//! it. The content, and so the ground truth, is exactly the plain shop's: only a client that
//! runs the script sees the listings. Two further pages are hostile to a browser: one never
//! settles, one crashes its renderer.

use serde::Serialize;

use crate::render::{Rendered, render};
use crate::state::MarketState;

/// The script every shell loads.
pub const APP_JS_PATH: &str = "/static/app.js";
/// The JSON endpoint the script reads a page's content from (`?path=` the page's path).
pub const PAGE_JSON_PATH: &str = "/api/page.json";

/// Fetches the page's content and writes it into the document. `insertAdjacentHTML` keeps
/// the markup as the server rendered it (JSON-LD included), as a framework's render would.
const APP_JS: &str = r#"(async function () {
  var where = location.pathname + location.search;
  var response = await fetch("/api/page.json?path=" + encodeURIComponent(where));
  var page = await response.json();
  document.head.insertAdjacentHTML("beforeend", page.head);
  document.getElementById("app").innerHTML = page.body;
  document.documentElement.setAttribute("data-rendered", "yes");
})();
"#;

const SHELL: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
<script src=\"/static/app.js\" defer></script></head>\n<body><div id=\"app\"></div>\
<noscript>This shop needs JavaScript.</noscript></body></html>\n";

/// A page whose script keeps the network busy for ever: it never settles.
pub const NEVER_SETTLES_PATH: &str = "/never-settles.html";
/// A page whose script allocates without bound: its renderer runs out of memory and crashes.
pub const CRASHES_PATH: &str = "/crashes.html";

const NEVER_SETTLES: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Busy</title>\
<script>setInterval(function () { fetch(\"/api/page.json?path=/about.html\"); }, 100);</script>\
</head><body><div id=\"app\"></div></body></html>\n";

const CRASHES: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Hungry</title>\
<script>var kept = []; for (;;) { kept.push(new Array(1 << 20).fill(kept.length)); }</script>\
</head><body><div id=\"app\"></div></body></html>\n";

/// What the script reads: the parts of the page it renders.
#[derive(Serialize)]
struct PageJson<'a> {
    status: u16,
    head: &'a str,
    body: &'a str,
}

/// The scripted answer to `path?query` of shop `shop_index`: the script, a page's content
/// as JSON, or the shell in place of an HTML page (other resources as the plain shop).
pub(crate) fn render_scripted(
    state: &MarketState,
    shop_index: usize,
    path: &str,
    query: Option<&str>,
) -> Rendered {
    if path == APP_JS_PATH {
        return Rendered {
            status: 200,
            content_type: "text/javascript; charset=utf-8",
            body: APP_JS.as_bytes().to_vec(),
            validators: None,
        };
    }
    if let Some(hostile) = match path {
        NEVER_SETTLES_PATH => Some(NEVER_SETTLES),
        CRASHES_PATH => Some(CRASHES),
        _ => None,
    } {
        return Rendered {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: hostile.as_bytes().to_vec(),
            validators: None,
        };
    }
    if path == PAGE_JSON_PATH {
        let wanted = query_param(query, "path").unwrap_or_else(|| "/".to_string());
        let (page_path, page_query) = match wanted.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (wanted, None),
        };
        let page = render(state, shop_index, &page_path, page_query.as_deref());
        return page_json(&page);
    }
    let page = render(state, shop_index, path, query);
    if !is_utf8_html(&page) {
        // GBK pages and non-HTML resources are served as the plain shop serves them.
        return page;
    }
    // The shell carries the page's validators, as a static file server would send them for
    // a script-built shop's pages: a crawler that trusted a 304 for the shell would keep an
    // empty page.
    Rendered {
        status: page.status,
        content_type: page.content_type,
        body: SHELL.as_bytes().to_vec(),
        validators: page.validators,
    }
}

fn is_utf8_html(page: &Rendered) -> bool {
    page.content_type.starts_with("text/html") && page.content_type.ends_with("utf-8")
}

fn page_json(page: &Rendered) -> Rendered {
    let text = String::from_utf8_lossy(&page.body);
    let json = PageJson {
        status: page.status,
        head: between(&text, "<head>", "</head>"),
        body: body_of(&text),
    };
    Rendered {
        status: page.status,
        content_type: "application/json",
        body: serde_json::to_vec(&json).unwrap_or_default(),
        validators: None,
    }
}

/// The text between the first `open` and the following `close` (empty when absent).
fn between<'t>(text: &'t str, open: &str, close: &str) -> &'t str {
    let Some(start) = text.find(open).map(|i| i + open.len()) else {
        return "";
    };
    let end = text[start..].find(close).map_or(text.len(), |i| start + i);
    &text[start..end]
}

/// The content of `<body …>` (its attributes dropped).
fn body_of(text: &str) -> &str {
    let Some(tag) = text.find("<body") else {
        return "";
    };
    let Some(start) = text[tag..].find('>').map(|i| tag + i + 1) else {
        return "";
    };
    let end = text[start..]
        .rfind("</body>")
        .map_or(text.len(), |i| start + i);
    &text[start..end]
}

/// The percent-decoded value of `name` in a query string.
fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let raw = query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)?;
    Some(percent_decode(raw))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_json_carries_head_and_body_of_the_plain_page() {
        let page = Rendered {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: b"<html><head><title>T</title></head><body class=x><h1>Hi</h1></body></html>"
                .to_vec(),
            validators: None,
        };
        let json: serde_json::Value = serde_json::from_slice(&page_json(&page).body).unwrap();
        assert_eq!(json["head"], "<title>T</title>");
        assert_eq!(json["body"], "<h1>Hi</h1>");
        assert_eq!(json["status"], 200);
    }

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(
            query_param(Some("path=%2Fcategory%2Fx%3Fpage%3D2"), "path").as_deref(),
            Some("/category/x?page=2")
        );
        assert_eq!(query_param(Some("a=1"), "path"), None);
    }
}
