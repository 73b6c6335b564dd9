//! The demo's built-in Time-Stamp Authority: the real server of `modelsign tsa serve`
//! (crate `modelsign-tsa-server`, RFC 3161 §3.4 over HTTP) with a throwaway TSA PKI, bound
//! to a free port on 127.0.0.1 and run on a small tokio runtime in a background thread.
//!
//! The demo therefore exercises the same HTTP service, limits and 128-bit random serials as
//! a deployed TSA. The server is stopped gracefully by [`DemoTsa::stop`] (or on drop, when
//! the demo ends early with an error) and its thread joined.

use std::net::{Ipv4Addr, SocketAddr};
use std::thread::JoinHandle;

use anyhow::{anyhow, Context, Result};
use modelsign_devpki::DevPki;
use modelsign_pki::{Certificate, KeyKind, Time};
use modelsign_tsa_server::{Server, ServerConfig, DEFAULT_POLICY};
use tokio::sync::oneshot;

/// A running demo TSA.
#[derive(Debug)]
pub(crate) struct DemoTsa {
    pub(crate) url: String,
    /// TSA certificate first, root last.
    pub(crate) chain: Vec<Certificate>,
    /// Completing it (or dropping it) starts the server's graceful shutdown.
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), modelsign_tsa_server::Error>>>,
}

impl DemoTsa {
    /// Generates the TSA PKI (valid from `now`), binds 127.0.0.1 on a free port (the signer
    /// is checked at `now`) and starts serving in a thread.
    pub(crate) fn start(now: Time) -> Result<DemoTsa> {
        let pki = DevPki::tsa(now, KeyKind::EcdsaP256).context("cannot create the TSA PKI")?;
        let chain = pki.chain();
        let mut config = ServerConfig::new(pki.leaf.key, chain.clone());
        config.listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        // Set explicitly (they are also the server's defaults) because the demo's story
        // relies on them: the Sigstore TSA's policy and an accuracy of one second.
        config.policy = DEFAULT_POLICY;
        config.accuracy = Some(modelsign_tsa_server::Accuracy {
            seconds: 1,
            millis: 0,
            micros: 0,
        });
        // The demo's verifier is given the chain file anyway; a full chain in the token
        // shows what a token can carry.
        config.include_chain = true;

        // One thread is plenty for a handful of requests (P-256 signatures are made inline,
        // on this thread).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("demo-tsa")
            .build()
            .context("cannot start a runtime for the demo TSA")?;
        let server = runtime
            .block_on(Server::bind(config, now))
            .context("cannot start the demo TSA")?;
        let url = format!("http://{}/api/v1/timestamp", server.local_addr());
        let (shutdown, stop) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("demo-tsa".into())
            .spawn(move || {
                // A dropped sender (the demo ended early) stops the server as well.
                runtime.block_on(server.run(async {
                    let _ = stop.await;
                }))
            })
            .context("cannot start the demo TSA thread")?;
        Ok(DemoTsa {
            url,
            chain,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// Stops accepting, lets requests in flight finish, and joins the server thread.
    pub(crate) fn stop(mut self) -> Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            // Err only if the server already ended; its result is read from the join below.
            let _ = shutdown.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| anyhow!("the demo TSA thread panicked"))?
                .context("the demo TSA failed"),
            None => Ok(()),
        }
    }
}

impl Drop for DemoTsa {
    fn drop(&mut self) {
        // Only reached without `stop` when the demo already fails with another error,
        // which is the one worth reporting.
        let _ = self.shut_down();
    }
}
