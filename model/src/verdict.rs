use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Field, ListingId};

/// How serious a rule's finding is. Ordered: `Info < Low < … < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; does not flag a listing.
    Info,
    /// A weak red flag.
    Low,
    /// A red flag.
    Medium,
    /// A strong red flag.
    High,
    /// Enforcement priority.
    Critical,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}`: expected one of info, low, medium, high, critical")]
/// A severity name that is not one of the known ones.
pub struct UnknownSeverity(pub String);

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The severity's name in rule files and JSON (`high`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight of one hit of this severity in a listing's score.
    pub fn weight(self) -> f64 {
        match self {
            Severity::Info => 1.0,
            Severity::Low => 5.0,
            Severity::Medium => 15.0,
            Severity::High => 40.0,
            Severity::Critical => 80.0,
        }
    }

    /// 0 for info … 4 for critical (for numeric range filters and sorting).
    pub fn rank(self) -> u8 {
        self as u8
    }
}

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == lower)
            .ok_or_else(|| UnknownSeverity(s.to_string()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a listing a condition held: a byte span of the *original* field text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The field the span is in.
    pub field: Field,
    /// Byte offsets into `Listing::text(field)`, on char boundaries; `start <= end`.
    pub start: usize,
    /// End of the span (exclusive).
    pub end: usize,
    /// The original text of the span, as the page printed it.
    pub text: String,
    /// What the span matched, in the rule author's terms ("drug oxycodone (controlled)",
    /// "text /no\s+rx/").
    pub matched: String,
}

/// One rule that fired on a listing, with every piece of evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleHit {
    /// The rule's id in its pack.
    pub rule_id: String,
    /// The rule's title, for people.
    pub title: String,
    /// How serious the rule says it is.
    pub severity: Severity,
    /// The rule's category (`controlled`, `prescription`, `payment`, …).
    pub category: String,
    /// Every span of the listing that made the rule fire.
    pub evidence: Vec<Evidence>,
}

/// A drug from the lexicon found in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrugMatch {
    /// Canonical id in the lexicon (the INN in lower case, e.g. `oxycodone`).
    pub drug: String,
    /// `rx`, `otc` or `controlled`.
    pub class: String,
    /// The drug's category in the lexicon (`opioid`, `pde5`, …).
    pub category: String,
    /// The field it was found in.
    pub field: Field,
    /// Start of the match (byte offset into the original field text).
    pub start: usize,
    /// End of the match (exclusive).
    pub end: usize,
    /// The original text that matched (e.g. `0xyc0d0ne`).
    pub text: String,
}

/// What the rules engine concluded about one listing, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The listing judged.
    pub listing_id: ListingId,
    /// True when any rule of severity `low` or above fired.
    pub flagged: bool,
    /// Highest severity among the hits; `None` when nothing fired.
    pub severity: Option<Severity>,
    /// Combined score of the hits (see the rules crate for the formula).
    pub score: f64,
    /// The rules that fired, each with its evidence.
    pub hits: Vec<RuleHit>,
    /// The drugs found in the listing.
    pub drugs: Vec<DrugMatch>,
}

impl Verdict {
    /// A verdict with no hits.
    pub fn clean(listing_id: ListingId) -> Self {
        Verdict {
            listing_id,
            flagged: false,
            severity: None,
            score: 0.0,
            hits: Vec::new(),
            drugs: Vec::new(),
        }
    }

    /// The ids of the rules that fired.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.hits.iter().map(|h| h.rule_id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ordered_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Info < Severity::Low);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().is_err());
        assert_eq!(Severity::Critical.rank(), 4);
    }
}
