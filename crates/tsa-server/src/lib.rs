//! A self-hosted RFC 3161 Time-Stamp Authority over HTTP (`modelsign tsa serve`).
//!
//! The issuance itself (request parsing, TSTInfo, CMS signature, failInfo mapping) is
//! [`modelsign_tsp::Issuer`]; this crate adds what a network service needs
//! (rfc3161-rules §3.2):
//!
//! - [`startup`]: refuse a leaf without a critical, timeStamping-only EKU, a key that does
//!   not match the leaf, or a chain not valid now;
//! - [`http`]: the sigstore/timestamp-authority compatible routes, content types, body
//!   limit, and RFC 3161 rejections for protocol errors;
//! - [`server`]: accept loop with a header read timeout, a connection cap and graceful
//!   shutdown;
//! - [`audit`]: an append-only JSON-lines audit log with group commit (a token is sent only
//!   once its record is on disk);
//! - 128-bit random serials from the system CSPRNG; genTime from [`modelsign_pki::Time::now`]
//!   read once per request, millisecond precision.
//!
//! [`serve_until_signal`] (the CLI) runs one current-thread runtime per usable CPU, each
//! serving the connections handed to it from accept to close (`workers`). By default
//! ([`SigningExecutor::Auto`], measured by `scripts/bench-tsa.sh`, last section) RSA keys
//! sign on a rayon pool, ECDSA and Ed25519 keys on the thread serving the connection. The
//! constant parts of every token are encoded once at start-up (`modelsign_tsp::Issuer`),
//! so a token costs little more than its signature.
//!
//! ```no_run
//! # async fn example(key: modelsign_pki::SigningKey, chain: Vec<modelsign_pki::Certificate>) -> Result<(), modelsign_tsa_server::Error> {
//! let config = modelsign_tsa_server::ServerConfig::new(key, chain);
//! let server = modelsign_tsa_server::Server::bind(config, modelsign_pki::Time::now()).await?;
//! println!("listening on {}", server.local_addr());
//! server.run(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod audit;
pub mod config;
pub mod dev;
mod error;
pub mod http;
mod runtime;
mod serial;
pub mod server;
mod signing;
pub mod startup;
mod workers;

pub use crate::audit::AuditRecord;
pub use crate::config::{
    parse_accuracy, parse_policy, Limits, ServerConfig, SigningExecutor, DEFAULT_LISTEN,
    DEFAULT_POLICY, MAX_REQUEST_BODY,
};
pub use crate::dev::{dev_signer, DevSigner};
pub use crate::error::Error;
pub use crate::runtime::{serve_until_signal, shutdown_signal};
pub use crate::server::{serve, Server};
pub use crate::startup::load_signer_files;
pub use const_oid::ObjectIdentifier;
pub use modelsign_tsp::Accuracy;

/// CPUs this process may use (affinity and cgroup quota included); 1 when it cannot be
/// told. [`serve_until_signal`] runs one worker per CPU.
pub(crate) fn usable_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
