use std::time::Instant;
fn main() {
    let en = "Buy 0xyc0d0ne 30mg - 30 tablets. High quality oxycodone from a trusted supplier. No Rx required – order in 2 minutes. ".repeat(8);
    let zh = "正品西地那非 100mg，每盒10片。无需处方，下单即发。本店所有商品均为正品，药厂直供，假一赔十。".repeat(8);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = pharmwatch_rules::RuleSet::load(&[root.join("packs")], &root.join("../config/reference")).unwrap();
    let mut l = pharmwatch_model::Listing::new("http://x/1", 0, "s", pharmwatch_model::SiteKind::Pharmacy, "x", "t", time::OffsetDateTime::UNIX_EPOCH);
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    for (name, s) in [("en", &en), ("zh", &zh)] {
        l.description = s.to_string();
        let t = Instant::now();
        for _ in 0..n { std::hint::black_box(set.evaluate(&l)); }
        println!("{name} evaluate: {:?}/iter", t.elapsed() / n);
    }
}
