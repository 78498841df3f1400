//! The visible texts of a listing (title, description, seller, contacts, payment, shipping,
//! quantity, price), derived from its spec.
//!
//! Red-flag vocabulary appears only where a flag asks for it: descriptions never mention
//! payment, shipping or prescriptions unless the flag is set, page chrome never names a
//! contact, so the ground truth's rule set is exactly what the listing's fields support.

use rust_decimal::Decimal;

use pharmwatch_model::ProductClaims;

use crate::archetype::Archetype;
use crate::catalogue::{Drug, Form};
use crate::shops::ShopSpec;
use crate::spec::ListingSpec;

/// All visible text of one listing.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingContent {
    pub title: String,
    pub description: String,
    pub seller: String,
    /// One entry per `.listing-contact` element.
    pub contacts: Vec<String>,
    /// The `.listing-payment` line.
    pub payment: String,
    /// The `.listing-shipping` line.
    pub shipping: String,
    /// The `.listing-quantity` text, when sold by count.
    pub quantity: Option<String>,
    /// The price as printed.
    pub price: String,
    /// Postal address (legitimate pharmacy only).
    pub address: Option<String>,
    /// Product facts printed as `.product-facts` lines (manufacturer, batch, expiry), on
    /// some rogue drug pages.
    pub facts: Vec<String>,
    /// What [`ListingContent::facts`] claim, as printed.
    pub claims: ProductClaims,
}

/// Parameters of a title, decided at generation time.
pub struct TitleParts<'a> {
    pub archetype: Archetype,
    pub language: &'static str,
    pub name: &'a str,
    pub strength: &'a str,
    pub units: u32,
    pub form: Form,
    /// Appends the language's no-prescription phrase.
    pub no_prescription: bool,
    /// Which template of the archetype to use.
    pub template: usize,
}

/// Builds the title of a drug listing: always names the drug, its strength and the count.
pub fn drug_title(p: &TitleParts<'_>) -> String {
    let TitleParts {
        name,
        strength,
        units: n,
        form,
        ..
    } = *p;
    let plural = form.plural();
    let pills = if form == Form::Pen { "pens" } else { "pills" };
    let base = match (p.archetype, p.language) {
        (Archetype::ChinesePharmacy, _) => {
            let c = form.zh_counter();
            match p.template % 3 {
                0 => format!("{name} {strength} {n}{c}"),
                1 => format!("{name} {strength} {n}{c}/盒 正品保证"),
                _ => format!("【{name}】{strength} {n}{c}"),
            }
        }
        (Archetype::Classifieds, "es") => format!("Vendo {name} {strength}, {n} unidades"),
        (Archetype::Classifieds, "fr") => format!("{name} {strength} - boîte de {n}"),
        (Archetype::Classifieds, "pt") => format!("{name} {strength} - {n} unidades"),
        (Archetype::Classifieds, "ru") => format!("Продам {name} {strength}, {n} шт."),
        (Archetype::Classifieds, _) => match p.template % 2 {
            0 => format!("{name} {strength} x {n} {pills} for sale"),
            _ => format!("Selling {name} {strength}, {n} {plural}"),
        },
        (Archetype::LegitPharmacy, _) => match p.template % 2 {
            0 => format!("{name} {strength} {plural}, Pack of {n}"),
            _ => format!("{name} {strength} x {n} {plural}"),
        },
        (Archetype::RoguePharmacy, _) => match p.template % 5 {
            0 => format!("{name} {strength} x {n} {plural}"),
            1 => format!("Buy {name} {strength} - {n} {pills}"),
            2 => format!("{name} {strength}, Pack of {n}"),
            3 => format!("{name} {strength} {n} {plural} – \"Express\" & Secure"),
            _ => format!("Generic {name} {strength} x {n} {plural} <Best Price>"),
        },
    };
    if p.no_prescription {
        let phrase = match (p.archetype, p.language) {
            (Archetype::ChinesePharmacy, _) => " 无需处方",
            (_, "es") => " sin receta",
            (_, "fr") => " sans ordonnance",
            (_, "pt") => " sem receita",
            (_, "ru") => " без рецепта",
            _ => " - No Prescription Needed!",
        };
        format!("{base}{phrase}")
    } else {
        base
    }
}

