use leptos::prelude::*;

use crate::live::content_version;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::get_post;
use crate::components::{post_ld, site_info, ErrorView, Loading, PageKind, PageMeta, TagList};
use crate::model::{Post, SiteInfo};

#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let post = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                content_version(),
            )
        },
        |(slug, _)| get_post(slug),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let site = site_info();
                match post.await {
                    Ok(post) => view! { <PostView post site /> }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PostView(post: Post, site: SiteInfo) -> impl IntoView {
    let ld = post_ld(&site, &post);
    let kind = PageKind::Article {
        published: post.meta.date.clone(),
        modified: post.updated.clone(),
        tags: post.meta.tags.clone(),
    };
    let path = format!("/posts/{}", post.meta.slug);
    let meta = post.meta;
    // After the body is in the page (hydration or client navigation): the
    // next frame, once a transition has swapped the new body in.
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        request_animation_frame(crate::enhance::add_copy_buttons);
    });
    let toc = (post.toc.len() >= 2).then(|| {
        view! {
            <nav class="toc" aria-label="Table of contents">
                <h2>"Contents"</h2>
                <ol>
                    {post
                        .toc
                        .into_iter()
                        .map(|e| {
                            let href = format!("#{}", e.id);
                            let class = format!("toc-h{}", e.level);
                            view! {
                                <li class=class>
                                    <a href=href>{e.text}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </nav>
        }
    });
    view! {
        <PageMeta
            title=meta.title.clone()
            description=meta.summary.clone()
            path
            site
            lang=post.lang
            kind
            json_ld=Some(ld)
        />
        <article class="post">
            <header>
                <h1>{meta.title}</h1>
                <p class="post-meta">
                    <time datetime=meta.date>{meta.date_display}</time>
                    " · "
                    {meta.reading_minutes}
                    " min read"
                    {post.updated.map(|u| view! { " · updated " <time datetime=u.clone()>{u.clone()}</time> })}
                </p>
                <TagList tags=meta.tags />
            </header>
            {toc}
            <div class="prose" inner_html=post.html></div>
            <nav class="post-nav" aria-label="More posts">
                {post
                    .newer
                    .map(|(slug, title)| {
                        view! {
                            <A href=format!("/posts/{slug}") attr:rel="prev" attr:class="newer">
                                "← " {title}
                            </A>
                        }
                    })}
                {post
                    .older
                    .map(|(slug, title)| {
                        view! {
                            <A href=format!("/posts/{slug}") attr:rel="next" attr:class="older">
                                {title} " →"
                            </A>
                        }
                    })}
            </nav>
        </article>
    }
}
