//! End-to-end behaviour of the engine with the shipped packs and reference data.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pharmwatch_model::{
    Contact, ContactKind, Currency, Field, Listing, Money, Quantity, Severity, SiteKind,
};
use pharmwatch_rules::RuleSet;
use rust_decimal::Decimal;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn set() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        RuleSet::load(&[root().join("packs")], &root().join("../config/reference"))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn listing(title: &str, description: &str) -> Listing {
    let mut l = Listing::new(
        "https://shop.example/product/1.html",
        0,
        "shop",
        SiteKind::Pharmacy,
        "shop.example",
        title,
        time::OffsetDateTime::UNIX_EPOCH,
    );
    l.description = description.to_string();
    l
}

fn rule_ids(l: &Listing) -> Vec<String> {
    set().evaluate(l).rule_ids().map(str::to_string).collect()
}

/// The drug and the original text it was found in, for every drug match of the title.
fn title_drugs(title: &str) -> Vec<(String, String)> {
    let l = listing(title, "");
    let v = set().evaluate(&l);
    v.drugs
        .iter()
        .filter(|d| d.field == Field::Title)
        .map(|d| {
            assert_eq!(&title[d.start..d.end], d.text, "span must match the text");
            (d.drug.clone(), d.text.clone())
        })
        .collect()
}

#[test]
fn obfuscated_names_are_found_at_their_original_offsets() {
    let cases = [
        ("Buy V1AGRA 100mg now", "sildenafil", "V1AGRA"),
        ("C1al1s 20mg x 10", "tadalafil", "C1al1s"),
        ("0xyc0ntin 80mg", "oxycodone", "0xyc0ntin"),
        ("Xan@x 2mg", "alprazolam", "Xan@x"),
        ("Cheap ＶＩＡＧＲＡ 100mg", "sildenafil", "ＶＩＡＧＲＡ"),
        ("Охусоdоne 30mg", "oxycodone", "Охусоdоne"),
        ("Tram\u{200D}adol 50mg", "tramadol", "Tram\u{200D}adol"),
        ("Generic v.i.a.g.r.a 100mg", "sildenafil", "v.i.a.g.r.a"),
        ("o x y c o d o n e 30mg", "oxycodone", "o x y c o d o n e"),
        ("V-i-a-g-r-a 50mg", "sildenafil", "V-i-a-g-r-a"),
        ("Ｏｘｙｃｏｎｔｉｎ", "oxycodone", "Ｏｘｙｃｏｎｔｉｎ"),
        ("1yrica 75mg", "pregabalin", "1yrica"),
    ];
    for (title, drug, printed) in cases {
        let found = title_drugs(title);
        assert_eq!(
            found,
            vec![(drug.to_string(), printed.to_string())],
            "{title}"
        );
        let ids = rule_ids(&listing(title, ""));
        assert!(
            ids.contains(&"obfuscated-drug-name".to_string()),
            "{title}: {ids:?}"
        );
    }
}

#[test]
fn evidence_highlights_the_printed_words() {
    let title = "Buy 0xyc0d0ne 30mg - no Rx needed!";
    let v = set().evaluate(&listing(title, ""));
    let hit = v
        .hits
        .iter()
        .find(|h| h.rule_id == "rx-without-prescription")
        .unwrap();
    let texts: Vec<&str> = hit.evidence.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, vec!["0xyc0d0ne", "no Rx"]);
    for e in &hit.evidence {
        assert_eq!(&title[e.start..e.end], e.text);
    }
}

#[test]
fn plain_names_are_not_called_obfuscated() {
    for title in [
        "Viagra 100mg",
        "Diazépam 10mg",
        "西地那非 100mg 30片",
        "异维A酸 20mg",
    ] {
        let ids = rule_ids(&listing(title, ""));
        assert!(
            !ids.contains(&"obfuscated-drug-name".to_string()),
            "{title}: {ids:?}"
        );
        assert!(
            !set().evaluate(&listing(title, "")).drugs.is_empty(),
            "{title}"
        );
    }
}

#[test]
fn everyday_words_do_not_name_drugs() {
    let cases = [
        ("COVID test kit, 25 pieces", "Rapid antigen test kit"),
        ("Bar stools, set of 4", "Chrome bar stools, like new"),
        ("Vitamin C 1,500 mg daily", "Take 1,500 mg with food"),
        (
            "Tren a Madrid, 2 billetes",
            "Viaje en tren a Madrid el lunes",
        ),
        ("Chocolate bars, 24 pack", "Milk chocolate bars"),
        ("BMW M30 engine", "Rebuilt M30, 180k km"),
        ("iPhone 12 128GB – like new", "Used, good condition"),
        ("Roxy surf jacket", "Size M, worn twice"),
        ("Decade-old deca-pack of pens", "test"),
    ];
    for (t, d) in cases {
        let v = set().evaluate(&listing(t, d));
        assert!(v.drugs.is_empty(), "{t}: {:?}", v.drugs);
        assert!(!v.flagged, "{t}: {:?}", v.hits);
    }
}

