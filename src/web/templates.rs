//! The page frame and small pieces shared by pages. Templates are `maud` macros: checked at
//! compile time, and every `(value)` they interpolate is HTML-escaped, so scraped text cannot
//! become markup. `PreEscaped` is used only for the indexer's snippets, which escape their
//! text themselves (`Snippet::to_html`), and for the SVG pictures, whose writer escapes every
//! text and attribute (`pharmwatch_signals::draw::svg`).

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use pharmwatch_indexer::Snippet;
use pharmwatch_model::{Money, Severity, Timestamp};

/// The stylesheet, compiled into the binary.
const STYLE: &str = include_str!("style.css");

/// `GET /static/style.css`.
pub async fn stylesheet() -> Response {
    let mut res = STYLE.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    res
}

/// A whole page: title, navigation, body.
pub fn layout(title: &str, body: Markup) -> Html<String> {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · pharmwatch" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header.top {
                    a.brand href="/" { "pharmwatch" }
                    nav {
                        a href="/search" { "Search" }
                        a href="/reports" { "Run reports" }
                        a href="/networks" { "Networks" }
                    }
                }
                main { (body) }
            }
        }
    };
    Html(page.into_string())
}

/// The body of an error page.
pub fn error_body(status: axum::http::StatusCode, message: &str) -> Markup {
    html! {
        h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("Error")) }
        pre.error { (message) }
        p { a href="/search" { "Back to search" } }
    }
}

/// A severity as a coloured label (`–` when nothing fired).
pub fn severity_badge(severity: Option<Severity>) -> Markup {
    match severity {
        Some(s) => html! { span class={ "sev sev-" (s.as_str()) } { (s.as_str()) } },
        None => html! { span.sev { "–" } },
    }
}

/// A highlighted snippet, or the plain text when the search computed none.
pub fn snippet_or(snippet: Option<&Snippet>, plain: &str) -> Markup {
    match snippet {
        // Snippet::to_html escapes the fragment and adds only <mark> elements.
        Some(s) => PreEscaped(s.to_html()),
        None => html! { (plain) },
    }
}

pub fn money(m: Option<&Money>) -> String {
    m.map(ToString::to_string).unwrap_or_default()
}

pub fn usd(x: Option<f64>) -> String {
    x.map(|x| format!("${x:.2}")).unwrap_or_default()
}

/// UTC time as `2026-11-23 19:25:00Z`.
pub fn time(t: &Timestamp) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    t.format(&f).unwrap_or_else(|_| t.to_string())
}

/// Link to a listing's detail page.
pub fn listing_href(id: &str) -> String {
    format!("/listing/{}", encode_path(id))
}

/// Link to a domain's page.
pub fn domain_href(domain: &str) -> String {
    format!("/domain/{}", encode_path(domain))
}

/// Percent-encodes one path segment.
pub fn encode_path(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Whether `url` may be a link target: plain web URLs only (never `javascript:` or `data:`).
pub fn is_web_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}
