//! The TSA responder core (RFC 3161 §2.4.2, rfc3161-rules §3.2): turn a request into a
//! DER `TimeStampResp`, granted or rejected with the right `failInfo`.
//!
//! A granted token is:
//!
//! ```text
//! ContentInfo { id-signedData, SignedData {
//!   version 3, digestAlgorithms { H }, encapContentInfo { id-ct-TSTInfo, TSTInfo DER },
//!   certificates [0] { TSA leaf (+ chain if configured) }   -- only when certReq
//!   signerInfos { SignerInfo { version 1, sid issuerAndSerialNumber, H,
//!     signedAttrs [0] { contentType, messageDigest, signingCertificateV2 { ESSCertIDv2 {
//!       certHash SHA-256(leaf), issuerSerial } } },  -- DER-sorted SET
//!     signatureAlgorithm, signature } } } }
//! TSTInfo { v1, policy, messageImprint (echoed), serialNumber (positive, 128 bits),
//!   genTime (UTC, millisecond precision), accuracy, nonce (echoed),
//!   tsa [0] directoryName (the signer's subject) }     -- ordering FALSE is omitted (DEFAULT)
//! ```
//!
//! The signature scheme is the key's, except RSA, which signs with PKCS#1 v1.5 / SHA-256: the
//! scheme every TSA verifier (OpenSSL included) accepts. Errors become a response through
//! exactly one mapping, [`failure_info`].

mod template;

use cms::cert::IssuerAndSerialNumber;
use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::Encode;
use modelsign_pki::{Certificate, HashAlgorithm, KeyKind, SignatureScheme, SigningKey, Time};
use x509_cert::ext::pkix::name::GeneralName;

use self::template::{TokenFields, TokenTemplate};
use crate::asn1::{
    self, EssCertIdV2, GeneralizedTimeFrac, IssuerSerial, PkiFailureInfo, PkiStatus,
    SigningCertificateV2,
};
use crate::error::Error;
use crate::oid;
use crate::request::TimeStampRequest;
use crate::token::Accuracy;

/// How the TSA issues tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerConfig {
    /// Policy used when the request names none.
    pub policy: ObjectIdentifier,
    /// Further policies a request may ask for (`policy` is always accepted).
    pub accepted_policies: Vec<ObjectIdentifier>,
    /// Declared accuracy of genTime (RFC 3161 millis/micros 1..=999; 0 = omitted).
    pub accuracy: Option<Accuracy>,
    /// Include the whole chain (not only the leaf) when the request sets certReq.
    pub include_chain: bool,
}

/// What a granted token says, for logging and audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantedToken {
    /// serialNumber as lower-case hex of the INTEGER contents.
    pub serial_hex: String,
    /// genTime (millisecond precision).
    pub gen_time: Time,
    /// Imprint algorithm.
    pub hash_algorithm: HashAlgorithm,
    /// Imprint digest, lower-case hex.
    pub digest_hex: String,
    /// Policy of the token.
    pub policy: ObjectIdentifier,
    /// The request's nonce (hex magnitude), if any.
    pub nonce_hex: Option<String>,
    /// Whether certificates were included.
    pub certificates_included: bool,
}

/// Outcome of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A token was issued.
    Granted(GrantedToken),
    /// The request was refused.
    Rejected {
        /// PKIStatus sent (rejection).
        status: PkiStatus,
        /// failInfo sent.
        fail_info: PkiFailureInfo,
        /// Why, as sent in statusString.
        reason: String,
    },
}

/// A response ready to send, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedResponse {
    /// The DER TimeStampResp.
    pub der: Vec<u8>,
    /// Outcome, for the caller's log.
    pub outcome: Outcome,
}

/// A DER TimeStampResp `{ status rejection, failInfo systemFailure }`, sent if even
/// encoding a rejection fails (it cannot with valid inputs; the server must still answer).
pub const SYSTEM_FAILURE_RESPONSE: [u8; 14] = [
    0x30, 0x0C, 0x30, 0x0A, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40,
];

/// The TSA signer: key, certificate chain and configuration, checked once at start-up.
#[derive(Debug)]
pub struct Issuer {
    key: SigningKey,
    chain: Vec<Certificate>,
    config: IssuerConfig,
    scheme: SignatureScheme,
    digest: HashAlgorithm,
    template: TokenTemplate,
}

