//! What an operator needs: request ids and one log line per request,
//! Prometheus metrics, health probes, and security headers.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::AppState;
use crate::model::ContentEvent;

pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Name of the thread that drains queued histogram samples every 5 s.
pub const UPKEEP_THREAD: &str = "metrics-upkeep";

/// Upper bounds (seconds) of `http_request_duration_seconds`.
///
/// The latency SLO counts a page as fast when it took at most 0.1 s
/// (`le="0.1"` in `deploy/prometheus/rules/slo.yml`, justified in
/// `deploy/RUNBOOK.md`), so that bound must be a bucket edge: a threshold
/// between two edges cannot be read from a histogram. The edges around it
/// (0.05, 0.075, 0.15, 0.25) keep the dashboard's quantiles honest where
/// they matter, and 5 s and 10 s (the request timeout) place slow requests
/// instead of lumping them into `+Inf`.
pub const LATENCY_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0,
    10.0,
];

/// Process metrics (`process_start_time_seconds` for restart alerts, CPU,
/// memory, file descriptors), read from `/proc` on every scrape.
fn process_collector() -> &'static metrics_process::Collector {
    static COLLECTOR: OnceLock<metrics_process::Collector> = OnceLock::new();
    COLLECTOR.get_or_init(metrics_process::Collector::default)
}

/// The `method` label: the standard methods by name, anything else as
/// `OTHER`. A client may send any token as a method; as a label each would
/// be a new series.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                metrics_exporter_prometheus::Matcher::Full("http_request_duration_seconds".into()),
                &LATENCY_BUCKETS,
            )
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Fails only if another recorder is installed; then ours still renders.
        let _ = metrics::set_global_recorder(recorder);
        // Histogram samples queue up until drained: without a scrape of
        // /metrics they grew by every request (the soak showed RSS creeping).
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name(UPKEEP_THREAD.into())
            .spawn(move || loop {
                std::thread::sleep(std::time::Duration::from_secs(5));
                upkeep.run_upkeep();
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the metrics upkeep thread: {e}");
        }
        metrics::gauge!("microblog_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
        process_collector().describe();
        handle
    })
}

/// A usable request id from the client (in `headers`), else a fresh UUID.
pub fn request_id(headers: &axum::http::HeaderMap) -> HeaderValue {
    headers
        .get(&REQUEST_ID)
        .filter(|v| {
            v.to_str().is_ok_and(|s| {
                !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic())
            })
        })
        .cloned()
        .unwrap_or_else(|| {
            // Formatted on the stack: one allocation (the header's bytes).
            let mut text = uuid::Uuid::encode_buffer();
            let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut text);
            HeaderValue::from_str(id).unwrap_or_else(|_| HeaderValue::from_static("unknown"))
        })
}

/// Request id in and out, one log line and the metrics of every request.
pub async fn observe(mut req: Request, next: Next) -> Response {
    let id = request_id(req.headers());
    req.headers_mut().insert(REQUEST_ID.clone(), id.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    // The route template keeps label cardinality bounded (`/posts/{slug}`).
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let mut res = next.run(req).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    record(&method, &path, route, started, &id, &mut res);
    res
}

/// The request id a response to `req` carries (the client's, else new).
pub fn response_id(req: &Request) -> HeaderValue {
    request_id(req.headers())
}

/// Sets the request id on `res`, logs the request and counts it.
pub fn record(
    method: &axum::http::Method,
    path: &str,
    route: &str,
    started: Instant,
    id: &HeaderValue,
    res: &mut Response,
) {
    let latency = started.elapsed();
    let status = res.status().as_u16();
    res.headers_mut().insert(REQUEST_ID.clone(), id.clone());
    super::access::log(&super::access::Line {
        method: method.as_str(),
        path,
        status,
        latency_ms: latency.as_secs_f64() * 1000.0,
        request_id: id.to_str().unwrap_or_default(),
    });
    RequestMetrics::with(method_label(method), route, status, |m| {
        m.count.increment(1);
        m.latency.record(latency.as_secs_f64());
    });
}

/// `http_requests_total` and `http_request_duration_seconds` of one
/// (method, route, status).
struct RequestMetrics {
    count: metrics::Counter,
    latency: metrics::Histogram,
}

/// Per thread, the handles of every (method, status) and route seen: a
/// request updates two atomics. Looking them up in the recorder each time
/// (three label strings, a key built and hashed, a registry lookup per
/// metric) was 2.2 % of a cached page's CPU (`perf`, BENCHMARKS.md, branch
/// `fastpath`). Routes are templates and statuses are few, so the
/// maps stay small.
type Handles =
    rustc_hash::FxHashMap<(&'static str, u16), rustc_hash::FxHashMap<Box<str>, RequestMetrics>>;

thread_local! {
    static REQUEST_METRICS: std::cell::RefCell<Handles> = std::cell::RefCell::default();
}

impl RequestMetrics {
    fn with(method: &'static str, route: &str, status: u16, f: impl FnOnce(&RequestMetrics)) {
        REQUEST_METRICS.with_borrow_mut(|handles| {
            let by_route = handles.entry((method, status)).or_default();
            if let Some(m) = by_route.get(route) {
                return f(m);
            }
            let labels = [
                ("method", method.to_string()),
                ("route", route.to_string()),
                ("status", status.to_string()),
            ];
            let m = RequestMetrics {
                count: metrics::counter!("http_requests_total", &labels),
                latency: metrics::histogram!("http_request_duration_seconds", &labels),
            };
            f(&m);
            by_route.insert(route.into(), m);
        });
    }
}

/// Headers every response carries; the CSP is set per page (it lists the
/// hashes of the page's scripts), and every other response gets a fixed one.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    add_security_headers(res.status(), res.headers_mut());
    res
}

/// The policy of an HTML response that carries no page policy (the panic
/// page, a page leptos put no scripts on): styles and images, no scripts.
pub const HTML_FALLBACK_CSP: &str = "default-src 'self'; script-src 'none'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy of everything that is not a page (feeds, JSON, static files,
/// redirects, probes): nothing may load or run, nothing may frame it.
pub const NON_HTML_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The security headers, where the response has not set its own: every
/// response (pages, errors, feeds, JSON, static files, redirects) gets a
/// `Content-Security-Policy`. A `304` gets none: the browser keeps the policy
/// it stored with the page, and a 304's headers would replace it.
pub fn add_security_headers(status: StatusCode, h: &mut axum::http::HeaderMap) {
    if status != StatusCode::NOT_MODIFIED && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let html = h
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
        let policy = if html {
            HTML_FALLBACK_CSP
        } else {
            NON_HTML_CSP
        };
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
    }
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
}

