//! Signing and verifying through the binary: both flag spellings, both modes, every
//! failure the verifier must catch, JSON output and the atomic signature file.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod cli_common;

use std::fs;
use std::path::Path;

use cli_common::{
    key_file, make_model, make_pki, modelsign, sign_key, stderr, stdout, testdata, verify_key_with,
};

fn verify_key(dir: &Path, extra: &[&str]) -> std::process::Output {
    verify_key_with(dir, "model.sig", "ec256.pub.pem", extra)
}

#[test]
fn key_mode_both_spellings_and_default_signature_path() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path());
    let out = sign_key(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Signing succeeded\n"));
    assert!(stdout(&out).contains("3 files"), "{}", stdout(&out));
    // Default `--signature` is model.sig in the current directory.
    assert!(dir.path().join("model.sig").is_file());

    let out = modelsign(dir.path())
        .args([
            "verify",
            "key",
            "model",
            "--signature",
            "model.sig",
            "--public_key",
        ])
        .arg(key_file("ec256.pub.pem"))
        .args(["--ignore_git_paths", "--no_ignore_unsigned_files"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Verification succeeded\n"), "{text}");
    assert!(
        text.contains("c23c2e058093214e72753a240af01a74152066248303d84b1fe4fa9cbbb535ed"),
        "{text}"
    );

    // --quiet keeps only the result line.
    let out = verify_key(dir.path(), &["--quiet"]);
    assert_eq!(stdout(&out), "Verification succeeded\n");
}

#[test]
fn tampered_extra_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let m = make_model(dir.path());
    assert_eq!(sign_key(dir.path(), &[]).status.code(), Some(0));

    fs::write(m.join("config.json"), b"{\"layers\": 3}").unwrap();
    let out = verify_key(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("Verification failed with error: Signature mismatch"),
        "{err}"
    );
    assert!(err.contains("Hash mismatch for 'config.json'"), "{err}");
    fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();

    fs::write(m.join("extra.bin"), b"x").unwrap();
    let out = verify_key(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Extra files found in model 'model': extra.bin"));
    assert_eq!(
        verify_key(dir.path(), &["--ignore-unsigned-files"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        verify_key(dir.path(), &["--ignore_unsigned_files"])
            .status
            .code(),
        Some(0)
    );
    // The later flag wins.
    let out = verify_key(
        dir.path(),
        &["--ignore-unsigned-files", "--no-ignore-unsigned-files"],
    );
    assert_eq!(out.status.code(), Some(1));
    // Ignoring it by path (relative to the current directory, as model_signing does).
    assert_eq!(
        verify_key(dir.path(), &["--ignore-paths", "model/extra.bin"])
            .status
            .code(),
        Some(0)
    );
    let out = verify_key(dir.path(), &["--ignore-paths", "extra.bin"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("warning: ignore path 'extra.bin' is not inside the model"));
    fs::remove_file(m.join("extra.bin")).unwrap();

    fs::remove_file(m.join("README.md")).unwrap();
    let out = verify_key(dir.path(), &["--ignore-unsigned-files"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Missing files in model 'model': README.md"));
}

#[test]
fn wrong_key_fails() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path());
    assert_eq!(sign_key(dir.path(), &[]).status.code(), Some(0));
    let out = verify_key_with(dir.path(), "model.sig", "ec384.pub.pem", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Key mismatch"), "{}", stderr(&out));
}

#[test]
fn certificate_mode_trusted_and_untrusted() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path());
    let pki = make_pki(dir.path(), "pki");
    let other = make_pki(dir.path(), "other");
    let intermediates = pki.intermediates.clone().unwrap();
    let out = modelsign(dir.path())
        .args(["sign", "certificate", "model", "--signature", "cert.sig"])
        .arg("--private_key")
        .arg(&pki.leaf_key)
        .arg("--signing_certificate")
        .arg(&pki.leaf)
        .arg("--certificate_chain")
        .arg(&intermediates)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let verify = |anchor: &Path| {
        modelsign(dir.path())
            .args([
                "verify",
                "certificate",
                "model",
                "--signature",
                "cert.sig",
                "--certificate-chain",
            ])
            .arg(anchor)
            .output()
            .unwrap()
    };
    let out = verify(&pki.root);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("to trust anchor 'CN=modelsign dev root CA"),
        "{}",
        stdout(&out)
    );
    let out = verify(&other.root);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not trusted at"),
        "{}",
        stderr(&out)
    );
    // Intermediate-only trust is not enough.
    assert_eq!(verify(&intermediates).status.code(), Some(1));

    // The leaf must match the private key.
    let out = modelsign(dir.path())
        .args([
            "sign",
            "certificate",
            "model",
            "--signature",
            "bad.sig",
            "--private-key",
        ])
        .arg(key_file("ec256.key.pem"))
        .arg("--signing-certificate")
        .arg(&pki.leaf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("does not match the signing certificate"));
    assert!(!dir.path().join("bad.sig").exists());
}

#[test]
fn json_output_parses_on_success_and_failure() {
    let dir = tempfile::tempdir().unwrap();
    let m = make_model(dir.path());
    let out = sign_key(dir.path(), &["--output", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["command"], "sign");
    assert_eq!(report["success"], true);
    assert_eq!(report["signer"]["kind"], "public_key");
    assert_eq!(report["manifest"]["files"], 3);
    assert_eq!(report["signature_scheme"], "ecdsa-sha256");

    let out = verify_key(dir.path(), &["--output", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["success"], true);
    assert_eq!(report["mode"], "key");
    assert_eq!(report["validation_time"], serde_json::Value::Null);
    assert!(report["manifest"]["root_digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(report["checks"].as_array().unwrap().len() >= 4);

    fs::write(m.join("config.json"), b"changed").unwrap();
    let out = verify_key(dir.path(), &["--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["success"], false);
    assert!(report["error"].as_str().unwrap().contains("Hash mismatch"));
}

#[test]
fn failed_signing_leaves_no_file_and_keeps_a_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let m = make_model(dir.path());
    // Failure with no previous file: nothing is created.
    fs::write(dir.path().join("garbage.pem"), b"not a key").unwrap();
    let out = modelsign(dir.path())
        .args([
            "sign",
            "key",
            "model",
            "--private-key",
            "garbage.pem",
            "--signature",
            "new.sig",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("new.sig").exists());

    // Failure with a previous signature: it stays byte-for-byte (it is still the valid
    // signature of the content it covers; verification re-hashes, so it cannot vouch for
    // changed content).
    assert_eq!(sign_key(dir.path(), &[]).status.code(), Some(0));
    let before = fs::read(dir.path().join("model.sig")).unwrap();
    fs::create_dir(m.join("empty-dir-only")).unwrap();
    let out = modelsign(dir.path())
        .args(["sign", "key", "model/empty-dir-only", "--private-key"])
        .arg(key_file("ec256.key.pem"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("refusing to sign an empty model"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read(dir.path().join("model.sig")).unwrap(), before);
    // No temporary files anywhere.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn signature_inside_the_model_is_ignored_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path());
    let out = sign_key(dir.path(), &["--signature", "model/model.sig"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = verify_key_with(dir.path(), "model/model.sig", "ec256.pub.pem", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Re-signing replaces the file (the old signature inside the model is ignored).
    assert_eq!(
        sign_key(dir.path(), &["--signature", "model/model.sig"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn hash_prints_the_root_digest() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["hash", "digest"] {
        let out = modelsign(dir.path())
            .arg(command)
            .arg(testdata().join("model"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            stdout(&out),
            "sha256:00fed363b7c70859d02c4b27a877ca1b6997f14e3f7d8bc6f1ab5f7e7062f122\n"
        );
    }
}

#[test]
fn shards_and_other_hashes_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path());
    for extra in [
        &["--hash-method", "shards", "--shard-size", "1000"][..],
        &["--hash", "blake3"][..],
        &["--hash", "blake2b", "--hash_method", "shards"][..],
    ] {
        assert_eq!(
            sign_key(dir.path(), extra).status.code(),
            Some(0),
            "{extra:?}"
        );
        let out = verify_key(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
    }
}

#[test]
fn demo_runs_offline_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let out = modelsign(dir.path()).arg("demo").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("Demo succeeded"), "{text}");
    assert!(text.contains("failed, as it must"), "{text}");
    assert!(!text.contains("UNEXPECTED"), "{text}");
    // With a model argument: the given model is left unchanged.
    let m = make_model(dir.path());
    let before = fs::read(m.join("sub/weights.bin")).unwrap();
    let out = modelsign(dir.path())
        .args(["demo", "model"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(fs::read(m.join("sub/weights.bin")).unwrap(), before);
}

#[test]
fn closed_stdout_is_not_an_error() {
    // `modelsign … | head -0`: the reader is gone before the report is written.
    let dir = tempfile::tempdir().unwrap();
    make_model(dir.path());
    assert_eq!(sign_key(dir.path(), &[]).status.code(), Some(0));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_modelsign"))
        .current_dir(dir.path())
        .args([
            "--output",
            "json",
            "verify",
            "key",
            "model",
            "--signature",
            "model.sig",
        ])
        .arg("--public-key")
        .arg(key_file("ec256.pub.pem"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
