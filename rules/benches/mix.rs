//! Synthetic ~1 KB listings for the benchmark (shared with the profiling example).

use pharmwatch_model::{Contact, ContactKind, Currency, Listing, Money, Quantity, SiteKind};
use rust_decimal::Decimal;

const FILLER_EN: &str = "Our customers trust us for fast delivery and friendly support. \
Every order is packed with care and dispatched within one business day. Read the leaflet \
before use and keep out of the reach of children. Store below 25 degrees in a dry place. ";
const FILLER_ZH: &str = "本店所有商品均为正品，药厂直供，假一赔十。下单后二十四小时内发货，全国包邮。\
请仔细阅读说明书并按说明使用或在药师指导下购买和使用。";

/// The `i`-th listing of the mix (six archetypes in turn).
pub fn listing(i: usize) -> Listing {
    let (title, body, kind, currency, price, contacts, payment, shipping) = match i % 6 {
        0 => (
            format!("Buy 0xyc0d0ne 30mg - {} tablets", 30 + i % 60),
            format!(
                "High quality oxycodone from a trusted supplier. No Rx required – order in 2 minutes. {}",
                FILLER_EN.repeat(3)
            ),
            SiteKind::Pharmacy,
            Currency::USD,
            Decimal::new(1299, 1),
            vec![(ContactKind::Telegram, "pillsdirect")],
            vec!["Bitcoin", "Monero"],
            vec!["Stealth shipping, no customs"],
        ),
        1 => (
            format!("西地那非 100mg {}片/盒 正品保证", 10 + i % 20),
            format!(
                "正品西地那非 100mg，每盒10片。无需处方，下单即发。{}",
                FILLER_ZH.repeat(4)
            ),
            SiteKind::Pharmacy,
            Currency::CNY,
            Decimal::new(12800, 2),
            vec![(ContactKind::Wechat, "kangjian888")],
            vec!["支付宝"],
            vec!["顺丰快递，全国包邮"],
        ),
        2 => (
            "Vendo Tramadol 50mg, 20 unidades".to_string(),
            format!(
                "Vendo Tramadol 50mg, 20 unidades, caja original. Sin receta. Escríbeme para más info. {}",
                FILLER_EN.repeat(3)
            ),
            SiteKind::Classifieds,
            Currency::EUR,
            Decimal::new(4500, 2),
            vec![(ContactKind::Whatsapp, "+34612345678")],
            vec!["Cash", "PayPal"],
            vec!["Shipping: by post or pick-up"],
        ),
        3 => (
            "Atorvastatin 20mg tablets, Pack of 28".to_string(),
            format!(
                "Atorvastatin 20mg tablets, 28 per pack. Prescription required: our registered pharmacists check every prescription before dispatch. {}",
                FILLER_EN.repeat(3)
            ),
            SiteKind::Pharmacy,
            "GBP".parse().unwrap_or(Currency::USD),
            Decimal::new(1249, 2),
            vec![
                (ContactKind::Email, "help@carewell.example"),
                (ContactKind::Phone, "+441134960000"),
            ],
            vec!["Visa", "Mastercard"],
            vec!["Royal Mail Tracked 24"],
        ),
        4 => (
            "Mountain bike 29\" Shimano Deore, barely used".to_string(),
            format!(
                "Used, good condition & fully working. Pick-up preferred. {}",
                FILLER_EN.repeat(4)
            ),
            SiteKind::Classifieds,
            Currency::EUR,
            Decimal::new(35000, 2),
            vec![(ContactKind::Email, "seller@mail.example")],
            vec!["Cash"],
            vec!["Pick-up only"],
        ),
        _ => (
            "Продам Трамадол 50mg, 20 шт. без рецепта".to_string(),
            format!(
                "Продаю Трамадол 50mg, 20 шт., упаковка целая. Без рецепта. Пишите, отвечу быстро. {}",
                FILLER_EN.repeat(3)
            ),
            SiteKind::Classifieds,
            "RUB".parse().unwrap_or(Currency::USD),
            Decimal::new(150000, 2),
            vec![(ContactKind::Telegram, "olga_k")],
            vec!["Bitcoin"],
            vec!["Почта России"],
        ),
    };
    let url = format!("http://127.0.0.1:8080/product/{i}.html");
    let mut l = Listing::new(
        url,
        0,
        "bench",
        kind,
        "127.0.0.1",
        title,
        time::OffsetDateTime::UNIX_EPOCH,
    );
    l.description = body;
    l.price = Some(Money::new(price, currency));
    l.quantity = Some(Quantity {
        units: Some(30),
        ..Default::default()
    });
    l.contacts = contacts
        .into_iter()
        .map(|(kind, value)| Contact {
            kind,
            value: value.to_string(),
        })
        .collect();
    l.payment_methods = payment.into_iter().map(String::from).collect();
    l.shipping_claims = shipping.into_iter().map(String::from).collect();
    l
}
