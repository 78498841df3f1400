//! Crawl settings and per-site configuration, as users write them in `pharmwatch.toml`.

use std::path::PathBuf;
use std::time::Duration;

use pharmwatch_model::{Currency, SiteKind};
use regex::Regex;
use serde::Deserialize;
use url::Url;

use crate::CrawlError;

/// Global crawl settings (`[crawl]` in the config file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    /// Sent on every request; its first word before `/` is the robots.txt agent token.
    pub user_agent: String,
    /// Requests in flight across all hosts.
    pub global_concurrency: usize,
    /// Requests in flight to one host (`host:port`).
    pub per_host_concurrency: usize,
    /// Requests per second per host when a site sets no `rate`.
    pub default_rate: f64,
    /// Total time for one exchange, connect to last body byte.
    pub timeout_secs: u64,
    /// Time to establish TCP (and TLS) to a host.
    pub connect_timeout_secs: u64,
    /// Cap on the body as received and, separately, on the decompressed body.
    pub max_body_bytes: u64,
    /// Redirect hops followed per page, each one scope-checked and scheduled.
    pub max_redirects: u32,
    /// Retries after the first attempt on 429, 5xx and network errors.
    pub max_retries: u32,
    /// How long a fetched robots.txt is trusted (across runs of one [`crate::Crawler`]).
    pub robots_cache_secs: u64,
    /// First backoff step; doubles per retry, with jitter.
    pub retry_base_ms: u64,
    /// Upper bound on any wait before a retry, `Retry-After` included.
    pub max_retry_wait_secs: u64,
    /// Distinct query strings admitted per path of one site (calendar and facet traps).
    pub max_query_variants: usize,
    /// URLs longer than this (bytes, normalised) are treated as traps.
    pub max_url_len: usize,
    /// Sites with `render = "browser"`: the Chromium executable (default: the first of
    /// `chromium`, `chromium-browser`, `google-chrome` on `PATH`).
    pub browser_path: Option<PathBuf>,
    /// Sites with `render = "browser"`: time for one page to load and settle, after which the
    /// page fails (its HTTP response is still archived) and the crawl goes on.
    pub browser_page_timeout_secs: u64,
    /// Sites with `render = "browser"`: pages rendered by one browser process before it is
    /// replaced by a fresh one (a crashed browser is replaced at once).
    pub browser_pages_per_process: u32,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            user_agent: "pharmwatch/0.1 (+https://example.org/pharmwatch-crawler)".into(),
            global_concurrency: 64,
            per_host_concurrency: 2,
            default_rate: 1.0,
            timeout_secs: 30,
            connect_timeout_secs: 10,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 10,
            max_retries: 3,
            robots_cache_secs: 86_400,
            retry_base_ms: 1_000,
            max_retry_wait_secs: 120,
            max_query_variants: 256,
            max_url_len: 2_048,
            browser_path: None,
            browser_page_timeout_secs: 30,
            browser_pages_per_process: 100,
        }
    }
}

impl CrawlSettings {
    /// Rejects values that would make the crawler stall or hammer hosts.
    pub fn validate(&self) -> Result<(), CrawlError> {
        let bad = |field, message: &str| {
            Err(CrawlError::Settings {
                field,
                message: message.to_string(),
            })
        };
        if self.user_agent.trim().is_empty() {
            return bad("user_agent", "must not be empty");
        }
        if self.global_concurrency == 0 {
            return bad("global_concurrency", "must be at least 1");
        }
        if self.per_host_concurrency == 0 {
            return bad("per_host_concurrency", "must be at least 1");
        }
        if !(self.default_rate.is_finite() && self.default_rate > 0.0) {
            return bad(
                "default_rate",
                "must be a positive number of requests per second",
            );
        }
        if self.timeout_secs == 0 {
            return bad("timeout_secs", "must be at least 1");
        }
        if self.connect_timeout_secs == 0 {
            return bad("connect_timeout_secs", "must be at least 1");
        }
        if self.max_body_bytes == 0 {
            return bad("max_body_bytes", "must be at least 1");
        }
        if self.max_query_variants == 0 {
            return bad("max_query_variants", "must be at least 1");
        }
        if self.browser_page_timeout_secs == 0 {
            return bad("browser_page_timeout_secs", "must be at least 1");
        }
        if self.browser_pages_per_process == 0 {
            return bad("browser_pages_per_process", "must be at least 1");
        }
        Ok(())
    }