/// The policy of one page: only the inline scripts whose hashes are listed
/// (`'sha256-…'` sources, see `http::hash_inline_scripts`), and what those
/// scripts load (`'strict-dynamic'`: the hydration loader imports the app's
/// JS), plus WebAssembly compilation; images from here and the emoji host.
pub fn content_security_policy(
    script_hashes: &[String],
    emoji_origin: Option<&str>,
    dev_reload: bool,
) -> String {
    let img = match emoji_origin {
        Some(o) => format!("'self' data: {o}"),
        None => "'self' data:".to_string(),
    };
    // cargo-leptos' live reload talks over a websocket in development.
    let connect = if dev_reload {
        "'self' ws: wss:"
    } else {
        "'self'"
    };
    let scripts = if script_hashes.is_empty() {
        "'none'".to_string()
    } else {
        format!("{} 'strict-dynamic'", script_hashes.join(" "))
    };
    format!(
        "default-src 'self'; script-src {scripts} 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src {img}; connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Liveness probe (`healthz`).
pub const HEALTHZ_PATH: &str = "/healthz";
/// Readiness probe (`readyz`): `503` once the server drains.
pub const READYZ_PATH: &str = "/readyz";

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// Whether the server still wants new traffic. Cleared the moment SIGTERM
/// (or SIGINT) arrives, before the listener closes, so load balancers that
/// probe `/readyz` stop sending requests while in-flight ones finish.
#[derive(Debug, Clone, Default)]
pub struct Readiness(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Readiness {
    /// From now on `/readyz` answers 503.
    pub fn drain(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Readiness: a content snapshot is loaded and the server is not shutting down.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.readiness.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    let site = state.store.snapshot();
    match site.loaded_at() {
        Some(_) => (
            StatusCode::OK,
            format!("ready: {} posts\n", site.posts().len()),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "content not loaded\n").into_response(),
    }
}

/// Prometheus text exposition.
pub async fn metrics_handler(State(state): State<AppState>) -> Response {
    let site = state.store.snapshot();
    let age = site
        .loaded_at()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .map_or(0.0, |d| d.as_secs_f64());
    metrics::gauge!("microblog_content_age_seconds").set(age);
    metrics::gauge!("microblog_content_posts").set(site.posts().len() as f64);
    metrics::gauge!("microblog_content_terms")
        .set(site.glossary().map_or(0, |g| g.terms.len()) as f64);
    metrics::gauge!("microblog_content_load_seconds").set(site.load_duration().as_secs_f64());
    metrics::gauge!("microblog_content_errors").set(site.error_count() as f64);
    metrics::counter!("microblog_content_reload_failures_total").increment(0);
    // The content-age alert applies only while files are watched; the
    // reload alert fires while the newest reload was rejected.
    let watching = state.live.as_ref();
    metrics::gauge!("microblog_content_watch_enabled").set(f64::from(u8::from(watching.is_some())));
    let failing = watching.is_some_and(|l| matches!(l.latest(), ContentEvent::Failed { .. }));
    metrics::gauge!("microblog_content_reload_failing").set(f64::from(u8::from(failing)));
    process_collector().collect();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        prometheus().render(),
    )
        .into_response()
}

/// A panic in a handler becomes a plain 500; the server keeps serving.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html lang=\"en\"><head><title>Server error</title></head>\
         <body><h1>500 — something went wrong</h1><p>The error was logged. Please try again.</p></body></html>",
    )
        .into_response()
}
