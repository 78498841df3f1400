//! The sample marketplace: a deterministic generator of shops and listings, an in-process HTTP
//! server (one 127.0.0.1 port per shop) and the ground truth of what every product page shows
//! and which rules it should trigger.
//!
//! It backs `pharmwatch demo`, the end-to-end tests (recall and precision of the real
//! pipeline against [`GroundTruth`]) and the benchmarks ([`Marketplace::write_static`] for
//! peer crawlers behind nginx).
//!
//! Four archetypes, per the crate contract: `medsdirect` (English rogue pharmacy, JSON-LD),
//! `kangjian` (Chinese rogue pharmacy served in GBK, profile classes only), `quickads`
//! (multilingual classifieds, profile classes only) and `carewell` (legitimate pharmacy,
//! JSON-LD and microdata, never any red flag).
//!
//! With [`MarketplaceOptions::networks`] (the default), seven small rogue pharmacies follow
//! that form planted networks of related shops (shared phone, analytics id, template, wallet,
//! affiliate id) and a decoy pair that shares only a generic theme and a common checkout host:
//! [`GroundTruth::networks`] and [`GroundTruth::decoys`] say which.
//!
//! [`families`] holds shops of three further template families (a table-layout pharmacy, a
//! per-unit pricing shop with mega-menus and reviews, forum and classifieds boards with several
//! offers a page), each offer with its ground truth and an analyst's label; they are generated
//! apart and change nothing of the four archetypes.
//!
//! [`serve_scripted`] serves the same shops as script-rendered pages (a shell, a script and a
//! JSON endpoint), for the browser capture (issue 21): same ground truth, no listings for a
//! client that does not run scripts.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use pharmwatch_marketplace::{Marketplace, MarketplaceOptions, serve};
//! let market = Marketplace::generate(&MarketplaceOptions::default());
//! let running = serve(market).await?;
//! for shop in running.shops() {
//!     println!("{} at {}", shop.name, shop.base_url);
//! }
//! running.ground_truth().write_json("truth.json")?;
//! running.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod archetype;
mod catalogue;
mod content;
mod error;
pub mod families;
mod faults;
mod format;
mod generate;
mod identity;
mod market;
mod networks;
mod obfuscate;
mod render;
mod scripted;
mod server;
mod shops;
mod spec;
mod state;
mod static_site;
mod truth;

pub use archetype::Archetype;
pub use catalogue::{DrugClass, drug_ids, drug_names, reference_usd_per_unit, usd_rate_of};
pub use error::MarketplaceError;
pub use families::{
    Family, FamilyCatalogue, FamilyOptions, FamilyTruth, RunningFamilies, serve_families,
};
pub use generate::{IMPLAUSIBLE_SHARE, MarketplaceOptions, NewListing, OBFUSCATED_SHARE};
pub use market::{Marketplace, ShopInfo};
pub use networks::NETWORK_SHOP_LISTINGS;
pub use obfuscate::Obfuscation;
pub use render::{PAGE_SIZE, ROBOTS_TXT, Rendered, ServedValidators};
pub use scripted::{APP_JS_PATH, CRASHES_PATH, NEVER_SETTLES_PATH, PAGE_JSON_PATH};
pub use server::{RequestRecord, RunningMarketplace, ShopEndpoint, serve, serve_scripted};
pub use spec::{Flags, MarkupStyle};
pub use static_site::StaticSummary;
pub use truth::{GroundTruth, ListingTruth, MarkTruth, NetworkTruth, ShopTruth, rule_ids};
