//! Every profile parses back with `modelsign_pki` and carries exactly the intended
//! extensions, validity window, serial and key identifiers.

// Test helpers outside #[test] fns: a panic there is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_KP_CODE_SIGNING, ID_KP_TIME_STAMPING,
};
use der::Decode;
use modelsign_devpki::{
    crl, issue, issue_with_key, self_signed, self_signed_with_key, BasicConstraintsSpec,
    CertProfile, CertSpec, CustomProfile, Error, ExtendedKeyUsageSpec, IssuedCert, KeyUsageSpec,
    KeyUsages, RawExtension, RevokedEntry, UNKNOWN_EXTENSION_OID,
};
use modelsign_pki::{BasicConstraints, Certificate, KeyKind, SigningKey, Time};
use x509_cert::ext::pkix::AuthorityKeyIdentifier;

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

fn spec(cn: &str, profile: CertProfile, key: KeyKind) -> CertSpec {
    CertSpec::new(
        cn,
        profile,
        key,
        t("2026-01-01T00:00:00Z"),
        t("2027-01-01T00:00:00Z"),
    )
}

fn root(key: KeyKind) -> IssuedCert {
    self_signed(&spec("Test Root", CertProfile::Root, key)).unwrap()
}

fn authority_key_identifier(cert: &Certificate) -> Vec<u8> {
    let ext = cert
        .x509()
        .tbs_certificate()
        .extensions()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == ID_CE_AUTHORITY_KEY_IDENTIFIER)
        .expect("authorityKeyIdentifier present");
    assert!(!ext.critical, "RFC 5280 §4.2.1.1: AKI MUST be non-critical");
    let aki = AuthorityKeyIdentifier::from_der(ext.extn_value.as_bytes()).unwrap();
    aki.key_identifier.unwrap().as_bytes().to_vec()
}

fn extension_criticality(cert: &Certificate, oid: const_oid::ObjectIdentifier) -> Option<bool> {
    cert.x509()
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id == oid)
        .map(|e| e.critical)
}

#[test]
fn root_is_a_self_signed_ca_with_cert_and_crl_sign() {
    let root = root(KeyKind::EcdsaP384);
    let cert = &root.cert;
    assert!(cert.is_self_signed());
    assert_eq!(
        cert.basic_constraints().unwrap(),
        Some(BasicConstraints {
            critical: true,
            ca: true,
            path_len: None
        })
    );
    let ku = cert.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.key_cert_sign && ku.crl_sign);
    assert!(!ku.digital_signature && !ku.non_repudiation);
    assert_eq!(cert.extended_key_usage().unwrap(), None);
    let ski = cert.subject_key_identifier().expect("SKI present");
    assert_eq!(ski.len(), 20);
    assert_eq!(
        authority_key_identifier(cert),
        ski,
        "self-signed: AKI == own SKI"
    );
    assert_eq!(cert.subject(), "CN=Test Root");
    assert_eq!(cert.issuer(), cert.subject());
}

#[test]
fn intermediate_has_path_len_and_is_linked_to_its_issuer() {
    let root = root(KeyKind::EcdsaP256);
    let int = issue(
        &spec(
            "Test Int",
            CertProfile::Intermediate { path_len: Some(0) },
            KeyKind::EcdsaP256,
        )
        .with_organisation("Example Org"),
        &root,
    )
    .unwrap();
    let bc = int.cert.basic_constraints().unwrap().unwrap();
    assert!(bc.critical && bc.ca);
    assert_eq!(bc.path_len, Some(0));
    let ku = int.cert.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.key_cert_sign && ku.crl_sign);
    assert_eq!(int.cert.subject(), "CN=Test Int,O=Example Org");
    assert_eq!(int.cert.issuer(), root.cert.subject());
    assert_eq!(
        authority_key_identifier(&int.cert),
        root.cert.subject_key_identifier().unwrap()
    );
    assert!(!int.cert.is_self_signed());
    int.cert
        .verify_signed_by(&root.cert.public_key().unwrap())
        .unwrap();
}

