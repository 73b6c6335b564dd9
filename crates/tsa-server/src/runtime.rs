//! Running the TSA from synchronous code (the CLI): one current-thread tokio runtime per
//! usable CPU ([`crate::workers`]) serving until SIGTERM or Ctrl-C (SIGINT), then a
//! graceful shutdown.

use modelsign_pki::Time;

use crate::config::ServerConfig;
use crate::server::Server;
use crate::workers::Workers;
use crate::Error;

/// Builds a runtime, binds (signer checked at `now`), calls `on_ready` with the bound
/// server (to print its address), and serves until SIGTERM or Ctrl-C.
pub fn serve_until_signal(
    config: ServerConfig,
    now: Time,
    on_ready: impl FnOnce(&Server),
) -> Result<(), Error> {
    // One current-thread runtime per usable CPU (`crate::workers`): this thread's, which
    // also runs the accept loop, plus one thread each for the others. On one CPU that is
    // this runtime alone. RSA signing still goes to its own pool and audit records to their
    // own thread.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // A current-thread runtime names only its blocking threads.
        .thread_name("tsa-blocking")
        .build()
        .map_err(|source| Error::Runtime {
            what: "tokio runtime",
            source,
        })?;
    let workers = Workers::start(crate::usable_cpus().saturating_sub(1))?;
    let result = runtime.block_on(async {
        let server = Server::bind(config, now).await?;
        let signal = shutdown_signal()?;
        on_ready(&server);
        server.run_on(signal, &workers).await
    });
    // Outside the runtime: stopping the workers joins their threads.
    drop(workers);
    result
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
