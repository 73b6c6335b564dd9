//! Adversarial CRL inputs: CRLs that must not be used as complete CRLs (delta, reason- or
//! distribution-point-partitioned, indirect, contradictory entries), entries that must not
//! be lost (duplicates, later invalidityDate), and the scope of `Crl::is_complete_for`.
//! CRLs come from rcgen; features rcgen cannot write are added by editing the decoded
//! TBSCertList and re-signing it with the CA key.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use const_oid::db::rfc5280::{
    ID_CE_CERTIFICATE_ISSUER, ID_CE_CRL_REASONS, ID_CE_DELTA_CRL_INDICATOR, ID_CE_INVALIDITY_DATE,
    ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::asn1::{BitString, GeneralizedTime, OctetString};
use der::{Decode, Encode};
use modelsign_pki::{
    find_revocations, verify_chain, Certificate, ChainRequest, Crl, Error, LeafProfile, Time,
    TrustStore, VerifiedChain, ID_CE_EXPIRED_CERTS_ON_CRL,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    CrlIssuingDistributionPoint, CrlScope, DnType, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevokedCertParams, SerialNumber, SigningKey,
};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;

struct Ca {
    key: KeyPair,
    params: CertificateParams,
    cert: Certificate,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2040, 1, 1);
    params
}

fn root(cn: &str) -> Ca {
    let params = ca_params(cn);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Ca {
        key,
        params,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

fn intermediate(cn: &str, parent: &Ca) -> Ca {
    let params = ca_params(cn);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let iss = Issuer::from_params(&parent.params, &parent.key);
    let der = params.signed_by(&key, &iss).unwrap().der().to_vec();
    Ca {
        key,
        params,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

fn leaf(issuer: &Ca, serial: u64, crl_dp: Option<&str>) -> Certificate {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, "Signer");
    params.serial_number = Some(SerialNumber::from(serial));
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    if let Some(uri) = crl_dp {
        params.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![uri.to_owned()],
        }];
    }
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let iss = Issuer::from_params(&issuer.params, &issuer.key);
    Certificate::from_der(params.signed_by(&key, &iss).unwrap().der()).unwrap()
}

fn chain(leaf: &Certificate, intermediates: &[Certificate], root: &Ca) -> VerifiedChain {
    let trust = TrustStore::new(vec![root.cert.clone()], intermediates.to_vec());
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

fn entry(serial: u64, year: i32, month: u8) -> RevokedCertParams {
    RevokedCertParams {
        serial_number: SerialNumber::from(serial),
        revocation_time: rcgen::date_time_ymd(year, month, 1),
        reason_code: None,
        invalidity_date: None,
    }
}

fn rcgen_crl(
    issuer: &Ca,
    revoked: Vec<RevokedCertParams>,
    idp: Option<CrlIssuingDistributionPoint>,
) -> Vec<u8> {
    let params = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 1, 1),
        next_update: rcgen::date_time_ymd(2026, 2, 1),
        crl_number: SerialNumber::from(7u64),
        issuing_distribution_point: idp,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let iss = Issuer::from_params(&issuer.params, &issuer.key);
    params.signed_by(&iss).unwrap().der().to_vec()
}

/// An rcgen CRL of `issuer`, edited by `edit` and signed again with the issuer's key.
fn edited_crl(
    issuer: &Ca,
    revoked: Vec<RevokedCertParams>,
    edit: impl FnOnce(&mut TbsCertList),
) -> Vec<u8> {
    let mut list = CertificateList::from_der(&rcgen_crl(issuer, revoked, None)).unwrap();
    edit(&mut list.tbs_cert_list);
    let tbs = list.tbs_cert_list.to_der().unwrap();
    let signature = issuer.key.sign(&tbs).unwrap();
    list.signature = BitString::from_bytes(&signature).unwrap();
    list.to_der().unwrap()
}

fn extension(oid: const_oid::ObjectIdentifier, critical: bool, value: &[u8]) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_vec()).unwrap(),
    }
}

fn add_crl_extension(tbs: &mut TbsCertList, ext: Extension) {
    tbs.crl_extensions.get_or_insert_with(Vec::new).push(ext);
}

