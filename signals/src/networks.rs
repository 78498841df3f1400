//! Shops run by the same operator, found through the identifiers they share.
//!
//! Most rogue pharmacy sites belong to affiliate programmes: many domains share phone numbers,
//! e-mail addresses, messaging handles, wallets, analytics or affiliate ids, payment pages and
//! templates. [`find_networks`] links [`Shop`]s that share such an [`Identifier`] and returns
//! the connected groups ([`Cluster`]s) with the evidence for every link.
//!
//! # What counts as evidence
//!
//! * **Strong** identifiers — every seller contact (e-mail, phone, messaging handle, wallet,
//!   other contact) and the page's analytics and affiliate ids — name an account someone
//!   holds. Two shops holding the same one are linked.
//! * **Weak** identifiers — the host of an off-site payment page and the page template hash —
//!   are shared by unrelated shops as a matter of course: one card processor's hosted checkout
//!   serves thousands of shops, one shop theme powers thousands of sites. They never link
//!   shops, alone or together: two unrelated shops on the same stock theme that both take
//!   cards through the same processor share both, and in a crawl of a few dozen shops that
//!   processor is held by only a handful of them, so a "rare enough" bar does not tell them
//!   apart. A wrong link sends an investigation after the wrong operator; affiliate programmes
//!   nearly always also share a strong identifier (phone, wallet, analytics or affiliate id).
//!   Weak identifiers shared inside a cluster are listed among its links as corroboration,
//!   when at most [`NetworkConfig::max_shops_per_weak_identifier`] (default 4) shops hold
//!   them.
//! * **Platform chrome**: on a shared platform (marketplace, classifieds, forum, darknet
//!   market) the page's marks — analytics id, template, payment host, affiliate id — belong to
//!   the platform, not the seller, and are not attributed to sellers at all. A contact shown
//!   by more than half of one platform's shops, and by at least
//!   [`PLATFORM_CHROME_MIN_SHOPS`] of them, is the platform's own (its support phone in every
//!   ad's footer) and is ignored for that platform; a handful of seller accounts sharing a
//!   phone among hundreds of sellers still links them.
//! * **Too common**: an identifier held by more than
//!   [`NetworkConfig::max_shops_per_identifier`] (default 8) shops is not evidence of a common
//!   operator (a marketplace's own support address, a payment aggregator's phone line, a
//!   shared wallet of an exchange) and is ignored; [`NetworkReport::ignored`] lists what was
//!   ignored, so an investigator can still look at it.
//!
//! Linked shops are grouped with union-find: shop A sharing a phone with B and B sharing a
//! wallet with C puts A, B and C in one cluster.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use pharmwatch_model::{ContactKind, IdentifierKind, Listing, Verdict};
use serde::{Deserialize, Serialize};

use crate::shop::{Examples, Exposure, ListingRef, Shop};

/// Limits on what counts as evidence (see the module docs for why).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkConfig {
    /// An identifier held by more shops than this is ignored.
    pub max_shops_per_identifier: usize,
    /// A weak identifier (payment host, template) held by more shops than this is not shown
    /// as corroboration (weak identifiers never link shops).
    pub max_shops_per_weak_identifier: usize,
}

impl NetworkConfig {
    /// Most shops that may hold an identifier of this strength for it to count.
    fn limit(&self, strength: LinkStrength) -> usize {
        match strength {
            LinkStrength::Strong => self.max_shops_per_identifier,
            LinkStrength::Weak => self
                .max_shops_per_weak_identifier
                .min(self.max_shops_per_identifier),
        }
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            max_shops_per_identifier: 8,
            max_shops_per_weak_identifier: 4,
        }
    }
}

/// What an identifier is: a seller contact or a mark of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdKind {
    /// A seller contact of the listing.
    Contact(ContactKind),
    /// A mark of the page the listing is on.
    Page(IdentifierKind),
}

