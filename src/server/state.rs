//! The state every handler and middleware shares: the site's settings, the
//! content store and the process' handles. A leaf of `server/`: it names no
//! route and no page, so the router, the middlewares and the tests can all
//! depend on it without depending on each other.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::{cache, config, ops, watch};
use crate::content::{ContentStore, Pinned, Site};
use crate::model::SiteInfo;

/// Site-wide settings. Pages and server functions see only the parts the
/// router provides as context (`SiteInfo`, `model::Paging`), never this.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub info: SiteInfo,
    pub posts_per_page: usize,
    /// Origin of the custom emoji images, allowed by the CSP (`None`: same site).
    pub emoji_origin: Option<String>,
    /// Development: allow cargo-leptos' live-reload websocket in the CSP.
    pub dev_reload: bool,
    /// Budget of the rendered-response cache.
    pub page_cache: cache::Limits,
    /// Most search answers held (`SEARCH_CACHE_ENTRIES`; 0: none).
    pub search_cache: usize,
    /// Most bytes of social cards held (`CARD_CACHE_MB`; 0: none).
    pub card_cache: usize,
    /// `Cache-Control` of pages and feeds (`CACHE_CONTROL`; `no-cache` while
    /// the content is watched, so an author never sees a stale page).
    pub cache_control: axum::http::HeaderValue,
    /// Answer searchable `/search?q=…` pages from the page rendered once
    /// per snapshot (`search_page`). Always on in a server; tests turn it
    /// off to compare with the full render.
    pub search_page_template: bool,
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            info: SiteInfo {
                url: "http://127.0.0.1:3000".into(),
                description: DEFAULT_DESCRIPTION.into(),
                live_reload: false,
                author: config::DEFAULT_AUTHOR.into(),
            },
            posts_per_page: 10,
            emoji_origin: Some(origin_of(crate::markdown::emoji::DEFAULT_EMOJI_BASE_URL)),
            dev_reload: false,
            page_cache: cache::Limits::default(),
            search_cache: cache::answers::DEFAULT_ENTRIES,
            card_cache: super::images::DEFAULT_CARD_CACHE_MB * 1024 * 1024,
            cache_control: axum::http::HeaderValue::from_static(config::DEFAULT_CACHE_CONTROL),
            search_page_template: true,
        }
    }
}

/// `https://host:port` of an absolute URL; `None` for a site path.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

pub const DEFAULT_DESCRIPTION: &str =
    "Notes on SRE, DevOps and MLOps: infrastructure as code, observability, Python and Rust.";

impl SiteSettings {
    pub fn from_config(config: &config::Config, live_reload: bool, dev_reload: bool) -> Self {
        SiteSettings {
            info: SiteInfo {
                url: config.site_url.clone(),
                description: DEFAULT_DESCRIPTION.into(),
                live_reload,
                author: config.site_author.clone(),
            },
            posts_per_page: config.posts_per_page,
            emoji_origin: config
                .emoji_base_url
                .contains("://")
                .then(|| origin_of(&config.emoji_base_url)),
            dev_reload,
            page_cache: config.page_cache,
            search_cache: config.search_cache,
            card_cache: config.card_cache,
            cache_control: if live_reload {
                axum::http::HeaderValue::from_static("no-cache")
            } else {
                axum::http::HeaderValue::from_str(&config.cache_control).unwrap_or_else(|_| {
                    axum::http::HeaderValue::from_static(config::DEFAULT_CACHE_CONTROL)
                })
            },
            search_page_template: true,
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
    /// Cleared on SIGTERM: `/readyz` then answers 503.
    pub readiness: ops::Readiness,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// [`AppState`] behind one `Arc`: the router's state and the middlewares'.
/// axum clones a route's service (state included) in every `from_fn` layer
/// of every request; cloning `LeptosOptions` there took ~15% of the CPU of a
/// cached page, an `Arc` clone takes none of it.
#[derive(Clone)]
pub struct Shared(pub Arc<AppState>);

impl std::ops::Deref for Shared {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl FromRef<Shared> for LeptosOptions {
    fn from_ref(state: &Shared) -> Self {
        state.0.leptos_options.clone()
    }
}

impl FromRef<Shared> for AppState {
    fn from_ref(state: &Shared) -> Self {
        (*state.0).clone()
    }
}

/// The snapshot a request is answered from: the one pinned on it (see
/// [`Pinned`]), else the current one.
pub fn site_for(store: &ContentStore, pinned: Option<&Pinned>) -> Arc<Site> {
    match pinned {
        Some(Pinned(site)) => site.clone(),
        None => store.snapshot(),
    }
}
