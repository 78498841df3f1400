use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{ListingId, Money, PageMarks, ProductClaims, SiteKind, Timestamp};

/// One offer found on one page: what a person reading the page would note down.
///
/// All text is as the page printed it (decoded to UTF-8, markup removed, whitespace
/// collapsed). Normalisation against obfuscation happens in the rules engine, which maps
/// its hits back to offsets in these original strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Stable id: digest of the canonical URL and the offer's index on the page.
    pub id: ListingId,
    /// Canonical URL of the page the listing was found on.
    pub url: String,
    /// Name of the configured site it was crawled for.
    pub site: String,
    /// What kind of site it was found on.
    pub site_kind: SiteKind,
    /// Host of `url` (lower case, no port).
    pub domain: String,
    /// The offer's name as the page printed it.
    pub title: String,
    #[serde(default)]
    /// The offer's own description (its region of the page, menus and footers left out).
    pub description: String,
    /// The price as printed, for what [`Listing::price_basis`] says it is for.
    #[serde(default)]
    pub price: Option<Money>,
    /// Whether `price` is the offer's or one unit's ("$1.04/pill"). Absent means the offer.
    #[serde(default, skip_serializing_if = "PriceBasis::is_offer")]
    pub price_basis: PriceBasis,
    #[serde(default)]
    /// How many units the offer holds and of what strength, when stated.
    pub quantity: Option<Quantity>,
    #[serde(default)]
    /// The seller's name or handle, on platforms that show one.
    pub seller: Option<String>,
    #[serde(default)]
    /// Ways to reach the seller found in the listing's own region.
    pub contacts: Vec<Contact>,
    /// Payment methods named on the page ("bitcoin", "western union", "visa", …).
    #[serde(default)]
    pub payment_methods: Vec<String>,
    /// Shipping claims made on the page ("no customs", "stealth", "worldwide", …).
    #[serde(default)]
    pub shipping_claims: Vec<String>,
    #[serde(default)]
    /// GTIN/EAN/UPC codes printed on the page.
    pub gtins: Vec<Gtin>,
    #[serde(default)]
    /// Image URLs of the offer, as printed (never fetched for display).
    pub images: Vec<String>,
    /// BCP 47 language tag when known (page `lang`, site default).
    #[serde(default)]
    pub language: Option<String>,
    /// Which extraction method produced each field, keyed by field name.
    #[serde(default)]
    pub methods: BTreeMap<String, ExtractionMethod>,
    #[serde(with = "crate::timestamp")]
    /// When the page was fetched.
    pub fetched_at: Timestamp,
    /// SHA-256 (hex) of the response body the listing was extracted from.
    #[serde(default)]
    pub evidence_digest: Option<String>,
    /// Manufacturer, batch and expiry when the page states them.
    #[serde(default)]
    pub claims: ProductClaims,
    /// Marks of the page as a whole: operator identifiers, address, licence claim.
    #[serde(default)]
    pub page: PageMarks,
    /// What the page says for the whole shop, outside the listing's own region: the
    /// footer's payment methods, the shop's shipping policy, the header's contacts. Rules
    /// read these only where they name the `shop_*` fields.
    #[serde(default, skip_serializing_if = "ShopWide::is_empty")]
    pub shop: ShopWide,
    /// Customer reviews shown with the listing: buyers' words, not the seller's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<String>,
    /// Which region of the page each field came from, keyed like `methods`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, Region>,
}

/// Claims a page makes for the shop as a whole rather than for one listing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ShopWide {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// The shop's contacts (header, footer, contact page).
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// The shop's payment methods (footer, checkout policy).
    pub payment_methods: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// The shop's shipping claims (shipping policy, footer).
    pub shipping_claims: Vec<String>,
}

impl ShopWide {
    /// Whether the page said nothing for the shop as a whole.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
            && self.payment_methods.is_empty()
            && self.shipping_claims.is_empty()
    }
}

/// Where on the page a listing's field was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// The listing's own block: around its title and main price.
    Listing,
    /// Structured data about the listing (JSON-LD, microdata, OpenGraph).
    StructuredData,
    /// Shop-wide parts: header, footer, navigation, policy blocks.
    Shop,
    /// Customer reviews.
    Reviews,
    /// The whole page, when no region could be told apart.
    Page,
}

