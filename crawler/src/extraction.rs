//! The one place that talks to pharmwatch-extract.
//!
//! TEMPORARY: pharmwatch-extract has no public API yet; this stub decodes UTF-8 and finds
//! `href`s so the crawl loop can be exercised. Replaced by the real calls as soon as the
//! extract crate publishes `decode_html` / `extract_page`.

use std::sync::{Arc, LazyLock};

use pharmwatch_model::{Listing, Timestamp};
use regex::Regex;
use url::Url;

use crate::frontier::Priority;
use crate::{CrawlError, SiteConfig};

/// Extraction context of one site (profile loaded once).
#[derive(Debug, Clone)]
pub(crate) struct SiteExtractor {
    #[allow(dead_code)]
    name: String,
}

/// What one page yielded.
#[derive(Debug, Default)]
pub(crate) struct PageOutput {
    pub listings: Vec<Listing>,
    pub links: Vec<(Url, Priority)>,
    pub encoding: Option<String>,
}

impl SiteExtractor {
    pub(crate) fn load(site: &SiteConfig) -> Result<Arc<SiteExtractor>, CrawlError> {
        Ok(Arc::new(SiteExtractor {
            name: site.name.clone(),
        }))
    }

    /// Decodes and extracts one page. CPU work: call on the blocking pool.
    pub(crate) fn extract(
        &self,
        body: &[u8],
        _content_type: Option<&str>,
        url: &Url,
        _fetched_at: Timestamp,
        _digest: &str,
    ) -> PageOutput {
        static HREF: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"<a\s+([^>]*?)href\s*=\s*["']([^"']+)["']([^>]*)>"#).unwrap_or_else(|_| unreachable!())
        });
        let text = String::from_utf8_lossy(body);
        let links = HREF
            .captures_iter(&text)
            .filter_map(|c| {
                let target = url.join(&c[2]).ok()?;
                let attrs = format!("{} {}", &c[1], &c[3]);
                let prio = if attrs.contains("next") {
                    Priority::Next
                } else {
                    Priority::Other
                };
                Some((target, prio))
            })
            .collect();
        PageOutput {
            listings: Vec::new(),
            links,
            encoding: Some("UTF-8".into()),
        }
    }
}
