//! [`Marketplace`]: a generated, not yet served marketplace.

use rust_decimal::Decimal;

use crate::archetype::Archetype;
use crate::error::MarketplaceError;
use crate::generate::{MarketplaceOptions, NewListing, generate_specs};
use crate::networks::{decoys, networks};
use crate::render::{Rendered, render};
use crate::state::MarketState;
use crate::truth::{GroundTruth, ListingTruth, NetworkTruth, listing_truth, shop_truth};

/// A generated marketplace: shops and the compact spec of every listing. Pages are rendered on
/// request, so even 100k listings stay cheap.
#[derive(Debug, Clone)]
pub struct Marketplace {
    pub(crate) state: MarketState,
}

/// A shop of a generated marketplace (before it is served).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopInfo {
    /// Unique name (`medsdirect`, …).
    pub name: String,
    /// Name shown in the page header.
    pub display_name: String,
    /// Which archetype it is.
    pub archetype: Archetype,
}

impl Marketplace {
    /// Generates the marketplace for `opts`; the same options give the same bytes.
    pub fn generate(opts: &MarketplaceOptions) -> Marketplace {
        let (shops, listings) = generate_specs(opts);
        Marketplace {
            state: MarketState::new(opts.seed, shops, listings),
        }
    }

    /// The seed it was generated from.
    pub fn seed(&self) -> u64 {
        self.state.seed
    }

    /// The shops, in order.
    pub fn shops(&self) -> Vec<ShopInfo> {
        self.state
            .shops
            .iter()
            .map(|s| ShopInfo {
                name: s.name.clone(),
                display_name: s.display_name.clone(),
                archetype: s.archetype,
            })
            .collect()
    }

    /// Number of product pages.
    pub fn listing_count(&self) -> usize {
        self.state.listings().len()
    }

    /// Ground truth with paths only (`url` equals `path`: nothing is served yet).
    pub fn ground_truth(&self) -> GroundTruth {
        ground_truth_of(&self.state, &|_| None)
    }

    /// The response shop `shop` gives for `path_and_query` (e.g. `/category/x?page=2`);
    /// `None` for an unknown shop. Unknown paths give a 404 response.
    pub fn render(&self, shop: &str, path_and_query: &str) -> Option<Rendered> {
        let index = self.state.shop_index(shop)?;
        let (path, query) = split_query(path_and_query);
        Some(render(&self.state, index, path, query))
    }

    /// Changes the price of the listing at `path` (in the shop's currency).
    pub fn set_price(
        &mut self,
        path: &str,
        amount: Decimal,
    ) -> Result<ListingTruth, MarketplaceError> {
        let now = unix_now();
        let spec = self.state.set_price(path, amount, now)?.clone();
        Ok(self.truth_of(&spec))
    }

    /// Removes the listing at `path` and returns what its ground truth was.
    pub fn remove_listing(&mut self, path: &str) -> Result<ListingTruth, MarketplaceError> {
        let spec = self.state.remove(path)?;
        Ok(self.truth_of(&spec))
    }

    /// Adds a listing to `shop` and returns its ground truth.
    pub fn add_listing(
        &mut self,
        shop: &str,
        new: &NewListing,
    ) -> Result<ListingTruth, MarketplaceError> {
        let spec = self.state.add(shop, new, unix_now())?.clone();
        Ok(self.truth_of(&spec))
    }

    fn truth_of(&self, spec: &crate::spec::ListingSpec) -> ListingTruth {
        listing_truth(spec, &self.state.shops[usize::from(spec.shop)], None)
    }
}

/// Ground truth of `state`; `base_url` gives a shop's base URL by index, when served.
pub(crate) fn ground_truth_of(
    state: &MarketState,
    base_url: &dyn Fn(usize) -> Option<String>,
) -> GroundTruth {
    let has_all = |n: &NetworkTruth| {
        n.shops
            .iter()
            .all(|s| state.shops.iter().any(|shop| &shop.name == s))
    };
    GroundTruth {
        networks: networks().into_iter().filter(has_all).collect(),
        decoys: decoys().into_iter().filter(has_all).collect(),
        seed: state.seed,
        shops: state
            .shops
            .iter()
            .enumerate()
            .map(|(i, s)| shop_truth(s, base_url(i)))
            .collect(),
        listings: state
            .listings()
            .iter()
            .map(|l| {
                let i = usize::from(l.shop);
                listing_truth(l, &state.shops[i], base_url(i).as_deref())
            })
            .collect(),
    }
}

/// Splits `path?query`.
pub(crate) fn split_query(path_and_query: &str) -> (&str, Option<&str>) {
    match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
