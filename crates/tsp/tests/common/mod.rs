//! Shared helpers for the syntax/issuance integration tests: test data paths and the OpenSSL
//! CLI (the interop oracle; CI installs it, so a missing binary is a test failure).

// Test helpers outside #[test] fns: a panic here is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn testdata() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata"
    ))
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = testdata().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Runs `openssl args...` in `dir`. Panics with a clear message if the binary is missing.
pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            panic!("the `openssl` CLI is required for the RFC 3161 interop tests (install OpenSSL 3.x): {e}")
        }
        Err(e) => panic!("running openssl {args:?}: {e}"),
    }
}

/// Runs openssl and asserts success, returning stdout.
pub fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Copies the openssl-tsa sample folder into a fresh temp dir (`ts -reply` rewrites
/// `tsaserial`).
pub fn openssl_tsa_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = testdata().join("openssl-tsa");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}
