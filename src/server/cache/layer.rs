//! The two middlewares around the cache: `front` answers hits before any
//! routing, `page_cache` (inside the router) renders misses, one render per
//! key however many readers wait for it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use headers::{HeaderMapExt as _, IfModifiedSince, IfNoneMatch};
use http_encoding_headers::{AcceptEncoding, Encoding};

use super::super::http::none_match;
use super::{compress, request_of, Entry, PageCache, X_CACHE};
use crate::content::Pinned;
use crate::server::ops::{request_id, REQUEST_ID};

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

/// A rendered response, made ready to store, or handed back when too big.
pub(super) enum Built {
    Entry(Box<Entry>),
    TooBig(Response),
}

/// Builds an entry (fast compression) from a rendered `200` response whose
/// validators and CSP `http::conditional` already set.
pub(super) async fn entry_from(res: Response) -> Result<Built, CacheError> {
    entry_encoded(res, compress::encode_fast).await
}

/// [`entry_from`], with the compressed variants made by `encode`.
pub(super) async fn entry_encoded(
    res: Response,
    encode: fn(&[u8]) -> std::io::Result<compress::Encoded>,
) -> Result<Built, CacheError> {
    let (parts, body) = res.into_parts();
    let identity = body.collect().await.map_err(CacheError::Body)?.to_bytes();
    if identity.len() > super::MAX_ENTRY_BYTES {
        return Ok(Built::TooBig(Response::from_parts(
            parts,
            Body::from(identity),
        )));
    }
    let raw = identity.clone();
    let encoded = tokio::task::spawn_blocking(move || encode(&raw)).await??;
    let h = &parts.headers;
    let etag = h.get(header::ETAG).cloned();
    let last_modified = h.get(header::LAST_MODIFIED).cloned();
    Ok(Built::Entry(Box::new(
        Entry {
            content_type: h
                .get(header::CONTENT_TYPE)
                .cloned()
                .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream")),
            etag_typed: etag.as_ref().and_then(|v| {
                let mut one = HeaderMap::new();
                one.insert(header::ETAG, v.clone());
                one.typed_get::<headers::ETag>()
            }),
            modified: last_modified
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| httpdate::parse_http_date(v).ok()),
            etag,
            last_modified,
            csp: h.get(header::CONTENT_SECURITY_POLICY).cloned(),
            cache_control: h.get(header::CACHE_CONTROL).cloned(),
            identity,
            gzip: encoded.gzip,
            br: encoded.br,
            best: false,
            heads: Default::default(),
        }
        .finish(),
    )))
}

/// True when a rendered response may be stored: a plain `200` for everyone.
pub(super) fn storable(res: &Response) -> bool {
    res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && !res.headers().contains_key(header::CONTENT_ENCODING)
}

/// The request to render for the cache: a plain `GET` of the full page
/// (the entry serves every reader, whatever their validators or encodings),
/// answered from `site`.
pub(super) fn render_request(mut req: Request, site: Pinned) -> Request {
    *req.method_mut() = Method::GET;
    let h = req.headers_mut();
    for name in [
        header::IF_NONE_MATCH,
        header::IF_MODIFIED_SINCE,
        header::ACCEPT_ENCODING,
    ] {
        h.remove(name);
    }
    req.extensions_mut().insert(site);
    req
}

/// A rendered answer that is not stored, as the router gave it; the render
/// ran as a `GET`, so a `HEAD` loses the body here.
pub(super) fn unstored(res: Response, is_head: bool) -> Response {
    if !is_head {
        return res;
    }
    let (parts, _) = res.into_parts();
    Response::from_parts(parts, Body::empty())
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

/// Which stored encoding to send: the one the client weighs highest (a
/// `q=0` refuses), brotli when it wants both equally, else the plain body
/// (also when the header does not parse).
pub(crate) fn choose_encoding(headers: &HeaderMap) -> Option<&'static str> {
    let mut values = headers.get_all(header::ACCEPT_ENCODING).iter();
    match (values.next(), values.next()) {
        (None, _) => None,
        (Some(one), None) => ENCODINGS.with_borrow_mut(|memo| memo.choice(one, headers)),
        _ => negotiate(headers),
    }
}

/// [`choose_encoding`] from the parsed header (one or more lines).
pub(super) fn negotiate(headers: &HeaderMap) -> Option<&'static str> {
    let accept = headers.typed_get::<AcceptEncoding>()?;
    // The server's weights only break the client's ties: brotli is smaller.
    let stored = [(Encoding::Br, 1.0), (Encoding::Gzip, 0.5)];
    match accept.preferred_allowed_weighted(stored.iter().map(|(e, w)| (e, *w)))? {
        Encoding::Br => Some("br"),
        Encoding::Gzip => Some("gzip"),
        _ => None,
    }
}