fn add_entry_extension(tbs: &mut TbsCertList, index: usize, ext: Extension) {
    let entries: &mut Vec<RevokedCert> = tbs.revoked_certificates.as_mut().unwrap();
    entries[index]
        .crl_entry_extensions
        .get_or_insert_with(Vec::new)
        .push(ext);
}

fn parse(der: &[u8]) -> Crl {
    Crl::from_pem_or_der(der).unwrap()
}

fn unsupported(reason: &'static str) -> Error {
    Error::CrlUnsupported {
        issuer: "CN=Scope CA".into(),
        reason,
    }
}

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

#[test]
fn a_delta_crl_is_refused_whatever_its_criticality() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    // deltaCRLIndicator ::= BaseCRLNumber (INTEGER 6).
    for critical in [true, false] {
        let der = edited_crl(&ca, vec![], |tbs| {
            add_crl_extension(
                tbs,
                extension(ID_CE_DELTA_CRL_INDICATOR, critical, &[0x02, 0x01, 0x06]),
            );
        });
        let expected = unsupported("it is a delta CRL (deltaCRLIndicator): give the complete CRL");
        let crl = parse(&der);
        assert_eq!(
            find_revocations(&chain, std::slice::from_ref(&crl)),
            Err(expected.clone())
        );
        assert_eq!(crl.is_complete_for(&chain, 0), Err(expected));
    }
}

#[test]
fn crls_partitioned_by_reason_or_for_attribute_certificates_are_refused() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    // IssuingDistributionPoint { onlySomeReasons [3] { keyCompromise } }
    let only_some_reasons = [0x30, 0x04, 0x83, 0x02, 0x06, 0x40];
    // IssuingDistributionPoint { onlyContainsAttributeCerts [5] TRUE }
    let attribute_certs = [0x30, 0x03, 0x85, 0x01, 0xFF];
    for (idp, reason) in [
        (
            &only_some_reasons[..],
            "CRLs partitioned by reason (onlySomeReasons) are not supported",
        ),
        (
            &attribute_certs[..],
            "it covers attribute certificates only",
        ),
    ] {
        let der = edited_crl(&ca, vec![entry(0x10, 2025, 6)], |tbs| {
            add_crl_extension(tbs, extension(ID_CE_ISSUING_DISTRIBUTION_POINT, true, idp));
        });
        assert_eq!(
            find_revocations(&chain, &[parse(&der)]),
            Err(unsupported(reason))
        );
    }
}

#[test]
fn an_entry_with_remove_from_crl_or_certificate_issuer_is_refused() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    // CRLReason ENUMERATED removeFromCRL (8): listed, yet meant as "not revoked".
    let remove = edited_crl(&ca, vec![entry(0x10, 2025, 6)], |tbs| {
        add_entry_extension(
            tbs,
            0,
            extension(ID_CE_CRL_REASONS, false, &[0x0A, 0x01, 0x08]),
        );
    });
    assert_eq!(
        find_revocations(&chain, &[parse(&remove)]),
        Err(unsupported(
            "an entry has reasonCode removeFromCRL, which only delta CRLs may use"
        ))
    );
    // certificateIssuer (even non-critical) makes the entry about another CA's serial.
    // GeneralNames { directoryName [4] { Name: SEQUENCE {} } }
    let other = edited_crl(&ca, vec![entry(0x10, 2025, 6)], |tbs| {
        add_entry_extension(
            tbs,
            0,
            extension(
                ID_CE_CERTIFICATE_ISSUER,
                false,
                &[0x30, 0x04, 0xA4, 0x02, 0x30, 0x00],
            ),
        );
    });
    assert_eq!(
        find_revocations(&chain, &[parse(&other)]),
        Err(unsupported(
            "an entry has a certificateIssuer (indirect CRLs are not supported)"
        ))
    );
}

#[test]
fn a_crl_whose_next_update_precedes_this_update_does_not_load() {
    let ca = root("Scope CA");
    let der = edited_crl(&ca, vec![], |tbs| {
        tbs.next_update = Some(x509_cert::time::Time::GeneralTime(
            GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1_700_000_000))
                .unwrap(),
        ));
    });
    assert_eq!(
        Crl::from_pem_or_der(&der).unwrap_err(),
        unsupported("its nextUpdate is before its thisUpdate")
    );
}

