//! Serves an exported folder as a static host would (`_redirects`,
//! `_headers`, folders with `index.html`, `404.html`): the browser tests run
//! against it (`make test-e2e-static`).
//!
//!     cargo run --release --features ssr --example static_host -- DIR ADDR

#[path = "../tests/common/static_host.rs"]
mod static_host;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(addr)) = (args.next(), args.next()) else {
        eprintln!("usage: static_host DIR ADDR");
        return std::process::ExitCode::from(2);
    };
    let app = match static_host::router(std::path::Path::new(&dir)) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("static_host: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("static_host: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("static_host: {addr}: {e}");
                return std::process::ExitCode::from(2);
            }
        };
        match axum::serve(listener, app).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("static_host: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
