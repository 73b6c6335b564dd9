//! Requests built by modelsign, answered by `openssl ts -reply` (the sample TSA in
//! testdata/openssl-tsa), parse and echo what we sent.

// Test helpers outside #[test] fns: a panic here is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{openssl_ok, openssl_tsa_copy};
use const_oid::ObjectIdentifier;
use modelsign_pki::HashAlgorithm;
use modelsign_tsp::asn1::PkiStatus;
use modelsign_tsp::{TimeStampRequest, TimeStampResponse};

fn round_trip(hash: HashAlgorithm, policy: Option<&str>) {
    let dir = openssl_tsa_copy();
    let data = std::fs::read(dir.path().join("signature.bin")).unwrap();
    let policy = policy.map(|p| ObjectIdentifier::new(p).unwrap());
    let req = TimeStampRequest::for_data(hash, &data, policy).unwrap();
    std::fs::write(dir.path().join("q.tsq"), req.to_der()).unwrap();

    // OpenSSL reads our request as we meant it.
    let text = openssl_ok(dir.path(), &["ts", "-query", "-in", "q.tsq", "-text"]);
    assert!(
        text.contains(&format!("Hash Algorithm: {}", hash.name())),
        "{text}"
    );
    assert!(text.contains("Certificate required: yes"), "{text}");
    let nonce_hex = hex::encode(req.nonce()).to_uppercase();
    assert!(
        text.to_uppercase()
            .replace(':', "")
            .contains(&nonce_hex.trim_start_matches('0').to_string()),
        "{text}"
    );

    openssl_ok(
        dir.path(),
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "q.tsq",
            "-out",
            "r.tsr",
        ],
    );
    let der = std::fs::read(dir.path().join("r.tsr")).unwrap();
    let resp = TimeStampResponse::from_der(&der).unwrap();
    assert_eq!(resp.status().status(), PkiStatus::Granted);
    assert_eq!(resp.raw(), &der[..]);
    let token = resp.token().unwrap();
    let tst = token.tst_info();
    assert_eq!(tst.hash_algorithm, Some(hash));
    assert_eq!(tst.digest, hash.digest(&data));
    assert_eq!(tst.nonce.as_deref(), Some(req.nonce()));
    let expected_policy = policy.unwrap_or(ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2"));
    assert_eq!(tst.policy, expected_policy);
    assert_eq!(tst.version(), Some(1));
    let acc = tst.accuracy().unwrap().unwrap();
    assert_eq!((acc.seconds, acc.millis, acc.micros), (1, 500, 100));
    assert!(
        tst.tsa
            .as_deref()
            .unwrap()
            .contains("CN=Example Test TSA Signer"),
        "{:?}",
        tst.tsa
    );
    // certReq: leaf + `certs = intermediate.crt`.
    let subjects: Vec<String> = token.certificates().iter().map(|c| c.subject()).collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    // The signed attributes OpenSSL writes, and messageDigest over the raw eContent.
    let attrs = token.signed_attribute_values(0).unwrap();
    assert_eq!(attrs.content_type, Some(modelsign_tsp::oid::ID_CT_TST_INFO));
    assert_eq!(
        attrs.message_digest.unwrap(),
        HashAlgorithm::Sha256.digest(token.raw_econtent())
    );
    assert!(attrs.signing_certificate_v2.is_some());
    assert!(attrs.signing_time.is_some());
    let msg = token.signed_message(0).unwrap();
    assert_eq!(msg[0], 0x31);
    assert_eq!(&msg[1..], &token.raw_signed_attrs(0).unwrap()[1..]);
}

#[test]
fn sha256_request_answered_by_openssl() {
    round_trip(HashAlgorithm::Sha256, None);
}

#[test]
fn sha384_request_answered_by_openssl() {
    round_trip(HashAlgorithm::Sha384, None);
}

#[test]
fn sha512_request_with_policy_answered_by_openssl() {
    round_trip(HashAlgorithm::Sha512, Some("1.2.3.4.1"));
}
