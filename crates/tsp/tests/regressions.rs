//! Inputs the fuzzers found (`fuzz/`), pinned with the behaviour they exposed. The raw
//! inputs also live in `fuzz/regressions/<target>/`, which the corpus replay test runs
//! through the fuzz harness.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use modelsign_pki::HashAlgorithm;
use modelsign_tsp::TimeStampRequest;

/// `tsp_request`, found 2026-11-22 after 15 135 executions: a valid SHA-512 TimeStampReq
/// (policy 1.2.3.4.1, nonce) that ends with `01 01 00`, an explicitly encoded
/// `certReq BOOLEAN DEFAULT FALSE`. DER forbids encoding a DEFAULT value (X.690 §11.5), yet
/// `TimeStampRequest::from_der` (documented as strict DER) accepts it, because the `der`
/// crate's `#[asn1(default)]` decoding does, and `to_der()` returns the canonical encoding
/// without the BOOLEAN, so the request no longer re-encodes to the bytes received.
///
/// Decided: accepted, as `from_der` documents. Accepting it is harmless (a request is not
/// signed; the token echoes only the imprint and nonce) and BouncyCastle's request
/// generator writes `certReq` explicitly when set to false.
#[test]
fn explicit_default_cert_req_false_is_accepted_and_canonicalised() {
    let input = hex::decode(concat!(
        "306902010130513",
        "00d06096086480165030402030500",
        "0440a2984608684d69ada3fab2b2de9cd5ec453dcf3967764f17b5aed06afebbdb99a32d42d7d2e042ec",
        "d4df63cb560a944996ca9754fe73b960a835e6cc63c13e53",
        "06042a030401",
        "0208449bdbff8acd258c",
        "010100",
    ))
    .unwrap();
    let req = TimeStampRequest::from_der(&input).unwrap();
    assert_eq!(req.hash_algorithm(), HashAlgorithm::Sha512);
    assert!(!req.cert_req());
    assert_eq!(
        req.policy().map(|p| p.to_string()).as_deref(),
        Some("1.2.3.4.1")
    );
    assert_eq!(req.nonce(), hex::decode("449bdbff8acd258c").unwrap());
    // The canonical form drops the trailing BOOLEAN and shortens the outer length by 3.
    let mut expected = input[..input.len() - 3].to_vec();
    expected[1] = 0x66;
    assert_eq!(req.to_der(), expected);
    assert_ne!(
        req.to_der(),
        input,
        "would mean from_der now keeps the received bytes"
    );
}
