//! Never panic on malformed input: truncations and bit flips of real certificates, CRLs,
//! keys and SPKIs go through every parser and accessor.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use modelsign_pki::{certificates_from_pem_or_der, Certificate, Crl, PublicKey, SigningKey, Time};

const MS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/model-signing-1.1.1/keys"
);
const PKITS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/pkits"
);

fn mutations(input: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..input.len()).map(|n| input[..n].to_vec()).collect();
    for i in 0..input.len() {
        for bit in [0x01u8, 0x80] {
            let mut m = input.to_vec();
            m[i] ^= bit;
            out.push(m);
        }
    }
    out
}

fn exercise(cert: &Certificate) {
    let _ = (cert.subject(), cert.issuer(), cert.serial_hex());
    let _ = (
        cert.not_before(),
        cert.not_after(),
        cert.fingerprint_sha256(),
    );
    let _ = (
        cert.public_key(),
        cert.is_self_signed(),
        cert.subject_key_identifier(),
    );
    let _ = (
        cert.extended_key_usage(),
        cert.key_usage(),
        cert.basic_constraints(),
    );
}

#[test]
fn certificate_mutations_never_panic() {
    let leaf = certificates_from_pem_or_der(&std::fs::read(format!("{MS}/leaf.crt.pem")).unwrap())
        .unwrap()
        .remove(0);
    let mut parsed = 0;
    for m in mutations(leaf.der()) {
        if let Ok(c) = Certificate::from_der(&m) {
            parsed += 1;
            exercise(&c);
        }
    }
    // Some bit flips land in signature/serial bytes and still parse: the accessors ran.
    assert!(parsed > 0);
}

#[test]
fn crl_mutations_never_panic() {
    let der = std::fs::read(format!("{PKITS}/crls/GoodCACRL.crl")).unwrap();
    let crl = Crl::from_pem_or_der(&der).unwrap();
    assert_eq!(crl.issuer(), "CN=Good CA,O=Test Certificates 2011,C=US");
    assert_eq!(
        crl.this_update(),
        Time::parse_rfc3339("2010-01-01T08:30:00Z").unwrap()
    );
    for m in mutations(&der) {
        if let Ok(c) = Crl::from_pem_or_der(&m) {
            let _ = (c.issuer(), c.this_update(), c.next_update());
        }
    }
}

#[test]
fn key_mutations_never_panic() {
    for name in ["ec256.key.pem", "ec521.key.pem"] {
        let pem = std::fs::read(format!("{MS}/{name}")).unwrap();
        let key = SigningKey::from_pem_or_der(&pem, None).unwrap();
        let der = key.to_pkcs8_der().unwrap();
        for m in mutations(&der) {
            let _ = SigningKey::from_pem_or_der(&m, None);
        }
        for m in mutations(&pem) {
            let _ = SigningKey::from_pem_or_der(&m, None);
        }
        let spki = key.public_key().spki_der().to_vec();
        for m in mutations(&spki) {
            if let Ok(k) = PublicKey::from_spki_der(&m) {
                let _ = (k.to_pem(), k.kind());
            }
        }
    }
}
