//! Where the process's log lines go, and how they get there cheaply.
//!
//! Every request writes an access line, so the log is on the hot path of a
//! cached page. Lines are queued to one writer thread (`tracing-appender`,
//! lossless: a full queue makes a request wait rather than drop its line),
//! and that thread writes them to stdout in batches.

use std::io::{self, Write};
use std::time::Duration;

use super::config::LogFormat;

/// How long the writer thread waits after writing a batch before it looks at
/// the queue again. While it waits, request threads only push to the queue:
/// without the wait the thread blocked as soon as the queue was empty, and
/// each request's line woke it again (a futex wake on the request path and a
/// context switch per line: 21 % of a cached page's CPU in `perf`,
/// BENCHMARKS.md). 2 ms bounds how late a line appears on an idle server.
pub const LINGER: Duration = Duration::from_millis(2);

/// A writer that writes out on `flush` and then waits [`LINGER`].
///
/// `tracing-appender`'s worker writes every queued line, calls `flush` once
/// the queue is empty, then blocks for the next line; the wait in `flush` is
/// what lets lines pile up into one `write(2)`. At shutdown the guard's drop
/// flushes the rest, so no line is lost (`tests/binary.rs`).
pub struct Lingering<W: Write> {
    inner: io::BufWriter<W>,
    linger: Duration,
}

impl<W: Write> Lingering<W> {
    /// Buffers `inner` (64 KiB, a few hundred access lines per syscall).
    pub fn new(inner: W, linger: Duration) -> Self {
        Self {
            inner: io::BufWriter::with_capacity(64 * 1024, inner),
            linger,
        }
    }
}

impl<W: Write> Write for Lingering<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()?;
        if !self.linger.is_zero() {
            std::thread::sleep(self.linger);
        }
        Ok(())
    }
}

/// Installs the global subscriber (`RUST_LOG`, else `info`) writing `format`
/// to stdout through the batching writer thread.
/// Keep the guard until the process ends: dropping it writes what is queued.
pub fn init(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,microblog=info,tower_http=info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(Lingering::new(io::stdout(), LINGER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer.clone());
    match format {
        LogFormat::Json => {
            builder.json().init();
            // Access lines skip the generic formatter (`access`).
            super::access::install_json(writer);
        }
        LogFormat::Pretty => builder.init(),
    }
    guard
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records each `write(2)`-sized piece the buffer hands down.
    #[derive(Default)]
    struct Calls(Vec<Vec<u8>>);

    impl Write for &mut Calls {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_written_between_flushes_go_down_in_one_write() {
        let mut calls = Calls::default();
        {
            let mut w = Lingering::new(&mut calls, Duration::ZERO);
            for i in 0..100 {
                writeln!(w, "{{\"line\":{i}}}").expect("write");
            }
            w.flush().expect("flush");
        }
        assert_eq!(calls.0.len(), 1, "one write for the whole batch");
        let text = String::from_utf8(calls.0.concat()).expect("utf-8");
        assert_eq!(text.lines().count(), 100);
        assert!(text.ends_with("{\"line\":99}\n"));
    }

    #[test]
    fn flush_waits_the_linger_after_writing() {
        let mut calls = Calls::default();
        let mut w = Lingering::new(&mut calls, Duration::from_millis(20));
        w.write_all(b"x\n").expect("write");
        let started = std::time::Instant::now();
        w.flush().expect("flush");
        // A lower bound only: the wait must happen, however slow the machine.
        assert!(started.elapsed() >= Duration::from_millis(20));
        drop(w);
        assert_eq!(calls.0, vec![b"x\n".to_vec()]);
    }
}
