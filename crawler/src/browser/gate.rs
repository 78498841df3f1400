//! Per-host turns for the requests of a browser-rendered site: the page fetches of the crawler
//! and every request its pages make take turns here, one at a time per host, the next one
//! starting the site's interval after the previous one ended. So the rate holds for them as
//! the server sees it, third-party hosts included, whichever page or task asks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::{Instant, sleep_until};
use url::Url;

use crate::politeness::HostKey;
use crate::sync::lock;

/// When each host may next be asked, across all pages rendered in a run.
#[derive(Default)]
pub(crate) struct HostGate {
    hosts: Mutex<HashMap<HostKey, Arc<AsyncMutex<Instant>>>>,
}

/// A host's turn: held while its request runs; the host's next turn comes `interval` after
/// it is dropped.
pub(crate) struct Turn {
    next: OwnedMutexGuard<Instant>,
    interval: Duration,
}

impl Drop for Turn {
    fn drop(&mut self) {
        *self.next = Instant::now() + self.interval;
    }
}

impl HostGate {
    /// Waits for `url`'s host to be free and its interval since the last request to pass.
    /// `None` for a URL without a host (nothing to space).
    pub(crate) async fn turn(&self, url: &Url, interval: Duration) -> Option<Turn> {
        let key = HostKey::of(url)?;
        let host = {
            let mut hosts = lock(&self.hosts);
            Arc::clone(
                hosts
                    .entry(key)
                    .or_insert_with(|| Arc::new(AsyncMutex::new(Instant::now()))),
            )
        };
        let next = host.lock_owned().await;
        sleep_until(*next).await;
        Some(Turn { next, interval })
    }
}
