//! The crate's single error type.

/// Everything that can go wrong reading or writing a bundle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is larger than [`crate::MAX_BUNDLE_LEN`].
    #[error("bundle is {len} bytes, more than the limit of {max} bytes")]
    TooLarge { len: usize, max: usize },

    /// Not JSON, a field of the wrong JSON type, an unknown field, or a field twice.
    #[error("bundle is not valid Sigstore bundle JSON: {message}")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },

    /// A required field is absent (or `null`).
    #[error("bundle field `{field}` is missing")]
    MissingField { field: &'static str },

    /// A field that must not be empty is empty.
    #[error("bundle field `{field}` is empty")]
    EmptyField { field: &'static str },

    /// `mediaType` is not a Sigstore bundle v0.1, v0.2 or v0.3 media type.
    #[error("unsupported bundle media type {got:?}")]
    UnsupportedMediaType { got: String },

    /// A Sigstore bundle, but not the exact v0.3 media type OMS key/certificate bundles
    /// use (model_signing 1.1.1's message).
    #[error("Invalid sigstore bundle, got media type {got}")]
    NotOmsMediaType { got: String },

    /// Base64 that is not standard, padded base64.
    #[error("bundle field `{field}` is not standard padded base64")]
    Base64 { field: &'static str },

    /// Not exactly one of `publicKey`, `x509CertificateChain`, `certificate`.
    #[error("bundle verificationMaterial must hold exactly one of publicKey, x509CertificateChain, certificate; found {found:?}")]
    SignerMaterialCount { found: Vec<&'static str> },

    /// Not exactly one of `dsseEnvelope`, `messageSignature`.
    #[error("bundle must hold exactly one of dsseEnvelope, messageSignature; found {found:?}")]
    ContentCount { found: Vec<&'static str> },

    /// `publicKey` with both `hint` and the pre-1.1 `rawBytes`: which one identifies the
    /// key is ambiguous, and no producer writes both.
    #[error("bundle publicKey has both `hint` and `rawBytes`")]
    AmbiguousPublicKey,

    /// `keyDetails` without `rawBytes` (pre-1.1 bundles always have both).
    #[error("bundle publicKey has `keyDetails` without `rawBytes`")]
    KeyDetailsWithoutRawBytes,

    /// More entries in a list than its limit.
    #[error("bundle field `{field}` has {count} entries, more than the limit of {max}")]
    TooMany {
        field: &'static str,
        count: usize,
        max: usize,
    },

    /// A decoded item larger than its limit.
    #[error("bundle field `{field}` entry {index} is {len} bytes, more than the limit of {max}")]
    ItemTooLarge {
        field: &'static str,
        index: usize,
        len: usize,
        max: usize,
    },

    /// The same RFC 3161 timestamp twice (sigstore-go refuses this too: one TSA response
    /// must not count twice towards a threshold).
    #[error("RFC 3161 timestamp {index} is a byte-identical duplicate of timestamp {first}")]
    DuplicateTimestamp { index: usize, first: usize },

    /// A keyless (`certificate`) bundle without a transparency log entry: its short-lived
    /// certificate can only be checked through the log (OMS `missing-tlog-entries` vector).
    #[error("bundle has a `certificate` (Sigstore keyless) but no tlogEntries")]
    KeylessWithoutTlogEntry,

    /// The bundle signs a message digest, not a DSSE envelope.
    #[error("bundle holds a messageSignature, not a dsseEnvelope")]
    NotDsse,

    /// `add_timestamps` produced text that does not parse back to the expected bundle.
    /// Indicates a bug in this crate; the original is left untouched.
    #[error("internal error: the bundle rewritten with timestamps does not read back as expected")]
    RewriteMismatch,
}

impl Error {
    pub(crate) fn json(e: &serde_json::Error) -> Self {
        Error::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        }
    }
}
