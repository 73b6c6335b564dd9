//! Bundles in the formats of earlier model_signing releases (oms-format §11), built here:
//! the v0.2.0 `Digests/v0.1` predicate signed over its buggy PAE (in certificate mode with
//! SHA-256 whatever the curve), and the v0.3.1–v1.0 `publicKey.rawBytes` key material.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use modelsign::{Check, Error, Time, VerifiedModel, VerifierTrust, VerifyRequest};
use modelsign_devpki::{issue, CertProfile, CertSpec, DevPki};
use modelsign_pki::{HashAlgorithm, KeyKind, SignatureScheme, SigningKey, TrustStore};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

fn model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    fs::create_dir_all(m.join("d")).unwrap();
    fs::write(m.join("a.txt"), b"alpha\n").unwrap();
    fs::write(m.join("d/b.bin"), b"beta").unwrap();
    m
}

/// A v0.2.0 statement: one subject per file, `Digests/v0.1`, an unused predicate; the
/// layout (newline and quote) exercises the PAE repr quirk.
fn legacy_statement(model: &Path) -> Vec<u8> {
    let sha =
        |p: &str| hex::encode(HashAlgorithm::Sha256.digest(&fs::read(model.join(p)).unwrap()));
    format!(
        "{{\"_type\": \"https://in-toto.io/Statement/v1\",\n \"subject\": [\
         {{\"name\": \"a.txt\", \"digest\": {{\"sha256\": \"{}\"}}}}, \
         {{\"name\": \"d/b.bin\", \"digest\": {{\"sha256\": \"{}\"}}}}],\n \
         \"predicateType\": \"https://model_signing/Digests/v0.1\",\n \
         \"predicate\": {{\"unused\": \"it's\"}}}}",
        sha("a.txt"),
        sha("d/b.bin")
    )
    .into_bytes()
}

fn bundle(material: &str, payload: &[u8], sig: &[u8]) -> Vec<u8> {
    format!(
        "{{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\
         \"verificationMaterial\":{material},\
         \"dsseEnvelope\":{{\"payload\":\"{}\",\"payloadType\":\"{PAYLOAD_TYPE}\",\
         \"signatures\":[{{\"sig\":\"{}\",\"keyid\":null}}]}}}}",
        B64.encode(payload),
        B64.encode(sig)
    )
    .into_bytes()
}

fn verify(model: &Path, bundle: &[u8], trust: &VerifierTrust) -> Result<VerifiedModel, Error> {
    modelsign::verify(&VerifyRequest::new(model, bundle, trust, Time::now()))
}

fn legacy_pae_check(v: &VerifiedModel) -> Option<SignatureScheme> {
    v.checks().iter().find_map(|c| match c {
        Check::DsseSignature {
            scheme,
            legacy_pae: true,
        } => Some(*scheme),
        _ => None,
    })
}

#[test]
fn v0_2_key_bundle_with_buggy_pae_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let key = SigningKey::generate(KeyKind::EcdsaP384).unwrap();
    let payload = legacy_statement(&m);
    let pae = modelsign_dsse::legacy_pae_v0_2(PAYLOAD_TYPE, &payload);
    let sig = key.sign(key.default_scheme(), &pae).unwrap();
    let b = bundle("{\"publicKey\":{\"hint\":\"\"}}", &payload, &sig);
    let trust = VerifierTrust::PublicKey(key.public_key());
    let verified = verify(&m, &b, &trust).unwrap();
    assert!(verified.legacy_format());
    assert_eq!(
        legacy_pae_check(&verified),
        Some(SignatureScheme::Ecdsa(HashAlgorithm::Sha384))
    );
    assert_eq!(verified.manifest().files, 2);

    // The legacy manifest is still compared with the model.
    fs::write(m.join("a.txt"), b"changed").unwrap();
    assert!(matches!(
        verify(&m, &b, &trust).unwrap_err(),
        Error::ModelMismatch(_)
    ));
}

