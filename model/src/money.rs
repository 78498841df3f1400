use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 4217 currency code (three letters such as USD, EUR, CNY)")]
/// A currency code that is not three ASCII letters.
pub struct CurrencyError(pub String);

impl Currency {
    /// US dollar.
    pub const USD: Currency = Currency(*b"USD");
    /// Euro.
    pub const EUR: Currency = Currency(*b"EUR");
    /// Chinese yuan.
    pub const CNY: Currency = Currency(*b"CNY");

    /// The ISO 4217 code, e.g. `USD`.
    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl FromStr for Currency {
    type Err = CurrencyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Currency([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]))
        } else {
            Err(CurrencyError(s.to_string()))
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exact amount of money. Amounts are decimals, never floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Serialised as a decimal string, e.g. `"1299.00"`.
    pub amount: Decimal,
    /// ISO 4217 currency.
    pub currency: Currency,
}

impl Money {
    /// `amount` in `currency`.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_validated_and_upper_cased() {
        assert_eq!("eur".parse::<Currency>().unwrap(), Currency::EUR);
        assert!("EURO".parse::<Currency>().is_err());
        assert!("€".parse::<Currency>().is_err());
    }

    #[test]
    fn money_serialises_amount_as_exact_string() {
        let m = Money::new(Decimal::new(129900, 2), Currency::EUR);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"1299.00","currency":"EUR"}"#);
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }
}
