//! Sigstore bundle JSON: reader (both base64 policies), writer round trip, `add_timestamps`.
//! The body lives in `harness/bundle.rs`, shared with the corpus replay test.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../harness/bundle.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::bundle_json(data));
