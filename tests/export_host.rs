//! `microblog export` on a static host: the host applying the generated
//! `_redirects`/`_headers` serves a site a no-JS crawler finds whole; old
//! URLs get redirect pages; hostile aliases cannot forge rules; the static
//! search answers as the server does.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use axum::http::StatusCode;
use common::export::{load, run_export, serial, shipped, site_root, tree};

/// `(status, location, body, headers)` of `path` on the static host.
async fn host_get(host: &axum::Router, path: &str) -> common::Reply {
    common::get(host, path).await
}

fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(h, _)| h.to_string()))
        .filter(|h| h.starts_with('/') && !h.starts_with("//") || h.starts_with('#'))
        .collect()
}

#[test]
fn a_static_host_with_the_rules_serves_the_whole_site_without_javascript() {
    let _serial = serial();
    let root = site_root();
    let out = tempfile::tempdir().expect("out");
    run_export(&shipped(), root.path(), out.path(), false);
    let host = common::static_host::router(out.path()).expect("rules parse");
    let site = load(&shipped());
    common::run(async {
        let mut seen: BTreeMap<String, common::Reply> = BTreeMap::new();
        let mut anchors: Vec<(String, String, String)> = Vec::new();
        let mut queue = VecDeque::from(["/".to_string()]);
        let mut broken = Vec::new();
        while let Some(path) = queue.pop_front() {
            if seen.contains_key(&path) {
                continue;
            }
            let reply = host_get(&host, &path).await;
            if reply.status != StatusCode::OK {
                broken.push(format!("{path} → {}", reply.status));
            } else if reply.content_type().starts_with("text/html") {
                for href in hrefs(&reply.body) {
                    let (target, frag) = match href.split_once('#') {
                        Some(("", f)) => (path.clone(), Some(f.to_string())),
                        Some((t, f)) => (t.to_string(), Some(f.to_string())),
                        None => (href.clone(), None),
                    };
                    if let Some(f) = frag.filter(|f| !f.is_empty()) {
                        anchors.push((path.clone(), target.clone(), f));
                    }
                    queue.push_back(target);
                }
            }
            seen.insert(path, reply);
        }
        assert_eq!(
            broken,
            Vec::<String>::new(),
            "broken links on the static host"
        );
        for (from, target, frag) in &anchors {
            let body = &seen[target].body;
            assert!(
                body.contains(&format!("id=\"{frag}\""))
                    || body.contains(&format!("name=\"{frag}\"")),
                "{from} links to {target}#{frag}, which has no such anchor"
            );
        }
        // The HTML pages reached are exactly the sitemap's.
        let crawled: BTreeSet<String> = seen
            .iter()
            .filter(|(_, r)| r.content_type().starts_with("text/html"))
            .map(|(p, _)| p.clone())
            .collect();
        let sitemap: BTreeSet<String> = microblog::server::feeds::sitemap_entries(&site, 10)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(crawled, sitemap);
        // Every feed parses.
        let mut feeds = 0;
        for (path, reply) in &seen {
            if path.ends_with(".xml") && path != "/sitemap.xml" {
                feed_rs::parser::parse(reply.bytes.as_slice())
                    .unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
                feeds += 1;
            }
        }
        assert!(
            feeds >= 3,
            "home Atom, RSS and a tag feed are linked ({feeds})"
        );

        // Every old URL the server redirects: a 301 to the same place, or
        // (a page's trailing-slash twin) the page itself from its folder.
        for (from, to) in site.redirects() {
            let reply = host_get(&host, from).await;
            if reply.status == StatusCode::MOVED_PERMANENTLY {
                assert_eq!(reply.header(axum::http::header::LOCATION), to, "{from}");
            } else {
                assert_eq!(reply.status, StatusCode::OK, "{from}");
                let page = host_get(&host, to).await;
                assert!(reply.bytes == page.bytes, "{from} serves {to}");
            }
        }
        // Without JavaScript a static host cannot search: /search says so
        // (whatever the query) and points at the topics and the glossary.
        let search = host_get(&host, "/search?q=terraform").await;
        assert_eq!(search.status, StatusCode::OK);
        let note = search
            .body
            .split("<noscript>")
            .nth(1)
            .and_then(|rest| rest.split("</noscript>").next())
            .expect("a <noscript> note on /search");
        assert!(note.contains("needs JavaScript"), "{note}");
        assert!(
            note.contains("href=\"/tags\"") && note.contains("href=\"/glossary\""),
            "{note}"
        );

        let missing = host_get(&host, "/posts/no-such-post").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("noindex"));

        // Headers: one policy per page that allows its scripts; immutable
        // assets; the security headers everywhere.
        for path in ["/", "/posts/netlify", "/glossary", "/search", "/tags"] {
            let r = host_get(&host, path).await;
            let csp = r.header(axum::http::header::CONTENT_SECURITY_POLICY);
            assert!(!csp.contains(", "), "{path}: two policies joined: {csp}");
            for hash in common::inline_script_hashes(&r.body) {
                assert!(csp.contains(&hash), "{path}: {hash} not allowed by {csp}");
            }
            assert_eq!(r.header(axum::http::header::X_FRAME_OPTIONS), "DENY");
        }
        // Assets are cached as the server caches them (immutable when the
        // build names them by hash; this site root does not).
        let app = common::app(&shipped(), root.path());
        for path in ["/pkg/microblog.js", "/pkg/microblog.js.br", "/favicon.svg"] {
            let asset = host_get(&host, path).await;
            let served = common::get(&app, path).await;
            assert_eq!(asset.bytes, served.bytes, "{path}");
            assert_eq!(
                asset.header(axum::http::header::CACHE_CONTROL),
                served.header(axum::http::header::CACHE_CONTROL),
                "{path}"
            );
        }
    });
}