impl IdKind {
    /// `phone`, `telegram`, `bitcoin_wallet`, `analytics_id`, `template`, …
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Contact(kind) => kind.as_str(),
            IdKind::Page(kind) => kind.as_str(),
        }
    }

    /// Whether sharing it links two shops.
    pub fn strength(self) -> LinkStrength {
        match self {
            IdKind::Page(IdentifierKind::PaymentHost | IdentifierKind::Template) => {
                LinkStrength::Weak
            }
            _ => LinkStrength::Strong,
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much sharing an identifier says about a common operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStrength {
    /// Links two shops on its own.
    Strong,
    /// Never links shops; shown as corroboration of strong links (see the module docs).
    Weak,
}

/// One identifier, normalised so that spellings of the same account compare equal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Identifier {
    /// What kind of account or mark it is.
    pub kind: IdKind,
    /// The normalised value (scraped: escape it when shown).
    pub value: String,
}

impl Identifier {
    /// The identifiers of a listing: its contacts and its page's marks, normalised, without
    /// empty values or duplicates.
    pub fn of(listing: &Listing) -> BTreeSet<Identifier> {
        let contacts = listing.contacts.iter().map(|c| Identifier {
            kind: IdKind::Contact(c.kind),
            value: normalise_contact(c.kind, &c.value),
        });
        let marks = listing.page.identifiers.iter().map(|m| Identifier {
            kind: IdKind::Page(m.kind),
            value: m.value.trim().to_string(),
        });
        contacts
            .chain(marks)
            .filter(|id| !id.value.is_empty())
            .collect()
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.value)
    }
}

/// Extraction already normalises contacts; this evens out what it may leave (case of
/// handles and e-mail, separators in phone numbers, a leading `@`). Bitcoin and Tron
/// addresses are case-sensitive (base58) and kept, except bech32 (`bc1…`) which is not.
fn normalise_contact(kind: ContactKind, value: &str) -> String {
    let value = value.trim();
    match kind {
        ContactKind::Phone => value
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        ContactKind::BitcoinWallet if !value.to_ascii_lowercase().starts_with("bc1") => {
            value.to_string()
        }
        ContactKind::TronWallet => value.to_string(),
        _ => value.trim_start_matches('@').to_lowercase(),
    }
}

/// Shops found linked, and what was left out.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkReport {
    /// Groups of two or more linked shops: most shops first, then the riskiest.
    pub clusters: Vec<Cluster>,
    /// Identifiers shared by too many shops to count as evidence, most shared first.
    pub ignored: Vec<IgnoredIdentifier>,
    /// How many shops were looked at (linked or not).
    pub shops: usize,
    #[serde(skip)]
    cluster_of: HashMap<Shop, usize>,
}

impl NetworkReport {
    /// The cluster a shop belongs to; `None` when it is linked to no other shop (or unknown).
    pub fn network_of(&self, shop: &Shop) -> Option<&Cluster> {
        self.cluster_of.get(shop).map(|&i| &self.clusters[i])
    }

    /// The cluster of the shop a listing belongs to.
    pub fn network_of_listing(&self, listing: &Listing) -> Option<&Cluster> {
        self.network_of(&Shop::of(listing))
    }
}

/// Shops linked, directly or through each other, by shared identifiers.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// 1 for the first cluster of the report, 2 for the next, …
    pub rank: usize,
    /// The shops, riskiest first.
    pub shops: Vec<ShopNode>,
    /// Every identifier shared by two or more of the cluster's shops: strong ones first.
    pub links: Vec<Link>,
    /// The listings of all the cluster's shops together.
    pub exposure: Exposure,
}

impl Cluster {
    /// Number of shops.
    pub fn size(&self) -> usize {
        self.shops.len()
    }

    /// Whether `shop` is in the cluster.
    pub fn contains(&self, shop: &Shop) -> bool {
        self.shops.iter().any(|n| &n.shop == shop)
    }
}

/// One shop of a cluster with what the rules said about its listings.
#[derive(Debug, Clone, Serialize)]
pub struct ShopNode {
    /// The shop.
    pub shop: Shop,
    /// Its listings together.
    pub exposure: Exposure,
}

/// One identifier shared by shops of a cluster, with where each shop shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// The identifier shared.
    pub identifier: Identifier,
    /// Whether it links shops or only corroborates (`identifier.kind.strength()`).
    pub strength: LinkStrength,
    /// The cluster's shops holding it (two or more), in shop order.
    pub holders: Vec<Holder>,
    /// How many shops hold it in all (more than `holders` when weak and shared outside).
    pub shared_by: usize,
}

