//! The compact description of every listing, from which pages are rendered on request.
//!
//! A spec holds only the decisions the generator took (drug, name as displayed, pack, price,
//! injected red flags, markup); texts that follow from them are derived when a page is
//! rendered, so 100k listings stay small in memory.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::{DRUGS, Drug, Form};
use crate::obfuscate::Obfuscation;

/// How a product page carries its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkupStyle {
    /// One JSON-LD `Product` object with a nested `Offer`.
    JsonLd,
    /// JSON-LD `Product` whose `offers` is an array of `Offer`s.
    JsonLdOffersArray,
    /// JSON-LD `@graph` holding a `WebPage`, an `Organization` and the `Product`.
    JsonLdGraph,
    /// A top-level JSON-LD array (`BreadcrumbList` and `Product`).
    JsonLdArray,
    /// JSON-LD `Product` and schema.org microdata on the visible markup.
    JsonLdAndMicrodata,
    /// Microdata only.
    Microdata,
    /// No structured data: the profile CSS classes only.
    Profile,
}

/// What a listing offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A catalogue drug (index into [`DRUGS`]).
    Drug(u8),
    /// A pharmacy non-medicine item (index into `PHARMACY_GOODS`).
    PharmacyGoods(u8),
    /// A classifieds non-medicine item (index into `CLASSIFIED_GOODS`).
    ClassifiedGoods(u8),
}

/// Red flags the generator injected into a listing's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// A "no prescription" phrase in the description (and sometimes the title).
    pub no_prescription: bool,
    /// The no-prescription phrase is in the title too.
    pub no_prescription_in_title: bool,
    /// Payment methods are crypto currencies only.
    pub crypto_only: bool,
    /// Contacts are messaging apps only.
    pub messaging_only: bool,
    /// A stealth-shipping claim.
    pub stealth: bool,
}

/// Everything the generator decided about one listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingSpec {
    /// Number in the URL; unique across the whole marketplace.
    pub id: u32,
    /// Index of the shop.
    pub shop: u16,
    /// Index of the category in the shop's archetype.
    pub category: u8,
    pub item: Item,
    /// The drug name as printed (possibly obfuscated); the goods title for non-medicines.
    pub display_name: String,
    pub obfuscation: Option<Obfuscation>,
    /// Index into the drug's strengths.
    pub strength: u8,
    /// Units in the pack (None for goods not sold by count).
    pub units: Option<u32>,
    /// Price in hundredths of the shop's currency.
    pub price_cents: i64,
    /// Which of the shop's price formats is printed.
    pub price_format: u8,
    /// BCP 47 language of the listing text.
    pub language: &'static str,
    pub flags: Flags,
    pub markup: MarkupStyle,
    /// The title exactly as displayed (h1 text and JSON-LD name).
    pub title: String,
    /// URL slug of pharmacy product pages.
    pub slug: String,
    /// Seed of the text variants chosen at render time (description, seller, contacts).
    pub variant: u64,
    /// Last modification, seconds since the Unix epoch (HTTP `Last-Modified`).
    pub modified: i64,
    /// GTIN printed on the page, if any (digits, check digit valid).
    pub gtin: Option<(String, bool)>,
}

impl ListingSpec {
    /// The catalogue drug, when the listing offers one.
    pub fn drug(&self) -> Option<&'static Drug> {
        match self.item {
            Item::Drug(i) => DRUGS.get(usize::from(i)),
            _ => None,
        }
    }

    /// Strength of one unit as (value, unit), for drugs.
    pub fn strength(&self) -> Option<(Decimal, &'static str)> {
        let drug = self.drug()?;
        let (hundredths, unit) = drug.strengths.get(usize::from(self.strength))?;
        Some((Decimal::new(*hundredths, 2).normalize(), unit))
    }

    pub fn form(&self) -> Option<Form> {
        self.drug().map(|d| d.form)
    }

    /// Price amount in the shop's currency (two decimals).
    pub fn price(&self) -> Decimal {
        Decimal::new(self.price_cents, 2)
    }
}