/// Strength as printed: "30mg", "0.5mg", with a space in some classified ads ("30 mg").
pub fn strength_text(value: Decimal, unit: &str, spaced: bool) -> String {
    if spaced {
        format!("{value} {unit}")
    } else {
        format!("{value}{unit}")
    }
}

/// Derives every visible text of `spec` on `shop`.
pub fn listing_content(spec: &ListingSpec, shop: &ShopSpec) -> ListingContent {
    let mut rng = fastrand::Rng::with_seed(spec.variant);
    let arch = shop.archetype;
    let seller = seller(arch, shop, &mut rng);
    let (facts, claims) = product_facts(spec, arch);
    ListingContent {
        title: spec.title.clone(),
        description: description(spec, arch, &mut rng),
        contacts: contacts(spec, shop, &seller, &mut rng),
        payment: payment(spec, arch, &mut rng),
        shipping: shipping(spec, arch, &mut rng),
        quantity: quantity(spec, arch, &mut rng),
        price: crate::format::price_text(spec.price(), arch, spec.price_format),
        address: (arch == Archetype::LegitPharmacy)
            .then(|| shop.identity.address.clone())
            .flatten(),
        seller,
        facts,
        claims,
    }
}

/// Manufacturers rogue pages name (what they claim, not what is in the box).
const MANUFACTURERS: &[&str] = &[
    "Cipla Ltd",
    "Sun Pharmaceutical Industries",
    "Ajanta Pharma",
    "Centurion Laboratories",
    "Hetero Labs",
    "Zydus Lifesciences",
    "Dr. Reddy's Laboratories",
    "Intas Pharmaceuticals",
];
const MANUFACTURERS_ZH: &[&str] = &[
    "辉瑞制药有限公司",
    "华北制药股份有限公司",
    "扬子江药业集团有限公司",
    "石药集团欧意药业有限公司",
];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Manufacturer, batch and expiry lines some rogue drug pages print (about 45 % on the
/// English shops, 35 % on the Chinese one), with what they claim. Drawn from a generator of
/// their own, so the listing's other texts stay what they were.
fn product_facts(spec: &ListingSpec, arch: Archetype) -> (Vec<String>, ProductClaims) {
    let share = match arch {
        Archetype::RoguePharmacy => 0.45,
        Archetype::ChinesePharmacy => 0.35,
        _ => 0.0,
    };
    let mut rng = fastrand::Rng::with_seed(spec.variant ^ 0x5eed_fac7_0000_0001);
    if spec.drug().is_none() || rng.f64() >= share {
        return (Vec::new(), ProductClaims::default());
    }
    let year = 2026 + rng.u32(..3);
    let month = 1 + rng.u32(..12);
    let (lines, manufacturer, batch, expiry) = if arch == Archetype::ChinesePharmacy {
        let m = pick(&mut rng, MANUFACTURERS_ZH).to_string();
        let batch = format!("{}{month:02}{:02}", year - 2, 1 + rng.u32(..28));
        let expiry = format!("{year}年{month:02}月");
        let lines = vec![
            format!("生产企业：{m}"),
            format!("批号：{batch}"),
            format!("有效期至：{expiry}"),
        ];
        (lines, m, batch, expiry)
    } else {
        let m = pick(&mut rng, MANUFACTURERS).to_string();
        let letter = |rng: &mut fastrand::Rng| char::from(b'A' + rng.u8(..26));
        let batch = format!(
            "{}{}{:02}{}{:03}",
            letter(&mut rng),
            letter(&mut rng),
            year % 100 - 2,
            letter(&mut rng),
            rng.u32(..1000)
        );
        let expiry = match rng.u32(..3) {
            0 => format!("{month:02}/{year}"),
            1 => format!("{year}-{month:02}-{:02}", 1 + rng.u32(..28)),
            _ => format!("{} {year}", MONTHS[month as usize - 1]),
        };
        let m_label = pick(&mut rng, &["Manufacturer: ", "Manufactured by "]);
        let b_label = pick(&mut rng, &["Batch No.: ", "Lot: ", "Batch: ", "Lot No. "]);
        let e_label = pick(&mut rng, &["Exp: ", "Expiry date: ", "EXP. "]);
        let lines = vec![
            format!("{m_label}{m}"),
            format!("{b_label}{batch}"),
            format!("{e_label}{expiry}"),
        ];
        (lines, m, batch, expiry)
    };
    let claims = ProductClaims {
        manufacturer: Some(manufacturer),
        batch: Some(batch),
        expiry: Some(expiry),
    };
    (lines, claims)
}

fn pick<'a>(rng: &mut fastrand::Rng, options: &[&'a str]) -> &'a str {
    options[rng.usize(..options.len())]
}

