//! [`DrugNames`]: the names investigators type for the drugs the index knows by id.
//!
//! The `drug` field holds the lexicon's canonical id (`semaglutide`, `sildenafil`), but an
//! investigator types what sellers print: `drug:ozempic`, `drug:viagra` found nothing
//! (issue 19). The application reads the lexicon and hands its names in, so the indexer does
//! not depend on the rules crate; a name of several drugs searches all of them.

use std::collections::HashMap;

/// Brand names, synonyms and spellings, each with the canonical drug ids it stands for.
#[derive(Debug, Clone, Default)]
pub struct DrugNames {
    ids: HashMap<String, Vec<String>>,
}

impl DrugNames {
    /// No names: `drug:` takes canonical ids only.
    pub fn new() -> Self {
        DrugNames::default()
    }

    /// Says that `name` (any case) stands for the drug with canonical id `id`.
    pub fn add(&mut self, name: &str, id: &str) {
        let name = normalize(name);
        let id = normalize(id);
        if name.is_empty() || id.is_empty() {
            return;
        }
        let ids = self.ids.entry(name).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    /// The canonical ids `name` stands for (none when it is no known name).
    pub fn ids(&self, name: &str) -> &[String] {
        self.ids.get(&normalize(name)).map_or(&[], Vec::as_slice)
    }

    /// Every known name (lower case), in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(String::as_str)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no name is known.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl<'a> FromIterator<(&'a str, &'a str)> for DrugNames {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Self {
        let mut names = DrugNames::new();
        for (name, id) in pairs {
            names.add(name, id);
        }
        names
    }
}

/// As the `drug` field indexes its values: trimmed and lower-cased.
fn normalize(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_any_case_and_shared_names_keep_every_drug() {
        let names: DrugNames = [
            ("Ozempic", "semaglutide"),
            ("wegovy", "Semaglutide"),
            ("semaglutide", "semaglutide"),
            ("shared", "a"),
            ("shared", "b"),
            ("shared", "a"),
        ]
        .into_iter()
        .collect();
        assert_eq!(names.ids(" OZEMPIC "), ["semaglutide"]);
        assert_eq!(names.ids("wegovy"), ["semaglutide"]);
        assert_eq!(names.ids("shared"), ["a", "b"]);
        assert!(names.ids("aspirin").is_empty());
        assert_eq!(names.len(), 4);
    }
}
