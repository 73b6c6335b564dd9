//! Replays the committed cargo-fuzz corpora of the RFC 3161 targets (`fuzz/corpus/<target>/`,
//! minimized against the seeds that `fuzz/seed.sh` derives from the shared test data)
//! through the very harness functions the libFuzzer targets call, on stable Rust. Fails on
//! a panic, on a broken target property (for example a request that does not re-encode to
//! its own bytes), or on an input slower than `replay::MAX_TIME_PER_INPUT`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[path = "../../../fuzz/harness/tsp.rs"]
mod harness;
#[path = "../../../fuzz/harness/issue.rs"]
mod issue_harness;
#[path = "../../../fuzz/harness/replay.rs"]
mod replay;

fn fuzz_dir() -> std::path::PathBuf {
    replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn tsp_response_corpus() {
    replay::replay(&fuzz_dir(), "tsp_response", harness::tsp_response);
}

#[test]
fn tsp_token_corpus() {
    replay::replay(&fuzz_dir(), "tsp_token", harness::tsp_token);
}

#[test]
fn tsp_request_corpus() {
    replay::replay(&fuzz_dir(), "tsp_request", harness::tsp_request);
}

#[test]
fn ber_normalise_corpus() {
    replay::replay(&fuzz_dir(), "ber_normalise", harness::ber_normalise);
}

#[test]
fn tsp_verify_corpus() {
    let trust = harness::tsp_verify_trust(&common::testdata()).unwrap();
    replay::replay(&fuzz_dir(), "tsp_verify", |d| {
        harness::tsp_verify(d, &trust)
    });
}

/// `tsp_issue`: `Issuer::respond` with a dev PKI built here.
#[test]
fn tsp_issue_corpus() {
    let fixture = issue_harness::tsp_issue_fixture().unwrap();
    replay::replay(&fuzz_dir(), "tsp_issue", |d| {
        issue_harness::tsp_issue(d, &fixture);
    });
}

/// The OpenSSL seed requests through the `tsp_issue` harness: the default policy, the extra
/// accepted one (`request-sha512-policy.tsq` names 1.2.3.4.1), and a request without
/// certReq (`request-sha384-nonce-less-nocert.tsq`, verified with the configured leaf).
#[test]
fn tsp_issue_grants_the_openssl_seeds() {
    let fixture = issue_harness::tsp_issue_fixture().unwrap();
    for name in [
        "openssl-tsa/request.tsq",
        "openssl-tsa/request-sha512-policy.tsq",
        "openssl-tsa/request-sha384-nonce-less-nocert.tsq",
    ] {
        let granted = issue_harness::tsp_issue(&common::read(name), &fixture);
        assert!(granted, "{name} was not granted");
    }
}

/// The verify harness is only meaningful if its trust store accepts the seed tokens: with
/// trust that matches nothing, mutations would stop at signer selection and the target
/// would fuzz much less of the verifier than it claims to.
#[test]
fn tsp_verify_trust_accepts_the_openssl_seed() {
    use modelsign_tsp::verify::{verify_timestamp, Datum, VerifyOptions};
    let trust = harness::tsp_verify_trust(&common::testdata()).unwrap();
    let response = common::read("openssl-tsa/response.tsr");
    let signature = common::read("openssl-tsa/signature.bin");
    let v = verify_timestamp(
        &response,
        Datum::Data(&signature),
        &trust,
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(v.authority_id(), 0, "the openssl-tsa authority comes first");
    assert_eq!(trust.authorities().len(), 2);
}
