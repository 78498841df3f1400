//! The signals crate over the state store: which listings networks and risk classes judge,
//! and which run counts trends compare. `pharmwatch signals`, run reports and the web page all
//! read through here, so they cannot disagree.
//!
//! * [`Current`]: every stored listing not gone, for [`find_networks`] and [`assess_risk`].
//! * [`trends`]: per-run counts written at the end of each finished run, and the trend
//!   signals of a run against earlier runs of the same scope.

pub mod trends;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use pharmwatch_model::{Listing, Verdict};
use pharmwatch_signals::{
    NetworkConfig, NetworkReport, Shop, ShopRisk, assess_risk, find_networks,
};
use pharmwatch_store::{AllListings, StateStore};

/// Every stored listing that is not gone, with its current verdict: what a shop offers now.
///
/// Held in memory because the networks and risk passes need all of a shop's listings at
/// once; the text neither pass reads (descriptions, images, rule evidence) is dropped on
/// load, which keeps a listing to a few hundred bytes.
pub struct Current {
    items: Vec<(Listing, Verdict)>,
}

impl Current {
    /// Reads the listings from the store, one page at a time.
    pub fn load(store: &dyn StateStore) -> Result<Self> {
        let mut items = Vec::new();
        for stored in AllListings::new(store) {
            let stored = stored.context("cannot read the stored listings")?;
            if stored.gone_since.is_some() {
                continue;
            }
            items.push(slim(stored.listing, stored.verdict));
        }
        Ok(Current { items })
    }

    /// Listings with their verdicts.
    pub fn pairs(&self) -> impl Iterator<Item = (&Listing, &Verdict)> {
        self.items.iter().map(|(l, v)| (l, v))
    }

    /// Shops linked by shared identifiers (default limits, see the signals crate).
    pub fn networks(&self) -> NetworkReport {
        find_networks(self.pairs(), &NetworkConfig::default())
    }

    /// The risk class of every shop, worst first.
    pub fn risk(&self) -> Vec<ShopRisk> {
        assess_risk(self.pairs())
    }

    /// Shops whose listings are on `domain`: the shop whose site is exactly `domain`
    /// (`127.0.0.1:8080`), else every shop on that host (`127.0.0.1` names all its ports,
    /// `market.example` all its sellers).
    pub fn shops_on(&self, domain: &str) -> BTreeSet<Shop> {
        let domain = domain.trim().to_lowercase();
        let shops: BTreeSet<Shop> = self.pairs().map(|(l, _)| Shop::of(l)).collect();
        let exact: BTreeSet<Shop> = shops
            .iter()
            .filter(|s| s.domain() == domain)
            .cloned()
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        shops
            .into_iter()
            .filter(|s| host_of(s.domain()) == domain)
            .collect()
    }

    /// How to name every shop for a reader (see [`ShopLabels`]).
    pub fn labels(&self) -> ShopLabels {
        let mut sites: BTreeMap<Shop, BTreeSet<String>> = BTreeMap::new();
        for (listing, _) in self.pairs() {
            sites
                .entry(Shop::of(listing))
                .or_default()
                .insert(listing.site.clone());
        }
        ShopLabels(sites)
    }

    /// The configured site names of the listings of `shops`.
    pub fn sites_of(&self, shops: &BTreeSet<Shop>) -> BTreeSet<String> {
        self.pairs()
            .filter(|(l, _)| shops.contains(&Shop::of(l)))
            .map(|(l, _)| l.site.clone())
            .collect()
    }
}

/// Shop names for tables and pages: the shop, with its configured site name(s) when they
/// say more than the domain (`127.0.0.1:8080 (pillharbor)`).
pub struct ShopLabels(BTreeMap<Shop, BTreeSet<String>>);

impl ShopLabels {
    pub fn of(&self, shop: &Shop) -> String {
        let sites: Vec<&str> = self
            .0
            .get(shop)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|s| *s != shop.domain())
            .collect();
        if sites.is_empty() {
            shop.to_string()
        } else {
            format!("{shop} ({})", sites.join(", "))
        }
    }
}

/// `host` of `host[:port]` (an IPv6 literal keeps its brackets).
pub fn host_of(site: &str) -> &str {
    match site.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !host.is_empty() => host,
        _ => site,
    }
}

/// Drops the text no analysis reads.
fn slim(mut listing: Listing, mut verdict: Verdict) -> (Listing, Verdict) {
    listing.description = String::new();
    listing.images = Vec::new();
    listing.methods.clear();
    listing.shipping_claims = Vec::new();
    for hit in &mut verdict.hits {
        hit.evidence = Vec::new();
    }
    (listing, verdict)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn host_of_strips_a_port_only() {
        assert_eq!(host_of("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("shop.example"), "shop.example");
        assert_eq!(host_of("[::1]:80"), "[::1]");
        assert_eq!(host_of("[::1]"), "[::1]");
    }
}
