//! Builds time-stamp tokens from scratch, with a knob for every rule a verifier must
//! enforce, so each negative test breaks exactly one thing. Certificates come from
//! `modelsign-devpki`; signatures from `modelsign-pki` keys. Nothing here validates anything.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, Int, OctetString, SetOfVec};
use der::{Decode, Encode};
use modelsign_devpki::{
    issue, self_signed, BasicConstraintsSpec, CertProfile, CertSpec, CustomProfile,
    ExtendedKeyUsageSpec, IssuedCert, KeyUsageSpec, KeyUsages,
};
use modelsign_pki::{Certificate, HashAlgorithm, KeyKind, SignatureScheme, Time};
use modelsign_tsp::asn1::{
    Accuracy, EssCertId, EssCertIdV2, GeneralizedTimeFrac, IssuerSerial, MessageImprint,
    PkiStatusInfo, SigningCertificate, SigningCertificateV2, TimeStampResp, TstInfo,
};

use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::ext::Extension;

pub const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
pub const ID_KP_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
pub const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub const ID_SIGNING_CERT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
pub const ID_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
pub const POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2");
pub const DATUM: &[u8] = b"raw signature bytes";

pub fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

/// A TSA PKI: root → (optional intermediate) → leaf.
pub struct TsaPki {
    pub root: IssuedCert,
    pub intermediate: Option<IssuedCert>,
    pub leaf: IssuedCert,
}

impl TsaPki {
    pub fn chain_without_root(&self) -> Vec<Certificate> {
        let mut v = vec![self.leaf.cert.clone()];
        v.extend(self.intermediate.iter().map(|i| i.cert.clone()));
        v
    }
}

pub fn tsa_profile(critical: bool, purposes: Vec<ObjectIdentifier>, ca: bool) -> CertProfile {
    CertProfile::Custom(CustomProfile {
        basic_constraints: Some(if ca {
            BasicConstraintsSpec::ca(None)
        } else {
            BasicConstraintsSpec::end_entity()
        }),
        key_usage: Some(KeyUsageSpec::critical(if ca {
            KeyUsages::DigitalSignature | KeyUsages::KeyCertSign
        } else {
            KeyUsages::DigitalSignature.into()
        })),
        extended_key_usage: Some(ExtendedKeyUsageSpec { critical, purposes }),
        extra_extensions: Vec::new(),
    })
}

/// Root valid 2020..2040, leaf valid 2024..2030 (genTime defaults to 2025-06-01).
pub fn tsa_pki(
    name: &str,
    leaf_profile: CertProfile,
    key: KeyKind,
    with_intermediate: bool,
) -> TsaPki {
    let root = self_signed(&CertSpec::new(
        format!("{name} root"),
        CertProfile::Root,
        KeyKind::EcdsaP256,
        t("2020-01-01T00:00:00Z"),
        t("2040-01-01T00:00:00Z"),
    ))
    .unwrap();
    let intermediate = with_intermediate.then(|| {
        issue(
            &CertSpec::new(
                format!("{name} intermediate"),
                CertProfile::Intermediate { path_len: Some(0) },
                KeyKind::EcdsaP256,
                t("2020-01-01T00:00:00Z"),
                t("2040-01-01T00:00:00Z"),
            ),
            &root,
        )
        .unwrap()
    });
    let leaf = issue(
        &CertSpec::new(
            format!("{name} TSA"),
            leaf_profile,
            key,
            t("2024-01-01T00:00:00Z"),
            t("2030-01-01T00:00:00Z"),
        ),
        intermediate.as_ref().unwrap_or(&root),
    )
    .unwrap();
    TsaPki {
        root,
        intermediate,
        leaf,
    }
}

pub fn good_pki() -> TsaPki {
    tsa_pki(
        "Good",
        CertProfile::TimeStampingLeaf,
        KeyKind::EcdsaP256,
        true,
    )
}

#[derive(Clone, Debug)]
pub enum Ess {
    V2,
    V2Sha384,
    V1,
    Both,
    None,
    /// V2 with this certHash.
    V2Hash(Vec<u8>),
    /// V1 with this certHash.
    V1Hash(Vec<u8>),
    /// V2 with an issuerSerial naming this serial.
    V2IssuerSerial(Vec<u8>),
    /// V2 with a SHA-1 hash algorithm.
    V2Sha1,
    /// V2 with an empty ESSCertID list.
    V2Empty,
}

