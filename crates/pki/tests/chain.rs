//! Path validation against the shared test PKIs (model-signing-1.1.1, openssl-tsa) and
//! rcgen-generated PKIs for the rules those do not cover.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH, ID_KP_TIME_STAMPING};
use modelsign_pki::{
    certificates_from_pem, verify_chain, Certificate, ChainRequest, Error, LeafProfile,
    ProfileViolation, Time, TrustStore,
};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

const MS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/model-signing-1.1.1/keys"
);
const TSA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/openssl-tsa"
);

fn load(path: String) -> Vec<Certificate> {
    certificates_from_pem(&std::fs::read(&path).unwrap()).unwrap()
}

fn ms(name: &str) -> Certificate {
    load(format!("{MS}/{name}")).remove(0)
}

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

fn verify(
    leaf: &Certificate,
    untrusted: &[Certificate],
    trust: &TrustStore,
    time: Time,
    latest: Time,
    profile: LeafProfile,
) -> Result<Vec<String>, Error> {
    verify_chain(&ChainRequest {
        leaf,
        untrusted,
        trust,
        time,
        latest,
        profile,
    })
    .map(|chain| {
        assert_eq!(chain.time(), time);
        assert_eq!(chain.leaf(), leaf);
        chain
            .certificates()
            .iter()
            .map(Certificate::subject)
            .collect()
    })
}

fn ms_trust() -> TrustStore {
    TrustStore::from_certificates(vec![ms("root.crt.pem")])
}

const NOW: &str = "2026-11-22T12:00:00Z";

#[test]
fn model_signing_chain_validates() {
    let now = t(NOW);
    let chain = verify(
        &ms("leaf.crt.pem"),
        &[ms("int.crt.pem")],
        &ms_trust(),
        now,
        now,
        LeafProfile::ModelSigning,
    )
    .unwrap();
    assert_eq!(
        chain,
        [
            "O=mt-samples,CN=Test Model Signer",
            "O=mt-samples,CN=Test Intermediate CA",
            "O=mt-samples,CN=Test Root CA"
        ]
    );
}

#[test]
fn intermediate_from_trust_store_is_used() {
    let now = t(NOW);
    let trust = TrustStore::from_certificates(vec![ms("root.crt.pem"), ms("int.crt.pem")]);
    assert_eq!(trust.anchors().len(), 1);
    assert_eq!(trust.intermediates().len(), 1);
    let chain = verify(
        &ms("leaf.crt.pem"),
        &[],
        &trust,
        now,
        now,
        LeafProfile::ModelSigning,
    );
    assert_eq!(chain.unwrap().len(), 3);
}

#[test]
fn leaf_without_digital_signature_is_rejected() {
    let now = t(NOW);
    let err = verify(
        &ms("leaf_noku.crt.pem"),
        &[ms("int.crt.pem")],
        &ms_trust(),
        now,
        now,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::Profile {
            subject: "O=mt-samples,CN=Test Model Signer".into(),
            profile: "model-signing",
            violation: ProfileViolation::KeyUsageLacksDigitalSignature,
        }
    );
}

#[test]
fn eku_only_leaf_is_accepted() {
    let now = t(NOW);
    let chain = verify(
        &ms("leaf_ekuonly.crt.pem"),
        &[ms("int.crt.pem")],
        &ms_trust(),
        now,
        now,
        LeafProfile::ModelSigning,
    );
    assert_eq!(chain.unwrap().len(), 3);
}

#[test]
fn future_leaf_is_not_yet_valid() {
    let now = t(NOW);
    let err = verify(
        &ms("leaf_future.crt.pem"),
        &[ms("int.crt.pem")],
        &ms_trust(),
        now,
        now,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::CertificateNotYetValid {
            subject: "O=mt-samples,CN=Test Model Signer".into(),
            not_before: t("2030-01-01T00:00:00Z"),
            time: now,
        }
    );
}

