//! Marks a page carries of whoever runs the shop: analytics accounts, affiliate ids, off-site
//! payment hosts, the page template, a postal address and a licence claim.
//!
//! Networks of illegal pharmacies reuse these across many domains; the signals stage links
//! shops that share them. Everything here reads the DOM extraction already parsed, is bounded
//! (elements, attribute and text lengths, identifiers per kind) and compiles its patterns
//! once, so it can run on every page.
//!
//! Normalised values (see [`SiteIdentifier`]):
//! - analytics ids upper-case: `UA-1234567-1`, `G-ABC123XYZ`, `GTM-ABCD12`, Yandex Metrika
//!   counters as `YM-12345678`, Baidu 统计 site keys as `BAIDU-<32 HEX>`;
//! - affiliate ids as `param=value`, both lower-case (`aff=rx7731`);
//! - payment hosts lower-case, without `www.`;
//! - templates as 16 hex digits (see [`template_fingerprint`]).

use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use pharmwatch_model::{IdentifierKind, PageMarks, SiteIdentifier};
use regex::Regex;
use scraper::node::Element;
use scraper::{ElementRef, Html, Node, Selector};
use sha2::{Digest, Sha256};
use url::Url;

use crate::extract::selector;
use crate::guarded::GuardedRegex;
use crate::html_text::element_text;
use crate::text::truncate_at_char;

/// Scripts (and `noscript` blocks) read per page.
const MAX_SCRIPTS: usize = 128;
/// Bytes of one script's text scanned for analytics ids.
const MAX_SCRIPT_TEXT: usize = 256 * 1024;
/// Bytes of one attribute value looked at (URLs, class lists).
const MAX_ATTR: usize = 4096;
/// Links and forms looked at for affiliate ids and payment hosts.
const MAX_LINKS: usize = 5_000;
/// Identifiers kept per kind: a page listing hundreds of ids is noise, not an operator.
const MAX_PER_KIND: usize = 32;
/// Elements walked for the template fingerprint.
const MAX_TEMPLATE_ELEMENTS: usize = 20_000;
/// Fewer distinct parent/child pairs than this is too generic a skeleton to tell anything.
const MIN_TEMPLATE_EDGES: usize = 8;
/// Class tokens per element kept for the fingerprint.
const MAX_CLASS_TOKENS: usize = 32;

static SCRIPTS: LazyLock<Selector> = LazyLock::new(|| selector("script, noscript"));
static TRACKER_SRC: LazyLock<Selector> = LazyLock::new(|| selector("iframe[src], img[src]"));
static LINKS: LazyLock<Selector> = LazyLock::new(|| selector("a[href], area[href], form[action]"));
static ADDRESS: LazyLock<Selector> = LazyLock::new(|| selector("address"));
static ITEMTYPES: LazyLock<Selector> = LazyLock::new(|| selector("[itemtype]"));
static LD_JSON: LazyLock<Selector> = LazyLock::new(|| selector("script[type]"));
static BODY: LazyLock<Selector> = LazyLock::new(|| selector("body"));

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("identifier regex {pattern}: {e}"))
}

fn guarded(pattern: &str) -> GuardedRegex {
    GuardedRegex::new(pattern).unwrap_or_else(|e| unreachable!("identifier regex {pattern}: {e}"))
}

/// Analytics and tag-manager ids in script text or tracker URLs, in one pass.
static ANALYTICS: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"\b(?P<ua>UA-\d{4,10}-\d{1,4})\b",
        r"|\b(?P<gtm>GTM-[A-Z0-9]{4,12})\b",
        r"|\b(?P<g>G-[A-Z0-9]{6,12})\b",
        r"|\bym\(\s*(?P<ym>\d{5,12})\s*,",
        r"|mc\.yandex\.(?:ru|com|by|kz|ua)/watch/(?P<ym2>\d{5,12})",
        r"|\byaCounter(?P<ym3>\d{5,12})\b",
        r"|hm\.baidu\.com/hm\.js\?(?P<bd>[0-9a-fA-F]{32})\b",
    ))
});

