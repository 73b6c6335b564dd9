//! Writing the statement we sign.
//!
//! Layout (our canonical serialisation, deterministic for a given input):
//! `serde_json` pretty printing — 2-space indent, `": "` after keys, `,` at line ends, no
//! trailing newline, non-ASCII written as UTF-8 — with the key order
//!
//! ```text
//! { "_type", "subject": [ { "name", "digest": { "sha256" } } ], "predicateType",
//!   "predicate": { "serialization": { "method", "hash_type", ["shard_size"], "allow_symlinks",
//!                                     ["ignore_paths"] },
//!                  "resources": [ { "name", "algorithm", "digest" } ] } }
//! ```
//!
//! This is model_signing's top-level order and indentation; its `predicate` key order is
//! random per run, so byte equality with Python output is neither possible nor needed
//! (1.1.1 parses the JSON; `ref-compact-sortedkeys-key-p256.sig` shows any layout verifies).
//! `shard_size` is an integer (OMS schema; 1.1.1 verifies it, `ref-shards-int-shard-size`).

use serde::Serialize;

use crate::error::Error;
use crate::manifest_view::{check_resource_name, root_digest, ManifestView, Method};
use crate::{MAX_RESOURCES, PREDICATE_TYPE_V1, STATEMENT_TYPE};

#[derive(Serialize)]
struct StatementOut<'a> {
    #[serde(rename = "_type")]
    type_: &'static str,
    subject: [SubjectOut<'a>; 1],
    #[serde(rename = "predicateType")]
    predicate_type: &'static str,
    predicate: PredicateOut<'a>,
}

#[derive(Serialize)]
struct SubjectOut<'a> {
    name: &'a str,
    digest: DigestSetOut,
}

#[derive(Serialize)]
struct DigestSetOut {
    sha256: String,
}

#[derive(Serialize)]
struct PredicateOut<'a> {
    serialization: SerializationOut<'a>,
    resources: Vec<ResourceOut<'a>>,
}

#[derive(Serialize)]
struct SerializationOut<'a> {
    method: &'static str,
    hash_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard_size: Option<u64>,
    allow_symlinks: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    ignore_paths: &'a [String],
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    name: &'a str,
    algorithm: &'a str,
    digest: String,
}

/// The statement payload for `manifest`: the bytes that go into the DSSE envelope and PAE.
///
/// Refuses input that [`crate::parse_statement`] would reject (empty model, bad names,
/// duplicate names, wrong digest lengths, algorithms that disagree with the
/// serialization, empty ignore path entries), so everything we sign also verifies.
pub fn statement_json(manifest: &ManifestView) -> Result<Vec<u8>, Error> {
    check_manifest(manifest)?;
    let serialization = &manifest.serialization;
    let (method, shard_size) = match serialization.method {
        Method::Files => ("files", None),
        Method::Shards { shard_size } => ("shards", Some(shard_size)),
    };
    let root = root_digest(manifest.resources.iter().map(|r| r.digest.as_slice()));
    let out = StatementOut {
        type_: STATEMENT_TYPE,
        subject: [SubjectOut {
            name: &manifest.model_name,
            digest: DigestSetOut {
                sha256: hex::encode(root),
            },
        }],
        predicate_type: PREDICATE_TYPE_V1,
        predicate: PredicateOut {
            serialization: SerializationOut {
                method,
                hash_type: serialization.hash_type.name(),
                shard_size,
                allow_symlinks: serialization.allow_symlinks,
                ignore_paths: &serialization.ignore_paths,
            },
            resources: manifest
                .resources
                .iter()
                .map(|r| ResourceOut {
                    name: &r.name,
                    algorithm: &r.algorithm,
                    digest: hex::encode(&r.digest),
                })
                .collect(),
        },
    };
    // Serialising plain structs of strings, bools and integers cannot fail; map the
    // error anyway rather than unwrap.
    serde_json::to_vec_pretty(&out).map_err(|e| Error::json(&e))
}

fn check_manifest(manifest: &ManifestView) -> Result<(), Error> {
    if manifest.model_name.is_empty() {
        return Err(Error::EmptyString {
            field: "subject[0].name".into(),
        });
    }
    let serialization = &manifest.serialization;
    if let Method::Shards { shard_size: 0 } = serialization.method {
        return Err(Error::ShardSize { got: "0".into() });
    }
    if serialization.ignore_paths.iter().any(String::is_empty) {
        return Err(Error::EmptyString {
            field: "predicate.serialization.ignore_paths[]".into(),
        });
    }
    if manifest.resources.is_empty() {
        return Err(Error::EmptyManifest);
    }
    if manifest.resources.len() > MAX_RESOURCES {
        return Err(Error::TooManyResources { max: MAX_RESOURCES });
    }
    let mut seen = std::collections::HashSet::with_capacity(manifest.resources.len());
    let expected_len = serialization.hash_type.digest_len();
    for (index, r) in manifest.resources.iter().enumerate() {
        check_resource_name(&r.name, serialization.method).map_err(|problem| {
            Error::ResourceName {
                index,
                name: r.name.clone(),
                problem,
            }
        })?;
        if !serialization.accepts_resource_algorithm(&r.algorithm) {
            return Err(Error::ResourceAlgorithm {
                name: r.name.clone(),
                got: r.algorithm.clone(),
                expected: serialization.resource_algorithm(),
            });
        }
        if r.digest.len() != expected_len {
            return Err(Error::DigestLength {
                field: format!("predicate.resources[{index}].digest"),
                algorithm: serialization.hash_type.name(),
                expected: expected_len,
                got: r.digest.len(),
            });
        }
        if !seen.insert(r.name.as_str()) {
            return Err(Error::DuplicateResource {
                name: r.name.clone(),
            });
        }
    }
    Ok(())
}