/// A shop showing an identifier, and on which listings.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    /// The shop showing the identifier.
    pub shop: Shop,
    /// How many of the shop's listings show it.
    pub listings: usize,
    /// Up to [`crate::MAX_EXAMPLES`] of them, by id.
    pub examples: Vec<ListingRef>,
}

/// An identifier that was not used as evidence, and why.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoredIdentifier {
    /// The identifier left out.
    pub identifier: Identifier,
    /// How many shops hold it (for `Platform`: how many of that platform's shops).
    pub shops: usize,
    /// Why it was left out.
    pub reason: IgnoreReason,
}

/// Why an identifier was not used as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IgnoreReason {
    /// Held by more shops than the configured limit.
    TooCommon,
    /// Shown by most shops of one shared platform: the platform's own contact.
    Platform {
        /// The platform's domain.
        domain: String,
    },
}

/// Fewest shops of one platform that must show a contact before it can be taken for the
/// platform's own (with fewer, "most of them" is two sellers, who may well be one operator).
pub const PLATFORM_CHROME_MIN_SHOPS: usize = 3;

/// Links shops that share identifiers and groups them (see the module docs).
///
/// `items` are the listings to consider with their current verdicts — typically every
/// stored listing not gone. Order does not matter: the report is the same for any order.
pub fn find_networks<'a>(
    items: impl IntoIterator<Item = (&'a Listing, &'a Verdict)>,
    config: &NetworkConfig,
) -> NetworkReport {
    let mut builder = NetworkBuilder::default();
    for (listing, verdict) in items {
        builder.add(listing, verdict);
    }
    builder.finish(config)
}

/// [`find_networks`] one listing at a time, for callers that stream listings from storage:
/// it keeps only shops, identifiers and a few example listings per identifier, never the
/// listings themselves.
#[derive(Default)]
pub struct NetworkBuilder {
    index: HashMap<Shop, usize>,
    graph: Graph,
}

impl NetworkBuilder {
    /// Counts one listing (with its current verdict) towards its shop and identifiers.
    pub fn add(&mut self, listing: &Listing, verdict: &Verdict) {
        let graph = &mut self.graph;
        let shop = Shop::of(listing);
        let i = match self.index.get(&shop) {
            Some(&i) => i,
            None => {
                graph.shops.push(shop.clone());
                graph.exposure.push(Exposure::default());
                self.index.insert(shop, graph.shops.len() - 1);
                graph.shops.len() - 1
            }
        };
        graph.exposure[i].add(verdict);
        let platform = !matches!(graph.shops[i], Shop::Domain { .. });
        for identifier in Identifier::of(listing) {
            if platform && matches!(identifier.kind, IdKind::Page(_)) {
                continue;
            }
            graph
                .holdings
                .entry(identifier)
                .or_default()
                .entry(i)
                .or_default()
                .add(listing);
        }
    }

    /// Links the shops and groups them (see the module docs).
    pub fn finish(self, config: &NetworkConfig) -> NetworkReport {
        // Shop indices follow input order; renumber by shop so reports do not depend on it.
        let mut graph = self.graph.sort_shops();
        let mut sets = UnionFind::new(graph.shops.len());
        let mut ignored = graph.drop_platform_chrome();
        for (identifier, holders) in &graph.holdings {
            let n = holders.len();
            if n > config.limit(identifier.kind.strength()) {
                ignored.push(IgnoredIdentifier {
                    identifier: identifier.clone(),
                    shops: n,
                    reason: IgnoreReason::TooCommon,
                });
            } else if identifier.kind.strength() == LinkStrength::Strong {
                let ids: Vec<usize> = holders.keys().copied().collect();
                ids.windows(2).for_each(|w| sets.union(w[0], w[1]));
            }
        }
        ignored.sort_by(|a, b| b.shops.cmp(&a.shops).then(a.identifier.cmp(&b.identifier)));
        graph.into_report(&mut sets, ignored, config)
    }
}

/// Shops, their exposure, and which shops hold each identifier.
#[derive(Default)]
struct Graph {
    shops: Vec<Shop>,
    exposure: Vec<Exposure>,
    /// Identifier → shop index → the shop's listings showing it.
    holdings: BTreeMap<Identifier, BTreeMap<usize, Examples>>,
}

