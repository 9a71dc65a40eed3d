//! Operations: probes, metrics, request ids, security headers, compression,
//! limits and static-asset caching, against the real router.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{app, fixture, get, send};

fn fixture_app() -> (axum::Router, tempfile::TempDir) {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(root.path().join("pkg")).expect("pkg");
    std::fs::write(root.path().join("pkg/microblog.js"), "console.log(1)\n").expect("js");
    (app(&fixture("site"), root.path()), root)
}

async fn probes_body() {
    let (app, _root) = fixture_app();
    common::get_ok(&app, "/healthz").await;
    let ready = common::get_ok(&app, "/readyz").await;
    assert!(ready.body.contains("2 posts"), "{}", ready.body);
}

async fn metrics_count_requests_by_route_template_body() {
    let root = tempfile::tempdir().expect("tempdir");
    let state = common::state(&fixture("site"), root.path(), common::settings(10), false);
    let app = common::app_from_state(state.clone());
    let metrics = microblog::server::metrics_router(state);
    // Not on the site's port: only on the METRICS_ADDR listener.
    assert_eq!(get(&app, "/metrics").await.status, StatusCode::NOT_FOUND);
    let count = |body: &str| -> u64 {
        body.lines()
            .find(|l| {
                l.starts_with("http_requests_total{")
                    && l.contains("route=\"/tags/{tag}\"")
                    && l.contains("status=\"404\"")
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let before = count(&get(&metrics, "/metrics").await.body);
    assert_eq!(
        get(&app, "/tags/metrics-probe-nope").await.status,
        StatusCode::NOT_FOUND
    );
    let m = common::get_ok(&metrics, "/metrics").await;
    assert_eq!(m.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert!(m.content_type().starts_with("text/plain"));
    assert_eq!(count(&m.body), before + 1, "{}", m.body);
    for name in [
        "http_request_duration_seconds_bucket",
        "microblog_content_posts 2",
        "microblog_content_terms 2",
        "microblog_content_age_seconds",
        "microblog_content_load_seconds",
        "microblog_content_reload_failures_total",
        "microblog_build_info{version=",
    ] {
        assert!(m.body.contains(name), "{name} missing:\n{}", m.body);
    }
}

async fn request_ids_are_propagated_or_generated_body() {
    let (app, _root) = fixture_app();
    let given = common::get_with(&app, "/healthz", &[("x-request-id", "abc-123")]).await;
    assert_eq!(
        given.header(header::HeaderName::from_static("x-request-id")),
        "abc-123"
    );
    let fresh = get(&app, "/healthz").await;
    let id = fresh.header(header::HeaderName::from_static("x-request-id"));
    assert_eq!(id.len(), 36, "a UUID: {id}");
}

async fn pages_carry_security_headers_with_script_hashes_body() {
    let (app, _root) = fixture_app();
    let r = common::get_ok(&app, "/posts/hello").await;
    let csp = r.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        !r.body.contains("nonce="),
        "no nonce is left in a shared page"
    );
    assert!(!csp.contains("'nonce-"), "{csp}");
    let hashes = common::inline_script_hashes(&r.body);
    assert!(!hashes.is_empty(), "the page has inline scripts");
    let expected = format!(
        "script-src {} 'strict-dynamic' 'wasm-unsafe-eval'",
        hashes.join(" ")
    );
    assert!(csp.contains(&expected), "{csp}\nexpected {expected}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(
        csp.contains("img-src 'self' data: https://github.githubassets.com"),
        "{csp}"
    );
    assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(
        r.header(header::REFERRER_POLICY),
        "strict-origin-when-cross-origin"
    );
    assert!(!r
        .header(header::HeaderName::from_static("permissions-policy"))
        .is_empty());
    // The same page, the same policy: it depends on the bytes only.
    let again = get(&app, "/posts/hello").await;
    assert_eq!(again.header(header::CONTENT_SECURITY_POLICY), csp);
    // Every response, not only pages, carries the static ones.
    let feed = get(&app, "/feed.xml").await;
    assert_eq!(feed.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}

async fn pages_are_compressed_when_accepted_body() {
    let (app, _root) = fixture_app();
    let br = common::get_with(&app, "/glossary", &[("accept-encoding", "br")]).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.header(header::CONTENT_ENCODING), "br");
    assert!(br
        .header(header::VARY)
        .to_lowercase()
        .contains("accept-encoding"));
    let gz = common::get_with(&app, "/feed.xml", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    let plain = get(&app, "/glossary").await;
    assert!(plain.header(header::CONTENT_ENCODING).is_empty());
}

async fn oversized_bodies_are_refused_body() {
    let (app, _root) = fixture_app();
    let big = "slug=".to_string() + &"x".repeat(200 * 1024);
    let res = {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let req = axum::http::Request::post("/api/post")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", big.len().to_string())
            .body(axum::body::Body::from(big))
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("answer");
        let status = res.status();
        let _ = res.into_body().collect().await;
        status
    };
    assert_eq!(res, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn static_assets_answer_conditional_requests_body() {
    let (app, _root) = fixture_app();
    let first = common::get_ok(&app, "/pkg/microblog.js").await;
    let modified = first.header(header::LAST_MODIFIED);
    assert!(!modified.is_empty());
    let again = common::get_with(
        &app,
        "/pkg/microblog.js",
        &[("if-modified-since", &modified)],
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::NOT_MODIFIED,
        "{modified} {:?}",
        again.headers
    );
}

async fn hashed_assets_are_immutable_and_precompressed_body() {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(root.path().join("pkg")).expect("pkg");
    std::fs::write(
        root.path().join("pkg/microblog.abc123.js"),
        "console.log(1)\n",
    )
    .expect("js");
    std::fs::write(
        root.path().join("pkg/microblog.abc123.js.br"),
        b"\x0b\x07\x80console.log(1)\n\x03",
    )
    .expect("br");
    std::fs::write(root.path().join("favicon.svg"), "<svg/>").expect("svg");
    let app = common::app_with_options(&fixture("site"), root.path(), true);
    let js = common::get_with(
        &app,
        "/pkg/microblog.abc123.js",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        js.header(header::CONTENT_ENCODING),
        "br",
        "the .br file is served"
    );
    assert!(js
        .header(header::VARY)
        .to_lowercase()
        .contains("accept-encoding"));
    let plain = get(&app, "/pkg/microblog.abc123.js").await;
    assert!(plain.header(header::CONTENT_ENCODING).is_empty());
    assert_eq!(plain.body, "console.log(1)\n");
    let icon = get(&app, "/favicon.svg").await;
    assert_eq!(
        icon.header(header::CACHE_CONTROL),
        "public, no-cache",
        "not hashed"
    );
}

async fn panics_and_slow_handlers_are_contained_body() {
    use axum::routing::get as route_get;
    let root = tempfile::tempdir().expect("tempdir");
    let state = common::state(&fixture("site"), root.path(), common::settings(10), false);
    let routes = axum::Router::new()
        .route(
            "/boom",
            route_get(|| async {
                if std::hint::black_box(true) {
                    panic!("handler bug");
                }
                "unreachable"
            }),
        )
        .route(
            "/slow",
            route_get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                "late"
            }),
        )
        .route("/fine", route_get(|| async { "fine" }));
    let app = microblog::server::harden(routes, &state, std::time::Duration::from_millis(200))
        .with_state(state);
    let boom = get(&app, "/boom").await;
    assert_eq!(boom.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(boom.body.contains("500"), "{}", boom.body);
    assert_eq!(
        get(&app, "/fine").await.status,
        StatusCode::OK,
        "still serving"
    );
    let slow = get(&app, "/slow").await;
    assert_eq!(slow.status, StatusCode::REQUEST_TIMEOUT);
    // The safety net's own answers carry the security headers too.
    for r in [&boom, &slow] {
        assert!(
            !r.header(header::CONTENT_SECURITY_POLICY).is_empty(),
            "{:?}",
            r.headers
        );
        assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(r.header(header::X_FRAME_OPTIONS), "DENY");
    }
    assert!(boom
        .header(header::CONTENT_SECURITY_POLICY)
        .contains("script-src 'none'"));
}

/// Every kind of response carries a CSP and the other security headers.
async fn every_response_carries_the_security_headers_body() {
    let (app, _root) = fixture_app();
    let head = |r: &common::Reply, name: header::HeaderName| r.header(name);
    let cases: Vec<(&str, common::Reply)> = vec![
        ("page", get(&app, "/posts/hello").await),
        ("404 page", get(&app, "/posts/nope").await),
        ("atom feed", get(&app, "/feed.xml").await),
        ("rss feed", get(&app, "/rss.xml").await),
        ("sitemap", get(&app, "/sitemap.xml").await),
        ("robots", get(&app, "/robots.txt").await),
        ("json", get(&app, "/api/tags").await),
        ("json 404", get(&app, "/api/post?slug=nope").await),
        ("static file", get(&app, "/pkg/microblog.js").await),
        ("redirect", get(&app, "/posts/hello/").await),
        ("probe", get(&app, "/healthz").await),
        ("405", send(&app, Method::DELETE, "/feed.xml", &[]).await),
    ];
    for (what, r) in &cases {
        let csp = head(r, header::CONTENT_SECURITY_POLICY);
        assert!(!csp.is_empty(), "{what} ({}): no CSP", r.status);
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert_eq!(head(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
        assert_eq!(head(r, header::X_FRAME_OPTIONS), "DENY", "{what}");
        assert!(!head(r, header::REFERRER_POLICY).is_empty(), "{what}");
    }
    let status = |what: &str| {
        cases
            .iter()
            .find(|(w, _)| *w == what)
            .map(|(_, r)| r.status)
    };
    assert_eq!(status("404 page"), Some(StatusCode::NOT_FOUND));
    assert_eq!(status("redirect"), Some(StatusCode::MOVED_PERMANENTLY));
    assert_eq!(status("json 404"), Some(StatusCode::NOT_FOUND));
    // The 404 page runs the app like any page: its policy lists the hashes
    // of its own scripts, and no nonce is left in it.
    let not_found = &cases[1].1;
    let csp = head(not_found, header::CONTENT_SECURITY_POLICY);
    let hashes = common::inline_script_hashes(&not_found.body);
    assert!(!hashes.is_empty());
    for h in &hashes {
        assert!(csp.contains(h.as_str()), "{h} not in {csp}");
    }
    assert!(!not_found.body.contains("nonce="));
    // What is not a page may load nothing.
    for what in ["atom feed", "json", "static file", "redirect"] {
        let r = &cases.iter().find(|(w, _)| *w == what).expect("case").1;
        assert!(
            head(r, header::CONTENT_SECURITY_POLICY).starts_with("default-src 'none'"),
            "{what}"
        );
    }
    // A 304 keeps the policy stored with the page: it sends none.
    let etag = cases[0].1.header(header::ETAG);
    let again = common::get_with(&app, "/posts/hello", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.header(header::CONTENT_SECURITY_POLICY).is_empty());
}

// Each test runs on the shared runtime (see `common::run`).

#[test]
fn every_response_carries_the_security_headers() {
    common::run(every_response_carries_the_security_headers_body());
}

#[test]
fn probes() {
    common::run(probes_body());
}

#[test]
fn metrics_count_requests_by_route_template() {
    common::run(metrics_count_requests_by_route_template_body());
}

#[test]
fn request_ids_are_propagated_or_generated() {
    common::run(request_ids_are_propagated_or_generated_body());
}

#[test]
fn pages_carry_security_headers_with_script_hashes() {
    common::run(pages_carry_security_headers_with_script_hashes_body());
}

#[test]
fn pages_are_compressed_when_accepted() {
    common::run(pages_are_compressed_when_accepted_body());
}

#[test]
fn oversized_bodies_are_refused() {
    common::run(oversized_bodies_are_refused_body());
}

#[test]
fn static_assets_answer_conditional_requests() {
    common::run(static_assets_answer_conditional_requests_body());
}

#[test]
fn hashed_assets_are_immutable_and_precompressed() {
    common::run(hashed_assets_are_immutable_and_precompressed_body());
}

#[test]
fn panics_and_slow_handlers_are_contained() {
    common::run(panics_and_slow_handlers_are_contained_body());
}