#[test]
fn context_names_need_medicine_context() {
    let with_ctx = set().evaluate(&listing("Bars 2mg, 100 pills", ""));
    assert_eq!(with_ctx.drugs.len(), 1);
    assert_eq!(with_ctx.drugs[0].drug, "alprazolam");
    let test_e = set().evaluate(&listing("Test E 250mg/ml, 10ml vial", "cycle support"));
    assert_eq!(test_e.drugs[0].drug, "testosterone");
}

#[test]
fn multilingual_rx_without_prescription() {
    let cases = [
        ("Viagra 100mg", "No prescription needed."),
        ("他达拉非 20mg 10片", "免处方，当天发货。"),
        ("Vendo Tramadol 50mg, 20 unidades", "Sin receta."),
        ("Xanax 0.5mg - boîte de 30", "Sans ordonnance."),
        ("Ritalina 10mg - 30 unidades", "Sem receita."),
        ("Продам Трамадол 50mg, 20 шт.", "Без рецепта."),
        ("Lyrica 150mg", "بدون وصفة طبية"),
        ("Cialis 20mg", "Ohne Rezept, schnelle Lieferung"),
    ];
    for (t, d) in cases {
        let ids = rule_ids(&listing(t, d));
        assert!(
            ids.contains(&"rx-without-prescription".to_string()),
            "{t} / {d}: {ids:?}"
        );
    }
    // OTC "sans ordonnance" is legal.
    let ids = rule_ids(&listing("Paracétamol 500mg", "Médicament sans ordonnance."));
    assert!(
        !ids.contains(&"rx-without-prescription".to_string()),
        "{ids:?}"
    );
}

fn priced(title: &str, amount: i64, scale: u32, currency: &str, units: u32) -> Listing {
    let mut l = listing(title, "");
    l.price = Some(Money::new(
        Decimal::new(amount, scale),
        currency.parse::<Currency>().unwrap(),
    ));
    l.quantity = Some(Quantity {
        units: Some(units),
        ..Default::default()
    });
    l
}

#[test]
fn price_rule_converts_currencies() {
    // 30 tablets for 13.80 EUR = 15.00 USD = 0.50 USD per tablet, 25% of 2.00: not below.
    let at_threshold = priced("Viagra 100mg x 30", 1380, 2, "EUR", 30);
    assert!(!rule_ids(&at_threshold).contains(&"implausible-price".to_string()));
    // 30 tablets for 13.00 EUR = 14.13 USD: 0.47 USD per tablet, below 25%.
    let below = priced("Viagra 100mg x 30", 1300, 2, "EUR", 30);
    let v = set().evaluate(&below);
    let hit = v
        .hits
        .iter()
        .find(|h| h.rule_id == "implausible-price")
        .expect("fires");
    assert!(
        hit.evidence[0].matched.contains("reference 2.00 USD"),
        "{:?}",
        hit.evidence
    );
    // 60 tablets for 100 CNY: 13.89 USD, 0.23 USD per tablet of oxycodone (reference 3.00).
    let cny = priced("羟考酮 30mg 60片", 100, 0, "CNY", 60);
    assert!(rule_ids(&cny).contains(&"implausible-price".to_string()));
    // Normal GBP price.
    let gbp = priced("Atorvastatin 20mg x 28 tablets", 1249, 2, "GBP", 28);
    assert!(!rule_ids(&gbp).contains(&"implausible-price".to_string()));
    let rates = set().rates();
    let usd = rates.to_usd(&Money::new(Decimal::new(79, 2), "GBP".parse().unwrap()));
    assert_eq!(usd, Some(Decimal::ONE));
}

#[test]
fn scoring_and_flagging() {
    let clean = set().evaluate(&listing("Sofa, 3 seats", "Grey"));
    assert!(!clean.flagged);
    assert_eq!(clean.score, 0.0);
    assert_eq!(clean.severity, None);

    let mut l = listing("Oxycodone 30mg x 60 tablets", "No prescription needed.");
    l.site_kind = SiteKind::Classifieds;
    l.contacts = vec![Contact {
        kind: ContactKind::Telegram,
        value: "pillsdirect".into(),
    }];
    let v = set().evaluate(&l);
    let mut ids: Vec<&str> = v.rule_ids().collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![
            "controlled-substance-online",
            "medicine-on-informal-market",
            "messaging-only-contact",
            "rx-without-prescription"
        ]
    );
    assert!(v.flagged);
    assert_eq!(v.severity, Some(Severity::Critical));
    // 100 × (1 − 0.2 × 0.6 × 0.85 × 0.85) = 91.33
    assert!((v.score - 91.33).abs() < 0.01, "{}", v.score);
    assert_eq!(
        pharmwatch_rules::score(&v.hits[..1]),
        v.hits[0].severity.weight()
    );
}

