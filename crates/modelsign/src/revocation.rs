//! Time-aware revocation of the signing chain (the key-compromise case) and the notes a
//! verification report carries.
//!
//! With CRLs given by the verifier (`--crl`), every certificate of the validated signing
//! chain except the anchor is looked up ([`modelsign_pki::find_revocations`]: CRL issuer and
//! signature checked against the issuing CA of the chain). A revocation's effective time is
//! its invalidityDate when present and earlier (when the key is known to have been
//! compromised), else its revocationDate ([`modelsign_pki::Revocation::effective_time`]).
//! Then, per validation time (rfc3161-rules §6.1):
//!
//! - from a verified timestamp: the signature is proven to exist no later than
//!   `L = genTime + accuracy`; if that is **before** the effective time the signature stays
//!   valid (reported as a [`Note`]), otherwise (at or after) it is invalid;
//! - from the current time (no verified timestamp): nothing proves when the signature was
//!   made, so any revocation invalidates it.
//!
//! A listed revocation is conclusive whatever the CRL's age. Being *absent* from a CRL is
//! evidence only about the time the CRL was issued, so "not revoked at L" needs a complete
//! CRL of the certificate's issuer ([`modelsign_pki::Crl::is_complete_for`]) that speaks
//! about L:
//!
//! - **verified timestamp**: the CRL's `thisUpdate >= L`. A CRL issued before L says
//!   nothing about revocations between its thisUpdate and L; accepting its silence would
//!   accept a certificate revoked (e.g. for key compromise) in that gap. Its nextUpdate does
//!   not matter: for archival verification a CRL long past its nextUpdate still records
//!   every revocation up to its thisUpdate, which covers L. (The same rule as long-term
//!   validation elsewhere: revocation information must be issued after the time it
//!   vouches for.) A verifier who checks soon after signing therefore needs a CRL issued
//!   after the signature, not the CRL that was current when it was made.
//! - **current time** (no verified timestamp): the CRL must be current as RFC 5280 §6.3.3
//!   (a) asks: `now <= nextUpdate` (a CRL without nextUpdate is never current).
//!
//! Two kinds of CRL that would speak about the time are still not used as evidence of
//! non-revocation:
//!
//! - **issued after the certificate expired** (`thisUpdate > notAfter`, for the leaf and
//!   each intermediate checked alike), unless it declares ExpiredCertsOnCRL at or before
//!   notAfter or lists the certificate ([`modelsign_pki::Crl::keeps_entries_for`]):
//!   RFC 5280 §3.3 lets a CA drop an expired certificate's entry, and archival
//!   verification, the reason timestamps exist, mostly meets exactly such CRLs;
//! - **from the future**: thisUpdate more than [`CRL_CLOCK_SKEW`] after the verifier's
//!   current time (a wrong clock on one side; the CRL would claim knowledge of revocations
//!   that have not happened yet). Its listed revocations still count.
//!
//! Which certificates must be covered: the signing certificate always (a `--crl` that does
//! not apply to it, e.g. another CA's CRL, would otherwise be a silent no-op reported as a
//! passed check); an intermediate only when a CRL of its issuer was given (then it must be
//! recent enough like any other); when none was given its revocation is not checked and a
//! [`Note::RevocationNotChecked`] says so. A missing, too old or not current CRL fails
//! the verification (revocation status is part of path validation, RFC 5280 §6.1.3
//! (a)(3)) with [`Error::RevocationUnknown`], which names the certificate, the CA whose CRL
//! is needed, the time the CRL had to speak about and why the CRLs given do not
//! ([`crate::RevocationUnknownReason`]).

use std::fmt;

use modelsign_pki::{find_revocations, Crl, Time, VerifiedChain};

use crate::error::RevocationUnknownReason;
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
    /// A CA certificate of the chain was not checked for revocation: no CRL of its issuer
    /// was given (the signing certificate itself is never left unchecked: that fails).
    RevocationNotChecked {
        /// Subject of the unchecked certificate.
        subject: String,
        /// Subject of its issuer, whose CRL would be needed.
        issuer: String,
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
            Note::RevocationNotChecked { subject, issuer } => write!(
                f,
                "revocation of certificate '{subject}' was not checked: no CRL from its issuer \
                 '{issuer}' was given"
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
/// for revocations that do not matter (after the trusted signing time) and for CA
/// certificates no CRL was given for.
pub(crate) fn check_revocations(
    chains: &[VerifiedChain],
    times: &[ValidationTime],
    crls: &[Crl],
    now: Time,
) -> Result<Vec<Note>, Error> {
    let mut notes = Vec::new();
    if crls.is_empty() {
        return Ok(notes);
    }
    // Listed revocations first, at every time: they are conclusive whatever a CRL's age,
    // and "revoked" is a more useful answer than "this other CRL is too old".
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
            push_unique(
                &mut notes,
                Note::RevokedAfterSigning {
                    subject: r.certificate_subject.clone(),
                    effective,
                    signing_time: time.latest(),
                },
            );
        }
    }
    for (chain, time) in chains.iter().zip(times) {
        check_coverage(chain, time, crls, now, &mut notes)?;
    }
    Ok(notes)
}

