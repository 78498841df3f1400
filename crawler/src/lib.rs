//! Polite, rate-limited crawler for pharmwatch.
//!
//! Data flow of one run (see DESIGN §2): each site's [`frontier::Frontier`] admits URLs
//! (scope, dedup, traps), the [`politeness`] scheduler releases them one host slot at a
//! time (robots.txt, per-host rate and Crawl-delay, per-host and global concurrency),
//! [`fetch`] performs one HTTP exchange with a streaming body cap and its own
//! decompression, and pages are handed to `pharmwatch-extract` on fixed extraction threads
//! (one per core); the worker that fetched a page admits the links it found to the frontier.
//! Every exchange, including robots.txt fetches, redirects and failures, becomes a
//! [`PageRecord`] carrying the raw bytes received so evidence can archive it.

#![warn(missing_docs)]
#[doc(hidden)]
pub mod bench;
#[cfg(feature = "browser")]
mod browser;
pub mod config;
mod crawl;
mod decompress;
mod error;
mod extraction;
pub mod fetch;
pub mod frontier;
mod known;
pub mod politeness;
mod record;
pub mod robots;
mod site;
pub mod sitemap;
mod stats;
mod sync;
pub mod url_norm;
mod worker;

pub use config::{CrawlSettings, Render, SiteConfig};
pub use crawl::{Crawler, Resume};
pub use error::{CrawlError, FetchErrorKind};
pub use known::{ArchivedPage, KnownPages, Validators};
pub use record::{
    CapturedExchange, CrawlStats, FetchError, PageRecord, RecordKind, RenderCapture, SiteStats,
};
