//! A TSA with a dev PKI and a chosen signing executor, for the executor comparison in
//! `scripts/bench-tsa.sh` (the CLI always uses the default executor).
//!
//! Usage: `serve p256|rsa3072 auto|rayon|blocking|inline` — prints the bound address, serves
//! until SIGTERM/Ctrl-C.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use modelsign_pki::{KeyKind, Time};
use modelsign_tsa_server::{dev_signer, serve_until_signal, ServerConfig, SigningExecutor};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = match args.get(1).map(String::as_str) {
        Some("rsa3072") => KeyKind::Rsa { bits: 3072 },
        _ => KeyKind::EcdsaP256,
    };
    let executor = match args.get(2).map(String::as_str) {
        Some("blocking") => SigningExecutor::Blocking,
        Some("inline") => SigningExecutor::Inline,
        Some("rayon") => SigningExecutor::Rayon,
        _ => SigningExecutor::Auto,
    };
    let dir = tempfile::tempdir().unwrap();
    let now = Time::now();
    let signer = dev_signer(now, kind, dir.path()).unwrap();
    let mut config = ServerConfig::new(signer.key, signer.chain);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.signing = executor;
    serve_until_signal(config, now, |server| println!("{}", server.local_addr())).unwrap();
}
