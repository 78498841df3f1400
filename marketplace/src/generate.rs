//! The generator: options and the seeded decisions that make each listing.
//!
//! Each listing draws from its own PRNG seeded from (marketplace seed, listing number), so a
//! listing does not change when another one is added, removed or re-priced.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::archetype::{Archetype, category_by_slug, category_for_drug};
use crate::catalogue::{CLASSIFIED_GOODS, DRUGS, Drug, DrugClass, PHARMACY_GOODS, usd_rate};
use crate::content::{TitleParts, drug_title, strength_text};
use crate::format::{gs1_check_digit, price_format_count, slugify};
use crate::networks::{NETWORK_SHOP_LISTINGS, network_shops};
use crate::obfuscate::Obfuscation;
use crate::shops::ShopSpec;
use crate::spec::{Flags, Item, ListingSpec, MarkupStyle};

/// Size and seed of a generated marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceOptions {
    /// Same seed, same pages and ground truth, byte for byte.
    pub seed: u64,
    /// Number of shops; the four archetypes cycle under new names beyond four.
    pub shops: usize,
    /// Product pages per shop.
    pub listings_per_shop: usize,
    /// Adds the planted network shops after the `shops` archetype shops: seven small rogue
    /// pharmacies of [`NETWORK_SHOP_LISTINGS`] product pages each (fewer when
    /// `listings_per_shop` is smaller), forming the ground truth's `networks` and `decoys`.
    pub networks: bool,
}

impl Default for MarketplaceOptions {
    /// Four shops of 110 listings and the seven network shops of 12: 524 product pages.
    fn default() -> Self {
        MarketplaceOptions {
            seed: 20261101,
            shops: 4,
            listings_per_shop: 110,
            networks: true,
        }
    }
}

/// Share of rogue drug listings with an obfuscated name (contract: ~20 %).
pub const OBFUSCATED_SHARE: f64 = 0.20;
/// Share of rogue drug listings priced at 5–12 % of typical (contract: ~15 %).
pub const IMPLAUSIBLE_SHARE: f64 = 0.15;

/// First modification time of generated pages: 2026-11-01T00:00:00Z.
pub const BASE_MODIFIED: i64 = 1_793_491_200;

/// What a caller may fix when adding a listing; the generator decides the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewListing {
    /// Lexicon id of the drug (`oxycodone`); `None` adds a non-medicine item.
    pub drug: Option<String>,
    /// Disguise the drug name this way (ignored on the legitimate pharmacy).
    pub obfuscation: Option<Obfuscation>,
    /// Price in the shop's currency; default: a normal price for the pack.
    pub price: Option<Decimal>,
    /// Units in the pack; default: one of the drug's pack sizes.
    pub units: Option<u32>,
    /// Red flags to inject into a drug listing (ignored for non-medicines and on the
    /// legitimate pharmacy, which never has any).
    pub flags: Flags,
}

/// The per-listing PRNG: independent of every other listing.
pub fn listing_rng(seed: u64, number: u64) -> fastrand::Rng {
    let mut x = seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    fastrand::Rng::with_seed(x ^ (x >> 31))
}

/// Generates the shops and every listing's spec.
pub fn generate_specs(opts: &MarketplaceOptions) -> (Vec<ShopSpec>, Vec<ListingSpec>) {
    let mut shops: Vec<ShopSpec> = (0..opts.shops).map(ShopSpec::nth).collect();
    let archetype_shops = shops.len();
    if opts.networks {
        shops.extend(network_shops());
    }
    let mut ids = fastrand::Rng::with_seed(opts.seed);
    let mut next_id: u32 = 1000;
    let mut listings = Vec::with_capacity(opts.shops * opts.listings_per_shop);
    for (s, shop) in shops.iter().enumerate() {
        let count = if s < archetype_shops {
            opts.listings_per_shop
        } else {
            opts.listings_per_shop.min(NETWORK_SHOP_LISTINGS)
        };
        for _ in 0..count {
            next_id += 1 + ids.u32(..3);
            let mut rng = listing_rng(opts.seed, u64::from(next_id));
            let shop_index = u16::try_from(s).unwrap_or(u16::MAX);
            listings.push(random_listing(&mut rng, shop_index, shop, next_id));
        }
    }
    (shops, listings)
}

