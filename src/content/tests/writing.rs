//! Tests of the writing features: scheduled posts, series, related posts,
//! authors and `image:`, and images beside posts.

use std::fs;
use std::path::Path;

use super::super::*;
use super::{diagnostics, errors, load, write, write_post};

/// Loading options with the clock set to `now` (RFC 3339), for schedules.
pub(super) fn at(now: &str) -> LoadOptions {
    let now = chrono::DateTime::parse_from_rfc3339(now)
        .expect("test instant")
        .with_timezone(&chrono::Utc);
    LoadOptions {
        now: Some(now),
        ..LoadOptions::default()
    }
}

pub(super) fn load_at(dir: &Path, now: &str) -> Site {
    Site::load(dir, &at(now)).expect("folder loads")
}

/// The slugs of the posts shown as related to `slug`, in order.
fn related_slugs(site: &Site, slug: &str) -> Vec<String> {
    site.post(slug)
        .expect("post")
        .related
        .iter()
        .map(|r| r.slug.clone())
        .collect()
}

#[test]
fn a_post_dated_in_the_future_appears_nowhere_until_its_minute() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(
        dir.path(),
        "posts/live.md",
        "Live post",
        "2030-01-01",
        "tags: [sre]\n",
    );
    write_post(
        dir.path(),
        "posts/later.md",
        "Later post",
        "2030-06-01T09:30:00+02:00",
        "tags: [sre, capacity]\n",
    );

    let before = load_at(dir.path(), "2030-06-01T07:29:59Z");
    assert!(errors(&before).is_empty(), "{:?}", errors(&before));
    assert!(before.post("later").is_none(), "no page");
    assert_eq!(before.posts().len(), 1, "not listed");
    assert!(
        before.tag("capacity", 1, 10).is_none(),
        "its only tag does not exist yet"
    );
    let sre = before.tag("sre", 1, 10).expect("sre tag");
    assert!(sre.posts.iter().all(|p| p.slug != "later"), "not in a tag");
    assert_eq!(before.search("Later").total, 0, "not searchable");
    assert!(
        before.redirect("/later.html").is_none(),
        "no old-URL redirect"
    );
    let scheduled = before.scheduled();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].path, "posts/later.md");
    assert_eq!(scheduled[0].at_rfc3339(), "2030-06-01T07:30:00Z");
    assert_eq!(before.next_publish(), Some(scheduled[0].at));
    // The published neighbour does not point at it.
    assert_eq!(before.post("live").and_then(|p| p.newer.clone()), None);

    let after = load_at(dir.path(), "2030-06-01T07:30:00Z");
    assert!(
        after.post("later").is_some(),
        "live from the second it names"
    );
    assert_eq!(after.posts().len(), 2);
    assert!(after.tag("capacity", 1, 10).is_some());
    assert_eq!(after.search("Later").total, 1);
    assert!(after.scheduled().is_empty());
    assert_eq!(after.next_publish(), None);
    assert_eq!(
        after.post("live").and_then(|p| p.newer.clone()),
        Some(("later".to_string(), "Later post".to_string()))
    );
    // Going live moves Last-Modified past the files' own times.
    let live_at = std::time::SystemTime::from(scheduled[0].at);
    assert!(after.modified().is_some_and(|m| m >= live_at));
}

#[test]
fn a_bare_future_date_goes_live_at_midnight_utc() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(dir.path(), "posts/day.md", "Day", "2031-03-04", "");
    let before = load_at(dir.path(), "2031-03-03T23:59:59Z");
    assert_eq!(before.scheduled()[0].at_rfc3339(), "2031-03-04T00:00:00Z");
    assert!(load_at(dir.path(), "2031-03-04T00:00:00Z")
        .post("day")
        .is_some());
}

#[test]
fn series_parts_are_in_date_order_with_each_post_s_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let series = "series: \"Nomad in production\"\n";
    write_post(dir.path(), "posts/c.md", "Part three", "2024-03-01", series);
    write_post(dir.path(), "posts/a.md", "Part one", "2024-01-01", series);
    write_post(dir.path(), "posts/b.md", "Part two", "2024-02-01", series);
    write_post(dir.path(), "posts/lone.md", "Lone", "2024-02-15", "");
    let site = load(dir.path());
    assert!(site.diagnostics().is_empty(), "{:?}", site.diagnostics());
    let two = site
        .post("b")
        .and_then(|p| p.series.clone())
        .expect("series");
    assert_eq!(two.name, "Nomad in production");
    assert_eq!(two.position, 2);
    let slugs: Vec<&str> = two.parts.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(slugs, ["a", "b", "c"]);
    assert_eq!(
        site.post("c")
            .and_then(|p| p.series.clone())
            .map(|s| s.position),
        Some(3)
    );
    assert!(site.post("lone").is_some_and(|p| p.series.is_none()));
}

