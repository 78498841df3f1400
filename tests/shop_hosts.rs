//! One rule for a shop's domain everywhere (issue 19, item 5): the host with a non-default
//! port, in search results, facets, signals and the web page's domain links.

mod common;

use std::collections::BTreeSet;

use common::search_docs;

#[test]
fn search_signals_and_the_domain_page_agree_on_a_shops_host_and_port() {
    let crawled = common::crawled_market(6);
    let (running, data) = (&crawled.running, &crawled.data);
    let data_s = data.to_str().unwrap();

    // Every listing's domain is its URL's host and port, and each shop has its own.
    let docs = search_docs(data_s, "*", true);
    let mut domains = BTreeSet::new();
    for doc in &docs {
        let url = doc["listing"]["url"].as_str().unwrap();
        let domain = doc["listing"]["domain"].as_str().unwrap();
        assert_eq!(Some(domain.to_string()), pharmwatch_model::shop_host(url));
        assert!(domain.starts_with("127.0.0.1:"), "{domain}");
        domains.insert(domain.to_string());
    }
    assert_eq!(domains.len(), running.shops().len());

    // Signals name the same hosts.
    let out = common::pharmwatch(&["--data-dir", data_s, "signals", "risk", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for domain in &domains {
        assert!(
            text.contains(domain.as_str()),
            "signals do not name {domain}"
        );
    }

    // The domain page of one shop lists exactly that shop's listings; the bare host is no shop.
    let shop = running.shops().remove(0);
    let host = pharmwatch_model::shop_host(&shop.base_url).unwrap();
    let own = docs
        .iter()
        .filter(|d| d["listing"]["domain"] == host.as_str())
        .count();
    let web = common::Server::start(data, None);
    let page = web.get(&format!("/domain/{host}"));
    assert!(page.contains(&format!("{own} listings seen")), "{page}");
    let facets = common::pharmwatch(&[
        "--data-dir",
        data_s,
        "search",
        &format!("domain:\"{host}\""),
        "--all",
        "--facets",
    ]);
    let facets = String::from_utf8_lossy(&facets.stdout);
    assert!(
        facets.contains(&format!("{own} of {own} listings")),
        "{facets}"
    );
}
