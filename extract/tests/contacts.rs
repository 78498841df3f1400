//! Contacts: e-mail, phones, messaging handles and checksum-validated wallets.

use pharmwatch_extract::parse_contacts;
use pharmwatch_extract::wallet::{
    is_valid_bitcoin_address, is_valid_ethereum_address, is_valid_tron_address,
};
use pharmwatch_model::{Contact, ContactKind};

fn has(contacts: &[Contact], kind: ContactKind, value: &str) -> bool {
    contacts.iter().any(|c| c.kind == kind && c.value == value)
}

/// Real public addresses with correct checksums.
const BTC_P2PKH: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"; // genesis block coinbase
const BTC_P2SH: &str = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"; // BIP-13/16 era example
const BTC_BECH32: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"; // widely published P2WPKH example
const BTC_TAPROOT: &str = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"; // BIP-86 vector
const ETH_EIP55: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // EIP-55 vector
const ETH_LOWER: &str = "0xde0b295669a9fd93d5f28d9ec85e40f4cb697bae";
const TRON_USDT: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"; // USDT TRC-20 contract

/// Changes one character (keeping it in the address alphabet).
fn corrupt(address: &str, at: usize) -> String {
    let mut chars: Vec<char> = address.chars().collect();
    chars[at] = match chars[at] {
        'a' => 'b',
        'A' => 'B',
        '1' => '2',
        'q' => 'p',
        c if c.is_ascii_digit() => {
            if c == '9' {
                '8'
            } else {
                char::from(c as u8 + 1)
            }
        }
        c if c.is_ascii_lowercase() => {
            if c == 'z' {
                'y'
            } else {
                char::from(c as u8 + 1)
            }
        }
        c => {
            if c == 'Z' {
                'Y'
            } else {
                char::from(c as u8 + 1)
            }
        }
    };
    chars.into_iter().collect()
}

#[test]
fn reference_wallets_validate() {
    assert!(is_valid_bitcoin_address(BTC_P2PKH));
    assert!(is_valid_bitcoin_address(BTC_P2SH));
    assert!(is_valid_bitcoin_address(BTC_TAPROOT));
    assert!(is_valid_bitcoin_address(BTC_BECH32));
    assert!(is_valid_bitcoin_address(&BTC_BECH32.to_uppercase()));
    assert!(is_valid_ethereum_address(ETH_EIP55));
    assert!(is_valid_ethereum_address(ETH_LOWER));
    assert!(is_valid_ethereum_address(
        &ETH_LOWER.to_uppercase().replace("0X", "0x")
    ));
    assert!(is_valid_tron_address(TRON_USDT));
}

#[test]
fn corrupted_wallets_fail() {
    assert!(!is_valid_bitcoin_address(&corrupt(BTC_P2PKH, 10)));
    assert!(!is_valid_bitcoin_address(&corrupt(BTC_P2SH, 5)));
    assert!(!is_valid_bitcoin_address(&corrupt(BTC_TAPROOT, 20)));
    assert!(!is_valid_bitcoin_address(&corrupt(BTC_BECH32, 15)));
    // Testnet addresses are not mainnet wallets.
    assert!(!is_valid_bitcoin_address(
        "tb1qw508d6qejxtdg4c5w5dq0vw3w0vxjq9xy5pqqq"
    ));
    assert!(!is_valid_tron_address(&corrupt(TRON_USDT, 7)));
    // EIP-55: flipping the case of one letter breaks the checksum.
    let flipped = ETH_EIP55.replacen("aA", "AA", 1);
    assert!(!is_valid_ethereum_address(&flipped));
    assert!(!is_valid_ethereum_address(
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"
    )); // 39 digits
}

