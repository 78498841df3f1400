//! The contract's four kinds of shop and the categories each files its products under.
//! Shops ([`crate::shops`]) and their operators' identities ([`crate::identity`]) are both
//! built from an archetype.

use pharmwatch_model::{Currency, SiteKind};
use serde::{Deserialize, Serialize};

use crate::catalogue::gbp;

/// One of the contract's four kinds of shop. More shops cycle these under new names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Archetype {
    /// English rogue pharmacy with JSON-LD (`medsdirect`).
    RoguePharmacy,
    /// Chinese-language rogue pharmacy served in GBK, no structured data (`kangjian`).
    ChinesePharmacy,
    /// Multilingual classifieds site, no structured data (`quickads`).
    Classifieds,
    /// Legitimate, prescription-requiring pharmacy with JSON-LD and microdata (`carewell`).
    LegitPharmacy,
}

impl Archetype {
    /// The archetypes in the order shops cycle through them.
    pub const ALL: [Archetype; 4] = [
        Archetype::RoguePharmacy,
        Archetype::ChinesePharmacy,
        Archetype::Classifieds,
        Archetype::LegitPharmacy,
    ];

    /// Name of the first shop of this archetype.
    pub fn base_name(self) -> &'static str {
        match self {
            Archetype::RoguePharmacy => "medsdirect",
            Archetype::ChinesePharmacy => "kangjian",
            Archetype::Classifieds => "quickads",
            Archetype::LegitPharmacy => "carewell",
        }
    }

    /// Site kind of shops of this archetype.
    pub fn kind(self) -> SiteKind {
        match self {
            Archetype::Classifieds => SiteKind::Classifieds,
            _ => SiteKind::Pharmacy,
        }
    }

    /// Currency of shops of this archetype.
    pub fn currency(self) -> Currency {
        match self {
            Archetype::RoguePharmacy => Currency::USD,
            Archetype::ChinesePharmacy => Currency::CNY,
            Archetype::Classifieds => Currency::EUR,
            Archetype::LegitPharmacy => gbp(),
        }
    }

    /// Shop-level language (BCP 47); classifieds ads carry their own.
    pub fn language(self) -> &'static str {
        match self {
            Archetype::ChinesePharmacy => "zh-CN",
            _ => "en",
        }
    }

    /// True for the shop whose pages are encoded in GBK.
    pub fn is_gbk(self) -> bool {
        self == Archetype::ChinesePharmacy
    }

    /// Whether it is the legitimate shop (no red flags ever).
    pub fn is_legit(self) -> bool {
        self == Archetype::LegitPharmacy
    }

    /// Product pages are `/ad/<id>.html` on classifieds, `/product/<id>-<slug>.html` elsewhere.
    pub fn is_classifieds(self) -> bool {
        self == Archetype::Classifieds
    }

    /// The shop's categories, in navigation order.
    pub fn categories(self) -> &'static [Category] {
        match self {
            Archetype::Classifieds => CLASSIFIED_CATEGORIES,
            _ => PHARMACY_CATEGORIES,
        }
    }
}

/// A category of a shop: slug (URL), English and Chinese names.
#[derive(Debug)]
pub struct Category {
    pub slug: &'static str,
    pub name_en: &'static str,
    pub name_zh: &'static str,
    /// Drug categories (catalogue) filed here.
    pub drug_categories: &'static [&'static str],
}

static PHARMACY_CATEGORIES: &[Category] = &[
    Category {
        slug: "mens-health",
        name_en: "Men's Health",
        name_zh: "男科用药",
        drug_categories: &["pde5"],
    },
    Category {
        slug: "pain-relief",
        name_en: "Pain Relief",
        name_zh: "止痛药",
        drug_categories: &["opioid", "analgesic", "gabapentinoid"],
    },
    Category {
        slug: "sleep-anxiety",
        name_en: "Sleep & Anxiety",
        name_zh: "安眠镇静",
        drug_categories: &["benzodiazepine", "z-drug"],
    },
    Category {
        slug: "focus",
        name_en: "Focus & Energy",
        name_zh: "提神醒脑",
        drug_categories: &["stimulant"],
    },
    Category {
        slug: "weight-loss",
        name_en: "Weight Loss",
        name_zh: "减肥瘦身",
        drug_categories: &["glp1"],
    },
    Category {
        slug: "skin",
        name_en: "Skin Care",
        name_zh: "皮肤用药",
        drug_categories: &["dermatology"],
    },
    Category {
        slug: "antibiotics",
        name_en: "Antibiotics",
        name_zh: "抗生素",
        drug_categories: &["antibiotic"],
    },
    Category {
        slug: "heart-diabetes",
        name_en: "Heart & Diabetes",
        name_zh: "心血管与糖尿病",
        drug_categories: &["cardiovascular", "diabetes"],
    },
    Category {
        slug: "allergy",
        name_en: "Allergy",
        name_zh: "抗过敏",
        drug_categories: &["antihistamine"],
    },
    Category {
        slug: "health-beauty",
        name_en: "Health & Beauty",
        name_zh: "保健与个护",
        drug_categories: &[],
    },
];

static CLASSIFIED_CATEGORIES: &[Category] = &[
    Category {
        slug: "health-beauty",
        name_en: "Health & Beauty",
        name_zh: "",
        drug_categories: &[
            "pde5",
            "glp1",
            "dermatology",
            "antibiotic",
            "cardiovascular",
            "diabetes",
            "analgesic",
            "antihistamine",
        ],
    },
    Category {
        slug: "other",
        name_en: "Other",
        name_zh: "",
        drug_categories: &[
            "opioid",
            "benzodiazepine",
            "z-drug",
            "stimulant",
            "gabapentinoid",
        ],
    },
    Category {
        slug: "bikes",
        name_en: "Bikes",
        name_zh: "",
        drug_categories: &[],
    },
    Category {
        slug: "phones",
        name_en: "Phones",
        name_zh: "",
        drug_categories: &[],
    },
    Category {
        slug: "furniture",
        name_en: "Furniture",
        name_zh: "",
        drug_categories: &[],
    },
];

/// Index of the category where a drug of catalogue category `drug_category` is filed.
pub fn category_for_drug(archetype: Archetype, drug_category: &str) -> u8 {
    category_where(archetype, |c| c.drug_categories.contains(&drug_category))
}

/// Index of the category with `slug` (0 when absent).
pub fn category_by_slug(archetype: Archetype, slug: &str) -> u8 {
    category_where(archetype, |c| c.slug == slug)
}

fn category_where(archetype: Archetype, pred: impl Fn(&Category) -> bool) -> u8 {
    archetype
        .categories()
        .iter()
        .position(pred)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}
