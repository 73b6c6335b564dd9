//! Resource names: producing them from paths, and checking untrusted ones from bundles.
//!
//! Canonical form (what [`crate::hash_model`] emits, and the only form a verifier needs to
//! accept, since anything else can never equal a name computed from disk):
//! - files: the POSIX path relative to the model root, components joined by `/`, no `./`,
//!   no trailing `/`; a single-file model's only file is named `"."`;
//! - shards: `"<file name>:<start>:<end>"`, decimal, `end` exclusive. A file name may itself
//!   contain `:`, so shard names are split from the right (`rsplitn(3, ':')`), unlike
//!   model_signing 1.1.1 which wants exactly three `:`-separated parts.

use std::path::{Component, Path};

use crate::{Error, Method, NameError};

/// Longest resource name or recorded ignore path accepted from a bundle. Linux `PATH_MAX`
/// is 4096 including the NUL; shard suffixes add at most 42 bytes (two u64 and two `:`).
pub const MAX_NAME_LEN: usize = 4096 + 64;

/// The name of the single file of a single-file model (model_signing 1.1.1 behaviour;
/// the OMS spec would use the basename, which 1.1.1 rejects).
pub const SINGLE_FILE_NAME: &str = ".";

/// A resource name split into its parts. Borrowed from the name it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceName<'a> {
    /// Files mode: the file's relative path (or `"."`).
    File(&'a str),
    /// Shards mode: a byte range `[start, end)` of a file.
    Shard {
        /// The file's relative path (or `"."`).
        file: &'a str,
        /// First byte.
        start: u64,
        /// One past the last byte.
        end: u64,
    },
}

impl<'a> ResourceName<'a> {
    /// The file this resource belongs to.
    pub fn file(&self) -> &'a str {
        match self {
            ResourceName::File(f) | ResourceName::Shard { file: f, .. } => f,
        }
    }
}

/// Parses and checks an untrusted resource name for the given method.
pub fn parse_resource_name(name: &str, method: Method) -> Result<ResourceName<'_>, Error> {
    let invalid = |reason| Error::InvalidResourceName {
        name: truncate_for_display(name),
        reason,
    };
    if name.len() > MAX_NAME_LEN {
        return Err(invalid(NameError::TooLong));
    }
    match method {
        Method::Files => {
            check_file_name(name).map_err(invalid)?;
            Ok(ResourceName::File(name))
        }
        Method::Shards { .. } => {
            let mut parts = name.rsplitn(3, ':');
            let (Some(end), Some(start), Some(file)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(invalid(NameError::ShardRange));
            };
            let (Some(start), Some(end)) = (parse_decimal(start), parse_decimal(end)) else {
                return Err(invalid(NameError::ShardRange));
            };
            if start >= end {
                return Err(invalid(NameError::ShardRange));
            }
            check_file_name(file).map_err(invalid)?;
            Ok(ResourceName::Shard { file, start, end })
        }
    }
}

/// Checks that `name` is a canonical relative file name (see the module docs).
pub fn check_file_name(name: &str) -> Result<(), NameError> {
    if name == SINGLE_FILE_NAME {
        return Ok(());
    }
    check_relative_path(name)
}

/// Checks a canonical relative path: non-empty `/`-separated components, none of them
/// `.` or `..`, no NUL, no backslash, not absolute.
pub(crate) fn check_relative_path(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong);
    }
    if name.contains('\0') {
        return Err(NameError::Nul);
    }
    if name.contains('\\') {
        return Err(NameError::Backslash);
    }
    if name.starts_with('/') {
        return Err(NameError::Absolute);
    }
    for component in name.split('/') {
        match component {
            "" => return Err(NameError::EmptyComponent),
            "." => return Err(NameError::CurrentDir),
            ".." => return Err(NameError::ParentDir),
            _ => {}
        }
    }
    Ok(())
}

/// Decimal digits only: `u64::from_str` would also take a leading `+`, which is not a
/// name this crate ever emits.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The resource name of a relative path found on disk. `path_for_errors` is the full path,
/// used only in error messages.
pub(crate) fn name_from_relative(rel: &Path, path_for_errors: &Path) -> Result<String, Error> {
    let mut name = String::new();
    for component in rel.components() {
        let Component::Normal(part) = component else {
            // The walker only yields normal components below the root.
            return Err(Error::OutsideRoot {
                path: path_for_errors.to_path_buf(),
                model: rel.to_path_buf(),
            });
        };
        let part = part.to_str().ok_or_else(|| Error::NonUtf8Name {
            path: path_for_errors.to_path_buf(),
        })?;
        if part.contains('\\') {
            return Err(Error::BackslashInName {
                path: path_for_errors.to_path_buf(),
            });
        }
        if !name.is_empty() {
            name.push('/');
        }
        name.push_str(part);
    }
    if name.is_empty() {
        name.push_str(SINGLE_FILE_NAME);
    }
    Ok(name)
}

