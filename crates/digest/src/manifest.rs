//! The manifest (one digest per file or shard) and the two ways to compute it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::ignore::{parse_recorded, IgnoreSet};
use crate::names::{parse_resource_name, shard_name};
use crate::read::{hash_file, hash_range, shard_ranges};
use crate::walk::{lookup, walk, FileEntry};
use crate::{Error, HashKind, Method, Progress};

/// Most resources one manifest may have. At verification the shard size comes from the
/// (untrusted) bundle, and `shard_size: 1` on a large model would otherwise make the
/// verifier allocate one task per byte. 10^7 resources would serialize to about 1 GB of
/// statement JSON, far above any bundle size limit, so no real signature needs more.
pub const MAX_RESOURCES: u64 = 10_000_000;

/// How to hash a model.
#[derive(Clone)]
pub struct HashOptions {
    /// Files (default) or shards.
    pub method: Method,
    /// Per-resource hash (default SHA-256).
    pub hash: HashKind,
    /// Follow symlinks to regular files (default false: a symlink is an error).
    pub allow_symlinks: bool,
    /// Paths to leave out: relative to the model root, or absolute below the model (see
    /// [`crate::resolve_ignore_paths`] for user input). The caller adds the signature file.
    pub ignore_paths: Vec<PathBuf>,
    /// Also ignore `.git`, `.gitattributes`, `.github`, `.gitignore` at the top level
    /// (default true).
    pub ignore_git_paths: bool,
    /// Optional progress sink.
    pub progress: Option<Arc<dyn Progress>>,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions {
            method: Method::Files,
            hash: HashKind::Sha256,
            allow_symlinks: false,
            ignore_paths: Vec::new(),
            ignore_git_paths: true,
            progress: None,
        }
    }
}

impl fmt::Debug for HashOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashOptions")
            .field("method", &self.method)
            .field("hash", &self.hash)
            .field("allow_symlinks", &self.allow_symlinks)
            .field("ignore_paths", &self.ignore_paths)
            .field("ignore_git_paths", &self.ignore_git_paths)
            .field(
                "progress",
                &self.progress.as_ref().map(|_| "<dyn Progress>"),
            )
            .finish()
    }
}

impl HashOptions {
    /// Options that re-hash a model the way `expected` (parsed from a bundle) was hashed:
    /// its method, hash, symlink policy and recorded ignore paths. `ignore_git_paths` stays
    /// at its default (true): as in model_signing, the verifier's setting applies, not the
    /// bundle's. The caller adds its own ignore paths (signature file, `--ignore-paths`).
    pub fn matching(expected: &Manifest) -> Result<HashOptions, Error> {
        if let Method::Shards { shard_size: 0 } = expected.method {
            return Err(Error::ZeroShardSize);
        }
        Ok(HashOptions {
            method: expected.method,
            hash: expected.hash,
            allow_symlinks: expected.allow_symlinks,
            ignore_paths: parse_recorded(&expected.ignore_paths)?,
            ..HashOptions::default()
        })
    }
}

/// One entry of `predicate.resources`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    /// `"a/b.txt"`, `"."` (single file), or `"w.bin:0:300"` (shard).
    pub name: String,
    /// `"sha256"`, `"blake2b"`, `"blake3"`, or `"<hash>-sharded-<N>"`.
    pub algorithm: String,
    /// Raw digest bytes (hex in JSON).
    pub digest: Vec<u8>,
}

impl Resource {
    /// Lowercase hex digest, as written in the statement.
    pub fn digest_hex(&self) -> String {
        hex::encode(&self.digest)
    }
}

/// A model's manifest: what gets signed (via the in-toto statement) and compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// Subject name: last component of the model path (see the crate docs).
    pub model_name: String,
    /// How resources were cut.
    pub method: Method,
    /// Per-resource hash.
    pub hash: HashKind,
    /// Whether symlinks were followed.
    pub allow_symlinks: bool,
    /// Recorded ignore paths, relative to the model root, sorted.
    pub ignore_paths: Vec<String>,
    /// Resources in canonical order (for manifests built from a bundle: payload order).
    pub resources: Vec<Resource>,
}

impl Manifest {
    /// The subject digest: SHA-256 over the concatenated raw resource digests, in the
    /// order of `resources` (always SHA-256, whatever the resource hash).
    pub fn root_digest(&self) -> [u8; 32] {
        let total = self.resources.iter().map(|r| r.digest.len()).sum();
        let mut all = Vec::with_capacity(total);
        for resource in &self.resources {
            all.extend_from_slice(&resource.digest);
        }
        crate::algorithm::sha256(&all)
    }

    /// No resources at all. The OMS spec forbids signing such a manifest (1.1.1 allows it);
    /// refusing is the signer's decision.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The distinct files named by the resources (shard names reduced to their file part),
    /// in first-appearance order. Names are untrusted: each is checked.
    pub fn file_names(&self) -> Result<Vec<String>, Error> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for resource in &self.resources {
            let file = parse_resource_name(&resource.name, self.method)?.file();
            if seen.insert(file) {
                out.push(file.to_owned());
            }
        }
        Ok(out)
    }
}

