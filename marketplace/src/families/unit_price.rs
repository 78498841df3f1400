//! The per-unit pricing shop: modern markup without structured data, a mega-menu whose
//! panels and the category blurbs under every product are full of drug names and claims
//! ("Discreet treatments for erectile dysfunction"), a breadcrumb, prices per pill with the
//! former price struck through, the pack size in its own line, and customer reviews that talk
//! about packaging, Bitcoin and customs: none of it is the listing's own words.

use super::locale::Locale;
use super::offer::Offer;
use super::shop::FamilyShop;
use super::site::Site;
use crate::format::slugify;
use crate::render::escape;

/// Claim words printed outside every listing's region (promo bar, menu, blurbs, reviews,
/// footer), by language.
pub fn outside_words(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En => &[
            "discreet",
            "stealth",
            "bitcoin",
            "customs",
            "worldwide",
            "packaging",
        ],
        Locale::De => &["diskret", "bitcoin", "zoll", "weltweit", "verpackt"],
        Locale::Ru => &["незаметн", "биткоин", "таможн", "по всему миру"],
    }
}

/// (slug, menu name, blurb) of the mega-menu, by language.
fn menu(locale: Locale) -> [(&'static str, &'static str, &'static str); 6] {
    match locale {
        Locale::En => [
            (
                "mens-health",
                "Men's Health",
                "Discreet treatments for erectile dysfunction: Viagra, Cialis, Kamagra and generic sildenafil, shipped worldwide.",
            ),
            (
                "pain-relief",
                "Pain Relief",
                "Tramadol, Oxycodone and Pregabalin for chronic pain. Stealth-fast delivery, no waiting room.",
            ),
            (
                "sleep-focus",
                "Sleep & Focus",
                "Xanax, Valium, Ambien and Modafinil: sleep better, focus longer. Discreet packaging on every order.",
            ),
            (
                "chronic-care",
                "Chronic Care",
                "Ozempic, Metformin and Lipitor at prices your insurer will envy.",
            ),
            (
                "infections-allergy",
                "Infections & Allergy",
                "Amoxicillin, Azithromycin and Claritin, dispatched the same day.",
            ),
            (
                "health-devices",
                "Health & Devices",
                "Blood pressure monitors, thermometers, sun care and vitamins.",
            ),
        ],
        Locale::De => [
            (
                "mens-health",
                "Männergesundheit",
                "Diskrete Hilfe bei Erektionsstörungen: Viagra, Cialis, Kamagra und Sildenafil-Generika.",
            ),
            (
                "pain-relief",
                "Schmerzen",
                "Tramadol, Oxycodon und Pregabalin bei chronischen Schmerzen, weltweiter Versand.",
            ),
            (
                "sleep-focus",
                "Schlaf & Konzentration",
                "Xanax, Valium, Ambien und Modafinil – diskret verpackt, Zahlung auch mit Bitcoin.",
            ),
            (
                "chronic-care",
                "Dauermedikation",
                "Ozempic, Metformin und Sortis günstig nachbestellen.",
            ),
            (
                "infections-allergy",
                "Infekte & Allergie",
                "Amoxicillin, Azithromycin und Loratadin, Versand am selben Tag.",
            ),
            (
                "health-devices",
                "Gesundheit & Geräte",
                "Blutdruckmessgeräte, Thermometer, Sonnenschutz und Vitamine.",
            ),
        ],
        Locale::Ru => [
            (
                "mens-health",
                "Мужское здоровье",
                "Незаметное лечение эректильной дисфункции: Виагра, Сиалис, Камагра.",
            ),
            (
                "pain-relief",
                "Обезболивающие",
                "Трамадол, Оксикодон и Прегабалин при хронической боли, доставка по всему миру.",
            ),
            (
                "sleep-focus",
                "Сон и концентрация",
                "Ксанакс, Валиум, Амбиен и Модафинил в незаметной упаковке, оплата биткоином.",
            ),
            (
                "chronic-care",
                "Хронические болезни",
                "Оземпик, Метформин и Липримар по выгодным ценам.",
            ),
            (
                "infections-allergy",
                "Инфекции и аллергия",
                "Амоксициллин, Азитромицин и Лоратадин, отправка в день заказа.",
            ),
            (
                "health-devices",
                "Здоровье и приборы",
                "Тонометры, термометры, солнцезащитные кремы и витамины.",
            ),
        ],
    }
}

/// Words of the page frame, by language: promo bar, footer, "Pack size", "Dispensed by",
/// "Customer reviews", "About", "Home".
struct Chrome {
    promo: &'static str,
    footer: &'static str,
    pack: &'static str,
    dispensed_by: &'static str,
    reviews: &'static str,
    about: &'static str,
    home: &'static str,
    basket: &'static str,
    review_texts: [&'static str; 4],
}

fn chrome(locale: Locale) -> Chrome {
    match locale {
        Locale::En => Chrome {
            promo: "Free delivery on orders over $150 · Pay with Bitcoin and save 10%",
            footer: "Secure payment: Visa · Mastercard · PayPal · Bitcoin. We ship worldwide.",
            pack: "Pack size",
            dispensed_by: "Dispensed by",
            reviews: "Customer reviews",
            about: "About",
            home: "Home",
            basket: "Add to basket",
            review_texts: [
                "Arrived in discreet packaging, exactly as described.",
                "Paid with bitcoin, arrived in 9 days, no customs problems.",
                "Stealth delivery as promised, will order again.",
                "Good price per pill compared to my local pharmacy.",
            ],
        },
        Locale::De => Chrome {
            promo: "Versandkostenfrei ab 50 € · Jetzt auch mit Bitcoin bezahlen",
            footer: "Sichere Zahlung: Visa · Mastercard · PayPal · Bitcoin. Versand weltweit.",
            pack: "Packungsgröße",
            dispensed_by: "Abgabe durch",
            reviews: "Kundenbewertungen",
            about: "Über",
            home: "Startseite",
            basket: "In den Warenkorb",
            review_texts: [
                "Kam diskret verpackt an, alles bestens.",
                "Mit Bitcoin bezahlt, nach 5 Tagen da, kein Ärger mit dem Zoll.",
                "Schnelle Lieferung, gerne wieder.",
                "Preis pro Tablette deutlich günstiger als vor Ort.",
            ],
        },
        Locale::Ru => Chrome {
            promo: "Бесплатная доставка от 5000 ₽ · Оплата биткоином со скидкой 10%",
            footer: "Оплата: Visa · Mastercard · МИР · биткоин. Доставка по всему миру.",
            pack: "В упаковке",
            dispensed_by: "Продавец:",
            reviews: "Отзывы покупателей",
            about: "О разделе",
            home: "Главная",
            basket: "В корзину",
            review_texts: [
                "Пришло в незаметной упаковке, всё отлично.",
                "Оплатил биткоином, дошло за неделю, на таможне вопросов не было.",
                "Быстрая доставка, закажу ещё.",
                "Цена за таблетку ниже, чем в аптеке у дома.",
            ],
        },
    }
}

pub fn site(shop: &FamilyShop, offers: &[Offer]) -> Site {
    let mut site = Site::new();
    let words = chrome(shop.locale);
    let menu = menu(shop.locale);
    let home_links: String = menu
        .iter()
        .map(|(slug, name, _)| {
            format!(
                "<li><a href=\"/shop/{slug}.html\">{}</a></li>",
                escape(name)
            )
        })
        .collect();
    site.page(
        "/",
        frame(
            shop,
            &shop.display_name,
            &format!("<ul class=\"tiles\">{home_links}</ul>"),
        ),
    );
    for (slug, name, blurb) in menu {
        let items: String = offers
            .iter()
            .filter(|o| o.category == slug)
            .map(|o| {
                format!(
                    "<li class=\"tile\"><a href=\"{}\">{}</a></li>\n",
                    product_path(o),
                    escape(&o.title)
                )
            })
            .collect();
        let body = format!(
            "<h1>{}</h1>\n<p class=\"category-blurb\">{}</p>\n<ul class=\"tiles\">\n{items}</ul>\n",
            escape(name),
            escape(blurb)
        );
        site.page(&format!("/shop/{slug}.html"), frame(shop, name, &body));
    }
    for (i, offer) in offers.iter().enumerate() {
        let path = product_path(offer);
        let (_, cat_name, blurb) = menu
            .iter()
            .find(|(slug, _, _)| *slug == offer.category)
            .copied()
            .unwrap_or(menu[5]);
        let body = product(offer, &words, (cat_name, blurb), i);
        site.page(&path, frame(shop, &offer.title, &body));
        site.place(i, &path, 0);
    }
    site
}

/// `/p/<id>-<slug>`, no extension; a disguised name stays out of the URL.
fn product_path(offer: &Offer) -> String {
    let slug = if offer.obfuscation.is_some() {
        slugify(offer.category)
    } else {
        let s = slugify(&offer.title);
        if s.is_empty() {
            slugify(offer.category)
        } else {
            s
        }
    };
    format!("/p/{}-{slug}", offer.id)
}

fn product(offer: &Offer, words: &Chrome, (cat_name, blurb): (&str, &str), index: usize) -> String {
    let old = offer
        .old_price_text
        .as_ref()
        .map(|p| format!("<s class=\"price-old\">{}</s> ", escape(p)))
        .unwrap_or_default();
    let pack = offer
        .count_text
        .as_ref()
        .map(|c| format!("<p class=\"pack\">{}: {}</p>\n", words.pack, escape(c)))
        .unwrap_or_default();
    let terms: String = offer
        .own_claims()
        .iter()
        .chain(&offer.contacts)
        .map(|t| format!("<li>{}</li>", escape(t)))
        .collect();
    let reviews: String = (0..2)
        .map(|k| {
            let text = words.review_texts[(index + k) % words.review_texts.len()];
            format!("<div class=\"review\"><span class=\"stars\">★★★★★</span><p>{text}</p></div>\n")
        })
        .collect();
    format!(
        "<nav class=\"crumbs\"><a href=\"/\">{home}</a> › <a href=\"/shop/{cat}.html\">{cat_name}</a> › {title}</nav>\n\
         <article class=\"product-detail\">\n<h1>{title}</h1>\n\
         <div class=\"price-box\">{old}<span class=\"price-now\">{price}</span></div>\n{pack}\
         <p class=\"lead\">{description}</p>\n<ul class=\"terms\">{terms}</ul>\n\
         <p class=\"seller\">{dispensed} {seller}</p>\n<button type=\"button\">{basket}</button>\n</article>\n\
         <section class=\"reviews\"><h2>{reviews_h}</h2>\n{reviews}</section>\n\
         <section class=\"category-about\"><h2>{about} {cat_name}</h2><p>{blurb}</p></section>\n",
        home = words.home,
        cat = offer.category,
        cat_name = escape(cat_name),
        title = escape(&offer.title),
        price = escape(&offer.price_text),
        description = escape(&offer.description),
        dispensed = words.dispensed_by,
        seller = escape(&offer.seller),
        basket = words.basket,
        reviews_h = words.reviews,
        about = words.about,
        blurb = escape(blurb),
    )
}

fn frame(shop: &FamilyShop, title: &str, main: &str) -> String {
    let words = chrome(shop.locale);
    let panels: String = menu(shop.locale)
        .iter()
        .map(|(slug, name, blurb)| {
            format!(
                "<li><a href=\"/shop/{slug}.html\">{}</a><div class=\"mega-panel\"><p>{}</p></div></li>\n",
                escape(name),
                escape(blurb)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title} | {name}</title></head>\n<body>\n\
         <div class=\"promo-bar\">{promo}</div>\n\
         <header><a class=\"logo\" href=\"/\">{name}</a>\n<nav class=\"mega-menu\"><ul>\n{panels}</ul></nav></header>\n\
         <main>\n{main}</main>\n<footer><p>{footer}</p><p>&copy; 2026 {name}</p></footer>\n</body></html>\n",
        lang = shop.locale.tag(),
        title = escape(title),
        name = escape(&shop.display_name),
        promo = escape(words.promo),
        footer = escape(words.footer),
    )
}
