//! Search over the shipped content: the server-rendered page (no JavaScript
//! needed) and the GET server function behind the live search.

mod common;

use axum::http::StatusCode;
use common::{get, shipped_app};

async fn results_page_works_without_javascript_body() {
    let app = shipped_app();
    let r = common::get_ok(&app, "/search?q=terraform").await;
    let results = r.body.split("search-results").nth(1).unwrap_or_default();
    let first = results.split("<li").nth(1).unwrap_or_default();
    assert!(
        first.contains("Terraform"),
        "best hit has it in the title: {first}"
    );
    assert!(r.body.contains("<mark>"), "matches are highlighted");
    assert!(
        r.body.contains(r#"value="terraform""#),
        "the form keeps the query"
    );
}

async fn accents_do_not_matter_body() {
    let app = shipped_app();
    let r = get(&app, "/search?q=espanol").await;
    assert!(
        r.body.contains(r#"href="/about""#),
        "the About page says español"
    );
    assert!(r.body.contains("<mark>español</mark>"), "{}", r.body);
    let g = get(&app, "/search?q=OBSERVABILIDAD").await;
    assert!(g.body.contains(r#"href="/glossary#observabilidad""#));
}

async fn short_and_hostile_queries_body() {
    let app = shipped_app();
    let short = common::get_ok(&app, "/search?q=x").await;
    assert!(short.body.contains("Type at least two letters."));
    // `</title>` would end the title early: leptos_meta writes <title> text
    // unescaped on the server, so the page must not put raw markup there.
    let hostile = get(
        &app,
        "/search?q=%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    .await;
    assert_eq!(hostile.status, StatusCode::OK);
    assert!(
        !hostile.body.contains("</title><script>"),
        "title not broken out of"
    );
    assert!(
        !hostile.body.contains("<script>alert(1)"),
        "reflected escaped"
    );
    assert!(
        hostile.body.contains("&lt;script&gt;alert(1)"),
        "shown as text"
    );
}

async fn server_function_answers_json_body() {
    let app = shipped_app();
    let r = common::get_ok(&app, "/api/search?q=nomad%20kubernetes").await;
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    let hits = v["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert_eq!(hits[0]["url"], "/posts/nomad_vs_kubernetes", "{}", r.body);
    assert!(v["total"].as_u64().unwrap_or(0) >= hits.len() as u64);
}

async fn odd_queries_get_answers_not_errors_body() {
    let app = shipped_app();
    // Bad arguments are the client's fault: 400, never 500.
    for bad in ["/api/search", "/api/search?q=a&q=b", "/api/search?other=1"] {
        let r = get(&app, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    // Everything else is a query with results, maybe none.
    let long = "terraform%20".repeat(2000);
    for (q, some) in [
        ("", false),
        ("%F0%9F%9A%80", false),       // 🚀: no letters
        ("%FF%FE", false),             // not UTF-8: replaced, no word
        ("%00%00", false),             // NUL
        ("%E6%9D%B1%E4%BA%AC", false), // 東京: a word nothing contains
        ("ESPA%C3%91OL", true),        // ESPAÑOL
        ("te", true),                  // a short prefix: its commonest tokens
        (long.as_str(), true),
    ] {
        let r = get(&app, &format!("/api/search?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "q={q}: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
        let hits = v["hits"].as_array().map_or(0, Vec::len);
        assert_eq!(hits > 0, some, "q={q}: {}", r.body);
        assert!(v["query"]
            .as_str()
            .is_some_and(|s| s.chars().count() <= 100));
    }
    let page = get(&app, &format!("/search?q={long}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("search-results"));
}

// Each test runs on the shared runtime (see `common::run`).

#[test]
fn results_page_works_without_javascript() {
    common::run(results_page_works_without_javascript_body());
}

#[test]
fn accents_do_not_matter() {
    common::run(accents_do_not_matter_body());
}

#[test]
fn short_and_hostile_queries() {
    common::run(short_and_hostile_queries_body());
}

#[test]
fn server_function_answers_json() {
    common::run(server_function_answers_json_body());
}

#[test]
fn odd_queries_get_answers_not_errors() {
    common::run(odd_queries_get_answers_not_errors_body());
}
