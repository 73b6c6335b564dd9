//! Path validation against the shared test PKIs (model-signing-1.1.1, openssl-tsa) and
//! rcgen-generated PKIs for the rules those do not cover.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH, ID_KP_TIME_STAMPING};
use modelsign_pki::{Certificate, Error, LeafProfile, ProfileViolation, TrustStore};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, ExtendedKeyUsagePurpose, IsCa,
    KeyUsagePurpose,
};
use support::{anchors, ca, ca_valid, leaf, params, t, testdata_certificates, ChainCheck, Node};

/// A certificate of the model-signing-1.1.1 sample keys.
fn ms(name: &str) -> Certificate {
    testdata_certificates(&format!("model-signing-1.1.1/keys/{name}")).remove(0)
}

fn ms_trust() -> TrustStore {
    TrustStore::from_certificates(vec![ms("root.crt.pem")])
}

const NOW: &str = "2026-11-22T12:00:00Z";
const SAMPLE_SIGNER: &str = "O=mt-samples,CN=Test Model Signer";

/// The model-signing sample leaf `leaf_file`, with the sample intermediate as untrusted
/// certificate, against the sample root, at [`NOW`].
fn sample(leaf_file: &str) -> ChainCheck {
    ChainCheck::new(&ms(leaf_file), ms_trust(), t(NOW)).untrusted(&[ms("int.crt.pem")])
}

/// Every rcgen test below validates at this instant.
const GENERATED_AT: &str = "2026-01-01T00:00:00Z";

fn generated(leaf: &Node, trust: TrustStore) -> ChainCheck {
    ChainCheck::new(&leaf.cert, trust, t(GENERATED_AT))
}

#[test]
fn model_signing_chain_validates() {
    assert_eq!(
        sample("leaf.crt.pem").run().unwrap(),
        [
            SAMPLE_SIGNER,
            "O=mt-samples,CN=Test Intermediate CA",
            "O=mt-samples,CN=Test Root CA"
        ]
    );
}

#[test]
fn intermediate_from_trust_store_is_used() {
    let trust = TrustStore::from_certificates(vec![ms("root.crt.pem"), ms("int.crt.pem")]);
    assert_eq!(trust.anchors().len(), 1);
    assert_eq!(trust.intermediates().len(), 1);
    let chain = ChainCheck::new(&ms("leaf.crt.pem"), trust, t(NOW)).run();
    assert_eq!(chain.unwrap().len(), 3);
}

#[test]
fn leaf_without_digital_signature_is_rejected() {
    assert_eq!(
        sample("leaf_noku.crt.pem").run().unwrap_err(),
        Error::Profile {
            subject: SAMPLE_SIGNER.into(),
            profile: "model-signing",
            violation: ProfileViolation::KeyUsageLacksDigitalSignature,
        }
    );
}

#[test]
fn eku_only_leaf_is_accepted() {
    assert_eq!(sample("leaf_ekuonly.crt.pem").run().unwrap().len(), 3);
}

#[test]
fn future_leaf_is_not_yet_valid() {
    assert_eq!(
        sample("leaf_future.crt.pem").run().unwrap_err(),
        Error::CertificateNotYetValid {
            subject: SAMPLE_SIGNER.into(),
            not_before: t("2030-01-01T00:00:00Z"),
            time: t(NOW),
        }
    );
}

#[test]
fn old_pki_valid_in_2021_expired_now() {
    let old =
        |name: &str| testdata_certificates(&format!("model-signing-1.1.1/keys/oldpki/{name}"));
    let check = |at: &str| {
        ChainCheck::new(
            &old("leaf_expired.crt.pem")[0],
            TrustStore::from_certificates(old("root.crt.pem")),
            t(at),
        )
        .untrusted(&old("int.crt.pem"))
        .run()
    };
    assert_eq!(
        check("2021-06-01T00:00:00Z").unwrap(),
        ["CN=Expired Signer", "CN=Old Intermediate", "CN=Old Root"]
    );
    assert_eq!(
        check(NOW).unwrap_err(),
        Error::CertificateExpired {
            subject: "CN=Expired Signer".into(),
            not_after: t("2021-12-31T00:00:00Z"),
            time: t(NOW),
        }
    );
}

