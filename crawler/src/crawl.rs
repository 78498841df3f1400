//! The crawl loop: seeds, dispatch through the politeness gate, and what each completed
//! exchange leads to (links, redirect hops, retries, robots verdicts).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::{Sender, UnboundedReceiver};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::extraction::{ExtractionPool, Profiles, SiteExtractor};
use crate::fetch::{Limits, build_client};
use crate::frontier::{Frontier, Priority, Rejection, Scope};
use crate::politeness::{HostKey, HostScheduler};
use crate::robots::{ROBOTS_MAX_BYTES, RobotsRules};
use crate::site::SiteRuntime;
use crate::sitemap::Sitemap;
use crate::stats::RunStats;
use crate::sync::lock;
use crate::worker::{Job, JobKind, Outcome, Pending, WorkerCtx};
use crate::{CrawlError, CrawlSettings, CrawlStats, KnownPages, PageRecord, SiteConfig};

/// Rank of jobs in a host queue that continue work already started (robots first, then
/// retries and redirect hops), ahead of [`Priority`] ranks.
const RANK_ROBOTS: u8 = 0;
const RANK_CONTINUATION: u8 = 1;
/// Sitemap files fetched per site and run at most (index files included).
const MAX_SITEMAPS_PER_SITE: usize = 200;

pub(crate) fn rank(p: Priority) -> u8 {
    2 + p as u8
}

struct CachedRobots {
    at: Instant,
    rules: Arc<RobotsRules>,
}

/// A configured crawler. Reusable: [`Crawler::run`] may be called again (the daemon does),
/// sharing the robots.txt cache between runs.
pub struct Crawler {
    settings: CrawlSettings,
    sites: Vec<Arc<SiteRuntime>>,
    robots_cache: Mutex<HashMap<HostKey, CachedRobots>>,
    known: Option<Arc<dyn KnownPages>>,
    resume: HashMap<String, Resume>,
}

/// Where an interrupted crawl of one site stood, read back from a persistent frontier: the
/// pages already fetched are not fetched again, the ones found but not yet fetched are. A
/// new run passes the known pages it revisits as `queued`, with nothing `done`.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    /// URLs fetched (or given up on) by the interrupted run.
    pub done: Vec<String>,
    /// URLs found but not fetched yet: `(url, depth, priority)`.
    pub queued: Vec<(String, u32, Priority)>,
}

