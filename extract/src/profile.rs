//! Site profiles: CSS selectors that say where a site prints each field of a listing.
//!
//! A profile is a TOML file in `config/sites/`. Everything is validated when it is loaded
//! (unknown keys, CSS selectors, regexes, currency), and every error names the file, the
//! field, the line and column, and how to fix it: profile authors iterate on these files.
//!
//! ```toml
//! name = "kangjian"                      # default: the file name without .toml
//! language = "zh-CN"                     # BCP 47; used when the page has no lang
//! currency = "CNY"                       # ISO 4217; for bare numbers and "¥"
//! listing_urls = ['/product/\d+-[^/]*\.html$']   # regexes on the URL or its path+query
//! # item = ".listing"                    # optional: one listing per matching element
//!
//! [fields]
//! title = "h1.listing-title"             # a CSS selector: the first match's text
//! price = ".listing-price"
//! description = ".listing-description"
//! seller = ".listing-seller"
//! quantity = ".listing-quantity"
//! contacts = ".listing-contact"          # list fields read every match
//! payment = ".listing-payment"
//! shipping = ".listing-shipping"
//! images = { selector = ".gallery img", attr = "src" }
//! next_page = { selector = "a.next", attr = "href" }
//! gtin = { selector = ".sku", regex = 'EAN:\s*(\d+)' }   # group 1 (or the whole match)
//! ```
//!
//! A page is read with the profile when its URL matches one of `listing_urls` (or when the
//! list is empty) and the title selector finds text; otherwise generic extraction runs.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use pharmwatch_model::Currency;
use regex::Regex;
use scraper::Selector;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;
use url::{Position, Url};

/// A field of a listing that a profile can locate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProfileField {
    /// `title`: the listing's title; a listing needs one.
    Title,
    /// `price`: text read by the price parser with the site's currency.
    Price,
    /// `description`: free text.
    Description,
    /// `seller`: the seller's name or handle.
    Seller,
    /// `quantity`: pack size/strength text ("30 tablets", "30片/盒").
    Quantity,
    /// `contacts`: every match, read by the contact parser.
    Contacts,
    /// `payment`: every match, read by the payment-method parser.
    Payment,
    /// `shipping`: every match, read by the shipping-claim parser.
    Shipping,
    /// `images`: every match's `src`/`href` (or `attr`).
    Images,
    /// `next_page`: pagination links, tagged [`crate::LinkKind::Next`].
    NextPage,
    /// `gtin`: every match, read as a GTIN/EAN/UPC.
    Gtin,
}

impl ProfileField {
    /// Every field, in the order they appear in the docs.
    pub const ALL: [ProfileField; 11] = [
        ProfileField::Title,
        ProfileField::Price,
        ProfileField::Description,
        ProfileField::Seller,
        ProfileField::Quantity,
        ProfileField::Contacts,
        ProfileField::Payment,
        ProfileField::Shipping,
        ProfileField::Images,
        ProfileField::NextPage,
        ProfileField::Gtin,
    ];

    /// The key under `[fields]`.
    pub fn key(self) -> &'static str {
        match self {
            ProfileField::Title => "title",
            ProfileField::Price => "price",
            ProfileField::Description => "description",
            ProfileField::Seller => "seller",
            ProfileField::Quantity => "quantity",
            ProfileField::Contacts => "contacts",
            ProfileField::Payment => "payment",
            ProfileField::Shipping => "shipping",
            ProfileField::Images => "images",
            ProfileField::NextPage => "next_page",
            ProfileField::Gtin => "gtin",
        }
    }

    /// Fields that collect every match rather than the first.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            ProfileField::Contacts
                | ProfileField::Payment
                | ProfileField::Shipping
                | ProfileField::Images
                | ProfileField::NextPage
                | ProfileField::Gtin
        )
    }
}

impl fmt::Display for ProfileField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where one field is on the page: a CSS selector, optionally an attribute to read instead
/// of the text, and a regex to cut the value out of it.
#[derive(Debug, Clone)]
pub struct FieldRule {
    /// The selector as written in the profile.
    pub selector_text: String,
    selector: Selector,
    /// Attribute to read (e.g. `src`, `href`, `content`) instead of the element's text.
    pub attr: Option<String>,
    regex: Option<Regex>,
}

