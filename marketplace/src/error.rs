//! Errors of the marketplace library.

use std::path::PathBuf;

use rust_decimal::Decimal;

/// What can go wrong generating, serving or changing the marketplace.
#[derive(Debug, thiserror::Error)]
pub enum MarketplaceError {
    /// No live listing has this path or URL.
    #[error("no listing at `{0}`")]
    UnknownListing(String),
    /// No shop has this name.
    #[error("no shop named `{0}`")]
    UnknownShop(String),
    /// The drug is not in the generator's catalogue.
    #[error("`{0}` is not a drug of the generator's catalogue")]
    UnknownDrug(String),
    /// Controlled drugs cannot be added to the legitimate pharmacy.
    #[error("the legitimate pharmacy never sells controlled drugs (`{0}`)")]
    ControlledOnLegitShop(String),
    /// Prices cannot be negative.
    #[error("price {0} is negative")]
    InvalidPrice(Decimal),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The ground truth could not be (de)serialised.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}
