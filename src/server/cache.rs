//! The rendered-response cache: a content page or feed is rendered once per
//! set of inputs, compressed, and then served from memory.
//!
//! Why it is correct to serve stored bytes:
//! - **Freshness.** A key holds the page's path and the
//!   [fingerprint](crate::content::fingerprint) of what the page is rendered
//!   from in the current snapshot. A reload changes the fingerprint of
//!   exactly the pages whose inputs changed: their old entries stop matching,
//!   every other page stays cached. The render of a miss is pinned to the
//!   snapshot whose fingerprint is in its key ([`crate::content::Pinned`]),
//!   so a reload during a render cannot store new text under an old key.
//! - **What varies.** The key is the path: a page reads no request input (no
//!   cookie; the reader's theme is applied in the browser), so every reader
//!   gets the same bytes. Requests with a query string are never cached: the
//!   pages cached here ignore queries, so a query could only be used to fill
//!   the cache with copies. A path the snapshot has no page for has no
//!   fingerprint and is never stored (404s, unknown tags).
//! - **CSP.** The cached body holds no nonce: `http::conditional` replaced it
//!   with the hashes of the page's own scripts, so every reader gets the same
//!   valid policy and no nonce is ever shared between readers.
//! - **Memory.** A [`quick_cache`] store weighted by bytes, so the least
//!   valuable entries go first once the budget is reached.
//!
//! Why nothing slow is on the request path:
//! - **Single flight.** Concurrent misses for one key wait for one render
//!   (quick_cache's placeholder guard), instead of each rendering it.
//! - **Fast, then best compression.** A miss compresses at fast levels and is
//!   answered at once; a background thread replaces the entry with brotli 11
//!   and gzip 9 (`compress`).
//! - **Reloads render ahead.** Before a reload is published, the cached pages
//!   it changes are rendered from the new snapshot and stored under their new
//!   keys (`warm`), so readers keep the old copy until the new one is ready.

pub mod answers;
mod compress;
mod front;
mod heads;
mod layer;
mod warm;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, Method};

pub use answers::AnswerCache;
pub(crate) use compress::encode_answer_as;
pub use compress::pending_upgrades;
pub use front::Front;
pub(crate) use layer::choose_encoding;
pub use layer::page_cache;
pub use warm::{WarmReport, Warmer};

use crate::content::{PageKey, Site};
use crate::model::Route;

/// `x-cache: hit|miss` on cacheable routes, for operators and tests.
pub static X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// How much the cache may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries (one per path).
    pub max_entries: usize,
    /// Most bytes, all three encodings of every entry counted.
    pub max_bytes: usize,
}

impl Default for Limits {
    /// Room for every page of a 10,000-post site; beyond that
    /// the least valuable pages are rendered again when asked for.
    fn default() -> Self {
        Limits {
            max_entries: 16_384,
            max_bytes: 256 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// A cache that stores nothing (every request renders).
    pub const DISABLED: Limits = Limits {
        max_entries: 0,
        max_bytes: 0,
    };
}

/// What a cached response varies on: its path, in one snapshot's inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub path: String,
    /// Of the page's inputs in the snapshot it was rendered from.
    pub fingerprint: u64,
}

/// A [`Key`] borrowed from the request: a hit is looked up without
/// allocating. Hashes exactly as `Key` does (a `String` hashes as its `str`).
#[derive(Debug, Clone, Copy, Hash)]
pub struct KeyRef<'a> {
    pub path: &'a str,
    pub fingerprint: u64,
}

impl quick_cache::Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.fingerprint == key.fingerprint && self.path == key.path
    }
}

