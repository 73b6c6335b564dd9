//! One test per verification rule of rfc3161-rules.md §5 (and §4 for `check_response`):
//! tokens are forged from scratch with certificates generated here (tests/support/forge.rs),
//! each breaking exactly one rule, and the exact error variant is asserted. The first test
//! shows the unbroken token verifies, so every failure below is caused by its one change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use modelsign_devpki::{issue, self_signed, CertProfile, CertSpec};
use modelsign_pki::{Error as PkiError, HashAlgorithm, KeyKind, ProfileViolation};
use modelsign_tsp::asn1::Accuracy;
use modelsign_tsp::trust::{TsaAuthority, TsaTrust, ValidityWindow};
use modelsign_tsp::verify::{
    verify_timestamp, Datum, VerificationError as V, VerifiedTimestamp, VerifyOptions,
};
use modelsign_tsp::Error;
use support::forge::{
    self, good_pki, granted, int, t, token, tsa_pki, tsa_profile, Ess, Spec, TsaPki, DATUM,
    ID_DATA, ID_KP_CODE_SIGNING, ID_KP_TIME_STAMPING, ID_SHA1,
};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extension;

fn trust_for(pki: &TsaPki) -> TsaTrust {
    TsaTrust::from_authorities(vec![TsaAuthority::new(
        "test authority",
        vec![pki.root.cert.clone()],
        pki.intermediate.iter().map(|i| i.cert.clone()).collect(),
    )])
    .unwrap()
}

fn verify(der: &[u8], trust: &TsaTrust) -> Result<VerifiedTimestamp, Error> {
    verify_timestamp(der, Datum::Data(DATUM), trust, &VerifyOptions::default())
}

/// Forge with `spec` under the good PKI and verify against its root.
fn check(spec: Spec) -> Result<VerifiedTimestamp, Error> {
    let pki = good_pki();
    verify(&granted(&spec, &pki), &trust_for(&pki))
}

macro_rules! assert_rejects {
    ($result:expr, $pat:pat $(if $guard:expr)?) => {
        match $result {
            Err(Error::Verification($pat)) $(if $guard)? => {}
            other => panic!(
                "expected {}, got {:?}",
                stringify!($pat),
                other.map(|v| v.gen_time())
            ),
        }
    };
}

#[test]
fn forged_baseline_verifies_with_every_field_reported() {
    let pki = good_pki();
    let v = verify(&granted(&Spec::default(), &pki), &trust_for(&pki)).unwrap();
    assert_eq!(v.gen_time(), t("2025-06-01T12:00:00Z"));
    assert_eq!(v.latest_time(), t("2025-06-01T12:00:01Z"));
    assert_eq!(v.accuracy().map(|a| a.seconds), Some(1));
    assert_eq!(v.hash_algorithm(), HashAlgorithm::Sha256);
    assert_eq!(v.imprint(), HashAlgorithm::Sha256.digest(DATUM).as_slice());
    assert_eq!(v.policy(), forge::POLICY);
    assert_eq!(v.serial_hex(), "0abc");
    assert_eq!(v.tsa_certificate(), &pki.leaf.cert);
    assert_eq!(v.chain().anchor(), &pki.root.cert);
    assert_eq!(v.authority_id(), 0);
    assert_eq!(v.authority_name(), "test authority");
    assert!(!v.tsa_chain_expired_at(t("2029-12-31T00:00:00Z")));
    assert!(v.tsa_chain_expired_at(t("2030-01-02T00:00:00Z")));
    // The bare token (ContentInfo) form is accepted too (rfc3161-rules §5.2).
    let bare = token(&Spec::default(), &pki.leaf, &pki.chain_without_root());
    verify(&bare, &trust_for(&pki)).unwrap();
    // And the digest form of the datum.
    let digest = HashAlgorithm::Sha256.digest(DATUM);
    verify_timestamp(
        &bare,
        Datum::Digest(HashAlgorithm::Sha256, &digest),
        &trust_for(&pki),
        &VerifyOptions::default(),
    )
    .unwrap();
}

