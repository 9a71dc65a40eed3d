//! The route table and the URL builders: every URL shape the site answers,
//! written once.
//!
//! - The app's `<Route>`s (`app.rs`) are built from [`segment`]'s words.
//! - The server registers a handler for each [`Route`] the app does not
//!   render (`server::router`), the page cache and the metrics name a request
//!   by [`Route::template`] (`server::cache`), and the sitemap and every link
//!   are made by the builders below, which fill the table's patterns in.
//!
//! `tests/route_table.rs` fails when the app's routes and this table drift.

use const_format::concatcp;

use super::{EmojiGallery, Glossary, Page, Post, PostListPage, SearchResults, TagPosts};

/// The site's name: header, page titles, feeds, structured data.
pub const SITE_NAME: &str = "microblog";

/// The words of the site's paths and the names of their parameters.
pub mod segment {
    pub const PAGE: &str = "page";
    pub const POSTS: &str = "posts";
    pub const TAGS: &str = "tags";
    pub const ABOUT: &str = "about";
    pub const GLOSSARY: &str = "glossary";
    pub const EMOJI: &str = "emoji";
    pub const SEARCH: &str = "search";
    pub const FEED_XML: &str = "feed.xml";
    pub const RSS_XML: &str = "rss.xml";
    pub const SITEMAP_XML: &str = "sitemap.xml";
    pub const ROBOTS_TXT: &str = "robots.txt";
    pub const IMAGES: &str = "images";
    pub const CARDS: &str = "cards";

    /// A list page number (2 or more; page 1 has no number).
    pub const N: &str = "n";
    pub const SLUG: &str = "slug";
    pub const TAG: &str = "tag";
    /// A file name (a post bundle's file, a social card).
    pub const FILE: &str = "file";
    /// A path below `/images/`.
    pub const PATH: &str = "path";
}

use segment::*;

/// One segment of a route's pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// This word.
    Static(&'static str),
    /// One non-empty segment, named.
    Param(&'static str),
    /// The rest of the path (non-empty), named.
    Rest(&'static str),
}

/// What answers a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// A page of the app (`app.rs`).
    Page,
    /// A document the server builds (feeds, sitemap, robots.txt).
    Document,
    /// A file from the content (images, post bundles, social cards).
    File,
}

/// Every URL shape of the site. Two routes never match the same path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Home,
    ListPage,
    Post,
    About,
    Glossary,
    Emoji,
    Tags,
    Search,
    Tag,
    TagPage,
    AtomFeed,
    RssFeed,
    TagFeed,
    Sitemap,
    Robots,
    PostFile,
    Image,
    Card,
}

impl Route {
    /// Every route, in declaration order (`ALL[r as usize] == r`).
    pub const ALL: [Route; 18] = [
        Route::Home,
        Route::ListPage,
        Route::Post,
        Route::About,
        Route::Glossary,
        Route::Emoji,
        Route::Tags,
        Route::Search,
        Route::Tag,
        Route::TagPage,
        Route::AtomFeed,
        Route::RssFeed,
        Route::TagFeed,
        Route::Sitemap,
        Route::Robots,
        Route::PostFile,
        Route::Image,
        Route::Card,
    ];

