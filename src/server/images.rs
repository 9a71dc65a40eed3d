//! `GET /images/…` and `GET /posts/<slug>/<file>`: the content's images. The
//! URL is a key in the snapshot's asset table (never a path built from the
//! request); originals are read from disk, resized copies come from memory.
//! `GET /cards/<slug>.png`: the post's social card, drawn on first request
//! and kept in a [`CardCache`] bounded in bytes.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::content::assets::Served;
use crate::content::cards::{CardError, CardText};

/// Images change only with the content; an hour keeps CDNs and browsers
/// useful without pinning a replaced picture for long.
const CACHE_CONTROL: &str = "public, max-age=3600";

pub async fn serve(State(state): State<AppState>, uri: Uri) -> Response {
    let site = state.store.snapshot();
    let served = match site.assets().lookup(uri.path()) {
        Some(Served::File(path, mime)) => {
            let path = path.to_path_buf();
            match tokio::fs::read(&path).await {
                Ok(bytes) => (mime, bytes),
                Err(e) => {
                    tracing::warn!("{}: {e}", path.display());
                    return StatusCode::NOT_FOUND.into_response();
                }
            }
        }
        Some(Served::Bytes(bytes, mime)) => (mime, bytes.as_ref().clone()),
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, served.0),
            (header::CACHE_CONTROL, CACHE_CONTROL),
        ],
        served.1,
    )
        .into_response()
}

/// Default of `CARD_CACHE_MB`: about 1,100 cards of ~28 KB, the shipped
/// content's several times over; a 10,000-post site's 280 MB of cards are
/// not all kept, the ones asked for most are.
pub const DEFAULT_CARD_CACHE_MB: usize = 32;

/// Bytes an entry costs besides its PNG and texts (map slot, `Arc`, `Vec`
/// and string headers), so that tiny cards still count.
const ENTRY_OVERHEAD: u64 = 128;

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<CardText, Arc<Vec<u8>>> for Weigh {
    fn weight(&self, text: &CardText, png: &Arc<Vec<u8>>) -> u64 {
        (png.len() + text.len()) as u64 + ENTRY_OVERHEAD
    }
}

/// The social cards drawn so far, keyed by what they show (an edited title
/// is a new card; the old one ages out), at most `max_bytes` in all. A
/// [`quick_cache`] store: cards asked for often are kept over ones asked
/// once, and concurrent requests for one card draw it once.
pub struct CardCache {
    /// `None` when the budget is 0: every request draws its card.
    store: Option<quick_cache::sync::Cache<CardText, Arc<Vec<u8>>, Weigh>>,
}

impl CardCache {
    pub fn new(max_bytes: usize) -> Self {
        // ~28 KB a card, for the map's first allocation only.
        let estimate = (max_bytes / (28 * 1024)).max(1);
        let store = (max_bytes > 0)
            .then(|| quick_cache::sync::Cache::with_weighter(estimate, max_bytes as u64, Weigh));
        CardCache { store }
    }

    /// The card showing `text`: from the cache, or drawn (and kept if it
    /// fits the budget).
    pub fn card(&self, text: &CardText) -> Result<Arc<Vec<u8>>, CardError> {
        match &self.store {
            Some(store) => store.get_or_insert_with(text, || text.render().map(Arc::new)),
            None => text.render().map(Arc::new),
        }
    }

    /// Cards held.
    pub fn len(&self) -> usize {
        self.store.as_ref().map_or(0, |s| s.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held, as weighed against the budget.
    pub fn bytes(&self) -> u64 {
        self.store.as_ref().map_or(0, |s| s.weight())
    }
}

/// `GET /cards/<slug>.png`: the post's social card, drawn once (off the async
/// threads) and then served from memory while the cache keeps it.
pub async fn card(
    State(state): State<AppState>,
    Extension(cards): Extension<Arc<CardCache>>,
    uri: Uri,
) -> Response {
    let Some(slug) = crate::content::cards::slug_of(uri.path()).map(str::to_string) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let site = state.store.snapshot();
    let drawn =
        tokio::task::spawn_blocking(move || site.card_text(&slug).map(|text| cards.card(&text)))
            .await;
    match drawn {
        Ok(Some(Ok(png))) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, CACHE_CONTROL),
            ],
            png.as_ref().clone(),
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Ok(Some(Err(e))) => {
            tracing::error!("social card {}: {e}", uri.path());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            tracing::error!("social card {}: {e}", uri.path());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(i: usize) -> CardText {
        CardText {
            title: format!("Post number {i}"),
            date: "1 March 2025".into(),
            site: "microblog".into(),
        }
    }

    #[test]
    fn the_card_cache_keeps_cards_within_its_budget() {
        let one = text(0).render().expect("renders").len();
        // Room for about three cards.
        let cache = CardCache::new(3 * one + 3 * 200);
        let first = cache.card(&text(0)).expect("drawn");
        assert!(
            Arc::ptr_eq(&first, &cache.card(&text(0)).expect("cached")),
            "a card asked for again is not drawn again"
        );
        for i in 1..20 {
            cache.card(&text(i)).expect("drawn");
            assert!(
                cache.bytes() <= (3 * one + 3 * 200) as u64,
                "{}",
                cache.bytes()
            );
        }
        assert!((1..=3).contains(&cache.len()), "{} cards held", cache.len());
        // A card pushed out is drawn again, the same bytes.
        assert!(*cache.card(&text(0)).expect("drawn") == *first);
    }

    #[test]
    fn a_zero_budget_keeps_no_card() {
        let cache = CardCache::new(0);
        let a = cache.card(&text(1)).expect("drawn");
        let b = cache.card(&text(1)).expect("drawn");
        assert!(a == b && !Arc::ptr_eq(&a, &b));
        assert_eq!((cache.len(), cache.bytes()), (0, 0));
    }
}
