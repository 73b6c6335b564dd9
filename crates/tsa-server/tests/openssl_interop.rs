//! OpenSSL as the client and verifier (rfc3161-rules §11): `openssl ts -query`, POST,
//! `openssl ts -verify` against the query and against the data, with the root served by
//! the certchain endpoint, for ECDSA P-256 and RSA TSA keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{post_query, request, TestServer};
use modelsign_pki::KeyKind;

fn openssl(args: &[&str], dir: &Path) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?} failed: {text}");
    text
}

fn interop(kind: KeyKind) {
    let server = TestServer::start(kind, |_, _| {});
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Root from the served chain (last certificate), as a verifier would obtain it.
    let chain = request(server.addr, "GET", "/api/v1/timestamp/certchain", None, b"");
    let pem = String::from_utf8(chain.body).unwrap();
    let root_start = pem.rfind("-----BEGIN CERTIFICATE-----").unwrap();
    std::fs::write(d.join("root.pem"), &pem[root_start..]).unwrap();
    std::fs::write(d.join("data.bin"), b"raw signature bytes to timestamp").unwrap();

    for (digest, cert_flag) in [("-sha256", true), ("-sha512", true), ("-sha384", false)] {
        let mut args = vec![
            "ts", "-query", "-data", "data.bin", digest, "-out", "req.tsq",
        ];
        if cert_flag {
            args.push("-cert");
        }
        openssl(&args, d);
        let query = std::fs::read(d.join("req.tsq")).unwrap();
        let response = post_query(server.addr, &query);
        assert_eq!(response.status, 200);
        std::fs::write(d.join("resp.tsr"), &response.body).unwrap();

        let text = openssl(&["ts", "-reply", "-in", "resp.tsr", "-text"], d);
        assert!(text.contains("Status: Granted."), "{text}");
        assert!(text.contains("Policy OID: 1.3.6.1.4.1.57264.2"), "{text}");
        assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");

        // Without certReq the token carries no certificate: give OpenSSL the TSA leaf.
        std::fs::write(d.join("leaf.pem"), server.chain[0].to_pem()).unwrap();
        let untrusted: &[&str] = if cert_flag {
            &[]
        } else {
            &["-untrusted", "leaf.pem"]
        };
        let mut verify_query = vec![
            "ts",
            "-verify",
            "-in",
            "resp.tsr",
            "-queryfile",
            "req.tsq",
            "-CAfile",
            "root.pem",
        ];
        verify_query.extend_from_slice(untrusted);
        assert!(openssl(&verify_query, d).contains("Verification: OK"));
        let mut verify_data = vec![
            "ts", "-verify", "-in", "resp.tsr", "-data", "data.bin", "-CAfile", "root.pem",
        ];
        verify_data.extend_from_slice(untrusted);
        assert!(openssl(&verify_data, d).contains("Verification: OK"));
    }

    // Negative control: OpenSSL must refuse the token for other data.
    std::fs::write(d.join("other.bin"), b"other bytes").unwrap();
    let out = Command::new("openssl")
        .args([
            "ts",
            "-verify",
            "-in",
            "resp.tsr",
            "-data",
            "other.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "leaf.pem",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("message imprint mismatch"));
}

#[test]
fn openssl_accepts_ecdsa_p256_tokens() {
    interop(KeyKind::EcdsaP256);
}

#[test]
fn openssl_accepts_rsa_tokens() {
    interop(KeyKind::Rsa { bits: 2048 });
}
