//! RFC 3161 timestamps in model signatures (rfc3161-rules.md §1, §4, §5, §6).
//!
//! The timestamped datum is the raw (base64-decoded) DSSE signature,
//! `dsseEnvelope.signatures[0].sig`; the whole DER `TimeStampResp` is stored in
//! `verificationMaterial.timestampVerificationData.rfc3161Timestamps[].signedTimestamp`.
//!
//! Verification ([`TimestampPolicy`]):
//!
//! - with TSA trust configured by the verifier (never taken from the bundle), every
//!   timestamp must verify over the raw signature ([`modelsign_tsp::verify_timestamp`]);
//!   one that does not fails the whole verification (§6.4: tampered or foreign evidence);
//! - without TSA trust, timestamps are reported as *unverified* and do not count;
//! - `require`: at least one verified timestamp; `threshold`: verified timestamps from at
//!   least N distinct authorities (a second token of the same authority adds nothing,
//!   §5.14; what "distinct" means is in [`distinct_authorities`]); `max_age`: the signature's age, measured from its **earliest** verified genTime
//!   (the earliest proof that it existed), must not exceed the maximum, so a fresh token
//!   added later cannot make an old signature look young;
//! - each verified timestamp yields a [`ValidationTime`] (`genTime`, `genTime + accuracy`)
//!   at which the signing chain is then validated (§6.1, §6.2).
//!
//! Signing ([`TimestampTarget`]): the request is built over the raw signature; each
//! response is checked against that request (status, imprint, nonce, policy, CMS
//! signature, ESS, EKU), fully verified when the signer configured TSA trust, and its
//! genTime (plus accuracy) must lie inside the validity of **every** certificate of the
//! signing chain given at signing (§4.6, §6.1: the verifier checks the whole chain at T, so
//! a token outside an intermediate's validity would produce a bundle that never verifies).
//! Once every TSA answered, [`compare_gen_times`] flags TSAs whose clocks disagree (§4.7,
//! pitfall 25).

use std::time::Duration;

use modelsign_pki::{Certificate, HashAlgorithm, Time};
use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{check_response, verify_timestamp, Datum, VerifiedTimestamp};
use modelsign_tsp::{Accuracy, TimeStampRequest};

use crate::ObjectIdentifier;

use crate::validation_time::ValidationTime;
use crate::Error;

/// A genTime further than this from the signer's clock (beyond the declared accuracy) is
/// flagged at signing (rfc3161-rules §4.7): either clock may be wrong, and a TSA that is
/// minutes off deserves a look. Five minutes tolerates ordinary drift on the signer's side.
pub const CLOCK_SKEW_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Two TSAs' genTimes for the same signature (requested within seconds of each other) that
/// differ by more than their accuracies plus this are flagged at signing (rfc3161-rules §4.7,
/// pitfall 25: one of the clocks is wrong). The requests go out in parallel, but a TSA may
/// be retried within its budget (`--tsa-timeout`, at most a day but 10 s by default); one
/// minute covers retries under the default budget while still catching a TSA whose clock
/// is minutes off.
pub const TSA_DISAGREEMENT_TOLERANCE: Duration = Duration::from_secs(60);

/// The verifier's timestamp policy. The default verifies nothing (no TSA trust) and
/// requires nothing.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TimestampPolicy {
    /// TSA trust (`--tsa-certificate-chain` / `--trusted-root`); `None`: timestamps are
    /// reported unverified.
    pub trust: Option<TsaTrust>,
    /// Fail unless at least one timestamp verifies (`--require-timestamp`).
    pub require: bool,
    /// Verified timestamps from at least this many distinct authorities
    /// (`--timestamp-threshold`); 0 or 1 with `require` mean the same.
    pub threshold: usize,
    /// Maximum age of the signature, now - earliest verified genTime
    /// (`--max-timestamp-age`).
    pub max_age: Option<Duration>,
    /// Token verification options (e.g. a pinned TSA policy).
    pub verify_options: modelsign_tsp::verify::VerifyOptions,
}

