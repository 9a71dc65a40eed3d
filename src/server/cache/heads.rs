//! The response headers of a stored answer, made once per entry.
//!
//! Every answer of an entry carries the same headers but for its encoding:
//! validators, `Vary`, `Cache-Control`, the page's CSP and the security
//! headers every response gets. Building them per request (a dozen inserts
//! into a growing `HeaderMap`, each name hashed, then the security headers
//! looked up and added) was about 5 % of a cached page's CPU; cloning a
//! finished map is two allocations and a copy (`perf`, BENCHMARKS.md,
//! branch `fastpath`). The bytes on the wire are the same, in the same
//! order.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};

use super::{Entry, X_CACHE};
use crate::server::ops::{add_security_headers, REQUEST_ID};

/// The headers of each answer [`layer::serve`](super::layer) gives.
#[derive(Debug, Clone, Default)]
pub(super) struct Heads {
    pub identity: HeaderMap,
    pub gzip: HeaderMap,
    pub br: HeaderMap,
    /// Of a `304`: the validators, no body headers, no CSP (the browser
    /// keeps the one it stored with the page).
    pub not_modified: HeaderMap,
}

impl Heads {
    fn of(entry: &Entry) -> Heads {
        let mut common = HeaderMap::with_capacity(16);
        common.insert(X_CACHE.clone(), HeaderValue::from_static("hit"));
        if let Some(v) = &entry.etag {
            common.insert(header::ETAG, v.clone());
        }
        if let Some(v) = &entry.last_modified {
            common.insert(header::LAST_MODIFIED, v.clone());
        }
        common.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(v) = &entry.cache_control {
            common.insert(header::CACHE_CONTROL, v.clone());
        }
        let mut not_modified = common.clone();
        add_security_headers(StatusCode::NOT_MODIFIED, &mut not_modified);
        let not_modified = with_id_slot(not_modified);
        let full = |encoding: Option<&'static str>, body: &Bytes| {
            let mut h = common.clone();
            h.insert(header::CONTENT_TYPE, entry.content_type.clone());
            if let Some(v) = &entry.csp {
                h.insert(header::CONTENT_SECURITY_POLICY, v.clone());
            }
            if let Some(encoding) = encoding {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            add_security_headers(StatusCode::OK, &mut h);
            with_id_slot(h)
        };
        Heads {
            identity: full(None, &entry.identity),
            gzip: full(Some("gzip"), &entry.gzip),
            br: full(Some("br"), &entry.br),
            not_modified,
        }
    }
}

/// `h` with `x-request-id` last, where every response has it: `serve`
/// sets the request's id in place. (A clone of a map has no room to spare:
/// adding the id afterwards grew and moved it.)
fn with_id_slot(mut h: HeaderMap) -> HeaderMap {
    h.insert(REQUEST_ID.clone(), HeaderValue::from_static("-"));
    h
}

impl Entry {
    /// The entry with its headers made: every constructor ends here.
    pub(super) fn finish(mut self) -> Entry {
        self.heads = Heads::of(&self);
        self
    }

    /// The entry with its best-compression variants (new lengths: new heads).
    pub(super) fn recompressed(mut self, gzip: Bytes, br: Bytes) -> Entry {
        self.gzip = gzip;
        self.br = br;
        self.best = true;
        self.finish()
    }
}
