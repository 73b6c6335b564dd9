//! Sign/verify round trips and every failure the verifier must catch, with keys and
//! certificates generated here (devpki) and models in temporary directories.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use modelsign::{
    Check, Error, HashKind, Method, Mode, RsaPadding, SignRequest, Signer, SignerIdentity, Time,
    VerifiedModel, VerifierTrust, VerifyRequest,
};
use modelsign_devpki::DevPki;
use modelsign_pki::{KeyKind, SignatureScheme, SigningKey, TrustStore};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    fs::create_dir_all(m.join("sub")).unwrap();
    fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();
    fs::write(m.join("sub/weights.bin"), vec![7u8; 5000]).unwrap();
    fs::write(m.join("empty.bin"), b"").unwrap();
    m
}

fn sign_with(model: &Path, signer: &Signer) -> Vec<u8> {
    modelsign::sign(&SignRequest::new(model, signer))
        .unwrap()
        .bundle_json()
        .to_vec()
}

fn verify(model: &Path, bundle: &[u8], trust: &VerifierTrust) -> Result<VerifiedModel, Error> {
    modelsign::verify(&VerifyRequest::new(model, bundle, trust, Time::now()))
}

fn key_pair(kind: KeyKind) -> (Signer, VerifierTrust) {
    let key = SigningKey::generate(kind).unwrap();
    let public = key.public_key();
    (Signer::key(key), VerifierTrust::PublicKey(public))
}

#[test]
fn key_mode_round_trip_for_every_key_type() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    for kind in [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::EcdsaP521,
        KeyKind::Ed25519,
        KeyKind::Rsa { bits: 2048 },
    ] {
        let (signer, trust) = key_pair(kind);
        let signed = modelsign::sign(&SignRequest::new(&m, &signer)).unwrap();
        let is_ec = matches!(
            kind,
            KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521
        );
        assert_eq!(signed.summary().warnings.is_empty(), is_ec, "{kind:?}");
        let verified = verify(&m, signed.bundle_json(), &trust).unwrap();
        assert_eq!(verified.mode(), Mode::Key);
        assert_eq!(verified.manifest().files, 3);
        assert_eq!(
            verified.manifest().root_digest,
            signed.summary().manifest.root_digest
        );
        assert!(verified.validation_time().is_none());
        assert!(
            matches!(verified.signer(), SignerIdentity::PublicKey { kind: k, .. } if *k == kind)
        );
    }
}

#[test]
fn rsa_pkcs1_padding_is_found_by_the_verifier() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, trust) = key_pair(KeyKind::Rsa { bits: 2048 });
    let mut request = SignRequest::new(&m, &signer);
    request.rsa_padding = Some(RsaPadding::Pkcs1);
    let signed = modelsign::sign(&request).unwrap();
    let verified = verify(&m, signed.bundle_json(), &trust).unwrap();
    assert!(verified.checks().iter().any(|c| matches!(
        c,
        Check::DsseSignature {
            scheme: SignatureScheme::RsaPkcs1(_),
            legacy_pae: false
        }
    )));
}

#[test]
fn rsa_padding_for_an_ec_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, _) = key_pair(KeyKind::EcdsaP256);
    let mut request = SignRequest::new(&m, &signer);
    request.rsa_padding = Some(RsaPadding::Pss);
    let e = modelsign::sign(&request).unwrap_err();
    assert!(matches!(e, Error::RsaPaddingForNonRsaKey { .. }), "{e:?}");
}

#[test]
fn certificate_mode_round_trip_and_reported_chain() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let now = Time::now();
    let pki = DevPki::model_signing(now, DAY).unwrap();
    let root = pki.root.cert.clone();
    let chain = pki.intermediate_certificates();
    let signer = Signer::certificate(pki.leaf.key, pki.leaf.cert.clone(), chain, now).unwrap();
    let bundle = sign_with(&m, &signer);
    let trust = VerifierTrust::Certificates(TrustStore::from_certificates(vec![root.clone()]));
    let verified = verify(&m, &bundle, &trust).unwrap();
    assert_eq!(verified.mode(), Mode::Certificate);
    match verified.signer() {
        SignerIdentity::Certificate { chain } => {
            assert_eq!(chain.len(), 3);
            assert_eq!(chain[0].der(), pki.leaf.cert.der());
            assert_eq!(chain[2].der(), root.der());
        }
        other => panic!("unexpected signer {other:?}"),
    }
    let time = verified.validation_time().unwrap();
    assert_eq!(time.source(), &modelsign::TimeSource::CurrentTime);
}

