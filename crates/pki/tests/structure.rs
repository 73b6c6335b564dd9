//! Certificate structure rules (src/structure.rs) through `verify_chain`: which rule fires,
//! on which certificate, and for which profiles.

#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH};
use const_oid::ObjectIdentifier;
use modelsign_pki::{
    certificates_from_pem, Certificate, Error, LeafProfile, StructureViolation, TrustStore,
    MIN_RSA_BITS,
};
use rcgen::{CustomExtension, GeneralSubtree, IsCa, KeyUsagePurpose, NameConstraints, SanType};
use support::{anchors, ca, leaf, t, testdata_certificates, ChainCheck, Node};

const GENERIC: LeafProfile = LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING);
const ALL_PROFILES: [LeafProfile; 2] = [LeafProfile::ModelSigning, GENERIC];

/// Every generated chain and x509-limbo case here is validated at this instant.
const AT: &str = "2026-01-01T00:00:00Z";

fn run(leaf: &Node, untrusted: &[&Node], anchor: &Node, profile: LeafProfile) -> Result<(), Error> {
    let untrusted: Vec<Certificate> = untrusted.iter().map(|n| n.cert.clone()).collect();
    ChainCheck::new(&leaf.cert, anchors(&[anchor]), t(AT))
        .untrusted(&untrusted)
        .profile(profile)
        .run()
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
    let root = Node::self_signed(ca("Root"));
    let int = root.issue(ca("Int"));
    let end = int.issue(leaf("Leaf"));
    for profile in ALL_PROFILES {
        run(&end, &[&int], &root, profile).unwrap();
    }
}

#[test]
fn missing_aki_is_refused_by_the_generic_profile_only() {
    let root = Node::self_signed(ca("Root"));
    let mut int_params = ca("Int");
    int_params.use_authority_key_identifier_extension = false;
    let int = root.issue(int_params);
    let end = int.issue(leaf("Leaf"));
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
    // Without a keyUsage extension (else the keyCertSign check fires first).
    let mut p = leaf("Trusted Leaf");
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![];
    let root = Node::self_signed(p);
    let end = root.issue(leaf("Leaf"));
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
    let root = Node::self_signed(p);
    let end = root.issue(leaf("Leaf"));
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
    let root = Node::self_signed(ca("Root"));
    let mut p = leaf("Leaf");
    p.key_usages.push(KeyUsagePurpose::KeyCertSign);
    let end = root.issue(p);
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
    let root = Node::self_signed(ca("Root"));
    let mut p = leaf("Leaf");
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
        excluded_subtrees: vec![],
    });
    let end = root.issue(p);
    assert_eq!(
        run(&end, &[], &root, LeafProfile::ModelSigning).unwrap_err(),
        structure("CN=Leaf", StructureViolation::NameConstraintsInEndEntity)
    );

    let mut p = ca("Int");
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName(".example.com".into())],
        excluded_subtrees: vec![],
    });
    let int = root.issue(p);
    let end = int.issue(leaf("Leaf"));
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
    let root = Node::self_signed(ca("Root"));
    for bad in ["under_score.example.com", "192.0.2.1"] {
        let mut p = leaf("Leaf");
        p.subject_alt_names = vec![SanType::DnsName(bad.try_into().unwrap())];
        let end = root.issue(p);
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
    run(&root.issue(p), &[], &root, LeafProfile::ModelSigning).unwrap();
}

#[test]
fn small_rsa_leaf_key_is_refused() {
    // BoringSSL target-has-512bit-rsa-key: webpki never checks the leaf's own key size.
    let certs = testdata_certificates("boringssl-pki-chains/target-has-512bit-rsa-key/chain.pem");
    let err = ChainCheck::new(
        &certs[0],
        TrustStore::new(vec![certs[2].clone()], vec![]),
        t("2022-01-01T00:00:00Z"),
    )
    .untrusted(&certs[1..2])
    .profile(LeafProfile::ExtendedKeyUsage(ID_KP_SERVER_AUTH))
    .run()
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

/// The x509-limbo case `id` (which must expect FAILURE) run as limbo runs it: its trusted
/// certificates as anchors, its untrusted intermediates, the generic profile for
/// serverAuth, at [`AT`] (inside the 1970-2969 validity of limbo's certificates).
fn limbo_case(limbo: &serde_json::Value, id: &str) -> Result<Vec<String>, Error> {
    let case = limbo["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in limbo.json"));
    assert_eq!(case["expected_result"], "FAILURE", "{id}");
    let pems = |v: &serde_json::Value| -> Vec<Certificate> {
        v.as_array()
            .unwrap()
            .iter()
            .flat_map(|p| certificates_from_pem(p.as_str().unwrap().as_bytes()).unwrap())
            .collect()
    };
    let peer = certificates_from_pem(case["peer_certificate"].as_str().unwrap().as_bytes())
        .unwrap()
        .remove(0);
    ChainCheck::new(
        &peer,
        TrustStore::new(pems(&case["trusted_certs"]), vec![]),
        t(AT),
    )
    .untrusted(&pems(&case["untrusted_intermediates"]))
    .profile(LeafProfile::ExtendedKeyUsage(ID_KP_SERVER_AUTH))
    .run()
}

