//! A file's text into a [`Parsed`] document: its kind from its path, the
//! front matter split off and parsed (`front_matter.rs` knows the YAML and
//! TOML formats), the required `title` checked, and what later steps ask of a
//! parsed file (its slug, URL, and the line a front-matter key is on, for
//! diagnostics). Reading the files is `read.rs`; rendering them `build.rs`.

use super::front_matter::{self, FrontMatter, Split};
use super::read::{normalize_source, Source};
use super::{diag, fingerprint, Diagnostic, Kind};
use crate::markdown::Severity;
use crate::model::{Glossary, Page, Post};

/// What parsing one file gave: the document (shared, so a later load that
/// reads the same text takes it as is: see `read.rs`), or `None`, and the
/// file's diagnostics.
pub(super) type ParseOutcome = (Option<std::sync::Arc<Parsed>>, Vec<Diagnostic>);

/// `source` parsed, or the outcome a previous load recorded for this very
/// text (see [`Source::parsed`](super::read::Source)).
pub(super) fn parse_shared(source: Source) -> ParseOutcome {
    if let Some(done) = source.parsed.get() {
        return done.clone();
    }
    let cell = source.parsed.clone();
    let mut found = Vec::new();
    let parsed = parse_source(source, &mut found).map(std::sync::Arc::new);
    let outcome = (parsed, found);
    // A race with another load of the same read only loses a duplicate.
    let _ = cell.set(outcome.clone());
    outcome
}

/// Front matter parsed, body not yet rendered.
pub(super) struct Parsed {
    pub(super) path: String,
    /// Hash of the normalised source (the memo's check of the file itself).
    pub(super) text_hash: u64,
    pub(super) kind: Kind,
    pub(super) fm: FrontMatter,
    /// The normalised file text: the source read itself when it needed no
    /// normalising, so an unchanged file the watcher keeps is held once.
    text: std::sync::Arc<str>,
    /// Where the body (everything after the front matter) starts in `text`.
    body_start: usize,
    pub(super) body_line_offset: usize,
    pub(super) split_front: String,
    pub(super) split_format: front_matter::Format,
}

/// Parses one file read; `None` (with an error at the file's line) when its
/// front matter is missing, malformed or has no `title`.
pub(super) fn parse_source(source: Source, diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    let kind = match source.path.as_str() {
        "about.md" => Kind::About,
        "glossary.md" => Kind::Glossary,
        _ => Kind::Post,
    };
    let text: std::sync::Arc<str> =
        if source.text.starts_with('\u{feff}') || source.text.contains('\r') {
            normalize_source(&source.text).into()
        } else {
            source.text.clone()
        };
    let fail = |diags: &mut Vec<Diagnostic>, e: front_matter::FrontMatterError| {
        diags.push(diag(
            &source.path,
            e.line,
            e.col,
            Severity::Error,
            e.message,
        ));
    };
    let split: Split<'_> = match front_matter::split(&text) {
        Ok(s) => s,
        Err(e) => {
            fail(diags, e);
            return None;
        }
    };
    let fm = match front_matter::parse(&split) {
        Ok(fm) => fm,
        Err(e) => {
            fail(diags, e);
            return None;
        }
    };
    match &fm.title {
        Some(t) if !t.trim().is_empty() => {}
        _ => {
            diags.push(diag(
                &source.path,
                1,
                1,
                Severity::Error,
                "missing required field `title`",
            ));
            return None;
        }
    }
    // The body is the rest of the text after the front matter.
    let body_start = text.len() - split.body.len();
    Some(Parsed {
        text_hash: fingerprint::hash_of(&*text),
        kind,
        fm,
        body_start,
        body_line_offset: split.body_line_offset,
        split_front: split.front.to_string(),
        split_format: split.format,
        path: source.path,
        text,
    })
}

impl Parsed {
    /// The Markdown after the front matter.
    pub(super) fn body(&self) -> &str {
        self.text.get(self.body_start..).unwrap_or_default()
    }

    pub(super) fn key_line(&self, key: &str) -> usize {
        let split = Split {
            format: self.split_format,
            front: &self.split_front,
            front_line: 2,
            body: "",
            body_line_offset: self.body_line_offset,
        };
        front_matter::key_line(&split, key)
    }

    pub(super) fn slug(&self) -> String {
        self.fm.slug.clone().unwrap_or_else(|| {
            // A page bundle (`posts/<folder>/index.md`) is named by its folder.
            let path = self.path.strip_suffix("/index.md").unwrap_or(&self.path);
            let stem = path.rsplit('/').next().unwrap_or(path);
            stem.trim_end_matches(".md").to_string()
        })
    }

    pub(super) fn url(&self) -> String {
        match self.kind {
            Kind::Post => Post::path(&self.slug()),
            Kind::About => Page::ABOUT_PATH.to_string(),
            Kind::Glossary => Glossary::PATH.to_string(),
        }
    }
}
