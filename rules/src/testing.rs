//! Embedded rule tests: each `[[rule.test]]` becomes a real [`Listing`], is evaluated with the
//! whole rule set's lexicon and rates, and must (or must not) make its rule fire.

use std::fmt;
use std::path::PathBuf;

use pharmwatch_model::{Contact, ContactKind, Currency, Listing, Money, Quantity};
use serde::Serialize;

use crate::RuleSet;
use crate::diagnostic::Diagnostic;
use crate::engine::ListingCtx;
use crate::explain::fmt_evidence;
use crate::load::contact_kind;
use crate::rule::{Rule, TestCase};

/// Outcome of one embedded test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// Rule the test belongs to.
    pub rule_id: String,
    /// 1-based number of the test within its rule.
    pub index: usize,
    /// Whether the rule did what the test expects.
    pub passed: bool,
    /// Why it failed.
    pub reason: Option<String>,
    /// Rule file.
    pub file: PathBuf,
    /// 1-based line of the `[[rule.test]]` header.
    pub line: usize,
}

/// Tests that must fire, and tests that must not, that every rule carries. One test each way
/// proves little: a rule that fires on everything passes one `expect = true`, and a rule
/// that never fires passes one `expect = false`; a second case each way pins the boundary.
/// `rules lint` and `rules test` both hold rules to it, so neither passes what the other fails.
pub const MIN_TESTS_EACH_WAY: usize = 2;

/// Outcomes of every embedded test of a rule set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TestReport {
    /// One entry per test, in rule order.
    pub results: Vec<TestResult>,
    /// Rules with fewer than [`MIN_TESTS_EACH_WAY`] tests that fire or that must not.
    pub too_few: Vec<Diagnostic>,
}

impl TestReport {
    /// Number of tests that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }

    /// Number of tests that failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// True when no test failed and every rule has enough tests.
    pub fn ok(&self) -> bool {
        self.failed() == 0 && self.too_few.is_empty()
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "running {} tests", self.results.len())?;
        for r in &self.results {
            let status = if r.passed { "ok" } else { "FAILED" };
            writeln!(f, "test {}#{} ... {status}", r.rule_id, r.index)?;
        }
        if !self.too_few.is_empty() {
            writeln!(f, "\nrules with too few tests:")?;
            for d in &self.too_few {
                writeln!(f, "    {d}")?;
            }
        }
        if self.failed() > 0 {
            writeln!(f, "\nfailures:")?;
            for r in self.results.iter().filter(|r| !r.passed) {
                writeln!(
                    f,
                    "    {}#{} ({}:{}): {}",
                    r.rule_id,
                    r.index,
                    r.file.display(),
                    r.line,
                    r.reason.as_deref().unwrap_or("")
                )?;
            }
        }
        write!(
            f,
            "\ntest result: {}. {} passed; {} failed",
            if self.ok() { "ok" } else { "FAILED" },
            self.passed(),
            self.failed()
        )?;
        match self.too_few.len() {
            0 => writeln!(f),
            1 => writeln!(f, "; 1 rule with too few tests"),
            n => writeln!(f, "; {n} rules with too few tests"),
        }
    }
}

pub(crate) fn run(set: &RuleSet) -> TestReport {
    let mut results = Vec::new();
    for rule in set.rules() {
        for (i, tc) in rule.tests.iter().enumerate() {
            results.push(run_one(set, rule, i + 1, tc));
        }
    }
    TestReport {
        results,
        too_few: too_few_tests(set),
    }
}

/// A problem for every rule with fewer than [`MIN_TESTS_EACH_WAY`] tests that fire or that
/// must not, at the rule's `[[rule]]` line.
pub(crate) fn too_few_tests(set: &RuleSet) -> Vec<Diagnostic> {
    set.rules()
        .iter()
        .filter_map(|r| {
            let fire = r.tests.iter().filter(|t| t.expect).count();
            let quiet = r.tests.len() - fire;
            if fire >= MIN_TESTS_EACH_WAY && quiet >= MIN_TESTS_EACH_WAY {
                return None;
            }
            Some(Diagnostic {
                file: r.file.clone(),
                line: r.line,
                column: 1,
                rule_id: Some(r.id.clone()),
                message: format!(
                    "rule has {fire} {} that {} and {quiet} that must not: every rule needs at least {MIN_TESTS_EACH_WAY} of each (`[[rule.test]]` with `expect = true`, and with `expect = false`)",
                    if fire == 1 { "test" } else { "tests" },
                    if fire == 1 { "fires" } else { "fire" },
                ),
            })
        })
        .collect()
}

