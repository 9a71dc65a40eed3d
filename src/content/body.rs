//! A post's HTML, rendered when it is asked for instead of at load.
//!
//! A load runs the Markdown pass without its HTML ([`markdown::analyse`]):
//! the summary, table of contents, words, search text, diagnostics and the
//! glossary terms a post links are what lists, search, related posts and
//! `microblog check` need, and code highlighting — most of a render's cost —
//! is not. The body HTML is made from the post's Markdown (kept compressed,
//! [`Packed`]) and the snapshot's [`RenderEnv`] (page index, glossary linker,
//! emoji, images) the first time a page, a feed or the export asks for it.
//!
//! Same inputs, same HTML: the env answers every lookup as it did during the
//! load, which is what the memo (`memo.rs`) already relies on to reuse a
//! file's build. A render is therefore keyed by the hash of the file's memo
//! (its text, the load's context, every reference and image answer): equal
//! keys in two snapshots are the same HTML, so a small process-wide cache of
//! recent bodies serves feeds and reloads, and the key goes into the post
//! page's fingerprint (the page cache changes exactly when the HTML would).

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::assets::Assets;
use super::index::PageIndex;
use super::packed::Packed;
use crate::markdown::{self, EmojiRenderer, RenderContext, TermLinker};

/// Most bytes of rendered bodies kept between requests. The page cache holds
/// whole pages; this only saves re-rendering a body that several pages show
/// (the feeds, a post page rendered again after a reload changed its
/// neighbours).
const CACHE_BYTES: u64 = 32 << 20;

/// What every post of one snapshot is rendered with, besides its own text.
pub(super) struct RenderEnv {
    pub emoji: EmojiRenderer,
    pub index: PageIndex,
    pub assets: Arc<Assets>,
    pub linker: Option<TermLinker>,
}

impl std::fmt::Debug for RenderEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RenderEnv")
    }
}

/// Bodies with more Markdown than this are rendered during the load and
/// their HTML kept, as every body was before. Rendering one on request could
/// take seconds (16 MiB of code is allowed), it would not fit the cache of
/// recent bodies, and a page that size is not kept by the page cache
/// either: every request would render it again. Such posts are rare, and
/// their memory is what their authors asked for.
pub(super) const EAGER_BYTES: usize = 1 << 20;

/// A post's Markdown body and what its HTML is keyed by.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Body {
    /// The Markdown after the front matter, compressed.
    source: Arc<Packed>,
    /// The HTML of a body over [`EAGER_BYTES`], rendered at load.
    eager: Option<Arc<str>>,
    /// Hash of the file's memo: equal keys render equal HTML.
    key: u128,
    /// The snapshot's env; set when the post is assembled into a snapshot
    /// (an entry read from the render cache on disk has none until then).
    #[serde(skip)]
    env: Option<Arc<RenderEnv>>,
}

type Cache = quick_cache::sync::Cache<u128, Arc<str>, Weight>;

#[derive(Clone)]
struct Weight;

impl quick_cache::Weighter<u128, Arc<str>> for Weight {
    fn weight(&self, _key: &u128, html: &Arc<str>) -> u64 {
        64 + html.len() as u64
    }
}

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Cache::with_weighter(4096, CACHE_BYTES, Weight))
}

impl Body {
    /// `html`: the body rendered now, for a body over [`EAGER_BYTES`].
    pub(super) fn new(source: &str, html: Option<String>) -> Body {
        Body {
            source: Arc::new(Packed::new(source)),
            eager: html.map(Arc::from),
            key: 0,
            env: None,
        }
    }

    pub(super) fn set_key(&mut self, key: u128) {
        self.key = key;
    }

    pub(super) fn set_env(&mut self, env: &Arc<RenderEnv>) {
        self.env = Some(env.clone());
    }

    /// What the HTML depends on, for fingerprints.
    pub fn key(&self) -> u128 {
        self.key
    }

    /// Bytes of compressed Markdown held.
    pub fn packed_len(&self) -> usize {
        self.source.packed_len()
    }

    /// The body as HTML: from the cache of recent bodies, else rendered now
    /// (the caller is a request or the export; a few milliseconds for a
    /// long post with code).
    pub(super) fn html(&self, path: &str) -> Arc<str> {
        if let Some(html) = &self.eager {
            return html.clone();
        }
        cache()
            .get_or_insert_with(&self.key, || {
                Ok::<_, std::convert::Infallible>(Arc::from(self.render(path)))
            })
            .unwrap_or_else(|never| match never {})
    }

    fn render(&self, path: &str) -> String {
        let Some(env) = &self.env else {
            // Every post of a snapshot gets its env when assembled.
            tracing::error!("{path}: body asked for outside a snapshot");
            return String::new();
        };
        let source = self.source.text();
        let ctx = RenderContext {
            path,
            emoji: &env.emoji,
            resolver: &env.index,
            terms: env.linker.as_ref(),
            images: Some(&*env.assets),
        };
        markdown::render_html(&source, &ctx)
    }
}
