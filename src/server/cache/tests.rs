use std::io::Read as _;

use super::layer::{choose_encoding, negotiate, serve};
use super::*;
use axum::http::{header, HeaderMap, StatusCode};

fn entry(size: usize, best: bool) -> Arc<Entry> {
    Arc::new(
        Entry {
            content_type: HeaderValue::from_static("text/html"),
            etag: None,
            etag_typed: None,
            last_modified: None,
            modified: None,
            csp: None,
            cache_control: None,
            identity: Bytes::from(vec![b'x'; size]),
            gzip: Bytes::new(),
            br: Bytes::new(),
            best,
            heads: Default::default(),
        }
        .finish(),
    )
}

fn key(path: &str) -> Key {
    Key {
        path: path.into(),
        fingerprint: 7,
    }
}

#[test]
fn bounded_by_entries() {
    let cache = PageCache::new(Limits {
        max_entries: 4,
        max_bytes: 1 << 20,
    });
    for i in 0..50 {
        cache.insert(key(&format!("/p{i}")), entry(10, true));
    }
    assert!(cache.len() <= 4, "{} entries", cache.len());
    assert!(!cache.is_empty());
}

#[test]
fn bounded_by_bytes() {
    let cache = PageCache::new(Limits {
        max_entries: 1000,
        max_bytes: 64 * 1024,
    });
    for i in 0..100 {
        cache.insert(key(&format!("/p{i}")), entry(4000, true));
    }
    assert!(cache.bytes() <= 64 * 1024, "{}", cache.bytes());
    assert!(cache.len() < 100);
}

#[test]
fn the_fingerprint_is_part_of_the_key() {
    let cache = PageCache::new(Limits::default());
    cache.insert(key("/a"), entry(10, true));
    assert!(cache.get(&key("/a")).is_some());
    let other = Key {
        fingerprint: 8,
        ..key("/a")
    };
    assert!(cache.get(&other).is_none(), "other inputs: a miss");
}

#[test]
fn a_borrowed_key_finds_the_entry() {
    let cache = PageCache::new(Limits::default());
    cache.insert(key("/a"), entry(10, true));
    let borrowed = |path, fingerprint| KeyRef { path, fingerprint };
    assert!(cache.get_ref(&borrowed("/a", 7)).is_some());
    assert!(cache.get_ref(&borrowed("/a", 8)).is_none());
    assert!(cache.get_ref(&borrowed("/b", 7)).is_none());
}

#[test]
fn disabled_stores_nothing() {
    let cache = PageCache::new(Limits::DISABLED);
    cache.insert(key("/a"), entry(10, true));
    assert!(cache.is_empty());
    assert!(cache.get(&key("/a")).is_none());
}

