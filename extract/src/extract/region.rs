//! Whose words each part of a page is: the listing's own block, the shop's, reviews, or
//! nobody's.
//!
//! A listing's claims (shipping, payment, contacts, "no prescription") are what the seller
//! says about that offer. Shops surround it with words that are not: a mega-menu blurb
//! "Discreet treatments for erectile dysfunction", a category introduction, breadcrumbs,
//! related products with their own prices, a cookie banner, buyers' reviews. Taking claims
//! from the whole page flags every listing of a shop for its menu (issue 17). So the page is
//! split:
//!
//! - the **listing's region**: the closest element around its title and main price, widened
//!   through its containers while they hold no other listing and are neither a labelled zone
//!   nor mostly links, with the zones inside it left out;
//! - **shop zones**: header, footer, contact, policy and trust blocks — what the shop says for
//!   every listing (`Listing::shop`);
//! - **reviews**: buyers' words (`Listing::reviews`);
//! - **nobody's**: navigation, menus, breadcrumbs, related/recommended blocks, cookie banners,
//!   category blurbs, sidebars, pagination. Their text is no one's claim.
//!
//! Zones are told by tag, ARIA role and the words of `class`/`id` in several languages, and
//! unlabelled menus by link density. An element holding the listing's title or price is never
//! left out, whatever its class says (`<div class="product-header"><h1>…`).

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::NodeId;
use scraper::{ElementRef, Html};

use crate::html_text::{element_text, lines_of, visible_text_where};
use crate::words::WordSet;

/// What a part of the page is, when it is not simply part of the listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    /// Navigation, menus, breadcrumbs, related items, cookie banners, blurbs: nobody's claims.
    Nobody,
    /// Header, footer, contact and policy blocks: the shop's claims.
    Shop,
    /// Buyers' reviews and comments.
    Reviews,
}

/// Class/id words of parts that are nobody's claims (matched anywhere in the value).
const NOBODY_WORDS: &[&str] = &[
    "breadcrumb",
    "crumbs",
    "navbar",
    "navigation",
    "menu",
    "menü",
    "related",
    "recommend",
    "similar",
    "also-bought",
    "alsobought",
    "also_bought",
    "upsell",
    "up-sell",
    "crosssell",
    "cross-sell",
    "cookie",
    "consent",
    "gdpr",
    "sidebar",
    "newsletter",
    "category-desc",
    "category_desc",
    "categorydesc",
    "category-intro",
    "cat-desc",
    // "About this category" sections under a product: the category's words, not the offer's.
    "category-about",
    "category_about",
    "categoryabout",
    "category-blurb",
    "category-text",
    "category-info",
    "about-category",
    "pagination",
    "pager",
    "popup",
    "modal",
    "recently",
    "viewed",
    "carousel",
    // Other sellers' offers for the same product ("More buying choices", "Other sellers on
    // Amazon", eBay's "other offers"): their prices and terms are not the listing's.
    "buyingchoices",
    "buying-choices",
    "buying_choices",
    "othersellers",
    "other-sellers",
    "other_sellers",
    "otheroffers",
    "other-offers",
    "other_offers",
    "empfehl",
    "aehnlich",
    "ähnlich",
    "zubehoer",
    "similaire",
    "relacionad",
    "correlat",
    "simili",
    "похож",
    "рекоменд",
];

/// Class/id tokens (whole words between `-`, `_`, spaces) of parts that are nobody's claims:
/// too short to match inside other words.
const NOBODY_TOKENS: &[&str] = &[
    "nav", "sidenav", "topnav", "subnav", "promo", "sims", "others", "teaser", "crumb", "aside",
    "side",
];

/// Class/id words of the shop's own blocks.
const SHOP_WORDS: &[&str] = &[
    "footer",
    "policy",
    "policies",
    "impressum",
    "copyright",
    "legal",
    "guarantee",
    "trust",
    "site-info",
    "siteinfo",
    "topbar",
    "top-bar",
    "masthead",
    "site-header",
    "pie-pagina",
    "piedepagina",
];

/// Class/id tokens of the shop's own blocks.
/// `hdr`/`ftr` are how hand-written and table-layout templates abbreviate them.
const SHOP_TOKENS: &[&str] = &["header", "hdr", "ftr"];