// ---- §5.1 / §5.2 / §5.3 -----------------------------------------------------------------

#[test]
fn oversized_input_is_refused_before_parsing() {
    let pki = good_pki();
    let big = vec![0x30; modelsign_tsp::verify::MAX_SIGNED_TIMESTAMP_LEN + 1];
    assert_rejects!(verify(&big, &trust_for(&pki)), V::TooLarge { .. });
}

#[test]
fn trailing_bytes_are_rejected() {
    let pki = good_pki();
    let mut der = granted(&Spec::default(), &pki);
    der.push(0);
    assert!(matches!(
        verify(&der, &trust_for(&pki)),
        Err(Error::Ber { .. } | Error::Structure { .. })
    ));
}

#[test]
fn rejection_status_is_not_a_timestamp() {
    let pki = good_pki();
    let der = forge::response(None, 2);
    assert!(matches!(
        verify(&der, &trust_for(&pki)),
        Err(Error::NotGranted { .. })
    ));
}

#[test]
fn granted_with_mods_is_accepted_and_fully_checked() {
    let pki = good_pki();
    let tok = token(&Spec::default(), &pki.leaf, &pki.chain_without_root());
    verify(&forge::response(Some(&tok), 1), &trust_for(&pki)).unwrap();
    // Status 1 still gets the strict imprint check.
    let r = verify_timestamp(
        &forge::response(Some(&tok), 1),
        Datum::Data(b"other"),
        &trust_for(&pki),
        &VerifyOptions::default(),
    );
    assert_rejects!(r, V::ImprintMismatch { .. });
}

// ---- §5.4 envelope ----------------------------------------------------------------------

#[test]
fn econtent_type_must_be_tst_info() {
    // eContentType id-data with a matching contentType attribute: only the envelope rule fails.
    let spec = Spec {
        econtent_type: ID_DATA,
        content_type_attr: Some(ID_DATA),
        ..Spec::default()
    };
    let r = check(spec);
    assert!(
        matches!(
            r,
            Err(Error::Verification(V::EContentType { .. })) | Err(Error::Structure { .. })
        ),
        "{r:?}"
    );
}

#[test]
fn two_signer_infos_are_rejected() {
    assert_rejects!(
        check(Spec {
            signer_infos: 2,
            ..Spec::default()
        }),
        V::SignerInfoCount { count: 2 }
    );
}

// ---- §5.5 TSTInfo -----------------------------------------------------------------------

#[test]
fn tst_info_version_must_be_1() {
    assert_rejects!(
        check(Spec {
            version: vec![2],
            ..Spec::default()
        }),
        V::TstInfoVersion { version: 2 }
    );
}

#[test]
fn pinned_policy_must_match() {
    let pki = good_pki();
    let der = granted(&Spec::default(), &pki);
    let other: ObjectIdentifier = "1.2.3.4.1".parse().unwrap();
    let r = verify_timestamp(
        &der,
        Datum::Data(DATUM),
        &trust_for(&pki),
        &VerifyOptions {
            policy: Some(other),
        },
    );
    assert_rejects!(r, V::PolicyMismatch { .. });
    let ok = verify_timestamp(
        &der,
        Datum::Data(DATUM),
        &trust_for(&pki),
        &VerifyOptions {
            policy: Some(forge::POLICY),
        },
    );
    assert!(ok.is_ok());
}

#[test]
fn sha1_and_md5_imprints_are_rejected() {
    assert_rejects!(
        check(Spec {
            imprint_alg: ID_SHA1,
            ..Spec::default()
        }),
        V::ImprintAlgorithm { .. }
    );
    let md5: ObjectIdentifier = "1.2.840.113549.2.5".parse().unwrap();
    assert_rejects!(
        check(Spec {
            imprint_alg: md5,
            imprint: Some(vec![0; 16]),
            ..Spec::default()
        }),
        V::ImprintAlgorithm { .. }
    );
}