impl Graph {
    /// Removes each platform's own contacts from its shops (see the module docs) and
    /// returns what was removed.
    fn drop_platform_chrome(&mut self) -> Vec<IgnoredIdentifier> {
        let mut platform_shops: HashMap<&str, usize> = HashMap::new();
        for shop in self
            .shops
            .iter()
            .filter(|s| !matches!(s, Shop::Domain { .. }))
        {
            *platform_shops.entry(shop.domain()).or_default() += 1;
        }
        let mut ignored = Vec::new();
        for (identifier, holders) in self.holdings.iter_mut() {
            let mut by_platform: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for &i in holders.keys() {
                if !matches!(self.shops[i], Shop::Domain { .. }) {
                    by_platform
                        .entry(self.shops[i].domain())
                        .or_default()
                        .push(i);
                }
            }
            for (domain, ids) in by_platform {
                let chrome = ids.len() >= PLATFORM_CHROME_MIN_SHOPS
                    && ids.len() * 2 > platform_shops[domain];
                if !chrome {
                    continue;
                }
                ids.iter().for_each(|i| {
                    holders.remove(i);
                });
                ignored.push(IgnoredIdentifier {
                    identifier: identifier.clone(),
                    shops: ids.len(),
                    reason: IgnoreReason::Platform {
                        domain: domain.to_string(),
                    },
                });
            }
        }
        ignored
    }

    fn sort_shops(self) -> Self {
        let mut nodes: Vec<(Shop, Exposure, usize)> = self
            .shops
            .into_iter()
            .zip(self.exposure)
            .enumerate()
            .map(|(old, (shop, exposure))| (shop, exposure, old))
            .collect();
        // Shops are distinct, so this order is total.
        nodes.sort_by(|a, b| a.0.cmp(&b.0));
        let mut new_index = vec![0; nodes.len()];
        for (new, (_, _, old)) in nodes.iter().enumerate() {
            new_index[*old] = new;
        }
        let holdings = self
            .holdings
            .into_iter()
            .map(|(id, holders)| {
                let holders = holders
                    .into_iter()
                    .map(|(i, ex)| (new_index[i], ex))
                    .collect();
                (id, holders)
            })
            .collect();
        let (shops, exposure) = nodes.into_iter().map(|(s, e, _)| (s, e)).unzip();
        Graph {
            shops,
            exposure,
            holdings,
        }
    }

    fn into_report(
        mut self,
        sets: &mut UnionFind,
        ignored: Vec<IgnoredIdentifier>,
        config: &NetworkConfig,
    ) -> NetworkReport {
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..self.shops.len() {
            members.entry(sets.find(i)).or_default().push(i);
        }
        members.retain(|_, m| m.len() >= 2);
        let mut links: BTreeMap<usize, Vec<Link>> = BTreeMap::new();
        for (identifier, holders) in std::mem::take(&mut self.holdings) {
            let shared_by = holders.len();
            if shared_by < 2 || shared_by > config.limit(identifier.kind.strength()) {
                continue;
            }
            let mut by_root: BTreeMap<usize, Vec<Holder>> = BTreeMap::new();
            for (i, examples) in holders {
                by_root.entry(sets.find(i)).or_default().push(Holder {
                    shop: self.shops[i].clone(),
                    listings: examples.count(),
                    examples: examples.into_vec(),
                });
            }
            for (root, holders) in by_root.into_iter().filter(|(_, h)| h.len() >= 2) {
                links.entry(root).or_default().push(Link {
                    strength: identifier.kind.strength(),
                    identifier: identifier.clone(),
                    holders,
                    shared_by,
                });
            }
        }
        let mut clusters: Vec<Cluster> = members
            .into_iter()
            .map(|(root, ids)| self.cluster(ids, links.remove(&root).unwrap_or_default()))
            .collect();
        clusters.sort_by(|a, b| {
            b.size()
                .cmp(&a.size())
                .then(b.exposure.cmp_risk(&a.exposure))
                .then(a.shops[0].shop.cmp(&b.shops[0].shop))
        });
        let mut cluster_of = HashMap::new();
        for (i, cluster) in clusters.iter_mut().enumerate() {
            cluster.rank = i + 1;
            for node in &cluster.shops {
                cluster_of.insert(node.shop.clone(), i);
            }
        }
        NetworkReport {
            clusters,
            ignored,
            shops: self.shops.len(),
            cluster_of,
        }
    }

