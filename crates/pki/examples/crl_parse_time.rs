//! Measures the cost of the largest CRL `Crl::from_pem_or_der` accepts: `MAX_CRL_BYTES` of
//! minimal entries (3-byte serial, UTCTime, no extensions: 22 bytes each), i.e. the most
//! entries the byte cap lets through. Run in release:
//! `cargo run --release -p modelsign-pki --example crl_parse_time`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use modelsign_pki::{
    find_revocations, verify_chain, Certificate, ChainRequest, Crl, LeafProfile, Time, TrustStore,
    MAX_CRL_BYTES,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyIdMethod, KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};

fn main() {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Big CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    ca_params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let ca = Certificate::from_der(ca_params.self_signed(&ca_key).unwrap().der()).unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);

    let mut leaf_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "Signer");
    leaf_params.serial_number = Some(SerialNumber::from(0x7f_ff_ffu64 + 1));
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    leaf_params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf =
        Certificate::from_der(leaf_params.signed_by(&leaf_key, &issuer).unwrap().der()).unwrap();

    let overhead = 400;
    let entries = (MAX_CRL_BYTES - overhead) / 22;
    let revoked_certs = (0x10_00_00u64..)
        .take(entries)
        .map(|s| RevokedCertParams {
            serial_number: SerialNumber::from(s),
            revocation_time: rcgen::date_time_ymd(2025, 6, 1),
            reason_code: None,
            invalidity_date: None,
        })
        .collect();
    let der = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 1, 1),
        next_update: rcgen::date_time_ymd(2026, 2, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap()
    .der()
    .to_vec();
    println!(
        "CRL: {} bytes ({:.2} MiB, cap {}), {entries} entries",
        der.len(),
        der.len() as f64 / 1048576.0,
        MAX_CRL_BYTES
    );

    let time = Time::parse_rfc3339("2026-01-15T00:00:00Z").unwrap();
    let trust = TrustStore::new(vec![ca], vec![]);
    let chain = verify_chain(&ChainRequest {
        leaf: &leaf,
        untrusted: &[],
        trust: &trust,
        time,
        latest: time,
        profile: LeafProfile::ModelSigning,
    })
    .unwrap();

    for run in 0..3 {
        let rss_before = resident_kib();
        let start = Instant::now();
        let crl = Crl::from_pem_or_der(&der).unwrap();
        let parsed = start.elapsed();
        println!(
            "run {run}: resident set grew by {} MiB while parsing",
            resident_kib().saturating_sub(rss_before) / 1024
        );
        let start = Instant::now();
        let found = find_revocations(&chain, std::slice::from_ref(&crl)).unwrap();
        let complete = crl.is_complete_for(&chain, 0).unwrap();
        let checked = start.elapsed();
        println!(
            "run {run}: parse {parsed:?}, signature + scan {checked:?} (revocations {}, complete {complete})",
            found.len()
        );
    }
}

/// Resident set size in KiB (Linux `/proc/self/statm`, 4 KiB pages); 0 elsewhere.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}
