//! What each RFC 3161 fuzz target does with one input, shared verbatim by the libFuzzer
//! targets (`fuzz/fuzz_targets/*.rs`) and the corpus replay test that runs under plain
//! `cargo test` (`crates/tsp/tests/fuzz_corpus_replay.rs`), so a corpus entry replays
//! through exactly the calls that found it.
//!
//! The oracle is "no panic" plus the property asserted in each function; an assertion
//! failure here is a bug in `modelsign_tsp`, not in the harness.

// These asserts are the fuzz oracles: a panic is the report.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, dead_code)]

use std::path::Path;

use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{verify_timestamp, Datum, VerifyOptions};
use modelsign_tsp::{ber, inspect, TimeStampRequest, TimeStampResponse, TimeStampToken, TstInfo};

/// `tsp_response`: TimeStampResp parsing (BER tolerated), the bare-token fallback of
/// `parse_signed_timestamp`, `inspect` and the token accessors the verifier reads.
pub(crate) fn tsp_response(data: &[u8]) {
    if let Ok(r) = TimeStampResponse::from_der(data) {
        let _ = inspect::inspect_response(&r);
        if let Some(t) = r.token() {
            let _ = t.signed_attribute_values(0);
            let _ = t.tst_info().accuracy();
        }
    }
    let _ = modelsign_tsp::parse_signed_timestamp(data);
    let _ = inspect::inspect(data);
}

/// `tsp_token`: a bare TimeStampToken (ContentInfo) and every per-signer accessor.
pub(crate) fn tsp_token(data: &[u8]) {
    if let Ok(t) = TimeStampToken::from_der(data) {
        for i in 0..t.signer_infos().len() {
            let _ = t.signed_message(i);
            let _ = t.signed_attribute_values(i);
        }
        let _ = t.tst_info().accuracy();
        let _ = inspect::inspect_token(&t);
    }
    let _ = TstInfo::from_der(data);
}

/// `tsp_request`: a parsed request's encoding is canonical: it parses again to the same
/// request and re-encodes to itself.
///
/// Not asserted: `to_der() == input`. The `der` crate accepts an explicitly encoded
/// `certReq BOOLEAN DEFAULT FALSE` (`01 01 00`, a DER violation, X.690 §11.5, that
/// BouncyCastle clients produce) and the re-encoding omits it; the fuzzer found this in its
/// first seconds (`fuzz/regressions/tsp_request/`). Whether `from_der` should reject such
/// requests, as its documentation ("strict DER") says, is the `modelsign-tsp` owner's call.
pub(crate) fn tsp_request(data: &[u8]) {
    if let Ok(r) = TimeStampRequest::from_der(data) {
        let canonical = r.to_der();
        let again = TimeStampRequest::from_der(&canonical)
            .expect("the encoding of a parsed request must parse again");
        assert_eq!(again, r, "re-encoding changed the request");
        assert_eq!(
            again.to_der(),
            canonical,
            "re-encoding is not a fixed point"
        );
    }
}

/// `ber_normalise`: the output is DER, so normalising it again is the identity.
pub(crate) fn ber_normalise(data: &[u8]) {
    if let Ok(der) = ber::normalise(data) {
        let again = ber::normalise(&der).expect("DER output must parse again");
        assert_eq!(again, der, "normalising DER must be the identity");
    }
}

/// The fixed verifier trust for `tsp_verify`, read from the shared test data at start-up
/// (never copied into the repository): the `openssl-tsa` PKI (`chain.pem`: root as anchor,
/// TSA leaf and intermediate as verifier-supplied certificates, so certificate-less tokens
/// get past signer selection too) and the TSA of a Sigstore conformance `trusted_root.json`.
/// With trust matching the seeds, mutated tokens reach the signature, ESS and chain rules
/// instead of stopping at "unknown signer".
pub(crate) fn tsp_verify_trust(testdata: &Path) -> Result<TsaTrust, String> {
    let read = |rel: &str| {
        let p = testdata.join(rel);
        std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))
    };
    let pem = read("openssl-tsa/chain.pem")?;
    let certs = modelsign_pki::certificates_from_pem_or_der(&pem)
        .map_err(|e| format!("openssl-tsa/chain.pem: {e}"))?;
    let openssl = TsaTrust::from_certificates(certs).map_err(|e| format!("openssl-tsa: {e}"))?;
    let root_json = read(
        "tsa-fixtures/sigstore-conformance/rekor2-timestamp-with-embedded-cert/trusted_root.json",
    )?;
    let sigstore = TsaTrust::from_trusted_root_json(&root_json)
        .map_err(|e| format!("sigstore trusted_root.json: {e}"))?;
    let mut all = openssl.authorities().to_vec();
    all.extend_from_slice(sigstore.authorities());
    TsaTrust::from_authorities(all).map_err(|e| e.to_string())
}

/// `tsp_verify`: the full offline verifier on arbitrary bytes. The datum is the imprint the
/// token itself claims (when it parses), so mutations get past the imprint rule and
/// exercise signature, ESS, signer and chain checks; a second call with unrelated data
/// covers the early-rejection path. A token that verifies must report the imprint it was
/// verified against and an authority that exists.
pub(crate) fn tsp_verify(data: &[u8], trust: &TsaTrust) {
    let opts = VerifyOptions::default();
    if let Ok(token) = modelsign_tsp::parse_signed_timestamp(data) {
        let tst = token.tst_info();
        if let Some(alg) = tst.hash_algorithm {
            let digest = tst.digest.clone();
            if let Ok(v) = verify_timestamp(data, Datum::Digest(alg, &digest), trust, &opts) {
                assert_eq!(v.imprint(), digest.as_slice(), "verified imprint differs");
                assert_eq!(
                    v.hash_algorithm(),
                    alg,
                    "verified imprint algorithm differs"
                );
                assert!(
                    v.authority_id() < trust.authorities().len(),
                    "authority id out of range"
                );
                assert!(
                    v.gen_time() <= v.latest_time(),
                    "latest time before genTime"
                );
                assert_eq!(
                    v.gen_time(),
                    tst.gen_time,
                    "verified genTime differs from TSTInfo"
                );
            }
        }
    }
    // No token in the corpus stamps these bytes: accepting one would mean the imprint rule
    // (rfc3161-rules.md §5.10) was skipped.
    let other = verify_timestamp(data, Datum::Data(b"modelsign fuzz datum"), trust, &opts);
    assert!(other.is_err(), "token verified over data it does not stamp");
}
