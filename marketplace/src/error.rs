//! Errors of the marketplace library.

use std::path::PathBuf;

use rust_decimal::Decimal;

/// What can go wrong generating, serving or changing the marketplace.
#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    #[error("no listing at `{0}`")]
    UnknownListing(String),
    #[error("no shop named `{0}`")]
    UnknownShop(String),
    #[error("`{0}` is not a drug of the generator's catalogue")]
    UnknownDrug(String),
    #[error("the legitimate pharmacy never sells controlled drugs (`{0}`)")]
    ControlledOnLegitShop(String),
    #[error("price {0} is negative")]
    InvalidPrice(Decimal),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}