/// A listing with every decision random.
fn random_listing(rng: &mut fastrand::Rng, shop: u16, spec: &ShopSpec, id: u32) -> ListingSpec {
    let arch = spec.archetype;
    let drug_share = match arch {
        Archetype::RoguePharmacy | Archetype::ChinesePharmacy => 0.85,
        Archetype::Classifieds => 0.40,
        Archetype::LegitPharmacy => 0.70,
    };
    if rng.f64() < drug_share {
        let drug = pick_drug(rng, arch);
        let req = random_drug_request(rng, arch, drug);
        drug_listing(rng, shop, spec, id, drug, &req)
    } else {
        goods_listing(rng, shop, spec, id, None)
    }
}

/// Weighted towards what regulators seize most (PDE5, opioids, benzodiazepines).
fn pick_drug(rng: &mut fastrand::Rng, arch: Archetype) -> usize {
    const WEIGHTS: [u32; 19] = [12, 10, 8, 7, 8, 5, 5, 4, 5, 5, 6, 3, 3, 3, 2, 2, 3, 3, 2];
    let allowed = |i: usize| !(arch.is_legit() && DRUGS[i].class == DrugClass::Controlled);
    let total: u32 = (0..DRUGS.len())
        .filter(|i| allowed(*i))
        .map(|i| WEIGHTS[i])
        .sum();
    let mut r = rng.u32(..total.max(1));
    for (i, w) in WEIGHTS.iter().enumerate().take(DRUGS.len()) {
        if !allowed(i) {
            continue;
        }
        if r < *w {
            return i;
        }
        r -= w;
    }
    0
}

/// The red flags and disguises a random drug listing of `arch` gets.
fn random_drug_request(rng: &mut fastrand::Rng, arch: Archetype, drug: usize) -> DrugRequest {
    if arch.is_legit() {
        return DrugRequest::default();
    }
    let d = &DRUGS[drug];
    let (crypto, messaging, stealth) = match arch {
        Archetype::RoguePharmacy => (0.30, 0.30, 0.35),
        Archetype::ChinesePharmacy => (0.15, 0.40, 0.30),
        _ => (0.20, 0.60, 0.25),
    };
    // OTC listings sometimes say "no prescription" too: true, and no rule should fire.
    let no_rx_share = if d.class.needs_prescription() {
        0.45
    } else {
        0.20
    };
    let no_prescription = rng.f64() < no_rx_share;
    let flags = Flags {
        no_prescription,
        no_prescription_in_title: no_prescription && rng.f64() < 0.4,
        crypto_only: rng.f64() < crypto,
        messaging_only: rng.f64() < messaging,
        stealth: rng.f64() < stealth,
    };
    let obfuscation = (rng.f64() < OBFUSCATED_SHARE).then(|| {
        let kinds: &[Obfuscation] = if arch.is_gbk() {
            &Obfuscation::GBK_SAFE
        } else {
            &Obfuscation::ALL
        };
        kinds[rng.usize(..kinds.len())]
    });
    DrugRequest {
        flags,
        obfuscation,
        implausible: rng.f64() < IMPLAUSIBLE_SHARE,
        price: None,
        units: None,
    }
}

/// The decisions about a drug listing that callers may fix.
#[derive(Debug, Default)]
pub struct DrugRequest {
    pub flags: Flags,
    pub obfuscation: Option<Obfuscation>,
    pub implausible: bool,
    pub price: Option<Decimal>,
    pub units: Option<u32>,
}

impl DrugRequest {
    /// From a caller's [`NewListing`].
    pub fn from_new(new: &NewListing, arch: Archetype) -> DrugRequest {
        if arch.is_legit() {
            return DrugRequest {
                price: new.price,
                units: new.units,
                ..DrugRequest::default()
            };
        }
        DrugRequest {
            flags: Flags {
                no_prescription_in_title: new.flags.no_prescription
                    && new.flags.no_prescription_in_title,
                ..new.flags
            },
            obfuscation: new.obfuscation,
            implausible: false,
            price: new.price,
            units: new.units,
        }
    }
}

