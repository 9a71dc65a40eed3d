//! `GET /api/search` answered by the router's own layer (`server::search_api`)
//! with every answer computed (`SEARCH_CACHE_ENTRIES=0`): the same status,
//! content type and JSON as the `search` server function gives for the
//! same query, in every encoding the client accepts.

mod common;

use std::io::Read as _;

use axum::http::{header, StatusCode};
use common::{get_with, Reply};

/// The shipped content, answer cache off, index built (as a server has it
/// a second after it starts).
fn app() -> axum::Router {
    let root = common::manifest_dir();
    let mut settings = common::settings(10);
    settings.search_cache = 0;
    let state = common::state(&root.join("content"), &root.join("public"), settings, false);
    state.store.snapshot().search_index();
    common::app_from_state(state)
}

/// The body as the client reads it, decoded as `content-encoding` says.
fn decoded(r: &Reply) -> Vec<u8> {
    let mut out = Vec::new();
    match r.header(header::CONTENT_ENCODING).as_str() {
        "br" => {
            brotli::Decompressor::new(&r.bytes[..], 4096)
                .read_to_end(&mut out)
                .expect("valid brotli");
        }
        "gzip" => {
            flate2::read::GzDecoder::new(&r.bytes[..])
                .read_to_end(&mut out)
                .expect("valid gzip");
        }
        "" => out = r.bytes.clone(),
        other => panic!("unexpected encoding {other}"),
    }
    out
}

async fn the_layer_answers_as_the_server_function_body() {
    let app = app();
    let long = "terraform%20".repeat(30);
    let queries = [
        "terraform",
        "terraform+rollback",
        "nomad%20kubernetes",
        "ESPA%C3%91OL",
        "te",
        "de",
        "zzzz",
        "",
        "%F0%9F%9A%80",
        "%E6%9D%B1%E4%BA%AC",
        "a%22b%5Cc",
        long.as_str(),
    ];
    let mut compressed = 0;
    for q in queries {
        for accept in [
            "br",
            "gzip",
            "identity",
            "gzip, deflate, br",
            "br;q=0, gzip",
        ] {
            let h = [("accept-encoding", accept)];
            let fast = get_with(&app, &format!("/api/search?q={q}"), &h).await;
            // Another parameter: the layer passes it on to the server
            // function (which ignores it).
            let slow = get_with(&app, &format!("/api/search?q={q}&via=fn"), &h).await;
            assert_eq!(fast.status, StatusCode::OK, "q={q}");
            assert_eq!(slow.status, StatusCode::OK, "q={q}: {}", slow.body);
            assert_eq!(fast.content_type(), slow.content_type(), "q={q}");
            assert_eq!(fast.content_type(), "application/json");
            let (a, b) = (decoded(&fast), decoded(&slow));
            assert_eq!(
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b),
                "q={q} accept {accept}"
            );
            let encoding = fast.header(header::CONTENT_ENCODING);
            if !encoding.is_empty() {
                assert_eq!(fast.header(header::VARY), "accept-encoding");
                compressed += 1;
            }
            match accept {
                "identity" => assert_eq!(encoding, "", "q={q}"),
                "br;q=0, gzip" => assert_ne!(encoding, "br", "q={q}"),
                _ => {}
            }
        }
    }
    assert!(compressed > 10, "{compressed}");
}

async fn bad_requests_are_still_the_server_function_s_body() {
    let app = app();
    for bad in ["/api/search", "/api/search?q=a&q=b", "/api/search?other=1"] {
        let r = get_with(&app, bad, &[]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    // Not UTF-8: the server function replaces it (no word, no hit).
    let r = get_with(&app, "/api/search?q=%FF%FE", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&decoded(&r)).expect("json");
    assert_eq!(v["total"], 0);
}

#[test]
fn the_layer_answers_as_the_server_function() {
    common::run(the_layer_answers_as_the_server_function_body());
}

#[test]
fn bad_requests_are_still_the_server_function_s() {
    common::run(bad_requests_are_still_the_server_function_s_body());
}
