//! Every bundle of `shared/testdata/model-signing-1.1.1`, verified through the binary,
//! with the verdict its README implies for modelsign.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod cli_common;

use cli_common::{key_file, modelsign, stderr, testdata};

fn verify_key(bundle: &str, public_key: &str, model: &str) -> Option<i32> {
    let dir = testdata();
    let out = modelsign(&dir)
        .args(["verify", "key", model, "--signature"])
        .arg(dir.join("bundles").join(bundle))
        .arg("--public_key")
        .arg(key_file(public_key))
        .output()
        .unwrap();
    if out.status.code() != Some(0) {
        eprintln!("{bundle}: {}", stderr(&out));
    }
    out.status.code()
}

fn verify_certificate(bundle: &str, anchor: &str) -> (Option<i32>, String) {
    let dir = testdata();
    let out = modelsign(&dir)
        .args(["verify", "certificate", "model", "--signature"])
        .arg(dir.join("bundles").join(bundle))
        .arg("--certificate_chain")
        .arg(key_file(anchor))
        .output()
        .unwrap();
    (out.status.code(), stderr(&out))
}

#[test]
fn every_cli_ok_bundle_verifies() {
    for (bundle, key, model) in [
        ("key-p256.sig", "ec256.pub.pem", "model"),
        ("key-p384.sig", "ec384.pub.pem", "model"),
        ("key-p521.sig", "ec521.pub.pem", "model"),
        (
            "key-p256-single-file.sig",
            "ec256.pub.pem",
            "model/weights.bin",
        ),
        ("key-p256-sig-inside-model.sig", "ec256.pub.pem", "model"),
        ("pkcs11-key-leafkey.sig", "leaf.pub.pem", "model"),
        (
            "ref-compact-sortedkeys-key-p256.sig",
            "ec256.pub.pem",
            "model",
        ),
    ] {
        assert_eq!(verify_key(bundle, key, model), Some(0), "{bundle}");
    }
    assert_eq!(
        verify_certificate("cert-p256-chain.sig", "root.crt.pem").0,
        Some(0)
    );
}

#[test]
fn api_and_reference_bundles_verify_with_the_recorded_method() {
    // model_signing's CLI rejects the API bundles (it always re-hashes with files +
    // sha256); modelsign honours the recorded method/hash/shard size. The single-file
    // basename variant is the OMS v1.0 spelling, accepted by modelsign (oms-format §14).
    for (bundle, model) in [
        ("api-key-p256-files-blake2.sig", "model"),
        ("api-key-p256-files-blake3.sig", "model"),
        ("api-key-p256-shards-sha256-300.sig", "model"),
        ("api-key-p256-shards-sha256-default.sig", "model"),
        ("ref-shards-int-shard-size.sig", "model"),
        ("ref-single-file-basename.sig", "model/weights.bin"),
    ] {
        assert_eq!(
            verify_key(bundle, "ec256.pub.pem", model),
            Some(0),
            "{bundle}"
        );
    }
}

#[test]
fn deliberately_stricter_than_model_signing() {
    // model_signing 1.1.1 accepts these two (it validates at the leaf's notBefore); modelsign
    // validates the chain at the current time, so the expired (2021) and the not-yet-valid
    // (2030) leaf are rejected.
    let (code, err) = verify_certificate("cert-expired-leaf.sig", "oldpki/root.crt.pem");
    assert_eq!(code, Some(1));
    assert!(err.contains("expired"), "{err}");
    let (code, err) = verify_certificate("cert-not-yet-valid-leaf.sig", "root.crt.pem");
    assert_eq!(code, Some(1));
    assert!(err.contains("not valid until"), "{err}");
}

#[test]
fn intermediate_only_anchor_fails() {
    let (code, _) = verify_certificate("cert-p256-chain.sig", "int.crt.pem");
    assert_eq!(code, Some(1));
}
