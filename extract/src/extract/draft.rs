//! A listing being assembled from one or more sources, each field remembering its method.

use ego_tree::NodeId;
use pharmwatch_model::{
    Contact, ExtractionMethod, Gtin, Listing, Money, PriceBasis, Quantity, Region, Timestamp,
};

use super::PageInfo;
use crate::text::{MAX_DESCRIPTION_BYTES, MAX_SHORT_BYTES, MAX_TITLE_BYTES, collapse_whitespace};

/// Images kept per listing.
pub(crate) const MAX_IMAGES: usize = 20;

type Slot<T> = Option<(T, ExtractionMethod)>;

/// Fields found so far for one listing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub title: Slot<String>,
    pub description: Slot<String>,
    pub price: Slot<Money>,
    /// The price is one unit's ("$1.04/pill"), not the offer's.
    pub price_per_unit: bool,
    pub seller: Slot<String>,
    /// Text of a dedicated quantity field ("30 tablets"), parsed at the end.
    pub quantity_text: Slot<String>,
    /// Absolute image URLs.
    pub images: Slot<Vec<String>>,
    pub gtins: Slot<Vec<Gtin>>,
    pub contacts: Slot<Vec<Contact>>,
    pub payment: Slot<Vec<String>>,
    pub shipping: Slot<Vec<String>>,
    /// Language declared on the listing's own element, when it differs from the page's.
    pub language: Option<String>,
    /// Manufacturer named by structured data (JSON-LD, microdata).
    pub manufacturer: Option<String>,
    /// Elements the listing's region is found around: its title and main price, or its own
    /// block (a microdata scope, a profile's item, one of several offers). Empty when the
    /// source is not on the page's visible part (JSON-LD, OpenGraph).
    pub anchors: Vec<NodeId>,
}

fn fill<T>(slot: &mut Slot<T>, other: Slot<T>) {
    if slot.is_none() {
        *slot = other;
    }
}

/// Keeps a text value when it is non-empty after collapsing whitespace and capping.
pub(crate) fn text_slot(text: &str, max: usize, method: ExtractionMethod) -> Slot<String> {
    let t = collapse_whitespace(text, max);
    (!t.is_empty()).then_some((t, method))
}

impl Draft {
    /// Fills this draft's empty fields from `other` (a lower-priority source).
    pub fn fill_from(&mut self, other: Draft) {
        fill(&mut self.title, other.title);
        fill(&mut self.description, other.description);
        if self.price.is_none() && other.price.is_some() {
            self.price_per_unit = other.price_per_unit;
        }
        fill(&mut self.price, other.price);
        fill(&mut self.seller, other.seller);
        fill(&mut self.quantity_text, other.quantity_text);
        fill(&mut self.images, other.images.filter(|i| !i.0.is_empty()));
        fill(&mut self.gtins, other.gtins.filter(|g| !g.0.is_empty()));
        fill(&mut self.contacts, other.contacts);
        fill(&mut self.payment, other.payment);
        fill(&mut self.shipping, other.shipping);
        if self.language.is_none() {
            self.language = other.language;
        }
        if self.manufacturer.is_none() {
            self.manufacturer = other.manufacturer;
        }
        if self.anchors.is_empty() {
            self.anchors = other.anchors;
        }
    }

    /// Sets the title, capped.
    pub fn set_title(&mut self, text: &str, method: ExtractionMethod) {
        self.title = text_slot(text, MAX_TITLE_BYTES, method);
    }

    /// Sets the description, capped.
    pub fn set_description(&mut self, text: &str, method: ExtractionMethod) {
        self.description = text_slot(text, MAX_DESCRIPTION_BYTES, method);
    }

    /// Sets the seller, capped.
    pub fn set_seller(&mut self, text: &str, method: ExtractionMethod) {
        self.seller = text_slot(text, MAX_SHORT_BYTES, method);
    }

    /// Turns the draft into a listing; missing contacts, payment methods, shipping claims
    /// and GTINs come from the listing's region (`page`, read from `region`), the quantity
    /// from the title and description. `Listing::regions` records where each field came
    /// from.
    pub fn finish(
        self,
        index: usize,
        info: &PageInfo<'_>,
        page: &PageSignals,
        region: Region,
        fetched_at: Timestamp,
        digest: Option<&str>,
    ) -> Listing {
        let mut url = info.url.clone();
        url.set_fragment(None);
        let domain = pharmwatch_model::shop_host(info.url.as_str()).unwrap_or_default();
        let (title, title_method) = self
            .title
            .unwrap_or_default_with(ExtractionMethod::Heuristic);
        let mut l = Listing::new(
            url.as_str(),
            index,
            &info.ctx.name,
            info.ctx.kind,
            domain,
            title,
            fetched_at,
        );
        l.methods.insert("title".into(), title_method);
        if let Some((d, m)) = self.description {
            l.description = d;
            l.methods.insert("description".into(), m);
        }
        if let Some((p, m)) = self.price {
            l.price = Some(p);
            if self.price_per_unit {
                l.price_basis = PriceBasis::Unit;
            }
            l.methods.insert("price".into(), m);
        }
        if let Some((s, m)) = self.seller {
            l.seller = Some(s);
            l.methods.insert("seller".into(), m);
        }
        if let Some((q, m)) = quantity(self.quantity_text.as_ref(), &l.title, &l.description) {
            l.quantity = Some(q);
            l.methods.insert("quantity".into(), m);
        }
        const H: ExtractionMethod = ExtractionMethod::Heuristic;
        set_list(
            &mut l.contacts,
            &mut l.methods,
            "contacts",
            self.contacts,
            || (page.contacts.clone(), H),
        );
        set_list(
            &mut l.payment_methods,
            &mut l.methods,
            "payment_methods",
            self.payment,
            || (page.payment.clone(), H),
        );
        set_list(
            &mut l.shipping_claims,
            &mut l.methods,
            "shipping_claims",
            self.shipping,
            || (page.shipping.clone(), H),
        );
        let (mut gtins, gm) = self
            .gtins
            .unwrap_or((Vec::new(), ExtractionMethod::Heuristic));
        let had = !gtins.is_empty();
        for g in &page.gtins {
            if !gtins.iter().any(|x| x.digits == g.digits) {
                gtins.push(g.clone());
            }
        }
        if !gtins.is_empty() {
            l.methods.insert(
                "gtins".into(),
                if had { gm } else { ExtractionMethod::Heuristic },
            );
            l.gtins = gtins;
        }
        if let Some((mut images, m)) = self.images.filter(|i| !i.0.is_empty()) {
            images.dedup();
            images.truncate(MAX_IMAGES);
            l.images = images;
            l.methods.insert("images".into(), m);
        }
        if let Some(lang) = self.language {
            l.language = Some(lang);
            l.methods
                .insert("language".into(), ExtractionMethod::Heuristic);
        } else if let Some(lang) = &info.language {
            l.language = Some(lang.clone());
            l.methods.insert("language".into(), info.language_method);
        }
        l.evidence_digest = digest.map(str::to_string);
        l.regions = l
            .methods
            .iter()
            .filter(|(field, _)| field.as_str() != "language")
            .map(|(field, method)| (field.clone(), region_of(*method, region)))
            .collect();
        l
    }
}

