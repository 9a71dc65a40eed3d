use leptos::prelude::*;

use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::{get_tag, list_tags};
use leptos_meta::Link;

use crate::components::{site_info, ErrorView, Loading, PageMeta, PostList};

#[component]
pub fn TagPage() -> impl IntoView {
    let params = use_params_map();
    let tag = Resource::new(
        move || params.read().get("tag").unwrap_or_default(),
        get_tag,
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match tag.await {
                    Ok(t) => {
                        let title = format!("Posts tagged #{}", t.tag);
                        let description = format!("{} posts tagged {}.", t.posts.len(), t.tag);
                        let path = format!("/tags/{}", t.tag);
                        let feed = format!("/tags/{}/feed.xml", t.tag);
                        let feed_title = format!("microblog — #{}", t.tag);
                        view! {
                            <PageMeta title=title.clone() description path site />
                            <Link
                                rel="alternate"
                                type_="application/atom+xml"
                                href=feed
                                title=feed_title
                            />
                            <h1 class="page-title">{title}</h1>
                            <PostList posts=t.posts />
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn TagsPage() -> impl IntoView {
    let tags = Resource::new(|| (), |_| list_tags());
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match tags.await {
                    Ok(tags) => view! {
                        <PageMeta
                            title="Tags"
                            description="Every topic on this blog, with its number of posts."
                            path="/tags"
                            site
                        />
                        <h1 class="page-title">"Tags"</h1>
                        <ul class="tag-index">
                            {tags
                                .into_iter()
                                .map(|(tag, n)| {
                                    let href = format!("/tags/{tag}");
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
                    .into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
