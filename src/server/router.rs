//! The site's router: which handler answers which path, and the stack of
//! layers (HTTP semantics, cache, limits, logging) every response passes.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

use super::{cache, feeds, guard, http, images, ops, search_page, watch};
use super::{AppState, Shared};
use crate::app::{shell, App};
use crate::model::{Paging, Route, Served};

/// The same request, bodiless, to look for a file (GET and HEAD only).
fn file_probe(req: &axum::extract::Request) -> Option<axum::extract::Request> {
    if !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        return None;
    }
    let mut probe = axum::http::Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone());
    for (name, value) in req.headers() {
        probe = probe.header(name, value);
    }
    probe.body(axum::body::Body::empty()).ok()
}

/// A file under the site root (`/pkg/…`, favicon, images), honouring the
/// request's conditional and encoding headers; `None` when there is no file.
async fn static_file(options: LeptosOptions, probe: axum::extract::Request) -> Option<Response> {
    use tower::ServiceExt;
    use tower_http::services::ServeDir;
    let pkg_prefix = format!("/{}/", options.site_pkg_dir.trim_matches('/'));
    let hashed = options.hash_files && probe.uri().path().starts_with(&pkg_prefix);
    let res = ServeDir::new(&*options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .oneshot(probe)
        .await
        .ok()?;
    // A server error here is the file system refusing a hostile path (a name
    // too long, …): for the client that is simply no such file.
    if matches!(
        res.status(),
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
    ) || res.status().is_server_error()
    {
        if res.status().is_server_error() {
            tracing::debug!(status = %res.status(), "static file lookup failed; answering not found");
        }
        return None;
    }
    let mut res = res.into_response();
    // A hashed name never changes content: cache it for a year. Anything else
    // (favicon, images) is revalidated, a cheap 304.
    let policy = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static(policy),
    );
    // `.br`/`.gz` siblings are chosen by Accept-Encoding: caches must key on it.
    if !res.headers().contains_key(header::VARY) {
        res.headers_mut().insert(
            header::VARY,
            axum::http::HeaderValue::from_static("accept-encoding"),
        );
    }
    Some(res)
}

/// Longest request body accepted (server-function arguments are small).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest a request may take before it is answered `408`.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Wraps `routes` in the HTTP semantics and the safety net every response
/// gets. Separate from [`router`] so tests can harden routes of their own
/// (a panicking or slow handler) and check the net holds.
pub fn harden<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    state: &AppState,
    timeout: std::time::Duration,
) -> Router<S> {
    let pages = Arc::new(cache::PageCache::new(state.settings.page_cache));
    harden_with(routes, state, timeout, pages).0
}

