//! ~50 realistic listings (English, Chinese, Spanish, French, Portuguese, Russian) and an index
//! built from them in a temporary directory.
#![allow(dead_code)]

use std::str::FromStr;

use pharmwatch_indexer::{IndexDoc, ListingIndexWriter, ListingSearcher, SearchRequest};
use pharmwatch_model::{
    Contact, ContactKind, Currency, DrugMatch, Field, Gtin, Listing, Money, Quantity, RuleHit,
    Severity, SiteKind, Timestamp, Verdict,
};
use rust_decimal::Decimal;
use time::macros::datetime;

pub struct Row {
    pub site: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub price: Option<(&'static str, &'static str)>,
    pub units: Option<u32>,
    pub drugs: &'static [&'static str],
    pub rules: &'static [&'static str],
    /// Day of 2026 the listing was first seen, as "MM-DD".
    pub first_seen: &'static str,
    pub seller: Option<&'static str>,
}

#[allow(clippy::too_many_arguments)] // one argument per table column
const fn row(
    site: &'static str,
    title: &'static str,
    description: &'static str,
    price: Option<(&'static str, &'static str)>,
    units: Option<u32>,
    drugs: &'static [&'static str],
    rules: &'static [&'static str],
    first_seen: &'static str,
) -> Row {
    Row {
        site,
        title,
        description,
        price,
        units,
        drugs,
        rules,
        first_seen,
        seller: None,
    }
}

const RX: &str = "rx-without-prescription";
const CSO: &str = "controlled-substance-online";
const OBF: &str = "obfuscated-drug-name";
const INF: &str = "medicine-on-informal-market";
const IMP: &str = "implausible-price";
const CRY: &str = "crypto-only-payment";
const MSG: &str = "messaging-only-contact";
const STE: &str = "stealth-shipping";

