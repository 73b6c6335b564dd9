//! A TSA with a dev PKI, a chosen signing executor and a chosen threading, for the
//! comparison in `scripts/bench-tsa.sh` (the CLI always uses the defaults: per-core
//! workers, default executor).
//!
//! Usage: `serve p256|rsa3072 auto|rayon|blocking|inline [per-core|multi-thread]` — prints
//! the bound address, serves until SIGTERM/Ctrl-C. `per-core` (the default) is
//! [`serve_until_signal`]; `multi-thread` serves every connection on one tokio
//! multi-threaded runtime ([`Server::run`] on it), the server's design before 2026-12-07.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use modelsign_pki::{KeyKind, Time};
use modelsign_tsa_server::{
    dev_signer, serve_until_signal, shutdown_signal, Server, ServerConfig, SigningExecutor,
};

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
    let multi_thread = match args.get(3).map(String::as_str) {
        None | Some("per-core") => false,
        Some("multi-thread") => true,
        Some(other) => panic!("unknown threading {other}: per-core or multi-thread"),
    };
    let dir = tempfile::tempdir().unwrap();
    let now = Time::now();
    let signer = dev_signer(now, kind, dir.path()).unwrap();
    let mut config = ServerConfig::new(signer.key, signer.chain);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.signing = executor;
    if multi_thread {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let server = Server::bind(config, now).await.unwrap();
            let signal = shutdown_signal().unwrap();
            println!("{}", server.local_addr());
            server.run(signal).await.unwrap();
        });
    } else {
        serve_until_signal(config, now, |server| println!("{}", server.local_addr())).unwrap();
    }
}
