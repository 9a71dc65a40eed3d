//! The two middlewares around the cache: `front` answers hits before any
//! routing, `page_cache` (inside the router) renders misses, one render per
//! key however many readers wait for it.

use std::sync::Arc;

use axum::body::{Body, Bytes};
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
    Ok(Built::Entry(Box::new(Entry {
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
    })))
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
pub(super) fn choose_encoding(headers: &HeaderMap) -> Option<&'static str> {
    let accept = headers.typed_get::<AcceptEncoding>()?;
    // The server's weights only break the client's ties: brotli is smaller.
    let stored = [(Encoding::Br, 1.0), (Encoding::Gzip, 0.5)];
    match accept.preferred_allowed_weighted(stored.iter().map(|(e, w)| (e, *w)))? {
        Encoding::Br => Some("br"),
        Encoding::Gzip => Some("gzip"),
        _ => None,
    }
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
/// best encoding it accepts otherwise, no body for `HEAD`.
pub(super) fn serve(entry: &Entry, request: &HeaderMap, is_head: bool, hit: bool) -> Response {
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
    if is_fresh(entry, request) {
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        return res;
    }
    h.insert(header::CONTENT_TYPE, entry.content_type.clone());
    if let Some(v) = &entry.csp {
        h.insert(header::CONTENT_SECURITY_POLICY, v.clone());
    }
    let body: &Bytes = match choose_encoding(request) {
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
    State((state, cache)): State<(crate::server::Shared, Arc<PageCache>)>,
    req: Request,
    next: Next,
) -> Response {
    let found = request_of(req.method(), req.uri()).and_then(|r| {
        // A reload's warm-up render (pinned) must reach the renderer.
        if req.extensions().get::<Pinned>().is_some() {
            return None;
        }
        let key = r.key_ref(&state.store.peek(), state.settings.posts_per_page)?;
        Some((r.template, cache.get_ref(&key)?))
    });
    let Some((template, entry)) = found else {
        return next.run(req).await;
    };
    let started = std::time::Instant::now();
    metrics::counter!("microblog_page_cache_total", "result" => "hit").increment(1);
    let id = crate::server::ops::response_id(&req);
    let mut res = serve(&entry, req.headers(), req.method() == Method::HEAD, true);
    crate::server::ops::add_security_headers(res.status(), res.headers_mut());
    crate::server::ops::record(
        req.method(),
        req.uri().path(),
        template.to_string(),
        started,
        &id,
        &mut res,
    );
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
            return serve(&entry, req.headers(), is_head, true);
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
            serve(&entry, &request_headers, is_head, false)
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
