//! Prints how many listings of each shop expect each rule (default marketplace or `SEED`).
use std::collections::BTreeMap;

use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(MarketplaceOptions::default().seed);
    let truth = Marketplace::generate(&MarketplaceOptions {
        seed,
        ..MarketplaceOptions::default()
    })
    .ground_truth();
    let mut table: BTreeMap<(String, String), usize> = BTreeMap::new();
    for l in &truth.listings {
        *table
            .entry((l.shop.clone(), "(listings)".into()))
            .or_default() += 1;
        if l.drug.is_some() {
            *table
                .entry((l.shop.clone(), "(drug listings)".into()))
                .or_default() += 1;
        }
        if l.flagged {
            *table
                .entry((l.shop.clone(), "(flagged)".into()))
                .or_default() += 1;
        }
        for r in &l.expected_rules {
            *table.entry((l.shop.clone(), r.clone())).or_default() += 1;
        }
    }
    for ((shop, rule), n) in table {
        println!("{shop:12} {rule:30} {n}");
    }
}