fn limbo() -> serde_json::Value {
    let path = format!("{}/x509-limbo/limbo.json", support::TESTDATA);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Each x509-limbo case this module exists for fails on the rule meant for it, on the
/// certificate at fault (limbo runs them with the generic profile; cases limbo validates
/// at "now" are checked at 2026-01-01, inside the 1970-2969 validity of its certificates).
#[test]
fn limbo_cases_fail_for_the_intended_reason() {
    use StructureViolation as V;
    let limbo = limbo();
    let root = "CN=x509-limbo-root";
    let leaf = "CN=example.com";
    let expected: Vec<(&str, Option<&str>, V)> = vec![
        (
            "rfc5280::root-missing-basic-constraints",
            Some(root),
            V::KeyCertSignWithoutCa,
        ),
        (
            "rfc5280::root-non-critical-basic-constraints",
            Some(root),
            V::BasicConstraintsNotCritical,
        ),
        (
            "rfc5280::unknown-critical-extension-root",
            Some(root),
            V::UnsupportedCriticalExtension {
                oid: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.55738.666.1"),
            },
        ),
        (
            "rfc5280::aki::critical-aki",
            Some(root),
            V::MustNotBeCritical {
                extension: "authorityKeyIdentifier",
            },
        ),
        (
            "rfc5280::ski::critical-ski",
            Some(root),
            V::MustNotBeCritical {
                extension: "subjectKeyIdentifier",
            },
        ),
        (
            "rfc5280::aki::leaf-missing-aki",
            Some(leaf),
            V::AuthorityKeyIdentifierMissing,
        ),
        (
            "rfc5280::aki::intermediate-missing-aki",
            None,
            V::AuthorityKeyIdentifierMissing,
        ),
        (
            "rfc5280::ski::root-missing-ski",
            Some(root),
            V::SubjectKeyIdentifierMissing,
        ),
        (
            "rfc5280::ski::intermediate-missing-ski",
            None,
            V::SubjectKeyIdentifierMissing,
        ),
        (
            "rfc5280::leaf-ku-keycertsign",
            Some(leaf),
            V::KeyCertSignWithoutCa,
        ),
        ("rfc5280::ca-empty-subject", Some(""), V::IssuerSubjectEmpty),
        (
            "rfc5280::nc::not-allowed-in-ee-critical",
            Some(leaf),
            V::NameConstraintsInEndEntity,
        ),
        (
            "rfc5280::nc::not-allowed-in-ee-noncritical",
            Some(leaf),
            V::NameConstraintsInEndEntity,
        ),
        (
            "rfc5280::nc::invalid-dnsname-leading-period",
            Some(root),
            V::InvalidDnsName {
                field: "nameConstraints",
                name: ".example.com".into(),
            },
        ),
        (
            "webpki::nc::intermediate-permitted-excluded-subtrees-both-null",
            None,
            V::NameConstraintsEmpty,
        ),
        (
            "webpki::nc::intermediate-permitted-excluded-subtrees-both-empty-sequences",
            None,
            V::NameConstraintsEmpty,
        ),
        (
            "pathological::nc-dos-3",
            Some(root),
            V::TooManyNameConstraints {
                count: 4097,
                limit: 1024,
            },
        ),
        (
            "rfc5280::san::noncritical-with-empty-subject",
            Some(""),
            V::EmptySubjectWithoutCriticalSubjectAltName,
        ),
        (
            "rfc5280::san::underscore-dns",
            Some(leaf),
            V::InvalidDnsName {
                field: "subjectAltName",
                name: "foo_bar.example.com".into(),
            },
        ),
        (
            "rfc5280::san::ip-in-dns",
            Some(leaf),
            V::InvalidDnsName {
                field: "subjectAltName",
                name: "8.8.8.8".into(),
            },
        ),
        (
            "webpki::aki::root-with-aki-missing-keyidentifier",
            Some(root),
            V::AnchorAuthorityKeyIdentifier {
                reason: "has no keyIdentifier",
            },
        ),
        (
            "webpki::aki::root-with-aki-authoritycertissuer",
            Some(root),
            V::AnchorAuthorityKeyIdentifier {
                reason: "has an authorityCertIssuer",
            },
        ),
        (
            "webpki::aki::root-with-aki-authoritycertserialnumber",
            Some(root),
            V::AnchorAuthorityKeyIdentifier {
                reason: "has an authorityCertSerialNumber",
            },
        ),
        (
            "webpki::aki::root-with-aki-ski-mismatch",
            Some(root),
            V::AnchorAuthorityKeyIdentifier {
                reason: "keyIdentifier differs from the subjectKeyIdentifier",
            },
        ),
        (
            "webpki::forbidden-rsa-not-divisible-by-8-in-root",
            Some(root),
            V::RsaModulusNotMultipleOf8 { bits: 2052 },
        ),
    ];
    for (id, subject, violation) in expected {
        let err = limbo_case(&limbo, id).unwrap_err();
        match (&err, subject) {
            (
                Error::Structure {
                    subject: s,
                    violation: v,
                },
                Some(want),
            ) => {
                assert_eq!((s.as_str(), v), (want, &violation), "{id}");
            }
            // Intermediates carry a random OU: only the CN prefix is fixed.
            (
                Error::Structure {
                    subject: s,
                    violation: v,
                },
                None,
            ) => {
                assert!(s.starts_with("CN=x509-limbo-intermediate"), "{id}: {s}");
                assert_eq!(v, &violation, "{id}");
            }
            _ => panic!("{id}: {err:?}"),
        }
    }
}

#[test]
fn malformed_authority_info_access_is_an_extension_error() {
    let err = limbo_case(&limbo(), "webpki::malformed-aia").unwrap_err();
    assert!(
        matches!(&err, Error::Extension { subject, extension: "authorityInfoAccess", .. } if subject == "CN=example.com"),
        "{err:?}"
    );
}
