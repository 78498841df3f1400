//! The tantivy schema (DESIGN §4) and the handles of its fields.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, NumericOptions,
    STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::TEXT_TOKENIZER;

/// Field names as they appear in the schema (and, mostly, in queries).
pub mod names {
    pub const ID: &str = "id";
    pub const URL: &str = "url";
    pub const SITE: &str = "site";
    pub const SITE_KIND: &str = "site_kind";
    pub const DOMAIN: &str = "domain";
    pub const TITLE: &str = "title";
    pub const DESCRIPTION: &str = "description";
    pub const SELLER: &str = "seller";
    pub const CONTACT: &str = "contact";
    pub const PAYMENT: &str = "payment";
    pub const SHIPPING: &str = "shipping";
    pub const GTIN: &str = "gtin";
    pub const LANGUAGE: &str = "language";
    pub const DRUG: &str = "drug";
    pub const DRUG_CLASS: &str = "drug_class";
    pub const RULE: &str = "rule";
    pub const SEVERITY: &str = "severity";
    pub const SEVERITY_NAME: &str = "severity_name";
    pub const SCORE: &str = "score";
    pub const PRICE: &str = "price";
    pub const CURRENCY: &str = "currency";
    pub const PRICE_USD: &str = "price_usd";
    pub const UNIT_PRICE_USD: &str = "unit_price_usd";
    pub const FIRST_SEEN: &str = "first_seen";
    pub const LAST_SEEN: &str = "last_seen";
    pub const RUN: &str = "run";
    pub const DIGEST: &str = "digest";
    pub const FLAGGED: &str = "flagged";
    pub const RULE_SET: &str = "rule_set";
    pub const DRUG_SET: &str = "drug_set";
    pub const DOC: &str = "doc";
}

/// Joins the values of `rule_set` and `drug_set` (ids never contain it).
pub const SET_SEPARATOR: char = '\n';

/// Handles of every field, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub url: Field,
    pub site: Field,
    pub site_kind: Field,
    pub domain: Field,
    pub title: Field,
    pub description: Field,
    pub seller: Field,
    pub contact: Field,
    pub payment: Field,
    pub shipping: Field,
    pub gtin: Field,
    pub language: Field,
    pub drug: Field,
    pub drug_class: Field,
    pub rule: Field,
    pub severity: Field,
    pub severity_name: Field,
    pub score: Field,
    pub price: Field,
    pub currency: Field,
    pub price_usd: Field,
    pub unit_price_usd: Field,
    pub first_seen: Field,
    pub last_seen: Field,
    pub run: Field,
    pub digest: Field,
    pub flagged: Field,
    /// All rule ids of a listing in one value (see [`SET_SEPARATOR`]): facets count these
    /// single-valued columns in blocks, then split them, which is several times faster than
    /// reading the multi-valued `rule` column document by document.
    pub rule_set: Field,
    /// All drug ids of a listing in one value, for facets (as `rule_set`).
    pub drug_set: Field,
    /// The whole `IndexDoc` as JSON, so a hit reconstructs it exactly.
    pub doc: Field,
}

fn text_options() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Identifiers: one term per value (values are lower-cased before indexing), fast for facets.
fn keyword_options() -> TextOptions {
    STRING | FAST
}

fn number_options() -> NumericOptions {
    NumericOptions::default()
        .set_indexed()
        .set_fast()
        .set_stored()
}

fn date_options() -> DateOptions {
    DateOptions::from(INDEXED)
        .set_fast()
        .set_precision(DateTimePrecision::Seconds)
}

/// Builds the schema; its layout is the on-disk format, so change it only with a migration
/// (re-index) in mind.
pub fn build() -> (Schema, Fields) {
    use names::*;
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field(ID, STRING | STORED),
        url: b.add_text_field(URL, text_options()),
        site: b.add_text_field(SITE, keyword_options()),
        site_kind: b.add_text_field(SITE_KIND, keyword_options()),
        domain: b.add_text_field(DOMAIN, keyword_options()),
        title: b.add_text_field(TITLE, text_options()),
        description: b.add_text_field(DESCRIPTION, text_options()),
        seller: b.add_text_field(SELLER, text_options()),
        contact: b.add_text_field(CONTACT, STRING),
        payment: b.add_text_field(PAYMENT, text_options()),
        shipping: b.add_text_field(SHIPPING, text_options()),
        gtin: b.add_text_field(GTIN, STRING),
        language: b.add_text_field(LANGUAGE, keyword_options()),
        drug: b.add_text_field(DRUG, keyword_options()),
        drug_class: b.add_text_field(DRUG_CLASS, keyword_options()),
        rule: b.add_text_field(RULE, keyword_options()),
        severity: b.add_u64_field(SEVERITY, number_options()),
        severity_name: b.add_text_field(SEVERITY_NAME, keyword_options()),
        score: b.add_f64_field(SCORE, number_options()),
        price: b.add_f64_field(PRICE, number_options()),
        currency: b.add_text_field(CURRENCY, keyword_options()),
        price_usd: b.add_f64_field(PRICE_USD, number_options()),
        unit_price_usd: b.add_f64_field(UNIT_PRICE_USD, number_options()),
        first_seen: b.add_date_field(FIRST_SEEN, date_options()),
        last_seen: b.add_date_field(LAST_SEEN, date_options()),
        run: b.add_text_field(RUN, STRING),
        digest: b.add_text_field(DIGEST, STRING),
        flagged: b.add_u64_field(FLAGGED, NumericOptions::default().set_indexed().set_fast()),
        rule_set: b.add_text_field(RULE_SET, FAST),
        drug_set: b.add_text_field(DRUG_SET, FAST),
        doc: b.add_text_field(DOC, STORED),
    };
    (b.build(), fields)
}
