//! What the shops sell: the contract's drug catalogue, non-medicine goods and exchange rates.
//!
//! The figures here are the contract's (see the crate docs): the rules lexicon holds the same
//! drugs with reference prices within ±30 %, so prices generated from these are judged the way
//! the generator intends.

use pharmwatch_model::Currency;
use rust_decimal::Decimal;

/// Legal class of a drug, as the rules lexicon records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrugClass {
    /// Over the counter.
    Otc,
    /// Prescription only.
    Rx,
    /// Narcotic or psychotropic (scheduled).
    Controlled,
}

impl DrugClass {
    /// Lexicon spelling (`otc`, `rx`, `controlled`).
    pub fn as_str(self) -> &'static str {
        match self {
            DrugClass::Otc => "otc",
            DrugClass::Rx => "rx",
            DrugClass::Controlled => "controlled",
        }
    }

    /// Whether selling it needs a prescription (the precondition of `rx-without-prescription`).
    pub fn needs_prescription(self) -> bool {
        !matches!(self, DrugClass::Otc)
    }
}

/// Dosage form of one unit; decides the words used for counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Tablet,
    Capsule,
    Pen,
}

impl Form {
    /// Singular English name, as recorded in the ground truth.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Tablet => "tablet",
            Form::Capsule => "capsule",
            Form::Pen => "pen",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Form::Tablet => "tablets",
            Form::Capsule => "capsules",
            Form::Pen => "pens",
        }
    }

    /// Chinese counter word ("30片", "10粒", "1支").
    pub fn zh_counter(self) -> &'static str {
        match self {
            Form::Tablet => "片",
            Form::Capsule => "粒",
            Form::Pen => "支",
        }
    }
}

/// One drug of the contract's catalogue.
#[derive(Debug)]
pub struct Drug {
    /// Lexicon id: the INN in lower case.
    pub inn: &'static str,
    pub class: DrugClass,
    pub category: &'static str,
    /// Latin-script brand and other names (capitalised as printed).
    pub brands: &'static [&'static str],
    /// Chinese names.
    pub zh: &'static [&'static str],
    /// Typical price of one unit in US cents.
    pub usd_cents_per_unit: i64,
    pub form: Form,
    /// Strengths sold, as (value in hundredths, unit): 50 mg = (5000, "mg").
    pub strengths: &'static [(i64, &'static str)],
    /// Pack sizes sold.
    pub packs: &'static [u32],
}

impl Drug {
    /// Typical price of one unit in USD.
    pub fn usd_per_unit(&self) -> Decimal {
        Decimal::new(self.usd_cents_per_unit, 2)
    }

    /// The INN with its first letter capitalised, as shops print it.
    pub fn display_inn(&self) -> String {
        capitalise(self.inn)
    }
}

const TABS: &[u32] = &[10, 20, 28, 30, 60, 90, 120];
const SMALL_PACKS: &[u32] = &[6, 10, 14, 20, 30];
const PENS: &[u32] = &[1, 2, 4];

