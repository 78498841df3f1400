//! Profiling aid: evaluates the benchmark mix N times, or only one of its six archetypes, with
//! the shipped lexicon or a synthetic one of NAMES names
//! (`cargo run --release --example prof N [ARCHETYPE|all] [NAMES]`). Under
//! `valgrind --tool=callgrind` the difference between two values of N, divided by their
//! difference, is the instruction count of one listing, repeatable on a busy machine.

#[path = "../benches/mix.rs"]
mod mix;
#[path = "../benches/synthetic_lexicon.rs"]
mod synthetic_lexicon;

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(6000);
    let only: Option<usize> = args.next().and_then(|a| a.parse().ok());
    let names: Option<usize> = args.next().and_then(|a| a.parse().ok());
    let reference = root.join("../config/reference");
    let synthetic = names.map(|names| {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("temporary folder: {e}"),
        };
        match synthetic_lexicon::write(&reference, dir.path(), names) {
            Ok(written) => eprintln!("synthetic lexicon of {written} names"),
            Err(e) => panic!("writing the synthetic lexicon: {e}"),
        }
        dir
    });
    let reference = synthetic
        .as_ref()
        .map_or(reference, |d| d.path().to_path_buf());
    let set = match pharmwatch_rules::RuleSet::load(&[root.join("packs")], &reference) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let listings: Vec<_> = (0..600)
        .filter(|i| only.is_none_or(|k| i % 6 == k))
        .map(mix::listing)
        .collect();
    let t = std::time::Instant::now();
    for i in 0..n {
        std::hint::black_box(set.evaluate(&listings[i % listings.len()]));
    }
    println!("{:?} per listing", t.elapsed() / n.max(1) as u32);
}
