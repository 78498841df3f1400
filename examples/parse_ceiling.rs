//! The parse-only ceiling of a crawl: how many pages per second pharmwatch's extraction
//! (body digest, charset decoding, listing and link extraction — what the crawler does to every
//! fetched page) gets through on this machine, with no network and no disk in the timed part.
//!
//! Reads a marketplace written by `pharmwatch marketplace --static-out DIR` (its `sites.toml`
//! gives each shop's URL, currency and profile), loads every page into memory, then extracts
//! them all on one thread and on `THREADS` threads (default: every core).
//!
//! ```sh
//! cargo run --release --example parse_ceiling -- DIR [THREADS]
//! ```
//! Prints one line per run: `parse_ceiling threads=T pages=N secs=S pages_per_s=R`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use pharmwatch_crawler::SiteConfig;
use pharmwatch_crawler::bench::PageExtraction;
use serde::Deserialize;
use url::Url;

#[derive(Deserialize)]
struct SitesFile {
    site: Vec<SiteConfig>,
}

/// One page as the crawler would have it: bytes, URL and the site it belongs to.
struct Page {
    site: usize,
    url: Url,
    body: Vec<u8>,
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        bail!(
            "usage: parse_ceiling DIR [THREADS]  (DIR from `pharmwatch marketplace --static-out`)"
        );
    };
    let threads = match args.next() {
        Some(t) => t
            .parse()
            .with_context(|| format!("THREADS `{t}` is not a number"))?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let (sites, pages) = load(&dir)?;
    let bytes: usize = pages.iter().map(|p| p.body.len()).sum();
    eprintln!("{} pages, {} bytes loaded", pages.len(), bytes);
    let mut counts = vec![1];
    if threads > 1 {
        counts.push(threads);
    }
    for t in counts {
        let start = Instant::now();
        let listings = extract_all(&sites, &pages, t);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "parse_ceiling threads={t} pages={} listings={listings} secs={secs:.3} pages_per_s={:.0}",
            pages.len(),
            pages.len() as f64 / secs
        );
    }
    Ok(())
}

/// Extracts every page on `threads` threads pulling from one shared counter; returns the
/// number of listings found (so the work cannot be optimised away).
fn extract_all(sites: &[PageExtraction], pages: &[Page], threads: usize) -> usize {
    let next = AtomicUsize::new(0);
    let found = AtomicUsize::new(0);
    let fetched_at = time::OffsetDateTime::now_utc();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut mine = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(page) = pages.get(i) else { break };
                    let (listings, links) =
                        sites[page.site].extract(&page.body, &page.url, fetched_at);
                    mine += listings + usize::from(links == 0);
                }
                found.fetch_add(mine, Ordering::Relaxed);
            });
        }
    });
    found.into_inner()
}

fn load(dir: &Path) -> Result<(Vec<PageExtraction>, Vec<Page>)> {
    let path = dir.join("sites.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let sites: SitesFile =
        toml::from_str(&text).with_context(|| format!("{} is not a sites file", path.display()))?;
    let sites_out =
        PageExtraction::load_all(&sites.site).context("cannot load the sites' profiles")?;
    let mut pages = Vec::new();
    for (index, site) in sites.site.iter().enumerate() {
        let base = site
            .start_urls
            .first()
            .with_context(|| format!("site {} has no start URL", site.name))?;
        let base = Url::parse(base).with_context(|| format!("start URL {base}"))?;
        let root = dir.join(&site.name);
        for file in files_under(&root)? {
            let rel = file
                .strip_prefix(&root)
                .context("file outside its shop")?
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "robots.txt" || rel.starts_with("static/") {
                continue;
            }
            let url = base.join(&url_path(&rel))?;
            let body = std::fs::read(&file).with_context(|| format!("{}", file.display()))?;
            pages.push(Page {
                site: index,
                url,
                body,
            });
        }
    }
    Ok((sites_out, pages))
}

/// The URL path a static file is served under (category pages carry `?page=N`).
fn url_path(rel: &str) -> String {
    if let Some(rest) = rel.strip_prefix("category/")
        && let Some((slug, file)) = rest.split_once('/')
        && let Some(n) = file
            .strip_prefix("page-")
            .and_then(|f| f.strip_suffix(".html"))
    {
        return format!("/category/{slug}?page={n}");
    }
    match rel {
        "index.html" => "/".into(),
        "cart/index.html" => "/cart/".into(),
        _ => format!("/{rel}"),
    }
}

fn files_under(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("{}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
