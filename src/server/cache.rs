//! The rendered-response cache: a content page or feed is rendered once per
//! content snapshot, compressed once (brotli and gzip), and then served from
//! memory.
//!
//! Why it is correct to serve stored bytes:
//! - **Freshness.** Entries carry the generation of the snapshot they were
//!   rendered from ([`crate::content::Site::generation`]); a lookup only
//!   matches the current generation, and the first store after a reload drops
//!   every older entry. A reload is therefore seen by the very next request.
//! - **What varies.** The key is the path: a page reads no request input (no
//!   cookie; the reader's theme is applied in the browser), so every reader
//!   gets the same bytes. Requests with a query string are never cached: the
//!   pages cached here ignore queries, so a query could only be used to fill
//!   the cache with copies.
//! - **CSP.** The cached body holds no nonce: `http::conditional` replaced it
//!   with the hashes of the page's own scripts, so every reader gets the same
//!   valid policy and no nonce is ever shared between readers.
//! - **Memory.** Only `200` answers of a fixed set of route shapes are kept,
//!   so the entries are bounded by the content; on top of that a budget of
//!   entries and bytes evicts the least recently used entry.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::http::{none_match, not_modified_since};

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
    /// Room for every page of a 10,000-post site in one theme; beyond that
    /// the least recently read pages are rendered again when asked for.
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

/// What a cached response varies on: its path only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub path: String,
}

/// One rendered response, with its precompressed variants.
#[derive(Debug)]
pub struct Entry {
    generation: u64,
    content_type: HeaderValue,
    etag: Option<HeaderValue>,
    etag_text: String,
    last_modified: Option<HeaderValue>,
    modified: Option<SystemTime>,
    csp: Option<HeaderValue>,
    cache_control: Option<HeaderValue>,
    identity: Bytes,
    gzip: Bytes,
    br: Bytes,
    /// Tick of the last read, for least-recently-used eviction.
    last_used: AtomicU64,
}

impl Entry {
    fn size(&self) -> usize {
        self.identity.len() + self.gzip.len() + self.br.len() + 512
    }
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<Key, Arc<Entry>>,
    bytes: usize,
}

/// The cache shared by every request of one router.
pub struct PageCache {
    limits: Limits,
    inner: RwLock<Inner>,
    tick: AtomicU64,
}

impl PageCache {
    pub fn new(limits: Limits) -> Self {
        PageCache {
            limits,
            inner: RwLock::new(Inner::default()),
            tick: AtomicU64::new(0),
        }
    }

    /// The entry for `key` rendered from snapshot `generation`, if any.
    pub fn get(&self, key: &Key, generation: u64) -> Option<Arc<Entry>> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let entry = inner
            .entries
            .get(key)
            .filter(|e| e.generation == generation)?
            .clone();
        drop(inner);
        entry
            .last_used
            .store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(entry)
    }

    /// Stores `entry` unless a newer snapshot was already seen; a newer one
    /// drops everything older first.
    fn insert(&self, key: Key, entry: Arc<Entry>) {
        let size = entry.size();
        if self.limits.max_entries == 0 || size > self.limits.max_bytes {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if entry.generation < inner.generation {
            return;
        }
        if entry.generation > inner.generation {
            inner.entries.clear();
            inner.bytes = 0;
            inner.generation = entry.generation;
        }
        entry
            .last_used
            .store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        if let Some(old) = inner.entries.insert(key, entry) {
            inner.bytes -= old.size();
        }
        inner.bytes += size;
        while inner.entries.len() > self.limits.max_entries || inner.bytes > self.limits.max_bytes {
            let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used.load(Ordering::Relaxed))
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = inner.entries.remove(&oldest) {
                inner.bytes -= e.size();
            }
        }
        metrics::gauge!("microblog_page_cache_entries").set(inner.entries.len() as f64);
        metrics::gauge!("microblog_page_cache_bytes").set(inner.bytes as f64);
    }

    /// Number of entries held (any generation).
    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held, all encodings counted.
    pub fn bytes(&self) -> usize {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).bytes
    }
}

