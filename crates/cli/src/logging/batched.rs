//! A log writer for a busy server: loggers append their line to one shared buffer, and a
//! flusher thread writes the buffer out every [`FLUSH_INTERVAL`].
//!
//! Why not `tracing_appender::non_blocking`: it copies each line into its own allocation,
//! sends it over a channel and wakes the writer thread, which then writes a few lines at a
//! time. At tens of thousands of lines a second that was about 3 µs of CPU per line on the
//! TSA's core (`perf`, `scripts/bench-tsa.sh`), a tenth of a token. Here a line costs a
//! lock that is almost never contended and a copy; the flusher writes one large chunk per
//! interval.
//!
//! Guarantees:
//! - Lines come out whole and in the order they were logged (only the flusher writes).
//! - Nothing is dropped: once [`MAX_PENDING`] bytes wait, loggers block until the flusher
//!   has drained the buffer (a stalled stderr slows the server rather than losing lines or
//!   growing memory without bound).
//! - [`FlushGuard`] flushes everything on drop (graceful shutdown), waiting at most
//!   [`CLOSE_TIMEOUT`] for a stalled stderr so that the process still exits. A crash loses
//!   at most the last interval's lines; the record that must survive a crash is the audit
//!   log (`--audit-log`, fsync'd before a token leaves), not stderr.
//! - A write that fails part-way (stderr closed, a full non-blocking pipe is retried)
//!   never glues the next chunk onto a torn line: a newline is written first.
//! - Should the flusher thread ever be gone (it does not panic on any input, but a logger
//!   must not wait forever on a dead thread), and after the guard has closed the writer,
//!   lines are dropped rather than queued without bound.

use std::io::{ErrorKind, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait in memory before it is written.
pub(crate) const FLUSH_INTERVAL: Duration = Duration::from_millis(50);

/// Bytes waiting before loggers block and the flusher is woken early.
pub(crate) const MAX_PENDING: usize = 1 << 20;

/// Longest wait for the last lines at shutdown (as `tracing_appender`'s guard).
pub(crate) const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Pause before retrying a write to a non-blocking stderr whose pipe is full.
const FULL_PIPE_RETRY: Duration = Duration::from_millis(1);

/// Where lines go and how they are flushed.
#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Signalled when there is work for the flusher (buffer full, or closing).
    work: Condvar,
    /// Signalled by the flusher after it took the buffer, and when it is gone.
    drained: Condvar,
}

#[derive(Debug, Default)]
struct State {
    pending: Vec<u8>,
    closing: bool,
    /// The flusher thread has returned (or unwound): nobody writes `pending` any more.
    flusher_gone: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves at worst a partial line in the buffer; the
        // log is still worth writing, so poisoning is ignored.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `MakeWriter` given to `tracing_subscriber`; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct BatchedWriter {
    shared: Arc<Shared>,
}

/// Stops the flusher and writes what is pending when dropped.
#[derive(Debug)]
pub(crate) struct FlushGuard {
    shared: Arc<Shared>,
    flusher: Option<JoinHandle<()>>,
}

/// Starts the flusher thread writing to `out`.
pub(crate) fn batched<W: Write + Send + 'static>(
    out: W,
    thread_name: &str,
) -> std::io::Result<(BatchedWriter, FlushGuard)> {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        work: Condvar::new(),
        drained: Condvar::new(),
    });
    let for_flusher = Arc::clone(&shared);
    let flusher = std::thread::Builder::new()
        .name(thread_name.to_owned())
        .spawn(move || flush_until_closed(&for_flusher, out))?;
    Ok((
        BatchedWriter {
            shared: Arc::clone(&shared),
        },
        FlushGuard {
            shared,
            flusher: Some(flusher),
        },
    ))
}

/// Marks the flusher gone however it ends, and wakes whoever waits for it.
struct Gone<'a>(&'a Shared);

