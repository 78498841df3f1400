//! Why a listing was (or was not) flagged: every condition of every rule, held or not, and
//! where in the listing.

use std::fmt;

use pharmwatch_model::{Evidence, ListingId, Severity, Verdict};
use serde::Serialize;

/// Every rule's evaluation on one listing.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The listing explained.
    pub listing_id: ListingId,
    /// The verdict `evaluate` gives for the same listing.
    pub verdict: Verdict,
    /// One entry per rule, in rule-set order.
    pub rules: Vec<RuleExplanation>,
}

/// One rule's evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct RuleExplanation {
    /// Id of the rule.
    pub rule_id: String,
    /// Title of the rule.
    pub title: String,
    /// Severity a hit of the rule has on this listing: that of the first `severity_if`
    /// whose context holds, else `base_severity`.
    pub severity: Severity,
    /// The rule's own `severity`.
    pub base_severity: Severity,
    /// The reason of the `severity_if` that set `severity`, if any.
    pub severity_reason: Option<String>,
    /// Whether the rule fired.
    pub fired: bool,
    /// The match tree with the outcome of every node.
    pub root: NodeExplanation,
    /// Every `severity_if` context, in order, held or not.
    pub severity_if: Vec<SeverityExplanation>,
}

/// One `[[rule.severity_if]]` on one listing.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityExplanation {
    /// Severity it gives.
    pub severity: Severity,
    /// Why, in the analyst's words.
    pub reason: String,
    /// Its match tree with the outcome of every node.
    pub root: NodeExplanation,
}

/// One node of a rule's match tree: a combinator (`all`, `any`, `none`, `at least N of`) or
/// a condition, whether it held, and the evidence it found.
#[derive(Debug, Clone, Serialize)]
pub struct NodeExplanation {
    /// What the node asks, in the rule author's terms.
    pub label: String,
    /// Whether the node held.
    pub held: bool,
    /// Where in the listing the condition found what it looks for (also for conditions that
    /// found something but still did not hold, e.g. inside a `none`).
    pub evidence: Vec<Evidence>,
    /// Facts that are not spans (prices, contact kinds, site kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Nested nodes (for combinators).
    pub children: Vec<NodeExplanation>,
}

impl NodeExplanation {
    /// Labels of the innermost nodes that stopped this node from holding.
    pub(crate) fn blockers(&self, out: &mut Vec<String>) {
        if self.held {
            return;
        }
        if self.label.starts_with("none") {
            for c in self.children.iter().filter(|c| c.held) {
                out.push(format!(
                    "`none` excludes {} {}",
                    c.label,
                    fmt_evidence(&c.evidence)
                ));
            }
            return;
        }
        let failed: Vec<&NodeExplanation> = self.children.iter().filter(|c| !c.held).collect();
        if self.children.is_empty() || self.label.starts_with("any") {
            out.push(self.label.clone());
            return;
        }
        for c in failed {
            c.blockers(out);
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let mark = if self.held { "✔" } else { "✘" };
        write!(f, "{:indent$}{mark} {}", "", self.label, indent = depth * 2)?;
        if let Some(d) = &self.detail {
            write!(f, " — {d}")?;
        }
        writeln!(f)?;
        for e in &self.evidence {
            writeln!(
                f,
                "{:indent$}  at {}[{}..{}] {:?}: {}",
                "",
                e.field,
                e.start,
                e.end,
                e.text,
                e.matched,
                indent = depth * 2
            )?;
        }
        for c in &self.children {
            c.write(f, depth + 1)?;
        }
        Ok(())
    }
}

impl RuleExplanation {
    /// Why the severity is what it is: the context that set it, or that none held.
    fn write_severity(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity_if.is_empty() {
            return Ok(());
        }
        match &self.severity_reason {
            Some(reason) => writeln!(
                f,
                "  severity {} (rule's own: {}) because {reason}",
                self.severity, self.base_severity
            )?,
            None => writeln!(
                f,
                "  severity {}: the rule's own, no severity_if context held",
                self.base_severity
            )?,
        }
        // The first context that holds wins; the ones after it were not consulted.
        let mut decided = false;
        for c in &self.severity_if {
            let note = if decided {
                " (not consulted: an earlier one held)"
            } else {
                ""
            };
            writeln!(f, "  severity_if {} — {}{note}", c.severity, c.reason)?;
            c.root.write(f, 2)?;
            decided |= c.root.held;
        }
        Ok(())
    }
}

pub(crate) fn fmt_evidence(ev: &[Evidence]) -> String {
    let parts: Vec<String> = ev
        .iter()
        .take(3)
        .map(|e| format!("{}[{}..{}] {:?}", e.field, e.start, e.end, e.text))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("(found at {})", parts.join(", "))
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.verdict;
        writeln!(
            f,
            "listing {}: {} (severity {}, score {:.1})",
            self.listing_id,
            if v.flagged { "FLAGGED" } else { "not flagged" },
            v.severity.map_or("none", Severity::as_str),
            v.score
        )?;
        for d in &v.drugs {
            writeln!(
                f,
                "  drug {} ({}, {}) at {}[{}..{}] {:?}",
                d.drug, d.class, d.category, d.field, d.start, d.end, d.text
            )?;
        }
        for r in &self.rules {
            writeln!(
                f,
                "\nrule {} ({}): {} — {}",
                r.rule_id,
                r.severity,
                if r.fired { "FIRED" } else { "did not fire" },
                r.title
            )?;
            r.root.write(f, 1)?;
            r.write_severity(f)?;
        }
        Ok(())
    }
}