/// Whether `crl` can show that a certificate was not revoked at `time` (module docs).
fn speaks_about(crl: &Crl, time: &ValidationTime) -> bool {
    if time.is_trusted_timestamp() {
        crl.this_update() >= time.latest()
    } else {
        crl.next_update().is_some_and(|next| time.latest() <= next)
    }
}

/// Every non-anchor certificate of `chain` needs a complete CRL that speaks about `time`
/// (module docs for which ones, and why).
fn check_coverage(
    chain: &VerifiedChain,
    time: &ValidationTime,
    crls: &[Crl],
    now: Time,
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    let certs = chain.certificates();
    let crl_error = |e| Error::Crl(Box::new(e));
    let latest_plausible = now.checked_add(CRL_CLOCK_SKEW).unwrap_or(now);
    for (index, pair) in certs.windows(2).enumerate() {
        let [cert, issuer] = pair else { continue };
        // The complete CRL of the issuer with the newest thisUpdate among those that do not
        // speak about `time`: what the error reports as "the newest given".
        let mut newest: Option<&Crl> = None;
        // CRLs that would speak about `time` but cannot be used (module docs).
        let mut from_the_future: Option<&Crl> = None;
        let mut after_expiry: Option<&Crl> = None;
        let mut covered = false;
        for crl in crls {
            if !crl.is_complete_for(chain, index).map_err(crl_error)? {
                continue;
            }
            if crl.this_update() > latest_plausible {
                keep_newest(&mut from_the_future, crl);
                continue;
            }
            if speaks_about(crl, time) {
                if !crl.keeps_entries_for(cert).map_err(crl_error)? {
                    keep_newest(&mut after_expiry, crl);
                    continue;
                }
                covered = true;
                break;
            }
            keep_newest(&mut newest, crl);
        }
        if covered {
            continue;
        }
        let reason = match (after_expiry, from_the_future, newest) {
            (Some(crl), _, _) => RevocationUnknownReason::CrlIssuedAfterExpiry {
                this_update: crl.this_update(),
                not_after: cert.not_after(),
            },
            (None, Some(crl), _) => RevocationUnknownReason::CrlNotYetValid {
                this_update: crl.this_update(),
                now,
            },
            (None, None, None) if index > 0 => {
                push_unique(
                    notes,
                    Note::RevocationNotChecked {
                        subject: cert.subject(),
                        issuer: issuer.subject(),
                    },
                );
                continue;
            }
            (None, None, None) => RevocationUnknownReason::NoCrlOfIssuer {
                crls_given: crls.len(),
            },
            (None, None, Some(crl)) if time.is_trusted_timestamp() => {
                RevocationUnknownReason::CrlTooOld {
                    newest_this_update: crl.this_update(),
                }
            }
            (None, None, Some(crl)) => RevocationUnknownReason::CrlNotCurrent {
                newest_this_update: crl.this_update(),
                next_update: crl.next_update(),
            },
        };
        return Err(Error::RevocationUnknown {
            subject: cert.subject(),
            crl_issuer: issuer.subject(),
            needed: time.latest(),
            time_source: Box::new(time.source().clone()),
            reason,
        });
    }
    Ok(())
}

/// How far a CRL's thisUpdate may lie after the verifier's current time (`now`, passed in)
/// before the CRL is treated as coming from the future and not used to show a certificate
/// unrevoked ([`RevocationUnknownReason::CrlNotYetValid`]). CA and verifier clocks differ
/// by seconds to minutes in practice (5 minutes is also the backdating CAs commonly apply
/// to notBefore for the same reason); more means one clock is wrong, and a CRL dated in the
/// future claims to know about revocations that have not happened yet, so its dates, on
/// which the whole by-time decision rests, cannot be trusted. Refusing is safe: the user
/// can give another CRL or fix the clock, while accepting could accept a revoked
/// certificate. The bound is inclusive (`thisUpdate <= now + skew` is used).
pub(crate) const CRL_CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Keeps in `found` whichever of it and `crl` has the later thisUpdate.
fn keep_newest<'a>(found: &mut Option<&'a Crl>, crl: &'a Crl) {
    if found.is_none_or(|n| crl.this_update() > n.this_update()) {
        *found = Some(crl);
    }
}

fn push_unique(notes: &mut Vec<Note>, note: Note) {
    if !notes.contains(&note) {
        notes.push(note);
    }
}
