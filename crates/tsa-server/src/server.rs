//! The accept loop, on hyper directly (axum's `serve` has no header read timeout and no
//! connection cap):
//!
//! - a semaphore permit per connection ([`Limits::max_connections`]); when none is free the
//!   loop stops accepting and new clients wait in the kernel backlog;
//! - hyper's `header_read_timeout` closes a connection whose request head does not arrive
//!   in time (slowloris), which also ends idle keep-alive connections;
//! - the body read timeout and size limit are enforced by the handler ([`crate::http`]);
//! - graceful shutdown: stop accepting, let hyper finish requests in flight on every open
//!   connection (idle ones close at once), then drain the audit log.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use modelsign_pki::{Certificate, Time};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::audit::{AuditLog, AuditWriter};
use crate::config::{Limits, ServerConfig};
use crate::http::{handle, AppState};
use crate::signing::Signer;
use crate::startup::build_issuer;
use crate::workers::Workers;
use crate::Error;

/// Longest wait for requests in flight at shutdown; a client that keeps a request open
/// longer is cut off so the process does exit.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(50);

/// A bound, checked, not yet running TSA.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    local_addr: SocketAddr,
    state: Arc<AppState>,
    audit_writer: Option<AuditWriter>,
}

impl Server {
    /// Checks the signer at `now` (see [`crate::startup`]), opens the audit log and binds
    /// the listening socket.
    pub async fn bind(config: ServerConfig, now: Time) -> Result<Server, Error> {
        validate_limits(&config.limits)?;
        let issuer = build_issuer(&config, now)?;
        let chain_pem: String = config.chain.iter().map(Certificate::to_pem).collect();
        let signer = Signer::new(issuer, config.signing)?;
        let (audit, audit_writer) = match &config.audit_log {
            Some(path) => {
                let (log, writer) = AuditLog::open(path)?;
                (Some(log), Some(writer))
            }
            None => (None, None),
        };
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        let state = Arc::new(AppState {
            signer,
            rng: SystemRandom::new(),
            audit,
            limits: config.limits,
            chain_pem: Bytes::from(chain_pem),
        });
        Ok(Server {
            listener,
            local_addr,
            state,
            audit_writer,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The served chain as PEM (TSA certificate first).
    pub fn chain_pem(&self) -> &str {
        // Built from a `String` in `bind`, so always UTF-8.
        std::str::from_utf8(&self.state.chain_pem).unwrap_or_default()
    }

    /// Serves until `shutdown` completes, then finishes requests in flight (at most
    /// [`SHUTDOWN_GRACE`]) and flushes the audit log. Connections are served on the
    /// caller's runtime.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        self.run_on(shutdown, &Workers::local()).await
    }

    /// [`Server::run`], serving connections on `workers` (see [`crate::workers`]).
    pub(crate) async fn run_on(
        self,
        shutdown: impl Future<Output = ()>,
        workers: &Workers,
    ) -> Result<(), Error> {
        let Server {
            listener,
            local_addr,
            state,
            audit_writer,
        } = self;
        let limits = state.limits.clone();
        let connections = Arc::new(Semaphore::new(limits.max_connections));
        let graceful = GracefulShutdown::new();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .keep_alive(true);
        tokio::pin!(shutdown);
        tracing::info!(%local_addr, "TSA listening");
        loop {
            let permit = tokio::select! {
                permit = Arc::clone(&connections).acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break, // INVARIANT: the semaphore is never closed
                },
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            // Responses are small and written at once; Nagle would only add latency.
            let _ = stream.set_nodelay(true);
            let state_for_connection = Arc::clone(&state);
            let builder = builder.clone();
            let watcher = graceful.watcher();
            workers.spawn(stream, move |stream| async move {
                let service =
                    service_fn(move |request| handle(Arc::clone(&state_for_connection), request));
                let connection = builder.serve_connection(TokioIo::new(stream), service);
                if let Err(error) = watcher.watch(connection).await {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(listener);
        tracing::info!("shutting down: finishing requests in flight");
        let drained = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
            .await
            .is_ok();
        if !drained {
            // Stuck connections still hold audit handles, so the writer cannot be joined;
            // it keeps recording until the process exits, and no token leaves unrecorded.
            tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}; exiting anyway");
            return Ok(());
        }
        drop(state);
        match audit_writer {
            Some(writer) => tokio::task::spawn_blocking(move || writer.join())
                .await
                .unwrap_or(Ok(())),
            None => Ok(()),
        }
    }
}

fn validate_limits(limits: &Limits) -> Result<(), Error> {
    let bad = |field, problem| Err(Error::Config { field, problem });
    if limits.max_body == 0 {
        return bad("max_body", "must be positive");
    }
    if limits.max_connections == 0 {
        return bad("max_connections", "must be positive");
    }
    if limits.header_read_timeout.is_zero() || limits.body_read_timeout.is_zero() {
        return bad("read timeouts", "must be positive");
    }
    Ok(())
}

/// Binds with `config` (signer checked at [`Time::now`]) and serves until `shutdown`.
pub async fn serve(config: ServerConfig, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
    Server::bind(config, Time::now()).await?.run(shutdown).await
}