#[test]
fn untrusted_chain_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let now = Time::now();
    let pki = DevPki::model_signing(now, DAY).unwrap();
    let chain = pki.intermediate_certificates();
    let signer = Signer::certificate(pki.leaf.key, pki.leaf.cert, chain, now).unwrap();
    let bundle = sign_with(&m, &signer);
    let other = DevPki::model_signing(now, DAY).unwrap();
    let e = verify(
        &m,
        &bundle,
        &VerifierTrust::Certificates(other.trust_store()),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Chain { .. }), "{e:?}");
    // Trusting only the intermediate is not enough: the path must end at a self-signed anchor.
    let intermediate_only = VerifierTrust::Certificates(TrustStore::from_certificates(
        pki.intermediates.iter().map(|i| i.cert.clone()).collect(),
    ));
    let e = verify(&m, &bundle, &intermediate_only).unwrap_err();
    assert!(matches!(e, Error::Chain { .. }), "{e:?}");
    // No trust at all.
    let empty = VerifierTrust::Certificates(TrustStore::from_certificates(Vec::new()));
    let e = verify(&m, &bundle, &empty).unwrap_err();
    assert!(matches!(e, Error::NoTrustedCertificates), "{e:?}");
}

#[test]
fn signing_certificate_checks() {
    let now = Time::now();
    let pki = DevPki::model_signing(now, DAY).unwrap();
    let other_key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
    let e = Signer::certificate(other_key, pki.leaf.cert.clone(), Vec::new(), now).unwrap_err();
    assert!(matches!(e, Error::KeyCertificateMismatch { .. }), "{e:?}");
    let later = now.checked_add(DAY * 2).unwrap();
    let e = Signer::certificate(pki.leaf.key, pki.leaf.cert, Vec::new(), later).unwrap_err();
    assert!(
        matches!(e, Error::SigningCertificateNotValid { .. }),
        "{e:?}"
    );
}

#[test]
fn expired_signing_certificate_fails_at_verification_time() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let now = Time::now();
    let pki = DevPki::model_signing(now, DAY).unwrap();
    let trust = VerifierTrust::Certificates(pki.trust_store());
    let signer = Signer::certificate(pki.leaf.key, pki.leaf.cert, Vec::new(), now).unwrap();
    let bundle = sign_with(&m, &signer);
    let mut request = VerifyRequest::new(&m, &bundle, &trust, now);
    assert!(modelsign::verify(&request).is_ok());
    request.now = now.checked_add(DAY * 2).unwrap();
    let e = modelsign::verify(&request).unwrap_err();
    assert!(matches!(e, Error::Chain { .. }), "{e:?}");
}

#[test]
fn model_changes_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, trust) = key_pair(KeyKind::EcdsaP256);
    let bundle = sign_with(&m, &signer);

    // Changed content.
    fs::write(m.join("config.json"), b"{\"layers\": 3}").unwrap();
    let e = verify(&m, &bundle, &trust).unwrap_err();
    match e {
        Error::ModelMismatch(mismatch) => {
            assert_eq!(mismatch.changed.len(), 1);
            assert_eq!(mismatch.changed[0].name, "config.json");
        }
        other => panic!("{other:?}"),
    }
    fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();

    // Extra file: fails, unless unsigned files are ignored.
    fs::write(m.join("extra.txt"), b"x").unwrap();
    match verify(&m, &bundle, &trust).unwrap_err() {
        Error::ModelMismatch(mismatch) => assert_eq!(mismatch.extra, vec!["extra.txt"]),
        other => panic!("{other:?}"),
    }
    let mut request = VerifyRequest::new(&m, &bundle, &trust, Time::now());
    request.options.ignore_unsigned_files = true;
    let verified = modelsign::verify(&request).unwrap();
    assert!(verified.checks().iter().any(|c| matches!(
        c,
        Check::ModelContents {
            ignore_unsigned_files: true,
            ..
        }
    )));
    // ... or ignored by path.
    let mut request = VerifyRequest::new(&m, &bundle, &trust, Time::now());
    request.options.ignore_paths = vec![PathBuf::from("extra.txt")];
    modelsign::verify(&request).unwrap();
    fs::remove_file(m.join("extra.txt")).unwrap();

    // Missing file: fails, also with ignore_unsigned_files.
    fs::remove_file(m.join("empty.bin")).unwrap();
    match verify(&m, &bundle, &trust).unwrap_err() {
        Error::ModelMismatch(mismatch) => assert_eq!(mismatch.missing, vec!["empty.bin"]),
        other => panic!("{other:?}"),
    }
    let mut request = VerifyRequest::new(&m, &bundle, &trust, Time::now());
    request.options.ignore_unsigned_files = true;
    assert!(matches!(
        modelsign::verify(&request).unwrap_err(),
        Error::ModelMismatch(_)
    ));
}

