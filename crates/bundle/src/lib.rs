//! Sigstore bundle v0.3 JSON as written and read by model_signing 1.1.1.
//!
//! The only crate that knows the bundle JSON. It turns bundle files into typed values
//! ([`parse`], [`parse_with`]) and back ([`to_json`]), and adds RFC 3161 timestamps to
//! an existing file without disturbing its signed parts ([`add_timestamps`]). It checks
//! structure only: no signatures, certificates or timestamps are verified here.
//!
//! Format: sigstore/protobuf-specs `sigstore_bundle.proto` in its protobuf-JSON form
//! (camelCase names, bytes as base64), media types v0.1 – v0.3, as profiled by the OMS
//! v1.0 bundle schema and by model_signing 1.1.1 (`docs/oms-format.md` §7).
//!
//! Reading rules (decisions, with reasons):
//!
//! - **Unknown fields are refused** in every object this crate interprets, like
//!   model_signing (pydantic `extra_forbidden`) and protobuf's default JSON parser; the
//!   items of `tlogEntries` are kept as opaque JSON and not checked (their schema belongs
//!   to Rekor and changes between log versions). Duplicate keys are refused.
//! - Pre-1.1 model_signing `publicKey.rawBytes` + `keyDetails` are read
//!   ([`SignerMaterial::LegacyRawPublicKey`]); `hint` together with `rawBytes` is refused.
//! - Exactly one of `publicKey` / `x509CertificateChain` / `certificate`, exactly one of
//!   `dsseEnvelope` / `messageSignature`. `tlogEntries` absent means empty, but a keyless
//!   `certificate` bundle needs at least one entry (OMS `missing-tlog-entries` vector).
//! - Base64 is **standard and padded, nothing else** by default (model_signing fails on
//!   URL-safe or unpadded input, so accepting it would let us verify bundles the
//!   reference refuses). [`Base64Policy::AllowLineBreaks`] also ignores CR/LF like Go's
//!   decoder, for third-party Sigstore files wrapped at 76 columns.
//! - RFC 3161 timestamps: at most [`MAX_TIMESTAMPS`], each at most [`MAX_TIMESTAMP_LEN`]
//!   bytes, no byte-identical duplicates; every list is counted before it is decoded.
//! - OMS key and certificate bundles must use [`MediaType::V0_3`]
//!   ([`Bundle::require_oms_media_type`]); v0.1/v0.2 and `messageSignature` bundles are
//!   read so that Sigstore conformance material goes through the same code.
//!
//! Writing ([`to_json`]) reproduces model_signing's compact layout byte for byte.

mod add_timestamps;
mod error;
mod model;
mod read;
mod write;

pub use add_timestamps::add_timestamps;
pub use error::Error;
pub use model::{
    Bundle, Content, DsseEnvelope, DsseSignature, MediaType, MessageDigest, MessageSignature,
    SignerMaterial, VerificationMaterial,
};
pub use read::{
    parse, parse_with, Base64Policy, ParseOptions, MAX_CHAIN_CERTIFICATES, MAX_SIGNATURES,
    MAX_TIMESTAMPS, MAX_TIMESTAMP_LEN, MAX_TLOG_ENTRIES,
};
pub use write::to_json;

/// The bundle media type OMS key and certificate bundles use.
pub const MEDIA_TYPE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// Largest bundle file we read.
///
/// model_signing sets no limit. The DSSE payload is capped at 24 MiB by the DSSE crate
/// (100 000 resources); in base64 that is 32 MiB. Certificates and timestamps add at
/// most a few MiB (32 certificates, 32 × 64 KiB timestamps), so 36 MiB holds every
/// bundle the DSSE crate would accept while keeping memory use bounded.
pub const MAX_BUNDLE_LEN: usize = 36 * 1024 * 1024;
