//! Loading, error and not-found states.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::model::PostListPage;
use leptos_meta::{Html, Meta, Title};

/// A failed lookup: a missing page reads as "not found", anything else as an error.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::NotFound(_) => view! { <NotFoundBody /> }.into_any(),
        other => {
            let text = other.to_string();
            let s = crate::i18n::Locale::current().strings();
            view! {
                <NoIndexMeta title=s.error_title />
                <section class="error-page">
                    <h1>{s.error_heading}</h1>
                    <p>{text}</p>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
pub fn NotFoundBody() -> impl IntoView {
    let s = crate::i18n::Locale::current().strings();
    view! {
        <NoIndexMeta title=s.not_found_title />
        <section class="not-found">
            <h1>{s.not_found_heading}</h1>
            <p>{s.not_found_text}</p>
            <p>
                <A href=PostListPage::path(1)>{s.not_found_back}</A>
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
        <Html {..} lang=match crate::i18n::Locale::current() {
            crate::i18n::Locale::En => "en",
            crate::i18n::Locale::Es => "es",
        } />
        <Meta name="robots" content="noindex" />
    }
}
