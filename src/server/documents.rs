//! Every document the site answers at a fixed URL, in one list: the sitemap's
//! pages plus what a sitemap does not list (search, feeds, the sitemap
//! itself, robots.txt, the content's images and the generated social cards).
//! The static export writes exactly these; the router serves them. Every
//! path is the route table's (`model::Route`).

use crate::content::Site;
use crate::model::{SearchResults, TagPosts};
pub use crate::model::{ATOM_FEED_PATH, ROBOTS_PATH, RSS_FEED_PATH, SITEMAP_PATH};

/// A path no route, redirect or file answers: asking for it gives the
/// not-found page, which the export writes as `404.html`.
pub const NOT_FOUND_PROBE: &str = "/_microblog/not-found";

/// What kind of document a path is, for the headers a static host sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// An HTML page, written as `path/index.html`.
    Page,
    /// A file with its own name (feeds, sitemap, robots.txt).
    File,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub path: String,
    pub kind: DocKind,
}

/// Every document of `site`, sitemap order first, then search, feeds,
/// sitemap, robots, images (page bundles' files included) and cards.
pub fn documents(site: &Site, posts_per_page: usize) -> Vec<Document> {
    let page = |path: String| Document {
        path,
        kind: DocKind::Page,
    };
    let file = |path: String| Document {
        path,
        kind: DocKind::File,
    };
    let mut out: Vec<Document> = super::feeds::sitemap_entries(site, posts_per_page)
        .into_iter()
        .map(|(path, _)| page(path))
        .collect();
    out.push(page(SearchResults::PATH.into()));
    out.push(file(ATOM_FEED_PATH.into()));
    out.push(file(RSS_FEED_PATH.into()));
    for (tag, _) in site.tag_counts() {
        out.push(file(TagPosts::feed_path(&tag)));
    }
    out.push(file(SITEMAP_PATH.into()));
    out.push(file(ROBOTS_PATH.into()));
    out.extend(site.assets().urls().into_iter().map(file));
    out.extend(site.card_urls().into_iter().map(file));
    out
}