#[test]
fn every_duplicate_entry_is_reported() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    // The first entry is the later one: a lookup that stops there loses the early date.
    let crl = parse(&rcgen_crl(
        &ca,
        vec![entry(0x10, 2025, 12), entry(0x10, 2025, 3)],
        None,
    ));
    let found = find_revocations(&chain, &[crl]).unwrap();
    let mut dates: Vec<Time> = found.iter().map(|r| r.effective_time()).collect();
    dates.sort();
    assert_eq!(
        dates,
        vec![t("2025-03-01T00:00:00Z"), t("2025-12-01T00:00:00Z")]
    );
}

#[test]
fn an_invalidity_date_after_the_revocation_date_does_not_postpone_it() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    let mut late = entry(0x10, 2025, 3);
    late.invalidity_date = Some(rcgen::date_time_ymd(2025, 9, 1));
    let mut early = entry(0x10, 2025, 3);
    early.invalidity_date = Some(rcgen::date_time_ymd(2024, 9, 1));
    let found = find_revocations(&chain, &[parse(&rcgen_crl(&ca, vec![late], None))]).unwrap();
    assert_eq!(found[0].invalidity_date, Some(t("2025-09-01T00:00:00Z")));
    assert_eq!(found[0].effective_time(), t("2025-03-01T00:00:00Z"));
    let found = find_revocations(&chain, &[parse(&rcgen_crl(&ca, vec![early], None))]).unwrap();
    assert_eq!(found[0].effective_time(), t("2024-09-01T00:00:00Z"));
}

#[test]
fn invalidity_date_written_by_hand_is_read() {
    // rcgen writes invalidityDate; check a hand-written one too (GeneralizedTime DER).
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    let g = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(1_735_689_600))
        .unwrap()
        .to_der()
        .unwrap();
    let der = edited_crl(&ca, vec![entry(0x10, 2025, 6)], |tbs| {
        add_entry_extension(tbs, 0, extension(ID_CE_INVALIDITY_DATE, false, &g));
    });
    let found = find_revocations(&chain, &[parse(&der)]).unwrap();
    assert_eq!(found[0].effective_time(), t("2025-01-01T00:00:00Z"));
}

#[test]
fn scope_user_or_ca_certificates_only() {
    let ca = root("Scope CA");
    let inter = intermediate("Scope Intermediate", &ca);
    let leaf = leaf(&inter, 0x10, None);
    let chain = chain(&leaf, std::slice::from_ref(&inter.cert), &ca);
    let idp = |scope| CrlIssuingDistributionPoint {
        distribution_point: CrlDistributionPoint {
            uris: vec!["http://crl.example/scope.crl".into()],
        },
        scope: Some(scope),
    };
    // rcgen always writes a distribution point with the scope: give the certificates none,
    // then a DP-less IDP from an edit isolates the scope flags.
    let user_only = edited_crl(&ca, vec![], |tbs| {
        add_crl_extension(
            tbs,
            extension(
                ID_CE_ISSUING_DISTRIBUTION_POINT,
                true,
                &[0x30, 0x03, 0x81, 0x01, 0xFF],
            ),
        );
    });
    let ca_only = edited_crl(&ca, vec![], |tbs| {
        add_crl_extension(
            tbs,
            extension(
                ID_CE_ISSUING_DISTRIBUTION_POINT,
                true,
                &[0x30, 0x03, 0x82, 0x01, 0xFF],
            ),
        );
    });
    // Index 1 is the intermediate, a CA certificate, whose issuer is the root.
    assert!(!parse(&user_only).is_complete_for(&chain, 1).unwrap());
    assert!(parse(&ca_only).is_complete_for(&chain, 1).unwrap());
    // The root's CRL is not the leaf's issuer's CRL at all.
    assert!(!parse(&ca_only).is_complete_for(&chain, 0).unwrap());
    // The intermediate's user-only CRL covers the leaf; its CA-only CRL does not.
    let inter_user = parse(&rcgen_crl(
        &inter,
        vec![],
        Some(idp(CrlScope::UserCertsOnly)),
    ));
    let inter_ca = parse(&rcgen_crl(&inter, vec![], Some(idp(CrlScope::CaCertsOnly))));
    // (the leaf has no cRLDistributionPoints, so rcgen's DP name already puts it out of
    // scope: see the distribution point test; here only the flags differ)
    assert!(!inter_user.is_complete_for(&chain, 0).unwrap());
    assert!(!inter_ca.is_complete_for(&chain, 0).unwrap());
    // The anchor is never covered, and indexes past the chain are not an error.
    assert!(!parse(&ca_only).is_complete_for(&chain, 2).unwrap());
    assert!(!parse(&ca_only).is_complete_for(&chain, 9).unwrap());
}

