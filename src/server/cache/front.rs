//! Page-cache hits, answered before the router.
//!
//! A hit needs the request's method, path and headers, and nothing of the
//! router: no route match, no layer. [`Front`] is the service the listener
//! runs (and the router's only fallback, for tests that call the router
//! directly): a hit is answered right there, from the request's parts, with
//! what every response gets (request id, access log, metrics; the security
//! headers are in the entry's stored headers). Everything else, misses
//! included, goes to the router, whose `page_cache` layer renders and
//! stores. As an axum middleware in front of the router, a hit still paid
//! for the router's dispatch, a boxed future, a clone of the boxed service
//! behind it and the request body's box (`perf`, BENCHMARKS.md, branch
//! `fastpath`).

use std::convert::Infallible;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{Method, Request};
use axum::response::Response;
use axum::Router;
use futures::future::{Either, Ready};
use tower::util::Oneshot;
use tower::{Service, ServiceExt as _};

use super::layer::serve;
use super::{request_of, PageCache};
use crate::content::Pinned;
use crate::server::{ops, Shared};

/// `microblog_page_cache_total{result="hit"}`, looked up in the recorder
/// once (after installing it: a handle taken before would count nowhere).
static HITS: LazyLock<metrics::Counter> = LazyLock::new(|| {
    ops::prometheus();
    metrics::counter!("microblog_page_cache_total", "result" => "hit")
});

/// The cache's hits in front of `router` (see the module).
#[derive(Clone)]
pub struct Front {
    state: Shared,
    cache: Arc<PageCache>,
    router: Router,
}

impl Front {
    pub fn new(state: Shared, cache: Arc<PageCache>, router: Router) -> Self {
        Front {
            state,
            cache,
            router,
        }
    }

    /// The answer to `req` from the cache, if it holds one.
    fn hit<B>(&self, req: &Request<B>) -> Option<Response> {
        let r = request_of(req.method(), req.uri())?;
        // A reload's warm-up render (pinned) must reach the renderer.
        if req.extensions().get::<Pinned>().is_some() {
            return None;
        }
        let key = r.key_ref(&self.state.store.peek(), self.state.settings.posts_per_page)?;
        let entry = self.cache.get_ref(&key)?;
        let started = std::time::Instant::now();
        HITS.increment(1);
        let id = ops::request_id(req.headers());
        let is_head = req.method() == Method::HEAD;
        let mut res = serve(&entry, req.headers(), is_head, true, &id);
        ops::record(
            req.method(),
            req.uri().path(),
            r.template,
            started,
            &id,
            &mut res,
        );
        Some(res)
    }
}

impl<B> Service<Request<B>> for Front
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, Oneshot<Router, Request<Body>>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        match self.hit(&req) {
            Some(res) => Either::Left(futures::future::ready(Ok(res))),
            None => Either::Right(self.router.clone().oneshot(req.map(Body::new))),
        }
    }
}