#[derive(Clone, Debug)]
pub struct Spec {
    pub gen_time: Time,
    pub datum: Vec<u8>,
    pub imprint_alg: ObjectIdentifier,
    pub imprint: Option<Vec<u8>>,
    pub version: Vec<u8>,
    pub policy: ObjectIdentifier,
    pub accuracy: Option<Accuracy>,
    pub nonce: Option<Vec<u8>>,
    /// `Some(None)` = the signer's subject as directoryName.
    pub tsa: Option<Option<GeneralName>>,
    pub extensions: Option<Vec<Extension>>,
    pub econtent_type: ObjectIdentifier,
    pub content_type_attr: Option<ObjectIdentifier>,
    pub message_digest: Option<Vec<u8>>,
    pub ess: Ess,
    pub digest: HashAlgorithm,
    /// Certificates in the bag; `None` = the signer's chain without root.
    pub certs: Option<Vec<Certificate>>,
    pub sid_ski: bool,
    pub tamper_signature: bool,
    pub signer_infos: usize,
    /// Signature scheme; `None` = the key's family with `digest` (RSA: PKCS#1 v1.5).
    pub scheme: Option<SignatureScheme>,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            gen_time: t("2025-06-01T12:00:00Z"),
            datum: DATUM.to_vec(),
            imprint_alg: HashAlgorithm::Sha256.oid(),
            imprint: None,
            version: vec![1],
            policy: POLICY,
            accuracy: Some(Accuracy {
                seconds: Some(Int::new(&[1]).unwrap()),
                millis: None,
                micros: None,
            }),
            nonce: Some(vec![0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]),
            tsa: Some(None),
            extensions: None,
            econtent_type: ID_CT_TST_INFO,
            content_type_attr: Some(ID_CT_TST_INFO),
            message_digest: None,
            ess: Ess::V2,
            digest: HashAlgorithm::Sha256,
            certs: None,
            sid_ski: false,
            tamper_signature: false,
            signer_infos: 1,
            scheme: None,
        }
    }
}

pub fn int(v: &[u8]) -> Int {
    Int::new(v).unwrap()
}

fn any<T: Encode>(v: &T) -> Any {
    Any::from_der(&v.to_der().unwrap()).unwrap()
}

fn attr(oid: ObjectIdentifier, value: Any) -> Attribute {
    Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).unwrap(),
    }
}

fn sha1(b: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
        .as_ref()
        .to_vec()
}

fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

pub fn tst_info_der(spec: &Spec, signer: &Certificate) -> Vec<u8> {
    let imprint = spec.imprint.clone().unwrap_or_else(|| {
        HashAlgorithm::from_oid(&spec.imprint_alg)
            .map_or_else(|| sha1(&spec.datum), |h| h.digest(&spec.datum))
    });
    let tst = TstInfo {
        version: int(&spec.version),
        policy: spec.policy,
        message_imprint: MessageImprint {
            hash_algorithm: alg(spec.imprint_alg),
            hashed_message: OctetString::new(imprint).unwrap(),
        },
        serial_number: int(&[0x0a, 0xbc]),
        gen_time: GeneralizedTimeFrac::new(
            spec.gen_time.unix_seconds(),
            spec.gen_time.subsec_nanos(),
        )
        .unwrap(),
        accuracy: spec.accuracy.clone(),
        ordering: false,
        nonce: spec.nonce.as_ref().map(|n| int(n)),
        tsa: spec.tsa.as_ref().map(|o| {
            o.clone().unwrap_or_else(|| {
                GeneralName::DirectoryName(signer.x509().tbs_certificate().subject().clone())
            })
        }),
        extensions: spec.extensions.clone(),
    };
    tst.to_der().unwrap()
}

fn ess_attr(spec: &Spec, signer: &Certificate) -> Vec<Attribute> {
    let der = signer.der();
    let v2 = |hash_algorithm: Option<AlgorithmIdentifierOwned>,
              hash: Vec<u8>,
              issuer_serial: Option<IssuerSerial>| {
        let sc = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm,
                cert_hash: OctetString::new(hash).unwrap(),
                issuer_serial,
            }],
            policies: None,
        };
        attr(ID_SIGNING_CERT_V2, any(&sc))
    };
    let v1 = |hash: Vec<u8>| {
        let sc = SigningCertificate {
            certs: vec![EssCertId {
                cert_hash: OctetString::new(hash).unwrap(),
                issuer_serial: None,
            }],
            policies: None,
        };
        attr(ID_SIGNING_CERT, any(&sc))
    };
    let sha256 = HashAlgorithm::Sha256.digest(der);
    match &spec.ess {
        Ess::V2 => vec![v2(None, sha256, None)],
        Ess::V2Sha384 => vec![v2(
            Some(alg(HashAlgorithm::Sha384.oid())),
            HashAlgorithm::Sha384.digest(der),
            None,
        )],
        Ess::V1 => vec![v1(sha1(der))],
        Ess::Both => vec![v2(None, sha256, None), v1(sha1(der))],
        Ess::None => vec![],
        Ess::V2Hash(h) => vec![v2(None, h.clone(), None)],
        Ess::V1Hash(h) => vec![v1(h.clone())],
        Ess::V2IssuerSerial(serial) => {
            let tbs = signer.x509().tbs_certificate();
            let is = IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: x509_cert::serial_number::SerialNumber::new(serial).unwrap(),
                issuer_uid: None,
            };
            vec![v2(None, sha256, Some(is))]
        }
        Ess::V2Sha1 => vec![v2(Some(alg(ID_SHA1)), sha1(der), None)],
        Ess::V2Empty => {
            let sc = SigningCertificateV2 {
                certs: vec![],
                policies: None,
            };
            vec![attr(ID_SIGNING_CERT_V2, any(&sc))]
        }
    }
}

