//! axum glue: configuration, the router (buildable in tests without a socket),
//! and process setup.

pub mod config;

use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;

use crate::app::{shell, App};
use crate::content::ContentStore;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: ContentStore,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole site as one axum `Router`: pages, server functions, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let page_store = state.store.clone();
    let fallback_store = state.store.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(page_store.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || provide_context(fallback_store.clone()), shell
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
