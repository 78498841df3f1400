//! Who is behind a listing: the unit that networks link and risk classes judge.

use std::fmt;

use pharmwatch_model::{Listing, ListingId, Severity, SiteKind, Verdict};
use serde::{Deserialize, Serialize};

/// A shop: the operator a listing is attributed to.
///
/// On a site of its own (`SiteKind::Pharmacy`) the shop is the domain — the host of the
/// listing's URL, with the port when the URL names a non-default one (two servers on one
/// host are two sites; the sample marketplace serves every shop from 127.0.0.1 this way).
/// On shared platforms
/// (marketplaces, classifieds, forums, darknet markets) one domain hosts many unrelated
/// sellers, so the shop is the seller on that domain; a listing there without a seller name
/// stands alone (`Ad`), because lumping anonymous ads together would make the platform itself
/// look like one operator.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shop {
    /// A shop on its own domain: every listing of the domain.
    Domain {
        /// The domain (a host, or `host:port` on a non-default port).
        domain: String,
    },
    /// A named seller on a shared platform. `seller` is trimmed and lower-cased (platforms
    /// treat handles case-insensitively).
    Seller {
        /// The platform's domain.
        domain: String,
        /// The seller's name or handle.
        seller: String,
    },
    /// A listing on a shared platform with no seller name.
    Ad {
        /// The platform's domain.
        domain: String,
        /// The listing.
        listing: ListingId,
    },
}

impl Shop {
    /// The shop a listing belongs to (see the type's docs for the rule).
    pub fn of(listing: &Listing) -> Shop {
        let domain = site_of(listing);
        if !is_shared_platform(listing.site_kind) {
            return Shop::Domain { domain };
        }
        match listing.seller.as_deref().map(str::trim) {
            Some(seller) if !seller.is_empty() => Shop::Seller {
                domain,
                seller: seller.to_lowercase(),
            },
            _ => Shop::Ad {
                domain,
                listing: listing.id.clone(),
            },
        }
    }

    /// The domain the shop's listings are on.
    pub fn domain(&self) -> &str {
        match self {
            Shop::Domain { domain } | Shop::Seller { domain, .. } | Shop::Ad { domain, .. } => {
                domain
            }
        }
    }
}

/// The listing's shop host ([`pharmwatch_model::shop_host`]); its `domain` when the URL has
/// no authority.
fn site_of(listing: &Listing) -> String {
    pharmwatch_model::shop_host(&listing.url)
        .unwrap_or_else(|| listing.domain.trim().to_lowercase())
}

/// Sites where one domain hosts many independent sellers.
pub fn is_shared_platform(kind: SiteKind) -> bool {
    !matches!(kind, SiteKind::Pharmacy)
}

impl fmt::Display for Shop {
    /// `pills.example`, `seller pillking on market.example`, `ad 3f2a… on market.example`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shop::Domain { domain } => f.write_str(domain),
            Shop::Seller { domain, seller } => write!(f, "seller {seller} on {domain}"),
            Shop::Ad { domain, listing } => write!(f, "ad {listing} on {domain}"),
        }
    }
}

/// A listing named in a finding: enough to open it (`pharmwatch` shows listings by id) or
/// visit the page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ListingRef {
    /// The stored listing's id.
    pub id: ListingId,
    /// Canonical URL of its page (scraped: escape it when shown).
    pub url: String,
}

impl ListingRef {
    /// The reference to `listing`.
    pub fn of(listing: &Listing) -> Self {
        ListingRef {
            id: listing.id.clone(),
            url: listing.url.clone(),
        }
    }
}

/// How much trouble a set of listings is in, by what the rules said about them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Exposure {
    /// Listings counted.
    pub listings: usize,
    /// Listings whose verdict is flagged (a rule of severity `low` or above fired).
    pub flagged: usize,
    /// Highest severity of any verdict; `None` when nothing fired.
    pub max_severity: Option<Severity>,
    /// Sum of the verdict scores.
    pub score: f64,
}

