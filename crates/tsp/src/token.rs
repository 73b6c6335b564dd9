//! Parsed time-stamp tokens (RFC 3161 §2.4.2: `TimeStampToken ::= ContentInfo` carrying
//! SignedData whose eContent is a DER `TSTInfo`).
//!
//! # Accessor API (for the verifier)
//!
//! [`TimeStampToken::from_der`] parses a bare ContentInfo (BER tolerated, trailing bytes
//! rejected); [`crate::response::TimeStampResponse::from_der`] parses a whole response and
//! hands out the same type via `token()`. A parsed token gives:
//!
//! | accessor | what |
//! |---|---|
//! | [`content_type`](TimeStampToken::content_type) | `ContentInfo.contentType` (always id-signedData: anything else fails the parse) |
//! | [`signed_data`](TimeStampToken::signed_data) | `cms::signed_data::SignedData` decoded from the DER-normalised input **with `certificates` and `crls` removed** (`None`): the bag is parsed one certificate at a time instead (below), so an exotic CRL or certificate choice cannot make the token unreadable. `signer_infos` and their `signed_attrs` are typed (note: `der` sorts SET OF on decode, so SignerInfos and attributes are in DER order, not received order) |
//! | [`raw_econtent`](TimeStampToken::raw_econtent) | the eContent OCTET STRING value octets as received (constructed BER strings concatenated): what `messageDigest` covers |
//! | [`raw_signed_attrs`](TimeStampToken::raw_signed_attrs)`(i)` | the `[0] IMPLICIT SignedAttributes` TLV of `signed_data().signer_infos.0[i]` in **received order** (tag byte `0xA0`; replace it by `0x31` to get the signed message). For DER input these are exactly the received bytes; BER lengths inside it are re-encoded definite (the signer signed the DER form, RFC 5652 §5.4), SET members are never re-sorted |
//! | [`signed_message`](TimeStampToken::signed_message)`(i)` | the same with the tag byte already replaced by `0x31` |
//! | [`certificates`](TimeStampToken::certificates) | the certificate bag as `modelsign_pki::Certificate`s, in received order (any SET order accepted); non-X.509 choices are counted in [`other_certificate_count`](TimeStampToken::other_certificate_count) |
//! | [`tst_info`](TimeStampToken::tst_info) | [`TstInfo`]: typed fields (`gen_time: Time`, policy, imprint, serial, nonce, ...) plus [`TstInfo::asn1`], the syntax-level [`crate::asn1::TstInfo`] with out-of-range values left for the verifier to judge |
//! | [`signed_attribute_values`](TimeStampToken::signed_attribute_values)`(i)` | contentType, messageDigest, signingCertificate (v1), signingCertificateV2, signingTime decoded from signer `i`'s attributes; duplicates and malformed values are errors |
//! | [`raw`](TimeStampToken::raw) | the ContentInfo TLV as received |
//!
//! # Limits
//!
//! Every list of the SignedData is counted on the BER tree before anything is decoded
//! ([`MAX_SIGNER_INFOS`], [`MAX_SIGNED_ATTRIBUTES`], [`MAX_UNSIGNED_ATTRIBUTES`],
//! [`MAX_ATTRIBUTE_VALUES`], [`MAX_DIGEST_ALGORITHMS`], [`MAX_CERTIFICATES`], [`MAX_CRLS`]);
//! an over-long list fails with [`Error::TooManyElements`] (or
//! [`Error::TooManyCertificates`]) naming the list, its offset, count and limit.

use std::time::Duration;

use cms::signed_data::{SignedData, SignerInfo};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use modelsign_pki::{Certificate, HashAlgorithm, Time};
use x509_cert::ext::pkix::name::GeneralName;

use crate::asn1;
use crate::asn1::integer::{positive_magnitude, to_u64};
use crate::ber::{BerTree, Node};
use crate::error::Error;
use crate::oid;

