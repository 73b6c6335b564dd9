//! At which time(s) the signing certificate chain is validated.
//!
//! A certificate chain is only meaningful at a point in time: every certificate must be
//! within its validity window then (RFC 5280 §6.1.3 (a)(2)). This module keeps that decision
//! in one place:
//!
//! - the caller builds the list of candidate [`ValidationTime`]s: one per *verified* RFC 3161
//!   timestamp, each with `latest = genTime + accuracy` (rfc3161-rules.md §6.1: the
//!   signature existed no later than that), and [`ValidationTime::current`] (the clock read
//!   by the CLI, passed in) only when there is none;
//! - `validate_chain_at` (crate-internal) validates the chain at **every** candidate (a verified time that
//!   the chain fails at is evidence against the signature, not something to skip) and
//!   returns the validated chain together with the times it was validated at.
//!
//! Per candidate, path validation requires `notBefore <= time` and `latest <= notAfter` for
//! every certificate of the chain ([`modelsign_pki::ChainRequest`]).

use std::fmt;

use modelsign_pki::{Certificate, ChainRequest, LeafProfile, Time, TrustStore, VerifiedChain};

use crate::Error;

/// Where a validation time comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeSource {
    /// The verifier's clock at verification (no trusted timestamp).
    CurrentTime,
    /// A verified RFC 3161 timestamp of the bundle.
    Timestamp {
        /// Index in `rfc3161Timestamps`.
        index: usize,
        /// The TSA certificate's subject.
        tsa: String,
        /// TSTInfo serialNumber (hex).
        serial_hex: String,
    },
}

impl fmt::Display for TimeSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeSource::CurrentTime => f.write_str("current time"),
            TimeSource::Timestamp {
                index,
                tsa,
                serial_hex,
            } => write!(
                f,
                "trusted timestamp #{index} from '{tsa}', serial {serial_hex}"
            ),
        }
    }
}

/// One instant at which the chain is to be valid, with the latest instant it may stand
/// for (`time + accuracy` for a timestamp; `time` itself for the clock).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationTime {
    time: Time,
    latest: Time,
    source: TimeSource,
}

impl ValidationTime {
    /// The verifier's current time (read by the caller; this crate reads no clock).
    pub fn current(now: Time) -> Self {
        ValidationTime {
            time: now,
            latest: now,
            source: TimeSource::CurrentTime,
        }
    }

    /// The time proven by a verified timestamp: `genTime`, and `genTime + accuracy` as the
    /// latest instant the signature may have been made.
    pub(crate) fn from_timestamp(
        index: usize,
        ts: &modelsign_tsp::verify::VerifiedTimestamp,
    ) -> Self {
        ValidationTime {
            time: ts.gen_time(),
            latest: ts.latest_time(),
            source: TimeSource::Timestamp {
                index,
                tsa: ts.tsa_certificate().subject(),
                serial_hex: ts.serial_hex(),
            },
        }
    }

    /// Whether this time comes from a verified timestamp (not the verifier's clock).
    pub fn is_trusted_timestamp(&self) -> bool {
        matches!(self.source, TimeSource::Timestamp { .. })
    }

    /// The instant checked against every `notBefore`.
    pub fn time(&self) -> Time {
        self.time
    }

    /// The instant checked against every `notAfter`.
    pub fn latest(&self) -> Time {
        self.latest
    }

    /// Where the time comes from.
    pub fn source(&self) -> &TimeSource {
        &self.source
    }
}

impl fmt::Display for ValidationTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.latest == self.time {
            write!(f, "{} ({})", self.time, self.source)
        } else {
            write!(f, "{} .. {} ({})", self.time, self.latest, self.source)
        }
    }
}

/// A chain validated at every candidate time.
#[derive(Debug)]
pub(crate) struct ChainAtTimes {
    /// The chain as validated at the first candidate.
    pub(crate) chain: VerifiedChain,
    /// The chain as validated at each candidate (same order as `times`; revocation is
    /// checked per candidate).
    pub(crate) chains: Vec<VerifiedChain>,
    /// Every candidate, in the order given; the first is the one reported.
    pub(crate) times: Vec<ValidationTime>,
}

/// Validate `leaf` (with the bundle's `untrusted` certificates) against `trust` at every
/// candidate time, with the model-signing leaf profile.
pub(crate) fn validate_chain_at(
    leaf: &Certificate,
    untrusted: &[Certificate],
    trust: &TrustStore,
    candidates: Vec<ValidationTime>,
) -> Result<ChainAtTimes, Error> {
    let mut chains = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        let request = ChainRequest {
            leaf,
            untrusted,
            trust,
            time: candidate.time,
            latest: candidate.latest,
            profile: LeafProfile::ModelSigning,
        };
        let chain = modelsign_pki::verify_chain(&request).map_err(|source| Error::Chain {
            subject: leaf.subject(),
            time: candidate.time,
            time_source: candidate.source.clone(),
            source: Box::new(source),
        })?;
        chains.push(chain);
    }
    match chains.first() {
        Some(chain) => Ok(ChainAtTimes {
            chain: chain.clone(),
            chains,
            times: candidates,
        }),
        None => Err(Error::NoValidationTime),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use modelsign_devpki::DevPki;

    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn the_chain_must_validate_at_every_candidate() {
        let now = Time::now();
        let pki = DevPki::model_signing(now, HOUR).unwrap();
        let trust = pki.trust_store();
        let leaf = &pki.leaf.cert;
        let ok = validate_chain_at(leaf, &[], &trust, vec![ValidationTime::current(now)]).unwrap();
        assert_eq!(ok.times, vec![ValidationTime::current(now)]);
        assert_eq!(ok.chain.leaf().der(), leaf.der());

        // One candidate after the leaf expired: the whole validation fails, naming that time.
        let later = now.checked_add(HOUR * 2).unwrap();
        let e = validate_chain_at(
            leaf,
            &[],
            &trust,
            vec![ValidationTime::current(now), ValidationTime::current(later)],
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::Chain { time, .. } if time == later),
            "{e:?}"
        );

        let e = validate_chain_at(leaf, &[], &trust, Vec::new()).unwrap_err();
        assert!(matches!(e, Error::NoValidationTime), "{e:?}");
    }

    #[test]
    fn current_time_is_an_instant() {
        let now = Time::from_unix(1_800_000_000, 0).unwrap();
        let t = ValidationTime::current(now);
        assert_eq!((t.time(), t.latest()), (now, now));
        assert_eq!(t.source(), &TimeSource::CurrentTime);
        assert_eq!(t.to_string(), "2027-01-15T08:00:00Z (current time)");
    }
}
