//! What one dispatched job does: one exchange, its record, and what it leads to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pharmwatch_model::sha256_hex;
use tokio::sync::mpsc::{Sender, UnboundedSender};
use tokio::time::Instant;
use url::Url;

use crate::decompress::{BodyDecoder, Coding};
use crate::extraction::{ExtractionFailed, ExtractionPool, PAGE_TIME_BUDGET};
use crate::fetch::{Exchange, Limits, exchange};
use crate::frontier::{Frontier, Priority};
use crate::politeness::HostKey;
use crate::robots::{ROBOTS_MAX_REDIRECTS, RobotsRules, robots_url};
use crate::site::SiteRuntime;
use crate::sitemap::{Sitemap, parse_sitemap};
use crate::stats::RunStats;
use crate::sync::lock;
use crate::url_norm::normalize_url;
use crate::{
    ArchivedPage, FetchError, FetchErrorKind, KnownPages, PageRecord, RecordKind, SiteStats,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobKind {
    Page,
    Robots,
    Sitemap,
}

/// One URL to fetch, with the chain that led to it.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub site: usize,
    pub kind: JobKind,
    /// The URL of this hop.
    pub url: Url,
    /// The earlier hops of its redirect chain, the one first requested first; empty for a
    /// first request (so a queued job holds its URL once: a large frontier is mostly these).
    pub chain: Vec<Url>,
    pub depth: u32,
    pub attempt: u32,
    /// Ask without validators: the copy they vouch for could not be read.
    pub unconditional: bool,
}

impl Job {
    pub(crate) fn page(site: usize, url: Url, depth: u32) -> Job {
        Job {
            site,
            kind: JobKind::Page,
            chain: Vec::new(),
            url,
            depth,
            attempt: 0,
            unconditional: false,
        }
    }

    pub(crate) fn robots(site: usize, page: &Url) -> Option<Job> {
        let url = robots_url(page)?;
        Some(Job {
            site,
            kind: JobKind::Robots,
            chain: Vec::new(),
            url,
            depth: 0,
            attempt: 0,
            unconditional: false,
        })
    }

    pub(crate) fn sitemap(site: usize, url: Url) -> Job {
        Job {
            kind: JobKind::Sitemap,
            ..Job::page(site, url, 0)
        }
    }

    /// The URL first requested in its redirect chain (this one when it was not redirected).
    fn origin(&self) -> &Url {
        self.chain.first().unwrap_or(&self.url)
    }

    /// Requests made so far in its redirect chain, this one included.
    fn hops(&self) -> usize {
        self.chain.len() + 1
    }

    /// Whether its redirect chain already requested `url`.
    fn visited(&self, url: &Url) -> bool {
        self.url == *url || self.chain.contains(url)
    }

    /// Moves on to the next hop of its redirect chain.
    pub(crate) fn hop_to(&mut self, url: Url) {
        let previous = std::mem::replace(&mut self.url, url);
        self.chain.push(previous);
    }
}

/// A [`Job`] waiting in its host's queue, in as few bytes as it can be: a frontier of a
/// million URLs is mostly these. The URL is kept as text (a parsed `Url` costs 88 bytes more)
/// and without its origin, which the queue's [`HostKey`] already says; it is parsed again when
/// the job is handed out.
#[derive(Debug)]
pub(crate) struct Pending {
    /// Path and query; the whole URL when it carries credentials (not part of the key).
    url: Box<str>,
    relative: bool,
    chain: Box<[Url]>,
    site: u32,
    depth: u32,
    attempt: u32,
    kind: JobKind,
    unconditional: bool,
}

impl From<Job> for Pending {
    fn from(job: Job) -> Self {
        let relative = job.url.username().is_empty() && job.url.password().is_none();
        let url = if relative {
            job.url[url::Position::BeforePath..].into()
        } else {
            String::from(job.url).into_boxed_str()
        };
        Pending {
            url,
            relative,
            chain: job.chain.into_boxed_slice(),
            site: u32::try_from(job.site).unwrap_or(u32::MAX),
            depth: job.depth,
            attempt: job.attempt,
            kind: job.kind,
            unconditional: job.unconditional,
        }
    }
}

impl Pending {
    /// Index of the job's site.
    pub(crate) fn site(&self) -> usize {
        self.site as usize
    }

