//! The rendered-response cache, through the real router: hits, invalidation
//! of exactly the changed pages on a content swap, single-flight renders,
//! reloads published with their changed pages rendered ahead, one entry for
//! every reader, encodings, validators, the hash-based CSP and the size bound.

mod common;

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use axum::http::{header, HeaderName, Method, StatusCode};
use common::{get, send, CachedSite, Reply};
use microblog::content::{ContentStore, LoadOptions, Site};
use microblog::server::cache::{Limits, PageCache, Warmer};

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn write_post(dir: &Path, slug: &str, title: &str, body: &str) {
    write_tagged_post(dir, slug, title, "misc", body);
}

fn write_tagged_post(dir: &Path, slug: &str, title: &str, tag: &str, body: &str) {
    common::write(
        dir,
        &format!("posts/{slug}.md"),
        &format!("---\ntitle: \"{title}\"\ndate: 2026-01-01\ntags: [{tag}]\n---\n\n{body}\n"),
    );
}

fn fixture(limits: Limits) -> CachedSite {
    let content = tempfile::tempdir().expect("tempdir");
    write_post(content.path(), "one", "First title", "First body.");
    write_post(content.path(), "two", "Second title", "Second body.");
    write_post(content.path(), "three", "Third title", "Third body.");
    let mut settings = common::settings(2);
    settings.page_cache = limits;
    common::cached_site(content, settings)
}

/// A router over `content` with the given cache budget, and its handles.
fn over(
    content: &Path,
    root: &Path,
    limits: Limits,
) -> (axum::Router, ContentStore, Arc<PageCache>, Warmer) {
    let mut settings = common::settings(2);
    settings.page_cache = limits;
    let state = common::state(content, root, settings, false);
    let store = state.store.clone();
    let built = common::assembled_from_state(state);
    (built.app, store, built.pages, built.warmer)
}

fn reload(dir: &Path) -> Site {
    Site::load(dir, &LoadOptions::default()).expect("reload")
}

fn cache_state(r: &Reply) -> String {
    r.header(X_CACHE.clone())
}

async fn second_request_is_a_hit_with_the_same_bytes_body() {
    let f = fixture(Limits::default());
    let first = common::get_ok(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&first), "miss");
    let second = get(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&second), "hit");
    assert_eq!(first.body, second.body);
    assert_eq!(first.header(header::ETAG), second.header(header::ETAG));
    assert_eq!(
        first.header(header::CONTENT_SECURITY_POLICY),
        second.header(header::CONTENT_SECURITY_POLICY)
    );
    // A hit is answered before routing but carries what every response does:
    // a fresh request id (a UUID), or the client's, on a miss and a hit.
    let request_id = HeaderName::from_static("x-request-id");
    assert_eq!(second.header(request_id.clone()).len(), 36);
    for expected in ["miss", "hit"] {
        let r = common::get_with(&f.app, "/posts/two", &[("x-request-id", "given-1")]).await;
        assert_eq!(cache_state(&r), expected);
        assert_eq!(r.header(request_id.clone()), "given-1", "{expected}");
    }
    assert_eq!(second.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(second.header(header::X_FRAME_OPTIONS), "DENY");
    for path in ["/", "/feed.xml", "/sitemap.xml", "/tags"] {
        get(&f.app, path).await;
        assert_eq!(cache_state(&get(&f.app, path).await), "hit", "{path}");
    }
}

async fn a_content_swap_invalidates_only_the_changed_pages_body() {
    let f = fixture(Limits::default());
    let paths = ["/posts/one", "/posts/two", "/posts/three", "/", "/page/2"];
    let mut before = Vec::new();
    for p in paths {
        before.push(get(&f.app, p).await);
        assert_eq!(cache_state(&get(&f.app, p).await), "hit", "{p}");
    }
    assert!(before[0].body.contains("First body."));
    // Two posts per page: page 2 of the list shows "three" only.
    write_post(f.content.path(), "one", "First title", "Rewritten body.");
    f.store.replace(reload(f.content.path()));
    let after = get(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&after), "miss", "changed: rendered again");
    assert!(after.body.contains("Rewritten body."), "fresh content");
    assert!(!after.body.contains("First body."));
    assert_eq!(cache_state(&get(&f.app, "/posts/one").await), "hit");
    // The home list shows the post's summary (its first paragraph).
    let home = get(&f.app, "/").await;
    assert_eq!(cache_state(&home), "miss", "the list showing it changed");
    assert!(home.body.contains("Rewritten body."));
    for (i, p) in paths.iter().enumerate() {
        if matches!(*p, "/posts/two" | "/posts/three" | "/page/2") {
            let again = get(&f.app, p).await;
            assert_eq!(cache_state(&again), "hit", "{p} kept its entry");
            assert_eq!(again.body, before[i].body, "{p}");
        }
    }
}

