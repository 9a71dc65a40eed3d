//! The author loop: watch the content folder, reload off the request path,
//! swap the snapshot atomically, and tell open pages (server-sent events).

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use notify::{RecursiveMode, Watcher};
use tokio::sync::{mpsc, watch};

use super::cache::Warmer;
use super::persist::Saver;
use super::AppState;
use crate::content::{ContentStore, LoadOptions, Site};
use crate::markdown::Severity;
use crate::model::ContentEvent;

/// Quiet time after the last file event before reloading: editors write a
/// temp file, rename it and touch metadata, several events for one save.
pub const DEBOUNCE: Duration = Duration::from_millis(60);
/// Upper bound on waiting for quiet, so a busy folder still reloads.
const MAX_DELAY: Duration = Duration::from_millis(400);

/// Live-reload state shared by the watcher task and the SSE handler.
#[derive(Clone)]
pub struct LiveReload {
    events: watch::Sender<ContentEvent>,
}

impl LiveReload {
    pub fn new() -> Self {
        LiveReload {
            events: watch::Sender::new(ContentEvent::Reloaded { version: 0 }),
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<ContentEvent> {
        self.events.subscribe()
    }

    pub fn latest(&self) -> ContentEvent {
        self.events.borrow().clone()
    }
}

impl Default for LiveReload {
    fn default() -> Self {
        Self::new()
    }
}

/// Keeps the OS watch alive; dropping it stops watching.
pub struct WatchGuard {
    _watcher: notify::RecommendedWatcher,
}

/// Starts watching `dir`. Must be called inside the tokio runtime. With a
/// `warmer`, each reload renders the cached pages it changes before it is
/// published (see `cache::warm`).
pub fn spawn(
    dir: PathBuf,
    options: LoadOptions,
    store: ContentStore,
    live: LiveReload,
    warmer: Option<Warmer>,
    saver: Option<Saver>,
) -> Result<WatchGuard, notify::Error> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        match res {
            // Reads alone change nothing.
            Ok(ev) if matches!(ev.kind, notify::EventKind::Access(_)) => {}
            Ok(_) => {
                let _ = tx.send(());
            }
            Err(e) => tracing::warn!("content watcher: {e}"),
        }
    })?;
    watcher.watch(&dir, RecursiveMode::Recursive)?;
    tokio::spawn(reload_loop(dir, options, store, live, warmer, saver, rx));
    Ok(WatchGuard { _watcher: watcher })
}

async fn reload_loop(
    dir: PathBuf,
    options: LoadOptions,
    store: ContentStore,
    live: LiveReload,
    warmer: Option<Warmer>,
    saver: Option<Saver>,
    mut rx: mpsc::UnboundedReceiver<()>,
) {
    let options = Arc::new(options);
    let mut version = 0u64;
    while rx.recv().await.is_some() {
        let first = Instant::now();
        // Debounce: wait until the folder is quiet, but not forever.
        while let Ok(Some(())) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {
            if first.elapsed() > MAX_DELAY {
                break;
            }
        }
        while rx.try_recv().is_ok() {}
        version += 1;
        let (d, o) = (dir.clone(), options.clone());
        // Files whose inputs did not change are taken from the live snapshot.
        let previous = store.snapshot();
        let started = Instant::now();
        let loaded =
            tokio::task::spawn_blocking(move || Site::reload(&d, &o, Some(&previous))).await;
        let event = match loaded {
            Ok(Ok(site)) => match rejected(&site, version, &dir) {
                Some(failed) => failed,
                None => publish(&store, warmer.as_ref(), site, version, started).await,
            },
            Ok(Err(e)) => {
                tracing::error!("content reload failed, keeping the last good site: {e}");
                ContentEvent::Failed {
                    version,
                    diagnostics: vec![e.to_string()],
                }
            }
            Err(e) => {
                tracing::error!("content reload panicked, keeping the last good site: {e}");
                ContentEvent::Failed {
                    version,
                    diagnostics: vec!["internal error while loading content".into()],
                }
            }
        };
        if matches!(event, ContentEvent::Failed { .. }) {
            metrics::counter!("microblog_content_reload_failures_total").increment(1);
        } else if let Some(saver) = &saver {
            saver.save(store.snapshot());
        }
        live.events.send_replace(event);
    }
}

/// The event for a reload that must not be published: any error in it. A
/// reader never sees a site with a post missing because its file was
/// half-written.
fn rejected(site: &Site, version: u64, dir: &Path) -> Option<ContentEvent> {
    let root = dir.display().to_string();
    let shown = |d: &crate::content::Diagnostic| format!("{}/{d}", root.trim_end_matches('/'));
    if site.error_count() == 0 {
        for d in site.diagnostics() {
            tracing::warn!("{}", shown(d));
        }
        return None;
    }
    let diagnostics: Vec<String> = site
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(shown)
        .collect();
    for d in &diagnostics {
        tracing::error!("{d}");
    }
    tracing::warn!(
        errors = diagnostics.len(),
        "content reload rejected, keeping the last good site"
    );
    Some(ContentEvent::Failed {
        version,
        diagnostics,
    })
}

/// Publishes a checked `site`: the changed cached pages are rendered from it
/// first (with a warmer), then readers switch to it atomically.
async fn publish(
    store: &ContentStore,
    warmer: Option<&Warmer>,
    site: Site,
    version: u64,
    started: Instant,
) -> ContentEvent {
    let (posts, terms, reused) = (
        site.posts().len(),
        site.glossary().map_or(0, |g| g.terms.len()),
        site.reused(),
    );
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let staged = ContentStore::stage(site);
    let report = match warmer {
        Some(w) => w.publish(store, staged).await,
        None => {
            store.publish(staged);
            Default::default()
        }
    };
    tracing::info!(
        version,
        posts,
        terms,
        files_reused = reused,
        load_ms,
        reload_ms = started.elapsed().as_secs_f64() * 1000.0,
        pages_kept = report.kept,
        pages_changed = report.changed,
        pages_rendered = report.rendered,
        "content reloaded"
    );
    ContentEvent::Reloaded { version }
}

/// `GET /_microblog/events`: one SSE message per reload or failed reload.
pub async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state
        .live
        .as_ref()
        .map(LiveReload::subscribe)
        .unwrap_or_else(|| LiveReload::new().subscribe());
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.changed().await.ok()?;
        let event = rx.borrow_and_update().clone();
        let name = match event {
            ContentEvent::Reloaded { .. } => "reloaded",
            ContentEvent::Failed { .. } => "failed",
        };
        let data = serde_json::to_string(&event).unwrap_or_default();
        Some((Ok(Event::default().event(name).data(data)), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