impl FieldRule {
    /// The compiled CSS selector.
    pub fn selector(&self) -> &Selector {
        &self.selector
    }

    /// Applies the field's regex to a raw value: capture group 1 when the regex has one,
    /// else the whole match; `None` when it does not match. Without a regex: the value.
    pub fn post_process(&self, raw: &str) -> Option<String> {
        let Some(re) = &self.regex else {
            return Some(raw.to_string());
        };
        let caps = re.captures(raw)?;
        caps.get(1)
            .or_else(|| caps.get(0))
            .map(|m| m.as_str().to_string())
    }
}

/// A validated site profile. Cheap to share (`Arc<SiteProfile>`); `Send + Sync`.
#[derive(Debug, Clone)]
pub struct SiteProfile {
    /// The profile's name (`name` key, else the file name without extension).
    pub name: String,
    /// The file it was loaded from (or the origin name given to [`SiteProfile::from_toml_str`]).
    pub origin: String,
    /// Default language (BCP 47) for pages without a `lang` attribute.
    pub language: Option<String>,
    /// Default currency for bare numbers and ambiguous symbols.
    pub currency: Option<Currency>,
    listing_urls: Vec<Regex>,
    item: Option<FieldRule>,
    fields: BTreeMap<ProfileField, FieldRule>,
}

/// Why a profile could not be loaded. Every variant says where and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read site profile {path}: {source}")]
    Io {
        /// The profile's path.
        path: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax error, unknown key or wrong value type.
    #[error("{origin}:{line}:{column}: {message}\n  hint: {hint}")]
    Syntax {
        /// File path or origin name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (in chars).
        column: usize,
        /// What is wrong, from the TOML parser (names the offending key).
        message: String,
        /// How to fix it.
        hint: String,
    },
    #[error(
        "{origin}:{line}:{column}: field `{field}`: invalid CSS selector `{selector}`: {message}\n  hint: write a CSS selector as in a stylesheet, e.g. \"h1.listing-title\" or \".price > span\"; jQuery extensions such as :contains() and :eq() are not supported"
    )]
    /// A field's CSS selector does not parse.
    Selector {
        /// File path or origin name.
        origin: String,
        /// The field key, e.g. `fields.price`.
        field: String,
        /// The selector as written.
        selector: String,
        /// 1-based line of the field's value.
        line: usize,
        /// 1-based column of the field's value.
        column: usize,
        /// The CSS parser's complaint.
        message: String,
    },
    #[error(
        "{origin}:{line}:{column}: field `{field}`: invalid regex `{pattern}`: {message}\n  hint: use Rust regex syntax (no look-around or back-references) and single-quoted TOML strings ('\\d+') so backslashes stay as written"
    )]
    /// A regex (in `listing_urls` or a field's `regex`) does not compile.
    Regex {
        /// File path or origin name.
        origin: String,
        /// The key, e.g. `listing_urls` or `fields.gtin`.
        field: String,
        /// The regex as written.
        pattern: String,
        /// 1-based line of the value.
        line: usize,
        /// 1-based column of the value.
        column: usize,
        /// The regex compiler's complaint.
        message: String,
    },
    /// A value that parses but makes no sense (currency code, language tag, attribute name).
    #[error("{origin}:{line}:{column}: field `{field}`: {message}")]
    Invalid {
        /// File path or origin name.
        origin: String,
        /// The key, e.g. `currency`.
        field: String,
        /// 1-based line of the value.
        line: usize,
        /// 1-based column of the value.
        column: usize,
        /// What is wrong and what to write instead.
        message: String,
    },
}

