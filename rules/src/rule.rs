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
    /// Severity of a hit.
    pub severity: Severity,
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
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SiteCond {
    pub kinds: Vec<SiteKind>,
    /// Host globs: `*.onion`, `shop.example`, `*pharma*`.
    pub hosts: Vec<String>,
    /// Top-level domains without the dot: `ru`, `onion`.
    pub tlds: Vec<String>,
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
    /// Kind of site (default pharmacy).
    pub site_kind: Option<SiteKind>,
    /// `kind:value` strings (`telegram:pillsdirect`, `email:a@b.example`).
    pub contacts: Vec<String>,
    /// Payment methods.
    pub payment: Vec<String>,
    /// Shipping claims.
    pub shipping: Vec<String>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// Whether the rule must fire on this listing.
    pub expect: bool,
    /// Line of the `[[rule.test]]` header.
    pub line: usize,
}
