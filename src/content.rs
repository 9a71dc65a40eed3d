//! The content snapshot: every Markdown file read, checked and rendered once,
//! then served from memory. Requests look pages up by key; they never touch disk.

pub mod assets;
pub mod cards;
pub mod front_matter;
pub mod glossary;
pub mod related;
pub mod schedule;
pub mod search;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;

use crate::markdown::{self, EmojiRenderer, RefResolver, RenderContext, ResolveError, Severity};
use crate::model::{Glossary, Page, Post, PostSummary, TagPosts, TermCard};
use front_matter::{FrontMatter, Split};

/// A content problem with the file and position it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Content-relative path, `/`-separated (e.g. `posts/netlify.md`).
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Messages quote content (a slug, a tag, a ref target): keep each
        // diagnostic on one line in logs and `check` output.
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            crate::escape::log_text(&self.path),
            self.line,
            self.col,
            crate::escape::log_text(&self.message)
        )
    }
}

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
#[derive(Debug, Clone)]
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
    pub post: Post,
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
    glossary: Option<Glossary>,
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
    search: search::SearchIndex,
    /// Renders the `/emoji` gallery with the same image URLs as the posts.
    emoji: EmojiRenderer,
    /// The glossary's cards by term id, shared by every post that links them.
    term_cards: HashMap<String, TermCard>,
    /// Built on first request: most snapshots are never asked for it.
    emoji_gallery: std::sync::OnceLock<crate::model::EmojiGallery>,
    /// Images in `images/` and beside page bundles, served by URL.
    assets: assets::Assets,
    /// Which swap of the [`ContentStore`] this is (0 until stored): the page
    /// cache keys on it, so a reload invalidates every cached page at once.
    generation: u64,
}

/// A file as read from disk, before rendering.
#[derive(Clone)]
struct Source {
    path: String,
    text: String,
    modified: Option<SystemTime>,
}

/// The content files of one load, as read from disk: what [`Site::build`]
/// renders. The watcher keeps the text of each file from the last published
/// load, to put it back in place of a file that is broken now.
#[derive(Clone)]
pub struct Sources {
    /// The content folder (images and page-bundle files are found there).
    dir: PathBuf,
    files: Vec<Source>,
    /// Problems met while reading (unreadable files, symlinks, …).
    diags: Vec<Diagnostic>,
}

impl Sources {
    /// Reads `posts/**/*.md`, `about.md` and `glossary.md` under `dir`.
    pub fn read(dir: &Path) -> Result<Sources, Error> {
        let mut diags = Vec::new();
        let files = read_sources(dir, &mut diags)?;
        Ok(Sources {
            dir: dir.to_path_buf(),
            files,
            diags,
        })
    }

    /// `(path, text)` of every file read.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
    }

    /// Uses `text` for the file at `path` instead of what is on disk; false
    /// when no such file was read (deleted files are not brought back).
    pub fn substitute(&mut self, path: &str, text: &str) -> bool {
        match self.files.iter_mut().find(|f| f.path == path) {
            Some(f) if f.text != text => {
                f.text = text.to_string();
                true
            }
            _ => false,
        }
    }
}

/// Front matter parsed, body not yet rendered.
struct Parsed {
    path: String,
    kind: Kind,
    fm: FrontMatter,
    body: String,
    body_line_offset: usize,
    split_front: String,
    split_format: front_matter::Format,
}

