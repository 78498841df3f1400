//! The per-site frontier: scope, dedup, traps and priority.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use url::Url;

use crate::config::ValidSite;
use crate::url_norm::normalize_url;

/// File types that are never pages: fetching them would only spend the body cap.
const BINARY_EXTENSIONS: &[&str] = &[
    "7z", "apk", "avi", "bin", "bmp", "css", "dmg", "eot", "exe", "gif", "gz", "ico", "iso",
    "jpeg", "jpg", "js", "mkv", "mov", "mp3", "mp4", "msi", "ogg", "otf", "pdf", "png", "rar",
    "svg", "tar", "tgz", "tif", "tiff", "ttf", "wav", "webm", "webp", "wmv", "woff", "woff2",
    "zip",
];

/// Whether the URL's path names a file type that is not a page (images, archives, fonts…).
pub fn is_binary_resource(url: &Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or("");
    last.rsplit_once('.')
        .is_some_and(|(_, ext)| BINARY_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// What kind of page a link leads to, which sets the order of fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// Product or ad pages: where listings are.
    Listing = 0,
    /// Pagination (`rel=next`): leads to more listing pages.
    Next = 1,
    /// Everything else (home, categories, about pages).
    Other = 2,
}

/// Why a URL was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// Already admitted before (after normalisation).
    Duplicate,
    /// Not http(s), host not allowed, excluded or not included.
    OutOfScope,
    /// Deeper than `max_depth`.
    TooDeep,
    /// `max_pages` already admitted.
    PageLimit,
    /// A crawler trap: URL too long, repeating path segments, or too many query variants of
    /// one path.
    Trap,
}

/// A site's scope, shared read-only with the fetch workers (redirects are checked there).
#[derive(Debug)]
pub struct Scope {
    site: Arc<ValidSite>,
    max_url_len: usize,
}

impl Scope {
    pub(crate) fn new(site: Arc<ValidSite>, max_url_len: usize) -> Self {
        Scope { site, max_url_len }
    }

    /// Whether the URL is http(s) on one of the site's hosts (its start URLs' hosts or its
    /// `allowed_hosts`), whatever its path.
    pub fn host_allowed(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https") && self.site.hosts.iter().any(|h| h.matches(url))
    }

    /// Whether the URL is inside the site's scope: http(s), allowed host, include and
    /// exclude patterns (include does not apply to `seed`s).
    pub fn in_scope(&self, url: &Url, seed: bool) -> bool {
        if !self.host_allowed(url) {
            return false;
        }
        let text = url.as_str();
        if self.site.exclude.iter().any(|r| r.is_match(text)) {
            return false;
        }
        seed || self.site.include.is_empty() || self.site.include.iter().any(|r| r.is_match(text))
    }

