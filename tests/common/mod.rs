//! Shared by the HTTP test files: build the real router over a content folder
//! and drive it in-process.
#![allow(dead_code)]

pub mod export;
pub mod process;
pub mod static_host;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use microblog::content::{ContentStore, LoadOptions, Site};
use microblog::server::{router, AppState, SiteSettings};
use tower::ServiceExt;

/// One runtime for every test in a binary, never dropped. Leptos spawns render
/// tasks on the current runtime; with a runtime per test (as `#[tokio::test]`
/// makes), a task could outlive its runtime and another test would wait forever.
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("test runtime")
    });
    RUNTIME.block_on(future)
}

static ROUTER_BUILD: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Held while something builds a router of its own (the static export
/// does): no request of another test may run meanwhile (see `ROUTER_BUILD`).
pub fn exclusive() -> std::sync::RwLockWriteGuard<'static, ()> {
    ROUTER_BUILD.write().unwrap_or_else(|e| e.into_inner())
}

pub const SITE_URL: &str = "https://blog.example.test";

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `text` at `rel` below `dir`, making the folders it needs.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(name)
}

pub fn settings(posts_per_page: usize) -> SiteSettings {
    let mut s = SiteSettings {
        posts_per_page,
        ..SiteSettings::default()
    };
    s.info.url = SITE_URL.to_string();
    s
}

/// A router over `content`, serving static files from `site_root`.
pub fn app_with(content: &Path, site_root: &Path, settings: SiteSettings) -> axum::Router {
    build(content, site_root, settings, false)
}

/// As [`app`], with asset names declared content-hashed.
pub fn app_with_options(content: &Path, site_root: &Path, hash_files: bool) -> axum::Router {
    build(content, site_root, settings(10), hash_files)
}

/// The state a router over `content` would have.
pub fn state(
    content: &Path,
    site_root: &Path,
    settings: SiteSettings,
    hash_files: bool,
) -> AppState {
    let site = Site::load(content, &LoadOptions::default()).expect("content loads");
    let leptos_options = LeptosOptions::builder()
        .output_name("microblog")
        .site_root(site_root.to_string_lossy().to_string())
        .hash_files(hash_files)
        .build();
    AppState {
        leptos_options,
        store: ContentStore::new(site),
        settings: Arc::new(settings),
        live: None,
        readiness: Default::default(),
    }
}

fn build(
    content: &Path,
    site_root: &Path,
    settings: SiteSettings,
    hash_files: bool,
) -> axum::Router {
    app_from_state(state(content, site_root, settings, hash_files))
}

/// The router over a prepared state (keep a clone of `state.store` to swap
/// the content under it).
pub fn app_from_state(state: AppState) -> axum::Router {
    // Building a router renders the app once to list its routes, which leptos
    // marks with a process-wide flag that stalls any resource first polled
    // meanwhile (leptos issue 4773). A server builds once before serving;
    // tests build many, so no request may run while one is built.
    let _exclusive = ROUTER_BUILD.write().unwrap_or_else(|e| e.into_inner());
    router(state)
}

/// As [`app_from_state`], with handles on the page cache and reload warmer.
pub fn assembled_from_state(state: AppState) -> microblog::server::Assembled {
    let _exclusive = ROUTER_BUILD.write().unwrap_or_else(|e| e.into_inner());
    microblog::server::assemble(state)
}

/// The real router with its page cache over a content folder the test owns
/// (and edits), with the handles to reload and publish.
pub struct CachedSite {
    pub app: axum::Router,
    pub store: ContentStore,
    pub pages: Arc<microblog::server::cache::PageCache>,
    pub answers: Arc<microblog::server::cache::AnswerCache>,
    pub warmer: microblog::server::cache::Warmer,
    pub content: tempfile::TempDir,
    pub root: tempfile::TempDir,
}

pub fn cached_site(content: tempfile::TempDir, settings: SiteSettings) -> CachedSite {
    let root = tempfile::tempdir().expect("tempdir");
    let state = state(content.path(), root.path(), settings, false);
    let store = state.store.clone();
    let built = assembled_from_state(state);
    CachedSite {
        app: built.app,
        store,
        pages: built.pages,
        answers: built.answers,
        warmer: built.warmer,
        content,
        root,
    }
}

