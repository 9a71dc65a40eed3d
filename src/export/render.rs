//! Renders every document through the server's router, in process: the
//! exported bytes are what the server sends for the URL (identity encoding,
//! no validators asked for), and the headers it sends are kept for
//! `_headers`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use super::{file_for, ExportError};
use crate::server::documents::{self, DocKind, Document};
use crate::server::{cache, router, AppState, SiteSettings};

/// One exported document.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// URL path, e.g. `/posts/x` (`/404` for the not-found page).
    pub path: String,
    /// File in the export, e.g. `posts/x/index.html`.
    pub file: String,
    pub kind: DocKind,
    pub body: Vec<u8>,
    pub content_security_policy: Option<String>,
    pub cache_control: Option<String>,
}

/// Every document, plus what the server says about the copied files.
pub struct RenderedSite {
    pub documents: Vec<Rendered>,
    /// `Cache-Control` the server sends for each copied site-root file.
    pub file_cache_control: BTreeMap<String, Option<String>>,
    /// How long each kind of document took to render.
    pub phases: Vec<super::Phase>,
}

/// Requests in flight at once: enough to keep every core rendering.
fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get() * 4)
}

/// The file the not-found page is written to; static hosts serve it for
/// any path they have no file for.
pub const NOT_FOUND_FILE: &str = "404.html";

/// Renders every document of the snapshot `state` holds. The router is the
/// server's, with the page cache off: each page is rendered exactly once.
pub async fn render_all(
    mut state: AppState,
    site_files: &BTreeMap<String, Vec<u8>>,
) -> Result<RenderedSite, ExportError> {
    let mut settings = SiteSettings::clone(&state.settings);
    settings.page_cache = cache::Limits::DISABLED;
    state.settings = Arc::new(settings);
    state.live = None;
    let site = state.store.snapshot();
    let posts_per_page = state.settings.posts_per_page;
    let app = router(state);

    let mut wanted: Vec<(Document, String, StatusCode)> = Vec::new();
    for doc in documents::documents(&site, posts_per_page) {
        let file = file_for(&doc.path, doc.kind)?;
        wanted.push((doc, file, StatusCode::OK));
    }
    wanted.push((
        Document {
            path: documents::NOT_FOUND_PROBE.into(),
            kind: DocKind::Page,
        },
        NOT_FOUND_FILE.into(),
        StatusCode::NOT_FOUND,
    ));

    // Pages and feeds first, then the social cards: timed apart.
    let (cards, pages): (Vec<_>, Vec<_>) = wanted
        .into_iter()
        .partition(|(doc, _, _)| crate::content::cards::slug_of(&doc.path).is_some());
    let mut phases = Vec::new();
    let mut documents = Vec::new();
    let mut clock = super::Stopwatch::start();
    for (name, batch) in [("pages", pages), ("cards", cards)] {
        documents.extend(render_batch(&app, batch).await?);
        phases.push(clock.lap(name));
    }
    documents.sort_by(|a, b| a.file.cmp(&b.file));

    // What the server says about each copied file (HEAD: no body needed).
    let mut file_cache_control = BTreeMap::new();
    for rel in site_files.keys() {
        let path = format!("/{rel}");
        let (_, headers, _) = fetch(&app, Method::HEAD, &path).await?;
        let value = headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        file_cache_control.insert(rel.clone(), value);
    }
    phases.push(clock.lap("file headers"));
    Ok(RenderedSite {
        documents,
        file_cache_control,
        phases,
    })
}

/// Renders `wanted` through the router, a few requests at a time, each on
/// a task of its own so that every worker thread of the runtime renders.
/// (A `buffer_unordered` stream polls all its futures inside the one task
/// that awaits it: the export rendered on one thread at a time.)
async fn render_batch(
    app: &axum::Router,
    wanted: Vec<(Document, String, StatusCode)>,
) -> Result<Vec<Rendered>, ExportError> {
    let mut tasks = tokio::task::JoinSet::new();
    // Which path each task renders, to name it if the task itself fails.
    let mut paths = std::collections::HashMap::new();
    let mut documents = Vec::with_capacity(wanted.len());
    let mut wanted = wanted.into_iter();
    // Asked once: the standard library reads cgroup files for it each time.
    let in_flight = concurrency();
    loop {
        while tasks.len() < in_flight {
            let Some((doc, file, expected)) = wanted.next() else {
                break;
            };
            let path = doc.path.clone();
            let task = tasks.spawn(render_one(app.clone(), doc, file, expected));
            paths.insert(task.id(), path);
        }
        let Some(joined) = tasks.join_next_with_id().await else {
            break;
        };
        match joined {
            Ok((id, rendered)) => {
                paths.remove(&id);
                documents.push(rendered?);
            }
            Err(e) => {
                return Err(ExportError::Render {
                    path: paths.remove(&e.id()).unwrap_or_default(),
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(documents)
}

/// One document through the router; its status must be `expected`.
async fn render_one(
    app: axum::Router,
    doc: Document,
    file: String,
    expected: StatusCode,
) -> Result<Rendered, ExportError> {
    let (status, headers, body) = fetch(&app, Method::GET, &doc.path).await?;
    if status != expected {
        return Err(ExportError::Status {
            path: doc.path,
            status: status.as_u16(),
        });
    }
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Ok(Rendered {
        path: if expected == StatusCode::NOT_FOUND {
            "/404".into()
        } else {
            doc.path
        },
        file,
        kind: doc.kind,
        body,
        content_security_policy: text(header::CONTENT_SECURITY_POLICY),
        cache_control: text(header::CACHE_CONTROL),
    })
}

async fn fetch(
    app: &axum::Router,
    method: Method,
    path: &str,
) -> Result<(StatusCode, axum::http::HeaderMap, Vec<u8>), ExportError> {
    let render = |message: String| ExportError::Render {
        path: path.to_string(),
        message,
    };
    let req = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .map_err(|e| render(e.to_string()))?;
    let res = app
        .clone()
        .oneshot(req)
        .await
        .map_err(|e| render(e.to_string()))?;
    let status = res.status();
    let headers = res.headers().clone();
    // `Vec::from` takes the buffer over when it can, rather than copying.
    let body = Vec::from(
        res.into_body()
            .collect()
            .await
            .map_err(|e| render(e.to_string()))?
            .to_bytes(),
    );
    Ok((status, headers, body))
}