impl TimestampPolicy {
    /// Whether the policy needs at least one verified timestamp.
    fn needs_timestamp(&self) -> bool {
        self.require || self.threshold > 0 || self.max_age.is_some()
    }
}

/// TSA trust from certificate groups, **one authority per group** (per
/// `--tsa-certificate-chain` file): its self-signed certificates are the anchors, the others
/// intermediates (or TSA leaves for tokens without certificates). Thresholds count these
/// authorities, so two files are two TSAs even when both are given to one verifier.
pub fn tsa_trust_per_group(groups: Vec<(String, Vec<Certificate>)>) -> Result<TsaTrust, Error> {
    let mut authorities = Vec::with_capacity(groups.len());
    for (name, certs) in groups {
        let (anchors, intermediates): (Vec<_>, Vec<_>) =
            certs.into_iter().partition(Certificate::is_self_signed);
        if anchors.is_empty() {
            return Err(Error::TsaTrust {
                what: name,
                reason: "no self-signed (root) certificate to use as trust anchor",
            });
        }
        authorities.push(modelsign_tsp::trust::TsaAuthority::new(
            name,
            anchors,
            intermediates,
        ));
    }
    TsaTrust::from_authorities(authorities).map_err(|_| Error::TsaTrust {
        what: "(none)".to_owned(),
        reason: "no TSA certificates given",
    })
}

/// What a timestamp says about itself, read without verification (for reports of
/// unverified timestamps and `modelsign inspect`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimestampInfo {
    /// TSTInfo genTime.
    pub gen_time: Time,
    /// TSTInfo serialNumber (hex).
    pub serial_hex: String,
    /// The TSTInfo `tsa` name, when present (unauthenticated until verified).
    pub tsa_name: Option<String>,
    /// Declared accuracy.
    pub accuracy: Option<Duration>,
    /// TSTInfo policy.
    pub policy: String,
}

impl TimestampInfo {
    /// Reads the token of a `signedTimestamp` (TimeStampResp or bare token).
    pub fn read(signed_timestamp: &[u8]) -> Result<Self, modelsign_tsp::Error> {
        let token = modelsign_tsp::parse_signed_timestamp(signed_timestamp)?;
        let tst = token.tst_info();
        Ok(TimestampInfo {
            gen_time: tst.gen_time,
            serial_hex: tst.serial_hex(),
            tsa_name: tst.tsa.clone(),
            // A malformed accuracy is reported as absent here; verification rejects it.
            accuracy: tst.accuracy().ok().flatten().map(|a| a.as_duration()),
            policy: tst.policy.to_string(),
        })
    }
}

/// Why a timestamp of the bundle was not verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnverifiedReason {
    /// The verifier configured no TSA trust.
    NoTsaTrust,
}

impl std::fmt::Display for UnverifiedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnverifiedReason::NoTsaTrust => f.write_str(
                "not verified: no TSA trust configured (--tsa-certificate-chain or --trusted-root)",
            ),
        }
    }
}

/// One timestamp of a verified bundle.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum BundleTimestamp {
    /// Verified against the verifier's TSA trust; counts for the policy and the chain.
    Verified {
        /// Index in `rfc3161Timestamps`.
        index: usize,
        /// The proof.
        timestamp: Box<VerifiedTimestamp>,
    },
    /// Present but not verified; does not count.
    Unverified {
        /// Index in `rfc3161Timestamps`.
        index: usize,
        /// Why.
        reason: UnverifiedReason,
        /// What it claims (`None` if it cannot even be read).
        info: Option<TimestampInfo>,
    },
}

impl BundleTimestamp {
    /// Index in `rfc3161Timestamps`.
    pub fn index(&self) -> usize {
        match self {
            BundleTimestamp::Verified { index, .. } | BundleTimestamp::Unverified { index, .. } => {
                *index
            }
        }
    }

