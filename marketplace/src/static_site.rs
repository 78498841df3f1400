//! Writes every page of every shop as static files, for web servers (nginx) in benchmarks.
//!
//! Layout: `DIR/<shop>/index.html`, `robots.txt`, `about.html`, `product/<id>-<slug>.html` or
//! `ad/<id>.html`, `cart/index.html`, `account/login`, and category pages as
//! `category/<slug>/page-<N>.html`. Pages link to `/category/<slug>?page=N` (the contract's
//! scheme); `nginx.conf` in `DIR` maps those with `try_files`.

use std::path::{Path, PathBuf};

use crate::error::MarketplaceError;
use crate::market::Marketplace;
use crate::render::{page_count, render};
use crate::state::listing_path;

/// What [`Marketplace::write_static`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticSummary {
    /// Files written (pages, robots.txt, nginx.conf).
    pub files: usize,
    pub bytes: u64,
    /// One folder per shop, in shop order.
    pub shop_dirs: Vec<PathBuf>,
}

/// nginx `location` block serving one shop's folder with the contract's URLs.
pub const NGINX_LOCATIONS: &str = "\
    # root DIR/<shop>;\n\
    charset off;\n\
    location = / { try_files /index.html =404; }\n\
    location /category/ { try_files $uri/page-$arg_page.html $uri/page-1.html =404; }\n\
    location /cart/ { try_files /cart/index.html =404; }\n\
    location / { try_files $uri =404; }\n";

impl Marketplace {
    /// Writes every page of every shop under `dir` (see the module docs for the layout).
    pub fn write_static(&self, dir: impl AsRef<Path>) -> Result<StaticSummary, MarketplaceError> {
        let dir = dir.as_ref();
        let state = &self.state;
        let mut summary = StaticSummary {
            files: 0,
            bytes: 0,
            shop_dirs: Vec::new(),
        };
        for (si, shop) in state.shops.iter().enumerate() {
            let root = dir.join(&shop.name);
            let mut pages: Vec<(String, String)> = vec![
                ("/".into(), "index.html".into()),
                ("/robots.txt".into(), "robots.txt".into()),
                ("/about.html".into(), "about.html".into()),
                ("/static/site.css".into(), "static/site.css".into()),
                ("/cart/".into(), "cart/index.html".into()),
                ("/account/login".into(), "account/login".into()),
            ];
            for (ci, cat) in shop.archetype.categories().iter().enumerate() {
                let n = state
                    .category_listings(si, u8::try_from(ci).unwrap_or(0))
                    .len();
                for p in 1..=page_count(n) {
                    pages.push((
                        format!("/category/{}?page={p}", cat.slug),
                        format!("category/{}/page-{p}.html", cat.slug),
                    ));
                }
            }
            for l in state
                .listings()
                .iter()
                .filter(|l| usize::from(l.shop) == si)
            {
                let path = listing_path(l, shop);
                let file = path.trim_start_matches('/').to_string();
                pages.push((path, file));
            }
            for (url, file) in pages {
                let (path, query) = crate::market::split_query(&url);
                let r = render(state, si, path, query);
                write(&root.join(&file), &r.body)?;
                summary.files += 1;
                summary.bytes += r.body.len() as u64;
            }
            summary.shop_dirs.push(root);
        }
        let conf = format!(
            "# Serve each shop folder on its own port with these locations.\n{NGINX_LOCATIONS}"
        );
        write(&dir.join("nginx.conf"), conf.as_bytes())?;
        summary.files += 1;
        Ok(summary)
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), MarketplaceError> {
    let io = |source| MarketplaceError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(path, bytes).map_err(io)
}
