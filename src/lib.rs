//! microblog: a Leptos full-stack blog. The same crate builds the server
//! (feature `ssr`) and the browser bundle (feature `hydrate`).

pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod model;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod markdown;
#[cfg(feature = "ssr")]
pub mod server;

/// Browser entry point: attaches to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
