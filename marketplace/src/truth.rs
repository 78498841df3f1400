//! Ground truth: per product page, what is on it and which rules its content should trigger.

use std::collections::BTreeSet;
use std::path::Path;

use pharmwatch_model::{Currency, Gtin, Money, ProductClaims, SiteKind, Strength};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::archetype::Archetype;
use crate::catalogue::{DrugClass, usd_rate};
use crate::content::listing_content;
use crate::error::MarketplaceError;
use crate::obfuscate::Obfuscation;
use crate::shops::ShopSpec;
use crate::spec::{ListingSpec, MarkupStyle};

/// Rule ids of the contract's rule table, as the ground truth names them.
pub mod rule_ids {
    /// An rx or controlled drug offered with a "no prescription needed" claim.
    pub const RX_WITHOUT_PRESCRIPTION: &str = "rx-without-prescription";
    /// A controlled drug offered at all (any site).
    pub const CONTROLLED_SUBSTANCE_ONLINE: &str = "controlled-substance-online";
    /// The drug name is printed only in disguise.
    pub const OBFUSCATED_DRUG_NAME: &str = "obfuscated-drug-name";
    /// Any lexicon drug on classifieds, forums or darknet markets.
    pub const MEDICINE_ON_INFORMAL_MARKET: &str = "medicine-on-informal-market";
    /// Unit price below 25 % of the reference unit price.
    pub const IMPLAUSIBLE_PRICE: &str = "implausible-price";
    /// Crypto-currencies are the only payment methods named.
    pub const CRYPTO_ONLY_PAYMENT: &str = "crypto-only-payment";
    /// Messaging apps are the only contacts (no e-mail, no plain phone).
    pub const MESSAGING_ONLY_CONTACT: &str = "messaging-only-contact";
    /// Stealth, discreet or customs-evading shipping claims.
    pub const STEALTH_SHIPPING: &str = "stealth-shipping";

    /// Every rule id the generator may expect.
    pub const ALL: [&str; 8] = [
        RX_WITHOUT_PRESCRIPTION,
        CONTROLLED_SUBSTANCE_ONLINE,
        OBFUSCATED_DRUG_NAME,
        MEDICINE_ON_INFORMAL_MARKET,
        IMPLAUSIBLE_PRICE,
        CRYPTO_ONLY_PAYMENT,
        MESSAGING_ONLY_CONTACT,
        STEALTH_SHIPPING,
    ];
}

/// `implausible-price` fires below this fraction of the reference unit price.
const IMPLAUSIBLE_BELOW: Decimal = Decimal::from_parts(25, 0, 0, false, 2);

/// Everything the generator knows about a marketplace's product pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// Seed the marketplace was generated from.
    pub seed: u64,
    /// The shops, in serving order.
    pub shops: Vec<ShopTruth>,
    /// One entry per product page, ordered by shop then id.
    pub listings: Vec<ListingTruth>,
    /// Planted networks: shops run by one operator, which a clustering stage should link,
    /// with what they share. Empty without the network shops.
    #[serde(default)]
    pub networks: Vec<NetworkTruth>,
    /// Shops that share something that must not link them (a generic theme, a card
    /// processor's checkout that unrelated shops use too).
    #[serde(default)]
    pub decoys: Vec<NetworkTruth>,
}

/// A group of shops and the identifiers they share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkTruth {
    /// Name of the group (`harbor-group`).
    pub name: String,
    /// Names of its shops, in serving order.
    pub shops: Vec<String>,
    /// What its shops share.
    pub shared: Vec<MarkTruth>,
}

/// One operator mark: `kind` is an identifier kind of extraction (`analytics_id`,
/// `affiliate_id`, `payment_host`, `template`) or a contact kind (`phone`, `email`,
/// `bitcoin_wallet`, …); `value` is normalised as extraction reports it (E.164 phones,
/// `param=value` affiliate ids, upper-case analytics ids), except for `template`, whose value
/// is the theme's name: the extracted fingerprint is a hash, equal across pages of one theme.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MarkTruth {
    /// Kind of identifier.
    pub kind: String,
    /// Its value.
    pub value: String,
}

/// One shop of the marketplace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopTruth {
    /// Unique name (`medsdirect`, `kangjian2`, …).
    pub name: String,
    /// Name shown in the page header.
    pub display_name: String,
    /// Site kind, as a crawl configuration would declare it.
    pub kind: SiteKind,
    /// Which of the four archetypes it is.
    pub archetype: Archetype,
    /// BCP 47 language of the shop (classified ads carry their own).
    pub language: String,
    /// Currency of every price on the shop.
    pub currency: Currency,
    /// Character encoding of its pages (`UTF-8` or `GBK`).
    pub charset: String,
    /// `http://127.0.0.1:PORT` once served; `None` for a generated, unserved marketplace.
    pub base_url: Option<String>,
    /// Theme token of its pages (`theme-<token>` on `<body>`): shops with the same theme
    /// share a template.
    #[serde(default)]
    pub theme: String,
    /// Operator marks on its pages besides listing contacts: `analytics_id` (every page),
    /// `payment_host` and `bitcoin_wallet` (every product page), `affiliate_id` (every page).
    #[serde(default)]
    pub marks: Vec<MarkTruth>,
    /// Its pages show a postal address (an `<address>` in the footer).
    #[serde(default)]
    pub postal_address: bool,
    /// Its pages claim a licence or registration (true or not: some rogue shops fake one).
    #[serde(default)]
    pub licence_claim: bool,
}

