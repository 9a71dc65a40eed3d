//! Atom, RSS, sitemap and robots.txt, built from the same snapshot as the
//! pages. Every URL in them is absolute (`SITE_URL`). The builders are
//! plain functions of a snapshot (the static export calls them too); the
//! `serve_*` handlers answer them over HTTP.

use std::collections::BTreeMap;

use axum::extract::{Extension, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

use super::{site_for, AppState};
use crate::content::{Pinned, PostEntry, Site, FEED_LIMIT};
use crate::model::{
    EmojiGallery, Glossary, Page, Post, PostListPage, SiteInfo, TagPosts, ATOM_FEED_PATH,
    FAVICON_PATH, SITEMAP_PATH, SOCIAL_IMAGE_PATH, TAGS_PATH,
};

fn midnight_utc(d: NaiveDate) -> DateTime<FixedOffset> {
    d.and_time(NaiveTime::MIN).and_utc().fixed_offset()
}

/// When a post went live: its `date` to the second when it names a time (a
/// scheduled post), else 00:00 UTC of its day.
fn published(e: &PostEntry) -> DateTime<FixedOffset> {
    e.publish_at.fixed_offset()
}

/// A post's last change: its `updated` day, never before it went live.
fn last_changed(e: &PostEntry) -> DateTime<FixedOffset> {
    e.updated
        .map(midnight_utc)
        .map_or(published(e), |u| u.max(published(e)))
}

/// A feed's last change: the newest change among its posts.
fn feed_updated(site: &Site, tag: Option<&str>) -> Option<DateTime<FixedOffset>> {
    let newest_day = site.newest_date(tag).map(midnight_utc);
    posts(site, tag)
        .into_iter()
        .map(last_changed)
        .chain(newest_day)
        .max()
}

/// Post HTML links to `/posts/x` and `#section`; a feed reader needs them whole.
pub fn absolutize(html: &str, info: &SiteInfo, page_path: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{}/", info.url))
        .replace("src=\"/", &format!("src=\"{}/", info.url))
        .replace("href=\"#", &format!("href=\"{}#", info.absolute(page_path)))
}

fn posts<'a>(site: &'a Site, tag: Option<&str>) -> Vec<&'a PostEntry> {
    site.posts()
        .filter(|p| tag.is_none_or(|t| p.post.meta.tags.iter().any(|x| x == t)))
        .take(FEED_LIMIT)
        .collect()
}

fn feed_title(tag: Option<&str>) -> String {
    match tag {
        Some(t) => format!("microblog — #{t}"),
        None => "microblog".to_string(),
    }
}