    /// The verified timestamp, if verified.
    pub fn verified(&self) -> Option<&VerifiedTimestamp> {
        match self {
            BundleTimestamp::Verified { timestamp, .. } => Some(timestamp),
            BundleTimestamp::Unverified { .. } => None,
        }
    }
}

impl std::fmt::Display for BundleTimestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BundleTimestamp::Verified { index, timestamp } => write!(
                f,
                "#{index} verified: genTime {}{}, TSA '{}', serial {}, authority '{}'",
                timestamp.gen_time(),
                timestamp
                    .accuracy()
                    .map(|a| format!(" ±{} ms", a.as_duration().as_millis()))
                    .unwrap_or_default(),
                timestamp.tsa_certificate().subject(),
                timestamp.serial_hex(),
                timestamp.authority_name()
            ),
            BundleTimestamp::Unverified {
                index,
                reason,
                info,
            } => {
                write!(f, "#{index} ")?;
                match info {
                    Some(i) => write!(
                        f,
                        "claims genTime {}, TSA {}, serial {}",
                        i.gen_time,
                        i.tsa_name
                            .as_deref()
                            .map(|n| format!("'{n}'"))
                            .unwrap_or_else(|| "(not named)".to_owned()),
                        i.serial_hex
                    )?,
                    None => f.write_str("unreadable")?,
                }
                write!(f, " ({reason})")
            }
        }
    }
}

/// Verify (or, without trust, read) every timestamp of the bundle over `signature`.
pub(crate) fn verify_bundle_timestamps(
    timestamps: &[Vec<u8>],
    signature: &[u8],
    policy: &TimestampPolicy,
) -> Result<Vec<BundleTimestamp>, Error> {
    timestamps
        .iter()
        .enumerate()
        .map(|(index, bytes)| match &policy.trust {
            Some(trust) => {
                verify_timestamp(bytes, Datum::Data(signature), trust, &policy.verify_options)
                    .map(|ts| BundleTimestamp::Verified {
                        index,
                        timestamp: Box::new(ts),
                    })
                    .map_err(|source| Error::TimestampInvalid {
                        index,
                        source: Box::new(source),
                    })
            }
            None => Ok(BundleTimestamp::Unverified {
                index,
                reason: UnverifiedReason::NoTsaTrust,
                info: TimestampInfo::read(bytes).ok(),
            }),
        })
        .collect()
}

/// The policy's requirements on the verified timestamps (require, threshold, max age).
pub(crate) fn check_policy(
    timestamps: &[BundleTimestamp],
    policy: &TimestampPolicy,
    now: Time,
) -> Result<(), Error> {
    let verified: Vec<&VerifiedTimestamp> = timestamps
        .iter()
        .filter_map(BundleTimestamp::verified)
        .collect();
    if policy.needs_timestamp() && verified.is_empty() {
        return Err(Error::TimestampRequired {
            present: timestamps.len(),
            trust_configured: policy.trust.is_some(),
        });
    }
    let authorities = distinct_authorities(&verified);
    if authorities < policy.threshold {
        return Err(Error::TimestampThreshold {
            required: policy.threshold,
            found: authorities,
            verified: verified.len(),
        });
    }
    if let (Some(max_age), Some(earliest)) =
        (policy.max_age, verified.iter().map(|t| t.gen_time()).min())
    {
        let age_secs = now.unix_seconds().saturating_sub(earliest.unix_seconds());
        if age_secs > i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX) {
            return Err(Error::TimestampTooOld {
                gen_time: earliest,
                age_secs,
                max_age_secs: max_age.as_secs(),
                now,
            });
        }
    }
    Ok(())
}

