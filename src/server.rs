//! axum glue: configuration, the router (buildable in tests without a socket),
//! feeds, and the HTTP semantics around pages.

pub mod config;
pub mod feeds;
pub mod http;
pub mod watch;

use std::sync::Arc;

use axum::extract::{FromRef, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;

use crate::app::{shell, App};
use crate::content::ContentStore;
use crate::model::SiteInfo;

/// Site-wide settings that pages and server functions read.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub info: SiteInfo,
    pub posts_per_page: usize,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            info: SiteInfo {
                url: "http://127.0.0.1:3000".into(),
                description: DEFAULT_DESCRIPTION.into(),
                live_reload: false,
            },
            posts_per_page: 10,
        }
    }
}

pub const DEFAULT_DESCRIPTION: &str =
    "Notes on SRE, DevOps and MLOps: infrastructure as code, observability, Python and Rust.";

impl SiteSettings {
    pub fn from_config(config: &config::Config, live_reload: bool) -> Self {
        SiteSettings {
            info: SiteInfo {
                url: config.site_url.clone(),
                description: DEFAULT_DESCRIPTION.into(),
                live_reload,
            },
            posts_per_page: config.posts_per_page,
        }
    }
}

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: ContentStore,
    pub settings: Arc<SiteSettings>,
    /// Present when the content folder is watched (author mode).
    pub live: Option<watch::LiveReload>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn atom_feed(State(state): State<AppState>) -> Response {
    let site = state.store.snapshot();
    match feeds::atom(&site, &state.settings.info, None) {
        Some(body) => xml("application/atom+xml; charset=utf-8", body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn tag_feed(State(state): State<AppState>, Path(tag): Path<String>) -> Response {
    let site = state.store.snapshot();
    match feeds::atom(&site, &state.settings.info, Some(&tag)) {
        Some(body) => xml("application/atom+xml; charset=utf-8", body),
        None => (StatusCode::NOT_FOUND, "no such tag").into_response(),
    }
}

async fn rss_feed(State(state): State<AppState>) -> Response {
    let site = state.store.snapshot();
    xml(
        "application/rss+xml; charset=utf-8",
        feeds::rss(&site, &state.settings.info),
    )
}

async fn sitemap(State(state): State<AppState>) -> Response {
    let site = state.store.snapshot();
    xml(
        "application/xml; charset=utf-8",
        feeds::sitemap(&site, &state.settings.info, state.settings.posts_per_page),
    )
}

async fn robots(State(state): State<AppState>) -> Response {
    xml(
        "text/plain; charset=utf-8",
        feeds::robots(&state.settings.info),
    )
}

/// The whole site as one axum `Router`: pages, server functions, feeds, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let store = state.store.clone();
        let settings = state.settings.clone();
        move || {
            provide_context(store.clone());
            provide_context(settings.info.clone());
            provide_context(settings.clone());
        }
    };
    let options = state.leptos_options.clone();
    let mut router = Router::new();
    if state.live.is_some() {
        router = router.route(crate::model::EVENTS_PATH, get(watch::events));
    }
    router
        .route("/feed.xml", get(atom_feed))
        .route("/rss.xml", get(rss_feed))
        .route("/tags/{tag}/feed.xml", get(tag_feed))
        .route("/sitemap.xml", get(sitemap))
        .route("/robots.txt", get(robots))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::conditional,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::redirects,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