fn seller(arch: Archetype, shop: &ShopSpec, rng: &mut fastrand::Rng) -> String {
    match arch {
        Archetype::RoguePharmacy => format!("{} Pharmacy", shop.display_name),
        Archetype::ChinesePharmacy => shop.display_name.clone(),
        Archetype::LegitPharmacy => "CareWell Pharmacy Ltd".to_string(),
        Archetype::Classifieds => pick(
            rng,
            &[
                "pharma_king",
                "maria.g",
                "pills4u",
                "jean-luc",
                "alex_777",
                "quickdeals",
                "olga.k",
                "carlos_m",
                "tiago.s",
            ],
        )
        .to_string(),
    }
}

fn description(spec: &ListingSpec, arch: Archetype, rng: &mut fastrand::Rng) -> String {
    match spec.drug() {
        Some(drug) => drug_description(spec, drug, arch, rng),
        None => goods_description(spec, arch, rng),
    }
}

fn drug_description(
    spec: &ListingSpec,
    drug: &Drug,
    arch: Archetype,
    rng: &mut fastrand::Rng,
) -> String {
    let name = &spec.display_name;
    let strength = spec
        .strength()
        .map(|(v, u)| strength_text(v, u, false))
        .unwrap_or_default();
    let n = spec.units.unwrap_or(1);
    let plural = drug.form.plural();
    let (opener, no_rx, closer): (String, &str, &str) = match (arch, spec.language) {
        (Archetype::LegitPharmacy, _) => {
            let note = if drug.class.needs_prescription() {
                "Prescription required: our registered pharmacists check every prescription \
                 before dispatch."
            } else {
                "Pharmacy medicine: our pharmacist may ask a few questions before dispatch. \
                 Maximum 2 packs per order."
            };
            let opener =
                format!("{name} {strength} {plural}, {n} per pack. {note} Read the leaflet.");
            return opener;
        }
        (Archetype::ChinesePharmacy, _) => (
            pick(
                rng,
                &[
                    "{name} {strength}，原装正品，药厂直供。",
                    "{name} {strength} 效果显著，老客户回购率高。",
                    "正品{name} {strength}，每盒{n}{c}。",
                ],
            )
            .replace("{name}", name)
            .replace("{strength}", &strength)
            .replace("{n}", &n.to_string())
            .replace("{c}", drug.form.zh_counter()),
            pick(rng, &["无需处方，下单即发。", "免处方，当天发货。"]),
            pick(rng, &["客服在线时间 9:00-22:00。", "假一赔十。"]),
        ),
        (Archetype::Classifieds, "es") => (
            format!("Vendo {name} {strength}, {n} unidades, caja original."),
            "Sin receta.",
            "Escríbeme para más info.",
        ),
        (Archetype::Classifieds, "fr") => (
            format!("Je vends {name} {strength}, boîte de {n} jamais ouverte."),
            "Sans ordonnance.",
            "Remise en main propre possible.",
        ),
        (Archetype::Classifieds, "pt") => (
            format!("Vendo {name} {strength}, {n} unidades, caixa original."),
            "Sem receita.",
            "Contacte-me para mais informações.",
        ),
        (Archetype::Classifieds, "ru") => (
            format!("Продаю {name} {strength}, {n} шт., упаковка целая."),
            "Без рецепта.",
            "Пишите, отвечу быстро.",
        ),
        (Archetype::Classifieds, _) => (
            format!("Selling {name} {strength}, {n} {plural}, original packaging."),
            pick(rng, &["No prescription needed.", "No Rx needed."]),
            pick(
                rng,
                &["Message me for bulk prices.", "Serious buyers only."],
            ),
        ),
        _ => (
            pick(
                rng,
                &[
                    "{name} {strength} {plural} from a trusted supplier.",
                    "High quality {name} {strength}, {n} {plural} per pack.",
                    "Order {name} {strength} online today & save.",
                    "Genuine \"{name}\" {strength} – same quality as your local pharmacy.",
                ],
            )
            .replace("{name}", name)
            .replace("{strength}", &strength)
            .replace("{n}", &n.to_string())
            .replace("{plural}", plural),
            pick(
                rng,
                &[
                    "No prescription needed.",
                    "No Rx required – order in 2 minutes.",
                    "Buy without prescription.",
                    "No doctor visit, no questions.",
                ],
            ),
            pick(
                rng,
                &[
                    "Discounts on repeat orders.",
                    "Trusted by 10,000+ customers.",
                    "Dispatched within 24 hours.",
                ],
            ),
        ),
    };
    if spec.flags.no_prescription {
        join_sentences(arch, &[&opener, no_rx, closer])
    } else {
        join_sentences(arch, &[&opener, closer])
    }
}

