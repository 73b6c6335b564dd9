//! Connection workers: one current-thread tokio runtime per usable CPU, each on its own
//! thread, each serving from accept to close the connections the accept loop hands it.
//!
//! Why not tokio's multi-threaded runtime: its workers share one I/O driver and steal each
//! other's tasks, so a request often becomes ready on one thread and runs on another, and a
//! signature handed to a pool wakes a second thread and then the first again. Every such
//! cross-thread wake-up is a futex call and, on a VM, an inter-processor interrupt, paid per
//! token. A connection that stays on one thread and signs there has none: a token costs its
//! `recv`, its issuance and its `writev` on one thread, and the threads only meet at
//! `accept` (rare: clients keep connections alive). Measured in `scripts/bench-tsa.sh`.
//!
//! A connection goes to the worker with the fewest open connections, so long-lived
//! connections spread evenly whatever order they arrive and close in.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::Error;

/// How long a stopping worker waits for its blocking tasks (`spawn_blocking`) before its
/// runtime is dropped anyway.
const WORKER_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(1);

/// One runtime serving connections.
#[derive(Debug)]
struct Worker {
    /// `None` for the accept loop's own runtime.
    remote: Option<Remote>,
    /// Connections handed to this worker and not yet closed.
    open: Arc<AtomicUsize>,
}