#[test]
fn a_fast_entry_is_replaced_by_the_best_compression() {
    let cache = PageCache::new(Limits::default());
    let text: String = (0..300)
        .map(|i| format!("<p>Paragraph {i} of a page about observability.</p>\n"))
        .collect();
    let fast = compress::encode_fast(text.as_bytes()).expect("compress");
    let first = Arc::new(
        Entry {
            identity: Bytes::from(text.clone()),
            gzip: fast.gzip.clone(),
            br: fast.br.clone(),
            best: false,
            ..Entry::clone(&entry(0, false))
        }
        .finish(),
    );
    let k = key("/big");
    cache.insert(k.clone(), first);
    // The background thread (nice 10, and brotli 11 is slow in a debug
    // build) replaces it; wait for that, generously (not a timing assert).
    let mut upgraded = None;
    for _ in 0..6000 {
        match cache.get(&k) {
            Some(e) if e.is_best() => {
                upgraded = Some(e);
                break;
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    let upgraded = upgraded.expect("upgraded within 60 s");
    let mut decoded = Vec::new();
    brotli::Decompressor::new(upgraded.brotli().as_ref(), 4096)
        .read_to_end(&mut decoded)
        .expect("valid brotli");
    assert_eq!(decoded, text.as_bytes());
    assert!(upgraded.brotli().len() <= fast.br.len());
    assert_eq!(upgraded.body(), &Bytes::from(text));
}

#[test]
fn requests_only_for_known_shapes_without_query() {
    let uri = |s: &str| s.parse::<axum::http::Uri>().expect("uri");
    for (path, template) in [
        ("/", "/"),
        ("/posts/x", "/posts/{slug}"),
        ("/page/2", "/page/{n}"),
        ("/tags", "/tags"),
        ("/tags/rust", "/tags/{tag}"),
        ("/about", "/about"),
        ("/glossary", "/glossary"),
        ("/emoji", "/emoji"),
        ("/feed.xml", "/feed.xml"),
        ("/rss.xml", "/rss.xml"),
        ("/tags/rust/feed.xml", "/tags/{tag}/feed.xml"),
        ("/tags/rust/page/2", "/tags/{tag}/page/{n}"),
        ("/sitemap.xml", "/sitemap.xml"),
    ] {
        let u = uri(path);
        let r = request_of(&Method::GET, &u).expect(path);
        assert_eq!(r.template, template, "{path}");
    }
    for no in [
        "/search?q=x",
        "/?utm=1",
        "/api/search",
        "/posts/x/y",
        "/posts/",
        "/page/1",
        "/page/x",
        "/tags/rust/page/1",
        "/tags/rust/page/2/x",
        "/pkg/app.wasm",
        "/healthz",
    ] {
        let u = uri(no);
        assert!(request_of(&Method::GET, &u).is_none(), "{no}");
    }
    let home = uri("/");
    assert!(request_of(&Method::POST, &home).is_none());
}

#[test]
fn encoding_follows_accept_encoding() {
    let with = |v: &'static str| {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
        choose_encoding(&h)
    };
    assert_eq!(with("gzip, deflate, br, zstd"), Some("br"));
    assert_eq!(with("gzip"), Some("gzip"));
    assert_eq!(with("br;q=0, gzip"), Some("gzip"));
    assert_eq!(with("gzip;q=0.5, br;q=0.9"), Some("br"));
    // The client's weights decide, whatever the server prefers.
    assert_eq!(with("br;q=0.5, gzip;q=0.9"), Some("gzip"));
    assert_eq!(with("gzip;q=0, br;q=0"), None);
    assert_eq!(with("BR"), Some("br"));
    assert_eq!(with("*"), None);
    assert_eq!(with("identity"), None);
    assert_eq!(choose_encoding(&HeaderMap::new()), None);
}

#[test]
fn a_remembered_encoding_is_only_reused_for_the_same_value() {
    let values = [
        "gzip, deflate, br",
        "gzip",
        "br;q=0, gzip",
        "identity",
        "gzip;q=0.5, br;q=0.9",
        "br;q=0.5, gzip;q=0.9",
        "gzip;q=0, br;q=0",
        "br",
        "*",
    ];
    // More distinct values than the memo keeps, in changing orders.
    for round in 0..3 {
        for i in 0..values.len() {
            let v = values[(i * (round + 1)) % values.len()];
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
            assert_eq!(choose_encoding(&h), negotiate(&h), "{v} (round {round})");
        }
    }
    // Two header lines are parsed together, never remembered as one.
    let mut h = HeaderMap::new();
    h.append(
        header::ACCEPT_ENCODING,
        HeaderValue::from_static("br, gzip"),
    );
    h.append(header::ACCEPT_ENCODING, HeaderValue::from_static("br;q=0"));
    assert_eq!(choose_encoding(&h), negotiate(&h));
}

/// An entry with validators, a page policy and real compressed variants.
fn page_entry() -> Entry {
    let text: String = (0..50).map(|i| format!("<p>Line {i}</p>\n")).collect();
    let fast = compress::encode_fast(text.as_bytes()).expect("compress");
    Entry {
        etag: Some(HeaderValue::from_static("W/\"abc\"")),
        etag_typed: "W/\"abc\"".parse().ok(),
        last_modified: Some(HeaderValue::from_static("Tue, 01 Dec 2026 07:02:13 GMT")),
        csp: Some(HeaderValue::from_static("default-src 'self'")),
        cache_control: Some(HeaderValue::from_static("public, max-age=60")),
        identity: Bytes::from(text),
        gzip: fast.gzip,
        br: fast.br,
        ..Entry::clone(&entry(0, false))
    }
    .finish()
}

#[test]
fn stored_headers_describe_each_answer() {
    let e = page_entry();
    let id = HeaderValue::from_static("req-1");
    let accept = |v: &'static str| {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(v));
        h
    };
    for (sent, encoding, body) in [
        ("br", Some("br"), e.br.clone()),
        ("gzip", Some("gzip"), e.gzip.clone()),
        ("identity", None, e.identity.clone()),
    ] {
        let res = serve(&e, &accept(sent), false, true, &id);
        let h = res.headers();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            h.get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().expect("ascii")),
            encoding,
            "{sent}"
        );
        assert_eq!(h[header::CONTENT_LENGTH], body.len().to_string().as_str());
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "default-src 'self'");
        assert_eq!(h[header::ETAG], "W/\"abc\"");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[&X_CACHE], "hit");
        assert_eq!(h[&crate::server::ops::REQUEST_ID], "req-1");
        assert_eq!(h.get_all(&crate::server::ops::REQUEST_ID).iter().count(), 1);
        // HEAD: the same headers, no body.
        let head = serve(&e, &accept(sent), true, true, &id);
        assert_eq!(head.headers(), h);
    }
    // A miss says so; nothing else changes.
    let miss = serve(&e, &accept("br"), false, false, &id);
    assert_eq!(miss.headers()[&X_CACHE], "miss");
    // A current copy: 304 with the validators, no body headers, no CSP.
    let mut current = accept("br");
    current.insert(header::IF_NONE_MATCH, HeaderValue::from_static("W/\"abc\""));
    let res = serve(&e, &current, false, true, &id);
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let h = res.headers();
    assert_eq!(h[header::ETAG], "W/\"abc\"");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[&crate::server::ops::REQUEST_ID], "req-1");
    for absent in [
        header::CONTENT_LENGTH,
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
        header::CONTENT_SECURITY_POLICY,
    ] {
        assert!(!h.contains_key(&absent), "{absent} on a 304");
    }
}

#[test]
fn recompressed_entries_get_headers_for_their_new_bodies() {
    let e = page_entry();
    let best = compress::encode_answer(&e.identity).expect("compress");
    let smaller = Bytes::from(best.br[..best.br.len() / 2].to_vec());
    let upgraded = e.clone().recompressed(best.gzip.clone(), smaller.clone());
    let mut h = HeaderMap::new();
    h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
    let res = serve(&upgraded, &h, false, true, &HeaderValue::from_static("r"));
    assert_eq!(
        res.headers()[header::CONTENT_LENGTH],
        smaller.len().to_string().as_str()
    );
    assert!(upgraded.is_best());
}
