//! HTTP semantics around the rendered pages: permanent redirects for old URLs,
//! validators (`ETag`, `Last-Modified`) with `304 Not Modified`, and the
//! finishing of every HTML response (valid markup, script hashes, CSP).

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

/// Old URLs (aliases, `.html` names, trailing slashes) answer `301` with the
/// canonical location, query string kept.
pub async fn redirects(State(state): State<super::Shared>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        let site = state.store.snapshot();
        if let Some(to) = site.redirect(req.uri().path()) {
            let location = match req.uri().query() {
                Some(q) => format!("{to}?{q}"),
                None => to.to_string(),
            };
            if let Ok(value) = HeaderValue::from_str(&location) {
                return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, value)])
                    .into_response();
            }
        }
    }
    next.run(req).await
}

/// Media types whose bodies are ours to validate: pages, feeds, sitemap, robots.
fn validated(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            [
                "text/html",
                "application/atom+xml",
                "application/rss+xml",
                "application/xml",
                "text/plain",
            ]
            .iter()
            .any(|t| ct.starts_with(t))
        })
}

/// The per-render nonce leptos put on the page's scripts.
fn page_nonce(text: &str) -> Option<&str> {
    let start = memchr::memmem::find(text.as_bytes(), b"nonce=\"")? + "nonce=\"".len();
    let len = memchr::memchr(b'"', &text.as_bytes()[start..])?;
    Some(&text[start..start + len]).filter(|n| !n.is_empty())
}

/// A page made cacheable: the render's nonce removed, and the CSP sources
/// (`'sha256-…'`) of exactly the inline scripts that carried it.
pub struct HashedScripts {
    pub body: Bytes,
    pub sources: Vec<String>,
}

/// Leptos marks the scripts it means to run (hydration loader, resolved
/// resources) with a fresh nonce per render. A cached page is served to many
/// readers, so instead of the nonce the policy lists the hash of each of those
/// scripts, and the nonce attribute is removed. Scripts without the nonce
/// (raw HTML in a post) get no hash: they stay blocked, as before.
///
/// Every HTML response passes here, so the scans use `memchr`'s vectorised
/// substring search: with `str::find` and `str::replace` this function was
/// a twentieth of rendering a post page.
pub fn hash_inline_scripts(text: &str) -> Option<HashedScripts> {
    use base64::Engine as _;
    use memchr::memmem;
    use sha2::Digest as _;
    let nonce = page_nonce(text)?;
    let attr = format!(" nonce=\"{nonce}\"");
    let attr_finder = memmem::Finder::new(attr.as_bytes());
    let open = memmem::Finder::new(b"<script");
    let close_tag = memmem::Finder::new(b"</script");
    let mut sources = Vec::new();
    let mut rest = text.as_bytes();
    while let Some(at) = open.find(rest) {
        rest = &rest[at..];
        let Some(tag_end) = memchr::memchr(b'>', rest) else {
            break;
        };
        let tag = &rest[..tag_end];
        let content = &rest[tag_end + 1..];
        let Some(close) = close_tag.find(content) else {
            break;
        };
        // Data blocks (JSON, JSON-LD) are never executed: no hash needed.
        let data_block = memmem::find(tag, b"application/json").is_some()
            || memmem::find(tag, b"application/ld+json").is_some();
        if attr_finder.find(tag).is_some() && !data_block {
            let digest = sha2::Sha256::digest(&content[..close]);
            let source = format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            );
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        rest = &content[close..];
    }
    // leptos also writes the nonce as the `crossorigin` value of its preload
    // links; any unknown value means "anonymous", so say that, and two
    // renders of the same page are byte-identical again.
    let without = replace_all(text, &attr, "");
    let body = replace_all(
        &without,
        &format!(" crossorigin=\"{nonce}\""),
        " crossorigin=\"anonymous\"",
    );
    Some(HashedScripts {
        body: Bytes::from(body),
        sources,
    })
}

/// `text.replace(from, to)` (`from` not empty), found with `memchr`.
fn replace_all(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for at in memchr::memmem::find_iter(text.as_bytes(), from.as_bytes()) {
        out.push_str(&text[copied..at]);
        out.push_str(to);
        copied = at + from.len();
    }
    out.push_str(&text[copied..]);
    out
}

