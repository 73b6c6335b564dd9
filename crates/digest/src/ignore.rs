//! Ignored paths: resolving what the user typed, matching during the walk, and the list
//! recorded in `predicate.serialization.ignore_paths`.
//!
//! model_signing 1.1.1 rules kept here (oms-format.md §2):
//! - defaults `.git`, `.gitattributes`, `.github`, `.gitignore`, top level only, switchable;
//! - prefix match on path components, so an ignored directory drops its whole subtree;
//! - user paths are resolved against the *current directory*, not the model;
//! - recorded paths are relative to the model root, without trailing `/`, even for files
//!   that do not exist (the signature file written afterwards).
//!
//! Deliberate differences: a path outside the model is reported as a [`Warning`] instead of
//! being dropped silently; the last component of an ignore path is not resolved through a
//! symlink (so ignoring `model/link` ignores the link, where 1.1.1 would resolve it to its
//! target outside the model and drop the entry); the recorded list is sorted (1.1.1 writes
//! set-iteration order, which verifiers must treat as a set anyway).

use std::fmt;
use std::path::{Component, Path, PathBuf};

use crate::names::check_relative_path;
use crate::{Error, HashOptions};

/// The git paths model_signing ignores by default, top level only.
pub const DEFAULT_GIT_IGNORES: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];

/// Something the caller should tell the user; never silently swallowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The ignore path as given.
    pub path: PathBuf,
    /// What is wrong with it.
    pub kind: WarningKind,
}

/// Why an ignore path was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// The resolved path is not inside the model directory.
    OutsideModel {
        /// The model path as given.
        model: PathBuf,
    },
    /// The resolved path is the model root itself (it would ignore everything).
    WholeModel,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            WarningKind::OutsideModel { model } => write!(
                f,
                "ignore path '{}' is not inside the model '{}' (relative paths are resolved \
                 against the current directory); it is not applied",
                self.path.display(),
                model.display()
            ),
            WarningKind::WholeModel => write!(
                f,
                "ignore path '{}' is the model itself; it is not applied",
                self.path.display()
            ),
        }
    }
}

/// Resolves user-given ignore paths the way model_signing's CLI does: relative paths
/// against `cwd`, absolute ones as given; symlinks in their parent directories and in
/// `model` resolved. Returns the paths that lie inside the model, *relative to the model
/// root* (ready for [`HashOptions::ignore_paths`]), and one [`Warning`] per path that does
/// not. Paths need not exist (the signature file usually does not yet).
pub fn resolve_ignore_paths(
    model: &Path,
    cwd: &Path,
    given: &[PathBuf],
) -> (Vec<PathBuf>, Vec<Warning>) {
    let model_resolved = resolve_lenient(&cwd.join(model), true);
    let mut inside = Vec::new();
    let mut warnings = Vec::new();
    for path in given {
        let resolved = resolve_lenient(&cwd.join(path), false);
        match resolved.strip_prefix(&model_resolved) {
            Ok(rel) if rel.as_os_str().is_empty() => warnings.push(Warning {
                path: path.clone(),
                kind: WarningKind::WholeModel,
            }),
            Ok(rel) => inside.push(rel.to_path_buf()),
            Err(_) => warnings.push(Warning {
                path: path.clone(),
                kind: WarningKind::OutsideModel {
                    model: model.to_path_buf(),
                },
            }),
        }
    }
    (inside, warnings)
}

