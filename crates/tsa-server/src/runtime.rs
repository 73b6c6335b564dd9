//! Running the TSA from synchronous code (the CLI): a tokio runtime (multi-threaded, or
//! current-thread when the process may use only one CPU) that serves until SIGTERM or
//! Ctrl-C (SIGINT), then shuts down gracefully.

use modelsign_pki::Time;

use crate::config::ServerConfig;
use crate::server::Server;
use crate::Error;

/// Builds a runtime, binds (signer checked at `now`), calls `on_ready` with the bound
/// server (to print its address), and serves until SIGTERM or Ctrl-C.
pub fn serve_until_signal(
    config: ServerConfig,
    now: Time,
    on_ready: impl FnOnce(&Server),
) -> Result<(), Error> {
    // On one CPU (a container limited to one core, or `taskset`), a multi-threaded runtime
    // runs its accept loop and its single worker as two threads taking turns on that CPU;
    // the current-thread runtime does the same work on one thread, about 0.5 µs cheaper
    // per request (`examples/http_floor.rs`, pinned). RSA signing still goes to its own
    // pool and audit records to their own thread either way.
    let one_cpu = crate::usable_cpus() == 1;
    let mut builder = if one_cpu {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = builder
        .enable_all()
        // Only a multi-threaded runtime has workers; a current-thread one names only its
        // blocking threads.
        .thread_name(if one_cpu {
            "tsa-blocking"
        } else {
            "tsa-worker"
        })
        .build()
        .map_err(|source| Error::Runtime {
            what: "tokio runtime",
            source,
        })?;
    runtime.block_on(async move {
        let server = Server::bind(config, now).await?;
        let signal = shutdown_signal()?;
        on_ready(&server);
        server.run(signal).await
    })
}

/// Completes on the first SIGTERM or Ctrl-C. Handlers are installed before returning, so a
/// signal that arrives once the server is ready is never missed. Must be called inside a
/// tokio runtime.
#[cfg(unix)]
pub fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, Error> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate()).map_err(|source| Error::Runtime {
        what: "SIGTERM handler",
        source,
    })?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|source| Error::Runtime {
        what: "SIGINT handler",
        source,
    })?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => tracing::info!("SIGTERM received"),
            _ = interrupt.recv() => tracing::info!("Ctrl-C received"),
        }
    })
}

/// Completes on Ctrl-C (no SIGTERM outside Unix).
#[cfg(not(unix))]
pub fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, Error> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
