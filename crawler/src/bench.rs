//! Hooks for benchmarks, not a stable API: the crawl loop's own frontier and host queues,
//! driven without any network, so the memory a large frontier costs can be measured on the
//! very structures a crawl keeps (`bench/frontier_memory.sh`); and the crawler's own page
//! extraction, so the parse-only ceiling measures what a crawl runs
//! (`examples/parse_ceiling.rs`).

use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use pharmwatch_model::{Timestamp, sha256_hex};

use crate::crawl::rank;
use crate::extraction::{Profiles, SiteExtractor};
use crate::frontier::{Frontier, Priority, Scope};
use crate::politeness::{HostKey, HostScheduler};
use crate::worker::{Job, Pending};
use crate::{CrawlError, CrawlSettings, SiteConfig};

/// The frontiers (scope, dedup, trap checks) and the politeness queues of a crawl of
/// `sites`, fed with discovered links the way the crawl loop feeds them.
pub struct FrontierLoad {
    frontiers: Vec<Frontier>,
    intervals: Vec<Duration>,
    sched: HostScheduler<Pending>,
}

impl FrontierLoad {
    /// The structures a [`crate::Crawler`] over `sites` would build for one run.
    pub fn new(settings: &CrawlSettings, sites: &[SiteConfig]) -> Result<Self, CrawlError> {
        settings.validate()?;
        let mut frontiers = Vec::with_capacity(sites.len());
        let mut intervals = Vec::with_capacity(sites.len());
        for config in sites {
            let site = std::sync::Arc::new(config.compile()?);
            let scope = std::sync::Arc::new(Scope::new(site, settings.max_url_len));
            frontiers.push(Frontier::new(scope, settings.max_query_variants));
            intervals.push(config.interval(settings));
        }
        Ok(FrontierLoad {
            frontiers,
            intervals,
            sched: HostScheduler::new(settings.per_host_concurrency, settings.global_concurrency),
        })
    }

    /// A link of site `site` found on a page at `depth - 1`: admitted and queued on its host
    /// as the crawl loop does; whether it was admitted (not a duplicate, in scope, no trap).
    pub fn discover(&mut self, site: usize, url: &Url, depth: u32, priority: Priority) -> bool {
        let Some(frontier) = self.frontiers.get_mut(site) else {
            return false;
        };
        let Ok(url) = frontier.admit(url, depth, false) else {
            return false;
        };
        let Some(host) = HostKey::of(&url) else {
            return false;
        };
        let interval = self.intervals[site];
        self.sched.push(
            &host,
            Job::page(site, url, depth).into(),
            rank(priority),
            interval,
            Instant::now(),
        );
        true
    }

    /// Jobs queued on all hosts.
    pub fn queued(&self) -> usize {
        self.sched.queued()
    }

    /// Hands out the next job whose host may be asked now and completes it at once (its
    /// response arrives instantly); returns its site and URL.
    pub fn dispatch_one(&mut self) -> Option<(usize, Url)> {
        let (host, pending) = self.sched.pop_ready(Instant::now())?;
        self.sched.head_arrived(&host, Instant::now());
        self.sched.complete(&host);
        let job = pending.into_job(&host)?;
        Some((job.site, job.url))
    }
}

/// One site's page extraction exactly as the crawler runs it on a fetched page: body digest,
/// charset decoding, listing and link extraction with the site's profile.
pub struct PageExtraction {
    extractor: std::sync::Arc<SiteExtractor>,
}

impl PageExtraction {
    /// Loads the sites' profiles as a crawl of `sites` does (each profile file once); one
    /// extraction per site, in order.
    pub fn load_all(sites: &[SiteConfig]) -> Result<Vec<Self>, CrawlError> {
        let mut profiles = Profiles::default();
        sites
            .iter()
            .map(|site| {
                Ok(PageExtraction {
                    extractor: SiteExtractor::load(site, &mut profiles)?,
                })
            })
            .collect()
    }

    /// Extracts one HTML page fetched from `url`; returns (listings, links) found.
    pub fn extract(&self, body: &[u8], url: &Url, fetched_at: Timestamp) -> (usize, usize) {
        let digest = sha256_hex(body);
        let page = self
            .extractor
            .extract(body, Some("text/html"), url, fetched_at, &digest);
        (page.listings.len(), page.links.len())
    }
}