/// Builds a drug listing.
pub fn drug_listing(
    rng: &mut fastrand::Rng,
    shop: u16,
    spec: &ShopSpec,
    id: u32,
    drug_index: usize,
    req: &DrugRequest,
) -> ListingSpec {
    let arch = spec.archetype;
    let drug = &DRUGS[drug_index];
    let language = listing_language(rng, arch, &["en", "es", "fr", "pt", "ru"]);
    let plain_name = plain_name(rng, arch, drug);
    let display_name = match req.obfuscation {
        Some(kind) => {
            let latin = if rng.bool() {
                drug.display_inn()
            } else {
                drug.brands[rng.usize(..drug.brands.len())].to_string()
            };
            kind.apply(&latin, rng)
        }
        None => plain_name,
    };
    let strength_index = rng.usize(..drug.strengths.len());
    let (hundredths, unit) = drug.strengths[strength_index];
    let strength_value = Decimal::new(hundredths, 2).normalize();
    let spaced = arch == Archetype::Classifieds && rng.bool();
    let strength = strength_text(strength_value, unit, spaced);
    let mut units = req
        .units
        .unwrap_or_else(|| drug.packs[rng.usize(..drug.packs.len())]);
    let factor = if req.implausible {
        Decimal::new(i64::from(rng.u32(5..=12)), 2)
    } else {
        Decimal::new(i64::from(rng.u32(80..=150)), 2)
    };
    if req.implausible && req.units.is_none() {
        // Keep tiny prices well above a cent so rounding cannot hide how cheap they are.
        while drug.usd_per_unit() * Decimal::from(units) * factor < Decimal::ONE && units < 10_000 {
            units *= 2;
        }
    }
    let price_cents = match req.price {
        Some(p) => to_cents(p),
        None => shop_price_cents(
            drug.usd_per_unit() * Decimal::from(units) * factor,
            arch,
            req.implausible,
        ),
    };
    let title = drug_title(&TitleParts {
        archetype: arch,
        language,
        name: &display_name,
        strength: &strength,
        units,
        form: drug.form,
        no_prescription: req.flags.no_prescription_in_title,
        template: rng.usize(..10),
    });
    let category = category_for_drug(arch, drug.category);
    let slug = if req.obfuscation.is_some() {
        // The URL must not spell the drug plainly, or the name is not "only" obfuscated.
        slugify(&format!("{} {}", spec.category(category).slug, strength))
    } else {
        let latin = if display_name.is_ascii() {
            display_name.clone()
        } else {
            drug.inn.to_string()
        };
        slugify(&format!("{latin} {strength}"))
    };
    ListingSpec {
        id,
        shop,
        category,
        item: Item::Drug(u8::try_from(drug_index).unwrap_or(0)),
        display_name,
        obfuscation: req.obfuscation,
        strength: u8::try_from(strength_index).unwrap_or(0),
        units: Some(units),
        price_cents,
        price_format: rng.u8(..price_format_count(arch)),
        language,
        flags: req.flags,
        markup: markup(rng, arch),
        title,
        slug,
        variant: rng.u64(..),
        modified: BASE_MODIFIED - i64::from(rng.u32(..60 * 86_400)),
        gtin: gtin(rng, arch),
    }
}

/// Builds a non-medicine listing (optionally at a fixed price in the shop's currency).
pub fn goods_listing(
    rng: &mut fastrand::Rng,
    shop: u16,
    spec: &ShopSpec,
    id: u32,
    price: Option<Decimal>,
) -> ListingSpec {
    let arch = spec.archetype;
    let (item, goods) = if arch == Archetype::Classifieds {
        let i = rng.usize(..CLASSIFIED_GOODS.len());
        (Item::ClassifiedGoods(i as u8), &CLASSIFIED_GOODS[i])
    } else {
        let i = rng.usize(..PHARMACY_GOODS.len());
        (Item::PharmacyGoods(i as u8), &PHARMACY_GOODS[i])
    };
    let langs: Vec<&'static str> = goods.titles.iter().map(|(l, _)| *l).collect();
    let language = match arch {
        Archetype::Classifieds => langs[rng.usize(..langs.len())],
        _ => arch.language(),
    };
    let title_lang = if arch.is_gbk() { "zh" } else { language };
    let title = goods.title(title_lang).to_string();
    let local = Decimal::new(rng.i64(goods.cents.0..=goods.cents.1), 2);
    let price_cents = match price {
        Some(p) => to_cents(p),
        None if arch == Archetype::Classifieds => round_whole_cents(local),
        // Pharmacy goods are priced in USD; convert to the shop's currency.
        None => shop_price_cents(local, arch, false),
    };
    ListingSpec {
        id,
        shop,
        category: category_by_slug(arch, goods.category),
        item,
        display_name: title.clone(),
        obfuscation: None,
        strength: 0,
        units: goods.units,
        price_cents,
        price_format: rng.u8(..price_format_count(arch)),
        language: if arch.is_gbk() { "zh-CN" } else { language },
        flags: Flags::default(),
        markup: markup(rng, arch),
        slug: slugify(goods.key),
        title,
        variant: rng.u64(..),
        modified: BASE_MODIFIED - i64::from(rng.u32(..60 * 86_400)),
        gtin: gtin(rng, arch),
    }
}