impl ProfileError {
    /// The file or origin name the error is about.
    pub fn origin(&self) -> &str {
        match self {
            ProfileError::Io { path, .. } => path,
            ProfileError::Syntax { origin, .. }
            | ProfileError::Selector { origin, .. }
            | ProfileError::Regex { origin, .. }
            | ProfileError::Invalid { origin, .. } => origin,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Option<String>,
    language: Option<Spanned<String>>,
    currency: Option<Spanned<String>>,
    #[serde(default)]
    listing_urls: Vec<Spanned<String>>,
    item: Option<Spanned<RawField>>,
    #[serde(default)]
    fields: RawFields,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFields {
    title: Option<Spanned<RawField>>,
    price: Option<Spanned<RawField>>,
    description: Option<Spanned<RawField>>,
    seller: Option<Spanned<RawField>>,
    quantity: Option<Spanned<RawField>>,
    contacts: Option<Spanned<RawField>>,
    payment: Option<Spanned<RawField>>,
    shipping: Option<Spanned<RawField>>,
    images: Option<Spanned<RawField>>,
    next_page: Option<Spanned<RawField>>,
    gtin: Option<Spanned<RawField>>,
}

impl RawFields {
    fn take(&mut self, field: ProfileField) -> Option<Spanned<RawField>> {
        match field {
            ProfileField::Title => self.title.take(),
            ProfileField::Price => self.price.take(),
            ProfileField::Description => self.description.take(),
            ProfileField::Seller => self.seller.take(),
            ProfileField::Quantity => self.quantity.take(),
            ProfileField::Contacts => self.contacts.take(),
            ProfileField::Payment => self.payment.take(),
            ProfileField::Shipping => self.shipping.take(),
            ProfileField::Images => self.images.take(),
            ProfileField::NextPage => self.next_page.take(),
            ProfileField::Gtin => self.gtin.take(),
        }
    }
}

/// A field is either a selector string or a table `{ selector, attr, regex }`.
struct RawField {
    selector: String,
    attr: Option<String>,
    regex: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldTable {
    selector: String,
    attr: Option<String>,
    regex: Option<String>,
}

impl<'de> Deserialize<'de> for RawField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = RawField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CSS selector string or a table { selector = \"…\", attr = \"…\", regex = '…' }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawField, E> {
                Ok(RawField {
                    selector: v.to_string(),
                    attr: None,
                    regex: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawField, A::Error> {
                let t = RawFieldTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawField {
                    selector: t.selector,
                    attr: t.attr,
                    regex: t.regex,
                })
            }
        }
        deserializer.deserialize_any(FieldVisitor)
    }
}

/// 1-based line and column of byte `offset` in `src`.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Ctx<'a> {
    src: &'a str,
    origin: &'a str,
}

impl Ctx<'_> {
    fn at(&self, span: &std::ops::Range<usize>) -> (usize, usize) {
        line_col(self.src, span.start)
    }

    fn invalid(&self, field: &str, span: &std::ops::Range<usize>, message: String) -> ProfileError {
        let (line, column) = self.at(span);
        ProfileError::Invalid {
            origin: self.origin.to_string(),
            field: field.to_string(),
            line,
            column,
            message,
        }
    }

    fn regex(
        &self,
        field: &str,
        span: &std::ops::Range<usize>,
        pattern: &str,
    ) -> Result<Regex, ProfileError> {
        Regex::new(pattern).map_err(|e| {
            let (line, column) = self.at(span);
            ProfileError::Regex {
                origin: self.origin.to_string(),
                field: field.to_string(),
                pattern: pattern.to_string(),
                line,
                column,
                message: e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            }
        })
    }

    fn field_rule(&self, field: &str, raw: Spanned<RawField>) -> Result<FieldRule, ProfileError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let selector = Selector::parse(&raw.selector).map_err(|e| {
            let (line, column) = self.at(&span);
            ProfileError::Selector {
                origin: self.origin.to_string(),
                field: field.to_string(),
                selector: raw.selector.clone(),
                line,
                column,
                message: e.to_string(),
            }
        })?;
        if let Some(attr) = &raw.attr
            && (attr.trim().is_empty() || attr.contains(char::is_whitespace))
        {
            return Err(self.invalid(
                field,
                &span,
                format!("`attr = \"{attr}\"` is not an attribute name; write e.g. attr = \"src\""),
            ));
        }
        let regex = raw
            .regex
            .as_deref()
            .map(|p| self.regex(field, &span, p))
            .transpose()?;
        Ok(FieldRule {
            selector_text: raw.selector,
            selector,
            attr: raw.attr,
            regex,
        })
    }
}