/// What one file became.
enum Built {
    Post(Box<PostEntry>),
    Draft,
    About(Page),
    Nothing,
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
        let started = Instant::now();
        let sources = Sources::read(dir)?;
        let mut site = Site::build(sources, options);
        site.load_duration = started.elapsed();
        Ok(site)
    }

    /// As [`Site::load`], keeping the files read (for the watcher).
    pub fn load_with_sources(dir: &Path, options: &LoadOptions) -> Result<(Site, Sources), Error> {
        let started = Instant::now();
        let sources = Sources::read(dir)?;
        let mut site = Site::build(sources.clone(), options);
        site.load_duration = started.elapsed();
        Ok((site, sources))
    }

    /// Renders files already read (see [`Sources`]).
    pub fn build(sources: Sources, options: &LoadOptions) -> Site {
        let started = Instant::now();
        let modified = sources.files.iter().filter_map(|s| s.modified).max();
        let mut site = Site::from_sources(sources.files, options, sources.diags, &sources.dir);
        // A post that went live changed the site even though no file did:
        // Last-Modified must move, or a client's If-Modified-Since gets a 304.
        let went_live = site
            .posts
            .iter()
            .map(|p| SystemTime::from(p.publish_at))
            .max();
        site.modified = modified.max(went_live);
        site.loaded_at = Some(SystemTime::now());
        site.load_duration = started.elapsed();
        release_free_memory();
        site
    }

    fn from_sources(
        sources: Vec<Source>,
        options: &LoadOptions,
        mut diags: Vec<Diagnostic>,
        dir: &Path,
    ) -> Site {
        let mut parsed = Vec::new();
        let mut unparsed = Vec::new();
        for source in sources {
            let path = source.path.clone();
            match parse_source(source, &mut diags) {
                Some(p) => parsed.push(p),
                None => unparsed.push(path),
            }
        }
        let index = PageIndex::build(&parsed, &unparsed, &mut diags);
        // Page bundles: `posts/<folder>/index.md` owns the files beside it.
        let bundles: Vec<(String, String)> = parsed
            .iter()
            .filter(|p| p.kind == Kind::Post && p.path.ends_with("/index.md"))
            .filter_map(|p| {
                let folder = p.path.strip_suffix("/index.md")?;
                Some((folder.to_string(), p.url()))
            })
            .collect();
        let assets = assets::Assets::collect(dir, &bundles);

        // The glossary first: posts link the first mention of each term to it.
        let mut site = Site::default();
        if let Some(p) = parsed.iter().find(|p| p.kind == Kind::Glossary) {
            let ctx = RenderContext {
                path: &p.path,
                emoji: &options.emoji,
                resolver: &index,
                terms: None,
                images: Some(&assets),
            };
            let mut g = glossary::build(
                &p.path,
                &p.fm,
                &p.body,
                p.body_line_offset,
                &ctx,
                &mut diags,
            );
            g.updated = page_updated(p, &mut diags);
            site.glossary = Some(g);
        }
        let linker = site.glossary.as_ref().map(glossary::term_linker);
        site.term_cards = site
            .glossary
            .as_ref()
            .map(glossary::term_cards)
            .unwrap_or_default();

        // Rendering is the expensive part and each file is independent: spread
        // it over the cores, then merge in file order so output is stable.
        let built: Vec<(Built, Vec<Diagnostic>)> = parsed
            .par_iter()
            .filter(|p| p.kind != Kind::Glossary)
            .map(|p| {
                let mut found = Vec::new();
                let ctx = RenderContext {
                    path: &p.path,
                    emoji: &options.emoji,
                    resolver: &index,
                    terms: linker.as_ref().filter(|_| p.kind == Kind::Post),
                    images: Some(&assets),
                };
                let built = match p.kind {
                    Kind::Post => match build_post(p, &ctx, &index, &mut found) {
                        Some(_) if p.fm.draft => Built::Draft,
                        Some(entry) => Built::Post(Box::new(entry)),
                        None => Built::Nothing,
                    },
                    Kind::About => Built::About(build_page(p, &ctx, &mut found)),
                    Kind::Glossary => Built::Nothing,
                };
                (built, found)
            })
            .collect();

        site.emoji = options.emoji.clone();
        site.assets = assets;
        let mut posts = Vec::new();
        for (built, found) in built {
            diags.extend(found);
            match built {
                Built::Post(entry) => posts.push(*entry),
                Built::Draft => site.drafts += 1,
                Built::About(page) => site.about = Some(page),
                Built::Nothing => {}
            }
        }
        let now = options.now.unwrap_or_else(Utc::now);
        let (mut posts, scheduled) = schedule::split(posts, now);
        site.scheduled = scheduled;
        // Newest first; same-day posts in a stable, readable order.
        posts.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| a.post.meta.title.cmp(&b.post.meta.title))
        });
        for (i, entry) in posts.iter().enumerate() {
            site.by_slug.insert(entry.post.meta.slug.clone(), i);
            for tag in &entry.post.meta.tags {
                site.tags.entry(tag.clone()).or_default().push(i);
            }
        }
        // Neighbours in reading order, for the links under each post.
        let links: Vec<(String, String)> = posts
            .iter()
            .map(|e| (e.post.meta.slug.clone(), e.post.meta.title.clone()))
            .collect();
        for (i, entry) in posts.iter_mut().enumerate() {
            entry.post.newer = i.checked_sub(1).map(|j| links[j].clone());
            entry.post.older = links.get(i + 1).cloned();
        }
        related::attach_series(&mut posts, &mut diags);
        related::attach_related(&mut posts);
        site.posts = posts;
        site.redirects = build_redirects(&parsed, &site);
        site.search = build_search(&site);
        diags.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        site.diagnostics = diags;
        site
    }

    pub fn posts(&self) -> impl ExactSizeIterator<Item = &PostEntry> {
        self.posts.iter()
    }

    pub fn post_summaries(&self) -> Vec<PostSummary> {
        self.posts.iter().map(|p| p.post.meta.clone()).collect()
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

    pub fn post(&self, slug: &str) -> Option<&Post> {
        self.by_slug.get(slug).map(|&i| &self.posts[i].post)
    }

    /// A post as its page shows it: with the cards of the glossary terms it links.
    pub fn post_page(&self, slug: &str) -> Option<Post> {
        let entry = &self.posts[*self.by_slug.get(slug)?];
        let mut post = entry.post.clone();
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

    /// The social card of post `slug` (PNG), drawn on first use and cached;
    /// `None` for an unknown post or one with its own `image:`.
    pub fn card(&self, slug: &str) -> Option<Result<Arc<Vec<u8>>, cards::CardError>> {
        let post = self.post(slug)?;
        if post.image.is_some() {
            return None;
        }
        // The date in the post's own language, like its page.
        let date = crate::i18n::Locale::from_lang(&post.lang).date(&post.meta.date);
        Some(cards::cached(
            &post.meta.title,
            &date,
            crate::app::SITE_NAME,
        ))
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

    pub fn load_duration(&self) -> Duration {
        self.load_duration
    }

    /// The search index (the static export writes it out in pieces).
    pub fn search_index(&self) -> &search::SearchIndex {
        &self.search
    }

    pub fn search(&self, query: &str) -> crate::model::SearchResults {
        self.search.search(query)
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

/// Hands memory freed after a load (file texts, parse trees, per-thread
/// buffers: several times the size of the site) back to the OS. glibc keeps it
/// in its arenas otherwise, and the process would hold its peak for good.
// `unsafe_code` is denied crate-wide (Cargo.toml `[lints]`): allowed here
// for one C function that no crate we use wraps safely.
#[allow(unsafe_code)]
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; no pointer of
    // ours is involved and it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Posts, glossary terms and the About page, as plain text.
fn build_search(site: &Site) -> search::SearchIndex {
    use search::{html_text, Entry, Kind};
    let posts = site.posts.iter().map(|e| Entry {
        kind: Kind::Post,
        title: &e.post.meta.title,
        url: format!("/posts/{}", e.post.meta.slug),
        date: Some(e.date),
        tags: &e.post.meta.tags,
        body: html_text(&e.post.html),
    });
    let terms = site.glossary.iter().flat_map(|g| {
        g.terms.iter().map(|t| Entry {
            kind: Kind::Term,
            title: &t.term,
            url: format!("/glossary#{}", t.id),
            date: None,
            tags: &t.aliases,
            body: html_text(&t.definition_html),
        })
    });
    let pages = site.about.iter().map(|p| Entry {
        kind: Kind::Page,
        title: &p.title,
        url: "/about".to_string(),
        date: None,
        tags: &[],
        body: html_text(&p.html),
    });
    search::SearchIndex::build(posts.chain(terms).chain(pages))
}

/// Old URLs that answer with a permanent redirect: the old Pelican/Hugo shapes
/// (`/<slug>.html`, `/posts/<slug>.html`, `/<slug>/`), trailing slashes, and
/// each page's `aliases`. An alias never shadows a real page.
fn build_redirects(parsed: &[Parsed], site: &Site) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut add = |from: String, to: &str| {
        if from != to {
            map.entry(from).or_insert_with(|| to.to_string());
        }
    };
    add("/index.html".into(), "/");
    add("/page/1".into(), "/");
    add("/tags/".into(), "/tags");
    for tag in site.tags.keys() {
        let url = TagPosts::path(tag, 1);
        add(format!("{url}/"), &url);
        add(format!("{url}/page/1"), &url);
    }
    for entry in &site.posts {
        let slug = &entry.post.meta.slug;
        let url = format!("/posts/{slug}");
        for old in [
            format!("/{slug}.html"),
            format!("/posts/{slug}.html"),
            format!("/{slug}/"),
            format!("/posts/{slug}/"),
        ] {
            add(old, &url);
        }
    }
    for (page, present) in [
        ("about", site.about.is_some()),
        ("glossary", site.glossary.is_some()),
    ] {
        if present {
            let url = format!("/{page}");
            add(format!("/{page}/"), &url);
            add(format!("/{page}.html"), &url);
        }
    }
    let published: HashMap<&str, String> = parsed
        .iter()
        .filter(|p| !p.fm.draft)
        .map(|p| (p.path.as_str(), p.url()))
        .collect();
    let canonical: std::collections::HashSet<String> = published.values().cloned().collect();
    for p in parsed {
        let Some(url) = published.get(p.path.as_str()) else {
            continue;
        };
        if p.kind == Kind::Post && site.post(&p.slug()).is_none() {
            continue;
        }
        for alias in &p.fm.aliases {
            let alias = format!("/{}", alias.trim().trim_start_matches('/'));
            if !canonical.contains(&alias) {
                add(alias, url);
            }
        }
    }
    map
}

/// The current snapshot, shared by every request; a reload swaps it whole.
#[derive(Clone)]
pub struct ContentStore {
    site: Arc<ArcSwap<Site>>,
}

/// Source of snapshot generations, process-wide so that two stores (tests
/// build many) never hand out the same number.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl ContentStore {
    pub fn new(mut site: Site) -> Self {
        site.generation = next_generation();
        ContentStore {
            site: Arc::new(ArcSwap::from_pointee(site)),
        }
    }

    /// The snapshot at this instant; holding it keeps it alive across a reload.
    pub fn snapshot(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// The generation of the current snapshot, without taking a reference.
    pub fn generation(&self) -> u64 {
        self.site.load().generation
    }

    /// Publishes `site` with a new generation; readers switch atomically.
    pub fn replace(&self, mut site: Site) {
        site.generation = next_generation();
        self.site.store(Arc::new(site));
    }
}

fn diag(
    path: &str,
    line: usize,
    col: usize,
    severity: Severity,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        path: path.to_string(),
        line,
        col,
        severity,
        message: message.into(),
    }
}

/// Largest content file read (a post is text; anything bigger is a mistake
/// that would cost memory on every reload).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Collects `posts/**/*.md`, `about.md` and `glossary.md`. Symlinks are not
/// followed, so nothing outside the folder is ever read.
fn read_sources(dir: &Path, diags: &mut Vec<Diagnostic>) -> Result<Vec<Source>, Error> {
    let meta = std::fs::metadata(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory(dir.to_path_buf()));
    }
    let mut files = Vec::new();
    for name in ["about.md", "glossary.md"] {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            files.push((name.to_string(), path));
        }
    }
    collect_posts(dir, &dir.join("posts"), &mut files, diags);
    files.sort();

    let mut sources = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let modified = match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    "symbolic link not followed",
                ));
                continue;
            }
            // A FIFO or device would block the load or never end.
            Ok(m) if !m.is_file() => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    "not a regular file: skipped",
                ));
                continue;
            }
            Ok(m) if m.len() > MAX_FILE_BYTES => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    format!(
                        "file is {} bytes, over the limit of {MAX_FILE_BYTES}: skipped",
                        m.len()
                    ),
                ));
                continue;
            }
            Ok(m) => m.modified().ok(),
            Err(e) => {
                diags.push(diag(
                    &rel,
                    1,
                    1,
                    Severity::Error,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push(Source {
                    path: rel,
                    text,
                    modified,
                }),
                Err(e) => {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
                    let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                    // `valid` is UTF-8 up to here, so this counts characters.
                    let col = String::from_utf8_lossy(&valid[line_start..])
                        .chars()
                        .count()
                        + 1;
                    diags.push(diag(
                        &rel,
                        line,
                        col,
                        Severity::Error,
                        "file is not valid UTF-8",
                    ));
                }
            },
            Err(e) => diags.push(diag(
                &rel,
                1,
                1,
                Severity::Error,
                format!("cannot read: {e}"),
            )),
        }
    }
    Ok(sources)
}

