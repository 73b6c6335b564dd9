//! Time-aware revocation of the signing chain (the key-compromise case) and the notes a
//! verification report carries.
//!
//! With CRLs given by the verifier (`--crl`), every certificate of the validated signing
//! chain except the anchor is looked up ([`modelsign_pki::find_revocations`]: CRL issuer and
//! signature checked against the issuing CA of the chain). A revocation's effective time is
//! its invalidityDate when present (when the key is known to have been compromised), else
//! its revocationDate. Then, per validation time (rfc3161-rules §6.1):
//!
//! - from a verified timestamp: the signature is proven to exist no later than
//!   `genTime + accuracy`; if that is **before** the effective time the signature stays
//!   valid (reported as a [`Note`]), otherwise (at or after) it is invalid;
//! - from the current time (no verified timestamp): nothing proves when the signature was
//!   made, so any revocation invalidates it.
//!
//! CRLs are the verifier's input like trust anchors; their freshness (nextUpdate) is the
//! verifier's responsibility: an old CRL cannot show a later revocation.

use std::fmt;

use modelsign_pki::{find_revocations, Crl, Time, VerifiedChain};

use crate::validation_time::ValidationTime;
use crate::Error;

/// Information in a verification report that is neither a check nor a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// The signing certificate has expired (at the verifier's current time) and the
    /// signature verifies because trusted timestamps show it was made while valid.
    CertificateExpiredValidAtSigningTime {
        /// Subject.
        subject: String,
        /// Its notAfter.
        not_after: Time,
    },
    /// A chain certificate is revoked, but after the trusted signing time.
    RevokedAfterSigning {
        /// Subject.
        subject: String,
        /// Effective revocation time.
        effective: Time,
        /// Latest trusted signing time (genTime + accuracy).
        signing_time: Time,
    },
    /// Timestamps are present but no TSA trust was configured to verify them.
    TimestampsUnverified {
        /// How many.
        count: usize,
    },
    /// A TSA certificate has expired since the genTime; the token stays valid
    /// (rfc3161-rules §6.5).
    TsaCertificateExpiredSince {
        /// Timestamp index.
        index: usize,
        /// TSA subject.
        subject: String,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::CertificateExpiredValidAtSigningTime { subject, not_after } => write!(
                f,
                "signing certificate '{subject}' expired {not_after}, valid at the trusted \
                 signing time"
            ),
            Note::RevokedAfterSigning {
                subject,
                effective,
                signing_time,
            } => write!(
                f,
                "certificate '{subject}' was revoked as of {effective}, after the trusted \
                 signing time (latest {signing_time}): the signature stays valid"
            ),
            Note::TimestampsUnverified { count } => write!(
                f,
                "{count} timestamp(s) present but not verified (no TSA trust configured: use \
                 --tsa-certificate-chain or --trusted-root); the chain was validated at the \
                 current time"
            ),
            Note::TsaCertificateExpiredSince { index, subject } => write!(
                f,
                "timestamp #{index}: the TSA certificate chain of '{subject}' has expired since \
                 genTime; the timestamp stays valid (the chain was valid at genTime)"
            ),
        }
    }
}

/// Check every validated chain against the CRLs at its validation time. Returns the notes
/// for revocations that do not matter (after the trusted signing time).
pub(crate) fn check_revocations(
    chains: &[VerifiedChain],
    times: &[ValidationTime],
    crls: &[Crl],
) -> Result<Vec<Note>, Error> {
    let mut notes = Vec::new();
    if crls.is_empty() {
        return Ok(notes);
    }
    for (chain, time) in chains.iter().zip(times) {
        let revocations = find_revocations(chain, crls).map_err(|e| Error::Crl(Box::new(e)))?;
        for r in revocations {
            let effective = r.effective_time();
            let revoked = |signing_time| Error::Revoked {
                subject: r.certificate_subject.clone(),
                serial_hex: r.serial_hex.clone(),
                effective,
                reason: r.reason.clone(),
                signing_time,
            };
            if !time.is_trusted_timestamp() {
                return Err(revoked(None));
            }
            if time.latest() >= effective {
                return Err(revoked(Some(time.latest())));
            }
            let note = Note::RevokedAfterSigning {
                subject: r.certificate_subject.clone(),
                effective,
                signing_time: time.latest(),
            };
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    Ok(notes)
}
