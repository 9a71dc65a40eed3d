//! Wire types shared by the server and the browser. Plain data, serde only.
//! Content types also derive `Hash`: the server's page cache keys each page
//! by a hash of the data it is rendered from (`content::fingerprint`).

use serde::{Deserialize, Serialize};

/// One entry of a post list (home, tag pages).
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    /// ISO `YYYY-MM-DD`, ready for `<time datetime>`.
    pub date: String,
    /// Human form, e.g. `12 March 2025`.
    pub date_display: String,
    /// Plain text (emoji already rendered as glyphs).
    pub summary: String,
    pub tags: Vec<String>,
    pub reading_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A full post: the rendered body is trusted HTML produced at load time.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct Post {
    pub meta: PostSummary,
    pub updated: Option<String>,
    pub lang: String,
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The glossary terms the text links to, for their hover cards.
    #[serde(default)]
    pub terms: Vec<TermCard>,
    pub words: usize,
    /// The next newer and next older post, as `(slug, title)`.
    pub newer: Option<(String, String)>,
    pub older: Option<(String, String)>,
    /// The series this post is a part of (front matter `series:`).
    #[serde(default)]
    pub series: Option<SeriesNav>,
    /// Up to three posts sharing the most tags and glossary terms.
    #[serde(default)]
    pub related: Vec<RelatedPost>,
    /// `author:` of the front matter; `None` means the site's author.
    #[serde(default)]
    pub author: Option<String>,
    /// Social-card image (`image:`): a site path or an absolute URL.
    #[serde(default)]
    pub image: Option<String>,
}

/// A post's series: every part in reading order and where this post is.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct SeriesNav {
    pub name: String,
    /// `(slug, title)` of each published part, first part first.
    pub parts: Vec<(String, String)>,
    /// 1-based position of this post in `parts`.
    pub position: usize,
}

/// A link to a related post.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct RelatedPost {
    pub slug: String,
    pub title: String,
    /// ISO `YYYY-MM-DD`.
    pub date: String,
    pub date_display: String,
}

/// What a post shows when a reader points at a linked glossary term.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct TermCard {
    pub id: String,
    pub term: String,
    /// Plain text, shortened.
    pub summary: String,
}

/// A standalone page such as About.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct Page {
    pub title: String,
    pub summary: String,
    pub lang: String,
    pub html: String,
    /// `updated`, else `date` of the front matter (`YYYY-MM-DD`), if given.
    pub updated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct GlossaryTerm {
    /// Stable anchor: `/glossary#<id>`.
    pub id: String,
    pub term: String,
    pub aliases: Vec<String>,
    pub definition_html: String,
    /// `(id, term)` of related terms.
    pub see_also: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct Glossary {
    pub title: String,
    /// `updated`, else `date` of the front matter (`YYYY-MM-DD`), if given.
    pub updated: Option<String>,
    pub summary: String,
    pub lang: String,
    pub intro_html: String,
    /// Sorted the way a reader of `lang` expects.
    pub terms: Vec<GlossaryTerm>,
}

/// Posts carrying one tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagPosts {
    pub tag: String,
    /// The posts of this page, newest first.
    pub posts: Vec<PostSummary>,
    /// 1-based.
    pub page: u32,
    pub total_pages: u32,
    /// Posts with this tag, on every page.
    pub total_posts: usize,
}

/// The page number in a `/page/:n` route parameter: no parameter is page 1;
/// only the canonical spelling of 2 or more is a page (`/page/1`, `/page/01`
/// and `/page/x` are not).
pub fn page_number(param: Option<&str>) -> Option<u32> {
    match param {
        None => Some(1),
        Some(n) => n
            .parse::<u32>()
            .ok()
            .filter(|p| p.to_string() == n && *p >= 2),
    }
}