impl Listing {
    /// A listing with only the required fields set; the rest empty.
    pub fn new(
        url: impl Into<String>,
        index_on_page: usize,
        site: impl Into<String>,
        site_kind: SiteKind,
        domain: impl Into<String>,
        title: impl Into<String>,
        fetched_at: Timestamp,
    ) -> Self {
        let url = url.into();
        Listing {
            id: ListingId::derive(&url, index_on_page),
            url,
            site: site.into(),
            site_kind,
            domain: domain.into(),
            title: title.into(),
            description: String::new(),
            price: None,
            price_basis: PriceBasis::Offer,
            quantity: None,
            seller: None,
            contacts: Vec::new(),
            payment_methods: Vec::new(),
            shipping_claims: Vec::new(),
            gtins: Vec::new(),
            images: Vec::new(),
            language: None,
            methods: BTreeMap::new(),
            fetched_at,
            evidence_digest: None,
            claims: ProductClaims::default(),
            page: PageMarks::default(),
            shop: ShopWide::default(),
            reviews: Vec::new(),
            regions: BTreeMap::new(),
        }
    }

    /// The original text of a text field, as rules match it and evidence points into it.
    pub fn text(&self, field: Field) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match field {
            Field::Title => Cow::Borrowed(&self.title),
            Field::Description => Cow::Borrowed(&self.description),
            Field::Seller => Cow::Borrowed(self.seller.as_deref().unwrap_or("")),
            Field::Url => Cow::Borrowed(&self.url),
            Field::Contacts => Cow::Owned(join(self.contacts.iter().map(|c| c.value.as_str()))),
            Field::Payment => Cow::Owned(join(self.payment_methods.iter().map(String::as_str))),
            Field::Shipping => Cow::Owned(join(self.shipping_claims.iter().map(String::as_str))),
            Field::ShopContacts => {
                Cow::Owned(join(self.shop.contacts.iter().map(|c| c.value.as_str())))
            }
            Field::ShopPayment => {
                Cow::Owned(join(self.shop.payment_methods.iter().map(String::as_str)))
            }
            Field::ShopShipping => {
                Cow::Owned(join(self.shop.shipping_claims.iter().map(String::as_str)))
            }
            Field::Reviews => Cow::Owned(join(self.reviews.iter().map(String::as_str))),
        }
    }

    /// Price per unit (tablet, pen, …): the price itself when it is printed per unit, else
    /// the offer's price divided by its unit count (`None` when the count is unknown).
    /// A per-unit price is never divided again by the pack size: "180 tablets, $1.04/pill"
    /// costs $1.04 a tablet, not $0.006.
    pub fn unit_price(&self) -> Option<Money> {
        let price = self.price?;
        match self.price_basis {
            PriceBasis::Unit => Some(price),
            PriceBasis::Offer => {
                let units = self.units()?;
                Some(Money::new(
                    price.amount / Decimal::from(units),
                    price.currency,
                ))
            }
        }
    }

    /// Price of the whole offer: the price itself when it is the offer's, else the unit
    /// price times the unit count (`None` when the count is unknown: it is derived, never
    /// guessed).
    pub fn offer_price(&self) -> Option<Money> {
        let price = self.price?;
        match self.price_basis {
            PriceBasis::Offer => Some(price),
            PriceBasis::Unit => {
                let units = self.units()?;
                Some(Money::new(
                    price.amount.checked_mul(Decimal::from(units))?,
                    price.currency,
                ))
            }
        }
    }

    /// The offer's unit count, when known and not zero.
    fn units(&self) -> Option<u32> {
        self.quantity.as_ref()?.units.filter(|&u| u > 0)
    }
}

/// What a listing's price is the price of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// The whole offer: a pack of `quantity.units` units, or whatever the page sells when
    /// the count is unknown.
    #[default]
    Offer,
    /// One unit (tablet, capsule, pill, piece): "$1.04/pill", "0,80 € pro Tablette".
    Unit,
}

