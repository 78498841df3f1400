//! Rendering pages in headless Chromium (`render = "browser"` sites; the `browser` feature).
//!
//! The crawler fetches the page itself as for any site (politeness, robots.txt, its record);
//! the browser then loads that response and every request the page makes is held
//! (`Fetch.requestPaused`) until the crawler has fetched it with its own client, per host at
//! the site's rate, so the archive holds every byte the page was built from exactly as it
//! was received. Once the page has settled (network idle after its load event, or the site's
//! `wait_for` selector), its DOM goes through the same extraction as a fetched page.
//!
//! Containment: one browser process at a time with a fresh temporary profile, replaced after
//! `browser_pages_per_process` pages or when it dies; each page in its own browser context
//! (no cookies or storage shared between pages), downloads denied, a time limit per page and
//! a heap limit per renderer. A page that hangs or crashes its renderer fails alone.

mod cdp;
mod fetcher;
mod gate;
mod page;
mod process;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;
use url::Url;

use crate::RenderCapture;
use crate::config::CrawlSettings;
use cdp::Cdp;
pub(crate) use fetcher::Fetcher;
pub(crate) use gate::{HostGate, Turn};
use page::Settle;
use process::{BrowserProcess, launch};

/// Why a page could not be rendered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BrowserError {
    #[error("the browser could not start: {0}")]
    Launch(String),
    #[error("the browser closed its connection (it exited or crashed)")]
    Closed,
    #[error("the page's renderer crashed (out of memory, or a browser fault)")]
    Crashed,
    #[error("{0}")]
    Timeout(String),
    #[error("DevTools: {0}")]
    Protocol(String),
    #[error("the browser could not navigate to the page: {0}")]
    Navigation(String),
}

/// A page that could not be rendered, with the requests it had made by then (they reached
/// their servers, so they are archived like any exchange).
pub(crate) struct RenderFailed {
    pub error: BrowserError,
    pub resources: Vec<crate::CapturedExchange>,
}

impl From<BrowserError> for RenderFailed {
    fn from(error: BrowserError) -> Self {
        RenderFailed {
            error,
            resources: Vec::new(),
        }
    }
}

/// The page's own response, as the crawler received it, for the browser to load.
pub(crate) struct Document<'a> {
    pub url: &'a Url,
    pub status: u16,
    pub headers: &'a [(String, String)],
    /// After `Content-Encoding` decoding.
    pub body: &'a [u8],
}

/// One browser process and the connection to it; the process dies with the last user.
struct Instance {
    cdp: Cdp,
    _process: BrowserProcess,
}

struct Current {
    instance: Arc<Instance>,
    pages: u32,
}

/// The run's browser: started on the first page that needs it, replaced when it has rendered
/// its share of pages or died. Also the per-host gate of all the pages' requests.
pub(crate) struct BrowserPool {
    path: Option<PathBuf>,
    pages_per_process: u32,
    page_timeout: Duration,
    current: Mutex<Option<Current>>,
    /// Pages rendered at once: each tab costs a renderer process.
    renders: Semaphore,
    pub gate: Arc<HostGate>,
}

impl BrowserPool {
    pub(crate) fn new(settings: &CrawlSettings, parallel: usize) -> BrowserPool {
        BrowserPool {
            path: settings.browser_path.clone(),
            pages_per_process: settings.browser_pages_per_process,
            page_timeout: Duration::from_secs(settings.browser_page_timeout_secs),
            current: Mutex::new(None),
            renders: Semaphore::new(parallel.max(1)),
            gate: Arc::new(HostGate::default()),
        }
    }

    /// Renders `doc`, its requests fetched by `fetcher`, within the page time limit.
    pub(crate) async fn render(
        &self,
        doc: &Document<'_>,
        wait_for: Option<&str>,
        fetcher: &Fetcher,
    ) -> Result<RenderCapture, RenderFailed> {
        let _turn = self
            .renders
            .acquire()
            .await
            .map_err(|_| BrowserError::Closed)?;
        let deadline = Instant::now() + self.page_timeout;
        let instance = self.instance().await?;
        let settle = Settle { wait_for, deadline };
        page::render(&instance.cdp, doc, &settle, fetcher).await
    }

    /// The browser to render the next page in: the current one, or a fresh one when it has
    /// rendered its share or died.
    async fn instance(&self) -> Result<Arc<Instance>, BrowserError> {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_mut()
            && !c.instance.cdp.is_closed()
            && c.pages < self.pages_per_process
        {
            c.pages += 1;
            return Ok(Arc::clone(&c.instance));
        }
        // The old process (if any) is killed once its last page is done.
        *current = None;
        let process = launch(self.path.as_deref()).await?;
        let cdp = Cdp::connect(&process.ws_url).await?;
        let instance = Arc::new(Instance {
            cdp,
            _process: process,
        });
        *current = Some(Current {
            instance: Arc::clone(&instance),
            pages: 1,
        });
        Ok(instance)
    }
}