/// Most certificates accepted in a token's bag. Real tokens carry the TSA leaf and at most a
/// few CA certificates; 32 allows cross-signed chains while bounding the work of parsing and
/// of matching the signer against every bag entry.
pub const MAX_CERTIFICATES: usize = 32;
/// Most SignerInfos parsed. RFC 3161 tokens have exactly one (the verifier insists on it); a
/// handful are parsed so the verifier can report "several signers" precisely.
pub const MAX_SIGNER_INFOS: usize = 8;
/// Most signed attributes per SignerInfo. Real TSAs send 3 to 6 (contentType, messageDigest,
/// signingCertificate and/or signingCertificateV2, signingTime, CMSAlgorithmProtection);
/// 32 is generous. Without a cap a 64 KiB token carries ~4,600 of them and the `der`
/// decoder's sort of that SET OF costs ~30 ms per parse (~1 s at 1 MiB).
pub const MAX_SIGNED_ATTRIBUTES: usize = 32;
/// Most unsigned attributes per SignerInfo. Real tokens have 0 to 2 (the verifier never reads
/// them, rfc3161-rules §5.13); 16 is generous and bounds their decoding like the signed ones.
pub const MAX_UNSIGNED_ATTRIBUTES: usize = 16;
/// Most values of one attribute. Every attribute a TSA sends is single-valued (RFC 5652 §11
/// requires it of the signed ones); 8 still lets the verifier report "more than one value"
/// precisely while keeping the sort of the `values` SET OF trivial.
pub const MAX_ATTRIBUTE_VALUES: usize = 8;
/// Most `digestAlgorithms` entries. A TSA with one signer lists one (two when it lists the
/// ESS hash too); 8 is generous.
pub const MAX_DIGEST_ALGORITHMS: usize = 8;
/// Most entries in the `crls` bag. TSAs send none (revocation data is the verifier's input,
/// never the token's); the bag is only counted, and 32 matches [`MAX_CERTIFICATES`].
pub const MAX_CRLS: usize = 32;

const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;
const TAG_OID: u8 = 0x06;
const TAG_CTX0_CONSTRUCTED: u8 = 0xA0;
const TAG_CTX1_CONSTRUCTED: u8 = 0xA1;

/// The accuracy of `genTime` (RFC 3161 `Accuracy`, with millis/micros in 1..=999 or 0 when
/// absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Accuracy {
    /// Whole seconds.
    pub seconds: u64,
    /// Milliseconds, 0..=999 (0 = absent).
    pub millis: u16,
    /// Microseconds, 0..=999 (0 = absent).
    pub micros: u16,
}

impl Accuracy {
    /// The accuracy as a duration.
    pub fn as_duration(&self) -> Duration {
        Duration::from_secs(self.seconds)
            + Duration::from_millis(u64::from(self.millis))
            + Duration::from_micros(u64::from(self.micros))
    }

    /// Checks the syntax-level value against RFC 3161's ranges: seconds ≥ 0, millis and
    /// micros in 1..=999 when present.
    pub fn from_asn1(a: &asn1::Accuracy) -> Result<Self, Error> {
        let seconds = match &a.seconds {
            None => 0,
            Some(i) => to_u64(i).ok_or_else(|| Error::AccuracyRange {
                field: "seconds",
                value: hex::encode(i.as_bytes()),
                range: "0..2^64",
            })?,
        };
        let sub = |field: &'static str, v: &Option<der::asn1::Int>| -> Result<u16, Error> {
            match v {
                None => Ok(0),
                Some(i) => to_u64(i)
                    .filter(|v| (1..=999).contains(v))
                    .and_then(|v| u16::try_from(v).ok())
                    .ok_or_else(|| Error::AccuracyRange {
                        field,
                        value: to_u64(i).map_or_else(
                            || format!("0x{}", hex::encode(i.as_bytes())),
                            |v| v.to_string(),
                        ),
                        range: "1..=999",
                    }),
            }
        };
        Ok(Accuracy {
            seconds,
            millis: sub("millis", &a.millis)?,
            micros: sub("micros", &a.micros)?,
        })
    }

    /// The syntax-level value, with zero components omitted.
    pub fn to_asn1(&self) -> Result<asn1::Accuracy, Error> {
        let enc = |v: u64| -> Result<Option<der::asn1::Int>, Error> {
            if v == 0 {
                return Ok(None);
            }
            asn1::minimal_positive_integer(&v.to_be_bytes())
                .map(Some)
                .map_err(|source| Error::Encode {
                    what: "Accuracy",
                    source,
                })
        };
        if self.millis > 999 || self.micros > 999 {
            return Err(Error::AccuracyRange {
                field: if self.millis > 999 {
                    "millis"
                } else {
                    "micros"
                },
                value: self.millis.max(self.micros).to_string(),
                range: "1..=999",
            });
        }
        Ok(asn1::Accuracy {
            seconds: enc(self.seconds)?,
            millis: enc(u64::from(self.millis))?,
            micros: enc(u64::from(self.micros))?,
        })
    }
}