/// How many distinct time-stamping authorities the verified timestamps come from
/// (rfc3161-rules §5.14, pitfall 22).
///
/// Two timestamps belong to the **same** authority when their validated TSA chains (signer
/// up to the anchor that validated it) share any public key. So:
///
/// - the same TSA listed in several configuration entries (a `trusted_root.json` with the
///   same root and pinned leaf under back-to-back `validFor` windows, or two
///   `--tsa-certificate-chain` files with the same root) counts once: what counts is what
///   was validated, not which entry accepted the token first;
/// - a TSA that rotates its signing key under the same root counts once (shared anchor);
/// - one TSA key certified under two roots (cross-certification) counts once (shared
///   signer key), whichever root each token's bag led to;
/// - two TSAs under one root count once. That is deliberate: whoever holds the root key
///   can issue a TSA certificate and forge both tokens, so they are not independent
///   witnesses, and a threshold exists to survive one compromised or wrong authority.
///
/// Keys are compared as the subjectPublicKey bits (so a root re-issued with the same key is
/// the same anchor). Sharing is transitive (union-find): A~B and B~C put A, B, C in one
/// authority. The bundle cap of 32 timestamps keeps the pairwise comparison small.
pub fn distinct_authorities(verified: &[&VerifiedTimestamp]) -> usize {
    let keys: Vec<Vec<&[u8]>> = verified
        .iter()
        .map(|t| {
            t.chain()
                .certificates()
                .iter()
                .map(subject_public_key_bits)
                .collect()
        })
        .collect();
    // Union-find over the timestamps; `parent[i] == i` marks a representative.
    let mut parent: Vec<usize> = (0..keys.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            i = p;
        }
        i
    }
    for (i, a) in keys.iter().enumerate() {
        for (j, b) in keys.iter().enumerate().skip(i + 1) {
            if a.iter().any(|ka| b.contains(ka)) {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                if let Some(slot) = parent.get_mut(rj) {
                    *slot = ri;
                }
            }
        }
    }
    (0..keys.len())
        .filter(|&i| find(&mut parent, i) == i)
        .count()
}

/// The subjectPublicKey BIT STRING contents of `cert`: the key itself, independent of the
/// certificate that carries it.
fn subject_public_key_bits(cert: &Certificate) -> &[u8] {
    cert.x509()
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
}

/// One validation time per verified timestamp; the current time when there is none.
pub(crate) fn validation_times(timestamps: &[BundleTimestamp], now: Time) -> Vec<ValidationTime> {
    let from_timestamps: Vec<ValidationTime> = timestamps
        .iter()
        .filter_map(|t| match t {
            BundleTimestamp::Verified { index, timestamp } => {
                Some(ValidationTime::from_timestamp(*index, timestamp))
            }
            BundleTimestamp::Unverified { .. } => None,
        })
        .collect();
    if from_timestamps.is_empty() {
        vec![ValidationTime::current(now)]
    } else {
        from_timestamps
    }
}

/// A signature to be timestamped: the raw DSSE signature bytes and, in certificate mode,
/// the signing chain (leaf first, then the chain certificates given at signing) whose
/// validity the genTime must fall in (rfc3161-rules §4.6).
#[derive(Clone, Debug)]
pub struct TimestampTarget {
    signature: Vec<u8>,
    chain: Vec<Certificate>,
}

/// A response accepted for a [`TimestampTarget`]: ready to be stored.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AcceptedTimestamp {
    /// The TSA it came from (as named to [`TimestampTarget::accept`]).
    pub tsa: String,
    /// The DER `TimeStampResp` exactly as received (stored as `signedTimestamp`).
    pub der: Vec<u8>,
    /// What the token says.
    pub info: TimestampInfo,
    /// Whether it was fully verified against TSA trust given by the signer.
    pub verified: bool,
    /// Notices (clock skew).
    pub warnings: Vec<crate::Warning>,
}

impl TimestampTarget {
    /// `chain`: leaf first; empty in key mode.
    pub(crate) fn new(signature: Vec<u8>, chain: Vec<Certificate>) -> Self {
        TimestampTarget { signature, chain }
    }

    /// The raw signature bytes (the datum).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signing certificate (certificate mode).
    pub fn signing_certificate(&self) -> Option<&Certificate> {
        self.chain.first()
    }

