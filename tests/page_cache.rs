//! The rendered-response cache, through the real router: hits, invalidation
//! on a content swap, one entry for every reader, encodings, validators, the hash-based CSP and
//! the size bound.

mod common;

use std::io::Read as _;
use std::path::Path;

use axum::http::{header, HeaderName, Method, StatusCode};
use common::{get, send, Reply};
use microblog::content::{LoadOptions, Site};
use microblog::server::cache::Limits;

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn write_post(dir: &Path, slug: &str, title: &str, body: &str) {
    std::fs::create_dir_all(dir.join("posts")).expect("posts dir");
    std::fs::write(
        dir.join(format!("posts/{slug}.md")),
        format!("---\ntitle: \"{title}\"\ndate: 2026-01-01\n---\n\n{body}\n"),
    )
    .expect("write post");
}

struct Fixture {
    app: axum::Router,
    store: microblog::content::ContentStore,
    content: tempfile::TempDir,
    _root: tempfile::TempDir,
}

fn fixture(limits: Limits) -> Fixture {
    let content = tempfile::tempdir().expect("tempdir");
    write_post(content.path(), "one", "First title", "First body.");
    write_post(content.path(), "two", "Second title", "Second body.");
    write_post(content.path(), "three", "Third title", "Third body.");
    let root = tempfile::tempdir().expect("tempdir");
    let mut settings = common::settings(10);
    settings.page_cache = limits;
    let state = common::state(content.path(), root.path(), settings, false);
    let store = state.store.clone();
    Fixture {
        app: common::app_from_state(state),
        store,
        content,
        _root: root,
    }
}

fn cache_state(r: &Reply) -> String {
    r.header(X_CACHE.clone())
}

async fn second_request_is_a_hit_with_the_same_bytes_body() {
    let f = fixture(Limits::default());
    let first = get(&f.app, "/posts/one").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(cache_state(&first), "miss");
    let second = get(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&second), "hit");
    assert_eq!(first.body, second.body);
    assert_eq!(first.header(header::ETAG), second.header(header::ETAG));
    assert_eq!(
        first.header(header::CONTENT_SECURITY_POLICY),
        second.header(header::CONTENT_SECURITY_POLICY)
    );
    // A hit is answered before routing but carries what every response does.
    assert!(!second
        .header(HeaderName::from_static("x-request-id"))
        .is_empty());
    assert_eq!(second.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(second.header(header::X_FRAME_OPTIONS), "DENY");
    for path in ["/", "/feed.xml", "/sitemap.xml", "/tags"] {
        get(&f.app, path).await;
        assert_eq!(cache_state(&get(&f.app, path).await), "hit", "{path}");
    }
}

async fn a_content_swap_invalidates_every_entry_body() {
    let f = fixture(Limits::default());
    assert!(get(&f.app, "/posts/one").await.body.contains("First body."));
    assert_eq!(cache_state(&get(&f.app, "/posts/one").await), "hit");
    write_post(f.content.path(), "one", "First title", "Rewritten body.");
    let site = Site::load(f.content.path(), &LoadOptions::default()).expect("reload");
    f.store.replace(site);
    let after = get(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&after), "miss", "new snapshot, new render");
    assert!(after.body.contains("Rewritten body."), "fresh content");
    assert!(!after.body.contains("First body."));
    assert_eq!(cache_state(&get(&f.app, "/posts/one").await), "hit");
}

async fn every_reader_shares_one_entry_whatever_the_theme_cookie_body() {
    let f = fixture(Limits::default());
    let plain = get(&f.app, "/posts/one").await;
    assert_eq!(cache_state(&plain), "miss");
    for cookie in ["theme=dark", "theme=light", "a=b; theme=dark"] {
        let r = send(&f.app, Method::GET, "/posts/one", &[("cookie", cookie)]).await;
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
    let revalidated = send(
        &f.app,
        Method::GET,
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
    f.store
        .replace(Site::load(f.content.path(), &LoadOptions::default()).expect("load"));
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
    let br = send(&f.app, Method::GET, "/", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(cache_state(&br), "hit");
    assert_eq!(br.header(header::CONTENT_ENCODING), "br");
    assert!(br.header(header::VARY).contains("accept-encoding"));
    let mut decoded = Vec::new();
    brotli::Decompressor::new(br.bytes.as_slice(), 4096)
        .read_to_end(&mut decoded)
        .expect("valid brotli");
    assert_eq!(decoded, plain.bytes);
    let gz = send(&f.app, Method::GET, "/", &[("accept-encoding", "gzip")]).await;
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
    let same = send(
        &f.app,
        Method::GET,
        "/posts/two",
        &[("if-none-match", &etag)],
    )
    .await;
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
    // A conditional miss renders the page and still answers 304.
    let f2 = fixture(Limits::default());
    let now = httpdate::fmt_http_date(std::time::SystemTime::now());
    let cold304 = send(
        &f2.app,
        Method::GET,
        "/posts/two",
        &[("if-modified-since", &now)],
    )
    .await;
    assert_eq!(cache_state(&cold304), "miss");
    assert_eq!(cold304.status, StatusCode::NOT_MODIFIED);
    // A date in the future is not a valid validator (RFC 9110 §13.1.3):
    // ignored, so the full page is sent, from the cache and from a render.
    let future = [("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")];
    let hit = send(&f2.app, Method::GET, "/posts/two", &future).await;
    assert_eq!(cache_state(&hit), "hit");
    assert_eq!(hit.status, StatusCode::OK);
    assert!(hit.body.contains("<h1>"), "full page sent");
    let f3 = fixture(Limits::DISABLED);
    let rendered = send(&f3.app, Method::GET, "/posts/two", &future).await;
    assert_eq!(rendered.status, StatusCode::OK);
    assert!(!rendered.body.is_empty());
}

async fn not_found_and_queries_are_not_cached_body() {
    let f = fixture(Limits::default());
    for path in ["/posts/nope", "/search?q=first", "/?x=1"] {
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
    assert_eq!(cache_state(&get(&f.app, "/posts/three").await), "hit");
    assert_eq!(
        cache_state(&get(&f.app, "/posts/one").await),
        "miss",
        "evicted: the least recently used of three with room for two"
    );
}

#[test]
fn second_request_is_a_hit_with_the_same_bytes() {
    common::run(second_request_is_a_hit_with_the_same_bytes_body());
}

#[test]
fn a_content_swap_invalidates_every_entry() {
    common::run(a_content_swap_invalidates_every_entry_body());
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