#[test]
fn meta_redirect_pages_stand_at_every_old_url() {
    let _serial = serial();
    let root = site_root();
    let out = tempfile::tempdir().expect("out");
    run_export(&shipped(), root.path(), out.path(), true);
    let site = load(&shipped());
    let files = tree(out.path());
    let mut pages = 0;
    for (from, to) in site.redirects() {
        let rel = from.trim_start_matches('/');
        let file = if rel.ends_with(".html") {
            rel.to_string()
        } else {
            format!("{}/index.html", rel.trim_end_matches('/'))
        };
        let html = String::from_utf8_lossy(&files[&file]).into_owned();
        if html.contains("http-equiv=\"refresh\"") {
            assert!(html.contains(&format!("content=\"0; url={to}\"")), "{file}");
            assert!(
                html.contains(&format!(
                    "rel=\"canonical\" href=\"{}{to}\"",
                    common::SITE_URL
                )),
                "{file}"
            );
            pages += 1;
        } else {
            // A real page stands there (a page's own folder, `/index.html`).
            assert!(
                html.contains("<main"),
                "{file} is neither a page nor a redirect"
            );
        }
    }
    assert!(pages >= site.posts().len() * 3, "{pages} redirect pages");
}

#[test]
fn hostile_aliases_cannot_forge_rules_or_leave_the_folder() {
    let _serial = serial();
    let root = site_root();
    let content = tempfile::tempdir().expect("content");
    std::fs::create_dir_all(content.path().join("posts")).expect("posts");
    std::fs::write(
        content.path().join("posts/target.md"),
        "---\ntitle: Target\ndate: 2024-01-01\naliases:\n  - \"/fine-old.html\"\n  - \"/two words\"\n  \
         - \"/evil\\n/injected /x 200\"\n  - \"/hash#comment\"\n  - \"/:splat\"\n  - \"/star/*\"\n  \
         - \"/x\\r\\n  X-Injected: 1\"\n  - \"/../../escape.html\"\n  - \"/café.html\"\n  \
         - \"/tab\\there 302!\"\n---\nBody.\n",
    )
    .expect("post");
    let parent = tempfile::tempdir().expect("parent");
    let out = parent.path().join("out");
    let report = run_export(content.path(), root.path(), &out, true);
    let rules = common::static_host::read_rules(&out).expect("both files parse strictly");
    let redirects = std::fs::read_to_string(out.join("_redirects")).expect("_redirects");
    let headers = std::fs::read_to_string(out.join("_headers")).expect("_headers");
    for forged in ["injected", "X-Injected", "splat", "star", " 200", " 302"] {
        assert!(
            !redirects.contains(forged),
            "{forged} in _redirects:\n{redirects}"
        );
    }
    for forged in ["injected", "X-Injected", "splat", "star/"] {
        assert!(!headers.contains(forged), "{forged} in _headers");
    }
    assert_eq!(rules.redirects["/fine-old.html"].0, "/posts/target");
    assert_eq!(rules.redirects["/caf%C3%A9.html"].0, "/posts/target");
    let to_target: BTreeSet<&str> = rules
        .redirects
        .iter()
        .filter(|(_, (to, _))| to == "/posts/target")
        .map(|(from, _)| from.as_str())
        .collect();
    assert_eq!(
        to_target,
        BTreeSet::from([
            "/caf%C3%A9.html",
            "/fine-old.html",
            "/posts/target.html",
            "/target.html",
            "/target/"
        ]),
        "the old shapes and the two safe aliases, nothing else"
    );
    assert!(rules.redirects.values().all(|(_, s)| *s == 301));
    assert!(
        report.skipped.len() >= 7,
        "each hostile alias is reported: {:?}",
        report.skipped
    );
    assert!(!parent.path().join("escape.html").exists());
    assert!(!root.path().join("escape.html").exists());
    let files = tree(&out);
    assert!(files.contains_key("fine-old.html") && files.contains_key("café.html"));
    assert!(
        files.keys().all(|k| !k.contains("..") && !k.contains('\n')),
        "{:?}",
        files.keys()
    );
}