impl Exposure {
    /// Counts one listing's verdict.
    pub fn add(&mut self, verdict: &Verdict) {
        self.listings += 1;
        self.flagged += usize::from(verdict.flagged);
        self.max_severity = self.max_severity.max(verdict.severity);
        self.score = add_scores(self.score, verdict.score);
    }

    /// Adds another set of listings.
    pub fn merge(&mut self, other: &Exposure) {
        self.listings += other.listings;
        self.flagged += other.flagged;
        self.max_severity = self.max_severity.max(other.max_severity);
        self.score = add_scores(self.score, other.score);
    }

    /// Orders by how worrying: highest severity, then flagged listings, then score.
    pub fn cmp_risk(&self, other: &Exposure) -> std::cmp::Ordering {
        self.max_severity
            .cmp(&other.max_severity)
            .then(self.flagged.cmp(&other.flagged))
            .then(self.score.total_cmp(&other.score))
    }
}

/// `a + b` rounded to hundredths. Verdict scores are hundredths, and float addition is not
/// associative (`0.1 + 0.2 + 0.3` depends on the order): unrounded, the sums — and with them
/// the order of equally risky clusters and shops — would depend on the order the store
/// returns listings in.
fn add_scores(a: f64, b: f64) -> f64 {
    ((a + b) * 100.0).round() / 100.0
}

/// At most this many example listings are kept per finding.
pub const MAX_EXAMPLES: usize = 5;

/// The first [`MAX_EXAMPLES`] listings of a finding by id, whatever order they arrive in
/// (so reports are the same from run to run), and how many there were.
#[derive(Debug, Clone, Default)]
pub(crate) struct Examples {
    count: usize,
    first: std::collections::BTreeSet<ListingRef>,
}

