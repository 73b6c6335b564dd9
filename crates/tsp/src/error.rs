//! The crate's error type.

use const_oid::ObjectIdentifier;

use crate::ber::BerError;

/// Errors of the time-stamp protocol layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A token failed verification (see [`crate::verify::VerificationError`]). Held by
    /// value so callers can match `Error::Verification(VerificationError::..)` directly.
    #[error(transparent)]
    Verification(#[from] crate::verify::VerificationError),
    /// TSA trust configuration could not be loaded (see [`crate::trust::TrustError`]).
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
    /// The input is not readable BER (truncated, too deep, too large, trailing bytes).
    #[error("{what}: {source}")]
    Ber {
        /// Which structure was being read.
        what: &'static str,
        /// The BER-level problem.
        source: BerError,
    },
    /// A structure does not match its ASN.1 definition.
    #[error("{what}: malformed ASN.1: {source}")]
    Asn1 {
        /// Which structure was being decoded (e.g. "TSTInfo").
        what: &'static str,
        /// The decoder's error, with its position.
        source: der::Error,
    },
    /// Encoding one of our own structures failed (should not happen with valid inputs).
    #[error("encoding {what} failed: {source}")]
    Encode {
        /// Which structure was being encoded.
        what: &'static str,
        /// The encoder's error.
        source: der::Error,
    },
    /// Input larger than the limit for its kind.
    #[error("{what} of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The structure does not have the expected shape (a field missing or out of place).
    #[error("{what}: {problem}")]
    Structure {
        /// Which structure.
        what: &'static str,
        /// What is wrong.
        problem: &'static str,
    },
    /// The ContentInfo does not carry SignedData.
    #[error("token ContentInfo.contentType is {found}, expected id-signedData")]
    NotSignedData {
        /// The contentType found.
        found: ObjectIdentifier,
    },
    /// The certificate bag holds more certificates than allowed.
    #[error("token carries {count} certificates, more than the limit of {max}")]
    TooManyCertificates {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A part of the token holds more elements than its limit (checked on the BER tree,
    /// before any of it is decoded; see the `MAX_*` constants of [`crate::token`]).
    #[error("{what} at offset {offset} has {count} elements, more than the limit of {max}")]
    TooManyElements {
        /// Which list (e.g. "SignerInfo signedAttrs").
        what: &'static str,
        /// Offset of the list's identifier octet in the parsed input.
        offset: usize,
        /// How many elements it has.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A certificate in the token's bag could not be parsed.
    #[error("token certificate #{index} is not a valid X.509 certificate: {source}")]
    Certificate {
        /// Position in the received bag (0-based).
        index: usize,
        /// Why.
        source: Box<modelsign_pki::Error>,
    },
    /// `genTime` is outside the representable range.
    #[error("TSTInfo genTime is out of range")]
    GenTimeRange,
    /// The response status is not granted, or a granted response carries no token.
    #[error("time-stamp response has status {status} (failInfo: {fail_info}){}", text.as_deref().map(|t| format!(": {t}")).unwrap_or_default())]
    NotGranted {
        /// The status.
        status: crate::asn1::PkiStatus,
        /// failInfo bits.
        fail_info: crate::asn1::PkiFailureInfo,
        /// statusString, joined.
        text: Option<String>,
    },
    /// A hash algorithm other than SHA-256/384/512.
    #[error(
        "{field}: unsupported hash algorithm {oid} (SHA-256, SHA-384 and SHA-512 are accepted)"
    )]
    UnsupportedHashAlgorithm {
        /// Where it was found.
        field: &'static str,
        /// The algorithm.
        oid: ObjectIdentifier,
    },
    /// A digest whose length does not match its algorithm.
    #[error("{field}: {algorithm} digest must be {expected} bytes, got {actual}")]
    DigestLength {
        /// Where.
        field: &'static str,
        /// Algorithm name.
        algorithm: &'static str,
        /// Expected length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// A version number other than the one defined.
    #[error("{what}: version {version:?} is not supported (expected {expected})")]
    UnsupportedVersion {
        /// Which structure.
        what: &'static str,
        /// The version found (`None` if not a small integer).
        version: Option<u64>,
        /// The version required.
        expected: u64,
    },
    /// An Accuracy field out of its ASN.1 range.
    #[error("TSTInfo accuracy {field} = {value:?} is outside {range}")]
    AccuracyRange {
        /// Field name.
        field: &'static str,
        /// Value as text (may be negative or huge).
        value: String,
        /// Allowed range.
        range: &'static str,
    },
    /// The random number generator failed.
    #[error("random number generator failed while making the {what}")]
    Random {
        /// What needed randomness.
        what: &'static str,
    },
    /// The TSA signer does not satisfy the RFC 3161 profile.
    #[error("TSA signer certificate {subject}: {problem}")]
    SignerProfile {
        /// Subject of the leaf.
        subject: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The requested policy is not among the TSA's accepted policies.
    #[error("requested TSA policy {policy} is not accepted")]
    UnacceptedPolicy {
        /// The policy asked for.
        policy: ObjectIdentifier,
    },
    /// The request carries extensions (RFC 3161 defines none; the TSA accepts none).
    #[error("request extensions are not accepted")]
    UnacceptedExtension,
    /// The TSA cannot vouch for its clock.
    #[error("the TSA's time source is not available")]
    TimeNotAvailable,
    /// An operation of the PKI layer failed.
    #[error("{what}: {source}")]
    Pki {
        /// What was being done.
        what: &'static str,
        /// The PKI error.
        source: Box<modelsign_pki::Error>,
    },
}

impl Error {
    /// A PKI-layer error with what was being done.
    pub(crate) fn pki(what: &'static str, source: modelsign_pki::Error) -> Self {
        Error::Pki {
            what,
            source: Box::new(source),
        }
    }

    /// The verification failure, if this is one.
    pub fn as_verification(&self) -> Option<&crate::verify::VerificationError> {
        match self {
            Error::Verification(v) => Some(v),
            _ => None,
        }
    }
}