#[test]
fn the_static_search_answers_as_the_server_does() {
    let _serial = serial();
    use microblog::static_search::{
        body_url, doc_url, rank, results, shard_key, shard_url, DocRecord,
    };
    let root = site_root();
    let out = tempfile::tempdir().expect("out");
    run_export(&shipped(), root.path(), out.path(), false);
    let site = load(&shipped());
    let read = |url: &str| std::fs::read(out.path().join(url.trim_start_matches('/'))).ok();
    for q in [
        "terraform",
        "Observabilidad",
        "kubernetes docker",
        "form",
        "ESPAÑOL",
        "netlify pelican",
        "zzzzqx",
        "a",
    ] {
        let words = microblog::search_rank::query_words(q);
        let mut transferred = 0;
        let shards: Vec<_> = words
            .iter()
            .map(|w| {
                let bytes = shard_key(w).and_then(|k| read(&shard_url(&k)))?;
                transferred += bytes.len();
                Some(serde_json::from_slice(&bytes).expect("shard json"))
            })
            .collect();
        let (total, top) = rank(&words, &shards);
        let records = top
            .iter()
            .map(|&d| {
                let bytes = read(&doc_url(d)).expect("record");
                transferred += bytes.len();
                let mut record: DocRecord = serde_json::from_slice(&bytes).expect("record json");
                // As the browser: the whole body only where its beginning
                // does not settle the snippet.
                if record.needs_rest(&words) {
                    let bytes = read(&body_url(d)).expect("whole body");
                    transferred += bytes.len();
                    record.body = serde_json::from_slice(&bytes).expect("body json");
                    record.more = false;
                }
                record
            })
            .collect();
        let ours = results(q, total, records);
        assert_eq!(ours, site.search(q), "static search for {q:?}");
        assert!(
            transferred <= 100 * 1024,
            "the first search for {q:?} reads {transferred} bytes"
        );
    }
}
