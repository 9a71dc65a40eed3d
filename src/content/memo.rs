//! Reuse of the previous snapshot's work on reload: a file whose text, render
//! context and resolved references are unchanged is not rendered again.
//!
//! What a file's build depends on, and how each input is checked:
//! - its own text: a hash of the normalised source;
//! - the glossary (term links and cards) and the emoji base URL: one context
//!   hash for the whole load;
//! - other pages, through `{{< ref >}}`: every target the render asked the
//!   resolver for is recorded with its answer, and the memo holds only while
//!   each target still resolves to the same answer;
//! - whether the page index accepted the file (a duplicate slug is left out).
//!
//! Editing one post of 10,000 therefore renders that post (and the posts
//! that reference it by a name that now resolves differently), not 10,000.

use std::cell::RefCell;
use std::collections::HashMap;

use super::fingerprint::hash_of;
use super::{Diagnostic, PageIndex};
use crate::markdown::{RefResolver, ResolveError};

/// What one file was built into, and the inputs that build read.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Memo {
    pub path: String,
    pub text: u64,
    pub context: u64,
    pub indexed: bool,
    pub refs: Vec<(String, Result<String, ResolveError>)>,
    /// The file's own diagnostics from rendering and building.
    pub diagnostics: Vec<Diagnostic>,
    pub outcome: Outcome,
}

/// Where the built result lives in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) enum Outcome {
    /// Published post, by slug.
    Post(String),
    Draft,
    About,
    Nothing,
}

/// File path → memo, per snapshot.
pub(super) type Memos = HashMap<String, Memo>;

/// The render context every file of one load shares.
pub(super) fn context_hash(glossary: Option<&crate::model::Glossary>, emoji_base: &str) -> u64 {
    hash_of(&(glossary, emoji_base))
}

impl Memo {
    /// True when this memo's build is what a fresh build would give now.
    pub fn holds(&self, text: u64, context: u64, path: &str, index: &PageIndex) -> bool {
        self.text == text
            && self.context == context
            && self.indexed == index.contains_path(path)
            && self
                .refs
                .iter()
                .all(|(target, answer)| index.resolve(path, target) == *answer)
    }
}

/// Passes lookups to the page index and records each with its answer.
pub(super) struct Recorder<'a> {
    index: &'a PageIndex,
    seen: RefCell<Vec<(String, Result<String, ResolveError>)>>,
}

impl<'a> Recorder<'a> {
    pub fn new(index: &'a PageIndex) -> Self {
        Recorder {
            index,
            seen: RefCell::new(Vec::new()),
        }
    }

    pub fn into_refs(self) -> Vec<(String, Result<String, ResolveError>)> {
        let mut refs = self.seen.into_inner();
        refs.sort_by(|a, b| a.0.cmp(&b.0));
        refs.dedup_by(|a, b| a.0 == b.0);
        refs
    }
}

impl RefResolver for Recorder<'_> {
    fn resolve(&self, from: &str, target: &str) -> Result<String, ResolveError> {
        let answer = self.index.resolve(from, target);
        self.seen
            .borrow_mut()
            .push((target.to_string(), answer.clone()));
        answer
    }
}
