//! Head tags of the current page: title, description, language, canonical URL,
//! Open Graph, Twitter card and JSON-LD. Rendered in the first response, so
//! crawlers without JavaScript see them.

use leptos::prelude::*;
use leptos_meta::{Html, Link, Meta, Script, Title};
use serde_json::{json, Value};

use crate::model::{card_path, Glossary, Page, Post, PostListPage, SiteInfo, SITE_NAME};

/// Site-wide facts, provided as context by the server (pages are rendered
/// there only; islands do not need them).
pub fn site_info() -> SiteInfo {
    use_context::<SiteInfo>().unwrap_or_default()
}

/// What kind of thing the page is, for Open Graph.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum PageKind {
    #[default]
    Website,
    /// A post: `(published, modified, tags)`.
    Article {
        published: String,
        modified: Option<String>,
        tags: Vec<String>,
    },
}

/// JSON for a `<script type="application/ld+json">` (see `escape::script_json`).
pub fn ld_json(value: &Value) -> String {
    crate::escape::script_json(&value.to_string())
}

pub fn website_ld(site: &SiteInfo) -> String {
    ld_json(&json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": SITE_NAME,
        "url": site.absolute(&PostListPage::path(1)),
        "description": site.description,
    }))
}

pub fn post_ld(site: &SiteInfo, post: &Post) -> String {
    let url = site.absolute(&Post::path(&post.meta.slug));
    ld_json(&json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.meta.title,
        "description": post.meta.summary,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": post.meta.date,
        "dateModified": post.updated.clone().unwrap_or_else(|| post.meta.date.clone()),
        "inLanguage": post.lang,
        "keywords": post.meta.tags.join(", "),
        "wordCount": post.words,
        "image": post_image(site, post),
        "author": { "@type": "Person", "name": site.author_of(post), "url": site.absolute(Page::ABOUT_PATH) },
    }))
}

/// The absolute URL of a post's social image: its `image:`, else its
/// generated card.
pub fn post_image(site: &SiteInfo, post: &Post) -> String {
    match &post.image {
        Some(url) => site.absolute_or_given(url),
        None => site.absolute(&card_path(&post.meta.slug)),
    }
}

/// The site-wide social image (`public/social.png`).
pub const DEFAULT_SOCIAL_IMAGE: &str = crate::model::SOCIAL_IMAGE_PATH;

pub fn glossary_ld(site: &SiteInfo, glossary: &Glossary) -> String {
    let set_url = site.absolute(Glossary::PATH);
    let terms: Vec<Value> = glossary
        .terms
        .iter()
        .map(|t| {
            json!({
                "@type": "DefinedTerm",
                "name": t.term,
                "alternateName": t.aliases,
                "url": format!("{set_url}#{}", t.id),
                "inDefinedTermSet": set_url,
            })
        })
        .collect();
    ld_json(&json!({
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": glossary.title,
        "description": glossary.summary,
        "url": set_url,
        "inLanguage": glossary.lang,
        "hasDefinedTerm": terms,
    }))
}

/// Everything `<head>` says about one page.
#[component]
pub fn PageMeta(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    /// Site path of the page; the canonical URL is `SITE_URL` + this.
    #[prop(into)]
    path: String,
    site: SiteInfo,
    #[prop(into, default = "en".to_string())] lang: String,
    #[prop(optional)] kind: PageKind,
    /// Pre-built JSON-LD (see [`post_ld`] and friends).
    #[prop(default = None)]
    json_ld: Option<String>,
    /// Absolute URL of the page's social image; default the site's.
    #[prop(default = None)]
    image: Option<String>,
) -> impl IntoView {
    let url = site.absolute(&path);
    let image = image.unwrap_or_else(|| site.absolute(DEFAULT_SOCIAL_IMAGE));
    let og_title = if title.is_empty() {
        SITE_NAME.to_string()
    } else {
        title.clone()
    };
    let article = match kind {
        PageKind::Website => None,
        PageKind::Article {
            published,
            modified,
            tags,
        } => Some(view! {
            <Meta property="article:published_time" content=published />
            {modified.map(|m| view! { <Meta property="article:modified_time" content=m /> })}
            {tags
                .into_iter()
                .map(|t| view! { <Meta property="article:tag" content=t /> })
                .collect_view()}
        }),
    };
    let og_type = if article.is_some() {
        "article"
    } else {
        "website"
    };
    view! {
        <Title text=title />
        <Html {..} lang=lang />
        <Meta name="description" content=description.clone() />
        <Link rel="canonical" href=url.clone() />
        <Meta property="og:site_name" content=SITE_NAME />
        <Meta property="og:type" content=og_type />
        <Meta property="og:title" content=og_title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=url />
        <Meta property="og:image" content=image.clone() />
        {article}
        <Meta name="twitter:card" content="summary_large_image" />
        <Meta name="twitter:title" content=og_title />
        <Meta name="twitter:description" content=description />
        <Meta name="twitter:image" content=image />
        {json_ld.map(|ld| view! { <Script type_="application/ld+json">{ld}</Script> })}
    }
}