    /// The route's pattern, segment by segment (`Home` has none: `/`).
    pub const fn segments(self) -> &'static [Segment] {
        use Segment::{Param, Rest, Static};
        match self {
            Route::Home => &[],
            Route::ListPage => &[Static(PAGE), Param(N)],
            Route::Post => &[Static(POSTS), Param(SLUG)],
            Route::About => &[Static(ABOUT)],
            Route::Glossary => &[Static(GLOSSARY)],
            Route::Emoji => &[Static(EMOJI)],
            Route::Tags => &[Static(TAGS)],
            Route::Search => &[Static(SEARCH)],
            Route::Tag => &[Static(TAGS), Param(TAG)],
            Route::TagPage => &[Static(TAGS), Param(TAG), Static(PAGE), Param(N)],
            Route::AtomFeed => &[Static(FEED_XML)],
            Route::RssFeed => &[Static(RSS_XML)],
            Route::TagFeed => &[Static(TAGS), Param(TAG), Static(FEED_XML)],
            Route::Sitemap => &[Static(SITEMAP_XML)],
            Route::Robots => &[Static(ROBOTS_TXT)],
            Route::PostFile => &[Static(POSTS), Param(SLUG), Rest(FILE)],
            Route::Image => &[Static(IMAGES), Rest(PATH)],
            Route::Card => &[Static(CARDS), Param(FILE)],
        }
    }

    pub const fn served_by(self) -> Served {
        match self {
            Route::Home
            | Route::ListPage
            | Route::Post
            | Route::About
            | Route::Glossary
            | Route::Emoji
            | Route::Tags
            | Route::Search
            | Route::Tag
            | Route::TagPage => Served::Page,
            Route::AtomFeed | Route::RssFeed | Route::TagFeed | Route::Sitemap | Route::Robots => {
                Served::Document
            }
            Route::PostFile | Route::Image | Route::Card => Served::File,
        }
    }

    /// The pattern in axum's syntax (`/posts/{slug}`, `/images/{*path}`):
    /// what the router registers and what `MatchedPath` reports, so also
    /// the page cache's and the metrics' name for the route.
    pub fn template(self) -> &'static str {
        static TEMPLATES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
            Route::ALL
                .iter()
                .map(|r| {
                    if r.segments().is_empty() {
                        return "/".to_string();
                    }
                    r.segments()
                        .iter()
                        .map(|s| match s {
                            Segment::Static(w) => format!("/{w}"),
                            Segment::Param(p) => format!("/{{{p}}}"),
                            Segment::Rest(p) => format!("/{{*{p}}}"),
                        })
                        .collect()
                })
                .collect()
        });
        &TEMPLATES[self as usize]
    }

    /// The path of this route with `params` filled in, in pattern order.
    /// A missing parameter is left empty (a builder below always gives
    /// them all).
    pub fn path(self, params: &[&str]) -> String {
        let segments = self.segments();
        if segments.is_empty() {
            return "/".to_string();
        }
        let mut values = params.iter();
        let mut out = String::new();
        for s in segments {
            out.push('/');
            match s {
                Segment::Static(w) => out.push_str(w),
                Segment::Param(_) | Segment::Rest(_) => {
                    out.push_str(values.next().copied().unwrap_or_default())
                }
            }
        }
        out
    }

    /// The route `path` matches and its parameters in pattern order (`""`
    /// past the last); `None` when no route does. The path is taken as sent
    /// (not percent-decoded).
    pub fn find(path: &str) -> Option<(Route, [&str; 2])> {
        Route::ALL
            .iter()
            .find_map(|r| r.matches(path).map(|params| (*r, params)))
    }

    /// This route's parameters in `path`, if it matches.
    pub fn matches(self, path: &str) -> Option<[&str; 2]> {
        // `None` once every segment of the path is taken.
        let mut left = Some(path.strip_prefix('/')?);
        let segments = self.segments();
        if segments.is_empty() {
            return (left == Some("")).then_some([""; 2]);
        }
        let mut params = [""; 2];
        let mut taken = 0;
        for s in segments {
            let rest = left?;
            let value = if let Segment::Rest(_) = s {
                left = None;
                rest
            } else {
                let (head, tail) = match rest.split_once('/') {
                    Some((head, tail)) => (head, Some(tail)),
                    None => (rest, None),
                };
                left = tail;
                head
            };
            match s {
                Segment::Static(w) if value != *w => return None,
                Segment::Static(_) => {}
                Segment::Param(_) | Segment::Rest(_) => {
                    if value.is_empty() {
                        return None;
                    }
                    *params.get_mut(taken)? = value;
                    taken += 1;
                }
            }
        }
        left.is_none().then_some(params)
    }
}

// ---- One builder per kind of page ------------------------------------------
//
// Next to the type the page shows: every link, canonical URL, feed entry and
// sitemap line is made here, from the table above.

impl PostListPage {
    /// The URL of list page `n`: page 1 is the home page.
    pub fn path(n: u32) -> String {
        if n <= 1 {
            Route::Home.path(&[])
        } else {
            Route::ListPage.path(&[&n.to_string()])
        }
    }
}

impl Post {
    /// The page of the post with this slug.
    pub fn path(slug: &str) -> String {
        Route::Post.path(&[slug])
    }
}

/// Site path of the generated social card of post `slug` (used when the
/// post has no `image:`).
pub fn card_path(slug: &str) -> String {
    Route::Card.path(&[&format!("{slug}.png")])
}

/// The slug a social-card path names: the inverse of [`card_path`], read off
/// its output so the shape is spelled once.
pub fn card_slug(path: &str) -> Option<&str> {
    let shape = card_path("\0");
    let (prefix, suffix) = shape.split_once('\0')?;
    path.strip_prefix(prefix)?.strip_suffix(suffix)
}

impl TagPosts {
    /// The URL of page `n` of a tag: page 1 is `/tags/<tag>`.
    pub fn path(tag: &str, n: u32) -> String {
        if n <= 1 {
            Route::Tag.path(&[tag])
        } else {
            Route::TagPage.path(&[tag, &n.to_string()])
        }
    }