#[rustfmt::skip]
pub const ROWS: &[Row] = &[
    // medsdirect: rogue pharmacy, English, USD
    row("medsdirect", "Buy OxyContin 80mg x 60 tablets - no prescription needed", "Strong opioid pain relief. Stealth shipping, no customs. Pay with Bitcoin or Monero.", Some(("360.00", "USD")), Some(60), &["oxycodone"], &[CSO, RX, STE, CRY], "01-05"),
    row("medsdirect", "Oxycodone 30mg x 90 pills", "Roxicodone generic, discreet packaging.", Some(("270.00", "USD")), Some(90), &["oxycodone"], &[CSO, STE], "02-10"),
    row("medsdirect", "0xyc0d0ne 30mg - no Rx", "Best price online, WhatsApp only", Some(("45.00", "USD")), Some(30), &["oxycodone"], &[CSO, OBF, RX, MSG], "03-01"),
    row("medsdirect", "Viagra 100mg x 30 tablets", "Sildenafil citrate, no prescription required. Ships worldwide.", Some(("60.00", "USD")), Some(30), &["sildenafil"], &[RX], "01-20"),
    row("medsdirect", "Generic Cialis 20mg Pack of 30", "Tadalafil tablets at 5% of pharmacy price", Some(("4.50", "USD")), Some(30), &["tadalafil"], &[IMP], "04-02"),
    row("medsdirect", "Xanax 2mg bars x 100", "Alprazolam bars. Telegram @pillsdirect", Some(("150.00", "USD")), Some(100), &["alprazolam"], &[CSO, MSG], "02-14"),
    row("medsdirect", "Ozempic 1mg pen - semaglutide", "Weight loss pen, no doctor needed, cold chain shipping", Some(("199.00", "USD")), Some(1), &["semaglutide"], &[RX], "05-01"),
    row("medsdirect", "Tramadol 50mg x 180 capsules", "Ultram generic. Guaranteed delivery through customs.", Some(("99.00", "USD")), Some(180), &["tramadol"], &[CSO, STE], "03-15"),
    row("medsdirect", "Modafinil 200mg Modalert x 50", "Stay awake, study drug. Pay with USDT.", Some(("85.00", "USD")), Some(50), &["modafinil"], &[CSO, CRY], "06-01"),
    row("medsdirect", "Vitamin C 1000mg x 100 tablets", "Immune support", Some(("12.00", "USD")), Some(100), &[], &[], "01-02"),
    // carewell: legitimate pharmacy, GBP, nothing fires
    row("carewell", "Sildenafil 50mg x 8 tablets", "Prescription required. Our pharmacist will check your prescription.", Some(("12.49", "GBP")), Some(8), &["sildenafil"], &[], "01-10"),
    row("carewell", "Atorvastatin 20mg x 28 tablets", "Prescription required.", Some(("3.99", "GBP")), Some(28), &["atorvastatin"], &[], "01-11"),
    row("carewell", "Ibuprofen 200mg x 16 tablets", "Pain relief", Some(("1.99", "GBP")), Some(16), &["ibuprofen"], &[], "01-12"),
    // kangjian: Chinese rogue pharmacy, CNY
    row("kangjian", "正品奥施康定40mg无需处方", "奥施康定缓释片，快速发货，微信: kangjian888", Some(("980.00", "CNY")), Some(20), &["oxycodone"], &[CSO, RX, MSG], "02-01"),
    row("kangjian", "西地那非片100mg*30片", "万艾可同款，男性专用，免处方", Some(("268.00", "CNY")), Some(30), &["sildenafil"], &[RX], "02-03"),
    row("kangjian", "司美格鲁肽注射液笔", "减肥针，司美格鲁肽正品保证，微信联系", Some(("1200.00", "CNY")), Some(1), &["semaglutide"], &[MSG], "04-10"),
    row("kangjian", "羟考酮 10mg 60片 隐秘包装", "羟考酮片，隐秘发货，比特币付款", Some(("600.00", "CNY")), Some(60), &["oxycodone"], &[CSO, STE, CRY], "05-20"),
    row("kangjian", "阿普唑仑 0.4mg 100片", "阿普唑仑片 安眠 无需处方", Some(("300.00", "CNY")), Some(100), &["alprazolam"], &[CSO, RX], "06-15"),
    row("kangjian", "布洛芬缓释胶囊 300mg 20粒", "解热镇痛", Some(("25.00", "CNY")), Some(20), &["ibuprofen"], &[], "03-03"),
    row("kangjian", "康定红景天口服液", "保健品 高原", Some(("88.00", "CNY")), Some(10), &[], &[], "03-04"),
    // quickads: classifieds, EUR, es/fr/pt/ru
    row("quickads", "Viagra sin receta 100mg 30 pastillas", "Envío discreto, pago con Bitcoin", Some(("45.00", "EUR")), Some(30), &["sildenafil"], &[RX, INF, STE, CRY], "02-20"),
    row("quickads", "Tramadol 100mg sin receta", "Contacto por WhatsApp +34 600 000 000", Some(("60.00", "EUR")), Some(50), &["tramadol"], &[CSO, RX, INF, MSG], "03-10"),
    row("quickads", "Ксанакс без рецепта 1мг", "Алпразолам, доставка без таможни, оплата биткоин", Some(("80.00", "EUR")), Some(60), &["alprazolam"], &[CSO, RX, INF], "04-05"),
    row("quickads", "Трамадол 50 мг 20 капсул", "Связь через Телеграм", Some(("20.00", "EUR")), Some(20), &["tramadol"], &[CSO, INF, MSG], "04-20"),
    row("quickads", "Cialis sans ordonnance 20mg", "Livraison discrète", Some(("35.00", "EUR")), Some(10), &["tadalafil"], &[RX, INF], "05-05"),
    row("quickads", "Ozempic sem receita caneta", "Caneta emagrecedora, pagamento em Bitcoin", Some(("150.00", "EUR")), Some(1), &["semaglutide"], &[RX, INF, CRY], "05-25"),
    row("quickads", "Bicicleta de montaña 29 pulgadas", "Como nueva", Some(("250.00", "EUR")), None, &[], &[], "02-02"),
    row("quickads", "iPhone 12 128GB", "Buen estado", Some(("300.00", "EUR")), None, &[], &[], "02-05"),
    row("quickads", "Sofa 3 plazas", "Recoger en Madrid", None, None, &[], &[], "02-06"),
    row("quickads", "V1agra 100mg x 10 - cheap", "Discreet shipping", Some(("5.00", "EUR")), Some(10), &["sildenafil"], &[OBF, INF, IMP, STE], "06-20"),
];

