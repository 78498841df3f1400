//! `pharmwatch parse price|quantity|contacts TEXT`: how one string is read.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use pharmwatch_extract::{contacts, price, quantity};
use pharmwatch_model::Currency;
use serde_json::json;

#[derive(Debug, Subcommand)]
pub enum ParseCommand {
    /// A price string, e.g. "1.299,00 €" → {"amount":"1299.00","currency":"EUR"}.
    Price {
        text: String,
        /// The site's currency, used when the text has none (or `¥`, `$` are ambiguous).
        #[arg(long)]
        currency_hint: Option<Currency>,
        /// Accepted for symmetry; output is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// A quantity string, e.g. "20 tabs x 100mg".
    Quantity {
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

pub fn run(cmd: ParseCommand) -> Result<ExitCode> {
    let value = match cmd {
        ParseCommand::Price {
            text,
            currency_hint,
            ..
        } => match price::parse_price(&text, currency_hint) {
            Some(m) => json!({ "amount": m.amount.to_string(), "currency": m.currency }),
            None => json!({ "amount": null, "currency": null }),
        },
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
