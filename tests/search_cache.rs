//! The search answer cache (`server::cache::answers`), through the real
//! router: a repeated query is a hit with the bytes a fresh answer has, for
//! the JSON and the page, in every encoding; answers with and without the
//! cache are the same, odd queries included; bad requests stay `400`s and
//! are never stored; a reload invalidates every answer; concurrent misses
//! are answered once; the store is bounded.

mod common;

use std::io::Read as _;
use std::path::Path;

use axum::http::{header, HeaderName, Method, StatusCode};
use common::{get, get_with, send, CachedSite, Reply};
use microblog::content::{LoadOptions, Site};

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn write_post(dir: &Path, slug: &str, title: &str, body: &str) {
    common::write(
        dir,
        &format!("posts/{slug}.md"),
        &format!("---\ntitle: \"{title}\"\ndate: 2026-01-01\ntags: [misc]\n---\n\n{body}\n"),
    );
}

/// Three posts, with the given answer budget.
fn fixture(entries: usize) -> CachedSite {
    let content = tempfile::tempdir().expect("tempdir");
    write_post(
        content.path(),
        "one",
        "First title",
        "Kubernetes first body.",
    );
    write_post(
        content.path(),
        "two",
        "Second title",
        "Terraform second body.",
    );
    write_post(
        content.path(),
        "three",
        "Third title",
        "Kubernetes and terraform.",
    );
    let mut settings = common::settings(2);
    settings.search_cache = entries;
    let site = common::cached_site(content, settings);
    // Answers are stored only once an index answers (before that a query
    // waits for the first build): start from a built one, as a server does
    // a second after it starts.
    site.store.snapshot().search_index();
    site
}

fn cache_state(r: &Reply) -> String {
    r.header(X_CACHE.clone())
}

fn brotli_decoded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

