//! Explains one ad-hoc title against the shipped packs: `cargo run --example explain -- "TITLE" ["DESCRIPTION"]`.
fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = match pharmwatch_rules::RuleSet::load(&[root.join("packs")], &root.join("../config/reference")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut l = pharmwatch_model::Listing::new("https://shop.example/p/1", 0, "adhoc", pharmwatch_model::SiteKind::Pharmacy, "shop.example", args.first().cloned().unwrap_or_default(), time::OffsetDateTime::UNIX_EPOCH);
    l.description = args.get(1).cloned().unwrap_or_default();
    let v = set.evaluate(&l);
    println!("{:?}\n{:?}", v.drugs, v.rule_ids().collect::<Vec<_>>());
}
