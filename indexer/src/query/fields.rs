//! The fields a query may name, what kind of values they take, and their aliases.

use crate::schema::names;

/// How a field's values are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Analysed text: words, phrases, wildcards, fuzzy.
    Text,
    /// Whole identifier values, case-insensitive: exact, wildcards, fuzzy.
    Keyword,
    /// Like [`Kind::Keyword`] but case-sensitive (listing ids, run ids, digests…).
    Exact,
    /// f64 values: exact, ranges, comparisons.
    Number,
    /// Severity names or ranks 0–4: exact, ranges, comparisons.
    Severity,
    /// Dates and times: a day/month/year or an instant, ranges, comparisons, `now-7d`.
    Date,
    /// `true` / `false`.
    Flag,
}

/// A queryable field: the name users type, the schema field, its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryField {
    /// The name users type.
    pub name: &'static str,
    /// The schema field it searches.
    pub schema_name: &'static str,
    /// How its values are matched.
    pub kind: Kind,
}

const fn f(name: &'static str, schema_name: &'static str, kind: Kind) -> QueryField {
    QueryField {
        name,
        schema_name,
        kind,
    }
}

/// Every field users may name, in the order error messages list them.
pub const FIELDS: &[QueryField] = &[
    f("title", names::TITLE, Kind::Text),
    f("description", names::DESCRIPTION, Kind::Text),
    f("seller", names::SELLER, Kind::Text),
    f("url", names::URL, Kind::Text),
    f("payment", names::PAYMENT, Kind::Text),
    f("shipping", names::SHIPPING, Kind::Text),
    f("drug", names::DRUG, Kind::Keyword),
    f("drug_class", names::DRUG_CLASS, Kind::Keyword),
    f("rule", names::RULE, Kind::Keyword),
    f("severity", names::SEVERITY, Kind::Severity),
    f("score", names::SCORE, Kind::Number),
    f("site", names::SITE, Kind::Keyword),
    f("site_kind", names::SITE_KIND, Kind::Keyword),
    f("domain", names::DOMAIN, Kind::Keyword),
    f("contact", names::CONTACT, Kind::Keyword),
    f("gtin", names::GTIN, Kind::Exact),
    f("language", names::LANGUAGE, Kind::Keyword),
    f("price", names::PRICE, Kind::Number),
    f("currency", names::CURRENCY, Kind::Keyword),
    f("price_usd", names::PRICE_USD, Kind::Number),
    f("unit_price_usd", names::UNIT_PRICE_USD, Kind::Number),
    f("first_seen", names::FIRST_SEEN, Kind::Date),
    f("last_seen", names::LAST_SEEN, Kind::Date),
    f("run", names::RUN, Kind::Exact),
    f("digest", names::DIGEST, Kind::Keyword),
    f("flagged", names::FLAGGED, Kind::Flag),
    f("id", names::ID, Kind::Exact),
];

/// Other names accepted for a field (plural forms, names from the model).
const ALIASES: &[(&str, &str)] = &[
    ("drugs", "drug"),
    ("rules", "rule"),
    ("rule_id", "rule"),
    ("class", "drug_class"),
    ("kind", "site_kind"),
    ("host", "domain"),
    ("lang", "language"),
    ("contacts", "contact"),
    ("evidence", "digest"),
    ("evidence_digest", "digest"),
    ("unit_price", "unit_price_usd"),
    ("desc", "description"),
];

/// Looks a field up by the name a user typed (case-insensitive).
pub fn lookup(name: &str) -> Option<&'static QueryField> {
    let lower = name.to_ascii_lowercase();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, c)| c);
    FIELDS.iter().find(|f| f.name == canonical)
}

/// The field (or alias) closest to a misspelt name, if one is within two edits.
pub fn closest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    FIELDS
        .iter()
        .map(|f| f.name)
        .chain(ALIASES.iter().map(|(alias, _)| *alias))
        .map(|candidate| (crate::snippet::edit_distance(&lower, candidate), candidate))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, candidate)| candidate)
}

/// The valid field names, comma-separated, for error messages.
pub fn valid_names() -> String {
    FIELDS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
}
