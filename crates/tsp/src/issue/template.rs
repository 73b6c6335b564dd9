//! The DER of a granted `TimeStampResp`, assembled from parts encoded once at start-up.
//!
//! Of a token, only TSTInfo's policy, messageImprint, serialNumber, genTime and nonce, the
//! messageDigest attribute and the signature change between requests. Encoding the whole
//! `cms::SignedData` afresh per request (the TSA certificate, its names and extensions, and
//! the whole tree twice for `Any::encode_from`) cost as much CPU as the P-256 signature
//! itself (measured with `crates/tsa-server/examples/sign_rate.rs`). So the constant parts
//! are encoded once with `der`/`cms` in [`TokenTemplate::new`], and a response is their
//! concatenation under per-request headers ([`length_octets`]). The per-request outputs
//! (TSTInfo, the response) are written once into a buffer of the exact size: the content
//! lengths are summed innermost first, and [`Buffer::finish`] refuses output whose size
//! disagrees with the sum (nested `Vec`s, one per TLV, had copied the response six times).
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
//! `issue::tests::template_matches_general_encoding` checks every byte against the general `cms` encoding.

use const_oid::ObjectIdentifier;
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
    /// `OBJECT IDENTIFIER id-messageDigest`, the start of the per-request attribute.
    message_digest_oid: Vec<u8>,
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
            message_digest_oid: encode("messageDigest", &oid::ID_MESSAGE_DIGEST)?,
            ess_attribute: attribute(
                "signingCertificateV2",
                oid::ID_AA_SIGNING_CERTIFICATE_V2,
                &encode("signingCertificateV2", ess)?,
            )?,
            accuracy: accuracy.map(|a| encode("accuracy", a)).transpose()?,
            tsa_name: tlv("tsa", CONTEXT_0, &[&encode("tsa", tsa_name)?])?,
        })
    }

    /// `TSTInfo` for one request, in one buffer.
    pub(super) fn tst_info(&self, fields: &TokenFields<'_>) -> Result<Vec<u8>, Error> {
        let policy_len = encoded_len("policy", &fields.policy)?;
        let serial_len = encoded_len("serialNumber", fields.serial_number)?;
        let gen_time_len = tlv_len("genTime", fields.gen_time.value_octets().1)?;
        let nonce_len = match fields.nonce {
            Some(nonce) => encoded_len("nonce", nonce)?,
            None => 0,
        };
        let accuracy = self.accuracy.as_deref().unwrap_or_default();
        let content = self.version_1.len()
            + policy_len
            + fields.message_imprint.len()
            + serial_len
            + gen_time_len
            + accuracy.len()
            + nonce_len
            + self.tsa_name.len();
        let mut out = Buffer::new("TSTInfo", tlv_len("TSTInfo", content)?);
        out.header(SEQUENCE, content)?;
        out.put(&self.version_1);
        out.encode("policy", &fields.policy)?;
        out.put(fields.message_imprint);
        out.encode("serialNumber", fields.serial_number)?;
        out.generalized_time(fields.gen_time)?;
        out.put(accuracy);
        if let Some(nonce) = fields.nonce {
            out.encode("nonce", nonce)?;
        }
        out.put(&self.tsa_name);
        out.finish()
    }

    /// The signed attributes over `message_digest` (the digest of TSTInfo): contentType,
    /// messageDigest and signingCertificateV2, in DER SET order.
    pub(super) fn signed_attributes(
        &self,
        message_digest: &[u8],
    ) -> Result<SignedAttributes, Error> {
        // Attribute ::= SEQUENCE { id-messageDigest, SET { OCTET STRING digest } }
        let octets = tlv_len("messageDigest", message_digest.len())?;
        let content = self.message_digest_oid.len() + tlv_len("messageDigest", octets)?;
        let mut attribute = Buffer::new("messageDigest", tlv_len("messageDigest", content)?);
        attribute.header(SEQUENCE, content)?;
        attribute.put(&self.message_digest_oid);
        attribute.header(SET, octets)?;
        attribute.header(OCTET_STRING, message_digest.len())?;
        attribute.put(message_digest);
        let message_digest = attribute.finish()?;
        let mut sorted = [
            self.content_type_attribute.as_slice(),
            message_digest.as_slice(),
            self.ess_attribute.as_slice(),
        ];
        sort_for_set(&mut sorted);
        let content_len = sorted.iter().map(|a| a.len()).sum();
        let mut set = Buffer::new(
            "signed attributes",
            tlv_len("signed attributes", content_len)?,
        );
        set.header(SET, content_len)?;
        for attribute in sorted {
            set.put(attribute);
        }
        Ok(SignedAttributes {
            set: set.finish()?,
            content_len,
        })
    }

    /// The whole `TimeStampResp`. Lengths are summed innermost first, then everything is
    /// written once into a buffer of the exact size (headers by [`length_octets`]);
    /// [`Buffer::finish`] checks that the sizes agree.
    pub(super) fn response(
        &self,
        fields: &TokenFields<'_>,
        tst_info: &[u8],
        signed_attributes: &SignedAttributes,
        signature: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let certificates: &[u8] = match (fields.include_certificates, fields.include_chain) {
            (false, _) => &[],
            (true, false) => &self.certificates_leaf,
            (true, true) => &self.certificates_chain,
        };
        let signed_attrs = signed_attributes.content();
        // SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT,
        //                           signatureAlgorithm, signature OCTET STRING }
        let signer_info = self.version_1.len()
            + self.sid.len()
            + self.digest_algorithm.len()
            + tlv_len("signedAttrs", signed_attrs.len())?
            + self.signature_algorithm.len()
            + tlv_len("signature", signature.len())?;
        let signer_infos = tlv_len("SignerInfo", signer_info)?;
        // EncapsulatedContentInfo ::= SEQUENCE { id-ct-TSTInfo, [0] EXPLICIT OCTET STRING }
        let e_content = tlv_len("eContent", tst_info.len())?;
        let encap = self.content_type_tst_info.len() + tlv_len("eContent", e_content)?;
        let signed_data = self.signed_data_version.len()
            + self.digest_algorithms.len()
            + tlv_len("encapContentInfo", encap)?
            + certificates.len()
            // no crls
            + tlv_len("signerInfos", signer_infos)?;
        let content = tlv_len("SignedData", signed_data)?;
        let content_info = self.content_type_signed_data.len() + tlv_len("content", content)?;
        let response = self.status_granted.len() + tlv_len("ContentInfo", content_info)?;

        let mut out = Buffer::new("TimeStampResp", tlv_len("TimeStampResp", response)?);
        out.header(SEQUENCE, response)?;
        out.put(&self.status_granted);
        out.header(SEQUENCE, content_info)?;
        out.put(&self.content_type_signed_data);
        out.header(CONTEXT_0_OCTET, content)?;
        out.header(SEQUENCE, signed_data)?;
        out.put(&self.signed_data_version);
        out.put(&self.digest_algorithms);
        out.header(SEQUENCE, encap)?;
        out.put(&self.content_type_tst_info);
        out.header(CONTEXT_0_OCTET, e_content)?;
        out.header(OCTET_STRING, tst_info.len())?;
        out.put(tst_info);
        out.put(certificates);
        out.header(SET, signer_infos)?;
        out.header(SEQUENCE, signer_info)?;
        out.put(&self.version_1);
        out.put(&self.sid);
        out.put(&self.digest_algorithm);
        out.header(CONTEXT_0_OCTET, signed_attrs.len())?;
        out.put(signed_attrs);
        out.put(&self.signature_algorithm);
        out.header(OCTET_STRING, signature.len())?;
        out.put(signature);
        out.finish()
    }
}