/// A worker on a thread of its own.
#[derive(Debug)]
struct Remote {
    handle: Handle,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The accept loop's runtime plus zero or more worker threads.
#[derive(Debug)]
pub(crate) struct Workers {
    workers: Vec<Worker>,
}

/// Decrements a worker's open-connection count when its connection ends, however it ends.
struct OpenGuard(Arc<AtomicUsize>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Workers {
    /// Only the caller's runtime: every connection is spawned there.
    pub(crate) fn local() -> Workers {
        Workers {
            workers: vec![Worker {
                remote: None,
                open: Arc::default(),
            }],
        }
    }

    /// The caller's runtime plus `extra` threads, each running a current-thread runtime.
    pub(crate) fn start(extra: usize) -> Result<Workers, Error> {
        let mut workers = Workers::local();
        for index in 1..=extra {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .thread_name(format!("tsa-worker-{index}-blocking"))
                .build()
                .map_err(|source| Error::Runtime {
                    what: "worker runtime",
                    source,
                })?;
            let handle = runtime.handle().clone();
            let (stop, stopped) = oneshot::channel::<()>();
            let thread = std::thread::Builder::new()
                .name(format!("tsa-worker-{index}"))
                .spawn(move || {
                    // Returns when `stop` is sent or dropped.
                    let _ = runtime.block_on(stopped);
                    runtime.shutdown_timeout(WORKER_SHUTDOWN_TIMEOUT);
                })
                .map_err(|source| Error::Runtime {
                    what: "worker thread",
                    source,
                })?;
            workers.workers.push(Worker {
                remote: Some(Remote {
                    handle,
                    stop: Some(stop),
                    thread: Some(thread),
                }),
                open: Arc::default(),
            });
        }
        Ok(workers)
    }

    /// Serves `stream` with `serve` on the worker with the fewest open connections. Must be
    /// called on the accept loop's runtime.
    pub(crate) fn spawn<F, Fut>(&self, stream: TcpStream, serve: F)
    where
        F: FnOnce(TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        // INVARIANT: there is always the local worker.
        let Some(worker) = self
            .workers
            .iter()
            .min_by_key(|w| w.open.load(Ordering::Relaxed))
        else {
            return;
        };
        worker.open.fetch_add(1, Ordering::Relaxed);
        let guard = OpenGuard(Arc::clone(&worker.open));
        match &worker.remote {
            None => {
                tokio::spawn(async move {
                    serve(stream).await;
                    drop(guard);
                });
            }
            Some(remote) => {
                // A tokio socket belongs to the I/O driver of the runtime that registered
                // it; re-register it with the worker's, or its readiness would still be
                // reported on this thread.
                let stream = match stream.into_std() {
                    Ok(s) => s,
                    Err(error) => {
                        tracing::debug!(%error, "connection lost before hand-off");
                        return;
                    }
                };
                remote.handle.spawn(async move {
                    match TcpStream::from_std(stream) {
                        Ok(stream) => serve(stream).await,
                        Err(error) => tracing::debug!(%error, "connection lost at hand-off"),
                    }
                    drop(guard);
                });
            }
        }
    }
}

impl Drop for Workers {
    /// Stops every worker thread and waits for it: connections still open on them are
    /// dropped (the caller has let them finish first; see `Server::run`).
    fn drop(&mut self) {
        for worker in &mut self.workers {
            if let Some(remote) = &mut worker.remote {
                drop(remote.stop.take());
            }
        }
        for worker in &mut self.workers {
            if let Some(thread) = worker.remote.as_mut().and_then(|r| r.thread.take()) {
                let _ = thread.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread::ThreadId;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;
    use tokio::sync::mpsc;

    impl Workers {
        fn open_counts(&self) -> Vec<usize> {
            self.workers
                .iter()
                .map(|w| w.open.load(Ordering::Relaxed))
                .collect()
        }
    }

    /// Accepts one loopback connection; the client side is returned to keep it open.
    async fn accept_one(listener: &TcpListener) -> (TcpStream, std::net::TcpStream) {
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (server, client)
    }

    /// Hands connection `id` to `workers`; its task reads one byte from the client, reports
    /// `id` and the thread it runs on, then holds the connection open until `release` is
    /// sent or dropped. (That the socket no longer needs the accepting runtime is checked
    /// by `a_handed_over_connection_does_not_depend_on_the_accepting_runtime`.)
    async fn hand_over(
        workers: &Workers,
        listener: &TcpListener,
        id: usize,
        report: &mpsc::UnboundedSender<(usize, ThreadId)>,
    ) -> (oneshot::Sender<()>, std::net::TcpStream) {
        use std::io::Write;
        let (stream, mut client) = accept_one(listener).await;
        let (release, released) = oneshot::channel::<()>();
        let report = report.clone();
        workers.spawn(stream, move |mut stream| async move {
            let mut byte = [0u8; 1];
            assert_eq!(stream.read(&mut byte).await.unwrap(), 1);
            report.send((id, std::thread::current().id())).unwrap();
            let _ = released.await;
        });
        client.write_all(b"x").unwrap();
        (release, client)
    }

    #[test]
    fn connections_go_to_the_least_loaded_worker_and_are_served_there() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let workers = Workers::start(2).unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let (report, mut reports) = mpsc::unbounded_channel();
            let mut held = Vec::new();
            for id in 0..3 {
                held.push(Some(hand_over(&workers, &listener, id, &report).await));
            }
            // threads[id]: where connection `id` is served (reports arrive in any order).
            let mut threads = vec![std::thread::current().id(); 3];
            for _ in 0..3 {
                let (id, thread) = reports.recv().await.unwrap();
                threads[id] = thread;
            }
            let local = std::thread::current().id();
            let distinct: std::collections::HashSet<_> = threads.iter().collect();
            assert_eq!(distinct.len(), 3, "one connection per worker: {threads:?}");
            assert!(
                threads.contains(&local),
                "the accept loop's runtime serves too"
            );
            assert_eq!(workers.open_counts(), [1, 1, 1]);

            // Close the connection on the first remote worker: it becomes the least loaded,
            // so the next connection goes there.
            let id = threads.iter().position(|t| *t != local).unwrap();
            drop(held[id].take());
            // Bounded wait for the worker to finish that task (20 x 50 ms).
            for _ in 0..20 {
                if workers.open_counts().iter().sum::<usize>() == 2 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            assert_eq!(workers.open_counts().iter().sum::<usize>(), 2);
            held.push(Some(hand_over(&workers, &listener, 3, &report).await));
            assert_eq!(reports.recv().await.unwrap(), (3, threads[id]));
            assert_eq!(workers.open_counts(), [1, 1, 1]);
        });
    }

    #[test]
    fn stopping_the_workers_drops_connections_still_open_and_joins_the_threads() {
        struct Dropped(Option<oneshot::Sender<()>>);
        impl Drop for Dropped {
            fn drop(&mut self) {
                if let Some(tell) = self.0.take() {
                    let _ = tell.send(());
                }
            }
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let workers = Workers::start(1).unwrap();
        let (tell, mut told) = oneshot::channel();
        let (started, start) = oneshot::channel();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            // The local worker has one connection already, so this one goes remote.
            let (_first, _first_client) = accept_one(&listener).await;
            workers.workers[0].open.fetch_add(1, Ordering::Relaxed);
            let (stream, _client) = accept_one(&listener).await;
            workers.spawn(stream, move |_stream| async move {
                let _guard = Dropped(Some(tell));
                let _ = started.send(std::thread::current().id());
                std::future::pending::<()>().await;
            });
            assert_ne!(start.await.unwrap(), std::thread::current().id());
        });
        drop(workers); // must return: the worker's runtime stops and drops the task
                       // Already sent when `drop` returns: it waited for the worker thread to finish.
        assert!(told.try_recv().is_ok(), "the connection's task was dropped");
    }

    /// A tokio socket still registered with the accepting runtime's I/O driver stops
    /// working once that runtime is gone; a handed-over one must keep working on its worker.
    #[test]
    fn a_handed_over_connection_does_not_depend_on_the_accepting_runtime() {
        use std::io::Write;
        let workers = Workers::start(1).unwrap();
        // The local worker looks busy, so the connection goes to the worker thread.
        workers.workers[0].open.fetch_add(1, Ordering::Relaxed);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        // Completes from the kernel's backlog; accepted below.
        let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (read, got) = oneshot::channel();
        let accepting = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        accepting.block_on(async {
            let listener = TcpListener::from_std(listener).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            workers.spawn(stream, move |mut stream| async move {
                let mut byte = [0u8; 1];
                let outcome = stream.read(&mut byte).await.map(|n| (n, byte[0]));
                let _ = read.send(outcome.map_err(|e| e.to_string()));
            });
        });
        drop(accepting);
        // Written only now, with the accepting runtime gone.
        client.write_all(b"x").unwrap();
        assert_eq!(got.blocking_recv().unwrap(), Ok((1, b'x')));
    }
}