    /// The URL to fetch, on the host whose queue held the job (`None` only if the text no
    /// longer parses, which cannot happen for text serialised from a `Url`).
    pub(crate) fn url(&self, host: &HostKey) -> Option<Url> {
        if self.relative {
            Url::parse(&format!("{}{}", host.as_str(), self.url)).ok()
        } else {
            Url::parse(&self.url).ok()
        }
    }

    /// The job again, ready to run.
    pub(crate) fn into_job(self, host: &HostKey) -> Option<Job> {
        Some(Job {
            url: self.url(host)?,
            site: self.site(),
            kind: self.kind,
            chain: self.chain.into_vec(),
            depth: self.depth,
            attempt: self.attempt,
            unconditional: self.unconditional,
        })
    }
}

/// What the crawl loop must do after a job.
pub(crate) enum Outcome {
    Done,
    /// A page was fetched and parsed: links to admit (depth + 1).
    Links(Vec<(Url, Priority)>),
    /// Follow this (absolute, in-scope, not looping) target as the next hop.
    Redirect(Url),
    /// Try the same URL again after this wait (the host is held back as long).
    Retry(Duration),
    /// Ask for the same URL again without validators (a 304 whose copy is unreadable).
    Refetch,
    Robots(Arc<RobotsRules>),
    Sitemap(Sitemap),
    /// The host asked for a longer pause than we wait: skip its remaining URLs this run.
    BackOff,
    /// The record receiver is gone: stop the crawl.
    OutputClosed,
}

/// Shared, read-only context of all jobs of a run (stats behind a short-held lock).
pub(crate) struct WorkerCtx {
    pub limits: Limits,
    pub robots_limits: Limits,
    pub agent: String,
    pub out: Sender<PageRecord>,
    pub stats: RunStats,
    pub known: Option<Arc<dyn KnownPages>>,
    pub max_retries: u32,
    pub max_redirects: u32,
    pub retry_base: Duration,
    pub max_retry_wait: Duration,
    /// Tells the crawl loop that this task's response head arrived.
    pub heads: UnboundedSender<(tokio::task::Id, Instant)>,
    /// One thread per core extracts pages. Without the bound every fetched page got its own
    /// blocking thread (up to the global concurrency), the threads fought over the cores, and
    /// every regex and matcher of the extractor kept one scratch cache per concurrent user:
    /// 64 extractions at once cost ~100 MB of caches that 2 at once do not.
    pub extraction: ExtractionPool,
    /// Each site's frontier. A page's worker admits the links it found, so its record carries
    /// only the links new to the run: the store's persistent frontier then gets one row per
    /// URL instead of one insert per link of every page (~40 a page, mostly duplicates).
    pub frontiers: Vec<Mutex<Frontier>>,
    /// The run's headless browser, when a site renders with it.
    #[cfg(feature = "browser")]
    pub browser: Option<crate::browser::BrowserPool>,
}

impl WorkerCtx {
    fn head_arrived(&self) {
        let _ = self.heads.send((tokio::task::id(), Instant::now()));
    }
}

pub(crate) async fn run_job(ctx: Arc<WorkerCtx>, site: Arc<SiteRuntime>, job: Job) -> Outcome {
    match job.kind {
        JobKind::Page | JobKind::Sitemap => run_page(&ctx, &site, job).await,
        JobKind::Robots => run_robots(&ctx, &site, job).await,
    }
}

fn record(site: &SiteRuntime, job: &Job, kind: RecordKind, ex: &Exchange) -> PageRecord {
    PageRecord {
        kind,
        site: site.name().to_string(),
        url: job.url.to_string(),
        redirect_chain: job.chain.iter().map(Url::to_string).collect(),
        status: ex.status,
        fetched_at: ex.fetched_at,
        content_type: ex.content_type(),
        body_sha256: ex.status.map(|_| sha256_hex(&ex.raw)),
        body_len: ex.raw.len() as u64,
        decoded_len: ex.decoded.len() as u64,
        encoding: None,
        listings: Vec::new(),
        revalidated: false,
        links_found: 0,
        links: Vec::new(),
        error: ex.error.clone(),
        depth: job.depth,
        attempt: job.attempt,
        redirect_to: None,
        truncated: ex.truncated,
        robots_ignored: !site.respects_robots(),
        remote_addr: ex.remote_addr.clone(),
        http_version: ex.http_version.clone(),
        request_headers: ex.request_headers.clone(),
        response_headers: ex.response_headers.clone(),
        body: ex.raw.clone(),
        rendered: None,
    }
}

