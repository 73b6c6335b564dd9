//! in-toto statement parsing from DSSE payload bytes, and the statement_json round trip.
//! The body lives in `harness/dsse.rs`, shared with the corpus replay test.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../harness/dsse.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::dsse_statement(data));
