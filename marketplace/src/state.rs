//! The live marketplace: shops, listing specs and the indexes pages are served from, with the
//! mutations tests use (re-price, remove, add).

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::catalogue::drug_by_inn;
use crate::error::MarketplaceError;
use crate::generate::{DrugRequest, NewListing, drug_listing, goods_listing, listing_rng};
use crate::shops::ShopSpec;
use crate::spec::ListingSpec;

/// Shops and listings with lookup indexes.
#[derive(Debug, Clone)]
pub struct MarketState {
    pub seed: u64,
    pub shops: Vec<ShopSpec>,
    listings: Vec<ListingSpec>,
    /// Path → index into `listings` (ids are unique across shops, so paths are too).
    by_path: HashMap<String, usize>,
    /// [shop][category] → indexes into `listings`, by id.
    by_category: Vec<Vec<Vec<usize>>>,
    next_id: u32,
}

impl MarketState {
    pub fn new(seed: u64, shops: Vec<ShopSpec>, listings: Vec<ListingSpec>) -> MarketState {
        let next_id = listings.iter().map(|l| l.id).max().unwrap_or(1000) + 1;
        let mut state = MarketState {
            seed,
            shops,
            listings,
            by_path: HashMap::new(),
            by_category: Vec::new(),
            next_id,
        };
        state.reindex();
        state
    }

    fn reindex(&mut self) {
        self.listings.sort_by_key(|l| (l.shop, l.id));
        self.by_path.clear();
        self.by_category = self
            .shops
            .iter()
            .map(|s| vec![Vec::new(); s.archetype.categories().len()])
            .collect();
        for (i, l) in self.listings.iter().enumerate() {
            let shop = &self.shops[usize::from(l.shop)];
            self.by_path.insert(shop.listing_path(l), i);
            if let Some(cat) = self
                .by_category
                .get_mut(usize::from(l.shop))
                .and_then(|c| c.get_mut(usize::from(l.category)))
            {
                cat.push(i);
            }
        }
    }

    /// Every live listing, ordered by shop then id.
    pub fn listings(&self) -> &[ListingSpec] {
        &self.listings
    }

    /// The listing of `shop` whose product page is at `path`.
    pub fn listing_at(&self, shop: usize, path: &str) -> Option<&ListingSpec> {
        let l = self.listings.get(*self.by_path.get(path)?)?;
        (usize::from(l.shop) == shop).then_some(l)
    }

    /// Listings of one category of one shop, by id.
    pub fn category_listings(&self, shop: usize, category: u8) -> Vec<&ListingSpec> {
        self.by_category
            .get(shop)
            .and_then(|c| c.get(usize::from(category)))
            .map(|idx| idx.iter().filter_map(|i| self.listings.get(*i)).collect())
            .unwrap_or_default()
    }

    /// Up to `k` listings following `spec` in its category (wrapping around), as "related
    /// products". Category indexes are sorted by id, so this is a binary search.
    pub fn category_neighbours(&self, spec: &ListingSpec, k: usize) -> Vec<&ListingSpec> {
        let Some(idx) = self
            .by_category
            .get(usize::from(spec.shop))
            .and_then(|c| c.get(usize::from(spec.category)))
        else {
            return Vec::new();
        };
        let Ok(pos) = idx.binary_search_by_key(&spec.id, |i| self.listings[*i].id) else {
            return Vec::new();
        };
        (1..idx.len())
            .take(k)
            .filter_map(|step| self.listings.get(idx[(pos + step) % idx.len()]))
            .collect()
    }

    /// Index of the shop called `name`.
    pub fn shop_index(&self, name: &str) -> Option<usize> {
        self.shops.iter().position(|s| s.name == name)
    }

    fn index_of(&self, path: &str) -> Result<usize, MarketplaceError> {
        self.by_path
            .get(path)
            .copied()
            .ok_or_else(|| MarketplaceError::UnknownListing(path.to_string()))
    }

    /// Changes a listing's price; its page changes (new ETag, Last-Modified) from now on.
    pub fn set_price(
        &mut self,
        path: &str,
        amount: Decimal,
        now: i64,
    ) -> Result<&ListingSpec, MarketplaceError> {
        if amount.is_sign_negative() {
            return Err(MarketplaceError::InvalidPrice(amount));
        }
        let i = self.index_of(path)?;
        let l = &mut self.listings[i];
        l.price_cents = crate::generate::to_cents(amount);
        l.modified = now.max(l.modified + 1);
        Ok(&self.listings[i])
    }

    /// Removes a listing: its page answers 404 and categories no longer link to it.
    pub fn remove(&mut self, path: &str) -> Result<ListingSpec, MarketplaceError> {
        let i = self.index_of(path)?;
        let removed = self.listings.remove(i);
        self.reindex();
        Ok(removed)
    }

    /// Adds a listing to `shop`; the generator decides what `new` leaves open.
    pub fn add(
        &mut self,
        shop: &str,
        new: &NewListing,
        now: i64,
    ) -> Result<&ListingSpec, MarketplaceError> {
        let s = self
            .shop_index(shop)
            .ok_or_else(|| MarketplaceError::UnknownShop(shop.to_string()))?;
        let spec = &self.shops[s];
        let id = self.next_id;
        let mut rng = listing_rng(self.seed, u64::from(id));
        let shop_index = u16::try_from(s).unwrap_or(u16::MAX);
        let mut listing = match &new.drug {
            Some(inn) => {
                let d =
                    drug_by_inn(inn).ok_or_else(|| MarketplaceError::UnknownDrug(inn.clone()))?;
                if spec.archetype.is_legit()
                    && crate::catalogue::DRUGS[d].class == crate::catalogue::DrugClass::Controlled
                {
                    return Err(MarketplaceError::ControlledOnLegitShop(inn.clone()));
                }
                let req = DrugRequest::from_new(new, spec.archetype);
                drug_listing(&mut rng, shop_index, spec, id, d, &req)
            }
            None => goods_listing(&mut rng, shop_index, spec, id, new.price),
        };
        listing.modified = now;
        self.next_id += 1;
        let path = spec.listing_path(&listing);
        self.listings.push(listing);
        self.reindex();
        let i = self.index_of(&path)?;
        Ok(&self.listings[i])
    }
}