/// Class/id words of blocks that are the shop's when they stand outside the listing's region
/// (a shipping policy blurb, the shop's contact box), but the listing's own inside it
/// ("listing-shipping", "listing-contact").
const SHOP_WORDS_OUTSIDE: &[&str] = &[
    "contact",
    "kontakt",
    "контакт",
    "payment",
    "shipping",
    "delivery",
    "versand",
    "zahlung",
    "livraison",
    "envio",
    "envío",
    "доставк",
    "оплат",
];

/// Class/id words of reviews and comments.
const REVIEW_WORDS: &[&str] = &[
    "review",
    "rezension",
    "bewertung",
    "avis",
    "resena",
    "reseña",
    "opinion",
    "testimonial",
    "comment",
    "feedback",
    "kommentar",
    "отзыв",
    "评论",
    "评价",
];

/// At most this many ancestors are climbed from the title and price to the listing's block.
const MAX_CLIMB: usize = 12;
/// A container whose text is more than this share link text is navigation, not an offer.
const MAX_LINK_DENSITY: f64 = 0.5;
/// Lists and blocks with at least this many links, nearly all text, are unlabelled menus.
const MENU_MIN_LINKS: usize = 5;
/// Elements inspected when looking for the page's shop and review zones.
const MAX_ELEMENTS: usize = 20_000;
/// Text read per region.
pub(crate) const MAX_REGION_TEXT: usize = 256 * 1024;
/// Reviews kept per page, and bytes per review.
const MAX_REVIEWS: usize = 50;
const MAX_REVIEW_BYTES: usize = 4 * 1024;

/// The zone `el` is by its own tag, role and class/id words. `inside_listing` says whether it
/// sits in the listing's block, where "shipping" and "payment" blocks are the listing's.
pub(crate) fn zone_of(el: ElementRef<'_>, inside_listing: bool) -> Option<Zone> {
    let v = el.value();
    match v.name() {
        // The page's frame: its classes describe the whole page ("has-sidebar").
        "html" | "body" | "main" => return None,
        "nav" | "menu" | "aside" | "dialog" => return Some(Zone::Nobody),
        "header" | "footer" => return Some(Zone::Shop),
        _ => {}
    }
    if let Some(role) = v.attr("role") {
        match role.trim().to_ascii_lowercase().as_str() {
            "navigation" | "menu" | "menubar" | "complementary" | "dialog" | "alertdialog"
            | "search" => return Some(Zone::Nobody),
            "banner" | "contentinfo" => return Some(Zone::Shop),
            _ => {}
        }
    }
    static REVIEW: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(REVIEW_WORDS));
    static NOBODY: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOBODY_WORDS));
    static SHOP: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SHOP_WORDS));
    static SHOP_OUTSIDE: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SHOP_WORDS_OUTSIDE));
    let labels = [v.attr("class"), v.attr("id")];
    let says = |words: &WordSet| labels.iter().flatten().any(|l| words.in_any_case(l));
    let says_token = |tokens: &[&str]| labels.iter().flatten().any(|l| has_token(l, tokens));
    if says(&REVIEW) {
        Some(Zone::Reviews)
    } else if says(&NOBODY) || says_token(NOBODY_TOKENS) {
        Some(Zone::Nobody)
    } else if says(&SHOP) || says_token(SHOP_TOKENS) || (!inside_listing && says(&SHOP_OUTSIDE)) {
        Some(Zone::Shop)
    } else if is_link_menu(el) {
        Some(Zone::Nobody)
    } else {
        None
    }
}

fn has_token(label: &str, tokens: &[&str]) -> bool {
    label
        .split(|c: char| !c.is_alphanumeric())
        .any(|t| tokens.iter().any(|w| t.eq_ignore_ascii_case(w)))
}

/// An unlabelled menu: a list (or a list-like block) of at least [`MENU_MIN_LINKS`] links
/// that are nearly all of its text.
fn is_link_menu(el: ElementRef<'_>) -> bool {
    if !matches!(el.value().name(), "ul" | "ol") {
        return false;
    }
    let links = el
        .descendants()
        .take(2_000)
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "a" && e.value().attr("href").is_some())
        .take(MENU_MIN_LINKS)
        .count();
    links >= MENU_MIN_LINKS && link_density(el) > 0.8
}

