//! Whole documents through the whole pipeline, compared with reviewed snapshots
//! in `tests/snapshots/` (update with `INSTA_UPDATE=always cargo test`, then review).

use std::path::Path;

use microblog::content::{LoadOptions, Site};

fn load(rel: &str) -> Site {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    Site::load(&dir, &LoadOptions::default()).expect("content loads")
}

#[test]
fn about_page() {
    let site = load("content");
    let about = site.about().expect("about page");
    insta::assert_snapshot!("about_html", about.html);
}

#[test]
fn fixture_post() {
    let site = load("tests/fixtures/site");
    let post = site.post_page("hello").expect("post");
    insta::assert_debug_snapshot!("hello_post", post);
}

#[test]
fn fixture_glossary() {
    let site = load("tests/fixtures/site");
    insta::assert_debug_snapshot!("glossary", site.glossary().expect("glossary"));
}
