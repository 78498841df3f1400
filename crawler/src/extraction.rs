//! The one place that talks to pharmwatch-extract: decoding and listing extraction, and the
//! threads it runs on.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

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

/// Site profiles loaded once per file. Sites that name the same profile (one shop template
/// on many domains, a platform's many sellers) share its compiled regexes, and with them the
/// regexes' per-thread search caches: ten sites on two profiles compile and keep two.
#[derive(Debug, Default)]
pub(crate) struct Profiles {
    loaded: HashMap<PathBuf, Arc<SiteProfile>>,
}

impl Profiles {
    /// The profile `site` names, loaded on first use; `None` when it names none.
    fn of(&mut self, site: &SiteConfig) -> Result<Option<Arc<SiteProfile>>, CrawlError> {
        let Some(path) = &site.profile else {
            return Ok(None);
        };
        if let Some(profile) = self.loaded.get(path) {
            return Ok(Some(profile.clone()));
        }
        let profile = Arc::new(SiteProfile::load(path).map_err(|e| CrawlError::Profile {
            site: site.name.clone(),
            path: path.display().to_string(),
            message: e.to_string(),
        })?);
        self.loaded.insert(path.clone(), profile.clone());
        Ok(Some(profile))
    }
}

/// What one page yielded.
#[derive(Debug, Default)]
pub(crate) struct PageOutput {
    pub listings: Vec<Listing>,
    pub links: Vec<(Url, Priority)>,
    pub encoding: Option<String>,
    /// Set when the page went over its parse budget and was read only up to the cut.
    pub over_budget: Option<pharmwatch_extract::OverBudget>,
}

