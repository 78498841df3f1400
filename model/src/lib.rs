//! The types that flow through the pharmwatch pipeline, and nothing else.
//!
//! Data flows one way: the crawler produces [`Listing`]s, the rules engine turns a
//! listing into a [`Verdict`], the indexer stores both. Every crate depends on this
//! one and on none of its siblings for these types, so a change here is a change to
//! the contract between the stages.

mod exchange;
mod ids;
mod listing;
mod money;
mod page;
mod site;
pub mod text;
mod verdict;

pub use exchange::{ExchangePurpose, HttpExchange, Truncation, Validators};
pub use ids::{ListingId, sha256_hex};
pub use listing::{
    Contact, ContactKind, ExtractionMethod, Field, Gtin, Listing, PriceBasis, Quantity, Region,
    ShopWide, Strength,
};
pub use money::{Currency, CurrencyError, Money};
pub use page::{IdentifierKind, PageMarks, ProductClaims, SiteIdentifier};
pub use site::{SiteKind, UnknownSiteKind, shop_host};
pub use verdict::{DrugMatch, Evidence, RuleHit, Severity, UnknownSeverity, Verdict};

/// A point in time, always UTC. Serialised as RFC 3339.
pub type Timestamp = time::OffsetDateTime;

/// Serde helpers for [`Timestamp`] fields (RFC 3339 text).
pub mod timestamp {
    pub use time::serde::rfc3339::*;
    /// For `Option<Timestamp>` fields.
    pub mod option {
        pub use time::serde::rfc3339::option::*;
    }
}
