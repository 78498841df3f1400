//! Template families: shops written the way real shops write pages, unlike the four
//! archetypes the extractor was built with, each offer with its ground truth and an analyst's
//! label (issues 17 and 18).
//!
//! - [`Family::TablePharmacy`]: HTML 4 tables, no structured data, `div.ttl h2` titles, a
//!   `<th>Price</th>` row, "Sold by", related products with prices, relative links.
//! - [`Family::UnitPricePharmacy`]: prices per unit ("$1.04/pill", "0,80 € pro Tablette",
//!   "45 ₽ за таблетку") with the pack size apart and former prices struck through; a
//!   mega-menu, category blurbs and reviews full of drug names and shipping and payment words.
//! - [`Family::Board`]: forum megathreads and a classifieds results page, several offers to a
//!   page, each with its own price and contact, and replies that offer nothing.
//!
//! The catalogue is separate from [`crate::Marketplace`]: generating it changes nothing of the
//! archetype shops, their seeds or their bytes. About 15 % of offers are suspicious
//! (no-prescription claims, prices a fraction of normal, disguised names, crypto and
//! messaging-only sellers, prescription medicines from private posters); the rest are
//! over-the-counter medicines, prescription medicines sold against a prescription at normal
//! prices, devices, cosmetics, supplements and ordinary goods with drug-like names.

mod board;
mod goods;
mod locale;
mod offer;
mod serve;
mod shop;
mod site;
mod table;
mod truth;
mod unit_price;

use std::path::Path;

pub use locale::Locale;
pub use offer::{Label, Reason};
pub use serve::{FamilyEndpoint, FamilyRequest, RunningFamilies, serve_families};
pub use shop::{Family, FamilyShop};
pub use truth::{FamilyListingTruth, FamilyShopTruth, FamilyTruth};

use crate::error::MarketplaceError;
use crate::generate::listing_rng;
use crate::static_site::{StaticSummary, nginx_files, shop_addr, write_file};
use offer::Offer;
use site::Site;

/// Size and seed of a catalogue of template families.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyOptions {
    /// Same seed, same pages and ground truth, byte for byte.
    pub seed: u64,
    /// Which families, in serving order.
    pub families: Vec<Family>,
    /// Shops of each family (each family has three languages or currencies; they cycle).
    pub shops_per_family: usize,
    /// Offers per shop.
    pub listings_per_shop: usize,
}

impl Default for FamilyOptions {
    /// The three families, three shops each, 30 offers a shop: 270 offers.
    fn default() -> Self {
        FamilyOptions {
            seed: 20261207,
            families: Family::ALL.to_vec(),
            shops_per_family: 3,
            listings_per_shop: 30,
        }
    }
}

/// A generated catalogue: shops, their offers and every page, rendered once.
#[derive(Debug, Clone)]
pub struct FamilyCatalogue {
    seed: u64,
    shops: Vec<FamilyShop>,
    offers: Vec<Vec<Offer>>,
    sites: Vec<Site>,
}

impl FamilyCatalogue {
    /// Generates the shops, offers and pages of `opts`.
    pub fn generate(opts: &FamilyOptions) -> FamilyCatalogue {
        let shops: Vec<FamilyShop> = opts
            .families
            .iter()
            .flat_map(|f| (0..opts.shops_per_family).map(|i| FamilyShop::nth(*f, i)))
            .collect();
        let mut ids = fastrand::Rng::with_seed(opts.seed);
        let mut next_id: u32 = 5000;
        let mut offers = Vec::with_capacity(shops.len());
        for shop in &shops {
            let mut list = Vec::with_capacity(opts.listings_per_shop);
            for _ in 0..opts.listings_per_shop {
                next_id += 1 + ids.u32(..3);
                let mut rng = listing_rng(opts.seed, u64::from(next_id));
                list.push(offer::offer(&mut rng, shop, next_id));
            }
            offers.push(list);
        }
        let sites = shops
            .iter()
            .zip(&offers)
            .map(|(shop, list)| match shop.family {
                Family::TablePharmacy => table::site(shop, list),
                Family::UnitPricePharmacy => unit_price::site(shop, list),
                Family::Board => board::site(shop, list),
            })
            .collect();
        FamilyCatalogue {
            seed: opts.seed,
            shops,
            offers,
            sites,
        }
    }

    /// The shops, in serving order.
    pub fn shops(&self) -> &[FamilyShop] {
        &self.shops
    }

    /// Number of offers.
    pub fn listing_count(&self) -> usize {
        self.offers.iter().map(Vec::len).sum()
    }

    /// Number of pages (robots.txt included).
    pub fn page_count(&self) -> usize {
        self.sites.iter().map(|s| s.pages.len()).sum()
    }

    /// The page of shop `shop` at `path` (`/` and folder paths mean their `index.html`).
    pub fn page(&self, shop: usize, path: &str) -> Option<&str> {
        let path = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        self.sites
            .get(shop)?
            .pages
            .iter()
            .find(|p| p.path == path)
            .map(|p| p.html.as_str())
    }

    /// The ground truth; `base_urls` (in shop order) makes URLs absolute, else they are paths.
    pub fn ground_truth(&self, base_urls: Option<&[String]>) -> FamilyTruth {
        let base = |i: usize| base_urls.and_then(|b| b.get(i)).cloned();
        truth::of_catalogue(self.seed, &self.shops, &self.offers, &self.sites, &base)
    }

    /// Writes every page under `dir/<shop>/` (a path's file; `/` is `index.html`) with an
    /// `nginx.conf` serving shop `i` on `127.0.0.(i+1):18080+i`, like
    /// [`crate::Marketplace::write_static`].
    pub fn write_static(&self, dir: impl AsRef<Path>) -> Result<StaticSummary, MarketplaceError> {
        let dir = dir.as_ref();
        let mut summary = StaticSummary {
            files: 0,
            bytes: 0,
            shop_dirs: Vec::new(),
            base_urls: Vec::new(),
        };
        for (i, (shop, site)) in self.shops.iter().zip(&self.sites).enumerate() {
            let root = dir.join(&shop.name);
            for page in &site.pages {
                write_file(
                    &root.join(page.path.trim_start_matches('/')),
                    page.html.as_bytes(),
                )?;
                summary.files += 1;
                summary.bytes += page.html.len() as u64;
            }
            summary.shop_dirs.push(root);
            summary.base_urls.push(format!("http://{}", shop_addr(i)));
        }
        let shops: Vec<(String, bool)> =
            self.shops.iter().map(|s| (s.name.clone(), false)).collect();
        nginx_files(dir, &shops)?;
        summary.files += 1;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests;
