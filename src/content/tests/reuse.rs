//! Tests of reuse between loads: the reload memo (`memo.rs`), the render
//! cache on disk (`disk.rs`) and the page fingerprints (`fingerprint.rs`),
//! including what the writing features add to a page's inputs (images,
//! scheduled posts, series and related posts).

use std::fs;
use std::path::Path;

use super::super::*;
use super::writing::{at, load_at, png};
use super::{load, write, write_post};

/// Posts as a reader sees them (cards attached), for comparing two loads.
fn posts_of(site: &Site) -> Vec<crate::model::Post> {
    site.posts()
        .filter_map(|e| site.post_page(&e.post.meta.slug))
        .collect()
}

#[test]
fn a_reload_reuses_unchanged_files_and_equals_a_fresh_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_post(d, "posts/a.md", "A", "2024-01-01", "");
    write(
        d,
        "posts/b.md",
        "---\ntitle: \"B\"\ndate: 2024-01-02\n---\n\nSee [a]({{< ref \"a.md\" >}}).\n",
    );
    write_post(d, "posts/c.md", "C", "2024-01-03", "");
    write(d, "posts/bad.md", "---\ntitle: \"Bad\"\n---\n\nNo date.\n");
    write(d, "about.md", "---\ntitle: \"About\"\n---\n\nMe.\n");
    let first = load(d);
    assert_eq!(first.reused(), 0);

    // Only c changes: everything else, the broken file included, is reused.
    write_post(d, "posts/c.md", "C edited", "2024-01-03", "");
    let second = Site::reload(d, &LoadOptions::default(), Some(&first)).expect("reload");
    assert_eq!(second.reused(), 4, "a, b, bad and about");
    let fresh = load(d);
    assert_eq!(posts_of(&second), posts_of(&fresh));
    assert_eq!(second.diagnostics(), fresh.diagnostics());
    assert_eq!(second.about(), fresh.about());
    assert!(second.post("c").is_some_and(|p| p.meta.title == "C edited"));

    // a moves away: b's reference now resolves nowhere, so b is built again.
    fs::rename(d.join("posts/a.md"), d.join("posts/a2.md")).expect("rename");
    let third = Site::reload(d, &LoadOptions::default(), Some(&second)).expect("reload");
    let fresh = load(d);
    assert_eq!(third.reused(), 3, "c, bad and about; b and a2 are built");
    assert_eq!(posts_of(&third), posts_of(&fresh));
    assert_eq!(third.diagnostics(), fresh.diagnostics());
    assert!(
        third
            .post_page("b")
            .is_some_and(|p| p.html.contains("broken")),
        "the link is marked broken"
    );
}

fn disk_fixture() -> (tempfile::TempDir, tempfile::TempDir, Site) {
    let content = tempfile::tempdir().expect("tempdir");
    let d = content.path();
    write_post(d, "posts/a.md", "A", "2024-01-01", "");
    write(
        d,
        "posts/b.md",
        "---\ntitle: \"B\"\ndate: 2024-01-02\n---\n\nSee [a]({{< ref \"a.md\" >}}) :rocket:.\n",
    );
    write(d, "about.md", "---\ntitle: \"About\"\n---\n\nMe.\n");
    let cache = tempfile::tempdir().expect("tempdir");
    let site = load(d);
    RenderCache::new(cache.path())
        .save(&site)
        .expect("cache written");
    (content, cache, site)
}

#[test]
fn a_warm_start_from_the_disk_cache_renders_nothing_and_equals_a_cold_load() {
    let (content, cache, cold) = disk_fixture();
    let cached = RenderCache::new(cache.path()).load().expect("cache read");
    let warm = Site::reload(content.path(), &LoadOptions::default(), Some(&cached)).expect("load");
    assert_eq!(warm.reused(), 3, "a, b and about from the cache");
    assert_eq!(posts_of(&warm), posts_of(&cold));
    assert_eq!(warm.about(), cold.about());
    assert_eq!(warm.diagnostics(), cold.diagnostics());
    // A file edited while the server was down is rendered again.
    write_post(content.path(), "posts/a.md", "A edited", "2024-01-01", "");
    let warm = Site::reload(content.path(), &LoadOptions::default(), Some(&cached)).expect("load");
    assert_eq!(warm.reused(), 2);
    assert_eq!(posts_of(&warm), posts_of(&load(content.path())));
}

