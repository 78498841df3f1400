//! The signals crate over the state store: which listings networks and risk classes judge,
//! and which run counts trends compare. `pharmwatch signals`, run reports and the web page all
//! read through here, so they cannot disagree.
//!
//! * [`Current`]: the networks ([`pharmwatch_signals::find_networks`]) and risk classes
//!   ([`pharmwatch_signals::assess_risk`]) of every stored listing not gone.
//! * [`trends`]: per-run counts written at the end of each finished run, and the trend
//!   signals of a run against earlier runs of the same scope.

pub mod trends;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use pharmwatch_signals::draw::NetworkGraph;
use pharmwatch_signals::{
    Cluster, NetworkBuilder, NetworkConfig, NetworkReport, RiskBuilder, RiskClass, Shop, ShopRisk,
};
use pharmwatch_store::{AllListings, StateStore};

/// The networks and risk classes of every stored listing that is not gone (what shops
/// offer now), and how to name each shop.
///
/// Built in one pass over the store, a page of listings at a time: each listing is handed
/// to the networks and risk builders and dropped, so memory grows with the number of shops
/// and identifiers (and a few example listings each), not with the listings' text. At a
/// million listings that is the difference between holding every listing (a kilobyte or
/// more each even without descriptions: gigabytes) and holding per-shop summaries.
#[derive(Clone)]
pub struct Current {
    /// Shops linked by shared identifiers (default limits, see the signals crate).
    pub networks: NetworkReport,
    /// The risk class of every shop, worst first.
    pub risk: Vec<ShopRisk>,
    /// How to name every shop for a reader.
    pub labels: ShopLabels,
}

impl Current {
    /// Reads the listings from the store, one page at a time.
    pub fn load(store: &dyn StateStore) -> Result<Self> {
        let mut networks = NetworkBuilder::default();
        let mut risk = RiskBuilder::default();
        let mut sites: BTreeMap<Shop, BTreeSet<String>> = BTreeMap::new();
        for stored in AllListings::new(store) {
            let stored = stored.context("cannot read the stored listings")?;
            if stored.gone_since.is_some() {
                continue;
            }
            let (listing, verdict) = (stored.listing, stored.verdict);
            networks.add(&listing, &verdict);
            risk.add(&listing, &verdict);
            sites
                .entry(Shop::of(&listing))
                .or_default()
                .insert(listing.site);
        }
        Ok(Current {
            networks: networks.finish(&NetworkConfig::default()),
            risk: risk.finish(),
            labels: ShopLabels(sites),
        })
    }

    /// The graphs of `clusters` (at most `max_shops` shops drawn each), their shops named
    /// and classed as everywhere else: the one place the pictures and graph files get them.
    pub fn network_graphs<'a>(
        &self,
        clusters: impl IntoIterator<Item = &'a Cluster>,
        max_shops: usize,
    ) -> Vec<NetworkGraph> {
        let classes: BTreeMap<&Shop, RiskClass> =
            self.risk.iter().map(|r| (&r.shop, r.class)).collect();
        clusters
            .into_iter()
            .map(|c| {
                NetworkGraph::of(
                    c,
                    max_shops,
                    |s| self.labels.of(s),
                    |s| classes.get(s).copied(),
                )
            })
            .collect()
    }

    /// Shops whose listings are on `domain`, a shop host as [`pharmwatch_model::shop_host`]
    /// writes it (`127.0.0.1:8080`: a port is part of the shop; `market.example` names all
    /// its sellers).
    pub fn shops_on(&self, domain: &str) -> BTreeSet<Shop> {
        let domain = domain.trim().to_lowercase();
        self.labels
            .0
            .keys()
            .filter(|s| s.domain() == domain)
            .cloned()
            .collect()
    }
}

/// Shop names for tables and pages: the shop, with its configured site name(s) when they
/// say more than the domain (`127.0.0.1:8080 (pillharbor)`).
#[derive(Default, Clone)]
pub struct ShopLabels(BTreeMap<Shop, BTreeSet<String>>);

impl ShopLabels {
    /// `shop`, followed by its site names in brackets when they differ from its domain.
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
