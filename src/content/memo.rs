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
//! - images (`![…](…)` in a page bundle or `images/`): every image the
//!   render looked up is recorded with a stamp of the answer (URL, size,
//!   `srcset`, or the error) and of the file's version, and the memo holds
//!   only while each still stamps the same: an edited, resized, added or
//!   removed image renders the pages that show it again;
//! - whether the page index accepted the file (a duplicate slug is left out).
//!
//! Not inputs of a file's build, by design: the site's author (`SITE_AUTHOR`)
//! and the interface language are applied when a page is served (a post
//! keeps only its own `author:` and `lang:`, which are its text), and math
//! is a function of the text and the engine (the render cache on disk is
//! keyed by the engine; in memory it cannot change). The schedule is not an
//! input either: a post is built the same whenever it goes live, and what its
//! publication changes (lists, neighbours, series, related posts, feeds) is
//! computed per snapshot and is in the pages' fingerprints.
//!
//! Editing one post of 10,000 therefore renders that post (and the posts
//! that reference it by a name that now resolves differently), not 10,000.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use super::assets::Assets;
use super::fingerprint::hash_of;
use super::{Diagnostic, PageIndex};
use crate::markdown::images::{ImageInfo, ImageResolver};
use crate::markdown::{RefResolver, ResolveError};

/// What one file was built into, and the inputs that build read.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Memo {
    pub path: String,
    pub text: u64,
    pub context: u64,
    pub indexed: bool,
    pub refs: Vec<(String, Result<String, ResolveError>)>,
    /// Image `src` → [`image_stamp`] of what it resolved to.
    #[serde(default)]
    pub images: Vec<(String, u64)>,
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
    /// A hash of everything this memo records: what a post's HTML is keyed
    /// by (see `body.rs`). 128 bits: equal keys are taken as equal HTML.
    pub fn key(&self) -> u128 {
        match postcard::to_stdvec(self) {
            Ok(bytes) => xxhash_rust::xxh3::xxh3_128(&bytes),
            // Serialising plain data into a Vec does not fail; were it to,
            // a key no other memo has keeps the HTML from being shared.
            Err(_) => {
                static UNIQUE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                u128::MAX - u128::from(UNIQUE.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            }
        }
    }

    /// True when this memo's build is what a fresh build would give now.
    pub fn holds(
        &self,
        text: u64,
        context: u64,
        path: &str,
        index: &PageIndex,
        assets: &Assets,
    ) -> bool {
        self.text == text
            && self.context == context
            && self.indexed == index.contains_path(path)
            && self
                .refs
                .iter()
                .all(|(target, answer)| index.resolve(path, target) == *answer)
            && self
                .images
                .iter()
                .all(|(src, stamp)| image_stamp(assets, path, src) == *stamp)
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

/// What a render of `from` gets for image `src`, hashed with the version of
/// the file it names: equal stamps, equal `<img>` markup and the same file.
pub(super) fn image_stamp(assets: &Assets, from: &str, src: &str) -> u64 {
    let answer = assets
        .resolve(from, src)
        .map(|info| info.map(|i: ImageInfo| (i.url, i.width, i.height, i.srcset)));
    hash_of(&(answer, assets.version_of(from, src)))
}

/// Passes image lookups to the assets and records each with its stamp.
/// (Images are looked up through a `Sync` trait: a mutex, not a `RefCell`.)
pub(super) struct ImageRecorder<'a> {
    assets: &'a Assets,
    seen: Mutex<Vec<(String, u64)>>,
}

impl<'a> ImageRecorder<'a> {
    pub fn new(assets: &'a Assets) -> Self {
        ImageRecorder {
            assets,
            seen: Mutex::new(Vec::new()),
        }
    }

    pub fn into_images(self) -> Vec<(String, u64)> {
        let mut seen = self.seen.into_inner().unwrap_or_else(|e| e.into_inner());
        seen.sort();
        seen.dedup();
        seen
    }
}

impl ImageResolver for ImageRecorder<'_> {
    fn image(&self, from: &str, src: &str) -> Result<Option<ImageInfo>, String> {
        let answer = self.assets.resolve(from, src);
        let stamp = image_stamp(self.assets, from, src);
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((src.to_string(), stamp));
        }
        answer
    }
}
