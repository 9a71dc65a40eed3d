//! `microblog export`: the exported folder against the server it copies.
//! Every document is the server's bytes; a plain static host applying the
//! generated `_redirects`/`_headers` serves a site a no-JS crawler finds
//! whole; exports are deterministic and incremental; hostile aliases cannot
//! forge rules; the static search answers as the server does.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use microblog::content::{LoadOptions, Site};
use microblog::export::{export, Options, Report};
use microblog::server::documents::{self, DocKind};

/// A built site as cargo-leptos leaves it: assets with precompressed
/// siblings, and a public file.
fn site_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("tempdir");
    let pkg = root.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    for (name, body) in [
        ("microblog.js", "export default function init() {}\n"),
        ("microblog_bg.wasm", "\0asm fake"),
        ("microblog.css", "body { color: black }\n"),
    ] {
        std::fs::write(pkg.join(name), body).expect("asset");
        std::fs::write(pkg.join(format!("{name}.br")), format!("br:{body}")).expect("br");
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gz:{body}")).expect("gz");
    }
    std::fs::write(
        root.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("favicon");
    root
}

/// One test at a time: each renders the whole site, and in a debug build
/// several at once on two cores come near the server's request timeout.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn shipped() -> PathBuf {
    common::manifest_dir().join("content")
}

fn run_export(content: &Path, root: &Path, out: &Path, meta_redirects: bool) -> Report {
    try_export(content, root, out, false, meta_redirects, 10).expect("export succeeds")
}

fn try_export(
    content: &Path,
    root: &Path,
    out: &Path,
    force: bool,
    meta_redirects: bool,
    posts_per_page: usize,
) -> Result<Report, microblog::export::ExportError> {
    let state = common::state(content, root, common::settings(posts_per_page), false);
    let options = Options {
        out: out.to_path_buf(),
        force,
        meta_redirects,
        content_dir: content.to_path_buf(),
    };
    let _exclusive = common::exclusive();
    common::run(export(state, &options))
}

/// Every file under `dir`: relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir");
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    std::fs::read(&path).expect("read"),
                );
            }
        }
    }
    out
}

fn load(content: &Path) -> Site {
    Site::load(content, &LoadOptions::default()).expect("content loads")
}

#[test]
fn every_exported_document_is_what_the_server_sends() {
    let _serial = serial();
    let root = site_root();
    let out = tempfile::tempdir().expect("out");
    // Four posts a page, so the list has later pages (`/page/2`, …).
    let report = try_export(&shipped(), root.path(), out.path(), false, false, 4).expect("export");
    let files = tree(out.path());
    let site = load(&shipped());
    let docs = documents::documents(&site, 4);
    assert!(report.pages >= 10, "{report:?}");
    // Without the page cache: what it stores is exactly what it would send,
    // and a debug build compressing /emoji at brotli 11 takes longer than
    // the server's 10 s request timeout on a busy machine.
    let mut settings = common::settings(4);
    settings.page_cache = microblog::server::cache::Limits::DISABLED;
    let app = common::app_with(&shipped(), root.path(), settings);
    common::run(async {
        for doc in &docs {
            let file = match doc.kind {
                DocKind::Page if doc.path == "/" => "index.html".to_string(),
                DocKind::Page => format!("{}/index.html", &doc.path[1..]),
                DocKind::File => doc.path[1..].to_string(),
            };
            let served = common::get(&app, &doc.path).await;
            assert_eq!(served.status, StatusCode::OK, "{}", doc.path);
            let exported = files
                .get(&file)
                .unwrap_or_else(|| panic!("{} was not exported as {file}", doc.path));
            assert!(
                *exported == served.bytes,
                "{file} differs from what the server sends for {}",
                doc.path
            );
        }
        let missing = common::get(&app, "/no/such/page").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(
            files["404.html"] == missing.bytes,
            "404.html is the not-found page"
        );
        for (rel, bytes) in tree(root.path()) {
            assert!(files.get(&rel) == Some(&bytes), "{rel} copied as is");
        }
    });
    // The sitemap's pages and the exported pages are the same set.
    let sitemap = String::from_utf8(files["sitemap.xml"].clone()).expect("utf-8");
    let listed: BTreeSet<String> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split_once("</loc>"))
        .map(|(loc, _)| loc.trim_start_matches(common::SITE_URL).to_string())
        .collect();
    let pages: BTreeSet<String> = docs
        .iter()
        .filter(|d| d.kind == DocKind::Page && d.path != documents::SEARCH_PATH)
        .map(|d| d.path.clone())
        .collect();
    assert_eq!(listed, pages);
    for must in [
        "feed.xml",
        "rss.xml",
        "robots.txt",
        "_redirects",
        "_headers",
        "netlify.toml",
    ] {
        assert!(files.contains_key(must), "{must}");
    }
    assert!(files
        .keys()
        .any(|k| k.starts_with("tags/") && k.ends_with("/feed.xml")));
    assert!(files.contains_key("search/index.html") && files.contains_key("emoji/index.html"));
    assert!(files.contains_key("page/2/index.html") && files.contains_key("page/3/index.html"));
}

