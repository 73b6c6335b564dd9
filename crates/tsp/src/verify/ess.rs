//! ESS signing-certificate attributes: bind the SignerInfo to one certificate.
//!
//! RFC 2634 §5.4 (V1, the one RFC 3161 §2.4.2 mandates) and RFC 5035 §3 / RFC 5816 (V2):
//!
//! ```text
//! id-aa-signingCertificate   OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 2 12 }
//! id-aa-signingCertificateV2 OBJECT IDENTIFIER ::= { 1 2 840 113549 1 9 16 2 47 }
//!
//! SigningCertificate ::= SEQUENCE {
//!     certs    SEQUENCE OF ESSCertID,
//!     policies SEQUENCE OF PolicyInformation OPTIONAL }
//! ESSCertID ::= SEQUENCE {
//!     certHash     Hash,                  -- SHA-1 of the whole certificate
//!     issuerSerial IssuerSerial OPTIONAL }
//!
//! SigningCertificateV2 ::= SEQUENCE {
//!     certs    SEQUENCE OF ESSCertIDv2,
//!     policies SEQUENCE OF PolicyInformation OPTIONAL }
//! ESSCertIDv2 ::= SEQUENCE {
//!     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!     certHash      Hash,
//!     issuerSerial  IssuerSerial OPTIONAL }
//!
//! Hash ::= OCTET STRING
//! IssuerSerial ::= SEQUENCE {
//!     issuer       GeneralNames,
//!     serialNumber CertificateSerialNumber }
//! ```
//!
//! The ASN.1 types live in [`crate::asn1::ess`]; this module holds the matching rules.
//!
//! rfc3161-rules.md §5.6: at least one of V1/V2 present; the **first** ESSCertID of every
//! attribute present must match the signer (later ones describe the chain and Sectigo sends
//! two, openssl#14190); use `issuerSerial` when present. V2 must use SHA-256/384/512: a
//! signer that chose the modern attribute has no legacy excuse for SHA-1 (tspclient-go
//! agrees); V1 is SHA-1 by definition and accepted because RFC 3161 mandates it.

use modelsign_pki::{Certificate, HashAlgorithm};
use x509_cert::ext::pkix::name::GeneralName;

use super::VerificationError;
pub(crate) use crate::asn1::{IssuerSerial, SigningCertificate, SigningCertificateV2};

/// The first ESSCertID of one attribute, normalised across V1 and V2.
#[derive(Clone, Debug)]
pub(crate) struct EssBinding {
    /// "signingCertificate" or "signingCertificateV2" (for error messages).
    pub(crate) attribute: &'static str,
    pub(crate) hash: EssHash,
    pub(crate) cert_hash: Vec<u8>,
    pub(crate) issuer_serial: Option<IssuerSerial>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EssHash {
    Sha1,
    Sha2(HashAlgorithm),
}

impl EssBinding {
    pub(crate) fn from_v1(attr: &SigningCertificate) -> Result<Self, VerificationError> {
        let first = attr.certs.first().ok_or(VerificationError::EssNoCertIds {
            attribute: "signingCertificate",
        })?;
        Ok(Self {
            attribute: "signingCertificate",
            hash: EssHash::Sha1,
            cert_hash: first.cert_hash.as_bytes().to_vec(),
            issuer_serial: first.issuer_serial.clone(),
        })
    }

    pub(crate) fn from_v2(attr: &SigningCertificateV2) -> Result<Self, VerificationError> {
        let attribute = "signingCertificateV2";
        let first = attr
            .certs
            .first()
            .ok_or(VerificationError::EssNoCertIds { attribute })?;
        let oid = first.hash_algorithm_oid();
        let hash = HashAlgorithm::from_oid(&oid)
            .ok_or(VerificationError::EssHashAlgorithm { attribute, oid })?;
        Ok(Self {
            attribute,
            hash: EssHash::Sha2(hash),
            cert_hash: first.cert_hash.as_bytes().to_vec(),
            issuer_serial: first.issuer_serial.clone(),
        })
    }

    /// Does this ESSCertID name `cert`? certHash over the whole DER certificate, and
    /// issuer + serial when the optional issuerSerial is present.
    pub(crate) fn matches(&self, cert: &Certificate) -> bool {
        self.cert_hash_matches(cert)
            && self
                .issuer_serial
                .as_ref()
                .is_none_or(|is| issuer_serial_matches(is, cert))
    }

    /// certHash == H(certificate DER).
    pub(crate) fn cert_hash_matches(&self, cert: &Certificate) -> bool {
        let digest = match self.hash {
            EssHash::Sha1 => {
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der())
                    .as_ref()
                    .to_vec()
            }
            EssHash::Sha2(h) => h.digest(cert.der()),
        };
        digest == self.cert_hash
    }

    /// Whether `cert` matches the hash but not the optional issuerSerial (error detail).
    pub(crate) fn issuer_serial_conflicts(&self, cert: &Certificate) -> bool {
        self.issuer_serial
            .as_ref()
            .is_some_and(|is| !issuer_serial_matches(is, cert))
    }
}

fn issuer_serial_matches(is: &IssuerSerial, cert: &Certificate) -> bool {
    let tbs = cert.x509().tbs_certificate();
    let serial_ok = strip_sign_padding(is.serial_number.as_bytes())
        == strip_sign_padding(tbs.serial_number().as_bytes());
    // RFC 5035: issuer "contains the issuer name of the certificate"; only a directoryName
    // can do that.
    let issuer_ok = is
        .issuer
        .iter()
        .any(|gn| matches!(gn, GeneralName::DirectoryName(n) if n == tbs.issuer()));
    serial_ok && issuer_ok
}

/// INTEGER contents without the redundant leading 0x00 some encoders keep, so two encodings
/// of the same positive serial compare equal.
fn strip_sign_padding(b: &[u8]) -> &[u8] {
    match b {
        [0, rest @ ..] if rest.first().is_some_and(|x| x & 0x80 != 0) => rest,
        _ => b,
    }
}

#[cfg(test)]
mod tests {
    use super::strip_sign_padding;

    #[test]
    fn sign_padding_is_ignored_only_when_redundant() {
        assert_eq!(strip_sign_padding(&[0x00, 0x80, 0x01]), &[0x80, 0x01]);
        assert_eq!(strip_sign_padding(&[0x00, 0x7f]), &[0x00, 0x7f]);
        assert_eq!(strip_sign_padding(&[0x05]), &[0x05]);
        assert_eq!(strip_sign_padding(&[]), &[] as &[u8]);
    }
}