impl Drop for Gone<'_> {
    fn drop(&mut self) {
        self.0.lock().flusher_gone = true;
        self.0.drained.notify_all();
    }
}

/// Writes `chunk`, first ending a line torn by an earlier failed write; returns whether this
/// write failed (leaving a possibly torn line). A full non-blocking pipe is waited out.
fn write_chunk<W: Write>(out: &mut W, chunk: &[u8], torn: bool) -> bool {
    let mut rest: &[u8] = chunk;
    let mut newline_first = torn;
    while newline_first || !rest.is_empty() {
        let piece: &[u8] = if newline_first { b"\n" } else { rest };
        match out.write(piece) {
            Ok(0) => return true,
            Ok(_) if newline_first => newline_first = false,
            Ok(n) => rest = &rest[n.min(rest.len())..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(FULL_PIPE_RETRY),
            // Nowhere to report a failing stderr; the rest of this chunk is dropped rather
            // than blocking the server forever.
            Err(_) => return true,
        }
    }
    out.flush().is_err()
}

fn flush_until_closed<W: Write>(shared: &Shared, mut out: W) {
    let _gone = Gone(shared);
    // Two buffers swapped under the lock, so lines are copied once and written outside it.
    let mut writing: Vec<u8> = Vec::new();
    let mut torn = false;
    loop {
        let closing = {
            let mut state = shared.lock();
            if state.pending.len() < MAX_PENDING && !state.closing {
                state = shared
                    .work
                    .wait_timeout(state, FLUSH_INTERVAL)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            std::mem::swap(&mut state.pending, &mut writing);
            state.closing
        };
        shared.drained.notify_all();
        if !writing.is_empty() {
            torn = write_chunk(&mut out, &writing, torn);
            writing.clear();
        }
        if closing {
            // Lines logged after `closing` was set are taken by one more round.
            let rest = std::mem::take(&mut shared.lock().pending);
            if !rest.is_empty() {
                write_chunk(&mut out, &rest, torn);
            }
            return;
        }
    }
}

impl BatchedWriter {
    fn append(&self, line: &[u8]) {
        let mut state = self.shared.lock();
        while state.pending.len() >= MAX_PENDING && !state.closing && !state.flusher_gone {
            self.shared.work.notify_one();
            state = self
                .shared
                .drained
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if !state.flusher_gone {
            state.pending.extend_from_slice(line);
        }
    }
}

/// What `make_writer` returns: one per event, appending what it is given.
#[derive(Debug)]
pub(crate) struct LineAppender<'a> {
    writer: &'a BatchedWriter,
}

impl Write for LineAppender<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.append(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.writer.append(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedWriter {
    type Writer = LineAppender<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineAppender { writer: self }
    }
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        let deadline = Instant::now() + CLOSE_TIMEOUT;
        let mut state = self.shared.lock();
        state.closing = true;
        self.shared.work.notify_one();
        self.shared.drained.notify_all();
        while !state.flusher_gone {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                // stderr is stalled: leave the thread behind rather than never exit.
                return;
            };
            state = self
                .shared
                .drained
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(state);
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// A `Write` whose bytes the test can read while the flusher owns it.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn log(writer: &BatchedWriter, line: &str) {
        writer.make_writer().write_all(line.as_bytes()).unwrap();
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_guard_is_dropped() {
        let sink = Sink::default();
        let (writer, guard) = batched(sink.clone(), "test-log").unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let writer = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..2_000 {
                        log(&writer, &format!("thread {t} line {i}\n"));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 8_000);
        for t in 0..4 {
            let mine: Vec<usize> = text
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("thread {t} line ")))
                .map(|n| n.parse().unwrap())
                .collect();
            assert_eq!(mine, (0..2_000).collect::<Vec<_>>(), "thread {t}");
        }
    }

    #[test]
    fn lines_reach_the_output_within_about_one_interval_without_a_flush() {
        let sink = Sink::default();
        let (writer, _guard) = batched(sink.clone(), "test-log").unwrap();
        log(&writer, "hello\n");
        let deadline = Instant::now() + FLUSH_INTERVAL * 40;
        while sink.0.lock().unwrap().is_empty() {
            assert!(Instant::now() < deadline, "line not written in time");
            std::thread::sleep(FLUSH_INTERVAL / 5);
        }
        assert_eq!(sink.0.lock().unwrap().as_slice(), b"hello\n");
    }

    #[test]
    fn a_stalled_output_delays_shutdown_by_at_most_the_close_timeout() {
        struct Stalled;
        impl Write for Stalled {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                std::thread::sleep(Duration::from_secs(3_600));
                Ok(0)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (writer, guard) = batched(Stalled, "test-log").unwrap();
        log(&writer, "stuck\n");
        let started = Instant::now();
        drop(guard);
        let took = started.elapsed();
        assert!(took >= CLOSE_TIMEOUT / 2, "did not wait at all: {took:?}");
        assert!(took < CLOSE_TIMEOUT * 5, "waited {took:?}");
    }

    #[test]
    fn loggers_do_not_wait_for_a_flusher_that_is_gone() {
        struct Panics;
        impl Write for Panics {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                panic!("the flusher's output failed in a way nobody expected");
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (writer, guard) = batched(Panics, "test-log").unwrap();
        let line = "x".repeat(1023) + "\n";
        // Three times the pending limit: would block forever if loggers waited.
        for _ in 0..3 * MAX_PENDING / line.len() {
            log(&writer, &line);
        }
        assert!(writer.shared.lock().pending.len() <= MAX_PENDING + line.len());
        drop(guard);
    }

    #[test]
    fn a_failed_write_does_not_glue_the_next_line_onto_a_torn_one() {
        /// Accepts 3 bytes, then fails once, then accepts everything.
        struct Flaky(Sink, usize);
        impl Write for Flaky {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.1 += 1;
                match self.1 {
                    1 => self.0.write(&buf[..3]),
                    2 => Err(std::io::Error::other("disk full")),
                    _ => self.0.write(buf),
                }
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Sink::default();
        let mut out = Flaky(sink.clone(), 0);
        assert!(write_chunk(&mut out, b"first line\n", false));
        assert!(!write_chunk(&mut out, b"second line\n", true));
        assert_eq!(sink.0.lock().unwrap().as_slice(), b"fir\nsecond line\n");
    }

    /// A writer that blocks until released: loggers must wait once `MAX_PENDING` bytes are
    /// queued, not grow the buffer or drop lines.
    #[test]
    fn a_stalled_output_holds_loggers_back_instead_of_dropping_lines() {
        #[derive(Clone)]
        struct Gate(Arc<(Mutex<bool>, Condvar)>, Sink);
        impl Write for Gate {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                let (open, cv) = &*self.0;
                let mut open = open.lock().unwrap();
                while !*open {
                    open = cv.wait(open).unwrap();
                }
                self.1.write(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Sink::default();
        let gate = Gate(Arc::new((Mutex::new(false), Condvar::new())), sink.clone());
        let (writer, guard) = batched(gate.clone(), "test-log").unwrap();
        let line = "x".repeat(1023) + "\n";
        let lines = 3 * MAX_PENDING / line.len();
        let producer = {
            let writer = writer.clone();
            let line = line.clone();
            std::thread::spawn(move || {
                for _ in 0..lines {
                    log(&writer, &line);
                }
            })
        };
        // While the output is stalled, at most one chunk is being written and one is
        // pending: the producer cannot finish.
        std::thread::sleep(FLUSH_INTERVAL * 4);
        assert!(!producer.is_finished(), "loggers were not held back");
        assert!(writer.shared.lock().pending.len() <= MAX_PENDING + line.len());
        *gate.0 .0.lock().unwrap() = true;
        gate.0 .1.notify_all();
        producer.join().unwrap();
        drop(guard);
        assert_eq!(sink.0.lock().unwrap().len(), lines * line.len());
    }
}