#[test]
fn wrong_key_and_wrong_mode_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, _) = key_pair(KeyKind::EcdsaP256);
    let bundle = sign_with(&m, &signer);
    let (_, other) = key_pair(KeyKind::EcdsaP256);
    let e = verify(&m, &bundle, &other).unwrap_err();
    assert!(matches!(e, Error::KeyHintMismatch { .. }), "{e:?}");
    let trust = VerifierTrust::Certificates(
        DevPki::model_signing(Time::now(), DAY)
            .unwrap()
            .trust_store(),
    );
    let e = verify(&m, &bundle, &trust).unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongMode {
                expected: Mode::Certificate,
                ..
            }
        ),
        "{e:?}"
    );
}

/// Replace the first occurrence of `from` in the bundle text.
fn edit(bundle: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(bundle.to_vec()).unwrap();
    assert!(text.contains(from), "{from} not in bundle");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn a_wrong_key_without_hint_fails_on_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, trust) = key_pair(KeyKind::EcdsaP256);
    let bundle = sign_with(&m, &signer);
    let hint = match &SignerIdentity::of_public_key(match &trust {
        VerifierTrust::PublicKey(k) => k,
        _ => unreachable!(),
    }) {
        SignerIdentity::PublicKey { hint, .. } => hint.clone(),
        _ => unreachable!(),
    };
    // Without a hint (older format) the right key still verifies, with a warning...
    let no_hint = edit(&bundle, &format!("\"hint\":\"{hint}\""), "\"hint\":\"\"");
    let verified = verify(&m, &no_hint, &trust).unwrap();
    assert!(verified.legacy_format());
    assert!(!verified.warnings().is_empty());
    // ... and a wrong key fails on the signature itself.
    let (_, other) = key_pair(KeyKind::EcdsaP256);
    let e = verify(&m, &no_hint, &other).unwrap_err();
    assert!(matches!(e, Error::SignatureInvalid { .. }), "{e:?}");
}

