//! The pages of one family shop, rendered once: the server and the static writer send the
//! same bytes, and the ground truth knows on which page (and where on it) each offer is.

use super::offer::Offer;

/// One page: its path (`/catalog/item-5001.html`; a folder path ends in `index.html`) and
/// its HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub html: String,
}

/// Where an offer is shown: the page and its position among the page's offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Index into the shop's offers.
    pub offer: usize,
    pub path: String,
    pub index_on_page: usize,
}

/// Every page of a shop and where its offers are.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub pages: Vec<Page>,
    pub placements: Vec<Placement>,
}

impl Site {
    pub fn new() -> Site {
        let mut site = Site::default();
        site.page("/robots.txt", crate::render::ROBOTS_TXT.to_string());
        site
    }

    /// Adds a page; `/` stands for `/index.html`.
    pub fn page(&mut self, path: &str, html: String) {
        let path = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        self.pages.push(Page { path, html });
    }

    pub fn place(&mut self, offer: usize, path: &str, index_on_page: usize) {
        self.placements.push(Placement {
            offer,
            path: path.to_string(),
            index_on_page,
        });
    }
}

/// Offers cut into list pages of `per_page`, numbered from 1 (one empty page when there are
/// none).
pub fn list_pages(offers: &[Offer], per_page: usize) -> Vec<(usize, &[Offer])> {
    if offers.is_empty() {
        return vec![(1, offers)];
    }
    offers
        .chunks(per_page.max(1))
        .enumerate()
        .map(|(i, chunk)| (i + 1, chunk))
        .collect()
}

/// Up to `k` offers following offer `index` (wrapping around), as "related products".
pub fn related(offers: &[Offer], index: usize, k: usize) -> Vec<&Offer> {
    (1..offers.len())
        .take(k)
        .filter_map(|step| offers.get((index + step) % offers.len()))
        .collect()
}
