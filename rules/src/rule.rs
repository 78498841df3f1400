//! Compiled rules: the match tree and its conditions, as the loader builds them.

use std::path::PathBuf;

use pharmwatch_model::{ContactKind, Field, Severity, SiteKind};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::lexicon::DrugClass;

/// One rule of a pack.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Unique id across every loaded file.
    pub id: String,
    /// One-line summary shown with hits.
    pub title: String,
    /// Severity of a hit when no `[[rule.severity_if]]` holds.
    pub severity: Severity,
    /// Context that changes the severity of a hit: checked in order, the first that holds
    /// sets it (and says why).
    pub severity_if: Vec<SeverityIf>,
    /// Free-text category shown with hits.
    pub category: String,
    /// Longer explanation for investigators.
    pub description: String,
    /// Sources the rule rests on.
    pub references: Vec<String>,
    /// What must hold for the rule to fire.
    #[serde(skip)]
    pub(crate) matcher: Node,
    /// Embedded test cases.
    pub tests: Vec<TestCase>,
    /// File the rule was loaded from, and the line of its `[[rule]]` header.
    pub file: PathBuf,
    /// 1-based line of the `[[rule]]` header.
    pub line: usize,
}

/// A severity that applies when its match tree holds on a listing the rule fired on.
#[derive(Debug, Clone, Serialize)]
pub struct SeverityIf {
    /// Severity of the hit when `matcher` holds.
    pub severity: Severity,
    /// Why, in the analyst's words (shown by `rules explain`).
    pub reason: String,
    /// The context that must hold.
    #[serde(skip)]
    pub(crate) matcher: Node,
    /// 1-based line of the `[[rule.severity_if]]` header.
    pub line: usize,
}

/// A node of the match tree: every part must hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// Every child holds.
    All(Vec<Node>),
    /// At least one child holds.
    Any(Vec<Node>),
    /// No child holds.
    None(Vec<Node>),
    /// At least `n` children hold.
    AtLeast(usize, Vec<Node>),
    Cond(Condition),
}

#[derive(Debug, Clone)]
pub(crate) enum Condition {
    Text(TextCond),
    Drug(DrugCond),
    Price(PriceCond),
    Contact(ContactCond),
    Payment(PaymentCond),
    Shipping(ShippingCond),
    Site(SiteCond),
    Page(PageCond),
    /// Another rule's match tree holds.
    Fired(FiredCond),
    /// Primary language subtags (`zh`, `ru`, …): the listing's declared language, or the
    /// script of its title and description.
    Language(Vec<String>),
}

/// Regexes (or keyword lists compiled to regexes) over some fields.
#[derive(Debug, Clone)]
pub(crate) struct TextCond {
    /// Ids in the rule set's regex bank.
    pub patterns: Vec<usize>,
    /// Source of each pattern, for explanations.
    pub sources: Vec<String>,
    pub fields: Vec<Field>,
    /// Match the normal view (true) or the original text (false).
    pub normalize: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct DrugCond {
    pub classes: Vec<DrugClass>,
    pub schedules: Vec<String>,
    pub categories: Vec<String>,
    pub ids: Vec<String>,
    /// `Some(true)`: only names found through de-obfuscation; `Some(false)`: only plain ones.
    pub obfuscated: Option<bool>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PricePer {
    Unit,
    Total,
}

#[derive(Debug, Clone)]
pub(crate) struct PriceCond {
    pub below_reference_fraction: Option<Decimal>,
    pub min_usd: Option<Decimal>,
    pub max_usd: Option<Decimal>,
    pub per: PricePer,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ContactCond {
    pub only_messaging: Option<bool>,
    pub kinds: Vec<ContactKind>,
    pub empty: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PaymentCond {
    pub only_crypto: Option<bool>,
    /// Lower-case substrings; any payment method containing one holds.
    pub any: Vec<String>,
    pub empty: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ShippingCond {
    /// Lower-case substrings; any shipping claim containing one holds.
    pub any: Vec<String>,
    /// Lower-case claims; any shipping claim equal to one (trimmed) holds. The extractor's
    /// canonical claims ("stealth", "discreet", "no customs") are matched this way.
    pub claims: Vec<String>,
    /// Also the shop's shipping claims (`Listing::shop`), not only the listing's.
    pub shop: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SiteCond {
    pub kinds: Vec<SiteKind>,
    /// Host globs: `*.onion`, `shop.example`, `*pharma*`.
    pub hosts: Vec<String>,
    /// Top-level domains without the dot: `ru`, `onion`.
    pub tlds: Vec<String>,
}

/// What the page says about whoever runs the shop (`Listing::page`): each given flag must
/// equal the page's.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageCond {
    pub postal_address: Option<bool>,
    pub licence_claim: Option<bool>,
}

/// Rules whose match trees are asked about: holds when any of them holds. It asks about match
/// trees, not severities; the loader rejects a rule whose match depends on itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct FiredCond {
    pub ids: Vec<String>,
    /// Positions of `ids` in the rule set, filled once every file is loaded.
    pub indices: Vec<usize>,
    /// Where the condition is written, for "no such rule" errors.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// An embedded test case: a listing built from these fields and whether the rule must fire.
#[derive(Debug, Clone, Serialize)]
pub struct TestCase {
    /// Listing title.
    pub title: String,
    /// Listing description.
    pub description: String,
    /// Seller name.
    pub seller: Option<String>,
    /// Page URL (default `https://shop.example/product/1-test.html`).
    pub url: Option<String>,
    /// Total price.
    pub price: Option<Decimal>,
    /// ISO 4217 currency of `price` (default USD).
    pub currency: Option<String>,
    /// Number of units in the offer.
    pub quantity: Option<u32>,
    /// The price is per unit (`price_basis = "unit"`), not the offer's.
    pub per_unit: bool,
    /// Kind of site (default pharmacy).
    pub site_kind: Option<SiteKind>,
    /// `kind:value` strings (`telegram:pillsdirect`, `email:a@b.example`).
    pub contacts: Vec<String>,
    /// Payment methods.
    pub payment: Vec<String>,
    /// Shipping claims of the listing.
    pub shipping: Vec<String>,
    /// The shop's shipping policy claims.
    pub shop_shipping: Vec<String>,
    /// Customer reviews.
    pub reviews: Vec<String>,
    /// The page shows a postal address.
    pub postal_address: bool,
    /// The page claims a pharmacy licence.
    pub licence_claim: bool,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// Whether the rule must fire on this listing.
    pub expect: bool,
    /// With `expect = true`: the severity the hit must have.
    pub severity: Option<Severity>,
    /// Line of the `[[rule.test]]` header.
    pub line: usize,
}
