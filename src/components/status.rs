//! Loading, error and not-found states.

use leptos::prelude::*;
use leptos_router::components::A;

use super::PageMeta;
use crate::error::AppError;

/// A failed lookup: a missing page reads as "not found", anything else as an error.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::NotFound(_) => view! { <NotFoundBody /> }.into_any(),
        other => {
            let text = other.to_string();
            view! {
                <PageMeta title="Error" description="Something went wrong." />
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
        <PageMeta title="Page not found" description="This page does not exist." />
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
