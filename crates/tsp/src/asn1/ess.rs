//! ESS signing-certificate attributes (RFC 2634 §5.4, RFC 5035 §3-§4): they bind the token's
//! signature to one certificate (rfc3161-rules §5.6).

use der::asn1::{Any, BitString, OctetString};
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer                   GeneralNames,
///     serialNumber             CertificateSerialNumber,
///     issuerUID                UniqueIdentifier OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// Issuer of the certificate (a directoryName in practice).
    pub issuer: GeneralNames,
    /// Serial number of the certificate.
    pub serial_number: SerialNumber,
    /// Issuer unique ID (obsolete).
    #[asn1(optional = "true")]
    pub issuer_uid: Option<BitString>,
}

/// ```text
/// ESSCertID ::=  SEQUENCE {
///      certHash                 Hash,          -- SHA-1 of the whole certificate
///      issuerSerial             IssuerSerial OPTIONAL }
/// Hash ::= OCTET STRING
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    /// SHA-1 of the certificate DER.
    pub cert_hash: OctetString,
    /// Identifies the certificate by issuer and serial.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ```text
/// SigningCertificate ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertID,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
/// `policies` is kept undecoded: nothing here uses it.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    /// The first one identifies the signer.
    pub certs: Vec<EssCertId>,
    /// Certificate policies (unused).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm           AlgorithmIdentifier
///                             DEFAULT {algorithm id-sha256},
///     certHash                Hash,
///     issuerSerial            IssuerSerial OPTIONAL }
/// ```
/// `hash_algorithm` is `None` when the DEFAULT (SHA-256) applies; a received explicit
/// SHA-256 is accepted too (BER allows it).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm of `cert_hash`; absent means SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the certificate DER.
    pub cert_hash: OctetString,
    /// Identifies the certificate by issuer and serial.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

impl EssCertIdV2 {
    /// The hash algorithm OID in effect (the DEFAULT when absent).
    pub fn hash_algorithm_oid(&self) -> der::asn1::ObjectIdentifier {
        self.hash_algorithm
            .as_ref()
            .map_or(crate::oid::ID_SHA256, |a| a.oid)
    }
}

/// ```text
/// SigningCertificateV2 ::=  SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The first one identifies the signer.
    pub certs: Vec<EssCertIdV2>,
    /// Certificate policies (unused).
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}
