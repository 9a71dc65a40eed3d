//! microblog: a Leptos full-stack blog. The same crate builds the server
//! (feature `ssr`) and the browser bundle (feature `hydrate`).

// Deeply nested views make deep types in the hydrate build.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod escape;
pub mod first_paint;
pub mod i18n;
pub mod ids;
pub mod live;
pub mod model;
pub mod navigation;
pub mod routes;
pub mod search_rank;
pub mod static_search;
pub mod text;

#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod server;

/// Whether a query has a word of two letters or more (shared by the search
/// page and the header's live search, on both sides of the wire).
pub fn content_query_is_searchable(q: &str) -> bool {
    q.chars()
        .take(100)
        .collect::<String>()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.chars().count() >= 2)
}

/// Browser entry point, called by leptos' island loader before it hydrates
/// each `<leptos-island>` of the page (everything else stays server HTML).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The loader hydrates the islands right after this returns, in one run of
    // promise jobs; a timeout fires after all of them. Tests and scripts wait
    // for this marker instead of guessing when the page became interactive.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
