//! Profiling aid: evaluates the benchmark mix N times (`cargo run --release --example prof N`).

#[path = "../benches/mix.rs"]
mod mix;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = match pharmwatch_rules::RuleSet::load(
        &[root.join("packs")],
        &root.join("../config/reference"),
    ) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(6000);
    let listings: Vec<_> = (0..600).map(mix::listing).collect();
    let t = std::time::Instant::now();
    for i in 0..n {
        std::hint::black_box(set.evaluate(&listings[i % listings.len()]));
    }
    println!("{:?} per listing", t.elapsed() / n.max(1) as u32);
}