pub fn app(content: &Path, site_root: &Path) -> axum::Router {
    app_with(content, site_root, settings(10))
}

/// The shipped `content/`, with `public/` as the static root.
pub fn shipped_app() -> axum::Router {
    app(
        &manifest_dir().join("content"),
        &manifest_dir().join("public"),
    )
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (still compressed when `content-encoding` is set).
    pub bytes: Vec<u8>,
}

impl Reply {
    /// Reads a router's whole answer.
    async fn read(res: axum::response::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    pub fn content_type(&self) -> String {
        self.header(header::CONTENT_TYPE)
    }
}

// The read guard spans the request on purpose (see `ROUTER_BUILD`); writers
// are plain test threads, never runtime workers, so nothing can deadlock.
#[allow(clippy::await_holding_lock)]
pub async fn send(
    app: &axum::Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = {
        let _shared = ROUTER_BUILD.read().unwrap_or_else(|e| e.into_inner());
        app.clone()
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("router answers")
    };
    Reply::read(res).await
}

/// `'sha256-…'` CSP sources of the inline scripts a browser would execute
/// (no `src`, not a JSON data block), computed independently of the server.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut out = Vec::new();
    for chunk in html.split("<script").skip(1) {
        let Some((tag, rest)) = chunk.split_once('>') else {
            continue;
        };
        if tag.contains(" src=") || tag.contains("json") {
            continue;
        }
        let code = rest.split("</script>").next().unwrap_or_default();
        let digest = sha2::Sha256::digest(code.as_bytes());
        let source = format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        if !out.contains(&source) {
            out.push(source);
        }
    }
    out
}

/// `n` GETs of `uri` at once. They run with the router-build lock held for
/// writing: a batch polled on one thread must not take one read guard per
/// request (a writer queued between two of them would wait for the first
/// while the second waits for it).
#[allow(clippy::await_holding_lock)]
pub async fn get_concurrently(app: &axum::Router, uri: &str, n: usize) -> Vec<Reply> {
    let _exclusive = ROUTER_BUILD.write().unwrap_or_else(|e| e.into_inner());
    let one = || async {
        let req = Request::builder()
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("router answers");
        Reply::read(res).await
    };
    futures::future::join_all((0..n).map(|_| one())).await
}

/// Runs `work` (requests that do not go through [`send`], such as a reload
/// warm-up) while no router is being built (see `ROUTER_BUILD`).
#[allow(clippy::await_holding_lock)]
pub async fn no_router_built_during<F: std::future::Future>(work: F) -> F::Output {
    let _shared = ROUTER_BUILD.read().unwrap_or_else(|e| e.into_inner());
    work.await
}

pub async fn get(app: &axum::Router, uri: &str) -> Reply {
    send(app, Method::GET, uri, &[]).await
}

/// A GET with request headers.
pub async fn get_with(app: &axum::Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    send(app, Method::GET, uri, headers).await
}

/// A GET of `from` that must answer `301` to `to`.
pub async fn get_moved(app: &axum::Router, from: &str, to: &str) -> Reply {
    let reply = get(app, from).await;
    assert_eq!(reply.status, StatusCode::MOVED_PERMANENTLY, "GET {from}");
    assert_eq!(reply.header(header::LOCATION), to, "GET {from}");
    reply
}

/// Every one of `uris` answers `404`.
pub async fn assert_not_found(app: &axum::Router, uris: &[&str]) {
    for uri in uris {
        assert_eq!(
            get(app, uri).await.status,
            StatusCode::NOT_FOUND,
            "GET {uri}"
        );
    }
}

/// A GET that must answer `200 OK`.
pub async fn get_ok(app: &axum::Router, uri: &str) -> Reply {
    let reply = get(app, uri).await;
    assert_eq!(reply.status, StatusCode::OK, "GET {uri}");
    reply
}
