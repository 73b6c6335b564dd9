//! TimeStampReq parsing; a parsed request must re-encode to the same DER.
//! The body lives in `harness/tsp.rs`, shared with the corpus replay test.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../harness/tsp.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::tsp_request(data));