#[test]
fn code_signing_leaf_has_non_critical_code_signing_eku_and_email() {
    let root = root(KeyKind::EcdsaP256);
    let leaf = issue(
        &spec("Signer", CertProfile::CodeSigningLeaf, KeyKind::EcdsaP256)
            .with_email("signer@example.invalid"),
        &root,
    )
    .unwrap();
    let eku = leaf.cert.extended_key_usage().unwrap().unwrap();
    assert!(!eku.critical);
    assert_eq!(eku.purposes, vec![ID_KP_CODE_SIGNING]);
    let ku = leaf.cert.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.digital_signature);
    assert!(!ku.key_cert_sign && !ku.crl_sign && !ku.non_repudiation);
    let bc = leaf.cert.basic_constraints().unwrap().unwrap();
    assert!(bc.critical && !bc.ca);
    let san = leaf
        .cert
        .x509()
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::SubjectAltName>()
        .unwrap()
        .unwrap();
    assert!(!san.0, "SAN non-critical when the subject is not empty");
    assert_eq!(
        san.1 .0,
        vec![x509_cert::ext::pkix::name::GeneralName::Rfc822Name(
            der::asn1::Ia5String::new("signer@example.invalid").unwrap()
        )]
    );
}

#[test]
fn time_stamping_leaf_has_critical_eku_with_only_time_stamping() {
    let root = root(KeyKind::EcdsaP384);
    let leaf = issue(
        &spec("TSA", CertProfile::TimeStampingLeaf, KeyKind::EcdsaP256),
        &root,
    )
    .unwrap();
    let eku = leaf.cert.extended_key_usage().unwrap().unwrap();
    assert!(eku.critical);
    assert_eq!(eku.purposes, vec![ID_KP_TIME_STAMPING]);
    let ku = leaf.cert.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.digital_signature && !ku.key_cert_sign);
    assert!(!leaf.cert.basic_constraints().unwrap().unwrap().ca);
    assert!(leaf.cert.subject_key_identifier().is_some());
}

#[test]
fn custom_profile_can_break_every_rule() {
    let root = root(KeyKind::EcdsaP256);
    let custom = CustomProfile {
        basic_constraints: Some(BasicConstraintsSpec {
            critical: false,
            ca: true,
            path_len: Some(3),
        }),
        key_usage: Some(KeyUsageSpec {
            critical: false,
            usages: KeyUsages::KeyEncipherment | KeyUsages::NonRepudiation,
        }),
        extended_key_usage: Some(ExtendedKeyUsageSpec {
            critical: false,
            purposes: vec![ID_KP_TIME_STAMPING, ID_KP_CODE_SIGNING],
        }),
        extra_extensions: vec![RawExtension::unknown_critical()],
    };
    let leaf = issue(
        &spec("Broken", CertProfile::Custom(custom), KeyKind::EcdsaP256),
        &root,
    )
    .unwrap();
    assert_eq!(
        leaf.cert.basic_constraints().unwrap(),
        Some(BasicConstraints {
            critical: false,
            ca: true,
            path_len: Some(3)
        })
    );
    let ku = leaf.cert.key_usage().unwrap().unwrap();
    assert!(!ku.critical && ku.key_encipherment && ku.non_repudiation && !ku.digital_signature);
    let eku = leaf.cert.extended_key_usage().unwrap().unwrap();
    assert!(!eku.critical);
    assert_eq!(eku.purposes, vec![ID_KP_TIME_STAMPING, ID_KP_CODE_SIGNING]);
    assert_eq!(
        extension_criticality(&leaf.cert, UNKNOWN_EXTENSION_OID),
        Some(true)
    );
}

