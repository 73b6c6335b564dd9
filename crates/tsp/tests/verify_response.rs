//! `check_response` (rfc3161-rules §4: the signer's check of a fresh response, no trust
//! anchors), and interop with this crate's own `Issuer` and with OpenSSL's TSA samples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use const_oid::ObjectIdentifier;
use modelsign_devpki::CertProfile;
use modelsign_pki::{HashAlgorithm, KeyKind};
use modelsign_tsp::trust::{TsaAuthority, TsaTrust};
use modelsign_tsp::verify::{
    check_response, verify_timestamp, Datum, VerificationError as V, VerifyOptions,
};
use modelsign_tsp::{Accuracy, Error, Issuer, IssuerConfig, TimeStampRequest};
use support::forge::{
    good_pki, granted, t, tsa_pki, tsa_profile, Spec, DATUM, ID_KP_CODE_SIGNING,
    ID_KP_TIME_STAMPING, POLICY,
};
use support::read;

const NONCE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];

fn request(policy: Option<ObjectIdentifier>) -> TimeStampRequest {
    TimeStampRequest::with_nonce(
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha256.digest(DATUM),
        policy,
        &NONCE,
    )
    .unwrap()
}

macro_rules! assert_rejects {
    ($result:expr, $pat:pat) => {
        match $result {
            Err(Error::Verification($pat)) => {}
            other => panic!(
                "expected {}, got {:?}",
                stringify!($pat),
                other.map(|r| r.raw().len())
            ),
        }
    };
}

#[test]
fn matching_response_passes_and_is_returned_whole() {
    let pki = good_pki();
    let der = granted(&Spec::default(), &pki);
    let resp = check_response(&der, &request(None)).unwrap();
    assert_eq!(resp.raw(), der.as_slice());
    check_response(&der, &request(Some(POLICY))).unwrap();
}

#[test]
fn nonce_must_be_echoed() {
    let pki = good_pki();
    let der = granted(
        &Spec {
            nonce: Some(vec![9, 9, 9]),
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&der, &request(None)),
        V::NonceMismatch {
            actual_hex: Some(_),
            ..
        }
    );
    let der = granted(
        &Spec {
            nonce: None,
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&der, &request(None)),
        V::NonceMismatch {
            actual_hex: None,
            ..
        }
    );
}

#[test]
fn imprint_algorithm_and_value_must_be_the_requested_ones() {
    let pki = good_pki();
    let der = granted(
        &Spec {
            imprint_alg: HashAlgorithm::Sha384.oid(),
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&der, &request(None)),
        V::RequestImprintAlgorithm {
            expected: "sha256",
            ..
        }
    );
    let der = granted(
        &Spec {
            datum: b"something else".to_vec(),
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&der, &request(None)),
        V::ImprintMismatch { .. }
    );
}

#[test]
fn requested_policy_must_be_honoured() {
    let pki = good_pki();
    let der = granted(&Spec::default(), &pki);
    assert_rejects!(
        check_response(&der, &request(Some("1.2.3.4.1".parse().unwrap()))),
        V::PolicyMismatch { .. }
    );
}

#[test]
fn status_must_be_granted() {
    let der = support::forge::response(None, 2);
    assert!(matches!(
        check_response(&der, &request(None)),
        Err(Error::NotGranted { .. })
    ));
}

#[test]
fn trust_independent_token_rules_apply() {
    let pki = good_pki();
    let tampered = granted(
        &Spec {
            tamper_signature: true,
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&tampered, &request(None)),
        V::BadSignature { .. }
    );
    let no_ess = granted(
        &Spec {
            ess: support::forge::Ess::None,
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&no_ess, &request(None)),
        V::MissingSigningCertificate
    );
    let no_certs = granted(
        &Spec {
            certs: Some(vec![]),
            ..Spec::default()
        },
        &pki,
    );
    assert_rejects!(
        check_response(&no_certs, &request(None)),
        V::SignerNotFound { .. }
    );
    let extra_eku = tsa_pki(
        "Extra",
        tsa_profile(true, vec![ID_KP_TIME_STAMPING, ID_KP_CODE_SIGNING], false),
        KeyKind::EcdsaP256,
        false,
    );
    assert_rejects!(
        check_response(&granted(&Spec::default(), &extra_eku), &request(None)),
        V::TsaLeafProfile { .. }
    );
    // No trust anchor is involved: a self-made TSA passes check_response (verify_timestamp
    // against configured trust is what establishes trust).
    let unknown = tsa_pki(
        "Unknown",
        CertProfile::TimeStampingLeaf,
        KeyKind::EcdsaP256,
        false,
    );
    check_response(&granted(&Spec::default(), &unknown), &request(None)).unwrap();
}