/// The record of a job whose task died; sent without waiting (the crawl loop calls this).
pub(crate) fn report_crash(ctx: &WorkerCtx, site: &SiteRuntime, job: &Job, message: String) {
    let error = FetchError {
        kind: FetchErrorKind::Internal,
        message,
    };
    let rec = record(
        site,
        job,
        RecordKind::Page,
        &Exchange::failed(error, Vec::new()),
    );
    book(ctx, &rec);
    if ctx.out.try_send(rec).is_err() {
        tracing::warn!(url = %job.url, "record of a crashed job dropped (output full or closed)");
    }
}

/// Sends the record and books it in the stats.
async fn emit(ctx: &WorkerCtx, rec: PageRecord) -> bool {
    book(ctx, &rec);
    ctx.out.send(rec).await.is_ok()
}

fn book(ctx: &WorkerCtx, rec: &PageRecord) {
    ctx.stats.site(&rec.site, |s| book_in(s, rec));
}

fn book_in(s: &mut SiteStats, rec: &PageRecord) {
    s.bytes += rec.body_len;
    match rec.kind {
        RecordKind::Page => {
            if rec.status.is_some() {
                s.fetched += 1;
            }
            if !rec.listings.is_empty() {
                s.listing_pages += 1;
                s.listings += rec.listings.len() as u64;
            }
            if let Some(e) = &rec.error {
                s.count_error(e.kind);
                s.last_error = Some(format!("{}: {}", rec.url, e.message));
            }
        }
        RecordKind::RetriedAttempt => s.retries += 1,
        RecordKind::Robots => {
            if let Some(e) = rec
                .error
                .as_ref()
                .filter(|e| e.kind == FetchErrorKind::RobotsUnavailable)
            {
                s.count_error(e.kind);
                s.last_error = Some(format!("{}: {}", rec.url, e.message));
            }
        }
        RecordKind::Sitemap => {
            if rec.status.is_some() {
                s.sitemaps += 1;
            }
            if let Some(e) = &rec.error {
                s.count_error(e.kind);
            }
        }
        RecordKind::Redirect => {
            if rec.status.is_some() {
                s.fetched += 1;
            }
        }
    }
}

fn set_error(rec: &mut PageRecord, kind: FetchErrorKind, message: impl Into<String>) {
    rec.error = Some(FetchError {
        kind,
        message: message.into(),
    });
}

/// Wait before retry `attempt` (0-based): `Retry-After` if given, else exponential backoff
/// with jitter; capped either way.
fn retry_wait(ctx: &WorkerCtx, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let wait = retry_after.unwrap_or_else(|| {
        let base = ctx.retry_base.saturating_mul(1u32 << attempt.min(16));
        // Jitter in [base/2, base] spreads retries of many URLs of one failing host.
        base / 2 + base.mul_f64(fastrand::f64() / 2.0)
    });
    wait.min(ctx.max_retry_wait)
}

fn is_retryable(ex: &Exchange) -> bool {
    match (&ex.error, ex.status) {
        (Some(e), None) => e.kind.is_transient(),
        (_, Some(s)) => s == 429 || (500..600).contains(&s),
        (None, None) => false,
    }
}

