//! Rendered pages per second and peak memory of a browser capture: the sample marketplace's
//! English rogue pharmacy served script-rendered on loopback, crawled by the real binary with
//! `render = "browser"`. Memory is the peak of the sum of resident sets of pharmwatch and
//! every process under it (the browser and its renderers), sampled every 50 ms.
//!
//! ```sh
//! cargo build --release --features browser --example browser_capture
//! target/release/examples/browser_capture target/release/pharmwatch [LISTINGS] [DIR]
//! ```
//! (`bench/browser_capture.sh` does both and appends the result to `bench/RESULTS.md`.)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions, serve_scripted};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let binary = PathBuf::from(
        args.next()
            .context("usage: browser_capture PHARMWATCH [LISTINGS] [DIR]")?,
    );
    let listings: usize = args.next().map_or(Ok(100), |n| n.parse())?;
    let work = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-browser".into()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let market = Marketplace::generate(&MarketplaceOptions {
        shops: 1,
        listings_per_shop: listings,
        networks: false,
        ..MarketplaceOptions::default()
    });
    let running = runtime.block_on(serve_scripted(market))?;
    let shop = &running.shops()[0];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = work.join("pharmwatch.toml");
    let mut text = format!(
        "[crawl]\nper_host_concurrency = 4\n\n[rules]\npacks = [{:?}]\nlexicon = {:?}\n\n\
         [[site]]\nname = {:?}\nstart_urls = [\"{}/\"]\nrate = 1000.0\nrender = \"browser\"\n",
        root.join("rules/packs"),
        root.join("config/reference"),
        shop.name,
        shop.base_url,
    );
    let profile = root.join(format!("config/sites/{}.toml", shop.archetype.base_name()));
    if profile.is_file() {
        text.push_str(&format!("profile = {profile:?}\n"));
    }
    std::fs::write(&config, text)?;
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .arg("--data-dir")
        .arg(work.join("data"))
        .arg("--config")
        .arg(&config)
        .arg("crawl")
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let (mut peak_total, mut peak_own) = (0u64, 0u64);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        let (own, total) = tree_rss_kib(child.id());
        peak_own = peak_own.max(own);
        peak_total = peak_total.max(total);
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    if !status.success() {
        bail!("the crawl failed: {status}");
    }
    let log = running.request_log();
    let pages = log
        .iter()
        .filter(|r| !r.path.starts_with("/api/"))
        .filter(|r| {
            r.path.ends_with(".html") || r.path.ends_with('/') || r.path.starts_with("/category/")
        })
        .count();
    println!(
        "{pages} pages rendered ({} requests in all) in {:.1} s: {:.2} rendered pages/s; peak RSS {} MiB in all (pharmwatch alone {} MiB)",
        log.len(),
        elapsed.as_secs_f64(),
        pages as f64 / elapsed.as_secs_f64(),
        peak_total / 1024,
        peak_own / 1024
    );
    runtime.block_on(running.shutdown());
    Ok(())
}

/// Resident set (KiB) of `root`, and of `root` with all its descendants.
fn tree_rss_kib(root: u32) -> (u64, u64) {
    let mut parent = HashMap::new();
    let mut rss = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return (0, 0);
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        };
        if let (Some(ppid), Some(kib)) = (field("PPid:"), field("VmRSS:")) {
            parent.insert(pid, ppid as u32);
            rss.insert(pid, kib);
        }
    }
    let under_root = |mut pid: u32| loop {
        if pid == root {
            return true;
        }
        match parent.get(&pid) {
            Some(&p) if p != 0 && p != pid => pid = p,
            _ => return false,
        }
    };
    let total = rss
        .iter()
        .filter(|(pid, _)| under_root(**pid))
        .map(|(_, kib)| kib)
        .sum();
    (rss.get(&root).copied().unwrap_or(0), total)
}
