//! Hostile HTTP against the real binary on a loopback port: requests are sent
//! as raw bytes, so no client library normalises them first.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use common::fixture;
use common::process::{http_get, start, status_and_text, Server};

/// Written outside the site root; no response may ever contain it.
const SECRET: &str = "TOP-SECRET-OUTSIDE-THE-SITE-ROOT";
const APP_JS: &str = "console.log('the only script');";

/// `<tmp>/secret.txt` next to the site root `<tmp>/site` (with `pkg/app.js`).
struct Layout {
    tmp: tempfile::TempDir,
}

impl Layout {
    fn new() -> Layout {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("site/pkg")).expect("mkdir");
        std::fs::write(tmp.path().join("site/pkg/app.js"), APP_JS).expect("write");
        std::fs::write(tmp.path().join("secret.txt"), SECRET).expect("write");
        std::fs::create_dir_all(tmp.path().join("site-private")).expect("mkdir");
        std::fs::write(tmp.path().join("site-private/key.txt"), SECRET).expect("write");
        Layout { tmp }
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("site")
    }

    fn secret(&self) -> PathBuf {
        self.tmp.path().join("secret.txt")
    }

    fn start(&self, env: &[(&str, &str)]) -> Server {
        let root = self.root().display().to_string();
        let mut all = vec![("LEPTOS_SITE_ROOT", root.as_str())];
        all.extend_from_slice(env);
        start(&fixture("site"), &all)
    }
}

/// Sends `request` as is and reads the whole answer (the request should ask
/// for `Connection: close`). Status 0: the server closed without answering.
fn raw(addr: &str, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    // The server may answer (414, 431, 413) before reading everything.
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    status_and_text(&raw)
}

fn request(method: &str, target: &str, headers: &str) -> Vec<u8> {
    format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{headers}\r\n")
        .into_bytes()
}

fn get(addr: &str, target: &str) -> (u16, String) {
    raw(addr, &request("GET", target, ""))
}

fn assert_alive(server: &Server) {
    let (status, body) = http_get(&server.addr, "/posts/hello").expect("server answers");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("The hello fixture body text"));
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Every spelling of "up one folder" we know, to be followed by a file name.
fn climbs() -> Vec<&'static str> {
    vec![
        "../",
        "..%2f",
        "..%2F",
        "%2e%2e/",
        "%2E%2E%2F",
        ".%2e/",
        "%2e./",
        "%252e%252e/",
        "%252e%252e%252f",
        "..%252f",
        "..\\",
        "..%5c",
        "%2e%2e%5c",
        "%c0%ae%c0%ae/",
        "..%c0%af",
        "....//",
        "..;/",
        "%2e%2e%00/",
    ]
}

#[test]
fn traversal_never_reaches_a_file_outside_the_site_root() {
    let layout = Layout::new();
    let server = layout.start(&[]);
    // The control: files under the root are served, so a 404 below means
    // "refused", not "static files are off".
    let (status, body) = get(&server.addr, "/pkg/app.js");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(APP_JS));

    let mut targets = Vec::new();
    for prefix in ["/", "/pkg/", "/posts/", "/tags/", "/api/", "/pkg/a/b/"] {
        for climb in climbs() {
            for depth in [1, 2, 3, 8] {
                let up = climb.repeat(depth);
                targets.push(format!("{prefix}{up}secret.txt"));
                targets.push(format!("{prefix}{up}site-private/key.txt"));
                targets.push(format!("{prefix}{up}etc/passwd"));
            }
        }
    }
    // Absolute paths, in the path and as the request target.
    let secret = layout.secret().display().to_string();
    let encoded = secret.replace('/', "%2f");
    for abs in [
        format!("/{secret}"),
        format!("/pkg/{secret}"),
        format!("/pkg//{secret}"),
        format!("/{encoded}"),
        format!("/pkg/{encoded}"),
        format!("/pkg/{}", secret.replace('/', "\\")),
        "//etc/passwd".to_string(),
        "/pkg//etc/passwd".to_string(),
        "/%2fetc%2fpasswd".to_string(),
        "/pkg/%2Fetc%2Fpasswd".to_string(),
        "/pkg/C:%5cWindows%5cwin.ini".to_string(),
        "/pkg/file:%2f%2f%2fetc%2fpasswd".to_string(),
        "http://localhost/../../../../etc/passwd".to_string(),
        format!("http://localhost/pkg/../../{}", "secret.txt"),
    ] {
        targets.push(abs);
    }
    for target in &targets {
        let (status, body) = get(&server.addr, target);
        assert!(
            (400..500).contains(&status),
            "{target}: status {status}\n{body}"
        );
        assert!(!body.contains(SECRET), "{target} leaked the secret");
        assert!(!body.contains("root:x:0:0"), "{target} leaked /etc/passwd");
    }
    assert_alive(&server);
}

