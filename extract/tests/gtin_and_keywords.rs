//! GTIN check digits, payment methods and shipping claims.

use pharmwatch_extract::gtin::{gs1_check_digit_ok, gtin_from_digits};
use pharmwatch_extract::{parse_gtins, parse_payment_methods, parse_shipping_claims};

#[test]
fn gs1_check_digits() {
    // Valid: EAN-13, UPC-A, EAN-8, GTIN-14.
    for ok in [
        "4006381333931",
        "036000291452",
        "96385074",
        "10012345678902",
        "5901234123457",
    ] {
        assert!(gs1_check_digit_ok(ok), "{ok}");
        assert!(gtin_from_digits(ok).unwrap().valid, "{ok}");
    }
    for bad in [
        "4006381333932",
        "036000291453",
        "96385075",
        "10012345678903",
    ] {
        assert!(!gs1_check_digit_ok(bad), "{bad}");
        let g = gtin_from_digits(bad).unwrap();
        assert!(!g.valid, "{bad} must be kept but marked invalid");
    }
    assert!(gtin_from_digits("12345").is_none());
    assert!(gtin_from_digits("123456789").is_none());
}

#[test]
fn gtins_need_a_label() {
    let text = "EAN: 4006381333931\nUPC 036000291453\nPhone +49 4006381333931\n\"gtin13\": \"5901234123457\"\nOrder 96385074";
    let g = parse_gtins(text);
    let digits: Vec<&str> = g.iter().map(|g| g.digits.as_str()).collect();
    assert_eq!(digits, ["4006381333931", "036000291453", "5901234123457"]);
    assert!(g[0].valid && !g[1].valid && g[2].valid);
    assert_eq!(
        parse_gtins("EAN 4006381333931 12 pcs")[0].digits,
        "4006381333931"
    );
    assert_eq!(parse_gtins("条形码：6901234567892").len(), 1);
}

#[test]
fn payment_methods_are_canonical() {
    assert_eq!(
        parse_payment_methods("Payment: Bitcoin, Monero"),
        ["bitcoin", "monero"]
    );
    assert_eq!(
        parse_payment_methods(
            "We accept BTC, XMR and USDT (TRC20); also Western Union / MoneyGram."
        ),
        ["bitcoin", "monero", "usdt", "western union", "moneygram"]
    );
    assert_eq!(
        parse_payment_methods("Visa, MasterCard, bank transfer"),
        ["visa", "mastercard", "bank transfer"]
    );
    assert_eq!(
        parse_payment_methods("付款方式：支付宝、微信支付、比特币"),
        ["alipay", "wechat pay", "bitcoin"]
    );
    assert_eq!(
        parse_payment_methods("Pago: transferencia bancaria o PayPal"),
        ["bank transfer", "paypal"]
    );
    assert!(parse_payment_methods("Something else entirely: method, tether-ball?").len() <= 1);
    assert!(parse_payment_methods("Fast delivery").is_empty());
    assert_eq!(parse_payment_methods("Payment: Cash on pick-up"), ["cash"]);
    assert_eq!(
        parse_payment_methods("Cash on delivery"),
        ["cash on delivery"]
    );
}

#[test]
fn shipping_claims_are_canonical() {
    assert_eq!(
        parse_shipping_claims("Stealth shipping, no customs"),
        ["stealth", "no customs"]
    );
    assert_eq!(
        parse_shipping_claims(
            "Discreet packaging. Worldwide delivery. Guaranteed delivery through customs!"
        ),
        ["discreet", "worldwide", "no customs"]
    );
    assert_eq!(
        parse_shipping_claims("隐秘包装，包过海关，全球发货"),
        ["discreet", "no customs", "worldwide"]
    );
    assert_eq!(
        parse_shipping_claims("Envío discreto, sin aduana"),
        ["discreet", "no customs"]
    );
    assert_eq!(
        parse_shipping_claims("Доставка по всему миру, без таможни"),
        ["worldwide", "no customs"]
    );
    assert_eq!(
        parse_shipping_claims("customs-free overnight, US to US"),
        ["no customs", "overnight", "domestic"]
    );
    assert!(parse_shipping_claims("Standard delivery in 3-5 days").is_empty());
}
