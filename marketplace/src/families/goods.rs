//! What the family shops sell besides medicines: devices, cosmetics and supplements at the
//! pharmacies, and ordinary goods at the boards, several with drug-like words in their names
//! ("Bar stools", "BMW M30 engine", "Hulk figure", "T3 router"): hard negatives for the rules.

use super::locale::Locale;

/// What kind of non-medicine an item is; decides its clean label's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoodsKind {
    Device,
    Cosmetic,
    Supplement,
    Ordinary,
}

/// One non-medicine item.
#[derive(Debug)]
pub struct FamilyGoods {
    /// Stable key (slugs).
    pub key: &'static str,
    pub kind: GoodsKind,
    /// Titles in English, German and Russian.
    pub titles: [&'static str; 3],
    /// Price range in US cents.
    pub usd_cents: (i64, i64),
    /// Units in the pack, when sold by count.
    pub units: Option<u32>,
}

impl FamilyGoods {
    pub fn title(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => self.titles[0],
            Locale::De => self.titles[1],
            Locale::Ru => self.titles[2],
        }
    }
}

/// Devices, cosmetics and supplements a pharmacy sells.
pub static PHARMACY_GOODS: &[FamilyGoods] = &[
    FamilyGoods {
        key: "bp-monitor",
        kind: GoodsKind::Device,
        titles: [
            "Upper-arm blood pressure monitor with 2 cuffs",
            "Oberarm-Blutdruckmessgerät mit 2 Manschetten",
            "Тонометр на плечо, 2 манжеты",
        ],
        usd_cents: (2500, 6500),
        units: None,
    },
    FamilyGoods {
        key: "thermometer",
        kind: GoodsKind::Device,
        titles: [
            "Infrared forehead thermometer, 1 second reading",
            "Infrarot-Stirnthermometer, Messung in 1 Sekunde",
            "Инфракрасный лобный термометр",
        ],
        usd_cents: (1500, 4000),
        units: None,
    },
    FamilyGoods {
        key: "sunscreen",
        kind: GoodsKind::Cosmetic,
        titles: [
            "Sun lotion SPF 50+ for sensitive skin, 200 ml",
            "Sonnenmilch LSF 50+ für empfindliche Haut, 200 ml",
            "Солнцезащитный крем SPF 50+, 200 мл",
        ],
        usd_cents: (900, 2200),
        units: None,
    },
    FamilyGoods {
        key: "face-serum",
        kind: GoodsKind::Cosmetic,
        titles: [
            "Hyaluronic acid face serum, 30 ml",
            "Hyaluron-Gesichtsserum, 30 ml",
            "Сыворотка для лица с гиалуроновой кислотой, 30 мл",
        ],
        usd_cents: (1200, 3500),
        units: None,
    },
    FamilyGoods {
        key: "vitamin-d3",
        kind: GoodsKind::Supplement,
        titles: [
            "Vitamin D3 1000 IU softgels, 90 count",
            "Vitamin D3 1000 I.E. Weichkapseln, 90 Stück",
            "Витамин D3 1000 МЕ, 90 капсул",
        ],
        usd_cents: (600, 1600),
        units: Some(90),
    },
    FamilyGoods {
        key: "omega-3",
        kind: GoodsKind::Supplement,
        titles: [
            "Omega-3 fish oil 1000 mg, 120 capsules",
            "Omega-3 Fischöl 1000 mg, 120 Kapseln",
            "Омега-3 рыбий жир 1000 мг, 120 капсул",
        ],
        usd_cents: (900, 2400),
        units: Some(120),
    },
];

/// Ordinary goods on the boards, several with words that look like drug slang.
pub static BOARD_GOODS: &[FamilyGoods] = &[
    FamilyGoods {
        key: "bar-stools",
        kind: GoodsKind::Ordinary,
        titles: [
            "Bar stools, set of 4, oak",
            "Barhocker, 4er-Set, Eiche",
            "Барные стулья, 4 шт., дуб",
        ],
        usd_cents: (6000, 20000),
        units: Some(4),
    },
    FamilyGoods {
        key: "m30-engine",
        kind: GoodsKind::Ordinary,
        titles: [
            "BMW M30 engine, complete, 180k km",
            "BMW M30 Motor komplett, 180 Tkm",
            "Двигатель BMW M30 в сборе",
        ],
        usd_cents: (50000, 150000),
        units: None,
    },
    FamilyGoods {
        key: "hulk-figure",
        kind: GoodsKind::Ordinary,
        titles: [
            "Hulk figure 30 cm, boxed",
            "Hulk Figur 30 cm, OVP",
            "Фигурка Халка 30 см, в коробке",
        ],
        usd_cents: (1500, 6000),
        units: None,
    },
    FamilyGoods {
        key: "t3-router",
        kind: GoodsKind::Ordinary,
        titles: [
            "T3 router, like new",
            "T3 Router, wie neu",
            "Роутер T3, как новый",
        ],
        usd_cents: (2000, 8000),
        units: None,
    },
    FamilyGoods {
        key: "mountain-bike",
        kind: GoodsKind::Ordinary,
        titles: [
            "Mountain bike 29\", hydraulic brakes",
            "Mountainbike 29 Zoll, hydraulische Bremsen",
            "Горный велосипед 29\", гидравлика",
        ],
        usd_cents: (15000, 90000),
        units: None,
    },
    FamilyGoods {
        key: "crutches",
        kind: GoodsKind::Device,
        titles: [
            "Pair of crutches, adjustable, used twice",
            "Unterarmgehstützen, Paar, verstellbar",
            "Костыли, пара, регулируемые",
        ],
        usd_cents: (1500, 4000),
        units: None,
    },
];