#[test]
fn imprint_length_must_fit_the_algorithm() {
    assert_rejects!(
        check(Spec {
            imprint: Some(vec![0; 20]),
            ..Spec::default()
        }),
        V::ImprintLength {
            algorithm: "sha256",
            expected: 32,
            actual: 20
        }
    );
}

#[test]
fn imprint_over_other_bytes_is_rejected() {
    let spec = Spec {
        datum: b"the payload, not the signature".to_vec(),
        ..Spec::default()
    };
    assert_rejects!(
        check(spec),
        V::ImprintMismatch {
            algorithm: "sha256",
            ..
        }
    );
}

#[test]
fn sha384_and_sha512_imprints_verify() {
    for alg in [HashAlgorithm::Sha384, HashAlgorithm::Sha512] {
        check(Spec {
            imprint_alg: alg.oid(),
            ..Spec::default()
        })
        .unwrap();
    }
}

#[test]
fn unknown_critical_extension_is_rejected_noncritical_ignored() {
    let ext = |critical| Extension {
        extn_id: "1.2.3.4.5.6.7".parse().unwrap(),
        critical,
        extn_value: OctetString::new(vec![0x05, 0x00]).unwrap(),
    };
    assert_rejects!(
        check(Spec {
            extensions: Some(vec![ext(true)]),
            ..Spec::default()
        }),
        V::UnknownCriticalExtension { .. }
    );
    check(Spec {
        extensions: Some(vec![ext(false)]),
        ..Spec::default()
    })
    .unwrap();
}

#[test]
fn bad_accuracy_is_rejected() {
    let acc = |s: Option<&[u8]>, m: Option<&[u8]>, u: Option<&[u8]>| Accuracy {
        seconds: s.map(int),
        millis: m.map(int),
        micros: u.map(int),
    };
    for bad in [
        acc(None, Some(&[0]), None),
        acc(None, Some(&[0x03, 0xe8]), None),
        acc(None, None, Some(&[0])),
        acc(Some(&[0xff]), None, None),
    ] {
        let r = check(Spec {
            accuracy: Some(bad.clone()),
            ..Spec::default()
        });
        assert!(
            matches!(r, Err(Error::AccuracyRange { .. })),
            "{bad:?}: {r:?}"
        );
    }
    // Two days: syntactically fine, but useless as a time bound.
    assert_rejects!(
        check(Spec {
            accuracy: Some(acc(Some(&[0x02, 0xa3, 0x00]), None, None)),
            ..Spec::default()
        }),
        V::AccuracyTooLarge {
            seconds: 172_800,
            ..
        }
    );
    let v = check(Spec {
        accuracy: Some(acc(None, Some(&[0x01, 0xf4]), Some(&[1]))),
        ..Spec::default()
    })
    .unwrap();
    assert_eq!(v.latest_time(), t("2025-06-01T12:00:00.500001Z"));
    let v = check(Spec {
        accuracy: None,
        ..Spec::default()
    })
    .unwrap();
    assert_eq!(v.latest_time(), v.gen_time());
}

// ---- §5.6 signed attributes -------------------------------------------------------------

#[test]
fn content_type_attribute_must_equal_econtent_type() {
    assert_rejects!(
        check(Spec {
            content_type_attr: Some(ID_DATA),
            ..Spec::default()
        }),
        V::ContentTypeAttributeMismatch { .. }
    );
    assert_rejects!(
        check(Spec {
            content_type_attr: None,
            ..Spec::default()
        }),
        V::MissingAttribute {
            name: "contentType"
        }
    );
}

#[test]
fn message_digest_must_cover_the_econtent() {
    assert_rejects!(
        check(Spec {
            message_digest: Some(vec![7; 32]),
            ..Spec::default()
        }),
        V::MessageDigestMismatch {
            algorithm: "sha256",
            ..
        }
    );
}