impl SiteExtractor {
    /// Loads the site's profile, if it names one, through `profiles`.
    pub(crate) fn load(
        site: &SiteConfig,
        profiles: &mut Profiles,
    ) -> Result<Arc<SiteExtractor>, CrawlError> {
        Ok(Arc::new(SiteExtractor {
            context: SiteContext {
                name: site.name.clone(),
                kind: site.kind,
                currency: site.currency,
                language: site.language.clone(),
                profile: profiles.of(site)?,
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

    /// Decodes and extracts one page. CPU work: call on an [`ExtractionPool`]; nothing parsed
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
            over_budget: page.over_budget,
        }
    }
}

type Task = Box<dyn FnOnce() + Send>;

/// How long one page's extraction may take before the crawler stops waiting for it and marks
/// the page. The pre-parse budget (`pharmwatch_extract::ParseBudget`) already bounds the work
/// of a page; this is the backstop for whatever it does not foresee. The thread cannot be
/// interrupted, so it finishes the page and drops the result; the per-site queue below keeps
/// that from delaying other sites.
pub(crate) const PAGE_TIME_BUDGET: Duration = Duration::from_secs(20);

/// A fixed set of long-lived threads, one per core and a spare, that extract fetched pages,
/// taking the sites' pages in turn.
///
/// Why not tokio's blocking pool: it hands each page to whichever of its threads is idle and
/// starts new ones as it likes, so the extractor's regexes kept meeting threads whose scratch
/// caches were cold or had to be taken from (and returned to) the shared pool of caches. In a
/// profile of the 21k-page bench crawl, the lazy-DFA searches cost 3.8× more per page than the
/// same extraction on fixed threads (`examples/parse_ceiling.rs`), and `Pool::get_slow` was
/// 1 % of the crawl. A fixed set also bounds extraction to the cores without a semaphore.
///
/// Why a queue per site and a spare thread: with one shared queue, a site serving slow pages
/// filled it and every thread, and a normal shop crawled next to it went from ~40 pages/s to
/// 7 pages in 70 s (issue 23). Here the threads serve the sites with waiting pages in
/// rotation, and there is one thread more than cores while no site may hold more threads than
/// there are cores: a site alone still gets every core, and a running page cannot be
/// interrupted, but the spare thread is always free for the other sites. A slow site slows
/// only itself.
pub(crate) struct ExtractionPool {
    shared: Arc<Shared>,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    /// Threads one site may hold at once.
    share: usize,
}

#[derive(Default)]
struct Queue {
    waiting: HashMap<usize, VecDeque<Task>>,
    /// Sites with waiting tasks, in the order they are served.
    turn: VecDeque<usize>,
    running: HashMap<usize, usize>,
    closed: bool,
}

impl Queue {
    /// The next task, and its site: the first site in turn that holds fewer than `share`
    /// threads.
    fn next(&mut self, share: usize) -> Option<(usize, Task)> {
        let pos = self
            .turn
            .iter()
            .position(|s| self.running.get(s).copied().unwrap_or(0) < share)?;
        let site = self.turn.remove(pos)?;
        let tasks = self.waiting.get_mut(&site)?;
        let task = tasks.pop_front()?;
        if tasks.is_empty() {
            self.waiting.remove(&site);
        } else {
            self.turn.push_back(site);
        }
        *self.running.entry(site).or_default() += 1;
        Some((site, task))
    }

    fn finished(&mut self, site: usize) {
        if let Some(n) = self.running.get_mut(&site) {
            *n -= 1;
            if *n == 0 {
                self.running.remove(&site);
            }
        }
    }
}

/// Why an extraction gave no result.
#[derive(Debug)]
pub(crate) enum ExtractionFailed {
    /// The extractor panicked or its threads are gone.
    Failed(String),
    /// The page took longer than its time budget.
    OverTime(Duration),
}

impl ExtractionPool {
    /// Starts extraction threads for `cores` cores (at least one): one per core and the
    /// spare. They end when the pool is dropped.
    pub(crate) fn start(cores: usize) -> std::io::Result<ExtractionPool> {
        let share = cores.max(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            share,
        });
        for i in 0..=share {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("pw-extract-{i}"))
                .spawn(move || shared.serve())?;
        }
        Ok(ExtractionPool { shared })
    }

    /// Runs `work` for site number `site` on an extraction thread. A panic in `work` (a bug
    /// met on some hostile page) becomes an error for that page; the thread goes on with the
    /// next. After `budget` the page is given up as [`ExtractionFailed::OverTime`].
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        site: usize,
        budget: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ExtractionFailed> {
        let (begin, begun) = tokio::sync::oneshot::channel();
        let (done, result) = tokio::sync::oneshot::channel();
        let task: Task = Box::new(move || {
            let _ = begin.send(());
            let _ = done.send(std::panic::catch_unwind(AssertUnwindSafe(work)));
        });
        {
            let mut queue = self
                .shared
                .queue
                .lock()
                .map_err(|_| ExtractionFailed::Failed("the extraction queue failed".into()))?;
            let tasks = queue.waiting.entry(site).or_default();
            tasks.push_back(task);
            if tasks.len() == 1 {
                queue.turn.push_back(site);
            }
        }
        self.shared.ready.notify_one();
        // The budget counts from the page's turn, not from when it was queued: waiting behind
        // the site's own pages is not the page's fault.
        if begun.await.is_err() {
            return Err(ExtractionFailed::Failed(
                "the extraction threads have stopped".into(),
            ));
        }
        match tokio::time::timeout(budget, result).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(panic))) => Err(ExtractionFailed::Failed(panic_message(panic.as_ref()))),
            Ok(Err(_)) => Err(ExtractionFailed::Failed(
                "the extraction thread stopped".into(),
            )),
            Err(_) => Err(ExtractionFailed::OverTime(budget)),
        }
    }
}

impl Shared {
    /// One extraction thread: takes the next site's task until the pool is dropped.
    fn serve(&self) {
        let Ok(mut queue) = self.queue.lock() else {
            return;
        };
        loop {
            if let Some((site, task)) = queue.next(self.share) {
                drop(queue);
                task();
                let Ok(q) = self.queue.lock() else { return };
                queue = q;
                queue.finished(site);
                // A site at its share may be eligible again: let a waiting thread look.
                self.ready.notify_one();
                continue;
            }
            if queue.closed {
                return;
            }
            queue = match self.ready.wait(queue) {
                Ok(q) => q,
                Err(_) => return,
            };
        }
    }
}

