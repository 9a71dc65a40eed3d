//! `microblog export`: the exported folder against the server it copies.
//! Every document is the server's bytes (images and social cards too);
//! exports are deterministic and incremental; a bad output folder is one
//! line and exit code 2.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use axum::http::StatusCode;
use common::export::{copy_dir, load, run_export, serial, shipped, site_root, tree, try_export};
use microblog::server::documents::{self, DocKind};

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
        .filter(|d| d.kind == DocKind::Page && d.path != microblog::model::SearchResults::PATH)
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

/// Values of `attr="…"` in `html` that point into the site (root-relative,
/// or absolute on `SITE_URL`), as paths.
fn site_urls(html: &str, attr: &str) -> Vec<String> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(v, _)| v))
        .filter_map(|v| {
            let v = v.strip_prefix(common::SITE_URL).unwrap_or(v);
            (v.starts_with('/') && !v.starts_with("//")).then(|| v.to_string())
        })
        .collect()
}

#[test]
fn every_image_and_social_card_a_page_points_to_is_exported() {
    let _serial = serial();
    let root = site_root();
    let out = tempfile::tempdir().expect("out");
    run_export(&shipped(), root.path(), out.path(), false);
    let files = tree(out.path());
    let mut images = BTreeSet::new();
    for (rel, bytes) in &files {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let meta_images = html
            .split("<meta")
            .skip(1)
            .filter(|tag| tag.contains("og:image") || tag.contains("twitter:image"))
            .flat_map(|tag| site_urls(tag, "content"));
        for url in site_urls(&html, "src").into_iter().chain(meta_images) {
            if url.starts_with("/pkg/") {
                continue;
            }
            let file = url
                .trim_start_matches('/')
                .split(['?', '#'])
                .next()
                .unwrap_or("");
            assert!(
                files.contains_key(file),
                "{rel} points to {url}, which was not exported"
            );
            images.insert(file.to_string());
        }
    }
    // The shipped content has a page-bundle image and posts without an
    // `image:` (their card is generated); both kinds must be among them.
    assert!(
        images
            .iter()
            .any(|f| f.starts_with("posts/") && f.ends_with(".png")),
        "{images:?}"
    );
    let cards: Vec<&String> = images.iter().filter(|f| f.starts_with("cards/")).collect();
    assert!(!cards.is_empty(), "{images:?}");
    for card in cards {
        assert!(
            files[card.as_str()].starts_with(b"\x89PNG"),
            "{card} is a PNG"
        );
    }
}
