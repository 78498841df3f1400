//! The template families of the sample marketplace (issues 17 and 18), served by the
//! marketplace's own server and crawled by the real binary: per family, the share of offers
//! extracted with the right title, price (amount, currency, per-unit or per-offer) and
//! quantity, the offers given a shipping or payment claim from outside their region (menu,
//! blurb, reviews, forum rules, footer), and flag precision and recall against the analysts'
//! labels. The figures are printed; the issues' targets are asserted apart.

mod common;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use common::{config_head, crawl, pharmwatch, search_docs};
use pharmwatch_marketplace::families::{FamilyEndpoint, FamilyListingTruth, FamilyTruth, Label};
use pharmwatch_marketplace::{Family, FamilyCatalogue, FamilyOptions, serve_families};
use rust_decimal::Decimal;
use serde_json::Value;

/// What one family (or the whole catalogue) measured.
#[derive(Debug, Default, Clone)]
struct Figures {
    offers: usize,
    extracted_right: usize,
    /// Offers no extracted listing matched.
    missing: usize,
    /// Extracted listings that are no offer (related products, replies, list pages).
    spurious: usize,
    /// Offers with a shipping or payment claim whose words the page prints only outside it.
    outside_claims: usize,
    suspicious: usize,
    true_positives: usize,
    false_positives: usize,
    /// Clean offers at severity high or critical.
    clean_high: usize,
    examples: Vec<String>,
}

impl Figures {
    fn extraction_share(&self) -> f64 {
        ratio(self.extracted_right, self.offers)
    }

    fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    fn recall(&self) -> f64 {
        ratio(self.true_positives, self.suspicious)
    }

    fn add(&mut self, other: &Figures) {
        self.offers += other.offers;
        self.extracted_right += other.extracted_right;
        self.missing += other.missing;
        self.spurious += other.spurious;
        self.outside_claims += other.outside_claims;
        self.suspicious += other.suspicious;
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.clean_high += other.clean_high;
    }

    fn note(&mut self, example: String) {
        if self.examples.len() < 4 {
            self.examples.push(example);
        }
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<20} offers {:>3}  extracted right {:>5.1}%  missing {:>3}  spurious {:>3}  \
             outside claims {:>3}  precision {:.2}  recall {:.2}  clean at high+ {:>3}",
            self.offers,
            100.0 * self.extraction_share(),
            self.missing,
            self.spurious,
            self.outside_claims,
            self.precision(),
            self.recall(),
            self.clean_high,
        )
    }
}

/// `part / whole`, 0 when there is no whole.
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

struct Measured {
    truth: FamilyTruth,
    by_family: BTreeMap<Family, Figures>,
    all: Figures,
    /// Requests the shops answered with anything but 200.
    failed_requests: Vec<String>,
    /// Offer pages the crawler never asked for.
    unrequested: Vec<String>,
}

/// Serves the default family catalogue, crawls it once with the real binary and measures
/// (once per test process).
fn measured() -> &'static Measured {
    static MEASURED: OnceLock<Measured> = OnceLock::new();
    MEASURED.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let catalogue = FamilyCatalogue::generate(&FamilyOptions::default());
        let running = runtime.block_on(serve_families(catalogue)).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let config = write_config(tmp.path(), running.shops());
        let data = tmp.path().join("data");
        crawl(&data, &config);
        let docs = search_docs(data.to_str().unwrap(), "*", true);
        let truth = running.ground_truth().clone();
        let requests = running.requests();
        let endpoints = running.shops().to_vec();
        runtime.block_on(running.shutdown());
        let failed_requests = requests
            .iter()
            .filter(|r| r.status != 200)
            .map(|r| format!("{} {} → {}", r.shop, r.path, r.status))
            .collect();
        let unrequested = truth
            .listings
            .iter()
            .filter(|t| {
                !requests
                    .iter()
                    .any(|r| r.shop == t.shop && r.path == t.path)
            })
            .map(|t| t.url.clone())
            .collect();
        let by_family = measure(&truth, &docs, &endpoints);
        let mut all = Figures::default();
        for figures in by_family.values() {
            all.add(figures);
        }
        for (family, figures) in &by_family {
            eprintln!("{}", figures.line(family.as_str()));
            for e in &figures.examples {
                eprintln!("    e.g. {e}");
            }
        }
        eprintln!("{}", all.line("all families"));
        Measured {
            truth,
            by_family,
            all,
            failed_requests,
            unrequested,
        }
    })
}