/// One rendered response, with its compressed variants.
#[derive(Debug, Clone)]
pub struct Entry {
    content_type: HeaderValue,
    etag: Option<HeaderValue>,
    /// Parsed once, for `If-None-Match`.
    etag_typed: Option<headers::ETag>,
    last_modified: Option<HeaderValue>,
    modified: Option<SystemTime>,
    csp: Option<HeaderValue>,
    /// `Cache-Control` as `http::conditional` set it (`CACHE_CONTROL`).
    cache_control: Option<HeaderValue>,
    identity: Bytes,
    gzip: Bytes,
    br: Bytes,
    /// Compressed at the best levels (else at the fast ones, upgrade pending).
    best: bool,
    /// The response headers of each answer, made once (`Heads`).
    heads: heads::Heads,
}

impl Entry {
    fn size(&self) -> usize {
        self.identity.len() + self.gzip.len() + self.br.len() + 512
    }

    /// True once the background pass has replaced the fast compression.
    pub fn is_best(&self) -> bool {
        self.best
    }

    /// The page as rendered (uncompressed).
    pub fn body(&self) -> &Bytes {
        &self.identity
    }

    /// The brotli variant currently served.
    pub fn brotli(&self) -> &Bytes {
        &self.br
    }
}

/// Weight of an entry: its bytes, but never less than the byte budget over
/// the entry budget, so both bounds of [`Limits`] hold.
#[derive(Clone)]
struct Weigh {
    min: u64,
}

impl quick_cache::Weighter<Key, Arc<Entry>> for Weigh {
    fn weight(&self, _key: &Key, entry: &Arc<Entry>) -> u64 {
        (entry.size() as u64).max(self.min)
    }
}

type Store = quick_cache::sync::Cache<Key, Arc<Entry>, Weigh>;

/// Pages larger than this are served without being stored: one such page
/// would crowd out thousands of ordinary ones.
pub const MAX_ENTRY_BYTES: usize = 2 * 1024 * 1024;

/// The cache shared by every request of one router.
pub struct PageCache {
    /// `None` when disabled.
    store: Option<Arc<Store>>,
    /// Renders started for the cache (misses and reload warm-ups).
    renders: AtomicU64,
}

impl PageCache {
    pub fn new(limits: Limits) -> Self {
        let store = (limits.max_entries > 0 && limits.max_bytes > 0).then(|| {
            let bytes = limits.max_bytes as u64;
            // One shard per 32 MiB (at most 16, and one for small entry
            // budgets): shards are locked apart, and each must hold several
            // of the largest entries.
            let shards = (bytes / (32 << 20))
                .min(limits.max_entries as u64 / 256)
                .clamp(1, 16)
                .next_power_of_two() as usize;
            let options = quick_cache::OptionsBuilder::new()
                .estimated_items_capacity(limits.max_entries.min(1 << 16))
                .weight_capacity(bytes)
                .shards(shards)
                .build();
            let weigh = Weigh {
                min: bytes / limits.max_entries as u64,
            };
            let store = match options {
                Ok(options) => {
                    Store::with_options(options, weigh, Default::default(), Default::default())
                }
                Err(e) => {
                    tracing::warn!("page cache options: {e}; using defaults");
                    Store::with_weighter(limits.max_entries, bytes, weigh)
                }
            };
            Arc::new(store)
        });
        PageCache {
            store,
            renders: AtomicU64::new(0),
        }
    }