#[test]
fn old_pki_valid_in_2021_expired_now() {
    let leaf = load(format!("{MS}/oldpki/leaf_expired.crt.pem")).remove(0);
    let int = load(format!("{MS}/oldpki/int.crt.pem"));
    let trust = TrustStore::from_certificates(load(format!("{MS}/oldpki/root.crt.pem")));
    let then = t("2021-06-01T00:00:00Z");
    let chain = verify(&leaf, &int, &trust, then, then, LeafProfile::ModelSigning).unwrap();
    assert_eq!(
        chain,
        ["CN=Expired Signer", "CN=Old Intermediate", "CN=Old Root"]
    );

    let now = t(NOW);
    assert_eq!(
        verify(&leaf, &int, &trust, now, now, LeafProfile::ModelSigning).unwrap_err(),
        Error::CertificateExpired {
            subject: "CN=Expired Signer".into(),
            not_after: t("2021-12-31T00:00:00Z"),
            time: now,
        }
    );
}

#[test]
fn latest_must_be_covered_too() {
    // leaf notAfter is 2027-11-21T23:43:24Z.
    let time = t("2027-11-21T23:43:00Z");
    let latest = t("2027-11-21T23:43:30Z");
    let leaf = ms("leaf.crt.pem");
    let err = verify(
        &leaf,
        &[ms("int.crt.pem")],
        &ms_trust(),
        time,
        latest,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::CertificateExpired {
            subject: "O=mt-samples,CN=Test Model Signer".into(),
            not_after: t("2027-11-21T23:43:24Z"),
            time: latest,
        }
    );
    // notAfter itself is inclusive.
    let edge = t("2027-11-21T23:43:24Z");
    verify(
        &leaf,
        &[ms("int.crt.pem")],
        &ms_trust(),
        time,
        edge,
        LeafProfile::ModelSigning,
    )
    .unwrap();
}

#[test]
fn missing_intermediate_names_the_certificate() {
    let now = t(NOW);
    let err = verify(
        &ms("leaf.crt.pem"),
        &[],
        &ms_trust(),
        now,
        now,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::UnknownIssuer {
            subject: "O=mt-samples,CN=Test Model Signer".into(),
            issuer: "O=mt-samples,CN=Test Intermediate CA".into(),
        }
    );
    // Wrong root: the intermediate is the certificate whose issuer is missing.
    let tsa_root = TrustStore::from_certificates(load(format!("{TSA}/root.crt")));
    let err = verify(
        &ms("leaf.crt.pem"),
        &[ms("int.crt.pem")],
        &tsa_root,
        now,
        now,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::UnknownIssuer {
            subject: "O=mt-samples,CN=Test Intermediate CA".into(),
            issuer: "O=mt-samples,CN=Test Root CA".into(),
        }
    );
}