#[test]
fn a_crl_of_another_distribution_point_partition_does_not_cover() {
    let ca = root("Scope CA");
    let in_a = leaf(&ca, 0x10, Some("http://crl.example/a.crl"));
    let in_b = leaf(&ca, 0x11, Some("http://crl.example/b.crl"));
    let no_dp = leaf(&ca, 0x12, None);
    let partition_a = parse(&rcgen_crl(
        &ca,
        vec![entry(0x11, 2025, 6)],
        Some(CrlIssuingDistributionPoint {
            distribution_point: CrlDistributionPoint {
                uris: vec!["http://crl.example/a.crl".into()],
            },
            scope: Some(CrlScope::UserCertsOnly),
        }),
    ));
    assert!(partition_a
        .is_complete_for(&chain(&in_a, &[], &ca), 0)
        .unwrap());
    let chain_b = chain(&in_b, &[], &ca);
    assert!(!partition_a.is_complete_for(&chain_b, 0).unwrap());
    assert!(!partition_a
        .is_complete_for(&chain(&no_dp, &[], &ca), 0)
        .unwrap());
    // An entry is still honoured out of scope: the serial of that issuer is revoked.
    let found = find_revocations(&chain_b, &[partition_a]).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].serial_hex, "11");
}

#[test]
fn a_crl_without_idp_is_complete_for_its_issuers_certificates_only() {
    let ca = root("Scope CA");
    let inter = intermediate("Scope Intermediate", &ca);
    let leaf = leaf(&inter, 0x10, None);
    let chain = chain(&leaf, std::slice::from_ref(&inter.cert), &ca);
    let inter_crl = parse(&rcgen_crl(&inter, vec![], None));
    let root_crl = parse(&rcgen_crl(&ca, vec![], None));
    assert!(inter_crl.is_complete_for(&chain, 0).unwrap());
    assert!(!inter_crl.is_complete_for(&chain, 1).unwrap());
    assert!(root_crl.is_complete_for(&chain, 1).unwrap());
    assert!(!root_crl.is_complete_for(&chain, 0).unwrap());
    // A CRL that claims the intermediate's name with another key is an error, not "no".
    let impostor = root("Scope Intermediate");
    let forged = parse(&rcgen_crl(&impostor, vec![], None));
    assert_eq!(
        forged.is_complete_for(&chain, 0),
        Err(Error::CrlSignature {
            issuer: "CN=Scope Intermediate".into()
        })
    );
}

#[test]
fn an_unknown_critical_crl_extension_is_refused() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    let chain = chain(&leaf, &[], &ca);
    let der = edited_crl(&ca, vec![], |tbs| {
        add_crl_extension(
            tbs,
            extension("1.3.6.1.4.1.99999.1".parse().unwrap(), true, &[0x05, 0x00]),
        );
    });
    assert_eq!(
        parse(&der).is_complete_for(&chain, 0),
        Err(unsupported("unknown critical CRL extension"))
    );
}

fn x509_time(rfc3339: &str) -> x509_cert::time::Time {
    let secs = u64::try_from(t(rfc3339).unix_seconds()).unwrap();
    x509_cert::time::Time::UtcTime(
        der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(secs)).unwrap(),
    )
}

fn generalized(rfc3339: &str) -> Vec<u8> {
    let secs = u64::try_from(t(rfc3339).unix_seconds()).unwrap();
    GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .unwrap()
        .to_der()
        .unwrap()
}

/// A CRL of `ca` issued on 2031-01-01 (after the test leaf's notAfter, 2030-01-01) with
/// the given CRL extensions.
fn crl_after_expiry(ca: &Ca, extensions: Vec<Extension>) -> Crl {
    parse(&edited_crl(ca, vec![], |tbs| {
        tbs.this_update = x509_time("2031-01-01T00:00:00Z");
        tbs.next_update = Some(x509_time("2031-02-01T00:00:00Z"));
        for ext in extensions {
            add_crl_extension(tbs, ext);
        }
    }))
}

