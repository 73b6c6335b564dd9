//! Finding the regular files of a model (oms-format.md §1).
//!
//! Order of checks for every entry below the root: ignore rules first (an ignored subtree
//! is never even looked at — this fixes 1.1.1, which aborted on a symlink or FIFO inside an
//! ignored `.git/`), then the symlink policy, then the file type.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::ignore::IgnoreSet;
use crate::names::name_from_relative;
use crate::Error;

/// A regular file to hash.
#[derive(Debug)]
pub(crate) struct FileEntry {
    /// Path to open (model path joined with `rel`; may be a symlink to a regular file).
    pub(crate) path: PathBuf,
    /// Path relative to the model root; empty for a single-file model.
    pub(crate) rel: PathBuf,
    /// The resource name (`"."` for a single-file model).
    pub(crate) name: String,
    /// Length seen during the walk.
    pub(crate) len: u64,
}

/// What an entry turned out to be after the symlink policy was applied.
enum Kind {
    File(u64),
    Directory,
    /// A symlink to a directory: never descended, contributes nothing.
    SkippedDirectoryLink,
}

/// Applies model_signing's symlink and file-type rules to one path.
fn classify(path: &Path, allow_symlinks: bool) -> Result<Kind, Error> {
    let special = || Error::NotFileOrDirectory {
        path: path.to_path_buf(),
    };
    let meta = fs::symlink_metadata(path).map_err(|_| special())?;
    if meta.file_type().is_symlink() {
        if !allow_symlinks {
            return Err(Error::Symlink {
                path: path.to_path_buf(),
            });
        }
        // Dangling links fail here, as in 1.1.1.
        let target = fs::metadata(path).map_err(|_| special())?;
        return if target.is_file() {
            Ok(Kind::File(target.len()))
        } else if target.is_dir() {
            Ok(Kind::SkippedDirectoryLink)
        } else {
            Err(special())
        };
    }
    if meta.is_file() {
        Ok(Kind::File(meta.len()))
    } else if meta.is_dir() {
        Ok(Kind::Directory)
    } else {
        Err(special())
    }
}

/// Lists the files of the model at `model`, in no particular order.
pub(crate) fn walk(
    model: &Path,
    ignores: &IgnoreSet,
    allow_symlinks: bool,
) -> Result<Vec<FileEntry>, Error> {
    match classify(model, allow_symlinks)? {
        Kind::File(len) => {
            return Ok(vec![FileEntry {
                path: model.to_path_buf(),
                rel: PathBuf::new(),
                name: name_from_relative(Path::new(""), model)?,
                len,
            }])
        }
        Kind::Directory | Kind::SkippedDirectoryLink => {}
    }
    // A root that is a symlink to a directory (allowed, or we would have failed above) is
    // followed, as 1.1.1's glob from the root does; links *below* the root are not.
    let walker = WalkDir::new(model)
        .follow_links(false)
        .follow_root_links(true)
        .min_depth(1)
        .into_iter()
        .filter_entry(|entry| {
            entry
                .path()
                .strip_prefix(model)
                .map_or(true, |rel| !ignores.matches(rel))
        });
    let mut files = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|source| Error::Walk {
            path: source.path().unwrap_or(model).to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let rel = path.strip_prefix(model).map_err(|_| Error::OutsideRoot {
            path: path.to_path_buf(),
            model: model.to_path_buf(),
        })?;
        match classify(path, allow_symlinks)? {
            Kind::File(len) => files.push(FileEntry {
                name: name_from_relative(rel, path)?,
                rel: rel.to_path_buf(),
                path: path.to_path_buf(),
                len,
            }),
            Kind::Directory | Kind::SkippedDirectoryLink => {}
        }
    }
    Ok(files)
}

/// Looks up the named files only (verification with `--ignore-unsigned-files`). Names must
/// already be checked by [`crate::names::check_file_name`]. A name that does not exist, is
/// a directory, or lies below a symlinked directory is left out, so that the comparison
/// reports it as missing; the symlink policy still applies to the file and its parents.
pub(crate) fn lookup(
    model: &Path,
    names: &[&str],
    ignores: &IgnoreSet,
    allow_symlinks: bool,
) -> Result<Vec<FileEntry>, Error> {
    let root = classify(model, allow_symlinks)?;
    let mut files = Vec::new();
    for &name in names {
        if let Kind::File(len) = root {
            // A single-file model is named "." (1.1.1) or by its basename (OMS spec, Go
            // port); both mean the file itself, reported as "." like `walk` does.
            let is_basename = model
                .file_name()
                .is_some_and(|b| b.as_encoded_bytes() == name.as_bytes());
            if name == crate::names::SINGLE_FILE_NAME || is_basename {
                files.push(FileEntry {
                    path: model.to_path_buf(),
                    rel: PathBuf::new(),
                    name: crate::names::SINGLE_FILE_NAME.to_owned(),
                    len,
                });
            }
            continue;
        }
        let rel = Path::new(name);
        if ignores.matches(rel) {
            continue;
        }
        if !parents_are_plain_directories(model, rel, allow_symlinks)? {
            continue;
        }
        let path = model.join(rel);
        if fs::symlink_metadata(&path).is_err() {
            continue; // missing: the comparison reports it
        }
        if let Kind::File(len) = classify(&path, allow_symlinks)? {
            files.push(FileEntry {
                path,
                rel: rel.to_path_buf(),
                name: name.to_owned(),
                len,
            });
        }
    }
    Ok(files)
}

/// The full walk never enters a symlinked directory, so a named file below one must not be
/// found either (and with symlinks disallowed, the link itself is an error, as in the walk).
fn parents_are_plain_directories(
    model: &Path,
    rel: &Path,
    allow_symlinks: bool,
) -> Result<bool, Error> {
    let mut dir = model.to_path_buf();
    let Some(parent) = rel.parent() else {
        return Ok(true);
    };
    for component in parent.components() {
        dir.push(component);
        let Ok(meta) = fs::symlink_metadata(&dir) else {
            return Ok(false);
        };
        if meta.file_type().is_symlink() {
            if !allow_symlinks {
                return Err(Error::Symlink { path: dir });
            }
            return Ok(false);
        }
        if !meta.is_dir() {
            return Ok(false);
        }
    }
    Ok(true)
}