fn collect_posts(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        // `file_type` does not follow links: a linked folder is never entered,
        // and a linked `.md` file is reported when it is opened.
        if file_type.is_dir() {
            collect_posts(root, &path, files, diags);
        } else if file_type.is_symlink() && path.is_dir() {
            diags.push(diag(
                &rel,
                1,
                1,
                Severity::Warning,
                "symbolic link to a folder not followed",
            ));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push((rel, path));
        }
    }
}

/// A file's text as the pipeline sees it: without a UTF-8 byte-order mark,
/// with `\r\n` and lone `\r` line endings turned into `\n`.
pub fn normalize_source(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

fn parse_source(source: Source, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    let kind = match source.path.as_str() {
        "about.md" => Kind::About,
        "glossary.md" => Kind::Glossary,
        _ => Kind::Post,
    };
    let text = normalize_source(&source.text);
    let fail = |diags: &mut Vec<Diagnostic>, e: front_matter::FrontMatterError| {
        diags.push(diag(
            &source.path,
            e.line,
            e.col,
            Severity::Error,
            e.message,
        ));
    };
    let split: Split<'_> = match front_matter::split(&text) {
        Ok(s) => s,
        Err(e) => {
            fail(diags, e);
            return None;
        }
    };
    let fm = match front_matter::parse(&split) {
        Ok(fm) => fm,
        Err(e) => {
            fail(diags, e);
            return None;
        }
    };
    match &fm.title {
        Some(t) if !t.trim().is_empty() => {}
        _ => {
            diags.push(diag(
                &source.path,
                1,
                1,
                Severity::Error,
                "missing required field `title`",
            ));
            return None;
        }
    }
    Some(Parsed {
        kind,
        fm,
        body: split.body.to_string(),
        body_line_offset: split.body_line_offset,
        split_front: split.front.to_string(),
        split_format: split.format,
        path: source.path,
    })
}

