//! Locks shared between the crawl loop and its workers.

use std::sync::{Mutex, MutexGuard};

/// Locks `m` even when a thread panicked while holding it: a crashed job is recorded as that
/// page's error, and the counters and frontiers it left behind are still the best there is.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
