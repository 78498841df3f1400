//! [`IndexDoc`]: what one index entry holds, and its conversion to and from tantivy documents.

use pharmwatch_model::{Listing, Timestamp, Verdict};
use serde::{Deserialize, Serialize};
use tantivy::schema::Value;
use tantivy::{DateTime, TantivyDocument};

use crate::error::IndexError;
use crate::schema::Fields;

/// One listing as indexed: the listing, the verdict on it, and what the pipeline knows about
/// it across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDoc {
    /// The listing as extracted.
    pub listing: Listing,
    /// What the rules concluded about it.
    pub verdict: Verdict,
    /// `listing.price` in USD (the caller converts with the rules crate's currency table).
    #[serde(default)]
    pub price_usd: Option<f64>,
    /// Price per unit (tablet, pen…) in USD.
    #[serde(default)]
    pub unit_price_usd: Option<f64>,
    /// When the listing was first seen (any run).
    #[serde(with = "pharmwatch_model::timestamp")]
    pub first_seen: Timestamp,
    /// When it was last seen.
    #[serde(with = "pharmwatch_model::timestamp")]
    pub last_seen: Timestamp,
    /// Id of the run that last saw it (a number; entries indexed before it was one hold the
    /// same digits as a string, and are read either way).
    #[serde(default, deserialize_with = "run_number")]
    pub run: Option<i64>,
    /// Since when its page no longer offers it (the state store's verdict on evidence: a
    /// 404/410, an answer without it, or failures in several runs); `None` while offered.
    #[serde(default, with = "pharmwatch_model::timestamp::option")]
    pub gone_since: Option<Timestamp>,
}

/// A run id written as a number, or as the string of digits older entries hold.
fn run_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Run {
        Number(i64),
        Text(String),
    }
    match Option::<Run>::deserialize(d)? {
        None => Ok(None),
        Some(Run::Number(n)) => Ok(Some(n)),
        Some(Run::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("run `{t}` is not a run number"))),
    }
}

/// Sorted, deduplicated values as one value of a facet set column (nothing when empty).
fn add_set(d: &mut TantivyDocument, field: tantivy::schema::Field, values: &[String]) {
    if !values.is_empty() {
        let sep = crate::schema::SET_SEPARATOR.to_string();
        d.add_text(field, values.join(&sep));
    }
}

fn date(t: Timestamp) -> DateTime {
    let nanos = t.unix_timestamp_nanos();
    DateTime::from_timestamp_nanos(i64::try_from(nanos).unwrap_or(if nanos < 0 {
        i64::MIN
    } else {
        i64::MAX
    }))
}

/// Identifier-like values are indexed lower-cased so queries need not match the case.
fn keyword(value: &str) -> String {
    value.trim().to_lowercase()
}

