//! The author loop: watch the content folder, reload off the request path,
//! swap the snapshot atomically, and tell open pages (server-sent events).
//! A broken file never freezes the others: see [`reload`].

use std::collections::{HashMap, HashSet};
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

use crate::content::{ContentStore, Diagnostic, LoadOptions, Site, Sources};
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
            events: watch::Sender::new(ContentEvent::Reloaded {
                version: 0,
                diagnostics: Vec::new(),
            }),
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

/// Starts watching `dir`. Must be called inside the tokio runtime.
/// `initial` are the files the served snapshot was built from. With a
/// `warmer`, each reload renders the cached pages it changes before it is
/// published (see `cache::warm`); with a `saver`, each published snapshot is
/// written to the render cache on disk.
pub fn spawn(
    dir: PathBuf,
    options: LoadOptions,
    store: ContentStore,
    live: LiveReload,
    initial: Sources,
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
    let mut last_good = LastGood::default();
    last_good.record(&initial, &store.snapshot());
    let after = AfterReload { warmer, saver };
    tokio::spawn(reload_loop(dir, options, store, live, last_good, after, rx));
    Ok(WatchGuard { _watcher: watcher })
}

/// The text of each file as last published without an error of its own,
/// and the files as last read (the next reload reads only the files that
/// changed since: see `Sources::read_after`). Texts are shared with the
/// reads, not copied.
#[derive(Default)]
pub struct LastGood {
    texts: HashMap<String, Arc<str>>,
    read: Option<Sources>,
}

impl LastGood {
    /// Remembers the files of a published `site` that have no error; files
    /// that are gone are forgotten (a deleted post is not brought back).
    pub fn record(&mut self, sources: &Sources, site: &Site) {
        let broken: HashSet<&str> = errors(site).map(|d| d.path.as_str()).collect();
        let present: HashSet<&str> = sources.texts().map(|(p, _)| p).collect();
        self.texts.retain(|p, _| present.contains(p.as_str()));
        for (path, text) in sources.texts() {
            if !broken.contains(path) {
                match self.texts.get_mut(path) {
                    Some(kept) => *kept = Arc::clone(text),
                    None => {
                        self.texts.insert(path.to_string(), Arc::clone(text));
                    }
                }
            }
        }
        if self.read.is_none() {
            self.read = Some(sources.clone());
        }
    }
}

fn errors(site: &Site) -> impl Iterator<Item = &Diagnostic> {
    site.diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
}

/// What one reload decided.
pub enum Outcome {
    /// Publish `site` (built from `sources`). `errors` are the problems of
    /// the files as they are on disk: each broken file that had a good
    /// version is served in that version, the others stay left out as in
    /// the site being served.
    Publish {
        site: Box<Site>,
        sources: Sources,
        errors: Vec<Diagnostic>,
    },
    /// Keep the served site: publishing would add a problem it does not
    /// have (a post vanishing, a link now broken).
    Reject { errors: Vec<Diagnostic> },
}

/// Reads `dir` and decides what to publish over `served`. One broken file
/// never freezes the others: it is replaced by its last good version, and a
/// site is published unless a file readers were getting has an error the
/// served site does not already have (a link to a post just deleted, say).
/// Errors are compared by file and message, so a line shift is not "new";
/// a file that was never good (new, or broken from the start) blocks nothing.
pub fn reload(
    dir: &Path,
    options: &LoadOptions,
    served: &Site,
    last_good: &mut LastGood,
) -> Result<Outcome, crate::content::Error> {
    let (site, sources) = Site::load_after(dir, options, Some(served), last_good.read.as_ref())?;
    // The files as on disk (never a last good version put back): what the
    // next reload compares with.
    last_good.read = Some(sources.clone());
    let on_disk: Vec<Diagnostic> = errors(&site).cloned().collect();
    let (site, sources) = if on_disk.is_empty() {
        (site, sources)
    } else {
        let mut patched = sources.clone();
        let mut changed = false;
        for d in &on_disk {
            if let Some(good) = last_good.texts.get(&d.path) {
                changed |= patched.substitute(&d.path, good);
            }
        }
        if changed {
            (Site::build(patched.clone(), options, Some(served)), patched)
        } else {
            (site, sources)
        }
    };
    let known: HashSet<(&str, &str)> = errors(served)
        .map(|d| (d.path.as_str(), d.message.as_str()))
        .collect();
    // A file that was never good (new, or broken since it was first read)
    // takes nothing away from readers: its errors are reported, not blocking.
    let adds_an_error = errors(&site).any(|d| {
        last_good.texts.contains_key(&d.path)
            && !known.contains(&(d.path.as_str(), d.message.as_str()))
    });
    Ok(if adds_an_error {
        Outcome::Reject { errors: on_disk }
    } else {
        let mut site = site;
        // Publish without waiting for the search index: until it is built,
        // searches answer from the served one (see `content::search_slot`).
        site.answer_search_from(served);
        Outcome::Publish {
            site: Box::new(site),
            sources,
            errors: on_disk,
        }
    })
}