impl Parsed {
    fn key_line(&self, key: &str) -> usize {
        let split = Split {
            format: self.split_format,
            front: &self.split_front,
            front_line: 2,
            body: "",
            body_line_offset: self.body_line_offset,
        };
        front_matter::key_line(&split, key)
    }

    fn slug(&self) -> String {
        self.fm.slug.clone().unwrap_or_else(|| {
            // A page bundle (`posts/<folder>/index.md`) is named by its folder.
            let path = self.path.strip_suffix("/index.md").unwrap_or(&self.path);
            let stem = path.rsplit('/').next().unwrap_or(path);
            stem.trim_end_matches(".md").to_string()
        })
    }

    fn url(&self) -> String {
        match self.kind {
            Kind::Post => format!("/posts/{}", self.slug()),
            Kind::About => "/about".to_string(),
            Kind::Glossary => "/glossary".to_string(),
        }
    }
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Page lookup for `{{< ref >}}`: by path relative to the referring file, else
/// by unique file name or old URL (alias), the way Hugo finds pages.
struct PageIndex {
    by_path: HashMap<String, String>,
    by_name: HashMap<String, Vec<(String, String)>>,
    /// Files whose front matter could not be read, by path and by name, with
    /// the address their file name gives them. They already have their own
    /// error; a reference to one is not reported again (one error per cause).
    unparsed_by_path: HashMap<String, String>,
    unparsed_by_name: HashMap<String, Vec<String>>,
}

fn stem_of(path: &str) -> String {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let stem = last
        .strip_suffix(".md")
        .or_else(|| last.strip_suffix(".html"))
        .unwrap_or(last);
    stem.to_lowercase()
}

impl PageIndex {
    fn build(parsed: &[Parsed], unparsed: &[String], diags: &mut Vec<Diagnostic>) -> PageIndex {
        let mut index = PageIndex {
            by_path: HashMap::new(),
            by_name: HashMap::new(),
            unparsed_by_path: HashMap::new(),
            unparsed_by_name: HashMap::new(),
        };
        for path in unparsed {
            let url = match path.as_str() {
                "about.md" => "/about".to_string(),
                "glossary.md" => "/glossary".to_string(),
                _ => format!("/posts/{}", stem_of(path)),
            };
            index
                .unparsed_by_name
                .entry(stem_of(path))
                .or_default()
                .push(url.clone());
            index.unparsed_by_path.insert(path.clone(), url);
        }
        let mut slugs: HashMap<String, &str> = HashMap::new();
        for p in parsed.iter().filter(|p| !p.fm.draft) {
            if p.kind == Kind::Post {
                let slug = p.slug();
                if let Some(first) = slugs.get(&slug) {
                    diags.push(diag(
                        &p.path,
                        p.key_line("slug"),
                        1,
                        Severity::Error,
                        format!("duplicate slug `{slug}`: also used by {first}"),
                    ));
                    continue;
                }
                slugs.insert(slug, &p.path);
            }
            let url = p.url();
            index.by_path.insert(p.path.clone(), url.clone());
            // A page is one candidate for each name it answers to, however
            // many of its aliases share that name (`netlify.md` with the alias
            // `/netlify.html`): a set, not `dedup`, which only drops neighbours.
            let mut names = vec![stem_of(&p.path)];
            names.extend(p.fm.aliases.iter().map(|a| stem_of(a)));
            names.sort_unstable();
            names.dedup();
            for name in names {
                index
                    .by_name
                    .entry(name)
                    .or_default()
                    .push((p.path.clone(), url.clone()));
            }
        }
        index
    }