/// The issue's case: 100 readers ask for one page nobody has rendered yet.
async fn concurrent_misses_for_one_page_render_it_once_body() {
    let f = fixture(Limits::default());
    let replies = common::get_concurrently(&f.app, "/posts/two", 100).await;
    assert_eq!(f.pages.renders(), 1, "one render for 100 concurrent misses");
    let misses = replies.iter().filter(|r| cache_state(r) == "miss").count();
    assert_eq!(misses, 1, "the others were answered from that render");
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, replies[0].body);
    }
    assert!(replies[0].body.contains("Second body."));
    // Another page is another render.
    get(&f.app, "/posts/three").await;
    assert_eq!(f.pages.renders(), 2);
}

/// A reload published through the warmer: the changed pages are rendered
/// from the new snapshot before readers switch, the rest keep their entries.
async fn editing_one_post_keeps_the_other_posts_entries_body() {
    let f = fixture(Limits::default());
    for p in [
        "/posts/one",
        "/posts/two",
        "/posts/three",
        "/",
        "/tags/misc",
    ] {
        get(&f.app, p).await;
    }
    let two = get(&f.app, "/posts/two").await;
    let renders = f.pages.renders();
    write_post(f.content.path(), "one", "First title", "Rewritten body.");
    let report = f
        .warmer
        .publish(&f.store, ContentStore::stage(reload(f.content.path())));
    let report = common::no_router_built_during(report).await;
    assert_eq!(report.kept, 2, "{report:?}");
    assert_eq!(report.changed, 3, "the post, the home list, the tag list");
    assert_eq!(report.rendered, 3);
    assert_eq!(f.pages.renders(), renders + 3);
    for p in ["/posts/one", "/", "/tags/misc"] {
        let r = get(&f.app, p).await;
        assert_eq!(cache_state(&r), "hit", "{p}: rendered before the swap");
        assert!(r.body.contains("Rewritten body."), "{p}: the new content");
    }
    let kept = get(&f.app, "/posts/two").await;
    assert_eq!(cache_state(&kept), "hit");
    assert_eq!(kept.body, two.body);
    assert_eq!(
        f.pages.renders(),
        renders + 3,
        "nothing rendered on request"
    );
    assert_eq!(f.pages.len(), 5, "old copies of the changed pages dropped");
}

/// Fingerprints may over-invalidate, never under-invalidate: after edits
/// that move titles, tags and dates around, every page served from the cache
/// is byte for byte what a fresh render of the new content gives.
async fn kept_pages_are_what_a_fresh_render_gives_body() {
    let f = fixture(Limits::default());
    write_tagged_post(
        f.content.path(),
        "four",
        "Fourth title",
        "ops",
        "Fourth body.",
    );
    f.store.replace(reload(f.content.path()));
    let paths = [
        "/",
        "/page/2",
        "/posts/one",
        "/posts/two",
        "/posts/three",
        "/posts/four",
        "/tags",
        "/tags/misc",
        // Page 2 of a tag: gone after the edits (a 404, never a stale copy).
        "/tags/misc/page/2",
        "/tags/ops",
        "/feed.xml",
        "/rss.xml",
        "/tags/misc/feed.xml",
        "/tags/ops/feed.xml",
        "/sitemap.xml",
        "/emoji",
    ];
    for p in paths {
        assert_eq!(get(&f.app, p).await.status, StatusCode::OK, "{p}");
    }
    let tag_page = get(&f.app, "/tags/misc/page/2").await;
    assert_eq!(cache_state(&tag_page), "hit", "tag pages are cached");
    let on_page_2 = ["First title", "Second title", "Third title"]
        .iter()
        .filter(|t| tag_page.body.contains(*t))
        .count();
    assert_eq!(on_page_2, 1, "three misc posts, two per page");
    // A title change moves "two" in the list and renames a neighbour; a tag
    // change moves "three" between tags.
    write_post(
        f.content.path(),
        "two",
        "A new second title",
        "Second body.",
    );
    write_tagged_post(
        f.content.path(),
        "three",
        "Third title",
        "ops",
        "Third body.",
    );
    let published = f
        .warmer
        .publish(&f.store, ContentStore::stage(reload(f.content.path())));
    common::no_router_built_during(published).await;
    let (fresh, _, _, _) = over(f.content.path(), f.root.path(), Limits::DISABLED);
    for p in paths {
        let served = get(&f.app, p).await;
        let expected = get(&fresh, p).await;
        assert_eq!(served.status, expected.status, "{p}");
        assert_eq!(served.body, expected.body, "{p}: stale page served");
    }
    let gone = get(&f.app, "/tags/misc/page/2").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "misc fits one page now");
}