#[test]
fn a_truncated_or_corrupt_cache_is_refused_whole() {
    let (_content, cache, _) = disk_fixture();
    let file = RenderCache::new(cache.path()).file().to_path_buf();
    let bytes = fs::read(&file).expect("read cache");
    // Cut mid-body.
    fs::write(&file, &bytes[..bytes.len() / 2]).expect("truncate");
    let err = RenderCache::new(cache.path()).load().expect_err("refused");
    assert!(err.to_string().contains("truncated"), "{err}");
    // Cut inside the header line.
    fs::write(&file, &bytes[..10]).expect("truncate");
    assert!(RenderCache::new(cache.path()).load().is_err());
    // Same length, one byte of the body changed: the title "A" (a
    // postcard string: its length, then its bytes), say.
    let mut flipped = bytes.clone();
    let at = bytes
        .windows(2)
        .rposition(|w| w == b"\x01A")
        .expect("a title in the body");
    flipped[at + 1] = b'Z';
    fs::write(&file, &flipped).expect("corrupt");
    let err = RenderCache::new(cache.path()).load().expect_err("refused");
    assert!(err.to_string().contains("checksum"), "{err}");
    // Missing.
    fs::remove_file(&file).expect("remove");
    assert!(RenderCache::new(cache.path()).load().is_err());
}

#[test]
fn a_cache_from_another_engine_version_is_refused() {
    let (_content, cache, _) = disk_fixture();
    let file = RenderCache::new(cache.path()).file().to_path_buf();
    let bytes = fs::read(&file).expect("read cache");
    let newline = bytes.iter().position(|b| *b == b'\n').expect("header line");
    let mut h: serde_json::Value = serde_json::from_slice(&bytes[..newline]).expect("json header");
    h["engine"] = serde_json::Value::from("0.0.1+0000000000000000");
    let mut rewritten = h.to_string().into_bytes();
    rewritten.extend_from_slice(&bytes[newline..]);
    fs::write(&file, rewritten).expect("rewrite");
    let err = RenderCache::new(cache.path()).load().expect_err("refused");
    assert!(err.to_string().contains("another engine"), "{err}");
}

/// What the publisher does when a scheduled post is due: reload at `now`
/// with the live snapshot as `previous`.
fn reload_at(dir: &Path, now: &str, previous: &Site) -> Site {
    Site::reload(dir, &at(now), Some(previous)).expect("reload")
}

fn reload(dir: &Path, previous: &Site) -> Site {
    Site::reload(dir, &LoadOptions::default(), Some(previous)).expect("reload")
}

fn html_of(site: &Site, slug: &str) -> String {
    site.post_page(slug).map(|p| p.html).unwrap_or_default()
}

#[test]
fn an_edited_bundle_image_renders_the_posts_that_show_it_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "posts/bundle/index.md",
        "---\ntitle: \"Bundle\"\ndate: 2024-01-02\n---\n\n![Pools](pool.png)\n",
    );
    write(
        d,
        "posts/shared.md",
        "---\ntitle: \"Shared\"\ndate: 2024-01-03\n---\n\n![Budget](/images/budget.png)\n\n![Soon](/images/soon.png)\n",
    );
    write_post(d, "posts/plain.md", "Plain", "2024-01-01", "");
    png(d, "posts/bundle/pool.png", 300, 100);
    png(d, "images/budget.png", 120, 60);
    let first = load(d);
    assert!(html_of(&first, "bundle").contains("width=\"300\" height=\"100\""));
    assert!(
        first
            .diagnostics()
            .iter()
            .any(|e| e.message.contains("image not found: `/images/soon.png`")),
        "{:?}",
        first.diagnostics()
    );
    let fingerprint = |site: &Site, slug| site.fingerprint(PageKey::Post(slug), 10);

    // The bundle's image is replaced by one of another size.
    png(d, "posts/bundle/pool.png", 200, 100);
    let second = reload(d, &first);
    assert_eq!(
        second.reused(),
        2,
        "shared and plain are reused, bundle is not"
    );
    assert!(
        html_of(&second, "bundle").contains("width=\"200\" height=\"100\""),
        "{}",
        html_of(&second, "bundle")
    );
    assert_ne!(
        fingerprint(&first, "bundle"),
        fingerprint(&second, "bundle")
    );
    assert_eq!(fingerprint(&first, "plain"), fingerprint(&second, "plain"));
    assert_eq!(posts_of(&second), posts_of(&load(d)));

    // Same size, other pixels: the file changed, so the page is built again
    // (its copies in `srcset` and its bytes are new).
    let bytes = fs::read(d.join("images/budget.png")).expect("read png");
    let img = image::RgbImage::from_pixel(120, 60, image::Rgb([9, 9, 9]));
    img.save(d.join("images/budget.png")).expect("write png");
    assert_ne!(bytes, fs::read(d.join("images/budget.png")).expect("png"));
    let third = reload(d, &second);
    assert_eq!(
        third.reused(),
        2,
        "bundle and plain are reused, shared is not"
    );

    // An image that was missing appears: the error goes with the rebuild.
    png(d, "images/soon.png", 64, 32);
    let fourth = reload(d, &third);
    assert_eq!(fourth.reused(), 2);
    assert!(html_of(&fourth, "shared").contains("width=\"64\" height=\"32\""));
    assert!(
        fourth.diagnostics().is_empty(),
        "{:?}",
        fourth.diagnostics()
    );
    assert_eq!(fourth.diagnostics(), load(d).diagnostics());
}

