//! Certificate revocation lists (RFC 5280 §5) checked against a [`VerifiedChain`].
//!
//! ```text
//! CertificateList  ::=  SEQUENCE  {
//!      tbsCertList          TBSCertList,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertList  ::=  SEQUENCE  {
//!      version                 Version OPTIONAL, -- if present, MUST be v2
//!      signature               AlgorithmIdentifier,
//!      issuer                  Name,
//!      thisUpdate              Time,
//!      nextUpdate              Time OPTIONAL,
//!      revokedCertificates     SEQUENCE OF SEQUENCE  {
//!           userCertificate         CertificateSerialNumber,
//!           revocationDate          Time,
//!           crlEntryExtensions      Extensions OPTIONAL } OPTIONAL,
//!      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
//!
//! CRLReason ::= ENUMERATED { unspecified (0), keyCompromise (1), ... }   -- 2.5.29.21
//! InvalidityDate ::=  GeneralizedTime                                    -- 2.5.29.24
//! ```
//!
//! A CRL applies to a certificate of the chain when its issuer name equals the subject of
//! the certificate's issuer in the chain; its signature must then verify with that
//! issuer's key (a mismatch is an error, never silently ignored) and that issuer's
//! KeyUsage, if present, must assert cRLSign. Indirect CRLs and unknown critical
//! extensions are refused (RFC 5280 §5.2: a CRL with a critical extension the application
//! cannot process MUST NOT be used). Whether a revocation matters at the signing time is
//! the caller's decision: this module only reports [`Revocation`]s.

use std::ops::Range;

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS, ID_CE_DELTA_CRL_INDICATOR,
    ID_CE_INVALIDITY_DATE, ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::asn1::GeneralizedTime;
use der::Decode;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::CrlReason;

use crate::certificate::{first_inner_tlv, serial_to_hex, Certificate};
use crate::chain::VerifiedChain;
use crate::error::Error;
use crate::pem;
use crate::scheme::SignatureScheme;
use crate::time::Time;

/// CRL input budget: large public CAs publish CRLs of a few MB; 16 MiB bounds memory and
/// parsing time on hostile input.
pub const MAX_CRL_BYTES: usize = 16 * 1024 * 1024;

/// A parsed CRL with its exact DER.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    list: CertificateList,
    tbs: Range<usize>,
}

/// One revoked certificate of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    pub certificate_subject: String,
    pub serial_hex: String,
    /// The CRL entry's revocationDate.
    pub revoked_at: Time,
    /// The invalidityDate entry extension: when the key is known or suspected to have been
    /// compromised, possibly before `revoked_at`.
    pub invalidity_date: Option<Time>,
    /// The CRLReason entry extension in RFC 5280 spelling (`keyCompromise`, ...).
    pub reason: Option<String>,
}

impl Revocation {
    /// invalidityDate if present, else revocationDate.
    pub fn effective_time(&self) -> Time {
        self.invalidity_date.unwrap_or(self.revoked_at)
    }
}

