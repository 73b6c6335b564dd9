//! Walk and hash a model into an OMS manifest, exactly as `model_signing` 1.1.1 does.
//!
//! This module documentation is the normative description of the manifest scheme
//! implemented here (cf. `../shared/docs/oms-format.md` §1–§5, which records 1.1.1's
//! behaviour; deliberate differences are marked **modelsign**).
//!
//! # What is hashed
//!
//! The model is a directory or a single regular file.
//!
//! - Every entry below the root is a candidate, **dot-files and dot-directories included**
//!   (`.hidden`, `.cache/x` are signed).
//! - Ignore rules are applied first ([`resolve_ignore_paths`], [`HashOptions`]): the
//!   top-level git paths `.git`, `.gitattributes`, `.github`, `.gitignore` unless
//!   `ignore_git_paths` is off, plus the caller's paths (always including the signature
//!   file). Matching is a prefix match on path components, so an ignored directory drops
//!   its subtree. **modelsign:** ignores come before the checks below, so a FIFO or symlink
//!   inside an ignored `.git/` no longer aborts signing (1.1.1 bug, fixed upstream in #550).
//! - A symlink while `allow_symlinks` is off is an error ([`Error::Symlink`]). With it on,
//!   a link to a regular file is hashed with the *target's content* under the *link's*
//!   name; a link to a directory is never descended and contributes nothing.
//! - FIFOs, sockets, devices and dangling links are errors ([`Error::NotFileOrDirectory`]).
//! - Only regular files become resources; directories (even empty ones) never appear.
//!
//! Deliberately *not* hashed: file metadata (mode bits, owners, timestamps, xattrs),
//! directory entries and empty directories, and symlink targets as paths. This is 1.1.1's
//! scheme, kept for interoperability: a verifier sees exactly the content of the named
//! files, and an attacker can add an empty directory or `chmod +x` a file without breaking
//! the signature. Extra *files* are detected (they appear as extra resources).
//!
//! # Resources
//!
//! | method | resource name | `algorithm` | content hashed |
//! |---|---|---|---|
//! | [`Method::Files`] (default) | POSIX path relative to the root, `/`-separated, no `./`, no trailing `/` | hash name, e.g. `sha256` | whole file |
//! | [`Method::Shards`] | `"<path>:<start>:<end>"`, decimal, end exclusive | `"<hash>-sharded-<N>"` | bytes `[start, end)` |
//!
//! - A single-file model's only file is named `"."` (1.1.1; the OMS spec's basename
//!   makes 1.1.1 fail). Shards of it are `".:0:300"`, ….
//! - Shards are `[0,N), [N,2N), …, [kN,len)`; an empty file has no shard and so no
//!   resource in shards mode (it does have one in files mode). Default `N` = 10^9.
//! - Hashes: SHA-256 (default), BLAKE3 (32 bytes), BLAKE2b-512 (recorded as `blake2b`).
//!   Reading in chunks never changes a digest (BLAKE3's tree mode included).
//! - Names must be UTF-8 ([`Error::NonUtf8Name`], never lossy) and contain no backslash
//!   ([`Error::BackslashInName`]; **modelsign**: Windows verifiers would read it as a
//!   separator). Untrusted names from bundles are checked by [`parse_resource_name`]:
//!   no `..`, no `.` component, no empty component, not absolute, no NUL, no `\`;
//!   shard names are split from the right, so a file name may contain `:`.
//!
//! # Order and root digest
//!
//! Resources are ordered by comparing the *list of path components* (code point order per
//! component; `std::path::Path`'s `Ord`), not the joined string: `README.md, a/b.txt, a-b,
//! a.txt, …` (a byte-wise string sort would put `a/b.txt` after `a.txt`). Shards of a file
//! follow each other by increasing offset.
//!
//! The subject (root) digest is `SHA-256(digest_1 || digest_2 || … || digest_n)` over the
//! raw resource digests in that order — always SHA-256, whatever the resource hash; for an
//! empty model it is SHA-256 of nothing ([`Manifest::root_digest`]).
//!
//! # Model name
//!
//! The subject name is the last component of the model path as given; for `.`, `..` and
//! similar forms without one, the last component of the resolved path.
//!
//! # Verification
//!
//! [`compare`] is a map comparison (`name -> digest`, order-free) reporting extra, missing
//! and changed resources with 1.1.1's wording ([`Mismatch`]). [`HashOptions::matching`]
//! re-hashes with the method, hash and symlink policy recorded in the bundle, and
//! [`hash_files`] hashes only the signed files (`--ignore-unsigned-files`).
//!
//! # Performance
//!
//! Files are hashed in parallel on the rayon pool, one task per file, or one per shard
//! with positional reads (`read_at`), which is also how a single large file uses every
//! core. A lone large file in files mode is inherently sequential for SHA-256; it is read
//! by a separate thread into 1 MiB buffers so that copying overlaps hashing, and BLAKE3
//! additionally hashes each buffer on all cores. Memory stays bounded (a few MiB per task);
//! files are never mapped or read whole.

mod algorithm;
mod compare;
mod error;
mod ignore;
mod manifest;
mod names;
mod progress;
mod read;
mod walk;

pub use algorithm::{HashKind, Method};
pub use compare::{compare, HashMismatch, Mismatch};
pub use error::{Error, NameError};
pub use ignore::{resolve_ignore_paths, Warning, WarningKind, DEFAULT_GIT_IGNORES};
pub use manifest::{hash_files, hash_model, HashOptions, Manifest, Resource, MAX_RESOURCES};
pub use names::{
    check_file_name, parse_resource_name, ResourceName, MAX_NAME_LEN, SINGLE_FILE_NAME,
};
pub use progress::Progress;
