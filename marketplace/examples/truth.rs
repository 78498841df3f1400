//! Writes the ground truth of a generated marketplace:
//! `cargo run --example truth -- OUT.json [SEED] [LISTINGS_PER_SHOP] [SHOPS]`.
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args.first().map(String::as_str).unwrap_or("truth.json");
    let defaults = MarketplaceOptions::default();
    let num = |i: usize, d: u64| -> u64 { args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d) };
    let opts = MarketplaceOptions {
        seed: num(1, defaults.seed),
        listings_per_shop: num(2, defaults.listings_per_shop as u64) as usize,
        shops: num(3, defaults.shops as u64) as usize,
        ..defaults
    };
    let market = Marketplace::generate(&opts);
    market.ground_truth().write_json(out)?;
    println!("{} listings written to {out}", market.listing_count());
    Ok(())
}
