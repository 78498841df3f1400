//! Index and search benchmark: builds an index of N synthetic listings, then runs a fixed mix
//! of 1,000 queries (terms, phrases, Chinese, filters, ranges, wildcards; all with facets and
//! highlighting) and prints ingest rate, index size per listing and latency percentiles, with
//! the CPU time and load average of each phase (the machine may be shared).
//!
//! ```text
//! cargo run --release -p pharmwatch-indexer --example bench_index -- [N] [DIR]
//! ```
//! N defaults to 100000; DIR defaults to a fresh temporary directory (removed at the end).
//! With `PW_BENCH_SEARCH_ONLY=1` and a DIR that already holds a bench index, only the
//! queries run. `PW_BENCH_COMMIT_DOCS` overrides the commit batch.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pharmwatch_indexer::{
    IndexDoc, ListingIndexWriter, ListingSearcher, SearchRequest, SortBy, SortOrder, WriterBudget,
};
use pharmwatch_model::{
    Currency, DrugMatch, Field, Listing, Money, Quantity, RuleHit, Severity, SiteKind, Verdict,
};
use time::macros::datetime;

/// Small deterministic generator (no dependency; the same N gives the same index).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// (lexicon id, class, English name, Chinese name, USD per unit)
const DRUGS: &[(&str, &str, &str, &str, f64)] = &[
    ("sildenafil", "rx", "Viagra", "西地那非", 2.0),
    ("tadalafil", "rx", "Cialis", "他达拉非", 2.0),
    ("oxycodone", "controlled", "OxyContin", "奥施康定", 3.0),
    ("tramadol", "controlled", "Tramadol", "曲马多", 0.8),
    ("alprazolam", "controlled", "Xanax", "阿普唑仑", 1.0),
    ("diazepam", "controlled", "Valium", "地西泮", 0.5),
    ("zolpidem", "controlled", "Ambien", "唑吡坦", 1.0),
    ("modafinil", "controlled", "Modalert", "莫达非尼", 2.0),
    ("pregabalin", "rx", "Lyrica", "普瑞巴林", 1.0),
    ("semaglutide", "rx", "Ozempic", "司美格鲁肽", 250.0),
    ("isotretinoin", "rx", "Accutane", "异维A酸", 2.0),
    ("amoxicillin", "rx", "Amoxil", "阿莫西林", 0.3),
    ("ibuprofen", "otc", "Advil", "布洛芬", 0.08),
];

const RULES: &[(&str, Severity)] = &[
    ("rx-without-prescription", Severity::High),
    ("controlled-substance-online", Severity::Critical),
    ("obfuscated-drug-name", Severity::High),
    ("medicine-on-informal-market", Severity::Medium),
    ("implausible-price", Severity::High),
    ("crypto-only-payment", Severity::Medium),
    ("messaging-only-contact", Severity::Medium),
    ("stealth-shipping", Severity::Medium),
];

const EN: &[&str] = &[
    "Buy {drug} {mg}mg x {n} tablets - no prescription needed",
    "{drug} {mg}mg Pack of {n}, fast worldwide delivery",
    "Generic {drug} {mg} mg, {n} pills, best price online",
    "{drug} {mg}mg x {n} - stealth shipping, pay with Bitcoin",
];
const ZH: &[&str] = &[
    "正品{zh}{mg}mg无需处方 {n}片",
    "{zh}片{mg}mg*{n}片 隐秘包装",
    "{zh} {mg}mg {n}片 微信联系",
];
const OTHER: &[&str] = &[
    "{drug} sin receta {mg}mg {n} pastillas",
    "{drug} sans ordonnance {mg}mg",
    "{drug} без рецепта {mg}мг {n} таблеток",
    "{drug} sem receita {mg}mg caneta",
];
const DESCRIPTIONS: &[&str] = &[
    "Discreet packaging, no customs. Contact on WhatsApp or Telegram. Payment: Bitcoin, Monero.",
    "Licensed pharmacy. Prescription required. We ship within 24 hours with tracking.",
    "隐秘发货，支持比特币付款，微信咨询。",
    "Envío discreto a toda Europa, pago con Bitcoin o transferencia.",
    "Доставка без таможни, оплата биткоин, связь через Телеграм.",
    "Original product from India, guaranteed delivery through customs, money back.",
];