    /// A trap by its shape alone (length, repeated path segments, absurd depth).
    pub fn looks_like_trap(&self, url: &Url) -> bool {
        if url.as_str().len() > self.max_url_len {
            return true;
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        if segments.len() > 32 {
            return true;
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for s in &segments {
            let c = counts.entry(s).or_default();
            *c += 1;
            if *c >= 3 {
                return true;
            }
        }
        // A run of the same two segments repeated (a/b/a/b) is the classic relative-link loop.
        segments.windows(4).any(|w| w[0] == w[2] && w[1] == w[3])
    }
}

/// The URLs a frontier has admitted, kept as 128-bit fingerprints instead of strings: a
/// million URLs cost ~32 MB instead of ~130 MB. Two SipHash keys drawn at random per frontier
/// make a false "duplicate" about as likely as n²/2¹²⁹ (nil for any real crawl) and keep a
/// hostile site from crafting URLs that collide with ones it wants skipped.
#[derive(Debug, Default)]
struct SeenUrls {
    keys: (RandomState, RandomState),
    set: HashSet<u128>,
}

impl SeenUrls {
    fn fingerprint(&self, url: &str) -> u128 {
        (u128::from(self.keys.0.hash_one(url)) << 64) | u128::from(self.keys.1.hash_one(url))
    }

    fn contains(&self, url: &str) -> bool {
        self.set.contains(&self.fingerprint(url))
    }

    /// True when the URL was not there yet.
    fn insert(&mut self, url: &str) -> bool {
        let fp = self.fingerprint(url);
        self.set.insert(fp)
    }
}

/// One site's frontier. It decides which URLs may be fetched; the politeness scheduler
/// decides when.
#[derive(Debug)]
pub struct Frontier {
    scope: Arc<Scope>,
    max_pages: Option<usize>,
    max_depth: Option<u32>,
    seen: SeenUrls,
    admitted: usize,
    query_variants: HashMap<String, usize>,
    max_query_variants: usize,
}

impl Frontier {
    pub(crate) fn new(scope: Arc<Scope>, max_query_variants: usize) -> Self {
        Frontier {
            max_pages: scope.site.config.max_pages,
            max_depth: scope.site.config.max_depth,
            scope,
            seen: SeenUrls::default(),
            admitted: 0,
            query_variants: HashMap::new(),
            max_query_variants,
        }
    }

    /// The site's scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Admits a start URL or a discovered link; returns the normalised URL to fetch.
    pub fn admit(&mut self, url: &Url, depth: u32, seed: bool) -> Result<Url, Rejection> {
        let url = normalize_url(url);
        if !self.scope.in_scope(&url, seed) || (!seed && is_binary_resource(&url)) {
            return Err(Rejection::OutOfScope);
        }
        if self.seen.contains(url.as_str()) {
            return Err(Rejection::Duplicate);
        }
        if let Some(max) = self.max_depth
            && depth > max
        {
            return Err(Rejection::TooDeep);
        }
        if let Some(max) = self.max_pages
            && self.admitted >= max
        {
            return Err(Rejection::PageLimit);
        }
        if self.scope.looks_like_trap(&url) || !self.count_query_variant(&url) {
            return Err(Rejection::Trap);
        }
        self.seen.insert(url.as_str());
        self.admitted += 1;
        Ok(url)
    }

    /// Marks a URL fetched by an earlier, interrupted run of this crawl: it is not fetched
    /// again and counts against `max_pages`.
    pub fn mark_done(&mut self, url: &Url) {
        if self.seen.insert(normalize_url(url).as_str()) {
            self.admitted += 1;
        }
    }

    /// Takes one fetch of `max_pages` for something that is not a page of the frontier (a
    /// sitemap): false when the budget is spent. A sitemap costs a request and its bytes like
    /// a page, so it counts like one: one site with `max_pages = 300` downloaded 600 MB of
    /// sitemaps when they did not (issue 23).
    pub fn take_fetch(&mut self) -> bool {
        if self.max_pages.is_some_and(|max| self.admitted >= max) {
            return false;
        }
        self.admitted += 1;
        true
    }

    /// Admits a redirect target of an admitted page: scope and trap checks apply, page
    /// and depth limits do not (the hop continues a page already counted).
    pub fn admit_redirect(&mut self, url: &Url) -> Result<Url, Rejection> {
        let url = normalize_url(url);
        if !self.scope.in_scope(&url, false) {
            return Err(Rejection::OutOfScope);
        }
        if self.scope.looks_like_trap(&url) {
            return Err(Rejection::Trap);
        }
        if !self.seen.insert(url.as_str()) {
            return Err(Rejection::Duplicate);
        }
        Ok(url)
    }

    /// Records one more query variant of the URL's path; false once the cap is reached.
    fn count_query_variant(&mut self, url: &Url) -> bool {
        if url.query().is_none() {
            return true;
        }
        let key = format!(
            "{}://{}:{}{}",
            url.scheme(),
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0),
            url.path()
        );
        let n = self.query_variants.entry(key).or_default();
        if *n >= self.max_query_variants {
            return false;
        }
        *n += 1;
        true
    }

    /// Number of URLs admitted so far.
    pub fn admitted(&self) -> usize {
        self.admitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SiteConfig;

    fn frontier(extra: &str, variants: usize) -> Frontier {
        let cfg: SiteConfig = toml::from_str(&format!(
            "name = \"s\"\nstart_urls = [\"http://shop.example/\"]\n{extra}"
        ))
        .unwrap();
        let scope = Scope::new(Arc::new(cfg.compile().unwrap()), 2048);
        Frontier::new(Arc::new(scope), variants)
    }

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scope_dedup_depth_and_limits() {
        let mut f = frontier(
            "max_depth = 2\nmax_pages = 3\nexclude = ['/cart/']\ninclude = ['/p/']",
            10,
        );
        assert!(f.admit(&u("http://shop.example/"), 0, true).is_ok());
        assert_eq!(
            f.admit(&u("http://shop.example/#x"), 0, true),
            Err(Rejection::Duplicate)
        );
        assert_eq!(
            f.admit(&u("http://other.example/p/1"), 1, false),
            Err(Rejection::OutOfScope)
        );
        assert_eq!(
            f.admit(&u("http://shop.example/cart/p/1"), 1, false),
            Err(Rejection::OutOfScope)
        );
        assert_eq!(
            f.admit(&u("http://shop.example/about"), 1, false),
            Err(Rejection::OutOfScope)
        );
        assert_eq!(
            f.admit(&u("mailto:a@shop.example"), 1, false),
            Err(Rejection::OutOfScope)
        );
        for binary in [
            "http://shop.example/p/x.JPG",
            "http://shop.example/p/a.pdf?x=1",
        ] {
            assert_eq!(f.admit(&u(binary), 1, false), Err(Rejection::OutOfScope));
        }
        assert_eq!(
            f.admit(&u("http://shop.example/p/9"), 3, false),
            Err(Rejection::TooDeep)
        );
        assert!(f.admit(&u("http://shop.example/p/1"), 1, false).is_ok());
        assert!(f.admit(&u("http://shop.example/p/2"), 2, false).is_ok());
        assert_eq!(
            f.admit(&u("http://shop.example/p/3"), 2, false),
            Err(Rejection::PageLimit)
        );
        assert_eq!(f.admitted(), 3);
    }

    #[test]
    fn traps_are_refused() {
        let mut f = frontier("", 5);
        let long = format!("http://shop.example/{}", "a".repeat(2100));
        assert_eq!(f.admit(&u(&long), 1, false), Err(Rejection::Trap));
        assert_eq!(
            f.admit(&u("http://shop.example/x/y/x/y/z"), 1, false),
            Err(Rejection::Trap)
        );
        assert_eq!(
            f.admit(&u("http://shop.example/a/a/a"), 1, false),
            Err(Rejection::Trap)
        );
        for day in 0..5 {
            let url = format!("http://shop.example/cal?d={day}");
            assert!(f.admit(&u(&url), 1, false).is_ok());
        }
        assert_eq!(
            f.admit(&u("http://shop.example/cal?d=99"), 1, false),
            Err(Rejection::Trap)
        );
        // Other paths keep their own budget.
        assert!(
            f.admit(&u("http://shop.example/other?d=99"), 1, false)
                .is_ok()
        );
        assert!(
            f.admit(&u("http://shop.example/category/a/b"), 1, false)
                .is_ok()
        );
    }
}