impl IndexDoc {
    /// The tantivy document for this entry.
    pub(crate) fn to_document(&self, f: &Fields) -> Result<TantivyDocument, IndexError> {
        let l = &self.listing;
        let v = &self.verdict;
        if !v.score.is_finite() {
            // JSON has no NaN or infinity: the stored entry could not be read back.
            return Err(IndexError::InvalidDocument {
                id: l.id.to_string(),
                message: format!("verdict score {} is not a finite number", v.score),
            });
        }
        let mut d = TantivyDocument::default();
        d.add_text(f.id, l.id.as_str());
        d.add_text(f.url, &l.url);
        d.add_text(f.site, keyword(&l.site));
        d.add_text(f.site_kind, l.site_kind.as_str());
        d.add_text(f.domain, keyword(&l.domain));
        d.add_text(f.title, &l.title);
        d.add_text(f.description, &l.description);
        if let Some(seller) = &l.seller {
            d.add_text(f.seller, seller);
        }
        for c in &l.contacts {
            d.add_text(f.contact, keyword(&c.value));
        }
        for p in &l.payment_methods {
            d.add_text(f.payment, p);
        }
        for s in &l.shipping_claims {
            d.add_text(f.shipping, s);
        }
        for g in &l.gtins {
            d.add_text(f.gtin, &g.digits);
        }
        if let Some(lang) = &l.language {
            d.add_text(f.language, keyword(lang));
        }
        let mut drugs: Vec<String> = v.drugs.iter().map(|m| keyword(&m.drug)).collect();
        drugs.sort();
        drugs.dedup();
        for drug in &drugs {
            d.add_text(f.drug, drug);
        }
        add_set(&mut d, f.drug_set, &drugs);
        let mut classes: Vec<String> = v.drugs.iter().map(|m| keyword(&m.class)).collect();
        classes.sort();
        classes.dedup();
        for class in &classes {
            d.add_text(f.drug_class, class);
        }
        let mut rules: Vec<String> = v.rule_ids().map(keyword).collect();
        rules.sort();
        rules.dedup();
        for rule in &rules {
            d.add_text(f.rule, rule);
        }
        add_set(&mut d, f.rule_set, &rules);
        if let Some(sev) = v.severity {
            d.add_u64(f.severity, u64::from(sev.rank()));
            d.add_text(f.severity_name, sev.as_str());
        }
        d.add_f64(f.score, v.score);
        if let Some(price) = &l.price {
            if let Ok(amount) = price.amount.to_string().parse::<f64>() {
                d.add_f64(f.price, amount);
            }
            d.add_text(f.currency, keyword(price.currency.as_str()));
        }
        if let Some(p) = self.price_usd.filter(|p| p.is_finite()) {
            d.add_f64(f.price_usd, p);
        }
        if let Some(p) = self.unit_price_usd.filter(|p| p.is_finite()) {
            d.add_f64(f.unit_price_usd, p);
        }
        d.add_date(f.first_seen, date(self.first_seen));
        d.add_date(f.last_seen, date(self.last_seen));
        if let Some(run) = self.run {
            d.add_text(f.run, run.to_string());
        }
        if let Some(digest) = &l.evidence_digest {
            d.add_text(f.digest, keyword(digest));
        }
        d.add_u64(f.flagged, u64::from(v.flagged));
        let json = serde_json::to_string(self).map_err(|e| IndexError::CorruptDocument {
            id: l.id.to_string(),
            message: e.to_string(),
        })?;
        d.add_text(f.doc, json);
        Ok(d)
    }

    /// Rebuilds the entry from a stored document.
    ///
    /// The floats are taken from their own stored fields rather than from the JSON: serde_json's
    /// default float parser may be one ulp off, and a hit must reconstruct the entry exactly.
    pub(crate) fn from_document(d: &TantivyDocument, f: &Fields) -> Result<Self, IndexError> {
        let id = d.get_first(f.id).and_then(|v| v.as_str()).unwrap_or("?");
        let corrupt = |message: String| IndexError::CorruptDocument {
            id: id.to_string(),
            message,
        };
        let json = d
            .get_first(f.doc)
            .and_then(|v| v.as_str())
            .ok_or_else(|| corrupt("no stored JSON".into()))?;
        let mut doc: IndexDoc = serde_json::from_str(json).map_err(|e| corrupt(e.to_string()))?;
        let stored_f64 = |field| d.get_first(field).and_then(|v| v.as_f64());
        if let Some(score) = stored_f64(f.score) {
            doc.verdict.score = score;
        }
        doc.price_usd = stored_f64(f.price_usd).or(doc.price_usd);
        doc.unit_price_usd = stored_f64(f.unit_price_usd).or(doc.unit_price_usd);
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_is_written_as_a_number_and_read_from_older_strings() {
        #[derive(Deserialize)]
        struct Run {
            #[serde(default, deserialize_with = "run_number")]
            run: Option<i64>,
        }
        let read = |json: &str| serde_json::from_str::<Run>(json).map(|r| r.run);
        assert_eq!(read(r#"{"run": 7}"#).unwrap(), Some(7));
        assert_eq!(read(r#"{"run": "7"}"#).unwrap(), Some(7));
        assert_eq!(read(r#"{"run": null}"#).unwrap(), None);
        assert_eq!(read("{}").unwrap(), None);
        let e = read(r#"{"run": "run-1"}"#).unwrap_err();
        assert!(e.to_string().contains("not a run number"), "{e}");
    }
}
