//! Failures and latency injected into a running marketplace, for crawler tests (retries,
//! back-off, timeouts) and benchmarks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Pending injected failures and the artificial response delay.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    /// Path → (status to answer, how many more times).
    pending: Mutex<HashMap<String, (u16, u32)>>,
    delay_ms: AtomicU64,
}

impl Faults {
    /// The next `count` requests for `path` answer `status`.
    pub fn fail(&self, path: &str, status: u16, count: u32) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if count == 0 {
            pending.remove(path);
        } else {
            pending.insert(path.to_string(), (status, count));
        }
    }

    /// The status to answer instead of the page, consuming one injected failure.
    pub fn take(&self, path: &str) -> Option<u16> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let (status, left) = pending.get_mut(path)?;
        let status = *status;
        *left -= 1;
        if *left == 0 {
            pending.remove(path);
        }
        Some(status)
    }

    pub fn set_delay(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.delay_ms.store(ms, Ordering::Relaxed);
    }

    pub fn delay(&self) -> Option<Duration> {
        match self.delay_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_consumed() {
        let f = Faults::default();
        f.fail("/a", 503, 2);
        assert_eq!(f.take("/a"), Some(503));
        assert_eq!(f.take("/b"), None);
        assert_eq!(f.take("/a"), Some(503));
        assert_eq!(f.take("/a"), None);
        f.fail("/a", 429, 1);
        f.fail("/a", 429, 0);
        assert_eq!(f.take("/a"), None);
        assert_eq!(f.delay(), None);
        f.set_delay(Duration::from_millis(5));
        assert_eq!(f.delay(), Some(Duration::from_millis(5)));
    }
}
