//! The real binary: `serve` on a loopback port, and `check` over content folders.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::fixture;
use common::process::{free_port, http_get, BIN};

fn start(content: &Path) -> common::process::Server {
    common::process::start(content, &[])
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
fn metrics_are_served_only_on_the_metrics_listener() {
    // Off by default: the public port has no /metrics.
    let plain = start(&fixture("site"));
    let (status, _) = http_get(&plain.addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 404);
    drop(plain);
    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let server = common::process::start(&fixture("site"), &[("METRICS_ADDR", &metrics_addr)]);
    let (status, _) = http_get(&server.addr, "/metrics").expect("GET /metrics on the site");
    assert_eq!(status, 404);
    let (status, body) = http_get(&metrics_addr, "/metrics").expect("GET /metrics");
    assert_eq!(status, 200);
    assert!(body.contains("http_requests_total{"), "{body}");
    assert!(body.contains("microblog_content_posts 2"), "{body}");
    // A metrics address that is taken stops the server at startup.
    let taken = Command::new(BIN)
        .env("CONTENT_DIR", fixture("site"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("LEPTOS_OUTPUT_NAME", "microblog")
        .env("METRICS_ADDR", &metrics_addr)
        .output()
        .expect("binary runs");
    assert_eq!(taken.status.code(), Some(2));
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

/// Runs the binary with `env`; it must exit 2 with a one-line error, which
/// is returned.
fn exits_2_with_one_line(env: &[(&str, &str)]) -> String {
    let out = Command::new(BIN)
        .envs(env.iter().copied())
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2), "{env:?}");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    err
}

#[test]
fn bad_configuration_exits_2_with_one_line() {
    let err = exits_2_with_one_line(&[("SITE_URL", "not-a-url")]);
    assert!(err.contains("SITE_URL must be an absolute"), "{err}");
}

#[test]
fn startup_errors_are_one_line_and_exit_2() {
    let err = exits_2_with_one_line(&[
        ("CONTENT_DIR", "/nonexistent/microblog-content"),
        ("LEPTOS_OUTPUT_NAME", "microblog"),
    ]);
    assert!(
        err.contains("CONTENT_DIR") && err.contains("/nonexistent/microblog-content"),
        "{err}"
    );

    let site = fixture("site");
    let err = exits_2_with_one_line(&[
        ("CONTENT_DIR", &site.to_string_lossy()),
        ("LEPTOS_SITE_ADDR", "not-an-address"),
        ("LEPTOS_OUTPUT_NAME", "microblog"),
    ]);
    assert!(err.contains("configuration error"), "{err}");
}

#[cfg(unix)]
#[test]
fn sigterm_lets_a_slow_request_finish_then_exits_0() {
    let mut server = start(&fixture("site"));
    // A slow client: the request is on its way when the signal arrives.
    let reply = request_across_sigterm(&server, "/posts/hello", Duration::from_millis(500));
    assert!(reply.starts_with("HTTP/1.1 200"), "{}", status_line(&reply));
    assert!(reply.contains("The hello fixture body text"));
    assert_eq!(exit_code(&mut server, Duration::from_secs(10)), Some(0));
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
    sigterm(&server);
    assert_eq!(exit_code(&mut server, Duration::from_secs(15)), Some(0));
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
        "/posts/unknown_key.md:4:1: error: unknown field `authors`",
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

#[test]
fn check_lists_scheduled_posts_with_their_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write(dir.path(), "posts/soon.md", "---\ntitle: \"Quarterly capacity review\"\ndate: 2099-04-01T08:00:00-05:00\n---\n\nText.\n");
    let (code, out) = check(dir.path());
    assert_eq!(code, Some(0), "a scheduled post is not a problem: {out}");
    let root = dir.path().display().to_string();
    assert!(
        out.contains(&format!(
            "{root}/posts/soon.md: scheduled: `Quarterly capacity review` goes live at 2099-04-01T13:00:00Z"
        )),
        "{out}"
    );
    assert!(
        out.contains("0 posts, 0 drafts"),
        "not counted as published: {out}"
    );
}

/// A slow client's GET of `path`: the first half (headers not yet ended) is
/// sent and being read when SIGTERM arrives, the rest `pause` after it.
/// Returns the whole answer.
#[cfg(unix)]
fn request_across_sigterm(server: &common::process::Server, path: &str, pause: Duration) -> String {
    use std::io::Read;
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n").expect("send start");
    std::thread::sleep(Duration::from_millis(200));
    sigterm(server);
    std::thread::sleep(pause);
    write!(stream, "Connection: close\r\n\r\n").expect("send rest");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read reply");
    reply
}

#[cfg(unix)]
fn status_line(reply: &str) -> &str {
    reply.lines().next().unwrap_or("")
}

#[cfg(unix)]
fn sigterm(server: &common::process::Server) {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
}

#[cfg(unix)]
fn exit_code(server: &mut common::process::Server, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = server.child.try_wait().expect("wait") {
            return s.code();
        }
        assert!(Instant::now() < deadline, "still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn readyz_answers_503_from_sigterm_while_the_server_drains() {
    let mut server = common::process::start(&fixture("site"), &[("SHUTDOWN_DRAIN_SECS", "3")]);
    let (status, _) = http_get(&server.addr, "/readyz").expect("GET /readyz");
    assert_eq!(status, 200);
    let signalled = Instant::now();
    sigterm(&server);
    // Not ready from the signal on; the site itself is still served while
    // load balancers notice.
    let mut ready = 200;
    while ready != 503 && signalled.elapsed() < Duration::from_secs(1) {
        ready = http_get(&server.addr, "/readyz").map_or(0, |r| r.0);
    }
    assert_eq!(ready, 503, "readyz after SIGTERM");
    let (status, body) = http_get(&server.addr, "/posts/hello").expect("GET during drain");
    assert_eq!(status, 200);
    assert!(body.contains("The hello fixture body text"));
    assert_eq!(
        http_get(&server.addr, "/healthz").map(|r| r.0).ok(),
        Some(200)
    );
    assert!(
        signalled.elapsed() < Duration::from_secs(3),
        "checked within the drain"
    );
    assert_eq!(exit_code(&mut server, Duration::from_secs(15)), Some(0));
    assert!(
        signalled.elapsed() >= Duration::from_secs(3),
        "the listener stayed open for SHUTDOWN_DRAIN_SECS"
    );
}

#[cfg(unix)]
#[test]
fn a_readyz_in_flight_at_sigterm_answers_503_without_a_drain() {
    let mut server = start(&fixture("site"));
    let reply = request_across_sigterm(&server, "/readyz", Duration::from_millis(300));
    assert!(reply.starts_with("HTTP/1.1 503"), "{}", status_line(&reply));
    assert_eq!(exit_code(&mut server, Duration::from_secs(10)), Some(0));
}

/// The access log is written by a writer thread (not on the request path):
/// every request still gets its line, in order, and the lines queued when
/// SIGTERM arrives are written before the process exits.
#[cfg(unix)]
#[test]
fn every_request_is_logged_before_the_process_exits() {
    use std::io::Read;
    let mut server = common::process::start(
        &fixture("site"),
        &[("RUST_LOG", "info"), ("LOG_FORMAT", "json")],
    );
    let ids: Vec<String> = (0..50).map(|i| format!("log-flush-{i:02}")).collect();
    for id in &ids {
        let mut stream = TcpStream::connect(&server.addr).expect("connect");
        write!(
            stream,
            "GET /posts/hello HTTP/1.1\r\nHost: x\r\nx-request-id: {id}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("read");
        assert!(reply.starts_with("HTTP/1.1 200"), "{}", status_line(&reply));
    }
    sigterm(&server);
    assert_eq!(exit_code(&mut server, Duration::from_secs(15)), Some(0));
    // The reader thread drains the closed pipe.
    let deadline = Instant::now() + Duration::from_secs(5);
    let logged = loop {
        let log = server.log_text();
        let lines: Vec<serde_json::Value> = log
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .filter(|v: &serde_json::Value| v["target"] == "microblog::access")
            .collect();
        if lines.len() >= ids.len() || Instant::now() > deadline {
            break lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let seen: Vec<&str> = logged
        .iter()
        .filter_map(|v| v["fields"]["request_id"].as_str())
        .filter(|id| id.starts_with("log-flush-"))
        .collect();
    assert_eq!(seen, ids, "one access line per request, in order");
}
