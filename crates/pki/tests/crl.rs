//! CRL lookup against a verified chain, with rcgen-generated CRLs.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use modelsign_pki::{
    find_revocations, verify_chain, Certificate, ChainRequest, Crl, Error, LeafProfile, Revocation,
    Time, TrustStore, VerifiedChain,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber,
};

struct Ca {
    key: KeyPair,
    params: CertificateParams,
    cert: Certificate,
}

fn ca(cn: &str, key_usages: Vec<KeyUsagePurpose>) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = key_usages;
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Ca {
        key,
        params,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

fn leaf(issuer: &Ca, serial: u64) -> Certificate {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "Signer");
    params.serial_number = Some(SerialNumber::from(serial));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let iss = Issuer::from_params(&issuer.params, &issuer.key);
    Certificate::from_der(params.signed_by(&key, &iss).unwrap().der()).unwrap()
}

fn crl(issuer: &Ca, revoked: Vec<RevokedCertParams>) -> Crl {
    let params = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 1, 1),
        next_update: rcgen::date_time_ymd(2026, 2, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let iss = Issuer::from_params(&issuer.params, &issuer.key);
    let der = params.signed_by(&iss).unwrap().der().to_vec();
    Crl::from_pem_or_der(&der).unwrap()
}

fn chain_for(leaf: &Certificate, root: &Ca) -> VerifiedChain {
    let trust = TrustStore::new(vec![root.cert.clone()], vec![]);
    let time = Time::parse_rfc3339("2026-01-15T00:00:00Z").unwrap();
    verify_chain(&ChainRequest {
        leaf,
        untrusted: &[],
        trust: &trust,
        time,
        latest: time,
        profile: LeafProfile::ModelSigning,
    })
    .unwrap()
}

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

#[test]
fn revoked_leaf_is_reported_with_dates_and_reason() {
    let root = ca(
        "CRL Root",
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    );
    let leaf = leaf(&root, 0x1234);
    let chain = chain_for(&leaf, &root);
    let list = crl(
        &root,
        vec![
            RevokedCertParams {
                serial_number: SerialNumber::from(0x9999u64),
                revocation_time: rcgen::date_time_ymd(2025, 6, 1),
                reason_code: None,
                invalidity_date: None,
            },
            RevokedCertParams {
                serial_number: SerialNumber::from(0x1234u64),
                revocation_time: rcgen::date_time_ymd(2025, 12, 1),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: Some(rcgen::date_time_ymd(2025, 11, 1)),
            },
        ],
    );
    assert_eq!(list.issuer(), "CN=CRL Root");
    assert_eq!(list.this_update(), t("2026-01-01T00:00:00Z"));
    let found = find_revocations(&chain, &[list]).unwrap();
    let expected = Revocation {
        certificate_subject: "CN=Signer".into(),
        serial_hex: "1234".into(),
        revoked_at: t("2025-12-01T00:00:00Z"),
        invalidity_date: Some(t("2025-11-01T00:00:00Z")),
        reason: Some("keyCompromise".into()),
    };
    assert_eq!(found, vec![expected.clone()]);
    assert_eq!(found[0].effective_time(), t("2025-11-01T00:00:00Z"));
}

#[test]
fn unrelated_serials_and_other_issuers_find_nothing() {
    let root = ca(
        "CRL Root",
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    );
    let other = ca(
        "Other Root",
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    );
    let leaf = leaf(&root, 0x42);
    let chain = chain_for(&leaf, &root);
    let revoked = |serial: u64| RevokedCertParams {
        serial_number: SerialNumber::from(serial),
        revocation_time: rcgen::date_time_ymd(2025, 6, 1),
        reason_code: None,
        invalidity_date: None,
    };
    let lists = [
        crl(&root, vec![revoked(0x43)]),
        crl(&other, vec![revoked(0x42)]),
    ];
    assert_eq!(find_revocations(&chain, &lists).unwrap(), vec![]);
}

#[test]
fn crl_with_forged_signature_is_an_error() {
    let root = ca(
        "CRL Root",
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    );
    let impostor = ca(
        "CRL Root",
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    );
    let leaf = leaf(&root, 5);
    let chain = chain_for(&leaf, &root);
    let forged = crl(&impostor, vec![]);
    assert_eq!(
        find_revocations(&chain, &[forged]).unwrap_err(),
        Error::CrlSignature {
            issuer: "CN=CRL Root".into()
        }
    );
}

#[test]
fn issuer_without_crl_sign_cannot_issue_crls() {
    let root = ca("No CRL Sign", vec![KeyUsagePurpose::KeyCertSign]);
    let leaf = leaf(&root, 5);
    let chain = chain_for(&leaf, &root);
    // rcgen refuses to sign a CRL for a CA without cRLSign: sign with the same name and key
    // under parameters that claim it, so only the certificate in the chain lacks the bit.
    let mut claiming = root.params.clone();
    claiming.key_usages.push(KeyUsagePurpose::CrlSign);
    let signer = Ca {
        key: KeyPair::from_pem(&root.key.serialize_pem()).unwrap(),
        params: claiming,
        cert: root.cert.clone(),
    };
    assert_eq!(
        find_revocations(&chain, &[crl(&signer, vec![])]).unwrap_err(),
        Error::InvalidIssuer {
            subject: "CN=No CRL Sign".into(),
            reason: "its keyUsage lacks cRLSign but it is named as CRL issuer"
        }
    );
}

#[test]
fn pem_crl_and_garbage() {
    let root = ca(
        "CRL Root",
        vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
    );
    let list = crl(&root, vec![]);
    let pem = format!(
        "-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
        base64_lines(list.der())
    );
    assert_eq!(
        Crl::from_pem_or_der(pem.as_bytes()).unwrap().der(),
        list.der()
    );
    assert!(matches!(
        Crl::from_pem_or_der(b"\x30\x00"),
        Err(Error::Der { what: "CRL", .. })
    ));
}

fn base64_lines(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    b64.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
