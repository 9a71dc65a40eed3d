//! The content snapshot: every Markdown file read, checked and rendered once,
//! then served from memory. Requests look pages up by key; they never touch disk.

mod assemble;
pub mod assets;
mod body;
mod build;
pub mod cards;
mod diagnostic;
pub mod disk;
pub mod fingerprint;
pub mod front_matter;
pub mod glossary;
mod index;
mod malloc;
mod memo;
pub mod packed;
mod parse;
mod read;
mod redirects;
pub mod related;
pub mod schedule;
pub mod search;
mod search_slot;
pub(crate) use search_slot::lower_priority;
mod store;

pub use body::Body;
pub use diagnostic::Diagnostic;
pub use disk::RenderCache;
pub use malloc::{limit_malloc_arenas, release_free_memory};
pub use packed::{Packed, Split};

use diagnostic::diag;
pub use fingerprint::{PageKey, FEED_LIMIT};
pub use read::{normalize_source, Sources, MAX_FILE_BYTES};

use build::page_updated;
use build::Built;
use index::PageIndex;
pub use store::{ContentStore, Pinned};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, NaiveDate, Utc};

use crate::markdown::{EmojiRenderer, Severity};
use crate::model::{Glossary, Page, Post, PostSummary, TagPosts, TermCard};

/// Loading failed before any file could be judged.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("content folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("content folder {0} is not a directory")]
    NotADirectory(PathBuf),
}

/// Settings that shape rendering.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub emoji: EmojiRenderer,
    /// The instant that decides which posts are published (see
    /// [`schedule`]); `None` is the time of the load. Tests pin it.
    pub now: Option<DateTime<Utc>>,
}

/// A post as held in the snapshot.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PostEntry {
    pub path: String,
    pub date: NaiveDate,
    /// When the post goes live: its `date` as an instant (UTC).
    pub publish_at: DateTime<Utc>,
    pub updated: Option<NaiveDate>,
    pub aliases: Vec<String>,
    /// Ids of the glossary terms the body links; their cards are added when
    /// the post is handed out ([`Site::post_page`]), so 10,000 posts do not
    /// each hold copies of the same definitions.
    pub term_ids: Vec<String>,
    /// The `series:` name (trimmed) and the file line it is set on.
    pub series: Option<(String, usize)>,
    /// The post; its `html` is empty here: see [`PostEntry::html`].
    pub post: Post,
    /// The body's Markdown, rendered on request (see `content/body.rs`).
    pub body: Body,
    /// The body's text as the page shows it, collected by the Markdown pass:
    /// what the search index reads, and shares (its beginning plain for
    /// snippets, the rest compressed).
    pub search_text: Split,
}

impl PostEntry {
    /// The body as HTML, rendered now unless recently rendered (see
    /// `content/body.rs`).
    pub fn html(&self) -> Arc<str> {
        self.body.html(&self.path)
    }
}

/// One immutable, fully rendered view of the content folder.
#[derive(Debug, Default)]
pub struct Site {
    /// Published posts, newest first.
    posts: Vec<PostEntry>,
    by_slug: HashMap<String, usize>,
    /// Tag → indexes into `posts`, newest first.
    tags: BTreeMap<String, Vec<usize>>,
    about: Option<Page>,
    /// The About page's text, for search (like [`PostEntry::search_text`]).
    about_text: String,
    glossary: Option<Glossary>,
    /// Each glossary term's definition text by term id: search reads it,
    /// and each term's card shows its start.
    term_texts: HashMap<String, String>,
    diagnostics: Vec<Diagnostic>,
    drafts: usize,
    /// Posts dated in the future, soonest first: not served until then.
    scheduled: Vec<schedule::Scheduled>,
    load_duration: Duration,
    /// Newest modification time among the files read: the site's Last-Modified.
    modified: Option<SystemTime>,
    /// Old URL → canonical path, for permanent redirects.
    redirects: HashMap<String, String>,
    /// When this snapshot was built.
    loaded_at: Option<SystemTime>,
    /// Built after the load (see `search_slot`).
    search: search_slot::SearchSlot,
    /// Renders the `/emoji` gallery with the same image URLs as the posts.
    emoji: EmojiRenderer,
    /// The glossary's cards by term id, shared by every post that links them.
    term_cards: HashMap<String, TermCard>,
    /// Built on first request: most snapshots are never asked for it.
    emoji_gallery: std::sync::OnceLock<crate::model::EmojiGallery>,
    /// Images in `images/` and beside page bundles, served by URL.
    assets: Arc<assets::Assets>,
    /// Which swap of the [`ContentStore`] this is (0 until stored).
    generation: u64,
    /// What each page is rendered from, hashed: the page cache's keys.
    fingerprints: fingerprint::Fingerprints,
    /// What each file was built from, for the next reload to reuse.
    memos: memo::Memos,
    /// Files taken from the previous snapshot instead of being rendered.
    reused: usize,
    /// Each post's related posts, kept for the next reload (see
    /// [`related::Picks`]).
    related: related::Picks,
    /// How long each step of the load took.
    phases: Phases,
}