/// Google Analytics 4 ids (`G-…`) are short enough to occur by chance in minified code:
/// they count only in a script that also loads or calls Google's tag.
static GOOGLE_TAG_CONTEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)gtag|googletagmanager|google-analytics"));

static LICENCE: LazyLock<GuardedRegex> = LazyLock::new(|| {
    guarded(concat!(
        r"(?i)\blicen[cs]ed\s+(?:online\s+|retail\s+|canadian\s+|uk\s+|us\s+)?pharmac(?:y|ies|ist)\b",
        r"|\blicen[cs]e\s*(?:no\b\.?|number\b|nr\b\.?|#)",
        r"|\bregistration\s*(?:no\b\.?|number\b|#)",
        r"|\bregistered\s+(?:online\s+)?pharmacy\b",
        r"|\b(?:GPhC|CIPA|LegitScript|NABP|VIPPS|INFARMED)\b",
        r"|药品经营许可证|互联网药品信息服务资格证书|互联网药品交易服务",
        r"|\bfarmacia\s+(?:legalmente\s+)?autorizada\b|\blicencia\s+sanitaria\b|\bautorizaci[oó]n\s+sanitaria\b",
        r"|\bpharmacie\s+(?:agr[ée][ée]e|autoris[ée]e)\b|\bordre\s+(?:national\s+)?des\s+pharmaciens\b",
        r"|\bfarm[aá]cia\s+(?:licenciada|autorizada)\b|\bautoriza[cç][aã]o\s+de\s+funcionamento\b",
    ))
});

/// The guarded regexes of this module, for the gate-equivalence tests.
#[cfg(test)]
pub(crate) fn guarded_regexes() -> Vec<&'static GuardedRegex> {
    vec![&LICENCE]
}

static LD_POSTAL_ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)"@type"\s*:\s*\[?\s*"(?:https?://schema\.org/)?PostalAddress""#));

/// Query parameters that carry an affiliate or referral id.
const AFFILIATE_PARAMS: &[&str] = &["aff", "affid", "aff_id", "ref", "refid", "partner", "pid"];
/// Of those, the ones sites also use for their own purposes (`?pid=` product ids, `?ref=`
/// navigation tags): they count only on links to another host.
const AMBIGUOUS_PARAMS: &[&str] = &["ref", "pid"];
/// Values that tag navigation, not a partner.
const AFFILIATE_STOPWORDS: &[&str] = &[
    "home",
    "nav",
    "navbar",
    "menu",
    "header",
    "footer",
    "sidebar",
    "banner",
    "logo",
    "search",
    "top",
    "bottom",
    "main",
    "email",
    "newsletter",
    "social",
    "share",
    "rss",
    "link",
    "true",
    "false",
    "null",
    "none",
    "undefined",
];

/// Host labels or path segments that say a link leads to checkout or payment.
const PAYMENT_WORDS: &[&str] = &[
    "pay",
    "payment",
    "payments",
    "checkout",
    "billing",
    "cashier",
    "paygate",
    "secure-pay",
];

/// Elements whose content is not part of a page's template.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "object", "head", "link", "meta",
];

/// The marks of one page. `page_text` is the page's visible text (already read for the
/// listings' contacts), `base` resolves relative links.
pub(crate) fn page_marks(doc: &Html, page_url: &Url, base: &Url, page_text: &str) -> PageMarks {
    let mut found: BTreeSet<SiteIdentifier> = BTreeSet::new();
    let mut add_all = |kind: IdentifierKind, values: BTreeSet<String>| {
        found.extend(
            values
                .into_iter()
                .take(MAX_PER_KIND)
                .map(|value| SiteIdentifier { kind, value }),
        );
    };
    add_all(IdentifierKind::AnalyticsId, analytics_ids(doc));
    let (affiliates, payment_hosts) = link_marks(doc, page_url, base);
    add_all(IdentifierKind::AffiliateId, affiliates);
    add_all(IdentifierKind::PaymentHost, payment_hosts);
    if let Some(t) = template_fingerprint(doc) {
        found.insert(SiteIdentifier {
            kind: IdentifierKind::Template,
            value: t,
        });
    }
    PageMarks {
        identifiers: found.into_iter().collect(),
        postal_address: has_postal_address(doc),
        licence_claim: claims_licence(page_text),
    }
}

