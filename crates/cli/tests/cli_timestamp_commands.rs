//! `modelsign timestamp request|verify|inspect` against a TSA served in-process on
//! loopback (the tsp crate's `Issuer` behind a scripted HTTP server).

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli_common;
#[path = "../../tsp/tests/client_support/mod.rs"]
mod client_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;
use cli_common::{run, stderr, stdout};
use client_support::{closed_port_url, Reply, Server, Tsa, POLICY};
use modelsign_devpki::DevPki;
use modelsign_pki::{HashAlgorithm, KeyKind, Time};

const DATA: &[u8] = b"a raw DSSE signature, for instance";

struct Setup {
    dir: tempfile::TempDir,
    tsa: std::sync::Arc<Tsa>,
    server: Server,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("data.bin"), DATA).unwrap();
        let tsa = Tsa::new();
        let chain: String = tsa.chain.iter().map(modelsign_devpki::pem).collect();
        fs::write(dir.path().join("tsa-chain.pem"), chain).unwrap();
        let server = Server::granting(tsa.clone(), 200);
        Setup { dir, tsa, server }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// Requests a time-stamp over data.bin into `out`.
    fn request(&self, out: &str) {
        let out = request_data(self.dir.path(), &[&self.server.url], &[], out);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

/// `request --tsa-url URL FLAGS... --out r.tsr` (the arguments after `timestamp`).
fn request_args<'a>(url: &'a str, flags: &[&'a str]) -> Vec<&'a str> {
    [
        &["request", "--tsa-url", url][..],
        flags,
        &["--out", "r.tsr"],
    ]
    .concat()
}

/// `timestamp request --tsa-url URL... --data data.bin EXTRA... --out OUT` in `dir`.
fn request_data(dir: &Path, tsa_urls: &[&str], extra: &[&str], out: &str) -> Output {
    let mut args = vec!["timestamp", "request"];
    for url in tsa_urls {
        args.extend(["--tsa-url", url]);
    }
    args.extend(["--data", "data.bin"]);
    args.extend_from_slice(extra);
    args.extend(["--out", out]);
    run(dir, &args)
}

#[test]
fn request_verify_inspect_round_trip() {
    let s = Setup::new();
    let out = request_data(s.dir.path(), &[&s.server.url], &[], "r.tsr");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("Timestamp obtained from {}", s.server.url)),
        "{}",
        stdout(&out)
    );
    assert!(s.path("r.tsr").is_file());
    assert_eq!(s.server.hits(), 1);

    // Verify over the data file, and over its digest in hex.
    let digest = hex::encode(HashAlgorithm::Sha256.digest(DATA));
    for datum in [["--data", "data.bin"], ["--digest", digest.as_str()]] {
        let out = run(
            s.dir.path(),
            &[
                "timestamp",
                "verify",
                "r.tsr",
                datum[0],
                datum[1],
                "--tsa-certificate-chain",
                "tsa-chain.pem",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{datum:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.starts_with("Timestamp verification succeeded"),
            "{text}"
        );
        for needle in [
            "genTime:",
            "serial:",
            &format!("policy:   {POLICY}"),
            &s.tsa.chain[0].subject(),
        ] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
    }

    let out = run(s.dir.path(), &["timestamp", "inspect", "r.tsr"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("granted") && stdout(&out).contains(POLICY),
        "{}",
        stdout(&out)
    );
}

#[test]
fn verify_json_report() {
    let s = Setup::new();
    s.request("r.tsr");
    let out = run(
        s.dir.path(),
        &[
            "--output",
            "json",
            "timestamp",
            "verify",
            "r.tsr",
            "--data",
            "data.bin",
            "--tsa-certificate-chain",
            "tsa-chain.pem",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["success"], true);
    assert_eq!(v["policy"], POLICY);
    assert_eq!(v["tsa_subject"], s.tsa.chain[0].subject());
    Time::parse_rfc3339(v["gen_time"].as_str().unwrap()).unwrap();
}

#[test]
fn verify_with_a_trusted_root_json() {
    let s = Setup::new();
    s.request("r.tsr");
    let b64 =
        |c: &modelsign_pki::Certificate| base64::engine::general_purpose::STANDARD.encode(c.der());
    let root = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "timestampAuthorities": [{
            "subject": {"organization": "test", "commonName": "test TSA"},
            "uri": s.server.url,
            "certChain": {"certificates": s.tsa.chain.iter().map(|c| serde_json::json!({"rawBytes": b64(c)})).collect::<Vec<_>>()},
            "validFor": {"start": "2000-01-01T00:00:00Z"}
        }]
    });
    fs::write(
        s.path("trusted_root.json"),
        serde_json::to_vec(&root).unwrap(),
    )
    .unwrap();
    let out = run(
        s.dir.path(),
        &[
            "timestamp",
            "verify",
            "r.tsr",
            "--data",
            "data.bin",
            "--trusted-root",
            "trusted_root.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn invalid_or_unreadable_exits_1_with_the_reason() {
    let s = Setup::new();
    s.request("r.tsr");
    fs::write(s.path("other.bin"), b"other data").unwrap();
    fs::write(s.path("garbage.tsr"), b"\x30\x03garbage").unwrap();
    let other = DevPki::tsa(Time::now(), KeyKind::EcdsaP256).unwrap();
    fs::write(
        s.path("other-root.pem"),
        modelsign_devpki::pem(&other.root.cert),
    )
    .unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "r.tsr",
                "--data",
                "other.bin",
                "--tsa-certificate-chain",
                "tsa-chain.pem",
            ],
            "imprint",
        ),
        (
            &[
                "r.tsr",
                "--data",
                "data.bin",
                "--tsa-certificate-chain",
                "other-root.pem",
            ],
            "r.tsr",
        ),
        (
            &[
                "garbage.tsr",
                "--data",
                "data.bin",
                "--tsa-certificate-chain",
                "tsa-chain.pem",
            ],
            "garbage.tsr",
        ),
        (
            &[
                "missing.tsr",
                "--data",
                "data.bin",
                "--tsa-certificate-chain",
                "tsa-chain.pem",
            ],
            "missing.tsr",
        ),
        (
            &[
                "r.tsr",
                "--data",
                "missing.bin",
                "--tsa-certificate-chain",
                "tsa-chain.pem",
            ],
            "missing.bin",
        ),
        (
            &[
                "r.tsr",
                "--data",
                "data.bin",
                "--tsa-certificate-chain",
                "data.bin",
            ],
            "data.bin",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["timestamp", "verify"];
        full.extend_from_slice(args);
        let out = run(s.dir.path(), &full);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("Timestamp verification failed with error:"),
            "{err}"
        );
        assert!(
            err.to_lowercase().contains(needle),
            "{args:?}: missing {needle:?} in {err}"
        );
    }
    let out = run(s.dir.path(), &["timestamp", "inspect", "garbage.tsr"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("garbage.tsr"), "{}", stderr(&out));
}

#[test]
fn command_line_errors_exit_2() {
    let s = Setup::new();
    let url = s.server.url.as_str();
    let digest = hex::encode(HashAlgorithm::Sha256.digest(DATA));
    let d = digest.as_str();
    let cases: Vec<Vec<&str>> = vec![
        request_args(url, &["--data", "data.bin", "--digest", d]),
        vec!["request", "--tsa-url", url, "--out", "r.tsr"],
        request_args(url, &["--data", "data.bin", "--hash", "md5"]),
        request_args(url, &["--digest", "xyz"]),
        request_args(url, &["--digest", "0011"]),
        request_args(url, &["--digest", d, "--hash", "sha512"]),
        request_args(url, &["--data", "data.bin", "--tsa-timeout", "0"]),
        vec!["request", "--data", "data.bin", "--out", "r.tsr"],
        vec![
            "verify",
            "r.tsr",
            "--data",
            "data.bin",
            "--digest",
            d,
            "--tsa-certificate-chain",
            "tsa-chain.pem",
        ],
        vec!["verify", "r.tsr", "--data", "data.bin"],
        vec![
            "verify",
            "r.tsr",
            "--data",
            "data.bin",
            "--tsa-certificate-chain",
            "a.pem",
            "--trusted-root",
            "t.json",
        ],
        vec![
            "verify",
            "r.tsr",
            "--digest",
            "zz",
            "--tsa-certificate-chain",
            "tsa-chain.pem",
        ],
        vec![
            "verify",
            "r.tsr",
            "--digest",
            d,
            "--hash",
            "sha1",
            "--tsa-certificate-chain",
            "tsa-chain.pem",
        ],
        vec!["inspect"],
    ];
    for args in &cases {
        let mut full = vec!["timestamp"];
        full.extend_from_slice(args);
        let out = run(s.dir.path(), &full);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(s.server.hits(), 0, "no request was sent");
    assert!(!s.path("r.tsr").exists());
}

#[test]
fn failed_request_names_the_tsa_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("data.bin"), DATA).unwrap();
    let server = Server::start(|_, _| Reply::status(500));
    let with_creds = server.url.replace("http://", "http://u:topsecret@");
    let out = request_data(dir.path(), &[&with_creds], &["--tsa-timeout", "1"], "r.tsr");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("HTTP 500") && err.contains("http://***@127.0.0.1:"),
        "{err}"
    );
    assert!(!err.contains("topsecret"), "{err}");
    assert!(!dir.path().join("r.tsr").exists());
}

#[test]
fn request_falls_back_and_can_verify_before_writing() {
    let s = Setup::new();
    let down = closed_port_url();
    let out = request_data(
        s.dir.path(),
        &[&down, &s.server.url],
        &["--tsa-certificate-chain", "tsa-chain.pem"],
        "r.tsr",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("given TSA certificates"),
        "{}",
        stdout(&out)
    );

    // Verify-before-store against the wrong TSA: nothing written.
    let other = DevPki::tsa(Time::now(), KeyKind::EcdsaP256).unwrap();
    fs::write(
        s.path("other-root.pem"),
        modelsign_devpki::pem(&other.root.cert),
    )
    .unwrap();
    let out = request_data(
        s.dir.path(),
        &[&s.server.url],
        &["--tsa-certificate-chain", "other-root.pem"],
        "r2.tsr",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not trusted"), "{}", stderr(&out));
    assert!(!s.path("r2.tsr").exists());
}