#[test]
fn series_mistakes_are_diagnostics_at_the_key_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(
        dir.path(),
        "posts/a.md",
        "A",
        "2024-01-01",
        "tags: [x]\nseries: \"Kubernetes upgrades\"\n",
    );
    write_post(
        dir.path(),
        "posts/b.md",
        "B",
        "2024-01-02",
        "series: \"kubernetes upgrades\"\n",
    );
    write_post(
        dir.path(),
        "posts/c.md",
        "C",
        "2024-01-03",
        "series: \"  \"\n",
    );
    let site = load(dir.path());
    assert_eq!(
        diagnostics(&site),
        [
            "posts/a.md:5:1: warning: series `Kubernetes upgrades` has only this part",
            "posts/b.md:4:1: warning: series `kubernetes upgrades` differs from series `Kubernetes upgrades` only in case: they are two series",
            "posts/b.md:4:1: warning: series `kubernetes upgrades` has only this part",
            "posts/c.md:4:1: error: empty `series`: name the series or remove the key",
        ]
    );
    assert!(
        site.post("c").is_none(),
        "a post with an empty series is skipped"
    );
}

#[test]
fn related_posts_rank_shared_tags_over_shared_terms_and_skip_the_series() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "glossary.md",
        "---\ntitle: Glossary\n---\n\n## Terraform {#terraform}\n\nIaC tool.\n\n## Helm {#helm}\n\nCharts.\n",
    );
    let body = |title: &str, date: &str, extra: &str, text: &str| {
        format!("---\ntitle: \"{title}\"\ndate: {date}\n{extra}---\n\n{text}\n")
    };
    let w = |rel: &str, text: String| write(dir.path(), rel, &text);
    w(
        "posts/main.md",
        body(
            "Main",
            "2024-05-01",
            "tags: [iac, gcp]\n",
            "Uses Terraform and Helm.",
        ),
    );
    w(
        "posts/two_tags.md",
        body(
            "Two tags",
            "2024-01-01",
            "tags: [iac, gcp]\n",
            "Nothing else.",
        ),
    );
    w(
        "posts/one_tag_terms.md",
        body(
            "One tag two terms",
            "2024-02-01",
            "tags: [iac]\n",
            "Terraform and Helm again.",
        ),
    );
    w(
        "posts/terms_only.md",
        body(
            "Terms only",
            "2024-03-01",
            "tags: [python]\n",
            "Terraform here.",
        ),
    );
    w(
        "posts/tie_newer.md",
        body("Tie newer", "2024-04-01", "tags: [gcp]\n", "Plain."),
    );
    w(
        "posts/tie_older.md",
        body("Tie older", "2023-04-01", "tags: [gcp]\n", "Plain."),
    );
    w(
        "posts/unrelated.md",
        body(
            "Unrelated",
            "2024-04-02",
            "tags: [rust]\n",
            "Nothing shared.",
        ),
    );
    let site = load(dir.path());
    assert!(errors(&site).is_empty(), "{:?}", errors(&site));
    let related = related_slugs(&site, "main");
    // two_tags: 2+2 = 4; one_tag_terms: 2+1+1 = 4 (newer wins the tie);
    // tie_newer: 2 beats tie_older: 2 (newer) and terms_only: 1.
    assert_eq!(related, ["one_tag_terms", "two_tags", "tie_newer"]);
    let unrelated = &site.post("unrelated").expect("post").related;
    assert!(unrelated.is_empty(), "nothing shared, nothing shown");

    // Parts of the same series are not "related": the series box lists them.
    w(
        "posts/two_tags.md",
        body(
            "Two tags",
            "2024-01-01",
            "tags: [iac, gcp]\nseries: \"S\"\n",
            "x",
        ),
    );
    w(
        "posts/main.md",
        body(
            "Main",
            "2024-05-01",
            "tags: [iac, gcp]\nseries: \"S\"\n",
            "Uses Terraform and Helm.",
        ),
    );
    let site = load(dir.path());
    let related = related_slugs(&site, "main");
    assert_eq!(related, ["one_tag_terms", "tie_newer", "tie_older"]);
}