    /// The Atom feed of one tag.
    pub fn feed_path(tag: &str) -> String {
        Route::TagFeed.path(&[tag])
    }
}

/// Every tag with its number of posts.
pub const TAGS_PATH: &str = concatcp!("/", TAGS);

impl Page {
    /// The About page (`content/about.md`).
    pub const ABOUT_PATH: &'static str = concatcp!("/", ABOUT);
}

impl Glossary {
    pub const PATH: &'static str = concatcp!("/", GLOSSARY);

    /// A term's entry on the glossary page.
    pub fn term_path(id: &str) -> String {
        format!("{}#{id}", Self::PATH)
    }
}

impl EmojiGallery {
    pub const PATH: &'static str = concatcp!("/", EMOJI);
}

impl SearchResults {
    /// The search page; the query is `?q=`.
    pub const PATH: &'static str = concatcp!("/", SEARCH);
}

/// The Atom feed of every post.
pub const ATOM_FEED_PATH: &str = concatcp!("/", FEED_XML);
/// The same posts as RSS 2.0.
pub const RSS_FEED_PATH: &str = concatcp!("/", RSS_XML);
pub const SITEMAP_PATH: &str = concatcp!("/", SITEMAP_XML);
pub const ROBOTS_PATH: &str = concatcp!("/", ROBOTS_TXT);

// Files of the site root (`public/`), served as they are (no route).

/// The site's icon (`public/favicon.svg`).
pub const FAVICON_PATH: &str = "/favicon.svg";
/// The site-wide social image (`public/social.png`).
pub const SOCIAL_IMAGE_PATH: &str = "/social.png";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_route_at_its_index() {
        for (i, r) in Route::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i, "{r:?}");
        }
    }

    #[test]
    fn templates_follow_the_segments() {
        assert_eq!(Route::Home.template(), "/");
        assert_eq!(Route::Post.template(), "/posts/{slug}");
        assert_eq!(Route::TagPage.template(), "/tags/{tag}/page/{n}");
        assert_eq!(Route::PostFile.template(), "/posts/{slug}/{*file}");
        assert_eq!(Route::Image.template(), "/images/{*path}");
    }

    /// Each route's own path (filled with sample values) is found as that
    /// route and no other: the table has no overlaps, and the builders and
    /// the matcher read the same patterns.
    #[test]
    fn every_route_finds_its_own_paths_only() {
        for r in Route::ALL {
            let path = r.path(&["x1", "2"]);
            assert_eq!(Route::find(&path).map(|(r, _)| r), Some(r), "{path}");
            let others: Vec<_> = Route::ALL
                .into_iter()
                .filter(|o| *o != r && o.matches(&path).is_some())
                .collect();
            assert!(others.is_empty(), "{path} also matches {others:?}");
        }
    }

    #[test]
    fn find_takes_parameters_and_refuses_other_shapes() {
        assert_eq!(Route::find("/"), Some((Route::Home, ["", ""])));
        assert_eq!(
            Route::find("/tags/rust/page/3"),
            Some((Route::TagPage, ["rust", "3"]))
        );
        assert_eq!(
            Route::find("/posts/a/b/c.png"),
            Some((Route::PostFile, ["a", "b/c.png"]))
        );
        for none in [
            "", "posts", "/posts/", "/tags/", "/about/", "/page", "//", "/x",
        ] {
            assert_eq!(Route::find(none), None, "{none}");
        }
    }

    #[test]
    fn builders_and_consts_are_the_table_filled_in() {
        assert_eq!(PostListPage::path(1), "/");
        assert_eq!(PostListPage::path(3), "/page/3");
        assert_eq!(Post::path("k8s"), "/posts/k8s");
        assert_eq!(TagPosts::path("rust", 1), "/tags/rust");
        assert_eq!(TagPosts::path("rust", 2), "/tags/rust/page/2");
        assert_eq!(TagPosts::feed_path("rust"), "/tags/rust/feed.xml");
        assert_eq!(card_path("k8s"), "/cards/k8s.png");
        for (constant, route) in [
            (TAGS_PATH, Route::Tags),
            (Page::ABOUT_PATH, Route::About),
            (Glossary::PATH, Route::Glossary),
            (EmojiGallery::PATH, Route::Emoji),
            (SearchResults::PATH, Route::Search),
            (ATOM_FEED_PATH, Route::AtomFeed),
            (RSS_FEED_PATH, Route::RssFeed),
            (SITEMAP_PATH, Route::Sitemap),
            (ROBOTS_PATH, Route::Robots),
        ] {
            assert_eq!(constant, route.path(&[]), "{route:?}");
            assert_eq!(constant, route.template(), "{route:?}");
        }
    }
}
