//! Sitemaps (sitemaps.org 0.9): `<urlset>` and `<sitemapindex>`, plain or gzipped.
//!
//! Read with a tolerant scan for `<loc>` rather than an XML parser: real sitemaps are often
//! malformed, and all we need is the locations and which kind of file it is.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::decompress::{BodyDecoder, Coding};

/// Locations read from one sitemap file at most (the protocol's own limit).
pub const MAX_LOCS: usize = 50_000;

/// What one sitemap file lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// Page URLs.
    Urls(Vec<String>),
    /// Further sitemap files.
    Index(Vec<String>),
}

static LOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<loc>\s*(.*?)\s*</loc>").unwrap_or_else(|e| unreachable!("loc regex: {e}"))
});
static INDEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<sitemapindex[\s>]").unwrap_or_else(|e| unreachable!("index regex: {e}"))
});

/// Parses a sitemap body. A gzip file (`.xml.gz` served without `Content-Encoding`) is
/// inflated first, under `cap` bytes.
pub fn parse_sitemap(body: &[u8], cap: usize) -> Sitemap {
    let inflated;
    let xml = if body.starts_with(&[0x1f, 0x8b]) {
        inflated = gunzip(body, cap);
        &inflated[..]
    } else {
        body
    };
    let locs: Vec<String> = LOC
        .captures_iter(xml)
        .take(MAX_LOCS)
        .map(|c| unescape(&String::from_utf8_lossy(&c[1])))
        .filter(|l| !l.is_empty())
        .collect();
    if INDEX.is_match(xml) {
        Sitemap::Index(locs)
    } else {
        Sitemap::Urls(locs)
    }
}

/// Inflates as much as fits under `cap`; a bomb yields its first `cap` bytes.
fn gunzip(body: &[u8], cap: usize) -> Vec<u8> {
    match BodyDecoder::new(&Coding::Gzip, cap) {
        Some(mut d) => {
            let _ = d.push(body);
            d.into_decoded()
        }
        None => Vec::new(),
    }
}

fn unescape(text: &str) -> String {
    let t = text.trim();
    let t = t
        .strip_prefix("<![CDATA[")
        .and_then(|s| s.strip_suffix("]]>"))
        .unwrap_or(t);
    t.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn urlset_and_index() {
        let urlset = br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> http://a.example/p?x=1&amp;y=2 </loc></url><url><LOC>http://a.example/q</LOC></url></urlset>"#;
        assert_eq!(
            parse_sitemap(urlset, 1 << 20),
            Sitemap::Urls(vec![
                "http://a.example/p?x=1&y=2".into(),
                "http://a.example/q".into()
            ])
        );
        let index = br#"<sitemapindex><sitemap><loc><![CDATA[http://a.example/s1.xml.gz]]></loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse_sitemap(index, 1 << 20),
            Sitemap::Index(vec!["http://a.example/s1.xml.gz".into()])
        );
    }

    #[test]
    fn gzipped_sitemaps_are_inflated_under_the_cap() {
        let xml = b"<urlset><url><loc>http://a.example/z</loc></url></urlset>";
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(xml).unwrap();
        let gz = e.finish().unwrap();
        assert_eq!(
            parse_sitemap(&gz, 1 << 20),
            Sitemap::Urls(vec!["http://a.example/z".into()])
        );
        assert_eq!(parse_sitemap(&gz, 10), Sitemap::Urls(vec![]));
    }
}