    fn contains_path(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }
}

impl RefResolver for PageIndex {
    fn resolve(&self, from: &str, target: &str) -> Result<String, ResolveError> {
        let joined = markdown::refs::join_relative(from, target);
        if let Some(url) = joined.as_ref().and_then(|p| self.by_path.get(p)) {
            return Ok(url.clone());
        }
        let name = stem_of(target);
        match self.by_name.get(&name).map(Vec::as_slice) {
            Some([(_, url)]) => return Ok(url.clone()),
            Some(many) if !many.is_empty() => {
                return Err(ResolveError::Ambiguous {
                    target: target.to_string(),
                    candidates: many.iter().map(|(p, _)| p.clone()).collect(),
                })
            }
            _ => {}
        }
        // A page that exists but whose front matter is broken: its own error
        // says so; link to the address its file name gives it.
        let unparsed = joined
            .as_ref()
            .and_then(|p| self.unparsed_by_path.get(p))
            .or_else(
                || match self.unparsed_by_name.get(&name).map(Vec::as_slice) {
                    Some([url]) => Some(url),
                    _ => None,
                },
            );
        match unparsed {
            Some(url) => Ok(url.clone()),
            None if joined.is_none() => Err(ResolveError::EscapesRoot(target.to_string())),
            None => Err(ResolveError::NotFound(target.to_string())),
        }
    }
}

/// Positions from the renderer are relative to the body; make them file lines.
fn push_render_diags(
    path: &str,
    offset: usize,
    found: Vec<markdown::Diagnostic>,
    diags: &mut Vec<Diagnostic>,
) {
    diags.extend(
        found
            .into_iter()
            .map(|d| diag(path, d.line + offset, d.col, d.severity, d.message)),
    );
}

/// Front-matter text fields may use shortcodes too; shown as plain text.
fn plain_text(emoji: &EmojiRenderer, s: &str) -> String {
    emoji.replace(s).plain
}

const SUMMARY_MAX_CHARS: usize = 280;

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => {
            let cut = s[..i].rfind(' ').unwrap_or(i);
            format!("{}…", s[..cut].trim_end_matches([',', '.', ';', ':']))
        }
        None => s.to_string(),
    }
}

