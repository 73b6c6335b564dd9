//! The audit log: an append-only JSON-lines record of every issued token, one object per
//! line:
//!
//! ```text
//! {"serial":"<hex>","genTime":"2026-11-22T01:02:03.456Z","hashAlgorithm":"sha256",
//!  "digest":"<hex>","policy":"1.3.6.1.4.1.57264.2"}
//! ```
//!
//! Group commit: handlers hand their record to one writer thread and wait. The writer takes
//! every record queued so far (up to [`MAX_BATCH`]), appends them with one `write`, makes
//! them durable with one `fdatasync`, and only then releases the waiting handlers, which
//! then send their tokens. So a token a client received always has a durable record; a
//! crash can at most lose records of tokens nobody received, or leave a torn last line
//! (readers skip a final line without a newline). One fsync per batch instead of per token
//! keeps the cost near one disk flush per round of concurrent requests.
//!
//! After a write or sync error the file's state is unknown, so the log refuses every later
//! record and the server answers systemFailure instead of issuing unrecorded tokens.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use modelsign_tsp::issue::GrantedToken;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::Error;

/// Records written per fsync at most: bounds the latency one batch adds and the memory of
/// one write. Under load batches are as large as the number of requests in flight.
pub const MAX_BATCH: usize = 4096;

/// Records queued for the writer before handlers wait to enqueue (backpressure when the
/// disk is slower than the signers).
pub const QUEUE_DEPTH: usize = 16 * 1024;

/// One line of the audit log.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// serialNumber, lower-case hex of the INTEGER contents.
    pub serial: String,
    /// genTime, RFC 3339 UTC.
    pub gen_time: String,
    /// Imprint hash algorithm name (`sha256`, ...).
    pub hash_algorithm: &'static str,
    /// Imprint digest, lower-case hex.
    pub digest: String,
    /// Token policy OID.
    pub policy: String,
}

impl AuditRecord {
    /// The record of a granted token.
    pub fn from_granted(token: &GrantedToken) -> Self {
        AuditRecord {
            serial: token.serial_hex.clone(),
            gen_time: token.gen_time.to_string(),
            hash_algorithm: token.hash_algorithm.name(),
            digest: token.digest_hex.clone(),
            policy: token.policy.to_string(),
        }
    }
}

/// The record could not be made durable; the token must not be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotRecorded;

struct Pending {
    line: Vec<u8>,
    done: oneshot::Sender<Result<(), NotRecorded>>,
}

/// Handle used by request handlers; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct AuditLog {
    queue: mpsc::Sender<Pending>,
    failed: Arc<AtomicBool>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("len", &self.line.len())
            .finish_non_exhaustive()
    }
}

/// The writer thread; join it after every [`AuditLog`] handle is dropped to flush the rest.
#[derive(Debug)]
pub(crate) struct AuditWriter {
    thread: JoinHandle<Result<(), Error>>,
}

impl AuditWriter {
    /// Waits for the writer to drain its queue and stop (blocking).
    pub(crate) fn join(self) -> Result<(), Error> {
        self.thread.join().unwrap_or(Ok(()))
    }
}

