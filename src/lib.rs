//! microblog: a Leptos full-stack blog. The same crate builds the server
//! (feature `ssr`) and the browser bundle (feature `hydrate`).

// Deeply nested views make deep types in the hydrate build.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod enhance;
pub mod error;
pub mod escape;
pub mod live;
pub mod model;
pub mod routes;
pub mod text;

#[cfg(feature = "ssr")]
pub mod content;
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

/// Browser entry point: attaches to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::*;
    console_error_panic_hook::set_once();
    let info: model::SiteInfo = document()
        .get_element_by_id(components::SITE_INFO_ID)
        .and_then(|el| el.text_content())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let theme = document()
        .document_element()
        .and_then(|el| el.get_attribute("data-theme"))
        .map(|t| model::Theme::parse(&t))
        .unwrap_or_default();
    leptos::mount::hydrate_body(move || {
        provide_context(info);
        provide_context(theme);
        view! { <app::App /> }
    });
}
