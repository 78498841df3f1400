//! The Markdown rendering of a run report. Scraped text is escaped so a hostile title can't
//! inject links, images or HTML into a viewer that renders the report.

use std::fmt::Write as _;

use pharmwatch_model::Money;

use super::{ReportDiff, ReportListing, RunReport};
use crate::analysis::trends::TrendReport;

/// Escapes Markdown and HTML specials, and flattens whitespace, in scraped text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in pharmwatch_model::text::sanitize(text).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn rfc3339(t: pharmwatch_model::Timestamp) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "–".to_string(), |m| m.to_string())
}

fn listing_row(l: &ReportListing) -> String {
    format!(
        "| {} | {} | {} | {} | {} |",
        l.severity.map_or("–", |s| s.as_str()),
        escape(&l.site),
        escape(&l.title),
        money(l.price),
        l.rules.join(", ")
    )
}

/// `## Title (n)`, then `None.` when there is nothing: every section of every report starts
/// the same way, empty or not.
fn heading(out: &mut String, title: &str, n: usize) -> bool {
    let _ = writeln!(out, "\n## {title} ({n})\n");
    if n == 0 {
        out.push_str("None.\n");
    }
    n > 0
}

fn section(out: &mut String, title: &str, rows: &[ReportListing]) {
    if !heading(out, title, rows.len()) {
        return;
    }
    out.push_str("| severity | site | title | price | rules |\n|---|---|---|---|---|\n");
    for row in rows {
        let _ = writeln!(out, "{}", listing_row(row));
    }
}

/// The report as a Markdown document.
pub fn to_markdown(r: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# pharmwatch run {} ({}, {})\n",
        r.run,
        r.kind(),
        r.status
    );
    let _ = writeln!(
        out,
        "Started {}, finished {}.",
        rfc3339(r.started_at),
        r.finished_at.map_or_else(|| "–".into(), rfc3339)
    );
    if r.kind() == "rescan" {
        rescan_body(&mut out, r);
    } else {
        crawl_body(&mut out, r);
    }
    out
}

/// The counters a crawl's header shows, each with what it counts (the site table's columns
/// count the same things per site, and its last row adds them up).
const CRAWL_COUNTERS: [(&str, &str); 7] = [
    ("pages", "pages fetched"),
    ("page_errors", "pages that failed"),
    ("listings", "listings seen"),
    ("flagged", "flagged"),
    ("new", "new"),
    ("changed", "changed"),
    ("gone", "gone"),
];

fn crawl_body(out: &mut String, r: &RunReport) {
    out.push('\n');
    for (key, label) in CRAWL_COUNTERS {
        if let Some(v) = r.counts.get(key) {
            let _ = writeln!(out, "- {label}: {v}");
        }
    }
    sites_section(out, &r.counts);
    section(out, "New flagged listings", &r.new_flagged);
    if heading(out, "Price changes", r.price_changes.len()) {
        for c in &r.price_changes {
            let _ = writeln!(
                out,
                "- {} ({}): {} → {}",
                escape(&c.listing.title),
                escape(&c.listing.site),
                money(c.old),
                money(c.new)
            );
        }
    }
    verdict_changes(out, r);
    section(out, "Listings gone", &r.gone);
    section(out, "Listings back", &r.returned);
    if heading(out, "New domains", r.new_domains.len()) {
        for d in &r.new_domains {
            let _ = writeln!(out, "- {}", escape(d));
        }
    }
    top_rules(out, r, "flagged listings seen in this run");
    trend_section(out, &r.signals);
}

/// Per-site counters, with a last row that adds them up.
fn sites_section(out: &mut String, counts: &serde_json::Value) {
    let Some(sites) = counts.get("sites").and_then(|s| s.as_object()) else {
        return;
    };
    if !heading(out, "Sites", sites.len()) {
        return;
    }
    out.push_str(
        "| site | fetched | listings | robots-disallowed | errors |\n|---|---|---|---|---|\n",
    );
    let n = |s: &serde_json::Value, key: &str| s.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
    let mut total = [0u64; 4];
    for (name, s) in sites {
        let errors: u64 = s
            .get("errors_by_kind")
            .and_then(|e| e.as_object())
            .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum());
        let row = [
            n(s, "fetched"),
            n(s, "listings"),
            n(s, "robots_disallowed"),
            errors,
        ];
        for (t, v) in total.iter_mut().zip(row) {
            *t += v;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape(name),
            row[0],
            row[1],
            row[2],
            row[3]
        );
    }
    let _ = writeln!(
        out,
        "| all sites | {} | {} | {} | {} |",
        total[0], total[1], total[2], total[3]
    );
}

fn verdict_changes(out: &mut String, r: &RunReport) {
    if !heading(out, "Verdict changes", r.verdict_changes.len()) {
        return;
    }
    for c in &r.verdict_changes {
        let _ = writeln!(
            out,
            "- {} ({}): {} [{}] → {} [{}]",
            escape(&c.listing.title),
            escape(&c.listing.site),
            c.old_severity.map_or("none", |s| s.as_str()),
            c.old_rules.join(", "),
            c.new_severity.map_or("none", |s| s.as_str()),
            c.new_rules.join(", ")
        );
    }
}