/// Share of `el`'s visible text that is link text.
pub(crate) fn link_density(el: ElementRef<'_>) -> f64 {
    let all = element_text(el, 16 * 1024).chars().count();
    if all == 0 {
        return 0.0;
    }
    let linked: usize = el
        .descendants()
        .take(5_000)
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "a")
        .take(500)
        .map(|a| element_text(a, 1024).chars().count())
        .sum();
    linked as f64 / all as f64
}

/// The listing's block: the closest common ancestor of `anchors` (its title, main price, or
/// its own block), widened through its containers while they hold no other listing's
/// anchors (`others`) and are neither a zone nor mostly links. `None` without anchors.
pub(crate) fn listing_root<'a>(
    doc: &'a Html,
    anchors: &[NodeId],
    others: &[NodeId],
) -> Option<ElementRef<'a>> {
    let mut root = common_ancestor(doc, anchors)?;
    for _ in 0..MAX_CLIMB {
        if matches!(root.value().name(), "body" | "html") {
            break;
        }
        let Some(parent) = root.parent().and_then(ElementRef::wrap) else {
            break;
        };
        let holds_another = others
            .iter()
            .any(|&o| within_id(doc, o, parent.id()) && !within_id(doc, o, root.id()));
        if parent.value().name() == "html"
            || is_layout_column(root)
            || holds_another
            || zone_of(parent, true).is_some()
            || link_density(parent) > MAX_LINK_DENSITY
        {
            break;
        }
        root = parent;
    }
    Some(root)
}

/// A table cell beside other cells in its row: in a table-layout page the row is the page's
/// frame (side column, content column), so the listing's block ends at its own cell.
fn is_layout_column(el: ElementRef<'_>) -> bool {
    matches!(el.value().name(), "td" | "th")
        && el
            .parent()
            .into_iter()
            .flat_map(|row| row.children())
            .filter_map(ElementRef::wrap)
            .filter(|cell| cell.id() != el.id() && matches!(cell.value().name(), "td" | "th"))
            .any(|cell| cell.text().any(|t| !t.trim().is_empty()))
}

fn common_ancestor<'a>(doc: &'a Html, anchors: &[NodeId]) -> Option<ElementRef<'a>> {
    let chain = |id: NodeId| -> Vec<NodeId> {
        let Some(node) = doc.tree.get(id) else {
            return Vec::new();
        };
        let mut c: Vec<NodeId> = std::iter::once(node)
            .chain(node.ancestors())
            .map(|n| n.id())
            .collect();
        c.reverse();
        c
    };
    let mut shared: Option<Vec<NodeId>> = None;
    for &a in anchors {
        let c = chain(a);
        shared = Some(match shared {
            None => c,
            Some(s) => s
                .into_iter()
                .zip(c)
                .take_while(|(x, y)| x == y)
                .map(|(x, _)| x)
                .collect(),
        });
    }
    // The deepest shared node that is an element.
    shared?
        .into_iter()
        .rev()
        .find_map(|id| doc.tree.get(id).and_then(ElementRef::wrap))
}

/// A listing's region: its block, the anchors and their ancestors (never left out), and
/// the zones inside the block that are left out.
pub(crate) struct ListingRegion<'a> {
    pub root: ElementRef<'a>,
    keep: HashSet<NodeId>,
    left_out: HashSet<NodeId>,
}

impl<'a> ListingRegion<'a> {
    /// The region of `root` around `anchors`: one pass marks the zones left out.
    pub fn new(doc: &'a Html, root: ElementRef<'a>, anchors: &[NodeId]) -> Self {
        let mut keep = HashSet::new();
        for &a in anchors {
            if let Some(node) = doc.tree.get(a) {
                keep.insert(a);
                keep.extend(node.ancestors().map(|n| n.id()));
            }
        }
        let mut left_out = HashSet::new();
        // The walk skips what it leaves out, so each zone is judged once.
        let _ = visible_text_where(root, usize::MAX, false, |el| {
            let out = !keep.contains(&el.id()) && zone_of(el, true).is_some();
            if out {
                left_out.insert(el.id());
            }
            out
        });
        ListingRegion {
            root,
            keep,
            left_out,
        }
    }

    /// Whether `el` (inside the root) is the listing's own: not in a zone left out.
    pub fn owns(&self, el: ElementRef<'_>) -> bool {
        std::iter::once(el.id())
            .chain(el.ancestors().map(|a| a.id()))
            .take_while(|&id| id != self.root.id())
            .all(|id| !self.left_out.contains(&id))
            && !self.left_out.contains(&self.root.id())
    }

