//! Payment methods named on a page, as lower-case canonical names.
//!
//! Canonical names: bitcoin, monero, usdt, ethereum, litecoin, western union, moneygram,
//! paypal, visa, mastercard, american express, bank transfer, sepa, alipay, wechat pay,
//! zelle, cash app, venmo, apple pay, google pay, gift card, cash on delivery, cash, pix, bizum,
//! qiwi, yoomoney, escrow. Crypto tickers (BTC, XMR, USDT, ETH, LTC) map to the coin's name.

use std::sync::LazyLock;

use crate::keywords::Catalogue;

static PAYMENTS: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::new(&[
        (
            "bitcoin",
            r"\bbitcoins?\b|\bbtc\b|比特币|биткоин\w*|биткойн\w*",
        ),
        ("monero", r"\bmonero\b|\bxmr\b|门罗币"),
        ("usdt", r"\busdt\b|\btether\b|泰达币"),
        ("ethereum", r"\bethereum\b|\beth\b|以太坊|эфириум"),
        ("litecoin", r"\blitecoin\b|\bltc\b|莱特币"),
        (
            "western union",
            r"\bwestern\s*union\b|西联汇款|вестерн\s*юнион",
        ),
        ("moneygram", r"\bmoney\s*gram\b|速汇金"),
        ("paypal", r"\bpay\s?pal\b|贝宝"),
        ("visa", r"\bvisa\b"),
        ("mastercard", r"\bmaster\s?card\b|万事达"),
        ("american express", r"\bamerican\s+express\b|\bamex\b"),
        (
            "bank transfer",
            r"\bbank\s+(?:transfer|wire|deposit)\b|\bwire\s+transfer\b|\bvirement(?:\s+bancaire)?\b|\btransferencia(?:\s+bancaria)?\b|\btransferência(?:\s+bancária)?\b|\büberweisung\b|\bbonifico\b|банковск\w*\s+перевод\w*|银行转账|银行汇款|对公转账",
        ),
        ("sepa", r"\bsepa\b"),
        ("alipay", r"\bali\s?pay\b|支付宝"),
        ("wechat pay", r"\bwe\s?chat\s*pay\b|微信支付"),
        ("zelle", r"\bzelle\b"),
        ("cash app", r"\bcash\s?app\b"),
        ("venmo", r"\bvenmo\b"),
        ("apple pay", r"\bapple\s+pay\b"),
        ("google pay", r"\bgoogle\s+pay\b|\bgpay\b"),
        (
            "gift card",
            r"\bgift\s*cards?\b|\bamazon\s+card\b|\bsteam\s+card\b",
        ),
        (
            "cash on delivery",
            r"\bcash\s+on\s+delivery\b|\bcod\b|货到付款|\bcontra\s*reembolso\b|\bpaiement\s+à\s+la\s+livraison\b|наложенн\w*\s+платеж\w*",
        ),
        (
            "cash",
            r"\bcash\s+(?:on\s+(?:pick-?up|collection)|only|in\s+person|payment)\b|\b(?:in|for)\s+cash\b|\ben\s+efectivo\b|\ben\s+espèces\b|\bem\s+dinheiro\b|наличн\w*|现金",
        ),
        ("pix", r"\bpix\b"),
        ("bizum", r"\bbizum\b"),
        ("qiwi", r"\bqiwi\b|киви"),
        (
            "yoomoney",
            r"\byoo\s?money\b|\byandex\s*money\b|юmoney|ю\s?мани",
        ),
        ("escrow", r"\bescrow\b|担保交易"),
    ])
});

/// Canonical payment-method names found in `text`, in order of first appearance.
pub fn parse_payment_methods(text: &str) -> Vec<String> {
    PAYMENTS.find(text)
}

/// The payment methods that are cryptocurrencies (for callers that summarise).
pub const CRYPTO_METHODS: &[&str] = &["bitcoin", "monero", "usdt", "ethereum", "litecoin"];

/// The guarded regexes of this module, for the gate-equivalence tests.
#[cfg(test)]
pub(crate) fn guarded_regexes() -> Vec<&'static crate::guarded::GuardedRegex> {
    PAYMENTS.regexes().collect()
}
