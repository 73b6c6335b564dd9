//! The crate's single error type.

use std::path::PathBuf;

/// Everything that can go wrong while walking, hashing or checking a model.
///
/// The two messages that model_signing 1.1.1 users know ([`Error::Symlink`] and
/// [`Error::NotFileOrDirectory`]) keep its exact wording so scripts and documentation that
/// match on them keep working.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A symbolic link was found while `allow_symlinks` is false.
    #[error(
        "Cannot use '{}' because it is a symlink. This behavior can be changed with `allow_symlinks`.",
        path.display()
    )]
    Symlink {
        /// The link (model path joined with its relative path).
        path: PathBuf,
    },

    /// FIFO, socket, device, dangling symlink, missing or unreadable entry.
    #[error(
        "Cannot use '{}' as file or directory. It could be a special file, it could be missing, or there might be a permission issue.",
        path.display()
    )]
    NotFileOrDirectory {
        /// The offending path.
        path: PathBuf,
    },

    /// A file name is not valid UTF-8; OMS resource names are JSON strings, and a lossy
    /// conversion could make two different files share one name.
    #[error("file name is not valid UTF-8: '{}' (OMS resource names must be UTF-8)", path.display())]
    NonUtf8Name {
        /// The path as found on disk.
        path: PathBuf,
    },

    /// A file name contains a backslash. Verifiers on Windows would read it as a directory
    /// separator, so such a name cannot be signed unambiguously.
    #[error("file name contains a backslash, which is not portable across platforms: '{}'", path.display())]
    BackslashInName {
        /// The path as found on disk.
        path: PathBuf,
    },

    /// Reading the directory tree failed (permissions, I/O error).
    #[error("cannot walk the model directory at '{}': {source}", path.display())]
    Walk {
        /// The entry being read when the error happened.
        path: PathBuf,
        /// The underlying walk error.
        #[source]
        source: walkdir::Error,
    },

    /// Opening or reading a file failed.
    #[error("cannot read '{}': {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A file became shorter while it was being hashed by shards.
    #[error(
        "'{}' changed while it was being hashed: expected {expected} bytes, found only {found}",
        path.display()
    )]
    FileChanged {
        /// The file.
        path: PathBuf,
        /// Its length when the model was walked.
        expected: u64,
        /// The offset at which reading hit end of file.
        found: u64,
    },

    /// A shard size of zero cannot cover a file.
    #[error("shard size must be at least 1 byte")]
    ZeroShardSize,

    /// The model would produce more resources than [`crate::MAX_RESOURCES`] (typically a
    /// tiny shard size from a bundle).
    #[error("the model would have {count} resources, more than the limit of {limit} (is the shard size too small?)")]
    TooManyResources {
        /// Resources the model would have.
        count: u64,
        /// The limit.
        limit: u64,
    },

    /// An unknown hash algorithm name.
    #[error("unknown hash algorithm '{name}' (expected sha256, blake3 or blake2b)")]
    UnknownHash {
        /// The name given.
        name: String,
    },

    /// A resource name (from a bundle, hence untrusted) is not canonical.
    #[error("invalid resource name '{name}': {reason}")]
    InvalidResourceName {
        /// The name as given (truncated to a sane length for display).
        name: String,
        /// Why it was refused.
        reason: NameError,
    },

    /// An ignore path cannot be expressed relative to the model root.
    #[error("ignore path '{}' is not inside the model '{}'", path.display(), model.display())]
    IgnorePathOutsideModel {
        /// The ignore path as given.
        path: PathBuf,
        /// The model path.
        model: PathBuf,
    },

    /// An ignore path names the model root itself, which would ignore everything.
    #[error("ignore path '{}' names the whole model '{}'", path.display(), model.display())]
    IgnorePathIsModel {
        /// The ignore path as given.
        path: PathBuf,
        /// The model path.
        model: PathBuf,
    },

    /// A recorded ignore path (from a bundle) is not a canonical relative path.
    #[error("invalid recorded ignore path '{path}': {reason}")]
    InvalidIgnorePath {
        /// The recorded string.
        path: String,
        /// Why it was refused.
        reason: NameError,
    },

    /// The walker returned a path outside the model root (should not happen; reported
    /// instead of guessed).
    #[error("walked path '{}' is not below the model root '{}'", path.display(), model.display())]
    OutsideRoot {
        /// The path.
        path: PathBuf,
        /// The model root.
        model: PathBuf,
    },
}

/// Why a resource name or recorded ignore path was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The empty string.
    #[error("empty name")]
    Empty,
    /// Longer than [`crate::MAX_NAME_LEN`].
    #[error("name longer than {} bytes", crate::MAX_NAME_LEN)]
    TooLong,
    /// Starts with `/`.
    #[error("absolute path")]
    Absolute,
    /// Contains `//` or ends with `/`.
    #[error("empty path component")]
    EmptyComponent,
    /// Contains a `.` component (other than the single-file name `"."`).
    #[error("'.' path component")]
    CurrentDir,
    /// Contains a `..` component.
    #[error("'..' path component")]
    ParentDir,
    /// Contains NUL.
    #[error("NUL byte")]
    Nul,
    /// Contains `\`.
    #[error("backslash (not a portable separator)")]
    Backslash,
    /// A shard name without `:<start>:<end>` decimal offsets, or with `start >= end`.
    #[error("shard name must end in ':<start>:<end>' with decimal start < end")]
    ShardRange,
}