fn listing_doc(i: usize, rng: &mut Rng) -> IndexDoc {
    let shop = rng.below(200);
    let kind = if shop % 4 == 2 {
        SiteKind::Classifieds
    } else {
        SiteKind::Pharmacy
    };
    let site = format!("shop{shop}");
    let domain = format!("shop{shop}.example");
    let url = format!("http://{domain}/product/{i}.html");
    let medicine = !rng.chance(15);
    let (id, class, name, zh, ref_price) = *rng.pick(DRUGS);
    let mg = *rng.pick(&[5, 10, 20, 30, 50, 100, 200]);
    let n = *rng.pick(&[10, 20, 28, 30, 60, 90, 100]);
    let (title, currency, rate) = if !medicine {
        (
            format!("Vitamin C {mg}0mg x {n} tablets"),
            Currency::USD,
            1.0,
        )
    } else {
        match rng.below(10) {
            0..=4 => (
                fill(rng.pick::<&str>(EN), name, zh, mg, n),
                Currency::USD,
                1.0,
            ),
            5..=7 => (
                fill(rng.pick::<&str>(ZH), name, zh, mg, n),
                Currency::CNY,
                7.2,
            ),
            _ => (
                fill(rng.pick::<&str>(OTHER), name, zh, mg, n),
                Currency::EUR,
                0.92,
            ),
        }
    };
    let fetched = datetime!(2026-01-01 00:00 UTC) + time::Duration::minutes((i % 500_000) as i64);
    let mut listing = Listing::new(url, 0, site, kind, domain, title, fetched);
    listing.description = rng.pick(DESCRIPTIONS).to_string();
    let unit_usd = if rng.chance(15) {
        ref_price * 0.08
    } else {
        ref_price * (0.8 + rng.below(70) as f64 / 100.0)
    };
    let price_usd = unit_usd * f64::from(n);
    let amount = rust_decimal::Decimal::from_f64_retain(price_usd * rate)
        .unwrap_or_default()
        .round_dp(2);
    listing.price = Some(Money::new(amount, currency));
    listing.quantity = Some(Quantity {
        units: Some(n),
        ..Default::default()
    });
    listing.seller = Some(format!("Seller {}", shop % 37));
    listing.evidence_digest = Some(format!("{:064x}", rng.next()));
    let mut hits = Vec::new();
    let mut drugs = Vec::new();
    if medicine {
        drugs.push(DrugMatch {
            drug: id.into(),
            class: class.into(),
            category: "bench".into(),
            field: Field::Title,
            start: 0,
            end: 1,
            text: name.into(),
        });
        for (rule, severity) in RULES {
            let fires = match *rule {
                "controlled-substance-online" => class == "controlled",
                "medicine-on-informal-market" => kind == SiteKind::Classifieds,
                _ => rng.chance(30),
            };
            if fires {
                hits.push(RuleHit {
                    rule_id: rule.to_string(),
                    title: rule.to_string(),
                    severity: *severity,
                    category: "bench".into(),
                    evidence: Vec::new(),
                });
            }
        }
    }
    let verdict = Verdict {
        listing_id: listing.id.clone(),
        flagged: !hits.is_empty(),
        severity: hits.iter().map(|h| h.severity).max(),
        score: hits.iter().map(|h| h.severity.weight()).sum(),
        hits,
        drugs,
    };
    IndexDoc {
        listing,
        verdict,
        price_usd: Some(price_usd),
        unit_price_usd: Some(unit_usd),
        first_seen: fetched,
        last_seen: fetched + time::Duration::days(rng.below(60) as i64),
        run: Some((i / 10_000) as i64),
        gone_since: None,
    }
}

fn fill(template: &str, name: &str, zh: &str, mg: u32, n: u32) -> String {
    template
        .replace("{drug}", name)
        .replace("{zh}", zh)
        .replace("{mg}", &mg.to_string())
        .replace("{n}", &n.to_string())
}

