//! Keys and signatures: round trips for every kind and scheme, failures, and interop with
//! the OpenSSL CLI (key formats, encrypted PKCS#8, signatures in both directions).
//!
//! OpenSSL-based tests generate their fixtures at test time in a temp dir. The `openssl`
//! binary is required (`.ci/setup` installs it): when it is missing they fail, naming the
//! setup command, instead of passing without checking anything.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use der::Encode;
use modelsign_pki::{
    certificates_from_pem, Error, HashAlgorithm, KeyKind, SignatureScheme, SigningKey,
};

const ALL_HASHES: [HashAlgorithm; 3] = HashAlgorithm::ALL;

fn schemes_for(kind: KeyKind) -> Vec<SignatureScheme> {
    match kind {
        KeyKind::Ed25519 => vec![SignatureScheme::Ed25519],
        KeyKind::Rsa { .. } => ALL_HASHES
            .iter()
            .flat_map(|h| [SignatureScheme::RsaPkcs1(*h), SignatureScheme::RsaPss(*h)])
            .collect(),
        KeyKind::EcdsaP256 => vec![SignatureScheme::Ecdsa(HashAlgorithm::Sha256)],
        KeyKind::EcdsaP384 => vec![SignatureScheme::Ecdsa(HashAlgorithm::Sha384)],
        KeyKind::EcdsaP521 => ALL_HASHES
            .iter()
            .map(|h| SignatureScheme::Ecdsa(*h))
            .collect(),
    }
}

#[test]
fn sign_verify_round_trip_every_kind_and_scheme() {
    let kinds = [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::EcdsaP521,
        KeyKind::Ed25519,
        KeyKind::Rsa { bits: 2048 },
        KeyKind::Rsa { bits: 3072 },
    ];
    for kind in kinds {
        let key = SigningKey::generate(kind).unwrap();
        assert_eq!(key.kind(), kind);
        let other = SigningKey::generate(kind).unwrap();
        for scheme in schemes_for(kind) {
            let msg = b"model signing payload";
            let sig = key.sign(scheme, msg).unwrap();
            let public = key.public_key();
            public.verify(scheme, msg, &sig).unwrap();
            let bad = Err(Error::InvalidSignature { scheme, key: kind });
            // Wrong message, tampered signature, wrong key.
            assert_eq!(public.verify(scheme, b"model signing payloaD", &sig), bad);
            let mut tampered = sig.clone();
            let last = tampered.len() - 1;
            tampered[last] ^= 0x01;
            assert_eq!(public.verify(scheme, msg, &tampered), bad);
            assert_eq!(other.public_key().verify(scheme, msg, &sig), bad);
        }
        // The default scheme is among the tested ones and round-trips.
        assert!(schemes_for(kind).contains(&key.default_scheme()));
    }
}

#[test]
fn rsa_4096_generation() {
    let key = SigningKey::generate(KeyKind::Rsa { bits: 4096 }).unwrap();
    assert_eq!(key.kind(), KeyKind::Rsa { bits: 4096 });
    let s = key.default_scheme();
    assert_eq!(s, SignatureScheme::RsaPss(HashAlgorithm::Sha256));
    key.public_key()
        .verify(s, b"x", &key.sign(s, b"x").unwrap())
        .unwrap();
}

#[test]
fn ecdsa_verifies_any_curve_with_any_hash() {
    // contracts.md: any curve x any SHA-2 hash, for signing and verifying (P-256/P-384 with
    // a foreign hash sign a converted digest, see signing_key.rs).
    for kind in [KeyKind::EcdsaP256, KeyKind::EcdsaP384, KeyKind::EcdsaP521] {
        let key = SigningKey::generate(kind).unwrap();
        for h in ALL_HASHES {
            let s = SignatureScheme::Ecdsa(h);
            key.public_key()
                .verify(s, b"m", &key.sign(s, b"m").unwrap())
                .unwrap();
            // A signature made with one hash does not verify under another.
            for other in ALL_HASHES.iter().filter(|o| **o != h) {
                assert!(key
                    .public_key()
                    .verify(
                        SignatureScheme::Ecdsa(*other),
                        b"m",
                        &key.sign(s, b"m").unwrap()
                    )
                    .is_err());
            }
        }
    }
}