impl std::fmt::Debug for Crawler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crawler")
            .field("settings", &self.settings)
            .field(
                "sites",
                &self.sites.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Crawler {
    /// Validates settings and sites, loads site profiles and builds one HTTP client per
    /// distinct proxy (none reads proxy environment variables).
    pub fn new(settings: CrawlSettings, sites: Vec<SiteConfig>) -> Result<Crawler, CrawlError> {
        settings.validate()?;
        let mut clients: HashMap<Option<String>, reqwest::Client> = HashMap::new();
        let mut names = HashSet::new();
        let mut profiles = Profiles::default();
        let mut runtimes = Vec::with_capacity(sites.len());
        for config in sites {
            if !names.insert(config.name.clone()) {
                return Err(CrawlError::DuplicateSite(config.name));
            }
            let site = Arc::new(config.compile()?);
            let client = match clients.get(&config.proxy) {
                Some(c) => c.clone(),
                None => {
                    let c = build_client(&settings, config.proxy.as_deref())?;
                    clients.insert(config.proxy.clone(), c.clone());
                    c
                }
            };
            runtimes.push(Arc::new(SiteRuntime {
                scope: Arc::new(Scope::new(site.clone(), settings.max_url_len)),
                extractor: SiteExtractor::load(&config, &mut profiles)?,
                interval: config.interval(&settings),
                site,
                client,
            }));
        }
        Ok(Crawler {
            settings,
            sites: runtimes,
            robots_cache: Mutex::new(HashMap::new()),
            known: None,
            resume: HashMap::new(),
        })
    }

    /// Sends `If-None-Match`/`If-Modified-Since` from this source (the state store), and
    /// takes a 304's page from the archived copy it names.
    pub fn with_known_pages(mut self, source: Arc<dyn KnownPages>) -> Self {
        self.known = Some(source);
        self
    }

    /// Continues interrupted crawls: per site name, what was done and what was still queued.
    pub fn with_resume(mut self, resume: HashMap<String, Resume>) -> Self {
        self.resume = resume;
        self
    }

    /// A browser for the run when one of its sites renders pages with it.
    #[cfg(feature = "browser")]
    fn browser_pool(&self) -> Option<crate::browser::BrowserPool> {
        let renders = self
            .sites
            .iter()
            .any(|s| s.site.config.render == crate::Render::Browser);
        let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
        renders.then(|| crate::browser::BrowserPool::new(&self.settings, parallel))
    }

    /// The settings in force.
    pub fn settings(&self) -> &CrawlSettings {
        &self.settings
    }

    /// The configured sites, in configuration order.
    pub fn sites(&self) -> impl Iterator<Item = &SiteConfig> {
        self.sites.iter().map(|s| &s.site.config)
    }

    /// Crawls every site until its frontier is exhausted or `cancel` fires; sends one
    /// [`PageRecord`] per exchange to `out`. Per-URL failures are recorded, never
    /// returned; the error cases are only a closed `out`.
    pub async fn run(
        &self,
        out: Sender<PageRecord>,
        cancel: CancellationToken,
    ) -> Result<CrawlStats, CrawlError> {
        let stats = RunStats::default();
        for site in &self.sites {
            stats.site(site.name(), |s| s.robots_ignored = !site.respects_robots());
        }
        let (heads, heads_rx) = tokio::sync::mpsc::unbounded_channel();
        let extraction =
            ExtractionPool::start(std::thread::available_parallelism().map_or(1, |n| n.get()))
                .map_err(|e| CrawlError::Threads(e.to_string()))?;
        let ctx = Arc::new(WorkerCtx {
            limits: Limits {
                user_agent: self.settings.user_agent.clone(),
                total: self.settings.timeout(),
                max_body: self.settings.max_body_bytes,
            },
            robots_limits: Limits {
                user_agent: self.settings.user_agent.clone(),
                total: self.settings.timeout(),
                max_body: ROBOTS_MAX_BYTES,
            },
            agent: self.settings.robots_token(),
            out,
            stats: stats.clone(),
            known: self.known.clone(),
            max_retries: self.settings.max_retries,
            max_redirects: self.settings.max_redirects,
            retry_base: Duration::from_millis(self.settings.retry_base_ms),
            max_retry_wait: Duration::from_secs(self.settings.max_retry_wait_secs),
            heads,
            extraction,
            frontiers: self
                .sites
                .iter()
                .map(|s| {
                    Mutex::new(Frontier::new(
                        s.scope.clone(),
                        self.settings.max_query_variants,
                    ))
                })
                .collect(),
            #[cfg(feature = "browser")]
            browser: self.browser_pool(),
        });
        let mut run = Run {
            crawler: self,
            ctx,
            sched: HostScheduler::new(
                self.settings.per_host_concurrency,
                self.settings.global_concurrency,
            ),
            robots: HashMap::new(),
            tasks: JoinSet::new(),
            running: HashMap::new(),
            heads: heads_rx,
            backed_off: HashSet::new(),
            sitemaps_seen: HashSet::new(),
            sitemap_count: vec![0; self.sites.len()],
            sitemaps_skipped: vec![0; self.sites.len()],
            output_closed: false,
        };
        run.seed();
        let cancelled = run.drive(&cancel).await;
        run.report_skipped_sitemaps();
        run.report_byte_budgets();
        let output_closed = run.output_closed;
        drop(run);
        if output_closed {
            return Err(CrawlError::OutputClosed);
        }
        let mut result = stats.snapshot();
        result.cancelled = cancelled;
        for (site, s) in &result.per_site {
            tracing::info!(
                site,
                fetched = s.fetched,
                listings = s.listings,
                errors = s.errors(),
                robots_disallowed = s.robots_disallowed,
                traps = s.traps,
                "site crawled"
            );
        }
        Ok(result)
    }

    fn cached_robots(&self, host: &HostKey) -> Option<Arc<RobotsRules>> {
        let cache = self.robots_cache.lock().unwrap_or_else(|p| p.into_inner());
        let max_age = Duration::from_secs(self.settings.robots_cache_secs);
        cache
            .get(host)
            .filter(|c| c.at.elapsed() < max_age)
            .map(|c| c.rules.clone())
    }

    fn cache_robots(&self, host: &HostKey, rules: &Arc<RobotsRules>) {
        // An unavailable host is retried next run rather than shunned for a day.
        if rules.is_unavailable() {
            return;
        }
        let mut cache = self.robots_cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert(
            host.clone(),
            CachedRobots {
                at: Instant::now(),
                rules: rules.clone(),
            },
        );
    }
}

/// A dispatched job.
struct Running {
    host: HostKey,
    job: Job,
    /// Its response head was reported to the politeness gate.
    head_seen: bool,
}

enum RobotsState {
    Pending,
    Ready(Arc<RobotsRules>),
}

/// State of one run.
struct Run<'a> {
    crawler: &'a Crawler,
    ctx: Arc<WorkerCtx>,
    sched: HostScheduler<Pending>,
    robots: HashMap<HostKey, RobotsState>,
    tasks: JoinSet<Outcome>,
    running: HashMap<tokio::task::Id, Running>,
    /// Response heads reported by running tasks.
    heads: UnboundedReceiver<(tokio::task::Id, Instant)>,
    /// Hosts that asked for a longer pause than we wait; skipped for the rest of the run.
    backed_off: HashSet<HostKey>,
    /// Sitemaps queued, per site: `(site, url)`.
    sitemaps_seen: HashSet<(usize, String)>,
    sitemap_count: Vec<usize>,
    /// Sitemaps not fetched per site because its sitemap or page budget was spent: one
    /// warning with the count at the end of the run, not one per sitemap (a site produced
    /// 54,802 identical warnings, issue 23).
    sitemaps_skipped: Vec<u64>,
    output_closed: bool,
}

