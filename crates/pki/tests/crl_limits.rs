//! Limits on CRL input: the byte cap (`MAX_CRL_BYTES`), which also bounds the number of
//! entries, and the CRL's thisUpdate against the validity of the CA certificate that
//! signed it (module docs of `crl`, "When the CRL was signed"). CRLs come from rcgen.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use modelsign_pki::{
    find_revocations, verify_chain, Certificate, ChainRequest, Crl, Error, LeafProfile, Time,
    TrustStore, VerifiedChain, MAX_CRL_BYTES,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};

const CA_NAME: &str = "CN=Limits CA";

/// A self-signed CA valid 2020-01-01 .. 2040-01-01 and a leaf (serial `leaf_serial`)
/// valid 2025 .. 2030, validated at 2026-01-15.
struct Pki {
    ca_params: CertificateParams,
    ca_key: KeyPair,
    leaf: Certificate,
    chain: VerifiedChain,
}

fn pki(leaf_serial: u64) -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Limits CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    ca_params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let ca = Certificate::from_der(ca_params.self_signed(&ca_key).unwrap().der()).unwrap();

    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "Signer");
    params.serial_number = Some(SerialNumber::from(leaf_serial));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let leaf = Certificate::from_der(params.signed_by(&key, &issuer).unwrap().der()).unwrap();

    let trust = TrustStore::new(vec![ca], vec![]);
    let time = Time::parse_rfc3339("2026-01-15T00:00:00Z").unwrap();
    let chain = verify_chain(&ChainRequest {
        leaf: &leaf,
        untrusted: &[],
        trust: &trust,
        time,
        latest: time,
        profile: LeafProfile::ModelSigning,
    })
    .unwrap();
    Pki {
        ca_params,
        ca_key,
        leaf,
        chain,
    }
}

fn entry(serial: u64) -> RevokedCertParams {
    RevokedCertParams {
        serial_number: SerialNumber::from(serial),
        revocation_time: rcgen::date_time_ymd(2025, 6, 1),
        reason_code: None,
        invalidity_date: None,
    }
}

impl Pki {
    /// A DER CRL of the CA issued at `this_update` (next update 30 days later).
    fn crl(&self, this_update: time::OffsetDateTime, revoked: Vec<RevokedCertParams>) -> Vec<u8> {
        let issuer = Issuer::from_params(&self.ca_params, &self.ca_key);
        CertificateRevocationListParams {
            this_update,
            next_update: this_update + Duration::from_secs(30 * 86_400),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked,
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&issuer)
        .unwrap()
        .der()
        .to_vec()
    }
}

#[test]
fn a_crl_at_the_byte_cap_with_the_most_entries_is_usable_and_one_byte_more_is_refused() {
    // Minimal entries: 3-byte serials (0x100000..), UTCTime, no extensions = 22 bytes each.
    // The signing certificate's serial is the last entry, so finding it scans them all.
    let last_serial = 0x10_00_00 + 762_000;
    let pki = pki(last_serial);
    let entries: Vec<RevokedCertParams> = (0x10_00_00..=last_serial).map(entry).collect();
    let count = entries.len();
    let der = pki.crl(rcgen::date_time_ymd(2026, 1, 1), entries);
    assert!(
        der.len() <= MAX_CRL_BYTES && der.len() > MAX_CRL_BYTES - 64 * 1024,
        "{} bytes: the test CRL should sit just under the cap of {MAX_CRL_BYTES}",
        der.len()
    );

    let crl = Crl::from_pem_or_der(&der).unwrap();
    assert!(crl.is_complete_for(&pki.chain, 0).unwrap());
    let found = find_revocations(&pki.chain, std::slice::from_ref(&crl)).unwrap();
    assert_eq!(found.len(), 1, "{count} entries");
    assert_eq!(found[0].serial_hex, pki.leaf.serial_hex());

    let mut over = der;
    over.resize(MAX_CRL_BYTES + 1, 0);
    assert_eq!(
        Crl::from_pem_or_der(&over).unwrap_err(),
        Error::InputTooLarge {
            what: "CRL",
            size: MAX_CRL_BYTES + 1,
            limit: MAX_CRL_BYTES,
        }
    );
}

fn expired_signer() -> Error {
    Error::CrlUnsupported {
        issuer: CA_NAME.into(),
        reason: "it was issued (thisUpdate) after the CA certificate that signed it expired \
                 (notAfter)",
    }
}

#[test]
fn a_crl_issued_after_its_ca_certificate_expired_is_refused() {
    let pki = pki(0x77);
    // Even one that lists the certificate: the CA key was vouched for by nothing then.
    for revoked in [vec![entry(0x10)], vec![entry(0x77)]] {
        let late = pki.crl(
            rcgen::date_time_ymd(2040, 1, 1) + Duration::from_secs(1),
            revoked,
        );
        let crl = Crl::from_pem_or_der(&late).unwrap();
        assert_eq!(crl.is_complete_for(&pki.chain, 0), Err(expired_signer()));
        assert_eq!(
            find_revocations(&pki.chain, std::slice::from_ref(&crl)),
            Err(expired_signer())
        );
    }
}

#[test]
fn a_crl_issued_at_its_ca_certificates_not_after_is_used() {
    // Validity includes notAfter (RFC 5280 §4.1.2.5).
    let pki = pki(0x77);
    let at_end = pki.crl(rcgen::date_time_ymd(2040, 1, 1), vec![entry(0x77)]);
    let crl = Crl::from_pem_or_der(&at_end).unwrap();
    assert_eq!(
        crl.this_update(),
        Time::parse_rfc3339("2040-01-01T00:00:00Z").unwrap()
    );
    assert!(crl.is_complete_for(&pki.chain, 0).unwrap());
    let found = find_revocations(&pki.chain, std::slice::from_ref(&crl)).unwrap();
    assert_eq!(found.len(), 1);
}

#[test]
fn a_crl_issued_before_its_ca_certificates_not_before_is_used() {
    // A CA re-certified with the same key has CRLs from before its current certificate.
    let pki = pki(0x77);
    let early = pki.crl(rcgen::date_time_ymd(2019, 6, 1), vec![entry(0x77)]);
    let crl = Crl::from_pem_or_der(&early).unwrap();
    assert!(crl.is_complete_for(&pki.chain, 0).unwrap());
    let found = find_revocations(&pki.chain, std::slice::from_ref(&crl)).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].serial_hex, pki.leaf.serial_hex());
}
