//! Writing the signature file atomically.
//!
//! The bundle is fully computed (model hashed, statement signed) before this module is
//! called, so the file system is touched only at the very end. Then:
//!
//! 1. a temporary file is created in the *same directory* as the target (a rename is only
//!    atomic within one file system), with a name starting with `.` and ending in `.tmp`;
//! 2. the bundle is written and `fsync`ed;
//! 3. the temporary file is renamed over the target, and the directory is `fsync`ed so the
//!    rename itself survives a crash.
//!
//! Guarantees: readers see either the previous file or the complete new one, never a
//! partial one. If any step fails, the temporary file is removed (by `tempfile`'s drop)
//! and the previous signature, if any, is left untouched.
//!
//! Why a failed run keeps an older signature instead of deleting it: a signature file is
//! only ever "valid" for the exact content it covers, because verification re-hashes the
//! model. An old signature therefore cannot vouch for a changed model; deleting it on a
//! failed re-sign (wrong password, expired certificate, typo in a flag) would only destroy
//! a signature that is still correct for the content it was made for.
//!
//! Interruption: hashing, the long part, happens before any file is created, so Ctrl-C
//! during hashing leaves nothing behind. The temporary file exists only for the few
//! milliseconds of steps 1-3; a kill in that window can leave a `.<name>.*.tmp` file, never a
//! partial `model.sig`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why writing failed, with the path involved.
#[derive(Debug)]
pub(crate) struct WriteError {
    pub(crate) path: PathBuf,
    pub(crate) step: &'static str,
    pub(crate) source: std::io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot write the signature file '{}' ({}): {}",
            self.path.display(),
            self.step,
            self.source
        )
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Atomically replace `target` with `contents`.
pub(crate) fn write_atomically(target: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let err = |step: &'static str| {
        move |source: std::io::Error| WriteError {
            path: target.to_path_buf(),
            step,
            source,
        }
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "signature".to_owned());
    if target.is_dir() {
        return Err(err("the path is a directory")(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory",
        )));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(err("creating a temporary file in the same directory"))?;
    tmp.write_all(contents).map_err(err("writing"))?;
    tmp.as_file().sync_all().map_err(err("syncing to disk"))?;
    // Keep the usual permissions of a newly created file (tempfile creates 0600); a
    // signature is public data.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match fs::metadata(target) {
            Ok(m) => m.permissions().mode() & 0o777,
            Err(_) => 0o644,
        };
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode))
            .map_err(err("setting permissions"))?;
    }
    tmp.persist(target)
        .map_err(|e| err("renaming the temporary file over the target")(e.error))?;
    // Make the rename durable. Not every platform can open a directory; a failure here
    // does not undo the (already complete and atomic) write, so it is not an error.
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("model.sig");
        write_atomically(&p, b"first").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"first");
        write_atomically(&p, b"second").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"second");
        // No temporary files left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("model.sig")]);
    }

    #[test]
    fn missing_directory_fails_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no-such-dir").join("model.sig");
        let e = write_atomically(&p, b"x").unwrap_err();
        assert_eq!(e.step, "creating a temporary file in the same directory");
        assert!(!p.exists());
    }

    #[test]
    fn directory_target_is_refused_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomically(dir.path(), b"x").unwrap_err();
        assert_eq!(e.step, "the path is a directory");
        assert!(dir.path().is_dir());
    }
}
