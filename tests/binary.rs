//! The real binary: `serve` on a loopback port, and `check` over content folders.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_microblog");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Kills the server even when an assertion fails.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One HTTP/1.1 GET; returns (status, body).
fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

fn start(content: &Path) -> Server {
    let addr = format!("127.0.0.1:{}", free_port());
    let site_root = tempfile::tempdir().expect("tempdir").keep();
    let child = Command::new(BIN)
        .env("CONTENT_DIR", content)
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("LEPTOS_SITE_ROOT", &site_root)
        .env("LEPTOS_OUTPUT_NAME", "microblog")
        .env("RUST_LOG", "warn")
        .env("SHUTDOWN_GRACE_SECS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if http_get(&server.addr, "/").is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server on {} did not answer within 30 s", server.addr);
}

#[test]
fn serves_pages_from_content_dir_over_tcp() {
    let server = start(&fixture("site"));
    let (status, body) = http_get(&server.addr, "/posts/hello").expect("GET post");
    assert_eq!(status, 200);
    assert!(body.contains("The hello fixture body text"));
    let (status, body) = http_get(&server.addr, "/posts/nope").expect("GET missing");
    assert_eq!(status, 404);
    assert!(body.contains("page not found"));
    let (status, body) = http_get(&server.addr, "/glossary").expect("GET glossary");
    assert_eq!(status, 200);
    assert!(body.contains("Observabilidad"));
}

#[test]
fn healthcheck_subcommand_probes_the_server() {
    let server = start(&fixture("site"));
    let ok = Command::new(BIN)
        .arg("healthcheck")
        .env("LEPTOS_SITE_ADDR", &server.addr)
        .output()
        .expect("runs");
    assert_eq!(ok.status.code(), Some(0));
    let down = Command::new(BIN)
        .arg("healthcheck")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .output()
        .expect("runs");
    assert_eq!(down.status.code(), Some(2));
}

#[test]
fn bad_configuration_exits_2_with_one_line() {
    let out = Command::new(BIN)
        .env("SITE_URL", "not-a-url")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SITE_URL must be an absolute"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn startup_errors_are_one_line_and_exit_2() {
    let missing = Command::new(BIN)
        .env("CONTENT_DIR", "/nonexistent/microblog-content")
        .env("LEPTOS_OUTPUT_NAME", "microblog")
        .output()
        .expect("binary runs");
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.contains("CONTENT_DIR") && err.contains("/nonexistent/microblog-content"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let bad_addr = Command::new(BIN)
        .env("CONTENT_DIR", fixture("site"))
        .env("LEPTOS_SITE_ADDR", "not-an-address")
        .env("LEPTOS_OUTPUT_NAME", "microblog")
        .output()
        .expect("binary runs");
    assert_eq!(bad_addr.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad_addr.stderr);
    assert!(err.contains("configuration error"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[cfg(unix)]
#[test]
fn sigterm_exits_0_within_the_grace_period() {
    let mut server = start(&fixture("site"));
    // A keep-alive connection is open when the signal arrives; it must not
    // hold the process.
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("send");
    let started = Instant::now();
    let pid = server.child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let code = loop {
        if let Some(s) = server.child.try_wait().expect("wait") {
            break s.code();
        }
        assert!(
            Instant::now() < deadline,
            "still running 15 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

fn check(dir: &Path) -> (Option<i32>, String) {
    let out = Command::new(BIN)
        .args(["check", "--content-dir"])
        .arg(dir)
        .output()
        .expect("binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn check_passes_on_a_clean_folder() {
    let (code, out) = check(&fixture("site"));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("2 posts, 1 drafts, 2 glossary terms: 0 errors, 0 warnings"),
        "{out}"
    );
}

#[test]
fn check_reports_each_broken_file_with_its_line() {
    let dir = fixture("broken");
    let (code, out) = check(&dir);
    assert_eq!(code, Some(1), "{out}");
    let root = dir.display().to_string();
    let expected = [
        "/posts/bad_date.md:3:1: error: invalid date `2024-02-30`",
        "/posts/broken_ref.md:8:10: error: broken reference: no page `does_not_exist.md`",
        "/posts/broken_ref.md:8:50: warning: unknown emoji shortcode `:unknown_emoji_here:`",
        "/posts/no_title.md:1:1: error: missing required field `title`",
        "/posts/unknown_key.md:4:1: error: unknown field `author`",
    ];
    for e in expected {
        assert!(
            out.contains(&format!("{root}{e}")),
            "missing {e:?} in:\n{out}"
        );
    }
    assert!(
        out.contains("2 posts, 0 drafts, 0 glossary terms: 4 errors, 1 warnings"),
        "{out}"
    );
}

#[test]
fn check_passes_on_the_shipped_content() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let (code, out) = check(&dir);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(": 0 errors, 0 warnings"), "{out}");
}
