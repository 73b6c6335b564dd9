//! The DER of a granted `TimeStampResp`, assembled from parts encoded once at start-up.
//!
//! Of a token, only TSTInfo's policy, messageImprint, serialNumber, genTime and nonce, the
//! messageDigest attribute and the signature change between requests. Encoding the whole
//! `cms::SignedData` afresh per request (the TSA certificate, its names and extensions, and
//! the whole tree twice for `Any::encode_from`) cost as much CPU as the P-256 signature
//! itself (measured with `crates/tsa-server/examples/sign_rate.rs`). So the constant parts
//! are encoded once with `der`/`cms` in [`TokenTemplate::new`], and a response is their
//! concatenation under headers that [`der::Header`] encodes ([`tlv`]): no length
//! arithmetic by hand.
//!
//! ```text
//! TimeStampResp ::= SEQUENCE { status PKIStatusInfo {granted}, timeStampToken ContentInfo }
//! ContentInfo   ::= SEQUENCE { id-signedData, [0] EXPLICIT SignedData }
//! SignedData    ::= SEQUENCE { version 3, digestAlgorithms SET, encapContentInfo,
//!                              certificates [0] IMPLICIT SET OF Certificate OPTIONAL,
//!                              signerInfos SET OF SignerInfo }
//! EncapsulatedContentInfo ::= SEQUENCE { id-ct-TSTInfo, [0] EXPLICIT OCTET STRING }
//! SignerInfo    ::= SEQUENCE { version 1, sid, digestAlgorithm, signedAttrs [0] IMPLICIT,
//!                              signatureAlgorithm, signature OCTET STRING }
//! TSTInfo       ::= SEQUENCE { version 1, policy, messageImprint, serialNumber, genTime,
//!                              accuracy OPTIONAL, nonce OPTIONAL, tsa [0] EXPLICIT }
//! ```
//!
//! DER SET OF order (X.690 §11.6) is the ascending order of the elements' encodings. For
//! complete TLV encodings that is plain byte-wise order: one TLV cannot be a proper prefix
//! of another (its length octets fix where it ends), so the zero-padding rule of §11.6
//! never applies. The signed attributes and the certificate set are sorted that way.
//! `tests::matches_general_encoding` checks every byte against the general `cms` encoding.

use const_oid::ObjectIdentifier;
use der::asn1::OctetStringRef;
use der::{Encode, Header, Length, Tag, TagNumber};
use modelsign_pki::Certificate;
use x509_cert::ext::pkix::name::GeneralName;

use crate::asn1::{self, GeneralizedTimeFrac};
use crate::error::Error;
use crate::oid;

/// `[0]` constructed, context-specific: SignedData's `certificates` and SignerInfo's
/// `signedAttrs` (IMPLICIT), ContentInfo's `content`, eContent and TSTInfo's `tsa`
/// (EXPLICIT).
const CONTEXT_0: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber(0),
};

/// The constant parts of every token, DER-encoded.
#[derive(Debug)]
pub(super) struct TokenTemplate {
    /// `PKIStatusInfo { status granted }`.
    status_granted: Vec<u8>,
    /// `OBJECT IDENTIFIER id-signedData`.
    content_type_signed_data: Vec<u8>,
    /// `INTEGER 3`, SignedData's version.
    signed_data_version: Vec<u8>,
    /// `SET { AlgorithmIdentifier }`, SignedData's digestAlgorithms.
    digest_algorithms: Vec<u8>,
    /// `OBJECT IDENTIFIER id-ct-TSTInfo`.
    content_type_tst_info: Vec<u8>,
    /// `[0] IMPLICIT SET OF Certificate` holding the leaf only, and the whole chain.
    certificates_leaf: Vec<u8>,
    certificates_chain: Vec<u8>,
    /// `INTEGER 1`: SignerInfo's version (issuerAndSerialNumber) and TSTInfo's version.
    version_1: Vec<u8>,
    /// SignerInfo's `sid` (IssuerAndSerialNumber), digestAlgorithm and signatureAlgorithm.
    sid: Vec<u8>,
    digest_algorithm: Vec<u8>,
    signature_algorithm: Vec<u8>,
    /// The contentType and signingCertificateV2 signed attributes.
    content_type_attribute: Vec<u8>,
    ess_attribute: Vec<u8>,
    /// TSTInfo's `accuracy` (absent when not configured) and `tsa [0] EXPLICIT GeneralName`.
    accuracy: Option<Vec<u8>>,
    tsa_name: Vec<u8>,
}

/// What varies per token.
pub(super) struct TokenFields<'a> {
    pub(super) policy: ObjectIdentifier,
    /// The request's MessageImprint, DER (echoed unchanged).
    pub(super) message_imprint: &'a [u8],
    pub(super) serial_number: &'a der::asn1::Int,
    pub(super) gen_time: &'a GeneralizedTimeFrac,
    pub(super) nonce: Option<&'a der::asn1::Int>,
    pub(super) include_certificates: bool,
    pub(super) include_chain: bool,
}

