//! The search answer cache: `GET /api/search?q=…` and `/search?q=…` are
//! answered from memory when the same query was answered before from the
//! same snapshot and search index.
//!
//! A search costs ranking, snippets, serialising (or rendering the page)
//! and compressing; at 10,000 posts that is ~150 µs of CPU for the JSON and
//! ~600 µs for the page (BENCHMARKS.md, branch `search`), while a stored
//! answer costs what a cached page does. Readers repeat queries (the
//! search box asks while they type, popular words come back), so a small
//! store pays.
//!
//! Why it is correct to serve stored bytes:
//! - **Key.** The route, the raw query string exactly as sent (so no
//!   decoding here can disagree with the server function's), the
//!   snapshot's generation and the [id of the index that answers]
//!   (crate::content::Site::search_index_id). A reload or a newly built
//!   index changes the key; entries of an older generation are dropped
//!   when a newer one is first seen.
//! - **Same bytes as without the cache.** A miss runs the request through
//!   the whole router (as a plain `GET` without validators or
//!   `Accept-Encoding`, pinned to the snapshot of its key) and stores what
//!   it answered, if that is a `200` for everyone; only the encodings (at
//!   the dynamic answers' quality 1: a miss is often a query asked once)
//!   and `304`s are made here, by the page cache's own code (`layer.rs`).
//!   Bad requests (no `q`, two `q`s) are `400`s and never stored.
//! - **Bounded.** A [`quick_cache`] store weighted by bytes; it keeps
//!   frequently asked queries over ones asked once, so random queries
//!   cannot push the common ones out for long. Query strings longer than
//!   [`MAX_QUERY_BYTES`] are answered without the cache.
//! - **Single flight.** Concurrent misses for one key wait for one answer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::compress::encode_answer;
use super::layer::{entry_encoded, render_request, serve, storable, unstored, Built};
use super::Entry;
use crate::content::{Pinned, Site};
use crate::model::SearchResults;

/// Longest query string (bytes, as sent) whose answer is stored: the form
/// caps a query at 100 chars, which percent-encoded is at most ~900 bytes
/// of the widest chars; ordinary queries are far shorter.
pub const MAX_QUERY_BYTES: usize = 512;

/// Which answer a stored entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    /// `GET /api/search?…` (JSON).
    Api,
    /// `GET /search?…` (the page).
    Page,
}

impl Shape {
    fn of(path: &str) -> Option<(Shape, &'static str)> {
        let api = <crate::api::Search as leptos::server_fn::ServerFn>::PATH;
        if path == api {
            Some((Shape::Api, api))
        } else if path == SearchResults::PATH {
            Some((Shape::Page, SearchResults::PATH))
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    shape: Shape,
    generation: u64,
    index: u64,
    query: Box<str>,
}

/// A [`Key`] borrowed from the request, for lookups without allocating;
/// hashes exactly as `Key` does (a `Box<str>` hashes as its `str`).
#[derive(Debug, Clone, Copy, Hash)]
struct KeyRef<'a> {
    shape: Shape,
    generation: u64,
    index: u64,
    query: &'a str,
}

impl quick_cache::Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.shape == key.shape
            && self.generation == key.generation
            && self.index == key.index
            && *self.query == *key.query
    }
}

impl KeyRef<'_> {
    fn owned(&self) -> Key {
        Key {
            shape: self.shape,
            generation: self.generation,
            index: self.index,
            query: self.query.into(),
        }
    }
}

#[derive(Clone)]
struct Weigh {
    min: u64,
}

impl quick_cache::Weighter<Key, Arc<Entry>> for Weigh {
    fn weight(&self, key: &Key, entry: &Arc<Entry>) -> u64 {
        ((entry.size() + key.query.len()) as u64).max(self.min)
    }
}

type Store = quick_cache::sync::Cache<Key, Arc<Entry>, Weigh>;

/// Bytes budgeted per entry: a JSON answer of 20 hits is ~7 KB and the page
/// ~13 KB before compression, each stored with its brotli and gzip copies.
pub const BYTES_PER_ENTRY: usize = 24 * 1024;

/// The search answers of one router.
pub struct AnswerCache {
    /// `None` when disabled.
    store: Option<Store>,
    /// The newest snapshot generation seen; older entries are dropped
    /// when it grows.
    generation: AtomicU64,
    /// Misses the router answered (concurrent misses for one key count once).
    answered: AtomicU64,
}

impl AnswerCache {
    /// A cache of at most `entries` answers (0: none), each weighed at
    /// least [`BYTES_PER_ENTRY`], the whole at most `entries` times that.
    pub fn new(entries: usize) -> Self {
        let store = (entries > 0).then(|| {
            let bytes = (entries * BYTES_PER_ENTRY) as u64;
            Store::with_weighter(
                entries,
                bytes,
                Weigh {
                    min: BYTES_PER_ENTRY as u64,
                },
            )
        });
        AnswerCache {
            store,
            generation: AtomicU64::new(0),
            answered: AtomicU64::new(0),
        }
    }

