//! Reading a statement from the exact payload bytes that were signed (never re-serialised).
//!
//! Checks, in model_signing 1.1.1's order (oms-format §5) with its messages where it has
//! one, then the OMS v1.0 schema rules it does not check:
//!
//! 1. `_type == "https://in-toto.io/Statement/v1"`;
//! 2. `predicateType` is `https://model_signing/signature/v1.0`, or the legacy
//!    `https://model_signing/Digests/v0.1` (§11: one subject per file, files + sha256);
//! 3. v1.0: exactly one subject, with a `sha256` digest;
//! 4. `predicate.serialization`: method `files` | `shards`, hash_type `sha256` | `blake2b` |
//!    `blake3`, `allow_symlinks` bool, `shard_size` (shards only) a positive integer — a
//!    float with an integral value is accepted because model_signing writes `300.0`;
//! 5. every resource: a name inside the model (`"."` or a relative path; `path:start:end`
//!    for shards), an algorithm agreeing with the serialization (`sha256`, or
//!    `sha256-sharded-N` for shards), a lowercase hex digest of the algorithm's length,
//!    no name twice;
//! 6. SHA-256 over the resource digests in payload order equals the subject digest.
//!
//! Strictness: unknown keys are refused where the OMS schema says
//! `additionalProperties: false` (statement, predicate, serialization) and ignored where
//! it allows them (subject and resource descriptors, which in-toto lets carry `uri`,
//! `annotations`, …). Duplicate keys are refused everywhere we read: JSON parsers differ
//! on which duplicate wins, and a signed document must not mean two things.

use std::collections::HashSet;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::manifest_view::{
    check_resource_name, root_digest, HashType, ManifestView, Method, ResourceView, Serialization,
};
use crate::{
    MAX_PAYLOAD_LEN, MAX_RESOURCES, PREDICATE_TYPE_LEGACY_V0_1, PREDICATE_TYPE_V1, STATEMENT_TYPE,
};

/// Which predicate the statement carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PredicateFormat {
    /// `https://model_signing/signature/v1.0`.
    V1_0,
    /// `https://model_signing/Digests/v0.1` (model_signing v0.2.0).
    LegacyDigestsV0_1,
}

/// A statement read and checked as described in the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedStatement {
    pub format: PredicateFormat,
    /// v1.0: the subject name (informative only: model_signing does not compare it).
    /// Legacy: `None` (v0.1 has no model name).
    pub model_name: Option<String>,
    /// v1.0: the subject digest, already checked equal to the root digest of `resources`.
    /// Legacy: `None`.
    pub root_digest: Option<[u8; 32]>,
    /// Legacy: files, sha256, `allow_symlinks` false, no ignore paths (what model_signing
    /// assumes).
    pub serialization: Serialization,
    /// In payload order.
    pub resources: Vec<ResourceView>,
}

