//! One offer of a family shop: what is sold, at what price and on what basis, by whom, with
//! which of the listing's own claims, and the label an analyst would give it, with the reason.

use pharmwatch_model::PriceBasis;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::goods::{BOARD_GOODS, FamilyGoods, GoodsKind, PHARMACY_GOODS};
use super::locale::Locale;
use super::shop::{Family, FamilyShop};
use crate::catalogue::{DRUGS, Drug, DrugClass, Form, usd_rate};
use crate::obfuscate::Obfuscation;

/// Share of suspicious offers at the family pharmacies and at the boards: together about
/// 15 %, as on real catalogues (issue 18).
const PHARMACY_SUSPICIOUS: f64 = 0.12;
const BOARD_SUSPICIOUS: f64 = 0.22;

/// How an analyst judges an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    /// Should be flagged.
    Suspicious,
    /// Must not be flagged at medium or above.
    Clean,
}

/// Why an offer got its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// A prescription or controlled medicine offered with a no-prescription claim.
    NoPrescriptionClaim,
    /// A prescription or controlled medicine at 5–12 % of its normal price.
    ImplausiblePrice,
    /// The medicine's name is printed only in disguise.
    ObfuscatedName,
    /// Crypto-currency is the only payment and messaging apps the only contact.
    CryptoAndMessagingOnly,
    /// A prescription or controlled medicine offered by a private person on a forum or
    /// classifieds board, contact by messenger.
    MedicineOnInformalMarket,
    /// An ordinary over-the-counter medicine at a normal price.
    OtcMedicine,
    /// A prescription medicine sold only against a prescription, at a normal price.
    PrescriptionRequired,
    /// A medical device.
    Device,
    /// A cosmetic.
    Cosmetic,
    /// A food supplement.
    Supplement,
    /// Ordinary goods, some with drug-like words in their names.
    OrdinaryGoods,
}

impl Reason {
    /// The label this reason gives.
    pub fn label(self) -> Label {
        match self {
            Reason::NoPrescriptionClaim
            | Reason::ImplausiblePrice
            | Reason::ObfuscatedName
            | Reason::CryptoAndMessagingOnly
            | Reason::MedicineOnInformalMarket => Label::Suspicious,
            _ => Label::Clean,
        }
    }

    fn of_goods(kind: GoodsKind) -> Reason {
        match kind {
            GoodsKind::Device => Reason::Device,
            GoodsKind::Cosmetic => Reason::Cosmetic,
            GoodsKind::Supplement => Reason::Supplement,
            GoodsKind::Ordinary => Reason::OrdinaryGoods,
        }
    }
}