#[test]
fn stripped_ess_attribute_is_rejected() {
    assert_rejects!(
        check(Spec {
            ess: Ess::None,
            ..Spec::default()
        }),
        V::MissingSigningCertificate
    );
}

#[test]
fn wrong_ess_hash_is_rejected() {
    assert_rejects!(
        check(Spec {
            ess: Ess::V2Hash(vec![0x42; 32]),
            ..Spec::default()
        }),
        V::EssCertHashMismatch {
            attribute: "signingCertificateV2",
            ..
        }
    );
    assert_rejects!(
        check(Spec {
            ess: Ess::V1Hash(vec![0x42; 20]),
            ..Spec::default()
        }),
        V::EssCertHashMismatch {
            attribute: "signingCertificate",
            ..
        }
    );
}

#[test]
fn ess_variants_that_bind_the_signer_are_accepted() {
    for ess in [Ess::V1, Ess::Both, Ess::V2Sha384] {
        check(Spec {
            ess: ess.clone(),
            ..Spec::default()
        })
        .unwrap_or_else(|e| panic!("{ess:?}: {e}"));
    }
}

#[test]
fn ess_sha1_in_v2_and_empty_lists_are_rejected() {
    assert_rejects!(
        check(Spec {
            ess: Ess::V2Sha1,
            ..Spec::default()
        }),
        V::EssHashAlgorithm { .. }
    );
    assert_rejects!(
        check(Spec {
            ess: Ess::V2Empty,
            ..Spec::default()
        }),
        V::EssNoCertIds { .. }
    );
}

#[test]
fn ess_issuer_serial_must_name_the_signer_when_present() {
    let pki = good_pki();
    let serial = pki
        .leaf
        .cert
        .x509()
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec();
    let spec = Spec {
        ess: Ess::V2IssuerSerial(serial),
        ..Spec::default()
    };
    verify(&granted(&spec, &pki), &trust_for(&pki)).unwrap();
    let spec = Spec {
        ess: Ess::V2IssuerSerial(vec![0x01, 0x02, 0x03]),
        ..Spec::default()
    };
    assert_rejects!(
        verify(&granted(&spec, &pki), &trust_for(&pki)),
        V::EssIssuerSerialMismatch { .. }
    );
}

// ---- §5.7 / §5.8 signature and signer ---------------------------------------------------

#[test]
fn tampered_signature_is_rejected() {
    assert_rejects!(
        check(Spec {
            tamper_signature: true,
            ..Spec::default()
        }),
        V::BadSignature { .. }
    );
}

#[test]
fn every_signature_algorithm_verifies() {
    use modelsign_pki::SignatureScheme as S;
    use HashAlgorithm::{Sha256, Sha384, Sha512};
    let rsa = KeyKind::Rsa { bits: 2048 };
    let cases = [
        (KeyKind::EcdsaP256, S::Ecdsa(Sha256), Sha256),
        (KeyKind::EcdsaP384, S::Ecdsa(Sha384), Sha384),
        (KeyKind::EcdsaP521, S::Ecdsa(Sha512), Sha512),
        (KeyKind::Ed25519, S::Ed25519, Sha512),
        (rsa, S::RsaPkcs1(Sha256), Sha256),
        (rsa, S::RsaPkcs1(Sha384), Sha384),
        (rsa, S::RsaPkcs1(Sha512), Sha512),
        (rsa, S::RsaPss(Sha256), Sha256),
        (rsa, S::RsaPss(Sha384), Sha384),
    ];
    for (key, scheme, digest) in cases {
        let pki = tsa_pki("Alg", CertProfile::TimeStampingLeaf, key, false);
        let spec = Spec {
            digest,
            scheme: Some(scheme),
            ..Spec::default()
        };
        verify(&granted(&spec, &pki), &trust_for(&pki))
            .unwrap_or_else(|e| panic!("{key:?} {scheme:?}: {e}"));
        let tampered = Spec {
            tamper_signature: true,
            ..spec
        };
        assert_rejects!(
            verify(&granted(&tampered, &pki), &trust_for(&pki)),
            V::BadSignature { .. }
        );
    }
}