fn listing_language(
    rng: &mut fastrand::Rng,
    arch: Archetype,
    mix: &[&'static str],
) -> &'static str {
    match arch {
        Archetype::Classifieds if rng.f64() >= 0.4 => mix[1 + rng.usize(..mix.len() - 1)],
        Archetype::Classifieds => "en",
        _ => arch.language(),
    }
}

/// The undisguised name a shop prints: INN or brand; Chinese names on the Chinese shop.
fn plain_name(rng: &mut fastrand::Rng, arch: Archetype, drug: &Drug) -> String {
    let brand = drug.brands[rng.usize(..drug.brands.len())].to_string();
    match arch {
        Archetype::ChinesePharmacy if rng.f64() < 0.85 => {
            drug.zh[rng.usize(..drug.zh.len())].to_string()
        }
        Archetype::ChinesePharmacy => brand,
        Archetype::LegitPharmacy if rng.f64() < 0.7 => drug.display_inn(),
        _ if rng.bool() => drug.display_inn(),
        _ => brand,
    }
}

fn markup(rng: &mut fastrand::Rng, arch: Archetype) -> MarkupStyle {
    match arch {
        Archetype::RoguePharmacy => match rng.u32(..10) {
            0..=3 => MarkupStyle::JsonLd,
            4 | 5 => MarkupStyle::JsonLdOffersArray,
            6 | 7 => MarkupStyle::JsonLdGraph,
            _ => MarkupStyle::JsonLdArray,
        },
        Archetype::LegitPharmacy if rng.f64() < 0.7 => MarkupStyle::JsonLdAndMicrodata,
        Archetype::LegitPharmacy => MarkupStyle::Microdata,
        _ => MarkupStyle::Profile,
    }
}

/// GTINs: always valid at the legitimate pharmacy; on some rogue pages, half with a wrong
/// check digit (a signal investigators use).
fn gtin(rng: &mut fastrand::Rng, arch: Archetype) -> Option<(String, bool)> {
    let (share, prefix) = match arch {
        Archetype::LegitPharmacy => (1.0, "50"),
        Archetype::RoguePharmacy => (0.3, "89"),
        _ => return None,
    };
    if rng.f64() >= share {
        return None;
    }
    let mut data = prefix.to_string();
    for _ in 0..10 {
        data.push(char::from(b'0' + rng.u8(..10)));
    }
    let check = gs1_check_digit(&data);
    let valid = arch.is_legit() || rng.bool();
    let digit = if valid {
        check
    } else {
        (check + 1 + rng.u32(..8)) % 10
    };
    data.push(char::from_digit(digit, 10).unwrap_or('0'));
    Some((data, valid))
}

pub(crate) fn to_cents(amount: Decimal) -> i64 {
    (amount.round_dp(2) * Decimal::ONE_HUNDRED)
        .to_i64()
        .unwrap_or(0)
}

fn round_whole_cents(amount: Decimal) -> i64 {
    if amount >= Decimal::from(20) {
        to_cents(amount.round())
    } else {
        to_cents(amount)
    }
}

/// Converts a USD amount to the shop's currency and rounds it the way the shop prices.
/// Implausible prices keep their cents: rounding must not lift them towards normal.
fn shop_price_cents(usd: Decimal, arch: Archetype, implausible: bool) -> i64 {
    let local = usd * usd_rate(arch.currency());
    if implausible || local < Decimal::from(20) {
        return to_cents(local).max(1);
    }
    match arch {
        Archetype::RoguePharmacy | Archetype::LegitPharmacy => {
            to_cents(local.floor() + Decimal::new(99, 2))
        }
        Archetype::ChinesePharmacy | Archetype::Classifieds => to_cents(local.round()),
    }
}