impl Drop for ExtractionPool {
    fn drop(&mut self) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.closed = true;
        }
        self.shared.ready.notify_all();
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown cause");
    format!("the extractor panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn runs_work_on_named_threads_and_survives_a_panic() {
        let pool = ExtractionPool::start(2).expect("threads start");
        let name = pool
            .run(0, LONG, || {
                std::thread::current().name().map(str::to_string)
            })
            .await
            .expect("work runs");
        assert!(name.is_some_and(|n| n.starts_with("pw-extract-")));
        let failed = pool
            .run(0, LONG, || -> u32 { panic!("hostile page") })
            .await
            .expect_err("a panic is an error");
        let ExtractionFailed::Failed(message) = failed else {
            panic!("a panic is a failure, not a timeout");
        };
        assert!(message.contains("hostile page"), "{message}");
        // Both threads are still there after the panic.
        for i in 0..4u32 {
            let doubled = pool.run(1, LONG, move || i * 2).await.expect("work runs");
            assert_eq!(doubled, i * 2);
        }
    }

    #[tokio::test]
    async fn a_page_over_its_time_budget_is_given_up() {
        let pool = ExtractionPool::start(1).expect("threads start");
        let slow = pool.run(0, Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(500));
        });
        assert!(matches!(slow.await, Err(ExtractionFailed::OverTime(_))));
    }

    /// Site 0's pages each hold a thread until released; site 1's are instant. Site 0 holds
    /// as many threads as there are cores, never the spare, so site 1's pages all finish
    /// while site 0's are still running.
    #[tokio::test]
    async fn a_slow_site_slows_only_itself() {
        let pool = Arc::new(ExtractionPool::start(2).expect("threads start"));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let mut slow = Vec::new();
        for _ in 0..4 {
            let pool = pool.clone();
            let gate = gate.clone();
            slow.push(tokio::spawn(async move {
                pool.run(0, LONG, move || {
                    let _ = gate.lock().map(|g| g.recv());
                })
                .await
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let fast = async {
            for i in 0..50u32 {
                assert_eq!(pool.run(1, LONG, move || i).await.expect("runs"), i);
            }
        };
        tokio::time::timeout(Duration::from_secs(30), fast)
            .await
            .expect("the fast site's pages are not stuck behind the slow site's");
        for _ in 0..4 {
            let _ = release.send(());
        }
        for task in slow {
            task.await.expect("joins").expect("runs");
        }
    }

    fn site(name: &str, profile: &str) -> SiteConfig {
        toml::from_str(&format!(
            "name = \"{name}\"\nstart_urls = [\"http://127.0.0.1:1/\"]\nprofile = \"{profile}\""
        ))
        .expect("a valid site")
    }

    #[test]
    fn sites_naming_one_profile_share_one_compiled_copy() {
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/sites/kangjian.toml");
        let other = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/sites/quickads.toml");
        let mut profiles = Profiles::default();
        let a = SiteExtractor::load(&site("a", shared), &mut profiles).expect("loads");
        let b = SiteExtractor::load(&site("b", shared), &mut profiles).expect("loads");
        let c = SiteExtractor::load(&site("c", other), &mut profiles).expect("loads");
        let (pa, pb, pc) = (&a.context.profile, &b.context.profile, &c.context.profile);
        let (Some(pa), Some(pb), Some(pc)) = (pa, pb, pc) else {
            panic!("every site has its profile");
        };
        assert!(Arc::ptr_eq(pa, pb));
        assert!(!Arc::ptr_eq(pa, pc));
        assert_eq!(profiles.loaded.len(), 2);

        let missing = SiteExtractor::load(&site("d", "/nonexistent/shop.toml"), &mut profiles)
            .expect_err("a missing profile is an error");
        let message = missing.to_string();
        assert!(
            message.contains("d") && message.contains("/nonexistent/shop.toml"),
            "{message}"
        );
    }
}
