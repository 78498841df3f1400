//! `pharmwatch parse price|quantity|contacts TEXT`: how one string is read.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use pharmwatch_extract::{contacts, price, quantity};
use pharmwatch_model::Currency;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum ParseCommand {
    /// A price string, e.g. "1.299,00 €" → {"amount":"1299.00","currency":"EUR","per_unit":false}.
    /// A bare number is an amount with a null currency unless a hint gives one.
    Price {
        /// The price text; may start with `-` ("- $44.99").
        #[arg(allow_hyphen_values = true)]
        text: String,
        /// The page's currency: an ISO code (EUR), a symbol (€), a word (руб.) or the text of
        /// the element that shows it ("Price From £ 39.95"). Used when the price text has no
        /// mark, and to resolve `$`, `¥`, `kr`.
        #[arg(long, value_parser = currency_hint)]
        currency_hint: Option<Currency>,
        /// Accepted for symmetry; output is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// A quantity string, e.g. "20 tabs x 100mg".
    Quantity {
        #[arg(allow_hyphen_values = true)]
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Contacts in a text: e-mails, phones, messaging handles, crypto wallets.
    Contacts {
        text: String,
        #[arg(long)]
        json: bool,
    },
}

/// `--currency-hint` as page text; an unknown or ambiguous one is a usage error.
fn currency_hint(text: &str) -> Result<Currency, String> {
    price::currency_in_text(text, None).map_err(|e| e.to_string())
}

pub fn run(cmd: ParseCommand) -> Result<ExitCode> {
    let value = match cmd {
        ParseCommand::Price {
            text,
            currency_hint,
            ..
        } => {
            let p = price::parse_price_parts(&text, currency_hint, None);
            json!({
                "amount": p.amount.map(|a| a.to_string()),
                "currency": p.currency,
                "per_unit": p.per_unit,
            })
        }
        ParseCommand::Quantity { text, .. } => {
            serde_json::to_value(quantity::parse_quantity(&text))?
        }
        ParseCommand::Contacts { text, .. } => {
            serde_json::to_value(contacts::parse_contacts(&text))?
        }
    };
    println!("{value}");
    Ok(ExitCode::SUCCESS)
}