fn build_post(
    p: &Parsed,
    ctx: &RenderContext<'_>,
    index: &PageIndex,
    diags: &mut Vec<Diagnostic>,
) -> Option<PostEntry> {
    let slug = p.slug();
    if !valid_slug(&slug) {
        diags.push(diag(
            &p.path,
            p.key_line("slug"),
            1,
            Severity::Error,
            format!("invalid slug `{slug}`: use lower-case letters, digits, `-` and `_` only"),
        ));
        return None;
    }
    if !p.fm.draft && !index.contains_path(&p.path) {
        // Rejected as a duplicate while indexing; already reported.
        return None;
    }
    let Some(raw_date) = &p.fm.date else {
        diags.push(diag(
            &p.path,
            1,
            1,
            Severity::Error,
            "missing required field `date`",
        ));
        return None;
    };
    let (date, publish_at) = match raw_date.parse().and_then(|d| Ok((d, raw_date.instant()?))) {
        Ok(d) => d,
        Err(msg) => {
            diags.push(diag(&p.path, p.key_line("date"), 1, Severity::Error, msg));
            return None;
        }
    };
    let updated = match p.fm.updated.as_ref().map(|d| d.parse()) {
        Some(Ok(d)) => Some(d),
        Some(Err(msg)) => {
            diags.push(diag(
                &p.path,
                p.key_line("updated"),
                1,
                Severity::Error,
                msg,
            ));
            return None;
        }
        None => None,
    };
    let mut tags = Vec::new();
    for tag in &p.fm.tags {
        let t = tag.trim().to_lowercase();
        if !valid_slug(&t) {
            diags.push(diag(
                &p.path,
                p.key_line("tags"),
                1,
                Severity::Error,
                format!("invalid tag `{tag}`: use lower-case letters, digits, `-` and `_` only"),
            ));
            return None;
        }
        if !tags.contains(&t) {
            tags.push(t);
        }
    }

    let rendered = markdown::render(&p.body, ctx);
    push_render_diags(&p.path, p.body_line_offset, rendered.diagnostics, diags);
    let summary = rendered
        .more_summary
        .or_else(|| p.fm.summary.as_deref().map(|s| plain_text(ctx.emoji, s)))
        .or_else(|| {
            p.fm.description
                .as_deref()
                .map(|s| plain_text(ctx.emoji, s))
        })
        .unwrap_or(rendered.first_paragraph);
    let series = match p.fm.series.as_deref().map(str::trim) {
        Some("") => {
            diags.push(diag(
                &p.path,
                p.key_line("series"),
                1,
                Severity::Error,
                "empty `series`: name the series or remove the key",
            ));
            return None;
        }
        Some(name) => Some((name.to_string(), p.key_line("series"))),
        None => None,
    };
    let author = match p.fm.author.as_deref().map(str::trim) {
        Some("") => {
            diags.push(diag(
                &p.path,
                p.key_line("author"),
                1,
                Severity::Error,
                "empty `author`: name the author or remove the key for the site's default",
            ));
            return None;
        }
        other => other.map(|a| plain_text(ctx.emoji, a)),
    };
    let image = match post_image(p, &slug) {
        Ok(image) => image,
        Err(msg) => {
            diags.push(diag(&p.path, p.key_line("image"), 1, Severity::Error, msg));
            return None;
        }
    };
    let words = rendered.words;
    let title = plain_text(ctx.emoji, p.fm.title.as_deref().unwrap_or_default().trim());
    Some(PostEntry {
        term_ids: rendered.terms,
        series,
        path: p.path.clone(),
        date,
        publish_at,
        updated,
        aliases: p.fm.aliases.clone(),
        post: Post {
            meta: PostSummary {
                slug,
                title,
                date: date.format("%Y-%m-%d").to_string(),
                date_display: date.format("%-d %B %Y").to_string(),
                summary: truncate_chars(&summary, SUMMARY_MAX_CHARS),
                tags,
                reading_minutes: words.div_ceil(200).max(1) as u32,
            },
            updated: updated.map(|d| d.format("%Y-%m-%d").to_string()),
            lang: p.fm.lang.clone().unwrap_or_else(|| "en".to_string()),
            html: rendered.html,
            toc: rendered.toc,
            terms: Vec::new(),
            words,
            newer: None,
            older: None,
            series: None,
            related: Vec::new(),
            author,
            image,
        },
    })
}

