//! The publisher: sleeps until the next scheduled post is due, then loads the
//! content folder again and swaps the snapshot, so the post, its tags, the
//! feeds, the sitemap and search all change at that second. The load reuses
//! the live snapshot's renders of unchanged files, and the swap goes through
//! the page cache's warmer like a content reload: the pages the post appears
//! on (lists, tags, feeds, sitemap, its neighbours, series and related posts)
//! get new fingerprints and are rendered before readers switch; every other
//! cached page stays.
//!
//! Static generators need a rebuild for this; here the server needs nothing.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::cache::Warmer;
use super::persist::Saver;
use crate::content::{ContentStore, LoadOptions, Site};
use crate::markdown::Severity;

/// Longest sleep between looks at the snapshot: a post scheduled by a reload
/// (the watcher, or a test swapping the store) is noticed within this.
const MAX_SLEEP: Duration = Duration::from_secs(30);
/// After a publish was refused (new errors), try again this much later.
const RETRY: Duration = Duration::from_secs(60);

/// How a publish reaches readers besides the swap itself.
#[derive(Clone, Default)]
pub struct Publishing {
    /// Renders the changed cached pages before the swap (see `cache::warm`).
    pub warmer: Option<Warmer>,
    /// Writes the published snapshot to the render cache on disk.
    pub saver: Option<Saver>,
}

/// Starts the publisher on the current tokio runtime; it runs for the life of
/// the process (abort the handle to stop it).
pub fn spawn(
    dir: PathBuf,
    options: LoadOptions,
    store: ContentStore,
    publishing: Publishing,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(dir, Arc::new(options), store, publishing))
}

async fn run(dir: PathBuf, options: Arc<LoadOptions>, store: ContentStore, with: Publishing) {
    let mut retry_at = None;
    loop {
        let now = Utc::now();
        let due = store.snapshot().next_publish();
        let wait = match (due, retry_at) {
            (Some(at), Some(r)) if at <= now => r,
            (Some(at), _) if at <= now => {
                let (d, o, live) = (dir.clone(), options.clone(), store.snapshot());
                // Indexed before publishing: nothing is waiting on this
                // reload, and a search must not wait for the new index.
                let loaded = tokio::task::spawn_blocking(move || {
                    Site::reload(&d, &o, Some(&live)).inspect(|site| {
                        site.search_index();
                    })
                })
                .await;
                match loaded {
                    Ok(Ok(site)) => {
                        retry_at = (!publish(&store, site, &with).await)
                            .then(|| tokio::time::Instant::now() + RETRY);
                    }
                    Ok(Err(e)) => {
                        tracing::error!("scheduled publish: {e}; retrying");
                        retry_at = Some(tokio::time::Instant::now() + RETRY);
                    }
                    Err(e) => {
                        tracing::error!("scheduled publish panicked: {e}; retrying");
                        retry_at = Some(tokio::time::Instant::now() + RETRY);
                    }
                }
                continue;
            }
            (Some(at), _) => {
                let until = (at - now).to_std().unwrap_or_default();
                tokio::time::Instant::now() + until.min(MAX_SLEEP)
            }
            (None, _) => tokio::time::Instant::now() + MAX_SLEEP,
        };
        tokio::time::sleep_until(wait).await;
        if retry_at.is_some_and(|r| r <= tokio::time::Instant::now()) {
            retry_at = None;
        }
    }
}

/// Swaps in `site` unless it brings an error the live snapshot does not have
/// (a file half-written at the wrong moment): the same rule as the watcher,
/// relaxed for errors that were already there and are skipped anyway.
async fn publish(store: &ContentStore, site: Site, with: &Publishing) -> bool {
    let live = store.snapshot();
    let known: HashSet<String> = errors(&live).collect();
    let new: Vec<String> = errors(&site).filter(|e| !known.contains(e)).collect();
    if !new.is_empty() {
        for e in &new {
            tracing::error!("{e}");
        }
        tracing::warn!(
            errors = new.len(),
            "scheduled publish postponed: the content folder has new errors"
        );
        return false;
    }
    let went_live: Vec<&str> = live
        .scheduled()
        .iter()
        .filter(|s| site.scheduled().iter().all(|t| t.path != s.path))
        .map(|s| s.slug.as_str())
        .collect();
    let (posts, next, reused) = (
        site.posts().len(),
        site.next_publish().map(|t| t.to_rfc3339()),
        site.reused(),
    );
    let went_live: Vec<String> = went_live.into_iter().map(str::to_string).collect();
    drop(live);
    let staged = ContentStore::stage(site);
    let report = match &with.warmer {
        Some(w) => w.publish(store, staged).await,
        None => {
            store.publish(staged);
            Default::default()
        }
    };
    tracing::info!(
        posts,
        published = ?went_live,
        next = ?next,
        files_reused = reused,
        pages_kept = report.kept,
        pages_changed = report.changed,
        pages_rendered = report.rendered,
        "scheduled posts published"
    );
    if let Some(saver) = &with.saver {
        saver.save(store.snapshot());
    }
    true
}

fn errors(site: &Site) -> impl Iterator<Item = String> + '_ {
    site.diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
}
