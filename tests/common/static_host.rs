//! A plain static host for an exported folder, as Netlify and Cloudflare
//! Pages behave for what the export uses: `_redirects` rules (read strictly:
//! a line that is not `from to status` fails the test), `_headers` rules
//! (exact paths and `/prefix/*`; a header set twice is joined with `, `, as
//! the hosts do), `/x` and `/x/` served from `x/index.html`, and `404.html`
//! with status 404 for anything else. Responses are gzipped on the fly
//! (level 6) for clients that accept it, as GitHub Pages does (the weakest
//! compression of the hosts the README names), so the browser tests see
//! what a reader transfers. Used by `tests/export.rs` and, through
//! `examples/static_host.rs`, by the browser tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The rules of one exported folder.
#[derive(Debug, Default)]
pub struct Rules {
    pub redirects: BTreeMap<String, (String, u16)>,
    /// `(path pattern, [(name, value)])` in file order.
    pub headers: Vec<(String, Vec<(String, String)>)>,
}

/// Parses `_redirects` and `_headers`; `Err` names the first line that is
/// not in the format.
pub fn read_rules(dir: &Path) -> Result<Rules, String> {
    let mut rules = Rules::default();
    let redirects = std::fs::read_to_string(dir.join("_redirects")).unwrap_or_default();
    for (n, line) in redirects.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [from, to, status] = fields.as_slice() else {
            return Err(format!(
                "_redirects:{}: not `from to status`: {line:?}",
                n + 1
            ));
        };
        let status: u16 = status
            .parse()
            .map_err(|_| format!("_redirects:{}: bad status {status:?}", n + 1))?;
        if !from.starts_with('/') || from.contains(':') || from.contains('*') {
            return Err(format!(
                "_redirects:{}: not a literal path: {from:?}",
                n + 1
            ));
        }
        if rules
            .redirects
            .insert(from.to_string(), (to.to_string(), status))
            .is_some()
        {
            return Err(format!("_redirects:{}: {from} twice", n + 1));
        }
    }
    let headers = std::fs::read_to_string(dir.join("_headers")).unwrap_or_default();
    for (n, line) in headers.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ") {
            let Some((name, value)) = rest.split_once(": ") else {
                return Err(format!("_headers:{}: not `  Name: value`: {line:?}", n + 1));
            };
            HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("_headers:{}: bad name {name:?}", n + 1))?;
            HeaderValue::from_str(value)
                .map_err(|_| format!("_headers:{}: bad value {value:?}", n + 1))?;
            let Some((_, list)) = rules.headers.last_mut() else {
                return Err(format!("_headers:{}: header before any path", n + 1));
            };
            list.push((name.to_string(), value.to_string()));
        } else if line.starts_with('/') && !line.contains(char::is_whitespace) {
            rules.headers.push((line.to_string(), Vec::new()));
        } else {
            return Err(format!(
                "_headers:{}: neither a path nor a header: {line:?}",
                n + 1
            ));
        }
    }
    Ok(rules)
}

fn pattern_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

impl Rules {
    /// The headers a host sends for `path`, joined as hosts join them.
    pub fn headers_for(&self, path: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (pattern, list) in &self.headers {
            if !pattern_matches(pattern, path) {
                continue;
            }
            for (name, value) in list {
                match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    Some((_, v)) => {
                        v.push_str(", ");
                        v.push_str(value);
                    }
                    None => out.push((name.clone(), value.clone())),
                }
            }
        }
        out
    }
}

struct Host {
    dir: PathBuf,
    rules: Rules,
}

/// The file a host serves for `path`, if any.
fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?
        .into_owned();
    let rel = decoded.trim_start_matches('/');
    if rel.split('/').any(|s| s == "..") {
        return None;
    }
    let candidates = if rel.is_empty() {
        vec!["index.html".to_string()]
    } else if rel.ends_with('/') {
        vec![format!("{rel}index.html")]
    } else {
        vec![rel.to_string(), format!("{rel}/index.html")]
    };
    candidates
        .into_iter()
        .map(|c| dir.join(c))
        .find(|p| p.is_file())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

async fn serve(State(host): State<Arc<Host>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let mut res = if let Some((to, status)) = host.rules.redirects.get(&path) {
        let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::MOVED_PERMANENTLY);
        let location = match req.uri().query() {
            Some(q) => format!("{to}?{q}"),
            None => to.clone(),
        };
        (status, [(header::LOCATION, location)]).into_response()
    } else if let Some(file) = resolve(&host.dir, &path) {
        match std::fs::read(&file) {
            Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&file))], bytes).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    } else {
        let body = std::fs::read(host.dir.join("404.html")).unwrap_or_default();
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            Body::from(body),
        )
            .into_response()
    };
    for (name, value) in host.rules.headers_for(&path) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            res.headers_mut().insert(n, v);
        }
    }
    res
}

/// A router serving `dir` as a static host would.
pub fn router(dir: &Path) -> Result<axum::Router, String> {
    let host = Host {
        dir: dir.to_path_buf(),
        rules: read_rules(dir)?,
    };
    let gzip = tower_http::compression::CompressionLayer::new()
        .no_br()
        .no_deflate()
        .quality(tower_http::CompressionLevel::Precise(6));
    Ok(axum::Router::new()
        .fallback(serve)
        .with_state(Arc::new(host))
        .layer(gzip))
}
