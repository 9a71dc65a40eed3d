//! The live snapshot, swapped whole on reload.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::Site;

/// The current snapshot, shared by every request; a reload swaps it whole.
#[derive(Clone)]
pub struct ContentStore {
    site: Arc<ArcSwap<Site>>,
}

/// A snapshot a request must be answered from, whatever the store holds by
/// then (a request extension). The page cache pins the snapshot whose
/// fingerprint it keyed the render on, so a reload in the middle of a render
/// cannot store new content under an old key; a reload pins the snapshot it
/// is about to publish, to render changed pages before readers see it.
#[derive(Clone)]
pub struct Pinned(pub Arc<Site>);

/// Source of snapshot generations, process-wide so that two stores (tests
/// build many) never hand out the same number.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl ContentStore {
    /// A store serving `site`; its search index is built in the background.
    pub fn new(site: Site) -> Self {
        // The server's first snapshot comes with its search index built:
        // hand back what the load and the index build freed (at 10,000
        // posts glibc held ~60 MB of it otherwise, measured with a
        // `malloc_trim` from outside).
        super::release_free_memory();
        let site = Self::stage(site);
        site.index_search_in_background();
        ContentStore {
            site: Arc::new(ArcSwap::new(site)),
        }
    }

    /// The snapshot at this instant; holding it keeps it alive across a reload.
    pub fn snapshot(&self) -> Arc<Site> {
        self.site.load_full()
    }

    /// The snapshot at this instant, for a short look (no reference count
    /// taken: do not hold it across an `await`).
    pub fn peek(&self) -> arc_swap::Guard<Arc<Site>> {
        self.site.load()
    }

    /// The generation of the current snapshot, without taking a reference.
    pub fn generation(&self) -> u64 {
        self.site.load().generation
    }

    /// Gives `site` the next generation, ready to [`publish`](Self::publish)
    /// (pages can be rendered from it first, see [`Pinned`]).
    pub fn stage(mut site: Site) -> Arc<Site> {
        site.generation = next_generation();
        Arc::new(site)
    }

    /// Makes a staged snapshot current; readers switch atomically. Its
    /// search index is built in the background (see `search_slot`).
    pub fn publish(&self, site: Arc<Site>) {
        site.index_search_in_background();
        self.site.store(site);
    }

    /// Stages and publishes `site` at once.
    pub fn replace(&self, site: Site) {
        self.publish(Self::stage(site));
    }
}
