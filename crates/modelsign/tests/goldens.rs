//! Every bundle written by model_signing 1.1.1 (and the three `ref-*` variants) in
//! `shared/testdata/model-signing-1.1.1`, with the verdict its README implies for
//! modelsign.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use modelsign::{Error, Time, VerifiedModel, VerifierTrust, VerifyRequest};
use modelsign_pki::{PublicKey, TrustStore};

const ROOT_DIGEST: &str = "00fed363b7c70859d02c4b27a877ca1b6997f14e3f7d8bc6f1ab5f7e7062f122";
const SINGLE_FILE_DIGEST: &str = "05fe36f555179feb8712eadb2a1cadac8c3c7378859f8dbeaa8a6ea224ea3658";

fn testdata() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/model-signing-1.1.1"
    ))
}

fn key(name: &str) -> VerifierTrust {
    let pem = fs::read(testdata().join("keys").join(name)).unwrap();
    VerifierTrust::PublicKey(PublicKey::from_pem(&pem).unwrap())
}

fn anchors(name: &str) -> VerifierTrust {
    let pem = fs::read(testdata().join("keys").join(name)).unwrap();
    let certs = modelsign_pki::certificates_from_pem(&pem).unwrap();
    VerifierTrust::Certificates(TrustStore::from_certificates(certs))
}

fn verify(bundle: &str, model: &Path, trust: &VerifierTrust) -> Result<VerifiedModel, Error> {
    let json = fs::read(testdata().join("bundles").join(bundle)).unwrap();
    modelsign::verify(&VerifyRequest::new(model, &json, trust, Time::now()))
}

fn model() -> PathBuf {
    testdata().join("model")
}

fn digest(v: &VerifiedModel) -> String {
    hex::encode(v.manifest().root_digest)
}

#[test]
fn cli_ok_key_bundles_verify() {
    for (bundle, public_key) in [
        ("key-p256.sig", "ec256.pub.pem"),
        ("key-p384.sig", "ec384.pub.pem"),
        ("key-p521.sig", "ec521.pub.pem"),
        ("key-p256-sig-inside-model.sig", "ec256.pub.pem"),
        ("pkcs11-key-leafkey.sig", "leaf.pub.pem"),
        ("ref-compact-sortedkeys-key-p256.sig", "ec256.pub.pem"),
    ] {
        let verified =
            verify(bundle, &model(), &key(public_key)).unwrap_or_else(|e| panic!("{bundle}: {e}"));
        assert_eq!(digest(&verified), ROOT_DIGEST, "{bundle}");
        assert_eq!(verified.manifest().files, 8, "{bundle}");
    }
}

#[test]
fn single_file_bundles_verify_with_dot_and_with_basename() {
    let file = model().join("weights.bin");
    // `"."` as model_signing writes it, and the OMS-spec base name (oms-format §14), which
    // model_signing 1.1.1 rejects but modelsign accepts.
    for bundle in ["key-p256-single-file.sig", "ref-single-file-basename.sig"] {
        let verified = verify(bundle, &file, &key("ec256.pub.pem"))
            .unwrap_or_else(|e| panic!("{bundle}: {e}"));
        assert_eq!(digest(&verified), SINGLE_FILE_DIGEST, "{bundle}");
    }
}

#[test]
fn api_bundles_verify_because_the_recorded_method_is_honoured() {
    // model_signing's CLI always re-hashes with files + sha256 and so rejects these; modelsign
    // re-hashes with the method, hash and shard size the statement records.
    for (bundle, method, hash, resources) in [
        ("api-key-p256-files-blake2.sig", "files", "blake2b", 8),
        ("api-key-p256-files-blake3.sig", "files", "blake3", 8),
        ("api-key-p256-shards-sha256-300.sig", "shards", "sha256", 10),
        (
            "api-key-p256-shards-sha256-default.sig",
            "shards",
            "sha256",
            7,
        ),
        ("ref-shards-int-shard-size.sig", "shards", "sha256", 10),
    ] {
        let verified = verify(bundle, &model(), &key("ec256.pub.pem"))
            .unwrap_or_else(|e| panic!("{bundle}: {e}"));
        assert_eq!(verified.manifest().method.name(), method, "{bundle}");
        assert_eq!(verified.manifest().hash.name(), hash, "{bundle}");
        assert_eq!(verified.manifest().resources, resources, "{bundle}");
    }
}

#[test]
fn certificate_bundle_verifies_against_the_root() {
    let verified = verify("cert-p256-chain.sig", &model(), &anchors("root.crt.pem")).unwrap();
    assert_eq!(digest(&verified), ROOT_DIGEST);
    let leaf = verified.signer().leaf().unwrap();
    assert!(leaf.subject().contains("Test Model Signer"));
}

#[test]
fn intermediate_only_trust_is_rejected() {
    // As in model_signing 1.1.1 ("unable to get issuer certificate"): the path must end at a
    // self-signed anchor.
    let e = verify("cert-p256-chain.sig", &model(), &anchors("int.crt.pem")).unwrap_err();
    assert!(matches!(e, Error::Chain { .. }), "{e:?}");
}

#[test]
fn expired_and_not_yet_valid_leaves_are_rejected_at_the_current_time() {
    // model_signing 1.1.1 accepts both because it validates the chain at the leaf's
    // notBefore (oms-format §8.2 #4, upstream bug #663). modelsign validates at the
    // current time (no trusted timestamp in these bundles), so both are rejected: the
    // first expired in 2021, the second is valid only from 2030.
    let e = verify(
        "cert-expired-leaf.sig",
        &model(),
        &anchors("oldpki/root.crt.pem"),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Chain { .. }), "{e:?}");
    let e = verify(
        "cert-not-yet-valid-leaf.sig",
        &model(),
        &anchors("root.crt.pem"),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Chain { .. }), "{e:?}");
}

#[test]
fn golden_mismatches_are_caught() {
    let e = verify("key-p256.sig", &model(), &key("ec384.pub.pem")).unwrap_err();
    assert!(matches!(e, Error::KeyHintMismatch { .. }), "{e:?}");
    let e = verify("cert-p256-chain.sig", &model(), &key("leaf.pub.pem")).unwrap_err();
    assert!(matches!(e, Error::WrongMode { .. }), "{e:?}");
    // A directory bundle against a single file: every name differs.
    let e = verify(
        "key-p256.sig",
        &model().join("weights.bin"),
        &key("ec256.pub.pem"),
    )
    .unwrap_err();
    assert!(matches!(e, Error::ModelMismatch(_)), "{e:?}");
}