#[test]
fn latest_must_be_covered_too() {
    // leaf notAfter is 2027-11-21T23:43:24Z.
    let time = t("2027-11-21T23:43:00Z");
    let latest = t("2027-11-21T23:43:30Z");
    let check =
        || ChainCheck::new(&ms("leaf.crt.pem"), ms_trust(), time).untrusted(&[ms("int.crt.pem")]);
    assert_eq!(
        check().latest(latest).run().unwrap_err(),
        Error::CertificateExpired {
            subject: SAMPLE_SIGNER.into(),
            not_after: t("2027-11-21T23:43:24Z"),
            time: latest,
        }
    );
    // notAfter itself is inclusive.
    check().latest(t("2027-11-21T23:43:24Z")).run().unwrap();
}

#[test]
fn missing_intermediate_names_the_certificate() {
    assert_eq!(
        ChainCheck::new(&ms("leaf.crt.pem"), ms_trust(), t(NOW))
            .run()
            .unwrap_err(),
        Error::UnknownIssuer {
            subject: SAMPLE_SIGNER.into(),
            issuer: "O=mt-samples,CN=Test Intermediate CA".into(),
        }
    );
    // Wrong root: the intermediate is the certificate whose issuer is missing.
    let tsa_root = TrustStore::from_certificates(testdata_certificates("openssl-tsa/root.crt"));
    assert_eq!(
        ChainCheck::new(&ms("leaf.crt.pem"), tsa_root, t(NOW))
            .untrusted(&[ms("int.crt.pem")])
            .run()
            .unwrap_err(),
        Error::UnknownIssuer {
            subject: "O=mt-samples,CN=Test Intermediate CA".into(),
            issuer: "O=mt-samples,CN=Test Root CA".into(),
        }
    );
}

#[test]
fn intermediate_only_store_has_no_anchor() {
    // model_signing 1.1.1 fails with "unable to get issuer certificate" here.
    let trust = TrustStore::from_certificates(vec![ms("int.crt.pem")]);
    assert!(trust.is_empty());
    assert_eq!(
        ChainCheck::new(&ms("leaf.crt.pem"), trust, t(NOW))
            .run()
            .unwrap_err(),
        Error::NoTrustAnchors
    );
}

#[test]
fn tsa_chain_passes_time_stamping_profile() {
    let chain = testdata_certificates("openssl-tsa/chain.pem");
    let trust = TrustStore::from_certificates(testdata_certificates("openssl-tsa/root.crt"));
    let check = || ChainCheck::new(&chain[0], trust.clone(), t(NOW)).untrusted(&chain[1..]);
    assert_eq!(
        check().profile(LeafProfile::TimeStamping).run().unwrap(),
        [
            "CN=Example Test TSA Signer,O=Example Test",
            "CN=Example Test TSA Intermediate,O=Example Test",
            "CN=Example Test TSA Root,O=Example Test"
        ]
    );
    // The TSA certificate is not a code-signing certificate.
    assert_eq!(
        check().run().unwrap_err(),
        Error::Profile {
            subject: "CN=Example Test TSA Signer,O=Example Test".into(),
            profile: "model-signing",
            violation: ProfileViolation::ExtendedKeyUsageLacks {
                required: ID_KP_CODE_SIGNING,
                present: vec![ID_KP_TIME_STAMPING]
            },
        }
    );
}

#[test]
fn model_signing_leaf_fails_time_stamping_profile() {
    assert_eq!(
        sample("leaf.crt.pem")
            .profile(LeafProfile::TimeStamping)
            .run()
            .unwrap_err(),
        Error::Profile {
            subject: SAMPLE_SIGNER.into(),
            profile: "time-stamping",
            violation: ProfileViolation::ExtendedKeyUsageNotExactly {
                required: ID_KP_TIME_STAMPING,
                present: vec![ID_KP_CODE_SIGNING]
            },
        }
    );
}

#[test]
fn untrusted_budget() {
    let many = vec![ms("int.crt.pem"); modelsign_pki::MAX_UNTRUSTED_CERTIFICATES + 1];
    assert_eq!(
        sample("leaf.crt.pem").untrusted(&many).run().unwrap_err(),
        Error::TooMany {
            what: "untrusted certificates for path building",
            count: modelsign_pki::MAX_UNTRUSTED_CERTIFICATES + 1,
            limit: modelsign_pki::MAX_UNTRUSTED_CERTIFICATES
        }
    );
}

// ---- generated PKIs -------------------------------------------------------------------