#[test]
fn a_warm_start_renders_again_the_posts_whose_images_changed_while_down() {
    let content = tempfile::tempdir().expect("tempdir");
    let d = content.path();
    write(
        d,
        "posts/bundle/index.md",
        "---\ntitle: \"Bundle\"\ndate: 2024-01-02\n---\n\n![Pools](pool.png)\n",
    );
    write_post(d, "posts/plain.md", "Plain", "2024-01-01", "");
    png(d, "posts/bundle/pool.png", 300, 100);
    let cache = tempfile::tempdir().expect("tempdir");
    RenderCache::new(cache.path())
        .save(&load(d))
        .expect("cache written");
    png(d, "posts/bundle/pool.png", 240, 100);
    let cached = RenderCache::new(cache.path()).load().expect("cache read");
    let warm = reload(d, &cached);
    assert_eq!(warm.reused(), 1, "plain from the cache; bundle rendered");
    assert!(html_of(&warm, "bundle").contains("width=\"240\""));
    assert_eq!(posts_of(&warm), posts_of(&load(d)));
}

#[test]
fn a_scheduled_post_going_live_changes_the_fingerprints_of_the_pages_showing_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_post(d, "posts/other.md", "Other", "2024-01-01", "tags: [misc]\n");
    // Related to the launch by their tag only (not a neighbour, no series).
    write_post(d, "posts/p0.md", "P0", "2029-01-01", "tags: [sre]\n");
    // The launch's series: its first part.
    write_post(
        d,
        "posts/p1.md",
        "P1",
        "2030-01-01",
        "tags: [sre]\nseries: Runbooks\n",
    );
    // The launch's older neighbour.
    write_post(d, "posts/p2.md", "P2", "2030-02-01", "tags: [ops]\n");
    write_post(
        d,
        "posts/launch.md",
        "Launch",
        "2030-06-01T09:00:00Z",
        "tags: [sre, launches]\nseries: Runbooks\n",
    );
    let before = load_at(d, "2030-06-01T08:59:59Z");
    assert!(before.post("launch").is_none(), "scheduled");
    let after = reload_at(d, "2030-06-01T09:00:00Z", &before);
    assert!(after.post("launch").is_some(), "live");
    assert_eq!(after.reused(), 4, "the other posts' renders are reused");
    assert_eq!(
        posts_of(&after),
        posts_of(&load_at(d, "2030-06-01T09:00:00Z")),
        "as a fresh load"
    );
    let fp = |site: &Site, page| site.fingerprint(page, 10);
    for page in [
        PageKey::List(1),
        PageKey::Tags,
        PageKey::Tag("sre", 1),
        PageKey::Tag("launches", 1),
        PageKey::TagFeed("sre"),
        PageKey::Feed,
        PageKey::Sitemap,
        PageKey::Post("launch"),
        // Neighbour (newer link), series part, related post.
        PageKey::Post("p2"),
        PageKey::Post("p1"),
        PageKey::Post("p0"),
    ] {
        assert_ne!(fp(&before, page), fp(&after, page), "{page:?} must change");
    }
    let p1 = after.post("p1").expect("p1");
    assert_eq!(p1.series.as_ref().map(|s| s.parts.len()), Some(2));
    assert!(after
        .post("p0")
        .is_some_and(|p| p.related.iter().any(|r| r.slug == "launch")));
    // Pages that do not show it keep their cache entries.
    for page in [
        PageKey::Post("other"),
        PageKey::Tag("misc", 1),
        PageKey::TagFeed("misc"),
        PageKey::Tag("ops", 1),
    ] {
        assert!(fp(&after, page).is_some(), "{page:?} exists");
        assert_eq!(fp(&before, page), fp(&after, page), "{page:?} is kept");
    }
}

