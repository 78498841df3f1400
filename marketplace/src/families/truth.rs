//! Ground truth of a family catalogue: per offer, what its page shows, which claims are the
//! listing's own and which words the page prints elsewhere, and the analyst's label.

use std::path::Path;

use pharmwatch_model::{Money, PriceBasis, SiteKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::offer::{Item, Label, Offer, Reason};
use super::shop::{Family, FamilyShop};
use super::site::Site;
use super::{board, table, unit_price};
use crate::error::MarketplaceError;
use crate::truth::{read_json_file, write_json_file};

/// Everything the generator knows about a family catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyTruth {
    /// Seed the catalogue was generated from.
    pub seed: u64,
    /// The shops, in serving order.
    pub shops: Vec<FamilyShopTruth>,
    /// One entry per offer, by shop then page order.
    pub listings: Vec<FamilyListingTruth>,
}

/// One shop and where it is served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyShopTruth {
    /// The shop.
    #[serde(flatten)]
    pub shop: FamilyShop,
    /// `http://127.0.0.1:PORT` once served.
    pub base_url: Option<String>,
}

/// One offer: what its page shows and how an analyst judges it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyListingTruth {
    /// Template family of its shop.
    pub family: Family,
    /// Name of the shop.
    pub shop: String,
    /// Kind of the shop.
    pub site_kind: SiteKind,
    /// Path of the page showing the offer.
    pub path: String,
    /// Absolute URL when served, else the path.
    pub url: String,
    /// Position among the page's offers (0 on a product page).
    pub index_on_page: usize,
    /// Title exactly as displayed.
    pub title: String,
    /// The offer's description as printed.
    pub description: String,
    /// Amount as printed, for what `price_basis` says, in the shop's currency.
    pub price: Money,
    /// Whether the price is the offer's or one unit's.
    pub price_basis: PriceBasis,
    /// The price as printed ("US$ 368.99", "$1.04/pill", "25 € VB").
    pub price_text: String,
    /// The struck-through former price, as printed.
    pub old_price_text: Option<String>,
    /// Units in the pack, for goods sold by count.
    pub quantity_units: Option<u32>,
    /// Price of the whole pack: the price itself, or the unit price times the units.
    pub offer_price: Option<Decimal>,
    /// Lexicon id (INN) of the medicine, if any.
    pub drug: Option<String>,
    /// `otc`, `rx` or `controlled`.
    pub drug_class: Option<String>,
    /// The medicine's name is printed only in disguise.
    pub obfuscated: bool,
    /// Seller as printed ("Sold by", "Dispensed by", the poster).
    pub seller: String,
    /// The offer's own contacts, as printed.
    pub contacts: Vec<String>,
    /// The offer's own prescription, payment and shipping lines, as printed.
    pub own_claims: Vec<String>,
    /// Shipping and payment words (lower case) the page prints outside the offer (menu,
    /// blurbs, reviews, rules, footer) and the offer does not say itself: none may appear in
    /// its extracted shipping claims or payment methods.
    pub outside_claim_words: Vec<String>,
    /// BCP 47 language of the offer.
    pub language: String,
    /// Suspicious or clean.
    pub label: Label,
    /// Why it got its label.
    pub reason: Reason,
}

impl FamilyTruth {
    /// Writes the ground truth as pretty JSON.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), MarketplaceError> {
        write_json_file(self, path.as_ref())
    }

    /// Reads a ground truth written by [`FamilyTruth::write_json`].
    pub fn read_json(path: impl AsRef<Path>) -> Result<FamilyTruth, MarketplaceError> {
        read_json_file(path.as_ref())
    }
}

pub(super) fn of_catalogue(
    seed: u64,
    shops: &[FamilyShop],
    offers: &[Vec<Offer>],
    sites: &[Site],
    base_url: &dyn Fn(usize) -> Option<String>,
) -> FamilyTruth {
    let mut listings = Vec::new();
    for (i, (shop, site)) in shops.iter().zip(sites).enumerate() {
        let base = base_url(i);
        for place in &site.placements {
            if let Some(offer) = offers.get(i).and_then(|o| o.get(place.offer)) {
                let url = match &base {
                    Some(b) => format!("{b}{}", place.path),
                    None => place.path.clone(),
                };
                let page = site
                    .pages
                    .iter()
                    .find(|p| p.path == place.path)
                    .map_or("", |p| p.html.as_str());
                let mut truth = listing(shop, offer, &place.path, url, place.index_on_page);
                truth.outside_claim_words = outside_words(shop, offer, page);
                listings.push(truth);
            }
        }
    }
    FamilyTruth {
        seed,
        shops: shops
            .iter()
            .enumerate()
            .map(|(i, shop)| FamilyShopTruth {
                shop: shop.clone(),
                base_url: base_url(i),
            })
            .collect(),
        listings,
    }
}

fn listing(
    shop: &FamilyShop,
    offer: &Offer,
    path: &str,
    url: String,
    index_on_page: usize,
) -> FamilyListingTruth {
    let drug = match offer.item {
        Item::Drug(d) => Some(d),
        Item::Goods(_) => None,
    };
    let offer_price = match (offer.basis, offer.units) {
        (PriceBasis::Offer, _) => Some(offer.price),
        (PriceBasis::Unit, Some(units)) => Some(offer.price * Decimal::from(units)),
        (PriceBasis::Unit, None) => None,
    };
    FamilyListingTruth {
        family: shop.family,
        shop: shop.name.clone(),
        site_kind: shop.kind,
        path: path.to_string(),
        url,
        index_on_page,
        title: offer.title.clone(),
        description: offer.description.clone(),
        price: Money::new(offer.price, shop.currency),
        price_basis: offer.basis,
        price_text: offer.price_text.clone(),
        old_price_text: offer.old_price_text.clone(),
        quantity_units: offer.units,
        offer_price,
        drug: drug.map(|d| d.inn.to_string()),
        drug_class: drug.map(|d| d.class.as_str().to_string()),
        obfuscated: offer.obfuscation.is_some(),
        seller: offer.seller.clone(),
        contacts: offer.contacts.clone(),
        own_claims: offer.own_claims(),
        outside_claim_words: Vec::new(),
        language: shop.locale.tag().to_string(),
        label: offer.reason.label(),
        reason: offer.reason,
    }
}

/// The family's outside words that `page` prints and the offer's own lines do not contain.
fn outside_words(shop: &FamilyShop, offer: &Offer, page: &str) -> Vec<String> {
    let page = page.to_lowercase();
    let words: &[&str] = match shop.family {
        Family::TablePharmacy => table::OUTSIDE_WORDS,
        Family::UnitPricePharmacy => unit_price::outside_words(shop.locale),
        Family::Board => board::outside_words(shop.locale),
    };
    let own = offer
        .own_claims()
        .iter()
        .chain(&offer.contacts)
        .map(|c| c.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    words
        .iter()
        .filter(|w| page.contains(*w) && !own.contains(*w))
        .map(|w| w.to_string())
        .collect()
}