/// True when `path` is one of the pages or feeds whose answer depends only
/// on the snapshot.
fn cacheable_path(path: &str) -> Option<bool> {
    const MAX_PATH: usize = 256;
    if path.len() > MAX_PATH {
        return None;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let page = match segments.as_slice() {
        [""] | ["about"] | ["glossary"] | ["emoji"] | ["tags"] => true,
        ["posts", slug] | ["tags", slug] | ["page", slug] if !slug.is_empty() => true,
        ["tags", tag, "page", n] if !tag.is_empty() && !n.is_empty() => true,
        ["feed.xml"] | ["rss.xml"] | ["sitemap.xml"] => false,
        ["tags", tag, "feed.xml"] if !tag.is_empty() => false,
        _ => return None,
    };
    Some(page)
}

/// The route template of a cacheable path, as `MatchedPath` would name it
/// (metrics label it by template, so hits and misses count together).
fn route_template(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => "/",
        ["about"] => "/about",
        ["glossary"] => "/glossary",
        ["emoji"] => "/emoji",
        ["tags"] => "/tags",
        ["posts", _] => "/posts/{slug}",
        ["tags", _] => "/tags/{tag}",
        ["page", _] => "/page/{n}",
        ["feed.xml"] => "/feed.xml",
        ["rss.xml"] => "/rss.xml",
        ["sitemap.xml"] => "/sitemap.xml",
        ["tags", _, "feed.xml"] => "/tags/{tag}/feed.xml",
        ["tags", _, "page", _] => "/tags/{tag}/page/{n}",
        _ => "unmatched",
    }
}

/// The cache key of a request, or `None` when it must not be cached.
pub fn key_of(method: &Method, uri: &axum::http::Uri) -> Option<Key> {
    if !matches!(*method, Method::GET | Method::HEAD) || uri.query().is_some() {
        return None;
    }
    cacheable_path(uri.path())?;
    Some(Key {
        path: uri.path().to_string(),
    })
}

/// Brotli at the highest quality: paid once per page per snapshot.
const BROTLI_QUALITY: u32 = 11;
const BROTLI_WINDOW: u32 = 22;

fn brotli(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4);
    {
        let mut w =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
        w.write_all(data)?;
        w.flush()?;
    }
    Ok(out)
}

fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::best(),
    );
    w.write_all(data)?;
    w.finish()
}

/// Errors while turning a rendered response into an entry.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("reading the rendered body: {0}")]
    Body(axum::Error),
    #[error("compressing the rendered body: {0}")]
    Compress(#[from] std::io::Error),
    #[error("compression task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Pages larger than this are served without being stored: compressing a
/// 10 MB post at brotli 11 would hold its first reader for seconds, and one
/// such page would crowd out thousands of ordinary ones.
pub const MAX_ENTRY_BYTES: usize = 2 * 1024 * 1024;

/// A rendered response, made ready to store, or handed back when too big.
enum Built {
    Entry(Box<Entry>),
    TooBig(Response),
}

/// Builds an entry from a rendered `200` response (validators and CSP
/// already set by `http::conditional`).
async fn entry_from(res: Response, generation: u64) -> Result<Built, CacheError> {
    let (parts, body) = res.into_parts();
    let identity = body.collect().await.map_err(CacheError::Body)?.to_bytes();
    if identity.len() > MAX_ENTRY_BYTES {
        return Ok(Built::TooBig(Response::from_parts(
            parts,
            Body::from(identity),
        )));
    }
    let raw = identity.clone();
    let (gz, br) = tokio::task::spawn_blocking(move || -> std::io::Result<_> {
        Ok((gzip(&raw)?, brotli(&raw)?))
    })
    .await??;
    let h = &parts.headers;
    let etag = h.get(header::ETAG).cloned();
    let last_modified = h.get(header::LAST_MODIFIED).cloned();
    Ok(Built::Entry(Box::new(Entry {
        generation,
        content_type: h
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream")),
        etag_text: etag
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        modified: last_modified
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok()),
        etag,
        last_modified,
        csp: h.get(header::CONTENT_SECURITY_POLICY).cloned(),
        cache_control: h.get(header::CACHE_CONTROL).cloned(),
        identity,
        gzip: Bytes::from(gz),
        br: Bytes::from(br),
        last_used: AtomicU64::new(0),
    })))
}

/// A rendered page answered without storing it: the render ran as a plain
/// GET without validators, so `HEAD` and `If-None-Match` are applied here.
fn uncached(res: Response, request: &HeaderMap, is_head: bool) -> Response {
    let fresh = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(|etag| none_match(request, etag))
        .unwrap_or(false);
    if !fresh && !is_head {
        return res;
    }
    let (mut parts, _) = res.into_parts();
    if fresh {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
    }
    Response::from_parts(parts, Body::empty())
}

/// Which stored encoding to send: the client's preference among br and gzip
/// (a `q=0` refuses), else the plain body.
fn choose_encoding(headers: &HeaderMap) -> Option<&'static str> {
    let mut br = false;
    let mut gz = false;
    for value in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match name.as_str() {
                "br" => br = !refused,
                "gzip" => gz = !refused,
                _ => {}
            }
        }
    }
    if br {
        Some("br")
    } else if gz {
        Some("gzip")
    } else {
        None
    }
}

