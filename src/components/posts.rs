//! Post lists and tags.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::PostSummary;

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

/// "← Newer · Page n of m · Older →" under a paginated list (nothing when
/// everything fits on one page).
#[component]
pub fn Pager(page: u32, total: u32, prev: Option<String>, next: Option<String>) -> impl IntoView {
    (total > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|href| view! { <A href=href attr:rel="prev">"← Newer posts"</A> })}
                <span class="pager-position">{format!("Page {page} of {total}")}</span>
                {next.map(|href| view! { <A href=href attr:rel="next">"Older posts →"</A> })}
            </nav>
        }
    })
}
