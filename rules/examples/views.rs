#[path = "../benches/mix.rs"]
mod mix;
use pharmwatch_rules::normalize::Normalized;
fn main() {
    let k: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let l = mix::listing(k);
    for _ in 0..100 {
        std::hint::black_box(Normalized::views(&l.description));
    }
    println!("{} bytes ascii={}", l.description.len(), l.description.is_ascii());
}