#[test]
fn a_crl_issued_after_the_certificate_expired_vouches_only_with_expired_certs_on_crl() {
    let ca = root("Scope CA");
    let leaf = leaf(&ca, 0x10, None);
    assert_eq!(leaf.not_after(), t("2030-01-01T00:00:00Z"));
    let chain = chain(&leaf, &[], &ca);
    // Issued before notAfter: it still lists the certificate if revoked.
    let current = parse(&rcgen_crl(&ca, vec![], None));
    assert_eq!(current.expired_certs_on_crl(), None);
    assert!(current.keeps_entries_for(&leaf).unwrap());
    // Issued after notAfter without the extension: the CA may have dropped the entry.
    let late = crl_after_expiry(&ca, vec![]);
    assert!(late.is_complete_for(&chain, 0).unwrap());
    assert!(!late.keeps_entries_for(&leaf).unwrap());
    // One that still lists the certificate evidently kept its entry.
    let listing = parse(&edited_crl(&ca, vec![entry(0x10, 2029, 6)], |tbs| {
        tbs.this_update = x509_time("2031-01-01T00:00:00Z");
        tbs.next_update = Some(x509_time("2031-02-01T00:00:00Z"));
    }));
    assert!(listing.keeps_entries_for(&leaf).unwrap());
    // With ExpiredCertsOnCRL at or before notAfter (critical or not): entries kept.
    for (since, critical, keeps) in [
        ("2029-06-01T00:00:00Z", false, true),
        ("2030-01-01T00:00:00Z", true, true),
        ("2030-01-01T00:00:01Z", false, false),
        ("2030-06-01T00:00:00Z", true, false),
    ] {
        let crl = crl_after_expiry(
            &ca,
            vec![extension(
                ID_CE_EXPIRED_CERTS_ON_CRL,
                critical,
                &generalized(since),
            )],
        );
        assert_eq!(crl.expired_certs_on_crl(), Some(t(since)));
        assert!(crl.is_complete_for(&chain, 0).unwrap(), "{since}");
        assert_eq!(crl.keeps_entries_for(&leaf).unwrap(), keeps, "{since}");
    }
}

#[test]
fn a_malformed_or_repeated_expired_certs_on_crl_is_refused_when_parsed() {
    let ca = root("Scope CA");
    let with = |extensions: Vec<Extension>, after_expiry: bool| {
        Crl::from_pem_or_der(&edited_crl(&ca, vec![], |tbs| {
            if after_expiry {
                tbs.this_update = x509_time("2031-01-01T00:00:00Z");
                tbs.next_update = Some(x509_time("2031-02-01T00:00:00Z"));
            }
            for ext in extensions {
                add_crl_extension(tbs, ext);
            }
        }))
    };
    let utc = x509_time("2029-06-01T00:00:00Z").to_der().unwrap();
    let mut trailing = generalized("2029-06-01T00:00:00Z");
    trailing.push(0);
    // A UTCTime where a GeneralizedTime is required, or trailing bytes: refused even on a
    // CRL issued before the certificate expired, where the date would not be consulted.
    for value in [utc, trailing] {
        for after_expiry in [false, true] {
            assert!(
                matches!(
                    with(
                        vec![extension(ID_CE_EXPIRED_CERTS_ON_CRL, false, &value)],
                        after_expiry
                    ),
                    Err(Error::Der {
                        what: "CRL expiredCertsOnCRL",
                        ..
                    })
                ),
                "{value:02x?} after expiry: {after_expiry}"
            );
        }
    }
    let value = generalized("2029-06-01T00:00:00Z");
    assert_eq!(
        with(
            vec![
                extension(ID_CE_EXPIRED_CERTS_ON_CRL, false, &value),
                extension(ID_CE_EXPIRED_CERTS_ON_CRL, false, &value),
            ],
            false
        )
        .unwrap_err(),
        unsupported("expiredCertsOnCRL occurs twice")
    );
    // The well-formed one parses (the refusals above are about the value, not the edit).
    assert!(with(
        vec![extension(ID_CE_EXPIRED_CERTS_ON_CRL, false, &value)],
        false
    )
    .is_ok());
}