/// The hardened router, and the part of it that renders a page (validators
/// and CSP included) without the cache, logging or limits around it: what a
/// reload renders changed pages with before it is published.
fn harden_with<S: Clone + Send + Sync + 'static>(
    routes: Router<S>,
    state: &AppState,
    timeout: std::time::Duration,
    pages: Arc<cache::PageCache>,
) -> (Router<S>, Router<S>) {
    use tower_http::catch_panic::CatchPanicLayer;
    use tower_http::compression::CompressionLayer;
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;

    let state = Shared(Arc::new(state.clone()));
    // Innermost first: every HTML response is finished (valid markup, script
    // hashes, CSP), validators see the uncompressed page, and the cache
    // stores what they produced and serves it before anything renders.
    let rendering = routes
        // Innermost: a plain `/api/search` request is answered before the
        // server function it stands in for (`search_api`).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::search_api::answer,
        ))
        .layer(axum::middleware::from_fn(guard::server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::finish_pages,
        ))
        // Searchable `/search?q=…` pages from a template per snapshot, cut
        // from the finished page: only their validators are added outside.
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), Arc::new(search_page::Templates::default())),
            search_page::search_page,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::conditional,
        ));
    let hardened = rendering
        .clone()
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), pages),
            cache::page_cache,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::redirects,
        ))
        // Cached pages arrive compressed (once); what is left is dynamic
        // (search, API), compressed per answer on the request path. At
        // quality 4 brotli was the largest single cost of a search answer at
        // 10k posts (36 % of its CPU); quality 1 (brotli and gzip) keeps most
        // of the saving on small JSON for a fraction of the time
        // (BENCHMARKS.md).
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(tower_http::CompressionLevel::Precise(1)),
        )
        .layer(axum::middleware::from_fn(ops::observe))
        .layer(CatchPanicLayer::custom(ops::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Outermost: the 500, 408 and 413 answers made above get them too.
        .layer(axum::middleware::from_fn(ops::security_headers));
    (hardened, rendering)
}

/// The site's router with handles on its page cache.
pub struct Assembled {
    /// The whole site as a `Router` (tests call it directly).
    pub app: Router,
    /// The same site as the listener serves it: cache hits are answered
    /// before any routing (`app` wraps this in a router).
    pub front: cache::Front,
    pub pages: Arc<cache::PageCache>,
    /// Search answers (`cache::answers`).
    pub answers: Arc<cache::AnswerCache>,
    /// Publishes content reloads, rendering the changed cached pages first.
    pub warmer: cache::Warmer,
}

/// Where Prometheus reads the metrics, on the `METRICS_ADDR` listener.
pub const METRICS_PATH: &str = "/metrics";

/// The metrics listener's router: `/metrics` only. It is kept off the site's
/// router so a public port never exposes it; its own requests are not
/// counted in `http_requests_total` (scrapes are not traffic).
pub fn metrics_router(state: AppState) -> Router {
    ops::prometheus();
    Router::new()
        .route(METRICS_PATH, get(ops::metrics_handler))
        .layer(axum::middleware::from_fn(ops::security_headers))
        .with_state(state)
}

/// The whole site as one axum `Router`: pages, server functions, feeds, probes
/// and static files, with the HTTP semantics around them. `/metrics` is not
/// here: see [`metrics_router`].
pub fn router(state: AppState) -> Router {
    assemble(state).app
}

/// [`router`], with the page cache and the reload warmer it uses.
pub fn assemble(state: AppState) -> Assembled {
    ops::prometheus();
    let shared = Shared(Arc::new(state.clone()));
    let routes = generate_route_list(App);
    let context = {
        let store = state.store.clone();
        let settings = state.settings.clone();
        move || {
            provide_context(store.clone());
            provide_context(settings.info.clone());
            // The data layer reads only this of the settings (no import of
            // `server` from `api`).
            provide_context(Paging {
                posts_per_page: settings.posts_per_page,
            });
        }
    };
    let options = state.leptos_options.clone();
    let cards = Arc::new(images::CardCache::new(state.settings.card_cache));
    let mut router = Router::new()
        .route(ops::HEALTHZ_PATH, get(ops::healthz))
        .route(ops::READYZ_PATH, get(ops::readyz));
    // Every route of the table the app does not render; the app's pages
    // come from `generate_route_list` (the app builds them from the table).
    for route in Route::ALL {
        if route.served_by() == Served::Page {
            continue;
        }
        let handler = match route {
            Route::AtomFeed => get(feeds::serve_atom),
            Route::RssFeed => get(feeds::serve_rss),
            Route::TagFeed => get(feeds::serve_tag_atom),
            Route::Sitemap => get(feeds::serve_sitemap),
            Route::Robots => get(feeds::serve_robots),
            Route::Image | Route::PostFile => get(images::serve),
            Route::Card => get(images::card).layer(axum::Extension(cards.clone())),
            // Pages, skipped above; `route_table.rs` checks that every
            // route of the table answers under its template.
            _ => continue,
        };
        router = router.route(route.template(), handler);
    }
    let mut router = router
        .leptos_routes_with_context(&shared, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback({
            let not_found =
                leptos_axum::file_and_error_handler_with_context::<Shared, _>(context, shell);
            move |uri: axum::http::Uri, state: State<Shared>, req: axum::extract::Request| {
                let not_found = not_found.clone();
                let probe = file_probe(&req);
                let options = state.0.leptos_options.clone();
                async move {
                    if let Some(probe) = probe {
                        if let Some(res) = static_file(options, probe).await {
                            return res;
                        }
                    }
                    not_found(uri, state, req).await
                }
            }
        });
    if guard::panic_route_enabled() {
        tracing::warn!(
            "serving {} (debug build, MICROBLOG_PANIC_ROUTE=1)",
            guard::PANIC_PATH
        );
        router = router.route(guard::PANIC_PATH, get(guard::deliberate_panic));
    }
    let pages = Arc::new(cache::PageCache::new(state.settings.page_cache));
    let (hardened, rendering) = harden_with(router, &state, REQUEST_TIMEOUT, pages.clone());
    router = hardened;
    let warmer = cache::Warmer::new(
        rendering.with_state(shared.clone()),
        pages.clone(),
        state.settings.posts_per_page,
    );
    // The event stream lives as long as the page: outside the timeout.
    if state.live.is_some() {
        router = router.route(
            crate::model::EVENTS_PATH,
            get(watch::events).layer(axum::middleware::from_fn(ops::security_headers)),
        );
    }
    // Repeated searches are answered in front of the routing
    // (`cache::answers`), and cache hits in front of everything
    // (`cache::Front`).
    let answers = Arc::new(cache::AnswerCache::new(state.settings.search_cache));
    let app = router.with_state(shared.clone());
    let routed = Router::new()
        .fallback_service(app)
        .layer(axum::middleware::from_fn_with_state(
            (shared.clone(), answers.clone()),
            cache::answers::answers,
        ));
    let front = cache::Front::new(shared, pages.clone(), routed);
    Assembled {
        app: Router::new().fallback_service(front.clone()),
        front,
        pages,
        answers,
        warmer,
    }
}
