//! The page cache with the writing features (#19): a reload published through
//! the warmer renders the changed pages wholly from the new snapshot — the
//! interface language included — and an edited page-bundle image re-renders
//! the post that shows it, while unrelated pages keep their entries; the site
//! author is applied when a page is served, not kept in the render cache.

mod common;

use std::path::Path;

use axum::http::HeaderName;
use common::{get, write, CachedSite};
use microblog::content::{ContentStore, LoadOptions, RenderCache, Site};

const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

fn png(dir: &Path, rel: &str, width: u32, height: u32) {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb([30, 60, 90]));
    img.save(dir.join(rel)).expect("write png");
}

fn post(title: &str, extra: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: 2026-01-01\n{extra}---\n\n{body}\n")
}

fn fixture() -> CachedSite {
    let content = tempfile::tempdir().expect("tempdir");
    let d = content.path();
    write(d, "posts/flip.md", &post("Flip", "", "Some words to read."));
    write(
        d,
        "posts/bundle/index.md",
        &post("Bundle", "", "![Node pools](pool.png)"),
    );
    png(d, "posts/bundle/pool.png", 300, 100);
    write(d, "posts/other.md", &post("Other", "", "Unrelated."));
    common::cached_site(content, common::settings(10))
}

impl CachedSite {
    /// What the watcher does on a change: reload reusing the live snapshot,
    /// publish through the warmer.
    async fn reload(&self) -> microblog::server::cache::WarmReport {
        let live = self.store.snapshot();
        let next = Site::reload(self.content.path(), &LoadOptions::default(), Some(&live))
            .expect("reload");
        common::no_router_built_during(self.warmer.publish(&self.store, ContentStore::stage(next)))
            .await
    }
}

async fn a_page_rendered_ahead_takes_its_language_from_the_new_snapshot_body() {
    let f = fixture();
    let before = get(&f.app, "/posts/flip").await;
    assert!(before.body.contains(" min read"), "English post strings");
    assert!(before.body.contains("Atom feed"), "English page chrome");
    let other = get(&f.app, "/posts/other").await;
    write(
        f.content.path(),
        "posts/flip.md",
        &post("Flip", "lang: es\n", "Some words to read."),
    );
    let report = f.reload().await;
    assert!(report.rendered >= 1, "{report:?}");
    let renders = f.pages.renders();
    let after = get(&f.app, "/posts/flip").await;
    assert_eq!(after.header(X_CACHE), "hit", "rendered ahead of the swap");
    // The post's own strings follow its `lang`; the page chrome (header,
    // footer) follows the page's locale, read from the request's snapshot.
    assert!(
        after.body.contains("min de lectura"),
        "Spanish post strings"
    );
    assert!(after.body.contains("Canal Atom"), "Spanish page chrome");
    assert!(!after.body.contains(" min read") && !after.body.contains("Atom feed"));
    let kept = get(&f.app, "/posts/other").await;
    assert_eq!(kept.header(X_CACHE), "hit");
    assert_eq!(kept.body, other.body, "an unrelated post is kept");
    assert_eq!(f.pages.renders(), renders, "nothing rendered on request");
}

async fn an_edited_bundle_image_re_renders_its_post_body() {
    let f = fixture();
    let before = get(&f.app, "/posts/bundle").await;
    assert!(before.body.contains("width=\"300\" height=\"100\""));
    get(&f.app, "/posts/other").await;
    png(f.content.path(), "posts/bundle/pool.png", 200, 100);
    let report = f.reload().await;
    assert_eq!(report.changed, 1, "only the bundle's page: {report:?}");
    let after = get(&f.app, "/posts/bundle").await;
    assert_eq!(after.header(X_CACHE), "hit");
    assert!(
        after.body.contains("width=\"200\" height=\"100\""),
        "the new size"
    );
    assert_eq!(get(&f.app, "/posts/other").await.header(X_CACHE), "hit");
}

#[test]
fn a_page_rendered_ahead_takes_its_language_from_the_new_snapshot() {
    common::run(a_page_rendered_ahead_takes_its_language_from_the_new_snapshot_body());
}

#[test]
fn an_edited_bundle_image_re_renders_its_post() {
    common::run(an_edited_bundle_image_re_renders_its_post_body());
}

/// `SITE_AUTHOR` is applied when a page is served, never stored in a render:
/// a post without `author:` reused from the render cache on disk shows the
/// author the restarted server is configured with.
async fn the_site_author_is_not_baked_into_the_render_cache_body() {
    let content = tempfile::tempdir().expect("tempdir");
    let d = content.path();
    write(
        d,
        "posts/anon.md",
        &post("Anon", "", "No author of its own."),
    );
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let cache = RenderCache::new(cache_dir.path());
    cache
        .save(&Site::load(d, &LoadOptions::default()).expect("load"))
        .expect("cache written");
    // The restart: everything reused from the disk cache, a new SITE_AUTHOR.
    let cached = cache.load().expect("cache read");
    let site = Site::reload(d, &LoadOptions::default(), Some(&cached)).expect("warm load");
    assert_eq!(site.reused(), 1, "the post comes from the cache");
    let root = tempfile::tempdir().expect("tempdir");
    let mut settings = common::settings(10);
    settings.info.author = "Renamed Author".into();
    let mut state = common::state(d, root.path(), settings, false);
    state.store = ContentStore::new(site);
    let app = common::app_from_state(state);
    let page = get(&app, "/posts/anon").await;
    assert!(
        page.body.contains("Renamed Author"),
        "the configured author"
    );
    let feed = get(&app, "/feed.xml").await;
    assert!(feed.body.contains("<name>Renamed Author</name>"));
}

#[test]
fn the_site_author_is_not_baked_into_the_render_cache() {
    common::run(the_site_author_is_not_baked_into_the_render_cache_body());
}
