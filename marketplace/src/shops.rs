//! The four shop archetypes of the contract and the shops built from them (and the planted
//! network shops, see [`crate::networks`]).

use crate::archetype::{Archetype, Category};
use crate::identity::Identity;
use crate::spec::ListingSpec;

/// One shop of a generated marketplace.
#[derive(Debug, Clone)]
pub struct ShopSpec {
    /// Unique name: the archetype's base name, with a number from the second cycle on
    /// (`medsdirect`, …, `medsdirect2`).
    pub name: String,
    /// Name shown in the page header ("MedsDirect", "康健大药房").
    pub display_name: String,
    pub archetype: Archetype,
    /// What its pages show about its operator.
    pub identity: Identity,
}

impl ShopSpec {
    /// Path of a listing's product page: `/ad/<id>.html` on classifieds,
    /// `/product/<id>-<slug>.html` elsewhere.
    pub fn listing_path(&self, listing: &ListingSpec) -> String {
        if self.archetype.is_classifieds() {
            format!("/ad/{}.html", listing.id)
        } else {
            format!("/product/{}-{}.html", listing.id, listing.slug)
        }
    }

    /// The `index`-th shop: archetypes cycle, names get the cycle number from the second on.
    pub fn nth(index: usize) -> ShopSpec {
        let archetype = Archetype::ALL[index % Archetype::ALL.len()];
        let cycle = index / Archetype::ALL.len();
        let suffix = if cycle == 0 {
            String::new()
        } else {
            (cycle + 1).to_string()
        };
        let display = match archetype {
            Archetype::RoguePharmacy => "MedsDirect",
            Archetype::ChinesePharmacy => "康健大药房",
            Archetype::Classifieds => "QuickAds",
            Archetype::LegitPharmacy => "CareWell Pharmacy",
        };
        let display_name = if suffix.is_empty() {
            display.to_string()
        } else {
            format!("{display} {suffix}")
        };
        ShopSpec {
            name: format!("{}{suffix}", archetype.base_name()),
            display_name,
            archetype,
            identity: Identity::of_archetype(archetype, cycle),
        }
    }

    /// The category at `index` of this shop's archetype.
    pub fn category(&self, index: u8) -> &'static Category {
        let cats = self.archetype.categories();
        &cats[usize::from(index) % cats.len()]
    }

    /// Index of the category with `slug`.
    pub fn category_index(&self, slug: &str) -> Option<u8> {
        self.archetype
            .categories()
            .iter()
            .position(|c| c.slug == slug)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// Category name in the shop's language.
    pub fn category_name(&self, index: u8) -> &'static str {
        let cat = self.category(index);
        if self.archetype.is_gbk() {
            cat.name_zh
        } else {
            cat.name_en
        }
    }
}
