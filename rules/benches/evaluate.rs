//! Listings evaluated per second with the shipped packs, over a mix of ~1 KB synthetic
//! listings (rogue English, Chinese, multilingual classifieds, legitimate, non-medicine).
//!
//! `cargo bench -p pharmwatch-rules --bench evaluate`
//!
//! Besides criterion's wall-clock figures, prints listings per second of *CPU time* of the
//! benchmark thread (Linux `/proc/thread-self/schedstat`), which stays meaningful on a
//! machine shared with other jobs.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pharmwatch_model::Listing;
use pharmwatch_rules::RuleSet;

mod mix;

/// Nanoseconds this thread has spent on a CPU, when the kernel tells.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = match RuleSet::load(&[root.join("packs")], &root.join("../config/reference")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let listings: Vec<Listing> = (0..600).map(mix::listing).collect();
    let bytes: usize = listings
        .iter()
        .map(|l| l.title.len() + l.description.len())
        .sum();
    eprintln!("mean listing text: {} bytes", bytes / listings.len());
    let mut group = c.benchmark_group("rules");
    group.throughput(Throughput::Elements(listings.len() as u64));
    group.bench_function("evaluate_mix", |b| {
        b.iter(|| {
            for l in &listings {
                black_box(set.evaluate(black_box(l)));
            }
        })
    });
    group.finish();
    if let Some(cpu0) = thread_cpu_ns() {
        let wall = Instant::now();
        let mut n = 0u64;
        while wall.elapsed() < Duration::from_secs(3) {
            for l in &listings {
                black_box(set.evaluate(black_box(l)));
            }
            n += listings.len() as u64;
        }
        if let Some(cpu1) = thread_cpu_ns() {
            let secs = (cpu1 - cpu0) as f64 / 1e9;
            eprintln!(
                "cpu-time throughput: {:.0} listings/s per core ({n} listings in {secs:.2} s CPU, {:.2} s wall)",
                n as f64 / secs,
                wall.elapsed().as_secs_f64()
            );
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
