//! Terminal output: tables, JSON lines, CSV. Scraped text is hostile: control characters and
//! terminal escape sequences are removed before anything reaches a terminal.

use std::io::Write;

use anyhow::Result;
use pharmwatch_model::{Listing, Money, Verdict};
use pharmwatch_store::{RunId, StateStore};
use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::pipeline::{FlaggedSummary, RunSummary};

pub use pharmwatch_model::text::{count, sanitize};

/// Cuts `text` to at most `width` terminal columns (CJK counts double), marking the cut.
pub fn fit(text: &str, width: usize) -> String {
    let clean = sanitize(text);
    let total: usize = clean.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return clean;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `text` followed by spaces up to `width` terminal columns.
pub fn pad(text: &str, width: usize) -> String {
    let used: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// A table row per kept flagged listing (the highest scores first): severity, site, title,
/// price, rules; then, on stderr, how many more there are and where to find them.
pub fn print_flagged_table(flagged: &FlaggedSummary) {
    print_header();
    for f in flagged.top() {
        print_row(
            f.severity.map_or("-", |s| s.as_str()),
            &f.site,
            &f.title,
            f.price,
            &f.rule_ids.join(","),
        );
    }
    let more = flagged.total().saturating_sub(flagged.top().len() as u64);
    if more > 0 {
        eprintln!(
            "… and {more} more flagged listings: `pharmwatch search '*' --csv` (or `--json`) lists them all, `crawl --json` prints them"
        );
    }
}

const TABLE_WIDTHS: [usize; 5] = [8, 12, 44, 14, 40];

fn print_header() {
    let header = ["SEVERITY", "SITE", "TITLE", "PRICE", "RULES"];
    let line: Vec<String> = header
        .iter()
        .zip(TABLE_WIDTHS)
        .map(|(h, w)| pad(h, w))
        .collect();
    println!("{}", line.join(" ").trim_end());
}

/// One table line; every cell is sanitized and cut to its column.
fn print_row(severity: &str, site: &str, title: &str, price: Option<Money>, rules: &str) {
    let price = price.map_or_else(|| "-".to_string(), |p| p.to_string());
    let cells = [severity, site, title, &price, rules];
    let line: Vec<String> = cells
        .iter()
        .zip(TABLE_WIDTHS)
        .map(|(c, w)| pad(&fit(c, w), w))
        .collect();
    println!("{}", line.join(" ").trim_end());
}

/// Prints listings with their verdicts as a fixed-width table.
pub fn print_table<'a>(rows: impl Iterator<Item = (&'a Listing, &'a Verdict)>) {
    print_header();
    for (listing, verdict) in rows {
        let rules: Vec<&str> = verdict.rule_ids().collect();
        print_row(
            verdict.severity.map_or("-", |s| s.as_str()),
            &listing.site,
            &listing.title,
            listing.price,
            &rules.join(","),
        );
    }
}

/// One JSON object a line per listing flagged in `run` (seen in it, flagged), with its listing
/// and verdict as stored, by listing id; streamed from the store.
pub fn print_flagged_json(store: &dyn StateStore, run: RunId) -> Result<()> {
    #[derive(Serialize)]
    struct Row<'a> {
        listing: &'a Listing,
        verdict: &'a Verdict,
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for stored in crate::pipeline::flagged_in_run(store, run) {
        let stored = stored?;
        let (listing, verdict) = (&stored.listing, &stored.verdict);
        serde_json::to_writer(&mut out, &Row { listing, verdict })?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// "N pages, M listings, K flagged (…)" for the end of a run.
pub fn summary_line(summary: &RunSummary) -> String {
    let parts: Vec<String> = summary
        .flagged
        .by_severity()
        .filter_map(|(s, n)| s.map(|s| format!("{n} {s}")))
        .collect();
    format!(
        "{} fetched ({}), {} extracted, {} flagged ({})",
        count(summary.pages, "page", "pages"),
        count(summary.page_errors, "error", "errors"),
        count(summary.listings, "listing", "listings"),
        summary.flagged.total(),
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_removes_terminal_escapes_and_bidi() {
        assert_eq!(sanitize("a\x1b[31mred\x07\u{202E}b\nc"), "a[31mredb c");
    }

    #[test]
    fn fit_counts_cjk_as_double_width() {
        assert_eq!(fit("奥施康定正品", 6), "奥施…");
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("exactly10!", 10), "exactly10!");
        assert_eq!(fit("eleven chars", 10), "eleven ch…");
    }
}