#[test]
fn two_exports_are_byte_identical() {
    let _serial = serial();
    let root = site_root();
    let (a, b) = (
        tempfile::tempdir().expect("a"),
        tempfile::tempdir().expect("b"),
    );
    run_export(&shipped(), root.path(), a.path(), true);
    run_export(&shipped(), root.path(), b.path(), true);
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs between two exports");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let path = to.join(&rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
}

#[test]
fn a_re_export_rewrites_only_what_changed_and_removes_what_went() {
    let _serial = serial();
    let root = site_root();
    let content = tempfile::tempdir().expect("content");
    copy_dir(&shipped(), content.path());
    let out = tempfile::tempdir().expect("out");
    let first = run_export(content.path(), root.path(), out.path(), false);
    assert_eq!(first.written, first.files);
    let mtime = |rel: &str| {
        std::fs::metadata(out.path().join(rel))
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let before = tree(out.path());
    let about_time = mtime("about/index.html");

    // Nothing changed: nothing is written.
    let again = run_export(content.path(), root.path(), out.path(), false);
    assert_eq!((again.written, again.removed), (0, 0), "{again:?}");

    // Edit the body of the oldest post: its page, the feeds and the index
    // shards change; About does not.
    let site = load(content.path());
    let oldest = site.posts().last().expect("a post");
    let file = content.path().join(&oldest.path);
    let text = std::fs::read_to_string(&file).expect("post");
    std::fs::write(
        &file,
        format!("{text}\n\nOne more paragraph about zebrafish.\n"),
    )
    .expect("edit");
    let edited = run_export(content.path(), root.path(), out.path(), false);
    let after = tree(out.path());
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        edited.written,
        changed.len(),
        "written = files whose bytes changed"
    );
    let post_file = format!("posts/{}/index.html", oldest.post.meta.slug);
    assert!(changed.contains(&&post_file), "{changed:?}");
    assert!(
        edited.written * 5 < edited.files,
        "one edit rewrote {edited:?}"
    );
    assert_eq!(
        mtime("about/index.html"),
        about_time,
        "unchanged files are not touched"
    );

    // Delete it: its page goes, its folder too.
    std::fs::remove_file(&file).expect("delete");
    let removed = run_export(content.path(), root.path(), out.path(), false);
    assert!(removed.removed >= 1, "{removed:?}");
    assert!(!out.path().join(&post_file).exists());
    assert!(!out
        .path()
        .join(format!("posts/{}", oldest.post.meta.slug))
        .exists());
}

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
    use microblog::static_search::{doc_url, rank, results, shard_key, shard_url};
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
                serde_json::from_slice(&bytes).expect("record json")
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

