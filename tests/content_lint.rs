//! The shipped `content/` must load without a single error or warning.

use std::path::Path;

use microblog::content::{LoadOptions, Site};

#[test]
fn shipped_content_is_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let site = Site::load(&dir, &LoadOptions::default()).expect("content folder loads");
    let problems: Vec<String> = site.diagnostics().iter().map(ToString::to_string).collect();
    assert_eq!(problems, Vec::<String>::new());
    assert!(site.about().is_some(), "content/about.md is published");
}