/// What a published reload goes through besides the swap itself.
struct AfterReload {
    /// Renders the changed cached pages before the swap.
    warmer: Option<Warmer>,
    /// Writes the published snapshot to the render cache on disk.
    saver: Option<Saver>,
}

async fn reload_loop(
    dir: PathBuf,
    options: LoadOptions,
    store: ContentStore,
    live: LiveReload,
    mut last_good: LastGood,
    after: AfterReload,
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
        // `served` is also where files whose inputs did not change are
        // taken from (see `Site::reload`).
        let (d, o, served) = (dir.clone(), options.clone(), store.snapshot());
        let started = Instant::now();
        let mut keep = std::mem::take(&mut last_good);
        let loaded = tokio::task::spawn_blocking(move || {
            let outcome = reload(&d, &o, &served, &mut keep);
            (outcome, keep)
        })
        .await;
        let event = match loaded {
            Ok((Ok(outcome), keep)) => {
                last_good = keep;
                apply(
                    &store,
                    after.warmer.as_ref(),
                    &mut last_good,
                    outcome,
                    version,
                    started,
                    &dir,
                )
                .await
            }
            Ok((Err(e), keep)) => {
                last_good = keep;
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
        } else if let Some(saver) = &after.saver {
            saver.save(store.snapshot());
        }
        live.events.send_replace(event);
    }
}

/// Publishes or rejects, logs why, and says what open pages should know.
/// A published site's changed cached pages are rendered from it first (with
/// a warmer), then readers switch to it atomically.
async fn apply(
    store: &ContentStore,
    warmer: Option<&Warmer>,
    last_good: &mut LastGood,
    outcome: Outcome,
    version: u64,
    started: Instant,
    dir: &Path,
) -> ContentEvent {
    let root = dir.display().to_string();
    let shown = |d: &Diagnostic| format!("{}/{d}", root.trim_end_matches('/'));
    match outcome {
        Outcome::Reject { errors } => {
            let diagnostics: Vec<String> = errors.iter().map(shown).collect();
            for d in &diagnostics {
                tracing::error!("{d}");
            }
            tracing::warn!(
                errors = diagnostics.len(),
                "content reload rejected, keeping the last good site"
            );
            ContentEvent::Failed {
                version,
                diagnostics,
            }
        }
        Outcome::Publish {
            site,
            sources,
            errors,
        } => {
            let diagnostics: Vec<String> = errors.iter().map(shown).collect();
            for d in &diagnostics {
                tracing::error!("{d}");
            }
            for d in site
                .diagnostics()
                .iter()
                .filter(|d| d.severity == Severity::Warning)
            {
                tracing::warn!("{}", shown(d));
            }
            let (posts, terms, reused, taken) = (
                site.posts().len(),
                site.glossary().map_or(0, |g| g.terms.len()),
                site.reused(),
                sources.taken(),
            );
            let load_ms = started.elapsed().as_secs_f64() * 1000.0;
            let phases = site.phases().clone();
            last_good.record(&sources, &site);
            let staged = ContentStore::stage(*site);
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
                files_unchanged_on_disk = taken,
                broken_files_kept_or_skipped = diagnostics.len(),
                load_ms,
                reload_ms = started.elapsed().as_secs_f64() * 1000.0,
                pages_kept = report.kept,
                pages_changed = report.changed,
                pages_rendered = report.rendered,
                phases = %phases,
                "content reloaded"
            );
            ContentEvent::Reloaded {
                version,
                diagnostics,
            }
        }
    }
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
