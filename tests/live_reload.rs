//! The author loop against the real binary: edit a post on disk and see it
//! over HTTP, break it and keep the last good page, fix it again.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use common::process::{http_get, Server};

/// A copy of the fixture site the test may edit.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::export::copy_dir(&common::fixture("site"), dir.path());
    dir
}

fn start(content: &Path) -> Server {
    common::process::start(content, &[("CONTENT_WATCH", "1"), ("RUST_LOG", "info")])
}

/// Polls `path` until `pred` holds; returns how long it took.
fn wait_for(
    server: &Server,
    path: &str,
    limit: Duration,
    pred: impl Fn(&str) -> bool,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok((_, body)) = http_get(&server.addr, path) {
            if pred(&body) {
                return Some(start.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// Waits up to 3 s for `path` to show `needle`; else fails saying `what`
/// did not happen, with the server's log.
fn wait_for_text(server: &Server, path: &str, needle: &str, what: &str) {
    wait_for(server, path, Duration::from_secs(3), |b| b.contains(needle))
        .unwrap_or_else(|| panic!("{what}:\n{}", server.log_text()));
}

/// Atomic save, the way editors do it: write a temp file, rename over.
fn save(path: &Path, text: &str) {
    let tmp = path.with_extension("md.tmp~");
    std::fs::write(&tmp, text).expect("write temp");
    std::fs::rename(&tmp, path).expect("rename");
}

#[test]
fn edits_appear_broken_files_keep_the_last_good_page() {
    let dir = fixture_copy();
    let server = start(dir.path());
    let post = dir.path().join("posts/hello.md");
    let original = std::fs::read_to_string(&post).expect("read post");

    // 1. A new title shows up within a second.
    save(
        &post,
        &original.replace("Hello, fixture world", "Hello, edited world"),
    );
    let took = wait_for(&server, "/posts/hello", Duration::from_secs(1), |b| {
        b.contains("<h1>Hello, edited world</h1>")
    })
    .expect("edited title visible within 1 s");
    eprintln!("save → visible over HTTP: {} ms", took.as_millis());

    // 2. Broken front matter: the last good page stays, the problem is logged.
    save(
        &post,
        &original.replace("title: \"Hello, fixture world\"", "title: [unclosed"),
    );
    let logged = wait_for(&server, "/posts/hello", Duration::from_secs(3), |_| {
        server
            .log
            .lock()
            .map(|l| l.contains("posts/hello.md:2:"))
            .unwrap_or(false)
    });
    assert!(
        logged.is_some(),
        "diagnostic logged:\n{}",
        server.log_text()
    );
    let (status, body) = http_get(&server.addr, "/posts/hello").expect("GET");
    assert_eq!(status, 200);
    assert!(
        body.contains("<h1>Hello, edited world</h1>"),
        "last good page kept"
    );
    assert!(
        http_get(&server.addr, "/posts/older")
            .map(|r| r.0)
            .unwrap_or(0)
            == 200
    );

    // 3. Fixed: the new version is served.
    save(
        &post,
        &original.replace("Hello, fixture world", "Hello, fixed world"),
    );
    wait_for_text(
        &server,
        "/posts/hello",
        "<h1>Hello, fixed world</h1>",
        "fixed page not visible",
    );

    // 4. New, deleted and renamed files.
    std::fs::write(
        dir.path().join("posts/brand_new.md"),
        "---\ntitle: \"Brand new\"\ndate: 2026-11-01\n---\n\nFresh.\n",
    )
    .expect("new file");
    wait_for_text(&server, "/", "Brand new", "new post not listed");
    std::fs::rename(
        dir.path().join("posts/brand_new.md"),
        dir.path().join("posts/renamed.md"),
    )
    .expect("rename");
    wait_for(&server, "/posts/renamed", Duration::from_secs(3), |b| {
        b.starts_with("HTTP/1.1 200")
    })
    .expect("renamed post served under its new slug");
    assert_eq!(
        http_get(&server.addr, "/posts/brand_new")
            .map(|r| r.0)
            .unwrap_or(0),
        404
    );
    std::fs::remove_file(dir.path().join("posts/renamed.md")).expect("delete");
    wait_for(&server, "/posts/renamed", Duration::from_secs(3), |b| {
        b.starts_with("HTTP/1.1 404")
    })
    .expect("deleted post is 404");

    // 5. Deleting a post that another links to would break the site: refused.
    std::fs::remove_file(dir.path().join("posts/older.md")).expect("delete");
    wait_for(&server, "/", Duration::from_secs(3), |_| {
        server
            .log
            .lock()
            .map(|l| l.contains("broken reference: no page `older.md`"))
            .unwrap_or(false)
    })
    .expect("broken reference reported");
    assert_eq!(
        http_get(&server.addr, "/posts/older")
            .map(|r| r.0)
            .unwrap_or(0),
        200,
        "last good site kept"
    );
}

#[test]
fn one_save_is_one_reload_and_pages_are_told() {
    let dir = fixture_copy();
    let server = start(dir.path());

    let mut events = TcpStream::connect(&server.addr).expect("connect");
    events
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    write!(
        events,
        "GET /_microblog/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    let mut reader = BufReader::new(events);
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    std::thread::sleep(Duration::from_millis(200));

    // An editor save: temp file, rename, then a metadata touch.
    let post = dir.path().join("posts/older.md");
    let text = std::fs::read_to_string(&post).expect("read");
    save(
        &post,
        &text.replace("An older post", "An older, edited post"),
    );
    std::fs::write(
        &post,
        text.replace("An older post", "An older, edited post"),
    )
    .expect("rewrite");

    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline && !seen.contains("\"kind\":\"reloaded\"") {
        let mut l = String::new();
        if reader.read_line(&mut l).is_err() {
            break;
        }
        seen.push_str(&l);
    }
    assert!(seen.contains("event: reloaded"), "{seen}");
    // The save's several events were debounced into one reload.
    std::thread::sleep(Duration::from_millis(500));
    let log = server.log_text();
    assert_eq!(log.matches("content reloaded").count(), 1, "{log}");
}

#[test]
fn a_broken_file_does_not_freeze_edits_to_other_posts() {
    let dir = fixture_copy();
    // Broken from the start: there is no good version of it to keep.
    std::fs::write(
        dir.path().join("posts/broken.md"),
        "---\ntitle: [unclosed\ndate: 2024-01-01\n---\n\nNever served.\n",
    )
    .expect("write broken post");
    let server = start(dir.path());
    assert_eq!(
        http_get(&server.addr, "/posts/broken").map(|r| r.0).ok(),
        Some(404)
    );

    // 1. Another post is edited: the edit appears.
    let older = dir.path().join("posts/older.md");
    let text = std::fs::read_to_string(&older).expect("read");
    save(
        &older,
        &text.replace("An older post", "An older, edited post"),
    );
    wait_for_text(
        &server,
        "/posts/older",
        "An older, edited post",
        "edit not published",
    );

    // 2. A good post breaks: it is served in its last good version, and
    //    edits to other posts still appear.
    let hello = dir.path().join("posts/hello.md");
    let original = std::fs::read_to_string(&hello).expect("read");
    save(
        &hello,
        &original.replace("title: \"Hello, fixture world\"", "title: [unclosed"),
    );
    save(
        &older,
        &text.replace("An older post", "An older post, edited twice"),
    );
    wait_for_text(
        &server,
        "/posts/older",
        "An older post, edited twice",
        "second edit not published",
    );
    let (status, body) = http_get(&server.addr, "/posts/hello").expect("GET hello");
    assert_eq!(status, 200, "last good version of the broken post");
    assert!(body.contains("<h1>Hello, fixture world</h1>"));
    assert!(
        server.log_text().contains("posts/hello.md:2:"),
        "the broken file is still reported:\n{}",
        server.log_text()
    );
}

#[test]
fn a_reload_is_published_unless_it_adds_an_error() {
    use microblog::content::{LoadOptions, Site};
    use microblog::server::watch::{reload, LastGood, Outcome};
    let dir = fixture_copy();
    let options = LoadOptions::default();
    let (served, sources) = Site::load_with_sources(dir.path(), &options, None).expect("loads");
    let mut last_good = LastGood::default();
    last_good.record(&sources, &served);
    let decide = |served: &Site, last_good: &mut LastGood| {
        reload(dir.path(), &options, served, last_good).expect("folder readable")
    };

    // A new post, broken: left out and reported, the rest is published.
    std::fs::write(dir.path().join("posts/new.md"), "---\ntitle: [\n---\n").expect("write");
    let served = match decide(&served, &mut last_good) {
        Outcome::Publish { site, errors, .. } => {
            assert_eq!(errors.len(), 1, "the problem is still reported");
            site
        }
        Outcome::Reject { errors } => panic!("a never-good file blocked: {errors:?}"),
    };
    assert_eq!(served.error_count(), 1);

    // Deleting a post another one links to adds an error: rejected.
    std::fs::remove_file(dir.path().join("posts/older.md")).expect("delete");
    match decide(&served, &mut last_good) {
        Outcome::Reject { errors } => assert!(
            errors.iter().any(|d| d.message.contains("older.md")),
            "{errors:?}"
        ),
        Outcome::Publish { .. } => panic!("a dangling link was published"),
    }
}