    /// The signing chain, leaf first (empty in key mode).
    pub fn signing_chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// A fresh request over the signature (128-bit random nonce, certReq true, no policy).
    pub fn request(&self, hash: HashAlgorithm) -> Result<TimeStampRequest, Error> {
        self.request_with_policy(hash, None)
    }

    /// A fresh request over the signature naming `policy` as reqPolicy (`--tsa-policy`);
    /// [`TimestampTarget::accept`] then requires the response's policy to equal it.
    pub fn request_with_policy(
        &self,
        hash: HashAlgorithm,
        policy: Option<ObjectIdentifier>,
    ) -> Result<TimeStampRequest, Error> {
        TimeStampRequest::for_data(hash, &self.signature, policy).map_err(|source| {
            Error::TimestampResponse {
                tsa: "(request)".to_owned(),
                source: Box::new(source),
            }
        })
    }

    /// Accept `response_der` from `tsa` as an answer to `request` for this signature:
    /// the request must be over this signature; the response must answer it
    /// ([`check_response`], which also requires the requested policy, if any); with `trust`
    /// it must fully verify; and its genTime (plus accuracy) must lie inside the validity
    /// of every certificate of the signing chain. `now` is the signer's clock, for the skew
    /// warning only.
    pub fn accept(
        &self,
        tsa: &str,
        request: &TimeStampRequest,
        response_der: &[u8],
        trust: Option<&TsaTrust>,
        now: Time,
    ) -> Result<AcceptedTimestamp, Error> {
        let hash = request.hash_algorithm();
        if hash.digest(&self.signature) != request.digest() {
            return Err(Error::TimestampRequestMismatch { hash: hash.name() });
        }
        let bad = |source| Error::TimestampResponse {
            tsa: tsa.to_owned(),
            source: Box::new(source),
        };
        let response = check_response(response_der, request).map_err(bad)?;
        if let Some(trust) = trust {
            let opts = modelsign_tsp::verify::VerifyOptions {
                policy: request.policy(),
            };
            verify_timestamp(response.raw(), Datum::Data(&self.signature), trust, &opts)
                .map_err(bad)?;
        }
        let tst = response.granted_token().map_err(bad)?.tst_info();
        let accuracy = tst.accuracy().map_err(bad)?;
        let gen_time = tst.gen_time;
        let latest = latest_time(gen_time, accuracy).ok_or_else(|| {
            bad(modelsign_tsp::verify::VerificationError::AccuracyOverflow { gen_time }.into())
        })?;
        // §4.6 / §6.1: notBefore <= T and T + A <= notAfter for the leaf **and** every
        // certificate given with it. Full path validation needs the verifier's anchors,
        // which the signer does not have; the validity windows are what the verifier will
        // hold the token to, so a token failing them would only make a bundle that never
        // verifies. (A root in the given chain is checked too: a verifier anchoring on it
        // validates it at T as well.)
        if let Some(cert) = self
            .chain
            .iter()
            .find(|c| gen_time < c.not_before() || c.not_after() < latest)
        {
            return Err(Error::TimestampOutsideCertificateValidity {
                tsa: tsa.to_owned(),
                gen_time,
                latest,
                subject: cert.subject(),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
            });
        }
        let mut warnings = Vec::new();
        let tolerance = accuracy
            .map(|a| a.as_duration())
            .unwrap_or_default()
            .saturating_add(CLOCK_SKEW_TOLERANCE);
        let skew = now.unix_seconds().abs_diff(gen_time.unix_seconds());
        if skew > tolerance.as_secs() {
            warnings.push(crate::Warning::TimestampClockSkew {
                tsa: tsa.to_owned(),
                gen_time,
                local: now,
            });
        }
        Ok(AcceptedTimestamp {
            tsa: tsa.to_owned(),
            der: response.raw().to_vec(),
            info: TimestampInfo {
                gen_time,
                serial_hex: tst.serial_hex(),
                tsa_name: tst.tsa.clone(),
                accuracy: accuracy.map(|a| a.as_duration()),
                policy: tst.policy.to_string(),
            },
            verified: trust.is_some(),
            warnings,
        })
    }
}