/// The shard resource name for `[start, end)` of `file`.
pub(crate) fn shard_name(file: &str, start: u64, end: u64) -> String {
    format!("{file}:{start}:{end}")
}

/// Error messages quote untrusted names; keep them bounded.
fn truncate_for_display(name: &str) -> String {
    const SHOWN: usize = 256;
    if name.len() <= SHOWN {
        return name.to_owned();
    }
    let mut cut = SHOWN;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &name[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(name: &str, method: Method) -> NameError {
        match parse_resource_name(name, method) {
            Err(Error::InvalidResourceName { reason, .. }) => reason,
            other => panic!("expected InvalidResourceName for {name:?}, got {other:?}"),
        }
    }

    #[test]
    fn canonical_file_names_are_accepted() {
        for name in [".", "a", "a/b.txt", ".hidden/f", "a-b", "wei:ghts", "é/ü"] {
            assert_eq!(
                parse_resource_name(name, Method::Files).unwrap(),
                ResourceName::File(name)
            );
        }
    }

    #[test]
    fn non_canonical_file_names_are_refused() {
        let files = Method::Files;
        assert_eq!(reason("", files), NameError::Empty);
        assert_eq!(reason("/etc/passwd", files), NameError::Absolute);
        assert_eq!(reason("a//b", files), NameError::EmptyComponent);
        assert_eq!(reason("a/", files), NameError::EmptyComponent);
        assert_eq!(reason("./a", files), NameError::CurrentDir);
        assert_eq!(reason("a/./b", files), NameError::CurrentDir);
        assert_eq!(reason("../x", files), NameError::ParentDir);
        assert_eq!(reason("a/../../x", files), NameError::ParentDir);
        assert_eq!(reason("..", files), NameError::ParentDir);
        assert_eq!(reason("a\0b", files), NameError::Nul);
        assert_eq!(reason("a\\b", files), NameError::Backslash);
        assert_eq!(reason("..\\x", files), NameError::Backslash);
        assert_eq!(
            reason(&"a".repeat(MAX_NAME_LEN + 1), files),
            NameError::TooLong
        );
    }

    #[test]
    fn shard_names_parse_from_the_right() {
        let shards = Method::Shards { shard_size: 300 };
        assert_eq!(
            parse_resource_name("weights.bin:300:600", shards).unwrap(),
            ResourceName::Shard {
                file: "weights.bin",
                start: 300,
                end: 600
            }
        );
        assert_eq!(
            parse_resource_name("a:b:c:0:4", shards).unwrap(),
            ResourceName::Shard {
                file: "a:b:c",
                start: 0,
                end: 4
            }
        );
        assert_eq!(parse_resource_name(".:0:8", shards).unwrap().file(), ".");
        assert_eq!(reason("weights.bin", shards), NameError::ShardRange);
        assert_eq!(reason("w:1", shards), NameError::ShardRange);
        assert_eq!(reason("w:+1:2", shards), NameError::ShardRange);
        assert_eq!(reason("w:5:5", shards), NameError::ShardRange);
        assert_eq!(
            reason("w:0:99999999999999999999", shards),
            NameError::ShardRange
        );
        assert_eq!(reason("../w:0:1", shards), NameError::ParentDir);
        assert_eq!(reason(":0:1", shards), NameError::Empty);
    }

    #[test]
    fn names_from_paths() {
        let p = Path::new("model/a/b.txt");
        assert_eq!(
            name_from_relative(Path::new("a/b.txt"), p).unwrap(),
            "a/b.txt"
        );
        assert_eq!(name_from_relative(Path::new(""), p).unwrap(), ".");
        assert!(matches!(
            name_from_relative(Path::new("a\\b"), p),
            Err(Error::BackslashInName { .. })
        ));
    }

    #[test]
    fn display_truncates_long_names() {
        let long = "é".repeat(400);
        match parse_resource_name(&long, Method::Shards { shard_size: 1 }) {
            Err(Error::InvalidResourceName { name, .. }) => assert!(name.len() < 300),
            other => panic!("unexpected {other:?}"),
        }
    }
}
