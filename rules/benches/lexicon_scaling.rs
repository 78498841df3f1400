//! Listings per second with the shipped packs as the lexicon grows: synthetic lexicons of 200,
//! 2,000 and 20,000 names (see `synthetic_lexicon.rs`), the same ~1 KB listing mix as the
//! `evaluate` benchmark.
//!
//! `cargo bench -p pharmwatch-rules --bench lexicon_scaling`
//!
//! Names are found by one automaton pass per view, so the cost per listing should grow far
//! less than the lexicon: the benchmark prints the time per listing at each size relative to
//! 200 names (CPU time of the benchmark thread, which stays meaningful on a shared machine).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pharmwatch_model::Listing;
use pharmwatch_rules::RuleSet;

mod mix;
mod synthetic_lexicon;

/// Lexicon sizes, in names.
const SIZES: [usize; 3] = [200, 2_000, 20_000];

/// Nanoseconds this thread has spent on a CPU, when the kernel tells.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn load(names: usize) -> (RuleSet, usize, tempfile::TempDir) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temporary folder: {e}"),
    };
    let written =
        match synthetic_lexicon::write(&root.join("../config/reference"), dir.path(), names) {
            Ok(n) => n,
            Err(e) => panic!("writing the synthetic lexicon: {e}"),
        };
    match RuleSet::load(&[root.join("packs")], dir.path()) {
        Ok(set) => (set, written, dir),
        Err(e) => panic!("{e}"),
    }
}

/// CPU nanoseconds per listing over about two seconds of evaluation.
fn cpu_ns_per_listing(set: &RuleSet, listings: &[Listing]) -> Option<f64> {
    let cpu0 = thread_cpu_ns()?;
    let wall = Instant::now();
    let mut n = 0u64;
    while wall.elapsed() < Duration::from_secs(2) {
        for l in listings {
            black_box(set.evaluate(black_box(l)));
        }
        n += listings.len() as u64;
    }
    let cpu1 = thread_cpu_ns()?;
    Some((cpu1 - cpu0) as f64 / n as f64)
}

fn bench(c: &mut Criterion) {
    let listings: Vec<Listing> = (0..600).map(mix::listing).collect();
    let mut group = c.benchmark_group("lexicon_scaling");
    group.throughput(Throughput::Elements(listings.len() as u64));
    let mut cpu = Vec::new();
    for size in SIZES {
        let built = Instant::now();
        let (set, names, _dir) = load(size);
        eprintln!(
            "lexicon of {names} names ({} products): compiled in {:.2} s",
            set.lexicon().drugs().len(),
            built.elapsed().as_secs_f64()
        );
        group.bench_with_input(BenchmarkId::from_parameter(names), &set, |b, set| {
            b.iter(|| {
                for l in &listings {
                    black_box(set.evaluate(black_box(l)));
                }
            })
        });
        if let Some(ns) = cpu_ns_per_listing(&set, &listings) {
            cpu.push((names, ns));
        }
    }
    group.finish();
    if let Some(&(_, base)) = cpu.first() {
        for (names, ns) in &cpu {
            eprintln!(
                "cpu-time: {names:>6} names: {:.0} listings/s per core, {:.2} µs per listing, {:.2}× the time at {} names",
                1e9 / ns,
                ns / 1e3,
                ns / base,
                cpu[0].0
            );
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