    /// The robots.txt agent token: the first word of the User-Agent, before any `/`.
    pub fn robots_token(&self) -> String {
        let first = self.user_agent.split_whitespace().next().unwrap_or("");
        first.split('/').next().unwrap_or(first).to_string()
    }

    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

/// One site to crawl (`[[site]]` in the config file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Unique name; records, listings and stats carry it.
    pub name: String,
    #[serde(default)]
    /// What kind of place the site is (rules use it).
    pub kind: SiteKind,
    /// Where the crawl of this site begins (depth 0).
    pub start_urls: Vec<String>,
    /// `host`, `host:port` or `*.domain`; default: the hosts (with explicit ports) of
    /// `start_urls`.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Requests per second per host; overrides `default_rate`.
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    /// Pages admitted to the frontier at most (redirect hops excluded).
    pub max_pages: Option<usize>,
    /// Raw bytes received from this site at most in one run (pages, redirects, sitemaps and
    /// robots.txt, as they came over the wire). Once spent, its queued URLs are not fetched;
    /// responses already in flight finish, so the total may exceed it by their body caps.
    #[serde(default)]
    pub max_bytes: Option<u64>,
    #[serde(default)]
    /// Link distance from a start URL at most.
    pub max_depth: Option<u32>,
    /// Regexes over the normalised URL; when any is given a URL must match one
    /// (start URLs are exempt so a crawl can begin at a home page).
    #[serde(default)]
    pub include: Vec<String>,
    /// Regexes over the normalised URL; a match excludes the URL.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Site profile for pharmwatch-extract (`config/sites/*.toml`).
    #[serde(default)]
    pub profile: Option<PathBuf>,
    /// `http://`, `https://` or `socks5h://` proxy for this site only.
    #[serde(default)]
    pub proxy: Option<String>,
    /// Cron expression for the daemon; carried, not interpreted here.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Skip robots.txt for this site. Recorded in every record and in the stats.
    #[serde(default)]
    pub ignore_robots: bool,
    /// Currency assumed for bare prices.
    #[serde(default)]
    pub currency: Option<Currency>,
    /// Default language (BCP 47) of the site's pages.
    #[serde(default)]
    pub language: Option<String>,
    /// Sitemap URLs (`sitemap.xml`, indexes, `.xml.gz`) to seed the frontier from.
    #[serde(default)]
    pub sitemaps: Vec<String>,
    /// Also read the sitemaps that the site's robots.txt lists (default true).
    #[serde(default = "default_true")]
    pub follow_sitemaps: bool,
    /// How its pages are read: as fetched (`"http"`, the default) or as headless Chromium
    /// renders them after their scripts ran (`"browser"`, needs the `browser` feature).
    #[serde(default)]
    pub render: Render,
    /// With `render = "browser"`: a CSS selector the rendered page must hold before it is
    /// read (default: the page is read once its network has been idle for half a second).
    #[serde(default)]
    pub wait_for: Option<String>,
}

/// How a site's pages are read (`render` of a `[[site]]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Render {
    /// The page as fetched over HTTP.
    #[default]
    Http,
    /// The DOM headless Chromium built from the page after its scripts ran.
    Browser,
}

fn default_true() -> bool {
    true
}

/// A host pattern of a site's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostPattern {
    /// Any port of this host.
    Host(String),
    /// This host on this port only.
    HostPort(String, u16),
    /// The domain and all its subdomains (`*.domain`).
    Suffix(String),
}

impl HostPattern {
    fn parse(text: &str) -> Option<HostPattern> {
        let t = text.trim().trim_end_matches('.').to_ascii_lowercase();
        if t.is_empty() || t.contains('/') {
            return None;
        }
        if let Some(domain) = t.strip_prefix("*.") {
            return Some(HostPattern::Suffix(domain.to_string()));
        }
        // A bracketed IPv6 literal may itself contain colons.
        if let Some((host, port)) = t.rsplit_once(':')
            && !host.is_empty()
            && (!host.contains(':') || host.ends_with(']'))
        {
            let port = port.parse().ok()?;
            return Some(HostPattern::HostPort(host.to_string(), port));
        }
        Some(HostPattern::Host(t))
    }

    pub(crate) fn matches(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        match self {
            HostPattern::Host(h) => *h == host,
            HostPattern::HostPort(h, p) => *h == host && url.port_or_known_default() == Some(*p),
            HostPattern::Suffix(d) => host == *d || host.ends_with(&format!(".{d}")),
        }
    }

    fn of_url(url: &Url) -> Option<HostPattern> {
        let host = url.host_str()?.to_ascii_lowercase();
        Some(match url.port() {
            Some(port) => HostPattern::HostPort(host, port),
            None => HostPattern::Host(host),
        })
    }
}