async fn every_reader_shares_one_entry_whatever_the_theme_cookie_body() {
    let f = fixture(Limits::default());
    let plain = get(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&plain), "miss");
    for cookie in ["theme=dark", "theme=light", "a=b; theme=dark"] {
        let r = common::get_with(&f.app, "/posts/one", &[("cookie", cookie)]).await;
        assert_eq!(cache_state(&r), "hit", "{cookie}: one entry for everyone");
        assert_eq!(r.bytes, plain.bytes, "{cookie}");
        assert_eq!(r.header(header::ETAG), plain.header(header::ETAG));
    }
    // What lets a CDN keep it: the same Cache-Control on a hit and a miss.
    let policy = "public, max-age=60, stale-while-revalidate=600";
    assert_eq!(plain.header(header::CACHE_CONTROL), policy);
    for _ in ["miss", "hit"] {
        let feed = get(&f.app, "/feed.xml").await;
        assert_eq!(feed.header(header::CACHE_CONTROL), policy);
    }
    let revalidated = common::get_with(
        &f.app,
        "/posts/one",
        &[("if-none-match", &plain.header(header::ETAG))],
    )
    .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.header(header::CACHE_CONTROL), policy);
}

async fn csp_hashes_match_the_inline_scripts_and_no_nonce_is_shared_body() {
    let f = fixture(Limits::default());
    // Raw HTML in a post may hold a script: it must stay blocked.
    write_post(
        f.content.path(),
        "raw",
        "Raw script",
        "Text.\n\n<script>alert('from content')</script>\n",
    );
    f.store.replace(reload(f.content.path()));
    let a = get(&f.app, "/posts/raw").await;
    let b = get(&f.app, "/posts/raw").await;
    assert_eq!(cache_state(&b), "hit");
    for r in [&a, &b] {
        assert!(!r.body.contains("nonce="), "no nonce in a shared page");
        let csp = r.header(header::CONTENT_SECURITY_POLICY);
        assert!(!csp.contains("'nonce-"), "{csp}");
        let script_src = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default()
            .to_string();
        let hashes = common::inline_script_hashes(&r.body);
        let raw = common::inline_script_hashes("<script>alert('from content')</script>");
        let listed: Vec<&str> = script_src
            .split_whitespace()
            .filter(|s| s.starts_with("'sha256-"))
            .collect();
        assert!(!listed.is_empty(), "{csp}");
        for h in &hashes {
            if raw.contains(h) {
                assert!(
                    !listed.contains(&h.as_str()),
                    "content script allowed: {csp}"
                );
            } else {
                assert!(listed.contains(&h.as_str()), "{h} missing from {csp}");
            }
        }
        assert_eq!(listed.len() + 1, hashes.len(), "only the app's scripts");
    }
}

