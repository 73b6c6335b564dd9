//! Shared helpers for the syntax/issuance integration tests: test data paths and the OpenSSL
//! CLI (the interop oracle; CI installs it, so a missing binary is a test failure).

// Test helpers outside #[test] fns: a panic here is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

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

/// `name` found on `PATH`. The interop tests need their outside tools; `.ci/setup` installs
/// them, so a missing one is a broken setup to report, never a reason to pass unchecked.
pub fn require_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found: run `bash .ci/setup` (or `bash .ci/test`, which runs it)")
        })
}

/// The `openssl` CLI (OpenSSL 3.x, the RFC 3161 interop oracle), looked up once per binary.
pub fn openssl_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| require_tool("openssl"))
}

/// Runs `openssl args...` in `dir`. Panics with a clear message if the binary is missing.
pub fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new(openssl_exe())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running openssl {args:?}: {e}"))
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
