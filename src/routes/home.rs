//! `/` and `/page/:n`: the list of posts, newest first, a page at a time;
//! the entry point of the site.

use leptos::prelude::*;

use leptos_meta::Link;
use leptos_router::hooks::use_params_map;

use crate::api::list_posts;
use crate::components::{data_page, no_such_page, website_ld, PageMeta, Pager, PostList};
use crate::model::{page_number, PostListPage};

/// `/` (page 1) and `/page/:n`: the posts, newest first, a page at a time.
#[component]
pub fn HomePage() -> impl IntoView {
    let params = use_params_map();
    let page = move || page_number(params.read().get(crate::model::segment::N).as_deref());
    data_page(
        page,
        |page| async move {
            match page {
                Some(p) => list_posts(p).await,
                None => no_such_page(),
            }
        },
        |list, site| view! { <HomeView list site /> },
    )
}

#[component]
fn HomeView(list: PostListPage, site: crate::model::SiteInfo) -> impl IntoView {
    let page = list.page;
    let total = list.total_pages;
    let path = PostListPage::path(page);
    let title = if page == 1 {
        String::new()
    } else {
        format!("Posts, page {page} of {total}")
    };
    let prev = (page > 1).then(|| PostListPage::path(page - 1));
    let next = (page < total).then(|| PostListPage::path(page + 1));
    let ld = (page == 1).then(|| website_ld(&site));
    let description = site.description.clone();
    view! {
        <PageMeta title description path site json_ld=ld />
        {prev.clone().map(|href| view! { <Link rel="prev" href=href /> })}
        {next.clone().map(|href| view! { <Link rel="next" href=href /> })}
        <h1 class="page-title">
            {if page == 1 { "Latest posts".to_string() } else { format!("Posts — page {page}") }}
        </h1>
        <PostList posts=list.posts />
        <Pager page total prev next />
    }
}
