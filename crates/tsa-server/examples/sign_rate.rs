//! Raw signing rate of a TSA key, for `scripts/bench-tsa.sh`: the ceiling the server is
//! compared with. Signs a 32-byte-digest-sized message with the TSA scheme on every core
//! for a few seconds, then measures the whole issuance (`Issuer::respond`) the same way.
//!
//! Prints operations per second and CPU microseconds per operation.
//!
//! Usage: `sign_rate p256|rsa3072 SECONDS`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use modelsign_devpki::DevPki;
use modelsign_pki::{HashAlgorithm, KeyKind, Time};
use modelsign_tsp::issue::tsa_signature_scheme;
use modelsign_tsp::{Issuer, IssuerConfig, TimeStampRequest};

/// Operations per second with every core busy, and CPU microseconds per operation (every
/// thread runs flat out, so CPU time is threads x wall time).
fn rate_on_all_cores(seconds: u64, work: &(dyn Fn() + Sync)) -> (f64, f64) {
    let count = AtomicU64::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while Instant::now() < until {
                    work();
                    count.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let count = count.load(Ordering::Relaxed) as f64;
    (count / elapsed, threads as f64 * elapsed * 1e6 / count)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = match args.get(1).map(String::as_str) {
        Some("rsa3072") => KeyKind::Rsa { bits: 3072 },
        _ => KeyKind::EcdsaP256,
    };
    let seconds: u64 = args.get(2).map_or(3, |s| s.parse().unwrap());
    let pki = DevPki::tsa(Time::now(), kind).unwrap();
    let chain = pki.chain();
    let key = pki.leaf.key;
    let scheme = tsa_signature_scheme(&key);
    // Signed attributes of a token are ~150 bytes.
    let message = [0x5au8; 150];
    let raw = rate_on_all_cores(seconds, &|| {
        key.sign(scheme, &message).unwrap();
    });
    let config = IssuerConfig {
        policy: const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2"),
        accepted_policies: Vec::new(),
        accuracy: None,
        include_chain: false,
    };
    let issuer = Issuer::new(key, chain, config).unwrap();
    let request = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"benchmark datum", None)
        .unwrap()
        .to_der();
    let issue = rate_on_all_cores(seconds, &|| {
        let _ = issuer.respond(&request, Time::now(), [7u8; 16]);
    });
    println!(
        "raw_sign/s={:.0} raw_cpu_us={:.1} issue_core/s={:.0} issue_cpu_us={:.1}",
        raw.0, raw.1, issue.0, issue.1
    );
}