/// The choice for the last few `Accept-Encoding` values this thread saw.
/// Browsers send one of a handful of values, and parsing it (q-values and
/// all) was 1.8 % of a cached page's CPU (`perf`, BENCHMARKS.md, branch
/// `fastpath`); a repeated value is a comparison of a few bytes.
#[derive(Default)]
struct EncodingMemo {
    seen: [(Vec<u8>, Option<&'static str>); EncodingMemo::SLOTS],
    next: usize,
}

impl EncodingMemo {
    const SLOTS: usize = 4;
    /// Longer values are parsed each time (not kept).
    const MAX_LEN: usize = 128;

    fn choice(&mut self, value: &HeaderValue, headers: &HeaderMap) -> Option<&'static str> {
        let bytes = value.as_bytes();
        if let Some((_, choice)) = self
            .seen
            .iter()
            .find(|(seen, _)| !seen.is_empty() && seen.as_slice() == bytes)
        {
            return *choice;
        }
        let choice = negotiate(headers);
        if !bytes.is_empty() && bytes.len() <= Self::MAX_LEN {
            let slot = &mut self.seen[self.next];
            slot.0.clear();
            slot.0.extend_from_slice(bytes);
            slot.1 = choice;
            self.next = (self.next + 1) % Self::SLOTS;
        }
        choice
    }
}

thread_local! {
    static ENCODINGS: std::cell::RefCell<EncodingMemo> = std::cell::RefCell::default();
}

/// True when the client's copy of `entry` is current (RFC 9110 §13.2.2):
/// `If-None-Match` (weak comparison) when sent, else `If-Modified-Since`,
/// which is ignored when it lies in the future (a clock the server cannot
/// vouch for).
fn is_fresh(entry: &Entry, request: &HeaderMap) -> bool {
    if let Some(inm) = request.typed_get::<IfNoneMatch>() {
        return entry
            .etag_typed
            .as_ref()
            .is_some_and(|etag| !inm.precondition_passes(etag));
    }
    if request.contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    let (Some(since), Some(modified)) = (request.typed_get::<IfModifiedSince>(), entry.modified)
    else {
        return false;
    };
    if std::time::SystemTime::from(since) > std::time::SystemTime::now() {
        return false;
    }
    !since.is_modified(modified)
}

/// The response for `entry`: `304` when the client's copy is current, the
/// best encoding it accepts otherwise, no body for `HEAD`. The headers are
/// the entry's, made when it was stored (`heads`), security headers
/// included; `hit` false marks it `x-cache: miss`; `id` is its request id.
pub(super) fn serve(
    entry: &Entry,
    request: &HeaderMap,
    is_head: bool,
    hit: bool,
    id: &HeaderValue,
) -> Response {
    let fresh = is_fresh(entry, request);
    let (heads, body) = if fresh {
        (&entry.heads.not_modified, None)
    } else {
        match choose_encoding(request) {
            Some("br") => (&entry.heads.br, Some(&entry.br)),
            Some(_) => (&entry.heads.gzip, Some(&entry.gzip)),
            None => (&entry.heads.identity, Some(&entry.identity)),
        }
    };
    let mut res = Response::new(match body {
        Some(bytes) if !is_head => Body::from(bytes.clone()),
        _ => Body::empty(),
    });
    if fresh {
        *res.status_mut() = StatusCode::NOT_MODIFIED;
    }
    *res.headers_mut() = heads.clone();
    let h = res.headers_mut();
    // In place: the stored headers hold the id's slot (`heads`).
    h.insert(REQUEST_ID.clone(), id.clone());
    if !hit {
        h.insert(X_CACHE.clone(), HeaderValue::from_static("miss"));
    }
    res
}

/// Middleware: answer cacheable requests from [`PageCache`], rendering (and
/// storing) on a miss. Concurrent misses for one key wait for the first
/// one's render. Sits outside `http::conditional`, which sets the
/// validators and the hash-based CSP of the stored response.
pub async fn page_cache(
    State((state, cache)): State<(crate::server::Shared, Arc<PageCache>)>,
    req: Request,
    next: Next,
) -> Response {
    let site = crate::server::site_for(&state.store, req.extensions().get());
    let key = request_of(req.method(), req.uri())
        .and_then(|r| r.key(&site, state.settings.posts_per_page));
    let (Some(key), Some(store)) = (key, cache.store.clone()) else {
        return next.run(req).await;
    };
    let is_head = req.method() == Method::HEAD;
    let guard = match store.get_value_or_guard_async(&key).await {
        Ok(entry) => {
            // Stored meanwhile, or rendered by the request we waited for.
            metrics::counter!("microblog_page_cache_total", "result" => "hit").increment(1);
            // The router's `observe` put the request id in the request.
            let id = request_id(req.headers());
            return serve(&entry, req.headers(), is_head, true, &id);
        }
        Err(guard) => guard,
    };
    metrics::counter!("microblog_page_cache_total", "result" => "miss").increment(1);
    cache.count_render();
    let request_headers = req.headers().clone();
    let res = next.run(render_request(req, Pinned(site))).await;
    if !storable(&res) {
        // Waiters take over one at a time (each renders): only on errors.
        drop(guard);
        return unstored(res, is_head);
    }
    match entry_from(res).await {
        Ok(Built::Entry(entry)) => {
            let entry: Arc<Entry> = Arc::from(entry);
            if entry.identity.len() <= super::MAX_ENTRY_BYTES {
                let _ = guard.insert(entry.clone());
                if !entry.best {
                    compress::queue_upgrade(Arc::downgrade(&store), key, entry.clone());
                }
                cache.gauges();
            }
            serve(
                &entry,
                &request_headers,
                is_head,
                false,
                &request_id(&request_headers),
            )
        }
        Ok(Built::TooBig(res)) => {
            drop(guard);
            uncached(res, &request_headers, is_head)
        }
        Err(e) => {
            drop(guard);
            tracing::error!("page cache: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