/// One product page: what is displayed on it and the rules its content should trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingTruth {
    /// Name of the shop.
    pub shop: String,
    /// Kind of the shop.
    pub site_kind: SiteKind,
    /// Path of the product page (`/product/1042-oxycodone-30mg.html`, `/ad/1042.html`).
    pub path: String,
    /// Absolute URL when the ground truth comes from a running marketplace, else the path.
    pub url: String,
    /// Slug of the category that lists it (`/category/<slug>`).
    pub category: String,
    /// Title exactly as displayed (h1 text, JSON-LD / microdata name).
    pub title: String,
    /// The `.listing-description` text (also the JSON-LD / microdata description).
    pub description: String,
    /// Amount (decimal string with two decimals) and currency.
    pub price: Money,
    /// The price as printed ("$1,299.00", "128元", "12,99 €").
    pub price_text: String,
    /// Units in the pack (tablets, capsules, pens); `None` for goods not sold by count.
    pub quantity_units: Option<u32>,
    /// Strength of one unit, for medicines.
    pub strength: Option<Strength>,
    /// Unit form (`tablet`, `capsule`, `pen`) for medicines.
    pub form: Option<String>,
    /// Lexicon id (INN) of the drug offered; `None` for non-medicines.
    pub drug: Option<String>,
    /// `rx`, `otc` or `controlled`.
    pub drug_class: Option<String>,
    /// The drug name as printed (possibly obfuscated).
    pub displayed_drug_name: Option<String>,
    /// The drug name is printed only in disguise.
    pub obfuscated: bool,
    /// How it is disguised.
    pub obfuscation: Option<Obfuscation>,
    /// Exact set of rule ids the page content should trigger, sorted.
    pub expected_rules: Vec<String>,
    /// True when any expected rule fires (all contract rules are medium or above).
    pub flagged: bool,
    /// Structured data on the page.
    pub markup: MarkupStyle,
    /// BCP 47 language of the listing text.
    pub language: String,
    /// The `.listing-seller` text.
    pub seller: String,
    /// One entry per `.listing-contact` element, as printed.
    pub contacts: Vec<String>,
    /// The `.listing-payment` line.
    pub payment: String,
    /// The `.listing-shipping` line.
    pub shipping: String,
    /// GTIN printed on the page (`.listing-gtin`, JSON-LD / microdata `gtin13`), with whether
    /// its check digit is valid.
    pub gtin: Option<Gtin>,
    /// Manufacturer, batch and expiry as printed in `.product-facts` (and the manufacturer
    /// in JSON-LD); all `None` when the page prints none.
    #[serde(default)]
    pub claims: ProductClaims,
}

impl GroundTruth {
    /// Writes the ground truth as pretty JSON.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<(), MarketplaceError> {
        write_json_file(self, path.as_ref())
    }

    /// Reads a ground truth written by [`GroundTruth::write_json`].
    pub fn read_json(path: impl AsRef<Path>) -> Result<GroundTruth, MarketplaceError> {
        read_json_file(path.as_ref())
    }

    /// The listing at `url_or_path` (absolute URL or path).
    pub fn find(&self, url_or_path: &str) -> Option<&ListingTruth> {
        self.listings
            .iter()
            .find(|l| l.url == url_or_path || l.path == url_or_path)
    }
}