/// Rows of the generated shop `pillshop` (20 listings, all flagged critical).
pub const PILLSHOP: usize = 20;

pub fn rule_severity(rule: &str) -> Severity {
    match rule {
        CSO => Severity::Critical,
        RX | OBF | IMP => Severity::High,
        _ => Severity::Medium,
    }
}

fn drug_class(drug: &str) -> &'static str {
    match drug {
        "oxycodone" | "tramadol" | "alprazolam" | "modafinil" | "diazepam" | "zolpidem" => {
            "controlled"
        }
        "ibuprofen" => "otc",
        _ => "rx",
    }
}

fn usd_rate(currency: &str) -> f64 {
    match currency {
        "EUR" => 0.92,
        "GBP" => 0.79,
        "CNY" => 7.20,
        _ => 1.0,
    }
}

pub fn site_kind(site: &str) -> SiteKind {
    if site == "quickads" {
        SiteKind::Classifieds
    } else {
        SiteKind::Pharmacy
    }
}

pub fn domain(site: &str) -> String {
    format!("{site}.test")
}

fn date(mmdd: &str) -> Timestamp {
    let base = datetime!(2026-01-01 08:30 UTC);
    let (m, d) = mmdd.split_once('-').unwrap();
    let month = time::Month::try_from(m.parse::<u8>().unwrap()).unwrap();
    base.replace_month(month)
        .unwrap()
        .replace_day(d.parse().unwrap())
        .unwrap()
}

/// The index entry for one row.
pub fn doc(n: usize, r: &Row) -> IndexDoc {
    let url = format!("http://{}/product/{n}.html", domain(r.site));
    let first_seen = date(r.first_seen);
    let mut listing = Listing::new(
        url,
        0,
        r.site,
        site_kind(r.site),
        domain(r.site),
        r.title,
        first_seen,
    );
    listing.description = r.description.to_string();
    listing.seller = r.seller.map(str::to_string).or_else(|| {
        match r.site {
            "medsdirect" => Some("MedsDirect Ltd"),
            "pillshop" => Some("Dr Feelgood Pharma"),
            "kangjian" => Some("康健大药房"),
            _ => None,
        }
        .map(str::to_string)
    });
    if r.description.contains("@pillsdirect") {
        listing.contacts.push(Contact {
            kind: ContactKind::Telegram,
            value: "pillsdirect".into(),
        });
    }
    if r.site == "carewell" {
        listing.gtins.push(Gtin {
            digits: format!("0501234567890{n}"),
            valid: true,
        });
    }
    listing.price = r.price.map(|(a, c)| {
        Money::new(
            Decimal::from_str(a).unwrap(),
            c.parse::<Currency>().unwrap(),
        )
    });
    listing.quantity = r.units.map(|u| Quantity {
        units: Some(u),
        ..Default::default()
    });
    listing.evidence_digest = Some(pharmwatch_model::sha256_hex(r.title.as_bytes()));
    let hits: Vec<RuleHit> = r
        .rules
        .iter()
        .map(|id| RuleHit {
            rule_id: id.to_string(),
            title: id.replace('-', " "),
            severity: rule_severity(id),
            category: "test".into(),
            evidence: vec![],
        })
        .collect();
    let drugs = r
        .drugs
        .iter()
        .map(|d| DrugMatch {
            drug: d.to_string(),
            class: drug_class(d).into(),
            category: "test".into(),
            field: Field::Title,
            start: 0,
            end: 1,
            text: d.to_string(),
        })
        .collect();
    let verdict = Verdict {
        listing_id: listing.id.clone(),
        flagged: !hits.is_empty(),
        severity: hits.iter().map(|h| h.severity).max(),
        score: hits.iter().map(|h| h.severity.weight()).sum(),
        hits,
        drugs,
    };
    let price_usd = r
        .price
        .map(|(a, c)| a.parse::<f64>().unwrap() / usd_rate(c));
    let unit_price_usd = price_usd.zip(r.units).map(|(p, u)| p / f64::from(u));
    IndexDoc {
        listing,
        verdict,
        price_usd,
        unit_price_usd,
        first_seen,
        last_seen: first_seen + time::Duration::days(30),
        run: Some((n % 3) as i64),
        gone_since: None,
    }
}