fn encode(what: &'static str, value: &impl Encode) -> Result<Vec<u8>, Error> {
    value
        .to_der()
        .map_err(|source| Error::Encode { what, source })
}

/// `tag || length || parts...`, the header encoded by `der`.
fn tlv(what: &'static str, tag: Tag, parts: &[&[u8]]) -> Result<Vec<u8>, Error> {
    let enc = |source| Error::Encode { what, source };
    let content_len: usize = parts.iter().map(|p| p.len()).sum();
    let header = Header::new(tag, Length::try_from(content_len).map_err(enc)?);
    let mut out = Vec::with_capacity(content_len + 8);
    header.encode_to_vec(&mut out).map_err(enc)?;
    for part in parts {
        out.extend_from_slice(part);
    }
    Ok(out)
}

/// Puts complete DER encodings in DER SET OF order (see the module doc).
fn sort_for_set(elements: &mut [&[u8]]) {
    elements.sort_unstable();
}

/// `tag || length || elements...` in DER SET OF order.
fn set_of(what: &'static str, tag: Tag, mut elements: Vec<&[u8]>) -> Result<Vec<u8>, Error> {
    sort_for_set(&mut elements);
    tlv(what, tag, &elements)
}

/// `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF ANY }` with one
/// value, given as DER.
pub(super) fn attribute(
    what: &'static str,
    oid: ObjectIdentifier,
    value_der: &[u8],
) -> Result<Vec<u8>, Error> {
    let oid = encode(what, &oid)?;
    let values = tlv(what, Tag::Set, &[value_der])?;
    tlv(what, Tag::Sequence, &[&oid, &values])
}

impl TokenTemplate {
    /// Encodes the constant parts for a signer with certificate `chain` (leaf first),
    /// `sid`, CMS algorithms, signingCertificateV2 `ess` value, `accuracy` and TSA name.
    pub(super) fn new(
        chain: &[Certificate],
        sid: &cms::cert::IssuerAndSerialNumber,
        algorithms: &(
            spki::AlgorithmIdentifierOwned,
            spki::AlgorithmIdentifierOwned,
        ),
        ess: &asn1::SigningCertificateV2,
        accuracy: Option<&asn1::Accuracy>,
        tsa_name: &GeneralName,
    ) -> Result<Self, Error> {
        let (digest_algorithm, signature_algorithm) = algorithms;
        let certificates = |certs: &[Certificate]| {
            set_of(
                "certificates",
                CONTEXT_0,
                certs.iter().map(Certificate::der).collect(),
            )
        };
        let digest_algorithm = encode("digestAlgorithm", digest_algorithm)?;
        let leaf = chain.get(..1).ok_or(Error::SignerProfile {
            subject: "<none>".into(),
            problem: "the certificate chain is empty",
        })?;
        Ok(TokenTemplate {
            status_granted: encode(
                "PKIStatusInfo",
                &asn1::PkiStatusInfo {
                    status: der::asn1::Int::new(&[0]).map_err(|source| Error::Encode {
                        what: "PKIStatusInfo",
                        source,
                    })?,
                    status_string: None,
                    fail_info: None,
                },
            )?,
            content_type_signed_data: encode("contentType", &oid::ID_SIGNED_DATA)?,
            signed_data_version: encode("SignedData version", &3u8)?,
            digest_algorithms: tlv("digestAlgorithms", Tag::Set, &[&digest_algorithm])?,
            content_type_tst_info: encode("eContentType", &oid::ID_CT_TST_INFO)?,
            certificates_leaf: certificates(leaf)?,
            certificates_chain: certificates(chain)?,
            version_1: encode("version", &1u8)?,
            sid: encode("sid", sid)?,
            digest_algorithm,
            signature_algorithm: encode("signatureAlgorithm", signature_algorithm)?,
            content_type_attribute: attribute(
                "contentType",
                oid::ID_CONTENT_TYPE,
                &encode("contentType", &oid::ID_CT_TST_INFO)?,
            )?,
            ess_attribute: attribute(
                "signingCertificateV2",
                oid::ID_AA_SIGNING_CERTIFICATE_V2,
                &encode("signingCertificateV2", ess)?,
            )?,
            accuracy: accuracy.map(|a| encode("accuracy", a)).transpose()?,
            tsa_name: tlv("tsa", CONTEXT_0, &[&encode("tsa", tsa_name)?])?,
        })
    }

    /// TSTInfo DER for `fields`.
    pub(super) fn tst_info(&self, fields: &TokenFields<'_>) -> Result<Vec<u8>, Error> {
        let policy = encode("policy", &fields.policy)?;
        let serial = encode("serialNumber", fields.serial_number)?;
        let gen_time = encode("genTime", fields.gen_time)?;
        let nonce = fields
            .nonce
            .map(|n| encode("nonce", n))
            .transpose()?
            .unwrap_or_default();
        tlv(
            "TSTInfo",
            Tag::Sequence,
            &[
                &self.version_1,
                &policy,
                fields.message_imprint,
                &serial,
                &gen_time,
                self.accuracy.as_deref().unwrap_or_default(),
                // ordering FALSE is DEFAULT, so absent in DER.
                &nonce,
                &self.tsa_name,
                // no extensions
            ],
        )
    }

