//! Scheduled posts over HTTP: a post dated a few seconds ahead is absent from
//! every page, feed and the sitemap, then the running publisher makes it live
//! at its time — same router, no restart, no file edit.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use chrono::{SecondsFormat, SubsecRound, Utc};
use common::{app_from_state, get, run, settings, state};

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn the_running_server_publishes_a_scheduled_post_at_its_time() {
    let content = tempfile::tempdir().expect("tempdir");
    let root = tempfile::tempdir().expect("tempdir");
    write(
        content.path(),
        "posts/old.md",
        "---\ntitle: \"Already out\"\ndate: 2024-01-01\ntags: [sre]\n---\n\nOld text.\n",
    );
    // Whole seconds: RFC 3339 in front matter, as an author writes it.
    let at = (Utc::now() + chrono::Duration::seconds(3)).trunc_subsecs(0);
    write(
        content.path(),
        "posts/launch.md",
        &format!(
            "---\ntitle: \"Launch day runbook\"\ndate: {}\ntags: [sre, launches]\n---\n\nThe launch checklist.\n",
            at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
    );
    let state = state(content.path(), root.path(), settings(10), false);
    let store = state.store.clone();
    let app = app_from_state(state);
    run(async {
        let publisher = microblog::server::schedule::spawn(
            content.path().to_path_buf(),
            Default::default(),
            store,
            Default::default(),
        );
        // Before: nowhere.
        for (uri, status) in [
            ("/posts/launch", StatusCode::NOT_FOUND),
            ("/tags/launches", StatusCode::NOT_FOUND),
            ("/", StatusCode::OK),
            ("/tags/sre", StatusCode::OK),
            ("/feed.xml", StatusCode::OK),
            ("/rss.xml", StatusCode::OK),
            ("/sitemap.xml", StatusCode::OK),
            ("/search?q=launch", StatusCode::OK),
            ("/api/posts?page=1", StatusCode::OK),
        ] {
            let r = get(&app, uri).await;
            assert_eq!(r.status, status, "{uri}");
            assert!(
                !r.body.contains("Launch day runbook") && !r.body.contains("/posts/launch"),
                "{uri} shows the scheduled post early"
            );
        }
        let feed_before = get(&app, "/feed.xml").await;

        // The publisher wakes at the post's second; allow generous slack for
        // a busy machine (this is a deadline, not a timing measurement).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let r = get(&app, "/posts/launch").await;
            if r.status == StatusCode::OK {
                assert!(r.body.contains("The launch checklist."));
                break;
            }
            assert!(
                Instant::now() < deadline,
                "not published 27 s after its time"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(Utc::now() >= at, "published before its time");
        for uri in [
            "/",
            "/tags/sre",
            "/tags/launches",
            "/feed.xml",
            "/rss.xml",
            "/sitemap.xml",
        ] {
            let r = get(&app, uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}");
            assert!(r.body.contains("/posts/launch"), "{uri} lists the new post");
        }
        let search = get(&app, "/search?q=launch").await;
        assert!(search.body.contains("Launch day runbook"));
        let feed_after = get(&app, "/feed.xml").await;
        assert_ne!(
            feed_before.header(axum::http::header::ETAG),
            feed_after.header(axum::http::header::ETAG),
            "feed validator changes"
        );
        publisher.abort();
    });
}
