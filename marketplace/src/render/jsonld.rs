//! schema.org JSON-LD for product pages, in the shapes seen in the wild: a single `Product`
//! with a nested `Offer`, `offers` as an array, an `@graph`, a top-level array.

use serde_json::{Value, json};

use crate::content::ListingContent;
use crate::shops::ShopSpec;
use crate::spec::{ListingSpec, MarkupStyle};

/// The JSON-LD document for a product page, or `None` when the style has none.
pub fn product_jsonld(
    spec: &ListingSpec,
    shop: &ShopSpec,
    content: &ListingContent,
    path: &str,
) -> Option<Value> {
    let currency = shop.archetype.currency();
    let price_str = format!("{:.2}", spec.price());
    // Some shops print the price as a JSON number, most as a string.
    let price = if matches!(
        spec.markup,
        MarkupStyle::JsonLdOffersArray | MarkupStyle::JsonLdArray
    ) {
        price_str
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::String(price_str.clone()))
    } else {
        Value::String(price_str)
    };
    let offer = json!({
        "@type": "Offer",
        "price": price,
        "priceCurrency": currency.as_str(),
        "availability": "https://schema.org/InStock",
        "url": path,
        "seller": {"@type": "Organization", "name": content.seller},
    });
    let mut product = json!({
        "@type": "Product",
        "name": content.title,
        "description": content.description,
        "sku": format!("{}-{}", shop.name.to_uppercase(), spec.id),
        "category": shop.category(spec.category).name_en,
    });
    if let Some((digits, _)) = &spec.gtin {
        product["gtin13"] = json!(digits);
    }
    if let Some(m) = &content.claims.manufacturer {
        product["manufacturer"] = json!({"@type": "Organization", "name": m});
    }
    let doc = match spec.markup {
        MarkupStyle::JsonLd | MarkupStyle::JsonLdAndMicrodata => {
            product["@context"] = json!("https://schema.org");
            product["offers"] = offer;
            product
        }
        MarkupStyle::JsonLdOffersArray => {
            product["@context"] = json!("https://schema.org");
            product["offers"] = json!([offer]);
            product
        }
        MarkupStyle::JsonLdGraph => {
            let mut offer = offer;
            offer["seller"] = json!({"@id": "#organization"});
            product["offers"] = offer;
            product["@id"] = json!("#product");
            json!({
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "WebPage", "@id": path, "url": path, "name": content.title,
                     "mainEntity": {"@id": "#product"}},
                    {"@type": "Organization", "@id": "#organization", "name": content.seller},
                    product,
                ],
            })
        }
        MarkupStyle::JsonLdArray => {
            product["@context"] = json!("https://schema.org");
            product["offers"] = offer;
            let cat = shop.category(spec.category);
            json!([
                {
                    "@context": "https://schema.org",
                    "@type": "BreadcrumbList",
                    "itemListElement": [
                        {"@type": "ListItem", "position": 1, "name": "Home", "item": "/"},
                        {"@type": "ListItem", "position": 2, "name": cat.name_en,
                         "item": format!("/category/{}", cat.slug)},
                    ],
                },
                product,
            ])
        }
        MarkupStyle::Microdata | MarkupStyle::Profile => return None,
    };
    Some(doc)
}