/// Walks and hashes the model at `model` (a directory or a single regular file).
pub fn hash_model(model: &Path, opts: &HashOptions) -> Result<Manifest, Error> {
    let ignores = IgnoreSet::new(model, opts)?;
    let files = walk(model, &ignores, opts.allow_symlinks)?;
    tracing::debug!(
        model = %model.display(),
        files = files.len(),
        bytes = files.iter().map(|f| f.len).sum::<u64>(),
        "walked model"
    );
    build(model, files, &ignores, opts)
}

/// Hashes only the named files (verification with `--ignore-unsigned-files`): pass
/// [`Manifest::file_names`] of the expected manifest. Names are untrusted and checked;
/// ignore rules and the symlink policy still apply; a missing file is simply absent from
/// the result, so [`crate::compare`] reports it.
pub fn hash_files(model: &Path, names: &[String], opts: &HashOptions) -> Result<Manifest, Error> {
    let mut checked = Vec::with_capacity(names.len());
    for name in names {
        parse_resource_name(name, Method::Files)?;
        checked.push(name.as_str());
    }
    checked.sort_unstable();
    checked.dedup();
    let ignores = IgnoreSet::new(model, opts)?;
    let mut files = lookup(model, &checked, &ignores, opts.allow_symlinks)?;
    // "." and the basename of a single-file model name the same file.
    files.dedup_by(|a, b| a.name == b.name);
    build(model, files, &ignores, opts)
}

/// One unit of hashing work.
struct Task<'a> {
    file: &'a FileEntry,
    /// `None` = the whole file (files mode).
    range: Option<(u64, u64)>,
}

fn build(
    model: &Path,
    mut files: Vec<FileEntry>,
    ignores: &IgnoreSet,
    opts: &HashOptions,
) -> Result<Manifest, Error> {
    if let Method::Shards { shard_size: 0 } = opts.method {
        return Err(Error::ZeroShardSize);
    }
    let count = match opts.method {
        Method::Files => files.len() as u64,
        Method::Shards { shard_size } => files.iter().map(|f| f.len.div_ceil(shard_size)).sum(),
    };
    if count > MAX_RESOURCES {
        return Err(Error::TooManyResources {
            count,
            limit: MAX_RESOURCES,
        });
    }
    // Canonical order: component-wise path comparison (std's `Path` Ord), which is
    // model_signing's order (`a/b.txt` < `a-b` < `a.txt`); shards then by offset.
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let tasks: Vec<Task<'_>> = match opts.method {
        Method::Files => files
            .iter()
            .map(|file| Task { file, range: None })
            .collect(),
        Method::Shards { shard_size } => files
            .iter()
            .flat_map(|file| {
                shard_ranges(file.len, shard_size).map(move |r| Task {
                    file,
                    range: Some(r),
                })
            })
            .collect(),
    };
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        p.start(files.iter().map(|f| f.len).sum());
    }
    // Read-ahead threads pay off only while there are idle cores: with fewer files than
    // rayon threads (typically one huge file) the copy is overlapped with hashing.
    let read_ahead = files.len() < rayon::current_num_threads();
    let algorithm = opts.method.resource_algorithm(opts.hash);
    let hashed: Result<Vec<Resource>, Error> = tasks
        .par_iter()
        .map(|task| {
            let (name, digest) = match task.range {
                None => (
                    task.file.name.clone(),
                    hash_file(
                        &task.file.path,
                        task.file.len,
                        opts.hash,
                        read_ahead,
                        progress,
                    )?,
                ),
                Some((start, end)) => (
                    shard_name(&task.file.name, start, end),
                    hash_range(&task.file.path, start, end, opts.hash, progress)?,
                ),
            };
            Ok(Resource {
                name,
                algorithm: algorithm.clone(),
                digest,
            })
        })
        .collect();
    if let Some(p) = progress {
        p.finish();
    }
    Ok(Manifest {
        model_name: model_name(model)?,
        method: opts.method,
        hash: opts.hash,
        allow_symlinks: opts.allow_symlinks,
        ignore_paths: ignores.recorded(model)?,
        resources: hashed?,
    })
}

/// Last component of the path; for `.`, `..` or `/`-ending forms without one, the last
/// component of the resolved path (so signing `.` names the directory).
fn model_name(model: &Path) -> Result<String, Error> {
    let resolved;
    let name = match model.file_name() {
        Some(name) => name,
        None => {
            resolved = model.canonicalize().map_err(|source| Error::Read {
                path: model.to_path_buf(),
                source,
            })?;
            resolved.file_name().unwrap_or(resolved.as_os_str())
        }
    };
    name.to_str()
        .map(str::to_owned)
        .ok_or_else(|| Error::NonUtf8Name {
            path: model.to_path_buf(),
        })
}
