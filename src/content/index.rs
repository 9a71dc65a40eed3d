//! Page lookup for `{{< ref >}}` links and duplicate-slug checks.

use std::collections::HashMap;

use super::parse::Parsed;
use super::{diag, Diagnostic, Kind};
use crate::markdown::{self, RefResolver, ResolveError, Severity};
use crate::model::{Glossary, Page, Post};

pub(super) fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Page lookup for `{{< ref >}}`: by path relative to the referring file, else
/// by unique file name or old URL (alias), the way Hugo finds pages.
pub(super) struct PageIndex {
    by_path: HashMap<String, String>,
    by_name: HashMap<String, Vec<(String, String)>>,
    /// Files whose front matter could not be read, by path and by name, with
    /// the address their file name gives them. They already have their own
    /// error; a reference to one is not reported again (one error per cause).
    unparsed_by_path: HashMap<String, String>,
    unparsed_by_name: HashMap<String, Vec<String>>,
}

fn stem_of(path: &str) -> String {
    let last = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let stem = last
        .strip_suffix(".md")
        .or_else(|| last.strip_suffix(".html"))
        .unwrap_or(last);
    stem.to_lowercase()
}

impl PageIndex {
    pub(super) fn build(
        parsed: &[std::sync::Arc<Parsed>],
        unparsed: &[String],
        diags: &mut Vec<Diagnostic>,
    ) -> PageIndex {
        let mut index = PageIndex {
            by_path: HashMap::new(),
            by_name: HashMap::new(),
            unparsed_by_path: HashMap::new(),
            unparsed_by_name: HashMap::new(),
        };
        for path in unparsed {
            let url = match path.as_str() {
                "about.md" => Page::ABOUT_PATH.to_string(),
                "glossary.md" => Glossary::PATH.to_string(),
                _ => Post::path(&stem_of(path)),
            };
            index
                .unparsed_by_name
                .entry(stem_of(path))
                .or_default()
                .push(url.clone());
            index.unparsed_by_path.insert(path.clone(), url);
        }
        let mut slugs: HashMap<String, &str> = HashMap::new();
        for p in parsed.iter().filter(|p| !p.fm.draft) {
            if p.kind == Kind::Post {
                let slug = p.slug();
                if let Some(first) = slugs.get(&slug) {
                    diags.push(diag(
                        &p.path,
                        p.key_line("slug"),
                        1,
                        Severity::Error,
                        format!("duplicate slug `{slug}`: also used by {first}"),
                    ));
                    continue;
                }
                slugs.insert(slug, &p.path);
            }
            let url = p.url();
            index.by_path.insert(p.path.clone(), url.clone());
            // A page is one candidate for each name it answers to, however
            // many of its aliases share that name (`netlify.md` with the alias
            // `/netlify.html`): a set, not `dedup`, which only drops neighbours.
            let mut names = vec![stem_of(&p.path)];
            names.extend(p.fm.aliases.iter().map(|a| stem_of(a)));
            names.sort_unstable();
            names.dedup();
            for name in names {
                index
                    .by_name
                    .entry(name)
                    .or_default()
                    .push((p.path.clone(), url.clone()));
            }
        }
        index
    }

    pub(super) fn contains_path(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }
}

impl RefResolver for PageIndex {
    fn resolve(&self, from: &str, target: &str) -> Result<String, ResolveError> {
        let joined = markdown::refs::join_relative(from, target);
        if let Some(url) = joined.as_ref().and_then(|p| self.by_path.get(p)) {
            return Ok(url.clone());
        }
        let name = stem_of(target);
        match self.by_name.get(&name).map(Vec::as_slice) {
            Some([(_, url)]) => return Ok(url.clone()),
            Some(many) if !many.is_empty() => {
                return Err(ResolveError::Ambiguous {
                    target: target.to_string(),
                    candidates: many.iter().map(|(p, _)| p.clone()).collect(),
                })
            }
            _ => {}
        }
        // A page that exists but whose front matter is broken: its own error
        // says so; link to the address its file name gives it.
        let unparsed = joined
            .as_ref()
            .and_then(|p| self.unparsed_by_path.get(p))
            .or_else(
                || match self.unparsed_by_name.get(&name).map(Vec::as_slice) {
                    Some([url]) => Some(url),
                    _ => None,
                },
            );
        match unparsed {
            Some(url) => Ok(url.clone()),
            None if joined.is_none() => Err(ResolveError::EscapesRoot(target.to_string())),
            None => Err(ResolveError::NotFound(target.to_string())),
        }
    }
}