/// The response for `entry`: `304` when the client's copy is current, the
/// best encoding it accepts otherwise, no body for `HEAD`.
fn serve(entry: &Entry, request: &HeaderMap, is_head: bool, hit: bool) -> Response {
    let mut res = Response::new(Body::empty());
    let h = res.headers_mut();
    h.insert(
        X_CACHE.clone(),
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    if let Some(v) = &entry.etag {
        h.insert(header::ETAG, v.clone());
    }
    if let Some(v) = &entry.last_modified {
        h.insert(header::LAST_MODIFIED, v.clone());
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(v) = &entry.cache_control {
        h.insert(header::CACHE_CONTROL, v.clone());
    }
    let fresh = match none_match(request, &entry.etag_text) {
        Some(matched) => matched && entry.etag.is_some(),
        None => entry
            .modified
            .is_some_and(|m| not_modified_since(request, m)),
    };
    if fresh {
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        return res;
    }
    h.insert(header::CONTENT_TYPE, entry.content_type.clone());
    if let Some(v) = &entry.csp {
        h.insert(header::CONTENT_SECURITY_POLICY, v.clone());
    }
    let body = match choose_encoding(request) {
        Some("br") => {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            &entry.br
        }
        Some(_) => {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            &entry.gzip
        }
        None => &entry.identity,
    };
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    if !is_head {
        *res.body_mut() = Body::from(body.clone());
    }
    res
}

/// Middleware in front of the whole router: a hit is answered before
/// routing, so none of the per-route layers (axum clones each route's service
/// in each of them, per request) run for it. It still gets what every
/// response gets: request id, access log, metrics, security headers.
/// Everything else, misses included, goes to the router, whose
/// [`page_cache`] layer renders and stores.
pub async fn front(
    State((state, cache)): State<(super::Shared, Arc<PageCache>)>,
    req: Request,
    next: Next,
) -> Response {
    let Some(key) = key_of(req.method(), req.uri()) else {
        return next.run(req).await;
    };
    let Some(entry) = cache.get(&key, state.store.generation()) else {
        return next.run(req).await;
    };
    let started = std::time::Instant::now();
    metrics::counter!("microblog_page_cache_total", "result" => "hit").increment(1);
    let id = super::ops::response_id(&req);
    let mut res = serve(&entry, req.headers(), req.method() == Method::HEAD, true);
    super::ops::add_security_headers(res.status(), res.headers_mut());
    super::ops::record(
        req.method(),
        req.uri().path(),
        route_template(&key.path).to_string(),
        started,
        &id,
        &mut res,
    );
    res
}

/// Middleware: answer cacheable requests from [`PageCache`], rendering (and
/// storing) on a miss. Sits outside `http::conditional`, which sets the
/// validators and the hash-based CSP of the stored response.
pub async fn page_cache(
    State((state, cache)): State<(super::Shared, Arc<PageCache>)>,
    req: Request,
    next: Next,
) -> Response {
    // A disabled cache (the static export renders each page once) stores
    // nothing, so it need not compress anything either.
    if cache.limits.max_entries == 0 {
        return next.run(req).await;
    }
    let Some(key) = key_of(req.method(), req.uri()) else {
        return next.run(req).await;
    };
    let generation = state.store.generation();
    if let Some(entry) = cache.get(&key, generation) {
        metrics::counter!("microblog_page_cache_total", "result" => "hit").increment(1);
        return serve(&entry, req.headers(), req.method() == Method::HEAD, true);
    }
    metrics::counter!("microblog_page_cache_total", "result" => "miss").increment(1);
    let is_head = req.method() == Method::HEAD;
    let request_headers = req.headers().clone();
    // Render the full page whatever the client has: the entry serves everyone.
    let (mut parts, body) = req.into_parts();
    parts.method = Method::GET;
    for name in [
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
        header::ACCEPT_ENCODING,
    ] {
        parts.headers.remove(name);
    }
    let res = next.run(Request::from_parts(parts, body)).await;
    let storable = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && !res.headers().contains_key(header::CONTENT_ENCODING);
    if !storable {
        if !is_head {
            return res;
        }
        let (parts, _) = res.into_parts();
        return Response::from_parts(parts, Body::empty());
    }
    match entry_from(res, generation).await {
        Ok(Built::Entry(entry)) => {
            let entry: Arc<Entry> = Arc::from(entry);
            cache.insert(key, entry.clone());
            serve(&entry, &request_headers, is_head, false)
        }
        Ok(Built::TooBig(res)) => uncached(res, &request_headers, is_head),
        Err(e) => {
            tracing::error!("page cache: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(generation: u64, size: usize) -> Arc<Entry> {
        Arc::new(Entry {
            generation,
            content_type: HeaderValue::from_static("text/html"),
            etag: None,
            etag_text: String::new(),
            last_modified: None,
            modified: None,
            csp: None,
            cache_control: None,
            identity: Bytes::from(vec![b'x'; size]),
            gzip: Bytes::new(),
            br: Bytes::new(),
            last_used: AtomicU64::new(0),
        })
    }

    fn key(path: &str) -> Key {
        Key { path: path.into() }
    }

    #[test]
    fn bounded_by_entries_evicting_the_least_recently_used() {
        let cache = PageCache::new(Limits {
            max_entries: 2,
            max_bytes: 1 << 20,
        });
        cache.insert(key("/a"), entry(1, 10));
        cache.insert(key("/b"), entry(1, 10));
        assert!(cache.get(&key("/a"), 1).is_some(), "touch /a");
        cache.insert(key("/c"), entry(1, 10));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&key("/b"), 1).is_none(), "/b was least recent");
        assert!(cache.get(&key("/a"), 1).is_some());
        assert!(cache.get(&key("/c"), 1).is_some());
    }

    #[test]
    fn bounded_by_bytes() {
        let cache = PageCache::new(Limits {
            max_entries: 100,
            max_bytes: 3100,
        });
        for i in 0..10 {
            cache.insert(key(&format!("/p{i}")), entry(1, 500));
        }
        assert!(cache.bytes() <= 3100, "{}", cache.bytes());
        assert_eq!(cache.len(), 3);
        cache.insert(key("/huge"), entry(1, 10_000));
        assert!(
            cache.get(&key("/huge"), 1).is_none(),
            "larger than the budget"
        );
    }

    #[test]
    fn a_newer_generation_drops_older_entries_and_old_ones_are_refused() {
        let cache = PageCache::new(Limits::default());
        cache.insert(key("/a"), entry(1, 10));
        assert!(cache.get(&key("/a"), 2).is_none(), "other generation: miss");
        cache.insert(key("/b"), entry(2, 10));
        assert_eq!(cache.len(), 1, "generation 1 dropped");
        cache.insert(key("/a"), entry(1, 10));
        assert!(cache.get(&key("/a"), 1).is_none(), "late render refused");
    }

    #[test]
    fn disabled_stores_nothing() {
        let cache = PageCache::new(Limits::DISABLED);
        cache.insert(key("/a"), entry(1, 10));
        assert!(cache.is_empty());
    }

    #[test]
    fn keys_only_for_known_shapes_without_query() {
        let k = |uri: &str| key_of(&Method::GET, &uri.parse().expect("uri"));
        for ok in [
            "/",
            "/posts/x",
            "/page/2",
            "/tags",
            "/tags/rust",
            "/about",
            "/glossary",
            "/emoji",
            "/feed.xml",
            "/tags/rust/feed.xml",
            "/tags/rust/page/2",
            "/sitemap.xml",
        ] {
            assert!(k(ok).is_some(), "{ok}");
        }
        for no in [
            "/search?q=x",
            "/?utm=1",
            "/api/search",
            "/posts/x/y",
            "/pkg/app.wasm",
            "/healthz",
        ] {
            assert!(k(no).is_none(), "{no}");
        }
        let post = Method::POST;
        assert!(key_of(&post, &"/".parse().expect("uri")).is_none());
    }

    #[test]
    fn hits_are_labelled_with_the_route_template() {
        assert_eq!(route_template("/"), "/");
        assert_eq!(route_template("/posts/x"), "/posts/{slug}");
        assert_eq!(route_template("/tags/rust"), "/tags/{tag}");
        assert_eq!(
            route_template("/tags/rust/feed.xml"),
            "/tags/{tag}/feed.xml"
        );
        assert_eq!(route_template("/page/3"), "/page/{n}");
        assert_eq!(route_template("/tags/rust/page/3"), "/tags/{tag}/page/{n}");
    }

    #[test]
    fn encoding_follows_accept_encoding() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            choose_encoding(&h)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Some("br"));
        assert_eq!(with("gzip"), Some("gzip"));
        assert_eq!(with("br;q=0, gzip"), Some("gzip"));
        assert_eq!(with("identity"), None);
        assert_eq!(choose_encoding(&HeaderMap::new()), None);
    }
}