async fn a_repeated_query_is_a_hit_with_the_same_bytes_body() {
    let f = fixture(64);
    for uri in ["/api/search?q=terraform", "/search?q=kubernetes"] {
        let first = common::get_ok(&f.app, uri).await;
        assert_eq!(cache_state(&first), "miss", "{uri}");
        let second = get(&f.app, uri).await;
        assert_eq!(cache_state(&second), "hit", "{uri}");
        assert_eq!(first.bytes, second.bytes, "{uri}");
        for name in [header::CONTENT_TYPE, header::CONTENT_SECURITY_POLICY] {
            assert_eq!(first.header(name.clone()), second.header(name), "{uri}");
        }
        // Answered before routing, yet with what every response carries.
        assert!(!second
            .header(HeaderName::from_static("x-request-id"))
            .is_empty());
        assert_eq!(second.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert!(!first
            .header(HeaderName::from_static("x-request-id"))
            .is_empty());
        // Brotli for a browser, decoding to the same answer.
        let br = get_with(&f.app, uri, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(cache_state(&br), "hit", "{uri}");
        assert_eq!(br.header(header::CONTENT_ENCODING), "br");
        assert_eq!(br.header(header::VARY), "accept-encoding");
        assert_eq!(brotli_decoded(&br.bytes), first.bytes, "{uri}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&get(&f.app, "/api/search?q=terraform").await.body).expect("json");
    assert_eq!(json["total"], 2, "{json}");
    // The page's validators come from the stored answer: 304, HEAD.
    let page = get(&f.app, "/search?q=kubernetes").await;
    let etag = page.header(header::ETAG);
    assert!(!etag.is_empty());
    let same = get_with(&f.app, "/search?q=kubernetes", &[("if-none-match", &etag)]).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED);
    assert!(same.bytes.is_empty());
    let head = send(&f.app, Method::HEAD, "/search?q=kubernetes", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.bytes.is_empty());
    let cold_head = send(&f.app, Method::HEAD, "/api/search?q=second", &[]).await;
    assert_eq!(cache_state(&cold_head), "miss");
    assert!(cold_head.bytes.is_empty(), "a HEAD miss sends no body");
    assert_eq!(
        cache_state(&get(&f.app, "/api/search?q=second").await),
        "hit"
    );
}

/// Whatever the query, the cached router answers what the uncached one does,
/// and requests the server function refuses are refused, not stored.
async fn answers_are_those_of_the_uncached_router_body() {
    let cached = fixture(64);
    let plain = fixture(0);
    let long = "terraform%20".repeat(200);
    let queries = [
        "q=terraform",
        "q=terraform+second",
        "q=TERRAFORM%20second",
        "q=",
        "q=x",
        "q=%FF%FE",
        "q=%00",
        "q=%F0%9F%9A%80",
        "q=ku&q=te",
        "other=1",
        "q=first&other=1",
        long.as_str(),
    ];
    for path in ["/api/search", "/search"] {
        for q in queries {
            let uri = format!("{path}?{q}");
            let want = get(&plain.app, &uri).await;
            for round in 0..2 {
                let got = get(&cached.app, &uri).await;
                assert_eq!(got.status, want.status, "{uri} round {round}");
                assert_eq!(got.body, want.body, "{uri} round {round}");
                if got.status != StatusCode::OK {
                    assert_ne!(cache_state(&got), "hit", "{uri}: errors are not stored");
                }
            }
        }
        // No query string at all: never stored.
        let bare = get(&cached.app, path).await;
        assert_ne!(cache_state(&bare), "hit");
    }
    assert_eq!(
        get(&cached.app, "/api/search?q=ku&q=te").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(plain.answers.len(), 0, "disabled: nothing stored");
}

async fn a_reload_invalidates_every_answer_body() {
    let f = fixture(64);
    let before = get(&f.app, "/api/search?q=rewritten").await;
    assert!(before.body.contains("\"total\":0"), "{}", before.body);
    assert_eq!(
        cache_state(&get(&f.app, "/api/search?q=rewritten").await),
        "hit"
    );
    get(&f.app, "/search?q=rewritten").await;
    assert_eq!(f.answers.len(), 2);
    write_post(f.content.path(), "one", "First title", "Rewritten body.");
    f.store
        .replace(Site::load(f.content.path(), &LoadOptions::default()).expect("reload"));
    // Until the new snapshot has an index, answers are not stored (the
    // query waits for the build); wait for it here, then ask.
    f.store.snapshot().search_index();
    let after = get(&f.app, "/api/search?q=rewritten").await;
    assert_eq!(cache_state(&after), "miss", "a new snapshot: asked again");
    assert!(after.body.contains("/posts/one"), "{}", after.body);
    let page = get(&f.app, "/search?q=rewritten").await;
    assert_eq!(cache_state(&page), "miss");
    assert!(page.body.contains("/posts/one"));
    // The old generation's answers were dropped when the new one was seen.
    assert_eq!(f.answers.len(), 2, "only the new answers are held");
}

async fn concurrent_misses_are_answered_once_body() {
    let f = fixture(64);
    let replies = common::get_concurrently(&f.app, "/api/search?q=kubernetes", 50).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    assert!(replies.windows(2).all(|w| w[0].body == w[1].body));
    assert_eq!(f.answers.answered(), 1, "one answer for 50 readers");
}

async fn the_store_is_bounded_body() {
    let f = fixture(2);
    for q in ["first", "second", "third", "kubernetes", "terraform"] {
        let r = get(&f.app, &format!("/api/search?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(f.answers.len() <= 2, "{} answers held", f.answers.len());
    }
    // An overlong query string is answered, not stored.
    let long = format!("/api/search?q={}", "a".repeat(600));
    for _ in 0..2 {
        assert_ne!(cache_state(&get(&f.app, &long).await), "hit");
    }
}

#[test]
fn a_repeated_query_is_a_hit_with_the_same_bytes() {
    common::run(a_repeated_query_is_a_hit_with_the_same_bytes_body());
}

#[test]
fn answers_are_those_of_the_uncached_router() {
    common::run(answers_are_those_of_the_uncached_router_body());
}

#[test]
fn a_reload_invalidates_every_answer() {
    common::run(a_reload_invalidates_every_answer_body());
}

#[test]
fn concurrent_misses_are_answered_once() {
    common::run(concurrent_misses_are_answered_once_body());
}

#[test]
fn the_store_is_bounded() {
    common::run(the_store_is_bounded_body());
}