fn run_one(set: &RuleSet, rule: &Rule, index: usize, tc: &TestCase) -> TestResult {
    let listing = test_listing(tc);
    let ctx = ListingCtx::new(set, &listing).with_details();
    let fired = ctx.holds(&rule.matcher);
    let severity = fired.then(|| {
        ctx.severity_context(rule)
            .map_or(rule.severity, |c| c.severity)
    });
    let reason = if fired == tc.expect {
        match (tc.severity, severity) {
            (Some(want), Some(got)) if want != got => Some(format!(
                "expected severity {want}; the hit has severity {got} ({})",
                ctx.severity_context(rule).map_or_else(
                    || "no severity_if context held".to_string(),
                    |c| format!("severity_if at line {}: {}", c.line, c.reason)
                )
            )),
            _ => None,
        }
    } else if tc.expect {
        let ex = ctx.explain_rule(rule);
        let mut blockers = Vec::new();
        ex.root.blockers(&mut blockers);
        Some(format!(
            "expected the rule to fire; it did not: {}",
            blockers.join("; ")
        ))
    } else {
        let hit = ctx.rule_hit(rule);
        Some(format!(
            "expected no hit; the rule fired {}",
            fmt_evidence(&hit.evidence)
        ))
    };
    TestResult {
        rule_id: rule.id.clone(),
        index,
        passed: reason.is_none(),
        reason,
        file: rule.file.clone(),
        line: tc.line,
    }
}

/// The listing a test case describes.
pub(crate) fn test_listing(tc: &TestCase) -> Listing {
    let url = tc
        .url
        .clone()
        .unwrap_or_else(|| "https://shop.example/product/1-test.html".into());
    let domain = host_of(&url);
    let mut l = Listing::new(
        url,
        0,
        "embedded-test",
        tc.site_kind.unwrap_or_default(),
        domain,
        tc.title.clone(),
        time::OffsetDateTime::UNIX_EPOCH,
    );
    l.description = tc.description.clone();
    l.seller = tc.seller.clone();
    l.language = tc.language.clone();
    if let Some(amount) = tc.price {
        let currency = tc
            .currency
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(Currency::USD);
        l.price = Some(Money::new(amount, currency));
    }
    if tc.per_unit {
        l.price_basis = pharmwatch_model::PriceBasis::Unit;
    }
    if let Some(units) = tc.quantity {
        l.quantity = Some(Quantity {
            units: Some(units),
            ..Default::default()
        });
    }
    l.contacts = tc.contacts.iter().map(|c| parse_contact(c)).collect();
    l.payment_methods = tc.payment.clone();
    l.shipping_claims = tc.shipping.clone();
    l.shop.shipping_claims = tc.shop_shipping.clone();
    l.reviews = tc.reviews.clone();
    l.page.postal_address = tc.postal_address;
    l.page.licence_claim = tc.licence_claim;
    l
}

/// `kind:value` (`telegram:@pillsdirect`); without a known kind, an e-mail or phone number is
/// recognised by its shape.
pub(crate) fn parse_contact(s: &str) -> Contact {
    if let Some((k, v)) = s.split_once(':')
        && let Some(kind) = contact_kind(k)
    {
        return Contact {
            kind,
            value: v.trim().trim_start_matches('@').to_string(),
        };
    }
    let v = s.trim();
    let kind = if v.contains('@') && v.contains('.') {
        ContactKind::Email
    } else if v.chars().filter(char::is_ascii_digit).count() >= 7 {
        ContactKind::Phone
    } else {
        ContactKind::Other
    };
    Contact {
        kind,
        value: v.to_string(),
    }
}

pub(crate) fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    host.split(':').next().unwrap_or("").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_and_hosts() {
        assert_eq!(parse_contact("telegram:@pills").kind, ContactKind::Telegram);
        assert_eq!(parse_contact("telegram:@pills").value, "pills");
        assert_eq!(parse_contact("a@b.example").kind, ContactKind::Email);
        assert_eq!(parse_contact("+44 20 7946 0000").kind, ContactKind::Phone);
        assert_eq!(host_of("http://User@Shop.Example:8080/x"), "shop.example");
    }
}
