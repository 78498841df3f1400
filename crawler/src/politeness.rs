//! The politeness gate: which host may get its next request, and when.
//!
//! Every host (`scheme://host:port`) has its own queue of jobs, its own interval (from the
//! site's rate, slowed by Crawl-delay, pushed out by `Retry-After`/backoff) and its own
//! in-flight count. Hosts that have work and a free per-host slot sit in a min-heap keyed
//! by their next allowed instant; the crawl loop pops the soonest host only when that
//! instant has come and a global slot is free. Nobody sleeps holding a slot: a slow host
//! just stays further down the heap, so one host waiting never blocks another.
//!
//! The next request to a host may start `interval` after the previous one started *and*
//! `interval` after the previous response head arrived ([`HostScheduler::head_arrived`]);
//! until that head arrives no other request to the host starts. So the server never sees
//! two requests closer than `interval`, however long connection set-up or scheduling
//! delayed the earlier one, and a server that answers slowly is asked more slowly
//! (bodies of up to `per_host` responses still stream at once).

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

/// Key of a host for politeness and robots.txt: `scheme://host:port`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostKey(String);

impl HostKey {
    /// The key of a URL's origin; `None` for URLs without a host.
    pub fn of(url: &Url) -> Option<HostKey> {
        let host = url.host_str()?.to_ascii_lowercase();
        let port = url.port_or_known_default()?;
        Some(HostKey(format!("{}://{host}:{port}", url.scheme())))
    }

    /// The key as text, e.g. `http://shop.example:80`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Order of jobs within one host's queue: lower rank first, FIFO within a rank.
struct Queued<J> {
    rank: u8,
    seq: u64,
    job: J,
}

impl<J> PartialEq for Queued<J> {
    fn eq(&self, other: &Self) -> bool {
        self.rank == other.rank && self.seq == other.seq
    }
}
impl<J> Eq for Queued<J> {}
impl<J> PartialOrd for Queued<J> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<J> Ord for Queued<J> {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: the smallest (rank, seq) must compare greatest.
        (other.rank, other.seq).cmp(&(self.rank, self.seq))
    }
}

struct Host<J> {
    queue: BinaryHeap<Queued<J>>,
    interval: Duration,
    last_start: Option<Instant>,
    last_head: Option<Instant>,
    next_allowed: Instant,
    in_flight: usize,
    /// Requests started whose response head has not arrived (or that have not failed).
    awaiting_head: usize,
    blocked: bool,
    /// Bumped whenever the host's heap entry must be replaced; older entries are stale.
    generation: u64,
}

/// Per-host queues with a ready heap, per-host and global concurrency caps.
pub struct HostScheduler<J> {
    hosts: HashMap<HostKey, Host<J>>,
    ready: BinaryHeap<Reverse<(Instant, u64, HostKey)>>,
    per_host: usize,
    global: usize,
    in_flight: usize,
    queued: usize,
    seq: u64,
}

impl<J> HostScheduler<J> {
    /// A scheduler allowing `per_host` requests in flight per host and `global` in all.
    pub fn new(per_host: usize, global: usize) -> Self {
        HostScheduler {
            hosts: HashMap::new(),
            ready: BinaryHeap::new(),
            per_host: per_host.max(1),
            global: global.max(1),
            in_flight: 0,
            queued: 0,
            seq: 0,
        }
    }

    /// Whether the host is known (has had a job).
    pub fn knows(&self, host: &HostKey) -> bool {
        self.hosts.contains_key(host)
    }

    /// Adds a job; `rank` orders jobs of one host (lower first). A new host starts with
    /// `interval` and may be served at once.
    pub fn push(&mut self, host: &HostKey, job: J, rank: u8, interval: Duration, now: Instant) {
        self.seq += 1;
        let seq = self.seq;
        let h = self.hosts.entry(host.clone()).or_insert_with(|| Host {
            queue: BinaryHeap::new(),
            interval,
            last_start: None,
            last_head: None,
            next_allowed: now,
            in_flight: 0,
            awaiting_head: 0,
            blocked: false,
            generation: 0,
        });
        if interval > h.interval {
            h.interval = interval;
        }
        h.queue.push(Queued { rank, seq, job });
        self.queued += 1;
        self.reschedule(host);
    }