/// One site per shop: its kind, currency and language, no profile (the families are shops
/// the extractor has never seen).
fn write_config(dir: &std::path::Path, shops: &[FamilyEndpoint]) -> std::path::PathBuf {
    let mut text = config_head();
    for e in shops {
        text.push_str(&format!(
            "[[site]]\nname = {:?}\nkind = {:?}\nstart_urls = [{:?}]\nrate = 100.0\ncurrency = {:?}\nlanguage = {:?}\n\n",
            e.shop.name,
            e.shop.kind.as_str(),
            format!("{}/", e.base_url),
            e.shop.currency.as_str(),
            e.shop.locale.tag(),
        ));
    }
    let path = dir.join("pharmwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Whitespace collapsed, as extraction reports text.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn measure(
    truth: &FamilyTruth,
    docs: &[Value],
    endpoints: &[FamilyEndpoint],
) -> BTreeMap<Family, Figures> {
    let family_of_url = |url: &str| {
        endpoints
            .iter()
            .find(|e| url.starts_with(&format!("{}/", e.base_url)))
            .map(|e| e.shop.family)
    };
    let mut docs_by_url: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for doc in docs {
        let url = doc["listing"]["url"].as_str().unwrap_or_default();
        docs_by_url.entry(url).or_default().push(doc);
    }
    let mut offers_by_url: BTreeMap<&str, Vec<&FamilyListingTruth>> = BTreeMap::new();
    for t in &truth.listings {
        offers_by_url.entry(t.url.as_str()).or_default().push(t);
    }
    let mut figures: BTreeMap<Family, Figures> = BTreeMap::new();
    for (url, page_docs) in &docs_by_url {
        let Some(family) = family_of_url(url) else {
            continue;
        };
        let f = figures.entry(family).or_default();
        let offers = offers_by_url.get(url).cloned().unwrap_or_default();
        let mut used = vec![false; page_docs.len()];
        for t in &offers {
            let found = page_docs
                .iter()
                .enumerate()
                .position(|(i, d)| {
                    !used[i]
                        && squash(d["listing"]["title"].as_str().unwrap_or_default())
                            == squash(&t.title)
                })
                .or((offers.len() == 1 && page_docs.len() == 1).then_some(0));
            match found {
                Some(i) => {
                    used[i] = true;
                    judge(f, t, page_docs[i]);
                }
                None => {
                    f.missing += 1;
                    tally_offer(f, t, None);
                    f.note(format!("{}: no listing titled {:?}", t.url, t.title));
                }
            }
        }
        for (i, d) in page_docs.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let _ = i;
            f.spurious += 1;
            if d["verdict"]["flagged"].as_bool() == Some(true) {
                f.false_positives += 1;
            }
        }
    }
    // Offers on pages that gave no listing at all.
    for t in &truth.listings {
        if !docs_by_url.contains_key(t.url.as_str()) {
            let f = figures.entry(t.family).or_default();
            f.missing += 1;
            tally_offer(f, t, None);
            f.note(format!("{}: nothing extracted from the page", t.url));
        }
    }
    figures
}

/// Counts an offer and its flag outcome (`doc` is its matched listing, if any).
fn tally_offer(f: &mut Figures, t: &FamilyListingTruth, doc: Option<&Value>) {
    f.offers += 1;
    let flagged = doc.is_some_and(|d| d["verdict"]["flagged"].as_bool() == Some(true));
    let severity = doc.and_then(|d| d["verdict"]["severity"].as_str());
    match t.label {
        Label::Suspicious => {
            f.suspicious += 1;
            if flagged {
                f.true_positives += 1;
            }
        }
        Label::Clean => {
            if flagged {
                f.false_positives += 1;
            }
            if matches!(severity, Some("high" | "critical")) {
                f.clean_high += 1;
            }
        }
    }
}