#[test]
fn a_reload_answers_search_from_the_served_index_until_its_own_is_built() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "posts/a.md",
        "---\ntitle: \"A\"\ndate: 2024-01-01\n---\n\nOld zebrafish text.\n",
    );
    let served = load(d);
    assert!(!served.search_ready(), "a load does not index");
    assert_eq!(served.search("zebrafish").total, 1, "built on first use");
    assert!(served.search_ready());

    write(
        d,
        "posts/a.md",
        "---\ntitle: \"A\"\ndate: 2024-01-01\n---\n\nNew axolotl text.\n",
    );
    let mut next = Site::reload(d, &LoadOptions::default(), Some(&served)).expect("reload");
    next.answer_search_from(&served);
    // Before its own index: the site as it was one edit earlier.
    assert_eq!(next.search("zebrafish").total, 1);
    assert_eq!(next.search("axolotl").total, 0);
    assert!(
        !next.search_ready(),
        "answering from the fallback builds nothing"
    );
    // Once built, its own answers, and the old index is let go.
    assert_eq!(next.search_index().len(), 1);
    assert_eq!(next.search("zebrafish").total, 0);
    assert_eq!(next.search("axolotl").total, 1);

    // In the background, as the store does on publish.
    let mut later = Site::reload(d, &LoadOptions::default(), Some(&next)).expect("reload");
    later.answer_search_from(&next);
    let later = std::sync::Arc::new(later);
    later.index_search_in_background();
    // Waits for that one build rather than answering from the fallback
    // forever: `search_index` joins the build in progress.
    assert_eq!(later.search_index().len(), 1);
    assert!(later.search_ready());
    assert_eq!(later.search("axolotl").total, 1);
}

/// A read taken "later": as if `secs` had passed since `sources` was read,
/// so that every file it read has settled.
fn aged(mut sources: Sources, secs: u64) -> Sources {
    sources.read_at += std::time::Duration::from_secs(secs);
    sources
}

fn text_of<'a>(sources: &'a Sources, path: &str) -> &'a std::sync::Arc<str> {
    sources
        .texts()
        .find(|(p, _)| *p == path)
        .map(|(_, t)| t)
        .expect("file read")
}

#[test]
fn a_read_takes_only_settled_files_whose_stamp_is_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_post(d, "posts/a.md", "A", "2024-01-01", "");
    write_post(d, "posts/b.md", "B", "2024-01-02", "");
    let first = Sources::read(d).expect("read");

    // Just written: not settled when `first` was read, so read again.
    let again = Sources::read_after(d, Some(&first)).expect("read");
    assert_eq!(
        again.taken(),
        0,
        "files changed just before a read are read again"
    );

    // Settled and unchanged: taken, the very same text.
    let first = aged(first, 60);
    let again = Sources::read_after(d, Some(&first)).expect("read");
    assert_eq!(again.taken(), 2);
    assert!(std::sync::Arc::ptr_eq(
        text_of(&first, "posts/a.md"),
        text_of(&again, "posts/a.md")
    ));

    // Same length, same modification time set back: the status-change
    // time (and, for a replaced file, the inode) still tells.
    let path = d.join("posts/a.md");
    let before = fs::read_to_string(&path).expect("read");
    let mtime = fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let edited = before.replacen("Body", "Bodx", 1);
    assert_eq!(edited.len(), before.len());
    assert_ne!(edited, before);
    fs::write(&path, &edited).expect("write");
    fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(mtime))
        .expect("set mtime");
    assert_eq!(
        fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        mtime
    );
    let after = Sources::read_after(d, Some(&first)).expect("read");
    assert_eq!(after.taken(), 1, "only b");
    assert_eq!(&**text_of(&after, "posts/a.md"), edited.as_str());

    // Replaced by another file of the same length (an editor's rename).
    let first = aged(after, 60);
    let tmp = d.join("posts/b.tmp");
    let b = fs::read_to_string(d.join("posts/b.md")).expect("read");
    fs::write(&tmp, b.replacen("Body", "Bodz", 1)).expect("write");
    fs::rename(&tmp, d.join("posts/b.md")).expect("rename");
    let after = Sources::read_after(d, Some(&first)).expect("read");
    assert_eq!(after.taken(), 1, "only a");
    assert!(text_of(&after, "posts/b.md").contains("Bodz"));

    // Only the modification time changes (`touch`): read again, and the
    // site built from it equals a fresh load.
    let first = aged(after, 60);
    fs::File::options()
        .write(true)
        .open(d.join("posts/b.md"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .expect("touch");
    let after = Sources::read_after(d, Some(&first)).expect("read");
    assert_eq!(after.taken(), 1, "only a");
}

#[test]
fn a_reload_from_a_previous_read_equals_a_fresh_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write_post(d, "posts/a.md", "A", "2024-01-01", "tags: [x]\n");
    write_post(d, "posts/b.md", "B", "2024-01-02", "tags: [x]\n");
    write(d, "posts/bad.md", "---\ntitle: [\n---\n");
    let options = LoadOptions::default();
    let (first, read) = Site::load_with_sources(d, &options, None).expect("load");
    let read = aged(read, 60);
    write_post(d, "posts/b.md", "B edited", "2024-01-02", "tags: [x, y]\n");
    let (second, again) = Site::load_after(d, &options, Some(&first), Some(&read)).expect("reload");
    assert_eq!(again.taken(), 2, "a and the broken file are taken parsed");
    let fresh = load(d);
    assert_eq!(posts_of(&second), posts_of(&fresh));
    assert_eq!(second.diagnostics(), fresh.diagnostics());
    assert!(second.post("b").is_some_and(|p| p.meta.title == "B edited"));

    // A last good version put back is never taken for the file on disk.
    let mut patched = again.clone();
    assert!(patched.substitute(
        "posts/b.md",
        &fs::read_to_string(d.join("posts/a.md")).expect("a")
    ));
    let patched = aged(patched, 60);
    let third = Sources::read_after(d, Some(&patched)).expect("read");
    assert!(text_of(&third, "posts/b.md").contains("B edited"));
}