fn join_sentences(arch: Archetype, parts: &[&str]) -> String {
    let sep = if arch == Archetype::ChinesePharmacy {
        ""
    } else {
        " "
    };
    parts.join(sep)
}

fn goods_description(spec: &ListingSpec, arch: Archetype, rng: &mut fastrand::Rng) -> String {
    match (arch, spec.language) {
        (Archetype::ChinesePharmacy, _) => {
            pick(rng, &["日常必备，品质保证。", "家庭常备，实惠装。"]).to_string()
        }
        (Archetype::Classifieds, "es") => "Buen estado, poco uso. Entrega en mano.".to_string(),
        (Archetype::Classifieds, "fr") => "Très bon état, peu servi.".to_string(),
        (Archetype::Classifieds, "pt") => "Em bom estado, pouco uso.".to_string(),
        (Archetype::Classifieds, "ru") => "Состояние отличное, торг уместен.".to_string(),
        (Archetype::Classifieds, _) => pick(
            rng,
            &[
                "Used, good condition & fully working. Pick-up preferred.",
                "Like new, selling because I'm moving.",
            ],
        )
        .to_string(),
        _ => pick(
            rng,
            &[
                "Everyday essentials at everyday prices.",
                "A family favourite & great value.",
            ],
        )
        .to_string(),
    }
}

/// Six digits (`ddd ddd`) of a classified ad poster's own phone number, stable per poster:
/// posters on one classifieds site are unrelated people and must not share a number.
fn poster_number(handle: &str) -> String {
    // FNV-1a: deterministic across platforms and releases, unlike std's hasher.
    let hash = handle.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let n = hash % 1_000_000;
    format!("{:03} {:03}", n / 1000, n % 1000)
}