/// The generated `pillshop` listings: diazepam (even) and zolpidem (odd), all critical.
pub fn pillshop_doc(i: usize) -> IndexDoc {
    let (drug, name) = if i.is_multiple_of(2) {
        ("diazepam", "Diazepam")
    } else {
        ("zolpidem", "Zolpidem")
    };
    let title: &'static str =
        Box::leak(format!("{name} 10mg x {} tablets", 30 + i).into_boxed_str());
    let mut r = row(
        "pillshop",
        title,
        "Next day delivery",
        Some(("30.00", "USD")),
        Some(30 + i as u32),
        &[],
        &[CSO],
        "07-01",
    );
    r.drugs = if drug == "diazepam" {
        &["diazepam"]
    } else {
        &["zolpidem"]
    };
    let mut d = doc(100 + i, &r);
    let price = 30.0 + i as f64;
    d.listing.price = Some(Money::new(Decimal::from(30 + i as i64), Currency::USD));
    d.price_usd = Some(price);
    d.unit_price_usd = Some(price / (30 + i) as f64);
    d.first_seen = datetime!(2026-07-01 00:00 UTC) + time::Duration::days(i as i64);
    d.last_seen = d.first_seen;
    d.verdict.score = 80.0 + i as f64;
    d
}

pub fn all_docs() -> Vec<IndexDoc> {
    let mut docs: Vec<IndexDoc> = ROWS.iter().enumerate().map(|(n, r)| doc(n, r)).collect();
    docs.extend((0..PILLSHOP).map(pillshop_doc));
    docs
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub docs: Vec<IndexDoc>,
    pub searcher: ListingSearcher,
}

/// Builds the index of [`all_docs`] in a fresh temporary directory.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let docs = all_docs();
    let mut w = ListingIndexWriter::open_or_create(dir.path()).unwrap();
    for d in &docs {
        w.upsert(d).unwrap();
    }
    w.commit().unwrap();
    drop(w);
    let searcher = ListingSearcher::open(dir.path()).unwrap();
    Fixture {
        dir,
        docs,
        searcher,
    }
}

impl Fixture {
    /// Titles of the hits, in order.
    pub fn titles(&self, req: &SearchRequest) -> Vec<String> {
        self.searcher
            .search(req)
            .unwrap_or_else(|e| panic!("{}\n{e}", req.query))
            .hits
            .into_iter()
            .map(|h| h.doc.listing.title)
            .collect()
    }

    /// Total matches of `query` (flagged only, the default).
    pub fn count(&self, query: &str) -> usize {
        self.searcher
            .search(&SearchRequest {
                limit: 100,
                ..SearchRequest::new(query)
            })
            .unwrap_or_else(|e| panic!("{query}\n{e}"))
            .total
    }

    /// Total matches of `query` among all listings.
    pub fn count_all(&self, query: &str) -> usize {
        self.searcher
            .search(&SearchRequest {
                include_unflagged: true,
                limit: 100,
                ..SearchRequest::new(query)
            })
            .unwrap_or_else(|e| panic!("{query}\n{e}"))
            .total
    }

    /// Sorted titles of all matches (flagged or not).
    pub fn all_titles(&self, query: &str) -> Vec<String> {
        let mut t = self.titles(&SearchRequest {
            include_unflagged: true,
            limit: 100,
            ..SearchRequest::new(query)
        });
        t.sort();
        t
    }
}