#[test]
fn expired_anchor_is_rejected() {
    let root = Node::self_signed(ca_valid("Short Root", (2020, 1, 1), (2026, 1, 1)));
    let leaf = root.issue(leaf("Leaf"));
    let at = |time| ChainCheck::new(&leaf.cert, anchors(&[&root]), time).run();
    at(t("2025-06-01T00:00:00Z")).unwrap();
    let later = t("2026-06-01T00:00:00Z");
    assert_eq!(
        at(later).unwrap_err(),
        Error::CertificateExpired {
            subject: "CN=Short Root".into(),
            not_after: t("2026-01-01T00:00:00Z"),
            time: later,
        }
    );
}

/// A CA:TRUE certificate that also has digitalSignature, valid 2025..2030.
fn ca_leaf() -> CertificateParams {
    let mut p = ca_valid("CA Leaf", (2025, 1, 1), (2030, 1, 1));
    p.key_usages.push(KeyUsagePurpose::DigitalSignature);
    p
}

#[test]
fn ca_true_leaf_accepted_for_model_signing_only() {
    let root = Node::self_signed(ca("Root"));
    let int = root.issue(ca("Int"));
    let leaf = int.issue(ca_leaf());
    let via_int = || generated(&leaf, anchors(&[&root])).untrusted(std::slice::from_ref(&int.cert));
    assert_eq!(
        via_int().run().unwrap(),
        ["CN=CA Leaf", "CN=Int", "CN=Root"]
    );

    let err = via_int()
        .profile(LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING))
        .run()
        .unwrap_err();
    assert!(
        matches!(&err, Error::PathValidation { subject, .. } if subject == "CN=CA Leaf"),
        "{err:?}"
    );

    // Same own-builder rules: the intermediate must be present and valid.
    assert_eq!(
        generated(&leaf, anchors(&[&root])).run().unwrap_err(),
        Error::UnknownIssuer {
            subject: "CN=CA Leaf".into(),
            issuer: "CN=Int".into()
        }
    );
    let err = ChainCheck::new(&leaf.cert, anchors(&[&root]), t("2041-01-01T00:00:00Z"))
        .untrusted(std::slice::from_ref(&int.cert))
        .run()
        .unwrap_err();
    assert!(matches!(err, Error::CertificateExpired { .. }), "{err:?}");
}

#[test]
fn ca_leaf_with_forged_signature_is_rejected() {
    let root = Node::self_signed(ca("Root"));
    let impostor = Node::self_signed(ca("Root"));
    let leaf = impostor.issue(ca_leaf());
    assert_eq!(
        generated(&leaf, anchors(&[&root])).run().unwrap_err(),
        Error::BadCertificateSignature {
            subject: "CN=CA Leaf".into(),
            issuer: "CN=Root".into()
        }
    );
}

#[test]
fn directly_trusted_self_signed_leaf() {
    let mut p = leaf("Self Signer");
    p.is_ca = IsCa::ExplicitNoCa;
    let leaf = Node::self_signed(p);
    assert_eq!(
        generated(&leaf, anchors(&[&leaf])).run().unwrap(),
        ["CN=Self Signer"]
    );
    // Not trusted: unknown issuer (itself).
    let other = Node::self_signed(ca("Other"));
    assert_eq!(
        generated(&leaf, anchors(&[&other])).run().unwrap_err(),
        Error::UnknownIssuer {
            subject: "CN=Self Signer".into(),
            issuer: "CN=Self Signer".into()
        }
    );
    // Still subject to its validity period.
    assert!(matches!(
        ChainCheck::new(&leaf.cert, anchors(&[&leaf]), t("2031-01-01T00:00:00Z")).run(),
        Err(Error::CertificateExpired { .. })
    ));
}