impl Examples {
    pub(crate) fn add(&mut self, listing: &Listing) {
        self.count += 1;
        // A big shop's listings are nearly all past its first few: compare before cloning
        // the id and URL, instead of cloning them only to pop them again.
        let full = self.first.len() >= MAX_EXAMPLES;
        if full
            && self
                .first
                .last()
                .is_some_and(|last| (&listing.id, &listing.url) >= (&last.id, &last.url))
        {
            return;
        }
        self.first.insert(ListingRef::of(listing));
        if self.first.len() > MAX_EXAMPLES {
            self.first.pop_last();
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.count
    }

    pub(crate) fn into_vec(self) -> Vec<ListingRef> {
        self.first.into_iter().collect()
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Listing and verdict builders shared by the module tests.

    use pharmwatch_model::{
        Contact, ContactKind, DrugMatch, Field, IdentifierKind, Listing, RuleHit, Severity,
        SiteIdentifier, SiteKind, Verdict,
    };

    pub fn listing(url: &str, kind: SiteKind, seller: Option<&str>) -> Listing {
        let domain = url
            .split("//")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string();
        let mut l = Listing::new(
            url,
            0,
            domain.clone(),
            kind,
            domain,
            "Listing",
            time::macros::datetime!(2026-11-23 12:00 UTC),
        );
        l.seller = seller.map(str::to_string);
        l
    }

    pub fn pharmacy(url: &str) -> Listing {
        listing(url, SiteKind::Pharmacy, None)
    }

    pub fn contact(l: &mut Listing, kind: ContactKind, value: &str) {
        l.contacts.push(Contact {
            kind,
            value: value.into(),
        });
    }

    pub fn mark(l: &mut Listing, kind: IdentifierKind, value: &str) {
        l.page.identifiers.push(SiteIdentifier {
            kind,
            value: value.into(),
        });
    }

    /// A verdict with the given `(rule id, category, severity)` hits and drugs `(id, class,
    /// category)`.
    pub fn verdict(
        l: &Listing,
        hits: &[(&str, &str, Severity)],
        drugs: &[(&str, &str, &str)],
    ) -> Verdict {
        let mut v = Verdict::clean(l.id.clone());
        for (rule, category, severity) in hits {
            v.hits.push(RuleHit {
                rule_id: rule.to_string(),
                title: format!("{rule} title"),
                severity: *severity,
                category: category.to_string(),
                evidence: Vec::new(),
            });
        }
        for (drug, class, category) in drugs {
            v.drugs.push(DrugMatch {
                drug: drug.to_string(),
                class: class.to_string(),
                category: category.to_string(),
                field: Field::Title,
                start: 0,
                end: 0,
                text: drug.to_string(),
            });
        }
        v.severity = v.hits.iter().map(|h| h.severity).max();
        v.flagged = v.severity.is_some_and(|s| s >= Severity::Low);
        v.score = v.hits.iter().map(|h| h.severity.weight()).sum();
        v
    }

    pub fn clean(l: &Listing) -> Verdict {
        Verdict::clean(l.id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn a_pharmacy_is_its_domain_and_a_platform_seller_is_domain_plus_seller() {
        let l = pharmacy("http://Pills.example/p/1");
        assert_eq!(
            Shop::of(&l),
            Shop::Domain {
                domain: "pills.example".into()
            }
        );
        let a = listing(
            "http://ads.example/a/1",
            SiteKind::Classifieds,
            Some(" PillKing "),
        );
        let b = listing(
            "http://ads.example/a/2",
            SiteKind::Classifieds,
            Some("pillking"),
        );
        assert_eq!(Shop::of(&a), Shop::of(&b));
        assert_eq!(Shop::of(&a).to_string(), "seller pillking on ads.example");
        let anon1 = listing("http://ads.example/a/3", SiteKind::Classifieds, None);
        let anon2 = listing("http://ads.example/a/4", SiteKind::Forum, Some("  "));
        assert_ne!(Shop::of(&anon1), Shop::of(&anon2));
        assert!(matches!(Shop::of(&anon1), Shop::Ad { .. }));
        assert_eq!(Shop::of(&anon2).domain(), "ads.example");
    }

    #[test]
    fn exposure_scores_do_not_depend_on_the_order_of_listings() {
        let l = pharmacy("http://shop.example/p/1");
        let verdicts: Vec<Verdict> = [0.1, 0.2, 0.3]
            .into_iter()
            .map(|score| Verdict { score, ..clean(&l) })
            .collect();
        let total = |order: [usize; 3]| {
            let mut e = Exposure::default();
            order.into_iter().for_each(|i| e.add(&verdicts[i]));
            e.score
        };
        assert_eq!(total([0, 1, 2]), total([2, 1, 0]));
        assert_eq!(total([0, 1, 2]), 0.6);
        let (mut a, mut b) = (Exposure::default(), Exposure::default());
        a.add(&verdicts[0]);
        b.add(&verdicts[1]);
        b.add(&verdicts[2]);
        a.merge(&b);
        assert_eq!(a.score, 0.6);
    }

    #[test]
    fn examples_keep_the_first_ids_in_any_order_and_count_all() {
        let listings: Vec<Listing> = (0..20)
            .map(|i| pharmacy(&format!("http://shop.example/p/{i}")))
            .collect();
        let mut want: Vec<ListingRef> = listings.iter().map(ListingRef::of).collect();
        want.sort();
        want.truncate(MAX_EXAMPLES);
        for order in [false, true] {
            let mut examples = Examples::default();
            let mut input: Vec<&Listing> = listings.iter().collect();
            if order {
                input.reverse();
            }
            input.into_iter().for_each(|l| examples.add(l));
            assert_eq!(examples.count(), 20);
            assert_eq!(examples.into_vec(), want);
        }
    }

    #[test]
    fn a_non_default_port_makes_another_site() {
        let site = |url: &str| Shop::of(&pharmacy(url)).domain().to_string();
        assert_eq!(site("http://127.0.0.1:35107/p/1"), "127.0.0.1:35107");
        assert_ne!(
            site("http://127.0.0.1:35107/p/1"),
            site("http://127.0.0.1:34327/p/1")
        );
        assert_eq!(site("http://shop.example:80/p"), "shop.example");
        assert_eq!(site("https://user@Shop.Example:443?q"), "shop.example");
        assert_eq!(site("https://shop.example:8443/"), "shop.example:8443");
        let mut odd = pharmacy("http://x.example/");
        odd.url = "not a url".into();
        odd.domain = "X.example".into();
        assert_eq!(Shop::of(&odd).domain(), "x.example");
    }
}