impl PriceBasis {
    /// Whether this is the default, [`PriceBasis::Offer`] (not serialised).
    pub fn is_offer(&self) -> bool {
        *self == PriceBasis::Offer
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts.collect::<Vec<_>>().join("\n")
}

/// A text field of a listing that rules can read and evidence can point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The listing's title.
    Title,
    /// The listing's description.
    Description,
    /// The seller's name.
    Seller,
    /// The page's URL.
    Url,
    /// Contact values joined by newlines.
    Contacts,
    /// Payment methods joined by newlines.
    Payment,
    /// Shipping claims joined by newlines.
    Shipping,
    /// The shop's contacts (header, footer, contact page) joined by newlines.
    ShopContacts,
    /// The shop's payment methods (footer, checkout policy) joined by newlines.
    ShopPayment,
    /// The shop's shipping claims (shipping policy, footer) joined by newlines.
    ShopShipping,
    /// Customer reviews joined by newlines.
    Reviews,
}

impl Field {
    /// Every field, in the order rules and reports list them.
    pub const ALL: [Field; 11] = [
        Field::Title,
        Field::Description,
        Field::Seller,
        Field::Url,
        Field::Contacts,
        Field::Payment,
        Field::Shipping,
        Field::ShopContacts,
        Field::ShopPayment,
        Field::ShopShipping,
        Field::Reviews,
    ];

    /// The field's name in rule files and JSON (`title`, `shop_payment`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Description => "description",
            Field::Seller => "seller",
            Field::Url => "url",
            Field::Contacts => "contacts",
            Field::Payment => "payment",
            Field::Shipping => "shipping",
            Field::ShopContacts => "shop_contacts",
            Field::ShopPayment => "shop_payment",
            Field::ShopShipping => "shop_shipping",
            Field::Reviews => "reviews",
        }
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown field `{s}`: expected one of {}", names.join(", "))
            })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many units an offer contains and of what strength ("30 tabs x 100mg").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Quantity {
    /// Number of units (tablets, capsules, pens, vials) in the offer.
    pub units: Option<u32>,
    /// Strength of one unit, when stated.
    pub strength: Option<Strength>,
    /// Unit form when stated: "tablet", "capsule", "pen", "vial", …
    #[serde(default)]
    pub form: Option<String>,
}

/// Strength of one unit, e.g. 100 mg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strength {
    /// The amount, e.g. 100.
    pub value: Decimal,
    /// Lower-case unit: "mg", "mcg", "g", "ml", "iu", "mg/ml", …
    pub unit: String,
}

/// A way to reach the seller found on the page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Contact {
    /// What kind of contact it is.
    pub kind: ContactKind,
    /// Normalised value: lower-case e-mail, E.164 phone when the country is known, handle
    /// without `@`, wallet address as printed.
    pub value: String,
}

/// A channel through which a seller can be reached or paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// An e-mail address.
    Email,
    /// A telephone number.
    Phone,
    /// A WhatsApp number or link.
    Whatsapp,
    /// A Telegram handle or link.
    Telegram,
    /// A WeChat id.
    Wechat,
    /// A Signal number or link.
    Signal,
    /// A Wickr handle.
    Wickr,
    /// A Bitcoin wallet address.
    BitcoinWallet,
    /// An Ethereum wallet address.
    EthereumWallet,
    /// A Tron wallet address.
    TronWallet,
    /// Any other contact channel.
    Other,
}

impl ContactKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [ContactKind; 11] = [
        ContactKind::Email,
        ContactKind::Phone,
        ContactKind::Whatsapp,
        ContactKind::Telegram,
        ContactKind::Wechat,
        ContactKind::Signal,
        ContactKind::Wickr,
        ContactKind::BitcoinWallet,
        ContactKind::EthereumWallet,
        ContactKind::TronWallet,
        ContactKind::Other,
    ];

    /// `email`, `phone`, `bitcoin_wallet`, …: the snake_case name serde uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::Email => "email",
            ContactKind::Phone => "phone",
            ContactKind::Whatsapp => "whatsapp",
            ContactKind::Telegram => "telegram",
            ContactKind::Wechat => "wechat",
            ContactKind::Signal => "signal",
            ContactKind::Wickr => "wickr",
            ContactKind::BitcoinWallet => "bitcoin_wallet",
            ContactKind::EthereumWallet => "ethereum_wallet",
            ContactKind::TronWallet => "tron_wallet",
            ContactKind::Other => "other",
        }
    }

    /// Messaging apps that regulators see used to move sales off the shop's own page.
    pub fn is_messaging(self) -> bool {
        matches!(
            self,
            ContactKind::Whatsapp
                | ContactKind::Telegram
                | ContactKind::Wechat
                | ContactKind::Signal
                | ContactKind::Wickr
        )
    }

    /// Whether it is a cryptocurrency wallet address.
    pub fn is_wallet(self) -> bool {
        matches!(
            self,
            ContactKind::BitcoinWallet | ContactKind::EthereumWallet | ContactKind::TronWallet
        )
    }
}