impl AuditLog {
    /// Opens (creating if needed) `path` for appending and starts the writer thread.
    pub(crate) fn open(path: &Path) -> Result<(AuditLog, AuditWriter), Error> {
        let open_error = |source| Error::AuditOpen {
            path: path.to_owned(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(open_error)?;
        // A newly created file is only durable once its directory entry is.
        sync_parent_dir(path).map_err(open_error)?;
        let (queue, receiver) = mpsc::channel(QUEUE_DEPTH);
        let failed = Arc::new(AtomicBool::new(false));
        let writer_failed = Arc::clone(&failed);
        let writer_path = path.to_owned();
        let thread = std::thread::Builder::new()
            .name("tsa-audit-writer".into())
            .spawn(move || write_loop(file, &writer_path, receiver, &writer_failed))
            .map_err(open_error)?;
        Ok((AuditLog { queue, failed }, AuditWriter { thread }))
    }

    /// Appends `record` and returns once it is durable.
    pub(crate) async fn record(&self, record: &AuditRecord) -> Result<(), NotRecorded> {
        if self.failed.load(Ordering::Acquire) {
            return Err(NotRecorded);
        }
        let mut line = serde_json::to_vec(record).map_err(|_| NotRecorded)?;
        line.push(b'\n');
        let (done, wait) = oneshot::channel();
        self.queue
            .send(Pending { line, done })
            .await
            .map_err(|_| NotRecorded)?;
        wait.await.unwrap_or(Err(NotRecorded))
    }

    /// False once a write or sync has failed (health check).
    pub(crate) fn is_healthy(&self) -> bool {
        !self.failed.load(Ordering::Acquire)
    }
}

fn write_loop(
    mut file: File,
    path: &Path,
    mut receiver: mpsc::Receiver<Pending>,
    failed: &AtomicBool,
) -> Result<(), Error> {
    let mut batch: Vec<Pending> = Vec::new();
    let mut buffer: Vec<u8> = Vec::new();
    let mut result = Ok(());
    // Ends when every sender is gone (server stopped) and the queue is empty.
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let outcome = if failed.load(Ordering::Acquire) {
            Err(NotRecorded)
        } else {
            buffer.clear();
            for pending in &batch {
                buffer.extend_from_slice(&pending.line);
            }
            match file.write_all(&buffer).and_then(|()| file.sync_data()) {
                Ok(()) => Ok(()),
                Err(source) => {
                    failed.store(true, Ordering::Release);
                    tracing::error!(path = %path.display(), error = %source, "audit log write failed; refusing to issue further tokens");
                    result = Err(Error::AuditWrite {
                        path: path.to_owned(),
                        source,
                    });
                    Err(NotRecorded)
                }
            }
        };
        for pending in batch.drain(..) {
            // The handler may have gone (client disconnected); nothing to release then.
            let _ = pending.done.send(outcome);
        }
    }
    result
}

fn sync_parent_dir(path: &Path) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Directories can be opened read-only and fsync'ed on Unix; elsewhere this is a no-op
    // best effort.
    match File::open(parent) {
        Ok(dir) => dir.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use modelsign_pki::{HashAlgorithm, Time};

    fn record(serial: &str) -> AuditRecord {
        AuditRecord {
            serial: serial.into(),
            gen_time: Time::from_unix(1_700_000_000, 123_000_000)
                .unwrap()
                .to_string(),
            hash_algorithm: HashAlgorithm::Sha256.name(),
            digest: "ab".repeat(32),
            policy: "1.2.3".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_records_are_all_written_as_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let (log, writer) = AuditLog::open(&path).unwrap();
        let mut tasks = Vec::new();
        for i in 0..200 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                log.record(&record(&format!("{i:04x}"))).await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(()));
        }
        drop(log);
        tokio::task::spawn_blocking(move || writer.join())
            .await
            .unwrap()
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut serials: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["serial"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        serials.sort();
        let expected: Vec<String> = (0..200).map(|i| format!("{i:04x}")).collect();
        assert_eq!(serials, expected);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["genTime"], "2023-11-14T22:13:20.123Z");
        assert_eq!(first["hashAlgorithm"], "sha256");
        assert_eq!(first["policy"], "1.2.3");
    }

    #[tokio::test]
    async fn appends_to_an_existing_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, b"{\"serial\":\"old\"}\n").unwrap();
        let (log, writer) = AuditLog::open(&path).unwrap();
        log.record(&record("01")).await.unwrap();
        drop(log);
        writer.join().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with("{\"serial\":\"old\"}\n{\"serial\":\"01\""));
    }

    #[test]
    fn open_fails_with_the_path_for_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("audit.jsonl");
        match AuditLog::open(&path) {
            Err(Error::AuditOpen { path: p, .. }) => assert_eq!(p, path),
            other => panic!("unexpected {other:?}"),
        }
    }
}
