use pharmwatch_extract::*;
use std::time::Instant;
fn main() {
    let url = url::Url::parse("https://shop.example/").unwrap();
    let now = time::macros::datetime!(2026-11-23 18:00 UTC);
    let ctx = SiteContext::default();
    let deep = format!(
        "<html><body>{}<h1>Deep 10mg</h1><p class=\"price\">$5</p>{}</body></html>",
        "<div>".repeat(20_000),
        "</div>".repeat(20_000)
    );
    let t = Instant::now();
    let doc = scraper::Html::parse_document(&deep);
    println!("parse deep {:?}", t.elapsed());
    drop(doc);
    let t = Instant::now();
    let _ = extract_page(&deep, &url, &ctx, now, None);
    println!("extract deep {:?}", t.elapsed());
    let mut body = format!("<h1>{}</h1><p class=\"price\">$10</p>", "A".repeat(100_000));
    for i in 0..12_000 {
        body.push_str(&format!("<a href=\"/p{i}\">x</a>"));
    }
    let t = Instant::now();
    let _ = extract_page(&body, &url, &ctx, now, None);
    println!("extract links {:?}", t.elapsed());
}
