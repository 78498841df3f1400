//! Times generation, ground truth and rendering at benchmark scale:
//! `cargo run --release --example scale -- 100000`.
use std::time::Instant;

use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let t = Instant::now();
    let market = Marketplace::generate(&MarketplaceOptions {
        seed: 1,
        shops: 4,
        listings_per_shop: total / 4,
        networks: false,
    });
    println!(
        "generate {} listings: {:?}",
        market.listing_count(),
        t.elapsed()
    );
    let t = Instant::now();
    let truth = market.ground_truth();
    println!("ground truth: {:?}", t.elapsed());
    let t = Instant::now();
    let mut bytes = 0;
    for l in truth.listings.iter().take(2000) {
        bytes += market
            .render(&l.shop, &l.path)
            .map(|r| r.body.len())
            .unwrap_or(0);
    }
    println!(
        "render 2000 product pages ({bytes} bytes): {:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let r = market.render("medsdirect", "/category/mens-health?page=50");
    println!("category page: {:?} {:?}", r.map(|r| r.status), t.elapsed());
}
