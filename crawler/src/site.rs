//! What the crawler holds for one configured site during a run.

use std::sync::Arc;
use std::time::Duration;

use crate::config::ValidSite;
use crate::extraction::SiteExtractor;
use crate::frontier::Scope;

/// Everything the crawler knows about one configured site.
pub(crate) struct SiteRuntime {
    pub site: Arc<ValidSite>,
    pub scope: Arc<Scope>,
    pub extractor: Arc<SiteExtractor>,
    pub client: reqwest::Client,
    pub interval: Duration,
}

impl SiteRuntime {
    pub(crate) fn name(&self) -> &str {
        &self.site.config.name
    }

    pub(crate) fn respects_robots(&self) -> bool {
        !self.site.config.ignore_robots
    }
}