/// The `image:` of a post as a URL: `https://…` and `/site/path` as given,
/// anything else a file beside the post (`/posts/<slug>/<file>`).
fn post_image(p: &Parsed, slug: &str) -> Result<Option<String>, String> {
    let Some(raw) = p.fm.image.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if raw.is_empty() {
        return Err("empty `image`: give a path or URL, or remove the key".into());
    }
    if raw.starts_with("https://") || raw.starts_with("http://") || raw.starts_with('/') {
        if raw
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<')
        {
            return Err(format!("invalid `image` URL `{raw}`"));
        }
        return Ok(Some(raw.to_string()));
    }
    if raw.contains("..") || raw.contains("://") || raw.contains('\\') {
        return Err(format!(
            "invalid `image` `{raw}`: use a file beside the post, a /site/path or an https:// URL"
        ));
    }
    Ok(Some(format!(
        "/posts/{slug}/{}",
        raw.trim_start_matches("./")
    )))
}

/// A page's `updated` (else `date`) as `YYYY-MM-DD`; a bad value is reported.
fn page_updated(p: &Parsed, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let (key, raw) = match (&p.fm.updated, &p.fm.date) {
        (Some(u), _) => ("updated", u),
        (None, Some(d)) => ("date", d),
        (None, None) => return None,
    };
    match raw.parse() {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(msg) => {
            diags.push(diag(&p.path, p.key_line(key), 1, Severity::Error, msg));
            None
        }
    }
}

fn build_page(p: &Parsed, ctx: &RenderContext<'_>, diags: &mut Vec<Diagnostic>) -> Page {
    let rendered = markdown::render(&p.body, ctx);
    push_render_diags(&p.path, p.body_line_offset, rendered.diagnostics, diags);
    let summary =
        p.fm.summary
            .as_deref()
            .or(p.fm.description.as_deref())
            .map(|s| plain_text(ctx.emoji, s))
            .unwrap_or(rendered.first_paragraph);
    Page {
        updated: page_updated(p, diags),
        title: plain_text(ctx.emoji, p.fm.title.as_deref().unwrap_or_default().trim()),
        summary: truncate_chars(&summary, SUMMARY_MAX_CHARS),
        lang: p.fm.lang.clone().unwrap_or_else(|| "en".to_string()),
        html: rendered.html,
    }
}

#[cfg(test)]
mod tests;