fn reason_name(r: CrlReason) -> &'static str {
    match r {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

impl Crl {
    /// A DER CRL or the first `X509 CRL` PEM block.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_CRL_BYTES {
            return Err(Error::InputTooLarge {
                what: "CRL",
                size: bytes.len(),
                limit: MAX_CRL_BYTES,
            });
        }
        if pem::looks_like_pem(bytes) {
            let text = std::str::from_utf8(bytes).map_err(|_| Error::Pem {
                expected: "X509 CRL",
                detail: "not UTF-8 text".into(),
            })?;
            let blocks = pem::blocks(text, "X509 CRL")?;
            let block = blocks
                .iter()
                .find(|b| b.label == "X509 CRL")
                .ok_or_else(|| Error::PemLabel {
                    found: blocks
                        .first()
                        .map(|b| b.label.to_string())
                        .unwrap_or_default(),
                    expected: "X509 CRL",
                })?;
            Self::from_der(&block.decode("X509 CRL")?)
        } else {
            Self::from_der(bytes)
        }
    }

    fn from_der(der: &[u8]) -> Result<Self, Error> {
        let list = CertificateList::from_der(der).map_err(|e| Error::Der {
            what: "CRL",
            detail: e.to_string(),
        })?;
        let tbs = first_inner_tlv(der, "CRL")?;
        Ok(Crl {
            der: der.to_vec(),
            list,
            tbs,
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Issuer as RFC 4514 text.
    pub fn issuer(&self) -> String {
        self.list.tbs_cert_list.issuer.to_string()
    }

    pub fn this_update(&self) -> Time {
        Time::from_x509(&self.list.tbs_cert_list.this_update)
    }

    pub fn next_update(&self) -> Option<Time> {
        self.list
            .tbs_cert_list
            .next_update
            .as_ref()
            .map(Time::from_x509)
    }

    fn unsupported(&self, reason: &'static str) -> Error {
        Error::CrlUnsupported {
            issuer: self.issuer(),
            reason,
        }
    }

    /// Whether `issuer`'s key signed this CRL.
    fn signed_by(&self, issuer: &Certificate) -> Result<(), Error> {
        let bad_sig = || Error::CrlSignature {
            issuer: self.issuer(),
        };
        if self.list.signature_algorithm != self.list.tbs_cert_list.signature {
            return Err(bad_sig());
        }
        let scheme = SignatureScheme::from_signature_algorithm(&self.list.signature_algorithm)?;
        let signature = self.list.signature.as_bytes().ok_or_else(bad_sig)?;
        let tbs = self.der.get(self.tbs.clone()).ok_or_else(bad_sig)?;
        issuer
            .public_key()?
            .verify(scheme, tbs, signature)
            .map_err(|_| bad_sig())
    }

    /// cRLSign on the issuer, and only CRL extensions we can process.
    fn check_usable(&self, issuer: &Certificate) -> Result<(), Error> {
        if issuer.key_usage()?.is_some_and(|ku| !ku.crl_sign) {
            return Err(Error::InvalidIssuer {
                subject: issuer.subject(),
                reason: "its keyUsage lacks cRLSign but it is named as CRL issuer",
            });
        }
        for ext in self.list.tbs_cert_list.crl_extensions.iter().flatten() {
            if ext.extn_id == ID_CE_ISSUING_DISTRIBUTION_POINT {
                let idp =
                    IssuingDistributionPoint::from_der(ext.extn_value.as_bytes()).map_err(|e| {
                        Error::Der {
                            what: "CRL issuingDistributionPoint",
                            detail: e.to_string(),
                        }
                    })?;
                if idp.indirect_crl {
                    return Err(self.unsupported("indirect CRLs are not supported"));
                }
            } else if ext.critical
                && ![
                    ID_CE_CRL_NUMBER,
                    ID_CE_AUTHORITY_KEY_IDENTIFIER,
                    // A delta CRL's entries are revocations like any other.
                    ID_CE_DELTA_CRL_INDICATOR,
                ]
                .contains(&ext.extn_id)
            {
                return Err(self.unsupported("unknown critical CRL extension"));
            }
        }
        Ok(())
    }

    /// The entry for `cert` (serial match), if any.
    fn revocation_of(&self, cert: &Certificate) -> Result<Option<Revocation>, Error> {
        let serial = cert.x509().tbs_certificate().serial_number();
        let Some(entries) = &self.list.tbs_cert_list.revoked_certificates else {
            return Ok(None);
        };
        let Some(entry) = entries.iter().find(|e| &e.serial_number == serial) else {
            return Ok(None);
        };
        let mut invalidity_date = None;
        let mut reason = None;
        for ext in entry.crl_entry_extensions.iter().flatten() {
            let bytes = ext.extn_value.as_bytes();
            if ext.extn_id == ID_CE_CRL_REASONS {
                let r = CrlReason::from_der(bytes).map_err(|e| Error::Der {
                    what: "CRL entry reasonCode",
                    detail: e.to_string(),
                })?;
                reason = Some(reason_name(r).to_string());
            } else if ext.extn_id == ID_CE_INVALIDITY_DATE {
                let g = GeneralizedTime::from_der(bytes).map_err(|e| Error::Der {
                    what: "CRL entry invalidityDate",
                    detail: e.to_string(),
                })?;
                let t = x509_cert::time::Time::GeneralTime(g);
                invalidity_date = Some(Time::from_x509(&t));
            } else if ext.critical {
                // e.g. certificateIssuer (indirect CRLs).
                return Err(self.unsupported("unknown critical CRL entry extension"));
            }
        }
        Ok(Some(Revocation {
            certificate_subject: cert.subject(),
            serial_hex: serial_to_hex(serial.as_bytes()),
            revoked_at: Time::from_x509(&entry.revocation_date),
            invalidity_date,
            reason,
        }))
    }
}

/// Every certificate of `chain` except the anchor is looked up in the CRLs whose issuer
/// matches its issuer in the chain; such CRLs must verify with that issuer's key.
/// Returns the revocations found (empty = none).
///
/// A CRL is assigned to the chain certificate whose subject equals the CRL issuer and whose
/// key verifies the CRL signature. Several chain certificates can share a name (CA key
/// rollover with self-issued certificates, RFC 5280 §6.1 / PKITS 4.5), so every one of
/// them is tried; a CRL that names a chain certificate but verifies with none is an error.
/// CRLs naming no certificate of the chain are ignored (they are about other CAs).
pub fn find_revocations(chain: &VerifiedChain, crls: &[Crl]) -> Result<Vec<Revocation>, Error> {
    let certs = chain.certificates();
    // CRLs verified by a CA of the chain; the leaf never issues CRLs for the chain.
    let mut assigned: Vec<&Crl> = Vec::new();
    for crl in crls {
        let named: Vec<usize> = (1..certs.len())
            .filter(|i| {
                certs[*i].x509().tbs_certificate().subject() == &crl.list.tbs_cert_list.issuer
            })
            .collect();
        if named.is_empty() {
            continue;
        }
        let Some(issuer) = named
            .into_iter()
            .find(|i| crl.signed_by(&certs[*i]).is_ok())
        else {
            return Err(Error::CrlSignature {
                issuer: crl.issuer(),
            });
        };
        crl.check_usable(&certs[issuer])?;
        assigned.push(crl);
    }
    // A certificate is looked up in every assigned CRL of its issuer's *name*: after a key
    // rollover the CA's CRL may be signed by its other (also validated) key (PKITS 4.5.2).
    let mut found = Vec::new();
    for pair in certs.windows(2) {
        let [cert, issuer] = pair else { continue };
        let issuer_name = issuer.x509().tbs_certificate().subject();
        for crl in assigned
            .iter()
            .filter(|c| &c.list.tbs_cert_list.issuer == issuer_name)
        {
            if let Some(r) = crl.revocation_of(cert)? {
                if !found.contains(&r) {
                    found.push(r);
                }
            }
        }
    }
    Ok(found)
}