    /// Whether `el` is one of the anchors or holds one.
    pub fn holds_anchor(&self, el: ElementRef<'_>) -> bool {
        self.keep.contains(&el.id())
    }

    /// The listing's own elements, in document order (bounded).
    pub fn elements(&self) -> impl Iterator<Item = ElementRef<'a>> + '_ {
        self.root
            .descendants()
            .filter_map(ElementRef::wrap)
            .take(MAX_ELEMENTS)
            .filter(|e| self.owns(*e))
    }

    /// The listing's own text: the root without the zones left out, lines kept.
    pub fn text(&self) -> String {
        lines_of(&visible_text_where(
            self.root,
            MAX_REGION_TEXT,
            false,
            |el| self.left_out.contains(&el.id()),
        ))
    }
}

/// Whether `el` is `root` or inside it.
fn within(el: ElementRef<'_>, root: NodeId) -> bool {
    el.id() == root || el.ancestors().any(|a| a.id() == root)
}

/// The page's shop-wide text and reviews, outside the listings' blocks.
#[derive(Debug, Default)]
pub(crate) struct PageZones {
    /// Text of the shop's blocks (header, footer, contact and policy blocks), image alt
    /// text included, lines kept.
    pub shop_text: String,
    /// One entry per review or comment.
    pub reviews: Vec<String>,
}

impl PageZones {
    /// Reads the outermost shop zones and the innermost review zones of `doc` that hold no
    /// listing's block (`roots`) nor any listing's title, price or block (`anchors`). Zones
    /// inside a listing's block count: its words are judged as inside (a "payment" block
    /// there is the listing's).
    pub fn read(doc: &Html, roots: &[NodeId], anchors: &[NodeId]) -> Self {
        // Every element holding a listing's block or anchor, and the blocks themselves: one
        // pass up from each, so each element below is judged in time of its depth.
        let mut holders: HashSet<NodeId> = HashSet::new();
        for &id in roots.iter().chain(anchors) {
            if let Some(node) = doc.tree.get(id) {
                holders.insert(id);
                holders.extend(node.ancestors().map(|a| a.id()));
            }
        }
        let blocks: HashSet<NodeId> = roots.iter().copied().collect();
        let in_a_listing = |el: ElementRef<'_>| {
            std::iter::once(el.id())
                .chain(el.ancestors().map(|a| a.id()))
                .any(|id| blocks.contains(&id))
        };
        let mut shop: Vec<ElementRef<'_>> = Vec::new();
        let mut reviews: Vec<ElementRef<'_>> = Vec::new();
        for el in doc.root_element().descendants().take(MAX_ELEMENTS * 4) {
            let Some(el) = ElementRef::wrap(el) else {
                continue;
            };
            if holders.contains(&el.id()) || zone_of(el, false).is_none() {
                continue;
            }
            match zone_of(el, in_a_listing(el)) {
                Some(Zone::Shop) if !shop.iter().any(|s| within(el, s.id())) => {
                    shop.push(el);
                }
                Some(Zone::Reviews) if reviews.len() < MAX_ELEMENTS => {
                    // Innermost only: an item replaces the list that holds it.
                    reviews.retain(|r| !within(el, r.id()));
                    reviews.push(el);
                }
                _ => {}
            }
        }
        let mut shop_text = String::new();
        for s in shop {
            let room = MAX_REGION_TEXT.saturating_sub(shop_text.len());
            if room == 0 {
                break;
            }
            shop_text.push_str(&visible_text_where(s, room, true, |el| {
                el.id() != s.id()
                    && matches!(zone_of(el, false), Some(Zone::Nobody | Zone::Reviews))
            }));
            shop_text.push('\n');
        }
        PageZones {
            shop_text: lines_of(&shop_text),
            reviews: reviews
                .into_iter()
                .map(|r| element_text(r, MAX_REVIEW_BYTES))
                .filter(|t| !t.is_empty())
                .take(MAX_REVIEWS)
                .collect(),
        }
    }
}

/// Whether the node `inner` is `outer` or inside it.
fn within_id(doc: &Html, inner: NodeId, outer: NodeId) -> bool {
    doc.tree
        .get(inner)
        .is_some_and(|n| n.id() == outer || n.ancestors().any(|a| a.id() == outer))
}
