//! Checksum validation of crypto wallet addresses, so that random strings that merely look
//! like addresses are not reported as a seller's wallet.

use tiny_keccak::{Hasher, Keccak};

/// The chain a validated address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalletKind {
    /// Bitcoin mainnet (Base58Check P2PKH/P2SH or Bech32/Bech32m segwit).
    Bitcoin,
    /// Ethereum (EIP-55 when mixed case).
    Ethereum,
    /// Tron mainnet (Base58Check, version 0x41).
    Tron,
}

/// Validates `address` and says which chain it belongs to; `None` when the checksum fails
/// or the shape is not a known mainnet address.
pub fn classify_wallet(address: &str) -> Option<WalletKind> {
    if is_valid_bitcoin_address(address) {
        Some(WalletKind::Bitcoin)
    } else if is_valid_ethereum_address(address) {
        Some(WalletKind::Ethereum)
    } else if is_valid_tron_address(address) {
        Some(WalletKind::Tron)
    } else {
        None
    }
}

/// Bitcoin mainnet: Base58Check P2PKH (version 0x00, "1…") or P2SH (0x05, "3…"), or a
/// segwit address with HRP `bc` (Bech32 for v0, Bech32m for v1+, per BIP-173/BIP-350).
pub fn is_valid_bitcoin_address(address: &str) -> bool {
    if address
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("bc1"))
    {
        return match bech32::segwit::decode(address) {
            Ok((hrp, _, _)) => hrp == bech32::hrp::BC,
            Err(_) => false,
        };
    }
    base58check_payload(address).is_some_and(|p| p.len() == 21 && matches!(p[0], 0x00 | 0x05))
}

/// Tron mainnet: Base58Check with version byte 0x41 ("T…").
pub fn is_valid_tron_address(address: &str) -> bool {
    address.starts_with('T')
        && base58check_payload(address).is_some_and(|p| p.len() == 21 && p[0] == 0x41)
}

/// Ethereum: `0x` + 40 hex digits. Mixed case must satisfy the EIP-55 checksum; all-lower
/// and all-upper hex carry no checksum and are accepted.
pub fn is_valid_ethereum_address(address: &str) -> bool {
    let Some(hex) = address
        .strip_prefix("0x")
        .or_else(|| address.strip_prefix("0X"))
    else {
        return false;
    };
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if !(has_lower && has_upper) {
        return true;
    }
    eip55_checksum(hex) == hex
}

/// The EIP-55 spelling of a 40-digit hex address (without `0x`).
pub fn eip55_checksum(hex: &str) -> String {
    let lower = hex.to_ascii_lowercase();
    let mut hash = [0u8; 32];
    let mut keccak = Keccak::v256();
    keccak.update(lower.as_bytes());
    keccak.finalize(&mut hash);
    lower
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            if b.is_ascii_alphabetic() && nibble >= 8 {
                char::from(b.to_ascii_uppercase())
            } else {
                char::from(b)
            }
        })
        .collect()
}

/// Version byte + payload of a Base58Check string whose 4-byte double-SHA-256 checksum holds.
fn base58check_payload(address: &str) -> Option<Vec<u8>> {
    if address.len() > 64 {
        return None;
    }
    bs58::decode(address).with_check(None).into_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_reference_vectors() {
        for a in [
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert_eq!(eip55_checksum(a), a);
        }
    }
}