/// Hash of the body: with the nonce removed, two renders of the same page
/// are byte-identical and share an `ETag`.
fn etag_for(body: &[u8]) -> String {
    format!("W/\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(body))
}

/// `If-None-Match` matches (weak comparison, lists and `*`).
pub(super) fn none_match(headers: &HeaderMap, etag: &str) -> Option<bool> {
    let value = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    Some(value.trim() == "*" || value.split(',').any(|t| bare(t) == bare(etag)))
}

/// `If-Modified-Since` holds a date not older than `modified`. A date later
/// than the server's clock is ignored (RFC 9110 §13.1.3): it cannot come
/// from a `Last-Modified` we sent, and honouring it would pin a stale copy.
pub(super) fn not_modified_since(headers: &HeaderMap, modified: std::time::SystemTime) -> bool {
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .filter(|since| *since <= std::time::SystemTime::now())
        .is_some_and(|since| {
            // HTTP dates have whole seconds.
            let secs = |t: std::time::SystemTime| {
                t.duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
            };
            secs(modified) <= secs(since)
        })
}

/// Adds `ETag` (hash of the body) and `Last-Modified` (newest content file) to
/// successful pages and feeds, and answers `304` when the client's copy is
/// current. `HEAD` is served as `GET` without the body, so both carry the same
/// validators. The body arrives finished (`finish_pages`), nonce-free, so
/// two renders of the same page share their `ETag`.
pub async fn conditional(
    State(state): State<super::Shared>,
    mut req: Request,
    next: Next,
) -> Response {
    let is_head = req.method() == Method::HEAD;
    if !(is_head || req.method() == Method::GET) {
        return next.run(req).await;
    }
    let request_headers = req.headers().clone();
    let site = super::site_for(&state.store, req.extensions().get());
    if is_head {
        *req.method_mut() = Method::GET;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK
        || !validated(res.headers())
        || res.headers().contains_key(header::ETAG)
    {
        // Error pages (404, …) got their policy in `finish_pages`, like
        // every page.
        return strip_if_head(res, is_head);
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match collect_body(body).await {
        Ok(bytes) => bytes,
        Err(res) => return res,
    };
    let etag = etag_for(&bytes);
    if let Ok(v) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, v);
    }
    let modified = site.modified();
    if let Some(m) = modified {
        if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(m)) {
            parts.headers.insert(header::LAST_MODIFIED, v);
        }
    }
    shared_cache_headers(&mut parts.headers, &state.settings);
    let fresh = match none_match(&request_headers, &etag) {
        Some(matched) => matched,
        None => modified.is_some_and(|m| not_modified_since(&request_headers, m)),
    };
    if fresh {
        // No policy either: the browser keeps the cached page with its
        // cached policy.
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_SECURITY_POLICY);
        return Response::from_parts(parts, Body::empty());
    }
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let body = if is_head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    Response::from_parts(parts, body)
}

/// The headers that let browsers and shared caches (CDNs) keep a page or
/// feed: `Cache-Control` from the settings. Safe because every reader gets
/// the same bytes (nothing in a page depends on cookies). Set on `200` and
/// `304` alike; the page cache stores what this wrote.
pub fn shared_cache_headers(headers: &mut HeaderMap, settings: &super::SiteSettings) {
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert_with(|| settings.cache_control.clone());
}

/// Reads a whole response body, for the middlewares that rewrite or hash it;
/// a body that fails to read becomes the `500` to answer with.
async fn collect_body(body: Body) -> Result<Bytes, Response> {
    match body.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) => {
            tracing::error!("reading response body: {e}");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

/// Every HTML response, whatever its status (pages, search, the 404 and
/// error pages): leptos' markup artefacts fixed (`markup::finish`), the
/// render's nonce replaced by the hashes of its scripts, and the page's CSP
/// built from them. Runs inside `conditional` and the page cache, so what
/// they validate and store, and what `microblog export` writes, is the
/// finished page.
pub async fn finish_pages(
    State(state): State<super::Shared>,
    req: Request,
    next: Next,
) -> Response {
    let res = next.run(req).await;
    if !is_html(res.headers()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match collect_body(body).await {
        Ok(bytes) => bytes,
        Err(res) => return res,
    };
    // Not UTF-8 (never from leptos): sent as it is.
    let bytes = match std::str::from_utf8(&bytes) {
        Ok(text) => finish_page(text, &mut parts.headers, &state.settings),
        Err(_) => bytes,
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, Body::from(bytes))
}

/// One HTML page finished (see [`finish_pages`]); its CSP goes into `headers`.
fn finish_page(text: &str, headers: &mut HeaderMap, settings: &super::SiteSettings) -> Bytes {
    let finished = super::markup::finish(text).unwrap_or_else(|e| {
        // Served as rendered: invalid markup beats no page.
        tracing::error!("{e}");
        text.to_string()
    });
    // Scripts run only if their hash is in this page's policy.
    match hash_inline_scripts(&finished) {
        Some(hashed) => {
            let csp = super::ops::content_security_policy(
                &hashed.sources,
                settings.emoji_origin.as_deref(),
                settings.dev_reload,
            );
            if let Ok(v) = HeaderValue::from_str(&csp) {
                headers.insert(header::CONTENT_SECURITY_POLICY, v);
            }
            hashed.body
        }
        None => Bytes::from(finished),
    }
}

fn strip_if_head(res: Response, is_head: bool) -> Response {
    if !is_head {
        return res;
    }
    let (parts, _) = res.into_parts();
    Response::from_parts(parts, Body::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nonce goes from every place leptos writes it, the hashes are of
    /// exactly the scripts that carried it, and the rest is untouched.
    #[test]
    fn scripts_with_the_nonce_are_hashed_and_the_nonce_removed() {
        use base64::Engine as _;
        use sha2::Digest as _;
        let page = concat!(
            r#"<html><head><link rel="modulepreload" href="/pkg/a.js" crossorigin="n0nce">"#,
            r#"<script nonce="n0nce">load()</script>"#,
            r#"<script type="application/ld+json" nonce="n0nce">{"a":1}</script>"#,
            r#"</head><body><p>nonce="x" as text</p><script>blocked()</script>"#,
            r#"<script nonce="n0nce">load()</script><script nonce="n0nce">other()</script>"#,
            "</body></html>"
        );
        let hashed = hash_inline_scripts(page).expect("a nonce");
        let hash = |s: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(s))
            )
        };
        assert_eq!(hashed.sources, vec![hash("load()"), hash("other()")]);
        let expected = page
            .replace(" nonce=\"n0nce\"", "")
            .replace(" crossorigin=\"n0nce\"", " crossorigin=\"anonymous\"");
        assert_eq!(std::str::from_utf8(&hashed.body), Ok(expected.as_str()));
        assert!(hash_inline_scripts("<p>no scripts</p>").is_none());
        assert!(hash_inline_scripts(r#"<script nonce="">x()</script>"#).is_none());
    }
}
