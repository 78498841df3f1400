//! The Markdown rendering of a run report. Scraped text is escaped so a hostile title can't
//! inject links, images or HTML into a viewer that renders the report.

use std::fmt::Write as _;

use pharmwatch_model::Money;

use super::{ReportListing, RunReport};
use crate::analysis::trends::TrendReport;

/// Escapes Markdown and HTML specials, and flattens whitespace, in scraped text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::output::sanitize(text).chars() {
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

fn section(out: &mut String, title: &str, rows: &[ReportListing]) {
    let _ = writeln!(out, "\n## {title} ({})\n", rows.len());
    if rows.is_empty() {
        out.push_str("None.\n");
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
    let _ = writeln!(out, "# pharmwatch run {} ({})\n", r.run, r.status);
    let _ = writeln!(
        out,
        "Started {}, finished {}.\n",
        rfc3339(r.started_at),
        r.finished_at.map_or_else(|| "–".into(), rfc3339)
    );
    for key in [
        "pages",
        "page_errors",
        "listings",
        "flagged",
        "new",
        "changed",
        "gone",
    ] {
        if let Some(v) = r.counts.get(key) {
            let _ = writeln!(out, "- {key}: {v}");
        }
    }
    if let Some(sites) = r.counts.get("sites").and_then(|s| s.as_object()) {
        out.push_str("\n## Sites\n\n| site | fetched | listings | robots-disallowed | errors |\n|---|---|---|---|---|\n");
        for (name, s) in sites {
            let errors: u64 = s["errors_by_kind"]
                .as_object()
                .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {errors} |",
                escape(name),
                s["fetched"],
                s["listings"],
                s["robots_disallowed"]
            );
        }
    }
    section(&mut out, "New flagged listings", &r.new_flagged);
    let _ = writeln!(out, "\n## Price changes ({})\n", r.price_changes.len());
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
    let _ = writeln!(out, "\n## Verdict changes ({})\n", r.verdict_changes.len());
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
    section(&mut out, "Listings gone", &r.gone);
    section(&mut out, "Listings back", &r.returned);
    let _ = writeln!(out, "\n## New domains ({})\n", r.new_domains.len());
    for d in &r.new_domains {
        let _ = writeln!(out, "- {}", escape(d));
    }
    out.push_str("\n## Top rules\n\n");
    for (rule, n) in &r.top_rules {
        let _ = writeln!(out, "- {rule}: {n}");
    }
    trend_section(&mut out, &r.signals);
    out
}

/// Rises and new series. Keys are lexicon and rule ids (configuration, not scraped text),
/// printed as they are, like the top rules.
fn trend_section(out: &mut String, t: &TrendReport) {
    let _ = writeln!(out, "\n## Trend signals ({})\n", t.signals.len());
    let _ = writeln!(out, "{}\n", t.summary());
    if t.signals.is_empty() {
        out.push_str("None.\n");
        return;
    }
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