#[test]
fn custom_profile_with_nothing_has_only_key_identifiers() {
    let root = root(KeyKind::EcdsaP256);
    let bare = issue(
        &spec(
            "Bare",
            CertProfile::Custom(CustomProfile::default()),
            KeyKind::EcdsaP256,
        ),
        &root,
    )
    .unwrap();
    assert_eq!(bare.cert.basic_constraints().unwrap(), None);
    assert_eq!(bare.cert.key_usage().unwrap(), None);
    assert_eq!(bare.cert.extended_key_usage().unwrap(), None);
    let oids: Vec<_> = bare
        .cert
        .x509()
        .tbs_certificate()
        .extensions()
        .unwrap()
        .iter()
        .map(|e| e.extn_id)
        .collect();
    assert_eq!(
        oids,
        vec![
            ID_CE_AUTHORITY_KEY_IDENTIFIER,
            const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER
        ]
    );
}

#[test]
fn time_stamping_profile_with_non_critical_eku_is_one_field_away() {
    let mut custom = CertProfile::TimeStampingLeaf.extensions();
    custom.extended_key_usage.as_mut().unwrap().critical = false;
    let root = root(KeyKind::EcdsaP256);
    let leaf = issue(
        &spec(
            "TSA noncrit",
            CertProfile::Custom(custom),
            KeyKind::EcdsaP256,
        ),
        &root,
    )
    .unwrap();
    let eku = leaf.cert.extended_key_usage().unwrap().unwrap();
    assert!(!eku.critical);
    assert_eq!(eku.purposes, vec![ID_KP_TIME_STAMPING]);
    assert!(leaf.cert.key_usage().unwrap().unwrap().critical);
}