/// The scheme a TSA signs with for `key`: the key's default, but PKCS#1 v1.5 / SHA-256 for
/// RSA (the default there is PSS, which older verifiers reject in CMS).
pub fn tsa_signature_scheme(key: &SigningKey) -> SignatureScheme {
    match key.kind() {
        KeyKind::Rsa { .. } => SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256),
        _ => key.default_scheme(),
    }
}

impl Issuer {
    /// Checks the signer: `chain` (leaf first) must be non-empty; the leaf must carry a
    /// critical EKU of exactly id-kp-timeStamping (RFC 3161 §2.3), must not be a CA, KU (if
    /// present) must allow digitalSignature, and `key` must be the leaf's key. Validity
    /// dates are the server's start-up check (it knows the time).
    pub fn new(
        key: SigningKey,
        chain: Vec<Certificate>,
        config: IssuerConfig,
    ) -> Result<Self, Error> {
        let leaf = chain.first().ok_or(Error::SignerProfile {
            subject: "<none>".into(),
            problem: "the certificate chain is empty",
        })?;
        let profile = |problem| Error::SignerProfile {
            subject: leaf.subject(),
            problem,
        };
        let pki = |what| move |source| Error::pki(what, source);
        match leaf
            .extended_key_usage()
            .map_err(pki("reading the TSA certificate's EKU"))?
        {
            None => {
                return Err(profile(
                    "has no extendedKeyUsage extension (id-kp-timeStamping required)",
                ))
            }
            Some(eku) if !eku.critical => {
                return Err(profile("extendedKeyUsage must be critical (RFC 3161 §2.3)"))
            }
            Some(eku) if eku.purposes != [oid::ID_KP_TIME_STAMPING] => {
                return Err(profile(
                    "extendedKeyUsage must be exactly id-kp-timeStamping (RFC 3161 §2.3)",
                ))
            }
            Some(_) => {}
        }
        if leaf
            .basic_constraints()
            .map_err(pki("reading basicConstraints"))?
            .is_some_and(|b| b.ca)
        {
            return Err(profile("is a CA certificate"));
        }
        if leaf
            .key_usage()
            .map_err(pki("reading keyUsage"))?
            .is_some_and(|k| !k.digital_signature)
        {
            return Err(profile("keyUsage lacks digitalSignature"));
        }
        let leaf_key = leaf
            .public_key()
            .map_err(pki("reading the TSA certificate's key"))?;
        if leaf_key.spki_der() != key.public_key().spki_der() {
            return Err(profile("does not certify the configured signing key"));
        }
        let tbs = leaf.x509().tbs_certificate();
        let sid = IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        };
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None, // DEFAULT id-sha256 (RFC 5035 §4)
                cert_hash: OctetString::new(leaf.fingerprint_sha256().to_vec()).map_err(
                    |source| Error::Encode {
                        what: "ESSCertIDv2",
                        source,
                    },
                )?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                    serial_number: tbs.serial_number().clone(),
                    issuer_uid: None,
                }),
            }],
            policies: None,
        };
        let scheme = tsa_signature_scheme(&key);
        let digest = scheme.hash().unwrap_or(HashAlgorithm::Sha512);
        let accuracy = config
            .accuracy
            .as_ref()
            .map(Accuracy::to_asn1)
            .transpose()?;
        let template = TokenTemplate::new(
            &chain,
            &sid,
            &scheme.cms_algorithms(),
            &ess,
            accuracy.as_ref(),
            &GeneralName::DirectoryName(tbs.subject().clone()),
        )?;
        Ok(Issuer {
            key,
            chain,
            config,
            scheme,
            digest,
            template,
        })
    }

    /// The signing certificate chain, leaf first.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The configuration.
    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    /// The signature scheme used for tokens.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// Answers one DER request at time `now` with token serial number `serial` (random,
    /// unique: the caller owns uniqueness across restarts). Always returns a response.
    pub fn respond(&self, request_der: &[u8], now: Time, serial: [u8; 16]) -> IssuedResponse {
        match self.grant(request_der, now, &serial) {
            Ok(granted) => granted,
            Err(err) => reject(&err),
        }
    }

    /// The answer when the TSA's clock is not trusted (rfc3161-rules §3.2: refuse with
    /// timeNotAvailable rather than issue a doubtful time).
    pub fn respond_time_not_available(&self) -> IssuedResponse {
        reject(&Error::TimeNotAvailable)
    }

    fn grant(
        &self,
        request_der: &[u8],
        now: Time,
        serial: &[u8; 16],
    ) -> Result<IssuedResponse, Error> {
        let request = TimeStampRequest::from_der(request_der)?;
        if request.has_extensions() {
            return Err(Error::UnacceptedExtension);
        }
        let policy = match request.policy() {
            None => self.config.policy,
            Some(p) if p == self.config.policy || self.config.accepted_policies.contains(&p) => p,
            Some(p) => return Err(Error::UnacceptedPolicy { policy: p }),
        };
        let millis_nanos = now.subsec_nanos() / 1_000_000 * 1_000_000;
        let gen_time = GeneralizedTimeFrac::new(now.unix_seconds(), millis_nanos)
            .ok_or(Error::GenTimeRange)?;
        let gen_time_value =
            Time::from_unix(now.unix_seconds(), millis_nanos).ok_or(Error::GenTimeRange)?;
        let enc = |what| move |source| Error::Encode { what, source };
        let serial_int = asn1::minimal_positive_integer(serial).map_err(enc("serialNumber"))?;
        let message_imprint = request
            .asn1()
            .message_imprint
            .to_der()
            .map_err(enc("messageImprint"))?;
        let fields = TokenFields {
            policy,
            message_imprint: &message_imprint,
            serial_number: &serial_int,
            gen_time: &gen_time,
            nonce: request.asn1().nonce.as_ref(),
            include_certificates: request.cert_req(),
            include_chain: self.config.include_chain,
        };
        let tst_der = self.template.tst_info(&fields)?;
        let signed_attributes = self
            .template
            .signed_attributes(&self.digest.digest(&tst_der))?;
        let signature = self
            .key
            .sign(self.scheme, &signed_attributes.set)
            .map_err(|source| Error::pki("signing the token", source))?;
        let der = self
            .template
            .response(&fields, &tst_der, &signed_attributes, &signature)?;
        Ok(IssuedResponse {
            der,
            outcome: Outcome::Granted(GrantedToken {
                serial_hex: lower_hex(serial_int.as_bytes()),
                gen_time: gen_time_value,
                hash_algorithm: request.hash_algorithm(),
                digest_hex: lower_hex(request.digest()),
                policy,
                nonce_hex: (!request.nonce().is_empty()).then(|| lower_hex(request.nonce())),
                certificates_included: request.cert_req(),
            }),
        })
    }
}

