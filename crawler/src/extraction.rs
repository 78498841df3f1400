//! The one place that talks to pharmwatch-extract: decoding and listing extraction.

use std::sync::Arc;

use pharmwatch_extract::{LinkKind, SiteContext, SiteProfile, decode_html, extract_page};
use pharmwatch_model::{Listing, Timestamp};
use url::Url;

use crate::frontier::Priority;
use crate::{CrawlError, SiteConfig};

impl From<LinkKind> for Priority {
    fn from(kind: LinkKind) -> Self {
        match kind {
            LinkKind::Listing => Priority::Listing,
            LinkKind::Next => Priority::Next,
            LinkKind::Other => Priority::Other,
        }
    }
}

/// Extraction context of one site (its profile loaded once, shared by all pages).
#[derive(Debug, Clone)]
pub(crate) struct SiteExtractor {
    context: SiteContext,
}

/// What one page yielded.
#[derive(Debug, Default)]
pub(crate) struct PageOutput {
    pub listings: Vec<Listing>,
    pub links: Vec<(Url, Priority)>,
    pub encoding: Option<String>,
}

impl SiteExtractor {
    /// Loads the site's profile, if it names one.
    pub(crate) fn load(site: &SiteConfig) -> Result<Arc<SiteExtractor>, CrawlError> {
        let profile = match &site.profile {
            Some(path) => Some(Arc::new(SiteProfile::load(path).map_err(|e| {
                CrawlError::Profile {
                    site: site.name.clone(),
                    path: path.display().to_string(),
                    message: e.to_string(),
                }
            })?)),
            None => None,
        };
        Ok(Arc::new(SiteExtractor {
            context: SiteContext {
                name: site.name.clone(),
                kind: site.kind,
                currency: site.currency,
                language: site.language.clone(),
                profile,
            },
        }))
    }

    /// Whether the site's profile says the URL is a listing page.
    pub(crate) fn is_listing_url(&self, url: &Url) -> bool {
        self.context
            .profile
            .as_ref()
            .is_some_and(|p| p.is_listing_url(url))
    }

    /// Decodes and extracts one page. CPU work: call on the blocking pool; nothing parsed
    /// outlives the call.
    pub(crate) fn extract(
        &self,
        body: &[u8],
        content_type: Option<&str>,
        url: &Url,
        fetched_at: Timestamp,
        digest: &str,
    ) -> PageOutput {
        let decoded = decode_html(body, content_type, url.host_str());
        let digest = (!digest.is_empty()).then_some(digest);
        let page = extract_page(&decoded.text, url, &self.context, fetched_at, digest);
        PageOutput {
            listings: page.listings,
            links: page
                .links
                .into_iter()
                .map(|l| (l.url, Priority::from(l.kind)))
                .collect(),
            encoding: Some(decoded.encoding.to_string()),
        }
    }
}