/// The encoded length of `value`.
fn encoded_len(what: &'static str, value: &impl Encode) -> Result<usize, Error> {
    let enc = |source| Error::Encode { what, source };
    usize::try_from(value.encoded_len().map_err(enc)?).map_err(enc)
}

/// Identifier octets of the per-request TLVs (X.690 §8.1.2; all single-octet tags).
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OCTET_STRING: u8 = 0x04;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0]` constructed, context-specific (see [`CONTEXT_0`]).
const CONTEXT_0_OCTET: u8 = 0xA0;

/// DER definite length octets (X.690 §8.1.3.3–5, §10.1): one octet below 128, otherwise
/// `0x80 | n` followed by the length in the fewest (`n`) big-endian octets. Written here
/// rather than with `der::Header`, which sizes, zero-fills and wraps a writer per header:
/// a response has eighteen headers, and that was a tenth of the issuance CPU
/// (`sign_rate`'s issuance core). `tests::length_octets_match_der` compares every form
/// with `der`.
fn length_octets(len: usize) -> ([u8; 9], usize) {
    let mut out = [0u8; 9];
    if let Some(short) = u8::try_from(len).ok().filter(|l| *l < 0x80) {
        out[0] = short;
        return (out, 1);
    }
    let be = u64::try_from(len).unwrap_or(u64::MAX).to_be_bytes();
    let skip = be.iter().take_while(|b| **b == 0).count();
    let n = be.len() - skip;
    out[0] = 0x80 | u8::try_from(n).unwrap_or(8);
    for (slot, byte) in out.iter_mut().skip(1).zip(&be[skip..]) {
        *slot = *byte;
    }
    (out, 1 + n)
}

/// The length of a whole TLV with a one-octet tag and `content_len` octets of content.
fn tlv_len(what: &'static str, content_len: usize) -> Result<usize, Error> {
    (1 + length_octets(content_len).1)
        .checked_add(content_len)
        .ok_or_else(|| Error::Encode {
            what,
            source: der::ErrorKind::Overflow.into(),
        })
}

/// An output buffer of a size computed in advance.
struct Buffer {
    what: &'static str,
    expected: usize,
    out: Vec<u8>,
}

impl Buffer {
    fn new(what: &'static str, expected: usize) -> Self {
        Buffer {
            what,
            expected,
            out: Vec::with_capacity(expected),
        }
    }

    fn header(&mut self, tag: u8, content_len: usize) -> Result<(), Error> {
        let (octets, used) = length_octets(content_len);
        self.out.push(tag);
        self.out
            .extend_from_slice(octets.get(..used).unwrap_or_default());
        Ok(())
    }

    /// genTime as a whole TLV (its value octets computed once).
    fn generalized_time(&mut self, time: &GeneralizedTimeFrac) -> Result<(), Error> {
        let (value, len) = time.value_octets();
        self.header(GENERALIZED_TIME, len)?;
        self.put(value.get(..len).unwrap_or_default());
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn encode(&mut self, what: &'static str, value: &impl Encode) -> Result<(), Error> {
        value
            .encode_to_vec(&mut self.out)
            .map_err(|source| Error::Encode { what, source })?;
        Ok(())
    }

    /// The bytes, if exactly the computed number was written: a header whose length
    /// disagreed with its content would make the DER unparsable, so it is an error, never
    /// sent.
    fn finish(self) -> Result<Vec<u8>, Error> {
        if self.out.len() == self.expected {
            Ok(self.out)
        } else {
            Err(Error::Encode {
                what: self.what,
                source: der::ErrorKind::Length { tag: Tag::Sequence }.into(),
            })
        }
    }
}

/// Signed attributes as the `SET OF Attribute` that is signed (tag 0x31); SignerInfo
/// carries the same content under `[0] IMPLICIT` ([`SignedAttributes::content`]).
pub(super) struct SignedAttributes {
    /// The DER `SET OF Attribute`: the bytes signed.
    pub(super) set: Vec<u8>,
    /// Length of the SET's content (the attributes, without the header).
    content_len: usize,
}

impl SignedAttributes {
    /// The attributes without the SET header.
    fn content(&self) -> &[u8] {
        let header_len = self.set.len().saturating_sub(self.content_len);
        self.set.get(header_len..).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{AnyRef, OctetStringRef, SetOfVec};
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
    fn length_octets_match_der() {
        for len in [
            0usize,
            1,
            0x7F,
            0x80,
            0xFF,
            0x100,
            0xFFFF,
            0x1_0000,
            0xFF_FFFF,
            0x100_0000,
            0x0FFF_FFFF,
        ] {
            let (octets, used) = length_octets(len);
            let expected = Length::try_from(len).unwrap().to_der().unwrap();
            assert_eq!(&octets[..used], expected.as_slice(), "length {len:#x}");
            let header = Header::new(Tag::Sequence, Length::try_from(len).unwrap());
            assert_eq!(
                tlv_len("t", len).unwrap(),
                header
                    .encoded_len()
                    .unwrap()
                    .try_into()
                    .map(|h: usize| h + len)
                    .unwrap()
            );
        }
    }

    #[test]
    fn buffer_refuses_a_size_other_than_computed() {
        let mut short = Buffer::new("t", 3);
        short.header(OCTET_STRING, 2).unwrap();
        short.put(&[1, 2]);
        assert!(matches!(
            short.finish(),
            Err(Error::Encode { what: "t", .. })
        ));
        let mut exact = Buffer::new("t", tlv_len("t", 2).unwrap());
        exact.header(OCTET_STRING, 2).unwrap();
        exact.put(&[1, 2]);
        assert_eq!(exact.finish().unwrap(), [0x04, 0x02, 1, 2]);
        // Long-form lengths are counted.
        assert_eq!(tlv_len("t", 200).unwrap(), 203);
        assert_eq!(tlv_len("t", 70_000).unwrap(), 70_005);
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