/// Compares a matched listing with its offer.
fn judge(f: &mut Figures, t: &FamilyListingTruth, doc: &Value) {
    tally_offer(f, t, Some(doc));
    let l = &doc["listing"];
    let amount = l["price"]["amount"]
        .as_str()
        .and_then(|a| a.parse::<Decimal>().ok());
    let basis = l["price_basis"].as_str().unwrap_or("offer");
    let want_basis = serde_json::to_value(t.price_basis).unwrap();
    let units = l["quantity"]["units"].as_u64();
    let right = squash(l["title"].as_str().unwrap_or_default()) == squash(&t.title)
        && amount == Some(t.price.amount)
        && l["price"]["currency"].as_str() == Some(t.price.currency.as_str())
        && Some(basis) == want_basis.as_str()
        && units == t.quantity_units.map(u64::from);
    if right {
        f.extracted_right += 1;
    } else {
        f.note(format!(
            "{} #{}: want {:?} {} {} ({:?}) units {:?}; got {:?} {} {} ({basis}) units {units:?}",
            t.url,
            t.index_on_page,
            t.title,
            t.price.amount,
            t.price.currency.as_str(),
            t.price_basis,
            t.quantity_units,
            l["title"].as_str().unwrap_or_default(),
            l["price"]["amount"],
            l["price"]["currency"],
        ));
    }
    let claims: Vec<String> = ["shipping_claims", "payment_methods"]
        .iter()
        .flat_map(|k| l[*k].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c.as_str().map(str::to_lowercase))
        .collect();
    let outside: Vec<&String> = t
        .outside_claim_words
        .iter()
        .filter(|w| claims.iter().any(|c| c.contains(w.as_str())))
        .collect();
    if !outside.is_empty() {
        f.outside_claims += 1;
        f.note(format!(
            "{}: claims {claims:?} hold outside words {outside:?}",
            t.url
        ));
    }
}

#[test]
fn every_family_page_is_served_crawled_and_measured() {
    let m = measured();
    assert!(m.failed_requests.is_empty(), "{:#?}", m.failed_requests);
    assert!(
        m.unrequested.is_empty(),
        "never fetched: {:#?}",
        m.unrequested
    );
    assert_eq!(m.all.offers, m.truth.listings.len());
    for family in Family::ALL {
        let f = &m.by_family[&family];
        assert!(f.offers > 0 && f.suspicious > 0, "{family:?}: {f:?}");
    }
}

/// Issue 17's extraction targets: on every family, ≥99% of offers extracted with the right
/// title, price and quantity, and no offer given a claim from outside its region.
#[test]
fn issue_17_extraction_targets_hold_on_every_family() {
    let m = measured();
    let mut misses = Vec::new();
    for (family, f) in &m.by_family {
        if f.extraction_share() < 0.99 {
            misses.push(format!(
                "{family:?}: {:.3} extracted right",
                f.extraction_share()
            ));
        }
        if f.outside_claims > 0 {
            misses.push(format!(
                "{family:?}: {} offers with outside claims",
                f.outside_claims
            ));
        }
    }
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn issue_18_flag_targets_hold_on_the_mixed_catalogue() {
    let m = measured();
    let all = &m.all;
    assert!(
        all.precision() >= 0.95 && all.recall() >= 0.95,
        "precision {:.2} at recall {:.2}",
        all.precision(),
        all.recall()
    );
    assert_eq!(all.clean_high, 0, "clean offers at high or critical");
}

#[test]
fn marketplace_command_writes_the_families_with_their_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("families");
    let out = pharmwatch(&[
        "marketplace",
        "--families",
        "--static-out",
        dir.to_str().unwrap(),
        "--shops",
        "1",
        "--listings-per-shop",
        "6",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("3 family shops, 18 offers"), "{stdout}");
    let truth = FamilyTruth::read_json(dir.join("truth.json")).unwrap();
    assert_eq!(truth.listings.len(), 18);
    for t in &truth.listings {
        assert!(t.url.starts_with("http://127.0."), "{}", t.url);
        let page = std::fs::read_to_string(dir.join(&t.shop).join(t.path.trim_start_matches('/')))
            .unwrap();
        assert!(
            page.contains(&t.price_text.replace('"', "&quot;")),
            "{}",
            t.path
        );
    }
    let sites = std::fs::read_to_string(dir.join("sites.toml")).unwrap();
    assert_eq!(sites.matches("[[site]]").count(), 3);
    for kind in [
        "kind = \"pharmacy\"",
        "kind = \"forum\"",
        "currency = \"GBP\"",
    ] {
        assert!(sites.contains(kind), "{sites}");
    }
    assert!(!sites.contains("profile ="), "{sites}");
    assert!(dir.join("nginx.conf").is_file());
}
