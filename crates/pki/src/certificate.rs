//! [`Certificate`]: a parsed X.509 v3 certificate (RFC 5280 §4.1) that keeps its exact DER.
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//! ```
//!
//! The exact input bytes are kept because re-encoding is not guaranteed to reproduce them
//! (rust-stack.md P8: `der` re-sorts SET OF); signatures are always checked over the
//! original `tbsCertificate` bytes. Extension accessors report criticality and fail on a
//! malformed or duplicated extension (RFC 5280 §4.2: "A certificate MUST NOT include more
//! than one instance of a particular extension").

use std::fmt;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Header, Reader, SliceReader};
use x509_cert::ext::pkix;

use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::pem;
use crate::public_key::PublicKey;
use crate::scheme::SignatureScheme;
use crate::time::Time;

/// One certificate: the largest real-world certificates (many SANs, embedded SCTs) stay
/// well below 16 KB; 64 KiB bounds parsing work on hostile input.
pub const MAX_CERTIFICATE_BYTES: usize = 64 * 1024;
/// A PEM bundle: Mozilla's full root store is ~220 KB; 4 MiB leaves ample headroom.
pub const MAX_CERTIFICATE_BUNDLE_BYTES: usize = 4 * 1024 * 1024;
/// Certificates per bundle (Mozilla's root store holds ~150).
pub const MAX_CERTIFICATES_PER_BUNDLE: usize = 1024;

/// The extendedKeyUsage extension (RFC 5280 §4.2.1.12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedKeyUsage {
    pub critical: bool,
    pub purposes: Vec<ObjectIdentifier>,
}

/// The keyUsage extension (RFC 5280 §4.2.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct KeyUsage {
    pub critical: bool,
    pub digital_signature: bool,
    pub non_repudiation: bool,
    pub key_encipherment: bool,
    pub data_encipherment: bool,
    pub key_agreement: bool,
    pub key_cert_sign: bool,
    pub crl_sign: bool,
    pub encipher_only: bool,
    pub decipher_only: bool,
}

/// The basicConstraints extension (RFC 5280 §4.2.1.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraints {
    pub critical: bool,
    pub ca: bool,
    pub path_len: Option<u8>,
}

struct Inner {
    der: Vec<u8>,
    x509: x509_cert::Certificate,
    /// Byte range of `tbsCertificate` inside `der`.
    tbs: std::ops::Range<usize>,
}

/// A parsed certificate with its exact DER; cheap to clone.
#[derive(Clone)]
pub struct Certificate(Arc<Inner>);

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der() == other.der()
    }
}
impl Eq for Certificate {}
impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.der().hash(state);
    }
}

fn der_error(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |e| Error::Der {
        what,
        detail: e.to_string(),
    }
}

/// Range of the first inner TLV (tbsCertificate / tbsCertList) of a signed SEQUENCE.
pub(crate) fn first_inner_tlv(
    der: &[u8],
    what: &'static str,
) -> Result<std::ops::Range<usize>, Error> {
    let mut reader = SliceReader::new(der).map_err(der_error(what))?;
    Header::decode(&mut reader).map_err(der_error(what))?;
    let start = usize::try_from(u32::from(reader.position())).map_err(|_| Error::Der {
        what,
        detail: "offset overflow".into(),
    })?;
    let tbs = reader.tlv_bytes().map_err(der_error(what))?;
    Ok(start..start + tbs.len())
}

/// Hex of an INTEGER's magnitude: leading zero octets removed (one kept for zero), lower case.
pub(crate) fn serial_to_hex(bytes: &[u8]) -> String {
    let first_nonzero = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let trimmed = &bytes[first_nonzero.min(bytes.len().saturating_sub(1))..];
    hex::encode(trimmed)
}