/// What an offer sells.
#[derive(Debug, Clone, Copy)]
pub enum Item {
    Drug(&'static Drug),
    Goods(&'static FamilyGoods),
}

/// Everything decided about one offer; pages are rendered from it.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: u32,
    pub item: Item,
    pub obfuscation: Option<Obfuscation>,
    pub units: Option<u32>,
    /// "180 tablets" as the shop prints the pack.
    pub count_text: Option<String>,
    pub title: String,
    pub description: String,
    /// Amount for what `basis` says, in the shop's currency.
    pub price: Decimal,
    pub basis: PriceBasis,
    pub price_text: String,
    /// The struck-through former price, as printed.
    pub old_price_text: Option<String>,
    pub seller: String,
    pub contacts: Vec<String>,
    /// "Prescription required …" or "No prescription needed …", as printed.
    pub prescription_note: Option<&'static str>,
    /// The listing's payment and shipping lines; empty when it prints none.
    pub payment: &'static str,
    pub shipping: &'static str,
    pub reason: Reason,
    /// Category slug of the shop's menu it is filed under.
    pub category: &'static str,
}

impl Offer {
    /// The listing's own claims as printed: prescription note, payment and shipping lines.
    pub fn own_claims(&self) -> Vec<String> {
        self.prescription_note
            .into_iter()
            .chain([self.payment, self.shipping])
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// The decisions a label needs before the offer is written.
struct Plan {
    item: Item,
    reason: Reason,
    obfuscation: Option<Obfuscation>,
    /// Price as a share of the normal price.
    factor: Decimal,
    crypto_messaging: bool,
    stealth: bool,
    prescription_note: Option<&'static str>,
}

/// Offer `id` of `shop`, every decision drawn from `rng`.
pub fn offer(rng: &mut fastrand::Rng, shop: &FamilyShop, id: u32) -> Offer {
    let plan = if shop.family == Family::Board {
        board_plan(rng, shop.locale)
    } else {
        pharmacy_plan(rng, shop.locale)
    };
    write_offer(rng, shop, id, plan)
}

fn pharmacy_plan(rng: &mut fastrand::Rng, locale: Locale) -> Plan {
    let mut plan = Plan {
        item: Item::Drug(&DRUGS[0]),
        reason: Reason::OtcMedicine,
        obfuscation: None,
        factor: normal_factor(rng),
        crypto_messaging: false,
        stealth: false,
        prescription_note: None,
    };
    if rng.f64() < PHARMACY_SUSPICIOUS {
        plan.reason = [
            Reason::NoPrescriptionClaim,
            Reason::ImplausiblePrice,
            Reason::ObfuscatedName,
            Reason::CryptoAndMessagingOnly,
        ][rng.usize(..4)];
        plan.item = Item::Drug(pick_drug(rng, |d| {
            d.class.needs_prescription() && d.usd_cents_per_unit >= 50
        }));
        plan.stealth = rng.bool();
        match plan.reason {
            Reason::NoPrescriptionClaim => plan.prescription_note = Some(locale.no_prescription()),
            Reason::ImplausiblePrice => plan.factor = Decimal::new(i64::from(rng.u32(5..=12)), 2),
            Reason::ObfuscatedName => {
                plan.obfuscation = Some(Obfuscation::ALL[rng.usize(..Obfuscation::ALL.len())])
            }
            _ => plan.crypto_messaging = true,
        }
        return plan;
    }
    let roll = rng.f64();
    if roll < 0.30 {
        plan.item = Item::Drug(pick_drug(rng, |d| d.class == DrugClass::Otc));
    } else if roll < 0.65 {
        plan.reason = Reason::PrescriptionRequired;
        plan.item = Item::Drug(pick_drug(rng, |d| d.class.needs_prescription()));
        plan.prescription_note = Some(locale.prescription_required());
    } else {
        let goods = &PHARMACY_GOODS[rng.usize(..PHARMACY_GOODS.len())];
        plan.item = Item::Goods(goods);
        plan.reason = Reason::of_goods(goods.kind);
    }
    plan
}

fn board_plan(rng: &mut fastrand::Rng, locale: Locale) -> Plan {
    if rng.f64() < BOARD_SUSPICIOUS {
        let no_rx = rng.bool();
        return Plan {
            item: Item::Drug(pick_drug(rng, |d| {
                d.class.needs_prescription() && d.form != Form::Pen
            })),
            reason: Reason::MedicineOnInformalMarket,
            obfuscation: None,
            factor: normal_factor(rng),
            crypto_messaging: rng.bool(),
            stealth: rng.bool(),
            prescription_note: no_rx.then(|| locale.no_prescription()),
        };
    }
    let goods = &BOARD_GOODS[rng.usize(..BOARD_GOODS.len())];
    Plan {
        item: Item::Goods(goods),
        reason: Reason::of_goods(goods.kind),
        obfuscation: None,
        factor: normal_factor(rng),
        crypto_messaging: false,
        stealth: false,
        prescription_note: None,
    }
}

fn normal_factor(rng: &mut fastrand::Rng) -> Decimal {
    Decimal::new(i64::from(rng.u32(85..=140)), 2)
}

fn pick_drug(rng: &mut fastrand::Rng, allowed: impl Fn(&Drug) -> bool) -> &'static Drug {
    let pool: Vec<&'static Drug> = DRUGS.iter().filter(|d| allowed(d)).collect();
    pool.get(rng.usize(..pool.len().max(1)))
        .copied()
        .unwrap_or(&DRUGS[0])
}

fn write_offer(rng: &mut fastrand::Rng, shop: &FamilyShop, id: u32, plan: Plan) -> Offer {
    let locale = shop.locale;
    let (name, strength, units, usd_unit, category) = match plan.item {
        Item::Drug(d) => {
            let plain = if rng.bool() {
                d.display_inn()
            } else {
                d.brands[rng.usize(..d.brands.len())].to_string()
            };
            let name = match plan.obfuscation {
                Some(kind) => kind.apply(&plain, rng),
                None => plain,
            };
            let (hundredths, unit) = d.strengths[rng.usize(..d.strengths.len())];
            let strength = format!("{} {unit}", Decimal::new(hundredths, 2).normalize());
            let units = d.packs[rng.usize(..d.packs.len())];
            (
                name,
                Some(strength),
                Some(units),
                d.usd_per_unit(),
                d.category,
            )
        }
        Item::Goods(g) => {
            let cents = rng.i64(g.usd_cents.0..=g.usd_cents.1);
            (
                g.title(locale).to_string(),
                None,
                g.units,
                Decimal::new(cents, 2),
                g.key,
            )
        }
    };
    let form = match plan.item {
        Item::Drug(d) => Some(d.form),
        Item::Goods(_) => None,
    };
    let count_text = form.zip(units).map(|(f, u)| locale.count(u, f));
    let per_unit = shop.family == Family::UnitPricePharmacy && form.is_some();
    let basis = if per_unit {
        PriceBasis::Unit
    } else {
        PriceBasis::Offer
    };
    let local_unit = usd_unit * usd_rate(shop.currency) * plan.factor;
    let price = match (basis, plan.item) {
        (PriceBasis::Unit, _) => round_price(local_unit, shop),
        (_, Item::Drug(_)) => round_price(local_unit * Decimal::from(units.unwrap_or(1)), shop),
        (_, Item::Goods(_)) => round_price(local_unit, shop),
    };
    let variant = rng.u8(..);
    let price_text = shop.price_text(price, basis, form, variant);
    let old_price_text = (per_unit && rng.f64() < 0.3).then(|| {
        shop.price_text(
            round_price(price * Decimal::new(125, 2), shop),
            PriceBasis::Offer,
            None,
            0,
        )
    });
    let title = title(shop, &name, strength.as_deref(), count_text.as_deref(), rng);
    let description = description(
        locale,
        &plan,
        &name,
        strength.as_deref(),
        count_text.as_deref(),
    );
    let contacts = contacts(rng, shop, plan.crypto_messaging);
    let private_goods = shop.family == Family::Board && matches!(plan.item, Item::Goods(_));
    Offer {
        id,
        item: plan.item,
        obfuscation: plan.obfuscation,
        units,
        count_text,
        title,
        description,
        price,
        basis,
        price_text,
        old_price_text,
        seller: shop.seller(rng),
        contacts,
        prescription_note: plan.prescription_note,
        // A private seller of goods names neither payment nor shipping.
        payment: match (plan.crypto_messaging, private_goods) {
            (true, _) => locale.crypto_only(),
            (false, true) => "",
            (false, false) => locale.card_payment(),
        },
        shipping: match (plan.stealth, private_goods) {
            (true, _) => locale.stealth(),
            (false, true) => "",
            (false, false) => locale.tracked(),
        },
        reason: plan.reason,
        category: menu_category(category),
    }
}

/// Board prices are round (people post "£25"); shops print cents, roubles have none.
fn round_price(amount: Decimal, shop: &FamilyShop) -> Decimal {
    let whole = shop.family == Family::Board || shop.currency.as_str() == "RUB";
    let rounded = if whole {
        amount.round_dp(0).max(Decimal::ONE)
    } else {
        amount.round_dp(2).max(Decimal::new(1, 2))
    };
    rounded.normalize()
}

fn title(
    shop: &FamilyShop,
    name: &str,
    strength: Option<&str>,
    count: Option<&str>,
    rng: &mut fastrand::Rng,
) -> String {
    let (Some(strength), Some(count)) = (strength, count) else {
        return name.to_string();
    };
    match (shop.family, shop.locale, rng.u8(..2)) {
        (Family::Board, Locale::En, 0) => format!("WTS {name} {strength} x{}", count_number(count)),
        (Family::Board, Locale::En, _) => format!("Selling {name} {strength}, {count}"),
        (Family::Board, Locale::De, _) => format!("Verkaufe {name} {strength}, {count}"),
        (Family::Board, Locale::Ru, _) => format!("Продам {name} {strength}, {count}"),
        (Family::UnitPricePharmacy, _, _) => format!("{name} {strength} — {count}"),
        (_, _, 0) => format!("{name} {strength}"),
        (_, _, _) => format!("{name} {strength} ({count})"),
    }
}

fn count_number(count: &str) -> &str {
    count.split(' ').next().unwrap_or(count)
}

fn description(
    locale: Locale,
    plan: &Plan,
    name: &str,
    strength: Option<&str>,
    count: Option<&str>,
) -> String {
    let (Item::Drug(d), Some(strength), Some(count)) = (plan.item, strength, count) else {
        return match locale {
            Locale::En => format!("{name}. New, in the original packaging."),
            Locale::De => format!("{name}. Neu und originalverpackt."),
            Locale::Ru => format!("{name}. Новый, в заводской упаковке."),
        };
    };
    // A disguised name must not be spelt plainly anywhere in the listing.
    let active = if plan.obfuscation.is_some() {
        name.to_string()
    } else {
        d.display_inn()
    };
    match locale {
        Locale::En => format!(
            "{name} {strength} contains {active} as its active ingredient. Pack of {count}. Read the patient leaflet before use."
        ),
        Locale::De => format!(
            "{name} {strength} enthält den Wirkstoff {active}. Packung mit {count}. Lesen Sie vor der Anwendung die Packungsbeilage."
        ),
        Locale::Ru => format!(
            "{name} {strength}: действующее вещество — {active}. В упаковке {count}. Перед применением прочтите инструкцию."
        ),
    }
}

/// Messaging-only sellers give a Telegram handle and a WhatsApp number; others a phone and
/// an e-mail address (board posters) or nothing besides the shop's own (pharmacies).
fn contacts(rng: &mut fastrand::Rng, shop: &FamilyShop, messaging_only: bool) -> Vec<String> {
    let handle = format!("{}_{}", shop.name, rng.u16(100..1000));
    let phone = shop.locale.phone(rng);
    if messaging_only {
        vec![format!("Telegram: @{handle}"), format!("WhatsApp: {phone}")]
    } else if shop.family == Family::Board {
        vec![
            format!("Tel.: {phone}"),
            format!("E-mail: {handle}@example.net"),
        ]
    } else {
        Vec::new()
    }
}

/// The mega-menu category of a drug category or goods key.
fn menu_category(key: &str) -> &'static str {
    match key {
        "pde5" => "mens-health",
        "opioid" | "analgesic" | "gabapentinoid" => "pain-relief",
        "benzodiazepine" | "z-drug" | "stimulant" => "sleep-focus",
        "glp1" | "diabetes" | "cardiovascular" => "chronic-care",
        "antibiotic" | "dermatology" | "antihistamine" => "infections-allergy",
        _ => "health-devices",
    }
}