impl SiteProfile {
    /// Loads and validates a profile file.
    pub fn load(path: impl AsRef<Path>) -> Result<SiteProfile, ProfileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        SiteProfile::from_toml_str(&text, &path.display().to_string())
    }

    /// Parses and validates a profile from TOML text; `origin_name` (usually the file path)
    /// is used in errors and as the default name.
    pub fn from_toml_str(text: &str, origin_name: &str) -> Result<SiteProfile, ProfileError> {
        let ctx = Ctx {
            src: text,
            origin: origin_name,
        };
        let mut raw: RawProfile = toml::from_str(text).map_err(|e| syntax_error(&ctx, &e))?;
        let currency = raw
            .currency
            .map(|c| {
                let span = c.span();
                Currency::from_str(c.get_ref())
                    .map_err(|e| ctx.invalid("currency", &span, e.to_string()))
            })
            .transpose()?;
        let language = match raw.language {
            Some(l) if !is_language_tag(l.get_ref()) => {
                return Err(ctx.invalid(
                    "language",
                    &l.span(),
                    format!("`{}` is not a BCP 47 language tag; write e.g. \"en\", \"zh-CN\", \"pt-BR\"", l.get_ref()),
                ));
            }
            l => l.map(Spanned::into_inner),
        };
        let listing_urls = raw
            .listing_urls
            .iter()
            .map(|p| ctx.regex("listing_urls", &p.span(), p.get_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let item = raw
            .item
            .take()
            .map(|i| ctx.field_rule("item", i))
            .transpose()?;
        let mut fields = BTreeMap::new();
        for field in ProfileField::ALL {
            if let Some(rawf) = raw.fields.take(field) {
                fields.insert(
                    field,
                    ctx.field_rule(&format!("fields.{}", field.key()), rawf)?,
                );
            }
        }
        let name = raw.name.unwrap_or_else(|| default_name(origin_name));
        Ok(SiteProfile {
            name,
            origin: origin_name.to_string(),
            language,
            currency,
            listing_urls,
            item,
            fields,
        })
    }

    /// The rule for `field`, if the profile locates it.
    pub fn field(&self, field: ProfileField) -> Option<&FieldRule> {
        self.fields.get(&field)
    }

    /// The container rule (one listing per match), if any.
    pub fn item(&self) -> Option<&FieldRule> {
        self.item.as_ref()
    }

    /// The listing-URL patterns as written.
    pub fn listing_url_patterns(&self) -> Vec<&str> {
        self.listing_urls.iter().map(Regex::as_str).collect()
    }

    /// Whether `url` matches one of the listing-URL patterns (full URL or path+query).
    /// False when the profile has no patterns.
    pub fn is_listing_url(&self, url: &Url) -> bool {
        let path = &url[Position::BeforePath..];
        self.listing_urls
            .iter()
            .any(|re| re.is_match(url.as_str()) || re.is_match(path))
    }

    /// Whether extraction should try this profile on `url`: a listing-URL match, or any
    /// page when the profile lists no patterns.
    pub fn applies_to(&self, url: &Url) -> bool {
        self.listing_urls.is_empty() || self.is_listing_url(url)
    }
}

fn default_name(origin: &str) -> String {
    Path::new(origin)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(origin)
        .to_string()
}

fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

fn syntax_error(ctx: &Ctx<'_>, e: &toml::de::Error) -> ProfileError {
    let (line, column) = e.span().map_or((1, 1), |s| ctx.at(&s));
    let message = e.message().trim().to_string();
    let hint = if message.contains("unknown field") {
        "rename or remove this key (the keys allowed here are listed above; top-level keys are \
         name, language, currency, listing_urls, item and the [fields] table)"
    } else if message.contains("missing field") {
        "a field table needs at least `selector = \"…\"`"
    } else {
        "check the TOML syntax: strings in quotes (single quotes for regexes), one `key = value` per line, tables as [fields]"
    };
    ProfileError::Syntax {
        origin: ctx.origin.to_string(),
        line,
        column,
        message,
        hint: hint.to_string(),
    }
}