/// Rule ids are configuration, not scraped text: printed as they are.
fn top_rules(out: &mut String, r: &RunReport, over: &str) {
    if !heading(out, "Top rules", r.top_rules.len()) {
        return;
    }
    let _ = writeln!(out, "Rules by the {over} they fired on.\n");
    for (rule, n) in &r.top_rules {
        let _ = writeln!(out, "- {rule}: {n}");
    }
}

/// A rescan fetched nothing: what the current rules changed, by rule, then the verdicts.
fn rescan_body(out: &mut String, r: &RunReport) {
    match &r.rescan {
        Some(t) => {
            let _ = writeln!(
                out,
                "\nThe current rules applied again to every stored listing; nothing was fetched.\n"
            );
            let _ = writeln!(out, "- live listings re-evaluated: {}", t.listings);
            let _ = writeln!(out, "- gone listings re-evaluated: {}", t.gone_listings);
            let _ = writeln!(
                out,
                "- flagged live listings: {} → {}",
                t.flagged_before, t.flagged_after
            );
            let _ = writeln!(out, "- verdicts changed: {}", t.changed);
            let changed: Vec<_> = t
                .rules
                .iter()
                .filter(|(_, s)| s.gained > 0 || s.lost > 0)
                .collect();
            if heading(out, "Rules changed", changed.len()) {
                out.push_str(
                    "Flagged live listings each rule fired on before and after the rescan.\n\n",
                );
                out.push_str("| rule | before | after | gained | lost |\n|---|---|---|---|---|\n");
                for (rule, s) in changed {
                    let _ = writeln!(
                        out,
                        "| {rule} | {} | {} | {} | {} |",
                        s.before, s.after, s.gained, s.lost
                    );
                }
            }
        }
        // A rescan from before the tally was kept: what its counts say.
        None => {
            out.push('\n');
            for key in ["listings", "flagged", "changed"] {
                if let Some(v) = r.counts.get(key) {
                    let _ = writeln!(out, "- {key}: {v}");
                }
            }
        }
    }
    verdict_changes(out, r);
    top_rules(out, r, "flagged live listings");
}

/// `report --diff A B` as a Markdown document.
pub fn diff_to_markdown(d: &ReportDiff) -> String {
    let mut out = String::new();
    let (a, b) = (&d.from, &d.to);
    let _ = writeln!(out, "# pharmwatch runs {} → {}\n", a.run, b.run);
    for l in [a, b] {
        let _ = writeln!(
            out,
            "- run {}: {}, {}, started {}",
            l.run,
            l.kind,
            l.status,
            rfc3339(l.started_at)
        );
    }
    if heading(&mut out, "Counts that differ", d.counts.len()) {
        if a.kind != b.kind {
            let _ = writeln!(
                out,
                "Only counters both a {} and a {} keep are compared.\n",
                a.kind, b.kind
            );
        }
        let _ = writeln!(
            out,
            "| counter | run {} | run {} |\n|---|---|---|",
            a.run, b.run
        );
        for (key, c) in &d.counts {
            let _ = writeln!(out, "| {key} | {} | {} |", c.from, c.to);
        }
    }
    if heading(&mut out, "Rules that differ", d.rules.len()) {
        out.push_str("Flagged listings each rule fired on (0: it did not fire, or was not in the run's rules).\n\n");
        let _ = writeln!(
            out,
            "| rule | run {} | run {} | change |\n|---|---|---|---|",
            a.run, b.run
        );
        for (rule, c) in &d.rules {
            let change = i128::from(c.to) - i128::from(c.from);
            let _ = writeln!(out, "| {rule} | {} | {} | {change:+} |", c.from, c.to);
        }
    }
    let title = format!("Domains new in run {} only", b.run);
    if heading(&mut out, &title, d.domains_only_in_to.len()) {
        for domain in &d.domains_only_in_to {
            let _ = writeln!(out, "- {}", escape(domain));
        }
    }
    out
}

/// Rises and new series. Keys are lexicon and rule ids (configuration, not scraped text),
/// printed as they are, like the top rules.
fn trend_section(out: &mut String, t: &TrendReport) {
    let any = heading(out, "Trend signals", t.signals.len());
    // What was compared, and why nothing rose: after "None." as in every empty section.
    let _ = writeln!(out, "{}{}", if any { "" } else { "\n" }, t.summary());
    if !any {
        return;
    }
    out.push('\n');
    out.push_str("| kind | dimension | key | now | baseline mean | runs | p-value | threshold |\n|---|---|---|---|---|---|---|---|\n");
    let sci = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.2e}"));
    for s in &t.signals {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} | {} | {} | {} |",
            s.kind,
            s.dimension,
            s.key,
            s.current,
            s.baseline_mean,
            s.baseline_runs,
            sci(s.p_value),
            sci(s.threshold)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn hostile_titles_cannot_inject_markup() {
        let t = escape("<img src=x onerror=alert(1)> [click](javascript:x) | col");
        assert!(!t.contains('<'));
        assert!(t.contains(r"\[click\]\(javascript:x\)"));
        assert!(t.contains(r"\| col"));
    }
}
