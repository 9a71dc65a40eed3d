//! The physical limit for `make bench`: a minimal axum server that answers
//! each benchmarked URL with bytes captured from the real server, held in
//! memory. No middleware, no logging, no routing beyond one map lookup, so the
//! real server's throughput divided by this one's is the cost of everything
//! the site does per request.
//!
//! Usage: `bench_baseline ADDR MANIFEST` where each MANIFEST line is
//! `path<TAB>content-type<TAB>content-encoding (or -)<TAB>body file`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One captured answer.
struct Canned {
    content_type: HeaderValue,
    encoding: Option<HeaderValue>,
    body: Bytes,
}

fn load(manifest: &str) -> Result<HashMap<String, Canned>, String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("{manifest}: {e}"))?;
    let mut map = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [path, ct, enc, file] = fields.as_slice() else {
            return Err(format!("bad manifest line: {line}"));
        };
        let body = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        let value = |v: &str| HeaderValue::from_str(v).map_err(|e| format!("{v}: {e}"));
        map.insert(
            path.to_string(),
            Canned {
                content_type: value(ct)?,
                encoding: if *enc == "-" { None } else { Some(value(enc)?) },
                body: Bytes::from(body),
            },
        );
    }
    Ok(map)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(addr), Some(manifest)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bench_baseline ADDR MANIFEST");
        return std::process::ExitCode::from(2);
    };
    let routes = match load(manifest) {
        Ok(r) => Arc::new(r),
        Err(e) => {
            eprintln!("bench_baseline: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench_baseline: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(addr.as_str()).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("bench_baseline: {addr}: {e}");
                return std::process::ExitCode::from(2);
            }
        };
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let routes = routes.clone();
            async move {
                let key = uri
                    .path_and_query()
                    .map_or(uri.path(), |pq| pq.as_str())
                    .to_string();
                match routes.get(&key) {
                    Some(c) => {
                        let mut res = c.body.clone().into_response();
                        let h = res.headers_mut();
                        h.insert(header::CONTENT_TYPE, c.content_type.clone());
                        if let Some(e) = &c.encoding {
                            h.insert(header::CONTENT_ENCODING, e.clone());
                        }
                        res
                    }
                    None => Response::builder()
                        .status(StatusCode::NOT_FOUND)
                        .body(axum::body::Body::empty())
                        .unwrap_or_default(),
                }
            }
        });
        println!("baseline listening on http://{addr}");
        match axum::serve(listener, app).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bench_baseline: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
