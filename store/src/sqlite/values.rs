//! Conversions between model values and SQL columns.

use std::str::FromStr;

use pharmwatch_model::{Currency, Money, Severity, Timestamp};
use rust_decimal::Decimal;
use time::format_description::well_known::Rfc3339;

use crate::StoreError;

/// Fixed-width UTC text (`2026-11-23T18:30:00.000000Z`), so text order is time order.
pub(crate) fn ts(t: Timestamp) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

pub(crate) fn parse_ts(s: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse(s, &Rfc3339).map_err(|_| StoreError::corrupt("timestamp", s))
}

pub(crate) fn parse_opt_ts(s: Option<String>) -> Result<Option<Timestamp>, StoreError> {
    s.as_deref().map(parse_ts).transpose()
}

/// `(amount, currency)` columns of an optional price.
pub(crate) fn money_cols(m: Option<&Money>) -> (Option<String>, Option<String>) {
    match m {
        Some(m) => (Some(m.amount.to_string()), Some(m.currency.to_string())),
        None => (None, None),
    }
}

pub(crate) fn money_from(
    amount: Option<String>,
    currency: Option<String>,
) -> Result<Option<Money>, StoreError> {
    match (amount, currency) {
        (Some(a), Some(c)) => {
            let amount = Decimal::from_str(&a).map_err(|_| StoreError::corrupt("price", a))?;
            let currency =
                Currency::from_str(&c).map_err(|_| StoreError::corrupt("currency", c))?;
            Ok(Some(Money::new(amount, currency)))
        }
        _ => Ok(None),
    }
}

pub(crate) fn severity_from(s: Option<String>) -> Result<Option<Severity>, StoreError> {
    s.map(|s| Severity::from_str(&s).map_err(|_| StoreError::corrupt("severity", s)))
        .transpose()
}

pub(crate) fn u16_from(v: Option<i64>, what: &'static str) -> Result<Option<u16>, StoreError> {
    v.map(|n| u16::try_from(n).map_err(|_| StoreError::corrupt(what, n.to_string())))
        .transpose()
}

pub(crate) fn u64_from(v: i64, what: &'static str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::corrupt(what, v.to_string()))
}

/// SQLite integers are i64; offsets and lengths beyond that cannot occur in practice.
pub(crate) fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_fixed_width_and_round_trip() {
        let t = time::macros::datetime!(2026-11-23 18:30:05.25 UTC);
        assert_eq!(ts(t), "2026-11-23T18:30:05.250000Z");
        assert_eq!(parse_ts(&ts(t)).unwrap(), t);
        let t2 = time::macros::datetime!(2026-11-23 18:30:05 +02:00);
        assert_eq!(ts(t2), "2026-11-23T16:30:05.000000Z");
        assert!(parse_ts("yesterday").is_err());
    }
}