    fn cluster(&self, ids: Vec<usize>, mut links: Vec<Link>) -> Cluster {
        let mut exposure = Exposure::default();
        let mut shops: Vec<ShopNode> = ids
            .into_iter()
            .map(|i| {
                exposure.merge(&self.exposure[i]);
                ShopNode {
                    shop: self.shops[i].clone(),
                    exposure: self.exposure[i],
                }
            })
            .collect();
        shops.sort_by(|a, b| b.exposure.cmp_risk(&a.exposure).then(a.shop.cmp(&b.shop)));
        links.sort_by(|a, b| {
            a.strength
                .cmp(&b.strength)
                .then(b.holders.len().cmp(&a.holders.len()))
                .then(a.identifier.cmp(&b.identifier))
        });
        Cluster {
            rank: 0,
            shops,
            links,
            exposure,
        }
    }
}

/// Disjoint sets over shop indices (union by size, path halving).
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use pharmwatch_model::{ContactKind as C, IdentifierKind as I, Severity, SiteKind};

    use super::*;
    use crate::shop::testing::*;

    fn run(listings: &[Listing]) -> NetworkReport {
        let verdicts: Vec<Verdict> = listings.iter().map(clean).collect();
        find_networks(listings.iter().zip(&verdicts), &NetworkConfig::default())
    }

    fn domain(d: &str) -> Shop {
        Shop::Domain { domain: d.into() }
    }

    fn names(cluster: &Cluster) -> Vec<String> {
        let mut names: Vec<String> = cluster.shops.iter().map(|n| n.shop.to_string()).collect();
        names.sort();
        names
    }

    fn with(url: &str, ids: &[(IdKind, &str)]) -> Listing {
        let mut l = pharmacy(url);
        for (kind, value) in ids {
            match kind {
                IdKind::Contact(k) => contact(&mut l, *k, value),
                IdKind::Page(k) => mark(&mut l, *k, value),
            }
        }
        l
    }

    const PHONE: IdKind = IdKind::Contact(C::Phone);
    const EMAIL: IdKind = IdKind::Contact(C::Email);
    const TELEGRAM: IdKind = IdKind::Contact(C::Telegram);
    const BTC: IdKind = IdKind::Contact(C::BitcoinWallet);
    const ANALYTICS: IdKind = IdKind::Page(I::AnalyticsId);
    const PAYMENT: IdKind = IdKind::Page(I::PaymentHost);
    const TEMPLATE: IdKind = IdKind::Page(I::Template);

    fn planted() -> Vec<Listing> {
        vec![
            // Network A, chained: a1–a2 by phone, a2–a3 by telegram, a3–a4 by analytics id.
            with("http://a1.example/p/1", &[(PHONE, "+15550100")]),
            with(
                "http://a2.example/p/1",
                &[(PHONE, "+15550100"), (TELEGRAM, "rxking")],
            ),
            with("http://a2.example/p/2", &[(TELEGRAM, "rxking")]),
            with(
                "http://a3.example/p/1",
                &[(TELEGRAM, "rxking"), (ANALYTICS, "UA-777-1")],
            ),
            with("http://a4.example/p/1", &[(ANALYTICS, "UA-777-1")]),
            // Network B: one wallet.
            with(
                "http://b1.example/p/1",
                &[(BTC, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")],
            ),
            with(
                "http://b2.example/p/1",
                &[(BTC, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")],
            ),
            // Unrelated shops with their own contacts.
            with(
                "http://c1.example/p/1",
                &[(PHONE, "+15550111"), (EMAIL, "c1@c1.example")],
            ),
            with(
                "http://c2.example/p/1",
                &[(PHONE, "+15550222"), (EMAIL, "c2@c2.example")],
            ),
        ]
    }

    #[test]
    fn planted_networks_are_found_with_their_evidence() {
        let report = run(&planted());
        assert_eq!(report.shops, 8);
        assert_eq!(report.clusters.len(), 2, "{report:#?}");
        let a = &report.clusters[0];
        assert_eq!(a.rank, 1);
        assert_eq!(
            names(a),
            ["a1.example", "a2.example", "a3.example", "a4.example"]
        );
        assert_eq!(a.size(), 4);
        assert_eq!(a.exposure.listings, 5);
        let kinds: Vec<&str> = a.links.iter().map(|l| l.identifier.kind.as_str()).collect();
        assert_eq!(kinds.len(), 3);
        for kind in ["phone", "telegram", "analytics_id"] {
            assert!(kinds.contains(&kind), "{kinds:?}");
        }
        let telegram = a
            .links
            .iter()
            .find(|l| l.identifier.kind == TELEGRAM)
            .unwrap();
        assert_eq!(telegram.strength, LinkStrength::Strong);
        assert_eq!(telegram.shared_by, 2);
        let a2 = telegram
            .holders
            .iter()
            .find(|h| h.shop == domain("a2.example"))
            .unwrap();
        assert_eq!(a2.listings, 2, "both a2 pages show the handle");
        let mut urls: Vec<&str> = a2.examples.iter().map(|r| r.url.as_str()).collect();
        urls.sort();
        assert_eq!(urls, ["http://a2.example/p/1", "http://a2.example/p/2"]);

        let b = &report.clusters[1];
        assert_eq!(names(b), ["b1.example", "b2.example"]);
        assert_eq!(b.links[0].identifier.kind, BTC);
    }

    #[test]
    fn unrelated_shops_stay_apart_and_singletons_have_no_network() {
        let report = run(&planted());
        assert!(report.network_of(&domain("c1.example")).is_none());
        assert!(report.network_of(&domain("nowhere.example")).is_none());
        let a = report.network_of(&domain("a1.example")).unwrap();
        assert!(a.contains(&domain("a4.example")));
        assert!(!a.contains(&domain("b1.example")));
        let listing = pharmacy("http://b2.example/p/9");
        assert_eq!(report.network_of_listing(&listing).unwrap().rank, 2);
    }

    #[test]
    fn the_report_does_not_depend_on_input_order() {
        let mut listings = planted();
        let forward = run(&listings);
        listings.reverse();
        let backward = run(&listings);
        let shape = |r: &NetworkReport| -> Vec<(Vec<String>, Vec<String>)> {
            r.clusters
                .iter()
                .map(|c| {
                    let links = c.links.iter().map(|l| l.identifier.to_string()).collect();
                    (names(c), links)
                })
                .collect()
        };
        assert_eq!(shape(&forward), shape(&backward));
    }

    #[test]
    fn identifiers_shared_by_too_many_shops_are_ignored() {
        let shared = |n: usize, value: &str| -> Vec<Listing> {
            (0..n)
                .map(|i| with(&format!("http://{value}{i}.example/p"), &[(EMAIL, value)]))
                .collect()
        };
        let mut listings = shared(9, "support@processor.example");
        listings.extend(shared(8, "boss@network.example"));
        let report = run(&listings);
        assert_eq!(report.clusters.len(), 1, "the 9-shop address links nothing");
        assert_eq!(report.clusters[0].size(), 8, "8 shops is still evidence");
        assert_eq!(report.ignored.len(), 1);
        assert_eq!(
            report.ignored[0].identifier.value,
            "support@processor.example"
        );
        assert_eq!(report.ignored[0].shops, 9);

        let strict = NetworkConfig {
            max_shops_per_identifier: 7,
            ..NetworkConfig::default()
        };
        let verdicts: Vec<Verdict> = listings.iter().map(clean).collect();
        let report = find_networks(listings.iter().zip(&verdicts), &strict);
        assert!(report.clusters.is_empty());
        assert_eq!(report.ignored.len(), 2);
    }

    #[test]
    fn one_weak_identifier_alone_never_links_shops() {
        // Two shops on the same CMS template, two more using the same payment host.
        let report = run(&[
            with("http://t1.example/", &[(TEMPLATE, "ab12")]),
            with("http://t2.example/", &[(TEMPLATE, "ab12")]),
            with("http://p1.example/", &[(PAYMENT, "pay.small.example")]),
            with("http://p2.example/", &[(PAYMENT, "pay.small.example")]),
        ]);
        assert!(report.clusters.is_empty(), "{report:#?}");
        assert!(report.ignored.is_empty());
    }

    #[test]
    fn weak_identifiers_do_not_link_shops_even_together() {
        // The sample marketplace's decoy: two unrelated shops on one stock theme, both
        // taking cards through a processor's hosted checkout that two more shops use.
        let mut listings = vec![
            with(
                "http://w1.example/",
                &[(TEMPLATE, "storefront"), (PAYMENT, "checkout.pay.example")],
            ),
            with(
                "http://w2.example/",
                &[(TEMPLATE, "storefront"), (PAYMENT, "checkout.pay.example")],
            ),
        ];
        for i in 0..2 {
            listings.push(with(
                &format!("http://other{i}.example/"),
                &[(PAYMENT, "checkout.pay.example")],
            ));
        }
        let report = run(&listings);
        assert!(report.clusters.is_empty(), "{report:#?}");
        assert!(
            report.ignored.is_empty(),
            "4 shops: not too common, just weak"
        );
    }

    #[test]
    fn a_weak_identifier_held_by_too_many_shops_is_not_even_corroboration() {
        let mut listings = vec![
            with(
                "http://s1.example/",
                &[(PHONE, "+15550100"), (PAYMENT, "pay.big.example")],
            ),
            with(
                "http://s2.example/",
                &[(PHONE, "+15550100"), (PAYMENT, "pay.big.example")],
            ),
        ];
        for i in 0..3 {
            listings.push(with(
                &format!("http://other{i}.example/"),
                &[(PAYMENT, "pay.big.example")],
            ));
        }
        let report = run(&listings);
        assert_eq!(report.clusters.len(), 1);
        let links = &report.clusters[0].links;
        assert_eq!(links.len(), 1, "{links:#?}");
        assert_eq!(links[0].identifier.kind, PHONE);
        assert_eq!(report.ignored.len(), 1);
        assert_eq!(report.ignored[0].identifier.value, "pay.big.example");
        assert_eq!(report.ignored[0].shops, 5);
    }

    #[test]
    fn weak_identifiers_corroborate_a_strong_link() {
        let report = run(&[
            with(
                "http://s1.example/",
                &[(PHONE, "+15550100"), (TEMPLATE, "ab12")],
            ),
            with(
                "http://s2.example/",
                &[(PHONE, "+15550100"), (TEMPLATE, "ab12")],
            ),
        ]);
        let links = &report.clusters[0].links;
        assert_eq!(links.len(), 2);
        assert_eq!(
            links[0].strength,
            LinkStrength::Strong,
            "strong links come first"
        );
        assert_eq!(links[1].strength, LinkStrength::Weak);
    }

    #[test]
    fn sellers_on_one_classifieds_site_are_separate_shops() {
        let ad = |url: &str, seller: Option<&str>, phone: &str| {
            let mut l = listing(url, SiteKind::Classifieds, seller);
            contact(&mut l, C::Phone, phone);
            l
        };
        let report = run(&[
            ad("http://ads.example/a/1", Some("pillking"), "+15550100"),
            ad("http://ads.example/a/2", Some("PillKing"), "+15550100"),
            ad("http://ads.example/a/3", Some("grandma"), "+15550999"),
            ad("http://ads.example/a/4", None, "+15550888"),
            ad("http://ads.example/a/5", None, "+15550777"),
            with("http://rx.example/", &[(PHONE, "+1 555-0100")]),
        ]);
        assert_eq!(
            report.shops, 5,
            "pillking, grandma, two anonymous ads, rx.example"
        );
        assert_eq!(report.clusters.len(), 1);
        assert_eq!(
            names(&report.clusters[0]),
            ["rx.example", "seller pillking on ads.example"]
        );
        let grandma = Shop::Seller {
            domain: "ads.example".into(),
            seller: "grandma".into(),
        };
        assert!(report.network_of(&grandma).is_none());
    }

    fn seller_ad(url: &str, seller: &str, contacts: &[(C, &str)]) -> Listing {
        let mut l = listing(url, SiteKind::Classifieds, Some(seller));
        for (kind, value) in contacts {
            contact(&mut l, *kind, value);
        }
        mark(&mut l, I::AnalyticsId, "GTM-PLATFORM");
        mark(&mut l, I::Template, "bazaar");
        l
    }

    #[test]
    fn a_platforms_own_contacts_do_not_link_its_sellers() {
        // Every ad carries the site's support phone in its footer; two sellers also share a
        // private Telegram handle.
        let support = (C::Phone, "+34911234567");
        let report = run(&[
            seller_ad(
                "http://ads.example/1",
                "ana",
                &[support, (C::Telegram, "bulkrx")],
            ),
            seller_ad(
                "http://ads.example/2",
                "ben",
                &[support, (C::Telegram, "bulkrx")],
            ),
            seller_ad(
                "http://ads.example/3",
                "cy",
                &[support, (C::Email, "cy@mail.example")],
            ),
            seller_ad("http://ads.example/4", "di", &[support]),
            seller_ad(
                "http://ads.example/5",
                "ed",
                &[(C::Email, "ed@mail.example")],
            ),
        ]);
        assert_eq!(report.clusters.len(), 1, "{report:#?}");
        let cluster = &report.clusters[0];
        assert_eq!(
            names(cluster),
            ["seller ana on ads.example", "seller ben on ads.example"]
        );
        assert_eq!(
            cluster.links.len(),
            1,
            "the site's analytics and template are not the sellers'"
        );
        assert_eq!(cluster.links[0].identifier.value, "bulkrx");
        assert_eq!(report.ignored.len(), 1);
        assert_eq!(report.ignored[0].identifier.value, "+34911234567");
        assert_eq!(report.ignored[0].shops, 4);
        assert_eq!(
            report.ignored[0].reason,
            IgnoreReason::Platform {
                domain: "ads.example".into()
            }
        );
    }

    #[test]
    fn two_sellers_sharing_a_phone_on_a_small_platform_are_linked() {
        let phone = (C::Phone, "+15550100");
        let report = run(&[
            seller_ad("http://ads.example/1", "ana", &[phone]),
            seller_ad("http://ads.example/2", "ben", &[phone]),
        ]);
        assert_eq!(report.clusters.len(), 1);
        assert!(report.ignored.is_empty());
    }

    #[test]
    fn spellings_of_one_contact_are_normalised() {
        let report = run(&[
            with(
                "http://n1.example/",
                &[(EMAIL, "Sales@Pills.Example"), (TELEGRAM, "@RxKing")],
            ),
            with("http://n2.example/", &[(EMAIL, "sales@pills.example")]),
            with("http://n3.example/", &[(TELEGRAM, "rxking")]),
            // Base58 wallets are case-sensitive: these two are different wallets.
            with("http://n4.example/", &[(BTC, "1AbC")]),
            with("http://n5.example/", &[(BTC, "1abc")]),
            with("http://n6.example/", &[(PHONE, "  ")]),
            with("http://n7.example/", &[(PHONE, "")]),
        ]);
        assert_eq!(report.clusters.len(), 1);
        assert_eq!(
            names(&report.clusters[0]),
            ["n1.example", "n2.example", "n3.example"]
        );
    }

    #[test]
    fn clusters_are_ordered_by_size_then_risk() {
        let listings = [
            with("http://low1.example/", &[(PHONE, "+1")]),
            with("http://low2.example/", &[(PHONE, "+1")]),
            with("http://high1.example/", &[(PHONE, "+2")]),
            with("http://high2.example/", &[(PHONE, "+2")]),
            with("http://big1.example/", &[(PHONE, "+3")]),
            with("http://big2.example/", &[(PHONE, "+3")]),
            with("http://big3.example/", &[(PHONE, "+3")]),
        ];
        let verdicts: Vec<Verdict> = listings
            .iter()
            .map(|l| {
                if l.domain.starts_with("high1") {
                    verdict(
                        l,
                        &[(
                            "controlled-substance-online",
                            "controlled",
                            Severity::Critical,
                        )],
                        &[],
                    )
                } else if l.domain.starts_with("low") {
                    verdict(
                        l,
                        &[("stealth-shipping", "shipping", Severity::Medium)],
                        &[],
                    )
                } else {
                    clean(l)
                }
            })
            .collect();
        let report = find_networks(listings.iter().zip(&verdicts), &NetworkConfig::default());
        let order: Vec<String> = report
            .clusters
            .iter()
            .map(|c| names(c)[0].clone())
            .collect();
        assert_eq!(order, ["big1.example", "high1.example", "low1.example"]);
        let high = &report.clusters[1];
        assert_eq!(high.exposure.max_severity, Some(Severity::Critical));
        assert_eq!(high.exposure.flagged, 1);
        assert_eq!(
            high.shops[0].shop,
            domain("high1.example"),
            "riskiest shop first"
        );
    }
}