/// Absolute path with `.`/`..` and symlinks resolved for the longest existing ancestor;
/// the remaining components are applied lexically. With `resolve_last == false` a final
/// normal component is kept as written, even if it is a symlink.
fn resolve_lenient(path: &Path, resolve_last: bool) -> PathBuf {
    let last_is_normal = matches!(path.components().next_back(), Some(Component::Normal(_)));
    let (dir, last) = match (
        resolve_last,
        last_is_normal,
        path.parent(),
        path.file_name(),
    ) {
        (false, true, Some(parent), Some(name)) => (parent, Some(name)),
        _ => (path, None),
    };
    let mut resolved = PathBuf::new();
    for ancestor in dir.ancestors() {
        if let Ok(canonical) = ancestor.canonicalize() {
            resolved = canonical;
            if let Ok(rest) = dir.strip_prefix(ancestor) {
                push_lexically(&mut resolved, rest);
            }
            break;
        }
    }
    if resolved.as_os_str().is_empty() {
        push_lexically(&mut resolved, dir);
    }
    if let Some(name) = last {
        resolved.push(name);
    }
    resolved
}

fn push_lexically(base: &mut PathBuf, rest: &Path) {
    for component in rest.components() {
        match component {
            Component::Normal(part) => base.push(part),
            Component::ParentDir => {
                base.pop();
            }
            Component::RootDir | Component::Prefix(_) => base.push(component.as_os_str()),
            Component::CurDir => {}
        }
    }
}

/// The effective ignore list of one hashing run, relative to the model root.
#[derive(Debug)]
pub(crate) struct IgnoreSet {
    paths: Vec<PathBuf>,
}

impl IgnoreSet {
    /// Builds the set from the options. Absolute paths must lie below `model` (as given or
    /// canonicalized); relative ones are relative to the model root and may not contain `..`.
    pub(crate) fn new(model: &Path, opts: &HashOptions) -> Result<IgnoreSet, Error> {
        let mut paths: Vec<PathBuf> = Vec::new();
        if opts.ignore_git_paths {
            paths.extend(DEFAULT_GIT_IGNORES.iter().map(PathBuf::from));
        }
        let canonical_model = model.canonicalize().ok();
        for given in &opts.ignore_paths {
            let rel = if given.is_absolute() {
                let stripped = given
                    .strip_prefix(model)
                    .map(Path::to_path_buf)
                    .ok()
                    .or_else(|| {
                        let canonical = canonical_model.as_deref()?;
                        resolve_lenient(given, false)
                            .strip_prefix(canonical)
                            .map(Path::to_path_buf)
                            .ok()
                    });
                match stripped {
                    Some(rel) => rel,
                    None => {
                        return Err(Error::IgnorePathOutsideModel {
                            path: given.clone(),
                            model: model.to_path_buf(),
                        })
                    }
                }
            } else {
                given.clone()
            };
            let mut clean = PathBuf::new();
            for component in rel.components() {
                match component {
                    Component::Normal(part) => clean.push(part),
                    Component::CurDir => {}
                    Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                        return Err(Error::IgnorePathOutsideModel {
                            path: given.clone(),
                            model: model.to_path_buf(),
                        })
                    }
                }
            }
            if clean.as_os_str().is_empty() {
                return Err(Error::IgnorePathIsModel {
                    path: given.clone(),
                    model: model.to_path_buf(),
                });
            }
            paths.push(clean);
        }
        paths.sort();
        paths.dedup();
        Ok(IgnoreSet { paths })
    }

    /// Whether `rel` (relative to the model root) is ignored: component-wise prefix match.
    pub(crate) fn matches(&self, rel: &Path) -> bool {
        self.paths.iter().any(|p| rel.starts_with(p))
    }

    /// The list recorded in the manifest: `/`-joined, sorted, deduplicated.
    pub(crate) fn recorded(&self, model: &Path) -> Result<Vec<String>, Error> {
        let mut out = self
            .paths
            .iter()
            .map(|p| crate::names::name_from_relative(p, &model.join(p)))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// Converts recorded ignore paths (untrusted, from a bundle) back into relative paths.
pub(crate) fn parse_recorded(recorded: &[String]) -> Result<Vec<PathBuf>, Error> {
    recorded
        .iter()
        .map(|s| {
            check_relative_path(s).map_err(|reason| Error::InvalidIgnorePath {
                path: s.chars().take(256).collect(),
                reason,
            })?;
            Ok(PathBuf::from(s))
        })
        .collect()
}
