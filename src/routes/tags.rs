//! `/tags` (every tag with its count) and `/tags/:tag[/page/:n]` (a tag's
//! posts, a page at a time, with its feed linked).

use leptos::prelude::*;

use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::{get_tag, list_tags};
use leptos_meta::Link;

use crate::components::{data_page, no_such_page, PageMeta, Pager, PostList};
use crate::model::{page_number, TagPosts, SITE_NAME, TAGS_PATH};

/// `/tags/:tag` (page 1) and `/tags/:tag/page/:n`: a tag's posts, newest
/// first, `POSTS_PER_PAGE` at a time like the home list.
#[component]
pub fn TagPage() -> impl IntoView {
    let params = use_params_map();
    data_page(
        move || {
            let p = params.read();
            (
                p.get(crate::model::segment::TAG).unwrap_or_default(),
                page_number(p.get(crate::model::segment::N).as_deref()),
            )
        },
        |(tag, page)| async move {
            match page {
                Some(page) => get_tag(tag, Some(page)).await,
                None => no_such_page(),
            }
        },
        |t, site| view! { <TagView t site /> },
    )
}

#[component]
fn TagView(t: TagPosts, site: crate::model::SiteInfo) -> impl IntoView {
    let (page, total) = (t.page, t.total_pages);
    let title = if page == 1 {
        format!("Posts tagged #{}", t.tag)
    } else {
        format!("Posts tagged #{} — page {page} of {total}", t.tag)
    };
    let description = format!("{} posts tagged {}.", t.total_posts, t.tag);
    let path = TagPosts::path(&t.tag, page);
    let prev = (page > 1).then(|| TagPosts::path(&t.tag, page - 1));
    let next = (page < total).then(|| TagPosts::path(&t.tag, page + 1));
    let feed = TagPosts::feed_path(&t.tag);
    let feed_title = format!("{SITE_NAME} — #{}", t.tag);
    view! {
        <PageMeta title=title.clone() description path site />
        <Link rel="alternate" type_="application/atom+xml" href=feed title=feed_title />
        {prev.clone().map(|href| view! { <Link rel="prev" href=href /> })}
        {next.clone().map(|href| view! { <Link rel="next" href=href /> })}
        <h1 class="page-title">{title}</h1>
        <PostList posts=t.posts />
        <Pager page total prev next />
    }
}

#[component]
pub fn TagsPage() -> impl IntoView {
    data_page(
        || (),
        |_| list_tags(),
        |tags, site| view! { <TagsView tags site /> },
    )
}

/// Every tag with its number of posts.
#[component]
fn TagsView(tags: Vec<(String, usize)>, site: crate::model::SiteInfo) -> impl IntoView {
    view! {
        <PageMeta
            title="Tags"
            description="Every topic on this blog, with its number of posts."
            path=TAGS_PATH
            site
        />
        <h1 class="page-title">"Tags"</h1>
        <ul class="tag-index">
            {tags
                .into_iter()
                .map(|(tag, n)| {
                    let href = TagPosts::path(&tag, 1);
                    view! {
                        <li>
                            <A href=href>"#"{tag}</A>
                            " "
                            <span class="count">{n}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
