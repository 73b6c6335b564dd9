//! The crate's single error type.
//!
//! Where model_signing 1.1.1 has a message for the same failure, the `Display` text is
//! the same (so users comparing outputs of both tools see the same words); oms-format §5.

use crate::{PAYLOAD_TYPE, PREDICATE_TYPE_V1, STATEMENT_TYPE};

/// Why a resource name was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameProblem {
    /// The empty string.
    Empty,
    /// Starts with `/`: names are relative to the model root.
    Absolute,
    /// An empty component (`a//b`, trailing `/`).
    EmptyComponent,
    /// A `.` or `..` component (other than the single-file name `"."` itself).
    DotComponent,
    /// A NUL character (cannot be a file name on any platform).
    Nul,
    /// Shards method: not `path:start:end` with decimal integers.
    ShardSyntax,
    /// Shards method: `start >= end` (a shard is never empty).
    ShardRange,
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameProblem::Empty => "the name is empty",
            NameProblem::Absolute => "the name is an absolute path",
            NameProblem::EmptyComponent => "the name has an empty path component",
            NameProblem::DotComponent => "the name has a '.' or '..' path component",
            NameProblem::Nul => "the name contains a NUL character",
            NameProblem::ShardSyntax => {
                "expected 3 components separated by `:` (path:start:end, decimal offsets)"
            }
            NameProblem::ShardRange => "the shard start offset is not below its end offset",
        })
    }
}

/// Everything that can go wrong building or parsing a statement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The payload is larger than [`crate::MAX_PAYLOAD_LEN`].
    #[error("statement payload is {len} bytes, more than the limit of {max} bytes")]
    PayloadTooLarge { len: usize, max: usize },

    /// The payload is not JSON, or a field has the wrong JSON type.
    #[error("statement payload is not a valid in-toto statement: {message}")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },

    /// DSSE `payloadType` is not the in-toto type.
    #[error("Expected DSSE payload {PAYLOAD_TYPE}, but got {got}")]
    PayloadType { got: String },

    /// A required field is absent.
    #[error("statement field `{field}` is missing")]
    MissingField { field: &'static str },

    /// `_type` is not in-toto Statement v1.
    #[error("Expected in-toto {STATEMENT_TYPE} payload, but got {got}")]
    StatementType { got: String },

    /// `predicateType` is neither v1.0 nor the legacy v0.1.
    #[error("Predicate type mismatch, expected {PREDICATE_TYPE_V1}, got {got}")]
    PredicateType { got: String },

    /// A v1.0 statement must have exactly one subject.
    #[error("Expected only one subject, got {got} subjects")]
    SubjectCount { got: usize },

    /// The subject's digest set has no `sha256` entry.
    #[error("statement subject `{name}` has no sha256 digest")]
    SubjectSha256Missing { name: String },

    /// A field that must be a non-empty string is empty.
    #[error("statement field `{field}` must not be empty")]
    EmptyString { field: String },

    /// A JSON object has the same key twice (ambiguous: parsers disagree on which wins).
    #[error("statement has the key `{key}` twice in one object")]
    DuplicateKey { key: String },

    /// A field the OMS v1.0 schema does not allow at that place.
    #[error("statement has an unknown field `{field}` (OMS v1.0 allows no extra fields there)")]
    UnknownField { field: String },

    /// A digest is not lowercase hexadecimal.
    #[error("`{field}` is not a lowercase hex digest: {value:?}")]
    DigestHex { field: String, value: String },

    /// A digest has the wrong length for its algorithm.
    #[error("`{field}` has {got} bytes, but {algorithm} digests have {expected}")]
    DigestLength {
        field: String,
        algorithm: &'static str,
        expected: usize,
        got: usize,
    },

    /// The subject digest does not match the resources (model_signing's message).
    #[error("Manifest is inconsistent. Root digest is {expected}, but the included resources hash to {actual}")]
    ManifestInconsistent { expected: String, actual: String },

    /// `serialization.method` is neither `files` nor `shards` (model_signing's message).
    #[error("Unknown serialization type {got}")]
    SerializationMethod { got: String },

    /// `serialization.hash_type` (or a resource algorithm's hash) is not supported.
    #[error("unsupported hash type {got:?} in `{field}` (expected sha256, blake2b or blake3)")]
    HashType { field: String, got: String },

    /// `shard_size` is missing, zero, negative, fractional or too large.
    #[error("`predicate.serialization.shard_size` is invalid: {got}")]
    ShardSize { got: String },

    /// `shard_size` present with the files method (the OMS schema forbids it).
    #[error("`predicate.serialization.shard_size` is set but the method is files")]
    ShardSizeWithFiles,

    /// A resource name that cannot name a file (or shard) inside the model.
    #[error("Invalid resource name {name:?} (resource {index}): {problem}")]
    ResourceName {
        index: usize,
        name: String,
        problem: NameProblem,
    },

    /// A resource's algorithm does not agree with `serialization`.
    #[error(
        "resource {name:?} has algorithm {got:?}, expected {expected:?} for this serialization"
    )]
    ResourceAlgorithm {
        name: String,
        got: String,
        expected: String,
    },

    /// Two resources have the same name (the manifest would be ambiguous).
    #[error("resource {name:?} appears twice in the manifest")]
    DuplicateResource { name: String },

    /// More resources (or legacy subjects) than [`crate::MAX_RESOURCES`].
    #[error("manifest has more than {max} resources")]
    TooManyResources { max: usize },

    /// Building: a model with no resources (the OMS spec requires at least one).
    #[error("refusing to sign an empty model: the manifest has no resources")]
    EmptyManifest,
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
