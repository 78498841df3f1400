//! Listings located by a site profile's CSS selectors.

use pharmwatch_model::ExtractionMethod;
use scraper::{ElementRef, Html};

use super::PageInfo;
use super::draft::{Draft, MAX_IMAGES};
use crate::html_text::element_text;
use crate::profile::{FieldRule, ProfileField, SiteProfile};
use crate::text::{MAX_DESCRIPTION_BYTES, MAX_SHORT_BYTES};

const M: ExtractionMethod = ExtractionMethod::Profile;
const MAX_ITEMS: usize = 500;
const MAX_LIST_MATCHES: usize = 200;

/// One draft per `item` match (or one for the page), each needing a title.
pub(crate) fn drafts(doc: &Html, profile: &SiteProfile, info: &PageInfo<'_>) -> Vec<Draft> {
    let roots: Vec<ElementRef<'_>> = match profile.item() {
        Some(item) => doc.select(item.selector()).take(MAX_ITEMS).collect(),
        None => vec![doc.root_element()],
    };
    roots
        .into_iter()
        .filter_map(|root| draft(root, profile, info))
        .collect()
}

/// The value of one matched element: the attribute when the rule names one (for `img`
/// and `a` without `attr`: `src`/`href`), else its text; then the rule's regex.
fn value(el: ElementRef<'_>, rule: &FieldRule, max: usize) -> Option<String> {
    let v = el.value();
    let raw = match rule.attr.as_deref() {
        Some(a) => v.attr(a)?.to_string(),
        None => element_text(el, max),
    };
    rule.post_process(&raw)
        .map(|s| crate::text::collapse_whitespace(&s, max))
        .filter(|s| !s.is_empty())
}

fn first(
    root: ElementRef<'_>,
    profile: &SiteProfile,
    field: ProfileField,
    max: usize,
) -> Option<String> {
    first_el(root, profile, field, max).map(|(_, v)| v)
}

fn first_el<'a>(
    root: ElementRef<'a>,
    profile: &SiteProfile,
    field: ProfileField,
    max: usize,
) -> Option<(ElementRef<'a>, String)> {
    let rule = profile.field(field)?;
    root.select(rule.selector())
        .find_map(|el| value(el, rule, max).map(|v| (el, v)))
}

/// Values of every match of a list field. `None` when the profile has no such field or
/// its selector matches no element at all: then the page text is scanned instead, so a
/// site redesign does not silently hide contacts or payment methods. Elements that match
/// but say nothing give `Some(empty)`: the profile has spoken.
fn all(root: ElementRef<'_>, profile: &SiteProfile, field: ProfileField) -> Option<Vec<String>> {
    let rule = profile.field(field)?;
    let matched: Vec<ElementRef<'_>> = root
        .select(rule.selector())
        .take(MAX_LIST_MATCHES)
        .collect();
    if matched.is_empty() {
        return None;
    }
    Some(
        matched
            .into_iter()
            .filter_map(|el| value(el, rule, MAX_SHORT_BYTES * 4))
            .collect(),
    )
}

fn draft(root: ElementRef<'_>, profile: &SiteProfile, info: &PageInfo<'_>) -> Option<Draft> {
    let mut d = Draft::default();
    let (title_el, title) = first_el(
        root,
        profile,
        ProfileField::Title,
        crate::text::MAX_TITLE_BYTES,
    )?;
    d.set_title(&title, M);
    d.title.as_ref()?;
    // The profile's item is the listing's block; without one, its title anchors the region.
    let whole_page = root.value().name() == "html";
    d.anchors
        .push(if whole_page { title_el.id() } else { root.id() });
    d.language = super::lang_of(title_el).filter(|l| Some(l) != info.language.as_ref());
    if let Some(t) = first(
        root,
        profile,
        ProfileField::Description,
        MAX_DESCRIPTION_BYTES,
    ) {
        d.set_description(&t, M);
    }
    if let Some(t) = first(root, profile, ProfileField::Seller, MAX_SHORT_BYTES) {
        d.set_seller(&t, M);
    }
    if let Some(t) = first(root, profile, ProfileField::Price, MAX_SHORT_BYTES) {
        let priced = info.priced(&t);
        d.price_per_unit = priced.is_some_and(|(_, per_unit)| per_unit);
        d.price = priced.map(|(p, _)| (p, M));
        if d.price.is_none() {
            tracing::debug!(url = %info.url, text = %t, "profile price text did not parse");
        }
    }
    d.quantity_text = first(root, profile, ProfileField::Quantity, MAX_SHORT_BYTES).map(|t| (t, M));
    if let Some(lines) = all(root, profile, ProfileField::Contacts) {
        d.contacts = Some((crate::contacts::parse_contacts(&lines.join("\n")), M));
    }
    if let Some(lines) = all(root, profile, ProfileField::Payment) {
        d.payment = Some((crate::payment::parse_payment_methods(&lines.join("\n")), M));
    }
    if let Some(lines) = all(root, profile, ProfileField::Shipping) {
        d.shipping = Some((crate::shipping::parse_shipping_claims(&lines.join("\n")), M));
    }
    if let Some(lines) = all(root, profile, ProfileField::Gtin) {
        let gtins = lines
            .iter()
            .filter_map(|l| {
                crate::gtin::gtin_from_digits(l.trim())
                    .map(|g| vec![g])
                    .or_else(|| Some(crate::gtin::parse_gtins(l)))
            })
            .flatten()
            .collect::<Vec<_>>();
        d.gtins = Some((gtins, M));
    }
    if let Some(rule) = profile.field(ProfileField::Images) {
        let images: Vec<String> = root
            .select(rule.selector())
            .take(MAX_LIST_MATCHES)
            .filter_map(|el| {
                let v = el.value();
                let raw = match rule.attr.as_deref() {
                    Some(a) => v.attr(a),
                    None => v.attr("src").or_else(|| v.attr("href")),
                }?;
                rule.post_process(raw)
            })
            .filter_map(|h| info.absolute(&h).map(|u| u.to_string()))
            .take(MAX_IMAGES)
            .collect();
        d.images = Some((images, M));
    }
    Some(d)
}