#[test]
fn openssl_responses_pass_against_their_requests() {
    for (resp, req) in [
        ("openssl-tsa/response.tsr", "openssl-tsa/request.tsq"),
        (
            "openssl-tsa/response-sha512-policy.tsr",
            "openssl-tsa/request-sha512-policy.tsq",
        ),
        (
            "openssl-tsa/response-fullchain-unsorted-set.tsr",
            "openssl-tsa/request.tsq",
        ),
    ] {
        let request = TimeStampRequest::from_der(&read(req)).unwrap();
        check_response(&read(resp), &request).unwrap_or_else(|e| panic!("{resp}: {e}"));
    }
    // The no-cert response cannot be checked without the signer (certReq was false).
    let request =
        TimeStampRequest::from_der(&read("openssl-tsa/request-sha384-nonce-less-nocert.tsq"))
            .unwrap();
    assert_rejects!(
        check_response(
            &read("openssl-tsa/response-sha384-nonce-less-nocert.tsr"),
            &request
        ),
        V::SignerNotFound { .. }
    );
    // README: response.tsr checked against the policy request fails (OpenSSL: policy mismatch;
    // here the imprint algorithm differs first, SHA-256 vs the request's SHA-512).
    let request =
        TimeStampRequest::from_der(&read("openssl-tsa/request-sha512-policy.tsq")).unwrap();
    assert_rejects!(
        check_response(&read("openssl-tsa/response.tsr"), &request),
        V::RequestImprintAlgorithm { .. }
    );
}

#[test]
fn rfc3161_client_nonce_cases() {
    let d = "tsa-fixtures/rfc3161-client/test_tsa";
    let req = TimeStampRequest::from_der(&read(&format!("{d}/request.der"))).unwrap();
    let other_req = TimeStampRequest::from_der(&read(&format!("{d}/other_request.der"))).unwrap();
    check_response(&read(&format!("{d}/response.tsr")), &req).unwrap();
    // manifest: other_response.tsr matches neither request's nonce.
    assert_rejects!(
        check_response(&read(&format!("{d}/other_response.tsr")), &req),
        V::NonceMismatch { .. }
    );
    assert_rejects!(
        check_response(&read(&format!("{d}/other_response.tsr")), &other_req),
        V::NonceMismatch { .. }
    );
}

/// Tokens from this crate's `Issuer` pass `check_response` and `verify_timestamp`.
#[test]
fn issuer_tokens_verify() {
    for key in [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::Rsa { bits: 2048 },
        KeyKind::Ed25519,
    ] {
        let pki = tsa_pki("Issuer", CertProfile::TimeStampingLeaf, key, true);
        let mut chain = pki.chain_without_root();
        chain.push(pki.root.cert.clone());
        let config = IssuerConfig {
            policy: POLICY,
            accepted_policies: vec![POLICY],
            accuracy: Some(Accuracy {
                seconds: 1,
                millis: 0,
                micros: 0,
            }),
            include_chain: true,
        };
        let (root, leaf_cert) = (pki.root.cert.clone(), pki.leaf.cert.clone());
        let issuer = Issuer::new(pki.leaf.key, chain, config).unwrap();
        let req = request(None);
        let issued = issuer.respond(&req.to_der(), t("2025-06-01T12:00:00Z"), [7; 16]);
        check_response(&issued.der, &req).unwrap_or_else(|e| panic!("{key:?}: {e}"));
        let trust =
            TsaTrust::from_authorities(vec![TsaAuthority::new("issuer", vec![root], vec![])])
                .unwrap();
        let v = verify_timestamp(
            &issued.der,
            Datum::Data(DATUM),
            &trust,
            &VerifyOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{key:?}: {e}"));
        assert_eq!(v.gen_time(), t("2025-06-01T12:00:00Z"));
        assert_eq!(v.tsa_certificate(), &leaf_cert);
        assert_eq!(v.serial_hex(), hex::encode([7u8; 16]));
    }
}