/// Site-wide facts every page needs for its head tags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SiteInfo {
    /// Absolute base URL without a trailing `/` (from `SITE_URL`).
    pub url: String,
    pub description: String,
    /// The server watches `content/` and streams changes (author mode).
    #[serde(default)]
    pub live_reload: bool,
    /// The site-wide author (`SITE_AUTHOR`), for posts without `author:`.
    #[serde(default)]
    pub author: String,
}

impl SiteInfo {
    /// Absolute URL of a site path such as `/posts/x`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// Absolute URL of a site path, or an absolute URL as given.
    pub fn absolute_or_given(&self, url: &str) -> String {
        if url.starts_with('/') {
            self.absolute(url)
        } else {
            url.to_string()
        }
    }

    /// Who wrote `post`: its own `author:`, else the site's.
    pub fn author_of<'a>(&'a self, post: &'a Post) -> &'a str {
        post.author.as_deref().unwrap_or(&self.author)
    }
}

/// How the data layer pages its lists (`POSTS_PER_PAGE`): all it needs of
/// the site's configuration. The server provides it as leptos context to
/// every render and server function, so the data layer (`api`) depends on
/// this leaf module and never on the server's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub posts_per_page: usize,
}

/// One page of the home list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostListPage {
    pub posts: Vec<PostSummary>,
    /// 1-based.
    pub page: u32,
    pub total_pages: u32,
}

/// What the content watcher tells open pages (`/_microblog/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContentEvent {
    /// A new snapshot is live. `diagnostics` lists errors in files whose
    /// last good version is still served in their place (empty when clean).
    Reloaded {
        version: u64,
        #[serde(default)]
        diagnostics: Vec<String>,
    },
    /// A reload failed; the previous snapshot stays live.
    Failed {
        version: u64,
        /// `path:line:col: error: message`, one per problem.
        diagnostics: Vec<String>,
    },
}

/// Path of the server-sent events stream of [`ContentEvent`]s.
pub const EVENTS_PATH: &str = "/_microblog/events";

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// `post`, `glossary term` or `page`.
    pub kind: String,
    pub title: String,
    pub url: String,
    /// Text around the first match as `(text, is_match)` runs.
    pub snippet: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as searched (cut to the maximum length).
    pub query: String,
    pub hits: Vec<SearchHit>,
    /// Matches before the result limit.
    pub total: usize,
}

/// The reader's colour scheme, kept in `localStorage` and the `theme`
/// cookie, read only in the browser (`app::THEME_SCRIPT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const COOKIE: &'static str = "theme";

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Theme {
        match s.trim() {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The value of the `theme` cookie in a `Cookie:` header (read in the
    /// browser only: the server renders the same page for everyone).
    pub fn from_cookie_header(header: &str) -> Theme {
        header
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == Self::COOKIE)
            .map_or(Theme::System, |(_, v)| Theme::parse(v))
    }

    /// System → light → dark → system.
    pub fn next(self) -> Theme {
        match self {
            Theme::System => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "◐ Auto",
            Theme::Light => "☀ Light",
            Theme::Dark => "☾ Dark",
        }
    }
}

/// Every emoji shortcode the renderer knows, grouped for the `/emoji` page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EmojiGallery {
    pub groups: Vec<EmojiGroup>,
}

impl EmojiGallery {
    pub fn len(&self) -> usize {
        self.groups.iter().map(|g| g.items.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.items.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmojiGroup {
    /// Anchor on the page, e.g. `smileys-emotion`.
    pub id: String,
    pub name: String,
    pub items: Vec<EmojiItem>,
}

/// One emoji: a Unicode glyph, or an image for GitHub's custom ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmojiItem {
    /// All its names; the first is the one to copy.
    pub shortcodes: Vec<String>,
    /// Unicode CLDR name, or the shortcode for custom emoji.
    pub name: String,
    pub glyph: Option<String>,
    pub image: Option<String>,
}

// ---- The site's name, the route table and the paths of its pages --------

mod paths;
pub use paths::*;
