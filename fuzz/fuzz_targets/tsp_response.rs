//! TimeStampResp parsing (BER tolerated), the bare-token fallback and `inspect`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = modelsign_tsp::TimeStampResponse::from_der(data) {
        let _ = modelsign_tsp::inspect::inspect_response(&r);
        if let Some(t) = r.token() {
            let _ = t.signed_attribute_values(0);
            let _ = t.tst_info().accuracy();
        }
    }
    let _ = modelsign_tsp::parse_signed_timestamp(data);
});