#[test]
fn mismatched_scheme_is_refused() {
    let rsa = SigningKey::generate(KeyKind::Rsa { bits: 2048 }).unwrap();
    let s = SignatureScheme::Ecdsa(HashAlgorithm::Sha256);
    assert_eq!(
        rsa.sign(s, b"m").unwrap_err(),
        Error::SchemeKeyMismatch {
            scheme: s,
            key: KeyKind::Rsa { bits: 2048 }
        }
    );
    let ed = SigningKey::generate(KeyKind::Ed25519).unwrap();
    let s = SignatureScheme::RsaPss(HashAlgorithm::Sha256);
    assert_eq!(
        ed.public_key().verify(s, b"m", &[0u8; 64]).unwrap_err(),
        Error::SchemeKeyMismatch {
            scheme: s,
            key: KeyKind::Ed25519
        }
    );
}

// ---- OpenSSL interop --------------------------------------------------------------------

/// `name` found on `PATH`. The interop tests need their outside tools; `.ci/setup` installs
/// them, so a missing one is a broken setup to report, never a reason to pass unchecked.
fn require_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found: run `bash .ci/setup` (or `bash .ci/test`, which runs it)")
        })
}

/// The `openssl` CLI, looked up once per test binary.
fn openssl_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| require_tool("openssl"))
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new(openssl_exe())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn openssl_key_formats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // SEC1 "EC PRIVATE KEY" (with the EC PARAMETERS block first), PKCS#1 "RSA PRIVATE KEY",
    // plain PKCS#8 for Ed25519, and DER forms.
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "secp384r1",
            "-genkey",
            "-out",
            "sec1.pem",
        ],
    );
    openssl(
        d,
        &[
            "ec", "-in", "sec1.pem", "-outform", "DER", "-out", "sec1.der",
        ],
    );
    openssl(d, &["genrsa", "-traditional", "-out", "pkcs1.pem", "2048"]);
    openssl(
        d,
        &[
            "rsa",
            "-in",
            "pkcs1.pem",
            "-traditional",
            "-outform",
            "DER",
            "-out",
            "pkcs1.der",
        ],
    );
    openssl(d, &["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"]);
    openssl(
        d,
        &["pkey", "-in", "ed.pem", "-outform", "DER", "-out", "ed.der"],
    );
    openssl(
        d,
        &["pkey", "-in", "ed.pem", "-pubout", "-out", "ed.pub.pem"],
    );
    openssl(d, &["genrsa", "-traditional", "-out", "small.pem", "1024"]);

    let sec1 = SigningKey::from_pem_or_der(&read(d, "sec1.pem"), None).unwrap();
    assert_eq!(sec1.kind(), KeyKind::EcdsaP384);
    let sec1_der = SigningKey::from_pem_or_der(&read(d, "sec1.der"), None).unwrap();
    assert_eq!(sec1_der.public_key(), sec1.public_key());

    let rsa = SigningKey::from_pem_or_der(&read(d, "pkcs1.pem"), None).unwrap();
    assert_eq!(rsa.kind(), KeyKind::Rsa { bits: 2048 });
    let rsa_der = SigningKey::from_pem_or_der(&read(d, "pkcs1.der"), None).unwrap();
    assert_eq!(rsa_der.public_key(), rsa.public_key());

    let ed = SigningKey::from_pem_or_der(&read(d, "ed.pem"), None).unwrap();
    assert_eq!(ed.kind(), KeyKind::Ed25519);
    assert_eq!(
        ed.public_key().to_pem().as_bytes(),
        read(d, "ed.pub.pem").as_slice()
    );
    let ed_der = SigningKey::from_pem_or_der(&read(d, "ed.der"), None).unwrap();
    assert_eq!(ed_der.public_key(), ed.public_key());

    // A 1024-bit RSA key is refused with its size, whatever the container: PKCS#1 PEM
    // ("RSA PRIVATE KEY") and DER, PKCS#8 PEM ("PRIVATE KEY") and DER. (aws-lc-rs alone
    // would refuse it while parsing with KeyRejected "TooSmall", and for PKCS#1 DER the
    // format detection would end in "unrecognized key format".)
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "small.pem",
            "-out",
            "small8.pem",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "small.pem",
            "-outform",
            "DER",
            "-out",
            "small8.der",
        ],
    );
    openssl(
        d,
        &[
            "rsa",
            "-traditional",
            "-in",
            "small.pem",
            "-outform",
            "DER",
            "-out",
            "small.der",
        ],
    );
    for file in ["small.pem", "small8.pem", "small.der", "small8.der"] {
        assert_eq!(
            SigningKey::from_pem_or_der(&read(d, file), None).unwrap_err(),
            Error::RsaKeyTooSmall {
                bits: 1024,
                minimum: 2048
            },
            "{file}"
        );
    }
    // A 2048-bit key in the same containers still loads (the size check reads the modulus
    // right).
    openssl(d, &["genrsa", "-traditional", "-out", "ok.pem", "2048"]);
    openssl(
        d,
        &[
            "rsa",
            "-traditional",
            "-in",
            "ok.pem",
            "-outform",
            "DER",
            "-out",
            "ok.der",
        ],
    );
    for file in ["ok.pem", "ok.der"] {
        let key = SigningKey::from_pem_or_der(&read(d, file), None).unwrap();
        assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 }, "{file}");
    }
}