#[test]
fn oversized_requests_get_4xx_and_the_server_keeps_serving() {
    let layout = Layout::new();
    let server = layout.start(&[]);
    for target in [
        format!("/{}", "a".repeat(9 * 1024)),
        format!("/pkg/{}", "a".repeat(9 * 1024)),
        format!("/posts/{}", "a".repeat(9 * 1024)),
        format!("/api/post?slug={}", "a".repeat(9 * 1024)),
        format!("/{}", "a/".repeat(8 * 1024)),
        format!("/{}", "a".repeat(200 * 1024)),
    ] {
        let (status, body) = get(&server.addr, &target);
        assert!(
            (400..500).contains(&status),
            "{} bytes: status {status}\n{}",
            target.len(),
            &body[..body.len().min(300)]
        );
    }
    // A long query string is not a long path: it is answered normally.
    let (status, _) = get(
        &server.addr,
        &format!("/search?q={}", "a%20".repeat(3 * 1024)),
    );
    assert_eq!(status, 200);
    let many: String = (0..150).map(|i| format!("X-Header-{i}: v\r\n")).collect();
    let (status, _) = raw(&server.addr, &request("GET", "/", &many));
    assert_eq!(status, 431, "150 headers");
    let huge = format!("X-Huge: {}\r\n", "v".repeat(1024 * 1024));
    let (status, _) = raw(&server.addr, &request("GET", "/", &huge));
    assert!((400..500).contains(&status), "1 MiB header: {status}");
    assert_alive(&server);
}

#[test]
fn server_function_bodies_over_the_limit_get_413() {
    let layout = Layout::new();
    let server = layout.start(&[]);
    let body = format!("slug={}", "x".repeat(100 * 1024));
    let mut req = request(
        "POST",
        "/api/post",
        &format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ),
    );
    req.extend_from_slice(body.as_bytes());
    assert_eq!(raw(&server.addr, &req).0, 413);
    // The declared length is enough: nothing is buffered first.
    let (status, _) = raw(
        &server.addr,
        &request(
            "GET",
            "/api/post?slug=hello",
            "Content-Length: 10000000\r\n",
        ),
    );
    assert_eq!(status, 413);
    assert_alive(&server);
}

#[test]
fn malformed_server_function_arguments_get_400_with_a_message() {
    let layout = Layout::new();
    let server = layout.start(&[]);
    for (target, message) in [
        ("/api/post", "malformed arguments: missing field `slug`"),
        ("/api/tag", "malformed arguments: missing field `tag`"),
        (
            "/api/posts?page=abc",
            "malformed arguments: invalid digit found in string",
        ),
        (
            "/api/posts?page=-1",
            "malformed arguments: invalid digit found in string",
        ),
        (
            "/api/posts?page=99999999999999999999",
            "malformed arguments: number too large to fit in target type",
        ),
        ("/api/post?slug", "slug must be 1 to 200 bytes"),
    ] {
        let (status, text) = get(&server.addr, target);
        assert_eq!(status, 400, "{target}: {text}");
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON error body");
        assert_eq!(json["BadRequest"], message, "{target}");
    }
    for target in ["/api/search?q=%zz&q=2", "/api/posts?page="] {
        let (status, text) = get(&server.addr, target);
        assert_eq!(status, 400, "{target}: {text}");
        assert!(text.contains("\"BadRequest\""), "{target}: {text}");
    }
    // Bytes that are not UTF-8 decode lossily to a key that does not exist.
    assert_eq!(get(&server.addr, "/api/post?slug=%FF%FE").0, 404);
    assert_alive(&server);
}

#[test]
fn wrong_methods_get_405() {
    let layout = Layout::new();
    let server = layout.start(&[]);
    for (method, target) in [
        ("POST", "/"),
        ("PUT", "/posts/hello"),
        ("DELETE", "/posts/hello"),
        ("PATCH", "/about"),
        ("POST", "/feed.xml"),
        ("DELETE", "/sitemap.xml"),
        ("POST", "/api/post"),
        ("PUT", "/api/search"),
        ("POST", "/healthz"),
    ] {
        let (status, text) = raw(
            &server.addr,
            &request(method, target, "Content-Length: 0\r\n"),
        );
        assert_eq!(status, 405, "{method} {target}: {text}");
        let allow = header(&text, "allow").unwrap_or_default();
        assert!(allow.contains("GET"), "{method} {target}: allow `{allow}`");
    }
    assert_alive(&server);
}