/// How long each step of one load took, in order: logged with the load, so
/// a slow reload says where its time went.
#[derive(Debug, Default, Clone)]
pub struct Phases(Vec<(&'static str, Duration)>);

impl Phases {
    /// Records `name` as the time since `*since`, and restarts the clock.
    fn lap(&mut self, name: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.0.push((name, now - *since));
        *since = now;
    }

    /// `(step, milliseconds)`, in order.
    pub fn steps(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        self.0.iter().map(|(n, d)| (*n, d.as_secs_f64() * 1000.0))
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (name, ms)) in self.steps().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{name} {ms:.0} ms")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Post,
    About,
    Glossary,
}

impl Site {
    /// Reads and renders every file under `dir`. Broken files are reported in
    /// [`Site::diagnostics`] and left out; only an unreadable folder is an `Err`.
    pub fn load(dir: &Path, options: &LoadOptions) -> Result<Site, Error> {
        Site::reload(dir, options, None)
    }

    /// As [`Site::load`], reusing what `previous` (the snapshot being
    /// replaced, loaded with the same options) built from files whose inputs
    /// did not change (see `memo`).
    pub fn reload(
        dir: &Path,
        options: &LoadOptions,
        previous: Option<&Site>,
    ) -> Result<Site, Error> {
        let started = Instant::now();
        let sources = Sources::read(dir)?;
        let read = started.elapsed();
        let mut site = Site::build(sources, options, previous);
        site.phases.0.insert(0, ("read", read));
        site.load_duration = started.elapsed();
        Ok(site)
    }

    /// As [`Site::reload`], keeping the files read (for the watcher).
    pub fn load_with_sources(
        dir: &Path,
        options: &LoadOptions,
        previous: Option<&Site>,
    ) -> Result<(Site, Sources), Error> {
        Site::load_after(dir, options, previous, None)
    }

    /// As [`Site::load_with_sources`], reading again only the files that
    /// changed since `before` was read (see [`Sources::read_after`]).
    pub fn load_after(
        dir: &Path,
        options: &LoadOptions,
        previous: Option<&Site>,
        before: Option<&Sources>,
    ) -> Result<(Site, Sources), Error> {
        let started = Instant::now();
        let sources = Sources::read_after(dir, before)?;
        let read = started.elapsed();
        let mut site = Site::build(sources.clone(), options, previous);
        site.phases.0.insert(0, ("read", read));
        site.load_duration = started.elapsed();
        Ok((site, sources))
    }

    /// Renders files already read (see [`Sources`]), reusing what `previous`
    /// built from files whose inputs did not change.
    pub fn build(sources: Sources, options: &LoadOptions, previous: Option<&Site>) -> Site {
        let started = Instant::now();
        let modified = sources.files.iter().filter_map(|s| s.modified).max();
        let mut site = assemble::from_sources(
            sources.files,
            options,
            sources.diags,
            &sources.dir,
            previous,
        );
        // A post that went live changed the site even though no file did:
        // Last-Modified must move, or a client's If-Modified-Since gets a 304.
        let went_live = site
            .posts
            .iter()
            .map(|p| SystemTime::from(p.publish_at))
            .max();
        site.modified = modified.max(went_live);
        site.loaded_at = Some(SystemTime::now());
        let trim = Instant::now();
        release_free_memory();
        site.phases.lap("release memory", &mut trim.clone());
        site.load_duration = started.elapsed();
        site
    }

    pub fn posts(&self) -> impl ExactSizeIterator<Item = &PostEntry> {
        self.posts.iter()
    }

    /// Summaries of `take` posts from index `skip`, newest first: a page of
    /// the list clones only what it shows.
    pub fn post_summaries_page(&self, skip: usize, take: usize) -> Vec<PostSummary> {
        self.posts
            .iter()
            .skip(skip)
            .take(take)
            .map(|p| p.post.meta.clone())
            .collect()
    }

    /// A post's data as held: its `html` is empty (bodies are rendered on
    /// request: [`Site::post_page`], [`PostEntry::html`]).
    pub fn post(&self, slug: &str) -> Option<&Post> {
        self.by_slug.get(slug).map(|&i| &self.posts[i].post)
    }

    /// A post as its page shows it: with the cards of the glossary terms it links.
    pub fn post_page(&self, slug: &str) -> Option<Post> {
        let entry = &self.posts[*self.by_slug.get(slug)?];
        let mut post = entry.post.clone();
        post.html = entry.html().to_string();
        post.terms = entry
            .term_ids
            .iter()
            .filter_map(|id| self.term_cards.get(id).cloned())
            .collect();
        Some(post)
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.contains_key(tag)
    }

    /// Page `page` (1-based) of the posts tagged `tag`, `per_page` at a time;
    /// `None` for an unknown tag or a page past the last.
    pub fn tag(&self, tag: &str, page: u32, per_page: usize) -> Option<TagPosts> {
        let idx = self.tags.get(tag)?;
        let per_page = per_page.max(1);
        let total_pages = idx.len().div_ceil(per_page).max(1) as u32;
        if page == 0 || page > total_pages {
            return None;
        }
        Some(TagPosts {
            tag: tag.to_string(),
            posts: idx
                .iter()
                .skip((page as usize - 1) * per_page)
                .take(per_page)
                .map(|&i| self.posts[i].post.meta.clone())
                .collect(),
            page,
            total_pages,
            total_posts: idx.len(),
        })
    }

    /// How many list pages the posts tagged `tag` fill (0 for an unknown tag).
    pub fn tag_pages(&self, tag: &str, per_page: usize) -> u32 {
        self.tags
            .get(tag)
            .map_or(0, |idx| idx.len().div_ceil(per_page.max(1)).max(1) as u32)
    }

    /// Every tag with its post count, alphabetical.
    pub fn tag_counts(&self) -> Vec<(String, usize)> {
        self.tags
            .iter()
            .map(|(t, v)| (t.clone(), v.len()))
            .collect()
    }

    pub fn about(&self) -> Option<&Page> {
        self.about.as_ref()
    }

    pub fn glossary(&self) -> Option<&Glossary> {
        self.glossary.as_ref()
    }

    pub fn emoji_gallery(&self) -> &crate::model::EmojiGallery {
        self.emoji_gallery.get_or_init(|| self.emoji.gallery())
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn drafts(&self) -> usize {
        self.drafts
    }

    /// The content's images (see [`assets`]).
    pub fn assets(&self) -> &assets::Assets {
        &self.assets
    }

    /// What the social card of post `slug` shows; `None` for an unknown
    /// post or one with its own `image:`.
    pub fn card_text(&self, slug: &str) -> Option<cards::CardText> {
        let post = self.post(slug)?;
        if post.image.is_some() {
            return None;
        }
        // The date in the post's own language, like its page.
        let date = crate::i18n::Locale::from_lang(&post.lang).date(&post.meta.date);
        Some(cards::CardText {
            title: post.meta.title.clone(),
            date,
            site: crate::model::SITE_NAME.to_string(),
        })
    }

    /// The URL of every generated card, for a static export to write.
    pub fn card_urls(&self) -> Vec<String> {
        self.posts
            .iter()
            .filter(|e| e.post.image.is_none())
            .map(|e| cards::url(&e.post.meta.slug))
            .collect()
    }

    /// Posts held back until their date, soonest first.
    pub fn scheduled(&self) -> &[schedule::Scheduled] {
        &self.scheduled
    }

    /// When the next scheduled post is due, if any.
    pub fn next_publish(&self) -> Option<DateTime<Utc>> {
        self.scheduled.first().map(|s| s.at)
    }

    /// Files built into this snapshot (glossary aside), reused or rendered.
    pub fn files(&self) -> usize {
        self.memos.len()
    }

    /// Files this snapshot took from the one it replaced (see [`Site::reload`]).
    pub fn reused(&self) -> usize {
        self.reused
    }

    pub fn load_duration(&self) -> Duration {
        self.load_duration
    }

    /// How long each step of this snapshot's load took.
    pub fn phases(&self) -> &Phases {
        &self.phases
    }

    /// When this snapshot was built (`None` for an empty default site).
    pub fn loaded_at(&self) -> Option<SystemTime> {
        self.loaded_at
    }

    /// When the content last changed on disk (newest file), if known.
    pub fn modified(&self) -> Option<SystemTime> {
        self.modified
    }

    /// The store generation this snapshot was published as; a reload always
    /// gets a higher one. 0 for a site that was never stored.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The canonical path an old URL moved to.
    pub fn redirect(&self, path: &str) -> Option<&str> {
        self.redirects.get(path).map(String::as_str)
    }

    /// Every old URL and where it redirects, sorted by old URL: the static
    /// export writes the same table as `_redirects`.
    pub fn redirects(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self
            .redirects
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str()))
            .collect();
        all.sort_unstable();
        all
    }

    /// The newest date (updated or published) among posts carrying `tag`, or
    /// all posts for `None`.
    pub fn newest_date(&self, tag: Option<&str>) -> Option<NaiveDate> {
        let latest = |e: &PostEntry| e.updated.unwrap_or(e.date).max(e.date);
        match tag {
            None => self.posts.iter().map(latest).max(),
            Some(t) => self
                .tags
                .get(t)?
                .iter()
                .map(|&i| latest(&self.posts[i]))
                .max(),
        }
    }
}

#[cfg(test)]
mod tests;