#[test]
fn sample_marketplace_contact_lines() {
    let text = "WhatsApp: +44 7700 900123\nTelegram: @pillsdirect\n微信: kangjian888\nSales@Example.COM\nSignal: +1 (555) 010-9999\nWickr: rx_plug";
    let c = parse_contacts(text);
    assert!(has(&c, ContactKind::Whatsapp, "+447700900123"), "{c:?}");
    assert!(has(&c, ContactKind::Telegram, "pillsdirect"), "{c:?}");
    assert!(has(&c, ContactKind::Wechat, "kangjian888"), "{c:?}");
    assert!(has(&c, ContactKind::Email, "sales@example.com"), "{c:?}");
    assert!(has(&c, ContactKind::Signal, "+15550109999"), "{c:?}");
    assert!(has(&c, ContactKind::Wickr, "rx_plug"), "{c:?}");
    // A number after a messaging label is not also a plain phone.
    assert!(!c.iter().any(|x| x.kind == ContactKind::Phone), "{c:?}");
    assert_eq!(c.len(), 6, "{c:?}");
}

#[test]
fn phones_links_and_wallets_in_free_text() {
    let text = format!(
        "Call us: +1 212-555-0199 or tel. 020 7946 0958. Chat: wa.me/447700900124, t.me/rxshop_bot. \
         Pay BTC to {BTC_P2PKH} or {BTC_TAPROOT}, ETH {ETH_EIP55}, USDT-TRC20 {TRON_USDT}. \
         Bad: {} {}",
        corrupt(BTC_P2PKH, 12),
        ETH_EIP55.replacen("aA", "AA", 1)
    );
    let c = parse_contacts(&text);
    assert!(has(&c, ContactKind::Phone, "+12125550199"), "{c:?}");
    assert!(has(&c, ContactKind::Phone, "02079460958"), "{c:?}");
    assert!(has(&c, ContactKind::Whatsapp, "+447700900124"), "{c:?}");
    assert!(has(&c, ContactKind::Telegram, "rxshop_bot"), "{c:?}");
    assert!(has(&c, ContactKind::BitcoinWallet, BTC_P2PKH), "{c:?}");
    assert!(has(&c, ContactKind::BitcoinWallet, BTC_TAPROOT), "{c:?}");
    assert!(has(&c, ContactKind::EthereumWallet, ETH_EIP55), "{c:?}");
    assert!(has(&c, ContactKind::TronWallet, TRON_USDT), "{c:?}");
    let wallets = c.iter().filter(|x| x.kind.is_wallet()).count();
    assert_eq!(wallets, 4, "corrupted wallets must be dropped: {c:?}");
}

#[test]
fn no_false_contacts_in_ordinary_text() {
    let text = "Signal strength is good. We chat daily. The logo@2x.png file. Order #12345678 shipped 2026-11-01. \
                Price $1,299.00. GTIN 4006381333931.";
    let c = parse_contacts(text);
    assert!(c.is_empty(), "{c:?}");
}

#[test]
fn duplicates_are_reported_once() {
    let c = parse_contacts("a@b.co, A@B.CO; Telegram: @Shop_One and telegram: shop_one");
    assert_eq!(
        c.iter().filter(|x| x.kind == ContactKind::Email).count(),
        1,
        "{c:?}"
    );
    assert_eq!(
        c.iter().filter(|x| x.kind == ContactKind::Telegram).count(),
        1,
        "{c:?}"
    );
}

#[test]
fn spelled_out_emails_and_trunk_prefixes() {
    let c = parse_contacts(
        "Mail: Orders [at] rx-shop [dot] com, or sales(at)pills.example.org. Tel: +44 (0) 20 7946 0958",
    );
    assert!(has(&c, ContactKind::Email, "orders@rx-shop.com"), "{c:?}");
    assert!(
        has(&c, ContactKind::Email, "sales@pills.example.org"),
        "{c:?}"
    );
    assert!(has(&c, ContactKind::Phone, "+442079460958"), "{c:?}");
    assert!(parse_contacts("meet me at the shop (at) noon").is_empty());
}
