//! Presentational pieces: props in, view out. No data fetching here.

use leptos::prelude::*;
use leptos_meta::{Html, Meta, Title};
use leptos_router::components::A;

use crate::app::SITE_NAME;
use crate::error::AppError;
use crate::model::PostSummary;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="skip-link" href="#content">"Skip to content"</a>
            <A href="/" attr:class="site-name">{SITE_NAME}</A>
            <nav aria-label="Main">
                <A href="/">"Home"</A>
                <A href="/about">"About"</A>
                <A href="/glossary">"Glossary"</A>
                <A href="/tags">"Tags"</A>
            </nav>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>
                "A microblog for SRE, DevOps and MLOps. Rendered on the server with "
                <a href="https://leptos.dev">"Leptos"</a> ", written in Markdown."
            </p>
        </footer>
    }
}

/// Title, description and language of the current page, placed in `<head>`.
#[component]
pub fn PageMeta(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(into, default = "en".to_string())] lang: String,
) -> impl IntoView {
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <Html {..} lang=lang />
    }
}

#[component]
pub fn TagList(tags: Vec<String>) -> impl IntoView {
    view! {
        <ul class="tags" aria-label="Tags">
            {tags
                .into_iter()
                .map(|t| {
                    let href = format!("/tags/{t}");
                    view! {
                        <li>
                            <A href=href>"#"{t}</A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
pub fn PostCard(post: PostSummary) -> impl IntoView {
    let href = format!("/posts/{}", post.slug);
    view! {
        <article class="post-card">
            <h2>
                <A href=href>{post.title}</A>
            </h2>
            <p class="post-meta">
                <time datetime=post.date>{post.date_display}</time>
                " · "
                {post.reading_minutes}
                " min read"
            </p>
            <p class="summary">{post.summary}</p>
            <TagList tags=post.tags />
        </article>
    }
}

#[component]
pub fn PostList(posts: Vec<PostSummary>) -> impl IntoView {
    view! {
        <div class="post-list">
            {posts.into_iter().map(|p| view! { <PostCard post=p /> }).collect_view()}
        </div>
    }
}

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