#[test]
fn legitimate_pharmacy_listing_stays_clean() {
    let mut l = listing(
        "Atorvastatin 20mg tablets, Pack of 28",
        "Atorvastatin 20mg tablets, 28 per pack. Prescription required: our registered pharmacists check every prescription before dispatch. Read the leaflet.",
    );
    l.price = Some(Money::new(Decimal::new(1249, 2), "GBP".parse().unwrap()));
    l.quantity = Some(Quantity {
        units: Some(28),
        ..Default::default()
    });
    l.contacts = vec![
        Contact {
            kind: ContactKind::Email,
            value: "help@carewell-pharmacy.co.uk".into(),
        },
        Contact {
            kind: ContactKind::Phone,
            value: "+441134960000".into(),
        },
    ];
    l.payment_methods = vec!["Visa".into(), "Mastercard".into(), "bank transfer".into()];
    l.shipping_claims = vec!["Royal Mail Tracked 24, free over £40. UK delivery only.".into()];
    let v = set().evaluate(&l);
    // Only the informational note that the shop says it requires a prescription.
    assert!(!v.flagged, "{:?}", v.hits);
    let ids: Vec<&str> = v.rule_ids().collect();
    assert_eq!(ids, ["prescription-required"], "{:?}", v.hits);
    assert_eq!(v.severity, Some(pharmwatch_model::Severity::Info));
    assert_eq!(v.drugs.len(), 2);
}

#[test]
fn explanation_lists_every_rule_and_condition() {
    let l = listing("V1agra 100mg", "no prescription needed");
    let ex = set().explain(&l);
    assert_eq!(ex.rules.len(), set().rules().len());
    let rx = ex
        .rules
        .iter()
        .find(|r| r.rule_id == "rx-without-prescription")
        .unwrap();
    assert!(rx.fired);
    assert_eq!(rx.root.children.len(), 2);
    let text = ex.to_string();
    assert!(
        text.contains("rule rx-without-prescription (high): FIRED"),
        "{text}"
    );
    assert!(text.contains("✘"), "{text}");
    let json = serde_json::to_value(&ex).unwrap();
    assert!(json["rules"].as_array().unwrap().len() >= 8);
    assert_eq!(ex.verdict, set().evaluate(&l));
}

/// The hit of `rule` on `l`, if it fired.
fn hit<'v>(v: &'v pharmwatch_model::Verdict, rule: &str) -> Option<&'v pharmwatch_model::RuleHit> {
    v.hits.iter().find(|h| h.rule_id == rule)
}

#[test]
fn a_controlled_medicine_offered_besides_the_titles_is_flagged() {
    let l = listing(
        "Viagra 100mg x 30 tablets",
        "Fast worldwide delivery. We also have oxycodone without prescription, message us.",
    );
    let v = set().evaluate(&l);
    let controlled = hit(&v, "controlled-substance-online")
        .unwrap_or_else(|| panic!("the oxycodone offer is a controlled-substance offer: {v:?}"));
    assert_eq!(controlled.severity, Severity::Critical, "{v:?}");
    let shown: Vec<&str> = controlled
        .evidence
        .iter()
        .filter(|e| e.field == Field::Description)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        shown,
        ["oxycodone"],
        "the evidence shows the description's name"
    );
    assert!(v.drugs.iter().any(|d| d.drug == "oxycodone"));
    // Other languages' sellers say the same.
    for (title, description) in [
        ("Виагра 100 мг", "Также есть трамадол без рецепта, пишите."),
        (
            "Sildenafil 100mg",
            "Tramadol 50mg also available, ask us for the price.",
        ),
    ] {
        let v = set().evaluate(&listing(title, description));
        assert!(
            hit(&v, "controlled-substance-online").is_some(),
            "{title} / {description}: {v:?}"
        );
    }
}

#[test]
fn medicines_named_in_a_blurb_or_related_products_stay_out() {
    for description in [
        // A category blurb: names, no offer of them.
        "Pain relief. Tramadol, Oxycodone and Pregabalin for chronic pain. We offer tracked delivery.",
        // A related-products list, even with words that offer.
        "Gentle on the stomach. Customers also bought: Tramadol 50mg, in stock; Xanax 2mg, available now.",
        "Compare with Zolpidem 10mg.",
    ] {
        let v = set().evaluate(&listing("Ibuprofen 400mg x 24 tablets", description));
        assert!(
            hit(&v, "controlled-substance-online").is_none(),
            "{description}: {v:?}"
        );
        assert!(
            v.drugs.iter().all(|d| d.drug == "ibuprofen"),
            "{description}: {:?}",
            v.drugs
        );
    }
}