impl ParsedStatement {
    /// The v1.0 content as a [`ManifestView`]; `None` for a legacy statement.
    pub fn manifest_view(&self) -> Option<ManifestView> {
        Some(ManifestView {
            model_name: self.model_name.clone()?,
            serialization: self.serialization.clone(),
            resources: self.resources.clone(),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement<'a> {
    #[serde(rename = "_type")]
    type_: Option<String>,
    #[serde(borrow)]
    subject: Option<&'a RawValue>,
    #[serde(rename = "predicateType")]
    predicate_type: Option<String>,
    #[serde(borrow)]
    predicate: Option<&'a RawValue>,
}

/// A subject or resource descriptor: unknown fields ignored (in-toto allows them).
#[derive(Deserialize)]
struct RawSubject<'a> {
    name: Option<String>,
    #[serde(borrow)]
    digest: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPredicate<'a> {
    #[serde(borrow)]
    serialization: Option<&'a RawValue>,
    #[serde(borrow)]
    resources: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSerialization {
    method: Option<String>,
    hash_type: Option<String>,
    shard_size: Option<serde_json::Number>,
    allow_symlinks: Option<bool>,
    ignore_paths: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawResource {
    name: Option<String>,
    algorithm: Option<String>,
    digest: Option<String>,
}

/// A JSON object read as key/value pairs in document order, duplicates kept so that we
/// can refuse them with a typed error.
struct OrderedPairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedPairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of algorithm name to hex digest")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedPairs, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    // A digest set names a handful of algorithms; refuse absurd ones early.
                    if out.len() >= MAX_DIGEST_SET_ENTRIES {
                        return Err(serde::de::Error::custom("too many digest algorithms"));
                    }
                    out.push(pair);
                }
                Ok(OrderedPairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Digest sets in practice hold one to three entries (sha256, maybe gitCommit, …).
const MAX_DIGEST_SET_ENTRIES: usize = 64;

fn from_raw<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Result<T, Error> {
    serde_json::from_str(raw.get()).map_err(|e| Error::json(&e))
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, Error> {
    value.ok_or(Error::MissingField { field })
}

/// Parses and checks a statement payload (see the module documentation).
pub fn parse_statement(payload: &[u8]) -> Result<ParsedStatement, Error> {
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(Error::PayloadTooLarge {
            len: payload.len(),
            max: MAX_PAYLOAD_LEN,
        });
    }
    let raw: RawStatement<'_> = serde_json::from_slice(payload).map_err(|e| Error::json(&e))?;
    let statement_type = required(raw.type_, "_type")?;
    if statement_type != STATEMENT_TYPE {
        return Err(Error::StatementType {
            got: statement_type,
        });
    }
    let predicate_type = required(raw.predicate_type, "predicateType")?;
    let subjects: Vec<&RawValue> = from_raw(required(raw.subject, "subject")?)?;
    match predicate_type.as_str() {
        PREDICATE_TYPE_V1 => parse_v1(&subjects, required(raw.predicate, "predicate")?),
        PREDICATE_TYPE_LEGACY_V0_1 => parse_legacy(&subjects),
        _ => Err(Error::PredicateType {
            got: predicate_type,
        }),
    }
}

fn parse_v1(subjects: &[&RawValue], predicate: &RawValue) -> Result<ParsedStatement, Error> {
    let [subject] = subjects else {
        return Err(Error::SubjectCount {
            got: subjects.len(),
        });
    };
    let (model_name, subject_sha256) = parse_subject(subject, "subject[0]")?;
    let expected_root = decode_hex(&subject_sha256, "subject[0].digest.sha256", "sha256", 32)?;

    let predicate: RawPredicate<'_> = from_raw(predicate)?;
    let serialization = parse_serialization(required(
        predicate.serialization,
        "predicate.serialization",
    )?)?;
    let raw_resources = required(predicate.resources, "predicate.resources")?;
    if raw_resources.len() > MAX_RESOURCES {
        return Err(Error::TooManyResources { max: MAX_RESOURCES });
    }
    let mut resources = Vec::with_capacity(raw_resources.len());
    let mut seen = HashSet::with_capacity(raw_resources.len());
    for (index, raw) in raw_resources.iter().enumerate() {
        let resource = parse_resource(raw, index, &serialization)?;
        if !seen.insert(resource.name.clone()) {
            return Err(Error::DuplicateResource {
                name: resource.name,
            });
        }
        resources.push(resource);
    }

    let actual_root = root_digest(resources.iter().map(|r| r.digest.as_slice()));
    if actual_root.as_slice() != expected_root.as_slice() {
        return Err(Error::ManifestInconsistent {
            expected: subject_sha256,
            actual: hex::encode(actual_root),
        });
    }
    Ok(ParsedStatement {
        format: PredicateFormat::V1_0,
        model_name: Some(model_name),
        root_digest: Some(actual_root),
        serialization,
        resources,
    })
}

/// model_signing v0.2.0 statements: each subject is a file (`name`, `digest.sha256`); the
/// predicate (`{"unused": …}`) carries nothing and is not read.
fn parse_legacy(subjects: &[&RawValue]) -> Result<ParsedStatement, Error> {
    if subjects.len() > MAX_RESOURCES {
        return Err(Error::TooManyResources { max: MAX_RESOURCES });
    }
    let serialization = Serialization {
        method: Method::Files,
        hash_type: HashType::Sha256,
        allow_symlinks: false,
        ignore_paths: Vec::new(),
    };
    let mut resources = Vec::with_capacity(subjects.len());
    let mut seen = HashSet::with_capacity(subjects.len());
    for (index, raw) in subjects.iter().enumerate() {
        let field = format!("subject[{index}]");
        let (name, sha256) = parse_subject(raw, &field)?;
        check_resource_name(&name, Method::Files).map_err(|problem| Error::ResourceName {
            index,
            name: name.clone(),
            problem,
        })?;
        let digest = decode_hex(&sha256, &format!("{field}.digest.sha256"), "sha256", 32)?;
        if !seen.insert(name.clone()) {
            return Err(Error::DuplicateResource { name });
        }
        resources.push(ResourceView {
            name,
            algorithm: HashType::Sha256.name().to_owned(),
            digest,
        });
    }
    Ok(ParsedStatement {
        format: PredicateFormat::LegacyDigestsV0_1,
        model_name: None,
        root_digest: None,
        serialization,
        resources,
    })
}

/// Returns the subject's name and its `sha256` hex string.
fn parse_subject(raw: &RawValue, field: &str) -> Result<(String, String), Error> {
    let subject: RawSubject<'_> = from_raw(raw)?;
    let name = subject.name.ok_or(Error::MissingField {
        field: "subject[].name",
    })?;
    if name.is_empty() {
        return Err(Error::EmptyString {
            field: format!("{field}.name"),
        });
    }
    let digest_set: OrderedPairs = from_raw(subject.digest.ok_or(Error::MissingField {
        field: "subject[].digest",
    })?)?;
    let mut seen = HashSet::new();
    let mut sha256 = None;
    for (algorithm, value) in digest_set.0 {
        // The schema's DigestSet: every value lowercase hex.
        if value.is_empty() || !is_lower_hex(&value) {
            return Err(Error::DigestHex {
                field: format!("{field}.digest.{algorithm}"),
                value,
            });
        }
        if !seen.insert(algorithm.clone()) {
            return Err(Error::DuplicateKey { key: algorithm });
        }
        if algorithm == "sha256" {
            sha256 = Some(value);
        }
    }
    let sha256 = sha256.ok_or_else(|| Error::SubjectSha256Missing { name: name.clone() })?;
    Ok((name, sha256))
}

fn parse_serialization(raw: &RawValue) -> Result<Serialization, Error> {
    let s: RawSerialization = from_raw(raw)?;
    let method = required(s.method, "predicate.serialization.method")?;
    let hash_type: HashType =
        required(s.hash_type, "predicate.serialization.hash_type")?.parse()?;
    let allow_symlinks = required(s.allow_symlinks, "predicate.serialization.allow_symlinks")?;
    let method = match method.as_str() {
        "files" => {
            if s.shard_size.is_some() {
                return Err(Error::ShardSizeWithFiles);
            }
            Method::Files
        }
        "shards" => Method::Shards {
            shard_size: shard_size(&required(
                s.shard_size,
                "predicate.serialization.shard_size",
            )?)?,
        },
        _ => return Err(Error::SerializationMethod { got: method }),
    };
    let ignore_paths = s.ignore_paths.unwrap_or_default();
    if ignore_paths.iter().any(String::is_empty) {
        return Err(Error::EmptyString {
            field: "predicate.serialization.ignore_paths[]".into(),
        });
    }
    Ok(Serialization {
        method,
        hash_type,
        allow_symlinks,
        ignore_paths,
    })
}

/// A positive integer, or a float with an integral value (model_signing writes `300.0`)
/// that is exactly representable (at most 2^53).
fn shard_size(n: &serde_json::Number) -> Result<u64, Error> {
    const MAX_EXACT_F64_INTEGER: f64 = 9_007_199_254_740_992.0; // 2^53
    let invalid = || Error::ShardSize { got: n.to_string() };
    if let Some(v) = n.as_u64() {
        return if v > 0 { Ok(v) } else { Err(invalid()) };
    }
    if n.is_i64() {
        return Err(invalid()); // negative
    }
    let f = n.as_f64().ok_or_else(invalid)?;
    if !((1.0..=MAX_EXACT_F64_INTEGER).contains(&f) && f.fract() == 0.0) {
        return Err(invalid());
    }
    // INVARIANT: f is an integer in [1, 2^53], so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(f as u64)
}

fn parse_resource(
    raw: &RawValue,
    index: usize,
    serialization: &Serialization,
) -> Result<ResourceView, Error> {
    let r: RawResource = from_raw(raw)?;
    let name = required(r.name, "predicate.resources[].name")?;
    let algorithm = required(r.algorithm, "predicate.resources[].algorithm")?;
    let digest_hex = required(r.digest, "predicate.resources[].digest")?;
    check_resource_name(&name, serialization.method).map_err(|problem| Error::ResourceName {
        index,
        name: name.clone(),
        problem,
    })?;
    if !serialization.accepts_resource_algorithm(&algorithm) {
        return Err(Error::ResourceAlgorithm {
            name,
            got: algorithm,
            expected: serialization.resource_algorithm(),
        });
    }
    let hash = serialization.hash_type;
    let digest = decode_hex(
        &digest_hex,
        &format!("predicate.resources[{index}].digest"),
        hash.name(),
        hash.digest_len(),
    )?;
    Ok(ResourceView {
        name,
        algorithm,
        digest,
    })
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn decode_hex(
    value: &str,
    field: &str,
    algorithm: &'static str,
    expected: usize,
) -> Result<Vec<u8>, Error> {
    if !value.len().is_multiple_of(2) || !is_lower_hex(value) {
        return Err(Error::DigestHex {
            field: field.to_owned(),
            value: value.to_owned(),
        });
    }
    let bytes = hex::decode(value).map_err(|_| Error::DigestHex {
        field: field.to_owned(),
        value: value.to_owned(),
    })?;
    if bytes.len() != expected {
        return Err(Error::DigestLength {
            field: field.to_owned(),
            algorithm,
            expected,
            got: bytes.len(),
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_size_accepts_integral_numbers_only() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(shard_size(&n("300")).unwrap(), 300);
        assert_eq!(shard_size(&n("300.0")).unwrap(), 300);
        assert_eq!(shard_size(&n("1e9")).unwrap(), 1_000_000_000);
        for bad in ["0", "0.0", "-5", "300.5", "1e300", "-1.0"] {
            assert!(
                matches!(shard_size(&n(bad)), Err(Error::ShardSize { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn hex_must_be_lowercase_and_right_length() {
        assert!(matches!(
            decode_hex("AB", "f", "sha256", 1),
            Err(Error::DigestHex { .. })
        ));
        assert!(matches!(
            decode_hex("abc", "f", "sha256", 1),
            Err(Error::DigestHex { .. })
        ));
        assert!(matches!(
            decode_hex("abcd", "f", "sha256", 1),
            Err(Error::DigestLength {
                expected: 1,
                got: 2,
                ..
            })
        ));
        assert_eq!(decode_hex("ab", "f", "sha256", 1).unwrap(), vec![0xab]);
    }
}