/// The listing's contacts, drawn from the shop's identity; `{handle}` is the poster of a
/// classified ad and `{phone}` that poster's own number.
fn contacts(
    spec: &ListingSpec,
    shop: &ShopSpec,
    seller: &str,
    rng: &mut fastrand::Rng,
) -> Vec<String> {
    let handle: String = seller
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let phone = poster_number(&handle);
    let fill = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.replace("{handle}", &handle).replace("{phone}", &phone))
            .collect()
    };
    let messaging = fill(&shop.identity.messaging);
    let plain = fill(&shop.identity.plain);
    let mut out = Vec::new();
    if spec.flags.messaging_only {
        let first = rng.usize(..messaging.len());
        out.push(messaging[first].clone());
        if messaging.len() > 1 && rng.bool() {
            out.push(messaging[(first + 1) % messaging.len()].clone());
        }
    } else {
        out.push(plain[rng.usize(..plain.len())].clone());
        if spec.drug().is_some() && !messaging.is_empty() && rng.bool() {
            out.push(messaging[rng.usize(..messaging.len())].clone());
        } else if rng.bool() {
            for p in &plain {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        if let Some(pinned) = &shop.identity.pinned
            && !out.contains(pinned)
        {
            out.push(pinned.clone());
        }
    }
    out
}

fn payment(spec: &ListingSpec, arch: Archetype, rng: &mut fastrand::Rng) -> String {
    let label = if arch == Archetype::ChinesePharmacy {
        "付款方式: "
    } else {
        "Payment: "
    };
    let methods = if spec.flags.crypto_only {
        pick(
            rng,
            &[
                "Bitcoin, Monero",
                "BTC, USDT",
                "Bitcoin",
                "Ethereum, Litecoin",
                "USDT, Bitcoin",
            ],
        )
    } else {
        match arch {
            Archetype::RoguePharmacy => pick(
                rng,
                &[
                    "Visa, Mastercard, Bitcoin",
                    "Western Union, MoneyGram",
                    "Visa, Mastercard",
                    "PayPal, Zelle",
                ],
            ),
            Archetype::ChinesePharmacy => pick(rng, &["支付宝, 银行转账", "支付宝"]),
            Archetype::Classifieds => pick(
                rng,
                &["Cash, PayPal", "Bank transfer, PayPal", "Cash on pick-up"],
            ),
            Archetype::LegitPharmacy => "Visa, Mastercard, American Express, bank transfer",
        }
    };
    format!("{label}{methods}")
}

fn shipping(spec: &ListingSpec, arch: Archetype, rng: &mut fastrand::Rng) -> String {
    if spec.flags.stealth {
        let claim = pick(
            rng,
            &[
                "Stealth shipping, no customs",
                "Discreet packaging, worldwide delivery",
                "Customs-free delivery, guaranteed delivery through customs",
                "Stealth packaging, tracking included",
            ],
        );
        return if arch == Archetype::ChinesePharmacy {
            format!("隐蔽包装 · {claim}")
        } else {
            claim.to_string()
        };
    }
    match arch {
        Archetype::RoguePharmacy => pick(
            rng,
            &[
                "Shipping: worldwide, 7-14 days",
                "Free shipping on orders over $150",
                "Tracked delivery in 5-10 business days",
            ],
        )
        .to_string(),
        Archetype::ChinesePharmacy => {
            pick(rng, &["顺丰快递，全国包邮", "48小时内发货"]).to_string()
        }
        Archetype::Classifieds => pick(
            rng,
            &[
                "Shipping: by post or pick-up",
                "Pick-up only",
                "Shipping at buyer's cost",
            ],
        )
        .to_string(),
        Archetype::LegitPharmacy => {
            "Royal Mail Tracked 24, free over £40. UK delivery only.".to_string()
        }
    }
}

fn quantity(spec: &ListingSpec, arch: Archetype, rng: &mut fastrand::Rng) -> Option<String> {
    let n = spec.units?;
    let Some(form) = spec.form() else {
        return Some(if arch == Archetype::ChinesePharmacy {
            format!("{n}片/盒")
        } else {
            format!("Pack of {n}")
        });
    };
    Some(match arch {
        Archetype::ChinesePharmacy => {
            let c = form.zh_counter();
            if form == Form::Tablet && rng.bool() {
                format!("{n}{c}/盒")
            } else {
                format!("{n}{c}")
            }
        }
        _ => match rng.usize(..3) {
            0 if form != Form::Pen => format!("{n} pills"),
            1 => format!("Pack of {n}"),
            _ => format!("{n} {}", form.plural()),
        },
    })
}
