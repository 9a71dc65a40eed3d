//! The access log: one line per request, on the hot path of every cached
//! page.
//!
//! With `LOG_FORMAT=json` (as shipped) the line is serialised straight from
//! its fields with `serde_json` into a buffer each thread reuses, and handed
//! to the log's writer thread (`logging`), in exactly the shape
//! `tracing-subscriber`'s JSON formatter gives every other line. Through
//! `tracing` the same line cost 1.7 times as much (8.0 % of a cached page's
//! CPU, against 4.7 % now, queueing included): the event's fields are
//! visited one by one through `dyn Visit`, `Display` values go through
//! `fmt`, and the formatter's byte writer re-checks UTF-8 on every piece
//! (`perf`, BENCHMARKS.md, branch `fastpath`). `RUST_LOG` still decides
//! whether the line is written (the target is `microblog::access`), and the
//! pretty format (and any process without the JSON writer, such as the
//! tests' routers) goes through `tracing` as before.

use std::cell::RefCell;
use std::io::Write as _;
use std::sync::OnceLock;
use std::time::SystemTime;

use serde::Serialize;
use tracing_appender::non_blocking::NonBlocking;

/// The `target` of access lines: `RUST_LOG=microblog::access=warn` turns
/// them off.
pub const TARGET: &str = "microblog::access";

/// What one access line says about a request.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Line<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub latency_ms: f64,
    pub request_id: &'a str,
}

/// The JSON writer, once `logging::init` installed the JSON format.
static JSON_WRITER: OnceLock<NonBlocking> = OnceLock::new();

/// Writes access lines as JSON to `writer` from now on (the queue of the
/// log's writer thread, where every other line goes).
pub(super) fn install_json(writer: NonBlocking) {
    let _ = JSON_WRITER.set(writer);
}

/// Logs `line` if `RUST_LOG` lets `microblog::access` lines through.
pub fn log(line: &Line<'_>) {
    if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
        return;
    }
    if let Some(writer) = JSON_WRITER.get() {
        write_json(writer, line);
    } else {
        tracing::info!(
            target: TARGET,
            method = line.method,
            path = line.path,
            status = line.status,
            latency_ms = line.latency_ms,
            request_id = line.request_id,
            "request"
        );
    }
}

/// One JSON line as `tracing-subscriber` writes an event: `timestamp`,
/// `level`, the fields under `fields` with `message` first, `target`.
#[derive(Serialize)]
struct Record<'a> {
    timestamp: &'a str,
    level: &'static str,
    fields: Fields<'a>,
    target: &'static str,
}

#[derive(Serialize)]
struct Fields<'a> {
    message: &'static str,
    #[serde(flatten)]
    line: &'a Line<'a>,
}

/// Per thread: the line buffer, a handle on the writer's queue (cloned once,
/// not per line), and the formatted second of the last timestamp.
struct Local {
    buf: Vec<u8>,
    writer: NonBlocking,
    clock: Clock,
}

thread_local! {
    static LOCAL: RefCell<Option<Local>> = const { RefCell::new(None) };
}

fn write_json(writer: &NonBlocking, line: &Line<'_>) {
    LOCAL.with_borrow_mut(|local| {
        let local = local.get_or_insert_with(|| Local {
            buf: Vec::with_capacity(512),
            writer: writer.clone(),
            clock: Clock::default(),
        });
        local.buf.clear();
        if format_json(&mut local.buf, &mut local.clock, SystemTime::now(), line).is_ok() {
            // Lossless queue (`logging`): this waits rather than drop a line.
            let _ = local.writer.write_all(&local.buf);
        }
    });
}

/// Appends the JSON access line for `line` at `now`, newline included.
fn format_json(
    out: &mut Vec<u8>,
    clock: &mut Clock,
    now: SystemTime,
    line: &Line<'_>,
) -> serde_json::Result<()> {
    let record = Record {
        timestamp: clock.rfc3339_micros(now),
        level: "INFO",
        fields: Fields {
            message: "request",
            line,
        },
        target: TARGET,
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.push(b'\n');
    Ok(())
}

/// RFC 3339 UTC timestamps with microseconds, as `tracing-subscriber`
/// writes them (`2026-12-01T07:03:17.737859Z`). The date and time of day
/// are formatted by `chrono` once per second; only the fraction per line.
#[derive(Default)]
struct Clock {
    second: Option<i64>,
    text: [u8; 27],
}

impl Clock {
    fn rfc3339_micros(&mut self, now: SystemTime) -> &str {
        let since = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let second = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
        if self.second != Some(second) {
            let utc = chrono::DateTime::from_timestamp(second, 0).unwrap_or_default();
            let mut head = &mut self.text[..19];
            if write!(head, "{}", utc.format("%Y-%m-%dT%H:%M:%S")).is_ok() && head.is_empty() {
                self.second = Some(second);
            } else {
                self.second = None;
            }
        }
        let mut tail = &mut self.text[19..];
        let _ = write!(tail, ".{:06}Z", since.subsec_micros());
        std::str::from_utf8(&self.text).unwrap_or("1970-01-01T00:00:00.000000Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What `tracing-subscriber`'s JSON formatter writes, captured.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn sample() -> Line<'static> {
        Line {
            method: "GET",
            path: "/posts/\"quoted\"\\ü\u{1}",
            status: 304,
            latency_ms: 0.123_456_789,
            request_id: "id-1",
        }
    }

    #[test]
    fn the_json_line_is_the_one_tracing_writes() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        // The same fields through `tracing` (the fallback path of `log`).
        tracing::subscriber::with_default(subscriber, || log(&sample()));
        let theirs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
        let mut ours = Vec::new();
        format_json(
            &mut ours,
            &mut Clock::default(),
            SystemTime::now(),
            &sample(),
        )
        .expect("serialise");
        let ours = String::from_utf8(ours).expect("utf-8");
        assert!(ours.ends_with('\n') && ours.lines().count() == 1, "{ours}");
        // Identical but for the time: same keys, same order, same values.
        let strip = |s: &str| {
            let start = s.find("\"timestamp\":\"").expect("timestamp") + 13;
            let end = start + s[start..].find('"').expect("end of timestamp");
            (
                s[start..end].to_string(),
                format!("{}{}", &s[..start], &s[end..]),
            )
        };
        let (their_time, their_rest) = strip(theirs.trim_end());
        let (our_time, our_rest) = strip(ours.trim_end());
        assert_eq!(our_rest, their_rest);
        assert_eq!(
            our_time.len(),
            their_time.len(),
            "{our_time} / {their_time}"
        );
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_microseconds() {
        let mut clock = Clock::default();
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::new(1_796_108_597, 737_859_123);
        assert_eq!(clock.rfc3339_micros(at), "2026-12-01T07:03:17.737859Z");
        // Within the same second only the fraction changes; then the second.
        let later = at + std::time::Duration::from_micros(1);
        assert_eq!(clock.rfc3339_micros(later), "2026-12-01T07:03:17.737860Z");
        let next = at + std::time::Duration::from_secs(43);
        assert_eq!(clock.rfc3339_micros(next), "2026-12-01T07:04:00.737859Z");
        let parsed =
            chrono::DateTime::parse_from_rfc3339(clock.rfc3339_micros(next)).expect("RFC 3339");
        assert_eq!(parsed.timestamp(), 1_796_108_640);
    }
}