    /// The signed attributes as the DER `SET OF Attribute` the signature covers
    /// (RFC 5652 §5.4), and their content octets (for the `[0] IMPLICIT` field).
    pub(super) fn signed_attributes(
        &self,
        message_digest: &[u8],
    ) -> Result<SignedAttributes, Error> {
        let digest = OctetStringRef::new(message_digest).map_err(|source| Error::Encode {
            what: "messageDigest",
            source,
        })?;
        let message_digest = attribute(
            "messageDigest",
            oid::ID_MESSAGE_DIGEST,
            &encode("messageDigest", &digest)?,
        )?;
        let mut sorted = [
            self.content_type_attribute.as_slice(),
            message_digest.as_slice(),
            self.ess_attribute.as_slice(),
        ];
        sort_for_set(&mut sorted);
        let set = tlv("signed attributes", Tag::Set, &sorted)?;
        let implicit = tlv("signed attributes", CONTEXT_0, &sorted)?;
        Ok(SignedAttributes { set, implicit })
    }

    /// The whole `TimeStampResp`.
    pub(super) fn response(
        &self,
        fields: &TokenFields<'_>,
        tst_info: &[u8],
        signed_attributes: &SignedAttributes,
        signature: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let signature = encode(
            "signature",
            &OctetStringRef::new(signature).map_err(|source| Error::Encode {
                what: "signature",
                source,
            })?,
        )?;
        let signer_info = tlv(
            "SignerInfo",
            Tag::Sequence,
            &[
                &self.version_1,
                &self.sid,
                &self.digest_algorithm,
                &signed_attributes.implicit,
                &self.signature_algorithm,
                &signature,
            ],
        )?;
        let signer_infos = tlv("signerInfos", Tag::Set, &[&signer_info])?;
        let e_content = tlv(
            "eContent",
            CONTEXT_0,
            &[&tlv("eContent", Tag::OctetString, &[tst_info])?],
        )?;
        let encap = tlv(
            "encapContentInfo",
            Tag::Sequence,
            &[&self.content_type_tst_info, &e_content],
        )?;
        let certificates: &[u8] = match (fields.include_certificates, fields.include_chain) {
            (false, _) => &[],
            (true, false) => &self.certificates_leaf,
            (true, true) => &self.certificates_chain,
        };
        let signed_data = tlv(
            "SignedData",
            Tag::Sequence,
            &[
                &self.signed_data_version,
                &self.digest_algorithms,
                &encap,
                certificates,
                // no crls
                &signer_infos,
            ],
        )?;
        let content_info = tlv(
            "ContentInfo",
            Tag::Sequence,
            &[
                &self.content_type_signed_data,
                &tlv("ContentInfo content", CONTEXT_0, &[&signed_data])?,
            ],
        )?;
        tlv(
            "TimeStampResp",
            Tag::Sequence,
            &[&self.status_granted, &content_info],
        )
    }
}

/// Signed attributes in both of their encodings.
pub(super) struct SignedAttributes {
    /// `SET OF Attribute` (tag 0x31): the bytes signed.
    pub(super) set: Vec<u8>,
    /// `[0] IMPLICIT` (tag 0xA0): the bytes sent in SignerInfo.
    implicit: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{AnyRef, SetOfVec};
    use der::Decode;

    #[test]
    fn byte_order_is_der_set_order() {
        // Elements of different lengths and a common prefix of content.
        let encodings: Vec<Vec<u8>> = vec![
            encode("t", &OctetStringRef::new(&[1, 2, 3]).unwrap()).unwrap(),
            encode("t", &OctetStringRef::new(&[1, 2]).unwrap()).unwrap(),
            encode("t", &OctetStringRef::new(&[0xFF]).unwrap()).unwrap(),
            encode("t", &oid::ID_CT_TST_INFO).unwrap(),
            encode("t", &7u8).unwrap(),
            encode("t", &OctetStringRef::new(&[0u8; 200]).unwrap()).unwrap(),
        ];
        let ours = set_of("t", Tag::Set, encodings.iter().map(Vec::as_slice).collect()).unwrap();
        let anys: Vec<AnyRef<'_>> = encodings
            .iter()
            .map(|e| AnyRef::from_der(e).unwrap())
            .collect();
        let theirs = SetOfVec::try_from(anys).unwrap().to_der().unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn long_lengths_use_der_headers() {
        let big = vec![0u8; 70_000];
        let out = tlv("t", Tag::OctetString, &[&big[..40_000], &big[40_000..]]).unwrap();
        assert_eq!(&out[..5], &[0x04, 0x83, 0x01, 0x11, 0x70]);
        assert_eq!(out.len(), 5 + 70_000);
        assert_eq!(
            der::asn1::OctetString::from_der(&out)
                .unwrap()
                .as_bytes()
                .len(),
            70_000
        );
    }
}