    /// Slows a host to at least `interval` between request starts (Crawl-delay).
    pub fn slow_down(&mut self, host: &HostKey, interval: Duration) {
        if let Some(h) = self.hosts.get_mut(host)
            && interval > h.interval
        {
            h.interval = interval;
            for last in [h.last_start, h.last_head].into_iter().flatten() {
                h.next_allowed = h.next_allowed.max(last + interval);
            }
            self.reschedule(host);
        }
    }

    /// Holds the host back until `until` (Retry-After, backoff).
    pub fn defer(&mut self, host: &HostKey, until: Instant) {
        if let Some(h) = self.hosts.get_mut(host)
            && until > h.next_allowed
        {
            h.next_allowed = until;
            self.reschedule(host);
        }
    }

    /// Stops serving the host (while its robots.txt is being fetched).
    pub fn block(&mut self, host: &HostKey) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.blocked = true;
            h.generation += 1;
        }
    }

    /// Serves the host again.
    pub fn unblock(&mut self, host: &HostKey) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.blocked = false;
            self.reschedule(host);
        }
    }

    /// Removes the host's queued jobs for which `drop` is true; returns them.
    pub fn remove_where(&mut self, host: &HostKey, mut drop: impl FnMut(&J) -> bool) -> Vec<J> {
        let Some(h) = self.hosts.get_mut(host) else {
            return Vec::new();
        };
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut h.queue)
            .into_iter()
            .partition(|q| drop(&q.job));
        h.queue = kept.into_iter().collect();
        self.queued -= gone.len();
        self.reschedule(host);
        gone.into_iter().map(|q| q.job).collect()
    }

    /// Removes every queued job (cancellation); in-flight jobs still complete.
    pub fn clear(&mut self) -> usize {
        let n = self.queued;
        for h in self.hosts.values_mut() {
            h.queue.clear();
            h.generation += 1;
        }
        self.ready.clear();
        self.queued = 0;
        n
    }

    /// The next job whose host's slot has come, if a global slot is free. Marks it in
    /// flight; call [`HostScheduler::complete`] when it ends.
    pub fn pop_ready(&mut self, now: Instant) -> Option<(HostKey, J)> {
        if self.in_flight >= self.global {
            return None;
        }
        loop {
            let Reverse((at, generation, key)) = self.ready.peek()?.clone();
            let valid = self
                .hosts
                .get(&key)
                .is_some_and(|h| h.generation == generation && self.eligible(h));
            if !valid {
                self.ready.pop();
                continue;
            }
            if at > now {
                return None;
            }
            self.ready.pop();
            let h = self.hosts.get_mut(&key)?;
            let queued = h.queue.pop()?;
            h.in_flight += 1;
            h.awaiting_head += 1;
            h.last_start = Some(now);
            h.next_allowed = now + h.interval;
            self.in_flight += 1;
            self.queued -= 1;
            self.reschedule(&key);
            return Some((key, queued.job));
        }
    }

    /// When the next job could start (ignoring the global cap), if any is queued.
    pub fn next_wakeup(&mut self) -> Option<Instant> {
        loop {
            let Reverse((at, generation, key)) = self.ready.peek()?;
            let valid = self
                .hosts
                .get(key)
                .is_some_and(|h| h.generation == *generation && self.eligible(h));
            if valid {
                return Some(*at);
            }
            self.ready.pop();
        }
    }

    /// The response head of a started request arrived at `at` (or the request failed
    /// without one): the host's next request may start `interval` later.
    pub fn head_arrived(&mut self, host: &HostKey, at: Instant) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.awaiting_head = h.awaiting_head.saturating_sub(1);
            h.last_head = h.last_head.max(Some(at));
            h.next_allowed = h.next_allowed.max(at + h.interval);
            self.reschedule(host);
        }
    }

    /// A job of this host finished (call [`HostScheduler::head_arrived`] first if its head
    /// was never reported).
    pub fn complete(&mut self, host: &HostKey) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.in_flight = h.in_flight.saturating_sub(1);
            self.in_flight = self.in_flight.saturating_sub(1);
            self.reschedule(host);
        }
    }

    /// Whether every global slot is taken: no job can start until one completes, whatever
    /// [`HostScheduler::next_wakeup`] says (a caller that slept until then would spin).
    pub fn global_full(&self) -> bool {
        self.in_flight >= self.global
    }

    /// Jobs in flight across all hosts.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Jobs queued across all hosts.
    pub fn queued(&self) -> usize {
        self.queued
    }

    fn eligible(&self, h: &Host<J>) -> bool {
        Self::is_eligible(h, self.per_host)
    }

    fn is_eligible(h: &Host<J>, per_host: usize) -> bool {
        !h.blocked && !h.queue.is_empty() && h.in_flight < per_host && h.awaiting_head == 0
    }

    fn reschedule(&mut self, key: &HostKey) {
        let per_host = self.per_host;
        let Some(h) = self.hosts.get_mut(key) else {
            return;
        };
        h.generation += 1;
        if Self::is_eligible(h, per_host) {
            self.ready
                .push(Reverse((h.next_allowed, h.generation, key.clone())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> HostKey {
        HostKey::of(&Url::parse(s).unwrap()).unwrap()
    }

    fn secs(n: f64) -> Duration {
        Duration::from_secs_f64(n)
    }

    #[test]
    fn host_keys_include_scheme_and_port() {
        assert_eq!(key("http://A.example/x").as_str(), "http://a.example:80");
        assert_ne!(key("http://a.example:81/"), key("http://a.example/"));
    }

    #[test]
    fn spacing_per_host_and_independence_between_hosts() {
        let t0 = Instant::now();
        let (a, b) = (key("http://a.example/"), key("http://b.example/"));
        let mut s = HostScheduler::new(4, 10);
        for i in 0..3 {
            s.push(&a, i, 1, secs(10.0), t0);
            s.push(&b, 10 + i, 1, secs(1.0), t0);
        }
        let mut got = Vec::new();
        while let Some((_, j)) = s.pop_ready(t0) {
            got.push(j);
        }
        got.sort();
        assert_eq!(got, vec![0, 10], "one start per host at t0");
        assert_eq!(
            s.next_wakeup(),
            None,
            "nothing starts before the heads arrive"
        );
        s.head_arrived(&a, t0);
        s.head_arrived(&b, t0);
        assert_eq!(s.next_wakeup(), Some(t0 + secs(1.0)));
        assert_eq!(s.pop_ready(t0 + secs(1.0)).map(|x| x.1), Some(11));
        // A slow head pushes the next start out: interval after the head, not the start.
        s.head_arrived(&b, t0 + secs(1.5));
        assert!(s.pop_ready(t0 + secs(2.0)).is_none());
        assert_eq!(s.pop_ready(t0 + secs(2.5)).map(|x| x.1), Some(12));
        assert!(s.pop_ready(t0 + secs(9.0)).is_none(), "a still waits");
        assert_eq!(s.pop_ready(t0 + secs(10.0)).map(|x| x.1), Some(1));
    }

    #[test]
    fn caps_priority_block_and_defer() {
        let t0 = Instant::now();
        let a = key("http://a.example/");
        let b = key("http://b.example/");
        let mut s = HostScheduler::new(1, 1);
        s.push(&a, "other", 3, Duration::ZERO, t0);
        s.push(&a, "listing", 1, Duration::ZERO, t0);
        s.push(&a, "robots", 0, Duration::ZERO, t0);
        s.push(&b, "b", 0, Duration::ZERO, t0);
        let (host, first) = s.pop_ready(t0).unwrap();
        assert!(s.pop_ready(t0).is_none(), "global cap");
        assert!(s.global_full());
        assert!(
            s.next_wakeup().is_some(),
            "b is ready but for the global cap"
        );
        s.head_arrived(&host, t0);
        s.complete(&host);
        let (_, second) = s.pop_ready(t0).unwrap();
        let mut both = [first, second];
        both.sort();
        assert_eq!(
            both,
            ["b", "robots"],
            "robots first on a; hosts served in turn"
        );
        s.head_arrived(&b, t0);
        s.complete(&b);
        s.head_arrived(&a, t0);
        s.block(&a);
        assert!(s.pop_ready(t0).is_none(), "per-host cap and block");
        s.complete(&a);
        assert!(s.pop_ready(t0).is_none(), "still blocked");
        s.unblock(&a);
        s.defer(&a, t0 + secs(5.0));
        assert!(s.pop_ready(t0 + secs(4.0)).is_none());
        assert_eq!(s.pop_ready(t0 + secs(5.0)).map(|x| x.1), Some("listing"));
        s.head_arrived(&a, t0 + secs(5.0));
        s.complete(&a);
        assert_eq!(s.remove_where(&a, |j| *j == "other"), vec!["other"]);
        assert_eq!(s.queued(), 0);
        assert_eq!(s.in_flight(), 0);
    }
}