/// A GTIN/EAN/UPC found on the page. Invalid check digits are kept: they are a signal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gtin {
    /// The code's digits as printed (8, 12, 13 or 14 of them).
    pub digits: String,
    /// Whether its check digit is right.
    pub valid: bool,
}

/// Which extraction method produced a field (profile authors debug with this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtractionMethod {
    /// A site profile's selectors.
    Profile,
    /// Schema.org JSON-LD.
    JsonLd,
    /// Schema.org microdata.
    Microdata,
    /// RDFa.
    Rdfa,
    /// Open Graph meta tags.
    OpenGraph,
    /// The generic heuristics (headings, labels, price patterns, the listing's region).
    Heuristic,
    /// A value the site's configuration sets (site kind, language).
    Config,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn listing() -> Listing {
        Listing::new(
            "http://a.example/p/1",
            0,
            "a",
            SiteKind::Pharmacy,
            "a.example",
            "Oxycodone 30mg",
            time::macros::datetime!(2026-11-23 12:00 UTC),
        )
    }

    #[test]
    fn unit_price_divides_by_units() {
        let mut l = listing();
        l.price = Some(Money::new(Decimal::new(9000, 2), Currency::USD));
        l.quantity = Some(Quantity {
            units: Some(30),
            ..Default::default()
        });
        assert_eq!(l.unit_price().unwrap().amount, Decimal::new(3, 0));
        l.quantity = Some(Quantity::default());
        assert_eq!(l.unit_price(), None);
        assert_eq!(l.offer_price(), l.price);
    }

    #[test]
    fn a_per_unit_price_is_not_divided_again() {
        let mut l = listing();
        l.price = Some(Money::new(Decimal::new(104, 2), Currency::USD));
        l.price_basis = PriceBasis::Unit;
        assert_eq!(l.unit_price(), l.price, "unit count unknown");
        assert_eq!(
            l.offer_price(),
            None,
            "pack price is derived only from a known count"
        );
        l.quantity = Some(Quantity {
            units: Some(180),
            ..Default::default()
        });
        assert_eq!(l.unit_price().unwrap().amount, Decimal::new(104, 2));
        assert_eq!(l.offer_price().unwrap().amount, Decimal::new(18720, 2));
    }

    #[test]
    fn price_basis_defaults_to_the_offer_and_is_omitted_then() {
        let l = listing();
        let json = serde_json::to_string(&l).unwrap();
        assert!(!json.contains("price_basis"));
        let mut unit = l.clone();
        unit.price_basis = PriceBasis::Unit;
        let json = serde_json::to_string(&unit).unwrap();
        assert!(json.contains(r#""price_basis":"unit""#));
        let back: Listing = serde_json::from_str(&json).unwrap();
        assert_eq!(back.price_basis, PriceBasis::Unit);
    }

    #[test]
    fn listing_round_trips_through_json() {
        let mut l = listing();
        l.contacts.push(Contact {
            kind: ContactKind::Telegram,
            value: "pillsdirect".into(),
        });
        let json = serde_json::to_string(&l).unwrap();
        assert!(json.contains(r#""fetched_at":"2026-11-23T12:00:00Z""#));
        let back: Listing = serde_json::from_str(&json).unwrap();
        assert_eq!(back, l);
        assert_eq!(back.text(Field::Contacts), "pillsdirect");
    }

    #[test]
    fn contact_kind_names_are_the_serde_names() {
        for kind in ContactKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }
}
