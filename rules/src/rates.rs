//! Currency rates: a dated table in `config/reference/currency_rates.csv`, no network.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use pharmwatch_model::{Currency, Money};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::csv;
use crate::diagnostic::Diagnostic;

/// File name of the rates table inside the reference folder.
pub const RATES_FILE: &str = "currency_rates.csv";

/// One row of the rates table: how many units of `currency` one US dollar buys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// The currency.
    pub currency: Currency,
    /// Units of the currency one US dollar buys.
    pub units_per_usd: Decimal,
    /// Date the rate applies to (ISO 8601).
    pub date: String,
    /// Source key (see the file header).
    pub source: String,
}

/// Conversion of amounts to US dollars with a fixed, dated table.
#[derive(Debug, Clone, Default)]
pub struct CurrencyRates {
    rates: HashMap<Currency, Rate>,
}

impl CurrencyRates {
    /// Reads `currency_rates.csv` (columns `currency,units_per_usd,date,source`).
    pub fn load(reference_dir: &Path) -> Result<CurrencyRates, Vec<Diagnostic>> {
        let path = reference_dir.join(RATES_FILE);
        let src = std::fs::read_to_string(&path).map_err(|e| {
            vec![file_diag(
                &path,
                0,
                format!("cannot read the currency rates table: {e}"),
            )]
        })?;
        Self::parse(&path, &src)
    }

    /// Parses the table text; `path` is only used in diagnostics.
    pub fn parse(path: &Path, src: &str) -> Result<CurrencyRates, Vec<Diagnostic>> {
        let rows = csv::parse(src).map_err(|(line, m)| vec![file_diag(path, line, m)])?;
        let mut diags = Vec::new();
        let mut rates = HashMap::new();
        for row in rows
            .iter()
            .skip_while(|r| r.fields.first().is_some_and(|f| f == "currency"))
        {
            match parse_row(&row.fields) {
                Ok(rate) => {
                    rates.insert(rate.currency, rate);
                }
                Err(m) => diags.push(file_diag(path, row.line, m)),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let usd = Rate {
            currency: Currency::USD,
            units_per_usd: Decimal::ONE,
            date: String::new(),
            source: "identity".into(),
        };
        rates.entry(Currency::USD).or_insert(usd);
        Ok(CurrencyRates { rates })
    }

    /// The amount in US dollars, or `None` when the currency is not in the table.
    pub fn to_usd(&self, money: &Money) -> Option<Decimal> {
        let rate = self.rates.get(&money.currency)?;
        if rate.units_per_usd.is_zero() {
            return None;
        }
        money.amount.checked_div(rate.units_per_usd)
    }

    /// The row for one currency.
    pub fn rate(&self, currency: Currency) -> Option<&Rate> {
        self.rates.get(&currency)
    }

    /// Currencies the table can convert.
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        self.rates.keys().copied()
    }
}

fn parse_row(f: &[String]) -> Result<Rate, String> {
    if f.len() != 4 {
        return Err(format!(
            "expected 4 columns (currency,units_per_usd,date,source), found {}",
            f.len()
        ));
    }
    let currency = Currency::from_str(&f[0]).map_err(|e| e.to_string())?;
    let units_per_usd = Decimal::from_str(&f[1])
        .ok()
        .filter(|d| d.is_sign_positive() && !d.is_zero())
        .ok_or_else(|| format!("`{}` is not a positive decimal rate", f[1]))?;
    if f[3].is_empty() {
        return Err(format!(
            "rate for {currency} has no source: cite where it comes from"
        ));
    }
    Ok(Rate {
        currency,
        units_per_usd,
        date: f[2].clone(),
        source: f[3].clone(),
    })
}

pub(crate) fn file_diag(path: &Path, line: usize, message: String) -> Diagnostic {
    Diagnostic {
        file: path.to_path_buf(),
        line,
        column: usize::from(line > 0),
        rule_id: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_with_the_table() {
        let r = CurrencyRates::parse(
            Path::new("r.csv"),
            "currency,units_per_usd,date,source\nEUR,0.92,2026-11-01,test\nCNY,7.20,2026-11-01,test\n",
        )
        .unwrap();
        let m = Money::new(Decimal::new(9200, 2), Currency::EUR);
        assert_eq!(r.to_usd(&m), Some(Decimal::new(100, 0)));
        let usd = Money::new(Decimal::new(5, 0), Currency::USD);
        assert_eq!(r.to_usd(&usd), Some(Decimal::new(5, 0)));
        let jpy = Money::new(Decimal::new(5, 0), "JPY".parse().unwrap());
        assert_eq!(r.to_usd(&jpy), None);
    }

    #[test]
    fn bad_rows_are_reported_with_lines() {
        let e = CurrencyRates::parse(Path::new("r.csv"), "EUR,abc,2026-11-01,x\nGBP,0.79,,\n")
            .unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].line, 1);
        assert_eq!(e[1].line, 2);
    }
}