/// Lower-case hex. `hex::encode` goes through a `char` iterator; this table-driven form is
/// a few times faster, and the server formats two or three per token.
fn lower_hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len().saturating_mul(2)];
    // The buffer has exactly twice the length, and hex digits are ASCII.
    if hex::encode_to_slice(bytes, &mut out).is_err() {
        return hex::encode(bytes);
    }
    String::from_utf8(out).unwrap_or_else(|_| hex::encode(bytes))
}

/// The one mapping from an error while answering a request to the `failInfo` sent
/// (RFC 3161 §2.4.2, rfc3161-rules §3.2).
pub fn failure_info(err: &Error) -> PkiFailureInfo {
    match err {
        Error::UnsupportedHashAlgorithm { .. } => PkiFailureInfo::BAD_ALG,
        Error::DigestLength { .. } => PkiFailureInfo::BAD_DATA_FORMAT,
        Error::UnacceptedPolicy { .. } => PkiFailureInfo::UNACCEPTED_POLICY,
        Error::UnacceptedExtension => PkiFailureInfo::UNACCEPTED_EXTENSION,
        Error::TimeNotAvailable | Error::GenTimeRange => PkiFailureInfo::TIME_NOT_AVAILABLE,
        Error::Asn1 { .. }
        | Error::Ber { .. }
        | Error::TooLarge { .. }
        | Error::Structure { .. }
        | Error::UnsupportedVersion { .. } => PkiFailureInfo::BAD_REQUEST,
        _ => PkiFailureInfo::SYSTEM_FAILURE,
    }
}

fn reject(err: &Error) -> IssuedResponse {
    let fail_info = failure_info(err);
    // Internal failures are not described to the client (they may name key files).
    let reason = if fail_info == PkiFailureInfo::SYSTEM_FAILURE {
        "internal error".to_string()
    } else {
        err.to_string()
    };
    let der =
        rejection_der(fail_info, &reason).unwrap_or_else(|_| SYSTEM_FAILURE_RESPONSE.to_vec());
    IssuedResponse {
        der,
        outcome: Outcome::Rejected {
            status: PkiStatus::Rejection,
            fail_info,
            reason: err.to_string(),
        },
    }
}

