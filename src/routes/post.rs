//! `/posts/:slug`: one post — header, table of contents, body with its
//! islands (copy buttons, term cards), series, related posts and neighbours.

use leptos::prelude::*;

use leptos_router::components::A;

use super::post_extras::{RelatedList, SeriesBox};
use leptos_router::hooks::use_params_map;

use crate::api::get_post;
use crate::components::{
    data_page, post_image, post_ld, CopyButtons, PageKind, PageMeta, TagList, TermCardList,
    TermCards, TocHighlight,
};
use crate::model::{Post, SiteInfo, TocEntry};

#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    data_page(
        move || {
            params
                .read()
                .get(crate::model::segment::SLUG)
                .unwrap_or_default()
        },
        get_post,
        |post, site| view! { <PostView post site /> },
    )
}

#[component]
fn PostView(post: Post, site: SiteInfo) -> impl IntoView {
    let ld = post_ld(&site, &post);
    let kind = PageKind::Article {
        published: post.meta.date.clone(),
        modified: post.updated.clone(),
        tags: post.meta.tags.clone(),
    };
    let path = Post::path(&post.meta.slug);
    let image = Some(post_image(&site, &post));
    let author = site.author_of(&post).to_string();
    let locale = crate::i18n::Locale::from_lang(&post.lang);
    let s = locale.strings();
    let meta = post.meta;
    let toc = (post.toc.len() >= 2).then(|| {
        view! {
            <TocHighlight>
                <Toc entries=post.toc locale />
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
            image
        />
        <article class="post">
            <header>
                <h1>{meta.title}</h1>
                <p class="post-meta">
                    {s.by}
                    <span class="author">{author}</span>
                    " · "
                    <time datetime=meta.date.clone()>{locale.date(&meta.date)}</time>
                    " · "
                    {meta.reading_minutes}
                    {s.min_read}
                    {post.updated.map(|u| view! { {s.updated} <time datetime=u.clone()>{locale.date(&u)}</time> })}
                </p>
                <TagList tags=meta.tags />
            </header>
            {post.series.map(|series| view! { <SeriesBox series locale /> })}
            {toc}
            <TermCards>
                <CopyButtons>
                    <div class="prose" inner_html=post.html></div>
                </CopyButtons>
                <TermCardList cards=post.terms />
            </TermCards>
            <RelatedList related=post.related locale />
            <nav class="post-nav" aria-label=s.more_posts>
                {post
                    .newer
                    .map(|(slug, title)| {
                        view! {
                            <A href=Post::path(&slug) attr:rel="prev" attr:class="newer">
                                "← " {title}
                            </A>
                        }
                    })}
                {post
                    .older
                    .map(|(slug, title)| {
                        view! {
                            <A href=Post::path(&slug) attr:rel="next" attr:class="older">
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
fn Toc(entries: Vec<TocEntry>, locale: crate::i18n::Locale) -> impl IntoView {
    let s = locale.strings();
    view! {
        <nav class="toc" aria-label=s.toc_label>
            <h2>{s.contents}</h2>
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
