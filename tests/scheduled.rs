//! Scheduled posts over HTTP: a post dated a few seconds ahead is absent from
//! every page, feed and the sitemap, then the running publisher makes it live
//! at its time — same router, no restart, no file edit. The publish goes
//! through the page cache's warmer: the cached pages that show the post are
//! rendered before readers switch, the others keep their entries.

mod common;

use std::time::{Duration, Instant};

use axum::http::HeaderName;
use axum::http::StatusCode;
use chrono::{SecondsFormat, SubsecRound, Utc};
use common::{assembled_from_state, get, run, settings, state, write};
use microblog::server::schedule::Publishing;

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

#[test]
fn the_running_server_publishes_a_scheduled_post_at_its_time() {
    let content = tempfile::tempdir().expect("tempdir");
    let root = tempfile::tempdir().expect("tempdir");
    write(
        content.path(),
        "posts/old.md",
        "---\ntitle: \"Already out\"\ndate: 2024-01-01\ntags: [sre]\n---\n\nOld text.\n",
    );
    // Not a neighbour of the new post and nothing in common with it.
    write(
        content.path(),
        "posts/ancient.md",
        "---\ntitle: \"Ancient history\"\ndate: 2023-01-01\ntags: [misc]\n---\n\nAncient text.\n",
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
    let built = assembled_from_state(state);
    let (app, pages) = (built.app, built.pages);
    run(async {
        let publisher = microblog::server::schedule::spawn(
            content.path().to_path_buf(),
            Default::default(),
            store,
            Publishing {
                warmer: Some(built.warmer),
                saver: None,
            },
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
        let ancient = get(&app, "/posts/ancient").await;
        assert_eq!(get(&app, "/posts/ancient").await.header(X_CACHE), "hit");

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
        // Rendered by the warmer before the swap: the first request after it
        // is a hit with the new post, and nothing renders on request.
        let renders = pages.renders();
        for uri in ["/", "/tags/sre", "/feed.xml", "/rss.xml", "/sitemap.xml"] {
            let r = get(&app, uri).await;
            assert_eq!(r.header(X_CACHE), "hit", "{uri}: rendered ahead");
            assert!(r.body.contains("/posts/launch"), "{uri} lists the new post");
        }
        let kept = get(&app, "/posts/ancient").await;
        assert_eq!(kept.header(X_CACHE), "hit", "an unrelated post is kept");
        assert_eq!(kept.body, ancient.body);
        assert_eq!(pages.renders(), renders, "nothing rendered on request");
        for uri in [
            "/",
            "/tags/sre",
            "/tags/launches",
            "/feed.xml",
            "/rss.xml",
            "/sitemap.xml",
        ] {
            let r = common::get_ok(&app, uri).await;
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

/// A post given a time goes live at that time, and the feeds say so: Atom's
/// `published`/`updated` and RSS `pubDate` carry it, not 00:00 of the day;
/// each feed's own date is no older than its newest entry.
#[test]
fn feeds_carry_the_time_a_post_went_live() {
    let content = tempfile::tempdir().expect("tempdir");
    let root = tempfile::tempdir().expect("tempdir");
    write(
        content.path(),
        "posts/timed.md",
        "---\ntitle: \"Timed\"\ndate: 2024-03-05T08:30:00+01:00\ntags: [sre]\n---\n\nText.\n",
    );
    write(
        content.path(),
        "posts/day.md",
        "---\ntitle: \"Day\"\ndate: 2024-03-01\ntags: [sre]\n---\n\nText.\n",
    );
    let app = common::app(content.path(), root.path());
    run(async {
        let atom = common::get_ok(&app, "/feed.xml").await;
        let feed = feed_rs::parser::parse(atom.bytes.as_slice()).expect("Atom parses");
        let timed = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content == "Timed"))
            .expect("the timed post");
        let live = "2024-03-05T07:30:00Z";
        assert_eq!(
            timed
                .published
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Some(live.to_string())
        );
        assert_eq!(
            timed
                .updated
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Some(live.to_string())
        );
        let day = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content == "Day"))
            .expect("the dated post");
        assert_eq!(
            day.published
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Some("2024-03-01T00:00:00Z".to_string()),
            "a bare day goes live at 00:00 UTC"
        );
        assert!(
            feed.updated >= timed.updated,
            "the feed is as new as its newest entry"
        );

        let rss = get(&app, "/rss.xml").await;
        let channel = rss::Channel::read_from(rss.bytes.as_slice()).expect("RSS parses");
        let item = channel
            .items()
            .iter()
            .find(|i| i.title() == Some("Timed"))
            .expect("the timed item");
        assert_eq!(item.pub_date(), Some("Tue, 5 Mar 2024 07:30:00 +0000"));
        assert_eq!(
            channel.last_build_date(),
            Some("Tue, 5 Mar 2024 07:30:00 +0000")
        );
    });
}
