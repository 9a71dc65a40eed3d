//! The route table (`model::Route`) against what is really served: the app's
//! routes are the table's pages, every route of the table answers a document
//! of the site through the real router, and the page cache and the metrics
//! name each request by the table's template. Fails when `app.rs`,
//! `server::router`, `server::cache` or the sitemap drift from the table.

mod common;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use microblog::model::{Route, Served};
use microblog::server::cache::{request_of, X_CACHE};

#[test]
fn the_apps_routes_are_the_tables_pages() {
    let listed: BTreeSet<String> = common::run(async {
        // Listing the routes renders the app (see `common::ROUTER_BUILD`).
        let _exclusive = common::exclusive();
        leptos_axum::generate_route_list(microblog::app::App)
            .iter()
            .map(|r| r.path().to_string())
            .collect()
    });
    let pages: BTreeSet<String> = Route::ALL
        .iter()
        .filter(|r| r.served_by() == Served::Page)
        .map(|r| r.template().to_string())
        .collect();
    assert_eq!(listed, pages);
}

/// `http_requests_total` of `template` with status 200, summed over methods.
fn served(metrics: &str, template: &str) -> u64 {
    let label = format!("route=\"{template}\"");
    metrics
        .lines()
        .filter(|l| {
            l.starts_with("http_requests_total{")
                && l.contains(&label)
                && l.contains("status=\"200\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn every_route_serves_a_document_under_its_template_body() {
    // The shipped content, plus a file in `images/` (it has none).
    let content = tempfile::tempdir().expect("tempdir");
    common::export::copy_dir(&common::manifest_dir().join("content"), content.path());
    std::fs::create_dir_all(content.path().join("images")).expect("mkdir");
    std::fs::copy(
        common::manifest_dir().join("content/posts/slo_error_budget_math/budget-burn.png"),
        content.path().join("images/burn.png"),
    )
    .expect("copy image");
    let root = tempfile::tempdir().expect("tempdir");
    // One post per page: the list and the tags have numbered pages.
    let state = common::state(content.path(), root.path(), common::settings(1), false);
    let documents = microblog::server::documents::documents(&state.store.snapshot(), 1);
    let app = common::app_from_state(state.clone());
    let metrics = microblog::server::metrics_router(state);

    let mut seen = Vec::new();
    for doc in documents {
        let Some((route, _)) = Route::find(&doc.path) else {
            panic!("{} is a document of the site but in no route", doc.path);
        };
        // One document per route: the table is what is under test.
        if seen.contains(&route) {
            continue;
        }
        seen.push(route);
        let before = served(
            &common::get(&metrics, "/metrics").await.body,
            route.template(),
        );
        let first = common::get(&app, &doc.path).await;
        assert_eq!(first.status, StatusCode::OK, "{} ({route:?})", doc.path);
        let second = common::get(&app, &doc.path).await;
        assert_eq!(second.status, StatusCode::OK, "{} ({route:?})", doc.path);
        let uri: axum::http::Uri = doc.path.parse().expect("uri");
        if let Some(cached) = request_of(&Method::GET, &uri) {
            assert_eq!(cached.template, route.template(), "{}", doc.path);
            // Answered by the cache in front of the router: its metrics
            // label comes from the cache's template, not `MatchedPath`.
            assert_eq!(second.header(X_CACHE.clone()), "hit", "{}", doc.path);
        }
        let after = served(
            &common::get(&metrics, "/metrics").await.body,
            route.template(),
        );
        assert_eq!(
            after - before,
            2,
            "{}: both requests counted under {}",
            doc.path,
            route.template()
        );
    }
    let missing: Vec<Route> = Route::ALL
        .into_iter()
        .filter(|r| !seen.contains(r))
        .collect();
    assert!(missing.is_empty(), "no document is served by {missing:?}");
}

#[test]
fn every_route_serves_a_document_under_its_template() {
    common::run(every_route_serves_a_document_under_its_template_body());
}