/// Where a field read by `method` came from: structured data is its own region; what
/// selectors and heuristics read lies in `region` (the listing's block, or the page).
fn region_of(method: ExtractionMethod, region: Region) -> Region {
    match method {
        ExtractionMethod::JsonLd
        | ExtractionMethod::Microdata
        | ExtractionMethod::Rdfa
        | ExtractionMethod::OpenGraph => Region::StructuredData,
        ExtractionMethod::Profile | ExtractionMethod::Heuristic => region,
        ExtractionMethod::Config => Region::Page,
    }
}

trait SlotExt<T> {
    fn unwrap_or_default_with(self, m: ExtractionMethod) -> (T, ExtractionMethod);
}

impl<T: Default> SlotExt<T> for Slot<T> {
    fn unwrap_or_default_with(self, m: ExtractionMethod) -> (T, ExtractionMethod) {
        self.unwrap_or_else(|| (T::default(), m))
    }
}

fn set_list<T>(
    target: &mut Vec<T>,
    methods: &mut std::collections::BTreeMap<String, ExtractionMethod>,
    key: &str,
    own: Slot<Vec<T>>,
    page: impl FnOnce() -> (Vec<T>, ExtractionMethod),
) {
    let (values, method) = match own {
        Some(v) => v,
        None => page(),
    };
    if !values.is_empty() {
        *target = values;
        methods.insert(key.into(), method);
    }
}

/// Units, strength and form: the dedicated field first, gaps filled from the title, then
/// (only for what is still missing) from the description.
fn quantity(
    field: Option<&(String, ExtractionMethod)>,
    title: &str,
    description: &str,
) -> Option<(Quantity, ExtractionMethod)> {
    let mut q = Quantity::default();
    let mut method = None;
    let sources = [
        field.map(|(t, m)| (t.as_str(), *m)),
        Some((title, ExtractionMethod::Heuristic)),
        Some((description, ExtractionMethod::Heuristic)),
    ];
    for (text, m) in sources.into_iter().flatten() {
        if q.units.is_some() && q.strength.is_some() {
            break;
        }
        let Some(found) = crate::quantity::parse_quantity(text) else {
            continue;
        };
        if q.units.is_none() && found.units.is_some() {
            q.units = found.units;
            if found.form.is_some() {
                q.form.clone_from(&found.form);
            }
            method.get_or_insert(m);
        }
        if q.strength.is_none() && found.strength.is_some() {
            q.strength = found.strength;
            method.get_or_insert(m);
        }
        if q.form.is_none() {
            q.form = found.form;
        }
    }
    method.map(|m| (q, m))
}

/// Contacts, payment methods, shipping claims and GTINs read from a listing's region (or
/// the shop's zones), for listings whose own source did not provide them.
#[derive(Debug, Default)]
pub(crate) struct PageSignals {
    pub contacts: Vec<Contact>,
    pub payment: Vec<String>,
    pub shipping: Vec<String>,
    pub gtins: Vec<Gtin>,
}

impl PageSignals {
    /// What `draft` still lacks, read from `text`: its own contacts, payment methods and
    /// shipping claims win in [`Draft::finish`], so scanning for them would be wasted work.
    pub fn read_missing(text: &str, draft: &Draft) -> Self {
        fn unless_given<T: Default>(given: bool, read: impl FnOnce() -> T) -> T {
            if given { T::default() } else { read() }
        }
        PageSignals {
            contacts: unless_given(draft.contacts.is_some(), || {
                crate::contacts::parse_contacts(text)
            }),
            payment: unless_given(draft.payment.is_some(), || {
                crate::payment::parse_payment_methods(text)
            }),
            shipping: unless_given(draft.shipping.is_some(), || {
                crate::shipping::parse_shipping_claims(text)
            }),
            gtins: crate::gtin::parse_gtins(text),
        }
    }

    pub fn read(text: &str) -> Self {
        PageSignals {
            contacts: crate::contacts::parse_contacts(text),
            payment: crate::payment::parse_payment_methods(text),
            shipping: crate::shipping::parse_shipping_claims(text),
            gtins: crate::gtin::parse_gtins(text),
        }
    }
}
