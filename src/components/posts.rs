//! Post lists and tags.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Locale;
use crate::model::{Post, PostSummary, TagPosts};

#[component]
pub fn TagList(tags: Vec<String>) -> impl IntoView {
    view! {
        <ul class="tags" aria-label=Locale::current().strings().tags_label>
            {tags
                .into_iter()
                .map(|t| {
                    let href = TagPosts::path(&t, 1);
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
    let href = Post::path(&post.slug);
    let locale = Locale::current();
    view! {
        <article class="post-card">
            <h2>
                <A href=href>{post.title}</A>
            </h2>
            <p class="post-meta">
                <time datetime=post.date.clone()>{locale.date(&post.date)}</time>
                " · "
                {post.reading_minutes}
                {locale.strings().min_read}
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