#[test]
fn encrypted_pkcs8_pbkdf2_and_scrypt() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "plain.pem",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            "plain.pem",
            "-out",
            "pbkdf2.pem",
            "-passout",
            "pass:correct horse",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-scrypt",
            "-in",
            "plain.pem",
            "-out",
            "scrypt.pem",
            "-passout",
            "pass:correct horse",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-128-cbc",
            "-in",
            "plain.pem",
            "-outform",
            "DER",
            "-out",
            "pbkdf2.der",
            "-passout",
            "pass:correct horse",
        ],
    );
    let plain = SigningKey::from_pem_or_der(&read(d, "plain.pem"), None).unwrap();
    for file in ["pbkdf2.pem", "scrypt.pem", "pbkdf2.der"] {
        let bytes = read(d, file);
        let key = SigningKey::from_pem_or_der(&bytes, Some(b"correct horse")).unwrap();
        assert_eq!(key.public_key(), plain.public_key(), "{file}");
        assert_eq!(
            SigningKey::from_pem_or_der(&bytes, None).unwrap_err(),
            Error::PasswordRequired,
            "{file}"
        );
        assert!(
            matches!(
                SigningKey::from_pem_or_der(&bytes, Some(b"wrong")),
                Err(Error::KeyDecryption { .. })
            ),
            "{file}"
        );
    }
}

#[test]
fn signatures_interoperate_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("msg"), b"interop message").unwrap();
    openssl(d, &["genrsa", "-out", "rsa.pem", "3072"]);
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-out",
            "ec.pem",
        ],
    );

    // OpenSSL signs, we verify: PSS with salt = digest length, PKCS#1 v1.5, ECDSA.
    openssl(
        d,
        &[
            "dgst",
            "-sha384",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
            "-sign",
            "rsa.pem",
            "-out",
            "pss.sig",
            "msg",
        ],
    );
    openssl(
        d,
        &[
            "dgst",
            "-sha512",
            "-sign",
            "rsa.pem",
            "-out",
            "pkcs1.sig",
            "msg",
        ],
    );
    openssl(
        d,
        &[
            "dgst", "-sha256", "-sign", "ec.pem", "-out", "ec.sig", "msg",
        ],
    );
    let rsa = SigningKey::from_pem_or_der(&read(d, "rsa.pem"), None).unwrap();
    let ec = SigningKey::from_pem_or_der(&read(d, "ec.pem"), None).unwrap();
    let msg = read(d, "msg");
    rsa.public_key()
        .verify(
            SignatureScheme::RsaPss(HashAlgorithm::Sha384),
            &msg,
            &read(d, "pss.sig"),
        )
        .unwrap();
    rsa.public_key()
        .verify(
            SignatureScheme::RsaPkcs1(HashAlgorithm::Sha512),
            &msg,
            &read(d, "pkcs1.sig"),
        )
        .unwrap();
    ec.public_key()
        .verify(
            SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            &msg,
            &read(d, "ec.sig"),
        )
        .unwrap();

    // We sign, OpenSSL verifies (PSS with salt = digest length, as the scheme promises).
    std::fs::write(d.join("rsa.pub"), rsa.public_key().to_pem()).unwrap();
    let ours = rsa
        .sign(SignatureScheme::RsaPss(HashAlgorithm::Sha256), &msg)
        .unwrap();
    std::fs::write(d.join("ours.sig"), ours).unwrap();
    openssl(
        d,
        &[
            "dgst",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-verify",
            "rsa.pub",
            "-signature",
            "ours.sig",
            "msg",
        ],
    );
}

#[test]
fn pss_algorithm_identifier_matches_openssl_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(d, &["genrsa", "-out", "rsa.pem", "2048"]);
    openssl(
        d,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            "rsa.pem",
            "-subj",
            "/CN=PSS",
            "-days",
            "1",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-out",
            "pss.crt",
        ],
    );
    let cert = certificates_from_pem(&read(d, "pss.crt"))
        .unwrap()
        .remove(0);
    let scheme = cert.signature_scheme().unwrap();
    assert_eq!(scheme, SignatureScheme::RsaPss(HashAlgorithm::Sha256));
    assert_eq!(
        cert.x509().signature_algorithm().to_der().unwrap(),
        scheme.signature_algorithm().to_der().unwrap()
    );
    assert!(cert.is_self_signed());
}
