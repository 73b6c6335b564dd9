//! OpenSSL's TSA, regenerated each run (rfc3161-rules §11 (b)): modelsign requests answered by
//! `openssl ts -reply` from a temporary copy of ../shared/testdata/openssl-tsa, then checked
//! with `check_response` and `verify_timestamp` against `root.crt`. Needs the `openssl` CLI
//! (`.ci/setup` installs it); without it the test fails instead of passing unchecked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod support;

use std::path::Path;

use modelsign_pki::HashAlgorithm;
use modelsign_tsp::verify::{
    check_response, verify_timestamp, Datum, VerificationError as V, VerifyOptions,
};
use modelsign_tsp::{Error, TimeStampRequest};
use support::{path, pem_trust};

fn copy_tsa() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(path("openssl-tsa")).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    dir
}

fn reply(dir: &Path, request: &TimeStampRequest) -> Vec<u8> {
    std::fs::write(dir.join("q.tsq"), request.to_der()).unwrap();
    let out = common::openssl(
        dir,
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
    assert!(
        out.status.success(),
        "openssl ts -reply: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(dir.join("r.tsr")).unwrap()
}

#[test]
fn fresh_openssl_tokens_verify() {
    let dir = copy_tsa();
    let datum = std::fs::read(dir.path().join("signature.bin")).unwrap();
    let trust = pem_trust(&["openssl-tsa/root.crt"]);
    for (hash, policy) in [
        (HashAlgorithm::Sha256, None),
        (HashAlgorithm::Sha384, None),
        (HashAlgorithm::Sha512, Some("1.2.3.4.1")),
    ] {
        let policy = policy.map(|p| p.parse().unwrap());
        let req = TimeStampRequest::for_data(hash, &datum, policy).unwrap();
        let der = reply(dir.path(), &req);
        check_response(&der, &req).unwrap_or_else(|e| panic!("{hash:?}: {e}"));
        let v =
            verify_timestamp(&der, Datum::Data(&datum), &trust, &VerifyOptions { policy }).unwrap();
        assert_eq!(v.hash_algorithm(), hash);
        // A request that differs only in its nonce does not accept this response.
        let other = TimeStampRequest::for_data(hash, &datum, policy).unwrap();
        assert!(matches!(
            check_response(&der, &other),
            Err(Error::Verification(V::NonceMismatch { .. }))
        ));
    }
}
