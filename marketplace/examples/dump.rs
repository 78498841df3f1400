//! Prints one page of the default marketplace: `cargo run --example dump -- SHOP PATH`.
use pharmwatch_marketplace::{Marketplace, MarketplaceOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let market = Marketplace::generate(&MarketplaceOptions::default());
    if args.len() < 3 {
        let truth = market.ground_truth();
        println!(
            "{}",
            serde_json::to_string_pretty(&truth.listings[..8.min(truth.listings.len())])
                .unwrap_or_default()
        );
        return;
    }
    match market.render(&args[1], &args[2]) {
        Some(r) => {
            let (text, _, _) = if r.content_type.contains("GBK") {
                encoding_rs::GBK.decode(&r.body)
            } else {
                encoding_rs::UTF_8.decode(&r.body)
            };
            println!("{} {}\n{}", r.status, r.content_type, text);
        }
        None => eprintln!("no shop {}", args[1]),
    }
}
