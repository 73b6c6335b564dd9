//! TimeStampReq parsing; a parsed request must re-encode to the same DER.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = modelsign_tsp::TimeStampRequest::from_der(data) {
        assert_eq!(r.to_der(), data, "strict DER request must round-trip");
    }
});