async fn run_page(ctx: &WorkerCtx, site: &SiteRuntime, job: Job) -> Outcome {
    // A rendered page is asked for unconditionally: its listings come from running its
    // scripts, which a 304 for the shell would skip (the archived shell holds no listings).
    let validators = ctx
        .known
        .as_ref()
        .filter(|_| {
            !job.unconditional
                && job.kind == JobKind::Page
                && site.site.config.render != crate::Render::Browser
        })
        .and_then(|k| k.validators(job.url.as_str()));
    let ex = {
        let _turn = browser_turn(ctx, site, &job.url).await;
        exchange(
            &site.client,
            &job.url,
            &ctx.limits,
            validators.as_ref(),
            || ctx.head_arrived(),
        )
        .await
    };
    let retry_after = ex.retry_after().filter(|_| is_retryable(&ex));
    if let Some(pause) = retry_after.filter(|p| *p > ctx.max_retry_wait) {
        let mut rec = record(site, &job, RecordKind::Page, &ex);
        let limit = ctx.max_retry_wait.as_secs();
        let asked = pause.as_secs();
        set_error(
            &mut rec,
            FetchErrorKind::BackedOff,
            format!(
                "Retry-After asks for {asked}s (over max_retry_wait_secs = {limit}); host left for a later run"
            ),
        );
        if !emit(ctx, rec).await {
            return Outcome::OutputClosed;
        }
        return Outcome::BackOff;
    }
    if is_retryable(&ex) && job.attempt < ctx.max_retries {
        let wait = retry_wait(ctx, job.attempt, retry_after);
        let rec = record(site, &job, RecordKind::RetriedAttempt, &ex);
        if !emit(ctx, rec).await {
            return Outcome::OutputClosed;
        }
        return Outcome::Retry(wait);
    }
    let kind = match job.kind {
        JobKind::Sitemap => RecordKind::Sitemap,
        _ => RecordKind::Page,
    };
    let mut rec = record(site, &job, kind, &ex);
    let outcome = match ex.status {
        _ if ex.error.is_some() => Outcome::Done,
        Some(s @ (301 | 302 | 303 | 307 | 308)) => {
            let decision = redirect(ctx, site, &job, &ex, &mut rec);
            if decision.is_some() {
                // A sitemap's hop stays a sitemap record; a page's is a redirect record.
                if job.kind == JobKind::Page {
                    rec.kind = RecordKind::Redirect;
                }
            } else if rec.error.is_none() {
                set_error(
                    &mut rec,
                    FetchErrorKind::BadRedirect,
                    format!("{s} without a usable Location"),
                );
            }
            decision.map(Outcome::Redirect).unwrap_or(Outcome::Done)
        }
        Some(s) if s >= 400 => {
            let tries = job.attempt + 1;
            set_error(
                &mut rec,
                FetchErrorKind::HttpStatus,
                format!("HTTP {s} (attempt {tries})"),
            );
            Outcome::Done
        }
        Some(s) if (200..300).contains(&s) && job.kind == JobKind::Sitemap => {
            let body = ex.decoded.clone();
            let cap = usize::try_from(ctx.limits.max_body).unwrap_or(usize::MAX);
            match tokio::task::spawn_blocking(move || parse_sitemap(&body, cap)).await {
                Ok(map) => Outcome::Sitemap(map),
                Err(e) => {
                    set_error(
                        &mut rec,
                        FetchErrorKind::Extraction,
                        format!("sitemap: {e}"),
                    );
                    Outcome::Done
                }
            }
        }
        Some(s) if (200..300).contains(&s) => {
            let body = Fetched::of(&ex, &rec);
            match through_browser(ctx, site, &job, &ex, body, &mut rec).await {
                Some(body) => parse(ctx, site, &job, body, &mut rec).await,
                None => Outcome::Done,
            }
        }
        Some(304) if validators.is_some() => match archived_copy(ctx, &job) {
            Some(copy) => revalidated(ctx, site, &job, copy, &mut rec).await,
            None => {
                // Nothing to stand for the page: ask again for the page itself.
                rec.kind = RecordKind::RetriedAttempt;
                Outcome::Refetch
            }
        },
        Some(304) => {
            set_error(
                &mut rec,
                FetchErrorKind::HttpStatus,
                "HTTP 304 to a request without validators",
            );
            Outcome::Done
        }
        _ => Outcome::Done,
    };
    if !emit(ctx, rec).await {
        return Outcome::OutputClosed;
    }
    outcome
}

/// Checks a 3xx hop; returns the next URL, or sets the record's error.
fn redirect(
    ctx: &WorkerCtx,
    site: &SiteRuntime,
    job: &Job,
    ex: &Exchange,
    rec: &mut PageRecord,
) -> Option<Url> {
    let location = ex.header("location")?;
    let Ok(target) = job.url.join(location) else {
        set_error(
            rec,
            FetchErrorKind::BadRedirect,
            format!("Location `{location}` is not a URL"),
        );
        return None;
    };
    let target = normalize_url(&target);
    rec.redirect_to = Some(target.to_string());
    if job.visited(&target) {
        set_error(
            rec,
            FetchErrorKind::RedirectLoop,
            format!("redirect back to {target}"),
        );
        return None;
    }
    if job.hops() > ctx.max_redirects as usize {
        set_error(
            rec,
            FetchErrorKind::TooManyRedirects,
            format!("more than {} redirects", ctx.max_redirects),
        );
        return None;
    }
    if !site.scope.in_scope(&target, false) || site.scope.looks_like_trap(&target) {
        set_error(
            rec,
            FetchErrorKind::RedirectOutOfScope,
            format!("redirect to {target} leaves the site's scope"),
        );
        return None;
    }
    Some(target)
}