#[test]
fn v0_2_certificate_bundle_verifies_over_the_legacy_pae() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let now = Time::now();
    let pki = DevPki::model_signing(now, Duration::from_secs(3600)).unwrap();
    // v0.2.0 signed with SHA-256 whatever the curve. aws-lc-rs cannot *sign* P-384 with
    // SHA-256, so this test uses a P-256 leaf; the P-384 scheme choice is covered by the
    // unit test `legacy_certificate_mode_uses_sha256_on_every_curve`.
    let spec = CertSpec::new(
        "legacy signer",
        CertProfile::CodeSigningLeaf,
        KeyKind::EcdsaP256,
        pki.leaf.cert.not_before(),
        pki.leaf.cert.not_after(),
    );
    let leaf = issue(&spec, &pki.intermediates[0]).unwrap();
    let payload = legacy_statement(&m);
    let pae = modelsign_dsse::legacy_pae_v0_2(PAYLOAD_TYPE, &payload);
    let sig = leaf
        .key
        .sign(SignatureScheme::Ecdsa(HashAlgorithm::Sha256), &pae)
        .unwrap();
    let material = format!(
        "{{\"x509CertificateChain\":{{\"certificates\":[{{\"rawBytes\":\"{}\"}},{{\"rawBytes\":\"{}\"}}]}}}}",
        B64.encode(leaf.cert.der()),
        B64.encode(pki.intermediates[0].cert.der())
    );
    let b = bundle(&material, &payload, &sig);
    let trust =
        VerifierTrust::Certificates(TrustStore::from_certificates(vec![pki.root.cert.clone()]));
    let verified = verify(&m, &b, &trust).unwrap();
    assert_eq!(
        legacy_pae_check(&verified),
        Some(SignatureScheme::Ecdsa(HashAlgorithm::Sha256))
    );
}

#[test]
fn buggy_pae_is_not_accepted_for_v1_statements() {
    // Sign a real v1.0 statement over the legacy encoding: must fail (one encoding per
    // modern statement).
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
    let good = modelsign::sign(&modelsign::SignRequest::new(
        &m,
        &modelsign::Signer::key(SigningKey::generate(KeyKind::EcdsaP256).unwrap()),
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(good.bundle_json()).unwrap();
    let payload = B64
        .decode(json["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let pae = modelsign_dsse::legacy_pae_v0_2(PAYLOAD_TYPE, &payload);
    let sig = key.sign(key.default_scheme(), &pae).unwrap();
    let b = bundle("{\"publicKey\":{\"hint\":\"\"}}", &payload, &sig);
    let e = verify(&m, &b, &VerifierTrust::PublicKey(key.public_key())).unwrap_err();
    assert!(matches!(e, Error::SignatureInvalid { .. }), "{e:?}");
}

#[test]
fn raw_bytes_public_key_bundles_verify_and_mismatches_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
    let public = key.public_key();
    let signed = modelsign::sign(&modelsign::SignRequest::new(
        &m,
        &modelsign::Signer::key(key),
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(signed.bundle_json()).unwrap();
    let payload = B64
        .decode(json["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let sig = B64
        .decode(
            json["dsseEnvelope"]["signatures"][0]["sig"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let material = |pem: &str| {
        format!(
            "{{\"publicKey\":{{\"rawBytes\":\"{}\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\"}}}}",
            B64.encode(pem)
        )
    };
    let b = bundle(&material(&public.to_pem()), &payload, &sig);
    let verified = verify(&m, &b, &VerifierTrust::PublicKey(public.clone())).unwrap();
    assert!(verified.legacy_format());
    assert!(verified
        .checks()
        .iter()
        .any(|c| matches!(c, Check::LegacyEmbeddedKey)));

    let other = SigningKey::generate(KeyKind::EcdsaP256)
        .unwrap()
        .public_key();
    let e = verify(&m, &b, &VerifierTrust::PublicKey(other)).unwrap_err();
    assert!(matches!(e, Error::LegacyKeyMismatch), "{e:?}");
}