/// A post's HTML is rendered on request from the snapshot's page index: a
/// reference whose target moved changes the post's HTML, so it must change
/// the post page's fingerprint too (the page cache would serve the old link
/// otherwise), while an untouched post keeps its fingerprint.
#[test]
fn a_moved_reference_target_changes_the_referring_post_page() {
    use crate::content::PageKey;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Newest first: d, b, c, a. b's neighbours (d, c) do not change.
    write_post(d, "posts/a.md", "A", "2024-01-01", "");
    write_post(d, "posts/c.md", "C", "2024-01-02", "");
    write_post(d, "posts/d.md", "D", "2024-01-04", "");
    write(
        d,
        "posts/b.md",
        "---\ntitle: \"B\"\ndate: 2024-01-03\n---\n\nSee [a]({{< ref \"a.md\" >}}).\n",
    );
    let first = load(d);
    assert!(html_of(&first, "b").contains("href=\"/posts/a\""));
    write_post(d, "posts/a.md", "A", "2024-01-01", "slug: moved\n");
    let second = reload(d, &first);
    assert!(
        html_of(&second, "b").contains("href=\"/posts/moved\""),
        "{}",
        html_of(&second, "b")
    );
    let fp = |s: &Site, slug| s.fingerprint(PageKey::Post(slug), 10);
    assert_ne!(fp(&first, "b"), fp(&second, "b"));
    assert_eq!(fp(&first, "d"), fp(&second, "d"));
}

/// Highlighting is left to the request: the post page still shows its code
/// highlighted, the same after a warm start from the disk cache.
#[test]
fn post_html_is_complete_after_a_cold_load_and_a_warm_start() {
    let (content, cache, cold) = disk_fixture();
    write(
        content.path(),
        "posts/code.md",
        "---\ntitle: \"Code\"\ndate: 2024-01-05\n---\n\nRun :rocket:\n\n```rust\nfn main() {}\n```\n",
    );
    let cold2 = Site::reload(content.path(), &LoadOptions::default(), Some(&cold)).expect("load");
    RenderCache::new(cache.path()).save(&cold2).expect("saved");
    let cached = RenderCache::new(cache.path()).load().expect("cache read");
    let warm = Site::reload(content.path(), &LoadOptions::default(), Some(&cached)).expect("load");
    assert_eq!(warm.reused(), 4);
    let html = html_of(&warm, "code");
    assert!(html.contains("<span class=\"hl-"), "{html}");
    assert!(html.contains("🚀"), "{html}");
    for slug in ["a", "b", "code"] {
        assert_eq!(html_of(&warm, slug), html_of(&cold2, slug), "{slug}");
    }
}