/// TSTInfo with typed fields. The syntax-level structure (every field as received) is
/// [`TstInfo::asn1`]; the typed fields here never reject a value the ASN.1 allows, except
/// `genTime` which must be a valid time.
#[derive(Clone, Debug)]
pub struct TstInfo {
    asn1: asn1::TstInfo,
    /// TSA policy.
    pub policy: ObjectIdentifier,
    /// Imprint algorithm when it is SHA-256/384/512 (`None` for SHA-1, MD5, ...: see
    /// `hash_algorithm_oid`).
    pub hash_algorithm: Option<HashAlgorithm>,
    /// Imprint algorithm OID as received.
    pub hash_algorithm_oid: ObjectIdentifier,
    /// Imprint digest.
    pub digest: Vec<u8>,
    /// serialNumber INTEGER contents (two's complement, as received; may be negative).
    pub serial: Vec<u8>,
    /// genTime.
    pub gen_time: Time,
    /// Whether `ordering` is TRUE.
    pub ordering: bool,
    /// Nonce as an unsigned magnitude without leading zeros (`None` if absent; a negative
    /// nonce is kept as its raw contents).
    pub nonce: Option<Vec<u8>>,
    /// The `tsa` name, RFC 4514 text for a directoryName, else a short description.
    pub tsa: Option<String>,
    /// The `tsa` name, typed.
    pub tsa_name: Option<GeneralName>,
}

impl TstInfo {
    /// Decodes a TSTInfo (BER tolerated) and types its fields.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let tree = BerTree::parse(bytes).map_err(|source| Error::Ber {
            what: "TSTInfo",
            source,
        })?;
        let der = tree.to_der();
        let asn1 = asn1::TstInfo::from_der(&der).map_err(|source| Error::Asn1 {
            what: "TSTInfo",
            source,
        })?;
        Self::from_asn1(asn1)
    }

    /// Types the fields of a syntax-level TSTInfo.
    pub fn from_asn1(asn1: asn1::TstInfo) -> Result<Self, Error> {
        let gen_time = Time::from_unix(asn1.gen_time.unix_secs(), asn1.gen_time.nanos())
            .ok_or(Error::GenTimeRange)?;
        let imprint = &asn1.message_imprint;
        let nonce = asn1
            .nonce
            .as_ref()
            .map(|n| positive_magnitude(n).unwrap_or_else(|| n.as_bytes().to_vec()));
        Ok(TstInfo {
            policy: asn1.policy,
            hash_algorithm: HashAlgorithm::from_oid(&imprint.hash_algorithm.oid),
            hash_algorithm_oid: imprint.hash_algorithm.oid,
            digest: imprint.hashed_message.as_bytes().to_vec(),
            serial: asn1.serial_number.as_bytes().to_vec(),
            gen_time,
            ordering: asn1.ordering,
            nonce,
            tsa: asn1.tsa.as_ref().map(general_name_text),
            tsa_name: asn1.tsa.clone(),
            asn1,
        })
    }

    /// The syntax-level TSTInfo.
    pub fn asn1(&self) -> &asn1::TstInfo {
        &self.asn1
    }

    /// TSTInfo version as a small integer (`None` if negative or huge).
    pub fn version(&self) -> Option<u64> {
        to_u64(&self.asn1.version)
    }

    /// The accuracy, range-checked (RFC 3161: millis/micros 1..=999).
    pub fn accuracy(&self) -> Result<Option<Accuracy>, Error> {
        self.asn1
            .accuracy
            .as_ref()
            .map(Accuracy::from_asn1)
            .transpose()
    }

    /// Serial number as lower-case hex of the INTEGER contents.
    pub fn serial_hex(&self) -> String {
        hex::encode(&self.serial)
    }
}

