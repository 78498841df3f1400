//! Planted networks of related shops, for testing how shops are linked by what they share.
//!
//! Seven small English rogue pharmacies join the four archetype shops:
//!
//! - `harbor-group`: `pillharbor`, `rxbayside` and `medcove` print the same phone number,
//!   load the same Google Analytics property and use the same theme (template);
//! - `spot-group`: `genericspot` and `tabsmart` print the same bitcoin wallet and link to the
//!   same affiliate program with the same affiliate id;
//! - the decoy pair `pharmacorner` and `rxwarehouse` shares only what must not link shops:
//!   a generic theme, and the hosted checkout of a big card processor that the legitimate
//!   pharmacy and `medsdirect` use too.
//!
//! Every other identifier (e-mail, phone, messaging handles, analytics id, theme) is the
//! shop's own, and the archetype shops share nothing with any other shop.

use crate::archetype::Archetype;
use crate::identity::{Analytics, COMMON_CHECKOUT, COMMON_CHECKOUT_HOST, Identity};
use crate::shops::ShopSpec;
use crate::truth::{MarkTruth, NetworkTruth};

/// Product pages per planted shop (fewer when the marketplace has fewer per shop).
pub const NETWORK_SHOP_LISTINGS: usize = 12;

const HARBOR_PHONE: &str = "Phone: +1 646 555 0199";
const HARBOR_PHONE_E164: &str = "+16465550199";
const HARBOR_ANALYTICS: &str = "UA-48213377-1";
const HARBOR_THEME: &str = "harbor";
const SPOT_WALLET: &str = "1F5LqhXCj9n6Pw3SmiRn82bru22rKRKf4s";
const SPOT_AFFILIATE: &str = "https://rxpartners.example/join?aff=RX7731";
const SPOT_AFFILIATE_ID: &str = "aff=rx7731";
const DECOY_THEME: &str = "storefront";

fn own(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn planted(name: &str, display: &str, identity: Identity) -> ShopSpec {
    ShopSpec {
        name: name.to_string(),
        display_name: display.to_string(),
        archetype: Archetype::RoguePharmacy,
        identity,
    }
}

fn harbor(email: &str, whatsapp: &str, telegram: &str) -> Identity {
    Identity {
        theme: HARBOR_THEME.into(),
        analytics: Analytics::Google(HARBOR_ANALYTICS.into()),
        plain: own(&[email, HARBOR_PHONE]),
        messaging: own(&[whatsapp, telegram]),
        pinned: Some(HARBOR_PHONE.into()),
        wallet: None,
        affiliate_link: None,
        checkout: None,
        licence_line: Some("Licensed Canadian pharmacy · CIPA certified".into()),
        address: None,
    }
}

fn spot(theme: &str, analytics: Analytics, plain: &[&str], messaging: &[&str]) -> Identity {
    Identity {
        theme: theme.into(),
        analytics,
        plain: own(plain),
        messaging: own(messaging),
        pinned: None,
        wallet: Some(SPOT_WALLET.into()),
        affiliate_link: Some(SPOT_AFFILIATE.into()),
        checkout: None,
        licence_line: None,
        address: None,
    }
}

fn decoy(analytics: Analytics, plain: &[&str], messaging: &[&str]) -> Identity {
    Identity {
        theme: DECOY_THEME.into(),
        analytics,
        plain: own(plain),
        messaging: own(messaging),
        pinned: None,
        wallet: None,
        affiliate_link: None,
        checkout: Some(COMMON_CHECKOUT),
        licence_line: None,
        address: None,
    }
}

/// The planted shops, in serving order.
pub fn network_shops() -> Vec<ShopSpec> {
    vec![
        planted(
            "pillharbor",
            "PillHarbor",
            harbor(
                "care@pillharbor-rx.com",
                "WhatsApp: +1 347 555 0112",
                "Telegram: @pillharbor_rx",
            ),
        ),
        planted(
            "rxbayside",
            "RxBayside",
            harbor(
                "help@rxbayside.net",
                "WhatsApp: +1 917 555 0134",
                "Telegram: @rxbayside",
            ),
        ),
        planted(
            "medcove",
            "MedCove",
            harbor(
                "orders@medcove-pharma.com",
                "WhatsApp: +1 718 555 0156",
                "Telegram: @medcove_help",
            ),
        ),
        planted(
            "genericspot",
            "GenericSpot",
            spot(
                "spot",
                Analytics::Yandex(91_234_567),
                &["sales@genericspot.biz", "Phone: +7 495 555 0187"],
                &["Telegram: @genericspot", "WhatsApp: +7 916 555 0143"],
            ),
        ),
        planted(
            "tabsmart",
            "TabSmart",
            spot(
                "slate",
                Analytics::Google("G-TS8MART9Q".into()),
                &["info@tabsmart.cc", "Phone: +44 20 7946 0321"],
                &["Signal: +44 7700 900456", "Wickr: tabsmart"],
            ),
        ),
        planted(
            "pharmacorner",
            "PharmaCorner",
            decoy(
                Analytics::TagManager("GTM-PC4RNR".into()),
                &["service@pharmacorner.org", "Phone: +61 2 5550 1234"],
                &["WhatsApp: +61 491 570 156", "Telegram: @pharmacorner"],
            ),
        ),
        planted(
            "rxwarehouse",
            "RxWarehouse",
            decoy(
                Analytics::Google("UA-77120458-1".into()),
                &["orders@rxwarehouse.shop", "Phone: +1 312 555 0168"],
                &["WhatsApp: +1 773 555 0191", "Signal: +1 312 555 0177"],
            ),
        ),
    ]
}

fn mark(kind: &str, value: &str) -> MarkTruth {
    MarkTruth {
        kind: kind.to_string(),
        value: value.to_string(),
    }
}

/// The planted networks: shops a clustering stage must link, and what they share. Values
/// are as extraction normalises them, except `template`: the shared theme's name (the
/// extracted value is a fingerprint that is equal across the network's shops).
pub fn networks() -> Vec<NetworkTruth> {
    vec![
        NetworkTruth {
            name: "harbor-group".into(),
            shops: own(&["pillharbor", "rxbayside", "medcove"]),
            shared: vec![
                mark("phone", HARBOR_PHONE_E164),
                mark("analytics_id", HARBOR_ANALYTICS),
                mark("template", HARBOR_THEME),
            ],
        },
        NetworkTruth {
            name: "spot-group".into(),
            shops: own(&["genericspot", "tabsmart"]),
            shared: vec![
                mark("bitcoin_wallet", SPOT_WALLET),
                mark("affiliate_id", SPOT_AFFILIATE_ID),
            ],
        },
    ]
}

/// Shops that share something but must not be linked: a generic theme, and a payment host
/// that unrelated shops (the legitimate pharmacy among them) use as well.
pub fn decoys() -> Vec<NetworkTruth> {
    vec![NetworkTruth {
        name: "storefront-decoy".into(),
        shops: own(&["pharmacorner", "rxwarehouse"]),
        shared: vec![
            mark("template", DECOY_THEME),
            mark("payment_host", COMMON_CHECKOUT_HOST),
        ],
    }]
}
