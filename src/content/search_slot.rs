//! When a snapshot's search index is built: not during the load, but on
//! first use or on a background thread once the snapshot is published.
//!
//! Indexing folds and counts every word of every document: at 10,000 posts
//! it is the longest step of a reload, though one edit changes one
//! document. Kept on the load path, it held every author's edit back by
//! seconds (BENCHMARKS.md, "Branch reload"). So a snapshot starts without
//! its index:
//! - [`Site::search_index`] builds it the first time it is asked for (a
//!   static export, a query), and any other thread asking meanwhile waits
//!   for that one build;
//! - the store builds it in the background as soon as a snapshot is
//!   published ([`Site::index_search_in_background`]), the server's first
//!   snapshot included: at 10,000 posts the build takes over a second,
//!   which a server that must be ready in one cannot spend before serving.
//!   A query that arrives before the first index exists waits for it on a
//!   blocking thread (`api::search`), never on a request worker;
//! - a snapshot published by the content watcher may answer queries from
//!   the index of the snapshot it replaced until its own is ready
//!   ([`Site::answer_search_from`]): a search in that second sees the site
//!   as it was one edit earlier, consistently (titles, URLs and snippets
//!   all come from that index). The fallback is dropped once the new index
//!   is built, so two indexes are held only while one is being built.
//!
//! So a query never waits on the request path: the scheduled publisher
//! indexes its snapshot before publishing it (nothing waits on it), and
//! only a snapshot stored some other way (tests) may be searched before
//! its background build is done, and then waits for it.

use std::sync::{Arc, Mutex, OnceLock};

use super::{assemble, search::SearchIndex, Site};
use crate::model::SearchResults;

/// This snapshot's index, once built, and what answers until then.
#[derive(Default)]
pub(super) struct SearchSlot {
    built: OnceLock<Arc<SearchIndex>>,
    /// The newest index built before this snapshot's.
    fallback: Mutex<Option<Arc<SearchIndex>>>,
}

impl std::fmt::Debug for SearchSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchSlot")
            .field("built", &self.built.get().is_some())
            .finish_non_exhaustive()
    }
}

impl SearchSlot {
    /// The newest built index this slot can answer from.
    fn newest(&self) -> Option<Arc<SearchIndex>> {
        self.built
            .get()
            .cloned()
            .or_else(|| self.fallback.lock().ok().and_then(|f| f.clone()))
    }
}

impl Site {
    /// The search index of this snapshot (the static export writes it out
    /// in pieces); built now if no thread has built it yet.
    pub fn search_index(&self) -> &SearchIndex {
        let index = self
            .search
            .built
            .get_or_init(|| Arc::new(assemble::build_search(self)));
        if let Ok(mut fallback) = self.search.fallback.lock() {
            fallback.take();
        }
        index
    }

    /// True once this snapshot's own index is built.
    pub fn search_ready(&self) -> bool {
        self.search.built.get().is_some()
    }

    /// The [`SearchIndex::id`] of the index [`Site::search`] answers from
    /// now, `None` while there is none (the server's first snapshot, until
    /// its background build is done: a query then waits for it, off the
    /// request workers, see `api::search`). Within one snapshot it changes
    /// once at most, from its predecessor's index to its own.
    pub fn search_index_id(&self) -> Option<u64> {
        self.search.newest().map(|index| index.id())
    }

    pub fn search(&self, query: &str) -> SearchResults {
        self.with_answering_index(|index| index.search(query))
    }

    /// [`Site::search`] as the JSON `GET /api/search` sends
    /// ([`SearchIndex::search_json`]).
    pub fn search_json(&self, query: &str) -> Vec<u8> {
        self.with_answering_index(|index| index.search_json(query))
    }

    /// `f` of the index queries are answered from now: this snapshot's,
    /// else its predecessor's, else this snapshot's built now.
    fn with_answering_index<R>(&self, f: impl FnOnce(&SearchIndex) -> R) -> R {
        if let Some(index) = self.search.built.get() {
            return f(index);
        }
        let fallback = self.search.fallback.lock().ok().and_then(|f| f.clone());
        match fallback {
            Some(index) => f(&index),
            None => f(self.search_index()),
        }
    }

    /// Until its own index is built, this snapshot answers queries from the
    /// newest index `previous` has (see the module doc). For the content
    /// watcher, whose reloads must not wait for indexing.
    pub fn answer_search_from(&mut self, previous: &Site) {
        let newest = previous.search.newest();
        if let Ok(mut fallback) = self.search.fallback.lock() {
            *fallback = newest;
        }
    }

    /// Builds the search index on a low-priority thread, unless it is
    /// built already (a failure to start the thread leaves it to the first
    /// query).
    pub fn index_search_in_background(self: &Arc<Self>) {
        if self.search_ready() {
            return;
        }
        let site = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || {
                lower_priority();
                let started = std::time::Instant::now();
                site.search_index();
                // Hand back what the build freed (its token lists and
                // per-term buffers, on the build's and rayon's arenas):
                // glibc kept ~65 MB of it at 10,000 posts otherwise.
                super::release_free_memory();
                tracing::info!(
                    generation = site.generation(),
                    documents = site.search_index().len(),
                    bytes = site.search_index().bytes(),
                    text_bytes = site.search_index().text_bytes(),
                    index_ms = started.elapsed().as_secs_f64() * 1000.0,
                    "search index built"
                );
            });
        if let Err(e) = spawned {
            tracing::warn!("search index: no background thread ({e}), built on first query");
        }
    }
}

/// Background threads (search indexing, the render cache writer, brotli)
/// yield to the request workers: on a saturated machine they run in their
/// idle moments instead of adding to their latency. On Linux,
/// `setpriority(PRIO_PROCESS, 0)` names the calling thread only.
pub(crate) fn lower_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, 10) {
        tracing::debug!("background thread keeps its priority: {e}");
    }
}

#[cfg(test)]
mod tests {
    use crate::content::{LoadOptions, Site};

    fn write_post(dir: &std::path::Path, body: &str) {
        let posts = dir.join("posts");
        std::fs::create_dir_all(&posts).expect("mkdir");
        std::fs::write(
            posts.join("a.md"),
            format!("---\ntitle: \"A\"\ndate: 2024-01-01\n---\n\n{body}\n"),
        )
        .expect("write");
    }

    /// What the answer cache keys on: the index that answers, which moves
    /// from the predecessor's to the snapshot's own once, and never repeats.
    #[test]
    fn the_answering_index_id_follows_the_fallback_then_the_own_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_post(dir.path(), "Old zebrafish text.");
        let served = Site::load(dir.path(), &LoadOptions::default()).expect("load");
        assert!(!served.search_ready());
        assert_eq!(served.search_index_id(), None, "no index answers yet");
        assert!(!served.search_ready(), "asking for the id builds nothing");
        served.search_index();
        let first = served.search_index_id().expect("built");
        assert_ne!(first, 0);
        assert_eq!(served.search_index_id(), Some(first), "stable once built");

        write_post(dir.path(), "New axolotl text.");
        let mut next =
            Site::reload(dir.path(), &LoadOptions::default(), Some(&served)).expect("reload");
        next.answer_search_from(&served);
        assert_eq!(next.search_index_id(), Some(first), "the fallback answers");
        assert!(!next.search_ready(), "and nothing was built for it");
        next.search_index();
        let own = next.search_index_id().expect("built");
        assert!(own > first, "its own index, a new number");
        assert_eq!(next.search("axolotl").total, 1);
    }
}