/// Analytics ids in scripts (text and `src`) and in tracker iframes and pixels.
pub(crate) fn analytics_ids(doc: &Html) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for script in doc.select(&SCRIPTS).take(MAX_SCRIPTS) {
        if let Some(src) = script.value().attr("src") {
            scan_analytics(truncate_at_char(src, MAX_ATTR), &mut out);
        }
        let mut text = String::new();
        for t in script.text() {
            let room = MAX_SCRIPT_TEXT.saturating_sub(text.len());
            if room == 0 {
                break;
            }
            text.push_str(truncate_at_char(t, room));
        }
        scan_analytics(&text, &mut out);
    }
    for el in doc.select(&TRACKER_SRC).take(MAX_LINKS) {
        if let Some(src) = el.value().attr("src") {
            scan_analytics(truncate_at_char(src, MAX_ATTR), &mut out);
        }
    }
    out
}

fn scan_analytics(text: &str, out: &mut BTreeSet<String>) {
    if text.is_empty() {
        return;
    }
    let mut google_context = None;
    for caps in ANALYTICS.captures_iter(text) {
        if out.len() >= MAX_PER_KIND {
            return;
        }
        let value = if let Some(m) = caps.name("ua").or_else(|| caps.name("gtm")) {
            m.as_str().to_string()
        } else if let Some(m) = caps.name("g") {
            if !*google_context.get_or_insert_with(|| GOOGLE_TAG_CONTEXT.is_match(text)) {
                continue;
            }
            m.as_str().to_string()
        } else if let Some(m) = caps
            .name("ym")
            .or_else(|| caps.name("ym2"))
            .or_else(|| caps.name("ym3"))
        {
            format!("YM-{}", m.as_str())
        } else if let Some(m) = caps.name("bd") {
            format!("BAIDU-{}", m.as_str().to_ascii_uppercase())
        } else {
            continue;
        };
        out.insert(value);
    }
}

/// Affiliate ids in link and form URLs, and hosts of off-site checkout or payment pages.
fn link_marks(doc: &Html, page_url: &Url, base: &Url) -> (BTreeSet<String>, BTreeSet<String>) {
    let page_host = page_url.host_str().map(bare_host).unwrap_or_default();
    let mut affiliates = BTreeSet::new();
    let mut payment_hosts = BTreeSet::new();
    for el in doc.select(&LINKS).take(MAX_LINKS) {
        let v = el.value();
        let Some(raw) = v.attr("href").or_else(|| v.attr("action")) else {
            continue;
        };
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > MAX_ATTR {
            continue;
        }
        let Ok(url) = base.join(raw) else { continue };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let host = url.host_str().map(bare_host).unwrap_or_default();
        let off_site = !host.is_empty() && host != page_host;
        if affiliates.len() < MAX_PER_KIND {
            for (name, value) in url.query_pairs().take(32) {
                if let Some(id) = affiliate_id(&name, &value, off_site) {
                    affiliates.insert(id);
                }
            }
        }
        if off_site && payment_hosts.len() < MAX_PER_KIND && leads_to_payment(&url, &host) {
            payment_hosts.insert(host);
        }
    }
    (affiliates, payment_hosts)
}

/// Lower-case host without a leading `www.`.
fn bare_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => host,
    }
}

