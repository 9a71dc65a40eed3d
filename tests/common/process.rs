//! The real binary on a loopback port, for tests that need a process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_microblog");

/// A running server; killed even when an assertion fails.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Everything the server logged (stdout), for tests that read the logs.
    pub log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn log_text(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One HTTP/1.1 GET; returns the status and the whole response as text.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    Ok(status_and_text(&raw))
}

/// A raw HTTP answer as text, with its status (0 when there is no status
/// line: the server closed without answering).
pub fn status_and_text(raw: &[u8]) -> (u16, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Starts the binary serving `content`, with extra environment, and waits
/// until it answers.
pub fn start(content: &Path, env: &[(&str, &str)]) -> Server {
    let addr = format!("127.0.0.1:{}", free_port());
    let site_root = tempfile::tempdir().expect("tempdir").keep();
    let mut cmd = Command::new(BIN);
    cmd.env("CONTENT_DIR", content)
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("LEPTOS_SITE_ROOT", &site_root)
        .env("LEPTOS_OUTPUT_NAME", "microblog")
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .env("SHUTDOWN_GRACE_SECS", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("binary starts");
    let log = Arc::new(Mutex::new(String::new()));
    if let Some(out) = child.stdout.take() {
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Ok(mut l) = sink.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
    }
    let server = Server { child, addr, log };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http_get(&server.addr, "/").is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server on {} did not answer within 30 s", server.addr);
}
