//! Fingerprints of what each page is rendered from.
//!
//! The page cache keys a stored page by its path *and* the fingerprint of its
//! inputs in the current snapshot, so a reload invalidates exactly the pages
//! whose inputs changed: editing one post changes that post's page and the
//! lists, tag pages, feeds and sitemap that show it, and nothing else.
//!
//! A fingerprint hashes the data a page's server function (or feed handler)
//! reads, not the file it came from: a post whose own file is untouched still
//! gets a new fingerprint when a neighbour's title or a linked glossary
//! definition changes. Over-invalidating is allowed (a page is rendered
//! again); missing an input is not, and `tests/page_cache.rs` checks every
//! kept page against a fresh render after an edit.
//!
//! Everything is computed once per snapshot, off the request path; a lookup
//! is one map access (a home-list page combines its ten summaries).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3Default;

use super::Site;

/// Newest posts in the Atom and RSS feeds (site-wide and per tag).
pub const FEED_LIMIT: usize = 50;

/// A cacheable page, as the page cache names it from a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKey<'a> {
    /// `/` is page 1, `/page/n` page n.
    List(u32),
    Post(&'a str),
    About,
    Glossary,
    Emoji,
    Tags,
    /// `/tags/{tag}` is page 1, `/tags/{tag}/page/n` page n.
    Tag(&'a str, u32),
    /// `/feed.xml` and `/rss.xml`: the same posts, two formats.
    Feed,
    TagFeed(&'a str),
    Sitemap,
}

/// xxh3 of anything `Hash`.
pub(super) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = Xxh3Default::new();
    value.hash(&mut h);
    h.finish()
}

/// Per-snapshot fingerprints (see the module doc).
#[derive(Debug, Default)]
pub struct Fingerprints {
    /// Per post, in `Site::posts` order: the whole post page (body, dates,
    /// neighbours, the cards of the terms it links).
    page: Vec<u64>,
    /// Per post: what a list shows of it.
    summary: Vec<u64>,
    /// Tag → (its list page, its feed).
    by_tag: HashMap<String, (u64, u64)>,
    tags: u64,
    feed: u64,
    sitemap: u64,
    about: Option<u64>,
    glossary: Option<u64>,
}

impl Fingerprints {
    pub(super) fn build(site: &Site) -> Fingerprints {
        let (page, summary): (Vec<u64>, Vec<u64>) = site
            .posts
            .par_iter()
            .map(|e| {
                let cards: Vec<_> = e
                    .term_ids
                    .iter()
                    .filter_map(|id| site.term_cards.get(id))
                    .collect();
                // The HTML is rendered on request: its key stands for it.
                let page = hash_of(&(&e.post, &cards, e.date, e.updated, e.body.key()));
                (page, hash_of(&e.post.meta))
            })
            .unzip();
        let feed_of = |idx: &mut dyn Iterator<Item = usize>| -> u64 {
            hash_of(&idx.take(FEED_LIMIT).map(|i| page[i]).collect::<Vec<_>>())
        };
        let by_tag = site
            .tags
            .iter()
            .map(|(tag, idx)| {
                let list = hash_of(&idx.iter().map(|&i| summary[i]).collect::<Vec<_>>());
                (tag.clone(), (list, feed_of(&mut idx.iter().copied())))
            })
            .collect();
        let tags = hash_of(&site.tag_counts());
        let feed = feed_of(&mut (0..site.posts.len()));
        let sitemap = hash_of(&(
            site.posts
                .iter()
                .zip(&summary)
                .map(|(e, s)| (*s, e.updated))
                .collect::<Vec<_>>(),
            site.about.as_ref().map(|p| &p.updated),
            site.glossary.as_ref().map(|g| &g.updated),
        ));
        Fingerprints {
            about: site.about.as_ref().map(hash_of),
            glossary: site.glossary.as_ref().map(hash_of),
            page,
            summary,
            by_tag,
            tags,
            feed,
            sitemap,
        }
    }
}

impl Site {
    /// The fingerprint of `page` in this snapshot, `None` when the page does
    /// not exist (unknown slug or tag, a list page past the end).
    /// `per_page` is the home list's page size.
    pub fn fingerprint(&self, page: PageKey<'_>, per_page: usize) -> Option<u64> {
        let f = &self.fingerprints;
        match page {
            PageKey::Post(slug) => self.by_slug.get(slug).map(|&i| f.page[i]),
            PageKey::List(n) => {
                let per_page = per_page.max(1);
                let total = self.posts.len().div_ceil(per_page).max(1);
                let n = n as usize;
                if n == 0 || n > total {
                    return None;
                }
                let from = (n - 1) * per_page;
                let shown =
                    &f.summary[from.min(f.summary.len())..(from + per_page).min(f.summary.len())];
                Some(hash_of(&(n, total, shown)))
            }
            PageKey::Tag(tag, n) => {
                // Every page of a tag changes with any of its posts'
                // summaries (over-invalidating a few pages is allowed).
                let total = self.tag_pages(tag, per_page);
                if n == 0 || n > total {
                    return None;
                }
                f.by_tag.get(tag).map(|t| hash_of(&(n, total, t.0)))
            }
            PageKey::TagFeed(tag) => f.by_tag.get(tag).map(|t| t.1),
            PageKey::Tags => Some(f.tags),
            PageKey::Feed => Some(f.feed),
            PageKey::Sitemap => Some(f.sitemap),
            PageKey::About => f.about,
            PageKey::Glossary => f.glossary,
            // Compiled in: the same for every snapshot of one process.
            PageKey::Emoji => Some(0),
        }
    }
}
