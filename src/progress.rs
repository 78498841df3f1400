//! The progress line `crawl` and `daemon` show on a terminal: pages, errors, listings,
//! flagged, and pages per site. Off a terminal nothing is drawn; logs say what happens.
//!
//! The crawler does not expose its queue, so the line counts what was stored, not what is
//! left. Log lines written meanwhile go through [`LogWriter`], which lifts the line out of the
//! way so the two do not garble each other.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::pipeline::progress::{PageDone, Progress};

/// Sites named on the line before the rest are summed up as "+N more".
const SITES_SHOWN: usize = 4;

/// The progress line on screen now, if any (log lines are written around it).
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// A spinner line on stderr, updated per page.
pub struct ProgressLine {
    bar: ProgressBar,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    pages: u64,
    errors: u64,
    listings: u64,
    flagged: u64,
    per_site: BTreeMap<String, u64>,
}

impl ProgressLine {
    /// A progress line labelled `label` when stderr is a terminal, else `None`.
    pub fn on_terminal(label: &str) -> Option<Arc<ProgressLine>> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.set_message("starting");
        bar.enable_steady_tick(Duration::from_millis(120));
        *ACTIVE.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
        Some(Arc::new(ProgressLine {
            bar,
            counts: Mutex::new(Counts::default()),
        }))
    }

    /// Removes the line (the summary is printed after it).
    pub fn finish(&self) {
        ACTIVE.lock().unwrap_or_else(PoisonError::into_inner).take();
        self.bar.finish_and_clear();
    }

    /// The line as a trait object for [`crate::pipeline::RunOptions`].
    pub fn hook(line: &Option<Arc<ProgressLine>>) -> Option<Arc<dyn Progress>> {
        line.as_ref().map(|l| l.clone() as Arc<dyn Progress>)
    }
}

impl Progress for ProgressLine {
    fn page(&self, page: &PageDone<'_>) {
        let mut c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        c.pages += 1;
        c.errors += u64::from(!page.ok);
        c.listings += page.listings as u64;
        c.flagged += page.flagged as u64;
        *c.per_site.entry(page.site.to_string()).or_default() += 1;
        self.bar.set_message(message(&c));
    }
}

/// stderr for logs: while a progress line is shown, each write hides it, writes, and
/// redraws it (the log formatter writes one event per call).
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = ACTIVE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match bar {
            Some(bar) => bar
                .suspend(|| std::io::stderr().write_all(buf))
                .map(|()| buf.len()),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn message(c: &Counts) -> String {
    let mut sites: Vec<String> = c
        .per_site
        .iter()
        .take(SITES_SHOWN)
        .map(|(site, n)| format!("{site} {n}"))
        .collect();
    if c.per_site.len() > SITES_SHOWN {
        sites.push(format!("+{} more", c.per_site.len() - SITES_SHOWN));
    }
    format!(
        "{} pages ({} failed) · {} listings · {} flagged · {}",
        c.pages,
        c.errors,
        c.listings,
        c.flagged,
        sites.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_a_few_sites_and_counts_the_rest() {
        let mut c = Counts {
            pages: 12,
            errors: 1,
            listings: 30,
            flagged: 7,
            ..Counts::default()
        };
        for (i, site) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            c.per_site.insert(site.to_string(), i as u64);
        }
        let m = message(&c);
        assert!(
            m.starts_with("12 pages (1 failed) · 30 listings · 7 flagged · a 0, b 1"),
            "{m}"
        );
        assert!(m.ends_with("d 3, +2 more"), "{m}");
    }
}