#[test]
fn signer_by_subject_key_identifier_verifies() {
    check(Spec {
        sid_ski: true,
        ..Spec::default()
    })
    .unwrap();
}

#[test]
fn token_without_certificates_needs_the_signer_from_configuration() {
    let pki = good_pki();
    let der = granted(
        &Spec {
            certs: Some(vec![]),
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(verify(&der, &trust_for(&pki)), V::SignerNotFound { .. });
    // The verifier supplies leaf and intermediate (a PEM trust store with the whole chain).
    let mut all = pki.chain_without_root();
    all.push(pki.root.cert.clone());
    verify(&der, &TsaTrust::from_certificates(all).unwrap()).unwrap();
}

#[test]
fn signer_is_chosen_by_sid_and_ess_never_by_position() {
    let pki = good_pki();
    // An attacker certificate with the same issuer name and serial as the real leaf, other key,
    // placed first in the bag: sid matches both, only the real one matches the ESS hash.
    let serial = pki
        .leaf
        .cert
        .x509()
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec();
    let fake_issuer = self_signed(&CertSpec::new(
        "Good intermediate",
        CertProfile::Root,
        KeyKind::EcdsaP256,
        t("2020-01-01T00:00:00Z"),
        t("2040-01-01T00:00:00Z"),
    ))
    .unwrap();
    let twin = issue(
        &CertSpec::new(
            "Good TSA",
            CertProfile::TimeStampingLeaf,
            KeyKind::EcdsaP256,
            t("2024-01-01T00:00:00Z"),
            t("2030-01-01T00:00:00Z"),
        )
        .with_serial(serial),
        &fake_issuer,
    )
    .unwrap();
    let mut bag = vec![twin.cert.clone()];
    bag.extend(pki.chain_without_root());
    let der = granted(
        &Spec {
            certs: Some(bag),
            ..Spec::default()
        },
        &pki,
    );
    let v = verify(&der, &trust_for(&pki)).unwrap();
    assert_eq!(v.tsa_certificate(), &pki.leaf.cert);
    // With only the twin in the bag, the ESS binding refuses it.
    let der = granted(
        &Spec {
            certs: Some(vec![twin.cert.clone()]),
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        verify(&der, &trust_for(&pki)),
        V::EssCertHashMismatch { .. }
    );
}

// ---- §5.9 chain, §5.10 leaf profile ----------------------------------------------------

#[test]
fn embedded_attacker_root_is_not_an_anchor() {
    let good = good_pki();
    let evil = tsa_pki(
        "Evil",
        CertProfile::TimeStampingLeaf,
        KeyKind::EcdsaP256,
        false,
    );
    let mut bag = evil.chain_without_root();
    bag.push(evil.root.cert.clone());
    let der = forge::response(
        Some(&token(
            &Spec {
                certs: Some(bag),
                ..Spec::default()
            },
            &evil.leaf,
            &[],
        )),
        0,
    );
    assert_rejects!(
        verify(&der, &trust_for(&good)),
        V::TsaChain { source, .. }
            if matches!(*source, PkiError::UnknownIssuer { .. } | PkiError::PathValidation { .. })
    );
}

#[test]
fn tsa_certificate_expired_at_gen_time_is_rejected_expired_later_is_fine() {
    // Leaf valid 2024-01-01 .. 2030-01-01.
    assert_rejects!(
        check(Spec {
            gen_time: t("2030-06-01T00:00:00Z"),
            ..Spec::default()
        }),
        V::TsaChain { source, .. } if matches!(*source, PkiError::CertificateExpired { .. })
    );
    assert_rejects!(
        check(Spec {
            gen_time: t("2023-06-01T00:00:00Z"),
            ..Spec::default()
        }),
        V::TsaChain { source, .. } if matches!(*source, PkiError::CertificateNotYetValid { .. })
    );
    let v = check(Spec::default()).unwrap();
    assert!(v.tsa_chain_expired_at(t("2031-01-01T00:00:00Z")));
}

fn profile_violation(r: Result<VerifiedTimestamp, Error>) -> ProfileViolation {
    match r {
        Err(Error::Verification(V::TsaLeafProfile { source, .. })) => match *source {
            PkiError::Profile { violation, .. } => violation,
            other => panic!("expected a profile violation, got {other:?}"),
        },
        other => panic!(
            "expected TsaLeafProfile, got {:?}",
            other.map(|v| v.gen_time())
        ),
    }
}

#[test]
fn non_critical_eku_is_rejected() {
    let pki = tsa_pki(
        "NonCrit",
        tsa_profile(false, vec![ID_KP_TIME_STAMPING], false),
        KeyKind::EcdsaP256,
        false,
    );
    let v = profile_violation(verify(&granted(&Spec::default(), &pki), &trust_for(&pki)));
    assert!(
        matches!(v, ProfileViolation::ExtendedKeyUsageNotCritical),
        "{v:?}"
    );
}

#[test]
fn eku_with_an_extra_purpose_is_rejected() {
    let pki = tsa_pki(
        "Extra",
        tsa_profile(true, vec![ID_KP_TIME_STAMPING, ID_KP_CODE_SIGNING], false),
        KeyKind::EcdsaP256,
        false,
    );
    let v = profile_violation(verify(&granted(&Spec::default(), &pki), &trust_for(&pki)));
    assert!(
        matches!(v, ProfileViolation::ExtendedKeyUsageNotExactly { .. }),
        "{v:?}"
    );
}

#[test]
fn code_signing_leaf_cannot_issue_timestamps() {
    let pki = tsa_pki(
        "CodeSign",
        CertProfile::CodeSigningLeaf,
        KeyKind::EcdsaP256,
        false,
    );
    let r = verify(&granted(&Spec::default(), &pki), &trust_for(&pki));
    assert!(
        matches!(r, Err(Error::Verification(V::TsaLeafProfile { .. }))),
        "{:?}",
        r.map(|v| v.gen_time())
    );
}

#[test]
fn ca_certificate_as_tsa_leaf_is_rejected() {
    let pki = tsa_pki(
        "CaLeaf",
        tsa_profile(true, vec![ID_KP_TIME_STAMPING], true),
        KeyKind::EcdsaP256,
        false,
    );
    let v = profile_violation(verify(&granted(&Spec::default(), &pki), &trust_for(&pki)));
    assert!(
        matches!(
            v,
            ProfileViolation::LeafIsCa | ProfileViolation::KeyUsageNotAllowed { .. }
        ),
        "{v:?}"
    );
}

// ---- §5.8 pin, §5.11 authority window ---------------------------------------------------

#[test]
fn pinned_leaf_must_be_the_signer() {
    let pki = good_pki();
    let other_leaf = issue(
        &CertSpec::new(
            "Other TSA",
            CertProfile::TimeStampingLeaf,
            KeyKind::EcdsaP256,
            t("2024-01-01T00:00:00Z"),
            t("2030-01-01T00:00:00Z"),
        ),
        pki.intermediate.as_ref().unwrap(),
    )
    .unwrap();
    let authority = |pin: &modelsign_pki::Certificate| {
        TsaTrust::from_authorities(vec![TsaAuthority::new(
            "pinned",
            vec![pki.root.cert.clone()],
            vec![pki.intermediate.as_ref().unwrap().cert.clone()],
        )
        .with_pinned_leaf(pin.clone())])
        .unwrap()
    };
    let der = granted(&Spec::default(), &pki);
    assert_rejects!(
        verify(&der, &authority(&other_leaf.cert)),
        V::PinnedLeafMismatch { .. }
    );
    verify(&der, &authority(&pki.leaf.cert)).unwrap();
}

#[test]
fn gen_time_must_lie_in_the_closed_authority_window() {
    let pki = good_pki();
    let der = granted(&Spec::default(), &pki); // genTime 2025-06-01T12:00:00Z
    let with_window = |start: &str, end: Option<&str>| {
        let w = ValidityWindow::new(t(start), end.map(t)).unwrap();
        TsaTrust::from_authorities(vec![TsaAuthority::new(
            "windowed",
            vec![pki.root.cert.clone()],
            vec![pki.intermediate.as_ref().unwrap().cert.clone()],
        )
        .with_valid_for(w)])
        .unwrap()
    };
    assert_rejects!(
        verify(&der, &with_window("2025-06-02T00:00:00Z", None)),
        V::OutsideAuthorityWindow { .. }
    );
    assert_rejects!(
        verify(
            &der,
            &with_window("2025-01-01T00:00:00Z", Some("2025-06-01T11:59:59Z"))
        ),
        V::OutsideAuthorityWindow { .. }
    );
    // Both ends inclusive.
    verify(
        &der,
        &with_window("2025-06-01T12:00:00Z", Some("2025-06-01T12:00:00Z")),
    )
    .unwrap();
    verify(&der, &with_window("2025-01-01T00:00:00Z", None)).unwrap();
}

#[test]
fn window_and_chain_come_from_the_same_authority() {
    // Authority A: the token's PKI, window closed before genTime. Authority B: another PKI,
    // window open. Mixing A's certificates with B's window (TOB-SIGSTORE-11) must not pass.
    let a = good_pki();
    let b = tsa_pki(
        "Other",
        CertProfile::TimeStampingLeaf,
        KeyKind::EcdsaP256,
        false,
    );
    let trust = TsaTrust::from_authorities(vec![
        TsaAuthority::new("B", vec![b.root.cert.clone()], vec![])
            .with_valid_for(ValidityWindow::new(t("2020-01-01T00:00:00Z"), None).unwrap()),
        TsaAuthority::new(
            "A",
            vec![a.root.cert.clone()],
            vec![a.intermediate.as_ref().unwrap().cert.clone()],
        )
        .with_valid_for(
            ValidityWindow::new(t("2020-01-01T00:00:00Z"), Some(t("2025-01-01T00:00:00Z")))
                .unwrap(),
        ),
    ])
    .unwrap();
    let der = granted(&Spec::default(), &a);
    match verify(&der, &trust) {
        Err(Error::Verification(V::OutsideAuthorityWindow { authority, .. })) => {
            assert_eq!(authority, "A")
        }
        other => panic!(
            "expected A's window error, got {:?}",
            other.map(|v| v.gen_time())
        ),
    }
    // A token from B is accepted and attributed to B (authority 0).
    let der_b = granted(&Spec::default(), &b);
    assert_eq!(verify(&der_b, &trust).unwrap().authority_id(), 0);
}

// ---- §5.12 tsa name --------------------------------------------------------------------

#[test]
fn tsa_name_must_name_the_signer() {
    let pki = good_pki();
    let other_name =
        GeneralName::DirectoryName(pki.root.cert.x509().tbs_certificate().subject().clone());
    let spec = Spec {
        tsa: Some(Some(other_name)),
        ..Spec::default()
    };
    assert_rejects!(
        verify(&granted(&spec, &pki), &trust_for(&pki)),
        V::TsaNameMismatch { .. }
    );
    // Absent is fine; the signer's subject is fine (baseline).
    check(Spec {
        tsa: None,
        ..Spec::default()
    })
    .unwrap();
}

// ---- §6.5 information ------------------------------------------------------------------

#[test]
fn tsa_chain_is_validated_at_gen_time() {
    let v = check(Spec::default()).unwrap();
    assert_eq!(v.chain().time(), v.gen_time());
}