/// Compare the genTimes of timestamps obtained for one signature from several TSAs
/// (rfc3161-rules §4.7, pitfall 25): a warning for each pair whose genTimes differ by more
/// than the sum of their accuracies plus [`TSA_DISAGREEMENT_TOLERANCE`]. All requests were
/// sent within the same few seconds, so such a gap means at least one TSA clock is off; the
/// tokens are still stored (each verifies on its own), but a user relying on several TSAs
/// for independence should know. Timestamps from the same TSA name are compared too: two
/// answers of one TSA far apart are as suspicious.
pub fn compare_gen_times(accepted: &[AcceptedTimestamp]) -> Vec<crate::Warning> {
    let mut warnings = Vec::new();
    for (i, a) in accepted.iter().enumerate() {
        for b in accepted.iter().skip(i + 1) {
            let (early, late) = if a.info.gen_time <= b.info.gen_time {
                (a, b)
            } else {
                (b, a)
            };
            let allowed = early
                .info
                .accuracy
                .unwrap_or_default()
                .saturating_add(late.info.accuracy.unwrap_or_default())
                .saturating_add(TSA_DISAGREEMENT_TOLERANCE);
            // An unrepresentable bound (year 9999+) cannot be exceeded.
            let exceeded = early
                .info
                .gen_time
                .checked_add(allowed)
                .is_some_and(|bound| late.info.gen_time > bound);
            if exceeded {
                warnings.push(crate::Warning::TimestampsDisagree {
                    first_tsa: early.tsa.clone(),
                    first: early.info.gen_time,
                    second_tsa: late.tsa.clone(),
                    second: late.info.gen_time,
                    allowed,
                });
            }
        }
    }
    warnings
}

/// genTime + accuracy (`None` if not representable; `check_response` caps the accuracy, so
/// only a bug could get here, and it is then an error rather than a shortened window).
fn latest_time(gen_time: Time, accuracy: Option<Accuracy>) -> Option<Time> {
    match accuracy {
        None => Some(gen_time),
        Some(a) => gen_time.checked_add(a.as_duration()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Time {
        Time::from_unix(1_900_000_000, 0).unwrap()
    }

    fn unverified(index: usize) -> BundleTimestamp {
        BundleTimestamp::Unverified {
            index,
            reason: UnverifiedReason::NoTsaTrust,
            info: None,
        }
    }

    #[test]
    fn empty_policy_accepts_anything_and_validates_now() {
        let policy = TimestampPolicy::default();
        check_policy(&[], &policy, now()).unwrap();
        check_policy(&[unverified(0)], &policy, now()).unwrap();
        assert_eq!(
            validation_times(&[unverified(0)], now()),
            vec![ValidationTime::current(now())]
        );
    }

    #[test]
    fn every_requirement_needs_a_verified_timestamp() {
        let cases = [
            TimestampPolicy {
                require: true,
                ..TimestampPolicy::default()
            },
            TimestampPolicy {
                threshold: 1,
                ..TimestampPolicy::default()
            },
            TimestampPolicy {
                max_age: Some(Duration::from_secs(60)),
                ..TimestampPolicy::default()
            },
        ];
        for policy in cases {
            let e = check_policy(&[unverified(0), unverified(1)], &policy, now()).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::TimestampRequired {
                        present: 2,
                        trust_configured: false
                    }
                ),
                "{e:?}"
            );
            assert!(e.to_string().contains("no TSA trust is configured"), "{e}");
        }
    }

    #[test]
    fn garbage_is_not_a_timestamp() {
        assert!(TimestampInfo::read(b"\x30\x03abc").is_err());
        let shown = BundleTimestamp::Unverified {
            index: 3,
            reason: UnverifiedReason::NoTsaTrust,
            info: None,
        }
        .to_string();
        assert!(shown.starts_with("#3 unreadable (not verified"), "{shown}");
    }
}
