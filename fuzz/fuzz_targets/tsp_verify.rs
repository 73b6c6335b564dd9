//! The full offline verifier (`verify_timestamp`) on arbitrary bytes, against a fixed trust
//! store read once from the shared test data (see `harness/tsp.rs` and the README).
#![no_main]
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use modelsign_tsp::trust::TsaTrust;

#[path = "../harness/tsp.rs"]
mod harness;

/// `MODELSIGN_TESTDATA` overrides the default `../../shared/testdata` (relative to this
/// package), for checkouts that keep the shared data elsewhere.
fn trust() -> &'static TsaTrust {
    static TRUST: OnceLock<TsaTrust> = OnceLock::new();
    TRUST.get_or_init(|| {
        let dir = std::env::var_os("MODELSIGN_TESTDATA").map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../shared/testdata"
                ))
            },
            PathBuf::from,
        );
        match harness::tsp_verify_trust(&dir) {
            Ok(t) => t,
            Err(e) => {
                // Not an input-dependent failure: stop before libFuzzer reports it as a crash.
                eprintln!("tsp_verify: cannot load the trust store: {e}");
                std::process::exit(2);
            }
        }
    })
}

fuzz_target!(|data: &[u8]| harness::tsp_verify(data, trust()));