#[test]
fn validity_windows_are_exact_in_the_past_future_and_outside_utctime() {
    let root = root(KeyKind::EcdsaP256);
    for (nb, na) in [
        // expired long ago
        ("2001-02-03T04:05:06Z", "2002-02-03T04:05:06Z"),
        // not yet valid
        ("2040-05-06T07:08:09Z", "2041-05-06T07:08:09Z"),
        // last UTCTime second, first GeneralizedTime second (RFC 5280 §4.1.2.5). Dates
        // before 1970 are not tested: `der` 0.8 cannot decode them, so pki cannot either.
        ("2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z"),
        // RFC 5280 "no well-defined expiration date"
        ("2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),
        // inverted window, for malformed-certificate tests
        ("2030-01-01T00:00:00Z", "2029-01-01T00:00:00Z"),
    ] {
        let s = CertSpec::new(
            "Window",
            CertProfile::CodeSigningLeaf,
            KeyKind::EcdsaP256,
            t(nb),
            t(na),
        );
        let leaf = issue(&s, &root).unwrap();
        assert_eq!(leaf.cert.not_before(), t(nb), "notBefore of {nb}..{na}");
        assert_eq!(leaf.cert.not_after(), t(na), "notAfter of {nb}..{na}");
    }
}

#[test]
fn sub_second_validity_is_truncated_to_whole_seconds() {
    let nb = Time::from_unix(1_800_000_000, 999_999_999).unwrap();
    let na = Time::from_unix(1_900_000_000, 1).unwrap();
    let cert = self_signed(&CertSpec::new(
        "Frac",
        CertProfile::Root,
        KeyKind::EcdsaP256,
        nb,
        na,
    ))
    .unwrap()
    .cert;
    assert_eq!(
        cert.not_before(),
        Time::from_unix(1_800_000_000, 0).unwrap()
    );
    assert_eq!(cert.not_after(), Time::from_unix(1_900_000_000, 0).unwrap());
}

#[test]
fn every_key_kind_signs_and_is_signed() {
    let kinds = [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::EcdsaP521,
        KeyKind::Ed25519,
        KeyKind::Rsa { bits: 2048 },
        KeyKind::Rsa { bits: 3072 },
    ];
    for kind in kinds {
        let ca = root(kind);
        assert!(ca.cert.is_self_signed(), "{kind:?} root");
        assert_eq!(ca.cert.public_key().unwrap().kind(), kind);
        // Cross over to another kind so issuer and subject algorithms differ.
        let leaf_kind = if kind == KeyKind::EcdsaP256 {
            KeyKind::Ed25519
        } else {
            KeyKind::EcdsaP256
        };
        let leaf = issue(&spec("Leaf", CertProfile::CodeSigningLeaf, leaf_kind), &ca).unwrap();
        assert_eq!(leaf.cert.public_key().unwrap().kind(), leaf_kind);
        assert_eq!(
            leaf.key.public_key().spki_der(),
            leaf.cert.public_key().unwrap().spki_der()
        );
        leaf.cert
            .verify_signed_by(&ca.cert.public_key().unwrap())
            .unwrap_or_else(|e| panic!("{kind:?} issuer signature: {e}"));
    }
}

#[test]
fn random_serials_are_positive_16_bytes_and_distinct() {
    let a = root(KeyKind::EcdsaP256);
    let b = root(KeyKind::EcdsaP256);
    for cert in [&a.cert, &b.cert] {
        let bytes = cert.x509().tbs_certificate().serial_number().as_bytes();
        assert_eq!(bytes.len(), 16, "no 0x00 pad: top bit clear, next bit set");
        assert_eq!(bytes[0] & 0xc0, 0x40);
    }
    assert_ne!(a.cert.serial_hex(), b.cert.serial_hex());
}

#[test]
fn chosen_serial_is_written() {
    let cert = self_signed(
        &spec("S", CertProfile::Root, KeyKind::EcdsaP256).with_serial(vec![0x01, 0x02, 0xff]),
    )
    .unwrap()
    .cert;
    assert_eq!(cert.serial_hex(), "0102ff");
    // High bit set: written as a positive INTEGER with a 0x00 pad.
    let cert =
        self_signed(&spec("S", CertProfile::Root, KeyKind::EcdsaP256).with_serial(vec![0x80]))
            .unwrap()
            .cert;
    assert_eq!(
        cert.x509().tbs_certificate().serial_number().as_bytes(),
        &[0x00, 0x80]
    );
}

#[test]
fn oversized_or_empty_serial_is_rejected() {
    for serial in [vec![], vec![1u8; 21]] {
        let len = serial.len();
        let err =
            self_signed(&spec("S", CertProfile::Root, KeyKind::EcdsaP256).with_serial(serial))
                .unwrap_err();
        assert!(
            matches!(err, Error::InvalidSerial { len: l, max: 20, .. } if l == len),
            "{err}"
        );
    }
}

#[test]
fn existing_key_is_reused_and_kind_mismatch_is_refused() {
    let key = SigningKey::generate(KeyKind::EcdsaP384).unwrap();
    let spki = key.public_key().spki_der().to_vec();
    let ca =
        self_signed_with_key(&spec("Rekeyed", CertProfile::Root, KeyKind::EcdsaP384), key).unwrap();
    assert_eq!(ca.cert.public_key().unwrap().spki_der(), spki.as_slice());

    let key = SigningKey::generate(KeyKind::Ed25519).unwrap();
    let err = issue_with_key(
        &spec("Leaf", CertProfile::CodeSigningLeaf, KeyKind::EcdsaP256),
        key,
        &ca,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::KeyKindMismatch {
                expected: KeyKind::EcdsaP256,
                actual: KeyKind::Ed25519,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn non_ascii_email_is_rejected_with_the_field_named() {
    let err = self_signed(
        &spec("E", CertProfile::CodeSigningLeaf, KeyKind::EcdsaP256)
            .with_email("jörg@example.invalid"),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidName {
                field: "e-mail",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn issuer_loaded_from_openssl_files_can_issue() {
    // An issuer made by OpenSSL, loaded from PEM files: the child's issuer must equal the
    // issuer's subject (checked byte for byte inside `issue`) and its AKI the issuer's SKI.
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/openssl-tsa/intermediate.crt"
    ))
    .unwrap();
    let key = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/openssl-tsa/intermediate.key"
    ))
    .unwrap();
    let issuer = IssuedCert {
        key: SigningKey::from_pem_or_der(&key, None).unwrap(),
        cert: modelsign_pki::certificates_from_pem(&pem)
            .unwrap()
            .remove(0),
    };
    let leaf = issue(
        &spec("Child", CertProfile::CodeSigningLeaf, KeyKind::EcdsaP256),
        &issuer,
    )
    .unwrap();
    assert_eq!(leaf.cert.issuer(), issuer.cert.subject());
    leaf.cert
        .verify_signed_by(&issuer.cert.public_key().unwrap())
        .unwrap();
    if let Some(ski) = issuer.cert.subject_key_identifier() {
        assert_eq!(authority_key_identifier(&leaf.cert), ski);
    }
}

#[test]
fn crl_lists_entries_and_is_signed_by_the_issuer() {
    let ca = root(KeyKind::EcdsaP256);
    let leaf = issue(
        &spec("Revoked", CertProfile::CodeSigningLeaf, KeyKind::EcdsaP256),
        &ca,
    )
    .unwrap();
    let mut entry = RevokedEntry::for_certificate(&leaf.cert, t("2026-03-01T00:00:00Z"));
    entry.invalidity_date = Some(t("2026-02-01T12:00:00Z"));
    entry.reason = Some(modelsign_devpki::RevocationReason::KeyCompromise);
    let der = crl(
        &ca,
        &[entry],
        t("2026-03-01T00:00:00Z"),
        t("2026-04-01T00:00:00Z"),
    )
    .unwrap();

    let parsed: x509_cert::crl::CertificateList =
        x509_cert::crl::CertificateList::from_der(&der).unwrap();
    let tbs = &parsed.tbs_cert_list;
    assert_eq!(tbs.issuer.to_string(), ca.cert.subject());
    let revoked = tbs.revoked_certificates.as_ref().unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0].serial_number.as_bytes(),
        leaf.cert
            .x509()
            .tbs_certificate()
            .serial_number()
            .as_bytes()
    );
    let exts = revoked[0].crl_entry_extensions.as_ref().unwrap();
    let oids: Vec<_> = exts.iter().map(|e| e.extn_id).collect();
    assert_eq!(
        oids,
        vec![
            const_oid::db::rfc5280::ID_CE_CRL_REASONS,
            const_oid::db::rfc5280::ID_CE_INVALIDITY_DATE
        ]
    );
    // The CRL signature verifies with the issuer's key over the exact tbsCertList bytes.
    let tbs_der = der::Encode::to_der(tbs).unwrap();
    let scheme = modelsign_pki::SignatureScheme::Ecdsa(modelsign_pki::HashAlgorithm::Sha256);
    ca.cert
        .public_key()
        .unwrap()
        .verify(scheme, &tbs_der, parsed.signature.raw_bytes())
        .unwrap();
}

#[test]
fn crl_with_next_update_not_after_this_update_is_refused() {
    let ca = root(KeyKind::EcdsaP256);
    let now = t("2026-03-01T00:00:00Z");
    let err = crl(&ca, &[], now, now).unwrap_err();
    assert!(matches!(err, Error::CrlValidity { .. }), "{err}");
}

#[test]
fn empty_crl_has_no_revoked_list() {
    let ca = root(KeyKind::Ed25519);
    let der = crl(
        &ca,
        &[],
        t("2026-03-01T00:00:00Z"),
        t("2026-03-02T00:00:00Z"),
    )
    .unwrap();
    let parsed: x509_cert::crl::CertificateList =
        x509_cert::crl::CertificateList::from_der(&der).unwrap();
    assert!(parsed.tbs_cert_list.revoked_certificates.is_none());
    assert_eq!(
        parsed.tbs_cert_list.this_update.to_unix_duration(),
        Duration::from_secs(1_772_323_200)
    );
}