impl Run<'_> {
    fn site(&self, index: usize) -> &Arc<SiteRuntime> {
        &self.crawler.sites[index]
    }

    fn seed(&mut self) {
        for index in 0..self.crawler.sites.len() {
            self.resume(index);
            let starts = self.site(index).site.start_urls.clone();
            for url in starts {
                let admission = self.frontier(index).admit(&url, 0, true);
                match admission {
                    Ok(url) => self.enqueue(Job::page(index, url, 0), rank(Priority::Other)),
                    Err(r) => self.count_rejection(index, r),
                }
            }
            let sitemaps = self.site(index).site.sitemaps.clone();
            for url in sitemaps {
                self.enqueue_sitemap(index, &url);
            }
        }
    }

    /// Seeds a site from where an interrupted run left it, if it was.
    fn resume(&mut self, index: usize) {
        let Some(resume) = self.crawler.resume.get(self.site(index).name()) else {
            return;
        };
        for url in resume.done.iter().filter_map(|u| Url::parse(u).ok()) {
            self.frontier(index).mark_done(&url);
        }
        let queued: Vec<(Url, u32, Priority)> = resume
            .queued
            .iter()
            .filter_map(|(u, depth, p)| Some((Url::parse(u).ok()?, *depth, *p)))
            .collect();
        if resume.done.is_empty() {
            tracing::debug!(
                site = self.site(index).name(),
                queued = queued.len(),
                "revisiting known pages"
            );
        } else {
            tracing::info!(
                site = self.site(index).name(),
                done = resume.done.len(),
                queued = queued.len(),
                "resuming an interrupted crawl"
            );
        }
        for (url, depth, priority) in queued {
            let admission = self.frontier(index).admit(&url, depth, false);
            match admission {
                Ok(url) => self.enqueue(Job::page(index, url, depth), rank(priority)),
                Err(r) => self.count_rejection(index, r),
            }
        }
    }

    /// Runs until the work is done or cancelled; returns whether it was cancelled.
    async fn drive(&mut self, cancel: &CancellationToken) -> bool {
        let mut cancelled = false;
        loop {
            if !cancelled {
                let now = Instant::now();
                while let Some((host, pending)) = self.sched.pop_ready(now) {
                    match pending.into_job(&host) {
                        Some(job) if self.byte_budget_spent(job.site) => {
                            self.ctx
                                .stats
                                .site(self.site(job.site).name(), |s| s.over_byte_budget += 1);
                            self.release(&host, now);
                        }
                        Some(job) => self.dispatch(host, job),
                        // Queued URLs were serialised from parsed ones: never happens.
                        None => self.release(&host, now),
                    }
                }
            }
            if self.tasks.is_empty() && (cancelled || self.sched.queued() == 0) {
                return cancelled;
            }
            // With every global slot taken only a completion can free one: waiting for a
            // host's instant (already past) would spin this loop.
            let wake = if cancelled || self.sched.global_full() {
                None
            } else {
                self.sched.next_wakeup()
            };
            if self.tasks.is_empty() && wake.is_none() {
                tracing::error!(
                    queued = self.sched.queued(),
                    "crawl stalled with queued work"
                );
                return cancelled;
            }
            tokio::select! {
                _ = cancel.cancelled(), if !cancelled => {
                    cancelled = true;
                    let dropped = self.sched.clear();
                    tracing::info!(dropped, in_flight = self.tasks.len(), "crawl cancelled");
                }
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => {
                    self.completed(done);
                    if self.output_closed && !cancelled {
                        cancelled = true;
                        self.sched.clear();
                    }
                }
                Some((id, at)) = self.heads.recv() => self.head_arrived(id, at),
                _ = sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => {}
            }
        }
    }

    /// Gives back the host slot of a popped job that is not dispatched.
    fn release(&mut self, host: &HostKey, now: Instant) {
        self.sched.head_arrived(host, now);
        self.sched.complete(host);
    }

    /// The site has received its `max_bytes`: nothing more is fetched from it this run.
    fn byte_budget_spent(&self, site: usize) -> bool {
        let runtime = self.site(site);
        runtime.site.config.max_bytes.is_some_and(|max| {
            let received = self.ctx.stats.site(runtime.name(), |s| s.bytes);
            received >= max
        })
    }

    fn dispatch(&mut self, host: HostKey, job: Job) {
        if job.kind == JobKind::Robots {
            self.sched.block(&host);
        }
        let site = self.site(job.site).clone();
        let ctx = self.ctx.clone();
        let task_job = job.clone();
        let handle = self
            .tasks
            .spawn(async move { crate::worker::run_job(ctx, site, task_job).await });
        self.running.insert(
            handle.id(),
            Running {
                host,
                job,
                head_seen: false,
            },
        );
    }

    fn head_arrived(&mut self, id: tokio::task::Id, at: Instant) {
        if let Some(r) = self.running.get_mut(&id)
            && !r.head_seen
        {
            r.head_seen = true;
            self.sched.head_arrived(&r.host, at);
        }
    }

    fn completed(&mut self, done: Result<(tokio::task::Id, Outcome), tokio::task::JoinError>) {
        let (id, outcome, crash) = match done {
            Ok((id, outcome)) => (id, outcome, None),
            Err(e) => (e.id(), Outcome::Done, Some(e.to_string())),
        };
        let Some(Running {
            host,
            job,
            head_seen,
        }) = self.running.remove(&id)
        else {
            return;
        };
        if !head_seen {
            // Failed before any response (or its report is still queued): space from now.
            self.sched.head_arrived(&host, Instant::now());
        }
        if let Some(message) = crash {
            tracing::error!(url = %job.url, %message, "crawl task failed");
            crate::worker::report_crash(&self.ctx, self.site(job.site), &job, message);
        }
        self.sched.complete(&host);
        match outcome {
            Outcome::Done => {}
            Outcome::OutputClosed => self.output_closed = true,
            Outcome::Links(links) => self.enqueue_links(&job, links),
            Outcome::Redirect(target) => self.follow_redirect(job, target),
            Outcome::Retry(delay) => {
                self.sched.defer(&host, Instant::now() + delay);
                let mut retry = job;
                retry.attempt += 1;
                self.sched.push(
                    &host,
                    retry.into(),
                    RANK_CONTINUATION,
                    Duration::ZERO,
                    Instant::now(),
                );
            }
            Outcome::Refetch => {
                let mut again = job;
                again.unconditional = true;
                self.sched.push(
                    &host,
                    again.into(),
                    RANK_CONTINUATION,
                    Duration::ZERO,
                    Instant::now(),
                );
            }
            Outcome::BackOff => self.back_off(&host),
            Outcome::Robots(rules) => self.robots_ready(&host, job.site, rules),
            Outcome::Sitemap(map) => self.sitemap_read(job.site, map),
        }
    }

    /// Queues the links a page's worker admitted to the frontier.
    fn enqueue_links(&mut self, job: &Job, links: Vec<(Url, Priority)>) {
        let depth = job.depth + 1;
        for (url, priority) in links {
            self.enqueue(Job::page(job.site, url, depth), rank(priority));
        }
    }

    fn follow_redirect(&mut self, job: Job, target: Url) {
        let admission = self.frontier(job.site).admit_redirect(&target);
        match admission {
            Ok(url) => {
                let mut next = job;
                next.hop_to(url);
                next.attempt = 0;
                self.enqueue(next, RANK_CONTINUATION);
            }
            // Already fetched or queued through another path: nothing more to do.
            Err(Rejection::Duplicate) => {}
            Err(r) => self.count_rejection(job.site, r),
        }
    }

    fn count_rejection(&mut self, site: usize, r: Rejection) {
        self.ctx.stats.count_rejections(self.site(site).name(), [r]);
    }

    /// The site's frontier (shared with the workers, which admit the links they find).
    fn frontier(&self, site: usize) -> std::sync::MutexGuard<'_, Frontier> {
        lock(&self.ctx.frontiers[site])
    }

    /// Queues a page job on its host, fetching robots.txt first where the site respects it.
    fn enqueue(&mut self, job: Job, rank: u8) {
        let Some(host) = HostKey::of(&job.url) else {
            return;
        };
        if self.backed_off.contains(&host) {
            self.count_backed_off(job.site, 1);
            return;
        }
        let site = self.site(job.site).clone();
        let now = Instant::now();
        if !site.respects_robots() {
            self.sched.push(&host, job.into(), rank, site.interval, now);
            return;
        }
        if !self.robots.contains_key(&host)
            && let Some(rules) = self.crawler.cached_robots(&host)
        {
            self.discover_sitemaps(job.site, &rules);
            self.robots.insert(host.clone(), RobotsState::Ready(rules));
        }
        match self.robots.get(&host) {
            Some(RobotsState::Ready(rules)) => {
                let interval = site.interval.max(rules.crawl_delay.unwrap_or_default());
                if rules.allowed(&job.url) {
                    self.sched.push(&host, job.into(), rank, interval, now);
                } else {
                    self.count_disallowed(job.site, 1);
                }
            }
            Some(RobotsState::Pending) => {
                self.sched.push(&host, job.into(), rank, site.interval, now)
            }
            None => {
                let Some(robots_job) = Job::robots(job.site, &job.url) else {
                    return;
                };
                self.robots.insert(host.clone(), RobotsState::Pending);
                self.sched
                    .push(&host, robots_job.into(), RANK_ROBOTS, site.interval, now);
                self.sched.push(&host, job.into(), rank, site.interval, now);
            }
        }
    }

    fn back_off(&mut self, host: &HostKey) {
        tracing::warn!(
            host = host.as_str(),
            "host asked for a long pause: skipped for this run"
        );
        self.backed_off.insert(host.clone());
        for job in self.sched.remove_where(host, |_| true) {
            self.count_backed_off(job.site(), 1);
        }
    }

    fn count_backed_off(&mut self, site: usize, n: u64) {
        self.ctx
            .stats
            .site(self.site(site).name(), |s| s.backed_off += n);
    }

    fn count_disallowed(&mut self, site: usize, n: u64) {
        self.ctx
            .stats
            .site(self.site(site).name(), |s| s.robots_disallowed += n);
    }

    fn robots_ready(&mut self, host: &HostKey, site: usize, rules: Arc<RobotsRules>) {
        self.crawler.cache_robots(host, &rules);
        self.discover_sitemaps(site, &rules);
        let sites = &self.crawler.sites;
        let dropped = self.sched.remove_where(host, |job| {
            sites[job.site()].respects_robots() && job.url(host).is_none_or(|u| !rules.allowed(&u))
        });
        for job in dropped {
            self.count_disallowed(job.site(), 1);
        }
        if let Some(d) = rules.crawl_delay {
            self.sched.slow_down(host, d);
        }
        self.robots.insert(host.clone(), RobotsState::Ready(rules));
        self.sched.unblock(host);
    }

    /// Queues the sitemaps robots.txt lists, when the site follows them.
    fn discover_sitemaps(&mut self, site: usize, rules: &RobotsRules) {
        if !self.site(site).site.config.follow_sitemaps {
            return;
        }
        for text in &rules.sitemaps {
            if let Ok(url) = Url::parse(text) {
                self.enqueue_sitemap(site, &url);
            }
        }
    }

    /// Queues one sitemap fetch: in scope (hosts and exclude), once, within the budget.
    fn enqueue_sitemap(&mut self, site: usize, url: &Url) {
        let url = crate::url_norm::normalize_url(url);
        let runtime = self.site(site).clone();
        if !runtime.scope.in_scope(&url, true) {
            return;
        }
        if self.sitemaps_seen.contains(&(site, url.to_string())) {
            return;
        }
        if self.sitemap_count[site] >= MAX_SITEMAPS_PER_SITE || !self.frontier(site).take_fetch() {
            self.sitemaps_skipped[site] += 1;
            return;
        }
        self.sitemaps_seen.insert((site, url.to_string()));
        self.sitemap_count[site] += 1;
        self.enqueue(Job::sitemap(site, url), rank(Priority::Listing));
    }

    /// One warning per site that stopped at its byte budget, with how many URLs it left.
    fn report_byte_budgets(&self) {
        for runtime in self.crawler.sites.iter() {
            let (left, bytes) = self
                .ctx
                .stats
                .site(runtime.name(), |s| (s.over_byte_budget, s.bytes));
            if left > 0 {
                tracing::warn!(
                    site = runtime.name(),
                    bytes,
                    max_bytes = ?runtime.site.config.max_bytes,
                    "byte budget spent: {left} queued URL(s) not fetched"
                );
            }
        }
    }

    /// One warning per site whose sitemaps went over its budget, with how many were skipped.
    fn report_skipped_sitemaps(&self) {
        for (site, skipped) in self.sitemaps_skipped.iter().enumerate() {
            if *skipped > 0 {
                tracing::warn!(
                    site = self.site(site).name(),
                    skipped,
                    max_sitemaps = MAX_SITEMAPS_PER_SITE,
                    max_pages = ?self.site(site).site.config.max_pages,
                    "sitemap budget exhausted: {skipped} sitemap(s) not fetched"
                );
            }
        }
    }

    fn sitemap_read(&mut self, site: usize, map: Sitemap) {
        match map {
            Sitemap::Index(children) => {
                for child in children {
                    if let Ok(url) = Url::parse(&child) {
                        self.enqueue_sitemap(site, &url);
                    }
                }
            }
            Sitemap::Urls(urls) => {
                let runtime = self.site(site).clone();
                let mut admitted = 0;
                for text in urls {
                    let Ok(url) = Url::parse(&text) else { continue };
                    let admission = self.frontier(site).admit(&url, 1, false);
                    match admission {
                        Ok(url) => {
                            let priority = if runtime.extractor.is_listing_url(&url) {
                                Priority::Listing
                            } else {
                                Priority::Other
                            };
                            admitted += 1;
                            self.enqueue(Job::page(site, url, 1), rank(priority));
                        }
                        Err(r) => self.count_rejection(site, r),
                    }
                }
                self.ctx
                    .stats
                    .site(runtime.name(), |s| s.sitemap_urls += admitted);
            }
        }
    }
}
