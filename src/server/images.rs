//! `GET /images/…` and `GET /posts/<slug>/<file>`: the content's images. The
//! URL is a key in the snapshot's asset table (never a path built from the
//! request); originals are read from disk, resized copies come from memory.

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::content::assets::Served;

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

/// `GET /cards/<slug>.png`: the post's social card, drawn once (off the async
/// threads) and then served from memory.
pub async fn card(State(state): State<AppState>, uri: Uri) -> Response {
    let Some(slug) = crate::content::cards::slug_of(uri.path()).map(str::to_string) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let site = state.store.snapshot();
    let drawn = tokio::task::spawn_blocking(move || site.card(&slug)).await;
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
