//! `/search?q=…` answered from the snapshot's template (`server::search_page`)
//! is byte for byte the page the full Leptos render makes, with the same
//! headers, for every kind of query a reader (or an attacker) can send.
//!
//! Its own test binary: it reads a process-wide counter to check that the
//! template really answered.

mod common;

use axum::http::{header, HeaderMap, Method, StatusCode};
use common::{get, send, settings};

/// Query strings (as sent) that exercise each hole and escaping.
const QUERIES: &[&str] = &[
    "q=terraform",
    "q=terraform%20rollback",
    "q=TERRAFORM",
    "q=espanol",
    "q=OBSERVABILIDAD",
    "q=te",
    "q=zzzzqqqnothing",
    // Markup, quotes and entities in each place the query is shown.
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "q=%3C%2Ftitle%3E%3Cmeta%20http-equiv%3Drefresh%3E",
    "q=%22quoted%22%20%26%20'single'%20rust",
    "q=rust%20%26%20go",
    "q=%26amp%3Blt%3B%20nomad",
    "q=x%22%20onfocus%3D%22alert(1)",
    "q=%3C!%3E%20kubernetes",
    // Unicode, emoji, control characters, bytes that are not UTF-8.
    "q=caf%C3%A9%20espa%C3%B1ol",
    "q=%E6%9D%B1%E4%BA%AC",
    "q=%F0%9F%9A%80%20rust",
    "q=%0Aterraform%0D",
    "q=%00terraform",
    "q=%FF%FEterraform",
    "q=%E2%80%A8terraform",
    // Spaces and tabs around it: typed in the form, trimmed elsewhere.
    "q=+terraform+",
    "q=%09terraform%09",
    "q=%20%20kubernetes%20",
    // Leptos' parser: the last `q` wins, `%25` decodes twice, others ignored.
    "q=nomad&q=terraform",
    "q=terraform&q=x",
    "q=%2541%2542c",
    "q=terraform&utm_source=feed",
    // The sentinel the template is cut at, as a reader's query.
    "q=microblogsearchshellzq7",
    "q=%09microblogsearchshellzq7%09",
    "q=microblogsearchshellzq7%20%3Cb%3E",
    // Left to the full render: not searchable, or no query at all.
    "q=",
    "q=x",
    "q=%F0%9F%9A%80",
    "",
    "other=1",
    "q=terraform&__err=x&__path=%2F",
];

/// Headers that differ between any two responses.
fn comparable(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "x-request-id" | "date"))
        .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
        .collect();
    out.sort();
    out
}

/// Search pages the template answered so far in this process.
fn template_answers() -> f64 {
    let text = microblog::server::ops::prometheus().render();
    text.lines()
        .filter(|l| l.starts_with("microblog_search_page_total{render=\"template\"}"))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

/// The shipped content twice: with the template, and always rendered
/// whole. No answer cache, so every request reaches the renderer.
fn apps() -> (axum::Router, axum::Router) {
    let content = common::manifest_dir().join("content");
    let root = common::manifest_dir().join("public");
    let mut with = settings(10);
    with.search_cache = 0;
    let mut without = with.clone();
    without.search_page_template = false;
    (
        common::app_with(&content, &root, with),
        common::app_with(&content, &root, without),
    )
}

async fn template_pages_are_the_full_render_body() {
    let (fast, whole) = apps();
    // Builds each site's search index (the template waits for one).
    for app in [&fast, &whole] {
        assert_eq!(get(app, "/search?q=terraform").await.status, StatusCode::OK);
    }
    let before = template_answers();
    let mut searchable = 0;
    for query in QUERIES {
        let uri = format!("/search?{query}");
        let a = get(&fast, &uri).await;
        let b = get(&whole, &uri).await;
        assert_eq!(a.status, b.status, "{uri}");
        assert_eq!(a.body, b.body, "{uri}");
        assert_eq!(comparable(&a.headers), comparable(&b.headers), "{uri}");
        // The page of a query that is not searchable carries the static
        // note (and an island); Leptos' action-error keys go to the full
        // render.
        if !b.body.contains("search-static-note") && !query.contains("__err") {
            searchable += 1;
        }
    }
    assert!(
        searchable >= 25,
        "most queries are searchable: {searchable}"
    );
    assert_eq!(
        template_answers() - before,
        searchable as f64,
        "every searchable page came from the template"
    );
}

async fn validators_and_encodings_are_the_full_renders_body() {
    let (fast, whole) = apps();
    let uri = "/search?q=terraform%20%3Cb%3E";
    let etag = get(&whole, uri).await.header(header::ETAG);
    assert!(!etag.is_empty());
    for (method, headers) in [
        (Method::GET, vec![("accept-encoding", "br")]),
        (Method::GET, vec![("accept-encoding", "gzip")]),
        (Method::GET, vec![("if-none-match", etag.as_str())]),
        (Method::HEAD, vec![]),
    ] {
        let a = send(&fast, method.clone(), uri, &headers).await;
        let b = send(&whole, method.clone(), uri, &headers).await;
        assert_eq!(a.status, b.status, "{method} {headers:?}");
        assert_eq!(a.bytes, b.bytes, "{method} {headers:?}");
        assert_eq!(
            comparable(&a.headers),
            comparable(&b.headers),
            "{method} {headers:?}"
        );
    }
}

// On the shared runtime (see `common::run`), one after the other: both
// make template answers, which the first counts.

#[test]
fn template_pages_are_the_full_render() {
    common::run(async {
        template_pages_are_the_full_render_body().await;
        validators_and_encodings_are_the_full_renders_body().await;
    });
}
