//! The manifest on both sides of the signature: mapping the hashing crate's [`Manifest`] to
//! the statement's [`ManifestView`] (signing) and back (verification), and re-hashing the
//! model for comparison.
//!
//! Verification rules (oms-format §2, §5, §14):
//! - the model is re-hashed with the method, hash and shard size the statement records;
//! - ignored: the verifier's paths (its `--ignore-paths`, the signature file, the git
//!   defaults unless `--no-ignore-git-paths`) **plus** the paths the statement records;
//! - symlinks: see [`effective_allow_symlinks`];
//! - every signed file (or shard) must be present with the signed digest; a file the
//!   statement does not list fails unless `ignore_unsigned_files`, in which case only the
//!   listed files are hashed;
//! - a single-file resource may be named `"."` (model_signing) or by the file's base name
//!   (OMS v1.0); [`modelsign_digest::compare`] accepts both.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use modelsign_digest::{HashKind, HashOptions, Manifest, Method, Progress, Resource};
use modelsign_dsse::{
    HashType, ManifestView, Method as ViewMethod, ParsedStatement, PredicateFormat, ResourceView,
    Serialization,
};

use crate::{Error, Warning};

/// The statement's view of a freshly hashed manifest (for signing).
pub(crate) fn to_view(manifest: &Manifest) -> ManifestView {
    ManifestView {
        model_name: manifest.model_name.clone(),
        serialization: Serialization {
            method: match manifest.method {
                Method::Files => ViewMethod::Files,
                Method::Shards { shard_size } => ViewMethod::Shards { shard_size },
            },
            hash_type: match manifest.hash {
                HashKind::Sha256 => HashType::Sha256,
                HashKind::Blake3 => HashType::Blake3,
                HashKind::Blake2b => HashType::Blake2b,
            },
            allow_symlinks: manifest.allow_symlinks,
            ignore_paths: manifest.ignore_paths.clone(),
        },
        resources: manifest
            .resources
            .iter()
            .map(|r| ResourceView {
                name: r.name.clone(),
                algorithm: r.algorithm.clone(),
                digest: r.digest.clone(),
            })
            .collect(),
    }
}

/// The signed manifest, from a parsed (and signature-checked) statement. Legacy v0.1
/// statements have no model name; the model path's last component stands in (it is only
/// used in messages).
pub(crate) fn expected_manifest(
    statement: &ParsedStatement,
    model: &Path,
) -> Result<Manifest, Error> {
    let serialization = &statement.serialization;
    let model_name = statement.model_name.clone().unwrap_or_else(|| {
        model
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    Ok(Manifest {
        model_name,
        method: match serialization.method {
            ViewMethod::Files => Method::Files,
            ViewMethod::Shards { shard_size } => Method::Shards { shard_size },
        },
        hash: match serialization.hash_type {
            HashType::Sha256 => HashKind::Sha256,
            HashType::Blake3 => HashKind::Blake3,
            HashType::Blake2b => HashKind::Blake2b,
            other => {
                return Err(Error::UnsupportedHash {
                    name: other.name().to_owned(),
                })
            }
        },
        allow_symlinks: serialization.allow_symlinks,
        ignore_paths: serialization.ignore_paths.clone(),
        resources: statement
            .resources
            .iter()
            .map(|r| Resource {
                name: r.name.clone(),
                algorithm: r.algorithm.clone(),
                digest: r.digest.clone(),
            })
            .collect(),
    })
}

/// The symlink policy at verification.
///
/// The signer's recorded `allow_symlinks` applies (OMS v1.0; 1.1.1 uses only the
/// verifier's flag): a bundle signed with symlinks allowed verifies without
/// `--allow-symlinks`, and `--allow-symlinks` cannot relax a recorded `false` (a warning
/// says so). Legacy v0.1 statements record nothing, so the verifier's flag applies.
pub(crate) fn effective_allow_symlinks(
    format: PredicateFormat,
    recorded: bool,
    verifier_flag: bool,
) -> (bool, Option<Warning>) {
    match format {
        PredicateFormat::LegacyDigestsV0_1 => (verifier_flag, None),
        _ if verifier_flag && !recorded => (false, Some(Warning::SymlinkFlagOverridden)),
        _ => (recorded, None),
    }
}

/// What the verifier contributes to re-hashing.
#[derive(Clone)]
pub(crate) struct RehashSettings {
    pub(crate) ignore_paths: Vec<PathBuf>,
    pub(crate) ignore_git_paths: bool,
    pub(crate) allow_symlinks: bool,
    pub(crate) ignore_unsigned_files: bool,
    pub(crate) progress: Option<Arc<dyn Progress>>,
}

/// Re-hash `model` as `expected` was hashed and compare. Returns the model's manifest.
pub(crate) fn check_model(
    model: &Path,
    expected: &Manifest,
    settings: RehashSettings,
) -> Result<Manifest, Error> {
    let hash_error = |source| Error::Hash {
        model: model.to_path_buf(),
        source: Box::new(source),
    };
    let mut options = HashOptions::matching(expected).map_err(hash_error)?;
    options.ignore_paths.extend(settings.ignore_paths);
    options.ignore_git_paths = settings.ignore_git_paths;
    options.allow_symlinks = settings.allow_symlinks;
    options.progress = settings.progress;
    // A single-file model has no unsigned extras, and its resource may be named by base
    // name, which `hash_files` would look up as a path: hash it whole.
    let actual = if settings.ignore_unsigned_files && model.is_dir() {
        let names = expected.file_names().map_err(hash_error)?;
        modelsign_digest::hash_files(model, &names, &options).map_err(hash_error)?
    } else {
        modelsign_digest::hash_model(model, &options).map_err(hash_error)?
    };
    modelsign_digest::compare(expected, &actual).map_err(|e| Error::ModelMismatch(Box::new(e)))?;
    Ok(actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_symlink_policy_wins_over_the_flag() {
        let v1 = PredicateFormat::V1_0;
        assert_eq!(effective_allow_symlinks(v1, true, false), (true, None));
        assert_eq!(effective_allow_symlinks(v1, false, false), (false, None));
        assert_eq!(effective_allow_symlinks(v1, true, true), (true, None));
        assert_eq!(
            effective_allow_symlinks(v1, false, true),
            (false, Some(Warning::SymlinkFlagOverridden))
        );
        let legacy = PredicateFormat::LegacyDigestsV0_1;
        assert_eq!(effective_allow_symlinks(legacy, false, true), (true, None));
        assert_eq!(
            effective_allow_symlinks(legacy, false, false),
            (false, None)
        );
    }

    #[test]
    fn view_round_trip_keeps_every_field() {
        let manifest = Manifest {
            model_name: "m".to_owned(),
            method: Method::Shards { shard_size: 300 },
            hash: HashKind::Blake2b,
            allow_symlinks: true,
            ignore_paths: vec!["model.sig".to_owned()],
            resources: vec![Resource {
                name: "w.bin:0:300".to_owned(),
                algorithm: "blake2b-sharded-300".to_owned(),
                digest: vec![7; 64],
            }],
        };
        let view = to_view(&manifest);
        let statement = ParsedStatement {
            format: PredicateFormat::V1_0,
            model_name: Some(view.model_name.clone()),
            root_digest: Some(manifest.root_digest()),
            serialization: view.serialization.clone(),
            resources: view.resources.clone(),
        };
        assert_eq!(
            expected_manifest(&statement, Path::new("/x/m")).unwrap(),
            manifest
        );
    }
}