/// RFC 4514 text of a directoryName, else a short description.
pub fn general_name_text(name: &GeneralName) -> String {
    match name {
        GeneralName::DirectoryName(n) => n.to_string(),
        GeneralName::DnsName(d) => format!("DNS:{}", d.as_str()),
        GeneralName::Rfc822Name(e) => format!("email:{}", e.as_str()),
        GeneralName::UniformResourceIdentifier(u) => format!("URI:{}", u.as_str()),
        GeneralName::IpAddress(ip) => format!("IP:{}", hex::encode(ip.as_bytes())),
        GeneralName::RegisteredId(o) => format!("RID:{o}"),
        GeneralName::OtherName(o) => format!("othername:{}", o.type_id),
        GeneralName::EdiPartyName(_) => "ediPartyName".to_string(),
    }
}

/// Values of the signed attributes the time-stamp rules use (RFC 5652 §11, RFC 2634 §5.4,
/// RFC 5035 §3). `None` = attribute absent.
#[derive(Clone, Debug, Default)]
pub struct SignedAttributeValues {
    /// contentType.
    pub content_type: Option<ObjectIdentifier>,
    /// messageDigest.
    pub message_digest: Option<Vec<u8>>,
    /// signingCertificate (ESSCertID, SHA-1).
    pub signing_certificate: Option<asn1::SigningCertificate>,
    /// signingCertificateV2 (ESSCertIDv2).
    pub signing_certificate_v2: Option<asn1::SigningCertificateV2>,
    /// signingTime (UTCTime or GeneralizedTime).
    pub signing_time: Option<Time>,
}

/// A parsed TimeStampToken.
#[derive(Clone, Debug)]
pub struct TimeStampToken {
    raw: Vec<u8>,
    content_type: ObjectIdentifier,
    signed_data: SignedData,
    econtent: Vec<u8>,
    /// Per entry of `signed_data.signer_infos.0`: the signed attributes TLV in received order.
    signed_attrs: Vec<Option<Vec<u8>>>,
    certificates: Vec<Certificate>,
    other_certificates: usize,
    crl_count: usize,
    used_indefinite_length: bool,
    tst_info: TstInfo,
}