/// The fixed query mix: (class, query, sort).
fn queries() -> Vec<(&'static str, String, SortBy)> {
    let mut rng = Rng(0x5eed_cafe);
    let mut out = Vec::new();
    for i in 0..1000 {
        let (id, _, name, zh, _) = *rng.pick(DRUGS);
        let shop = rng.below(200);
        let lo = rng.below(50);
        let (class, q) = match i % 10 {
            0 => ("term", name.to_lowercase()),
            1 => ("phrase", "\"no prescription\"".to_string()),
            2 => ("chinese", zh.to_string()),
            3 => ("filter", format!("drug:{id} AND site:shop{shop}")),
            4 => (
                "range",
                format!("price_usd:[{lo} TO {}] AND severity:>=high", lo + 20),
            ),
            5 => (
                "date",
                "first_seen:[2026-03-01 TO *] AND rule:stealth-shipping".to_string(),
            ),
            6 => (
                "bool",
                format!(
                    "({} OR {}) -domain:shop{shop}.example",
                    name.to_lowercase(),
                    zh
                ),
            ),
            7 => ("wildcard", format!("{}*", &name.to_lowercase()[..3])),
            8 => ("all+sort", "*".to_string()),
            _ => (
                "fields",
                format!(
                    "title:{} AND unit_price_usd:<1 AND currency:usd",
                    name.to_lowercase()
                ),
            ),
        };
        let sort = match i % 4 {
            0 => SortBy::Relevance,
            1 => SortBy::Score(SortOrder::Desc),
            2 => SortBy::Price(SortOrder::Asc),
            _ => SortBy::LastSeen(SortOrder::Desc),
        };
        out.push((class, q, sort));
    }
    out
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

/// CPU time (user + system, all threads) this process has used so far, from /proc/self/stat
/// (Linux; clock ticks of 1/100 s). `None` elsewhere. The machine is shared, so CPU time is
/// reported next to wall-clock latencies.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .map(|s| s.replace('_', "").parse())
        .transpose()?
        .unwrap_or(100_000);
    let (_tmp, dir): (Option<tempfile::TempDir>, PathBuf) = match args.get(2) {
        Some(d) => (None, PathBuf::from(d)),
        None => {
            let t = tempfile::tempdir()?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    println!("index: {} listings in {}", n, dir.display());
    if std::env::var_os("PW_BENCH_SEARCH_ONLY").is_none() {
        ingest(n, &dir)?;
    }
    search(&dir)
}

fn ingest(n: usize, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    // Bulk ingestion: the large budget (a crawl's lean one would flush mid-batch).
    let mut writer = ListingIndexWriter::open_with_budget(dir, WriterBudget::bulk())?;
    if let Some(docs) = std::env::var("PW_BENCH_COMMIT_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        writer = writer.with_commit_policy(pharmwatch_indexer::CommitPolicy {
            max_docs: docs,
            ..Default::default()
        });
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let mut indexing = Duration::ZERO;
    let mut commits = 0;
    for i in 0..n {
        let doc = listing_doc(i, &mut rng);
        let t = Instant::now();
        writer.upsert(&doc)?;
        if writer.maybe_commit()? {
            commits += 1;
        }
        indexing += t.elapsed();
    }
    let t = Instant::now();
    writer.commit()?;
    indexing += t.elapsed();
    let wall = started.elapsed();
    let t = Instant::now();
    writer.close()?;
    let merging = t.elapsed();
    let cpu = cpu_seconds()
        .zip(cpu_started)
        .map_or_else(|| "?".into(), |(b, a)| format!("{:.1}", b - a));
    println!(
        "ingest CPU: {cpu} s (user + system, all threads); load average {}",
        load_average()
    );
    let size = dir_size(dir);
    println!(
        "ingest: {:.0} listings/s to searchable (indexing {:.1} s, {} intermediate commits; {:.0} listings/s incl. generating them); {:.0} listings/s incl. waiting {:.1} s for background merges",
        n as f64 / indexing.as_secs_f64(),
        indexing.as_secs_f64(),
        commits,
        n as f64 / wall.as_secs_f64(),
        n as f64 / (indexing + merging).as_secs_f64(),
        merging.as_secs_f64(),
    );
    println!(
        "size: {:.1} MiB, {:.0} bytes per listing",
        size as f64 / 1048576.0,
        size as f64 / n as f64
    );

    Ok(())
}

fn search(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let searcher = ListingSearcher::open(dir)?;
    println!("searching {} listings", searcher.num_docs());
    let mix = queries();
    // Warm-up: page in the files once and build the facet tables, as a long-running server
    // would have. The first search (cold files) is reported on its own.
    for (i, (_, q, sort)) in mix.iter().take(50).enumerate() {
        let t = Instant::now();
        searcher.search(&SearchRequest {
            sort: *sort,
            facets: true,
            highlight: true,
            ..SearchRequest::new(q.clone())
        })?;
        if i == 0 {
            println!("first search (cold files): {:.0} ms", ms(t.elapsed()));
        }
    }
    // A new searcher over files already in the page cache: its first facet search (all a
    // one-shot `pharmwatch search --facets` does) reads the fast-field columns, the second
    // builds the per-segment facet tables, later ones use them.
    for q in ["*", "drug:oxycodone AND site:shop7"] {
        let fresh = ListingSearcher::open(dir)?;
        let req = SearchRequest {
            facets: true,
            ..SearchRequest::new(q)
        };
        let mut times = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            fresh.search(&req)?;
            times.push(ms(t.elapsed()));
        }
        println!(
            "new searcher, `{q}` with facets: 1st {:.1} ms (columns), 2nd {:.1} ms (builds facet tables), 3rd {:.1} ms",
            times[0], times[1], times[2]
        );
    }
    let mut all = Vec::new();
    let mut by_class: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut total_hits = 0usize;
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    for (class, q, sort) in &mix {
        let req = SearchRequest {
            sort: *sort,
            facets: true,
            highlight: true,
            limit: 20,
            ..SearchRequest::new(q.clone())
        };
        let t = Instant::now();
        let res = searcher.search(&req)?;
        let e = t.elapsed();
        total_hits += res.total;
        all.push(e);
        by_class.entry(class).or_default().push(e);
    }
    let wall = started.elapsed();
    let cpu = cpu_seconds()
        .zip(cpu_started)
        .map_or_else(|| "?".into(), |(b, a)| format!("{:.2}", b - a));
    all.sort();
    println!(
        "query phase: {:.2} s wall, {cpu} s CPU (user + system, all threads); load average {}",
        wall.as_secs_f64(),
        load_average()
    );
    println!(
        "queries: {} (facets + highlight, 20 hits): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; mean matches {:.0}",
        all.len(),
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.90)),
        ms(percentile(&all, 0.99)),
        ms(*all.last().unwrap_or(&Duration::ZERO)),
        total_hits as f64 / all.len() as f64
    );
    for (class, mut v) in by_class {
        v.sort();
        println!(
            "  {class:<9} p50 {:>7.2} ms  p99 {:>7.2} ms",
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.99))
        );
    }
    Ok(())
}