    /// Answers held.
    pub fn len(&self) -> usize {
        self.store.as_ref().map_or(0, |s| s.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many answers the router was asked for (misses).
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }

    /// Drops every answer of an older generation once `generation` is
    /// seen (they can no longer be asked for: memory back at once).
    fn observe(&self, store: &Store, generation: u64) {
        let seen = self.generation.load(Ordering::Relaxed);
        if generation > seen
            && self
                .generation
                .compare_exchange(seen, generation, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            && seen != 0
        {
            store.retain(|k, _| k.generation >= generation);
        }
    }
}

/// Answers held by default (`SEARCH_CACHE_ENTRIES`): at most 12 MiB.
pub const DEFAULT_ENTRIES: usize = 512;

impl Default for AnswerCache {
    fn default() -> Self {
        AnswerCache::new(DEFAULT_ENTRIES)
    }
}

/// The key of a search request of `shape` in `site`, `None` when it is not
/// cached (another method, no or an overlong query string, or no index
/// built yet: the router's answer then waits for it off the workers).
fn key_of<'a>(
    shape: Shape,
    method: &Method,
    uri: &'a axum::http::Uri,
    site: &Site,
) -> Option<KeyRef<'a>> {
    if !matches!(*method, Method::GET | Method::HEAD) {
        return None;
    }
    let query = uri.query().filter(|q| q.len() <= MAX_QUERY_BYTES)?;
    Some(KeyRef {
        shape,
        generation: site.generation(),
        index: site.search_index_id()?,
        query,
    })
}

/// A stored answer, with what every response gets (request id, access
/// log, metrics; the security headers are in the entry's headers): the
/// router's layers do not run.
fn hit(entry: &Entry, req: &Request, template: &'static str) -> Response {
    metrics::counter!("microblog_search_cache_total", "result" => "hit").increment(1);
    let started = std::time::Instant::now();
    let id = crate::server::ops::response_id(req);
    let is_head = req.method() == Method::HEAD;
    let mut res = serve(entry, req.headers(), is_head, true, &id);
    crate::server::ops::record(
        req.method(),
        req.uri().path(),
        template,
        started,
        &id,
        &mut res,
    );
    res
}

/// Middleware in front of the router (behind `cache::Front`): answers a
/// repeated search from the store, and stores what the router answers to
/// a new one.
pub async fn answers(
    State((state, cache)): State<(crate::server::Shared, Arc<AnswerCache>)>,
    req: Request,
    next: Next,
) -> Response {
    let Some(store) = &cache.store else {
        return next.run(req).await;
    };
    // A render pinned to a snapshot (a reload's warm-up) is not a reader's.
    if req.extensions().get::<Pinned>().is_some() {
        return next.run(req).await;
    }
    let Some((shape, template)) = Shape::of(req.uri().path()) else {
        return next.run(req).await;
    };
    let site = state.store.snapshot();
    let Some(key) = key_of(shape, req.method(), req.uri(), &site) else {
        return next.run(req).await;
    };
    cache.observe(store, key.generation);
    let is_head = req.method() == Method::HEAD;
    if let Some(entry) = store.get(&key) {
        return hit(&entry, &req, template);
    }
    let key = key.owned();
    let guard = match store.get_value_or_guard_async(&key).await {
        // Answered meanwhile by the request we waited for.
        Ok(entry) => return hit(&entry, &req, template),
        Err(guard) => guard,
    };
    metrics::counter!("microblog_search_cache_total", "result" => "miss").increment(1);
    cache.answered.fetch_add(1, Ordering::Relaxed);
    let request_headers = req.headers().clone();
    // The whole router answers (and logs) it, from the snapshot of the key.
    let res = next.run(render_request(req, Pinned(site))).await;
    if !storable(&res) {
        // A 400 (no `q`, two of them): nothing to keep. The router
        // answered a GET; a HEAD gets no body.
        drop(guard);
        return unstored(res, is_head);
    }
    // The id the router's `observe` gave the request.
    let id = res
        .headers()
        .get(&crate::server::ops::REQUEST_ID)
        .cloned()
        .unwrap_or_else(|| crate::server::ops::request_id(&request_headers));
    match entry_encoded(res, encode_answer).await {
        Ok(Built::Entry(entry)) => {
            let entry: Arc<Entry> = Arc::from(entry);
            let _ = guard.insert(entry.clone());
            serve(&entry, &request_headers, is_head, false, &id)
        }
        Ok(Built::TooBig(res)) => {
            drop(guard);
            res
        }
        Err(e) => {
            drop(guard);
            tracing::error!("search answer cache: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
