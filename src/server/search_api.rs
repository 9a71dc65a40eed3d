//! `GET /api/search?q=…` answered inside the router without leptos'
//! server-function machinery: the same JSON (`Site::search_json`, the
//! bytes the `search` server function serialises) and the same status and
//! content type, compressed in one call.
//!
//! Why: with every answer computed (`SEARCH_CACHE_ENTRIES=0`), the server
//! function's path was a fixed cost on top of the search itself — a
//! reactive owner and five contexts per request, the request parts copied,
//! the query string parsed by `serde_qs`, the answer built as owned strings
//! and serialised — and the router's `CompressionLayer` then compressed
//! the body as a stream, allocating its encoder's buffers per response
//! (BENCHMARKS.md, branch `searchapi`).
//!
//! Only the plain request takes this path: a `GET` whose query string is
//! exactly `q=…`, percent-encoded UTF-8, without the characters `serde_qs`
//! reads as structure, once a search index exists. Anything else (no or
//! two `q`, other parameters, invalid UTF-8, the server's first index not
//! built yet) goes on to the server function as before, which answers
//! errors with their status and waits for the index off the workers. The
//! layer sits innermost, so the validators, the access log and the
//! security headers are the router's as for any response.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::Shared;

/// Answers shorter than this are left to the router's `CompressionLayer`
/// uncompressed (it decides as for any response: below 32 bytes it sends
/// them as they are). Compressing here pays on the common answers, a few
/// KB; a no-hit answer is ~40 bytes.
const COMPRESS_FROM: usize = 512;

/// The server function's path (`/api/search`).
fn path() -> &'static str {
    <crate::api::Search as leptos::server_fn::ServerFn>::PATH
}

/// The query of a query string that is exactly `q=…` (`+` for a space,
/// percent-encoded UTF-8), decoded as `serde_qs` decodes it; `None` for any
/// other shape (then the server function answers).
fn plain_query(query_string: &str) -> Option<String> {
    let value = query_string.strip_prefix("q=")?;
    // Another parameter, a second `q`, or brackets (nesting to serde_qs).
    if value
        .bytes()
        .any(|b| matches!(b, b'&' | b'=' | b'[' | b']' | b';'))
    {
        return None;
    }
    let spaced = value.replace('+', " ");
    let decoded = percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .ok()?;
    if decoded.contains(['[', ']']) {
        return None;
    }
    Some(decoded.into_owned())
}

/// Middleware: answers a plain search request (see the module doc), and
/// passes every other request on.
pub async fn answer(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || req.uri().path() != path() {
        return next.run(req).await;
    }
    let Some(query) = req.uri().query().and_then(plain_query) else {
        return next.run(req).await;
    };
    let site = super::site_for(&state.store, req.extensions().get());
    if site.search_index_id().is_none() {
        return next.run(req).await;
    }
    let json = site.search_json(&query);
    let encoding = if json.len() >= COMPRESS_FROM {
        super::cache::choose_encoding(req.headers())
    } else {
        None
    };
    let (body, encoding) = match encoding {
        Some(e) => match super::cache::encode_answer_as(&json, e) {
            Ok(bytes) => (bytes, Some(e)),
            Err(err) => {
                // Sent as it is; the CompressionLayer may still compress it.
                tracing::warn!("search answer not compressed: {err}");
                (json, None)
            }
        },
        None => (json, None),
    };
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::plain_query;

    #[test]
    fn only_a_lone_well_formed_q_is_taken() {
        assert_eq!(plain_query("q=terraform").as_deref(), Some("terraform"));
        assert_eq!(
            plain_query("q=terraform+rollback").as_deref(),
            Some("terraform rollback")
        );
        assert_eq!(
            plain_query("q=terraform%20rollback%2B").as_deref(),
            Some("terraform rollback+")
        );
        assert_eq!(plain_query("q=espa%C3%B1ol").as_deref(), Some("español"));
        assert_eq!(plain_query("q=").as_deref(), Some(""));
        for other in [
            "",
            "x=1",
            "q",
            "q=a&q=b",
            "q=a&page=2",
            "page=2&q=a",
            "q=a=b",
            "q[]=a",
            "q=a%5Bb%5D",
            "q=%FF",
            "q=a;b",
        ] {
            assert_eq!(plain_query(other), None, "{other}");
        }
    }
}