fn is_parseable(content_type: Option<&str>) -> bool {
    let Some(ct) = content_type else {
        return true;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime.is_empty() || mime == "text/html" || mime == "application/xhtml+xml"
}

/// The body a page's listings and links are taken from: the one just received, or the
/// archived copy a 304 confirmed.
struct Fetched {
    /// After `Content-Encoding` decoding.
    body: bytes::Bytes,
    content_type: Option<String>,
    /// SHA-256 (hex) of the body as received: what listings point at as their evidence.
    sha256: String,
}

impl Fetched {
    fn of(ex: &Exchange, rec: &PageRecord) -> Fetched {
        Fetched {
            body: ex.decoded.clone(),
            content_type: rec.content_type.clone(),
            sha256: rec.body_sha256.clone().unwrap_or_default(),
        }
    }
}

/// A `render = "browser"` site's page is read from the DOM the browser built from the
/// response (other pages as fetched); `None` when rendering failed, which the record says.
#[cfg(feature = "browser")]
async fn through_browser(
    ctx: &WorkerCtx,
    site: &SiteRuntime,
    job: &Job,
    ex: &Exchange,
    fetched: Fetched,
    rec: &mut PageRecord,
) -> Option<Fetched> {
    use crate::browser::{Document, Fetcher};
    let Some(pool) = ctx.browser.as_ref().filter(|_| {
        site.site.config.render == crate::Render::Browser
            && is_parseable(fetched.content_type.as_deref())
    }) else {
        return Some(fetched);
    };
    let fetcher = Fetcher {
        client: site.client.clone(),
        limits: ctx.limits.clone(),
        scope: Arc::clone(&site.scope),
        gate: Arc::clone(&pool.gate),
        interval: site.interval,
    };
    let doc = Document {
        url: &job.url,
        status: ex.status.unwrap_or(200),
        headers: &ex.response_headers,
        body: &ex.decoded,
    };
    let wait_for = site.site.config.wait_for.as_deref();
    match pool.render(&doc, wait_for, &fetcher).await {
        Ok(capture) => {
            let body = capture.dom.clone().unwrap_or_default();
            rec.rendered = Some(Box::new(capture));
            Some(Fetched {
                body,
                content_type: Some("text/html; charset=utf-8".into()),
                sha256: fetched.sha256,
            })
        }
        Err(failed) => {
            let e = failed.error;
            tracing::warn!(url = %job.url, error = %e, "page not rendered");
            set_error(rec, FetchErrorKind::Render, format!("not rendered: {e}"));
            rec.rendered = Some(Box::new(crate::RenderCapture {
                dom: None,
                screenshot: None,
                captured_at: pharmwatch_model::Timestamp::now_utc(),
                resources: failed.resources,
            }));
            None
        }
    }
}

/// A browser-rendered site's page takes its host's turn with the requests its pages make
/// (see [`crate::browser::HostGate`]); other sites' pages only go by the crawl loop's
/// politeness.
#[cfg(feature = "browser")]
async fn browser_turn(
    ctx: &WorkerCtx,
    site: &SiteRuntime,
    url: &Url,
) -> Option<crate::browser::Turn> {
    let pool = ctx.browser.as_ref()?;
    if site.site.config.render != crate::Render::Browser {
        return None;
    }
    pool.gate.turn(url, site.interval).await
}

#[cfg(not(feature = "browser"))]
async fn browser_turn(_ctx: &WorkerCtx, _site: &SiteRuntime, _url: &Url) -> Option<()> {
    None
}

/// Without the `browser` feature no site renders (its configuration is refused).
#[cfg(not(feature = "browser"))]
async fn through_browser(
    _ctx: &WorkerCtx,
    _site: &SiteRuntime,
    _job: &Job,
    _ex: &Exchange,
    fetched: Fetched,
    _rec: &mut PageRecord,
) -> Option<Fetched> {
    Some(fetched)
}

/// The archived copy a 304 vouches for, decoded; `None` when there is none or it cannot be
/// read or decoded whole.
fn archived_copy(ctx: &WorkerCtx, job: &Job) -> Option<Fetched> {
    let copy: ArchivedPage = ctx.known.as_ref()?.archived(job.url.as_str())?;
    let cap = usize::try_from(ctx.limits.max_body).unwrap_or(usize::MAX);
    let coding = Coding::parse(copy.content_encoding.as_deref()).ok()?;
    let body = match BodyDecoder::new(&coding, cap) {
        None => bytes::Bytes::from(copy.body),
        Some(mut decoder) => {
            decoder.push(&copy.body).ok()?;
            let (out, err) = decoder.finish();
            if err.is_some() {
                return None;
            }
            bytes::Bytes::from(out)
        }
    };
    Some(Fetched {
        body,
        content_type: copy.content_type,
        sha256: copy.sha256,
    })
}

/// A 304: the page is the archived copy; its listings and links are taken from it.
async fn revalidated(
    ctx: &WorkerCtx,
    site: &SiteRuntime,
    job: &Job,
    copy: Fetched,
    rec: &mut PageRecord,
) -> Outcome {
    rec.revalidated = true;
    rec.content_type.clone_from(&copy.content_type);
    parse(ctx, site, job, copy, rec).await
}

/// Runs extraction on the extraction threads and fills the record.
async fn parse(
    ctx: &WorkerCtx,
    site: &SiteRuntime,
    job: &Job,
    fetched: Fetched,
    rec: &mut PageRecord,
) -> Outcome {
    if !is_parseable(fetched.content_type.as_deref()) {
        return Outcome::Done;
    }
    let extractor = site.extractor.clone();
    let Fetched {
        body,
        content_type,
        sha256: digest,
    } = fetched;
    let url = job.url.clone();
    let fetched_at = rec.fetched_at;
    let result = ctx
        .extraction
        .run(job.site, PAGE_TIME_BUDGET, move || {
            extractor.extract(&body, content_type.as_deref(), &url, fetched_at, &digest)
        })
        .await;
    match result {
        Ok(page) => {
            if let Some(over) = &page.over_budget {
                set_error(
                    rec,
                    FetchErrorKind::OverBudget,
                    format!("page over its parse budget: {over}"),
                );
            }
            rec.listings = page.listings;
            rec.encoding = page.encoding;
            rec.links_found = page.links.len();
            let admitted = admit_links(ctx, site, job, page.links);
            rec.links = admitted
                .iter()
                .map(|(url, priority)| (url.to_string(), *priority))
                .collect();
            Outcome::Links(admitted)
        }
        Err(ExtractionFailed::OverTime(budget)) => {
            set_error(
                rec,
                FetchErrorKind::OverBudget,
                format!(
                    "page over its parse budget: extraction took over {}s; page skipped",
                    budget.as_secs()
                ),
            );
            Outcome::Done
        }
        Err(ExtractionFailed::Failed(e)) => {
            set_error(
                rec,
                FetchErrorKind::Extraction,
                format!("extraction failed: {e}"),
            );
            Outcome::Done
        }
    }
}

/// Admits a page's links to its site's frontier; returns those new to the run, normalised.
fn admit_links(
    ctx: &WorkerCtx,
    site: &SiteRuntime,
    job: &Job,
    links: Vec<(Url, Priority)>,
) -> Vec<(Url, Priority)> {
    let depth = job.depth + 1;
    let mut admitted = Vec::new();
    let mut rejected = Vec::new();
    {
        let mut frontier = lock(&ctx.frontiers[job.site]);
        for (url, priority) in links {
            match frontier.admit(&url, depth, false) {
                Ok(url) => admitted.push((url, priority)),
                Err(r) => rejected.push(r),
            }
        }
    }
    ctx.stats.count_rejections(site.name(), rejected);
    admitted
}

/// Fetches robots.txt, following up to five redirects within the site's hosts.
///
/// RFC 9309 §2.3.1.2 follows redirects "even across authorities", but a robots.txt redirect
/// is a request the shop chooses for us: followed anywhere, a shop could make the crawler
/// send a GET to any address (issue 23). So a hop must stay on the robots.txt's own host or
/// the site's hosts (start URLs and `allowed_hosts`), as page redirects must. A robots.txt
/// not reached that way (a hop out of scope, a loop, more than five hops) is treated as the
/// RFC treats one not reached within its redirects: unavailable (§2.3.1.2, "MAY assume that
/// the robots.txt file is unavailable"), which §2.3.1.3 says allows everything; the record
/// says so. The shop could as well answer 404: it gains nothing it did not have.
async fn run_robots(ctx: &WorkerCtx, site: &SiteRuntime, mut job: Job) -> Outcome {
    loop {
        let ex = exchange(&site.client, &job.url, &ctx.robots_limits, None, || {
            ctx.head_arrived()
        })
        .await;
        let mut rec = record(site, &job, RecordKind::Robots, &ex);
        let mut not_reached = None;
        if let Some(s @ (301 | 302 | 303 | 307 | 308)) = ex.status.filter(|_| ex.error.is_none()) {
            let target = ex.header("location").and_then(|l| job.url.join(l).ok());
            let same_host = |t: &Url| {
                t.host_str() == job.origin().host_str()
                    && t.port_or_known_default() == job.origin().port_or_known_default()
                    && matches!(t.scheme(), "http" | "https")
            };
            let (kind, why) = match target {
                None => (
                    FetchErrorKind::BadRedirect,
                    format!("{s} without a usable Location"),
                ),
                Some(t) if !same_host(&t) && !site.scope.host_allowed(&t) => (
                    FetchErrorKind::RedirectOutOfScope,
                    format!("redirect to {t} leaves the site's hosts; not followed"),
                ),
                Some(t) if job.visited(&t) => (
                    FetchErrorKind::RedirectLoop,
                    format!("redirect back to {t}"),
                ),
                Some(t) if job.hops() > ROBOTS_MAX_REDIRECTS as usize => (
                    FetchErrorKind::TooManyRedirects,
                    format!("more than {ROBOTS_MAX_REDIRECTS} redirects (last to {t})"),
                ),
                Some(t) => {
                    rec.redirect_to = Some(t.to_string());
                    if !emit(ctx, rec).await {
                        return Outcome::OutputClosed;
                    }
                    job.hop_to(t);
                    continue;
                }
            };
            not_reached = Some((kind, why));
        }
        let rules = match &not_reached {
            Some((kind, why)) => {
                let reason = format!(
                    "robots.txt not reached ({why}): unavailable per RFC 9309 §2.3.1.2, allow all"
                );
                set_error(&mut rec, *kind, reason.clone());
                Arc::new(RobotsRules::allow_all(reason))
            }
            None => {
                let status = match &ex.error {
                    Some(e)
                        if e.kind.is_transient()
                            || e.kind == FetchErrorKind::UnsupportedEncoding =>
                    {
                        None
                    }
                    _ => ex.status,
                };
                Arc::new(RobotsRules::from_response(&ctx.agent, status, &ex.decoded))
            }
        };
        if rules.is_unavailable() {
            let cause = rec
                .error
                .as_ref()
                .map(|e| format!(" ({})", e.message))
                .unwrap_or_default();
            set_error(
                &mut rec,
                FetchErrorKind::RobotsUnavailable,
                format!("{}{cause}", rules.reason),
            );
        }
        tracing::debug!(url = %job.url, reason = %rules.reason, "robots.txt");
        if !emit(ctx, rec).await {
            return Outcome::OutputClosed;
        }
        return Outcome::Robots(rules);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queued_job_comes_back_as_it_went_in() {
        for text in [
            "http://shop.example/product/1-a.html",
            "https://shop.example:8443/category/x?page=2&sort=asc",
            "http://127.0.0.1:18080/",
            "http://[::1]:8080/a%20b?q=%E2%9C%93",
            "http://user:secret@shop.example/private",
        ] {
            let url = normalize_url(&Url::parse(text).unwrap());
            let host = HostKey::of(&url).unwrap();
            let mut job = Job::page(3, url.clone(), 2);
            job.attempt = 1;
            job.unconditional = true;
            job.hop_to(Url::parse(&format!("{url}#next")).unwrap());
            let expected = job.url.clone();
            let back = Pending::from(job).into_job(&host).unwrap();
            assert_eq!(back.url, expected, "{text}");
            assert_eq!(back.chain, std::slice::from_ref(&url));
            assert_eq!((back.site, back.depth, back.attempt), (3, 2, 1));
            assert_eq!(back.hops(), 2);
            assert_eq!(back.kind, JobKind::Page);
            assert!(back.unconditional);
        }
    }
}