/// A client that sends its headers one byte at a time is cut off; it does
/// not get to hold the connection.
#[test]
fn slow_header_senders_are_timed_out() {
    let layout = Layout::new();
    let server = layout.start(&[("HEADER_TIMEOUT_SECS", "1")]);
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("timeout");
    let head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
    let mut sent = 0;
    let mut closed = false;
    // At most ~60 s of dripping; the server's deadline is 1 s.
    for byte in head.iter().chain(std::iter::repeat(&b'a')).take(600) {
        if stream.write_all(&[*byte]).is_err() {
            closed = true;
            break;
        }
        sent += 1;
        let mut buf = [0u8; 512];
        match stream.read(&mut buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => {
                // An answer before the headers ended can only be a refusal.
                let text = String::from_utf8_lossy(&buf[..n]);
                assert!(text.starts_with("HTTP/1.1 408"), "{text}");
                closed = true;
                break;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(closed, "still open after dripping {sent} header bytes");
    assert!(sent < 600);
    assert_alive(&server);
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS")
}

/// Requests `/missing/<prefix>-<n>` for `n` in `range`, on 4 threads.
fn many_404s(addr: &str, prefix: &str, range: std::ops::Range<usize>) {
    let threads = 4;
    std::thread::scope(|s| {
        for t in 0..threads {
            let range = range.clone();
            s.spawn(move || {
                for n in range.skip(t).step_by(threads) {
                    let (status, _) = get(addr, &format!("/missing/{prefix}-{n}?q={n}"));
                    assert_eq!(status, 404);
                }
            });
        }
    });
}

#[test]
fn ten_thousand_distinct_404s_leave_memory_flat() {
    let layout = Layout::new();
    let metrics_addr = format!("127.0.0.1:{}", common::process::free_port());
    let server = layout.start(&[("METRICS_ADDR", metrics_addr.as_str())]);
    let pid = server.child.id();
    // Warm-up: allocator pools, lazy statics, connection buffers.
    many_404s(&server.addr, "warm", 0..2_000);
    let before = rss_kib(pid);
    many_404s(&server.addr, "probe", 0..10_000);
    let after = rss_kib(pid);
    eprintln!("RSS after warm-up {before} KiB, after 10,000 distinct 404s {after} KiB");
    // A per-URL leak of even 100 bytes would add ~1 MB; allow 10 % noise.
    assert!(
        after <= before + before / 10,
        "RSS grew from {before} KiB to {after} KiB"
    );
    // Histogram samples are drained by a background thread, not only by a
    // scrape of /metrics (which this test has not made so far).
    let threads: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("tasks")
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|c| c.trim().to_string())
        .collect();
    assert!(
        threads
            .iter()
            .any(|t| t == microblog::server::ops::UPKEEP_THREAD),
        "{threads:?}"
    );
    // The metrics label the fallback as one route, not one series per URL.
    let (status, metrics) = get(&metrics_addr, "/metrics");
    assert_eq!(status, 200, "{metrics}");
    assert!(
        !metrics.contains("probe-"),
        "a URL leaked into metric labels"
    );
    assert_alive(&server);
}

#[test]
fn search_query_is_reflected_escaped() {
    let layout = Layout::new();
    let server = layout.start(&[]);
    let payload = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'";
    let encoded: String = payload
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let (status, hostile) = get(&server.addr, &format!("/search?q={encoded}"));
    assert_eq!(status, 200);
    let (_, benign) = get(&server.addr, "/search?q=zzzz");
    assert!(!hostile.contains("<script>alert"), "{hostile}");
    assert!(!hostile.contains("<img src=x"), "{hostile}");
    assert!(
        hostile.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the query is shown, escaped"
    );
    // The same markup as a harmless query: no element was injected.
    for tag in ["<script", "<img", "</script>"] {
        assert_eq!(
            hostile.matches(tag).count(),
            benign.matches(tag).count(),
            "{tag}"
        );
    }
}

/// A handler that panics (debug builds, `MICROBLOG_PANIC_ROUTE=1`) answers a
/// 500 page; the next request, and the process, are fine.
#[test]
fn a_panicking_handler_returns_500_and_the_next_request_succeeds() {
    let layout = Layout::new();
    let mut server = layout.start(&[("MICROBLOG_PANIC_ROUTE", "1")]);
    for _ in 0..3 {
        let (status, text) = get(&server.addr, "/_microblog/panic");
        assert_eq!(status, 500, "{text}");
        assert!(text.contains("500 — something went wrong"), "{text}");
        assert!(header(&text, "content-type").is_some_and(|c| c.starts_with("text/html")));
        assert_alive(&server);
    }
    assert!(server.child.try_wait().expect("status").is_none());
    // Without the variable the route does not exist.
    let plain = layout.start(&[]);
    assert_eq!(get(&plain.addr, "/_microblog/panic").0, 404);
}