/// The contract's drug catalogue, in the contract's order.
pub static DRUGS: &[Drug] = &[
    Drug {
        inn: "sildenafil",
        class: DrugClass::Rx,
        category: "pde5",
        brands: &["Viagra", "Kamagra"],
        zh: &["西地那非", "万艾可"],
        usd_cents_per_unit: 200,
        form: Form::Tablet,
        strengths: &[(2500, "mg"), (5000, "mg"), (10000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "tadalafil",
        class: DrugClass::Rx,
        category: "pde5",
        brands: &["Cialis"],
        zh: &["他达拉非", "希爱力"],
        usd_cents_per_unit: 200,
        form: Form::Tablet,
        strengths: &[(500, "mg"), (1000, "mg"), (2000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "oxycodone",
        class: DrugClass::Controlled,
        category: "opioid",
        brands: &["OxyContin", "Roxicodone"],
        zh: &["羟考酮", "奥施康定"],
        usd_cents_per_unit: 300,
        form: Form::Tablet,
        strengths: &[(1000, "mg"), (2000, "mg"), (3000, "mg"), (8000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "tramadol",
        class: DrugClass::Controlled,
        category: "opioid",
        brands: &["Ultram"],
        zh: &["曲马多"],
        usd_cents_per_unit: 80,
        form: Form::Capsule,
        strengths: &[(5000, "mg"), (10000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "alprazolam",
        class: DrugClass::Controlled,
        category: "benzodiazepine",
        brands: &["Xanax"],
        zh: &["阿普唑仑"],
        usd_cents_per_unit: 100,
        form: Form::Tablet,
        strengths: &[(50, "mg"), (100, "mg"), (200, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "diazepam",
        class: DrugClass::Controlled,
        category: "benzodiazepine",
        brands: &["Valium"],
        zh: &["地西泮"],
        usd_cents_per_unit: 50,
        form: Form::Tablet,
        strengths: &[(200, "mg"), (500, "mg"), (1000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "zolpidem",
        class: DrugClass::Controlled,
        category: "z-drug",
        brands: &["Ambien"],
        zh: &["唑吡坦"],
        usd_cents_per_unit: 100,
        form: Form::Tablet,
        strengths: &[(500, "mg"), (1000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "methylphenidate",
        class: DrugClass::Controlled,
        category: "stimulant",
        brands: &["Ritalin"],
        zh: &["哌醋甲酯"],
        usd_cents_per_unit: 150,
        form: Form::Tablet,
        strengths: &[(1000, "mg"), (1800, "mg"), (3600, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "modafinil",
        class: DrugClass::Controlled,
        category: "stimulant",
        brands: &["Provigil", "Modalert"],
        zh: &["莫达非尼"],
        usd_cents_per_unit: 200,
        form: Form::Tablet,
        strengths: &[(10000, "mg"), (20000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "pregabalin",
        class: DrugClass::Rx,
        category: "gabapentinoid",
        brands: &["Lyrica"],
        zh: &["普瑞巴林"],
        usd_cents_per_unit: 100,
        form: Form::Capsule,
        strengths: &[(7500, "mg"), (15000, "mg"), (30000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "semaglutide",
        class: DrugClass::Rx,
        category: "glp1",
        brands: &["Ozempic", "Wegovy"],
        zh: &["司美格鲁肽"],
        usd_cents_per_unit: 25000,
        form: Form::Pen,
        strengths: &[(25, "mg"), (50, "mg"), (100, "mg"), (240, "mg")],
        packs: PENS,
    },
    Drug {
        inn: "isotretinoin",
        class: DrugClass::Rx,
        category: "dermatology",
        brands: &["Accutane", "Roaccutane"],
        zh: &["异维A酸"],
        usd_cents_per_unit: 200,
        form: Form::Capsule,
        strengths: &[(1000, "mg"), (2000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "amoxicillin",
        class: DrugClass::Rx,
        category: "antibiotic",
        brands: &["Amoxil"],
        zh: &["阿莫西林"],
        usd_cents_per_unit: 30,
        form: Form::Capsule,
        strengths: &[(25000, "mg"), (50000, "mg")],
        packs: SMALL_PACKS,
    },
    Drug {
        inn: "azithromycin",
        class: DrugClass::Rx,
        category: "antibiotic",
        brands: &["Zithromax"],
        zh: &["阿奇霉素"],
        usd_cents_per_unit: 150,
        form: Form::Tablet,
        strengths: &[(25000, "mg"), (50000, "mg")],
        packs: SMALL_PACKS,
    },
    Drug {
        inn: "atorvastatin",
        class: DrugClass::Rx,
        category: "cardiovascular",
        brands: &["Lipitor"],
        zh: &["阿托伐他汀"],
        usd_cents_per_unit: 50,
        form: Form::Tablet,
        strengths: &[(1000, "mg"), (2000, "mg"), (4000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "metformin",
        class: DrugClass::Rx,
        category: "diabetes",
        brands: &["Glucophage"],
        zh: &["二甲双胍"],
        usd_cents_per_unit: 20,
        form: Form::Tablet,
        strengths: &[(50000, "mg"), (85000, "mg"), (100000, "mg")],
        packs: TABS,
    },
    Drug {
        inn: "paracetamol",
        class: DrugClass::Otc,
        category: "analgesic",
        brands: &["Tylenol", "Acetaminophen"],
        zh: &["对乙酰氨基酚"],
        usd_cents_per_unit: 5,
        form: Form::Tablet,
        strengths: &[(50000, "mg")],
        packs: &[16, 32, 100],
    },
    Drug {
        inn: "ibuprofen",
        class: DrugClass::Otc,
        category: "analgesic",
        brands: &["Advil", "Nurofen"],
        zh: &["布洛芬"],
        usd_cents_per_unit: 8,
        form: Form::Tablet,
        strengths: &[(20000, "mg"), (40000, "mg")],
        packs: &[16, 24, 48, 96],
    },
    Drug {
        inn: "loratadine",
        class: DrugClass::Otc,
        category: "antihistamine",
        brands: &["Claritin"],
        zh: &["氯雷他定"],
        usd_cents_per_unit: 20,
        form: Form::Tablet,
        strengths: &[(1000, "mg")],
        packs: &[7, 14, 30, 60],
    },
];

/// The contract's typical price of one unit of the drug `inn` (lexicon id), in USD.
pub fn reference_usd_per_unit(inn: &str) -> Option<Decimal> {
    drug_by_inn(inn).map(|i| DRUGS[i].usd_per_unit())
}

/// Every name the generator prints plainly for the drug `inn`: the INN, Latin-script names
/// and Chinese names (the rules lexicon must know them all).
pub fn drug_names(inn: &str) -> Option<Vec<&'static str>> {
    let d = &DRUGS[drug_by_inn(inn)?];
    Some(
        std::iter::once(d.inn)
            .chain(d.brands.iter().copied())
            .chain(d.zh.iter().copied())
            .collect(),
    )
}

/// Lexicon ids of every drug the generator uses, in the contract's order.
pub fn drug_ids() -> Vec<&'static str> {
    DRUGS.iter().map(|d| d.inn).collect()
}

/// Units of the ISO currency `code` per 1 USD, per the contract's table (None if unknown).
pub fn usd_rate_of(code: &str) -> Option<Decimal> {
    let c: Currency = code.parse().ok()?;
    matches!(c.as_str(), "USD" | "EUR" | "GBP" | "CNY").then(|| usd_rate(c))
}

/// Looks a drug up by its lexicon id.
pub fn drug_by_inn(inn: &str) -> Option<usize> {
    DRUGS.iter().position(|d| d.inn.eq_ignore_ascii_case(inn))
}

/// Something that is not a medicine: it must never name a lexicon drug.
#[derive(Debug)]
pub struct Goods {
    /// Stable key (used in slugs).
    pub key: &'static str,
    /// Category slug of the shop archetype that sells it.
    pub category: &'static str,
    /// Titles by language ("en", "es", "fr", "pt", "ru", "zh").
    pub titles: &'static [(&'static str, &'static str)],
    /// Price range in the shop's currency, in cents.
    pub cents: (i64, i64),
    /// Units in the pack, when the item is sold by count.
    pub units: Option<u32>,
}

/// Non-medicine items of pharmacies (vitamin C, plasters, shampoo). Amounts are USD cents and
/// are converted to the shop's currency.
pub static PHARMACY_GOODS: &[Goods] = &[
    Goods {
        key: "vitamin-c",
        category: "health-beauty",
        titles: &[
            ("en", "Vitamin C 1000mg & Zinc x 60 tablets"),
            ("zh", "维生素C 1000mg 60片"),
        ],
        cents: (400, 1500),
        units: Some(60),
    },
    Goods {
        key: "plasters",
        category: "health-beauty",
        titles: &[
            ("en", "Plasters \"Sensitive\" & Waterproof, Pack of 40"),
            ("zh", "防水创可贴 40片"),
        ],
        cents: (200, 600),
        units: Some(40),
    },
    Goods {
        key: "shampoo",
        category: "health-beauty",
        titles: &[
            ("en", "Anti-Dandruff Shampoo 250ml <Family Size>"),
            ("zh", "去屑洗发水 250ml 家庭装"),
        ],
        cents: (300, 900),
        units: None,
    },
];

/// Non-medicine items of classifieds (bicycles, phones, sofas); amounts in EUR cents.
pub static CLASSIFIED_GOODS: &[Goods] = &[
    Goods {
        key: "mountain-bike",
        category: "bikes",
        titles: &[
            ("en", "Mountain bike 29\" Shimano Deore, barely used"),
            ("es", "Vendo bicicleta de montaña 29\" Shimano"),
            ("fr", "VTT 29 pouces Shimano, très bon état"),
            ("pt", "Bicicleta BTT roda 29, como nova"),
            ("ru", "Продам горный велосипед 29\""),
        ],
        cents: (8000, 90000),
        units: None,
    },
    Goods {
        key: "road-bike",
        category: "bikes",
        titles: &[
            ("en", "Road bike, 54cm frame & carbon fork"),
            ("es", "Bicicleta de carretera talla 54"),
            ("fr", "Vélo de route cadre 54 cm"),
        ],
        cents: (15000, 120000),
        units: None,
    },
    Goods {
        key: "phone",
        category: "phones",
        titles: &[
            ("en", "iPhone 12 128GB – like new"),
            ("es", "Samsung Galaxy S21 128GB, perfecto estado"),
            ("fr", "iPhone 13 mini 128 Go débloqué"),
            ("pt", "Telemóvel Xiaomi Redmi Note 11, desbloqueado"),
            ("ru", "Продаю iPhone 11 64GB"),
        ],
        cents: (5000, 70000),
        units: None,
    },
    Goods {
        key: "sofa",
        category: "furniture",
        titles: &[
            ("en", "3-seater sofa, grey & comfy"),
            ("es", "Sofá de 3 plazas gris"),
            ("fr", "Canapé 3 places \"Scandinave\" gris"),
            ("pt", "Sofá de 3 lugares, cinzento"),
            ("ru", "Диван трёхместный, серый"),
        ],
        cents: (4000, 60000),
        units: None,
    },
];

impl Goods {
    /// The title in `lang`, falling back to the first one listed.
    pub fn title(&self, lang: &str) -> &'static str {
        self.titles
            .iter()
            .find(|(l, _)| *l == lang)
            .or_else(|| self.titles.first())
            .map(|(_, t)| *t)
            .unwrap_or(self.key)
    }
}

/// Units of `currency` per 1 USD (the contract's table, dated 2026-11-01).
pub fn usd_rate(currency: Currency) -> Decimal {
    match currency.as_str() {
        "EUR" => Decimal::new(92, 2),
        "GBP" => Decimal::new(79, 2),
        "CNY" => Decimal::new(720, 2),
        // Only the template families price in roubles (config/reference/currency_rates.csv).
        "RUB" => Decimal::new(90, 0),
        _ => Decimal::ONE,
    }
}

/// Pound sterling (the model only names USD, EUR and CNY as constants).
pub fn gbp() -> Currency {
    // A literal three-letter code: parsing cannot fail.
    "GBP".parse().unwrap_or(Currency::USD)
}

/// First letter upper case, rest unchanged.
pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
