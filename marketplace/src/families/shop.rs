//! The template families and their shops: name, language, currency, site kind, and how each
//! writes prices and sellers.

use pharmwatch_model::{Currency, PriceBasis, SiteKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::locale::Locale;
use crate::catalogue::Form;

/// A way of writing shop pages, unlike the four archetypes and unlike each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// An old table-layout pharmacy without structured data: title in `div.ttl h2`, price in
    /// a `<th>Price</th>` row, "Sold by" row, related products with prices, relative links.
    TablePharmacy,
    /// A shop that prices per unit ("$1.04/pill", "pro Tablette", "за таблетку"), with a
    /// mega-menu and category blurbs full of drug names and claims, struck-through former
    /// prices and reviews that talk about packaging.
    UnitPricePharmacy,
    /// Forum threads and classifieds pages with several offers per page, each with its own
    /// price and contact.
    Board,
}

impl Family {
    /// Every family, in serving order.
    pub const ALL: [Family; 3] = [
        Family::TablePharmacy,
        Family::UnitPricePharmacy,
        Family::Board,
    ];

    /// Name as the ground truth and the command line spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::TablePharmacy => "table-pharmacy",
            Family::UnitPricePharmacy => "unit-price-pharmacy",
            Family::Board => "board",
        }
    }
}

/// One shop of a family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyShop {
    /// Unique name (`apexdrugstore`, `sonnenhof2`, …).
    pub name: String,
    /// Name shown on its pages.
    pub display_name: String,
    /// Its template family.
    pub family: Family,
    /// Site kind, as a crawl configuration would declare it.
    pub kind: SiteKind,
    /// Language of its pages.
    pub locale: Locale,
    /// Currency of every price on the shop.
    pub currency: Currency,
}

/// (name, display name, locale, currency, kind) of the shops of each family, cycled.
type ShopRow = (&'static str, &'static str, Locale, &'static str, SiteKind);

const TABLE_SHOPS: [ShopRow; 3] = [
    (
        "apexdrugstore",
        "Apex Drugstore",
        Locale::En,
        "USD",
        SiteKind::Pharmacy,
    ),
    (
        "northgate",
        "Northgate Chemist",
        Locale::En,
        "GBP",
        SiteKind::Pharmacy,
    ),
    (
        "harbourmeds",
        "Harbour Meds",
        Locale::En,
        "EUR",
        SiteKind::Pharmacy,
    ),
];
const UNIT_SHOPS: [ShopRow; 3] = [
    (
        "pillpoint",
        "PillPoint",
        Locale::En,
        "USD",
        SiteKind::Pharmacy,
    ),
    (
        "sonnenhof",
        "Versandapotheke Sonnenhof",
        Locale::De,
        "EUR",
        SiteKind::Pharmacy,
    ),
    (
        "zdorovie",
        "Аптека «Здоровье»",
        Locale::Ru,
        "RUB",
        SiteKind::Pharmacy,
    ),
];
const BOARD_SHOPS: [ShopRow; 3] = [
    (
        "medtalk",
        "MedTalk Forum",
        Locale::En,
        "GBP",
        SiteKind::Forum,
    ),
    (
        "kleinanzeiger",
        "Kleinanzeiger",
        Locale::De,
        "EUR",
        SiteKind::Classifieds,
    ),
    ("baraholka", "Барахолка", Locale::Ru, "RUB", SiteKind::Forum),
];

impl FamilyShop {
    /// The `index`-th shop of `family`; names get a number from the second cycle on.
    pub fn nth(family: Family, index: usize) -> FamilyShop {
        let rows = match family {
            Family::TablePharmacy => &TABLE_SHOPS,
            Family::UnitPricePharmacy => &UNIT_SHOPS,
            Family::Board => &BOARD_SHOPS,
        };
        let (name, display, locale, currency, kind) = rows[index % rows.len()];
        let cycle = index / rows.len();
        let suffix = if cycle == 0 {
            String::new()
        } else {
            (cycle + 1).to_string()
        };
        FamilyShop {
            name: format!("{name}{suffix}"),
            display_name: format!("{display}{}", if suffix.is_empty() { "" } else { " " })
                + &suffix,
            family,
            kind,
            locale,
            // Three-letter literals: parsing cannot fail.
            currency: currency.parse().unwrap_or(Currency::USD),
        }
    }

    /// The price as the shop prints it; `form` names the unit of a per-unit price.
    pub fn price_text(
        &self,
        amount: Decimal,
        basis: PriceBasis,
        form: Option<Form>,
        variant: u8,
    ) -> String {
        let suffix = match (basis, form) {
            (PriceBasis::Unit, Some(form)) => self.locale.per_unit(form, variant),
            _ => "",
        };
        let whole = amount.fract().is_zero() && self.family == Family::Board;
        let number = if whole {
            group(&amount.trunc().to_string(), self.locale)
        } else if self.currency.as_str() == "RUB" {
            group(&amount.round_dp(0).to_string(), self.locale)
        } else {
            self.locale.amount(amount)
        };
        let printed = match (self.family, self.currency.as_str()) {
            (Family::TablePharmacy, "USD") => format!("US$ {number}"),
            (Family::TablePharmacy, code) => format!("{code} {number}"),
            (_, "USD") => format!("${number}"),
            (_, "GBP") => format!("£{number}"),
            (Family::Board, "EUR") => format!("{number} € VB"),
            (_, "EUR") => format!("{number} €"),
            (Family::Board, _) => format!("{number} руб."),
            (_, _) => format!("{number} ₽"),
        };
        format!("{printed}{suffix}")
    }

    /// Who the page says sells the offer.
    pub fn seller(&self, rng: &mut fastrand::Rng) -> String {
        const VENDORS: [&str; 4] = [
            "PharmaLink Ltd",
            "MedSource Europe B.V.",
            "Global Generics Inc.",
            "Crescent Dispensary",
        ];
        const POSTERS: [&str; 6] = [
            "dave_k",
            "Nightowl77",
            "petra.m",
            "old_tom",
            "Kasimir",
            "sunny_side",
        ];
        match self.family {
            Family::TablePharmacy => VENDORS[rng.usize(..VENDORS.len())].to_string(),
            Family::UnitPricePharmacy => self.display_name.clone(),
            Family::Board => POSTERS[rng.usize(..POSTERS.len())].to_string(),
        }
    }
}

/// Thousands separated as the language does ("1,200", "1.200", "1 200").
fn group(digits: &str, locale: Locale) -> String {
    let sep = match locale {
        Locale::En => ',',
        Locale::De => '.',
        Locale::Ru => ' ',
    };
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_written_as_each_shop_writes_them() {
        let table = FamilyShop::nth(Family::TablePharmacy, 0);
        assert_eq!(
            table.price_text(Decimal::new(36899, 2), PriceBasis::Offer, None, 0),
            "US$ 368.99"
        );
        let de = FamilyShop::nth(Family::UnitPricePharmacy, 1);
        assert_eq!(
            de.price_text(Decimal::new(80, 2), PriceBasis::Unit, Some(Form::Tablet), 0),
            "0,80 € pro Tablette"
        );
        let ru = FamilyShop::nth(Family::Board, 2);
        assert_eq!(
            ru.price_text(Decimal::new(2500, 0), PriceBasis::Offer, None, 0),
            "2 500 руб."
        );
        assert_eq!(FamilyShop::nth(Family::Board, 4).name, "kleinanzeiger2");
    }
}