#[test]
fn intermediate_only_store_has_no_anchor() {
    // model_signing 1.1.1 fails with "unable to get issuer certificate" here.
    let now = t(NOW);
    let trust = TrustStore::from_certificates(vec![ms("int.crt.pem")]);
    assert!(trust.is_empty());
    assert_eq!(
        verify(
            &ms("leaf.crt.pem"),
            &[],
            &trust,
            now,
            now,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::NoTrustAnchors
    );
}

#[test]
fn tsa_chain_passes_time_stamping_profile() {
    let now = t(NOW);
    let chain = load(format!("{TSA}/chain.pem"));
    let trust = TrustStore::from_certificates(load(format!("{TSA}/root.crt")));
    let subjects = verify(
        &chain[0],
        &chain[1..],
        &trust,
        now,
        now,
        LeafProfile::TimeStamping,
    )
    .unwrap();
    assert_eq!(
        subjects,
        [
            "CN=Example Test TSA Signer,O=Example Test",
            "CN=Example Test TSA Intermediate,O=Example Test",
            "CN=Example Test TSA Root,O=Example Test"
        ]
    );
    // The TSA certificate is not a code-signing certificate.
    let err = verify(
        &chain[0],
        &chain[1..],
        &trust,
        now,
        now,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
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
    let now = t(NOW);
    let err = verify(
        &ms("leaf.crt.pem"),
        &[ms("int.crt.pem")],
        &ms_trust(),
        now,
        now,
        LeafProfile::TimeStamping,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::Profile {
            subject: "O=mt-samples,CN=Test Model Signer".into(),
            profile: "time-stamping",
            violation: ProfileViolation::ExtendedKeyUsageNotExactly {
                required: ID_KP_TIME_STAMPING,
                present: vec![ID_KP_CODE_SIGNING]
            },
        }
    );
}

// ---- generated PKIs -------------------------------------------------------------------

struct Node {
    key: KeyPair,
    params: CertificateParams,
    cert: Certificate,
}

fn params(cn: &str, from: (i32, u8, u8), to: (i32, u8, u8)) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
    // Conforming CAs write the AKI (RFC 5280 4.2.1.1); the generic profile requires it.
    p.use_authority_key_identifier_extension = true;
    p
}

fn ca_params(cn: &str, from: (i32, u8, u8), to: (i32, u8, u8)) -> CertificateParams {
    let mut p = params(cn, from, to);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

fn leaf_params(cn: &str) -> CertificateParams {
    let mut p = params(cn, (2025, 1, 1), (2030, 1, 1));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    p
}

fn self_signed(params: CertificateParams) -> Node {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Node {
        key,
        params,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

fn issue(params: CertificateParams, issuer: &Node) -> Node {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let iss = Issuer::from_params(&issuer.params, &issuer.key);
    let der = params.signed_by(&key, &iss).unwrap().der().to_vec();
    Node {
        key,
        params,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

fn anchors(nodes: &[&Node]) -> TrustStore {
    TrustStore::new(nodes.iter().map(|n| n.cert.clone()).collect(), vec![])
}

#[test]
fn expired_anchor_is_rejected() {
    let root = self_signed(ca_params("Short Root", (2020, 1, 1), (2026, 1, 1)));
    let leaf = issue(leaf_params("Leaf"), &root);
    let time = t("2025-06-01T00:00:00Z");
    verify(
        &leaf.cert,
        &[],
        &anchors(&[&root]),
        time,
        time,
        LeafProfile::ModelSigning,
    )
    .unwrap();
    let later = t("2026-06-01T00:00:00Z");
    assert_eq!(
        verify(
            &leaf.cert,
            &[],
            &anchors(&[&root]),
            later,
            later,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::CertificateExpired {
            subject: "CN=Short Root".into(),
            not_after: t("2026-01-01T00:00:00Z"),
            time: later,
        }
    );
}

#[test]
fn ca_true_leaf_accepted_for_model_signing_only() {
    let root = self_signed(ca_params("Root", (2020, 1, 1), (2040, 1, 1)));
    let int = issue(ca_params("Int", (2020, 1, 1), (2040, 1, 1)), &root);
    let mut p = ca_params("CA Leaf", (2025, 1, 1), (2030, 1, 1));
    p.key_usages.push(KeyUsagePurpose::DigitalSignature);
    let leaf = issue(p, &int);
    let time = t("2026-01-01T00:00:00Z");
    let trust = anchors(&[&root]);
    let chain = verify(
        &leaf.cert,
        std::slice::from_ref(&int.cert),
        &trust,
        time,
        time,
        LeafProfile::ModelSigning,
    )
    .unwrap();
    assert_eq!(chain, ["CN=CA Leaf", "CN=Int", "CN=Root"]);

    let err = verify(
        &leaf.cert,
        std::slice::from_ref(&int.cert),
        &trust,
        time,
        time,
        LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::PathValidation { subject, .. } if subject == "CN=CA Leaf"),
        "{err:?}"
    );

    // Same own-builder rules: the intermediate must be present and valid.
    assert_eq!(
        verify(
            &leaf.cert,
            &[],
            &trust,
            time,
            time,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::UnknownIssuer {
            subject: "CN=CA Leaf".into(),
            issuer: "CN=Int".into()
        }
    );
    let late = t("2041-01-01T00:00:00Z");
    let err = verify(
        &leaf.cert,
        std::slice::from_ref(&int.cert),
        &trust,
        late,
        late,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert!(matches!(err, Error::CertificateExpired { .. }), "{err:?}");
}

#[test]
fn ca_leaf_with_forged_signature_is_rejected() {
    let root = self_signed(ca_params("Root", (2020, 1, 1), (2040, 1, 1)));
    let impostor = self_signed(ca_params("Root", (2020, 1, 1), (2040, 1, 1)));
    let mut p = ca_params("CA Leaf", (2025, 1, 1), (2030, 1, 1));
    p.key_usages.push(KeyUsagePurpose::DigitalSignature);
    let leaf = issue(p, &impostor);
    let time = t("2026-01-01T00:00:00Z");
    assert_eq!(
        verify(
            &leaf.cert,
            &[],
            &anchors(&[&root]),
            time,
            time,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::BadCertificateSignature {
            subject: "CN=CA Leaf".into(),
            issuer: "CN=Root".into()
        }
    );
}

#[test]
fn directly_trusted_self_signed_leaf() {
    let mut p = leaf_params("Self Signer");
    p.is_ca = IsCa::ExplicitNoCa;
    let leaf = self_signed(p);
    let time = t("2026-01-01T00:00:00Z");
    let chain = verify(
        &leaf.cert,
        &[],
        &anchors(&[&leaf]),
        time,
        time,
        LeafProfile::ModelSigning,
    )
    .unwrap();
    assert_eq!(chain, ["CN=Self Signer"]);
    // Not trusted: unknown issuer (itself).
    let other = self_signed(ca_params("Other", (2020, 1, 1), (2040, 1, 1)));
    assert_eq!(
        verify(
            &leaf.cert,
            &[],
            &anchors(&[&other]),
            time,
            time,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::UnknownIssuer {
            subject: "CN=Self Signer".into(),
            issuer: "CN=Self Signer".into()
        }
    );
    // Still subject to its validity period.
    let late = t("2031-01-01T00:00:00Z");
    assert!(matches!(
        verify(
            &leaf.cert,
            &[],
            &anchors(&[&leaf]),
            late,
            late,
            LeafProfile::ModelSigning
        ),
        Err(Error::CertificateExpired { .. })
    ));
}

#[test]
fn intermediate_without_key_cert_sign_is_rejected() {
    let root = self_signed(ca_params("Root", (2020, 1, 1), (2040, 1, 1)));
    let mut ip = ca_params("Int No KCS", (2020, 1, 1), (2040, 1, 1));
    ip.key_usages = vec![KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let int = issue(ip, &root);
    let leaf = issue(leaf_params("Leaf"), &int);
    let time = t("2026-01-01T00:00:00Z");
    assert_eq!(
        verify(
            &leaf.cert,
            std::slice::from_ref(&int.cert),
            &anchors(&[&root]),
            time,
            time,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::InvalidIssuer {
            subject: "CN=Int No KCS".into(),
            reason: "its keyUsage lacks keyCertSign"
        }
    );
}

#[test]
fn intermediate_eku_restricts_only_when_present() {
    let root = self_signed(ca_params("Root", (2020, 1, 1), (2040, 1, 1)));
    let mut ip = ca_params("TLS Int", (2020, 1, 1), (2040, 1, 1));
    ip.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let tls_int = issue(ip, &root);
    let leaf = issue(leaf_params("Leaf"), &tls_int);
    let time = t("2026-01-01T00:00:00Z");
    let err = verify(
        &leaf.cert,
        std::slice::from_ref(&tls_int.cert),
        &anchors(&[&root]),
        time,
        time,
        LeafProfile::ModelSigning,
    )
    .unwrap_err();
    assert_eq!(
        err,
        Error::PathValidation {
            subject: "CN=Leaf".into(),
            reason: format!(
                "an intermediate's extendedKeyUsage does not allow {ID_KP_CODE_SIGNING}"
            )
        }
    );
    // Generic profile with the intermediate's purpose passes (leaf EKU is codeSigning
    // though, so use a leaf without EKU).
    let mut lp = leaf_params("Leaf2");
    lp.extended_key_usages = vec![];
    let leaf2 = issue(lp, &tls_int);
    verify(
        &leaf2.cert,
        std::slice::from_ref(&tls_int.cert),
        &anchors(&[&root]),
        time,
        time,
        LeafProfile::ExtendedKeyUsage(ID_KP_SERVER_AUTH),
    )
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
    let root = self_signed(ca_params("Root", (2020, 1, 1), (2040, 1, 1)));
    let time = t("2026-01-01T00:00:00Z");
    let trust = anchors(&[&root]);
    let check = |p: CertificateParams| {
        let leaf = issue(p, &root);
        verify(
            &leaf.cert,
            &[],
            &trust,
            time,
            time,
            LeafProfile::TimeStamping,
        )
    };
    let base = || {
        let mut p = params("TSA", (2025, 1, 1), (2030, 1, 1));
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p
    };

    let mut good = base();
    good.custom_extensions = vec![critical_time_stamping_eku()];
    check(good).unwrap();

    let mut non_critical = base();
    non_critical.extended_key_usages = vec![ExtendedKeyUsagePurpose::TimeStamping];
    let violation = |r: Result<Vec<String>, Error>| match r {
        Err(Error::Profile { violation, .. }) => violation,
        other => panic!("expected a profile error, got {other:?}"),
    };
    assert_eq!(
        violation(check(non_critical)),
        ProfileViolation::ExtendedKeyUsageNotCritical
    );

    let mut two = base();
    two.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::TimeStamping,
        ExtendedKeyUsagePurpose::CodeSigning,
    ];
    assert_eq!(
        violation(check(two)),
        ProfileViolation::ExtendedKeyUsageNotExactly {
            required: ID_KP_TIME_STAMPING,
            present: vec![ID_KP_TIME_STAMPING, ID_KP_CODE_SIGNING]
        }
    );

    assert_eq!(
        violation(check(base())),
        ProfileViolation::ExtendedKeyUsageMissing
    );

    let mut bad_ku = base();
    bad_ku.custom_extensions = vec![critical_time_stamping_eku()];
    bad_ku.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    assert_eq!(
        violation(check(bad_ku)),
        ProfileViolation::KeyUsageNotAllowed {
            allowed: "digitalSignature, nonRepudiation"
        }
    );

    let mut ca = base();
    ca.custom_extensions = vec![critical_time_stamping_eku()];
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    assert_eq!(violation(check(ca)), ProfileViolation::LeafIsCa);
}

#[test]
fn untrusted_budget() {
    let now = t(NOW);
    let many = vec![ms("int.crt.pem"); modelsign_pki::MAX_UNTRUSTED_CERTIFICATES + 1];
    assert_eq!(
        verify(
            &ms("leaf.crt.pem"),
            &many,
            &ms_trust(),
            now,
            now,
            LeafProfile::ModelSigning
        )
        .unwrap_err(),
        Error::TooMany {
            what: "untrusted certificates for path building",
            count: modelsign_pki::MAX_UNTRUSTED_CERTIFICATES + 1,
            limit: modelsign_pki::MAX_UNTRUSTED_CERTIFICATES
        }
    );
}

fn self_signed_with(params: CertificateParams, alg: &'static rcgen::SignatureAlgorithm) -> Node {
    let key = KeyPair::generate_for(alg).unwrap();
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Node {
        key,
        params,
        cert: Certificate::from_der(&der).unwrap(),
    }
}

#[test]
fn chains_signed_with_every_curve_and_ed25519_in_leaf_to_anchor_order() {
    for alg in [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_ECDSA_P521_SHA512,
        &rcgen::PKCS_ED25519,
    ] {
        let root = self_signed_with(ca_params("Root", (2020, 1, 1), (2040, 1, 1)), alg);
        let int1 = issue(ca_params("Int 1", (2020, 1, 1), (2040, 1, 1)), &root);
        let int2 = issue(ca_params("Int 2", (2020, 1, 1), (2040, 1, 1)), &int1);
        let leaf = issue(leaf_params("Leaf"), &int2);
        let time = t("2026-01-01T00:00:00Z");
        // Untrusted certificates in scrambled order: the chain comes back leaf first.
        let chain = verify(
            &leaf.cert,
            &[int1.cert.clone(), int2.cert.clone()],
            &anchors(&[&root]),
            time,
            time,
            LeafProfile::ModelSigning,
        )
        .unwrap();
        assert_eq!(
            chain,
            ["CN=Leaf", "CN=Int 2", "CN=Int 1", "CN=Root"],
            "{alg:?}"
        );
    }
}