#[test]
fn intermediate_without_key_cert_sign_is_rejected() {
    let root = Node::self_signed(ca("Root"));
    let mut ip = ca("Int No KCS");
    ip.key_usages = vec![KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let int = root.issue(ip);
    let leaf = int.issue(leaf("Leaf"));
    assert_eq!(
        generated(&leaf, anchors(&[&root]))
            .untrusted(std::slice::from_ref(&int.cert))
            .run()
            .unwrap_err(),
        Error::InvalidIssuer {
            subject: "CN=Int No KCS".into(),
            reason: "its keyUsage lacks keyCertSign"
        }
    );
}

#[test]
fn intermediate_eku_restricts_only_when_present() {
    let root = Node::self_signed(ca("Root"));
    let mut ip = ca("TLS Int");
    ip.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let tls_int = root.issue(ip);
    let via_tls_int = |leaf: &Node| {
        generated(leaf, anchors(&[&root])).untrusted(std::slice::from_ref(&tls_int.cert))
    };
    let leaf1 = tls_int.issue(leaf("Leaf"));
    assert_eq!(
        via_tls_int(&leaf1).run().unwrap_err(),
        Error::PathValidation {
            subject: "CN=Leaf".into(),
            reason: format!(
                "an intermediate's extendedKeyUsage does not allow {ID_KP_CODE_SIGNING}"
            )
        }
    );
    // Generic profile with the intermediate's purpose passes (leaf EKU is codeSigning
    // though, so use a leaf without EKU).
    let mut lp = leaf("Leaf2");
    lp.extended_key_usages = vec![];
    let leaf2 = tls_int.issue(lp);
    via_tls_int(&leaf2)
        .profile(LeafProfile::ExtendedKeyUsage(ID_KP_SERVER_AUTH))
        .run()
        .unwrap();
}

/// rcgen writes EKU non-critical; RFC 3161 needs it critical: emit it as a custom extension.
fn critical_time_stamping_eku() -> CustomExtension {
    // SEQUENCE { OID 1.3.6.1.5.5.7.3.8 }
    let content = vec![
        0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
    ];
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 37], content);
    ext.set_criticality(true);
    ext
}

#[test]
fn time_stamping_profile_rules() {
    let root = Node::self_signed(ca("Root"));
    // The profile violation of a TSA leaf built from `base()` with `edit` applied.
    let violation = |edit: &dyn Fn(&mut CertificateParams)| {
        let mut p = params("TSA", (2025, 1, 1), (2030, 1, 1));
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        edit(&mut p);
        match generated(&root.issue(p), anchors(&[&root]))
            .profile(LeafProfile::TimeStamping)
            .run()
        {
            Ok(chain) => Ok(chain),
            Err(Error::Profile { violation, .. }) => Err(violation),
            Err(other) => panic!("expected a profile error, got {other:?}"),
        }
    };
    let critical_eku =
        |p: &mut CertificateParams| p.custom_extensions = vec![critical_time_stamping_eku()];

    violation(&critical_eku).unwrap();
    assert_eq!(
        violation(&|p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::TimeStamping])
            .unwrap_err(),
        ProfileViolation::ExtendedKeyUsageNotCritical
    );
    assert_eq!(
        violation(&|p| {
            p.extended_key_usages = vec![
                ExtendedKeyUsagePurpose::TimeStamping,
                ExtendedKeyUsagePurpose::CodeSigning,
            ]
        })
        .unwrap_err(),
        ProfileViolation::ExtendedKeyUsageNotExactly {
            required: ID_KP_TIME_STAMPING,
            present: vec![ID_KP_TIME_STAMPING, ID_KP_CODE_SIGNING]
        }
    );
    assert_eq!(
        violation(&|_| {}).unwrap_err(),
        ProfileViolation::ExtendedKeyUsageMissing
    );
    assert_eq!(
        violation(&|p| {
            critical_eku(p);
            p.key_usages.push(KeyUsagePurpose::KeyEncipherment);
        })
        .unwrap_err(),
        ProfileViolation::KeyUsageNotAllowed {
            allowed: "digitalSignature, nonRepudiation"
        }
    );
    assert_eq!(
        violation(&|p| {
            critical_eku(p);
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        })
        .unwrap_err(),
        ProfileViolation::LeafIsCa
    );
}

#[test]
fn chains_signed_with_every_curve_and_ed25519_in_leaf_to_anchor_order() {
    for alg in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ECDSA_P521_SHA512,
        &rcgen::PKCS_ED25519,
    ] {
        let root = Node::self_signed_with(ca("Root"), alg);
        let int1 = root.issue(ca("Int 1"));
        let int2 = int1.issue(ca("Int 2"));
        let leaf = int2.issue(leaf("Leaf"));
        // Untrusted certificates in scrambled order: the chain comes back leaf first.
        let chain = generated(&leaf, anchors(&[&root]))
            .untrusted(&[int1.cert.clone(), int2.cert.clone()])
            .run()
            .unwrap();
        assert_eq!(
            chain,
            ["CN=Leaf", "CN=Int 2", "CN=Int 1", "CN=Root"],
            "{alg:?}"
        );
    }
}