/// Writes `value` as pretty JSON to `path`.
pub(crate) fn write_json_file<T: Serialize>(
    value: &T,
    path: &Path,
) -> Result<(), MarketplaceError> {
    let json = serde_json::to_vec_pretty(value)?;
    std::fs::write(path, json).map_err(|source| MarketplaceError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads JSON written by [`write_json_file`].
pub(crate) fn read_json_file<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<T, MarketplaceError> {
    let bytes = std::fs::read(path).map_err(|source| MarketplaceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(serde_json::from_slice(&bytes)?)
}

/// The shop's entry in the ground truth.
pub fn shop_truth(shop: &ShopSpec, base_url: Option<String>) -> ShopTruth {
    let arch = shop.archetype;
    ShopTruth {
        name: shop.name.clone(),
        display_name: shop.display_name.clone(),
        kind: arch.kind(),
        archetype: arch,
        language: arch.language().to_string(),
        currency: arch.currency(),
        charset: if arch.is_gbk() { "GBK" } else { "UTF-8" }.to_string(),
        base_url,
        theme: shop.identity.theme.clone(),
        marks: shop_marks(shop),
        postal_address: shop.identity.address.is_some(),
        licence_claim: shop.identity.licence_line.is_some(),
    }
}

/// The marks every page (or every product page) of `shop` shows, sorted.
fn shop_marks(shop: &ShopSpec) -> Vec<MarkTruth> {
    let id = &shop.identity;
    let mark = |kind: &str, value: String| MarkTruth {
        kind: kind.to_string(),
        value,
    };
    let mut marks = vec![mark("analytics_id", id.analytics.normalised())];
    if let Some(checkout) = id.checkout {
        let host = checkout
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap_or_default();
        marks.push(mark("payment_host", host.to_string()));
    }
    if let Some(wallet) = &id.wallet {
        marks.push(mark("bitcoin_wallet", wallet.clone()));
    }
    if let Some(link) = &id.affiliate_link
        && let Some((_, query)) = link.split_once('?')
    {
        for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
            marks.push(mark(
                "affiliate_id",
                format!("{}={}", k.to_ascii_lowercase(), v.to_ascii_lowercase()),
            ));
        }
    }
    marks.sort();
    marks
}

/// The ground-truth entry of one listing; `base_url` makes `url` absolute.
pub fn listing_truth(spec: &ListingSpec, shop: &ShopSpec, base_url: Option<&str>) -> ListingTruth {
    let content = listing_content(spec, shop);
    let path = shop.listing_path(spec);
    let drug = spec.drug();
    let expected = expected_rules(spec, shop);
    ListingTruth {
        shop: shop.name.clone(),
        site_kind: shop.archetype.kind(),
        url: match base_url {
            Some(base) => format!("{base}{path}"),
            None => path.clone(),
        },
        path,
        category: shop.category(spec.category).slug.to_string(),
        title: content.title,
        description: content.description,
        price: Money::new(spec.price(), shop.archetype.currency()),
        price_text: content.price,
        quantity_units: spec.units,
        strength: spec.strength().map(|(value, unit)| Strength {
            value,
            unit: unit.to_string(),
        }),
        form: spec.form().map(|f| f.as_str().to_string()),
        drug: drug.map(|d| d.inn.to_string()),
        drug_class: drug.map(|d| d.class.as_str().to_string()),
        displayed_drug_name: drug.map(|_| spec.display_name.clone()),
        obfuscated: spec.obfuscation.is_some(),
        obfuscation: spec.obfuscation,
        flagged: !expected.is_empty(),
        expected_rules: expected.into_iter().map(str::to_string).collect(),
        markup: spec.markup,
        language: spec.language.to_string(),
        seller: content.seller,
        contacts: content.contacts,
        payment: content.payment,
        shipping: content.shipping,
        gtin: spec.gtin.as_ref().map(|(digits, valid)| Gtin {
            digits: digits.clone(),
            valid: *valid,
        }),
        claims: content.claims,
    }
}

/// The contract's rule table applied to what the generator put on the page.
pub fn expected_rules(spec: &ListingSpec, shop: &ShopSpec) -> BTreeSet<&'static str> {
    use rule_ids::*;
    let mut rules = BTreeSet::new();
    if let Some(drug) = spec.drug() {
        if drug.class == DrugClass::Controlled {
            rules.insert(CONTROLLED_SUBSTANCE_ONLINE);
        }
        if drug.class.needs_prescription() && spec.flags.no_prescription {
            rules.insert(RX_WITHOUT_PRESCRIPTION);
        }
        if spec.obfuscation.is_some() {
            rules.insert(OBFUSCATED_DRUG_NAME);
        }
        if matches!(
            shop.archetype.kind(),
            SiteKind::Classifieds | SiteKind::Forum | SiteKind::DarknetMarket
        ) {
            rules.insert(MEDICINE_ON_INFORMAL_MARKET);
        }
        if is_implausible(spec, shop, drug.usd_per_unit()) {
            rules.insert(IMPLAUSIBLE_PRICE);
        }
    }
    if spec.flags.crypto_only {
        rules.insert(CRYPTO_ONLY_PAYMENT);
    }
    if spec.flags.messaging_only {
        rules.insert(MESSAGING_ONLY_CONTACT);
    }
    if spec.flags.stealth {
        rules.insert(STEALTH_SHIPPING);
    }
    rules
}

/// Unit price in USD below 25 % of the reference, computed from the printed price.
fn is_implausible(spec: &ListingSpec, shop: &ShopSpec, reference: Decimal) -> bool {
    let Some(units) = spec.units.filter(|u| *u > 0) else {
        return false;
    };
    let rate = usd_rate(shop.archetype.currency());
    let unit_usd = spec.price() / rate / Decimal::from(units);
    unit_usd < reference * IMPLAUSIBLE_BELOW
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_a_quarter() {
        assert_eq!(IMPLAUSIBLE_BELOW, Decimal::new(25, 2));
    }

    #[test]
    fn legit_shop_is_never_informal() {
        assert_eq!(Archetype::LegitPharmacy.kind(), SiteKind::Pharmacy);
    }
}