fn signer_info(spec: &Spec, tst_der: &[u8], signer: &IssuedCert) -> SignerInfo {
    let cert = &signer.cert;
    let mut attrs = Vec::new();
    if let Some(ct) = spec.content_type_attr {
        attrs.push(attr(ID_CONTENT_TYPE, any(&ct)));
    }
    let md = spec
        .message_digest
        .clone()
        .unwrap_or_else(|| spec.digest.digest(tst_der));
    attrs.push(attr(ID_MESSAGE_DIGEST, any(&OctetString::new(md).unwrap())));
    attrs.extend(ess_attr(spec, cert));
    let signed_attrs: SetOfVec<Attribute> = SetOfVec::try_from(attrs).unwrap();

    let scheme = spec
        .scheme
        .unwrap_or_else(|| match signer.key.default_scheme() {
            SignatureScheme::Ecdsa(_) => SignatureScheme::Ecdsa(spec.digest),
            SignatureScheme::RsaPss(_) | SignatureScheme::RsaPkcs1(_) => {
                SignatureScheme::RsaPkcs1(spec.digest)
            }
            SignatureScheme::Ed25519 => SignatureScheme::Ed25519,
        });
    let (digest_alg, signature_algorithm) = scheme.cms_algorithms();
    let mut signature = signer
        .key
        .sign(scheme, &signed_attrs.to_der().unwrap())
        .unwrap();
    if spec.tamper_signature {
        let last = signature.len() - 1;
        signature[last] ^= 0x01;
    }
    let tbs = cert.x509().tbs_certificate();
    let (version, sid) = if spec.sid_ski {
        let ski = cert
            .subject_key_identifier()
            .expect("devpki leaves carry an SKI");
        (
            CmsVersion::V3,
            SignerIdentifier::SubjectKeyIdentifier(SubjectKeyIdentifier(
                OctetString::new(ski).unwrap(),
            )),
        )
    } else {
        (
            CmsVersion::V1,
            SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
        )
    };
    SignerInfo {
        version,
        sid,
        digest_alg,
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature).unwrap(),
        unsigned_attrs: None,
    }
}

/// A bare token (ContentInfo) per `spec`, signed by `signer`; `chain` = the signer's
/// chain (for the default certificate bag).
pub fn token(spec: &Spec, signer: &IssuedCert, chain: &[Certificate]) -> Vec<u8> {
    let tst_der = tst_info_der(spec, &signer.cert);
    let mut infos = vec![signer_info(spec, &tst_der, signer)];
    for i in 1..spec.signer_infos {
        let mut other = spec.clone();
        other.tamper_signature = i % 2 == 1;
        infos.push(signer_info(&other, &tst_der, signer));
    }
    let certs = spec.certs.clone().unwrap_or_else(|| chain.to_vec());
    let certificates = (!certs.is_empty()).then(|| {
        CertificateSet::try_from(
            certs
                .iter()
                .map(|c| CertificateChoices::Certificate(c.x509().clone()))
                .collect::<Vec<_>>(),
        )
        .unwrap()
    });
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(
            vec![spec.digest.oid()]
                .into_iter()
                .map(alg)
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: spec.econtent_type,
            econtent: Some(any(&OctetString::new(tst_der).unwrap())),
        },
        certificates,
        crls: None,
        signer_infos: SignerInfos::try_from(infos).unwrap(),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: any(&sd),
    }
    .to_der()
    .unwrap()
}

/// Wrap a token in a TimeStampResp with `status`.
pub fn response(token_der: Option<&[u8]>, status: u8) -> Vec<u8> {
    TimeStampResp {
        status: PkiStatusInfo {
            status: int(&[status]),
            status_string: None,
            fail_info: None,
        },
        time_stamp_token: token_der.map(|t| ContentInfo::from_der(t).unwrap()),
    }
    .to_der()
    .unwrap()
}

/// A granted response for `spec` signed by the PKI's leaf.
pub fn granted(spec: &Spec, pki: &TsaPki) -> Vec<u8> {
    response(Some(&token(spec, &pki.leaf, &pki.chain_without_root())), 0)
}
