//! The manifest as the statement sees it: plain values the orchestration crate maps to and
//! from its own manifest type (this crate deliberately does not depend on the hashing
//! crate).
//!
//! OMS predicate v1.0 (`schemas/v1.0/predicate.schema.json`, oms-format §5):
//!
//! ```text
//! predicate.serialization = { method: "files" | "shards", hash_type: "sha256" | "blake2b" | "blake3",
//!                             shard_size: integer > 0 (shards only), allow_symlinks: bool,
//!                             ignore_paths: [string] (optional) }
//! predicate.resources     = [ { name, algorithm, digest: lowercase hex } ]
//! ```

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, NameProblem};

/// Hash used for resource digests (`serialization.hash_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashType {
    /// SHA-256, 32 bytes.
    Sha256,
    /// BLAKE2b-512, 64 bytes (model_signing's API name is `blake2`, the recorded name
    /// `blake2b`).
    Blake2b,
    /// BLAKE3, 32 bytes.
    Blake3,
}

impl HashType {
    /// The name written in the statement.
    pub fn name(&self) -> &'static str {
        match self {
            HashType::Sha256 => "sha256",
            HashType::Blake2b => "blake2b",
            HashType::Blake3 => "blake3",
        }
    }

    /// Digest length in bytes.
    pub fn digest_len(&self) -> usize {
        match self {
            HashType::Sha256 | HashType::Blake3 => 32,
            HashType::Blake2b => 64,
        }
    }
}

impl fmt::Display for HashType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "sha256" => Ok(HashType::Sha256),
            "blake2b" => Ok(HashType::Blake2b),
            "blake3" => Ok(HashType::Blake3),
            _ => Err(Error::HashType {
                field: "predicate.serialization.hash_type".into(),
                got: s.into(),
            }),
        }
    }
}

/// `serialization.method` with its parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// One resource per file, named by its relative POSIX path (`"."` for a single file).
    Files,
    /// One resource per byte range `[start, end)` of each file, named `path:start:end`.
    Shards { shard_size: u64 },
}

/// `predicate.serialization`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Serialization {
    pub method: Method,
    pub hash_type: HashType,
    pub allow_symlinks: bool,
    /// Recorded ignore paths, relative to the model root. Written as given (the caller
    /// decides the order); the key is omitted when the list is empty, as model_signing does.
    pub ignore_paths: Vec<String>,
}

impl Serialization {
    /// The resource `algorithm` this crate writes: `<hash>` for files,
    /// `<hash>-sharded-<shard_size>` for shards (what model_signing 1.1.1 needs, §3.2).
    pub fn resource_algorithm(&self) -> String {
        match self.method {
            Method::Files => self.hash_type.name().to_owned(),
            Method::Shards { shard_size } => {
                format!("{}-sharded-{shard_size}", self.hash_type.name())
            }
        }
    }

    /// Whether `algorithm` is acceptable on a resource: the written form, or (shards only)
    /// the plain hash name the OMS v1.0 schema uses.
    pub fn accepts_resource_algorithm(&self, algorithm: &str) -> bool {
        algorithm == self.resource_algorithm()
            || (matches!(self.method, Method::Shards { .. }) && algorithm == self.hash_type.name())
    }
}

/// One manifest entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceView {
    /// `a/b.txt`, `"."` (single-file model) or `w.bin:0:300` (shards).
    pub name: String,
    /// `sha256`, `blake3`, `sha256-sharded-300`, …
    pub algorithm: String,
    /// Raw digest bytes (written as lowercase hex).
    pub digest: Vec<u8>,
}

/// Everything a v1.0 statement says about a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestView {
    /// Subject name: the model directory's (or single file's) name.
    pub model_name: String,
    pub serialization: Serialization,
    /// In the order to write; the root digest is computed over this order.
    pub resources: Vec<ResourceView>,
}

/// A shard resource name split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardName<'a> {
    pub path: &'a str,
    pub start: u64,
    pub end: u64,
}

/// Splits `path:start:end` from the right (so a `:` inside the path is kept, unlike
/// model_signing's `split(":")`; oms-format §14). Offsets are plain ASCII decimal.
pub fn parse_shard_name(name: &str) -> Option<ShardName<'_>> {
    let mut parts = name.rsplitn(3, ':');
    let end = parse_decimal(parts.next()?)?;
    let start = parse_decimal(parts.next()?)?;
    let path = parts.next()?;
    Some(ShardName { path, start, end })
}

fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Checks that `path` names something inside the model: relative, no empty, `.` or `..`
/// components, no NUL. The single-file name `"."` is allowed when `allow_dot` is set.
///
/// Why strict: verification with `--ignore-unsigned-files` hashes exactly the files the
/// manifest names, so a name like `../../etc/passwd` must never reach the file system.
pub(crate) fn check_path(path: &str, allow_dot: bool) -> Result<(), NameProblem> {
    if path.is_empty() {
        return Err(NameProblem::Empty);
    }
    if allow_dot && path == "." {
        return Ok(());
    }
    if path.contains('\0') {
        return Err(NameProblem::Nul);
    }
    if path.starts_with('/') {
        return Err(NameProblem::Absolute);
    }
    for component in path.split('/') {
        match component {
            "" => return Err(NameProblem::EmptyComponent),
            "." | ".." => return Err(NameProblem::DotComponent),
            _ => {}
        }
    }
    Ok(())
}

/// Checks a resource name for the given method.
pub(crate) fn check_resource_name(name: &str, method: Method) -> Result<(), NameProblem> {
    match method {
        Method::Files => check_path(name, true),
        Method::Shards { .. } => {
            if name.is_empty() {
                return Err(NameProblem::Empty);
            }
            let shard = parse_shard_name(name).ok_or(NameProblem::ShardSyntax)?;
            check_path(shard.path, true)?;
            if shard.start >= shard.end {
                return Err(NameProblem::ShardRange);
            }
            Ok(())
        }
    }
}

/// The subject digest: SHA-256 over the concatenated raw resource digests, in order
/// (oms-format §5; always SHA-256 whatever the resource algorithm).
pub fn root_digest<'a>(digests: impl IntoIterator<Item = &'a [u8]>) -> [u8; 32] {
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for d in digests {
        ctx.update(d);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names_split_from_the_right() {
        assert_eq!(
            parse_shard_name("a:b.bin:0:300"),
            Some(ShardName {
                path: "a:b.bin",
                start: 0,
                end: 300
            })
        );
        assert_eq!(parse_shard_name("w.bin:+1:3"), None);
        assert_eq!(parse_shard_name("w.bin:1"), None);
        assert_eq!(parse_shard_name("w.bin:1:99999999999999999999999"), None);
    }

    #[test]
    fn path_rules() {
        assert_eq!(check_path(".", true), Ok(()));
        assert_eq!(check_path(".", false), Err(NameProblem::DotComponent));
        assert_eq!(check_path("a/b.txt", false), Ok(()));
        assert_eq!(check_path(".hidden/f", false), Ok(()));
        assert_eq!(check_path("/etc/passwd", false), Err(NameProblem::Absolute));
        assert_eq!(check_path("a/../b", false), Err(NameProblem::DotComponent));
        assert_eq!(check_path("./a", false), Err(NameProblem::DotComponent));
        assert_eq!(check_path("a//b", false), Err(NameProblem::EmptyComponent));
        assert_eq!(check_path("a/", false), Err(NameProblem::EmptyComponent));
        assert_eq!(check_path("a\0b", false), Err(NameProblem::Nul));
        assert_eq!(check_path("", true), Err(NameProblem::Empty));
    }

    #[test]
    fn shard_resource_rules() {
        let m = Method::Shards { shard_size: 300 };
        assert_eq!(check_resource_name("w.bin:0:300", m), Ok(()));
        assert_eq!(check_resource_name(".:0:8", m), Ok(()));
        assert_eq!(
            check_resource_name("w.bin:300:300", m),
            Err(NameProblem::ShardRange)
        );
        assert_eq!(
            check_resource_name("w.bin", m),
            Err(NameProblem::ShardSyntax)
        );
        assert_eq!(
            check_resource_name("../w.bin:0:1", m),
            Err(NameProblem::DotComponent)
        );
    }

    #[test]
    fn root_digest_of_nothing_is_sha256_of_empty_string() {
        assert_eq!(
            hex::encode(root_digest(std::iter::empty())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn algorithms_for_shards() {
        let s = Serialization {
            method: Method::Shards { shard_size: 300 },
            hash_type: HashType::Sha256,
            allow_symlinks: false,
            ignore_paths: vec![],
        };
        assert_eq!(s.resource_algorithm(), "sha256-sharded-300");
        assert!(s.accepts_resource_algorithm("sha256"));
        assert!(!s.accepts_resource_algorithm("sha256-sharded-301"));
        assert!(!s.accepts_resource_algorithm("blake3"));
    }
}