/// `microblog export ARGS…` over `content`: exit code and stderr.
fn export_cli(content: &Path, root: &Path, args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let out = std::process::Command::new(common::process::BIN)
        .arg("export")
        .args(args)
        .env("CONTENT_DIR", content)
        .env("LEPTOS_SITE_ROOT", root)
        .env("LEPTOS_OUTPUT_NAME", "microblog")
        .env("SITE_URL", common::SITE_URL)
        .output()
        .expect("binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_line_exit_2((code, stderr): (Option<i32>, String), says: &str) {
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr:?}");
    assert!(stderr.contains(says), "{stderr:?} should say {says:?}");
}

#[test]
fn bad_output_folders_are_one_line_exit_2_and_nothing_outside_is_touched() {
    let _serial = serial();
    let root = site_root();
    let content = tempfile::tempdir().expect("content");
    copy_dir(&shipped(), content.path());
    let before = tree(content.path());
    let scratch = tempfile::tempdir().expect("scratch");

    // Not empty, not an earlier export, no --force.
    let full = scratch.path().join("full");
    std::fs::create_dir_all(&full).expect("full");
    std::fs::write(full.join("keep.txt"), "mine").expect("keep");
    assert_one_line_exit_2(
        export_cli(content.path(), root.path(), &[full.as_os_str()]),
        "not empty",
    );
    assert_eq!(
        std::fs::read_to_string(full.join("keep.txt")).expect("kept"),
        "mine"
    );
    assert_eq!(std::fs::read_dir(&full).expect("full").count(), 1);

    // Inside content/, and around it.
    let inside = content.path().join("public");
    assert_one_line_exit_2(
        export_cli(
            content.path(),
            root.path(),
            &[inside.as_os_str(), "--force".as_ref()],
        ),
        "inside the content folder",
    );
    assert!(!inside.exists(), "nothing was created inside content/");
    let around = content.path().parent().expect("parent").to_path_buf();
    assert_one_line_exit_2(
        export_cli(
            content.path(),
            root.path(),
            &[around.as_os_str(), "--force".as_ref()],
        ),
        "contains the content folder",
    );
    assert!(tree(content.path()) == before, "content/ untouched");

    // Unwritable: under /proc nothing can be created, even by root.
    assert_one_line_exit_2(
        export_cli(
            content.path(),
            root.path(),
            &["/proc/microblog-export".as_ref()],
        ),
        "cannot write",
    );
    // A file, not a folder.
    let file = scratch.path().join("file.txt");
    std::fs::write(&file, "x").expect("file");
    assert_one_line_exit_2(
        export_cli(content.path(), root.path(), &[file.as_os_str()]),
        "not a folder",
    );

    // --force replaces what OUT holds, but a symbolic link inside it is
    // removed as a link: what it points at survives.
    let outside = scratch.path().join("outside");
    std::fs::create_dir_all(&outside).expect("outside");
    std::fs::write(outside.join("index.html"), "precious").expect("precious");
    std::fs::write(full.join("old-file.txt"), "stale").expect("stale");
    std::os::unix::fs::symlink(&outside, full.join("posts")).expect("symlink");
    let (code, stderr) = export_cli(
        content.path(),
        root.path(),
        &[full.as_os_str(), "--force".as_ref()],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(outside.join("index.html")).expect("survives"),
        "precious"
    );
    assert_eq!(std::fs::read_dir(&outside).expect("outside").count(), 1);
    assert!(!full.join("keep.txt").exists() && !full.join("old-file.txt").exists());
    assert!(full.join("posts").is_dir() && !full.join("posts").is_symlink());
    assert!(tree(content.path()) == before, "content/ untouched");
    // An earlier export is re-exported in place without --force.
    let (code, stderr) = export_cli(content.path(), root.path(), &[full.as_os_str()]);
    assert_eq!(code, Some(0), "{stderr}");
}
