//! What a rescan changed: the current rules applied again to every stored listing, tallied by
//! rule. Pure: `rescan` feeds it each listing's verdict before and after, and the tally goes
//! into the run's counts, so the report can be rebuilt from the store alone.
//!
//! Rules are counted on flagged listings only, as everywhere a report or a search counts
//! rules (`search '*' --facets` lists flagged listings unless `--all`): an `info` rule is
//! counted where it fired beside a flagging rule, not on listings nothing flagged.

use std::collections::BTreeMap;

use pharmwatch_model::Verdict;
use pharmwatch_store::VerdictSummary;
use serde::{Deserialize, Serialize};

/// One rule across a rescan, over the live listings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleShift {
    /// Flagged listings the rule fired on before the rescan.
    pub before: u64,
    /// Flagged listings the rule fires on now.
    pub after: u64,
    /// Listings it fires on now and did not before.
    pub gained: u64,
    /// Listings it fired on before and does not now.
    pub lost: u64,
}

/// A rescan's tally. `before`/`after`/`gained`/`lost` cover the live listings (the ones a
/// crawl's report counts); gone listings are re-evaluated too (search `--all` shows them)
/// and counted apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescanTally {
    /// Live listings re-evaluated.
    pub listings: u64,
    /// Gone listings re-evaluated.
    pub gone_listings: u64,
    /// Listings (live or gone) whose verdict changed: rules or severity.
    pub changed: u64,
    /// Live listings flagged before the rescan.
    pub flagged_before: u64,
    /// Live listings flagged now.
    pub flagged_after: u64,
    /// Every rule that fired on a flagged live listing before or after, by id.
    pub rules: BTreeMap<String, RuleShift>,
}

impl RescanTally {
    /// Counts one listing: its stored verdict and the one the current rules give.
    pub fn add(&mut self, before: &Verdict, after: &Verdict, live: bool) {
        let (old, new) = (VerdictSummary::of(before), VerdictSummary::of(after));
        self.changed += u64::from(old != new);
        if !live {
            self.gone_listings += 1;
            return;
        }
        self.listings += 1;
        self.flagged_before += u64::from(before.flagged);
        self.flagged_after += u64::from(after.flagged);
        let old_rules = counted(&old, before.flagged);
        let new_rules = counted(&new, after.flagged);
        for rule in &old_rules {
            let shift = self.rules.entry((*rule).to_string()).or_default();
            shift.before += 1;
            if !new_rules.contains(rule) {
                shift.lost += 1;
            }
        }
        for rule in &new_rules {
            let shift = self.rules.entry((*rule).to_string()).or_default();
            shift.after += 1;
            if !old_rules.contains(rule) {
                shift.gained += 1;
            }
        }
    }
}

/// The rule ids a report counts for a verdict: all of them on a flagged listing, none on
/// one nothing flagged.
fn counted(summary: &VerdictSummary, flagged: bool) -> Vec<&str> {
    if flagged {
        summary.rule_ids.iter().map(String::as_str).collect()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::{ListingId, RuleHit, Severity, Verdict};

    use super::*;

    /// A verdict with one hit per `(rule, severity)`, flagged as the engine would.
    fn verdict(hits: &[(&str, Severity)]) -> Verdict {
        let mut v = Verdict::clean(ListingId::derive("https://shop.example/1", 0));
        for (rule, severity) in hits {
            v.hits.push(RuleHit {
                rule_id: (*rule).to_string(),
                title: String::new(),
                severity: *severity,
                category: String::new(),
                evidence: Vec::new(),
            });
        }
        v.severity = hits.iter().map(|h| h.1).max();
        v.flagged = v.severity.is_some_and(|s| s >= Severity::Low);
        v
    }

    #[test]
    fn a_rule_removed_and_a_rule_added_are_lost_and_gained() {
        use Severity::*;
        let mut t = RescanTally::default();
        t.add(
            &verdict(&[("old", High), ("kept", Medium)]),
            &verdict(&[("kept", Medium), ("new", Low)]),
            true,
        );
        t.add(
            &verdict(&[("kept", Medium)]),
            &verdict(&[("kept", Medium)]),
            true,
        );
        assert_eq!(
            (t.listings, t.changed, t.flagged_before, t.flagged_after),
            (2, 1, 2, 2)
        );
        let shift = |r: &str| {
            let s = &t.rules[r];
            (s.before, s.after, s.gained, s.lost)
        };
        assert_eq!(shift("old"), (1, 0, 0, 1));
        assert_eq!(shift("new"), (0, 1, 1, 0));
        assert_eq!(shift("kept"), (2, 2, 0, 0));
    }

    #[test]
    fn info_hits_count_only_beside_a_flagging_rule() {
        use Severity::*;
        let mut t = RescanTally::default();
        // The flagging rule goes: the info rule beside it stops counting, as in facets.
        t.add(
            &verdict(&[("flags", Medium), ("note", Info)]),
            &verdict(&[("note", Info)]),
            true,
        );
        assert_eq!((t.flagged_before, t.flagged_after), (1, 0));
        assert_eq!(
            (
                t.rules["note"].before,
                t.rules["note"].after,
                t.rules["note"].lost
            ),
            (1, 0, 1)
        );
    }

    #[test]
    fn gone_listings_are_re_evaluated_but_counted_apart() {
        use Severity::*;
        let mut t = RescanTally::default();
        t.add(&verdict(&[("a", High)]), &verdict(&[]), false);
        assert_eq!((t.listings, t.gone_listings, t.changed), (0, 1, 1));
        assert!(t.rules.is_empty());
    }
}