impl Certificate {
    /// Parses one DER certificate (no trailing data).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_CERTIFICATE_BYTES {
            return Err(Error::InputTooLarge {
                what: "certificate",
                size: der.len(),
                limit: MAX_CERTIFICATE_BYTES,
            });
        }
        let x509 = x509_cert::Certificate::from_der(der).map_err(der_error("certificate"))?;
        let tbs = first_inner_tlv(der, "certificate")?;
        Ok(Certificate(Arc::new(Inner {
            der: der.to_vec(),
            x509,
            tbs,
        })))
    }

    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.0.x509
    }

    /// The exact bytes of `tbsCertificate` (what the issuer signed).
    pub fn tbs_der(&self) -> &[u8] {
        self.0.der.get(self.0.tbs.clone()).unwrap_or_default()
    }

    /// Subject as RFC 4514 text (`CN=Test Model Signer,O=mt-samples`).
    pub fn subject(&self) -> String {
        self.x509().tbs_certificate().subject().to_string()
    }

    /// Issuer as RFC 4514 text.
    pub fn issuer(&self) -> String {
        self.x509().tbs_certificate().issuer().to_string()
    }

    /// Serial number as lower-case hex without leading zero octets.
    pub fn serial_hex(&self) -> String {
        serial_to_hex(self.x509().tbs_certificate().serial_number().as_bytes())
    }

    pub fn not_before(&self) -> Time {
        Time::from_x509(&self.x509().tbs_certificate().validity().not_before)
    }

    pub fn not_after(&self) -> Time {
        Time::from_x509(&self.x509().tbs_certificate().validity().not_after)
    }

    /// Whether the subject and issuer names are equal (binary DER comparison, as webpki).
    pub fn is_self_issued(&self) -> bool {
        let tbs = self.x509().tbs_certificate();
        tbs.subject() == tbs.issuer()
    }

    pub fn public_key(&self) -> Result<PublicKey, Error> {
        let spki = self
            .x509()
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(der_error("subjectPublicKeyInfo"))?;
        PublicKey::from_spki_der(&spki)
    }

    /// The scheme of `signatureAlgorithm`; it must equal the signed `signature` field
    /// (RFC 5280 §4.1.1.2).
    pub fn signature_scheme(&self) -> Result<SignatureScheme, Error> {
        let outer = self.x509().signature_algorithm();
        if outer != self.x509().tbs_certificate().signature() {
            return Err(Error::InvalidAlgorithmParameters {
                algorithm: "certificate signatureAlgorithm",
                reason: "differs from tbsCertificate.signature".into(),
            });
        }
        SignatureScheme::from_signature_algorithm(outer)
    }

    /// Checks that `issuer`'s key signed this certificate (names are not compared).
    pub fn verify_signed_by(&self, issuer: &PublicKey) -> Result<(), Error> {
        let scheme = self.signature_scheme()?;
        let signature = self.x509().signature().as_bytes().ok_or(Error::Der {
            what: "certificate signatureValue",
            detail: "BIT STRING has unused bits".into(),
        })?;
        issuer.verify(scheme, self.tbs_der(), signature)
    }

    /// Subject equals issuer and the certificate's own key verifies its signature.
    pub fn is_self_signed(&self) -> bool {
        self.is_self_issued()
            && self
                .public_key()
                .and_then(|k| self.verify_signed_by(&k))
                .is_ok()
    }

    /// The subjectKeyIdentifier value, if present and well formed.
    pub fn subject_key_identifier(&self) -> Option<Vec<u8>> {
        match self.extension::<pkix::SubjectKeyIdentifier>("subjectKeyIdentifier") {
            Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
            _ => None,
        }
    }

    pub fn fingerprint_sha256(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&HashAlgorithm::Sha256.digest(self.der())[..32]);
        out
    }

    pub fn extended_key_usage(&self) -> Result<Option<ExtendedKeyUsage>, Error> {
        Ok(self
            .extension::<pkix::ExtendedKeyUsage>("extendedKeyUsage")?
            .map(|(critical, eku)| ExtendedKeyUsage {
                critical,
                purposes: eku.0,
            }))
    }

    pub fn key_usage(&self) -> Result<Option<KeyUsage>, Error> {
        Ok(self
            .extension::<pkix::KeyUsage>("keyUsage")?
            .map(|(critical, ku)| KeyUsage {
                critical,
                digital_signature: ku.digital_signature(),
                non_repudiation: ku.non_repudiation(),
                key_encipherment: ku.key_encipherment(),
                data_encipherment: ku.data_encipherment(),
                key_agreement: ku.key_agreement(),
                key_cert_sign: ku.key_cert_sign(),
                crl_sign: ku.crl_sign(),
                encipher_only: ku.encipher_only(),
                decipher_only: ku.decipher_only(),
            }))
    }

    pub fn basic_constraints(&self) -> Result<Option<BasicConstraints>, Error> {
        Ok(self
            .extension::<pkix::BasicConstraints>("basicConstraints")?
            .map(|(critical, bc)| BasicConstraints {
                critical,
                ca: bc.ca,
                path_len: bc.path_len_constraint,
            }))
    }

    /// The subjectAltName names (RFC 5280 §4.2.1.6), empty when the extension is absent;
    /// e.g. to compare a TSTInfo `tsa` name with the signer (RFC 3161 §2.4.2).
    pub fn subject_alt_names(&self) -> Result<Vec<x509_cert::ext::pkix::name::GeneralName>, Error> {
        Ok(self
            .extension::<pkix::SubjectAltName>("subjectAltName")?
            .map(|(_, san)| san.0)
            .unwrap_or_default())
    }

    /// One extension decoded as `T` with its criticality; an error if it is malformed or
    /// occurs more than once.
    pub(crate) fn extension<'a, T>(&'a self, name: &'static str) -> Result<Option<(bool, T)>, Error>
    where
        T: Decode<'a, Error = der::Error> + const_oid::AssociatedOid,
    {
        self.x509()
            .tbs_certificate()
            .get_extension::<T>()
            .map_err(|e| Error::Extension {
                subject: self.subject(),
                extension: name,
                detail: e.to_string(),
            })
    }

    /// PEM text of this certificate (`CERTIFICATE`, LF, 64 columns).
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", self.der())
    }
}

