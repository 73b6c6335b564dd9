//! Shared helpers for the CLI tests (included with `mod common;`).
// Each test binary uses a subset; `pub` is needed for `mod common;` in every test file.
#![allow(dead_code, unreachable_pub)]
// Test helpers: a panic here is a test failure, as in the tests themselves.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use modelsign_devpki::{DevPki, DevPkiFiles};
use modelsign_pki::Time;

/// `modelsign` with `dir` as the working directory.
pub fn modelsign(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_modelsign"));
    cmd.current_dir(dir);
    cmd.env_remove("MODELSIGN_KEY_PASSWORD");
    cmd
}

pub fn testdata() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/model-signing-1.1.1"
    ))
}

pub fn key_file(name: &str) -> PathBuf {
    testdata().join("keys").join(name)
}

/// A small model at `dir/model`: three files, one in a subdirectory.
pub fn make_model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    fs::create_dir_all(m.join("sub")).unwrap();
    fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();
    fs::write(m.join("sub/weights.bin"), vec![3u8; 4096]).unwrap();
    fs::write(m.join("README.md"), b"# model\n").unwrap();
    m
}

/// A throwaway PKI written as PEM files to `dir/<name>`.
pub fn make_pki(dir: &Path, name: &str) -> DevPkiFiles {
    DevPki::model_signing(Time::now(), Duration::from_secs(86_400))
        .unwrap()
        .write_pem_files(&dir.join(name))
        .unwrap()
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `modelsign sign key model --private-key <ec256.key.pem of the testdata>` in `dir`,
/// followed by `extra`.
pub fn sign_key(dir: &Path, extra: &[&str]) -> std::process::Output {
    modelsign(dir)
        .args(["sign", "key", "model", "--private-key"])
        .arg(key_file("ec256.key.pem"))
        .args(extra)
        .output()
        .unwrap()
}

/// `modelsign verify key model --signature <signature> --public-key <testdata key>` in
/// `dir`, followed by `extra`.
pub fn verify_key_with(
    dir: &Path,
    signature: &str,
    public_key: &str,
    extra: &[&str],
) -> std::process::Output {
    modelsign(dir)
        .args(["verify", "key", "model", "--signature", signature])
        .arg("--public-key")
        .arg(key_file(public_key))
        .args(extra)
        .output()
        .unwrap()
}

/// `modelsign <args>` in `dir`, run to completion.
pub fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    modelsign(dir).args(args).output().unwrap()
}
