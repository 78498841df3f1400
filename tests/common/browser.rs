//! Helpers of the tests that drive headless Chromium (`render = "browser"` sites): whether
//! Chromium is installed, the script-rendered sample shop, and a config rendering with it.

use std::path::{Path, PathBuf};

use pharmwatch_marketplace::{
    GroundTruth, Marketplace, MarketplaceOptions, RequestRecord, RunningMarketplace, ShopEndpoint,
};

use super::{crawl, write_config};

/// Whether Chromium is on `PATH`; panics when it must be and is not.
pub fn browser_installed(test: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .any(|n| dir.join(n).is_file())
    });
    if !found {
        assert!(
            std::env::var_os("PHARMWATCH_REQUIRE_BROWSER").is_none(),
            "PHARMWATCH_REQUIRE_BROWSER is set but chromium is not on PATH: apt-get install chromium"
        );
        eprintln!(
            "SKIPPED {test}: chromium is not installed (apt-get install chromium); with \
             PHARMWATCH_REQUIRE_BROWSER=1 (set by .ci/run) it fails instead"
        );
    }
    found
}

/// The English rogue pharmacy of the sample marketplace, script-rendered.
pub fn scripted_shop(runtime: &tokio::runtime::Runtime, listings: usize) -> RunningMarketplace {
    let market = Marketplace::generate(&MarketplaceOptions {
        shops: 1,
        listings_per_shop: listings,
        networks: false,
        ..MarketplaceOptions::default()
    });
    runtime
        .block_on(pharmwatch_marketplace::serve_scripted(market))
        .unwrap()
}

/// [`write_config`] in `dir`, every site with `render = RENDER` and `extra` lines.
pub fn config_rendering(dir: &Path, shops: &[ShopEndpoint], render: &str, extra: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = write_config(dir, shops);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "[[site]]\n",
        &format!("[[site]]\nrender = {render:?}\n{extra}"),
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A script-rendered shop of `listings` listings crawled once with `render = "browser"`,
/// the shop stopped: where its data is and what the shop saw.
pub struct RenderedCrawl {
    /// The shop's base URL (`http://127.0.0.1:PORT`).
    pub base: String,
    /// What the shop offered.
    pub truth: GroundTruth,
    /// Every request the shop answered.
    pub log: Vec<RequestRecord>,
    /// The data directory.
    pub data: PathBuf,
    /// Holds `data`; removed when dropped.
    pub tmp: tempfile::TempDir,
}

/// [`scripted_shop`], [`config_rendering`] with `render = "browser"`, one crawl.
pub fn crawl_rendered_shop(listings: usize) -> RenderedCrawl {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = scripted_shop(&runtime, listings);
    let base = running.shops()[0].base_url.clone();
    let truth = running.ground_truth();
    let tmp = tempfile::tempdir().unwrap();
    let config = config_rendering(tmp.path(), &running.shops(), "browser", "");
    let data = tmp.path().join("data");
    crawl(&data, &config);
    let log = running.request_log();
    runtime.block_on(running.shutdown());
    RenderedCrawl {
        base,
        truth,
        log,
        data,
        tmp,
    }
}