/// All `CERTIFICATE` blocks of a PEM text, in order; an error if there is none.
pub fn certificates_from_pem(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    check_bundle_size(bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|_| Error::Pem {
        expected: "CERTIFICATE",
        detail: "not UTF-8 text".into(),
    })?;
    let mut out = Vec::new();
    for block in pem::blocks(text, "CERTIFICATE")? {
        if block.label != "CERTIFICATE" {
            continue;
        }
        if out.len() == MAX_CERTIFICATES_PER_BUNDLE {
            return Err(Error::TooMany {
                what: "certificates in PEM input",
                count: out.len() + 1,
                limit: MAX_CERTIFICATES_PER_BUNDLE,
            });
        }
        out.push(Certificate::from_der(&block.decode("CERTIFICATE")?)?);
    }
    if out.is_empty() {
        return Err(Error::NoCertificates);
    }
    Ok(out)
}

/// PEM (any number of certificates) or a single DER certificate.
pub fn certificates_from_pem_or_der(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
    if pem::looks_like_pem(bytes) {
        certificates_from_pem(bytes)
    } else {
        check_bundle_size(bytes)?;
        Ok(vec![Certificate::from_der(bytes)?])
    }
}

fn check_bundle_size(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() > MAX_CERTIFICATE_BUNDLE_BYTES {
        return Err(Error::InputTooLarge {
            what: "certificate input",
            size: bytes.len(),
            limit: MAX_CERTIFICATE_BUNDLE_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH};

    const KEYS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/model-signing-1.1.1/keys"
    );

    fn cert(name: &str) -> Certificate {
        let bytes = std::fs::read(format!("{KEYS}/{name}")).unwrap();
        certificates_from_pem(&bytes).unwrap().remove(0)
    }

    #[test]
    fn leaf_accessors() {
        let leaf = cert("leaf.crt.pem");
        // RFC 4514 writes the RDNs last-to-first (the DER has CN first).
        assert_eq!(leaf.subject(), "O=mt-samples,CN=Test Model Signer");
        assert_eq!(leaf.issuer(), "O=mt-samples,CN=Test Intermediate CA");
        assert_eq!(leaf.not_before().to_string(), "2026-11-21T23:43:24Z");
        assert_eq!(leaf.not_after().to_string(), "2027-11-21T23:43:24Z");
        assert_eq!(
            leaf.extended_key_usage().unwrap(),
            Some(ExtendedKeyUsage {
                critical: false,
                purposes: vec![ID_KP_CODE_SIGNING]
            })
        );
        let ku = leaf.key_usage().unwrap().unwrap();
        assert!(ku.critical && ku.digital_signature && !ku.key_cert_sign);
        assert_eq!(
            leaf.basic_constraints().unwrap(),
            Some(BasicConstraints {
                critical: true,
                ca: false,
                path_len: None
            })
        );
        assert_eq!(leaf.subject_key_identifier().map(|s| s.len()), Some(20));
        assert!(!leaf.is_self_signed());
        // The exact DER is kept and the PEM round-trips.
        assert_eq!(certificates_from_pem_or_der(leaf.der()).unwrap()[0], leaf);
        assert_eq!(
            certificates_from_pem(leaf.to_pem().as_bytes()).unwrap()[0],
            leaf
        );
    }

    #[test]
    fn chain_signatures_and_self_signed_root() {
        let root = cert("root.crt.pem");
        let int = cert("int.crt.pem");
        let leaf = cert("leaf.crt.pem");
        assert!(root.is_self_signed());
        int.verify_signed_by(&root.public_key().unwrap()).unwrap();
        leaf.verify_signed_by(&int.public_key().unwrap()).unwrap();
        assert!(matches!(
            leaf.verify_signed_by(&root.public_key().unwrap()),
            Err(Error::InvalidSignature { .. })
        ));
        let int_bc = int.basic_constraints().unwrap().unwrap();
        assert_eq!((int_bc.ca, int_bc.path_len), (true, Some(0)));
    }

    #[test]
    fn noku_leaf_has_server_auth() {
        let leaf = cert("leaf_noku.crt.pem");
        assert_eq!(
            leaf.extended_key_usage().unwrap().unwrap().purposes,
            vec![ID_KP_SERVER_AUTH]
        );
        assert!(!leaf.key_usage().unwrap().unwrap().digital_signature);
    }

    #[test]
    fn no_certificates_and_garbage() {
        assert_eq!(
            certificates_from_pem(b"hello").unwrap_err(),
            Error::NoCertificates
        );
        let key = pem::encode("PRIVATE KEY", b"x");
        assert_eq!(
            certificates_from_pem(key.as_bytes()).unwrap_err(),
            Error::NoCertificates
        );
        assert!(matches!(
            certificates_from_pem_or_der(b"\x30\x00"),
            Err(Error::Der {
                what: "certificate",
                ..
            })
        ));
    }

    #[test]
    fn serial_hex_strips_leading_zeros() {
        assert_eq!(serial_to_hex(&[0x00, 0x80, 0x01]), "8001");
        assert_eq!(serial_to_hex(&[0x00]), "00");
        assert_eq!(serial_to_hex(&[0x12]), "12");
    }

    #[test]
    fn size_limit() {
        let big = vec![0u8; MAX_CERTIFICATE_BYTES + 1];
        assert_eq!(
            Certificate::from_der(&big).unwrap_err(),
            Error::InputTooLarge {
                what: "certificate",
                size: MAX_CERTIFICATE_BYTES + 1,
                limit: MAX_CERTIFICATE_BYTES
            }
        );
    }
}
