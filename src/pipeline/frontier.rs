//! The persistent frontier: every link a page leads to is stored with the page (one
//! transaction), so a run killed at any moment resumes where it stood instead of starting
//! over — which at one request per second per host can be the difference between minutes
//! and days.

use std::collections::HashMap;

use anyhow::Result;
use pharmwatch_crawler::config::SiteConfig;
use pharmwatch_crawler::frontier::Priority;
use pharmwatch_crawler::{PageRecord, RecordKind, Resume};
use pharmwatch_store::{FrontierEntry, RunId, StateStore};

/// Store priorities: higher first.
fn store_priority(p: Priority) -> i64 {
    match p {
        Priority::Listing => 2,
        Priority::Next => 1,
        Priority::Other => 0,
    }
}

fn crawler_priority(p: i64) -> Priority {
    match p {
        2.. => Priority::Listing,
        1 => Priority::Next,
        _ => Priority::Other,
    }
}

/// The links of a fetched page, as frontier entries one level deeper.
///
/// A redirect hop leads to its target at the same depth: stored with the hop, a crawl killed
/// between two hops resumes with the next one.
pub fn entries_of(record: &PageRecord) -> Vec<FrontierEntry> {
    let links = record.links.iter().map(|(url, priority)| FrontierEntry {
        site: record.site.clone(),
        url: url.clone(),
        depth: record.depth + 1,
        priority: store_priority(*priority),
    });
    let hop = record
        .redirect_to
        .iter()
        .filter(|_| record.kind == RecordKind::Redirect && record.error.is_none())
        .map(|url| FrontierEntry {
            site: record.site.clone(),
            url: url.clone(),
            depth: record.depth,
            priority: store_priority(Priority::Listing),
        });
    links.chain(hop).collect()
}

/// Sets each site's stored frontier up for this run: after an interrupted run, what was
/// done and what was pending becomes the crawler's [`Resume`]; otherwise the old frontier
/// is cleared, and the start URLs and every page that carries live listings are queued
/// afresh. The revisits make each listing's own page confirm it or say it is gone, even
/// when no page links to it any more (a shop that drops a product from its menus first).
pub fn prepare(
    store: &dyn StateStore,
    sites: &[SiteConfig],
    run: RunId,
    resuming: bool,
) -> Result<HashMap<String, Resume>> {
    let mut resume = HashMap::new();
    for site in sites {
        let (finished, pending) = store.frontier_snapshot(&site.name)?;
        if resuming && !pending.is_empty() {
            store.requeue_in_flight(Some(&site.name))?;
            resume.insert(
                site.name.clone(),
                Resume {
                    done: finished.into_iter().map(|e| e.url).collect(),
                    queued: pending
                        .into_iter()
                        .map(|e| (e.url, e.depth, crawler_priority(e.priority)))
                        .collect(),
                },
            );
        } else {
            store.clear_frontier(&site.name)?;
            let revisits: Vec<FrontierEntry> = store
                .pages_with_live_listings(&site.name)?
                .into_iter()
                .map(|(url, depth)| FrontierEntry {
                    site: site.name.clone(),
                    url,
                    depth,
                    priority: store_priority(Priority::Listing),
                })
                .collect();
            store.enqueue_many(&revisits, run)?;
            resume.insert(
                site.name.clone(),
                Resume {
                    done: Vec::new(),
                    queued: revisits
                        .into_iter()
                        .map(|e| (e.url, e.depth, Priority::Listing))
                        .collect(),
                },
            );
        }
        // Start URLs were validated with the config; one that does not parse is skipped
        // here exactly as the crawler skips it.
        let starts: Vec<FrontierEntry> = site
            .start_urls
            .iter()
            .filter_map(|url| url::Url::parse(url).ok())
            .map(|url| FrontierEntry {
                site: site.name.clone(),
                url: pharmwatch_crawler::url_norm::normalize_url(&url).to_string(),
                depth: 0,
                priority: store_priority(Priority::Other),
            })
            .collect();
        store.enqueue_many(&starts, run)?;
    }
    Ok(resume)
}
