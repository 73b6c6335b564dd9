//! Fixtures shared by the pki integration tests: the shared third-party test data, PKIs
//! generated with rcgen (a [`Node`] can issue under itself), and [`ChainCheck`], one
//! `verify_chain` call with the defaults most tests use.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use modelsign_pki::{
    certificates_from_pem, verify_chain, Certificate, ChainRequest, Error, LeafProfile, Time,
    TrustStore,
};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// `/work/shared/testdata`, read in place (never copied into the repo).
pub(crate) const TESTDATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/testdata");

/// Every certificate in the PEM file `relative` (to [`TESTDATA`]).
pub(crate) fn testdata_certificates(relative: &str) -> Vec<Certificate> {
    certificates_from_pem(&std::fs::read(format!("{TESTDATA}/{relative}")).unwrap()).unwrap()
}

pub(crate) fn t(rfc3339: &str) -> Time {
    Time::parse_rfc3339(rfc3339).unwrap()
}

/// A calendar day, as rcgen takes validity bounds.
pub(crate) type Ymd = (i32, u8, u8);

/// The window of CAs whose validity a test does not care about.
const CA_FROM: Ymd = (2020, 1, 1);
const CA_TO: Ymd = (2040, 1, 1);

/// A certificate with only a CN, a validity window and the AKI extension.
pub(crate) fn params(cn: &str, from: Ymd, to: Ymd) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
    // Conforming CAs write the AKI (RFC 5280 4.2.1.1); the generic profile requires it.
    p.use_authority_key_identifier_extension = true;
    p
}

/// A CA (basicConstraints CA:TRUE, keyCertSign + cRLSign) valid over `from..to`.
pub(crate) fn ca_valid(cn: &str, from: Ymd, to: Ymd) -> CertificateParams {
    let mut p = params(cn, from, to);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

/// A CA valid over [`CA_FROM`]..[`CA_TO`].
pub(crate) fn ca(cn: &str) -> CertificateParams {
    ca_valid(cn, CA_FROM, CA_TO)
}

/// A code-signing leaf (digitalSignature, EKU codeSigning) valid 2025..2030.
pub(crate) fn leaf(cn: &str) -> CertificateParams {
    let mut p = params(cn, (2025, 1, 1), (2030, 1, 1));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    p
}

/// A generated certificate with what it takes to issue under it.
pub(crate) struct Node {
    pub(crate) key: KeyPair,
    pub(crate) params: CertificateParams,
    pub(crate) cert: Certificate,
}

impl Node {
    /// Self-signed with a fresh P-256 key.
    pub(crate) fn self_signed(params: CertificateParams) -> Node {
        Node::self_signed_with(params, &rcgen::PKCS_ECDSA_P256_SHA256)
    }

    /// Self-signed with a fresh key for `alg`.
    pub(crate) fn self_signed_with(
        params: CertificateParams,
        alg: &'static rcgen::SignatureAlgorithm,
    ) -> Node {
        let key = KeyPair::generate_for(alg).unwrap();
        let der = params.self_signed(&key).unwrap().der().to_vec();
        Node {
            key,
            params,
            cert: Certificate::from_der(&der).unwrap(),
        }
    }

    /// A certificate for a fresh P-256 key, signed by this node.
    pub(crate) fn issue(&self, params: CertificateParams) -> Node {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let der = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap()
            .der()
            .to_vec();
        Node {
            key,
            params,
            cert: Certificate::from_der(&der).unwrap(),
        }
    }
}

/// A trust store whose anchors are `nodes`, without intermediates.
pub(crate) fn anchors(nodes: &[&Node]) -> TrustStore {
    TrustStore::new(nodes.iter().map(|n| n.cert.clone()).collect(), vec![])
}

/// One `verify_chain` call: no untrusted certificates, `latest` equal to `time` and the
/// model-signing profile unless set otherwise.
pub(crate) struct ChainCheck {
    leaf: Certificate,
    untrusted: Vec<Certificate>,
    trust: TrustStore,
    time: Time,
    latest: Time,
    profile: LeafProfile,
}

impl ChainCheck {
    pub(crate) fn new(leaf: &Certificate, trust: TrustStore, time: Time) -> Self {
        ChainCheck {
            leaf: leaf.clone(),
            untrusted: Vec::new(),
            trust,
            time,
            latest: time,
            profile: LeafProfile::ModelSigning,
        }
    }

    pub(crate) fn untrusted(mut self, certificates: &[Certificate]) -> Self {
        self.untrusted = certificates.to_vec();
        self
    }

    pub(crate) fn latest(mut self, latest: Time) -> Self {
        self.latest = latest;
        self
    }

    pub(crate) fn profile(mut self, profile: LeafProfile) -> Self {
        self.profile = profile;
        self
    }

    /// The subjects of the validated chain, leaf first. A chain that validates must report
    /// the time and leaf it was asked about.
    pub(crate) fn run(self) -> Result<Vec<String>, Error> {
        verify_chain(&ChainRequest {
            leaf: &self.leaf,
            untrusted: &self.untrusted,
            trust: &self.trust,
            time: self.time,
            latest: self.latest,
            profile: self.profile,
        })
        .map(|chain| {
            assert_eq!(chain.time(), self.time);
            assert_eq!(chain.leaf(), &self.leaf);
            chain
                .certificates()
                .iter()
                .map(Certificate::subject)
                .collect()
        })
    }
}
