//! Old URLs of the content and where they moved.

use std::collections::HashMap;

use super::parse::Parsed;
use super::{Kind, Site};
use crate::model::{Glossary, Page, Post, PostListPage, TagPosts, TAGS_PATH};

/// Old URLs that answer with a permanent redirect: the old Pelican/Hugo shapes
/// (`/<slug>.html`, `/posts/<slug>.html`, `/<slug>/`), trailing slashes, and
/// each page's `aliases`. An alias never shadows a real page.
pub(super) fn build(parsed: &[std::sync::Arc<Parsed>], site: &Site) -> HashMap<String, String> {
    let mut map = HashMap::new();
    let mut add = |from: String, to: &str| {
        if from != to {
            map.entry(from).or_insert_with(|| to.to_string());
        }
    };
    let home = PostListPage::path(1);
    add("/index.html".into(), &home);
    add("/page/1".into(), &home);
    add(format!("{TAGS_PATH}/"), TAGS_PATH);
    for tag in site.tags.keys() {
        let url = TagPosts::path(tag, 1);
        add(format!("{url}/"), &url);
        add(format!("{url}/page/1"), &url);
    }
    for entry in &site.posts {
        let slug = &entry.post.meta.slug;
        let url = Post::path(slug);
        for old in [
            format!("/{slug}.html"),
            format!("{url}.html"),
            format!("/{slug}/"),
            format!("{url}/"),
        ] {
            add(old, &url);
        }
    }
    for (url, present) in [
        (Page::ABOUT_PATH, site.about.is_some()),
        (Glossary::PATH, site.glossary.is_some()),
    ] {
        if present {
            add(format!("{url}/"), url);
            add(format!("{url}.html"), url);
        }
    }
    let published: HashMap<&str, String> = parsed
        .iter()
        .filter(|p| !p.fm.draft)
        .map(|p| (p.path.as_str(), p.url()))
        .collect();
    let canonical: std::collections::HashSet<String> = published.values().cloned().collect();
    for p in parsed {
        let Some(url) = published.get(p.path.as_str()) else {
            continue;
        };
        if p.kind == Kind::Post && site.post(&p.slug()).is_none() {
            continue;
        }
        for alias in &p.fm.aliases {
            let alias = format!("/{}", alias.trim().trim_start_matches('/'));
            if !canonical.contains(&alias) {
                add(alias, url);
            }
        }
    }
    map
}
