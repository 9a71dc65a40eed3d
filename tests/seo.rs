//! What crawlers and feed readers get: head tags in the first response, feeds,
//! sitemap, robots, permanent redirects, validators and `HEAD`.

mod common;

use std::collections::BTreeSet;

use axum::http::{header, Method, StatusCode};
use common::{app_with, fixture, get, send, settings, shipped_app, SITE_URL};

fn fixture_app(per_page: usize) -> (axum::Router, tempfile::TempDir) {
    let root = tempfile::tempdir().expect("tempdir");
    (
        app_with(&fixture("site"), root.path(), settings(per_page)),
        root,
    )
}

/// Every `content` of `<meta property|name="key">` in the page.
fn metas(html: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["property", "name"] {
        let needle = format!("{attr}=\"{key}\"");
        for (i, _) in html.match_indices(&needle) {
            let start = html[..i].rfind("<meta").unwrap_or(0);
            let end = html[i..].find('>').map_or(html.len(), |e| i + e);
            let tag = &html[start..end];
            if let Some(c) = tag
                .split("content=\"")
                .nth(1)
                .and_then(|c| c.split('"').next())
            {
                out.push(c.to_string());
            }
        }
    }
    out
}

fn canonical(html: &str) -> Vec<String> {
    html.split("<link")
        .skip(1)
        .filter(|t| t.contains("rel=\"canonical\""))
        .filter_map(|t| {
            t.split("href=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

/// A `<link>` with both attributes, in any order.
fn has_link(html: &str, rel: &str, href: &str) -> bool {
    html.split("<link").skip(1).any(|t| {
        let tag = t.split('>').next().unwrap_or(t);
        tag.contains(&format!("rel=\"{rel}\"")) && tag.contains(&format!("href=\"{href}\""))
    })
}

/// A feed entry's content (Atom `content`, RSS `content:encoded`).
fn entry_content(entry: &feed_rs::model::Entry) -> &str {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .unwrap_or_default()
}

fn published(entry: &feed_rs::model::Entry) -> Option<String> {
    entry.published.map(|d| d.to_rfc3339())
}

fn head(html: &str) -> &str {
    html.split("</head>").next().unwrap_or(html)
}

async fn post_head_has_canonical_open_graph_and_json_ld_body() {
    let (app, _root) = fixture_app(10);
    let r = common::get_ok(&app, "/posts/hello").await;
    let h = head(&r.body);
    assert_eq!(h.matches("<title>").count(), 1);
    assert_eq!(canonical(h), [format!("{SITE_URL}/posts/hello")]);
    assert_eq!(metas(h, "description"), ["The newest fixture post."]);
    assert_eq!(metas(h, "og:type"), ["article"]);
    assert_eq!(metas(h, "og:title"), ["Hello, fixture world"]);
    assert_eq!(metas(h, "og:url"), [format!("{SITE_URL}/posts/hello")]);
    assert_eq!(
        metas(h, "og:image"),
        [format!("{SITE_URL}/cards/hello.png")]
    );
    assert_eq!(metas(h, "article:published_time"), ["2024-06-01"]);
    assert_eq!(metas(h, "article:tag"), ["sre", "rust"]);
    assert_eq!(metas(h, "twitter:card"), ["summary_large_image"]);
    assert!(h.contains(r#"type="application/ld+json""#), "{h}");
    assert!(h.contains(r#""@type":"BlogPosting""#), "{h}");
    assert!(h.contains(r#""datePublished":"2024-06-01""#), "{h}");
    assert!(has_link(h, "alternate", "/feed.xml"), "{h}");
    assert!(has_link(h, "alternate", "/rss.xml"), "{h}");
}

async fn every_content_route_has_its_own_head_body() {
    let (app, _root) = fixture_app(10);
    for (path, lang, ld_type, title) in [
        ("/", "en", Some("WebSite"), "<title>microblog</title>"),
        (
            "/about",
            "en",
            None,
            "<title>About the fixture — microblog</title>",
        ),
        (
            "/glossary",
            "es",
            Some("DefinedTermSet"),
            "<title>Glosario de prueba — microblog</title>",
        ),
        ("/tags", "en", None, "<title>Tags — microblog</title>"),
        (
            "/tags/sre",
            "en",
            None,
            "<title>Posts tagged #sre — microblog</title>",
        ),
    ] {
        let r = common::get_ok(&app, path).await;
        let h = head(&r.body);
        assert!(
            r.body
                .starts_with(&format!("<!DOCTYPE html><html lang=\"{lang}\"")),
            "{path}: lang"
        );
        assert_eq!(h.matches("<title>").count(), 1, "{path}");
        assert!(h.contains(title), "{path}: {h}");
        assert_eq!(metas(h, "description").len(), 1, "{path}");
        assert!(!metas(h, "description")[0].is_empty(), "{path}");
        assert_eq!(canonical(h), [format!("{SITE_URL}{path}")], "{path}");
        assert_eq!(metas(h, "og:type"), ["website"], "{path}");
        if let Some(t) = ld_type {
            assert!(h.contains(&format!("\"@type\":\"{t}\"")), "{path}: {h}");
        }
    }
    let g = get(&app, "/glossary").await;
    assert!(g.body.contains(r#""@type":"DefinedTerm""#));
    let tag = get(&app, "/tags/sre").await;
    assert!(has_link(head(&tag.body), "alternate", "/tags/sre/feed.xml"));
}

/// The `<html …>` start tag.
fn html_tag(body: &str) -> &str {
    body.split("<html")
        .nth(1)
        .and_then(|t| t.split('>').next())
        .unwrap_or_default()
}

async fn theme_cookies_do_not_change_the_page_body() {
    // Cache off: the renderer itself must not read the cookie.
    let root = tempfile::tempdir().expect("tempdir");
    let mut settings = common::settings(10);
    settings.page_cache = microblog::server::cache::Limits::DISABLED;
    let app = common::app_with(&common::fixture("site"), root.path(), settings);
    let dark = common::get_with(&app, "/about", &[("cookie", "a=b; theme=dark")]).await;
    let light = common::get_with(&app, "/about", &[("cookie", "theme=light")]).await;
    assert_eq!(dark.status, StatusCode::OK);
    assert_eq!(dark.bytes, light.bytes, "byte-identical for every reader");
    assert_eq!(dark.header(header::ETAG), light.header(header::ETAG));
    assert!(
        !html_tag(&dark.body).contains("data-theme"),
        "{}",
        html_tag(&dark.body)
    );
    // The stored choice is applied by the first script of <head>, allowed by
    // its hash in the page's policy.
    let head = dark.body.split("<head>").nth(1).unwrap_or_default();
    let script = microblog::app::THEME_SCRIPT;
    assert!(
        head.starts_with(&format!(
            "<meta charset=\"utf-8\"><script>{script}</script>"
        )) || head.starts_with(&format!(
            "<meta charset=\"utf-8\"/><script>{script}</script>"
        )),
        "{}",
        &head[..head.len().min(400)]
    );
    let csp = dark.header(header::CONTENT_SECURITY_POLICY);
    let hashes = common::inline_script_hashes(&dark.body);
    assert!(!hashes.is_empty());
    for h in &hashes {
        assert!(csp.contains(h.as_str()), "{h} missing from {csp}");
    }
    assert_eq!(
        dark.header(header::CACHE_CONTROL),
        "public, max-age=60, stale-while-revalidate=600"
    );
}

async fn error_pages_ask_not_to_be_indexed_body() {
    let (app, _root) = fixture_app(10);
    let r = get(&app, "/posts/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(metas(head(&r.body), "robots"), ["noindex"]);
    assert!(canonical(head(&r.body)).is_empty());
}

async fn atom_and_rss_list_exactly_the_published_posts_body() {
    let (app, _root) = fixture_app(10);
    let expected = [
        format!("{SITE_URL}/posts/hello"),
        format!("{SITE_URL}/posts/older"),
    ];

    let atom = common::get_ok(&app, "/feed.xml").await;
    assert!(atom.content_type().starts_with("application/atom+xml"));
    let feed = feed_rs::parser::parse(atom.body.as_bytes()).expect("Atom parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, expected, "newest first, no draft");
    let first = &feed.entries[0];
    let content = entry_content(first);
    assert!(
        content.contains("The hello fixture body text"),
        "full HTML: {content}"
    );
    assert!(
        content.contains(&format!("href=\"{SITE_URL}/posts/older#details\"")),
        "absolute links: {content}"
    );
    assert_eq!(
        published(first).as_deref(),
        Some("2024-06-01T00:00:00+00:00")
    );
    assert_eq!(
        feed.updated.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-06-01T00:00:00+00:00")
    );

    let rss = common::get_ok(&app, "/rss.xml").await;
    assert!(rss.content_type().starts_with("application/rss+xml"));
    let feed = feed_rs::parser::parse(rss.body.as_bytes()).expect("RSS parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::RSS2);
    let links: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.links.first().map(|l| l.href.clone()))
        .collect();
    assert_eq!(links, expected);
    assert_eq!(
        published(&feed.entries[0]).as_deref(),
        Some("2024-06-01T00:00:00+00:00")
    );
    let content = entry_content(&feed.entries[0]);
    assert!(
        content.contains("The hello fixture body text"),
        "content:encoded: {content}"
    );
}

async fn tag_feeds_and_unknown_tags_body() {
    let (app, _root) = fixture_app(10);
    let r = common::get_ok(&app, "/tags/rust/feed.xml").await;
    let feed = feed_rs::parser::parse(r.body.as_bytes()).expect("parses");
    let ids: Vec<String> = feed.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, [format!("{SITE_URL}/posts/hello")]);
    assert_eq!(
        get(&app, "/tags/nope/feed.xml").await.status,
        StatusCode::NOT_FOUND
    );
}

fn sitemap_locs(xml: &str) -> BTreeSet<String> {
    xml.split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(str::to_string)
        .collect()
}

async fn sitemap_and_robots_body() {
    let (app, _root) = fixture_app(1);
    let r = common::get_ok(&app, "/sitemap.xml").await;
    assert!(r.content_type().starts_with("application/xml"));
    let locs = sitemap_locs(&r.body);
    let expected: BTreeSet<String> = [
        "/",
        "/page/2",
        "/about",
        "/glossary",
        "/tags",
        "/emoji",
        "/tags/rust",
        "/tags/sre",
        "/tags/sre/page/2",
        "/posts/hello",
        "/posts/older",
    ]
    .iter()
    .map(|p| format!("{SITE_URL}{p}"))
    .collect();
    assert_eq!(locs, expected);
    assert!(r.body.contains(&format!(
        "<loc>{SITE_URL}/posts/older</loc><lastmod>2023-02-14</lastmod>"
    )));
    assert!(!r.body.contains("secret"), "drafts never listed");

    let robots = common::get_ok(&app, "/robots.txt").await;
    assert!(robots
        .body
        .contains(&format!("Sitemap: {SITE_URL}/sitemap.xml")));
}

async fn home_is_paginated_with_prev_and_next_body() {
    let (app, _root) = fixture_app(1);
    let first = get(&app, "/").await;
    assert!(first.body.contains("Hello, fixture world"));
    assert!(!first.body.contains("An older post"));
    assert!(
        has_link(head(&first.body), "next", "/page/2"),
        "{}",
        first.body
    );

    let second = common::get_ok(&app, "/page/2").await;
    assert!(second.body.contains("An older post"));
    assert!(has_link(head(&second.body), "prev", "/"));
    assert!(second.body.contains(r#"rel="prev""#), "visible pager link");
    assert_eq!(
        canonical(head(&second.body)),
        [format!("{SITE_URL}/page/2")]
    );

    common::assert_not_found(&app, &["/page/3", "/page/0", "/page/02", "/page/x"]).await;
    common::get_moved(&app, "/page/1", "/").await;
}

async fn tag_pages_are_paginated_like_the_home_list_body() {
    let (app, _root) = fixture_app(1);
    // `sre` has two published posts: two pages of one.
    let first = common::get_ok(&app, "/tags/sre").await;
    assert!(first.body.contains("Hello, fixture world"));
    assert!(!first.body.contains("An older post"));
    assert!(first.body.contains("Page 1 of 2"), "visible pager");
    assert!(
        has_link(head(&first.body), "next", "/tags/sre/page/2"),
        "{}",
        head(&first.body)
    );
    assert!(
        first.body.contains("2 posts tagged sre"),
        "counts every page"
    );

    let second = common::get_ok(&app, "/tags/sre/page/2").await;
    assert!(second.body.contains("An older post"));
    assert!(!second.body.contains("Hello, fixture world"));
    assert!(has_link(head(&second.body), "prev", "/tags/sre"));
    assert_eq!(
        canonical(head(&second.body)),
        [format!("{SITE_URL}/tags/sre/page/2")]
    );
    common::assert_not_found(
        &app,
        &[
            "/tags/sre/page/3",
            "/tags/sre/page/0",
            "/tags/sre/page/02",
            "/tags/sre/page/x",
            "/tags/nope/page/2",
        ],
    )
    .await;
    common::get_moved(&app, "/tags/sre/page/1", "/tags/sre").await;
    // The sitemap lists every page of every tag; one page needs no pager.
    let locs = sitemap_locs(&get(&app, "/sitemap.xml").await.body);
    assert!(locs.contains(&format!("{SITE_URL}/tags/sre/page/2")));
    let (big, _root) = fixture_app(10);
    let all = get(&big, "/tags/sre").await;
    assert!(all.body.contains("An older post") && all.body.contains("Hello, fixture world"));
    assert!(!all.body.contains("class=\"pager\""));
}

async fn old_urls_redirect_permanently_body() {
    let app = shipped_app();
    for (old, new) in [
        ("/netlify.html", "/posts/netlify"),
        ("/posts/netlify.html", "/posts/netlify"),
        ("/netlify/", "/posts/netlify"),
        ("/posts/netlify/", "/posts/netlify"),
        ("/sre_devops_glossary.html", "/glossary"),
        ("/about/", "/about"),
        ("/tags/sre/", "/tags/sre"),
        ("/netlify.html?utm=x", "/posts/netlify?utm=x"),
    ] {
        let r = common::get_moved(&app, old, new).await;
        assert!(
            !r.body.contains("http-equiv"),
            "a real redirect, not a meta refresh"
        );
    }
    // Drafts have no old URLs either.
    let r = get(&app, "/draft_chaos_engineering.html").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn validators_and_304_body() {
    let (app, _root) = fixture_app(10);
    for path in ["/posts/hello", "/", "/feed.xml", "/rss.xml", "/sitemap.xml"] {
        let r = get(&app, path).await;
        let etag = r.header(header::ETAG);
        let modified = r.header(header::LAST_MODIFIED);
        assert!(etag.starts_with("W/\""), "{path}: {etag}");
        assert!(!modified.is_empty(), "{path}");

        let same = common::get_with(&app, path, &[("if-none-match", &etag)]).await;
        assert_eq!(same.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(same.body.is_empty());
        assert_eq!(same.header(header::ETAG), etag);

        let other = common::get_with(&app, path, &[("if-none-match", "W/\"0\"")]).await;
        assert_eq!(other.status, StatusCode::OK, "{path}");

        let since = common::get_with(&app, path, &[("if-modified-since", &modified)]).await;
        assert_eq!(since.status, StatusCode::NOT_MODIFIED, "{path}");
        let old = common::get_with(
            &app,
            path,
            &[("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        )
        .await;
        assert_eq!(old.status, StatusCode::OK, "{path}");
    }
}

async fn head_works_wherever_get_does_body() {
    let (app, _root) = fixture_app(10);
    for path in [
        "/",
        "/posts/hello",
        "/about",
        "/glossary",
        "/feed.xml",
        "/rss.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/api/tags",
    ] {
        let g = get(&app, path).await;
        let h = send(&app, Method::HEAD, path, &[]).await;
        assert_eq!(h.status, g.status, "{path}");
        assert_eq!(h.status, StatusCode::OK, "{path}");
        assert!(h.body.is_empty(), "{path}: HEAD has no body");
        assert_eq!(h.content_type(), g.content_type(), "{path}");
        assert_eq!(h.header(header::ETAG), g.header(header::ETAG), "{path}");
    }
    let missing = send(&app, Method::HEAD, "/posts/nope", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.is_empty());
    let moved = send(&app, Method::HEAD, "/hello.html", &[]).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
}

// Each test runs on the shared runtime (see `common::run`).

#[test]
fn post_head_has_canonical_open_graph_and_json_ld() {
    common::run(post_head_has_canonical_open_graph_and_json_ld_body());
}

#[test]
fn every_content_route_has_its_own_head() {
    common::run(every_content_route_has_its_own_head_body());
}

#[test]
fn error_pages_ask_not_to_be_indexed() {
    common::run(error_pages_ask_not_to_be_indexed_body());
}

#[test]
fn atom_and_rss_list_exactly_the_published_posts() {
    common::run(atom_and_rss_list_exactly_the_published_posts_body());
}

#[test]
fn tag_feeds_and_unknown_tags() {
    common::run(tag_feeds_and_unknown_tags_body());
}

#[test]
fn sitemap_and_robots() {
    common::run(sitemap_and_robots_body());
}

#[test]
fn tag_pages_are_paginated_like_the_home_list() {
    common::run(tag_pages_are_paginated_like_the_home_list_body());
}

#[test]
fn home_is_paginated_with_prev_and_next() {
    common::run(home_is_paginated_with_prev_and_next_body());
}

#[test]
fn old_urls_redirect_permanently() {
    common::run(old_urls_redirect_permanently_body());
}

#[test]
fn validators_and_304() {
    common::run(validators_and_304_body());
}

#[test]
fn head_works_wherever_get_does() {
    common::run(head_works_wherever_get_does_body());
}

#[test]
fn theme_cookies_do_not_change_the_page() {
    common::run(theme_cookies_do_not_change_the_page_body());
}
