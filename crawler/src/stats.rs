//! The run's counters, kept per site and shared by the crawl loop and its workers.
//!
//! Every update goes through [`RunStats::site`], so the lock is held for one short closure and
//! a site's entry is made in one place.

use std::sync::{Arc, Mutex};

use crate::frontier::Rejection;
use crate::record::{CrawlStats, SiteStats};
use crate::sync::lock;

/// The counters of one run (cheap to clone: all clones share them).
#[derive(Debug, Clone, Default)]
pub(crate) struct RunStats(Arc<Mutex<CrawlStats>>);

impl RunStats {
    /// Applies `update` to the counters of `site`.
    pub(crate) fn site<R>(&self, site: &str, update: impl FnOnce(&mut SiteStats) -> R) -> R {
        let mut stats = lock(&self.0);
        update(stats.per_site.entry(site.to_string()).or_default())
    }

    /// Counts links the frontier turned away.
    pub(crate) fn count_rejections(
        &self,
        site: &str,
        rejections: impl IntoIterator<Item = Rejection>,
    ) {
        self.site(site, |s| {
            for r in rejections {
                match r {
                    Rejection::Duplicate => {}
                    Rejection::Trap => s.traps += 1,
                    Rejection::OutOfScope | Rejection::TooDeep | Rejection::PageLimit => {
                        s.out_of_scope += 1
                    }
                }
            }
        })
    }

    /// A copy of the counters as they are now.
    pub(crate) fn snapshot(&self) -> CrawlStats {
        lock(&self.0).clone()
    }
}
