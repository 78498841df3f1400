//! What a page shows about whoever runs the shop, beyond its listings.
//!
//! Affiliate networks of illegal online pharmacies share phone numbers, wallets, analytics
//! accounts, payment pages and templates across many domains. Extraction records these marks
//! per page; the signals stage links shops that share them, and judges each site's risk class
//! from the site-level facts (an address, a licence claim).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Marks of the page a listing was found on (the same for every listing on that page).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PageMarks {
    /// Identifiers that tie the page to an operator (beyond the seller's contacts, which are
    /// in [`crate::Listing::contacts`]). Sorted and without duplicates.
    #[serde(default)]
    pub identifiers: Vec<SiteIdentifier>,
    /// The page shows a postal address (schema.org `PostalAddress`, an address block).
    #[serde(default)]
    pub postal_address: bool,
    /// The page claims a pharmacy licence or registration (a licence number, a regulator's
    /// register or seal, 药品经营许可证, …). A claim, not a verified licence.
    #[serde(default)]
    pub licence_claim: bool,
}

/// One identifier found on a page, e.g. `analytics_id` = `UA-1234567-1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SiteIdentifier {
    /// What kind of identifier it is.
    pub kind: IdentifierKind,
    /// Normalised value: upper-case analytics ids, lower-case hosts, hex fingerprints.
    pub value: String,
}

/// What kind of thing a [`SiteIdentifier`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// Web analytics or tag-manager account: `UA-…`, `G-…`, `GTM-…`, Yandex Metrika, Baidu 统计.
    AnalyticsId,
    /// Affiliate or referral id in links (`?aff=…`, `ref=…`, `partner=…`).
    AffiliateId,
    /// Host of an off-site payment or checkout page the shop links to.
    PaymentHost,
    /// Hash of the page's tag/class skeleton: the same template, whatever the text.
    Template,
}

impl IdentifierKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [IdentifierKind; 4] = [
        IdentifierKind::AnalyticsId,
        IdentifierKind::AffiliateId,
        IdentifierKind::PaymentHost,
        IdentifierKind::Template,
    ];

    /// The kind's name in JSON and reports (`analytics_id`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::AnalyticsId => "analytics_id",
            IdentifierKind::AffiliateId => "affiliate_id",
            IdentifierKind::PaymentHost => "payment_host",
            IdentifierKind::Template => "template",
        }
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IdentifierKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdentifierKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown identifier kind `{s}`: expected analytics_id, affiliate_id, payment_host or template"
                )
            })
    }
}

/// Product facts that incident reports to regulators ask for, when the page states them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProductClaims {
    /// Manufacturer or marketing-authorisation holder the page claims.
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// Batch or lot number as printed.
    #[serde(default)]
    pub batch: Option<String>,
    /// Expiry date as printed (not parsed: pages print it in many forms).
    #[serde(default)]
    pub expiry: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_kinds_round_trip_through_their_names() {
        for kind in IdentifierKind::ALL {
            assert_eq!(kind.as_str().parse::<IdentifierKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert!("wallet".parse::<IdentifierKind>().is_err());
    }
}