/// `param=value` when `name` is an affiliate parameter and `value` looks like an id.
pub(crate) fn affiliate_id(name: &str, value: &str, off_site: bool) -> Option<String> {
    let name = name.trim().to_ascii_lowercase();
    if !AFFILIATE_PARAMS.contains(&name.as_str())
        || (!off_site && AMBIGUOUS_PARAMS.contains(&name.as_str()))
    {
        return None;
    }
    let value = value.trim().to_ascii_lowercase();
    let bytes = value.as_bytes();
    let shaped = (2..=40).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    (shaped && !AFFILIATE_STOPWORDS.contains(&value.as_str())).then(|| format!("{name}={value}"))
}

/// Whether the host or the path of `url` says it is a checkout or payment page.
fn leads_to_payment(url: &Url, host: &str) -> bool {
    let host_says = host
        .split(['.', '-'])
        .any(|label| PAYMENT_WORDS.contains(&label) || label.ends_with("pay"));
    let path_says = url.path_segments().is_some_and(|mut segments| {
        segments.any(|s| {
            let s = s.to_ascii_lowercase();
            let stem = s.split('.').next().unwrap_or_default();
            PAYMENT_WORDS.contains(&stem)
        })
    });
    host_says || path_says
}

/// A schema.org `PostalAddress` (JSON-LD or microdata) or an `<address>` block that reads
/// like a postal address (some letters and a number: a street number or postcode).
pub(crate) fn has_postal_address(doc: &Html) -> bool {
    let address_block = doc.select(&ADDRESS).take(50).any(|a| {
        let text = element_text(a, 512);
        text.chars().count() >= 10
            && text.chars().any(|c| c.is_ascii_digit())
            && text.chars().any(char::is_alphabetic)
    });
    let microdata = || {
        doc.select(&ITEMTYPES).take(2_000).any(|e| {
            e.value().attr("itemtype").is_some_and(|t| {
                truncate_at_char(t, MAX_ATTR)
                    .to_ascii_lowercase()
                    .contains("postaladdress")
            })
        })
    };
    let json_ld = || {
        doc.select(&LD_JSON)
            .filter(|s| {
                s.value()
                    .attr("type")
                    .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"))
            })
            .take(32)
            .any(|s| {
                let text: String = s.text().collect();
                LD_POSTAL_ADDRESS.is_match(truncate_at_char(&text, MAX_SCRIPT_TEXT))
            })
    };
    address_block || microdata() || json_ld()
}

/// Whether the visible text claims a pharmacy licence or registration.
pub(crate) fn claims_licence(text: &str) -> bool {
    LICENCE.is_match(truncate_at_char(text, crate::keywords::MAX_KEYWORD_TEXT))
}

/// A fingerprint of the page's template: 16 hex digits of a SHA-256 over the set of distinct
/// parent → child pairs of element signatures (tag name and class tokens, lower-cased, digits
/// removed, sorted). Text, ids and other attributes do not count, nor does the content of
/// `main`, `article`, `[role=main]` and schema.org items (the product shown), nor scripts and
/// styles. Pages of one template showing different products (or a category instead of a
/// product) hash equal; a different theme or layout hashes differently. `None` for skeletons
/// too small to tell templates apart.
pub fn template_fingerprint(doc: &Html) -> Option<String> {
    let root = doc
        .select(&BODY)
        .next()
        .unwrap_or_else(|| doc.root_element());
    let edges = skeleton_edges(root);
    if edges.len() < MIN_TEMPLATE_EDGES {
        return None;
    }
    let mut hasher = Sha256::new();
    for (parent, child) in &edges {
        hasher.update(parent.to_be_bytes());
        hasher.update(child.to_be_bytes());
    }
    let digest = hasher.finalize();
    Some(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

/// Distinct (parent signature, child signature) pairs under `root`, iteratively.
fn skeleton_edges(root: ElementRef<'_>) -> BTreeSet<(u64, u64)> {
    let mut edges = BTreeSet::new();
    let mut stack: Vec<u64> = Vec::new();
    let mut skip = 0usize;
    let mut seen = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                let Node::Element(el) = node.value() else {
                    continue;
                };
                if skip > 0 {
                    skip += 1;
                    continue;
                }
                seen += 1;
                if seen > MAX_TEMPLATE_ELEMENTS {
                    break;
                }
                if SKIPPED.contains(&el.name()) {
                    skip = 1;
                    continue;
                }
                let sig = signature(el);
                edges.insert((stack.last().copied().unwrap_or(0), sig));
                if is_content_root(el) {
                    skip = 1;
                } else {
                    stack.push(sig);
                }
            }
            Edge::Close(node) => {
                if !matches!(node.value(), Node::Element(_)) {
                    continue;
                }
                if skip > 0 {
                    skip -= 1;
                } else {
                    stack.pop();
                }
            }
        }
    }
    edges
}

