//! Publishing a reload without a stampede (stale-while-revalidate inside the
//! server): before a new snapshot goes live, the cached pages whose
//! fingerprint it changes are rendered from it and stored under their new
//! keys. Readers keep getting the old copies until the swap, and the new ones
//! are there when it happens; pages it does not change keep their entries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use futures::StreamExt as _;
use tower::ServiceExt as _;

use super::layer::{entry_from, render_request, storable, Built};
use super::{page_of, Key, PageCache};
use crate::content::{ContentStore, PageKey, Pinned, Site};

/// Most pages rendered ahead per reload. A change that touches more (a
/// glossary edit relinks every post) renders the rest on demand, one render
/// per page (single flight); the swap is not held up for thousands of pages.
pub const WARM_LIMIT: usize = 64;
/// Renders in flight at once (the machine's request workers keep serving).
const PARALLEL: usize = 2;

/// What one publish did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WarmReport {
    /// Cached pages the reload left unchanged (kept, still served).
    pub kept: usize,
    /// Cached pages it changed or removed.
    pub changed: usize,
    /// Of those, rendered from the new snapshot before the swap.
    pub rendered: usize,
    /// Time from the start of the warm-up to the swap.
    pub elapsed: Duration,
}

/// Renders pages from a staged snapshot and publishes it (see the module doc).
#[derive(Clone)]
pub struct Warmer {
    /// The router below the access log and the cache layers: what renders a
    /// page, validators and CSP included.
    renderer: axum::Router,
    cache: Arc<PageCache>,
    per_page: usize,
}

/// Which pages go first when there are more than [`WARM_LIMIT`]: the ones
/// most readers and crawlers ask for.
fn priority(page: PageKey<'_>) -> u8 {
    match page {
        PageKey::List(1) | PageKey::Feed => 0,
        PageKey::Post(_) => 1,
        PageKey::Tags | PageKey::Tag(..) | PageKey::List(_) | PageKey::About => 2,
        PageKey::Glossary | PageKey::Emoji => 2,
        PageKey::TagFeed(_) | PageKey::Sitemap => 3,
    }
}

impl Warmer {
    pub(crate) fn new(renderer: axum::Router, cache: Arc<PageCache>, per_page: usize) -> Self {
        Warmer {
            renderer,
            cache,
            per_page,
        }
    }

    /// Makes `next` (staged with [`ContentStore::stage`]) the live snapshot,
    /// after rendering the cached pages it changes. Entries of changed pages
    /// are dropped once the swap is done.
    pub async fn publish(&self, store: &ContentStore, next: Arc<Site>) -> WarmReport {
        let started = Instant::now();
        let current = store.snapshot();
        let mut report = WarmReport::default();
        let mut stale = Vec::new();
        let mut todo: Vec<(u8, Key)> = Vec::new();
        for key in self.cache.keys() {
            let Some((page, _)) = page_of(&key.path) else {
                continue;
            };
            if current.fingerprint(page, self.per_page) != Some(key.fingerprint) {
                // Left over from an older snapshot: never matched again.
                stale.push(key);
                continue;
            }
            match next.fingerprint(page, self.per_page) {
                Some(fp) if fp == key.fingerprint => report.kept += 1,
                new => {
                    report.changed += 1;
                    if let Some(fingerprint) = new {
                        let fresh = Key {
                            fingerprint,
                            ..key.clone()
                        };
                        todo.push((priority(page), fresh));
                    }
                    stale.push(key);
                }
            }
        }
        todo.sort_by_key(|(p, k)| (*p, k.path.clone()));
        todo.truncate(WARM_LIMIT);
        report.rendered = futures::stream::iter(todo)
            .map(|(_, key)| self.render(key, next.clone()))
            .buffer_unordered(PARALLEL)
            .filter(|stored| std::future::ready(*stored))
            .count()
            .await;
        report.elapsed = started.elapsed();
        store.publish(next);
        for key in &stale {
            self.cache.remove(key);
        }
        self.cache.gauges();
        report
    }

    /// Renders `key`'s page from `site` and stores it; false when it could
    /// not be stored (an error page, too big).
    async fn render(&self, key: Key, site: Arc<Site>) -> bool {
        let Ok(req) = Request::get(key.path.as_str()).body(Body::empty()) else {
            return false;
        };
        self.cache.count_render();
        let Ok(res) = self
            .renderer
            .clone()
            .oneshot(render_request(req, Pinned(site)))
            .await;
        if !storable(&res) {
            return false;
        }
        match entry_from(res).await {
            Ok(Built::Entry(entry)) => {
                self.cache.insert(key, Arc::from(entry));
                true
            }
            Ok(Built::TooBig(_)) => false,
            Err(e) => {
                tracing::warn!("page cache warm-up of {}: {e}", key.path);
                false
            }
        }
    }
}
