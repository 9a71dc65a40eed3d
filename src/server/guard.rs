//! Hostile or broken requests: server-function argument errors answer with
//! their real status, and (debug builds only) a route that panics on purpose
//! so tests can prove the panic net holds on the real binary.

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use crate::error::AppError;

/// Largest server-function error body inspected (they are a few bytes of JSON).
const MAX_ERROR_BODY: usize = 16 * 1024;

/// Errors while answering a request, for the log.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("server function error body unreadable: {0}")]
    Body(String),
}

/// server_fn answers every failure that happens before the function body runs
/// (missing or malformed arguments) with `500`. Our error type knows better:
/// an `AppError::BadRequest` is `400`, a `NotFound` `404`.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!("{}", GuardError::Body(e.to_string()));
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::empty());
        }
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status_code()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Path of the deliberate-panic route (debug builds, `MICROBLOG_PANIC_ROUTE=1`).
pub const PANIC_PATH: &str = "/_microblog/panic";

/// Whether this process serves [`PANIC_PATH`]: never in a release build.
pub fn panic_route_enabled() -> bool {
    cfg!(debug_assertions) && std::env::var_os("MICROBLOG_PANIC_ROUTE").is_some_and(|v| v == "1")
}

/// Panics, to test that a handler bug costs one request, not the server.
pub async fn deliberate_panic() -> &'static str {
    if std::hint::black_box(true) {
        panic!("deliberate panic at {PANIC_PATH}");
    }
    "unreachable"
}