    /// The entry for `key`, if stored.
    pub fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        self.store.as_ref()?.get(key)
    }

    /// As [`PageCache::get`], with a borrowed key (the hit path).
    pub fn get_ref(&self, key: &KeyRef<'_>) -> Option<Arc<Entry>> {
        self.store.as_ref()?.get(key)
    }

    /// Stores `entry` (unless disabled or too big) and queues its
    /// best-compression pass.
    fn insert(&self, key: Key, entry: Arc<Entry>) {
        let Some(store) = &self.store else { return };
        if entry.identity.len() > MAX_ENTRY_BYTES {
            return;
        }
        // Stored first: the upgrade replaces only the entry it was given.
        store.insert(key.clone(), entry.clone());
        if !entry.best {
            compress::queue_upgrade(Arc::downgrade(store), key, entry);
        }
        self.gauges();
    }

    fn remove(&self, key: &Key) {
        if let Some(store) = &self.store {
            store.remove(key);
        }
    }

    /// Every key held.
    fn keys(&self) -> Vec<Key> {
        self.store
            .as_ref()
            .map(|s| s.iter().map(|(k, _)| k).collect())
            .unwrap_or_default()
    }

    fn gauges(&self) {
        if let Some(store) = &self.store {
            metrics::gauge!("microblog_page_cache_entries").set(store.len() as f64);
            metrics::gauge!("microblog_page_cache_bytes").set(store.weight() as f64);
        }
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.store.as_ref().map_or(0, |s| s.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held (weights: all encodings, small entries rounded up).
    pub fn bytes(&self) -> u64 {
        self.store.as_ref().map_or(0, |s| s.weight())
    }

    /// How many renders the cache has asked for (misses and reload
    /// warm-ups); concurrent misses for one key count once.
    pub fn renders(&self) -> u64 {
        self.renders.load(Ordering::Relaxed)
    }

    fn count_render(&self) {
        self.renders.fetch_add(1, Ordering::Relaxed);
    }
}

/// A cacheable request: which page it names and how it varies.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub path: &'a str,
    pub page: PageKey<'a>,
    /// As `MatchedPath` would name the route (metrics label by template).
    pub template: &'static str,
}

impl<'a> Request<'a> {
    /// The key of this request in `site`, `None` when the site has no such
    /// page (then nothing is stored).
    pub fn key(&self, site: &Site, per_page: usize) -> Option<Key> {
        let k = self.key_ref(site, per_page)?;
        Some(Key {
            path: k.path.to_string(),
            fingerprint: k.fingerprint,
        })
    }

    /// [`Request::key`], borrowed.
    pub fn key_ref(&self, site: &Site, per_page: usize) -> Option<KeyRef<'a>> {
        Some(KeyRef {
            path: self.path,
            fingerprint: site.fingerprint(self.page, per_page)?,
        })
    }
}

/// The page a path names, with its route template (`model::Route`); `None`
/// for anything not cached.
pub fn page_of(path: &str) -> Option<(PageKey<'_>, &'static str)> {
    const MAX_PATH: usize = 256;
    if path.len() > MAX_PATH {
        return None;
    }
    let (route, [first, second]) = Route::find(path)?;
    // A page number of 2 or more: `/page/1` and `/tags/{tag}/page/1`
    // redirect to the unnumbered page.
    let number = |n: &str| n.parse::<u32>().ok().filter(|n| *n >= 2);
    let page = match route {
        Route::Home => PageKey::List(1),
        Route::ListPage => PageKey::List(number(first)?),
        Route::Post => PageKey::Post(first),
        Route::About => PageKey::About,
        Route::Glossary => PageKey::Glossary,
        Route::Emoji => PageKey::Emoji,
        Route::Tags => PageKey::Tags,
        Route::Tag => PageKey::Tag(first, 1),
        Route::TagPage => PageKey::Tag(first, number(second)?),
        Route::AtomFeed | Route::RssFeed => PageKey::Feed,
        Route::TagFeed => PageKey::TagFeed(first),
        Route::Sitemap => PageKey::Sitemap,
        // Search depends on its query; robots.txt is tiny; files are
        // served from disk with their own validators.
        Route::Search | Route::Robots | Route::PostFile | Route::Image | Route::Card => {
            return None
        }
    };
    Some((page, route.template()))
}

/// The cacheable request `method uri` names, or `None` when it must not be
/// cached.
pub fn request_of<'a>(method: &Method, uri: &'a axum::http::Uri) -> Option<Request<'a>> {
    if !matches!(*method, Method::GET | Method::HEAD) || uri.query().is_some() {
        return None;
    }
    let (page, template) = page_of(uri.path())?;
    Some(Request {
        path: uri.path(),
        page,
        template,
    })
}

#[cfg(test)]
mod tests;
