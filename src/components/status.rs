//! Loading, error and not-found states.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use leptos_meta::{Html, Meta, Title};

/// A failed lookup: a missing page reads as "not found", anything else as an error.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::NotFound(_) => view! { <NotFoundBody /> }.into_any(),
        other => {
            let text = other.to_string();
            view! {
                <NoIndexMeta title="Error" />
                <section class="error-page">
                    <h1>"Something went wrong"</h1>
                    <p>{text}</p>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
pub fn NotFoundBody() -> impl IntoView {
    view! {
        <NoIndexMeta title="Page not found" />
        <section class="not-found">
            <h1>"404 — page not found"</h1>
            <p>"There is no page at this address. It may have moved, or never existed."</p>
            <p>
                <A href="/">"Back to the latest posts"</A>
            </p>
        </section>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-live="polite">"Loading…"</p> }
}

/// Head tags for error pages: a title, and a request not to index them.
#[component]
fn NoIndexMeta(#[prop(into)] title: String) -> impl IntoView {
    view! {
        <Title text=title />
        <Html {..} lang="en" />
        <Meta name="robots" content="noindex" />
    }
}
