use leptos::prelude::*;

use leptos_router::components::A;

use super::post_islands::{CopyButtons, TermCards, TocHighlight, TERM_CARDS_ID};
use leptos_router::hooks::use_params_map;

use crate::api::get_post;
use crate::components::{post_ld, site_info, ErrorView, Loading, PageKind, PageMeta, TagList};
use crate::model::{Post, SiteInfo, TermCard, TocEntry};

#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let post = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        get_post,
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
    let toc = (post.toc.len() >= 2).then(|| {
        view! {
            <TocHighlight>
                <Toc entries=post.toc />
            </TocHighlight>
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
            <TermCards>
                <CopyButtons>
                    <div class="prose" inner_html=post.html></div>
                </CopyButtons>
                <TermCardList cards=post.terms />
            </TermCards>
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

/// Headings of the post, as server HTML.
#[component]
fn Toc(entries: Vec<TocEntry>) -> impl IntoView {
    view! {
        <nav class="toc" aria-label="Table of contents">
            <h2>"Contents"</h2>
            <ol>
                {entries
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
}

/// The definitions of the glossary terms the post links to. Without
/// JavaScript they stay hidden and the links lead to the glossary.
#[component]
fn TermCardList(cards: Vec<TermCard>) -> impl IntoView {
    view! {
        <div id=TERM_CARDS_ID class="term-cards">
            {cards
                .into_iter()
                .map(|card| {
                    view! {
                        <div class="term-card" role="tooltip" id=format!("term-card-{}", card.id) hidden>
                            <strong>{card.term}</strong>
                            " "
                            {card.summary}
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}
