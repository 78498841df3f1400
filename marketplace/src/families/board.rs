//! Boards where private people post offers, several to a page, each with its own price and
//! contact: forum megathreads (phpBB-like posts, with replies that offer nothing) and a
//! classifieds results page. The forum rules and the safety box name stealth shipping,
//! crypto and discretion: warnings of the board, never an offer's claims.

use super::locale::Locale;
use super::offer::Offer;
use super::shop::FamilyShop;
use super::site::{Site, list_pages};
use crate::render::escape;
use pharmwatch_model::SiteKind;

/// Offers per thread or results page.
const PER_PAGE: usize = 5;

/// Claim words printed outside every offer (forum rules, safety box), by language.
pub fn outside_words(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En => &["stealth", "crypto", "discreet"],
        Locale::De => &["bitcoin", "diskret"],
        Locale::Ru => &["скрыт", "крипт"],
    }
}

struct Words {
    rules: &'static str,
    thread: &'static str,
    price: &'static str,
    question: &'static str,
    index: &'static str,
}

fn words(locale: Locale) -> Words {
    match locale {
        Locale::En => Words {
            rules: "Forum rules: no stealth shipping talk, no crypto-only deals, no discreet \"pharmacy\" spam. Report scammers to the moderators.",
            thread: "Marketplace megathread",
            price: "Price",
            question: "Is this still available? Can you post to Leeds?",
            index: "Buy, sell & swap",
        },
        Locale::De => Words {
            rules: "Sicher handeln: Zahlen Sie nie per Bitcoin im Voraus und misstrauen Sie Angeboten mit diskretem Versand.",
            thread: "Kleinanzeigen",
            price: "Preis",
            question: "Ist das noch da?",
            index: "Alle Anzeigen",
        },
        Locale::Ru => Words {
            rules: "Правила: никаких разговоров о скрытой доставке, никаких сделок только за крипту. О мошенниках сообщайте модераторам.",
            thread: "Барахолка, тема",
            price: "Цена",
            question: "Ещё актуально? Отправите в Казань?",
            index: "Купля-продажа",
        },
    }
}

pub fn site(shop: &FamilyShop, offers: &[Offer]) -> Site {
    let mut site = Site::new();
    let w = words(shop.locale);
    let forum = shop.kind != SiteKind::Classifieds;
    let (dir, first) = if forum {
        ("forum", "topic")
    } else {
        ("anzeigen", "seite")
    };
    let pages = list_pages(offers, PER_PAGE);
    let links: String = pages
        .iter()
        .map(|(n, _)| {
            format!(
                "<li><a href=\"{dir}/{first}-{n}.html\">{} #{n}</a></li>\n",
                escape(w.thread)
            )
        })
        .collect();
    site.page(
        "/",
        frame(
            shop,
            w.index,
            &format!(
                "<h1>{}</h1>\n<ul class=\"topics\">\n{links}</ul>\n",
                escape(w.index)
            ),
        ),
    );
    let mut placed = 0;
    for (n, chunk) in pages {
        let path = format!("/{dir}/{first}-{n}.html");
        let title = format!("{} #{n}", w.thread);
        let mut body = format!(
            "<h1>{}</h1>\n<div class=\"rules\">{}</div>\n",
            escape(&title),
            escape(w.rules)
        );
        for (k, offer) in chunk.iter().enumerate() {
            body += &if forum {
                post(offer, &w)
            } else {
                ad(offer, &w)
            };
            if forum && k == 1 {
                body += &question(&w, &title);
            }
            site.place(placed, &path, k);
            placed += 1;
        }
        let next = if placed < offers.len() {
            format!("<a class=\"next\" href=\"{first}-{}.html\">»</a>", n + 1)
        } else {
            String::new()
        };
        body += &next;
        site.page(&path, frame(shop, &title, &body));
    }
    site
}

/// The lines of an offer's text: description, price, pack, own claims, contacts.
fn offer_lines(offer: &Offer, w: &Words) -> String {
    let mut lines = vec![
        escape(&offer.description),
        format!("{}: <b>{}</b>", w.price, escape(&offer.price_text)),
    ];
    lines.extend(offer.own_claims().iter().map(|c| escape(c)));
    lines.extend(offer.contacts.iter().map(|c| escape(c)));
    lines.join("<br>\n")
}

fn post(offer: &Offer, w: &Words) -> String {
    format!(
        "<div class=\"post bg2\" id=\"p{id}\">\n<div class=\"postprofile\"><dl><dt><b class=\"username\">{seller}</b></dt><dd>Posts: {posts}</dd></dl></div>\n\
         <div class=\"postbody\"><h3 class=\"first\"><a href=\"#p{id}\">{title}</a></h3>\n\
         <p class=\"author\">by <strong>{seller}</strong></p>\n<div class=\"content\">{lines}</div></div>\n</div>\n",
        id = offer.id,
        seller = escape(&offer.seller),
        posts = offer.id % 397,
        title = escape(&offer.title),
        lines = offer_lines(offer, w),
    )
}

/// A reply that offers nothing: it must not become a listing.
fn question(w: &Words, thread: &str) -> String {
    format!(
        "<div class=\"post bg1\">\n<div class=\"postprofile\"><dl><dt><b class=\"username\">curious_cat</b></dt></dl></div>\n\
         <div class=\"postbody\"><h3>Re: {}</h3>\n<div class=\"content\">{}</div></div>\n</div>\n",
        escape(thread),
        escape(w.question)
    )
}

fn ad(offer: &Offer, w: &Words) -> String {
    format!(
        "<article class=\"aditem\" data-adid=\"{id}\">\n<h2 class=\"aditem-title\">{title}</h2>\n\
         <p class=\"aditem-price\">{price}</p>\n<div class=\"aditem-description\">{lines}</div>\n\
         <div class=\"aditem-seller\">{seller}</div>\n</article>\n",
        id = offer.id,
        title = escape(&offer.title),
        price = escape(&offer.price_text),
        lines = offer_lines(offer, w),
        seller = escape(&offer.seller),
    )
}

fn frame(shop: &FamilyShop, title: &str, main: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"UTF-8\"><title>{title} - {name}</title></head>\n<body>\n\
         <div id=\"page-header\"><a href=\"/\">{name}</a></div>\n<div id=\"page-body\">\n{main}</div>\n\
         <div id=\"page-footer\">Powered by a board</div>\n</body></html>\n",
        lang = shop.locale.tag(),
        title = escape(title),
        name = escape(&shop.display_name),
    )
}
