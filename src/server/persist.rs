//! Keeps the render cache in `CACHE_DIR` up to date, off the request path:
//! one background thread at a lower priority writes the newest snapshot's
//! builds, at most once per [`MIN_INTERVAL`] (a busy author's reloads
//! coalesce into one write).

use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::Duration;

use crate::content::{RenderCache, Site};

/// Shortest time between two writes.
pub const MIN_INTERVAL: Duration = Duration::from_secs(10);

/// Hands snapshots to the writer thread.
#[derive(Clone)]
pub struct Saver {
    tx: Sender<Arc<Site>>,
}

impl Saver {
    /// Starts the writer thread; `None` (logged) when it cannot start.
    pub fn spawn(cache: RenderCache) -> Option<Saver> {
        let (tx, rx) = channel::<Arc<Site>>();
        let spawned = std::thread::Builder::new()
            .name("render-cache".into())
            .spawn(move || {
                lower_priority();
                while let Ok(mut site) = rx.recv() {
                    // Only the newest snapshot is worth writing.
                    while let Ok(newer) = rx.try_recv() {
                        site = newer;
                    }
                    let started = std::time::Instant::now();
                    match cache.save(&site) {
                        Ok(()) => tracing::info!(
                            file = %cache.file().display(),
                            save_ms = started.elapsed().as_secs_f64() * 1000.0,
                            "render cache written"
                        ),
                        Err(e) => tracing::warn!("render cache not written: {e}"),
                    }
                    drop(site);
                    std::thread::sleep(MIN_INTERVAL);
                }
            });
        match spawned {
            Ok(_) => Some(Saver { tx }),
            Err(e) => {
                tracing::warn!("render cache: no writer thread ({e})");
                None
            }
        }
    }

    /// Queues `site` to be written.
    pub fn save(&self, site: Arc<Site>) {
        let _ = self.tx.send(site);
    }
}

/// Background threads yield to the request workers (see the content
/// module's, which the search indexing thread uses too).
pub(crate) use crate::content::lower_priority;
