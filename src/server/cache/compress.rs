//! Compression of stored pages: fast levels while a reader waits, the best
//! levels later, on one background thread that runs at a lower priority than
//! the request workers.
//!
//! Brotli 11 costs ~50× brotli 5 for ~10 % fewer bytes: worth paying once
//! per page, never while up to hundreds of readers wait for the first copy.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, OnceLock, Weak};

use axum::body::Bytes;

use super::{Entry, Key, Store};

/// Brotli and gzip levels of a first copy: a ~30 KB page takes well under a
/// millisecond.
const FAST: Levels = Levels { brotli: 5, gzip: 6 };
/// The background pass.
const BEST: Levels = Levels {
    brotli: 11,
    gzip: 9,
};
const BROTLI_WINDOW: u32 = 22;

/// Entries waiting for their best-compression pass; beyond this, new ones
/// keep their fast compression (a reload storm must not queue unbounded work).
const QUEUE: usize = 256;

#[derive(Clone, Copy)]
struct Levels {
    brotli: u32,
    gzip: u32,
}

/// The compressed variants of one body.
pub(super) struct Encoded {
    pub gzip: Bytes,
    pub br: Bytes,
}

fn brotli(data: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, BROTLI_WINDOW);
        w.write_all(data)?;
        w.flush()?;
    }
    Ok(out)
}

fn gzip(data: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(level),
    );
    w.write_all(data)?;
    w.finish()
}

fn encode(data: &[u8], levels: Levels) -> std::io::Result<Encoded> {
    Ok(Encoded {
        gzip: Bytes::from(gzip(data, levels.gzip)?),
        br: Bytes::from(brotli(data, levels.brotli)?),
    })
}

/// The first copy's variants (blocking: call from a blocking thread).
pub(super) fn encode_fast(data: &[u8]) -> std::io::Result<Encoded> {
    encode(data, FAST)
}

/// A search answer's variants (`answers.rs`): made on every miss, and a
/// search box's queries are often asked once, so at the levels the router
/// compresses dynamic answers with (brotli and gzip 1), not a page's.
const ANSWER: Levels = Levels { brotli: 1, gzip: 1 };

pub(super) fn encode_answer(data: &[u8]) -> std::io::Result<Encoded> {
    Ok(Encoded {
        gzip: Bytes::from(encode_answer_as(data, "gzip")?),
        br: Bytes::from(encode_answer_as(data, "br")?),
    })
}

/// One encoding (`br` or `gzip`, as [`super::choose_encoding`] names them)
/// of a search answer, at the [`ANSWER`] levels: what the answer cache
/// stores and what a computed answer is sent with (`server::search_api`).
///
/// Brotli over the whole answer in one write (at quality 1 that is one
/// meta-block), through a 4 KB output buffer: the pages' writer allocates
/// 64 KB per call, more than a ~7 KB answer (~2.5 KB compressed) needs.
pub(crate) fn encode_answer_as(data: &[u8], encoding: &str) -> std::io::Result<Vec<u8>> {
    if encoding != "br" {
        return gzip(data, ANSWER.gzip);
    }
    let params = brotli::enc::BrotliEncoderParams {
        quality: ANSWER.brotli as i32,
        lgwin: BROTLI_WINDOW as i32,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut w =
        brotli::CompressorWriter::with_params(Vec::with_capacity(data.len() / 2), 4096, &params);
    w.write_all(data)?;
    // Finishing into a `Vec` cannot fail.
    Ok(w.into_inner())
}

struct Upgrade {
    store: Weak<Store>,
    key: Key,
    entry: Arc<Entry>,
}

static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Entries queued for (or in) their best-compression pass, process-wide.
pub fn pending_upgrades() -> usize {
    PENDING.load(Ordering::Relaxed)
}

fn worker() -> Option<&'static SyncSender<Upgrade>> {
    static SENDER: OnceLock<Option<SyncSender<Upgrade>>> = OnceLock::new();
    let sender = SENDER.get_or_init(|| {
        let (tx, rx) = sync_channel::<Upgrade>(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("page-compress".into())
            .spawn(move || {
                crate::server::persist::lower_priority();
                for job in rx {
                    upgrade(job);
                    PENDING.fetch_sub(1, Ordering::Relaxed);
                }
            });
        match spawned {
            Ok(_) => Some(tx),
            Err(e) => {
                tracing::warn!(
                    "no background compression thread ({e}): pages keep their first compression"
                );
                None
            }
        }
    });
    sender.as_ref()
}

/// Queues `entry` (stored under `key`) for brotli 11 / gzip 9. Dropped when
/// the queue is full: the entry simply keeps its fast compression.
pub(super) fn queue_upgrade(store: Weak<Store>, key: Key, entry: Arc<Entry>) {
    let Some(tx) = worker() else { return };
    PENDING.fetch_add(1, Ordering::Relaxed);
    match tx.try_send(Upgrade { store, key, entry }) {
        Ok(()) => {}
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
            PENDING.fetch_sub(1, Ordering::Relaxed);
            metrics::counter!("microblog_page_cache_upgrades_dropped_total").increment(1);
        }
    }
}

fn upgrade(job: Upgrade) {
    let Some(store) = job.store.upgrade() else {
        return;
    };
    // Evicted or replaced meanwhile: nothing to improve.
    let current = store.peek(&job.key);
    if !current.is_some_and(|c| Arc::ptr_eq(&c, &job.entry)) {
        return;
    }
    match encode(&job.entry.identity, BEST) {
        Ok(best) => {
            let entry = Entry::clone(&job.entry).recompressed(best.gzip, best.br);
            // `soft`: an upgrade is not a read, it must not keep a page hot.
            let _ = store.replace(job.key, Arc::new(entry), true);
        }
        Err(e) => tracing::warn!("page cache: best compression of {}: {e}", job.key.path),
    }
}
