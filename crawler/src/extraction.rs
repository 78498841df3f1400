//! The one place that talks to pharmwatch-extract: decoding and listing extraction, and the
//! threads it runs on.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};

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
        }
    }
}

type Task = Box<dyn FnOnce() + Send>;

/// A fixed set of long-lived threads, one per core, that extract fetched pages.
///
/// Why not tokio's blocking pool: it hands each page to whichever of its threads is idle and
/// starts new ones as it likes, so the extractor's regexes kept meeting threads whose scratch
/// caches were cold or had to be taken from (and returned to) the shared pool of caches. In a
/// profile of the 21k-page bench crawl, the lazy-DFA searches cost 3.8× more per page than the
/// same extraction on fixed threads (`examples/parse_ceiling.rs`), and `Pool::get_slow` was
/// 1 % of the crawl. A fixed set also bounds extraction to the cores without a semaphore.
pub(crate) struct ExtractionPool {
    tasks: mpsc::Sender<Task>,
}

/// Why an extraction gave no result.
#[derive(Debug)]
pub(crate) struct ExtractionFailed(pub String);

impl ExtractionPool {
    /// Starts `threads` extraction threads (at least one). They end when the pool is dropped.
    pub(crate) fn start(threads: usize) -> std::io::Result<ExtractionPool> {
        let (tasks, queue) = mpsc::channel::<Task>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("pw-extract-{i}"))
                .spawn(move || {
                    // The lock is held only while waiting; the task runs after it is released.
                    while let Some(task) = queue.lock().ok().and_then(|q| q.recv().ok()) {
                        task();
                    }
                })?;
        }
        Ok(ExtractionPool { tasks })
    }

    /// Runs `work` on an extraction thread. A panic in `work` (a bug met on some hostile
    /// page) becomes an error for that page; the thread goes on with the next.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ExtractionFailed> {
        let (done, result) = tokio::sync::oneshot::channel();
        let task: Task = Box::new(move || {
            let _ = done.send(std::panic::catch_unwind(AssertUnwindSafe(work)));
        });
        self.tasks
            .send(task)
            .map_err(|_| ExtractionFailed("the extraction threads have stopped".into()))?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => Err(ExtractionFailed(panic_message(panic.as_ref()))),
            Err(_) => Err(ExtractionFailed("the extraction thread stopped".into())),
        }
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

    #[tokio::test]
    async fn runs_work_on_named_threads_and_survives_a_panic() {
        let pool = ExtractionPool::start(2).expect("threads start");
        let name = pool
            .run(|| std::thread::current().name().map(str::to_string))
            .await
            .expect("work runs");
        assert!(name.is_some_and(|n| n.starts_with("pw-extract-")));
        let failed = pool
            .run(|| -> u32 { panic!("hostile page") })
            .await
            .expect_err("a panic is an error");
        assert!(failed.0.contains("hostile page"), "{}", failed.0);
        // Both threads are still there after the panic.
        for i in 0..4u32 {
            assert_eq!(pool.run(move || i * 2).await.expect("work runs"), i * 2);
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