#[test]
fn envelope_tampering_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, trust) = key_pair(KeyKind::EcdsaP256);
    let bundle = sign_with(&m, &signer);
    let text = String::from_utf8(bundle.clone()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sig = json["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .unwrap()
        .to_owned();

    // Two signatures (even two identical valid ones) are refused.
    let entry = format!("{{\"sig\":\"{sig}\",\"keyid\":\"\"}}");
    let doubled = edit(&bundle, &entry, &format!("{entry},{entry}"));
    let e = verify(&m, &doubled, &trust).unwrap_err();
    assert!(matches!(e, Error::MultipleSignatures { count: 2 }), "{e:?}");

    // A signature made by another key over the same payload.
    let other_bundle = sign_with(&m, &key_pair(KeyKind::EcdsaP256).0);
    let other_json: serde_json::Value = serde_json::from_slice(&other_bundle).unwrap();
    let other_sig = other_json["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .unwrap();
    let swapped = edit(&bundle, &sig, other_sig);
    let e = verify(&m, &swapped, &trust).unwrap_err();
    assert!(matches!(e, Error::SignatureInvalid { .. }), "{e:?}");

    // A modified payload (the statement re-encoded: same JSON, different bytes).
    let payload = json["dsseEnvelope"]["payload"].as_str().unwrap();
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut statement = engine.decode(payload).unwrap();
    statement.push(b'\n');
    let e = verify(
        &m,
        &edit(&bundle, payload, &engine.encode(&statement)),
        &trust,
    )
    .unwrap_err();
    assert!(matches!(e, Error::SignatureInvalid { .. }), "{e:?}");

    // Not a bundle at all.
    let e = verify(&m, b"{}", &trust).unwrap_err();
    assert!(matches!(e, Error::Bundle(_)), "{e:?}");
}

#[test]
fn empty_models_are_refused_at_signing() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let (signer, _) = key_pair(KeyKind::EcdsaP256);
    let e = modelsign::sign(&SignRequest::new(&empty, &signer)).unwrap_err();
    assert!(matches!(e, Error::EmptyModel { .. }), "{e:?}");
    // Only ignored files is empty too.
    fs::write(empty.join(".gitignore"), b"*").unwrap();
    let e = modelsign::sign(&SignRequest::new(&empty, &signer)).unwrap_err();
    assert!(matches!(e, Error::EmptyModel { .. }), "{e:?}");
}

#[test]
fn recorded_method_and_hash_are_used_for_verification() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, trust) = key_pair(KeyKind::EcdsaP256);
    for (method, hash) in [
        (Method::Shards { shard_size: 1024 }, HashKind::Sha256),
        (Method::Files, HashKind::Blake3),
        (Method::Files, HashKind::Blake2b),
    ] {
        let mut request = SignRequest::new(&m, &signer);
        request.hashing.method = method;
        request.hashing.hash = hash;
        let bundle = modelsign::sign(&request).unwrap().bundle_json().to_vec();
        let verified = verify(&m, &bundle, &trust).unwrap();
        assert_eq!(verified.manifest().method, method);
        assert_eq!(verified.manifest().hash, hash);
        // 5000-byte file in 1024-byte shards = 5 shards; the empty file has none.
        if let Method::Shards { .. } = method {
            assert_eq!(verified.manifest().resources, 6);
            assert_eq!(verified.manifest().files, 2);
        }
    }
}

#[test]
fn single_file_model_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let file = m.join("sub/weights.bin");
    let (signer, trust) = key_pair(KeyKind::EcdsaP384);
    let bundle = sign_with(&file, &signer);
    let verified = verify(&file, &bundle, &trust).unwrap();
    assert_eq!(verified.manifest().model_name, "weights.bin");
    assert_eq!(verified.manifest().files, 1);
    fs::write(&file, b"changed").unwrap();
    assert!(matches!(
        verify(&file, &bundle, &trust).unwrap_err(),
        Error::ModelMismatch(_)
    ));
}

#[test]
fn signature_inside_the_model_is_ignored_when_listed() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let (signer, trust) = key_pair(KeyKind::EcdsaP256);
    let mut request = SignRequest::new(&m, &signer);
    request.hashing.ignore_paths = vec![PathBuf::from("model.sig")];
    let bundle = modelsign::sign(&request).unwrap().bundle_json().to_vec();
    fs::write(m.join("model.sig"), &bundle).unwrap();
    // The recorded ignore path is honoured without the verifier naming it.
    let verified = verify(&m, &bundle, &trust).unwrap();
    assert_eq!(verified.manifest().files, 3);
}

#[cfg(unix)]
#[test]
fn recorded_symlink_policy_applies() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    std::os::unix::fs::symlink("config.json", m.join("link.json")).unwrap();
    let (signer, trust) = key_pair(KeyKind::EcdsaP256);
    // Without allow_symlinks signing fails on the link.
    let e = modelsign::sign(&SignRequest::new(&m, &signer)).unwrap_err();
    assert!(matches!(e, Error::Hash { .. }), "{e:?}");
    // Signed with symlinks allowed: verifies without the verifier's flag.
    let mut request = SignRequest::new(&m, &signer);
    request.hashing.allow_symlinks = true;
    let bundle = modelsign::sign(&request).unwrap().bundle_json().to_vec();
    let verified = verify(&m, &bundle, &trust).unwrap();
    assert_eq!(verified.manifest().files, 4);
}