/// A site whose configuration has been checked and compiled.
#[derive(Debug, Clone)]
pub(crate) struct ValidSite {
    pub config: SiteConfig,
    pub start_urls: Vec<Url>,
    pub hosts: Vec<HostPattern>,
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    pub sitemaps: Vec<Url>,
}

impl SiteConfig {
    /// Checks URLs, regexes, proxy and rate; errors name the site and the field.
    pub fn validate(&self) -> Result<(), CrawlError> {
        self.compile().map(|_| ())
    }

    fn err(&self, field: &'static str, message: impl Into<String>) -> CrawlError {
        CrawlError::Config {
            site: self.name.clone(),
            field,
            message: message.into(),
        }
    }

    pub(crate) fn compile(&self) -> Result<ValidSite, CrawlError> {
        if self.name.trim().is_empty() {
            return Err(self.err("name", "must not be empty"));
        }
        let start_urls = self.parse_urls("start_urls", &self.start_urls)?;
        if start_urls.is_empty() {
            return Err(self.err("start_urls", "at least one URL is required"));
        }
        let sitemaps = self.parse_urls("sitemaps", &self.sitemaps)?;
        let hosts = self.host_patterns(&start_urls)?;
        if let Some(outside) = start_urls
            .iter()
            .find(|url| !hosts.iter().any(|h| h.matches(url)))
        {
            return Err(self.err(
                "start_urls",
                format!(
                    "`{outside}` is outside allowed_hosts ({}): nothing would be fetched; add its host to allowed_hosts",
                    self.allowed_hosts.join(", ")
                ),
            ));
        }
        let include = self.regexes("include", &self.include)?;
        let exclude = self.regexes("exclude", &self.exclude)?;
        if let Some(rate) = self.rate
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(self.err(
                "rate",
                format!("{rate} is not a positive number of requests per second"),
            ));
        }
        self.check_proxy(&start_urls)?;
        self.check_render()?;
        Ok(ValidSite {
            config: self.clone(),
            start_urls,
            hosts,
            include,
            exclude,
            sitemaps,
        })
    }

    fn parse_urls(&self, field: &'static str, urls: &[String]) -> Result<Vec<Url>, CrawlError> {
        urls.iter()
            .map(|text| {
                let url = Url::parse(text.trim())
                    .map_err(|e| self.err(field, format!("`{text}` is not a URL: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(self.err(
                        field,
                        format!("`{text}` must be an http:// or https:// URL with a host"),
                    ));
                }
                Ok(crate::url_norm::normalize_url(&url))
            })
            .collect()
    }

    fn host_patterns(&self, start_urls: &[Url]) -> Result<Vec<HostPattern>, CrawlError> {
        if self.allowed_hosts.is_empty() {
            return Ok(start_urls.iter().filter_map(HostPattern::of_url).collect());
        }
        self.allowed_hosts
            .iter()
            .map(|h| {
                HostPattern::parse(h).ok_or_else(|| {
                    self.err(
                        "allowed_hosts",
                        format!("`{h}` is not a host, host:port or *.domain"),
                    )
                })
            })
            .collect()
    }

    fn regexes(&self, field: &'static str, patterns: &[String]) -> Result<Vec<Regex>, CrawlError> {
        patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| self.err(field, format!("bad regex `{p}`: {e}"))))
            .collect()
    }

    fn check_proxy(&self, start_urls: &[Url]) -> Result<(), CrawlError> {
        let onion = start_urls
            .iter()
            .any(|u| u.host_str().is_some_and(|h| h.ends_with(".onion")));
        let Some(proxy) = &self.proxy else {
            if onion {
                return Err(self.err("proxy", ".onion hosts need a socks5h:// proxy (Tor)"));
            }
            return Ok(());
        };
        let url = Url::parse(proxy)
            .map_err(|e| self.err("proxy", format!("`{proxy}` is not a URL: {e}")))?;
        match url.scheme() {
            "http" | "https" | "socks5h" if url.host_str().is_some() => {}
            "socks5" => {
                return Err(self.err(
                    "proxy",
                    format!("`{proxy}`: use socks5h:// so host names are resolved by the proxy"),
                ));
            }
            other => {
                return Err(self.err(
                    "proxy",
                    format!("`{proxy}`: scheme `{other}` unsupported (http, https, socks5h)"),
                ));
            }
        }
        if onion && url.scheme() != "socks5h" {
            return Err(self.err("proxy", ".onion hosts need a socks5h:// proxy (Tor)"));
        }
        Ok(())
    }

    fn check_render(&self) -> Result<(), CrawlError> {
        if self.render == Render::Browser && !cfg!(feature = "browser") {
            return Err(self.err(
                "render",
                "\"browser\" needs pharmwatch built with the `browser` feature \
                 (cargo build --release --features browser); or set render = \"http\"",
            ));
        }
        match &self.wait_for {
            Some(_) if self.render != Render::Browser => Err(self.err(
                "wait_for",
                "only applies to render = \"browser\"; remove it or set render = \"browser\"",
            )),
            Some(selector) if selector.trim().is_empty() => {
                Err(self.err("wait_for", "must be a CSS selector such as `#app .product`"))
            }
            _ => Ok(()),
        }
    }

    /// Seconds between two requests to one host of this site, before Crawl-delay.
    pub(crate) fn interval(&self, settings: &CrawlSettings) -> Duration {
        let rate = self.rate.unwrap_or(settings.default_rate);
        Duration::from_secs_f64(1.0 / rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(toml_text: &str) -> SiteConfig {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn defaults_match_the_documented_values() {
        let s: CrawlSettings = toml::from_str("").unwrap();
        assert_eq!(s, CrawlSettings::default());
        assert_eq!(s.global_concurrency, 64);
        assert_eq!(s.max_body_bytes, 10 * 1024 * 1024);
        assert_eq!(s.robots_token(), "pharmwatch");
        assert!(toml::from_str::<CrawlSettings>("bogus = 1").is_err());
    }

    #[test]
    fn default_scope_is_the_start_hosts_with_their_ports() {
        let s = site(
            r#"name = "a"
kind = "classifieds"
start_urls = ["http://127.0.0.1:8080/", "https://Shop.Example/x"]"#,
        );
        let v = s.compile().unwrap();
        assert_eq!(
            v.hosts,
            vec![
                HostPattern::HostPort("127.0.0.1".into(), 8080),
                HostPattern::Host("shop.example".into())
            ]
        );
        assert!(v.hosts[0].matches(&Url::parse("http://127.0.0.1:8080/a").unwrap()));
        assert!(!v.hosts[0].matches(&Url::parse("http://127.0.0.1:8081/a").unwrap()));
    }

    #[test]
    fn errors_name_site_and_field() {
        let cases = [
            (r#"start_urls = ["not a url"]"#, "start_urls"),
            (r#"start_urls = ["ftp://x.example/"]"#, "start_urls"),
            (
                "start_urls = [\"http://x.example/\"]\ninclude = [\"(\"]",
                "include",
            ),
            (
                "start_urls = [\"http://x.example/\"]\nexclude = [\"[a\"]",
                "exclude",
            ),
            (
                "start_urls = [\"http://x.example/\"]\nproxy = \"socks5://127.0.0.1:9050\"",
                "proxy",
            ),
            (
                "start_urls = [\"http://x.example/\"]\nproxy = \"ftp://127.0.0.1:9050\"",
                "proxy",
            ),
            ("start_urls = [\"http://x.onion/\"]", "proxy"),
            ("start_urls = [\"http://x.example/\"]\nrate = 0.0", "rate"),
            ("start_urls = [\"http://x.example/\"]\nrate = -1.0", "rate"),
            (
                "start_urls = [\"http://x.example/\"]\nallowed_hosts = [\"a/b\"]",
                "allowed_hosts",
            ),
            (
                "start_urls = [\"http://x.example/\"]\nwait_for = \"#app\"",
                "wait_for",
            ),
            (
                "start_urls = [\"http://x.example/\"]\nrender = \"browser\"\nwait_for = \" \"",
                if cfg!(feature = "browser") {
                    "wait_for"
                } else {
                    "render"
                },
            ),
        ];
        for (body, field) in cases {
            let s = site(&format!("name = \"shop\"\n{body}"));
            let msg = s.validate().unwrap_err().to_string();
            assert!(msg.contains("site `shop`"), "{msg}");
            assert!(msg.contains(&format!("field `{field}`")), "{body}: {msg}");
        }
        let ok = site(
            "name = \"t\"\nstart_urls = [\"http://x.onion/\"]\nproxy = \"socks5h://127.0.0.1:9050\"",
        );
        ok.validate().unwrap();
    }

    #[test]
    fn unknown_site_fields_are_rejected() {
        let e = toml::from_str::<SiteConfig>("name = \"a\"\nstart_urls = []\nstart_url = \"x\"");
        assert!(e.is_err());
    }
}