/// Where a page's own content starts: what differs between pages of one template.
fn is_content_root(el: &Element) -> bool {
    matches!(el.name(), "main" | "article")
        || el.attr("itemscope").is_some()
        || el
            .attr("role")
            .is_some_and(|r| r.trim().eq_ignore_ascii_case("main"))
}

/// FNV-1a of the tag name and the normalised, sorted class tokens.
fn signature(el: &Element) -> u64 {
    let mut tokens: Vec<String> = el
        .attr("class")
        .map(|c| truncate_at_char(c, MAX_ATTR))
        .unwrap_or_default()
        .split_ascii_whitespace()
        .map(|t| {
            t.chars()
                .filter(|c| !c.is_ascii_digit())
                .flat_map(char::to_lowercase)
                .take(64)
                .collect::<String>()
        })
        .filter(|t| !t.is_empty() && t.chars().any(char::is_alphabetic))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    tokens.sort_unstable();
    tokens.truncate(MAX_CLASS_TOKENS);
    let mut h = fnv(0xcbf2_9ce4_8422_2325, el.name().as_bytes());
    for t in &tokens {
        h = fnv(h, b" ");
        h = fnv(h, t.as_bytes());
    }
    h
}

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(html: &str) -> PageMarks {
        let url = Url::parse("https://shop.example/product/1-x.html").unwrap();
        let doc = Html::parse_document(html);
        let text = crate::html_text::visible_lines(doc.root_element(), 1 << 20);
        page_marks(&doc, &url, &url, &text)
    }

    fn values(m: &PageMarks, kind: IdentifierKind) -> Vec<&str> {
        m.identifiers
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.value.as_str())
            .collect()
    }

    /// A page of a small shop theme with `content` in its main region.
    fn themed(theme: &str, head: &str, content: &str) -> String {
        format!(
            "<html><head><title>x</title>{head}</head><body class=\"shop theme-{theme}\">\
             <header class=\"site-header\"><a class=\"logo\" href=\"/\">Shop</a>\
             <nav class=\"main-nav\"><a href=\"/\">Home</a><a class=\"nav-category\" href=\"/c/1\">A</a>\
             <a class=\"nav-category\" href=\"/c/2\">B</a><a class=\"cart\" href=\"/cart/\">Cart</a></nav></header>\
             <main>{content}</main>\
             <footer class=\"site-footer\"><p class=\"copy\">© 2026</p><a href=\"/about\">About</a></footer>\
             </body></html>"
        )
    }

    #[test]
    fn reads_google_yandex_and_baidu_ids() {
        let head = r#"<script async src="https://www.googletagmanager.com/gtag/js?id=G-AB12CD34EF"></script>
            <script>window.dataLayer=[];function gtag(){dataLayer.push(arguments)}gtag('config','G-AB12CD34EF');
            gtag('config','UA-48213377-1');</script>
            <script>(function(m,e,t,r,i,k,a){})(window,document,"script");ym(91234567, "init", {clickmap:true});</script>
            <script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");
            hm.src="https://hm.baidu.com/hm.js?0123456789abcdef0123456789ABCDEF";})();</script>"#;
        let body = r#"<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-QK7ADS"></iframe></noscript>
            <noscript><div><img src="https://mc.yandex.ru/watch/87654321" alt=""></div></noscript>"#;
        let m = marks(&themed("a", head, body));
        assert_eq!(
            values(&m, IdentifierKind::AnalyticsId),
            [
                "BAIDU-0123456789ABCDEF0123456789ABCDEF",
                "G-AB12CD34EF",
                "GTM-QK7ADS",
                "UA-48213377-1",
                "YM-87654321",
                "YM-91234567",
            ]
        );
    }

    #[test]
    fn analytics_lookalikes_are_not_ids() {
        // G- ids without Google's tag, ids in visible text, lower-case, too short.
        let head = r#"<script>var sizes = ["G-ABCDEFGH", "ua-1234567-1", "UA-12-1"];</script>"#;
        let body = "<p>Call UA-48213377-1 now, or GTM-ABCDEF</p>";
        let m = marks(&themed("a", head, body));
        assert!(values(&m, IdentifierKind::AnalyticsId).is_empty(), "{m:?}");
    }

    #[test]
    fn affiliate_ids_come_from_link_parameters() {
        let body = r#"<a href="https://rxpartners.example/join?aff=RX7731&utm_source=x">Partners</a>
            <a href="/cart/?add=3&affid=%20Shop-42%20">Buy</a>
            <a href="https://other.example/?ref=john77">Ref</a>
            <a href="/product.php?pid=123">Own product id</a>
            <a href="/?ref=nav">Own navigation tag</a>
            <a href="https://x.example/?partner=home">Stop word</a>
            <a href="https://x.example/?aff=https://evil.example/">A URL</a>
            <form action="https://orders.example/go?partner=p-9"><button>Go</button></form>"#;
        let m = marks(&themed("a", "", body));
        assert_eq!(
            values(&m, IdentifierKind::AffiliateId),
            ["aff=rx7731", "affid=shop-42", "partner=p-9", "ref=john77"]
        );
    }

    #[test]
    fn payment_hosts_are_off_site_checkout_pages() {
        let body = r#"<a href="https://checkout.stripe.com/c/pay/abc">Pay</a>
            <a href="https://www.SecurePay-Gateway.example/start">Pay by card</a>
            <form method="post" action="https://orders.rxbill.example/payment/new"><button>Pay</button></form>
            <a href="/checkout/">Own checkout</a>
            <a href="https://www.shop.example/pay/">Own host with www</a>
            <a href="https://news.example/story/payday-loans">Not a payment page</a>
            <a href="mailto:pay@x.example">Mail</a>"#;
        let m = marks(&themed("a", "", body));
        assert_eq!(
            values(&m, IdentifierKind::PaymentHost),
            [
                "checkout.stripe.com",
                "orders.rxbill.example",
                "securepay-gateway.example"
            ]
        );
    }

    fn template_of(html: &str) -> Option<String> {
        template_fingerprint(&Html::parse_document(html))
    }

    #[test]
    fn one_template_hashes_equal_whatever_the_product() {
        let a = themed(
            "harbor",
            "<script>gtag('config','UA-1-1')</script>",
            "<article class=\"listing\" id=\"listing-1\"><h1>Viagra 100mg</h1><p class=\"price\">$10</p></article>",
        );
        let b = themed(
            "harbor",
            "",
            "<article class=\"listing\" id=\"listing-2\"><h1>Oxycodone</h1><p class=\"rx\">Rx</p>\
             <ul><li>a</li><li>b</li></ul></article><aside class=\"related\"><ul><li>x</li></ul></aside>",
        );
        let ta = template_of(&a).unwrap();
        assert_eq!(ta.len(), 16);
        assert!(ta.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(Some(ta.clone()), template_of(&b));
        // Class order, digits in class names and ids do not matter.
        let c = a
            .replace("shop theme-harbor", "theme-harbor2 shop")
            .replace("site-header", "site-header\" id=\"h7");
        assert_eq!(Some(ta.clone()), template_of(&c));
        // Another theme, or another layout, differs.
        assert_ne!(Some(ta.clone()), template_of(&themed("slate", "", "")));
        let other_layout = a.replace(
            "<footer class=\"site-footer\">",
            "<footer class=\"bottom\">",
        );
        assert_ne!(Some(ta), template_of(&other_layout));
    }

    #[test]
    fn bare_pages_have_no_template() {
        assert_eq!(template_of("<p>hello</p>"), None);
        assert_eq!(template_of(""), None);
    }

    #[test]
    fn hostile_markup_stays_bounded() {
        let huge_class = format!(
            "<html><body class=\"{}\"><div>{}</div></body></html>",
            "x ".repeat(50_000),
            "<div><span class=\"a\">".repeat(2_000)
        );
        let m = marks(&huge_class);
        assert!(m.identifiers.len() <= 4 * MAX_PER_KIND);
        let many_ids: String = (0..500)
            .map(|i| format!("<a href=\"https://p{i}.example/pay?aff=id{i}\">x</a>"))
            .collect();
        let m = marks(&themed("a", "", &many_ids));
        assert_eq!(values(&m, IdentifierKind::AffiliateId).len(), MAX_PER_KIND);
        assert_eq!(values(&m, IdentifierKind::PaymentHost).len(), MAX_PER_KIND);
        let broken =
            "<html><body><a href=\"https://pay.x.example/?aff=zz9<script>ym(123456,".to_string();
        let _ = marks(&broken);
        let long_attr = format!(
            "<a href=\"https://pay.example/?aff={}\">x</a>",
            "a".repeat(100_000)
        );
        assert!(values(&marks(&long_attr), IdentifierKind::AffiliateId).is_empty());
    }

    #[test]
    fn postal_addresses_from_address_blocks_and_schema_org() {
        let legit = themed(
            "a",
            "",
            "<address>CareWell Pharmacy Ltd, 12 Park Row, Leeds LS1 5HD</address>",
        );
        assert!(marks(&legit).postal_address);
        let micro = themed(
            "a",
            "",
            "<div itemscope itemtype=\"https://schema.org/PostalAddress\"><span>Rue 1</span></div>",
        );
        assert!(marks(&micro).postal_address);
        let ld = themed(
            "a",
            r#"<script type="application/ld+json">{"@type":"Organization","address":{"@type": "PostalAddress","streetAddress":"1 Main St"}}</script>"#,
            "",
        );
        assert!(marks(&ld).postal_address);
        let email_only = themed("a", "", "<address>mail us</address>");
        assert!(!marks(&email_only).postal_address);
        assert!(!marks(&themed("a", "", "<p>12 Park Row</p>")).postal_address);
    }

    #[test]
    fn licence_claims_in_several_languages() {
        for yes in [
            "GPhC registered pharmacy premises 9011223",
            "A licensed Canadian pharmacy since 2001",
            "Pharmacy licence no. 4471",
            "Verified by LegitScript",
            "CIPA certified",
            "药品经营许可证：粤AA0200001",
            "互联网药品信息服务资格证书编号 (粤)-经营性-2020-0101",
            "Farmacia legalmente autorizada",
            "Pharmacie agréée par l'ARS",
            "Farmácia licenciada pelo INFARMED",
        ] {
            assert!(claims_licence(yes), "{yes}");
        }
        for no in [
            "Unlicensed pharmacy warning",
            "Quality medicines & low prices since 2009",
            "粤ICP备12345678号",
            "Register now for discounts",
            "license to thrill",
        ] {
            assert!(!claims_licence(no), "{no}");
        }
    }
}
