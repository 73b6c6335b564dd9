//! Bare TimeStampToken (ContentInfo) parsing and the accessors the verifier uses.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = modelsign_tsp::TimeStampToken::from_der(data) {
        for i in 0..t.signer_infos().len() {
            let _ = t.signed_message(i);
            let _ = t.signed_attribute_values(i);
        }
        let _ = modelsign_tsp::inspect::inspect_token(&t);
    }
    let _ = modelsign_tsp::TstInfo::from_der(data);
});