fn rejection_der(fail_info: PkiFailureInfo, reason: &str) -> Result<Vec<u8>, der::Error> {
    asn1::TimeStampResp {
        status: asn1::PkiStatusInfo {
            status: Int::new(&[2])?,
            status_string: Some(vec![reason.to_string()]),
            fail_info: Some(fail_info.to_bit_string()?),
        },
        time_stamp_token: None,
    }
    .to_der()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::TimeStampResponse;
    use cms::cert::CertificateChoices;
    use cms::content_info::{CmsVersion, ContentInfo};
    use cms::signed_data::{
        CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo,
        SignerInfos,
    };
    use der::asn1::{Any, SetOfVec};
    use der::{Decode, Tag};
    use modelsign_devpki::DevPki;
    use x509_cert::attr::Attribute;

    fn any_attribute(oid: ObjectIdentifier, value: &impl Encode) -> Attribute {
        let value = Any::from_der(&value.to_der().unwrap()).unwrap();
        Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).unwrap(),
        }
    }

    /// The token as the general `cms`/`der` types encode it (how tokens were built before
    /// `template`): the oracle for the template's bytes. ECDSA signatures are randomised,
    /// so the signature is taken from `signature_of` (given the signed bytes).
    fn general_encoding(
        issuer: &Issuer,
        request: &TimeStampRequest,
        policy: ObjectIdentifier,
        gen_time: GeneralizedTimeFrac,
        serial: &[u8; 16],
        signature_of: &dyn Fn(&[u8]) -> Vec<u8>,
    ) -> Vec<u8> {
        let leaf = &issuer.chain[0];
        let tbs = leaf.x509().tbs_certificate();
        let tst = asn1::TstInfo {
            version: Int::new(&[1]).unwrap(),
            policy,
            message_imprint: request.asn1().message_imprint.clone(),
            serial_number: asn1::minimal_positive_integer(serial).unwrap(),
            gen_time,
            accuracy: issuer
                .config
                .accuracy
                .as_ref()
                .map(|a| a.to_asn1().unwrap()),
            ordering: false,
            nonce: request.asn1().nonce.clone(),
            tsa: Some(GeneralName::DirectoryName(tbs.subject().clone())),
            extensions: None,
        };
        let tst_der = tst.to_der().unwrap();
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(leaf.fingerprint_sha256().to_vec()).unwrap(),
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                    serial_number: tbs.serial_number().clone(),
                    issuer_uid: None,
                }),
            }],
            policies: None,
        };
        let (digest_alg, signature_alg) = issuer.scheme.cms_algorithms();
        let message_digest = OctetString::new(issuer.digest.digest(&tst_der)).unwrap();
        let attrs = SetOfVec::try_from(vec![
            any_attribute(oid::ID_CONTENT_TYPE, &oid::ID_CT_TST_INFO),
            any_attribute(oid::ID_MESSAGE_DIGEST, &message_digest),
            any_attribute(oid::ID_AA_SIGNING_CERTIFICATE_V2, &ess),
        ])
        .unwrap();
        let signature = signature_of(&attrs.to_der().unwrap());
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer().clone(),
                serial_number: tbs.serial_number().clone(),
            }),
            digest_alg: digest_alg.clone(),
            signed_attrs: Some(attrs),
            signature_algorithm: signature_alg,
            signature: OctetString::new(signature).unwrap(),
            unsigned_attrs: None,
        };
        let certificates = request.cert_req().then(|| {
            let included = if issuer.config.include_chain {
                &issuer.chain[..]
            } else {
                &issuer.chain[..1]
            };
            let choices: Vec<CertificateChoices> = included
                .iter()
                .map(|c| CertificateChoices::Certificate(c.x509().clone()))
                .collect();
            CertificateSet::try_from(choices).unwrap()
        });
        let signed_data = SignedData {
            version: CmsVersion::V3,
            digest_algorithms: SetOfVec::try_from(vec![digest_alg]).unwrap(),
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oid::ID_CT_TST_INFO,
                econtent: Some(Any::new(Tag::OctetString, tst_der).unwrap()),
            },
            certificates,
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info]).unwrap(),
        };
        asn1::TimeStampResp {
            status: asn1::PkiStatusInfo {
                status: Int::new(&[0]).unwrap(),
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(ContentInfo {
                content_type: oid::ID_SIGNED_DATA,
                content: Any::encode_from(&signed_data).unwrap(),
            }),
        }
        .to_der()
        .unwrap()
    }

    /// The signature inside a granted response.
    fn signature_in(response_der: &[u8]) -> Vec<u8> {
        let response = asn1::TimeStampResp::from_der(response_der).unwrap();
        let signed_data: SignedData = response
            .time_stamp_token
            .unwrap()
            .content
            .decode_as()
            .unwrap();
        let signer = signed_data.signer_infos.0.get(0).unwrap().clone();
        signer.signature.as_bytes().to_vec()
    }

    #[test]
    fn template_matches_general_encoding() {
        let now = Time::from_unix(1_790_000_000, 123_456_789).unwrap();
        let other_policy = ObjectIdentifier::new_unwrap("1.2.3.4.5");
        let serials: [[u8; 16]; 3] = [[0x80; 16], [0; 16], [0x01; 16]];
        let mut checked = 0;
        for kind in [
            KeyKind::EcdsaP256,
            KeyKind::EcdsaP384,
            KeyKind::Ed25519,
            KeyKind::Rsa { bits: 2048 },
        ] {
            for (accuracy, include_chain) in [
                (None, false),
                (
                    Some(Accuracy {
                        seconds: 1,
                        millis: 500,
                        micros: 0,
                    }),
                    true,
                ),
            ] {
                let pki = DevPki::tsa(now, kind).unwrap();
                let chain = pki.chain();
                let issuer = Issuer::new(
                    pki.leaf.key,
                    chain,
                    IssuerConfig {
                        policy: oid::ID_SHA256,
                        accepted_policies: vec![other_policy],
                        accuracy,
                        include_chain,
                    },
                )
                .unwrap();
                for (i, hash) in [HashAlgorithm::Sha256, HashAlgorithm::Sha512]
                    .into_iter()
                    .enumerate()
                {
                    let mut no_cert_req =
                        TimeStampRequest::for_data(hash, b"datum", Some(other_policy))
                            .unwrap()
                            .asn1()
                            .clone();
                    no_cert_req.cert_req = false;
                    let with_policy = TimeStampRequest::from_asn1(no_cert_req).unwrap();
                    let requests = [
                        TimeStampRequest::for_data(hash, b"datum", None).unwrap(),
                        with_policy,
                        TimeStampRequest::with_nonce(hash, hash.digest(b"x"), None, &[0xFF; 8])
                            .unwrap(),
                    ];
                    for request in requests {
                        let serial = serials[(checked + i) % serials.len()];
                        let ours = issuer.respond(&request.to_der(), now, serial);
                        assert!(matches!(ours.outcome, Outcome::Granted(_)), "{kind:?}");
                        let policy = request.policy().unwrap_or(oid::ID_SHA256);
                        let gen_time =
                            GeneralizedTimeFrac::new(now.unix_seconds(), 123_000_000).unwrap();
                        let signature = signature_in(&ours.der);
                        let general =
                            general_encoding(&issuer, &request, policy, gen_time, &serial, &|_| {
                                signature.clone()
                            });
                        assert_eq!(hex::encode(&ours.der), hex::encode(&general), "{kind:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 2 * 2 * 3);
    }

    #[test]
    fn system_failure_constant_decodes() {
        let r = TimeStampResponse::from_der(&SYSTEM_FAILURE_RESPONSE).unwrap();
        assert_eq!(r.status().status(), PkiStatus::Rejection);
        assert_eq!(r.status().fail_info(), Some(PkiFailureInfo::SYSTEM_FAILURE));
        assert!(r.token().is_none());
    }

    #[test]
    fn lower_hex_matches_hex_crate() {
        for bytes in [&[][..], &[0x00], &[0xAB, 0x01, 0xFF], &[0x5A; 64]] {
            assert_eq!(lower_hex(bytes), hex::encode(bytes));
        }
    }

    #[test]
    fn failure_mapping() {
        assert_eq!(
            failure_info(&Error::UnacceptedExtension),
            PkiFailureInfo::UNACCEPTED_EXTENSION
        );
        assert_eq!(
            failure_info(&Error::TimeNotAvailable),
            PkiFailureInfo::TIME_NOT_AVAILABLE
        );
        assert_eq!(
            failure_info(&Error::Random { what: "x" }),
            PkiFailureInfo::SYSTEM_FAILURE
        );
        let r = reject(&Error::UnacceptedPolicy {
            policy: oid::ID_SHA1,
        });
        let parsed = TimeStampResponse::from_der(&r.der).unwrap();
        assert_eq!(
            parsed.status().fail_info(),
            Some(PkiFailureInfo::UNACCEPTED_POLICY)
        );
        assert_eq!(parsed.status().status_strings().len(), 1);
    }
}