impl TimeStampToken {
    /// Parses a bare TimeStampToken (ContentInfo). BER is tolerated; trailing bytes are not.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let tree = BerTree::parse(bytes).map_err(|source| Error::Ber {
            what: "TimeStampToken",
            source,
        })?;
        Self::from_node(bytes, tree.root())
    }

    /// Parses the token rooted at `node` of a BER tree over `input`.
    pub(crate) fn from_node(input: &[u8], node: &Node) -> Result<Self, Error> {
        let structure = |problem| Error::Structure {
            what: "TimeStampToken",
            problem,
        };
        // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
        let [ct_node, content_node] = node.children() else {
            return Err(structure(
                "ContentInfo is not a SEQUENCE of contentType and [0] content",
            ));
        };
        if node.tag_byte(input) != TAG_SEQUENCE || ct_node.tag_byte(input) != TAG_OID {
            return Err(structure(
                "ContentInfo is not a SEQUENCE starting with contentType",
            ));
        }
        let content_type =
            ObjectIdentifier::from_der(&ct_node.to_der(input)).map_err(|source| Error::Asn1 {
                what: "ContentInfo.contentType",
                source,
            })?;
        if content_type != oid::ID_SIGNED_DATA {
            return Err(Error::NotSignedData {
                found: content_type,
            });
        }
        let [sd_node] = content_node.children() else {
            return Err(structure(
                "ContentInfo content is not [0] EXPLICIT SignedData",
            ));
        };
        if content_node.tag_byte(input) != TAG_CTX0_CONSTRUCTED
            || sd_node.tag_byte(input) != TAG_SEQUENCE
        {
            return Err(structure(
                "ContentInfo content is not [0] EXPLICIT SignedData",
            ));
        }

        // Caps on every list before any of it is decoded: decoding sorts SET OFs and
        // allocates per element, so an over-long list must cost no more than this count.
        check_element_counts(input, sd_node)?;

        // SignedData without the certificate and CRL bags (parsed separately below).
        let mut body = Vec::new();
        let mut certs_node = None;
        let mut crl_node = None;
        for (i, child) in sd_node.children().iter().enumerate() {
            match child.tag_byte(input) {
                TAG_CTX0_CONSTRUCTED if i >= 3 => certs_node = Some(child),
                TAG_CTX1_CONSTRUCTED if i >= 3 => crl_node = Some(child),
                _ => body.extend_from_slice(&child.to_der(input)),
            }
        }
        let mut sd_der = Vec::with_capacity(body.len() + 6);
        sd_der.push(TAG_SEQUENCE);
        crate::ber::write_len(&mut sd_der, body.len());
        sd_der.extend_from_slice(&body);
        let signed_data = SignedData::from_der(&sd_der).map_err(|source| Error::Asn1 {
            what: "SignedData",
            source,
        })?;

        // eContent value octets as received.
        let encap = sd_node
            .children()
            .get(2)
            .ok_or_else(|| structure("SignedData has no encapContentInfo"))?;
        let econtent_wrapper = encap
            .children()
            .get(1)
            .filter(|n| n.tag_byte(input) == TAG_CTX0_CONSTRUCTED)
            .ok_or_else(|| structure("encapContentInfo has no eContent"))?;
        let [octets] = econtent_wrapper.children() else {
            return Err(structure("eContent is not a single OCTET STRING"));
        };
        if !matches!(octets.tag_byte(input), 0x04 | 0x24) {
            return Err(structure("eContent is not an OCTET STRING"));
        }
        let econtent = octets.string_value(input).into_owned();
        let tst_info = TstInfo::from_der(&econtent)?;

        // Certificate bag, one certificate at a time, received order.
        let mut certificates = Vec::new();
        let mut other_certificates = 0;
        if let Some(bag) = certs_node {
            for (index, c) in bag.children().iter().enumerate() {
                if c.tag_byte(input) == TAG_SEQUENCE {
                    let cert = Certificate::from_der(&c.to_der(input)).map_err(|source| {
                        Error::Certificate {
                            index,
                            source: Box::new(source),
                        }
                    })?;
                    certificates.push(cert);
                } else {
                    // extendedCertificate [0], v1/v2 attribute certificates [1]/[2], other [3].
                    other_certificates += 1;
                }
            }
        }
        let crl_count = crl_node.map_or(0, |n| n.children().len());

        // Signed attributes of each SignerInfo, aligned with the (DER-sorted) decoded set.
        let infos_node = sd_node
            .children()
            .last()
            .filter(|n| n.tag_byte(input) == TAG_SET)
            .ok_or_else(|| structure("SignedData does not end with signerInfos"))?;
        let mut received = Vec::new();
        for si in infos_node.children() {
            let decoded =
                SignerInfo::from_der(&si.to_der(input)).map_err(|source| Error::Asn1 {
                    what: "SignerInfo",
                    source,
                })?;
            let attrs = si
                .children()
                .iter()
                .find(|n| n.tag_byte(input) == TAG_CTX0_CONSTRUCTED)
                .map(|n| n.to_der(input));
            received.push((decoded, attrs));
        }
        let mut signed_attrs = Vec::new();
        for si in signed_data.signer_infos.0.iter() {
            let pos = received.iter().position(|(d, _)| d == si);
            let attrs = pos.and_then(|p| received.swap_remove(p).1);
            signed_attrs.push(attrs);
        }

        Ok(TimeStampToken {
            raw: node.raw(input).to_vec(),
            content_type,
            signed_data,
            econtent,
            signed_attrs,
            certificates,
            other_certificates,
            crl_count,
            used_indefinite_length: node.used_indefinite_length(),
            tst_info,
        })
    }

    /// The ContentInfo bytes as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// `ContentInfo.contentType` (id-signedData).
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// SignedData without `certificates`/`crls` (see the module documentation).
    pub fn signed_data(&self) -> &SignedData {
        &self.signed_data
    }

    /// eContentType.
    pub fn econtent_type(&self) -> ObjectIdentifier {
        self.signed_data.encap_content_info.econtent_type
    }

    /// eContent OCTET STRING value octets as received (what messageDigest covers).
    pub fn raw_econtent(&self) -> &[u8] {
        &self.econtent
    }

    /// `[0] IMPLICIT SignedAttributes` TLV of `signed_data().signer_infos.0[index]`.
    pub fn raw_signed_attrs(&self, index: usize) -> Option<&[u8]> {
        self.signed_attrs.get(index).and_then(|a| a.as_deref())
    }

    /// What signer `index` signed: its signed attributes with the tag byte set to SET (0x31).
    pub fn signed_message(&self, index: usize) -> Option<Vec<u8>> {
        let mut m = self.raw_signed_attrs(index)?.to_vec();
        if let Some(first) = m.first_mut() {
            *first = TAG_SET;
        }
        Some(m)
    }

    /// Certificates of the token's bag, received order (untrusted).
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// Entries of the bag that are not X.509 certificates (attribute certificates, ...).
    pub fn other_certificate_count(&self) -> usize {
        self.other_certificates
    }

    /// Number of entries in the `crls` bag.
    pub fn crl_count(&self) -> usize {
        self.crl_count
    }

    /// Whether the token used BER indefinite lengths anywhere in its outer structure.
    pub fn used_indefinite_length(&self) -> bool {
        self.used_indefinite_length
    }

    /// The TSTInfo.
    pub fn tst_info(&self) -> &TstInfo {
        &self.tst_info
    }

    /// The SignerInfos (DER order, as in `signed_data()`).
    pub fn signer_infos(&self) -> &[SignerInfo] {
        self.signed_data.signer_infos.0.as_slice()
    }

    /// Decodes the signed attributes the rules use from SignerInfo `index`.
    pub fn signed_attribute_values(&self, index: usize) -> Result<SignedAttributeValues, Error> {
        let Some(si) = self.signer_infos().get(index) else {
            return Err(Error::Structure {
                what: "SignerInfo",
                problem: "no SignerInfo with this index",
            });
        };
        signed_attribute_values(si)
    }
}