#[test]
fn author_and_image_are_kept_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_post(
        dir.path(),
        "posts/a.md",
        "A",
        "2024-01-01",
        "author: \"Ana Ops\"\nimage: https://cdn.example.com/a.png\n",
    );
    write_post(
        dir.path(),
        "posts/b/index.md",
        "B",
        "2024-01-02",
        "image: ./cover.png\n",
    );
    png(dir.path(), "posts/b/cover.png", 64, 32);
    write_post(
        dir.path(),
        "posts/c.md",
        "C",
        "2024-01-03",
        "image: /images/c.png\n",
    );
    png(dir.path(), "images/c.png", 64, 32);
    // Files the site owns must exist; another host's are not checked.
    write_post(
        dir.path(),
        "posts/f/index.md",
        "F",
        "2024-01-06",
        "image: gone.png\n",
    );
    write_post(
        dir.path(),
        "posts/g.md",
        "G",
        "2024-01-07",
        "image: /images/gone.png\n",
    );
    write_post(
        dir.path(),
        "posts/d.md",
        "D",
        "2024-01-04",
        "author: \"\"\n",
    );
    write_post(
        dir.path(),
        "posts/e.md",
        "E",
        "2024-01-05",
        "tags: [x]\nimage: ../../etc/passwd\n",
    );
    let site = load(dir.path());
    let a = site.post("a").expect("a");
    assert_eq!(a.author.as_deref(), Some("Ana Ops"));
    assert_eq!(a.image.as_deref(), Some("https://cdn.example.com/a.png"));
    let b = site.post("b").expect("b");
    assert_eq!(b.author, None, "the site's author applies");
    assert_eq!(
        b.image.as_deref(),
        Some("/posts/b/cover.png"),
        "beside the post"
    );
    assert_eq!(
        site.post("c").and_then(|p| p.image.clone()).as_deref(),
        Some("/images/c.png")
    );
    assert_eq!(
        errors(&site),
        [
            "posts/d.md:4:1: error: empty `author`: name the author or remove the key for the site's default",
            "posts/e.md:5:1: error: invalid `image` `../../etc/passwd`: use a file beside the post, a /site/path or an https:// URL",
            "posts/f/index.md:4:1: error: `image`: image not found: `gone.png` (looked for posts/f/gone.png)",
            "posts/g.md:4:1: error: `image`: image not found: `/images/gone.png`",
        ]
    );
    assert!(site.post("f").is_none() && site.post("g").is_none());
}

pub(super) fn png(dir: &Path, rel: &str, width: u32, height: u32) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    img.save(&path).expect("write png");
}

#[test]
fn images_get_sizes_lazy_loading_srcset_and_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "posts/k8s-upgrade/index.md",
        "---\ntitle: \"Bundle\"\ndate: 2024-01-01\n---\n\n![Node pool graph](pool.png \"Pools\")\n\n![Error budget](/images/budget.png)\n\n![](../../images/budget.png)\n\n![Gone](missing.png)\n",
    );
    png(dir.path(), "posts/k8s-upgrade/pool.png", 2000, 1000);
    png(dir.path(), "images/budget.png", 300, 120);
    let site = load(dir.path());
    assert_eq!(
        diagnostics(&site),
        [
            "posts/k8s-upgrade/index.md:10:1: warning: image `../../images/budget.png` has no alt text: describe it for readers who cannot see it",
            "posts/k8s-upgrade/index.md:12:1: error: image not found: `missing.png` (looked for posts/k8s-upgrade/missing.png)",
        ]
    );
    let post = site
        .post_page("k8s-upgrade")
        .expect("bundle named by its folder");
    let imgs: Vec<&str> = post
        .html
        .split("<img ")
        .skip(1)
        .map(|s| s.split('>').next().unwrap_or_default())
        .collect();
    assert_eq!(imgs.len(), 4, "{}", post.html);
    assert!(imgs[0].starts_with("src=\"/posts/k8s-upgrade/pool.png\" alt=\"Node pool graph\" title=\"Pools\" width=\"2000\" height=\"1000\""), "{}", imgs[0]);
    assert!(imgs[0].contains("srcset=\"/posts/k8s-upgrade/pool-480w.png 480w, /posts/k8s-upgrade/pool-960w.png 960w, /posts/k8s-upgrade/pool-1600w.png 1600w, /posts/k8s-upgrade/pool.png 2000w\""), "{}", imgs[0]);
    assert!(
        !imgs[0].contains("loading="),
        "the first image loads at once"
    );
    assert!(
        imgs[1].contains("width=\"300\" height=\"120\" loading=\"lazy\" decoding=\"async\""),
        "{}",
        imgs[1]
    );
    assert!(!imgs[1].contains("srcset"), "small images have no copies");
    assert!(
        imgs[2].starts_with("src=\"/images/budget.png\" alt=\"\""),
        "{}",
        imgs[2]
    );
    assert!(
        imgs[3].starts_with("src=\"missing.png\"") && !imgs[3].contains("width"),
        "{}",
        imgs[3]
    );

    // The copies are real, made once, and listed for the export.
    let urls = site.assets().urls();
    assert_eq!(
        urls,
        [
            "/images/budget.png",
            "/posts/k8s-upgrade/pool-1600w.png",
            "/posts/k8s-upgrade/pool-480w.png",
            "/posts/k8s-upgrade/pool-960w.png",
            "/posts/k8s-upgrade/pool.png",
        ]
    );
    let Some(assets::Served::Bytes(bytes, mime)) =
        site.assets().lookup("/posts/k8s-upgrade/pool-480w.png")
    else {
        panic!("variant served from memory");
    };
    assert_eq!(mime, "image/png");
    let small = image::load_from_memory(&bytes).expect("decodes");
    assert_eq!((small.width(), small.height()), (480, 240));
    let again = load(dir.path());
    let Some(assets::Served::Bytes(same, _)) =
        again.assets().lookup("/posts/k8s-upgrade/pool-480w.png")
    else {
        panic!("variant");
    };
    assert!(
        std::sync::Arc::ptr_eq(&bytes, &same),
        "a reload reuses the copy"
    );
    assert!(
        site.assets()
            .lookup("/posts/k8s-upgrade/index.md")
            .is_none(),
        "only images"
    );
}
