use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of place a listing was found on. Rules use it (any medicine on a darknet
/// market is a red flag; "sans ordonnance" on a pharmacy is not by itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SiteKind {
    #[default]
    Pharmacy,
    Marketplace,
    Classifieds,
    Forum,
    DarknetMarket,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown site kind `{0}`: expected one of pharmacy, marketplace, classifieds, forum, darknet-market"
)]
pub struct UnknownSiteKind(pub String);

impl SiteKind {
    pub const ALL: [SiteKind; 5] = [
        SiteKind::Pharmacy,
        SiteKind::Marketplace,
        SiteKind::Classifieds,
        SiteKind::Forum,
        SiteKind::DarknetMarket,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Pharmacy => "pharmacy",
            SiteKind::Marketplace => "marketplace",
            SiteKind::Classifieds => "classifieds",
            SiteKind::Forum => "forum",
            SiteKind::DarknetMarket => "darknet-market",
        }
    }
}

impl FromStr for SiteKind {
    type Err = UnknownSiteKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SiteKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownSiteKind(s.to_string()))
    }
}

impl fmt::Display for SiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
