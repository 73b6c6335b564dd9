//! Certificate structure rules (src/structure.rs) through `verify_chain`: which rule fires,
//! on which certificate, and for which profiles.

#![allow(clippy::unwrap_used, clippy::panic)]

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH};
use const_oid::ObjectIdentifier;
use modelsign_pki::{
    certificates_from_pem, verify_chain, Certificate, ChainRequest, Error, LeafProfile,
    StructureViolation, Time, TrustStore, MIN_RSA_BITS,
};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType,
};

const BORINGSSL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/boringssl-pki-chains"
);

const GENERIC: LeafProfile = LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING);
const ALL_PROFILES: [LeafProfile; 2] = [LeafProfile::ModelSigning, GENERIC];

struct Node {
    key: KeyPair,
    params: CertificateParams,
    cert: Certificate,
}

fn params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2040, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p
}

fn ca(cn: &str) -> CertificateParams {
    let mut p = params(cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

fn leaf(cn: &str) -> CertificateParams {
    let mut p = params(cn);
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

fn run(leaf: &Node, untrusted: &[&Node], anchor: &Node, profile: LeafProfile) -> Result<(), Error> {
    let time = Time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let untrusted: Vec<Certificate> = untrusted.iter().map(|n| n.cert.clone()).collect();
    verify_chain(&ChainRequest {
        leaf: &leaf.cert,
        untrusted: &untrusted,
        trust: &TrustStore::new(vec![anchor.cert.clone()], vec![]),
        time,
        latest: time,
        profile,
    })
    .map(|_| ())
}

fn structure(subject: &str, violation: StructureViolation) -> Error {
    Error::Structure {
        subject: subject.into(),
        violation,
    }
}

#[test]
fn conforming_chain_passes_every_profile() {
    let root = self_signed(ca("Root"));
    let int = issue(ca("Int"), &root);
    let end = issue(leaf("Leaf"), &int);
    for profile in ALL_PROFILES {
        run(&end, &[&int], &root, profile).unwrap();
    }
}

#[test]
fn missing_aki_is_refused_by_the_generic_profile_only() {
    let root = self_signed(ca("Root"));
    let mut int_params = ca("Int");
    int_params.use_authority_key_identifier_extension = false;
    let int = issue(int_params, &root);
    let end = issue(leaf("Leaf"), &int);
    // Real TSA PKIs (Sigstore's test TSA) omit the AKI: the trust profiles accept it.
    run(&end, &[&int], &root, LeafProfile::ModelSigning).unwrap();
    assert_eq!(
        run(&end, &[&int], &root, GENERIC).unwrap_err(),
        structure("CN=Int", StructureViolation::AuthorityKeyIdentifierMissing)
    );
}

#[test]
fn non_ca_anchor_cannot_issue() {
    // A self-signed end-entity certificate configured as trusted must not vouch for
    // certificates "issued" with its key.
    let mut p = leaf("Trusted Leaf");
    p.is_ca = IsCa::ExplicitNoCa;
    let root = self_signed(p);
    let end = issue(leaf("Leaf"), &root);
    for profile in ALL_PROFILES {
        assert_eq!(
            run(&end, &[], &root, profile).unwrap_err(),
            structure("CN=Trusted Leaf", StructureViolation::AnchorNotCa),
            "{profile}"
        );
    }
}

#[test]
fn unknown_critical_extension_in_the_anchor() {
    let mut p = ca("Root");
    let mut ext = CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55738, 666, 1], vec![5, 0]);
    ext.set_criticality(true);
    p.custom_extensions.push(ext);
    let root = self_signed(p);
    let end = issue(leaf("Leaf"), &root);
    for profile in ALL_PROFILES {
        assert_eq!(
            run(&end, &[], &root, profile).unwrap_err(),
            structure(
                "CN=Root",
                StructureViolation::UnsupportedCriticalExtension {
                    oid: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55738.666.1")
                }
            ),
            "{profile}"
        );
    }
}

#[test]
fn key_cert_sign_needs_ca() {
    let root = self_signed(ca("Root"));
    let mut p = leaf("Leaf");
    p.key_usages.push(KeyUsagePurpose::KeyCertSign);
    let end = issue(p, &root);
    for profile in ALL_PROFILES {
        assert_eq!(
            run(&end, &[], &root, profile).unwrap_err(),
            structure("CN=Leaf", StructureViolation::KeyCertSignWithoutCa),
            "{profile}"
        );
    }
}

#[test]
fn name_constraints_rules() {
    let root = self_signed(ca("Root"));
    let mut p = leaf("Leaf");
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
        excluded_subtrees: vec![],
    });
    let end = issue(p, &root);
    assert_eq!(
        run(&end, &[], &root, LeafProfile::ModelSigning).unwrap_err(),
        structure("CN=Leaf", StructureViolation::NameConstraintsInEndEntity)
    );

    let mut p = ca("Int");
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(".example.com".into())],
        excluded_subtrees: vec![],
    });
    let int = issue(p, &root);
    let end = issue(leaf("Leaf"), &int);
    assert_eq!(
        run(&end, &[&int], &root, LeafProfile::ModelSigning).unwrap_err(),
        structure(
            "CN=Int",
            StructureViolation::InvalidDnsName {
                field: "nameConstraints",
                name: ".example.com".into()
            }
        )
    );
}

#[test]
fn subject_alt_name_dns_syntax() {
    let root = self_signed(ca("Root"));
    for bad in ["under_score.example.com", "192.0.2.1"] {
        let mut p = leaf("Leaf");
        p.subject_alt_names = vec![SanType::DnsName(bad.try_into().unwrap())];
        let end = issue(p, &root);
        assert_eq!(
            run(&end, &[], &root, LeafProfile::ModelSigning).unwrap_err(),
            structure(
                "CN=Leaf",
                StructureViolation::InvalidDnsName {
                    field: "subjectAltName",
                    name: bad.into()
                }
            )
        );
    }
    let mut p = leaf("Leaf");
    p.subject_alt_names = vec![SanType::DnsName("*.example.com".try_into().unwrap())];
    run(&issue(p, &root), &[], &root, LeafProfile::ModelSigning).unwrap();
}

#[test]
fn small_rsa_leaf_key_is_refused() {
    // BoringSSL target-has-512bit-rsa-key: webpki never checks the leaf's own key size.
    let pem = std::fs::read(format!("{BORINGSSL}/target-has-512bit-rsa-key/chain.pem")).unwrap();
    let certs = certificates_from_pem(&pem).unwrap();
    let time = Time::parse_rfc3339("2022-01-01T00:00:00Z").unwrap();
    let err = verify_chain(&ChainRequest {
        leaf: &certs[0],
        untrusted: &certs[1..2],
        trust: &TrustStore::new(vec![certs[2].clone()], vec![]),
        time,
        latest: time,
        profile: LeafProfile::ExtendedKeyUsage(ID_KP_SERVER_AUTH),
    })
    .unwrap_err();
    assert_eq!(
        err,
        structure(
            "CN=Target",
            StructureViolation::RsaKeyTooSmall {
                bits: 512,
                minimum: MIN_RSA_BITS
            }
        )
    );
}
