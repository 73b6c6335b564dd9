//! Exit codes: 0 success, 1 every failure (including bad input files), 2 command-line
//! errors only.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod cli_common;

use std::fs;

use cli_common::{key_file, make_model, modelsign, stderr, verify_key_with};

#[test]
fn help_and_version_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    modelsign(dir.path()).arg("--help").assert().code(0);
    modelsign(dir.path())
        .args(["sign", "key", "--help"])
        .assert()
        .code(0);
    modelsign(dir.path()).arg("--version").assert().code(0);
}

#[test]
fn command_line_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let m = make_model(dir.path());
    let key = key_file("ec256.key.pem");
    let key = key.to_str().unwrap();
    let model = m.to_str().unwrap();
    // `sign key MODEL --private-key KEY` followed by the flags under test.
    let sign_key = |extra: &[&'static str]| -> Vec<&str> {
        let mut args = vec!["sign", "key", model, "--private-key", key];
        args.extend_from_slice(extra);
        args
    };
    let cases: Vec<Vec<&str>> = vec![
        // unknown command / flag
        vec!["frobnicate"],
        sign_key(&["--bogus"]),
        // missing arguments
        vec!["sign", "key", model],
        vec!["sign", "key", "--private-key", key],
        vec!["verify", "key", model, "--public-key", key],
        vec!["verify", "certificate", model, "--signature", "model.sig"],
        vec!["sign", "certificate", model, "--private-key", key],
        // values of the wrong form
        sign_key(&["--hash", "md5"]),
        sign_key(&["--hash-method", "chunks"]),
        sign_key(&["--hash-method", "shards", "--shard-size", "0"]),
        sign_key(&["--hash-method", "shards", "--shard-size", "ten"]),
        vec!["--output", "xml", "hash", model],
        // conflicting: a shard size with the files method
        sign_key(&["--shard-size", "100"]),
        vec!["hash", model, "--shard_size", "100"],
    ];
    for args in &cases {
        let out = modelsign(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    // A command-line error must not have written anything.
    assert!(!dir.path().join("model.sig").exists());
}

#[test]
fn bad_input_files_exit_1_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = make_model(dir.path());
    fs::write(dir.path().join("garbage.pem"), b"not a key").unwrap();
    let private = key_file("ec256.key.pem");
    let private = private.to_str().unwrap();
    let public = key_file("ec256.pub.pem");
    let public = public.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["sign", "key", "no-such-model", "--private-key", private],
            "no-such-model",
        ),
        (
            &["sign", "key", "model", "--private-key", "missing.pem"],
            "missing.pem",
        ),
        (
            &["sign", "key", "model", "--private_key", "garbage.pem"],
            "garbage.pem",
        ),
        (
            &[
                "verify",
                "key",
                "model",
                "--public-key",
                public,
                "--signature",
                "missing.sig",
            ],
            "missing.sig",
        ),
        (
            &[
                "verify",
                "key",
                "model",
                "--public-key",
                "garbage.pem",
                "--signature",
                "garbage.pem",
            ],
            "garbage.pem",
        ),
        (
            &[
                "verify",
                "certificate",
                "model",
                "--certificate-chain",
                "garbage.pem",
                "--signature",
                "garbage.pem",
            ],
            "garbage.pem",
        ),
        (&["hash", "no-such-model"], "no-such-model"),
    ];
    for (args, named) in cases {
        let out = modelsign(dir.path()).args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(named), "{args:?}: {err}");
        assert!(err.contains("failed with error:"), "{args:?}: {err}");
    }
    // A malformed signature file is a failure (1), not a usage error.
    fs::write(dir.path().join("bad.sig"), b"{\"mediaType\": 1}").unwrap();
    let out = verify_key_with(dir.path(), "bad.sig", "ec256.pub.pem", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("Verification failed with error: invalid signature file"));
    drop(m);
}
