//! Hash algorithms and serialization methods, with the names model_signing records.
//!
//! | API value | recorded `hash_type` / resource `algorithm` | digest |
//! |---|---|---|
//! | [`HashKind::Sha256`] | `sha256` | SHA-256, 32 bytes (aws-lc-rs) |
//! | [`HashKind::Blake3`] | `blake3` | BLAKE3, 32 bytes |
//! | [`HashKind::Blake2b`] | `blake2b` (the Python API calls it `blake2`) | BLAKE2b-512, 64 bytes |

use std::fmt;
use std::str::FromStr;

use blake2::Digest as _;

use crate::Error;

/// Per-resource hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum HashKind {
    /// SHA-256 (model_signing's default and the only one its CLI uses).
    #[default]
    Sha256,
    /// BLAKE3 (32-byte output).
    Blake3,
    /// BLAKE2b with 64-byte output.
    Blake2b,
}

impl HashKind {
    /// The name written to `hash_type` and to each files-mode resource `algorithm`.
    pub const fn name(self) -> &'static str {
        match self {
            HashKind::Sha256 => "sha256",
            HashKind::Blake3 => "blake3",
            HashKind::Blake2b => "blake2b",
        }
    }

    /// Digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashKind::Sha256 | HashKind::Blake3 => 32,
            HashKind::Blake2b => 64,
        }
    }

    /// One-shot digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut hasher = Hasher::new(self);
        hasher.update(data);
        hasher.finish()
    }
}

impl fmt::Display for HashKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashKind {
    type Err = Error;

    /// Accepts the recorded names only (`sha256`, `blake3`, `blake2b`): these are what
    /// bundles contain. (model_signing 1.1.1 crashes on its own `blake2b` because its API
    /// name is `blake2`; we do not repeat that.)
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sha256" => Ok(HashKind::Sha256),
            "blake3" => Ok(HashKind::Blake3),
            "blake2b" => Ok(HashKind::Blake2b),
            _ => Err(Error::UnknownHash {
                name: s.chars().take(64).collect(),
            }),
        }
    }
}

/// How a model is cut into resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// One resource per regular file (model_signing's default).
    #[default]
    Files,
    /// One resource per `shard_size`-byte range of each file.
    Shards {
        /// Shard length in bytes (the last shard of a file may be shorter). Never 0.
        shard_size: u64,
    },
}

impl Method {
    /// model_signing's default shard size: 10^9 bytes (not 2^30).
    pub const DEFAULT_SHARD_SIZE: u64 = 1_000_000_000;

    /// Shards with the given size; 0 is refused (it cannot cover a file).
    pub fn shards(shard_size: u64) -> Result<Method, Error> {
        if shard_size == 0 {
            return Err(Error::ZeroShardSize);
        }
        Ok(Method::Shards { shard_size })
    }

    /// The recorded `serialization.method` value.
    pub const fn name(&self) -> &'static str {
        match self {
            Method::Files => "files",
            Method::Shards { .. } => "shards",
        }
    }

    /// The per-resource `algorithm` string model_signing writes: the hash name in files
    /// mode, `"<hash>-sharded-<N>"` in shards mode.
    pub fn resource_algorithm(&self, hash: HashKind) -> String {
        match self {
            Method::Files => hash.name().to_owned(),
            Method::Shards { shard_size } => format!("{}-sharded-{shard_size}", hash.name()),
        }
    }
}

/// Streaming hasher over the three supported algorithms.
pub(crate) enum Hasher {
    Sha256(aws_lc_rs::digest::Context),
    // Boxed: the BLAKE states are large (about 2 KiB for BLAKE3) and the enum moves around.
    Blake3(Box<blake3::Hasher>),
    Blake2b(Box<blake2::Blake2b512>),
}

/// Below this, BLAKE3's rayon split costs more than it gains (blake3 docs suggest
/// 128 KiB as the break-even point).
const BLAKE3_RAYON_MIN: usize = 128 * 1024;

impl Hasher {
    pub(crate) fn new(kind: HashKind) -> Hasher {
        match kind {
            HashKind::Sha256 => {
                Hasher::Sha256(aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256))
            }
            HashKind::Blake3 => Hasher::Blake3(Box::new(blake3::Hasher::new())),
            HashKind::Blake2b => Hasher::Blake2b(Box::new(blake2::Blake2b512::new())),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(ctx) => ctx.update(data),
            Hasher::Blake3(h) => {
                h.update(data);
            }
            Hasher::Blake2b(h) => h.update(data),
        }
    }

    /// Like `update`, but lets BLAKE3 spread a large buffer over the rayon pool. BLAKE3 is
    /// a tree hash, so the result is identical to `update`.
    pub(crate) fn update_parallel(&mut self, data: &[u8]) {
        match self {
            Hasher::Blake3(h) if data.len() >= BLAKE3_RAYON_MIN => {
                h.update_rayon(data);
            }
            _ => self.update(data),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(ctx) => ctx.finish().as_ref().to_vec(),
            Hasher::Blake3(h) => h.finalize().as_bytes().to_vec(),
            Hasher::Blake2b(h) => h.finalize().to_vec(),
        }
    }
}

/// SHA-256 of `data` (the root digest is always SHA-256, whatever the resource hash).
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_empty_digests() {
        // Empty-input digests from the model_signing 1.1.1 goldens (empty.bin).
        assert_eq!(
            hex::encode(HashKind::Sha256.digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex::encode(HashKind::Blake2b.digest(b"")),
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"
        );
        assert_eq!(
            hex::encode(HashKind::Blake3.digest(b"")),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn names_round_trip_and_unknown_is_refused() {
        for kind in [HashKind::Sha256, HashKind::Blake3, HashKind::Blake2b] {
            assert_eq!(kind.name().parse::<HashKind>().unwrap(), kind);
            assert_eq!(kind.digest(b"x").len(), kind.output_len());
        }
        assert!(matches!(
            "blake2".parse::<HashKind>(),
            Err(Error::UnknownHash { name }) if name == "blake2"
        ));
    }

    #[test]
    fn resource_algorithm_strings() {
        assert_eq!(
            Method::Files.resource_algorithm(HashKind::Blake2b),
            "blake2b"
        );
        assert_eq!(
            Method::shards(300)
                .unwrap()
                .resource_algorithm(HashKind::Sha256),
            "sha256-sharded-300"
        );
        assert!(matches!(Method::shards(0), Err(Error::ZeroShardSize)));
    }

    #[test]
    fn blake3_parallel_update_is_identical() {
        let data: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i % 251).to_le_bytes()[0])
            .collect();
        let mut a = Hasher::new(HashKind::Blake3);
        a.update_parallel(&data);
        assert_eq!(a.finish(), HashKind::Blake3.digest(&data));
    }
}