async fn compressed_variants_decode_to_the_page_body_body() {
    let f = fixture(Limits::default());
    let plain = get(&f.app, "/").await;
    let br = common::get_with(&f.app, "/", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(cache_state(&br), "hit");
    assert_eq!(br.header(header::CONTENT_ENCODING), "br");
    assert!(br.header(header::VARY).contains("accept-encoding"));
    let mut decoded = Vec::new();
    brotli::Decompressor::new(br.bytes.as_slice(), 4096)
        .read_to_end(&mut decoded)
        .expect("valid brotli");
    assert_eq!(decoded, plain.bytes);
    let gz = common::get_with(&f.app, "/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gz.bytes.as_slice())
        .read_to_end(&mut decoded)
        .expect("valid gzip");
    assert_eq!(decoded, plain.bytes);
    assert!(br.bytes.len() < gz.bytes.len() && gz.bytes.len() < plain.bytes.len());
}

async fn validators_and_head_from_the_cache_body() {
    let f = fixture(Limits::default());
    let first = get(&f.app, "/posts/two").await;
    let etag = first.header(header::ETAG);
    let same = common::get_with(&f.app, "/posts/two", &[("if-none-match", &etag)]).await;
    assert_eq!(cache_state(&same), "hit");
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    assert!(same.body.is_empty());
    let head = send(&f.app, Method::HEAD, "/posts/two", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    assert_eq!(head.header(header::ETAG), etag);
    // A cold HEAD renders, stores, and still sends no body.
    let cold = send(&f.app, Method::HEAD, "/posts/three", &[]).await;
    assert_eq!(cache_state(&cold), "miss");
    assert!(cold.body.is_empty());
    assert_eq!(cache_state(&get(&f.app, "/posts/three").await), "hit");
    // A date in the future is no validator (the client's clock is wrong).
    let future = common::get_with(
        &f.app,
        "/posts/two",
        &[("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")],
    )
    .await;
    assert_eq!(cache_state(&future), "hit");
    assert_eq!(future.status, StatusCode::OK);
    // A conditional miss renders the page and still answers 304.
    let f2 = fixture(Limits::default());
    let now = httpdate::fmt_http_date(std::time::SystemTime::now());
    let cold304 = common::get_with(&f2.app, "/posts/two", &[("if-modified-since", &now)]).await;
    assert_eq!(cache_state(&cold304), "miss");
    assert_eq!(cold304.status, StatusCode::NOT_MODIFIED);
    // A date in the future is not a valid validator (RFC 9110 §13.1.3):
    // ignored, so the full page is sent, from the cache and from a render.
    let future = [("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")];
    let hit = common::get_with(&f2.app, "/posts/two", &future).await;
    assert_eq!(cache_state(&hit), "hit");
    assert_eq!(hit.status, StatusCode::OK);
    assert!(hit.body.contains("<h1>"), "full page sent");
    let f3 = fixture(Limits::DISABLED);
    let rendered = common::get_with(&f3.app, "/posts/two", &future).await;
    assert_eq!(rendered.status, StatusCode::OK);
    assert!(!rendered.body.is_empty());
}

async fn not_found_and_queries_are_not_cached_body() {
    let f = fixture(Limits::default());
    // (Search answers have a cache of their own: tests/search_cache.rs.)
    for path in ["/posts/nope", "/posts/one?x=1", "/?x=1"] {
        let a = get(&f.app, path).await;
        let b = get(&f.app, path).await;
        assert_eq!(cache_state(&a), cache_state(&b), "{path}");
        assert_ne!(cache_state(&b), "hit", "{path}");
    }
    assert_eq!(
        get(&f.app, "/posts/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn the_cache_is_bounded_body() {
    let f = fixture(Limits {
        max_entries: 2,
        max_bytes: 64 * 1024 * 1024,
    });
    for p in ["/posts/one", "/posts/two", "/posts/three"] {
        assert_eq!(cache_state(&get(&f.app, p).await), "miss", "{p}");
    }
    assert!(f.pages.len() <= 2, "{} entries", f.pages.len());
    // Whatever was evicted is rendered again when asked for.
    for (p, text) in [
        ("/posts/one", "First body."),
        ("/posts/two", "Second body."),
        ("/posts/three", "Third body."),
    ] {
        let r = common::get_ok(&f.app, p).await;
        assert!(r.body.contains(text), "{p}");
    }
    assert!(f.pages.len() <= 2, "{} entries", f.pages.len());
}

#[test]
fn second_request_is_a_hit_with_the_same_bytes() {
    common::run(second_request_is_a_hit_with_the_same_bytes_body());
}

#[test]
fn a_content_swap_invalidates_only_the_changed_pages() {
    common::run(a_content_swap_invalidates_only_the_changed_pages_body());
}

#[test]
fn concurrent_misses_for_one_page_render_it_once() {
    common::run(concurrent_misses_for_one_page_render_it_once_body());
}

#[test]
fn editing_one_post_keeps_the_other_posts_entries() {
    common::run(editing_one_post_keeps_the_other_posts_entries_body());
}

#[test]
fn kept_pages_are_what_a_fresh_render_gives() {
    common::run(kept_pages_are_what_a_fresh_render_gives_body());
}

#[test]
fn every_reader_shares_one_entry_whatever_the_theme_cookie() {
    common::run(every_reader_shares_one_entry_whatever_the_theme_cookie_body());
}

#[test]
fn csp_hashes_match_the_inline_scripts_and_no_nonce_is_shared() {
    common::run(csp_hashes_match_the_inline_scripts_and_no_nonce_is_shared_body());
}

#[test]
fn compressed_variants_decode_to_the_page_body() {
    common::run(compressed_variants_decode_to_the_page_body_body());
}

#[test]
fn validators_and_head_from_the_cache() {
    common::run(validators_and_head_from_the_cache_body());
}

#[test]
fn not_found_and_queries_are_not_cached() {
    common::run(not_found_and_queries_are_not_cached_body());
}

#[test]
fn the_cache_is_bounded() {
    common::run(the_cache_is_bounded_body());
}
