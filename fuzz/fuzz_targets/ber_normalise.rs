//! BER -> DER normaliser: no panic, and normalising is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(der) = modelsign_tsp::ber::normalise(data) {
        let again = modelsign_tsp::ber::normalise(&der).expect("DER output must parse again");
        assert_eq!(again, der, "normalising DER must be the identity");
    }
});
