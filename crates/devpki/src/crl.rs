//! Version 2 CRLs (RFC 5280 §5) signed by an [`IssuedCert`].
//!
//! ```text
//! TBSCertList ::= SEQUENCE { version Version (v2), signature AlgorithmIdentifier,
//!     issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
//!     revokedCertificates SEQUENCE OF SEQUENCE { userCertificate CertificateSerialNumber,
//!         revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
//!     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
//! CRLReason ::= ENUMERATED { unspecified (0), keyCompromise (1), ... }   -- §5.3.1
//! InvalidityDate ::= GeneralizedTime                                     -- §5.3.2
//! ```
//!
//! rcgen writes the authorityKeyIdentifier (set to the issuer's SKI) and cRLNumber CRL
//! extensions, and the reasonCode and invalidityDate entry extensions.

use der::{Decode, Encode};
use modelsign_pki::{Certificate, Time};
use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
use x509_cert::crl::CertificateList;

use crate::issue::{checked_serial, rcgen_issuer, rcgen_key_pair, to_offset_date_time};
use crate::{Error, IssuedCert};

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Unsigned big-endian serial (leading zero bytes are ignored).
    pub serial: Vec<u8>,
    pub revocation_time: Time,
    /// When the key was (suspected) compromised; may be before `revocation_time`.
    pub invalidity_date: Option<Time>,
    /// `None` leaves the reasonCode extension out (RFC 5280 prefers that to `unspecified`).
    pub reason: Option<RevocationReason>,
}

impl RevokedEntry {
    /// An entry for `cert`'s serial with no reason and no invalidity date.
    pub fn for_certificate(cert: &Certificate, revocation_time: Time) -> Self {
        RevokedEntry {
            serial: cert
                .x509()
                .tbs_certificate()
                .serial_number()
                .as_bytes()
                .to_vec(),
            revocation_time,
            invalidity_date: None,
            reason: None,
        }
    }
}

/// CRLReason values (RFC 5280 §5.3.1) other than `unspecified`, which RFC 5280 says to
/// express by leaving the extension out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationReason {
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl From<RevocationReason> for rcgen::RevocationReason {
    fn from(reason: RevocationReason) -> Self {
        match reason {
            RevocationReason::KeyCompromise => rcgen::RevocationReason::KeyCompromise,
            RevocationReason::CaCompromise => rcgen::RevocationReason::CaCompromise,
            RevocationReason::AffiliationChanged => rcgen::RevocationReason::AffiliationChanged,
            RevocationReason::Superseded => rcgen::RevocationReason::Superseded,
            RevocationReason::CessationOfOperation => rcgen::RevocationReason::CessationOfOperation,
            RevocationReason::CertificateHold => rcgen::RevocationReason::CertificateHold,
            RevocationReason::RemoveFromCrl => rcgen::RevocationReason::RemoveFromCrl,
            RevocationReason::PrivilegeWithdrawn => rcgen::RevocationReason::PrivilegeWithdrawn,
            RevocationReason::AaCompromise => rcgen::RevocationReason::AaCompromise,
        }
    }
}

/// A DER CRL issued by `issuer` listing `revoked`.
///
/// The cRLNumber is `this_update` in Unix seconds (0 before 1970), so a later CRL of the
/// same issuer has a larger number without keeping state. The issuer's keyUsage is not
/// checked: tests need CRLs from CAs that lack cRLSign.
pub fn crl(
    issuer: &IssuedCert,
    revoked: &[RevokedEntry],
    this_update: Time,
    next_update: Time,
) -> Result<Vec<u8>, Error> {
    let issuer_subject = issuer.cert.subject();
    let name = issuer_subject.as_str();
    if next_update <= this_update {
        return Err(Error::CrlValidity {
            issuer: issuer_subject,
            this_update,
            next_update,
        });
    }
    let revoked_certs = revoked
        .iter()
        .map(|entry| {
            Ok(RevokedCertParams {
                serial_number: checked_serial(&entry.serial, name)?,
                revocation_time: to_offset_date_time(
                    entry.revocation_time,
                    name,
                    "revocationDate",
                )?,
                reason_code: entry.reason.map(Into::into),
                invalidity_date: entry
                    .invalidity_date
                    .map(|t| to_offset_date_time(t, name, "invalidityDate"))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let crl_number = u64::try_from(this_update.unix_seconds()).unwrap_or(0);
    let params = CertificateRevocationListParams {
        this_update: to_offset_date_time(this_update, name, "thisUpdate")?,
        next_update: to_offset_date_time(next_update, name, "nextUpdate")?,
        crl_number: SerialNumber::from(crl_number),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method: match issuer.cert.subject_key_identifier() {
            Some(ski) => KeyIdMethod::PreSpecified(ski),
            None => KeyIdMethod::Sha256,
        },
    };
    let rcgen_issuer = rcgen_issuer(&issuer.cert, rcgen_key_pair(&issuer.key, name)?)?;
    let der = params
        .signed_by(&rcgen_issuer)
        .map_err(|source| Error::Rcgen {
            subject: issuer_subject.clone(),
            source,
        })?
        .der()
        .to_vec();
    check_crl_issuer(&der, &issuer.cert)?;
    Ok(der)
}

/// The CRL must parse and name exactly the issuer's subject, or CRL lookup would miss it.
fn check_crl_issuer(der: &[u8], issuer: &Certificate) -> Result<(), Error> {
    let der_error = |source| Error::GeneratedDer {
        subject: issuer.subject(),
        what: "CRL",
        source,
    };
    let crl: CertificateList = CertificateList::from_der(der).map_err(der_error)?;
    let written = crl.tbs_cert_list.issuer.to_der().map_err(der_error)?;
    let expected = issuer
        .x509()
        .tbs_certificate()
        .subject()
        .to_der()
        .map_err(der_error)?;
    if written == expected {
        Ok(())
    } else {
        Err(Error::IssuerNameMismatch {
            subject: issuer.subject(),
            written: format!("{:?}", crl.tbs_cert_list.issuer),
            expected: issuer.subject(),
        })
    }
}
