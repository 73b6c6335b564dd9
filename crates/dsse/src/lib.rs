//! in-toto Statement with the model_signing predicate, DSSE envelope and PAE.
//!
//! A pure format crate: it builds the statement payload we sign
//! ([`statement_json`]), parses and checks payloads from the exact signed bytes
//! ([`parse_statement`], [`Envelope::statement`]) and computes the bytes a signature
//! covers ([`pae()`], [`legacy_pae_v0_2`]). It holds no keys and checks no signatures.
//!
//! Formats: in-toto Statement v1 (`https://in-toto.io/Statement/v1`), OMS predicate v1.0
//! (`https://model_signing/signature/v1.0`, JSON Schemas in ossf/model-signing-spec
//! `schemas/v1.0/`), model_signing v0.2.0's `https://model_signing/Digests/v0.1`, and
//! DSSE v1.0. `docs/oms-format.md` §5, §6, §11 and §14 describe the behaviour of the
//! Python reference `model_signing` 1.1.1 that this crate matches or deliberately
//! tightens.

mod envelope;
mod error;
mod manifest_view;
pub mod pae;
mod statement_build;
mod statement_parse;

pub use envelope::{Envelope, Signature};
pub use error::{Error, NameProblem};
pub use manifest_view::{
    parse_shard_name, root_digest, HashType, ManifestView, Method, ResourceView, Serialization,
    ShardName,
};
pub use pae::{legacy_pae_v0_2, pae};
pub use statement_build::statement_json;
pub use statement_parse::{parse_statement, ParsedStatement, PredicateFormat};

/// DSSE `payloadType` of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// in-toto Statement `_type`.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// OMS predicate v1.0.
pub const PREDICATE_TYPE_V1: &str = "https://model_signing/signature/v1.0";
/// model_signing v0.2.0's predicate (read only).
pub const PREDICATE_TYPE_LEGACY_V0_1: &str = "https://model_signing/Digests/v0.1";

/// Largest statement payload we parse or write.
///
/// model_signing sets no limit. [`MAX_RESOURCES`] resources at about 240 bytes each
/// (pretty-printed, 128-hex-digit blake2b digests, long names) need 24 MB; the bundle that
/// carries the payload in base64 (×4/3) stays under the bundle crate's 32 MiB limit.
pub const MAX_PAYLOAD_LEN: usize = 24 * 1024 * 1024;

/// Most resources (or legacy subjects) in one statement.
///
/// Large public model repositories hold thousands of files; with the shards method a
/// 1 TB model in 10 MB shards is 100 000 resources. More than that is treated as abuse
/// (each resource costs memory and a hash at verification).
pub const MAX_RESOURCES: usize = 100_000;