/// Atom 1.0, full HTML content, newest first. `None` for an unknown tag.
pub fn atom(site: &Site, info: &SiteInfo, tag: Option<&str>) -> Option<String> {
    use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
    if tag.is_some_and(|t| !site.has_tag(t)) {
        return None;
    }
    let (self_path, alternate) = match tag {
        Some(t) => (TagPosts::feed_path(t), TagPosts::path(t, 1)),
        None => (ATOM_FEED_PATH.to_string(), PostListPage::path(1)),
    };
    let entries = posts(site, tag)
        .into_iter()
        .map(|e| {
            let path = Post::path(&e.post.meta.slug);
            let url = info.absolute(&path);
            Entry {
                title: Text::plain(e.post.meta.title.clone()),
                id: url.clone(),
                updated: last_changed(e),
                published: Some(published(e)),
                links: vec![Link {
                    href: url,
                    rel: "alternate".into(),
                    mime_type: Some("text/html".into()),
                    ..Default::default()
                }],
                summary: Some(Text::plain(e.post.meta.summary.clone())),
                authors: vec![Person {
                    name: info.author_of(&e.post).to_string(),
                    uri: Some(info.absolute(Page::ABOUT_PATH)),
                    ..Default::default()
                }],
                content: Some(Content {
                    value: Some(absolutize(&e.html(), info, &path)),
                    content_type: Some("html".into()),
                    lang: Some(e.post.lang.clone()),
                    ..Default::default()
                }),
                categories: e
                    .post
                    .meta
                    .tags
                    .iter()
                    .map(|t| Category {
                        term: t.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect::<Vec<_>>();
    let feed = Feed {
        title: Text::plain(feed_title(tag)),
        subtitle: Some(Text::plain(info.description.clone())),
        id: info.absolute(&self_path),
        updated: feed_updated(site, tag).unwrap_or_else(|| midnight_utc(NaiveDate::MIN)),
        authors: vec![Person {
            name: info.author.clone(),
            uri: Some(info.absolute(Page::ABOUT_PATH)),
            ..Default::default()
        }],
        links: vec![
            Link {
                href: info.absolute(&self_path),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            Link {
                href: info.absolute(&alternate),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        icon: Some(info.absolute(FAVICON_PATH)),
        logo: Some(info.absolute(SOCIAL_IMAGE_PATH)),
        entries,
        ..Default::default()
    };
    Some(feed.to_string())
}

/// RSS 2.0: summary in `description`, full HTML in `content:encoded`.
pub fn rss(site: &Site, info: &SiteInfo) -> String {
    use rss::{Category, Channel, Guid, Item};
    let items = posts(site, None)
        .into_iter()
        .map(|e| {
            let path = Post::path(&e.post.meta.slug);
            let url = info.absolute(&path);
            let mut item = Item::default();
            item.set_title(e.post.meta.title.clone());
            item.set_link(url.clone());
            item.set_guid(Guid {
                value: url,
                permalink: true,
            });
            item.set_pub_date(published(e).to_rfc2822());
            item.set_description(e.post.meta.summary.clone());
            // RSS `author` must be an e-mail address; Dublin Core's creator
            // is the name, which is what feed readers show.
            item.set_dublin_core_ext(rss::extension::dublincore::DublinCoreExtension {
                creators: vec![info.author_of(&e.post).to_string()],
                ..Default::default()
            });
            item.set_content(absolutize(&e.html(), info, &path));
            item.set_categories(
                e.post
                    .meta
                    .tags
                    .iter()
                    .map(|t| Category {
                        name: t.clone(),
                        domain: None,
                    })
                    .collect::<Vec<_>>(),
            );
            item
        })
        .collect::<Vec<_>>();
    let mut channel = Channel::default();
    channel.set_title(feed_title(None));
    channel.set_link(info.absolute(&PostListPage::path(1)));
    channel.set_description(info.description.clone());
    channel.set_language("en".to_string());
    if let Some(d) = feed_updated(site, None) {
        channel.set_last_build_date(d.to_rfc2822());
    }
    channel.set_namespaces(BTreeMap::from([
        (
            "content".to_string(),
            "http://purl.org/rss/1.0/modules/content/".to_string(),
        ),
        (
            "dc".to_string(),
            rss::extension::dublincore::NAMESPACE.to_string(),
        ),
    ]));
    channel.set_items(items);
    channel.to_string()
}

/// Every public page: home and its later pages, posts, about, glossary, tags, emoji.
pub fn sitemap_entries(site: &Site, posts_per_page: usize) -> Vec<(String, Option<NaiveDate>)> {
    let newest = site.newest_date(None);
    let total = site.posts().len().div_ceil(posts_per_page.max(1)).max(1) as u32;
    let mut out: Vec<(String, Option<NaiveDate>)> = (1..=total)
        .map(|n| (PostListPage::path(n), newest))
        .collect();
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    if let Some(about) = site.about() {
        out.push((Page::ABOUT_PATH.into(), parse(&about.updated)));
    }
    if let Some(g) = site.glossary() {
        out.push((Glossary::PATH.into(), parse(&g.updated)));
    }
    out.push((TAGS_PATH.into(), newest));
    // The emoji set is compiled in; it has no date of its own.
    out.push((EmojiGallery::PATH.into(), None));
    for (tag, _) in site.tag_counts() {
        let date = site.newest_date(Some(&tag));
        for n in 1..=site.tag_pages(&tag, posts_per_page) {
            out.push((TagPosts::path(&tag, n), date));
        }
    }
    for e in site.posts() {
        out.push((
            Post::path(&e.post.meta.slug),
            Some(e.updated.unwrap_or(e.date).max(e.date)),
        ));
    }
    out
}

fn xml_escape(s: &str) -> String {
    crate::markdown::escape_html(s)
}

pub fn sitemap(site: &Site, info: &SiteInfo, posts_per_page: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, lastmod) in sitemap_entries(site, posts_per_page) {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&info.absolute(&path)));
        xml.push_str("</loc>");
        if let Some(d) = lastmod {
            xml.push_str(&format!("<lastmod>{}</lastmod>", d.format("%Y-%m-%d")));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(info: &SiteInfo) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\n\nSitemap: {}\n",
        info.absolute(SITEMAP_PATH)
    )
}

// ---- Handlers -------------------------------------------------------------

type PinnedExt = Option<Extension<Pinned>>;

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

pub async fn serve_atom(State(state): State<AppState>, pinned: PinnedExt) -> Response {
    let site = site_for(&state.store, pinned.as_deref());
    match atom(&site, &state.settings.info, None) {
        Some(body) => xml("application/atom+xml; charset=utf-8", body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub async fn serve_tag_atom(
    State(state): State<AppState>,
    pinned: PinnedExt,
    Path(tag): Path<String>,
) -> Response {
    let site = site_for(&state.store, pinned.as_deref());
    match atom(&site, &state.settings.info, Some(&tag)) {
        Some(body) => xml("application/atom+xml; charset=utf-8", body),
        None => (StatusCode::NOT_FOUND, "no such tag").into_response(),
    }
}

pub async fn serve_rss(State(state): State<AppState>, pinned: PinnedExt) -> Response {
    let site = site_for(&state.store, pinned.as_deref());
    xml(
        "application/rss+xml; charset=utf-8",
        rss(&site, &state.settings.info),
    )
}

pub async fn serve_sitemap(State(state): State<AppState>, pinned: PinnedExt) -> Response {
    let site = site_for(&state.store, pinned.as_deref());
    xml(
        "application/xml; charset=utf-8",
        sitemap(&site, &state.settings.info, state.settings.posts_per_page),
    )
}

pub async fn serve_robots(State(state): State<AppState>) -> Response {
    xml("text/plain; charset=utf-8", robots(&state.settings.info))
}