/// Refuses a SignedData whose lists exceed their caps (`MAX_*` above), reading only the BER
/// tree. Positions follow RFC 5652 §5.1 / §5.3:
///
/// ```text
/// SignedData ::= SEQUENCE { version, digestAlgorithms SET OF, encapContentInfo,
///   certificates [0] IMPLICIT CertificateSet OPTIONAL,
///   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL, signerInfos SET OF SignerInfo }
/// SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
///   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL, signatureAlgorithm, signature,
///   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
/// Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
/// ```
///
/// Nodes that are not where the syntax puts them are left to the decoder to refuse.
fn check_element_counts(input: &[u8], sd_node: &Node) -> Result<(), Error> {
    let cap = |what: &'static str, node: &Node, max: usize| {
        let count = node.children().len();
        if count > max {
            return Err(Error::TooManyElements {
                what,
                offset: node.span().start,
                count,
                max,
            });
        }
        Ok(())
    };
    let children = sd_node.children();
    if let Some(algs) = children.get(1).filter(|n| n.tag_byte(input) == TAG_SET) {
        cap("SignedData.digestAlgorithms", algs, MAX_DIGEST_ALGORITHMS)?;
    }
    for (i, child) in children.iter().enumerate().skip(3) {
        match child.tag_byte(input) {
            TAG_CTX0_CONSTRUCTED => {
                let count = child.children().len();
                if count > MAX_CERTIFICATES {
                    return Err(Error::TooManyCertificates {
                        count,
                        max: MAX_CERTIFICATES,
                    });
                }
            }
            TAG_CTX1_CONSTRUCTED => cap("SignedData.crls", child, MAX_CRLS)?,
            TAG_SET if i + 1 == children.len() => {
                cap("SignedData.signerInfos", child, MAX_SIGNER_INFOS)?;
                for si in child.children() {
                    for part in si.children().iter().skip(3) {
                        let (what, max) = match part.tag_byte(input) {
                            TAG_CTX0_CONSTRUCTED => {
                                ("SignerInfo.signedAttrs", MAX_SIGNED_ATTRIBUTES)
                            }
                            TAG_CTX1_CONSTRUCTED => {
                                ("SignerInfo.unsignedAttrs", MAX_UNSIGNED_ATTRIBUTES)
                            }
                            _ => continue,
                        };
                        cap(what, part, max)?;
                        for attr in part.children() {
                            if let Some(values) = attr.children().get(1) {
                                cap("Attribute.attrValues", values, MAX_ATTRIBUTE_VALUES)?;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// See [`TimeStampToken::signed_attribute_values`].
pub fn signed_attribute_values(si: &SignerInfo) -> Result<SignedAttributeValues, Error> {
    let mut out = SignedAttributeValues::default();
    let Some(attrs) = &si.signed_attrs else {
        return Ok(out);
    };
    for attr in attrs.iter() {
        let what = match attr.oid {
            o if o == oid::ID_CONTENT_TYPE => "contentType attribute",
            o if o == oid::ID_MESSAGE_DIGEST => "messageDigest attribute",
            o if o == oid::ID_AA_SIGNING_CERTIFICATE => "signingCertificate attribute",
            o if o == oid::ID_AA_SIGNING_CERTIFICATE_V2 => "signingCertificateV2 attribute",
            o if o == oid::ID_SIGNING_TIME => "signingTime attribute",
            _ => continue,
        };
        let [value] = attr.values.as_slice() else {
            return Err(Error::Structure {
                what,
                problem: "must have exactly one value",
            });
        };
        let bytes = value
            .to_der()
            .map_err(|source| Error::Encode { what, source })?;
        let dup = || Error::Structure {
            what,
            problem: "appears more than once",
        };
        let asn1_err = |source| Error::Asn1 { what, source };
        match attr.oid {
            o if o == oid::ID_CONTENT_TYPE => {
                if out
                    .content_type
                    .replace(ObjectIdentifier::from_der(&bytes).map_err(asn1_err)?)
                    .is_some()
                {
                    return Err(dup());
                }
            }
            o if o == oid::ID_MESSAGE_DIGEST => {
                let v = der::asn1::OctetString::from_der(&bytes).map_err(asn1_err)?;
                if out
                    .message_digest
                    .replace(v.into_bytes().into_vec())
                    .is_some()
                {
                    return Err(dup());
                }
            }
            o if o == oid::ID_AA_SIGNING_CERTIFICATE => {
                let v = asn1::SigningCertificate::from_der(&bytes).map_err(asn1_err)?;
                if out.signing_certificate.replace(v).is_some() {
                    return Err(dup());
                }
            }
            o if o == oid::ID_AA_SIGNING_CERTIFICATE_V2 => {
                let v = asn1::SigningCertificateV2::from_der(&bytes).map_err(asn1_err)?;
                if out.signing_certificate_v2.replace(v).is_some() {
                    return Err(dup());
                }
            }
            _ => {
                let t = x509_cert::time::Time::from_der(&bytes).map_err(asn1_err)?;
                if out.signing_time.replace(Time::from_x509(&t)).is_some() {
                    return Err(dup());
                }
            }
        }
    }
    Ok(out)
}
